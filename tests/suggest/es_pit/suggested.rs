// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Hit {
    #[serde(rename = "_id")]
    pub id: String,
    pub sort: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Hits {
    pub hits: Vec<Hit>,
}

// How `HitList` pages, from the sample:
// - the items are `hits.hits` (2 in the sample)
// - `pit_id` and a `sort` on every hit are an Elasticsearch point-in-time search: each next request
//   carries two pieces of state (`pit.id`, which changes every page, and `search_after`), which
//   only `style = "custom"` can say
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "pit_state", next_request = "pit_request")]
#[paginate(items = "hits.hits", item_type = "Hit")]
pub struct HitList {
    pub pit_id: String,
    pub hits: Hits,
}

/// The state the next request needs: this page's point in time and its last hit's `sort`.
pub fn pit_state(page: &HitList) -> Option<serde_json::Value> {
    let sort = page.hits.hits.last()?.sort.clone();
    Some(serde_json::json!({"pit": page.pit_id, "search_after": sort}))
}

/// The next request: your first request's body with `pit.id` and `search_after` set.
pub fn pit_request(first: &reqwest::Request, state: &serde_json::Value) -> reqwest::Request {
    let mut next = first.try_clone().expect("a byte body");
    let bytes = first.body().and_then(reqwest::Body::as_bytes).unwrap_or(b"{}");
    let mut body: serde_json::Value = serde_json::from_slice(bytes).expect("a JSON body");
    body["pit"]["id"] = state["pit"].clone();
    body["search_after"] = state["search_after"].clone();
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}
