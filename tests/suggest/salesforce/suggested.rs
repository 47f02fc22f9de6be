// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Attributes {
    pub r#type: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
pub struct Record {
    pub attributes: Attributes,
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Name")]
    pub name: String,
}

// How `RecordList` pages, from the sample:
// - the items are `records` (2 in the sample)
// - `nextRecordsUrl` is a relative next URL ("/services/data/v59.0/query/01gRO0000016PIAYA2-2"):
//   `next_url = "next_records_url"`, resolved against the request's URL
// - the next URL leaves out `q` of your URL: next URLs are followed verbatim, so those go on the
//   first request only (as the API wants, if it encodes them in the link)
// - `done` = false: `is_last = "done"` (`true` ends the walk)
// Alternatives:
// - `total = "total_size"` would save the request after the last page, if `totalSize` is exact and
//   fixed during the walk
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", next_url = "next_records_url")]
#[paginate(is_last = "done")]
pub struct RecordList {
    #[serde(rename = "totalSize")]
    pub total_size: u64,
    pub done: bool,
    #[paginate(items)]
    pub records: Vec<Record>,
    #[serde(rename = "nextRecordsUrl")]
    pub next_records_url: Option<String>,
}
