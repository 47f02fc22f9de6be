//! Cookbook, `style = "offset"` and `style = "page"`: APIs that take a count
//! of items to skip, or a page number. Each module declares one API exactly as
//! `docs/cookbook.md` shows it (the text between `// cookbook:` and
//! `// end cookbook` is copied there) and walks a small loopback fake of that
//! API's pagination: the exact requests, every item once and in order, the end.
#![allow(dead_code)] // The declarations carry realistic fields that the tests do not all read.
#![allow(clippy::wildcard_imports)] // Every API module takes the shared helpers with `use super::*`.

use futures_util::TryStreamExt;
use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

mod common;
#[allow(unused_imports)] // each API module takes what it needs through `use super::*`
use common::cookbook::{param, walk};

mod jira_offset {
    use super::*;

    // cookbook: jira_offset
    #[derive(Debug, Deserialize)]
    struct Project {
        id: String,
        key: String,
        name: String,
    }

    /// Jira Cloud paginated lists (`PageBean`, here `GET /rest/api/3/project/search`):
    /// `startAt` and `maxResults` in the query; `isLast: true` marks the last page.
    /// The server may return fewer than `maxResults`: the offset advances by what came.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(style = "offset", offset_param = "startAt", page_size_param = "maxResults", page_size = 50)]
    #[paginate(is_last = "is_last", total = "total")]
    struct ProjectPage {
        start_at: u64,
        max_results: u64,
        total: u64,
        is_last: bool,
        #[paginate(items)]
        values: Vec<Project>,
    }
    // end cookbook

    #[tokio::test]
    async fn start_at_advances_by_what_the_server_returned() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("orderBy").as_deref() != Some("key") {
                return MockResponse::status(400, json!({"errorMessages": ["orderBy lost"]}));
            }
            let start: usize = r.query("startAt").map_or(0, |v| v.parse().unwrap());
            // Asked for 3, this server serves at most 2 per page.
            let max: usize = r.query("maxResults").map_or(50, |v| v.parse().unwrap()).min(2);
            let values: Vec<Value> = (start..5)
                .take(max)
                .map(|n| json!({"id": format!("{}", 10_000 + n), "key": format!("P{n}"), "name": format!("Project {n}")}))
                .collect();
            MockResponse::json(json!({"self": "https://example.atlassian.net/rest/api/3/project/search", "maxResults": max,
                                      "startAt": start, "total": 5, "isLast": start + max >= 5, "values": values}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/rest/api/3/project/search?orderBy=key"))
            .basic_auth("me@example.com", Some("api-token"));
        let (projects, end) = walk(request.paginate::<ProjectPage>().page_size(3)).await;

        assert_eq!(
            projects.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
            ["P0", "P1", "P2", "P3", "P4"]
        );
        assert_eq!(end, Some(StopReason::LastPage));
        let requests = server.requests();
        assert_eq!(param(&requests, "startAt"), [Some("0".into()), Some("2".into()), Some("4".into())]);
        assert!(
            requests.iter().all(|r| r.query("maxResults").as_deref() == Some("3")
                && r.query("orderBy").as_deref() == Some("key"))
        );
    }
}

mod mailchimp {
    use super::*;

    // cookbook: mailchimp
    #[derive(Debug, Deserialize)]
    struct Member {
        id: String,
        email_address: String,
        status: String,
    }

    /// Mailchimp Marketing API (`GET /3.0/lists/{list_id}/members`): `offset` and
    /// `count` in the query; `total_items` says when the last page was reached.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "offset",
        offset_param = "offset",
        page_size_param = "count",
        page_size = 1000,
        max_page_size = 1000
    )]
    #[paginate(total = "total_items")]
    struct Members {
        #[paginate(items)]
        members: Vec<Member>,
        list_id: String,
        total_items: u64,
    }
    // end cookbook

    #[tokio::test]
    async fn offset_and_count_until_total_items() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.query("status").as_deref() != Some("subscribed") {
                return MockResponse::status(400, json!({"title": "Invalid Resource", "status": 400}));
            }
            let offset: usize = r.query("offset").map_or(0, |v| v.parse().unwrap());
            let count: usize = r.query("count").map_or(10, |v| v.parse().unwrap());
            let members: Vec<Value> = (offset..5)
                .take(count)
                .map(|n| json!({"id": format!("852aaa9532cb36adfb5e9fef7a4206a{n}"), "email_address": format!("m{n}@example.com"), "status": "subscribed"}))
                .collect();
            MockResponse::json(json!({"members": members, "list_id": "57afe96172", "total_items": 5, "_links": []}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/3.0/lists/57afe96172/members?status=subscribed"))
            .basic_auth("anystring", Some("secret-us6"));
        let (members, end) = walk(request.paginate::<Members>().page_size(2)).await;

        assert_eq!(
            members.iter().map(|m| m.email_address.clone()).collect::<Vec<_>>(),
            (0..5).map(|n| format!("m{n}@example.com")).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::TotalReached));
        let requests = server.requests();
        // Once the total is known the next pages may be fetched concurrently, so they may arrive in any order.
        let mut offsets: Vec<u64> =
            requests.iter().map(|r| r.query("offset").unwrap().parse().unwrap()).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, [0, 2, 4], "no request past the total");
        assert!(requests.iter().all(|r| r.query("count").as_deref() == Some("2")
            && r.query("status").as_deref() == Some("subscribed")));
    }
}

mod pagerduty {
    use super::*;

    // cookbook: pagerduty
    #[derive(Debug, Deserialize)]
    struct Incident {
        id: String,
        incident_number: u64,
        status: String,
    }

    /// PagerDuty REST API v2 classic pagination (`GET /incidents`): `offset` and
    /// `limit` in the query; `more: false` marks the last page. `total` is `null`
    /// unless the request asks `total=true`.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "offset",
        offset_param = "offset",
        page_size_param = "limit",
        page_size = 100,
        max_page_size = 100
    )]
    #[paginate(has_more = "more", total = "total", max_offset = 10000)]
    struct Incidents {
        #[paginate(items)]
        incidents: Vec<Incident>,
        limit: u64,
        offset: u64,
        more: bool,
        total: Option<u64>,
    }
    // end cookbook

    #[tokio::test]
    async fn offset_and_limit_until_more_is_false() {
        let server = MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("Token token=y_NbAkKc66ryYTWUXYEu") {
                return MockResponse::status(401, json!({"error": {"message": "Unauthorized", "code": 2006}}));
            }
            if r.query_all("statuses[]") != ["triggered", "acknowledged"] {
                return MockResponse::status(400, json!({"error": {"message": "statuses lost", "code": 2001}}));
            }
            let offset: usize = r.query("offset").map_or(0, |v| v.parse().unwrap());
            let limit: usize = r.query("limit").map_or(25, |v| v.parse().unwrap());
            let incidents: Vec<Value> = (offset..5)
                .take(limit)
                .map(|n| json!({"id": format!("PT4KHL{n}"), "incident_number": 1000 + n, "status": "triggered"}))
                .collect();
            MockResponse::json(json!({"incidents": incidents, "limit": limit, "offset": offset, "total": null, "more": offset + limit < 5}))
        })
        .await;
        let request = reqwest::Client::new()
            .get(server.url("/incidents?statuses[]=triggered&statuses[]=acknowledged"))
            .header("authorization", "Token token=y_NbAkKc66ryYTWUXYEu")
            .header("accept", "application/vnd.pagerduty+json;version=2");
        let (incidents, end) = walk(request.paginate::<Incidents>().page_size(2)).await;

        assert_eq!(
            incidents.iter().map(|i| i.incident_number).collect::<Vec<_>>(),
            [1000, 1001, 1002, 1003, 1004]
        );
        assert_eq!(end, Some(StopReason::NoMore));
        let requests = server.requests();
        assert_eq!(
            requests.iter().map(|r| r.raw_query.clone().unwrap()).collect::<Vec<_>>(),
            [
                "statuses[]=triggered&statuses[]=acknowledged&limit=2&offset=0",
                "statuses[]=triggered&statuses[]=acknowledged&limit=2&offset=2",
                "statuses[]=triggered&statuses[]=acknowledged&limit=2&offset=4"
            ]
        );
    }
}

mod freshdesk {
    use super::*;

    // cookbook: freshdesk
    #[derive(Debug, Deserialize)]
    struct Ticket {
        id: u64,
        subject: String,
        status: u8,
    }

    /// Freshdesk `GET /api/v2/tickets`: a bare JSON array; `page` from 1 and
    /// `per_page` (at most 100) in the query. A short page is the last one (the
    /// `link` header is only there when a next page is, and may be left out), and
    /// a page past 300 is refused: the walk stops before asking for it.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "page", page_param = "page", page_size_param = "per_page", page_size = 100)]
    #[paginate(max_page_size = 100, max_page = 300, stop_on_short_page)]
    struct Tickets {
        #[paginate(items)]
        tickets: Vec<Ticket>,
    }
    // end cookbook

    /// `n` tickets; `with_link` says whether a `link` header names the next page.
    async fn helpdesk(n: usize, with_link: bool) -> MockServer {
        MockServer::start(move |r: &RecordedRequest| {
            if r.query("updated_since").as_deref() != Some("2024-01-01T00:00:00Z") {
                return MockResponse::status(400, json!({"description": "Validation failed", "errors": [{"field": "updated_since", "code": "missing_field"}]}));
            }
            let page: usize = r.query("page").map_or(1, |v| v.parse().unwrap());
            let per_page: usize = r.query("per_page").map_or(30, |v| v.parse().unwrap());
            if page > 300 {
                let error = json!({"field": "page", "message": "Has 301 which is greater than the max of 300", "code": "invalid_value"});
                return MockResponse::status(400, json!({"description": "Validation failed", "errors": [error]}));
            }
            let tickets: Vec<Value> = ((page - 1) * per_page..(page * per_page).min(n))
                .map(|i| json!({"id": 1000 + i, "subject": format!("Ticket {i}"), "status": 2}))
                .collect();
            let response = MockResponse::json(json!(tickets));
            if with_link && page * per_page < n {
                let host = r.header("host").unwrap();
                let next = format!("<http://{host}/api/v2/tickets?per_page={per_page}&page={}>; rel=\"next\"", page + 1);
                response.with_header("link", next)
            } else {
                response
            }
        })
        .await
    }

    fn request(server: &MockServer) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .get(server.url("/api/v2/tickets?updated_since=2024-01-01T00:00:00Z"))
            .basic_auth("api-key", Some("X"))
    }

    #[tokio::test]
    async fn page_and_per_page_until_a_short_page_with_or_without_link() {
        for with_link in [true, false] {
            let server = helpdesk(7, with_link).await;
            let (tickets, end) = walk(request(&server).paginate::<Tickets>().page_size(3)).await;

            assert_eq!(tickets.iter().map(|t| t.id).collect::<Vec<_>>(), (1000..1007).collect::<Vec<_>>());
            assert_eq!(end, Some(StopReason::ShortPage));
            assert_eq!(
                param(&server.requests(), "page"),
                [Some("1".into()), Some("2".into()), Some("3".into())]
            );
        }
    }

    #[tokio::test]
    async fn page_300_is_the_last_one_asked_for() {
        let server = helpdesk(305, true).await;
        let mut items = request(&server).paginate::<Tickets>().page_size(1).items();
        let mut tickets = Vec::new();
        let err = loop {
            match items.try_next().await {
                Ok(Some(ticket)) => tickets.push(ticket),
                Ok(None) => panic!("the walk ended without reaching the limit"),
                Err(err) => break err,
            }
        };
        assert_eq!(tickets.len(), 300);
        assert!(matches!(err.kind(), ErrorKind::MaxPage { max_page: 300, next_page: 301 }), "{err:?}");
        let pages: Vec<usize> =
            server.requests().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
        assert_eq!(pages, (1..=300).collect::<Vec<_>>(), "page 301 is never requested");
    }
}
