//! Incremental walks against a loopback store whose items change between runs:
//! the start sent on every request, ties at the watermark across runs, empty
//! runs, a resume in the middle of a page, timestamps, integers and strings,
//! and every style.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, SliceKey, Watermark};
use serde::Deserialize;
use serde_json::{Value, json};

const LIMIT: usize = 2;

/// Items `{"id", "updated"}` served by cursor, offset, page, link or custom
/// state (the path says which), filtered by a start that comes as
/// `updated_since=`, `X-Updated-Since:` or `{"filter": {"updated_after"}}`,
/// and sorted by `updated`, then id.
#[derive(Clone, Default)]
struct Store {
    items: Arc<Mutex<Vec<(String, Value)>>>,
    /// The filter keeps whole days (`updated_since=2024-05-01T10:00:00Z` also
    /// returns 09:00 that day), as some APIs do.
    by_day: bool,
}

impl Store {
    fn with(items: &[(&str, Value)]) -> Store {
        let store = Store::default();
        store.put(items);
        store
    }

    /// Adds items, or changes those with the same id.
    fn put(&self, items: &[(&str, Value)]) {
        let mut stored = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, updated) in items {
            stored.retain(|(other, _)| other != id);
            stored.push(((*id).to_owned(), updated.clone()));
        }
    }

    async fn serve(&self) -> MockServer {
        let store = self.clone();
        MockServer::start(move |r: &RecordedRequest| store.page(r)).await
    }

    fn page(&self, r: &RecordedRequest) -> MockResponse {
        let body = r.json().unwrap_or(Value::Null);
        let since = r
            .query("updated_since")
            .map(Value::from)
            .or_else(|| r.header("x-updated-since").map(Value::from))
            .or_else(|| Some(body["filter"]["updated_after"].clone()).filter(|v| !v.is_null()));
        let mut items: Vec<(String, Value)> = self
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, updated)| since.as_ref().is_none_or(|since| self.at_or_after(updated, since)))
            .cloned()
            .collect();
        items.sort_by(|(a_id, a), (b_id, b)| order(a, b).then_with(|| a_id.cmp(b_id)));
        let number = |name: &str| r.query(name).map_or(0, |n| n.parse::<usize>().unwrap());
        let start = match r.path.as_str() {
            "/cursor" if r.method == "POST" => {
                body["cursor"].as_u64().map_or(0, |n| usize::try_from(n).unwrap())
            }
            "/cursor" => number("after"),
            "/offset" => number("offset"),
            "/page" => (number("page") - 1) * LIMIT,
            "/link" => number("start"),
            "/custom" => number("from"),
            other => panic!("no route {other}"),
        };
        let end = (start + LIMIT).min(items.len());
        let data: Vec<Value> = items[start.min(end)..end]
            .iter()
            .map(|(id, updated)| json!({"id": id, "updated": updated}))
            .collect();
        let more = end < items.len();
        let response =
            MockResponse::json(json!({"data": data, "next": more.then_some(end), "has_more": more}));
        if r.path == "/link" && more {
            // The next URL keeps the filter, as a server's own links do.
            let mut next = reqwest::Url::parse("http://store/link").unwrap();
            next.query_pairs_mut().append_pair("start", &end.to_string());
            if let Some(since) = r.query("updated_since") {
                next.query_pairs_mut().append_pair("updated_since", &since);
            }
            let link = format!("<{}?{}>; rel=\"next\"", next.path(), next.query().unwrap_or(""));
            return response.with_header("link", link);
        }
        response
    }

    fn at_or_after(&self, updated: &Value, since: &Value) -> bool {
        match (updated, since) {
            (Value::String(at), Value::String(since)) if self.by_day => at[..10] >= since[..10],
            // A start in a query string or a header is text: read it as a number where one is stored.
            (Value::Number(_), Value::String(since)) => {
                order(updated, &json!(since.parse::<i64>().unwrap())).is_ge()
            }
            _ => order(updated, since).is_ge(),
        }
    }
}

fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (a, b) {
        // Items without a value last.
        (Value::Null, Value::Null) => Equal,
        (Value::Null, _) => Greater,
        (_, Value::Null) => Less,
        (Value::Number(a), Value::Number(b)) => a.as_i64().cmp(&b.as_i64()),
        (Value::String(a), Value::String(b)) => a.cmp(b),
        _ => panic!("mixed values {a} {b}"),
    }
}

// ---- Declarations: integers on every style -----------------------------------

#[derive(Debug, Clone, Deserialize)]
struct Item {
    id: String,
    updated: i64,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after", page_size_param = "limit")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct ByCursor {
    #[paginate(items)]
    data: Vec<Item>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_body = "cursor")]
#[paginate(since_field = "updated", since_body = "filter.updated_after", dedup_by = "id")]
struct ByBodyCursor {
    #[paginate(items)]
    data: Vec<Item>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", has_more = "has_more")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct ByOffset {
    #[paginate(items)]
    data: Vec<Item>,
    has_more: bool,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", has_more = "has_more")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct ByPage {
    #[paginate(items)]
    data: Vec<Item>,
    has_more: bool,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct ByLink {
    #[paginate(items)]
    data: Vec<Item>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", since_field = "updated", since_header = "X-Updated-Since", dedup_by = "id")]
struct ByLinkHeader {
    #[paginate(items)]
    data: Vec<Item>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "custom_state", next_request = "custom_request")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct ByCustom {
    #[paginate(items)]
    data: Vec<Item>,
    next: Option<u64>,
}

fn custom_state(page: &ByCustom) -> Option<Value> {
    page.next.map(|from| json!({ "from": from }))
}

fn custom_request(first: &reqwest::Request, state: &Value) -> reqwest::Request {
    let mut next = first.try_clone().expect("a GET");
    next.url_mut().query_pairs_mut().append_pair("from", &state["from"].to_string());
    next
}

// ---- Runs -------------------------------------------------------------------

/// One run: the ids delivered, and the watermark stored afterwards (through
/// its serialized form, as a sync job keeps it).
async fn run<P>(
    request: reqwest::RequestBuilder,
    since: Option<&Watermark>,
) -> (Vec<String>, Option<Watermark>)
where
    P: Paginated<Item = Item> + Send + 'static,
{
    let mut walk = request.paginate::<P>();
    if let Some(since) = since {
        walk = walk.since(since.clone());
    }
    let mut items = walk.items();
    let mut ids = Vec::new();
    while let Some(item) = items.next().await {
        ids.push(item.unwrap().id);
    }
    assert!(items.checkpoint().is_none(), "the walk is over");
    let stored = serde_json::to_string(&items.watermark()).unwrap();
    (ids, serde_json::from_str(&stored).unwrap())
}

/// What the server received as the start, request by request.
fn starts(server: &MockServer) -> Vec<Option<String>> {
    server
        .take_requests()
        .iter()
        .map(|r| {
            r.query("updated_since").or_else(|| r.header("x-updated-since").map(str::to_owned)).or_else(
                || r.json().and_then(|b| b["filter"]["updated_after"].as_i64()).map(|n| n.to_string()),
            )
        })
        .collect()
}

/// The watermark's value, and how many keys it holds at that value.
fn assert_mark(watermark: Option<&Watermark>, value: i64, keys: usize) {
    let watermark = watermark.expect("a watermark");
    assert_eq!(watermark.value, SliceKey::Int(value.into()), "{watermark:?}");
    assert_eq!(watermark.at_value.len(), keys, "{watermark:?}");
}

/// Three runs on one style: a first full one, one after changes (a new item
/// at the watermark's value, a changed one), an empty one.
async fn three_runs<P>(request: impl Fn(&MockServer) -> reqwest::RequestBuilder)
where
    P: Paginated<Item = Item> + Send + 'static,
{
    // Pages of two: the three items at 3 straddle a page boundary.
    let store = Store::with(&[
        ("i1", json!(1)),
        ("i2", json!(2)),
        ("i3", json!(3)),
        ("i4", json!(3)),
        ("i5", json!(3)),
    ]);
    let server = store.serve().await;

    let (ids, first) = run::<P>(request(&server), None).await;
    assert_eq!(ids, ["i1", "i2", "i3", "i4", "i5"]);
    assert_mark(first.as_ref(), 3, 3);
    assert!(starts(&server).iter().all(Option::is_none), "a first run sends no start");

    store.put(&[("i6", json!(3)), ("i1", json!(4))]);
    let (ids, second) = run::<P>(request(&server), first.as_ref()).await;
    // i3, i4 and i5 come again at the inclusive start and are dropped, a whole page of them.
    assert_eq!(ids, ["i6", "i1"]);
    assert_mark(second.as_ref(), 4, 1);
    let sent = starts(&server);
    assert!(sent.len() >= 3 && sent.iter().all(|s| s.as_deref() == Some("3")), "on every request: {sent:?}");

    let (ids, third) = run::<P>(request(&server), second.as_ref()).await;
    assert!(ids.is_empty(), "{ids:?}");
    assert_eq!(third, second, "an empty run leaves the watermark as it was");
    assert_eq!(starts(&server), [Some("4".to_owned())]);
}

fn get(path: &'static str) -> impl Fn(&MockServer) -> reqwest::RequestBuilder {
    move |server| reqwest::Client::new().get(server.url(path))
}

#[tokio::test]
async fn cursor_in_the_query() {
    three_runs::<ByCursor>(|s: &MockServer| reqwest::Client::new().get(s.url("/cursor?limit=2"))).await;
}

#[tokio::test]
async fn cursor_and_start_in_the_body() {
    three_runs::<ByBodyCursor>(|s: &MockServer| {
        reqwest::Client::new().post(s.url("/cursor")).json(&json!({"filter": {"state": "open"}}))
    })
    .await;
}

#[tokio::test]
async fn offset() {
    three_runs::<ByOffset>(get("/offset")).await;
}

#[tokio::test]
async fn page_numbers() {
    three_runs::<ByPage>(get("/page")).await;
}

#[tokio::test]
async fn link_header_with_the_start_in_the_first_url() {
    three_runs::<ByLink>(get("/link")).await;
}

#[tokio::test]
async fn link_header_with_the_start_in_a_header_on_every_request() {
    three_runs::<ByLinkHeader>(get("/link")).await;
}

#[tokio::test]
async fn custom_style() {
    three_runs::<ByCustom>(get("/custom")).await;
}

#[tokio::test]
async fn the_body_keeps_its_other_fields() {
    let store = Store::with(&[("i1", json!(1)), ("i2", json!(2)), ("i3", json!(3))]);
    let server = store.serve().await;
    let request =
        reqwest::Client::new().post(server.url("/cursor")).json(&json!({"filter": {"state": "open"}}));
    let (ids, _) = run::<ByBodyCursor>(request, Some(&Watermark::from(1))).await;
    assert_eq!(ids, ["i1", "i2", "i3"], "a bare value knows no keys: the item at it comes again");
    let bodies: Vec<Value> = server.requests().iter().map(|r| r.json().unwrap()).collect();
    let filter = json!({"state": "open", "updated_after": 1});
    assert_eq!(bodies, [json!({"filter": filter}), json!({"cursor": 2, "filter": filter})]);
}

// ---- Resume ----------------------------------------------------------------

#[tokio::test]
async fn a_resume_in_the_middle_of_a_page_keeps_the_start_and_the_watermark() {
    let store = Store::with(&[
        ("i1", json!(1)),
        ("i2", json!(2)),
        ("i3", json!(3)),
        ("i4", json!(3)),
        ("i5", json!(3)),
    ]);
    let server = store.serve().await;
    let request = || reqwest::Client::new().get(server.url("/cursor?limit=2"));
    let (_, first) = run::<ByCursor>(request(), None).await;
    store.put(&[("i6", json!(3)), ("i7", json!(3)), ("i8", json!(5)), ("i9", json!(6)), ("i1", json!(4))]);
    server.take_requests();

    // Served as [i3 i4] [i5 i6] [i7 i1] [i8 i9]: i7 is delivered, i1 is not yet.
    let mut items = request().paginate::<ByCursor>().since(first.clone().unwrap()).items();
    let before = items.checkpoint().unwrap().since.unwrap();
    assert_eq!((&before.start, &before.watermark), (&first, &first), "before the first page too");
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(items.next().await.unwrap().unwrap().id);
    }
    assert_eq!(ids, ["i6", "i7"]);
    let checkpoint = items.checkpoint().unwrap();
    assert_eq!(checkpoint.skip_items, 1, "in the middle of the third page");
    assert_eq!(checkpoint.version, 2, "a release without incremental walks refuses it");
    let since = checkpoint.since.clone().unwrap();
    assert_eq!(since.start, first);
    assert_mark(since.watermark.as_ref(), 3, 5);
    assert_eq!(items.watermark(), since.watermark, "the stream and its checkpoint agree");
    drop(items);

    let stored = serde_json::to_string(&checkpoint).unwrap();
    // The checkpoint wins over `.since(..)`: it is the walk being continued.
    let mut rest = request()
        .paginate::<ByCursor>()
        .since(Watermark::from(0))
        .resume_from(serde_json::from_str(&stored).unwrap())
        .items();
    while let Some(item) = rest.next().await {
        ids.push(item.unwrap().id);
    }
    assert_eq!(ids, ["i6", "i7", "i1", "i8", "i9"]);
    assert_mark(rest.watermark().as_ref(), 6, 1);
    assert!(starts(&server).iter().all(|s| s.as_deref() == Some("3")), "the resume sends the same start");

    // The same run without the interruption ends at the same watermark.
    let (again, uninterrupted) = run::<ByCursor>(request(), first.as_ref()).await;
    assert_eq!(again, ids);
    assert_eq!(uninterrupted, rest.watermark());
}

// ---- Timestamps and strings -------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
struct Stamped {
    id: String,
    updated: String,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct Timestamps {
    #[paginate(items)]
    data: Vec<Stamped>,
    next: Option<u64>,
}

async fn stamped_run(server: &MockServer, since: Option<Watermark>) -> (Vec<String>, Option<Watermark>) {
    let mut walk = reqwest::Client::new().get(server.url("/cursor")).paginate::<Timestamps>();
    if let Some(since) = since {
        walk = walk.since(since);
    }
    let mut pages = walk.pages();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        ids.extend(page.unwrap().data.into_iter().map(|item| item.id));
    }
    (ids, pages.watermark())
}

#[tokio::test]
async fn timestamps_compare_as_instants_and_a_day_filter_is_tightened() {
    // Mixed precision, as APIs write them; 10:00:00Z and 10:00:00.000Z are one instant.
    let store = Store {
        by_day: true,
        ..Store::with(&[
            ("t1", json!("2024-05-01T09:00:00Z")),
            ("t2", json!("2024-05-01T10:00:00Z")),
            ("t3", json!("2024-05-01T10:00:00.000Z")),
            ("t4", json!("2024-05-01T10:00:00.5Z")),
        ])
    };
    let server = store.serve().await;
    let (ids, first) = stamped_run(&server, None).await;
    assert_eq!(ids.len(), 4);
    let first = first.unwrap();
    assert_eq!(
        first.value,
        SliceKey::Text("2024-05-01T10:00:00.5Z".into()),
        "the latest instant, not the largest text"
    );
    server.take_requests();

    // t5 is t4's instant written another way: a tie, and new.
    store.put(&[("t5", json!("2024-05-01T10:00:00.500+00:00")), ("t6", json!("2024-05-02T00:00:00Z"))]);
    let (ids, second) = stamped_run(&server, Some(first.clone())).await;
    // The server returns the whole of May 1st again: t1 to t4 are dropped.
    assert_eq!(ids, ["t5", "t6"]);
    assert_eq!(second.unwrap().value, SliceKey::Text("2024-05-02T00:00:00Z".into()));
    let requests = server.take_requests();
    assert_eq!(requests[0].query("updated_since").as_deref(), Some("2024-05-01T10:00:00.5Z"));
    assert_eq!(requests[0].query_all("updated_since").len(), 1);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", has_more = "has_more")]
#[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
struct Revisions {
    #[paginate(items)]
    data: Vec<Stamped>,
    has_more: bool,
}

#[tokio::test]
async fn strings_compare_as_text() {
    let store = Store::with(&[("a", json!("rev-0009")), ("b", json!("rev-0010")), ("c", json!("rev-0010"))]);
    let server = store.serve().await;
    let request = || reqwest::Client::new().get(server.url("/offset"));
    let first = request().paginate::<Revisions>().items();
    let (first_ids, first) = collect_ids(first).await;
    assert_eq!(first_ids, ["a", "b", "c"]);
    assert_eq!(
        first.as_ref().map(|w| (&w.value, w.at_value.len())),
        Some((&SliceKey::Text("rev-0010".into()), 2))
    );
    store.put(&[("d", json!("rev-0010")), ("a", json!("rev-0011"))]);
    let (ids, second) = collect_ids(request().paginate::<Revisions>().since(first.unwrap()).items()).await;
    assert_eq!(ids, ["d", "a"]);
    assert_eq!(second.map(|w| w.value), Some(SliceKey::Text("rev-0011".into())));
}

async fn collect_ids(mut items: paginated::Items<Revisions>) -> (Vec<String>, Option<Watermark>) {
    let mut ids = Vec::new();
    while let Some(item) = items.next().await {
        ids.push(item.unwrap().id);
    }
    (ids, items.watermark())
}

// ---- Mistakes ---------------------------------------------------------------

#[tokio::test]
async fn an_item_without_a_since_value_stops_the_walk_before_its_page() {
    #[derive(Debug, Deserialize)]
    struct Maybe {
        id: String,
        updated: Option<i64>,
    }
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
    #[paginate(since_field = "updated", since_param = "updated_since", dedup_by = "id")]
    struct Maybes {
        #[paginate(items)]
        data: Vec<Maybe>,
        next: Option<u64>,
    }
    let store = Store::with(&[("a", json!(1)), ("b", json!(2)), ("c", Value::Null)]);
    let server = store.serve().await;
    let mut items = reqwest::Client::new().get(server.url("/cursor")).paginate::<Maybes>().items();
    assert_eq!(items.next().await.unwrap().unwrap().id, "a");
    assert_eq!(items.next().await.unwrap().unwrap().id, "b");
    let err = items.next().await.unwrap().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SinceValueMissing), "{err:?}");
    assert_eq!(err.checkpoint().map(|cp| cp.skip_items), Some(0), "the page comes again on resume");
    assert_eq!(items.watermark().map(|w| w.value), Some(SliceKey::Int(2)));
}

#[tokio::test]
async fn a_start_with_nowhere_to_go_is_refused_before_any_request() {
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "next",
        cursor_param = "after",
        since_field = "updated",
        dedup_by = "id"
    )]
    struct Nowhere {
        #[paginate(items)]
        data: Vec<Item>,
        next: Option<u64>,
    }
    let server = Store::with(&[("a", json!(1))]).serve().await;
    let request = || reqwest::Client::new().get(server.url("/cursor"));
    let mut items = request().paginate::<Nowhere>().since(5).items();
    let err = items.next().await.unwrap().unwrap_err();
    assert!(err.to_string().contains("since_with"), "{err}");
    assert_eq!(items.watermark(), Some(Watermark::from(5)), "a failed run leaves the watermark as it was");
    assert!(server.requests().is_empty());
    // A walk from the beginning needs no start target; `.since_with` places one.
    let all = request().paginate::<Nowhere>().collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let placed = request()
        .paginate::<Nowhere>()
        .since(1)
        .since_with(|request, start| {
            request.url_mut().query_pairs_mut().append_pair("updated_since", &start.to_string());
        })
        .collect()
        .await
        .unwrap();
    assert_eq!(placed.len(), 1, "a bare value knows no keys: the item at it comes again");
    assert_eq!(server.requests().last().unwrap().query("updated_since").as_deref(), Some("1"));
}
