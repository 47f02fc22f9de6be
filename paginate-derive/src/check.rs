//! Rules that involve several attributes, one function per rule. They run
//! only when every attribute parsed, so a typo in one key never shows up
//! again here as a follow-on error.

use syn::ext::IdentExt;

use crate::ast::{self, Field, Input};
use crate::attr::{Declared, FieldPath, ItemRead, Style, StyleValue};
use crate::ctxt::Ctxt;
use crate::symbol::{self, Key, Scope};
use crate::wire;

/// Runs every rule, reporting into `cx`.
pub fn check(cx: &Ctxt, input: &Input) {
    items(cx, input);
    field_paths(cx, input);
    item_paths(cx, input);
    page_size(cx, input);
    counts(cx, input);
    rate_limit_values(cx, input);
    incremental(cx, input);
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

// A count comes from the body or from a header, not both.
fn counts(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    for pair in [
        [(a.total.declared(), symbol::TOTAL, ""), (a.total_header.declared(), symbol::TOTAL_HEADER, "")],
        [
            (a.total_pages.declared(), symbol::TOTAL_PAGES, ""),
            (a.total_pages_header.declared(), symbol::TOTAL_PAGES_HEADER, ""),
        ],
    ] {
        at_most_one(cx, &pair);
    }
}

// since_field needs dedup_by (the items at the watermark that were already
// delivered) and at most one start target; since_param / since_body /
// since_header need since_field.
fn incremental(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let targets = [
        (a.since_param.declared(), symbol::SINCE_PARAM, QUERY),
        (a.since_body.declared(), symbol::SINCE_BODY, BODY),
        (a.since_header.declared(), symbol::SINCE_HEADER, HEADER),
    ];
    let Some(since_field) = a.since_field.declared() else {
        for target in targets.iter().filter_map(|(declared, ..)| *declared) {
            cx.error_at(
                target.span,
                format!(
                    "`{}` sets where an incremental walk's start goes, but nothing says which item field \
                     grows: add `{}`",
                    target.key,
                    symbol::SINCE_FIELD.example
                ),
            );
        }
        return;
    };
    if a.dedup_by.get().is_none() {
        cx.error_at(
            since_field.span,
            "`since_field` needs `dedup_by = \"id\"`: the items at the stored watermark come again \
             (the start is inclusive), and the ones already delivered are recognised by that key",
        );
    }
    at_most_one(cx, &targets);
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

// A path of the struct starts at one of its fields, which the derive sees: a
// wrong first segment is reported here, with the whole path written out
// again; a wrong later one is rustc's "no field `nxt` on type `Pages`".
fn field_paths(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    let paths = [
        (symbol::CURSOR_FIELD, &a.cursor_field),
        (symbol::NEXT_URL, &a.next_url),
        (symbol::HAS_MORE, &a.has_more),
        (symbol::IS_LAST, &a.is_last),
        (symbol::TOTAL, &a.total),
        (symbol::TOTAL_PAGES, &a.total_pages),
        (symbol::API_ERROR, &a.api_error),
        (symbol::ITEMS, &a.items),
    ];
    for (key, slot) in paths {
        let Some(path) = slot.value() else { continue };
        let first = path.segments[0].unraw();
        match input.fields.iter().find(|field| field.ident.unraw() == first) {
            Some(field) => path_through_list(cx, key, path, field),
            None => no_such_field(cx, input, key, path),
        }
    }
}

// `cursor_field = "data.id"` with `data: Vec<Charge>`: a field access cannot
// go through a list.
fn path_through_list(cx: &Ctxt, key: Key, path: &FieldPath, field: &Field) {
    if path.segments.len() < 2 || ast::vec_element(field.ty).is_none() {
        return;
    }
    let rest = join(&path.segments[1..]);
    let fix = if key == symbol::CURSOR_FIELD {
        format!(
            "for the cursor in the last item of the page, write `cursor_item_field = \"{rest}\"`, \
             a path in the item type"
        )
    } else {
        format!("`{key}` names one value of the page, outside the list")
    };
    cx.error_spanned_by(
        &path.lit,
        format!("`{}` is a `Vec`, and a field path cannot go through a list; {fix}", field.ident),
    );
}

// The first segment is not a field: a JSON name (serde `rename`), another
// spelling, or a typo.
fn no_such_field(cx: &Ctxt, input: &Input, key: Key, path: &FieldPath) {
    let wanted = path.segments[0].unraw().to_string();
    let with_first = |field: &Field| {
        let segments: Vec<String> = std::iter::once(field.ident.to_string())
            .chain(path.segments[1..].iter().map(ToString::to_string))
            .collect();
        format!("{key} = \"{}\"", segments.join("."))
    };
    let by_json_name = input
        .fields
        .iter()
        .find(|field| wire::field_name(&input.serde, field.ident, &field.serde).as_deref() == Some(&wanted));
    let loose = |name: &str| name.replace('_', "").to_ascii_lowercase();
    let by_spelling =
        input.fields.iter().find(|field| loose(&field.ident.unraw().to_string()) == loose(&wanted));
    let by_distance = input
        .fields
        .iter()
        .map(|field| (symbol::edit_distance(&wanted, &field.ident.unraw().to_string()), field))
        .filter(|&(distance, _)| distance <= 2.max(wanted.len() / 3) && distance < wanted.len())
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, field)| field);
    let message = if let Some(field) = by_json_name {
        format!(
            "field paths name Rust fields, not JSON keys: `{wanted}` is the JSON name of field `{}`; \
             write `{}`",
            field.ident,
            with_first(field)
        )
    } else if let Some(field) = by_spelling.or(by_distance) {
        format!("no field `{wanted}` on `{}`; did you mean `{}`?", input.ident, with_first(field))
    } else {
        let names: Vec<String> = input.fields.iter().map(|field| format!("`{}`", field.ident)).collect();
        format!(
            "no field `{wanted}` on `{}`; a path starts at one of its fields: {}",
            input.ident,
            names.join(", ")
        )
    };
    cx.error_spanned_by(&path.lit, message);
}

/// `a.b.c`.
fn join(segments: &[syn::Ident]) -> String {
    segments.iter().map(ToString::to_string).collect::<Vec<_>>().join(".")
}

// A path in an item whose type is a type parameter (`data: Vec<T>`): the derive
// cannot see its fields, so the key is written bare and read through the
// item type's trait impl.
fn item_paths(cx: &Ctxt, input: &Input) {
    let Some(param) = input.items().and_then(|items| ast::type_param(input.generics, items.elem())) else {
        return;
    };
    let a = &input.attrs;
    let reads = [
        (
            symbol::CURSOR_ITEM_FIELD,
            &a.cursor_item_field,
            "ItemCursor",
            "fn cursor(&self) -> impl paginated::CursorValue + '_ { &self.id }",
        ),
        (symbol::DEDUP_BY, &a.dedup_by, "ItemKey", "fn key(&self) -> impl std::hash::Hash + '_ { &self.id }"),
        (
            symbol::SLICE_BY,
            &a.slice_by,
            "ItemSliceKey",
            "fn slice_key(&self) -> impl paginated::SliceValue + '_ { &self.date_created }",
        ),
    ];
    for (key, slot, trait_name, method) in reads {
        let Some(path) = slot.value().and_then(ItemRead::path) else { continue };
        cx.error_spanned_by(
            &path.lit,
            format!(
                "the items are `{param}`, a type parameter, whose fields the derive cannot see: write `{key}` \
                 without a path, and implement `paginated::{trait_name}` for each item type: \
                 `impl paginated::{trait_name} for Customer {{ {method} }}`"
            ),
        );
    }
}
