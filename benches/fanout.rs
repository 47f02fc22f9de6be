//! Benchmark 3, fan-out: an offset walk of 200 pages whose responses report
//! the total item count, with 20 ms of server latency per response. Once the
//! first page gives the total, `.concurrency(8)` keeps up to 8 requests in
//! flight; the sequential walk (`.concurrency(1).lookahead(0)`) sends one at a
//! time. Reports the speed-up sequential / fan-out, measured in the same run.
//!
//! `cargo bench --bench fanout`. Options (after `--`): `--rounds N`
//! (default 11), `--warmup N` (default 1), `--pages N` (default 200),
//! `--latency-ms N` (default 20), `--concurrency N` (default 8).
//!
//! Three sides run interleaved, round by round: the sequential walk, the
//! walk with `.concurrency(8)` (lookahead left at its default, 1), and, for
//! reference, the library's defaults (concurrency 4, lookahead 1). Every walk
//! checks that the items arrive in order, each exactly once (ids 0, 1, 2, ...
//! with no gap), and panics at the first item out of place.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use paginated::{PaginateExt, Paginated};
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
    total = "total"
)]
struct OffsetPage {
    #[paginate(items)]
    data: Vec<Item>,
    total: u64,
}

const SEQUENTIAL: usize = 0;
const FANOUT: usize = 1;
const DEFAULTS: usize = 2;

struct Args {
    rounds: usize,
    warmup: usize,
    pages: u64,
    latency: Duration,
    concurrency: usize,
}

fn parse_args() -> Args {
    let mut args =
        Args { rounds: 11, warmup: 1, pages: 200, latency: Duration::from_millis(20), concurrency: 8 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => args.rounds = value().parse().expect("--rounds N"),
            "--warmup" => args.warmup = value().parse().expect("--warmup N"),
            "--pages" => args.pages = value().parse().expect("--pages N"),
            "--latency-ms" => args.latency = Duration::from_millis(value().parse().expect("--latency-ms N")),
            "--concurrency" => args.concurrency = value().parse().expect("--concurrency N"),
            // `cargo bench` passes `--bench`; anything else is a name filter we ignore.
            _ => {}
        }
    }
    args
}

/// Walks every item, panicking at the first one out of order, missing or repeated.
async fn walk(client: &reqwest::Client, url: &Url, side: usize, concurrency: usize, label: &str) -> u64 {
    let paginator = client.get(url.clone()).paginate::<OffsetPage>();
    let paginator = match side {
        SEQUENTIAL => paginator.concurrency(1).lookahead(0),
        FANOUT => paginator.concurrency(concurrency),
        _ => paginator,
    };
    let mut items = paginator.items();
    let mut expected_id = 0u64;
    let mut name = String::new();
    while let Some(item) = items.try_next().await.expect("library walk") {
        name.clear();
        std::fmt::Write::write_fmt(&mut name, format_args!("item-{expected_id:07}"))
            .expect("write to a String");
        assert!(
            item.id == expected_id && item.name == name,
            "FAN-OUT ORDER BROKEN: {label}: item #{expected_id} of the walk is {item:?}, expected id {expected_id}"
        );
        expected_id += 1;
    }
    expected_id
}

fn main() {
    let args = parse_args();
    let pages = args.pages;
    let bodies: Vec<_> = (0..pages).map(|p| common::offset_total_page(p, pages)).collect();
    let server = Server::serve_pages(args.latency, bodies, common::offset_page_number);
    let url = Url::parse(&server.url("/items")).expect("server url");
    // Like `#[tokio::main]`: a multi-thread runtime, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("client runtime");
    let workers = runtime.metrics().num_workers();
    let client = reqwest::Client::new();
    let n = pages * PAGE_ITEMS;
    let latency_ms = args.latency.as_secs_f64() * 1000.0;
    let labels = [
        "sequential .concurrency(1).lookahead(0)".to_string(),
        format!(".concurrency({})", args.concurrency),
        "defaults (concurrency 4)".to_string(),
    ];
    println!(
        "fanout: offset style with a total, {pages} pages x {PAGE_ITEMS} items; server latency {latency_ms:.0} ms \
         per response (async sleep); client on a {workers}-worker multi-thread runtime; {} warm-up + {} \
         interleaved rounds",
        args.warmup, args.rounds
    );

    let mut peaks = [0usize; 3];
    let _ = server.take_load();
    let ms = common::interleaved(labels.len(), args.warmup, args.rounds, |side| {
        let start = Instant::now();
        let items = runtime.block_on(walk(&client, &url, side, args.concurrency, &labels[side]));
        let elapsed = start.elapsed();
        assert_eq!(items, n, "{}: walked {items} items, expected {n}", labels[side]);
        let (peak, _) = server.take_load();
        peaks[side] = peaks[side].max(peak);
        elapsed.as_secs_f64() * 1000.0
    });

    println!(
        "\nfanout/offset: {n} items, {} rounds, every walk in order (checked item by item)",
        args.rounds
    );
    #[allow(clippy::cast_precision_loss)]
    let pages_f = pages as f64;
    for (side, (label, times)) in labels.iter().zip(&ms).enumerate() {
        let s = Summary::of(times);
        println!(
            "  {label:40} median {:8.1} ms  (min {:.1}, q1 {:.1}, q3 {:.1}, max {:.1})  {:.2} ms/page; \
             server saw at most {} requests in flight",
            s.median,
            s.min,
            s.q1,
            s.q3,
            s.max,
            s.median / pages_f,
            peaks[side]
        );
    }
    // The first page must arrive before the end is known; the rest go `concurrency` at a time.
    #[allow(clippy::cast_precision_loss)]
    let waves = 1.0 + ((pages - 1) as f64 / args.concurrency as f64).ceil();
    println!(
        "  latency-bound estimate (nominal latency, zero overhead): sequential {:.0} ms, .concurrency({}) {:.0} ms \
         (1 + ceil(({pages} - 1) / {}) latencies): {:.2}x",
        pages_f * latency_ms,
        args.concurrency,
        waves * latency_ms,
        args.concurrency,
        pages_f / waves
    );
    for (side, target) in [(FANOUT, Some(6.0)), (DEFAULTS, None)] {
        let r = Summary::of(&common::ratios(&ms[SEQUENTIAL], &ms[side]));
        let verdict = target.map_or(String::new(), |t| {
            format!("; target >= {t}x: {}", if r.median >= t { "MET" } else { "MISSED" })
        });
        println!(
            "  speed-up sequential / {}, per round: median {:.3}x  IQR [{:.3}, {:.3}]  min {:.3}  max {:.3}; \
             ratio of medians {:.3}x{verdict}",
            labels[side],
            r.median,
            r.q1,
            r.q3,
            r.min,
            r.max,
            Summary::of(&ms[SEQUENTIAL]).median / Summary::of(&ms[side]).median
        );
    }
}
