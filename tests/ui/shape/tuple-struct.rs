use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Response(Vec<u32>, Option<String>);

fn main() {}
