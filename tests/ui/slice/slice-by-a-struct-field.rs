use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", slice_by = "created", slice_param = "created__gte", dedup_by = "id")]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
}

#[derive(Deserialize)]
struct Lead {
    id: String,
    created: Created,
}

#[derive(Deserialize)]
struct Created {
    at: String,
}

fn main() {}
