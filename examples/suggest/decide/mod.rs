//! From the evidence to one declaration: the style, where the position comes
//! from and where it goes, the page size, the stop signals, and for each
//! choice the evidence, the alternatives and what a second page would settle.

mod cursor;
mod elastic;
mod items;
mod position;

use serde_json::Value;

use super::{detect, names, sample, schema};
use detect::{Evidence, HAS_MORE_NAMES, IS_LAST_NAMES, TOTAL_NAMES, TOTAL_PAGES_NAMES};
use sample::{RequestBody, Sample};
use schema::{Field, Model, Ty};

/// A value of a `#[paginate(...)]` key.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Int(u64),
    Flag,
}

/// The `#[paginate(...)]` keys of the response struct and the reasoning.
#[derive(Clone, Debug, Default)]
pub struct Declaration {
    pub keys: Vec<(&'static str, Val)>,
    /// The evidence for each choice.
    pub why: Vec<String>,
    /// Other declarations the sample also allows.
    pub alternatives: Vec<String>,
    /// What one page cannot show.
    pub confirm: Vec<String>,
    /// Functions a custom style names, written after the structs.
    pub functions: Option<String>,
}

impl Declaration {
    fn set(&mut self, key: &'static str, value: Val) {
        self.keys.retain(|(k, _)| *k != key);
        self.keys.push((key, value));
    }

    fn str(&mut self, key: &'static str, value: impl Into<String>) {
        self.set(key, Val::Str(value.into()));
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// The structs and the declaration for one sample.
pub struct Suggestion {
    pub model: Model,
    pub declaration: Declaration,
}

/// The structs and the declaration a sample suggests.
pub fn suggest(sample: &Sample) -> Suggestion {
    let mut model = Model::build(&sample.document);
    let ev = Evidence::gather(sample, &model);
    let mut plan = Plan { ev: &ev, model: &mut model, d: Declaration::default() };
    plan.run();
    let declaration = plan.d;
    Suggestion { model, declaration }
}

struct Plan<'e, 'm> {
    ev: &'e Evidence<'e>,
    model: &'m mut Model,
    d: Declaration,
}

impl<'e> Plan<'e, '_> {
    fn sample(&self) -> &'e Sample {
        self.ev.sample
    }

    fn run(&mut self) {
        let items = self.ev.items.clone();
        self.name_structs(items.as_ref());
        // A next URL, whether followed or not, is absent on the last page.
        for found in self.ev.next_urls() {
            self.optional_signal(&found.keys);
        }
        match &items {
            Some(items) => self.items(items),
            None => self.d.confirm.push(
                "no array in the sample: mark the field that holds the items with `#[paginate(items)]` (a \
                 `Vec`); the declaration does not compile without one"
                    .into(),
            ),
        }
        // The order is the precedence: a protocol only Elasticsearch speaks; a
        // cursor the body names (the API's contract, even when a next URL carries
        // it too); a next URL; a cursor header; offsets and page numbers; last, a
        // cursor taken from the last item, which only a `has_more` flag hints at.
        let decided = self.elasticsearch(items.as_ref())
            || self.cursor_field()
            || self.next_url(items.as_ref())
            || self.cursor_header()
            || self.offset_or_page(None)
            || self.item_cursor(items.as_ref());
        if !decided {
            self.d.str("style", "link");
            self.d.why.push(
                "no next-page signal in the sample (no cursor, next URL, `Link` header, offset or page \
                 number): `style = \"link\"` ends after this page unless a `Link` header says otherwise"
                    .into(),
            );
            if self.ev.links.is_empty() {
                self.d
                    .confirm
                    .push("this may be the only page: try a request with a smaller page size".into());
            } else {
                self.d.confirm.push(
                    "the `Link` header has no `rel=\"next\"`: the sample may be the last page; `style = \"link\"` \
                     reads it"
                        .into(),
                );
            }
        }
        if !matches!(self.d.get("style"), Some(Val::Str(s)) if s == "custom") {
            self.page_size();
        }
        self.api_errors();
        self.d.keys.sort_by_key(|(k, _)| KEY_ORDER.iter().position(|o| o == k).unwrap_or(usize::MAX));
    }

    /// The cursor or next URL, and every object on its way that is not also on
    /// the items' way, may be missing on the last page: `Option`s.
    fn optional_signal(&mut self, keys: &[String]) {
        let items = self.ev.items.as_ref().map_or(&[][..], |i| &i.keys[..]);
        let shared = keys.iter().zip(items).take_while(|(a, b)| a == b).count();
        self.model.make_optional(0, keys, shared);
        if let Some(field) = self.model.field_mut(0, keys)
            && field.ty == Ty::Value
        {
            field.ty = Ty::String;
        }
    }

    // ---- stop signals ----

    /// `has_more` and `is_last` always; `total` and `total_pages` on offset and
    /// page walks (a cursor or link walk's own end is exact, a total may not be).
    fn stops(&mut self, near: &[String], counted: bool) {
        if let Some(flag) = self.ev.flag(HAS_MORE_NAMES, near).cloned() {
            let path = self.model.rust_path(0, &flag.keys);
            self.d.str("has_more", path.clone());
            self.d.why.push(format!(
                "`{}` = {}: `has_more = \"{path}\"` (`false` ends the walk)",
                flag.keys.join("."),
                flag.shown()
            ));
        }
        if let Some(flag) = self.ev.flag(IS_LAST_NAMES, near).cloned() {
            let path = self.model.rust_path(0, &flag.keys);
            self.d.str("is_last", path.clone());
            self.d.why.push(format!(
                "`{}` = {}: `is_last = \"{path}\"` (`true` ends the walk)",
                flag.keys.join("."),
                flag.shown()
            ));
        }
        let total = self.ev.count(TOTAL_NAMES, near).cloned();
        let pages = self.ev.count(TOTAL_PAGES_NAMES, near).cloned();
        // One count, in the walk's own unit: pages for a page walk, items otherwise.
        let page_walk = matches!(self.d.get("style"), Some(Val::Str(s)) if s == "page");
        let preferred = if page_walk && pages.is_some() {
            "total_pages"
        } else if total.is_some() {
            "total"
        } else {
            "total_pages"
        };
        for (key, found) in [("total", total), ("total_pages", pages)] {
            let Some(found) = found else { continue };
            let path = self.model.rust_path(0, &found.keys);
            if counted && key == preferred {
                self.d.str(key, path.clone());
                self.d.why.push(format!(
                    "`{}` = {}: `{key} = \"{path}\"` ends the walk without an extra request, and lets pages be fetched concurrently",
                    found.keys.join("."),
                    found.shown()
                ));
            } else if counted {
                self.d
                    .alternatives
                    .push(format!("`{key} = \"{path}\"` says the same end in other units: either works"));
            } else {
                self.d.alternatives.push(format!(
                    "`{key} = \"{path}\"` would save the request after the last page, if `{}` is exact and fixed during the walk",
                    found.keys.join(".")
                ));
            }
        }
        // A `null` total (PagerDuty without `total=true`) is a guessed integer.
        if let Some(field) = ["total", "total_pages"].iter().find_map(|k| match self.d.get(k) {
            Some(Val::Str(_)) => {
                self.ev.count(if *k == "total" { TOTAL_NAMES } else { TOTAL_PAGES_NAMES }, near).cloned()
            }
            _ => None,
        }) && field.sample.is_none()
        {
            self.d.confirm.push(format!(
                "`{}` is null in the sample: it says nothing until the API fills it",
                field.keys.join(".")
            ));
        }
    }

    // ---- errors in 200 bodies ----

    fn api_errors(&mut self) {
        let body = &self.sample().body;
        let graphql = matches!(&self.sample().request_body, Some(RequestBody::Json(r)) if r.get("query").is_some_and(Value::is_string) && body.get("data").is_some());
        let slack = body.get("ok").is_some_and(Value::is_boolean);
        let (key, why) = if graphql {
            (
                "errors",
                "a GraphQL server reports errors as `200 {\"data\": null, \"errors\": [...]}`: `api_error = \"errors\"` makes that an `ErrorKind::Api` with its message",
            )
        } else if slack {
            (
                "error",
                "`ok` says errors come as `200 {\"ok\": false, \"error\": \"...\"}` (Slack): `api_error = \"error\"` makes that an `ErrorKind::Api` with the message",
            )
        } else {
            return;
        };
        if !self.model.structs[0].fields.iter().any(|f| f.key == key) {
            self.model.structs[0].fields.push(Field {
                key: key.into(),
                ident: key.into(),
                ty: if graphql { Ty::Vec(Box::new(Ty::Value)) } else { Ty::String },
                optional: true,
                sample: None,
                attrs: Vec::new(),
                note: Some("not in the sample: the API's error, absent on success".to_owned()),
            });
        }
        self.d.str("api_error", key);
        self.d.why.push(why.into());
        if slack {
            self.d.alternatives.push(
                "if the API also reports rate limits in the body (Slack's `\"error\": \"ratelimited\"`), add \
                 `rate_limit_error = \"ratelimited\"`: they are then retried like a 429"
                    .into(),
            );
        }
    }
}

/// The order keys are written in.
const KEY_ORDER: &[&str] = &[
    "style",
    "cursor_field",
    "cursor_item_field",
    "cursor_header",
    "next_url",
    "next_state",
    "cursor_param",
    "cursor_body",
    "cursor_form",
    "cursor_request_header",
    "offset_param",
    "offset_body",
    "page_param",
    "page_body",
    "next_request",
    "first_cursor",
    "first_page",
    "keep_params",
    "items",
    "item_type",
    "page_size_param",
    "page_size_body",
    "page_size_form",
    "page_size_header",
    "page_size_format",
    "page_size",
    "has_more",
    "is_last",
    "total",
    "total_pages",
    "stop_on_short_page",
    "stop_on_empty_page",
    "api_error",
];
