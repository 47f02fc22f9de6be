//! Expansion snapshots: `expand::derive` on parsed input, compared as token
//! strings (no pretty-printer dependency) or by the errors it reports.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, parse_quote};

use crate::expand;

fn expand(input: &DeriveInput) -> String {
    expand::derive(input).to_string()
}

fn assert_tokens(actual: &DeriveInput, expected: &TokenStream) {
    let actual = expand(actual);
    let expected = expected.to_string();
    assert_eq!(actual, expected, "\nactual:   {actual}\nexpected: {expected}");
}

/// The messages of the `compile_error!`s in an expansion.
fn errors(input: &DeriveInput) -> Vec<String> {
    let mut messages = Vec::new();
    let mut tokens = expand::derive(input).into_iter().peekable();
    while let Some(token) = tokens.next() {
        if let proc_macro2::TokenTree::Ident(ident) = &token
            && ident == "compile_error"
        {
            let _bang = tokens.next();
            if let Some(proc_macro2::TokenTree::Group(group)) = tokens.next() {
                let lit: syn::LitStr = syn::parse2(group.stream()).expect("a string");
                messages.push(lit.value());
            }
        }
    }
    messages
}

#[test]
fn intercom_contacts() {
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after")]
        #[paginate(page_size_body = "pagination.per_page", page_size = 50, max_page_size = 150)]
        struct Contacts {
            #[paginate(items)]
            data: Vec<Contact>,
            pages: Pages,
        }
    };
    let p = quote!(::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl #p::Paginated for Contacts
            {
                type Item = Contact;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Cursor,
                    cursor: #p::Some(#p::Target::Query("starting_after")),
                    page_size: #p::Some(#p::Target::Body(&["pagination", "per_page"])),
                    default_page_size: #p::Some(50u64),
                    max_page_size: #p::Some(150u64),
                    items_path: #p::Some(&["data"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Signals {
                        cursor: (|| -> #p::Option<_> {
                            use #p::{HopOption as _, HopPlain as _};
                            let __paginate_v = &(*self).pages;
                            let __paginate_v = (&#p::Hop(__paginate_v)).hop()?;
                            let __paginate_v = (&#p::Hop(__paginate_v)).hop()?;
                            let __paginate_v = &(*__paginate_v).next;
                            let __paginate_v = (&#p::Hop(__paginate_v)).hop()?;
                            let __paginate_v = (&#p::Hop(__paginate_v)).hop()?;
                            let __paginate_v = &(*__paginate_v).starting_after;
                            #p::CursorValue::to_cursor(__paginate_v)
                        })(),
                        ..#p::Default::default()
                    }
                }
                fn items(&self) -> &[Contact] {
                    &self.data
                }
                fn items_mut(&mut self) -> &mut #p::Vec<Contact> {
                    &mut self.data
                }
            }
        },
    );
}

#[test]
fn offset_style_always_stops_on_empty_pages() {
    let input = parse_quote! {
        #[paginate(style = "offset", offset_body = "paging.skip", max_offset = 10000, total = "total")]
        #[paginate(crate = "my::paginated")]
        struct Leads<T> where T: Clone {
            #[paginate(items)]
            data: ::std::vec::Vec<T>,
            total: u64,
        }
    };
    let p = quote!(my::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl<T> #p::Paginated for Leads<T>
            where
                Self: #p::DecodePage,
                T: Clone
            {
                type Item = T;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Offset,
                    offset: #p::Some(#p::Target::Body(&["paging", "skip"])),
                    max_offset: #p::Some(10000u64),
                    stop_on_empty_page: true,
                    items_path: #p::Some(&["data"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Signals {
                        total: (|| -> #p::Option<_> {
                            let __paginate_v = &(*self).total;
                            #p::CountValue::to_count(__paginate_v)
                        })(),
                        ..#p::Default::default()
                    }
                }
                fn items(&self) -> &[T] {
                    &self.data
                }
                fn items_mut(&mut self) -> &mut #p::Vec<T> {
                    &mut self.data
                }
            }
        },
    );
}

#[test]
fn page_style_spec_and_items_path() {
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", first_page = 0, stop_on_short_page)]
        #[paginate(stop_on_empty_page = false, items = "data.records", item_type = "Record")]
        struct Records { data: Inner }
    };
    let out = expand(&input);
    let p = quote!(::paginated::__private).to_string();
    for fragment in [
        format!("style : {p} :: Style :: Page"),
        format!("page : {p} :: Some ({p} :: Target :: Query (\"page\"))"),
        "first_page : 0u64".to_owned(),
        "stop_on_short_page : true".to_owned(),
        // Declared false, but an offset or page walk always ends on an empty page.
        "stop_on_empty_page : true".to_owned(),
        "type Item = Record ;".to_owned(),
        "{ let __paginate_self = self ; & __paginate_self . data . records }".to_owned(),
        "{ let __paginate_self = self ; & mut __paginate_self . data . records }".to_owned(),
        format!("fn signals (& self) -> {p} :: Signals {{ {p} :: Default :: default () }}"),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
}

#[test]
fn cursor_flags_and_raw_identifiers() {
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "r#type.next", cursor_body = "a.b-c.d e")]
        #[paginate(has_more = "more", is_last = "done", total_pages = "meta.pages", stop_on_empty_page)]
        struct Page { #[paginate(items)] data: Vec<u8>, r#type: T, more: bool, done: bool, meta: M }
    };
    let out = expand(&input);
    for fragment in [
        "& (* self) . r#type",
        "Target :: Body (& [\"a\" , \"b-c\" , \"d e\"])",
        "stop_on_empty_page : true",
        "has_more : (|| ->",
        "FlagValue :: to_flag (__paginate_v)",
        "total_pages : (|| ->",
    ] {
        assert!(out.contains(fragment), "missing `{fragment}` in\n{out}");
    }
    assert!(!out.contains("compile_error"));
}

#[test]
fn errors_come_with_a_stub() {
    let input = parse_quote! {
        #[paginate(style = "cursor", cursr_field = "next", cursor_param = "after")]
        struct Page { #[paginate(items)] data: Vec<Thing>, next: Option<String> }
    };
    let out = expand(&input);
    let p = quote!(::paginated::__private).to_string();
    assert!(out.contains(&format!("const SPEC : {p} :: Spec = {p} :: Spec :: DEFAULT")), "{out}");
    // The stub keeps the item type, so call sites type-check as usual.
    assert!(out.contains("type Item = Thing ;"), "{out}");
    // A misspelt key is one error, not also "missing `cursor_field`".
    assert_eq!(errors(&input).len(), 1);
    assert!(
        errors(&input)[0]
            .starts_with("unknown `#[paginate]` key `cursr_field`; did you mean `cursor_field`?")
    );
}

#[test]
fn independent_mistakes_are_reported_together() {
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "a..b", cursor_param = "")]
        #[paginate(page_size = 0, bogus, first_page = "one")]
        struct Page { #[paginate(items, whatever)] data: Vec<u8> }
    };
    let messages = errors(&input);
    assert_eq!(
        messages,
        [
            "field path `a..b` has an empty segment; separate field names with single dots, \
             like `cursor_field = \"pages.next.starting_after\"`",
            "empty query parameter name; write it like `cursor_param = \"starting_after\"`",
            "`page_size` must be a positive integer, not 0; like `page_size = 50`",
            "unknown `#[paginate]` key `bogus`\nexpected one of: `style`, `crate`, `cursor_field`, \
             `cursor_item_field`, `cursor_header`, `cursor_param`, `cursor_body`, \
             `cursor_request_header`, `cursor_encoded`, `first_cursor`, `offset_param`, `offset_body`, \
             `max_offset`, `page_param`, `page_body`, `first_page`, `max_page`, `next_url`, `page_size_param`, \
             `page_size_body`, `page_size_header`, `page_size`, `max_page_size`, `has_more`, `is_last`, \
             `total`, `total_pages`, `total_header`, `total_pages_header`, `stop_on_short_page`, `stop_on_empty_page`, `stop_on_same_cursor`, `max_pages`, `dedup_by`, `api_error`, `rate_limit_error`, \
             `rate_limit_status`, `rate_limit_match`, `rate_limit_field`, `rate_limit_reset_header`, \
             `rate_limit_remaining_header`, `rate_limit_wait_field`, `cursor_expired_status`, `cursor_expired_match`, \
             `cursor_expired_field`, `cursor_expired_error`, `cursor_form`, `page_size_form`, `page_size_format`, `min_page_size`, `keep_params`, \
             `next_state`, `next_request`, `slice_by`, `slice_param`, `slice_body`, `since_field`, \
             `since_param`, `since_body`, `since_header`, `items`, `item_type`",
            "`first_page` takes an integer: `first_page = 0`",
            "unknown field key `whatever`\nexpected one of: `items`",
        ]
    );
}

#[test]
fn cross_key_rules() {
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "offset", offset_param = "o", offset_body = "o", page_size_param = "n")]
                #[paginate(page_size_body = "n", page_size = 200, max_page_size = 150)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "`page_size_param` and `page_size_body` cannot both be given; keep one of them",
                "page_size = 200 is above max_page_size = 150",
                "`offset_param` and `offset_body` cannot both be given; keep one of them",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "page", page_param = "p", max_page_size = 5, cursor_param = "c")]
                struct P { d: Vec<u8> }
            },
            &[
                "`P` does not say where the items of a page are: put `#[paginate(items)]` on its `Vec<T>` \
                 field, or add `items = \"data.items\"` and `item_type = \"Contact\"` to the struct",
                "`max_page_size` has nowhere to go: add `page_size_param = \"per_page\"` (a query parameter), \
                 `page_size_body = \"pagination.per_page\"` (a path in the JSON body), \
                 `page_size_header = \"X-Page-Size\"` (a request header) \
                 or `page_size_form = \"limit\"` (a field of a form-encoded body)",
                "`cursor_param` applies to `style = \"cursor\"`; this struct declares `style = \"page\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "offset", offset_param = "o", item_type = "u8")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`item_type` goes with `items = \"...\"`; a `#[paginate(items)]` field takes its item type \
               from its `Vec<T>`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "page", max_offset = 10, page_body = "p")]
                #[paginate(style = "page")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["duplicate key `style`; remove this one"],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
}

#[test]
fn link_header() {
    // GitHub `GET /repos/{owner}/{repo}/issues`: the next page is the `Link` header's `rel="next"`.
    let input = parse_quote! {
        #[paginate(style = "link", page_size_param = "per_page", page_size = 100, max_page_size = 100)]
        struct Issues {
            #[paginate(items)]
            issues: Vec<Issue>,
        }
    };
    let p = quote!(::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl #p::Paginated for Issues
            {
                type Item = Issue;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Link,
                    page_size: #p::Some(#p::Target::Query("per_page")),
                    default_page_size: #p::Some(100u64),
                    max_page_size: #p::Some(100u64),
                    items_path: #p::Some(&["issues"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Default::default()
                }
                fn items(&self) -> &[Issue] {
                    &self.issues
                }
                fn items_mut(&mut self) -> &mut #p::Vec<Issue> {
                    &mut self.issues
                }
            }
        },
    );
}

#[test]
fn graph_next_url() {
    // Microsoft Graph: `{"value": [...], "@odata.nextLink": "https://..."}`.
    let input = parse_quote! {
        #[paginate(style = "link", next_url = "next_link", stop_on_empty_page)]
        struct Users {
            #[paginate(items)]
            value: Vec<User>,
            #[serde(rename = "@odata.nextLink")]
            next_link: Option<String>,
        }
    };
    let p = quote!(::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl #p::Paginated for Users
            {
                type Item = User;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Link,
                    stop_on_empty_page: true,
                    next_url_field: true,
                    items_path: #p::Some(&["value"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Signals {
                        next_url: (|| -> #p::Option<_> {
                            let __paginate_v = &(*self).next_link;
                            #p::CursorValue::to_cursor(__paginate_v)
                        })()
                        .map(|__paginate_cursor| __paginate_cursor.as_text().into_owned()),
                        ..#p::Default::default()
                    }
                }
                fn items(&self) -> &[User] {
                    &self.value
                }
                fn items_mut(&mut self) -> &mut #p::Vec<User> {
                    &mut self.value
                }
            }
        },
    );
}

#[test]
fn stripe_cursor_item_field() {
    // Stripe `GET /v1/charges`: `starting_after` is the `id` of the last object.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_item_field = "id", cursor_param = "starting_after")]
        #[paginate(has_more = "has_more", page_size_param = "limit", max_page_size = 100)]
        struct Charges {
            #[paginate(items)]
            data: Vec<Charge>,
            has_more: bool,
        }
    };
    let p = quote!(::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl #p::Paginated for Charges
            {
                type Item = Charge;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Cursor,
                    cursor: #p::Some(#p::Target::Query("starting_after")),
                    page_size: #p::Some(#p::Target::Query("limit")),
                    max_page_size: #p::Some(100u64),
                    items_path: #p::Some(&["data"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Signals {
                        cursor: match #p::Paginated::items(self).last() {
                            #p::Some(__paginate_item) => (|| -> #p::Option<_> {
                                let __paginate_v = &(*__paginate_item).id;
                                #p::CursorValue::to_cursor(__paginate_v)
                            })(),
                            #p::None => #p::None,
                        },
                        has_more: (|| -> #p::Option<_> {
                            let __paginate_v = &(*self).has_more;
                            #p::FlagValue::to_flag(__paginate_v)
                        })(),
                        ..#p::Default::default()
                    }
                }
                fn items(&self) -> &[Charge] {
                    &self.data
                }
                fn items_mut(&mut self) -> &mut #p::Vec<Charge> {
                    &mut self.data
                }
            }
        },
    );
}

#[test]
fn header_cursor() {
    // The cursor comes in a response header and goes back in a request header.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_header = "X-Next-Cursor", cursor_request_header = "X-Cursor")]
        #[paginate(page_size_header = "X-Page-Size", page_size = 20, first_cursor = "")]
        struct Events {
            #[paginate(items)]
            events: Vec<Event>,
        }
    };
    let p = quote!(::paginated::__private);
    assert_tokens(
        &input,
        &quote! {
            #[automatically_derived]
            impl #p::Paginated for Events
            {
                type Item = Event;
                const SPEC: #p::Spec = #p::Spec {
                    style: #p::Style::Cursor,
                    cursor: #p::Some(#p::Target::Header("X-Cursor")),
                    page_size: #p::Some(#p::Target::Header("X-Page-Size")),
                    default_page_size: #p::Some(20u64),
                    cursor_header: #p::Some("X-Next-Cursor"),
                    first_cursor: #p::Some(""),
                    items_path: #p::Some(&["events"]),
                    ..#p::Spec::DEFAULT
                };
                fn signals(&self) -> #p::Signals {
                    #p::Default::default()
                }
                fn items(&self) -> &[Event] {
                    &self.events
                }
                fn items_mut(&mut self) -> &mut #p::Vec<Event> {
                    &mut self.events
                }
            }
        },
    );
}

#[test]
fn encoded_cursor_and_items_path() {
    // Elasticsearch-like: the last hit's `sort` array, hits under `hits.hits`.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_item_field = "sort", cursor_body = "search_after")]
        #[paginate(items = "hits.hits", item_type = "Hit", first_cursor = "*")]
        struct Search { hits: Hits }
    };
    let out = expand(&input);
    let p = quote!(::paginated::__private).to_string();
    for fragment in [
        format!("cursor : {p} :: Some ({p} :: Target :: Body (& [\"search_after\"]))"),
        format!("first_cursor : {p} :: Some (\"*\")"),
        format!("cursor : match {p} :: Paginated :: items (self) . last ()"),
        "& (* __paginate_item) . sort".to_owned(),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "page_token", cursor_encoded)]
        struct P { #[paginate(items)] d: Vec<u8>, next: String }
    };
    let out = expand(&input);
    assert!(out.contains("cursor_encoded : true"), "{out}");
    assert!(!out.contains("cursor_header"), "{out}");
}

#[test]
fn link_and_header_rules() {
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "link", cursor_param = "after", next_url = "next")]
                struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
            },
            &["`cursor_param` applies to `style = \"cursor\"`; this struct declares `style = \"link\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", page_param = "page", max_offset = 100)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "`page_param` applies to `style = \"page\"`; this struct declares `style = \"link\"`",
                "`max_offset` applies to `style = \"offset\"` and `style = \"page\"`; this struct declares \
                 `style = \"link\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "next", cursor_param = "c", next_url = "next")]
                struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
            },
            &["`next_url` applies to `style = \"link\"`; this struct declares `style = \"cursor\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_param = "c")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`style = \"cursor\"` needs to know where the next cursor comes from: add \
               `cursor_field = \"pages.next.starting_after\"` (a field of the response), \
               `cursor_item_field = \"id\"` (a field of the last item of the page) \
               or `cursor_header = \"X-Next-Cursor\"` (a response header)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_header = "X-Next", cursor_field = "n", cursor_item_field = "id")]
                #[paginate(cursor_param = "c")]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &[
                "`cursor_header` and `cursor_field` cannot both be given; keep one of them",
                "`cursor_header` and `cursor_item_field` cannot both be given; keep one of them",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "n")]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &["`style = \"cursor\"` needs to know where to send the cursor: add \
               `cursor_param = \"starting_after\"` (a query parameter), \
               `cursor_body = \"pagination.starting_after\"` (a path in the JSON body), \
               `cursor_request_header = \"X-Cursor\"` (a request header) \
               or `cursor_form = \"cursor\"` (a field of a form-encoded body)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "n", cursor_request_header = "X-C", cursor_param = "c")]
                #[paginate(page_size_header = "X-N", page_size_body = "n", page_size = 5)]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &[
                "`page_size_header` and `page_size_body` cannot both be given; keep one of them",
                "`cursor_request_header` and `cursor_param` cannot both be given; keep one of them",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "n", cursor_encoded, cursor_request_header = "X-C")]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &["`cursor_encoded` goes with `cursor_param`: only a query parameter is percent-encoded, and \
               this cursor is sent with `cursor_request_header`; remove `cursor_encoded`"],
        ),
        (
            // No target at all: one error, about the target.
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "n", cursor_encoded = false)]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &["`style = \"cursor\"` needs to know where to send the cursor: add \
               `cursor_param = \"starting_after\"` (a query parameter), \
               `cursor_body = \"pagination.starting_after\"` (a path in the JSON body), \
               `cursor_request_header = \"X-Cursor\"` (a request header) \
               or `cursor_form = \"cursor\"` (a field of a form-encoded body)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "offset", offset_param = "o", first_cursor = "*", cursor_encoded)]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &[
                "`first_cursor` applies to `style = \"cursor\"`; this struct declares `style = \"offset\"`",
                "`cursor_encoded` applies to `style = \"cursor\"`; this struct declares `style = \"offset\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_header = "X Next", cursor_request_header = "")]
                #[paginate(page_size_header = "X-Size:", cursor_encoded = "yes", first_cursor = 1)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "`X Next` is not an HTTP header name: ' ' is not allowed in one; use letters, digits and `-`, \
                 like `cursor_header = \"X-Next-Cursor\"`",
                "empty header name; write it like `cursor_request_header = \"X-Cursor\"`",
                "`X-Size:` is not an HTTP header name: ':' is not allowed in one; use letters, digits and `-`, \
                 like `page_size_header = \"X-Page-Size\"`",
                "`cursor_encoded` is a flag: write `cursor_encoded` or `cursor_encoded = false`",
                "`first_cursor` takes a string: `first_cursor = \"*\"`",
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
}

#[test]
fn shapes() {
    let cases: [(DeriveInput, &str); 4] = [
        (
            parse_quote!(
                enum E {
                    A,
                }
            ),
            "`Paginated` cannot be derived for an enum",
        ),
        (parse_quote!(union U { a: u8 }), "`Paginated` cannot be derived for a union"),
        (
            parse_quote!(
                struct T(Vec<u8>);
            ),
            "`Paginated` cannot be derived for a tuple struct",
        ),
        (
            parse_quote!(
                struct U;
            ),
            "`Paginated` cannot be derived for a unit struct",
        ),
    ];
    for (input, expected) in cases {
        let messages = errors(&input);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].starts_with(expected), "{messages:?}");
    }
}

/// The expansion of `input`, which must have no errors.
fn expand_ok(input: &DeriveInput) -> String {
    let out = expand(input);
    assert!(!out.contains("compile_error"), "{out}");
    out
}

#[test]
fn rate_limit_keys() {
    let p = quote!(::paginated::__private).to_string();
    // AWS: `400 {"__type": "ThrottlingException", ...}`; statuses as a string list.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_body = "NextToken")]
        #[paginate(rate_limit_status = "400, 403", rate_limit_field = "__type")]
        #[paginate(rate_limit_error = "ThrottlingException, Throttling")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    let out = expand_ok(&input);
    for fragment in [
        "rate_limit_errors : & [\"ThrottlingException\" , \"Throttling\"]".to_owned(),
        "rate_limit_statuses : & [400u16 , 403u16]".to_owned(),
        format!("rate_limit_field : {p} :: Some (& [\"__type\"])"),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    // Linear: `errors[].extensions.code`, headers lower-cased, an integer status.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after", rate_limit_status = 400)]
        #[paginate(rate_limit_field = "errors[].extensions.code", rate_limit_error = "RATELIMITED")]
        #[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
        #[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
        #[paginate(rate_limit_match = "Rate Limit Exceeded", rate_limit_wait_field = "[].retry_after")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    let out = expand_ok(&input);
    for fragment in [
        "rate_limit_statuses : & [400u16]".to_owned(),
        format!("rate_limit_field : {p} :: Some (& [\"errors\" , \"[]\" , \"extensions\" , \"code\"])"),
        format!("rate_limit_reset_header : {p} :: Some (\"x-ratelimit-requests-reset\")"),
        format!("rate_limit_remaining_header : {p} :: Some (\"x-ratelimit-requests-remaining\")"),
        format!("rate_limit_match : {p} :: Some (\"Rate Limit Exceeded\")"),
        format!("rate_limit_wait_field : {p} :: Some (& [\"[]\" , \"retry_after\"])"),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    // Without the keys, the spec says nothing about rate limits.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    assert!(!expand_ok(&input).contains("rate_limit"));
}

#[test]
fn rate_limit_standalone_keys() {
    // rate_limit_status and rate_limit_match need nothing else.
    let input = parse_quote! {
        #[paginate(style = "link", rate_limit_status = 403, rate_limit_match = "Rate Limit Exceeded")]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    expand_ok(&input);
    let input = parse_quote! {
        #[paginate(style = "link", rate_limit_match = "throttled", rate_limit_wait_field = "error.rate_reset")]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    expand_ok(&input);
}

#[test]
fn rate_limit_mistakes() {
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "abc")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`abc` is not an HTTP status; write numbers from 100 to 599, like `rate_limit_status = 403` \
               or `rate_limit_status = \"400, 403\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = 99, rate_limit_match = "")]
                #[paginate(rate_limit_reset_header = "X RateLimit Reset", rate_limit_wait_field = "")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "99 is not an HTTP status; statuses go from 100 to 599",
                "empty `rate_limit_match`; write the text of an error body that means rate limited, \
                 like `rate_limit_match = \"Rate Limit Exceeded\"`",
                "`X RateLimit Reset` is not an HTTP header name: ' ' is not allowed in one; use letters, \
                 digits and `-`, like `rate_limit_reset_header = \"X-RateLimit-Requests-Reset\"`",
                "empty JSON path; name a key of the body, like `rate_limit_wait_field = \"error.rate_reset\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = 429)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["429 is always a rate limit; remove it"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "400, 429")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["429 is always a rate limit; remove it"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "400,,403")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`rate_limit_status` has an empty entry; separate statuses with single commas, \
               like `rate_limit_status = \"400, 403\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = " ")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["empty `rate_limit_status`; write the statuses that mean rate limited, like \
               `rate_limit_status = 403` or `rate_limit_status = \"400, 403\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "403, 403")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["status 403 is listed twice; remove one"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "600")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["600 is not an HTTP status; statuses go from 100 to 599"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = "99999999999999999999999")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["99999999999999999999999 is not an HTTP status; statuses go from 100 to 599"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = 4.03)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`rate_limit_status` takes a status or a string of comma-separated statuses: \
               `rate_limit_status = 403` or `rate_limit_status = \"400, 403\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = 403, rate_limit_status = 400)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["duplicate key `rate_limit_status`; remove this one"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_error = "x", rate_limit_field = "errors..code")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["JSON path `errors..code` has an empty segment; separate keys with single dots, \
               like `rate_limit_field = \"errors[].extensions.code\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_error = "x", rate_limit_field = "errors[0].code")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`errors[0]` in JSON path `errors[0].code` is not a key: `[]` (any element of an array) goes \
               alone or at the end of a key, like `errors[].code`; indexes are not supported"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_wait_field = "a[]b")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`a[]b` in JSON path `a[]b` is not a key: `[]` (any element of an array) goes \
               alone or at the end of a key, like `errors[].code`; indexes are not supported"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_wait_field = "retry_after[][]")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "`retry_after[][]` in JSON path `retry_after[][]` is not a key: `[]` (any element of an array) \
               goes alone or at the end of a key, like `errors[].code`; indexes are not supported",
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
}

#[test]
fn rate_limit_cross_rules() {
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_status = 400, rate_limit_field = "__type")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`rate_limit_field` reads a value from an error body, but no value is said to mean rate \
               limited: add `rate_limit_error = \"...\"` with the values that mean rate limited, like \
               `rate_limit_error = \"RATELIMITED\"` (several: comma-separated)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_error = "ratelimited")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`rate_limit_error` lists the API errors that mean rate limited, but nothing reads an API \
               error: add `api_error = \"error\"` (the field of the response holding the API's error) or \
               `rate_limit_field = \"errors[].extensions.code\"` (a path in an error body)"],
        ),
        // Syntax errors first: no cross-rule error on top of a bad path.
        (
            parse_quote! {
                #[paginate(style = "link", rate_limit_field = "")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "empty JSON path; name a key of the body, like `rate_limit_field = \"errors[].extensions.code\"`",
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
    for input in [
        parse_quote! {
            #[paginate(style = "link", api_error = "error", rate_limit_error = "ratelimited")]
            struct P { #[paginate(items)] d: Vec<u8>, error: Option<String> }
        },
        parse_quote! {
            #[paginate(style = "link", rate_limit_field = "__type", rate_limit_error = "Throttling")]
            struct P { #[paginate(items)] d: Vec<u8> }
        },
    ] {
        expand_ok(&input);
    }
}

#[test]
fn wire_paths_follow_serde_names() {
    let p = quote!(::paginated::__private).to_string();
    let spec_path = |input: &DeriveInput, name: &str| -> Option<String> {
        let out = expand_ok(input);
        let start = out.find(&format!("{name} : {p} :: Some (& ["))?;
        let rest = &out[start..];
        let list = &rest[rest.find('[').expect("a list") + 1..rest.find(']').expect("a list")];
        Some(list.replace(" , ", ","))
    };
    let cases: [(DeriveInput, Option<&str>, Option<&str>); 8] = [
        // No serde attributes: the Rust names.
        (
            parse_quote! {
                #[paginate(style = "link", api_error = "errors")]
                struct P { #[paginate(items)] data: Vec<u8>, errors: Option<Vec<E>> }
            },
            Some(r#""errors""#),
            Some(r#""data""#),
        ),
        // A field rename wins over rename_all; later segments stay as written.
        (
            parse_quote! {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase", deny_unknown_fields)]
                #[paginate(style = "link", api_error = "error_info.error_message")]
                #[paginate(items = "result_set.all_items", item_type = "u8")]
                struct P {
                    #[serde(rename = "@error")]
                    error_info: Info,
                    #[serde(default)]
                    result_set: Set,
                }
            },
            Some(r#""@error","error_message""#),
            Some(r#""resultSet","all_items""#),
        ),
        (
            parse_quote! {
                #[serde(rename_all(serialize = "camelCase", deserialize = "PascalCase"))]
                #[paginate(style = "link", api_error = "api_error")]
                struct P {
                    #[serde(rename(serialize = "x", deserialize = "Records"), default)]
                    #[paginate(items)]
                    records: Vec<u8>,
                    #[serde(rename(serialize = "ignored"))]
                    api_error: Option<String>,
                }
            },
            Some(r#""ApiError""#),
            Some(r#""Records""#),
        ),
        (
            parse_quote! {
                #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
                #[paginate(style = "link", api_error = "r#type")]
                struct P { #[paginate(items)] r#items_list: Vec<u8>, r#type: Option<String> }
            },
            Some(r#""TYPE""#),
            Some(r#""ITEMS_LIST""#),
        ),
        (
            parse_quote! {
                #[serde(rename_all = "kebab-case")]
                #[paginate(style = "link")]
                struct P { #[paginate(items)] all_the_items: Vec<u8> }
            },
            None,
            Some(r#""all-the-items""#),
        ),
        // Flattened: the keys are the struct's own, there is no path to give.
        (
            parse_quote! {
                #[paginate(style = "link", api_error = "meta.error")]
                struct P { #[paginate(items)] data: Vec<u8>, #[serde(flatten)] meta: Meta }
            },
            None,
            Some(r#""data""#),
        ),
        // Transparent: the struct is its field.
        (
            parse_quote! {
                #[serde(transparent)]
                #[paginate(style = "link")]
                struct P { #[paginate(items)] data: Vec<u8> }
            },
            None,
            None,
        ),
        // An unknown case or a malformed `#[serde]` leaves the names alone (serde reports it).
        (
            parse_quote! {
                #[serde(rename_all = "Train-Case", what(ever = "x"))]
                #[serde(rename_all)]
                #[paginate(style = "link", api_error = "the_error")]
                struct P { #[serde(rename = 5)] #[paginate(items)] the_data: Vec<u8>, the_error: String }
            },
            Some(r#""the_error""#),
            Some(r#""the_data""#),
        ),
    ];
    for (input, api_error, items) in cases {
        assert_eq!(spec_path(&input, "api_error_path").as_deref(), api_error);
        assert_eq!(spec_path(&input, "items_path").as_deref(), items);
    }
}

#[test]
fn rename_rules() {
    use crate::wire::RenameRule::{
        Camel, Kebab, Lower, Pascal, ScreamingKebab, ScreamingSnake, Snake, Upper,
    };
    // serde_derive's own table (`internals/case.rs`).
    for (original, lower, upper, pascal, camel, snake, screaming, kebab, screaming_kebab) in [
        ("outcome", "outcome", "OUTCOME", "Outcome", "outcome", "outcome", "OUTCOME", "outcome", "OUTCOME"),
        (
            "very_tasty",
            "very_tasty",
            "VERY_TASTY",
            "VeryTasty",
            "veryTasty",
            "very_tasty",
            "VERY_TASTY",
            "very-tasty",
            "VERY-TASTY",
        ),
        ("a", "a", "A", "A", "a", "a", "A", "a", "A"),
        ("z42", "z42", "Z42", "Z42", "z42", "z42", "Z42", "z42", "Z42"),
    ] {
        assert_eq!(Lower.apply_to_field(original), lower);
        assert_eq!(Upper.apply_to_field(original), upper);
        assert_eq!(Pascal.apply_to_field(original), pascal);
        assert_eq!(Camel.apply_to_field(original), camel);
        assert_eq!(Snake.apply_to_field(original), snake);
        assert_eq!(ScreamingSnake.apply_to_field(original), screaming);
        assert_eq!(Kebab.apply_to_field(original), kebab);
        assert_eq!(ScreamingKebab.apply_to_field(original), screaming_kebab);
    }
}

#[test]
fn first_segment_of_a_path() {
    let cases: [(DeriveInput, &str); 4] = [
        (
            parse_quote! {
                #[serde(rename_all = "camelCase")]
                #[paginate(style = "cursor", cursor_field = "nextCursor", cursor_param = "c")]
                struct P { #[paginate(items)] data: Vec<u8>, next_cursor: Option<String> }
            },
            "field paths name Rust fields, not JSON keys: `nextCursor` is the JSON name of field \
             `next_cursor`; write `cursor_field = \"next_cursor\"`",
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "Paging.Next.Cursor", cursor_param = "c")]
                struct P { #[paginate(items)] data: Vec<u8>, paging: Paging }
            },
            "no field `Paging` on `P`; did you mean `cursor_field = \"paging.Next.Cursor\"`?",
        ),
        (
            parse_quote! {
                #[paginate(style = "offset", offset_param = "o", has_more = "data.more")]
                struct P { #[paginate(items)] data: Vec<u8>, more: bool }
            },
            "`data` is a `Vec`, and a field path cannot go through a list; `has_more` names one value \
             of the page, outside the list",
        ),
        (
            parse_quote! {
                #[paginate(style = "offset", offset_param = "o", total = "count")]
                struct P { #[paginate(items)] data: Vec<u8>, meta: Meta }
            },
            "no field `count` on `P`; a path starts at one of its fields: `data`, `meta`",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(&input), [expected]);
    }
}

#[test]
fn a_count_comes_from_the_body_or_a_header() {
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", total = "total", total_header = "X-Total")]
        struct P { #[paginate(items)] data: Vec<u8>, total: u64 }
    };
    assert_eq!(errors(&input), ["`total` and `total_header` cannot both be given; keep one of them"]);
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", total_pages_header = "X Total")]
        struct P { #[paginate(items)] data: Vec<u8> }
    };
    assert_eq!(
        errors(&input),
        ["`X Total` is not an HTTP header name: ' ' is not allowed in one; use letters, digits and `-`, \
          like `total_pages_header = \"x-total-pages\"`"]
    );
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", total_header = "X-Total")]
        struct P { #[paginate(items)] data: Vec<u8> }
    };
    assert!(expand(&input).contains("total_header : :: paginated :: __private :: Some (\"x-total\")"));
}

#[test]
fn incremental_keys() {
    let p = quote!(::paginated::__private).to_string();
    // Close leads by `date_updated`, on every style: the start goes in a
    // parameter, a body path or a header.
    let targets = [
        (
            "since_param = \"date_updated__gte\"",
            format!("since_target : {p} :: Some ({p} :: Target :: Query (\"date_updated__gte\"))"),
        ),
        (
            "since_body = \"filter.updated_after\"",
            format!(
                "since_target : {p} :: Some ({p} :: Target :: Body (& [\"filter\" , \"updated_after\"]))"
            ),
        ),
        (
            "since_header = \"X-Updated-Since\"",
            format!("since_target : {p} :: Some ({p} :: Target :: Header (\"X-Updated-Since\"))"),
        ),
    ];
    for (target, fragment) in targets {
        let target: TokenStream = target.parse().unwrap();
        let input = parse_quote! {
            #[paginate(style = "link", since_field = "meta.date_updated", dedup_by = "id", #target)]
            struct P { #[paginate(items)] d: Vec<Lead> }
        };
        let out = expand_ok(&input);
        for fragment in [
            "since_field : true".to_owned(),
            fragment,
            format!("fn since_key (item : & Lead) -> {p} :: Option < {p} :: SliceKey >"),
            format!("{p} :: SinceValue :: to_since_key (__paginate_v)"),
        ] {
            assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
        }
    }
    // Without a target: the start goes through `Paginator::since_with`.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
        #[paginate(since_field = "updated_at", dedup_by = "id")]
        struct P { #[paginate(items)] d: Vec<Conversation>, next: Option<String> }
    };
    let out = expand_ok(&input);
    assert!(out.contains("since_field : true") && !out.contains("since_target"), "{out}");
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    assert!(!expand_ok(&input).contains("since"));
}

#[test]
fn incremental_cross_rules() {
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "link", since_field = "updated_at", since_param = "updated_since")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`since_field` needs `dedup_by = \"id\"`: the items at the stored watermark come again (the \
               start is inclusive), and the ones already delivered are recognised by that key"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", since_param = "updated_since", since_header = "X-Since")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "`since_param` sets where an incremental walk's start goes, but nothing says which item \
                 field grows: add `since_field = \"updated_at\"`",
                "`since_header` sets where an incremental walk's start goes, but nothing says which item \
                 field grows: add `since_field = \"updated_at\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", since_field = "updated_at", dedup_by = "id")]
                #[paginate(since_param = "updated_since", since_body = "filter.since")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`since_param` and `since_body` cannot both be given; keep one of them"],
        ),
        // Syntax errors first: no cross-rule error on top of a bad value.
        (
            parse_quote! {
                #[paginate(style = "link", since_field = "updated..at", since_header = "X Since")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "field path `updated..at` has an empty segment; separate field names with single dots, like \
                 `since_field = \"updated_at\"`",
                "`X Since` is not an HTTP header name: ' ' is not allowed in one; use letters, digits and `-`, \
                 like `since_header = \"X-Updated-Since\"`",
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
}

#[test]
fn stop_on_same_cursor() {
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next_token", cursor_body = "nextToken", stop_on_same_cursor)]
        struct P { #[paginate(items)] d: Vec<u8>, next_token: Option<String> }
    };
    assert!(expand_ok(&input).contains("stop_on_same_cursor : true"));
    let input = parse_quote! {
        #[paginate(style = "offset", offset_param = "o", stop_on_same_cursor)]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    assert_eq!(
        errors(&input),
        ["`stop_on_same_cursor` applies to `style = \"cursor\"`; this struct declares `style = \"offset\"`"]
    );
}

#[test]
fn page_limits() {
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", page_size_param = "per_page", max_page = 300)]
        #[paginate(max_pages = 500)]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    let out = expand_ok(&input);
    let p = "paginated :: __private";
    for fragment in
        [format!("max_page : :: {p} :: Some (300u64)"), format!("max_pages : :: {p} :: Some (500u64)")]
    {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    let input = parse_quote! {
        #[paginate(style = "link", max_pages = 50)]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    assert!(expand_ok(&input).contains("max_pages"));
    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "link", max_page = 300)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`max_page` applies to `style = \"page\"`; this struct declares `style = \"link\"`; to stop \
               after a number of pages on any style, write `max_pages = 100`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "page", page_param = "page", max_page = 0)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["max_page = 0 is before the first page, 1: `max_page` is the largest page number the API \
               accepts, counted like `page_param` (with `first_page = 1`, page 300 is the 300th)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "cursor", cursor_field = "n", cursor_param = "c", max_pages = 0)]
                struct P { #[paginate(items)] d: Vec<u8>, n: Option<String> }
            },
            &["`max_pages` must be at least 1"],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
    // first_page = 0 makes page 0 a valid last page.
    let input = parse_quote! {
        #[paginate(style = "page", page_param = "page", first_page = 0, max_page = 0)]
        struct P { #[paginate(items)] d: Vec<u8> }
    };
    expand_ok(&input);
}

#[test]
fn cursor_expired_keys() {
    let p = "paginated :: __private";
    // Asana: a 400 that talks about the offset.
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_param = "offset")]
        #[paginate(cursor_expired_status = 400, cursor_expired_match = "offset")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    let out = expand_ok(&input);
    for fragment in [
        "cursor_expired_statuses : & [400u16]".to_owned(),
        format!("cursor_expired_match : :: {p} :: Some (\"offset\")"),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    // Salesforce (a link walk): a JSON path and its values; Slack: the api_error of a 200 body.
    let input = parse_quote! {
        #[paginate(style = "link", next_url = "next", cursor_expired_status = "400, 404")]
        #[paginate(cursor_expired_field = "[].errorCode", cursor_expired_error = "INVALID_QUERY_LOCATOR, QUERY_TIMEOUT")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String> }
    };
    let out = expand_ok(&input);
    for fragment in [
        "cursor_expired_statuses : & [400u16 , 404u16]".to_owned(),
        format!("cursor_expired_field : :: {p} :: Some (& [\"[]\" , \"errorCode\"])"),
        "cursor_expired_errors : & [\"INVALID_QUERY_LOCATOR\" , \"QUERY_TIMEOUT\"]".to_owned(),
    ] {
        assert!(out.contains(&fragment), "missing `{fragment}` in\n{out}");
    }
    let input = parse_quote! {
        #[paginate(style = "cursor", cursor_field = "next", cursor_form = "cursor")]
        #[paginate(api_error = "error", cursor_expired_error = "invalid_cursor")]
        struct P { #[paginate(items)] d: Vec<u8>, next: Option<String>, error: Option<String> }
    };
    expand_ok(&input);

    let cases: &[(DeriveInput, &[&str])] = &[
        (
            parse_quote! {
                #[paginate(style = "page", page_param = "page", cursor_expired_status = 400)]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`cursor_expired_status` applies to `style = \"cursor\"`, `style = \"link\"` and \
               `style = \"custom\"`; this struct declares `style = \"page\"`"],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", cursor_expired_status = "404, 429", cursor_expired_match = " ")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "429 is a rate limit, which a wait cures, not an expired cursor; remove it",
                "empty `cursor_expired_match`; write the text of an error body that means the cursor \
                 expired, like `cursor_expired_match = \"expired\"`",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", cursor_expired_status = 200, cursor_expired_field = "a[0]")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &[
                "200 is not an error status; an expired cursor is refused with a status from 400 to 599 \
                 (an error in a 200 body is read with `api_error` and `cursor_expired_error`)",
                "`a[0]` in JSON path `a[0]` is not a key: `[]` (any element of an array) goes alone or at \
                 the end of a key, like `errors[].code`; indexes are not supported",
            ],
        ),
        (
            parse_quote! {
                #[paginate(style = "link", cursor_expired_error = "INVALID_QUERY_LOCATOR")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`cursor_expired_error` lists the API errors that mean the cursor expired, but nothing reads \
               an API error: add `cursor_expired_field = \"[].errorCode\"` (a path in an error body) or \
               `api_error = \"error\"` (the field of a 200 response holding the API's error)"],
        ),
        (
            parse_quote! {
                #[paginate(style = "custom", next_state = "s", next_request = "r", cursor_expired_field = "error.type")]
                struct P { #[paginate(items)] d: Vec<u8> }
            },
            &["`cursor_expired_field` reads a value from an error body, but no value is said to mean the \
               cursor expired: add `cursor_expired_error = \"INVALID_QUERY_LOCATOR\"` (several: comma-separated)"],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(errors(input), *expected);
    }
}
