//! The evidence in a sample: the list of items, every field outside it, and
//! the fields, headers and query parameters whose names say "next cursor",
//! "next URL", "more", "last", "total", "offset", "page" or "page size".

use serde_json::Value;

use super::names::{norm, words};
use super::sample::{Link, Query, QueryPair, Sample, parse_links, url_pairs};
use super::schema::{Model, Ty};

/// A field of the response outside the list of items.
#[derive(Clone, Debug)]
pub struct Found {
    /// JSON keys from the response down to the field.
    pub keys: Vec<String>,
    pub ty: Ty,
    pub sample: Option<Value>,
}

impl Found {
    pub fn key(&self) -> &str {
        self.keys.last().map_or("", String::as_str)
    }

    fn parent(&self) -> Option<&str> {
        self.keys.len().checked_sub(2).map(|i| self.keys[i].as_str())
    }

    pub fn text(&self) -> Option<&str> {
        self.sample.as_ref().and_then(Value::as_str)
    }

    /// A JSON rendering of the sample value, for comments.
    pub fn shown(&self) -> String {
        self.sample.as_ref().map_or_else(|| "null".to_owned(), |v| short(&v.to_string()))
    }

    /// Whether the field sits at the top or in an object whose name says pagination.
    pub fn in_pagination_container(&self) -> bool {
        self.keys.len() == 1 || self.keys[..self.keys.len() - 1].iter().all(|k| is_container(k))
    }
}

/// The list of items.
#[derive(Clone, Debug)]
pub struct Items {
    /// JSON keys from the response to the array (empty for a bare array).
    pub keys: Vec<String>,
    /// The struct of one item, when items are objects.
    pub element: Option<usize>,
    pub len: usize,
    /// The other arrays that could have been the list.
    pub others: Vec<Vec<String>>,
}

/// Everything the detectors look at.
pub struct Evidence<'a> {
    pub sample: &'a Sample,
    pub found: Vec<Found>,
    pub items: Option<Items>,
    pub links: Vec<Link>,
}

impl<'a> Evidence<'a> {
    pub fn gather(sample: &'a Sample, model: &Model) -> Evidence<'a> {
        let mut found = Vec::new();
        walk(model, 0, &mut Vec::new(), &mut found);
        let items = choose_items(sample, model, &found);
        let links = parse_links(sample.header("link"));
        Evidence { sample, found, items, links }
    }

    /// Fields outside the items, other than arrays.
    pub fn fields(&self) -> impl Iterator<Item = &Found> {
        self.found.iter().filter(|f| !matches!(f.ty, Ty::Vec(_) | Ty::Struct(_)))
    }

    /// The `rel="next"` entry of the `Link` header(s).
    pub fn next_link(&self) -> Option<&Link> {
        self.links.iter().find(|l| l.rels.iter().any(|r| r == "next"))
    }

    /// Fields holding the next page's URL (`@odata.nextLink`, `nextRecordsUrl`,
    /// `links.next`, `paging.next.link`).
    pub fn next_urls(&self) -> Vec<&Found> {
        self.fields().filter(|f| is_next_url_key(&f.keys) && f.text().is_some_and(looks_like_url)).collect()
    }

    /// Cursor fields, best first, with why.
    pub fn cursors(&self) -> Vec<(i32, &Found)> {
        let mut scored: Vec<(i32, &Found)> = self
            .fields()
            .filter_map(|f| cursor_score(f).map(|s| (s + i32::from(f.in_pagination_container()), f)))
            .collect();
        scored.sort_by_key(|(s, f)| (-s, f.keys.len()));
        scored
    }

    /// A boolean field named like `names`, nearest to `near` (the cursor's path).
    pub fn flag(&self, names: &[&str], near: &[String]) -> Option<&Found> {
        nearest(self.fields().filter(|f| f.ty == Ty::Bool && names.contains(&norm(f.key()).as_str())), near)
    }

    /// An integer field named like `names` at the top or in a pagination container.
    pub fn count(&self, names: &[&str], near: &[String]) -> Option<&Found> {
        let counts = self.fields().filter(|f| {
            matches!(f.ty, Ty::U64 | Ty::Lenient)
                && names.contains(&norm(f.key()).as_str())
                && f.in_pagination_container()
        });
        nearest(counts, near)
    }

    /// The request URL's query parameter whose name is one of `names`.
    pub fn query_param(&self, names: &[&str]) -> Option<QueryPair> {
        self.sample.query().into_iter().find(|(n, _, _)| names.contains(&norm(n).as_str()))
    }

    /// The query pairs of a URL the response gave, resolved against the request.
    pub fn pairs_of(&self, url: &str) -> Option<Query> {
        let url = self.sample.resolve(url)?;
        Some(url.query().map(url_pairs).unwrap_or_default())
    }
}

/// The candidate sharing the longest path with `near`, then the shallowest.
fn nearest<'f>(candidates: impl Iterator<Item = &'f Found>, near: &[String]) -> Option<&'f Found> {
    candidates.min_by_key(|f| {
        let shared = f.keys.iter().zip(near).take_while(|(a, b)| a == b).count();
        (usize::MAX - shared, f.keys.len())
    })
}

fn walk(model: &Model, at: usize, keys: &mut Vec<String>, out: &mut Vec<Found>) {
    for field in &model.structs[at].fields {
        keys.push(field.key.clone());
        out.push(Found { keys: keys.clone(), ty: field.ty.clone(), sample: field.sample.clone() });
        if let Ty::Struct(next) = field.ty {
            walk(model, next, keys, out);
        }
        keys.pop();
    }
}

/// The array most likely to be the page's items: objects over scalars, a
/// known name, near the top, not errors or links.
fn choose_items(sample: &Sample, model: &Model, found: &[Found]) -> Option<Items> {
    if model.bare_array {
        let element = model.structs[0].fields[0].ty.element_struct();
        let len = sample.body.as_array().map_or(0, Vec::len);
        return Some(Items { keys: Vec::new(), element, len, others: Vec::new() });
    }
    let mut scored: Vec<(i32, &Found, usize)> = found
        .iter()
        .filter_map(|f| {
            let Ty::Vec(element) = &f.ty else { return None };
            let len = value_at(&sample.body, &f.keys).and_then(Value::as_array).map_or(0, Vec::len);
            let key = norm(f.key());
            let mut score = match **element {
                Ty::Struct(_) => 10,
                Ty::Vec(_) => 0,
                _ if len > 0 => 5,
                _ => 2,
            };
            score += i32::try_from(len.min(5)).unwrap_or(5);
            if ITEM_NAMES.contains(&key.as_str()) {
                score += 3;
            }
            if NOT_ITEMS.contains(&key.as_str()) {
                score -= 30;
            }
            let depth = i32::try_from(f.keys.len()).unwrap_or(9) - 1;
            let nested_in_known = f.keys[..f.keys.len() - 1].iter().all(|k| is_container(k) || k == "data");
            score -= if nested_in_known { depth } else { 3 * depth };
            // A GraphQL connection: `nodes` next to `pageInfo`.
            if sibling(found, &f.keys, &["pageinfo"]) {
                score += 5;
            }
            Some((score, f, len))
        })
        .collect();
    scored.sort_by_key(|(s, f, _)| (-s, f.keys.len()));
    let (_, best, len) = scored.first()?;
    Some(Items {
        keys: best.keys.clone(),
        element: best.ty.element_struct(),
        len: *len,
        others: scored[1..].iter().filter(|(s, _, _)| *s > 0).map(|(_, f, _)| f.keys.clone()).collect(),
    })
}

const ITEM_NAMES: &[&str] = &[
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
    "members",
    "users",
    "issues",
];

/// Arrays that are never the items.
const NOT_ITEMS: &[&str] =
    &["errors", "warnings", "links", "sort", "facets", "aggregations", "messages", "labels", "tags"];

/// Objects whose fields describe the pagination.
const CONTAINERS: &[&str] = &[
    "pages",
    "paging",
    "pagination",
    "meta",
    "metadata",
    "responsemetadata",
    "pageinfo",
    "links",
    "cursor",
    "cursors",
    "next",
    "page",
    "response",
    "result",
    "odata",
    "list",
    "search",
    "searchmetadata",
];

fn is_container(key: &str) -> bool {
    CONTAINERS.contains(&norm(key).as_str())
}

fn sibling(found: &[Found], keys: &[String], names: &[&str]) -> bool {
    let parent = &keys[..keys.len() - 1];
    found.iter().any(|f| {
        f.keys.len() == keys.len() && f.keys.starts_with(parent) && names.contains(&norm(f.key()).as_str())
    })
}

/// The value at a path of JSON keys.
pub fn value_at<'v>(value: &'v Value, keys: &[String]) -> Option<&'v Value> {
    keys.iter().try_fold(value, |v, k| v.get(k))
}

pub fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || (s.starts_with('/') && !s.starts_with("//"))
        || s.starts_with('?')
}

fn is_next_url_key(keys: &[String]) -> bool {
    let last = norm(keys.last().map_or("", String::as_str));
    let parent = keys.len().checked_sub(2).map_or_else(String::new, |i| norm(&keys[i]));
    let backwards = |k: &str| ["prev", "before", "self", "first", "last"].iter().any(|w| k.contains(w));
    if backwards(&last) || backwards(&parent) {
        return false;
    }
    last.contains("next")
        || (matches!(last.as_str(), "href" | "link" | "url" | "uri") && parent.contains("next"))
}

/// How much a field looks like the next page's cursor; `None` if not at all.
fn cursor_score(f: &Found) -> Option<i32> {
    let key = norm(f.key());
    let w = words(f.key());
    let has = |word: &str| w.iter().any(|x| x == word);
    if ["prev", "previous", "before", "first", "last", "self", "start", "since"].iter().any(|x| has(x)) {
        return None;
    }
    let text = match &f.ty {
        Ty::String => f.text(),
        Ty::U64 if f.sample.is_some() => None,
        _ => return None,
    };
    if text.is_some_and(|t| t.is_empty() || looks_like_url(t)) {
        return None;
    }
    let token = matches!(
        key.as_str(),
        "nextpagetoken"
            | "nexttoken"
            | "continuationtoken"
            | "continuation"
            | "nextmarker"
            | "nextkey"
            | "pagetoken"
    );
    let named = if token || (has("cursor") && (has("next") || has("after") || has("end"))) {
        10
    } else if matches!(key.as_str(), "startingafter" | "after" | "scrollparam" | "scrollid") {
        8
    } else if key == "cursor" {
        7
    } else if matches!(key.as_str(), "next" | "nextpage") {
        // A page number (`next_page: 2`) works as a cursor too.
        6
    } else if key == "offset" && text.is_some_and(|t| t.parse::<u64>().is_err()) {
        // An opaque token named `offset` (Airtable).
        6
    } else {
        return None;
    };
    let under_next = f.parent().is_some_and(|p| norm(p) == "next");
    Some(named + i32::from(under_next) * 2 - i32::from(f.sample.is_none()) * 3)
}

/// Short for comments.
pub fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Page-size parameter names (normalised): `limit`, `per_page`, `$top`, `page[size]`...
pub const SIZE_NAMES: &[&str] = &[
    "limit",
    "perpage",
    "pagesize",
    "count",
    "size",
    "top",
    "maxresults",
    "rows",
    "maxitemcount",
    "first",
    "pagelen",
    "batchsize",
    "resultsperpage",
    "pagelimit",
    "maxitems",
    "xmsmaxitemcount",
];
/// Offset parameter names: `offset`, `_skip`, `$skip`, `startAt`...
pub const OFFSET_NAMES: &[&str] =
    &["offset", "skip", "start", "startat", "startindex", "from", "firstresult", "pageoffset"];
/// Page-number parameter names: `page`, `page[number]`, `pageNumber`...
pub const PAGE_NAMES: &[&str] = &["page", "pagenumber", "pageno", "pageindex", "pagenum"];
pub const HAS_MORE_NAMES: &[&str] = &[
    "hasmore",
    "more",
    "hasnextpage",
    "hasnext",
    "moreresults",
    "morerecords",
    "hasmoreitems",
    "hasmoreresults",
];
pub const IS_LAST_NAMES: &[&str] = &["islast", "last", "done", "islastpage", "lastpage", "endofresults"];
pub const TOTAL_NAMES: &[&str] = &[
    "total",
    "totalcount",
    "totalitems",
    "totalsize",
    "totalresults",
    "totalhits",
    "numfound",
    "totalrecords",
    "totalelements",
    "odatacount",
];
pub const TOTAL_PAGES_NAMES: &[&str] = &["totalpages", "pagecount", "numpages", "lastpage", "totalpagecount"];
