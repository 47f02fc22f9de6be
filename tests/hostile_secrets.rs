//! No credential in any output: secrets planted in the query, the headers and
//! the URL's userinfo never show in an error's `Display` or `Debug`, a retry
//! event, a paginator's `Debug` or a tracing event, whatever fails (a refused
//! or reset connection, a 500 retried, a 401, a bad body, a next URL to
//! another origin or in a loop, another client's error), while the host, the
//! path and the other parameters still do.

use std::error::Error as _;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{Error, ErrorKind, PaginateExt, Paginated, Paginator, RetryEvent, RetryPolicy, transport_fn};
use serde::Deserialize;
use serde_json::json;

/// `Basic` of `user:SECRET6`, which reqwest makes of the URL's userinfo.
const BASIC_SECRET6: &str = "dXNlcjpTRUNSRVQ2";

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Items {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
struct Users {
    #[paginate(items)]
    users: Vec<serde_json::Value>,
}

/// Fails the test if `text`, printed on `channel`, holds any planted secret.
fn assert_clean(channel: &str, text: &str) {
    for secret in ["SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5", "SECRET6", BASIC_SECRET6] {
        assert!(!text.contains(secret), "{secret} leaked through {channel}: {text}");
    }
}

/// Every way an error can be printed: `Display`, `Debug` (plain and pretty),
/// its kind's `Debug` and each error of its source chain.
fn printed(e: &Error) -> String {
    let mut out = format!("{e}\n{e:?}\n{e:#?}\n{:?}\n{:#?}\n", e.kind(), e.kind());
    let mut source = e.source();
    while let Some(s) = source {
        writeln!(out, "{s}\n{s:?}").unwrap();
        source = s.source();
    }
    out
}

/// Checks every channel of a failed walk: the error, the retry events and the
/// tracing output so far.
fn assert_all_clean(e: &Error, events: &[RetryEvent]) -> String {
    let shown = printed(e);
    assert_clean("the error", &shown);
    for event in events {
        assert_clean("a retry event", &format!("{event:?} {}", event.reason));
    }
    assert_clean("tracing", &tracing_log());
    shown
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The tracing output of every walk of this test binary: a global subscriber,
/// installed before the first walk of any test.
fn capture() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

fn tracing_log() -> String {
    String::from_utf8(capture().0.lock().unwrap().clone()).unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2)).max_attempts(3)
}

fn retry_log() -> (Arc<Mutex<Vec<RetryEvent>>>, impl Fn(&RetryEvent) + Send + Sync + 'static) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event: &RetryEvent| sink.lock().unwrap().push(event.clone()))
}

/// `http://user:SECRET6@127.0.0.1:PORT/items?access_token=SECRET1&after=c2`.
fn hostile_url(base: &str) -> String {
    let host = base.strip_prefix("http://").unwrap();
    format!("http://user:SECRET6@{host}/items?access_token=SECRET1&after=c2")
}

/// A request to `base` carrying every planted secret.
fn hostile(base: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .get(hostile_url(base))
        .header("X-Api-Key", "SECRET2")
        .header("Authorization", "Bearer SECRET3")
        .header("Cookie", "sid=SECRET4")
        .header("X-Signature", "SECRET5")
        .header("Accept", "application/json")
}

/// The same request as a `reqwest::Request`, which keeps the userinfo in its
/// URL (a builder turns it into a `Basic` header).
fn hostile_request(base: &str) -> reqwest::Request {
    let mut request = reqwest::Request::new(reqwest::Method::GET, hostile_url(base).parse().unwrap());
    let headers = request.headers_mut();
    for (name, value) in [
        ("x-api-key", "SECRET2"),
        ("authorization", "Bearer SECRET3"),
        ("cookie", "sid=SECRET4"),
        ("x-signature", "SECRET5"),
        ("accept", "application/json"),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    request
}

/// A loopback address with nothing listening.
fn refusing() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn a_refused_connection_shows_the_url_without_its_secrets() {
    capture();
    let base = refusing();
    let (events, hook) = retry_log();
    let err = Paginator::<Items>::with_transport(hostile_request(&base), reqwest::Client::new())
        .retry(fast_retries())
        .on_retry(hook)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    let shown = assert_all_clean(&err, &events);
    let host = base.strip_prefix("http://").unwrap();
    assert!(err.to_string().contains(&format!("{host}/items?access_token=REDACTED&after=c2")), "{err}");
    assert!(!shown.contains("user:"), "the userinfo is dropped: {shown}");
    assert!(events[0].reason.contains("access_token=REDACTED&after=c2"), "{}", events[0].reason);
    // The redacted error is still a reqwest error underneath.
    assert!(err.is_transient());
    assert_eq!(err.status(), None);
    assert!(err.source().unwrap().downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_connect));
    assert!(tracing_log().contains("walk failed"));
}

#[tokio::test]
async fn a_reset_connection_shows_the_url_without_its_secrets() {
    capture();
    let server = MockServer::start(|_: &RecordedRequest| MockResponse::reset()).await;
    let (events, hook) = retry_log();
    let err =
        hostile(&server.base_url()).paginate::<Items>().retry(fast_retries()).on_retry(hook).collect().await;
    let err = err.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(server.requests().len(), 3);
    let events = events.lock().unwrap().clone();
    assert_all_clean(&err, &events);
    assert!(err.to_string().contains("/items?access_token=REDACTED&after=c2"), "{err}");
    assert!(err.is_transient());
    // The secrets did reach the server: they were redacted in the output only.
    let sent = &server.requests()[0];
    assert_eq!(sent.query("access_token").as_deref(), Some("SECRET1"));
    assert_eq!(sent.header("x-signature"), Some("SECRET5"));
}

#[tokio::test]
async fn a_500_retried_then_reported_shows_no_secret() {
    capture();
    // A hostile server that echoes the query and the token in its error.
    let server = MockServer::start(|r: &RecordedRequest| {
        let query = r.raw_query.clone().unwrap_or_default();
        MockResponse::text(500, &format!("upstream failed for ?{query} with Bearer SECRET3"))
    })
    .await;
    let (events, hook) = retry_log();
    let err = hostile(&server.base_url())
        .paginate::<Items>()
        .retry(fast_retries())
        .on_retry(hook)
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].reason, "HTTP 500");
    assert_all_clean(&err, &events);
    let shown = err.to_string();
    assert!(shown.contains(&format!("GET {}/items answered 500", server.base_url())), "{shown}");
    assert!(shown.contains("access_token=REDACTED&after=c2 with Bearer REDACTED"), "{shown}");
}

#[tokio::test]
async fn a_401_shows_no_secret() {
    capture();
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::status(401, json!({"message": "invalid api_key=SECRET2 for Basic dXNlcjpTRUNSRVQ2"}))
    })
    .await;
    let err = hostile(&server.base_url()).paginate::<Items>().collect().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Status { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert_all_clean(&err, &[]);
    assert!(err.to_string().contains("/items answered 401 Unauthorized: invalid api_key=REDACTED"), "{err}");
}

#[tokio::test]
async fn a_decode_error_shows_no_secret_of_the_body() {
    capture();
    // The body holds a next URL with a token right before the point where it
    // is cut short (a malformed body, so it is retried and reported twice).
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::text(
            200,
            r#"{"next": "https://api.example.com/items?access_token=SECRET1&after=c3", "data": [5"#,
        )
    })
    .await;
    let (events, hook) = retry_log();
    let err = hostile(&server.base_url())
        .paginate::<Items>()
        .retry(fast_retries())
        .on_retry(hook)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_all_clean(&err, &events);
    assert!(err.to_string().contains("example.com/items?access_token=REDACTED&after=c3"), "{err}");
}

#[tokio::test]
async fn a_next_url_to_another_origin_or_in_a_loop_shows_no_secret() {
    capture();
    let other = MockServer::start(|_: &RecordedRequest| MockResponse::json(json!([]))).await;
    let elsewhere = hostile_url(&other.base_url()).replace("/items", "/users");
    let home = MockServer::start(move |_: &RecordedRequest| {
        MockResponse::json(json!([{"id": 1}])).with_header("link", format!("<{elsewhere}>; rel=\"next\""))
    })
    .await;
    let err = hostile(&home.base_url()).paginate::<Users>().collect().await.unwrap_err();
    let ErrorKind::CrossOrigin { url } = err.kind() else { panic!("{err:?}") };
    assert!(url.contains("SECRET1"), "the field keeps the URL as the server sent it");
    assert!(other.requests().is_empty());
    assert_all_clean(&err, &[]);
    let host = other.base_url().replace("http://", "");
    assert!(
        err.to_string().contains(&format!("http://{host}/users?access_token=REDACTED&after=c2")),
        "{err}"
    );

    // A next URL that points to itself: the loop error shows the URL, redacted.
    let looping = MockServer::start(|r: &RecordedRequest| {
        let host = r.header("host").unwrap();
        let next = format!("http://{host}/users?access_token=SECRET1&after=c2");
        MockResponse::json(json!([{"id": 1}])).with_header("link", format!("<{next}>; rel=\"next\""))
    })
    .await;
    let err = hostile(&looping.base_url()).paginate::<Users>().collect().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Loop { .. }), "{err:?}");
    assert_all_clean(&err, &[]);
    assert_clean("the checkpoint", &format!("{:?}", err.checkpoint()));
    assert!(err.to_string().contains("/users?access_token=REDACTED&after=c2"), "{err}");
}

#[tokio::test]
async fn another_clients_error_shows_no_secret() {
    capture();
    let (events, hook) = retry_log();
    let transport = transport_fn(|request: reqwest::Request| {
        let message = format!("middleware refused {} (Authorization: Bearer SECRET3)", request.url());
        async move { Err::<reqwest::Response, _>(message) }
    });
    let err = Paginator::<Items>::with_transport(hostile_request("http://127.0.0.1:9"), transport)
        .retry(fast_retries())
        .on_retry(hook)
        .collect()
        .await
        .unwrap_err();
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "another client's error is retried as a network failure");
    assert!(err.is_transient());
    assert_all_clean(&err, &events);
    assert!(
        err.to_string().contains(
            "middleware refused http://127.0.0.1:9/items?access_token=REDACTED&after=c2 (Authorization: Bearer REDACTED)"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_paginator_debug_shows_the_request_without_its_secrets() {
    let base = "http://127.0.0.1:9";
    for shown in [
        format!("{:?}", hostile(base).json(&json!({"password": "SECRET1"})).paginate::<Items>()),
        format!("{:#?}", hostile(base).paginate::<Items>()),
        format!("{:?}", Paginator::<Items>::with_transport(hostile_request(base), reqwest::Client::new())),
    ] {
        assert_clean("the paginator's Debug", &shown);
        for useful in ["127.0.0.1:9", "/items", "after=c2", "x-signature", "application/json"] {
            assert!(shown.contains(useful), "{useful} missing from {shown}");
        }
    }
    let with_body = format!("{:?}", hostile(base).json(&json!({"password": "SECRET1"})).paginate::<Items>());
    assert!(with_body.contains("body: <22 bytes>"), "{with_body}");
}
