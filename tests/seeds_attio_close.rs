//! Every Attio (seed 002) and Close (seed 003) scheme, declared by attributes
//! alone, against the embedded mock API: the exact request sequence and
//! exactly-once delivery.

use std::collections::HashSet;

use paginated::testing::{MockApi, RecordedRequest, Resource};
use paginated::{ErrorKind, PaginateExt, Paginated, Position, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize, PartialEq)]
struct Record {
    id: String,
}

fn ids(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

fn expected_ids(api: &MockApi, resource: Resource) -> Vec<String> {
    api.dataset(resource).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn queries(requests: &[RecordedRequest], name: &str) -> Vec<Option<String>> {
    requests.iter().map(|r| r.query(name)).collect()
}

fn assert_unique(records: &[Record]) {
    let unique: HashSet<_> = records.iter().map(|r| &r.id).collect();
    assert_eq!(unique.len(), records.len(), "an item was delivered twice");
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 50,
    stop_on_short_page
)]
struct AttioNotes {
    #[paginate(items)]
    data: Vec<Record>,
}

#[tokio::test]
async fn attio_get_offset_ends_on_the_short_page() {
    let api = MockApi::builder().records(122).start().await;
    let notes = reqwest::Client::new()
        .get(api.url("/v2/notes?parent_object=people"))
        .bearer_auth("k")
        .paginate::<AttioNotes>()
        .collect()
        .await
        .unwrap();
    assert_eq!(ids(&notes), expected_ids(&api, Resource::Notes));
    let requests = api.requests();
    // The seed's own example: 122 records, limit 50 → offsets 0, 50, 100 and stop.
    assert_eq!(queries(&requests, "offset"), [Some("0".into()), Some("50".into()), Some("100".into())]);
    assert!(requests.iter().all(|r| r.query_all("limit") == ["50"]
        && r.query_all("parent_object") == ["people"]
        && r.header("authorization") == Some("Bearer k")));
}

#[tokio::test]
async fn attio_exact_multiple_ends_on_the_empty_page() {
    let api = MockApi::builder().records(100).start().await;
    let notes =
        reqwest::Client::new().get(api.url("/v2/notes")).paginate::<AttioNotes>().collect().await.unwrap();
    assert_eq!(notes.len(), 100);
    assert_eq!(queries(&api.requests(), "offset"), [Some("0".into()), Some("50".into()), Some("100".into())]);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_body = "offset",
    page_size_body = "limit",
    page_size = 40,
    stop_on_short_page
)]
struct AttioPeople {
    #[paginate(items)]
    data: Vec<Record>,
}

#[tokio::test]
async fn attio_post_offset_in_the_body_keeps_the_other_fields() {
    let api = MockApi::builder().records(130).start().await;
    let body =
        json!({"filter": {"name": {"$contains": "a"}}, "sorts": [{"attribute": "name", "direction": "asc"}]});
    let people = reqwest::Client::new()
        .post(api.url("/v2/objects/people/records/query"))
        .json(&body)
        .paginate::<AttioPeople>()
        .collect()
        .await
        .unwrap();
    assert_unique(&people);
    let requests = api.requests();
    let expected_pages = people.len() / 40 + 1;
    assert_eq!(requests.len(), expected_pages);
    for (i, r) in requests.iter().enumerate() {
        let mut expected = body.clone();
        expected["limit"] = json!(40);
        expected["offset"] = json!(i * 40);
        assert_eq!(r.json().unwrap(), expected, "request {i}");
    }
}

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
    data: Vec<Record>,
    pagination: AttioPagination,
}

#[tokio::test]
async fn attio_cursor_keeps_limit_and_filters_constant() {
    let api = MockApi::builder().records(95).start().await;
    let meetings = reqwest::Client::new()
        .get(api.url("/v2/meetings?participants=a%40example.com"))
        .paginate::<AttioMeetings>()
        .collect()
        .await
        .unwrap();
    assert_eq!(ids(&meetings), expected_ids(&api, Resource::Meetings));
    let requests = api.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0].query("cursor"), None);
    assert!(requests[1..].iter().all(|r| r.query("cursor").is_some()));
    assert!(
        requests
            .iter()
            .all(|r| r.query_all("limit") == ["30"] && r.query_all("participants") == ["a@example.com"])
    );
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 100,
    has_more = "has_more"
)]
struct CloseLeads {
    #[paginate(items)]
    data: Vec<Record>,
    has_more: bool,
}

#[tokio::test]
async fn close_skip_limit_ends_on_has_more_false() {
    let api = MockApi::builder().records(250).start().await;
    let leads = reqwest::Client::new()
        .get(api.url("/api/v1/lead/?query=name%3Aacme"))
        .paginate::<CloseLeads>()
        .collect()
        .await
        .unwrap();
    assert_eq!(ids(&leads), expected_ids(&api, Resource::Leads));
    let requests = api.requests();
    assert_eq!(queries(&requests, "_skip"), [Some("0".into()), Some("100".into()), Some("200".into())]);
    assert!(
        requests.iter().all(|r| r.query_all("_limit") == ["100"] && r.query_all("query") == ["name:acme"])
    );
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 25,
    has_more = "has_more",
    max_offset = 100
)]
struct CloseLeadsCapped {
    #[paginate(items)]
    data: Vec<Record>,
    has_more: bool,
}

#[tokio::test]
async fn close_max_skip_is_never_exceeded_and_the_error_says_where_it_stopped() {
    let api = MockApi::builder().records(300).close_max_skip(100).start().await;
    let mut items =
        reqwest::Client::new().get(api.url("/api/v1/lead/")).paginate::<CloseLeadsCapped>().items();
    let mut got = Vec::new();
    let err = loop {
        match futures_util::StreamExt::next(&mut items).await.unwrap() {
            Ok(r) => got.push(r),
            Err(e) => break e,
        }
    };
    assert_eq!(got.len(), 125, "offsets 0, 25, 50, 75 and 100 were fetched");
    let skips: Vec<u64> = api.requests().iter().map(|r| r.query("_skip").unwrap().parse().unwrap()).collect();
    assert_eq!(skips, [0, 25, 50, 75, 100]);
    let ErrorKind::MaxOffset { max_offset, next_offset } = err.kind() else { panic!("{err:?}") };
    assert_eq!((*max_offset, *next_offset), (100, 125));
    assert_eq!(err.checkpoint().unwrap().position, Position::Offset(125));
    assert_eq!(err.checkpoint().unwrap().items_delivered, 125);
    assert!(err.to_string().contains("maximum offset 100"), "{err}");
}

#[tokio::test]
async fn close_over_maximum_skip_from_the_server_is_reported_with_its_message() {
    // Without a declared max_offset the server's own 400 ends the walk.
    let api = MockApi::builder().records(300).close_max_skip(100).start().await;
    let err = reqwest::Client::new()
        .get(api.url("/api/v1/lead/"))
        .paginate::<CloseLeads>()
        .page_size(60)
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let ErrorKind::Status { message, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(
        message.as_deref(),
        Some("The skip you set is larger than the maximum skip for this resource (max_skip = 100).")
    );
    assert_eq!(err.checkpoint().unwrap().position, Position::Offset(120));
}

#[tokio::test]
async fn close_over_maximum_limit_is_a_400_with_the_servers_message() {
    let api = MockApi::start().await;
    let err = reqwest::Client::new()
        .get(api.url("/api/v1/lead/"))
        .paginate::<CloseLeads>()
        .page_size(500)
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.page(), Some(1));
    let ErrorKind::Status { message, .. } = err.kind() else { panic!("{err:?}") };
    assert!(message.as_deref().is_some_and(|m| m.contains("100")), "{err}");
    assert_eq!(api.requests().len(), 1);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "cursor_next",
    cursor_param = "_cursor",
    page_size_param = "_limit",
    page_size = 40
)]
struct CloseEvents {
    #[paginate(items)]
    data: Vec<Record>,
    cursor_next: Option<String>,
}

#[tokio::test]
async fn close_events_cursor_resends_filters_and_limit() {
    let api = MockApi::builder().records(130).start().await;
    let events = reqwest::Client::new()
        .get(api.url("/api/v1/event/?object_type=lead&action=created"))
        .paginate::<CloseEvents>()
        .collect()
        .await
        .unwrap();
    assert_eq!(ids(&events), expected_ids(&api, Resource::Events));
    let requests = api.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.query_all("_limit") == ["40"]
        && r.query_all("object_type") == ["lead"]
        && r.query_all("action") == ["created"]));
    assert_eq!(requests[0].query("_cursor"), None);
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "cursor",
    cursor_body = "cursor",
    page_size_body = "_limit",
    page_size = 70
)]
struct CloseDataSearch {
    #[paginate(items)]
    data: Vec<Record>,
    cursor: Option<String>,
}

#[tokio::test]
async fn close_advanced_filtering_cursor_goes_in_the_body() {
    let api = MockApi::builder().records(200).start().await;
    let query = json!({"type": "and", "queries": [{"type": "object_type", "object_type": "lead"}]});
    let leads = reqwest::Client::new()
        .post(api.url("/api/v1/data/search/"))
        .json(&json!({"query": query, "results_limit": null}))
        .paginate::<CloseDataSearch>()
        .collect()
        .await
        .unwrap();
    assert_unique(&leads);
    assert_eq!(leads.len(), 200);
    let requests = api.requests();
    assert_eq!(requests.len(), 3);
    for (i, r) in requests.iter().enumerate() {
        let body = r.json().unwrap();
        assert_eq!(body["query"], query);
        assert_eq!(body["_limit"], json!(70));
        assert_eq!(body["results_limit"], Value::Null);
        assert_eq!(body.get("cursor").is_some(), i > 0, "request {i}");
    }
}

#[derive(Debug, Deserialize)]
struct IntercomPages {
    total_pages: paginated::de::Lenient<u64>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    page_size_param = "per_page",
    page_size = 15,
    total_pages = "pages.total_pages"
)]
struct IntercomCompanies {
    #[paginate(items)]
    data: Vec<Record>,
    pages: IntercomPages,
}

#[tokio::test]
async fn page_numbers_stop_at_total_pages_sent_as_a_string_or_a_number() {
    let api = MockApi::builder().records(100).start().await;
    let mut pages = reqwest::Client::new().get(api.url("/companies")).paginate::<IntercomCompanies>().pages();
    let mut got = Vec::new();
    while let Some(page) = futures_util::TryStreamExt::try_next(&mut pages).await.unwrap() {
        assert_eq!(*page.pages.total_pages, 7);
        got.extend(page.data);
    }
    assert_eq!(pages.stop_reason(), Some(StopReason::TotalPagesReached));
    assert_eq!(ids(&got), expected_ids(&api, Resource::Companies));
    // With the page count known after page 1, pages 2..=7 go out concurrently:
    // every page exactly once, none past the end, in any arrival order.
    let mut numbers: Vec<u32> =
        api.requests().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=7).collect::<Vec<_>>());
}
