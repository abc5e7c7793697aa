//! Graph building: merges articles' [`Extraction`]s into the property
//! graph (schema in `store::schema`).
//!
//! Owns: the `Article` node, entity merging across articles (by name / alias,
//! type-compatible labels, aliases unioned), `Claim` and `Event` nodes (the
//! same claim or happening from several articles is one node with several
//! sources, by the rule in [`same`]), the stance, role, containment,
//! mention, report and contradiction relationships, and a [`Provenance`] on
//! every node and relationship. Idempotent per article file.
//!
//! A [`Merger`] keeps the indexes that keep the cost of one article
//! independent of the size of the graph, and merges batches with their
//! read-only part (entity lookups, content words) run in parallel and the
//! writes in file order, giving the graph a one-by-one merge gives.
//! May not touch: extraction itself or the store's internals.

pub mod fragment;
pub mod same;

use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::extract::{Arg, EType, Extraction, Stance};
use crate::fasthash::{FnvBuild, HashMap, HashSet};
use crate::store::schema::{key, label, rel};
use crate::store::{
    Date, Direction, Graph, NodeId, PropMap, PropValue, Provenance, Symbol, Temporal,
};
use same::{Key, Report, Reports, What, word_hashes};

/// What one merge added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeSummary {
    /// Entity nodes created or updated.
    pub entities: usize,
    /// Claim nodes created (or claims added as a further source of an existing claim).
    pub claims: usize,
    pub events: usize,
    pub relationships: usize,
    /// The article was already in the graph: nothing was added.
    pub already_present: bool,
    /// The file of the article already in the graph with the same content
    /// under another file name (nothing was added).
    pub duplicate_of: Option<String>,
}

/// An extracted time as a temporal value: a full date (`2025-04-26`) is a
/// date, a year and month (`2024-08`) or a year (`2024`) stays a partial
/// date of that precision. Other shapes (an ISO week, `2019-W03`) are
/// `None` and stay text.
pub fn time_value(s: &str) -> Option<PropValue> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<u32>().ok())?
    };
    match parts.as_slice() {
        [y] if y.len() == 4 => Some(PropValue::Temporal(Temporal::Year(i64::from(num(y)?)))),
        [y, m] if y.len() == 4 && m.len() == 2 => {
            let m = num(m).filter(|m| (1..=12).contains(m))?;
            Some(PropValue::Temporal(Temporal::YearMonth(
                i64::from(num(y)?),
                m,
            )))
        }
        [_, _, _] => Date::parse(s).map(PropValue::Date),
        _ => None,
    }
}

fn stance_rel(s: Stance) -> &'static str {
    match s {
        Stance::Assert => rel::SAID,
        Stance::Deny => rel::DENIED,
        Stance::Confirm => rel::CONFIRMED,
        Stance::Accuse => rel::ACCUSED,
        Stance::Praise => rel::PRAISED,
        Stance::Criticize => rel::CRITICIZED,
        Stance::Warn => rel::WARNED,
        Stance::Promise => rel::PROMISED,
        Stance::Question => rel::QUESTIONED,
    }
}

const STOP: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
    "but", "that", "this", "it", "its", "is", "are", "was", "were", "be", "been", "has", "have",
    "had", "will", "would", "could", "they", "their", "them", "he", "she", "his", "her", "not",
    "no", "as", "also", "said", "which", "who", "all", "any", "some", "there",
];

/// Content words, lower-cased and lightly stemmed.
pub fn content_words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .map(|w| w.to_lowercase())
        .filter(|w| !w.is_empty() && !STOP.contains(&w.as_str()))
        .map(|w| {
            for suf in ["ing", "ed", "es", "s"] {
                if w.len() > suf.len() + 2 && w.ends_with(suf) {
                    return w[..w.len() - suf.len()].to_string();
                }
            }
            w
        })
        .collect()
}

fn set(g: &mut Graph, n: NodeId, k: &str, v: PropValue) {
    let ks = g.intern(k);
    let _ = g.set_node_prop(n, ks, v);
}

fn props(g: &mut Graph, kv: Vec<(&str, PropValue)>) -> PropMap {
    let mut p = PropMap::new();
    for (k, v) in kv {
        let ks = g.intern(k);
        p.set(ks, v);
    }
    p
}

/// A person's name with the transliteration endings `-iy`, `-yy`, `-ij`,
/// `-ii` of each word of five letters or more written `-y`: `Dmitriy
/// Peskov` and `Dmitry Peskov` share the key `Dmitry Peskov`.
pub fn transliteration_key(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let ending = ["iy", "yy", "ij", "ii"]
                .iter()
                .find(|x| lower.ends_with(*x));
            match ending {
                Some(_) if w.chars().count() >= 5 && w.is_char_boundary(w.len() - 2) => {
                    format!("{}y", &w[..w.len() - 2])
                }
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn type_label(t: EType) -> &'static str {
    match t {
        EType::Person => label::PERSON,
        EType::Organization => label::ORGANIZATION,
        EType::Place => label::PLACE,
    }
}

/// How many asserting claims per content word a denial is compared with.
const CONTRA_SCAN: usize = 50;

/// A node of a type label with `name` as its name or alias: the lowest id.
fn find_named(g: &Graph, name: &str, tl: Symbol) -> Option<NodeId> {
    g.nodes_by_name(name)
        .into_iter()
        .find(|&n| g.node(n).is_some_and(|x| x.has_label(tl)))
}

/// A hash of an article's title and text, to find the same article saved
/// under another file name (candidates are compared in full).
fn content_hash(title: Option<&str>, text: &str) -> u64 {
    let mut h = FnvBuild::default().build_hasher();
    title.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

/// An event's kind for [`same`]: its type and status (an attack reported
/// and one denied or planned are not the same happening).
fn event_kind(etype: &str, status: &str) -> u64 {
    same::kind(&format!("{etype}/{status}"))
}

fn day_of(s: Option<&str>) -> Option<i32> {
    s.and_then(Date::parse).map(|d| d.0)
}

/// What can be worked out for one article without writing the graph, so it
/// runs for many articles in parallel (see [`Merger::merge_batch`]): content
/// words, hashes, transliteration keys and, when made with a graph, the
/// entities' nodes as that graph has them.
#[derive(Debug, Default)]
pub struct Prepared {
    content_hash: u64,
    /// Per entity, the other spelling of a person's name (transliteration).
    spelling: Vec<Option<String>>,
    /// Per entity, the nodes found for its name and its spelling in the
    /// graph as it was when prepared; absent when prepared without a graph.
    found: Option<Vec<(Option<NodeId>, Option<NodeId>)>>,
    /// Per claim, the content words.
    claim_words: Vec<HashSet<String>>,
    /// Per event, the content words of its sentence when it has no argument
    /// that is a node (such an event is identified by its words).
    event_words: Vec<Box<[u64]>>,
}

/// Whether an event has an argument that becomes a node.
fn has_args(e: &crate::extract::Event) -> bool {
    e.agent.is_some()
        || e.patient.as_ref().is_some_and(|a| a.ent.is_some())
        || e.place.as_ref().is_some_and(|a| a.ent.is_some())
}

/// Merges extractions into a graph, keeping the indexes that make each
/// merge cost the same however large the graph is: articles by file name
/// and by content, claims and events by what identifies them
/// ([`same::Reports`]), and the relationships ingest adds only once.
#[derive(Debug, Default)]
pub struct Merger {
    files: HashMap<String, NodeId>,
    contents: HashMap<u64, Vec<NodeId>>,
    reports: Reports,
    /// PART_OF, CONTRADICTS and HOLDS_ROLE (with its title) already present.
    links: HashSet<(NodeId, NodeId, Symbol, Box<str>)>,
    /// Lower-cased names given to nodes since the batch being applied was
    /// prepared: what a lookup in the graph as it was then could not see.
    since: Option<HashMap<String, Vec<NodeId>>>,
}

impl Merger {
    /// A merger for `g`, indexing what it already holds (one pass over its
    /// articles, claims, events and the relationships ingest adds once).
    pub fn new(g: &Graph) -> Merger {
        let mut m = Merger::default();
        let sym = |s: &str| g.symbol(s);
        let str_of =
            |n: NodeId, k: Option<Symbol>| -> Option<&str> { g.node(n)?.prop(k?)?.as_str() };
        let (file_k, text_k, title_k, date_k) =
            (sym("file"), sym("text"), sym("title"), sym("date"));
        if let Some(art_l) = sym(label::ARTICLE) {
            for n in g.nodes_with_label(art_l) {
                if let Some(f) = str_of(n, file_k) {
                    m.files.entry(f.to_string()).or_insert(n);
                }
                let h = content_hash(str_of(n, title_k), str_of(n, text_k).unwrap_or(""));
                m.contents.entry(h).or_default().push(n);
            }
        }
        let title_k2 = sym("title");
        for t in [rel::PART_OF, rel::CONTRADICTS, rel::HOLDS_ROLE] {
            let Some(ts) = sym(t) else { continue };
            for e in g.edges_of_type(ts) {
                let Some((a, b)) = g.endpoints(e) else {
                    continue;
                };
                let title = g
                    .edge(e)
                    .and_then(|x| x.prop(title_k2?))
                    .and_then(|v| v.as_str())
                    .filter(|_| t == rel::HOLDS_ROLE)
                    .unwrap_or("");
                m.links.insert((a, b, ts, title.into()));
            }
        }
        let day = |n: NodeId| -> Option<i32> {
            let node = g.node(n)?;
            match date_k.and_then(|k| node.prop(k)) {
                Some(PropValue::Date(d)) => Some(d.0),
                _ => None,
            }
        };
        let stances: Vec<(Symbol, &str)> = rel::STANCES
            .iter()
            .filter_map(|s| Some((sym(s)?, *s)))
            .collect();
        if let Some(claim_l) = sym(label::CLAIM) {
            for n in g.nodes_with_label(claim_l) {
                let first = g.edges_at(n, Direction::Incoming).find_map(|(e, o)| {
                    let t = g.edge(e)?.rel_type();
                    stances
                        .iter()
                        .find(|(s, _)| *s == t)
                        .map(|(_, name)| (o, *name))
                });
                let Some((speaker, stance)) = first else {
                    continue;
                };
                let words = content_words(str_of(n, text_k).unwrap_or(""));
                let r = Report {
                    key: Key {
                        what: What::Claim,
                        kind: same::kind(stance),
                        args: [Some(speaker), None, None],
                    },
                    day: day(n),
                    words: word_hashes(&words),
                };
                m.reports.insert(n, r);
            }
        }
        if let Some(ev_l) = sym(label::EVENT) {
            let (type_k, status_k, performed, affected, occurred) = (
                sym("type"),
                sym("status"),
                sym(rel::PERFORMED),
                sym(rel::AFFECTED),
                sym(rel::OCCURRED_IN),
            );
            let first = |n: NodeId, dir: Direction, t: Option<Symbol>| -> Option<NodeId> {
                let t = t?;
                g.edges_at(n, dir)
                    .find(|(e, _)| g.edge(*e).is_some_and(|x| x.rel_type() == t))
                    .map(|(_, o)| o)
            };
            for n in g.nodes_with_label(ev_l) {
                let args = [
                    first(n, Direction::Incoming, performed),
                    first(n, Direction::Outgoing, affected),
                    first(n, Direction::Outgoing, occurred),
                ];
                let words = if args.iter().all(Option::is_none) {
                    word_hashes(&content_words(str_of(n, text_k).unwrap_or("")))
                } else {
                    Box::default()
                };
                // an event without a date of its own is dated by its article
                let article = g.node(n).and_then(|x| x.provenance()).map(|p| p.article);
                let r = Report {
                    key: Key {
                        what: What::Event,
                        kind: event_kind(
                            str_of(n, type_k).unwrap_or(""),
                            str_of(n, status_k).unwrap_or(""),
                        ),
                        args,
                    },
                    day: day(n).or_else(|| article.and_then(day)),
                    words,
                };
                m.reports.insert(n, r);
            }
        }
        m
    }

    /// What `ex`'s merge can work out without writing: with `graph`, also
    /// the entities' nodes in it as it is now (read-only; safe to run for
    /// many articles at once). A batch prepared against one state of the
    /// graph must be applied in order right after, by [`Merger::merge_batch`].
    pub fn prepare(&self, graph: Option<&Graph>, ex: &Extraction) -> Prepared {
        let spelling: Vec<Option<String>> = ex
            .entities
            .iter()
            .map(|e| {
                (e.etype == EType::Person)
                    .then(|| transliteration_key(&e.name))
                    .filter(|k| !k.eq_ignore_ascii_case(&e.name))
            })
            .collect();
        let found = graph.map(|g| {
            ex.entities
                .iter()
                .zip(&spelling)
                .map(|(e, sp)| match g.symbol(type_label(e.etype)) {
                    Some(tl) => (
                        find_named(g, &e.name, tl),
                        sp.as_deref().and_then(|k| find_named(g, k, tl)),
                    ),
                    None => (None, None),
                })
                .collect()
        });
        Prepared {
            content_hash: content_hash(ex.title.as_deref(), &ex.text),
            spelling,
            found,
            claim_words: ex
                .claims
                .iter()
                .map(|c| content_words(&c.content))
                .collect(),
            event_words: ex
                .events
                .iter()
                .map(|e| {
                    if has_args(e) {
                        Box::default()
                    } else {
                        word_hashes(&content_words(ex.sentence_text(e.sentence)))
                    }
                })
                .collect(),
        }
    }

    /// Merges one article (everything worked out here, in order).
    pub fn merge(&mut self, g: &mut Graph, ex: &Extraction) -> MergeSummary {
        let p = self.prepare(None, ex);
        self.apply(g, ex, p)
    }

    /// Merges articles in order, with the same result as [`Merger::merge`]
    /// on each in turn: first [`Merger::prepare`]s them all in parallel
    /// against the graph as it is (entity lookups included), then applies
    /// them one by one, completing each lookup with the names the batch
    /// itself has added since (names are only ever added by a merge, so the
    /// lowest matching node is the lower of the two).
    pub fn merge_batch(&mut self, g: &mut Graph, batch: &[&Extraction]) -> Vec<MergeSummary> {
        let prepared: Vec<Prepared> = {
            let (me, gr) = (&*self, &*g);
            batch
                .par_iter()
                .map(|ex| me.prepare(Some(gr), ex))
                .collect()
        };
        self.since = Some(HashMap::default());
        let out = batch
            .iter()
            .zip(prepared)
            .map(|(ex, p)| self.apply(g, ex, p))
            .collect();
        self.since = None;
        out
    }

    /// Records that `n` is now known by `name` (for lookups prepared earlier).
    fn named(&mut self, name: &str, n: NodeId) {
        if let Some(since) = &mut self.since {
            since.entry(name.to_lowercase()).or_default().push(n);
        }
    }

    /// The node of an entity name: from the prepared lookup completed with
    /// the names added since, or looked up now.
    fn resolve(
        &self,
        g: &Graph,
        name: &str,
        tl: Symbol,
        prepared: Option<Option<NodeId>>,
    ) -> Option<NodeId> {
        let Some(before) = prepared else {
            return find_named(g, name, tl);
        };
        let added = self.since.as_ref().and_then(|s| {
            s.get(&name.to_lowercase())?
                .iter()
                .copied()
                .filter(|&n| g.node(n).is_some_and(|x| x.has_label(tl)))
                .min()
        });
        match (before, added) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn apply(&mut self, g: &mut Graph, ex: &Extraction, pre: Prepared) -> MergeSummary {
        let mut sum = MergeSummary::default();
        // idempotence: one Article node per file, and per content (the same
        // article saved under two names is not counted twice)
        let art_l = g.intern(label::ARTICLE);
        let file_k = g.intern("file");
        let text_k = g.intern("text");
        let title_k = g.intern("title");
        if self.files.contains_key(&ex.article) {
            sum.already_present = true;
            return sum;
        }
        if !ex.text.trim().is_empty() {
            let twin = self.contents.get(&pre.content_hash).and_then(|v| {
                v.iter().copied().find(|&n| {
                    g.node(n).is_some_and(|node| {
                        node.prop(text_k).and_then(|v| v.as_str()) == Some(ex.text.as_str())
                            && node.prop(title_k).and_then(|v| v.as_str()) == ex.title.as_deref()
                    })
                })
            });
            if let Some(n) = twin {
                sum.already_present = true;
                let file = g
                    .node(n)
                    .and_then(|x| x.prop(file_k))
                    .and_then(|v| v.as_str());
                sum.duplicate_of = Some(file.unwrap_or_default().to_string());
                return sum;
            }
        }
        let date = ex
            .date
            .as_deref()
            .and_then(Date::parse)
            .map(PropValue::Date)
            .unwrap_or(PropValue::Null);
        let article_day = day_of(ex.date.as_deref());
        let source = if ex.article.starts_with("wikinews") {
            "Wikinews"
        } else if ex.article.starts_with("gum") {
            "GUM"
        } else if ex.text.contains("Reuters") {
            "Reuters"
        } else {
            "unknown"
        };
        let ap = props(
            g,
            vec![
                ("file", ex.article.as_str().into()),
                (
                    "title",
                    ex.title
                        .clone()
                        .map(PropValue::from)
                        .unwrap_or(PropValue::Null),
                ),
                ("date", date.clone()),
                ("text", ex.text.as_str().into()),
                ("source", source.into()),
            ],
        );
        let art = g.add_node(vec![art_l], ap, None);
        self.files.insert(ex.article.clone(), art);
        self.contents.entry(pre.content_hash).or_default().push(art);
        let prov = |s: usize| -> Option<Provenance> {
            let sp = ex.sentences.get(s)?;
            Some(Provenance {
                article: art,
                sentence: s as u32,
                start: sp.start as u32,
                end: sp.end as u32,
            })
        };
        let _ = g.set_node_provenance(
            art,
            Provenance {
                article: art,
                sentence: 0,
                start: 0,
                end: ex.text.len() as u32,
            },
        );

        // first mention sentence per entity
        let mut first_sent: HashMap<usize, usize> = HashMap::default();
        for m in &ex.mentions {
            first_sent.entry(m.ent).or_insert(m.sent);
        }
        // entities
        let name_k = g.intern(key::NAME);
        let ak = g.intern(key::ALIASES);
        let mt = g.intern(rel::MENTIONED_IN);
        let mut node_of: Vec<NodeId> = Vec::with_capacity(ex.entities.len());
        for (i, e) in ex.entities.iter().enumerate() {
            let tl = g.intern(type_label(e.etype));
            // People whose names differ only in transliteration (Zelenskiy,
            // Zelenskyy, Zelensky) meet under one spelling, kept as an alias.
            let spelling = pre.spelling.get(i).cloned().flatten();
            let (by_name, by_spelling) = match &pre.found {
                Some(f) => (Some(f[i].0), Some(f[i].1)),
                None => (None, None),
            };
            let found = self.resolve(g, &e.name, tl, by_name).or_else(|| {
                spelling
                    .as_deref()
                    .and_then(|k| self.resolve(g, k, tl, by_spelling))
            });
            let p = first_sent.get(&i).and_then(|&s| prov(s));
            let n = match found {
                Some(n) => n,
                None => {
                    let pm = props(
                        g,
                        vec![
                            (key::NAME, e.name.as_str().into()),
                            ("type", e.etype.as_str().into()),
                        ],
                    );
                    let n = g.add_node(vec![tl], pm, p);
                    self.named(&e.name, n);
                    n
                }
            };
            // labels
            if e.country {
                let c = g.intern(label::COUNTRY);
                let _ = g.add_label(n, c);
            }
            if e.actor {
                let a = g.intern(label::ACTOR);
                let _ = g.add_label(n, a);
            }
            // aliases: union (written only when one is new)
            let mut aliases: Vec<String> = match g.node(n).and_then(|x| x.prop(ak)) {
                Some(PropValue::List(v)) => v
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            let had = aliases.len();
            let cur_name = g
                .node(n)
                .and_then(|x| x.prop(name_k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_lowercase();
            let own = [Some(&e.name), spelling.as_ref()];
            for a in e.aliases.iter().chain(own.into_iter().flatten()) {
                if a.to_lowercase() != cur_name
                    && !aliases.iter().any(|x| x.eq_ignore_ascii_case(a))
                {
                    aliases.push(a.clone());
                }
            }
            let never_set = g.node(n).is_some_and(|x| x.prop(ak).is_none());
            if aliases.len() > had || never_set {
                for a in &aliases[had..] {
                    self.named(a, n);
                }
                set(
                    g,
                    n,
                    key::ALIASES,
                    PropValue::List(aliases.into_iter().map(PropValue::from).collect()),
                );
            }
            if g.add_edge(n, art, mt, PropMap::new(), p).is_ok() {
                sum.relationships += 1;
            }
            node_of.push(n);
            sum.entities += 1;
        }
        // containment and roles
        let part_t = g.intern(rel::PART_OF);
        let role_t = g.intern(rel::HOLDS_ROLE);
        for (i, e) in ex.entities.iter().enumerate() {
            let p = first_sent.get(&i).and_then(|&s| prov(s));
            for &c in &e.part_of {
                if self
                    .links
                    .insert((node_of[i], node_of[c], part_t, "".into()))
                {
                    let _ = g.add_edge(node_of[i], node_of[c], part_t, PropMap::new(), p);
                    sum.relationships += 1;
                }
            }
            for (title, c) in &e.roles {
                if self
                    .links
                    .insert((node_of[i], node_of[*c], role_t, title.as_str().into()))
                {
                    let pm = props(g, vec![("title", title.as_str().into())]);
                    let _ = g.add_edge(node_of[i], node_of[*c], role_t, pm, p);
                    sum.relationships += 1;
                }
            }
        }
        // a node for an argument (entity, or an anonymous speaker / agent as written)
        let mut anon: HashMap<String, NodeId> = HashMap::default();
        let al = g.intern(label::ACTOR);
        let mut arg_node = |me: &mut Merger, g: &mut Graph, a: &Arg, s: usize| -> NodeId {
            if let Some(e) = a.ent {
                return node_of[e];
            }
            let key_s = a.text.to_lowercase();
            if let Some(&n) = anon.get(&key_s) {
                return n;
            }
            let n = find_named(g, &a.text, al).unwrap_or_else(|| {
                let pm = props(
                    g,
                    vec![
                        (key::NAME, a.text.as_str().into()),
                        ("type", "group".into()),
                    ],
                );
                let n = g.add_node(vec![al], pm, prov(s));
                me.named(&a.text, n);
                n
            });
            anon.insert(key_s, n);
            n
        };
        // claims
        let claim_l = g.intern(label::CLAIM);
        let about_t = g.intern(rel::ABOUT);
        let mut claim_nodes: Vec<(NodeId, NodeId, Stance, HashSet<String>)> = Vec::new();
        // mentions by first token, so that a claim finds the ones inside its
        // content by binary search (a scan of all of them per claim made the
        // merge quadratic in the size of the article)
        let mut mentions_by_t0: Vec<usize> = (0..ex.mentions.len()).collect();
        mentions_by_t0.sort_by_key(|&k| (ex.mentions[k].t0, k));
        for (c, words) in ex.claims.iter().zip(pre.claim_words) {
            let p = prov(c.sentence);
            let sp = arg_node(self, g, &c.speaker, c.sentence);
            let _ = g.add_label(sp, al);
            let rt = stance_rel(c.stance);
            let rts = g.intern(rt);
            // the same claim from another article (see `same`)
            let report = Report {
                key: Key {
                    what: What::Claim,
                    kind: same::kind(rt),
                    args: [Some(sp), None, None],
                },
                day: article_day,
                words: word_hashes(&words),
            };
            let cn = match self.reports.find(&report) {
                Some(n) => n,
                None => {
                    let pm = props(
                        g,
                        vec![
                            ("text", c.content.as_str().into()),
                            ("stance", c.stance.as_str().into()),
                            ("verb", c.verb.as_str().into()),
                            ("quote", c.quote.into()),
                            ("date", date.clone()),
                        ],
                    );
                    let n = g.add_node(vec![claim_l], pm, p);
                    self.reports.insert(n, report);
                    // ABOUT: entities mentioned in the content
                    let mut about = HashSet::default();
                    let from = mentions_by_t0.partition_point(|&k| ex.mentions[k].t0 < c.c0);
                    let mut inside: Vec<usize> = mentions_by_t0[from..]
                        .iter()
                        .copied()
                        .take_while(|&k| ex.mentions[k].t0 <= c.c1)
                        .collect();
                    // in the order of the extraction, as before
                    inside.sort_unstable();
                    for m in inside.into_iter().map(|k| &ex.mentions[k]) {
                        if m.t0 >= c.c0
                            && m.t1 <= c.c1
                            && Some(m.ent) != c.speaker.ent
                            && about.insert(m.ent)
                        {
                            let _ = g.add_edge(n, node_of[m.ent], about_t, PropMap::new(), p);
                            sum.relationships += 1;
                        }
                    }
                    n
                }
            };
            // `cn` is either new or the same claim from another article
            // (which gets a further edge): one stance edge per source
            let _ = g.add_edge(sp, cn, rts, PropMap::new(), p);
            sum.relationships += 1;
            claim_nodes.push((cn, sp, c.stance, words));
            sum.claims += 1;
        }
        // contradictions: an assert and a deny of different speakers sharing content words
        // candidates through an index of long content words, capped per word
        let contra_t = g.intern(rel::CONTRADICTS);
        let mut by_word: HashMap<&str, Vec<usize>> = HashMap::default();
        for (k, (_, _, st, w)) in claim_nodes.iter().enumerate() {
            if *st == Stance::Assert {
                for x in w.iter().filter(|x| x.len() >= 5) {
                    let v = by_word.entry(x.as_str()).or_default();
                    if v.len() < CONTRA_SCAN {
                        v.push(k);
                    }
                }
            }
        }
        for (dn, dsp, dst, dw) in &claim_nodes {
            if *dst != Stance::Deny {
                continue;
            }
            let mut cand: Vec<usize> = dw
                .iter()
                .filter_map(|x| by_word.get(x.as_str()))
                .flatten()
                .copied()
                .collect();
            cand.sort_unstable();
            cand.dedup();
            for (an, asp, ast, aw) in cand.into_iter().map(|k| &claim_nodes[k]) {
                if *ast != Stance::Assert || asp == dsp || an == dn {
                    continue;
                }
                let shared = dw.intersection(aw).filter(|w| w.len() >= 5).count();
                let ratio = shared as f64 / dw.len().min(aw.len()).max(1) as f64;
                if shared > 0 && ratio >= 0.25 && self.links.insert((*dn, *an, contra_t, "".into()))
                {
                    let p = g.node(*dn).and_then(|x| x.provenance().copied());
                    let _ = g.add_edge(*dn, *an, contra_t, PropMap::new(), p);
                    sum.relationships += 1;
                }
            }
        }
        // events: the same happening from several articles is one Event
        // (see `same`), with one REPORTED_IN per article
        let ev_l = g.intern(label::EVENT);
        let (perf_t, aff_t, occ_t, rep_t) = (
            g.intern(rel::PERFORMED),
            g.intern(rel::AFFECTED),
            g.intern(rel::OCCURRED_IN),
            g.intern(rel::REPORTED_IN),
        );
        let mut reported: HashSet<NodeId> = HashSet::default();
        for (e, words) in ex.events.iter().zip(pre.event_words) {
            let p = prov(e.sentence);
            let agent = e.agent.as_ref().map(|a| {
                let an = arg_node(self, g, a, e.sentence);
                let _ = g.add_label(an, al);
                an
            });
            let patient = e
                .patient
                .as_ref()
                .filter(|a| a.ent.is_some())
                .map(|a| arg_node(self, g, a, e.sentence));
            let place = e.place.as_ref().and_then(|a| a.ent).map(|pe| node_of[pe]);
            let report = Report {
                key: Key {
                    what: What::Event,
                    kind: event_kind(e.etype.as_str(), e.status.as_str()),
                    args: [agent, patient, place],
                },
                day: day_of(e.time.as_deref()).or(article_day),
                words,
            };
            let en = match self.reports.find(&report) {
                Some(n) => n,
                None => {
                    let pm = props(
                        g,
                        vec![
                            ("type", e.etype.as_str().into()),
                            ("trigger", e.trigger.as_str().into()),
                            ("status", e.status.as_str().into()),
                            ("text", ex.sentence_text(e.sentence).into()),
                            (
                                "time",
                                e.time
                                    .as_deref()
                                    .map(|t| time_value(t).unwrap_or_else(|| t.into()))
                                    .unwrap_or(PropValue::Null),
                            ),
                            (
                                "date",
                                e.time
                                    .as_deref()
                                    .and_then(Date::parse)
                                    .map(PropValue::Date)
                                    .unwrap_or(PropValue::Null),
                            ),
                        ],
                    );
                    let en = g.add_node(vec![ev_l], pm, p);
                    self.reports.insert(en, report);
                    for (from, to, t) in [
                        (agent, Some(en), perf_t),
                        (Some(en), patient, aff_t),
                        (Some(en), place, occ_t),
                    ] {
                        if let (Some(a), Some(b)) = (from, to) {
                            let _ = g.add_edge(a, b, t, PropMap::new(), p);
                            sum.relationships += 1;
                        }
                    }
                    en
                }
            };
            if reported.insert(en) {
                let _ = g.add_edge(en, art, rep_t, PropMap::new(), p);
                sum.relationships += 1;
            }
            sum.events += 1;
        }
        sum
    }
}

/// Merges one article's extraction into the graph (indexing the graph
/// first: to merge many articles, keep one [`Merger`]).
pub fn merge_extraction(graph: &mut Graph, ex: &Extraction) -> MergeSummary {
    Merger::new(graph).merge(graph, ex)
}

#[cfg(test)]
mod tests {
    use super::{time_value, transliteration_key};
    use crate::store::{Date, PropValue, Temporal};

    #[test]
    fn extracted_times_become_dates_or_partial_dates() {
        assert_eq!(
            time_value("2025-04-26"),
            Some(PropValue::Date(Date::from_ymd(2025, 4, 26).unwrap()))
        );
        assert_eq!(
            time_value("2024-08"),
            Some(PropValue::Temporal(Temporal::YearMonth(2024, 8)))
        );
        assert_eq!(
            time_value("2023"),
            Some(PropValue::Temporal(Temporal::Year(2023)))
        );
        for bad in [
            "",
            "2024-13",
            "2024-02-30",
            "24",
            "2024-8",
            "x-y",
            "2019-W03",
        ] {
            assert_eq!(time_value(bad), None, "{bad}");
        }
    }

    #[test]
    fn transliterations_share_a_key() {
        let k = transliteration_key("Volodymyr Zelensky");
        assert_eq!(transliteration_key("Volodymyr Zelenskiy"), k);
        assert_eq!(transliteration_key("Volodymyr Zelenskyy"), k);
        assert_eq!(transliteration_key("Dmitriy Peskov"), "Dmitry Peskov");
        // short words and other endings stay
        assert_eq!(transliteration_key("Li Wei"), "Li Wei");
        assert_eq!(transliteration_key("Andrea Rossi"), "Andrea Rossi");
    }
}
