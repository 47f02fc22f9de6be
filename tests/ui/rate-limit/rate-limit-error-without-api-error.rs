use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", page_size_param = "per_page")]
#[paginate(rate_limit_error = "ratelimited")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
