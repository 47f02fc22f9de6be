use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", since_field = "date_updated", since_param = "date_updated__gte")]
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
