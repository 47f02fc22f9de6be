use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "pages..next", cursor_param = "after")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    pages: Pages,
}

#[derive(Deserialize)]
struct Pages {
    next: Option<String>,
}

fn main() {}
