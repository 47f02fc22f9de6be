//! What real APIs do at the edges of a walk, against loopback fakes, asserting
//! what the server received: rate limits that are not 429 (AWS's `400
//! ThrottlingException`, Linear's `RATELIMITED` with an epoch-milliseconds
//! reset) under faults; "the same token twice means the end" (CloudWatch
//! Logs) next to a real A→B→A loop; a cursor that expires mid-walk (Asana)
//! and the restart that keeps the item stream exactly-once; page-number limits
//! (Freshdesk's page 300) and page-count limits on every style.

use futures_util::TryStreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

/// The JSON bodies' `key`, request by request.
fn body_values(requests: &[RecordedRequest], key: &str) -> Vec<Value> {
    requests.iter().map(|r| r.json().map_or(Value::Null, |body| body[key].clone())).collect()
}

// ---- 2. The same token twice means the end ----

#[derive(Debug, Deserialize)]
struct LogEvent {
    message: String,
}

/// CloudWatch Logs `GetLogEvents`: the end of the stream is the same
/// `nextForwardToken` coming back.
#[derive(Debug, Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "cursor", cursor_field = "next_forward_token", cursor_body = "nextToken")]
#[paginate(stop_on_same_cursor)]
struct LogEvents {
    #[paginate(items)]
    events: Vec<LogEvent>,
    next_forward_token: Option<String>,
}

/// Tokens `f/0` (no token sent) to `f/<pages>`; the last page hands back the
/// token it was sent, or, with `loop_back`, the first token again (A→B→A).
async fn log_stream(pages: usize, loop_back: bool) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let body = r.json().unwrap_or_default();
        let at: usize = body["nextToken"].as_str().map_or(0, |t| t.trim_start_matches("f/").parse().unwrap());
        let (events, next) = if at < pages {
            (vec![json!({"message": format!("line {at}"), "timestamp": at})], format!("f/{}", at + 1))
        } else if loop_back {
            (vec![json!({"message": "again", "timestamp": 0})], "f/1".to_owned())
        } else {
            (vec![], format!("f/{at}"))
        };
        MockResponse::json(json!({"events": events, "nextForwardToken": next, "nextBackwardToken": "b/0"}))
    })
    .await
}

#[tokio::test]
async fn the_same_token_back_ends_the_walk_with_its_page_delivered() {
    let server = log_stream(3, false).await;
    let request = reqwest::Client::new()
        .post(server.url("/"))
        .header("x-amz-target", "Logs_20140328.GetLogEvents")
        .json(&json!({"logGroupName": "/app", "logStreamName": "web", "startFromHead": true}));
    let mut pages = request.paginate::<LogEvents>().pages();
    let mut lines = Vec::new();
    let mut delivered = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        delivered += 1;
        lines.extend(page.events.into_iter().map(|e| e.message));
    }
    assert_eq!(lines, ["line 0", "line 1", "line 2"]);
    // The last page (the token came back) is delivered too, empty.
    assert_eq!(delivered, 4);
    assert_eq!(pages.stop_reason(), Some(StopReason::SameCursor));
    let requests = server.requests();
    assert_eq!(body_values(&requests, "nextToken"), [Value::Null, json!("f/1"), json!("f/2"), json!("f/3")]);
    assert!(requests.iter().all(|r| r.json().unwrap()["logStreamName"] == "web"));
}

#[tokio::test]
async fn a_token_from_an_earlier_page_is_still_a_loop() {
    let server = log_stream(3, true).await;
    let request = reqwest::Client::new().post(server.url("/")).json(&json!({"logGroupName": "/app"}));
    let mut items = request.paginate::<LogEvents>().items();
    let mut lines = Vec::new();
    let err = loop {
        match items.try_next().await {
            Ok(Some(event)) => lines.push(event.message),
            Ok(None) => panic!("A→B→A ended quietly"),
            Err(err) => break err,
        }
    };
    assert_eq!(lines, ["line 0", "line 1", "line 2", "again"]);
    let ErrorKind::Loop { cursor } = err.kind() else { panic!("{err:?}") };
    assert_eq!(cursor.as_text(), "f/1");
    assert_eq!(server.requests().len(), 4, "f/1 is not requested a second time");
}

// ---- 4. Page-number and page-count limits ----

/// Freshdesk-like: page numbers from 1, refused past `max_page` (here 5,
/// scaled down from Freshdesk's 300); a short page is the last.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_page = 5)]
#[paginate(stop_on_short_page)]
struct Tickets {
    #[paginate(items)]
    tickets: Vec<u64>,
}

/// The same with the page count reported, so that the walk fans out.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_page = 5)]
#[paginate(total_pages = "total_pages")]
struct CountedTickets {
    #[paginate(items)]
    tickets: Vec<u64>,
    total_pages: u64,
}

/// `items` numbers, `per_page` a page; a page past `refuse_past` is a 400,
/// as Freshdesk answers page 301.
async fn numbered_pages(items: u64, refuse_past: u64, counted: bool) -> MockServer {
    MockServer::start(move |r: &RecordedRequest| {
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let per_page: u64 = r.query("per_page").map_or(30, |p| p.parse().unwrap());
        if page > refuse_past {
            let errors = json!([{"field": "page", "message": "Has 301 which is greater than max", "code": "invalid_value"}]);
            return MockResponse::status(400, json!({"description": "Validation failed", "errors": errors}));
        }
        let tickets: Vec<u64> = ((page - 1) * per_page..(page * per_page).min(items)).collect();
        if counted {
            MockResponse::json(json!({"tickets": tickets, "total_pages": items.div_ceil(per_page)}))
        } else {
            MockResponse::json(json!(tickets))
        }
    })
    .await
}

fn pages_sent(server: &MockServer) -> Vec<u64> {
    let mut pages: Vec<u64> =
        server.requests().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
    pages.sort_unstable();
    pages
}

/// Every item until the first error, and the error.
async fn until_error<P: Paginated + Send + 'static>(
    paginator: paginated::Paginator<P>,
) -> (Vec<P::Item>, paginated::Error) {
    let mut items = paginator.items();
    let mut got = Vec::new();
    loop {
        match items.try_next().await {
            Ok(Some(item)) => got.push(item),
            Ok(None) => panic!("the walk ended without an error"),
            Err(err) => return (got, err),
        }
    }
}

#[tokio::test]
async fn max_page_ends_the_walk_before_the_refused_page() {
    let server = numbered_pages(40, 5, false).await;
    let (tickets, err) =
        until_error(reqwest::Client::new().get(server.url("/api/v2/tickets")).paginate::<Tickets>()).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert!(!err.to_string().contains("resume"), "{err}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // A list that ends on page 5 ends normally: the limit only speaks when there may be more.
    let server = numbered_pages(9, 5, false).await;
    let mut items = reqwest::Client::new().get(server.url("/api/v2/tickets")).paginate::<Tickets>().items();
    let mut tickets = Vec::new();
    while let Some(ticket) = items.try_next().await.unwrap() {
        tickets.push(ticket);
    }
    assert_eq!((tickets.len(), items.stop_reason()), (9, Some(StopReason::ShortPage)));
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // A request that starts past the limit is not sent at all.
    let server = numbered_pages(40, 5, false).await;
    let err = reqwest::Client::new()
        .get(server.url("/api/v2/tickets?page=6"))
        .paginate::<Tickets>()
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn fan_out_and_speculation_never_send_a_page_past_max_page() {
    // The server reports 20 pages; the plan stops at page 5.
    let server = numbered_pages(40, 5, true).await;
    let walk = reqwest::Client::new().get(server.url("/t")).paginate::<CountedTickets>().concurrency(4);
    let (tickets, err) = until_error(walk).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 5, next_page: 6 }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);

    // No end known: speculation runs ahead, but not past the limit.
    let server = numbered_pages(40, 5, false).await;
    let walk =
        reqwest::Client::new().get(server.url("/t")).paginate::<Tickets>().concurrency(4).speculative(true);
    let (tickets, err) = until_error(walk).await;
    assert_eq!(tickets, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxPage { .. }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);
}

/// Page numbers with `max_offset`: the largest 0-based start offset of a page.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 2, max_offset = 8)]
struct OffsetLimitedPages {
    #[paginate(items)]
    tickets: Vec<u64>,
}

/// Offsets with `max_offset`: the largest offset sent.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 2,
    max_offset = 8
)]
struct OffsetLimited {
    #[paginate(items)]
    data: Vec<u64>,
}

#[tokio::test]
async fn max_offset_is_the_largest_start_offset_for_both_styles() {
    // Page 5 starts at offset 8: sent. Page 6 would start at 10: refused.
    let server = numbered_pages(40, 100, false).await;
    let (items, err) =
        until_error(reqwest::Client::new().get(server.url("/t")).paginate::<OffsetLimitedPages>()).await;
    assert_eq!(items.len(), 10);
    assert!(matches!(err.kind(), ErrorKind::MaxOffset { max_offset: 8, next_offset: 10 }), "{err:?}");
    assert_eq!(pages_sent(&server), [1, 2, 3, 4, 5]);
    // The checkpoint names the refused page, in the page walk's own terms.
    assert_eq!(err.checkpoint().unwrap().position, paginated::Position::Page(6));

    let server = MockServer::start(|r: &RecordedRequest| {
        let offset: u64 = r.query("offset").unwrap().parse().unwrap();
        MockResponse::json(json!({"data": [offset, offset + 1]}))
    })
    .await;
    let (items, err) =
        until_error(reqwest::Client::new().get(server.url("/t")).paginate::<OffsetLimited>()).await;
    assert_eq!(items, (0..10).collect::<Vec<_>>());
    assert!(matches!(err.kind(), ErrorKind::MaxOffset { max_offset: 8, next_offset: 10 }), "{err:?}");
    let offsets: Vec<String> = server.requests().iter().map(|r| r.query("offset").unwrap()).collect();
    assert_eq!(offsets, ["0", "2", "4", "6", "8"]);
}

/// GitHub-like link walk with a declared page-count limit.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", max_pages = 4)]
struct Repos {
    #[paginate(items)]
    repos: Vec<u64>,
}

/// Ten pages linked by `Link: <...?page=N+1>; rel="next"`.
async fn linked_pages() -> MockServer {
    MockServer::start(|r: &RecordedRequest| {
        let page: u64 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let host = r.header("host").unwrap().to_owned();
        let response = MockResponse::json(json!([page * 10, page * 10 + 1]));
        if page < 10 {
            response.with_header("link", format!("<http://{host}/repos?page={}>; rel=\"next\"", page + 1))
        } else {
            response
        }
    })
    .await
}

#[tokio::test]
async fn max_pages_limits_link_walks_declared_or_at_run_time() {
    let server = linked_pages().await;
    let mut items = reqwest::Client::new().get(server.url("/repos")).paginate::<Repos>().items();
    let mut repos = Vec::new();
    while let Some(repo) = items.try_next().await.unwrap() {
        repos.push(repo);
    }
    assert_eq!(repos, [10, 11, 20, 21, 30, 31, 40, 41]);
    assert_eq!(items.stop_reason(), Some(StopReason::MaxPages));
    assert_eq!(server.requests().len(), 4, "no request past the 4th page, lookahead included");

    // `.max_pages(n)` overrides the declaration, both ways.
    for (limit, expected) in [(2, 2), (6, 6)] {
        let server = linked_pages().await;
        let repos = reqwest::Client::new()
            .get(server.url("/repos"))
            .paginate::<Repos>()
            .max_pages(limit)
            .lookahead(3)
            .collect()
            .await
            .unwrap();
        assert_eq!(repos.len(), 2 * expected);
        assert_eq!(server.requests().len(), expected);
    }
}

// ---- 3. Cursors that expire ----

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Task {
    gid: String,
}

#[derive(Debug, Deserialize)]
struct NextPage {
    offset: String,
}

/// Asana `GET /tasks`: `next_page.offset` goes back as `offset`; an expired
/// offset is a 400 whose message names it.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 5)]
#[paginate(cursor_expired_status = 400, cursor_expired_match = "offset")]
struct Tasks {
    #[paginate(items)]
    data: Vec<Task>,
    next_page: Option<NextPage>,
}

/// The same list, with the tasks told apart by `gid`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
#[paginate(page_size_param = "limit", page_size = 5, dedup_by = "gid")]
#[paginate(cursor_expired_status = 400, cursor_expired_match = "offset")]
struct TasksByGid {
    #[paginate(items)]
    data: Vec<Task>,
    next_page: Option<NextPage>,
}

/// An Asana-like list of `n` tasks. `expire(position, times_seen)` says
/// whether an offset token pointing at `position` has expired, given how many
/// expired tokens the server refused before; after the first refusal, with
/// `insert_on_restart`, a new task shows up at the head of the list.
async fn asana(
    n: usize,
    insert_on_restart: bool,
    expire: impl Fn(usize, usize) -> bool + Send + Sync + 'static,
) -> MockServer {
    let refused = std::sync::atomic::AtomicUsize::new(0);
    MockServer::start(move |r: &RecordedRequest| {
        let limit: usize = r.query("limit").map_or(20, |l| l.parse().unwrap());
        let start: usize = match r.query("offset") {
            None => 0,
            Some(token) => token.strip_prefix("eyJvZmZzZXQiOi").unwrap().parse().unwrap(),
        };
        let times = refused.load(std::sync::atomic::Ordering::SeqCst);
        if r.query("offset").is_some() && expire(start, times) {
            refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let message =
                format!("Offset eyJvZmZzZXQiOi{start} is no longer valid. Please restart your request.");
            return MockResponse::status(400, json!({"errors": [{"message": message}]}));
        }
        let mut gids: Vec<String> = (0..n).map(|i| format!("g{i:02}")).collect();
        if insert_on_restart && times > 0 {
            gids.insert(0, "g_new".to_owned());
        }
        let data: Vec<Value> = gids.iter().skip(start).take(limit).map(|gid| json!({"gid": gid})).collect();
        let next = (start + limit < gids.len()).then(|| {
            let offset = format!("eyJvZmZzZXQiOi{}", start + limit);
            json!({"offset": offset, "path": format!("/tasks?limit={limit}&offset={offset}")})
        });
        MockResponse::json(json!({"data": data, "next_page": next}))
    })
    .await
}

/// The start position of each request, from its `offset` token.
fn starts(server: &MockServer) -> Vec<usize> {
    server
        .requests()
        .iter()
        .map(|r| r.query("offset").map_or(0, |t| t.strip_prefix("eyJvZmZzZXQiOi").unwrap().parse().unwrap()))
        .collect()
}

fn gids(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.gid.as_str()).collect()
}

fn all_gids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("g{i:02}")).collect()
}

#[tokio::test]
async fn an_expired_offset_is_its_own_error_not_retried_without_resume_advice() {
    let server = asana(23, false, |start, _| start == 10).await;
    let (tasks, err) =
        until_error(reqwest::Client::new().get(server.url("/tasks?project=1")).paginate::<Tasks>()).await;
    assert_eq!(gids(&tasks), all_gids(10));
    let ErrorKind::CursorExpired { status, message, restarts, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!((status.as_u16(), *restarts), (400, 0));
    assert!(message.contains("no longer valid"), "{message}");
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("expired") && text.contains("on_cursor_expired") && !text.contains("resume"),
        "{text}"
    );
    assert_eq!(starts(&server), [0, 5, 10], "an expired cursor is not sent twice");
}

#[tokio::test]
async fn a_restart_keeps_the_item_stream_exactly_once_by_count() {
    // The offset of the third page expires the first time it is used.
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let tasks = reqwest::Client::new()
        .get(server.url("/tasks?project=1"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 2 })
        .collect()
        .await
        .unwrap();
    assert_eq!(gids(&tasks), all_gids(23));
    // Refused at 10, then the whole walk again from the first request.
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 15, 20]);
    assert!(server.requests().iter().all(|r| r.query("project").as_deref() == Some("1")));

    // The pages stream hands the pages out again, emptied of what was delivered.
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let mut pages = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .pages();
    let mut lengths = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        lengths.push(page.data.len());
    }
    assert_eq!(lengths, [5, 5, 0, 0, 5, 5, 3]);
}

#[tokio::test]
async fn a_restart_tells_delivered_items_by_dedup_key_when_the_list_moved() {
    // On the second pass a new task sits at the head: counting would skip g09.
    let server = asana(23, true, |start, refused| start == 10 && refused == 0).await;
    let tasks = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<TasksByGid>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .collect()
        .await
        .unwrap();
    let mut expected = all_gids(23);
    expected.insert(10, "g_new".to_owned());
    assert_eq!(gids(&tasks), expected);
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 15, 20]);
}

#[tokio::test]
async fn a_cursor_that_keeps_expiring_ends_after_the_restarts_allowed() {
    let server = asana(23, false, |start, _| start == 10).await;
    let walk = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 2 });
    let (tasks, err) = until_error(walk).await;
    assert_eq!(gids(&tasks), all_gids(10), "each item once, whatever the restarts");
    let ErrorKind::CursorExpired { restarts: 2, .. } = err.kind() else { panic!("{err:?}") };
    assert!(err.to_string().contains("started over 2 times"), "{err}");
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10, 0, 5, 10]);

    // An expiry of the first request itself cannot be cured by starting over.
    let server = MockServer::start(|_: &RecordedRequest| {
        MockResponse::status(400, json!({"errors": [{"message": "offset: invalid"}]}))
    })
    .await;
    let err = reqwest::Client::new()
        .get(server.url("/tasks"))
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 5 })
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CursorExpired { restarts: 0, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_checkpoint_taken_while_a_restarted_walk_catches_up_resumes_exactly() {
    let server = asana(23, false, |start, refused| start == 10 && refused == 0).await;
    let request = || reqwest::Client::new().get(server.url("/tasks"));
    let mut items = request()
        .paginate::<Tasks>()
        .on_cursor_expired(paginated::ExpiredCursorPolicy::Restart { max_restarts: 1 })
        .lookahead(0)
        .items();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        tasks.push(items.try_next().await.unwrap().unwrap());
    }
    // The 11th item comes from the restarted walk, after two pages re-sent.
    tasks.push(items.try_next().await.unwrap().unwrap());
    assert_eq!(starts(&server), [0, 5, 10, 0, 5, 10]);
    let checkpoint = items.checkpoint().unwrap();
    assert_eq!((checkpoint.items_delivered, checkpoint.skip_items), (11, 1));
    drop(items);
    let rest = request().paginate::<Tasks>().resume_from(checkpoint).collect().await.unwrap();
    tasks.extend(rest);
    assert_eq!(gids(&tasks), all_gids(23));
}
