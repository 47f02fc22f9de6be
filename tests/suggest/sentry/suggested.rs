// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub id: String,
    #[serde(rename = "shortId")]
    pub short_id: String,
    pub title: String,
}

// How `IssueList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the `Link` header has `rel="next"`:
//   <https://sentry.io/api/0/organizations/acme/issues/?query=...>
// - the link has a `results` parameter (Sentry): `results="false"` on `rel="next"` marks the end,
//   which the `Link` reading knows
// - your request sends the page size `limit=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
#[paginate(page_size_param = "limit", page_size = 2)]
pub struct IssueList {
    #[paginate(items)]
    pub issues: Vec<Issue>,
}
