//! Intercom (seeds 000 and 001): cursor pagination with `per_page` and
//! `starting_after`, in the query string for list endpoints and in the
//! `pagination` object of the body for search endpoints.
//!
//! The response's `pages.next.starting_after` is the next cursor, and the
//! last page has no `next` key at all. `pages.per_page` is echoed as a number
//! on odd pages and as a string on even pages, because the seed shows both.
//!
//! Companies are listed by page number instead (`page` + `per_page`, as in
//! Intercom's list-companies endpoint), so page-style clients have an
//! Intercom target too.

use serde_json::{Map, Value, json};

use super::ApiState;
use super::data::{Resource, compare_values, sort_records};
use super::paging::{
    TokenClaims, TokenScope, fingerprint_json, issue_token, json_count, page_of, parse_count, redeem_token,
};
use super::server::{MockResponse, RecordedRequest};

/// Intercom's largest page, for every list and search endpoint.
const MAX_PER_PAGE: usize = 150;
/// The search endpoints' default page size (seed 001).
const SEARCH_PER_PAGE: usize = 20;

/// `GET /contacts` (default `per_page` 50) and `GET /conversations`
/// (default 20).
///
/// A contacts cursor remembers its page size, so a follow-up request with
/// only `starting_after` (as in seed 000) keeps it; an explicit `per_page`
/// wins.
pub(crate) fn list(state: &ApiState, request: &RecordedRequest, resource: Resource) -> MockResponse {
    let (scope, default_per_page, list_type, key) = match resource {
        Resource::Contacts => (TokenScope::Contacts, 50, "list", "data"),
        _ => (TokenScope::Conversations, 20, "conversation.list", "conversations"),
    };
    let per_page = match request.query("per_page") {
        Some(raw) => match parse_count(&raw) {
            Some(n) => Some(n),
            None => return error(state, &format!("per_page must be an integer, got {raw:?}")),
        },
        None => None,
    };
    let claims = match request.query("starting_after") {
        Some(cursor) => match redeem_token(scope, &cursor) {
            Some(claims) => Some(claims),
            None => return error(state, &invalid_cursor(&cursor)),
        },
        None => None,
    };
    let per_page = per_page
        .or_else(|| claims.map(|c| usize::try_from(c.binding).unwrap_or(MAX_PER_PAGE)))
        .unwrap_or(default_per_page);
    if let Err(message) = check_per_page(per_page) {
        return error(state, &message);
    }
    let records = state.data.get(resource);
    let position = claims.map_or(0, |c| c.position);
    let pages = pages(scope, position, per_page, records.len(), per_page as u64);
    MockResponse::json(json!({
        "type": list_type,
        key: page_of(records, position, per_page),
        "total_count": records.len(),
        "pages": pages,
    }))
}

/// `POST /conversations/search`: filters with the simple query language,
/// sorts by `sort.field`, pages with `pagination.per_page` (default 20) and
/// `pagination.starting_after`.
///
/// The cursor is bound to the `query`, the `sort` and the page size it was
/// issued for: changing any of them between pages is a `400`, which is how a
/// test proves the client re-sends the body unchanged.
pub(crate) fn search(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let Some(Value::Object(body)) = request.json() else {
        return error(state, "the request body must be a JSON object");
    };
    let empty = Map::new();
    let pagination = match body.get("pagination") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(pagination)) => pagination,
        Some(_) => return error(state, "pagination must be an object"),
    };
    let per_page = match pagination.get("per_page") {
        None | Some(Value::Null) => SEARCH_PER_PAGE,
        Some(value) => match json_count(value) {
            Some(n) => n,
            None => return error(state, &format!("per_page must be an integer, got {value}")),
        },
    };
    if let Err(message) = check_per_page(per_page) {
        return error(state, &message);
    }
    let binding = fingerprint_json(&[body.get("query"), body.get("sort"), Some(&Value::from(per_page))]);
    let position = match pagination.get("starting_after") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => match redeem_token(TokenScope::ConversationSearch, cursor) {
            Some(claims) if claims.binding == binding => claims.position,
            Some(_) => {
                return error(
                    state,
                    "starting_after was issued for a different query, sort or per_page; \
                     send the same search body with every page",
                );
            }
            None => return error(state, &invalid_cursor(cursor)),
        },
        Some(other) => {
            return error(state, &format!("starting_after must be a string, got {other}"));
        }
    };
    let mut found = Vec::new();
    for conversation in state.data.get(Resource::Conversations) {
        match body.get("query").map_or(Ok(true), |query| matches(query, conversation)) {
            Ok(true) => found.push(conversation.clone()),
            Ok(false) => {}
            Err(message) => return error(state, &message),
        }
    }
    if let Some(sort) = body.get("sort").filter(|sort| !sort.is_null()) {
        let Some(field) = sort.get("field").and_then(Value::as_str) else {
            return error(state, "sort.field is required when sort is given");
        };
        if state.data.get(Resource::Conversations).first().is_some_and(|c| c.get(field).is_none()) {
            return error(state, &format!("{field:?} is not a sortable field of conversations"));
        }
        let descending = match sort.get("order").and_then(Value::as_str) {
            None | Some("descending") => true,
            Some("ascending") => false,
            Some(other) => {
                return error(state, &format!("sort.order must be ascending or descending, got {other:?}"));
            }
        };
        sort_records(&mut found, field, descending);
    }
    let pages = pages(TokenScope::ConversationSearch, position, per_page, found.len(), binding);
    MockResponse::json(json!({
        "type": "conversation.list",
        "conversations": page_of(&found, position, per_page),
        "total_count": found.len(),
        "pages": pages,
    }))
}

/// `GET /companies?page=&per_page=` (default `per_page` 15, pages from 1):
/// `{"type": "list", "data": [...], "total_count": N, "pages": {"page", "per_page",
/// "total_pages", "next"?}}`, where `next` is the URL of the next page and is
/// absent on the last one. `per_page` and `total_pages` are numbers on odd
/// pages and strings on even pages. A page past the end is empty.
pub(crate) fn list_companies(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let mut counts = [("page", 1), ("per_page", 15)];
    for (name, value) in &mut counts {
        if let Some(raw) = request.query(name) {
            match parse_count(&raw) {
                Some(n) => *value = n,
                None => return error(state, &format!("{name} must be an integer, got {raw:?}")),
            }
        }
    }
    let [(_, page), (_, per_page)] = counts;
    if page == 0 {
        return error(state, "page must be 1 or more");
    }
    if let Err(message) = check_per_page(per_page) {
        return error(state, &message);
    }
    let companies = state.data.get(Resource::Companies);
    let total_pages = companies.len().div_ceil(per_page);
    let lenient = |n: usize| if page % 2 == 1 { json!(n) } else { json!(n.to_string()) };
    let mut pages = json!({
        "type": "pages",
        "page": page,
        "per_page": lenient(per_page),
        "total_pages": lenient(total_pages),
    });
    if page < total_pages {
        let host = request.header("host").unwrap_or("127.0.0.1");
        pages["next"] = json!(format!("http://{host}/companies?page={}&per_page={per_page}", page + 1));
    }
    MockResponse::json(json!({
        "type": "list",
        "data": page_of(companies, (page - 1).saturating_mul(per_page), per_page),
        "total_count": companies.len(),
        "pages": pages,
    }))
}

/// The `pages` object of a page starting at `position`: `next` only when
/// records remain, its cursor bound to `binding`.
fn pages(scope: TokenScope, position: usize, per_page: usize, total: usize, binding: u64) -> Value {
    let page = position / per_page + 1;
    // The seed shows per_page both as 5 and as "5"; alternate so clients must accept both.
    let echoed = if page % 2 == 1 { json!(per_page) } else { json!(per_page.to_string()) };
    let mut pages = json!({
        "type": "pages",
        "page": page,
        "per_page": echoed,
        "total_pages": total.div_ceil(per_page),
    });
    let next_position = position + per_page;
    if next_position < total {
        let cursor = issue_token(scope, TokenClaims { position: next_position, binding });
        pages["next"] = json!({ "page": page + 1, "starting_after": cursor });
    }
    pages
}

fn check_per_page(per_page: usize) -> Result<(), String> {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        Ok(())
    } else {
        Err(format!("per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}"))
    }
}

fn invalid_cursor(cursor: &str) -> String {
    format!(
        "starting_after {cursor:?} is not a cursor this API issued; send back pages.next.starting_after \
         exactly as received, encoded once"
    )
}

/// Intercom's error body; every client mistake here is `parameter_invalid`.
fn error(state: &ApiState, message: &str) -> MockResponse {
    MockResponse::status(
        400,
        json!({
            "type": "error.list",
            "request_id": state.next_request_id(),
            "errors": [{ "code": "parameter_invalid", "message": message }],
        }),
    )
}

/// Evaluates a simple-query node against one conversation:
/// `{"field", "operator": ">" | "<" | "=" | "!=", "value"}` or
/// `{"operator": "AND" | "OR", "value": [nodes]}`.
fn matches(query: &Value, record: &Value) -> Result<bool, String> {
    let operator = query
        .get("operator")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("every query needs an operator: {query}"))?;
    let value = query.get("value").ok_or_else(|| format!("every query needs a value: {query}"))?;
    if let "AND" | "OR" = operator {
        let nodes =
            value.as_array().ok_or_else(|| format!("the value of {operator} must be an array of queries"))?;
        // Evaluate every node, so an invalid one is reported whatever the others say.
        let results = nodes.iter().map(|node| matches(node, record)).collect::<Result<Vec<_>, _>>()?;
        return Ok(if operator == "AND" {
            results.iter().all(|&hit| hit)
        } else {
            results.iter().any(|&hit| hit)
        });
    }
    let field = query
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("a query with operator {operator:?} needs a field"))?;
    let actual =
        record.get(field).ok_or_else(|| format!("{field:?} is not a searchable field of conversations"))?;
    // Intercom takes timestamps as numbers or as strings of digits (seed 001 sends "1693782000").
    let expected = match (actual, value) {
        (Value::Number(_), Value::String(text)) => text
            .parse::<f64>()
            .map(Value::from)
            .map_err(|_| format!("{field} takes a number, got {text:?}"))?,
        _ => value.clone(),
    };
    if std::mem::discriminant(actual) != std::mem::discriminant(&expected) {
        return Err(format!("{field} cannot be compared with {value}"));
    }
    let ordering = compare_values(actual, &expected);
    match operator {
        ">" => Ok(ordering.is_gt()),
        "<" => Ok(ordering.is_lt()),
        "=" => Ok(ordering.is_eq()),
        "!=" => Ok(ordering.is_ne()),
        other => Err(format!("unsupported operator {other:?}; use >, <, =, !=, AND or OR")),
    }
}
