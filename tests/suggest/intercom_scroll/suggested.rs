// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Company {
    pub id: String,
}

// How `CompanyList` pages, from the sample:
// - the items are `data` (1 in the sample)
// - `scroll_param` = "scroll-1" reads as the next page's cursor
// - the cursor goes back as `scroll_param` (the same name as in the response)
// - a scroll hands out a token on every page, the last one included: an empty page is the end
//   (`stop_on_empty_page`)
// One page cannot show:
// - no next URL shows the parameter's name: `scroll_param` is a convention; a second request with
//   it must return the next items
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "scroll_param", cursor_param = "scroll_param")]
#[paginate(stop_on_empty_page)]
pub struct CompanyList {
    pub r#type: String,
    #[paginate(items)]
    pub data: Vec<Company>,
    pub scroll_param: Option<String>,
}
