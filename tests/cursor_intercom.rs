//! Intercom's cursor pagination (seeds 000 and 001) end to end against the
//! embedded mock API: list endpoints (cursor in the query string) and search
//! endpoints (cursor in the JSON body), asserting what the server received.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use paginated::de::Lenient;
use paginated::testing::MockApi;
use paginated::{PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
struct Contact {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Pages {
    next: Option<Next>,
    per_page: Lenient<u32>,
    total_pages: Lenient<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_param = "starting_after",
    page_size_param = "per_page",
    page_size = 50,
    max_page_size = 150
)]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
    pages: Pages,
    total_count: u64,
}

#[derive(Debug, Deserialize)]
struct Conversation {
    id: String,
    created_at: i64,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after",
    page_size_body = "pagination.per_page",
    max_page_size = 150
)]
struct ConversationSearch {
    #[paginate(items)]
    conversations: Vec<Conversation>,
    pages: Pages,
    total_count: u64,
}

#[tokio::test]
async fn list_replays_the_request_and_changes_only_the_cursor() {
    let api = MockApi::start().await;
    let client = reqwest::Client::new();
    let request = client
        .get(api.url("/contacts?email_domain=example.com"))
        .bearer_auth("secret-token")
        .header("Intercom-Version", "2.10");

    let mut pages = request.paginate::<Contacts>().pages();
    let mut cursors = Vec::new();
    let mut ids = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        assert_eq!(*page.pages.per_page, 50);
        assert!(*page.pages.total_pages >= 1);
        ids.extend(page.data.iter().map(|c| c.id.clone()));
        cursors.push(page.pages.next.and_then(|n| n.starting_after));
        assert!(page.total_count >= ids.len() as u64);
    }
    let requests = api.requests();
    assert_eq!(requests.len(), cursors.len());
    assert_eq!(requests.len(), 20, "1,000 contacts at 50 per page");
    for (i, r) in requests.iter().enumerate() {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/contacts");
        assert_eq!(r.header("authorization"), Some("Bearer secret-token"));
        assert_eq!(r.header("intercom-version"), Some("2.10"));
        assert_eq!(r.query_all("email_domain"), ["example.com"]);
        assert_eq!(r.query_all("per_page"), ["50"]);
        let expected: Vec<String> = if i == 0 { vec![] } else { vec![cursors[i - 1].clone().unwrap()] };
        assert_eq!(r.query_all("starting_after"), expected, "request {i}");
    }
    assert_eq!(cursors.last().unwrap(), &None, "the last page has no next");
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (1000, 1000));
}

#[tokio::test]
async fn special_cursors_arrive_byte_identical() {
    // The mock's cursors contain `+`, `/`, `=` and newlines and it answers 400
    // to a cursor it did not issue: a walk to the end proves single encoding.
    let api = MockApi::start().await;
    let items = reqwest::Client::new()
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .page_size(150)
        .collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1000);
    let requests = api.requests();
    assert_eq!(requests.len(), 7);
    let cursor = requests[1].query("starting_after").unwrap();
    assert!(cursor.contains('+') && cursor.contains('/') && cursor.contains('=') && cursor.contains('\n'));
    let raw = requests[1].raw_query.clone().unwrap();
    assert!(raw.contains("%2B") && raw.contains("%2F") && raw.contains("%0A"), "{raw}");
}

#[tokio::test]
async fn search_replays_the_body_and_changes_only_the_cursor() {
    let api = MockApi::start().await;
    let body = json!({
        "query": {"operator": "AND", "value": [{"field": "created_at", "operator": ">", "value": 0}]},
        "pagination": {"per_page": 40},
        "sort": {"field": "created_at", "order": "ascending"}
    });
    let request =
        reqwest::Client::new().post(api.url("/conversations/search")).bearer_auth("secret-token").json(&body);
    let mut pages = request.paginate::<ConversationSearch>().pages();
    let mut cursors = vec![None];
    let mut items = Vec::new();
    while let Some(mut page) = pages.try_next().await.unwrap() {
        assert!(page.total_count > 0);
        cursors.push(page.pages.next.as_ref().and_then(|n| n.starting_after.clone()));
        items.append(&mut page.conversations);
    }
    let requests = api.requests();
    assert!(requests.len() > 2);
    for (i, r) in requests.iter().enumerate() {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("authorization"), Some("Bearer secret-token"));
        let mut expected = body.clone();
        if let Some(c) = &cursors[i] {
            expected["pagination"]["starting_after"] = Value::from(c.clone());
        }
        assert_eq!(r.json().unwrap(), expected, "request {i}");
    }
    assert!(items.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    let unique: HashSet<_> = items.iter().map(|c| &c.id).collect();
    assert_eq!(unique.len(), items.len());
}

#[tokio::test]
async fn search_creates_the_pagination_object_when_missing() {
    let api = MockApi::start().await;
    let body = json!({"query": {"field": "state", "operator": "=", "value": "open"}});
    let items = reqwest::Client::new()
        .post(api.url("/conversations/search"))
        .json(&body)
        .paginate::<ConversationSearch>()
        .page_size(25)
        .collect()
        .await
        .unwrap();
    let requests = api.requests();
    assert_eq!(requests[0].json().unwrap(), json!({"query": body["query"], "pagination": {"per_page": 25}}));
    assert_eq!(requests[1].json().unwrap()["query"], body["query"]);
    assert!(!items.is_empty());
    assert_eq!(requests.len(), items.len().div_ceil(25));
}

#[tokio::test]
async fn page_size_over_the_maximum_fails_before_any_request() {
    let api = MockApi::start().await;
    let err = reqwest::Client::new()
        .get(api.url("/contacts"))
        .paginate::<Contacts>()
        .page_size(151)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), paginated::ErrorKind::Config(_)), "{err:?}");
    assert!(err.to_string().contains("max_page_size = 150"), "{err}");
    assert!(err.checkpoint().is_none());
    assert!(api.requests().is_empty());
}

#[tokio::test]
async fn intercom_rejects_per_page_over_150_and_the_error_says_so() {
    // A declaration without max_page_size lets the request through; the
    // server's 400 comes back with Intercom's own message.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "pages.next.starting_after",
        cursor_param = "starting_after",
        page_size_param = "per_page",
        page_size = 500
    )]
    struct Unchecked {
        #[paginate(items)]
        data: Vec<Contact>,
        pages: Pages,
    }
    let api = MockApi::start().await;
    let err =
        reqwest::Client::new().get(api.url("/contacts")).paginate::<Unchecked>().collect().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.page(), Some(1));
    let paginated::ErrorKind::Status { message, .. } = err.kind() else { panic!("{err:?}") };
    assert!(message.as_deref().is_some_and(|m| m.contains("150")), "{err}");
    assert_eq!(api.requests().len(), 1);
}

#[tokio::test]
async fn max_items_and_max_pages_stop_cleanly() {
    let api = MockApi::start().await;
    let client = reqwest::Client::new();
    let items =
        client.get(api.url("/contacts")).paginate::<Contacts>().max_items(120).collect().await.unwrap();
    assert_eq!(items.len(), 120);
    assert_eq!(api.take_requests().len(), 3, "no request after the limit");

    let mut pages = client.get(api.url("/contacts")).paginate::<Contacts>().max_pages(2).pages();
    let mut n = 0;
    while pages.try_next().await.unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 2);
    assert_eq!(pages.stop_reason(), Some(paginated::StopReason::MaxPages));
    assert_eq!(api.take_requests().len(), 2);
}
