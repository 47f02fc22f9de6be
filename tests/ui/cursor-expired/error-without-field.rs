use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "link", next_url = "next_records_url", cursor_expired_error = "INVALID_QUERY_LOCATOR")]
struct Records {
    #[paginate(items)]
    records: Vec<u32>,
    next_records_url: Option<String>,
}

fn main() {}
