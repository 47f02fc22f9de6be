//! The user test kit: scripted pages and request-sequence assertions against
//! a derived declaration, the way a user tests their own client.

use paginated::testing::{MockResponse, MockServer, assert_body_sequence, assert_param_sequence};
use paginated::{PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
struct Meta {
    next_token: Option<String>,
}

/// X (Twitter): `meta.next_token` goes back as `pagination_token`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "meta.next_token",
    cursor_param = "pagination_token",
    page_size_param = "max_results",
    page_size = 10
)]
struct Tweets {
    #[paginate(items)]
    data: Vec<serde_json::Value>,
    meta: Meta,
}

#[tokio::test]
async fn a_users_declaration_checked_with_scripted_pages() {
    let server = MockServer::script(vec![
        MockResponse::json(
            json!({"data": [{"id": "1"}, {"id": "2"}], "meta": {"next_token": "b26v89c19zqg8o3f"}}),
        ),
        MockResponse::json(json!({"data": [{"id": "3"}], "meta": {}})),
    ])
    .await;
    let tweets = reqwest::Client::new()
        .get(server.url("/2/users/12/tweets?exclude=replies"))
        .paginate::<Tweets>()
        .collect()
        .await
        .unwrap();
    assert_eq!(tweets.len(), 3);
    let requests = server.requests();
    assert_param_sequence(&requests, "pagination_token", &[None, Some("b26v89c19zqg8o3f")]);
    assert_param_sequence(&requests, "max_results", &[Some("10"), Some("10")]);
    assert_param_sequence(&requests, "exclude", &[Some("replies"), Some("replies")]);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "next_cursor",
    cursor_body = "start_cursor",
    has_more = "has_more"
)]
struct NotionQuery {
    #[paginate(items)]
    results: Vec<serde_json::Value>,
    next_cursor: Option<String>,
    has_more: bool,
}

#[tokio::test]
async fn body_sequences_are_asserted_the_same_way() {
    let server = MockServer::script(vec![
        MockResponse::json(json!({"results": [1], "next_cursor": "c1", "has_more": true})),
        MockResponse::json(json!({"results": [2], "next_cursor": null, "has_more": false})),
    ])
    .await;
    let filter = json!({"filter": {"property": "Done", "checkbox": {"equals": true}}});
    let rows = reqwest::Client::new()
        .post(server.url("/v1/databases/d/query"))
        .json(&filter)
        .paginate::<NotionQuery>()
        .collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let mut second = filter.clone();
    second["start_cursor"] = json!("c1");
    assert_body_sequence(&server.requests(), &[filter, second]);
}
