// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct PageInfo {
    #[serde(rename = "endCursor")]
    pub end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Issues {
    pub nodes: Vec<Issue>,
    #[serde(rename = "pageInfo")]
    pub page_info: Option<PageInfo>,
}

#[derive(Debug, Deserialize)]
pub struct Data {
    pub issues: Issues,
}

// How `IssueList` pages, from the sample:
// - the items are `data.issues.nodes` (2 in the sample)
// - `data.issues.pageInfo.endCursor` = "Y3Vyc29yOjI=" reads as the next page's cursor
// - a GraphQL request: the cursor goes back as the `$after` variable, `variables.after` in the body
// - a GraphQL server reports errors as `200 {"data": null, "errors": [...]}`: `api_error =
//   "errors"` makes that an `ErrorKind::Api` with its message
// One page cannot show:
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after"
)]
#[paginate(items = "data.issues.nodes", item_type = "Issue")]
#[paginate(api_error = "errors")]
pub struct IssueList {
    pub data: Data,
    pub errors: Option<Vec<serde_json::Value>>, // not in the sample: the API's error, absent on success
}
