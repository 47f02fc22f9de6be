use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", items = "data.records")]
struct Response {
    data: Records,
}

#[derive(Deserialize)]
struct Records {
    records: Vec<u32>,
}

fn main() {}
