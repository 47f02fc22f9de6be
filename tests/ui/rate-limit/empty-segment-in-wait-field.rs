use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", page_size_param = "per_page")]
#[paginate(rate_limit_wait_field = "error..rate_reset")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
