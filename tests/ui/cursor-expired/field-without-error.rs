use paginated::Paginated;
use serde::Deserialize;

// Salesforce: the error code alone says nothing until its values are named.
#[derive(Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "link", next_url = "next_records_url", cursor_expired_field = "[].errorCode")]
struct Records {
    #[paginate(items)]
    records: Vec<u32>,
    next_records_url: Option<String>,
}

fn main() {}
