//! Where a walk stands, in a form that can be stored and resumed from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cursor::Cursor;
use crate::incremental::SinceState;
use crate::redact::Redacted;
use crate::slice::SliceState;
use crate::spec::{Spec, Style};

/// The pagination state of one request: what goes into the declared cursor,
/// offset or page-number target.
///
/// Its `Debug` output redacts credentials in a next URL (`access_token=`),
/// which the position itself keeps so that resuming sends the same request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// The user's request as it is (the first request of a cursor walk).
    Start,
    /// A cursor from the previous page.
    Cursor(Cursor),
    /// An item offset (offset style).
    Offset(u64),
    /// A page number (page style).
    Page(u64),
    /// The absolute URL of the next page (link style).
    Url(String),
    /// The state a custom walk's next request is built from.
    State(serde_json::Value),
}

impl fmt::Debug for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Start => f.write_str("Start"),
            Position::Cursor(cursor) => f.debug_tuple("Cursor").field(&Redacted(cursor)).finish(),
            Position::Offset(offset) => f.debug_tuple("Offset").field(offset).finish(),
            Position::Page(page) => f.debug_tuple("Page").field(page).finish(),
            Position::Url(url) => f.debug_tuple("Url").field(&Redacted(url)).finish(),
            Position::State(state) => f.debug_tuple("State").field(&Redacted(state)).finish(),
        }
    }
}

/// A serializable snapshot of a walk: the request to send next and how many
/// of its items were already delivered.
///
/// Resuming from a checkpoint (with [`Paginator::resume_from`](crate::Paginator::resume_from))
/// re-sends that request with the user's original request as the template and
/// skips the items already delivered, so the walk continues item-exact.
///
/// A stored checkpoint is untrusted input: before any request, `resume_from`
/// checks it against the declaration and the request (a position of the walk's
/// style, a next URL on the request's origin, every number at most
/// [`Checkpoint::MAX_COUNT`], a [`version`](Checkpoint::version) this release
/// reads) and reports any problem as
/// [`ErrorKind::InvalidCheckpoint`](crate::ErrorKind::InvalidCheckpoint).
///
/// ```
/// use paginated::{Checkpoint, Cursor, Position};
///
/// let cp = Checkpoint::new(Position::Cursor(Cursor::text("WzE3MDc5MzAwODEwMDAsMTMxLDJd").unwrap()));
/// let stored = serde_json::to_string(&cp).unwrap();
/// let back: Checkpoint = serde_json::from_str(&stored).unwrap();
/// assert_eq!(back, cp);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The format of the serialized form: 2 for a checkpoint of an
    /// incremental walk (with [`since`](Checkpoint::since)), which a release
    /// that cannot honour it refuses, and 1 for every other, which every
    /// release reads. A checkpoint stored without it (by a release before
    /// formats were numbered, whose format is otherwise the same) reads as 1.
    #[serde(default = "unnumbered_format")]
    pub version: u32,
    /// The pagination state of the request to send.
    pub position: Position,
    /// How many items of that request's page were already delivered. More
    /// than the page holds carries on into the pages after it (a checkpoint
    /// taken while a walk that started over catches up with what it delivered).
    pub skip_items: u64,
    /// How many pages the walk had received before that request.
    pub pages_before: u64,
    /// How many items the walk had delivered before this checkpoint.
    pub items_delivered: u64,
    /// How many items the server had returned before that request (the
    /// progress that `total` is compared with).
    pub items_received: u64,
    /// The item total the API reported, once it reported one.
    pub total: Option<u64>,
    /// The slice a `slice_by` walk is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<SliceState>,
    /// Where an incremental walk (`since_field`) started, and its watermark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<SinceState>,
}

/// The format of checkpoints stored before formats were numbered.
fn unnumbered_format() -> u32 {
    1
}

impl Checkpoint {
    /// The newest checkpoint format this release reads, and the one it
    /// writes for an incremental walk; every other checkpoint is written as
    /// format 1 (see [`version`](Checkpoint::version)).
    pub const FORMAT: u32 = 2;

    /// The largest number a checkpoint may hold in any counter, offset or page
    /// number: 2^53, the largest integer every JSON reader keeps exact. It
    /// leaves a walk room for 2^63 more items before any counter could overflow.
    pub const MAX_COUNT: u64 = 1 << 53;

    /// A checkpoint at `position` with nothing delivered yet.
    pub fn new(position: Position) -> Checkpoint {
        Checkpoint {
            version: Checkpoint::format_for(None),
            position,
            skip_items: 0,
            pages_before: 0,
            items_delivered: 0,
            items_received: 0,
            total: None,
            slice: None,
            since: None,
        }
    }

    /// The format a checkpoint is written in: the oldest that holds it.
    pub(crate) fn format_for(since: Option<&SinceState>) -> u32 {
        if since.is_some() { 2 } else { 1 }
    }
}

impl Position {
    /// The name of this kind of position, as it is serialized.
    fn name(&self) -> &'static str {
        match self {
            Position::Start => "start",
            Position::Cursor(_) => "cursor",
            Position::Offset(_) => "offset",
            Position::Page(_) => "page",
            Position::Url(_) => "url",
            Position::State(_) => "state",
        }
    }

    /// Whether a walk of `style` can send a request from this position.
    pub(crate) fn fits(&self, style: Style) -> bool {
        matches!(
            (style, self),
            (Style::Cursor, Position::Start | Position::Cursor(_))
                | (Style::Offset, Position::Offset(_))
                | (Style::Page, Position::Page(_))
                | (Style::Link, Position::Start | Position::Url(_))
                | (Style::Custom, Position::Start | Position::State(_))
        )
    }
}

/// The positions a walk of `style` takes, for messages.
fn positions_of(style: Style) -> &'static str {
    match style {
        Style::Cursor => "`start` or `cursor`",
        Style::Offset => "`offset`",
        Style::Page => "`page`",
        Style::Link => "`start` or `url`",
        Style::Custom => "`start` or `state`",
    }
}

impl Checkpoint {
    /// Checks a checkpoint given to `resume_from` against the declaration and
    /// the origin of the user's request; the error says what is wrong with it.
    pub(crate) fn check(
        &self,
        spec: &Spec,
        origin: &url::Origin,
        allow_cross_origin: bool,
    ) -> Result<(), String> {
        if self.version > Checkpoint::FORMAT {
            return Err(format!(
                "it was written by a newer release of paginated (format {}; this release reads formats 1 to {})",
                self.version,
                Checkpoint::FORMAT
            ));
        }
        if self.version == 0 {
            return Err(format!(
                "its format 0 does not exist (this release reads formats 1 to {})",
                Checkpoint::FORMAT
            ));
        }
        match &self.since {
            Some(_) if !spec.since_field => {
                return Err("it holds the state of an incremental walk (`since`), and this declaration has \
                            no `since_field`"
                    .to_owned());
            }
            Some(since) => {
                if let Some(problem) = since.problem() {
                    return Err(problem);
                }
            }
            None => {}
        }
        if !self.position.fits(spec.style) {
            return Err(format!(
                "a `{}` position cannot resume a {} walk, which takes {}",
                self.position.name(),
                spec.style.as_str(),
                positions_of(spec.style)
            ));
        }
        let counters = [
            ("skip_items", Some(self.skip_items)),
            ("pages_before", Some(self.pages_before)),
            ("items_delivered", Some(self.items_delivered)),
            ("items_received", Some(self.items_received)),
            ("total", self.total),
            ("offset", if let Position::Offset(n) = self.position { Some(n) } else { None }),
            ("page", if let Position::Page(n) = self.position { Some(n) } else { None }),
        ];
        for (name, value) in counters {
            if let Some(n) = value.filter(|n| *n > Checkpoint::MAX_COUNT) {
                return Err(format!("its {name} {n} is above the largest a checkpoint may hold (2^53)"));
            }
        }
        // Both at most 2^53: the sum cannot overflow.
        if self.items_delivered > self.items_received + self.skip_items {
            return Err(format!(
                "it counts {} items delivered, more than the {} received before its request and the {} \
                 skipped in its page",
                self.items_delivered, self.items_received, self.skip_items
            ));
        }
        match &self.position {
            Position::Page(n) if *n < spec.first_page => {
                Err(format!("its page {n} is before the declared first page {}", spec.first_page))
            }
            Position::Cursor(cursor) if cursor.as_text().is_empty() => Err("its cursor is empty".to_owned()),
            Position::State(serde_json::Value::Null) => {
                Err("its state is null, which ends a custom walk rather than continuing it".to_owned())
            }
            Position::Url(url) => check_url(url, origin, allow_cross_origin),
            _ => Ok(()),
        }
    }
}

/// A checkpoint's next URL: absolute, HTTP(S), and on the request's origin
/// unless the walk may leave it.
fn check_url(url: &str, origin: &url::Origin, allow_cross_origin: bool) -> Result<(), String> {
    let parsed =
        url::Url::parse(url).map_err(|e| format!("its next URL {url:?} is not an absolute URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("its next URL {url:?} is not an http or https URL"));
    }
    if !allow_cross_origin && parsed.origin() != *origin {
        return Err(format!(
            "its next URL {url:?} is on another origin than the request ({}), and \
             `.allow_cross_origin(true)` is not set",
            origin.ascii_serialization()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Target;
    use serde_json::json;

    fn origin() -> url::Origin {
        url::Url::parse("https://api.example.com/v1/list").unwrap().origin()
    }

    fn spec(style: Style) -> Spec {
        Spec {
            style,
            cursor: Some(Target::Query("after")),
            offset: Some(Target::Query("offset")),
            page: Some(Target::Query("page")),
            ..Spec::DEFAULT
        }
    }

    fn check(style: Style, cp: &Checkpoint) -> Result<(), String> {
        cp.check(&spec(style), &origin(), false)
    }

    #[test]
    fn each_style_takes_only_its_positions() {
        let positions = [
            Position::Start,
            Position::Cursor(Cursor::text("c").unwrap()),
            Position::Offset(10),
            Position::Page(2),
            Position::Url("https://api.example.com/v1/list?page=2".to_owned()),
            Position::State(json!({"scroll_id": "s"})),
        ];
        let takes: [(Style, &[&str]); 5] = [
            (Style::Cursor, &["start", "cursor"]),
            (Style::Offset, &["offset"]),
            (Style::Page, &["page"]),
            (Style::Link, &["start", "url"]),
            (Style::Custom, &["start", "state"]),
        ];
        for (style, names) in takes {
            for position in &positions {
                let result = check(style, &Checkpoint::new(position.clone()));
                assert_eq!(
                    result.is_ok(),
                    names.contains(&position.name()),
                    "{style:?} {position:?}: {result:?}"
                );
            }
        }
    }

    #[test]
    fn a_next_url_elsewhere_needs_allow_cross_origin() {
        for url in
            ["http://api.example.com/v1/list", "https://evil.example/x", "https://api.example.com:444/"]
        {
            let cp = Checkpoint::new(Position::Url(url.to_owned()));
            assert!(check(Style::Link, &cp).unwrap_err().contains("another origin"), "{url}");
            assert!(cp.check(&spec(Style::Link), &origin(), true).is_ok());
        }
        for url in ["/v1/list?page=2", "file:///etc/passwd", "javascript:alert(1)"] {
            let cp = Checkpoint::new(Position::Url(url.to_owned()));
            assert!(cp.check(&spec(Style::Link), &origin(), true).is_err(), "{url}");
        }
    }

    #[test]
    fn numbers_are_bounded_and_consistent() {
        let at = |f: fn(&mut Checkpoint)| {
            let mut cp = Checkpoint::new(Position::Offset(0));
            f(&mut cp);
            check(Style::Offset, &cp)
        };
        assert!(at(|cp| cp.position = Position::Offset(Checkpoint::MAX_COUNT)).is_ok());
        assert!(at(|cp| cp.position = Position::Offset(u64::MAX)).is_err());
        assert!(at(|cp| cp.pages_before = u64::MAX).is_err());
        assert!(at(|cp| cp.items_received = Checkpoint::MAX_COUNT + 1).is_err());
        assert!(at(|cp| cp.skip_items = u64::MAX).is_err());
        assert!(at(|cp| cp.total = Some(u64::MAX)).is_err());
        assert!(at(|cp| cp.items_delivered = 1).unwrap_err().contains("delivered"));
        assert!(at(|cp| (cp.items_delivered, cp.items_received, cp.skip_items) = (5, 3, 2)).is_ok());
        let page = |n| check(Style::Page, &Checkpoint::new(Position::Page(n)));
        assert!(page(0).unwrap_err().contains("first page 1"));
        assert!(page(u64::MAX).is_err());
    }

    #[test]
    fn an_incremental_state_fits_only_an_incremental_walk_and_must_be_consistent() {
        use crate::incremental::Watermark;
        let state = |start: Option<i64>, mark: Option<i64>| SinceState {
            start: start.map(Watermark::from),
            watermark: mark.map(Watermark::from),
        };
        let with = |since| Checkpoint { since: Some(since), ..Checkpoint::new(Position::Offset(0)) };
        let incremental = Spec { since_field: true, ..spec(Style::Offset) };
        let cp = with(state(Some(5), Some(7)));
        assert!(cp.check(&incremental, &origin(), false).is_ok());
        assert!(check(Style::Offset, &cp).unwrap_err().contains("since_field"));
        let below = with(state(Some(5), Some(4))).check(&incremental, &origin(), false);
        assert!(below.unwrap_err().contains("below the value 5"));
        assert!(with(state(Some(5), None)).check(&incremental, &origin(), false).is_err());
        assert!(with(state(None, None)).check(&incremental, &origin(), false).is_ok());
        // Written as format 2, which a release before incremental walks refuses.
        assert_eq!(Checkpoint::format_for(cp.since.as_ref()), 2);
        let json = serde_json::to_value(Checkpoint { version: 2, ..cp }).unwrap();
        assert_eq!(json["since"], json!({"start": {"value": 5}, "watermark": {"value": 7}}));
    }

    #[test]
    fn versions_older_than_numbering_read_as_one_and_newer_are_refused() {
        let old = r#"{"position":{"offset":30},"skip_items":0,"pages_before":3,"items_delivered":30,
                      "items_received":30,"total":null}"#;
        let cp: Checkpoint = serde_json::from_str(old).unwrap();
        assert_eq!(cp.version, 1);
        assert!(check(Style::Offset, &cp).is_ok());
        let written = serde_json::to_value(Checkpoint::new(Position::Start)).unwrap();
        assert_eq!(written["version"], 1, "nothing a release before incremental walks cannot read");
        let newer = Checkpoint { version: 99, ..cp.clone() };
        assert!(check(Style::Offset, &newer).unwrap_err().contains("newer release"));
        assert!(check(Style::Offset, &Checkpoint { version: 0, ..cp }).is_err());
    }
}
