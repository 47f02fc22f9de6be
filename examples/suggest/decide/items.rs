//! The items and the names: which array holds the items, what to call one
//! item and the response struct.

use serde_json::Value;

use super::Plan;
use super::detect::{Items, value_at};
use super::names::{self as names, norm};
use super::schema::Ty;

impl Plan<'_, '_> {
    // ---- names ----

    pub(super) fn name_structs(&mut self, items: Option<&Items>) {
        let stem = items.map_or_else(|| "Item".to_owned(), |items| self.item_name(items));
        if let Some(element) = items.and_then(|i| i.element) {
            self.model.rename(element, &stem);
        }
        self.model.rename(0, &format!("{stem}List"));
        if self.model.bare_array {
            let ident =
                self.resource().map_or_else(|| "items".to_owned(), |r| names::field_ident(&names::snake(&r)));
            let field = &mut self.model.structs[0].fields[0];
            names::serde_name(&ident).clone_into(&mut field.key);
            field.ident = ident;
        }
    }

    /// The type name of one item: its `object`/`type`/`kind` value (Stripe
    /// `customer`, Google `drive#file`), the list's name (`products`), its
    /// parent's (GraphQL `issues.nodes`), the URL's resource, or `Item`.
    fn item_name(&self, items: &Items) -> String {
        let body = &self.sample().body;
        let list = if items.keys.is_empty() { Some(body) } else { value_at(body, &items.keys) };
        let elements = list.and_then(Value::as_array).cloned().unwrap_or_default();
        for tag in ["object", "type", "kind"] {
            let values: Vec<&str> = elements.iter().filter_map(|e| e.get(tag)?.as_str()).collect();
            if values.len() == elements.len() && !values.is_empty() && values.iter().all(|v| *v == values[0])
            {
                let name = values[0].rsplit(['#', '.', ':', '/']).next().unwrap_or("");
                if !name.is_empty()
                    && name.len() <= 30
                    && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
                {
                    return names::pascal(name);
                }
            }
        }
        let specific = |key: &str| !GENERIC_LISTS.contains(&norm(key).as_str());
        if let Some(key) = items.keys.last().filter(|k| specific(k)) {
            return names::pascal(&names::singular(key));
        }
        if let Some(parent) = items.keys.iter().rev().nth(1).filter(|k| specific(k)) {
            return names::pascal(&names::singular(parent));
        }
        if let Some(resource) = self.resource() {
            return names::pascal(&names::singular(&resource));
        }
        match items.keys.last() {
            Some(key) if !NAMELESS_LISTS.contains(&norm(key).as_str()) => {
                names::pascal(&names::singular(key))
            }
            _ => "Item".to_owned(),
        }
    }

    /// The noun of the request path: `/repos/o/r/issues` -> `issues`,
    /// `/v0/app1/Tasks` -> `Tasks`, `/dbs/shop/colls/orders/docs` -> `orders`.
    fn resource(&self) -> Option<String> {
        let url = self.sample().url.as_ref()?;
        url.path_segments()?.rev().find_map(|segment| {
            let segment = segment.split('.').next().unwrap_or("").trim_start_matches('_');
            let n = norm(segment);
            let verb = NOT_RESOURCES.contains(&n.as_str());
            let id_like = segment.chars().any(|c| c.is_ascii_digit())
                && (segment.len() >= 8
                    || segment.starts_with('v')
                    || segment.chars().all(|c| !c.is_alphabetic()));
            (!segment.is_empty()
                && !verb
                && !id_like
                && segment.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
            .then(|| segment.to_owned())
        })
    }

    // ---- items ----

    pub(super) fn items(&mut self, items: &Items) {
        let what = if items.keys.is_empty() {
            "the response is a bare JSON array: `#[serde(transparent)]`, its one field the items".to_owned()
        } else {
            format!("the items are `{}` ({} in the sample)", items.keys.join("."), items.len)
        };
        self.d.why.push(what);
        if !items.others.is_empty() {
            let others: Vec<String> = items.others.iter().map(|k| format!("`{}`", k.join("."))).collect();
            self.d.alternatives.push(format!("the items could also be {}", others.join(", ")));
        }
        if items.len == 0 {
            self.d.confirm.push("the list is empty in the sample: its item type is unknown".into());
        }
        if items.keys.len() <= 1 {
            if let Some(field) = self.model.structs[0]
                .fields
                .iter_mut()
                .find(|f| items.keys.is_empty() || f.key == items.keys[0])
            {
                field.attrs.push("#[paginate(items)]".into());
            }
            return;
        }
        // Nested: `items = "a.b"`; the runtime reads later segments as JSON names.
        for depth in 1..items.keys.len() {
            if let Some(field) = self.model.field_mut(0, &items.keys[..=depth])
                && field.ident != field.key
                && names::is_ident(&field.key)
            {
                field.ident.clone_from(&field.key);
                field
                    .attrs
                    .push("#[allow(non_snake_case)] // `items` reads this segment as its JSON name".into());
            }
        }
        for depth in 0..items.keys.len() - 1 {
            if let Some(field) = self.model.field_mut(0, &items.keys[..=depth])
                && field.optional
            {
                field.optional = false;
                field.note = Some("absent on some pages? `items` needs a struct, not an `Option`".into());
            }
        }
        let path = self.model.rust_path(0, &items.keys);
        let element =
            self.model.field(0, &items.keys).map(|(s, f)| self.model.structs[s].fields[f].ty.clone());
        let item_type = match element {
            Some(Ty::Vec(element)) => self.model.type_name(&element),
            _ => "serde_json::Value".to_owned(),
        };
        self.d.str("items", path);
        self.d.str("item_type", item_type);
    }
}

/// Lists whose name says nothing about their items.
const GENERIC_LISTS: &[&str] = &[
    "data",
    "items",
    "results",
    "records",
    "value",
    "values",
    "nodes",
    "edges",
    "hits",
    "docs",
    "entries",
    "elements",
    "list",
    "content",
    "rows",
    "objects",
    "documents",
    "response",
    "result",
];

/// Lists whose singular names nothing: their items are an `Item`.
const NAMELESS_LISTS: &[&str] =
    &["data", "value", "content", "list", "items", "results", "entries", "elements", "objects"];

/// Path segments that are not the resource: verbs, prefixes and generic lists.
const NOT_RESOURCES: &[&str] = &[
    "search", "query", "select", "jql", "list", "scroll", "graphql", "find", "filter", "export", "all",
    "api", "rest", "services", "data", "admin", "v", "docs", "items", "records", "results", "entries",
];
