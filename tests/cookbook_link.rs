//! Cookbook, `style = "link"`: APIs whose next page is a URL, from the `Link`
//! header or a response field. Each module declares one API exactly as
//! `docs/cookbook.md` shows it (the text between `// cookbook:` and
//! `// end cookbook` is copied there) and walks a small loopback fake of that
//! API's pagination: the exact requests, every item once and in order, the end.
#![allow(dead_code)] // The declarations carry realistic fields that the tests do not all read.
#![allow(clippy::wildcard_imports)] // Every API module takes the shared helpers with `use super::*`.

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{PaginateExt, Paginated, StopReason};
use serde::Deserialize;
use serde_json::{Value, json};

mod common;
#[allow(unused_imports)] // each API module takes what it needs through `use super::*`
use common::cookbook::{error, origin, paths, query_without, raw_queries, walk};

mod github {
    use super::*;

    // cookbook: github
    #[derive(Debug, Deserialize)]
    struct Issue {
        number: u64,
        title: String,
        state: String,
    }

    /// `GET /repos/{owner}/{repo}/issues` answers a bare JSON array; the next page
    /// is the `rel="next"` URL of the `Link` header.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "link", page_size_param = "per_page", page_size = 100, max_page_size = 100)]
    struct Issues {
        #[paginate(items)]
        issues: Vec<Issue>,
    }
    // end cookbook

    /// Five open `bug` issues. As GitHub's, the links keep the request's query,
    /// set `page`, and point at `/repositories/{id}/issues`.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer ghp_secret") {
                return error(401, "Bad credentials");
            }
            if r.query("state").as_deref() != Some("open") || r.query("labels").as_deref() != Some("bug") {
                return error(422, "the filters were lost");
            }
            let per_page: usize = r.query("per_page").map_or(30, |v| v.parse().unwrap());
            let page: usize = r.query("page").map_or(1, |v| v.parse().unwrap());
            let last = 5_usize.div_ceil(per_page);
            let issues: Vec<Value> = (1..=5_usize)
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|n| json!({"number": n, "title": format!("Bug {n}"), "state": "open", "labels": [{"name": "bug"}]}))
                .collect();
            let kept = query_without(r, "page");
            let link = |p: usize, rel: &str| {
                format!("<{}/repositories/1300192/issues?{kept}&page={p}>; rel=\"{rel}\"", origin(r))
            };
            let mut links = Vec::new();
            if page > 1 {
                links.push(link(page - 1, "prev"));
            }
            if page < last {
                links.push(link(page + 1, "next"));
                links.push(link(last, "last"));
            }
            if page > 1 {
                links.push(link(1, "first"));
            }
            let response = MockResponse::json(json!(issues));
            if links.is_empty() { response } else { response.with_header("link", links.join(", ")) }
        })
        .await
    }

    #[tokio::test]
    async fn follows_the_link_header_verbatim() {
        let server = fake().await;
        let request = reqwest::Client::new()
            .get(server.url("/repos/octocat/hello-world/issues?state=open&labels=bug"))
            .bearer_auth("ghp_secret")
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28");
        let (issues, end) = walk(request.paginate::<Issues>().page_size(2)).await;

        assert_eq!(issues.iter().map(|i| i.number).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(end, Some(StopReason::NoNextLink));
        let requests = server.requests();
        assert_eq!(
            paths(&requests),
            [
                "/repos/octocat/hello-world/issues",
                "/repositories/1300192/issues",
                "/repositories/1300192/issues"
            ]
        );
        // The page size goes into the first request only; the links already carry it.
        assert_eq!(
            raw_queries(&requests),
            [
                "state=open&labels=bug&per_page=2",
                "state=open&labels=bug&per_page=2&page=2",
                "state=open&labels=bug&per_page=2&page=3"
            ]
        );
        assert!(requests.iter().all(|r| r.header("accept") == Some("application/vnd.github+json")
            && r.header("x-github-api-version") == Some("2022-11-28")));
    }
}

mod shopify {
    use super::*;

    // cookbook: shopify
    #[derive(Debug, Deserialize)]
    struct Product {
        id: u64,
        title: String,
        status: String,
    }

    /// `GET /admin/api/{version}/products.json`: the next page is the `rel="next"`
    /// URL of the `Link` header, which carries only `page_info` and `limit`.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(style = "link", page_size_param = "limit", page_size = 250, max_page_size = 250)]
    struct Products {
        #[paginate(items)]
        products: Vec<Product>,
    }
    // end cookbook

    const PATH: &str = "/admin/api/2024-01/products.json";

    /// Seven products, two of them drafts. The filters live in `page_info`; a
    /// request with `page_info` and any parameter but `limit` or `fields` is a
    /// `400`, as on Shopify.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("x-shopify-access-token") != Some("shpat_secret") {
                return MockResponse::status(401, json!({"errors": "[API] Invalid API key or access token"}));
            }
            let limit: usize = r.query("limit").map_or(50, |v| v.parse().unwrap());
            let (status, start) = match r.query("page_info") {
                Some(info) => {
                    if r.query_pairs().iter().any(|(k, _)| !matches!(k.as_str(), "page_info" | "limit" | "fields")) {
                        return MockResponse::status(
                            400,
                            json!({"errors": {"page_info": ["page_info cannot be combined with other filters"]}}),
                        );
                    }
                    let mut parts = info.split('.');
                    let status = parts.next().unwrap().to_owned();
                    (status, parts.next().unwrap().parse::<usize>().unwrap())
                }
                None => (r.query("status").unwrap_or_else(|| "any".into()), 0),
            };
            let catalogue = [
                (632_910_392_u64, "IPod Nano", "active"),
                (632_910_393, "IPod Touch", "draft"),
                (632_910_394, "IPod Shuffle", "active"),
                (632_910_395, "IPad", "active"),
                (632_910_396, "MacBook", "draft"),
                (632_910_397, "IMac", "active"),
                (632_910_398, "Apple TV", "active"),
            ];
            let matching: Vec<Value> = catalogue
                .iter()
                .filter(|(_, _, s)| status == "any" || *s == status)
                .map(|(id, title, s)| json!({"id": id, "title": title, "status": s}))
                .collect();
            let products: Vec<Value> = matching.iter().skip(start).take(limit).cloned().collect();
            let link = |at: usize, rel: &str| {
                let info = format!("{status}.{at}.eyJkaXJlY3Rpb24iOiJuZXh0In0");
                format!("<{}{PATH}?limit={limit}&page_info={info}>; rel=\"{rel}\"", origin(r))
            };
            let mut links = Vec::new();
            if start > 0 {
                links.push(link(start.saturating_sub(limit), "previous"));
            }
            if start + limit < matching.len() {
                links.push(link(start + limit, "next"));
            }
            let response = MockResponse::json(json!({ "products": products }));
            if links.is_empty() { response } else { response.with_header("link", links.join(", ")) }
        })
        .await
    }

    #[tokio::test]
    async fn filters_go_on_the_first_request_only() {
        let server = fake().await;
        let client = reqwest::Client::new();
        let request = client
            .get(server.url(&format!("{PATH}?status=active")))
            .header("x-shopify-access-token", "shpat_secret");
        let (products, end) = walk(request.paginate::<Products>().page_size(2)).await;

        assert_eq!(
            products.iter().map(|p| p.id).collect::<Vec<_>>(),
            [632_910_392, 632_910_394, 632_910_395, 632_910_397, 632_910_398]
        );
        assert!(products.iter().all(|p| p.status == "active"));
        assert_eq!(end, Some(StopReason::NoNextLink));
        let requests = server.requests();
        assert_eq!(
            raw_queries(&requests),
            [
                "status=active&limit=2",
                "limit=2&page_info=active.2.eyJkaXJlY3Rpb24iOiJuZXh0In0",
                "limit=2&page_info=active.4.eyJkaXJlY3Rpb24iOiJuZXh0In0"
            ]
        );
        assert!(
            requests
                .iter()
                .all(|r| r.path == PATH && r.header("x-shopify-access-token") == Some("shpat_secret"))
        );

        // The fake is as strict as Shopify: the filter again next to `page_info` is refused.
        let resent =
            client
                .get(server.url(&format!(
                    "{PATH}?status=active&limit=2&page_info=active.2.eyJkaXJlY3Rpb24iOiJuZXh0In0"
                )))
                .header("x-shopify-access-token", "shpat_secret")
                .send()
                .await
                .unwrap();
        assert_eq!(resent.status().as_u16(), 400);
    }
}

mod sentry {
    use super::*;

    // cookbook: sentry
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Issue {
        id: String,
        short_id: String,
        title: String,
    }

    /// `GET /api/0/organizations/{org}/issues/`: a bare JSON array; every page has
    /// a `rel="next"` link, and `results="false"` on it means there is no next page.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "link", page_size_param = "limit", page_size = 100, max_page_size = 100)]
    struct Issues {
        #[paginate(items)]
        issues: Vec<Issue>,
    }
    // end cookbook

    /// Five unresolved issues; cursors `0:<offset>:<is_prev>`. As Sentry's, the
    /// links repeat the query without `cursor` and always name both directions.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer sntrys_secret") {
                return MockResponse::status(401, json!({"detail": "Invalid token"}));
            }
            if r.query("query").as_deref() != Some("is:unresolved") {
                return MockResponse::status(400, json!({"detail": "the query was lost"}));
            }
            let limit: usize = r.query("limit").map_or(100, |v| v.parse().unwrap());
            let offset: usize = r.query("cursor").map_or(0, |c| c.split(':').nth(1).unwrap().parse().unwrap());
            let issues: Vec<Value> = (offset..5)
                .take(limit)
                .map(|n| json!({"id": format!("45{n}"), "shortId": format!("ACME-{n}"), "title": format!("Error {n}")}))
                .collect();
            let base = format!("{}{}?{}", origin(r), r.path, query_without(r, "cursor"));
            let link = |rel: &str, at: usize, prev: u8, results: bool| {
                let cursor = format!("0:{at}:{prev}");
                format!("<{base}&cursor={cursor}>; rel=\"{rel}\"; results=\"{results}\"; cursor=\"{cursor}\"")
            };
            let links = [
                link("previous", offset.saturating_sub(limit), 1, offset > 0),
                link("next", offset + limit, 0, offset + limit < 5),
            ];
            MockResponse::json(json!(issues)).with_header("link", links.join(", "))
        })
        .await
    }

    #[tokio::test]
    async fn results_false_on_the_next_link_ends_the_walk() {
        let server = fake().await;
        let request = reqwest::Client::new()
            .get(server.url("/api/0/organizations/acme/issues/?query=is%3Aunresolved"))
            .bearer_auth("sntrys_secret");
        let (issues, end) = walk(request.paginate::<Issues>().page_size(2)).await;

        assert_eq!(
            issues.iter().map(|i| i.short_id.as_str()).collect::<Vec<_>>(),
            ["ACME-0", "ACME-1", "ACME-2", "ACME-3", "ACME-4"]
        );
        assert_eq!(end, Some(StopReason::NoNextLink));
        // The third page still links to `cursor=0:6:0`, with `results="false"`: not followed.
        assert_eq!(
            raw_queries(&server.requests()),
            [
                "query=is%3Aunresolved&limit=2",
                "query=is%3Aunresolved&limit=2&cursor=0:2:0",
                "query=is%3Aunresolved&limit=2&cursor=0:4:0"
            ]
        );
    }
}

mod okta {
    use super::*;

    // cookbook: okta
    #[derive(Debug, Deserialize)]
    struct Profile {
        login: String,
        email: String,
    }

    #[derive(Debug, Deserialize)]
    struct User {
        id: String,
        status: String,
        profile: Profile,
    }

    /// `GET /api/v1/users`: a bare JSON array; `rel="self"` and `rel="next"` come
    /// as two separate `Link` header lines.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(transparent)]
    #[paginate(style = "link", page_size_param = "limit", page_size = 200, max_page_size = 200)]
    struct Users {
        #[paginate(items)]
        users: Vec<User>,
    }
    // end cookbook

    fn id(n: usize) -> String {
        format!("00ub0oNGTSWTBKOL{n:04}")
    }

    /// Five engineers; `after` is the id of the last user of the page.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("SSWS 00QCjAl4MlV-WPXM") {
                return MockResponse::status(401, json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}));
            }
            if r.query("search").as_deref() != Some(r#"profile.department eq "Engineering""#) {
                return MockResponse::status(400, json!({"errorCode": "E0000031", "errorSummary": "the search was lost"}));
            }
            let limit: usize = r.query("limit").map_or(200, |v| v.parse().unwrap());
            let start = r.query("after").map_or(0, |after| (0..5).position(|n| id(n) == after).unwrap() + 1);
            let users: Vec<Value> = (start..5)
                .take(limit)
                .map(|n| json!({"id": id(n), "status": "ACTIVE",
                                "profile": {"login": format!("dev{n}@example.com"), "email": format!("dev{n}@example.com")}}))
                .collect();
            let search = query_without(r, "after").split('&').find(|p| p.starts_with("search=")).unwrap().to_owned();
            let mut response = MockResponse::json(json!(users))
                .with_header("link", format!("<{}{}?{}>; rel=\"self\"", origin(r), r.path, r.raw_query.as_deref().unwrap()));
            if start + limit < 5 {
                let next = format!("<{}/api/v1/users?after={}&limit={limit}&{search}>; rel=\"next\"", origin(r), id(start + limit - 1));
                response = response.with_header("link", next);
            }
            response
        })
        .await
    }

    #[tokio::test]
    async fn next_link_on_its_own_header_line() {
        let server = fake().await;
        let request = reqwest::Client::new()
            .get(server.url("/api/v1/users?search=profile.department+eq+%22Engineering%22"))
            .header("authorization", "SSWS 00QCjAl4MlV-WPXM");
        let (users, end) = walk(request.paginate::<Users>().page_size(2)).await;

        assert_eq!(
            users.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
            (0..5).map(id).collect::<Vec<_>>()
        );
        assert_eq!(end, Some(StopReason::NoNextLink));
        let search = "search=profile.department+eq+%22Engineering%22";
        assert_eq!(
            raw_queries(&server.requests()),
            [
                format!("{search}&limit=2"),
                format!("after={}&limit=2&{search}", id(1)),
                format!("after={}&limit=2&{search}", id(3))
            ]
        );
    }
}

mod microsoft_graph {
    use super::*;

    // cookbook: microsoft_graph
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct User {
        id: String,
        display_name: String,
        mail: Option<String>,
    }

    /// `GET /v1.0/users`: `@odata.nextLink` is the next page's URL, absent on the
    /// last page. A page may be empty before the end.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "link",
        next_url = "next_link",
        page_size_param = "$top",
        page_size = 999,
        max_page_size = 999
    )]
    struct Users {
        #[paginate(items)]
        value: Vec<User>,
        #[serde(rename = "@odata.nextLink")]
        next_link: Option<String>,
    }
    // end cookbook

    /// Pages of 2, 0, 2 and 1 users, chained by `$skiptoken`.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer eyJ0eXAi") {
                return MockResponse::status(401, json!({"error": {"code": "InvalidAuthenticationToken"}}));
            }
            if r.query("$select").as_deref() != Some("id,displayName,mail") || r.query("$top").as_deref() != Some("2") {
                return MockResponse::status(400, json!({"error": {"code": "BadRequest", "message": "$select or $top lost"}}));
            }
            let pages: [&[usize]; 4] = [&[0, 1], &[], &[2, 3], &[4]];
            let page: usize = r.query("$skiptoken").map_or(0, |t| t.trim_start_matches("RFNwdAIAAQAAAC").parse().unwrap());
            let value: Vec<Value> = pages[page]
                .iter()
                .map(|n| json!({"id": format!("87d349ed-44d7-43e1-9a83-5f2406dee5b{n}"), "displayName": format!("User {n}"), "mail": null}))
                .collect();
            let mut body = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail)", "value": value});
            if page + 1 < pages.len() {
                body["@odata.nextLink"] = json!(format!(
                    "{}/v1.0/users?$select=id,displayName,mail&$top=2&$skiptoken=RFNwdAIAAQAAAC{}",
                    origin(r),
                    page + 1
                ));
            }
            MockResponse::json(body)
        })
        .await
    }

    #[tokio::test]
    async fn odata_next_link_through_an_empty_page() {
        let server = fake().await;
        let request = reqwest::Client::new()
            .get(server.url("/v1.0/users?$select=id,displayName,mail"))
            .bearer_auth("eyJ0eXAi");
        let (users, end) = walk(request.paginate::<Users>().page_size(2)).await;

        assert_eq!(
            users.iter().map(|u| u.display_name.as_str()).collect::<Vec<_>>(),
            ["User 0", "User 1", "User 2", "User 3", "User 4"]
        );
        assert_eq!(end, Some(StopReason::NoNextLink));
        let requests = server.requests();
        assert_eq!(
            requests.iter().map(|r| r.query("$skiptoken")).collect::<Vec<_>>(),
            [
                None,
                Some("RFNwdAIAAQAAAC1".into()),
                Some("RFNwdAIAAQAAAC2".into()),
                Some("RFNwdAIAAQAAAC3".into())
            ]
        );
        // `$top` is sent as Graph documents it; the next links are used as sent.
        assert_eq!(requests[0].raw_query.as_deref(), Some("$select=id,displayName,mail&$top=2"));
        assert_eq!(
            requests[1].raw_query.as_deref(),
            Some("$select=id,displayName,mail&$top=2&$skiptoken=RFNwdAIAAQAAAC1")
        );
    }
}

mod salesforce {
    use super::*;

    // cookbook: salesforce
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Account {
        id: String,
        name: String,
    }

    /// `GET /services/data/vXX.X/query?q=SOQL`: `nextRecordsUrl` is a host-relative
    /// URL to follow as it is; `done: true` marks the last batch.
    #[derive(Debug, Deserialize, Paginated)]
    #[serde(rename_all = "camelCase")]
    #[paginate(style = "link", next_url = "next_records_url", is_last = "done")]
    struct QueryResult {
        total_size: u64,
        done: bool,
        next_records_url: Option<String>,
        #[paginate(items)]
        records: Vec<Account>,
    }
    // end cookbook

    const LOCATOR: &str = "/services/data/v59.0/query/01gRO0000016PIAYA2-";

    /// Five accounts in batches of `Sforce-Query-Options: batchSize=N`.
    async fn fake() -> MockServer {
        MockServer::start(|r: &RecordedRequest| {
            if r.header("authorization") != Some("Bearer 00D5e000000Wxyz!AQ") {
                return MockResponse::status(401, json!([{"errorCode": "INVALID_SESSION_ID"}]));
            }
            let batch: usize = r
                .header("sforce-query-options")
                .and_then(|o| o.strip_prefix("batchSize="))
                .map_or(2000, |n| n.parse().unwrap());
            let start = if r.path == "/services/data/v59.0/query" {
                if r.query("q").as_deref() != Some("SELECT Id, Name FROM Account WHERE Industry = 'Energy'") {
                    return MockResponse::status(400, json!([{"errorCode": "MALFORMED_QUERY"}]));
                }
                0
            } else if let Some(at) = r.path.strip_prefix(LOCATOR) {
                if r.raw_query.is_some() {
                    return MockResponse::status(400, json!([{"errorCode": "INVALID_QUERY_LOCATOR"}]));
                }
                at.parse().unwrap()
            } else {
                return MockResponse::status(404, json!([{"errorCode": "NOT_FOUND"}]));
            };
            let records: Vec<Value> = (start..5)
                .take(batch)
                .map(|n| json!({"attributes": {"type": "Account", "url": format!("/services/data/v59.0/sobjects/Account/001x{n}")},
                                "Id": format!("001x{n}"), "Name": format!("Energy Co {n}")}))
                .collect();
            let done = start + batch >= 5;
            let mut body = json!({"totalSize": 5, "done": done, "records": records});
            if !done {
                body["nextRecordsUrl"] = json!(format!("{LOCATOR}{}", start + batch));
            }
            MockResponse::json(body)
        })
        .await
    }

    #[tokio::test]
    async fn next_records_url_until_done() {
        let server = fake().await;
        let request = reqwest::Client::new()
            .get(server.url(
                "/services/data/v59.0/query?q=SELECT+Id,+Name+FROM+Account+WHERE+Industry+%3D+%27Energy%27",
            ))
            .bearer_auth("00D5e000000Wxyz!AQ")
            .header("sforce-query-options", "batchSize=2");
        let (accounts, end) = walk(request.paginate::<QueryResult>()).await;

        assert_eq!(
            accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["001x0", "001x1", "001x2", "001x3", "001x4"]
        );
        assert_eq!(end, Some(StopReason::LastPage));
        let requests = server.requests();
        assert_eq!(
            paths(&requests),
            ["/services/data/v59.0/query", &format!("{LOCATOR}2"), &format!("{LOCATOR}4")]
        );
        assert_eq!(requests[1].raw_query, None);
        assert!(requests.iter().all(|r| r.header("sforce-query-options") == Some("batchSize=2")));
    }
}
