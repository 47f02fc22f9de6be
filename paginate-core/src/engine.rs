//! The page producer behind both streams: the walker that sends requests
//! (one at a time, or several in flight when the end of an offset or page walk
//! is known), and the optional lookahead driver that runs it ahead of the
//! consumer on a task, a bounded number of pages ahead.

use std::collections::{HashSet, VecDeque};

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::checkpoint::{Checkpoint, Position};
use crate::cursor::Cursor;
use crate::error::{Error, ErrorKind};
use crate::fetch::{Fetched, Fetcher, PageFuture, fetch};
use crate::incremental::Watermark;
use crate::link;
use crate::progress::Observer;
use crate::request::RequestTemplate;
use crate::spec::{Paginated, Signals, Spec, Style};
use crate::walk::{Delivery, ExpiredCursorPolicy, StopReason, Walk};
use reqwest::header::{HeaderMap, HeaderValue, LINK};

/// A page handed to a stream, with the walk's state right after it.
pub(crate) struct Delivered<P> {
    pub page: P,
    /// The checkpoint the page's request was sent from.
    pub sent: Checkpoint,
    /// Where the walk goes next; `None` once it is over.
    pub next: Option<Checkpoint>,
    pub stopped: Option<StopReason>,
    pub total: Option<u64>,
    pub status: u16,
    /// The URL that answered, when kept (link walks, pages with their response).
    pub url: Option<reqwest::Url>,
    /// The response headers, when kept (declared header reads, pages with their response).
    pub headers: Option<HeaderMap>,
    /// An incremental walk's watermark with this page's items.
    pub watermark: Option<Watermark>,
}

/// What the walker produces next.
pub(crate) enum Step<P> {
    Page(Box<Delivered<P>>),
    /// The walk is over, normally (with the reason) or after an error.
    End(Option<StopReason>),
    Failed(Error),
}

/// A spawned page request, aborted when dropped (a dropped stream leaves no task behind).
struct Spawned<P>(JoinHandle<Result<Fetched<P>, ErrorKind>>);

impl<P> Drop for Spawned<P> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A request in flight.
enum Request<P> {
    Local(PageFuture<P>),
    Spawned(Spawned<P>),
}

impl<P> Request<P> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<Fetched<P>, ErrorKind>> {
        match self {
            Request::Local(future) => future.as_mut().poll(cx),
            Request::Spawned(task) => Pin::new(&mut task.0).poll(cx).map(|joined| match joined {
                Ok(result) => result,
                // The task only ends early when it panicked (aborts happen on drop).
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }),
        }
    }
}

/// Sends the page requests of one walk, in order.
pub(crate) struct Walker<P> {
    fetcher: Arc<Fetcher>,
    template: RequestTemplate,
    walk: Walk,
    /// Requests in flight, oldest first, with the position each one carries.
    in_flight: VecDeque<(Position, Request<P>)>,
    /// Positions planned ahead (the end of the walk is known), not sent yet.
    plan: Plan,
    /// An error to report once the page before it has been delivered.
    pending: Option<Error>,
    /// The `dedup_by` keys delivered so far, when the declaration has one.
    seen_keys: Option<HashSet<u128>>,
    /// How many requests may be in flight at once (offset and page styles).
    concurrency: usize,
    /// Whether an offset or page walk fans out before its end is known.
    speculative: bool,
    /// What to do when the server refuses an expired cursor.
    on_cursor_expired: ExpiredCursorPolicy,
    /// How many times the walk started over after an expired cursor.
    restarts: u32,
    /// The items, counted from the start of the list, that were handed out
    /// before (by an earlier walk this one resumed, or before a restart).
    handed_out: u64,
    /// The items, counted from the start of the list, that the pages skip by
    /// count: `handed_out`, but with `dedup_by` only those of an earlier walk
    /// (the keys tell the others apart).
    skip_until: u64,
}

impl<P: Paginated + Send + 'static> Walker<P> {
    pub fn new(
        fetcher: Arc<Fetcher>,
        template: RequestTemplate,
        walk: Walk,
        concurrency: usize,
        speculative: bool,
    ) -> Walker<P> {
        let mut walk = walk;
        walk.set_origin(template.origin());
        let handed_out = walk.next().map_or(0, |start| start.items_received.saturating_add(start.skip_items));
        Walker {
            fetcher,
            template,
            walk,
            in_flight: VecDeque::new(),
            plan: Plan::default(),
            pending: None,
            seen_keys: P::SPEC.dedup.then(HashSet::new),
            concurrency: concurrency.max(1),
            speculative,
            on_cursor_expired: ExpiredCursorPolicy::Error,
            restarts: 0,
            handed_out,
            skip_until: handed_out,
        }
    }

    pub fn on_cursor_expired(mut self, policy: ExpiredCursorPolicy) -> Walker<P> {
        self.on_cursor_expired = policy;
        self
    }

    pub fn next(&self) -> Option<&Checkpoint> {
        self.walk.next()
    }

    fn send(&self, position: &Position, page: u64) -> Request<P> {
        let future = match self.template.build(position, self.walk.slice_bound(), self.walk.since_bound()) {
            Ok(request) => fetch(self.fetcher.clone(), request, page),
            Err(kind) => Box::pin(std::future::ready(Err(kind))),
        };
        // Only offset and page walks fan out; the others await in place.
        if self.concurrency > 1 && matches!(P::SPEC.style, Style::Offset | Style::Page) {
            Request::Spawned(Spawned(tokio::spawn(future)))
        } else {
            Request::Local(future)
        }
    }

    /// Keeps up to `concurrency` planned requests in flight.
    fn fill(&mut self) {
        if self.in_flight.is_empty()
            && let Some(next) = self.walk.next()
        {
            let request = self.send(&next.position, next.pages_before + 1);
            self.in_flight.push_back((next.position.clone(), request));
        }
        let Some(next) = self.walk.next() else { return };
        let first_page = next.pages_before.saturating_add(1);
        while self.in_flight.len() < self.concurrency
            && let Some(position) = self.plan.next()
        {
            let page = first_page.saturating_add(self.in_flight.len() as u64);
            let request = self.send(&position, page);
            self.in_flight.push_back((position, request));
        }
    }

    /// The next page, in order.
    pub fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Step<P>> {
        if let Some(e) = self.pending.take() {
            self.stop_after_error();
            return Poll::Ready(Step::Failed(e));
        }
        let (result, sent) = loop {
            self.fill();
            let Some((position, request)) = self.in_flight.front_mut() else {
                return Poll::Ready(Step::End(self.walk.stopped()));
            };
            let result = ready!(request.poll(cx));
            let sent_position = position.clone();
            self.in_flight.pop_front();
            let sent = self.walk.next().cloned().expect("a request in flight means the walk goes on");
            debug_assert_eq!(sent.position, sent_position);
            // The server refused the offset as too deep: a sliced walk goes on in its next slice.
            if let Err(kind) = &result
                && is_too_deep(kind, &sent.position)
                && self.walk.retry_in_next_slice()
            {
                self.drop_requests();
                continue;
            }
            if let Err(ErrorKind::CursorExpired { .. }) = &result
                && self.start_over(&sent)
            {
                continue;
            }
            break (result, sent);
        };
        let mut sent = sent;
        let page_number = sent.pages_before.saturating_add(1);
        let Fetched { mut page, raw_items, url, headers, status } = match result {
            Ok(fetched) => fetched,
            Err(mut kind) => {
                if let ErrorKind::CursorExpired { restarts, .. } = &mut kind {
                    *restarts = self.restarts;
                }
                self.stop_after_error();
                let checkpoint = self.resume_point(sent);
                return Poll::Ready(Step::Failed(Error::new(kind, Some(page_number), Some(checkpoint))));
            }
        };
        let received = page.items().len() as u64;
        // Items handed out before (by an earlier walk, or before a restart) are
        // skipped the way a resumed page skips them: its checkpoint stays exact.
        let by_count = self.skip_until.saturating_sub(sent.items_received).min(received);
        sent.skip_items = sent.skip_items.max(by_count);
        if let Err(kind) = self.walk.admit_items::<P>(page.items_mut()) {
            self.stop_after_error();
            let checkpoint = self.resume_point(sent);
            return Poll::Ready(Step::Failed(Error::new(kind, Some(page_number), Some(checkpoint))));
        }
        let signals = match read_signals(&page, url.as_ref(), headers.as_ref()) {
            Ok(signals) => signals,
            Err(kind) => {
                // The next position is unknown: the page is not delivered, and
                // the checkpoint re-sends its request.
                self.stop_after_error();
                let checkpoint = self.resume_point(sent);
                return Poll::Ready(Step::Failed(Error::new(kind, Some(page_number), Some(checkpoint))));
            }
        };
        let recorded = self.walk.record(&sent.position, &signals, received, raw_items);
        match recorded {
            Ok(Delivery::Deliver) => {}
            Ok(Delivery::Discard) => {
                self.drop_requests();
                return Poll::Ready(Step::End(self.walk.stopped()));
            }
            Err(ErrorKind::DuplicatePage) => {
                self.stop_after_error();
                let checkpoint = self.resume_point(sent);
                let error = Error::new(ErrorKind::DuplicatePage, Some(page_number), Some(checkpoint));
                return Poll::Ready(Step::Failed(error));
            }
            Err(kind) => {
                // The page itself is new: deliver it, then say why the walk cannot go on.
                let checkpoint = Checkpoint {
                    version: Checkpoint::format_for(sent.since.as_ref()),
                    position: refused_position(&kind, &P::SPEC, &sent.position)
                        .unwrap_or_else(|| sent.position.clone()),
                    skip_items: 0,
                    pages_before: self.walk.pages(),
                    items_delivered: 0,
                    items_received: sent.items_received.saturating_add(received),
                    total: self.walk.total(),
                    slice: sent.slice.clone(),
                    // Raised with this page's items below.
                    since: sent.since.clone(),
                };
                let checkpoint = self.resume_point(checkpoint);
                self.pending = Some(Error::new(kind, Some(page_number + 1), Some(checkpoint)));
            }
        }
        // After the signals: a cursor read from the last item is the server's
        // last item, whether or not this walk delivers it.
        if let Err(kind) = self.walk.admit_since::<P>(page.items_mut()) {
            self.pending = None;
            self.stop_after_error();
            return Poll::Ready(Step::Failed(Error::new(kind, Some(page_number), Some(sent))));
        }
        self.follow_plan();
        if let Some(seen) = self.seen_keys.as_mut() {
            // Delivered items at the head of the page are skipped like those a
            // checkpoint skips (so a checkpoint in this page counts them);
            // others are dropped. The skipped ones count as seen.
            let seen_before = |item: &P::Item| P::item_key(item).is_some_and(|key| seen.contains(&key));
            let leading = page.items().iter().take_while(|item| seen_before(item)).count() as u64;
            sent.skip_items = sent.skip_items.max(leading);
            let skipped = usize::try_from(sent.skip_items).unwrap_or(usize::MAX);
            let mut index = 0;
            page.items_mut().retain(|item| {
                let key = P::item_key(item);
                let keep = index < skipped || key.is_none_or(|key| !seen.contains(&key));
                seen.extend(key);
                index += 1;
                keep
            });
        }
        self.walk.raise_watermark::<P>(page.items());
        if let Some(checkpoint) = self.pending.as_mut().and_then(Error::checkpoint_mut) {
            checkpoint.since = self.walk.since().cloned();
        }
        let next = self.walk.next().cloned().map(|next| self.resume_point(next));
        Poll::Ready(Step::Page(Box::new(Delivered {
            page,
            sent,
            next,
            stopped: self.walk.stopped(),
            total: self.walk.total(),
            status,
            url,
            headers,
            watermark: self.walk.since().and_then(|since| since.watermark.clone()),
        })))
    }

    /// Starts the walk over from its first request after the server refused
    /// an expired cursor, if the policy allows another restart and the refused
    /// request was not the first one itself (which would refuse again).
    fn start_over(&mut self, refused: &Checkpoint) -> bool {
        let ExpiredCursorPolicy::Restart { max_restarts } = self.on_cursor_expired else { return false };
        let start = self.template.start().clone();
        if self.restarts >= max_restarts || refused.position == start {
            return false;
        }
        self.restarts += 1;
        // Everything before the refused request was handed out. With
        // `dedup_by`, the keys tell those items apart in the restarted walk.
        self.handed_out = self.handed_out.max(refused.items_received.saturating_add(refused.skip_items));
        if self.seen_keys.is_none() {
            self.skip_until = self.handed_out;
        }
        self.drop_requests();
        self.walk.restart(start);
        true
    }

    /// `checkpoint`, skipping by count the items handed out before it: a
    /// checkpoint taken while a restarted walk catches up resumes past them
    /// (by count: keys are not stored).
    fn resume_point(&self, mut checkpoint: Checkpoint) -> Checkpoint {
        let before = self.handed_out.saturating_sub(checkpoint.items_received);
        checkpoint.skip_items = checkpoint.skip_items.max(before);
        checkpoint
    }

    /// After a page: keep the requests in flight if the walk goes where they
    /// went, or drop them (a short page moved the offset, a stop signal came).
    fn follow_plan(&mut self) {
        let expected = self.walk.next().map(|next| &next.position);
        if self.in_flight.front().map(|(position, _)| position) != expected {
            self.drop_requests();
        }
        // A short page of a speculative walk says the end is near: plan no
        // further (what is in flight stays, and is dropped if it is past the end).
        if self.speculative && !self.walk.end_known() && !self.last_page_full() {
            self.plan = Plan::default();
        }
        if self.concurrency > 1 && self.in_flight.is_empty() {
            self.plan = self.walk.plan(self.template.page_size(), self.speculative);
            // The first planned position is the next request, sent by `fill`.
            self.plan.next();
        }
    }

    /// Whether the last page had as many items as the page size (or the
    /// page size is unknown).
    fn last_page_full(&self) -> bool {
        self.template.page_size().is_none_or(|size| self.walk.pages_were_full(size))
    }

    fn stop_after_error(&mut self) {
        self.walk.halt();
        self.drop_requests();
    }

    /// Drops (and so cancels) every request in flight and every planned one;
    /// those are counted as wasted.
    fn drop_requests(&mut self) {
        let dropped = self.in_flight.len() as u64;
        self.fetcher.wasted.fetch_add(dropped, Ordering::Relaxed);
        self.in_flight.clear();
        self.plan = Plan::default();
    }
}

/// The page's signals, completed from the response headers where the
/// declaration says so, with a next URL resolved against the URL it came from.
///
/// A header that is present but not visible ASCII is an error, not a missing
/// signal (which would end the walk quietly, as if the list were over); among
/// several `Link` lines, only when no readable one has a `rel="next"`.
fn read_signals<P: Paginated>(
    page: &P,
    url: Option<&reqwest::Url>,
    headers: Option<&HeaderMap>,
) -> Result<Signals, ErrorKind> {
    let unreadable = |name: &str| ErrorKind::UnreadableHeader { name: name.to_ascii_lowercase() };
    let mut signals = page.signals();
    if let (Some(name), Some(headers)) = (P::SPEC.cursor_header, headers) {
        signals.cursor = match headers.get(name).map(HeaderValue::to_str) {
            None => None,
            Some(Ok(text)) => Cursor::text(text),
            Some(Err(_)) => return Err(unreadable(name)),
        };
    }
    if let (Style::Link, false, Some(headers)) = (P::SPEC.style, P::SPEC.next_url_field, headers) {
        let (readable, unreadable_lines): (Vec<_>, Vec<_>) =
            headers.get_all(LINK).iter().map(HeaderValue::to_str).partition(Result::is_ok);
        signals.next_url = link::next_link(readable.into_iter().flatten());
        if signals.next_url.is_none() && !unreadable_lines.is_empty() {
            return Err(unreadable(LINK.as_str()));
        }
    }
    if let Some(next) = signals.next_url.take().filter(|n| !n.is_empty()) {
        signals.next_url = Some(url.and_then(|url| url.join(&next).ok()).map_or(next, String::from));
    }
    // GitLab's `x-total` and `x-total-pages`: a count the body does not give.
    // Absent, empty or not a number (GitLab leaves them out of very large
    // lists), it says nothing.
    let count = |name: &str| {
        let text = headers?.get(name)?.to_str().ok()?;
        text.trim().parse::<u64>().ok()
    };
    if let (None, Some(name)) = (signals.total, P::SPEC.total_header) {
        signals.total = count(name);
    }
    if let (None, Some(name)) = (signals.total_pages, P::SPEC.total_pages_header) {
        signals.total_pages = count(name);
    }
    Ok(signals)
}

/// Whether an error is the server refusing an offset as too deep (Close:
/// "The skip you set is larger than the maximum skip for this resource").
fn is_too_deep(kind: &ErrorKind, position: &Position) -> bool {
    let ErrorKind::Status { status, message, body, .. } = kind else { return false };
    let text = message.as_deref().unwrap_or(body).to_ascii_lowercase();
    matches!(position, Position::Offset(o) if *o > 0)
        && *status == reqwest::StatusCode::BAD_REQUEST
        && (text.contains("skip") || text.contains("offset"))
        && (text.contains("max") || text.contains("larger") || text.contains("too"))
}

/// Where a walk-level error leaves the walk: the position it refused to go to.
/// A repeated link or state comes as a cursor; it goes back to the position
/// of its style, so the checkpoint fits the walk; so does the page number a
/// page walk refused for its start offset.
fn refused_position(kind: &ErrorKind, spec: &Spec, sent: &Position) -> Option<Position> {
    match kind {
        ErrorKind::Loop { cursor } => Some(match spec.style {
            Style::Link => Position::Url(cursor.as_text().into_owned()),
            Style::Custom => Position::State(cursor.to_json()),
            Style::Cursor | Style::Offset | Style::Page => Position::Cursor(cursor.clone()),
        }),
        ErrorKind::MaxOffset { next_offset, .. } => Some(match (spec.style, sent) {
            (Style::Page, Position::Page(page)) => {
                Position::Page((*page).max(spec.first_page).saturating_add(1))
            }
            _ => Position::Offset(*next_offset),
        }),
        ErrorKind::MaxPage { next_page, .. } => Some(Position::Page(*next_page)),
        _ => None,
    }
}

/// What a stream pulls pages from: the walker itself, or a lookahead task
/// running it ahead, a bounded number of pages ahead.
pub(crate) struct Engine<P> {
    source: Source<P>,
    /// The walk's state after the last page handed out.
    next: Option<Checkpoint>,
    stopped: Option<StopReason>,
    total: Option<u64>,
    fetcher: Option<Arc<Fetcher>>,
    observer: Option<Observer>,
    /// An incremental walk's watermark after the last page handed out.
    watermark: Option<Watermark>,
}

enum Source<P> {
    /// Not started: the walker and how many pages it may run ahead.
    Ready(Box<Walker<P>>, usize),
    Inline(Box<Walker<P>>),
    /// Pages from the lookahead task; dropping `task` aborts it.
    Driven {
        rx: mpsc::Receiver<Step<P>>,
        task: Driver,
    },
    /// A setup error to report, then nothing.
    Failed(Option<Error>),
    Done,
}

/// The lookahead task, aborted when the stream is dropped.
pub(crate) struct Driver(JoinHandle<()>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<P: Paginated + Send + 'static> Engine<P> {
    pub fn new(walker: Walker<P>, lookahead: usize, observer: Observer) -> Engine<P> {
        let next = walker.next().cloned();
        let fetcher = Some(walker.fetcher.clone());
        let watermark = walker.walk.since().and_then(|since| since.watermark.clone());
        Engine {
            observer: Some(observer),
            source: Source::Ready(Box::new(walker), lookahead),
            next,
            stopped: None,
            total: None,
            fetcher,
            watermark,
        }
    }

    /// A walk that reports `error` and nothing else; its watermark stays
    /// the one it was to start after.
    pub fn failed(error: Error, watermark: Option<Watermark>) -> Engine<P> {
        Engine {
            observer: None,
            source: Source::Failed(Some(error)),
            next: None,
            stopped: None,
            total: None,
            fetcher: None,
            watermark,
        }
    }

    pub fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Delivered<P>, Error>>> {
        if let Source::Ready(..) = self.source {
            let Source::Ready(walker, lookahead) = std::mem::replace(&mut self.source, Source::Done) else {
                unreachable!()
            };
            self.source = if lookahead == 0 { Source::Inline(walker) } else { drive(walker, lookahead) };
        }
        let step = match &mut self.source {
            Source::Inline(walker) => ready!(walker.poll_page(cx)),
            Source::Driven { rx, task } => match ready!(rx.poll_recv(cx)) {
                Some(step) => step,
                // The task always sends a last step, unless it panicked: then
                // the panic goes on here, as it would in a walk without lookahead.
                None => match ready!(Pin::new(&mut task.0).poll(cx)) {
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    _ => Step::End(None),
                },
            },
            Source::Failed(error) => error.take().map_or(Step::End(None), Step::Failed),
            Source::Ready(..) | Source::Done => Step::End(None),
        };
        match step {
            Step::Page(delivered) => {
                let mut delivered = *delivered;
                self.next = delivered.next.take();
                self.stopped = delivered.stopped;
                self.watermark = delivered.watermark.take();
                self.total = delivered.total.or(self.total);
                let retries = self.retries();
                if let Some(observer) = self.observer.as_mut() {
                    let page_items = delivered.page.items().len() as u64;
                    observer.page(
                        delivered.sent.pages_before + 1,
                        delivered.status,
                        page_items,
                        self.total,
                        retries,
                    );
                }
                Poll::Ready(Some(Ok(delivered)))
            }
            Step::Failed(error) => {
                if let Some(observer) = &self.observer {
                    observer.failed(&error);
                }
                self.finish();
                Poll::Ready(Some(Err(error)))
            }
            Step::End(reason) => {
                self.finish();
                self.stopped = reason.or(self.stopped);
                Poll::Ready(None)
            }
        }
    }

    fn finish(&mut self) {
        self.source = Source::Done;
        self.next = None;
    }

    /// Ends the walk from the consumer's side (a limit reached); drops every
    /// request in flight and the lookahead task.
    pub fn stop(&mut self, reason: StopReason) {
        self.finish();
        self.stopped.get_or_insert(reason);
    }

    pub fn next(&self) -> Option<&Checkpoint> {
        self.next.as_ref()
    }

    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    pub fn total(&self) -> Option<u64> {
        self.total
    }

    pub fn watermark(&self) -> Option<&Watermark> {
        self.watermark.as_ref()
    }

    pub fn retries(&self) -> u64 {
        self.fetcher.as_ref().map_or(0, |f| f.retries.load(Ordering::Relaxed))
    }

    pub fn wasted(&self) -> u64 {
        self.fetcher.as_ref().map_or(0, |f| f.wasted.load(Ordering::Relaxed))
    }
}

/// Runs `walker` on a task, at most `lookahead` pages ahead of the consumer.
fn drive<P: Paginated + Send + 'static>(mut walker: Box<Walker<P>>, lookahead: usize) -> Source<P> {
    let (tx, rx) = mpsc::channel(lookahead);
    let task = tokio::spawn(async move {
        // A slot first, then the request: at most `lookahead` pages wait for
        // the consumer, and nothing is fetched for a consumer that is gone.
        while let Ok(slot) = tx.reserve().await {
            let step = poll_fn(|cx| walker.poll_page(cx)).await;
            let last = !matches!(step, Step::Page(_));
            slot.send(step);
            if last {
                break;
            }
        }
    });
    Source::Driven { rx, task: Driver(task) }
}

/// The positions of the pages left in a walk whose end is known, produced one
/// at a time: never more than the concurrency window exists at once, however
/// large the total a server reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The next position, or `None` once the plan is spent.
    next: Option<u64>,
    /// The first position past the plan.
    end: u64,
    step: u64,
    /// How many positions the limits still allow.
    left: u64,
    pages: bool,
}

impl Iterator for Plan {
    type Item = Position;

    fn next(&mut self) -> Option<Position> {
        let at = self.next.filter(|at| *at < self.end && self.left > 0)?;
        self.left -= 1;
        // An overflow ends the plan: the walk goes on one request at a time.
        self.next = at.checked_add(self.step);
        Some(if self.pages { Position::Page(at) } else { Position::Offset(at) })
    }
}

impl Walk {
    /// The positions of the pages left, when the end is known from a reported
    /// total (offset style) or page count (page style) and the pages so far
    /// were full; empty otherwise. A `speculative` plan does not wait for the
    /// end to be known: it runs until an end signal, `max_offset` or a limit.
    /// Never goes past the end or a limit. Every number from the server is used
    /// with checked arithmetic.
    pub(crate) fn plan(&self, page_size: Option<u64>, speculative: bool) -> Plan {
        let Some(next) = self.next() else { return Plan::default() };
        let left = self.pages_left().unwrap_or(u64::MAX);
        match (&next.position, self.spec().style) {
            (Position::Offset(start), Style::Offset) => {
                let Some(size) = page_size else { return Plan::default() };
                let total = match self.total() {
                    Some(total) => total,
                    None if speculative => u64::MAX,
                    None => return Plan::default(),
                };
                if size == 0 || !self.pages_were_full(size) {
                    return Plan::default();
                }
                // `offset_allowed` accepts offsets up to `max_offset` included.
                let end = self.max_offset().map_or(total, |max| total.min(max.saturating_add(1)));
                Plan { next: Some(*start), end, step: size, left, pages: false }
            }
            (Position::Page(start), Style::Page) => {
                let end = match self.total_pages() {
                    Some(total_pages) => self.spec().first_page.saturating_add(total_pages),
                    // A short page says the next one is likely empty: no speculation then.
                    None if speculative && page_size.is_none_or(|size| self.pages_were_full(size)) => {
                        u64::MAX
                    }
                    None => return Plan::default(),
                };
                let end = self.max_page().map_or(end, |max| end.min(max.saturating_add(1)));
                Plan { next: Some(*start), end, step: 1, left, pages: true }
            }
            _ => Plan::default(),
        }
    }
}
