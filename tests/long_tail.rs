//! The long tail of real pagination schemes: empty pages that end polling
//! feeds and scrolls, errors inside 200 bodies, form-encoded bodies, templated
//! headers, parameters re-added to followed URLs, and the escape hatch
//! (custom style) for Elasticsearch scroll and point-in-time search.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use paginated::testing::{MockResponse, MockServer, RecordedRequest, assert_param_sequence};
use paginated::{ErrorKind, PaginateExt, Paginated, Position, RetryPolicy, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .throttle_backoff(Duration::from_millis(1))
}

// ---- 1. An empty page ends the walk even with a next link or cursor (opt-in) ----

/// Okta's System Log always sends `rel="next"`; an empty page means "caught up".
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", stop_on_empty_page)]
struct OktaLogs {
    #[paginate(items)]
    events: Vec<Value>,
}

#[tokio::test]
async fn okta_log_polling_ends_on_the_empty_page_despite_the_next_link() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let after: u32 = r.query("after").map_or(0, |a| a.parse().unwrap());
        let events: Vec<Value> =
            if after < 4 { vec![json!({"uuid": after}), json!({"uuid": after + 1})] } else { vec![] };
        let host = r.header("host").unwrap().to_owned();
        MockResponse::json(json!(events))
            .with_header(
                "link",
                format!("<http://{host}/api/v1/logs?since=2026-11-01&after={after}>; rel=\"self\""),
            )
            .with_header(
                "link",
                format!("<http://{host}/api/v1/logs?since=2026-11-01&after={}>; rel=\"next\"", after + 2),
            )
    })
    .await;
    let mut pages = reqwest::Client::new()
        .get(server.url("/api/v1/logs?since=2026-11-01"))
        .paginate::<OktaLogs>()
        .pages();
    let mut events = 0;
    while let Some(page) = futures_util::TryStreamExt::try_next(&mut pages).await.unwrap() {
        events += page.events.len();
    }
    assert_eq!(events, 4);
    assert_eq!(pages.stop_reason(), Some(StopReason::EmptyPage));
    assert_eq!(server.requests().len(), 3, "the empty page is the last request");
}

/// Intercom's companies scroll: `scroll_param` is always there; an empty page ends it.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "scroll_param",
    cursor_param = "scroll_param",
    stop_on_empty_page
)]
struct CompanyScroll {
    #[paginate(items)]
    data: Vec<Value>,
    scroll_param: String,
}

#[tokio::test]
async fn intercom_companies_scroll_ends_on_the_empty_page() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let n: u32 = r.query("scroll_param").map_or(0, |s| s.trim_start_matches("scroll-").parse().unwrap());
        let data: Vec<Value> = if n < 3 { vec![json!({"id": n})] } else { vec![] };
        MockResponse::json(json!({"type": "list", "data": data, "scroll_param": format!("scroll-{}", n + 1)}))
    })
    .await;
    let companies = reqwest::Client::new()
        .get(server.url("/companies/scroll"))
        .paginate::<CompanyScroll>()
        .collect()
        .await
        .unwrap();
    assert_eq!(companies.len(), 3);
    assert_param_sequence(
        &server.requests(),
        "scroll_param",
        &[None, Some("scroll-1"), Some("scroll-2"), Some("scroll-3")],
    );
}

// ---- 4. Errors inside HTTP 200 bodies ----

#[derive(Debug, Deserialize)]
struct SlackMeta {
    next_cursor: String,
}

/// Slack: `{"ok": false, "error": "..."}` with status 200.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "response_metadata.next_cursor",
    cursor_form = "cursor",
    page_size_form = "limit",
    page_size = 2,
    api_error = "error",
    rate_limit_error = "ratelimited"
)]
struct SlackMembers {
    #[paginate(items)]
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    error: Option<String>,
    response_metadata: Option<SlackMeta>,
}

#[tokio::test]
async fn slack_ok_false_is_an_api_error_never_a_silent_end() {
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(json!({"ok": false, "error": "invalid_auth"}))
    })
    .await;
    let err = reqwest::Client::new()
        .post(server.url("/api/conversations.members"))
        .form(&[("channel", "C1")])
        .paginate::<SlackMembers>()
        .retry(fast())
        .collect()
        .await
        .unwrap_err();
    let ErrorKind::Api { message, rate_limited } = err.kind() else { panic!("{err:?}") };
    assert_eq!((message.as_str(), rate_limited), ("invalid_auth", &false));
    assert_eq!(server.requests().len(), 1, "an API error is not retried");
    assert!(err.to_string().contains("invalid_auth"), "{err}");
}

#[tokio::test]
async fn slack_ratelimited_in_a_200_is_retried_like_a_429_and_form_bodies_carry_the_cursor() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = MockServer::start(move |r: &RecordedRequest| {
        assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
        let body = String::from_utf8(r.body.clone()).unwrap();
        if counter.fetch_add(1, Ordering::SeqCst) == 1 {
            return MockResponse::json(json!({"ok": false, "error": "ratelimited"}))
                .with_header("retry-after", "0");
        }
        let (members, next) = if body.contains("cursor=") {
            (json!(["U3"]), "")
        } else {
            (json!(["U1", "U2"]), "dXNlcjpVMDYxTkZUVDI=")
        };
        MockResponse::json(
            json!({"ok": true, "members": members, "response_metadata": {"next_cursor": next}}),
        )
    })
    .await;
    let mut items = reqwest::Client::new()
        .post(server.url("/api/conversations.members"))
        .form(&[("channel", "C1")])
        .paginate::<SlackMembers>()
        .retry(fast())
        .items();
    let mut members = Vec::new();
    while let Some(m) = futures_util::TryStreamExt::try_next(&mut items).await.unwrap() {
        members.push(m);
    }
    assert_eq!(members, ["U1", "U2", "U3"]);
    assert_eq!(items.retries(), 1);
    let bodies: Vec<String> =
        server.requests().iter().map(|r| String::from_utf8(r.body.clone()).unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "channel=C1&limit=2",
            "channel=C1&limit=2&cursor=dXNlcjpVMDYxTkZUVDI%3D",
            "channel=C1&limit=2&cursor=dXNlcjpVMDYxTkZUVDI%3D"
        ]
    );
}

/// GraphQL: `{"data": null, "errors": [...]}` with status 200.
#[derive(Debug, Deserialize)]
struct Connection {
    nodes: Vec<Value>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
struct PageInfo {
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Data {
    issues: Connection,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after",
    items = "data.issues.nodes",
    item_type = "Value",
    api_error = "errors"
)]
struct IssuesQuery {
    data: Box<Data>,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

#[tokio::test]
async fn graphql_errors_are_reported_with_the_apis_message() {
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::json(json!({
            "data": {"issues": {"nodes": [], "pageInfo": {"endCursor": null}}},
            "errors": [{"message": "Field 'isues' doesn't exist on type 'Repository'", "locations": [{"line": 1}]}]
        }))
    })
    .await;
    let err = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({"query": "query($after: String) { ... }", "variables": {}}))
        .paginate::<IssuesQuery>()
        .collect()
        .await
        .unwrap_err();
    let ErrorKind::Api { message, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(message, "Field 'isues' doesn't exist on type 'Repository'");
}

// ---- 6. Templated request headers ----

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "link",
    next_url = "next_records_url",
    is_last = "done",
    page_size_header = "Sforce-Query-Options",
    page_size_format = "batchSize={}",
    page_size = 200,
    min_page_size = 200,
    max_page_size = 2000
)]
struct Soql {
    #[paginate(items)]
    records: Vec<Value>,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
    done: bool,
}

#[tokio::test]
async fn salesforce_batch_size_goes_in_a_templated_header() {
    let server = MockServer::start(|r: &RecordedRequest| match r.path.as_str() {
        "/services/data/v59.0/query" => MockResponse::json(
            json!({"done": false, "records": [{"Id": "1"}], "nextRecordsUrl": "/services/data/v59.0/query/01g-200"}),
        ),
        _ => MockResponse::json(json!({"done": true, "records": [{"Id": "2"}]})),
    })
    .await;
    let records = reqwest::Client::new()
        .get(server.url("/services/data/v59.0/query?q=SELECT+Id+FROM+Account"))
        .paginate::<Soql>()
        .page_size(500)
        .collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    let requests = server.requests();
    assert_eq!(requests[0].header("sforce-query-options"), Some("batchSize=500"));
    assert_eq!(requests[1].header("sforce-query-options"), Some("batchSize=500"), "headers are re-sent");
    assert_eq!(requests[1].raw_query, None, "nothing is appended to the next URL");

    let err = reqwest::Client::new()
        .get(server.url("/services/data/v59.0/query"))
        .paginate::<Soql>()
        .page_size(100)
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("min_page_size = 200"), "{err}");
}

// ---- 7. Query parameters re-added to followed URLs (opt-in) ----

#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", keep_params = "access_token", page_size_param = "per_page", page_size = 2)]
struct CanvasCourses {
    #[paginate(items)]
    courses: Vec<Value>,
}

#[tokio::test]
async fn canvas_access_token_is_added_back_to_its_link_urls() {
    let server = MockServer::start(|r: &RecordedRequest| {
        if r.query("access_token").as_deref() != Some("tok en") {
            return MockResponse::status(401, json!({"errors": [{"message": "Invalid access token."}]}));
        }
        let page: u32 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let host = r.header("host").unwrap().to_owned();
        let mut response = MockResponse::json(json!([{"id": page * 2 - 1}, {"id": page * 2}]));
        if page < 3 {
            // Canvas's Link URLs do not carry the access token.
            response = response.with_header(
                "link",
                format!("<http://{host}/api/v1/courses?page={}&per_page=2>; rel=\"next\"", page + 1),
            );
        }
        response
    })
    .await;
    let courses = reqwest::Client::new()
        .get(server.url("/api/v1/courses?access_token=tok%20en"))
        .paginate::<CanvasCourses>()
        .collect()
        .await
        .unwrap();
    assert_eq!(courses.len(), 6);
    let queries: Vec<_> = server.requests().iter().map(|r| r.raw_query.clone().unwrap()).collect();
    assert_eq!(
        queries,
        [
            "access_token=tok%20en&per_page=2",
            "page=2&per_page=2&access_token=tok+en",
            "page=3&per_page=2&access_token=tok+en"
        ]
    );
}

// ---- 2, 3, 8. The escape hatch: custom style for Elasticsearch scroll and PIT ----

#[derive(Debug, Deserialize)]
struct Hits {
    hits: Vec<Value>,
}

/// Elasticsearch scroll: the first request is `POST /index/_search?scroll=1m`,
/// every next one `POST /_search/scroll` with `{"scroll": "1m", "scroll_id": ...}`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "custom",
    next_state = "scroll_state",
    next_request = "scroll_request",
    items = "hits.hits",
    item_type = "Value",
    stop_on_empty_page
)]
struct Scroll {
    #[serde(rename = "_scroll_id")]
    scroll_id: String,
    hits: Hits,
}

/// The state the next request needs: the scroll id of this page (a scroll
/// always has one; the empty page ends it).
#[allow(clippy::unnecessary_wraps)] // the signature `next_state` takes
fn scroll_state(page: &Scroll) -> Option<Value> {
    Some(Value::from(page.scroll_id.clone()))
}

/// The next request: the user's first request sent to `/_search/scroll` with a new body.
fn scroll_request(first: &reqwest::Request, state: &Value) -> reqwest::Request {
    let mut next = first.try_clone().expect("a byte body");
    next.url_mut().set_path("/_search/scroll");
    next.url_mut().set_query(None);
    let body = json!({"scroll": "1m", "scroll_id": state});
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}

#[tokio::test]
async fn elasticsearch_scroll_through_the_escape_hatch() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let body = r.json().unwrap();
        let n = match r.path.as_str() {
            "/logs/_search" => {
                assert_eq!(r.query("scroll").as_deref(), Some("1m"));
                assert_eq!(body["query"], json!({"match_all": {}}));
                0
            }
            "/_search/scroll" => {
                assert_eq!(body["scroll"], json!("1m"));
                body["scroll_id"].as_str().unwrap().trim_start_matches("DXF1").parse::<u64>().unwrap()
            }
            other => panic!("unexpected path {other}"),
        };
        let hits: Vec<Value> =
            if n < 3 { (n * 2..n * 2 + 2).map(|i| json!({"_id": i})).collect() } else { vec![] };
        MockResponse::json(json!({"_scroll_id": format!("DXF1{}", n + 1), "hits": {"hits": hits}}))
    })
    .await;
    let hits = reqwest::Client::new()
        .post(server.url("/logs/_search?scroll=1m"))
        .json(&json!({"size": 2, "query": {"match_all": {}}}))
        .paginate::<Scroll>()
        .collect()
        .await
        .unwrap();
    assert_eq!(hits.iter().map(|h| h["_id"].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
    let paths: Vec<_> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/logs/_search", "/_search/scroll", "/_search/scroll", "/_search/scroll"]);
}

/// Elasticsearch point-in-time search: two pieces of state per page, the
/// last hit's `sort` (into `search_after`) and the response's `pit_id` (into
/// `pit.id`, it changes every page).
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "custom",
    next_state = "pit_state",
    next_request = "pit_request",
    items = "hits.hits",
    item_type = "Value"
)]
struct PitSearch {
    pit_id: String,
    hits: Hits,
}

fn pit_state(page: &PitSearch) -> Option<Value> {
    let sort = page.hits.hits.last()?.get("sort")?.clone();
    Some(json!({"pit": page.pit_id, "search_after": sort}))
}

fn pit_request(first: &reqwest::Request, state: &Value) -> reqwest::Request {
    let mut next = first.try_clone().expect("a byte body");
    let mut body: Value =
        serde_json::from_slice(first.body().and_then(reqwest::Body::as_bytes).unwrap_or(b"{}")).unwrap();
    body["pit"]["id"] = state["pit"].clone();
    body["search_after"] = state["search_after"].clone();
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}

#[tokio::test]
async fn elasticsearch_pit_carries_two_pieces_of_state() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let body = r.json().unwrap();
        let pit = body["pit"]["id"].as_str().unwrap().to_owned();
        let after = body["search_after"][0].as_u64();
        // Each response issues a new pit id, named after where the next page starts.
        let expected_pit = format!("pit-{}", after.map_or(0, |a| a + 1));
        if pit != expected_pit {
            return MockResponse::status(
                404,
                json!({"error": format!("stale pit {pit}, want {expected_pit}")}),
            );
        }
        let start = after.map_or(0, |a| a + 1);
        let end = (start + 2).min(7);
        let hits: Vec<Value> = (start..end).map(|i| json!({"_id": i, "sort": [i, "tiebreak"]})).collect();
        MockResponse::json(json!({"pit_id": format!("pit-{end}"), "hits": {"hits": hits}}))
    })
    .await;
    let mut items = reqwest::Client::new()
        .post(server.url("/_search"))
        .json(
            &json!({"size": 2, "pit": {"id": "pit-0", "keep_alive": "1m"}, "sort": [{"@timestamp": "asc"}]}),
        )
        .paginate::<PitSearch>()
        .retry(RetryPolicy::never())
        .items();
    let mut ids = Vec::new();
    while let Some(hit) = futures_util::TryStreamExt::try_next(&mut items).await.unwrap() {
        ids.push(hit["_id"].as_u64().unwrap());
    }
    assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
    let requests = server.requests();
    assert!(
        requests.iter().all(|r| r.json().unwrap()["pit"]["keep_alive"] == json!("1m")),
        "the rest of the body is kept"
    );
    assert_eq!(requests[2].json().unwrap()["search_after"], json!([3, "tiebreak"]));
}

#[tokio::test]
async fn custom_walks_resume_from_a_serializable_state() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let n = match r.path.as_str() {
            "/logs/_search" => 0,
            _ => r.json().unwrap()["scroll_id"]
                .as_str()
                .unwrap()
                .trim_start_matches("DXF1")
                .parse::<u64>()
                .unwrap(),
        };
        let hits: Vec<Value> = if n < 3 { vec![json!({"_id": n})] } else { vec![] };
        MockResponse::json(json!({"_scroll_id": format!("DXF1{}", n + 1), "hits": {"hits": hits}}))
    })
    .await;
    let client = reqwest::Client::new();
    let request = || client.post(server.url("/logs/_search?scroll=1m")).json(&json!({"size": 1}));
    let mut items = request().paginate::<Scroll>().items();
    let first = futures_util::TryStreamExt::try_next(&mut items).await.unwrap().unwrap();
    let checkpoint = items.checkpoint().unwrap();
    drop(items);
    assert_eq!(checkpoint.position, Position::State(json!("DXF11")));
    let stored: paginated::Checkpoint =
        serde_json::from_str(&serde_json::to_string(&checkpoint).unwrap()).unwrap();
    let rest = request().paginate::<Scroll>().resume_from(stored).collect().await.unwrap();
    assert_eq!([vec![first], rest].concat().len(), 3);
}

// ---- Behaviour pinned by the docs ----

#[derive(Debug, Deserialize)]
struct AttioPagination {
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pagination.next_cursor",
    cursor_param = "cursor",
    page_size_param = "limit",
    page_size = 30
)]
struct AttioMeetings {
    #[paginate(items)]
    data: Vec<Value>,
    pagination: AttioPagination,
}

#[tokio::test]
async fn max_items_never_changes_a_page_size_bound_to_a_cursor() {
    let api = paginated::testing::MockApi::builder().records(200).start().await;
    let meetings = reqwest::Client::new()
        .get(api.url("/v2/meetings"))
        .paginate::<AttioMeetings>()
        .max_items(45)
        .collect()
        .await
        .unwrap();
    assert_eq!(meetings.len(), 45);
    assert_param_sequence(&api.requests(), "limit", &[Some("30"), Some("30")]);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_item_field = "id",
    cursor_param = "starting_after",
    has_more = "has_more"
)]
struct Charges {
    #[paginate(items)]
    data: Vec<Charge>,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct Charge {
    id: String,
}

#[tokio::test]
async fn a_last_item_cursor_walk_ends_on_an_empty_page() {
    // A server that wrongly says has_more on an empty page: no last item, no cursor, the end.
    let server = MockServer::script(vec![
        MockResponse::json(json!({"data": [{"id": "ch_1"}], "has_more": true})),
        MockResponse::json(json!({"data": [], "has_more": true})),
    ])
    .await;
    let charges =
        reqwest::Client::new().get(server.url("/v1/charges")).paginate::<Charges>().collect().await.unwrap();
    assert_eq!(charges.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    page_size_param = "per_page",
    page_size = 10,
    max_offset = 30
)]
struct DeepPages {
    #[paginate(items)]
    data: Vec<u32>,
}

#[tokio::test]
async fn max_offset_applies_to_page_numbers_too() {
    let server = MockServer::start(|r: &RecordedRequest| {
        let page: u32 = r.query("page").unwrap().parse().unwrap();
        MockResponse::json(json!({"data": ((page - 1) * 10..page * 10).collect::<Vec<_>>()}))
    })
    .await;
    let err =
        reqwest::Client::new().get(server.url("/p")).paginate::<DeepPages>().collect().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::MaxOffset { max_offset: 30, next_offset: 40 }), "{err:?}");
    assert_param_sequence(&server.requests(), "page", &[Some("1"), Some("2"), Some("3"), Some("4")]);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "meta.next_token",
    cursor_param = "pagination_token",
    page_size_param = "max_results",
    page_size = 10,
    min_page_size = 10,
    max_page_size = 100,
    total = "meta.result_count_total"
)]
struct Tweets {
    #[paginate(items)]
    data: Vec<Value>,
    meta: TweetMeta,
}

#[derive(Debug, Deserialize)]
struct TweetMeta {
    next_token: Option<String>,
    result_count_total: Option<u64>,
}

#[tokio::test]
async fn min_page_size_is_checked_and_total_feeds_progress_for_cursor_walks() {
    let server = MockServer::script(vec![
        MockResponse::json(json!({"data": [1, 2], "meta": {"next_token": "t1", "result_count_total": 3}})),
        MockResponse::json(json!({"data": [3], "meta": {}})),
    ])
    .await;
    let err = reqwest::Client::new()
        .get(server.url("/2/tweets"))
        .paginate::<Tweets>()
        .page_size(5)
        .collect()
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Config(_)) && err.to_string().contains("min_page_size = 10"),
        "{err}"
    );
    assert!(server.requests().is_empty());

    let totals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = totals.clone();
    let tweets = reqwest::Client::new()
        .get(server.url("/2/tweets"))
        .paginate::<Tweets>()
        .on_page(move |p| seen.lock().unwrap().push((p.items, p.total)))
        .collect()
        .await
        .unwrap();
    assert_eq!(tweets.len(), 3);
    assert_eq!(*totals.lock().unwrap(), [(2, Some(3)), (3, Some(3))]);
}
