use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursr_field = "next", cursor_param = "after")]
struct Response {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

// The stub impl keeps code that uses the type free of follow-on errors.
fn first(page: &Response) -> Option<u32> {
    page.items().first().copied()
}

fn spec() -> paginated::Spec {
    Response::SPEC
}

fn main() {
    let _ = (first, spec);
}
