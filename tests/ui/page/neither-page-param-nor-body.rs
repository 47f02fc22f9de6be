use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", first_page = 0)]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
