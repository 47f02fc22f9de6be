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
