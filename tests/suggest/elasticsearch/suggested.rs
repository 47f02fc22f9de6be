// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Shards {
    pub total: u64,
    pub successful: u64,
    pub skipped: u64,
    pub failed: u64,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub service: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct Hit {
    #[serde(rename = "_index")]
    pub index: String,
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_score")]
    pub score: Option<serde_json::Value>, // null in the sample: the type is a guess
    #[serde(rename = "_source")]
    pub source: Source,
    pub sort: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Hits {
    pub max_score: Option<serde_json::Value>, // null in the sample: the type is a guess
    pub hits: Vec<Hit>,
}

// How `HitList` pages, from the sample:
// - the items are `hits.hits` (2 in the sample)
// - every hit has a `sort` array: Elasticsearch's `search_after` takes the last hit's `sort` back
//   in the request body
// - `stop_on_short_page`: `search_after` pages are full until the last one (without it, the empty
//   page after the last one ends the walk)
// - the JSON body sends the page size at `size` (2)
// One page cannot show:
// - `page_size = 2` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "sort", cursor_body = "search_after")]
#[paginate(items = "hits.hits", item_type = "Hit")]
#[paginate(page_size_body = "size", page_size = 2)]
#[paginate(stop_on_short_page)]
pub struct HitList {
    pub took: u64,
    pub timed_out: bool,
    #[serde(rename = "_shards")]
    pub shards: Shards,
    pub hits: Hits,
}
