//! Speculative fan-out for offset and page walks whose end is unknown:
//! every item exactly once and in order whatever the page lengths, at most
//! `concurrency - 1` requests past the end, limits never passed, faults
//! survived, and many walks under one in-flight cap.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use paginated::testing::faults::{Fault, FaultPlan, RetryAfter, with_faults};
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{PaginateExt, Paginated, RateLimiter, RetryPolicy};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::json;

/// Attio-like: offset and limit, no total, no `has_more`; an empty page ends it.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 10)]
struct Records {
    #[paginate(items)]
    data: Vec<u64>,
}

/// Page numbers, no total: an empty page ends it.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 10)]
struct Numbered {
    #[paginate(items)]
    data: Vec<u64>,
}

/// `n` numbers by offset; a request starting at an offset in `short` gets
/// `cut` fewer items than it asked for (a short page mid-walk). Page numbers
/// (1-based) on `/page`.
async fn dataset(n: u64, short: Vec<u64>, cut: u64) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| respond(r, n, &short, cut)).await
}

fn respond(r: &RecordedRequest, n: u64, short: &[u64], cut: u64) -> MockResponse {
    let number = |name: &str| r.query(name).and_then(|v| v.parse::<u64>().ok());
    let (start, limit) = match r.path.as_str() {
        "/page" => {
            let size = number("per_page").unwrap();
            ((number("page").unwrap() - 1) * size, size)
        }
        _ => (number("offset").unwrap(), number("limit").unwrap()),
    };
    let limit = if short.contains(&start) { limit.saturating_sub(cut).max(1) } else { limit };
    let end = (start + limit).min(n).max(start);
    // Uneven latency, so responses come back out of order.
    MockResponse::json(json!({ "data": (start..end).collect::<Vec<_>>() }))
        .with_delay(Duration::from_millis(start % 7))
}

fn offsets(server: &MockServer) -> Vec<u64> {
    server.requests().iter().map(|r| r.query("offset").unwrap().parse().unwrap()).collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random sizes, random short pages mid-walk, random concurrency: every
    /// item once, in order; at most `concurrency - 1` requests past the end.
    #[test]
    fn every_item_once_whatever_the_page_lengths(
        n in 0u64..240,
        short in proptest::collection::vec(0u64..24, 0..4),
        cut in 1u64..10,
        concurrency in 2usize..9,
    ) {
        runtime().block_on(async {
            // Short pages start at multiples of the page size the walk reaches, or not at all.
            let short: Vec<u64> = short.into_iter().map(|i| i * 10).collect();
            let server = dataset(n, short.clone(), cut).await;
            let mut items = reqwest::Client::new()
                .get(server.url("/offset"))
                .paginate::<Records>()
                .concurrency(concurrency)
                .speculative(true)
                .items();
            let mut seen = Vec::new();
            while let Some(item) = items.try_next().await.unwrap() {
                seen.push(item);
            }
            prop_assert_eq!(&seen, &(0..n).collect::<Vec<_>>());
            let sent = offsets(&server);
            // At most `concurrency - 1` past the end, plus as many again for
            // each short page met (its re-plan drops what was sent after it).
            let replans = short.iter().filter(|o| sent.contains(o) && **o < n).count();
            let past_end = sent.iter().filter(|o| **o > n).count();
            prop_assert!(
                past_end < concurrency * (1 + replans),
                "{past_end} requests past the end after {replans} re-plans: {sent:?}"
            );
            prop_assert!(items.wasted_requests() <= sent.len() as u64);
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn speculation_sends_ahead_and_reports_what_it_wasted() {
    let server = dataset(200, Vec::new(), 0).await;
    let mut pages = reqwest::Client::new()
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(8)
        .speculative(true)
        .pages();
    let mut count = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        count += page.data.len();
    }
    assert_eq!(count, 200);
    let sent = offsets(&server);
    // 20 full pages, the empty page at 200 that ends it, and at most 7 beyond.
    assert!(sent.len() >= 21 && sent.len() <= 28, "{sent:?}");
    assert!(sent.iter().all(|o| o % 10 == 0 && *o <= 270), "{sent:?}");
    // Dropped requests are counted whether or not they reached the server.
    let wasted = pages.wasted_requests();
    assert!(wasted >= sent.len() as u64 - 21 && wasted <= 7, "{wasted} wasted, sent {sent:?}");
    // More than one request was in flight: the server saw offsets out of order.
    let mut sorted = sent.clone();
    sorted.sort_unstable();
    assert!(sent != sorted || sent.len() > 21, "nothing ran ahead: {sent:?}");
}

#[tokio::test]
async fn without_speculation_a_walk_with_no_total_stays_sequential() {
    let server = dataset(100, Vec::new(), 0).await;
    let items = reqwest::Client::new()
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(8)
        .collect()
        .await;
    assert_eq!(items.unwrap().len(), 100);
    assert_eq!(offsets(&server), (0..=100).step_by(10).collect::<Vec<_>>());
}

#[tokio::test]
async fn limits_and_max_offset_are_never_passed() {
    let server = dataset(1000, Vec::new(), 0).await;
    let client = reqwest::Client::new();
    let items = client
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(8)
        .speculative(true)
        .max_pages(5)
        .collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 50);
    assert!(offsets(&server).iter().all(|o| *o < 50), "{:?}", offsets(&server));

    server.take_requests();
    let items = client
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(8)
        .speculative(true)
        .max_items(35)
        .collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 35);
    assert!(offsets(&server).iter().all(|o| *o < 40), "{:?}", offsets(&server));

    server.take_requests();
    let err = client
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(8)
        .speculative(true)
        .max_offset(60)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), paginated::ErrorKind::MaxOffset { .. }), "{err:?}");
    assert!(offsets(&server).iter().all(|o| *o <= 60), "{:?}", offsets(&server));
}

#[tokio::test]
async fn page_numbers_speculate_too() {
    let server = dataset(95, Vec::new(), 0).await;
    let items = reqwest::Client::new()
        .get(server.url("/page"))
        .paginate::<Numbered>()
        .concurrency(4)
        .speculative(true)
        .collect()
        .await
        .unwrap();
    assert_eq!(items, (0..95).collect::<Vec<_>>());
    let pages: Vec<u64> =
        server.requests().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
    // Page 10 is short (5 items): nothing is planned after it, so only the
    // 3 requests already in flight then go past it.
    assert!(pages.iter().all(|p| *p <= 13), "{pages:?}");
}

#[tokio::test]
async fn speculation_survives_faults() {
    let plan = FaultPlan::new(7)
        .rate(Fault::InternalError, 80)
        .rate(Fault::TooManyRequests(RetryAfter::Decimal(0.02)), 60)
        .rate(Fault::TruncatedBody, 60)
        .rate(Fault::ConnectionReset, 60);
    let (handler, log) = with_faults(plan, |r: &RecordedRequest| respond(r, 400, &[50, 170], 4));
    let server = MockServer::start(handler).await;
    let policy = RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .throttle_backoff(Duration::from_millis(1))
        .max_attempts(8);
    let items = reqwest::Client::new()
        .get(server.url("/offset"))
        .paginate::<Records>()
        .concurrency(6)
        .speculative(true)
        .retry(policy)
        .collect()
        .await
        .unwrap();
    assert_eq!(items, (0..400).collect::<Vec<_>>());
    assert!(log.faults() > 0, "{}", log.summary());
}

#[tokio::test]
async fn many_walks_share_one_in_flight_cap() {
    const LATENCY: Duration = Duration::from_millis(15);
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&arrivals);
    let server = MockServer::start(move |r: &RecordedRequest| {
        let start: u64 = r.query("offset").unwrap().parse().unwrap();
        // Requests past the end are dropped by the client once the empty page
        // at 60 arrives, freeing their place while the server still holds them:
        // only the walks' real pages are counted.
        if start <= 60 {
            log.lock().unwrap().push(Instant::now());
        }
        let end = (start + 10).min(60);
        MockResponse::json(json!({ "data": (start..end).collect::<Vec<_>>() })).with_delay(LATENCY)
    })
    .await;
    let limiter = RateLimiter::new().max_in_flight(3);
    let client = reqwest::Client::new();
    let walks = (0..6).map(|tenant| {
        client
            .get(server.url(&format!("/offset?tenant={tenant}")))
            .paginate::<Records>()
            .concurrency(4)
            .speculative(true)
            .rate_limiter(limiter.clone())
            .collect()
    });
    let results: Vec<_> = futures_util::stream::iter(walks).buffer_unordered(6).collect().await;
    for items in results {
        assert_eq!(items.unwrap(), (0..60).collect::<Vec<_>>());
    }
    // Each request is at the server from its arrival for LATENCY: count the
    // most that overlap (a little slack for timer jitter at the edges).
    let arrivals = arrivals.lock().unwrap().clone();
    let peak = arrivals
        .iter()
        .map(|a| {
            arrivals
                .iter()
                .filter(|b| **b >= *a && b.duration_since(*a) + Duration::from_millis(3) < LATENCY)
                .count()
        })
        .max()
        .unwrap();
    assert!(peak <= 3, "{peak} requests in flight at once under a cap of 3");
    assert!(peak >= 2, "the walks ran concurrently (peak {peak})");
}
