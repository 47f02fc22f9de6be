use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after", page_size_param = "max_results",
           min_page_size = 200, max_page_size = 100)]
struct Tweets {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

fn main() {}
