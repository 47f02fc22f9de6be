//! The table of `#[paginate(...)]` keys: one place for their names, where they
//! may appear and which `style` they belong to.

use std::fmt;

use syn::Path;

use crate::attr::Style;

/// Where a key belongs and, for container keys, which styles accept it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A `#[paginate(...)]` key on the struct, valid for every style.
    Container,
    /// A `#[paginate(...)]` key on the struct, valid only for these styles.
    Styles(&'static [Style]),
    /// A `#[paginate(...)]` key on a field.
    Field,
}

/// One attribute key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub scope: Scope,
    /// The key written out with a typical value, for messages.
    pub example: &'static str,
}

impl Key {
    const fn container(name: &'static str, example: &'static str) -> Key {
        Key { name, scope: Scope::Container, example }
    }

    const fn styles(name: &'static str, styles: &'static [Style], example: &'static str) -> Key {
        Key { name, scope: Scope::Styles(styles), example }
    }

    /// Whether a struct of this style may use the key.
    pub fn applies_to(self, style: Style) -> bool {
        match self.scope {
            Scope::Container => true,
            Scope::Styles(styles) => styles.contains(&style),
            Scope::Field => false,
        }
    }

    /// `style = "offset"`, `style = "offset"` and `style = "page"`, or
    /// `style = "cursor"`, `style = "link"` and `style = "custom"`.
    pub fn styles_phrase(self) -> String {
        let Scope::Styles(styles) = self.scope else { return String::new() };
        let names: Vec<String> = styles.iter().map(|s| format!("`style = \"{}\"`", s.as_str())).collect();
        match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq<Key> for Path {
    fn eq(&self, key: &Key) -> bool {
        self.is_ident(key.name)
    }
}

const CURSOR: &[Style] = &[Style::Cursor];
const OFFSET: &[Style] = &[Style::Offset];
const PAGE: &[Style] = &[Style::Page];
const OFFSET_PAGE: &[Style] = &[Style::Offset, Style::Page];
const CUSTOM: &[Style] = &[Style::Custom];
const LINK: &[Style] = &[Style::Link];
/// The styles whose position the server hands out, and may forget.
const SERVER_POSITION: &[Style] = &[Style::Cursor, Style::Link, Style::Custom];

pub const ATTR: &str = "paginate";

pub const STYLE: Key = Key::container("style", "style = \"cursor\"");
pub const CRATE: Key = Key::container("crate", "crate = \"paginated\"");

pub const CURSOR_FIELD: Key =
    Key::styles("cursor_field", CURSOR, "cursor_field = \"pages.next.starting_after\"");
pub const CURSOR_ITEM_FIELD: Key = Key::styles("cursor_item_field", CURSOR, "cursor_item_field = \"id\"");
pub const CURSOR_HEADER: Key = Key::styles("cursor_header", CURSOR, "cursor_header = \"X-Next-Cursor\"");
pub const CURSOR_PARAM: Key = Key::styles("cursor_param", CURSOR, "cursor_param = \"starting_after\"");
pub const CURSOR_BODY: Key =
    Key::styles("cursor_body", CURSOR, "cursor_body = \"pagination.starting_after\"");
pub const CURSOR_REQUEST_HEADER: Key =
    Key::styles("cursor_request_header", CURSOR, "cursor_request_header = \"X-Cursor\"");
pub const CURSOR_ENCODED: Key = Key::styles("cursor_encoded", CURSOR, "cursor_encoded");
pub const FIRST_CURSOR: Key = Key::styles("first_cursor", CURSOR, "first_cursor = \"*\"");

pub const OFFSET_PARAM: Key = Key::styles("offset_param", OFFSET, "offset_param = \"offset\"");
pub const OFFSET_BODY: Key = Key::styles("offset_body", OFFSET, "offset_body = \"offset\"");
pub const MAX_OFFSET: Key = Key::styles("max_offset", OFFSET_PAGE, "max_offset = 10000");

pub const PAGE_PARAM: Key = Key::styles("page_param", PAGE, "page_param = \"page\"");
pub const PAGE_BODY: Key = Key::styles("page_body", PAGE, "page_body = \"page\"");
pub const FIRST_PAGE: Key = Key::styles("first_page", PAGE, "first_page = 0");
pub const MAX_PAGE: Key = Key::styles("max_page", PAGE, "max_page = 300");

pub const NEXT_URL: Key = Key::styles("next_url", LINK, "next_url = \"links.next\"");

pub const PAGE_SIZE_PARAM: Key = Key::container("page_size_param", "page_size_param = \"per_page\"");
pub const PAGE_SIZE_BODY: Key = Key::container("page_size_body", "page_size_body = \"pagination.per_page\"");
pub const PAGE_SIZE_HEADER: Key = Key::container("page_size_header", "page_size_header = \"X-Page-Size\"");
pub const PAGE_SIZE: Key = Key::container("page_size", "page_size = 50");
pub const MAX_PAGE_SIZE: Key = Key::container("max_page_size", "max_page_size = 150");

pub const HAS_MORE: Key = Key::container("has_more", "has_more = \"has_more\"");
pub const IS_LAST: Key = Key::container("is_last", "is_last = \"is_last\"");
pub const TOTAL: Key = Key::container("total", "total = \"total_count\"");
pub const TOTAL_PAGES: Key = Key::container("total_pages", "total_pages = \"pages.total_pages\"");
pub const TOTAL_HEADER: Key = Key::container("total_header", "total_header = \"x-total\"");
pub const TOTAL_PAGES_HEADER: Key =
    Key::container("total_pages_header", "total_pages_header = \"x-total-pages\"");
pub const STOP_ON_SHORT_PAGE: Key = Key::container("stop_on_short_page", "stop_on_short_page");
pub const STOP_ON_EMPTY_PAGE: Key = Key::container("stop_on_empty_page", "stop_on_empty_page");
pub const STOP_ON_SAME_CURSOR: Key = Key::styles("stop_on_same_cursor", CURSOR, "stop_on_same_cursor");
pub const MAX_PAGES: Key = Key::container("max_pages", "max_pages = 100");

pub const DEDUP_BY: Key = Key::container("dedup_by", "dedup_by = \"id\"");

pub const API_ERROR: Key = Key::container("api_error", "api_error = \"error\"");
pub const RATE_LIMIT_ERROR: Key = Key::container("rate_limit_error", "rate_limit_error = \"ratelimited\"");
pub const RATE_LIMIT_STATUS: Key = Key::container("rate_limit_status", "rate_limit_status = 403");
pub const RATE_LIMIT_MATCH: Key =
    Key::container("rate_limit_match", "rate_limit_match = \"Rate Limit Exceeded\"");
pub const RATE_LIMIT_FIELD: Key =
    Key::container("rate_limit_field", "rate_limit_field = \"errors[].extensions.code\"");
pub const RATE_LIMIT_RESET_HEADER: Key =
    Key::container("rate_limit_reset_header", "rate_limit_reset_header = \"X-RateLimit-Requests-Reset\"");
pub const RATE_LIMIT_REMAINING_HEADER: Key = Key::container(
    "rate_limit_remaining_header",
    "rate_limit_remaining_header = \"X-RateLimit-Requests-Remaining\"",
);
pub const RATE_LIMIT_WAIT_FIELD: Key =
    Key::container("rate_limit_wait_field", "rate_limit_wait_field = \"error.rate_reset\"");
pub const CURSOR_EXPIRED_STATUS: Key =
    Key::styles("cursor_expired_status", SERVER_POSITION, "cursor_expired_status = 400");
pub const CURSOR_EXPIRED_MATCH: Key =
    Key::styles("cursor_expired_match", SERVER_POSITION, "cursor_expired_match = \"expired\"");
pub const CURSOR_EXPIRED_FIELD: Key =
    Key::styles("cursor_expired_field", SERVER_POSITION, "cursor_expired_field = \"[].errorCode\"");
pub const CURSOR_EXPIRED_ERROR: Key =
    Key::styles("cursor_expired_error", SERVER_POSITION, "cursor_expired_error = \"INVALID_QUERY_LOCATOR\"");
pub const CURSOR_FORM: Key = Key::styles("cursor_form", CURSOR, "cursor_form = \"cursor\"");
pub const PAGE_SIZE_FORM: Key = Key::container("page_size_form", "page_size_form = \"limit\"");
pub const PAGE_SIZE_FORMAT: Key = Key::container("page_size_format", "page_size_format = \"batchSize={}\"");
pub const MIN_PAGE_SIZE: Key = Key::container("min_page_size", "min_page_size = 10");
pub const KEEP_PARAMS: Key = Key::styles("keep_params", LINK, "keep_params = \"access_token\"");
pub const NEXT_STATE: Key = Key::styles("next_state", CUSTOM, "next_state = \"scroll_state\"");
pub const NEXT_REQUEST: Key = Key::styles("next_request", CUSTOM, "next_request = \"scroll_request\"");

pub const SLICE_BY: Key = Key::styles("slice_by", OFFSET, "slice_by = \"date_created\"");
pub const SLICE_PARAM: Key = Key::styles("slice_param", OFFSET, "slice_param = \"date_created__gte\"");
pub const SLICE_BODY: Key = Key::styles("slice_body", OFFSET, "slice_body = \"query.date_created.gte\"");

pub const SINCE_FIELD: Key = Key::container("since_field", "since_field = \"updated_at\"");
pub const SINCE_PARAM: Key = Key::container("since_param", "since_param = \"updated_since\"");
pub const SINCE_BODY: Key = Key::container("since_body", "since_body = \"filter.updated_after\"");
pub const SINCE_HEADER: Key = Key::container("since_header", "since_header = \"X-Updated-Since\"");

pub const ITEMS: Key = Key::container("items", "items = \"data.items\"");
pub const ITEM_TYPE: Key = Key::container("item_type", "item_type = \"Contact\"");

/// `#[paginate(items)]` on a field.
pub const FIELD_ITEMS: Key = Key { name: "items", scope: Scope::Field, example: "#[paginate(items)]" };

/// Every key accepted on the struct, in the order the docs list them.
pub const CONTAINER_KEYS: &[Key] = &[
    STYLE,
    CRATE,
    CURSOR_FIELD,
    CURSOR_ITEM_FIELD,
    CURSOR_HEADER,
    CURSOR_PARAM,
    CURSOR_BODY,
    CURSOR_REQUEST_HEADER,
    CURSOR_ENCODED,
    FIRST_CURSOR,
    OFFSET_PARAM,
    OFFSET_BODY,
    MAX_OFFSET,
    PAGE_PARAM,
    PAGE_BODY,
    FIRST_PAGE,
    MAX_PAGE,
    NEXT_URL,
    PAGE_SIZE_PARAM,
    PAGE_SIZE_BODY,
    PAGE_SIZE_HEADER,
    PAGE_SIZE,
    MAX_PAGE_SIZE,
    HAS_MORE,
    IS_LAST,
    TOTAL,
    TOTAL_PAGES,
    TOTAL_HEADER,
    TOTAL_PAGES_HEADER,
    STOP_ON_SHORT_PAGE,
    STOP_ON_EMPTY_PAGE,
    STOP_ON_SAME_CURSOR,
    MAX_PAGES,
    DEDUP_BY,
    API_ERROR,
    RATE_LIMIT_ERROR,
    RATE_LIMIT_STATUS,
    RATE_LIMIT_MATCH,
    RATE_LIMIT_FIELD,
    RATE_LIMIT_RESET_HEADER,
    RATE_LIMIT_REMAINING_HEADER,
    RATE_LIMIT_WAIT_FIELD,
    CURSOR_EXPIRED_STATUS,
    CURSOR_EXPIRED_MATCH,
    CURSOR_EXPIRED_FIELD,
    CURSOR_EXPIRED_ERROR,
    CURSOR_FORM,
    PAGE_SIZE_FORM,
    PAGE_SIZE_FORMAT,
    MIN_PAGE_SIZE,
    KEEP_PARAMS,
    NEXT_STATE,
    NEXT_REQUEST,
    SLICE_BY,
    SLICE_PARAM,
    SLICE_BODY,
    SINCE_FIELD,
    SINCE_PARAM,
    SINCE_BODY,
    SINCE_HEADER,
    ITEMS,
    ITEM_TYPE,
];

/// Every key accepted on a field.
pub const FIELD_KEYS: &[Key] = &[FIELD_ITEMS];

/// "unknown key `x`" with a suggestion and the list of valid keys.
pub fn unknown_key_message(path: &Path, valid: &[Key], place: &str) -> String {
    let name = path.get_ident().map_or_else(
        || path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::"),
        ToString::to_string,
    );
    let list: Vec<String> = valid.iter().map(|k| format!("`{k}`")).collect();
    let suggestion = valid
        .iter()
        .map(|k| (edit_distance(&name, k.name), k.name))
        .filter(|&(d, _)| d <= 2.max(name.len() / 3))
        .min()
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    format!("unknown {place} key `{name}`{suggestion}\nexpected one of: {}", list.join(", "))
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("cursr_field", "cursor_field"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn keys_are_unique() {
        for (i, a) in CONTAINER_KEYS.iter().enumerate() {
            assert!(CONTAINER_KEYS[i + 1..].iter().all(|b| a.name != b.name), "{a}");
        }
    }
}
