//! Rust names for JSON keys: snake_case fields, PascalCase types, singular
//! item types, and the normalised form the detectors compare key names in.

/// Words of a key: split at `_`, `-`, `.`, `@`, `$`, `[`, `]`, spaces and
/// lower-to-upper case changes (`nextPageToken` -> next, page, token;
/// `QTime` -> q, time; `HTTPStatus` -> http, status).
pub fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The key lowercased with every separator removed: `next_page_token`,
/// `nextPageToken` and `page[size]` become `nextpagetoken` and `pagesize`.
pub fn norm(key: &str) -> String {
    key.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// `@odata.nextLink` -> `next_link`, `_count` -> `count`, `QTime` -> `q_time`.
/// Only the last dotted segment names a field, so OData's and JSON-LD's
/// prefixed keys read as their plain names.
pub fn snake(key: &str) -> String {
    let last = key.rsplit('.').find(|s| s.chars().any(char::is_alphanumeric)).unwrap_or(key);
    let joined = words(last).join("_");
    if joined.is_empty() {
        "field".to_owned()
    } else if joined.starts_with(|c: char| c.is_numeric()) {
        format!("n_{joined}")
    } else {
        joined
    }
}

/// The snake_case words of the whole key, dots included (`odata_next_link`):
/// the fallback when two keys of one object read the same.
pub fn snake_full(key: &str) -> String {
    let joined = words(key).join("_");
    if joined.starts_with(|c: char| c.is_numeric()) { format!("n_{joined}") } else { joined }
}

/// `page_info` -> `PageInfo`, `drive#file` -> `DriveFile`.
pub fn pascal(key: &str) -> String {
    let mut out: String = words(key)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_numeric()) {
        out.insert(0, 'T');
    }
    if TAKEN_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Entry");
    }
    out
}

/// Names the generated module must not shadow.
const TAKEN_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Box",
    "Vec",
    "String",
    "Value",
    "Map",
    "Deserialize",
    "Paginated",
    "Lenient",
    "Type",
];

/// `issues` -> `issue`, `entries` -> `entry`, `statuses` -> `status`.
pub fn singular(word: &str) -> String {
    let lower = word.to_lowercase();
    if let Some(stem) = lower.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{}y", &word[..stem.len()]);
    }
    for suffix in ["sses", "shes", "ches", "xes", "uses"] {
        if lower.ends_with(suffix) {
            return word[..word.len() - 2].to_owned();
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && word.len() > 1 {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

/// A field identifier for `snake`: keywords become raw identifiers
/// (`r#type`), and the few that cannot be raw get a trailing underscore.
pub fn field_ident(snake: &str) -> String {
    match snake {
        "self" | "super" | "crate" | "Self" | "_" => format!("{snake}_"),
        s if KEYWORDS.contains(&s) => format!("r#{s}"),
        s => s.to_owned(),
    }
}

/// The name serde sees for a field identifier (`r#type` is `type`).
pub fn serde_name(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `key` can be written as a Rust identifier as it is.
pub fn is_ident(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("@odata.nextLink"), "next_link");
        assert_eq!(snake("nextPageToken"), "next_page_token");
        assert_eq!(snake("QTime"), "q_time");
        assert_eq!(snake("_count"), "count");
        assert_eq!(snake("HTTPStatus"), "http_status");
        assert_eq!(snake("Documents"), "documents");
        assert_eq!(pascal("page_info"), "PageInfo");
        assert_eq!(pascal("result"), "ResultEntry");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("issues"), "issue");
        assert_eq!(singular("statuses"), "status");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(norm("page[size]"), "pagesize");
    }
}
