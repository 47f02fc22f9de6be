use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
#[paginate(cursor_expired_status = "400, 429")]
struct Tasks {
    #[paginate(items)]
    data: Vec<u32>,
    next_page: Option<NextPage>,
}

#[derive(Deserialize)]
struct NextPage {
    offset: String,
}

fn main() {}
