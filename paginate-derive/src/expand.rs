//! Code generation: the `Paginated` impl, or `compile_error!`s plus a stub impl.

use proc_macro2::{Group, Literal, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::{DeriveInput, Ident};

use crate::ast::{Input, Items};
use crate::attr::{Attr, BodyPath, FieldPath, IntValue, ItemRead, Keyed, Style};
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
            // At the string, root context: a wrong `item_type` is a plain type
            // mismatch there. The first segment is checked by the derive.
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
    let api_error = input.attrs.api_error.value().map(|path| {
        let error = read(&private, path, &quote!(ApiErrorValue::to_api_error), &quote!(self));
        quote! {
            fn api_error(&self) -> #private::Option<#private::String> {
                #error
            }
        }
    });
    let slice_key = input.attrs.slice_by.get().map(|keyed| {
        let key = item_read(
            &private,
            keyed,
            (quote!(SliceValue::to_slice_key), quote!(ItemSliceKey::slice_key)),
            &quote!(item),
        );
        quote! {
            fn slice_key(item: &#item_ty) -> #private::Option<#private::SliceKey> {
                #key
            }
        }
    });
    let since_key = input.attrs.since_field.value().map(|path| {
        let key = read(&private, path, &quote!(SinceValue::to_since_key), &quote!(item));
        quote! {
            fn since_key(item: &#item_ty) -> #private::Option<#private::SliceKey> {
                #key
            }
        }
    });
    let item_key = input.attrs.dedup_by.get().map(|keyed| {
        let key = item_read(&private, keyed, (quote!(item_key), quote!(ItemKey::key)), &quote!(item));
        quote! {
            fn item_key(item: &#item_ty) -> #private::Option<u128> {
                #key
            }
        }
    });
    // A generic item type is read through its trait impls: the impl needs them.
    let a = &input.attrs;
    let item_bounds: Vec<TokenStream> = if input.generics.type_params().next().is_some() {
        [
            (&a.cursor_item_field, quote!(ItemCursor)),
            (&a.dedup_by, quote!(ItemKey)),
            (&a.slice_by, quote!(ItemSliceKey)),
        ]
        .into_iter()
        .filter(|(read, _)| matches!(read.value(), Some(ItemRead::Trait)))
        .map(|(_, bound)| quote!(#item_ty: #private::#bound,))
        .collect()
    } else {
        Vec::new()
    };
    impl_block(
        input,
        &private,
        &quote!(#(#item_bounds)*),
        &quote! {
            type Item = #item_ty;
            const SPEC: #private::Spec = #spec;
            fn signals(&self) -> #private::Signals {
                #signals
            }
            fn items(&self) -> &[#item_ty] {
                #items_ref
            }
            fn items_mut(&mut self) -> &mut #private::Vec<#item_ty> {
                #items_mut
            }
            #item_key
            #slice_key
            #since_key
            #api_error
        },
    )
}

/// The impl emitted next to errors: it compiles whatever the attributes say,
/// keeps the item type when it is known, and does nothing.
fn stub(input: &Input) -> TokenStream {
    // No impl for a borrowing page could decode (see `Input::from_syn`): the
    // stub would add an error of its own.
    if input.generics.lifetimes().next().is_some() {
        return TokenStream::new();
    }
    let private = private(input);
    let item_ty = match input.items() {
        Some(Items::Field { elem, .. } | Items::Path { elem, .. }) => quote!(#elem),
        None => quote!(()),
    };
    impl_block(
        input,
        &private,
        &quote!(),
        &quote! {
            type Item = #item_ty;
            const SPEC: #private::Spec = #private::Spec::DEFAULT;
            fn signals(&self) -> #private::Signals {
                #private::Default::default()
            }
            fn items(&self) -> &[#item_ty] {
                &[]
            }
            fn items_mut(&mut self) -> &mut #private::Vec<#item_ty> {
                // Never runs: the stub only exists next to a `compile_error!`.
                ::core::unreachable!()
            }
        },
    )
}

fn impl_block(input: &Input, private: &TokenStream, bounds: &TokenStream, body: &TokenStream) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.map(|clause| &clause.predicates);
    // A generic page decodes only for some arguments: the impl says which. A
    // plain one has an unconditional impl, so that a missing
    // `#[derive(Deserialize)]` is the one error of the `DecodePage`
    // supertrait, under the struct's name, and not one more at every call site.
    let decodes = (!input.generics.params.is_empty()).then(|| quote!(Self: #private::DecodePage,));
    let where_clause = (decodes.is_some() || predicates.is_some_and(|p| !p.is_empty()))
        .then(|| quote!(where #decodes #bounds #predicates));
    // The trait path at the struct's name: that is where a missing
    // `Deserialize` is reported.
    let paginated = respan(quote!(#private::Paginated), ident.span());
    quote! {
        #[automatically_derived]
        impl #impl_generics #paginated for #ident #ty_generics
        #where_clause
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
        Style::Link => quote!(Link),
        Style::Custom => quote!(Custom),
    };
    fields.push(quote!(style: #private::Style::#style_variant));
    let (name, position) = match style {
        Style::Cursor => (
            quote!(cursor),
            target(private, a.cursor_param.value(), a.cursor_body.value(), a.cursor_request_header.value())
                .or_else(|| {
                    a.cursor_form.value().map(|name| quote!(#private::Some(#private::Target::Form(#name))))
                }),
        ),
        Style::Offset => {
            (quote!(offset), target(private, a.offset_param.value(), a.offset_body.value(), None))
        }
        Style::Page => (quote!(page), target(private, a.page_param.value(), a.page_body.value(), None)),
        // A link walk requests the URL the server gave, a custom walk the
        // request its function builds: there is no position to place.
        Style::Link | Style::Custom => (quote!(), None),
    };
    if let Some(t) = position {
        fields.push(quote!(#name: #t));
    }
    if let Some(first_page) = a.first_page.value() {
        let n = Literal::u64_suffixed(first_page.value);
        fields.push(quote!(first_page: #n));
    }
    if let Some(t) =
        target(private, a.page_size_param.value(), a.page_size_body.value(), a.page_size_header.value())
            .or_else(|| {
                a.page_size_form.value().map(|name| quote!(#private::Some(#private::Target::Form(#name))))
            })
    {
        fields.push(quote!(page_size: #t));
    }
    if let Some(format) = a.page_size_format.value() {
        fields.push(quote!(page_size_format: #private::Some(#format)));
    }
    for (name, list) in [
        (quote!(keep_params), &a.keep_params),
        (quote!(rate_limit_errors), &a.rate_limit_error),
        (quote!(cursor_expired_errors), &a.cursor_expired_error),
    ] {
        if let Some(lit) = list.value() {
            let items = lit.value();
            let items = items
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| syn::LitStr::new(s, lit.span()));
            fields.push(quote!(#name: &[#(#items),*]));
        }
    }
    if let Some(function) = a.next_request.value() {
        // Every token at the user's string: a wrong signature is reported there alone.
        let span = function.segments.last().map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
        let check = respan(quote!(#private::next_request_fn(#function)), span);
        fields.push(quote!(next_request: #check));
    }
    for (name, value) in [
        (quote!(default_page_size), &a.page_size),
        (quote!(max_page_size), &a.max_page_size),
        (quote!(min_page_size), &a.min_page_size),
        (quote!(max_offset), &a.max_offset),
        (quote!(max_page), &a.max_page),
        (quote!(max_pages), &a.max_pages),
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
        Style::Cursor | Style::Link | Style::Custom => a.stop_on_empty_page.value().copied(),
        Style::Offset | Style::Page => Some(true),
    };
    if let Some(flag) = stop_on_empty_page {
        fields.push(quote!(stop_on_empty_page: #flag));
    }
    if let Some(&flag) = a.stop_on_same_cursor.value() {
        fields.push(quote!(stop_on_same_cursor: #flag));
    }
    if a.next_url.value().is_some() {
        fields.push(quote!(next_url_field: true));
    }
    if let Some(name) = a.cursor_header.value() {
        fields.push(quote!(cursor_header: #private::Some(#name)));
    }
    if let Some(&flag) = a.cursor_encoded.value() {
        fields.push(quote!(cursor_encoded: #flag));
    }
    if let Some(first) = a.first_cursor.value() {
        fields.push(quote!(first_cursor: #private::Some(#first)));
    }
    if a.dedup_by.value().is_some() {
        fields.push(quote!(dedup: true));
    }
    if a.slice_by.value().is_some() {
        fields.push(quote!(slice_by: true));
    }
    if let Some(t) = target(private, a.slice_param.value(), a.slice_body.value(), None) {
        fields.push(quote!(slice_target: #t));
    }
    if a.since_field.value().is_some() {
        fields.push(quote!(since_field: true));
    }
    if let Some(t) = target(private, a.since_param.value(), a.since_body.value(), a.since_header.value()) {
        fields.push(quote!(since_target: #t));
    }
    for (name, list) in [
        (quote!(rate_limit_statuses), &a.rate_limit_status),
        (quote!(cursor_expired_statuses), &a.cursor_expired_status),
    ] {
        if let Some(list) = list.value() {
            let statuses = list.statuses.iter().map(|&status| {
                let mut status = Literal::u16_suffixed(status);
                status.set_span(list.lit.span());
                status
            });
            fields.push(quote!(#name: &[#(#statuses),*]));
        }
    }
    for (name, text) in [
        (quote!(rate_limit_match), &a.rate_limit_match),
        (quote!(cursor_expired_match), &a.cursor_expired_match),
    ] {
        if let Some(text) = text.value() {
            fields.push(quote!(#name: #private::Some(#text)));
        }
    }
    // Header names are compared lower-cased, as the `http` crate stores them.
    for (name, header) in [
        (quote!(rate_limit_reset_header), &a.rate_limit_reset_header),
        (quote!(rate_limit_remaining_header), &a.rate_limit_remaining_header),
        (quote!(total_header), &a.total_header),
        (quote!(total_pages_header), &a.total_pages_header),
    ] {
        if let Some(lit) = header.value() {
            let lower = syn::LitStr::new(&lit.value().to_ascii_lowercase(), lit.span());
            fields.push(quote!(#name: #private::Some(#lower)));
        }
    }
    for (name, path) in [
        (quote!(rate_limit_field), &a.rate_limit_field),
        (quote!(rate_limit_wait_field), &a.rate_limit_wait_field),
        (quote!(cursor_expired_field), &a.cursor_expired_field),
    ] {
        if let Some(path) = path.value() {
            let segments = path.segments.iter().map(|segment| syn::LitStr::new(segment, path.lit.span()));
            fields.push(quote!(#name: #private::Some(&[#(#segments),*])));
        }
    }
    // Where the runtime finds the API's error and the items in raw JSON.
    let wire_paths = [
        (quote!(api_error_path), a.api_error.value().and_then(|path| input.wire_path(path))),
        (quote!(items_path), input.items_wire_path()),
    ];
    for (name, path) in wire_paths {
        if let Some(segments) = path {
            fields.push(quote!(#name: #private::Some(&[#(#segments),*])));
        }
    }
    quote! {
        #private::Spec {
            #(#fields,)*
            ..#private::Spec::DEFAULT
        }
    }
}

/// `Some(Target::Query("name"))`, `Some(Target::Body(&["a", "b"]))` or `Some(Target::Header("X-Name"))`.
fn target(
    private: &TokenStream,
    param: Option<&syn::LitStr>,
    body: Option<&BodyPath>,
    header: Option<&syn::LitStr>,
) -> Option<TokenStream> {
    if let Some(name) = param {
        return Some(quote!(#private::Some(#private::Target::Query(#name))));
    }
    if let Some(name) = header {
        return Some(quote!(#private::Some(#private::Target::Header(#name))));
    }
    body.map(|path| {
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
    let mut fields: Vec<TokenStream> = reads
        .into_iter()
        .filter_map(|(name, path, leaf)| {
            path.value().map(|path| {
                let read = read(private, path, &leaf, &quote!(self));
                quote!(#name: #read)
            })
        })
        .collect();
    if let Some(keyed) = a.cursor_item_field.get() {
        // The cursor is a field of the last item; an empty page has none, which ends the walk.
        let item = quote!(__paginate_item);
        let read =
            item_read(private, keyed, (quote!(CursorValue::to_cursor), quote!(ItemCursor::cursor)), &item);
        fields.insert(
            0,
            quote! {
                cursor: match #private::Paginated::items(self).last() {
                    #private::Some(#item) => #read,
                    #private::None => #private::None,
                }
            },
        );
    }
    if let Some(function) = a.next_state.value() {
        // The user's function hands over the state of the next request (custom style).
        fields.push(quote!(state: #function(self)));
    }
    if let Some(path) = a.next_url.value() {
        let read = read(private, path, &quote!(CursorValue::to_cursor), &quote!(self));
        fields.push(quote! {
            next_url: #read.map(|__paginate_cursor| __paginate_cursor.as_text().into_owned())
        });
    }
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

/// Reads an item's value: along a path in the item type (see [`read`]), or
/// through the item type's trait impl (`ItemCursor`, `ItemKey`,
/// `ItemSliceKey`), spanned at the key so that a missing impl is reported there.
fn item_read(
    private: &TokenStream,
    keyed: &Keyed<ItemRead>,
    (leaf, accessor): (TokenStream, TokenStream),
    item: &TokenStream,
) -> TokenStream {
    match &keyed.value {
        ItemRead::Path(path) => read(private, path, &leaf, item),
        ItemRead::Trait => {
            let accessor = respan(quote!(#private::#accessor), keyed.key);
            let leaf = respan(quote!(#private::#leaf), keyed.key);
            quote!(#leaf(&#accessor(#item)))
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
    let segments = field_names(path);
    let (first, rest) = segments.split_first().expect("a field path has a segment");
    // Hygiene: `self` must carry the span of the method's `&self` (call site),
    // while every `__paginate_v` carries the string's span, so that the locals
    // resolve to each other even when the struct comes out of a `macro_rules!`
    // (where those two spans have different hygiene contexts).
    // `(*x).field` rather than `x.field`: rustc then names the struct, not a
    // reference to it, in "no field `nxt` on type `Pages`".
    let mut steps = vec![quote_spanned!(span=> let __paginate_v = &(*#this).#first;)];
    let hop = respan(quote!(#private::Hop), span);
    for segment in rest {
        // Two steps: an `Option<Vec<T>>` or `Option<serde_json::Value>` is
        // unwrapped by the first, and refused by the second.
        let step = quote_spanned!(span=> let __paginate_v = (&#hop(__paginate_v)).hop()?;);
        steps.extend([step.clone(), step]);
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

/// The segments of `path` as field names at the string's location but in the
/// macro's context: rustc still reports "no field `nxt` on type `Pages`" under
/// the string, but does not offer to replace the whole string by the field
/// name, which would be no path at all (and unquoted). The first segment of a
/// path of the struct is checked by the derive, with the whole path written
/// out (`check::field_paths`).
fn field_names(path: &FieldPath) -> Vec<Ident> {
    let at = Span::call_site().located_at(path.lit.span());
    path.segments
        .iter()
        .map(|segment| {
            let mut segment = segment.clone();
            segment.set_span(at);
            segment
        })
        .collect()
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
