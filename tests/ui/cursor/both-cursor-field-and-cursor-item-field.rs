use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_param = "starting_after")]
#[paginate(cursor_field = "next", cursor_item_field = "id")]
struct Charges {
    #[paginate(items)]
    data: Vec<Charge>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Charge {
    id: String,
}

fn main() {}
