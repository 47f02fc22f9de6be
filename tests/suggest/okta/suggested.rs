// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Profile {
    pub login: String,
    pub email: String,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: String,
    pub status: String,
    pub profile: Profile,
}

// How `UserList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the `Link` header has `rel="next"`:
//   <https://acme.okta.com/api/v1/users?after=00ub0oNGTSWTBKOL...>
// - your request sends the page size `limit=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
#[paginate(page_size_param = "limit", page_size = 2)]
pub struct UserList {
    #[paginate(items)]
    pub users: Vec<User>,
}
