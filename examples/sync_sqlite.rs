//! A crash-safe incremental sync into SQLite: Close leads, by `date_updated`.
//!
//! ```text
//! cargo run --example sync_sqlite -- --db leads.db [--base-url URL] [--page-size N] [--delay-ms N]
//! ```
//!
//! Each page's leads, the walk's checkpoint and its watermark are written in
//! one transaction, so whenever the process dies the database holds a page
//! boundary and where the walk goes from there. On start:
//!
//! - a stored checkpoint means the last run did not finish: the walk resumes
//!   from it (same start, same watermark so far);
//! - otherwise a stored watermark starts an incremental run: only leads
//!   updated at or after it are asked for, and those it already holds are
//!   dropped;
//! - otherwise the walk starts from the beginning.
//!
//! The `items` table appends and has no uniqueness constraint on `id`, so a
//! lead delivered twice would show (a real sync would upsert by id, and see a
//! changed lead again as a new version). The last line is `synced N items`,
//! N being the rows of `items`.
//!
//! Without `--base-url`, the walk runs against the embedded mock of Close
//! (`paginated::testing::MockApi`, 1,000 leads); `tests/sync_kill.rs` starts
//! the mock itself, passes its URL and kills this program at random moments.

use std::error::Error;
use std::time::Duration;

use futures_util::StreamExt;
use paginated::testing::MockApi;
use paginated::{Checkpoint, PaginateExt, Paginated, Watermark};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;

/// Close `GET /api/v1/lead/?_order_by=date_updated`, the start in `date_updated__gte`.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "offset", offset_param = "_skip", page_size_param = "_limit", page_size = 50)]
#[paginate(max_page_size = 100, has_more = "has_more")]
#[paginate(since_field = "date_updated", since_param = "date_updated__gte", dedup_by = "id")]
struct Leads {
    #[paginate(items)]
    data: Vec<Lead>,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct Lead {
    id: String,
    display_name: String,
    date_updated: String,
}

/// The walk's row in `sync_state`: one per walk, so slices of a larger sync
/// (a time window, a tenant) would each have their own.
const WALK: &str = "close.leads";

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS items (
        id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        date_updated TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sync_state (
        walk TEXT PRIMARY KEY,
        checkpoint TEXT,
        watermark TEXT
    );
";

struct Args {
    db: String,
    base_url: Option<String>,
    page_size: u64,
    delay: Duration,
}

fn args() -> Result<Args, String> {
    let usage = "usage: sync_sqlite --db PATH [--base-url URL] [--page-size N] [--delay-ms N]";
    let mut args = Args { db: String::new(), base_url: None, page_size: 50, delay: Duration::ZERO };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given.next().ok_or_else(|| format!("{flag} takes a value\n{usage}"))?;
        let number = |value: &str| value.parse::<u64>().map_err(|e| format!("{flag} {value:?}: {e}"));
        match flag.as_str() {
            "--db" => args.db = value,
            "--base-url" => args.base_url = Some(value.trim_end_matches('/').to_owned()),
            "--page-size" => args.page_size = number(&value)?,
            "--delay-ms" => args.delay = Duration::from_millis(number(&value)?),
            _ => return Err(format!("unknown argument {flag}\n{usage}")),
        }
    }
    if args.db.is_empty() {
        return Err(usage.to_owned());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    // Without a server to walk, the embedded mock (kept alive until the end).
    let (_mock, base_url) = if let Some(url) = args.base_url.clone() {
        (None, url)
    } else {
        let mock = MockApi::start().await;
        let url = mock.base_url();
        (Some(mock), url)
    };
    let mut db = Connection::open(&args.db)?;
    db.execute_batch(SCHEMA)?;
    let (checkpoint, watermark) = stored_state(&db)?;

    let client = reqwest::Client::builder().redirect(paginated::redirect_policy()).build()?;
    let mut walk = client
        .get(format!("{base_url}/api/v1/lead/?_order_by=date_updated"))
        .paginate::<Leads>()
        .page_size(args.page_size);
    match (checkpoint, watermark) {
        (Some(checkpoint), _) => {
            println!("resuming the unfinished run at {:?}", checkpoint.position);
            walk = walk.resume_from(checkpoint);
        }
        (None, Some(watermark)) => {
            println!("incremental run after {}", watermark.value);
            walk = walk.since(watermark);
        }
        (None, None) => println!("first run"),
    }

    let mut pages = walk.pages();
    let mut new = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        // The page, where the walk goes next and the watermark: all or nothing.
        let tx = db.transaction()?;
        {
            let mut insert =
                tx.prepare("INSERT INTO items (id, display_name, date_updated) VALUES (?1, ?2, ?3)")?;
            for lead in &page.data {
                insert.execute(params![lead.id, lead.display_name, lead.date_updated])?;
            }
        }
        save_state(&tx, pages.checkpoint().as_ref(), pages.watermark().as_ref())?;
        tx.commit()?;
        new += page.data.len();
        tokio::time::sleep(args.delay).await;
    }
    // Finished: no checkpoint, so the next run is an incremental one.
    save_state(&db, None, pages.watermark().as_ref())?;
    println!("{new} new or changed leads, stopped by {:?}", pages.stop_reason());
    let rows: i64 = db.query_row("SELECT COUNT(*) FROM items", [], |row| row.get(0))?;
    println!("synced {rows} items");
    Ok(())
}

/// The stored checkpoint (`None` once a run finished) and watermark.
fn stored_state(db: &Connection) -> Result<(Option<Checkpoint>, Option<Watermark>), Box<dyn Error>> {
    let row: Option<(Option<String>, Option<String>)> = db
        .query_row("SELECT checkpoint, watermark FROM sync_state WHERE walk = ?1", [WALK], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let (checkpoint, watermark) = row.unwrap_or_default();
    Ok((
        checkpoint.as_deref().map(serde_json::from_str).transpose()?,
        watermark.as_deref().map(serde_json::from_str).transpose()?,
    ))
}

fn save_state(
    db: &Connection,
    checkpoint: Option<&Checkpoint>,
    watermark: Option<&Watermark>,
) -> Result<(), Box<dyn Error>> {
    let checkpoint = checkpoint.map(serde_json::to_string).transpose()?;
    let watermark = watermark.map(serde_json::to_string).transpose()?;
    db.execute(
        "INSERT INTO sync_state (walk, checkpoint, watermark) VALUES (?1, ?2, ?3)
         ON CONFLICT (walk) DO UPDATE SET checkpoint = excluded.checkpoint, watermark = excluded.watermark",
        params![WALK, checkpoint, watermark],
    )?;
    Ok(())
}
