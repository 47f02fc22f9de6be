//! Lookahead for cursor walks and bounded fan-out for offset and page walks:
//! order, no over-fetch, errors in order, bounds, and cancellation.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, Position, RetryPolicy};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Cursor {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

/// `pages` pages of 10 numbers by cursor (`after` = the next number); page
/// `fail` (1-based) answers 500.
async fn cursor_server(pages: u64, fail: Option<u64>) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let start: u64 = r.query("after").map_or(0, |c| c.parse().unwrap());
        if Some(start / 10 + 1) == fail {
            return MockResponse::status(500, json!({"message": "injected"}));
        }
        let end = start + 10;
        MockResponse::json(
            json!({"data": (start..end).collect::<Vec<_>>(), "next": (end < pages * 10).then_some(end)}),
        )
    })
    .await
}

/// Waits until the server has seen `n` requests, or a second passed.
async fn wait_for_requests(server: &MockServer, n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(1);
    while server.requests().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.requests().len()
}

#[tokio::test]
async fn lookahead_requests_the_next_page_while_the_consumer_works() {
    let server = cursor_server(5, None).await;
    let mut pages = reqwest::Client::new().get(server.url("/c")).paginate::<Cursor>().pages();
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.data[0], 0);
    // The consumer holds page 1 and polls nothing: page 2 is fetched anyway...
    assert_eq!(wait_for_requests(&server, 2).await, 2);
    // ...and no further: one page ahead.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(server.requests().len(), 2, "lookahead is bounded to one page");
    let rest: Vec<Cursor> = pages.try_collect().await.unwrap();
    let numbers: Vec<u64> = rest.into_iter().flat_map(|p| p.data).collect();
    assert_eq!(numbers, (10..50).collect::<Vec<_>>());
    assert_eq!(server.requests().len(), 5, "no request after the end");
}

#[tokio::test]
async fn lookahead_zero_waits_for_the_consumer() {
    let server = cursor_server(5, None).await;
    let mut pages = reqwest::Client::new().get(server.url("/c")).paginate::<Cursor>().lookahead(0).pages();
    pages.try_next().await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn lookahead_surfaces_errors_in_order_with_a_correct_checkpoint() {
    let server = cursor_server(6, Some(4)).await;
    let mut items = reqwest::Client::new()
        .get(server.url("/c"))
        .paginate::<Cursor>()
        .lookahead(3)
        .retry(RetryPolicy::never())
        .items();
    let mut got = Vec::new();
    let err = loop {
        match items.next().await.unwrap() {
            Ok(n) => got.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(got, (0..30).collect::<Vec<_>>(), "every item before the failed page, in order");
    assert_eq!(err.page(), Some(4));
    let cp = err.checkpoint().unwrap().clone();
    assert_eq!((cp.position.clone(), cp.items_delivered), (Position::Cursor(paginated::Cursor::int(30)), 30));
    assert!(items.next().await.is_none());
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 10,
    total = "total"
)]
struct Offset {
    #[paginate(items)]
    data: Vec<u64>,
    total: u64,
}

/// `total` numbers by offset, each response delayed by `delay`; arrival
/// times are recorded. `clamp_from`: from that offset on, the server returns
/// at most 7 items whatever the limit.
async fn offset_server(
    total: u64,
    delay: Duration,
    clamp_from: Option<u64>,
) -> (MockServer, Arc<Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let log = arrivals.clone();
    let server = MockServer::start(move |r: &RecordedRequest| {
        log.lock().unwrap().push(Instant::now());
        let offset: u64 = r.query("offset").unwrap().parse().unwrap();
        let mut limit: u64 = r.query("limit").unwrap().parse().unwrap();
        if clamp_from.is_some_and(|from| offset >= from) {
            limit = limit.min(7);
        }
        let end = (offset + limit).min(total);
        let data: Vec<u64> = (offset.min(end)..end).collect();
        MockResponse::json(json!({"data": data, "total": total})).with_delay(delay)
    })
    .await;
    (server, arrivals)
}

/// The most requests that arrived within one `window` of each other.
fn max_in_flight(arrivals: &[Instant], window: Duration) -> usize {
    arrivals
        .iter()
        .map(|a| arrivals.iter().filter(|b| **b >= *a && **b - *a < window).count())
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn fan_out_keeps_order_bounds_and_never_fetches_past_the_end() {
    let delay = Duration::from_millis(120);
    let (server, arrivals) = offset_server(195, delay, None).await;
    let items = reqwest::Client::new()
        .get(server.url("/o"))
        .paginate::<Offset>()
        .concurrency(8)
        .collect()
        .await
        .unwrap();
    assert_eq!(items, (0..195).collect::<Vec<_>>());
    let mut offsets: Vec<u64> =
        server.requests().iter().map(|r| r.query("offset").unwrap().parse().unwrap()).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, (0..20).map(|p| p * 10).collect::<Vec<_>>(), "each page once, none past the end");
    let in_flight = max_in_flight(&arrivals.lock().unwrap(), delay / 2);
    assert!((4..=8).contains(&in_flight), "requests in flight at once: {in_flight}");
}

#[tokio::test]
async fn fan_out_falls_back_when_the_server_clamps_the_page_size() {
    let (server, _) = offset_server(100, Duration::from_millis(20), Some(30)).await;
    let items = reqwest::Client::new()
        .get(server.url("/o"))
        .paginate::<Offset>()
        .concurrency(8)
        .collect()
        .await
        .unwrap();
    assert_eq!(items, (0..100).collect::<Vec<_>>(), "a clamped page must not open a gap");
}

#[tokio::test]
async fn fan_out_surfaces_the_first_error_in_order() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let offset: u64 = r.query("offset").unwrap().parse().unwrap();
        if offset == 50 {
            return MockResponse::status(404, json!({"message": "gone"}));
        }
        let delay = Duration::from_millis(if offset == 40 { 80 } else { 5 });
        MockResponse::json(json!({"data": (offset..offset + 10).collect::<Vec<_>>(), "total": 100}))
            .with_delay(delay)
    })
    .await;
    let mut items = reqwest::Client::new().get(server.url("/o")).paginate::<Offset>().concurrency(8).items();
    let mut got = Vec::new();
    let err = loop {
        match items.next().await.unwrap() {
            Ok(n) => got.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::Status { .. }), "{err:?}");
    assert_eq!(err.checkpoint().unwrap().position, Position::Offset(50));
    assert_eq!(err.checkpoint().unwrap().items_delivered, 50);
}

#[tokio::test]
async fn dropping_a_stream_cancels_its_requests() {
    let (server, _) = offset_server(1000, Duration::from_millis(100), None).await;
    let mut items = reqwest::Client::new().get(server.url("/o")).paginate::<Offset>().concurrency(8).items();
    for n in 0..15 {
        assert_eq!(items.try_next().await.unwrap(), Some(n));
    }
    drop(items);
    let seen = server.requests().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.requests().len(), seen, "no request after the stream was dropped");
    assert!(seen <= 2 + 8 + 8, "bounded: {seen}");
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "custom", next_state = "panicking_state", next_request = "unused_request")]
struct Panicky {
    #[paginate(items)]
    data: Vec<u64>,
}

fn panicking_state(page: &Panicky) -> Option<serde_json::Value> {
    assert!(page.data.is_empty(), "user code panicked on a page");
    None
}

fn unused_request(first: &reqwest::Request, _: &serde_json::Value) -> reqwest::Request {
    first.try_clone().expect("a byte body")
}

/// A panic on the lookahead task reaches the consumer; it never looks like the end of the walk.
#[tokio::test]
#[should_panic(expected = "user code panicked on a page")]
async fn a_panic_in_the_lookahead_task_is_not_a_silent_end() {
    let server = MockServer::script(vec![MockResponse::json(json!({"data": [1, 2]}))]).await;
    let _ = reqwest::Client::new().get(server.url("/p")).paginate::<Panicky>().lookahead(1).collect().await;
}
