use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", items = "data", item_type = "u32")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
