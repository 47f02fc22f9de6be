use paginated::Paginated;
use serde::Deserialize;

// Independent mistakes are all reported in one run.
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit")]
#[paginate(page_size = 0, max_offset = "10000", stop_on_short_page = 1)]
struct Response {
    #[paginate(itmes)]
    data: Vec<u32>,
}

fn main() {}
