// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Log {
    pub uuid: String,
    #[serde(rename = "eventType")]
    pub event_type: String,
    pub published: String,
}

// How `LogList` pages, from the sample:
// - the response is a bare JSON array: `#[serde(transparent)]`, its one field the items
// - the `Link` header has `rel="next"`:
//   <https://acme.okta.com/api/v1/logs?since=2026-11-01&after=2>
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
pub struct LogList {
    #[paginate(items)]
    pub logs: Vec<Log>,
}
