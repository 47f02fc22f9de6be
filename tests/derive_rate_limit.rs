//! The rate-limit keys and the wire paths of `#[derive(Paginated)]`: the
//! `SPEC` generated for APIs that say "rate limited" in other ways than a
//! plain 429, and the serde names of the `api_error` and items fields, checked
//! against the JSON the struct actually decodes.

use paginated::{Paginated, Spec, Style, Target};
use serde::Deserialize;
use serde_json::Value;

/// The value at a wire path (`"[]"` takes the first element of an array).
fn at<'a>(json: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(json, |value, &segment| match segment {
        "[]" => value.as_array()?.first(),
        key => value.get(key),
    })
}

/// Decodes `json` as `P` and checks that `P::SPEC.items_path` leads to its items.
fn items_at_path<P: Paginated + serde::de::DeserializeOwned>(json: &str) -> P {
    let page: P = serde_json::from_str(json).unwrap();
    let value: Value = serde_json::from_str(json).unwrap();
    let path = P::SPEC.items_path.expect("an items path");
    let items = at(&value, path).and_then(Value::as_array).expect("items at the path");
    assert_eq!(items.len(), page.items().len());
    page
}

// GitHub search: a secondary rate limit is a 403 with `Retry-After` or
// `x-ratelimit-remaining: 0`.
#[derive(Deserialize, Paginated)]
#[paginate(style = "link", page_size_param = "per_page", page_size = 100, rate_limit_status = 403)]
struct GitHubSearch {
    #[paginate(items)]
    items: Vec<Value>,
}

#[test]
fn github_403() {
    assert_eq!(
        GitHubSearch::SPEC,
        Spec {
            style: Style::Link,
            page_size: Some(Target::Query("per_page")),
            default_page_size: Some(100),
            rate_limit_statuses: &[403],
            items_path: Some(&["items"]),
            ..Spec::DEFAULT
        }
    );
    items_at_path::<GitHubSearch>(r#"{"total_count": 1, "items": [{"id": 1}]}"#);
}

// Canvas: `403 Forbidden (Rate Limit Exceeded)`; a 403 without that text is a
// real 403. The page is a bare array: `#[serde(transparent)]` has no items path.
#[derive(Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link", keep_params = "access_token", page_size_param = "per_page")]
#[paginate(rate_limit_status = 403, rate_limit_match = "Rate Limit Exceeded")]
struct CanvasCourses {
    #[paginate(items)]
    courses: Vec<Value>,
}

#[test]
fn canvas_403_with_text() {
    assert_eq!(
        CanvasCourses::SPEC,
        Spec {
            style: Style::Link,
            page_size: Some(Target::Query("per_page")),
            keep_params: &["access_token"],
            rate_limit_statuses: &[403],
            rate_limit_match: Some("Rate Limit Exceeded"),
            ..Spec::DEFAULT
        }
    );
    let page: CanvasCourses = serde_json::from_str(r#"[{"id": 1}, {"id": 2}]"#).unwrap();
    assert_eq!(page.items().len(), 2);
}

// AWS (JSON protocol, CloudWatch Logs `DescribeLogGroups`): throttling is a 400
// whose `__type` names the exception.
#[derive(Deserialize, Paginated)]
#[serde(rename_all = "camelCase")]
#[paginate(style = "cursor", cursor_field = "next_token", cursor_body = "nextToken")]
#[paginate(rate_limit_status = 400, rate_limit_field = "__type")]
#[paginate(rate_limit_error = "ThrottlingException,Throttling,TooManyRequestsException,RequestLimitExceeded")]
struct LogGroups {
    #[paginate(items)]
    log_groups: Vec<Value>,
    next_token: Option<String>,
}

#[test]
fn aws_400_with_type() {
    assert_eq!(
        LogGroups::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Body(&["nextToken"])),
            rate_limit_errors: &[
                "ThrottlingException",
                "Throttling",
                "TooManyRequestsException",
                "RequestLimitExceeded"
            ],
            rate_limit_statuses: &[400],
            rate_limit_field: Some(&["__type"]),
            items_path: Some(&["logGroups"]),
            ..Spec::DEFAULT
        }
    );
    let page = items_at_path::<LogGroups>(r#"{"logGroups": [{"logGroupName": "a"}], "nextToken": "t"}"#);
    assert_eq!(page.next_token.as_deref(), Some("t"));
    let throttled: Value =
        serde_json::from_str(r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#).unwrap();
    let value = at(&throttled, LogGroups::SPEC.rate_limit_field.unwrap()).and_then(Value::as_str).unwrap();
    assert!(LogGroups::SPEC.rate_limit_errors.contains(&value));
}

// Linear (GraphQL): a rate-limited request is `{"errors": [{"extensions": {"code":
// "RATELIMITED"}}]}`, with the reset in `X-RateLimit-Requests-Reset`.
#[derive(Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "data.issues.page_info.end_cursor",
    cursor_body = "variables.after"
)]
#[paginate(items = "data.issues.nodes", item_type = "Value", api_error = "errors")]
#[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
#[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
#[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
struct LinearIssues {
    data: LinearData,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct LinearData {
    issues: LinearConnection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinearConnection {
    nodes: Vec<Value>,
    page_info: LinearPageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinearPageInfo {
    end_cursor: Option<String>,
}

#[test]
fn linear_graphql_code() {
    assert_eq!(
        LinearIssues::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Body(&["variables", "after"])),
            rate_limit_errors: &["RATELIMITED"],
            rate_limit_field: Some(&["errors", "[]", "extensions", "code"]),
            rate_limit_reset_header: Some("x-ratelimit-requests-reset"),
            rate_limit_remaining_header: Some("x-ratelimit-requests-remaining"),
            api_error_path: Some(&["errors"]),
            items_path: Some(&["data", "issues", "nodes"]),
            ..Spec::DEFAULT
        }
    );
    let page = items_at_path::<LinearIssues>(
        r#"{"data": {"issues": {"nodes": [{"id": "a"}], "pageInfo": {"endCursor": "c"}}}}"#,
    );
    assert_eq!(page.data.issues.page_info.end_cursor.as_deref(), Some("c"));
    assert!(page.errors.is_none());
    let limited: Value = serde_json::from_str(
        r#"{"data": null, "errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}"#,
    )
    .unwrap();
    assert_eq!(at(&limited, LinearIssues::SPEC.rate_limit_field.unwrap()), Some(&Value::from("RATELIMITED")));
    assert!(at(&limited, LinearIssues::SPEC.api_error_path.unwrap()).is_some_and(Value::is_array));
}

// Close: `429 {"error": {"rate_reset": 1.5, "message": "API call count exceeded
// for this 15 second window", "rate_limit": 240, "rate_window": 15, ...}}` —
// wait `rate_reset` seconds (developer.close.com, "Rate Limits").
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", page_size_param = "_limit", has_more = "has_more")]
#[paginate(rate_limit_wait_field = "error.rate_reset")]
struct CloseLeads {
    #[paginate(items)]
    data: Vec<Value>,
    has_more: bool,
}

#[test]
fn close_wait_in_body() {
    assert_eq!(
        CloseLeads::SPEC,
        Spec {
            style: Style::Offset,
            offset: Some(Target::Query("_skip")),
            page_size: Some(Target::Query("_limit")),
            stop_on_empty_page: true,
            rate_limit_wait_field: Some(&["error", "rate_reset"]),
            items_path: Some(&["data"]),
            ..Spec::DEFAULT
        }
    );
    items_at_path::<CloseLeads>(r#"{"data": [{"id": "lead_1"}], "has_more": false}"#);
    let limited: Value = serde_json::from_str(
        r#"{"error": {"rate_reset": 1.5, "message": "API call count exceeded for this 15 second window",
            "rate_limit": 240, "rate_window": 15, "rate_limit_type": "key"}}"#,
    )
    .unwrap();
    let wait = at(&limited, CloseLeads::SPEC.rate_limit_wait_field.unwrap()).and_then(Value::as_f64);
    assert_eq!(wait, Some(1.5));
}

// Wire paths: a field rename, rename_all, and the nested segments kept as written.
#[derive(Deserialize, Paginated)]
#[serde(rename_all = "PascalCase")]
#[paginate(
    style = "page",
    page_param = "page",
    api_error = "error_info",
    items = "result_set.rows",
    item_type = "Value"
)]
struct Renamed {
    #[serde(rename = "@error", default)]
    error_info: Option<String>,
    result_set: ResultSet,
}

#[derive(Deserialize)]
struct ResultSet {
    rows: Vec<Value>,
}

#[derive(Deserialize, Paginated)]
#[serde(rename_all = "kebab-case")]
#[paginate(style = "page", page_param = "page", api_error = "r#type")]
struct KebabCase {
    #[paginate(items)]
    #[serde(rename(serialize = "ignored", deserialize = "The-Items"))]
    all_items: Vec<Value>,
    #[serde(default)]
    r#type: Option<String>,
    next_page_token: Option<String>,
}

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_param = "page", api_error = "meta.error")]
struct Flattened {
    #[paginate(items)]
    #[serde(rename(deserialize = "Items"))]
    items: Vec<Value>,
    #[serde(flatten)]
    meta: FlatMeta,
}

#[derive(Deserialize)]
struct FlatMeta {
    error: Option<String>,
}

#[test]
fn wire_paths_follow_serde() {
    assert_eq!(Renamed::SPEC.api_error_path, Some(&["@error"][..]));
    assert_eq!(Renamed::SPEC.items_path, Some(&["ResultSet", "rows"][..]));
    let page = items_at_path::<Renamed>(r#"{"@error": "boom", "ResultSet": {"rows": [1, 2]}}"#);
    assert_eq!(page.api_error().as_deref(), Some("boom"));

    assert_eq!(KebabCase::SPEC.api_error_path, Some(&["type"][..]));
    assert_eq!(KebabCase::SPEC.items_path, Some(&["The-Items"][..]));
    let page = items_at_path::<KebabCase>(r#"{"The-Items": [1], "type": "x", "next-page-token": null}"#);
    assert_eq!(page.next_page_token, None);

    // The flattened field's keys sit among the struct's own: no path to give.
    assert_eq!(Flattened::SPEC.api_error_path, None);
    assert_eq!(Flattened::SPEC.items_path, Some(&["Items"][..]));
    let page = items_at_path::<Flattened>(r#"{"Items": [1], "error": "e"}"#);
    assert_eq!(page.api_error().as_deref(), Some("e"));
}
