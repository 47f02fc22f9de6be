// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ResponseHeader {
    pub status: u64,
    #[serde(rename = "QTime")]
    pub q_time: u64,
}

#[derive(Debug, Deserialize)]
pub struct Techproduct {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct Response {
    #[serde(rename = "numFound")]
    pub num_found: u64,
    pub start: u64,
    pub docs: Vec<Techproduct>,
}

// How `TechproductList` pages, from the sample:
// - the items are `response.docs` (2 in the sample)
// - `nextCursorMark` = "AoE/cGF2+Q==" reads as the next page's cursor
// - your request already sends `cursorMark=*`: the cursor goes back there
// - `first_cursor = "*"`: the first request sends `cursorMark=*` as yours does
// - a `cursorMark` scheme (Solr) ends by sending back the mark it was given, on an empty page:
//   `stop_on_empty_page`
// - your request sends the page size `rows=2`
// Alternatives:
// - `total = "response.num_found"` would save the request after the last page, if
//   `response.numFound` is exact and fixed during the walk
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "next_cursor_mark",
    cursor_param = "cursorMark",
    first_cursor = "*"
)]
#[paginate(items = "response.docs", item_type = "Techproduct")]
#[paginate(page_size_param = "rows", page_size = 2)]
#[paginate(stop_on_empty_page)]
pub struct TechproductList {
    #[serde(rename = "responseHeader")]
    pub response_header: ResponseHeader,
    pub response: Response,
    #[serde(rename = "nextCursorMark")]
    pub next_cursor_mark: Option<String>,
}
