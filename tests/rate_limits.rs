//! Rate limits on loopback, asserting what the server received: no request of
//! a walk (first attempt or retry) inside a wait the server advertised, with
//! three requests in flight or two walks sharing one [`RateLimiter`]; every
//! wait signal real APIs send, one test per header family; pacing before the
//! 429 (a spent quota, a client-side rate); the slow backoff after a rate
//! limit without a wait; what is and is not retried; the walk-wide budgets;
//! and the two figures of the fault suite.
//!
//! What counts as "inside a wait": a request the server received more than
//! [`SLACK`] after it answered a rate limit and before the instant that answer
//! advertised. A request received within `SLACK` of the answer passed the
//! walk's gate before the client had read the rate limit (it was on the wire,
//! or being written, when the answer went out): no client can recall it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use paginated::testing::faults::RetryAfter;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{Error, ErrorKind, PaginateExt, Paginated, RateLimiter, RetryEvent, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};

/// How long after a rate-limit answer a request may still arrive without
/// having been sent inside the wait (see the module docs).
const SLACK: Duration = Duration::from_millis(20);

/// Items per page.
const PER_PAGE: u64 = 8;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Arrival {
    /// When it arrived.
    at: Instant,
    /// The page it asked for (1-based).
    page: u64,
    /// The status of the answer.
    status: u16,
    /// Until when the answer asked for no request: the instant a rate limit
    /// or a spent quota advertised.
    quiet_until: Option<Instant>,
}

/// Every request a server received, in order.
#[derive(Debug, Clone, Default)]
struct Timeline(Arc<Mutex<Vec<Arrival>>>);

impl Timeline {
    fn push(&self, arrival: Arrival) {
        self.0.lock().unwrap().push(arrival);
    }

    fn arrivals(&self) -> Vec<Arrival> {
        self.0.lock().unwrap().clone()
    }

    /// The pages requested, in order.
    fn pages(&self) -> Vec<u64> {
        self.arrivals().iter().map(|a| a.page).collect()
    }

    /// How many answers had `status`.
    fn count(&self, status: u16) -> usize {
        self.arrivals().iter().filter(|a| a.status == status).count()
    }
}

/// The requests of `arrivals` received inside a wait advertised by one of
/// `answers` (see the module docs), each with the answer that advertised it.
fn inside_waits(answers: &[Arrival], arrivals: &[Arrival]) -> Vec<(Arrival, Arrival)> {
    let mut inside = Vec::new();
    for answer in answers {
        let Some(until) = answer.quiet_until else { continue };
        for request in arrivals {
            if request.at > answer.at + SLACK && request.at < until {
                inside.push((answer.clone(), request.clone()));
            }
        }
    }
    inside
}

/// The most requests that arrived within `window` of one another: requests
/// sent without waiting for each other's answer.
fn most_sent_together(arrivals: &[Arrival], window: Duration) -> usize {
    arrivals
        .iter()
        .map(|a| arrivals.iter().filter(|b| b.at >= a.at && b.at - a.at < window).count())
        .max()
        .unwrap_or(0)
}

/// `at` as a time on the wall clock, given one instant read on both clocks.
fn on_the_wall(wall: SystemTime, at: Instant, later: SystemTime) -> Instant {
    at + later.duration_since(wall).unwrap_or_default()
}

/// The first whole second of the wall clock at least `after` from `wall`:
/// what a server writes as an epoch-seconds reset.
fn whole_second_after(wall: SystemTime, after: Duration) -> SystemTime {
    let since = (wall + after).duration_since(UNIX_EPOCH).unwrap();
    UNIX_EPOCH + Duration::from_secs(since.as_secs() + u64::from(since.subsec_nanos() > 0))
}

/// `at` in epoch seconds, as GitHub, Okta and X write a reset.
fn epoch_seconds(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH).unwrap().as_secs().to_string()
}

/// `at` in epoch milliseconds, as Linear writes a reset.
fn epoch_millis(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH).unwrap().as_millis().to_string()
}

/// The numbers of page `page` (1-based) of `pages`; none past the end.
fn numbers(page: u64, pages: u64) -> Vec<u64> {
    if (1..=pages).contains(&page) { ((page - 1) * PER_PAGE..page * PER_PAGE).collect() } else { Vec::new() }
}

/// What a page server answers to one attempt at a page.
enum Answer {
    /// The page.
    Page,
    /// The page, its body cut short on the wire.
    Truncated,
    /// This response instead; with the instant it asks to wait for, if it
    /// advertises one.
    Refuse(MockResponse, Option<SystemTime>),
}

/// `pages` pages of [`PER_PAGE`] numbers by page number (`?page=N` from 1),
/// each saying `total_pages`. `answer(page, attempt, now)` (attempt 1-based
/// per page) chooses each answer; pages that are served take `delay`.
async fn page_server(
    pages: u64,
    delay: Duration,
    answer: impl Fn(u64, u32, SystemTime) -> Answer + Send + Sync + 'static,
) -> (MockServer, Timeline) {
    let timeline = Timeline::default();
    let log = timeline.clone();
    let attempts = Mutex::new(HashMap::<u64, u32>::new());
    let server = MockServer::start(move |r: &RecordedRequest| {
        let (at, wall) = (Instant::now(), SystemTime::now());
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let attempt = {
            let mut attempts = attempts.lock().unwrap();
            let seen = attempts.entry(page).or_default();
            *seen += 1;
            *seen
        };
        let body = json!({"data": numbers(page, pages), "total_pages": pages});
        let (response, until) = match answer(page, attempt, wall) {
            Answer::Page => (MockResponse::json(body).with_delay(delay), None),
            Answer::Truncated => (MockResponse::json(body).truncated(7), None),
            Answer::Refuse(response, until) => (response, until),
        };
        log.push(Arrival {
            at,
            page,
            status: if response.is_reset() { 0 } else { response.status },
            quiet_until: until.map(|until| on_the_wall(wall, at, until)),
        });
        response
    })
    .await;
    (server, timeline)
}

/// A page-number walk with a known end: fans out.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
}

/// A retry hook that keeps every event.
fn recorder() -> (Arc<Mutex<Vec<RetryEvent>>>, impl Fn(&RetryEvent) + Send + Sync + 'static) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event: &RetryEvent| sink.lock().unwrap().push(event.clone()))
}

/// What a walk gave and what it reported.
struct Walked {
    result: Result<Vec<u64>, Error>,
    events: Vec<RetryEvent>,
    retries: u64,
}

/// Walks `url` as `P` with `policy` and `limiter`, `concurrency` requests at
/// most in flight.
async fn walk<P>(url: String, policy: RetryPolicy, limiter: RateLimiter, concurrency: usize) -> Walked
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let (events, hook) = recorder();
    let mut items = reqwest::Client::new()
        .get(url)
        .paginate::<P>()
        .retry(policy)
        .rate_limiter(limiter)
        .concurrency(concurrency)
        .on_retry(hook)
        .items();
    let mut got = Vec::new();
    let result = loop {
        match futures_util::TryStreamExt::try_next(&mut items).await {
            Ok(Some(n)) => got.push(n),
            Ok(None) => break Ok(got),
            Err(e) => break Err(e),
        }
    };
    let events = events.lock().unwrap().clone();
    Walked { result, events, retries: items.retries() }
}

/// Every number of a walk over `pages` pages, in order.
fn all_numbers(pages: u64) -> Vec<u64> {
    (0..pages * PER_PAGE).collect()
}

/// A JSON answer with status `code`.
fn status(code: u16, body: &Value) -> MockResponse {
    MockResponse::status(code, body.clone())
}

// ---- 1. One wait for the whole walk ----

/// The issue's reproduction: a page walk with a known end, 4 requests in
/// flight, 500s and rate limits interleaved. Before the gate, the retry of a
/// 500 went out 70-95 ms into the 429's wait.
#[tokio::test]
async fn fan_out_sends_nothing_inside_an_advertised_wait() {
    let (server, timeline) =
        page_server(8, Duration::from_millis(40), |page, attempt, wall| match (page, attempt) {
            (2 | 4 | 7, 1) | (4, 2) => Answer::Refuse(status(500, &json!({"message": "injected"})), None),
            (3, 1) => Answer::Refuse(
                status(429, &json!({"message": "slow down"})).with_header("retry-after", "1"),
                Some(wall + Duration::from_secs(1)),
            ),
            (6, 1) => Answer::Refuse(
                status(429, &json!({"message": "slow down"})).with_header("retry-after", "0.5"),
                Some(wall + Duration::from_millis(500)),
            ),
            _ => Answer::Page,
        })
        .await;
    let started = Instant::now();
    let walked = walk::<Numbers>(server.url("/n"), RetryPolicy::default(), RateLimiter::new(), 4).await;

    assert_eq!(walked.result.unwrap(), all_numbers(8), "every item exactly once, in order");
    let arrivals = timeline.arrivals();
    let inside = inside_waits(&arrivals, &arrivals);
    assert!(inside.is_empty(), "requests inside an advertised wait: {inside:#?}");
    for page in 1..=8 {
        let served = arrivals.iter().filter(|a| a.page == page && a.status == 200).count();
        assert_eq!(served, 1, "page {page} served once");
    }
    assert!(arrivals.iter().all(|a| a.page <= 8), "nothing past the end: {:?}", timeline.pages());
    assert!(
        most_sent_together(&arrivals, Duration::from_millis(15)) >= 3,
        "the walk fanned out: {arrivals:#?}"
    );
    assert_eq!(walked.retries, 6, "one retry per injected failure");
    let waits: Vec<Duration> = walked.events.iter().filter(|e| e.rate_limited).map(|e| e.wait).collect();
    assert_eq!(waits, [Duration::from_secs(1), Duration::from_millis(500)]);
    assert!(started.elapsed() >= Duration::from_millis(1500), "both waits were kept");
}

/// Two walks of one sync job share a [`RateLimiter`]: the 429 walk A gets
/// holds walk B for the whole wait. Without it (the control), B goes on.
#[tokio::test]
async fn a_shared_limiter_holds_every_walk() {
    async fn run(shared: bool) -> (Timeline, Timeline) {
        let (a, a_log) = page_server(3, Duration::ZERO, |page, attempt, wall| match (page, attempt) {
            (1, 1) => Answer::Refuse(
                status(429, &json!({"message": "slow down"})).with_header("retry-after", "1"),
                Some(wall + Duration::from_secs(1)),
            ),
            _ => Answer::Page,
        })
        .await;
        let (b, b_log) = page_server(12, Duration::from_millis(60), |_, _, _| Answer::Page).await;
        let limiter = RateLimiter::new();
        let other = if shared { limiter.clone() } else { RateLimiter::new() };
        let (walk_a, walk_b) = tokio::join!(
            walk::<Numbers>(a.url("/a"), RetryPolicy::default(), limiter, 1),
            walk::<Numbers>(b.url("/b"), RetryPolicy::default(), other, 1),
        );
        assert_eq!(walk_a.result.unwrap(), all_numbers(3));
        assert_eq!(walk_b.result.unwrap(), all_numbers(12));
        (a_log, b_log)
    }
    let ((a, b), (control_a, control_b)) = tokio::join!(run(true), run(false));
    let inside = inside_waits(&a.arrivals(), &b.arrivals());
    assert!(inside.is_empty(), "walk B sent inside walk A's wait: {inside:#?}");
    assert_eq!(a.count(429), 1);
    let control = inside_waits(&control_a.arrivals(), &control_b.arrivals());
    assert!(control.len() >= 5, "without a shared limiter walk B goes on: {}", control.len());
}

// ---- 2. The wait signals APIs send, one test per family ----

/// Walks 3 pages one request at a time; the first attempt at page 2 gets
/// `refusal`. Checks every item arrived once, the pages sent, and that the
/// retry was not sent before the advertised instant. Returns the retry event.
async fn one_refusal<P>(
    refusal: impl Fn(SystemTime) -> (MockResponse, Option<SystemTime>) + Send + Sync + 'static,
    policy: RetryPolicy,
) -> RetryEvent
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let (server, timeline) = page_server(3, Duration::ZERO, move |page, attempt, wall| {
        if (page, attempt) == (2, 1) {
            let (response, until) = refusal(wall);
            Answer::Refuse(response, until)
        } else {
            Answer::Page
        }
    })
    .await;
    let walked = walk::<P>(server.url("/n"), policy, RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap(), all_numbers(3));
    assert_eq!(timeline.pages(), [1, 2, 2, 3]);
    let arrivals = timeline.arrivals();
    assert!(inside_waits(&arrivals, &arrivals).is_empty(), "{arrivals:#?}");
    let [event] = &walked.events[..] else { panic!("one retry: {:#?}", walked.events) };
    assert_eq!((event.page, event.attempt), (2, 1));
    assert!(event.rate_limited, "{event:?}");
    // The retry went out no sooner than the wait the walk announced.
    assert!(arrivals[2].at - arrivals[1].at >= event.wait, "{event:?} {arrivals:#?}");
    if let Some(until) = arrivals[1].quiet_until {
        assert!(event.from_retry_after, "{event:?}");
        let advertised = until - arrivals[1].at;
        // The client reads the answer a little after the server sent it: an
        // absolute reset leaves it a little less to wait.
        assert!(
            event.wait <= advertised + Duration::from_millis(1)
                && event.wait + Duration::from_millis(100) >= advertised,
            "waited {:?} for an advertised {advertised:?}",
            event.wait
        );
        assert!(arrivals[2].at >= until, "the retry came before the advertised instant");
    }
    event.clone()
}

/// GitHub's primary limit: `403` with `x-ratelimit-remaining: 0` and
/// `x-ratelimit-reset` in epoch seconds. Nothing to declare.
#[tokio::test]
async fn github_403_with_x_ratelimit_reset_in_epoch_seconds() {
    let event = one_refusal::<Numbers>(
        |wall| {
            let reset = whole_second_after(wall, Duration::from_millis(300));
            let body = json!({"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"});
            let response = status(403, &body)
                .with_header("x-ratelimit-limit", "5000")
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-used", "5000")
                .with_header("x-ratelimit-reset", epoch_seconds(reset))
                .with_header("x-ratelimit-resource", "core");
            (response, Some(reset))
        },
        RetryPolicy::default(),
    )
    .await;
    assert_eq!(event.reason, "HTTP 403");
}

/// X (Twitter) and Okta: `429` with `x-rate-limit-reset` in epoch seconds.
#[tokio::test]
async fn twitter_and_okta_429_with_x_rate_limit_reset() {
    one_refusal::<Numbers>(
        |wall| {
            let reset = whole_second_after(wall, Duration::from_millis(300));
            let response = status(429, &json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}))
                .with_header("x-rate-limit-limit", "600")
                .with_header("x-rate-limit-remaining", "0")
                .with_header("x-rate-limit-reset", epoch_seconds(reset));
            (response, Some(reset))
        },
        RetryPolicy::default(),
    )
    .await;
}

/// The IETF draft's separate headers: `RateLimit-Reset` in seconds from now.
#[tokio::test]
async fn ratelimit_reset_in_delta_seconds() {
    one_refusal::<Numbers>(
        |wall| {
            let response = status(429, &json!({"message": "Too Many Requests"}))
                .with_header("ratelimit-limit", "100")
                .with_header("ratelimit-remaining", "0")
                .with_header("ratelimit-reset", "1");
            (response, Some(wall + Duration::from_secs(1)))
        },
        RetryPolicy::default(),
    )
    .await;
}

/// The IETF draft's structured field, both syntaxes: drafts 03-07
/// (`limit=, remaining=, reset=`) and draft 08 on (`"policy";r=;t=`).
#[tokio::test]
async fn ietf_ratelimit_structured_field() {
    let drafts =
        [("limit=100, remaining=0, reset=1", "100;w=60"), ("\"default\";r=0;t=1", "\"default\";q=100;w=60")];
    let runs = drafts.map(|(field, policy)| {
        one_refusal::<Numbers>(
            move |wall| {
                let response = status(429, &json!({"message": "Too Many Requests"}))
                    .with_header("ratelimit", field)
                    .with_header("ratelimit-policy", policy);
                (response, Some(wall + Duration::from_secs(1)))
            },
            RetryPolicy::default(),
        )
    });
    for event in join_all(runs).await {
        assert_eq!(event.wait, Duration::from_secs(1));
    }
}

/// Linear (GraphQL): `400` with `errors[].extensions.code = "RATELIMITED"`,
/// the reset in epoch milliseconds in a header of its own.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages", api_error = "errors")]
#[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
#[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
#[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
struct LinearLike {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

#[tokio::test]
async fn linear_400_with_a_declared_epoch_milliseconds_reset() {
    let event = one_refusal::<LinearLike>(
        |wall| {
            let reset = wall + Duration::from_millis(600);
            let body = json!({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]});
            let response = status(400, &body)
                .with_header("x-ratelimit-requests-limit", "1500")
                .with_header("x-ratelimit-requests-remaining", "0")
                .with_header("x-ratelimit-requests-reset", epoch_millis(reset));
            // Epoch milliseconds: the advertised instant, to the millisecond.
            let reset = UNIX_EPOCH + Duration::from_millis(epoch_millis(reset).parse().unwrap());
            (response, Some(reset))
        },
        RetryPolicy::default(),
    )
    .await;
    assert!(event.wait > Duration::from_millis(400), "{event:?}");

    // The same 400 with another code is final.
    let (server, timeline) = page_server(3, Duration::ZERO, |_, _, _| {
        let body = json!({"errors": [{"message": "Argument Validation Error", "extensions": {"code": "INVALID_INPUT"}}]});
        Answer::Refuse(status(400, &body), None)
    })
    .await;
    let walked = walk::<LinearLike>(server.url("/n"), RetryPolicy::default(), RateLimiter::new(), 1).await;
    let err = walked.result.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Status { rate_limited: false, .. }), "{err:?}");
    assert_eq!(timeline.pages(), [1]);
}

/// Close: the wait is in the 429's body, `error.rate_reset`, in (fractional) seconds.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages")]
#[paginate(rate_limit_wait_field = "error.rate_reset")]
struct CloseLike {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
}

#[tokio::test]
async fn close_wait_in_the_429_body() {
    let event = one_refusal::<CloseLike>(
        |wall| {
            let body = json!({"error": {"rate_reset": 0.6, "message": "API call count exceeded for this 15 second window", "rate_limit": 240, "rate_window": 15, "rate_limit_type": "key"}});
            (status(429, &body), Some(wall + Duration::from_millis(600)))
        },
        RetryPolicy::default(),
    )
    .await;
    assert_eq!(event.wait, Duration::from_millis(600));
}

/// Canvas: `403 Forbidden (Rate Limit Exceeded)` in plain text, no wait; the
/// throttle backoff applies. A 403 without that text is a real 403.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages")]
#[paginate(rate_limit_status = 403, rate_limit_match = "Rate Limit Exceeded")]
struct CanvasLike {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
}

#[tokio::test]
async fn canvas_403_with_rate_limit_exceeded_text() {
    let policy = RetryPolicy::default().throttle_backoff(Duration::from_millis(300));
    let event = one_refusal::<CanvasLike>(
        |_| {
            let response = MockResponse::text(403, "403 Forbidden (Rate Limit Exceeded)")
                .with_header("x-rate-limit-remaining", "12.5")
                .with_header("x-request-cost", "40.8");
            (response, None)
        },
        policy.clone(),
    )
    .await;
    assert!(!event.from_retry_after, "{event:?}");
    assert!(event.wait >= Duration::from_millis(300), "the throttle backoff: {event:?}");

    let (server, timeline) = page_server(3, Duration::ZERO, |_, _, _| {
        Answer::Refuse(
            status(403, &json!({"errors": [{"message": "user not authorized to perform that action"}]})),
            None,
        )
    })
    .await;
    let walked = walk::<CanvasLike>(server.url("/n"), policy, RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap_err().status().map(|s| s.as_u16()), Some(403));
    assert_eq!(timeline.pages(), [1], "a real 403 is final");
}

/// AWS (JSON protocol): throttling is a `400` whose `__type` names it; any
/// other `__type` is a final 400.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages")]
#[paginate(rate_limit_status = 400, rate_limit_field = "__type")]
#[paginate(rate_limit_error = "ThrottlingException,TooManyRequestsException")]
struct AwsLike {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
}

#[tokio::test]
async fn aws_400_throttling_exception() {
    let policy = RetryPolicy::default().throttle_backoff(Duration::from_millis(300));
    let event = one_refusal::<AwsLike>(
        |_| (status(400, &json!({"__type": "ThrottlingException", "message": "Rate exceeded"})), None),
        policy.clone(),
    )
    .await;
    assert!(event.wait >= Duration::from_millis(300), "{event:?}");

    let (server, timeline) = page_server(3, Duration::ZERO, |_, _, _| {
        let body = json!({"__type": "ValidationException", "message": "1 validation error detected"});
        Answer::Refuse(status(400, &body), None)
    })
    .await;
    let walked = walk::<AwsLike>(server.url("/n"), policy, RateLimiter::new(), 1).await;
    let err = walked.result.unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert_eq!(timeline.pages(), [1]);
}

/// A rate limit whose headers say requests remain came from another limit
/// than the advertised window (a per-second burst under an hourly quota):
/// the window's reset, an hour away, is not its wait; the throttle backoff is.
#[tokio::test]
async fn a_rate_limit_with_quota_left_does_not_wait_for_the_window() {
    let policy = RetryPolicy::default().throttle_backoff(Duration::from_millis(100));
    let event = one_refusal::<Numbers>(
        |wall| {
            let response = status(429, &json!({"message": "too many requests per second"}))
                .with_header("x-ratelimit-limit", "5000")
                .with_header("x-ratelimit-remaining", "4999")
                .with_header("x-ratelimit-reset", epoch_seconds(wall + Duration::from_secs(3600)));
            (response, None)
        },
        policy,
    )
    .await;
    assert!(!event.from_retry_after, "{event:?}");
    assert!(event.wait >= Duration::from_millis(100) && event.wait < Duration::from_secs(1), "{event:?}");
}

// ---- 3. Pacing before the 429 ----

/// A page of a cursor walk: `after=N` asks for page N.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Cursored {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

/// The header lines a quota server writes: given the quota, what remains, the
/// reset and now.
type QuotaHeaders = fn(u32, u32, SystemTime, SystemTime) -> Vec<(&'static str, String)>;

/// GitHub's form: `x-ratelimit-*`, the reset in epoch seconds.
fn github_quota(limit: u32, remaining: u32, reset: SystemTime, _: SystemTime) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-used", (limit - remaining).to_string()),
        ("x-ratelimit-reset", epoch_seconds(reset)),
    ]
}

/// Whole seconds from `now` to `reset`, rounded up: what a delta header says.
fn seconds_until(reset: SystemTime, now: SystemTime) -> String {
    let left = reset.duration_since(now).unwrap_or_default();
    (left.as_secs() + u64::from(left.subsec_nanos() > 0)).to_string()
}

/// The IETF draft 08 structured fields.
fn ietf_quota(limit: u32, remaining: u32, reset: SystemTime, now: SystemTime) -> Vec<(&'static str, String)> {
    vec![
        ("ratelimit-policy", format!("\"burst\";q={limit};w=1")),
        ("ratelimit", format!("\"burst\";r={remaining};t={}", seconds_until(reset, now))),
    ]
}

/// The IETF draft's separate headers, the reset in seconds from now.
fn draft_quota(
    limit: u32,
    remaining: u32,
    reset: SystemTime,
    now: SystemTime,
) -> Vec<(&'static str, String)> {
    vec![
        ("ratelimit-limit", limit.to_string()),
        ("ratelimit-remaining", remaining.to_string()),
        ("ratelimit-reset", seconds_until(reset, now)),
    ]
}

/// A cursor walk over `pages` pages against a server that allows `quota`
/// requests per wall-clock second (fixed windows, as GitHub's hour), says
/// what remains on every answer (`headers`), and answers 429 to any request
/// over the quota. `fails(page, attempt)` answers 500 instead of the page
/// (the quota headers go on it too; it counts against the quota).
async fn quota_server(
    quota: u32,
    pages: u64,
    headers: QuotaHeaders,
    fails: fn(u64, u32) -> bool,
) -> (MockServer, Timeline) {
    let timeline = Timeline::default();
    let log = timeline.clone();
    let state = Mutex::new((0_u64, 0_u32, HashMap::<u64, u32>::new()));
    let server = MockServer::start(move |r: &RecordedRequest| {
        let (at, wall) = (Instant::now(), SystemTime::now());
        let page: u64 = r.query("after").map_or(1, |p| p.parse().unwrap());
        let window = wall.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let reset = UNIX_EPOCH + Duration::from_secs(window + 1);
        let mut state = state.lock().unwrap();
        let (current, used, attempts) = &mut *state;
        if *current != window {
            (*current, *used) = (window, 0);
        }
        let (mut response, remaining) = if *used >= quota {
            (status(429, &json!({"message": "API rate limit exceeded"})), 0)
        } else {
            *used += 1;
            let attempt = attempts.entry(page).or_default();
            *attempt += 1;
            let response = if fails(page, *attempt) {
                status(500, &json!({"message": "injected"}))
            } else {
                let next = (page < pages).then_some(page + 1);
                MockResponse::json(json!({"data": numbers(page, pages), "next": next}))
            };
            (response, quota - *used)
        };
        for (name, value) in headers(quota, remaining, reset, wall) {
            response = response.with_header(name, value);
        }
        log.push(Arrival {
            at,
            page,
            status: response.status,
            quiet_until: (remaining == 0).then(|| on_the_wall(wall, at, reset)),
        });
        response
    })
    .await;
    (server, timeline)
}

/// The server advertises its quota; the walk waits for the reset when it is
/// spent, and never meets a 429.
#[tokio::test]
async fn a_spent_quota_paces_the_walk_without_a_429() {
    let (server, timeline) = quota_server(3, 7, github_quota, |_, _| false).await;
    let walked = walk::<Cursored>(server.url("/c"), RetryPolicy::default(), RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap(), all_numbers(7));
    assert_eq!(timeline.count(429), 0, "{:#?}", timeline.arrivals());
    assert_eq!(timeline.pages(), (1..=7).collect::<Vec<_>>());
    assert_eq!(walked.retries, 0, "pacing is no retry");
}

/// A failed answer that says the quota is spent holds the retry until the
/// reset too: a server counts the 500 against the quota, and answers 429 to
/// anything before the reset.
#[tokio::test]
async fn a_spent_quota_on_a_failed_answer_holds_the_retry() {
    let spent_until = Mutex::new(None::<SystemTime>);
    let (server, timeline) = page_server(3, Duration::ZERO, move |page, attempt, wall| {
        let mut spent_until = spent_until.lock().unwrap();
        if spent_until.is_some_and(|reset| wall < reset) {
            return Answer::Refuse(status(429, &json!({"message": "API rate limit exceeded"})), *spent_until);
        }
        if (page, attempt) == (2, 1) {
            let reset = whole_second_after(wall, Duration::from_millis(300));
            *spent_until = Some(reset);
            let response = status(500, &json!({"message": "oops"}))
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-reset", epoch_seconds(reset));
            return Answer::Refuse(response, Some(reset));
        }
        Answer::Page
    })
    .await;
    let walked = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap(), all_numbers(3));
    assert_eq!(timeline.count(429), 0, "{:#?}", timeline.arrivals());
    assert_eq!(timeline.pages(), [1, 2, 2, 3]);
    let arrivals = timeline.arrivals();
    assert!(arrivals[2].at >= arrivals[1].quiet_until.unwrap(), "the retry waited for the reset");
}

/// A client-side rate for APIs that publish one but send no headers: even a
/// fanned-out walk sends its requests at least 50 ms apart.
#[tokio::test]
async fn per_second_spaces_the_requests() {
    let (server, timeline) = page_server(8, Duration::from_millis(5), |_, _, _| Answer::Page).await;
    let walked =
        walk::<Numbers>(server.url("/n"), RetryPolicy::default(), RateLimiter::per_second(20), 4).await;
    assert_eq!(walked.result.unwrap(), all_numbers(8));
    let mut arrivals: Vec<Instant> = timeline.arrivals().iter().map(|a| a.at).collect();
    arrivals.sort();
    let gaps: Vec<Duration> = arrivals.windows(2).map(|w| w[1] - w[0]).collect();
    // Loopback adds a few hundred microseconds either way to a gap of 50 ms.
    assert!(gaps.iter().all(|gap| *gap >= Duration::from_millis(45)), "{gaps:?}");
    assert!(arrivals[7] - arrivals[0] >= Duration::from_millis(345), "{gaps:?}");
}

// ---- 4. A rate limit without a wait ----

/// A 429 or 503 that advertises no wait backs off from about a second; a 500
/// from 250 ms.
#[tokio::test]
async fn a_429_without_a_wait_backs_off_slowly() {
    let (server, timeline) = page_server(4, Duration::ZERO, |page, attempt, _| match (page, attempt) {
        (1, 1) => Answer::Refuse(status(429, &json!({"message": "Too Many Requests"})), None),
        (2, 1) => Answer::Refuse(status(500, &json!({"message": "oops"})), None),
        (3, 1) => Answer::Refuse(status(503, &json!({"message": "busy"})), None),
        _ => Answer::Page,
    })
    .await;
    let walked = walk::<Numbers>(server.url("/n"), RetryPolicy::default(), RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap(), all_numbers(4));
    assert_eq!(timeline.pages(), [1, 1, 2, 2, 3, 3, 4]);
    let [limited, failed, unavailable] = &walked.events[..] else { panic!("{:#?}", walked.events) };
    assert!(limited.rate_limited && !limited.from_retry_after, "{limited:?}");
    assert!(limited.wait >= Duration::from_secs(1) && limited.wait < Duration::from_secs(2), "{limited:?}");
    assert!(!failed.rate_limited, "{failed:?}");
    assert!(failed.wait >= Duration::from_millis(250) && failed.wait < Duration::from_secs(1), "{failed:?}");
    assert!(unavailable.wait >= Duration::from_secs(1), "a 503 is throttled too: {unavailable:?}");
    let arrivals = timeline.arrivals();
    assert!(arrivals[1].at - arrivals[0].at >= limited.wait, "the 429's wait was kept");
}

// ---- 5. Do not retry what cannot succeed ----

/// Short backoffs, for the tests where the wait does not matter.
fn quick() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(50))
}

#[tokio::test]
async fn final_4xx_are_sent_once_and_408_425_are_retried() {
    for code in [401, 403, 404, 422] {
        let (server, timeline) = page_server(2, Duration::ZERO, move |_, _, _| {
            Answer::Refuse(status(code, &json!({"message": "no"})), None)
        })
        .await;
        let walked = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await;
        let err = walked.result.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert!(!err.is_transient(), "{code}: {err}");
        assert_eq!(timeline.pages(), [1], "{code} is sent once");
    }
    for code in [408, 425] {
        let (server, timeline) =
            page_server(2, Duration::ZERO, move |page, attempt, _| match (page, attempt) {
                (1, 1) => Answer::Refuse(status(code, &json!({"message": "again"})), None),
                _ => Answer::Page,
            })
            .await;
        let walked = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await;
        assert_eq!(walked.result.unwrap(), all_numbers(2), "{code}");
        assert_eq!(timeline.pages(), [1, 1, 2], "{code} is retried");
    }
}

#[tokio::test]
async fn a_well_formed_body_of_the_wrong_shape_fails_at_once() {
    let (server, timeline) = page_server(2, Duration::ZERO, |_, _, _| {
        Answer::Refuse(MockResponse::json(json!({"data": "not a list"})), None)
    })
    .await;
    let err = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await.result.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { malformed: false, .. }), "{err:?}");
    assert!(!err.is_transient(), "{err}");
    assert!(!err.to_string().contains("resume"), "resuming cannot help: {err}");
    assert!(err.checkpoint().is_some());
    assert_eq!(timeline.pages(), [1]);

    // A bare array where a struct was expected: the hint names the fix.
    let (server, timeline) =
        page_server(2, Duration::ZERO, |_, _, _| Answer::Refuse(MockResponse::json(json!([1, 2, 3])), None))
            .await;
    let err = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await.result.unwrap_err();
    let ErrorKind::Decode { path, malformed: false, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(path, "", "reported at the top, not inside the array: {err}");
    assert!(err.to_string().contains("the body is a JSON array, not an object"), "{err}");
    assert!(err.to_string().contains("#[serde(transparent)]"), "{err}");
    assert_eq!(timeline.pages(), [1]);
}

#[tokio::test]
async fn a_truncated_or_broken_body_is_retried() {
    let (server, timeline) = page_server(3, Duration::ZERO, |page, attempt, _| match (page, attempt) {
        (1, 1) => Answer::Truncated,
        (2, 1) => Answer::Refuse(
            MockResponse::text(200, "{\"data\": [8, 9,").with_header("content-type", "application/json"),
            None,
        ),
        _ => Answer::Page,
    })
    .await;
    let walked = walk::<Numbers>(server.url("/n"), quick(), RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap(), all_numbers(3));
    assert_eq!(timeline.pages(), [1, 1, 2, 2, 3]);
    assert!(walked.events.iter().all(|e| !e.rate_limited), "{:#?}", walked.events);
}

// ---- 6. Errors in 200 bodies when the data is null ----

#[derive(Debug, Deserialize)]
struct Connection {
    nodes: Vec<Value>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
struct PageInfo {
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Data {
    issues: Connection,
}

/// GraphQL: `{"data": null, "errors": [...]}` with status 200.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after",
    items = "data.issues.nodes",
    item_type = "Value",
    api_error = "errors"
)]
struct IssuesQuery {
    data: Box<Data>,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

/// The same, with GitHub's GraphQL rate limit: `errors[].type = "RATE_LIMITED"` in a 200.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after",
    items = "data.issues.nodes",
    item_type = "Value",
    api_error = "errors",
    rate_limit_field = "errors[].type",
    rate_limit_error = "RATE_LIMITED"
)]
struct LimitedQuery {
    data: Box<Data>,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

/// A last page of two issues.
fn issues_page() -> Value {
    json!({"data": {"issues": {"nodes": [{"id": 1}, {"id": 2}], "pageInfo": {"endCursor": null}}}})
}

#[tokio::test]
async fn a_graphql_error_with_null_data_is_an_api_error_after_one_request() {
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(
            json!({"data": null, "errors": [{"message": "Field 'x' doesn't exist on type 'Query'"}]}),
        )
    })
    .await;
    let err = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({"query": "{ x }", "variables": {}}))
        .paginate::<IssuesQuery>()
        .collect()
        .await
        .unwrap_err();
    let ErrorKind::Api { message, rate_limited } = err.kind() else { panic!("{err:?}") };
    assert_eq!((message.as_str(), *rate_limited), ("Field 'x' doesn't exist on type 'Query'", false));
    assert!(!err.is_transient());
    assert_eq!(server.requests().len(), 1);

    // A declared rate-limit error in the same place is retried, after the throttle backoff.
    let sent = Arc::new(Mutex::new(0));
    let count = Arc::clone(&sent);
    let server = MockServer::start(move |_: &RecordedRequest| {
        let mut sent = count.lock().unwrap();
        *sent += 1;
        if *sent == 1 {
            MockResponse::json(json!({"data": null, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]}))
        } else {
            MockResponse::json(issues_page())
        }
    })
    .await;
    let (events, hook) = recorder();
    let issues = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({"query": "{ issues }", "variables": {}}))
        .paginate::<LimitedQuery>()
        .retry(RetryPolicy::default().throttle_backoff(Duration::from_millis(100)))
        .on_retry(hook)
        .collect()
        .await
        .unwrap();
    assert_eq!(issues.len(), 2);
    assert_eq!(server.requests().len(), 2);
    let events = events.lock().unwrap();
    assert!(events[0].rate_limited && events[0].wait >= Duration::from_millis(100), "{events:?}");
}

// ---- Walk-wide budgets ----

/// Every page fails once with `503 Retry-After: 0.2`.
async fn every_page_fails_once() -> (MockServer, Timeline) {
    page_server(5, Duration::ZERO, |_, attempt, wall| {
        if attempt == 1 {
            let response = status(503, &json!({"message": "busy"})).with_header("retry-after", "0.2");
            Answer::Refuse(response, Some(wall + Duration::from_millis(200)))
        } else {
            Answer::Page
        }
    })
    .await
}

#[tokio::test]
async fn the_wait_budget_is_for_the_whole_walk() {
    // 0.2 s + 0.2 s fit in 0.5 s; the third wait would not.
    let (server, timeline) = every_page_fails_once().await;
    let policy = RetryPolicy::default().max_total_wait(Duration::from_millis(500));
    let walked = walk::<Numbers>(server.url("/n"), policy, RateLimiter::new(), 1).await;
    let err = walked.result.unwrap_err();
    assert_eq!((err.status().map(|s| s.as_u16()), err.page()), (Some(503), Some(3)), "{err}");
    assert_eq!(timeline.pages(), [1, 1, 2, 2, 3]);
    assert_eq!(walked.retries, 2);
    let waited: Duration = walked.events.iter().map(|e| e.wait).sum();
    assert!(waited <= Duration::from_millis(500), "{waited:?}");
    assert_eq!(err.checkpoint().unwrap().items_delivered, 2 * PER_PAGE);

    // The retry count is walk-wide too.
    let (server, timeline) = every_page_fails_once().await;
    let policy = RetryPolicy::default().max_retries(1);
    let walked = walk::<Numbers>(server.url("/n"), policy, RateLimiter::new(), 1).await;
    assert_eq!(walked.result.unwrap_err().page(), Some(2));
    assert_eq!(timeline.pages(), [1, 1, 2]);
}

// ---- The fault suite's two figures ----

/// Keys for every wait form the figures inject: the Close body field, and
/// Linear's header and error code.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", total_pages = "total_pages", api_error = "errors")]
#[paginate(rate_limit_wait_field = "error.rate_reset")]
#[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
#[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
struct Tolerant {
    #[paginate(items)]
    data: Vec<u64>,
    total_pages: u64,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

/// A rate limit in one wait form: the answer at a wall-clock time, and the
/// instant it advertises.
type WaitForm = fn(SystemTime) -> (MockResponse, SystemTime);

/// A plain 429, before its wait form is added.
fn too_many() -> MockResponse {
    status(429, &json!({"message": "rate limit exceeded"}))
}

/// Every wait form the runtime reads, each kept to a second or less.
const WAIT_FORMS: [(&str, WaitForm); 10] = [
    ("Retry-After: 1", |wall| (too_many().with_header("retry-after", "1"), wall + Duration::from_secs(1))),
    ("Retry-After: 0.4", |wall| {
        (too_many().with_header("retry-after", "0.4"), wall + Duration::from_millis(400))
    }),
    ("Retry-After: HTTP date", |wall| {
        let date = RetryAfter::HttpDate(1).header_value(wall).unwrap();
        // An HTTP date is whole seconds: the advertised instant is the second it names.
        let at = UNIX_EPOCH
            + Duration::from_secs(
                (wall + Duration::from_secs(1)).duration_since(UNIX_EPOCH).unwrap().as_secs(),
            );
        (too_many().with_header("retry-after", date), at)
    }),
    ("403 x-ratelimit-reset (epoch s)", |wall| {
        let reset = whole_second_after(wall, Duration::from_millis(200));
        let response = status(403, &json!({"message": "API rate limit exceeded for user ID 1."}))
            .with_header("x-ratelimit-remaining", "0")
            .with_header("x-ratelimit-reset", epoch_seconds(reset));
        (response, reset)
    }),
    ("x-rate-limit-reset (epoch s)", |wall| {
        let reset = whole_second_after(wall, Duration::from_millis(200));
        let response = too_many()
            .with_header("x-rate-limit-remaining", "0")
            .with_header("x-rate-limit-reset", epoch_seconds(reset));
        (response, reset)
    }),
    ("ratelimit-reset: 1", |wall| {
        let response = too_many().with_header("ratelimit-remaining", "0").with_header("ratelimit-reset", "1");
        (response, wall + Duration::from_secs(1))
    }),
    ("RateLimit: limit=10, remaining=0, reset=1", |wall| {
        (too_many().with_header("ratelimit", "limit=10, remaining=0, reset=1"), wall + Duration::from_secs(1))
    }),
    ("RateLimit: \"default\";r=0;t=1", |wall| {
        (too_many().with_header("ratelimit", "\"default\";r=0;t=1"), wall + Duration::from_secs(1))
    }),
    ("body error.rate_reset: 0.5", |wall| {
        (
            status(429, &json!({"error": {"rate_reset": 0.5, "message": "API call count exceeded"}})),
            wall + Duration::from_millis(500),
        )
    }),
    ("400 RATELIMITED + reset header (epoch ms)", |wall| {
        let reset = wall + Duration::from_millis(500);
        let millis = epoch_millis(reset);
        let body =
            json!({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]});
        let response = status(400, &body).with_header("x-ratelimit-requests-reset", millis.clone());
        (response, UNIX_EPOCH + Duration::from_millis(millis.parse().unwrap()))
    }),
];

/// The fault mix around the rate limits: deterministic per page and attempt.
fn mixed(page: u64, attempt: u32) -> Answer {
    if attempt > 2 {
        return Answer::Page;
    }
    match (page * 7 + u64::from(attempt) * 13) % 10 {
        0 | 1 => Answer::Refuse(status(500, &json!({"message": "injected"})), None),
        2 => Answer::Truncated,
        3 => Answer::Refuse(MockResponse::reset(), None),
        4 => Answer::Refuse(status(503, &json!({"message": "busy"})), None),
        _ => Answer::Page,
    }
}

/// Figure 1: requests sent inside an advertised wait, over a fault mix (500,
/// 503 without a wait, truncated bodies, resets) with two rate limits in each
/// wait form, on fanned-out page walks. Figure 2: 429s received by paced
/// walks against servers that advertise their remaining quota in three header
/// families, with 500s (which spend quota too) mixed in. Both must be 0.
///
/// `cargo test --test rate_limits fault_suite_figures -- --nocapture` prints them.
#[tokio::test]
async fn fault_suite_figures() {
    let started = Instant::now();
    let policy = RetryPolicy::default()
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .throttle_backoff(Duration::from_millis(20))
        .max_attempts(6);
    let forms = WAIT_FORMS.map(|(name, form)| {
        let policy = policy.clone();
        async move {
            let (server, timeline) =
                page_server(16, Duration::from_millis(10), move |page, attempt, wall| {
                    match (page, attempt) {
                        (4 | 11, 1) => {
                            let (response, until) = form(wall);
                            Answer::Refuse(response, Some(until))
                        }
                        _ => mixed(page, attempt),
                    }
                })
                .await;
            let walked = walk::<Tolerant>(server.url("/n"), policy, RateLimiter::new(), 4).await;
            let items = walked.result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(items, all_numbers(16), "{name}: every item exactly once, in order");
            let arrivals = timeline.arrivals();
            assert!(arrivals.iter().filter(|a| a.quiet_until.is_some()).count() >= 2, "{name}");
            (name, inside_waits(&arrivals, &arrivals).len(), arrivals.len())
        }
    });
    let families: [(&str, QuotaHeaders); 3] =
        [("x-ratelimit-*", github_quota), ("RateLimit (draft 08)", ietf_quota), ("RateLimit-*", draft_quota)];
    let paced = families.map(|(name, headers)| {
        let policy = policy.clone();
        async move {
            let (server, timeline) =
                quota_server(3, 6, headers, |page, attempt| attempt == 1 && page % 3 == 0).await;
            let walked = walk::<Cursored>(server.url("/c"), policy, RateLimiter::new(), 1).await;
            assert_eq!(walked.result.unwrap_or_else(|e| panic!("{name}: {e}")), all_numbers(6), "{name}");
            (name, timeline.count(429), timeline.arrivals().len())
        }
    });
    let (forms, paced) = tokio::join!(join_all(forms), join_all(paced));

    let inside: usize = forms.iter().map(|(_, inside, _)| inside).sum();
    let sent: usize = forms.iter().map(|(_, _, sent)| sent).sum();
    eprintln!(
        "requests sent inside an advertised wait: {inside} (of {sent} requests, {} wait forms)",
        forms.len()
    );
    for (name, inside, sent) in &forms {
        eprintln!("  {name}: {inside} of {sent}");
    }
    let limited: usize = paced.iter().map(|(_, limited, _)| limited).sum();
    let paced_sent: usize = paced.iter().map(|(_, _, sent)| sent).sum();
    eprintln!(
        "429s received by a paced walk: {limited} (of {paced_sent} requests, {} header families)",
        paced.len()
    );
    for (name, limited, sent) in &paced {
        eprintln!("  {name}: {limited} of {sent}");
    }
    eprintln!("in {:?}", started.elapsed());
    assert_eq!(inside, 0, "{forms:?}");
    assert_eq!(limited, 0, "{paced:?}");
}

/// Pacing with several requests in flight: a fanned-out page walk against a
/// server that allows 5 requests per whole second, says what is left, and
/// answers 429 past it. The gate counts the requests already in flight
/// against what the server says is left, so it closes before the quota runs
/// out, not after the 429s.
#[tokio::test]
async fn a_fanned_out_walk_paces_before_the_quota_runs_out() {
    const QUOTA: u32 = 5;
    const PAGES: u64 = 11;
    let counts = Mutex::new(HashMap::<u64, u32>::new());
    let refused = Arc::new(Mutex::new(0_u32));
    let refusals = Arc::clone(&refused);
    let server = MockServer::start(move |r: &RecordedRequest| {
        let wall = SystemTime::now();
        let window = wall.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let reset = epoch_seconds(UNIX_EPOCH + Duration::from_secs(window + 1));
        let mut counts = counts.lock().unwrap();
        let used = counts.entry(window).or_default();
        if *used >= QUOTA {
            *refusals.lock().unwrap() += 1;
            return status(429, &json!({"message": "API rate limit exceeded"}))
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-reset", reset);
        }
        *used += 1;
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        MockResponse::json(json!({"data": [page * 10, page * 10 + 1], "total_pages": PAGES}))
            .with_header("x-ratelimit-remaining", (QUOTA - *used).to_string())
            .with_header("x-ratelimit-reset", reset)
    })
    .await;
    let walked = walk::<Numbers>(server.url("/n"), RetryPolicy::default(), RateLimiter::new(), 4).await;
    let numbers = walked.result.unwrap();
    assert_eq!(numbers, (1..=PAGES).flat_map(|p| [p * 10, p * 10 + 1]).collect::<Vec<_>>());
    assert_eq!(*refused.lock().unwrap(), 0, "no 429: the walk paced itself with 4 requests in flight");
}
