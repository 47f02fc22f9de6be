//! Incremental walks: only what changed since the last run.
//!
//! With `since_field = "updated_at"` (an item field that grows when an item
//! changes) and `since_param = "updated_since"` (where the start goes), a
//! walk started with [`Paginator::since`](crate::Paginator::since) sends the
//! stored [`Watermark`]'s value on every request as an inclusive lower bound,
//! and the streams report the watermark the next run starts from.
//!
//! The boundary is exact. The server returns the items *at* the watermark
//! again (the bound is inclusive, so none that share it is lost); those the
//! run before delivered are recognised by their `dedup_by` keys, which the
//! watermark keeps, and dropped. Items *below* it (a server whose filter is
//! coarser, by day or by second) are dropped too.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::slice::SliceKey;

/// Where an incremental walk stands: the largest `since_field` value
/// delivered, and the `dedup_by` keys of the items delivered with exactly
/// that value.
///
/// Store it after a run (it is small and serializable) and start the next one
/// with [`Paginator::since`](crate::Paginator::since). A bare value
/// (`Watermark::from("2024-05-01T00:00:00Z")`) knows no keys: the items at
/// that value come again.
///
/// ```
/// use paginate_core::{SliceKey, Watermark};
///
/// let mark = Watermark::from("2024-05-01T10:00:00Z");
/// assert_eq!(mark.value, SliceKey::Text("2024-05-01T10:00:00Z".into()));
/// let stored = serde_json::to_string(&mark).unwrap();
/// assert_eq!(stored, r#"{"value":"2024-05-01T10:00:00Z"}"#);
/// assert_eq!(serde_json::from_str::<Watermark>(&stored).unwrap(), mark);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// The largest value delivered.
    pub value: SliceKey,
    /// The `dedup_by` keys of the delivered items whose value is `value`,
    /// sorted. Large only when many items share one value (a field with the
    /// precision of a day). They are 128-bit hashes made with std's
    /// `DefaultHasher`, which has not changed in years; a Rust release that
    /// changed it would make the items at a stored watermark come again once
    /// (never lost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_value: Vec<u128>,
}

impl Watermark {
    /// A watermark at `value` with no item known to be delivered at it.
    pub fn new(value: impl Into<SliceKey>) -> Watermark {
        Watermark { value: value.into(), at_value: Vec::new() }
    }

    /// Whether an item with this since value and `dedup_by` key was
    /// delivered by the run that left this watermark (or an earlier one).
    fn covers(&self, value: &SliceKey, key: Option<u128>) -> bool {
        match compare(value, &self.value) {
            Ordering::Less => true,
            Ordering::Equal => key.is_some_and(|key| self.at_value.binary_search(&key).is_ok()),
            Ordering::Greater => false,
        }
    }

    /// Sorted, without repeats: what `covers` searches.
    fn normalized(mut self) -> Watermark {
        self.at_value.sort_unstable();
        self.at_value.dedup();
        self
    }
}

macro_rules! from_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Watermark {
            fn from(value: $t) -> Watermark {
                Watermark::new(value)
            }
        }
    )*};
}
from_value!(SliceKey, i32, i64, u32, u64, &str, String);

/// The incremental state of a walk: part of every
/// [`Checkpoint`](crate::Checkpoint) of a `since_field` walk, so a resume
/// sends the same start and goes on raising the same watermark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceState {
    /// Where the walk started ([`Paginator::since`](crate::Paginator::since)):
    /// its value is sent on every request, and the items it covers are
    /// dropped. `None` for a walk from the beginning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Watermark>,
    /// The watermark so far: `start`, raised by every item delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<Watermark>,
}

impl SinceState {
    /// A walk that starts after `start` (from the beginning for `None`).
    pub(crate) fn starting_after(start: Option<Watermark>) -> SinceState {
        let start = start.map(Watermark::normalized);
        SinceState { watermark: start.clone(), start }
    }

    /// The state of a checkpoint, with its key lists sorted for the searches.
    pub(crate) fn normalized(self) -> SinceState {
        SinceState {
            start: self.start.map(Watermark::normalized),
            watermark: self.watermark.map(Watermark::normalized),
        }
    }

    /// The value sent as the lower bound, if the walk has a start.
    pub(crate) fn bound(&self) -> Option<&SliceKey> {
        self.start.as_ref().map(|start| &start.value)
    }

    /// Whether an item is new to this walk's start: above it, or at it and
    /// not delivered by the run before.
    pub(crate) fn admits(&self, value: &SliceKey, key: Option<u128>) -> bool {
        self.start.as_ref().is_none_or(|start| !start.covers(value, key))
    }

    /// Raises the watermark with a delivered item.
    pub(crate) fn raise(&mut self, value: SliceKey, key: Option<u128>) {
        raise(&mut self.watermark, value, key);
    }

    /// What is wrong with a stored state, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        match (&self.start, &self.watermark) {
            (Some(_), None) => Some("its incremental walk has a start but no watermark".to_owned()),
            (Some(start), Some(mark)) if compare(&mark.value, &start.value).is_lt() => Some(format!(
                "its watermark {} is below the value {} its walk started from",
                mark.value, start.value
            )),
            _ => None,
        }
    }
}

/// Raises `watermark` with a delivered item whose since value is `value`.
pub(crate) fn raise(watermark: &mut Option<Watermark>, value: SliceKey, key: Option<u128>) {
    let mark = match watermark {
        Some(mark) => match compare(&value, &mark.value) {
            Ordering::Less => return,
            Ordering::Equal => mark,
            Ordering::Greater => watermark.insert(Watermark::new(value)),
        },
        None => watermark.insert(Watermark::new(value)),
    };
    if let Some(key) = key
        && let Err(at) = mark.at_value.binary_search(&key)
    {
        mark.at_value.insert(at, key);
    }
}

/// The order of since values. Integers compare as numbers; two RFC 3339
/// timestamps as instants (so `…:00Z`, `…:00.5Z` and `…:00+00:00` sort
/// right, whatever the precision or offset each is written with); other
/// text byte by byte; an integer and text as numbers when the text is one.
pub(crate) fn compare(a: &SliceKey, b: &SliceKey) -> Ordering {
    match (a, b) {
        (SliceKey::Int(x), SliceKey::Int(y)) => x.cmp(y),
        (SliceKey::Text(x), SliceKey::Text(y)) => match (instant(x), instant(y)) {
            (Some(at_x), Some(at_y)) => at_x.cmp(&at_y),
            _ => x.cmp(y),
        },
        (SliceKey::Int(x), SliceKey::Text(y)) => {
            y.trim().parse::<i128>().map_or(Ordering::Less, |y| x.cmp(&y))
        }
        (SliceKey::Text(_), SliceKey::Int(_)) => compare(b, a).reverse(),
    }
}

/// Nanoseconds since 1970 of an RFC 3339 date-time
/// (`2024-05-01T10:00:00.123Z`, `2024-05-01 12:00:00+02:00`); `None` for
/// anything else. Digits of a fraction past the ninth are ignored.
fn instant(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i128> {
        let part = b.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + i128::from(d - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| b[at] != c) || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0;
    if b.get(at) == Some(&b'.') {
        let end = b[at + 1..].iter().position(|c| !c.is_ascii_digit()).map_or(b.len(), |n| at + 1 + n);
        if end == at + 1 {
            return None;
        }
        let fraction = &b[at + 1..end];
        nanos = fraction
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(9)
            .fold(0, |n, d| n * 10 + i128::from(d - b'0'));
        at = end;
    }
    let offset = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |x: u8, y: u8| -> Option<i128> {
                (x.is_ascii_digit() && y.is_ascii_digit()).then(|| i128::from((x - b'0') * 10 + (y - b'0')))
            };
            let minutes = two(*h1, *h2)? * 60 + two(*m1, *m2)?;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset * 60;
    Some(seconds * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A field type an incremental walk can follow (`since_field = "..."`):
/// strings (RFC 3339 timestamps among them) and integers, optionally in
/// `Option` or `Box`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the value an incremental walk starts after",
    label = "`since_field` must name a string or integer field of the item, such as an RFC 3339 `updated_at` (optionally in `Option` or `Box`)"
)]
pub trait SinceValue {
    /// The since value of this field, if it has one.
    fn to_since_key(&self) -> Option<SliceKey>;
}

impl SinceValue for str {
    fn to_since_key(&self) -> Option<SliceKey> {
        Some(SliceKey::Text(self.to_owned()))
    }
}

impl SinceValue for String {
    fn to_since_key(&self) -> Option<SliceKey> {
        self.as_str().to_since_key()
    }
}

macro_rules! int_since {
    ($($t:ty),*) => {$(
        impl SinceValue for $t {
            fn to_since_key(&self) -> Option<SliceKey> {
                Some(SliceKey::Int(i128::from(*self)))
            }
        }
    )*};
}
int_since!(i8, i16, i32, i64, u8, u16, u32, u64);

impl<T: SinceValue + ?Sized> SinceValue for &T {
    fn to_since_key(&self) -> Option<SliceKey> {
        (**self).to_since_key()
    }
}

impl<T: SinceValue + ?Sized> SinceValue for Box<T> {
    fn to_since_key(&self) -> Option<SliceKey> {
        (**self).to_since_key()
    }
}

impl<T: SinceValue> SinceValue for Option<T> {
    fn to_since_key(&self) -> Option<SliceKey> {
        self.as_ref().and_then(SinceValue::to_since_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> SliceKey {
        SliceKey::Text(s.to_owned())
    }

    #[test]
    fn timestamps_compare_as_instants_whatever_their_precision_or_offset() {
        let order = ["2024-05-01T09:59:59.999999999Z", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5Z"];
        for pair in order.windows(2) {
            assert_eq!(compare(&text(pair[0]), &text(pair[1])), Ordering::Less, "{pair:?}");
        }
        // As text, `…00Z` would sort after `…00.5Z`.
        assert!(text("2024-05-01T10:00:00Z") > text("2024-05-01T10:00:00.5Z"));
        let same = ["2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01 10:00:00.000z"];
        for other in &same[1..] {
            assert_eq!(compare(&text(same[0]), &text(other)), Ordering::Equal, "{other}");
        }
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(instant("2000-03-01T00:00:00-00:30"), Some((951_868_800 + 1_800) * 1_000_000_000));
        for bad in ["2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00", "2024-05-01T10:00:00.Z", "x"]
        {
            assert_eq!(instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn other_values_compare_as_numbers_or_text() {
        assert_eq!(compare(&SliceKey::Int(9), &SliceKey::Int(10)), Ordering::Less);
        assert_eq!(compare(&text("b"), &text("ab")), Ordering::Greater);
        assert_eq!(compare(&SliceKey::Int(9), &text("10")), Ordering::Less);
        assert_eq!(compare(&text("10"), &SliceKey::Int(10)), Ordering::Equal);
    }

    #[test]
    fn the_start_drops_what_the_run_before_delivered_and_nothing_else() {
        let mut before = None;
        raise(&mut before, text("2024-05-01T10:00:00Z"), Some(7));
        raise(&mut before, text("2024-05-01T09:00:00Z"), Some(1));
        raise(&mut before, text("2024-05-01T10:00:00Z"), Some(3));
        let state = SinceState::starting_after(before);
        assert_eq!(state.watermark.as_ref().map(|w| w.at_value.as_slice()), Some(&[3, 7][..]));
        assert!(!state.admits(&text("2024-05-01T08:00:00Z"), Some(9)), "below the start");
        assert!(!state.admits(&text("2024-05-01T10:00:00Z"), Some(7)), "delivered at the start");
        assert!(!state.admits(&text("2024-05-01T12:00:00+02:00"), Some(3)), "the same instant");
        assert!(state.admits(&text("2024-05-01T10:00:00Z"), Some(8)), "new at the start");
        assert!(state.admits(&text("2024-05-01T10:00:01Z"), Some(7)), "changed again");
        assert!(SinceState::default().admits(&text("0"), None));
    }

    #[test]
    fn the_watermark_rises_and_keeps_the_keys_at_its_value() {
        let mut state =
            SinceState::starting_after(Some(Watermark { value: SliceKey::Int(5), at_value: vec![2] }));
        state.raise(SliceKey::Int(4), Some(1));
        state.raise(SliceKey::Int(5), Some(9));
        assert_eq!(state.watermark, Some(Watermark { value: SliceKey::Int(5), at_value: vec![2, 9] }));
        state.raise(SliceKey::Int(6), Some(4));
        state.raise(SliceKey::Int(6), Some(4));
        state.raise(SliceKey::Int(6), None);
        assert_eq!(state.watermark, Some(Watermark { value: SliceKey::Int(6), at_value: vec![4] }));
        assert_eq!(state.problem(), None);
        state.watermark = Some(Watermark::new(3));
        assert!(state.problem().unwrap().contains("below"));
    }
}
