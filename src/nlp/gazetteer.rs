//! Gazetteer matching for the entity tagger: the place, organisation,
//! demonym and title lists of `data/gazetteers/` and `data/lexicons/`,
//! embedded at build time and turned once (lazily) into a hash table of
//! lowercased token n-grams. [`mark`] gives, per token and per source, the
//! B/I/L/U position of the longest match that covers it.
//!
//! Owns: reading those files for the entity tagger and matching them over
//! tokens. May not touch: the entity model's decisions, claims or the graph.

use std::sync::OnceLock;

use crate::fasthash::HashMap;
use crate::nlp::tags::EntityType;

macro_rules! data {
    ($p:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $p))
    };
}

const ISO: &str = data!("gazetteers/countries_iso.tsv");
const CITIES: &str = data!("gazetteers/cities.tsv");
const REGIONS: &str = data!("gazetteers/regions.tsv");
const ORGS: &str = data!("gazetteers/organizations.tsv");
const COUNTRIES: &str = data!("lexicons/countries.tsv");
const TITLES: &str = data!("lexicons/titles.tsv");

/// Where a gazetteer entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Source {
    Country,
    City,
    Region,
    Organization,
    /// Seats of government standing for it (the Kremlin, the White House).
    Seat,
    Demonym,
    Title,
}

pub const N_SOURCES: usize = 7;

impl Source {
    pub const ALL: [Source; N_SOURCES] = [
        Source::Country,
        Source::City,
        Source::Region,
        Source::Organization,
        Source::Seat,
        Source::Demonym,
        Source::Title,
    ];
    /// The entity type a name from this source has, if it names one.
    pub fn etype(self) -> Option<EntityType> {
        match self {
            Source::Country | Source::City | Source::Region => Some(EntityType::Place),
            Source::Organization => Some(EntityType::Organization),
            Source::Seat | Source::Demonym | Source::Title => None,
        }
    }
}

/// A token's position in a match: none, Begin, Inside, Last, Unit.
pub const NONE: u8 = 0;
pub const B: u8 = 1;
pub const I: u8 = 2;
pub const L: u8 = 3;
pub const U: u8 = 4;

/// Per token, per source (index = `Source as usize`), the position mark.
pub type Marks = [u8; N_SOURCES];

const PREFIX: u16 = 1 << 15;

struct Table {
    /// n-gram key → source bits, plus [`PREFIX`] when a longer entry starts so.
    grams: HashMap<u64, u16>,
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a of the lowercased token, with typographic apostrophes made plain,
/// without allocating.
pub fn hash_lower(s: &str) -> u64 {
    let mut h = FNV_OFFSET;
    let mut push = |b: u8| h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    for c in s.chars() {
        if c.is_ascii() {
            push(c.to_ascii_lowercase() as u8);
        } else if c == '\u{2019}' || c == '\u{2018}' {
            push(b'\'');
        } else {
            let mut buf = [0u8; 4];
            for l in c.to_lowercase() {
                l.encode_utf8(&mut buf).bytes().for_each(&mut push);
            }
        }
    }
    h
}

#[inline]
fn extend(key: u64, token: u64) -> u64 {
    let k = (key ^ token).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    k ^ (k >> 29)
}

/// The token sequences an entry is written as: split on spaces, and also
/// with hyphens and a possessive `'s` as tokens of their own (as UD does).
fn entry_tokens(entry: &str) -> Vec<Vec<String>> {
    let plain: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
    let mut fine = Vec::new();
    for w in &plain {
        let mut parts: Vec<&str> = Vec::new();
        for (k, p) in w.split('-').enumerate() {
            if k > 0 {
                parts.push("-");
            }
            parts.push(p);
        }
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            match p.strip_suffix("'s").filter(|r| !r.is_empty()) {
                Some(r) => {
                    fine.push(r.to_string());
                    fine.push("'s".to_string());
                }
                None => fine.push(p.to_string()),
            }
        }
    }
    if fine == plain {
        vec![plain]
    } else {
        vec![plain, fine]
    }
}

fn build() -> Table {
    let mut t = Table {
        grams: HashMap::default(),
        longest: 0,
    };
    let mut add = |entry: &str, src: Source| {
        let entry = entry.trim();
        if entry.is_empty() {
            return;
        }
        for toks in entry_tokens(entry) {
            let mut key = 0u64;
            for (k, tok) in toks.iter().enumerate() {
                key = extend(key, hash_lower(tok));
                let bits = t.grams.entry(key).or_insert(0);
                if k + 1 == toks.len() {
                    *bits |= 1 << (src as u16);
                } else {
                    *bits |= PREFIX;
                }
            }
            t.longest = t.longest.max(toks.len());
        }
    };
    let rows = |text: &'static str| text.lines().skip(1).map(|l| l.split('\t').collect());
    for cols in rows(ISO) {
        let cols: Vec<&str> = cols;
        let col = |i: usize| cols.get(i).copied().unwrap_or("");
        add(col(2), Source::Country);
        add(col(3), Source::City);
        col(4).split(',').for_each(|d| add(d, Source::Demonym));
        col(5).split('|').for_each(|a| add(a, Source::Country));
    }
    for cols in rows(CITIES) {
        let cols: Vec<&str> = cols;
        add(cols.first().copied().unwrap_or(""), Source::City);
    }
    for cols in rows(REGIONS) {
        let cols: Vec<&str> = cols;
        add(cols.first().copied().unwrap_or(""), Source::Region);
    }
    for cols in rows(ORGS) {
        let cols: Vec<&str> = cols;
        add(cols.first().copied().unwrap_or(""), Source::Organization);
        let aliases = cols.get(1).copied().unwrap_or("");
        aliases
            .split('|')
            .for_each(|a| add(a, Source::Organization));
    }
    for cols in rows(COUNTRIES) {
        let cols: Vec<&str> = cols;
        let col = |i: usize| cols.get(i).copied().unwrap_or("");
        add(col(2), Source::Country);
        col(3).split(';').for_each(|a| add(a, Source::Country));
        col(4).split(';').for_each(|a| add(a, Source::Demonym));
        col(5).split(';').for_each(|a| add(a, Source::Demonym));
        add(col(6), Source::City);
        col(7).split(';').for_each(|a| add(a, Source::Seat));
    }
    for cols in rows(TITLES) {
        let cols: Vec<&str> = cols;
        add(cols.first().copied().unwrap_or(""), Source::Title);
        let abbrevs = cols.get(3).copied().unwrap_or("");
        abbrevs.split('|').for_each(|a| add(a, Source::Title));
    }
    t
}

/// Builds the tables now (they are otherwise built on first use).
pub fn warm_up() {
    let _ = table();
}

/// Per token, the B/I/L/U mark of the leftmost-longest match of each source.
pub fn mark(forms: &[&str]) -> Vec<Marks> {
    let t = table();
    let hashes: Vec<u64> = forms.iter().map(|f| hash_lower(f)).collect();
    let mut marks = vec![[NONE; N_SOURCES]; forms.len()];
    let mut free = [0usize; N_SOURCES];
    for i in 0..forms.len() {
        let mut best = [0usize; N_SOURCES];
        let mut key = 0u64;
        for (n, h) in hashes[i..].iter().take(t.longest).enumerate() {
            key = extend(key, *h);
            let Some(&bits) = t.grams.get(&key) else {
                break;
            };
            for (s, b) in best.iter_mut().enumerate() {
                if bits & (1 << s) != 0 {
                    *b = n + 1;
                }
            }
            if bits & PREFIX == 0 {
                break;
            }
        }
        for s in 0..N_SOURCES {
            let len = best[s];
            if len == 0 || i < free[s] {
                continue;
            }
            if len == 1 {
                marks[i][s] = U;
            } else {
                marks[i][s] = B;
                for m in &mut marks[i + 1..i + len - 1] {
                    m[s] = I;
                }
                marks[i + len - 1][s] = L;
            }
            free[s] = i + len;
        }
    }
    marks
}

/// Whole-name matches with an entity type: `(start, end, type)` for each
/// maximal run that one typed source matches, where all typed sources that
/// match exactly that run agree on the type. Longest first, no overlaps.
pub fn typed_matches(marks: &[Marks]) -> Vec<(usize, usize, EntityType)> {
    let mut found: Vec<(usize, usize, EntityType)> = Vec::new();
    for s in Source::ALL {
        let Some(ty) = s.etype() else { continue };
        let k = s as usize;
        let mut i = 0;
        while i < marks.len() {
            let m = marks[i][k];
            if m == U {
                found.push((i, i + 1, ty));
            } else if m == B {
                let mut j = i + 1;
                while j < marks.len() && marks[j][k] == I {
                    j += 1;
                }
                if j < marks.len() && marks[j][k] == L {
                    found.push((i, j + 1, ty));
                    i = j;
                }
            }
            i += 1;
        }
    }
    // a run two sources give different types (Georgia, Washington) is unsure
    found.sort_by_key(|&(s, e, t)| (std::cmp::Reverse(e - s), s, t));
    let mut out: Vec<(usize, usize, EntityType)> = Vec::new();
    let mut k = 0;
    while k < found.len() {
        let (s, e, t) = found[k];
        let mut j = k + 1;
        let mut agree = true;
        while j < found.len() && found[j].0 == s && found[j].1 == e {
            agree &= found[j].2 == t;
            j += 1;
        }
        if agree && out.iter().all(|&(a, b, _)| e <= a || b <= s) {
            out.push((s, e, t));
        }
        k = j;
    }
    out.sort_unstable_by_key(|x| x.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Vec<(usize, usize, EntityType)> {
        let forms: Vec<&str> = text.split(' ').collect();
        typed_matches(&mark(&forms))
    }

    #[test]
    fn marks_countries_cities_and_organisations() {
        assert_eq!(
            typed("The United Nations said Russia retook Kursk ."),
            vec![
                (1, 3, EntityType::Organization),
                (4, 5, EntityType::Place),
                (6, 7, EntityType::Place),
            ]
        );
        let m = mark(&["the", "united", "nations"]);
        let org = Source::Organization as usize;
        assert_eq!((m[0][org], m[1][org], m[2][org]), (NONE, B, L));
        let m = mark(&["Russian", "President", "Putin"]);
        assert_eq!(m[0][Source::Demonym as usize], U);
        assert_eq!(m[1][Source::Title as usize], U);
        assert!(typed("Russian officials").is_empty());
    }

    #[test]
    fn odd_input_does_not_panic() {
        assert!(mark(&[]).is_empty());
        assert_eq!(mark(&["", "–", "Київ", "北京", "\u{0}"]).len(), 5);
        assert_eq!(hash_lower("KURSK"), hash_lower("kursk"));
        assert_eq!(hash_lower("People’s"), hash_lower("people's"));
    }
}
