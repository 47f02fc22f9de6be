// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Incident {
    pub id: String,
    pub incident_number: u64,
    pub status: String,
}

// How `IncidentList` pages, from the sample:
// - the items are `incidents` (2 in the sample)
// - your request sends the offset `offset=0`
// - `more` = true: `has_more = "more"` (`false` ends the walk)
// - `total` = null: `total = "total"` ends the walk without an extra request, and lets pages be
//   fetched concurrently
// - your request sends the page size `limit=2`
// One page cannot show:
// - `total` is null in the sample: it says nothing until the API fills it
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 2)]
#[paginate(has_more = "more", total = "total")]
pub struct IncidentList {
    #[paginate(items)]
    pub incidents: Vec<Incident>,
    pub limit: u64,
    pub offset: u64,
    pub total: Option<u64>, // null in the sample: the type is a guess
    pub more: bool,
}
