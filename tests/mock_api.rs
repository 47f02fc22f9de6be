//! Loopback tests of the embedded mock API itself, walked by hand with
//! reqwest: if these hold, a library test that passes against the mock has
//! exercised the real APIs' pagination rules.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use paginated::testing::{MockApi, MockResponse, MockServer, Resource};
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

/// `url` with `pairs` appended, form-urlencoded once (as a correct client does).
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = Url::parse(url).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.into()
}

async fn get(client: &Client, url: &str) -> (StatusCode, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn post(client: &Client, url: &str, body: &Value) -> (StatusCode, Value) {
    let response = client.post(url).json(body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn ids(records: &Value) -> Vec<String> {
    records.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn dataset_ids(api: &MockApi, resource: Resource) -> Vec<String> {
    api.dataset(resource).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn assert_intercom_error(body: &Value, needle: &str) {
    assert_eq!(body["type"], "error.list", "{body}");
    assert!(body["request_id"].is_string(), "{body}");
    assert_eq!(body["errors"][0]["code"], "parameter_invalid", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
}

fn assert_attio_error(body: &Value, needle: &str) {
    assert_eq!(body["status_code"], 400, "{body}");
    assert_eq!(body["type"], "invalid_request_error", "{body}");
    assert_eq!(body["code"], "validation_type", "{body}");
    assert!(body["message"].as_str().unwrap().contains(needle), "{body}");
}

#[tokio::test]
async fn intercom_contacts_walk_delivers_every_contact_once() {
    let api = MockApi::start().await;
    let client = Client::new();
    let (mut seen, mut pages, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let mut pairs = vec![("per_page", "150")];
        if let Some(cursor) = &cursor {
            pairs.push(("starting_after", cursor));
        }
        let (status, body) = get(&client, &with_query(&api.url("/contacts"), &pairs)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["type"], "list");
        assert_eq!(body["total_count"], 1_000);
        seen.extend(ids(&body["data"]));
        cursor = body["pages"]["next"]["starting_after"].as_str().map(str::to_owned);
        pages.push(body["pages"].clone());
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, dataset_ids(&api, Resource::Contacts));
    assert_eq!(pages.len(), 7);
    assert_eq!(pages[0]["per_page"], json!(150));
    assert_eq!(pages[1]["per_page"], json!("150"));
    assert_eq!(pages[0]["total_pages"], 7);
    assert_eq!(pages[0]["next"]["page"], 2);
    let last = pages.last().unwrap();
    assert_eq!(last["page"], 7);
    assert!(last.get("next").is_none(), "the last page has no next key: {last}");

    let first_cursor = pages[0]["next"]["starting_after"].as_str().unwrap();
    for c in ['+', '/', '=', '\n'] {
        assert!(first_cursor.contains(c), "{first_cursor:?} lacks {c:?}");
    }
    let requests = api.requests();
    assert_eq!(requests.len(), 7);
    assert_eq!(requests[0].query("starting_after"), None);
    assert_eq!(requests[1].query("starting_after").as_deref(), Some(first_cursor));
    assert!(requests[1].raw_query.as_deref().unwrap().contains("%2B"), "+ is sent encoded once");
}

#[tokio::test]
async fn intercom_rejects_bad_page_sizes_and_tampered_cursors() {
    let api = MockApi::start().await;
    let client = Client::new();
    for per_page in ["151", "0", "-1", "ten"] {
        let (status, body) =
            get(&client, &with_query(&api.url("/contacts"), &[("per_page", per_page)])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "per_page={per_page}");
        assert_intercom_error(&body, "per_page");
    }

    let (_, first) = get(&client, &api.url("/contacts?per_page=5")).await;
    let cursor = first["pages"]["next"]["starting_after"].as_str().unwrap().to_owned();
    // Omitting per_page keeps the cursor's page size, as in seed 000's follow-up request.
    let (status, second) =
        get(&client, &with_query(&api.url("/contacts"), &[("starting_after", &cursor)])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&second["data"]), ["cont_0006", "cont_0007", "cont_0008", "cont_0009", "cont_0010"]);
    assert_eq!(second["pages"]["page"], 2);

    let double_encoded =
        with_query(&api.url("/contacts"), &[("starting_after", &cursor)]).replace('%', "%25");
    let raw_plus = format!("{}?starting_after={}", api.url("/contacts"), cursor.replace('\n', "%0A"));
    let truncated = with_query(&api.url("/contacts"), &[("starting_after", cursor.trim_end())]);
    let empty = api.url("/contacts?starting_after=");
    for url in [double_encoded, raw_plus, truncated, empty] {
        let (status, body) = get(&client, &url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert_intercom_error(&body, "starting_after");
    }
}

#[tokio::test]
async fn intercom_search_filters_sorts_and_binds_the_cursor_to_the_body() {
    let api = MockApi::start().await;
    let client = Client::new();
    let url = api.url("/conversations/search");
    let query = json!({
        "operator": "AND",
        "value": [
            { "field": "created_at", "operator": ">", "value": "1693782000" },
            { "field": "state", "operator": "!=", "value": "snoozed" },
        ],
    });
    let mut body = json!({
        "query": query,
        "pagination": { "per_page": 40 },
        "sort": { "field": "created_at", "order": "ascending" },
    });
    let (mut found, mut first_cursor) = (Vec::new(), None);
    let total = loop {
        let (status, page) = post(&client, &url, &body).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["type"], "conversation.list");
        found.extend(page["conversations"].as_array().unwrap().iter().cloned());
        let Some(next) = page["pages"]["next"]["starting_after"].as_str() else {
            break page["total_count"].as_u64().unwrap();
        };
        first_cursor.get_or_insert_with(|| next.to_owned());
        body["pagination"]["starting_after"] = json!(next);
    };
    assert_eq!(found.len() as u64, total);
    assert!(total > 100 && total < 1_000, "the seed filter selects a part: {total}");
    let expected: Vec<&Value> = api
        .dataset(Resource::Conversations)
        .iter()
        .filter(|c| c["created_at"].as_u64().unwrap() > 1_693_782_000 && c["state"] != "snoozed")
        .collect();
    assert_eq!(found.len(), expected.len());
    let created: Vec<u64> = found.iter().map(|c| c["created_at"].as_u64().unwrap()).collect();
    assert!(created.is_sorted(), "ascending by created_at");
    assert_eq!(found.iter().map(|c| &c["id"]).collect::<HashSet<_>>().len(), found.len());

    // The same cursor with any part of the body changed is refused.
    let cursor = first_cursor.unwrap();
    let edits = [
        ("/query/value/0/value", json!("1693782001")),
        ("/sort/order", json!("descending")),
        ("/pagination/per_page", json!(41)),
    ];
    for (pointer, value) in edits {
        let mut changed = body.clone();
        changed["pagination"]["starting_after"] = json!(cursor);
        *changed.pointer_mut(pointer).unwrap() = value;
        let (status, error) = post(&client, &url, &changed).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{pointer}");
        assert_intercom_error(&error, "different query");
    }
    let mut unchanged = body.clone();
    unchanged["pagination"]["starting_after"] = json!(cursor);
    assert_eq!(post(&client, &url, &unchanged).await.0, StatusCode::OK);

    let over = json!({ "pagination": { "per_page": 151 } });
    let (status, error) = post(&client, &url, &over).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_intercom_error(&error, "150");
}

#[tokio::test]
async fn intercom_companies_page_numbers_echo_counts_as_numbers_and_strings() {
    let api = MockApi::builder().records(100).start().await;
    let client = Client::new();
    let (mut seen, mut page) = (Vec::new(), 1);
    loop {
        let (status, body) = get(&client, &api.url(&format!("/companies?page={page}"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        seen.extend(ids(&body["data"]));
        let expected_total = if page % 2 == 1 { json!(7) } else { json!("7") };
        assert_eq!(body["pages"]["total_pages"], expected_total, "page {page}");
        let Some(next) = body["pages"]["next"].as_str() else { break };
        assert!(next.ends_with(&format!("/companies?page={}&per_page=15", page + 1)), "{next}");
        page += 1;
    }
    assert_eq!(page, 7);
    assert_eq!(seen, dataset_ids(&api, Resource::Companies));
    let (_, past_the_end) = get(&client, &api.url("/companies?page=8")).await;
    assert_eq!(past_the_end["data"], json!([]));
    assert_eq!(get(&client, &api.url("/companies?page=0")).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn attio_offset_walks_end_on_a_short_page() {
    let client = Client::new();
    for (records, expected_sizes) in [(120, vec![50, 50, 20]), (100, vec![50, 50, 0])] {
        let api = MockApi::builder().records(records).start().await;
        let (mut sizes, mut seen, mut offset) = (Vec::new(), Vec::new(), 0);
        loop {
            let url = api.url(&format!("/v2/notes?limit=50&offset={offset}"));
            let (status, body) = get(&client, &url).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let page = ids(&body["data"]);
            sizes.push(page.len());
            offset += page.len();
            let short = page.len() < 50;
            seen.extend(page);
            if short {
                break;
            }
        }
        assert_eq!(sizes, expected_sizes);
        assert_eq!(seen, dataset_ids(&api, Resource::Notes));
    }

    let api = MockApi::builder().records(30).start().await;
    let url = api.url("/v2/objects/people/records/query");
    let body = json!({
        "limit": 4,
        "offset": 2,
        "sorts": [{ "attribute": "name", "direction": "desc" }],
        "extra": true,
    });
    let (status, page) = post(&client, &url, &body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(ids(&page["data"]), ["person_0028", "person_0027", "person_0026", "person_0025"]);
    let filtered = json!({ "filter": { "name": "Person 0007" }, "limit": 10, "offset": 0 });
    assert_eq!(ids(&post(&client, &url, &filtered).await.1["data"]), ["person_0007"]);
    let (status, error) = get(&client, &api.url("/v2/notes?limit=-5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_attio_error(&error, "limit");
}

#[tokio::test]
async fn attio_meeting_cursors_require_the_same_limit() {
    let api = MockApi::builder().records(95).start().await;
    let client = Client::new();
    let (mut seen, mut cursor, mut requests) = (Vec::new(), None::<String>, 0);
    loop {
        let mut pairs = vec![("limit", "20")];
        if let Some(cursor) = &cursor {
            pairs.push(("cursor", cursor));
        }
        let (status, body) = get(&client, &with_query(&api.url("/v2/meetings"), &pairs)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        requests += 1;
        seen.extend(ids(&body["data"]));
        assert!(body["pagination"].get("next_cursor").is_some(), "next_cursor is always present");
        match body["pagination"]["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(requests, 5);
    assert_eq!(seen, dataset_ids(&api, Resource::Meetings));

    let (_, first) = get(&client, &api.url("/v2/meetings?limit=20")).await;
    let cursor = first["pagination"]["next_cursor"].as_str().unwrap();
    let changed = with_query(&api.url("/v2/meetings"), &[("limit", "25"), ("cursor", cursor)]);
    let (status, error) = get(&client, &changed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_attio_error(&error, "keep the limit constant");
    let tampered = with_query(&api.url("/v2/meetings"), &[("limit", "20"), ("cursor", &cursor[1..])]);
    assert_eq!(get(&client, &tampered).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn close_leads_page_with_has_more_and_enforce_the_maximums() {
    let api = MockApi::builder().records(250).close_max_skip(100).start().await;
    let client = Client::new();
    let mut seen = Vec::new();
    // _skip=100 is the maximum itself, so it is still allowed.
    for skip in [0, 50, 100] {
        let url = api.url(&format!("/api/v1/lead/?_skip={skip}&_limit=50&query=name%3Afoo"));
        let (status, body) = get(&client, &url).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["has_more"], true);
        seen.extend(ids(&body["data"]));
    }
    assert_eq!(seen, dataset_ids(&api, Resource::Leads)[..150]);

    let (status, error) = get(&client, &api.url("/api/v1/lead/?_skip=150&_limit=50")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error["error"],
        "The skip you set is larger than the maximum skip for this resource (max_skip = 100)."
    );
    let (status, error) = get(&client, &api.url("/api/v1/lead/?_limit=101")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"].as_str().unwrap().contains("maximum limit"), "{error}");

    // The last page before the end reports has_more false.
    let small = MockApi::builder().records(60).start().await;
    let (_, last) = get(&client, &small.url("/api/v1/lead/?_skip=50&_limit=10")).await;
    assert_eq!((ids(&last["data"]).len(), &last["has_more"]), (10, &json!(false)));
}

#[tokio::test]
async fn close_leads_order_by_date_created_with_ties_and_range_filters() {
    let api = MockApi::start().await;
    let client = Client::new();
    let url = api.url("/api/v1/lead/?_order_by=date_created&_limit=100");
    let (_, body) = get(&client, &url).await;
    let dates: Vec<&str> =
        body["data"].as_array().unwrap().iter().map(|l| l["date_created"].as_str().unwrap()).collect();
    assert!(dates.is_sorted());
    assert_eq!(dates[0], dates[4], "five leads share each date_created");
    assert_ne!(dates[4], dates[5]);

    let from = dates[7];
    let filtered = with_query(
        &api.url("/api/v1/lead/"),
        &[("_order_by", "date_created"), ("_limit", "100"), ("date_created__gte", from)],
    );
    let (status, page) = get(&client, &filtered).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"][0]["date_created"], dates[5], "gte keeps the whole tie group");
    let (status, _) = get(&client, &api.url("/api/v1/lead/?date_created__gte=yesterday")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn close_cursor_routes_walk_to_a_null_cursor() {
    let api = MockApi::builder().records(130).start().await;
    let client = Client::new();
    let (mut seen, mut cursor) = (Vec::new(), String::new());
    loop {
        let pairs = [("_cursor", cursor.as_str()), ("_limit", "50"), ("object_type", "lead")];
        let (status, body) = get(&client, &with_query(&api.url("/api/v1/event/"), &pairs)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["cursor_previous"].is_null(), cursor.is_empty());
        seen.extend(ids(&body["data"]));
        match body["cursor_next"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, dataset_ids(&api, Resource::Events));
    let (_, first) = get(&client, &api.url("/api/v1/event/?_cursor=&_limit=50")).await;
    let next = first["cursor_next"].as_str().unwrap();
    let other_filter = with_query(&api.url("/api/v1/event/"), &[("_cursor", next), ("action", "created")]);
    assert_eq!(get(&client, &other_filter).await.0, StatusCode::BAD_REQUEST);

    let url = api.url("/api/v1/data/search/");
    let mut body =
        json!({ "query": { "type": "object_type", "object_type": "lead" }, "_limit": 100, "cursor": null });
    let mut leads = Vec::new();
    loop {
        let (status, page) = post(&client, &url, &body).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"][0]["__object_type"], "lead");
        leads.extend(ids(&page["data"]));
        if page["cursor"].is_null() {
            break;
        }
        body["cursor"] = page["cursor"].clone();
    }
    assert_eq!(leads, dataset_ids(&api, Resource::Leads));
    // The last cursor sent is still valid, but not for another query.
    body["query"]["object_type"] = json!("contact");
    let (status, error) = post(&client, &url, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"].is_string());
}

#[tokio::test]
async fn requests_are_recorded_in_order_with_query_and_headers() {
    let api = MockApi::start().await;
    let client = Client::new();
    client
        .get(api.url("/v2/notes?limit=2&offset=4&tag=a&tag=b%20c"))
        .header("Authorization", "Bearer secret-token")
        .send()
        .await
        .unwrap();
    client
        .post(api.url("/api/v1/data/search/"))
        .basic_auth("api_key", Some(""))
        .json(&json!({ "query": {}, "_limit": 5 }))
        .send()
        .await
        .unwrap();
    let (status, _) = get(&client, &api.url("/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let requests = api.take_requests();
    let paths: Vec<(&str, &str)> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(paths, [("GET", "/v2/notes"), ("POST", "/api/v1/data/search/"), ("GET", "/nowhere")]);
    let notes = &requests[0];
    assert_eq!(notes.raw_query.as_deref(), Some("limit=2&offset=4&tag=a&tag=b%20c"));
    assert_eq!(notes.query("offset").as_deref(), Some("4"));
    assert_eq!(notes.query_all("tag"), ["a", "b c"]);
    assert_eq!(notes.header("AUTHORIZATION"), Some("Bearer secret-token"));
    assert!(requests[1].header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(requests[1].json().unwrap()["_limit"], 5);
    assert!(api.requests().is_empty(), "take_requests empties the journal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_survives_panics_delays_and_stops_when_dropped() {
    let server = MockServer::start(|request| match request.path.as_str() {
        "/panic" => panic!("boom"),
        "/slow" => MockResponse::text(200, "late").with_delay(Duration::from_millis(200)),
        _ => MockResponse::json(json!({ "ok": true })).with_header("x-mock", "1"),
    })
    .await;
    let client = Client::new();
    let response = client.get(server.url("panic")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.text().await.unwrap().contains("boom"));

    let started = Instant::now();
    let (slow, fast) =
        tokio::join!(client.get(server.url("/slow")).send(), client.get(server.url("/")).send());
    assert_eq!(fast.unwrap().headers()["x-mock"], "1");
    assert_eq!(slow.unwrap().text().await.unwrap(), "late");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(server.requests().len(), 3);

    let url = server.url("/");
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fresh = Client::new();
    assert!(fresh.get(url).timeout(Duration::from_secs(2)).send().await.is_err());
}
