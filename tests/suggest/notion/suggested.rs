// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Page2 {
    pub object: String,
    pub id: String,
    pub url: String,
}

// How `PageList` pages, from the sample:
// - the items are `results` (2 in the sample)
// - `next_cursor` = "59833787-2cf9-4fdf-8782-e53db20768a2" reads as the next page's cursor
// - the request has a JSON body: the cursor goes back in it, at `start_cursor` (api.notion.com
//   convention: Notion takes `next_cursor` back as `start_cursor`)
// - `has_more` = true: `has_more = "has_more"` (`false` ends the walk)
// - the JSON body sends the page size at `page_size` (2)
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_cursor", cursor_body = "start_cursor")]
#[paginate(page_size_body = "page_size", page_size = 2)]
#[paginate(has_more = "has_more")]
pub struct PageList {
    pub object: String,
    #[paginate(items)]
    pub results: Vec<Page2>,
    pub next_cursor: Option<String>,
    pub has_more: bool,
    pub r#type: String,
    pub page_or_database: serde_json::Value,
}
