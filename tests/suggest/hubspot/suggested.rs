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
    pub link: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    pub next: Option<Next>,
}

// How `ContactList` pages, from the sample:
// - the items are `results` (2 in the sample)
// - `paging.next.after` = "NTI2Cg%3D%3D" reads as the next page's cursor
// - the next URL carries the cursor as `after=NTI2Cg%3D%3D`
// - your request sends the page size `limit=2`
// Alternatives:
// - `style = "link", next_url = "paging.next.link"` follows `paging.next.link` instead (the
//   server's URL, verbatim)
// - the cursor "NTI2Cg%3D%3D" holds %-escapes: if the API documents it as already percent-encoded,
//   add `cursor_encoded` (it is sent as it is instead of encoded once more)
// One page cannot show:
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "paging.next.after", cursor_param = "after")]
#[paginate(page_size_param = "limit", page_size = 2)]
pub struct ContactList {
    #[paginate(items)]
    pub results: Vec<Contact>,
    pub paging: Option<Paging>,
}
