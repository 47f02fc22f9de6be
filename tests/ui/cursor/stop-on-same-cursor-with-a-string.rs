use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_token", cursor_body = "nextToken")]
#[paginate(stop_on_same_cursor = "nextToken")]
struct LogEvents {
    #[paginate(items)]
    events: Vec<u32>,
    next_token: Option<String>,
}

fn main() {}
