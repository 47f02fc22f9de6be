//! The runtime of [`paginated`](https://docs.rs/paginated): pagination specs,
//! the walk engine and reqwest streams. Most users depend on `paginated`,
//! which re-exports this crate and the derive.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod checkpoint;
pub mod cursor;
pub mod de;
mod engine;
mod error;
mod fetch;
pub mod incremental;
mod item;
mod link;
mod origin;
mod page;
mod progress;
mod ratelimit;
mod redact;
mod request;
mod retry;
pub mod slice;
pub mod spec;
mod stream;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
mod walk;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use checkpoint::{Checkpoint, Position};
pub use cursor::{ApiErrorValue, CountValue, Cursor, CursorValue, FlagValue};
pub use error::{Error, ErrorKind};
pub use incremental::{SinceState, SinceValue, Watermark};
pub use item::{ItemCursor, ItemKey, ItemSliceKey};
pub use origin::redirect_policy;
pub use page::{Page, PagesWithMeta};
pub use progress::Progress;
pub use ratelimit::RateLimiter;
pub use retry::{RetryEvent, RetryPolicy};
pub use slice::{SliceKey, SliceState, SliceValue};
pub use spec::{DecodePage, NextRequest, Paginated, Signals, Spec, Style, Target};
pub use stream::{Items, Pages, PaginateExt, Paginator};
pub use transport::{BoxError, Transport, TransportFn, TransportFuture, transport_fn};
pub use walk::{ExpiredCursorPolicy, LoopPolicy, StopReason};
