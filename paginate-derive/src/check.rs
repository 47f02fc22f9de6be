//! Rules that involve several attributes, one function per rule. They run
//! only when every attribute parsed, so a typo in one key never shows up
//! again here as a follow-on error.

use crate::ast::{self, Input};
use crate::attr::{Declared, Style, StyleValue};
use crate::ctxt::Ctxt;
use crate::symbol::{self, Key, Scope};

/// Runs every rule, reporting into `cx`.
pub fn check(cx: &Ctxt, input: &Input) {
    items(cx, input);
    page_size(cx, input);
    rate_limit_values(cx, input);
    let Some(style) = style_declared(cx, input) else { return };
    // A key of another style usually means the wrong style or the wrong key;
    // "add cursor_param" on top of "offset_param is not for cursors" would be noise.
    if keys_match_style(cx, input, style.style) {
        position_target(cx, input, style);
        cursor_source(cx, input, style);
        cursor_encoded(cx, input);
        slicing(cx, input);
        max_page(cx, input);
        cursor_expired_values(cx, input);
    }
}

// cursor_expired_error compares the API's error (api_error) or the value at
// cursor_expired_field with its values; cursor_expired_field needs values to
// compare with. cursor_expired_status and cursor_expired_match stand alone.
fn cursor_expired_values(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    match (a.cursor_expired_error.declared(), a.cursor_expired_field.declared()) {
        (Some(values), None) if a.api_error.get().is_none() => cx.error_at(
            values.span,
            format!(
                "`cursor_expired_error` lists the API errors that mean the cursor expired, but nothing reads \
                 an API error: add `{}` (a path in an error body) or `{}` (the field of a 200 response \
                 holding the API's error)",
                symbol::CURSOR_EXPIRED_FIELD.example,
                symbol::API_ERROR.example
            ),
        ),
        (None, Some(field)) => cx.error_at(
            field.span,
            format!(
                "`cursor_expired_field` reads a value from an error body, but no value is said to mean the \
                 cursor expired: add `{}` (several: comma-separated)",
                symbol::CURSOR_EXPIRED_ERROR.example
            ),
        ),
        _ => {}
    }
}

// max_page counts in the API's numbering, from first_page.
fn max_page(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let Some(max) = a.max_page.value() else { return };
    let first = a.first_page.value().map_or(1, |first| first.value);
    if max.value < first {
        cx.error_spanned_by(
            &max.lit,
            format!(
                "max_page = {} is before the first page, {first}: `max_page` is the largest page number \
                 the API accepts, counted like `page_param` (with `first_page = 1`, page 300 is the 300th)",
                max.value
            ),
        );
    }
}

// slice_by needs dedup_by (the ties at the boundary) and at most one bound target;
// slice_param / slice_body need slice_by.
fn slicing(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let targets = [a.slice_param.declared(), a.slice_body.declared()];
    let Some(slice_by) = a.slice_by.declared() else {
        for target in targets.into_iter().flatten() {
            cx.error_at(
                target.span,
                format!("`{}` sets where a slice's lower bound goes, but nothing slices: add `slice_by = \"date_created\"`", target.key),
            );
        }
        return;
    };
    if a.dedup_by.get().is_none() {
        cx.error_at(
            slice_by.span,
            "`slice_by` needs `dedup_by = \"id\"`: items that share the boundary value come again in \
             the next slice and are recognised by that key",
        );
    }
    if let [Some(_), Some(second)] = targets {
        cx.error_at(second.span, "`slice_param` and `slice_body` cannot both be given; keep one");
    }
}

// rate_limit_error compares the API's error (api_error) or the value at
// rate_limit_field with its values; rate_limit_field needs values to compare with.
// rate_limit_status and rate_limit_match stand alone.
fn rate_limit_values(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    match (a.rate_limit_error.declared(), a.rate_limit_field.declared()) {
        (Some(values), None) if a.api_error.get().is_none() => cx.error_at(
            values.span,
            format!(
                "`rate_limit_error` lists the API errors that mean rate limited, but nothing reads an API error: \
                 add `{}` (the field of the response holding the API's error) or `{}` (a path in an error body)",
                symbol::API_ERROR.example,
                symbol::RATE_LIMIT_FIELD.example
            ),
        ),
        (None, Some(field)) => cx.error_at(
            field.span,
            "`rate_limit_field` reads a value from an error body, but no value is said to mean rate limited: \
             add `rate_limit_error = \"...\"` with the values that mean rate limited, \
             like `rate_limit_error = \"RATELIMITED\"` (several: comma-separated)",
        ),
        _ => {}
    }
}

// style = "..." is required.
fn style_declared<'a>(cx: &Ctxt, input: &'a Input) -> Option<&'a StyleValue> {
    let style = input.attrs.style.value();
    if style.is_none() {
        cx.error_spanned_by(
            input.ident,
            format!(
                "missing `#[paginate(style = \"...\")]` on `{}`: declare how the API paginates with \
                 `style = \"cursor\"`, `style = \"offset\"`, `style = \"page\"`, `style = \"link\"` or `style = \"custom\"`",
                input.ident
            ),
        );
    }
    style
}

// offset_param on a cursor style, first_page on an offset style, ...
// Returns whether every key belongs to the style.
fn keys_match_style(cx: &Ctxt, input: &Input, style: Style) -> bool {
    let mut ok = true;
    let mut declared = input.attrs.declared();
    declared.sort_by_key(|declared| declared.order);
    for Declared { key, span, .. } in declared {
        if matches!(key.scope, Scope::Styles(_)) && !key.applies_to(style) {
            // `max_page` (a page number) is easily taken for `max_pages` (a count).
            let hint = if key == symbol::MAX_PAGE {
                format!(
                    "; to stop after a number of pages on any style, write `{}`",
                    symbol::MAX_PAGES.example
                )
            } else {
                String::new()
            };
            cx.error_at(
                span,
                format!(
                    "`{key}` applies to {}; this struct declares `style = \"{}\"`{hint}",
                    key.styles_phrase(),
                    style.as_str()
                ),
            );
            ok = false;
        }
    }
    ok
}

// Exactly one of cursor_param / cursor_body / cursor_request_header (offset_..., page_... likewise).
fn position_target(cx: &Ctxt, input: &Input, style: &StyleValue) {
    let a = &input.attrs;
    let (what, targets) = match style.style {
        Style::Cursor => (
            "the cursor",
            vec![
                (a.cursor_param.declared(), symbol::CURSOR_PARAM, QUERY),
                (a.cursor_body.declared(), symbol::CURSOR_BODY, BODY),
                (a.cursor_request_header.declared(), symbol::CURSOR_REQUEST_HEADER, HEADER),
                (a.cursor_form.declared(), symbol::CURSOR_FORM, FORM),
            ],
        ),
        Style::Offset => (
            "the offset",
            vec![
                (a.offset_param.declared(), symbol::OFFSET_PARAM, QUERY),
                (a.offset_body.declared(), symbol::OFFSET_BODY, BODY),
            ],
        ),
        Style::Page => (
            "the page number",
            vec![
                (a.page_param.declared(), symbol::PAGE_PARAM, QUERY),
                (a.page_body.declared(), symbol::PAGE_BODY, BODY),
            ],
        ),
        // The next page's URL is the whole next request: there is nothing to place.
        Style::Link => return,
        Style::Custom => {
            custom(cx, input, style);
            return;
        }
    };
    if !at_most_one(cx, &targets) {
        cx.error_spanned_by(
            &style.lit,
            format!(
                "`style = \"{}\"` needs to know where to send {what}: add {}",
                style.style.as_str(),
                alternatives(&targets)
            ),
        );
    }
}

// A cursor style reads the next cursor from exactly one of cursor_field /
// cursor_item_field / cursor_header.
fn cursor_source(cx: &Ctxt, input: &Input, style: &StyleValue) {
    if style.style != Style::Cursor {
        return;
    }
    let a = &input.attrs;
    let sources = [
        (a.cursor_field.declared(), symbol::CURSOR_FIELD, "a field of the response"),
        (a.cursor_item_field.declared(), symbol::CURSOR_ITEM_FIELD, "a field of the last item of the page"),
        (a.cursor_header.declared(), symbol::CURSOR_HEADER, "a response header"),
    ];
    if !at_most_one(cx, &sources) {
        cx.error_spanned_by(
            &style.lit,
            format!(
                "`style = \"cursor\"` needs to know where the next cursor comes from: add {}",
                alternatives(&sources)
            ),
        );
    }
}

// cursor_encoded is about percent-encoding, which only a query parameter has.
fn cursor_encoded(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let Some(encoded) = a.cursor_encoded.declared() else { return };
    if a.cursor_param.get().is_some() {
        return;
    }
    // With no target at all, `position_target` already asks for one.
    if let Some(other) =
        a.cursor_body.declared().or(a.cursor_request_header.declared()).or(a.cursor_form.declared())
    {
        cx.error_at(
            encoded.span,
            format!(
                "`cursor_encoded` goes with `cursor_param`: only a query parameter is percent-encoded, \
                 and this cursor is sent with `{}`; remove `cursor_encoded`",
                other.key
            ),
        );
    }
}

// At most one page-size target; page_size and max_page_size need one; page_size <= max_page_size.
fn page_size(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let targets = [
        (a.page_size_param.declared(), symbol::PAGE_SIZE_PARAM, QUERY),
        (a.page_size_body.declared(), symbol::PAGE_SIZE_BODY, BODY),
        (a.page_size_header.declared(), symbol::PAGE_SIZE_HEADER, HEADER),
        (a.page_size_form.declared(), symbol::PAGE_SIZE_FORM, FORM),
    ];
    if !at_most_one(cx, &targets) {
        let needs_target = [
            a.page_size.declared(),
            a.max_page_size.declared(),
            a.min_page_size.declared(),
            a.page_size_format.declared(),
        ];
        for declared in needs_target.into_iter().flatten() {
            cx.error_at(
                declared.span,
                format!("`{}` has nowhere to go: add {}", declared.key, alternatives(&targets)),
            );
        }
    }
    if let (Some(size), Some(max)) = (a.page_size.value(), a.max_page_size.value())
        && size.value > max.value
    {
        cx.error_spanned_by(
            &size.lit,
            format!("page_size = {} is above max_page_size = {}", size.value, max.value),
        );
    }
    if let (Some(size), Some(min)) = (a.page_size.value(), a.min_page_size.value())
        && size.value < min.value
    {
        cx.error_spanned_by(
            &size.lit,
            format!("page_size = {} is below min_page_size = {}", size.value, min.value),
        );
    }
    if let (Some(min), Some(max)) = (a.min_page_size.value(), a.max_page_size.value())
        && min.value > max.value
    {
        cx.error_spanned_by(
            &min.lit,
            format!("min_page_size = {} is above max_page_size = {}", min.value, max.value),
        );
    }
}

// Items: one `#[paginate(items)]` Vec field, or `items = "..."` with `item_type = "..."`.
fn items(cx: &Ctxt, input: &Input) {
    let container = input.attrs.items.get();
    let mut fields = input.items_fields();
    let first = fields.next();
    for extra in fields {
        let span = extra.attrs.items.get().expect("items field").key;
        cx.error_at(
            span,
            format!(
                "`#[paginate(items)]` is already on field `{}`; a page has one list of items",
                first.expect("first items field").ident
            ),
        );
    }
    if let Some(field) = first {
        if ast::vec_element(field.ty).is_none() {
            let hint = if ast::is_option(field.ty) {
                "; if the API may leave it out, use `Vec<T>` with `#[serde(default)]`"
            } else {
                ""
            };
            cx.error_spanned_by(field.ty, format!("the `#[paginate(items)]` field must be a `Vec<T>`{hint}"));
        }
        if let Some(items) = container {
            cx.error_at(
                items.key,
                format!(
                    "`items` is already declared by `#[paginate(items)]` on field `{}`; remove one of them",
                    field.ident
                ),
            );
        }
    }
    let item_type = input.attrs.item_type.get();
    match (container, item_type) {
        (Some(items), None) if first.is_none() => cx.error_at(
            items.key,
            "`items = \"...\"` needs `item_type = \"...\"` as well: the derive cannot see the type \
             of a nested field; add the element type of that `Vec`, like `item_type = \"Contact\"`",
        ),
        (None, Some(item_type)) => cx.error_at(
            item_type.key,
            "`item_type` goes with `items = \"...\"`; a `#[paginate(items)]` field \
             takes its item type from its `Vec<T>`",
        ),
        _ => {}
    }
    if first.is_none() && container.is_none() {
        cx.error_spanned_by(
            input.ident,
            format!(
                "`{}` does not say where the items of a page are: put `#[paginate(items)]` on its \
                 `Vec<T>` field, or add `{}` and `{}` to the struct",
                input.ident,
                symbol::ITEMS.example,
                symbol::ITEM_TYPE.example
            ),
        );
    }
}

const QUERY: &str = "a query parameter";
const BODY: &str = "a path in the JSON body";
const HEADER: &str = "a request header";
const FORM: &str = "a field of a form-encoded body";

// A custom style names the two functions that carry the walk.
fn custom(cx: &Ctxt, input: &Input, style: &StyleValue) {
    let a = &input.attrs;
    for (slot, key) in [
        (a.next_state.get().is_some(), symbol::NEXT_STATE),
        (a.next_request.get().is_some(), symbol::NEXT_REQUEST),
    ] {
        if !slot {
            cx.error_spanned_by(
                &style.lit,
                format!(
                    "`style = \"custom\"` needs `{}`: `next_state` is a `fn(&Page) -> Option<serde_json::Value>` \
                     (the state of the next request, `None` at the end) and `next_request` a \
                     `fn(&reqwest::Request, &serde_json::Value) -> reqwest::Request` (the next request, built \
                     from your first one and that state)",
                    key.example
                ),
            );
        }
    }
}

/// One of several keys that say the same thing, with what it means.
type Alternative = (Option<Declared>, Key, &'static str);

// Keys of which at most one may be given: the error goes on each one after the
// first. Returns whether one was given.
fn at_most_one(cx: &Ctxt, keys: &[Alternative]) -> bool {
    let mut given: Vec<Declared> = keys.iter().filter_map(|(declared, ..)| *declared).collect();
    given.sort_by_key(|declared| declared.order);
    let Some((first, rest)) = given.split_first() else { return false };
    for second in rest {
        cx.error_at(
            second.span,
            format!("`{}` and `{}` cannot both be given; keep one of them", first.key, second.key),
        );
    }
    true
}

/// "`a = ..` (what), `b = ..` (what) or `c = ..` (what)".
fn alternatives(keys: &[Alternative]) -> String {
    let described: Vec<String> =
        keys.iter().map(|(_, key, what)| format!("`{}` ({what})", key.example)).collect();
    match described.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
