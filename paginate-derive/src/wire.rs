//! The serde (wire) names of the struct's fields: what `#[serde(rename)]`,
//! `#[serde(rename_all)]`, `transparent` and `flatten` make of them, so that
//! the runtime can find a declared field in the raw JSON of a page that does
//! not decode. Only what decides a name is read; a malformed `#[serde]` is
//! serde_derive's to report, so nothing here is an error.

use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, LitStr, Token};

use crate::attr::skip_value;

/// The `#[serde(...)]` attributes of the struct that decide its fields' names.
#[derive(Default)]
pub struct Container {
    /// `#[serde(transparent)]`: the struct is its one field; no field has a name.
    pub transparent: bool,
    /// `#[serde(rename_all = "...")]` (or its `deserialize` half).
    pub rename_all: Option<RenameRule>,
}

/// The `#[serde(...)]` attributes of one field that decide its name.
#[derive(Default)]
pub struct Field {
    /// `#[serde(rename = "x")]` or `#[serde(rename(deserialize = "x"))]`.
    pub rename: Option<String>,
    /// `#[serde(flatten)]`: the field's keys sit among the struct's own.
    pub flatten: bool,
}

/// A `rename_all` case, as serde applies it to a field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    fn from_name(name: &str) -> Option<RenameRule> {
        Some(match name {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        })
    }

    /// The wire name of a (snake_case) Rust field name, exactly as serde_derive
    /// computes it.
    pub fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Pascal => {
                let mut pascal = String::new();
                let mut capitalize = true;
                for c in field.chars() {
                    if c == '_' {
                        capitalize = true;
                    } else if capitalize {
                        pascal.push(c.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        pascal.push(c);
                    }
                }
                pascal
            }
            RenameRule::Camel => {
                let pascal = RenameRule::Pascal.apply_to_field(field);
                let mut chars = pascal.chars();
                chars
                    .next()
                    .map_or_else(String::new, |first| first.to_ascii_lowercase().to_string() + chars.as_str())
            }
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

impl Container {
    pub fn from_attrs(attrs: &[Attribute]) -> Container {
        let mut c = Container::default();
        for_each_serde_key(attrs, |meta| {
            if meta.path.is_ident("transparent") {
                c.transparent = true;
            } else if meta.path.is_ident("rename_all")
                && let Some(name) = deserialize_name(meta)?
            {
                c.rename_all = RenameRule::from_name(&name);
            }
            Ok(())
        });
        c
    }
}

impl Field {
    pub fn from_attrs(attrs: &[Attribute]) -> Field {
        let mut f = Field::default();
        for_each_serde_key(attrs, |meta| {
            if meta.path.is_ident("flatten") {
                f.flatten = true;
            } else if meta.path.is_ident("rename")
                && let Some(name) = deserialize_name(meta)?
            {
                f.rename = Some(name);
            }
            Ok(())
        });
        f
    }
}

/// The name serde reads the field `ident` under; `None` when the field has no
/// key of its own (`transparent`, `flatten`).
pub fn field_name(container: &Container, ident: &Ident, field: &Field) -> Option<String> {
    if container.transparent || field.flatten {
        return None;
    }
    let rust = ident.unraw().to_string();
    Some(field.rename.clone().unwrap_or_else(|| {
        container.rename_all.map_or_else(|| rust.clone(), |rule| rule.apply_to_field(&rust))
    }))
}

/// Calls `each` on every `key ...` of every `#[serde(...)]`, skipping whatever
/// value `each` leaves unread.
fn for_each_serde_key(attrs: &[Attribute], mut each: impl FnMut(&ParseNestedMeta) -> syn::Result<()>) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        // A malformed attribute is serde_derive's to report; what came before it still counts.
        let _ = attr.parse_nested_meta(|meta| {
            each(&meta)?;
            skip_value(meta.input)
        });
    }
}

/// The deserialize half of `key = "x"` or `key(deserialize = "x", serialize = "y")`.
fn deserialize_name(meta: &ParseNestedMeta) -> syn::Result<Option<String>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse::<LitStr>()?.value()));
    }
    if !meta.input.peek(syn::token::Paren) {
        return Ok(None);
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("deserialize") {
            name = Some(inner.value()?.parse::<LitStr>()?.value());
        }
        skip_value(inner.input)
    })?;
    Ok(name)
}
