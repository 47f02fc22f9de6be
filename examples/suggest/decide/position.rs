//! Next URLs (the `Link` header or a response field), offsets and page
//! numbers, and the page size.

use serde_json::Value;

use super::cursor::{graphql_variable, is_graphql};
use super::detect::{
    Found, Items, OFFSET_NAMES, PAGE_NAMES, SIZE_NAMES, TOTAL_NAMES, TOTAL_PAGES_NAMES, short,
};
use super::names::norm;
use super::sample::RequestBody;
use super::schema::Ty;
use super::{Plan, Val};

impl Plan<'_, '_> {
    // ---- next URL: the Link header or a response field ----

    pub(super) fn next_url(&mut self, items: Option<&Items>) -> bool {
        let body_url = self.ev.next_urls().first().map(|f| (*f).clone());
        let header = self.ev.next_link().cloned();
        let url = match (&header, &body_url) {
            (Some(link), _) => link.url.clone(),
            (None, Some(found)) => found.text().unwrap_or("").to_owned(),
            (None, None) => return false,
        };
        // A next URL that only bumps `page` or `offset`, with a known total:
        // an offset or page walk knows its end and may fetch concurrently.
        if let Some(step) = self.url_step(&url, items) {
            let total_known =
                self.ev.count(TOTAL_NAMES, &[]).is_some() || self.ev.count(TOTAL_PAGES_NAMES, &[]).is_some();
            if total_known && self.offset_or_page(Some(&step)) {
                let how = match &body_url {
                    Some(found) => {
                        format!("`style = \"link\", next_url = \"{}\"`", self.model.rust_path(0, &found.keys))
                    }
                    None => "`style = \"link\"` (the `Link` header)".to_owned(),
                };
                self.d.alternatives.push(format!(
                    "{how} follows the server's next URL instead; slower (one page at a time) but it needs no page arithmetic"
                ));
                return true;
            }
        }
        self.d.str("style", "link");
        match (&header, &body_url) {
            (Some(link), _) => {
                self.d.why.push(format!("the `Link` header has `rel=\"next\"`: <{}>", short(&link.url)));
                if link.params.iter().any(|(n, _)| n == "results") {
                    self.d.why.push("the link has a `results` parameter (Sentry): `results=\"false\"` on `rel=\"next\"` marks the end, which the `Link` reading knows".into());
                }
                if let Some(found) = &body_url {
                    let path = self.model.rust_path(0, &found.keys);
                    self.d.alternatives.push(format!(
                        "`next_url = \"{path}\"` reads the body's `{}` instead",
                        found.keys.join(".")
                    ));
                }
            }
            (None, Some(found)) => {
                let path = self.model.rust_path(0, &found.keys);
                self.d.str("next_url", path.clone());
                let kind = if found.text().is_some_and(|t| t.starts_with("http")) {
                    "an absolute"
                } else {
                    "a relative"
                };
                self.d.why.push(format!(
                    "`{}` is {kind} next URL ({}): `next_url = \"{path}\"`, resolved against the request's URL",
                    found.keys.join("."),
                    found.shown()
                ));
            }
            (None, None) => unreachable!(),
        }
        self.keep_params(&url);
        self.stops(&body_url.map(|f| f.keys).unwrap_or_default(), false);
        true
    }

    /// Credentials in the request's query that the next URL lacks (Canvas's
    /// `access_token`): `keep_params`. Other parameters the next URL drops are
    /// meant to go (Shopify refuses filters next to `page_info`).
    fn keep_params(&mut self, next: &str) {
        let Some(pairs) = self.ev.pairs_of(next) else { return };
        let dropped: Vec<String> = self
            .sample()
            .query()
            .into_iter()
            .map(|(n, _, _)| n)
            .filter(|n| !pairs.iter().any(|(m, _, _)| m == n))
            .collect();
        let secret = |n: &str| {
            let n = norm(n);
            ["token", "key", "secret", "auth", "signature", "sig"].iter().any(|w| n.contains(w))
        };
        let kept: Vec<&String> = dropped.iter().filter(|n| secret(n)).collect();
        if !kept.is_empty() {
            let list = kept.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
            self.d.str("keep_params", list.clone());
            self.d.why.push(format!("the next URL drops the credential `{list}` of your URL: `keep_params` adds it back (same origin only)"));
        }
        let others: Vec<&String> =
            dropped.iter().filter(|n| !secret(n) && !SIZE_NAMES.contains(&norm(n).as_str())).collect();
        if !others.is_empty() {
            let list = others.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            self.d.why.push(format!(
                "the next URL leaves out {list} of your URL: next URLs are followed verbatim, so those go on \
                 the first request only (as the API wants, if it encodes them in the link)"
            ));
        }
    }

    /// `page=2` (or `offset=N`) where the request had `page=1`, or none.
    fn url_step(&self, next: &str, items: Option<&Items>) -> Option<Step> {
        let pairs = self.ev.pairs_of(next)?;
        let request = self.sample().query();
        let changed: Vec<&(String, String, String)> =
            pairs.iter().filter(|(n, v, _)| !request.iter().any(|(m, w, _)| m == n && w == v)).collect();
        let [(name, value, _)] = changed.as_slice() else { return None };
        let value: u64 = value.parse().ok()?;
        let before: u64 =
            request.iter().find(|(m, _, _)| m == name).and_then(|(_, v, _)| v.parse().ok()).unwrap_or(0);
        let n = norm(name);
        if PAGE_NAMES.contains(&n.as_str()) && value == before.max(1) + 1 {
            return Some(Step::Page(name.clone(), value - 1));
        }
        let received = items.map_or(0, |i| i.len as u64);
        if OFFSET_NAMES.contains(&n.as_str()) && received > 0 && value == before + received {
            return Some(Step::Offset(name.clone()));
        }
        None
    }

    // ---- offset and page numbers ----

    pub(super) fn offset_or_page(&mut self, step: Option<&Step>) -> bool {
        let offset_in_url = self.ev.query_param(OFFSET_NAMES).filter(|(_, v, _)| v.parse::<u64>().is_ok());
        let page_in_url = self.ev.query_param(PAGE_NAMES).filter(|(_, v, _)| v.parse::<u64>().is_ok());
        let echo = |names: &[&str]| {
            self.ev.fields().find(|f| {
                matches!(f.ty, Ty::U64 | Ty::Lenient)
                    && names.contains(&norm(f.key()).as_str())
                    && f.in_pagination_container()
            })
        };
        let offset_echo = echo(OFFSET_NAMES).cloned();
        let page_echo = echo(&["page", "pagenumber", "currentpage", "pageno", "pageindex"]).cloned();
        let json_body = match &self.sample().request_body {
            Some(RequestBody::Json(body)) => Some(body),
            _ => None,
        };
        let in_body = |names: &[&str]| json_body.and_then(|body| number_in_body(body, names));
        // Where the evidence is says where the position goes: the query, or the JSON body.
        let (style, name, why, body) = match step {
            Some(Step::Page(name, _)) => (
                "page",
                name.clone(),
                format!("the next URL is your request with `{name}` one higher: page numbers"),
                false,
            ),
            Some(Step::Offset(name)) => (
                "offset",
                name.clone(),
                format!("the next URL is your request with `{name}` moved by the items received: an offset"),
                false,
            ),
            None => match (&offset_in_url, &page_in_url, in_body(OFFSET_NAMES), in_body(PAGE_NAMES)) {
                (Some((name, value, _)), _, _, _) => {
                    ("offset", name.clone(), format!("your request sends the offset `{name}={value}`"), false)
                }
                (None, Some((name, value, _)), _, _) => (
                    "page",
                    name.clone(),
                    format!("your request sends the page number `{name}={value}`"),
                    false,
                ),
                (None, None, Some((path, value)), _) => (
                    "offset",
                    path.clone(),
                    format!("your JSON body sends the offset `{path}` ({value})"),
                    true,
                ),
                (None, None, None, Some((path, value))) => (
                    "page",
                    path.clone(),
                    format!("your JSON body sends the page number `{path}` ({value})"),
                    true,
                ),
                (None, None, None, None) => match (&offset_echo, &page_echo) {
                    (Some(found), _) => (
                        "offset",
                        found.key().to_owned(),
                        format!(
                            "the response echoes the offset `{}` = {}",
                            found.keys.join("."),
                            found.shown()
                        ),
                        json_body.is_some(),
                    ),
                    (None, Some(found)) => {
                        let name = if norm(found.key()) == "currentpage" {
                            "page".to_owned()
                        } else {
                            found.key().to_owned()
                        };
                        (
                            "page",
                            name,
                            format!(
                                "the response echoes the page number `{}` = {}",
                                found.keys.join("."),
                                found.shown()
                            ),
                            json_body.is_some(),
                        )
                    }
                    (None, None) => return false,
                },
            },
        };
        self.d.str("style", style);
        self.d.why.push(why);
        match (style, body) {
            ("offset", false) => self.d.str("offset_param", name),
            ("offset", true) => self.d.str("offset_body", name),
            (_, false) => self.d.str("page_param", name),
            (_, true) => self.d.str("page_body", name),
        }
        if style == "page" {
            let first = match step {
                Some(Step::Page(_, current)) => Some(*current),
                _ => page_in_url
                    .and_then(|(_, v, _)| v.parse().ok())
                    .or_else(|| page_echo.and_then(|f| f.sample?.as_u64())),
            };
            if first == Some(0) {
                self.d.set("first_page", Val::Int(0));
                self.d.why.push("pages count from 0 here: `first_page = 0`".into());
            }
        }
        self.stops(&[], true);
        if !["has_more", "is_last", "total", "total_pages"].iter().any(|k| self.d.get(k).is_some()) {
            self.d.confirm.push(format!(
                "no total or flag in the sample: the walk ends on the first empty page (always, for `style = \"{style}\"`); \
                 add `stop_on_short_page` if the API's short page is its last"
            ));
        }
        true
    }

    // ---- page size ----

    pub(super) fn page_size(&mut self) {
        let Some((key, name, value, why)) = self.page_size_target() else { return };
        self.d.str(key, name);
        self.d.why.push(why);
        if let Some(value) = value.filter(|v| *v > 0) {
            self.d.set("page_size", Val::Int(value));
            self.d.confirm.push(format!(
                "`page_size = {value}` is what your request asked for; add the API's `max_page_size` from its docs"
            ));
        }
    }

    fn page_size_target(&mut self) -> Option<(&'static str, String, Option<u64>, String)> {
        match &self.sample().request_body {
            Some(RequestBody::Form(pairs)) => {
                if let Some((name, value)) = pairs
                    .iter()
                    .find(|(n, v)| SIZE_NAMES.contains(&norm(n).as_str()) && v.parse::<u64>().is_ok())
                {
                    return Some((
                        "page_size_form",
                        name.clone(),
                        value.parse().ok(),
                        format!("the form body sends the page size `{name}={value}`"),
                    ));
                }
            }
            Some(RequestBody::Json(body)) => {
                if let Some((path, value)) = size_in_body(body) {
                    return Some((
                        "page_size_body",
                        path.clone(),
                        Some(value),
                        format!("the JSON body sends the page size at `{path}` ({value})"),
                    ));
                }
            }
            None => {}
        }
        for (name, value) in &self.sample().request_headers {
            let n = norm(name);
            if let Ok(number) = value.trim().parse::<u64>()
                && ["maxitemcount", "pagesize", "limit", "batchsize", "perpage"].iter().any(|w| n.contains(w))
            {
                return Some((
                    "page_size_header",
                    name.clone(),
                    Some(number),
                    format!("your request sends the page size in the header `{name}: {value}`"),
                ));
            }
            // `Sforce-Query-Options: batchSize=200`
            if let Some((k, v)) = value.split_once('=')
                && (SIZE_NAMES.contains(&norm(k).as_str()) || norm(k).ends_with("size"))
                && let Ok(number) = v.trim().parse::<u64>()
            {
                self.d.str("page_size_format", format!("{}={{}}", k.trim()));
                let why = format!(
                    "your request sends the page size in the header `{name}: {value}`: `page_size_format` writes it"
                );
                return Some(("page_size_header", name.clone(), Some(number), why));
            }
        }
        if let Some((name, value, _)) = self.ev.query_param(SIZE_NAMES) {
            let number = value.parse().ok();
            return Some((
                "page_size_param",
                name.clone(),
                number,
                format!("your request sends the page size `{name}={value}`"),
            ));
        }
        let next = self
            .ev
            .next_link()
            .map(|l| l.url.clone())
            .or_else(|| self.ev.next_urls().first().and_then(|f| f.text().map(str::to_owned)));
        if let Some(pairs) = next.and_then(|url| self.ev.pairs_of(&url))
            && let Some((name, value, _)) = pairs
                .iter()
                .find(|(n, v, _)| SIZE_NAMES.contains(&norm(n).as_str()) && v.parse::<u64>().is_ok())
        {
            return Some((
                "page_size_param",
                name.clone(),
                None,
                format!("the next URL carries the page size `{name}={value}`"),
            ));
        }
        let (name, found) = self.size_echo()?;
        let why = format!(
            "the response echoes the page size `{}` = {}: `{name}` is probably the parameter",
            found.keys.join("."),
            found.shown()
        );
        Some(("page_size_param", name, None, why))
    }

    /// A page size the response echoes (Jira `maxResults`, PagerDuty `limit`).
    fn size_echo(&self) -> Option<(String, Found)> {
        let found = self.ev.fields().find(|f| {
            matches!(f.ty, Ty::U64 | Ty::Lenient)
                && matches!(norm(f.key()).as_str(), "limit" | "perpage" | "pagesize" | "maxresults")
                && f.in_pagination_container()
        })?;
        Some((found.key().to_owned(), found.clone()))
    }
}

/// How the next URL moves: a page number or an offset.
pub(super) enum Step {
    /// The parameter, and the page number of the sample.
    Page(String, u64),
    Offset(String),
}

/// The usual offset parameter of a page-size parameter.
pub(super) fn offset_for(size: &str) -> &'static str {
    match size {
        "_limit" => "_skip",
        "$top" => "$skip",
        "maxResults" => "startAt",
        "rows" => "start",
        "size" => "from",
        _ => "offset",
    }
}

/// The page size in a JSON request body: `size`, `limit`, `pagination.per_page`,
/// or a GraphQL `first: $first` variable.
pub(super) fn size_in_body(body: &Value) -> Option<(String, u64)> {
    if let Some(var) = graphql_variable(body, "first") {
        let value = body.get("variables")?.get(&var).and_then(Value::as_u64);
        return value.map(|v| (format!("variables.{var}"), v));
    }
    if is_graphql(body) {
        return None;
    }
    number_in_body(body, SIZE_NAMES)
}

/// The path and value of an integer in a JSON body whose key is one of `names`
/// (normalised), at most two objects down (`pagination.per_page`).
fn number_in_body(body: &Value, names: &[&str]) -> Option<(String, u64)> {
    fn search(value: &Value, names: &[&str], prefix: &str, depth: usize) -> Option<(String, u64)> {
        let map = value.as_object()?;
        let found = map.iter().find_map(|(key, v)| {
            let n = norm(key);
            // `first` is GraphQL's page size only as a variable.
            (names.contains(&n.as_str()) && n != "first")
                .then(|| v.as_u64())
                .flatten()
                .map(|v| (format!("{prefix}{key}"), v))
        });
        if found.is_some() || depth == 0 {
            return found;
        }
        map.iter()
            .filter(|(_, v)| v.is_object())
            .find_map(|(k, v)| search(v, names, &format!("{prefix}{k}."), depth - 1))
    }
    search(body, names, "", 2)
}
