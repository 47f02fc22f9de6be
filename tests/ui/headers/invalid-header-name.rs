use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_header = "X Next Cursor", cursor_param = "after")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
