//! Benchmark 1, overhead: walking 2,000 pages x 100 small items with the
//! library (`request.paginate::<P>().items()`, every default on) versus a
//! hand-written reqwest + serde loop that sends exactly the same requests and
//! decodes into the same item type. Reports the ratio library / baseline.
//!
//! `cargo bench --bench overhead` runs both styles (cursor in the query
//! string, offset + has_more). Options (after `--`):
//! `--rounds N` (default 25; `--pairs` is an alias), `--warmup N` (default 3), `--pages N` (default 2000),
//! `--style cursor|offset` (default both), and `--profile library|sequential|baseline`
//! to run one side `--rounds` times with no statistics (for callgrind).
//!
//! Three sides run interleaved, round by round: the baseline, the library
//! with every default (retries on, lookahead 1: a task fetches the next page
//! while the consumer drains the current one), and the library with
//! `.lookahead(0)`, strictly one request at a time like the baseline. The
//! offset declaration stops on `has_more` (no `total`), so the fan-out of
//! offset walks (which needs a known end) stays off and both are sequential.

use std::time::Instant;

use futures_util::TryStreamExt;
use paginated::{PaginateExt, Paginated};
use reqwest::Url;
use serde::Deserialize;

mod common;
use common::{Item, PAGE_ITEMS, Server, Summary};

#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "cursor")]
struct CursorPage {
    #[paginate(items)]
    data: Vec<Item>,
    next: Option<String>,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Cursor,
    Offset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The hand-written loop.
    Baseline,
    /// `request.paginate::<P>().items()`: every default (retries, lookahead 1, ...).
    Library,
    /// The same with `.lookahead(0)`: strictly one request at a time, like the baseline.
    Sequential,
}

impl Side {
    const ALL: [Side; 3] = [Side::Baseline, Side::Library, Side::Sequential];

    fn label(self) -> &'static str {
        match self {
            Side::Baseline => "baseline (hand-written)",
            Side::Library => "library (defaults)",
            Side::Sequential => "library (lookahead 0)",
        }
    }
}

/// What a walk saw, checked after every run so neither side can skip work.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    items: u64,
    id_sum: u64,
    name_bytes: u64,
}

impl Tally {
    fn add(&mut self, item: &Item) {
        self.items += 1;
        self.id_sum += item.id;
        self.name_bytes += item.name.len() as u64;
    }
}

async fn library(style: Style, client: &reqwest::Client, url: &Url, lookahead: Option<usize>) -> Tally {
    let mut tally = Tally::default();
    let request = client.get(url.clone());
    match style {
        Style::Cursor => {
            let mut paginator = request.paginate::<CursorPage>();
            if let Some(pages) = lookahead {
                paginator = paginator.lookahead(pages);
            }
            let mut items = paginator.items();
            while let Some(item) = items.try_next().await.expect("library walk") {
                tally.add(&item);
            }
        }
        Style::Offset => {
            let mut paginator = request.paginate::<OffsetPage>();
            if let Some(pages) = lookahead {
                paginator = paginator.lookahead(pages);
            }
            let mut items = paginator.items();
            while let Some(item) = items.try_next().await.expect("library walk") {
                tally.add(&item);
            }
        }
    }
    tally
}

/// The loop a careful user writes by hand: same requests (the cursor
/// form-encoded into the query; `limit=100&offset=K`), status checked, body
/// decoded with serde_json into the same item type.
async fn baseline(style: Style, client: &reqwest::Client, url: &Url) -> Tally {
    async fn get(client: &reqwest::Client, url: Url) -> bytes::Bytes {
        let response = client.get(url).send().await.expect("send");
        response.error_for_status().expect("status").bytes().await.expect("body")
    }
    let mut tally = Tally::default();
    match style {
        Style::Cursor => {
            #[derive(Deserialize)]
            struct Page {
                data: Vec<Item>,
                next: Option<String>,
            }
            let mut cursor: Option<String> = None;
            loop {
                let mut page_url = url.clone();
                if let Some(c) = &cursor {
                    page_url.query_pairs_mut().append_pair("cursor", c);
                }
                let page: Page = serde_json::from_slice(&get(client, page_url).await).expect("decode");
                for item in page.data {
                    tally.add(&item);
                }
                match page.next {
                    Some(next) if !next.is_empty() => cursor = Some(next),
                    _ => break,
                }
            }
        }
        Style::Offset => {
            #[derive(Deserialize)]
            struct Page {
                data: Vec<Item>,
                has_more: bool,
            }
            let mut offset = 0u64;
            loop {
                let mut page_url = url.clone();
                page_url
                    .query_pairs_mut()
                    .append_pair("limit", &PAGE_ITEMS.to_string())
                    .append_pair("offset", &offset.to_string());
                let page: Page = serde_json::from_slice(&get(client, page_url).await).expect("decode");
                let received = page.data.len() as u64;
                for item in page.data {
                    tally.add(&item);
                }
                offset += received;
                if !page.has_more || received == 0 {
                    break;
                }
            }
        }
    }
    tally
}

struct Args {
    pairs: usize,
    warmup: usize,
    pages: u64,
    styles: Vec<Style>,
    profile: Option<Side>,
}

fn parse_args() -> Args {
    let mut args =
        Args { pairs: 25, warmup: 3, pages: 2000, styles: vec![Style::Cursor, Style::Offset], profile: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" | "--pairs" => args.pairs = value().parse().expect("--rounds N"),
            "--warmup" => args.warmup = value().parse().expect("--warmup N"),
            "--pages" => args.pages = value().parse().expect("--pages N"),
            "--style" => {
                args.styles = match value().as_str() {
                    "cursor" => vec![Style::Cursor],
                    "offset" => vec![Style::Offset],
                    other => panic!("unknown style {other}"),
                }
            }
            "--profile" => {
                args.profile = Some(match value().as_str() {
                    "library" => Side::Library,
                    "sequential" => Side::Sequential,
                    "baseline" => Side::Baseline,
                    other => panic!("unknown side {other}"),
                });
            }
            // `cargo bench` passes `--bench`; anything else is a name filter we ignore.
            _ => {}
        }
    }
    args
}

/// CPU time of the calling thread, in nanoseconds: the client (its
/// current-thread runtime, the lookahead task included) runs on the main
/// thread and the server on its own, so this is the client's cost alone.
/// Read from `/proc/thread-self/schedstat` (time on the CPU, user + kernel,
/// in ns), not from `stat`'s utime/stime, which come in 10 ms ticks: too
/// coarse for a ~50 ms walk.
fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("/proc/thread-self/schedstat (Linux only)");
    stat.split_whitespace().next().and_then(|ns| ns.parse().ok()).expect("time on the CPU, in ns")
}

/// `(page, pages) -> body` and `query -> page`, per style.
type PageBody = fn(u64, u64) -> bytes::Bytes;
type PageNumber = fn(Option<&str>) -> u64;

fn main() {
    let args = parse_args();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
    let client = reqwest::Client::new();
    println!(
        "overhead: {} pages x {PAGE_ITEMS} items per walk; client on a current-thread runtime, \
         server on its own thread; {} warm-up + {} interleaved rounds per style",
        args.pages, args.warmup, args.pairs
    );
    for &style in &args.styles {
        let pages = args.pages;
        let (page_body, page_number): (PageBody, PageNumber) = match style {
            Style::Cursor => (common::cursor_page, common::cursor_page_number),
            Style::Offset => (common::offset_page, common::offset_page_number),
        };
        // Pre-serialized pages: per request the server only picks a `Bytes` and clones it
        // (a reference count); an unknown page is an empty body, which fails the walk loudly.
        let bodies: Vec<_> = (0..pages).map(|p| page_body(p, pages)).collect();
        let server = Server::start(move |q| {
            usize::try_from(page_number(q)).ok().and_then(|i| bodies.get(i)).cloned().unwrap_or_default()
        });
        let url = Url::parse(&server.url("/items")).expect("server url");
        let n = pages * PAGE_ITEMS;
        let expected =
            Tally { items: n, id_sum: n * (n - 1) / 2, name_bytes: n * "item-0000000".len() as u64 };
        let run = |side: Side| {
            let cpu_before = thread_cpu_ns();
            let start = Instant::now();
            let tally = runtime.block_on(async {
                match side {
                    Side::Baseline => baseline(style, &client, &url).await,
                    Side::Library => library(style, &client, &url, None).await,
                    Side::Sequential => library(style, &client, &url, Some(0)).await,
                }
            });
            let elapsed = start.elapsed();
            assert_eq!(tally, expected, "{style:?} {side:?} walked the wrong items");
            (elapsed, thread_cpu_ns() - cpu_before)
        };

        if let Some(side) = args.profile {
            for _ in 0..args.pairs {
                run(side);
            }
            println!("profiled {style:?} {side:?}: {} walks", args.pairs);
            continue;
        }

        for _ in 0..args.warmup {
            for side in Side::ALL {
                run(side);
            }
        }
        // One round runs every side once; the order rotates round by round, so
        // drift and "the run after X is warmer" effects spread evenly.
        let mut ms: [Vec<f64>; 3] = Default::default();
        let mut cpu_ms: [Vec<f64>; 3] = Default::default();
        for round in 0..args.pairs {
            for k in 0..Side::ALL.len() {
                let i = (k + round) % Side::ALL.len();
                let (elapsed, cpu_ns) = run(Side::ALL[i]);
                ms[i].push(elapsed.as_secs_f64() * 1000.0);
                #[allow(clippy::cast_precision_loss)]
                cpu_ms[i].push(cpu_ns as f64 / 1e6);
            }
        }
        report(style, n, &ms);
        println!("  client-thread CPU time per walk (schedstat, ns resolution):");
        for (side, cpu) in Side::ALL.iter().zip(&cpu_ms) {
            let s = Summary::of(cpu);
            println!(
                "    {:24} median {:7.2} ms  (min {:.2}, q1 {:.2}, q3 {:.2}, max {:.2})",
                side.label(),
                s.median,
                s.min,
                s.q1,
                s.q3,
                s.max
            );
        }
        for (side, cpu) in Side::ALL.iter().zip(&cpu_ms).skip(1) {
            let r = Summary::of(&common::ratios(cpu, &cpu_ms[0]));
            println!(
                "    {} / baseline, CPU, per round: median {:.4}  IQR [{:.4}, {:.4}]  min {:.4}  max {:.4}; \
                 ratio of medians {:.4}; target <= 1.03: {}",
                side.label(),
                r.median,
                r.q1,
                r.q3,
                r.min,
                r.max,
                Summary::of(cpu).median / Summary::of(&cpu_ms[0]).median,
                if r.median <= 1.03 { "MET" } else { "MISSED" }
            );
        }
    }
}

fn report(style: Style, items: u64, ms: &[Vec<f64>; 3]) {
    let style = format!("{style:?}").to_lowercase();
    println!("\noverhead/{style}: {items} items, {} rounds", ms[0].len());
    let base = Summary::of(&ms[0]);
    for (side, times) in Side::ALL.iter().zip(ms) {
        let s = Summary::of(times);
        #[allow(clippy::cast_precision_loss)]
        let rate = items as f64 / (s.median / 1000.0) / 1e6;
        println!(
            "  {:24} median {:7.2} ms  (min {:.2}, q1 {:.2}, q3 {:.2}, max {:.2})  {rate:.2} M items/s",
            side.label(),
            s.median,
            s.min,
            s.q1,
            s.q3,
            s.max
        );
    }
    for (side, times) in Side::ALL.iter().zip(ms).skip(1) {
        let ratios: Vec<f64> = times.iter().zip(&ms[0]).map(|(l, b)| l / b).collect();
        let r = Summary::of(&ratios);
        println!(
            "  {} / baseline, per round: median {:.4}  IQR [{:.4}, {:.4}]  min {:.4}  max {:.4}; \
             ratio of medians {:.4}; target <= 1.03: {}",
            side.label(),
            r.median,
            r.q1,
            r.q3,
            r.min,
            r.max,
            Summary::of(times).median / base.median,
            if r.median <= 1.03 { "MET" } else { "MISSED" }
        );
    }
}
