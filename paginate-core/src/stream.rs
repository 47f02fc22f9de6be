//! The user-facing API: [`Paginator`] and its streams of [`Pages`] and [`Items`].

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

use crate::checkpoint::Checkpoint;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::{Delivered, Engine, Walker};
use crate::error::{Error, ErrorKind};
use crate::fetch::{DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, Fetcher};
use crate::incremental::{self, Watermark};
use crate::page::PagesWithMeta;
use crate::progress::{Observer, Progress, ProgressHook};
use crate::ratelimit::RateLimiter;
use crate::redact;
use crate::request::RequestTemplate;
use crate::retry::{HookDebug, RetryEvent, RetryHook, RetryPolicy};
use crate::spec::Paginated;
use crate::transport::Transport;
use crate::walk::{ExpiredCursorPolicy, LoopPolicy, Options, StopReason, Walk};

/// Starts a walk from a reqwest request: `request.paginate::<Contacts>()`.
///
/// The request is replayed for every page (URL, headers, auth, filters,
/// body), with only the declared pagination fields changed.
///
/// ```
/// use paginated::{PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
/// #[derive(Deserialize)]
/// struct Next { starting_after: Option<String> }
/// #[derive(Deserialize)]
/// struct Pages { next: Option<Next> }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after",
///            page_size_param = "per_page", max_page_size = 150, total = "total_count")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     pages: Pages,
///     total_count: u64,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), paginated::Error> {
/// # let server = MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "pages": {"next": {"starting_after": "c2"}}, "total_count": 3})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "pages": {}, "total_count": 3})),
/// # ]).await;
/// # let url = server.url("/contacts");
/// let client = paginated::reqwest::Client::new();
/// let contacts: Vec<Contact> = client.get(url).bearer_auth("token").paginate::<Contacts>().collect().await?;
/// assert_eq!(contacts.len(), 3);
/// # Ok(()) }
/// ```
pub trait PaginateExt {
    /// A [`Paginator`] that walks the endpoint described by `P`, replaying this
    /// request (URL, headers, auth, filters, body) for every page.
    fn paginate<P: Paginated>(self) -> Paginator<P>;
}

impl PaginateExt for reqwest::RequestBuilder {
    fn paginate<P: Paginated>(self) -> Paginator<P> {
        Paginator::new(self)
    }
}

/// A configured walk over a paginated endpoint, not started yet.
///
/// Build it with [`PaginateExt::paginate`], set limits, then turn it into a
/// stream of [`items`](Paginator::items) or [`pages`](Paginator::pages), or
/// [`collect`](Paginator::collect) every item.
///
/// ```
/// use paginated::{PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
/// #[derive(Deserialize)]
/// struct Next { starting_after: Option<String> }
/// #[derive(Deserialize)]
/// struct Pages { next: Option<Next> }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after",
///            page_size_param = "per_page", max_page_size = 150, total = "total_count")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     pages: Pages,
///     total_count: u64,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), paginated::Error> {
/// # let server = MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "pages": {"next": {"starting_after": "c2"}}, "total_count": 3})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "pages": {}, "total_count": 3})),
/// # ]).await;
/// # let url = server.url("/contacts");
/// use std::time::Duration;
/// use paginated::{LoopPolicy, RetryPolicy};
///
/// let client = paginated::reqwest::Client::builder().redirect(paginated::redirect_policy()).build().unwrap();
/// let walk = client
///     .get(url)
///     .bearer_auth("token")
///     .paginate::<Contacts>()
///     .page_size(150) // checked against `max_page_size` before any request
///     .max_items(10_000)
///     .retry(RetryPolicy::default().max_attempts(5))
///     .timeout(Duration::from_secs(30))
///     .on_loop(LoopPolicy::Stop);
/// let contacts = walk.collect().await?;
/// assert_eq!(contacts.len(), 3);
/// # Ok(()) }
/// ```
#[must_use = "a Paginator does nothing until it is turned into a stream"]
pub struct Paginator<P> {
    source: Source,
    options: Options,
    resume: Option<Checkpoint>,
    policy: RetryPolicy,
    hook: Option<RetryHook>,
    max_body: u64,
    on_page: Option<ProgressHook>,
    lookahead: usize,
    concurrency: usize,
    speculative: bool,
    limiter: RateLimiter,
    timeout: Option<Duration>,
    _page: PhantomData<fn() -> P>,
}

/// The request of a walk and what sends it.
enum Source {
    /// A `reqwest::RequestBuilder`, split into its client and request.
    Builder(reqwest::Client, reqwest::Result<reqwest::Request>),
    Custom(Box<dyn Transport>, reqwest::Request),
}

/// The request with its credentials redacted; the client and transport are left out.
impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Builder(_, Ok(request)) => redact::Request(request).fmt(f),
            Source::Builder(_, Err(e)) => f.debug_tuple("Err").field(&redact::Redacted(e)).finish(),
            Source::Custom(_, request) => f.debug_tuple("Custom").field(&redact::Request(request)).finish(),
        }
    }
}

impl<P> std::fmt::Debug for Paginator<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("request", &self.source)
            .field("options", &self.options)
            .field("resume", &self.resume)
            .field("retry", &self.policy)
            .field("on_retry", &HookDebug(&self.hook))
            .field("max_body", &self.max_body)
            .field("on_page", &self.on_page.as_ref().map(|_| "<fn>"))
            .field("lookahead", &self.lookahead)
            .field("concurrency", &self.concurrency)
            .field("speculative", &self.speculative)
            .field("rate_limiter", &self.limiter)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl<P: Paginated> Paginator<P> {
    /// A walk that replays `request` for every page.
    pub fn new(request: reqwest::RequestBuilder) -> Paginator<P> {
        let (client, request) = request.build_split();
        Paginator::from_source(Source::Builder(client, request))
    }

    fn from_source(source: Source) -> Paginator<P> {
        Paginator {
            source,
            options: Options::default(),
            resume: None,
            policy: RetryPolicy::default(),
            hook: None,
            max_body: DEFAULT_MAX_BODY,
            on_page: None,
            lookahead: 1,
            concurrency: 4,
            speculative: false,
            limiter: RateLimiter::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            _page: PhantomData,
        }
    }

    /// How many decoded pages the walk may run ahead of the consumer (default
    /// 1; 0 turns lookahead off). With lookahead, page N+1 is requested as soon
    /// as page N's cursor is known, while the consumer still works on page N.
    /// Pages still arrive in order and errors in their place; memory holds at
    /// most this many pages more.
    pub fn lookahead(mut self, pages: usize) -> Self {
        self.lookahead = pages;
        self
    }

    /// How many requests an offset or page-number walk may have in flight once
    /// its end is known from the first page (a `total` or `total_pages`; default
    /// 4, 1 turns it off). Pages are delivered in order, no request is sent past
    /// the end, and a short page falls back to one request at a time.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Lets an offset or page-number walk whose end is unknown (no `total` or
    /// `total_pages`: Attio, Close) fan out anyway, up to
    /// [`concurrency`](Paginator::concurrency) requests ahead, assuming every
    /// page is full (default `false`).
    ///
    /// Pages are still delivered in order and each item exactly once: the
    /// first end signal (an empty or short page, `has_more: false`, ...) drops
    /// the requests sent past it, at most `concurrency - 1` of them, counted by
    /// the streams' `wasted_requests()`; a page shorter than the page size
    /// mid-walk re-plans from the offset actually reached. It never goes past
    /// `max_offset`, `max_items` or `max_pages`, and a rate limit holds every
    /// request in flight. Speculation starts after the first full page.
    ///
    /// ```no_run
    /// # use paginate_core::{Paginated, Signals, Spec, Style, Target};
    /// # #[derive(serde::Deserialize)] struct Records { data: Vec<serde_json::Value> }
    /// # impl Paginated for Records {
    /// #     type Item = serde_json::Value;
    /// #     const SPEC: Spec = Spec { style: Style::Offset, offset: Some(Target::Query("offset")),
    /// #         page_size: Some(Target::Query("limit")), default_page_size: Some(100), ..Spec::DEFAULT };
    /// #     fn signals(&self) -> Signals { Signals::default() }
    /// #     fn items(&self) -> &[serde_json::Value] { &self.data }
    /// #     fn items_mut(&mut self) -> &mut Vec<serde_json::Value> { &mut self.data }
    /// # }
    /// use paginate_core::PaginateExt;
    ///
    /// # async fn run(client: reqwest::Client) -> Result<(), paginate_core::Error> {
    /// // #[paginate(style = "offset", offset_param = "offset", page_size_param = "limit", page_size = 100)]
    /// let records = client.get("https://api.attio.com/v2/notes")
    ///     .paginate::<Records>()
    ///     .concurrency(8)
    ///     .speculative(true)
    ///     .collect()
    ///     .await?;
    /// # let _ = records; Ok(()) }
    /// ```
    pub fn speculative(mut self, speculative: bool) -> Self {
        self.speculative = speculative;
        self
    }

    /// A walk that replays `request` and sends every page through `transport`
    /// (another HTTP client; see [`Transport`] and [`transport_fn`](crate::transport_fn)).
    pub fn with_transport(request: reqwest::Request, transport: impl Transport) -> Paginator<P> {
        Paginator::from_source(Source::Custom(Box::new(transport), request))
    }

    /// Calls `hook` after each page is handed to the consumer, with the page
    /// number, its status and item count, the items so far, the reported
    /// total and the elapsed time: for progress bars and metrics.
    pub fn on_page(mut self, hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.on_page = Some(Arc::new(hook));
        self
    }

    /// How failed page requests are retried (see [`RetryPolicy`]; retries are
    /// on by default, [`RetryPolicy::never`] turns them off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The rate-limit gate of this walk (see [`RateLimiter`]). By default each
    /// walk has its own; give walks against one API key a clone of the same
    /// limiter so that a rate limit met by one holds them all, or one built
    /// with [`RateLimiter::per_second`] to pace them below a published rate.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = limiter;
        self
    }

    /// The longest one attempt may take, from sending the request to the last
    /// byte of the body (default 60 s; `None` turns it off). Applied when the
    /// request sets no timeout of its own (`RequestBuilder::timeout` wins). A
    /// timeout is a transient failure: retried, then reported with a checkpoint.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Calls `hook` before each retry's wait, with the page, the attempt, the
    /// wait and the reason; for logs and metrics.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The largest response body accepted, in bytes (default 64 MiB). The cap
    /// is enforced while reading, so a runaway response is an error
    /// ([`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge)), not an out-of-memory.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body = limit;
        self
    }

    /// What to do when the server would make the walk repeat itself (see
    /// [`LoopPolicy`]; default: an error).
    pub fn on_loop(mut self, policy: LoopPolicy) -> Self {
        self.options.on_loop = policy;
        self
    }

    /// What to do when the server says the cursor it was sent has expired
    /// (see [`ExpiredCursorPolicy`]; default: an
    /// [`ErrorKind::CursorExpired`](crate::ErrorKind::CursorExpired) error).
    /// The declaration says what an expired cursor looks like, with its
    /// `cursor_expired_*` keys.
    ///
    /// [`ExpiredCursorPolicy::Restart`] starts the walk over from the first
    /// request and skips what was already delivered, by `dedup_by` key when
    /// declared, else by count (which needs a stable order); every earlier
    /// page is requested again.
    pub fn on_cursor_expired(mut self, policy: ExpiredCursorPolicy) -> Self {
        self.options.on_cursor_expired = policy;
        self
    }

    /// The page size to ask for, overriding the declared `page_size` and any
    /// value in the request. Checked against `max_page_size` before the first request.
    /// A link or custom walk sends it on its first request only (see the
    /// declared `page_size`).
    pub fn page_size(mut self, size: u64) -> Self {
        self.options.page_size = Some(size);
        self
    }

    /// Stop after this many items. Pages are not trimmed: the last page is
    /// requested with the usual page size and the item stream stops midway.
    pub fn max_items(mut self, limit: u64) -> Self {
        self.options.max_items = Some(limit);
        self
    }

    /// Stop after this many pages, on every style (link walks included): a
    /// normal end, [`StopReason::MaxPages`], with no request past that page.
    /// Overrides the declared `max_pages`.
    pub fn max_pages(mut self, limit: u64) -> Self {
        self.options.max_pages = Some(limit);
        self
    }

    /// Whether the walk may go to another origin (scheme, host or port) than
    /// the request's: follow a link walk's next URL there, resume from a
    /// checkpoint whose next URL is there, accept a response that came from
    /// there after the client followed a redirect. Off by default: such a URL
    /// ends the walk with [`ErrorKind::CrossOrigin`](crate::ErrorKind::CrossOrigin)
    /// (or, from a checkpoint, [`ErrorKind::InvalidCheckpoint`](crate::ErrorKind::InvalidCheckpoint)),
    /// before anything is sent to it.
    ///
    /// When on, a request the walk sends to another origin carries only
    /// `Accept`, `Accept-Encoding`, `Accept-Language`, `User-Agent`,
    /// `Content-Type`, `Content-Length`, the declared page-size header, and the
    /// headers named with [`cross_origin_headers`](Paginator::cross_origin_headers):
    /// every other header of the request is left out, whatever its name.
    /// Headers the client adds itself (`ClientBuilder::default_headers`) are
    /// out of the walk's reach: keep credentials on the request, not the
    /// client, when this is on. Redirects are the client's business (see
    /// [`redirect_policy`](crate::redirect_policy)).
    pub fn allow_cross_origin(mut self, allow: bool) -> Self {
        self.options.allow_cross_origin = allow;
        self
    }

    /// Headers of the request that may also go to another origin, besides the
    /// safe ones [`allow_cross_origin`](Paginator::allow_cross_origin) keeps
    /// (names, case-insensitive; an invalid name is an
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) error before any request).
    ///
    /// ```
    /// # fn f<P: paginated::Paginated>(request: reqwest::RequestBuilder) {
    /// use paginated::PaginateExt;
    ///
    /// let walk = request
    ///     .paginate::<P>()
    ///     .allow_cross_origin(true)
    ///     .cross_origin_headers(["x-request-tag", "if-none-match"]);
    /// # let _ = walk; }
    /// ```
    pub fn cross_origin_headers<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.options.cross_origin_headers.extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Adds a slice's lower bound to the request, for a `slice_by` walk whose
    /// API takes it in a query language rather than a parameter (Close's
    /// `query=date_created >= "..."`). Called for every request of every slice
    /// after the first, with the bound (inclusive).
    pub fn slice_with(
        mut self,
        add_bound: impl Fn(&mut reqwest::Request, &crate::SliceKey) + Send + Sync + 'static,
    ) -> Self {
        self.options.slice_with = Some(Arc::new(add_bound));
        self
    }

    /// Starts an incremental walk (`since_field`) after a stored watermark:
    /// its value goes into the declared `since_param` / `since_body` /
    /// `since_header` (or through [`since_with`](Paginator::since_with)) on
    /// every request, as an inclusive lower bound, and the items the
    /// watermark covers are dropped: those below it, and those at it whose
    /// `dedup_by` key it holds (delivered by the run that left it). A bare
    /// value (`.since("2024-05-01T00:00:00Z")`, `.since(1714521600)`) holds
    /// no keys, so the items at it come again.
    ///
    /// The streams' `watermark()` is where the next run starts. A checkpoint
    /// given to [`resume_from`](Paginator::resume_from) carries its walk's
    /// start and watermark, and wins over this.
    ///
    /// ```no_run
    /// # use paginate_core::{Paginated, Signals, SliceKey, Spec, Style, Target};
    /// # #[derive(serde::Deserialize)] struct Lead { id: String, date_updated: String }
    /// # #[derive(serde::Deserialize)] struct Leads { data: Vec<Lead> }
    /// # impl Paginated for Leads {
    /// #     type Item = Lead;
    /// #     const SPEC: Spec = Spec { style: Style::Offset, offset: Some(Target::Query("_skip")), dedup: true,
    /// #         since_field: true, since_target: Some(Target::Query("date_updated__gte")), ..Spec::DEFAULT };
    /// #     fn signals(&self) -> Signals { Signals::default() }
    /// #     fn items(&self) -> &[Lead] { &self.data }
    /// #     fn items_mut(&mut self) -> &mut Vec<Lead> { &mut self.data }
    /// #     fn item_key(lead: &Lead) -> Option<u128> { paginate_core::__private::item_key(&lead.id) }
    /// #     fn since_key(lead: &Lead) -> Option<SliceKey> { Some(SliceKey::from(lead.date_updated.as_str())) }
    /// # }
    /// use paginate_core::{PaginateExt, Watermark};
    ///
    /// # async fn run(client: reqwest::Client, stored: Option<Watermark>) -> Result<(), paginate_core::Error> {
    /// // #[paginate(style = "offset", offset_param = "_skip", dedup_by = "id",
    /// //            since_field = "date_updated", since_param = "date_updated__gte")]
    /// let mut walk = client.get("https://api.close.com/api/v1/lead/?_order_by=date_updated").paginate::<Leads>();
    /// if let Some(stored) = stored {
    ///     walk = walk.since(stored);
    /// }
    /// let mut leads = walk.items();
    /// // ... consume `leads`, then store `leads.watermark()` for the next run.
    /// # let _ = &mut leads; Ok(()) }
    /// ```
    pub fn since(mut self, watermark: impl Into<Watermark>) -> Self {
        self.options.since = Some(watermark.into());
        self
    }

    /// Adds an incremental walk's start to the request, for an API that
    /// takes it in a query language rather than a parameter (Intercom's
    /// search `{"field": "updated_at", "operator": ">", "value": ...}`, Close's
    /// `query=date_updated >= "..."`). Called for every request of a walk
    /// that starts after a watermark, with the watermark's value (inclusive);
    /// on a link walk, for the first request only (the next URLs carry it).
    pub fn since_with(
        mut self,
        add_start: impl Fn(&mut reqwest::Request, &crate::SliceKey) + Send + Sync + 'static,
    ) -> Self {
        self.options.since_with = Some(Arc::new(add_start));
        self
    }

    /// Overrides the declared `max_offset`: the largest 0-based start offset
    /// the API accepts (for a page walk, that of a page: `(page - first_page)
    /// × page size`). The walk ends with
    /// [`ErrorKind::MaxOffset`](crate::ErrorKind::MaxOffset) before sending more.
    pub fn max_offset(mut self, max: u64) -> Self {
        self.options.max_offset = Some(max);
        self
    }

    /// Continues a walk from a checkpoint (from [`Error::checkpoint`] or a
    /// stream's `checkpoint()`), delivering exactly the items not delivered yet.
    /// The request given to [`PaginateExt::paginate`] must be the same one.
    ///
    /// The checkpoint is checked first (see [`Checkpoint`]): one that does not
    /// fit this walk makes the stream's first item an
    /// [`ErrorKind::InvalidCheckpoint`](crate::ErrorKind::InvalidCheckpoint)
    /// error, and nothing is sent.
    pub fn resume_from(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }
}

impl<P: Paginated + Send + 'static> Paginator<P> {
    /// The walk, ready to start; `keep_response` keeps each page's URL and
    /// headers for [`Page`](crate::Page).
    fn engine(self, keep_response: bool) -> Engine<P> {
        let (transport, request): (Box<dyn Transport>, _) = match self.source {
            Source::Builder(client, request) => (Box::new(client), request),
            Source::Custom(transport, request) => (transport, Ok(request)),
        };
        let fetcher = Arc::new(Fetcher {
            hook: self.hook,
            max_body: self.max_body,
            limiter: self.limiter,
            timeout: self.timeout,
            allow_cross_origin: self.options.allow_cross_origin,
            keep_response,
            ..Fetcher::new(transport, self.policy)
        });
        let setup = request
            .map_err(|e| {
                Error::config(format!("the request could not be built: {}", redact::reqwest_error(e)))
            })
            .and_then(|request| RequestTemplate::new(request, P::SPEC, &self.options));
        // What the streams report as the watermark if the walk cannot start.
        let watermark = match self.resume.as_ref().and_then(|cp| cp.since.as_ref()) {
            Some(since) => since.watermark.clone(),
            None => self.options.since.clone(),
        };
        match setup {
            Ok(template) => {
                let start = match self.resume {
                    None => Checkpoint::new(template.start().clone()),
                    Some(checkpoint) => {
                        let allow = self.options.allow_cross_origin;
                        if let Err(reason) = checkpoint.check(&P::SPEC, &template.origin(), allow) {
                            let kind = ErrorKind::InvalidCheckpoint { reason };
                            return Engine::failed(Error::new(kind, None, None), watermark);
                        }
                        checkpoint
                    }
                };
                let mut walk = Walk::new(P::SPEC, &self.options, template.page_size(), start);
                if walk.since_bound().is_some() && !template.places_since() {
                    let error = Error::config(
                        "an incremental walk needs to know where its start goes: declare `since_param`, \
                         `since_body` or `since_header`, or call `.since_with(..)`",
                    );
                    return Engine::failed(error, watermark);
                }
                if let Err(kind) = walk.check_start() {
                    return Engine::failed(Error::new(kind, None, None), watermark);
                }
                let observer =
                    Observer::new(self.on_page, std::any::type_name::<P>(), P::SPEC.style.as_str());
                Engine::new(
                    Walker::new(fetcher, template, walk, self.concurrency, self.speculative)
                        .on_cursor_expired(self.options.on_cursor_expired),
                    self.lookahead,
                    observer,
                )
            }
            Err(e) => Engine::failed(e, watermark),
        }
    }

    /// A stream of whole pages, each the typed response (so fields such as
    /// `total_count` stay visible).
    pub fn pages(self) -> Pages<P> {
        Pages { engine: self.engine(false) }
    }

    /// A stream of whole pages, each with the response it came in: its HTTP
    /// status, the URL that answered and the response headers (see
    /// [`Page`](crate::Page), which derefs to the typed page).
    pub fn pages_with_meta(self) -> PagesWithMeta<P> {
        PagesWithMeta { engine: self.engine(true) }
    }

    /// A stream of items, in order, each exactly once.
    pub fn items(self) -> Items<P> {
        let max_items = self.options.max_items;
        let delivered_before = self.resume.as_ref().map_or(0, |cp| cp.items_delivered);
        let engine = self.engine(false);
        let watermark = engine.watermark().cloned();
        Items {
            engine,
            buffer: Vec::new().into_iter(),
            current: None,
            delivered_before,
            delivered: 0,
            max_items,
            watermark,
        }
    }

    /// Every item of the walk, in order; the first error ends it.
    pub async fn collect(self) -> Result<Vec<P::Item>, Error> {
        let mut items = self.items();
        let mut out = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await {
            out.push(item?);
        }
        Ok(out)
    }
}

/// A stream of pages; see [`Paginator::pages`].
///
/// With `max_items`, no page is requested once that many items were received,
/// but pages are delivered whole.
///
/// ```
/// use paginated::{PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
/// #[derive(Deserialize)]
/// struct Next { starting_after: Option<String> }
/// #[derive(Deserialize)]
/// struct Pages { next: Option<Next> }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after",
///            page_size_param = "per_page", max_page_size = 150, total = "total_count")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     pages: Pages,
///     total_count: u64,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), paginated::Error> {
/// # let server = MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "pages": {"next": {"starting_after": "c2"}}, "total_count": 3})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "pages": {}, "total_count": 3})),
/// # ]).await;
/// # let url = server.url("/contacts");
/// use futures_util::TryStreamExt;
///
/// let client = paginated::reqwest::Client::new();
/// let mut pages = client.get(url).paginate::<Contacts>().pages();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} of {} contacts", page.data.len(), page.total_count);
/// }
/// assert_eq!(pages.total(), Some(3));
/// assert_eq!(pages.stop_reason(), Some(paginated::StopReason::TotalReached));
/// # Ok(()) }
/// ```
pub struct Pages<P> {
    engine: Engine<P>,
}

impl<P: Paginated + Send + 'static> Pages<P> {
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

    /// An incremental walk's watermark: the largest `since_field` value of
    /// the pages delivered so far, with the `dedup_by` keys of the items at
    /// it; the one it started after until a page raises it; `None` for a
    /// walk that is not incremental or has delivered nothing yet from the
    /// beginning. Store it and pass it to [`Paginator::since`] next run.
    pub fn watermark(&self) -> Option<Watermark> {
        self.engine.watermark().cloned()
    }

    /// How many times a page request was retried so far.
    pub fn retries(&self) -> u64 {
        self.engine.retries()
    }

    /// How many requests were sent ahead and then dropped: past the end of a
    /// [`speculative`](Paginator::speculative) walk, or re-planned after a
    /// short page.
    pub fn wasted_requests(&self) -> u64 {
        self.engine.wasted()
    }
}

impl<P: Paginated + Send + 'static> Stream for Pages<P> {
    type Item = Result<P, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(Delivered { mut page, sent, .. }) = ready!(this.engine.poll_page(cx)).transpose()? else {
            return Poll::Ready(None);
        };
        skip_delivered(page.items_mut(), &sent);
        Poll::Ready(Some(Ok(page)))
    }
}

impl<P> Unpin for Pages<P> {}

/// Drops the items of a resumed page that were delivered before the checkpoint.
pub(crate) fn skip_delivered<T>(items: &mut Vec<T>, sent: &Checkpoint) {
    let skip = usize::try_from(sent.skip_items).unwrap_or(usize::MAX);
    items.drain(..skip.min(items.len()));
}

/// A stream of items; see [`Paginator::items`].
///
/// Its [`checkpoint`](Items::checkpoint) says where to resume so that exactly
/// the items not delivered yet follow, at any time; so does every error.
///
/// ```
/// use paginated::{PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Contact { id: String }
/// #[derive(Deserialize)]
/// struct Next { starting_after: Option<String> }
/// #[derive(Deserialize)]
/// struct Pages { next: Option<Next> }
///
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after",
///            page_size_param = "per_page", max_page_size = 150, total = "total_count")]
/// struct Contacts {
///     #[paginate(items)]
///     data: Vec<Contact>,
///     pages: Pages,
///     total_count: u64,
/// }
///
/// # use paginated::testing::{MockResponse, MockServer};
/// # use serde_json::json;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), paginated::Error> {
/// # let server = MockServer::script(vec![
/// #     MockResponse::json(json!({"data": [{"id": "c1"}, {"id": "c2"}], "pages": {"next": {"starting_after": "c2"}}, "total_count": 3})),
/// #     MockResponse::json(json!({"data": [{"id": "c3"}], "pages": {}, "total_count": 3})),
/// # ]).await;
/// # let url = server.url("/contacts");
/// use futures_util::TryStreamExt;
///
/// let client = paginated::reqwest::Client::new();
/// let mut contacts = client.get(url).paginate::<Contacts>().items();
/// while let Some(contact) = contacts.try_next().await? {
///     println!("{}", contact.id);
///     let resume_here = contacts.checkpoint(); // small and serializable: store it
///     # let _ = resume_here;
/// }
/// assert_eq!(contacts.delivered(), 3);
/// # Ok(()) }
/// ```
pub struct Items<P: Paginated> {
    engine: Engine<P>,
    buffer: std::vec::IntoIter<P::Item>,
    /// The checkpoint the page being delivered was requested from, and how
    /// many of its items the buffer held at first.
    current: Option<(Checkpoint, usize)>,
    /// Items delivered before this stream started (from a resumed checkpoint).
    delivered_before: u64,
    /// Items delivered by this stream.
    delivered: u64,
    max_items: Option<u64>,
    /// An incremental walk's watermark with the items delivered so far.
    watermark: Option<Watermark>,
}

impl<P: Paginated + Send + 'static> Items<P> {
    /// Where to resume so that exactly the items not delivered yet follow;
    /// `None` once the walk is over.
    ///
    /// Store it as often as you like (it is small and serializable) and pass
    /// it to [`Paginator::resume_from`] after a crash.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let mut cp = match &self.current {
            Some((sent, initial)) if self.buffer.len() > 0 => {
                let mut cp = sent.clone();
                cp.skip_items = cp.skip_items.saturating_add((initial - self.buffer.len()) as u64);
                cp
            }
            _ => self.engine.next()?.clone(),
        };
        cp.items_delivered = self.delivered_up_to(&cp);
        // Item-exact, like the rest: the watermark of the items handed out.
        if let Some(since) = cp.since.as_mut() {
            since.watermark.clone_from(&self.watermark);
        }
        Some(cp)
    }

    /// An incremental walk's watermark: the largest `since_field` value of
    /// the items delivered so far, with the `dedup_by` keys of the items at
    /// it; the one it started after until an item raises it; `None` for a
    /// walk that is not incremental or has delivered nothing yet from the
    /// beginning. Store it and pass it to [`Paginator::since`] next run.
    pub fn watermark(&self) -> Option<Watermark> {
        self.watermark.clone()
    }

    /// Items delivered by this stream so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
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

    /// How many requests were sent ahead and then dropped: past the end of a
    /// [`speculative`](Paginator::speculative) walk, or re-planned after a
    /// short page.
    pub fn wasted_requests(&self) -> u64 {
        self.engine.wasted()
    }
}

impl<P: Paginated + Send + 'static> Stream for Items<P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.max_items.is_some_and(|max| this.delivered >= max) {
                this.engine.stop(StopReason::MaxItems);
                this.buffer = Vec::new().into_iter();
                return Poll::Ready(None);
            }
            if let Some(item) = this.buffer.next() {
                this.delivered += 1;
                if let Some(value) = P::since_key(&item) {
                    incremental::raise(&mut this.watermark, value, P::item_key(&item));
                }
                return Poll::Ready(Some(Ok(item)));
            }
            let page = ready!(this.engine.poll_page(cx));
            let Some(Delivered { mut page, sent, .. }) =
                page.transpose().map_err(|e| this.with_delivered(e))?
            else {
                return Poll::Ready(None);
            };
            let mut items = std::mem::take(page.items_mut());
            skip_delivered(&mut items, &sent);
            this.current = Some((sent, items.len()));
            this.buffer = items.into_iter();
        }
    }
}

impl<P: Paginated> Items<P> {
    /// Stamps the error's checkpoint with the number of items delivered.
    fn with_delivered(&self, mut error: Error) -> Error {
        if let Some(cp) = error.checkpoint_mut() {
            cp.items_delivered = self.delivered_up_to(cp);
        }
        error
    }

    /// The items delivered before `cp`'s position. After a walk started over
    /// (an expired cursor), items from further on were delivered too: those
    /// are not counted, so the checkpoint stays consistent.
    fn delivered_up_to(&self, cp: &Checkpoint) -> u64 {
        let delivered = self.delivered_before.saturating_add(self.delivered);
        delivered.min(cp.items_received.saturating_add(cp.skip_items))
    }
}

impl<P: Paginated> Unpin for Items<P> {}
