use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_body = "offset", offset_param = "offset")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
