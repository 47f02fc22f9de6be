//! Pages with their response (`pages_with_meta`: status, URL, headers, page
//! number) and counts read from response headers (`total_header`,
//! `total_pages_header`, GitLab), against loopback servers.

use futures_util::TryStreamExt;
use paginated::blocking::PaginateBlockingExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest, assert_param_sequence};
use paginated::{PaginateExt, Paginated, StopReason};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u32>,
    next: Option<String>,
}

#[tokio::test]
async fn every_page_comes_with_its_status_url_and_headers() {
    let server = MockServer::script(vec![
        MockResponse::json(json!({"data": [1, 2], "next": "c2"})).with_header("x-request-id", "req-1"),
        MockResponse::json(json!({"data": [3], "next": null}))
            .with_header("x-request-id", "req-2")
            .with_header("x-ratelimit-remaining", "41"),
    ])
    .await;
    let mut pages =
        reqwest::Client::new().get(server.url("/numbers?q=x")).paginate::<Numbers>().pages_with_meta();
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!((first.number(), first.status().as_u16()), (1, 200));
    assert_eq!(first.url().as_str(), server.url("/numbers?q=x"));
    assert_eq!(first.headers()["x-request-id"], "req-1");
    assert_eq!(first.data, [1, 2]); // the typed page, through `Deref`
    let second = pages.try_next().await.unwrap().unwrap();
    assert_eq!(second.number(), 2);
    assert_eq!(second.url().as_str(), server.url("/numbers?q=x&after=c2"));
    assert_eq!(second.headers()["x-ratelimit-remaining"], "41");
    assert_eq!(second.into_inner().data, [3]);
    assert!(pages.try_next().await.unwrap().is_none());
    assert_eq!(pages.stop_reason(), Some(StopReason::NoCursor));
}

/// GitLab: `?page=&per_page=`, the counts in `x-total` and `x-total-pages`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2)]
#[paginate(total_header = "X-Total", total_pages_header = "X-Total-Pages")]
#[serde(transparent)]
struct Projects {
    #[paginate(items)]
    projects: Vec<u32>,
}

/// Five projects, two a page; the count headers only when `counts` is set.
async fn gitlab(counts: bool) -> MockServer {
    MockServer::start(move |request: &RecordedRequest| {
        let page: usize = request.query("page").map_or(1, |p| p.parse().unwrap());
        let data: Vec<u32> = (1..=5).skip((page - 1) * 2).take(2).collect();
        let response = MockResponse::json(json!(data));
        if counts { response.with_header("x-total", "5").with_header("x-total-pages", "3") } else { response }
    })
    .await
}

#[tokio::test]
async fn counts_from_response_headers_end_the_walk() {
    let server = gitlab(true).await;
    let mut items = reqwest::Client::new().get(server.url("/api/v4/projects")).paginate::<Projects>().items();
    let mut all = Vec::new();
    while let Some(project) = items.try_next().await.unwrap() {
        all.push(project);
    }
    assert_eq!(all, [1, 2, 3, 4, 5]);
    assert_eq!(items.total(), Some(5));
    assert_eq!(items.stop_reason(), Some(StopReason::TotalReached));
    // No fourth, empty request: the page count said where the end was.
    let mut pages: Vec<String> = server.requests().iter().filter_map(|r| r.query("page")).collect();
    pages.sort();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn without_the_headers_the_walk_ends_on_an_empty_page() {
    let server = gitlab(false).await;
    let mut items = reqwest::Client::new()
        .get(server.url("/api/v4/projects"))
        .paginate::<Projects>()
        .concurrency(1)
        .lookahead(0)
        .items();
    let mut all = Vec::new();
    while let Some(project) = items.try_next().await.unwrap() {
        all.push(project);
    }
    assert_eq!(all, [1, 2, 3, 4, 5]);
    assert_eq!(items.total(), None);
    assert_eq!(items.stop_reason(), Some(StopReason::EmptyPage));
    assert_param_sequence(&server.requests(), "page", &[Some("1"), Some("2"), Some("3"), Some("4")]);
}

#[test]
fn blocking_pages_come_with_their_response_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(gitlab(true));
    let client = reqwest::blocking::Client::new();
    let pages: Vec<_> = client
        .get(server.url("/api/v4/projects"))
        .paginate::<Projects>()
        .pages_with_meta()
        .collect::<Result<_, _>>()
        .unwrap();
    let seen: Vec<(u64, &str, usize)> = pages
        .iter()
        .map(|page| (page.number(), page.headers()["x-total"].to_str().unwrap(), page.projects.len()))
        .collect();
    assert_eq!(seen, [(1, "5", 2), (2, "5", 2), (3, "5", 1)]);
    drop(server);
}
