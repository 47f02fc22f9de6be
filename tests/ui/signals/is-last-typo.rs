use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", is_last = "is_lst")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    is_last: bool,
}

fn main() {}
