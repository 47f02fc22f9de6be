//! The blocking iterators report what the async streams report (`delivered`,
//! `total`, `checkpoint`, `stop_reason`, `retries`) and take the same builder
//! methods, without `.configure(..)`.

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use paginated::blocking::PaginateBlockingExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest, assert_param_sequence};
use paginated::{LoopPolicy, PaginateExt, Paginated, RetryPolicy, StopReason};
use serde::Deserialize;
use serde_json::json;

/// An offset API over 0..25 that reports its total.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 10)]
#[paginate(total = "total")]
struct Numbers {
    #[paginate(items)]
    data: Vec<u32>,
    total: u64,
}

fn numbers(request: &RecordedRequest) -> MockResponse {
    let offset: u32 = request.query("offset").map_or(0, |o| o.parse().unwrap());
    let limit: u32 = request.query("limit").map_or(10, |l| l.parse().unwrap());
    let data: Vec<u32> = (offset..25).take(limit as usize).collect();
    MockResponse::json(json!({"data": data, "total": 25}))
}

#[test]
fn blocking_items_report_what_async_items_report() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start(numbers));

    let (async_figures, async_checkpoint) = runtime.block_on(async {
        let mut items = reqwest::Client::new().get(server.url("/n")).paginate::<Numbers>().items();
        for _ in 0..13 {
            items.try_next().await.unwrap();
        }
        let checkpoint = items.checkpoint();
        while items.try_next().await.unwrap().is_some() {}
        ((items.delivered(), items.total(), items.stop_reason(), items.retries()), checkpoint)
    });

    let mut items = reqwest::blocking::Client::new().get(server.url("/n")).paginate::<Numbers>().items();
    assert_eq!((items.delivered(), items.total(), items.stop_reason()), (0, None, None));
    items.by_ref().take(13).for_each(|n| assert!(n.is_ok()));
    assert_eq!(items.delivered(), 13);
    assert_eq!(items.total(), Some(25));
    assert_eq!(items.checkpoint(), async_checkpoint);
    items.by_ref().for_each(|n| assert!(n.is_ok()));
    let figures = (items.delivered(), items.total(), items.stop_reason(), items.retries());
    assert_eq!(figures, async_figures);
    assert_eq!(figures, (25, Some(25), Some(StopReason::TotalReached), 0));
    assert_eq!(items.checkpoint(), None);
}

#[test]
fn blocking_builder_methods_without_configure() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start(numbers));
    let client = reqwest::blocking::Client::new();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);

    let mut items = client
        .get(server.url("/n"))
        .paginate::<Numbers>()
        .page_size(4)
        .max_items(6)
        .retry(RetryPolicy::never())
        .on_loop(LoopPolicy::Stop)
        .lookahead(0)
        .concurrency(1)
        .timeout(std::time::Duration::from_secs(5))
        .max_body_bytes(1 << 20)
        .on_page(move |page| seen.lock().unwrap().push(page.page))
        .items();
    let first: Vec<u32> = items.by_ref().map(Result::unwrap).collect();
    assert_eq!(first, [0, 1, 2, 3, 4, 5]);
    assert_eq!(items.stop_reason(), Some(StopReason::MaxItems));
    assert_eq!(*progress.lock().unwrap(), [1, 2]);
    assert_param_sequence(&server.take_requests(), "limit", &[Some("4"), Some("4")]);

    // Resume from a checkpoint taken mid-page, with a page limit.
    let mut items = client.get(server.url("/n")).paginate::<Numbers>().page_size(4).items();
    items.by_ref().take(5).for_each(|n| assert!(n.is_ok()));
    let checkpoint = items.checkpoint().unwrap();
    drop(items);
    server.take_requests();
    let rest: Vec<u32> = client
        .get(server.url("/n"))
        .paginate::<Numbers>()
        .page_size(4)
        .resume_from(checkpoint)
        .max_pages(3)
        .collect()
        .unwrap();
    assert_eq!(rest, [5, 6, 7, 8, 9, 10, 11]);
    assert_param_sequence(&server.requests(), "offset", &[Some("4"), Some("8")]);

    let pages = client.get(server.url("/n")).paginate::<Numbers>().max_pages(2).pages();
    let pages: Vec<Numbers> = pages.collect::<Result<_, _>>().unwrap();
    assert_eq!(pages.len(), 2);
}
