//! A page together with the response it came in: [`Page`], from
//! [`Paginator::pages_with_meta`](crate::Paginator::pages_with_meta).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::checkpoint::Checkpoint;
use crate::engine::{Delivered, Engine};
use crate::error::Error;
use crate::redact;
use crate::spec::Paginated;
use crate::stream::skip_delivered;
use crate::walk::StopReason;

/// One typed page and the HTTP response it came in: its status, the URL that
/// answered (after redirects) and the response headers, for what the body
/// does not say (a request id, the rate-limit quota left, GitLab's `x-total`).
///
/// It derefs to the page, so its fields read as they do on a
/// [`Pages`](crate::Pages) item; [`into_inner`](Page::into_inner) moves it out.
///
/// ```
/// use futures_util::TryStreamExt;
/// use paginated::{PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "link", page_size_param = "per_page", page_size = 100)]
/// #[serde(transparent)]
/// struct Issues {
///     #[paginate(items)]
///     issues: Vec<serde_json::Value>,
/// }
///
/// # async fn run(client: reqwest::Client) -> Result<(), paginated::Error> {
/// let mut pages = client.get("https://api.github.com/repos/rust-lang/rust/issues").paginate::<Issues>().pages_with_meta();
/// while let Some(page) = pages.try_next().await? {
///     let left = page.headers().get("x-ratelimit-remaining").and_then(|v| v.to_str().ok());
///     println!("page {} ({}): {} issues, {left:?} requests left", page.number(), page.status(), page.issues.len());
/// }
/// # Ok(()) }
/// ```
pub struct Page<P> {
    page: P,
    number: u64,
    status: StatusCode,
    url: reqwest::Url,
    headers: HeaderMap,
}

impl<P> Page<P> {
    /// The page number in the walk, from 1 (counting the pages before a resume).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The HTTP status of the response (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The URL that answered, after any redirect the client followed.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The typed page.
    pub fn into_inner(self) -> P {
        self.page
    }
}

impl<P> Deref for Page<P> {
    type Target = P;

    fn deref(&self) -> &P {
        &self.page
    }
}

impl<P> DerefMut for Page<P> {
    fn deref_mut(&mut self) -> &mut P {
        &mut self.page
    }
}

/// The URL and headers with their credentials redacted, as everything printed.
impl<P: fmt::Debug> fmt::Debug for Page<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("number", &self.number)
            .field("status", &self.status)
            .field("url", &redact::url(&self.url))
            .field("headers", &redact::Headers(&self.headers))
            .field("page", &self.page)
            .finish()
    }
}

/// A stream of [`Page`]s; see [`Paginator::pages_with_meta`](crate::Paginator::pages_with_meta).
pub struct PagesWithMeta<P> {
    pub(crate) engine: Engine<P>,
}

impl<P: Paginated + Send + 'static> PagesWithMeta<P> {
    /// Where to resume after the pages delivered so far; `None` once the walk is over.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.engine.next().cloned()
    }

    /// Why the walk ended, once it ended normally.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.engine.stopped()
    }

    /// The item total the API reported, if it reports one.
    pub fn total(&self) -> Option<u64> {
        self.engine.total()
    }

    /// How many times a page request was retried so far.
    pub fn retries(&self) -> u64 {
        self.engine.retries()
    }
}

impl<P: Paginated + Send + 'static> Stream for PagesWithMeta<P> {
    type Item = Result<Page<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(delivered) = ready!(this.engine.poll_page(cx)).transpose()? else {
            return Poll::Ready(None);
        };
        let Delivered { mut page, sent, status, url, headers, .. } = delivered;
        skip_delivered(page.items_mut(), &sent);
        Poll::Ready(Some(Ok(Page {
            page,
            number: sent.pages_before.saturating_add(1),
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            url: url.expect("kept for pages with their response"),
            headers: headers.unwrap_or_default(),
        })))
    }
}

impl<P> Unpin for PagesWithMeta<P> {}
