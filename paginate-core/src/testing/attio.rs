//! Attio (seed 002): limit/offset pagination in the query string (GET) or the
//! JSON body (POST), where the end of the list is a page with fewer records
//! than `limit` (so a list that is an exact multiple of `limit` ends with an
//! empty page); and cursor pagination with `limit` + `cursor`, where the
//! response's `pagination.next_cursor` is null on the last page.

use serde_json::{Map, Value, json};

use super::ApiState;
use super::data::{Resource, sort_records};
use super::paging::{TokenClaims, TokenScope, issue_token, json_count, page_of, parse_count, redeem_token};
use super::server::{MockResponse, RecordedRequest};

/// `GET /v2/notes` default page size (Attio's list-notes default).
const NOTES_LIMIT: usize = 10;
/// `POST /v2/objects/{object}/records/query` default page size.
const RECORDS_LIMIT: usize = 500;
/// `GET /v2/meetings` default page size.
const MEETINGS_LIMIT: usize = 50;

/// `GET /v2/notes?limit=&offset=` → `{"data": [...]}`.
pub(crate) fn list_notes(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let limit = match query_count(request, "limit", NOTES_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let offset = match query_count(request, "offset", 0) {
        Ok(offset) => offset,
        Err(response) => return response,
    };
    if limit == 0 {
        return error("limit must be at least 1");
    }
    MockResponse::json(json!({ "data": page_of(state.data.get(Resource::Notes), offset, limit) }))
}

/// `POST /v2/objects/people/records/query` with `{"limit", "offset", "filter"?,
/// "sorts"?}` → `{"data": [...]}`. Other body fields are accepted and ignored.
///
/// `filter` is applied simply: `{"field": value}` keeps records whose field
/// equals the value (or, for a list field, contains it), and
/// `{"field": {"$eq": v}}` / `{"field": {"$contains": "text"}}` work too.
/// `sorts` is `[{"attribute": "name", "direction": "asc" | "desc"}]`.
pub(crate) fn query_people(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    // Attio accepts an empty body for an unfiltered, unpaged query.
    let body = if request.body.is_empty() {
        Map::new()
    } else {
        match request.json() {
            Some(Value::Object(body)) => body,
            _ => return error("the request body must be a JSON object"),
        }
    };
    let limit = match body_count(&body, "limit", RECORDS_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let offset = match body_count(&body, "offset", 0) {
        Ok(offset) => offset,
        Err(response) => return response,
    };
    if limit == 0 {
        return error("limit must be at least 1");
    }
    let mut people = Vec::new();
    for person in state.data.get(Resource::People) {
        match body.get("filter").map_or(Ok(true), |filter| matches(filter, person)) {
            Ok(true) => people.push(person.clone()),
            Ok(false) => {}
            Err(message) => return error(&message),
        }
    }
    match body.get("sorts") {
        None | Some(Value::Null) => {}
        Some(Value::Array(sorts)) => {
            // Sorting by the last key first leaves the first key the most significant.
            for sort in sorts.iter().rev() {
                let Some(attribute) =
                    sort.get("attribute").or_else(|| sort.get("field")).and_then(Value::as_str)
                else {
                    return error("every sort needs an attribute");
                };
                let descending = match sort.get("direction").and_then(Value::as_str) {
                    None | Some("asc") => false,
                    Some("desc") => true,
                    Some(other) => {
                        return error(&format!("direction must be asc or desc, got {other:?}"));
                    }
                };
                sort_records(&mut people, attribute, descending);
            }
        }
        Some(_) => return error("sorts must be an array"),
    }
    MockResponse::json(json!({ "data": page_of(&people, offset, limit) }))
}

/// `GET /v2/meetings?limit=&cursor=` → `{"data": [...], "pagination":
/// {"next_cursor": "..." | null}}`.
///
/// Attio asks clients to keep `limit` constant between requests, so a cursor
/// sent with another `limit` than it was issued for is a `400`.
pub(crate) fn list_meetings(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let limit = match query_count(request, "limit", MEETINGS_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    if limit == 0 {
        return error("limit must be at least 1");
    }
    let position = match request.query("cursor") {
        None => 0,
        Some(cursor) => match redeem_token(TokenScope::Meetings, &cursor) {
            Some(claims) if claims.binding == limit as u64 => claims.position,
            Some(claims) => {
                return error(&format!(
                    "cursor was issued for limit={} but this request has limit={limit}; keep the \
                     limit constant between requests",
                    claims.binding
                ));
            }
            None => {
                return error(&format!(
                    "cursor {cursor:?} is not a cursor this API issued; pass \
                     pagination.next_cursor back exactly as received"
                ));
            }
        },
    };
    let meetings = state.data.get(Resource::Meetings);
    let next_position = position + limit;
    let next_cursor = (next_position < meetings.len()).then(|| {
        issue_token(TokenScope::Meetings, TokenClaims { position: next_position, binding: limit as u64 })
    });
    MockResponse::json(json!({
        "data": page_of(meetings, position, limit),
        "pagination": { "next_cursor": next_cursor },
    }))
}

/// A count from the query string, or `default` when absent.
fn query_count(request: &RecordedRequest, name: &str, default: usize) -> Result<usize, MockResponse> {
    match request.query(name) {
        None => Ok(default),
        Some(raw) => parse_count(&raw)
            .ok_or_else(|| error(&format!("{name} must be a non-negative integer, got {raw:?}"))),
    }
}

/// A count from the JSON body, or `default` when absent or null.
fn body_count(body: &Map<String, Value>, name: &str, default: usize) -> Result<usize, MockResponse> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => json_count(value)
            .ok_or_else(|| error(&format!("{name} must be a non-negative integer, got {value}"))),
    }
}

/// Attio's validation error body.
fn error(message: &str) -> MockResponse {
    MockResponse::status(
        400,
        json!({
            "status_code": 400,
            "type": "invalid_request_error",
            "code": "validation_type",
            "message": message,
        }),
    )
}

/// Whether `record` passes the simple `filter` object.
fn matches(filter: &Value, record: &Value) -> Result<bool, String> {
    let Value::Object(conditions) = filter else {
        return Err(format!("filter must be an object, got {filter}"));
    };
    for (field, condition) in conditions {
        let actual = record.get(field).unwrap_or(&Value::Null);
        let hit = match condition {
            Value::Object(operators) => {
                let mut hit = true;
                for (operator, expected) in operators {
                    hit &= match operator.as_str() {
                        "$eq" => equals(actual, expected),
                        "$contains" => contains(actual, expected),
                        other => return Err(format!("unsupported filter operator {other:?}")),
                    };
                }
                hit
            }
            expected => equals(actual, expected),
        };
        if !hit {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Equality, where a list field equals a value it holds (Attio's multi-value attributes).
fn equals(actual: &Value, expected: &Value) -> bool {
    match actual {
        Value::Array(values) => values.contains(expected),
        _ => actual == expected,
    }
}

fn contains(actual: &Value, expected: &Value) -> bool {
    let Some(needle) = expected.as_str() else {
        return false;
    };
    match actual {
        Value::String(text) => text.contains(needle),
        Value::Array(values) => values.iter().filter_map(Value::as_str).any(|text| text.contains(needle)),
        _ => false,
    }
}
