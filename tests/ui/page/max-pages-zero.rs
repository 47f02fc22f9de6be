use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", max_pages = 0)]
struct Tickets {
    #[paginate(items)]
    tickets: Vec<u32>,
}

fn main() {}
