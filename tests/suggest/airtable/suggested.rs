// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Fields {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Status")]
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct Task {
    pub id: String,
    #[serde(rename = "createdTime")]
    pub created_time: String,
    pub fields: Fields,
}

// How `TaskList` pages, from the sample:
// - the items are `records` (2 in the sample)
// - `offset` = "itrx7Ecb0ZPGU1shQ/rec560UJdUtocSou1" reads as the next page's cursor
// - the cursor goes back as `offset` (the same name as in the response)
// - your request sends the page size `pageSize=2`
// One page cannot show:
// - no next URL shows the parameter's name: `offset` is a convention; a second request with it must
//   return the next items
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "offset", cursor_param = "offset")]
#[paginate(page_size_param = "pageSize", page_size = 2)]
pub struct TaskList {
    #[paginate(items)]
    pub records: Vec<Task>,
    pub offset: Option<String>,
}
