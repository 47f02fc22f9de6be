// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Lead {
    pub id: String,
    pub display_name: String,
    pub date_created: String,
}

// How `LeadList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - your request sends the offset `_skip=0`
// - `has_more` = true: `has_more = "has_more"` (`false` ends the walk)
// - your request sends the page size `_limit=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip")]
#[paginate(page_size_param = "_limit", page_size = 2)]
#[paginate(has_more = "has_more")]
pub struct LeadList {
    #[paginate(items)]
    pub data: Vec<Lead>,
    pub has_more: bool,
}
