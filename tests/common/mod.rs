//! Scripted servers shared by the integration tests.
#![allow(dead_code, clippy::needless_pass_by_value)]

pub mod cookbook;

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use serde_json::Value;

/// Serves `pages` in order, choosing the page by the `after` query parameter:
/// no parameter is page 0, `after=p<N>` is page N. Each page body is given in
/// full by the test, so the test controls every signal.
pub async fn scripted_pages(pages: Vec<Value>) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let index = match r.query("after") {
            None => 0,
            Some(c) => match c.strip_prefix('p').and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n < pages.len() => n,
                _ => {
                    return MockResponse::status(
                        400,
                        serde_json::json!({"message": format!("unknown cursor {c:?}")}),
                    );
                }
            },
        };
        MockResponse::json(pages[index].clone())
    })
    .await
}

/// A page body `{"data": [ids...], "next": next}`.
pub fn page(ids: std::ops::Range<u32>, next: Value) -> Value {
    serde_json::json!({ "data": ids.collect::<Vec<_>>(), "next": next })
}
