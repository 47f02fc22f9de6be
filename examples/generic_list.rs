//! One generic page type for every endpoint of an API: Stripe's
//! `{"object": "list", "data": [...], "has_more": true}`, whose next cursor is
//! the `id` of the last object (`starting_after`). The derive cannot see the
//! fields of a type parameter, so the page declares a bare
//! `cursor_item_field`, and each item type says where its cursor is by
//! implementing `paginated::ItemCursor`.
//!
//! Runs on the embedded mock server (a Stripe-like handler on loopback):
//!
//! ```sh
//! cargo run --example generic_list
//! ```

use futures_util::TryStreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{CursorValue, ItemCursor, ItemKey, PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::{Value, json};

/// Every Stripe list, whatever it lists.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_item_field,
    dedup_by,
    cursor_param = "starting_after",
    has_more = "has_more",
    page_size_param = "limit",
    page_size = 3,
    max_page_size = 100
)]
struct List<T> {
    #[paginate(items)]
    data: Vec<T>,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: String,
    email: String,
}

#[derive(Debug, Deserialize)]
struct Invoice {
    id: String,
    amount_due: u64,
}

// Where each item type keeps its cursor and its identity: one line each.
impl ItemCursor for Customer {
    fn cursor(&self) -> impl CursorValue + '_ {
        &self.id
    }
}

impl ItemKey for Customer {
    fn key(&self) -> impl std::hash::Hash + '_ {
        &self.id
    }
}

impl ItemCursor for Invoice {
    fn cursor(&self) -> impl CursorValue + '_ {
        &self.id
    }
}

impl ItemKey for Invoice {
    fn key(&self) -> impl std::hash::Hash + '_ {
        &self.id
    }
}

/// A Stripe-like list endpoint over `objects`: `limit` objects after the one
/// whose id is `starting_after`.
fn stripe_list(objects: &[Value], request: &RecordedRequest) -> MockResponse {
    let limit = request.query("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let start = match request.query("starting_after") {
        None => 0,
        Some(after) => {
            let Some(at) = objects.iter().position(|object| object["id"] == after.as_str()) else {
                let error = json!({"error": {"message": format!("No such object: '{after}'")}});
                return MockResponse::status(400, error);
            };
            at + 1
        }
    };
    let page: Vec<Value> = objects.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < objects.len();
    MockResponse::json(json!({"object": "list", "url": request.path, "has_more": has_more, "data": page}))
}

#[tokio::main]
async fn main() -> Result<(), paginated::Error> {
    let customers: Vec<Value> = (1..=7)
        .map(|n| json!({"id": format!("cus_{n:03}"), "object": "customer", "email": format!("c{n}@example.com")}))
        .collect();
    let invoices: Vec<Value> = (1..=5)
        .map(|n| json!({"id": format!("in_{n:03}"), "object": "invoice", "amount_due": n * 1250}))
        .collect();
    let server = MockServer::start(move |request| match request.path.as_str() {
        "/v1/customers" => stripe_list(&customers, request),
        "/v1/invoices" => stripe_list(&invoices, request),
        other => MockResponse::status(404, json!({"error": {"message": format!("no route {other}")}})),
    })
    .await;
    let client = paginated::reqwest::Client::new();

    // One `List<T>`, two item types.
    let mut customers =
        client.get(server.url("/v1/customers")).bearer_auth("sk_test").paginate::<List<Customer>>().items();
    while let Some(customer) = customers.try_next().await? {
        println!("{} {}", customer.id, customer.email);
    }
    println!("{} customers, the walk ended: {:?}", customers.delivered(), customers.stop_reason());

    let invoices = client
        .get(server.url("/v1/invoices"))
        .bearer_auth("sk_test")
        .paginate::<List<Invoice>>()
        .collect()
        .await?;
    let due: u64 = invoices.iter().map(|invoice| invoice.amount_due).sum();
    println!("{} invoices, {due} due in all", invoices.len());

    for request in server.requests() {
        println!("{} {}?{}", request.method, request.path, request.raw_query.unwrap_or_default());
    }
    Ok(())
}
