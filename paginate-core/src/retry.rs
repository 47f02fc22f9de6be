//! Retrying one page request: which failures are worth another attempt, how
//! long to wait (`Retry-After` first, exponential backoff with jitter
//! otherwise), and the caps that turn a hopeless wait into an error.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};

/// How a walk retries a failed page request. The same request is sent again,
/// so a retry never skips or repeats an item.
///
/// Retried by default: rate limits (429; a 403 with `x-ratelimit-remaining: 0`
/// or a `Retry-After`, as GitHub sends; the statuses and bodies a declaration
/// names with `rate_limit_status`, `rate_limit_match` and `rate_limit_field`),
/// 408, 425, 5xx except 501 and 505, timeouts, connection errors, and a body
/// that is cut short or is not well-formed JSON
/// ([`retry_bad_bodies`](RetryPolicy::retry_bad_bodies)). Never retried: other
/// 4xx statuses and a well-formed body that does not fit the declared type,
/// which the same request would get again.
///
/// How long to wait: what the server advertised (`Retry-After`, a reset header
/// of a spent quota, a wait in the error body), else, after a rate limit or a
/// 503, a backoff from about a second ([`throttle_backoff`](RetryPolicy::throttle_backoff)),
/// else a short backoff from 250 ms ([`backoff`](RetryPolicy::backoff)), all
/// with jitter. A rate-limit wait holds every request of the walk, and of the
/// walks sharing its [`RateLimiter`](crate::RateLimiter).
///
/// Budgets: `max_attempts` per page, and for the whole walk at most
/// `max_retries` retries and `max_total_wait` of waiting between attempts.
///
/// ```
/// use std::time::Duration;
/// use paginated::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(10)
///     .max_wait(Duration::from_secs(120))
///     .max_total_wait(Duration::from_secs(3600));
/// # let _ = patient;
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_wait: Duration,
    pub(crate) max_total_wait: Duration,
    pub(crate) min_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) throttle_min: Duration,
    pub(crate) max_retries: u64,
    pub(crate) retry_post: bool,
    pub(crate) resend_post: bool,
    pub(crate) retry_bad_bodies: bool,
}

impl Default for RetryPolicy {
    /// 5 attempts per page; backoff from 250 ms (from 1 s after a rate limit
    /// or a 503) to 30 s with jitter; a single wait of at most 60 s; for the
    /// whole walk at most 30 minutes of waiting between attempts and no cap on
    /// the number of retries; POST searches retried; bad bodies retried.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_wait: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(1800),
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            throttle_min: Duration::from_secs(1),
            max_retries: u64::MAX,
            retry_post: true,
            resend_post: true,
            retry_bad_bodies: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: the first failure ends the walk (with a checkpoint).
    pub fn never() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Attempts per page, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest single wait. A server asking for more (`Retry-After: 3600`)
    /// ends the walk with [`ErrorKind::RetryAfterTooLong`](crate::ErrorKind::RetryAfterTooLong),
    /// which says how long it asked for, instead of sleeping that long.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The most time the whole walk spends waiting between attempts (retries
    /// of every page together; default 30 minutes). Pacing before a request
    /// (a spent quota, a client-side rate) is not counted: it is no failure.
    /// Once spent, the next failure ends the walk with its checkpoint.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// The most retries for the whole walk, every page together (default: no
    /// cap; `max_attempts` and `max_total_wait` bound a failing walk).
    /// Once spent, the next failure ends the walk with its checkpoint.
    pub fn max_retries(mut self, retries: u64) -> Self {
        self.max_retries = retries;
        self
    }

    /// Where the backoff after a rate limit or a 503 that advertised no wait
    /// starts (default 1 s, doubling up to the `backoff` maximum, with jitter):
    /// slower than the backoff for other failures, so a throttled API is not
    /// hammered.
    pub fn throttle_backoff(mut self, min: Duration) -> Self {
        self.throttle_min = min;
        self
    }

    /// The range of the exponential backoff used when the server gives no
    /// `Retry-After`: the first wait is about `min`, doubling up to `max`, with jitter.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_backoff = min;
        self.max_backoff = max.max(min);
        self
    }

    /// Whether POST requests are retried (default `true`: a paginated POST is a
    /// search or a query, which is read-only). Set `false` for an API whose
    /// paginated POST has side effects.
    pub fn retry_post(mut self, retry: bool) -> Self {
        self.retry_post = retry;
        self
    }

    /// Whether a POST may be sent again after the server may have received it
    /// (default `true`). With `false`, a POST is retried only when the failure
    /// shows the server did not act on it: the connection could not be made,
    /// or the answer was a rate limit, 408 or 425. A reset or a 5xx after the
    /// body was sent is then reported, not retried.
    pub fn resend_post(mut self, resend: bool) -> Self {
        self.resend_post = resend;
        self
    }

    /// Whether a success response whose body is cut short or is not
    /// well-formed JSON is retried (default `true`). A well-formed body that
    /// does not fit the declared type is never retried. So is an error
    /// response whose body is cut short, when the declaration reads error
    /// bodies (`rate_limit_match`, `rate_limit_field`, `cursor_expired_*`, ...)
    /// and so cannot tell what it meant.
    pub fn retry_bad_bodies(mut self, retry: bool) -> Self {
        self.retry_bad_bodies = retry;
        self
    }

    /// The backoff waits for the retries of one page, with jitter.
    pub(crate) fn backoff_waits(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        self.waits_from(self.min_backoff)
    }

    /// The backoff waits after a rate limit or a 503 that advertised no wait.
    pub(crate) fn throttle_waits(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        self.waits_from(self.throttle_min)
    }

    fn waits_from(&self, min: Duration) -> impl Iterator<Item = Duration> + Send + use<> {
        ExponentialBuilder::default()
            .with_min_delay(min)
            .with_max_delay(self.max_backoff.max(min))
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// One retry, as reported to an [`on_retry`](crate::Paginator::on_retry) hook.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryEvent {
    /// The 1-based number of the page in the walk.
    pub page: u64,
    /// The attempt that failed (1 for the first request of the page).
    pub attempt: u32,
    /// How long the walk waits before the next attempt.
    pub wait: Duration,
    /// Whether the wait came from the server (`Retry-After`, a reset header,
    /// a wait in the error body) rather than the backoff.
    pub from_retry_after: bool,
    /// Whether the failure was a rate limit: its wait holds every request of
    /// the walk, and of the walks sharing its [`RateLimiter`](crate::RateLimiter).
    pub rate_limited: bool,
    /// What failed, for logs: `HTTP 429`, `connection error: ...`, ...
    pub reason: String,
}

/// A shared retry observer.
pub(crate) type RetryHook = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

pub(crate) struct HookDebug<'a>(pub &'a Option<RetryHook>);

impl fmt::Debug for HookDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(<hook>)" } else { "None" })
    }
}

/// The wait a `Retry-After` header asks for: integer or decimal seconds, or an
/// HTTP date (a date in the past means "now"). `None` when absent or unreadable.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::try_from_secs_f64(seconds).ok())
            .flatten();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_every_real_form() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 2.0 ", now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after("0.25", now), Some(Duration::from_millis(250)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("Wednesday, 21-Oct-15 07:28:05 GMT", now), Some(Duration::from_secs(5)));
        for bad in ["", "-1", "soon", "NaN", "inf", "1e400"] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        let policy = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_secs(1));
        let waits: Vec<_> = policy.backoff_waits().take(8).collect();
        assert!(
            waits[0] >= Duration::from_millis(100) && waits[0] <= Duration::from_millis(200),
            "{waits:?}"
        );
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(2)), "{waits:?}");
        assert!(waits[4] >= Duration::from_secs(1), "{waits:?}");
    }
}
