use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", slice_param = "date_created__gte")]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
}

#[derive(Deserialize)]
struct Lead {
    id: String,
}

fn main() {}
