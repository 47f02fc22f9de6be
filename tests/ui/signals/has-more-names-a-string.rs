use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", has_more = "meta.has_more")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    has_more: Option<String>,
}

fn main() {}
