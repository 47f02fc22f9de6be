//! placeholder: crate docs are written with the runtime.
#![deny(missing_docs)]

pub use paginate_core::*;
pub use paginate_derive::Paginated;

#[doc(hidden)]
pub use paginate_core::__private;
