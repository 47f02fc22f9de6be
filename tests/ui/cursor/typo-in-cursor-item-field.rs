use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "idd", cursor_param = "starting_after")]
struct Charges {
    #[paginate(items)]
    data: Vec<Charge>,
    has_more: bool,
}

#[derive(Deserialize)]
struct Charge {
    id: String,
}

fn main() {}
