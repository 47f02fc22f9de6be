//! Helpers shared by the cookbook tests.

use futures_util::TryStreamExt;
use paginated::testing::{MockResponse, RecordedRequest};
use paginated::{Paginated, Paginator, StopReason};
use serde_json::{Value, json};

/// Walks to the end: every item, in order, and why the walk ended.
pub async fn walk<P: Paginated + Send + 'static>(
    paginator: Paginator<P>,
) -> (Vec<P::Item>, Option<StopReason>) {
    let mut items = paginator.items();
    let mut got = Vec::new();
    while let Some(item) = items.try_next().await.expect("the walk succeeds") {
        got.push(item);
    }
    (got, items.stop_reason())
}

/// `http://127.0.0.1:PORT`, as the client addressed the fake.
pub fn origin(r: &RecordedRequest) -> String {
    format!("http://{}", r.header("host").expect("reqwest sends Host"))
}

/// The decoded value of the query parameter `name` in each request.
pub fn param(requests: &[RecordedRequest], name: &str) -> Vec<Option<String>> {
    requests.iter().map(|r| r.query(name)).collect()
}

pub fn raw_queries(requests: &[RecordedRequest]) -> Vec<&str> {
    requests.iter().map(|r| r.raw_query.as_deref().unwrap_or("")).collect()
}

/// The JSON body of each request.
pub fn bodies(requests: &[RecordedRequest]) -> Vec<Value> {
    requests.iter().map(|r| r.json().expect("a JSON body")).collect()
}

pub fn error(status: u16, message: &str) -> MockResponse {
    MockResponse::status(status, json!({ "message": message }))
}

pub fn paths(requests: &[RecordedRequest]) -> Vec<&str> {
    requests.iter().map(|r| r.path.as_str()).collect()
}

/// The raw query without the parameter `name`, byte for byte.
pub fn query_without(r: &RecordedRequest, name: &str) -> String {
    let prefix = format!("{name}=");
    let raw = r.raw_query.as_deref().unwrap_or("");
    raw.split('&').filter(|p| !p.is_empty() && !p.starts_with(&prefix)).collect::<Vec<_>>().join("&")
}
