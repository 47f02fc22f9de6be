//! Benchmark 4, memory: peak RSS (`VmHWM`) of a process that streams
//! 1,000,000 items (10,000 pages x 100) versus one that streams 10,000 items
//! (100 pages), each in a fresh process. Items are consumed and dropped as
//! they arrive; the in-process server generates every page on the fly, so
//! what grows with the walk is the client's memory, not a page store.
//!
//! `cargo bench --bench memory` is the parent: it re-executes this binary as
//! `--child <library|baseline> <pages>` and reads the child's report.
//! The hand-written loop (same requests, same decoding) is measured too, as
//! the floor of what reqwest + tokio + the server cost by themselves.
//! Options: `--reps N` (default 3).

use std::process::Command;

use futures_util::TryStreamExt;
use paginated::{PaginateExt, Paginated};
use reqwest::Url;
use serde::Deserialize;

mod common;
use common::{Item, PAGE_ITEMS, Server, Summary};

/// The cursor style: the walk keeps every cursor it sent (the loop guard), so
/// it is the style whose state grows with the walk.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_field = "next", cursor_param = "cursor")]
struct CursorPage {
    #[paginate(items)]
    data: Vec<Item>,
    next: Option<String>,
}

const SMALL_PAGES: u64 = 100; // 10,000 items
const LARGE_PAGES: u64 = 10_000; // 1,000,000 items
const LIMIT_KB: u64 = 64 * 1024;

/// A `kB` line of `/proc/self/status` (`VmHWM`, `VmRSS`).
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux only)");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

fn child(side: &str, pages: u64) {
    let server = Server::start(move |q| common::cursor_page(common::cursor_page_number(q), pages));
    let url = Url::parse(&server.url("/items")).expect("server url");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
    let client = reqwest::Client::new();
    let rss_before = status_kb("VmRSS");
    let (mut items, mut id_sum) = (0u64, 0u64);
    let mut consume = |item: Item| {
        items += 1;
        id_sum += item.id;
        drop(item);
    };
    runtime.block_on(async {
        match side {
            "library" => {
                let mut stream = client.get(url.clone()).paginate::<CursorPage>().items();
                while let Some(item) = stream.try_next().await.expect("library walk") {
                    consume(item);
                }
            }
            "baseline" => {
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
                    let response = client.get(page_url).send().await.expect("send");
                    let body = response.error_for_status().expect("status").bytes().await.expect("body");
                    let page: Page = serde_json::from_slice(&body).expect("decode");
                    page.data.into_iter().for_each(&mut consume);
                    match page.next {
                        Some(next) if !next.is_empty() => cursor = Some(next),
                        _ => break,
                    }
                }
            }
            other => panic!("unknown side {other}"),
        }
    });
    let n = pages * PAGE_ITEMS;
    assert_eq!((items, id_sum), (n, n * (n - 1) / 2), "{side} walked the wrong items");
    println!("items={items} rss_before_kb={rss_before} peak_kb={}", status_kb("VmHWM"));
}

/// Runs one child and returns (rss before the walk, peak RSS) in kB.
fn run_child(side: &str, pages: u64) -> (u64, u64) {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let output = Command::new(exe)
        .args(["--child", side, &pages.to_string()])
        .output()
        .expect("re-execute the bench binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child {side} {pages} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |name: &str| -> u64 {
        stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in child output {stdout:?}"))
    };
    (field("rss_before_kb"), field("peak_kb"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        let side = &args[at + 1];
        let pages = args[at + 2].parse().expect("--child <side> <pages>");
        child(side, pages);
        return;
    }
    let reps: usize =
        args.iter().position(|a| a == "--reps").map_or(3, |at| args[at + 1].parse().expect("--reps N"));

    println!(
        "memory: peak RSS (VmHWM) of a fresh process per walk, cursor style, {PAGE_ITEMS} items/page, \
         {reps} reps; server generates pages on the fly in-process"
    );
    let configs = [
        ("library", SMALL_PAGES),
        ("library", LARGE_PAGES),
        ("baseline", SMALL_PAGES),
        ("baseline", LARGE_PAGES),
    ];
    let mut peaks = vec![Vec::new(); configs.len()];
    let mut befores = vec![Vec::new(); configs.len()];
    for _ in 0..reps {
        for (i, (side, pages)) in configs.iter().enumerate() {
            let (before, peak) = run_child(side, *pages);
            #[allow(clippy::cast_precision_loss)]
            {
                befores[i].push(before as f64);
                peaks[i].push(peak as f64);
            }
        }
    }
    let mut medians = Vec::new();
    for (i, (side, pages)) in configs.iter().enumerate() {
        let (b, p) = (Summary::of(&befores[i]), Summary::of(&peaks[i]));
        println!(
            "  {side:8} {:>9} items: peak median {:>7.0} kB = {:6.2} MB (min {:.0}, max {:.0} kB); RSS before the walk {:.0} kB",
            pages * PAGE_ITEMS,
            p.median,
            p.median / 1024.0,
            p.min,
            p.max,
            b.median
        );
        medians.push(p.median);
    }
    let (small, large) = (medians[0], medians[1]);
    #[allow(clippy::cast_precision_loss)]
    let limit = LIMIT_KB as f64;
    println!(
        "  library peak(1M) / peak(10k) = {:.3} (target <= 2): {}",
        large / small,
        if large <= 2.0 * small { "MET" } else { "MISSED" }
    );
    println!(
        "  library peak(1M) = {:.2} MB (target <= 64 MB): {}",
        large / 1024.0,
        if large <= limit { "MET" } else { "MISSED" }
    );
    println!(
        "  library - baseline at 1M items: {:+.0} kB; at 10k items: {:+.0} kB",
        large - medians[3],
        small - medians[2]
    );
}
