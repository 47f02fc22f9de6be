//! RFC 8288 `Link` headers: the `rel="next"` target of a response.

/// One link-value: `<target>; param=value; ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub target: String,
    /// Parameters with lowercase names, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Link {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether `rel` (a space-separated list, case-insensitive) holds `rel`.
    fn has_rel(&self, rel: &str) -> bool {
        self.param("rel").is_some_and(|v| v.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case(rel)))
    }
}

/// The target of the `rel="next"` link among every `Link` header line, or
/// `None` when there is none or it says `results="false"` (Sentry sends a next
/// link on every page and marks the end that way). Malformed link-values are
/// skipped, never a panic.
pub(crate) fn next_link<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let next = lines.into_iter().flat_map(parse).find(|link| link.has_rel("next"))?;
    if next.param("results").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
        return None;
    }
    Some(next.target)
}

/// Every well-formed link-value of one header line.
pub(crate) fn parse(line: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return links;
        }
        let Some(after_open) = rest.strip_prefix('<') else {
            // Not a link-value: skip to the next top-level comma.
            rest = skip_value(rest);
            continue;
        };
        let Some(close) = after_open.find('>') else { return links };
        let target = after_open[..close].trim().to_owned();
        let (params, after) = parse_params(&after_open[close + 1..]);
        rest = after;
        links.push(Link { target, params });
    }
}

/// `; name=value; name="quoted"` up to the comma that ends the link-value.
fn parse_params(mut rest: &str) -> (Vec<(String, String)>, &str) {
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start();
        let Some(after_semi) = rest.strip_prefix(';') else {
            return (params, rest);
        };
        rest = after_semi.trim_start();
        let name_end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            rest = after_eq.trim_start();
            if let Some(quoted) = rest.strip_prefix('"') {
                let (text, after) = unquote(quoted);
                value = text;
                rest = after;
            } else {
                let end = rest.find([';', ',']).unwrap_or(rest.len());
                rest[..end].trim().clone_into(&mut value);
                rest = &rest[end..];
            }
        }
        if !name.is_empty() {
            params.push((name, value));
        }
    }
}

/// A quoted-string body (after the opening quote): its text, with `\x`
/// escapes resolved, and what follows the closing quote.
fn unquote(s: &str) -> (String, &str) {
    let mut text = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (text, &s[i + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    text.push(escaped);
                }
            }
            _ => text.push(c),
        }
    }
    (text, "")
}

/// Skips one malformed link-value, up to a comma outside quotes.
fn skip_value(s: &str) -> &str {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return &s[i + 1..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn github_style_header() {
        let h = r#"<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last""#;
        assert_eq!(
            next_link([h]).as_deref(),
            Some("https://api.github.com/repositories/1300192/issues?page=4")
        );
    }

    #[test]
    fn several_lines_unquoted_params_and_whitespace() {
        let okta = [
            "<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\"",
            "  <https://x.okta.com/api/v1/users?after=00u1&limit=2> ;rel=next  ",
        ];
        assert_eq!(next_link(okta).as_deref(), Some("https://x.okta.com/api/v1/users?after=00u1&limit=2"));
        assert_eq!(next_link(["<a>; rel=prev; title=\"a, <b>; rel=next\""]), None);
        assert_eq!(next_link(["<b>; REL=\"Next Last\""]).as_deref(), Some("b"));
    }

    #[test]
    fn sentry_results_false_is_the_end() {
        let h = r#"<https://sentry.io/api/0/x/?&cursor=100:-1:1>; rel="previous"; results="false"; cursor="100:-1:1", <https://sentry.io/api/0/x/?&cursor=100:1:0>; rel="next"; results="false"; cursor="100:1:0""#;
        assert_eq!(next_link([h]), None);
        let more = h.replace(r#"rel="next"; results="false""#, r#"rel="next"; results="true""#);
        assert_eq!(next_link([more.as_str()]).as_deref(), Some("https://sentry.io/api/0/x/?&cursor=100:1:0"));
    }

    #[test]
    fn malformed_values_are_skipped() {
        assert_eq!(next_link(["garbage, <ok>; rel=next"]).as_deref(), Some("ok"));
        assert_eq!(next_link(["<unterminated; rel=next"]), None);
        assert_eq!(next_link(["", ",,,", ";;;"]), None);
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = next_link([text.as_ref()]);
        }

        #[test]
        fn link_like_input_never_panics(s in "[<>;,=\" a-z\\\\]{0,80}") {
            let _ = next_link([s.as_str(), "<x>; rel=next"]);
        }
    }
}
