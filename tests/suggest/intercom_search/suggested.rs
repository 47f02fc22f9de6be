// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Conversation {
    pub r#type: String,
    pub id: String,
    pub state: String,
    pub created_at: u64,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    pub page: u64,
    pub starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Pages {
    pub r#type: String,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
    pub next: Option<Next>,
}

// How `ConversationList` pages, from the sample:
// - the items are `conversations` (2 in the sample)
// - `pages.next.starting_after` = "WzE3MTY0NTU0NDEwMDAsIjUwMTc2OTEiXQ==" reads as the next page's
//   cursor
// - the request has a JSON body: the cursor goes back in it, at `pagination.starting_after` (the
//   same name as in the response)
// - the JSON body sends the page size at `pagination.per_page` (2)
// Alternatives:
// - `total = "total_count"` would save the request after the last page, if `total_count` is exact
//   and fixed during the walk
// - `total_pages = "pages.total_pages"` would save the request after the last page, if
//   `pages.total_pages` is exact and fixed during the walk
// One page cannot show:
// - `pagination.starting_after` is a convention a second request must confirm, or the API's docs
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after"
)]
#[paginate(page_size_body = "pagination.per_page", page_size = 2)]
pub struct ConversationList {
    pub r#type: String,
    #[paginate(items)]
    pub conversations: Vec<Conversation>,
    pub total_count: u64,
    pub pages: Option<Pages>,
}
