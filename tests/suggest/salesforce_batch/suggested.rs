// Suggested by `cargo run --example suggest` from one sample response. The comments
// above the response struct give the evidence for each choice, the alternatives and
// what one page cannot show: check those before relying on it.

use paginated::Paginated;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Record {
    #[serde(rename = "Id")]
    pub id: String,
}

// How `RecordList` pages, from the sample:
// - the items are `records` (1 in the sample)
// - `nextRecordsUrl` is a relative next URL ("/services/data/v59.0/query/01g-200"): `next_url =
//   "next_records_url"`, resolved against the request's URL
// - the next URL leaves out `q` of your URL: next URLs are followed verbatim, so those go on the
//   first request only (as the API wants, if it encodes them in the link)
// - `done` = false: `is_last = "done"` (`true` ends the walk)
// - your request sends the page size in the header `Sforce-Query-Options: batchSize=200`:
//   `page_size_format` writes it
// One page cannot show:
// - `page_size = 200` is what your request asked for; add the API's `max_page_size` from its docs
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", next_url = "next_records_url")]
#[paginate(
    page_size_header = "Sforce-Query-Options",
    page_size_format = "batchSize={}",
    page_size = 200
)]
#[paginate(is_last = "done")]
pub struct RecordList {
    pub done: bool,
    #[paginate(items)]
    pub records: Vec<Record>,
    #[serde(rename = "nextRecordsUrl")]
    pub next_records_url: Option<String>,
}
