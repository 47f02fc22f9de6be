use paginated::{PaginateExt, Paginated};
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field, cursor_param = "starting_after", has_more = "has_more")]
struct List<T> {
    #[paginate(items)]
    data: Vec<T>,
    has_more: bool,
}

#[derive(Deserialize)]
struct Customer {
    id: String,
}

fn walk(client: reqwest::Client) -> impl Sized {
    client.get("https://api.stripe.com/v1/customers").paginate::<List<Customer>>()
}

fn main() {
    let _ = walk;
}
