//! Fault injection: wrap any [`MockServer`] handler (or a whole [`MockApi`])
//! so that a deterministic share of its answers fail the way real APIs fail:
//! `429` and `503` with every form of `Retry-After`, `500`, `502`, a body cut
//! short, a connection closed without an answer, a slow answer.
//!
//! A [`FaultPlan`] says how often each [`Fault`] happens (per mille of
//! requests) and is seeded, so a failing run replays exactly: whether a
//! request is faulted depends only on the seed, the request (method, path,
//! query and body) and how many times that same request was seen before, not
//! on timing or on the order of concurrent requests.
//!
//! Faults never make a walk impossible: the same request is faulted at most
//! [`max_consecutive`](FaultPlan::max_consecutive) times in a row (2 by
//! default), then answered by the handler, so a client that makes more
//! attempts than that always gets through. The [`FaultLog`] counts every
//! request and every fault injected, to compare with the retries a client
//! reports.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use paginated::testing::faults::{Fault, FaultPlan, RetryAfter, with_faults};
//! use paginated::testing::{MockResponse, MockServer};
//!
//! // Every request fails once with a 503, then succeeds.
//! let plan = FaultPlan::new(7)
//!     .rate(Fault::Unavailable(RetryAfter::Seconds(0)), 1000)
//!     .max_consecutive(1);
//! let (handler, log) = with_faults(plan, |_| MockResponse::json(serde_json::json!({"ok": true})));
//! let server = MockServer::start(handler).await;
//!
//! let client = reqwest::Client::new();
//! let first = client.get(server.url("/ping")).send().await.unwrap();
//! assert_eq!(first.status().as_u16(), 503);
//! assert_eq!(first.headers()["retry-after"], "0");
//! let second = client.get(server.url("/ping")).send().await.unwrap();
//! assert_eq!(second.status().as_u16(), 200);
//!
//! assert_eq!((log.requests(), log.faults()), (2, 1));
//! assert_eq!(log.count(&Fault::Unavailable(RetryAfter::Seconds(0))), 1);
//! # }
//! ```

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::server::{MockResponse, MockServer, RecordedRequest};
use super::{MockApi, MockApiBuilder, route};

/// What a `429` or `503` fault says in its `Retry-After` header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryAfter {
    /// No `Retry-After` header: the client falls back to its own backoff.
    Absent,
    /// Whole seconds: `Retry-After: 0`.
    Seconds(u64),
    /// Decimal seconds, always written with a decimal point:
    /// `Decimal(0.01)` is `Retry-After: 0.01`, `Decimal(2.0)` is `2.0`.
    Decimal(f64),
    /// An HTTP date this many seconds from the moment of the answer; negative
    /// is in the past (which means "now"). HTTP dates have whole-second
    /// precision, so `HttpDate(2)` asks for a wait between 1 and 2 seconds.
    HttpDate(i64),
}

impl RetryAfter {
    /// The header value at `now`; `None` for [`RetryAfter::Absent`].
    pub fn header_value(&self, now: SystemTime) -> Option<String> {
        match *self {
            RetryAfter::Absent => None,
            RetryAfter::Seconds(seconds) => Some(seconds.to_string()),
            RetryAfter::Decimal(seconds) => {
                let text = seconds.to_string();
                Some(if text.contains('.') { text } else { format!("{text}.0") })
            }
            RetryAfter::HttpDate(offset) => {
                let shift = Duration::from_secs(offset.unsigned_abs());
                let date = if offset >= 0 { now + shift } else { now - shift };
                Some(httpdate::fmt_http_date(date))
            }
        }
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RetryAfter::Absent => f.write_str("no Retry-After"),
            RetryAfter::HttpDate(offset) => write!(f, "Retry-After: HTTP date now{offset:+}s"),
            _ => {
                let value = self.header_value(SystemTime::UNIX_EPOCH).unwrap_or_default();
                write!(f, "Retry-After: {value}")
            }
        }
    }
}

/// One way an answer can fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// `429 Too Many Requests`, with a JSON error body.
    TooManyRequests(RetryAfter),
    /// `503 Service Unavailable`, with a JSON error body.
    Unavailable(RetryAfter),
    /// `500 Internal Server Error`, with a JSON error body.
    InternalError,
    /// `502 Bad Gateway`, with the HTML body a proxy sends.
    BadGateway,
    /// The handler's answer with its body cut in half: the headers announce
    /// the whole length, half the bytes follow, then the connection closes
    /// ([`MockResponse::truncated`]).
    TruncatedBody,
    /// No answer: the connection closes once the request is read
    /// ([`MockResponse::reset`]).
    ConnectionReset,
    /// The handler's answer, complete but this much later. Not a failure by
    /// itself; it becomes one for a client whose timeout is shorter.
    Slow(Duration),
}

impl Fault {
    /// Whether the faulted attempt fails whatever the client: every fault but
    /// [`Fault::Slow`], which only fails a client that times out first.
    pub fn fails_attempt(&self) -> bool {
        !matches!(self, Fault::Slow(_))
    }

    /// The answer to `request` with this fault; `handler` gives the real
    /// answer for the faults that need it (truncated, slow).
    fn answer(
        &self,
        request: &RecordedRequest,
        handler: &dyn Fn(&RecordedRequest) -> MockResponse,
    ) -> MockResponse {
        let refuse = |status: u16, message: &str, retry_after: RetryAfter| {
            let response = MockResponse::status(status, json!({ "error": message, "injected_fault": true }));
            match retry_after.header_value(SystemTime::now()) {
                Some(value) => response.with_header("retry-after", value),
                None => response,
            }
        };
        match *self {
            Fault::TooManyRequests(retry_after) => refuse(429, "rate limit exceeded", retry_after),
            Fault::Unavailable(retry_after) => refuse(503, "service unavailable", retry_after),
            Fault::InternalError => refuse(500, "internal server error", RetryAfter::Absent),
            Fault::BadGateway => MockResponse::text(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>",
            )
            .with_header("content-type", "text/html"),
            Fault::TruncatedBody => {
                let answer = handler(request);
                let half = answer.body.len() / 2;
                answer.truncated(half)
            }
            Fault::ConnectionReset => MockResponse::reset(),
            Fault::Slow(delay) => {
                let mut answer = handler(request);
                answer.delay = Some(answer.delay.unwrap_or_default() + delay);
                answer
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::TooManyRequests(retry_after) => write!(f, "429 ({retry_after})"),
            Fault::Unavailable(retry_after) => write!(f, "503 ({retry_after})"),
            Fault::InternalError => f.write_str("500"),
            Fault::BadGateway => f.write_str("502"),
            Fault::TruncatedBody => f.write_str("truncated body"),
            Fault::ConnectionReset => f.write_str("connection reset"),
            Fault::Slow(delay) => write!(f, "slow {delay:?}"),
        }
    }
}

/// Which request to fault, for [`FaultPlan::only_if`].
type RequestFilter = Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>;

/// How often each [`Fault`] happens, from a seed. Build one with
/// [`FaultPlan::new`] and [`FaultPlan::rate`], then wrap a handler with
/// [`with_faults`] or start a faulty mock API with
/// [`MockApiBuilder::start_with_faults`].
///
/// ```
/// use std::time::Duration;
/// use paginated::testing::faults::{Fault, FaultPlan, RetryAfter};
///
/// // 30% of requests fail, in five different ways.
/// let plan = FaultPlan::new(42)
///     .rate(Fault::TooManyRequests(RetryAfter::Decimal(0.01)), 100)
///     .rate(Fault::Unavailable(RetryAfter::Absent), 50)
///     .rate(Fault::BadGateway, 50)
///     .rate(Fault::TruncatedBody, 50)
///     .rate(Fault::ConnectionReset, 50);
/// assert_eq!(plan.total_rate(), 300);
/// ```
#[derive(Clone)]
pub struct FaultPlan {
    seed: u64,
    rates: Vec<(Fault, u32)>,
    max_consecutive: u32,
    filter: Option<RequestFilter>,
}

impl FaultPlan {
    /// A plan that injects nothing yet, seeded with `seed`; at most 2
    /// consecutive faults per request.
    pub fn new(seed: u64) -> FaultPlan {
        FaultPlan { seed, rates: Vec::new(), max_consecutive: 2, filter: None }
    }

    /// Injects `fault` on `per_mille` of every thousand requests (a fault
    /// given twice adds up).
    ///
    /// # Panics
    ///
    /// If the rates of the plan add up to more than 1000.
    pub fn rate(mut self, fault: Fault, per_mille: u32) -> FaultPlan {
        match self.rates.iter_mut().find(|(known, _)| *known == fault) {
            Some((_, rate)) => *rate += per_mille,
            None => self.rates.push((fault, per_mille)),
        }
        assert!(
            self.total_rate() <= 1000,
            "fault rates add up to {} per mille, above 1000",
            self.total_rate()
        );
        self
    }

    /// The most times in a row the same request (method, path, query and
    /// body) is faulted before it is answered normally (default 2). A client
    /// making more attempts per request than this always completes its walk;
    /// `u32::MAX` lifts the cap.
    pub fn max_consecutive(mut self, faults: u32) -> FaultPlan {
        self.max_consecutive = faults;
        self
    }

    /// Faults only the requests for which `filter` is true (all by default);
    /// the others are always answered by the handler.
    pub fn only_if(mut self, filter: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static) -> FaultPlan {
        self.filter = Some(Arc::new(filter));
        self
    }

    /// The sum of every fault's rate, per mille.
    pub fn total_rate(&self) -> u32 {
        self.rates.iter().map(|(_, rate)| rate).sum()
    }

    /// The fault for a request whose key is `key`, seen `attempt` times before.
    fn pick(&self, key: u64, attempt: u64) -> Option<Fault> {
        let roll = splitmix64(self.seed ^ splitmix64(key ^ splitmix64(attempt))) % 1000;
        let mut threshold = 0;
        for (fault, rate) in &self.rates {
            threshold += u64::from(*rate);
            if roll < threshold {
                return Some(*fault);
            }
        }
        None
    }
}

impl fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultPlan")
            .field("seed", &self.seed)
            .field("rates", &self.rates)
            .field("max_consecutive", &self.max_consecutive)
            .field("only_if", &self.filter.as_ref().map(|_| "<filter>"))
            .finish()
    }
}

/// Wraps `handler` so that it answers with the faults of `plan`; returns the
/// wrapped handler, for [`MockServer::start`], and the [`FaultLog`] that
/// counts what it injects.
pub fn with_faults<H>(
    plan: FaultPlan,
    handler: H,
) -> (impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static, FaultLog)
where
    H: Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
{
    let log = FaultLog {
        state: Arc::new(Mutex::new(LogState {
            requests: 0,
            counts: plan.rates.iter().map(|(fault, _)| (*fault, 0)).collect(),
            injected: Vec::new(),
            seen: HashMap::new(),
        })),
    };
    let shared = log.clone();
    let faulty = move |request: &RecordedRequest| {
        let fault = {
            let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            let index = state.requests;
            state.requests += 1;
            let seen = state.seen.entry(request_key(request)).or_default();
            let eligible = seen.consecutive < plan.max_consecutive
                && plan.filter.as_ref().is_none_or(|filter| filter(request));
            let fault = if eligible { plan.pick(request_key(request), seen.attempts) } else { None };
            seen.attempts += 1;
            seen.consecutive = if fault.is_some() { seen.consecutive + 1 } else { 0 };
            if let Some(fault) = fault {
                if let Some((_, count)) = state.counts.iter_mut().find(|(known, _)| *known == fault) {
                    *count += 1;
                }
                state.injected.push(Injected { request: index, fault });
            }
            fault
        };
        match fault {
            Some(fault) => fault.answer(request, &handler),
            None => handler(request),
        }
    };
    (faulty, log)
}

impl MockApiBuilder {
    /// Starts the mock API with the faults of `plan` on every route, and
    /// returns the [`FaultLog`] that counts them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use paginated::testing::MockApi;
    /// use paginated::testing::faults::{Fault, FaultPlan};
    ///
    /// let plan = FaultPlan::new(1).rate(Fault::InternalError, 1000).max_consecutive(1);
    /// let (api, log) = MockApi::builder().records(30).start_with_faults(plan).await;
    /// let client = reqwest::Client::new();
    /// let url = api.url("/contacts?per_page=10");
    /// assert_eq!(client.get(&url).send().await.unwrap().status().as_u16(), 500);
    /// assert_eq!(client.get(&url).send().await.unwrap().status().as_u16(), 200);
    /// assert_eq!((log.requests(), log.faults()), (2, 1));
    /// # }
    /// ```
    pub async fn start_with_faults(self, plan: FaultPlan) -> (MockApi, FaultLog) {
        let plain = self.start().await;
        let state = Arc::clone(&plain.state);
        let routed = Arc::clone(&state);
        let (handler, log) = with_faults(plan, move |request| route(&routed, request));
        let server = MockServer::start(handler).await;
        // Stops the fault-free server, which never saw a request.
        drop(plain);
        (MockApi { server, state }, log)
    }
}

/// One fault injected, as listed by [`FaultLog::injected`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Injected {
    /// The index of the faulted request among every request the wrapped
    /// handler received (0 for the first).
    pub request: u64,
    /// The fault.
    pub fault: Fault,
}

/// What a fault-injecting handler did: every request, every fault. A handle:
/// clones share the same counts, which keep growing while the server runs.
#[derive(Clone)]
pub struct FaultLog {
    state: Arc<Mutex<LogState>>,
}

struct LogState {
    requests: u64,
    /// Per fault of the plan, in plan order.
    counts: Vec<(Fault, u64)>,
    injected: Vec<Injected>,
    /// Per request key.
    seen: HashMap<u64, Seen>,
}

#[derive(Default)]
struct Seen {
    attempts: u64,
    consecutive: u32,
}

impl FaultLog {
    fn read<T>(&self, read: impl FnOnce(&LogState) -> T) -> T {
        read(&self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// How many requests the handler received, faulted or not.
    pub fn requests(&self) -> u64 {
        self.read(|state| state.requests)
    }

    /// How many faults were injected, of every kind.
    pub fn faults(&self) -> u64 {
        self.read(|state| state.injected.len() as u64)
    }

    /// How many injected faults fail the attempt whatever the client (all but
    /// [`Fault::Slow`], see [`Fault::fails_attempt`]): the number of retries a
    /// client without a timeout should report.
    pub fn failures(&self) -> u64 {
        self.read(|state| state.counts.iter().filter(|(f, _)| f.fails_attempt()).map(|(_, n)| n).sum())
    }

    /// How many times `fault` was injected.
    pub fn count(&self, fault: &Fault) -> u64 {
        self.read(|state| state.counts.iter().find(|(known, _)| known == fault).map_or(0, |(_, n)| *n))
    }

    /// Every fault of the plan with how many times it was injected, in the
    /// order the plan lists them.
    pub fn counts(&self) -> Vec<(Fault, u64)> {
        self.read(|state| state.counts.clone())
    }

    /// Every fault injected, in order, with the request it hit.
    pub fn injected(&self) -> Vec<Injected> {
        self.read(|state| state.injected.clone())
    }

    /// A one-line summary: `"412 requests, 112 faults (27.2%): 429 (Retry-After: 0) 14, 500 12, ..."`.
    pub fn summary(&self) -> String {
        self.read(|state| {
            let faults = state.injected.len();
            #[allow(clippy::cast_precision_loss)] // counts of a test run, far below 2^52
            let share = if state.requests == 0 { 0.0 } else { faults as f64 * 100.0 / state.requests as f64 };
            let mut line = format!("{} requests, {faults} faults ({share:.1}%)", state.requests);
            for (i, (fault, count)) in state.counts.iter().enumerate() {
                let separator = if i == 0 { ": " } else { ", " };
                let _ = write!(line, "{separator}{fault} {count}");
            }
            line
        })
    }
}

impl fmt::Debug for FaultLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultLog")
            .field("requests", &self.requests())
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

/// A request's identity for the consecutive-fault cap: method, path, query and body.
fn request_key(request: &RecordedRequest) -> u64 {
    // FNV-1a, with a separator byte between the parts.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts: [&[u8]; 4] = [
        request.method.as_bytes(),
        request.path.as_bytes(),
        request.raw_query.as_deref().unwrap_or_default().as_bytes(),
        &request.body,
    ];
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The splitmix64 mixer: a well-spread 64-bit hash of `state`.
fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(query: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: "/n".into(),
            raw_query: Some(query.into()),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn retry_after_in_every_form() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(RetryAfter::Absent.header_value(now), None);
        assert_eq!(RetryAfter::Seconds(3).header_value(now).as_deref(), Some("3"));
        assert_eq!(RetryAfter::Decimal(0.01).header_value(now).as_deref(), Some("0.01"));
        assert_eq!(RetryAfter::Decimal(2.0).header_value(now).as_deref(), Some("2.0"));
        assert_eq!(
            RetryAfter::HttpDate(2).header_value(now).as_deref(),
            Some("Wed, 21 Oct 2015 07:28:02 GMT")
        );
        assert_eq!(
            RetryAfter::HttpDate(-60).header_value(now).as_deref(),
            Some("Wed, 21 Oct 2015 07:27:00 GMT")
        );
        assert_eq!(Fault::TooManyRequests(RetryAfter::Decimal(0.01)).to_string(), "429 (Retry-After: 0.01)");
        assert_eq!(
            Fault::Unavailable(RetryAfter::HttpDate(-5)).to_string(),
            "503 (Retry-After: HTTP date now-5s)"
        );
    }

    #[test]
    fn deterministic_capped_and_near_the_rate() {
        let plan = || FaultPlan::new(9).rate(Fault::InternalError, 200).rate(Fault::ConnectionReset, 100);
        let run = || {
            let (handler, log) = with_faults(plan(), |_| MockResponse::json(json!({})));
            for page in 0..2000 {
                let request = get(&format!("page={page}"));
                // Like a client with enough attempts: retry until answered.
                loop {
                    let before = log.faults();
                    handler(&request);
                    if log.faults() == before {
                        break;
                    }
                }
            }
            log
        };
        let (a, b) = (run(), run());
        assert_eq!(a.injected(), b.injected(), "the same seed injects the same faults");
        // 30% of first attempts, plus the retries that fail again: 35-50% more requests.
        assert!((700..1000).contains(&a.faults()), "{}", a.summary());
        assert!(a.count(&Fault::InternalError) > a.count(&Fault::ConnectionReset), "{}", a.summary());
        // Never more than 2 faults in a row for the same request.
        let injected: Vec<u64> = a.injected().iter().map(|i| i.request).collect();
        assert!(injected.windows(3).all(|w| !(w[1] == w[0] + 1 && w[2] == w[1] + 1)), "{}", a.summary());
        assert_eq!(a.requests(), 2000 + a.faults());
    }

    #[test]
    fn only_matching_requests_are_faulted() {
        let plan = FaultPlan::new(1)
            .rate(Fault::BadGateway, 1000)
            .max_consecutive(3)
            .only_if(|r| r.query("page").as_deref() == Some("2"));
        let (handler, log) = with_faults(plan, |_| MockResponse::json(json!({})));
        let statuses: Vec<u16> = ["page=1", "page=2", "page=2", "page=2", "page=2", "page=3"]
            .iter()
            .map(|q| handler(&get(q)).status)
            .collect();
        assert_eq!(statuses, [200, 502, 502, 502, 200, 200]);
        assert_eq!(log.count(&Fault::BadGateway), 3);
        assert_eq!(log.summary(), "6 requests, 3 faults (50.0%): 502 3");
    }
}
