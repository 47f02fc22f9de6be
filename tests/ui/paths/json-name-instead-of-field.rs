use paginated::Paginated;
use serde::Deserialize;

// `nextCursor` is the JSON key; paths name the Rust field.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "nextCursor", cursor_param = "cursor")]
struct Events {
    #[paginate(items)]
    data: Vec<u32>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
}

fn main() {}
