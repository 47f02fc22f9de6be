// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Fields {
    pub summary: String,
}

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub id: String,
    pub key: String,
    pub fields: Fields,
}

// How `IssueList` pages, from the sample:
// - the items are `issues` (2 in the sample)
// - `nextPageToken` = "CAEaAggD2" reads as the next page's cursor
// - the cursor goes back as `nextPageToken` (atlassian.net convention: Jira takes `nextPageToken`
//   back under the same name)
// - `isLast` = false: `is_last = "is_last"` (`true` ends the walk)
// - your request sends the page size `maxResults=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page_token", cursor_param = "nextPageToken")]
#[paginate(page_size_param = "maxResults", page_size = 2)]
#[paginate(is_last = "is_last")]
pub struct IssueList {
    #[paginate(items)]
    pub issues: Vec<Issue>,
    #[serde(rename = "isLast")]
    pub is_last: bool,
    #[serde(rename = "nextPageToken")]
    pub next_page_token: Option<String>,
}
