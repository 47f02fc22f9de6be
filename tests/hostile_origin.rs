//! A hostile server or a tampered checkpoint cannot move a walk, or its
//! credentials, to another origin: redirects, edited checkpoints, unreadable
//! pagination headers, and what `allow_cross_origin(true)` still sends.
//! Two `MockServer`s on two ports are two origins.

use futures_util::StreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{Checkpoint, Cursor, Error, ErrorKind, PaginateExt, Paginated, Position};
use serde::Deserialize;
use serde_json::{Value, json};

const ITEMS: u64 = 10;
const SIZE: u64 = 3;

/// Numbers `0..ITEMS`, `SIZE` a page, by cursor (`after`) or offset
/// (`offset`); `/n` answers every path that is not a redirect.
async fn numbers() -> MockServer {
    MockServer::start(|r: &RecordedRequest| {
        let start: u64 = r.query("after").or_else(|| r.query("offset")).map_or(0, |n| n.parse().unwrap());
        let end = (start + SIZE).min(ITEMS);
        MockResponse::json(
            json!({"data": (start..end).collect::<Vec<_>>(), "next": (end < ITEMS).then_some(end)}),
        )
    })
    .await
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 3)]
struct Offsets {
    #[paginate(items)]
    data: Vec<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
struct Linked {
    #[paginate(items)]
    items: Vec<Value>,
}

/// The next cursor comes in a response header (GitLab's `x-next-page`).
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "cursor", cursor_header = "x-next-cursor", cursor_param = "after")]
struct Headed {
    #[paginate(items)]
    items: Vec<Value>,
}

fn guarded_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(paginated::redirect_policy()).build().unwrap()
}

/// The walk's first item: the error it ends with, before anything is delivered.
async fn first_error<P>(paginator: paginated::Paginator<P>) -> Error
where
    P: Paginated + Send + 'static,
    P::Item: std::fmt::Debug,
{
    let mut items = paginator.items();
    match items.next().await {
        Some(Err(e)) => e,
        other => panic!("expected an error before any item, got {other:?}"),
    }
}

// ---- 2. Redirects -----------------------------------------------------------

/// A server whose list answers `status` with a `Location` on `other`.
async fn redirecting(status: u16, other: &MockServer) -> MockServer {
    let location = other.url("/collect?from=redirect");
    MockServer::start(move |_: &RecordedRequest| {
        MockResponse::text(status, "moved").with_header("location", location.clone())
    })
    .await
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_with_redirect_policy() {
    for status in [301, 302, 303, 307, 308] {
        let other = numbers().await;
        let home = redirecting(status, &other).await;
        let request = guarded_client()
            .post(home.url("/n"))
            .header("x-api-key", "k-secret")
            .bearer_auth("t-secret")
            .json(&json!({"filter": "secret body"}));
        let err = first_error(request.paginate::<Numbers>()).await;
        let ErrorKind::CrossOrigin { url } = err.kind() else { panic!("{status}: {err:?}") };
        assert!(url.starts_with(&other.base_url()), "{status}: {url}");
        assert_eq!(other.requests().len(), 0, "{status}: nothing reaches the other origin");
        assert_eq!(home.requests().len(), 1, "{status}: not retried");
        assert!(!err.is_transient());
        assert_eq!(err.checkpoint().unwrap().position, Position::Start);
    }
}

#[tokio::test]
async fn without_redirect_policy_the_walk_still_refuses_the_page() {
    for status in [302, 307, 308] {
        let other = numbers().await;
        let home = redirecting(status, &other).await;
        let request = reqwest::Client::new()
            .post(home.url("/n"))
            .header("x-api-key", "k-secret")
            .bearer_auth("t-secret")
            .json(&json!({"filter": "x"}));
        let err = first_error(request.paginate::<Numbers>()).await;
        let ErrorKind::CrossOrigin { url } = err.kind() else { panic!("{status}: {err:?}") };
        assert!(url.starts_with(&other.base_url()), "{status}: {url}");
        assert_eq!(home.requests().len(), 1, "{status}: not retried");
        // What the README warns about: reqwest followed the redirect before the
        // walk saw it, removing only `Authorization` on the way.
        let leaked = other.requests();
        assert_eq!(leaked.len(), 1, "{status}");
        assert_eq!(leaked[0].header("authorization"), None);
        assert_eq!(leaked[0].header("x-api-key"), Some("k-secret"), "{status}");
    }
}

#[tokio::test]
async fn a_followed_redirect_elsewhere_is_delivered_only_when_allowed() {
    let other = numbers().await;
    let home = redirecting(302, &other).await;
    let items = reqwest::Client::new()
        .get(home.url("/n"))
        .paginate::<Numbers>()
        .allow_cross_origin(true)
        .max_pages(1)
        .collect()
        .await
        .unwrap();
    assert_eq!(items, [0, 1, 2]);
}

#[tokio::test]
async fn a_redirect_on_the_same_origin_is_followed() {
    let server = MockServer::start(|r: &RecordedRequest| {
        if r.path == "/old" {
            let query = r.raw_query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
            return MockResponse::text(308, "").with_header("location", format!("/n{query}"));
        }
        let start: u64 = r.query("after").map_or(0, |n| n.parse().unwrap());
        let end = (start + SIZE).min(ITEMS);
        MockResponse::json(
            json!({"data": (start..end).collect::<Vec<_>>(), "next": (end < ITEMS).then_some(end)}),
        )
    })
    .await;
    let items = guarded_client().get(server.url("/old")).paginate::<Numbers>().collect().await.unwrap();
    assert_eq!(items, (0..ITEMS).collect::<Vec<_>>());
    let paths: Vec<_> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/old", "/n", "/old", "/n", "/old", "/n", "/old", "/n"]);
}

#[tokio::test]
async fn redirect_policy_stops_a_same_origin_chain_after_ten() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let n: u32 = r.path.trim_start_matches("/r").parse().unwrap_or(0);
        MockResponse::text(302, "").with_header("location", format!("/r{}", n + 1))
    })
    .await;
    let err = guarded_client()
        .get(server.url("/r0"))
        .paginate::<Numbers>()
        .retry(paginated::RetryPolicy::never())
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(server.requests().len(), 11, "the request and ten redirects");
}

// ---- 3. Checkpoints ---------------------------------------------------------

/// A checkpoint of `position` with the counters of a walk one page in.
fn checkpoint(position: Position) -> Checkpoint {
    Checkpoint { pages_before: 1, items_received: 3, items_delivered: 3, ..Checkpoint::new(position) }
}

/// Resumes a cursor walk on `server` from `cp`; the error it must end with.
async fn resume_numbers(server: &MockServer, cp: Checkpoint) -> Error {
    first_error(reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().resume_from(cp)).await
}

fn assert_invalid(err: &Error, says: &str) {
    let ErrorKind::InvalidCheckpoint { reason } = err.kind() else { panic!("{err:?}") };
    assert!(reason.contains(says), "{reason:?} should say {says:?}");
    assert!(err.checkpoint().is_none() && err.page().is_none(), "{err:?}");
    assert!(!err.is_transient());
    let shown = err.to_string();
    assert!(!shown.contains("resume from"), "{shown}");
}

#[tokio::test]
async fn a_checkpoint_edited_to_another_origin_is_refused() {
    let home = MockServer::start(move |r: &RecordedRequest| {
        let host = r.header("host").unwrap().to_owned();
        MockResponse::json(json!([{"id": 1}]))
            .with_header("link", format!("<http://{host}/list?page=2>; rel=\"next\""))
    })
    .await;
    let other = MockServer::start(|_: &RecordedRequest| MockResponse::json(json!([{"id": 2}]))).await;
    let request = || reqwest::Client::new().get(home.url("/list")).header("x-api-key", "k-secret");

    // A real checkpoint, one page in, stored as JSON and edited.
    let mut pages = request().paginate::<Linked>().max_pages(5).pages();
    pages.next().await.unwrap().unwrap();
    let stored = serde_json::to_string(&pages.checkpoint().unwrap()).unwrap();
    drop(pages);
    assert!(stored.contains(&home.base_url()), "{stored}");
    let edited: Checkpoint =
        serde_json::from_str(&stored.replace(&home.base_url(), &other.base_url())).unwrap();
    home.take_requests();

    let err = first_error(request().paginate::<Linked>().resume_from(edited.clone())).await;
    assert_invalid(&err, "another origin");
    assert_eq!((home.requests().len(), other.requests().len()), (0, 0));

    // Allowed, it goes there, without the credential.
    let items = request().paginate::<Linked>().resume_from(edited).allow_cross_origin(true).collect().await;
    assert_eq!(items.unwrap(), [json!({"id": 2})]);
    assert_eq!(other.requests()[0].header("x-api-key"), None);
}

#[tokio::test]
async fn a_position_of_another_style_is_refused() {
    let server = numbers().await;
    let url = Position::Url("http://elsewhere.example/x".to_owned());
    let err = resume_numbers(&server, checkpoint(url.clone())).await;
    assert_invalid(&err, "`url` position cannot resume a cursor walk");
    let err = resume_numbers(&server, checkpoint(Position::State(json!({"scroll_id": "s"})))).await;
    assert_invalid(&err, "`state` position");
    let err = resume_numbers(&server, checkpoint(Position::Offset(3))).await;
    assert_invalid(&err, "`offset` position");

    let offsets = || reqwest::Client::new().get(server.url("/n")).paginate::<Offsets>();
    let err = first_error(offsets().resume_from(checkpoint(url))).await;
    assert_invalid(&err, "cannot resume a offset walk");
    let err = first_error(offsets().resume_from(checkpoint(Position::Start))).await;
    assert_invalid(&err, "`start` position");
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn stored_json_with_a_foreign_position_is_refused_not_panicked_on() {
    let server = numbers().await;
    let stored = [
        json!({"position": {"url": "http://elsewhere.example/x"}, "skip_items": 0, "pages_before": 0,
               "items_delivered": 0, "items_received": 0, "total": null}),
        json!({"position": {"state": {"scroll_id": "s"}}, "skip_items": 0, "pages_before": 0,
               "items_delivered": 0, "items_received": 0, "total": null}),
    ];
    for json in stored {
        let cp: Checkpoint = serde_json::from_value(json).unwrap();
        let err = resume_numbers(&server, cp).await;
        assert!(matches!(err.kind(), ErrorKind::InvalidCheckpoint { .. }), "{err:?}");
    }
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn counters_out_of_range_are_refused() {
    let server = numbers().await;
    let cursor = || Position::Cursor(Cursor::int(3));
    let cases: [(Checkpoint, &str); 6] = [
        (Checkpoint { pages_before: u64::MAX, ..checkpoint(cursor()) }, "pages_before"),
        (Checkpoint { items_received: u64::MAX, ..checkpoint(cursor()) }, "items_received"),
        (Checkpoint { items_delivered: u64::MAX, ..checkpoint(cursor()) }, "items_delivered"),
        (Checkpoint { skip_items: u64::MAX, ..checkpoint(cursor()) }, "skip_items"),
        (Checkpoint { total: Some(u64::MAX), ..checkpoint(cursor()) }, "total"),
        (Checkpoint { items_delivered: 7, ..checkpoint(cursor()) }, "more than the 3 received"),
    ];
    for (cp, says) in cases {
        assert_invalid(&resume_numbers(&server, cp).await, says);
    }
    let offsets = || reqwest::Client::new().get(server.url("/n")).paginate::<Offsets>();
    let err = first_error(offsets().resume_from(checkpoint(Position::Offset(u64::MAX)))).await;
    assert_invalid(&err, "offset");
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn a_checkpoint_from_a_newer_release_is_refused() {
    let server = numbers().await;
    let cp = Checkpoint { version: 99, ..checkpoint(Position::Cursor(Cursor::int(3))) };
    let err = resume_numbers(&server, cp).await;
    assert_invalid(&err, "written by a newer release");
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn a_checkpoint_stored_before_versions_still_resumes() {
    let server = numbers().await;
    // As the previous release wrote it: no `version`.
    let stored = r#"{"position":{"cursor":3},"skip_items":1,"pages_before":1,"items_delivered":4,
                     "items_received":3,"total":null}"#;
    let cp: Checkpoint = serde_json::from_str(stored).unwrap();
    assert_eq!(cp.version, 1);
    let rest =
        reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().resume_from(cp).collect().await;
    assert_eq!(rest.unwrap(), (4..ITEMS).collect::<Vec<_>>());
    let written = serde_json::to_value(Checkpoint::new(Position::Start)).unwrap();
    assert_eq!(written["version"], 1);
}

// ---- 5. Unreadable pagination headers ---------------------------------------

#[tokio::test]
async fn a_non_ascii_cursor_header_is_an_error_naming_it() {
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(json!([1, 2])).with_header("x-next-cursor", "p2-é")
    })
    .await;
    let err = first_error(reqwest::Client::new().get(server.url("/n")).paginate::<Headed>()).await;
    let ErrorKind::UnreadableHeader { name } = err.kind() else { panic!("{err:?}") };
    assert_eq!(name, "x-next-cursor");
    assert!(err.to_string().contains("`x-next-cursor`"), "{err}");
    assert_eq!(err.page(), Some(1));
    // The page was not delivered: the checkpoint sends its request again.
    assert_eq!(err.checkpoint().unwrap().position, Position::Start);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_non_ascii_link_header_is_an_error_unless_another_line_says_next() {
    let unreadable = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(json!([1])).with_header("link", "</n?page=2>; rel=\"next\"; title=\"pàge 2\"")
    })
    .await;
    let err = first_error(reqwest::Client::new().get(unreadable.url("/n")).paginate::<Linked>()).await;
    let ErrorKind::UnreadableHeader { name } = err.kind() else { panic!("{err:?}") };
    assert_eq!(name, "link");
    assert_eq!(err.checkpoint().unwrap().position, Position::Start);

    // A readable line with rel="next" is enough; the unreadable one is ignored.
    let mixed = MockServer::start(|r: &RecordedRequest| {
        let page = r.query("page").unwrap_or_default();
        if page.is_empty() {
            MockResponse::json(json!([page]))
                .with_header("link", "</x>; rel=\"about\"; title=\"é\"")
                .with_header("link", "</n?page=2>; rel=\"next\"")
        } else {
            MockResponse::json(json!([page])).with_header("link", "</x>; rel=\"about\"")
        }
    })
    .await;
    let items = reqwest::Client::new().get(mixed.url("/n")).paginate::<Linked>().collect().await.unwrap();
    assert_eq!(items, [json!(""), json!("2")]);
}

// ---- 6. What allow_cross_origin(true) sends ---------------------------------

#[tokio::test]
async fn another_origin_gets_the_allowlist_and_the_named_headers_only() {
    let other = MockServer::start(|_: &RecordedRequest| MockResponse::json(json!([{"id": "b1"}]))).await;
    let elsewhere = other.url("/api/users?after=x");
    let home = MockServer::start(move |_: &RecordedRequest| {
        MockResponse::json(json!([{"id": "a1"}])).with_header("link", format!("<{elsewhere}>; rel=\"next\""))
    })
    .await;
    let secrets = [
        ("cb-access-sign", "sig"),
        ("cb-access-passphrase", "pass"),
        ("x-jfrog-art-api", "jfrog"),
        ("x-honeycomb-team", "honey"),
        ("x-ovh-consumer", "ovh"),
        ("x-api-key", "key"),
        ("cookie", "sid=1"),
    ];
    let mut request = reqwest::Client::new()
        .get(home.url("/api/users"))
        .bearer_auth("bearer")
        .header("accept", "application/json")
        .header("user-agent", "paginated-test")
        .header("x-request-tag", "tag-1");
    for (name, value) in secrets {
        request = request.header(name, value);
    }
    let users = request
        .paginate::<Linked>()
        .allow_cross_origin(true)
        .cross_origin_headers(["X-Request-Tag"])
        .collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);

    let mine = &home.requests()[0];
    let theirs = &other.requests()[0];
    for (name, value) in secrets.into_iter().chain([("authorization", "Bearer bearer")]) {
        assert_eq!(mine.header(name), Some(value), "{name} goes to the request's origin");
        assert_eq!(theirs.header(name), None, "{name} must not reach another origin");
    }
    assert_eq!(theirs.header("accept"), Some("application/json"));
    assert_eq!(theirs.header("user-agent"), Some("paginated-test"));
    assert_eq!(theirs.header("x-request-tag"), Some("tag-1"), "named by the user");
}

#[tokio::test]
async fn an_invalid_cross_origin_header_name_is_a_config_error() {
    let server = numbers().await;
    let err = first_error(
        reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().cross_origin_headers(["bad name"]),
    )
    .await;
    assert!(matches!(err.kind(), ErrorKind::Config(m) if m.contains("bad name")), "{err:?}");
    assert_eq!(server.requests().len(), 0);
}
