//! The blocking API (feature `blocking`): the same walks as plain
//! [`Iterator`]s over `reqwest::blocking`, with the same declarations, limits,
//! retries, checkpoints and guards.
//!
//! ```
//! use paginated::blocking::PaginateBlockingExt;
//! use paginated::Paginated;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Contact { id: String }
//!
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "cursor", cursor_field = "next", cursor_param = "starting_after")]
//! struct Contacts {
//!     #[paginate(items)]
//!     data: Vec<Contact>,
//!     next: Option<String>,
//! }
//!
//! # use paginated::testing::{MockResponse, MockServer};
//! # use serde_json::json;
//! # let runtime = tokio::runtime::Runtime::new().unwrap();
//! # let server = runtime.block_on(MockServer::script(vec![
//! #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "next": "c2"})),
//! #     MockResponse::json(json!({"data": [{"id": "c3"}], "next": null})),
//! # ]));
//! # let url = server.url("/contacts");
//! let client = paginated::reqwest::blocking::Client::new();
//! for contact in client.get(url).bearer_auth("token").paginate::<Contacts>().items() {
//!     let contact = contact?;
//!     println!("{}", contact.id);
//! }
//! # Ok::<(), paginated::Error>(())
//! ```
//!
//! Each walk runs the async engine on a small private runtime (one worker
//! thread, so lookahead still fetches the next page while you work on this
//! one); the requests themselves go through your blocking client, with its
//! timeouts, proxies and TLS settings.

use std::sync::Arc;

use futures_core::Stream;
use reqwest::ResponseBuilderExt;

use std::time::Duration;

use crate::checkpoint::Checkpoint;
use crate::error::Error;
use crate::incremental::Watermark;
use crate::progress::Progress;
use crate::ratelimit::RateLimiter;
use crate::redact;
use crate::retry::{RetryEvent, RetryPolicy};
use crate::spec::Paginated;
use crate::stream::{self, Paginator as AsyncPaginator};
use crate::transport::{BoxError, Transport, TransportFuture};
use crate::walk::{LoopPolicy, StopReason};

/// Starts a blocking walk: `client.get(url).paginate::<Contacts>()`.
pub trait PaginateBlockingExt {
    /// A blocking [`Paginator`] that walks the endpoint described by `P`.
    fn paginate<P: Paginated>(self) -> Paginator<P>;
}

impl PaginateBlockingExt for reqwest::blocking::RequestBuilder {
    fn paginate<P: Paginated>(self) -> Paginator<P> {
        Paginator::new(self)
    }
}

/// A configured blocking walk, with the same options as the async
/// [`Paginator`](crate::Paginator) (and [`configure`](Paginator::configure)
/// for a function that sets several).
///
/// ```
/// use paginated::blocking::PaginateBlockingExt;
/// use paginated::{Paginated, RetryPolicy};
/// use serde::Deserialize;
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", total = "total")]
/// struct Notes {
///     #[paginate(items)]
///     data: Vec<serde_json::Value>,
///     total: u64,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # let runtime = tokio::runtime::Runtime::new().unwrap();
/// # let server = runtime.block_on(MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": 1}, {"id": 2}], "total": 3})),
/// #     MockResponse::json(json!({"data": [{"id": 3}], "total": 3})),
/// # ]));
/// # let url = server.url("/notes");
/// let client = paginated::reqwest::blocking::Client::new();
/// let mut notes = client
///     .get(url)
///     .paginate::<Notes>()
///     .page_size(2)
///     .max_items(1_000)
///     .retry(RetryPolicy::default().max_attempts(3))
///     .items();
/// let first = notes.next().transpose()?;
/// let checkpoint = notes.checkpoint(); // resume from here with `.resume_from(checkpoint)`
/// let rest: Vec<_> = notes.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!((first.is_some(), rest.len(), notes.delivered(), notes.total()), (true, 2, 3, Some(3)));
/// # let _ = checkpoint;
/// # Ok::<(), paginated::Error>(())
/// ```
#[must_use = "a Paginator does nothing until it is turned into an iterator"]
pub struct Paginator<P> {
    setup: Result<(AsyncPaginator<P>, Arc<reqwest::blocking::Client>), Error>,
}

impl<P: Paginated> Paginator<P> {
    /// A blocking walk that replays `request` for every page.
    pub fn new(request: reqwest::blocking::RequestBuilder) -> Paginator<P> {
        let (client, request) = request.build_split();
        let setup = request
            .map_err(|e| {
                Error::config(format!("the request could not be built: {}", redact::reqwest_error(e)))
            })
            .and_then(|request| to_async(&request))
            .map(|request| {
                let client = Arc::new(client);
                let transport = BlockingTransport(client.clone());
                (AsyncPaginator::with_transport(request, transport), client)
            });
        Paginator { setup }
    }

    /// Sets any option of the async [`Paginator`](crate::Paginator): limits,
    /// page size, retry policy, checkpoint to resume from, lookahead...
    ///
    /// ```no_run
    /// # use paginated::blocking::PaginateBlockingExt;
    /// # fn f<P: paginated::Paginated + Send + 'static>(client: reqwest::blocking::Client) {
    /// let items = client.get("https://example.com/list").paginate::<P>()
    ///     .configure(|p| p.max_items(1000).page_size(100))
    ///     .items();
    /// # }
    /// ```
    pub fn configure(mut self, f: impl FnOnce(AsyncPaginator<P>) -> AsyncPaginator<P>) -> Self {
        self.setup = self.setup.map(|(paginator, client)| (f(paginator), client));
        self
    }

    /// Stop after this many items; see [`Paginator::max_items`](crate::Paginator::max_items).
    pub fn max_items(self, limit: u64) -> Self {
        self.configure(|p| p.max_items(limit))
    }

    /// Stop after this many pages; see [`Paginator::max_pages`](crate::Paginator::max_pages).
    pub fn max_pages(self, limit: u64) -> Self {
        self.configure(|p| p.max_pages(limit))
    }

    /// The page size to ask for; see [`Paginator::page_size`](crate::Paginator::page_size).
    pub fn page_size(self, size: u64) -> Self {
        self.configure(|p| p.page_size(size))
    }

    /// Overrides the declared `max_offset`; see [`Paginator::max_offset`](crate::Paginator::max_offset).
    pub fn max_offset(self, max: u64) -> Self {
        self.configure(|p| p.max_offset(max))
    }

    /// How failed page requests are retried; see [`Paginator::retry`](crate::Paginator::retry).
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.configure(|p| p.retry(policy))
    }

    /// Called before each retry's wait; see [`Paginator::on_retry`](crate::Paginator::on_retry).
    pub fn on_retry(self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.configure(|p| p.on_retry(hook))
    }

    /// Called after each page; see [`Paginator::on_page`](crate::Paginator::on_page).
    pub fn on_page(self, hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.configure(|p| p.on_page(hook))
    }

    /// The rate-limit gate of this walk; see [`Paginator::rate_limiter`](crate::Paginator::rate_limiter).
    pub fn rate_limiter(self, limiter: RateLimiter) -> Self {
        self.configure(|p| p.rate_limiter(limiter))
    }

    /// The longest one attempt may take; see [`Paginator::timeout`](crate::Paginator::timeout).
    pub fn timeout(self, timeout: impl Into<Option<Duration>>) -> Self {
        let timeout = timeout.into();
        self.configure(|p| p.timeout(timeout))
    }

    /// The largest response body accepted; see [`Paginator::max_body_bytes`](crate::Paginator::max_body_bytes).
    pub fn max_body_bytes(self, limit: u64) -> Self {
        self.configure(|p| p.max_body_bytes(limit))
    }

    /// What to do when the server would make the walk repeat itself; see
    /// [`Paginator::on_loop`](crate::Paginator::on_loop).
    pub fn on_loop(self, policy: LoopPolicy) -> Self {
        self.configure(|p| p.on_loop(policy))
    }

    /// How many pages the walk may run ahead of you; see
    /// [`Paginator::lookahead`](crate::Paginator::lookahead).
    pub fn lookahead(self, pages: usize) -> Self {
        self.configure(|p| p.lookahead(pages))
    }

    /// How many requests an offset or page walk may have in flight; see
    /// [`Paginator::concurrency`](crate::Paginator::concurrency).
    pub fn concurrency(self, requests: usize) -> Self {
        self.configure(|p| p.concurrency(requests))
    }

    /// Whether the walk may go to another origin; see
    /// [`Paginator::allow_cross_origin`](crate::Paginator::allow_cross_origin).
    pub fn allow_cross_origin(self, allow: bool) -> Self {
        self.configure(|p| p.allow_cross_origin(allow))
    }

    /// Headers that may also go to another origin; see
    /// [`Paginator::cross_origin_headers`](crate::Paginator::cross_origin_headers).
    pub fn cross_origin_headers<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let names: Vec<String> = names.into_iter().map(|name| name.as_ref().to_owned()).collect();
        self.configure(|p| p.cross_origin_headers(names))
    }

    /// Adds a slice's lower bound to the request; see
    /// [`Paginator::slice_with`](crate::Paginator::slice_with).
    pub fn slice_with(
        self,
        add_bound: impl Fn(&mut reqwest::Request, &crate::SliceKey) + Send + Sync + 'static,
    ) -> Self {
        self.configure(|p| p.slice_with(add_bound))
    }

    /// Continues a walk from a checkpoint; see
    /// [`Paginator::resume_from`](crate::Paginator::resume_from).
    pub fn resume_from(self, checkpoint: Checkpoint) -> Self {
        self.configure(|p| p.resume_from(checkpoint))
    }
}

impl<P: Paginated + Send + 'static> Paginator<P> {
    /// An iterator of items, in order, each exactly once.
    pub fn items(self) -> Items<P> {
        Items { walk: Walk::start(self.setup, AsyncPaginator::items) }
    }

    /// An iterator of whole pages.
    pub fn pages(self) -> Pages<P> {
        Pages { walk: Walk::start(self.setup, AsyncPaginator::pages) }
    }

    /// An iterator of whole pages, each with the response it came in (see
    /// [`Page`](crate::Page)).
    pub fn pages_with_meta(self) -> PagesWithMeta<P> {
        PagesWithMeta { walk: Walk::start(self.setup, AsyncPaginator::pages_with_meta) }
    }

    /// Every item of the walk, in order; the first error ends it.
    pub fn collect(self) -> Result<Vec<P::Item>, Error> {
        self.items().collect()
    }
}

/// A stream driven to completion on its own runtime.
struct Walk<S> {
    // Field order is drop order: the stream (and its tasks) go first, then the
    // runtime, and the client last, outside any async context (dropping a
    // blocking client inside one panics).
    stream: Option<S>,
    runtime: Option<tokio::runtime::Runtime>,
    error: Option<Error>,
    _client: Option<Arc<reqwest::blocking::Client>>,
}

impl<S: Stream + Unpin> Walk<S> {
    fn start<P>(
        setup: Result<(AsyncPaginator<P>, Arc<reqwest::blocking::Client>), Error>,
        open: impl FnOnce(AsyncPaginator<P>) -> S,
    ) -> Walk<S> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
        match (setup, runtime) {
            (Ok((paginator, client)), Ok(runtime)) => {
                let stream = {
                    let _entered = runtime.enter();
                    open(paginator)
                };
                Walk { stream: Some(stream), runtime: Some(runtime), error: None, _client: Some(client) }
            }
            (Err(e), _) => Walk { stream: None, runtime: None, error: Some(e), _client: None },
            (_, Err(e)) => Walk {
                stream: None,
                runtime: None,
                error: Some(Error::config(format!("could not start the walk's runtime: {e}"))),
                _client: None,
            },
        }
    }

    fn next(&mut self) -> Option<S::Item> {
        let (Some(stream), Some(runtime)) = (self.stream.as_mut(), self.runtime.as_ref()) else {
            return None;
        };
        runtime.block_on(std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)))
    }
}

/// A blocking iterator of items; see [`Paginator::items`].
///
/// ```
/// use paginated::blocking::PaginateBlockingExt;
/// use paginated::Paginated;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "next", cursor_param = "starting_after")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     next: Option<String>,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # let runtime = tokio::runtime::Runtime::new().unwrap();
/// # let server = runtime.block_on(MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "next": "c2"})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "next": null})),
/// # ]));
/// # let url = server.url("/contacts");
/// let client = paginated::reqwest::blocking::Client::new();
/// let mut contacts = client.get(url).paginate::<Contacts>().items();
/// for contact in contacts.by_ref() {
///     println!("{}", contact?.id);
/// }
/// assert_eq!(contacts.delivered(), 3);
/// assert_eq!(contacts.stop_reason(), Some(paginated::StopReason::NoCursor));
/// # Ok::<(), paginated::Error>(())
/// ```
pub struct Items<P: Paginated> {
    walk: Walk<stream::Items<P>>,
}

impl<P: Paginated + Send + 'static> Iterator for Items<P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.walk.error.take() {
            return Some(Err(e));
        }
        self.walk.next()
    }
}

impl<P: Paginated + Send + 'static> Items<P> {
    /// Where to resume so that exactly the items not delivered yet follow;
    /// `None` once the walk is over. See [`Items::checkpoint`](crate::Items::checkpoint).
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.walk.stream.as_ref()?.checkpoint()
    }

    /// Items delivered by this iterator so far.
    pub fn delivered(&self) -> u64 {
        self.walk.stream.as_ref().map_or(0, stream::Items::delivered)
    }

    /// Why the walk ended, once it ended normally.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.walk.stream.as_ref()?.stop_reason()
    }

    /// The item total the API reported, if it reports one.
    pub fn total(&self) -> Option<u64> {
        self.walk.stream.as_ref()?.total()
    }

    /// How many times a page request was retried so far.
    pub fn retries(&self) -> u64 {
        self.walk.stream.as_ref().map_or(0, stream::Items::retries)
    }

    /// An incremental walk's watermark with the items delivered so far
    /// (see [`Items::watermark`](crate::Items::watermark)).
    pub fn watermark(&self) -> Option<Watermark> {
        self.walk.stream.as_ref()?.watermark()
    }
}

/// A blocking iterator of pages; see [`Paginator::pages`].
///
/// ```
/// use paginated::blocking::PaginateBlockingExt;
/// use paginated::Paginated;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "next", cursor_param = "starting_after")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     next: Option<String>,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # let runtime = tokio::runtime::Runtime::new().unwrap();
/// # let server = runtime.block_on(MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "next": "c2"})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "next": null})),
/// # ]));
/// # let url = server.url("/contacts");
/// let client = paginated::reqwest::blocking::Client::new();
/// for page in client.get(url).paginate::<Contacts>().pages() {
///     let page = page?;
///     println!("{} contacts, next: {:?}", page.data.len(), page.next);
/// }
/// # Ok::<(), paginated::Error>(())
/// ```
pub struct Pages<P> {
    walk: Walk<stream::Pages<P>>,
}

impl<P: Paginated + Send + 'static> Iterator for Pages<P> {
    type Item = Result<P, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.walk.error.take() {
            return Some(Err(e));
        }
        self.walk.next()
    }
}

impl<P: Paginated + Send + 'static> Pages<P> {
    /// Where to resume after the pages delivered so far.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.walk.stream.as_ref()?.checkpoint()
    }

    /// An incremental walk's watermark with the pages delivered so far
    /// (see [`Pages::watermark`](crate::Pages::watermark)).
    pub fn watermark(&self) -> Option<Watermark> {
        self.walk.stream.as_ref()?.watermark()
    }

    /// Why the walk ended, once it ended normally.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.walk.stream.as_ref()?.stop_reason()
    }

    /// The item total the API reported, if it reports one.
    pub fn total(&self) -> Option<u64> {
        self.walk.stream.as_ref()?.total()
    }

    /// How many times a page request was retried so far.
    pub fn retries(&self) -> u64 {
        self.walk.stream.as_ref().map_or(0, stream::Pages::retries)
    }
}

/// A blocking iterator of pages with their responses; see [`Paginator::pages_with_meta`].
pub struct PagesWithMeta<P> {
    walk: Walk<crate::PagesWithMeta<P>>,
}

impl<P: Paginated + Send + 'static> Iterator for PagesWithMeta<P> {
    type Item = Result<crate::Page<P>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.walk.error.take() {
            return Some(Err(e));
        }
        self.walk.next()
    }
}

impl<P: Paginated + Send + 'static> PagesWithMeta<P> {
    /// Where to resume after the pages delivered so far.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.walk.stream.as_ref()?.checkpoint()
    }

    /// Why the walk ended, once it ended normally.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.walk.stream.as_ref()?.stop_reason()
    }

    /// The item total the API reported, if it reports one.
    pub fn total(&self) -> Option<u64> {
        self.walk.stream.as_ref()?.total()
    }

    /// How many times a page request was retried so far.
    pub fn retries(&self) -> u64 {
        self.walk.stream.as_ref().map_or(0, crate::PagesWithMeta::retries)
    }
}

/// Sends each request through the user's blocking client, on a blocking thread.
struct BlockingTransport(Arc<reqwest::blocking::Client>);

impl Transport for BlockingTransport {
    fn execute(&self, request: reqwest::Request) -> TransportFuture {
        let client = self.0.clone();
        Box::pin(async move {
            let joined = tokio::task::spawn_blocking(move || send_blocking(&client, &request)).await;
            joined.map_err(BoxError::from)?
        })
    }
}

fn send_blocking(
    client: &reqwest::blocking::Client,
    request: &reqwest::Request,
) -> Result<reqwest::Response, BoxError> {
    let mut blocking = reqwest::blocking::Request::new(request.method().clone(), request.url().clone());
    *blocking.headers_mut() = request.headers().clone();
    *blocking.timeout_mut() = request.timeout().copied();
    if let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) {
        *blocking.body_mut() = Some(bytes.to_vec().into());
    }
    let response = client.execute(blocking)?;
    // The URL that answered (after redirects), for the walk's origin check.
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    // The body is read in full here; the walk's size cap then applies to it.
    let body = response.bytes()?;
    Ok(reqwest::Response::from(builder.body(body)?))
}

/// The async form of a blocking request (its body must be bytes, to be replayed).
fn to_async(request: &reqwest::blocking::Request) -> Result<reqwest::Request, Error> {
    let mut converted = reqwest::Request::new(request.method().clone(), request.url().clone());
    *converted.headers_mut() = request.headers().clone();
    *converted.timeout_mut() = request.timeout().copied();
    if let Some(body) = request.body() {
        let bytes = body.as_bytes().ok_or_else(|| {
            Error::config(
                "the request body is a reader, which cannot be sent again for the next page; give it bytes",
            )
        })?;
        *converted.body_mut() = Some(bytes.to_vec().into());
    }
    Ok(converted)
}
