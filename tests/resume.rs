//! Exact resume: for every style, a failure at every request of a small walk,
//! and a stop after every item, resumed from the checkpoint, delivers exactly
//! the items not delivered yet.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{Checkpoint, PaginateExt, Paginated, RetryPolicy};
use serde::Deserialize;
use serde_json::json;

const ITEMS: u64 = 11;
const SIZE: u64 = 3;

/// Serves `ITEMS` numbers by cursor (`after`, query or body), offset or page,
/// `SIZE` at a time, failing the request with index `fail_at` (0-based, counting
/// every request) with a 500.
async fn server(fail_at: Option<usize>) -> MockServer {
    let count = Arc::new(AtomicUsize::new(0));
    MockServer::start(move |r: &RecordedRequest| {
        if Some(count.fetch_add(1, Ordering::SeqCst)) == fail_at {
            return MockResponse::status(500, json!({"message": "injected"}));
        }
        let body = r.json();
        let start = match r.path.as_str() {
            "/offset" => r.query("offset").unwrap().parse().unwrap(),
            "/page" => (r.query("page").unwrap().parse::<u64>().unwrap() - 1) * SIZE,
            "/body" => body.as_ref().and_then(|b| b["after"].as_u64()).unwrap_or(0),
            _ => r.query("after").map_or(0, |c| c.parse().unwrap()),
        };
        let end = (start + SIZE).min(ITEMS);
        MockResponse::json(json!({
            "data": (start..end).collect::<Vec<_>>(),
            "next": (end < ITEMS).then_some(end),
        }))
    })
    .await
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct QueryCursor {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_body = "after")]
struct BodyCursor {
    #[paginate(items)]
    data: Vec<u64>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 3)]
struct Offset {
    #[paginate(items)]
    data: Vec<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "limit", page_size = 3)]
struct Page {
    #[paginate(items)]
    data: Vec<u64>,
}

fn request(server: &MockServer, path: &str) -> reqwest::RequestBuilder {
    let client = reqwest::Client::new();
    if path == "/body" {
        client.post(server.url(path)).json(&json!({"filter": "x"}))
    } else {
        client.get(server.url(path))
    }
}

/// Walks until the end or the first error; returns the items and the error's checkpoint.
async fn walk_until_error<P>(
    request: reqwest::RequestBuilder,
    from: Option<Checkpoint>,
) -> (Vec<u64>, Option<Checkpoint>)
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let mut paginator = request.paginate::<P>().retry(RetryPolicy::never());
    if let Some(cp) = from {
        paginator = paginator.resume_from(cp);
    }
    let mut items = paginator.items();
    let mut got = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(n) => got.push(n),
            Err(e) => {
                let cp = e.checkpoint().cloned().expect("every walk error has a checkpoint");
                assert_eq!(cp.items_delivered, got.len() as u64);
                return (got, Some(cp));
            }
        }
    }
    (got, None)
}

async fn every_failure_point<P>(path: &str)
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let all: Vec<u64> = (0..ITEMS).collect();
    let requests =
        usize::try_from(ITEMS.div_ceil(SIZE)).unwrap() + usize::from(path == "/offset" || path == "/page");
    for fail_at in 0..requests {
        let server = server(Some(fail_at)).await;
        let (mut got, cp) = walk_until_error::<P>(request(&server, path), None).await;
        let cp = cp.unwrap_or_else(|| panic!("{path}: request {fail_at} should fail"));
        let stored: Checkpoint = serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
        let (rest, err) = walk_until_error::<P>(request(&server, path), Some(stored)).await;
        assert!(err.is_none(), "{path}: the resumed walk failed");
        got.extend(rest);
        assert_eq!(got, all, "{path}: failure at request {fail_at}");
    }
}

async fn every_item<P>(path: &str)
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let all: Vec<u64> = (0..ITEMS).collect();
    let server = server(None).await;
    for stop_after in 0..=ITEMS {
        let mut items = request(&server, path).paginate::<P>().items();
        let mut got = Vec::new();
        for _ in 0..stop_after {
            got.push(items.next().await.unwrap().unwrap());
        }
        let Some(cp) = items.checkpoint() else {
            assert_eq!(got, all, "{path}: a finished walk has no checkpoint");
            continue;
        };
        drop(items);
        assert_eq!(cp.items_delivered, stop_after);
        let rest: Vec<u64> = request(&server, path).paginate::<P>().resume_from(cp).collect().await.unwrap();
        got.extend(rest);
        assert_eq!(got, all, "{path}: stopped after {stop_after} items");
    }
}

#[tokio::test]
async fn query_cursor_resumes_exactly() {
    every_failure_point::<QueryCursor>("/cursor").await;
    every_item::<QueryCursor>("/cursor").await;
}

#[tokio::test]
async fn body_cursor_resumes_exactly() {
    every_failure_point::<BodyCursor>("/body").await;
    every_item::<BodyCursor>("/body").await;
}

#[tokio::test]
async fn offset_resumes_exactly() {
    every_failure_point::<Offset>("/offset").await;
    every_item::<Offset>("/offset").await;
}

#[tokio::test]
async fn page_number_resumes_exactly() {
    every_failure_point::<Page>("/page").await;
    every_item::<Page>("/page").await;
}
