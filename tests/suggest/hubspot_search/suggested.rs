// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Properties {
    pub email: String,
}

#[derive(Debug, Deserialize)]
pub struct Contact {
    pub id: String,
    pub properties: Properties,
    #[serde(rename = "createdAt")]
    pub created_at: String,
    pub archived: bool,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    pub next: Option<Next>,
}

// How `ContactList` pages, from the sample:
// - the items are `results` (2 in the sample)
// - `paging.next.after` = "2" reads as the next page's cursor
// - the request has a JSON body: the cursor goes back in it, at `after` (the same name as in the
//   response)
// - the JSON body sends the page size at `limit` (2)
// Alternatives:
// - `total = "total"` would save the request after the last page, if `total` is exact and fixed
//   during the walk
// One page cannot show:
// - `after` is a convention a second request must confirm, or the API's docs
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "paging.next.after", cursor_body = "after")]
#[paginate(page_size_body = "limit", page_size = 2)]
pub struct ContactList {
    pub total: u64,
    #[paginate(items)]
    pub results: Vec<Contact>,
    pub paging: Option<Paging>,
}
