//! Shared by the bench binaries: a lean loopback HTTP/1 server, the page
//! format both sides decode, and the statistics of a hand-rolled runner.
//!
//! The server is deliberately minimal (no journal, no mutex, no header or body
//! parsing beyond the query string): the `testing::MockServer` records every
//! request behind a mutex, which would add the same constant to both sides of
//! a ratio and hide the library's own overhead.
// Each bench binary uses a different subset of this module.
#![allow(dead_code)]

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Deserialize;

/// Items per page in every bench.
pub const PAGE_ITEMS: u64 = 100;

/// One item, as both the library and the hand-written baseline decode it.
#[derive(Debug, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
}

/// The body of one page, for `query` (the raw query string, `None` without a `?`).
type Handler = dyn Fn(Option<&str>) -> Bytes + Send + Sync;

/// An HTTP/1 keep-alive server on `127.0.0.1:<random port>`, running on its own
/// one-worker tokio runtime (its own OS thread), so the client's runtime and the
/// server never share a scheduler. Dropping it shuts the runtime down.
pub struct Server {
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    load: Arc<Load>,
}

/// What the server saw: requests waiting out their delay, connections.
#[derive(Default)]
struct Load {
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    connections: AtomicUsize,
}

impl Server {
    /// Serves `handler(query)` as `200 application/json` for every request.
    pub fn start(handler: impl Fn(Option<&str>) -> Bytes + Send + Sync + 'static) -> Server {
        Server::start_delayed(Duration::ZERO, handler)
    }

    /// The same, each response sent `delay` after its request arrived. The
    /// delay is an async sleep in the connection's own task, so a delayed
    /// response never holds up another connection: N requests in flight on N
    /// connections take one `delay`, not N (the benches of lookahead and
    /// fan-out rely on that). `Duration::ZERO` sleeps not at all.
    /// Serves prepared `bodies`, choosing one by `page_number(query)`, each
    /// response after `delay`; a page past the end is an empty body.
    pub fn serve_pages(delay: Duration, bodies: Vec<Bytes>, page_number: fn(Option<&str>) -> u64) -> Server {
        Server::start_delayed(delay, move |q| {
            usize::try_from(page_number(q)).ok().and_then(|i| bodies.get(i)).cloned().unwrap_or_default()
        })
    }

    pub fn start_delayed(
        delay: Duration,
        handler: impl Fn(Option<&str>) -> Bytes + Send + Sync + 'static,
    ) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bench-server")
            .enable_all()
            .build()
            .expect("server runtime");
        let listener =
            runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0))).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let handler: Arc<Handler> = Arc::new(handler);
        let load = Arc::new(Load::default());
        let counters = Arc::clone(&load);
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                counters.connections.fetch_add(1, Ordering::Relaxed);
                let handler = Arc::clone(&handler);
                let counters = Arc::clone(&counters);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let body = handler(request.uri().query());
                        let mut response = Response::new(Full::new(body));
                        response
                            .headers_mut()
                            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                        // Without a delay, nothing is counted (the overhead bench's server stays as lean).
                        let counters = (!delay.is_zero()).then(|| Arc::clone(&counters));
                        async move {
                            if let Some(counters) = counters {
                                let now = counters.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                                counters.peak_in_flight.fetch_max(now, Ordering::Relaxed);
                                tokio::time::sleep(delay).await;
                                counters.in_flight.fetch_sub(1, Ordering::Relaxed);
                            }
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Server { addr, runtime: Some(runtime), load }
    }

    /// The most delayed responses pending at once since the last call (only
    /// counted with a delay), and the connections accepted since the last
    /// call; both reset to 0.
    pub fn take_load(&self) -> (usize, usize) {
        (
            self.load.peak_in_flight.swap(0, Ordering::Relaxed),
            self.load.connections.swap(0, Ordering::Relaxed),
        )
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The value of `name` in a raw query string (no decoding: the benches only
/// send plain ASCII values).
pub fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Appends `{"id":N,"name":"item-N"}` for ids `first..first + count` to `out`
/// as a JSON array body (`[...]`).
pub fn write_items(out: &mut String, first: u64, count: u64) {
    out.push('[');
    for id in first..first + count {
        if id != first {
            out.push(',');
        }
        write!(out, r#"{{"id":{id},"name":"item-{id:07}"}}"#).expect("write to a String");
    }
    out.push(']');
}

/// A cursor-style page: `{"data":[...],"next":"c<N+1>"}`, `"next":null` on the last.
pub fn cursor_page(page: u64, pages: u64) -> Bytes {
    let mut out = String::with_capacity(4096);
    out.push_str(r#"{"data":"#);
    write_items(&mut out, page * PAGE_ITEMS, PAGE_ITEMS);
    if page + 1 < pages {
        write!(out, r#","next":"c{}"}}"#, page + 1).expect("write to a String");
    } else {
        out.push_str(r#","next":null}"#);
    }
    Bytes::from(out)
}

/// An offset-style page: `{"data":[...],"has_more":bool}` (Close's scheme).
pub fn offset_page(page: u64, pages: u64) -> Bytes {
    let mut out = String::with_capacity(4096);
    out.push_str(r#"{"data":"#);
    write_items(&mut out, page * PAGE_ITEMS, PAGE_ITEMS);
    write!(out, r#","has_more":{}}}"#, page + 1 < pages).expect("write to a String");
    Bytes::from(out)
}

/// An offset-style page that reports the total item count:
/// `{"data":[...],"total":N}` (no `has_more`; the walk ends at the total).
pub fn offset_total_page(page: u64, pages: u64) -> Bytes {
    let mut out = String::with_capacity(4096);
    out.push_str(r#"{"data":"#);
    write_items(&mut out, page * PAGE_ITEMS, PAGE_ITEMS);
    write!(out, r#","total":{}}}"#, pages * PAGE_ITEMS).expect("write to a String");
    Bytes::from(out)
}

/// The page number a cursor-style request asks for (`cursor=c<N>`, none = 0).
pub fn cursor_page_number(query: Option<&str>) -> u64 {
    query_value(query, "cursor").and_then(|c| c.strip_prefix('c')?.parse().ok()).unwrap_or(0)
}

/// The page number an offset-style request asks for (`offset=K`, none = 0).
pub fn offset_page_number(query: Option<&str>) -> u64 {
    query_value(query, "offset").and_then(|o| o.parse::<u64>().ok()).unwrap_or(0) / PAGE_ITEMS
}

/// Median, quartiles and extremes of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises a non-empty sample (quartiles by linear interpolation).
    pub fn of(sample: &[f64]) -> Summary {
        assert!(!sample.is_empty(), "an empty sample has no summary");
        let mut sorted = sample.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| {
            #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let (pos, last) = (q * (sorted.len() - 1) as f64, sorted.len() - 1);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let low = pos.floor() as usize;
            let high = (low + 1).min(last);
            #[allow(clippy::cast_precision_loss)]
            let frac = pos - low as f64;
            sorted[low] + (sorted[high] - sorted[low]) * frac
        };
        Summary { min: sorted[0], q1: at(0.25), median: at(0.5), q3: at(0.75), max: sorted[sorted.len() - 1] }
    }
}

/// Runs `sides` sides of a comparison for `warmup` unrecorded rounds, then
/// `rounds` recorded ones; a round runs every side once, in an order that
/// rotates round by round (so drift and "the run after X is warmer" effects
/// spread evenly). `run(side)` returns one measurement; the result holds
/// `rounds` measurements per side, in round order (so `[a][r] / [b][r]` is
/// a same-round ratio).
pub fn interleaved(
    sides: usize,
    warmup: usize,
    rounds: usize,
    mut run: impl FnMut(usize) -> f64,
) -> Vec<Vec<f64>> {
    for _ in 0..warmup {
        for side in 0..sides {
            run(side);
        }
    }
    let mut out = vec![Vec::with_capacity(rounds); sides];
    for round in 0..rounds {
        for k in 0..sides {
            let side = (k + round) % sides;
            out[side].push(run(side));
        }
    }
    out
}

/// Per-round ratios `a[r] / b[r]`.
pub fn ratios(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x / y).collect()
}
