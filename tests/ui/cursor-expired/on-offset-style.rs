use paginated::Paginated;
use serde::Deserialize;

// An offset is the client's own count: it cannot expire on the server.
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", cursor_expired_status = 400)]
struct Notes {
    #[paginate(items)]
    data: Vec<u32>,
}

fn main() {}
