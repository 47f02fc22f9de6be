use paginated::Paginated;
use serde::Deserialize;

// The same page number twice is a server bug, not an end: this key is for cursors.
#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", stop_on_same_cursor)]
struct Tickets {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
