use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "meta", cursor_param = "starting_after")]
struct Charges {
    #[paginate(items)]
    data: Vec<Charge>,
}

#[derive(Deserialize)]
struct Charge {
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    id: String,
}

fn main() {}
