//! Deep pagination past a maximum offset: slicing by a sortable item field.
//!
//! Close caps `_skip` per resource and tells users to slice by `date_created`
//! ranges; Zendesk and Elasticsearch cap offsets too. With
//! `slice_by = "date_created"` (and the request sorted ascending by it), an
//! offset walk that would pass `max_offset`, or that the server refuses for
//! going too deep, starts again at offset 0 with a lower bound on the field
//! set to the last delivered item's value. Items that share the boundary
//! value are neither lost (the bound is inclusive) nor repeated (their
//! `dedup_by` keys are remembered).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The value of an item's slice field, as compared and as sent as a bound.
///
/// Integers compare as numbers, text as text (ISO-8601 timestamps of one
/// format compare correctly as text). Serialized as a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum SliceKey {
    /// A number.
    Int(i128),
    /// Text, such as an ISO-8601 date.
    Text(String),
}

impl fmt::Display for SliceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SliceKey::Int(n) => n.fmt(f),
            SliceKey::Text(s) => f.write_str(s),
        }
    }
}

/// By hand: an untagged derive reads through serde's buffered content,
/// which has no 128-bit integers, so `Int` would never read back.
impl<'de> Deserialize<'de> for SliceKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SliceKey, D::Error> {
        struct KeyVisitor;

        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = SliceKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }

            fn visit_i64<E>(self, n: i64) -> Result<SliceKey, E> {
                Ok(SliceKey::Int(n.into()))
            }

            fn visit_u64<E>(self, n: u64) -> Result<SliceKey, E> {
                Ok(SliceKey::Int(n.into()))
            }

            fn visit_i128<E>(self, n: i128) -> Result<SliceKey, E> {
                Ok(SliceKey::Int(n))
            }

            fn visit_u128<E: serde::de::Error>(self, n: u128) -> Result<SliceKey, E> {
                i128::try_from(n).map(SliceKey::Int).map_err(|_| E::custom(format!("{n} is too large")))
            }

            fn visit_str<E>(self, text: &str) -> Result<SliceKey, E> {
                Ok(SliceKey::Text(text.to_owned()))
            }

            fn visit_string<E>(self, text: String) -> Result<SliceKey, E> {
                Ok(SliceKey::Text(text))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

macro_rules! int_key {
    ($($t:ty),*) => {$(
        impl From<$t> for SliceKey {
            fn from(n: $t) -> SliceKey {
                SliceKey::Int(i128::from(n))
            }
        }
    )*};
}
int_key!(i32, i64, u32, u64);

impl From<&str> for SliceKey {
    fn from(text: &str) -> SliceKey {
        SliceKey::Text(text.to_owned())
    }
}

impl From<String> for SliceKey {
    fn from(text: String) -> SliceKey {
        SliceKey::Text(text)
    }
}

impl SliceKey {
    /// The bound as a JSON value, for a body target.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SliceKey::Int(n) => {
                i64::try_from(*n).map_or_else(|_| n.to_string().into(), serde_json::Value::from)
            }
            SliceKey::Text(s) => serde_json::Value::from(s.as_str()),
        }
    }
}

/// A field type a walk can slice by (`slice_by = "..."`): strings and integers,
/// optionally in `Option` or `Box`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used to slice a walk",
    label = "`slice_by` must name a string or integer field of the item (optionally in `Option` or `Box`)"
)]
pub trait SliceValue {
    /// The slice key of this value, if it has one.
    fn to_slice_key(&self) -> Option<SliceKey>;
}

impl SliceValue for str {
    fn to_slice_key(&self) -> Option<SliceKey> {
        Some(SliceKey::Text(self.to_owned()))
    }
}

impl SliceValue for String {
    fn to_slice_key(&self) -> Option<SliceKey> {
        self.as_str().to_slice_key()
    }
}

macro_rules! int_slice {
    ($($t:ty),*) => {$(
        impl SliceValue for $t {
            fn to_slice_key(&self) -> Option<SliceKey> {
                Some(SliceKey::Int(i128::from(*self)))
            }
        }
    )*};
}
int_slice!(i8, i16, i32, i64, u8, u16, u32, u64);

impl<T: SliceValue + ?Sized> SliceValue for &T {
    fn to_slice_key(&self) -> Option<SliceKey> {
        (**self).to_slice_key()
    }
}

impl<T: SliceValue + ?Sized> SliceValue for Box<T> {
    fn to_slice_key(&self) -> Option<SliceKey> {
        (**self).to_slice_key()
    }
}

impl<T: SliceValue> SliceValue for Option<T> {
    fn to_slice_key(&self) -> Option<SliceKey> {
        self.as_ref().and_then(SliceValue::to_slice_key)
    }
}

/// Where a sliced walk stands: part of every [`Checkpoint`](crate::Checkpoint)
/// of such a walk, so a resume continues in the right slice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceState {
    /// The lower bound of the current slice (inclusive); `None` for the first slice.
    pub bound: Option<SliceKey>,
    /// The largest value delivered so far.
    pub last: Option<SliceKey>,
    /// The `dedup_by` keys of the delivered items whose value is `last`.
    pub at_last: Vec<u128>,
}

/// Why an item cannot be delivered in a sliced walk.
pub(crate) enum SliceProblem {
    /// The item has no value for the slice field.
    Missing,
    /// The item's value is below the previous one: the request is not sorted.
    Unsorted { previous: SliceKey, found: SliceKey },
}

impl SliceState {
    /// Decides for one item, in order: `Ok(true)` to deliver it, `Ok(false)`
    /// to drop it (it shares the boundary value with an item the previous
    /// slice delivered).
    pub(crate) fn admit(&mut self, value: Option<SliceKey>, key: Option<u128>) -> Result<bool, SliceProblem> {
        let value = value.ok_or(SliceProblem::Missing)?;
        match &self.last {
            Some(last) if value < *last => {
                return Err(SliceProblem::Unsorted { previous: last.clone(), found: value });
            }
            Some(last) if value == *last => {
                if let Some(key) = key {
                    if self.at_last.contains(&key) {
                        return Ok(false);
                    }
                    self.at_last.push(key);
                }
            }
            _ => {
                self.last = Some(value);
                self.at_last.clear();
                self.at_last.extend(key);
            }
        }
        Ok(true)
    }

    /// Starts the next slice at the last delivered value; `false` when that
    /// would not move (every item of the slice shares one value).
    pub(crate) fn next_slice(&mut self) -> bool {
        if self.last.is_none() || self.last == self.bound {
            return false;
        }
        self.bound.clone_from(&self.last);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)] // reads like the values `admit` takes
    fn text(s: &str) -> Option<SliceKey> {
        Some(SliceKey::Text(s.into()))
    }

    #[test]
    fn ties_across_the_boundary_are_neither_lost_nor_repeated() {
        let mut s = SliceState::default();
        assert!(s.admit(text("a"), Some(1)).unwrap_or(false));
        assert!(s.admit(text("b"), Some(2)).unwrap_or(false));
        assert!(s.admit(text("b"), Some(3)).unwrap_or(false));
        assert!(s.next_slice());
        assert_eq!(s.bound, text("b"));
        // The new slice starts at b (inclusive): 2 and 3 again, then 4.
        assert!(!s.admit(text("b"), Some(2)).unwrap_or(true));
        assert!(!s.admit(text("b"), Some(3)).unwrap_or(true));
        assert!(s.admit(text("b"), Some(4)).unwrap_or(false));
        assert!(s.admit(text("c"), Some(5)).unwrap_or(false));
        assert_eq!(s.at_last, [5]);
    }

    #[test]
    fn keys_read_back_as_they_were_written() {
        let state = SliceState {
            bound: Some(SliceKey::Int(-7)),
            last: Some(SliceKey::Int(u64::MAX.into())),
            at_last: vec![u128::MAX],
        };
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<SliceState>(&json).unwrap(), state);
        for key in [SliceKey::Text("2024-05-01".into()), SliceKey::Int(0)] {
            let json = serde_json::to_string(&key).unwrap();
            assert_eq!(serde_json::from_str::<SliceKey>(&json).unwrap(), key);
        }
        assert!(serde_json::from_str::<SliceKey>("[1]").is_err());
    }

    #[test]
    fn a_value_going_down_is_an_unsorted_request() {
        let mut s = SliceState::default();
        assert!(s.admit(Some(SliceKey::Int(5)), None).is_ok());
        assert!(matches!(s.admit(Some(SliceKey::Int(4)), None), Err(SliceProblem::Unsorted { .. })));
        assert!(matches!(s.admit(None, None), Err(SliceProblem::Missing)));
    }

    #[test]
    fn a_slice_that_cannot_move_says_so() {
        let mut s = SliceState::default();
        assert!(!s.next_slice());
        s.admit(text("x"), Some(1)).ok();
        assert!(s.next_slice());
        assert!(!s.next_slice(), "the same bound twice makes no progress");
    }
}
