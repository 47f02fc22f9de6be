//! `#[derive(Paginated)]`, the derive macro of the
//! [`paginated`](https://docs.rs/paginated) crate. Use it through `paginated`;
//! this crate is an implementation detail and the attribute reference lives on
//! [`Paginated`](derive@Paginated).
//!
//! The derive runs in stages, one module each: `attr` parses every
//! `#[paginate(...)]` key on its own, `ast` reads the struct's shape (and,
//! through `wire`, the names `#[serde(...)]` gives its fields), `check`
//! applies the rules that involve several keys, and `expand` writes the impl —
//! or, when anything was reported, `compile_error!`s and a stub impl so that
//! code using the type reports nothing more.
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
#[cfg(test)]
mod fuzz;
mod symbol;
#[cfg(test)]
mod tests;
mod wire;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `paginated::Paginated` for the struct one page of a paginated
/// endpoint decodes into.
///
/// ```
/// use paginated::Paginated;
/// use serde::Deserialize;
///
/// // Intercom `GET /contacts`:
/// // {"data": [...], "pages": {"next": {"starting_after": "WzE3..."}, "per_page": 50}}
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after")]
/// #[paginate(page_size_param = "per_page", page_size = 50, max_page_size = 150)]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     pages: Pages,
/// }
///
/// #[derive(Deserialize)]
/// struct Pages { next: Option<Next> }
/// #[derive(Deserialize)]
/// struct Next { starting_after: String }
/// #[derive(Deserialize)]
/// struct Contact { id: String }
///
/// let page: Contacts = serde_json::from_str(
///     r#"{"data": [{"id": "1"}], "pages": {"next": {"starting_after": "WzE3"}}}"#,
/// ).unwrap();
/// assert_eq!(page.signals().cursor.unwrap().as_text(), "WzE3");
/// assert_eq!(page.items().len(), 1);
/// assert_eq!(Contacts::SPEC.default_page_size, Some(50));
/// ```
///
/// The struct also needs `Deserialize` (without it, the one error says so),
/// and owns its data: a page cannot borrow from a body that is gone once it is
/// decoded, so a lifetime parameter is an error. Keys may be split across several `#[paginate(...)]` attributes; each key
/// may appear once.
///
/// # The style
///
/// | Key | Meaning |
/// |---|---|
/// | `style = "cursor"` | An opaque token from the response is sent back for the next page. |
/// | `style = "offset"` | A count of items to skip; it advances by the number of items received. |
/// | `style = "page"` | A page number that advances by one. |
/// | `style = "link"` | The next page is a URL: the `rel="next"` link of the `Link` response header, or the field named by `next_url`. |
/// | `style = "custom"` | The escape hatch: `next_state = "f"` (a `fn(&Self) -> Option<serde_json::Value>`, the state of the next request, `None` at the end) and `next_request = "g"` (a `fn(&reqwest::Request, &serde_json::Value) -> reqwest::Request`, the next request built from your first one and that state). Streams, limits, retries, checkpoints (the state is stored) and loop guards all apply; the page-size keys only affect the first request. |
///
/// `style` is required. The keys below marked with a style are only accepted
/// on that style.
///
/// # Where the position goes, and where it comes from
///
/// Every position has exactly one target: a query parameter (`*_param`, any
/// non-empty name), a path of JSON keys in the request body (`*_body`,
/// segments separated by `.`, each any non-empty string) or, for a cursor, a
/// request header (`cursor_request_header`). Header names are HTTP tokens:
/// letters, digits and ``!#$%&'*+-.^_`|~``.
///
/// | Key | Style | Meaning |
/// |---|---|---|
/// | `cursor_field = "a.b.c"` | cursor | The field path of the next cursor in the response. |
/// | `cursor_item_field = "a.b"` | cursor | The field path of the next cursor in the last item of the page (Stripe `starting_after` = the last `id`, Elasticsearch `search_after` = the last hit's `sort`). |
/// | `cursor_header = "X-Next-Cursor"` | cursor | The response header holding the next cursor. |
/// | `cursor_param = "name"` | cursor | Send the cursor as this query parameter. |
/// | `cursor_body = "a.b"` | cursor | Send the cursor at this path of the JSON body. |
/// | `cursor_request_header = "X-Cursor"` | cursor | Send the cursor in this request header. |
/// | `cursor_form = "cursor"` | cursor | Send the cursor as this field of an `application/x-www-form-urlencoded` body (Slack). |
/// | `cursor_encoded` | cursor | The server's cursor is already percent-encoded: put it in the query as it is. Only with `cursor_param`. |
/// | `first_cursor = "*"` | cursor | The cursor to send on the first request (any string, `""` too); by default none is sent. |
/// | `offset_param = "name"` | offset | Send the offset as this query parameter. |
/// | `offset_body = "a.b"` | offset | Send the offset at this path of the JSON body. |
/// | `page_param = "name"` | page | Send the page number as this query parameter. |
/// | `page_body = "a.b"` | page | Send the page number at this path of the JSON body. |
/// | `first_page = 0` | page | The number of the first page: `0` or `1` (default `1`). |
/// | `max_offset = N` | offset, page | The largest 0-based start offset the API accepts: the largest `offset` sent, or for pages the start of a page, `(page - first_page) × page size` (checked when the page size is known). The walk ends with `ErrorKind::MaxOffset` before a request past it. |
/// | `max_page = 300` | page | The largest page number the API accepts, inclusive, counted like the pages sent (with `first_page = 1`, the 300th page is page 300; Freshdesk). The walk ends with `ErrorKind::MaxPage` before a request past it, fan-out included. |
/// | `next_url = "a.b"` | link | The field path of the next page's URL in the response, instead of the `Link` header. |
/// | `keep_params = "access_token"` | link | Query parameters of your request added again to a next URL that lacks them (Canvas); comma-separated; same origin only. |
///
/// A cursor style needs exactly one of `cursor_field`, `cursor_item_field`
/// and `cursor_header` (where the cursor comes from) and exactly one of
/// `cursor_param`, `cursor_body` and `cursor_request_header` (where it goes).
/// An offset or page style needs exactly one of its `*_param` and `*_body`.
/// A link style has no position to place: each next request is the URL the
/// server gave, so a walk ends when there is none.
///
/// ```
/// use paginated::Paginated;
/// use serde::Deserialize;
///
/// // Microsoft Graph: {"value": [...], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=X"}
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "link", next_url = "next_link", page_size_param = "$top", page_size = 100)]
/// struct Users {
///     #[paginate(items)]
///     value: Vec<serde_json::Value>,
///     #[serde(rename = "@odata.nextLink")]
///     next_link: Option<String>,
/// }
///
/// // Stripe: the next cursor is the `id` of the last object of the page.
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_item_field = "id", cursor_param = "starting_after", has_more = "has_more")]
/// struct Charges {
///     #[paginate(items)]
///     data: Vec<Charge>,
///     has_more: bool,
/// }
///
/// #[derive(Deserialize)]
/// struct Charge { id: String }
///
/// let page: Users = serde_json::from_str(r#"{"value": [], "@odata.nextLink": "/users?$skiptoken=X"}"#).unwrap();
/// assert_eq!(page.signals().next_url.as_deref(), Some("/users?$skiptoken=X"));
/// let page: Charges = serde_json::from_str(r#"{"data": [{"id": "ch_1"}, {"id": "ch_2"}], "has_more": true}"#).unwrap();
/// assert_eq!(page.signals().cursor.unwrap().as_text(), "ch_2");
/// ```
///
/// # Page size
///
/// | Key | Meaning |
/// |---|---|
/// | `page_size_param = "name"` | Send the page size as this query parameter. |
/// | `page_size_body = "a.b"` | Send the page size at this path of the JSON body. |
/// | `page_size_header = "X-Page-Size"` | Send the page size in this request header (on every request, link walks included). |
/// | `page_size_form = "limit"` | Send the page size as this field of a form-encoded body. |
/// | `page_size_format = "batchSize={}"` | How the page size is written; `{}` is the number (Salesforce `Sforce-Query-Options`). |
/// | `min_page_size = N` | The smallest page size the API accepts (X requires 10). |
/// | `page_size = N` | The page size to request (at least 1), unless overridden at run time. |
/// | `max_page_size = N` | The largest page size the API accepts (at least 1, and not below `page_size`). |
///
/// At most one of `page_size_param` / `page_size_body` / `page_size_header`;
/// `page_size` and `max_page_size` need one of them. On a link style the page
/// size goes on the first request only: the next URLs carry their own. On a
/// custom style too: these keys (and `Paginator::page_size`) only affect the
/// first request, since `next_request` builds every later one from your
/// request as you wrote it, without the declared page size; put it there if
/// the API needs it again.
///
/// # Stop signals
///
/// All optional and combinable; a walk ends at the first signal that says so.
/// An absent value (a `None` on the way, a JSON `null`) says nothing.
///
/// | Key | Field type | Ends the walk when |
/// |---|---|---|
/// | `has_more = "a.b"` | `bool` | it is `false` |
/// | `is_last = "a.b"` | `bool` | it is `true` (Salesforce `done`, Jira `isLast`) |
/// | `total = "a.b"` | integer | that many items were seen |
/// | `total_pages = "a.b"` | integer | that many pages were seen |
/// | `total_header = "x-total"` | response header | that many items were seen (GitLab); instead of `total` |
/// | `total_pages_header = "x-total-pages"` | response header | that many pages were seen; instead of `total_pages` |
/// | `stop_on_short_page` | — | a page has fewer items than the page size |
/// | `stop_on_empty_page` | — | a page has no items (always on for `offset` and `page`) |
/// | `stop_on_same_cursor` | — | cursor style: the next cursor is the one the page's own request sent (CloudWatch Logs `nextToken`, Solr `cursorMark`); ends with `StopReason::SameCursor`, while a cursor seen on an earlier page (A→B→A) is still a loop error |
/// | `max_pages = N` | — | that many pages were received, on every style (a link walk has no other depth limit); ends with `StopReason::MaxPages`, and `Paginator::max_pages(n)` overrides it. Not `max_page`, the page style's limit on page numbers, which ends with an error |
///
/// The flags are written bare or as `= true` / `= false` (as is
/// `cursor_encoded`). A cursor walk also ends when there is no next cursor
/// (`None`, `null` or `""`; for `cursor_item_field`, an empty page), and a
/// link walk when there is no next URL.
///
/// # Items
///
/// Either mark the field holding the page's items, which must be a `Vec<T>`
/// (then `Item = T`):
///
/// ```ignore
/// #[paginate(items)]
/// data: Vec<Contact>,
/// ```
///
/// or, for items nested in another struct, name them on the struct with their
/// type, which the derive cannot see from there:
///
/// ```ignore
/// #[paginate(items = "data.records", item_type = "Record")]
/// ```
///
/// An `items` path is read with plain field accesses: every segment must be a
/// struct (or `Box`), not an `Option`; the last one is the `Vec<Record>`.
///
/// The runtime also finds the items, and the `api_error` field, in the raw
/// JSON of a page (to compare two pages' items, or to read an error from a page
/// that does not decode), by their serde names: a field's name, or its
/// `#[serde(rename = "...")]` (the `deserialize` one), or the struct's
/// `#[serde(rename_all = "...")]` applied to it. Only the first segment of a
/// path is a field of the deriving struct, whose `#[serde]` attributes the
/// derive can see; later segments (`records` in `items = "data.records"`)
/// are taken as written, so give them the name the JSON uses. A
/// `#[serde(flatten)]` field, or a `#[serde(transparent)]` struct, has no path
/// and is not looked up in the raw JSON.
///
/// # Field paths
///
/// `cursor_field`, `next_url`, `has_more`, `is_last`, `total`, `total_pages`
/// and `items` take a dot-separated path of Rust field names (raw identifiers
/// like `r#type` included) from the struct down to the value;
/// `cursor_item_field`, `dedup_by`, `slice_by` and `since_field` take one from
/// the item type. The derive
/// writes ordinary field accesses, so a typo is rustc's own "no field `nxt`
/// on type `Pages`", pointing at the string; a wrong first segment of a path
/// of the struct (whose fields the derive sees) is reported with the whole
/// path written out again. Paths name Rust fields, not the JSON keys
/// `#[serde(rename)]` reads them from (`next_cursor`, not `nextCursor`), and
/// go neither through a `Vec` (the cursor in the last item is
/// `cursor_item_field`) nor into a `serde_json::Value` (give that part of the
/// response a struct type). On the way down (for every key but
/// `items`), an `Option<T>` field is stepped into when `Some` and ends the
/// read with "absent" when `None`; `Box<T>`, `Option<Box<T>>` and
/// `Box<Option<T>>` work too. The last field may itself be optional:
///
/// | Key | Accepted field types |
/// |---|---|
/// | `cursor_field`, `cursor_item_field` | `String`, `str`, `Cow<str>`, integers, `serde_json::Value`, `Vec<serde_json::Value>`, in `Option`/`Box` |
/// | `next_url` | `String`, `str`, `Cow<str>`, in `Option`/`Box` |
/// | `has_more`, `is_last` | `bool`, in `Option`/`Box` |
/// | `total`, `total_pages` | integers, `paginated::de::Lenient<integer>`, in `Option`/`Box` |
/// | `slice_by`, `since_field` | `String`, `str`, integers, in `Option`/`Box` |
///
/// # Generic pages
///
/// A page generic over its items (`struct List<T> { data: Vec<T>, has_more:
/// bool }`, one type for every endpoint of an API) works as any other, except
/// that the derive cannot see the fields of `T`: the keys that read an item
/// are then written bare, and read through the item type's impl of a small
/// trait, which the impl requires of `T`:
///
/// | Bare key | Trait each item type implements |
/// |---|---|
/// | `cursor_item_field` | `paginated::ItemCursor`: `fn cursor(&self) -> impl CursorValue + '_ { &self.id }` |
/// | `dedup_by` | `paginated::ItemKey`: `fn key(&self) -> impl Hash + '_ { &self.id }` |
/// | `slice_by` | `paginated::ItemSliceKey`: `fn slice_key(&self) -> impl SliceValue + '_ { &self.date_created }` |
///
/// ```
/// use paginated::{CursorValue, ItemCursor, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_item_field, cursor_param = "starting_after", has_more = "has_more")]
/// struct List<T> {
///     #[paginate(items)]
///     data: Vec<T>,
///     has_more: bool,
/// }
///
/// #[derive(Deserialize)]
/// struct Charge { id: String }
///
/// impl ItemCursor for Charge {
///     fn cursor(&self) -> impl CursorValue + '_ { &self.id }
/// }
///
/// let page: List<Charge> = serde_json::from_str(r#"{"data": [{"id": "ch_1"}, {"id": "ch_2"}], "has_more": true}"#).unwrap();
/// assert_eq!(page.signals().cursor.unwrap().as_text(), "ch_2");
/// ```
///
/// A path on a type-parameter item is an error saying so. A bare key works on
/// a concrete item type too (a cursor computed from several fields).
///
/// # Other keys
///
/// | Key | Meaning |
/// |---|---|
/// | `crate = "path"` | The path of the `paginated` crate, if it is not `::paginated` (re-exported or renamed). |
/// | `api_error = "a.b"` | The field where the API reports an error in a 200 body (Slack `error`, GraphQL `errors`): a string, JSON value or list; any value fails the page with `ErrorKind::Api` and the message. The runtime also looks for it in the raw JSON of a page that does not decode (GraphQL `{"data": null, "errors": [...]}`), under its serde name (see below). |
/// | `rate_limit_error = "ratelimited"` | API error values (comma-separated) that mean "rate limited": retried like a 429, honouring `Retry-After`. Compared with the `api_error` value of a 200 body and with the value at `rate_limit_field` in any error body (a 400 or 403 included, not only 2xx); needs one of the two. |
/// | `rate_limit_status = 403` | Statuses besides 429 that mean "rate limited" (GitHub 403, AWS 400): an integer, or a string of comma-separated statuses (`"400, 403"`), each from 100 to 599. With `rate_limit_match` or `rate_limit_field`, such a status counts only when the error body says so too. |
/// | `rate_limit_match = "Rate Limit Exceeded"` | Text whose presence in an error body (case-insensitive) means "rate limited" (Canvas). Without `rate_limit_status`, on any status that is not a success. |
/// | `rate_limit_field = "a[].b"` | A path of JSON keys (not Rust field names) in an error body whose value, compared with `rate_limit_error`, means "rate limited" (AWS `__type`, Linear `errors[].extensions.code`). `[]` is any element of an array, alone or at the end of a key; no indexes. Read on any status that is not a success, and on a 2xx body that does not decode. A value with a namespace, `com.amazon.coral.availability#ThrottlingException`, also matches its last part. Needs `rate_limit_error`. |
/// | `rate_limit_reset_header = "X-Name"` | A response header saying when the limit resets, read besides the common ones (`rate_limit_reset_header = "X-RateLimit-Requests-Reset"`, Linear). Lower-cased at compile time. |
/// | `rate_limit_remaining_header = "X-Name"` | A response header saying how many requests remain, read besides the common ones. Lower-cased at compile time. |
/// | `rate_limit_wait_field = "a.b"` | A path of JSON keys in a rate-limited response's body holding the seconds to wait (Close `error.rate_reset`); same syntax as `rate_limit_field`. |
/// | `cursor_expired_status = 400` | Cursor, link, custom: statuses that mean "the cursor (next URL, state) expired" (Asana 400, an Elasticsearch scroll's 404): an integer, or a string of comma-separated statuses, each from 400 to 599 but 429. With `cursor_expired_match` or `cursor_expired_field`, such a status counts only when the error body says so too. An expired cursor is `ErrorKind::CursorExpired`: not retried, and resuming from its checkpoint cannot help; `Paginator::on_cursor_expired(ExpiredCursorPolicy::Restart { .. })` starts the walk over instead. |
/// | `cursor_expired_match = "expired"` | Cursor, link, custom: text whose presence in an error body (case-insensitive) means the cursor expired (Asana: `"offset"`). Without `cursor_expired_status`, on any status that is not a success. |
/// | `cursor_expired_field = "[].errorCode"` | Cursor, link, custom: a path of JSON keys in an error body whose value, compared with `cursor_expired_error`, means the cursor expired (Salesforce's `[{"errorCode": "INVALID_QUERY_LOCATOR"}]`); same syntax as `rate_limit_field`. Needs `cursor_expired_error`. |
/// | `cursor_expired_error = "INVALID_QUERY_LOCATOR"` | Cursor, link, custom: values (comma-separated) that mean the cursor expired, compared with the value at `cursor_expired_field` and with the `api_error` value of a 200 body (Slack's `invalid_cursor`); needs one of the two. |
/// | `dedup_by = "a.b"` | A field path in the item type (a `Hash` value); an item whose value was already delivered in this walk is dropped. A walk that starts over after an expired cursor tells what it delivered by this key. |
/// | `slice_by = "a.b"` | Offset style: a field path in the item type (a string or an integer) to slice deep walks by; past `max_offset` (or when the server refuses the offset as too deep) the walk restarts at offset 0 with a lower bound set to the last delivered value. The request must be sorted ascending by that field; needs `dedup_by`. |
/// | `slice_param = "name"` / `slice_body = "a.b"` | Offset style: where a slice's lower bound (inclusive) goes; or supply `Paginator::slice_with` at run time. |
/// | `since_field = "a.b"` | Any style: an incremental walk. A field path in the item type (a string, such as an RFC 3339 `updated_at`, or an integer) that grows when an item changes; `Paginator::since(watermark)` starts after a stored watermark, and the streams' `watermark()` is where the next run starts. Items the watermark covers are dropped: below its value, or at it and delivered before (recognised by their `dedup_by` key, which is required). RFC 3339 timestamps compare as instants. |
/// | `since_param = "name"` / `since_body = "a.b"` / `since_header = "X-Name"` | Where an incremental walk's start (the watermark's value, inclusive) goes, on every request (a link walk: the query or body of the first request only; the next URLs carry it); or supply `Paginator::since_with` at run time. Need `since_field`; at most one. |
///
/// # What it generates
///
/// An `impl Paginated for Name` (with the struct's generics, and for a
/// generic struct bounded by `Self: DecodePage`, that is by `Deserialize`) whose `SPEC` holds the declared values and whose
/// `signals`, `items` and `items_mut` read the declared fields. Mistakes in
/// the attributes are reported all at once, on the key or value to change.
#[proc_macro_derive(Paginated, attributes(paginate))]
pub fn derive_paginated(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
