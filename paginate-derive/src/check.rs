//! Rules that involve several attributes, one function per rule. They run
//! only when every attribute parsed, so a typo in one key never shows up
//! again here as a follow-on error.

use crate::ast::{self, Input};
use crate::attr::{Declared, Style, StyleValue};
use crate::ctxt::Ctxt;
use crate::symbol::{self, Scope};

/// Runs every rule, reporting into `cx`.
pub fn check(cx: &Ctxt, input: &Input) {
    items(cx, input);
    page_size(cx, input);
    let Some(style) = style_declared(cx, input) else { return };
    // A key of another style usually means the wrong style or the wrong key;
    // "add cursor_param" on top of "offset_param is not for cursors" would be noise.
    if keys_match_style(cx, input, style.style) {
        position_target(cx, input, style);
        cursor_field_declared(cx, input, style);
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
                 `style = \"cursor\"`, `style = \"offset\"` or `style = \"page\"`",
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
    for Declared { key, span, .. } in input.attrs.declared() {
        if matches!(key.scope, Scope::Styles(_)) && !key.applies_to(style) {
            cx.error_at(
                span,
                format!(
                    "`{key}` applies to {}; this struct declares `style = \"{}\"`",
                    key.styles_phrase(),
                    style.as_str()
                ),
            );
            ok = false;
        }
    }
    ok
}

// Exactly one of cursor_param / cursor_body (offset_..., page_... likewise).
fn position_target(cx: &Ctxt, input: &Input, style: &StyleValue) {
    let a = &input.attrs;
    let (param, body) = match style.style {
        Style::Cursor => (a.cursor_param.declared(), a.cursor_body.declared()),
        Style::Offset => (a.offset_param.declared(), a.offset_body.declared()),
        Style::Page => (a.page_param.declared(), a.page_body.declared()),
    };
    let (param_key, body_key) = match style.style {
        Style::Cursor => (symbol::CURSOR_PARAM, symbol::CURSOR_BODY),
        Style::Offset => (symbol::OFFSET_PARAM, symbol::OFFSET_BODY),
        Style::Page => (symbol::PAGE_PARAM, symbol::PAGE_BODY),
    };
    let what = match style.style {
        Style::Cursor => "the cursor",
        Style::Offset => "the offset",
        Style::Page => "the page number",
    };
    match (param, body) {
        (Some(param), Some(body)) => at_most_one(cx, param, body),
        (None, None) => cx.error_spanned_by(
            &style.lit,
            format!(
                "`style = \"{}\"` needs to know where to send {what}: add `{}` (a query parameter) \
                 or `{}` (a path in the JSON body)",
                style.style.as_str(),
                param_key.example,
                body_key.example
            ),
        ),
        _ => {}
    }
}

// A cursor style must say where the next cursor is in the response.
fn cursor_field_declared(cx: &Ctxt, input: &Input, style: &StyleValue) {
    if style.style == Style::Cursor && input.attrs.cursor_field.get().is_none() {
        cx.error_spanned_by(
            &style.lit,
            format!(
                "`style = \"cursor\"` needs the path of the next cursor in the response: add `{}`",
                symbol::CURSOR_FIELD.example
            ),
        );
    }
}

// At most one page-size target; page_size and max_page_size need one; page_size <= max_page_size.
fn page_size(cx: &Ctxt, input: &Input) {
    let a = &input.attrs;
    match (a.page_size_param.declared(), a.page_size_body.declared()) {
        (Some(param), Some(body)) => at_most_one(cx, param, body),
        (None, None) => {
            for declared in [a.page_size.declared(), a.max_page_size.declared()].into_iter().flatten() {
                cx.error_at(
                    declared.span,
                    format!(
                        "`{}` has nowhere to go: add `{}` (a query parameter) or `{}` (a path in the JSON body)",
                        declared.key,
                        symbol::PAGE_SIZE_PARAM.example,
                        symbol::PAGE_SIZE_BODY.example
                    ),
                );
            }
        }
        _ => {}
    }
    if let (Some(size), Some(max)) = (a.page_size.value(), a.max_page_size.value())
        && size.value > max.value
    {
        cx.error_spanned_by(
            &size.lit,
            format!("page_size = {} is above max_page_size = {}", size.value, max.value),
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

// Two keys of which at most one may be given: the error goes on the second.
fn at_most_one(cx: &Ctxt, a: Declared, b: Declared) {
    let (first, second) = if a.order < b.order { (a, b) } else { (b, a) };
    cx.error_at(
        second.span,
        format!("`{}` and `{}` cannot both be given; keep one of them", first.key, second.key),
    );
}
