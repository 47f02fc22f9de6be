//! One page over HTTP: send, check the status, decode with the serde path of
//! any failure.

use std::future::Future;
use std::pin::Pin;

use crate::error::{ErrorKind, api_message, excerpt};
use crate::spec::Paginated;

/// The in-flight request of a page.
pub(crate) type PageFuture<P> = Pin<Box<dyn Future<Output = Result<P, ErrorKind>> + Send>>;

const BODY_EXCERPT: usize = 512;

/// Sends `request` and decodes the page.
pub(crate) fn fetch<P>(client: reqwest::Client, request: reqwest::Request) -> PageFuture<P>
where
    P: Paginated + Send + 'static,
{
    Box::pin(async move {
        let label = describe(&request);
        let response = client.execute(request).await.map_err(ErrorKind::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(ErrorKind::Transport)?;
        if !status.is_success() {
            return Err(ErrorKind::Status {
                status,
                request: label,
                message: api_message(&body),
                body: excerpt(&body, BODY_EXCERPT),
            });
        }
        decode(&body)
    })
}

/// `GET http://host/path`: the query is left out, because it may hold
/// credentials (`?access_token=`) and long cursors.
fn describe(request: &reqwest::Request) -> String {
    let url = request.url();
    format!("{} {}{}", request.method(), url.origin().ascii_serialization(), url.path())
}

/// Decodes a page, reporting the serde path and the body around a failure.
pub(crate) fn decode<P: Paginated>(body: &[u8]) -> Result<P, ErrorKind> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let page = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        decode_error(path, &e.into_inner(), body)
    })?;
    de.end().map_err(|e| decode_error(String::new(), &e, body))?;
    Ok(page)
}

fn decode_error(path: String, e: &serde_json::Error, body: &[u8]) -> ErrorKind {
    ErrorKind::Decode { path, excerpt: around(body, e.line(), e.column()), message: e.to_string() }
}

/// About 80 bytes of `body` around a 1-based line and column.
fn around(body: &[u8], line: usize, column: usize) -> String {
    let line_start: usize =
        body.split(|b| *b == b'\n').take(line.saturating_sub(1)).map(|l| l.len() + 1).sum();
    let at = (line_start + column).min(body.len());
    let start = at.saturating_sub(60);
    let end = (at + 20).min(body.len());
    String::from_utf8_lossy(&body[start..end]).into_owned()
}
