//! The walk's guards against a misbehaving server: item dedup for stateless
//! search cursors, the duplicate-page guard, quiet loop stops, the body-size
//! cap, and arbitrary bytes as a page body.

mod common;

use common::{page, scripted_pages};
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, LoopPolicy, PaginateExt, Paginated, RetryPolicy, StopReason};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, PartialEq)]
struct Conversation {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Pages {
    next: Option<Next>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after",
    dedup_by = "id"
)]
struct Search {
    #[paginate(items)]
    conversations: Vec<Conversation>,
    pages: Pages,
}

#[tokio::test]
async fn dedup_by_drops_items_a_stateless_cursor_repeats() {
    // Intercom warns that a search cursor is stateless: an item updated during
    // the walk can show up on two pages.
    let server = MockServer::start(|r: &RecordedRequest| {
        let body = r.json().unwrap();
        let ids: &[&str] = match body["pagination"]["starting_after"].as_str() {
            None => &["a", "b", "c"],
            Some("c1") => &["c", "d", "a"],
            Some(_) => &["e", "b"],
        };
        let next = match body["pagination"]["starting_after"].as_str() {
            None => json!({"starting_after": "c1"}),
            Some("c1") => json!({"starting_after": "c2"}),
            Some(_) => json!(null),
        };
        let conversations: Vec<_> = ids.iter().map(|id| json!({"id": id})).collect();
        MockResponse::json(json!({"conversations": conversations, "pages": {"next": next}}))
    })
    .await;
    let items = reqwest::Client::new()
        .post(server.url("/conversations/search"))
        .json(&json!({"query": {}}))
        .paginate::<Search>()
        .collect()
        .await
        .unwrap();
    let ids: Vec<&str> = items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(server.requests().len(), 3);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 10)]
struct Clamped {
    #[paginate(items)]
    data: Vec<u32>,
}

/// A server that clamps the offset: past 20 items it serves the last page again.
async fn clamping_server() -> MockServer {
    MockServer::start(|r: &RecordedRequest| {
        let offset: u32 = r.query("offset").unwrap().parse().unwrap();
        let start = offset.min(10);
        MockResponse::json(json!({"data": (start..start + 10).collect::<Vec<_>>()}))
    })
    .await
}

#[tokio::test]
async fn a_repeated_page_is_an_error_by_default() {
    let server = clamping_server().await;
    let mut items = reqwest::Client::new().get(server.url("/o")).paginate::<Clamped>().items();
    let mut got = Vec::new();
    let err = loop {
        match futures_util::StreamExt::next(&mut items).await.unwrap() {
            Ok(n) => got.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(got, (0..20).collect::<Vec<_>>(), "the repeated page is not delivered");
    assert!(matches!(err.kind(), ErrorKind::DuplicatePage), "{err:?}");
    assert_eq!(err.page(), Some(3));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_repeated_page_can_end_the_walk_quietly() {
    let server = clamping_server().await;
    let mut items =
        reqwest::Client::new().get(server.url("/o")).paginate::<Clamped>().on_loop(LoopPolicy::Stop).items();
    let mut got = Vec::new();
    while let Some(n) = futures_util::TryStreamExt::try_next(&mut items).await.unwrap() {
        got.push(n);
    }
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    assert_eq!(items.stop_reason(), Some(StopReason::Loop));
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

#[tokio::test]
async fn a_cursor_cycle_can_end_the_walk_quietly() {
    let server =
        scripted_pages(vec![page(0..2, json!("p1")), page(2..4, json!("p2")), page(4..6, json!("p1"))]).await;
    let mut pages =
        reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().on_loop(LoopPolicy::Stop).pages();
    let mut got = Vec::new();
    while let Some(p) = futures_util::TryStreamExt::try_next(&mut pages).await.unwrap() {
        got.extend(p.data);
    }
    assert_eq!(got, (0..6).collect::<Vec<_>>(), "the page that sent the old cursor is new and delivered");
    assert_eq!(pages.stop_reason(), Some(StopReason::Loop));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_not_an_allocation() {
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(json!({"data": vec![7u32; 10_000], "next": null}))
    })
    .await;
    let err = reqwest::Client::new()
        .get(server.url("/n"))
        .paginate::<Numbers>()
        .max_body_bytes(4096)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::BodyTooLarge { limit: 4096 }), "{err:?}");
    assert_eq!(server.requests().len(), 1, "a body over the cap is not retried");
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Arbitrary bytes as a page body: an error (or a page, if they happen to
    /// be one), never a panic or a hang.
    #[test]
    fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400), json_like in any::<bool>()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut bytes = body;
        if json_like {
            bytes.splice(0..0, br#"{"data": [1, 2"#.iter().copied());
        }
        runtime.block_on(async move {
            let server = MockServer::start(move |_: &RecordedRequest| {
                let mut response = MockResponse::text(200, "");
                response.body.clone_from(&bytes);
                response
            })
            .await;
            let walk = reqwest::Client::new()
                .get(server.url("/n"))
                .paginate::<Numbers>()
                .retry(RetryPolicy::never())
                .max_pages(3)
                .collect();
            let result = tokio::time::timeout(std::time::Duration::from_secs(10), walk).await;
            prop_assert!(result.is_ok(), "the walk hung");
            if let Ok(Err(e)) = result {
                prop_assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{:?}", e);
            }
            Ok(())
        })?;
    }
}
