//! The paging mechanics the emulations share: opaque page tokens bound to the
//! request that produced them, and the parsing of page sizes and offsets.
//!
//! Tokens are stateless, like Intercom's: everything the server needs is in
//! the token, protected by a checksum, so a token that is not byte-identical
//! to one the server issued is rejected. They deliberately contain `+`, `/`,
//! `=` and a newline (as the Intercom seed's cursors do), so a client that
//! forgets to percent-encode them, or encodes them twice, gets a `400`.

use serde_json::Value;

/// Which list a page token belongs to; a token is only valid for its own list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenScope {
    /// Intercom `GET /contacts`.
    Contacts,
    /// Intercom `GET /conversations`.
    Conversations,
    /// Intercom `POST /conversations/search`.
    ConversationSearch,
    /// Attio `GET /v2/meetings`.
    Meetings,
    /// Close `GET /api/v1/event/`.
    Events,
    /// Close `POST /api/v1/data/search/`.
    DataSearch,
}

impl TokenScope {
    fn name(self) -> &'static str {
        match self {
            TokenScope::Contacts => "intercom.contacts",
            TokenScope::Conversations => "intercom.conversations",
            TokenScope::ConversationSearch => "intercom.conversations.search",
            TokenScope::Meetings => "attio.meetings",
            TokenScope::Events => "close.event",
            TokenScope::DataSearch => "close.data.search",
        }
    }
}

/// What a page token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenClaims {
    /// The index of the first record of the page the token points to.
    pub position: usize,
    /// A fingerprint of the request parameters the token was issued for
    /// (page size, query, sort), compared when the token comes back.
    pub binding: u64,
}

/// Issues the token for the page starting at `claims.position`.
pub(crate) fn issue_token(scope: TokenScope, claims: TokenClaims) -> String {
    let position = claims.position as u64 ^ fingerprint(&[scope.name().as_bytes()]);
    let checksum = token_checksum(scope, position, claims.binding);
    let scope_mark = fingerprint(&[b"scope", scope.name().as_bytes()]);
    format!("{}+{}/{}=\n{}\n", base62(position), base62(claims.binding), base62(checksum), base62(scope_mark))
}

/// Reads back a token issued by [`issue_token`] for the same scope; `None` if
/// it was altered in any way (re-encoded, truncated, from another list).
pub(crate) fn redeem_token(scope: TokenScope, token: &str) -> Option<TokenClaims> {
    let (fields, _scope_mark) = token.strip_suffix('\n')?.split_once("=\n")?;
    let (position, rest) = fields.split_once('+')?;
    let (binding, checksum) = rest.split_once('/')?;
    let (position, binding, checksum) = (unbase62(position)?, unbase62(binding)?, unbase62(checksum)?);
    if checksum != token_checksum(scope, position, binding) {
        return None;
    }
    let claims = TokenClaims {
        position: usize::try_from(position ^ fingerprint(&[scope.name().as_bytes()])).ok()?,
        binding,
    };
    // Re-issuing must give back the very same bytes: this rejects a token whose
    // separators or scope mark were changed even though its numbers survived.
    (issue_token(scope, claims) == token).then_some(claims)
}

fn token_checksum(scope: TokenScope, position: u64, binding: u64) -> u64 {
    fingerprint(&[
        b"paginated-mock-token",
        scope.name().as_bytes(),
        &position.to_le_bytes(),
        &binding.to_le_bytes(),
    ])
}

/// A stable 64-bit FNV-1a fingerprint of `parts` (std's hasher is randomly
/// seeded per process, and tokens must not depend on the process).
pub(crate) fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The fingerprint of some JSON values from a request body; an absent value
/// and JSON null are the same thing.
pub(crate) fn fingerprint_json(values: &[Option<&Value>]) -> u64 {
    let texts: Vec<String> =
        values.iter().map(|value| value.map_or_else(|| "null".to_owned(), ToString::to_string)).collect();
    let parts: Vec<&[u8]> = texts.iter().map(String::as_bytes).collect();
    fingerprint(&parts)
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fixed width, so every token of a scope has the same length.
fn base62(mut n: u64) -> String {
    let mut digits = [b'0'; 11];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 digits are ASCII")
}

fn unbase62(text: &str) -> Option<u64> {
    if text.len() != 11 {
        return None;
    }
    text.bytes().try_fold(0u64, |n, byte| {
        let digit = BASE62.iter().position(|&d| d == byte)?;
        n.checked_mul(62)?.checked_add(digit as u64)
    })
}

/// A page size or offset from a query string: ASCII digits only, so `-1`,
/// `1.5`, ` 5` and `5abc` are all rejected as a real API would.
pub(crate) fn parse_count(raw: &str) -> Option<usize> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// A page size or offset from a JSON body: a non-negative integer, or a string
/// of digits (Intercom itself echoes `per_page` as a string at times).
pub(crate) fn json_count(value: &Value) -> Option<usize> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) => parse_count(s),
        _ => None,
    }
}

/// The records of one page: `len` records from `start`, fewer at the end.
pub(crate) fn page_of(records: &[Value], start: usize, len: usize) -> Vec<Value> {
    records.iter().skip(start).take(len).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_has_the_awkward_characters() {
        let claims = TokenClaims { position: 150, binding: 42 };
        let token = issue_token(TokenScope::Contacts, claims);
        for c in ['+', '/', '=', '\n'] {
            assert!(token.contains(c), "{token:?} lacks {c:?}");
        }
        assert_eq!(redeem_token(TokenScope::Contacts, &token), Some(claims));
        assert_eq!(redeem_token(TokenScope::Meetings, &token), None);
    }

    #[test]
    fn an_altered_token_is_rejected() {
        let token = issue_token(TokenScope::Events, TokenClaims { position: 7, binding: 1 });
        let altered = [
            token.replace('+', " "),
            token.replace('\n', ""),
            token.replace('/', "%2F"),
            format!("{token}\n"),
            token.trim_end().to_owned(),
        ];
        for bad in altered {
            assert_eq!(redeem_token(TokenScope::Events, &bad), None, "{bad:?}");
        }
    }

    #[test]
    fn counts_are_digits_only() {
        assert_eq!(parse_count("150"), Some(150));
        for bad in ["", "-1", "1.5", " 5", "5abc"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
        assert_eq!(json_count(&Value::from("10")), Some(10));
        assert_eq!(json_count(&Value::from(-3)), None);
    }
}
