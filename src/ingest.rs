//! Graph building: merges one article's [`Extraction`] into the property
//! graph (schema in `store::schema`).
//!
//! Owns: the `Article` node, entity merging across articles (by name / alias,
//! type-compatible labels, aliases unioned), `Claim` and `Event` nodes, the
//! stance, role, containment, mention and contradiction relationships, and a
//! [`Provenance`] on every node and relationship. Idempotent per article file.
//! May not touch: extraction itself or the store's internals.

use crate::fasthash::{HashMap, HashSet};

use crate::extract::{Arg, EType, Extraction, Stance};
use crate::store::schema::{key, label, rel};
use crate::store::{Date, Direction, Graph, NodeId, PropMap, PropValue, Provenance, Temporal};

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

fn str_prop(g: &Graph, n: NodeId, k: &str) -> Option<String> {
    let ks = g.symbol(k)?;
    g.node(n)?.prop(ks)?.as_str().map(String::from)
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

/// An extracted time as a temporal value: a full date (`2025-04-26`) is a
/// date, a year and month (`2024-08`) or a year (`2024`) stays a partial
/// date of that precision.
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

fn has_edge(g: &Graph, a: NodeId, b: NodeId, t: &str) -> bool {
    let Some(ts) = g.symbol(t) else { return false };
    g.edges_at(a, Direction::Outgoing)
        .any(|(e, o)| o == b && g.edge(e).is_some_and(|x| x.rel_type() == ts))
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

/// How many earlier claims of the same speaker and stance a new claim is
/// compared with when looking for the same claim from another article.
const SAME_SCAN: usize = 200;
/// How many asserting claims per content word a denial is compared with.
const CONTRA_SCAN: usize = 50;

/// Merges one article's extraction into the graph.
pub fn merge_extraction(graph: &mut Graph, ex: &Extraction) -> MergeSummary {
    let g = graph;
    let mut sum = MergeSummary::default();
    // idempotence: one Article node per file, and per content (the same
    // article saved under two names is not counted twice)
    let art_l = g.intern(label::ARTICLE);
    let file_k = g.intern("file");
    let text_k = g.intern("text");
    let title_k = g.intern("title");
    for n in g.nodes_with_label(art_l) {
        let Some(node) = g.node(n) else { continue };
        let file = node.prop(file_k).and_then(|v| v.as_str());
        if file == Some(ex.article.as_str()) {
            sum.already_present = true;
            return sum;
        }
        if node.prop(text_k).and_then(|v| v.as_str()) == Some(ex.text.as_str())
            && node.prop(title_k).and_then(|v| v.as_str()) == ex.title.as_deref()
            && !ex.text.trim().is_empty()
        {
            sum.already_present = true;
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
    let mut node_of: Vec<NodeId> = Vec::with_capacity(ex.entities.len());
    for (i, e) in ex.entities.iter().enumerate() {
        let tl = g.intern(type_label(e.etype));
        let find = |g: &Graph, name: &str| {
            g.nodes_by_name(name)
                .iter()
                .copied()
                .find(|&n| g.node(n).is_some_and(|x| x.has_label(tl)))
        };
        // People whose names differ only in transliteration (Zelenskiy,
        // Zelenskyy, Zelensky) meet under one spelling, kept as an alias.
        let spelling = (e.etype == EType::Person)
            .then(|| transliteration_key(&e.name))
            .filter(|k| !k.eq_ignore_ascii_case(&e.name));
        let found = find(g, &e.name).or_else(|| spelling.as_deref().and_then(|k| find(g, k)));
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
                g.add_node(vec![tl], pm, p)
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
        // aliases: union
        let ak = g.intern(key::ALIASES);
        let mut aliases: Vec<String> = match g.node(n).and_then(|x| x.prop(ak)) {
            Some(PropValue::List(v)) => v
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        let cur_name = g
            .node(n)
            .and_then(|x| x.prop(name_k))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_lowercase();
        let own = [Some(&e.name), spelling.as_ref()];
        for a in e.aliases.iter().chain(own.into_iter().flatten()) {
            if a.to_lowercase() != cur_name && !aliases.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                aliases.push(a.clone());
            }
        }
        set(
            g,
            n,
            key::ALIASES,
            PropValue::List(aliases.into_iter().map(PropValue::from).collect()),
        );
        let mt = g.intern(rel::MENTIONED_IN);
        if g.add_edge(n, art, mt, PropMap::new(), p).is_ok() {
            sum.relationships += 1;
        }
        node_of.push(n);
        sum.entities += 1;
    }
    // containment and roles
    for (i, e) in ex.entities.iter().enumerate() {
        let p = first_sent.get(&i).and_then(|&s| prov(s));
        for &c in &e.part_of {
            if !has_edge(g, node_of[i], node_of[c], rel::PART_OF) {
                let t = g.intern(rel::PART_OF);
                let _ = g.add_edge(node_of[i], node_of[c], t, PropMap::new(), p);
                sum.relationships += 1;
            }
        }
        for (title, c) in &e.roles {
            let t = g.intern(rel::HOLDS_ROLE);
            let tk = g.intern("title");
            let exists = g.edges_at(node_of[i], Direction::Outgoing).any(|(ed, o)| {
                o == node_of[*c]
                    && g.edge(ed).is_some_and(|x| {
                        x.rel_type() == t && x.prop(tk).and_then(|v| v.as_str()) == Some(title)
                    })
            });
            if !exists {
                let pm = props(g, vec![("title", title.as_str().into())]);
                let _ = g.add_edge(node_of[i], node_of[*c], t, pm, p);
                sum.relationships += 1;
            }
        }
    }
    // a node for an argument (entity, or an anonymous speaker / agent as written)
    let mut anon: HashMap<String, NodeId> = HashMap::default();
    let mut arg_node = |g: &mut Graph, a: &Arg, s: usize| -> NodeId {
        if let Some(e) = a.ent {
            return node_of[e];
        }
        let key_s = a.text.to_lowercase();
        if let Some(&n) = anon.get(&key_s) {
            return n;
        }
        let al = g.intern(label::ACTOR);
        let found = g
            .nodes_by_name(&a.text)
            .iter()
            .copied()
            .find(|&n| g.node(n).is_some_and(|x| x.has_label(al)));
        let n = found.unwrap_or_else(|| {
            let pm = props(
                g,
                vec![
                    (key::NAME, a.text.as_str().into()),
                    ("type", "group".into()),
                ],
            );
            g.add_node(vec![al], pm, prov(s))
        });
        anon.insert(key_s, n);
        n
    };
    // claims
    let claim_l = g.intern(label::CLAIM);
    let text_k = g.intern("text");
    let mut claim_nodes: Vec<(NodeId, NodeId, Stance, HashSet<String>)> = Vec::new();
    let mut words_cache: HashMap<NodeId, HashSet<String>> = HashMap::default();
    // mentions by first token, so that a claim finds the ones inside its
    // content by binary search (a scan of all of them per claim made the
    // merge quadratic in the size of the article)
    let mut mentions_by_t0: Vec<usize> = (0..ex.mentions.len()).collect();
    mentions_by_t0.sort_by_key(|&k| (ex.mentions[k].t0, k));
    for c in &ex.claims {
        let p = prov(c.sentence);
        let sp = arg_node(g, &c.speaker, c.sentence);
        let al = g.intern(label::ACTOR);
        let _ = g.add_label(sp, al);
        let rt = stance_rel(c.stance);
        let words = content_words(&c.content);
        // the same claim from another article: same speaker, stance, near-identical text
        let rts = g.intern(rt);
        // bounded: a speaker with thousands of claims is compared with its
        // first SAME_SCAN ones only (keeps huge inputs linear)
        let cands: Vec<NodeId> = g
            .edges_at(sp, Direction::Outgoing)
            .filter(|&(ed, _)| g.edge(ed).is_some_and(|x| x.rel_type() == rts))
            .map(|(_, o)| o)
            .take(SAME_SCAN)
            .collect();
        let same = cands.into_iter().find(|&o| {
            let w2 = words_cache.entry(o).or_insert_with(|| {
                g.node(o)
                    .and_then(|x| x.prop(text_k))
                    .and_then(|v| v.as_str())
                    .map(content_words)
                    .unwrap_or_default()
            });
            let inter = words.intersection(w2).count();
            let uni = words.union(w2).count().max(1);
            inter * 10 >= uni * 8
        });
        let cn = match same {
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
                        let t = g.intern(rel::ABOUT);
                        let _ = g.add_edge(n, node_of[m.ent], t, PropMap::new(), p);
                        sum.relationships += 1;
                    }
                }
                n
            }
        };
        // `cn` is either new (so no edge to it exists yet) or the same
        // claim from another article (which gets a further edge): either
        // way the edge is added, without scanning the speaker's edges
        let _ = g.add_edge(sp, cn, rts, PropMap::new(), p);
        sum.relationships += 1;
        claim_nodes.push((cn, sp, c.stance, words));
        sum.claims += 1;
    }
    // contradictions: an assert and a deny of different speakers sharing content words
    // candidates through an index of long content words, capped per word
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
            let shared: Vec<&String> = dw.intersection(aw).filter(|w| w.len() >= 5).collect();
            let ratio = shared.len() as f64 / dw.len().min(aw.len()).max(1) as f64;
            if !shared.is_empty() && ratio >= 0.25 && !has_edge(g, *dn, *an, rel::CONTRADICTS) {
                let p = g.node(*dn).and_then(|x| x.provenance().copied());
                let t = g.intern(rel::CONTRADICTS);
                let _ = g.add_edge(*dn, *an, t, PropMap::new(), p);
                sum.relationships += 1;
            }
        }
    }
    // events
    let ev_l = g.intern(label::EVENT);
    for e in &ex.events {
        let p = prov(e.sentence);
        let pm = props(
            g,
            vec![
                ("type", e.etype.as_str().into()),
                ("trigger", e.trigger.as_str().into()),
                ("text", ex.sentence_text(e.sentence).into()),
                (
                    "time",
                    e.time
                        .as_deref()
                        .and_then(time_value)
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
        if let Some(a) = &e.agent {
            let an = arg_node(g, a, e.sentence);
            let al = g.intern(label::ACTOR);
            let _ = g.add_label(an, al);
            let t = g.intern(rel::PERFORMED);
            let _ = g.add_edge(an, en, t, PropMap::new(), p);
            sum.relationships += 1;
        }
        if let Some(a) = &e.patient
            && a.ent.is_some()
        {
            let pn = arg_node(g, a, e.sentence);
            let t = g.intern(rel::AFFECTED);
            let _ = g.add_edge(en, pn, t, PropMap::new(), p);
            sum.relationships += 1;
        }
        if let Some(a) = &e.place
            && let Some(pe) = a.ent
        {
            let t = g.intern(rel::OCCURRED_IN);
            let _ = g.add_edge(en, node_of[pe], t, PropMap::new(), p);
            sum.relationships += 1;
        }
        sum.events += 1;
    }
    let _ = str_prop;
    sum
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
        for bad in ["", "2024-13", "2024-02-30", "24", "2024-8", "x-y"] {
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
