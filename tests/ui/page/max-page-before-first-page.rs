use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "page", page_param = "page", first_page = 1, max_page = 0)]
struct Tickets {
    #[paginate(items)]
    tickets: Vec<u32>,
}

fn main() {}
