use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "state", next_request = "request")]
struct Scroll {
    #[paginate(items)]
    hits: Vec<u32>,
}

fn state(_: &Scroll) -> Option<serde_json::Value> {
    None
}

fn request(first: &reqwest::Request) -> reqwest::Request {
    first.try_clone().unwrap()
}

fn main() {}
