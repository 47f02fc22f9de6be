// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub iid: u64,
    pub title: String,
}

// How `IssueList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the response header `x-next-page: 2` reads as the next cursor
// - `x-next-page` holds the next page number: it goes back as `page` (empty on the last page)
// - your request sends the page size `per_page=2`
// Alternatives:
// - if the API also sends a `Link` header, `style = "link"` works as well
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "cursor", cursor_header = "x-next-page", cursor_param = "page")]
#[paginate(page_size_param = "per_page", page_size = 2)]
pub struct IssueList {
    #[paginate(items)]
    pub issues: Vec<Issue>,
}
