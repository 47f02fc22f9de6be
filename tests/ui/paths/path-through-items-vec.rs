use paginated::Paginated;
use serde::Deserialize;

// Stripe: the cursor is the `id` of the last item, which is `cursor_item_field`.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "data.id", cursor_param = "starting_after", has_more = "has_more")]
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
