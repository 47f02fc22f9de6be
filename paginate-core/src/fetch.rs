//! One page over HTTP: send, retry what is worth retrying, read the body
//! under a size cap, decode with the serde path of any failure.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::cursor::ApiErrorValue;
use crate::error::{ErrorKind, api_message, excerpt, retryable_status};
use crate::origin;
use crate::ratelimit::{Quota, RateLimiter, at_path, read_quota, wait_in_body};
use crate::redact;
use crate::retry::{RetryEvent, RetryHook, RetryPolicy};
use crate::spec::{Decoded, Paginated, Spec, Style};
use crate::transport::{BoxError, Transport, is_retryable};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The host reqwest gives a `Response` built from an `http::Response`.
pub(crate) const NO_URL_HOST: &str = "no.url.provided.local";

/// A decoded page, and for offset and page walks the raw JSON of its items
/// (for the duplicate-page guard, which compares it with the previous page's).
pub(crate) struct Fetched<P> {
    pub page: P,
    pub raw_items: Option<ItemsJson>,
    /// The URL that answered (after redirects), for link walks (the base of a
    /// relative next URL) and pages with their response.
    pub url: Option<reqwest::Url>,
    /// The response headers, when the declaration reads any (`Link`,
    /// `cursor_header`, `total_header`) or pages come with their response.
    pub headers: Option<reqwest::header::HeaderMap>,
    /// The HTTP status (a success).
    pub status: u16,
}

/// The in-flight request of a page, retries included.
pub(crate) type PageFuture<P> = Pin<Box<dyn Future<Output = Result<Fetched<P>, ErrorKind>> + Send>>;

const BODY_EXCERPT: usize = 512;

/// The default cap on one response body.
pub(crate) const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The default cap on an error body: enough for the API's message, never a
/// runaway allocation.
const ERROR_BODY_CAP: u64 = 64 * 1024;

/// The default time one attempt may take, from sending the request to the
/// last byte of the body, when the user's request sets none.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What every page request of a walk shares.
pub(crate) struct Fetcher {
    pub transport: Box<dyn Transport>,
    pub policy: RetryPolicy,
    pub hook: Option<RetryHook>,
    /// Retries so far, walk-wide (the `max_retries` budget).
    pub retries: AtomicU64,
    /// Nanoseconds waited between attempts so far, walk-wide (the
    /// `max_total_wait` budget). Not milliseconds: a backoff wait has a
    /// fraction of one, and dropping it let the waits add up past the budget.
    pub waited_ns: AtomicU64,
    /// Requests sent ahead and dropped (past the end, or re-planned).
    pub wasted: AtomicU64,
    pub max_body: u64,
    /// The gate every request passes before it is sent.
    pub limiter: RateLimiter,
    /// The time one attempt may take, when the request sets none.
    pub timeout: Option<Duration>,
    /// Whether a response may come from another origin than its request's.
    pub allow_cross_origin: bool,
    /// Whether every page keeps its response's URL and headers
    /// (`Paginator::pages_with_meta`).
    pub keep_response: bool,
}

impl Fetcher {
    /// A fetcher with the default limits, for `transport`.
    pub fn new(transport: Box<dyn Transport>, policy: RetryPolicy) -> Fetcher {
        Fetcher {
            transport,
            policy,
            hook: None,
            retries: AtomicU64::new(0),
            waited_ns: AtomicU64::new(0),
            wasted: AtomicU64::new(0),
            max_body: DEFAULT_MAX_BODY,
            limiter: RateLimiter::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            allow_cross_origin: false,
            keep_response: false,
        }
    }

    /// Takes one retry and `wait` from the walk-wide budgets; `false` when
    /// either is spent.
    fn spend(&self, wait: Duration) -> bool {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let (wait_ns, budget_ns) = (nanos(wait), nanos(self.policy.max_total_wait));
        // Each budget is checked and taken in one step: pages failing together
        // under fan-out cannot both pass the check and overdraw it. The wait
        // goes back if no retry is left (then every later call fails anyway).
        let take_wait = |waited: u64| waited.checked_add(wait_ns).filter(|total| *total <= budget_ns);
        if self.waited_ns.fetch_update(Ordering::Relaxed, Ordering::Relaxed, take_wait).is_err() {
            return false;
        }
        let take_retry = |retries: u64| (retries < self.policy.max_retries).then(|| retries + 1);
        if self.retries.fetch_update(Ordering::Relaxed, Ordering::Relaxed, take_retry).is_err() {
            self.waited_ns.fetch_sub(wait_ns, Ordering::Relaxed);
            return false;
        }
        true
    }
}

/// One failed attempt, and whether another may succeed.
struct Failure {
    kind: ErrorKind,
    retryable: bool,
    /// The wait the server advertised.
    wait: Option<Duration>,
    /// A rate limit (or a 503): its wait holds the whole walk, and its
    /// backoff starts slow.
    throttled: bool,
    /// Whether the server cannot have acted on the request (no connection,
    /// or it answered a rate limit, 408 or 425): safe to send a POST again.
    unprocessed: bool,
}

impl Failure {
    /// A failure that is no rate limit, with no advertised wait, after which
    /// the server may have acted on the request.
    fn plain(kind: ErrorKind, retryable: bool) -> Failure {
        Failure { kind, retryable, wait: None, throttled: false, unprocessed: false }
    }

    fn fatal(kind: ErrorKind) -> Failure {
        Failure::plain(kind, false)
    }
}

/// Sends `request` for page `page` (1-based), retrying per the policy.
pub(crate) fn fetch<P>(fetcher: Arc<Fetcher>, request: reqwest::Request, page: u64) -> PageFuture<P>
where
    P: Paginated + Send + 'static,
{
    Box::pin(async move {
        let policy = &fetcher.policy;
        let post = request.method() == reqwest::Method::POST;
        let mut backoff = policy.backoff_waits();
        let mut throttle = policy.throttle_waits();
        let mut attempt = 1;
        loop {
            let Some(copy) = request.try_clone() else {
                return Err(ErrorKind::Config(
                    "the request body is a stream and cannot be sent again".into(),
                ));
            };
            let permit = fetcher.limiter.acquire().await;
            let attempt_result = attempt_once::<P>(&fetcher, copy).await;
            drop(permit);
            let failure = match attempt_result {
                Ok(fetched) => return Ok(fetched),
                Err(failure) => failure,
            };
            let may_resend = !post || (policy.retry_post && (policy.resend_post || failure.unprocessed));
            let retrying = may_resend && failure.retryable && policy.max_attempts > 1;
            // A wait longer than the policy allows is reported as such, even on the last attempt.
            if let (true, Some(asked)) = (retrying, failure.wait)
                && asked > policy.max_wait
            {
                let status = match &failure.kind {
                    ErrorKind::Status { status, .. } => *status,
                    _ => reqwest::StatusCode::TOO_MANY_REQUESTS,
                };
                // The other requests of the walk (and of walks sharing the
                // limiter) hold as long as a retry may wait, not silently for
                // the whole advertised time: they then meet the limit themselves.
                if failure.throttled {
                    fetcher.limiter.hold_for(policy.max_wait);
                }
                return Err(ErrorKind::RetryAfterTooLong { status, asked, max_wait: policy.max_wait });
            }
            let wait = match failure.wait {
                Some(asked) => asked,
                None if failure.throttled => throttle.next().unwrap_or(policy.max_backoff),
                None => backoff.next().unwrap_or(policy.max_backoff),
            };
            // A rate limit holds every request of the walk (and of the walks
            // sharing the limiter), retrying or not.
            if failure.throttled {
                fetcher.limiter.hold_for(wait);
            }
            if !retrying || attempt >= policy.max_attempts || !fetcher.spend(wait) {
                return Err(failure.kind);
            }
            if let Some(hook) = &fetcher.hook {
                let reason = reason(&failure.kind);
                let from_retry_after = failure.wait.is_some();
                let rate_limited = failure.throttled;
                hook(&RetryEvent { page, attempt, wait, from_retry_after, rate_limited, reason });
            }
            if !failure.throttled {
                tokio::time::sleep(wait).await;
            }
            attempt += 1;
        }
    })
}

/// One attempt, under the per-request timeout when the request sets none.
async fn attempt_once<P: Paginated>(
    fetcher: &Fetcher,
    request: reqwest::Request,
) -> Result<Fetched<P>, Failure> {
    let limit = match fetcher.timeout {
        Some(limit) if request.timeout().is_none() => limit,
        _ => return exchange::<P>(fetcher, request).await,
    };
    match tokio::time::timeout(limit, exchange::<P>(fetcher, request)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::plain(ErrorKind::Transport(Box::new(TimedOut(limit))), true)),
    }
}

/// No complete response within the walk's per-request timeout.
#[derive(Debug)]
struct TimedOut(Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no complete response within {}s (the per-request timeout; see `Paginator::timeout`)",
            self.0.as_secs_f64()
        )
    }
}

impl std::error::Error for TimedOut {}

async fn exchange<P: Paginated>(fetcher: &Fetcher, request: reqwest::Request) -> Result<Fetched<P>, Failure> {
    let method = request.method().clone();
    let link_style = P::SPEC.style == Style::Link;
    let request_url = (link_style || fetcher.keep_response).then(|| request.url().clone());
    let transport = |e: BoxError| {
        let retryable = is_retryable(e.as_ref());
        let unprocessed = e.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_connect);
        let kind = ErrorKind::Transport(redact::transport_error(e));
        Failure { kind, retryable, wait: None, throttled: false, unprocessed }
    };
    let sent_origin = request.url().origin();
    let mut response = fetcher.transport.execute(request).await.map_err(transport)?;
    origin::check_response(&sent_origin, &response, fetcher.allow_cross_origin).map_err(Failure::fatal)?;
    let status = response.status();
    // A response built by another transport may not know its URL; the request's stands in.
    let url = request_url.map(|sent| {
        let answered = response.url();
        if answered.host_str() == Some(NO_URL_HOST) { sent } else { answered.clone() }
    });
    let wants_headers = P::SPEC.cursor_header.is_some()
        || (link_style && !P::SPEC.next_url_field)
        || P::SPEC.total_header.is_some()
        || P::SPEC.total_pages_header.is_some()
        || fetcher.keep_response;
    let headers = wants_headers.then(|| response.headers().clone());
    let now = SystemTime::now();
    let quota = read_quota(
        response.headers(),
        P::SPEC.rate_limit_reset_header,
        P::SPEC.rate_limit_remaining_header,
        now,
    );
    // What is left of the quota paces the next requests: once it is spent
    // (counting the requests still in flight), none is sent before the reset,
    // at most as long as a retry would wait. Pacing, not a failure. Whatever
    // the status: servers count a 500 or a 404 against the quota too, and the
    // retry of a 500 that said "0 left" would otherwise meet a 429.
    if let (Some(remaining), Some(reset)) = (quota.remaining, quota.reset) {
        fetcher.limiter.note_quota(remaining, reset.min(fetcher.policy.max_wait));
    }
    if !status.is_success() {
        let label = describe(&method, response.url());
        // Only the start of an error body is read: enough for the message.
        let (body, cut_short) = read_prefix(&mut response, ERROR_BODY_CAP.min(fetcher.max_body)).await;
        let mut failure = status_failure(&P::SPEC, status, label, &quota, &body, now);
        // A declaration that reads error bodies cannot tell what a body cut
        // short meant (a rate limit?): a bad body, retried per `retry_bad_bodies`.
        if cut_short && reads_error_bodies(&P::SPEC) && !failure.retryable {
            failure.retryable = fetcher.policy.retry_bad_bodies;
        }
        return Err(failure);
    }
    let limit = fetcher.max_body;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Failure::fatal(ErrorKind::BodyTooLarge { limit }));
    }
    // A body cut short is a bad body, retried per `retry_bad_bodies`.
    let cut = |e: reqwest::Error| {
        let kind = ErrorKind::Transport(redact::reqwest_error(e).into());
        Failure::plain(kind, fetcher.policy.retry_bad_bodies)
    };
    let body = read_body(&mut response, limit).await.map_err(|e| match e {
        BodyError::Read(e) => cut(e),
        BodyError::TooLarge => Failure::fatal(ErrorKind::BodyTooLarge { limit }),
    })?;
    let api_error = |message: String| {
        if P::SPEC.cursor_expired_errors.contains(&message.as_str()) {
            let request = describe(&method, response.url());
            return Failure::fatal(ErrorKind::CursorExpired { status, request, message, restarts: 0 });
        }
        let rate_limited = P::SPEC.rate_limit_errors.contains(&message.as_str());
        let kind = ErrorKind::Api { message, rate_limited };
        Failure {
            kind,
            retryable: rate_limited,
            wait: quota.wait().filter(|_| rate_limited),
            throttled: rate_limited,
            unprocessed: rate_limited,
        }
    };
    match decode::<P>(&body) {
        Ok(page) => match page.api_error() {
            None => {
                // Only offset and page walks compare pages (the duplicate-page
                // guard): their items, shared with the body, not copied.
                let raw_items = matches!(P::SPEC.style, Style::Offset | Style::Page)
                    .then(|| ItemsJson::new(body.clone(), P::SPEC.items_path));
                Ok(Fetched { page, raw_items, url, headers, status: status.as_u16() })
            }
            Some(message) => Err(api_error(message)),
        },
        Err(kind) => {
            // A page that does not decode may still carry the API's error
            // (GraphQL's `{"data": null, "errors": [..]}`).
            if let Some(message) = raw_api_error(&P::SPEC, &body) {
                return Err(api_error(message));
            }
            let malformed = matches!(kind, ErrorKind::Decode { malformed: true, .. });
            let retryable = malformed && fetcher.policy.retry_bad_bodies;
            Err(Failure::plain(kind, retryable))
        }
    }
}

/// The API's error in a body that did not decode, read from the raw JSON at
/// the declared `api_error` path, `rate_limit_field` or `cursor_expired_field`.
fn raw_api_error(spec: &Spec, body: &[u8]) -> Option<String> {
    let fields = [
        (spec.cursor_expired_field, spec.cursor_expired_errors),
        (spec.rate_limit_field, spec.rate_limit_errors),
    ];
    if spec.api_error_path.is_none() && fields.iter().all(|(path, _)| path.is_none()) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    for (path, values) in fields {
        if let Some(code) = path.and_then(|path| at_path(&json, path)).and_then(|v| v.as_str())
            && is_one_of(code, values)
        {
            return Some(code.to_owned());
        }
    }
    at_path(&json, spec.api_error_path?).and_then(ApiErrorValue::to_api_error)
}

/// Whether a value read from an error body is one of the declared `values`.
/// A value with a namespace (`com.amazon.coral.availability#ThrottlingException`,
/// as AWS writes `__type`) also matches its last part, as AWS SDKs read it.
fn is_one_of(value: &str, values: &[&str]) -> bool {
    values.contains(&value) || value.rsplit_once('#').is_some_and(|(_, name)| values.contains(&name))
}

/// A declaration that some error responses mean one thing (a rate limit, an
/// expired cursor): statuses, a text in the body, values at a body path.
struct ErrorRule<'a> {
    statuses: &'a [u16],
    text: Option<&'a str>,
    field: Option<&'a [&'a str]>,
    values: &'a [&'a str],
}

impl ErrorRule<'_> {
    fn rate_limit(spec: &Spec) -> ErrorRule<'_> {
        ErrorRule {
            statuses: spec.rate_limit_statuses,
            text: spec.rate_limit_match,
            field: spec.rate_limit_field,
            values: spec.rate_limit_errors,
        }
    }

    fn cursor_expired(spec: &Spec) -> ErrorRule<'_> {
        ErrorRule {
            statuses: spec.cursor_expired_statuses,
            text: spec.cursor_expired_match,
            field: spec.cursor_expired_field,
            values: spec.cursor_expired_errors,
        }
    }

    /// Whether an error response says so: with a body condition declared, the
    /// body must say it (on a declared status, if any are); without one, the
    /// status alone.
    fn says(&self, code: u16, json: Option<&serde_json::Value>, body: &[u8]) -> bool {
        if self.text.is_none() && self.field.is_none() {
            return self.statuses.contains(&code);
        }
        let field_says = self.field.and_then(|path| at_path(json?, path)).is_some_and(|v| {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            is_one_of(&text, self.values)
        });
        let text_says = self.text.is_some_and(|needle| {
            String::from_utf8_lossy(body).to_lowercase().contains(&needle.to_lowercase())
        });
        (field_says || text_says) && (self.statuses.is_empty() || self.statuses.contains(&code))
    }
}

/// What a non-success response means: a rate limit (and how long it asks to
/// wait), an expired cursor, a failure worth another attempt, or a final answer.
fn status_failure(
    spec: &Spec,
    status: reqwest::StatusCode,
    request: String,
    quota: &Quota,
    body: &[u8],
    now: SystemTime,
) -> Failure {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let code = status.as_u16();
    let declared = ErrorRule::rate_limit(spec).says(code, json.as_ref(), body);
    // GitHub's primary limit is a 403 with a spent quota, its secondary limit
    // a 403 with `Retry-After`.
    let rate_limited =
        code == 429 || declared || (code == 403 && (quota.exhausted() || quota.retry_after.is_some()));
    // A rate limit goes first: waiting may help it, starting over would not.
    if !rate_limited && ErrorRule::cursor_expired(spec).says(code, json.as_ref(), body) {
        let message = json.as_ref().and_then(api_message).unwrap_or_else(|| excerpt(body, BODY_EXCERPT));
        return Failure::fatal(ErrorKind::CursorExpired { status, request, message, restarts: 0 });
    }
    let retryable = rate_limited || retryable_status(status);
    let wait = if rate_limited {
        let in_body = spec.rate_limit_wait_field.and_then(|path| wait_in_body(json.as_ref()?, path, now));
        // The reset counts only for a quota that is spent, or whose remaining
        // count is not given. When the headers say requests remain, another
        // limit refused this one (GitHub's secondary limit, a per-second
        // burst under an hourly quota), and the window's reset says nothing
        // about it: the throttle backoff applies.
        let reset = quota.reset.filter(|_| quota.remaining.is_none_or(|left| left == 0));
        quota.retry_after.or(in_body).or(reset)
    } else {
        quota.retry_after.filter(|_| retryable)
    };
    let kind = ErrorKind::Status {
        status,
        request,
        message: json.as_ref().and_then(api_message),
        body: excerpt(body, BODY_EXCERPT),
        rate_limited,
    };
    Failure {
        kind,
        retryable,
        wait,
        throttled: rate_limited || code == 503,
        unprocessed: rate_limited || matches!(code, 408 | 425),
    }
}

/// At most `cap` bytes of the body, and whether a read error cut it short
/// (it ends where it is).
async fn read_prefix(response: &mut reqwest::Response, cap: u64) -> (Bytes, bool) {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while body.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(cap - body.len())]),
            Ok(None) => break,
            Err(_) => return (body.into(), true),
        }
    }
    (body.into(), false)
}

/// Whether what an error response means depends on its body.
fn reads_error_bodies(spec: &Spec) -> bool {
    spec.rate_limit_match.is_some()
        || spec.rate_limit_field.is_some()
        || spec.rate_limit_wait_field.is_some()
        || spec.cursor_expired_match.is_some()
        || spec.cursor_expired_field.is_some()
}

enum BodyError {
    Read(reqwest::Error),
    TooLarge,
}

/// The whole body, under the size cap. A body that arrives in one chunk (the
/// usual case) is kept as it arrived, without a copy.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    let Some(first) = response.chunk().await.map_err(BodyError::Read)? else { return Ok(Bytes::new()) };
    if first.len() as u64 > limit {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Read)? else { return Ok(first) };
    let mut body = Vec::with_capacity(usize::try_from(response.content_length().unwrap_or(0)).unwrap_or(0));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(BodyError::Read)?;
    }
    Ok(body.into())
}

fn reason(kind: &ErrorKind) -> String {
    redact::text(&match kind {
        ErrorKind::Status { status, .. } => format!("HTTP {}", status.as_u16()),
        ErrorKind::Transport(e) => format!("transport error: {e}"),
        ErrorKind::Decode { message, .. } => format!("undecodable body: {message}"),
        ErrorKind::Api { message, .. } => format!("API error: {message}"),
        other => format!("{other:?}"),
    })
}

/// `GET http://host/path`: the query is left out, because it may hold
/// credentials (`?access_token=`) and long cursors.
fn describe(method: &reqwest::Method, url: &reqwest::Url) -> String {
    redact::text(&format!("{method} {}{}", url.origin().ascii_serialization(), url.path()))
}

/// Decodes a page, reporting the serde path and the body around a failure.
pub(crate) fn decode<P: Paginated>(body: &[u8]) -> Result<P, ErrorKind> {
    // The fast path; the path-tracking pass runs only to explain a failure.
    if let Ok(Decoded(page)) = serde_json::from_slice(body) {
        return Ok(page);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let Decoded(page) = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let e = e.into_inner();
        let mut kind = decode_error(path, &e, body);
        // serde's derive reads a JSON array as a struct's fields in order, so
        // a bare array where the declaration expects an object (its items sit
        // under a key) fails inside the array, at `[0]`. Report the mismatch
        // at the top, where the error's hint names the fix.
        if let ErrorKind::Decode { path, message, malformed: false, .. } = &mut kind
            && P::SPEC.items_path.is_some()
            && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        {
            *message = format!(
                "invalid type: sequence, expected an object (read as the struct's fields in order, it failed at `{path}`: {e})"
            );
            path.clear();
        }
        kind
    })?;
    de.end().map_err(|e| decode_error(String::new(), &e, body))?;
    Ok(page)
}

/// A page's items as raw JSON, for the duplicate-page guard: two pages are
/// the same when their items are, byte for byte, whatever the envelope around
/// them (a `request_id`, a timestamp).
///
/// Finding where an items array ends means reading all of it, which would cost
/// a second parse of every page; so the first item is read first (the body up
/// to its end only), and the whole arrays are compared only when two pages
/// start with the same item, which almost only a repeated page does.
#[derive(Debug, Clone)]
pub(crate) struct ItemsJson {
    body: Bytes,
    path: Option<&'static [&'static str]>,
    /// The raw JSON of the first item; `None` without a path, for an empty
    /// array, or when the path leads nowhere.
    first: Option<Bytes>,
}

impl ItemsJson {
    pub(crate) fn new(body: Bytes, path: Option<&'static [&'static str]>) -> ItemsJson {
        let first = first_item(&body, path);
        ItemsJson { body, path, first }
    }

    /// A page compared as a whole body (no items path).
    #[cfg(test)]
    pub(crate) fn whole(body: Bytes) -> ItemsJson {
        ItemsJson { body, path: None, first: None }
    }
}

impl PartialEq for ItemsJson {
    fn eq(&self, other: &ItemsJson) -> bool {
        self.first == other.first && items_json(&self.body, self.path) == items_json(&other.body, other.path)
    }
}

/// The raw JSON of the first item of the array at `path`, reading the body
/// only up to the end of that item.
fn first_item(body: &Bytes, path: Option<&[&str]>) -> Option<Bytes> {
    seek(body, path?, Take::FirstElement)
}

/// The raw JSON of a page's items, a zero-copy slice of `body`: what the
/// duplicate-page guard compares, so that an envelope field that changes on
/// every response (a `request_id`, a timestamp) does not hide a repeated page.
/// The whole body when the declaration has no items path or the body has
/// nothing there.
fn items_json(body: &Bytes, path: Option<&[&str]>) -> Bytes {
    path.and_then(|path| seek(body, path, Take::Whole)).unwrap_or_else(|| body.clone())
}

/// What [`seek`] takes at the end of its path.
#[derive(Clone, Copy)]
enum Take {
    /// The whole value.
    Whole,
    /// The first element of the array there.
    FirstElement,
}

/// Follows a path of object keys through `body` and borrows the raw JSON
/// `take` names at its end, as a zero-copy slice; `None` when a key is
/// missing. Every other value is skipped unparsed, and reading stops as soon
/// as the value is found: the error that stops it is the point, so the
/// result is read from `found`, not from the parse.
fn seek(body: &Bytes, path: &[&str], take: Take) -> Option<Bytes> {
    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = Seek { path, take, found: &found }.deserialize(&mut de);
    found.get().map(|raw: &RawValue| body.slice_ref(raw.get().as_bytes()))
}

/// The rest of the path, and where to put what is found at its end.
struct Seek<'p, 'de> {
    path: &'p [&'p str],
    take: Take,
    found: &'p Cell<Option<&'de RawValue>>,
}

impl<'de> DeserializeSeed<'de> for Seek<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        match (self.path.split_first(), self.take) {
            (None, Take::Whole) => {
                self.found.set(Some(<&RawValue>::deserialize(de)?));
                Err(D::Error::custom("the value is read"))
            }
            (None, Take::FirstElement) => de.deserialize_seq(self),
            (Some((key, rest)), _) => de.deserialize_map(SeekIn { key, next: Seek { path: rest, ..self } }),
        }
    }
}

impl<'de> Visitor<'de> for Seek<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some(first) = seq.next_element::<&RawValue>()? {
            self.found.set(Some(first));
        }
        Err(A::Error::custom("the first item is read"))
    }
}

/// An object on the path: the value under its first `key` is followed further.
struct SeekIn<'p, 'de> {
    key: &'p str,
    next: Seek<'p, 'de>,
}

impl<'de> Visitor<'de> for SeekIn<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an object with a `{}` key", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(matches) = map.next_key_seed(Key(self.key))? {
            if matches {
                return map.next_value_seed(self.next);
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Whether an object key is `self.0`, compared after unescaping (`"d\u0061ta"`
/// is `data`), without allocating.
struct Key<'p>(&'p str);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<bool, D::Error> {
        de.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

fn decode_error(path: String, e: &serde_json::Error, body: &[u8]) -> ErrorKind {
    let malformed = !e.is_data();
    ErrorKind::Decode { path, excerpt: around(body, e.line(), e.column()), message: e.to_string(), malformed }
}

/// About 80 bytes of `body` around a 1-based line and column.
fn around(body: &[u8], line: usize, column: usize) -> String {
    let line_start: usize =
        body.split(|b| *b == b'\n').take(line.saturating_sub(1)).map(|l| l.len() + 1).sum();
    let at = (line_start + column).min(body.len());
    let start = at.saturating_sub(60);
    let end = (at + 20).min(body.len());
    String::from_utf8_lossy(&body[start..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(body: &'static str, path: Option<&[&str]>) -> Bytes {
        let body = Bytes::from_static(body.as_bytes());
        let found = items_json(&body, path);
        // A slice of the body itself, not a copy.
        let offset = found.as_ptr() as usize - body.as_ptr() as usize;
        assert!(offset + found.len() <= body.len());
        found
    }

    #[test]
    fn the_items_are_a_slice_of_the_body_without_the_envelope() {
        let data = Some(&["data"][..]);
        assert_eq!(items(r#"{"request_id":"r1","data":[1,2],"total":9}"#, data), "[1,2]");
        assert_eq!(items(r#"{"data" :  [ {"id": "a"} ] , "x": 1}"#, data), r#"[ {"id": "a"} ]"#);
        // The same items under another envelope compare equal.
        assert_eq!(
            items(r#"{"request_id":"r1","data":[1]}"#, data),
            items(r#"{"data":[1],"request_id":"r22"}"#, data)
        );
        // A key elsewhere in the tree that happens to be the item key is not the items.
        assert_eq!(items(r#"{"meta":{"data":[9]},"data":[1],"more":{"data":[8]}}"#, data), "[1]");
    }

    #[test]
    fn pages_compare_by_their_items_reading_most_only_to_the_first_item() {
        let data = Some(&["data"][..]);
        let page = |s: &'static str| ItemsJson::new(Bytes::from_static(s.as_bytes()), data);
        let first = |s: &'static str| first_item(&Bytes::from_static(s.as_bytes()), data);
        assert_eq!(first(r#"{"x":{"data":[9]},"data":[{"id":1},{"id":2}]}"#).unwrap(), r#"{"id":1}"#);
        assert_eq!(first(r#"{"data":[]}"#), None);
        assert_eq!(first(r#"{"other":[1]}"#), None);
        assert!(page(r#"{"rid":"a","data":[1,2]}"#) == page(r#"{"data":[1,2],"rid":"bb"}"#));
        assert!(page(r#"{"data":[1,2]}"#) != page(r#"{"data":[1,3]}"#), "same first item, other items");
        assert!(page(r#"{"data":[1,2]}"#) != page(r#"{"data":[0,2]}"#));
        assert!(page(r#"{"data":[]}"#) == page(r#"{"data":[], "n": 1}"#));
    }

    #[test]
    fn escaped_keys_and_nested_paths() {
        assert_eq!(items(r#"{"d\u0061ta":[1]}"#, Some(&["data"])), "[1]");
        assert_eq!(items(r#"{"a\"b":[1],"a":[2]}"#, Some(&["a\"b"])), "[1]");
        assert_eq!(items(r#"{"caf\u00e9":[3]}"#, Some(&["café"])), "[3]");
        let nested = Some(&["result", "page", "items"][..]);
        let body = r#"{"id":7,"result":{"items":[0],"page":{"cursor":null,"items":[{"a":[1,{"b":2}]}]}}}"#;
        assert_eq!(items(body, nested), r#"[{"a":[1,{"b":2}]}]"#);
        // An empty path (a `transparent` page) is the whole value.
        assert_eq!(items(" [1, 2] ", Some(&[])), "[1, 2]");
    }

    #[test]
    fn without_a_path_or_a_match_the_whole_body_is_compared() {
        let body = r#"{"data":[1],"request_id":"r"}"#;
        assert_eq!(items(body, None), body);
        for path in [&["items"][..], &["data", "inner"], &["request_id", "x"]] {
            assert_eq!(items(body, Some(path)), body, "{path:?}");
        }
        for odd in ["[1,2]", "\"data\"", "null", "{\"data\":", "not json"] {
            assert_eq!(items(odd, Some(&["data"])), odd);
        }
    }

    #[derive(serde::Deserialize)]
    struct Page {
        data: Vec<u32>,
    }

    impl Paginated for Page {
        type Item = u32;
        const SPEC: Spec = Spec { cursor: Some(crate::Target::Query("after")), ..Spec::DEFAULT };
        fn signals(&self) -> crate::Signals {
            crate::Signals::default()
        }
        fn items(&self) -> &[u32] {
            &self.data
        }
        fn items_mut(&mut self) -> &mut Vec<u32> {
            &mut self.data
        }
    }

    /// A walk over a transport that never answers, on the paused clock.
    fn silent_walk() -> crate::Paginator<Page> {
        let request = reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1:9/p".parse().unwrap());
        let silent = crate::transport_fn(|_| std::future::pending::<Result<reqwest::Response, BoxError>>());
        crate::Paginator::with_transport(request, silent).retry(RetryPolicy::never()).lookahead(0)
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_never_answers_times_out_after_60_seconds_by_default() {
        assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(60));
        let start = tokio::time::Instant::now();
        let err = silent_walk().collect().await.unwrap_err();
        assert_eq!(start.elapsed(), DEFAULT_TIMEOUT);
        assert!(err.is_transient(), "{err:?}");
        assert!(err.to_string().contains("no complete response within 60s"), "{err}");
        assert_eq!(err.checkpoint().unwrap().position, crate::Position::Start);
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_timeout_can_be_disabled() {
        let walk = silent_walk().timeout(None).collect();
        assert!(tokio::time::timeout(Duration::from_secs(24 * 3600), walk).await.is_err(), "still waiting");
    }

    #[test]
    fn the_walk_wide_budgets_are_spent_exactly() {
        let spend = |policy: RetryPolicy, waits: &[u64]| {
            let silent =
                crate::transport_fn(|_| std::future::pending::<Result<reqwest::Response, BoxError>>());
            let fetcher = Fetcher::new(Box::new(silent), policy);
            let taken: Vec<bool> = waits.iter().map(|us| fetcher.spend(Duration::from_micros(*us))).collect();
            (taken, fetcher.retries.into_inner(), Duration::from_nanos(fetcher.waited_ns.into_inner()))
        };
        let ms = Duration::from_millis;
        let by_wait = RetryPolicy::default().max_total_wait(ms(10));
        assert_eq!(
            spend(by_wait, &[4000, 4000, 4000, 2000, 1]),
            (vec![true, true, false, true, false], 3, ms(10))
        );
        // Fractions of a millisecond count: 1.9 ms + 1.9 ms do not fit in 3 ms.
        let fractions = RetryPolicy::default().max_total_wait(ms(3));
        assert_eq!(spend(fractions, &[1900, 1900]), (vec![true, false], 1, Duration::from_micros(1900)));
        // A wait refused for want of a retry is not counted as waited.
        let by_count = RetryPolicy::default().max_retries(2);
        assert_eq!(spend(by_count, &[3000, 3000, 3000]), (vec![true, true, false], 2, ms(6)));
    }

    fn failure(spec: &Spec, code: u16, body: &str) -> Failure {
        let status = reqwest::StatusCode::from_u16(code).unwrap();
        status_failure(
            spec,
            status,
            "GET http://h/x".into(),
            &Quota::default(),
            body.as_bytes(),
            SystemTime::now(),
        )
    }

    fn expired(failure: &Failure) -> bool {
        matches!(failure.kind, ErrorKind::CursorExpired { .. }) && !failure.retryable
    }

    #[test]
    fn expired_cursors_as_declared_and_rate_limits_first() {
        // Asana: a 400 that talks about the offset; another 400 is a plain status.
        let asana =
            Spec { cursor_expired_statuses: &[400], cursor_expired_match: Some("OFFSET"), ..Spec::DEFAULT };
        assert!(expired(&failure(
            &asana,
            400,
            r#"{"errors":[{"message":"Offset abc is no longer valid"}]}"#
        )));
        assert!(!expired(&failure(&asana, 400, r#"{"errors":[{"message":"limit: not a number"}]}"#)));
        assert!(!expired(&failure(&asana, 404, r#"{"errors":[{"message":"offset"}]}"#)));
        let ErrorKind::CursorExpired { message, .. } =
            failure(&asana, 400, r#"{"errors":[{"message":"Offset abc is no longer valid"}]}"#).kind
        else {
            unreachable!()
        };
        assert_eq!(message, "Offset abc is no longer valid");

        // Salesforce: a value at a path; Elasticsearch: a status alone.
        let salesforce = Spec {
            cursor_expired_field: Some(&["[]", "errorCode"]),
            cursor_expired_errors: &["INVALID_QUERY_LOCATOR"],
            ..Spec::DEFAULT
        };
        assert!(expired(&failure(
            &salesforce,
            400,
            r#"[{"errorCode":"INVALID_QUERY_LOCATOR","message":"x"}]"#
        )));
        assert!(!expired(&failure(&salesforce, 400, r#"[{"errorCode":"MALFORMED_QUERY"}]"#)));
        let scroll = Spec { cursor_expired_statuses: &[404], ..Spec::DEFAULT };
        assert!(expired(&failure(&scroll, 404, "no json")));

        // A body that says both is a rate limit: a wait may cure it.
        let both = Spec {
            rate_limit_statuses: &[400],
            rate_limit_field: Some(&["__type"]),
            rate_limit_errors: &["ThrottlingException"],
            cursor_expired_statuses: &[400],
            ..Spec::DEFAULT
        };
        let namespaced = r#"{"__type":"com.amazon.coral.availability#ThrottlingException"}"#;
        for body in [r#"{"__type":"ThrottlingException"}"#, namespaced] {
            let throttled = failure(&both, 400, body);
            assert!(matches!(throttled.kind, ErrorKind::Status { rate_limited: true, .. }), "{body}");
            assert!(throttled.retryable);
        }
        assert!(expired(&failure(&both, 400, r#"{"__type":"InvalidParameterException"}"#)));
    }
}
