//! The deterministic datasets behind the emulations, and the ISO-8601 dates
//! they carry.
//!
//! Every record is a JSON object with a unique string `id` made of a resource
//! prefix and a 1-based, zero-padded index (`cont_0001` … `cont_1000`), so a
//! test can check that a walk delivered every record exactly once. Dates are
//! scattered rather than increasing with the id, so sorting by a date really
//! reorders the records.

use std::cmp::Ordering;

use serde_json::{Value, json};

/// One of the lists the mock API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Intercom contacts (`GET /contacts`), ids `cont_0001`….
    Contacts,
    /// Intercom conversations (`GET /conversations`, `POST /conversations/search`), ids `conv_0001`….
    Conversations,
    /// Intercom companies (`GET /companies`, page numbers), ids `comp_0001`….
    Companies,
    /// Attio notes (`GET /v2/notes`), ids `note_0001`….
    Notes,
    /// Attio people (`POST /v2/objects/people/records/query`), ids `person_0001`….
    People,
    /// Attio meetings (`GET /v2/meetings`), ids `meet_0001`….
    Meetings,
    /// Close leads (`GET /api/v1/lead/`, `POST /api/v1/data/search/`), ids `lead_0001`….
    Leads,
    /// Close events (`GET /api/v1/event/`), ids `ev_0001`….
    Events,
}

impl Resource {
    /// Every resource, in declaration order.
    pub const ALL: [Resource; 8] = [
        Resource::Contacts,
        Resource::Conversations,
        Resource::Companies,
        Resource::Notes,
        Resource::People,
        Resource::Meetings,
        Resource::Leads,
        Resource::Events,
    ];

    /// The prefix of this resource's ids (`"cont"` for `cont_0001`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Resource::Contacts => "cont",
            Resource::Conversations => "conv",
            Resource::Companies => "comp",
            Resource::Notes => "note",
            Resource::People => "person",
            Resource::Meetings => "meet",
            Resource::Leads => "lead",
            Resource::Events => "ev",
        }
    }

    /// The id of the record at 1-based `index` (`Resource::Contacts.id(1)` is `"cont_0001"`).
    pub fn id(self, index: usize) -> String {
        format!("{}_{index:04}", self.id_prefix())
    }
}

/// The records of every resource, each list in its default (id) order.
#[derive(Debug)]
pub(crate) struct Datasets {
    lists: Vec<(Resource, Vec<Value>)>,
}

impl Datasets {
    /// `records` records per resource.
    pub(crate) fn generate(records: usize) -> Self {
        let lists = Resource::ALL
            .iter()
            .map(|&resource| {
                let list = (1..=records).map(|i| record(resource, i, records)).collect();
                (resource, list)
            })
            .collect();
        Datasets { lists }
    }

    /// The records of `resource`, in id order.
    pub(crate) fn get(&self, resource: Resource) -> &[Value] {
        self.lists.iter().find(|(r, _)| *r == resource).map(|(_, list)| list.as_slice()).unwrap_or_default()
    }
}

/// A permutation of `0..n` (7919 is prime, so it is one whenever `n` is not a
/// multiple of it), used to scatter dates across ids.
fn scatter(index: usize, n: usize) -> u64 {
    (index as u64 * 7919) % n.max(1) as u64
}

fn record(resource: Resource, i: usize, n: usize) -> Value {
    let id = resource.id(i);
    let spread = scatter(i, n);
    match resource {
        Resource::Contacts => json!({
            "type": "contact",
            "id": id,
            "workspace_id": "mockws01",
            "external_id": format!("ext-{i:04}"),
            "role": if i.is_multiple_of(4) { "lead" } else { "user" },
            "email": format!("contact{i:04}@example.com"),
            "name": format!("Contact {i:04}"),
            "created_at": 1_600_000_000 + spread * 3_600,
        }),
        Resource::Conversations => json!({
            "type": "conversation",
            "id": id,
            "title": format!("Conversation {i:04}"),
            // Around the seed's `created_at > 1693782000`, which selects about half.
            "created_at": 1_690_000_000 + spread * 7_200,
            "updated_at": 1_698_000_000 + spread * 60,
            "state": (["open", "closed", "snoozed"][i % 3]),
            "priority": if i.is_multiple_of(5) { "priority" } else { "not_priority" },
        }),
        Resource::Companies => json!({
            "type": "company",
            "id": id,
            "company_id": format!("company-{i:04}"),
            "name": format!("Company {i:04}"),
            "user_count": spread % 50,
            "created_at": 1_650_000_000 + spread * 3_600,
        }),
        Resource::Notes => json!({
            "id": id,
            "parent_object": "people",
            "parent_record_id": Resource::People.id(i),
            "title": format!("Note {i:04}"),
            "content_plaintext": format!("Call notes number {i}."),
            "created_at": iso_date(1_680_000_000 + spread * 600, 0, "Z"),
        }),
        Resource::People => json!({
            "id": id,
            "name": format!("Person {i:04}"),
            "email_addresses": [format!("person{i:04}@example.com")],
            "job_title": (["Engineer", "Designer", "Founder"][i % 3]),
            "created_at": iso_date(1_670_000_000 + spread * 900, 0, "Z"),
        }),
        Resource::Meetings => json!({
            "id": id,
            "title": format!("Meeting {i:04}"),
            "start": iso_date(1_700_000_000 + spread * 1_800, 0, "Z"),
            "end": iso_date(1_700_000_000 + spread * 1_800 + 1_800, 0, "Z"),
        }),
        // Five leads share each date_created, so a deep walk by date has ties to handle.
        Resource::Leads => json!({
            "id": id,
            "display_name": format!("Lead {i:04}"),
            "status_label": (["Potential", "Qualified", "Customer"][i % 3]),
            "date_created": iso_date(1_577_836_800 + (spread / 5) * 86_400, 331_000, "+00:00"),
            "date_updated": iso_date(1_600_000_000 + spread * 60, 0, "+00:00"),
        }),
        // Close lists events newest first.
        Resource::Events => json!({
            "id": id,
            "object_type": "lead",
            "object_id": Resource::Leads.id(i),
            "action": if i.is_multiple_of(2) { "updated" } else { "created" },
            "date_created": iso_date(1_710_000_000 - i as u64 * 60, 0, "+00:00"),
        }),
    }
}

/// Orders two JSON values the way a sort on a field should: numbers by
/// value, strings by bytes, null and absent first, mixed kinds by kind.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or_default().total_cmp(&y.as_f64().unwrap_or_default())
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Sorts records by `field`, ties broken by id ascending so every page
/// boundary is deterministic.
pub(crate) fn sort_records(records: &mut [Value], field: &str, descending: bool) {
    records.sort_by(|a, b| {
        let by_field = compare_values(&a[field], &b[field]);
        let by_field = if descending { by_field.reverse() } else { by_field };
        by_field.then_with(|| compare_values(&a["id"], &b["id"]))
    });
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff]<zone>` for a UTC instant.
pub(crate) fn iso_date(unix_seconds: u64, micros: u32, zone: &str) -> String {
    let days = unix_seconds / 86_400;
    let rest = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rest / 3_600, rest / 60 % 60, rest % 60);
    let fraction = if micros == 0 { String::new() } else { format!(".{micros:06}") };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}")
}

/// Howard Hinnant's `civil_from_days`, for days since 1970-01-01 (no dates
/// before the epoch occur here).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Microseconds since the epoch of an ISO-8601 date or date-time, as Close
/// accepts in `date_created__gte=`: `2020-01-31`, `2020-01-31T10:00:00`,
/// with an optional fraction and `Z` or `±HH:MM` zone (no zone means UTC).
pub(crate) fn parse_instant(text: &str) -> Option<i64> {
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let mut ymd = date.splitn(3, '-');
    let (year, month, day) = (number(ymd.next()?)?, number(ymd.next()?)?, number(ymd.next()?)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_seconds) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone[1..].split_once(':')?;
        (clock, sign * (number(hours)? * 3_600 + number(minutes)? * 60))
    } else {
        (time, 0)
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms = clock.splitn(3, ':');
    let (hour, minute, second) = (number(hms.next()?)?, number(hms.next()?)?, number(hms.next()?)?);
    let micros = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(6).collect();
        number(&digits)?
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offset_seconds;
    Some(seconds * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_and_parse_back() {
        assert_eq!(iso_date(1_577_836_800, 331_000, "+00:00"), "2020-01-01T00:00:00.331000+00:00");
        assert_eq!(iso_date(1_709_251_199, 0, "Z"), "2024-02-29T23:59:59Z");
        let instant = parse_instant("2020-01-01T00:00:00.331000+00:00").unwrap();
        assert_eq!(instant, 1_577_836_800_331_000);
        assert_eq!(parse_instant("2020-01-01"), Some(1_577_836_800_000_000));
        assert_eq!(parse_instant("2020-01-01T01:00:00+01:00"), Some(1_577_836_800_000_000));
        assert_eq!(parse_instant("2020-01-01 00:00:00 00:00"), None);
    }

    #[test]
    fn ids_are_unique_and_dates_are_shared_by_five_leads() {
        let data = Datasets::generate(1_000);
        let leads = data.get(Resource::Leads);
        assert_eq!(leads[0]["id"], "lead_0001");
        let mut dates: Vec<&str> = leads.iter().map(|l| l["date_created"].as_str().unwrap()).collect();
        dates.sort_unstable();
        dates.dedup();
        assert_eq!(dates.len(), 200);
    }
}
