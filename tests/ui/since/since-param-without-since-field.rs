use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", since_param = "date_updated__gte", dedup_by = "id")]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
}

#[derive(Deserialize)]
struct Lead {
    id: String,
    date_updated: String,
}

fn main() {}
