// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Id {
    pub workspace_id: String,
    pub note_id: String,
}

#[derive(Debug, Deserialize)]
pub struct Note {
    pub id: Id,
    pub title: String,
    pub created_at: String,
}

// How `NoteList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - your request sends the offset `offset=0`
// - your request sends the page size `limit=2`
// One page cannot show:
// - no total or flag in the sample: the walk ends on the first empty page (always, for `style =
//   "offset"`); add `stop_on_short_page` if the API's short page is its last
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 2)]
pub struct NoteList {
    #[paginate(items)]
    pub data: Vec<Note>,
}
