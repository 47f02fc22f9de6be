use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "meta.next_cursor", cursor_param = "cursor")]
struct Page {
    #[paginate(items)]
    data: Vec<u32>,
    meta: serde_json::Value,
}

fn main() {}
