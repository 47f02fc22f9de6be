//! Benchmark 6, throughput with an unknown end and many walks at once.
//!
//! - **speculative**: an offset walk of 200 pages that reports no total
//!   (Close's `has_more`), 20 ms of server latency per response. Sequential
//!   (`.concurrency(1).lookahead(0)`) against `.concurrency(8).speculative(true)`.
//! - **many walks**: 20 walks of 20 pages each at 20 ms, run one after another
//!   (each sequential) against all at once under one
//!   `RateLimiter::max_in_flight(8)`.
//!
//! `cargo bench --bench speculative`. Options (after `--`): `--rounds N`
//! (default 7), `--warmup N` (default 1), `--latency-ms N` (default 20).
//!
//! Sides run interleaved round by round; every walk checks that its items
//! arrive in order, each exactly once. The figures are same-round ratios.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use paginated::{PaginateExt, Paginated, RateLimiter};
use reqwest::Url;
use serde::Deserialize;

mod common;
use common::{Item, PAGE_ITEMS, Server, Summary};

#[derive(Deserialize, Paginated)]
#[paginate(
    style = "offset",
    offset_param = "offset",
    page_size_param = "limit",
    page_size = 100,
    has_more = "has_more"
)]
struct OffsetPage {
    #[paginate(items)]
    data: Vec<Item>,
    has_more: bool,
}

struct Args {
    rounds: usize,
    warmup: usize,
    latency: Duration,
}

fn parse_args() -> Args {
    let mut args = Args { rounds: 7, warmup: 1, latency: Duration::from_millis(20) };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => args.rounds = value().parse().expect("--rounds N"),
            "--warmup" => args.warmup = value().parse().expect("--warmup N"),
            "--latency-ms" => args.latency = Duration::from_millis(value().parse().expect("--latency-ms N")),
            // `cargo bench` passes `--bench`; anything else is a name filter we ignore.
            _ => {}
        }
    }
    args
}

/// `pages` prepared pages, then empty last pages for the requests a
/// speculative walk sends past the end.
fn server(latency: Duration, pages: u64) -> Server {
    let bodies: Vec<Bytes> = (0..pages).map(|p| common::offset_page(p, pages)).collect();
    let past_end = Bytes::from_static(br#"{"data":[],"has_more":false}"#);
    Server::start_delayed(latency, move |query| {
        let page = common::offset_page_number(query);
        usize::try_from(page).ok().and_then(|i| bodies.get(i)).cloned().unwrap_or_else(|| past_end.clone())
    })
}

/// Walks every item, checking order; returns (items, wasted requests).
async fn walk(
    client: &reqwest::Client,
    url: Url,
    tune: impl Fn(paginated::Paginator<OffsetPage>) -> paginated::Paginator<OffsetPage>,
) -> (u64, u64) {
    let mut items = tune(client.get(url).paginate::<OffsetPage>()).items();
    let mut expected = 0u64;
    while let Some(item) = items.try_next().await.expect("walk") {
        assert_eq!(item.id, expected, "ORDER BROKEN at item {expected}");
        expected += 1;
    }
    (expected, items.wasted_requests())
}

fn sequential(p: paginated::Paginator<OffsetPage>) -> paginated::Paginator<OffsetPage> {
    p.concurrency(1).lookahead(0)
}

fn report(title: &str, labels: &[&str; 2], ms: &[Vec<f64>], target: f64) {
    println!("\n{title}");
    for (label, times) in labels.iter().zip(ms) {
        let s = Summary::of(times);
        println!(
            "  {label:44} median {:8.1} ms  (min {:.1}, q1 {:.1}, q3 {:.1}, max {:.1})",
            s.median, s.min, s.q1, s.q3, s.max
        );
    }
    let r = Summary::of(&common::ratios(&ms[0], &ms[1]));
    println!(
        "  speed-up, per round: median {:.2}x  IQR [{:.2}, {:.2}]  min {:.2}  max {:.2}; target >= {target}x: {}",
        r.median,
        r.q1,
        r.q3,
        r.min,
        r.max,
        if r.median >= target { "MET" } else { "MISSED" }
    );
}

fn main() {
    const PAGES: u64 = 200;
    const WALKS: usize = 20;
    const WALK_PAGES: u64 = 20;
    let args = parse_args();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("client runtime");
    let client = reqwest::Client::new();
    let latency_ms = args.latency.as_secs_f64() * 1000.0;
    println!(
        "speculative: server latency {latency_ms:.0} ms per response; {} warm-up + {} interleaved rounds",
        args.warmup, args.rounds
    );

    // Part 1: one walk with no total.
    let one = server(args.latency, PAGES);
    let url = Url::parse(&one.url("/items")).expect("url");
    let mut wasted = Vec::new();
    let ms = common::interleaved(2, args.warmup, args.rounds, |side| {
        let start = Instant::now();
        let (items, waste) = runtime.block_on(walk(&client, url.clone(), |p| {
            if side == 0 { sequential(p) } else { p.concurrency(8).speculative(true) }
        }));
        assert_eq!(items, PAGES * PAGE_ITEMS);
        if side == 1 {
            wasted.push(waste);
        }
        start.elapsed().as_secs_f64() * 1000.0
    });
    report(
        &format!("speculative: offset, no total, {PAGES} pages x {PAGE_ITEMS} items"),
        &["sequential .concurrency(1).lookahead(0)", ".concurrency(8).speculative(true)"],
        &ms,
        5.0,
    );
    println!(
        "  requests sent past the end and dropped, per speculative walk: {wasted:?} (at most 7 = concurrency - 1)"
    );
    drop(one);

    // Part 2: 20 walks of 20 pages.
    let many = server(args.latency, WALK_PAGES);
    let url = Url::parse(&many.url("/items")).expect("url");
    let ms = common::interleaved(2, args.warmup, args.rounds, |side| {
        let start = Instant::now();
        let total: u64 = runtime.block_on(async {
            if side == 0 {
                let mut total = 0;
                for _ in 0..WALKS {
                    total += walk(&client, url.clone(), sequential).await.0;
                }
                total
            } else {
                let limiter = RateLimiter::new().max_in_flight(8);
                futures_util::stream::iter(0..WALKS)
                    .map(|_| {
                        let limiter = limiter.clone();
                        walk(&client, url.clone(), move |p| p.rate_limiter(limiter.clone()))
                    })
                    .buffer_unordered(WALKS)
                    .map(|(items, _)| items)
                    .fold(0, |a, b| async move { a + b })
                    .await
            }
        });
        assert_eq!(total, WALKS as u64 * WALK_PAGES * PAGE_ITEMS);
        start.elapsed().as_secs_f64() * 1000.0
    });
    let (peak, _) = many.take_load();
    report(
        &format!("many walks: {WALKS} walks x {WALK_PAGES} pages"),
        &["one after another (each sequential)", "all at once, RateLimiter::max_in_flight(8)"],
        &ms,
        5.0,
    );
    println!("  the server saw at most {peak} requests in flight at once (cap 8)");
}
