// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use paginated::de::Lenient;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Contact {
    pub r#type: String,
    pub id: String,
    pub email: Option<String>,
    pub name: String,
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
    pub per_page: Lenient<u64>,
    pub total_pages: Lenient<u64>,
    pub next: Option<Next>,
}

// How `ContactList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - `pages.next.starting_after` = "WzE3MTU3NjU2NjUwMDAsIjY2NDM3MDNmZmFlNzgzNGQxNzkyZmQzMSJd" reads
//   as the next page's cursor
// - the cursor goes back as `starting_after` (the same name as in the response)
// - your request sends the page size `per_page=2`
// Alternatives:
// - `total = "total_count"` would save the request after the last page, if `total_count` is exact
//   and fixed during the walk
// - `total_pages = "pages.total_pages"` would save the request after the last page, if
//   `pages.total_pages` is exact and fixed during the walk
// One page cannot show:
// - no next URL shows the parameter's name: `starting_after` is a convention; a second request with
//   it must return the next items
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_param = "starting_after"
)]
#[paginate(page_size_param = "per_page", page_size = 2)]
pub struct ContactList {
    pub r#type: String,
    #[paginate(items)]
    pub data: Vec<Contact>,
    pub total_count: u64,
    pub pages: Option<Pages>,
}
