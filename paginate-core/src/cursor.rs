//! Cursor values and the conversions from the field types a response declares.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An opaque next-page token read from a response: a string, a number, or any
/// other JSON value (Elasticsearch's `search_after` takes the last hit's `sort`
/// array).
///
/// A cursor is never empty: an absent, null or empty value means "no next page"
/// and is represented by `None` instead. The value is kept exactly as the server
/// sent it; it is encoded once, when it is placed into the next request.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(CursorRepr);

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
enum CursorRepr {
    Text(String),
    Int(i64),
    UInt(u64),
    /// An array or object, kept as its JSON text (so it can be hashed for
    /// loop detection and compared exactly).
    Json(JsonText),
}

/// JSON text that (de)serializes as the JSON value it holds.
#[derive(Clone, PartialEq, Eq, Hash)]
struct JsonText(String);

impl Serialize for JsonText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: Value = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            Err(serde::de::Error::custom("a cursor is never null"))
        } else {
            Ok(JsonText(value.to_string()))
        }
    }
}

impl Cursor {
    /// A text cursor; `None` for the empty string.
    pub fn text(s: impl Into<String>) -> Option<Cursor> {
        let s = s.into();
        (!s.is_empty()).then_some(Cursor(CursorRepr::Text(s)))
    }

    /// A numeric cursor.
    pub fn int(n: i64) -> Cursor {
        Cursor(CursorRepr::Int(n))
    }

    /// A cursor holding any JSON value; `None` for null and the empty string.
    pub fn json(value: &Value) -> Option<Cursor> {
        value.to_cursor()
    }

    /// The cursor as text, as it is sent in a query string or a header
    /// (before encoding): a string as it is, anything else as JSON.
    pub fn as_text(&self) -> Cow<'_, str> {
        match &self.0 {
            CursorRepr::Text(s) | CursorRepr::Json(JsonText(s)) => Cow::Borrowed(s),
            CursorRepr::Int(n) => Cow::Owned(n.to_string()),
            CursorRepr::UInt(n) => Cow::Owned(n.to_string()),
        }
    }

    /// The cursor as a JSON value, as it is sent in a JSON body: a string stays
    /// a string and a number stays a number.
    pub fn to_json(&self) -> Value {
        match &self.0 {
            CursorRepr::Text(s) => Value::String(s.clone()),
            CursorRepr::Int(n) => Value::from(*n),
            CursorRepr::UInt(n) => Value::from(*n),
            CursorRepr::Json(JsonText(s)) => serde_json::from_str(s).expect("kept as valid JSON"),
        }
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            CursorRepr::Text(s) => fmt::Debug::fmt(s, f),
            CursorRepr::Int(n) => fmt::Debug::fmt(n, f),
            CursorRepr::UInt(n) => fmt::Debug::fmt(n, f),
            CursorRepr::Json(JsonText(s)) => f.write_str(s),
        }
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

/// A field type that can hold a next-page cursor (`cursor_field = "..."`).
///
/// Implemented for strings, integers, `Option`, `Box` and `serde_json::Value`.
/// `None`, JSON null and the empty string all mean "no next page".
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a pagination cursor",
    label = "the field named by `cursor_field`, `cursor_item_field` or `next_url` must be a string, an integer or a JSON value (optionally in `Option` or `Box`)",
    note = "the path must name the cursor itself, not the struct that contains it"
)]
pub trait CursorValue {
    /// The cursor this value holds, if any.
    fn to_cursor(&self) -> Option<Cursor>;
}

impl CursorValue for str {
    fn to_cursor(&self) -> Option<Cursor> {
        Cursor::text(self)
    }
}

impl CursorValue for String {
    fn to_cursor(&self) -> Option<Cursor> {
        Cursor::text(self.as_str())
    }
}

impl CursorValue for Cow<'_, str> {
    fn to_cursor(&self) -> Option<Cursor> {
        Cursor::text(self.as_ref())
    }
}

macro_rules! signed_cursor {
    ($($t:ty),*) => {$(
        impl CursorValue for $t {
            fn to_cursor(&self) -> Option<Cursor> {
                Some(Cursor(CursorRepr::Int(i64::from(*self))))
            }
        }
    )*};
}
signed_cursor!(i8, i16, i32, i64, u8, u16, u32);

impl CursorValue for u64 {
    fn to_cursor(&self) -> Option<Cursor> {
        Some(match i64::try_from(*self) {
            Ok(n) => Cursor(CursorRepr::Int(n)),
            Err(_) => Cursor(CursorRepr::UInt(*self)),
        })
    }
}

impl CursorValue for usize {
    fn to_cursor(&self) -> Option<Cursor> {
        (*self as u64).to_cursor()
    }
}

impl CursorValue for Value {
    fn to_cursor(&self) -> Option<Cursor> {
        match self {
            Value::String(s) => Cursor::text(s.as_str()),
            Value::Number(n) => n
                .as_i64()
                .map(Cursor::int)
                .or_else(|| n.as_u64().map(|u| Cursor(CursorRepr::UInt(u))))
                .or_else(|| Some(Cursor(CursorRepr::Json(JsonText(n.to_string()))))),
            Value::Array(a) if a.is_empty() => None,
            Value::Array(_) | Value::Object(_) => Some(Cursor(CursorRepr::Json(JsonText(self.to_string())))),
            Value::Null | Value::Bool(_) => None,
        }
    }
}

/// A JSON array, such as Elasticsearch's `sort` values; an empty one is no cursor.
impl CursorValue for Vec<Value> {
    fn to_cursor(&self) -> Option<Cursor> {
        (!self.is_empty()).then(|| Cursor(CursorRepr::Json(JsonText(Value::from(self.clone()).to_string()))))
    }
}

impl<T: CursorValue + ?Sized> CursorValue for &T {
    fn to_cursor(&self) -> Option<Cursor> {
        (**self).to_cursor()
    }
}

impl<T: CursorValue + ?Sized> CursorValue for Box<T> {
    fn to_cursor(&self) -> Option<Cursor> {
        (**self).to_cursor()
    }
}

impl<T: CursorValue> CursorValue for Option<T> {
    fn to_cursor(&self) -> Option<Cursor> {
        self.as_ref().and_then(CursorValue::to_cursor)
    }
}

/// A field type that can hold an API's error report (`api_error = "path"`):
/// a string (the message; empty means none), a JSON value (a string, an
/// object's `message`/`error`, an array's first element), `Vec`s of those, in
/// `Option` or `Box`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an API error report",
    label = "`api_error` must name a string, a JSON value or a list of errors (optionally in `Option` or `Box`)"
)]
pub trait ApiErrorValue {
    /// The error message, if the value reports an error.
    fn to_api_error(&self) -> Option<String>;
}

impl ApiErrorValue for str {
    fn to_api_error(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_owned())
    }
}

impl ApiErrorValue for String {
    fn to_api_error(&self) -> Option<String> {
        self.as_str().to_api_error()
    }
}

impl ApiErrorValue for Value {
    fn to_api_error(&self) -> Option<String> {
        match self {
            Value::Null | Value::Bool(false) => None,
            Value::String(s) => s.to_api_error(),
            Value::Array(errors) => errors.first().map(|e| e.to_api_error().unwrap_or_else(|| e.to_string())),
            Value::Object(map) => ["message", "error", "code"]
                .iter()
                .find_map(|key| map.get(*key).and_then(ApiErrorValue::to_api_error))
                .or_else(|| Some(self.to_string())),
            other => Some(other.to_string()),
        }
    }
}

impl<T: ApiErrorValue> ApiErrorValue for Vec<T> {
    fn to_api_error(&self) -> Option<String> {
        self.iter().find_map(ApiErrorValue::to_api_error)
    }
}

impl<T: ApiErrorValue + ?Sized> ApiErrorValue for &T {
    fn to_api_error(&self) -> Option<String> {
        (**self).to_api_error()
    }
}

impl<T: ApiErrorValue + ?Sized> ApiErrorValue for Box<T> {
    fn to_api_error(&self) -> Option<String> {
        (**self).to_api_error()
    }
}

impl<T: ApiErrorValue> ApiErrorValue for Option<T> {
    fn to_api_error(&self) -> Option<String> {
        self.as_ref().and_then(ApiErrorValue::to_api_error)
    }
}

/// A field type that can hold a boolean stop flag (`has_more`, `is_last`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a pagination flag",
    label = "`has_more` and `is_last` must name a `bool` field (optionally in `Option` or `Box`)"
)]
pub trait FlagValue {
    /// The flag, if the page states it.
    fn to_flag(&self) -> Option<bool>;
}

impl FlagValue for bool {
    fn to_flag(&self) -> Option<bool> {
        Some(*self)
    }
}

impl<T: FlagValue + ?Sized> FlagValue for &T {
    fn to_flag(&self) -> Option<bool> {
        (**self).to_flag()
    }
}

impl<T: FlagValue + ?Sized> FlagValue for Box<T> {
    fn to_flag(&self) -> Option<bool> {
        (**self).to_flag()
    }
}

impl<T: FlagValue> FlagValue for Option<T> {
    fn to_flag(&self) -> Option<bool> {
        self.as_ref().and_then(FlagValue::to_flag)
    }
}

/// A field type that can hold a count (`total`, `total_pages`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a pagination count",
    label = "`total` and `total_pages` must name an integer field (optionally in `Option`, `Box` or `Lenient`)"
)]
pub trait CountValue {
    /// The count, if the page states a non-negative one.
    fn to_count(&self) -> Option<u64>;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl CountValue for $t {
            fn to_count(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}
count!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl<T: CountValue + ?Sized> CountValue for &T {
    fn to_count(&self) -> Option<u64> {
        (**self).to_count()
    }
}

impl<T: CountValue + ?Sized> CountValue for Box<T> {
    fn to_count(&self) -> Option<u64> {
        (**self).to_count()
    }
}

impl<T: CountValue> CountValue for Option<T> {
    fn to_count(&self) -> Option<u64> {
        self.as_ref().and_then(CountValue::to_count)
    }
}

impl<T: CountValue> CountValue for crate::de::Lenient<T> {
    fn to_count(&self) -> Option<u64> {
        self.0.to_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_null_are_no_cursor() {
        assert_eq!(String::new().to_cursor(), None);
        assert_eq!(Option::<String>::None.to_cursor(), None);
        assert_eq!(Value::Null.to_cursor(), None);
        assert_eq!(Value::String(String::new()).to_cursor(), None);
        assert_eq!(Some(Box::new(String::from("a"))).to_cursor(), Cursor::text("a"));
    }

    #[test]
    fn numbers_keep_their_type_in_json() {
        assert_eq!(42u32.to_cursor().unwrap().to_json(), Value::from(42));
        assert_eq!(u64::MAX.to_cursor().unwrap().to_json(), Value::from(u64::MAX));
        assert_eq!(u64::MAX.to_cursor().unwrap().as_text(), u64::MAX.to_string());
        assert_eq!(Cursor::text("7").unwrap().to_json(), Value::from("7"));
    }

    #[test]
    fn json_cursors_keep_their_shape() {
        let sort = vec![Value::from(1_700_000_000), Value::from("doc#7")];
        let c = sort.to_cursor().unwrap();
        assert_eq!(c.to_json(), Value::from(sort.clone()));
        assert_eq!(c.as_text(), r#"[1700000000,"doc#7"]"#);
        assert_eq!(Vec::<Value>::new().to_cursor(), None);
        assert_eq!(serde_json::json!({"k": 1}).to_cursor().unwrap().to_json(), serde_json::json!({"k": 1}));
    }

    #[test]
    fn cursor_round_trips_through_serde() {
        for c in [
            Cursor::text("a+b/c=\n").unwrap(),
            Cursor::int(-3),
            Cursor::json(&serde_json::json!([1, "x"])).unwrap(),
        ] {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Cursor>(&json).unwrap(), c);
        }
    }
}
