//! The tour: starts the embedded mock of the seed APIs on loopback and walks
//! every pagination scheme they use, declared by attributes alone.
//!
//! ```sh
//! cargo run --example tour
//! ```

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use paginated::de::Lenient;
use paginated::testing::MockApi;
use paginated::{PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::json;

/// Every record of the mock has a string id; the rest is kept as JSON.
#[derive(Debug, Deserialize)]
struct Record {
    #[allow(dead_code)] // printed through Debug only
    id: String,
}

// ---- Intercom (seeds 000 and 001): cursor in the query, or in the body ----

#[derive(Debug, Deserialize)]
struct IntercomNext {
    starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IntercomPages {
    next: Option<IntercomNext>,
    #[allow(dead_code)] // shown to make the point: "5" and 5 both decode
    per_page: Lenient<u32>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_param = "starting_after",
    page_size_param = "per_page",
    page_size = 50,
    max_page_size = 150
)]
struct IntercomContacts {
    #[paginate(items)]
    data: Vec<Record>,
    pages: IntercomPages,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after",
    page_size_body = "pagination.per_page",
    max_page_size = 150
)]
struct IntercomConversationSearch {
    #[paginate(items)]
    conversations: Vec<Record>,
    pages: IntercomPages,
}

#[derive(Debug, Deserialize)]
struct IntercomPageNumbers {
    total_pages: Lenient<u64>, // sent as 7 or "7"
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    page_size_param = "per_page",
    page_size = 50,
    total_pages = "pages.total_pages"
)]
struct IntercomCompanies {
    #[paginate(items)]
    data: Vec<Record>,
    pages: IntercomPageNumbers,
}

// ---- Attio (seed 002): limit/offset in the query or the body, and cursors ----

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 50,
    stop_on_short_page
)]
struct AttioNotes {
    #[paginate(items)]
    data: Vec<Record>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_body = "offset",
    page_size_body = "limit",
    page_size = 50,
    stop_on_short_page
)]
struct AttioPeopleQuery {
    #[paginate(items)]
    data: Vec<Record>,
}

#[derive(Debug, Deserialize)]
struct AttioPagination {
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pagination.next_cursor",
    cursor_param = "cursor",
    page_size_param = "limit",
    page_size = 50
)]
struct AttioMeetings {
    #[paginate(items)]
    data: Vec<Record>,
    pagination: AttioPagination,
}

// ---- Close (seed 003): _skip/_limit + has_more, and cursors in query or body ----

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 100,
    max_page_size = 100,
    has_more = "has_more"
)]
struct CloseLeads {
    #[paginate(items)]
    data: Vec<Record>,
    has_more: bool,
}

/// A lead with the field a deep walk slices by.
#[derive(Debug, Deserialize)]
struct Lead {
    #[allow(dead_code)] // the dedup key
    id: String,
    #[allow(dead_code)] // the slice key
    date_created: String,
}

/// Past Close's maximum `_skip`, the walk slices by `date_created`: at the
/// maximum it starts again from `_skip=0` with `date_created__gte` set to the
/// last date delivered, dropping the leads of that date it already delivered.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 100,
    max_page_size = 100,
    has_more = "has_more",
    max_offset = 200,
    slice_by = "date_created",
    slice_param = "date_created__gte",
    dedup_by = "id"
)]
struct CloseLeadsDeep {
    #[paginate(items)]
    data: Vec<Lead>,
    has_more: bool,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "cursor_next",
    cursor_param = "_cursor",
    page_size_param = "_limit",
    page_size = 50
)]
struct CloseEvents {
    #[paginate(items)]
    data: Vec<Record>,
    cursor_next: Option<String>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "cursor",
    cursor_body = "cursor",
    page_size_body = "_limit",
    page_size = 50
)]
struct CloseDataSearch {
    #[paginate(items)]
    data: Vec<Record>,
    cursor: Option<String>,
}

/// Walks one scheme and prints its line.
async fn walk<P>(name: &str, request: reqwest::RequestBuilder) -> Result<u64, paginated::Error>
where
    P: Paginated + Send + 'static,
{
    let started = Instant::now();
    // A progress bar per scheme (drawn on a terminal only), fed by the page hook.
    let bar = ProgressBar::new_spinner().with_message(name.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{msg:<44} {bar:30} {pos:>5}/{len:5} items").expect("a valid template"),
    );
    let hook = bar.clone();
    let mut pages = request
        .paginate::<P>()
        .on_page(move |p| {
            hook.set_length(p.total.unwrap_or(p.items).max(p.items));
            hook.set_position(p.items);
        })
        .pages();
    let (mut page_count, mut item_count) = (0u64, 0u64);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        item_count += page.items().len() as u64;
    }
    bar.finish_and_clear();
    let reason = pages.stop_reason().map_or_else(String::new, |r| format!("{r:?}"));
    println!("{name:<44} {page_count:>5} {item_count:>7} {:>9} {reason}", millis(started.elapsed()));
    Ok(item_count)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), paginated::Error> {
    let api = MockApi::start().await;
    let client = reqwest::Client::new();
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth("tour-token");
    println!("mock API on {}", api.base_url());
    println!("{:<44} {:>5} {:>7} {:>9} end", "scheme", "pages", "items", "time");
    let started = Instant::now();
    let mut total = 0;

    total += walk::<IntercomContacts>(
        "Intercom GET /contacts (cursor, query)",
        auth(client.get(api.url("/contacts"))),
    )
    .await?;
    let search = json!({
        "query": {"field": "created_at", "operator": ">", "value": 0},
        "pagination": {"per_page": 100},
        "sort": {"field": "created_at", "order": "ascending"}
    });
    total += walk::<IntercomConversationSearch>(
        "Intercom POST /conversations/search (body)",
        auth(client.post(api.url("/conversations/search"))).json(&search),
    )
    .await?;
    total += walk::<IntercomCompanies>(
        "Intercom GET /companies (page numbers)",
        auth(client.get(api.url("/companies"))),
    )
    .await?;
    total += walk::<AttioNotes>("Attio GET /v2/notes (limit/offset)", auth(client.get(api.url("/v2/notes"))))
        .await?;
    total += walk::<AttioPeopleQuery>(
        "Attio POST /v2/objects/people/records/query",
        auth(client.post(api.url("/v2/objects/people/records/query"))).json(&json!({"sorts": []})),
    )
    .await?;
    total +=
        walk::<AttioMeetings>("Attio GET /v2/meetings (cursor)", auth(client.get(api.url("/v2/meetings"))))
            .await?;
    total += walk::<CloseLeads>(
        "Close GET /api/v1/lead/ (_skip/_limit)",
        auth(client.get(api.url("/api/v1/lead/?query=tour"))),
    )
    .await?;
    let deep = MockApi::builder().records(1000).close_max_skip(200).start().await;
    total += walk::<CloseLeadsDeep>(
        "Close deep walk, max _skip 200 (slice_by)",
        auth(client.get(deep.url("/api/v1/lead/?_order_by=date_created"))),
    )
    .await?;
    total += walk::<CloseEvents>(
        "Close GET /api/v1/event/ (_cursor)",
        auth(client.get(api.url("/api/v1/event/?object_type=lead"))),
    )
    .await?;
    total += walk::<CloseDataSearch>(
        "Close POST /api/v1/data/search/ (cursor)",
        auth(client.post(api.url("/api/v1/data/search/")))
            .json(&json!({"query": {"type": "and", "queries": []}})),
    )
    .await?;

    let requests = api.requests().len() + deep.requests().len();
    println!("{requests} requests, {total} items in {}", millis(started.elapsed()));
    Ok(())
}
