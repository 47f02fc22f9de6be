// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct PageInfo {
    #[serde(rename = "endCursor")]
    pub end_cursor: Option<String>,
    #[serde(rename = "hasNextPage")]
    pub has_next_page: bool,
}

#[derive(Debug, Deserialize)]
pub struct Issues {
    pub nodes: Vec<Issue>,
    #[serde(rename = "pageInfo")]
    pub page_info: Option<PageInfo>,
}

#[derive(Debug, Deserialize)]
pub struct Repository {
    pub issues: Issues,
}

#[derive(Debug, Deserialize)]
pub struct Data {
    pub repository: Repository,
}

// How `IssueList` pages, from the sample:
// - the items are `data.repository.issues.nodes` (2 in the sample)
// - `data.repository.issues.pageInfo.endCursor` = "Y3Vyc29yOnYyOpHOAAAB2" reads as the next page's
//   cursor
// - a GraphQL request: the cursor goes back as the `$after` variable, `variables.after` in the body
// - `data.repository.issues.pageInfo.hasNextPage` = true: `has_more =
//   "data.repository.issues.page_info.has_next_page"` (`false` ends the walk)
// - the JSON body sends the page size at `variables.first` (2)
// - a GraphQL server reports errors as `200 {"data": null, "errors": [...]}`: `api_error =
//   "errors"` makes that an `ErrorKind::Api` with its message
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.repository.issues.page_info.end_cursor",
    cursor_body = "variables.after"
)]
#[paginate(items = "data.repository.issues.nodes", item_type = "Issue")]
#[paginate(page_size_body = "variables.first", page_size = 2)]
#[paginate(has_more = "data.repository.issues.page_info.has_next_page", api_error = "errors")]
pub struct IssueList {
    pub data: Data,
    pub errors: Option<Vec<serde_json::Value>>, // not in the sample: the API's error, absent on success
}
