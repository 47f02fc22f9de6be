use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "pgs.next.starting_after", cursor_param = "starting_after")]
struct Contacts {
    #[paginate(items)]
    data: Vec<u32>,
    pages: Pages,
}

#[derive(Deserialize)]
struct Pages {
    next: Option<Next>,
}

#[derive(Deserialize)]
struct Next {
    starting_after: String,
}

fn main() {}
