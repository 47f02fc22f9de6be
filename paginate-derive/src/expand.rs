//! Code generation: the `Paginated` impl, or `compile_error!`s plus a stub impl.

use proc_macro2::{Group, Literal, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use crate::ast::{Input, Items};
use crate::attr::{Attr, BodyPath, FieldPath, IntValue, Style};
use crate::check;
use crate::ctxt::Ctxt;

/// Expands `#[derive(Paginated)]` on `node`.
///
/// Errors come out as `compile_error!` invocations followed by a stub impl,
/// so that code using the type reports nothing beyond the real mistakes.
pub fn derive(node: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let input = Input::from_syn(&cx, node);
    // Cross-attribute rules only run on attributes that all parsed.
    if !cx.has_errors() {
        check::check(&cx, &input);
    }
    match cx.check() {
        Ok(()) => impl_paginated(&input),
        Err(error) => {
            let errors = error.into_compile_error();
            let stub = stub(&input);
            quote!(#errors #stub)
        }
    }
}

fn impl_paginated(input: &Input) -> TokenStream {
    let private = private(input);
    let items = input.items().expect("checked: items are declared");
    let (item_ty, items_ref, items_mut) = match items {
        Items::Field { ident, elem } => (quote!(#elem), quote!(&self.#ident), quote!(&mut self.#ident)),
        Items::Path { path, elem } => {
            let span = path.lit.span();
            let segments = &path.segments;
            // `self` at the call site, like the method's `self`; the rest at the
            // string so a wrong `item_type` is reported there (see `read`).
            let this = quote!(self);
            (
                quote!(#elem),
                quote_spanned!(span=> let __paginate_self = #this; &__paginate_self #(.#segments)*),
                quote_spanned!(span=> let __paginate_self = #this; &mut __paginate_self #(.#segments)*),
            )
        }
    };
    let spec = spec(input, &private);
    let signals = signals(input, &private);
    let item_key = input.attrs.dedup_by.value().map(|path| {
        let key = read(&private, path, &quote!(item_key), &quote!(item));
        quote! {
            fn item_key(item: &Self::Item) -> #private::Option<u128> {
                #key
            }
        }
    });
    impl_block(
        input,
        &private,
        &quote! {
            type Item = #item_ty;
            const SPEC: #private::Spec = #spec;
            fn signals(&self) -> #private::Signals {
                #signals
            }
            fn items(&self) -> &[Self::Item] {
                #items_ref
            }
            fn items_mut(&mut self) -> &mut #private::Vec<Self::Item> {
                #items_mut
            }
            #item_key
        },
    )
}

/// The impl emitted next to errors: it compiles whatever the attributes say,
/// keeps the item type when it is known, and does nothing.
fn stub(input: &Input) -> TokenStream {
    let private = private(input);
    let item_ty = match input.items() {
        Some(Items::Field { elem, .. } | Items::Path { elem, .. }) => quote!(#elem),
        None => quote!(()),
    };
    impl_block(
        input,
        &private,
        &quote! {
            type Item = #item_ty;
            const SPEC: #private::Spec = #private::Spec::DEFAULT;
            fn signals(&self) -> #private::Signals {
                #private::Default::default()
            }
            fn items(&self) -> &[Self::Item] {
                &[]
            }
            fn items_mut(&mut self) -> &mut #private::Vec<Self::Item> {
                // Never runs: the stub only exists next to a `compile_error!`.
                ::core::unreachable!()
            }
        },
    )
}

fn impl_block(input: &Input, private: &TokenStream, body: &TokenStream) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.map(|clause| &clause.predicates);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Paginated for #ident #ty_generics
        where
            Self: #private::DeserializeOwned,
            #predicates
        {
            #body
        }
    }
}

fn private(input: &Input) -> TokenStream {
    let krate = input.krate();
    quote!(#krate::__private)
}

/// `Spec { style: ..., cursor: ..., ..Spec::DEFAULT }`, listing only what was declared.
fn spec(input: &Input, private: &TokenStream) -> TokenStream {
    let a = &input.attrs;
    let style = a.style.value().expect("checked: style is declared").style;
    let mut fields = Vec::new();
    let style_variant = match style {
        Style::Cursor => quote!(Cursor),
        Style::Offset => quote!(Offset),
        Style::Page => quote!(Page),
    };
    fields.push(quote!(style: #private::Style::#style_variant));
    let position = match style {
        Style::Cursor => target(private, &a.cursor_param, &a.cursor_body).map(|t| quote!(cursor: #t)),
        Style::Offset => target(private, &a.offset_param, &a.offset_body).map(|t| quote!(offset: #t)),
        Style::Page => target(private, &a.page_param, &a.page_body).map(|t| quote!(page: #t)),
    };
    fields.extend(position);
    if let Some(first_page) = a.first_page.value() {
        let n = Literal::u64_suffixed(first_page.value);
        fields.push(quote!(first_page: #n));
    }
    if let Some(t) = target(private, &a.page_size_param, &a.page_size_body) {
        fields.push(quote!(page_size: #t));
    }
    for (name, value) in [
        (quote!(default_page_size), &a.page_size),
        (quote!(max_page_size), &a.max_page_size),
        (quote!(max_offset), &a.max_offset),
    ] {
        if let Some(n) = int(private, value) {
            fields.push(quote!(#name: #n));
        }
    }
    if let Some(&flag) = a.stop_on_short_page.value() {
        fields.push(quote!(stop_on_short_page: #flag));
    }
    // An offset or page walk past the end only ever sees empty pages: always stop on one.
    let stop_on_empty_page = match style {
        Style::Cursor => a.stop_on_empty_page.value().copied(),
        Style::Offset | Style::Page => Some(true),
    };
    if let Some(flag) = stop_on_empty_page {
        fields.push(quote!(stop_on_empty_page: #flag));
    }
    if a.dedup_by.value().is_some() {
        fields.push(quote!(dedup: true));
    }
    quote! {
        #private::Spec {
            #(#fields,)*
            ..#private::Spec::DEFAULT
        }
    }
}

/// `Some(Target::Query("name"))` or `Some(Target::Body(&["a", "b"]))`.
fn target(private: &TokenStream, param: &Attr<syn::LitStr>, body: &Attr<BodyPath>) -> Option<TokenStream> {
    if let Some(name) = param.value() {
        return Some(quote!(#private::Some(#private::Target::Query(#name))));
    }
    body.value().map(|path| {
        let segments = path.segments.iter().map(|segment| syn::LitStr::new(segment, path.lit.span()));
        quote!(#private::Some(#private::Target::Body(&[#(#segments),*])))
    })
}

fn int(private: &TokenStream, value: &Attr<IntValue>) -> Option<TokenStream> {
    value.value().map(|n| {
        let n = Literal::u64_suffixed(n.value);
        quote!(#private::Some(#n))
    })
}

/// `Signals { cursor: ..., has_more: ..., ..Default::default() }`.
fn signals(input: &Input, private: &TokenStream) -> TokenStream {
    let a = &input.attrs;
    let reads = [
        (quote!(cursor), &a.cursor_field, quote!(CursorValue::to_cursor)),
        (quote!(has_more), &a.has_more, quote!(FlagValue::to_flag)),
        (quote!(is_last), &a.is_last, quote!(FlagValue::to_flag)),
        (quote!(total), &a.total, quote!(CountValue::to_count)),
        (quote!(total_pages), &a.total_pages, quote!(CountValue::to_count)),
    ];
    let fields: Vec<TokenStream> = reads
        .into_iter()
        .filter_map(|(name, path, leaf)| {
            path.value().map(|path| {
                let read = read(private, path, &leaf, &quote!(self));
                quote!(#name: #read)
            })
        })
        .collect();
    if fields.is_empty() {
        return quote!(#private::Default::default());
    }
    quote! {
        #private::Signals {
            #(#fields,)*
            ..#private::Default::default()
        }
    }
}

/// Reads `path` from `self` by field access, stepping through `Option`s, and
/// converts the leaf with `leaf` (a `CursorValue`/`FlagValue`/`CountValue` method).
///
/// The field accesses and the leaf call are spanned at the user's string, so
/// rustc's "no field `nxt` on type `Pages`" and the leaf traits'
/// `on_unimplemented` messages point at it.
fn read(private: &TokenStream, path: &FieldPath, leaf: &TokenStream, this: &TokenStream) -> TokenStream {
    let span = path.lit.span();
    let (first, rest) = path.segments.split_first().expect("a field path has a segment");
    // Hygiene: `self` must carry the span of the method's `&self` (call site),
    // while every `__paginate_v` carries the string's span, so that the locals
    // resolve to each other even when the struct comes out of a `macro_rules!`
    // (where those two spans have different hygiene contexts).
    // `(*x).field` rather than `x.field`: rustc then names the struct, not a
    // reference to it, in "no field `nxt` on type `Pages`".
    let mut steps = vec![quote_spanned!(span=> let __paginate_v = &(*#this).#first;)];
    let hop = respan(quote!(#private::Hop), span);
    for segment in rest {
        steps.push(quote_spanned!(span=> let __paginate_v = (&#hop(__paginate_v)).hop()?;));
        steps.push(quote_spanned!(span=> let __paginate_v = &(*__paginate_v).#segment;));
    }
    let hops = (!rest.is_empty()).then(|| quote!(use #private::{HopOption as _, HopPlain as _};));
    // Every token of the leaf call at the string, or rustc adds a "required by
    // a bound introduced by this call" label on the derive.
    let leaf = respan(quote!(#private::#leaf), span);
    let convert = quote_spanned!(span=> #leaf(__paginate_v));
    quote! {
        // The explicit `Option` return type is what lets `?` step out of a `None`.
        (|| -> #private::Option<_> {
            #hops
            #(#steps)*
            #convert
        })()
    }
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &mut token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                *group = respanned;
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}
