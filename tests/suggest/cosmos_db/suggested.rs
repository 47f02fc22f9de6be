// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Order {
    pub id: String,
    pub status: String,
}

// How `OrderList` pages, from the sample:
// - the items are `Documents` (2 in the sample)
// - the response header `x-ms-continuation:
//   {"token":"-RID:~d9RzAJRFKgw1AAAAAAAAAA==#RT:1#TRC:1","ran...` reads as the next cursor
// - a continuation header goes back in the request header of the same name (Azure's
//   `x-ms-continuation`)
// - your request sends the page size in the header `x-ms-max-item-count: 2`
// One page cannot show:
// - pages may be empty before the end: only a missing header ends the walk
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_header = "x-ms-continuation",
    cursor_request_header = "x-ms-continuation"
)]
#[paginate(page_size_header = "x-ms-max-item-count", page_size = 2)]
pub struct OrderList {
    #[serde(rename = "_rid")]
    pub rid: String,
    #[paginate(items)]
    #[serde(rename = "Documents")]
    pub documents: Vec<Order>,
    #[serde(rename = "_count")]
    pub count: u64,
}
