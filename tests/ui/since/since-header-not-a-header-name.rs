use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", since_field = "updated_at", since_header = "Updated Since", dedup_by = "id")]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
}

#[derive(Deserialize)]
struct Contact {
    id: String,
    updated_at: String,
}

fn main() {}
