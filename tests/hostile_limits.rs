//! A hostile or broken server cannot make a walk allocate without bound, hang,
//! wait past its budget, resend a POST it was told not to, or repeat a page
//! behind a changing envelope (issue 12, points 1 and 7), asserted on what
//! the loopback server received and on the heap.
//!
//! The heap is measured by a counting global allocator. It counts every
//! thread of the process, the server's included, so the tests of this file
//! run one at a time (`run` holds a lock), each on its own runtime.
// The counting allocator needs `unsafe impl GlobalAlloc`; the library crates forbid unsafe code.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{
    Checkpoint, Error, ErrorKind, LoopPolicy, PaginateExt, Paginated, Paginator, Position, RetryEvent,
    RetryPolicy, StopReason,
};
use serde::Deserialize;
use serde_json::json;

// ---- The heap ---------------------------------------------------------------

/// `System`, counting the bytes in use and the most in use at once.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = IN_USE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    IN_USE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call goes to `System` with the caller's arguments unchanged;
// the counters are only read.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(block, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            grew(new_size);
            shrank(layout.size());
        }
        moved
    }
}

#[global_allocator]
static HEAP: Counting = Counting;

/// The most heap in use while `walk` ran, above what was in use when it started.
async fn peak_above_start<T>(walk: impl Future<Output = T>) -> (T, usize) {
    // The tasks of servers and clients dropped just before end first, so that
    // their memory is not counted in the start and freed during the walk.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let start = IN_USE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let out = walk.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(start))
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Runs one test alone (the heap counters are process-wide), on a fresh
/// two-worker runtime.
fn run(test: impl Future<Output = ()>) {
    static ALONE: Mutex<()> = Mutex::new(());
    let _alone = ALONE.lock().unwrap_or_else(PoisonError::into_inner);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(test);
}

// ---- Declarations and servers -----------------------------------------------

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 2,
    total = "total"
)]
struct Offsets {
    #[paginate(items)]
    data: Vec<u64>,
    total: u64,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    page_size_param = "per_page",
    page_size = 2,
    total_pages = "total_pages"
)]
struct Pages {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

/// The 0-based page a request asks for, by offset (2 a page) or page number.
fn page_index(r: &RecordedRequest) -> u64 {
    match (r.query("offset"), r.query("page")) {
        (Some(offset), _) => offset.parse::<u64>().unwrap() / 2,
        (None, Some(page)) => page.parse::<u64>().unwrap() - 1,
        (None, None) => 0,
    }
}

/// Two pages of two numbers, then empty pages, each claiming `field: claim`.
async fn two_pages_claiming(field: &'static str, claim: u64) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let index = page_index(r);
        let data: Vec<u64> = if index < 2 { vec![2 * index, 2 * index + 1] } else { Vec::new() };
        MockResponse::json(json!({"data": data, field: claim}))
    })
    .await
}

/// `pages` pages of 10 numbers by cursor, every response given by `answer`
/// from the page's 0-based index and how many times it was asked for before.
async fn cursor_pages(pages: u64, answer: fn(u64, u32) -> Option<MockResponse>) -> MockServer {
    let asked = Mutex::new(std::collections::HashMap::<u64, u32>::new());
    MockServer::start(move |r: &RecordedRequest| {
        let index: u64 = r.query("after").map_or(0, |c| c.parse::<u64>().unwrap() / 10);
        let before = {
            let mut asked = asked.lock().unwrap();
            let count = asked.entry(index).or_default();
            *count += 1;
            *count - 1
        };
        answer(index, before).unwrap_or_else(|| {
            let start = index * 10;
            let next = (index + 1 < pages).then_some(start + 10);
            MockResponse::json(json!({"data": (start..start + 10).collect::<Vec<_>>(), "next": next}))
        })
    })
    .await
}

/// Every item, or the error that ended the walk with the items before it.
async fn walk<P>(paginator: Paginator<P>) -> (Vec<P::Item>, Result<Option<StopReason>, Error>)
where
    P: Paginated + Send + 'static,
{
    let mut items = paginator.items();
    let mut got = Vec::new();
    loop {
        match items.try_next().await {
            Ok(Some(item)) => got.push(item),
            Ok(None) => return (got, Ok(items.stop_reason())),
            Err(e) => return (got, Err(e)),
        }
    }
}

/// Retries that cost no time, so that tests are about counts.
fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default().max_attempts(attempts).backoff(Duration::from_millis(1), Duration::from_millis(1))
}

/// Collects the walk's retry events.
fn recorder() -> (Arc<Mutex<Vec<RetryEvent>>>, impl Fn(&RetryEvent) + Send + Sync + 'static) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |event: &RetryEvent| sink.lock().unwrap().push(event.clone()))
}

// ---- 1. Numbers from the wire -----------------------------------------------

const CLAIMS: [u64; 5] = [0, 1, 1 << 53, u64::MAX - 1, u64::MAX];
const CONCURRENCY: usize = 4;

/// Walks a server that claims `claim` in `field` but has two pages; returns
/// the heap peak of the walk.
async fn walk_claiming<P>(field: &'static str, claim: u64) -> usize
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let server = two_pages_claiming(field, claim).await;
    let request = reqwest::Client::new().get(server.url("/list"));
    let ((items, end), peak) =
        peak_above_start(walk(request.paginate::<P>().concurrency(CONCURRENCY).retry(RetryPolicy::never())))
            .await;
    let end = end.unwrap_or_else(|e| panic!("{field} {claim}: {e}"));
    let requests = server.requests().len();
    if claim <= 2 {
        // The claim is met by the first page.
        assert_eq!(items, [0, 1], "{field} {claim}");
        assert!(matches!(end, Some(StopReason::TotalReached | StopReason::TotalPagesReached)), "{end:?}");
        assert_eq!(requests, 1, "{field} {claim}");
    } else {
        // The claim is not met: the empty third page ends the walk.
        assert_eq!(items, [0, 1, 2, 3], "{field} {claim}");
        assert_eq!(end, Some(StopReason::EmptyPage), "{field} {claim}");
        assert!(requests <= 3 + CONCURRENCY, "{field} {claim}: {requests} requests for 3 pages");
    }
    eprintln!("{field} = {claim}: {requests} requests, heap peak {peak} bytes above the start");
    peak
}

#[test]
fn a_huge_total_plans_no_more_than_the_window() {
    run(async {
        for claim in CLAIMS {
            let peak = walk_claiming::<Offsets>("total", claim).await;
            assert!(peak < 2 * MIB, "total {claim}: the walk's heap peaked {peak} bytes above its start");
        }
    });
}

#[test]
fn a_huge_page_count_plans_no_more_than_the_window() {
    run(async {
        for claim in CLAIMS {
            let peak = walk_claiming::<Pages>("total_pages", claim).await;
            assert!(
                peak < 2 * MIB,
                "total_pages {claim}: the walk's heap peaked {peak} bytes above its start"
            );
        }
    });
}

#[test]
fn a_checkpoint_with_huge_counts_is_refused_before_any_request() {
    run(async {
        let server = two_pages_claiming("total", 4).await;
        let tampered = Checkpoint {
            pages_before: u64::MAX,
            items_received: u64::MAX - 1,
            total: Some(u64::MAX),
            ..Checkpoint::new(Position::Offset(u64::MAX - 1))
        };
        let request = reqwest::Client::new().get(server.url("/list"));
        let (items, end) = walk(request.paginate::<Offsets>().resume_from(tampered)).await;
        let err = end.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidCheckpoint { .. }), "{err:?}");
        assert!(items.is_empty());
        assert_eq!(server.requests().len(), 0);
    });
}

// ---- 7. Timeouts --------------------------------------------------------------

/// A page that never comes: the server reads the request and answers nothing.
fn silence() -> MockResponse {
    MockResponse::json(json!({"data": [], "next": null})).with_delay(Duration::from_secs(3600))
}

/// A page whose 40-odd bytes come one every 100 ms: no read waits long, the
/// whole body takes seconds.
fn trickle() -> MockResponse {
    MockResponse::json(json!({"data": [1, 2, 3], "next": null})).with_trickle(Duration::from_millis(100))
}

#[test]
fn a_silent_or_trickling_server_times_out_and_is_retried() {
    run(async {
        for (name, answer) in [("silent", silence as fn() -> MockResponse), ("trickling", trickle)] {
            let server = MockServer::start(move |_: &RecordedRequest| answer()).await;
            let started = Instant::now();
            let (items, end) = walk(
                reqwest::Client::new()
                    .get(server.url("/n"))
                    .paginate::<Numbers>()
                    .timeout(Some(Duration::from_millis(300)))
                    .retry(quick_retries(3)),
            )
            .await;
            let elapsed = started.elapsed();
            let err = end.unwrap_err();
            assert!(items.is_empty(), "{name}");
            assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{name}: {err:?}");
            assert!(err.to_string().contains("per-request timeout"), "{name}: {err}");
            assert!(err.is_transient(), "{name}");
            assert_eq!(err.checkpoint().unwrap().position, Position::Start, "{name}");
            assert_eq!(server.requests().len(), 3, "{name}: every attempt timed out");
            assert!(
                elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
                "{name}: {elapsed:?}"
            );
        }
    });
}

/// Whether the walk failed on reqwest's own timeout (the request's), not the walk's.
fn is_reqwest_timeout(err: &Error) -> bool {
    let ErrorKind::Transport(e) = err.kind() else { return false };
    e.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_timeout)
}

#[test]
fn the_requests_own_timeout_wins() {
    run(async {
        let server = MockServer::start(|_: &RecordedRequest| silence()).await;
        for (own, walks) in [(150, 30_000), (800, 100)] {
            let request = reqwest::Client::new().get(server.url("/n")).timeout(Duration::from_millis(own));
            let started = Instant::now();
            let (_, end) = walk(
                request
                    .paginate::<Numbers>()
                    .timeout(Some(Duration::from_millis(walks)))
                    .retry(RetryPolicy::never()),
            )
            .await;
            let elapsed = started.elapsed();
            let err = end.unwrap_err();
            assert!(is_reqwest_timeout(&err), "request {own} ms, walk {walks} ms: {err:?}");
            assert!(err.is_transient() && err.checkpoint().is_some());
            let own = Duration::from_millis(own);
            assert!(elapsed >= own && elapsed < own + Duration::from_secs(1), "{own:?}: {elapsed:?}");
        }
    });
}

// ---- 7. Error bodies ----------------------------------------------------------

/// A 500 whose JSON message is followed by `padding` spaces, streamed.
fn huge_error(padding: u64) -> MockResponse {
    MockResponse::status(500, json!({"message": "overloaded, try later"})).with_padding(padding)
}

fn assert_overloaded(err: &Error) {
    let ErrorKind::Status { status, message, body, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 500);
    assert_eq!(message.as_deref(), Some("overloaded, try later"));
    assert!(body.starts_with(r#"{"message":"overloaded, try later"}"#), "{body:?}");
    assert!(err.to_string().contains("overloaded, try later"), "{err}");
}

#[test]
fn a_60_mib_error_body_costs_a_small_prefix() {
    run(async {
        let server = MockServer::start(|_: &RecordedRequest| huge_error(60 << 20)).await;
        let request = reqwest::Client::new().get(server.url("/n"));
        let ((items, end), peak) =
            peak_above_start(walk(request.paginate::<Numbers>().retry(quick_retries(2)))).await;
        let err = end.unwrap_err();
        assert!(items.is_empty());
        assert_overloaded(&err);
        assert_eq!(server.requests().len(), 2, "retried once, as a 500 is");
        eprintln!("one 60 MiB error body, two attempts: heap peak {peak} bytes above the start");
        assert!(peak < 2 * MIB, "a 60 MiB error body cost {peak} bytes of heap");
    });
}

#[test]
fn four_60_mib_error_bodies_under_fan_out_cost_four_small_prefixes() {
    run(async {
        // Page 1 announces 100 pages; pages 2 to 5, in flight together, each
        // answer 60 MiB, at the same time.
        let server = MockServer::start(|r: &RecordedRequest| match page_index(r) {
            0 => MockResponse::json(json!({"data": [0, 1], "total": 200})),
            _ => huge_error(60 << 20).with_delay(Duration::from_millis(100)),
        })
        .await;
        let request = reqwest::Client::new().get(server.url("/list"));
        let paginator = request.paginate::<Offsets>().concurrency(CONCURRENCY).retry(RetryPolicy::never());
        let ((items, end), peak) = peak_above_start(walk(paginator)).await;
        let err = end.unwrap_err();
        assert_eq!(items, [0, 1]);
        assert_overloaded(&err);
        assert_eq!(err.page(), Some(2), "the first failure in page order");
        assert_eq!(err.checkpoint().unwrap().position, Position::Offset(2));
        let offsets: Vec<u64> = server.requests().iter().map(|r| page_index(r) * 2).collect();
        assert_eq!(offsets.len(), 1 + CONCURRENCY, "{offsets:?}");
        eprintln!("four 60 MiB error bodies at once: heap peak {peak} bytes above the start");
        assert!(peak < 2 * MIB, "four 60 MiB error bodies cost {peak} bytes of heap");
    });
}

// ---- 7. Walk-wide retry budgets ------------------------------------------------

/// Every page of ten fails twice (500), then succeeds.
fn twice_then_fine(_: u64, before: u32) -> Option<MockResponse> {
    (before < 2).then(|| MockResponse::status(500, json!({"message": "flaky"})))
}

#[test]
fn the_wait_budget_is_for_the_whole_walk() {
    run(async {
        let server = cursor_pages(10, twice_then_fine).await;
        let (events, hook) = recorder();
        // 20 retries of ~100-200 ms each are needed; 500 ms are allowed.
        let policy = RetryPolicy::default()
            .backoff(Duration::from_millis(100), Duration::from_millis(100))
            .max_total_wait(Duration::from_millis(500));
        let started = Instant::now();
        let (items, end) = walk(
            reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().retry(policy).on_retry(hook),
        )
        .await;
        let elapsed = started.elapsed();
        let err = end.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
        assert!(err.is_transient() && err.checkpoint().is_some());
        let events = events.lock().unwrap();
        let waited: Duration = events.iter().map(|e| e.wait).sum();
        assert!(!events.is_empty() && waited <= Duration::from_millis(500), "{events:?}");
        let page = err.page().unwrap();
        assert!(page < 10, "the walk stopped at page {page} of 10");
        assert_eq!(items.len() as u64, (page - 1) * 10, "every page before the failed one");
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
        eprintln!("wait budget 500 ms: {} retries waited {waited:?}, stopped at page {page}", events.len());
    });
}

#[test]
fn the_retry_budget_is_for_the_whole_walk() {
    run(async {
        let server = cursor_pages(10, twice_then_fine).await;
        let (events, hook) = recorder();
        let policy = quick_retries(5).max_retries(3);
        let (items, end) = walk(
            reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().retry(policy).on_retry(hook),
        )
        .await;
        let err = end.unwrap_err();
        // Page 1 takes two retries, page 2 the last one, then fails again.
        assert_eq!(err.page(), Some(2), "{err:?}");
        assert_eq!(items, (0..10).collect::<Vec<_>>());
        let pages: Vec<u64> = events.lock().unwrap().iter().map(|e| e.page).collect();
        assert_eq!(pages, [1, 1, 2]);
        assert_eq!(server.requests().len(), 3 + 2);
    });
}

// ---- 7. Resending a POST -------------------------------------------------------

/// Walks a POST search against `url`: how many retries it made, and its error.
async fn post_search(url: String, policy: RetryPolicy) -> (usize, Error) {
    let (events, hook) = recorder();
    let request = reqwest::Client::new().post(url).json(&json!({"query": "status:open"}));
    let (items, end) = walk(request.paginate::<Numbers>().retry(policy).on_retry(hook)).await;
    assert!(items.is_empty());
    let retries = events.lock().unwrap().len();
    (retries, end.unwrap_err())
}

#[test]
fn a_post_the_server_may_have_acted_on_is_resent_only_if_allowed() {
    run(async {
        // The server reads the whole request, body included, then hangs up.
        let server = MockServer::start(|_: &RecordedRequest| MockResponse::reset()).await;
        let (retries, err) = post_search(server.url("/search"), quick_retries(3)).await;
        assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
        assert_eq!(retries, 2);
        let received = server.take_requests();
        assert_eq!(received.len(), 3, "by default a POST search is resent");
        for request in &received {
            assert_eq!(
                (request.method.as_str(), request.json()),
                ("POST", Some(json!({"query": "status:open"})))
            );
        }

        let (retries, err) = post_search(server.url("/search"), quick_retries(3).resend_post(false)).await;
        assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
        assert_eq!(retries, 0);
        assert_eq!(server.take_requests().len(), 1, "with resend_post(false), sent once");
        assert!(err.checkpoint().is_some());
    });
}

#[test]
fn a_post_that_never_connected_is_retried_even_without_resend_post() {
    run(async {
        // A port with nothing listening: the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/search");
        let (retries, err) = post_search(url, quick_retries(3).resend_post(false)).await;
        assert_eq!(retries, 2, "{err:?}");
        assert!(err.is_transient(), "{err:?}");
    });
}

// ---- 7. The duplicate-page guard behind a changing envelope ---------------------

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 2)]
struct Envelope {
    #[paginate(items)]
    data: Vec<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", items = "result.items", item_type = "u64")]
struct Nested {
    result: NestedResult,
}

#[derive(Debug, Deserialize)]
struct NestedResult {
    items: Vec<u64>,
}

/// A server that ignores the position and sends the same items every time,
/// under a `request_id` that changes on every response.
async fn same_items_new_request_id() -> MockServer {
    let served = AtomicUsize::new(0);
    MockServer::start(move |_: &RecordedRequest| {
        let id = format!("req-{}", served.fetch_add(1, Ordering::Relaxed));
        MockResponse::json(
            json!({"request_id": id, "data": [0, 1], "result": {"request_id": id, "items": [0, 1]}}),
        )
    })
    .await
}

#[test]
fn a_repeated_page_under_a_new_request_id_is_a_duplicate() {
    run(async {
        let server = same_items_new_request_id().await;
        let (items, end) = walk(reqwest::Client::new().get(server.url("/o")).paginate::<Envelope>()).await;
        let err = end.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::DuplicatePage), "{err:?}");
        assert_eq!((items, err.page()), (vec![0, 1], Some(2)));
        assert_eq!(server.take_requests().len(), 2);

        // Items at a nested path, the envelope's id beside them.
        let (items, end) = walk(reqwest::Client::new().get(server.url("/p")).paginate::<Nested>()).await;
        let err = end.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::DuplicatePage), "{err:?}");
        assert_eq!(items, [0, 1]);
        assert_eq!(server.take_requests().len(), 2);

        let quiet =
            reqwest::Client::new().get(server.url("/o")).paginate::<Envelope>().on_loop(LoopPolicy::Stop);
        let (items, end) = walk(quiet).await;
        assert_eq!((items, end.unwrap()), (vec![0, 1], Some(StopReason::Loop)));
        assert_eq!(server.take_requests().len(), 2);
    });
}

#[test]
fn new_items_under_the_same_envelope_are_not_a_duplicate() {
    run(async {
        let server = MockServer::start(|r: &RecordedRequest| {
            let index = page_index(r);
            let data: Vec<u64> = if index < 3 { vec![2 * index, 2 * index + 1] } else { Vec::new() };
            MockResponse::json(json!({"request_id": "req-1", "data": data}))
        })
        .await;
        let (items, end) = walk(reqwest::Client::new().get(server.url("/o")).paginate::<Envelope>()).await;
        assert_eq!((items, end.unwrap()), ((0..6).collect(), Some(StopReason::EmptyPage)));
        assert_eq!(server.requests().len(), 4);
    });
}
