//! Runtime behaviour of `#[derive(Paginated)]`: decode real-looking JSON and
//! check `SPEC`, `signals()`, `items()` and `take_items()`.

use paginated::de::Lenient;
use paginated::{Cursor, Paginated, Signals, Spec, Style, Target};
use serde::Deserialize;

fn decode<T: Paginated + serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap()
}

// Intercom `GET /contacts`: `pages.next.starting_after`, with `next` absent on the last page.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after")]
#[paginate(page_size_param = "per_page", page_size = 50, max_page_size = 150)]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
    pages: Pages,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Contact {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Pages {
    next: Option<Next>,
}

#[derive(Debug, Deserialize)]
struct Next {
    starting_after: String,
}

#[test]
fn intercom_contacts_spec() {
    assert_eq!(
        Contacts::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Query("starting_after")),
            page_size: Some(Target::Query("per_page")),
            default_page_size: Some(50),
            max_page_size: Some(150),
            items_path: Some(&["data"]),
            ..Spec::DEFAULT
        }
    );
}

#[test]
fn intercom_contacts_cursor() {
    let page: Contacts =
        decode(r#"{"data": [{"id": "1"}, {"id": "2"}], "pages": {"next": {"starting_after": "WzE3MDk="}}}"#);
    assert_eq!(page.signals(), Signals { cursor: Cursor::text("WzE3MDk="), ..Signals::default() });
    assert_eq!(page.items().len(), 2);
}

#[test]
fn absent_next_is_no_cursor() {
    let page: Contacts = decode(r#"{"data": [], "pages": {}}"#);
    assert_eq!(page.signals().cursor, None);
    let page: Contacts = decode(r#"{"data": [], "pages": {"next": null}}"#);
    assert_eq!(page.signals().cursor, None);
}

#[test]
fn empty_cursor_is_no_cursor() {
    let page: Contacts = decode(r#"{"data": [], "pages": {"next": {"starting_after": ""}}}"#);
    assert_eq!(page.signals().cursor, None);
}

#[test]
fn cursor_bytes_are_preserved() {
    let page: Contacts = decode(r#"{"data": [], "pages": {"next": {"starting_after": "a+b/c==\n d"}}}"#);
    let cursor = page.signals().cursor.unwrap();
    assert_eq!(cursor.as_text(), "a+b/c==\n d");
}

#[test]
fn items_and_take_items() {
    let mut page: Contacts = decode(r#"{"data": [{"id": "1"}, {"id": "2"}], "pages": {}}"#);
    assert_eq!(page.items(), [Contact { id: "1".into() }, Contact { id: "2".into() }]);
    let taken = page.take_items();
    assert_eq!(taken.len(), 2);
    assert!(page.items().is_empty());
    assert!(page.take_items().is_empty());
}

// Intercom `POST /contacts/search`: the cursor and page size go in the JSON body.
#[derive(Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_body = "pagination.starting_after",
    page_size_body = "pagination.per_page",
    page_size = 25,
    stop_on_empty_page
)]
struct ContactSearch {
    #[paginate(items)]
    data: Vec<Contact>,
    pages: SearchPages,
    total_count: u64,
}

#[derive(Deserialize)]
struct SearchPages {
    next: Option<Next>,
    #[serde(default)]
    total_pages: Option<Lenient<u64>>,
}

#[test]
fn intercom_search_body_targets() {
    assert_eq!(
        ContactSearch::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Body(&["pagination", "starting_after"])),
            page_size: Some(Target::Body(&["pagination", "per_page"])),
            default_page_size: Some(25),
            stop_on_empty_page: true,
            items_path: Some(&["data"]),
            ..Spec::DEFAULT
        }
    );
    let page: ContactSearch = decode(
        r#"{"data": [{"id": "9"}], "total_count": 3, "pages": {"next": {"starting_after": "abc"}, "total_pages": "3"}}"#,
    );
    assert_eq!(page.signals().cursor, Cursor::text("abc"));
    assert_eq!(page.total_count, 3);
    assert_eq!(page.pages.total_pages.map(|n| *n), Some(3));
}

// Counts and flags, with a number-or-string `total_pages`.
#[derive(Deserialize, Paginated)]
#[paginate(
    style = "page",
    page_param = "page",
    has_more = "meta.has_more",
    is_last = "meta.is_last",
    total = "meta.total",
    total_pages = "meta.total_pages"
)]
struct Counted {
    #[paginate(items)]
    items: Vec<u32>,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    has_more: bool,
    is_last: Option<bool>,
    total: i64,
    total_pages: Lenient<u64>,
}

#[test]
fn flags_and_counts() {
    let page: Counted = decode(
        r#"{"items": [1, 2], "meta": {"has_more": true, "is_last": null, "total": 12, "total_pages": "6"}}"#,
    );
    assert_eq!(
        page.signals(),
        Signals {
            has_more: Some(true),
            is_last: None,
            total: Some(12),
            total_pages: Some(6),
            ..Signals::default()
        }
    );
    let page: Counted = decode(
        r#"{"items": [], "meta": {"has_more": false, "is_last": true, "total": -1, "total_pages": 6}}"#,
    );
    // A negative count is not a count.
    assert_eq!(
        page.signals(),
        Signals {
            has_more: Some(false),
            is_last: Some(true),
            total: None,
            total_pages: Some(6),
            ..Signals::default()
        }
    );
}

// A numeric cursor, at the top level.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_id", cursor_param = "since_id", has_more = "has_more")]
struct Numeric {
    #[paginate(items)]
    data: Vec<serde_json::Value>,
    next_id: Option<u64>,
    has_more: bool,
}

#[test]
fn numeric_cursor() {
    let page: Numeric = decode(r#"{"data": [], "next_id": 42, "has_more": true}"#);
    let cursor = page.signals().cursor.unwrap();
    assert_eq!(cursor.as_text(), "42");
    assert_eq!(cursor.to_json(), serde_json::json!(42));
    let page: Numeric = decode(r#"{"data": [], "next_id": null, "has_more": false}"#);
    assert_eq!(page.signals(), Signals { has_more: Some(false), ..Signals::default() });
}

// Box and Option<Box<..>> segments.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "outer.inner.next.cursor", cursor_param = "cursor")]
#[paginate(total = "outer.count")]
struct Boxed {
    #[paginate(items)]
    data: Vec<u8>,
    outer: Box<Outer>,
}

#[derive(Deserialize)]
struct Outer {
    inner: Option<Box<Inner>>,
    count: Box<u32>,
}

#[derive(Deserialize)]
struct Inner {
    next: Box<Option<Link>>,
}

#[derive(Deserialize)]
struct Link {
    cursor: Box<str>,
}

#[test]
fn box_and_option_box_segments() {
    let page: Boxed = decode(r#"{"data": [1], "outer": {"count": 7, "inner": {"next": {"cursor": "c1"}}}}"#);
    assert_eq!(page.signals(), Signals { cursor: Cursor::text("c1"), total: Some(7), ..Signals::default() });
    let page: Boxed = decode(r#"{"data": [], "outer": {"count": 7, "inner": {"next": null}}}"#);
    assert_eq!(page.signals().cursor, None);
    let page: Boxed = decode(r#"{"data": [], "outer": {"count": 0, "inner": null}}"#);
    assert_eq!(page.signals(), Signals { total: Some(0), ..Signals::default() });
}

// Offset and page styles always stop on an empty page.
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", max_page_size = 500)]
#[paginate(max_offset = 10000, stop_on_short_page)]
struct Offsets {
    #[paginate(items)]
    data: Vec<u32>,
}

#[derive(Deserialize, Paginated)]
#[paginate(style = "page", page_body = "paging.page", first_page = 0, page_size_body = "paging.size")]
#[paginate(page_size = 10, max_offset = 1000, stop_on_empty_page = false)]
struct Pages0 {
    #[paginate(items)]
    results: Vec<u32>,
}

#[test]
fn offset_and_page_specs() {
    assert_eq!(
        Offsets::SPEC,
        Spec {
            style: Style::Offset,
            offset: Some(Target::Query("offset")),
            page_size: Some(Target::Query("limit")),
            max_page_size: Some(500),
            max_offset: Some(10000),
            stop_on_short_page: true,
            stop_on_empty_page: true,
            items_path: Some(&["data"]),
            ..Spec::DEFAULT
        }
    );
    assert_eq!(
        Pages0::SPEC,
        Spec {
            style: Style::Page,
            page: Some(Target::Body(&["paging", "page"])),
            first_page: 0,
            page_size: Some(Target::Body(&["paging", "size"])),
            default_page_size: Some(10),
            max_offset: Some(1000),
            stop_on_empty_page: true,
            items_path: Some(&["results"]),
            ..Spec::DEFAULT
        }
    );
    let page: Offsets = decode(r#"{"data": [1, 2, 3]}"#);
    assert_eq!(page.signals(), Signals::default());
}

// A generic envelope.
#[derive(Deserialize, Paginated)]
#[serde(bound = "T: serde::de::DeserializeOwned")]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
struct List<T>
where
    T: Clone,
{
    #[paginate(items)]
    data: Vec<T>,
    next: Option<String>,
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
struct Company {
    name: String,
}

#[test]
fn generic_envelope() {
    let page: List<Company> = decode(r#"{"data": [{"name": "Acme"}], "next": "n2"}"#);
    assert_eq!(page.signals().cursor, Cursor::text("n2"));
    assert_eq!(page.items(), [Company { name: "Acme".into() }]);
    let page: List<u64> = decode(r#"{"data": [1, 2], "next": null}"#);
    assert_eq!(page.items(), [1, 2]);
    assert_eq!(<List<u64> as Paginated>::SPEC.cursor, Some(Target::Query("after")));
}

// Items at a nested path (Attio-like `{"data": {"records": [...]}}`).
#[derive(Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "offset", items = "data.records", item_type = "Record")]
struct Nested {
    data: RecordPage,
}

#[derive(Deserialize)]
struct RecordPage {
    records: Vec<Record>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Record {
    id: u32,
}

#[test]
fn items_at_a_path() {
    let mut page: Nested = decode(r#"{"data": {"records": [{"id": 1}, {"id": 2}]}}"#);
    assert_eq!(page.items(), [Record { id: 1 }, Record { id: 2 }]);
    assert_eq!(page.take_items(), vec![Record { id: 1 }, Record { id: 2 }]);
    assert!(page.items().is_empty());
}

// `crate = "..."`: generated code names the runtime through the given path.
mod renamed {
    pub use paginated as runtime;
}

#[derive(Deserialize, Paginated)]
#[paginate(
    crate = "renamed::runtime",
    style = "cursor",
    cursor_field = "r#type.next",
    cursor_param = "after"
)]
struct Overridden {
    #[paginate(items)]
    data: Vec<u8>,
    r#type: Kind,
}

#[derive(Deserialize)]
struct Kind {
    next: String,
}

#[test]
fn crate_override_and_raw_identifiers() {
    let page: Overridden = decode(r#"{"data": [], "type": {"next": "x"}}"#);
    assert_eq!(page.signals().cursor, Cursor::text("x"));
    assert_eq!(Overridden::SPEC.cursor, Some(Target::Query("after")));
}

// Microsoft Graph `GET /users`: the next page's URL is a response field.
#[derive(Deserialize, Paginated)]
#[paginate(style = "link", next_url = "next_link", page_size_param = "$top", page_size = 100)]
struct GraphUsers {
    #[paginate(items)]
    value: Vec<serde_json::Value>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

#[test]
fn next_url_field() {
    assert_eq!(
        GraphUsers::SPEC,
        Spec {
            style: Style::Link,
            page_size: Some(Target::Query("$top")),
            default_page_size: Some(100),
            next_url_field: true,
            items_path: Some(&["value"]),
            ..Spec::DEFAULT
        }
    );
    assert_eq!(GraphUsers::SPEC.position_target(), None);
    let url = "https://graph.microsoft.com/v1.0/users?$top=100&$skiptoken=X%2B1";
    let page: GraphUsers = decode(&format!(r#"{{"value": [{{"id": 1}}], "@odata.nextLink": "{url}"}}"#));
    assert_eq!(page.signals(), Signals { next_url: Some(url.to_owned()), ..Signals::default() });
    let page: GraphUsers = decode(r#"{"value": []}"#);
    assert_eq!(page.signals().next_url, None);
    let page: GraphUsers = decode(r#"{"value": [], "@odata.nextLink": ""}"#);
    assert_eq!(page.signals().next_url, None);
}

// GitHub: the next page is the `Link` header's `rel="next"`, which the runtime reads.
#[derive(Deserialize, Paginated)]
#[paginate(style = "link", page_size_header = "X-Per-Page", page_size = 30)]
struct Issues {
    #[paginate(items)]
    issues: Vec<u32>,
}

#[test]
fn link_header_style() {
    assert_eq!(
        Issues::SPEC,
        Spec {
            style: Style::Link,
            page_size: Some(Target::Header("X-Per-Page")),
            default_page_size: Some(30),
            items_path: Some(&["issues"]),
            ..Spec::DEFAULT
        }
    );
    let page: Issues = decode(r#"{"issues": [1, 2]}"#);
    assert_eq!(page.signals(), Signals::default());
}

// Stripe `GET /v1/charges`: `starting_after` is the `id` of the last object of the page.
#[derive(Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_item_field = "id",
    cursor_param = "starting_after",
    has_more = "has_more"
)]
struct Charges {
    #[paginate(items)]
    data: Vec<Contact>,
    has_more: bool,
}

#[test]
fn cursor_from_the_last_item() {
    assert_eq!(Charges::SPEC.cursor, Some(Target::Query("starting_after")));
    let page: Charges = decode(r#"{"data": [{"id": "ch_1"}, {"id": "ch_2"}], "has_more": true}"#);
    assert_eq!(
        page.signals(),
        Signals { cursor: Cursor::text("ch_2"), has_more: Some(true), ..Signals::default() }
    );
    // An empty page has no last item: no cursor, so the walk ends.
    let page: Charges = decode(r#"{"data": [], "has_more": true}"#);
    assert_eq!(page.signals(), Signals { has_more: Some(true), ..Signals::default() });
}

// Elasticsearch `search_after`: the last hit's `sort` array, hits at a nested path.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "sort", cursor_body = "search_after")]
#[paginate(items = "hits.hits", item_type = "Hit", page_size_body = "size", page_size = 2)]
struct Search {
    hits: Hits,
}

#[derive(Deserialize)]
struct Hits {
    hits: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    sort: Vec<serde_json::Value>,
}

#[test]
fn json_array_cursor_from_the_last_item() {
    let page: Search =
        decode(r#"{"hits": {"hits": [{"sort": [1700000000, "doc#6"]}, {"sort": [1700000001, "doc#7"]}]}}"#);
    let cursor = page.signals().cursor.unwrap();
    assert_eq!(cursor.to_json(), serde_json::json!([1_700_000_001, "doc#7"]));
    assert_eq!(cursor.as_text(), r#"[1700000001,"doc#7"]"#);
    let page: Search = decode(r#"{"hits": {"hits": []}}"#);
    assert_eq!(page.signals().cursor, None);
    // A hit without sort values has no cursor either.
    let page: Search = decode(r#"{"hits": {"hits": [{"sort": []}]}}"#);
    assert_eq!(page.signals().cursor, None);
}

// The cursor comes in a response header and goes back in a request header.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_header = "X-Next-Cursor", cursor_request_header = "X-Cursor")]
#[paginate(first_cursor = "", stop_on_empty_page)]
struct HeaderCursor {
    #[paginate(items)]
    data: Vec<u32>,
}

// A server cursor that is already percent-encoded, and a start cursor of `*` (Solr `cursorMark`).
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next_cursor_mark", cursor_param = "cursorMark", cursor_encoded)]
#[paginate(first_cursor = "*")]
struct Solr {
    #[paginate(items)]
    docs: Vec<u32>,
    next_cursor_mark: String,
}

#[test]
fn header_targets_encoded_and_first_cursor() {
    assert_eq!(
        HeaderCursor::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Header("X-Cursor")),
            cursor_header: Some("X-Next-Cursor"),
            first_cursor: Some(""),
            stop_on_empty_page: true,
            items_path: Some(&["data"]),
            ..Spec::DEFAULT
        }
    );
    // Nothing is read from the body: the runtime fills the cursor from the header.
    let page: HeaderCursor = decode(r#"{"data": [1]}"#);
    assert_eq!(page.signals(), Signals::default());
    assert_eq!(
        Solr::SPEC,
        Spec {
            style: Style::Cursor,
            cursor: Some(Target::Query("cursorMark")),
            cursor_encoded: true,
            first_cursor: Some("*"),
            items_path: Some(&["docs"]),
            ..Spec::DEFAULT
        }
    );
    let page: Solr = decode(r#"{"docs": [], "next_cursor_mark": "AoE%2FBTE%3D"}"#);
    assert_eq!(page.signals().cursor, Cursor::text("AoE%2FBTE%3D"));
}
