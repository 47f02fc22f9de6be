//! The runtime of [`paginated`](https://docs.rs/paginated): pagination specs,
//! the walk engine and reqwest streams. Most users depend on `paginated`,
//! which re-exports this crate and the derive.
#![deny(missing_docs)]

pub mod checkpoint;
pub mod cursor;
pub mod de;
mod engine;
mod error;
mod fetch;
mod link;
mod request;
mod retry;
pub mod slice;
pub mod spec;
mod stream;
#[cfg(feature = "testing")]
pub mod testing;
mod walk;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use checkpoint::{Checkpoint, Position};
pub use cursor::{CountValue, Cursor, CursorValue, FlagValue};
pub use error::{Error, ErrorKind};
pub use retry::{RetryEvent, RetryPolicy};
pub use slice::{SliceKey, SliceState, SliceValue};
pub use spec::{Paginated, Signals, Spec, Style, Target};
pub use stream::{Items, Pages, PaginateExt, Paginator};
pub use walk::{LoopPolicy, StopReason};
