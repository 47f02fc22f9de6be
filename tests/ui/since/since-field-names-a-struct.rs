use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
}

#[derive(Deserialize)]
struct Contact {
    id: String,
    updated: Updated,
}

#[derive(Deserialize)]
struct Updated {
    at: String,
}

fn main() {}
