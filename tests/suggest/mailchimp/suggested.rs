// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Member {
    pub id: String,
    pub email_address: String,
    pub status: String,
}

// How `MemberList` pages, from the sample:
// - the items are `members` (2 in the sample)
// - your request sends the offset `offset=0`
// - `total_items` = 5: `total = "total_items"` ends the walk without an extra request, and lets
//   pages be fetched concurrently
// - your request sends the page size `count=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset")]
#[paginate(page_size_param = "count", page_size = 2)]
#[paginate(total = "total_items")]
pub struct MemberList {
    #[paginate(items)]
    pub members: Vec<Member>,
    pub list_id: String,
    pub total_items: u64,
    #[serde(rename = "_links")]
    pub links: Vec<String>,
}
