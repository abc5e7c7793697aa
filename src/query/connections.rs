//! `news.connections(from, to)`: how two nodes of the news graph are
//! connected. Only links that mean something count: claims (a stance and
//! what the claim is about), events (who acted, who was affected, where),
//! roles, containment, contradictions, and two entities named in the same
//! sentence. Every hop comes with the sentence that attests it, and paths
//! are ranked by their evidence (the weakest hop's number of sentences,
//! then length, then all the sentences), not by length alone.
//!
//! Reads labels, properties, relationships and their provenance through
//! the store's API; knows nothing of extraction.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::Value;
use super::eval::{Res, rt};
use crate::store::schema::{label, rel};
use crate::store::{Direction, EdgeId, Graph, NodeId, Provenance};

/// The longest path looked at.
const MAX_HOPS: usize = 6;
/// How many candidate paths are scored (the shortest first).
const MAX_CANDIDATES: usize = 400;
/// How many paths are returned.
const TOP: usize = 3;

/// One way from a node to a neighbour: a stored relationship, or the
/// sentence both are named in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Link {
    Rel(EdgeId),
    SameSentence(NodeId, u32),
}

/// A sentence of an article: (article node, sentence index).
type Sentence = (NodeId, u32);

/// A node's neighbours over meaningful links, each with every link to it.
type Neighbours = std::rc::Rc<Vec<(NodeId, Vec<Link>)>>;

struct View<'g> {
    g: &'g Graph,
    meaningful: Vec<crate::store::Symbol>,
    /// Claims and events: read from one sentence, which attests the
    /// relationships they have when these carry no provenance of their own.
    read_from_sentence: Vec<crate::store::Symbol>,
    /// Entities first named in each sentence, and each entity's sentences
    /// (from the provenance of `MENTIONED_IN`).
    named_in: HashMap<Sentence, Vec<NodeId>>,
    sentences_of: HashMap<NodeId, Vec<(Sentence, Provenance)>>,
    memo: std::cell::RefCell<HashMap<NodeId, Neighbours>>,
}

impl<'g> View<'g> {
    fn new(g: &'g Graph) -> View<'g> {
        let mut types: Vec<&str> = rel::STANCES.to_vec();
        types.extend([
            rel::ABOUT,
            rel::PERFORMED,
            rel::AFFECTED,
            rel::OCCURRED_IN,
            rel::PART_OF,
            rel::HOLDS_ROLE,
            rel::CONTRADICTS,
        ]);
        let meaningful = types.iter().filter_map(|t| g.symbol(t)).collect();
        let mut named_in: HashMap<Sentence, Vec<NodeId>> = HashMap::new();
        let mut sentences_of: HashMap<NodeId, Vec<(Sentence, Provenance)>> = HashMap::new();
        if let Some(m) = g.symbol(rel::MENTIONED_IN) {
            for e in g.edges_of_type(m) {
                let (Some(edge), Some((who, _))) = (g.edge(e), g.endpoints(e)) else {
                    continue;
                };
                if let Some(p) = edge.provenance() {
                    let s = (p.article, p.sentence);
                    named_in.entry(s).or_default().push(who);
                    sentences_of.entry(who).or_default().push((s, *p));
                }
            }
        }
        let read_from_sentence = [label::CLAIM, label::EVENT]
            .iter()
            .filter_map(|l| g.symbol(l))
            .collect();
        View {
            g,
            meaningful,
            read_from_sentence,
            named_in,
            sentences_of,
            memo: Default::default(),
        }
    }

    /// The neighbours of `n` over meaningful links, each with every link
    /// to it, in a fixed order.
    fn neighbours(&self, n: NodeId) -> Neighbours {
        if let Some(v) = self.memo.borrow().get(&n) {
            return v.clone();
        }
        let mut by: std::collections::BTreeMap<NodeId, Vec<Link>> = Default::default();
        for (e, other) in self.g.edges_at(n, Direction::Both) {
            let Some(edge) = self.g.edge(e) else { continue };
            if other != n && self.meaningful.contains(&edge.rel_type()) {
                by.entry(other).or_default().push(Link::Rel(e));
            }
        }
        for (s, _) in self.sentences_of.get(&n).into_iter().flatten() {
            for &w in self.named_in.get(s).into_iter().flatten() {
                if w != n {
                    by.entry(w).or_default().push(Link::SameSentence(s.0, s.1));
                }
            }
        }
        let v: Neighbours = std::rc::Rc::new(
            by.into_iter()
                .map(|(w, mut links)| {
                    links.sort();
                    links.dedup();
                    (w, links)
                })
                .collect(),
        );
        self.memo.borrow_mut().insert(n, v.clone());
        v
    }

    /// The sentences that attest the links from `a` (to one neighbour): a
    /// relationship's provenance (or, without one, that of its claim or
    /// event end), or the sentence both are named in.
    fn evidence(&self, a: NodeId, links: &[Link]) -> Vec<Provenance> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for l in links {
            let p = match *l {
                Link::Rel(e) => self.g.edge(e).and_then(|edge| {
                    edge.provenance().copied().or_else(|| {
                        let (x, y) = self.g.endpoints(e)?;
                        [x, y].into_iter().find_map(|n| {
                            let node = self.g.node(n)?;
                            self.read_from_sentence
                                .iter()
                                .any(|l| node.has_label(*l))
                                .then(|| node.provenance().copied())?
                        })
                    })
                }),
                Link::SameSentence(art, s) => self
                    .sentences_of
                    .get(&a)
                    .and_then(|v| v.iter().find(|(x, _)| *x == (art, s)).map(|x| x.1)),
            };
            if let Some(p) = p
                && seen.insert((p.article, p.sentence))
            {
                out.push(p);
            }
        }
        out
    }

    /// Hops from every node to `to` (up to [`MAX_HOPS`]).
    fn distances_to(&self, to: NodeId) -> HashMap<NodeId, usize> {
        let mut dist = HashMap::from([(to, 0usize)]);
        let mut q = VecDeque::from([to]);
        while let Some(n) = q.pop_front() {
            let d = dist[&n];
            if d >= MAX_HOPS {
                continue;
            }
            for (w, _) in self.neighbours(n).iter() {
                if !dist.contains_key(w) {
                    dist.insert(*w, d + 1);
                    q.push_back(*w);
                }
            }
        }
        dist
    }

    /// Simple paths from `from` to `to` of at most `max` hops, shortest
    /// first, at most [`MAX_CANDIDATES`].
    fn paths(
        &self,
        from: NodeId,
        to: NodeId,
        dist: &HashMap<NodeId, usize>,
        max: usize,
    ) -> Vec<Vec<NodeId>> {
        let mut out = Vec::new();
        for len in dist.get(&from).copied().into_iter().flat_map(|d| d..=max) {
            let mut path = vec![from];
            self.walk(to, dist, len, &mut path, &mut out);
            if out.len() >= MAX_CANDIDATES {
                break;
            }
        }
        out
    }

    fn walk(
        &self,
        to: NodeId,
        dist: &HashMap<NodeId, usize>,
        len: usize,
        path: &mut Vec<NodeId>,
        out: &mut Vec<Vec<NodeId>>,
    ) {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        let Some(&here) = path.last() else { return };
        let hops = path.len() - 1;
        if here == to {
            if hops == len {
                out.push(path.clone());
            }
            return;
        }
        for (w, _) in self.neighbours(here).iter() {
            let Some(&d) = dist.get(w) else { continue };
            if hops + 1 + d > len || path.contains(w) {
                continue;
            }
            path.push(*w);
            self.walk(to, dist, len, path, out);
            path.pop();
        }
    }

    /// What people call a node: its name, or (a claim, an event) its text.
    fn caption(&self, n: NodeId) -> String {
        let Some(node) = self.g.node(n) else {
            return String::new();
        };
        let prop = |k: &str| {
            self.g
                .symbol(k)
                .and_then(|k| node.prop(k))
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let label = node
            .labels()
            .first()
            .map(|l| self.g.name_of(*l).to_string())
            .unwrap_or_default();
        match prop("name") {
            Some(name) => name,
            None => {
                let text = prop("text").or_else(|| prop("type")).unwrap_or_default();
                let short: String = text.chars().take(60).collect();
                let more = if short.len() < text.len() { "…" } else { "" };
                format!("{label} '{short}{more}'")
            }
        }
    }

    /// The hop's link as `-[SAID]->`, `<-[ABOUT]-` or `-[same sentence]-`,
    /// read from `a` to `b` (the stored relationship first).
    fn link_text(&self, a: NodeId, links: &[Link]) -> String {
        for l in links {
            if let Link::Rel(e) = *l
                && let (Some(edge), Some((x, _))) = (self.g.edge(e), self.g.endpoints(e))
            {
                let t = self.g.name_of(edge.rel_type());
                return if x == a {
                    format!("-[{t}]->")
                } else {
                    format!("<-[{t}]-")
                };
            }
        }
        "-[same sentence]-".to_string()
    }

    /// The sentence a provenance points to, and its article's file.
    fn sentence(&self, p: &Provenance) -> (Value, Value) {
        let Some(art) = self.g.node(p.article) else {
            return (Value::Null, Value::Null);
        };
        let prop = |k: &str| self.g.symbol(k).and_then(|k| art.prop(k));
        let text = prop("text")
            .and_then(|t| t.as_str())
            .and_then(|t| t.get(p.start as usize..p.end as usize))
            .map_or(Value::Null, |s| Value::Str(s.trim().into()));
        let file = prop("file")
            .and_then(|f| f.as_str())
            .map_or(Value::Null, |f| Value::Str(f.into()));
        (text, file)
    }
}

/// A path with its hops' evidence, and its rank key.
struct Scored {
    nodes: Vec<NodeId>,
    hops: Vec<(Vec<Link>, Vec<Provenance>)>,
    weakest: usize,
    total: usize,
}

/// `news.connections(from, to)`: rows (path, hop, from, link, to, support,
/// sentence, article) for the best [`TOP`] paths.
pub(super) fn news_connections(g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
    let node = |v: &Value| match v {
        Value::Node(n) => Ok(Some(*n)),
        Value::Null => Ok(None),
        _ => Err(rt(
            "TypeError",
            "InvalidArgumentType",
            "news.connections takes two nodes",
        )),
    };
    let (Some(from), Some(to)) = (node(&args[0])?, node(&args[1])?) else {
        return Ok(Vec::new());
    };
    if from == to || g.node(from).is_none() || g.node(to).is_none() {
        return Ok(Vec::new());
    }
    let view = View::new(g);
    let dist = view.distances_to(to);
    let Some(&shortest) = dist.get(&from) else {
        return Ok(Vec::new());
    };
    // the shortest paths and those one hop longer: a longer path made of
    // well-attested links may explain more than a short thin one
    let candidates = view.paths(from, to, &dist, (shortest + 1).min(MAX_HOPS));
    let mut scored: Vec<Scored> = candidates
        .into_iter()
        .map(|nodes| {
            let hops: Vec<(Vec<Link>, Vec<Provenance>)> = nodes
                .windows(2)
                .map(|w| {
                    let links = view
                        .neighbours(w[0])
                        .iter()
                        .find(|(x, _)| *x == w[1])
                        .map(|(_, l)| l.clone())
                        .unwrap_or_default();
                    let ev = view.evidence(w[0], &links);
                    (links, ev)
                })
                .collect();
            let weakest = hops.iter().map(|h| h.1.len()).min().unwrap_or(0);
            let total = hops.iter().map(|h| h.1.len()).sum();
            Scored {
                nodes,
                hops,
                weakest,
                total,
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        b.weakest
            .cmp(&a.weakest)
            .then(a.hops.len().cmp(&b.hops.len()))
            .then(b.total.cmp(&a.total))
            .then_with(|| a.nodes.cmp(&b.nodes))
    });
    let mut rows = Vec::new();
    for (rank, p) in scored.iter().take(TOP).enumerate() {
        for (i, (w, (links, ev))) in p.nodes.windows(2).zip(&p.hops).enumerate() {
            let (sentence, article) = ev
                .first()
                .map_or((Value::Null, Value::Null), |e| view.sentence(e));
            rows.push(vec![
                Value::Int(rank as i64 + 1),
                Value::Int(i as i64 + 1),
                Value::Str(view.caption(w[0]).into()),
                Value::Str(view.link_text(w[0], links).into()),
                Value::Str(view.caption(w[1]).into()),
                Value::Int(ev.len() as i64),
                sentence,
                article,
            ]);
        }
    }
    Ok(rows)
}
