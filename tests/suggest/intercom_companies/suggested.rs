// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Company {
    pub r#type: String,
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Pages {
    pub r#type: String,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
    pub next: Option<String>,
}

// How `CompanyList` pages, from the sample:
// - the items are `data` (2 in the sample)
// - the next URL is your request with `page` one higher: page numbers
// - `pages.total_pages` = 3: `total_pages = "pages.total_pages"` ends the walk without an extra
//   request, and lets pages be fetched concurrently
// - your request sends the page size `per_page=2`
// Alternatives:
// - `total = "total_count"` says the same end in other units: either works
// - `style = "link", next_url = "pages.next"` follows the server's next URL instead; slower (one
//   page at a time) but it needs no page arithmetic
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page")]
#[paginate(page_size_param = "per_page", page_size = 2)]
#[paginate(total_pages = "pages.total_pages")]
pub struct CompanyList {
    pub r#type: String,
    #[paginate(items)]
    pub data: Vec<Company>,
    pub total_count: u64,
    pub pages: Option<Pages>,
}
