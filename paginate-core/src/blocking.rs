//! The blocking API (feature `blocking`): the same walks as plain
//! [`Iterator`]s over `reqwest::blocking`, with the same declarations, limits,
//! retries, checkpoints and guards.
//!
//! ```no_run
//! use paginate_core::blocking::PaginateBlockingExt;
//! # use paginate_core::{Paginated, Signals, Spec, Style, Target};
//! # #[derive(serde::Deserialize)] struct Contacts { data: Vec<u32>, next: Option<String> }
//! # impl Paginated for Contacts {
//! #     type Item = u32;
//! #     const SPEC: Spec = Spec { cursor: Some(Target::Query("starting_after")), ..Spec::DEFAULT };
//! #     fn signals(&self) -> Signals { Signals::default() }
//! #     fn items(&self) -> &[u32] { &self.data }
//! #     fn items_mut(&mut self) -> &mut Vec<u32> { &mut self.data }
//! # }
//!
//! let client = reqwest::blocking::Client::new();
//! for contact in client.get("https://api.intercom.io/contacts").bearer_auth("token").paginate::<Contacts>().items() {
//!     let contact = contact?;
//!     println!("{contact}");
//! }
//! # Ok::<(), paginate_core::Error>(())
//! ```
//!
//! Each walk runs the async engine on a small private runtime (one worker
//! thread, so lookahead still fetches the next page while you work on this
//! one); the requests themselves go through your blocking client, with its
//! timeouts, proxies and TLS settings.

use std::sync::Arc;

use futures_core::Stream;
use reqwest::ResponseBuilderExt;

use crate::checkpoint::Checkpoint;
use crate::error::Error;
use crate::incremental::Watermark;
use crate::redact;
use crate::spec::Paginated;
use crate::stream::{self, Paginator as AsyncPaginator};
use crate::transport::{BoxError, Transport, TransportFuture};
use crate::walk::StopReason;

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

/// A configured blocking walk; the same options as the async
/// [`Paginator`](crate::Paginator), applied with [`configure`](Paginator::configure).
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
    /// # use paginate_core::blocking::PaginateBlockingExt;
    /// # fn f<P: paginate_core::Paginated + Send + 'static>(client: reqwest::blocking::Client) {
    /// let items = client.get("https://example.com/list").paginate::<P>()
    ///     .configure(|p| p.max_items(1000).page_size(100))
    ///     .items();
    /// # }
    /// ```
    pub fn configure(mut self, f: impl FnOnce(AsyncPaginator<P>) -> AsyncPaginator<P>) -> Self {
        self.setup = self.setup.map(|(paginator, client)| (f(paginator), client));
        self
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
    /// Where to resume so that exactly the items not delivered yet follow.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.walk.stream.as_ref()?.checkpoint()
    }

    /// Why the walk ended, once it ended normally.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.walk.stream.as_ref()?.stop_reason()
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
