//! The property graph itself and its indexes.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use petgraph::Direction as PgDirection;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};
use serde::{Deserialize, Serialize};

use super::intern::{Interner, Symbol};
use super::schema::key;
use super::value::PropValue;

/// A node's id. Stable while the node lives; may be reused after deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub u32);

/// A relationship's id. Stable while it lives; may be reused after deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EdgeId(pub u32);

impl NodeId {
    fn ix(self) -> NodeIndex<u32> {
        NodeIndex::new(self.0 as usize)
    }
}

impl EdgeId {
    fn ix(self) -> EdgeIndex<u32> {
        EdgeIndex::new(self.0 as usize)
    }
}

/// Where a fact came from: the `Article` node, the sentence's index in the
/// article body, and the byte span of that sentence in the article's `text`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub article: NodeId,
    pub sentence: u32,
    pub start: u32,
    pub end: u32,
}

/// Which relationships of a node to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
    Both,
}

/// Properties of one node or relationship, sorted by key. Empty maps do not
/// allocate: an edge without properties pays one null pointer.
// A boxed Vec is one pointer wide (a boxed slice would be two), which is
// what an edge without properties pays.
#[allow(clippy::box_collection)]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PropMap(Option<Box<Vec<(Symbol, PropValue)>>>);

impl PropMap {
    pub fn new() -> Self {
        PropMap(None)
    }

    pub fn get(&self, k: Symbol) -> Option<&PropValue> {
        let v = self.0.as_deref()?;
        v.binary_search_by_key(&k, |(s, _)| *s)
            .ok()
            .map(|i| &v[i].1)
    }

    /// Sets `k` (a `Null` value removes it); returns the previous value.
    pub fn set(&mut self, k: Symbol, val: PropValue) -> Option<PropValue> {
        if val == PropValue::Null {
            return self.remove(k);
        }
        let v = self.0.get_or_insert_with(Default::default);
        match v.binary_search_by_key(&k, |(s, _)| *s) {
            Ok(i) => Some(std::mem::replace(&mut v[i].1, val)),
            Err(i) => {
                v.insert(i, (k, val));
                None
            }
        }
    }

    pub fn remove(&mut self, k: Symbol) -> Option<PropValue> {
        let v = self.0.as_deref_mut()?;
        let i = v.binary_search_by_key(&k, |(s, _)| *s).ok()?;
        let (_, old) = v.remove(i);
        if v.is_empty() {
            self.0 = None;
        }
        Some(old)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Symbol, &PropValue)> {
        self.0.iter().flat_map(|v| v.iter().map(|(k, v)| (*k, v)))
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |v| v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut PropValue> {
        self.0.iter_mut().flat_map(|v| v.iter_mut().map(|(_, v)| v))
    }
}

/// A node: labels, properties and where it was first seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    labels: Vec<Symbol>,
    props: PropMap,
    prov: Option<Box<Provenance>>,
}

impl Node {
    pub fn labels(&self) -> &[Symbol] {
        &self.labels
    }
    pub fn has_label(&self, l: Symbol) -> bool {
        self.labels.contains(&l)
    }
    pub fn props(&self) -> &PropMap {
        &self.props
    }
    pub fn prop(&self, k: Symbol) -> Option<&PropValue> {
        self.props.get(k)
    }
    pub fn provenance(&self) -> Option<&Provenance> {
        self.prov.as_deref()
    }
}

/// A relationship: type, properties and the sentence it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    rel_type: Symbol,
    props: PropMap,
    prov: Option<Box<Provenance>>,
}

impl Edge {
    pub fn rel_type(&self) -> Symbol {
        self.rel_type
    }
    pub fn props(&self) -> &PropMap {
        &self.props
    }
    pub fn prop(&self, k: Symbol) -> Option<&PropValue> {
        self.props.get(k)
    }
    pub fn provenance(&self) -> Option<&Provenance> {
        self.prov.as_deref()
    }
}

/// What can go wrong when changing the graph.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("node {0} does not exist")]
    NoSuchNode(u32),
    #[error("relationship {0} does not exist")]
    NoSuchEdge(u32),
    #[error("node {0} still has relationships; delete them first or use DETACH DELETE")]
    NodeHasEdges(u32),
    #[error("inconsistent graph data: {0}")]
    Inconsistent(String),
}

/// The property graph with its indexes.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    g: StableGraph<Node, Edge, petgraph::Directed, u32>,
    names: Interner,
    by_label: HashMap<Symbol, BTreeSet<NodeId>>,
    by_type: HashMap<Symbol, BTreeSet<EdgeId>>,
    by_name: HashMap<Box<str>, Vec<NodeId>>,
    /// Compact adjacency arrays, built on first use and dropped by any
    /// change to the relationships.
    adj: OnceLock<Arc<Adjacency>>,
}

/// One relationship as seen from one of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdjEntry {
    /// The node at the other end.
    pub other: NodeId,
    pub edge: EdgeId,
    pub rel_type: Symbol,
}

/// Every node's outgoing and incoming relationships in flat arrays (CSR):
/// a node's relationships are contiguous, so expanding and counting read
/// memory in order instead of chasing petgraph's per-edge links.
#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    out_off: Vec<u32>,
    out: Vec<AdjEntry>,
    in_off: Vec<u32>,
    inc: Vec<AdjEntry>,
}

impl Adjacency {
    fn build(g: &StableGraph<Node, Edge, petgraph::Directed, u32>) -> Adjacency {
        let n = g.node_bound();
        let mut out_off = vec![0u32; n + 1];
        let mut in_off = vec![0u32; n + 1];
        for e in g.edge_references() {
            out_off[e.source().index() + 1] += 1;
            in_off[e.target().index() + 1] += 1;
        }
        for i in 0..n {
            out_off[i + 1] += out_off[i];
            in_off[i + 1] += in_off[i];
        }
        let blank = AdjEntry {
            other: NodeId(0),
            edge: EdgeId(0),
            rel_type: Symbol(0),
        };
        let mut out = vec![blank; out_off[n] as usize];
        let mut inc = vec![blank; in_off[n] as usize];
        let mut out_pos = out_off.clone();
        let mut in_pos = in_off.clone();
        for e in g.edge_references() {
            let (a, b) = (e.source().index(), e.target().index());
            let (edge, rel_type) = (EdgeId(e.id().index() as u32), e.weight().rel_type);
            out[out_pos[a] as usize] = AdjEntry {
                other: NodeId(b as u32),
                edge,
                rel_type,
            };
            out_pos[a] += 1;
            inc[in_pos[b] as usize] = AdjEntry {
                other: NodeId(a as u32),
                edge,
                rel_type,
            };
            in_pos[b] += 1;
        }
        Adjacency {
            out_off,
            out,
            in_off,
            inc,
        }
    }

    /// Outgoing relationships of a node.
    pub fn outgoing(&self, n: NodeId) -> &[AdjEntry] {
        let i = n.0 as usize;
        match (self.out_off.get(i), self.out_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.out[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Incoming relationships of a node.
    pub fn incoming(&self, n: NodeId) -> &[AdjEntry] {
        let i = n.0 as usize;
        match (self.in_off.get(i), self.in_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.inc[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Relationships at a node in a direction, as [`Graph::edges_at`]
    /// reports them (a self-loop once with [`Direction::Both`]) but in
    /// no particular order.
    pub fn at(&self, n: NodeId, dir: Direction) -> impl Iterator<Item = &AdjEntry> + '_ {
        let out: &[AdjEntry] = match dir {
            Direction::Outgoing | Direction::Both => self.outgoing(n),
            Direction::Incoming => &[],
        };
        let inc: &[AdjEntry] = match dir {
            Direction::Incoming | Direction::Both => self.incoming(n),
            Direction::Outgoing => &[],
        };
        let both = dir == Direction::Both;
        out.iter()
            .chain(inc.iter().filter(move |x| !(both && x.other == n)))
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.out_off.capacity() + self.in_off.capacity()) * 4
            + (self.out.capacity() + self.inc.capacity()) * std::mem::size_of::<AdjEntry>()
    }
}

/// The serializable content of a graph: no indexes (they are rebuilt), ids
/// kept with their holes so that provenance stays valid.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct GraphParts {
    pub names: Vec<String>,
    pub nodes: Vec<Option<Node>>,
    pub edges: Vec<Option<(NodeId, NodeId, Edge)>>,
}

impl Graph {
    pub fn new() -> Self {
        Self::default()
    }

    // ----- names -----

    /// The symbol of a label, type or key, created when new.
    pub fn intern(&mut self, name: &str) -> Symbol {
        self.names.intern(name)
    }
    /// The symbol of a name if the graph has ever seen it.
    pub fn symbol(&self, name: &str) -> Option<Symbol> {
        self.names.get(name)
    }
    /// The text of a symbol.
    pub fn name_of(&self, s: Symbol) -> &str {
        self.names.resolve(s)
    }
    /// A string value sharing storage with equal strings already stored.
    pub fn shared_str(&mut self, s: &str) -> Arc<str> {
        self.names.shared_value(s)
    }

    // ----- reading -----

    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }
    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }
    /// Flat adjacency arrays of the current relationships (built on first
    /// use after a change; O(relationships)).
    pub fn adjacency(&self) -> &Adjacency {
        self.adj.get_or_init(|| Arc::new(Adjacency::build(&self.g)))
    }
    /// One more than the highest node id in use (ids below it may be holes).
    pub fn node_bound(&self) -> usize {
        self.g.node_bound()
    }
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.g.node_weight(id.ix())
    }
    pub fn edge(&self, id: EdgeId) -> Option<&Edge> {
        self.g.edge_weight(id.ix())
    }
    /// Source and target of a relationship.
    pub fn endpoints(&self, id: EdgeId) -> Option<(NodeId, NodeId)> {
        self.g
            .edge_endpoints(id.ix())
            .map(|(a, b)| (NodeId(a.index() as u32), NodeId(b.index() as u32)))
    }
    /// All nodes, in id order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.g.node_indices().map(|i| NodeId(i.index() as u32))
    }
    /// All relationships, in id order.
    pub fn edge_ids(&self) -> impl Iterator<Item = EdgeId> + '_ {
        self.g.edge_indices().map(|i| EdgeId(i.index() as u32))
    }
    /// Nodes carrying a label, from the label index.
    pub fn nodes_with_label(&self, l: Symbol) -> impl Iterator<Item = NodeId> + '_ {
        self.by_label.get(&l).into_iter().flatten().copied()
    }
    /// How many nodes carry a label.
    pub fn label_count(&self, l: Symbol) -> usize {
        self.by_label.get(&l).map_or(0, |s| s.len())
    }
    /// Relationships of a type, from the type index.
    pub fn edges_of_type(&self, t: Symbol) -> impl Iterator<Item = EdgeId> + '_ {
        self.by_type.get(&t).into_iter().flatten().copied()
    }
    /// How many relationships have a type.
    pub fn type_count(&self, t: Symbol) -> usize {
        self.by_type.get(&t).map_or(0, |s| s.len())
    }
    /// Labels in use with their node counts.
    pub fn label_counts(&self) -> Vec<(&str, usize)> {
        let mut v: Vec<_> = self
            .by_label
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(l, s)| (self.name_of(*l), s.len()))
            .collect();
        v.sort();
        v
    }
    /// Relationship types in use with their counts.
    pub fn type_counts(&self) -> Vec<(&str, usize)> {
        let mut v: Vec<_> = self
            .by_type
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(t, s)| (self.name_of(*t), s.len()))
            .collect();
        v.sort();
        v
    }
    /// Nodes whose `name` or one of whose `aliases` equals `name`, ignoring case.
    pub fn nodes_by_name(&self, name: &str) -> &[NodeId] {
        self.by_name
            .get(name.to_lowercase().as_str())
            .map_or(&[], |v| v.as_slice())
    }
    /// Every indexed name and alias (lower-cased), for completion and lookup.
    pub fn indexed_names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(|k| &**k)
    }

    /// The relationships at a node: `(relationship, other end)`. With
    /// [`Direction::Both`] a self-loop is reported once.
    pub fn edges_at(
        &self,
        n: NodeId,
        dir: Direction,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        let out = matches!(dir, Direction::Outgoing | Direction::Both);
        let inc = matches!(dir, Direction::Incoming | Direction::Both);
        let outs = out
            .then(|| self.g.edges_directed(n.ix(), PgDirection::Outgoing))
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    EdgeId(e.id().index() as u32),
                    NodeId(e.target().index() as u32),
                )
            });
        let ins = inc
            .then(|| self.g.edges_directed(n.ix(), PgDirection::Incoming))
            .into_iter()
            .flatten()
            .filter(move |e| !(out && e.source() == e.target()))
            .map(|e| {
                (
                    EdgeId(e.id().index() as u32),
                    NodeId(e.source().index() as u32),
                )
            });
        outs.chain(ins)
    }

    /// Number of relationships at a node in a direction.
    pub fn degree(&self, n: NodeId, dir: Direction) -> usize {
        self.edges_at(n, dir).count()
    }

    // ----- writing -----

    /// Adds a node.
    pub fn add_node(
        &mut self,
        labels: Vec<Symbol>,
        props: PropMap,
        prov: Option<Provenance>,
    ) -> NodeId {
        let mut labels = labels;
        labels.dedup();
        let id = NodeId(
            self.g
                .add_node(Node {
                    labels: Vec::new(),
                    props: PropMap::new(),
                    prov: prov.map(Box::new),
                })
                .index() as u32,
        );
        for l in labels {
            let _ = self.add_label(id, l);
        }
        for (k, v) in props.iter() {
            let _ = self.set_node_prop(id, k, v.clone());
        }
        id
    }

    /// Adds a relationship from `a` to `b`.
    pub fn add_edge(
        &mut self,
        a: NodeId,
        b: NodeId,
        rel_type: Symbol,
        props: PropMap,
        prov: Option<Provenance>,
    ) -> Result<EdgeId, StoreError> {
        for n in [a, b] {
            if self.node(n).is_none() {
                return Err(StoreError::NoSuchNode(n.0));
            }
        }
        let mut props = props;
        self.share_strings(&mut props);
        let e = Edge {
            rel_type,
            props,
            prov: prov.map(Box::new),
        };
        self.adj = OnceLock::new();
        let id = EdgeId(self.g.add_edge(a.ix(), b.ix(), e).index() as u32);
        self.by_type.entry(rel_type).or_default().insert(id);
        Ok(id)
    }

    /// Adds a label; returns whether it was new.
    pub fn add_label(&mut self, n: NodeId, l: Symbol) -> Result<bool, StoreError> {
        let node = self
            .g
            .node_weight_mut(n.ix())
            .ok_or(StoreError::NoSuchNode(n.0))?;
        if node.labels.contains(&l) {
            return Ok(false);
        }
        node.labels.push(l);
        self.by_label.entry(l).or_default().insert(n);
        Ok(true)
    }

    /// Removes a label; returns whether it was there.
    pub fn remove_label(&mut self, n: NodeId, l: Symbol) -> Result<bool, StoreError> {
        let node = self
            .g
            .node_weight_mut(n.ix())
            .ok_or(StoreError::NoSuchNode(n.0))?;
        let Some(i) = node.labels.iter().position(|x| *x == l) else {
            return Ok(false);
        };
        node.labels.remove(i);
        if let Some(s) = self.by_label.get_mut(&l) {
            s.remove(&n);
        }
        Ok(true)
    }

    /// Sets (or with `Null` removes) a node property; returns the old value.
    pub fn set_node_prop(
        &mut self,
        n: NodeId,
        k: Symbol,
        v: PropValue,
    ) -> Result<Option<PropValue>, StoreError> {
        let indexed = self.is_name_key(k);
        if indexed {
            self.unindex_names(n);
        }
        let mut v = v;
        self.share_value(&mut v);
        let node = self
            .g
            .node_weight_mut(n.ix())
            .ok_or(StoreError::NoSuchNode(n.0))?;
        let old = node.props.set(k, v);
        if indexed {
            self.index_names(n);
        }
        Ok(old)
    }

    /// Sets (or with `Null` removes) a relationship property; returns the old value.
    pub fn set_edge_prop(
        &mut self,
        e: EdgeId,
        k: Symbol,
        v: PropValue,
    ) -> Result<Option<PropValue>, StoreError> {
        let mut v = v;
        self.share_value(&mut v);
        let edge = self
            .g
            .edge_weight_mut(e.ix())
            .ok_or(StoreError::NoSuchEdge(e.0))?;
        Ok(edge.props.set(k, v))
    }

    /// Sets the provenance of a node (first mention wins for callers that check).
    pub fn set_node_provenance(&mut self, n: NodeId, p: Provenance) -> Result<(), StoreError> {
        let node = self
            .g
            .node_weight_mut(n.ix())
            .ok_or(StoreError::NoSuchNode(n.0))?;
        node.prov = Some(Box::new(p));
        Ok(())
    }

    /// Removes a relationship.
    pub fn remove_edge(&mut self, e: EdgeId) -> Result<Edge, StoreError> {
        self.adj = OnceLock::new();
        let edge = self
            .g
            .remove_edge(e.ix())
            .ok_or(StoreError::NoSuchEdge(e.0))?;
        if let Some(s) = self.by_type.get_mut(&edge.rel_type) {
            s.remove(&e);
        }
        Ok(edge)
    }

    /// Removes a node that has no relationships.
    pub fn remove_node(&mut self, n: NodeId) -> Result<Node, StoreError> {
        if self.node(n).is_none() {
            return Err(StoreError::NoSuchNode(n.0));
        }
        if self.edges_at(n, Direction::Both).next().is_some() {
            return Err(StoreError::NodeHasEdges(n.0));
        }
        self.unindex_names(n);
        let node = self
            .g
            .remove_node(n.ix())
            .ok_or(StoreError::NoSuchNode(n.0))?;
        for l in &node.labels {
            if let Some(s) = self.by_label.get_mut(l) {
                s.remove(&n);
            }
        }
        Ok(node)
    }

    /// Removes a node and all its relationships; returns how many
    /// relationships went with it.
    pub fn detach_remove_node(&mut self, n: NodeId) -> Result<usize, StoreError> {
        let edges: Vec<EdgeId> = self.edges_at(n, Direction::Both).map(|(e, _)| e).collect();
        for e in &edges {
            self.remove_edge(*e)?;
        }
        self.remove_node(n)?;
        Ok(edges.len())
    }

    // ----- snapshots -----

    /// The graph's content for serialization.
    pub fn to_parts(&self) -> GraphParts {
        let names = self.names.names().map(str::to_owned).collect();
        let node_bound = self.g.node_bound();
        let nodes = (0..node_bound)
            .map(|i| self.g.node_weight(NodeIndex::new(i)).cloned())
            .collect();
        let edges = (0..self.g.edge_bound())
            .map(|i| {
                let ix = EdgeIndex::new(i);
                let w = self.g.edge_weight(ix)?;
                let (a, b) = self.g.edge_endpoints(ix)?;
                Some((
                    NodeId(a.index() as u32),
                    NodeId(b.index() as u32),
                    w.clone(),
                ))
            })
            .collect();
        GraphParts {
            names,
            nodes,
            edges,
        }
    }

    /// Rebuilds a graph (and its indexes) from its parts, checking that every
    /// symbol and endpoint refers to something that exists.
    pub fn from_parts(parts: GraphParts) -> Result<Graph, StoreError> {
        let mut g = Graph::new();
        for n in &parts.names {
            g.names.intern(n);
        }
        let n_names = parts.names.len() as u32;
        let bad_sym = |s: Symbol| s.0 >= n_names;
        let filler = parts.nodes_filler();
        let present: Vec<bool> = parts.nodes.iter().map(Option::is_some).collect();
        let exists = |n: NodeId| present.get(n.0 as usize).copied().unwrap_or(false);
        let mut holes = Vec::new();
        g.g.reserve_exact_nodes(parts.nodes.len());
        g.g.reserve_exact_edges(parts.edges.len());
        for (i, slot) in parts.nodes.into_iter().enumerate() {
            match slot {
                Some(mut node) => {
                    if node.labels.iter().any(|l| bad_sym(*l))
                        || node.props.iter().any(|(k, _)| bad_sym(k))
                    {
                        return Err(StoreError::Inconsistent(format!(
                            "node {i} uses an unknown name"
                        )));
                    }
                    g.share_strings(&mut node.props);
                    let labels = std::mem::take(&mut node.labels);
                    let ix = g.g.add_node(node);
                    let id = NodeId(ix.index() as u32);
                    for l in labels {
                        let _ = g.add_label(id, l);
                    }
                    g.index_names(id);
                }
                None => {
                    let ix = g.g.add_node(Node {
                        labels: Vec::new(),
                        props: PropMap::new(),
                        prov: None,
                    });
                    holes.push(ix);
                }
            }
        }
        let mut edge_holes = Vec::new();
        // ids arrive in ascending order: collect per type, build each set at once
        let mut typed: Vec<Vec<EdgeId>> = vec![Vec::new(); parts.names.len()];
        for (i, slot) in parts.edges.into_iter().enumerate() {
            match slot {
                Some((a, b, edge)) => {
                    if !exists(a) || !exists(b) {
                        return Err(StoreError::Inconsistent(format!(
                            "relationship {i} joins a node that does not exist"
                        )));
                    }
                    if bad_sym(edge.rel_type) || edge.props.iter().any(|(k, _)| bad_sym(k)) {
                        return Err(StoreError::Inconsistent(format!(
                            "relationship {i} uses an unknown name"
                        )));
                    }
                    let t = edge.rel_type;
                    let mut edge = edge;
                    g.share_strings(&mut edge.props);
                    let ix = g.g.add_edge(a.ix(), b.ix(), edge);
                    typed[t.0 as usize].push(EdgeId(ix.index() as u32));
                }
                None => {
                    let Some(f) = filler else {
                        return Err(StoreError::Inconsistent(
                            "relationship slots without any node".into(),
                        ));
                    };
                    let ix = g.g.add_edge(
                        f.ix(),
                        f.ix(),
                        Edge {
                            rel_type: Symbol(0),
                            props: PropMap::new(),
                            prov: None,
                        },
                    );
                    edge_holes.push(ix);
                }
            }
        }
        for (t, ids) in typed.into_iter().enumerate() {
            if !ids.is_empty() {
                g.by_type
                    .insert(Symbol(t as u32), ids.into_iter().collect());
            }
        }
        for ix in edge_holes.into_iter().rev() {
            g.g.remove_edge(ix);
        }
        for ix in holes.into_iter().rev() {
            g.g.remove_node(ix);
        }
        Ok(g)
    }

    // ----- internals -----

    fn is_name_key(&self, k: Symbol) -> bool {
        let name = self.names.resolve(k);
        name == key::NAME || name == key::ALIASES
    }

    fn names_of(&self, n: NodeId) -> Vec<String> {
        let Some(node) = self.node(n) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in node.props.iter() {
            match self.names.resolve(k) {
                key::NAME => {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_lowercase());
                    }
                }
                key::ALIASES => {
                    if let PropValue::List(l) = v {
                        out.extend(l.iter().filter_map(|a| a.as_str()).map(str::to_lowercase));
                    }
                }
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn index_names(&mut self, n: NodeId) {
        for name in self.names_of(n) {
            let v = self.by_name.entry(name.into_boxed_str()).or_default();
            if let Err(i) = v.binary_search(&n) {
                v.insert(i, n);
            }
        }
    }

    fn unindex_names(&mut self, n: NodeId) {
        for name in self.names_of(n) {
            if let Some(v) = self.by_name.get_mut(name.as_str()) {
                v.retain(|x| *x != n);
                if v.is_empty() {
                    self.by_name.remove(name.as_str());
                }
            }
        }
    }

    fn share_value(&mut self, v: &mut PropValue) {
        match v {
            PropValue::Str(s) => *s = self.names.share(s),
            PropValue::List(l) => l.iter_mut().for_each(|x| self.share_value(x)),
            PropValue::Map(m) => m.values_mut().for_each(|x| self.share_value(x)),
            _ => {}
        }
    }

    fn share_strings(&mut self, props: &mut PropMap) {
        for v in props.values_mut() {
            self.share_value(v);
        }
    }
}

impl GraphParts {
    fn nodes_filler(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| n.is_some())
            .map(|i| NodeId(i as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(g: &mut Graph, label: &str, name: &str) -> NodeId {
        let l = g.intern(label);
        let k = g.intern("name");
        let mut p = PropMap::new();
        p.set(k, name.into());
        g.add_node(vec![l], p, None)
    }

    #[test]
    fn indexes_follow_changes() {
        let mut g = Graph::new();
        let a = named(&mut g, "Person", "Vladimir Putin");
        let b = named(&mut g, "Place", "Russia");
        let t = g.intern("HOLDS_ROLE");
        let e = g.add_edge(a, b, t, PropMap::new(), None).unwrap();
        assert_eq!(g.nodes_by_name("vladimir PUTIN"), &[a]);
        let aliases = g.intern("aliases");
        g.set_node_prop(a, aliases, PropValue::List(vec!["Putin".into()]))
            .unwrap();
        assert_eq!(g.nodes_by_name("putin"), &[a]);
        assert_eq!(g.edges_of_type(t).collect::<Vec<_>>(), vec![e]);
        assert_eq!(g.remove_node(a), Err(StoreError::NodeHasEdges(a.0)));
        assert_eq!(g.detach_remove_node(a), Ok(1));
        assert!(g.nodes_by_name("putin").is_empty());
        assert_eq!(g.type_count(t), 0);
        let person = g.intern("Person");
        assert_eq!(g.label_count(person), 0);
    }

    #[test]
    fn parts_round_trip_keeps_ids_and_holes() {
        let mut g = Graph::new();
        let a = named(&mut g, "A", "a");
        let b = named(&mut g, "B", "b");
        let c = named(&mut g, "C", "c");
        let t = g.intern("T");
        g.add_edge(a, c, t, PropMap::new(), None).unwrap();
        let e2 = g.add_edge(c, a, t, PropMap::new(), None).unwrap();
        g.remove_edge(e2).unwrap();
        g.remove_node(b).unwrap();
        let h = Graph::from_parts(g.to_parts()).unwrap();
        assert_eq!(h.to_parts(), g.to_parts());
        assert_eq!(h.nodes_by_name("c"), &[c]);
        assert_eq!(h.node_count(), 2);
        assert_eq!(h.edge_count(), 1);
    }

    #[test]
    fn empty_prop_map_does_not_allocate() {
        assert_eq!(std::mem::size_of::<PropMap>(), std::mem::size_of::<usize>());
    }
}
