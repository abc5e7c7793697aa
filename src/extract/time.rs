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
    let lw: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let n = lw.len();
    for i in 0..n {
        let w = lw[i].as_str();
        // weekdays
        if let Some(wd) = WEEKDAYS.iter().position(|d| *d == w) {
            let a = anchor?;
            let cur = a.weekday()?;
            let back = (cur + 7 - wd as u32) % 7;
            return a.plus_days(-(back as i32)).map(|d| d.iso());
        }
        match w {
            "yesterday" => return anchor?.plus_days(-1).map(|d| d.iso()),
            "today" | "tonight" => return anchor.map(|d| d.iso()),
            "tomorrow" => return None,
            _ => {}
        }
        if (w == "last" || w == "this" || w == "next") && i + 1 < n {
            let nx = lw[i + 1].as_str();
            let a = anchor?;
            if w == "next" {
                return None;
            }
            if nx == "month" {
                let (y, m) = if w == "this" {
                    (a.y, a.m)
                } else if a.m == 1 {
                    (a.y - 1, 12)
                } else {
                    (a.y, a.m - 1)
                };
                return Some(format!("{y:04}-{m:02}"));
            }
            if nx == "year" {
                let y = if w == "this" { a.y } else { a.y - 1 };
                return Some(format!("{y:04}"));
            }
            if nx == "week" {
                return None;
            }
            if let Some(m) = month_of(nx).filter(|_| nx.len() > 3 || nx == "may") {
                let y = if w == "this" || m < a.m { a.y } else { a.y - 1 };
                return Some(format!("{y:04}-{m:02}"));
            }
        }
        let orig = words[i];
        if orig.chars().next().is_some_and(|c| c.is_uppercase())
            && let Some(m) = month_of(orig).filter(|_| orig.len() > 3 || orig == "May")
        {
            // Month Day(, Year) | Month Year | Month
            if i + 1 < n {
                if let Ok(d) = lw[i + 1].trim_end_matches(',').parse::<u32>()
                    && (1..=31).contains(&d)
                {
                    let y = if i + 2 < n { year_of(&lw[i + 2]) } else { None };
                    let y = y.or_else(|| anchor.map(|a| if m > a.m { a.y - 1 } else { a.y }))?;
                    return Some(format!("{y:04}-{m:02}-{d:02}"));
                }
                if let Some(y) = year_of(&lw[i + 1]) {
                    return Some(format!("{y:04}-{m:02}"));
                }
            }
            if orig == "May"
                && i > 0
                && !matches!(
                    lw[i - 1].as_str(),
                    "in" | "since" | "early" | "late" | "mid"
                )
            {
                continue;
            }
            if let Some(a) = anchor {
                let y = if m > a.m { a.y - 1 } else { a.y };
                return Some(format!("{y:04}-{m:02}"));
            }
        }
        // Day Month (Year)
        if let Ok(d) = w.parse::<u32>()
            && (1..=31).contains(&d)
            && i + 1 < n
            && words[i + 1]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase())
            && let Some(m) =
                month_of(&lw[i + 1]).filter(|_| lw[i + 1].len() > 3 || lw[i + 1] == "may")
        {
            let y = if i + 2 < n { year_of(&lw[i + 2]) } else { None };
            if let Some(y) = y.or_else(|| anchor.map(|a| if m > a.m { a.y - 1 } else { a.y })) {
                return Some(format!("{y:04}-{m:02}-{d:02}"));
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
            return Some(format!("{y:04}"));
        }
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
}
