//! Fault injection: every pagination style walked through hundreds of pages
//! while the server fails a quarter of the requests in every way real APIs
//! fail (429 and 503 with each `Retry-After` form, 500, 502, truncated JSON,
//! connection resets, slow answers, timeouts). Every item arrives exactly
//! once, in order, and the walk reports exactly one retry per injected
//! failure. Then the edges: an exhausted retry budget resumed from its
//! checkpoint, a `Retry-After` too long to honour, an HTTP-date
//! `Retry-After`, statuses that must not be retried, the policy's opt-outs,
//! and dropping a walk while a slow answer is in flight.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use paginated::de::Lenient;
use paginated::testing::faults::{Fault, FaultLog, FaultPlan, RetryAfter, with_faults};
use paginated::testing::{MockApi, MockResponse, MockServer, RecordedRequest, Resource};
use paginated::{ErrorKind, Items, PaginateExt, Paginated, RetryEvent, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IntercomPages {
    next: Option<Next>,
}

/// Cursor in the query: Intercom `GET /contacts`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_param = "starting_after",
    page_size_param = "per_page",
    page_size = 10,
    max_page_size = 150
)]
struct Contacts {
    #[paginate(items)]
    data: Vec<Record>,
    pages: IntercomPages,
}

/// Cursor in the JSON body: Intercom `POST /conversations/search`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after",
    page_size_body = "pagination.per_page",
    page_size = 10,
    max_page_size = 150
)]
struct ConversationSearch {
    #[paginate(items)]
    conversations: Vec<Record>,
    pages: IntercomPages,
}

/// Offset: Close `GET /api/v1/lead/?_skip=&_limit=`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 10,
    has_more = "has_more"
)]
struct Leads {
    #[paginate(items)]
    data: Vec<Record>,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct CompanyPages {
    total_pages: Lenient<u64>,
}

/// Page number: Intercom `GET /companies?page=&per_page=`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    page_size_param = "per_page",
    page_size = 10,
    total_pages = "pages.total_pages"
)]
struct Companies {
    #[paginate(items)]
    data: Vec<Record>,
    pages: CompanyPages,
}

/// 300 pages of 10 items per style.
const RECORDS: usize = 3_000;
/// The client's timeout: a [`STALL`] outlasts it, a [`SLOW`] answer does not.
const TIMEOUT: Duration = Duration::from_millis(500);
const STALL: Duration = Duration::from_millis(1_200);
const SLOW: Duration = Duration::from_millis(20);

/// About 29% of first attempts fail, mixed over every kind of fault.
fn mixed_plan(seed: u64) -> FaultPlan {
    FaultPlan::new(seed)
        .rate(Fault::TooManyRequests(RetryAfter::Absent), 25)
        .rate(Fault::TooManyRequests(RetryAfter::Seconds(0)), 25)
        .rate(Fault::TooManyRequests(RetryAfter::Decimal(0.01)), 25)
        .rate(Fault::TooManyRequests(RetryAfter::HttpDate(-5)), 25)
        .rate(Fault::Unavailable(RetryAfter::Seconds(0)), 25)
        .rate(Fault::Unavailable(RetryAfter::Absent), 20)
        .rate(Fault::InternalError, 30)
        .rate(Fault::BadGateway, 30)
        .rate(Fault::TruncatedBody, 30)
        .rate(Fault::ConnectionReset, 30)
        .rate(Fault::Slow(SLOW), 20)
        .rate(Fault::Slow(STALL), 3)
}

/// Tiny waits, so hundreds of retries take well under a second of sleeping.
fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .throttle_backoff(Duration::from_millis(1))
        .max_attempts(6)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(TIMEOUT).build().unwrap()
}

fn expected_ids(api: &MockApi, resource: Resource) -> Vec<String> {
    api.dataset(resource).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

/// A retry hook that counts its calls, and the events for assertions.
fn counting_hook() -> (Arc<Mutex<Vec<RetryEvent>>>, impl Fn(&RetryEvent) + Send + Sync + 'static) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event: &RetryEvent| sink.lock().unwrap().push(event.clone()))
}

/// Drains `items`, failing the test on any error.
async fn drain<P>(mut items: Items<P>) -> (Vec<String>, u64)
where
    P: Paginated<Item = Record> + Send + 'static,
{
    let mut ids = Vec::new();
    while let Some(record) = items.try_next().await.unwrap_or_else(|e| panic!("the walk failed: {e}")) {
        ids.push(record.id);
    }
    (ids, items.retries())
}

/// Checks exactly-once delivery and one retry per failure, and prints the figures.
#[allow(clippy::too_many_arguments)] // a test report: every figure is needed
fn report(
    style: &str,
    log: &FaultLog,
    events: &Mutex<Vec<RetryEvent>>,
    ids: &[String],
    expected: &[String],
    retries: u64,
    started: Instant,
) {
    assert_eq!(ids.len(), expected.len(), "{style}: item count");
    assert!(ids == expected, "{style}: every item exactly once, in order");
    // A stall outlasts the client's timeout, so it fails its attempt too.
    let failures = log.failures() + log.count(&Fault::Slow(STALL));
    let hooked = events.lock().unwrap().len() as u64;
    assert_eq!(retries, failures, "{style}: retries() vs injected failures; {}", log.summary());
    assert_eq!(hooked, failures, "{style}: on_retry calls vs injected failures");
    assert!(
        log.faults() * 5 >= log.requests(),
        "{style}: at least 20% of requests faulted: {}",
        log.summary()
    );
    let from_retry_after = events.lock().unwrap().iter().filter(|e| e.from_retry_after).count();
    eprintln!(
        "faults/{style}: {}; retries {retries} (hook {hooked}, {from_retry_after} from Retry-After); \
         items {}; {:.2?}",
        log.summary(),
        ids.len(),
        started.elapsed()
    );
}

#[tokio::test]
async fn cursor_in_the_query_survives_every_fault() {
    let started = Instant::now();
    let (api, log) = MockApi::builder().records(RECORDS).start_with_faults(mixed_plan(1)).await;
    let (events, hook) = counting_hook();
    let items = client()
        .get(api.url("/contacts"))
        .bearer_auth("t")
        .paginate::<Contacts>()
        .retry(fast_policy())
        .on_retry(hook)
        .items();
    let (ids, retries) = drain(items).await;
    report("cursor-query", &log, &events, &ids, &expected_ids(&api, Resource::Contacts), retries, started);
}

#[tokio::test]
async fn cursor_in_the_body_survives_every_fault() {
    let started = Instant::now();
    let (api, log) = MockApi::builder().records(RECORDS).start_with_faults(mixed_plan(2)).await;
    let (events, hook) = counting_hook();
    let search = json!({
        "query": {"field": "id", "operator": "!=", "value": "conv_none"},
        "sort": {"field": "id", "order": "ascending"},
    });
    let items = client()
        .post(api.url("/conversations/search"))
        .json(&search)
        .paginate::<ConversationSearch>()
        .retry(fast_policy())
        .on_retry(hook)
        .items();
    let (ids, retries) = drain(items).await;
    report(
        "cursor-body",
        &log,
        &events,
        &ids,
        &expected_ids(&api, Resource::Conversations),
        retries,
        started,
    );
    // Retries re-send the search unchanged: every request carries the same query and sort.
    for request in api.requests() {
        let body = request.json().unwrap();
        assert_eq!((&body["query"], &body["sort"]), (&search["query"], &search["sort"]));
    }
}

#[tokio::test]
async fn offset_survives_every_fault() {
    let started = Instant::now();
    let (api, log) = MockApi::builder().records(RECORDS).start_with_faults(mixed_plan(3)).await;
    let (events, hook) = counting_hook();
    let items = client()
        .get(api.url("/api/v1/lead/"))
        .paginate::<Leads>()
        .retry(fast_policy())
        .on_retry(hook)
        .items();
    let (ids, retries) = drain(items).await;
    report("offset", &log, &events, &ids, &expected_ids(&api, Resource::Leads), retries, started);
}

#[tokio::test]
async fn page_numbers_survive_every_fault() {
    let started = Instant::now();
    let (api, log) = MockApi::builder().records(RECORDS).start_with_faults(mixed_plan(4)).await;
    let (events, hook) = counting_hook();
    let items = client()
        .get(api.url("/companies"))
        .paginate::<Companies>()
        .retry(fast_policy())
        .on_retry(hook)
        .items();
    let (ids, retries) = drain(items).await;
    report("page", &log, &events, &ids, &expected_ids(&api, Resource::Companies), retries, started);
}

/// A filter matching the request of the `n`th distinct cursor (0-based) of a walk.
fn nth_cursor(n: usize) -> impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static {
    let seen = Mutex::new(Vec::<String>::new());
    move |request| {
        let Some(cursor) = request.query("starting_after") else { return false };
        let mut seen = seen.lock().unwrap();
        if !seen.contains(&cursor) {
            seen.push(cursor.clone());
        }
        seen.iter().position(|known| *known == cursor) == Some(n)
    }
}

#[tokio::test]
async fn an_exhausted_budget_errors_then_resumes_exactly_once() {
    // Page 5 fails 3 times in a row; a policy of 3 attempts gives up on it.
    let plan = FaultPlan::new(5)
        .rate(Fault::Unavailable(RetryAfter::Seconds(0)), 1000)
        .max_consecutive(3)
        .only_if(nth_cursor(3));
    let (api, log) = MockApi::builder().records(100).start_with_faults(plan).await;
    let policy = fast_policy().max_attempts(3);
    let request = || client().get(api.url("/contacts")).paginate::<Contacts>().retry(policy.clone());

    let mut first = request().items();
    let mut delivered = Vec::new();
    let err = loop {
        match first.next().await.expect("the walk ends with an error") {
            Ok(record) => delivered.push(record.id),
            Err(e) => break e,
        }
    };
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert_eq!(err.page(), Some(5));
    assert_eq!(delivered.len(), 40);
    assert_eq!(first.retries(), 2, "3 attempts are 2 retries");
    assert_eq!(log.faults(), 3);
    assert!(first.next().await.is_none(), "nothing after the error");

    let checkpoint = err.checkpoint().expect("an error says where to resume").clone();
    let (rest, retries) = drain(request().resume_from(checkpoint).items()).await;
    assert_eq!(retries, 0, "the 4th attempt of page 5 is answered");
    let all: Vec<String> = delivered.into_iter().chain(rest).collect();
    assert!(all == expected_ids(&api, Resource::Contacts), "first run + resumed run = every item once");
    assert_eq!((log.requests(), log.faults()), (13, 3), "10 pages, page 5 failed 3 times");
}

#[tokio::test]
async fn a_retry_after_too_long_is_an_error_at_once() {
    // Any handler can be wrapped, not only the mock API.
    let plan = FaultPlan::new(6).rate(Fault::TooManyRequests(RetryAfter::Seconds(3600)), 1000);
    let (handler, log) =
        with_faults(plan, |_: &RecordedRequest| MockResponse::json(json!({"data": [], "pages": {}})));
    let server = MockServer::start(handler).await;
    let (events, hook) = counting_hook();
    let started = Instant::now();
    let err = client()
        .get(server.url("/contacts"))
        .paginate::<Contacts>()
        .retry(fast_policy())
        .on_retry(hook)
        .collect()
        .await
        .unwrap_err();
    let ErrorKind::RetryAfterTooLong { status, asked, max_wait } = err.kind() else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 429);
    assert_eq!(*asked, Duration::from_secs(3600));
    assert_eq!(*max_wait, Duration::from_secs(60), "the default max_wait");
    assert!(started.elapsed() < Duration::from_secs(2), "no sleep: {:?}", started.elapsed());
    assert_eq!(log.requests(), 1);
    assert!(events.lock().unwrap().is_empty(), "not a retry");
    assert!(err.checkpoint().is_some());
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    // The first page answers 503 with a date 2 s ahead (whole seconds: a 1-2 s wait), once.
    let plan = FaultPlan::new(7)
        .rate(Fault::Unavailable(RetryAfter::HttpDate(2)), 1000)
        .max_consecutive(1)
        .only_if(|r| r.query("starting_after").is_none());
    let (api, log) = MockApi::builder().records(30).start_with_faults(plan).await;
    let (events, hook) = counting_hook();
    let started = Instant::now();
    let items = client().get(api.url("/contacts")).paginate::<Contacts>().retry(fast_policy()).on_retry(hook);
    let (ids, retries) = drain(items.items()).await;
    assert_eq!(ids, expected_ids(&api, Resource::Contacts));
    assert_eq!((retries, log.faults()), (1, 1));
    let events = events.lock().unwrap();
    let event = &events[0];
    assert!(event.from_retry_after, "{event:?}");
    assert!(event.wait >= Duration::from_millis(500) && event.wait <= Duration::from_secs(2), "{event:?}");
    assert_eq!((event.page, event.attempt), (1, 1));
    assert!(started.elapsed() >= event.wait, "the walk waited");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let api = MockApi::start().await;
    let err = client()
        .get(api.url("/no/such/route"))
        .paginate::<Contacts>()
        .retry(fast_policy())
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(api.requests().len(), 1, "a 404 is sent once");

    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::status(400, json!({"message": "bad filter"})).with_header("retry-after", "0")
    })
    .await;
    let (events, hook) = counting_hook();
    let mut items =
        client().get(server.url("/n")).paginate::<Contacts>().retry(fast_policy()).on_retry(hook).items();
    let err = items.try_next().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(server.requests().len(), 1, "a 400 is sent once, Retry-After or not");
    assert_eq!(items.retries(), 0);
    assert!(events.lock().unwrap().is_empty());
}

#[tokio::test]
async fn retry_post_false_fails_a_search_on_the_first_503() {
    let plan = FaultPlan::new(8).rate(Fault::Unavailable(RetryAfter::Seconds(0)), 1000);
    let (api, log) = MockApi::builder().records(30).start_with_faults(plan).await;
    let err = client()
        .post(api.url("/conversations/search"))
        .json(&json!({}))
        .paginate::<ConversationSearch>()
        .retry(fast_policy().retry_post(false))
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert_eq!(log.requests(), 1);
}

#[tokio::test]
async fn retry_bad_bodies_false_fails_a_truncated_body_at_once() {
    let plan = FaultPlan::new(9).rate(Fault::TruncatedBody, 1000).max_consecutive(1);
    let (api, log) = MockApi::builder().records(30).start_with_faults(plan).await;
    let (events, hook) = counting_hook();
    let result = client()
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .retry(fast_policy().retry_bad_bodies(false))
        .on_retry(hook)
        .collect()
        .await;
    let retried = events.lock().unwrap().iter().map(|e| e.reason.clone()).collect::<Vec<_>>();
    let err = result.err().unwrap_or_else(|| panic!("a truncated body was retried: {retried:?}"));
    assert_eq!(log.requests(), 1, "not retried: {err} ({retried:?})");
    assert_eq!(err.page(), Some(1));

    // An undecodable JSON body too.
    let server =
        MockServer::start(|_: &RecordedRequest| MockResponse::json(json!({"data": "not a list"}))).await;
    let err = client()
        .get(server.url("/n"))
        .paginate::<Contacts>()
        .retry(fast_policy().retry_bad_bodies(false))
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn dropping_a_walk_during_a_slow_answer_stops_it() {
    // Every page after the first takes 600 ms; the walk is dropped while page 2
    // is in flight, then the test waits past the answer: a walk still running in
    // the background would request page 3.
    const SLOW_PAGE: Duration = Duration::from_millis(600);
    for lookahead in [0, 1] {
        let plan = FaultPlan::new(10)
            .rate(Fault::Slow(SLOW_PAGE), 1000)
            .only_if(|r| r.query("starting_after").is_some());
        let (api, log) = MockApi::builder().records(100).start_with_faults(plan).await;
        let (events, hook) = counting_hook();
        let finished = tokio::time::timeout(Duration::from_secs(5), async {
            let mut items = reqwest::Client::new()
                .get(api.url("/contacts"))
                .paginate::<Contacts>()
                .lookahead(lookahead)
                .retry(fast_policy())
                .on_retry(hook)
                .items();
            if lookahead == 0 {
                // Page 1 consumed, page 2 requested by the next poll.
                for _ in 0..10 {
                    items.try_next().await.unwrap().unwrap();
                }
                let pending = tokio::time::timeout(Duration::from_millis(200), items.next()).await;
                assert!(pending.is_err(), "page 2 is still in flight");
            } else {
                // Mid-page: 5 items of page 1 taken while page 2 is fetched ahead.
                for _ in 0..5 {
                    items.try_next().await.unwrap().unwrap();
                }
                while log.requests() < 2 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            let at_drop = log.requests();
            drop(items);
            tokio::time::sleep(SLOW_PAGE + Duration::from_millis(400)).await;
            at_drop
        })
        .await;
        let at_drop = finished.unwrap_or_else(|_| panic!("lookahead {lookahead}: the test finishes"));
        assert_eq!(log.requests(), at_drop, "lookahead {lookahead}: no request after the drop");
        assert_eq!(at_drop, 2, "lookahead {lookahead}: page 1, and page 2 in flight");
        assert!(events.lock().unwrap().is_empty(), "lookahead {lookahead}: no retry");
        // The hook is owned by the walk: nothing of the walk survives the drop.
        assert_eq!(Arc::strong_count(&events), 1, "lookahead {lookahead}: the walk was freed");
    }
}

/// Sends raw HTTP/1.1 requests over one connection and returns what came back
/// for each, until the server closed the connection.
fn raw_exchange(addr: &str, paths: &[&str]) -> Vec<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answers = Vec::new();
    for path in paths {
        if stream.write_all(format!("GET {path} HTTP/1.1\r\nhost: mock\r\n\r\n").as_bytes()).is_err() {
            break;
        }
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        let mut closed;
        loop {
            let n = stream.read(&mut buffer).unwrap_or(0);
            closed = n == 0;
            answer.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&answer);
            let complete = text.split_once("\r\n\r\n").is_some_and(|(head, body)| {
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .map_or(0, |n| n.parse::<usize>().unwrap());
                body.len() >= length
            });
            if n == 0 || complete {
                break;
            }
        }
        answers.push(answer);
        if closed {
            break;
        }
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_resets_and_truncates_on_the_wire_and_keeps_alive_otherwise() {
    let server = MockServer::start(|r: &RecordedRequest| match r.path.as_str() {
        "/reset" => MockResponse::reset(),
        "/cut" => MockResponse::json(json!({"data": [1, 2, 3, 4, 5]})).truncated(6),
        _ => MockResponse::json(json!({"ok": true})),
    })
    .await;
    let addr = server.base_url().trim_start_matches("http://").to_owned();
    let answers = tokio::task::spawn_blocking(move || {
        let kept_alive = raw_exchange(&addr, &["/a", "/b", "/reset", "/c"]);
        let cut = raw_exchange(&addr, &["/cut", "/d"]);
        (kept_alive, cut)
    })
    .await
    .unwrap();
    let text = |bytes: &Vec<u8>| String::from_utf8_lossy(bytes).into_owned();
    let (kept_alive, cut) = answers;
    assert_eq!(kept_alive.len(), 3, "two answers on one connection, then the reset closes it");
    assert!(text(&kept_alive[0]).ends_with("\r\n\r\n{\"ok\":true}"), "{}", text(&kept_alive[0]));
    assert!(text(&kept_alive[1]).ends_with("{\"ok\":true}"));
    assert!(kept_alive[2].is_empty(), "a reset sends nothing: {}", text(&kept_alive[2]));
    assert_eq!(cut.len(), 1, "a truncated answer closes the connection");
    let cut = text(&cut[0]);
    assert!(cut.starts_with("HTTP/1.1 200 OK\r\n"), "{cut}");
    assert!(cut.contains("content-length: 20\r\n"), "the whole length is announced: {cut}");
    assert!(cut.ends_with("\r\n\r\n{\"data"), "6 bytes of 20 sent: {cut}");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/a", "/b", "/reset", "/cut"]);

    // And reqwest sees a connection error and a body error.
    let client = reqwest::Client::new();
    assert!(client.get(server.url("/reset")).send().await.is_err());
    let response = client.get(server.url("/cut")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.bytes().await.is_err());
    let _: Value = client.get(server.url("/fine")).send().await.unwrap().json().await.unwrap();
}
