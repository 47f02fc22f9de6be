use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", first_page = 2)]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
