//! An embedded mock of the seed APIs (Intercom, Attio, Close) on loopback,
//! for tests and examples. Enabled by the `testing` feature.
//!
//! [`MockServer`] is a generic recording HTTP server: every request is kept, in
//! order, with its query, headers and body, and answered by a function.
//! [`MockServer::script`] serves pages you write, in order, and
//! [`assert_param_sequence`] / [`assert_body_sequence`] check what your own
//! `#[paginate(...)]` declaration sent, request by request. [`faults`] injects
//! rate limits, server errors, resets and truncated bodies.
//! [`MockApi`] runs one `MockServer` that emulates the paginated endpoints of
//! the three seed APIs over deterministic datasets (1,000 records per
//! [`Resource`] by default), faithfully enough to catch the classic client
//! bugs: a cursor encoded twice or not at all, a search body changed between
//! pages, a limit changed mid-walk, a walk that stops one page early or late.
//!
//! | route | style | end of list |
//! | --- | --- | --- |
//! | Intercom `GET /contacts?per_page=&starting_after=` | cursor in the query | no `pages.next` |
//! | Intercom `GET /conversations?per_page=&starting_after=` | cursor in the query | no `pages.next` |
//! | Intercom `POST /conversations/search` | cursor in `pagination` of the body | no `pages.next` |
//! | Intercom `GET /companies?page=&per_page=` | page number in the query | `page` = `total_pages` |
//! | Attio `GET /v2/notes?limit=&offset=` | offset in the query | fewer than `limit` records |
//! | Attio `POST /v2/objects/people/records/query` | offset in the body | fewer than `limit` records |
//! | Attio `GET /v2/meetings?limit=&cursor=` | cursor in the query | `pagination.next_cursor` null |
//! | Close `GET /api/v1/lead/?_skip=&_limit=` | offset in the query | `has_more` false |
//! | Close `GET /api/v1/event/?_cursor=&_limit=` | cursor in the query | `cursor_next` null |
//! | Close `POST /api/v1/data/search/` | cursor in the body | `cursor` null |
//!
//! Cursors are opaque, contain `+`, `/`, `=` and a newline, and are rejected
//! with a `400` unless they are byte-identical to one the server issued for
//! the same list, page size and query. Errors use each API's own error body.
//! Auth headers are not checked, only recorded.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use paginated::testing::{MockApi, Resource};
//!
//! let api = MockApi::builder().records(120).start().await;
//! assert_eq!(api.dataset(Resource::Contacts).len(), 120);
//! assert_eq!(api.dataset(Resource::Contacts)[0]["id"], "cont_0001");
//! assert!(api.url("/contacts?per_page=50").starts_with("http://127.0.0.1:"));
//! # }
//! ```

mod attio;
mod close;
mod data;
pub mod faults;
mod intercom;
mod paging;
mod script;
mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

pub use data::Resource;
pub use script::{assert_body_sequence, assert_param_sequence};
pub use server::{MockResponse, MockServer, RecordedRequest};

use data::Datasets;

/// The mock of the seed APIs: one [`MockServer`] serving every emulated route.
///
/// Dropping it stops the server.
#[derive(Debug)]
pub struct MockApi {
    server: MockServer,
    state: Arc<ApiState>,
}

impl MockApi {
    /// Starts the mock with the default settings: 1,000 records per resource,
    /// Close `max_skip` 250,000 and maximum `_limit` 100.
    pub async fn start() -> MockApi {
        MockApi::builder().start().await
    }

    /// Settings for a mock with other dataset sizes or Close limits.
    pub fn builder() -> MockApiBuilder {
        MockApiBuilder { records: 1_000, close_max_skip: 250_000, close_max_limit: 100 }
    }

    /// The server root, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The absolute URL of `path_and_query` on the mock.
    pub fn url(&self, path_and_query: &str) -> String {
        self.server.url(path_and_query)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Every request received so far, in order, and forgets them.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        self.server.take_requests()
    }

    /// The underlying recording server.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Every record of `resource` in id order, exactly as the mock serves it
    /// (search and sort parameters only reorder or filter these).
    pub fn dataset(&self, resource: Resource) -> &[Value] {
        self.state.data.get(resource)
    }
}

/// Settings of a [`MockApi`], from [`MockApi::builder`].
#[derive(Debug, Clone)]
pub struct MockApiBuilder {
    records: usize,
    close_max_skip: usize,
    close_max_limit: usize,
}

impl MockApiBuilder {
    /// How many records every resource holds (default 1,000).
    pub fn records(mut self, records: usize) -> Self {
        self.records = records;
        self
    }

    /// The largest `_skip` Close accepts before answering `400` (default 250,000).
    pub fn close_max_skip(mut self, max_skip: usize) -> Self {
        self.close_max_skip = max_skip;
        self
    }

    /// The largest `_limit` Close accepts before answering `400` (default 100).
    pub fn close_max_limit(mut self, max_limit: usize) -> Self {
        self.close_max_limit = max_limit;
        self
    }

    /// Generates the datasets and starts serving.
    pub async fn start(self) -> MockApi {
        let state = Arc::new(ApiState {
            data: Datasets::generate(self.records),
            close_max_skip: self.close_max_skip,
            close_max_limit: self.close_max_limit,
            request_seq: AtomicU64::new(0),
        });
        let routed = Arc::clone(&state);
        let server = MockServer::start(move |request| route(&routed, request)).await;
        MockApi { server, state }
    }
}

/// What every emulated route can read.
#[derive(Debug)]
pub(crate) struct ApiState {
    pub(crate) data: Datasets,
    pub(crate) close_max_skip: usize,
    pub(crate) close_max_limit: usize,
    request_seq: AtomicU64,
}

impl ApiState {
    /// A fresh, deterministic request id for error bodies that carry one.
    pub(crate) fn next_request_id(&self) -> String {
        let seq = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("mock-req-{seq:06}")
    }
}

/// The method and path of every emulated route (paths without the trailing
/// slash, which is optional).
const ROUTES: [(&str, &str); 10] = [
    ("GET", "/contacts"),
    ("GET", "/companies"),
    ("GET", "/conversations"),
    ("POST", "/conversations/search"),
    ("GET", "/v2/notes"),
    ("POST", "/v2/objects/people/records/query"),
    ("GET", "/v2/meetings"),
    ("GET", "/api/v1/lead"),
    ("GET", "/api/v1/event"),
    ("POST", "/api/v1/data/search"),
];

fn route(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let path = match request.path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    match (request.method.as_str(), path) {
        ("GET", "/contacts") => intercom::list(state, request, Resource::Contacts),
        ("GET", "/conversations") => intercom::list(state, request, Resource::Conversations),
        ("POST", "/conversations/search") => intercom::search(state, request),
        ("GET", "/companies") => intercom::list_companies(state, request),
        ("GET", "/v2/notes") => attio::list_notes(state, request),
        ("POST", "/v2/objects/people/records/query") => attio::query_people(state, request),
        ("GET", "/v2/meetings") => attio::list_meetings(state, request),
        ("GET", "/api/v1/lead") => close::list_leads(state, request),
        ("GET", "/api/v1/event") => close::list_events(state, request),
        ("POST", "/api/v1/data/search") => close::search(state, request),
        (method, path) => {
            let allowed: Vec<&str> = ROUTES.iter().filter(|(_, p)| *p == path).map(|(m, _)| *m).collect();
            if allowed.is_empty() {
                MockResponse::status(
                    404,
                    json!({ "error": format!("the mock API has no route {method} {path}") }),
                )
            } else {
                MockResponse::status(
                    405,
                    json!({ "error": format!("{path} accepts {}, not {method}", allowed.join(", ")) }),
                )
                .with_header("allow", allowed.join(", "))
            }
        }
    }
}
