use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit")]
#[paginate(page_size = 200, max_page_size = 150)]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
