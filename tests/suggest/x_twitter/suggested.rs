// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Tweet {
    pub id: String,
    pub text: String,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
pub struct Meta {
    pub result_count: u64,
    pub newest_id: String,
    pub oldest_id: String,
    pub next_token: Option<String>,
}

// How `TweetList` pages, from the sample:
// - the items are `data` (5 in the sample)
// - `meta.next_token` = "7140dibdnow9c7btw3w295" reads as the next page's cursor
// - the cursor goes back as `pagination_token` (api.x.com convention: X's timelines take
//   `next_token` back as `pagination_token` (its search endpoints as `next_token`))
// - your request sends the page size `max_results=5`
// One page cannot show:
// - the walk ends when the cursor is absent, null or ""; if the API keeps sending one on its last
//   page, declare the flag that says so (`has_more`, `is_last`) or `stop_on_empty_page`
// - `page_size = 5` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "meta.next_token", cursor_param = "pagination_token")]
#[paginate(page_size_param = "max_results", page_size = 5)]
pub struct TweetList {
    #[paginate(items)]
    pub data: Vec<Tweet>,
    pub meta: Option<Meta>,
}
