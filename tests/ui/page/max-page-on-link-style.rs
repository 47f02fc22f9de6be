use paginated::Paginated;
use serde::Deserialize;

// `max_page` limits page numbers; a link walk counts pages with `max_pages`.
#[derive(Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", page_size_param = "per_page", max_page = 300)]
struct Tickets {
    #[paginate(items)]
    tickets: Vec<u32>,
}

fn main() {}
