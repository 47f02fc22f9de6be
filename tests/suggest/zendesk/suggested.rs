// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Deserialize)]
pub struct Meta {
    pub has_more: bool,
    pub after_cursor: Option<String>,
    pub before_cursor: String,
}

#[derive(Debug, Deserialize)]
pub struct Links {
    pub next: Option<String>,
    pub prev: Option<String>, // null in the sample: the type is a guess
}

// How `UserList` pages, from the sample:
// - the items are `users` (2 in the sample)
// - `meta.after_cursor` = "eyJvIjoibmljZV9pZCIsInYiOiJhUk2" reads as the next page's cursor
// - the next URL carries the cursor as `page[after]=eyJvIjoibmljZV9pZCIsInYiOiJhUk2`
// - `meta.has_more` = true: `has_more = "meta.has_more"` (`false` ends the walk)
// - your request sends the page size `page[size]=2`
// Alternatives:
// - `style = "link", next_url = "links.next"` follows `links.next` instead (the server's URL,
//   verbatim)
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "meta.after_cursor", cursor_param = "page[after]")]
#[paginate(page_size_param = "page[size]", page_size = 2)]
#[paginate(has_more = "meta.has_more")]
pub struct UserList {
    #[paginate(items)]
    pub users: Vec<User>,
    pub meta: Option<Meta>,
    pub links: Option<Links>,
}
