//! Start from a response: suggests the serde structs and the `#[paginate]`
//! declaration for a paginated endpoint from one sample page.
//!
//! ```text
//! cargo run --example suggest -- --body page1.json \
//!     [--header 'Link: <https://api.example.com/things?page=2>; rel="next"']... \
//!     [--url 'https://api.example.com/things?limit=50'] \
//!     [--request-body query.json] [--request-header 'X-Page-Size: 50']...
//! ```
//!
//! `--body` is the response body (`-` reads stdin); `--header` a response
//! header (repeat it, or `--headers FILE` with one per line, as `curl -D`
//! writes them); `--url` the request's URL, whose query names the page-size,
//! offset and page parameters; `--request-body` the JSON or form body of a POST
//! search; `--request-header` a header of the request (a page size sent in a
//! header). It prints a Rust module: the structs, the declaration, and as
//! comments the evidence for each choice, the alternatives and what one page
//! cannot show.

mod decide;
mod detect;
mod names;
mod render;
mod sample;
mod schema;

use std::process::ExitCode;

pub use sample::{RequestBody, Sample, parse_header, parse_header_lines};

/// The module suggested for one sample.
pub fn suggest(sample: &Sample) -> String {
    render::render(&decide::suggest(sample))
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match parse_args(std::env::args().skip(1)) {
        Ok(sample) => {
            print!("{}", suggest(&sample));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("suggest: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: cargo run --example suggest -- --body page1.json [--header 'Name: value']... \
                     [--headers FILE] [--url URL] [--request-body FILE] [--request-header 'Name: value']...";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Sample, String> {
    let mut sample = Sample::default();
    let mut body: Option<String> = None;
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--body" => body = Some(read(&value)?),
            "--header" => {
                let (name, value) = parse_header(&value).ok_or_else(|| format!("not a header: {value:?}"))?;
                sample.headers.push((name.to_ascii_lowercase(), value));
            }
            "--headers" => {
                let lines = parse_header_lines(&read(&value)?);
                sample.headers.extend(lines.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)));
            }
            "--url" => sample.url = Some(value.parse().map_err(|e| format!("--url {value:?}: {e}"))?),
            "--request-body" => sample.request_body = Some(RequestBody::parse(&read(&value)?)),
            "--request-header" => {
                sample
                    .request_headers
                    .push(parse_header(&value).ok_or_else(|| format!("not a header: {value:?}"))?);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let body = body.ok_or("--body is required")?;
    let parsed = Sample::new(&body).map_err(|e| format!("the body is not JSON: {e}"))?;
    Ok(Sample { body: parsed.body, document: parsed.document, ..sample })
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("stdin: {e}"))
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
    }
}
