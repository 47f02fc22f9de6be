//! `examples/sync_sqlite.rs` killed with SIGKILL at random moments: after
//! every kill the database holds each lead at most once, with the checkpoint
//! of exactly the rows written; after the run that finishes, every lead of the
//! mock exactly once and the watermark at the last `date_updated`.
//!
//! The mock lives in this process; the example is a child process given its
//! URL. `SYNC_KILL_SEED=n` replays the kill moments of a run.
#![cfg(unix)]

use std::collections::{HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use paginated::testing::{MockApi, Resource};
use paginated::{Checkpoint, Position, SliceKey, Watermark};
use rusqlite::{Connection, OptionalExtension};

const LEADS: u32 = 400;
const KILLS: usize = 8;
/// 20 pages of 20, 10 ms apart: a walk of a few hundred milliseconds.
const PAGE_SIZE: &str = "20";
const DELAY_MS: &str = "10";

#[test]
fn killed_at_random_moments_the_sync_keeps_every_lead_exactly_once() {
    let started = Instant::now();
    let example = example();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // The server's tasks run on the runtime's workers while this thread drives the child processes.
    let api = runtime.block_on(MockApi::builder().records(LEADS as usize).start());
    let dir = TempDir::new();
    let sync = |db: &Path| {
        let mut command = Command::new(&example);
        command.arg("--db").arg(db).args(["--base-url", &api.base_url()]);
        command.args(["--page-size", PAGE_SIZE, "--delay-ms", DELAY_MS]);
        command
    };

    // How long a first run and an incremental run take here, to aim the kills.
    let calibration = dir.path().join("calibration.db");
    let (full, _) = timed(|| finish(sync(&calibration)));
    let (incremental, _) = timed(|| finish(sync(&calibration)));
    let walk = full.saturating_sub(incremental);

    let seed = std::env::var("SYNC_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        u64::try_from(std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_nanos() % (1 << 63)).unwrap()
    });
    let mut random = XorShift(seed | 1);
    let db = dir.path().join("leads.db");
    let mut mid_walk = 0;
    let mut moments = Vec::new();
    for _ in 0..KILLS {
        // In the first half or so of what is left of the walk, so that most
        // kills land in it; once it is done, in an incremental run.
        let rows = u32::try_from(rows(&db).len()).unwrap();
        let left = incremental + walk.mul_f64(f64::from(LEADS - rows) / f64::from(LEADS));
        let moment = left.mul_f64(0.05 + 0.6 * random.unit());
        let mut child = sync(&db).stdout(Stdio::null()).spawn().unwrap();
        std::thread::sleep(moment);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let killed = status.signal() == Some(9);
        assert!(killed || status.success(), "{status:?}");
        moments.push(format!("{}ms{}", moment.as_millis(), if killed { "" } else { " (done before)" }));
        let checkpoint = assert_consistent(&db);
        mid_walk += usize::from(killed && checkpoint.is_some());
    }

    let output = finish(sync(&db));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().last(), Some(format!("synced {LEADS} items").as_str()), "{stdout}");
    let rows = rows(&db);
    let expected: HashSet<String> = ids(&api);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &rows {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    assert!(
        counts.values().all(|n| *n == 1),
        "a lead twice: {:?}",
        counts.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    assert_eq!(counts.keys().map(|id| (*id).to_owned()).collect::<HashSet<_>>(), expected, "a lead lost");
    let (checkpoint, watermark) = state(&db);
    assert!(checkpoint.is_none(), "the run finished");
    let last =
        api.dataset(Resource::Leads).iter().filter_map(|lead| lead["date_updated"].as_str()).max().unwrap();
    let watermark = watermark.expect("a watermark");
    assert_eq!(watermark.value, SliceKey::Text(last.to_owned()));
    assert_eq!(watermark.at_value.len(), 1, "one lead at the last date_updated");

    // One more run: incremental, and empty (the lead at the watermark comes again and is dropped).
    let output = finish(sync(&db));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with(&format!("incremental run after {last}")), "{stdout}");
    assert_eq!(stdout.lines().last(), Some(format!("synced {LEADS} items").as_str()), "{stdout}");
    assert_eq!(state(&db), (None, Some(watermark)), "an empty run leaves the watermark as it was");
    let requests = api.take_requests();
    let last_run = &requests[requests.len() - 1];
    assert_eq!(last_run.query("date_updated__gte").as_deref(), Some(last), "the start on the wire");

    eprintln!(
        "sync_kill: seed {seed}, {KILLS} kills at {} ({mid_walk} mid-walk), {} ids once each, \
         a full run {full:?}, in all {:?}",
        moments.join(", "),
        rows.len(),
        started.elapsed()
    );
    assert!(mid_walk >= 1, "no kill landed in the middle of the walk: {moments:?}");
}

/// The example's binary, built if `cargo test` did not build it (as with
/// `cargo test --test sync_kill`); next to this test's own binary.
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let target_dir = profile_dir.parent().expect("target/<profile>");
    let mut build = Command::new(option_env!("CARGO").unwrap_or("cargo"));
    build.args(["build", "--quiet", "--example", "sync_sqlite", "--target-dir"]).arg(target_dir);
    if profile_dir.file_name().is_some_and(|name| name == "release") {
        build.arg("--release");
    }
    let status = build.current_dir(env!("CARGO_MANIFEST_DIR")).status().unwrap();
    assert!(status.success(), "cargo build --example sync_sqlite: {status:?}");
    profile_dir.join("examples").join("sync_sqlite")
}

/// Runs to the end (30 s at most) and succeeds.
fn finish(mut command: Command) -> Output {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("sync_sqlite did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

/// After a kill: no lead twice, and a stored checkpoint that goes on
/// exactly after the rows written with it. Returns that checkpoint.
fn assert_consistent(db: &Path) -> Option<Checkpoint> {
    let rows = rows(db);
    assert_eq!(rows.iter().collect::<HashSet<_>>().len(), rows.len(), "a lead twice after a kill");
    let (checkpoint, _) = state(db);
    if let Some(checkpoint) = &checkpoint {
        assert_eq!(checkpoint.position, Position::Offset(rows.len() as u64), "rows and checkpoint apart");
    }
    checkpoint
}

fn rows(db: &Path) -> Vec<String> {
    if !db.exists() {
        return Vec::new();
    }
    let db = Connection::open(db).unwrap();
    let table: Option<String> = db
        .query_row("SELECT name FROM sqlite_master WHERE name = 'items'", [], |row| row.get(0))
        .optional()
        .unwrap();
    if table.is_none() {
        return Vec::new();
    }
    let mut select = db.prepare("SELECT id FROM items").unwrap();
    select.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

fn state(db: &Path) -> (Option<Checkpoint>, Option<Watermark>) {
    let db = Connection::open(db).unwrap();
    let row: Option<(Option<String>, Option<String>)> = db
        .query_row("SELECT checkpoint, watermark FROM sync_state", [], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .unwrap_or(None);
    let (checkpoint, watermark) = row.unwrap_or_default();
    (
        checkpoint.map(|json| serde_json::from_str(&json).unwrap()),
        watermark.map(|json| serde_json::from_str(&json).unwrap()),
    )
}

fn ids(api: &MockApi) -> HashSet<String> {
    api.dataset(Resource::Leads).iter().map(|lead| lead["id"].as_str().unwrap().to_owned()).collect()
}

/// Kill moments from a seed, without a dependency.
struct XorShift(u64);

impl XorShift {
    /// In [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        f64::from(u32::try_from(self.0 >> 32).unwrap()) / 2f64.powi(32)
    }
}

/// A directory removed at the end of the test.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().subsec_nanos();
        let path = std::env::temp_dir().join(format!("paginated-sync-kill-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
