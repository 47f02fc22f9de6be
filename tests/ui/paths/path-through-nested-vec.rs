use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "meta.cursors.after", cursor_param = "after")]
struct Page {
    #[paginate(items)]
    data: Vec<u32>,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    cursors: Option<Vec<Cursors>>,
}

#[derive(Deserialize)]
struct Cursors {
    after: String,
}

fn main() {}
