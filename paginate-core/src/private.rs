//! Support for the code `#[derive(Paginated)]` generates. Not a public API.

pub use crate::cursor::{ApiErrorValue, CountValue, Cursor, CursorValue, FlagValue};
pub use crate::incremental::SinceValue;
pub use crate::slice::{SliceKey, SliceValue};
pub use crate::spec::{Paginated, Signals, Spec, Style, Target};
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
/// [`HopOption`] is found first for `Option` fields, [`HopPlain`] for any other).
pub struct Hop<'a, T: ?Sized>(pub &'a T);

/// The `Option` step of a path (see [`Hop`]).
pub trait HopOption<'a> {
    /// The type inside the option.
    type Out: ?Sized;
    /// The value inside, if any.
    fn hop(&self) -> Option<&'a Self::Out>;
}

impl<'a, T> HopOption<'a> for Hop<'a, Option<T>> {
    type Out = T;
    fn hop(&self) -> Option<&'a T> {
        self.0.as_ref()
    }
}

impl<'a, T> HopOption<'a> for Hop<'a, Box<Option<T>>> {
    type Out = T;
    fn hop(&self) -> Option<&'a T> {
        self.0.as_ref().as_ref()
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
