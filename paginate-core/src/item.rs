//! Values read from an item by its own impl rather than by a field path (see
//! [`ItemCursor`]).

use std::hash::Hash;

use crate::cursor::CursorValue;
use crate::slice::SliceValue;

/// The next cursor an item carries when it is the last of its page, for a
/// bare `#[paginate(cursor_item_field)]`: Stripe's `starting_after` is the
/// last object's `id`, Elasticsearch's `search_after` the last hit's `sort`.
///
/// Reading values from an item by its own impl rather than by a field path
/// is for a page generic over its items (`struct List<T> { data: Vec<T>, .. }`,
/// shared by every endpoint of Stripe, Zendesk or Notion), whose fields the
/// derive cannot see.
///
/// Write the key bare, `#[paginate(cursor_item_field)]` (or `dedup_by`,
/// `slice_by`), and implement the matching trait once per item type; the
/// impl returns the field, of any type the path form accepts:
///
/// ```
/// use paginated::{ItemCursor, ItemKey, PaginateExt, Paginated};
/// use serde::Deserialize;
///
/// /// Every Stripe list: `{"data": [...], "has_more": true}`.
/// #[derive(Deserialize, Paginated)]
/// #[paginate(style = "cursor", cursor_item_field, dedup_by, cursor_param = "starting_after",
///            has_more = "has_more", page_size_param = "limit", page_size = 100)]
/// struct List<T> {
///     #[paginate(items)]
///     data: Vec<T>,
///     has_more: bool,
/// }
///
/// #[derive(Deserialize)]
/// struct Customer { id: String, email: Option<String> }
///
/// impl ItemCursor for Customer {
///     fn cursor(&self) -> impl paginated::CursorValue + '_ { &self.id }
/// }
/// impl ItemKey for Customer {
///     fn key(&self) -> impl std::hash::Hash + '_ { &self.id }
/// }
///
/// # async fn run(client: reqwest::Client) -> Result<(), paginated::Error> {
/// let customers: Vec<Customer> =
///     client.get("https://api.stripe.com/v1/customers").paginate::<List<Customer>>().collect().await?;
/// # let _ = customers; Ok(()) }
/// ```
///
/// A path in a bare key's place on a type-parameter item (`cursor_item_field
/// = "id"` with `data: Vec<T>`) is a compile error that says so; on a
/// concrete item type both forms work.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say which of its fields is the next cursor",
    label = "the page declares a bare `cursor_item_field`, read through `ItemCursor`",
    note = "implement it once per item type: `impl paginated::ItemCursor for {Self} {{ fn cursor(&self) -> impl paginated::CursorValue + '_ {{ &self.id }} }}`"
)]
pub trait ItemCursor {
    /// The field holding the cursor: a string, an integer or a JSON value
    /// (any [`CursorValue`]); an empty or absent one ends the walk.
    fn cursor(&self) -> impl CursorValue + '_;
}

/// The key that recognises an item already delivered, for a bare
/// `#[paginate(dedup_by)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say which of its fields identifies it",
    label = "the page declares a bare `dedup_by`, read through `ItemKey`",
    note = "implement it once per item type: `impl paginated::ItemKey for {Self} {{ fn key(&self) -> impl std::hash::Hash + '_ {{ &self.id }} }}`"
)]
pub trait ItemKey {
    /// The item's identity: any `Hash` value (an item whose key was already
    /// delivered in the walk is dropped).
    fn key(&self) -> impl Hash + '_;
}

/// The value a deep walk slices by, for a bare `#[paginate(slice_by)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say which of its fields a walk slices by",
    label = "the page declares a bare `slice_by`, read through `ItemSliceKey`",
    note = "implement it once per item type: `impl paginated::ItemSliceKey for {Self} {{ fn slice_key(&self) -> impl paginated::SliceValue + '_ {{ &self.date_created }} }}`"
)]
pub trait ItemSliceKey {
    /// The sortable field: a string or an integer (any [`SliceValue`]).
    fn slice_key(&self) -> impl SliceValue + '_;
}
