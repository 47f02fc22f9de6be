//! A page generic over its items (`List<T>`), with the cursor, the dedup key
//! and the slice key read through `ItemCursor`, `ItemKey` and `ItemSliceKey`,
//! against scripted pages on loopback: the exact requests the walk sent.

use paginated::testing::{MockResponse, MockServer, assert_param_sequence};
use paginated::{
    CursorValue, ItemCursor, ItemKey, ItemSliceKey, PaginateExt, Paginated, SliceValue, StopReason,
};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_item_field,
    dedup_by,
    cursor_param = "starting_after",
    has_more = "has_more"
)]
struct List<T> {
    #[paginate(items)]
    data: Vec<T>,
    has_more: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Customer {
    id: String,
}

/// An item whose cursor is a number and whose identity is two fields.
#[derive(Debug, Deserialize, PartialEq)]
struct Event {
    seq: u64,
    kind: String,
}

impl ItemCursor for Customer {
    fn cursor(&self) -> impl CursorValue + '_ {
        &self.id
    }
}

impl ItemKey for Customer {
    fn key(&self) -> impl std::hash::Hash + '_ {
        &self.id
    }
}

impl ItemCursor for Event {
    fn cursor(&self) -> impl CursorValue + '_ {
        self.seq
    }
}

impl ItemKey for Event {
    fn key(&self) -> impl std::hash::Hash + '_ {
        (self.seq, &self.kind)
    }
}

#[tokio::test]
async fn two_item_types_through_one_generic_page() {
    let server = MockServer::script(vec![
        MockResponse::json(json!({"data": [{"id": "cus_1"}, {"id": "cus_2"}], "has_more": true})),
        // `cus_2` again: dropped by its `ItemKey`.
        MockResponse::json(json!({"data": [{"id": "cus_2"}, {"id": "cus_3"}], "has_more": false})),
    ])
    .await;
    let client = reqwest::Client::new();
    let customers =
        client.get(server.url("/v1/customers?limit=2")).paginate::<List<Customer>>().collect().await.unwrap();
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cus_1", "cus_2", "cus_3"]);
    assert_param_sequence(&server.requests(), "starting_after", &[None, Some("cus_2")]);
    assert_param_sequence(&server.requests(), "limit", &[Some("2"), Some("2")]);

    let server = MockServer::script(vec![
        MockResponse::json(
            json!({"data": [{"seq": 7, "kind": "a"}, {"seq": 9, "kind": "b"}], "has_more": true}),
        ),
        MockResponse::json(json!({"data": [{"seq": 12, "kind": "a"}], "has_more": true})),
        MockResponse::json(json!({"data": [], "has_more": true})),
    ])
    .await;
    let mut events = client.get(server.url("/v1/events")).paginate::<List<Event>>().items();
    let mut seqs = Vec::new();
    while let Some(event) = futures_util::TryStreamExt::try_next(&mut events).await.unwrap() {
        seqs.push(event.seq);
    }
    assert_eq!(seqs, [7, 9, 12]);
    // An empty page has no last item, so no cursor: the walk ends there.
    assert_eq!(events.stop_reason(), Some(StopReason::NoCursor));
    assert_param_sequence(&server.requests(), "starting_after", &[None, Some("9"), Some("12")]);
}

/// A generic page sliced by a value each item type names.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", page_size_param = "_limit", page_size = 2)]
#[paginate(max_offset = 2, slice_by, dedup_by, slice_param = "date_created__gte", has_more = "has_more")]
struct Slices<T> {
    #[paginate(items)]
    data: Vec<T>,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct Lead {
    id: String,
    date_created: String,
}

impl ItemSliceKey for Lead {
    fn slice_key(&self) -> impl SliceValue + '_ {
        &self.date_created
    }
}

impl ItemKey for Lead {
    fn key(&self) -> impl std::hash::Hash + '_ {
        &self.id
    }
}

#[tokio::test]
async fn slices_by_an_item_trait() {
    let lead = |id: &str, date: &str| json!({"id": id, "date_created": date});
    let server = MockServer::script(vec![
        MockResponse::json(json!({"data": [lead("a", "d1"), lead("b", "d2")], "has_more": true})),
        MockResponse::json(json!({"data": [lead("c", "d2"), lead("d", "d3")], "has_more": true})),
        // The next slice starts at the last date delivered, `d3`, from offset 0.
        MockResponse::json(json!({"data": [lead("d", "d3"), lead("e", "d4")], "has_more": false})),
    ])
    .await;
    let leads = reqwest::Client::new()
        .get(server.url("/api/v1/lead/?_order_by=date_created"))
        .paginate::<Slices<Lead>>()
        .collect()
        .await
        .unwrap();
    let ids: Vec<&str> = leads.iter().map(|lead| lead.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_param_sequence(&server.requests(), "_skip", &[Some("0"), Some("2"), Some("0")]);
    assert_param_sequence(&server.requests(), "date_created__gte", &[None, None, Some("d3")]);
}
