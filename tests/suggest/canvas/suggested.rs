// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Course {
    pub id: u64,
    pub name: String,
}

// How `CourseList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the `Link` header has `rel="next"`:
//   <https://canvas.example.edu/api/v1/courses?page=2&per_page=2>
// - the next URL drops the credential `access_token` of your URL: `keep_params` adds it back (same
//   origin only)
// - your request sends the page size `per_page=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", keep_params = "access_token")]
#[paginate(page_size_param = "per_page", page_size = 2)]
pub struct CourseList {
    #[paginate(items)]
    pub courses: Vec<Course>,
}
