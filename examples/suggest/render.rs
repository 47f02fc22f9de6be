//! The suggestion as a Rust module: the structs, leaves first, then the
//! response struct with its `#[paginate(...)]` lines and the reasoning as
//! comments, then any functions a custom style names.

use std::fmt::Write as _;

use super::decide::{Suggestion, Val};
use super::names;
use super::schema::{Model, Struct};

const WIDTH: usize = 100;

pub fn render(suggestion: &Suggestion) -> String {
    let model = &suggestion.model;
    let d = &suggestion.declaration;
    let mut out = String::new();
    out.push_str(
        "// Suggested by `cargo run --example suggest` from one sample response. The comments\n\
         // above the response struct give the evidence for each choice, the alternatives and\n\
         // what one page cannot show: check those before relying on it.\n\n",
    );
    out.push_str("use paginated::Paginated;\n");
    if model.uses_lenient() {
        out.push_str("use paginated::de::Lenient;\n");
    }
    out.push_str("use serde::Deserialize;\n");

    for index in model.order() {
        out.push('\n');
        if index == 0 {
            comments(&mut out, &format!("How `{}` pages, from the sample:", model.structs[0].name), &d.why);
            comments(&mut out, "Alternatives:", &d.alternatives);
            comments(&mut out, "One page cannot show:", &d.confirm);
            out.push_str("#[derive(Debug, Deserialize, Paginated)]\n");
            if model.bare_array {
                out.push_str("#[serde(transparent)]\n");
            }
            for line in paginate_lines(&d.keys) {
                out.push_str(&line);
            }
        } else {
            out.push_str("#[derive(Debug, Deserialize)]\n");
        }
        write_struct(&mut out, model, &model.structs[index]);
    }
    if let Some(functions) = &d.functions {
        out.push('\n');
        out.push_str(functions);
    }
    out
}

fn write_struct(out: &mut String, model: &Model, s: &Struct) {
    let _ = writeln!(out, "pub struct {} {{", s.name);
    for field in &s.fields {
        for attr in &field.attrs {
            let _ = writeln!(out, "    {attr}");
        }
        if names::serde_name(&field.ident) != field.key {
            let _ = writeln!(out, "    #[serde(rename = {:?})]", field.key);
        }
        let ty = model.type_name(&field.ty);
        let ty = if field.optional { format!("Option<{ty}>") } else { ty };
        let note = field.note.as_ref().map(|n| format!(" // {n}")).unwrap_or_default();
        let _ = writeln!(out, "    pub {}: {ty},{note}", field.ident);
    }
    out.push_str("}\n");
}

/// `// Title:` and one `// - item` per entry, wrapped.
fn comments(out: &mut String, title: &str, entries: &[String]) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "// {title}");
    for entry in entries {
        let mut line = String::from("// -");
        for word in entry.split_whitespace() {
            if line.len() + 1 + word.len() > WIDTH && line.len() > 5 {
                let _ = writeln!(out, "{line}");
                line = String::from("//  ");
            }
            line.push(' ');
            line.push_str(word);
        }
        let _ = writeln!(out, "{line}");
    }
}

/// The keys in groups (the walk, the items, the page size, the stop signals),
/// one `#[paginate(...)]` each, broken over lines when long.
fn paginate_lines(keys: &[(&'static str, Val)]) -> Vec<String> {
    let group = |key: &str| match key {
        "items" | "item_type" => 1,
        k if k.starts_with("page_size") => 2,
        "has_more" | "is_last" | "total" | "total_pages" | "stop_on_short_page" | "stop_on_empty_page"
        | "api_error" => 3,
        _ => 0,
    };
    (0..4)
        .filter_map(|g| {
            let parts: Vec<String> = keys
                .iter()
                .filter(|(k, _)| group(k) == g)
                .map(|(k, v)| match v {
                    Val::Str(s) => format!("{k} = {s:?}"),
                    Val::Int(n) => format!("{k} = {n}"),
                    Val::Flag => (*k).to_owned(),
                })
                .collect();
            if parts.is_empty() {
                return None;
            }
            let line = format!("#[paginate({})]\n", parts.join(", "));
            Some(if line.trim_end().len() <= WIDTH {
                line
            } else {
                format!("#[paginate(\n    {}\n)]\n", parts.join(",\n    "))
            })
        })
        .collect()
}
