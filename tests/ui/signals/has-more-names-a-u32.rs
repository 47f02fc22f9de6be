use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", has_more = "has_more")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    has_more: u32,
}

fn main() {}
