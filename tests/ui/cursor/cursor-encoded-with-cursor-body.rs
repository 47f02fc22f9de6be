use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_body = "page.after", cursor_encoded)]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

fn main() {}
