//! A recording HTTP/1 server on loopback: every request is kept, in order,
//! and answered by a plain function.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Sleep;

/// The function that answers every request of a [`MockServer`].
type Handler = dyn Fn(&RecordedRequest) -> MockResponse + Send + Sync;

/// An HTTP/1 server on `127.0.0.1:<random port>` that records every request
/// and answers it with a handler function.
///
/// The server runs on the tokio runtime that started it (current-thread or
/// multi-thread) and stops when dropped: the accept loop and every open
/// keep-alive connection are aborted.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use paginated::testing::{MockResponse, MockServer};
///
/// let server = MockServer::start(|req| {
///     MockResponse::json(serde_json::json!({ "path": req.path }))
/// })
/// .await;
/// assert!(server.url("/ping").starts_with("http://127.0.0.1:"));
/// assert!(server.requests().is_empty());
/// # }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    journal: Arc<Mutex<Vec<RecordedRequest>>>,
    accept_loop: JoinHandle<()>,
}

impl MockServer {
    /// Binds a random loopback port and starts serving `handler`.
    ///
    /// A panic inside the handler becomes a `500` whose body is the panic
    /// message; the server keeps running.
    pub async fn start<H>(handler: H) -> MockServer
    where
        H: Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
    {
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).await.expect("bind a loopback port for the mock server");
        let addr = listener.local_addr().expect("local address of the mock server");
        let journal = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept_loop = tokio::spawn(accept_connections(listener, handler, Arc::clone(&journal)));
        MockServer { addr, journal, accept_loop }
    }

    /// The server root, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The absolute URL of `path_and_query` on this server; a missing leading
    /// `/` is added.
    pub fn url(&self, path_and_query: &str) -> String {
        if path_and_query.starts_with('/') {
            format!("{}{path_and_query}", self.base_url())
        } else {
            format!("{}/{path_and_query}", self.base_url())
        }
    }

    /// Every request received so far, in the order they arrived.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.journal.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every request received so far, in order, and forgets them, so the next
    /// call only sees what arrives afterwards.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *self.journal.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // The connection tasks live in a JoinSet owned by the accept loop, so
        // aborting the loop also closes keep-alive connections.
        self.accept_loop.abort();
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

async fn accept_connections(
    listener: TcpListener,
    handler: Arc<Handler>,
    journal: Arc<Mutex<Vec<RecordedRequest>>>,
) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Transient accept errors (e.g. too many open files) should not end the server.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        while connections.try_join_next().is_some() {}
        let handler = Arc::clone(&handler);
        let journal = Arc::clone(&journal);
        connections.spawn(async move {
            let service =
                service_fn(move |request| answer(request, Arc::clone(&handler), Arc::clone(&journal)));
            // A client that hangs up mid-request is not an error worth reporting, and
            // neither is a connection closed on purpose (`MockResponse::reset`, `truncated`).
            let _ =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    handler: Arc<Handler>,
    journal: Arc<Mutex<Vec<RecordedRequest>>>,
) -> Result<Response<WireBody>, io::Error> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        raw_query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect(),
        body,
    };
    journal.lock().unwrap_or_else(PoisonError::into_inner).push(recorded.clone());
    let reply = catch_unwind(AssertUnwindSafe(|| handler(&recorded))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the mock handler panicked".to_owned());
        MockResponse::text(500, &format!("mock handler panicked: {message}"))
    });
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    if reply.cut == Cut::Reset {
        // An error from the service makes hyper close the connection without answering.
        return Err(io::Error::new(io::ErrorKind::ConnectionReset, "mock response: reset"));
    }
    Ok(reply.into_hyper())
}

/// One request as the [`MockServer`] received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method, upper case (`"GET"`, `"POST"`).
    pub method: String,
    /// The path, still percent-encoded as sent (`"/v2/notes"`).
    pub path: String,
    /// The query string after `?`, exactly as sent; `None` without a `?`.
    pub raw_query: Option<String>,
    /// Every header in the order sent; names are lower case.
    pub headers: Vec<(String, String)>,
    /// The request body (empty for a GET).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The query parameters, form-urlencoded decoded, in order (`+` is a space).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let raw = self.raw_query.as_deref().unwrap_or_default();
        form_urlencoded::parse(raw.as_bytes()).into_owned().collect()
    }

    /// The first decoded value of the query parameter `name`.
    pub fn query(&self, name: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
    }

    /// Every decoded value of the query parameter `name`, in order.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query_pairs().into_iter().filter(|(key, _)| key == name).map(|(_, value)| value).collect()
    }

    /// The first value of the header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON; `None` if it is empty or not JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The answer a handler gives to one request.
#[derive(Debug, Clone)]
pub struct MockResponse {
    /// The HTTP status code; an invalid code is sent as `500`.
    pub status: u16,
    /// Extra headers, in order.
    pub headers: Vec<(String, String)>,
    /// The response body.
    pub body: Vec<u8>,
    /// How long the server waits before answering, to test timeouts and
    /// concurrency.
    pub delay: Option<Duration>,
    /// Whether the response is cut short on the wire ([`MockResponse::reset`],
    /// [`MockResponse::truncated`]).
    cut: Cut,
    /// Filler bytes sent after the body ([`MockResponse::with_padding`]).
    padding: u64,
    /// The pause before each byte of the body ([`MockResponse::with_trickle`]).
    trickle: Option<Duration>,
}

/// How much of a [`MockResponse`] reaches the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// All of it, and the connection stays open for the next request.
    None,
    /// The headers and the first `sent` bytes of the body, then the connection closes.
    Body { sent: usize },
    /// Nothing: the connection closes once the request is read.
    Reset,
}

impl MockResponse {
    /// A `200 OK` with `value` as a JSON body.
    pub fn json(value: Value) -> Self {
        Self::status(200, value)
    }

    /// A response with status `code` and `value` as a JSON body.
    // By value, so a `json!` literal is passed without a `&`.
    #[allow(clippy::needless_pass_by_value)]
    pub fn status(code: u16, value: Value) -> Self {
        MockResponse {
            status: code,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: value.to_string().into_bytes(),
            delay: None,
            cut: Cut::None,
            padding: 0,
            trickle: None,
        }
    }

    /// A response with status `code` and a plain-text body.
    pub fn text(code: u16, body: &str) -> Self {
        MockResponse {
            status: code,
            headers: vec![("content-type".to_owned(), "text/plain; charset=utf-8".to_owned())],
            body: body.as_bytes().to_vec(),
            delay: None,
            cut: Cut::None,
            padding: 0,
            trickle: None,
        }
    }

    /// Adds a header (after the ones already set). The value goes out as its
    /// UTF-8 bytes, so a non-ASCII value makes a header that is not visible
    /// ASCII, as a misbehaving server may send.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits `delay` before sending the response.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Sends `bytes` spaces after the body, so a JSON body stays JSON: a huge
    /// response (`Content-Length` counts them) that the server never holds in
    /// memory, since it sends the spaces from one static 64 KiB block. Not
    /// sent by a [`truncated`](MockResponse::truncated) or
    /// [`reset`](MockResponse::reset) response.
    ///
    /// ```
    /// # use paginate_core::testing::MockResponse;
    /// let huge = MockResponse::status(500, serde_json::json!({"message": "overloaded"}))
    ///     .with_padding(60 << 20);
    /// assert_eq!(huge.padding(), 60 << 20);
    /// ```
    pub fn with_padding(mut self, bytes: u64) -> Self {
        self.padding = bytes;
        self
    }

    /// How many filler bytes follow the body (see [`with_padding`](MockResponse::with_padding)).
    pub fn padding(&self) -> u64 {
        self.padding
    }

    /// Sends the status and headers at once, then the body (padding included)
    /// one byte every `interval`: a server that trickles, so that no single
    /// read waits long but the whole response takes `interval` times its
    /// length.
    pub fn with_trickle(mut self, interval: Duration) -> Self {
        self.trickle = Some(interval);
        self
    }

    /// No answer at all: the server reads the request, then closes the
    /// connection without sending a byte, as a crashed server or a dropped
    /// connection would. The client sees a connection error.
    ///
    /// ```
    /// # use paginated::testing::MockResponse;
    /// let hang_up = MockResponse::reset();
    /// assert!(hang_up.is_reset());
    /// ```
    pub fn reset() -> Self {
        MockResponse { cut: Cut::Reset, ..MockResponse::text(500, "") }
    }

    /// Cuts the body short: the status and the headers go out with a
    /// `Content-Length` announcing the whole body (at least one byte more than
    /// is sent), then only the first `sent` bytes of the body, then the
    /// connection closes. The client sees an error while reading the body.
    ///
    /// ```
    /// # use paginated::testing::MockResponse;
    /// let cut = MockResponse::json(serde_json::json!({"data": [1, 2, 3]})).truncated(5);
    /// assert_eq!(cut.truncated_at(), Some(5));
    /// ```
    pub fn truncated(mut self, sent: usize) -> Self {
        self.cut = Cut::Body { sent };
        self
    }

    /// Whether this response is [`reset`](MockResponse::reset) (never sent).
    pub fn is_reset(&self) -> bool {
        self.cut == Cut::Reset
    }

    /// How many body bytes a [`truncated`](MockResponse::truncated) response
    /// sends before closing; `None` for a response sent in full.
    pub fn truncated_at(&self) -> Option<usize> {
        match self.cut {
            Cut::Body { sent } => Some(sent.min(self.body.len())),
            Cut::None | Cut::Reset => None,
        }
    }

    fn into_hyper(self) -> Response<WireBody> {
        let declared = match self.cut {
            Cut::Body { sent } => Some(self.body.len().max(sent.saturating_add(1))),
            Cut::None | Cut::Reset => None,
        };
        let mut body = self.body;
        if let Cut::Body { sent } = self.cut {
            body.truncate(sent);
        }
        let padding = if declared.is_some() { 0 } else { self.padding };
        let mut response = Response::new(WireBody {
            data: Some(Bytes::from(body)),
            padding,
            trickle: self.trickle.map(|interval| (interval, None)),
            cut: declared.is_some(),
            closing: None,
        });
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            // A header a test wrote by hand that hyper cannot send is dropped rather than
            // failing the whole response.
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                hyper::header::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        if let Some(length) = declared {
            // The whole length, so the client notices the missing bytes.
            response.headers_mut().insert(hyper::header::CONTENT_LENGTH, length.into());
        }
        response
    }
}

/// Where the spaces of a padded body come from: no allocation however large.
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// A response body: the bytes and the padding (at once, or trickled), then
/// the end of the stream, or, for a truncated response, a short pause (so
/// hyper flushes what was sent) and an error that makes hyper close the
/// connection.
struct WireBody {
    data: Option<Bytes>,
    /// Spaces still to send after `data`.
    padding: u64,
    /// The pause before each byte, and the pause under way.
    trickle: Option<(Duration, Option<Pin<Box<Sleep>>>)>,
    cut: bool,
    closing: Option<Pin<Box<Sleep>>>,
}

impl WireBody {
    /// The next bytes to send, at most `max`.
    fn next_bytes(&mut self, max: usize) -> Option<Bytes> {
        if let Some(data) = self.data.as_mut().filter(|data| !data.is_empty()) {
            return Some(data.split_to(max.min(data.len())));
        }
        if self.padding == 0 {
            return None;
        }
        let len = usize::try_from(self.padding).unwrap_or(usize::MAX).min(PADDING.len()).min(max);
        self.padding -= len as u64;
        Some(Bytes::from_static(&PADDING[..len]))
    }
}

impl Body for WireBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        let max = match &mut this.trickle {
            Some((interval, tick))
                if this.data.as_ref().is_some_and(|d| !d.is_empty()) || this.padding > 0 =>
            {
                let sleep = tick.get_or_insert_with(|| Box::pin(tokio::time::sleep(*interval)));
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *tick = None;
                1
            }
            _ => usize::MAX,
        };
        if let Some(bytes) = this.next_bytes(max) {
            return Poll::Ready(Some(Ok(Frame::data(bytes))));
        }
        if !self.cut {
            return Poll::Ready(None);
        }
        let closing =
            self.closing.get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(5))));
        match closing.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "mock response: body truncated",
            )))),
        }
    }

    fn is_end_stream(&self) -> bool {
        !self.cut && self.padding == 0 && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.cut {
            return SizeHint::default();
        }
        let data = self.data.as_ref().map_or(0, Bytes::len) as u64;
        SizeHint::with_exact(data.saturating_add(self.padding))
    }
}
