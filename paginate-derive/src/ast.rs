//! The derive's view of the input: the struct, its `#[paginate]` attributes
//! and its fields, each with a pointer back to the syntax for error spans.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, GenericArgument, Generics, Ident, PathArguments, Type};

use crate::attr::{self, FieldPath};
use crate::ctxt::Ctxt;
use crate::wire;

/// A struct deriving `Paginated`.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub attrs: attr::Container,
    /// What `#[serde(...)]` says about the fields' names.
    pub serde: wire::Container,
    /// The named fields; empty when the input is not a struct with named
    /// fields (already reported).
    pub fields: Vec<Field<'a>>,
}

/// A named field of the struct.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: attr::FieldAttrs,
    pub serde: wire::Field,
}

/// Where the items of a page are.
pub enum Items<'a> {
    /// `#[paginate(items)] field: Vec<Elem>`.
    Field { ident: &'a Ident, elem: &'a Type },
    /// `#[paginate(items = "a.b", item_type = "Elem")]`.
    Path { path: &'a FieldPath, elem: &'a Type },
}

impl<'a> Input<'a> {
    /// Reads the input, reporting shape and attribute syntax errors into `cx`.
    pub fn from_syn(cx: &Ctxt, node: &'a DeriveInput) -> Input<'a> {
        let attrs = attr::Container::from_attrs(cx, &node.attrs);
        let ident = &node.ident;
        let fields = match &node.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named
                    .named
                    .iter()
                    .map(|field| Field {
                        ident: field.ident.as_ref().expect("named field"),
                        ty: &field.ty,
                        attrs: attr::FieldAttrs::from_attrs(cx, &field.attrs),
                        serde: wire::Field::from_attrs(&field.attrs),
                    })
                    .collect(),
                Fields::Unnamed(_) => {
                    cx.error_spanned_by(
                        keyword_and_name(&data.struct_token, ident),
                        "`Paginated` cannot be derived for a tuple struct; \
                         name the fields of the response: `struct Name { data: Vec<Item>, ... }`",
                    );
                    Vec::new()
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        keyword_and_name(&data.struct_token, ident),
                        "`Paginated` cannot be derived for a unit struct; \
                         it needs the fields of the response: `struct Name { data: Vec<Item>, ... }`",
                    );
                    Vec::new()
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    keyword_and_name(&data.enum_token, ident),
                    "`Paginated` cannot be derived for an enum; \
                     derive it on the struct that one page of the response decodes into",
                );
                Vec::new()
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    keyword_and_name(&data.union_token, ident),
                    "`Paginated` cannot be derived for a union; \
                     derive it on the struct that one page of the response decodes into",
                );
                Vec::new()
            }
        };
        for param in node.generics.lifetimes() {
            cx.error_spanned_by(
                &param.lifetime,
                format!(
                    "`Paginated` pages cannot borrow: each page is decoded from a response body that is \
                     gone once the page is read; remove `{lifetime}` and use owned types (`String` for \
                     `&{lifetime} str`, `Vec<T>` for `&{lifetime} [T]`)",
                    lifetime = param.lifetime
                ),
            );
        }
        Input {
            ident,
            generics: &node.generics,
            attrs,
            serde: wire::Container::from_attrs(&node.attrs),
            fields,
        }
    }

    /// The fields marked `#[paginate(items)]`.
    pub fn items_fields(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|field| field.attrs.items.get().is_some())
    }

    /// Where the items are, if that is declared unambiguously.
    pub fn items(&self) -> Option<Items<'_>> {
        let mut fields = self.items_fields();
        match (fields.next(), fields.next(), self.attrs.items.value(), self.attrs.item_type.value()) {
            (Some(field), None, None, _) => {
                vec_element(field.ty).map(|elem| Items::Field { ident: field.ident, elem })
            }
            (None, None, Some(path), Some(elem)) => Some(Items::Path { path, elem }),
            _ => None,
        }
    }

    /// The serde (wire) path of a field path of this struct: the first field
    /// under the name serde reads it by, the rest as written (the derive cannot
    /// see the `#[serde]` attributes of nested structs). `None` when the first
    /// field has no key of its own (`#[serde(transparent)]`, `#[serde(flatten)]`).
    pub fn wire_path(&self, path: &FieldPath) -> Option<Vec<String>> {
        let (first, rest) = path.segments.split_first()?;
        let first = match self.fields.iter().find(|field| field.ident == first) {
            Some(field) => wire::field_name(&self.serde, field.ident, &field.serde)?,
            // Not a field: rustc reports that under the string.
            None if self.serde.transparent => return None,
            None => first.unraw().to_string(),
        };
        Some(std::iter::once(first).chain(rest.iter().map(|segment| segment.unraw().to_string())).collect())
    }

    /// Where the items are in the raw JSON of a page (see [`Input::wire_path`]).
    pub fn items_wire_path(&self) -> Option<Vec<String>> {
        match self.items()? {
            Items::Field { ident, .. } => {
                let field = self.fields.iter().find(|field| field.ident == ident)?;
                wire::field_name(&self.serde, ident, &field.serde).map(|name| vec![name])
            }
            Items::Path { path, .. } => self.wire_path(path),
        }
    }

    /// The path of the `paginated` crate in generated code.
    pub fn krate(&self) -> TokenStream {
        self.attrs.krate.value().map_or_else(|| quote!(::paginated), |path| quote!(#path))
    }
}

/// `struct Name`: the tokens an error about the item's shape spans.
fn keyword_and_name(keyword: &impl quote::ToTokens, ident: &Ident) -> TokenStream {
    quote!(#keyword #ident)
}

/// `T` if `ty` is syntactically `Vec<T>` (also `std::vec::Vec<T>`, `alloc::vec::Vec<T>`).
pub fn vec_element(ty: &Type) -> Option<&Type> {
    let Type::Path(ty) = ty else { return None };
    if ty.qself.is_some() {
        return None;
    }
    let last = ty.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let mut args = args.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(elem)), None) => Some(elem),
        _ => None,
    }
}

impl<'a> Items<'a> {
    /// The item type.
    pub fn elem(&self) -> &'a Type {
        match self {
            Items::Field { elem, .. } | Items::Path { elem, .. } => elem,
        }
    }
}

/// The type parameter of `generics` that `ty` is, if it is one (`T`).
pub fn type_param<'g>(generics: &'g Generics, ty: &Type) -> Option<&'g Ident> {
    let Type::Path(ty) = ty else { return None };
    let ident = ty.path.get_ident().filter(|_| ty.qself.is_none())?;
    generics.type_params().map(|param| &param.ident).find(|param| *param == ident)
}

/// Whether `ty` is syntactically `Option<...>`, for a friendlier message.
pub fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(ty) if ty.path.segments.last().is_some_and(|last| last.ident == "Option"))
}
