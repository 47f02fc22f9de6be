//! Support for the code `#[derive(Paginated)]` generates. Not a public API.

pub use crate::cursor::{ApiErrorValue, CountValue, Cursor, CursorValue, FlagValue};
pub use crate::incremental::SinceValue;
pub use crate::item::{ItemCursor, ItemKey, ItemSliceKey};
pub use crate::slice::{SliceKey, SliceValue};
pub use crate::spec::{DecodePage, Paginated, Signals, Spec, Style, Target};
pub use core::default::Default;
pub use core::mem::take;
pub use core::option::Option::{self, None, Some};
pub use serde::de::DeserializeOwned;
pub use serde_json::Value as JsonValue;
pub use std::string::String;
pub use std::vec::Vec;

/// The type of a custom style's `next_request` function.
pub type NextRequestFn = fn(&reqwest::Request, &serde_json::Value) -> reqwest::Request;

/// Checks a `next_request` function against [`NextRequestFn`] where the
/// user's string is, so a wrong signature is reported there.
pub const fn next_request_fn(function: NextRequestFn) -> Option<crate::spec::NextRequest> {
    Some(crate::spec::NextRequest(function))
}

/// A 128-bit hash: two independent 64-bit SipHash values, so that a
/// collision (which would drop an item or report a false loop) is out of reach.
pub(crate) fn hash128<T: core::hash::Hash + ?Sized>(value: &T) -> u128 {
    use std::hash::{DefaultHasher, Hasher};
    let mut a = DefaultHasher::new();
    value.hash(&mut a);
    let mut b = DefaultHasher::new();
    b.write_u64(0x9e37_79b9_7f4a_7c15);
    value.hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The `dedup_by` key of an item field: a 128-bit hash of it (two
/// independent 64-bit SipHash values).
pub fn item_key<T: core::hash::Hash + ?Sized>(value: &T) -> Option<u128> {
    Some(hash128(value))
}

/// One step of a `cursor_field`-like path: the generated code wraps each
/// intermediate field in `Hop` and calls `.hop()`, which yields `None` for an
/// empty `Option` and the value itself otherwise (autoref specialization:
/// [`HopOption`] is found first for `Option` fields and for the types a path
/// cannot go into, [`HopPlain`] for any other).
pub struct Hop<'a, T: ?Sized>(pub &'a T);

/// The step through an `Option`, or into a list or a JSON value (see [`Hop`]).
/// One trait for all of them, so that a step after an error is not ambiguous.
pub trait HopOption<'a, T: ?Sized + 'a> {
    /// The field.
    fn field(&self) -> &'a T;
    /// The value inside, if any; does not compile for a list or a JSON value.
    fn hop(&self) -> Option<&'a <T as Step>::Out>
    where
        T: Step,
    {
        self.field().step()
    }
}

impl<'a, T> HopOption<'a, Option<T>> for Hop<'a, Option<T>> {
    fn field(&self) -> &'a Option<T> {
        self.0
    }
}

impl<'a, T> HopOption<'a, Box<Option<T>>> for Hop<'a, Box<Option<T>>> {
    fn field(&self) -> &'a Box<Option<T>> {
        self.0
    }
}

impl<'a, T> HopOption<'a, Vec<T>> for Hop<'a, Vec<T>> {
    fn field(&self) -> &'a Vec<T> {
        self.0
    }
}

impl<'a> HopOption<'a, serde_json::Value> for Hop<'a, serde_json::Value> {
    fn field(&self) -> &'a serde_json::Value {
        self.0
    }
}

/// A field a path steps through: an `Option` (in a `Box` or not). Lists and
/// JSON values do not implement it, so a path into one is one error, worded
/// for the user, and nothing after it is reported.
#[diagnostic::on_unimplemented(
    message = "a field path cannot go into `{Self}`",
    label = "this path steps into `{Self}`, which has no Rust fields to name",
    note = "a path through a list: the cursor in the last item of the page is `cursor_item_field = \"id\"`, a path in the item type; `dedup_by` and `slice_by` are paths in the item type too",
    note = "a path into a `serde_json::Value`: its keys are not Rust fields; give that part of the response a struct type (`#[derive(Deserialize)] struct Meta {{ next_cursor: Option<String> }}`) and keep the path, or name the value itself"
)]
pub trait Step {
    /// The type inside.
    type Out: ?Sized;
    /// The value inside, if any.
    fn step(&self) -> Option<&Self::Out>;
}

// Hidden from diagnostics, so that a failing step is reported as `Step` with
// its message, not as the list of the types that implement `StepThrough`.
#[diagnostic::do_not_recommend]
impl<T: StepThrough + ?Sized> Step for T {
    type Out = T::Inner;
    fn step(&self) -> Option<&T::Inner> {
        self.step_through()
    }
}

/// The `Option`s a path steps through (see [`Step`]).
pub trait StepThrough {
    /// The type inside.
    type Inner: ?Sized;
    /// The value inside, if any.
    fn step_through(&self) -> Option<&Self::Inner>;
}

impl<T> StepThrough for Option<T> {
    type Inner = T;
    fn step_through(&self) -> Option<&T> {
        self.as_ref()
    }
}

impl<T> StepThrough for Box<Option<T>> {
    type Inner = T;
    fn step_through(&self) -> Option<&T> {
        self.as_ref().as_ref()
    }
}

/// The plain step of a path (see [`Hop`]).
pub trait HopPlain<'a> {
    /// The field type itself.
    type Out: ?Sized;
    /// The value, always present.
    fn hop(&self) -> Option<&'a Self::Out>;
}

impl<'a, T: ?Sized> HopPlain<'a> for &Hop<'a, T> {
    type Out = T;
    fn hop(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

#[cfg(test)]
#[allow(clippy::needless_borrow)] // the borrow selects the impl, as in generated code
mod tests {
    use super::{Hop, HopOption as _, HopPlain as _};

    struct Next {
        after: Option<String>,
    }
    struct Pages {
        next: Option<Box<Next>>,
        boxed: Box<Option<Next>>,
    }

    fn read(p: &Pages) -> Option<&String> {
        let v = &p.next;
        let v = (&Hop(v)).hop()?;
        let v = &v.after;
        (&Hop(v)).hop()
    }

    #[test]
    fn hops_through_option_and_box() {
        let p = Pages { next: Some(Box::new(Next { after: Some("c".into()) })), boxed: Box::new(None) };
        assert_eq!(read(&p).map(String::as_str), Some("c"));
        let q = Pages { next: None, boxed: Box::new(Some(Next { after: None })) };
        assert_eq!(read(&q), None);
        let b = (&Hop(&q.boxed)).hop().map(|n| n.after.is_none());
        assert_eq!(b, Some(true));
        let plain = 5u32;
        assert_eq!((&Hop(&plain)).hop(), Some(&5));
    }
}
