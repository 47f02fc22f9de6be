//! One page over HTTP: send, retry what is worth retrying, read the body
//! under a size cap, decode with the serde path of any failure.

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
use crate::spec::{Paginated, Spec, Style};
use crate::transport::{BoxError, Transport, is_retryable};
use bytes::Bytes;

/// The host reqwest gives a `Response` built from an `http::Response`.
pub(crate) const NO_URL_HOST: &str = "no.url.provided.local";

/// A decoded page, and for offset and page walks its body (for the
/// duplicate-page guard, which compares it with the previous one).
pub(crate) struct Fetched<P> {
    pub page: P,
    pub body: Option<Bytes>,
    /// The URL that answered (after redirects), for link walks: the base of a
    /// relative next URL.
    pub url: Option<reqwest::Url>,
    /// The response headers, when the declaration reads any (`Link`, `cursor_header`).
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
    /// Milliseconds waited between attempts so far, walk-wide (the `max_total_wait` budget).
    pub waited_ms: AtomicU64,
    /// Requests sent ahead and dropped (past the end, or re-planned).
    pub wasted: AtomicU64,
    pub max_body: u64,
    /// The gate every request passes before it is sent.
    pub limiter: RateLimiter,
    /// The time one attempt may take, when the request sets none.
    pub timeout: Option<Duration>,
    /// Whether a response may come from another origin than its request's.
    pub allow_cross_origin: bool,
}

impl Fetcher {
    /// A fetcher with the default limits, for `transport`.
    pub fn new(transport: Box<dyn Transport>, policy: RetryPolicy) -> Fetcher {
        Fetcher {
            transport,
            policy,
            hook: None,
            retries: AtomicU64::new(0),
            waited_ms: AtomicU64::new(0),
            wasted: AtomicU64::new(0),
            max_body: DEFAULT_MAX_BODY,
            limiter: RateLimiter::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            allow_cross_origin: false,
        }
    }

    /// Takes one retry and `wait` from the walk-wide budgets; `false` when
    /// either is spent.
    fn spend(&self, wait: Duration) -> bool {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let budget_ms = u64::try_from(self.policy.max_total_wait.as_millis()).unwrap_or(u64::MAX);
        let waited = self.waited_ms.load(Ordering::Relaxed).saturating_add(wait_ms);
        if waited > budget_ms || self.retries.load(Ordering::Relaxed) >= self.policy.max_retries {
            return false;
        }
        self.waited_ms.fetch_add(wait_ms, Ordering::Relaxed);
        self.retries.fetch_add(1, Ordering::Relaxed);
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
    fn fatal(kind: ErrorKind) -> Failure {
        Failure { kind, retryable: false, wait: None, throttled: false, unprocessed: false }
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
                fetcher.limiter.hold_for(asked);
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
        Err(_) => Err(Failure {
            kind: ErrorKind::Transport(Box::new(TimedOut(limit))),
            retryable: true,
            wait: None,
            throttled: false,
            unprocessed: false,
        }),
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
    let request_url = link_style.then(|| request.url().clone());
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
    let wants_headers = P::SPEC.cursor_header.is_some() || (link_style && !P::SPEC.next_url_field);
    let headers = wants_headers.then(|| response.headers().clone());
    let now = SystemTime::now();
    let quota = read_quota(
        response.headers(),
        P::SPEC.rate_limit_reset_header,
        P::SPEC.rate_limit_remaining_header,
        now,
    );
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
    // A spent quota holds the next request until the reset (pacing, not a
    // failure), at most as long as a retry would wait.
    if let Some(reset) = quota.reset.filter(|_| quota.exhausted()) {
        fetcher.limiter.hold_for(reset.min(fetcher.policy.max_wait));
    }
    let limit = fetcher.max_body;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Failure::fatal(ErrorKind::BodyTooLarge { limit }));
    }
    // A body cut short is a bad body, retried per `retry_bad_bodies`.
    let cut = |e: reqwest::Error| Failure {
        kind: ErrorKind::Transport(redact::reqwest_error(e).into()),
        retryable: fetcher.policy.retry_bad_bodies,
        wait: None,
        throttled: false,
        unprocessed: false,
    };
    let body = read_body(&mut response, limit).await.map_err(|e| match e {
        BodyError::Read(e) => cut(e),
        BodyError::TooLarge => Failure::fatal(ErrorKind::BodyTooLarge { limit }),
    })?;
    // Only offset and page walks compare pages (the duplicate-page guard); the
    // body is shared, not copied.
    let kept = matches!(P::SPEC.style, Style::Offset | Style::Page).then(|| body.clone());
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
            None => Ok(Fetched { page, body: kept, url, headers, status: status.as_u16() }),
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
            Err(Failure { kind, retryable, wait: None, throttled: false, unprocessed: false })
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
        quota.retry_after.or(in_body).or(quota.reset)
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
    if let Ok(page) = serde_json::from_slice(body) {
        return Ok(page);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let page = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        decode_error(path, &e.into_inner(), body)
    })?;
    de.end().map_err(|e| decode_error(String::new(), &e, body))?;
    Ok(page)
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
