use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "offset")]
#[paginate(cursor_expired_status = 400, cursor_expired_match = "")]
struct Tasks {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

fn main() {}
