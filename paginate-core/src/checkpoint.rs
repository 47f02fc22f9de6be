//! Where a walk stands, in a form that can be stored and resumed from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cursor::Cursor;
use crate::redact::Redacted;
use crate::slice::SliceState;

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
/// ```
/// use paginate_core::{Checkpoint, Cursor, Position};
///
/// let cp = Checkpoint::new(Position::Cursor(Cursor::text("WzE3MDc5MzAwODEwMDAsMTMxLDJd").unwrap()));
/// let stored = serde_json::to_string(&cp).unwrap();
/// let back: Checkpoint = serde_json::from_str(&stored).unwrap();
/// assert_eq!(back, cp);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The pagination state of the request to send.
    pub position: Position,
    /// How many items of that request's page were already delivered.
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
}

impl Checkpoint {
    /// A checkpoint at `position` with nothing delivered yet.
    pub fn new(position: Position) -> Checkpoint {
        Checkpoint {
            position,
            skip_items: 0,
            pages_before: 0,
            items_delivered: 0,
            items_received: 0,
            total: None,
            slice: None,
        }
    }
}
