use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Page<'a> {
    #[paginate(items)]
    data: Vec<&'a str>,
    next: Option<&'a str>,
}

fn main() {}
