//! From a JSON sample to serde structs: the shape of every value (the
//! elements of an array merged, so a key missing from one of them becomes an
//! `Option`), then one struct per object, with Rust names.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::names;

/// A JSON document with its object keys in the order they were written
/// (`serde_json::Value` sorts them), so the structs list fields as the API does.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Scalar(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some(element) = seq.next_element()? {
                    out.push(element);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut out: Vec<(String, Json)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Json>()? {
                    out.retain(|(k, _)| *k != key);
                    out.push((key, value));
                }
                Ok(Json::Object(out))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// What one JSON position held across the sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Only `null` (or nothing, in an empty array).
    Unknown,
    Bool,
    Int {
        negative: bool,
    },
    Float,
    /// `integer` is true while every string seen holds an integer (`"5"`).
    Str {
        integer: bool,
    },
    Array(Box<Shape>),
    Object(Vec<Prop>),
    /// Values of different kinds: kept as `serde_json::Value`.
    Mixed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub kind: Kind,
    pub nullable: bool,
    /// The first non-null scalar seen, for the detectors and the comments.
    pub sample: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prop {
    pub key: String,
    pub shape: Shape,
    /// Absent from some of the objects merged here.
    pub missing: bool,
}

impl Shape {
    pub fn of(value: &Json) -> Shape {
        match value {
            Json::Null | Json::Scalar(Value::Null) => {
                Shape { kind: Kind::Unknown, nullable: true, sample: None }
            }
            Json::Scalar(scalar) => {
                let kind = match scalar {
                    Value::Bool(_) => Kind::Bool,
                    Value::Number(n) if n.is_u64() => Kind::Int { negative: false },
                    Value::Number(n) if n.is_i64() => Kind::Int { negative: true },
                    Value::String(s) => Kind::Str { integer: is_integer(s) },
                    _ => Kind::Float,
                };
                Shape { kind, nullable: false, sample: Some(scalar.clone()) }
            }
            Json::Array(values) => {
                let element = values.iter().map(Shape::of).reduce(Shape::merge).unwrap_or(Shape::unknown());
                Shape { kind: Kind::Array(Box::new(element)), nullable: false, sample: None }
            }
            Json::Object(entries) => {
                let props = entries
                    .iter()
                    .map(|(key, value)| Prop { key: key.clone(), shape: Shape::of(value), missing: false })
                    .collect();
                Shape { kind: Kind::Object(props), nullable: false, sample: None }
            }
        }
    }

    fn unknown() -> Shape {
        Shape { kind: Kind::Unknown, nullable: false, sample: None }
    }

    /// Two values seen at the same position.
    pub fn merge(self, other: Shape) -> Shape {
        let nullable = self.nullable || other.nullable;
        let sample = self.sample.or(other.sample);
        let kind = match (self.kind, other.kind) {
            (Kind::Unknown, k) | (k, Kind::Unknown) => k,
            (Kind::Int { negative: a }, Kind::Int { negative: b }) => Kind::Int { negative: a || b },
            (Kind::Int { .. } | Kind::Float, Kind::Int { .. } | Kind::Float) => Kind::Float,
            (Kind::Str { integer: a }, Kind::Str { integer: b }) => Kind::Str { integer: a && b },
            // A count sent as 5 on one page and "5" on another (Intercom).
            (Kind::Int { negative: false }, Kind::Str { integer: true })
            | (Kind::Str { integer: true }, Kind::Int { negative: false }) => Kind::Str { integer: true },
            (Kind::Array(a), Kind::Array(b)) => Kind::Array(Box::new(a.merge(*b))),
            (Kind::Object(a), Kind::Object(b)) => Kind::Object(merge_props(a, b)),
            (a, b) if a == b => a,
            _ => Kind::Mixed,
        };
        Shape { kind, nullable, sample }
    }
}

fn merge_props(mut a: Vec<Prop>, b: Vec<Prop>) -> Vec<Prop> {
    let mut seen = vec![false; a.len()];
    for prop in b {
        match a.iter().position(|p| p.key == prop.key) {
            Some(i) => {
                seen[i] = true;
                let shape = std::mem::replace(&mut a[i].shape, Shape::unknown());
                a[i].shape = shape.merge(prop.shape);
                a[i].missing |= prop.missing;
            }
            None => a.push(Prop { missing: true, ..prop }),
        }
    }
    for (prop, seen) in a.iter_mut().zip(seen) {
        prop.missing |= !seen;
    }
    a
}

fn is_integer(s: &str) -> bool {
    let digits = s.trim().strip_prefix('-').unwrap_or(s.trim());
    !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A Rust type of the generated module.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Bool,
    U64,
    I64,
    F64,
    String,
    /// `paginated::de::Lenient<u64>`: a count sent as a number or a string.
    Lenient,
    Value,
    Struct(usize),
    Vec(Box<Ty>),
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The JSON key.
    pub key: String,
    /// The Rust identifier (`r#type`, `next_link`).
    pub ident: String,
    pub ty: Ty,
    /// Wrapped in `Option` (null in the sample, missing from some elements,
    /// or on the path of a signal the last page may lack).
    pub optional: bool,
    pub sample: Option<Value>,
    /// Extra attributes (`#[paginate(items)]`, `#[serde(default)]`).
    pub attrs: Vec<String>,
    /// A trailing `// ...` comment.
    pub note: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Struct {
    pub name: String,
    pub fields: Vec<Field>,
}

/// The structs of a response, the response's own first.
#[derive(Clone, Debug)]
pub struct Model {
    pub structs: Vec<Struct>,
    /// The response is a bare JSON array: `structs[0]` is then the
    /// `#[serde(transparent)]` wrapper, with one field of this type.
    pub bare_array: bool,
}

impl Model {
    /// One struct per object of `body`; a bare array gets a wrapper struct
    /// whose one field holds it.
    pub fn build(body: &Json) -> Model {
        let mut model = Model { structs: Vec::new(), bare_array: matches!(body, Json::Array(_)) };
        let root = Shape::of(body);
        match root.kind {
            Kind::Object(props) => {
                model.structs.push(Struct { name: "Page".into(), fields: Vec::new() });
                let fields = model.fields(0, props);
                model.structs[0].fields = fields;
            }
            kind => {
                model.structs.push(Struct { name: "Page".into(), fields: Vec::new() });
                let shape = Shape { kind, nullable: false, sample: None };
                let ty = model.ty("items", &shape, 0);
                model.structs[0].fields = vec![Field {
                    key: "items".into(),
                    ident: "items".into(),
                    ty,
                    optional: false,
                    sample: None,
                    attrs: Vec::new(),
                    note: None,
                }];
            }
        }
        model
    }

    fn fields(&mut self, owner: usize, props: Vec<Prop>) -> Vec<Field> {
        let mut idents: Vec<String> = Vec::new();
        let mut fields = Vec::new();
        for prop in props {
            let mut ident = names::field_ident(&names::snake(&prop.key));
            if idents.contains(&ident) {
                ident = names::field_ident(&names::snake_full(&prop.key));
            }
            let base = ident.clone();
            let mut n = 2;
            while idents.contains(&ident) {
                ident = format!("{base}_{n}");
                n += 1;
            }
            idents.push(ident.clone());
            let ty = self.ty(&prop.key, &prop.shape, owner);
            let unknown = prop.shape.kind == Kind::Unknown;
            let note = unknown.then(|| "null in the sample: the type is a guess".to_owned());
            fields.push(Field {
                key: prop.key,
                ident,
                ty,
                optional: prop.shape.nullable || prop.missing,
                sample: prop.shape.sample,
                attrs: Vec::new(),
                note,
            });
        }
        fields
    }

    fn ty(&mut self, key: &str, shape: &Shape, owner: usize) -> Ty {
        match &shape.kind {
            Kind::Unknown if is_count(key) => Ty::U64,
            Kind::Unknown
                if ["url", "cursor", "link", "next", "prev", "href", "token"]
                    .iter()
                    .any(|w| names::norm(key).contains(w)) =>
            {
                Ty::String
            }
            Kind::Unknown | Kind::Mixed => Ty::Value,
            Kind::Bool => Ty::Bool,
            Kind::Int { negative: false } => Ty::U64,
            Kind::Int { negative: true } => Ty::I64,
            Kind::Float => Ty::F64,
            Kind::Str { integer: true } if is_count(key) => Ty::Lenient,
            Kind::Str { .. } => Ty::String,
            Kind::Array(element) => {
                let element_key = names::singular(key);
                Ty::Vec(Box::new(self.ty(&element_key, element, owner)))
            }
            Kind::Object(props) if props.is_empty() => Ty::Value,
            Kind::Object(props) => {
                let index = self.structs.len();
                let name = self.unique_name(&names::pascal(key), owner);
                self.structs.push(Struct { name, fields: Vec::new() });
                let fields = self.fields(index, props.clone());
                self.structs[index].fields = fields;
                Ty::Struct(index)
            }
        }
    }

    /// `name`, or prefixed with the owner's name when taken (`PagingNext`), or numbered.
    pub fn unique_name(&self, name: &str, owner: usize) -> String {
        let taken = |n: &str| self.structs.iter().any(|s| s.name == n);
        if !taken(name) {
            return name.to_owned();
        }
        let prefixed = format!("{}{name}", self.structs[owner].name);
        if !taken(&prefixed) {
            return prefixed;
        }
        let mut n = 2;
        while taken(&format!("{name}{n}")) {
            n += 1;
        }
        format!("{name}{n}")
    }

    /// Renames struct `index`, keeping names unique.
    pub fn rename(&mut self, index: usize, name: &str) {
        if self.structs[index].name == name {
            return;
        }
        let taken =
            |model: &Model, n: &str| model.structs.iter().enumerate().any(|(i, s)| i != index && s.name == n);
        let mut candidate = name.to_owned();
        let mut n = 2;
        while taken(self, &candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.structs[index].name = candidate;
    }

    /// The field at a path of JSON keys from struct `from`.
    pub fn field(&self, from: usize, keys: &[String]) -> Option<(usize, usize)> {
        let (last, init) = keys.split_last()?;
        let mut at = from;
        for key in init {
            let field = self.structs[at].fields.iter().find(|f| &f.key == key)?;
            at = field.ty.struct_index()?;
        }
        let index = self.structs[at].fields.iter().position(|f| &f.key == last)?;
        Some((at, index))
    }

    pub fn field_mut(&mut self, from: usize, keys: &[String]) -> Option<&mut Field> {
        let (s, f) = self.field(from, keys)?;
        Some(&mut self.structs[s].fields[f])
    }

    /// The Rust path (`paging.next.after`) of a path of JSON keys.
    pub fn rust_path(&self, from: usize, keys: &[String]) -> String {
        let mut at = from;
        let mut idents = Vec::new();
        for key in keys {
            let Some(field) = self.structs[at].fields.iter().find(|f| &f.key == key) else { break };
            idents.push(field.ident.clone());
            match field.ty.struct_index() {
                Some(next) => at = next,
                None => break,
            }
        }
        idents.join(".")
    }

    /// Makes every field on `keys` below `keep` an `Option`: a signal the
    /// last page may lack, with every object on its way.
    pub fn make_optional(&mut self, from: usize, keys: &[String], keep: usize) {
        for depth in keep..keys.len() {
            if let Some(field) = self.field_mut(from, &keys[..=depth]) {
                field.optional = true;
            }
        }
    }

    /// The Rust type of a field, as written in the module.
    pub fn type_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool".into(),
            Ty::U64 => "u64".into(),
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::String => "String".into(),
            Ty::Lenient => "Lenient<u64>".into(),
            Ty::Value => "serde_json::Value".into(),
            Ty::Struct(i) => self.structs[*i].name.clone(),
            Ty::Vec(element) => format!("Vec<{}>", self.type_name(element)),
        }
    }

    pub fn uses_lenient(&self) -> bool {
        fn lenient(ty: &Ty) -> bool {
            match ty {
                Ty::Lenient => true,
                Ty::Vec(element) => lenient(element),
                _ => false,
            }
        }
        self.structs.iter().flat_map(|s| &s.fields).any(|f| lenient(&f.ty))
    }

    /// The structs reachable from the response, in the order they are written:
    /// each after the structs its fields use, the response last.
    pub fn order(&self) -> Vec<usize> {
        fn visit(model: &Model, at: usize, out: &mut Vec<usize>) {
            if out.contains(&at) {
                return;
            }
            for field in &model.structs[at].fields {
                if let Some(next) = field.ty.struct_index() {
                    visit(model, next, out);
                }
            }
            out.push(at);
        }
        let mut out = Vec::new();
        visit(self, 0, &mut out);
        out
    }
}

impl Ty {
    /// The struct this type holds, through `Vec`s.
    pub fn struct_index(&self) -> Option<usize> {
        match self {
            Ty::Struct(i) => Some(*i),
            Ty::Vec(element) => element.struct_index(),
            _ => None,
        }
    }

    /// The struct of a `Vec`'s elements.
    pub fn element_struct(&self) -> Option<usize> {
        match self {
            Ty::Vec(element) => element.struct_index(),
            _ => None,
        }
    }
}

/// A count, size, page number or total: the names whose string form is read
/// with `Lenient`, and whose `null` is guessed to be an integer.
pub fn is_count(key: &str) -> bool {
    let words = names::words(key);
    let (Some(first), Some(last)) = (words.first(), words.last()) else { return false };
    matches!(first.as_str(), "total" | "num")
        || matches!(last.as_str(), "count" | "total" | "pages" | "size" | "limit" | "offset" | "page")
        || matches!(names::norm(key).as_str(), "numfound" | "perpage" | "maxresults")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_merge_and_missing_keys_become_options() {
        let body = r#"{"data": [{"id": 1, "a": "x"}, {"id": 2, "b": null}], "per_page": "5"}"#;
        let model = Model::build(&serde_json::from_str(body).unwrap());
        let item = model.structs[0].fields[0].ty.element_struct().unwrap();
        let fields: Vec<(&str, bool)> =
            model.structs[item].fields.iter().map(|f| (f.key.as_str(), f.optional)).collect();
        assert_eq!(fields, [("id", false), ("a", true), ("b", true)]);
        assert_eq!(model.structs[0].fields[1].ty, Ty::Lenient);
    }
}
