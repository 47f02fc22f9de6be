//! Replay and overwrite: every request of a walk is the user's original
//! request with only the declared pagination targets changed.

use form_urlencoded::byte_serialize;
use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName,
    HeaderValue, USER_AGENT,
};
use serde_json::Value;

use crate::checkpoint::Position;
use crate::error::{Error, ErrorKind};
use crate::slice::SliceKey;
use crate::spec::{Spec, Style, Target};
use crate::walk::{Options, SliceFn};

/// The user's request, kept as the template of every page request.
pub(crate) struct RequestTemplate {
    request: reqwest::Request,
    /// The JSON body, parsed once, when a target lives in the body.
    json: Option<Value>,
    /// The form body as text, when a target is a form field.
    form: Option<String>,
    spec: Spec,
    /// The page size to write into every request, if any.
    write_page_size: Option<u64>,
    /// The page size in effect (written, or found in the user's request).
    page_size: Option<u64>,
    /// The position of the first request, read from the user's request when it sets one.
    start: Position,
    /// Adds a slice's lower bound to a request (`Paginator::slice_with`).
    slice_with: Option<SliceFn>,
    /// Adds an incremental walk's start to a request (`Paginator::since_with`).
    since_with: Option<SliceFn>,
    /// The headers that go to another origin besides [`CROSS_ORIGIN_SAFE`]:
    /// the page-size header, and those the user named.
    cross_origin_headers: Vec<HeaderName>,
}

/// The headers a request to another origin keeps: none of them carries a credential.
const CROSS_ORIGIN_SAFE: [HeaderName; 6] =
    [ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, USER_AGENT, CONTENT_TYPE, CONTENT_LENGTH];

impl RequestTemplate {
    /// Checks the request against the declaration and the options; every
    /// problem is reported here, before anything is sent.
    pub fn new(request: reqwest::Request, spec: Spec, options: &Options) -> Result<RequestTemplate, Error> {
        let targets = [spec.position_target(), spec.page_size, spec.slice_target, spec.since_target];
        let form = if targets.iter().flatten().any(|t| matches!(t, Target::Form(_))) {
            Some(form_body(&request)?)
        } else {
            None
        };
        let json = if targets.iter().flatten().any(|t| matches!(t, Target::Body(_))) {
            Some(parse_body(&request)?)
        } else {
            if request.body().is_some() && request.try_clone().is_none() {
                return Err(Error::config(
                    "the request body is a stream, which cannot be sent again for the next page; \
                     give the request a body of bytes (for example with `.json(..)` or `.body(String)`)",
                ));
            }
            None
        };
        let read = |target: Option<Target>| target.and_then(|t| read_number(&request, json.as_ref(), t));
        let existing_size = read(spec.page_size);
        let write_page_size =
            options.page_size.or(if existing_size.is_none() { spec.default_page_size } else { None });
        let page_size = write_page_size.or(existing_size);
        if let Some(size) = page_size {
            check_page_size(size, &spec)?;
        }
        if spec.stop_on_short_page && page_size.is_none() {
            return Err(Error::config(
                "`stop_on_short_page` needs to know the page size: declare `page_size = N`, \
                 set it in the request, or call `.page_size(n)`",
            ));
        }
        if options.page_size.is_some() && spec.page_size.is_none() {
            return Err(Error::config(
                "`.page_size(n)` was called but the declaration has no `page_size_param` or \
                 `page_size_body` to send it in",
            ));
        }
        let start = match spec.style {
            Style::Cursor => Position::Start,
            Style::Offset => Position::Offset(read(spec.offset).unwrap_or(0)),
            Style::Page => Position::Page(read(spec.page).unwrap_or(spec.first_page)),
            Style::Link | Style::Custom => Position::Start,
        };
        if spec.slice_by {
            if !spec.dedup {
                return Err(Error::config(
                    "`slice_by` needs `dedup_by` to recognise the items that share the boundary value",
                ));
            }
            if spec.slice_target.is_none() && options.slice_with.is_none() {
                return Err(Error::config(
                    "`slice_by` needs to know where the lower bound goes: declare `slice_param` or \
                     `slice_body`, or call `.slice_with(..)`",
                ));
            }
        }
        check_since(&spec, options)?;
        let slice_with = options.slice_with.clone();
        let since_with = options.since_with.clone();
        let mut cross_origin_headers = options
            .cross_origin_headers
            .iter()
            .map(|name| {
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::config(format!(
                        "`.cross_origin_headers(..)` names {name:?}, which is not a header name"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(Target::Header(name)) = spec.page_size {
            cross_origin_headers.extend(HeaderName::from_bytes(name.as_bytes()).ok());
        }
        Ok(RequestTemplate {
            request,
            json,
            form,
            spec,
            write_page_size,
            page_size,
            start,
            slice_with,
            since_with,
            cross_origin_headers,
        })
    }

    /// The page size in effect, if known.
    pub fn page_size(&self) -> Option<u64> {
        self.page_size
    }

    /// Where a fresh walk starts.
    pub fn start(&self) -> &Position {
        &self.start
    }

    /// The page size as written (`page_size_format`, or the number).
    fn page_size_text(&self, size: u64) -> String {
        match self.spec.page_size_format {
            Some(format) => format.replace("{}", &size.to_string()),
            None => size.to_string(),
        }
    }

    /// The origin (scheme, host, port) of the user's request.
    pub fn origin(&self) -> url::Origin {
        self.request.url().origin()
    }

    /// Whether an incremental walk's start has somewhere to go.
    pub fn places_since(&self) -> bool {
        self.spec.since_target.is_some() || self.since_with.is_some()
    }

    /// The request for one page; `since` is an incremental walk's start,
    /// sent on every request as an inclusive lower bound.
    pub fn build(
        &self,
        position: &Position,
        slice_bound: Option<&SliceKey>,
        since: Option<&SliceKey>,
    ) -> Result<reqwest::Request, ErrorKind> {
        if !position.fits(self.spec.style) {
            // Checkpoints are checked before the walk; this is the last guard.
            let reason = format!("its position does not fit a {} walk", self.spec.style.as_str());
            return Err(ErrorKind::InvalidCheckpoint { reason });
        }
        let mut request = self.request.try_clone().expect("checked in RequestTemplate::new");
        if let Position::Url(url) = position {
            // A followed URL is used as it is: nothing is re-encoded or appended,
            // but for the parameters the declaration says to keep (`keep_params`).
            let mut url = reqwest::Url::parse(url)
                .map_err(|e| ErrorKind::Config(format!("the next URL {url:?} is not a URL: {e}")))?;
            if url.origin() == request.url().origin() {
                keep_params(request.url(), &mut url, self.spec.keep_params);
            } else {
                keep_only(request.headers_mut(), &self.cross_origin_headers);
            }
            *request.url_mut() = url;
            // A page size or a start in a header goes on every request: it is
            // no part of the URL, which carries the rest.
            if let (Some(Target::Header(name)), Some(size)) = (self.spec.page_size, self.write_page_size) {
                insert_header(request.headers_mut(), name, &self.page_size_text(size))
                    .map_err(ErrorKind::Config)?;
            }
            if let (Some(Target::Header(name)), Some(since)) = (self.spec.since_target, since) {
                insert_header(request.headers_mut(), name, &query_text(&since.to_json()))
                    .map_err(ErrorKind::Config)?;
            }
            return Ok(request);
        }
        if let Position::State(state) = position {
            let Some(build) = self.spec.next_request else {
                return Err(ErrorKind::Config(
                    "a custom walk needs `next_request = \"path::to::fn\"`".to_owned(),
                ));
            };
            // An incremental walk's start is part of every request: the next
            // one is built from the first as it was sent.
            let first = match since {
                Some(_) => self.build(&Position::Start, None, since)?,
                None => request,
            };
            return Ok((build.0)(&first, state));
        }
        let mut json = self.json.clone();
        let mut form = self.form.clone();
        let mut set = |target: Target, value: Value| -> Result<(), String> {
            match target {
                Target::Query(name) => set_query(request.url_mut(), name, &query_text(&value)),
                Target::Body(path) => {
                    let body = json.as_mut().expect("a body target implies a parsed body");
                    set_body(body, path, value);
                }
                Target::Header(name) => insert_header(request.headers_mut(), name, &query_text(&value))?,
                Target::Form(name) => {
                    let body = form.as_mut().expect("a form target implies a form body");
                    *body = replace_pair(body, name, &query_text(&value), true);
                }
            }
            Ok(())
        };
        if let (Some(target), Some(size)) = (self.spec.page_size, self.write_page_size) {
            let size = match self.spec.page_size_format {
                Some(_) => Value::from(self.page_size_text(size)),
                None => Value::from(size),
            };
            set(target, size).map_err(ErrorKind::Config)?;
        }
        if let (Some(bound), Some(target), None) = (slice_bound, self.spec.slice_target, &self.slice_with) {
            set(target, bound.to_json()).map_err(ErrorKind::Config)?;
        }
        if let (Some(since), Some(target), None) = (since, self.spec.since_target, &self.since_with) {
            set(target, since.to_json()).map_err(ErrorKind::Config)?;
        }
        if let Some(target) = self.spec.position_target() {
            let unsafe_cursor = |c: &crate::cursor::Cursor| ErrorKind::UnsafeCursor { cursor: c.clone() };
            match position {
                Position::Start => {
                    if let Some(first) = self.spec.first_cursor {
                        set(target, Value::from(first)).map_err(ErrorKind::Config)?;
                    }
                }
                Position::Cursor(c) => match target {
                    Target::Query(name) if self.spec.cursor_encoded => {
                        let text = c.as_text();
                        if !is_encoded_value(&text) {
                            return Err(unsafe_cursor(c));
                        }
                        set_query_raw(request.url_mut(), name, &text);
                    }
                    _ => set(target, c.to_json()).map_err(|_| unsafe_cursor(c))?,
                },
                Position::Offset(n) | Position::Page(n) => {
                    set(target, Value::from(*n)).map_err(ErrorKind::Config)?;
                }
                Position::Url(_) | Position::State(_) => unreachable!("handled above"),
            }
        }
        if let Some(json) = json {
            let bytes = serde_json::to_vec(&json).expect("a JSON value always serializes");
            let headers = request.headers_mut();
            headers.remove(CONTENT_LENGTH);
            headers.entry(CONTENT_TYPE).or_insert(HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(bytes.into());
        }
        if let Some(form) = form {
            let headers = request.headers_mut();
            headers.remove(CONTENT_LENGTH);
            headers
                .entry(CONTENT_TYPE)
                .or_insert(HeaderValue::from_static("application/x-www-form-urlencoded"));
            *request.body_mut() = Some(form.into());
        }
        if let (Some(bound), Some(add_bound)) = (slice_bound, &self.slice_with) {
            add_bound(&mut request, bound);
        }
        if let (Some(since), Some(add_start)) = (since, &self.since_with) {
            add_start(&mut request, since);
        }
        Ok(request)
    }
}

/// An incremental walk's run-time options against its declaration.
fn check_since(spec: &Spec, options: &Options) -> Result<(), Error> {
    if spec.since_field && !spec.dedup {
        return Err(Error::config(
            "`since_field` needs `dedup_by` to recognise the items at the watermark that were already delivered",
        ));
    }
    if !spec.since_field {
        for (given, call) in
            [(options.since.is_some(), ".since(..)"), (options.since_with.is_some(), ".since_with(..)")]
        {
            if given {
                return Err(Error::config(format!(
                    "`{call}` was called but the declaration has no `since_field` to follow"
                )));
            }
        }
    }
    Ok(())
}

/// Sets header `name` to `value`, replacing any value it had.
fn insert_header(headers: &mut reqwest::header::HeaderMap, name: &str, value: &str) -> Result<(), String> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
    let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
    headers.insert(name, value);
    Ok(())
}

/// Keeps only the headers of a request to another origin that carry no
/// credential: [`CROSS_ORIGIN_SAFE`] and `also` (the page-size header and the
/// user's `cross_origin_headers`). An allowlist, because no list of credential
/// names is ever complete (`CB-ACCESS-SIGN`, `X-JFrog-Art-Api`, `X-Honeycomb-Team`...).
fn keep_only(headers: &mut HeaderMap, also: &[HeaderName]) {
    let kept = |name: &HeaderName| CROSS_ORIGIN_SAFE.contains(name) || also.contains(name);
    let dropped: Vec<HeaderName> = headers.keys().filter(|name| !kept(name)).cloned().collect();
    for name in dropped {
        headers.remove(name);
    }
}

/// Whether `text` can go into a query string as it is without changing the
/// request: visible ASCII, no `&`, `#` or space, and every `%` followed by two
/// hex digits.
fn is_encoded_value(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b'&' | b'#' => false,
        b'%' => bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
        _ => b.is_ascii_graphic(),
    })
}

fn check_page_size(size: u64, spec: &Spec) -> Result<(), Error> {
    if size == 0 {
        return Err(Error::config("the page size must be at least 1"));
    }
    match (spec.min_page_size, spec.max_page_size) {
        (_, Some(max)) if size > max => Err(Error::config(format!(
            "page size {size} is above the declared `max_page_size = {max}`; ask for at most {max}"
        ))),
        (Some(min), _) if size < min => Err(Error::config(format!(
            "page size {size} is below the declared `min_page_size = {min}`; ask for at least {min}"
        ))),
        _ => Ok(()),
    }
}

/// The request body as form text, for form-field targets.
fn form_body(request: &reqwest::Request) -> Result<String, Error> {
    let Some(body) = request.body() else { return Ok(String::new()) };
    let bytes = body.as_bytes().ok_or_else(|| {
        Error::config("the declaration writes into a form body, but the request body is a stream")
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::config("the declaration writes into a form body, but the request body is not UTF-8 text")
    })
}

/// Adds to `next` every parameter named in `keep` that `original` has and
/// `next` lacks (Canvas: `access_token`, which its Link URLs leave out).
fn keep_params(original: &reqwest::Url, next: &mut reqwest::Url, keep: &[&str]) {
    for name in keep {
        if next.query_pairs().any(|(k, _)| k == *name) {
            continue;
        }
        let values: Vec<String> =
            original.query_pairs().filter(|(k, _)| k == *name).map(|(_, v)| v.into_owned()).collect();
        for value in values {
            let query = next.query().unwrap_or("");
            let mut query = query.to_owned();
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&encode_name(name));
            query.push('=');
            query.extend(byte_serialize(value.as_bytes()));
            next.set_query(Some(&query));
        }
    }
}

fn parse_body(request: &reqwest::Request) -> Result<Value, Error> {
    let Some(body) = request.body() else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let bytes = body.as_bytes().ok_or_else(|| {
        Error::config("the declaration writes into the JSON body, but the request body is a stream")
    })?;
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Error::config(
            "the declaration writes into the JSON body, but the request body is not a JSON object",
        )),
        Err(e) => Err(Error::config(format!(
            "the declaration writes into the JSON body, but the request body is not JSON: {e}"
        ))),
    }
}

/// A number found at `target` in the user's request (a number or a numeric string).
fn read_number(request: &reqwest::Request, json: Option<&Value>, target: Target) -> Option<u64> {
    match target {
        Target::Query(name) => {
            request.url().query_pairs().find(|(k, _)| k == name).and_then(|(_, v)| v.trim().parse().ok())
        }
        Target::Body(path) => {
            let value = path.iter().try_fold(json?, |v, key| v.get(key))?;
            value.as_u64().or_else(|| value.as_str()?.trim().parse().ok())
        }
        Target::Header(name) => request.headers().get(name)?.to_str().ok()?.trim().parse().ok(),
        Target::Form(name) => {
            let body = request.body()?.as_bytes()?;
            form_urlencoded::parse(body).find(|(k, _)| k == name).and_then(|(_, v)| v.trim().parse().ok())
        }
    }
}

/// The text of a value in a query string: strings as they are, anything else as JSON.
fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Like [`set_query`], but `value` is already percent-encoded and goes in as it is.
pub(crate) fn set_query_raw(url: &mut reqwest::Url, name: &str, value: &str) {
    set_query_with(url, name, value, false);
}

/// Replaces every `name` parameter of the query with one `name=value`, keeping
/// every other parameter byte for byte. Name and value are form-encoded once,
/// so `+ / = & # \n` in a cursor can neither be altered nor add a parameter.
pub(crate) fn set_query(url: &mut reqwest::Url, name: &str, value: &str) {
    set_query_with(url, name, value, true);
}

fn set_query_with(url: &mut reqwest::Url, name: &str, value: &str, encode: bool) {
    let query = replace_pair(url.query().unwrap_or(""), name, value, encode);
    url.set_query(Some(&query));
}

/// `pairs` (a query string or a form body) with every `name` pair replaced by
/// one `name=value` at the end; every other pair is kept byte for byte.
fn replace_pair(pairs: &str, name: &str, value: &str, encode: bool) -> String {
    let mut out = String::new();
    for part in pairs.split('&').filter(|p| !p.is_empty()) {
        let key = form_urlencoded::parse(part.as_bytes()).next().map(|(k, _)| k);
        if key.as_deref() != Some(name) {
            out.push_str(part);
            out.push('&');
        }
    }
    out.push_str(&encode_name(name));
    out.push('=');
    if encode {
        out.extend(byte_serialize(value.as_bytes()));
    } else {
        out.push_str(value);
    }
    out
}

/// A parameter name as it goes into a query: characters that are safe there
/// (`$top`, `page[size]`, `statuses[]`) stay as they are, so servers that
/// match raw names find them; anything else is percent-encoded.
fn encode_name(name: &str) -> String {
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"-._~$[]!'()*,;:@/".contains(&b);
    if name.bytes().all(safe) { name.to_owned() } else { byte_serialize(name.as_bytes()).collect() }
}

/// Sets `path` in a JSON object to `value`, creating missing objects and
/// replacing a non-object on the way (the declaration owns that path).
pub(crate) fn set_body(root: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for key in parents {
        let map = as_object(node);
        node = map.entry(*key).or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    as_object(node).insert((*last).to_owned(), value);
}

fn as_object(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(serde_json::Map::new());
    }
    v.as_object_mut().expect("just made an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_query_overwrites_only_its_parameter() {
        let mut url =
            reqwest::Url::parse("http://h/c?b=%20x+y&starting_after=old&a=1&starting_after=dup").unwrap();
        set_query(&mut url, "starting_after", "A+b/c=\n&x=1#");
        assert_eq!(url.query(), Some("b=%20x+y&a=1&starting_after=A%2Bb%2Fc%3D%0A%26x%3D1%23"));
        let pairs: Vec<_> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs.last().unwrap().1, "A+b/c=\n&x=1#");
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn another_origin_gets_only_the_allowlist() {
        let mut headers = HeaderMap::new();
        for name in [
            "authorization",
            "cookie",
            "x-api-key",
            "cb-access-sign",
            "cb-access-passphrase",
            "x-jfrog-art-api",
            "x-honeycomb-team",
            "x-ovh-consumer",
            "accept",
            "user-agent",
            "content-type",
            "x-page-size",
            "x-tag",
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static("v"));
        }
        keep_only(&mut headers, &[HeaderName::from_static("x-page-size"), HeaderName::from_static("x-tag")]);
        let mut kept: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["accept", "content-type", "user-agent", "x-page-size", "x-tag"]);
    }

    #[test]
    fn set_body_keeps_siblings_and_creates_objects() {
        let mut body = json!({"query": {"field": "x"}, "pagination": {"per_page": 5}, "sort": "a"});
        set_body(&mut body, &["pagination", "starting_after"], json!("c"));
        set_body(&mut body, &["deep", "er", "k"], json!(1));
        assert_eq!(
            body,
            json!({"query": {"field": "x"}, "pagination": {"per_page": 5, "starting_after": "c"},
                   "sort": "a", "deep": {"er": {"k": 1}}})
        );
    }
}
