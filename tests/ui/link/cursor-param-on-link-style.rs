use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", cursor_param = "after", page_size_param = "per_page")]
struct Issues {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
