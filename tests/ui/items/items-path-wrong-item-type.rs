use paginated::Paginated;
use serde::Deserialize;

// Known limitation: `items()` and `items_mut()` each report the mismatch.
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", items = "data.records", item_type = "String")]
struct Response {
    data: Records,
}

#[derive(Deserialize)]
struct Records {
    records: Vec<u32>,
}

fn main() {}
