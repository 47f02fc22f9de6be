// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Customer {
    pub id: String,
    pub object: String,
    pub email: Option<serde_json::Value>, // null in the sample: the type is a guess
    pub created: u64,
}

// How `CustomerList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - `has_more` but no cursor field: the next cursor is the last item's `id` (Stripe's
//   `starting_after`)
// - `has_more` = true: `has_more = "has_more"` (`false` ends the walk)
// - your request sends the page size `limit=2`
// Alternatives:
// - if the API skips by count instead: `style = "offset", offset_param = "offset"`
// One page cannot show:
// - `starting_after` is the usual name (Stripe, Intercom); others say `after` or `since_id`: a
//   second request with the last id must return the next items
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "id", cursor_param = "starting_after")]
#[paginate(page_size_param = "limit", page_size = 2)]
#[paginate(has_more = "has_more")]
pub struct CustomerList {
    pub object: String,
    pub url: String,
    pub has_more: bool,
    #[paginate(items)]
    pub data: Vec<Customer>,
}
