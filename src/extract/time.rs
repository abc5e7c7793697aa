//! Time normalisation against the article (dateline) date.
//!
//! Owns: finding time expressions in a sentence's tokens and turning them into
//! ISO values (`2025-04-26`, `2024-08`, `2023`): weekdays (the most recent such
//! day on or before the article date), `yesterday`, `today`, `last August`,
//! `last month`, `last year`, `February 2022`, `April 26`, `the end of 2023`,
//! `since 2014`, `in 2016`. May not touch: entities, claims or the graph.

use crate::store::Date;

use super::reader::month_of;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Ymd {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
    fn days(&self) -> Option<i32> {
        Date::from_ymd(self.y, self.m, self.d).map(|d| d.0)
    }
    fn from_days(n: i32) -> Option<Ymd> {
        let s = Date(n).to_string();
        let y = s.get(0..4)?.parse().ok()?;
        let m = s.get(5..7)?.parse().ok()?;
        let d = s.get(8..10)?.parse().ok()?;
        Some(Ymd { y, m, d })
    }
    /// Adds days (negative to go back).
    pub fn plus_days(&self, n: i32) -> Option<Ymd> {
        Ymd::from_days(self.days()? + n)
    }
    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> Option<u32> {
        // 1970-01-01 was a Thursday (3).
        Some(((self.days()? % 7 + 7 + 3) % 7) as u32)
    }
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn year_of(w: &str) -> Option<i32> {
    let w = w.trim_end_matches(['.', ',', 's']);
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = w.parse().ok()?;
        if (1800..=2100).contains(&y) {
            return Some(y);
        }
    }
    None
}

/// Finds the first time expression among `words` (the sentence's word tokens)
/// and normalises it. `anchor` is the article date.
pub fn normalise(words: &[&str], anchor: Option<Ymd>) -> Option<String> {
    expressions(words, anchor)
        .into_iter()
        .next()
        .map(|e| e.value)
}

/// A time expression: the words `start..end` of the sentence and their ISO value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeExpr {
    pub start: usize,
    pub end: usize,
    pub value: String,
}

/// Every time expression among `words`, left to right, normalised against
/// `anchor` (the article date). Expressions that cannot be resolved (a
/// weekday without an article date, "next week") are left out.
pub fn expressions(words: &[&str], anchor: Option<Ymd>) -> Vec<TimeExpr> {
    let lw: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lw.len() {
        match expression_at(words, &lw, i, anchor) {
            Some((len, value)) => {
                out.push(TimeExpr {
                    start: i,
                    end: i + len,
                    value,
                });
                i += len.max(1);
            }
            None => i += 1,
        }
    }
    out
}

/// The ISO week (`2019-W03`) that holds a day.
fn iso_week(d: Ymd) -> Option<String> {
    let wd = d.weekday()? as i32; // 0 = Monday
    // the week's Thursday decides its year
    let thu = d.plus_days(3 - wd)?;
    let jan1 = Ymd {
        y: thu.y,
        m: 1,
        d: 1,
    };
    let week = (thu.days()? - jan1.days()?) / 7 + 1;
    Some(format!("{:04}-W{:02}", thu.y, week))
}

/// A day of the month, written `3`, `3rd`, `21st` (a trailing comma allowed).
fn day_of(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(',');
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
}

/// The time expression that starts at word `i`: its length in words and its value.
fn expression_at(
    words: &[&str],
    lw: &[String],
    i: usize,
    anchor: Option<Ymd>,
) -> Option<(usize, String)> {
    let n = lw.len();
    let w = lw[i].as_str();
    // weekdays
    if let Some(wd) = WEEKDAYS.iter().position(|d| *d == w) {
        let a = anchor?;
        let cur = a.weekday()?;
        let back = (cur + 7 - wd as u32) % 7;
        return a.plus_days(-(back as i32)).map(|d| (1, d.iso()));
    }
    match w {
        "yesterday" => return anchor?.plus_days(-1).map(|d| (1, d.iso())),
        "today" | "tonight" => return anchor.map(|d| (1, d.iso())),
        _ => {}
    }
    // "9/11": the attacks of 11 September 2001
    if w == "9/11" {
        return Some((1, "2001-09-11".to_string()));
    }
    if (w == "last" || w == "this") && i + 1 < n {
        let nx = lw[i + 1].as_str();
        let a = anchor?;
        if nx == "month" {
            let (y, m) = if w == "this" {
                (a.y, a.m)
            } else if a.m == 1 {
                (a.y - 1, 12)
            } else {
                (a.y, a.m - 1)
            };
            return Some((2, format!("{y:04}-{m:02}")));
        }
        if nx == "year" {
            let y = if w == "this" { a.y } else { a.y - 1 };
            return Some((2, format!("{y:04}")));
        }
        if nx == "week" {
            let d = if w == "this" { a } else { a.plus_days(-7)? };
            return iso_week(d).map(|v| (2, v));
        }
        if let Some(m) = month_of(nx).filter(|_| nx.len() > 3 || nx == "may") {
            let y = if w == "this" || m < a.m { a.y } else { a.y - 1 };
            return Some((2, format!("{y:04}-{m:02}")));
        }
    }
    let orig = words[i];
    if orig.chars().next().is_some_and(|c| c.is_uppercase())
        && let Some(m) = month_of(orig).filter(|_| orig.len() > 3 || orig == "May")
    {
        // Month Day(, Year) | Month Year | Month
        if i + 1 < n {
            if let Some(d) = day_of(&lw[i + 1]) {
                let mut len = 2;
                let mut y = None;
                if i + 2 < n {
                    let k = if lw[i + 2] == "," && i + 3 < n {
                        i + 3
                    } else {
                        i + 2
                    };
                    y = year_of(&lw[k]);
                    if y.is_some() {
                        len = k + 1 - i;
                    }
                }
                let y = y.or_else(|| anchor.map(|a| if m > a.m { a.y - 1 } else { a.y }))?;
                return Some((len, format!("{y:04}-{m:02}-{d:02}")));
            }
            if let Some(y) = year_of(&lw[i + 1]) {
                return Some((2, format!("{y:04}-{m:02}")));
            }
        }
        if orig == "May"
            && !(i > 0
                && matches!(
                    lw[i - 1].as_str(),
                    "in" | "since" | "early" | "late" | "mid"
                ))
        {
            return None;
        }
        let a = anchor?;
        let y = if m > a.m { a.y - 1 } else { a.y };
        return Some((1, format!("{y:04}-{m:02}")));
    }
    // Day Month (Year), "the 3rd of October"
    if let Some(d) = day_of(w) {
        let k = if i + 2 < n && lw[i + 1] == "of" {
            i + 2
        } else {
            i + 1
        };
        if k < n
            && words[k].chars().next().is_some_and(|c| c.is_uppercase())
            && let Some(m) = month_of(&lw[k]).filter(|_| lw[k].len() > 3 || lw[k] == "may")
        {
            let y = if k + 1 < n { year_of(&lw[k + 1]) } else { None };
            let len = k + 1 - i + usize::from(y.is_some());
            if let Some(y) = y.or_else(|| anchor.map(|a| if m > a.m { a.y - 1 } else { a.y })) {
                return Some((len, format!("{y:04}-{m:02}-{d:02}")));
            }
        }
    }
    if let Some(y) = year_of(w)
        && !w.ends_with('s')
        && i > 0
        && matches!(
            lw[i - 1].as_str(),
            "in" | "of" | "since" | "until" | "by" | "during" | "early" | "late" | "mid"
        )
    {
        return Some((1, format!("{y:04}")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ymd = Ymd {
        y: 2025,
        m: 4,
        d: 26,
    };

    fn n(s: &str) -> Option<String> {
        let w: Vec<&str> = s.split_whitespace().collect();
        normalise(&w, Some(A))
    }

    #[test]
    fn weekday_is_on_or_before() {
        assert_eq!(A.weekday(), Some(5)); // Saturday
        assert_eq!(n("on Saturday").as_deref(), Some("2025-04-26"));
        assert_eq!(n("on Friday").as_deref(), Some("2025-04-25"));
        assert_eq!(n("on Sunday").as_deref(), Some("2025-04-20"));
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(n("last August").as_deref(), Some("2024-08"));
        assert_eq!(n("last month").as_deref(), Some("2025-03"));
        assert_eq!(n("in February 2022").as_deref(), Some("2022-02"));
        assert_eq!(n("at the end of 2023").as_deref(), Some("2023"));
        assert_eq!(n("since 2014").as_deref(), Some("2014"));
        assert_eq!(n("Yesterday , he").as_deref(), Some("2025-04-25"));
        assert_eq!(n("on April 2").as_deref(), Some("2025-04-02"));
        assert_eq!(n("nothing here"), None);
    }

    #[test]
    fn weeks_ordinals_and_named_days() {
        // 2025-04-26 is a Saturday in ISO week 17
        assert_eq!(n("this week").as_deref(), Some("2025-W17"));
        assert_eq!(n("last week").as_deref(), Some("2025-W16"));
        let jan = Ymd {
            y: 2019,
            m: 1,
            d: 22,
        };
        let w: Vec<&str> = "last week".split_whitespace().collect();
        assert_eq!(normalise(&w, Some(jan)).as_deref(), Some("2019-W03"));
        // a week whose Thursday falls in the previous year
        let y = Ymd {
            y: 2021,
            m: 1,
            d: 3,
        };
        let w: Vec<&str> = "this week".split_whitespace().collect();
        assert_eq!(normalise(&w, Some(y)).as_deref(), Some("2020-W53"));
        assert_eq!(n("on April 3rd").as_deref(), Some("2025-04-03"));
        assert_eq!(n("on the 21st of March").as_deref(), Some("2025-03-21"));
        assert_eq!(n("since 9/11").as_deref(), Some("2001-09-11"));
        assert_eq!(n("next week"), None);
    }

    #[test]
    fn every_expression_with_its_words() {
        let w: Vec<&str> = "On Monday , troops that arrived in March 2024 left"
            .split_whitespace()
            .collect();
        let e = expressions(&w, Some(A));
        let got: Vec<(usize, usize, &str)> = e
            .iter()
            .map(|x| (x.start, x.end, x.value.as_str()))
            .collect();
        assert_eq!(got, vec![(1, 2, "2025-04-21"), (7, 9, "2024-03")]);
    }
}
