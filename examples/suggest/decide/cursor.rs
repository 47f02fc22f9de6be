//! Cursors: from a response field, a response header or the last item, and
//! where they go back (a query parameter, the JSON or form body, a header).

use serde_json::Value;

use super::detect::{Found, HAS_MORE_NAMES, IS_LAST_NAMES, Items, PAGE_NAMES, SIZE_NAMES, short};
use super::names::{self as names, norm, words};
use super::position::{offset_for, size_in_body};
use super::sample::RequestBody;
use super::{Plan, Val};

/// Where a cursor goes in the next request.
enum Target {
    Param(String),
    Body(String),
    Form(String),
    Header(String),
}

impl Plan<'_, '_> {
    // ---- cursor in a response field ----

    pub(super) fn cursor_field(&mut self) -> bool {
        let cursors = self.ev.cursors();
        let Some(&(_, cursor)) = cursors.first() else { return false };
        let cursor = cursor.clone();
        for (_, other) in cursors.iter().skip(1).take(2) {
            self.d.alternatives.push(format!(
                "the cursor could be `{}` ({})",
                other.keys.join("."),
                other.shown()
            ));
        }
        let path = self.model.rust_path(0, &cursor.keys);
        self.d.str("style", "cursor");
        self.d.str("cursor_field", path.clone());
        self.d.why.push(format!(
            "`{}` = {} reads as the next page's cursor",
            cursor.keys.join("."),
            cursor.shown()
        ));
        if cursor.sample.is_none() {
            self.d.confirm.push(
                "the cursor is null in the sample, as on a last page: check its type on a longer list".into(),
            );
        }
        self.optional_signal(&cursor.keys);
        // A next URL next to the cursor: the same walk as a link.
        let links: Vec<String> =
            self.ev.next_urls().iter().map(|f| f.text().unwrap_or("").to_owned()).collect();
        for url in self.ev.next_urls() {
            let path = self.model.rust_path(0, &url.keys);
            self.d.alternatives.push(format!(
                "`style = \"link\", next_url = \"{path}\"` follows `{}` instead (the server's URL, verbatim)",
                url.keys.join(".")
            ));
        }
        let mut next_urls = links;
        if let Some(link) = self.ev.next_link() {
            self.d
                .alternatives
                .push("`style = \"link\"` follows the `Link` header's `rel=\"next\"` instead".into());
            next_urls.push(link.url.clone());
        }
        let target = self.cursor_target(&cursor, &next_urls);
        self.place_cursor(target);
        self.stops(&cursor.keys, false);
        if let Some(text) = cursor.text()
            && has_percent_escape(text)
        {
            self.d.alternatives.push(format!(
                "the cursor {} holds %-escapes: if the API documents it as already percent-encoded, add \
                     `cursor_encoded` (it is sent as it is instead of encoded once more)",
                cursor.shown()
            ));
        }
        let n = norm(cursor.key());
        if n.contains("scroll") {
            self.d.set("stop_on_empty_page", Val::Flag);
            self.d.why.push(
                "a scroll hands out a token on every page, the last one included: an empty page is the end \
                 (`stop_on_empty_page`)"
                    .into(),
            );
        }
        if n.ends_with("cursormark") {
            self.d.set("stop_on_empty_page", Val::Flag);
            self.d.why.push(
                "a `cursorMark` scheme (Solr) ends by sending back the mark it was given, on an empty page: \
                 `stop_on_empty_page`"
                    .into(),
            );
        }
        if !["has_more", "is_last", "stop_on_empty_page"].iter().any(|k| self.d.get(k).is_some()) {
            self.d.confirm.push(
                "the walk ends when the cursor is absent, null or \"\"; if the API keeps sending one on \
                 its last page, declare the flag that says so (`has_more`, `is_last`) or \
                 `stop_on_empty_page`"
                    .into(),
            );
        }
        true
    }

    /// Where the cursor goes, and why.
    fn cursor_target(&mut self, cursor: &Found, next_urls: &[String]) -> Target {
        let key = cursor.key().to_owned();
        match &self.sample().request_body {
            Some(RequestBody::Json(body)) => {
                if is_graphql(body) {
                    let var = graphql_variable(body, "after").unwrap_or_else(|| "after".to_owned());
                    self.d.why.push(format!(
                        "a GraphQL request: the cursor goes back as the `${var}` variable, `variables.{var}` in the body"
                    ));
                    return Target::Body(format!("variables.{var}"));
                }
                let (name, why, known) = self.request_name(&key);
                // Next to the page size when that is nested (`pagination.per_page`).
                let prefix =
                    size_in_body(body).and_then(|(path, _)| path.rsplit_once('.').map(|(p, _)| p.to_owned()));
                let path = prefix.map_or_else(|| name.clone(), |p| format!("{p}.{name}"));
                self.d.why.push(format!(
                    "the request has a JSON body: the cursor goes back in it, at `{path}` ({why})"
                ));
                if !known {
                    self.d.confirm.push(format!(
                        "`{path}` is a convention a second request must confirm, or the API's docs"
                    ));
                }
                return Target::Body(path);
            }
            Some(RequestBody::Form(_)) => {
                let (name, why, _) = self.request_name(&key);
                self.d.why.push(format!(
                    "the request has a form body: the cursor goes back as its field `{name}` ({why})"
                ));
                return Target::Form(name);
            }
            None => {}
        }
        // The cursor's value inside a next URL names the parameter.
        for url in next_urls {
            let Some(pairs) = self.ev.pairs_of(url) else { continue };
            let value = cursor.sample.as_ref().map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if let Some((name, _, raw)) =
                pairs.iter().find(|(_, v, raw)| value.as_ref().is_some_and(|c| c == v || c == raw))
            {
                self.d.why.push(format!("the next URL carries the cursor as `{name}={}`", short(raw)));
                return Target::Param(name.clone());
            }
        }
        // A cursor parameter already in the request (`cursorMark=*`, Close's `_cursor=`).
        let in_url = self.sample().query().into_iter().find(|(name, _, _)| {
            let w = words(name);
            ["cursor", "token", "mark", "after", "scroll", "continuation", "marker"]
                .iter()
                .any(|c| w.iter().any(|x| x == c))
        });
        if let Some((name, value, _)) = in_url {
            self.d
                .why
                .push(format!("your request already sends `{name}={value}`: the cursor goes back there"));
            self.d.str("first_cursor", value.clone());
            self.d.why.push(format!(
                "`first_cursor = \"{value}\"`: the first request sends `{name}={value}` as yours does"
            ));
            return Target::Param(name);
        }
        let (name, why, known) = self.request_name(&key);
        self.d.why.push(format!("the cursor goes back as `{name}` ({why})"));
        if !known {
            self.d.confirm.push(format!(
                "no next URL shows the parameter's name: `{name}` is a convention; a second request with it must \
                 return the next items"
            ));
        }
        Target::Param(name)
    }

    /// The request name of a response cursor: a known API's convention, or
    /// the response name without its "next" (`next_cursor` -> `cursor`,
    /// `nextPageToken` -> `pageToken`, `nextCursorMark` -> `cursorMark`), and
    /// whether the name is documented (a known API's) rather than guessed.
    fn request_name(&self, key: &str) -> (String, String, bool) {
        let n = norm(key);
        let host = self.sample().host().unwrap_or("");
        for (suffix, cursor, name, why) in HOST_CONVENTIONS {
            if (host == *suffix || host.ends_with(&format!(".{suffix}")))
                && (cursor.is_empty() || n == *cursor)
            {
                return ((*name).to_owned(), format!("{suffix} convention: {why}"), true);
            }
        }
        let guess = |name: &str, why: &str| (name.to_owned(), why.to_owned(), false);
        match n.as_str() {
            "aftercursor" | "endcursor" => return guess("after", "the usual name for an `after` cursor"),
            "next" => return guess("cursor", "a guess"),
            "nextpage" => return guess("page", "a page number"),
            "nexttoken" | "continuationtoken" | "continuation" | "scrollparam" | "scrollid" | "after"
            | "startingafter" | "offset" | "cursor" => return guess(key, "the same name as in the response"),
            _ => {}
        }
        let camel = key.contains(char::is_uppercase) && !key.contains('_');
        let rest: Vec<String> = words(key).into_iter().filter(|w| w != "next").collect();
        if rest.is_empty() {
            return guess("cursor", "a guess");
        }
        let name = if camel {
            rest.iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { names::pascal(w) })
                .collect::<String>()
        } else {
            rest.join("_")
        };
        (name, format!("`{key}` without its \"next\""), false)
    }

    fn place_cursor(&mut self, target: Target) {
        match target {
            Target::Param(name) => self.d.str("cursor_param", name),
            Target::Body(path) => self.d.str("cursor_body", path),
            Target::Form(name) => self.d.str("cursor_form", name),
            Target::Header(name) => self.d.str("cursor_request_header", name),
        }
    }

    // ---- cursor in a response header ----

    pub(super) fn cursor_header(&mut self) -> bool {
        let found = self.sample().headers.iter().find(|(name, value)| {
            let n = norm(name);
            !value.is_empty()
                && !n.contains("prev")
                && ["continuation", "cursor", "nexttoken", "nextpage"].iter().any(|w| n.contains(w))
        });
        let Some((name, value)) = found.cloned() else { return false };
        let name = name.to_ascii_lowercase();
        self.d.str("style", "cursor");
        self.d.str("cursor_header", name.clone());
        self.d.why.push(format!("the response header `{name}: {}` reads as the next cursor", short(&value)));
        if norm(&name).contains("continuation") {
            self.place_cursor(Target::Header(name.clone()));
            self.d.why.push(format!(
                "a continuation header goes back in the request header of the same name (Azure's `{name}`)"
            ));
            self.d
                .confirm
                .push("pages may be empty before the end: only a missing header ends the walk".into());
        } else if norm(&name).contains("nextpage") {
            let param = self.ev.query_param(PAGE_NAMES).map_or_else(|| "page".to_owned(), |(n, _, _)| n);
            self.d.str("cursor_param", param.clone());
            self.d.why.push(format!(
                "`{name}` holds the next page number: it goes back as `{param}` (empty on the last page)"
            ));
            self.d
                .alternatives
                .push("if the API also sends a `Link` header, `style = \"link\"` works as well".into());
        } else {
            let (param, why, _) = self.request_name(name.trim_start_matches("x-"));
            self.d.str("cursor_param", param.clone());
            self.d.why.push(format!("it goes back as `{param}` ({why})"));
            self.d
                .confirm
                .push(format!("`{param}` is a guess: a second request with it must return the next items"));
        }
        self.stops(&[], false);
        true
    }

    // ---- the cursor is a field of the last item ----

    pub(super) fn item_cursor(&mut self, items: Option<&Items>) -> bool {
        let flag = self.ev.flag(HAS_MORE_NAMES, &[]).or_else(|| self.ev.flag(IS_LAST_NAMES, &[])).cloned();
        let Some(flag) = flag else { return false };
        let Some(element) = items.and_then(|i| i.element) else { return false };
        let Some(id) =
            self.model.structs[element].fields.iter().find(|f| norm(&f.key) == "id" && !f.optional).cloned()
        else {
            return false;
        };
        self.d.str("style", "cursor");
        self.d.str("cursor_item_field", id.ident.clone());
        self.d.why.push(format!(
            "`{}` but no cursor field: the next cursor is the last item's `{}` (Stripe's `starting_after`)",
            flag.keys.join("."),
            id.key
        ));
        let target = match &self.sample().request_body {
            Some(RequestBody::Json(_)) => Target::Body("starting_after".into()),
            Some(RequestBody::Form(_)) => Target::Form("starting_after".into()),
            None => Target::Param("starting_after".into()),
        };
        self.place_cursor(target);
        self.d.confirm.push(
            "`starting_after` is the usual name (Stripe, Intercom); others say `after` or `since_id`: a second \
             request with the last id must return the next items"
                .into(),
        );
        if let Some((size, _, _)) = self.ev.query_param(SIZE_NAMES) {
            let offset = offset_for(&size);
            self.d.alternatives.push(format!(
                "if the API skips by count instead: `style = \"offset\", offset_param = \"{offset}\"`"
            ));
        }
        self.stops(&[], false);
        true
    }
}

/// `after` in `issues(first: $first, after: $after)`: the variable passed as
/// `argument`, not where it is declared (`$after: String`).
pub(super) fn graphql_variable(body: &Value, argument: &str) -> Option<String> {
    let query = body.get("query")?.as_str()?;
    body.get("variables")?;
    let pattern = format!("{argument}:");
    query.match_indices(&pattern).find_map(|(at, _)| {
        let before = query[..at].chars().next_back();
        if before.is_some_and(|c| c == '$' || c.is_alphanumeric() || c == '_') {
            return None;
        }
        let var = query[at + pattern.len()..].trim_start().strip_prefix('$')?;
        let name: String = var.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        (!name.is_empty()).then_some(name)
    })
}

pub(super) fn is_graphql(body: &Value) -> bool {
    body.get("query").is_some_and(Value::is_string) && body.get("variables").is_some()
}

fn has_percent_escape(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

/// Request names a sample cannot show: (host, response cursor (normalised,
/// empty for any), request name, why).
const HOST_CONVENTIONS: &[(&str, &str, &str, &str)] = &[
    ("api.notion.com", "", "start_cursor", "Notion takes `next_cursor` back as `start_cursor`"),
    (
        "atlassian.net",
        "nextpagetoken",
        "nextPageToken",
        "Jira takes `nextPageToken` back under the same name",
    ),
    (
        "api.x.com",
        "nexttoken",
        "pagination_token",
        "X's timelines take `next_token` back as `pagination_token` (its search endpoints as `next_token`)",
    ),
    (
        "api.twitter.com",
        "nexttoken",
        "pagination_token",
        "X's timelines take `next_token` back as `pagination_token` (its search endpoints as `next_token`)",
    ),
];
