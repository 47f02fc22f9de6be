//! One page over HTTP: send, retry what is worth retrying, read the body
//! under a size cap, decode with the serde path of any failure.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::RETRY_AFTER;

use crate::error::{ErrorKind, api_message, excerpt};
use crate::origin;
use crate::retry::{RetryEvent, RetryHook, RetryPolicy, retry_after};
use crate::spec::{Paginated, Style};
use crate::transport::{BoxError, Transport, is_retryable};

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

/// What every page request of a walk shares.
pub(crate) struct Fetcher {
    pub transport: Box<dyn Transport>,
    pub policy: RetryPolicy,
    pub hook: Option<RetryHook>,
    pub retries: AtomicU64,
    pub max_body: u64,
    /// Whether a response may come from another origin than its request's.
    pub allow_cross_origin: bool,
}

/// One failed attempt, and whether another may succeed.
struct Failure {
    kind: ErrorKind,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(kind: ErrorKind) -> Failure {
        Failure { kind, retryable: false, retry_after: None }
    }
}

/// Sends `request` for page `page` (1-based), retrying per the policy.
pub(crate) fn fetch<P>(fetcher: Arc<Fetcher>, request: reqwest::Request, page: u64) -> PageFuture<P>
where
    P: Paginated + Send + 'static,
{
    Box::pin(async move {
        let policy = &fetcher.policy;
        let may_retry = request.method() != reqwest::Method::POST || policy.retry_post;
        let mut backoff = policy.backoff_waits();
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let copy = request.try_clone().expect("page requests have byte bodies");
            let failure = match attempt_once::<P>(&fetcher, copy).await {
                Ok(fetched) => return Ok(fetched),
                Err(failure) => failure,
            };
            let retrying = may_retry && failure.retryable && policy.max_attempts > 1;
            // A wait longer than the policy allows is reported as such, even on the last attempt.
            if let (true, Some(asked)) = (retrying, failure.retry_after)
                && asked > policy.max_wait
            {
                let status = match &failure.kind {
                    ErrorKind::Status { status, .. } => *status,
                    _ => reqwest::StatusCode::TOO_MANY_REQUESTS,
                };
                return Err(ErrorKind::RetryAfterTooLong { status, asked, max_wait: policy.max_wait });
            }
            if !retrying || attempt >= policy.max_attempts {
                return Err(failure.kind);
            }
            let (wait, from_retry_after) = match failure.retry_after {
                Some(asked) => (asked, true),
                None => (backoff.next().unwrap_or(policy.max_backoff), false),
            };
            if waited + wait > policy.max_total_wait {
                return Err(failure.kind);
            }
            fetcher.retries.fetch_add(1, Ordering::Relaxed);
            if let Some(hook) = &fetcher.hook {
                let reason = reason(&failure.kind);
                hook(&RetryEvent { page, attempt, wait, from_retry_after, reason });
            }
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    })
}

async fn attempt_once<P: Paginated>(
    fetcher: &Fetcher,
    request: reqwest::Request,
) -> Result<Fetched<P>, Failure> {
    let method = request.method().clone();
    let link_style = P::SPEC.style == Style::Link;
    let request_url = link_style.then(|| request.url().clone());
    let transport = |e: BoxError| {
        let retryable = is_retryable(e.as_ref());
        Failure { kind: ErrorKind::Transport(e), retryable, retry_after: None }
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
    let asked = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, SystemTime::now()));
    let limit = fetcher.max_body;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Failure::fatal(ErrorKind::BodyTooLarge { limit }));
    }
    // A body cut short is a bad body, retried per `retry_bad_bodies`.
    let cut = |e: reqwest::Error| Failure {
        kind: ErrorKind::Transport(e.into()),
        retryable: fetcher.policy.retry_bad_bodies,
        retry_after: None,
    };
    let label = || describe(&method, response.url());
    let label = if status.is_success() { String::new() } else { label() };
    let body = read_body(&mut response, limit).await.map_err(|e| match e {
        BodyError::Read(e) => cut(e),
        BodyError::TooLarge => Failure::fatal(ErrorKind::BodyTooLarge { limit }),
    })?;
    if !status.is_success() {
        let retryable = status.as_u16() == 429 || status.is_server_error();
        let kind = ErrorKind::Status {
            status,
            request: label,
            message: api_message(&body),
            body: excerpt(&body, BODY_EXCERPT),
        };
        return Err(Failure { kind, retryable, retry_after: asked.filter(|_| retryable) });
    }
    // Only offset and page walks compare pages (the duplicate-page guard).
    // Only offset and page walks compare pages (the duplicate-page guard); the
    // body is shared, not copied.
    let kept = matches!(P::SPEC.style, Style::Offset | Style::Page).then(|| body.clone());
    match decode::<P>(&body) {
        Ok(page) => match page.api_error() {
            None => Ok(Fetched { page, body: kept, url, headers, status: status.as_u16() }),
            Some(message) => {
                let rate_limited = P::SPEC.rate_limit_errors.contains(&message.as_str());
                let kind = ErrorKind::Api { message, rate_limited };
                Err(Failure { kind, retryable: rate_limited, retry_after: asked.filter(|_| rate_limited) })
            }
        },
        Err(kind) => Err(Failure { kind, retryable: fetcher.policy.retry_bad_bodies, retry_after: None }),
    }
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
    match kind {
        ErrorKind::Status { status, .. } => format!("HTTP {}", status.as_u16()),
        ErrorKind::Transport(e) => format!("transport error: {e}"),
        ErrorKind::Decode { message, .. } => format!("undecodable body: {message}"),
        ErrorKind::Api { message, .. } => format!("API error: {message}"),
        other => format!("{other:?}"),
    }
}

/// `GET http://host/path`: the query is left out, because it may hold
/// credentials (`?access_token=`) and long cursors.
fn describe(method: &reqwest::Method, url: &reqwest::Url) -> String {
    format!("{method} {}{}", url.origin().ascii_serialization(), url.path())
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
    ErrorKind::Decode { path, excerpt: around(body, e.line(), e.column()), message: e.to_string() }
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
