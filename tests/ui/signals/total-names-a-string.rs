use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", total = "meta.total")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    total: String,
}

fn main() {}
