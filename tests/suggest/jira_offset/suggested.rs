// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Project {
    pub id: String,
    pub key: String,
    pub name: String,
}

// How `ProjectList` pages, from the sample:
// - the items are `values` (2 in the sample)
// - the response echoes the offset `startAt` = 0
// - `isLast` = false: `is_last = "is_last"` (`true` ends the walk)
// - `total` = 5: `total = "total"` ends the walk without an extra request, and lets pages be
//   fetched concurrently
// - your request sends the page size `maxResults=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "startAt")]
#[paginate(page_size_param = "maxResults", page_size = 2)]
#[paginate(is_last = "is_last", total = "total")]
pub struct ProjectList {
    #[serde(rename = "self")]
    pub self_: String,
    #[serde(rename = "maxResults")]
    pub max_results: u64,
    #[serde(rename = "startAt")]
    pub start_at: u64,
    pub total: u64,
    #[serde(rename = "isLast")]
    pub is_last: bool,
    #[paginate(items)]
    pub values: Vec<Project>,
}
