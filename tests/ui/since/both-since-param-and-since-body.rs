use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_body = "cursor", since_field = "updated_at", dedup_by = "id")]
#[paginate(since_param = "updated_since", since_body = "filter.updated_after")]
struct Conversations {
    #[paginate(items)]
    data: Vec<Conversation>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Conversation {
    id: String,
    updated_at: u64,
}

fn main() {}
