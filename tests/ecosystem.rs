//! The ecosystem features: blocking iterators, a pluggable transport
//! (reqwest-middleware), the progress hook and tracing.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use paginated::blocking::PaginateBlockingExt;
use paginated::testing::{MockApi, MockResponse, MockServer, RecordedRequest};
use paginated::{PaginateExt, Paginated, Paginator, Progress, RetryPolicy, transport_fn};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
struct Contact {
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
    cursor_param = "starting_after",
    page_size_param = "per_page",
    page_size = 50,
    max_page_size = 150,
    total = "total_count"
)]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
    pages: Pages,
    total_count: u64,
}

/// The mock API on a runtime of its own, for tests that block.
fn mock_on_its_own_runtime(records: usize) -> (tokio::runtime::Runtime, MockApi) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let api = runtime.block_on(MockApi::builder().records(records).start());
    (runtime, api)
}

#[test]
fn blocking_iterators_walk_with_the_same_declaration() {
    let (_runtime, api) = mock_on_its_own_runtime(230);
    let client = reqwest::blocking::Client::new();
    let ids: Vec<String> = client
        .get(api.url("/contacts?role=user"))
        .bearer_auth("tok")
        .paginate::<Contacts>()
        .items()
        .map(|c| c.map(|c| c.id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 230);
    let requests = api.take_requests();
    assert_eq!(requests.len(), 5);
    assert!(requests.iter().all(|r| r.header("authorization") == Some("Bearer tok")
        && r.query_all("role") == ["user"]
        && r.query_all("per_page") == ["50"]));
    assert!(requests[1..].iter().all(|r| r.query("starting_after").is_some()));

    // Limits, checkpoints and resume work the same way.
    let mut items = client.get(api.url("/contacts")).paginate::<Contacts>().items();
    let first: Vec<_> = items.by_ref().take(70).map(Result::unwrap).collect();
    let checkpoint = items.checkpoint().unwrap();
    assert_eq!((checkpoint.skip_items, checkpoint.items_delivered), (20, 70));
    drop(items);
    let rest = client
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .configure(|p| p.resume_from(checkpoint).retry(RetryPolicy::never()))
        .collect()
        .unwrap();
    assert_eq!(first.len() + rest.len(), 230);
    assert_eq!(rest[0].id, ids[70]);

    let pages: Vec<Contacts> = client
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .configure(|p| p.max_pages(2))
        .pages()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 2);
}

#[test]
fn blocking_errors_carry_checkpoints_too() {
    let (runtime, _api) = mock_on_its_own_runtime(10);
    let server = runtime.block_on(MockServer::start(|_: &RecordedRequest| {
        MockResponse::status(404, json!({"message": "no such list"}))
    }));
    let err = reqwest::blocking::Client::new()
        .get(server.url("/contacts"))
        .paginate::<Contacts>()
        .collect()
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.checkpoint().is_some());
}

/// A reqwest-middleware middleware that stamps and counts every request
/// (written out without the async-trait macro).
struct Stamp(Arc<AtomicUsize>);

impl reqwest_middleware::Middleware for Stamp {
    fn handle<'a, 'b, 'c, 'd>(
        &'a self,
        mut request: reqwest::Request,
        extensions: &'b mut http::Extensions,
        next: reqwest_middleware::Next<'c>,
    ) -> Pin<Box<dyn Future<Output = reqwest_middleware::Result<reqwest::Response>> + Send + 'd>>
    where
        'a: 'd,
        'b: 'd,
        'c: 'd,
        Self: 'd,
    {
        self.0.fetch_add(1, Ordering::SeqCst);
        request.headers_mut().insert("x-stamped-by", "middleware".parse().unwrap());
        Box::pin(next.run(request, extensions))
    }
}

#[tokio::test]
async fn a_reqwest_middleware_client_carries_the_walk() {
    let api = MockApi::builder().records(120).start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let client =
        reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(Stamp(count.clone())).build();
    let request = client.get(api.url("/contacts")).bearer_auth("tok").build().unwrap();
    let transport = transport_fn(move |request| {
        let client = client.clone();
        async move { client.execute(request).await }
    });
    let items = Paginator::<Contacts>::with_transport(request, transport).collect().await.unwrap();
    assert_eq!(items.len(), 120);
    let requests = api.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(
        requests.iter().all(|r| r.header("x-stamped-by") == Some("middleware")
            && r.header("authorization") == Some("Bearer tok"))
    );
}

#[tokio::test]
async fn the_progress_hook_sees_every_page() {
    let api = MockApi::builder().records(120).start().await;
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = seen.clone();
    let mut pages = reqwest::Client::new()
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .on_page(move |p| log.lock().unwrap().push(p.clone()))
        .pages();
    while pages.try_next().await.unwrap().is_some() {}
    let seen = seen.lock().unwrap();
    let summary: Vec<_> = seen.iter().map(|p| (p.page, p.status, p.page_items, p.items, p.total)).collect();
    assert_eq!(
        summary,
        [(1, 200, 50, 50, Some(120)), (2, 200, 50, 100, Some(120)), (3, 200, 20, 120, Some(120))]
    );
}
