use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after", next_url = "next")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

fn main() {}
