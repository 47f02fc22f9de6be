use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "type", cursor_param = "after")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    r#type: Option<String>,
}

fn main() {}
