//! What real APIs do at the edges of a walk, against loopback fakes, asserting
//! what the server received: rate limits that are not 429 (AWS's `400
//! ThrottlingException`, Linear's `RATELIMITED` with an epoch-milliseconds
//! reset) under faults; "the same token twice means the end" (CloudWatch
//! Logs) next to a real A→B→A loop; a cursor that expires mid-walk (Asana)
//! and the restart that keeps the item stream exactly-once; page-number limits
//! (Freshdesk's page 300) and page-count limits on every style.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use paginated::testing::faults::{Fault, FaultLog, FaultPlan, RetryAfter, with_faults};
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, RetryPolicy, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

/// The JSON bodies' `key`, request by request.
fn body_values(requests: &[RecordedRequest], key: &str) -> Vec<Value> {
    requests.iter().map(|r| r.json().map_or(Value::Null, |body| body[key].clone())).collect()
}

// ---- 1. Rate limits that are not 429, under faults ----

/// What a server saw of the waits it asked for: every request that arrived
/// before an instant an earlier answer advertised (`Retry-After`, an epoch
/// milliseconds reset header) or, after a throttle that advertised nothing,
/// before the client's own throttle backoff.
#[derive(Default)]
struct Waits {
    not_before: Mutex<Option<SystemTime>>,
    early: AtomicU64,
    throttles: AtomicU64,
}

/// The least wait after a throttle that advertises none (AWS): the policy's
/// `throttle_backoff`, which the tests set.
const THROTTLE_FLOOR: Duration = Duration::from_millis(40);

/// Wraps `handler`, checking every request against the waits advertised
/// before it; `throttle` recognises a rate-limit answer by its body.
fn watch_waits(
    handler: impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
    reset_header: Option<&'static str>,
    throttle: &'static str,
) -> (impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static, Arc<Waits>) {
    let waits = Arc::new(Waits::default());
    let seen = Arc::clone(&waits);
    let watched = move |r: &RecordedRequest| {
        let arrived = SystemTime::now();
        let mut not_before = seen.not_before.lock().unwrap();
        // A millisecond of slack for the rounding of epoch milliseconds.
        if not_before.is_some_and(|at| arrived + Duration::from_millis(1) < at) {
            seen.early.fetch_add(1, Ordering::SeqCst);
        }
        let response = handler(r);
        let now = SystemTime::now();
        let header =
            |name: &str| response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let mut advertised = header("retry-after")
            .and_then(|v| v.parse::<f64>().ok())
            .map(|s| now + Duration::from_secs_f64(s));
        if let Some(reset) = reset_header.and_then(header).and_then(|v| v.parse::<u64>().ok()) {
            advertised = Some(UNIX_EPOCH + Duration::from_millis(reset));
        }
        if String::from_utf8_lossy(&response.body).contains(throttle) {
            seen.throttles.fetch_add(1, Ordering::SeqCst);
            advertised = advertised.or(Some(now + THROTTLE_FLOOR));
        }
        if let Some(at) = advertised {
            *not_before = Some(not_before.map_or(at, |known| known.max(at)));
        }
        response
    };
    (watched, waits)
}

/// 429 and 503 with short `Retry-After`s, 500s, cut bodies and resets on a
/// quarter of the requests.
fn faults(seed: u64) -> FaultPlan {
    FaultPlan::new(seed)
        .rate(Fault::TooManyRequests(RetryAfter::Decimal(0.03)), 60)
        .rate(Fault::Unavailable(RetryAfter::Seconds(0)), 40)
        .rate(Fault::InternalError, 60)
        .rate(Fault::TruncatedBody, 50)
        .rate(Fault::ConnectionReset, 40)
}

fn patient() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(6)
        .throttle_backoff(THROTTLE_FLOOR)
        .backoff(Duration::from_millis(5), Duration::from_millis(40))
}

/// Answers the first request for a page with `throttle` when
/// `throttles(page)` (a rate limit that goes away), and every other request
/// with `pages`, which injects the faults.
fn throttle_once(
    throttles: impl Fn(usize) -> bool + Send + Sync + 'static,
    page_of: impl Fn(&RecordedRequest) -> usize + Send + Sync + 'static,
    throttle: impl Fn() -> MockResponse + Send + Sync + 'static,
    pages: impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
) -> impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static {
    let throttled = Mutex::new(HashSet::new());
    move |r: &RecordedRequest| {
        let at = page_of(r);
        if throttles(at) && throttled.lock().unwrap().insert(at) {
            return throttle();
        }
        pages(r)
    }
}

/// CloudWatch Logs `GetLogEvents` with AWS's throttling: a 400 whose
/// `__type` names the exception, sometimes with a namespace, and no wait.
#[derive(Debug, Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "cursor", cursor_field = "next_forward_token", cursor_body = "nextToken")]
#[paginate(stop_on_same_cursor, rate_limit_status = 400, rate_limit_field = "__type")]
#[paginate(
    rate_limit_error = "ThrottlingException, Throttling, TooManyRequestsException, RequestLimitExceeded"
)]
struct ThrottledLogEvents {
    #[paginate(items)]
    events: Vec<LogEvent>,
    next_forward_token: Option<String>,
}

const PAGES: usize = 40;

async fn collect_all<P: Paginated + Send + 'static>(
    paginator: paginated::Paginator<P>,
) -> (Vec<P::Item>, u64) {
    let mut items = paginator.items();
    let mut got = Vec::new();
    while let Some(item) = items.try_next().await.expect("every fault is survived") {
        got.push(item);
    }
    (got, items.retries())
}

fn assert_no_request_inside_a_wait(waits: &Waits, log: &FaultLog, retries: u64, throttled_pages: u64) {
    assert_eq!(waits.early.load(Ordering::SeqCst), 0, "requests sent inside an advertised wait");
    assert_eq!(waits.throttles.load(Ordering::SeqCst), throttled_pages);
    assert_eq!(retries, log.failures() + throttled_pages, "one retry per failure: {}", log.summary());
    assert!(log.faults() > 5, "{}", log.summary());
}

#[tokio::test]
async fn aws_throttling_400s_are_retried_after_a_backoff_under_faults() {
    let page = |at: usize| {
        let (events, next) = if at < PAGES {
            let events: Vec<Value> =
                (0..3).map(|i| json!({"message": format!("{at}.{i}"), "timestamp": at})).collect();
            (events, format!("f/{}", at + 1))
        } else {
            (vec![], format!("f/{at}"))
        };
        MockResponse::json(json!({"events": events, "nextForwardToken": next, "nextBackwardToken": "b/0"}))
    };
    let page_of = |r: &RecordedRequest| {
        r.json().unwrap()["nextToken"].as_str().map_or(0, |t| t.trim_start_matches("f/").parse().unwrap())
    };
    let throttle = || {
        // Both spellings AWS uses for the exception's name.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = if NEXT.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            "ThrottlingException"
        } else {
            "com.amazon.coral.availability#ThrottlingException"
        };
        MockResponse::status(400, json!({"__type": name, "message": "Rate exceeded"}))
    };
    let (pages, log) = with_faults(faults(18), move |r: &RecordedRequest| page(page_of(r)));
    let handler = throttle_once(|at| at % 4 == 1, page_of, throttle, pages);
    let (handler, waits) = watch_waits(handler, None, "ThrottlingException");
    let server = MockServer::start(handler).await;
    let request = reqwest::Client::new()
        .post(server.url("/"))
        .header("x-amz-target", "Logs_20140328.GetLogEvents")
        .header("content-type", "application/x-amz-json-1.1")
        .json(&json!({"logGroupName": "/app", "logStreamName": "web", "startFromHead": true}));
    let (events, retries) = collect_all(request.paginate::<ThrottledLogEvents>().retry(patient())).await;

    let expected: Vec<String> = (0..PAGES).flat_map(|at| (0..3).map(move |i| format!("{at}.{i}"))).collect();
    assert_eq!(events.into_iter().map(|e| e.message).collect::<Vec<_>>(), expected);
    assert_no_request_inside_a_wait(
        &waits,
        &log,
        retries,
        (0..=PAGES).filter(|at| at % 4 == 1).count() as u64,
    );
}

/// Linear's GraphQL `issues`: rate limited is a 400 whose
/// `errors[].extensions.code` is `RATELIMITED`, with the reset in epoch
/// milliseconds in `X-RateLimit-Requests-Reset`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after"
)]
#[paginate(
    has_more = "data.issues.page_info.has_next_page",
    page_size_body = "variables.first",
    page_size = 3
)]
#[paginate(items = "data.issues.nodes", item_type = "LinearIssue", api_error = "errors")]
#[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
#[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
#[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
struct LinearIssues {
    data: LinearData,
    errors: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
struct LinearData {
    issues: LinearConnection,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinearConnection {
    nodes: Vec<LinearIssue>,
    page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LinearIssue {
    identifier: String,
}

#[tokio::test]
async fn a_throttle_whose_body_is_cut_short_is_retried_then_recognised() {
    // The first answer is AWS's throttle cut in the middle of `__type`: it
    // could mean anything, so it is retried as a bad body.
    let throttle =
        MockResponse::status(400, json!({"__type": "ThrottlingException", "message": "Rate exceeded"}));
    let server = MockServer::script(vec![
        throttle.clone().truncated(20),
        throttle,
        MockResponse::json(json!({"events": [{"message": "a"}], "nextForwardToken": "f/1"})),
        MockResponse::json(json!({"events": [], "nextForwardToken": "f/1"})),
    ])
    .await;
    let request = reqwest::Client::new().post(server.url("/")).json(&json!({"logGroupName": "/app"}));
    let (events, retries) = collect_all(request.paginate::<ThrottledLogEvents>().retry(patient())).await;
    assert_eq!(events.len(), 1);
    assert_eq!(retries, 2);
    let arrivals = server.requests().len();
    assert_eq!(arrivals, 4);
}

fn epoch_ms(at: SystemTime) -> u64 {
    u64::try_from(at.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

#[tokio::test]
async fn linear_ratelimited_400s_wait_for_the_epoch_ms_reset_under_faults() {
    let page = |at: usize| {
        let nodes: Vec<Value> =
            (0..3).map(|i| json!({"identifier": format!("ENG-{}", at * 3 + i)})).collect();
        let more = at + 1 < PAGES;
        let info = json!({"hasNextPage": more, "endCursor": format!("c{}", at + 1)});
        MockResponse::json(json!({"data": {"issues": {"nodes": nodes, "pageInfo": info}}}))
            .with_header("x-ratelimit-requests-remaining", "1400")
    };
    let page_of = |r: &RecordedRequest| {
        r.json().unwrap()["variables"]["after"]
            .as_str()
            .map_or(0, |c| c.trim_start_matches('c').parse().unwrap())
    };
    let throttle = || {
        let reset = epoch_ms(SystemTime::now() + Duration::from_millis(120));
        let error = json!({"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}});
        MockResponse::status(400, json!({"data": null, "errors": [error]}))
            .with_header("x-ratelimit-requests-limit", "1500")
            .with_header("x-ratelimit-requests-remaining", "0")
            .with_header("x-ratelimit-requests-reset", reset.to_string())
    };
    let (pages, log) = with_faults(faults(13), move |r: &RecordedRequest| page(page_of(r)));
    let handler = throttle_once(|at| at % 4 == 2, page_of, throttle, pages);
    let (handler, waits) = watch_waits(handler, Some("x-ratelimit-requests-reset"), "RATELIMITED");
    let server = MockServer::start(handler).await;
    let query = "query Issues($first: Int, $after: String) { issues(first: $first, after: $after) { nodes { identifier } pageInfo { hasNextPage endCursor } } }";
    let request = reqwest::Client::new()
        .post(server.url("/graphql"))
        .header("authorization", "lin_api_secret")
        .json(&json!({"query": query, "variables": {}}));
    let (issues, retries) = collect_all(request.paginate::<LinearIssues>().retry(patient())).await;

    let expected: Vec<String> = (0..PAGES * 3).map(|n| format!("ENG-{n}")).collect();
    assert_eq!(issues.into_iter().map(|i| i.identifier).collect::<Vec<_>>(), expected);
    assert_no_request_inside_a_wait(
        &waits,
        &log,
        retries,
        (0..PAGES).filter(|at| at % 4 == 2).count() as u64,
    );
}

// ---- 2. The same token twice means the end ----

#[derive(Debug, Deserialize)]
struct LogEvent {
    message: String,
}

/// CloudWatch Logs `GetLogEvents`: the end of the stream is the same
/// `nextForwardToken` coming back.
#[derive(Debug, Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "cursor", cursor_field = "next_forward_token", cursor_body = "nextToken")]
#[paginate(stop_on_same_cursor)]
struct LogEvents {
    #[paginate(items)]
    events: Vec<LogEvent>,
    next_forward_token: Option<String>,
}

/// Tokens `f/0` (no token sent) to `f/<pages>`; the last page hands back the
/// token it was sent, or, with `loop_back`, the first token again (A→B→A).
async fn log_stream(pages: usize, loop_back: bool) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let body = r.json().unwrap_or_default();
        let at: usize = body["nextToken"].as_str().map_or(0, |t| t.trim_start_matches("f/").parse().unwrap());
        let (events, next) = if at < pages {
            (vec![json!({"message": format!("line {at}"), "timestamp": at})], format!("f/{}", at + 1))
        } else if loop_back {
            (vec![json!({"message": "again", "timestamp": 0})], "f/1".to_owned())
        } else {
            (vec![], format!("f/{at}"))
        };
        MockResponse::json(json!({"events": events, "nextForwardToken": next, "nextBackwardToken": "b/0"}))
    })
    .await
}

#[tokio::test]
async fn the_same_token_back_ends_the_walk_with_its_page_delivered() {
    let server = log_stream(3, false).await;
    let request = reqwest::Client::new()
        .post(server.url("/"))
        .header("x-amz-target", "Logs_20140328.GetLogEvents")
        .json(&json!({"logGroupName": "/app", "logStreamName": "web", "startFromHead": true}));
    let mut pages = request.paginate::<LogEvents>().pages();
    let mut lines = Vec::new();
    let mut delivered = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        delivered += 1;
        lines.extend(page.events.into_iter().map(|e| e.message));
    }
    assert_eq!(lines, ["line 0", "line 1", "line 2"]);
    // The last page (the token came back) is delivered too, empty.
    assert_eq!(delivered, 4);
    assert_eq!(pages.stop_reason(), Some(StopReason::SameCursor));
    let requests = server.requests();
    assert_eq!(body_values(&requests, "nextToken"), [Value::Null, json!("f/1"), json!("f/2"), json!("f/3")]);
    assert!(requests.iter().all(|r| r.json().unwrap()["logStreamName"] == "web"));
}

#[tokio::test]
async fn a_token_from_an_earlier_page_is_still_a_loop() {
    let server = log_stream(3, true).await;
    let request = reqwest::Client::new().post(server.url("/")).json(&json!({"logGroupName": "/app"}));
    let mut items = request.paginate::<LogEvents>().items();
    let mut lines = Vec::new();
    let err = loop {
        match items.try_next().await {
            Ok(Some(event)) => lines.push(event.message),
            Ok(None) => panic!("A→B→A ended quietly"),
            Err(err) => break err,
        }
    };
    assert_eq!(lines, ["line 0", "line 1", "line 2", "again"]);
    let ErrorKind::Loop { cursor } = err.kind() else { panic!("{err:?}") };
    assert_eq!(cursor.as_text(), "f/1");
    assert_eq!(server.requests().len(), 4, "f/1 is not requested a second time");
}

// ---- 4. Page-number and page-count limits ----

/// Freshdesk-like: page numbers from 1, refused past `max_page` (here 5,
/// scaled down from Freshdesk's 300); a short page is the last.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_page = 5)]
#[paginate(stop_on_short_page)]
struct Tickets {
    #[paginate(items)]
    tickets: Vec<u64>,
}

/// The same with the page count reported, so that the walk fans out.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_page = 5)]
#[paginate(total_pages = "total_pages")]
struct CountedTickets {
    #[paginate(items)]
    tickets: Vec<u64>,
    total_pages: u64,
}

/// `items` numbers, `per_page` a page; a page past `refuse_past` is a 400,
/// as Freshdesk answers page 301.
async fn numbered_pages(items: u64, refuse_past: u64, counted: bool) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let per_page: u64 = r.query("per_page").map_or(30, |p| p.parse().unwrap());
        if page > refuse_past {
            let errors = json!([{"field": "page", "message": "Has 301 which is greater than max", "code": "invalid_value"}]);
            return MockResponse::status(400, json!({"description": "Validation failed", "errors": errors}));
        }
        let tickets: Vec<u64> = ((page - 1) * per_page..(page * per_page).min(items)).collect();
        if counted {
            MockResponse::json(json!({"tickets": tickets, "total_pages": items.div_ceil(per_page)}))
        } else {
            MockResponse::json(json!(tickets))
        }
    })
    .await
}

fn pages_sent(server: &MockServer) -> Vec<u64> {
    let mut pages: Vec<u64> =
        server.requests().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
    pages.sort_unstable();
    pages
}

/// Every item until the first error, and the error.
async fn until_error<P: Paginated + Send + 'static>(
    paginator: paginated::Paginator<P>,
) -> (Vec<P::Item>, paginated::Error) {
    let mut items = paginator.items();
    let mut got = Vec::new();
    loop {
        match items.try_next().await {
            Ok(Some(item)) => got.push(item),
            Ok(None) => panic!("the walk ended without an error"),
            Err(err) => return (got, err),
        }
    }
}

#[tokio::test]
async fn max_page_ends_the_walk_before_the_refused_page() {
    let server = numbered_pages(40, 5, false).await;
    let (tickets, err) =
        until_error(reqwest::Client::new().get(server.url("/api/v2/tickets")).paginate::<Tickets>()).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert!(!err.to_string().contains("resume"), "{err}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // A list that ends on page 5 ends normally: the limit only speaks when there may be more.
    let server = numbered_pages(9, 5, false).await;
    let mut items = reqwest::Client::new().get(server.url("/api/v2/tickets")).paginate::<Tickets>().items();
    let mut tickets = Vec::new();
    while let Some(ticket) = items.try_next().await.unwrap() {
        tickets.push(ticket);
    }
    assert_eq!((tickets.len(), items.stop_reason()), (9, Some(StopReason::ShortPage)));
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // A request that starts past the limit is not sent at all.
    let server = numbered_pages(40, 5, false).await;
    let err = reqwest::Client::new()
        .get(server.url("/api/v2/tickets?page=6"))
        .paginate::<Tickets>()
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn fan_out_and_speculation_never_send_a_page_past_max_page() {
    // The server reports 20 pages; the plan stops at page 5.
    let server = numbered_pages(40, 5, true).await;
    let walk = reqwest::Client::new().get(server.url("/t")).paginate::<CountedTickets>().concurrency(4);
    let (tickets, err) = until_error(walk).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // No end known: speculation runs ahead, but not past the limit.
    let server = numbered_pages(40, 5, false).await;
    let walk =
        reqwest::Client::new().get(server.url("/t")).paginate::<Tickets>().concurrency(4).speculative(true);
    let (tickets, err) = until_error(walk).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { .. }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);
}

/// Page numbers with `max_offset`: the largest 0-based start offset of a page.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_offset = 8)]
struct OffsetLimitedPages {
    #[paginate(items)]
    tickets: Vec<u64>,
}

/// Offsets with `max_offset`: the largest offset sent.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 2,
    max_offset = 8
)]
struct OffsetLimited {
    #[paginate(items)]
    data: Vec<u64>,
}

#[tokio::test]
async fn max_offset_is_the_largest_start_offset_for_both_styles() {
    // Page 5 starts at offset 8: sent. Page 6 would start at 10: refused.
    let server = numbered_pages(40, 100, false).await;
    let (items, err) =
        until_error(reqwest::Client::new().get(server.url("/t")).paginate::<OffsetLimitedPages>()).await;
    assert_eq!(items.len(), 10);
    assert!(matches!(err.kind(), ErrorKind::MaxOffset { max_offset: 8, next_offset: 10 }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);
    // The checkpoint names the refused page, in the page walk's own terms.
    assert_eq!(err.checkpoint().unwrap().position, paginated::Position::Page(6));

    let server = MockServer::start(|r: &RecordedRequest| {
        let offset: u64 = r.query("offset").unwrap().parse().unwrap();
        MockResponse::json(json!({"data": [offset, offset + 1]}))
    })
    .await;
    let (items, err) =
        until_error(reqwest::Client::new().get(server.url("/t")).paginate::<OffsetLimited>()).await;
    assert_eq!(items, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxOffset { max_offset: 8, next_offset: 10 }), "{err:?}");
    let offsets: Vec<String> = server.requests().iter().map(|r| r.query("offset").unwrap()).collect();
    assert_eq!(offsets, ["0", "2", "4", "6", "8"]);
}

/// GitHub-like link walk with a declared page-count limit.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", max_pages = 4)]
struct Repos {
    #[paginate(items)]
    repos: Vec<u64>,
}

/// Ten pages linked by `Link: <...?page=N+1>; rel="next"`.
async fn linked_pages() -> MockServer {
    MockServer::start(|r: &RecordedRequest| {
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let host = r.header("host").unwrap().to_owned();
        let response = MockResponse::json(json!([page * 10, page * 10 + 1]));
        if page < 10 {
            response.with_header("link", format!("<http://{host}/repos?page={}>; rel=\"next\"", page + 1))
        } else {
            response
        }
    })
    .await
}

#[tokio::test]
async fn max_pages_limits_link_walks_declared_or_at_run_time() {
    let server = linked_pages().await;
    let mut items = reqwest::Client::new().get(server.url("/repos")).paginate::<Repos>().items();
    let mut repos = Vec::new();
    while let Some(repo) = items.try_next().await.unwrap() {
        repos.push(repo);
    }
    assert_eq!(repos, [10, 11, 20, 21, 30, 31, 40, 41]);
    assert_eq!(items.stop_reason(), Some(StopReason::MaxPages));
    assert_eq!(server.requests().len(), 4, "no request past the 4th page, lookahead included");

    // `.max_pages(n)` overrides the declaration, both ways.
    for (limit, expected) in [(2, 2), (6, 6)] {
        let server = linked_pages().await;
        let repos = reqwest::Client::new()
            .get(server.url("/repos"))
            .paginate::<Repos>()
            .max_pages(limit)
            .lookahead(3)
            .collect()
            .await
            .unwrap();
        assert_eq!(repos.len(), 2 * expected);
        assert_eq!(server.requests().len(), expected);
    }
}

// ---- 3. Cursors that expire ----

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Task {
    gid: String,
}

#[derive(Debug, Deserialize)]
struct NextPage {
    offset: String,
}

/// Asana `GET /tasks`: `next_page.offset` goes back as `offset`; an expired
/// offset is a 400 whose message names it.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 5)]
#[paginate(cursor_expired_status = 400, cursor_expired_match = "offset")]
struct Tasks {
    #[paginate(items)]
    data: Vec<Task>,
    next_page: Option<NextPage>,
}

/// The same list, with the tasks told apart by `gid`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 5, dedup_by = "gid")]
#[paginate(cursor_expired_status = 400, cursor_expired_match = "offset")]
struct TasksByGid {
    #[paginate(items)]
    data: Vec<Task>,
    next_page: Option<NextPage>,
}

/// An Asana-like list of `n` tasks. `expire(position, times_seen)` says
/// whether an offset token pointing at `position` has expired, given how many
/// expired tokens the server refused before; after the first refusal, with
/// `insert_on_restart`, a new task shows up at the head of the list.
async fn asana(
    n: usize,
    insert_on_restart: bool,
    expire: impl Fn(usize, usize) -> bool + Send + Sync + 'static,
) -> MockServer {
    let refused = std::sync::atomic::AtomicUsize::new(0);
    MockServer::start(move |r: &RecordedRequest| {
        let limit: usize = r.query("limit").map_or(20, |l| l.parse().unwrap());
        let start: usize = match r.query("offset") {
            None => 0,
            Some(token) => token.strip_prefix("eyJvZmZzZXQiOi").unwrap().parse().unwrap(),
        };
        let times = refused.load(std::sync::atomic::Ordering::SeqCst);
        if r.query("offset").is_some() && expire(start, times) {
            refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let message =
                format!("Offset eyJvZmZzZXQiOi{start} is no longer valid. Please restart your request.");
            return MockResponse::status(400, json!({"errors": [{"message": message}]}));
        }
        let mut gids: Vec<String> = (0..n).map(|i| format!("g{i:02}")).collect();
        if insert_on_restart && times > 0 {
            gids.insert(0, "g_new".to_owned());
        }
        let data: Vec<Value> = gids.iter().skip(start).take(limit).map(|gid| json!({"gid": gid})).collect();
        let next = (start + limit < gids.len()).then(|| {
            let offset = format!("eyJvZmZzZXQiOi{}", start + limit);
            json!({"offset": offset, "path": format!("/tasks?limit={limit}&offset={offset}")})
        });
        MockResponse::json(json!({"data": data, "next_page": next}))
    })
    .await
}

/// The start position of each request, from its `offset` token.
fn starts(server: &MockServer) -> Vec<usize> {
    server
        .requests()
        .iter()
        .map(|r| r.query("offset").map_or(0, |t| t.strip_prefix("eyJvZmZzZXQiOi").unwrap().parse().unwrap()))
        .collect()
}

fn gids(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.gid.as_str()).collect()
}

fn all_gids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("g{i:02}")).collect()
}

#[tokio::test]
async fn an_expired_offset_is_its_own_error_not_retried_without_resume_advice() {
    let server = asana(23, false, |start, _| start == 10).await;
    let (tasks, err) =
        until_error(reqwest::Client::new().get(server.url("/tasks?project=1")).paginate::<Tasks>()).await;
    assert_eq!(gids(&tasks), all_gids(10));
    let ErrorKind::CursorExpired { status, message, restarts, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!((status.as_u16(), *restarts), (400, 0));
    assert!(message.contains("no longer valid"), "{message}");
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("expired") && text.contains("on_cursor_expired") && !text.contains("resume"),
        "{text}"
    );
    assert_eq!(starts(&server), [0, 5, 10], "an expired cursor is not sent twice");
}

#[tokio::test]
async fn a_restart_keeps_the_item_stream_exactly_once_by_count() {
    // The offset of the third page expires the first time it is used.
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let tasks = reqwest::Client::new()
        .get(server.url("/tasks?project=1"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 2 })
        .collect()
        .await
        .unwrap();
    assert_eq!(gids(&tasks), all_gids(23));
    // Refused at 10, then the whole walk again from the first request.
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 15, 20]);
    assert!(server.requests().iter().all(|r| r.query("project").as_deref() == Some("1")));

    // The pages stream hands the pages out again, emptied of what was delivered.
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let mut pages = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .pages();
    let mut lengths = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        lengths.push(page.data.len());
    }
    assert_eq!(lengths, [5, 5, 0, 0, 5, 5, 3]);
}

#[tokio::test]
async fn a_restart_tells_delivered_items_by_dedup_key_when_the_list_moved() {
    // On the second pass a new task sits at the head: counting would skip g09.
    let server = asana(23, true, |start, refused| start == 10 && refused == 0).await;
    let tasks = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<TasksByGid>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .collect()
        .await
        .unwrap();
    let mut expected = all_gids(23);
    expected.insert(10, "g_new".to_owned());
    assert_eq!(gids(&tasks), expected);
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 15, 20]);
}

#[tokio::test]
async fn a_cursor_that_keeps_expiring_ends_after_the_restarts_allowed() {
    let server = asana(23, false, |start, _| start == 10).await;
    let walk = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 2 });
    let (tasks, err) = until_error(walk).await;
    assert_eq!(gids(&tasks), all_gids(10), "each item once, whatever the restarts");
    let ErrorKind::CursorExpired { restarts: 2, .. } = err.kind() else { panic!("{err:?}") };
    assert!(err.to_string().contains("started over 2 times"), "{err}");
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 0, 5, 10]);

    // An expiry of the first request itself cannot be cured by starting over.
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::status(400, json!({"errors": [{"message": "offset: invalid"}]}))
    })
    .await;
    let err = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 5 })
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CursorExpired { restarts: 0, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_checkpoint_taken_while_a_restarted_walk_catches_up_resumes_exactly() {
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let request = || reqwest::Client::new().get(server.url("/tasks"));
    let mut items = request()
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .lookahead(0)
        .items();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        tasks.push(items.try_next().await.unwrap().unwrap());
    }
    // The 11th item comes from the restarted walk, after two pages re-sent.
    tasks.push(items.try_next().await.unwrap().unwrap());
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10]);
    let checkpoint = items.checkpoint().unwrap();
    assert_eq!((checkpoint.items_delivered, checkpoint.skip_items), (11, 1));
    drop(items);
    let rest = request().paginate::<Tasks>().resume_from(checkpoint).collect().await.unwrap();
    tasks.extend(rest);
    assert_eq!(gids(&tasks), all_gids(23));
}

// ---- 5. A custom walk's page size goes on its first request only ----

/// A scroll whose next requests are built by `scroll_request` from the
/// user's request, which does not hold the declared page size.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "scroll_state", next_request = "scroll_request")]
#[paginate(page_size_param = "size", page_size = 2, stop_on_empty_page)]
struct Scroll {
    #[paginate(items)]
    hits: Vec<u64>,
    scroll_id: String,
}

#[allow(clippy::unnecessary_wraps)] // the signature `next_state` takes
fn scroll_state(page: &Scroll) -> Option<Value> {
    Some(Value::from(page.scroll_id.clone()))
}

fn scroll_request(first: &reqwest::Request, state: &Value) -> reqwest::Request {
    let mut next = first.try_clone().unwrap();
    next.url_mut().set_path("/_search/scroll");
    next.url_mut().query_pairs_mut().append_pair("scroll_id", state.as_str().unwrap());
    next
}

#[tokio::test]
async fn the_page_size_of_a_custom_walk_goes_on_the_first_request_only() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let at: u64 = r.query("scroll_id").map_or(0, |id| id.parse().unwrap());
        let hits: Vec<u64> = if at < 3 { vec![at * 2, at * 2 + 1] } else { vec![] };
        MockResponse::json(json!({"hits": hits, "scroll_id": (at + 1).to_string()}))
    })
    .await;
    let hits = reqwest::Client::new()
        .get(server.url("/index/_search?scroll=1m"))
        .paginate::<Scroll>()
        .collect()
        .await
        .unwrap();
    assert_eq!(hits, [0, 1, 2, 3, 4, 5]);
    let requests = server.requests();
    let sizes: Vec<Option<String>> = requests.iter().map(|r| r.query("size")).collect();
    assert_eq!(sizes, [Some("2".to_owned()), None, None, None]);
    assert_eq!(requests[1].raw_query.as_deref(), Some("scroll=1m&scroll_id=1"));
}

#[tokio::test]
async fn a_checkpoint_from_the_first_pages_sent_again_skips_past_them() {
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let request = || reqwest::Client::new().get(server.url("/tasks"));
    let mut pages = request()
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .lookahead(0)
        .pages();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        tasks.extend(pages.try_next().await.unwrap().unwrap().data);
    }
    // Two pages, then the first page of the restarted walk, emptied.
    assert_eq!(gids(&tasks), all_gids(10));
    let checkpoint = pages.checkpoint().unwrap();
    assert_eq!((checkpoint.items_received, checkpoint.skip_items), (5, 5));
    drop(pages);
    server.take_requests();
    let rest = request().paginate::<Tasks>().resume_from(checkpoint).collect().await.unwrap();
    tasks.extend(rest);
    assert_eq!(gids(&tasks), all_gids(23));
    assert_eq!(starts(&server), [5, 10, 15, 20], "the page at 5 comes again, all of it skipped");
}
