//! Derive a complete, safe client for a paginated HTTP API from a serde
//! response struct.
//!
//! You write the response type you would write anyway, mark the items, and
//! say in `#[paginate(...)]` where the next-page signal is and where it goes.
//! `paginated` replays your reqwest request page after page, changing only
//! those fields, and gives you a `Stream` of items or of typed pages. A wrong
//! declaration does not compile; every error says where to resume.
//!
//! # Five minutes, one style at a time
//!
//! **Cursor in the query string** (Intercom contacts, Attio, Close events):
//!
//! ```
//! use futures_util::TryStreamExt;
//! use paginated::{PaginateExt, Paginated};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Contact { id: String }
//! #[derive(Deserialize)]
//! struct Next { starting_after: Option<String> }
//! #[derive(Deserialize)]
//! struct Pages { next: Option<Next> }
//!
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "cursor", cursor_field = "pages.next.starting_after", cursor_param = "starting_after",
//!            page_size_param = "per_page", page_size = 50, max_page_size = 150)]
//! struct Contacts {
//!     #[paginate(items)]
//!     data: Vec<Contact>,
//!     pages: Pages,
//! }
//!
//! # async fn run(client: reqwest::Client) -> Result<(), paginated::Error> {
//! let mut contacts = client.get("https://api.intercom.io/contacts").bearer_auth("token")
//!     .paginate::<Contacts>().items();
//! while let Some(contact) = contacts.try_next().await? {
//!     println!("{}", contact.id);
//! }
//! # Ok(()) }
//! ```
//!
//! **Cursor in a JSON body** (Intercom search, Notion, Close advanced filtering):
//! everything else in your body is sent unchanged on every page.
//!
//! ```
//! # use paginated::{PaginateExt, Paginated}; use serde::Deserialize;
//! # #[derive(Deserialize)] struct Next { starting_after: Option<String> }
//! # #[derive(Deserialize)] struct Pages { next: Option<Next> }
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "cursor", cursor_field = "pages.next.starting_after",
//!            cursor_body = "pagination.starting_after", page_size_body = "pagination.per_page")]
//! struct Search {
//!     #[paginate(items)]
//!     conversations: Vec<serde_json::Value>,
//!     pages: Pages,
//! }
//! # async fn run(client: reqwest::Client) -> Result<(), paginated::Error> {
//! let query = serde_json::json!({"query": {"field": "state", "operator": "=", "value": "open"}});
//! let all = client.post("https://api.intercom.io/conversations/search").json(&query)
//!     .paginate::<Search>().collect().await?;
//! # let _ = all; Ok(()) }
//! ```
//!
//! **Offset** (Attio `limit`/`offset`, Close `_skip`/`_limit`): the offset
//! advances by the items actually received; an empty page always ends it.
//!
//! ```
//! # use paginated::{PaginateExt, Paginated}; use serde::Deserialize;
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "offset", offset_param = "_skip", page_size_param = "_limit", page_size = 100,
//!            has_more = "has_more")]
//! struct Leads {
//!     #[paginate(items)]
//!     data: Vec<serde_json::Value>,
//!     has_more: bool,
//! }
//! ```
//!
//! **Page numbers** (with a page count that may come as `7` or `"7"`):
//!
//! ```
//! # use paginated::{Paginated, de::Lenient}; use serde::Deserialize;
//! #[derive(Deserialize)]
//! struct PageInfo { total_pages: Lenient<u64> }
//!
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "page", page_param = "page", first_page = 1, total_pages = "pages.total_pages")]
//! struct Companies {
//!     #[paginate(items)]
//!     data: Vec<serde_json::Value>,
//!     pages: PageInfo,
//! }
//! ```
//!
//! **Links** (GitHub's `Link` header with a bare array body; Graph's
//! `@odata.nextLink` in the body): the next URL is followed verbatim, never to
//! another origin with your credentials.
//!
//! ```
//! # use paginated::Paginated; use serde::Deserialize;
//! #[derive(Deserialize, Paginated)]
//! #[serde(transparent)]
//! #[paginate(style = "link", page_size_param = "per_page", page_size = 100)]
//! struct Issues {
//!     #[paginate(items)]
//!     issues: Vec<serde_json::Value>,
//! }
//!
//! #[derive(Deserialize, Paginated)]
//! #[paginate(style = "link", next_url = "next_link")]
//! struct GraphUsers {
//!     #[paginate(items)]
//!     value: Vec<serde_json::Value>,
//!     #[serde(rename = "@odata.nextLink")]
//!     next_link: Option<String>,
//! }
//! ```
//!
//! # What else
//!
//! - Built on reqwest 0.13, re-exported as [`paginated::reqwest`]:
//!   `.paginate()` is a method of its `RequestBuilder`, so a client built from
//!   another major version of reqwest has no such method.
//! - [`derive@Paginated`] documents every `#[paginate(...)]` key.
//! - [`Paginator`] sets limits (`max_items`, `max_pages`), the page size, the
//!   [`RetryPolicy`] (on by default: rate limits and 503 after the wait they
//!   advertise, other 5xx, network errors), the [`RateLimiter`] every request
//!   passes (shared between walks of one API key, or paced with
//!   [`RateLimiter::per_second`]), lookahead and fan-out, and resumes from a
//!   [`Checkpoint`].
//! - [`Error`] is the one error type; [`ErrorKind`] says what happened, and
//!   each error carries the page and the checkpoint to resume from.
//! - Incremental sync: `since_field = "updated_at"` and [`Paginator::since`]
//!   fetch only what changed since the last run, exactly at the boundary; the
//!   streams' `watermark()` (a [`Watermark`]) says where the next run starts.
//! - [`de::Lenient`] reads numbers that APIs send as strings.
//! - Feature `blocking`: [`blocking`] iterators over `reqwest::blocking`.
//!   Feature `tracing`: a span per walk, an event per page; without it,
//!   [`Paginator::on_page`] gives the same figures to a closure.
//! - [`redirect_policy`] for your client, so that redirects stay on the
//!   request's origin: `reqwest::Client::builder().redirect(paginated::redirect_policy())`.
//!   A walk never goes to another origin unless [`Paginator::allow_cross_origin`],
//!   and checks a [`Checkpoint`] before resuming from it.
//! - Another HTTP client: [`Paginator::with_transport`] and [`transport_fn`].
//! - [`cookbook`]: the declarations of 30-odd real APIs (GitHub, Stripe,
//!   Slack, Salesforce, Elasticsearch, GraphQL...).
//! - One page type for every endpoint (`struct List<T>`): [`ItemCursor`],
//!   [`ItemKey`], [`ItemSliceKey`].
//! - A page's HTTP status, URL and headers: [`Paginator::pages_with_meta`]
//!   and [`Page`].
//! - Feature `testing`: [`testing`], an embedded mock of the seed APIs,
//!   scripted pages, fault injection and request-sequence assertions.
//!
//! [`paginated::reqwest`]: reqwest
// Without its feature a module is not in these docs: its links go to docs.rs.
#![cfg_attr(
    not(feature = "blocking"),
    doc = "[`blocking`]: https://docs.rs/paginated/latest/paginated/blocking/index.html"
)]
#![cfg_attr(
    not(feature = "testing"),
    doc = "[`testing`]: https://docs.rs/paginated/latest/paginated/testing/index.html"
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use paginate_core::*;
pub use paginate_derive::Paginated;

/// The reqwest this crate is built with (0.13): `.paginate()` is a method of
/// its `RequestBuilder`, so build your client from this one, or depend on the
/// same version, and the two always match.
pub use reqwest;

#[doc(hidden)]
pub use paginate_core::__private;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// The cookbook (`docs/cookbook.md`) is a page of these docs, and its
// declarations doctests, so they cannot rot.
#[doc = include_str!("../docs/cookbook.md")]
pub mod cookbook {}
