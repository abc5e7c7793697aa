//! Lexicons and gazetteers: the embedded data files under `data/`, parsed
//! once into shared tables (a `OnceLock`).
//!
//! Owns: reading the TSV files, building the word sets and the aho-corasick
//! gazetteer automaton. May not touch: article text, sentences or the graph.

use crate::fasthash::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

macro_rules! data {
    ($p:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $p))
    };
}

const REPORTING: &str = data!("lexicons/reporting-verbs.tsv");
const COUNTRIES: &str = data!("lexicons/countries.tsv");
const TITLES: &str = data!("lexicons/titles.tsv");
const ABBREVS: &str = data!("lexicons/abbreviations-en.tsv");
const EVENTS: &str = data!("lexicons/event-triggers.tsv");
const EVENT_LEMMAS: &str = data!("lexicons/event-lemmas.tsv");
const CITIES: &str = data!("gazetteers/cities.tsv");
const REGIONS: &str = data!("gazetteers/regions.tsv");
const ISO: &str = data!("gazetteers/countries_iso.tsv");
const ORGS: &str = data!("gazetteers/organizations.tsv");
const AGENTS: &str = data!("lexicons/agent-nouns.txt");

/// A claim stance, as in FORMAT.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stance {
    Assert,
    Deny,
    Confirm,
    Accuse,
    Praise,
    Criticize,
    Warn,
    Promise,
    Question,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Assert => "assert",
            Stance::Deny => "deny",
            Stance::Confirm => "confirm",
            Stance::Accuse => "accuse",
            Stance::Praise => "praise",
            Stance::Criticize => "criticize",
            Stance::Warn => "warn",
            Stance::Promise => "promise",
            Stance::Question => "question",
        }
    }
    fn from_lexicon(s: &str) -> Option<Stance> {
        Some(match s {
            "asserted" | "claimed" | "hoped" | "requested" | "demanded" | "characterised" => {
                Stance::Assert
            }
            "denied" => Stance::Deny,
            "confirmed" => Stance::Confirm,
            "accused" => Stance::Accuse,
            "praised" => Stance::Praise,
            "criticised" => Stance::Criticize,
            "warned" | "threatened" => Stance::Warn,
            "promised" => Stance::Promise,
            "could_not_verify" | "disputed" => Stance::Question,
            _ => return None,
        })
    }
}

/// A reporting verb as the parse sees it.
#[derive(Clone, Debug)]
pub struct VerbCue {
    pub stance: Stance,
    /// A noun phrase object is what was said (`denied the report`); false
    /// where the object is the addressee (`told reporters that …`).
    pub np_content: bool,
    /// Prepositions whose phrase belongs to the content (`blamed X for Y`).
    pub preps: Vec<String>,
    /// Only a clause or a quote is content (`agree that …`, not `agree with X`).
    pub clause_only: bool,
    /// The verb's object may be who was addressed (`told reporters that`,
    /// `urged Portugal to`).
    pub addressee: bool,
}

/// What a gazetteer string stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum Gaz {
    /// Country name or alternative name (index into `countries`).
    Country(usize),
    /// Demonym adjective or plural (`Russian`, `the Ukrainians`).
    Demonym(usize),
    /// Capital city of a country.
    Capital(usize),
    /// Seat of government (`Kremlin`, `White House`).
    Seat(usize),
    /// City (index into `cities`).
    City(usize),
    /// First-level region (country index when known).
    Region(Option<usize>),
    /// Organisation (index into `orgs`).
    Org(usize),
}

pub struct Country {
    pub name: String,
    pub iso2: String,
    pub demonym: String,
}

pub struct City {
    pub name: String,
    pub country: Option<usize>,
}

pub struct Org {
    pub name: String,
}

pub struct Tables {
    pub countries: Vec<Country>,
    pub cities: Vec<City>,
    pub orgs: Vec<Org>,
    /// Surface form → meaning, parallel to the automaton's patterns.
    pub gaz: Vec<(String, Gaz)>,
    pub gaz_ac: AhoCorasick,
    /// Reporting verb surface form (lower case) → (lemma, stance).
    pub cues: HashMap<String, (String, Stance)>,
    /// Nominal cues (`assertion`, `denial`) → stance.
    pub noun_cues: HashMap<String, Stance>,
    /// Reporting verbs by lemma, for the parse (every verb row: the tagger
    /// tells the verb `charge` from the noun, so nothing is switched off).
    /// Multi-word lemmas are keyed with their particle (`point out`).
    pub verb_cues: HashMap<String, VerbCue>,
    /// Person titles (lower case, may be multi-word), longest first.
    pub titles: Vec<String>,
    pub title_words: HashSet<String>,
    /// Abbreviations that do not end a sentence (with their final period).
    pub abbrevs: HashSet<String>,
    /// Event trigger (lower case, may be multi-word) → type.
    pub triggers: HashMap<String, String>,
    pub multi_triggers: Vec<(Vec<String>, String)>,
    /// Event triggers by lemma and part of speech (`fire` the noun is a
    /// disaster, the verb a dismissal), for parsed sentences: key
    /// `lemma/v` or `lemma/n`.
    pub event_lemmas: HashMap<String, String>,
    /// Known content words (verbs and lexicon words) for glued-word repair.
    pub vocab: HashSet<String>,
    /// Nouns for people and groups that can speak or act (`officials`, `police`).
    pub agent_nouns: HashSet<String>,
}

fn rows(s: &str) -> impl Iterator<Item = Vec<&str>> {
    s.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn col<'a>(r: &[&'a str], i: usize) -> &'a str {
    r.get(i).copied().unwrap_or("").trim()
}

/// Inflected forms of a verb lemma: s, ed, ing (regular spelling rules).
pub fn verb_forms(lemma: &str) -> Vec<String> {
    let mut v = vec![lemma.to_string()];
    let b = lemma.as_bytes();
    let last = *b.last().unwrap_or(&b'x');
    if last == b'e' {
        v.push(format!("{lemma}s"));
        v.push(format!("{lemma}d"));
        v.push(format!("{}ing", &lemma[..lemma.len() - 1]));
    } else if last == b'y' && b.len() > 1 && !b"aeiou".contains(&b[b.len() - 2]) {
        let stem = &lemma[..lemma.len() - 1];
        v.push(format!("{stem}ies"));
        v.push(format!("{stem}ied"));
        v.push(format!("{lemma}ing"));
    } else if lemma.ends_with('s') || lemma.ends_with("sh") || lemma.ends_with("ch") || last == b'x'
    {
        v.push(format!("{lemma}es"));
        v.push(format!("{lemma}ed"));
        v.push(format!("{lemma}ing"));
    } else {
        v.push(format!("{lemma}s"));
        v.push(format!("{lemma}ed"));
        v.push(format!("{lemma}ing"));
    }
    v
}

/// Reporting verbs that are too ambiguous without a parser.
const CUE_SKIP: &[&str] = &[
    "post",
    "back",
    "support",
    "press",
    "call",
    "term",
    "find",
    "charge",
    "protest",
    "object",
    "challenge",
    "publish",
    "unveil",
    "maintain",
    "observe",
    "answer",
    "repeat",
    "brief",
    "tout",
    "agree",
    "concur",
    "defend",
    "endorse",
    "label",
    "dub",
    "note",
    "comment",
    "state",
    "add_",
    "mention",
    "respond",
    "reply",
    "indicate",
    "fault",
    "implicate",
    "question",
    "counter",
    "blast",
    "slam",
    "hail_",
    "verify",
    "salute",
    "thank",
    "welcome",
    "express",
];

/// Unambiguous inflected forms of lemmas in [`CUE_SKIP`].
const CUE_FORMS: &[(&str, &str, Stance)] = &[
    ("stated", "state", Stance::Assert),
    ("noted", "note", Stance::Assert),
    ("commented", "comment", Stance::Assert),
    ("mentioned", "mention", Stance::Assert),
    ("responded", "respond", Stance::Assert),
    ("replied", "reply", Stance::Assert),
    ("countered", "counter", Stance::Assert),
    ("tweeted", "tweet", Stance::Assert),
    ("slammed", "slam", Stance::Criticize),
    ("blasted", "blast", Stance::Criticize),
    ("welcomed", "welcome", Stance::Praise),
    ("thanked", "thank", Stance::Praise),
    ("questioned", "question", Stance::Question),
    ("attributed", "attribute", Stance::Accuse),
];

/// Role nouns missing from `titles.tsv` that also introduce names.
const EXTRA_TITLES: &[&str] = &[
    // party members named by their party ("Democrat Chuck Schumer")
    "democrat",
    "republican",
    "commissioner",
    "superintendent",
    "inspector",
    "constable",
    "detective",
    "officer",
    "advisor",
    "adviser",
    "photojournalist",
    "journalist",
    "reporter",
    "correspondent",
    "activist",
    "lawyer",
    "spokesperson",
    "leader",
    "candidate",
    "councillor",
    "chancellor",
    "first minister",
    "emperor",
    "lord",
    "lady",
    "sir",
    "dame",
    "rev.",
    "father",
    "bishop",
    "rabbi",
    "coach",
    "striker",
    "captain",
    "player",
    "singer",
    "actor",
    "author",
    "writer",
    "artist",
    "scientist",
    "researcher",
    "economist",
    "editor",
    "founder",
    "owner",
    "president-elect",
    "premier",
    "nominee",
    "mp",
];

fn build() -> Tables {
    let mut countries = Vec::new();
    let mut gaz: Vec<(String, Gaz)> = Vec::new();
    let mut iso3to2: HashMap<String, String> = HashMap::default();
    let mut iso2_caps: HashMap<String, String> = HashMap::default();
    for r in rows(ISO) {
        iso3to2.insert(col(&r, 1).to_string(), col(&r, 0).to_string());
        iso2_caps.insert(col(&r, 0).to_string(), col(&r, 3).to_string());
    }
    let mut iso2_idx: HashMap<String, usize> = HashMap::default();
    for r in rows(COUNTRIES) {
        let i = countries.len();
        let iso2 = iso3to2.get(col(&r, 0)).cloned().unwrap_or_default();
        iso2_idx.insert(iso2.clone(), i);
        countries.push(Country {
            name: col(&r, 2).to_string(),
            iso2,
            demonym: col(&r, 4).split(';').next().unwrap_or("").to_string(),
        });
        gaz.push((col(&r, 2).to_string(), Gaz::Country(i)));
        for a in col(&r, 3).split(';').filter(|s| !s.is_empty()) {
            if a != "America" {
                gaz.push((a.to_string(), Gaz::Country(i)));
            }
        }
        for d in col(&r, 4)
            .split(';')
            .chain(col(&r, 5).split(';'))
            .filter(|s| !s.is_empty())
        {
            if d == "U.S." {
                continue;
            }
            gaz.push((d.to_string(), Gaz::Demonym(i)));
        }
        for c in col(&r, 6).split(';').filter(|s| !s.is_empty()) {
            gaz.push((c.to_string(), Gaz::Capital(i)));
        }
        for s in col(&r, 7).split(';').filter(|s| !s.is_empty()) {
            gaz.push((s.to_string(), Gaz::Seat(i)));
        }
    }
    let mut orgs = Vec::new();
    for r in rows(ORGS) {
        let i = orgs.len();
        orgs.push(Org {
            name: col(&r, 0).to_string(),
        });
        gaz.push((col(&r, 0).to_string(), Gaz::Org(i)));
        for a in col(&r, 1).split('|').filter(|s| !s.is_empty()) {
            gaz.push((a.to_string(), Gaz::Org(i)));
        }
    }
    let mut cities = Vec::new();
    for r in rows(CITIES) {
        let i = cities.len();
        cities.push(City {
            name: col(&r, 0).to_string(),
            country: iso2_idx.get(col(&r, 1)).copied(),
        });
        gaz.push((col(&r, 0).to_string(), Gaz::City(i)));
    }
    for r in rows(REGIONS) {
        gaz.push((
            col(&r, 0).to_string(),
            Gaz::Region(iso2_idx.get(col(&r, 1)).copied()),
        ));
    }
    // First entry of a surface form wins (countries before cities).
    let mut seen = HashSet::default();
    gaz.retain(|(s, _)| s.len() >= 2 && seen.insert(s.clone()));
    let gaz_ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(gaz.iter().map(|(s, _)| s.as_str()))
        .expect("gazetteer automaton");

    let mut cues = HashMap::default();
    let mut noun_cues = HashMap::default();
    let mut verb_cues: HashMap<String, VerbCue> = HashMap::default();
    for r in rows(REPORTING) {
        let lemma = col(&r, 0);
        if matches!(col(&r, 2), "v" | "phr") {
            let stance = Stance::from_lexicon(col(&r, 4)).or(match col(&r, 4) {
                // agreeing that … is asserting it; supporting a plan is not a claim
                "supported" if col(&r, 7).contains("that") => Some(Stance::Assert),
                // refusing to do what was asked denies it ("refused to hand
                // over the documents"); "refused to comment" is a phrase row
                // with no stance, matched first
                "refused" => Some(Stance::Deny),
                _ => None,
            });
            if let Some(stance) = stance {
                let comps: Vec<&str> = col(&r, 7).split(';').collect();
                let np_content = comps.iter().any(|c| {
                    *c == "NP"
                        || (c.starts_with("NP_")
                            && !matches!(*c, "NP_that" | "NP_quote" | "NP_to_inf"))
                });
                let preps = comps
                    .iter()
                    .filter_map(|c| {
                        let parts: Vec<&str> = c.split('_').collect();
                        match parts.as_slice() {
                            ["NP", p, "NP" | "V-ing"] | [p, "NP"]
                                if p.chars().all(|c| c.is_ascii_lowercase()) =>
                            {
                                Some(p.to_string())
                            }
                            _ => None,
                        }
                    })
                    .collect::<Vec<String>>();
                let mut preps = preps;
                // "call for X", "ask for X": the phrasal verb's preposition
                // heads what was said
                if np_content
                    && let Some((_, p)) = lemma.split_once(' ')
                    && !preps.iter().any(|q| q == p)
                {
                    preps.push(p.to_string());
                }
                verb_cues.entry(lemma.to_string()).or_insert(VerbCue {
                    stance,
                    np_content,
                    preps,
                    clause_only: col(&r, 4) == "supported",
                    addressee: comps
                        .iter()
                        .any(|c| matches!(*c, "NP_that" | "NP_quote" | "NP_to_inf" | "NP_of_NP")),
                });
            }
        }
        let Some(stance) = Stance::from_lexicon(col(&r, 4)) else {
            continue;
        };
        match col(&r, 2) {
            "v" if !CUE_SKIP.contains(&lemma) => {
                let mut forms = verb_forms(lemma);
                forms.extend(
                    col(&r, 1)
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                );
                for f in forms {
                    cues.entry(f).or_insert((lemma.to_string(), stance));
                }
            }
            "n" => {
                noun_cues.insert(lemma.to_string(), stance);
            }
            _ => {}
        }
    }
    let mut titles: Vec<String> = Vec::new();
    let mut title_words = HashSet::default();
    for r in rows(TITLES) {
        let t = col(&r, 0).to_lowercase();
        if !t.contains(" of ")
            && !t.ends_with(" of")
            && let Some(last) = t.split(' ').next_back()
        {
            title_words.insert(last.to_string());
        }
        titles.push(t);
    }
    for extra in EXTRA_TITLES {
        title_words.insert(extra.to_string());
        titles.push(extra.to_string());
    }
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let abbrevs = rows(ABBREVS)
        .filter(|r| col(r, 2) == "no")
        .map(|r| col(&r, 0).to_string())
        .collect();
    let mut triggers = HashMap::default();
    let mut multi_triggers = Vec::new();
    for r in rows(EVENTS) {
        let t = col(&r, 0).to_string();
        if t.contains(' ') {
            multi_triggers.push((
                t.split(' ').map(String::from).collect(),
                col(&r, 1).to_string(),
            ));
        } else {
            triggers.insert(t, col(&r, 1).to_string());
        }
    }
    for extra in ["ask", "asks", "asked", "asking", "plead", "call", "calls"] {
        cues.remove(extra);
    }
    // past forms of skipped lemmas that are verbs in news text whatever the
    // lemma's noun uses ("stated", not "state")
    for (form, lemma, stance) in CUE_FORMS {
        cues.entry(form.to_string())
            .or_insert((lemma.to_string(), *stance));
    }
    let agent_nouns: HashSet<String> = AGENTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect();
    let mut event_lemmas = HashMap::default();
    for r in rows(EVENT_LEMMAS) {
        event_lemmas
            .entry(format!("{}/{}", col(&r, 0), col(&r, 1)))
            .or_insert_with(|| col(&r, 2).to_string());
    }
    let mut vocab: HashSet<String> = cues.keys().cloned().collect();
    vocab.extend(triggers.keys().cloned());
    Tables {
        countries,
        cities,
        orgs,
        gaz,
        gaz_ac,
        cues,
        noun_cues,
        verb_cues,
        titles,
        title_words,
        abbrevs,
        triggers,
        multi_triggers,
        event_lemmas,
        vocab,
        agent_nouns,
    }
}

/// The shared tables, built on first use.
pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let t = tables();
        assert!(t.cues.contains_key("denied"));
        assert_eq!(t.cues["said"].1, Stance::Assert);
        assert_eq!(t.cues["praising"].1, Stance::Praise);
        assert!(t.countries.iter().any(|c| c.name == "Russia"));
        assert!(
            t.gaz
                .iter()
                .any(|(s, g)| s == "Kremlin" && matches!(g, Gaz::Seat(_)))
        );
        assert!(t.abbrevs.contains("Gen."));
    }

    #[test]
    fn forms() {
        assert!(verb_forms("deny").contains(&"denied".to_string()));
        assert!(verb_forms("praise").contains(&"praising".to_string()));
    }
}
