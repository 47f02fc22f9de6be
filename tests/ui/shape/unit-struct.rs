use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page")]
struct Response;

fn main() {}
