// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct File {
    pub kind: String,
    pub id: String,
    pub name: String,
    #[serde(rename = "mimeType")]
    pub mime_type: String,
}

// How `FileList` pages, from the sample:
// - the items are `files` (3 in the sample)
// - `nextPageToken` = "~!!~AI9FV7QkZ3A" reads as the next page's cursor
// - the cursor goes back as `pageToken` (`nextPageToken` without its "next")
// - your request sends the page size `pageSize=3`
// One page cannot show:
// - no next URL shows the parameter's name: `pageToken` is a convention; a second request with it
//   must return the next items
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 3` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page_token", cursor_param = "pageToken")]
#[paginate(page_size_param = "pageSize", page_size = 3)]
pub struct FileList {
    pub kind: String,
    #[serde(rename = "incompleteSearch")]
    pub incomplete_search: bool,
    #[paginate(items)]
    pub files: Vec<File>,
    #[serde(rename = "nextPageToken")]
    pub next_page_token: Option<String>,
}
