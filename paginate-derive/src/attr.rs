//! The `#[paginate(...)]` grammar: attribute tokens to values that keep their
//! spans. Each key is parsed on its own here; rules that involve several keys
//! live in `check.rs`.

use proc_macro2::{Span, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Lit, LitInt, LitStr, Path, Token, Type};

use crate::ctxt::Ctxt;
use crate::symbol::{self, Key};

/// The pagination scheme (`style = "..."`), mirroring `paginate_core::Style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Cursor,
    Offset,
    Page,
    Link,
    Custom,
}

impl Style {
    pub const ALL: [Style; 5] = [Style::Cursor, Style::Offset, Style::Page, Style::Link, Style::Custom];

    pub const fn as_str(self) -> &'static str {
        match self {
            Style::Cursor => "cursor",
            Style::Offset => "offset",
            Style::Page => "page",
            Style::Link => "link",
            Style::Custom => "custom",
        }
    }
}

/// A value together with the key that set it.
pub struct Keyed<T> {
    /// The span of the key, where errors about the key as a whole point.
    pub key: Span,
    /// Position among all keys of the struct, to tell which of two came second.
    pub order: usize,
    pub value: T,
}

/// A slot for one key: set at most once, the second occurrence is an error.
pub struct Attr<T> {
    key: Key,
    slot: Option<Keyed<T>>,
}

impl<T> Attr<T> {
    fn none(key: Key) -> Self {
        Attr { key, slot: None }
    }

    fn set(&mut self, cx: &Ctxt, at: Position, value: T) {
        if self.slot.is_some() {
            cx.error_at(at.key, format!("duplicate key `{}`; remove this one", self.key));
        } else {
            self.slot = Some(Keyed { key: at.key, order: at.order, value });
        }
    }

    pub fn get(&self) -> Option<&Keyed<T>> {
        self.slot.as_ref()
    }

    pub fn value(&self) -> Option<&T> {
        self.slot.as_ref().map(|keyed| &keyed.value)
    }

    /// The key and where it was written, if it was.
    pub fn declared(&self) -> Option<Declared> {
        self.slot.as_ref().map(|keyed| Declared { key: self.key, span: keyed.key, order: keyed.order })
    }
}

/// A key the user wrote, with its span and position.
#[derive(Clone, Copy)]
pub struct Declared {
    pub key: Key,
    pub span: Span,
    pub order: usize,
}

#[derive(Clone, Copy)]
struct Position {
    key: Span,
    order: usize,
}

/// `style = "cursor"`: the style and the literal, where style-level errors point.
pub struct StyleValue {
    pub style: Style,
    pub lit: LitStr,
}

/// A path of Rust field names (`"pages.next.starting_after"`), read from the
/// decoded response by field access.
pub struct FieldPath {
    pub lit: LitStr,
    /// The segments, each spanned at the literal.
    pub segments: Vec<Ident>,
}

/// Where a key reads a value of an item (`cursor_item_field`, `dedup_by`,
/// `slice_by`): a path in the item type, or, written bare, the item type's own
/// impl of `ItemCursor`, `ItemKey` or `ItemSliceKey` (for items whose fields
/// the derive cannot see, such as a type parameter).
pub enum ItemRead {
    Path(FieldPath),
    Trait,
}

impl ItemRead {
    pub fn path(&self) -> Option<&FieldPath> {
        match self {
            ItemRead::Path(path) => Some(path),
            ItemRead::Trait => None,
        }
    }
}

/// A path of JSON object keys (`"pagination.per_page"`) in the request body.
pub struct BodyPath {
    pub lit: LitStr,
    pub segments: Vec<String>,
}

/// A path of JSON keys in a response body (`"errors[].extensions.code"`), read
/// from the raw JSON: a `[]` segment stands for any element of an array.
pub struct JsonPath {
    pub lit: LitStr,
    /// The keys, with `"[]"` as a segment of its own (`errors[]` is `"errors", "[]"`).
    pub segments: Vec<String>,
}

/// `rate_limit_status = 403` or `= "400, 403"`: the literal and the statuses.
pub struct StatusList {
    pub lit: Lit,
    pub statuses: Vec<u16>,
}

/// An integer literal and its value.
pub struct IntValue {
    pub lit: LitInt,
    pub value: u64,
}

/// The `#[paginate(...)]` attributes of the struct.
pub struct Container {
    pub style: Attr<StyleValue>,
    pub krate: Attr<Path>,
    pub cursor_field: Attr<FieldPath>,
    pub cursor_item_field: Attr<ItemRead>,
    pub cursor_header: Attr<LitStr>,
    pub cursor_param: Attr<LitStr>,
    pub cursor_body: Attr<BodyPath>,
    pub cursor_request_header: Attr<LitStr>,
    pub cursor_encoded: Attr<bool>,
    pub first_cursor: Attr<LitStr>,
    pub offset_param: Attr<LitStr>,
    pub offset_body: Attr<BodyPath>,
    pub max_offset: Attr<IntValue>,
    pub page_param: Attr<LitStr>,
    pub page_body: Attr<BodyPath>,
    pub first_page: Attr<IntValue>,
    pub max_page: Attr<IntValue>,
    pub next_url: Attr<FieldPath>,
    pub page_size_param: Attr<LitStr>,
    pub page_size_body: Attr<BodyPath>,
    pub page_size_header: Attr<LitStr>,
    pub page_size: Attr<IntValue>,
    pub max_page_size: Attr<IntValue>,
    pub has_more: Attr<FieldPath>,
    pub is_last: Attr<FieldPath>,
    pub total: Attr<FieldPath>,
    pub total_pages: Attr<FieldPath>,
    pub total_header: Attr<LitStr>,
    pub total_pages_header: Attr<LitStr>,
    pub stop_on_short_page: Attr<bool>,
    pub stop_on_empty_page: Attr<bool>,
    pub stop_on_same_cursor: Attr<bool>,
    pub max_pages: Attr<IntValue>,
    pub dedup_by: Attr<ItemRead>,
    pub api_error: Attr<FieldPath>,
    pub rate_limit_error: Attr<LitStr>,
    pub rate_limit_status: Attr<StatusList>,
    pub rate_limit_match: Attr<LitStr>,
    pub rate_limit_field: Attr<JsonPath>,
    pub rate_limit_reset_header: Attr<LitStr>,
    pub rate_limit_remaining_header: Attr<LitStr>,
    pub rate_limit_wait_field: Attr<JsonPath>,
    pub cursor_expired_status: Attr<StatusList>,
    pub cursor_expired_match: Attr<LitStr>,
    pub cursor_expired_field: Attr<JsonPath>,
    pub cursor_expired_error: Attr<LitStr>,
    pub cursor_form: Attr<LitStr>,
    pub page_size_form: Attr<LitStr>,
    pub page_size_format: Attr<LitStr>,
    pub min_page_size: Attr<IntValue>,
    pub keep_params: Attr<LitStr>,
    pub next_state: Attr<Path>,
    pub next_request: Attr<Path>,
    pub slice_by: Attr<ItemRead>,
    pub slice_param: Attr<LitStr>,
    pub slice_body: Attr<BodyPath>,
    pub since_field: Attr<FieldPath>,
    pub since_param: Attr<LitStr>,
    pub since_body: Attr<BodyPath>,
    pub since_header: Attr<LitStr>,
    pub items: Attr<FieldPath>,
    pub item_type: Attr<Type>,
}

impl Container {
    /// Parses every `#[paginate(...)]` attribute of the struct, reporting
    /// syntax errors into `cx`.
    pub fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Container {
        #[allow(clippy::wildcard_imports)] // the whole key table, one slot per key
        use symbol::*;
        let mut c = Container {
            style: Attr::none(STYLE),
            krate: Attr::none(CRATE),
            cursor_field: Attr::none(CURSOR_FIELD),
            cursor_item_field: Attr::none(CURSOR_ITEM_FIELD),
            cursor_header: Attr::none(CURSOR_HEADER),
            cursor_param: Attr::none(CURSOR_PARAM),
            cursor_body: Attr::none(CURSOR_BODY),
            cursor_request_header: Attr::none(CURSOR_REQUEST_HEADER),
            cursor_encoded: Attr::none(CURSOR_ENCODED),
            first_cursor: Attr::none(FIRST_CURSOR),
            offset_param: Attr::none(OFFSET_PARAM),
            offset_body: Attr::none(OFFSET_BODY),
            max_offset: Attr::none(MAX_OFFSET),
            page_param: Attr::none(PAGE_PARAM),
            page_body: Attr::none(PAGE_BODY),
            first_page: Attr::none(FIRST_PAGE),
            max_page: Attr::none(MAX_PAGE),
            next_url: Attr::none(NEXT_URL),
            page_size_param: Attr::none(PAGE_SIZE_PARAM),
            page_size_body: Attr::none(PAGE_SIZE_BODY),
            page_size_header: Attr::none(PAGE_SIZE_HEADER),
            page_size: Attr::none(PAGE_SIZE),
            max_page_size: Attr::none(MAX_PAGE_SIZE),
            has_more: Attr::none(HAS_MORE),
            is_last: Attr::none(IS_LAST),
            total: Attr::none(TOTAL),
            total_pages: Attr::none(TOTAL_PAGES),
            total_header: Attr::none(TOTAL_HEADER),
            total_pages_header: Attr::none(TOTAL_PAGES_HEADER),
            stop_on_short_page: Attr::none(STOP_ON_SHORT_PAGE),
            stop_on_empty_page: Attr::none(STOP_ON_EMPTY_PAGE),
            stop_on_same_cursor: Attr::none(STOP_ON_SAME_CURSOR),
            max_pages: Attr::none(MAX_PAGES),
            dedup_by: Attr::none(DEDUP_BY),
            api_error: Attr::none(API_ERROR),
            rate_limit_error: Attr::none(RATE_LIMIT_ERROR),
            rate_limit_status: Attr::none(RATE_LIMIT_STATUS),
            rate_limit_match: Attr::none(RATE_LIMIT_MATCH),
            rate_limit_field: Attr::none(RATE_LIMIT_FIELD),
            rate_limit_reset_header: Attr::none(RATE_LIMIT_RESET_HEADER),
            rate_limit_remaining_header: Attr::none(RATE_LIMIT_REMAINING_HEADER),
            rate_limit_wait_field: Attr::none(RATE_LIMIT_WAIT_FIELD),
            cursor_expired_status: Attr::none(CURSOR_EXPIRED_STATUS),
            cursor_expired_match: Attr::none(CURSOR_EXPIRED_MATCH),
            cursor_expired_field: Attr::none(CURSOR_EXPIRED_FIELD),
            cursor_expired_error: Attr::none(CURSOR_EXPIRED_ERROR),
            cursor_form: Attr::none(CURSOR_FORM),
            page_size_form: Attr::none(PAGE_SIZE_FORM),
            page_size_format: Attr::none(PAGE_SIZE_FORMAT),
            min_page_size: Attr::none(MIN_PAGE_SIZE),
            keep_params: Attr::none(KEEP_PARAMS),
            next_state: Attr::none(NEXT_STATE),
            next_request: Attr::none(NEXT_REQUEST),
            slice_by: Attr::none(SLICE_BY),
            slice_param: Attr::none(SLICE_PARAM),
            slice_body: Attr::none(SLICE_BODY),
            since_field: Attr::none(SINCE_FIELD),
            since_param: Attr::none(SINCE_PARAM),
            since_body: Attr::none(SINCE_BODY),
            since_header: Attr::none(SINCE_HEADER),
            items: Attr::none(ITEMS),
            item_type: Attr::none(ITEM_TYPE),
        };
        let mut order = 0;
        for attr in attrs.iter().filter(|attr| attr.path().is_ident(ATTR)) {
            let parsed = attr.parse_nested_meta(|meta| {
                order += 1;
                let at = Position { key: meta.path.span(), order };
                c.parse_key(cx, &meta, at)
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }
        c
    }

    fn parse_key(&mut self, cx: &Ctxt, meta: &ParseNestedMeta, at: Position) -> syn::Result<()> {
        #[allow(clippy::wildcard_imports)] // the whole key table, one branch per key
        use symbol::*;
        let path = &meta.path;
        if *path == STYLE {
            // #[paginate(style = "cursor" | "offset" | "page" | "link")]
            if let Some(lit) = string(cx, meta, STYLE)?
                && let Some(style) = parse_style(cx, &lit)
            {
                self.style.set(cx, at, StyleValue { style, lit });
            }
        } else if *path == CRATE {
            // #[paginate(crate = "path::to::paginated")]
            if let Some(lit) = string(cx, meta, CRATE)? {
                match lit.parse_with(Path::parse_mod_style) {
                    Ok(krate) => self.krate.set(cx, at, krate),
                    Err(_) => cx.error_spanned_by(
                        &lit,
                        format!("`{}` is not a module path; write the path of the `paginated` crate, like `crate = \"paginated\"`", lit.value()),
                    ),
                }
            }
        } else if *path == CURSOR_FIELD {
            // #[paginate(cursor_field = "pages.next.starting_after")]
            field_path_key(cx, meta, at, &mut self.cursor_field)?;
        } else if *path == CURSOR_ITEM_FIELD {
            // #[paginate(cursor_item_field = "id")]: a path in the item type
            // #[paginate(cursor_item_field)]: the item's `ItemCursor` impl
            item_read_key(cx, meta, at, &mut self.cursor_item_field)?;
        } else if *path == CURSOR_HEADER {
            // #[paginate(cursor_header = "X-Next-Cursor")]
            header_key(cx, meta, at, &mut self.cursor_header)?;
        } else if *path == CURSOR_PARAM {
            // #[paginate(cursor_param = "starting_after")]
            query_key(cx, meta, at, &mut self.cursor_param)?;
        } else if *path == CURSOR_BODY {
            // #[paginate(cursor_body = "pagination.starting_after")]
            body_key(cx, meta, at, &mut self.cursor_body)?;
        } else if *path == CURSOR_REQUEST_HEADER {
            // #[paginate(cursor_request_header = "X-Cursor")]
            header_key(cx, meta, at, &mut self.cursor_request_header)?;
        } else if *path == CURSOR_ENCODED {
            // #[paginate(cursor_encoded)] or #[paginate(cursor_encoded = false)]
            flag_key(cx, meta, at, &mut self.cursor_encoded)?;
        } else if *path == FIRST_CURSOR {
            // #[paginate(first_cursor = "*")]: any string, "" included
            if let Some(lit) = string(cx, meta, FIRST_CURSOR)? {
                self.first_cursor.set(cx, at, lit);
            }
        } else if *path == OFFSET_PARAM {
            // #[paginate(offset_param = "offset")]
            query_key(cx, meta, at, &mut self.offset_param)?;
        } else if *path == OFFSET_BODY {
            // #[paginate(offset_body = "offset")]
            body_key(cx, meta, at, &mut self.offset_body)?;
        } else if *path == MAX_OFFSET {
            // #[paginate(max_offset = 10000)]
            int_key(cx, meta, at, &mut self.max_offset, false, |_| None)?;
        } else if *path == PAGE_PARAM {
            // #[paginate(page_param = "page")]
            query_key(cx, meta, at, &mut self.page_param)?;
        } else if *path == PAGE_BODY {
            // #[paginate(page_body = "page")]
            body_key(cx, meta, at, &mut self.page_body)?;
        } else if *path == FIRST_PAGE {
            // #[paginate(first_page = 0 | 1)]
            int_key(cx, meta, at, &mut self.first_page, false, |n| {
                (n > 1).then(|| format!("`first_page` must be 0 or 1, not {n}"))
            })?;
        } else if *path == MAX_PAGE {
            // #[paginate(max_page = 300)]: the largest page number, in the API's numbering
            int_key(cx, meta, at, &mut self.max_page, false, |_| None)?;
        } else if *path == NEXT_URL {
            // #[paginate(next_url = "links.next")]
            field_path_key(cx, meta, at, &mut self.next_url)?;
        } else if *path == PAGE_SIZE_PARAM {
            // #[paginate(page_size_param = "per_page")]
            query_key(cx, meta, at, &mut self.page_size_param)?;
        } else if *path == PAGE_SIZE_BODY {
            // #[paginate(page_size_body = "pagination.per_page")]
            body_key(cx, meta, at, &mut self.page_size_body)?;
        } else if *path == PAGE_SIZE_HEADER {
            // #[paginate(page_size_header = "X-Page-Size")]
            header_key(cx, meta, at, &mut self.page_size_header)?;
        } else if *path == PAGE_SIZE {
            // #[paginate(page_size = 50)]
            int_key(cx, meta, at, &mut self.page_size, true, |_| None)?;
        } else if *path == MAX_PAGE_SIZE {
            // #[paginate(max_page_size = 150)]
            int_key(cx, meta, at, &mut self.max_page_size, true, |_| None)?;
        } else if *path == HAS_MORE {
            // #[paginate(has_more = "has_more")]
            field_path_key(cx, meta, at, &mut self.has_more)?;
        } else if *path == IS_LAST {
            // #[paginate(is_last = "is_last")]
            field_path_key(cx, meta, at, &mut self.is_last)?;
        } else if *path == TOTAL {
            // #[paginate(total = "total_count")]
            field_path_key(cx, meta, at, &mut self.total)?;
        } else if *path == TOTAL_PAGES {
            // #[paginate(total_pages = "pages.total_pages")]
            field_path_key(cx, meta, at, &mut self.total_pages)?;
        } else if *path == TOTAL_HEADER {
            // #[paginate(total_header = "x-total")]
            header_key(cx, meta, at, &mut self.total_header)?;
        } else if *path == TOTAL_PAGES_HEADER {
            // #[paginate(total_pages_header = "x-total-pages")]
            header_key(cx, meta, at, &mut self.total_pages_header)?;
        } else if *path == STOP_ON_SHORT_PAGE {
            // #[paginate(stop_on_short_page)] or #[paginate(stop_on_short_page = false)]
            flag_key(cx, meta, at, &mut self.stop_on_short_page)?;
        } else if *path == STOP_ON_EMPTY_PAGE {
            // #[paginate(stop_on_empty_page)] or #[paginate(stop_on_empty_page = false)]
            flag_key(cx, meta, at, &mut self.stop_on_empty_page)?;
        } else if *path == STOP_ON_SAME_CURSOR {
            // #[paginate(stop_on_same_cursor)] or #[paginate(stop_on_same_cursor = false)]
            flag_key(cx, meta, at, &mut self.stop_on_same_cursor)?;
        } else if *path == MAX_PAGES {
            // #[paginate(max_pages = 100)]
            int_key(cx, meta, at, &mut self.max_pages, false, |n| {
                (n == 0).then(|| "`max_pages` must be at least 1".to_owned())
            })?;
        } else if *path == SLICE_BY {
            // #[paginate(slice_by = "date_created")]: a path in the item type
            // #[paginate(slice_by)]: the item's `ItemSliceKey` impl
            item_read_key(cx, meta, at, &mut self.slice_by)?;
        } else if *path == SLICE_PARAM {
            // #[paginate(slice_param = "date_created__gte")]
            query_key(cx, meta, at, &mut self.slice_param)?;
        } else if *path == SLICE_BODY {
            // #[paginate(slice_body = "query.date_created.gte")]
            body_key(cx, meta, at, &mut self.slice_body)?;
        } else if *path == SINCE_FIELD {
            // #[paginate(since_field = "updated_at")]: a path in the item type
            field_path_key(cx, meta, at, &mut self.since_field)?;
        } else if *path == SINCE_PARAM {
            // #[paginate(since_param = "updated_since")]
            query_key(cx, meta, at, &mut self.since_param)?;
        } else if *path == SINCE_BODY {
            // #[paginate(since_body = "filter.updated_after")]
            body_key(cx, meta, at, &mut self.since_body)?;
        } else if *path == SINCE_HEADER {
            // #[paginate(since_header = "X-Updated-Since")]
            header_key(cx, meta, at, &mut self.since_header)?;
        } else if *path == API_ERROR {
            // #[paginate(api_error = "error")]
            field_path_key(cx, meta, at, &mut self.api_error)?;
        } else if *path == RATE_LIMIT_ERROR {
            // #[paginate(rate_limit_error = "ratelimited")] (several: comma-separated)
            if let Some(lit) = string(cx, meta, RATE_LIMIT_ERROR)? {
                self.rate_limit_error.set(cx, at, lit);
            }
        } else if *path == RATE_LIMIT_STATUS {
            // #[paginate(rate_limit_status = 403)] or #[paginate(rate_limit_status = "400, 403")]
            status_key(cx, meta, at, &mut self.rate_limit_status, "rate limited", |status| {
                (status == 429).then(|| "429 is always a rate limit; remove it".to_owned())
            })?;
        } else if *path == RATE_LIMIT_MATCH {
            // #[paginate(rate_limit_match = "Rate Limit Exceeded")]
            text_key(cx, meta, at, &mut self.rate_limit_match, "rate limited")?;
        } else if *path == CURSOR_EXPIRED_STATUS {
            // #[paginate(cursor_expired_status = 400)] or #[paginate(cursor_expired_status = "400, 404")]
            status_key(cx, meta, at, &mut self.cursor_expired_status, "the cursor expired", |status| {
                match status {
                    429 => Some(
                        "429 is a rate limit, which a wait cures, not an expired cursor; remove it"
                            .to_owned(),
                    ),
                    100..=399 => Some(format!(
                        "{status} is not an error status; an expired cursor is refused with a status from 400 to 599 \
                     (an error in a 200 body is read with `api_error` and `cursor_expired_error`)"
                    )),
                    _ => None,
                }
            })?;
        } else if *path == CURSOR_EXPIRED_MATCH {
            // #[paginate(cursor_expired_match = "expired")]
            text_key(cx, meta, at, &mut self.cursor_expired_match, "the cursor expired")?;
        } else if *path == CURSOR_EXPIRED_FIELD {
            // #[paginate(cursor_expired_field = "[].errorCode")]
            json_path_key(cx, meta, at, &mut self.cursor_expired_field)?;
        } else if *path == CURSOR_EXPIRED_ERROR {
            // #[paginate(cursor_expired_error = "INVALID_QUERY_LOCATOR")] (several: comma-separated)
            if let Some(lit) = string(cx, meta, CURSOR_EXPIRED_ERROR)? {
                self.cursor_expired_error.set(cx, at, lit);
            }
        } else if *path == RATE_LIMIT_FIELD {
            // #[paginate(rate_limit_field = "errors[].extensions.code")]
            json_path_key(cx, meta, at, &mut self.rate_limit_field)?;
        } else if *path == RATE_LIMIT_RESET_HEADER {
            // #[paginate(rate_limit_reset_header = "X-RateLimit-Requests-Reset")]
            header_key(cx, meta, at, &mut self.rate_limit_reset_header)?;
        } else if *path == RATE_LIMIT_REMAINING_HEADER {
            // #[paginate(rate_limit_remaining_header = "X-RateLimit-Requests-Remaining")]
            header_key(cx, meta, at, &mut self.rate_limit_remaining_header)?;
        } else if *path == RATE_LIMIT_WAIT_FIELD {
            // #[paginate(rate_limit_wait_field = "error.rate_reset")]
            json_path_key(cx, meta, at, &mut self.rate_limit_wait_field)?;
        } else if *path == CURSOR_FORM {
            // #[paginate(cursor_form = "cursor")]
            query_key(cx, meta, at, &mut self.cursor_form)?;
        } else if *path == PAGE_SIZE_FORM {
            // #[paginate(page_size_form = "limit")]
            query_key(cx, meta, at, &mut self.page_size_form)?;
        } else if *path == PAGE_SIZE_FORMAT {
            // #[paginate(page_size_format = "batchSize={}")]
            if let Some(lit) = string(cx, meta, PAGE_SIZE_FORMAT)? {
                if lit.value().matches("{}").count() == 1 {
                    self.page_size_format.set(cx, at, lit);
                } else {
                    cx.error_spanned_by(
                        &lit,
                        "`page_size_format` needs exactly one `{}` where the number goes, like `\"batchSize={}\"`",
                    );
                }
            }
        } else if *path == MIN_PAGE_SIZE {
            // #[paginate(min_page_size = 10)]
            int_key(cx, meta, at, &mut self.min_page_size, true, |_| None)?;
        } else if *path == KEEP_PARAMS {
            // #[paginate(keep_params = "access_token")] (several: comma-separated)
            if let Some(lit) = string(cx, meta, KEEP_PARAMS)? {
                self.keep_params.set(cx, at, lit);
            }
        } else if *path == NEXT_STATE || *path == NEXT_REQUEST {
            // #[paginate(next_state = "path::to::fn", next_request = "path::to::fn")]
            let key = if *path == NEXT_STATE { NEXT_STATE } else { NEXT_REQUEST };
            if let Some(lit) = string(cx, meta, key)? {
                match lit.parse_with(Path::parse_mod_style) {
                    Ok(function) => {
                        let slot =
                            if key == NEXT_STATE { &mut self.next_state } else { &mut self.next_request };
                        slot.set(cx, at, respanned(function, lit.span()));
                    }
                    Err(_) => cx.error_spanned_by(
                        &lit,
                        format!("`{}` is not a function path; write it like `{}`", lit.value(), key.example),
                    ),
                }
            }
        } else if *path == DEDUP_BY {
            // #[paginate(dedup_by = "id")]: a path in the item type
            // #[paginate(dedup_by)]: the item's `ItemKey` impl
            item_read_key(cx, meta, at, &mut self.dedup_by)?;
        } else if *path == ITEMS {
            // #[paginate(items = "data.items")]
            if !meta.input.peek(Token![=]) {
                cx.error_at(
                    at.key,
                    "on the struct, `items` takes a path: `items = \"data.items\"`; \
                     to use a field of this struct, put `#[paginate(items)]` on that field",
                );
                return skip_value(meta.input);
            }
            field_path_key(cx, meta, at, &mut self.items)?;
        } else if *path == ITEM_TYPE {
            // #[paginate(item_type = "Contact")]
            if let Some(lit) = string(cx, meta, ITEM_TYPE)? {
                match lit.parse::<Type>() {
                    Ok(ty) => self.item_type.set(cx, at, ty),
                    Err(_) => cx.error_spanned_by(&lit, format!("`{}` is not a type", lit.value())),
                }
            }
        } else {
            cx.error_spanned_by(path, unknown_key_message(path, CONTAINER_KEYS, "`#[paginate]`"));
            return skip_value(meta.input);
        }
        Ok(())
    }

    /// Every key that was set, in no particular order.
    pub fn declared(&self) -> Vec<Declared> {
        [
            self.style.declared(),
            self.krate.declared(),
            self.cursor_field.declared(),
            self.cursor_item_field.declared(),
            self.cursor_header.declared(),
            self.cursor_param.declared(),
            self.cursor_body.declared(),
            self.cursor_request_header.declared(),
            self.cursor_encoded.declared(),
            self.first_cursor.declared(),
            self.offset_param.declared(),
            self.offset_body.declared(),
            self.max_offset.declared(),
            self.page_param.declared(),
            self.page_body.declared(),
            self.first_page.declared(),
            self.max_page.declared(),
            self.next_url.declared(),
            self.page_size_param.declared(),
            self.page_size_body.declared(),
            self.page_size_header.declared(),
            self.page_size.declared(),
            self.max_page_size.declared(),
            self.has_more.declared(),
            self.is_last.declared(),
            self.total.declared(),
            self.total_pages.declared(),
            self.total_header.declared(),
            self.total_pages_header.declared(),
            self.stop_on_short_page.declared(),
            self.stop_on_empty_page.declared(),
            self.stop_on_same_cursor.declared(),
            self.max_pages.declared(),
            self.dedup_by.declared(),
            self.api_error.declared(),
            self.rate_limit_error.declared(),
            self.rate_limit_status.declared(),
            self.rate_limit_match.declared(),
            self.rate_limit_field.declared(),
            self.rate_limit_reset_header.declared(),
            self.rate_limit_remaining_header.declared(),
            self.rate_limit_wait_field.declared(),
            self.cursor_expired_status.declared(),
            self.cursor_expired_match.declared(),
            self.cursor_expired_field.declared(),
            self.cursor_expired_error.declared(),
            self.cursor_form.declared(),
            self.page_size_form.declared(),
            self.page_size_format.declared(),
            self.min_page_size.declared(),
            self.keep_params.declared(),
            self.next_state.declared(),
            self.next_request.declared(),
            self.slice_by.declared(),
            self.slice_param.declared(),
            self.slice_body.declared(),
            self.since_field.declared(),
            self.since_param.declared(),
            self.since_body.declared(),
            self.since_header.declared(),
            self.items.declared(),
            self.item_type.declared(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The `#[paginate(...)]` attributes of one field.
pub struct FieldAttrs {
    /// `#[paginate(items)]`: the span of the `items` key.
    pub items: Attr<()>,
}

impl FieldAttrs {
    pub fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
        let mut f = FieldAttrs { items: Attr::none(symbol::FIELD_ITEMS) };
        for attr in attrs.iter().filter(|attr| attr.path().is_ident(symbol::ATTR)) {
            let parsed = attr.parse_nested_meta(|meta| {
                let at = Position { key: meta.path.span(), order: 0 };
                if meta.path == symbol::FIELD_ITEMS {
                    // #[paginate(items)]
                    if meta.input.peek(Token![=]) {
                        cx.error_at(at.key, "on a field, `items` takes no value: write `#[paginate(items)]`");
                        return skip_value(meta.input);
                    }
                    f.items.set(cx, at, ());
                } else if let Some(key) = symbol::CONTAINER_KEYS.iter().find(|key| meta.path == **key) {
                    cx.error_spanned_by(
                        &meta.path,
                        format!("`{key}` is a key of the struct, not of a field: move `{}` to the `#[paginate(...)]` above the struct", key.example),
                    );
                    return skip_value(meta.input);
                } else {
                    cx.error_spanned_by(
                        &meta.path,
                        symbol::unknown_key_message(&meta.path, symbol::FIELD_KEYS, "field"),
                    );
                    return skip_value(meta.input);
                }
                Ok(())
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }
        f
    }
}

fn parse_style(cx: &Ctxt, lit: &LitStr) -> Option<Style> {
    let value = lit.value();
    let style = Style::ALL.into_iter().find(|style| style.as_str() == value);
    if style.is_none() {
        cx.error_spanned_by(
            lit,
            format!(
                "unknown style `{value:?}`; expected `\"cursor\"`, `\"offset\"`, `\"page\"`, `\"link\"` or `\"custom\"`"
            ),
        );
    }
    style
}

/// `path` with every token at `span`, so rustc's errors about the function
/// (not found, wrong signature) point at the user's string.
fn respanned(path: Path, span: proc_macro2::Span) -> Path {
    let tokens = quote::quote!(#path);
    let tokens: proc_macro2::TokenStream = tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect();
    syn::parse2(tokens).unwrap_or(path)
}

// `key = "a.b.c"`: a path of Rust field names.
fn field_path_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<FieldPath>,
) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)?
        && let Some(path) = parse_field_path(cx, lit, slot.key)
    {
        slot.set(cx, at, path);
    }
    Ok(())
}

// `key = "a.b"` (a path in the item type) or a bare `key` (the item's trait impl).
fn item_read_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<ItemRead>,
) -> syn::Result<()> {
    if !meta.input.peek(Token![=]) {
        slot.set(cx, at, ItemRead::Trait);
        return Ok(());
    }
    if let Some(lit) = string(cx, meta, slot.key)?
        && let Some(path) = parse_field_path(cx, lit, slot.key)
    {
        slot.set(cx, at, ItemRead::Path(path));
    }
    Ok(())
}

// `key = "name"`: a query parameter name.
fn query_key(cx: &Ctxt, meta: &ParseNestedMeta, at: Position, slot: &mut Attr<LitStr>) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)? {
        if lit.value().is_empty() {
            cx.error_spanned_by(
                &lit,
                format!("empty query parameter name; write it like `{}`", slot.key.example),
            );
        } else {
            slot.set(cx, at, lit);
        }
    }
    Ok(())
}

// `key = "X-Name"`: an HTTP header name.
fn header_key(cx: &Ctxt, meta: &ParseNestedMeta, at: Position, slot: &mut Attr<LitStr>) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)? {
        let value = lit.value();
        if value.is_empty() {
            cx.error_spanned_by(&lit, format!("empty header name; write it like `{}`", slot.key.example));
        } else if let Some(c) = value.chars().find(|&c| !is_token_char(c)) {
            cx.error_spanned_by(
                &lit,
                format!(
                    "`{value}` is not an HTTP header name: {c:?} is not allowed in one; use letters, \
                     digits and `-`, like `{}`",
                    slot.key.example
                ),
            );
        } else {
            slot.set(cx, at, lit);
        }
    }
    Ok(())
}

/// A character of an HTTP token (RFC 9110, section 5.6.2), which a header name is.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

// `key = "a.b"`: a path of JSON object keys in the request body.
fn body_key(cx: &Ctxt, meta: &ParseNestedMeta, at: Position, slot: &mut Attr<BodyPath>) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)? {
        let value = lit.value();
        if value.is_empty() {
            cx.error_spanned_by(&lit, format!("empty body path; write it like `{}`", slot.key.example));
        } else if value.split('.').any(str::is_empty) {
            cx.error_spanned_by(
                &lit,
                format!("body path `{value}` has an empty segment; separate JSON keys with single dots, like `{}`", slot.key.example),
            );
        } else {
            let segments = value.split('.').map(str::to_owned).collect();
            slot.set(cx, at, BodyPath { lit, segments });
        }
    }
    Ok(())
}

// `key = "a[].b"`: a path of JSON keys in a response body.
fn json_path_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<JsonPath>,
) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)?
        && let Some(path) = parse_json_path(cx, lit, slot.key)
    {
        slot.set(cx, at, path);
    }
    Ok(())
}

/// `"errors[].extensions.code"` into `["errors", "[]", "extensions", "code"]`.
fn parse_json_path(cx: &Ctxt, lit: LitStr, key: Key) -> Option<JsonPath> {
    let value = lit.value();
    if value.is_empty() {
        cx.error_spanned_by(&lit, format!("empty JSON path; name a key of the body, like `{}`", key.example));
        return None;
    }
    let mut segments = Vec::new();
    for segment in value.split('.') {
        if segment.is_empty() {
            cx.error_spanned_by(
                &lit,
                format!(
                    "JSON path `{value}` has an empty segment; separate keys with single dots, like `{}`",
                    key.example
                ),
            );
            return None;
        }
        let (name, any) = segment.strip_suffix("[]").map_or((segment, false), |name| (name, true));
        if name.contains(['[', ']']) {
            cx.error_spanned_by(
                &lit,
                format!(
                    "`{segment}` in JSON path `{value}` is not a key: `[]` (any element of an array) goes \
                     alone or at the end of a key, like `errors[].code`; indexes are not supported"
                ),
            );
            return None;
        }
        if !name.is_empty() {
            segments.push(name.to_owned());
        }
        if any {
            segments.push("[]".to_owned());
        }
    }
    Some(JsonPath { lit, segments })
}

// `key = "Rate Limit Exceeded"`: text of an error body, case-insensitive.
fn text_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<LitStr>,
    meaning: &str,
) -> syn::Result<()> {
    if let Some(lit) = string(cx, meta, slot.key)? {
        if lit.value().trim().is_empty() {
            cx.error_spanned_by(
                &lit,
                format!(
                    "empty `{}`; write the text of an error body that means {meaning}, like `{}`",
                    slot.key, slot.key.example
                ),
            );
        } else {
            slot.set(cx, at, lit);
        }
    }
    Ok(())
}

// `key = 403` or `key = "400, 403"`: HTTP statuses that mean something (a rate
// limit, an expired cursor); `refuse` says why a status cannot.
fn status_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<StatusList>,
    meaning: &str,
    refuse: impl Fn(u16) -> Option<String>,
) -> syn::Result<()> {
    let key = slot.key;
    let Some(lit) = literal(cx, meta, key, "a status or a string of statuses")? else { return Ok(()) };
    let written: Vec<String> = match &lit {
        Lit::Int(int) => vec![int.base10_digits().to_owned()],
        Lit::Str(list) => list.value().split(',').map(|status| status.trim().to_owned()).collect(),
        _ => {
            cx.error_spanned_by(
                &lit,
                format!("`{key}` takes a status or a string of comma-separated statuses: `{}` or `{key} = \"400, 403\"`", key.example),
            );
            return Ok(());
        }
    };
    let mut statuses = Vec::new();
    for status in &written {
        let problem = if status.is_empty() {
            Some(if written.len() == 1 {
                format!(
                    "empty `{key}`; write the statuses that mean {meaning}, like `{}` or `{key} = \"400, 403\"`",
                    key.example
                )
            } else {
                format!(
                    "`{key}` has an empty entry; separate statuses with single commas, like `{key} = \"400, 403\"`"
                )
            })
        } else {
            match status.parse::<u16>() {
                Ok(n @ 100..=599) => match refuse(n) {
                    Some(problem) => Some(problem),
                    None if statuses.contains(&n) => Some(format!("status {n} is listed twice; remove one")),
                    None => {
                        statuses.push(n);
                        None
                    }
                },
                Ok(_) => Some(format!("{status} is not an HTTP status; statuses go from 100 to 599")),
                Err(_) if status.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(format!("{status} is not an HTTP status; statuses go from 100 to 599"))
                }
                Err(_) => Some(format!(
                    "`{status}` is not an HTTP status; write numbers from 100 to 599, like `{}` or `{key} = \"400, 403\"`",
                    key.example
                )),
            }
        };
        if let Some(message) = problem {
            cx.error_spanned_by(&lit, message);
            return Ok(());
        }
    }
    slot.set(cx, at, StatusList { lit, statuses });
    Ok(())
}

// `key = N`: a positive integer when `positive`, else a non-negative one, with a
// key-specific range check on top.
fn int_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    at: Position,
    slot: &mut Attr<IntValue>,
    positive: bool,
    out_of_range: impl FnOnce(u64) -> Option<String>,
) -> syn::Result<()> {
    let key = slot.key;
    let Some(lit) = literal(cx, meta, key, "an integer")? else { return Ok(()) };
    let Lit::Int(lit) = lit else {
        cx.error_spanned_by(&lit, format!("`{key}` takes an integer: `{}`", key.example));
        return Ok(());
    };
    let kind = if positive { "a positive integer" } else { "a non-negative integer" };
    let digits = lit.base10_digits();
    let parsed = lit.base10_parse::<u64>();
    let problem = match &parsed {
        _ if digits.starts_with('-') => {
            Some(format!("`{key}` must be {kind}, not {digits}; like `{}`", key.example))
        }
        Ok(0) if positive => Some(format!("`{key}` must be {kind}, not 0; like `{}`", key.example)),
        Ok(value) => out_of_range(*value),
        Err(_) => Some(format!("`{key} = {digits}` is too large; the largest value is {}", u64::MAX)),
    };
    match (problem, parsed) {
        (Some(message), _) => cx.error_spanned_by(&lit, message),
        (None, Ok(value)) => slot.set(cx, at, IntValue { lit, value }),
        (None, Err(_)) => unreachable!("a parse error is a problem"),
    }
    Ok(())
}

// `key` or `key = true | false`.
fn flag_key(cx: &Ctxt, meta: &ParseNestedMeta, at: Position, slot: &mut Attr<bool>) -> syn::Result<()> {
    if !meta.input.peek(Token![=]) {
        slot.set(cx, at, true);
        return Ok(());
    }
    let key = slot.key;
    match literal(cx, meta, key, "`true` or `false`")? {
        Some(Lit::Bool(b)) => slot.set(cx, at, b.value()),
        Some(other) => {
            cx.error_spanned_by(&other, format!("`{key}` is a flag: write `{key}` or `{key} = false`"));
        }
        None => {}
    }
    Ok(())
}

/// The string literal after `key =`; `None` (after reporting) for anything else.
fn string(cx: &Ctxt, meta: &ParseNestedMeta, key: Key) -> syn::Result<Option<LitStr>> {
    Ok(match literal(cx, meta, key, "a string")? {
        Some(Lit::Str(lit)) => Some(lit),
        Some(other) => {
            cx.error_spanned_by(&other, format!("`{key}` takes a string: `{}`", key.example));
            None
        }
        None => None,
    })
}

/// The literal after `key =`; `None` after reporting a missing `=` or a
/// non-literal value (the rest of the value is skipped so parsing goes on).
fn literal(cx: &Ctxt, meta: &ParseNestedMeta, key: Key, what: &str) -> syn::Result<Option<Lit>> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(&meta.path, format!("`{key}` takes a value: `{}`", key.example));
        skip_value(meta.input)?;
        return Ok(None);
    }
    let input = meta.value()?;
    if input.peek(Lit) {
        return input.parse().map(Some);
    }
    match input.fork().parse::<TokenTree>() {
        Ok(token) => cx.error_spanned_by(token, format!("`{key}` takes {what}: `{}`", key.example)),
        Err(_) => cx.error_spanned_by(&meta.path, format!("`{key}` takes a value: `{}`", key.example)),
    }
    skip_value(input)?;
    Ok(None)
}

/// Skips the rest of a `key ...` entry, up to the next top-level comma.
pub fn skip_value(input: ParseStream) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((token, next)) = rest.token_tree() {
            if matches!(&token, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// `"pages.next.starting_after"` into identifiers spanned at the literal.
fn parse_field_path(cx: &Ctxt, lit: LitStr, key: Key) -> Option<FieldPath> {
    let value = lit.value();
    if value.is_empty() {
        cx.error_spanned_by(
            &lit,
            format!("empty field path; name a field of the response, like `{}`", key.example),
        );
        return None;
    }
    let mut segments = Vec::new();
    for segment in value.split('.') {
        if segment.is_empty() {
            cx.error_spanned_by(
                &lit,
                format!("field path `{value}` has an empty segment; separate field names with single dots, like `{}`", key.example),
            );
            return None;
        }
        match parse_segment(segment, &lit) {
            Ok(ident) => segments.push(ident),
            Err(message) => {
                let whole =
                    if value.contains('.') { format!(" (in field path `{value}`)") } else { String::new() };
                cx.error_spanned_by(&lit, format!("{message}{whole}"));
                return None;
            }
        }
    }
    Some(FieldPath { lit, segments })
}

/// One segment as an identifier spanned at the literal.
fn parse_segment(segment: &str, lit: &LitStr) -> Result<Ident, String> {
    let bare = segment.strip_prefix("r#").unwrap_or(segment);
    let plausible = bare.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && bare.chars().all(|c| c == '_' || c.is_alphanumeric());
    if !plausible || bare == "_" {
        return Err(format!("`{segment}` is not a Rust field name"));
    }
    if bare.len() == segment.len() && KEYWORDS.contains(&segment) {
        return Err(if ["self", "Self", "super", "crate"].contains(&segment) {
            format!("`{segment}` is a keyword and cannot name a field")
        } else {
            format!("`{segment}` is a keyword; write `r#{segment}`")
        });
    }
    // Tokenize the segment (now known to lex as one identifier) so that raw
    // identifiers work and the identifier carries the literal's span.
    LitStr::new(segment, lit.span()).parse::<Ident>().map_err(|_| format!("`{segment}` is not a field name"))
}

const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do",
    "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static",
    "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];
