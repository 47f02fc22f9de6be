//! Property test: for random dataset sizes (0..=1000, with exact multiples of
//! the page size drawn often) and page sizes, every style delivers every item
//! exactly once, in order, and sends no request after the end signal.

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{PaginateExt, Paginated};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::json;

/// A list of `n` numbers served by offset (`offset`), page (`page`, 1-based) or
/// cursor (`after`), `limit` items at a time, with every signal a style may use.
async fn dataset(n: u64) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let number = |name: &str| r.query(name).map(|v| v.parse::<u64>().unwrap());
        let limit = number("limit").unwrap();
        let start = match r.path.as_str() {
            "/offset" => number("offset").unwrap(),
            "/page" => (number("page").unwrap() - 1) * limit,
            _ => r.query("after").map_or(0, |c| c.trim_start_matches('i').parse().unwrap()),
        };
        let end = (start + limit).min(n).max(start);
        let data: Vec<u64> = (start..end).collect();
        MockResponse::json(json!({
            "data": data,
            "total": n,
            "total_pages": n.div_ceil(limit),
            "has_more": end < n,
            "next": (end < n).then(|| format!("i{end}")),
        }))
    })
    .await
}

macro_rules! declare {
    ($name:ident, $($attr:tt)*) => {
        #[derive(Debug, Deserialize, Paginated)]
        #[paginate($($attr)*)]
        #[allow(dead_code)]
        struct $name {
            #[paginate(items)]
            data: Vec<u64>,
            total: u64,
            total_pages: u64,
            has_more: bool,
            next: Option<String>,
        }
    };
}

declare!(OffsetEmptyEnd, style = "offset", offset_param = "offset", page_size_param = "limit");
declare!(OffsetTotal, style = "offset", offset_param = "offset", page_size_param = "limit", total = "total");
declare!(
    OffsetHasMore,
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    has_more = "has_more"
);
declare!(
    OffsetShort,
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    stop_on_short_page
);
declare!(
    PageTotalPages,
    style = "page",
    page_param = "page",
    page_size_param = "limit",
    total_pages = "total_pages"
);
declare!(Cursor, style = "cursor", cursor_field = "next", cursor_param = "after", page_size_param = "limit");

/// Walks `P` over `n` items, `size` per page; returns the items and the request count.
async fn walk<P>(path: &str, n: u64, size: u64) -> (Vec<u64>, u64)
where
    P: Paginated<Item = u64> + Send + 'static,
{
    let server = dataset(n).await;
    let items =
        reqwest::Client::new().get(server.url(path)).paginate::<P>().page_size(size).collect().await.unwrap();
    (items, u64::try_from(server.requests().len()).unwrap())
}

fn sizes() -> impl Strategy<Value = (u64, u64)> {
    (1u64..=120).prop_flat_map(|size| {
        let max_pages = 1000 / size;
        prop_oneof![
            (0u64..=1000).prop_map(move |n| (n, size)),
            (0..=max_pages).prop_map(move |k| (k * size, size)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_style_delivers_each_item_once_and_stops_on_time((n, size) in sizes()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let all: Vec<u64> = (0..n).collect();
            let full_pages = n.div_ceil(size).max(1);
            let cases = [
                ("offset, empty page", walk::<OffsetEmptyEnd>("/offset", n, size).await, n.div_ceil(size) + 1),
                ("offset, total", walk::<OffsetTotal>("/offset", n, size).await, full_pages),
                ("offset, has_more", walk::<OffsetHasMore>("/offset", n, size).await, full_pages),
                ("offset, short page", walk::<OffsetShort>("/offset", n, size).await, n / size + 1),
                ("page, total_pages", walk::<PageTotalPages>("/page", n, size).await, full_pages),
                ("cursor", walk::<Cursor>("/cursor", n, size).await, full_pages),
            ];
            for (name, (items, requests), expected_requests) in cases {
                prop_assert_eq!(&items, &all, "{} n={} size={}", name, n, size);
                prop_assert_eq!(requests, expected_requests, "{} n={} size={}", name, n, size);
            }
            Ok(())
        })?;
    }
}
