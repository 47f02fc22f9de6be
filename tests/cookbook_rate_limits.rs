//! Cookbook, rate limits: APIs that say "wait" in their own way. Each module
//! declares one API exactly as `docs/cookbook.md` shows it (the text between
//! `// cookbook:` and `// end cookbook` is copied there) and walks a small
//! loopback fake that enforces that API's limit the way the API does (any
//! request before the reset is refused): the exact requests, no request
//! before an advertised instant, every item once and in order.
#![allow(dead_code)] // The declarations carry realistic fields that the tests do not all read.
#![allow(clippy::wildcard_imports)] // Every API module takes the shared helpers with `use super::*`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, RateLimiter, RetryEvent, RetryPolicy, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

mod common;
#[allow(unused_imports)] // each API module takes what it needs through `use super::*`
use common::cookbook::{error, origin, param, paths, query_without, walk};

/// A fixed-window quota: `limit` requests per window, the window starting
/// at the first request after the previous one reset. `reset_after(start)`
/// is when a window that starts at `start` resets.
struct Quota {
    limit: u32,
    reset_after: fn(SystemTime) -> SystemTime,
    /// The current window's reset and the requests it counted.
    window: Mutex<Option<(SystemTime, u32)>>,
}

impl Quota {
    /// A quota nobody has used yet.
    fn new(limit: u32, reset_after: fn(SystemTime) -> SystemTime) -> Quota {
        Quota { limit, reset_after, window: Mutex::new(None) }
    }

    /// A quota another client already spent: the window starts now, full.
    fn spent(limit: u32, reset_after: fn(SystemTime) -> SystemTime) -> Quota {
        let quota = Quota::new(limit, reset_after);
        *quota.window.lock().unwrap() = Some((reset_after(SystemTime::now()), limit));
        quota
    }

    /// Counts a request at `now`: the requests left after it, or `None` when
    /// it is over the quota; and the window's reset.
    fn take(&self, now: SystemTime) -> (Option<u32>, SystemTime) {
        let mut window = self.window.lock().unwrap();
        let (reset, used) = match *window {
            Some((reset, used)) if now < reset => (reset, used),
            _ => ((self.reset_after)(now), 0),
        };
        if used >= self.limit {
            return (None, reset);
        }
        *window = Some((reset, used + 1));
        (Some(self.limit - used - 1), reset)
    }
}

/// The first whole second at least half a second after `start`: a reset in
/// epoch seconds.
fn whole_second_reset(start: SystemTime) -> SystemTime {
    let since = (start + Duration::from_millis(500)).duration_since(UNIX_EPOCH).unwrap();
    UNIX_EPOCH + Duration::from_secs(since.as_secs() + u64::from(since.subsec_nanos() > 0))
}

/// `at` in epoch seconds, as GitHub and Intercom write a reset.
fn epoch_seconds(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH).unwrap().as_secs().to_string()
}

/// `reset - now` in seconds, rounded up to the millisecond (`"0.437"`).
fn seconds_left(reset: SystemTime, now: SystemTime) -> String {
    let millis = reset.duration_since(now).unwrap_or_default().as_micros().div_ceil(1000);
    format!("{}.{:03}", millis / 1000, millis % 1000)
}

/// `reset - now` in whole seconds, rounded up.
fn whole_seconds_left(reset: SystemTime, now: SystemTime) -> u64 {
    let left = reset.duration_since(now).unwrap_or_default();
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}

/// What a fake answered, and when.
#[derive(Debug, Clone)]
struct Answered {
    at: SystemTime,
    status: u16,
    /// The reset the answer advertised when it said the quota is spent.
    spent_until: Option<SystemTime>,
}

/// Every answer of a fake, in order.
#[derive(Debug, Clone, Default)]
struct Log(Arc<Mutex<Vec<Answered>>>);

impl Log {
    /// Keeps one answer.
    fn push(&self, at: SystemTime, status: u16, spent_until: Option<SystemTime>) {
        self.0.lock().unwrap().push(Answered { at, status, spent_until });
    }

    /// The statuses answered, in order.
    fn statuses(&self) -> Vec<u16> {
        self.0.lock().unwrap().iter().map(|a| a.status).collect()
    }

    /// Checks that no request came before a reset an earlier answer
    /// advertised, and returns how many requests had to wait for one.
    fn waited_for_resets(&self) -> usize {
        let answers = self.0.lock().unwrap();
        let mut waited = 0;
        for (i, answer) in answers.iter().enumerate() {
            let Some(reset) = answer.spent_until else { continue };
            for later in &answers[i + 1..] {
                assert!(later.at >= reset, "a request {:?} before the reset", reset.duration_since(later.at));
            }
            waited += usize::from(i + 1 < answers.len());
        }
        waited
    }
}

/// A retry hook that keeps every event.
fn recorder() -> (Arc<Mutex<Vec<RetryEvent>>>, impl Fn(&RetryEvent) + Send + Sync + 'static) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event: &RetryEvent| sink.lock().unwrap().push(event.clone()))
}

mod github {
    use super::*;

    // cookbook: github_rate_limits
    #[derive(Debug, Deserialize)]
    struct Repo {
        id: u64,
        full_name: String,
    }

    /// `GET /orgs/{org}/repos`: a bare JSON array, the next page in the `Link`
    /// header. The primary limit (`403` or `429` with `x-ratelimit-remaining: 0`
    /// and `x-ratelimit-reset`) and a secondary limit with `retry-after` are read
    /// by default; a secondary limit that sends neither says so in its message.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "link", page_size_param = "per_page", page_size = 100, max_page_size = 100)]
    #[paginate(rate_limit_status = 403, rate_limit_match = "secondary rate limit")]
    struct Repos {
        #[paginate(items)]
        repos: Vec<Repo>,
    }
    // end cookbook

    const PRIMARY: &str = "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0C00:1A2B:3C4D.";
    const SECONDARY: &str =
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

    /// Five repos of `acme`, `quota` requests per window, the `x-ratelimit-*`
    /// headers on every answer and a 403 to any request over the quota, as
    /// GitHub's primary limit. `refuse(page, attempt)` may answer first.
    async fn fake(quota: Quota, refuse: fn(usize, u32) -> Option<MockResponse>) -> (MockServer, Log) {
        let log = Log::default();
        let answers = log.clone();
        let attempts = Mutex::new(std::collections::HashMap::<usize, u32>::new());
        let server = MockServer::start(move |r: &RecordedRequest| {
            let now = SystemTime::now();
            if r.header("authorization") != Some("Bearer ghp_secret") {
                return error(401, "Bad credentials");
            }
            let per_page: usize = r.query("per_page").map_or(30, |v| v.parse().unwrap());
            let page: usize = r.query("page").map_or(1, |v| v.parse().unwrap());
            let (left, reset) = quota.take(now);
            let mut response = if left.is_none() {
                MockResponse::status(
                    403,
                    json!({"message": PRIMARY, "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}),
                )
            } else {
                let attempt = {
                    let mut attempts = attempts.lock().unwrap();
                    let seen = attempts.entry(page).or_default();
                    *seen += 1;
                    *seen
                };
                refuse(page, attempt).unwrap_or_else(|| repos_page(r, page, per_page))
            };
            let remaining = left.unwrap_or(0);
            response = response
                .with_header("x-ratelimit-limit", quota.limit.to_string())
                .with_header("x-ratelimit-remaining", remaining.to_string())
                .with_header("x-ratelimit-used", (quota.limit - remaining).to_string())
                .with_header("x-ratelimit-reset", epoch_seconds(reset))
                .with_header("x-ratelimit-resource", "core");
            answers.push(now, response.status, (remaining == 0).then_some(reset));
            response
        })
        .await;
        (server, log)
    }

    /// Page `page` of the five repos, with the `Link` to the next one.
    fn repos_page(r: &RecordedRequest, page: usize, per_page: usize) -> MockResponse {
        let repos: Vec<Value> = (1..=5_u64)
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|n| json!({"id": n, "full_name": format!("acme/repo-{n}")}))
            .collect();
        let response = MockResponse::json(json!(repos));
        if page * per_page < 5 {
            let next = format!(
                "<{}{}?{}&page={}>; rel=\"next\"",
                origin(r),
                r.path,
                query_without(r, "page"),
                page + 1
            );
            response.with_header("link", next)
        } else {
            response
        }
    }

    /// The walk's request, as GitHub wants it.
    fn request(server: &MockServer) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .get(server.url("/orgs/acme/repos?type=public"))
            .bearer_auth("ghp_secret")
            .header("x-github-api-version", "2022-11-28")
    }

    #[tokio::test]
    async fn waits_for_the_reset_when_the_quota_is_spent() {
        let (server, log) = fake(Quota::new(2, whole_second_reset), |_, _| None).await;
        let (repos, end) = walk(request(&server).paginate::<Repos>().page_size(2)).await;

        assert_eq!(repos.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(end, Some(StopReason::NoNextLink));
        assert_eq!(log.statuses(), [200, 200, 200], "never a 403: the walk paced itself");
        assert_eq!(log.waited_for_resets(), 1, "page 3 waited for the reset page 2 announced");
        assert_eq!(param(&server.requests(), "page"), [None, Some("2".into()), Some("3".into())]);
    }

    #[tokio::test]
    async fn a_spent_quota_403_waits_for_the_reset() {
        // Another client of the same token spent the quota.
        let (server, log) = fake(Quota::spent(5, whole_second_reset), |_, _| None).await;
        let (repos, _) = walk(request(&server).paginate::<Repos>()).await;
        assert_eq!(repos.len(), 5);
        assert_eq!(log.statuses(), [403, 200]);
        assert_eq!(log.waited_for_resets(), 1);
    }

    #[tokio::test]
    async fn secondary_limits_wait_and_a_real_403_does_not() {
        let (server, log) =
            fake(Quota::new(100, whole_second_reset), |page, attempt| match (page, attempt) {
                (2, 1) => Some(
                    MockResponse::status(403, json!({"message": SECONDARY})).with_header("retry-after", "1"),
                ),
                // No header at all: only the message says it.
                (3, 1) => Some(MockResponse::status(403, json!({"message": SECONDARY}))),
                _ => None,
            })
            .await;
        let (events, hook) = recorder();
        // A test's throttle backoff; GitHub asks for a minute.
        let policy = RetryPolicy::default().throttle_backoff(Duration::from_millis(200));
        let paginator = request(&server).paginate::<Repos>().page_size(2).retry(policy).on_retry(hook);
        let (repos, _) = walk(paginator).await;
        assert_eq!(repos.len(), 5);
        assert_eq!(log.statuses(), [200, 403, 200, 403, 200]);
        let events = events.lock().unwrap().clone();
        let [after, without] = &events[..] else { panic!("{events:#?}") };
        assert!(after.rate_limited && after.from_retry_after, "{after:?}");
        assert_eq!(after.wait, Duration::from_secs(1));
        assert!(without.rate_limited && !without.from_retry_after, "{without:?}");
        assert!(without.wait >= Duration::from_millis(200), "{without:?}");

        // A 403 that is not a rate limit is final.
        let (server, log) = fake(Quota::new(100, whole_second_reset), |_, _| {
            Some(MockResponse::status(403, json!({"message": "Resource not accessible by integration"})))
        })
        .await;
        let err = request(&server).paginate::<Repos>().collect().await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Status { rate_limited: false, .. }), "{err:?}");
        assert_eq!(log.statuses(), [403]);
    }
}

mod close {
    use super::*;

    // cookbook: close_rate_limits
    #[derive(Debug, Deserialize)]
    struct Lead {
        id: String,
        display_name: String,
    }

    /// Close `GET /api/v1/lead/`: `_skip` and `_limit`, until `has_more` is false.
    /// A 429 says how long to wait in its body, `error.rate_reset`, in seconds.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "offset", offset_param = "_skip", page_size_param = "_limit", has_more = "has_more")]
    #[paginate(page_size = 100, max_page_size = 100)]
    #[paginate(rate_limit_wait_field = "error.rate_reset")]
    struct Leads {
        #[paginate(items)]
        data: Vec<Lead>,
        has_more: bool,
    }
    // end cookbook

    /// Five leads; 2 requests per half-second window, 429 with the seconds
    /// left in `rate_reset` to any request over it, as Close's limit.
    async fn fake() -> (MockServer, Log) {
        let log = Log::default();
        let answers = log.clone();
        let quota = Quota::new(2, |start| start + Duration::from_millis(500));
        let server = MockServer::start(move |r: &RecordedRequest| {
            let now = SystemTime::now();
            let (left, reset) = quota.take(now);
            let Some(_) = left else {
                answers.push(now, 429, Some(reset));
                let body = json!({"error": {"rate_reset": seconds_left(reset, now).parse::<f64>().unwrap(), "message": "API call count exceeded for this 15 second window", "rate_limit": 2, "rate_window": 15, "rate_limit_type": "key"}});
                return MockResponse::status(429, body);
            };
            answers.push(now, 200, None);
            let skip: usize = r.query("_skip").map_or(0, |v| v.parse().unwrap());
            let limit: usize = r.query("_limit").map_or(100, |v| v.parse().unwrap());
            let data: Vec<Value> = (skip..5)
                .take(limit)
                .map(|n| json!({"id": format!("lead_{n}"), "display_name": format!("Lead {n}")}))
                .collect();
            MockResponse::json(json!({"data": data, "has_more": skip + limit < 5}))
        })
        .await;
        (server, log)
    }

    #[tokio::test]
    async fn waits_the_rate_reset_of_the_429_body() {
        let (server, log) = fake().await;
        let (events, hook) = recorder();
        let request = reqwest::Client::new().get(server.url("/api/v1/lead/")).basic_auth("api_key", Some(""));
        let (leads, end) = walk(request.paginate::<Leads>().page_size(2).on_retry(hook)).await;

        assert_eq!(
            leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["lead_0", "lead_1", "lead_2", "lead_3", "lead_4"]
        );
        assert_eq!(end, Some(StopReason::NoMore));
        assert_eq!(
            param(&server.requests(), "_skip"),
            [Some("0".into()), Some("2".into()), Some("4".into()), Some("4".into())]
        );
        assert_eq!(log.statuses(), [200, 200, 429, 200], "one 429, and the retry after its wait");
        assert_eq!(log.waited_for_resets(), 1);
        let events = events.lock().unwrap();
        assert!(events[0].from_retry_after && events[0].wait > Duration::from_millis(300), "{events:?}");
    }
}

mod intercom {
    use super::*;

    // cookbook: intercom_rate_limits
    #[derive(Debug, Deserialize)]
    struct Contact {
        id: String,
        email: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Next {
        starting_after: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Pages {
        next: Option<Next>,
    }

    /// Intercom `GET /contacts`. Every answer carries `X-RateLimit-Remaining` and
    /// `X-RateLimit-Reset` in epoch seconds; a spent quota is a 429. Both are
    /// read by default: nothing to declare.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after")]
    #[paginate(page_size_param = "per_page", page_size = 150, max_page_size = 150)]
    struct Contacts {
        #[paginate(items)]
        data: Vec<Contact>,
        pages: Pages,
    }
    // end cookbook

    /// Five contacts; `quota` requests per window, the headers on every answer,
    /// and Intercom's 429 to any request over it.
    async fn fake(quota: Quota) -> (MockServer, Log) {
        let log = Log::default();
        let answers = log.clone();
        let server = MockServer::start(move |r: &RecordedRequest| {
            let now = SystemTime::now();
            let (left, reset) = quota.take(now);
            let mut response = if left.is_none() {
                MockResponse::status(
                    429,
                    json!({"type": "error.list", "errors": [{"code": "rate_limit_exceeded", "message": "Exceeded rate limit of 2 in 10_seconds"}]}),
                )
            } else {
                    let per_page: usize = r.query("per_page").map_or(50, |v| v.parse().unwrap());
                    let start = r.query("starting_after").map_or(0, |c| c.trim_start_matches("c_").parse::<usize>().unwrap() + 1);
                    let data: Vec<Value> = (start..5).take(per_page).map(|n| json!({"id": format!("c_{n}"), "email": null})).collect();
                    let next = (start + per_page < 5).then(|| json!({"starting_after": format!("c_{}", start + per_page - 1)}));
                    MockResponse::json(json!({"type": "list", "data": data, "pages": {"next": next}}))
            };
            let remaining = left.unwrap_or(0);
            response = response
                .with_header("x-ratelimit-limit", quota.limit.to_string())
                .with_header("x-ratelimit-remaining", remaining.to_string())
                .with_header("x-ratelimit-reset", epoch_seconds(reset));
            answers.push(now, response.status, (remaining == 0).then_some(reset));
            response
        })
        .await;
        (server, log)
    }

    /// The walk's request, as Intercom wants it.
    fn request(server: &MockServer) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .get(server.url("/contacts"))
            .bearer_auth("tok")
            .header("intercom-version", "2.11")
    }

    #[tokio::test]
    async fn paces_itself_on_the_epoch_reset() {
        let (server, log) = fake(Quota::new(2, whole_second_reset)).await;
        let (contacts, _) = walk(request(&server).paginate::<Contacts>().page_size(2)).await;
        assert_eq!(
            contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c_0", "c_1", "c_2", "c_3", "c_4"]
        );
        assert_eq!(log.statuses(), [200, 200, 200], "never a 429");
        assert_eq!(log.waited_for_resets(), 1);
        assert_eq!(
            param(&server.requests(), "starting_after"),
            [None, Some("c_1".into()), Some("c_3".into())]
        );
    }

    #[tokio::test]
    async fn a_429_waits_until_the_epoch_reset() {
        let (server, log) = fake(Quota::spent(10, whole_second_reset)).await;
        let (contacts, _) = walk(request(&server).paginate::<Contacts>()).await;
        assert_eq!(contacts.len(), 5);
        assert_eq!(log.statuses(), [429, 200]);
        assert_eq!(log.waited_for_resets(), 1);
    }
}

mod ietf {
    use super::*;

    // cookbook: ietf_ratelimit
    #[derive(Debug, Deserialize)]
    struct Item {
        id: String,
    }

    /// `GET /v1/items?cursor=`: the next cursor is `next_cursor`. The server
    /// describes its quota in the IETF `RateLimit` and `RateLimit-Policy`
    /// fields (or the older `RateLimit-Limit` / `-Remaining` / `-Reset`
    /// headers), which are read by default: nothing to declare.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "next_cursor", cursor_param = "cursor")]
    #[paginate(page_size_param = "limit", page_size = 100, max_page_size = 100)]
    struct Items {
        #[paginate(items)]
        items: Vec<Item>,
        next_cursor: Option<String>,
    }
    // end cookbook

    /// How a server writes its quota: limit, remaining, whole seconds to the reset.
    type Fields = fn(u32, u32, u64) -> Vec<(&'static str, String)>;

    /// Draft 08 on: `RateLimit-Policy` and `RateLimit` as structured fields.
    fn draft_08(limit: u32, remaining: u32, reset: u64) -> Vec<(&'static str, String)> {
        vec![
            ("ratelimit-policy", format!("\"default\";q={limit};w=1")),
            ("ratelimit", format!("\"default\";r={remaining};t={reset}")),
        ]
    }

    /// Drafts 03 to 07: one `RateLimit` field with `limit`, `remaining`, `reset`.
    fn draft_03(limit: u32, remaining: u32, reset: u64) -> Vec<(&'static str, String)> {
        vec![("ratelimit", format!("limit={limit}, remaining={remaining}, reset={reset}"))]
    }

    /// Drafts 00 to 02: three headers.
    fn draft_00(limit: u32, remaining: u32, reset: u64) -> Vec<(&'static str, String)> {
        vec![
            ("ratelimit-limit", limit.to_string()),
            ("ratelimit-remaining", remaining.to_string()),
            ("ratelimit-reset", reset.to_string()),
        ]
    }

    /// Five items; `quota` requests per window, the quota in `fields` on every
    /// answer, 429 to any request over it.
    async fn fake(quota: Quota, fields: Fields) -> (MockServer, Log) {
        let log = Log::default();
        let answers = log.clone();
        let server = MockServer::start(move |r: &RecordedRequest| {
            let now = SystemTime::now();
            let (left, reset) = quota.take(now);
            let mut response = if left.is_none() {
                MockResponse::status(429, json!({"title": "Too Many Requests", "status": 429}))
            } else {
                let limit: usize = r.query("limit").map_or(100, |v| v.parse().unwrap());
                let start: usize = r.query("cursor").map_or(0, |c| c.parse().unwrap());
                let items: Vec<Value> =
                    (start..5).take(limit).map(|n| json!({"id": format!("item_{n}")})).collect();
                let next = (start + limit < 5).then(|| (start + limit).to_string());
                MockResponse::json(json!({"items": items, "next_cursor": next}))
            };
            let remaining = left.unwrap_or(0);
            for (name, value) in fields(quota.limit, remaining, whole_seconds_left(reset, now)) {
                response = response.with_header(name, value);
            }
            answers.push(now, response.status, (remaining == 0).then_some(reset));
            response
        })
        .await;
        (server, log)
    }

    /// A window of one second.
    fn one_second(start: SystemTime) -> SystemTime {
        start + Duration::from_secs(1)
    }

    #[tokio::test]
    async fn every_draft_paces_the_walk_and_a_429_waits() {
        let runs = [draft_08, draft_03, draft_00].map(|fields| async move {
            // Paced: the walk waits when the quota is spent, and meets no 429.
            let (server, log) = fake(Quota::new(2, one_second), fields).await;
            let request = reqwest::Client::new().get(server.url("/v1/items"));
            let (items, _) = walk(request.paginate::<Items>().page_size(2)).await;
            assert_eq!(
                items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
                ["item_0", "item_1", "item_2", "item_3", "item_4"]
            );
            assert_eq!(log.statuses(), [200, 200, 200]);
            assert_eq!(log.waited_for_resets(), 1);

            // Spent by someone else: the 429 says when it resets.
            let (server, log) = fake(Quota::spent(5, one_second), fields).await;
            let (items, _) =
                walk(reqwest::Client::new().get(server.url("/v1/items")).paginate::<Items>()).await;
            assert_eq!(items.len(), 5);
            assert_eq!(log.statuses(), [429, 200]);
            assert_eq!(log.waited_for_resets(), 1);
        });
        futures_util::future::join_all(runs).await;
    }

    #[tokio::test]
    async fn walks_of_one_key_share_a_limiter() {
        // Two lists behind one quota: the 429 the first walk meets holds the second.
        let (server, log) = fake(Quota::spent(10, one_second), draft_08).await;
        let limiter = RateLimiter::new();
        let first = reqwest::Client::new()
            .get(server.url("/v1/items"))
            .paginate::<Items>()
            .rate_limiter(limiter.clone());
        let first = tokio::spawn(async move { first.collect().await.map(|items| items.len()) });
        // The second walk starts once the first met the 429 and holds the limiter.
        while limiter.held_for().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let second = reqwest::Client::new()
            .get(server.url("/v1/items?kind=b"))
            .paginate::<Items>()
            .rate_limiter(limiter);
        assert_eq!(second.collect().await.unwrap().len(), 5);
        assert_eq!(first.await.unwrap().unwrap(), 5);
        assert_eq!(log.statuses(), [429, 200, 200], "the second walk sent nothing before the reset");
        assert_eq!(paths(&server.requests()), ["/v1/items"; 3]);
    }
}
