use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", since_field = "meta.updated_at", since_header = "X-Updated-Since", dedup_by = "id")]
struct Companies {
    #[paginate(items)]
    data: Vec<Company>,
}

#[derive(Deserialize)]
struct Company {
    id: String,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    updated: String,
}

fn main() {}
