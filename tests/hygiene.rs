//! The generated code names everything by absolute path and lints cleanly,
//! whatever the user's module has in scope.

/// Every prelude name the generated code could lean on is shadowed here.
#[allow(dead_code, non_camel_case_types, clippy::all, clippy::pedantic)]
mod shadowed {
    use paginated::Paginated;
    use serde::Deserialize;

    struct Option;
    struct Result;
    struct Some;
    struct None;
    struct Vec;
    struct Box;
    struct Default;
    struct Cursor;
    struct Hop;
    mod core {}
    mod std {}
    mod serde_json {}
    trait DeserializeOwned {}
    fn take() {}

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "pages.next.after", cursor_param = "after")]
    #[paginate(has_more = "pages.more", total = "pages.total", page_size_param = "n", page_size = 5)]
    pub struct Page {
        #[paginate(items)]
        data: ::std::vec::Vec<::std::string::String>,
        pages: Pages,
    }

    #[derive(Deserialize)]
    struct Pages {
        next: ::core::option::Option<Next>,
        more: ::core::primitive::bool,
        total: ::core::primitive::u32,
    }

    #[derive(Deserialize)]
    struct Next {
        after: ::std::string::String,
    }

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "page", page_param = "p", items = "body.rows", item_type = "::core::primitive::u8")]
    pub struct Rows {
        body: Body,
    }

    #[derive(Deserialize)]
    struct Body {
        rows: ::std::vec::Vec<::core::primitive::u8>,
    }

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "link", next_url = "links.next", page_size_header = "X-Size", page_size = 2)]
    pub struct Linked {
        #[paginate(items)]
        data: ::std::vec::Vec<::core::primitive::u8>,
        links: Links,
    }

    #[derive(Deserialize)]
    struct Links {
        next: ::core::option::Option<::std::string::String>,
    }

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_item_field = "id", cursor_request_header = "X-Cursor")]
    #[paginate(first_cursor = "*")]
    pub struct LastItem {
        #[paginate(items)]
        data: ::std::vec::Vec<Item>,
    }

    #[derive(Deserialize)]
    pub struct Item {
        id: ::core::primitive::u64,
    }
}

/// The derive under strict lints, with the runtime's names imported so that a
/// needlessly qualified path in the generated code would be reported.
#[deny(warnings, unused_qualifications, unused_results, clippy::all, clippy::pedantic)]
mod strict {
    #![allow(dead_code)]

    use paginated::{CountValue, Cursor, CursorValue, FlagValue, Paginated, Signals, Spec, Style, Target};
    use serde::Deserialize;

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_field = "meta.next", cursor_body = "page.after")]
    #[paginate(is_last = "meta.done", total_pages = "meta.pages", stop_on_empty_page)]
    pub struct Page<T: Clone> {
        #[paginate(items)]
        pub data: Vec<T>,
        meta: Box<Meta>,
    }

    #[derive(Deserialize)]
    struct Meta {
        next: Option<String>,
        done: bool,
        pages: Option<u64>,
    }

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "link", next_url = "next", stop_on_empty_page)]
    pub struct Linked {
        #[paginate(items)]
        pub data: Vec<Hit>,
        next: Option<Box<str>>,
    }

    #[derive(Deserialize, Paginated)]
    #[paginate(style = "cursor", cursor_item_field = "meta.sort", cursor_param = "after", cursor_encoded)]
    #[paginate(items = "hits.rows", item_type = "Hit")]
    pub struct Hits {
        hits: Rows,
    }

    #[derive(Deserialize)]
    struct Rows {
        rows: Vec<Hit>,
    }

    #[derive(Deserialize)]
    pub struct Hit {
        meta: Option<HitMeta>,
    }

    #[derive(Deserialize)]
    struct HitMeta {
        sort: Vec<serde_json::Value>,
    }

    pub fn uses(page: &Page<u8>) -> (Signals, Spec, Style, Option<Target>, Option<Cursor>) {
        let signals = page.signals();
        let by_trait = (
            CursorValue::to_cursor(&page.meta.next),
            FlagValue::to_flag(&page.meta.done),
            CountValue::to_count(&page.meta.pages),
        );
        let spec = <Page<u8> as Paginated>::SPEC;
        (signals, spec, spec.style, spec.cursor, by_trait.0)
    }
}

#[test]
fn shadowed_names() {
    use paginated::Paginated;
    let page: shadowed::Page = serde_json::from_str(
        r#"{"data": ["a"], "pages": {"next": {"after": "c"}, "more": true, "total": 3}}"#,
    )
    .unwrap();
    let signals = page.signals();
    assert_eq!(signals.cursor.as_ref().map(ToString::to_string).as_deref(), Some("c"));
    assert_eq!((signals.has_more, signals.total), (Some(true), Some(3)));
    assert_eq!(page.items(), ["a"]);
    let rows: shadowed::Rows = serde_json::from_str(r#"{"body": {"rows": [1, 2]}}"#).unwrap();
    assert_eq!(rows.items(), [1, 2]);
    let linked: shadowed::Linked = serde_json::from_str(r#"{"data": [], "links": {"next": "/p2"}}"#).unwrap();
    assert_eq!(linked.signals().next_url.as_deref(), Some("/p2"));
    let last: shadowed::LastItem = serde_json::from_str(r#"{"data": [{"id": 4}, {"id": 5}]}"#).unwrap();
    assert_eq!(last.signals().cursor.as_ref().map(ToString::to_string).as_deref(), Some("5"));
}

#[test]
fn strict_lints() {
    use paginated::Paginated;
    let page: strict::Page<u8> =
        serde_json::from_str(r#"{"data": [7], "meta": {"next": "n", "done": false, "pages": 2}}"#).unwrap();
    let (signals, spec, ..) = strict::uses(&page);
    assert_eq!(signals.is_last, Some(false));
    assert_eq!(signals.total_pages, Some(2));
    assert!(spec.stop_on_empty_page);
    let linked: strict::Linked = serde_json::from_str(r#"{"data": [], "next": "?page=2"}"#).unwrap();
    assert_eq!(linked.signals().next_url.as_deref(), Some("?page=2"));
    let hits: strict::Hits =
        serde_json::from_str(r#"{"hits": {"rows": [{"meta": null}, {"meta": {"sort": [1]}}]}}"#).unwrap();
    assert_eq!(hits.signals().cursor.map(|c| c.to_string()).as_deref(), Some("[1]"));
}

/// A struct declared by a `macro_rules!` that receives the paths as
/// arguments: the strings and the derive's call site then have different
/// hygiene contexts, and the generated `self` and locals must still resolve.
mod from_macro_rules {
    use paginated::Paginated;
    use serde::Deserialize;

    macro_rules! page {
        ($name:ident, $($key:ident = $value:literal),*) => {
            #[derive(Deserialize, Paginated)]
            #[paginate(style = "cursor", cursor_param = "after", $($key = $value),*)]
            pub struct $name {
                #[paginate(items)]
                pub data: Vec<u8>,
                pub meta: Meta,
            }
        };
    }

    #[derive(Deserialize)]
    pub struct Meta {
        pub next: Option<Box<Next>>,
        pub more: bool,
    }

    #[derive(Deserialize)]
    pub struct Next {
        pub id: u64,
    }

    page!(Nested, cursor_field = "meta.next.id", has_more = "meta.more");

    macro_rules! last_item {
        ($path:literal) => {
            #[derive(Deserialize, Paginated)]
            #[paginate(style = "cursor", cursor_item_field = $path, cursor_param = "after")]
            pub struct LastItem {
                #[paginate(items)]
                pub data: Vec<Next>,
            }
        };
    }
    last_item!("id");

    macro_rules! linked {
        ($path:literal) => {
            #[derive(Deserialize, Paginated)]
            #[paginate(style = "link", next_url = $path)]
            pub struct Linked {
                #[paginate(items)]
                pub data: Vec<u8>,
                pub next: Option<String>,
            }
        };
    }
    linked!("next");

    #[derive(Deserialize)]
    struct Inner {
        rows: Vec<u8>,
    }

    macro_rules! rows {
        ($path:literal) => {
            #[derive(Deserialize, Paginated)]
            #[paginate(style = "offset", offset_param = "o", items = $path, item_type = "u8")]
            pub struct MacroRows {
                inner: Inner,
            }
        };
    }
    rows!("inner.rows");
}

#[test]
fn derive_inside_macro_rules() {
    use paginated::Paginated;
    let page: from_macro_rules::Nested =
        serde_json::from_str(r#"{"data": [1], "meta": {"next": {"id": 9}, "more": true}}"#).unwrap();
    assert_eq!(page.signals().cursor.map(|c| c.to_string()).as_deref(), Some("9"));
    assert_eq!(page.signals().has_more, Some(true));
    let rows: from_macro_rules::MacroRows = serde_json::from_str(r#"{"inner": {"rows": [4, 5]}}"#).unwrap();
    assert_eq!(rows.items(), [4, 5]);
    let last: from_macro_rules::LastItem =
        serde_json::from_str(r#"{"data": [{"id": 1}, {"id": 2}]}"#).unwrap();
    assert_eq!(last.signals().cursor.map(|c| c.to_string()).as_deref(), Some("2"));
    let linked: from_macro_rules::Linked = serde_json::from_str(r#"{"data": [], "next": "/n"}"#).unwrap();
    assert_eq!(linked.signals().next_url.as_deref(), Some("/n"));
}
