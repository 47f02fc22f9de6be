//! The runtime of [`paginated`](https://docs.rs/paginated): pagination specs,
//! the walk engine and reqwest streams. Most users depend on `paginated`,
//! which re-exports this crate and the derive.
#![deny(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod checkpoint;
pub mod cursor;
pub mod de;
mod engine;
mod error;
mod fetch;
mod link;
mod origin;
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
pub use origin::redirect_policy;
pub use progress::Progress;
pub use ratelimit::RateLimiter;
pub use retry::{RetryEvent, RetryPolicy};
pub use slice::{SliceKey, SliceState, SliceValue};
pub use spec::{NextRequest, Paginated, Signals, Spec, Style, Target};
pub use stream::{Items, Pages, PaginateExt, Paginator};
pub use transport::{BoxError, Transport, TransportFn, TransportFuture, transport_fn};
pub use walk::{ExpiredCursorPolicy, LoopPolicy, StopReason};
