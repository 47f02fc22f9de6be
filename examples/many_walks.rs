//! Many walks at once: 20 walks of Close leads (one per tenant, say) over one
//! client, with at most 8 requests in flight across all of them, one shared
//! rate-limit gate, and progress printed per walk.
//!
//! ```sh
//! cargo run --example many_walks
//! ```
//!
//! Each walk is a plain `Stream`; running them together is ordinary
//! `futures` composition (`for_each_concurrent` here; `select_all` merges
//! them into one stream of items). The only thing the library adds is the
//! shared [`RateLimiter`]: its in-flight cap, and its gate, so that a 429 met
//! by one walk holds all of them.

use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use paginated::testing::MockApi;
use paginated::{PaginateExt, Paginated, RateLimiter};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Lead {
    id: String,
}

/// Close's `_skip`/`_limit` with `has_more` and no total: with
/// `.speculative(true)` each walk runs a few pages ahead anyway.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "_skip",
    page_size_param = "_limit",
    page_size = 25,
    max_page_size = 100,
    has_more = "has_more"
)]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
    has_more: bool,
}

const WALKS: usize = 20;
const IN_FLIGHT: usize = 8;

#[tokio::main]
async fn main() -> Result<(), paginated::Error> {
    let api = MockApi::builder().records(500).start().await;
    let client = reqwest::Client::builder().redirect(paginated::redirect_policy()).build().expect("a client");
    // One gate for every walk against this API key: at most 8 requests at once.
    let limiter = RateLimiter::new().max_in_flight(IN_FLIGHT);
    let started = Instant::now();
    futures_util::stream::iter(0..WALKS)
        .map(Ok)
        .try_for_each_concurrent(None, |tenant| {
            let request = client
                .get(api.url(&format!("/api/v1/lead/?query=tenant:{tenant}")))
                .basic_auth("api_key", Some(""));
            let limiter = limiter.clone();
            async move {
                let mut pages =
                    request.paginate::<Leads>().concurrency(4).speculative(true).rate_limiter(limiter).pages();
                let (mut count, mut number) = (0, 0);
                let mut last = String::new();
                while let Some(page) = pages.try_next().await? {
                    number += 1;
                    count += page.data.len();
                    if let Some(lead) = page.data.last() {
                        last.clone_from(&lead.id);
                    }
                    println!("walk {tenant:2}: page {number:2}, {count:3} leads so far (last {last})");
                }
                println!(
                    "walk {tenant:2}: done, {count} leads in {number} pages, {} requests sent ahead and dropped",
                    pages.wasted_requests()
                );
                Ok(())
            }
        })
        .await?;
    println!("{WALKS} walks, at most {IN_FLIGHT} requests in flight, in {:.2?}", started.elapsed());
    Ok(())
}
