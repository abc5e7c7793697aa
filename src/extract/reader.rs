//! Article reader: raw bytes → date, title and a cleaned body text.
//!
//! Owns: the `date` header line, the title, the dateline (`MOSCOW, April 26
//! (Reuters) –`, whose date wins over the header), photo credit lines (dropped),
//! headings in capitals (dropped, not sentences), and glued words in the source
//! (`beenexpelled` → `been expelled`). May not touch: sentence splitting,
//! entities, claims or the graph.

use super::ExtractError;
use super::lexicon::tables;
use super::time::Ymd;

/// The article after reading.
#[derive(Debug, Clone)]
pub struct Doc {
    pub date: Option<Ymd>,
    pub header_date: Option<Ymd>,
    pub title: Option<String>,
    /// Body paragraphs joined by a blank line; sentence spans refer to this.
    pub body: String,
    /// Byte spans of the paragraphs in `body`.
    pub paragraphs: Vec<(usize, usize)>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Month number (1-12) of a month name or abbreviation (`Sept.`, `April`).
pub fn month_of(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, m) in full.iter().enumerate() {
        if *m == w || (w.len() <= 4 && (m.starts_with(&w) || (w == "sept" && i == 8))) {
            return Some(i as u32 + 1);
        }
    }
    let _ = MONTHS;
    None
}

fn parse_iso(s: &str) -> Option<Ymd> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(Ymd { y, m, d })
}

fn is_credit(line: &str) -> bool {
    let l = line.trim();
    let low = l.to_lowercase();
    let words = l.split_whitespace().count();
    (words <= 8
        && (low.contains("via reuters")
            || low.starts_with("reuters/")
            || low.contains("getty images")
            || low.contains("ap photo")
            || low.contains("/afp")
            || low.starts_with("photo:")
            || low.starts_with("photo by")
            || low.starts_with("file photo")))
        || (words <= 4 && l.ends_with("REUTERS"))
}

/// A caption's own words without its credit (`Trafalgar Square. Image:
/// Mirrys.` → `Trafalgar Square.`): the caption names people and places of
/// the story; the credit names only the photographer.
fn caption_text(line: &str) -> Option<&str> {
    let l = line.trim();
    if l.split_whitespace().count() > 25 {
        return None;
    }
    let cut = ["Image: ", "Photo: ", "Credit: "]
        .iter()
        .filter_map(|m| l.find(m))
        .min()?;
    Some(l[..cut].trim())
}

fn is_heading(line: &str) -> bool {
    let l = line.trim();
    let words = l.split_whitespace().count();
    let letters: Vec<char> = l.chars().filter(|c| c.is_alphabetic()).collect();
    words <= 8
        && letters.len() >= 3
        && letters.iter().all(|c| c.is_uppercase())
        && !l.ends_with('.')
}

/// Looks like a caption or lede rather than a headline: long and ends a sentence.
fn is_sentence_like(line: &str) -> bool {
    let l = line.trim();
    l.split_whitespace().count() > 15 && (l.ends_with('.') || l.ends_with('”') || l.ends_with('"'))
}

/// Strips a dateline (`MOSCOW, April 26 (Reuters) – `, `WASHINGTON (AP) — `,
/// `SPRINGFIELD, Ill., May 2 (Reuters) - `) from the start of a paragraph;
/// returns where the rest starts and the (month, day) it gives, if any.
fn strip_dateline(p: &str) -> Option<(usize, Option<(u32, u32)>)> {
    // A place in capitals, then up to the dash: an optional region, an
    // optional "Month day", an optional "(Agency)"; with no date the agency
    // is required, so that "NATO — the alliance …" is not taken for one.
    let end = p
        .char_indices()
        .take(100)
        .find(|(_, c)| matches!(c, '–' | '—' | '-'));
    let (dash, dc) = end?;
    let head = &p[..dash];
    let place_end = head.find([',', '(']).unwrap_or(head.len());
    let place = head[..place_end].trim();
    if place.is_empty()
        || place.len() > 40
        || !place
            .chars()
            .all(|c| c.is_uppercase() || c == ' ' || c == '.' || c == '\'')
        || place.chars().filter(|c| c.is_alphabetic()).count() < 2
    {
        return None;
    }
    let rest = &head[place_end..];
    let agency = match (rest.find('('), rest.rfind(')')) {
        (Some(a), Some(b)) if b > a + 1 => {
            let ag = &rest[a + 1..b];
            if ag.len() > 30
                || !ag.starts_with(|c: char| c.is_uppercase())
                || !rest[b + 1..].trim().is_empty()
            {
                return None;
            }
            Some(a)
        }
        (None, None) => None,
        _ => return None,
    };
    let before_agency = &rest[..agency.unwrap_or(rest.len())];
    // the date: the last "Month day" among the comma-separated parts
    let mut date = None;
    for part in before_agency.split(',') {
        let mut it = part.split_whitespace();
        if let (Some(m), Some(d)) = (it.next().and_then(month_of), it.next())
            && let Ok(d) = d.parse::<u32>()
            && (1..=31).contains(&d)
        {
            date = Some((m, d));
        }
    }
    if date.is_none() && agency.is_none() {
        return None;
    }
    if before_agency.len() > 45 {
        return None;
    }
    let after = dash + dc.len_utf8();
    let after = after + p[after..].len() - p[after..].trim_start().len();
    Some((after, date))
}

/// Splits glued words (`beenexpelled`) at a closed-class prefix when the rest
/// is a known word (lexicon or elsewhere in the article).
fn repair_glued(text: &str) -> String {
    const PREFIXES: &[&str] = &[
        "been", "have", "has", "had", "the", "was", "were", "will", "would", "that", "with",
        "from", "and", "being", "their", "they",
    ];
    let words: crate::fasthash::HashSet<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let t = tables();
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for (start, w) in word_spans(text) {
        if w.len() < 9 || !w.bytes().all(|b| b.is_ascii_lowercase()) || t.vocab.contains(w) {
            continue;
        }
        for p in PREFIXES {
            if let Some(rest) = w.strip_prefix(p)
                && rest.len() >= 5
                && (t.vocab.contains(rest) || words.contains(rest))
            {
                out.push_str(&text[last..start + p.len()]);
                out.push(' ');
                last = start + p.len();
                break;
            }
        }
    }
    out.push_str(&text[last..]);
    out
}

fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut i = 0;
    let b = text.as_bytes();
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        // skip words glued to non-ASCII letters
        Some((s, &text[s..i]))
    })
}

/// Reads an article: `date YYYY-MM-DD`, blank, title, body paragraphs.
pub fn read(bytes: &[u8]) -> Result<Doc, ExtractError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExtractError::Empty);
    }
    let nul = bytes.iter().take(8192).filter(|&&b| b == 0).count();
    if nul > 0 {
        return Err(ExtractError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ExtractError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).peekable();
    let mut header_date = None;
    // header: first non-empty line
    while let Some(l) = lines.peek() {
        if l.trim().is_empty() {
            lines.next();
        } else {
            break;
        }
    }
    if let Some(l) = lines.peek() {
        let lt = l.trim();
        if let Some(rest) = lt.strip_prefix("date") {
            header_date = parse_iso(rest.trim_start_matches([':', ' ']));
            lines.next();
        }
    }
    let mut paras: Vec<String> = Vec::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() || is_credit(l) {
            continue;
        }
        match caption_text(l) {
            Some("") => continue,
            Some(caption) => paras.push(caption.to_string()),
            None => paras.push(l.to_string()),
        }
    }
    let mut title = None;
    if let Some(first) = paras.first()
        && !is_sentence_like(first)
        && strip_dateline(first).is_none()
    {
        title = Some(paras.remove(0));
        // a file of one paragraph (no title line): best effort, it is the body
        if paras.is_empty() {
            let only = title.clone().unwrap_or_default();
            let words = only.split_whitespace().count();
            if words > 15 || only.ends_with(['.', '"', '”', '?', '!']) {
                title = None;
                paras.push(only);
            }
        }
    }
    let mut date = header_date;
    let mut body = String::new();
    let mut spans = Vec::new();
    let mut dateline_done = false;
    for p in paras {
        if is_heading(&p) {
            continue;
        }
        let mut p = p.as_str();
        if !dateline_done && let Some((after, md)) = strip_dateline(p) {
            dateline_done = true;
            if let Some((m, d)) = md
                && let Some(h) = header_date
            {
                let y = if m > h.m + 1 { h.y - 1 } else { h.y };
                date = Some(Ymd { y, m, d });
            }
            p = &p[after..];
        }
        if p.is_empty() {
            continue;
        }
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        let s = body.len();
        body.push_str(p);
        spans.push((s, body.len()));
    }
    let repaired = repair_glued(&body);
    if repaired.len() != body.len() {
        // recompute paragraph spans
        spans.clear();
        let mut pos = 0;
        for part in repaired.split("\n\n") {
            spans.push((pos, pos + part.len()));
            pos += part.len() + 2;
        }
        body = repaired;
    }
    Ok(Doc {
        date,
        header_date,
        title,
        body,
        paragraphs: spans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dateline_wins_and_credit_dropped() {
        let d = read(
            "date 2025-04-27 Pool via REUTERS\n\nA title\n\nMOSCOW, April 26 (Reuters) – Putin said hi.\n\nNORTH KOREANS\n\nMore text here.\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            d.date,
            Some(Ymd {
                y: 2025,
                m: 4,
                d: 26
            })
        );
        assert_eq!(d.title.as_deref(), Some("A title"));
        assert!(d.body.starts_with("Putin said hi."));
        assert!(!d.body.contains("NORTH KOREANS"));
    }

    #[test]
    fn datelines_with_and_without_a_date() {
        let body = |t: &str| read(format!("date 2025-04-27\n\nA title\n\n{t}").as_bytes()).unwrap();
        for t in [
            "WASHINGTON (Reuters) - The senator spoke.",
            "WASHINGTON (AP) — The senator spoke.",
            "SPRINGFIELD, Ill. (AP) — The senator spoke.",
            "NEW YORK, May 2 (Reuters) – The senator spoke.",
        ] {
            let d = body(t);
            assert_eq!(d.body, "The senator spoke.", "{t}");
        }
        assert_eq!(
            body("NEW YORK, May 2 (Reuters) – X.").date.map(|d| d.d),
            Some(2)
        );
        // no date and no agency: not a dateline
        for t in [
            "NATO — the alliance met.",
            "US-China talks resumed.",
            "KYIV - Shelling went on.",
        ] {
            assert_eq!(body(t).body, t, "{t}");
        }
    }

    #[test]
    fn glued_words() {
        let d =
            read(b"date 2020-01-01\n\nT\n\nThey had been expelled. They had beenexpelled again.")
                .unwrap();
        assert!(d.body.contains("had been expelled again"));
    }

    #[test]
    fn errors() {
        assert!(read(b"").is_err());
        assert!(read(&[0xff, 0xfe, 0x00, 0x41]).is_err());
        assert!(read(&[b'a', 0xff, b'b']).is_err());
    }
}
