// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Product {
    pub id: u64,
    pub title: String,
    pub status: String,
}

// How `ProductList` pages, from the sample:
// - the items are `products` (2 in the sample)
// - the `Link` header has `rel="next"`:
//   <https://acme.myshopify.com/admin/api/2024-01/products.jso...>
// - the next URL leaves out `status` of your URL: next URLs are followed verbatim, so those go on
//   the first request only (as the API wants, if it encodes them in the link)
// - your request sends the page size `limit=2`
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link")]
#[paginate(page_size_param = "limit", page_size = 2)]
pub struct ProductList {
    #[paginate(items)]
    pub products: Vec<Product>,
}
