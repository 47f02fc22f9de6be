//! Benchmark 2, lookahead: a cursor walk of 100 pages where the server takes
//! 10 ms to answer each request and the consumer spends 10 ms on each page.
//! With `.lookahead(1)` (the default) the next page is requested while the
//! consumer still works on the current one, so a page should cost about
//! max(latency, work) instead of latency + work. Reports the ratio
//! lookahead 1 / lookahead 0 (strictly sequential), measured in the same run.
//!
//! `cargo bench --bench lookahead`. Options (after `--`): `--rounds N`
//! (default 15), `--warmup N` (default 1), `--pages N` (default 100),
//! `--latency-ms N` (default 10), `--work-ms N` (default 10),
//! `--work sleep|spin` (default sleep).
//!
//! Three sides run interleaved, round by round:
//! - a hand-written sequential loop (reqwest + serde_json, same requests, same
//!   work per page): the sanity baseline, what the sequential walk should cost;
//! - the library with `.lookahead(0)`: one request at a time;
//! - the library with its defaults (`.lookahead(1)`).
//!
//! The consumer's work is per page (the `pages()` stream; every item is
//! tallied, then the work runs once). `sleep` (the default) is a
//! `tokio::time::sleep`: an I/O-bound consumer, such as one that writes each
//! page to a database, which leaves the runtime free to fetch meanwhile.
//! `spin` is a busy wait of the same length: a CPU-bound consumer. The client
//! runs on a multi-thread runtime (as under `#[tokio::main]`), so with `spin`
//! the lookahead task can still run on the other worker; on a current-thread
//! runtime a busy-waiting consumer would starve the lookahead task and there
//! would be no overlap at all. On this 2-core machine shared with builds,
//! `spin` also competes with the server thread for a core, which is why it is
//! not the default.

use std::time::{Duration, Instant};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Sleep,
    Spin,
}

impl Work {
    async fn run(self, length: Duration) {
        match self {
            Work::Sleep => tokio::time::sleep(length).await,
            Work::Spin => {
                let start = Instant::now();
                while start.elapsed() < length {
                    std::hint::spin_loop();
                }
            }
        }
    }
}

const SIDES: [&str; 3] =
    ["hand-written sequential loop", "library .lookahead(0)", "library .lookahead(1) (default)"];
const HAND: usize = 0;
const SEQUENTIAL: usize = 1;
const LOOKAHEAD: usize = 2;

/// What a walk saw, checked after every run.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    pages: u64,
    items: u64,
    id_sum: u64,
}

impl Tally {
    fn add(&mut self, items: &[Item]) {
        self.pages += 1;
        self.items += items.len() as u64;
        self.id_sum += items.iter().map(|item| item.id).sum::<u64>();
    }
}

async fn library(
    client: &reqwest::Client,
    url: &Url,
    lookahead: Option<usize>,
    work: Work,
    length: Duration,
) -> Tally {
    let mut paginator = client.get(url.clone()).paginate::<CursorPage>();
    if let Some(pages) = lookahead {
        paginator = paginator.lookahead(pages);
    }
    let mut pages = paginator.pages();
    let mut tally = Tally::default();
    while let Some(page) = pages.try_next().await.expect("library walk") {
        tally.add(&page.data);
        work.run(length).await;
    }
    tally
}

/// The sequential loop a user writes by hand: request, decode, work, next.
async fn hand_written(client: &reqwest::Client, url: &Url, work: Work, length: Duration) -> Tally {
    #[derive(Deserialize)]
    struct Page {
        data: Vec<Item>,
        next: Option<String>,
    }
    let mut tally = Tally::default();
    let mut cursor: Option<String> = None;
    loop {
        let mut page_url = url.clone();
        if let Some(c) = &cursor {
            page_url.query_pairs_mut().append_pair("cursor", c);
        }
        let response = client.get(page_url).send().await.expect("send");
        let body = response.error_for_status().expect("status").bytes().await.expect("body");
        let page: Page = serde_json::from_slice(&body).expect("decode");
        tally.add(&page.data);
        work.run(length).await;
        match page.next {
            Some(next) if !next.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    tally
}

struct Args {
    rounds: usize,
    warmup: usize,
    pages: u64,
    latency: Duration,
    work_length: Duration,
    work: Work,
}

fn parse_args() -> Args {
    let mut args = Args {
        rounds: 15,
        warmup: 1,
        pages: 100,
        latency: Duration::from_millis(10),
        work_length: Duration::from_millis(10),
        work: Work::Sleep,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => args.rounds = value().parse().expect("--rounds N"),
            "--warmup" => args.warmup = value().parse().expect("--warmup N"),
            "--pages" => args.pages = value().parse().expect("--pages N"),
            "--latency-ms" => args.latency = Duration::from_millis(value().parse().expect("--latency-ms N")),
            "--work-ms" => args.work_length = Duration::from_millis(value().parse().expect("--work-ms N")),
            "--work" => {
                args.work = match value().as_str() {
                    "sleep" => Work::Sleep,
                    "spin" => Work::Spin,
                    other => panic!("unknown work {other} (sleep|spin)"),
                }
            }
            // `cargo bench` passes `--bench`; anything else is a name filter we ignore.
            _ => {}
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let pages = args.pages;
    let bodies: Vec<_> = (0..pages).map(|p| common::cursor_page(p, pages)).collect();
    let server = Server::serve_pages(args.latency, bodies, common::cursor_page_number);
    let url = Url::parse(&server.url("/items")).expect("server url");
    // Like `#[tokio::main]`: a multi-thread runtime, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("client runtime");
    let workers = runtime.metrics().num_workers();
    let client = reqwest::Client::new();
    let n = pages * PAGE_ITEMS;
    let expected = Tally { pages, items: n, id_sum: n * (n - 1) / 2 };
    let (latency_ms, work_ms) =
        (args.latency.as_secs_f64() * 1000.0, args.work_length.as_secs_f64() * 1000.0);
    println!(
        "lookahead: cursor style, {pages} pages x {PAGE_ITEMS} items; server latency {latency_ms:.0} ms per response \
         (async sleep); consumer work {work_ms:.0} ms per page ({:?}); client on a {workers}-worker multi-thread \
         runtime; {} warm-up + {} interleaved rounds",
        args.work, args.warmup, args.rounds
    );

    let (work, length) = (args.work, args.work_length);
    let sleep_cost = Summary::of(
        &(0..20)
            .map(|_| {
                let start = Instant::now();
                runtime.block_on(async { tokio::time::sleep(length).await });
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect::<Vec<_>>(),
    );
    let ms = common::interleaved(SIDES.len(), args.warmup, args.rounds, |side| {
        let start = Instant::now();
        let tally = runtime.block_on(async {
            match side {
                HAND => hand_written(&client, &url, work, length).await,
                SEQUENTIAL => library(&client, &url, Some(0), work, length).await,
                _ => library(&client, &url, None, work, length).await,
            }
        });
        let elapsed = start.elapsed();
        assert_eq!(tally, expected, "{} walked the wrong items", SIDES[side]);
        elapsed.as_secs_f64() * 1000.0
    });

    #[allow(clippy::cast_precision_loss)]
    let (pages_f, ideal_sequential) = (pages as f64, pages as f64 * (latency_ms + work_ms));
    #[allow(clippy::cast_precision_loss)]
    let ideal_lookahead = latency_ms + (pages - 1) as f64 * latency_ms.max(work_ms) + work_ms;
    println!("\nlookahead/cursor: {n} items, {} rounds", args.rounds);
    for (label, times) in SIDES.iter().zip(&ms) {
        let s = Summary::of(times);
        println!(
            "  {label:32} median {:8.1} ms  (min {:.1}, q1 {:.1}, q3 {:.1}, max {:.1})  {:.2} ms/page",
            s.median,
            s.min,
            s.q1,
            s.q3,
            s.max,
            s.median / pages_f
        );
    }
    println!(
        "  latency-bound estimate (nominal sleeps, zero overhead): sequential {ideal_sequential:.0} ms \
         (pages x (latency + work)), overlapped {ideal_lookahead:.0} ms (latency + (pages - 1) x max(latency, \
         work) + work), ratio {:.3}",
        ideal_lookahead / ideal_sequential
    );
    println!(
        "  a tokio::time::sleep({work_ms:.0} ms) on this runtime actually takes: median {:.2} ms (min {:.2}, \
         max {:.2}; 20 samples before the run); tokio's timer rounds up to the next 1 ms tick",
        sleep_cost.median, sleep_cost.min, sleep_cost.max
    );
    let ratio_line = |a: usize, b: usize, target: Option<f64>| {
        let r = Summary::of(&common::ratios(&ms[a], &ms[b]));
        let verdict = target.map_or(String::new(), |t| {
            format!("; target <= {t}: {}", if r.median <= t { "MET" } else { "MISSED" })
        });
        println!(
            "  {} / {}, per round: median {:.4}  IQR [{:.4}, {:.4}]  min {:.4}  max {:.4}; ratio of medians {:.4}{verdict}",
            SIDES[a],
            SIDES[b],
            r.median,
            r.q1,
            r.q3,
            r.min,
            r.max,
            Summary::of(&ms[a]).median / Summary::of(&ms[b]).median
        );
    };
    ratio_line(LOOKAHEAD, SEQUENTIAL, Some(0.6));
    ratio_line(LOOKAHEAD, HAND, None);
    ratio_line(SEQUENTIAL, HAND, None);
    let (peak, connections) = server.take_load();
    println!(
        "  server: at most {peak} delayed responses pending at once; {connections} connections over the run"
    );
}
