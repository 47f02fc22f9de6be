//! Serde helpers for the loose number formats real APIs send.
//!
//! Intercom echoes `per_page` and `total_pages` sometimes as a number (`5`) and
//! sometimes as a string (`"5"`). Declare such fields with [`Lenient`], or keep
//! a plain integer and use [`number_or_string`]:
//!
//! ```
//! use paginated::de::{self, Lenient};
//!
//! #[derive(serde::Deserialize)]
//! struct Pages {
//!     per_page: Lenient<u32>,
//!     #[serde(deserialize_with = "de::number_or_string")]
//!     total_pages: u64,
//! }
//!
//! let a: Pages = serde_json::from_str(r#"{"per_page": 5, "total_pages": "4"}"#).unwrap();
//! let b: Pages = serde_json::from_str(r#"{"per_page": "5", "total_pages": 4}"#).unwrap();
//! assert_eq!((*a.per_page, a.total_pages), (*b.per_page, b.total_pages));
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A number that the API may send either as a JSON number or as a string.
///
/// Dereferences to the number; serializes as a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lenient<T>(pub T);

impl<T> Deref for Lenient<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Display> fmt::Display for Lenient<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Lenient<T>
where
    T: FromStr + TryFrom<u64> + TryFrom<i64>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        number_or_string(deserializer).map(Lenient)
    }
}

/// Deserializes an integer sent as a JSON number or as a string holding one.
///
/// Use with `#[serde(deserialize_with = "paginated::de::number_or_string")]`.
pub fn number_or_string<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + TryFrom<u64> + TryFrom<i64>,
{
    deserializer.deserialize_any(NumberOrString(PhantomData))
}

struct NumberOrString<T>(PhantomData<T>);

impl<T> Visitor<'_> for NumberOrString<T>
where
    T: FromStr + TryFrom<u64> + TryFrom<i64>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding an integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of range")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of range")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::Lenient;

    #[test]
    fn accepts_numbers_and_strings() {
        let v: Vec<Lenient<u32>> = serde_json::from_str(r#"[5, "6", " 7 "]"#).unwrap();
        assert_eq!(v, [Lenient(5), Lenient(6), Lenient(7)]);
        assert!(serde_json::from_str::<Lenient<u32>>(r#""five""#).is_err());
        assert!(serde_json::from_str::<Lenient<u8>>("300").is_err());
        assert!(serde_json::from_str::<Lenient<u8>>("-1").is_err());
        assert_eq!(serde_json::to_string(&Lenient(5u8)).unwrap(), "5");
    }
}
