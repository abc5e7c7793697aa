//! Entity recognition and in-article resolution.
//!
//! Owns: gazetteer matching (countries, demonyms, capitals, seats of
//! government, cities, regions, organisations; aho-corasick), capitalised
//! sequences typed by title words and head nouns (`Chief of the General Staff
//! of Russian Armed Forces Valery Gerasimov`, `U.S. President Donald Trump`,
//! `the village of Gornal`, `Kursk region`), and resolution inside one article:
//! last names to full names, capitals / seats / demonyms to their country,
//! `X region` absorbing `X`, and place containment (`PART_OF`). May not touch:
//! claims, events or the graph.

use crate::fasthash::{HashMap, HashSet};

use super::lexicon::{Gaz, tables};
use super::sentences::{Kind, Sentence, Token};
use super::syntax::Syntax;
use crate::nlp::tags::Upos;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EType {
    Person,
    Organization,
    Place,
}

impl EType {
    pub fn as_str(self) -> &'static str {
        match self {
            EType::Person => "person",
            EType::Organization => "organization",
            EType::Place => "place",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    pub etype: EType,
    pub aliases: Vec<String>,
    /// A sovereign state (label `Country`).
    pub country: bool,
    /// Index of the country in the lexicon, for countries, capitals and seats.
    pub country_ix: Option<usize>,
    /// Spoke or acted in this article (label `Actor`).
    pub actor: bool,
    /// Title phrases seen before the name (lower case), e.g. `russian president`.
    pub titles: Vec<String>,
    /// (title, entity) pairs for HOLDS_ROLE.
    pub roles: Vec<(String, usize)>,
    /// Containing places (entity indices).
    pub part_of: Vec<usize>,
    /// Is a settlement or region (for containment), not a country.
    pub settlement: bool,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub ent: usize,
    pub sent: usize,
    /// Global token range.
    pub t0: usize,
    pub t1: usize,
    /// The mention is a capital / seat standing for a government.
    pub metonym: bool,
    /// A demonym used as a modifier (`Spanish colonial rule`): it ties the
    /// text to the country but does not name the country as a participant.
    pub adjectival: bool,
}

pub struct Ner {
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    /// For each token, the index of the mention covering it (u32::MAX: none).
    pub tok_mention: Vec<u32>,
}

const ORG_HEADS: &[&str] = &[
    "Embassy",
    "Consulate",
    "Ministry",
    "Police",
    "Agency",
    "Court",
    "Party",
    "Council",
    "University",
    "Company",
    "Inc",
    "Inc.",
    "Corp",
    "Corp.",
    "Corporation",
    "Network",
    "Army",
    "Forces",
    "Force",
    "Navy",
    "Committee",
    "Commission",
    "Union",
    "Bank",
    "Department",
    "Office",
    "News",
    "Times",
    "Group",
    "Association",
    "Institute",
    "Church",
    "Government",
    "Parliament",
    "Congress",
    "Senate",
    "Assembly",
    "Organization",
    "Organisation",
    "League",
    "Federation",
    "Service",
    "Services",
    "Staff",
    "Foundation",
    "Post",
    "Guard",
    "Guards",
    "Authority",
    "Board",
    "Bureau",
    "College",
    "School",
    "Club",
    "Team",
    "Press",
    "Ltd",
    "Ltd.",
    "LLC",
    "Airlines",
    "Airways",
    "Society",
    "Museum",
    "Project",
    "Brotherhood",
    "Movement",
    "Front",
    "Brigade",
    "Battalion",
    "Cabinet",
    "Administration",
    "Tribunal",
    "Centre",
    "Center",
    "Laboratory",
    "Observatory",
    "Journal",
    "Magazine",
    "Herald",
    "Telegraph",
    "Gazette",
    "Review",
    "Institution",
    "Trust",
    "Fund",
    "Alliance",
    "Coalition",
    "Nations",
    "Ministries",
    "Academy",
    "Unit",
    "Commons",
    "Lords",
    "Legislature",
    "Mission",
    "Secretariat",
    "Media",
    "Channel",
    "Radio",
    "Television",
    "TV",
    "Broadcasting",
    "Records",
    "Studios",
    "Entertainment",
    "Festival",
    "Expo",
    "Directorate",
    "Survey",
    "Bulletin",
    "Tribune",
    "Chronicle",
    "Conference",
    "Panel",
];
const PLACE_HEADS: &[&str] = &[
    "Street",
    "Hospital",
    "Airport",
    "Square",
    "Island",
    "Islands",
    "River",
    "Sea",
    "Ocean",
    "Province",
    "Region",
    "County",
    "Palace",
    "Mosque",
    "Cathedral",
    "Stadium",
    "Park",
    "Station",
    "Bridge",
    "Mountain",
    "Mountains",
    "Valley",
    "Bay",
    "Lake",
    "Gulf",
    "Strait",
    "Peninsula",
    "Road",
    "Avenue",
    "Hall",
    "Tower",
    "Building",
    "Prison",
    "Base",
    "District",
    "City",
    "Town",
    "Village",
    "Desert",
    "Coast",
    "Harbour",
    "Harbor",
    "Port",
    "Canal",
    "Beach",
    "Forest",
    "Oblast",
    "Governorate",
    "Prefecture",
    "Territory",
    "Republic",
    "Kingdom",
    "Highway",
    "Plaza",
    "Corner",
    "Complex",
    "Camp",
    "Market",
    "Mall",
    "Hotel",
    "Temple",
    "Residence",
    "Castle",
];
const REGION_NOUNS: &[&str] = &[
    "region",
    "province",
    "oblast",
    "district",
    "governorate",
    "prefecture",
    "county",
];
const SETTLEMENT_NOUNS: &[&str] = &[
    "village",
    "town",
    "city",
    "hamlet",
    "settlement",
    "port",
    "suburb",
    "town",
];
/// Plural nouns after a single name that make it an armed or political group.
const GROUP_NOUNS: &[&str] = &[
    "rebels",
    "militants",
    "fighters",
    "militia",
    "militias",
    "insurgents",
    "movement",
    "supporters",
];
/// Common nouns before a single name that make it an organisation.
const ORG_NOUNS: &[&str] = &[
    "firm",
    "agency",
    "company",
    "group",
    "newspaper",
    "broadcaster",
    "network",
    "channel",
    "outlet",
    "platform",
    "website",
    "site",
    "party",
    "magazine",
    "airline",
    "carrier",
    "retailer",
    "bank",
];
const CONNECTORS: &[&str] = &[
    "of", "the", "for", "de", "al", "bin", "van", "von", "du", "la", "and",
];
const FUNC: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "in",
    "on",
    "at",
    "for",
    "from",
    "with",
    "by",
    "after",
    "before",
    "however",
    "but",
    "and",
    "or",
    "as",
    "when",
    "while",
    "if",
    "although",
    "since",
    "during",
    "thus",
    "so",
    "also",
    "yet",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "there",
    "here",
    "what",
    "who",
    "which",
    "where",
    "why",
    "how",
    "all",
    "some",
    "many",
    "most",
    "more",
    "no",
    "not",
    "one",
    "two",
    "three",
    "both",
    "each",
    "every",
    "other",
    "another",
    "such",
    "last",
    "next",
    "first",
    "according",
    "despite",
    "until",
    "over",
    "under",
    "about",
    "into",
    "through",
    "then",
    "now",
    "today",
    "yesterday",
    "meanwhile",
    "still",
    "earlier",
    "later",
    "instead",
    "because",
    "to",
    "of",
    "is",
    "was",
    "were",
    "are",
    "be",
    "has",
    "had",
    "have",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "do",
    "did",
];
const NOT_NAMES: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "I",
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "God",
    "Internet",
    "English",
    "Christmas",
    "Easter",
    "OK",
    "TV",
    "Jr",
    "Jr.",
    "Sr.",
    // time zones: a clock, not an actor ("at 10:00 UTC")
    "UTC",
    "GMT",
    "BST",
    "IST",
    "CET",
    "CEST",
    "EET",
    "EEST",
    "EST",
    "EDT",
    "CST",
    "CDT",
    "MST",
    "MDT",
    "PST",
    "PDT",
    "AEST",
    "AEDT",
    "JST",
    "KST",
    "MSK",
    "HKT",
    "SGT",
    // diseases and economic measures written in capitals
    "COVID",
    "COVID-19",
    "SARS",
    "SARS-CoV-2",
    "HIV",
    "GDP",
];

/// Last words of capitalised names that name a law, a day, a prize or an
/// operation: a thing, not a person, organisation or place
/// (`Voting Rights Act`, `Labor Day`, `Electronic Commerce Directive`).
const THING_HEADS: &[&str] = &[
    "Act",
    "Acts",
    "Directive",
    "Day",
    "Law",
    "Treaty",
    "Accord",
    "Accords",
    "Amendment",
    "Regulation",
    "Regulations",
    "Award",
    "Awards",
    "Prize",
    "Cup",
    "Festival",
    "Games",
    "Olympics",
    "Week",
    "Appeal",
    "Programme",
    "Program",
    "Plan",
    "Doctrine",
    "Agreement",
    "Protocol",
    "Charter",
    "War",
    "Wars",
    "Crisis",
    "Pandemic",
    "Conditions",
    "Rules",
    "Constitution",
    "Declaration",
    "Index",
];
/// First words of names of storms and operations (`Hurricane Maria`).
const THING_PREFIXES: &[&str] = &[
    "Hurricane",
    "Typhoon",
    "Cyclone",
    "Storm",
    "Tropical",
    "Operation",
];

/// Pronouns and other words never starting a name.
pub fn is_func(w: &str) -> bool {
    FUNC.contains(&w.to_lowercase().as_str())
}

/// A typed name the entity tagger found, by byte offsets into the body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpan {
    pub start: usize,
    pub end: usize,
    pub etype: EType,
    /// The tagger's margin of its best label over the next.
    pub confidence: f32,
}

/// A model span over tokens `t0..t1`.
#[derive(Debug, Clone, Copy)]
struct TokSpan {
    t0: usize,
    t1: usize,
    etype: EType,
}

struct Builder<'a> {
    text: &'a str,
    toks: &'a [Token],
    /// The entity tagger's names by token range, sorted; `None` when no
    /// model ran (the capitalisation rules then decide alone).
    model: Option<Vec<TokSpan>>,
    /// Word classes from the tagger (all `X` when no model ran).
    syn: &'a Syntax,
    entities: Vec<Entity>,
    by_key: HashMap<(String, EType), usize>,
    mentions: Vec<Mention>,
}

fn norm_key(s: &str) -> String {
    let s = s.replace('’', "'");
    let s = s
        .strip_prefix("the ")
        .or_else(|| s.strip_prefix("The "))
        .unwrap_or(&s);
    s.to_lowercase()
}

impl<'a> Builder<'a> {
    fn w(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.start..t.end]
    }
    fn span(&self, a: usize, b: usize) -> &'a str {
        &self.text[self.toks[a].start..self.toks[b - 1].end]
    }
    fn entity(&mut self, name: &str, etype: EType) -> usize {
        let key = (norm_key(name), etype);
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        let i = self.entities.len();
        self.entities.push(Entity {
            name: name.to_string(),
            etype,
            aliases: Vec::new(),
            country: false,
            country_ix: None,
            actor: false,
            titles: Vec::new(),
            roles: Vec::new(),
            part_of: Vec::new(),
            settlement: false,
        });
        self.by_key.insert(key, i);
        i
    }
    fn alias(&mut self, e: usize, a: &str) {
        let a = a.trim();
        let ent = &mut self.entities[e];
        if !a.is_empty()
            && norm_key(a) != norm_key(&ent.name)
            && !ent.aliases.iter().any(|x| norm_key(x) == norm_key(a))
        {
            ent.aliases.push(a.to_string());
        }
    }
    fn country_entity(&mut self, ci: usize) -> usize {
        let t = tables();
        let e = self.entity(&t.countries[ci].name, EType::Place);
        self.entities[e].country = true;
        self.entities[e].country_ix = Some(ci);
        e
    }
    /// Model spans that overlap tokens `a..e`.
    fn model_in(&self, a: usize, e: usize) -> Vec<TokSpan> {
        // the tagger's spans do not overlap, so sorted by start they are
        // sorted by end too: a binary search keeps this logarithmic
        self.model.as_ref().map_or(Vec::new(), |m| {
            let first = m.partition_point(|s| s.t1 <= a);
            m[first..]
                .iter()
                .take_while(|s| s.t0 < e)
                .copied()
                .collect()
        })
    }
    fn mention(&mut self, ent: usize, sent: usize, t0: usize, t1: usize, metonym: bool) {
        self.mentions.push(Mention {
            ent,
            sent,
            t0,
            t1,
            metonym,
            adjectival: false,
        });
    }
}

fn is_cap(w: &str) -> bool {
    let w = w
        .strip_prefix("al-")
        .or_else(|| w.strip_prefix("el-"))
        .or_else(|| w.strip_prefix("ad-"))
        .unwrap_or(w);
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

/// A regnal number (`II`, `XIV`).
fn is_roman(w: &str) -> bool {
    !w.is_empty() && w.len() <= 4 && w.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

fn is_acronym(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.len() <= 6 && letters.iter().all(|c| c.is_uppercase())
}

/// Runs recognition and resolution over the whole body. `model` holds the
/// entity tagger's names (byte offsets); with it, names that no gazetteer
/// or cue word types take the model's boundaries and type.
pub fn recognise(
    text: &str,
    toks: &[Token],
    sents: &[Sentence],
    model: Option<&[ModelSpan]>,
    syn: &Syntax,
) -> Ner {
    let t = tables();
    let model = model.map(|spans| {
        let mut v: Vec<TokSpan> = spans
            .iter()
            .filter_map(|m| {
                let t0 = toks.partition_point(|t| t.start < m.start);
                let t1 = toks.partition_point(|t| t.end <= m.end);
                (t0 < t1).then_some(TokSpan {
                    t0,
                    t1,
                    etype: m.etype,
                })
            })
            .collect();
        v.sort_by_key(|s| (s.t0, s.t1));
        v
    });
    let mut b = Builder {
        text,
        toks,
        model,
        syn,
        entities: Vec::new(),
        by_key: HashMap::default(),
        mentions: Vec::new(),
    };
    // token boundary lookup
    // (tokens are sorted by offset: binary search, no maps)
    let start_of = |off: usize| -> Option<usize> {
        let i = toks.partition_point(|t| t.start < off);
        (i < toks.len() && toks[i].start == off).then_some(i)
    };
    let end_of = |off: usize| -> Option<usize> {
        let i = toks.partition_point(|t| t.end < off);
        (i < toks.len() && toks[i].end == off).then_some(i + 1)
    };
    // lower-case vocabulary of the article (to spot common words at sentence starts)
    let mut lower_words: HashSet<&str> = HashSet::default();
    for tk in toks {
        let w = &text[tk.start..tk.end];
        if tk.kind == Kind::Word && w.chars().next().is_some_and(|c| c.is_lowercase()) {
            lower_words.insert(w);
        }
    }
    // gazetteer hits by start token
    let mut gaz_at: HashMap<usize, (usize, usize)> = HashMap::default(); // tok -> (end tok, gaz idx)
    for m in t.gaz_ac.find_iter(text) {
        if let (Some(a), Some(e)) = (start_of(m.start()), end_of(m.end())) {
            gaz_at.insert(a, (e, m.pattern().as_usize()));
        }
    }
    let sent_of = |tok: usize| -> usize { sents.partition_point(|s| s.tok_end <= tok) };

    for (si, s) in sents.iter().enumerate() {
        let mut i = s.tok_start;
        while i < s.tok_end {
            let w = b.w(i);
            if toks[i].kind != Kind::Word || !is_cap(w) || NOT_NAMES.contains(&w) {
                i += 1;
                continue;
            }
            // capitalised run
            let mut j = i + 1;
            while j < s.tok_end {
                let wj = b.w(j);
                if toks[j].kind == Kind::Word
                    && is_cap(wj)
                    && (!NOT_NAMES.contains(&wj)
                        || wj == "May" && !toks.get(j + 1).is_some_and(|tk| tk.kind == Kind::Num)
                        || wj == "TV")
                {
                    j += 1;
                } else if (wj == "of" || wj == "for")
                    && j + 2 < s.tok_end
                    && b.w(j + 1) == "the"
                    && is_cap(b.w(j + 2))
                    && !NOT_NAMES.contains(&b.w(j + 2))
                {
                    j += 2;
                } else if j + 1 < s.tok_end
                    && is_cap(b.w(j + 1))
                    && !NOT_NAMES.contains(&b.w(j + 1))
                    && ((CONNECTORS.contains(&wj)
                        && wj != "and"
                        && (wj != "the" || b.w(j - 1) == "of"))
                        || joins_name(&b, i, j, s.tok_end))
                {
                    j += 1;
                } else {
                    break;
                }
            }
            // a model name that starts inside the run and ends beyond it
            // joins what the run broke off ("Pacific Gas and Electric Company")
            while let Some(m) = b.model_in(i, j).into_iter().find(|m| {
                m.t0 >= i
                    && m.t1 > j
                    && m.t1 <= s.tok_end
                    && is_cap(b.w(m.t1 - 1))
                    // "Boris Johnson and President Emmanuel Macron": a title
                    // after "and" starts the next name
                    && !(j..m.t1).any(|x| {
                        b.w(x) == "and"
                            && x + 1 < m.t1
                            && t.title_words.contains(b.w(x + 1).to_lowercase().as_str())
                    })
                    && (j..m.t1).all(|x| {
                        let w = b.w(x);
                        is_cap(w) || matches!(w, "and" | "&" | "of" | "for" | "the")
                    })
            }) {
                j = m.t1;
            }
            let mut a = i;
            // sentence-initial common word
            while a < j
                && (is_func(b.w(a))
                    || (a == s.tok_start
                        && lower_words.contains(b.w(a).to_lowercase().as_str())
                        && !gaz_at.contains_key(&a)))
            {
                a += 1;
            }
            let mut e = j;
            while e > a && CONNECTORS.contains(&b.w(e - 1)) {
                e -= 1;
            }
            if a < e {
                classify(&mut b, t, si, a, e, s, &gaz_at, &lower_words);
            }
            i = j.max(i + 1);
        }
    }
    let _ = sent_of;
    resolve(&mut b);
    b.mentions.sort_by_key(|m| (m.t0, std::cmp::Reverse(m.t1)));
    containment(&mut b);
    let mut tok_mention = vec![u32::MAX; toks.len()];
    for (mi, m) in b.mentions.iter().enumerate() {
        for slot in &mut tok_mention[m.t0..m.t1] {
            if *slot == u32::MAX {
                *slot = mi as u32;
            }
        }
    }
    Ner {
        entities: b.entities,
        mentions: b.mentions,
        tok_mention,
    }
}

/// Whether the small word at `j` continues the name run `i..j` into the
/// capitalised words after it: `PG & E`, `Johnson & Johnson`; `and` inside
/// an organisation's name (`Institute of Volcanology and Seismology`,
/// `Pacific Gas and Electric Company`); `on` after a body that sits on
/// something (`Commission on Presidential Debates`).
fn joins_name(b: &Builder, i: usize, j: usize, end: usize) -> bool {
    match b.w(j) {
        "&" => true,
        "and" => {
            // an organisation head before "of" earlier in the run
            let of_org = (i + 1..j).any(|x| b.w(x) == "of" && ORG_HEADS.contains(&b.w(x - 1)));
            // or the capitalised words after "and" end in an organisation head
            let mut k = j + 1;
            while k < end && is_cap(b.w(k)) && !NOT_NAMES.contains(&b.w(k)) {
                k += 1;
            }
            if !(of_org || (k > j + 1 && k - j <= 4 && ORG_HEADS.contains(&b.w(k - 1)))) {
                return false;
            }
            // "Tesco and Salling Group announced": two names the article also
            // uses on their own are two, not one ("Pacific Gas" alone is rare)
            let left = &b.text[b.toks[i].start..b.toks[j - 1].end];
            let right = &b.text[b.toks[j + 1].start..b.toks[k - 1].end];
            let alone_left = b.text.match_indices(left).any(|(p, _)| {
                !b.text[p + left.len()..].starts_with(" and ")
                    && !b.text[p + left.len()..].starts_with(|c: char| c.is_alphanumeric())
                    && !b.text[p + left.len()..].starts_with(" of ")
            });
            let alone_right = b.text.match_indices(right).any(|(p, _)| {
                !b.text[..p].ends_with(" and ")
                    && !b.text[..p].ends_with(|c: char| c.is_alphanumeric())
                    && !b.text[..p].ends_with(" of ")
            });
            !(alone_left && alone_right)
        }
        "on" => matches!(
            b.w(j - 1),
            "Commission" | "Committee" | "Subcommittee" | "Council" | "Conference" | "Panel"
        ),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn classify(
    b: &mut Builder,
    t: &super::lexicon::Tables,
    si: usize,
    a: usize,
    e: usize,
    s: &Sentence,
    gaz_at: &HashMap<usize, (usize, usize)>,
    lower_words: &HashSet<&str>,
) {
    // "Steve Peers of the University of Essex", "Senator Ann Lee of Ohio":
    // a name (after any titles), then its affiliation
    let plain_name = |x: usize| {
        let w = b.w(x);
        is_cap(w)
            && !ORG_HEADS.contains(&w)
            && !PLACE_HEADS.contains(&w)
            && !t.title_words.contains(&w.to_lowercase())
            && !gaz_at.contains_key(&x)
    };
    if let Some(of) = (a..e).find(|&x| b.w(x) == "of")
        && of >= a + 2
        && {
            let titles = (a..of)
                .take_while(|&x| t.title_words.contains(&b.w(x).to_lowercase()))
                .count();
            of - a - titles >= 2 && (a + titles..of).all(plain_name)
        }
    {
        classify(b, t, si, a, of, s, gaz_at, lower_words);
        let mut r = of + 1;
        if r < e && b.w(r) == "the" {
            r += 1;
        }
        if r < e {
            classify(b, t, si, r, e, s, gaz_at, lower_words);
        }
        return;
    }
    // a named law, day, prize, storm or operation is not an entity
    if e - a >= 2 && (THING_HEADS.contains(&b.w(e - 1)) || THING_PREFIXES.contains(&b.w(a))) {
        return;
    }
    // "CEO of Tesco", "Minister of Defence": a bare title names no one;
    // what follows "of" is the organisation or place
    if let Some(of) = (a..e).find(|&x| b.w(x) == "of")
        && of > a
        && of + 1 < e
        && (a..of).all(|x| t.title_words.contains(&b.w(x).to_lowercase()))
        && {
            // not a title that has "of" in it ("Secretary of State …"), and
            // no name after what the title is of ("Minister of Information
            // Moammar al-Eryani"): one word, or a body by its head noun
            let lower = b.span(a, e).to_lowercase();
            let r = if b.w(of + 1) == "the" { of + 2 } else { of + 1 };
            !t.titles
                .iter()
                .any(|tt| tt.contains(" of ") && lower.starts_with(tt.as_str()))
                && (e - r == 1 || ORG_HEADS.contains(&b.w(e - 1)))
        }
    {
        let r = if b.w(of + 1) == "the" { of + 2 } else { of + 1 };
        if r + 1 == e && !gaz_at.contains_key(&r) && !is_func(b.w(r)) {
            // the one word a chief executive or a minister is of
            let o = b.entity(b.w(r), EType::Organization);
            b.mention(o, si, r, e, false);
        } else if r < e {
            classify(b, t, si, r, e, s, gaz_at, lower_words);
        }
        return;
    }
    // 1. emit gazetteer hits inside the run; remember the non-gazetteer parts
    let mut k = a;
    let mut leading_affil: Option<usize> = None; // country entity of a leading demonym / country
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut seg = a;
    let mut gaz_spans: Vec<(usize, usize, Gaz)> = Vec::new();
    while k < e {
        // a capital closing a run after a given name is a surname
        // ("Sudesh Amman")
        let surname = |gi: usize, ge: usize| {
            matches!(t.gaz[gi].1, Gaz::Capital(_))
                && k > a
                && ge == e
                && k == a + 1
                && is_cap(b.w(a))
                && !gaz_at.contains_key(&a)
                && !ORG_HEADS.contains(&b.w(a))
                && !PLACE_HEADS.contains(&b.w(a))
                && !t.title_words.contains(&b.w(a).to_lowercase())
                && !is_acronym(b.w(a))
                && !matches!(
                    b.w(a),
                    "North"
                        | "South"
                        | "East"
                        | "West"
                        | "Northern"
                        | "Southern"
                        | "Eastern"
                        | "Western"
                        | "Central"
                        | "Greater"
                        | "Downtown"
                        | "Old"
                        | "New"
                )
        };
        if let Some(&(ge, gi)) = gaz_at.get(&k)
            && ge <= e
            && (!matches!(t.gaz[gi].1, Gaz::City(_) | Gaz::Region(_)) || (k == a && ge == e))
            && !surname(gi, ge)
        {
            gaz_spans.push((k, ge, t.gaz[gi].1.clone()));
            if seg < k {
                parts.push((seg, k));
            }
            k = ge;
            seg = k;
        } else {
            k += 1;
        }
    }
    if seg < e {
        parts.push((seg, e));
    }
    let whole = b.span(a, e).to_string();
    let last = b.w(e - 1);
    let has_org_head = (a..e).any(|x| ORG_HEADS.contains(&b.w(x)));
    let pre = if a > s.tok_start { b.w(a - 1) } else { "" };
    let pre2 = if a > s.tok_start + 1 { b.w(a - 2) } else { "" };
    let next = if e < s.tok_end { b.w(e) } else { "" };

    // whole run is one gazetteer hit
    if gaz_spans.len() == 1 && gaz_spans[0].0 == a && gaz_spans[0].1 == e {
        let g = gaz_spans[0].2.clone();
        emit_gaz(b, t, si, a, e, g, pre, next, lower_words);
        return;
    }
    // Title + name: find the suffix of name-like tokens
    let name_like = |b: &Builder, x: usize| {
        let w = b.w(x);
        is_cap(w)
            && !CONNECTORS.contains(&w)
            && !ORG_HEADS.contains(&w)
            && !PLACE_HEADS.contains(&w)
            && !t.title_words.contains(&w.to_lowercase())
            && !gaz_at
                .get(&x)
                .is_some_and(|&(_, gi)| !matches!(t.gaz[gi].1, Gaz::City(_) | Gaz::Region(_)))
            && !is_acronym(w)
            && !w.contains('.')
    };
    let mut ns = e;
    while ns > a && name_like(b, ns - 1) && !(ns - 1 > a && b.w(ns - 2) == "of") {
        ns -= 1;
    }
    let before_is_title = ns > a
        // "Directorate General of Civil Aviation": a body's head noun
        // before "of", and what it is of after, not a person's name
        && b.w(ns - 1) != "of"
        && !(a..ns)
            .rev()
            .find(|&x| b.w(x) == "of")
            .is_some_and(|of| {
                (a..of).any(|x| ORG_HEADS.contains(&b.w(x)))
                    && !(of..ns).any(|x| ORG_HEADS.contains(&b.w(x)))
            })
        && {
            let w = b.w(ns - 1).to_lowercase();
            t.title_words.contains(&w)
                || ORG_HEADS.contains(&b.w(ns - 1))
                || (a..ns).any(|x| t.title_words.contains(&b.w(x).to_lowercase()))
        }
        && e - ns <= 4;
    let lower_title_before = ns == a
        && !pre.is_empty()
        && t.title_words.contains(pre)
        && pre.chars().all(|c| c.is_lowercase());
    if ns < e && (before_is_title || lower_title_before) && !PLACE_HEADS.contains(&last) {
        // gazetteer hits in the title part (affiliation)
        for (ga, ge, g) in &gaz_spans {
            if *ge <= ns {
                emit_gaz(b, t, si, *ga, *ge, g.clone(), "", "", lower_words);
                if let Some(ci) = gaz_country(g) {
                    leading_affil = Some(b.country_entity(ci));
                }
            }
        }
        let religious = ns > a
            && matches!(
                b.w(ns - 1),
                "Pope"
                    | "King"
                    | "Queen"
                    | "Prince"
                    | "Princess"
                    | "Sheikh"
                    | "Emir"
                    | "Sultan"
                    | "Cardinal"
                    | "Archbishop"
            );
        let name_start = if religious { ns - 1 } else { ns };
        let name = b.span(name_start, e).to_string();
        let p = b.entity(&name, EType::Person);
        b.mention(p, si, name_start, e, false);
        let mut title = if ns > a {
            b.span(a, ns).to_string()
        } else {
            pre.to_string()
        };
        if lower_title_before
            && (pre2.ends_with("'s") || pre2.ends_with("’s") || t.title_words.contains(pre2))
        {
            title = format!("{pre2} {title}");
        }
        let tl = title.to_lowercase();
        if !b.entities[p].titles.contains(&tl) {
            b.entities[p].titles.push(tl.clone());
        }
        // role: the title word proper and its organisation / country
        let role_word = t
            .titles
            .iter()
            .find(|tt| tl.contains(tt.as_str()) && tt.len() > 3)
            .cloned();
        // organisation inside the title: "... of Russian Armed Forces"
        let mut org = None;
        if ns > a
            && let Some(of) = (a..ns).rev().find(|&x| b.w(x) == "of")
            && of + 1 < ns
            && ORG_HEADS.contains(&b.w(ns - 1))
        {
            let o = b.entity(b.span(of + 1, ns), EType::Organization);
            b.mention(o, si, of + 1, ns, false);
            org = Some(o);
        }
        if let Some(rw) = role_word {
            let target = leading_affil.or(org);
            if let Some(tg) = target {
                let title_case = rw
                    .split(' ')
                    .enumerate()
                    .map(|(i, w)| {
                        if i > 0 && matches!(w, "of" | "the" | "for" | "and" | "on" | "in") {
                            return w.to_string();
                        }
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                if !b.entities[p]
                    .roles
                    .iter()
                    .any(|(r, x)| *r == title_case && *x == tg)
                {
                    b.entities[p].roles.push((title_case, tg));
                }
            }
        }
        return;
    }
    // organisation by head noun (keeps a leading demonym: "Russian Armed Forces")
    if has_org_head && !PLACE_HEADS.contains(&last)
        || (e - a == 1 && is_acronym(last) && gaz_spans.is_empty())
    {
        for (ga, ge, g) in &gaz_spans {
            if matches!(g, Gaz::Demonym(_) | Gaz::Country(_)) {
                emit_gaz(b, t, si, *ga, *ge, g.clone(), "", "", lower_words);
            }
        }
        let o = b.entity(&whole, EType::Organization);
        b.mention(o, si, a, e, false);
        return;
    }
    // emit gazetteer hits; classify the remaining parts
    for (ga, ge, g) in &gaz_spans {
        let pre_g = if *ga > s.tok_start { b.w(ga - 1) } else { "" };
        let next_g = if *ge < s.tok_end { b.w(*ge) } else { "" };
        emit_gaz(b, t, si, *ga, *ge, g.clone(), pre_g, next_g, lower_words);
    }
    for (pa, mut pe) in parts {
        let mut pa = pa;
        while pa < pe && CONNECTORS.contains(&b.w(pa)) {
            pa += 1;
        }
        while pe > pa && CONNECTORS.contains(&b.w(pe - 1)) {
            pe -= 1;
        }
        // "Labour MP": the party, not a body called "Labour MP"
        if pe - pa >= 2
            && is_acronym(b.w(pe - 1))
            && t.title_words.contains(&b.w(pe - 1).to_lowercase())
        {
            pe -= 1;
        }
        if pa >= pe
            || (pa..pe).all(|x| {
                t.title_words.contains(&b.w(x).to_lowercase()) || CONNECTORS.contains(&b.w(x))
            })
        {
            continue;
        }
        // The entity tagger types a name that no gazetteer or cue word
        // types. Measured on the dev gold, letting it also set boundaries
        // (or override city names and acronyms) lost more than it gained
        // at its present accuracy, so it only replaces the person default.
        let model_type = b.model_in(pa, pe).first().map(|m| m.etype);
        let name = b.span(pa, pe).to_string();
        let lastw = b.w(pe - 1);
        let prew = if pa > s.tok_start { b.w(pa - 1) } else { "" };
        let prew2 = if pa > s.tok_start + 1 {
            b.w(pa - 2)
        } else {
            ""
        };
        let nextw = if pe < s.tok_end { b.w(pe) } else { "" };
        let n = pe - pa;
        if n == 1 && (is_func(&name) || name.len() < 2) {
            continue;
        }
        if PLACE_HEADS.contains(&lastw) && n > 1 {
            let p = b.entity(&name, EType::Place);
            b.mention(p, si, pa, pe, false);
        } else if REGION_NOUNS.contains(&nextw) {
            let full = format!("{name} {nextw}");
            let p = b.entity(&full, EType::Place);
            b.entities[p].settlement = true;
            b.alias(p, &name);
            b.mention(p, si, pa, pe + 1, false);
        } else if prew == "of" && SETTLEMENT_NOUNS.contains(&prew2) {
            let p = b.entity(&name, EType::Place);
            b.entities[p].settlement = true;
            b.alias(p, &format!("{prew2} of {name}"));
            b.mention(p, si, pa, pe, false);
        } else if n >= 2
            && (pa..pe).all(|x| !matches!(b.w(x), "of" | "the" | "for" | "and"))
            && !(pa..pe).any(|x| is_acronym(b.w(x)) && !is_roman(b.w(x)))
        {
            // a capitalised common-noun phrase ("National Day", "Member
            // State", "Prime Minister") is not a person: its head is a title
            // or a word the article also uses in lower case
            let head = lastw.to_lowercase();
            if t.title_words.contains(head.as_str())
                || lower_words.contains(head.as_str())
                || lower_words.contains(format!("{head}s").as_str())
                || t.agent_nouns.contains(head.as_str())
            {
                continue;
            }
            // the entity tagger's reading of any of its words types the run
            let p = b.entity(&name, model_type.unwrap_or(EType::Person));
            b.mention(p, si, pa, pe, false);
        } else if n >= 2 || is_acronym(&name) {
            let o = b.entity(&name, EType::Organization);
            b.mention(o, si, pa, pe, false);
        } else {
            // single unknown capitalised word: decided in resolution
            let lw = prew.to_lowercase();
            let nl = nextw.to_lowercase();
            let ty = if GROUP_NOUNS.contains(&nl.as_str())
                || (ORG_NOUNS.contains(&lw.as_str()) && prew.chars().all(|c| c.is_lowercase()))
            {
                // "Houthi rebels", "news agency Saba", "platform Telegram"
                Some(EType::Organization)
            } else if t.title_words.contains(lw.as_str()) && prew.chars().all(|c| c.is_lowercase())
            {
                Some(EType::Person)
            } else if matches!(
                lw.as_str(),
                "in" | "at" | "near" | "outside" | "across" | "from" | "to" | "into"
            ) && !t.cues.contains_key(nextw)
            {
                Some(EType::Place)
            } else if (t.cues.contains_key(nextw)
                || nextw == "has"
                || nextw == "had"
                || nextw == "was"
                || nextw == "is")
                && !lower_words.contains(name.to_lowercase().as_str())
            {
                Some(EType::Person)
            } else {
                None
            };
            let before = b.entities.len();
            let unknown = b.entity(&name, ty.unwrap_or(EType::Organization));
            let fresh = unknown >= before;
            if ty.is_some() {
                // typed here: no longer a guess from an earlier mention
                b.entities[unknown].titles.retain(|t| t != "\u{0}tentative");
            } else if fresh {
                // tentative: dropped in resolution unless it joins a person
                b.entities[unknown].actor = false;
                b.entities[unknown].titles.push("\u{0}tentative".into());
            }
            b.mention(unknown, si, pa, pe, false);
        }
    }
}

fn gaz_country(g: &Gaz) -> Option<usize> {
    match g {
        Gaz::Country(c) | Gaz::Demonym(c) => Some(*c),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn emit_gaz(
    b: &mut Builder,
    t: &super::lexicon::Tables,
    si: usize,
    a: usize,
    e: usize,
    g: Gaz,
    pre: &str,
    next: &str,
    lower_words: &HashSet<&str>,
) {
    let surface = b.span(a, e).to_string();
    match g {
        Gaz::Country(c) => {
            let ce = b.country_entity(c);
            b.alias(ce, &surface);
            b.mention(ce, si, a, e, false);
        }
        Gaz::Demonym(c) => {
            let ce = b.country_entity(c);
            b.alias(ce, &surface);
            b.mention(ce, si, a, e, false);
            // "Spanish colonial rule", "Afghan peace talks": a modifier
            let modifier = next
                .chars()
                .next()
                .is_some_and(|ch| ch.is_alphabetic())
                && !is_func(next)
                && !t.cues.contains_key(next)
                && !matches!(next, "said" | "says" | "say" | "and" | "or")
                && !matches!(b.syn.upos(e), Upos::Verb | Upos::Aux)
                // "the British relinquished": a past tense the tagger may miss
                && (!pre.eq_ignore_ascii_case("the") || !next.ends_with("ed"));
            if modifier && let Some(m) = b.mentions.last_mut() {
                m.adjectival = true;
            }
        }
        Gaz::Capital(c) => {
            // government metonym by default; a locative use also makes a city
            let ce = b.country_entity(c);
            let locative = matches!(
                pre,
                "in" | "at" | "near" | "outside" | "to" | "from" | "into" | "of"
            ) || next == ","
                && b.toks.get(e + 1).is_some_and(|tk| {
                    let w = &b.text[tk.start..tk.end];
                    w == t.countries[c].name
                });
            if locative {
                let city = b.entity(&surface, EType::Place);
                b.entities[city].settlement = true;
                if !b.entities[city].part_of.contains(&ce) {
                    b.entities[city].part_of.push(ce);
                }
                b.mention(city, si, a, e, false);
            } else {
                b.alias(ce, &surface);
                b.mention(ce, si, a, e, true);
            }
        }
        Gaz::Seat(c) => {
            let o = b.entity(&surface, EType::Organization);
            b.entities[o].country_ix = Some(c);
            b.mention(o, si, a, e, true);
        }
        Gaz::City(ci) => {
            if lower_words.contains(surface.to_lowercase().as_str()) {
                return;
            }
            let name = if REGION_NOUNS.contains(&next) {
                format!("{surface} {next}")
            } else {
                surface.clone()
            };
            let p = b.entity(&name, EType::Place);
            b.alias(p, &surface);
            b.entities[p].settlement = true;
            if let Some(c) = t.cities[ci].country {
                let ce = b.country_entity(c);
                if ce != p && !b.entities[p].part_of.contains(&ce) {
                    b.entities[p].part_of.push(ce);
                }
            }
            let end = if name != surface { e + 1 } else { e };
            b.mention(p, si, a, end, false);
        }
        Gaz::Region(c) => {
            if lower_words.contains(surface.to_lowercase().as_str()) {
                return;
            }
            let p = b.entity(&surface, EType::Place);
            b.entities[p].settlement = true;
            if let Some(c) = c {
                let ce = b.country_entity(c);
                if ce != p && !b.entities[p].part_of.contains(&ce) {
                    b.entities[p].part_of.push(ce);
                }
            }
            b.mention(p, si, a, e, false);
        }
        Gaz::Org(oi) => {
            let o = b.entity(&t.orgs[oi].name, EType::Organization);
            b.alias(o, &surface);
            b.mention(o, si, a, e, false);
        }
    }
}

/// Initials of the capitalised words of a name (`Korean People's Army` → KPA).
fn initials(name: &str) -> String {
    let ws: Vec<&str> = name.split_whitespace().collect();
    if ws.len() < 2 {
        return String::new();
    }
    ws.iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

/// A place that can contain others: a country, or a name ending in a
/// region noun (`Kursk region`, `Belgorod oblast`).
fn is_area(e: &Entity) -> bool {
    e.etype == EType::Place
        && (e.country
            || e.name
                .rsplit(' ')
                .next()
                .is_some_and(|w| REGION_NOUNS.contains(&w.to_lowercase().as_str())))
}

/// Containment read from the text, for places the gazetteers do not place:
/// `X in (the) R` / `X, R` and the appositive `… in the R, the village of X`,
/// where R is a country or a region. Mentions must be sorted by start.
fn containment(b: &mut Builder) {
    let ms: Vec<Mention> = b.mentions.clone();
    let add = |b: &mut Builder, x: usize, r: usize| {
        if x != r
            && b.entities[x].etype == EType::Place
            && !b.entities[x].country
            && is_area(&b.entities[r])
            && !b.entities[r].part_of.contains(&x)
            && !b.entities[x].part_of.contains(&r)
        {
            b.entities[x].part_of.push(r);
        }
    };
    for (k, m) in ms.iter().enumerate() {
        if m.metonym {
            continue;
        }
        let Some(n) = ms.get(k + 1) else { break };
        if n.sent != m.sent || n.metonym {
            continue;
        }
        let between: Vec<String> = (m.t1..n.t0).map(|i| b.w(i).to_lowercase()).collect();
        let between: Vec<&str> = between.iter().map(String::as_str).collect();
        match between.as_slice() {
            // "Gornal in the Kursk region", "Streatham, London"
            ["in"] | ["in", "the"] | [","] => add(b, m.ent, n.ent),
            // "in the Kursk region, the village of Gornal"
            [",", "the", noun, "of"] | [",", "a", noun, "of"]
                if SETTLEMENT_NOUNS.contains(noun) =>
            {
                add(b, n.ent, m.ent)
            }
            _ => {}
        }
    }
}

/// Merges mentions inside the article: last names, `X region` ⊇ `X`,
/// tentative single words.
fn resolve(b: &mut Builder) {
    let n = b.entities.len();
    let mut target: Vec<usize> = (0..n).collect();
    // person last / first names
    let persons: Vec<usize> = (0..n)
        .filter(|&i| {
            b.entities[i].etype == EType::Person
                && b.entities[i].name.split_whitespace().count() >= 2
        })
        .collect();
    // a capital standing for its government that is also a person's last
    // name in the article ("Sudesh Amman" … "Amman was") is the person
    for mi in 0..b.mentions.len() {
        let m = &b.mentions[mi];
        if !m.metonym || m.t1 != m.t0 + 1 {
            continue;
        }
        let w = b.w(m.t0);
        let Some(&p) = persons
            .iter()
            .find(|&&p| b.entities[p].name.split_whitespace().last() == Some(w))
        else {
            continue;
        };
        let (country, surface) = (m.ent, w.to_string());
        b.mentions[mi].ent = p;
        b.mentions[mi].metonym = false;
        let still = b
            .mentions
            .iter()
            .any(|o| o.ent == country && b.span(o.t0, o.t1) == surface);
        if !still {
            b.entities[country].aliases.retain(|a| *a != surface);
        }
    }
    #[allow(clippy::needless_range_loop)] // the body reads other entities by index too
    for i in 0..n {
        let e = &b.entities[i];
        if e.name.contains(' ') {
            // "X region" absorbs a separate place "X"
            continue;
        }
        let key = e.name.as_str();
        let hit = persons.iter().copied().find(|&p| {
            let ws: Vec<&str> = b.entities[p].name.split_whitespace().collect();
            ws.last() == Some(&key) || (ws.len() == 2 && ws[0] == key && ws[0] != "Pope")
        });
        if let Some(p) = hit
            && p != i
            && (e.etype != EType::Place || (!e.country && !e.settlement))
        {
            target[i] = p;
            continue;
        }
        if e.etype == EType::Place && e.settlement {
            for suffix in REGION_NOUNS {
                let full = format!("{} {}", e.name, suffix);
                if let Some(&r) = b.by_key.get(&(norm_key(&full), EType::Place))
                    && r != i
                {
                    target[i] = r;
                }
            }
        }
    }
    // one single-word name typed two ways: a group ("Houthi rebels" /
    // "Houthis") or a place ("in Mokha" / "Mokha is") wins over a guess
    #[allow(clippy::needless_range_loop)]
    for i in 0..n {
        if target[i] != i || b.entities[i].name.contains(' ') {
            continue;
        }
        let name = b.entities[i].name.clone();
        let et = b.entities[i].etype;
        let i_guess = b.entities[i].titles.iter().any(|t| t == "\u{0}tentative");
        let hit = (0..n).find(|&j| {
            j != i && target[j] == j && {
                let o = &b.entities[j];
                let guess = o.titles.iter().any(|t| t == "\u{0}tentative");
                let same = o.name == name
                    || format!("{}s", o.name) == name
                    || format!("{name}s") == o.name;
                same && !guess
                    && (i_guess && o.name != name
                        || (o.etype == EType::Organization && et != EType::Organization)
                        || (o.etype == EType::Place && et == EType::Person))
            }
        });
        if let Some(j) = hit
            && !b.entities[i].country
        {
            target[i] = j;
        }
    }
    // acronyms of longer names in the article: "ECJ" → European Court of Justice
    #[allow(clippy::needless_range_loop)]
    for i in 0..n {
        if target[i] != i || !is_acronym(&b.entities[i].name) {
            continue;
        }
        let acr: String = b.entities[i]
            .name
            .chars()
            .filter(|c| c.is_alphabetic())
            .collect();
        let hit = (0..n).find(|&j| {
            j != i && b.entities[j].etype != EType::Person && initials(&b.entities[j].name) == acr
        });
        if let Some(j) = hit {
            target[i] = j;
        }
    }
    // a bare organisation head ("Parliament", "the Court") is the article's
    // named organisation with that word, or a description (dropped below)
    let mut generic = vec![false; n];
    #[allow(clippy::needless_range_loop)]
    for i in 0..n {
        let e = &b.entities[i];
        if target[i] != i
            || e.etype != EType::Organization
            || e.name.contains(' ')
            || !ORG_HEADS.contains(&e.name.as_str())
        {
            continue;
        }
        let w = e.name.clone();
        match (0..n).find(|&j| {
            j != i
                && b.entities[j].etype == EType::Organization
                && b.entities[j].name.split_whitespace().count() >= 2
                && b.entities[j].name.split_whitespace().any(|x| x == w)
        }) {
            Some(j) => target[i] = j,
            None => generic[i] = true,
        }
    }
    // a city named like a person's last name, never used as a place
    // ("Bolton said" with John Bolton in the article) is the person
    let locative: Vec<bool> = {
        let mut v = vec![false; n];
        for m in &b.mentions {
            if m.t0 > 0
                && matches!(
                    b.w(m.t0 - 1).to_lowercase().as_str(),
                    "in" | "at" | "near" | "from" | "to" | "outside" | "into" | "of"
                )
            {
                v[m.ent] = true;
            }
        }
        v
    };
    #[allow(clippy::needless_range_loop)]
    for i in 0..n {
        let e = &b.entities[i];
        if target[i] != i
            || e.etype != EType::Place
            || e.country
            || e.name.contains(' ')
            || locative[i]
        {
            continue;
        }
        if let Some(&p) = persons
            .iter()
            .find(|&&p| b.entities[p].name.split_whitespace().last() == Some(e.name.as_str()))
        {
            target[i] = p;
        }
    }
    // tentative single words that were not absorbed are dropped, unless the
    // same name was typed elsewhere in the article
    let tentative: Vec<bool> = b
        .entities
        .iter()
        .map(|e| e.titles.iter().any(|t| t == "\u{0}tentative"))
        .collect();
    for i in 0..n {
        if tentative[i] && target[i] == i {
            let name = b.entities[i].name.clone();
            if let Some(j) = (0..n).find(|&j| j != i && !tentative[j] && b.entities[j].name == name)
            {
                target[i] = target[j];
            }
        }
    }
    let mut keep = vec![true; n];
    for i in 0..n {
        if target[i] != i {
            let name = b.entities[i].name.clone();
            let aliases = b.entities[i].aliases.clone();
            let tg = target[i];
            b.alias(tg, &name);
            for a in aliases {
                b.alias(tg, &a);
            }
            let titles = b.entities[i].titles.clone();
            for tl in titles {
                if !b.entities[tg].titles.contains(&tl) {
                    b.entities[tg].titles.push(tl);
                }
            }
            let po = b.entities[i].part_of.clone();
            for p in po {
                if p != tg && !b.entities[tg].part_of.contains(&p) {
                    b.entities[tg].part_of.push(p);
                }
            }
            keep[i] = false;
        } else if tentative[i] || generic[i] {
            keep[i] = false;
        }
    }
    // renumber
    let mut new_ix = vec![usize::MAX; n];
    let mut ents = Vec::new();
    for i in 0..n {
        if keep[i] {
            new_ix[i] = ents.len();
            let mut e = b.entities[i].clone();
            e.titles.retain(|t| t != "\u{0}tentative");
            ents.push(e);
        }
    }
    let map = |i: usize| -> usize {
        let tg = target[i];
        new_ix[tg]
    };
    for e in &mut ents {
        e.part_of = e
            .part_of
            .iter()
            .map(|&p| map(p))
            .filter(|&p| p != usize::MAX)
            .collect();
        e.roles = e
            .roles
            .iter()
            .map(|(r, x)| (r.clone(), map(*x)))
            .filter(|(_, x)| *x != usize::MAX)
            .collect();
    }
    for (i, e) in ents.iter_mut().enumerate() {
        e.part_of.retain(|&p| p != i);
        e.part_of.dedup();
    }
    let mut mentions = Vec::new();
    for m in b.mentions.drain(..) {
        let ni = map(m.ent);
        if ni != usize::MAX {
            mentions.push(Mention { ent: ni, ..m });
        }
    }
    b.mentions = mentions;
    b.by_key.clear();
    for (i, e) in ents.iter().enumerate() {
        b.by_key.insert((norm_key(&e.name), e.etype), i);
    }
    b.entities = ents;
}

#[cfg(test)]
mod tests {
    use super::super::sentences::{split, tokenize};
    use super::*;

    fn run(s: &str) -> Ner {
        let t = tokenize(s);
        let ss = split(s, &t);
        recognise(s, &t, &ss, None, &Syntax::default())
    }

    fn find<'a>(n: &'a Ner, name: &str) -> Option<&'a Entity> {
        n.entities.iter().find(|e| e.name == name)
    }

    #[test]
    fn titles_and_names() {
        let n = run(
            "Chief of the General Staff of Russian Armed Forces Valery Gerasimov spoke. U.S. President Donald Trump met Gerasimov.",
        );
        let g = find(&n, "Valery Gerasimov").expect("gerasimov");
        assert_eq!(g.etype, EType::Person);
        assert!(g.aliases.contains(&"Gerasimov".to_string()));
        let t = find(&n, "Donald Trump").expect("trump");
        assert!(t.roles.iter().any(|(r, _)| r == "President"));
        assert!(find(&n, "United States").is_some());
        assert_eq!(
            find(&n, "Russian Armed Forces").map(|e| e.etype),
            Some(EType::Organization)
        );
    }

    #[test]
    fn organisation_names_hold_their_small_words() {
        // made-up names: "&", "and" inside an organisation, "on" after a body
        let n = run(
            "Officials at Harwick Gas and Electric Company said so. The Institute of Glaciology and Hydrology in Tarn disagreed. \
             Later the Commission on Coastal Erosion met staff of BR&T in the morning.",
        );
        for (name, ty) in [
            ("Harwick Gas and Electric Company", EType::Organization),
            ("Institute of Glaciology and Hydrology", EType::Organization),
            ("Commission on Coastal Erosion", EType::Organization),
        ] {
            assert_eq!(
                find(&n, name).map(|e| e.etype),
                Some(ty),
                "{name}: {:?}",
                n.entities.iter().map(|e| &e.name).collect::<Vec<_>>()
            );
        }
        assert!(
            n.entities.iter().any(|e| e.name.replace(' ', "") == "BR&T"),
            "{:?}",
            n.entities.iter().map(|e| &e.name).collect::<Vec<_>>()
        );
        // two names joined by "and" stay two
        let n = run("Talks between Maria Olsen and Peter Sand ended.");
        assert!(find(&n, "Maria Olsen").is_some() && find(&n, "Peter Sand").is_some());
    }

    #[test]
    fn a_titled_name_then_its_affiliation() {
        let n = run("On Monday, Senator Ann Lindqvist of Ohio said the vote would fail.");
        assert_eq!(
            find(&n, "Ann Lindqvist").map(|e| e.etype),
            Some(EType::Person),
            "{:?}",
            n.entities.iter().map(|e| &e.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn places_and_regions() {
        let n = run(
            "They fought in the Kursk region, the village of Gornal. Later Kursk was calm. He was in Belgorod.",
        );
        let k = find(&n, "Kursk region").expect("kursk region");
        assert!(k.aliases.contains(&"Kursk".to_string()));
        assert_eq!(find(&n, "Gornal").map(|e| e.etype), Some(EType::Place));
        assert!(find(&n, "Russia").is_some(), "Belgorod's country");
    }

    #[test]
    fn capital_as_government() {
        let n = run("However, Kyiv denied it. Talks were held in Moscow, Russia.");
        let u = find(&n, "Ukraine").expect("ukraine");
        assert!(u.aliases.contains(&"Kyiv".to_string()));
        assert!(find(&n, "Moscow").is_some());
    }
}
