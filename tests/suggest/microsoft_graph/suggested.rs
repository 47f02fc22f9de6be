// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub mail: Option<serde_json::Value>, // null in the sample: the type is a guess
}

// How `UserList` pages, from the sample:
// - the items are `value` (2 in the sample)
// - `@odata.nextLink` is an absolute next URL
//   ("https://graph.microsoft.com/v1.0/users?$select=id,displa...): `next_url = "next_link"`,
//   resolved against the request's URL
// - your request sends the page size `$top=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", next_url = "next_link")]
#[paginate(page_size_param = "$top", page_size = 2)]
pub struct UserList {
    #[serde(rename = "@odata.context")]
    pub context: String,
    #[paginate(items)]
    pub value: Vec<User>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}
