// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Channel {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct ResponseMetadata {
    pub next_cursor: Option<String>,
}

// How `ChannelList` pages, from the sample:
// - the items are `channels` (2 in the sample)
// - `response_metadata.next_cursor` = "dGVhbTpDMDYxRkE1UEI=" reads as the next page's cursor
// - the cursor goes back as `cursor` (`next_cursor` without its "next")
// - your request sends the page size `limit=2`
// - `ok` says errors come as `200 {"ok": false, "error": "..."}` (Slack): `api_error = "error"`
//   makes that an `ErrorKind::Api` with the message
// Alternatives:
// - if the API also reports rate limits in the body (Slack's `"error": "ratelimited"`), add
//   `rate_limit_error = "ratelimited"`: they are then retried like a 429
// One page cannot show:
// - no next URL shows the parameter's name: `cursor` is a convention; a second request with it must
//   return the next items
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "response_metadata.next_cursor",
    cursor_param = "cursor"
)]
#[paginate(page_size_param = "limit", page_size = 2)]
#[paginate(api_error = "error")]
pub struct ChannelList {
    pub ok: bool,
    #[paginate(items)]
    pub channels: Vec<Channel>,
    pub response_metadata: Option<ResponseMetadata>,
    pub error: Option<String>, // not in the sample: the API's error, absent on success
}
