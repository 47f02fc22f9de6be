use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = "50")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
