//! Derive a complete, safe client for a paginated HTTP API from a serde
//! response struct.
//!
//! ```
//! use futures_util::TryStreamExt;
//! use paginated::{PaginateExt, Paginated};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "cursor", cursor_field = "pagination.next_cursor",
//!            cursor_param = "cursor", page_size_param = "limit", page_size = 50)]
//! struct Meetings {
//!     #[paginate(items)]
//!     data: Vec<serde_json::Value>,
//!     pagination: Pagination,
//! }
//!
//! #[derive(Deserialize)]
//! struct Pagination { next_cursor: Option<String> }
//!
//! # async fn run() -> Result<(), paginated::Error> {
//! let client = reqwest::Client::new();
//! let mut meetings = client
//!     .get("https://api.attio.com/v2/meetings")
//!     .bearer_auth("token")
//!     .paginate::<Meetings>()
//!     .items();
//! while let Some(meeting) = meetings.try_next().await? {
//!     println!("{}", meeting["id"]);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`derive@Paginated`] documents every `#[paginate(...)]` key.
//! - [`PaginateExt::paginate`] starts a walk from a `reqwest::RequestBuilder`;
//!   [`Paginator`] sets limits and turns it into [`Items`] or [`Pages`] streams.
//! - [`Error`] is the one error type; each carries a [`Checkpoint`] to resume from.
//! - [`de::Lenient`] reads numbers that APIs send as strings.
//! - The `testing` feature adds [`testing`], an embedded mock of
//!   the seed APIs and a recording server for your own tests.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use paginate_core::*;
pub use paginate_derive::Paginated;

#[doc(hidden)]
pub use paginate_core::__private;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
