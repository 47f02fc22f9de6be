//! Fuzzing the attribute parser: arbitrary `#[paginate(...)]` input, made of
//! the grammar's own pieces in random order or of random characters, must
//! come out as errors or an impl, never as a panic.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::expand;
use crate::symbol::CONTAINER_KEYS;

/// A piece of attribute syntax: keys, near-keys, literals, punctuation.
fn piece() -> impl Strategy<Value = String> {
    let keys: Vec<String> = CONTAINER_KEYS.iter().map(|k| k.name.to_owned()).collect();
    let literals = [
        "\"cursor\"",
        "\"offset\"",
        "\"page\"",
        "\"next\"",
        "\"a.b\"",
        "\"\"",
        "\"a..b\"",
        "\".a\"",
        "\"a b\"",
        "\"r#type\"",
        "\"self\"",
        "\"0\"",
        "0",
        "1",
        "2",
        "150",
        "200",
        "-1",
        "1.5",
        "true",
        "false",
        "'c'",
        "b\"x\"",
        "Vec<u32>",
        "::path::to",
        "items",
        "bogus",
        "crate",
    ];
    prop_oneof![
        proptest::sample::select(keys),
        proptest::sample::select(literals.map(str::to_owned).to_vec()),
        proptest::sample::select(["=", ",", ",", "=", "::", "(", ")", "#", "!"].map(str::to_owned).to_vec()),
    ]
}

fn derive(source: &str) {
    let Ok(tokens) = TokenStream::from_str(source) else { return };
    let Ok(input) = syn::parse2::<syn::DeriveInput>(tokens) else { return };
    let _ = expand::derive(&input);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn grammar_pieces_in_any_order_never_panic(
        container in proptest::collection::vec(piece(), 0..16),
        field in proptest::collection::vec(piece(), 0..4),
        shape in 0..4u8,
    ) {
        let container = container.join(" ");
        let field = field.join(" ");
        let body = match shape {
            0 => format!("{{ #[paginate({field})] data: Vec<u32>, next: Option<String>, pages: Pages }}"),
            1 => format!("( #[paginate({field})] Vec<u32> );"),
            2 => ";".to_owned(),
            _ => format!("{{ data: Vec<u32>, #[paginate({field})] other: Option<Vec<u8>> }}"),
        };
        derive(&format!("#[paginate({container})] struct S {body}"));
        derive(&format!("#[paginate({container})] enum E {{ A }}"));
    }

    #[test]
    fn random_text_never_panics(text in "[a-z_=\",.()0-9 #\\[\\]]{0,60}") {
        derive(&format!("#[paginate({text})] struct S {{ #[paginate(items)] data: Vec<u32> }}"));
    }
}
