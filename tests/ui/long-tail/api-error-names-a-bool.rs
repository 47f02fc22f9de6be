use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_form = "cursor", api_error = "ok")]
struct Members {
    #[paginate(items)]
    members: Vec<String>,
    next: Option<String>,
    ok: bool,
}

fn main() {}
