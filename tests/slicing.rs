//! Deep pagination past Close's maximum `_skip`, slicing by `date_created`,
//! against the embedded mock (max_skip = 100, 1,000 leads, five leads per
//! `date_created` value so ties cross slice boundaries).

use std::collections::HashSet;

use futures_util::StreamExt;
use paginated::testing::{MockApi, RecordedRequest, Resource};
use paginated::{ErrorKind, PaginateExt, Paginated, RetryPolicy, SliceKey};
use serde::Deserialize;

#[derive(Debug, Deserialize, Clone)]
struct Lead {
    id: String,
    date_created: String,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 30,
    has_more = "has_more",
    max_offset = 100,
    slice_by = "date_created",
    slice_param = "date_created__gte",
    dedup_by = "id"
)]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
    has_more: bool,
}

fn skips(requests: &[RecordedRequest]) -> Vec<u64> {
    requests.iter().map(|r| r.query("_skip").unwrap().parse().unwrap()).collect()
}

fn assert_every_lead_once(api: &MockApi, leads: &[Lead]) {
    let ids: HashSet<&str> = leads.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), leads.len(), "a lead was delivered twice");
    assert_eq!(leads.len(), api.dataset(Resource::Leads).len(), "a lead was lost");
    assert!(leads.windows(2).all(|w| w[0].date_created <= w[1].date_created), "delivered in date order");
}

async fn close() -> MockApi {
    MockApi::builder().records(1000).close_max_skip(100).start().await
}

#[tokio::test]
async fn a_deep_walk_slices_by_date_and_never_passes_max_skip() {
    let api = close().await;
    let leads = reqwest::Client::new()
        .get(api.url("/api/v1/lead/?_order_by=date_created"))
        .paginate::<Leads>()
        .collect()
        .await
        .unwrap();
    assert_every_lead_once(&api, &leads);
    let requests = api.requests();
    assert!(skips(&requests).iter().all(|s| *s <= 100), "{:?}", skips(&requests));
    let slices: Vec<_> = requests.iter().filter(|r| r.query("_skip").as_deref() == Some("0")).collect();
    assert!(slices.len() >= 8, "1,000 leads in slices of at most ~120: {}", slices.len());
    // Each slice after the first starts at the last date delivered (inclusive).
    assert_eq!(slices[0].query("date_created__gte"), None);
    assert!(slices[1..].iter().all(|r| r.query("date_created__gte").is_some()));
    assert!(requests.iter().all(|r| r.query_all("_order_by") == ["date_created"]), "filters kept");
}

#[tokio::test]
async fn the_servers_max_skip_error_also_starts_the_next_slice() {
    // Declared without max_offset: the server's own 400 is the signal.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "offset",
        offset_param = "_skip",
        page_size_param = "_limit",
        page_size = 40,
        has_more = "has_more",
        slice_by = "date_created",
        slice_param = "date_created__gte",
        dedup_by = "id"
    )]
    struct Undeclared {
        #[paginate(items)]
        data: Vec<Lead>,
        has_more: bool,
    }
    let api = close().await;
    let leads = reqwest::Client::new()
        .get(api.url("/api/v1/lead/?_order_by=date_created"))
        .paginate::<Undeclared>()
        .collect()
        .await
        .unwrap();
    assert_every_lead_once(&api, &leads);
    assert!(
        api.requests().iter().any(|r| r.query("_skip").as_deref() == Some("120")),
        "the server refused 120"
    );
}

#[tokio::test]
async fn an_unsorted_request_stops_instead_of_skipping_data() {
    let api = close().await;
    let err =
        reqwest::Client::new().get(api.url("/api/v1/lead/")).paginate::<Leads>().collect().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SliceOrder { .. }), "{err:?}");
    assert!(err.to_string().contains("_order_by=date_created"), "{err}");
}

#[tokio::test]
async fn a_resume_in_the_second_slice_continues_in_that_slice() {
    let api = close().await;
    let client = reqwest::Client::new();
    let request = || client.get(api.url("/api/v1/lead/?_order_by=date_created"));
    let mut items = request().paginate::<Leads>().retry(RetryPolicy::never()).items();
    let mut first = Vec::new();
    // 130 items: past the first slice (offsets 0..=100, 130 items), into the second.
    for _ in 0..175 {
        first.push(items.next().await.unwrap().unwrap());
    }
    let checkpoint = items.checkpoint().unwrap();
    drop(items);
    let slice = checkpoint.slice.clone().expect("a sliced walk's checkpoint holds its slice");
    assert!(matches!(slice.bound, Some(SliceKey::Text(_))), "in the second slice: {slice:?}");
    let stored = serde_json::to_string(&checkpoint).unwrap();
    let rest = request()
        .paginate::<Leads>()
        .resume_from(serde_json::from_str(&stored).unwrap())
        .collect()
        .await
        .unwrap();
    first.extend(rest);
    assert_every_lead_once(&api, &first);
}

#[tokio::test]
async fn a_query_language_bound_goes_through_a_user_function() {
    // Close's advanced query: the bound is part of `query=`, not a parameter.
    #[derive(Debug, Deserialize, Paginated)]
    #[paginate(
        style = "offset",
        offset_param = "_skip",
        page_size_param = "_limit",
        page_size = 50,
        has_more = "has_more",
        max_offset = 100,
        slice_by = "date_created",
        dedup_by = "id"
    )]
    struct QueryLeads {
        #[paginate(items)]
        data: Vec<Lead>,
        has_more: bool,
    }
    let api = close().await;
    let leads = reqwest::Client::new()
        .get(api.url("/api/v1/lead/?_order_by=date_created"))
        .paginate::<QueryLeads>()
        .slice_with(|request, bound| {
            // The mock reads date_created__gte; a real client would write
            // `query=date_created >= "<bound>"` here.
            request.url_mut().query_pairs_mut().append_pair("date_created__gte", &bound.to_string());
        })
        .collect()
        .await
        .unwrap();
    assert_every_lead_once(&api, &leads);
}
