//! One article's share of the graph, for building the graph elsewhere (the
//! Spark job in `scale/`): what [`Merger`] writes for the article into an
//! empty graph, with the keys by which each node meets the nodes of other
//! articles.
//!
//! Everything that happens inside one article (entity resolution within
//! it, one claim per act of saying, the same claim twice in one article,
//! anonymous speakers, `ABOUT`, `PART_OF`, `HOLDS_ROLE`, `CONTRADICTS`,
//! provenance) is done here by the same code as `ingest`. What is left for
//! the cross-article merge is written beside each node:
//! - entity and anonymous actor nodes: `lookup` (the lower-cased name
//!   ingest looks up), `spelling` (a person's transliteration key, looked
//!   up when the name finds nothing), `names` (lower-cased name and
//!   aliases other articles can find the node by) and `alias_order` (the
//!   names in the order ingest adds them to a node it merges into);
//! - claim and event nodes: `report`, the [`same`](super::same) key —
//!   `kind` (stance relationship, or `type/status`), `args` (local ids:
//!   speaker; agent, patient, place), `day` (days since 1970) and `words`
//!   (sorted content words; empty for an event with an argument).
//!
//! The Article node leaves out `text` (the line carries it once).
//! May not touch: extraction (it reads an [`Extraction`]) or any graph but
//! its own scratch one.

use serde_json::{Value, json};

use super::{Merger, content_words, transliteration_key};
use crate::extract::Extraction;
use crate::store::schema::{label, rel};
use crate::store::{Direction, Graph, NodeId, PropValue, Temporal};

/// A property value as JSON: dates and partial dates as ISO text.
pub fn json_value(v: &PropValue) -> Value {
    match v {
        PropValue::Null => Value::Null,
        PropValue::Bool(b) => json!(b),
        PropValue::Int(i) => json!(i),
        PropValue::Float(x) => json!(x),
        PropValue::Str(s) => json!(s),
        PropValue::List(l) => Value::Array(l.iter().map(json_value).collect()),
        PropValue::Map(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), json_value(v))).collect())
        }
        PropValue::Date(d) => json!(d.to_string()),
        PropValue::Temporal(Temporal::Year(y)) => json!(format!("{y:04}")),
        PropValue::Temporal(Temporal::YearMonth(y, m)) => json!(format!("{y:04}-{m:02}")),
        PropValue::Temporal(t) => json!(t.to_string()),
    }
}

fn sorted_words(text: &str) -> Vec<String> {
    let mut w: Vec<String> = content_words(text).into_iter().collect();
    w.sort();
    w
}

/// The fragment of one article as JSON: `{"nodes": [..], "rels": [..]}`
/// with local ids (the Article is node 0).
pub fn fragment(ex: &Extraction) -> Value {
    let mut g = Graph::new();
    Merger::default().merge(&mut g, ex);
    let sym = |s: &str| g.symbol(s);
    let (name_k, aliases_k, text_k, type_k, status_k, date_k) = (
        sym("name"),
        sym("aliases"),
        sym("text"),
        sym("type"),
        sym("status"),
        sym("date"),
    );
    let art_l = sym(label::ARTICLE);
    let str_of = |n: NodeId, k: Option<crate::store::Symbol>| -> String {
        k.and_then(|k| g.node(n)?.prop(k)?.as_str().map(String::from))
            .unwrap_or_default()
    };
    let day = |n: NodeId| -> Option<i32> {
        match date_k.and_then(|k| g.node(n)?.prop(k)) {
            Some(PropValue::Date(d)) => Some(d.0),
            _ => None,
        }
    };
    let article_day = g.node_ids().next().and_then(day);
    let has =
        |n: NodeId, l: &str| sym(l).is_some_and(|l| g.node(n).is_some_and(|x| x.has_label(l)));
    // the entity that made each entity node: its own alias order
    let mut made_by: Vec<Option<usize>> = vec![None; g.node_bound()];
    for (i, e) in ex.entities.iter().enumerate() {
        let tl = match e.etype {
            crate::extract::EType::Person => label::PERSON,
            crate::extract::EType::Organization => label::ORGANIZATION,
            crate::extract::EType::Place => label::PLACE,
        };
        if let Some(tl) = g.symbol(tl)
            && let Some(n) = super::find_named(&g, &e.name, tl)
            && made_by[n.0 as usize].is_none()
        {
            made_by[n.0 as usize] = Some(i);
        }
    }
    let first = |n: NodeId, dir: Direction, t: &str| -> Option<u32> {
        let t = sym(t)?;
        g.edges_at(n, dir)
            .find(|(e, _)| g.edge(*e).is_some_and(|x| x.rel_type() == t))
            .map(|(_, o)| o.0)
    };
    let stances: Vec<_> = rel::STANCES.iter().filter_map(|s| sym(s)).collect();
    let mut nodes = Vec::new();
    for n in g.node_ids() {
        let Some(node) = g.node(n) else { continue };
        let mut props = serde_json::Map::new();
        for (k, v) in node.props().iter() {
            if Some(k) == text_k && art_l.is_some_and(|a| node.has_label(a)) {
                continue;
            }
            props.insert(g.name_of(k).to_string(), json_value(v));
        }
        let mut o = serde_json::Map::new();
        o.insert("id".into(), json!(n.0));
        o.insert(
            "labels".into(),
            json!(
                node.labels()
                    .iter()
                    .map(|&l| g.name_of(l))
                    .collect::<Vec<_>>()
            ),
        );
        o.insert("props".into(), Value::Object(props));
        o.insert(
            "prov".into(),
            node.provenance()
                .map_or(Value::Null, |p| json!([p.sentence, p.start, p.end])),
        );
        let name = str_of(n, name_k);
        let is_entity = [label::PERSON, label::ORGANIZATION, label::PLACE]
            .iter()
            .any(|l| has(n, l));
        if is_entity || (has(n, label::ACTOR) && !name.is_empty()) {
            let mut names = vec![name.to_lowercase()];
            if let Some(PropValue::List(l)) = aliases_k.and_then(|k| node.prop(k)) {
                names.extend(l.iter().filter_map(|a| a.as_str()).map(str::to_lowercase));
            }
            o.insert("lookup".into(), json!(name.to_lowercase()));
            let spelling = has(n, label::PERSON)
                .then(|| transliteration_key(&name))
                .filter(|k| !k.eq_ignore_ascii_case(&name));
            o.insert(
                "spelling".into(),
                json!(spelling.as_ref().map(|s| s.to_lowercase())),
            );
            let order: Vec<String> = match made_by[n.0 as usize].map(|i| &ex.entities[i]) {
                Some(e) => e
                    .aliases
                    .iter()
                    .cloned()
                    .chain([e.name.clone()])
                    .chain(spelling.clone())
                    .collect(),
                None => vec![name.clone()],
            };
            names.extend(spelling.map(|s| s.to_lowercase()));
            names.sort();
            names.dedup();
            o.insert("names".into(), json!(names));
            o.insert("alias_order".into(), json!(order));
        }
        if has(n, label::CLAIM) {
            let speaker = g.edges_at(n, Direction::Incoming).find_map(|(e, s)| {
                let t = g.edge(e)?.rel_type();
                stances
                    .contains(&t)
                    .then(|| (s.0, g.name_of(t).to_string()))
            });
            if let Some((sp, kind)) = speaker {
                o.insert(
                    "report".into(),
                    json!({"kind": kind, "args": [sp, null, null], "day": day(n),
                           "words": sorted_words(&str_of(n, text_k))}),
                );
            }
        }
        if has(n, label::EVENT) {
            let args = [
                first(n, Direction::Incoming, rel::PERFORMED),
                first(n, Direction::Outgoing, rel::AFFECTED),
                first(n, Direction::Outgoing, rel::OCCURRED_IN),
            ];
            let words = if args.iter().all(Option::is_none) {
                sorted_words(&str_of(n, text_k))
            } else {
                Vec::new()
            };
            o.insert(
                "report".into(),
                json!({"kind": format!("{}/{}", str_of(n, type_k), str_of(n, status_k)),
                       "args": args, "day": day(n).or(article_day), "words": words}),
            );
        }
        nodes.push(Value::Object(o));
    }
    let mut rels = Vec::new();
    for e in g.edge_ids() {
        let (Some(x), Some((a, b))) = (g.edge(e), g.endpoints(e)) else {
            continue;
        };
        let props: serde_json::Map<String, Value> = x
            .props()
            .iter()
            .map(|(k, v)| (g.name_of(k).to_string(), json_value(v)))
            .collect();
        rels.push(json!({
            "type": g.name_of(x.rel_type()), "src": a.0, "dst": b.0,
            "props": props,
            "prov": x.provenance().map_or(Value::Null, |p| json!([p.sentence, p.start, p.end])),
        }));
    }
    json!({"nodes": nodes, "rels": rels})
}
