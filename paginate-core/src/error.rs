//! The one error type of a walk, with the checkpoint to resume from.

use std::fmt;

use crate::checkpoint::Checkpoint;
use crate::cursor::Cursor;
use crate::redact::{self, Redacted};

/// Why a walk failed.
///
/// Every error that happens after the walk started carries the page it
/// happened on and a [`Checkpoint`] to resume from: items that were already
/// yielded stay yielded, and resuming yields exactly the ones that were not.
///
/// ```
/// # async fn run(req: reqwest::RequestBuilder) {
/// # #[derive(serde::Deserialize, paginated::Paginated)]
/// # #[paginate(style = "cursor", cursor_field = "next", cursor_param = "after")]
/// # struct Page { #[paginate(items)] data: Vec<u32>, next: Option<String> }
/// use paginated::{ErrorKind, PaginateExt};
///
/// match req.paginate::<Page>().collect().await {
///     Ok(items) => println!("{} items", items.len()),
///     Err(err) => {
///         if let ErrorKind::Status { status, .. } = err.kind() {
///             eprintln!("the API answered {status}");
///         }
///         // Store it, and later: req.paginate::<Page>().resume_from(checkpoint)
///         let _checkpoint = err.checkpoint().cloned();
///     }
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    page: Option<u64>,
    checkpoint: Option<Checkpoint>,
}

/// What went wrong; see [`Error::kind`].
///
/// Its `Debug` output, like [`Error`]'s `Display` and `Debug`, shows no
/// credential: URL userinfo, sensitive query values and `Bearer` tokens are
/// `REDACTED`. The fields keep what the server sent (a `CrossOrigin` URL, a
/// message), for code that needs it.
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with a status that is not a success.
    Status {
        /// The HTTP status.
        status: reqwest::StatusCode,
        /// The method and URL of the request.
        request: String,
        /// The API's own message, when the body is JSON with a usual
        /// `message` / `error` / `errors[0].message` field.
        message: Option<String>,
        /// The start of the response body.
        body: String,
        /// Whether the response is a rate limit (429, a 403 with a spent
        /// quota, or a declared `rate_limit_status` / `rate_limit_match` /
        /// `rate_limit_field`), which was retried after the wait it advertised.
        rate_limited: bool,
    },
    /// The response body is not the declared response type.
    Decode {
        /// The path of the field that failed, as serde sees it (`pages.next.starting_after`).
        path: String,
        /// serde's message.
        message: String,
        /// The part of the body around the failure.
        excerpt: String,
        /// Whether the body is not well-formed JSON (cut short, or broken):
        /// a network fault, retried. A well-formed body that does not fit the
        /// declared type is not retried: the same request would get it again.
        malformed: bool,
    },
    /// The API answered with a success status but reported an error in the
    /// body (`api_error = "path"`: Slack's `{"ok": false, "error": ...}`,
    /// GraphQL's `errors`).
    Api {
        /// The API's message.
        message: String,
        /// Whether it is one of the declared rate-limit errors
        /// (`rate_limit_error`), which are retried like a 429.
        rate_limited: bool,
    },
    /// The server no longer accepts the cursor, next URL or state the request
    /// carried: it expired (Asana's "offset expired", Salesforce's
    /// `INVALID_QUERY_LOCATOR`, an Elasticsearch scroll's
    /// `search_context_missing_exception`), as the declaration says with its
    /// `cursor_expired_*` keys. Never retried: the same request gets the same
    /// answer. The error's checkpoint still carries that cursor, so resuming
    /// from it cannot work either: the walk has to start again from its first
    /// request, which
    /// [`Paginator::on_cursor_expired`](crate::Paginator::on_cursor_expired)
    /// does by itself when asked to.
    CursorExpired {
        /// The HTTP status (a success when the API reported it in the body,
        /// with `api_error` and `cursor_expired_error`).
        status: reqwest::StatusCode,
        /// The method and URL of the request, without the query.
        request: String,
        /// The API's message, or the start of the body.
        message: String,
        /// How many times the walk had already started again from its first
        /// request ([`ExpiredCursorPolicy::Restart`](crate::ExpiredCursorPolicy::Restart)).
        restarts: u32,
    },
    /// The request could not be sent or the response could not be read.
    ///
    /// A `reqwest::Error` stays one, with the credentials of its URL
    /// redacted; another client's error is wrapped so that what it prints is
    /// redacted, and its sources still chain.
    Transport(crate::transport::BoxError),
    /// The declaration or the runtime options cannot work with this request;
    /// reported before any request is sent.
    Config(String),
    /// The server sent a cursor that this walk already used: following it
    /// would loop forever.
    Loop {
        /// The repeated cursor.
        cursor: Cursor,
    },
    /// The server asked to wait longer than [`RetryPolicy::max_wait`](crate::RetryPolicy::max_wait)
    /// before trying again.
    RetryAfterTooLong {
        /// The HTTP status (429 or 503).
        status: reqwest::StatusCode,
        /// How long the server asked to wait.
        asked: std::time::Duration,
        /// The longest wait the policy allows.
        max_wait: std::time::Duration,
    },
    /// The walk was led to another origin (scheme, host or port) than its
    /// request's, and that was not allowed
    /// ([`Paginator::allow_cross_origin`](crate::Paginator::allow_cross_origin)):
    /// a next URL there (never requested), a redirect there that the client
    /// stopped ([`redirect_policy`](crate::redirect_policy)), or a response that
    /// came from there after the client followed a redirect (not delivered).
    /// Never retried.
    CrossOrigin {
        /// The URL on the other origin.
        url: String,
    },
    /// A cursor declared `cursor_encoded` holds characters that a
    /// percent-encoded value cannot hold (`&`, `#`, a space...), so sending it
    /// as it is could change the request.
    UnsafeCursor {
        /// The cursor as the server sent it.
        cursor: Cursor,
    },
    /// A `slice_by` walk saw an item whose slice value is below the one before
    /// it: the request is not sorted ascending by that field, so slicing
    /// could skip data. The walk stops instead.
    SliceOrder {
        /// The value before.
        previous: crate::slice::SliceKey,
        /// The smaller value that followed.
        found: crate::slice::SliceKey,
    },
    /// A `slice_by` walk saw an item without a value for the slice field.
    SliceValueMissing,
    /// An incremental walk (`since_field`) saw an item without a since
    /// value, so it cannot tell whether the item is new. The page is not
    /// delivered: the error's checkpoint re-sends its request.
    SinceValueMissing,
    /// An offset or page-number walk received the same page twice in a row
    /// (a server that clamps the offset and returns its last page again).
    /// Pages are compared by their items, as raw JSON: a field around them
    /// that changes on every response (a `request_id`) does not make a page new.
    DuplicatePage,
    /// A response body was larger than the cap (see
    /// [`Paginator::max_body_bytes`](crate::Paginator::max_body_bytes)).
    BodyTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The next request would need an offset above the API's `max_offset`.
    MaxOffset {
        /// The declared (or configured) maximum.
        max_offset: u64,
        /// The offset the next page would start at.
        next_offset: u64,
    },
    /// The next request would need a page number above the API's `max_page`
    /// (Freshdesk refuses pages past 300). Its own variant, not a
    /// [`MaxOffset`](ErrorKind::MaxOffset): a page number is no offset, and the
    /// page size that would convert one into the other may be unknown.
    MaxPage {
        /// The declared largest page number, in the API's numbering.
        max_page: u64,
        /// The page number the next request would carry.
        next_page: u64,
    },
    /// The checkpoint given to [`Paginator::resume_from`](crate::Paginator::resume_from)
    /// does not fit this walk (a position of another style, a next URL on
    /// another origin, a number out of range, a format from a newer release);
    /// reported before any request is sent.
    InvalidCheckpoint {
        /// What is wrong with it.
        reason: String,
    },
    /// A counter of the walk (the offset, the page number, the pages or items
    /// so far) would pass `u64::MAX`; the walk stops rather than wrap.
    Overflow {
        /// Which counter.
        counter: &'static str,
    },
    /// A response header the walk reads its next position from (a declared
    /// `cursor_header`, or `Link`) holds bytes that are not visible ASCII, so
    /// the next page is unknown. The page that carried it is not delivered:
    /// the error's checkpoint re-sends its request.
    UnreadableHeader {
        /// The header's name, lower case.
        name: String,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, page: Option<u64>, checkpoint: Option<Checkpoint>) -> Error {
        Error { inner: Box::new(Inner { kind, page, checkpoint }) }
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config(message.into()), None, None)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The 1-based number of the page (in this walk, counting resumed pages)
    /// whose request failed; `None` for errors before the first request.
    pub fn page(&self) -> Option<u64> {
        self.inner.page
    }

    /// Where to resume: pass it to [`Paginator::resume_from`](crate::Paginator::resume_from).
    /// `None` for configuration errors, where nothing was sent.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.inner.checkpoint.as_ref()
    }

    pub(crate) fn checkpoint_mut(&mut self) -> Option<&mut Checkpoint> {
        self.inner.checkpoint.as_mut()
    }

    /// The HTTP status, for [`ErrorKind::Status`].
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match &self.inner.kind {
            ErrorKind::Status { status, .. } | ErrorKind::CursorExpired { status, .. } => Some(*status),
            ErrorKind::Transport(e) => e.downcast_ref::<reqwest::Error>().and_then(reqwest::Error::status),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed (a rate limit, a
    /// server error or a network failure).
    pub fn is_transient(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Status { status, rate_limited, .. } => *rate_limited || retryable_status(*status),
            ErrorKind::RetryAfterTooLong { .. } => true,
            ErrorKind::Transport(e) => crate::transport::is_retryable(e.as_ref()),
            ErrorKind::Decode { malformed, .. } => *malformed,
            ErrorKind::Api { rate_limited, .. } => *rate_limited,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact::text(&Unredacted(self).to_string()))
    }
}

/// The message of an error, before its credentials are redacted.
struct Unredacted<'a>(&'a Error);

impl fmt::Display for Unredacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Unredacted(Error { inner }) = self;
        if let Some(page) = inner.page {
            write!(f, "page {page}: ")?;
        }
        match &inner.kind {
            ErrorKind::Status { status, request, message, body, .. } => {
                write!(f, "{request} answered {status}")?;
                match message {
                    Some(m) => write!(f, ": {m}"),
                    None if body.is_empty() => Ok(()),
                    None => write!(f, ": {body}"),
                }
            }
            ErrorKind::Decode { path, message, excerpt, malformed: true } => {
                write!(f, "the response body is not well-formed JSON")?;
                if !path.is_empty() && path != "." {
                    write!(f, " (in `{path}`)")?;
                }
                write!(f, ": {message} (body near the error: {excerpt:?})")
            }
            ErrorKind::Decode { path, message, excerpt, malformed: false } => {
                write!(f, "the response does not match the declared type")?;
                if !path.is_empty() && path != "." {
                    write!(f, " at `{path}`")?;
                }
                write!(f, ": {message} (body near the error: {excerpt:?})")?;
                if let Some(hint) = decode_hint(path, message) {
                    write!(f, "; {hint}")?;
                }
                Ok(())
            }
            ErrorKind::Api { message, rate_limited: false } => {
                write!(f, "the API reported an error: {message}")
            }
            ErrorKind::Api { message, rate_limited: true } => {
                write!(f, "the API kept reporting a rate limit ({message}) after every retry")
            }
            ErrorKind::CursorExpired { status, request, message, restarts } => {
                write!(f, "{request} answered {status}: the cursor it was sent has expired")?;
                if !message.is_empty() {
                    write!(f, " ({message})")?;
                }
                match restarts {
                    0 => write!(
                        f,
                        "; only a walk from the first request again gets past it \
                         (`.on_cursor_expired(ExpiredCursorPolicy::Restart {{ .. }})` does that)"
                    ),
                    1 => write!(f, ", again after the walk started over once; it stopped there"),
                    n => write!(f, ", again after the walk started over {n} times; it stopped there"),
                }
            }
            ErrorKind::Transport(e) => write!(f, "request failed: {e}"),
            ErrorKind::Config(m) => write!(f, "invalid pagination setup: {m}"),
            ErrorKind::Loop { cursor } => write!(
                f,
                "the server sent cursor {cursor:?} again; following it would loop, so the walk stopped \
                 (use `.on_loop(LoopPolicy::Stop)` to end quietly)"
            ),
            ErrorKind::CrossOrigin { url } => write!(
                f,
                "the walk was led to another origin ({url}) and stopped there: nothing from it is \
                 delivered. A next URL there is never requested, and a client built with \
                 `redirect(paginated::redirect_policy())` never follows a redirect there; \
                 `.allow_cross_origin(true)` goes there with only non-credential headers"
            ),
            ErrorKind::UnsafeCursor { cursor } => write!(
                f,
                "the cursor {cursor:?} is declared `cursor_encoded` but is not a percent-encoded \
                 value, so it was not sent"
            ),
            ErrorKind::SliceOrder { previous, found } => write!(
                f,
                "an item's slice value {found} comes after {previous}: the request must be sorted \
                 ascending by the `slice_by` field (for Close, `_order_by=date_created`), or slicing \
                 would skip data"
            ),
            ErrorKind::SliceValueMissing => {
                write!(f, "an item has no value for the `slice_by` field, so the walk cannot slice by it")
            }
            ErrorKind::SinceValueMissing => write!(
                f,
                "an item has no value for the `since_field` field, so the incremental walk cannot tell \
                 whether it is new; the page was not delivered"
            ),
            ErrorKind::DuplicatePage => write!(
                f,
                "the server returned the previous page again, so the walk stopped instead of \
                 repeating items (use `.on_loop(LoopPolicy::Stop)` to end quietly)"
            ),
            ErrorKind::BodyTooLarge { limit } => {
                write!(f, "the response body is larger than the {limit}-byte cap; raise `.max_body_bytes(n)`")
            }
            ErrorKind::RetryAfterTooLong { status, asked, max_wait } => write!(
                f,
                "the server answered {status} and asked to wait {}s, more than the retry policy's \
                 max_wait of {}s; wait, then resume",
                asked.as_secs_f64(),
                max_wait.as_secs_f64()
            ),
            ErrorKind::MaxOffset { max_offset, next_offset } => write!(
                f,
                "the next page starts at offset {next_offset}, above the API's maximum offset \
                 {max_offset}; narrow the request (for example by a date range) and walk again"
            ),
            ErrorKind::MaxPage { max_page, next_page } => write!(
                f,
                "the next page would be page {next_page}, past page {max_page}, the last one the API \
                 serves; narrow the request (for example by a date range) and walk again"
            ),
            ErrorKind::InvalidCheckpoint { reason } => {
                write!(f, "the checkpoint cannot resume this walk: {reason}; nothing was sent")
            }
            ErrorKind::Overflow { counter } => {
                write!(
                    f,
                    "the walk's {counter} would pass the largest number it can hold, so the walk stopped"
                )
            }
            ErrorKind::UnreadableHeader { name } => write!(
                f,
                "the response header `{name}` holds bytes that are not visible ASCII, so the next \
                 page is unknown and this page was not delivered"
            ),
        }?;
        let no_advice = matches!(
            inner.kind,
            ErrorKind::MaxOffset { .. }
                | ErrorKind::MaxPage { .. }
                | ErrorKind::CursorExpired { .. }
                | ErrorKind::InvalidCheckpoint { .. }
                | ErrorKind::Overflow { .. }
                | ErrorKind::Decode { malformed: false, .. }
        );
        if inner.checkpoint.is_some() && !no_advice {
            f.write_str("; resume from the error's checkpoint")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("page", &self.inner.page)
            .field("checkpoint", &self.inner.checkpoint)
            .finish()
    }
}

impl fmt::Debug for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Status { status, request, message, body, rate_limited } => f
                .debug_struct("Status")
                .field("status", status)
                .field("request", &Redacted(request))
                .field("message", &Redacted(message))
                .field("body", &Redacted(body))
                .field("rate_limited", rate_limited)
                .finish(),
            ErrorKind::Decode { path, message, excerpt, malformed } => f
                .debug_struct("Decode")
                .field("path", path)
                .field("message", &Redacted(message))
                .field("excerpt", &Redacted(excerpt))
                .field("malformed", malformed)
                .finish(),
            ErrorKind::Api { message, rate_limited } => f
                .debug_struct("Api")
                .field("message", &Redacted(message))
                .field("rate_limited", rate_limited)
                .finish(),
            ErrorKind::CursorExpired { status, request, message, restarts } => f
                .debug_struct("CursorExpired")
                .field("status", status)
                .field("request", &Redacted(request))
                .field("message", &Redacted(message))
                .field("restarts", restarts)
                .finish(),
            ErrorKind::Transport(e) => f.debug_tuple("Transport").field(&Redacted(e)).finish(),
            ErrorKind::Config(m) => f.debug_tuple("Config").field(&Redacted(m)).finish(),
            ErrorKind::Loop { cursor } => f.debug_struct("Loop").field("cursor", &Redacted(cursor)).finish(),
            ErrorKind::RetryAfterTooLong { status, asked, max_wait } => f
                .debug_struct("RetryAfterTooLong")
                .field("status", status)
                .field("asked", asked)
                .field("max_wait", max_wait)
                .finish(),
            ErrorKind::CrossOrigin { url } => {
                f.debug_struct("CrossOrigin").field("url", &Redacted(url)).finish()
            }
            ErrorKind::UnsafeCursor { cursor } => {
                f.debug_struct("UnsafeCursor").field("cursor", &Redacted(cursor)).finish()
            }
            ErrorKind::SliceOrder { previous, found } => {
                f.debug_struct("SliceOrder").field("previous", previous).field("found", found).finish()
            }
            ErrorKind::SliceValueMissing => f.write_str("SliceValueMissing"),
            ErrorKind::SinceValueMissing => f.write_str("SinceValueMissing"),
            ErrorKind::DuplicatePage => f.write_str("DuplicatePage"),
            ErrorKind::BodyTooLarge { limit } => {
                f.debug_struct("BodyTooLarge").field("limit", limit).finish()
            }
            ErrorKind::MaxOffset { max_offset, next_offset } => f
                .debug_struct("MaxOffset")
                .field("max_offset", max_offset)
                .field("next_offset", next_offset)
                .finish(),
            ErrorKind::MaxPage { max_page, next_page } => {
                f.debug_struct("MaxPage").field("max_page", max_page).field("next_page", next_page).finish()
            }
            ErrorKind::InvalidCheckpoint { reason } => {
                f.debug_struct("InvalidCheckpoint").field("reason", &Redacted(reason)).finish()
            }
            ErrorKind::Overflow { counter } => f.debug_struct("Overflow").field("counter", counter).finish(),
            ErrorKind::UnreadableHeader { name } => {
                f.debug_struct("UnreadableHeader").field("name", name).finish()
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Transport(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// Whether a status may go away on its own: 408, 425, 429 and the 5xx
/// statuses but 501 (not implemented) and 505 (version not supported).
pub(crate) fn retryable_status(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 425 | 429)
        || (status.is_server_error() && !matches!(status.as_u16(), 501 | 505))
}

/// A hint for a body whose top-level JSON type is not the one the struct
/// expects.
///
/// serde reads a struct from a JSON array too, positionally: a bare array
/// (GitHub, Okta) declared without `#[serde(transparent)]` fails at `[0]`,
/// where the first element (an object) meets the first field, or, for a
/// short array, as an array of the wrong length.
fn decode_hint(path: &str, message: &str) -> Option<&'static str> {
    let top = path.is_empty() || path == ".";
    let element = path
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()));
    let array_as_struct = (top && message.starts_with("invalid type: sequence"))
        || (top && message.starts_with("invalid length") && message.contains("expected struct"))
        || (element && message.starts_with("invalid type: map"));
    if array_as_struct {
        Some(
            "the body is a JSON array, not an object: declare the page as a struct with one \
             `#[paginate(items)]` field and `#[serde(transparent)]`",
        )
    } else if top && message.starts_with("invalid type: map") && message.contains("expected a sequence") {
        Some(
            "the body is a JSON object, not an array: declare the struct's fields instead of `#[serde(transparent)]`",
        )
    } else {
        None
    }
}

/// The API's message in a JSON error body: `message`, `error` (string or
/// object with `message`), or `errors[0].message` (Intercom).
pub(crate) fn api_message(v: &serde_json::Value) -> Option<String> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    text(&v["message"])
        .or_else(|| text(&v["error"]))
        .or_else(|| text(&v["error"]["message"]))
        .or_else(|| text(&v["errors"][0]["message"]))
        .or_else(|| text(&v["error_description"]))
}

/// At most `max` bytes of `body` as lossy UTF-8, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]);
    let mut s = text.into_owned();
    if body.len() > max {
        s.push('…');
    }
    s
}
