// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    pub object_type: String,
    pub action: String,
}

// How `EventList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - `cursor_next` = "eyJza2lwIjo2" reads as the next page's cursor
// - your request already sends `_cursor=`: the cursor goes back there
// - `first_cursor = ""`: the first request sends `_cursor=` as yours does
// - your request sends the page size `_limit=2`
// One page cannot show:
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "cursor_next",
    cursor_param = "_cursor",
    first_cursor = ""
)]
#[paginate(page_size_param = "_limit", page_size = 2)]
pub struct EventList {
    #[paginate(items)]
    pub data: Vec<Event>,
    pub cursor_next: Option<String>,
    pub cursor_previous: Option<String>, // null in the sample: the type is a guess
}
