//! Cursor-walk behaviour against scripted loopback servers: every stop
//! signal, the loop guard, single encoding, every error kind, and resume.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{page, scripted_pages};
use futures_util::{StreamExt, TryStreamExt};
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{Checkpoint, Cursor, ErrorKind, PaginateExt, Paginated, Position, RetryPolicy, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after", has_more = "has_more")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u32>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    has_more: Option<bool>,
}

fn after_params(requests: &[RecordedRequest]) -> Vec<Option<String>> {
    requests.iter().map(|r| r.query("after")).collect()
}

#[tokio::test]
async fn every_end_signal_stops_the_walk() {
    let ends = [
        ("absent", json!({"data": [10, 11]})),
        ("null", json!({"data": [10, 11], "next": null})),
        ("empty string", json!({"data": [10, 11], "next": ""})),
        ("has_more false", json!({"data": [10, 11], "next": "p0", "has_more": false})),
    ];
    for (name, last) in ends {
        let server = scripted_pages(vec![page(0..10, json!("p1")), last]).await;
        let mut items = reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().items();
        let mut got = Vec::new();
        while let Some(n) = items.try_next().await.unwrap() {
            got.push(n);
        }
        assert_eq!(got, (0..12).collect::<Vec<_>>(), "{name}");
        assert_eq!(after_params(&server.requests()), [None, Some("p1".into())], "{name}");
        let reason = if name == "has_more false" { StopReason::NoMore } else { StopReason::NoCursor };
        assert_eq!(items.stop_reason(), Some(reason), "{name}");
        assert_eq!(items.checkpoint(), None, "{name}: a finished walk has nowhere to resume");
    }
}

#[tokio::test]
async fn has_more_true_does_not_override_a_missing_cursor() {
    let server = scripted_pages(vec![json!({"data": [1], "has_more": true})]).await;
    let items = reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().collect().await.unwrap();
    assert_eq!(items, [1]);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_repeated_cursor_is_a_loop_error_after_the_pages_before_it() {
    // p0 -> p1 -> p2 -> p1: the walk must stop at the third page, not loop.
    let server =
        scripted_pages(vec![page(0..3, json!("p1")), page(3..6, json!("p2")), page(6..9, json!("p1"))]).await;
    let mut items = reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().items();
    let mut got = Vec::new();
    let err = loop {
        match items.next().await.expect("the walk ends with an error") {
            Ok(n) => got.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(got, (0..9).collect::<Vec<_>>());
    let ErrorKind::Loop { cursor } = err.kind() else { panic!("{err:?}") };
    assert_eq!(cursor, &Cursor::text("p1").unwrap());
    assert_eq!(err.page(), Some(4));
    assert!(items.next().await.is_none(), "nothing after the error");
    assert_eq!(after_params(&server.requests()), [None, Some("p1".into()), Some("p2".into())]);
}

#[tokio::test]
async fn a_cursor_can_never_add_a_parameter() {
    let evil = "a+b/c=\n&x=1#frag %41";
    let server = MockServer::start(move |r: &RecordedRequest| match r.query("after") {
        None => MockResponse::json(json!({"data": [1], "next": evil})),
        Some(_) => MockResponse::json(json!({"data": [2]})),
    })
    .await;
    let items = reqwest::Client::new()
        .get(server.url("/n?filter=a%20b&x=0"))
        .paginate::<Numbers>()
        .collect()
        .await
        .unwrap();
    assert_eq!(items, [1, 2]);
    let second = &server.requests()[1];
    assert_eq!(
        second.query_pairs(),
        [("filter".into(), "a b".into()), ("x".into(), "0".into()), ("after".into(), evil.into())]
    );
    assert!(
        second.raw_query.as_deref().unwrap().starts_with("filter=a%20b&x=0&after="),
        "kept byte for byte"
    );
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "meta.next_id", cursor_param = "after")]
struct NumericCursor {
    #[paginate(items)]
    data: Vec<u32>,
    meta: Meta,
}

#[derive(Debug, Deserialize)]
struct Meta {
    next_id: Option<u64>,
}

#[tokio::test]
async fn numeric_cursors_are_sent_as_numbers() {
    let server = MockServer::start(|r: &RecordedRequest| match r.query("after").as_deref() {
        None => MockResponse::json(json!({"data": [1, 2], "meta": {"next_id": 2}})),
        Some("2") => MockResponse::json(json!({"data": [3], "meta": {"next_id": null}})),
        Some(other) => MockResponse::status(400, json!({"message": other})),
    })
    .await;
    let items =
        reqwest::Client::new().get(server.url("/n")).paginate::<NumericCursor>().collect().await.unwrap();
    assert_eq!(items, [1, 2, 3]);
}

#[tokio::test]
async fn http_errors_carry_page_status_message_and_checkpoint() {
    let server = MockServer::start(|r: &RecordedRequest| match r.query("after") {
        None => MockResponse::json(json!({"data": [1, 2], "next": "p1"})),
        Some(_) => MockResponse::status(503, json!({"error": "maintenance window"})),
    })
    .await;
    let fast = RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .throttle_backoff(Duration::from_millis(1));
    let mut items = reqwest::Client::new()
        .get(server.url("/n"))
        .bearer_auth("t")
        .paginate::<Numbers>()
        .retry(fast)
        .items();
    assert_eq!(items.try_next().await.unwrap(), Some(1));
    assert_eq!(items.try_next().await.unwrap(), Some(2));
    let err = items.try_next().await.unwrap_err();
    assert_eq!(items.retries(), 4, "5 attempts, then the last error");
    assert_eq!(server.requests().len(), 6);
    assert_eq!(err.page(), Some(2));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_transient());
    let ErrorKind::Status { message, body, request, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(message.as_deref(), Some("maintenance window"));
    assert!(body.contains("maintenance"));
    assert!(request.starts_with("GET http://127.0.0.1:") && !request.contains("after"), "{request}");
    let text = err.to_string();
    assert!(text.starts_with("page 2: GET ") && text.contains("503") && text.contains("resume"), "{text}");
    let cp = err.checkpoint().unwrap();
    assert_eq!(cp.position, Position::Cursor(Cursor::text("p1").unwrap()));
    assert_eq!((cp.skip_items, cp.items_delivered, cp.pages_before), (0, 2, 1));
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_the_field() {
    let server =
        scripted_pages(vec![page(0..2, json!("p1")), json!({"data": [3, "four"], "next": null})]).await;
    let policy = RetryPolicy::default().retry_bad_bodies(false);
    let err = reqwest::Client::new()
        .get(server.url("/n"))
        .paginate::<Numbers>()
        .retry(policy)
        .collect()
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2, "a body that does not decode is not retried when told so");
    let ErrorKind::Decode { path, excerpt, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(path, "data[1]");
    assert!(excerpt.contains("four"), "{excerpt}");
    assert_eq!(err.page(), Some(2));
    assert!(err.to_string().contains("`data[1]`"), "{err}");
}

#[tokio::test]
async fn a_connection_failure_is_a_transport_error_with_a_checkpoint() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/n"))
        .paginate::<Numbers>()
        .retry(RetryPolicy::never())
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.checkpoint().unwrap().position, Position::Start);
    assert!(std::error::Error::source(&err).is_some());
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_body = "page.after")]
struct BodyCursor {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

#[tokio::test]
async fn a_body_cursor_needs_a_json_object_body() {
    let server = scripted_pages(vec![page(0..1, Value::Null)]).await;
    let client = reqwest::Client::new();
    for body in ["not json", "[1, 2]"] {
        let err =
            client.post(server.url("/n")).body(body).paginate::<BodyCursor>().collect().await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Config(_)), "{err:?}");
        assert!(err.to_string().contains("JSON"), "{err}");
    }
    assert!(server.requests().is_empty(), "configuration errors come before any request");
}

#[tokio::test]
async fn resuming_from_an_error_delivers_exactly_the_rest() {
    let failures = Arc::new(AtomicUsize::new(0));
    let seen = failures.clone();
    let pages: Vec<Value> = (0..5)
        .map(|p| page(p * 4..p * 4 + 4, json!(if p < 4 { format!("p{}", p + 1) } else { String::new() })))
        .collect();
    let server = MockServer::start(move |r: &RecordedRequest| {
        let index: usize = r.query("after").map_or(0, |c| c[1..].parse().unwrap());
        if index == 3 && seen.fetch_add(1, Ordering::SeqCst) == 0 {
            return MockResponse::status(500, json!({"message": "try again"}));
        }
        MockResponse::json(pages[index].clone())
    })
    .await;
    let client = reqwest::Client::new();
    let request = || client.get(server.url("/n"));

    let mut first = Vec::new();
    let mut items = request().paginate::<Numbers>().retry(RetryPolicy::never()).items();
    let err = loop {
        match items.next().await.unwrap() {
            Ok(n) => first.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(first, (0..12).collect::<Vec<_>>());
    let checkpoint: Checkpoint =
        serde_json::from_str(&serde_json::to_string(err.checkpoint().unwrap()).unwrap()).unwrap();
    let rest = request().paginate::<Numbers>().resume_from(checkpoint).collect().await.unwrap();
    assert_eq!(rest, (12..20).collect::<Vec<_>>());
    // Page 3 was asked for twice: once failing, once after the resume.
    assert_eq!(failures.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_live_checkpoint_is_item_exact() {
    let pages: Vec<Value> = (0..3)
        .map(|p| page(p * 10..p * 10 + 10, json!(if p < 2 { format!("p{}", p + 1) } else { String::new() })))
        .collect();
    let server = scripted_pages(pages).await;
    let client = reqwest::Client::new();
    let mut items = client.get(server.url("/n")).paginate::<Numbers>().items();
    let mut got = Vec::new();
    for _ in 0..15 {
        got.push(items.try_next().await.unwrap().unwrap());
    }
    let cp = items.checkpoint().unwrap();
    drop(items); // dropping mid-page is safe
    assert_eq!(cp.position, Position::Cursor(Cursor::text("p1").unwrap()));
    assert_eq!((cp.skip_items, cp.items_delivered), (5, 15));
    let rest = client.get(server.url("/n")).paginate::<Numbers>().resume_from(cp).collect().await.unwrap();
    got.extend(rest);
    assert_eq!(got, (0..30).collect::<Vec<_>>());

    // The pages stream of a resumed walk drops the items delivered before.
    let cp = Checkpoint { skip_items: 7, ..Checkpoint::new(Position::Cursor(Cursor::text("p2").unwrap())) };
    let pages: Vec<Numbers> = client
        .get(server.url("/n"))
        .paginate::<Numbers>()
        .resume_from(cp)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].data, [27, 28, 29]);
}
