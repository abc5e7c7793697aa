//! UD English tokenisation with byte offsets: the syntactic words of EWT and
//! GUM (`do` `n't`, `ca` `n't`, `John` `'s`, `long` `-` `term`, `$` `5`),
//! with abbreviations, numbers, URLs, e-mail addresses, handles and hashtags
//! kept whole.
//!
//! Owns: splitting one sentence or paragraph into tokens. May not touch:
//! sentence splitting (that is `extract::sentences`), tags, lemmas, models.
//! Linear in the text, never panics, every span lies on char boundaries.

use std::collections::HashSet;
use std::sync::OnceLock;

/// A token: byte offsets into the text it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

const ABBREVIATIONS_TSV: &str = include_str!("../../data/lexicons/abbreviations-en.tsv");

/// Abbreviations the lexicon lacks but the treebanks write with a period.
const EXTRA_ABBREVIATIONS: &[&str] = &[
    "al.", "cf.", "Fig.", "fig.", "pp.", "ca.", "Attn.", "Thur.", "Mssrs.", "Messrs.", "Mme.",
    "Jan.", "Esq.", "Ave.", "Ph.", "Inc.", "Cos.", "Rs.", "Ste.", "Ft.", "Gov.", "Sens.", "Reps.",
];

fn abbreviations() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set: HashSet<&'static str> = ABBREVIATIONS_TSV
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .map(str::trim)
            .filter(|a| a.len() > 1 && a.ends_with('.'))
            .collect();
        set.extend(EXTRA_ABBREVIATIONS.iter().copied());
        set
    })
}

/// Prefixes that EWT and GUM keep attached across a hyphen (`non-stop`,
/// `e-mail`); every other hyphen between letters is its own token.
const HYPHEN_PREFIXES: &[&str] = &[
    "non", "e", "re", "anti", "pro", "pre", "co", "mid", "cross", "post", "over", "sub", "semi",
    "multi", "ex", "counter", "mini", "inter", "neo", "socio", "psycho", "micro", "intra", "vice",
    "un", "bi", "tri", "ultra", "hyper", "pseudo", "quasi", "macro",
];

/// Words the treebanks split without an apostrophe: (word, split point).
const FUSED: &[(&str, usize)] = &[
    ("cannot", 3),
    ("gonna", 3),
    ("wanna", 3),
    ("gotta", 3),
    ("dont", 2),
    ("didnt", 3),
    ("doesnt", 4),
    ("isnt", 2),
    ("wasnt", 3),
    ("arent", 3),
    ("werent", 4),
    ("couldnt", 5),
    ("wouldnt", 5),
    ("shouldnt", 6),
    ("hasnt", 3),
    ("havent", 4),
    ("hadnt", 3),
    ("cant", 2),
    ("wont", 2),
    ("im", 1),
    ("ive", 1),
    ("youre", 3),
    ("thats", 4),
];

/// Top-level domains that keep `name.com` one token.
const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "uk", "info", "biz", "mx", "ca", "de", "fr", "au",
    "jp", "ru", "cn", "in", "eu", "us", "pdf", "doc", "docx", "htm", "html", "jpg", "jpeg", "png",
    "gif", "txt", "xls", "xlsx", "ppt", "pptx", "zip", "csv", "exe", "mp3", "mp4",
];

const EMOTICONS: &[&str] = &[
    ":-)", ":-(", ";-)", ":)", ":(", ";)", "=)", ":D", ":P", "(:",
];

fn is_apos(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Characters that never start a token but stay with the previous one:
/// combining marks, joiners, variation selectors, skin-tone modifiers.
fn is_joiner(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x0300..=0x036F
        | 0x0483..=0x0489
        | 0x0591..=0x05C7
        | 0x0610..=0x061A
        | 0x064B..=0x065F
        | 0x0670
        | 0x06D6..=0x06ED
        | 0x0E31
        | 0x0E34..=0x0E3A
        | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF
        | 0x200C..=0x200D
        | 0x20D0..=0x20FF
        | 0x3099..=0x309A
        | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F
        | 0x1F3FB..=0x1F3FF
        | 0xE0020..=0xE007F
        | 0xE0100..=0xE01EF)
        // Indic vowel signs and viramas that are not alphabetic.
        || ((0x0900..=0x0DFF).contains(&u) && !c.is_alphanumeric() && u != 0x0964 && u != 0x0965)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_joiner(c)
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

struct Tok<'a> {
    text: &'a str,
    out: Vec<Span>,
    /// An e-mail scan that failed at this offset fails from any start before it.
    no_email_before: usize,
}

impl<'a> Tok<'a> {
    fn ch(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    fn push(&mut self, start: usize, end: usize) {
        if end > start {
            self.out.push(Span { start, end });
        }
    }

    /// Past the joiners at `j`; a zero-width joiner also takes the next char.
    fn joiners(&self, mut j: usize) -> usize {
        while let Some(c) = self.ch(j) {
            if !is_joiner(c) {
                break;
            }
            j += c.len_utf8();
            if c == '\u{200D}' {
                match self.ch(j) {
                    Some(n) if !n.is_whitespace() => j += n.len_utf8(),
                    _ => break,
                }
            }
        }
        j
    }

    /// Past a run of word chars at `j`.
    fn word_run(&self, mut j: usize) -> usize {
        while let Some(c) = self.ch(j) {
            if !is_word(c) {
                break;
            }
            j += c.len_utf8();
        }
        j
    }

    /// The length of a clitic `'s 're 've 'll 'd 'm` at `i` (an apostrophe).
    fn clitic(&self, i: usize) -> Option<usize> {
        let a = self.ch(i).filter(|c| is_apos(*c))?.len_utf8();
        let rest = self.text.get(i + a..)?.as_bytes();
        for cl in ["s", "re", "ve", "ll", "d", "m"] {
            let n = cl.len();
            if rest.len() >= n
                && rest[..n].eq_ignore_ascii_case(cl.as_bytes())
                && !self.ch(i + a + n).is_some_and(is_word)
            {
                return Some(a + n);
            }
        }
        None
    }

    /// The length of `n't` at `i`.
    fn nt(&self, i: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        if !matches!(b.get(i), Some(b'n' | b'N')) {
            return None;
        }
        let a = self.ch(i + 1).filter(|c| is_apos(*c))?.len_utf8();
        if matches!(b.get(i + 1 + a), Some(b't' | b'T')) && !self.ch(i + 2 + a).is_some_and(is_word)
        {
            Some(2 + a)
        } else {
            None
        }
    }

    /// The end of a URL starting at `i`, trailing punctuation excluded.
    fn url(&self, i: usize) -> Option<usize> {
        let rest = self.text.get(i..)?.as_bytes();
        let starts = ["http://", "https://", "ftp://", "www.", "mailto:"];
        if !starts
            .iter()
            .any(|p| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        {
            return None;
        }
        let mut e = i;
        while let Some(c) = self.ch(e) {
            if c.is_whitespace() || matches!(c, '"' | '<' | '>' | '“' | '”') {
                break;
            }
            e += c.len_utf8();
        }
        while e > i {
            let Some(c) = self.text[..e].chars().next_back() else {
                break;
            };
            if matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\'' | '’'
            ) {
                e -= c.len_utf8();
            } else {
                break;
            }
        }
        Some(e)
    }

    /// The end of an e-mail address starting at `i`.
    fn email(&mut self, i: usize) -> Option<usize> {
        if i < self.no_email_before {
            return None;
        }
        let b = self.text.as_bytes();
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b"._%+-".contains(&b[j])) {
            j += 1;
        }
        if j == i || b.get(j) != Some(&b'@') || !b.get(j + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            self.no_email_before = j.max(i + 1);
            return None;
        }
        let mut e = j + 1;
        while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'.' || b[e] == b'-') {
            e += 1;
        }
        while e > j + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        Some(e)
    }

    /// Whether the segments from `i` (after a dot) run, dot by dot, to a
    /// domain or file-name ending: `irc.example.net`, `report.pdf`. Looks at
    /// most a few segments ahead, which keeps the scan linear.
    fn dotted_name(&self, mut i: usize) -> bool {
        for _ in 0..6 {
            let e = self.word_run(i);
            if e == i {
                return false;
            }
            if self.ch(e) == Some('.') && self.ch(e + 1).is_some_and(char::is_alphanumeric) {
                i = e + 1;
                continue;
            }
            let seg = &self.text[i..e];
            return !self.ch(e).is_some_and(is_word)
                && TLDS.iter().any(|t| seg.eq_ignore_ascii_case(t));
        }
        false
    }

    /// Only closing punctuation and spaces from `i` to the end of the text.
    fn at_end(&self, i: usize) -> bool {
        self.text.get(i..).is_some_and(|r| {
            r.chars().all(|c| {
                c.is_whitespace()
                    || matches!(
                        c,
                        '"' | '\'' | '’' | '”' | ')' | ']' | '}' | '»' | '.' | '!' | '?'
                    )
            })
        })
    }

    /// Scans a word at `s`, pushes it (and any clitic) and returns the end.
    fn word(&mut self, s: usize) -> usize {
        let b = self.text.as_bytes();
        let numeric = b[s].is_ascii_digit();
        let mut j = self.word_run(s);
        let mut part = s; // start of the part since the last hyphen or dot
        let mut inner_letter_dot = false;
        let mut digit_hyphens = 0usize;
        let mut first_hyphen = 0usize;
        let mut cut = None; // where a clitic begins
        while let Some(c) = self.ch(j) {
            let prev = self.text[..j].chars().next_back();
            let next_at = j + c.len_utf8();
            let next = self.ch(next_at);
            let prev_digit = prev.is_some_and(|p| p.is_ascii_digit());
            let prev_alpha = prev.is_some_and(char::is_alphabetic);
            let next_digit = next.is_some_and(|n| n.is_ascii_digit());
            let next_alpha = next.is_some_and(char::is_alphabetic);
            let go = match c {
                '.' if prev_digit && next_digit => true,
                '.' if prev_alpha
                    && next_alpha
                    && self.text[part..j].chars().count() == 1
                    && !numeric =>
                {
                    inner_letter_dot = true;
                    true
                }
                '.' if prev_alpha && next_alpha => self.dotted_name(next_at),
                ',' if prev_digit && numeric => {
                    let e = self.word_run(next_at);
                    e == next_at + 3 && b[next_at..e].iter().all(u8::is_ascii_digit)
                }
                ':' if prev_digit && numeric => {
                    let e = self.word_run(next_at);
                    e == next_at + 2 && b[next_at..e].iter().all(u8::is_ascii_digit)
                }
                '/' => prev_digit && next_digit && numeric,
                '-' if prev_digit && next_digit && numeric => {
                    if digit_hyphens == 0 {
                        first_hyphen = j;
                    }
                    digit_hyphens += 1;
                    true
                }
                '-' if prev_alpha && next_alpha => {
                    let p = &self.text[part..j];
                    HYPHEN_PREFIXES.iter().any(|x| p.eq_ignore_ascii_case(x))
                }
                '&' => {
                    prev.is_some_and(|p| p.is_ascii_uppercase())
                        && next.is_some_and(|n| n.is_ascii_uppercase())
                }
                '\'' | '’' => {
                    if j > s && self.nt(j - 1).is_some() {
                        cut = Some(j - 1);
                        false
                    } else if let Some(n) = self.clitic(j) {
                        if numeric && n == c.len_utf8() + 1 {
                            j += n;
                            break;
                        }
                        cut = Some(j);
                        false
                    } else {
                        next_alpha && prev_alpha
                    }
                }
                _ => false,
            };
            if !go {
                break;
            }
            if matches!(c, '.' | '-') {
                part = next_at;
            }
            j = self.word_run(next_at);
        }
        let end = cut.unwrap_or(j);
        let w = &self.text[s..end];

        // A period after an abbreviation or an initial belongs to it, except at
        // the end of the text where it also ends the sentence.
        let single_dot = b.get(end + 1) != Some(&b'.') || b.get(end + 2) != Some(&b'.');
        if cut.is_none() && b.get(end) == Some(&b'.') && single_dot && !numeric {
            let with_dot = &self.text[s..end + 1];
            let initial = w.chars().count() == 1 && w.chars().all(char::is_uppercase);
            if inner_letter_dot
                || ((initial || abbreviations().contains(with_dot))
                    && (!self.at_end(end + 1) || b.get(end + 1) == Some(&b'.')))
            {
                self.push(s, end + 1);
                return end + 1;
            }
        }

        if let Some((_, k)) = FUSED.iter().find(|(f, _)| w.eq_ignore_ascii_case(f)) {
            self.push(s, s + k);
            self.push(s + k, end);
        } else if digit_hyphens == 1 && cut.is_none() {
            let left = &self.text[s..first_hyphen];
            let right = &self.text[first_hyphen + 1..end];
            let whole = right.starts_with('0') || (left.len() <= 3 && right.len() == 4);
            if whole || !left.bytes().all(|x| x.is_ascii_digit()) {
                self.push(s, end);
            } else {
                self.push(s, first_hyphen);
                self.push(first_hyphen, first_hyphen + 1);
                self.push(first_hyphen + 1, end);
            }
        } else {
            self.push(s, end);
        }
        match cut {
            Some(c) => {
                let n = self.nt(c).or_else(|| self.clitic(c)).unwrap_or(1);
                self.push(c, c + n);
                c + n
            }
            None => end,
        }
    }

    /// Pushes the punctuation or symbol token at `i` and returns its end.
    fn punct(&mut self, i: usize, c: char) -> usize {
        let cl = c.len_utf8();
        let adjacent = self.out.last().is_some_and(|t| t.end == i);
        if let Some(n) = self.clitic(i).filter(|_| adjacent) {
            self.push(i, i + n);
            return i + n;
        }
        let rest = &self.text[i..];
        let boundary_before = i == 0 || self.text[..i].ends_with(char::is_whitespace);
        if boundary_before {
            for e in EMOTICONS {
                if rest.starts_with(e) && self.ch(i + e.len()).is_none_or(char::is_whitespace) {
                    self.push(i, i + e.len());
                    return i + e.len();
                }
            }
        }
        if (c == '@' || c == '#') && self.ch(i + 1).is_some_and(char::is_alphabetic) {
            let mut e = i + 1;
            while let Some(n) = self.ch(e) {
                if !(is_word(n) || n == '_') {
                    break;
                }
                e += n.len_utf8();
            }
            self.push(i, e);
            return e;
        }
        let mut e = i + cl;
        match c {
            '.' | '!' | '?' | '…' => {
                while let Some(n) = self.ch(e) {
                    if !matches!(n, '.' | '!' | '?' | '…') {
                        break;
                    }
                    e += n.len_utf8();
                }
            }
            '\'' | '’' | '‘' | '`' => {
                if let Some(n) = self.ch(e).filter(|n| matches!(n, '\'' | '’' | '‘' | '`')) {
                    e += n.len_utf8();
                }
            }
            '-' | '*' | '_' | '=' | '+' | '<' | '>' | '~' | '^' | '$' => {
                while self.ch(e) == Some(c) {
                    e += cl;
                }
            }
            _ if is_regional_indicator(c) => {
                if let Some(n) = self.ch(e).filter(|n| is_regional_indicator(*n)) {
                    e += n.len_utf8();
                }
            }
            _ => {}
        }
        let e = self.joiners(e);
        self.push(i, e);
        e
    }

    fn run(&mut self) {
        let n = self.text.len();
        let mut i = 0;
        while i < n {
            let Some(c) = self.ch(i) else { break };
            if c.is_whitespace() {
                i += c.len_utf8();
                continue;
            }
            let url_start = matches!(c, 'h' | 'H' | 'w' | 'W' | 'f' | 'F' | 'm' | 'M');
            if url_start && let Some(e) = self.url(i).filter(|e| *e > i) {
                self.push(i, e);
                i = e;
                continue;
            }
            if c.is_ascii_alphanumeric()
                && let Some(e) = self.email(i)
            {
                self.push(i, e);
                i = e;
                continue;
            }
            if c.is_alphanumeric() {
                i = self.word(i);
            } else if is_joiner(c) {
                // A stray mark (after a space or at the start) stands alone.
                let e = self.joiners(i + c.len_utf8());
                self.push(i, e);
                i = e;
            } else {
                i = self.punct(i, c);
            }
        }
    }
}

/// Splits one sentence's (or paragraph's) text into UD English tokens.
pub fn tokenize(text: &str) -> Vec<Span> {
    let mut t = Tok {
        text,
        out: Vec::with_capacity(text.len() / 4 + 1),
        no_email_before: 0,
    };
    t.run();
    t.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    fn check_spans(text: &str) -> Vec<Span> {
        let spans = tokenize(text);
        let mut last = 0;
        for s in &spans {
            assert!(s.start >= last && s.start < s.end && s.end <= text.len());
            assert!(text.get(s.start..s.end).is_some(), "{s:?} in {text:?}");
            assert!(!text[s.start..s.end].chars().any(char::is_whitespace));
            last = s.end;
        }
        spans
    }

    #[test]
    fn clitics_with_both_apostrophes() {
        assert_eq!(
            toks("I don't think they're here, it's John's."),
            [
                "I", "do", "n't", "think", "they", "'re", "here", ",", "it", "'s", "John", "'s",
                "."
            ]
        );
        assert_eq!(
            toks("We can’t, won’t; I’m sure you’ve, we’ll, he’d"),
            [
                "We", "ca", "n’t", ",", "wo", "n’t", ";", "I", "’m", "sure", "you", "’ve", ",",
                "we", "’ll", ",", "he", "’d"
            ]
        );
        assert_eq!(toks("DON'T"), ["DO", "N'T"]);
        assert_eq!(toks("gonna cannot"), ["gon", "na", "can", "not"]);
        assert_eq!(toks("O'Brien's"), ["O'Brien", "'s"]);
        assert_eq!(toks("the parents' car"), ["the", "parents", "'", "car"]);
    }

    #[test]
    fn quotes_and_brackets() {
        assert_eq!(
            toks("\"Yes,\" he said (quietly) «non» “ok” ‘fine’ [1]"),
            [
                "\"", "Yes", ",", "\"", "he", "said", "(", "quietly", ")", "«", "non", "»", "“",
                "ok", "”", "‘", "fine", "’", "[", "1", "]"
            ]
        );
        assert_eq!(toks("'Hello'"), ["'", "Hello", "'"]);
    }

    #[test]
    fn dashes_and_hyphens() {
        assert_eq!(
            toks("war—or not–maybe"),
            ["war", "—", "or", "not", "–", "maybe"]
        );
        assert_eq!(toks("a long-term plan"), ["a", "long", "-", "term", "plan"]);
        assert_eq!(
            toks("non-stop e-mail re-elected"),
            ["non-stop", "e-mail", "re-elected"]
        );
        assert_eq!(toks("wait -- now"), ["wait", "--", "now"]);
        assert_eq!(toks("a 14-year-old"), ["a", "14", "-", "year", "-", "old"]);
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            toks("Mr. Smith met Dr. Jones and Gen. Lee in Jan. at 5 a.m. in the U.S. and U.N."),
            [
                "Mr.", "Smith", "met", "Dr.", "Jones", "and", "Gen.", "Lee", "in", "Jan.", "at",
                "5", "a.m.", "in", "the", "U.S.", "and", "U.N."
            ]
        );
        assert_eq!(toks("fruit, e.g. apples"), ["fruit", ",", "e.g.", "apples"]);
        assert_eq!(
            toks("J. R. R. Tolkien wrote"),
            ["J.", "R.", "R.", "Tolkien", "wrote"]
        );
        assert_eq!(toks("George W. Bush"), ["George", "W.", "Bush"]);
    }

    #[test]
    fn final_period() {
        assert_eq!(toks("It rained."), ["It", "rained", "."]);
        assert_eq!(
            toks("He left. She stayed."),
            ["He", "left", ".", "She", "stayed", "."]
        );
        assert_eq!(
            toks("apples, pears etc."),
            ["apples", ",", "pears", "etc", "."]
        );
        assert_eq!(toks("in 2003."), ["in", "2003", "."]);
        assert_eq!(
            toks("He said \"no.\""),
            ["He", "said", "\"", "no", ".", "\""]
        );
    }

    #[test]
    fn numbers_currency_percent() {
        assert_eq!(
            toks("1,000 people paid $5 (3.5%) on 9/11 at 10:30 on 2025-04-26"),
            [
                "1,000",
                "people",
                "paid",
                "$",
                "5",
                "(",
                "3.5",
                "%",
                ")",
                "on",
                "9/11",
                "at",
                "10:30",
                "on",
                "2025-04-26"
            ]
        );
        assert_eq!(toks("€20 and £3.50"), ["€", "20", "and", "£", "3.50"]);
        assert_eq!(toks("1990-1995"), ["1990", "-", "1995"]);
        assert_eq!(toks("call 555-1234"), ["call", "555-1234"]);
        assert_eq!(toks("the 1960's"), ["the", "1960's"]);
    }

    #[test]
    fn urls_emails_handles_hashtags() {
        assert_eq!(
            toks(
                "See https://example.com/a-b?x=1. Or www.bbc.co.uk, mail jo.doe@mail.example.org!"
            ),
            [
                "See",
                "https://example.com/a-b?x=1",
                ".",
                "Or",
                "www.bbc.co.uk",
                ",",
                "mail",
                "jo.doe@mail.example.org",
                "!"
            ]
        );
        assert_eq!(
            toks("@user_1 says #BlackLivesMatter on reuters.com"),
            ["@user_1", "says", "#BlackLivesMatter", "on", "reuters.com"]
        );
        assert_eq!(toks("<http://x.org>"), ["<", "http://x.org", ">"]);
    }

    #[test]
    fn ellipsis_and_punctuation_runs() {
        assert_eq!(toks("Well... no?! …"), ["Well", "...", "no", "?!", "…"]);
        assert_eq!(toks("so :) fine"), ["so", ":)", "fine"]);
    }

    #[test]
    fn empty_and_blank_input() {
        assert!(tokenize("").is_empty());
        assert!(tokenize("  \n\t ").is_empty());
    }

    #[test]
    fn offsets_slice_the_input() {
        let text = "  Mr. O’Brien’s “U.S.” deal — worth $1,000,000 (5%) — isn't done... ok?  ";
        let spans = check_spans(text);
        let joined: String = spans.iter().map(|s| &text[s.start..s.end]).collect();
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, squeezed);
    }

    #[test]
    fn five_thousand_tokens() {
        let text = "The U.S. economy didn't grow 3.5% in 2024. ".repeat(500);
        let spans = check_spans(&text);
        assert_eq!(spans.len(), 5_500);
    }

    #[test]
    fn all_punctuation() {
        let ascii: String = (0x21u8..0x7f)
            .filter(|b| !b.is_ascii_alphanumeric())
            .map(char::from)
            .collect();
        for text in [
            ascii.as_str(),
            "!@#$%^&*()_+-=[]{}|;':\",./<>?`~",
            "''''",
            "..-..--",
        ] {
            let spans = check_spans(text);
            let joined: String = spans.iter().map(|s| &text[s.start..s.end]).collect();
            assert_eq!(joined, text);
        }
    }

    #[test]
    fn any_script_and_emoji() {
        for text in [
            "Москва — столица России.",
            "東京は日本の首都です。",
            "مرحبا بالعالم!",
            "नमस्ते दुनिया। क्षत्रिय",
            "Café naïve e\u{301} ﬁ",
            "I ❤️ NY 👩🏽‍💻🇫🇷! 😀😀",
            "\u{301}\u{200D}\u{FE0F}a\u{200D}",
            "x\u{0}y\u{FFFF}\u{10FFFF}",
        ] {
            check_spans(text);
        }
        assert_eq!(toks("Москва."), ["Москва", "."]);
        assert_eq!(toks("I ❤️ NY"), ["I", "❤️", "NY"]);
        assert_eq!(toks("👩🏽‍💻!"), ["👩🏽‍💻", "!"]);
        assert_eq!(toks("🇫🇷🇩🇪"), ["🇫🇷", "🇩🇪"]);
        assert_eq!(toks("café"), ["café"]);
        assert_eq!(toks("cafe\u{301}s"), ["cafe\u{301}s"]);
    }

    /// `cargo test --release --lib nlp::tokenize::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed() {
        let text = std::fs::read_to_string("/work/shared/treebank/ewt/en_ewt-ud-train.conllu")
            .expect("treebank");
        let body: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# text = "))
            .collect::<Vec<_>>()
            .join(" ");
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..5 {
            n += tokenize(&body).len();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{n} tokens, {:.1} MB/s",
            5.0 * body.len() as f64 / secs / 1e6
        );
    }

    /// Token spans as (start, end) over the text without whitespace.
    fn squeezed(forms: &[&str]) -> Vec<(usize, usize)> {
        let mut at = 0;
        forms
            .iter()
            .map(|f| {
                let n = f.chars().filter(|c| !c.is_whitespace()).count();
                at += n;
                (at - n, at)
            })
            .collect()
    }

    /// Scores the tokenizer on treebank dev files: `cargo test --release --lib
    /// nlp::tokenize::tests::treebank_dev -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn treebank_dev() {
        use crate::nlp::conllu;
        let sets = [
            ("EWT dev", "/work/shared/treebank/ewt/en_ewt-ud-dev.conllu"),
            ("GUM dev", "/work/shared/treebank/gum/dev"),
        ];
        let show = std::env::var("TOK_SHOW").is_ok();
        for (name, path) in sets {
            let sents = conllu::read_paths(&[path.into()]).expect("treebank");
            let (mut exact, mut tp, mut np, mut ng) = (0usize, 0usize, 0usize, 0usize);
            for s in &sents {
                let pred = toks(&s.text);
                let gold: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
                if pred == gold {
                    exact += 1;
                } else if show {
                    println!("{}\n  gold {:?}\n  pred {:?}", s.text, gold, pred);
                }
                let p = squeezed(&pred);
                let g: HashSet<(usize, usize)> = squeezed(&gold).into_iter().collect();
                tp += p.iter().filter(|x| g.contains(x)).count();
                np += p.len();
                ng += g.len();
            }
            let (pr, rc) = (tp as f64 / np as f64, tp as f64 / ng as f64);
            println!(
                "{name}: {} sentences, exact {:.2}%, token P {:.4} R {:.4} F1 {:.4}",
                sents.len(),
                100.0 * exact as f64 / sents.len() as f64,
                pr,
                rc,
                2.0 * pr * rc / (pr + rc)
            );
        }
    }
}
