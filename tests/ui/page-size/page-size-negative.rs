use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = -1)]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
