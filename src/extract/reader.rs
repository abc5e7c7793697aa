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

/// Strips a dateline (`MOSCOW, April 26 (Reuters) – `) from the start of a
/// paragraph; returns the rest and the (month, day) it gives.
fn strip_dateline(p: &str) -> Option<(usize, u32, u32)> {
    // Place in capitals, a comma, month day, optional (Agency), a dash.
    let comma = p.find(',')?;
    if comma == 0 || comma > 40 {
        return None;
    }
    let place = &p[..comma];
    if !place
        .chars()
        .all(|c| c.is_uppercase() || c == ' ' || c == '.' || c == '-' || c == '\'')
        || !place.chars().any(|c| c.is_alphabetic())
    {
        return None;
    }
    let rest = &p[comma + 1..];
    let mut it = rest.split_whitespace();
    let m = month_of(it.next()?)?;
    let d: u32 = it.next()?.trim_end_matches(',').parse().ok()?;
    // find the dash
    let dash_pos = rest
        .char_indices()
        .take(60)
        .find(|(_, c)| matches!(c, '–' | '—' | '-'))?;
    let after = comma + 1 + dash_pos.0 + dash_pos.1.len_utf8();
    let after = after + p[after..].len() - p[after..].trim_start().len();
    Some((after, m, d))
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
        if !dateline_done && let Some((after, m, d)) = strip_dateline(p) {
            dateline_done = true;
            let y = header_date.map(|h| if m > h.m + 1 { h.y - 1 } else { h.y });
            if let Some(y) = y {
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
