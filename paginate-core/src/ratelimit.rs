//! Rate limits: the gate every request of a walk passes before it is sent,
//! shared by the walks that hold the same [`RateLimiter`], and the reading of
//! the signals real APIs send (`Retry-After`, `X-RateLimit-*`, the IETF
//! `RateLimit` fields, a wait in the error body).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::retry::retry_after;

/// A gate for the requests of one or more walks: no request passes it before
/// an instant a server advertised (a `Retry-After`, a reset when the quota is
/// spent), and, when built with a rate, requests pass it no faster than that.
///
/// Every walk has one; by default each walk has its own. Give several walks
/// the same limiter (it is a cheap handle: clones share the gate) when they
/// run against one API key, so that a 429 on one walk holds all of them:
///
/// ```
/// use paginated::RateLimiter;
///
/// // Close allows about 10 requests a second per key; pace below it and
/// // share the gate between the walks of one sync job.
/// let limiter = RateLimiter::per_second(8);
/// # let (leads, contacts) = ((), ());
/// // leads.paginate::<Leads>().rate_limiter(limiter.clone())
/// // contacts.paginate::<Contacts>().rate_limiter(limiter.clone())
/// # let _ = (leads, contacts, limiter);
/// ```
#[derive(Clone, Default)]
pub struct RateLimiter {
    inner: Arc<Mutex<Gate>>,
    /// The cap on requests in flight across the walks sharing the limiter.
    in_flight: Option<Arc<Semaphore>>,
}

/// A request's place under the in-flight cap, held until its response is read.
pub(crate) struct Permit {
    _place: Option<OwnedSemaphorePermit>,
    gate: Arc<Mutex<Gate>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut gate = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
        gate.sent = gate.sent.saturating_sub(1);
    }
}

#[derive(Default)]
struct Gate {
    /// No request before this instant (a server's advertised wait).
    held_until: Option<Instant>,
    /// The client-side pace: the least time between two requests.
    interval: Option<Duration>,
    /// When the next paced request may go.
    next_slot: Option<Instant>,
    /// Requests sent through the gate and not answered yet.
    sent: usize,
    /// What the server said is left of its quota, less the requests sent
    /// since, and when its window resets: with nothing left, no request
    /// passes before the reset.
    budget: Option<(u64, Instant)>,
}

#[allow(clippy::missing_fields_in_debug)] // `inner` is shown field by field, through `lock()`
impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gate = self.lock();
        f.debug_struct("RateLimiter")
            .field("held_for", &gate.held_until.map(|t| t.saturating_duration_since(Instant::now())))
            .field("interval", &gate.interval)
            .field("in_flight_free", &self.in_flight.as_ref().map(|cap| cap.available_permits()))
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A gate with no pace of its own: it holds requests only while a server
    /// asked to wait.
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// A gate that also lets at most `requests` requests a second through,
    /// evenly spaced, for APIs that publish a rate but send no headers.
    /// `0` means no pace.
    pub fn per_second(requests: u32) -> RateLimiter {
        RateLimiter::with_interval(Duration::from_secs(1).checked_div(requests))
    }

    /// A gate that lets at most `requests` requests a minute through, evenly spaced.
    /// `0` means no pace.
    pub fn per_minute(requests: u32) -> RateLimiter {
        RateLimiter::with_interval(Duration::from_secs(60).checked_div(requests))
    }

    fn with_interval(interval: Option<Duration>) -> RateLimiter {
        let gate = Gate { interval: interval.filter(|i| !i.is_zero()), ..Gate::default() };
        RateLimiter { inner: Arc::new(Mutex::new(gate)), in_flight: None }
    }

    /// Caps the requests in flight at once across every walk sharing this
    /// limiter (at least 1): for many walks against one API, whose own
    /// fan-out and lookahead would otherwise add up. A request holds its place
    /// from the moment it is sent until its body is read, retries waiting
    /// outside.
    ///
    /// ```
    /// use paginate_core::RateLimiter;
    ///
    /// // 20 tenants, one API: at most 8 requests at once, and at most 10 a second.
    /// let limiter = RateLimiter::per_second(10).max_in_flight(8);
    /// # let _ = limiter;
    /// ```
    pub fn max_in_flight(mut self, requests: usize) -> RateLimiter {
        self.in_flight = Some(Arc::new(Semaphore::new(requests.max(1))));
        self
    }

    /// Holds every request behind this gate for `wait` from now (it never
    /// shortens a longer hold already in place).
    pub fn hold_for(&self, wait: Duration) {
        let until = Instant::now().checked_add(wait);
        let mut gate = self.lock();
        gate.held_until = match (gate.held_until, until) {
            (Some(held), Some(until)) => Some(held.max(until)),
            // An instant too far to represent: hold as far as a tokio timer goes.
            (_, None) => Some(Instant::now() + Duration::from_secs(86_400 * 365)),
            (None, until) => until,
        };
    }

    /// How long the gate is still held for (a server's advertised wait, or a
    /// spent quota until its reset); `None` when it is open.
    pub fn held_for(&self) -> Option<Duration> {
        let gate = self.lock();
        let spent = gate.budget.filter(|(left, _)| *left == 0).map(|(_, reset_at)| reset_at);
        let held = gate.held_until.into_iter().chain(spent).max()?;
        let left = held.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// Waits until a request may be sent (a place under the in-flight cap,
    /// then the gate), then takes its slot.
    pub(crate) async fn acquire(&self) -> Permit {
        let permit = match &self.in_flight {
            // The semaphore is never closed, so acquiring cannot fail.
            Some(cap) => Arc::clone(cap).acquire_owned().await.ok(),
            None => None,
        };
        self.pass_gate().await;
        Permit { _place: permit, gate: Arc::clone(&self.inner) }
    }

    /// Takes in what a response said of the quota: `remaining` requests left
    /// in a window that resets in `reset`. The requests already sent and not
    /// answered may be counted against it yet, so they are taken off: with
    /// several requests in flight (fan-out, many walks), the gate closes
    /// before the quota runs out rather than after the 429s.
    pub(crate) fn note_quota(&self, remaining: u64, reset: Duration) {
        let now = Instant::now();
        let Some(reset_at) = now.checked_add(reset) else { return };
        let mut gate = self.lock();
        // The request whose answer this is still holds its place.
        let others = gate.sent.saturating_sub(1) as u64;
        let left = remaining.saturating_sub(others);
        gate.budget = match gate.budget {
            // The same window, answers in any order: the smaller count wins.
            Some((known, at))
                if at > now && at.max(reset_at) - at.min(reset_at) <= Duration::from_secs(1) =>
            {
                Some((known.min(left), at.max(reset_at)))
            }
            _ => Some((left, reset_at)),
        };
    }

    /// Waits for the gate, then takes a paced slot. Returns how long it waited.
    async fn pass_gate(&self) -> Duration {
        let started = Instant::now();
        loop {
            let ready_at = {
                let mut gate = self.lock();
                let now = Instant::now();
                // A window that has reset says nothing any more.
                if gate.budget.is_some_and(|(_, reset_at)| reset_at <= now) {
                    gate.budget = None;
                }
                let spent = gate.budget.filter(|(left, _)| *left == 0).map(|(_, reset_at)| reset_at);
                let at = gate.held_until.into_iter().chain(gate.next_slot).chain(spent).max().unwrap_or(now);
                if at <= now {
                    if let Some(interval) = gate.interval {
                        gate.next_slot = Some(now + interval);
                    }
                    if let Some((left, _)) = gate.budget.as_mut() {
                        *left -= 1;
                    }
                    gate.sent += 1;
                    return started.elapsed();
                }
                at
            };
            // The hold may grow while this request sleeps: look again after it.
            tokio::time::sleep_until(ready_at).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a response says about the rate limit, from its headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Quota {
    /// `Retry-After`.
    pub retry_after: Option<Duration>,
    /// Requests left in the window, when a header says.
    pub remaining: Option<u64>,
    /// Time until the window resets, when a header says.
    pub reset: Option<Duration>,
}

impl Quota {
    /// Whether a header says the quota is spent.
    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    /// How long to wait before the next request: `Retry-After` first, then the
    /// reset of a spent quota.
    pub fn wait(&self) -> Option<Duration> {
        self.retry_after.or(self.reset.filter(|_| self.exhausted()))
    }
}

const RESET_HEADERS: [&str; 4] =
    ["x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset-after"];
const REMAINING_HEADERS: [&str; 3] =
    ["x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"];

/// Reads the rate-limit headers of a response: `Retry-After`, the common
/// `X-RateLimit-*` / `X-Rate-Limit-*` / `RateLimit-*` pairs, the IETF draft's
/// structured `RateLimit` field, and the extra headers a declaration names.
pub(crate) fn read_quota(
    headers: &HeaderMap,
    reset_header: Option<&str>,
    remaining_header: Option<&str>,
    now: SystemTime,
) -> Quota {
    // Most responses carry none of these: one look at the names first.
    let relevant = |name: &str| {
        name == RETRY_AFTER.as_str()
            || name.starts_with("x-rate")
            || name.starts_with("ratelimit")
            || Some(name) == reset_header
            || Some(name) == remaining_header
    };
    if !headers.keys().any(|name| relevant(name.as_str())) {
        return Quota::default();
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = text(RETRY_AFTER.as_str()).and_then(|v| retry_after(v, now));
    let mut remaining = remaining_header
        .into_iter()
        .chain(REMAINING_HEADERS)
        .find_map(|name| text(name).and_then(parse_remaining));
    let mut reset = reset_header
        .into_iter()
        .chain(RESET_HEADERS)
        .find_map(|name| text(name).and_then(|v| reset_in(v, now)));
    // The IETF draft: `RateLimit: limit=100, remaining=0, reset=30` (drafts
    // 03-07) or `RateLimit: "default";r=0;t=30` (draft 08 on); reset in seconds.
    if let Some(field) = text("ratelimit") {
        for item in field.split(',') {
            let (r, t) = structured_item(item);
            if let Some(r) = r {
                remaining = Some(remaining.map_or(r, |known| known.min(r)));
            }
            if let Some(t) = t {
                let t = Duration::from_secs(t);
                // Of several policies, the one that is spent decides.
                if r == Some(0) || reset.is_none() {
                    reset = Some(if r == Some(0) { reset.map_or(t, |known| known.max(t)) } else { t });
                }
            }
        }
    }
    Quota { retry_after, remaining, reset }
}

/// `remaining` and `reset` of one item of a structured `RateLimit` field.
fn structured_item(item: &str) -> (Option<u64>, Option<u64>) {
    let (mut r, mut t) = (None, None);
    for param in item.split(';') {
        let Some((key, value)) = param.split_once('=') else { continue };
        let value = value.trim().trim_matches('"').parse::<u64>().ok();
        match key.trim() {
            "r" | "remaining" => r = value.or(r),
            "t" | "reset" => t = value.or(t),
            _ => {}
        }
    }
    (r, t)
}

fn parse_remaining(value: &str) -> Option<u64> {
    let value = value.trim();
    value.parse::<u64>().ok().or_else(|| {
        // "0.0" or a negative count (seen after a burst) both mean none left.
        let f = value.parse::<f64>().ok().filter(|f| f.is_finite())?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(if f <= 0.0 { 0 } else { f as u64 })
    })
}

/// Epoch milliseconds start here (2001-09-09 in milliseconds is 10^12);
/// smaller numbers from 10^9 on are epoch seconds, and below that a number of
/// seconds from now.
const EPOCH_MS_FROM: f64 = 1e12;
const EPOCH_S_FROM: f64 = 1e9;

/// The time until a reset value: seconds from now, epoch seconds (GitHub,
/// Okta, Twitter, Intercom) or epoch milliseconds (Linear), told apart by size;
/// or an HTTP date. A reset in the past is now.
pub(crate) fn reset_in(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let Ok(number) = value.parse::<f64>() else {
        return retry_after(value, now);
    };
    if !number.is_finite() || number < 0.0 {
        return None;
    }
    let since_epoch = |seconds: f64| {
        let at = UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(seconds).ok()?)?;
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    };
    if number >= EPOCH_MS_FROM {
        since_epoch(number / 1000.0)
    } else if number >= EPOCH_S_FROM {
        since_epoch(number)
    } else {
        Duration::try_from_secs_f64(number).ok()
    }
}

/// The value at a JSON path (`[]` segments look into every element of an
/// array, first match wins).
pub(crate) fn at_path<'v>(value: &'v serde_json::Value, path: &[&str]) -> Option<&'v serde_json::Value> {
    let Some((first, rest)) = path.split_first() else { return Some(value) };
    if *first == "[]" {
        return value.as_array()?.iter().find_map(|element| at_path(element, rest));
    }
    at_path(value.get(*first)?, rest)
}

/// A wait in seconds at a JSON path of an error body (Close's `rate_reset`).
pub(crate) fn wait_in_body(body: &serde_json::Value, path: &[&str], now: SystemTime) -> Option<Duration> {
    match at_path(body, path)? {
        serde_json::Value::Number(n) => reset_in(&n.to_string(), now),
        serde_json::Value::String(s) => reset_in(s, now),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn reset_values_in_every_unit() {
        assert_eq!(reset_in("30", now()), Some(Duration::from_secs(30)));
        assert_eq!(reset_in("1.5", now()), Some(Duration::from_millis(1500)));
        assert_eq!(reset_in("1700000060", now()), Some(Duration::from_secs(60)));
        assert_eq!(reset_in("1700000002500", now()), Some(Duration::from_millis(2500)));
        assert_eq!(reset_in("1600000000", now()), Some(Duration::ZERO));
        assert_eq!(reset_in("Tue, 14 Nov 2023 22:14:20 GMT", now()), Some(Duration::from_secs(60)));
        for bad in ["", "-5", "soon", "NaN", "inf", "1e400"] {
            assert_eq!(reset_in(bad, now()), None, "{bad:?}");
        }
        // Too far to represent is no panic.
        let _ = reset_in("1e300", now());
    }

    #[test]
    fn header_families() {
        let github = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000010")]);
        let q = read_quota(&github, None, None, now());
        assert!(q.exhausted());
        assert_eq!(q.wait(), Some(Duration::from_secs(10)));

        let twitter = headers(&[("x-rate-limit-remaining", "3"), ("x-rate-limit-reset", "1700000010")]);
        let q = read_quota(&twitter, None, None, now());
        assert!(!q.exhausted());
        assert_eq!(q.wait(), None);

        let draft = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "7")]);
        assert_eq!(read_quota(&draft, None, None, now()).wait(), Some(Duration::from_secs(7)));

        let ietf = headers(&[("ratelimit", "limit=100, remaining=0, reset=5")]);
        assert_eq!(read_quota(&ietf, None, None, now()).wait(), Some(Duration::from_secs(5)));

        let ietf8 = headers(&[("ratelimit", "\"burst\";r=10;t=1, \"daily\";r=0;t=30")]);
        let q = read_quota(&ietf8, None, None, now());
        assert_eq!((q.remaining, q.wait()), (Some(0), Some(Duration::from_secs(30))));

        let linear = headers(&[
            ("x-ratelimit-requests-remaining", "0"),
            ("x-ratelimit-requests-reset", "1700000001000"),
        ]);
        let q = read_quota(
            &linear,
            Some("x-ratelimit-requests-reset"),
            Some("x-ratelimit-requests-remaining"),
            now(),
        );
        assert_eq!(q.wait(), Some(Duration::from_secs(1)));

        let retry =
            headers(&[("retry-after", "2"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "60")]);
        assert_eq!(read_quota(&retry, None, None, now()).wait(), Some(Duration::from_secs(2)));

        let negative = headers(&[("x-ratelimit-remaining", "-1"), ("x-ratelimit-reset", "3")]);
        assert_eq!(read_quota(&negative, None, None, now()).wait(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn body_paths() {
        let close = serde_json::json!({"error": "too many", "rate_reset": 1.25});
        assert_eq!(wait_in_body(&close, &["rate_reset"], now()), Some(Duration::from_millis(1250)));
        let linear =
            serde_json::json!({"errors": [{"message": "x"}, {"extensions": {"code": "RATELIMITED"}}]});
        assert_eq!(
            at_path(&linear, &["errors", "[]", "extensions", "code"]),
            Some(&serde_json::json!("RATELIMITED"))
        );
        assert_eq!(at_path(&linear, &["nope"]), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_gates_and_a_pace_spaces() {
        let limiter = RateLimiter::new();
        assert_eq!(limiter.pass_gate().await, Duration::ZERO);
        limiter.hold_for(Duration::from_secs(2));
        limiter.hold_for(Duration::from_secs(1));
        assert!(limiter.held_for().unwrap() > Duration::from_millis(1900));
        assert_eq!(limiter.pass_gate().await, Duration::from_secs(2));

        let paced = RateLimiter::per_second(4);
        let start = Instant::now();
        for _ in 0..5 {
            paced.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert!(RateLimiter::per_minute(0).lock().interval.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_quota_closes_the_gate_before_it_runs_out() {
        let limiter = RateLimiter::new();
        let first = limiter.acquire().await;
        // 3 left in a window of 2 s: 3 more requests pass at once, the 4th waits for the reset.
        limiter.note_quota(3, Duration::from_secs(2));
        drop(first);
        let start = Instant::now();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(limiter.acquire().await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        // An answer saying 2 are left while 2 others are in flight: none left for a new one.
        limiter.note_quota(2, Duration::from_secs(2));
        drop(held);
        let _fourth = limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // A later, smaller count for the same window wins; a new window replaces it.
        limiter.note_quota(5, Duration::from_millis(1500));
        limiter.note_quota(0, Duration::from_millis(1800));
        assert_eq!(limiter.lock().budget.map(|(left, _)| left), Some(0));
        limiter.note_quota(9, Duration::from_secs(30));
        assert_eq!(limiter.lock().budget.map(|(left, _)| left), Some(9));
    }

    #[tokio::test]
    async fn the_in_flight_cap_is_shared_by_clones() {
        let limiter = RateLimiter::new().max_in_flight(2);
        let other = limiter.clone();
        let a = limiter.acquire().await;
        let _b = other.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(50), limiter.acquire()).await;
        assert!(third.is_err(), "a third request waits for a place");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(50), other.acquire()).await;
        assert!(third.is_ok(), "a freed place lets it through");
    }
}
