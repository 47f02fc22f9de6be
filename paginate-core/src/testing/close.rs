//! Close (seed 003): offset pagination with `_skip`/`_limit` and `has_more`,
//! capped by a per-resource maximum `_limit` and maximum `_skip` (so deep
//! walks slice by `date_created` ranges); and cursor pagination with
//! `_cursor`/`_limit` in the query (events) or `cursor`/`_limit` in the body
//! (advanced filtering).

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::ApiState;
use super::data::{Resource, parse_instant, sort_records};
use super::paging::{
    TokenClaims, TokenScope, fingerprint, fingerprint_json, issue_token, json_count, page_of, parse_count,
    redeem_token,
};
use super::server::{MockResponse, RecordedRequest};

/// The default `_limit` of every Close route here.
const DEFAULT_LIMIT: usize = 100;
/// The default `_limit` of the events route.
const EVENTS_LIMIT: usize = 50;

/// `GET /api/v1/lead/?_skip=&_limit=` → `{"data": [...], "has_more": bool}`.
///
/// Supports `_order_by=date_created` (or `-date_created`, or any other lead
/// field such as `date_updated`; ties are broken by id), the range filters
/// `__gte`, `__gt`, `__lte` and `__lt` on `date_created` and `date_updated`
/// (what an incremental sync sends: `date_updated__gte=`), and
/// `_fields=id,display_name`. Other parameters (`query=`, …) are accepted
/// and ignored.
pub(crate) fn list_leads(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let limit = match query_limit(state, request, DEFAULT_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let skip = match request.query("_skip") {
        None => 0,
        Some(raw) => match parse_count(&raw) {
            Some(skip) => skip,
            None => {
                return error(&format!("_skip must be a non-negative integer, got {raw:?}"));
            }
        },
    };
    if skip > state.close_max_skip {
        return error(&format!(
            "The skip you set is larger than the maximum skip for this resource (max_skip = {}).",
            state.close_max_skip
        ));
    }
    let mut leads = match filtered(state.data.get(Resource::Leads), request) {
        Ok(leads) => leads,
        Err(response) => return response,
    };
    if let Some(order_by) = request.query("_order_by") {
        let (field, descending) = match order_by.strip_prefix('-') {
            Some(field) => (field, true),
            None => (order_by.as_str(), false),
        };
        if leads.first().is_some_and(|lead| lead.get(field).is_none()) {
            return error(&format!("_order_by: leads have no field {field:?}"));
        }
        sort_records(&mut leads, field, descending);
    }
    let data = select_fields(page_of(&leads, skip, limit), request.query("_fields"));
    let has_more = skip + data.len() < leads.len();
    MockResponse::json(json!({ "data": data, "has_more": has_more }))
}

/// `GET /api/v1/event/?_cursor=&_limit=` → `{"data": [...], "cursor_next":
/// "..." | null, "cursor_previous": "..." | null}`.
///
/// An empty `_cursor=` means the first page, as in Close. Filters such as
/// `object_type=lead` or `action=created` are accepted but not applied (the
/// `date_created__*` ranges are); the cursor is bound to every filter, so
/// changing one mid-walk is a `400`.
pub(crate) fn list_events(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let limit = match query_limit(state, request, EVENTS_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let mut filters: Vec<(String, String)> =
        request.query_pairs().into_iter().filter(|(name, _)| !name.starts_with('_')).collect();
    filters.sort();
    let texts: Vec<String> = filters.iter().map(|(name, value)| format!("{name}={value}")).collect();
    let binding = fingerprint(&texts.iter().map(String::as_bytes).collect::<Vec<_>>());
    let position = match request.query("_cursor").filter(|cursor| !cursor.is_empty()) {
        None => 0,
        Some(cursor) => match redeem(TokenScope::Events, &cursor, binding, "filters") {
            Ok(position) => position,
            Err(response) => return response,
        },
    };
    let events = match filtered(state.data.get(Resource::Events), request) {
        Ok(events) => events,
        Err(response) => return response,
    };
    let next = (position + limit < events.len()).then(|| position + limit);
    let previous = (position > 0).then(|| position.saturating_sub(limit));
    let token = |position| issue_token(TokenScope::Events, TokenClaims { position, binding });
    MockResponse::json(json!({
        "data": page_of(&events, position, limit),
        "cursor_next": next.map(token),
        "cursor_previous": previous.map(token),
    }))
}

/// `POST /api/v1/data/search/` with `{"query": {...}, "_limit": N, "cursor":
/// "..." | null}` → `{"data": [...], "cursor": "..." | null}`.
///
/// The query is not evaluated (every lead matches), but the cursor is bound to
/// `query` and `sort`, so a changed body between pages is a `400`.
pub(crate) fn search(state: &ApiState, request: &RecordedRequest) -> MockResponse {
    let Some(Value::Object(body)) = request.json() else {
        return error("the request body must be a JSON object");
    };
    let requested = match body.get("_limit") {
        None | Some(Value::Null) => None,
        Some(value) => match json_count(value) {
            Some(limit) => Some(limit),
            None => return error(&format!("_limit must be a positive integer, got {value}")),
        },
    };
    let limit = match check_limit(state, requested, DEFAULT_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let binding = fingerprint_json(&[body.get("query"), body.get("sort")]);
    let position = match body.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) if cursor.is_empty() => 0,
        Some(Value::String(cursor)) => {
            match redeem(TokenScope::DataSearch, cursor, binding, "query and sort") {
                Ok(position) => position,
                Err(response) => return response,
            }
        }
        Some(other) => return error(&format!("cursor must be a string or null, got {other}")),
    };
    let leads = state.data.get(Resource::Leads);
    let data: Vec<Value> = page_of(leads, position, limit)
        .into_iter()
        .map(|mut lead| {
            lead["__object_type"] = json!("lead");
            lead
        })
        .collect();
    let next = (position + limit < leads.len())
        .then(|| issue_token(TokenScope::DataSearch, TokenClaims { position: position + limit, binding }));
    MockResponse::json(json!({ "data": data, "cursor": next }))
}

/// The page size from the `_limit` query parameter.
fn query_limit(state: &ApiState, request: &RecordedRequest, default: usize) -> Result<usize, MockResponse> {
    let requested = match request.query("_limit") {
        None => None,
        Some(raw) => match parse_count(&raw) {
            Some(limit) => Some(limit),
            None => {
                return Err(error(&format!("_limit must be a positive integer, got {raw:?}")));
            }
        },
    };
    check_limit(state, requested, default)
}

/// The page size, checked against the configured maximum; the default is
/// lowered to the maximum when a test configures a small one.
fn check_limit(state: &ApiState, requested: Option<usize>, default: usize) -> Result<usize, MockResponse> {
    match requested {
        None => Ok(default.min(state.close_max_limit).max(1)),
        // A zero page would report has_more forever.
        Some(0) => Err(error("_limit must be at least 1.")),
        Some(limit) if limit > state.close_max_limit => Err(error(&format!(
            "The limit you set is larger than the maximum limit for this resource (max_limit = {}).",
            state.close_max_limit
        ))),
        Some(limit) => Ok(limit),
    }
}

/// The position of a cursor issued for the same `binding`.
fn redeem(scope: TokenScope, cursor: &str, binding: u64, bound_to: &str) -> Result<usize, MockResponse> {
    match redeem_token(scope, cursor) {
        Some(claims) if claims.binding == binding => Ok(claims.position),
        Some(_) => Err(error(&format!(
            "This cursor was issued for different {bound_to}; keep them unchanged while paginating."
        ))),
        None => Err(error(&format!(
            "Invalid cursor {cursor:?}: pass back the cursor of the previous response exactly as received."
        ))),
    }
}

/// The records inside the request's date ranges (`date_created__gte=`, and
/// `__gt`, `__lte`, `__lt` on any date field). Other filters (`query=`,
/// `object_type=`, …) are accepted but not applied, so a walk still returns
/// the whole dataset and tests can compare against [`MockApi::dataset`].
///
/// [`MockApi::dataset`]: super::MockApi::dataset
fn filtered(records: &[Value], request: &RecordedRequest) -> Result<Vec<Value>, MockResponse> {
    let mut kept = records.to_vec();
    for (name, value) in request.query_pairs() {
        let Some((field, op)) = name.split_once("__") else {
            continue;
        };
        let wanted: fn(Ordering) -> bool = match op {
            "gte" => Ordering::is_ge,
            "gt" => Ordering::is_gt,
            "lte" => Ordering::is_le,
            "lt" => Ordering::is_lt,
            _ => continue,
        };
        // Only date fields take ranges; `x__gte=` on anything else is ignored like other filters.
        if records.first().is_none_or(|r| r[field].as_str().and_then(parse_instant).is_none()) {
            continue;
        }
        let Some(bound) = parse_instant(&value) else {
            return Err(error(&format!("{name}: {value:?} is not an ISO-8601 date")));
        };
        kept.retain(|record| {
            record[field].as_str().and_then(parse_instant).is_some_and(|at| wanted(at.cmp(&bound)))
        });
    }
    Ok(kept)
}

/// Keeps only the comma-separated `_fields` of each record.
fn select_fields(records: Vec<Value>, fields: Option<String>) -> Vec<Value> {
    let Some(fields) = fields else {
        return records;
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    records
        .into_iter()
        .map(|record| {
            let kept: Map<String, Value> = record
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| wanted.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            Value::Object(kept)
        })
        .collect()
}

/// Close's error body.
fn error(message: &str) -> MockResponse {
    MockResponse::status(400, json!({ "error": message }))
}
