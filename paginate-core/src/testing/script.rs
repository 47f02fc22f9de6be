//! Scripted pages for testing your own declarations: serve the pages you
//! write, in order, and check the sequence of requests the walk sent.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::server::{MockResponse, MockServer, RecordedRequest};

impl MockServer {
    /// Serves `pages` in the order requests arrive: the first request gets
    /// `pages[0]`, the second `pages[1]`, and so on; a request past the script
    /// gets a `404` saying so. Every request is recorded, so a test can assert
    /// what the walk sent (see [`assert_param_sequence`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use paginated::testing::{MockResponse, MockServer, assert_param_sequence};
    /// use paginated::{PaginateExt, Paginated};
    /// use serde_json::json;
    ///
    /// // The declaration under test.
    /// #[derive(serde::Deserialize, Paginated)]
    /// #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
    /// struct Page { #[paginate(items)] data: Vec<u32>, next: Option<String> }
    ///
    /// let server = MockServer::script(vec![
    ///     MockResponse::json(json!({"data": [1, 2], "next": "c1"})),
    ///     MockResponse::json(json!({"data": [3], "next": null})),
    /// ])
    /// .await;
    /// let items = reqwest::Client::new().get(server.url("/list?q=x")).paginate::<Page>().collect().await.unwrap();
    /// assert_eq!(items, [1, 2, 3]);
    /// assert_param_sequence(&server.requests(), "after", &[None, Some("c1")]);
    /// assert_param_sequence(&server.requests(), "q", &[Some("x"), Some("x")]);
    /// # }
    /// ```
    pub async fn script(pages: Vec<MockResponse>) -> MockServer {
        let next = AtomicUsize::new(0);
        MockServer::start(move |_: &RecordedRequest| {
            let index = next.fetch_add(1, Ordering::SeqCst);
            pages.get(index).cloned().unwrap_or_else(|| {
                MockResponse::status(
                    404,
                    json!({"message": format!("request {} is past the {} scripted pages", index + 1, pages.len())}),
                )
            })
        })
        .await
    }
}

/// Asserts that the walk sent query parameter `name` with these values, one
/// per request, in order (`None`: the request did not carry it). Panics with
/// both sequences otherwise.
pub fn assert_param_sequence(requests: &[RecordedRequest], name: &str, expected: &[Option<&str>]) {
    let actual: Vec<Option<String>> = requests.iter().map(|r| r.query(name)).collect();
    let expected: Vec<Option<String>> = expected.iter().map(|v| v.map(str::to_owned)).collect();
    assert_eq!(actual, expected, "the values of query parameter `{name}`, request by request");
}

/// Asserts that the walk sent these JSON bodies, one per request, in order.
pub fn assert_body_sequence(requests: &[RecordedRequest], expected: &[serde_json::Value]) {
    let actual: Vec<Option<serde_json::Value>> = requests.iter().map(RecordedRequest::json).collect();
    let expected: Vec<Option<serde_json::Value>> = expected.iter().cloned().map(Some).collect();
    assert_eq!(actual, expected, "the JSON bodies, request by request");
}
