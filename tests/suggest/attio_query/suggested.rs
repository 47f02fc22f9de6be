// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Id {
    pub workspace_id: String,
    pub object_id: String,
    pub record_id: String,
}

#[derive(Debug, Deserialize)]
pub struct Name {
    pub full_name: String,
}

#[derive(Debug, Deserialize)]
pub struct Values {
    pub name: Vec<Name>,
}

#[derive(Debug, Deserialize)]
pub struct People {
    pub id: Id,
    pub created_at: String,
    pub values: Values,
}

// How `PeopleList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - your JSON body sends the offset `offset` (0)
// - the JSON body sends the page size at `limit` (2)
// One page cannot show:
// - no total or flag in the sample: the walk ends on the first empty page (always, for `style =
//   "offset"`); add `stop_on_short_page` if the API's short page is its last
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_body = "offset")]
#[paginate(page_size_body = "limit", page_size = 2)]
pub struct PeopleList {
    #[paginate(items)]
    pub data: Vec<People>,
}
