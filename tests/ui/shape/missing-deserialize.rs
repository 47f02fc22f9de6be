use paginated::{PaginateExt, Paginated};

// No `Deserialize`: one error under the struct's name, none at the call site.
#[derive(Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Contacts {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

async fn walk(client: reqwest::Client) {
    let _ = client.get("https://api.example.com/contacts").paginate::<Contacts>().collect().await;
}

fn main() {
    let _ = walk;
}
