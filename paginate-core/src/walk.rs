//! The walk: which request comes next and when to stop, independent of HTTP.

use std::collections::HashSet;

use crate::checkpoint::{Checkpoint, Position};
use crate::cursor::Cursor;
use crate::error::ErrorKind;
use crate::fetch::ItemsJson;
use crate::incremental::{SinceState, Watermark};
use crate::slice::{SliceKey, SliceProblem, SliceState};
use crate::spec::{Paginated, Signals, Spec, Style};

/// Why a walk ended normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// A cursor walk's page had no next cursor (absent, null or empty), or a
    /// custom walk's page no next state.
    NoCursor,
    /// A link walk's page had no next URL: no `rel="next"` link in the `Link`
    /// header (or a `results="false"` one), or an absent, null or empty
    /// `next_url` field.
    NoNextLink,
    /// The page said `has_more: false`.
    NoMore,
    /// The page said it is the last one (`is_last`).
    LastPage,
    /// As many items as the reported `total` were received.
    TotalReached,
    /// As many pages as the reported `total_pages` were received.
    TotalPagesReached,
    /// A page had fewer items than the page size (`stop_on_short_page`).
    ShortPage,
    /// A page had no items (always for offset and page styles; `stop_on_empty_page` for cursors).
    EmptyPage,
    /// The `max_pages` limit was reached.
    MaxPages,
    /// The `max_items` limit was reached.
    MaxItems,
    /// The walk would have repeated itself (a cursor seen before, or the same
    /// page again) and [`LoopPolicy::Stop`] was chosen.
    Loop,
    /// A cursor walk's page gave back the very cursor its request carried,
    /// which the declaration says is the end (`stop_on_same_cursor`:
    /// CloudWatch Logs' `nextToken`, Solr's `cursorMark`).
    SameCursor,
}

/// What a walk does when the server would make it repeat itself: a cursor that
/// was already followed (A→B→A), or an offset/page walk receiving the same page
/// twice in a row.
///
/// An API that ends its list by sending back the cursor it was just given
/// (CloudWatch Logs) declares `stop_on_same_cursor` instead: that ends the walk
/// normally, while a real loop is still reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum LoopPolicy {
    /// End with [`ErrorKind::Loop`] or [`ErrorKind::DuplicatePage`] (the default).
    #[default]
    Error,
    /// End quietly, with [`StopReason::Loop`]; the repeated page is not delivered.
    Stop,
}

/// What a walk does when the server says the cursor it was sent has expired
/// ([`ErrorKind::CursorExpired`], from the declaration's `cursor_expired_*`
/// keys): Asana's offset tokens, Salesforce's query locators and
/// Elasticsearch's scrolls live for minutes, and a slow consumer, a long walk
/// or a resume the next day meets a cursor the server has forgotten.
///
/// ```
/// # fn f<P: paginate_core::Paginated>(request: reqwest::RequestBuilder) {
/// use paginate_core::{ExpiredCursorPolicy, PaginateExt};
///
/// let walk = request
///     .paginate::<P>()
///     .on_cursor_expired(ExpiredCursorPolicy::Restart { max_restarts: 3 });
/// # let _ = walk; }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ExpiredCursorPolicy {
    /// End with [`ErrorKind::CursorExpired`] (the default).
    #[default]
    Error,
    /// Start the walk again from its first request, and deliver only the
    /// items not delivered yet: the item stream stays exactly-once.
    ///
    /// Which items were delivered is told by their `dedup_by` key when the
    /// declaration has one (any order; keys held in memory), else by count:
    /// the first N items of the restarted walk are skipped, which is right
    /// only when the API returns the list in a stable order. Items that
    /// changed in the meantime may then be missed or seen again, and without
    /// `dedup_by` an item inserted or deleted before the walk's position
    /// shifts the count by one. A resumed walk skips the items before its
    /// checkpoint by count in both cases.
    ///
    /// The cost: every page before the expiry is requested again (the pages
    /// stream hands them out again, emptied of what was delivered; page
    /// numbers and `max_pages` count from the first page again). A cursor
    /// that keeps expiring ends the walk with [`ErrorKind::CursorExpired`]
    /// after `max_restarts` restarts, and an expiry on the first request
    /// itself is reported at once.
    Restart {
        /// How many times the walk may start over before the error ends it.
        max_restarts: u32,
    },
}

/// Whether the page just recorded is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Deliver,
    Discard,
}

/// A user function that adds a lower bound (a slice's, or an incremental
/// walk's start) to a request.
pub(crate) type SliceFn = std::sync::Arc<dyn Fn(&mut reqwest::Request, &SliceKey) + Send + Sync>;

/// Limits and overrides a user sets at run time.
#[derive(Clone, Default)]
pub(crate) struct Options {
    pub page_size: Option<u64>,
    pub max_items: Option<u64>,
    pub max_pages: Option<u64>,
    pub max_offset: Option<u64>,
    pub on_loop: LoopPolicy,
    pub on_cursor_expired: ExpiredCursorPolicy,
    pub allow_cross_origin: bool,
    /// Headers the user lets go to another origin, besides the safe ones.
    pub cross_origin_headers: Vec<String>,
    pub slice_with: Option<SliceFn>,
    /// The watermark an incremental walk starts after (`Paginator::since`).
    pub since: Option<Watermark>,
    pub since_with: Option<SliceFn>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("page_size", &self.page_size)
            .field("max_items", &self.max_items)
            .field("max_pages", &self.max_pages)
            .field("max_offset", &self.max_offset)
            .field("on_loop", &self.on_loop)
            .field("on_cursor_expired", &self.on_cursor_expired)
            .field("allow_cross_origin", &self.allow_cross_origin)
            .field("cross_origin_headers", &self.cross_origin_headers)
            .field("slice_with", &self.slice_with.as_ref().map(|_| "<fn>"))
            .field("since", &self.since)
            .field("since_with", &self.since_with.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

/// The state of one walk between requests.
#[derive(Debug)]
pub(crate) struct Walk {
    spec: Spec,
    page_size: Option<u64>,
    max_offset: Option<u64>,
    max_pages: Option<u64>,
    max_items: Option<u64>,
    /// Where the next request starts, with the counters as they are before it.
    next: Option<Checkpoint>,
    stopped: Option<StopReason>,
    pages: u64,
    items_received: u64,
    total: Option<u64>,
    /// 128-bit hashes of every cursor or URL followed (16 bytes a page).
    seen: HashSet<u128>,
    on_loop: LoopPolicy,
    /// The raw JSON of the previous page's items (offset and page styles), to
    /// spot a repeat.
    last_items: Option<ItemsJson>,
    /// The page count the API reported, once it reported one.
    total_pages: Option<u64>,
    /// The item count of the last page.
    last_received: Option<u64>,
    /// Items received before this walk started (from a resumed checkpoint);
    /// `max_items` counts from here.
    items_at_start: u64,
    /// The origin of the user's request; a next URL elsewhere is refused
    /// unless `allow_cross_origin`.
    origin: Option<url::Origin>,
    allow_cross_origin: bool,
    /// The slice of a `slice_by` walk.
    slice: Option<SliceState>,
    /// The start and watermark of an incremental (`since_field`) walk.
    since: Option<SinceState>,
}

impl Walk {
    /// A walk that starts at `start`; `page_size` is the effective page size
    /// (from the options, the request or the declaration).
    pub fn new(spec: Spec, options: &Options, page_size: Option<u64>, start: Checkpoint) -> Walk {
        let items_at_start = start.items_received;
        let slice = spec.slice_by.then(|| start.slice.clone().unwrap_or_default());
        // A checkpoint's state wins over `.since(..)`: it is the walk being continued.
        let since = spec.since_field.then(|| match start.since.clone() {
            Some(state) => state.normalized(),
            None => SinceState::starting_after(options.since.clone()),
        });
        // The first request's checkpoint carries it too, so an error on that
        // page resumes with the same start.
        let mut start = start;
        start.since.clone_from(&since);
        start.version = start.version.max(Checkpoint::format_for(since.as_ref()));
        let mut seen = HashSet::new();
        match &start.position {
            Position::Cursor(c) => {
                seen.insert(key_of(&c.as_text()));
            }
            Position::Url(url) => {
                seen.insert(key_of(url.as_str()));
            }
            _ => {}
        }
        Walk {
            spec,
            page_size,
            max_offset: options.max_offset.or(spec.max_offset),
            max_pages: options.max_pages.or(spec.max_pages),
            max_items: options.max_items,
            pages: start.pages_before,
            items_received: start.items_received,
            total: start.total,
            next: Some(start),
            stopped: None,
            seen,
            on_loop: options.on_loop,
            last_items: None,
            total_pages: None,
            last_received: None,
            items_at_start,
            origin: None,
            allow_cross_origin: options.allow_cross_origin,
            slice,
            since,
        }
    }

    /// The checkpoint of the next request; `None` once the walk is over.
    pub fn next(&self) -> Option<&Checkpoint> {
        self.next.as_ref()
    }

    /// Why the walk ended, once it ended normally.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// Pages received so far (including those before a resume).
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The item total the API reported, if any.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Sets the origin next URLs must stay on (that of the user's request).
    pub fn set_origin(&mut self, origin: url::Origin) {
        self.origin = Some(origin);
    }

    /// The declaration this walk follows.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The page count the API reported, if any.
    pub fn total_pages(&self) -> Option<u64> {
        self.total_pages
    }

    /// Ends the walk after an error: no next request, and no stop reason.
    pub fn halt(&mut self) {
        self.next = None;
    }

    /// How many more pages the limits allow, if a limit is set.
    pub fn pages_left(&self) -> Option<u64> {
        let by_pages = self.max_pages.map(|max| max.saturating_sub(self.pages));
        let by_items = self.max_items.zip(self.page_size).map(|(max, size)| {
            max.saturating_sub(self.items_received.saturating_sub(self.items_at_start)).div_ceil(size.max(1))
        });
        match (by_pages, by_items) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the server reported where the walk ends (`total` or `total_pages`).
    pub fn end_known(&self) -> bool {
        self.total.is_some() || self.total_pages.is_some()
    }

    /// Whether the last page was a full page of `size` items.
    pub fn pages_were_full(&self, size: u64) -> bool {
        self.last_received == Some(size)
    }

    /// Page style: the last page number the walk may request: the declared
    /// `max_page`, or the last page whose first item is within `max_offset`
    /// (when the page size is known), whichever comes first.
    pub fn max_page(&self) -> Option<u64> {
        let by_offset = self
            .max_offset
            .zip(self.page_size)
            .map(|(max, size)| self.spec.first_page.saturating_add(max / size.max(1)));
        match (self.spec.max_page, by_offset) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Refuses a first position past a limit (a request or a checkpoint that
    /// starts too deep), before anything is sent.
    pub fn check_start(&mut self) -> Result<(), ErrorKind> {
        match self.next.as_ref().map(|next| next.position.clone()) {
            Some(Position::Offset(offset)) => self.check_offset(offset),
            Some(Position::Page(page)) => self.check_page(page),
            _ => Ok(()),
        }
    }

    /// The largest offset the API accepts, if it has one.
    pub fn max_offset(&self) -> Option<u64> {
        self.max_offset
    }

    /// Starts the walk over at `start` (its first request), after the server
    /// refused an expired cursor: the position, the counters, the loop guard
    /// and the stop state are those of a fresh walk, the limits stay.
    /// `max_items` keeps counting from where the walk started, so the items
    /// received again are not counted twice.
    pub fn restart(&mut self, start: Position) {
        let mut first = Checkpoint::new(start);
        // An incremental walk keeps its start (and the watermark reached).
        first.version = Checkpoint::format_for(self.since.as_ref());
        first.since.clone_from(&self.since);
        self.next = Some(first);
        self.stopped = None;
        self.pages = 0;
        self.items_received = 0;
        self.total = None;
        self.seen.clear();
        self.last_items = None;
        self.total_pages = None;
        self.last_received = None;
        if let Some(slice) = self.slice.as_mut() {
            *slice = SliceState::default();
        }
    }

    /// Ends the walk without a further request (a limit reached by the consumer).
    pub fn stop(&mut self, reason: StopReason) {
        self.next = None;
        self.stopped.get_or_insert(reason);
    }

    /// Records a received page: `sent` is the position its request carried,
    /// `received` its item count, `raw_items` the raw JSON of its items
    /// (offset and page styles), compared with the previous page's. Decides
    /// the next position, or the end.
    pub fn record(
        &mut self,
        sent: &Position,
        signals: &Signals,
        received: u64,
        raw_items: Option<ItemsJson>,
    ) -> Result<Delivery, ErrorKind> {
        if matches!(self.spec.style, Style::Offset | Style::Page) && received > 0 {
            if raw_items.is_some() && self.last_items == raw_items {
                return self.repeat(ErrorKind::DuplicatePage).map(|()| Delivery::Discard);
            }
            self.last_items = raw_items;
        }
        let pages = self.add(self.pages, 1, "page count")?;
        let items_received = self.add(self.items_received, received, "count of items received")?;
        self.pages = pages;
        self.items_received = items_received;
        self.last_received = Some(received);
        if let Some(total) = signals.total {
            self.total = Some(total);
        }
        if let Some(total_pages) = signals.total_pages {
            self.total_pages = Some(total_pages);
        }
        if let Some(reason) = self.stop_reason(sent, signals, received) {
            self.stop(reason);
            return Ok(Delivery::Deliver);
        }
        let position = match self.spec.style {
            Style::Cursor => {
                let Some(cursor) = signals.cursor.clone() else {
                    unreachable!("a missing cursor is a stop reason")
                };
                if !self.seen.insert(key_of(&cursor.as_text())) {
                    return self.repeat(ErrorKind::Loop { cursor }).map(|()| Delivery::Deliver);
                }
                Position::Cursor(cursor)
            }
            Style::Offset => {
                let next_offset = self.add(offset_of(sent), received, "offset")?;
                match self.check_offset(next_offset) {
                    Err(_) if self.restart_slice() => Position::Offset(0),
                    Err(e) => return Err(e),
                    Ok(()) => Position::Offset(next_offset),
                }
            }
            Style::Page => {
                let next_page = self.add(page_of(sent, self.spec.first_page), 1, "page number")?;
                self.check_page(next_page)?;
                Position::Page(next_page)
            }
            Style::Custom => {
                let state = signals.state.clone().expect("a missing state is a stop reason");
                if !self.seen.insert(key_of(&state.to_string())) {
                    let cursor = Cursor::json(&state).unwrap_or_else(|| Cursor::int(0));
                    return self.repeat(ErrorKind::Loop { cursor }).map(|()| Delivery::Deliver);
                }
                Position::State(state)
            }
            Style::Link => {
                let next = signals.next_url.as_deref().expect("a missing next URL is a stop reason");
                let url = reqwest::Url::parse(next).map_err(|e| {
                    self.next = None;
                    ErrorKind::Config(format!("the server's next URL {next:?} is not a URL: {e}"))
                })?;
                if !self.allow_cross_origin && self.origin.as_ref().is_some_and(|o| *o != url.origin()) {
                    self.next = None;
                    return Err(ErrorKind::CrossOrigin { url: url.to_string() });
                }
                let url = url.to_string();
                if !self.seen.insert(key_of(url.as_str())) {
                    let cursor = Cursor::text(url).expect("a URL is never empty");
                    return self.repeat(ErrorKind::Loop { cursor }).map(|()| Delivery::Deliver);
                }
                Position::Url(url)
            }
        };
        self.next = Some(Checkpoint {
            version: Checkpoint::format_for(self.since.as_ref()),
            position,
            skip_items: 0,
            pages_before: self.pages,
            items_delivered: 0,
            items_received: self.items_received,
            total: self.total,
            slice: self.slice.clone(),
            since: self.since.clone(),
        });
        Ok(Delivery::Deliver)
    }

    /// `a + b`, or the end of the walk with [`ErrorKind::Overflow`]: a
    /// position or counter from a request or a checkpoint never wraps.
    fn add(&mut self, a: u64, b: u64, counter: &'static str) -> Result<u64, ErrorKind> {
        a.checked_add(b).ok_or_else(|| {
            self.next = None;
            ErrorKind::Overflow { counter }
        })
    }

    /// The walk would repeat itself: an error, or a quiet stop.
    fn repeat(&mut self, error: ErrorKind) -> Result<(), ErrorKind> {
        self.next = None;
        match self.on_loop {
            LoopPolicy::Error => Err(error),
            LoopPolicy::Stop => {
                self.stopped = Some(StopReason::Loop);
                Ok(())
            }
        }
    }

    /// The lower bound of the current slice, if the walk slices.
    pub fn slice_bound(&self) -> Option<&SliceKey> {
        self.slice.as_ref()?.bound.as_ref()
    }

    /// Lets the items of a received page through the slice: drops those the
    /// previous slice delivered, and stops on an unsorted or missing value.
    pub fn admit_items<P: Paginated>(&mut self, items: &mut Vec<P::Item>) -> Result<(), ErrorKind> {
        let Some(slice) = self.slice.as_mut() else { return Ok(()) };
        let mut problem = None;
        items.retain(|item| {
            if problem.is_some() {
                return false;
            }
            match slice.admit(P::slice_key(item), P::item_key(item)) {
                Ok(keep) => keep,
                Err(p) => {
                    problem = Some(p);
                    false
                }
            }
        });
        match problem {
            None => Ok(()),
            Some(p) => {
                self.next = None;
                Err(match p {
                    SliceProblem::Missing => ErrorKind::SliceValueMissing,
                    SliceProblem::Unsorted { previous, found } => ErrorKind::SliceOrder { previous, found },
                })
            }
        }
    }

    /// The start and watermark of an incremental walk.
    pub fn since(&self) -> Option<&SinceState> {
        self.since.as_ref()
    }

    /// The value an incremental walk sends as its inclusive lower bound.
    pub fn since_bound(&self) -> Option<&SliceKey> {
        self.since.as_ref()?.bound()
    }

    /// Drops the items of a received page that the walk's start covers
    /// (below it, or at it and delivered by the run before). An item without
    /// a since value stops the walk.
    pub fn admit_since<P: Paginated>(&mut self, items: &mut Vec<P::Item>) -> Result<(), ErrorKind> {
        let Some(since) = self.since.as_ref() else { return Ok(()) };
        let mut missing = false;
        items.retain(|item| {
            let Some(value) = P::since_key(item) else {
                missing = true;
                return false;
            };
            since.admits(&value, P::item_key(item))
        });
        if missing {
            self.next = None;
            return Err(ErrorKind::SinceValueMissing);
        }
        Ok(())
    }

    /// Raises the watermark with the items of a page about to be delivered,
    /// and carries it into the checkpoint of the next request.
    pub fn raise_watermark<P: Paginated>(&mut self, items: &[P::Item]) {
        let Some(since) = self.since.as_mut() else { return };
        for item in items {
            if let Some(value) = P::since_key(item) {
                since.raise(value, P::item_key(item));
            }
        }
        if let Some(next) = self.next.as_mut() {
            next.since.clone_from(&self.since);
        }
    }

    /// Moves a `slice_by` walk to its next slice, from offset 0; `false` when
    /// the walk does not slice or the slice cannot move.
    pub fn restart_slice(&mut self) -> bool {
        let Some(slice) = self.slice.as_mut() else { return false };
        if !slice.next_slice() {
            return false;
        }
        self.last_items = None;
        true
    }

    /// Re-plans the next request after the server refused an offset as too
    /// deep: the next slice from offset 0, if the walk slices.
    pub fn retry_in_next_slice(&mut self) -> bool {
        if !self.restart_slice() {
            return false;
        }
        if let Some(next) = self.next.as_mut() {
            next.position = Position::Offset(0);
            next.slice.clone_from(&self.slice);
        }
        true
    }

    fn check_offset(&mut self, next_offset: u64) -> Result<(), ErrorKind> {
        match self.max_offset {
            Some(max_offset) if next_offset > max_offset => {
                self.next = None;
                Err(ErrorKind::MaxOffset { max_offset, next_offset })
            }
            _ => Ok(()),
        }
    }

    /// A page past the declared `max_page`, or whose first item is past
    /// `max_offset`, is never requested.
    fn check_page(&mut self, page: u64) -> Result<(), ErrorKind> {
        if let Some(max_page) = self.spec.max_page
            && page > max_page
        {
            self.next = None;
            return Err(ErrorKind::MaxPage { max_page, next_page: page });
        }
        match self.page_size {
            Some(size) => self.check_offset(page.saturating_sub(self.spec.first_page).saturating_mul(size)),
            None => Ok(()),
        }
    }

    /// Every stop rule; any one that applies ends the walk.
    fn stop_reason(&self, sent: &Position, signals: &Signals, received: u64) -> Option<StopReason> {
        let style = self.spec.style;
        let empty_stops = self.spec.stop_on_empty_page || matches!(style, Style::Offset | Style::Page);
        if received == 0 && empty_stops {
            return Some(StopReason::EmptyPage);
        }
        if self.spec.stop_on_short_page && self.page_size.is_some_and(|size| received < size) {
            return Some(StopReason::ShortPage);
        }
        if signals.has_more == Some(false) {
            return Some(StopReason::NoMore);
        }
        if signals.is_last == Some(true) {
            return Some(StopReason::LastPage);
        }
        if let Some(total) = self.total {
            let progress = match style {
                Style::Offset => offset_of(sent).saturating_add(received),
                Style::Cursor | Style::Page | Style::Link | Style::Custom => self.items_received,
            };
            if progress >= total {
                return Some(StopReason::TotalReached);
            }
        }
        if let Some(total_pages) = signals.total_pages {
            let pages_done = match style {
                Style::Page => (page_of(sent, self.spec.first_page) - self.spec.first_page).saturating_add(1),
                Style::Cursor | Style::Offset | Style::Link | Style::Custom => self.pages,
            };
            if pages_done >= total_pages {
                return Some(StopReason::TotalPagesReached);
            }
        }
        if style == Style::Cursor && signals.cursor.is_none() {
            return Some(StopReason::NoCursor);
        }
        // Before the loop guard, which would call this a loop.
        if style == Style::Cursor
            && self.spec.stop_on_same_cursor
            && signals
                .cursor
                .as_ref()
                .is_some_and(|next| sent_cursor(sent, &self.spec) == Some(next.as_text()))
        {
            return Some(StopReason::SameCursor);
        }
        if style == Style::Link && signals.next_url.is_none() {
            return Some(StopReason::NoNextLink);
        }
        if style == Style::Custom && signals.state.as_ref().is_none_or(serde_json::Value::is_null) {
            return Some(StopReason::NoCursor);
        }
        if self.max_pages.is_some_and(|max| self.pages >= max) {
            return Some(StopReason::MaxPages);
        }
        if self.max_items.is_some_and(|max| self.items_received.saturating_sub(self.items_at_start) >= max) {
            return Some(StopReason::MaxItems);
        }
        None
    }
}

/// The loop-guard key of a cursor or URL: a 128-bit hash, so that memory per
/// page stays small and a false "loop" is out of reach.
fn key_of(text: &str) -> u128 {
    crate::__private::hash128(text)
}

/// The cursor a request carried: the previous page's, or on the first request
/// the declared `first_cursor`.
fn sent_cursor<'a>(sent: &'a Position, spec: &Spec) -> Option<std::borrow::Cow<'a, str>> {
    match sent {
        Position::Cursor(cursor) => Some(cursor.as_text()),
        Position::Start => spec.first_cursor.map(std::borrow::Cow::Borrowed),
        _ => None,
    }
}

fn offset_of(position: &Position) -> u64 {
    match position {
        Position::Offset(o) => *o,
        _ => 0,
    }
}

fn page_of(position: &Position, first_page: u64) -> u64 {
    match position {
        Position::Page(p) => (*p).max(first_page),
        _ => first_page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Target;

    fn walk(spec: Spec, page_size: Option<u64>) -> Walk {
        let start = match spec.style {
            Style::Cursor => Position::Start,
            Style::Offset => Position::Offset(0),
            Style::Page => Position::Page(spec.first_page),
            Style::Link | Style::Custom => Position::Start,
        };
        Walk::new(spec, &Options::default(), page_size, Checkpoint::new(start))
    }

    /// A fresh body, so no two pages look alike.
    #[allow(clippy::unnecessary_wraps)] // the type `record` takes
    fn fp() -> Option<ItemsJson> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Some(ItemsJson::whole(bytes::Bytes::from(NEXT.fetch_add(1, Ordering::Relaxed).to_string())))
    }

    fn cursor_spec() -> Spec {
        Spec { cursor: Some(Target::Query("after")), ..Spec::DEFAULT }
    }

    fn signals(cursor: Option<&str>) -> Signals {
        Signals { cursor: cursor.and_then(Cursor::text), ..Signals::default() }
    }

    #[test]
    fn any_stop_signal_wins_over_a_cursor() {
        let cases: [(Signals, StopReason); 4] = [
            (Signals { has_more: Some(false), ..signals(Some("c")) }, StopReason::NoMore),
            (Signals { is_last: Some(true), ..signals(Some("c")) }, StopReason::LastPage),
            (Signals { total: Some(10), ..signals(Some("c")) }, StopReason::TotalReached),
            (Signals { total_pages: Some(1), ..signals(Some("c")) }, StopReason::TotalPagesReached),
        ];
        for (s, reason) in cases {
            let mut w = walk(cursor_spec(), None);
            w.record(&Position::Start, &s, 10, fp()).unwrap();
            assert_eq!((w.next(), w.stopped()), (None, Some(reason)), "{s:?}");
        }
    }

    #[test]
    fn continue_signals_do_not_override_a_missing_cursor() {
        let mut w = walk(cursor_spec(), None);
        let s = Signals { has_more: Some(true), is_last: Some(false), total: Some(100), ..signals(None) };
        w.record(&Position::Start, &s, 10, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::NoCursor));
    }

    #[test]
    fn a_cursor_seen_before_is_a_loop_even_two_pages_later() {
        let mut w = walk(cursor_spec(), None);
        w.record(&Position::Start, &signals(Some("a")), 1, fp()).unwrap();
        w.record(&Position::Cursor(Cursor::text("a").unwrap()), &signals(Some("b")), 1, fp()).unwrap();
        let err = w.record(&Position::Cursor(Cursor::text("b").unwrap()), &signals(Some("a")), 1, fp());
        assert!(matches!(err, Err(ErrorKind::Loop { .. })));
        assert!(w.next().is_none());
    }

    #[test]
    fn the_same_cursor_back_is_the_end_only_when_declared() {
        let a = || Position::Cursor(Cursor::text("a").unwrap());
        let mut w = walk(Spec { stop_on_same_cursor: true, ..cursor_spec() }, None);
        w.record(&Position::Start, &signals(Some("a")), 1, fp()).unwrap();
        w.record(&a(), &signals(Some("a")), 0, fp()).unwrap();
        assert_eq!((w.next(), w.stopped()), (None, Some(StopReason::SameCursor)));

        // Undeclared, it is a loop.
        let mut w = walk(cursor_spec(), None);
        w.record(&Position::Start, &signals(Some("a")), 1, fp()).unwrap();
        assert!(matches!(w.record(&a(), &signals(Some("a")), 0, fp()), Err(ErrorKind::Loop { .. })));

        // Declared, A→B→A is still a loop.
        let mut w = walk(Spec { stop_on_same_cursor: true, ..cursor_spec() }, None);
        w.record(&Position::Start, &signals(Some("a")), 1, fp()).unwrap();
        w.record(&a(), &signals(Some("b")), 1, fp()).unwrap();
        let err = w.record(&Position::Cursor(Cursor::text("b").unwrap()), &signals(Some("a")), 1, fp());
        assert!(matches!(err, Err(ErrorKind::Loop { .. })), "{err:?}");

        // The first request carries the declared first cursor (Solr's `*`).
        let spec = Spec { stop_on_same_cursor: true, first_cursor: Some("*"), ..cursor_spec() };
        let mut w = walk(spec, None);
        w.record(&Position::Start, &signals(Some("*")), 0, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::SameCursor));
    }

    #[test]
    fn offset_advances_by_items_received_and_total_is_sticky() {
        let spec = Spec { style: Style::Offset, offset: Some(Target::Query("offset")), ..Spec::DEFAULT };
        let mut w = walk(spec, Some(50));
        w.record(&Position::Offset(0), &Signals { total: Some(75), ..Signals::default() }, 40, fp()).unwrap();
        assert_eq!(w.next().unwrap().position, Position::Offset(40));
        w.record(&Position::Offset(40), &Signals::default(), 30, fp()).unwrap();
        assert_eq!(w.next().unwrap().position, Position::Offset(70));
        w.record(&Position::Offset(70), &Signals::default(), 5, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::TotalReached));
    }

    #[test]
    fn counters_never_wrap() {
        let spec = Spec { style: Style::Offset, offset: Some(Target::Query("o")), ..Spec::DEFAULT };
        let mut w = walk(spec, None);
        let err = w.record(&Position::Offset(u64::MAX - 1), &Signals::default(), 5, fp()).unwrap_err();
        assert!(matches!(err, ErrorKind::Overflow { counter: "offset" }), "{err:?}");
        assert!(w.next().is_none());

        let spec = Spec { style: Style::Page, page: Some(Target::Query("p")), ..Spec::DEFAULT };
        let mut w = walk(spec, Some(10));
        let err = w.record(&Position::Page(u64::MAX), &Signals::default(), 5, fp()).unwrap_err();
        assert!(matches!(err, ErrorKind::Overflow { counter: "page number" }), "{err:?}");

        let start = Checkpoint { items_received: u64::MAX - 1, ..Checkpoint::new(Position::Start) };
        let mut w = Walk::new(cursor_spec(), &Options::default(), None, start);
        let err = w.record(&Position::Start, &signals(Some("c")), 5, fp()).unwrap_err();
        assert!(matches!(err, ErrorKind::Overflow { .. }), "{err:?}");
    }

    #[test]
    fn max_offset_is_never_exceeded() {
        let spec = Spec {
            style: Style::Offset,
            offset: Some(Target::Query("_skip")),
            max_offset: Some(100),
            ..Spec::DEFAULT
        };
        let mut w = walk(spec, Some(50));
        w.record(&Position::Offset(0), &Signals::default(), 50, fp()).unwrap();
        w.record(&Position::Offset(50), &Signals::default(), 50, fp()).unwrap();
        assert_eq!(w.next().unwrap().position, Position::Offset(100));
        let err = w.record(&Position::Offset(100), &Signals::default(), 50, fp()).unwrap_err();
        assert!(matches!(err, ErrorKind::MaxOffset { max_offset: 100, next_offset: 150 }));
    }

    #[test]
    fn max_page_is_inclusive_and_in_the_api_numbering() {
        for first_page in [0, 1] {
            let spec = Spec {
                style: Style::Page,
                page: Some(Target::Query("page")),
                first_page,
                max_page: Some(3),
                ..Spec::DEFAULT
            };
            let mut w = walk(spec, Some(10));
            for page in first_page..3 {
                w.record(&Position::Page(page), &Signals::default(), 10, fp()).unwrap();
            }
            assert_eq!(w.next().unwrap().position, Position::Page(3));
            assert_eq!(w.max_page(), Some(3));
            let err = w.record(&Position::Page(3), &Signals::default(), 10, fp()).unwrap_err();
            assert!(matches!(err, ErrorKind::MaxPage { max_page: 3, next_page: 4 }), "{err:?}");
            assert!(w.next().is_none());
        }
        // `max_offset` is the largest start offset: with 10 a page, page 11 starts at 100.
        let spec = Spec {
            style: Style::Page,
            page: Some(Target::Query("page")),
            max_offset: Some(100),
            ..Spec::DEFAULT
        };
        assert_eq!(walk(spec, Some(10)).max_page(), Some(11));
        assert_eq!(walk(Spec { max_page: Some(5), ..spec }, Some(10)).max_page(), Some(5));
        let mut w = walk(spec, Some(10));
        let err = w.record(&Position::Page(11), &Signals::default(), 10, fp()).unwrap_err();
        assert!(matches!(err, ErrorKind::MaxOffset { max_offset: 100, next_offset: 110 }), "{err:?}");
        // A walk that would start past the limit does not start.
        let start = Checkpoint::new(Position::Page(12));
        let spec = Spec { max_page: Some(11), ..spec };
        let err = Walk::new(spec, &Options::default(), Some(10), start).check_start().unwrap_err();
        assert!(matches!(err, ErrorKind::MaxPage { max_page: 11, next_page: 12 }), "{err:?}");
    }

    #[test]
    fn declared_max_pages_ends_every_style_and_the_option_overrides_it() {
        let spec = Spec { style: Style::Link, max_pages: Some(2), ..Spec::DEFAULT };
        let link =
            |n: u32| Signals { next_url: Some(format!("https://h.example/p{n}")), ..Signals::default() };
        let mut w = walk(spec, None);
        w.record(&Position::Start, &link(2), 1, fp()).unwrap();
        w.record(&Position::Url("https://h.example/p2".into()), &link(3), 1, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::MaxPages));
        let options = Options { max_pages: Some(3), ..Options::default() };
        let mut w = Walk::new(spec, &options, None, Checkpoint::new(Position::Start));
        w.record(&Position::Start, &link(2), 1, fp()).unwrap();
        w.record(&Position::Url("https://h.example/p2".into()), &link(3), 1, fp()).unwrap();
        assert!(w.next().is_some());
    }

    #[test]
    fn page_style_counts_total_pages_from_first_page() {
        for first_page in [0, 1] {
            let spec =
                Spec { style: Style::Page, page: Some(Target::Query("page")), first_page, ..Spec::DEFAULT };
            let mut w = walk(spec, None);
            let s = Signals { total_pages: Some(2), ..Signals::default() };
            w.record(&Position::Page(first_page), &s, 5, fp()).unwrap();
            assert_eq!(w.next().unwrap().position, Position::Page(first_page + 1));
            w.record(&Position::Page(first_page + 1), &s, 5, fp()).unwrap();
            assert_eq!(w.stopped(), Some(StopReason::TotalPagesReached));
        }
    }

    #[test]
    fn empty_page_ends_offset_walks_but_not_cursor_walks_unless_declared() {
        let spec = Spec { style: Style::Offset, offset: Some(Target::Query("o")), ..Spec::DEFAULT };
        let mut w = walk(spec, None);
        w.record(&Position::Offset(0), &Signals::default(), 0, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::EmptyPage));

        let mut w = walk(cursor_spec(), None);
        w.record(&Position::Start, &signals(Some("c")), 0, fp()).unwrap();
        assert!(w.next().is_some());

        let mut w = walk(Spec { stop_on_empty_page: true, ..cursor_spec() }, None);
        w.record(&Position::Start, &signals(Some("c")), 0, fp()).unwrap();
        assert_eq!(w.stopped(), Some(StopReason::EmptyPage));
    }

    /// Every combination of signals on one page of each style, against the rule
    /// "any stop signal wins": the walk continues only when no signal says stop.
    #[test]
    fn stop_precedence_table() {
        let flags = [None, Some(false), Some(true)];
        let mut rows = 0;
        for style in [Style::Cursor, Style::Offset, Style::Page] {
            for cursor in [None, Some("c")] {
                for has_more in flags {
                    for is_last in flags {
                        for total in [None, Some(10), Some(1000)] {
                            for total_pages in [None, Some(1), Some(50)] {
                                for received in [0, 5, 10] {
                                    for short in [false, true] {
                                        let spec = Spec {
                                            style,
                                            cursor: Some(Target::Query("c")),
                                            offset: Some(Target::Query("o")),
                                            page: Some(Target::Query("p")),
                                            stop_on_short_page: short,
                                            ..Spec::DEFAULT
                                        };
                                        let signals = Signals {
                                            cursor: cursor.and_then(Cursor::text),
                                            has_more,
                                            is_last,
                                            total,
                                            total_pages,
                                            next_url: None,
                                            state: None,
                                        };
                                        let mut w = walk(spec, Some(10));
                                        let sent = w.next().unwrap().position.clone();
                                        w.record(&sent, &signals, received, fp()).unwrap();
                                        let expect_stop = has_more == Some(false)
                                            || is_last == Some(true)
                                            || total.is_some_and(|t| received >= t)
                                            || total_pages == Some(1)
                                            || (short && received < 10)
                                            || (received == 0 && style != Style::Cursor)
                                            || (style == Style::Cursor && cursor.is_none());
                                        assert_eq!(
                                            w.next().is_none(),
                                            expect_stop,
                                            "{style:?} cursor={cursor:?} has_more={has_more:?} is_last={is_last:?} \
                                             total={total:?} total_pages={total_pages:?} received={received} short={short}"
                                        );
                                        assert_eq!(w.stopped().is_some(), expect_stop);
                                        rows += 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(rows, 3 * 2 * 3 * 3 * 3 * 3 * 3 * 2);
    }
}
