//! Elasticsearch: a scroll and a point-in-time search are custom walks (the
//! next request changes more than a parameter); `search_after` is a cursor
//! taken from the last hit.

use super::detect::Items;
use super::schema::Ty;
use super::{Plan, Val};

impl Plan<'_, '_> {
    // ---- Elasticsearch: scroll, point in time, search_after ----

    pub(super) fn elasticsearch(&mut self, items: Option<&Items>) -> bool {
        let Some(items) = items.filter(|i| i.keys.len() == 2 && i.keys[1] == "hits") else { return false };
        let top = |key: &str| self.ev.fields().find(|f| f.keys.len() == 1 && f.key() == key).cloned();
        let sort = items
            .element
            .and_then(|e| self.model.structs[e].fields.iter().find(|f| f.key == "sort").cloned());
        let page = self.model.structs[0].name.clone();
        if let Some(scroll) = top("_scroll_id") {
            let ident = self.model.rust_path(0, &scroll.keys);
            let keep_alive = self.ev.query_param(&["scroll"]).map_or_else(|| "1m".to_owned(), |(_, v, _)| v);
            self.d.str("style", "custom");
            self.d.str("next_state", "scroll_state");
            self.d.str("next_request", "scroll_request");
            self.d.set("stop_on_empty_page", Val::Flag);
            self.d.why.push(format!(
                "`_scroll_id` is an Elasticsearch scroll: each next request is `POST /_search/scroll` with \
                 another body, which only `style = \"custom\"` can say; the scroll's end is an empty page \
                 (keep-alive `{keep_alive}` from `?scroll=`)"
            ));
            self.d.functions = Some(scroll_functions(&page, &ident, &keep_alive));
            return true;
        }
        if let (Some(pit), Some(sort)) = (top("pit_id"), &sort) {
            let pit_ident = self.model.rust_path(0, &pit.keys);
            let hits = self.model.rust_path(0, &items.keys);
            self.d.str("style", "custom");
            self.d.str("next_state", "pit_state");
            self.d.str("next_request", "pit_request");
            self.d.why.push(
                "`pit_id` and a `sort` on every hit are an Elasticsearch point-in-time search: each next \
                 request carries two pieces of state (`pit.id`, which changes every page, and \
                 `search_after`), which only `style = \"custom\"` can say"
                    .into(),
            );
            let sort_expr = if sort.optional {
                format!("{}.clone()?", sort.ident)
            } else {
                format!("{}.clone()", sort.ident)
            };
            self.d.functions = Some(pit_functions(&page, &pit_ident, &hits, &sort_expr));
            return true;
        }
        let Some(sort) = sort.filter(|f| matches!(f.ty, Ty::Vec(_))) else { return false };
        self.d.str("style", "cursor");
        self.d.str("cursor_item_field", sort.ident.clone());
        self.d.str("cursor_body", "search_after");
        self.d.set("stop_on_short_page", Val::Flag);
        self.d.why.push(
            "every hit has a `sort` array: Elasticsearch's `search_after` takes the last hit's `sort` \
             back in the request body"
                .into(),
        );
        self.d.why.push(
            "`stop_on_short_page`: `search_after` pages are full until the last one (without it, the \
             empty page after the last one ends the walk)"
                .into(),
        );
        if self.ev.found.iter().any(|f| f.keys == ["hits", "total"]) {
            self.d.alternatives.push("not `total = \"hits.total.value\"`: past 10 000 it is a lower bound (`\"relation\": \"gte\"`)".into());
        }
        true
    }
}

fn scroll_functions(page: &str, scroll_id: &str, keep_alive: &str) -> String {
    format!(
        r#"/// The state the next request needs: this page's scroll id.
#[allow(clippy::unnecessary_wraps)] // the signature `next_state` takes
pub fn scroll_state(page: &{page}) -> Option<serde_json::Value> {{
    Some(serde_json::Value::from(page.{scroll_id}.clone()))
}}

/// The next request: your first request sent to `/_search/scroll`, with the scroll id.
pub fn scroll_request(first: &reqwest::Request, state: &serde_json::Value) -> reqwest::Request {{
    let mut next = first.try_clone().expect("a byte body");
    next.url_mut().set_path("/_search/scroll");
    next.url_mut().set_query(None);
    let body = serde_json::json!({{"scroll": "{keep_alive}", "scroll_id": state}});
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}}
"#
    )
}

fn pit_functions(page: &str, pit_id: &str, hits: &str, sort: &str) -> String {
    format!(
        r#"/// The state the next request needs: this page's point in time and its last hit's `sort`.
pub fn pit_state(page: &{page}) -> Option<serde_json::Value> {{
    let sort = page.{hits}.last()?.{sort};
    Some(serde_json::json!({{"pit": page.{pit_id}, "search_after": sort}}))
}}

/// The next request: your first request's body with `pit.id` and `search_after` set.
pub fn pit_request(first: &reqwest::Request, state: &serde_json::Value) -> reqwest::Request {{
    let mut next = first.try_clone().expect("a byte body");
    let bytes = first.body().and_then(reqwest::Body::as_bytes).unwrap_or(b"{{}}");
    let mut body: serde_json::Value = serde_json::from_slice(bytes).expect("a JSON body");
    body["pit"]["id"] = state["pit"].clone();
    body["search_after"] = state["search_after"].clone();
    *next.body_mut() = Some(serde_json::to_vec(&body).expect("JSON").into());
    next
}}
"#
    )
}
