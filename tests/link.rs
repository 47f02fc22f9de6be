//! `style = "link"`: next URLs from the `Link` header or a response field,
//! followed verbatim, resolved against the URL that returned them, and never
//! followed to another origin with credentials.

use paginated::testing::{MockResponse, MockServer, RecordedRequest};
use paginated::{ErrorKind, PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, PartialEq)]
struct Issue {
    number: u32,
}

/// GitHub answers a bare JSON array; the page is the array itself.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", page_size_param = "per_page", page_size = 2)]
struct Issues {
    #[paginate(items)]
    issues: Vec<Issue>,
}

/// A GitHub-like list of 5 issues, 2 per page, linked by `page=N`.
async fn github() -> MockServer {
    MockServer::start(|r: &RecordedRequest| {
        let page: u32 = r.query("page").map_or(1, |p| p.parse().unwrap());
        let per_page: u32 = r.query("per_page").unwrap().parse().unwrap();
        let issues: Vec<_> =
            ((page - 1) * per_page + 1..=(page * per_page).min(5)).map(|n| json!({"number": n})).collect();
        let host = r.header("host").unwrap().to_owned();
        let link = |p: u32, rel: &str| {
            format!("<http://{host}/repos/o/r/issues?state=open&per_page={per_page}&page={p}>; rel=\"{rel}\"")
        };
        let mut links = vec![link(1, "first")];
        if page < 3 {
            links.push(link(page + 1, "next"));
        }
        links.push(link(3, "last"));
        MockResponse::json(json!(issues)).with_header("link", links.join(", "))
    })
    .await
}

#[tokio::test]
async fn github_link_header_is_followed_verbatim() {
    let server = github().await;
    let issues = reqwest::Client::new()
        .get(server.url("/repos/o/r/issues?state=open"))
        .bearer_auth("ghp_x")
        .header("accept", "application/vnd.github+json")
        .paginate::<Issues>()
        .collect()
        .await
        .unwrap();
    assert_eq!(issues.iter().map(|i| i.number).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    let requests = server.requests();
    let queries: Vec<_> = requests.iter().map(|r| r.raw_query.clone().unwrap()).collect();
    // The page size is written into the first request only; the linked URLs
    // are used as they are, with nothing appended.
    assert_eq!(
        queries,
        ["state=open&per_page=2", "state=open&per_page=2&page=2", "state=open&per_page=2&page=3"]
    );
    assert!(requests.iter().all(|r| r.header("authorization") == Some("Bearer ghp_x")
        && r.header("accept") == Some("application/vnd.github+json")));
}

#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
struct Users {
    #[paginate(items)]
    users: Vec<serde_json::Value>,
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_and_gets_nothing() {
    let other = MockServer::start(|_: &RecordedRequest| MockResponse::json(json!([{"id": "b1"}]))).await;
    let elsewhere = other.url("/api/v1/users?after=x");
    let home = MockServer::start(move |_: &RecordedRequest| {
        MockResponse::json(json!([{"id": "a1"}])).with_header("link", format!("<{elsewhere}>; rel=\"next\""))
    })
    .await;
    let client = reqwest::Client::new();
    let request = || {
        client
            .get(home.url("/api/v1/users"))
            .bearer_auth("secret")
            .header("x-api-key", "k")
            .header("cookie", "sid=1")
            .header("accept", "application/json")
    };

    let err = request().paginate::<Users>().collect().await.unwrap_err();
    let ErrorKind::CrossOrigin { url } = err.kind() else { panic!("{err:?}") };
    assert!(url.starts_with(&other.base_url()), "{url}");
    assert!(other.requests().is_empty(), "nothing is sent to another origin by default");

    let users = request().paginate::<Users>().allow_cross_origin(true).collect().await.unwrap();
    assert_eq!(users.len(), 2);
    let sent = &other.requests()[0];
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("x-api-key"), None);
    assert_eq!(sent.header("cookie"), None);
    assert_eq!(sent.header("accept"), Some("application/json"), "other headers are re-sent");
    assert_eq!(home.requests()[0].header("authorization"), Some("Bearer secret"));
}

#[derive(Debug, Deserialize)]
struct Account {
    #[serde(rename = "Id")]
    id: String,
}

/// Salesforce: `nextRecordsUrl` is host-relative and `done` marks the end.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", next_url = "next_records_url", is_last = "done")]
struct SoqlQuery {
    #[paginate(items)]
    records: Vec<Account>,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
    done: bool,
}

#[tokio::test]
async fn salesforce_host_relative_next_url_and_done() {
    let server = MockServer::start(|r: &RecordedRequest| match r.path.as_str() {
        "/services/data/v59.0/query" => MockResponse::json(json!({
            "done": false, "totalSize": 3,
            "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-2000",
            "records": [{"Id": "001A"}, {"Id": "001B"}]
        })),
        _ => MockResponse::json(json!({"done": true, "totalSize": 3, "records": [{"Id": "001C"}]})),
    })
    .await;
    let records = reqwest::Client::new()
        .get(server.url("/services/data/v59.0/query?q=SELECT+Id+FROM+Account"))
        .bearer_auth("00D")
        .paginate::<SoqlQuery>()
        .collect()
        .await
        .unwrap();
    assert_eq!(records.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["001A", "001B", "001C"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].path, "/services/data/v59.0/query/01gD0000002HU6KIAW-2000");
    assert_eq!(requests[1].raw_query, None, "Salesforce rejects any parameter on the next URL");
    assert_eq!(requests[1].header("authorization"), Some("Bearer 00D"));
}

#[derive(Debug, Deserialize)]
struct HubspotNext {
    link: String,
}

#[derive(Debug, Deserialize)]
struct HubspotPaging {
    next: Option<HubspotNext>,
}

/// HubSpot: `paging.next.link` is a query-only relative URL.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", next_url = "paging.next.link", page_size_param = "limit", page_size = 2)]
struct HubspotContacts {
    #[paginate(items)]
    results: Vec<serde_json::Value>,
    paging: Option<HubspotPaging>,
}

#[tokio::test]
async fn hubspot_query_only_next_link_resolves_against_the_request() {
    let server = MockServer::start(|r: &RecordedRequest| match r.query("after").as_deref() {
        None => MockResponse::json(json!({
            "results": [{"id": "1"}, {"id": "2"}],
            "paging": {"next": {"after": "NTI1Cg%3D%3D", "link": "?limit=2&after=NTI1Cg%3D%3D"}}
        })),
        Some(_) => MockResponse::json(json!({"results": [{"id": "3"}]})),
    })
    .await;
    let contacts = reqwest::Client::new()
        .get(server.url("/crm/v3/objects/contacts"))
        .paginate::<HubspotContacts>()
        .collect()
        .await
        .unwrap();
    assert_eq!(contacts.len(), 3);
    let second = &server.requests()[1];
    assert_eq!(second.path, "/crm/v3/objects/contacts");
    assert_eq!(second.raw_query.as_deref(), Some("limit=2&after=NTI1Cg%3D%3D"), "not re-encoded");
    assert_eq!(second.query("after").as_deref(), Some("NTI1Cg=="));
}
