//! Cookbook, `style = "cursor"`: APIs that hand back a token for the next page.
//! Each module declares one API exactly as `docs/cookbook.md` shows it (the
//! text between `// cookbook:` and `// end cookbook` is copied there) and walks
//! a small loopback fake of that API's pagination: the exact requests, every
//! item once and in order, the end.
#![allow(dead_code)] // The declarations carry realistic fields that the tests do not all read.
#![allow(clippy::wildcard_imports)] // Every API module takes the shared helpers with `use super::*`.

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{PaginateExt, Paginated, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

mod common;
#[allow(unused_imports)] // each API module takes what it needs through `use super::*`
use common::cookbook::{bodies, error, origin, param, raw_queries, walk};

mod hubspot {
    use super::*;

    // cookbook: hubspot
    #[derive(Debug, Deserialize)]
    struct Properties {
        email: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Contact {
        id: String,
        properties: Properties,
    }

    #[derive(Debug, Deserialize)]
    struct Next {
        after: String,
        link: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Paging {
        next: Option<Next>,
    }

    /// `GET /crm/v3/objects/contacts`: the next cursor is `paging.next.after`; the
    /// last page has no `paging`.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "paging.next.after", cursor_param = "after")]
    #[paginate(page_size_param = "limit", page_size = 100, max_page_size = 100)]
    struct Contacts {
        #[paginate(items)]
        results: Vec<Contact>,
        paging: Option<Paging>,
    }

    /// The same list from a server whose `after` is already percent-encoded
    /// (`"NTI1Cg%3D%3D"` for `NTI1Cg==`): `cursor_encoded` puts it in the query as it is.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "paging.next.after", cursor_param = "after", cursor_encoded)]
    #[paginate(page_size_param = "limit", page_size = 100, max_page_size = 100)]
    struct ContactsPreEncoded {
        #[paginate(items)]
        results: Vec<Contact>,
        paging: Option<Paging>,
    }

    /// `POST /crm/v3/objects/contacts/search`: the same `paging.next.after`, sent
    /// back in the JSON body next to the filters; `total` counts the matches.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "paging.next.after", cursor_body = "after")]
    #[paginate(page_size_body = "limit", page_size = 200, max_page_size = 200, total = "total")]
    struct ContactSearch {
        total: u64,
        #[paginate(items)]
        results: Vec<Contact>,
        paging: Option<Paging>,
    }
    // end cookbook

    fn contact(n: usize) -> Value {
        json!({"id": format!("{}", 151 + n), "properties": {"email": format!("c{n}@example.com")},
               "createdAt": "2024-01-05T10:00:00Z", "archived": false})
    }

    /// Five contacts. The cursor for position `p` is `NTI<p>Cg%3D%3D`: with
    /// `pre_encoded` it is the percent-encoded form of the token `NTI<p>Cg==`,
    /// otherwise an opaque token in which `%` is just a character.
    async fn list(pre_encoded: bool) -> MockServer {
        MockServer::start(move |r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer pat-na1-secret") {
                return MockResponse::status(
                    401,
                    json!({"status": "error", "category": "INVALID_AUTHENTICATION"}),
                );
            }
            if r.query("properties").as_deref() != Some("email") {
                return MockResponse::status(400, json!({"status": "error", "message": "properties lost"}));
            }
            let limit: usize = r.query("limit").map_or(10, |v| v.parse().unwrap());
            let start = match r.query("after") {
                None => 0,
                Some(after) => {
                    let token =
                        if pre_encoded { after.strip_suffix("Cg==") } else { after.strip_suffix("Cg%3D%3D") };
                    match token.and_then(|t| t.strip_prefix("NTI")).and_then(|p| p.parse().ok()) {
                        Some(position) => position,
                        None => {
                            return MockResponse::status(
                                400,
                                json!({"status": "error", "message": format!("bad after {after:?}")}),
                            );
                        }
                    }
                }
            };
            let results: Vec<Value> = (start..5).take(limit).map(contact).collect();
            let mut body = json!({ "results": results });
            if start + limit < 5 {
                let after = format!("NTI{}Cg%3D%3D", start + limit);
                let link = format!(
                    "{}/crm/v3/objects/contacts?properties=email&limit={limit}&after={after}",
                    origin(r)
                );
                body["paging"] = json!({"next": {"after": after, "link": link}});
            }
            MockResponse::json(body)
        })
        .await
    }

    fn request(server: &MockServer) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .get(server.url("/crm/v3/objects/contacts?properties=email"))
            .bearer_auth("pat-na1-secret")
    }

    #[tokio::test]
    async fn a_cursor_with_percent_signs_is_encoded_exactly_once() {
        let server = list(false).await;
        let (contacts, end) = walk(request(&server).paginate::<Contacts>().page_size(2)).await;

        assert_eq!(
            contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["151", "152", "153", "154", "155"]
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        // The server gets back the very bytes it sent.
        assert_eq!(
            param(&requests, "after"),
            [None, Some("NTI2Cg%3D%3D".into()), Some("NTI4Cg%3D%3D".into())]
        );
        assert_eq!(
            raw_queries(&requests),
            [
                "properties=email&limit=2",
                "properties=email&limit=2&after=NTI2Cg%253D%253D",
                "properties=email&limit=2&after=NTI4Cg%253D%253D"
            ]
        );
    }

    #[tokio::test]
    async fn a_pre_encoded_cursor_goes_in_as_it_is() {
        let server = list(true).await;
        let (contacts, end) = walk(request(&server).paginate::<ContactsPreEncoded>().page_size(2)).await;

        assert_eq!(
            contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["151", "152", "153", "154", "155"]
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(param(&requests, "after"), [None, Some("NTI2Cg==".into()), Some("NTI4Cg==".into())]);
        assert_eq!(
            raw_queries(&requests),
            [
                "properties=email&limit=2",
                "properties=email&limit=2&after=NTI2Cg%3D%3D",
                "properties=email&limit=2&after=NTI4Cg%3D%3D"
            ]
        );
    }

    #[tokio::test]
    async fn search_sends_after_in_the_body() {
        let server = MockServer::start(|r: &RecordedRequest| {
            let body = r.json().unwrap();
            if body["filterGroups"][0]["filters"][0]["value"] != "example.com" {
                return MockResponse::status(400, json!({"status": "error", "message": "filters lost"}));
            }
            let limit = usize::try_from(body["limit"].as_u64().unwrap_or(10)).unwrap();
            let start: usize = body["after"].as_str().map_or(0, |a| a.parse().unwrap());
            let results: Vec<Value> = (start..5).take(limit).map(contact).collect();
            let mut page = json!({"total": 5, "results": results});
            if start + limit < 5 {
                page["paging"] = json!({"next": {"after": format!("{}", start + limit)}});
            }
            MockResponse::json(page)
        })
        .await;
        let query = json!({
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "example.com"}]}],
            "properties": ["email"],
            "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}]
        });
        let request = reqwest::Client::new().post(server.url("/crm/v3/objects/contacts/search")).json(&query);
        let (contacts, end) = walk(request.paginate::<ContactSearch>().page_size(2)).await;

        assert_eq!(contacts.len(), 5);
        // The last page has no `paging`, and the total is reached on it too.
        assert_eq!(end, Some(StopReason::TotalReached));
        let sent = bodies(&server.requests());
        assert_eq!(
            sent.iter().map(|b| b["after"].clone()).collect::<Vec<_>>(),
            [Value::Null, json!("2"), json!("4")]
        );
        assert!(sent.iter().all(|b| b["limit"] == 2
            && b["filterGroups"] == query["filterGroups"]
            && b["sorts"] == query["sorts"]));
    }
}

mod stripe {
    use super::*;

    // cookbook: stripe
    #[derive(Debug, Deserialize)]
    struct Customer {
        id: String,
        email: Option<String>,
        created: i64,
    }

    /// `GET /v1/customers`: `starting_after` is the `id` of the last object of the
    /// page; `has_more: false` marks the last page.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_item_field = "id",
        cursor_param = "starting_after",
        has_more = "has_more"
    )]
    #[paginate(page_size_param = "limit", page_size = 100, max_page_size = 100)]
    struct CustomerList {
        #[paginate(items)]
        data: Vec<Customer>,
        has_more: bool,
        url: String,
    }
    // end cookbook

    const IDS: [&str; 5] = [
        "cus_NffrFeUfNV2Hib",
        "cus_NffrFeUfNV2Hic",
        "cus_NffrFeUfNV2Hid",
        "cus_NffrFeUfNV2Hie",
        "cus_NffrFeUfNV2Hif",
    ];

    #[tokio::test]
    async fn starting_after_the_last_id_until_has_more_is_false() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if !r.header("authorization").is_some_and(|a| a.starts_with("Basic ")) {
                return MockResponse::status(401, json!({"error": {"type": "invalid_request_error"}}));
            }
            if r.query("created[gte]").as_deref() != Some("1680000000") {
                return MockResponse::status(400, json!({"error": {"message": "filter lost"}}));
            }
            let limit: usize = r.query("limit").map_or(10, |v| v.parse().unwrap());
            let start = r.query("starting_after").map_or(0, |id| IDS.iter().position(|c| *c == id).unwrap() + 1);
            let data: Vec<Value> = IDS[start..]
                .iter()
                .take(limit)
                .map(|id| json!({"id": id, "object": "customer", "email": null, "created": 1_680_893_993}))
                .collect();
            MockResponse::json(json!({"object": "list", "url": "/v1/customers", "has_more": start + limit < IDS.len(), "data": data}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/v1/customers?created[gte]=1680000000"))
            .basic_auth("sk_test_4eC39HqLyjWDarjtT1zdp7dc", None::<&str>)
            .header("stripe-version", "2024-06-20");
        let (customers, end) = walk(request.paginate::<CustomerList>().page_size(2)).await;

        assert_eq!(customers.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), IDS);
        assert_eq!(end, Some(StopReason::NoMore));
        let requests = server.requests();
        assert_eq!(param(&requests, "starting_after"), [None, Some(IDS[1].into()), Some(IDS[3].into())]);
        assert_eq!(raw_queries(&requests)[0], "created[gte]=1680000000&limit=2");
        assert!(requests.iter().all(|r| r.header("stripe-version") == Some("2024-06-20")));
    }
}

mod slack {
    use super::*;

    // cookbook: slack
    #[derive(Debug, Deserialize)]
    struct Channel {
        id: String,
        name: String,
    }

    #[derive(Debug, Deserialize)]
    struct ResponseMetadata {
        next_cursor: Option<String>,
    }

    /// `GET /api/conversations.list`: `response_metadata.next_cursor` is the next
    /// cursor and `""` on the last page. Pages may be short, even empty, before the end.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "response_metadata.next_cursor", cursor_param = "cursor")]
    #[paginate(page_size_param = "limit", page_size = 200, max_page_size = 1000)]
    struct Conversations {
        ok: bool,
        #[paginate(items)]
        channels: Vec<Channel>,
        response_metadata: Option<ResponseMetadata>,
    }
    // end cookbook

    #[tokio::test]
    async fn next_cursor_until_it_is_empty() {
        // Base64 cursors, `=` padding included; a short and an empty page mid-stream.
        let pages: [(&[&str], &str); 4] = [
            (&["general", "random"], "dGVhbTpDMDYxRkE1UEI="),
            (&["dev"], "dGVhbTpDMDYxRkE1UEM="),
            (&[], "dGVhbTpDMDYxRkE1UEQ="),
            (&["ops", "sales"], ""),
        ];
        let server = MockServer::start(move |r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer xoxb-secret") {
                return MockResponse::json(json!({"ok": false, "error": "not_authed"}));
            }
            if r.query("types").as_deref() != Some("public_channel,private_channel")
                || r.query("limit").as_deref() != Some("2")
            {
                return MockResponse::json(json!({"ok": false, "error": "invalid_arguments"}));
            }
            let page = match r.query("cursor") {
                None => 0,
                Some(cursor) => match pages.iter().position(|(_, next)| *next == cursor) {
                    Some(before) => before + 1,
                    None => return MockResponse::json(json!({"ok": false, "error": "invalid_cursor"})),
                },
            };
            let (names, next) = pages[page];
            let channels: Vec<Value> = names
                .iter()
                .map(|name| json!({"id": format!("C0{}", name.to_uppercase()), "name": name}))
                .collect();
            MockResponse::json(
                json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": next}}),
            )
        })
        .await;
        let request =
            reqwest::Client::new()
                .get(server.url(
                    "/api/conversations.list?types=public_channel,private_channel&exclude_archived=true",
                ))
                .bearer_auth("xoxb-secret");
        let (channels, end) = walk(request.paginate::<Conversations>().page_size(2)).await;

        assert_eq!(
            channels.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["general", "random", "dev", "ops", "sales"]
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "cursor"),
            [
                None,
                Some("dGVhbTpDMDYxRkE1UEI=".into()),
                Some("dGVhbTpDMDYxRkE1UEM=".into()),
                Some("dGVhbTpDMDYxRkE1UEQ=".into())
            ]
        );
        assert_eq!(
            raw_queries(&requests)[1],
            "types=public_channel,private_channel&exclude_archived=true&limit=2&cursor=dGVhbTpDMDYxRkE1UEI%3D"
        );
    }
}

mod notion {
    use super::*;

    // cookbook: notion
    #[derive(Debug, Deserialize)]
    struct Page {
        id: String,
        url: String,
    }

    /// `POST /v1/databases/{id}/query`: `start_cursor` and `page_size` go in the
    /// JSON body, next to the filter; `has_more: false` and `next_cursor: null` end it.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "next_cursor",
        cursor_body = "start_cursor",
        has_more = "has_more"
    )]
    #[paginate(page_size_body = "page_size", page_size = 100, max_page_size = 100)]
    struct QueryResults {
        #[paginate(items)]
        results: Vec<Page>,
        next_cursor: Option<String>,
        has_more: bool,
    }
    // end cookbook

    fn id(n: usize) -> String {
        format!("59833787-2cf9-4fdf-8782-e53db20768a{n}")
    }

    #[tokio::test]
    async fn start_cursor_in_the_body() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.header("notion-version") != Some("2022-06-28") {
                return MockResponse::status(400, json!({"object": "error", "code": "missing_version"}));
            }
            let body = r.json().unwrap();
            if body["filter"]["property"] != "Status" {
                return MockResponse::status(400, json!({"object": "error", "code": "validation_error"}));
            }
            let size = usize::try_from(body["page_size"].as_u64().unwrap_or(100)).unwrap();
            let start = body["start_cursor"].as_str().map_or(0, |c| (0..5).position(|n| id(n) == c).unwrap());
            let results: Vec<Value> = (start..5)
                .take(size)
                .map(|n| json!({"object": "page", "id": id(n), "url": format!("https://www.notion.so/Task-{n}")}))
                .collect();
            let next = (start + size < 5).then(|| id(start + size));
            MockResponse::json(json!({"object": "list", "results": results, "next_cursor": next,
                                      "has_more": next.is_some(), "type": "page_or_database", "page_or_database": {}}))
        })
        .await;
        let query = json!({
            "filter": {"property": "Status", "status": {"equals": "Done"}},
            "sorts": [{"timestamp": "created_time", "direction": "ascending"}]
        });
        let request = reqwest::Client::new()
            .post(server.url("/v1/databases/d9824bdc84454327be8b5b47500af6ce/query"))
            .bearer_auth("secret_notion")
            .header("notion-version", "2022-06-28")
            .json(&query);
        let (pages, end) = walk(request.paginate::<QueryResults>().page_size(2)).await;

        assert_eq!(
            pages.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            (0..5).map(id).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoMore));
        let sent = bodies(&server.requests());
        assert_eq!(
            sent.iter().map(|b| b.get("start_cursor").cloned()).collect::<Vec<_>>(),
            [None, Some(json!(id(2))), Some(json!(id(4)))]
        );
        assert!(
            sent.iter().all(|b| b["page_size"] == 2
                && b["filter"] == query["filter"]
                && b["sorts"] == query["sorts"])
        );
    }
}

mod zendesk {
    use super::*;

    // cookbook: zendesk
    #[derive(Debug, Deserialize)]
    struct User {
        id: u64,
        name: String,
        role: String,
    }

    #[derive(Debug, Deserialize)]
    struct Meta {
        has_more: bool,
        after_cursor: Option<String>,
        before_cursor: Option<String>,
    }

    /// `GET /api/v2/users.json?page[size]=N`: `meta.after_cursor` goes back as
    /// `page[after]`; `meta.has_more: false` is the end (the cursor may still be set).
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "meta.after_cursor",
        cursor_param = "page[after]",
        has_more = "meta.has_more"
    )]
    #[paginate(page_size_param = "page[size]", page_size = 100, max_page_size = 100)]
    struct Users {
        #[paginate(items)]
        users: Vec<User>,
        meta: Meta,
    }
    // end cookbook

    #[tokio::test]
    async fn page_after_until_has_more_is_false() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("role").as_deref() != Some("agent") {
                return MockResponse::status(400, json!({"error": "InvalidParameter"}));
            }
            let size: usize = r.query("page[size]").map_or(100, |v| v.parse().unwrap());
            let start: usize = r.query("page[after]").map_or(0, |c| c.trim_start_matches("eyJvIjoibmljZV9pZCIsInYiOiJhUk").parse().unwrap());
            let users: Vec<Value> =
                (start..5).take(size).map(|n| json!({"id": 35_436 + n, "name": format!("Agent {n}"), "role": "agent"})).collect();
            let after = format!("eyJvIjoibmljZV9pZCIsInYiOiJhUk{}", start + size);
            let next = format!("{}/api/v2/users.json?page%5Bafter%5D={after}&page%5Bsize%5D={size}&role=agent", origin(r));
            // As Zendesk, the last page still has an `after_cursor` and a next link.
            MockResponse::json(json!({
                "users": users,
                "meta": {"has_more": start + size < 5, "after_cursor": after, "before_cursor": "eyJvIjoibmljZV9pZCIsInYiOiJhUkF"},
                "links": {"next": next, "prev": null}
            }))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/api/v2/users.json?role=agent"))
            .basic_auth("admin@example.com/token", Some("secret"));
        let (users, end) = walk(request.paginate::<Users>().page_size(2)).await;

        assert_eq!(users.iter().map(|u| u.id).collect::<Vec<_>>(), [35_436, 35_437, 35_438, 35_439, 35_440]);
        assert_eq!(end, Some(StopReason::NoMore));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "page[after]"),
            [
                None,
                Some("eyJvIjoibmljZV9pZCIsInYiOiJhUk2".into()),
                Some("eyJvIjoibmljZV9pZCIsInYiOiJhUk4".into())
            ]
        );
        assert!(requests.iter().all(|r| r.query("page[size]").as_deref() == Some("2")));
        // Safe name characters are sent as they are, as Zendesk documents them.
        assert_eq!(raw_queries(&requests)[0], "role=agent&page[size]=2");
    }
}

mod google {
    use super::*;

    // cookbook: google
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct File {
        id: String,
        name: String,
        mime_type: String,
    }

    /// Google APIs (here Drive `files.list`): `nextPageToken` goes back as
    /// `pageToken`. Pages may be short or empty (an empty repeated field is
    /// omitted) before the end; only the missing token ends the walk.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(style = "cursor", cursor_field = "next_page_token", cursor_param = "pageToken")]
    #[paginate(page_size_param = "pageSize", page_size = 1000, max_page_size = 1000)]
    struct FileList {
        #[paginate(items)]
        #[serde(default)]
        files: Vec<File>,
        next_page_token: Option<String>,
    }
    // end cookbook

    #[tokio::test]
    async fn short_and_empty_pages_do_not_end_the_walk() {
        // 3 (full), 1 (short), 0 (empty, `files` omitted), 2, 1 (last, no token).
        let pages: [(std::ops::Range<usize>, Option<&str>); 5] = [
            (0..3, Some("~!!~AI9FV7QkZ3A")),
            (3..4, Some("~!!~AI9FV7Q+/=B")),
            (4..4, Some("~!!~AI9FV7QkZ3C")),
            (4..6, Some("~!!~AI9FV7QkZ3D")),
            (6..7, None),
        ];
        let server = MockServer::start(move |r: &RecordedRequest| {
            if r.query("q").as_deref() != Some("mimeType='application/pdf'") || r.query("pageSize").as_deref() != Some("3") {
                return MockResponse::status(400, json!({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}));
            }
            let page = match r.query("pageToken") {
                None => 0,
                Some(token) => pages.iter().position(|(_, next)| *next == Some(token.as_str())).unwrap() + 1,
            };
            let (range, next) = pages[page].clone();
            let mut body = json!({"kind": "drive#fileList", "incompleteSearch": false});
            if !range.is_empty() {
                body["files"] = range
                    .map(|n| json!({"kind": "drive#file", "id": format!("1a2b{n}"), "name": format!("report-{n}.pdf"), "mimeType": "application/pdf"}))
                    .collect();
            }
            if let Some(next) = next {
                body["nextPageToken"] = json!(next);
            }
            MockResponse::json(body)
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/drive/v3/files?q=mimeType%3D%27application%2Fpdf%27"))
            .bearer_auth("ya29.secret");
        let (files, end) = walk(request.paginate::<FileList>().page_size(3)).await;

        assert_eq!(
            files.iter().map(|f| f.id.clone()).collect::<Vec<_>>(),
            (0..7).map(|n| format!("1a2b{n}")).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "pageToken"),
            [
                None,
                Some("~!!~AI9FV7QkZ3A".into()),
                Some("~!!~AI9FV7Q+/=B".into()),
                Some("~!!~AI9FV7QkZ3C".into()),
                Some("~!!~AI9FV7QkZ3D".into())
            ]
        );
    }
}

mod jira_tokens {
    use super::*;

    // cookbook: jira_tokens
    #[derive(Debug, Deserialize)]
    struct Fields {
        summary: String,
    }

    #[derive(Debug, Deserialize)]
    struct Issue {
        id: String,
        key: String,
        fields: Fields,
    }

    /// Jira Cloud `GET /rest/api/3/search/jql`: `nextPageToken` goes back as the
    /// parameter of the same name; the last page has none.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(style = "cursor", cursor_field = "next_page_token", cursor_param = "nextPageToken")]
    #[paginate(page_size_param = "maxResults", page_size = 100, max_page_size = 5000)]
    struct SearchResults {
        #[paginate(items)]
        issues: Vec<Issue>,
        next_page_token: Option<String>,
        is_last: Option<bool>,
    }
    // end cookbook

    #[tokio::test]
    async fn next_page_token_until_it_is_absent() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("jql").as_deref() != Some("project = EX ORDER BY created") || r.query("fields").as_deref() != Some("summary") {
                return MockResponse::status(400, json!({"errorMessages": ["jql or fields lost"]}));
            }
            let size: usize = r.query("maxResults").map_or(50, |v| v.parse().unwrap());
            let start: usize = r.query("nextPageToken").map_or(0, |t| t.trim_start_matches("CAEaAggD").parse().unwrap());
            let issues: Vec<Value> = (start..5)
                .take(size)
                .map(|n| json!({"id": format!("{}", 10_001 + n), "key": format!("EX-{}", n + 1), "fields": {"summary": format!("Task {n}")}}))
                .collect();
            let mut body = json!({"issues": issues, "isLast": start + size >= 5});
            if start + size < 5 {
                body["nextPageToken"] = json!(format!("CAEaAggD{}", start + size));
            }
            MockResponse::json(body)
        })
        .await;
        let request =
            reqwest::Client::new()
                .get(server.url(
                    "/rest/api/3/search/jql?jql=project%20%3D%20EX%20ORDER%20BY%20created&fields=summary",
                ))
                .basic_auth("me@example.com", Some("api-token"));
        let (issues, end) = walk(request.paginate::<SearchResults>().page_size(2)).await;

        assert_eq!(
            issues.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
            ["EX-1", "EX-2", "EX-3", "EX-4", "EX-5"]
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "nextPageToken"),
            [None, Some("CAEaAggD2".into()), Some("CAEaAggD4".into())]
        );
        assert!(requests.iter().all(|r| r.query("maxResults").as_deref() == Some("2")));
    }
}

mod x_twitter {
    use super::*;

    // cookbook: x_twitter
    #[derive(Debug, Deserialize)]
    struct Tweet {
        id: String,
        text: String,
    }

    #[derive(Debug, Deserialize)]
    struct Meta {
        result_count: u32,
        next_token: Option<String>,
    }

    /// X API v2 `GET /2/users/{id}/tweets`: `meta.next_token` goes back as
    /// `pagination_token`; `data` is omitted when a page has no results.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "meta.next_token", cursor_param = "pagination_token")]
    #[paginate(page_size_param = "max_results", page_size = 100, max_page_size = 100)]
    struct Timeline {
        #[paginate(items)]
        #[serde(default)]
        data: Vec<Tweet>,
        meta: Meta,
    }
    // end cookbook

    #[tokio::test]
    async fn next_token_into_pagination_token() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("tweet.fields").as_deref() != Some("created_at") {
                return MockResponse::status(400, json!({"title": "Invalid Request"}));
            }
            let size: usize = r.query("max_results").map_or(10, |v| v.parse().unwrap());
            let start: usize =
                r.query("pagination_token").map_or(0, |t| t.trim_start_matches("7140dibdnow9c7btw3w29").parse().unwrap());
            let data: Vec<Value> = (start..12)
                .take(size)
                .map(|n| json!({"id": format!("14603237370356776{n:02}"), "text": format!("tweet {n}"), "created_at": "2024-01-01T00:00:00.000Z"}))
                .collect();
            let mut meta = json!({"result_count": data.len(), "newest_id": "x", "oldest_id": "y"});
            if start + size < 12 {
                meta["next_token"] = json!(format!("7140dibdnow9c7btw3w29{}", start + size));
            }
            MockResponse::json(json!({"data": data, "meta": meta}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/2/users/2244994945/tweets?tweet.fields=created_at"))
            .bearer_auth("AAAAAAAAAAAAAAAAAAAAA");
        let (tweets, end) = walk(request.paginate::<Timeline>().page_size(5)).await;

        assert_eq!(
            tweets.iter().map(|t| t.text.clone()).collect::<Vec<_>>(),
            (0..12).map(|n| format!("tweet {n}")).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "pagination_token"),
            [None, Some("7140dibdnow9c7btw3w295".into()), Some("7140dibdnow9c7btw3w2910".into())]
        );
        assert_eq!(raw_queries(&requests)[0], "tweet.fields=created_at&max_results=5");
    }
}

mod airtable {
    use super::*;

    // cookbook: airtable
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Record {
        id: String,
        created_time: String,
        fields: serde_json::Map<String, serde_json::Value>,
    }

    /// `GET /v0/{baseId}/{table}`: the `offset` token (it contains a `/`) goes back
    /// as the `offset` parameter; the last page has none. A cursor, despite its name.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "offset", cursor_param = "offset")]
    #[paginate(page_size_param = "pageSize", page_size = 100, max_page_size = 100)]
    struct Records {
        #[paginate(items)]
        records: Vec<Record>,
        offset: Option<String>,
    }
    // end cookbook

    fn id(n: usize) -> String {
        format!("rec560UJdUtocSou{n}")
    }

    #[tokio::test]
    async fn offset_token_with_a_slash_is_encoded_once() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("view").as_deref() != Some("Grid view") || r.query("filterByFormula").as_deref() != Some("{Status}='Open'") {
                return MockResponse::status(422, json!({"error": {"type": "INVALID_REQUEST_UNKNOWN"}}));
            }
            let size: usize = r.query("pageSize").map_or(100, |v| v.parse().unwrap());
            let start = match r.query("offset") {
                None => 0,
                Some(offset) => match offset.strip_prefix("itrx7Ecb0ZPGU1shQ/") {
                    Some(last) => (0..5).position(|n| id(n) == last).unwrap() + 1,
                    None => return MockResponse::status(422, json!({"error": {"type": "LIST_RECORDS_ITERATOR_NOT_AVAILABLE"}})),
                },
            };
            let records: Vec<Value> = (start..5)
                .take(size)
                .map(|n| json!({"id": id(n), "createdTime": "2022-09-12T21:03:48.000Z", "fields": {"Name": format!("Task {n}"), "Status": "Open"}}))
                .collect();
            let mut body = json!({ "records": records });
            if start + size < 5 {
                body["offset"] = json!(format!("itrx7Ecb0ZPGU1shQ/{}", id(start + size - 1)));
            }
            MockResponse::json(body)
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url(
                "/v0/appLkNDICXNqxSDhG/Tasks?view=Grid%20view&filterByFormula=%7BStatus%7D%3D%27Open%27",
            ))
            .bearer_auth("patXXXXXXXX");
        let (records, end) = walk(request.paginate::<Records>().page_size(2)).await;

        assert_eq!(
            records.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            (0..5).map(id).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "offset"),
            [
                None,
                Some(format!("itrx7Ecb0ZPGU1shQ/{}", id(1))),
                Some(format!("itrx7Ecb0ZPGU1shQ/{}", id(3)))
            ]
        );
        assert_eq!(
            raw_queries(&requests)[1],
            format!(
                "view=Grid%20view&filterByFormula=%7BStatus%7D%3D%27Open%27&pageSize=2&offset=itrx7Ecb0ZPGU1shQ%2F{}",
                id(1)
            )
        );
    }
}

mod graphql {
    use super::*;

    // cookbook: graphql
    #[derive(Debug, Deserialize)]
    struct Issue {
        number: u64,
        title: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct PageInfo {
        end_cursor: Option<String>,
        has_next_page: bool,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct IssueConnection {
        nodes: Vec<Issue>,
        page_info: PageInfo,
    }

    #[derive(Debug, Deserialize)]
    struct Repository {
        issues: IssueConnection,
    }

    #[derive(Debug, Deserialize)]
    struct Data {
        repository: Repository,
    }

    /// GitHub GraphQL, a Relay connection: `pageInfo.endCursor` goes back as the
    /// `$after` variable and `first` is the page size; `hasNextPage: false` ends
    /// the walk even though `endCursor` is still set. Errors come in a 200 as
    /// `{"data": null, "errors": [...]}`; `RATE_LIMITED` is retried.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "data.repository.issues.page_info.end_cursor",
        cursor_body = "variables.after",
        has_more = "data.repository.issues.page_info.has_next_page"
    )]
    #[paginate(items = "data.repository.issues.nodes", item_type = "Issue")]
    #[paginate(page_size_body = "variables.first", page_size = 100, max_page_size = 100)]
    #[paginate(api_error = "errors", rate_limit_field = "errors[].type", rate_limit_error = "RATE_LIMITED")]
    struct IssuesQuery {
        data: Data,
        #[serde(default)]
        errors: Option<Vec<serde_json::Value>>,
    }
    // end cookbook

    const QUERY: &str = "query($owner: String!, $name: String!, $first: Int!, $after: String) { \
        repository(owner: $owner, name: $name) { issues(first: $first, after: $after, states: OPEN) { \
        nodes { number title } pageInfo { endCursor hasNextPage } } } }";

    fn cursor(n: usize) -> String {
        format!("Y3Vyc29yOnYyOpHOAAAB{n}")
    }

    #[tokio::test]
    async fn end_cursor_into_variables_until_has_next_page_is_false() {
        let server = MockServer::start(|r: &RecordedRequest| {
            let body = r.json().unwrap();
            if body["query"] != QUERY || body["variables"]["owner"] != "octocat" {
                return MockResponse::json(
                    json!({"data": null, "errors": [{"message": "query or variables lost"}]}),
                );
            }
            let first = usize::try_from(body["variables"]["first"].as_u64().unwrap()).unwrap();
            let start = body["variables"]["after"]
                .as_str()
                .map_or(0, |a| (0..=5).position(|n| cursor(n) == a).unwrap());
            let end = (start + first).min(5);
            let nodes: Vec<Value> =
                (start..end).map(|n| json!({"number": n + 1, "title": format!("Issue {}", n + 1)})).collect();
            MockResponse::json(json!({"data": {"repository": {"issues": {
                "nodes": nodes,
                "pageInfo": {"endCursor": cursor(end), "hasNextPage": end < 5}
            }}}}))
        })
        .await;
        let request =
            reqwest::Client::new().post(server.url("/graphql")).bearer_auth("ghp_secret").json(&json!({
                "query": QUERY,
                "variables": {"owner": "octocat", "name": "hello-world"}
            }));
        let (issues, end) = walk(request.paginate::<IssuesQuery>().page_size(2)).await;

        assert_eq!(issues.iter().map(|i| i.number).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(end, Some(StopReason::NoMore));
        let sent = bodies(&server.requests());
        assert_eq!(
            sent.iter().map(|b| b["variables"].clone()).collect::<Vec<_>>(),
            [
                json!({"owner": "octocat", "name": "hello-world", "first": 2}),
                json!({"owner": "octocat", "name": "hello-world", "first": 2, "after": cursor(2)}),
                json!({"owner": "octocat", "name": "hello-world", "first": 2, "after": cursor(4)}),
            ]
        );
    }

    #[tokio::test]
    async fn an_error_with_null_data_is_the_apis_message_after_one_request() {
        let server = MockServer::start(|_: &RecordedRequest| {
            MockResponse::json(json!({"data": null, "errors": [
                {"type": "NOT_FOUND", "path": ["repository"], "message": "Could not resolve to a Repository with the name 'octocat/nope'."}
            ]}))
        })
        .await;
        let request = reqwest::Client::new().post(server.url("/graphql")).json(&json!({
            "query": QUERY,
            "variables": {"owner": "octocat", "name": "nope"}
        }));
        let err = request.paginate::<IssuesQuery>().collect().await.unwrap_err();
        let paginated::ErrorKind::Api { message, rate_limited: false } = err.kind() else {
            panic!("{err:?}")
        };
        assert_eq!(message, "Could not resolve to a Repository with the name 'octocat/nope'.");
        assert_eq!(server.requests().len(), 1, "not retried");
    }

    #[tokio::test]
    async fn rate_limited_is_retried_after_the_reset() {
        let reset = std::time::SystemTime::now() + std::time::Duration::from_millis(1500);
        let reset = reset.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let sent = std::sync::atomic::AtomicUsize::new(0);
        let server = MockServer::start(move |_: &RecordedRequest| {
            if sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                return MockResponse::json(json!({"data": null, "errors": [
                    {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}
                ]}))
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-reset", reset.to_string());
            }
            let nodes = [json!({"number": 1, "title": "Issue 1"})];
            MockResponse::json(json!({"data": {"repository": {"issues": {
                "nodes": nodes, "pageInfo": {"endCursor": cursor(1), "hasNextPage": false}
            }}}}))
        })
        .await;
        let request = reqwest::Client::new().post(server.url("/graphql")).json(&json!({
            "query": QUERY,
            "variables": {"owner": "octocat", "name": "hello-world"}
        }));
        let (issues, _) = walk(request.paginate::<IssuesQuery>()).await;
        assert_eq!(issues.len(), 1);
        assert_eq!(server.requests().len(), 2);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!(now >= reset, "the retry waited for the reset");
    }
}

mod elasticsearch {
    use super::*;

    // cookbook: elasticsearch
    #[derive(Debug, Deserialize)]
    struct Hit {
        #[serde(rename = "_id")]
        id: String,
        #[serde(rename = "_source")]
        source: serde_json::Value,
        sort: Vec<serde_json::Value>,
    }

    #[derive(Debug, Deserialize)]
    struct Hits {
        hits: Vec<Hit>,
    }

    /// `POST /{index}/_search` with a `sort`: the last hit's `sort` array goes back
    /// as `search_after` in the body. Pages are full until the last one, so a
    /// short page is the end (without it, the empty page after it is).
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_item_field = "sort",
        cursor_body = "search_after",
        stop_on_short_page
    )]
    #[paginate(
        items = "hits.hits",
        item_type = "Hit",
        page_size_body = "size",
        page_size = 1000,
        max_page_size = 10000
    )]
    struct Search {
        took: u64,
        hits: Hits,
    }
    // end cookbook

    fn sort(n: usize) -> Value {
        json!([1_700_000_000_000_u64 + u64::try_from(n).unwrap() * 1000, format!("ev-{n}")])
    }

    #[tokio::test]
    async fn last_sort_values_into_search_after() {
        let server = MockServer::start(|r: &RecordedRequest| {
            let body = r.json().unwrap();
            if body["query"]["match"]["service"] != "checkout" || body["sort"][0]["@timestamp"] != "asc" {
                return MockResponse::status(400, json!({"error": {"type": "parsing_exception"}, "status": 400}));
            }
            let size = usize::try_from(body["size"].as_u64().unwrap_or(10)).unwrap();
            let start = match body.get("search_after") {
                None => 0,
                Some(after) => (0..5).position(|n| sort(n) == *after).unwrap() + 1,
            };
            let hits: Vec<Value> = (start..5)
                .take(size)
                .map(|n| json!({"_index": "logs-2024.01", "_id": format!("ev-{n}"), "_score": null,
                                "_source": {"service": "checkout", "message": format!("event {n}")}, "sort": sort(n)}))
                .collect();
            MockResponse::json(json!({"took": 3, "timed_out": false, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                                      "hits": {"max_score": null, "hits": hits}}))
        })
        .await;
        let request = reqwest::Client::new().post(server.url("/logs-2024.01/_search")).json(&json!({
            "query": {"match": {"service": "checkout"}},
            "sort": [{"@timestamp": "asc"}, {"event.id": "asc"}],
            "track_total_hits": false
        }));
        let (hits, end) = walk(request.paginate::<Search>().page_size(2)).await;

        assert_eq!(
            hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["ev-0", "ev-1", "ev-2", "ev-3", "ev-4"]
        );
        assert_eq!(end, Some(StopReason::ShortPage));
        let sent = bodies(&server.requests());
        assert_eq!(
            sent.iter().map(|b| b.get("search_after").cloned()).collect::<Vec<_>>(),
            [None, Some(sort(1)), Some(sort(3))]
        );
        assert!(
            sent.iter().all(|b| b["size"] == 2
                && b["track_total_hits"] == false
                && b["sort"][1]["event.id"] == "asc")
        );
    }
}

mod solr {
    use super::*;

    // cookbook: solr
    #[derive(Debug, Deserialize)]
    struct Doc {
        id: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Response {
        num_found: u64,
        docs: Vec<Doc>,
    }

    /// Solr `GET /solr/{core}/select` with `sort` on the unique key: the first
    /// request sends `cursorMark=*`, each next one the previous `nextCursorMark`.
    /// Solr's end is a page whose `nextCursorMark` repeats the one sent; that page
    /// is empty, which is the end declared here.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(
        style = "cursor",
        cursor_field = "next_cursor_mark",
        cursor_param = "cursorMark",
        first_cursor = "*"
    )]
    #[paginate(items = "response.docs", item_type = "Doc", stop_on_empty_page)]
    #[paginate(page_size_param = "rows", page_size = 1000)]
    struct Select {
        response: Response,
        next_cursor_mark: String,
    }
    // end cookbook

    /// Base64 marks, with `+`, `/` and `=` to be encoded once.
    fn mark(n: usize) -> String {
        format!("AoE/cGF{n}+Q==")
    }

    #[tokio::test]
    async fn cursor_mark_star_first_then_next_cursor_mark() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("q").as_deref() != Some("*:*") || r.query("sort").as_deref() != Some("id asc") {
                return MockResponse::status(400, json!({"error": {"msg": "Cursor functionality requires a sort containing a uniqueKey field tie breaker"}}));
            }
            let rows: usize = r.query("rows").map_or(10, |v| v.parse().unwrap());
            let sent = r.query("cursorMark").unwrap_or_default();
            let start = match sent.as_str() {
                "*" => 0,
                other => match (1..=5).find(|n| mark(*n) == other) {
                    Some(n) => n,
                    None => return MockResponse::status(400, json!({"error": {"msg": format!("Unable to parse 'cursorMark' {other:?}")}})),
                },
            };
            let end = (start + rows).min(5);
            let docs: Vec<Value> = (start..end).map(|n| json!({"id": format!("SOLR100{n}")})).collect();
            // No more results: the mark sent comes back.
            let next = if end == start { sent.clone() } else { mark(end) };
            MockResponse::json(json!({"responseHeader": {"status": 0, "QTime": 1},
                                      "response": {"numFound": 5, "start": 0, "docs": docs}, "nextCursorMark": next}))
        })
        .await;
        let request = reqwest::Client::new().get(server.url("/solr/techproducts/select?q=*:*&sort=id+asc"));
        let (docs, end) = walk(request.paginate::<Select>().page_size(2)).await;

        assert_eq!(
            docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["SOLR1000", "SOLR1001", "SOLR1002", "SOLR1003", "SOLR1004"]
        );
        assert_eq!(end, Some(StopReason::EmptyPage));
        let requests = server.requests();
        assert_eq!(
            param(&requests, "cursorMark"),
            [Some("*".into()), Some(mark(2)), Some(mark(4)), Some(mark(5))]
        );
        assert_eq!(
            raw_queries(&requests)[..2],
            [
                "q=*:*&sort=id+asc&rows=2&cursorMark=*",
                "q=*:*&sort=id+asc&rows=2&cursorMark=AoE%2FcGF2%2BQ%3D%3D"
            ]
        );
    }
}

mod close {
    use super::*;

    // cookbook: close
    #[derive(Debug, Deserialize)]
    struct Event {
        id: String,
        object_type: String,
        action: String,
    }

    /// Close `GET /api/v1/event/`: the first request sends an empty `_cursor=`,
    /// each next one the previous `cursor_next`; `null` ends it.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "cursor_next", cursor_param = "_cursor", first_cursor = "")]
    #[paginate(page_size_param = "_limit", page_size = 50, max_page_size = 50)]
    struct Events {
        #[paginate(items)]
        data: Vec<Event>,
        cursor_next: Option<String>,
    }
    // end cookbook

    #[tokio::test]
    async fn empty_cursor_on_the_first_request() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("object_type").as_deref() != Some("lead") || r.query("action").as_deref() != Some("created") {
                return MockResponse::status(400, json!({"error": "filters lost"}));
            }
            let limit: usize = r.query("_limit").map_or(50, |v| v.parse().unwrap());
            let Some(cursor) = r.query("_cursor") else {
                return MockResponse::status(400, json!({"error": "_cursor is required"}));
            };
            let start: usize = if cursor.is_empty() { 0 } else { cursor.trim_start_matches("eyJza2lwIjo").parse().unwrap() };
            let data: Vec<Value> = (start..5)
                .take(limit)
                .map(|n| json!({"id": format!("ev_4Rq2ZTCRGAJ8q{n}"), "object_type": "lead", "action": "created"}))
                .collect();
            let next = (start + limit < 5).then(|| format!("eyJza2lwIjo{}", start + limit));
            MockResponse::json(json!({"data": data, "cursor_next": next, "cursor_previous": null}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/api/v1/event/?object_type=lead&action=created"))
            .basic_auth("api_key", Some(""));
        let (events, end) = walk(request.paginate::<Events>().page_size(2)).await;

        assert_eq!(events.len(), 5);
        assert_eq!(events[4].id, "ev_4Rq2ZTCRGAJ8q4");
        assert_eq!(end, Some(StopReason::NoCursor));
        assert_eq!(
            raw_queries(&server.requests()),
            [
                "object_type=lead&action=created&_limit=2&_cursor=",
                "object_type=lead&action=created&_limit=2&_cursor=eyJza2lwIjo2",
                "object_type=lead&action=created&_limit=2&_cursor=eyJza2lwIjo4"
            ]
        );
    }
}

mod cosmos_db {
    use super::*;

    // cookbook: cosmos_db
    #[derive(Debug, Deserialize)]
    struct Order {
        id: String,
        status: String,
    }

    /// Azure Cosmos DB `POST /dbs/{db}/colls/{coll}/docs` (a query): the
    /// continuation comes in the `x-ms-continuation` response header and goes back
    /// in the request header of the same name; no header, no next page. Pages may
    /// be empty before the end.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_header = "x-ms-continuation",
        cursor_request_header = "x-ms-continuation"
    )]
    #[paginate(page_size_header = "x-ms-max-item-count", page_size = 1000)]
    struct QueryPage {
        #[serde(rename = "Documents")]
        #[paginate(items)]
        documents: Vec<Order>,
        #[serde(rename = "_count")]
        count: u64,
    }
    // end cookbook

    fn continuation(n: usize) -> String {
        format!(
            r#"{{"token":"-RID:~d9RzAJRFKgw{n}AAAAAAAAAA==#RT:1#TRC:{n}","range":{{"min":"","max":"FF"}}}}"#
        )
    }

    #[tokio::test]
    async fn continuation_header_in_and_out() {
        // Pages of 2, 0 and 3 orders.
        let pages: [&[usize]; 3] = [&[0, 1], &[], &[2, 3, 4]];
        let server = MockServer::start(move |r: &RecordedRequest| {
            if r.header("x-ms-documentdb-isquery") != Some("True")
                || r.header("content-type") != Some("application/query+json")
            {
                return MockResponse::status(400, json!({"code": "BadRequest"}));
            }
            if r.json().unwrap()["parameters"][0]["value"] != "shipped"
                || r.header("x-ms-max-item-count") != Some("3")
            {
                return MockResponse::status(
                    400,
                    json!({"code": "BadRequest", "message": "query or page size lost"}),
                );
            }
            let page =
                r.header("x-ms-continuation").map_or(0, |c| (1..3).find(|n| continuation(*n) == c).unwrap());
            let documents: Vec<Value> = pages[page]
                .iter()
                .map(|n| json!({"id": format!("order-{n}"), "status": "shipped"}))
                .collect();
            let count = documents.len();
            let response =
                MockResponse::json(json!({"_rid": "d9RzAJRFKgw=", "Documents": documents, "_count": count}));
            if page + 1 < pages.len() {
                response.with_header("x-ms-continuation", continuation(page + 1))
            } else {
                response
            }
        })
        .await;
        let query = json!({"query": "SELECT * FROM c WHERE c.status = @status", "parameters": [{"name": "@status", "value": "shipped"}]});
        let request = reqwest::Client::new()
            .post(server.url("/dbs/shop/colls/orders/docs"))
            .header("authorization", "type%3Dmaster%26ver%3D1.0%26sig%3Dabc")
            .header("x-ms-version", "2018-12-31")
            .header("x-ms-documentdb-isquery", "True")
            .header("content-type", "application/query+json")
            .body(query.to_string());
        let (orders, end) = walk(request.paginate::<QueryPage>().page_size(3)).await;

        assert_eq!(
            orders.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
            (0..5).map(|n| format!("order-{n}")).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        let requests = server.requests();
        assert_eq!(
            requests.iter().map(|r| r.header("x-ms-continuation").map(str::to_owned)).collect::<Vec<_>>(),
            [None, Some(continuation(1)), Some(continuation(2))]
        );
        assert!(
            requests
                .iter()
                .all(|r| r.json() == Some(query.clone()) && r.header("x-ms-version") == Some("2018-12-31"))
        );
    }
}

mod gitlab {
    use super::*;

    // cookbook: gitlab
    #[derive(Debug, Deserialize)]
    struct Issue {
        iid: u64,
        title: String,
    }

    /// GitLab offset pagination: a bare JSON array; the next page number comes in
    /// the `x-next-page` response header (empty on the last page) and goes back as
    /// `page`. (GitLab also sends a `Link` header: `style = "link"` works as well.)
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "cursor", cursor_header = "x-next-page", cursor_param = "page")]
    #[paginate(page_size_param = "per_page", page_size = 100, max_page_size = 100)]
    struct Issues {
        #[paginate(items)]
        issues: Vec<Issue>,
    }
    // end cookbook

    #[tokio::test]
    async fn next_page_header_into_page() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.header("private-token") != Some("glpat-secret")
                || r.query("state").as_deref() != Some("opened")
            {
                return MockResponse::status(401, json!({"message": "401 Unauthorized"}));
            }
            let per_page: usize = r.query("per_page").map_or(20, |v| v.parse().unwrap());
            let page: usize = r.query("page").map_or(1, |v| v.parse().unwrap());
            let issues: Vec<Value> = (1..=5_usize)
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|n| json!({"iid": n, "title": format!("Issue {n}")}))
                .collect();
            let next = if page * per_page < 5 { (page + 1).to_string() } else { String::new() };
            MockResponse::json(json!(issues))
                .with_header("x-page", page.to_string())
                .with_header("x-per-page", per_page.to_string())
                .with_header("x-next-page", next)
                .with_header("x-total", "5")
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/api/v4/projects/278964/issues?state=opened"))
            .header("private-token", "glpat-secret");
        let (issues, end) = walk(request.paginate::<Issues>().page_size(2)).await;

        assert_eq!(issues.iter().map(|i| i.iid).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(end, Some(StopReason::NoCursor));
        assert_eq!(
            raw_queries(&server.requests()),
            ["state=opened&per_page=2", "state=opened&per_page=2&page=2", "state=opened&per_page=2&page=3"]
        );
    }
}

mod cloudwatch_logs {
    use super::*;

    // cookbook: cloudwatch_logs
    #[derive(Debug, Deserialize)]
    struct OutputLogEvent {
        timestamp: i64,
        message: String,
        #[serde(rename = "ingestionTime")]
        ingestion_time: i64,
    }

    /// CloudWatch Logs `GetLogEvents` (AWS JSON 1.1, `X-Amz-Target:
    /// Logs_20140328.GetLogEvents`): `nextForwardToken` goes back as `nextToken`
    /// in the body, and the end of the stream is the same token coming back.
    /// Throttling is a `400` whose `__type` names the exception.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(style = "cursor", cursor_field = "next_forward_token", cursor_body = "nextToken")]
    #[paginate(stop_on_same_cursor, page_size_body = "limit", page_size = 10000, max_page_size = 10000)]
    #[paginate(
        rate_limit_status = 400,
        rate_limit_field = "__type",
        rate_limit_error = "ThrottlingException"
    )]
    struct LogEvents {
        #[paginate(items)]
        events: Vec<OutputLogEvent>,
        next_forward_token: Option<String>,
        next_backward_token: Option<String>,
    }
    // end cookbook

    fn token(n: usize) -> String {
        format!("f/3848058893810097664902196014097384584924163726553809{n:04}/s")
    }

    #[tokio::test]
    async fn next_token_until_the_same_token_comes_back() {
        let throttled = std::sync::atomic::AtomicBool::new(false);
        let server = MockServer::start(move |r: &RecordedRequest| {
            let body = r.json().unwrap_or_default();
            if r.header("x-amz-target") != Some("Logs_20140328.GetLogEvents") || body["logStreamName"] != "web-1" {
                return MockResponse::status(400, json!({"__type": "InvalidParameterException", "message": "stream lost"}));
            }
            let limit = usize::try_from(body["limit"].as_u64().unwrap()).unwrap();
            let at = body["nextToken"].as_str().map_or(0, |t| (0..10).find(|n| token(*n) == t).unwrap());
            // One throttle on the second page: retried, nothing lost.
            if at == 1 && !throttled.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return MockResponse::status(400, json!({"__type": "ThrottlingException", "message": "Rate exceeded"}));
            }
            let events: Vec<Value> = (at * limit..(at * limit + limit).min(5))
                .map(|n| json!({"timestamp": 1_700_000_000_000_u64 + n as u64, "message": format!("line {n}"), "ingestionTime": 0}))
                .collect();
            let next = if events.is_empty() { at } else { at + 1 };
            MockResponse::json(json!({"events": events, "nextForwardToken": token(next), "nextBackwardToken": "b/0/s"}))
        })
        .await;
        let request = reqwest::Client::new()
            .post(server.url("/"))
            .header("x-amz-target", "Logs_20140328.GetLogEvents")
            .header("content-type", "application/x-amz-json-1.1")
            .json(
                &json!({"logGroupName": "/aws/lambda/app", "logStreamName": "web-1", "startFromHead": true}),
            );
        let retry = paginated::RetryPolicy::default().throttle_backoff(std::time::Duration::from_millis(10));
        let (events, end) = walk(request.paginate::<LogEvents>().page_size(2).retry(retry)).await;

        assert_eq!(
            events.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(),
            ["line 0", "line 1", "line 2", "line 3", "line 4"]
        );
        assert_eq!(end, Some(StopReason::SameCursor));
        let tokens: Vec<Value> = bodies(&server.requests()).iter().map(|b| b["nextToken"].clone()).collect();
        // The throttled request is sent again; the last page hands `token(3)` back.
        assert_eq!(tokens, [Value::Null, json!(token(1)), json!(token(1)), json!(token(2)), json!(token(3))]);
    }
}

mod linear {
    use super::*;

    // cookbook: linear
    #[derive(Debug, Deserialize)]
    struct Issue {
        id: String,
        identifier: String,
        title: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct PageInfo {
        has_next_page: bool,
        end_cursor: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct IssueConnection {
        nodes: Vec<Issue>,
        page_info: PageInfo,
    }

    #[derive(Debug, Deserialize)]
    struct Data {
        issues: IssueConnection,
    }

    /// Linear GraphQL (`POST /graphql`): `pageInfo.endCursor` goes into
    /// `variables.after`, `first` is the page size. Rate limited is a `400` whose
    /// `errors[].extensions.code` is `RATELIMITED`, with the reset in epoch
    /// milliseconds in `X-RateLimit-Requests-Reset`.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "cursor",
        cursor_field = "data.issues.page_info.end_cursor",
        cursor_body = "variables.after"
    )]
    #[paginate(
        has_more = "data.issues.page_info.has_next_page",
        items = "data.issues.nodes",
        item_type = "Issue"
    )]
    #[paginate(
        page_size_body = "variables.first",
        page_size = 250,
        max_page_size = 250,
        api_error = "errors"
    )]
    #[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
    #[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
    #[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
    struct Issues {
        data: Data,
        errors: Option<Vec<Value>>,
    }
    // end cookbook

    const QUERY: &str = "query Issues($first: Int, $after: String) { issues(first: $first, after: $after) { nodes { id identifier title } pageInfo { hasNextPage endCursor } } }";

    #[tokio::test]
    async fn end_cursor_into_variables_and_the_epoch_ms_reset_is_honoured() {
        let reset_at: std::sync::Mutex<Option<std::time::SystemTime>> = std::sync::Mutex::new(None);
        let early = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let seen_early = early.clone();
        let server = MockServer::start(move |r: &RecordedRequest| {
            let body = r.json().unwrap();
            if r.header("authorization") != Some("lin_api_secret") || body["query"] != QUERY {
                return MockResponse::status(400, json!({"errors": [{"message": "query lost", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}));
            }
            let now = std::time::SystemTime::now();
            let mut reset = reset_at.lock().unwrap();
            if reset.is_some_and(|at| now < at) {
                seen_early.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            let first = usize::try_from(body["variables"]["first"].as_u64().unwrap()).unwrap();
            let start = body["variables"]["after"].as_str().map_or(0, |c| c.trim_start_matches("cursor-").parse().unwrap());
            // The quota runs out once, on the second page.
            if start > 0 && reset.is_none() {
                let at = now + std::time::Duration::from_millis(150);
                *reset = Some(at);
                let ms = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
                let error = json!({"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}});
                return MockResponse::status(400, json!({"errors": [error]}))
                    .with_header("x-ratelimit-requests-remaining", "0")
                    .with_header("x-ratelimit-requests-reset", ms.to_string());
            }
            let nodes: Vec<Value> = (start..(start + first).min(5))
                .map(|n| json!({"id": format!("9cfb482a-{n}"), "identifier": format!("ENG-{}", n + 1), "title": format!("Issue {n}")}))
                .collect();
            let more = start + first < 5;
            let info = json!({"hasNextPage": more, "endCursor": format!("cursor-{}", start + nodes.len())});
            MockResponse::json(json!({"data": {"issues": {"nodes": nodes, "pageInfo": info}}}))
                .with_header("x-ratelimit-requests-remaining", "1499")
        })
        .await;
        let request = reqwest::Client::new()
            .post(server.url("/graphql"))
            .header("authorization", "lin_api_secret")
            .json(&json!({"query": QUERY, "variables": {}}));
        let (issues, end) = walk(request.paginate::<Issues>().page_size(2)).await;

        assert_eq!(
            issues.iter().map(|i| i.identifier.as_str()).collect::<Vec<_>>(),
            ["ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5"]
        );
        assert_eq!(end, Some(StopReason::NoMore));
        assert!(
            !early.load(std::sync::atomic::Ordering::SeqCst),
            "a request came before the advertised reset"
        );
        let afters: Vec<Value> =
            bodies(&server.requests()).iter().map(|b| b["variables"]["after"].clone()).collect();
        assert_eq!(afters, [Value::Null, json!("cursor-2"), json!("cursor-2"), json!("cursor-4")]);
    }
}

mod asana {
    use super::*;

    // cookbook: asana
    #[derive(Debug, Deserialize)]
    struct Task {
        gid: String,
        name: String,
    }

    #[derive(Debug, Deserialize)]
    struct NextPage {
        offset: String,
        path: String,
        uri: String,
    }

    /// Asana `GET /api/1.0/tasks`: `next_page.offset` goes back as `offset`; the
    /// last page has `next_page: null`. Offsets expire: an old one is a `400` whose
    /// message names the offset.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "next_page.offset", cursor_param = "offset")]
    #[paginate(page_size_param = "limit", page_size = 100, max_page_size = 100)]
    #[paginate(cursor_expired_status = 400, cursor_expired_match = "offset", dedup_by = "gid")]
    struct Tasks {
        #[paginate(items)]
        data: Vec<Task>,
        next_page: Option<NextPage>,
    }
    // end cookbook

    fn offset(n: usize) -> String {
        format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.{n}")
    }

    #[tokio::test]
    async fn an_expired_offset_starts_the_walk_over_and_nothing_comes_twice() {
        let expired = std::sync::atomic::AtomicBool::new(false);
        let server = MockServer::start(move |r: &RecordedRequest| {
            if r.query("project").as_deref() != Some("1204970418") || r.query("opt_fields").as_deref() != Some("name") {
                return MockResponse::status(400, json!({"errors": [{"message": "project: Missing input"}]}));
            }
            let limit: usize = r.query("limit").map_or(20, |v| v.parse().unwrap());
            let start = r.query("offset").map_or(0, |o| o.rsplit('.').next().unwrap().parse().unwrap());
            // The offset of the third page has expired by the time it is used, once.
            if start == 4 && !expired.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let message = format!("Offset {} is no longer valid. Please restart your request.", offset(4));
                return MockResponse::status(400, json!({"errors": [{"message": message, "help": "https://developers.asana.com/docs/pagination"}]}));
            }
            let data: Vec<Value> = (start..(start + limit).min(7))
                .map(|n| json!({"gid": format!("120497041800{n}"), "name": format!("Task {n}"), "resource_type": "task"}))
                .collect();
            let next = (start + limit < 7).then(|| {
                let o = offset(start + limit);
                json!({"offset": o, "path": format!("/tasks?limit={limit}&offset={o}"), "uri": format!("https://app.asana.com/api/1.0/tasks?limit={limit}&offset={o}")})
            });
            MockResponse::json(json!({"data": data, "next_page": next}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/api/1.0/tasks?project=1204970418&opt_fields=name"))
            .bearer_auth("2/1204/secret");
        let walk_over = paginated::ExpiredCursorPolicy::Restart { max_restarts: 3 };
        let (tasks, end) = walk(request.paginate::<Tasks>().page_size(2).on_cursor_expired(walk_over)).await;

        assert_eq!(
            tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["Task 0", "Task 1", "Task 2", "Task 3", "Task 4", "Task 5", "Task 6"]
        );
        assert_eq!(end, Some(StopReason::NoCursor));
        // Refused at the third page, then from the first request again.
        let offsets: Vec<Option<String>> = param(&server.requests(), "offset");
        let expected: Vec<Option<String>> =
            [None, Some(2), Some(4), None, Some(2), Some(4), Some(6)].iter().map(|n| n.map(offset)).collect();
        assert_eq!(offsets, expected);
    }
}
