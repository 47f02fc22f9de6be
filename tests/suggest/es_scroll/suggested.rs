// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Source {
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct Log {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_source")]
    pub source: Source,
}

#[derive(Debug, Deserialize)]
pub struct Hits {
    pub hits: Vec<Log>,
}

// How `LogList` pages, from the sample:
// - the items are `hits.hits` (2 in the sample)
// - `_scroll_id` is an Elasticsearch scroll: each next request is `POST /_search/scroll` with
//   another body, which only `style = "custom"` can say; the scroll's end is an empty page
//   (keep-alive `1m` from `?scroll=`)
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "scroll_state", next_request = "scroll_request")]
#[paginate(items = "hits.hits", item_type = "Log")]
#[paginate(stop_on_empty_page)]
pub struct LogList {
    #[serde(rename = "_scroll_id")]
    pub scroll_id: String,
    pub hits: Hits,
}

/// The state the next request needs: this page's scroll id.
#[allow(clippy::unnecessary_wraps)] // the signature `next_state` takes
pub fn scroll_state(page: &LogList) -> Option<serde_json::Value> {
    Some(serde_json::Value::from(page.scroll_id.clone()))
}

/// The next request: your first request sent to `/_search/scroll`, with the scroll id.
pub fn scroll_request(first: &reqwest::Request, state: &serde_json::Value) -> reqwest::Request {
    let mut next = first.try_clone().expect("a byte body");
    next.url_mut().set_path("/_search/scroll");
    next.url_mut().set_query(None);
    let body = serde_json::json!({"scroll": "1m", "scroll_id": state});
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}
