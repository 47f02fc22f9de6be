//! Credentials out of everything the crate prints: error messages, `Debug`
//! output, retry reasons and tracing events all go through this module.
//!
//! A credential is the value of a header or query parameter whose name
//! mentions a key, a token, a secret, auth, a signature, a password, a
//! credential, a session or a cookie; the userinfo of a URL
//! (`user:password@`); and the token after `Bearer` or `Basic`. Names, hosts,
//! paths and other parameters stay, so the output still says what failed.

use std::error::Error as StdError;
use std::fmt;

use reqwest::header::HeaderMap;
use url::Url;

use crate::transport::BoxError;

/// What a credential is replaced with.
pub(crate) const REDACTED: &str = "REDACTED";

/// Words that make a header or query parameter name a credential's.
const SENSITIVE_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "auth",
    "signature",
    "sig",
    "password",
    "passwd",
    "credential",
    "session",
    "cookie",
];

/// Whether a header or query parameter named `name` carries a credential
/// (`Authorization`, `X-Api-Key`, `access_token`, `Cookie`...).
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_WORDS.iter().any(|word| name.contains(word))
}

/// `url` without its userinfo and with the values of sensitive query (and
/// fragment) parameters replaced by `REDACTED`; everything else is kept.
pub(crate) fn url(url: &Url) -> String {
    url_text(url.as_str())
}

/// `s` with every `http://` or `https://` URL in it redacted as by [`url`],
/// every `name=value` pair with a sensitive name redacted, and every
/// `Bearer` or `Basic` token replaced: for messages of other libraries
/// (reqwest, hyper, a middleware) and for server text.
pub(crate) fn text(s: &str) -> String {
    schemes_in(&pairs_in(&urls_in(s)))
}

/// An absolute URL as text, redacted without parsing it, so that it reads as
/// it was written.
fn url_text(raw: &str) -> String {
    let (before_fragment, fragment) = split(raw, '#');
    let (before_query, query) = split(before_fragment, '?');
    let mut out = String::with_capacity(raw.len());
    match before_query.find("://") {
        Some(scheme_end) => {
            let (scheme, rest) = before_query.split_at(scheme_end + 3);
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            out.push_str(scheme);
            out.push_str(authority.rsplit_once('@').map_or(authority, |(_, host)| host));
            out.push_str(path);
        }
        None => out.push_str(before_query),
    }
    for (mark, part) in [('?', query), ('#', fragment)] {
        let Some(part) = part else { continue };
        out.push(mark);
        for (i, pair) in part.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value)) if !value.is_empty() && is_sensitive_name(&decoded(name)) => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(pair),
            }
        }
    }
    out
}

fn split(s: &str, mark: char) -> (&str, Option<&str>) {
    match s.split_once(mark) {
        Some((before, after)) => (before, Some(after)),
        None => (s, None),
    }
}

/// A form-urlencoded name, decoded (`access%5Ftoken` is `access_token`).
fn decoded(name: &str) -> String {
    form_urlencoded::parse(name.as_bytes()).next().map_or_else(String::new, |(name, _)| name.into_owned())
}

/// Every absolute HTTP URL in `s`, redacted.
fn urls_in(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    while let Some(start) =
        [lower[copied..].find("http://"), lower[copied..].find("https://")].into_iter().flatten().min()
    {
        let start = copied + start;
        let end = start + url_len(&s[start..]);
        out.push_str(&s[copied..start]);
        out.push_str(&url_text(&s[start..end]));
        copied = end;
    }
    out.push_str(&s[copied..]);
    out
}

/// How long the URL at the start of `s` is: up to a space or a quote, without
/// the punctuation or unbalanced bracket that closes the sentence around it.
fn url_len(s: &str) -> usize {
    let mut end = s
        .find(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
        })
        .unwrap_or(s.len());
    while let Some(last) = s[..end].chars().next_back() {
        let unbalanced = |open: char| s[..end].matches(open).count() < s[..end].matches(last).count();
        let closes = match last {
            '.' | ',' | ';' | ':' | '!' | '?' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '}' => unbalanced('{'),
            _ => false,
        };
        if !closes {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

/// Every `name=value` in `s` whose name is sensitive, with the value redacted
/// (query strings outside an absolute URL, form bodies, `key=value` logs).
fn pairs_in(s: &str) -> String {
    let bytes = s.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']');
    let starts_pair = |b: u8| b.is_ascii_whitespace() || b"?&;,(\"'#{<|".contains(&b);
    let ends_value = |b: u8| b.is_ascii_whitespace() || b"&\"',;)]}<>#\\".contains(&b);
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(eq) = s[from..].find('=').map(|i| from + i) {
        let start = bytes[..eq].iter().rposition(|b| !is_name(*b)).map_or(0, |i| i + 1);
        let mut end = bytes[eq + 1..].iter().position(|b| ends_value(*b)).map_or(s.len(), |i| eq + 1 + i);
        // The full stop of a sentence is not part of the value.
        while end > eq + 1 && b".:!?".contains(&bytes[end - 1]) {
            end -= 1;
        }
        let value = &s[eq + 1..end];
        let named = start < eq && (start == 0 || starts_pair(bytes[start - 1]));
        // A value starting with `=` is base64 padding (`abc==`), not a pair.
        if named
            && !value.is_empty()
            && !value.starts_with('=')
            && value != REDACTED
            && is_sensitive_name(&s[start..eq])
        {
            out.push_str(&s[copied..=eq]);
            out.push_str(REDACTED);
            copied = end;
        }
        from = end.max(eq + 1);
    }
    out.push_str(&s[copied..]);
    out
}

/// Every `Bearer <token>` and `Basic <base64>` in `s`, with the token redacted.
fn schemes_in(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some((at, scheme)) = ["bearer", "basic"]
        .into_iter()
        .filter_map(|scheme| lower[from..].find(scheme).map(|i| (from + i, scheme)))
        .min()
    {
        let after = at + scheme.len();
        from = after;
        if at > 0 && lower.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let start = after + lower[after..].bytes().take_while(|b| *b == b' ').count();
        let token_len = lower[start..].bytes().take_while(|b| is_token(*b)).count();
        let end = start + token_len + lower[start + token_len..].bytes().take_while(|b| *b == b'=').count();
        let token = &s[start..end];
        // Basic credentials are base64, so a multiple of 4 long: "basic auth" is prose.
        let credential = match scheme {
            "basic" => token.len() >= 8 && token.len().is_multiple_of(4),
            _ => !token.is_empty(),
        };
        if start > after && credential && token != REDACTED {
            out.push_str(&s[copied..start]);
            out.push_str(REDACTED);
            copied = end;
            from = end;
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// Shows a value's `Debug` output, redacted.
pub(crate) struct Redacted<T>(pub T);

impl<T: fmt::Debug> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = if f.alternate() { format!("{:#?}", self.0) } else { format!("{:?}", self.0) };
        f.write_str(&text(&raw))
    }
}

/// Shows headers as a map, with `REDACTED` for the value of every sensitive one.
pub(crate) struct Headers<'a>(pub &'a HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_sensitive_name(name.as_str()) {
                map.entry(&name.as_str(), &format_args!("{REDACTED}"));
            } else {
                map.entry(&name.as_str(), &Redacted(value));
            }
        }
        map.finish()
    }
}

/// Shows a request: method, redacted URL, redacted headers and the body's
/// length, never its content.
pub(crate) struct Request<'a>(pub &'a reqwest::Request);

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = self.0;
        let body = match request.body().map(reqwest::Body::as_bytes) {
            None => "None".to_owned(),
            Some(Some(bytes)) => format!("<{} bytes>", bytes.len()),
            Some(None) => "<stream>".to_owned(),
        };
        f.debug_struct("Request")
            .field("method", request.method())
            .field("url", &url(request.url()))
            .field("headers", &Headers(request.headers()))
            .field("body", &format_args!("{body}"))
            .field("timeout", &request.timeout())
            .finish()
    }
}

/// A transport error with no credential in what it prints. A `reqwest::Error`
/// stays one (so its status and kind can still be read), with its URL
/// redacted; any other error is wrapped in a [`RedactedError`].
pub(crate) fn transport_error(error: BoxError) -> BoxError {
    match error.downcast::<reqwest::Error>() {
        Ok(error) => Box::new(reqwest_error(*error)),
        Err(other) => Box::new(RedactedError(other)),
    }
}

/// `error` with its URL redacted (or dropped, if the redacted one would not parse).
pub(crate) fn reqwest_error(mut error: reqwest::Error) -> reqwest::Error {
    let Some(sent) = error.url_mut() else { return error };
    match Url::parse(&url(sent)) {
        Ok(redacted) => {
            *sent = redacted;
            error
        }
        Err(_) => error.without_url(),
    }
}

/// Another client's error, printed redacted; its sources still chain.
pub(crate) struct RedactedError(BoxError);

impl fmt::Display for RedactedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text(&self.0.to_string()))
    }
}

impl fmt::Debug for RedactedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted(&self.0).fmt(f)
    }
}

impl StdError for RedactedError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        for name in [
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "Set-Cookie",
            "X-Api-Key",
            "access_token",
            "client_secret",
            "X-Amz-Signature",
            "sig",
            "PASSWORD",
            "passwd",
            "X-Credential",
            "sessionid",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in ["after", "per_page", "Accept", "Content-Type", "starting_after", "cursor", "page"] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn url_keeps_what_is_useful() {
        let u = Url::parse(
            "https://user:pw@api.example.com:8443/v1/items?access_token=s1&after=c2&API_KEY=s2#sig=s3",
        )
        .unwrap();
        assert_eq!(
            url(&u),
            "https://api.example.com:8443/v1/items?access_token=REDACTED&after=c2&API_KEY=REDACTED#sig=REDACTED"
        );
        let plain = Url::parse("http://127.0.0.1:8080/items?after=c2&flag").unwrap();
        assert_eq!(url(&plain), "http://127.0.0.1:8080/items?after=c2&flag");
        let encoded = Url::parse("http://h/x?access%5Ftoken=s&token=").unwrap();
        assert_eq!(url(&encoded), "http://h/x?access%5Ftoken=REDACTED&token=");
    }

    #[test]
    fn text_redacts_urls_inside_messages() {
        let reqwest = "error sending request for url (http://127.0.0.1:4000/items?access_token=S1&after=c2)";
        assert_eq!(
            text(reqwest),
            "error sending request for url (http://127.0.0.1:4000/items?access_token=REDACTED&after=c2)"
        );
        let debug = r#"reqwest::Error { kind: Request, url: "https://u:S2@h/p?key=S3", source: X }"#;
        assert_eq!(
            text(debug),
            r#"reqwest::Error { kind: Request, url: "https://h/p?key=REDACTED", source: X }"#
        );
        let sentence = "see HTTPS://h/a?token=S4. Then (http://h/b_(c)?sig=S5)";
        assert_eq!(text(sentence), "see HTTPS://h/a?token=REDACTED. Then (http://h/b_(c)?sig=REDACTED)");
    }

    #[test]
    fn text_redacts_pairs_and_auth_schemes() {
        assert_eq!(
            text("GET /x?after=c2&client_secret=S1 failed"),
            "GET /x?after=c2&client_secret=REDACTED failed"
        );
        assert_eq!(text("password=S2, user=bob"), "password=REDACTED, user=bob");
        assert_eq!(text("Authorization: Bearer S3.abc-_"), "Authorization: Bearer REDACTED");
        assert_eq!(text(r#""authorization": "bearer S3""#), r#""authorization": "bearer REDACTED""#);
        assert_eq!(text("Basic dXNlcjpTNA=="), "Basic REDACTED");
        assert_eq!(text("Basic auth is required"), "Basic auth is required");
        // Cursors are not credentials, even when they look like a pair.
        assert_eq!(text(r#"cursor "aSIGbQ==" again"#), r#"cursor "aSIGbQ==" again"#);
        assert_eq!(text("offset=10&limit=5"), "offset=10&limit=5");
        assert_eq!(text("ünïcode token=S5 ✓"), "ünïcode token=REDACTED ✓");
    }

    #[test]
    fn redaction_is_idempotent() {
        let once = text("http://a:b@h/?token=x Bearer y key=z");
        assert_eq!(once, "http://h/?token=REDACTED Bearer REDACTED key=REDACTED");
        assert_eq!(text(&once), once);
    }

    #[test]
    fn headers_and_requests_show_no_value_of_a_sensitive_header() {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            Url::parse("http://u:S1@h/search?access_token=S2&after=c2").unwrap(),
        );
        let headers = request.headers_mut();
        headers.insert("x-api-key", "S3".parse().unwrap());
        headers.insert("cookie", "sid=S4".parse().unwrap());
        headers.insert("authorization", "Bearer S5".parse().unwrap());
        headers.insert("accept", "application/json".parse().unwrap());
        *request.body_mut() = Some(r#"{"password":"S6"}"#.into());
        let shown = format!("{:?}", Request(&request));
        for secret in ["S1", "S2", "S3", "S4", "S5", "S6"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(
            shown,
            r#"Request { method: POST, url: "http://h/search?access_token=REDACTED&after=c2", headers: {"x-api-key": REDACTED, "cookie": REDACTED, "authorization": REDACTED, "accept": "application/json"}, body: <17 bytes>, timeout: None }"#
        );
    }

    #[test]
    fn another_clients_error_is_redacted_but_chains() {
        #[derive(Debug)]
        struct Middleware {
            url: &'static str,
            cause: std::io::Error,
        }
        impl fmt::Display for Middleware {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "middleware failed for {}", self.url)
            }
        }
        impl StdError for Middleware {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.cause)
            }
        }
        let cause = std::io::Error::other("reset");
        let error = transport_error(Box::new(Middleware { url: "http://h/x?api_key=S1", cause }));
        assert_eq!(error.to_string(), "middleware failed for http://h/x?api_key=REDACTED");
        assert!(!format!("{error:?}").contains("S1"));
        assert_eq!(error.source().unwrap().to_string(), "reset");
    }
}
