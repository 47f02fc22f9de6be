// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub state: String,
    pub labels: Vec<Label>,
}

// How `IssueList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the `Link` header has `rel="next"`:
//   <https://api.github.com/repositories/1300192/issues?state=...>
// - your request sends the page size `per_page=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
#[paginate(page_size_param = "per_page", page_size = 2)]
pub struct IssueList {
    #[paginate(items)]
    pub issues: Vec<Issue>,
}
