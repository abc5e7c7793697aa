//! The property graph itself and its indexes.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use bytemuck::Zeroable;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::intern::{FnvBuild, Interner, Symbol};
use super::schema::key;
use super::value::PropValue;

/// A node's id. Stable while the node lives; not reused after deletion.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Zeroable,
)]
pub struct NodeId(pub u32);

/// A relationship's id. Stable while it lives; not reused after deletion.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Zeroable,
)]
pub struct EdgeId(pub u32);

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

/// Properties of one node or relationship, sorted by key, in one
/// allocation (none when empty). Maps are small and read far more often
/// than written, so a change rebuilds the slice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PropMap(Option<Box<[(Symbol, PropValue)]>>);

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
        let found = self
            .0
            .as_deref()
            .map(|v| v.binary_search_by_key(&k, |(s, _)| *s));
        match found {
            Some(Ok(i)) => self
                .0
                .as_deref_mut()
                .map(|v| std::mem::replace(&mut v[i].1, val)),
            Some(Err(i)) => {
                let mut v = self.0.take().map(<[_]>::into_vec).unwrap_or_default();
                v.insert(i, (k, val));
                self.0 = Some(v.into_boxed_slice());
                None
            }
            None => {
                self.0 = Some(Box::new([(k, val)]));
                None
            }
        }
    }

    pub fn remove(&mut self, k: Symbol) -> Option<PropValue> {
        let i = self
            .0
            .as_deref()?
            .binary_search_by_key(&k, |(s, _)| *s)
            .ok()?;
        let mut v = self.0.take().map(<[_]>::into_vec).unwrap_or_default();
        let (_, old) = v.remove(i);
        self.0 = (!v.is_empty()).then(|| v.into_boxed_slice());
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
    labels: SmallVec<[Symbol; 2]>,
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

/// What a relationship carries besides its type and ends: properties and
/// the sentence it came from. Sixteen bytes when both are absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeData {
    pub props: PropMap,
    pub prov: Option<Box<Provenance>>,
}

impl EdgeData {
    fn is_empty(&self) -> bool {
        self.props.is_empty() && self.prov.is_none()
    }
}

/// A relationship as read from the graph: its type, properties and provenance.
#[derive(Clone, Copy, Debug)]
pub struct EdgeRef<'a> {
    rel_type: Symbol,
    data: &'a EdgeData,
}

impl<'a> EdgeRef<'a> {
    pub fn rel_type(&self) -> Symbol {
        self.rel_type
    }
    pub fn props(&self) -> &'a PropMap {
        &self.data.props
    }
    pub fn prop(&self, k: Symbol) -> Option<&'a PropValue> {
        self.data.props.get(k)
    }
    pub fn provenance(&self) -> Option<&'a Provenance> {
        self.data.prov.as_deref()
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
    #[error("the graph is full: ids are 32-bit")]
    Full,
}

/// Entries per block when placing adjacency entries block by block
/// (about 768 KB of entries: within a core's cache).
const SCATTER_BLOCK: usize = 1 << 16;

/// Nodes plus relationships from which index building uses two threads.
const PARALLEL_FROM: usize = 1 << 16;

/// Runs `a` and `b`, on two threads when `parallel`. Scoped threads rather
/// than a shared pool, so a caller that holds the pool's threads (a test
/// harness waiting on a query, say) can never starve the build.
fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let hb = s.spawn(b);
        let ra = a();
        let rb = hb.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (ra, rb)
    })
}

/// The type slot of a deleted relationship.
const HOLE: u32 = u32::MAX;
/// The data slot of a relationship without properties or provenance.
const NO_DATA: u32 = u32::MAX;
static NO_EDGE_DATA: EdgeData = EdgeData {
    props: PropMap(None),
    prov: None,
};

/// The property graph with its indexes.
///
/// Relationships live in columns indexed by [`EdgeId`]: ends, type, and
/// an index into a pool of [`EdgeData`] for the relationships that have
/// properties or provenance. Neighbours are found through [`Adjacency`] arrays built
/// from the columns on first use; relationships added or removed after that
/// go to a small overlay (or, past a size, drop the arrays for a rebuild), so
/// writes never pay for a rebuild and a read-only graph never pays for the
/// overlay. Ids are not reused, so an id in the arrays or the name index
/// never points at a different item; stale entries are filtered on read.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    names: Interner,
    nodes: Vec<Option<Node>>,
    live_nodes: usize,
    ends: Vec<[u32; 2]>,
    types: Vec<u32>,
    data_ix: Vec<u32>,
    data: Vec<EdgeData>,
    live_edges: usize,
    by_label: HashMap<Symbol, BTreeSet<NodeId>>,
    type_counts: HashMap<Symbol, usize>,
    by_name: NameIndex,
    /// Adjacency arrays, possibly stale: `overlay` holds the changes since.
    nbrs: OnceLock<Arc<Adjacency>>,
    overlay: Overlay,
    /// Current adjacency arrays when `nbrs` is stale, built on demand for
    /// [`Graph::adjacency`] and adopted as `nbrs` by the next change.
    compact: OnceLock<Arc<Adjacency>>,
}

/// Relationships added or removed since the adjacency arrays were built.
#[derive(Clone, Debug, Default)]
struct Overlay {
    out: HashMap<u32, Vec<AdjEntry>>,
    inc: HashMap<u32, Vec<AdjEntry>>,
    added: usize,
    removed: usize,
}

impl Overlay {
    fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }
}

/// Case-insensitive index of names and aliases: a sorted array of
/// `(hash of the lower-cased name, node)` built in bulk, plus a map for
/// names set since. Candidates are checked against the node's current names,
/// so entries left behind by renames and deletions are harmless.
#[derive(Clone, Debug, Default)]
struct NameIndex {
    sorted: Vec<(u64, NodeId)>,
    added: HashMap<u64, Vec<NodeId>, FnvBuild>,
    added_len: usize,
}

impl NameIndex {
    fn candidates(&self, h: u64) -> impl Iterator<Item = NodeId> + '_ {
        let lo = self.sorted.partition_point(|(x, _)| *x < h);
        let hi = lo + self.sorted[lo..].partition_point(|(x, _)| *x == h);
        self.sorted[lo..hi]
            .iter()
            .map(|(_, n)| *n)
            .chain(self.added.get(&h).into_iter().flatten().copied())
    }

    /// Adds an entry (a repeat is harmless: lookups and folds drop repeats).
    fn insert(&mut self, h: u64, n: NodeId) {
        let v = self.added.entry(h).or_default();
        if v.contains(&n) {
            return;
        }
        v.push(n);
        self.added_len += 1;
        if self.added_len > (self.sorted.len() / 2).max(1 << 16) {
            // fold the map into the sorted array: amortised O(log n) a name
            let added = std::mem::take(&mut self.added);
            self.sorted.extend(
                added
                    .into_iter()
                    .flat_map(|(h, v)| v.into_iter().map(move |n| (h, n))),
            );
            self.sorted.sort_unstable();
            self.sorted.dedup();
            self.added_len = 0;
        }
    }

    fn remove(&mut self, h: u64, n: NodeId) {
        if let Some(v) = self.added.get_mut(&h) {
            let before = v.len();
            v.retain(|x| *x != n);
            self.added_len -= before - v.len();
            if v.is_empty() {
                self.added.remove(&h);
            }
        }
    }
}

/// FNV-1a of a name lower-cased: fixed across runs and builds. ASCII names
/// (most of them) are hashed without allocating.
fn name_hash(name: &str) -> u64 {
    fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
        bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    if name.is_ascii() {
        fnv(name.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        fnv(name.to_lowercase().bytes())
    }
}

/// One relationship as seen from one of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Zeroable)]
pub struct AdjEntry {
    /// The node at the other end.
    pub other: NodeId,
    pub edge: EdgeId,
    pub rel_type: Symbol,
}

/// Every node's outgoing and incoming relationships in flat arrays (CSR):
/// a node's relationships are contiguous (in id order), so expanding and
/// counting read memory in order.
#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    out_off: Vec<u32>,
    out: Vec<AdjEntry>,
    in_off: Vec<u32>,
    inc: Vec<AdjEntry>,
}

impl Adjacency {
    /// Builds both directions from the relationship columns (in parallel).
    fn build(ends: &[[u32; 2]], types: &[u32], node_bound: usize) -> Adjacency {
        let ((out_off, out), (in_off, inc)) = both(
            ends.len() >= PARALLEL_FROM,
            || Self::build_side(ends, types, node_bound, 0, SCATTER_BLOCK),
            || Self::build_side(ends, types, node_bound, 1, SCATTER_BLOCK),
        );
        Adjacency {
            out_off,
            out,
            in_off,
            inc,
        }
    }

    /// Offsets and entries keyed by end `key` (0 = source, 1 = target);
    /// from 16 `block`s of entries on, placed block by block.
    fn build_side(
        ends: &[[u32; 2]],
        types: &[u32],
        n: usize,
        key: usize,
        block: usize,
    ) -> (Vec<u32>, Vec<AdjEntry>) {
        let mut off = vec![0u32; n + 1];
        for (e, t) in ends.iter().zip(types) {
            if *t != HOLE {
                off[e[key] as usize + 1] += 1;
            }
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        // zeroed memory comes from the allocator as is, without a fill
        let mut entries: Vec<AdjEntry> = bytemuck::zeroed_vec(off[n] as usize);
        let entry = |i: usize| AdjEntry {
            other: NodeId(ends[i][1 - key]),
            edge: EdgeId(i as u32),
            rel_type: Symbol(types[i]),
        };
        let live = (0..ends.len()).filter(|i| types[*i] != HOLE);
        let mut pos = off.clone();
        let total = off[n] as usize;
        if total < block.saturating_mul(16) {
            for i in live {
                let p = &mut pos[ends[i][key] as usize];
                entries[*p as usize] = entry(i);
                *p += 1;
            }
            return (off, entries);
        }
        // Writing each entry straight to its node's place misses cache
        // every time. Instead: stream the entries into blocks of nodes whose
        // entries fit in cache (in id order), then order each block by node
        // through a small buffer.
        let per_block = (n * block / total).max(1).next_power_of_two();
        let shift = per_block.trailing_zeros();
        let blocks = (n >> shift) + 1;
        let start: Vec<u32> = (0..=blocks).map(|b| off[(b << shift).min(n)]).collect();
        let mut fill = start.clone();
        let mut keys = vec![0u32; total];
        for i in live {
            let k = ends[i][key];
            let f = &mut fill[(k >> shift) as usize];
            entries[*f as usize] = entry(i);
            keys[*f as usize] = k;
            *f += 1;
        }
        let mut buf = Vec::new();
        for b in 0..blocks {
            let block = start[b] as usize..start[b + 1] as usize;
            buf.clear();
            buf.extend_from_slice(&entries[block.clone()]);
            for (x, k) in buf.iter().zip(&keys[block]) {
                let p = &mut pos[*k as usize];
                entries[*p as usize] = *x;
                *p += 1;
            }
        }
        (off, entries)
    }

    /// Outgoing relationships of a node.
    pub fn outgoing(&self, n: NodeId) -> &[AdjEntry] {
        Self::slice(&self.out_off, &self.out, n)
    }

    /// Incoming relationships of a node.
    pub fn incoming(&self, n: NodeId) -> &[AdjEntry] {
        Self::slice(&self.in_off, &self.inc, n)
    }

    fn slice<'a>(off: &[u32], entries: &'a [AdjEntry], n: NodeId) -> &'a [AdjEntry] {
        let i = n.0 as usize;
        match (off.get(i), off.get(i + 1)) {
            (Some(&a), Some(&b)) => &entries[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Relationships at a node in a direction, as [`Graph::edges_at`]
    /// reports them (a self-loop once with [`Direction::Both`]).
    pub fn at(&self, n: NodeId, dir: Direction) -> impl Iterator<Item = &AdjEntry> + '_ {
        sides(self.outgoing(n), self.incoming(n), n, dir)
    }

    /// Number of relationship entries (each relationship is listed twice).
    fn entries(&self) -> usize {
        self.out.len() + self.inc.len()
    }
}

/// The entries of one or both sides of a node, a self-loop once for `Both`.
fn sides<'a>(
    out: &'a [AdjEntry],
    inc: &'a [AdjEntry],
    n: NodeId,
    dir: Direction,
) -> impl Iterator<Item = &'a AdjEntry> + 'a {
    let out: &[AdjEntry] = if dir == Direction::Incoming { &[] } else { out };
    let inc: &[AdjEntry] = if dir == Direction::Outgoing { &[] } else { inc };
    let both = dir == Direction::Both;
    out.iter()
        .chain(inc.iter().filter(move |x| !(both && x.other == n)))
}

/// The serializable content of a graph. Indexes are not part of it (they
/// are rebuilt); ids keep their holes so that provenance stays valid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphParts {
    /// Interned names in symbol order.
    pub names: Vec<String>,
    /// Nodes by id; `None` is a deleted node.
    pub nodes: Vec<Option<Node>>,
    /// Relationships by id: `[source, target]` and type symbol, with
    /// `u32::MAX` as the type of a deleted relationship.
    pub ends: Vec<[u32; 2]>,
    pub types: Vec<u32>,
    /// Properties and provenance of the relationships that have any.
    pub data: Vec<(u32, EdgeData)>,
}

/// A borrowed view of a graph's content, for saving without copying.
pub struct PartsRef<'a> {
    pub names: Vec<&'a str>,
    pub nodes: &'a [Option<Node>],
    pub ends: &'a [[u32; 2]],
    pub types: &'a [u32],
    data_ix: &'a [u32],
    data: &'a [EdgeData],
}

impl PartsRef<'_> {
    /// Relationships with properties or provenance, in id order.
    pub fn data(&self) -> impl Iterator<Item = (u32, &EdgeData)> {
        self.data_ix
            .iter()
            .enumerate()
            .filter(|(_, x)| **x != NO_DATA)
            .map(|(i, x)| (i as u32, &self.data[*x as usize]))
            .filter(|(_, d)| !d.is_empty())
    }
}

/// The type symbol written for a deleted relationship in [`GraphParts::types`].
pub const DELETED: u32 = HOLE;

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
        self.live_nodes
    }
    pub fn edge_count(&self) -> usize {
        self.live_edges
    }
    /// Flat adjacency arrays of the current relationships (built on first
    /// use after a change; O(relationships)).
    pub fn adjacency(&self) -> &Adjacency {
        if self.overlay.is_empty() {
            return self.neighbours();
        }
        self.compact
            .get_or_init(|| Arc::new(self.build_adjacency()))
    }
    /// The (possibly stale) arrays that [`Graph::edges_at`] reads with the overlay.
    fn neighbours(&self) -> &Adjacency {
        self.nbrs.get_or_init(|| Arc::new(self.build_adjacency()))
    }
    fn build_adjacency(&self) -> Adjacency {
        Adjacency::build(&self.ends, &self.types, self.nodes.len())
    }
    /// One more than the highest node id ever used (ids below it may be holes).
    pub fn node_bound(&self) -> usize {
        self.nodes.len()
    }
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)?.as_ref()
    }
    pub fn edge(&self, id: EdgeId) -> Option<EdgeRef<'_>> {
        let i = id.0 as usize;
        let t = *self.types.get(i)?;
        (t != HOLE).then(|| EdgeRef {
            rel_type: Symbol(t),
            data: match self.data_ix[i] {
                NO_DATA => &NO_EDGE_DATA,
                x => &self.data[x as usize],
            },
        })
    }
    fn edge_live(&self, e: EdgeId) -> bool {
        self.types.get(e.0 as usize).is_some_and(|t| *t != HOLE)
    }
    /// Source and target of a relationship.
    pub fn endpoints(&self, id: EdgeId) -> Option<(NodeId, NodeId)> {
        let i = id.0 as usize;
        if !self.edge_live(id) {
            return None;
        }
        let [a, b] = self.ends[i];
        Some((NodeId(a), NodeId(b)))
    }
    /// All nodes, in id order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_some())
            .map(|(i, _)| NodeId(i as u32))
    }
    /// All relationships, in id order.
    pub fn edge_ids(&self) -> impl Iterator<Item = EdgeId> + '_ {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, t)| **t != HOLE)
            .map(|(i, _)| EdgeId(i as u32))
    }
    /// Nodes carrying a label, from the label index.
    pub fn nodes_with_label(&self, l: Symbol) -> impl Iterator<Item = NodeId> + '_ {
        self.by_label.get(&l).into_iter().flatten().copied()
    }
    /// How many nodes carry a label.
    pub fn label_count(&self, l: Symbol) -> usize {
        self.by_label.get(&l).map_or(0, |s| s.len())
    }
    /// Relationships of a type, in id order (a scan of the type column).
    pub fn edges_of_type(&self, t: Symbol) -> impl Iterator<Item = EdgeId> + '_ {
        self.types
            .iter()
            .enumerate()
            .filter(move |(_, x)| **x == t.0)
            .map(|(i, _)| EdgeId(i as u32))
    }
    /// How many relationships have a type.
    pub fn type_count(&self, t: Symbol) -> usize {
        self.type_counts.get(&t).copied().unwrap_or(0)
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
            .type_counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| (self.name_of(*t), *n))
            .collect();
        v.sort();
        v
    }
    /// Nodes whose `name` or one of whose `aliases` equals `name`, ignoring
    /// case, in id order.
    pub fn nodes_by_name(&self, name: &str) -> Vec<NodeId> {
        let lower = name.to_lowercase();
        let (name_k, aliases_k) = (self.names.get(key::NAME), self.names.get(key::ALIASES));
        let has_name = |n: NodeId| {
            let mut found = false;
            if let Some(node) = self.node(n) {
                node_names(node, name_k, aliases_k, |s| {
                    found = found
                        || if s.is_ascii() {
                            s.len() == lower.len()
                                && s.bytes().map(|b| b.to_ascii_lowercase()).eq(lower.bytes())
                        } else {
                            s.to_lowercase() == lower
                        };
                });
            }
            found
        };
        let mut v: Vec<NodeId> = self
            .by_name
            .candidates(name_hash(&lower))
            .filter(|n| has_name(*n))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The relationships at a node: `(relationship, other end)`. With
    /// [`Direction::Both`] a self-loop is reported once.
    pub fn edges_at(
        &self,
        n: NodeId,
        dir: Direction,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        let base = self.neighbours();
        let ov = &self.overlay;
        fn extra(m: &HashMap<u32, Vec<AdjEntry>>, n: NodeId) -> &[AdjEntry] {
            if m.is_empty() {
                &[]
            } else {
                m.get(&n.0).map_or(&[], |v| v.as_slice())
            }
        }
        let (xo, xi) = (extra(&ov.out, n), extra(&ov.inc, n));
        let check = ov.removed > 0;
        base.at(n, dir)
            .chain(sides(xo, xi, n, dir))
            .filter(move |x| !check || self.edge_live(x.edge))
            .map(|x| (x.edge, x.other))
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
        let id = NodeId(self.nodes.len() as u32);
        let mut props = props;
        self.share_strings(&mut props);
        let mut set = SmallVec::new();
        for l in labels {
            if !set.contains(&l) {
                set.push(l);
                self.by_label.entry(l).or_default().insert(id);
            }
        }
        self.nodes.push(Some(Node {
            labels: set,
            props,
            prov: prov.map(Box::new),
        }));
        self.live_nodes += 1;
        self.index_names(id);
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
        if self.types.len() >= HOLE as usize || rel_type.0 == HOLE {
            return Err(StoreError::Full);
        }
        let mut props = props;
        self.share_strings(&mut props);
        self.before_edge_change();
        let id = EdgeId(self.types.len() as u32);
        self.ends.push([a.0, b.0]);
        self.types.push(rel_type.0);
        let data = EdgeData {
            props,
            prov: prov.map(Box::new),
        };
        if data.is_empty() {
            self.data_ix.push(NO_DATA);
        } else {
            self.data_ix.push(self.data.len() as u32);
            self.data.push(data);
        }
        self.live_edges += 1;
        *self.type_counts.entry(rel_type).or_default() += 1;
        if let Some(base) = self.nbrs.get() {
            if self.overlay.added >= base.entries() / 4 + 4096 {
                // rebuilding on the next read is cheaper than a big overlay
                self.nbrs = OnceLock::new();
                self.overlay = Overlay::default();
            } else {
                let entry = |other: NodeId| AdjEntry {
                    other,
                    edge: id,
                    rel_type,
                };
                self.overlay.out.entry(a.0).or_default().push(entry(b));
                self.overlay.inc.entry(b.0).or_default().push(entry(a));
                self.overlay.added += 1;
            }
        }
        Ok(id)
    }

    /// Adopts arrays built for [`Graph::adjacency`] before the relationships change.
    fn before_edge_change(&mut self) {
        if let Some(c) = self.compact.take() {
            self.nbrs = OnceLock::from(c);
            self.overlay = Overlay::default();
        }
    }

    /// Adds a label; returns whether it was new.
    pub fn add_label(&mut self, n: NodeId, l: Symbol) -> Result<bool, StoreError> {
        let node = self.node_mut(n)?;
        if node.labels.contains(&l) {
            return Ok(false);
        }
        node.labels.push(l);
        self.by_label.entry(l).or_default().insert(n);
        Ok(true)
    }

    /// Removes a label; returns whether it was there.
    pub fn remove_label(&mut self, n: NodeId, l: Symbol) -> Result<bool, StoreError> {
        let node = self.node_mut(n)?;
        let Some(i) = node.labels.iter().position(|x| *x == l) else {
            return Ok(false);
        };
        node.labels.remove(i);
        if let Some(s) = self.by_label.get_mut(&l) {
            s.remove(&n);
        }
        Ok(true)
    }

    fn node_mut(&mut self, n: NodeId) -> Result<&mut Node, StoreError> {
        self.nodes
            .get_mut(n.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(StoreError::NoSuchNode(n.0))
    }

    /// Sets (or with `Null` removes) a node property; returns the old value.
    pub fn set_node_prop(
        &mut self,
        n: NodeId,
        k: Symbol,
        v: PropValue,
    ) -> Result<Option<PropValue>, StoreError> {
        self.node_mut(n)?;
        let indexed = self.is_name_key(k);
        if indexed {
            self.unindex_names(n);
        }
        let mut v = v;
        self.share_value(&mut v);
        let old = self.node_mut(n)?.props.set(k, v);
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
        if !self.edge_live(e) {
            return Err(StoreError::NoSuchEdge(e.0));
        }
        let mut v = v;
        self.share_value(&mut v);
        let i = e.0 as usize;
        if self.data_ix[i] == NO_DATA {
            if v == PropValue::Null {
                return Ok(None);
            }
            self.data_ix[i] = self.data.len() as u32;
            self.data.push(EdgeData::default());
        }
        Ok(self.data[self.data_ix[i] as usize].props.set(k, v))
    }

    /// Sets the provenance of a node (first mention wins for callers that check).
    pub fn set_node_provenance(&mut self, n: NodeId, p: Provenance) -> Result<(), StoreError> {
        self.node_mut(n)?.prov = Some(Box::new(p));
        Ok(())
    }

    /// Removes a relationship.
    pub fn remove_edge(&mut self, e: EdgeId) -> Result<(), StoreError> {
        if !self.edge_live(e) {
            return Err(StoreError::NoSuchEdge(e.0));
        }
        self.before_edge_change();
        let i = e.0 as usize;
        let t = Symbol(std::mem::replace(&mut self.types[i], HOLE));
        self.ends[i] = [HOLE, HOLE];
        if let Some(x) = self.data_ix.get_mut(i).filter(|x| **x != NO_DATA) {
            self.data[*x as usize] = EdgeData::default();
            *x = NO_DATA;
        }
        self.live_edges -= 1;
        if let Some(c) = self.type_counts.get_mut(&t) {
            *c -= 1;
        }
        if self.nbrs.get().is_some() {
            self.overlay.removed += 1;
        }
        Ok(())
    }

    /// Removes a node that has no relationships.
    pub fn remove_node(&mut self, n: NodeId) -> Result<Node, StoreError> {
        self.node_mut(n)?;
        if self.edges_at(n, Direction::Both).next().is_some() {
            return Err(StoreError::NodeHasEdges(n.0));
        }
        self.unindex_names(n);
        let node = self.nodes[n.0 as usize]
            .take()
            .ok_or(StoreError::NoSuchNode(n.0))?;
        self.live_nodes -= 1;
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

    /// The graph's content, borrowed, for saving.
    pub fn parts(&self) -> PartsRef<'_> {
        PartsRef {
            names: self.names.names().collect(),
            nodes: &self.nodes,
            ends: &self.ends,
            types: &self.types,
            data_ix: &self.data_ix,
            data: &self.data,
        }
    }

    /// The graph's content as owned values.
    pub fn to_parts(&self) -> GraphParts {
        let p = self.parts();
        GraphParts {
            names: p.names.iter().map(|s| s.to_string()).collect(),
            nodes: p.nodes.to_vec(),
            ends: p.ends.to_vec(),
            types: p.types.to_vec(),
            data: p.data().map(|(i, d)| (i, d.clone())).collect(),
        }
    }

    /// Rebuilds a graph (and its indexes) from its parts, checking that every
    /// symbol and endpoint refers to something that exists. The checks and
    /// the indexes run in parallel.
    pub fn from_parts(parts: GraphParts) -> Result<Graph, StoreError> {
        let GraphParts {
            names,
            nodes,
            mut ends,
            types,
            data,
        } = parts;
        let n_names = names.len() as u32;
        let bad_sym = |s: Symbol| s.0 >= n_names;
        if ends.len() != types.len() {
            return Err(StoreError::Inconsistent(format!(
                "{} relationship ends for {} types",
                ends.len(),
                types.len()
            )));
        }
        if let Some(i) = nodes.iter().position(|n| {
            n.as_ref().is_some_and(|n| {
                n.labels.iter().any(|l| bad_sym(*l)) || n.props.iter().any(|(k, _)| bad_sym(k))
            })
        }) {
            return Err(StoreError::Inconsistent(format!(
                "node {i} uses an unknown name"
            )));
        }
        let mut present = vec![0u64; nodes.len().div_ceil(64)];
        for (i, n) in nodes.iter().enumerate() {
            if n.is_some() {
                present[i / 64] |= 1 << (i % 64);
            }
        }
        let exists = |n: u32| {
            present
                .get(n as usize / 64)
                .is_some_and(|w| w & (1 << (n % 64)) != 0)
        };
        let mut live_edges = 0;
        let mut type_counts: HashMap<Symbol, usize> = HashMap::new();
        let mut counts = vec![0usize; names.len()];
        for (i, (e, t)) in ends.iter_mut().zip(&types).enumerate() {
            if *t == HOLE {
                *e = [HOLE, HOLE];
                continue;
            }
            if *t >= n_names {
                return Err(StoreError::Inconsistent(format!(
                    "relationship {i} uses an unknown name"
                )));
            }
            if !exists(e[0]) || !exists(e[1]) {
                return Err(StoreError::Inconsistent(format!(
                    "relationship {i} joins a node that does not exist"
                )));
            }
            counts[*t as usize] += 1;
            live_edges += 1;
        }
        for (t, c) in counts.into_iter().enumerate() {
            if c > 0 {
                type_counts.insert(Symbol(t as u32), c);
            }
        }
        let mut g = Graph::new();
        for n in &names {
            g.names.intern(n);
        }
        let mut data_ix = vec![NO_DATA; types.len()];
        let mut edge_data = Vec::with_capacity(data.len());
        for (i, mut d) in data {
            match types.get(i as usize) {
                Some(t) if *t != HOLE && data_ix[i as usize] == NO_DATA => {}
                _ => {
                    return Err(StoreError::Inconsistent(format!(
                        "properties for relationship {i}, which does not exist or has them twice"
                    )));
                }
            }
            if d.props.iter().any(|(k, _)| bad_sym(k)) {
                return Err(StoreError::Inconsistent(format!(
                    "relationship {i} uses an unknown name"
                )));
            }
            g.share_strings(&mut d.props);
            data_ix[i as usize] = edge_data.len() as u32;
            edge_data.push(d);
        }
        g.live_nodes = nodes.iter().filter(|n| n.is_some()).count();
        g.nodes = nodes;
        g.ends = ends;
        g.types = types;
        g.data_ix = data_ix;
        g.data = edge_data;
        g.live_edges = live_edges;
        g.type_counts = type_counts;
        let ((by_label, by_name), adj) = both(
            g.nodes.len() + g.types.len() >= PARALLEL_FROM,
            || (label_index(&g.nodes), g.bulk_name_index()),
            || Adjacency::build(&g.ends, &g.types, g.nodes.len()),
        );
        g.by_label = by_label;
        g.by_name = by_name;
        g.nbrs = OnceLock::from(Arc::new(adj));
        Ok(g)
    }

    // ----- internals -----

    fn is_name_key(&self, k: Symbol) -> bool {
        let name = self.names.resolve(k);
        name == key::NAME || name == key::ALIASES
    }

    /// Hashes of a node's names and aliases.
    fn name_hashes(&self, n: NodeId) -> SmallVec<[u64; 2]> {
        let mut out = SmallVec::new();
        if let Some(node) = self.node(n) {
            let (name, aliases) = (self.names.get(key::NAME), self.names.get(key::ALIASES));
            node_names(node, name, aliases, |s| out.push(name_hash(s)));
        }
        out
    }

    fn index_names(&mut self, n: NodeId) {
        for h in self.name_hashes(n) {
            self.by_name.insert(h, n);
        }
    }

    fn unindex_names(&mut self, n: NodeId) {
        for h in self.name_hashes(n) {
            self.by_name.remove(h, n);
        }
    }

    /// The name index of every node, hashed and sorted at once.
    fn bulk_name_index(&self) -> NameIndex {
        let (name, aliases) = (self.names.get(key::NAME), self.names.get(key::ALIASES));
        let mut sorted: Vec<(u64, NodeId)> = Vec::with_capacity(self.live_nodes);
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(node) = n {
                node_names(node, name, aliases, |s| {
                    sorted.push((name_hash(s), NodeId(i as u32)))
                });
            }
        }
        sorted.sort_unstable();
        sorted.dedup();
        NameIndex {
            sorted,
            ..NameIndex::default()
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

/// Calls `f` with a node's `name` and each of its string `aliases`.
fn node_names(node: &Node, name: Option<Symbol>, aliases: Option<Symbol>, mut f: impl FnMut(&str)) {
    if let Some(s) = name
        .and_then(|k| node.props.get(k))
        .and_then(PropValue::as_str)
    {
        f(s);
    }
    if let Some(PropValue::List(l)) = aliases.and_then(|k| node.props.get(k)) {
        l.iter().filter_map(PropValue::as_str).for_each(f);
    }
}

/// The label index of a node array.
fn label_index(nodes: &[Option<Node>]) -> HashMap<Symbol, BTreeSet<NodeId>> {
    let mut ids: HashMap<Symbol, Vec<NodeId>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for l in n.iter().flat_map(|n| n.labels.iter()) {
            ids.entry(*l).or_default().push(NodeId(i as u32));
        }
    }
    ids.into_iter()
        .map(|(l, v)| (l, v.into_iter().collect()))
        .collect()
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
    fn name_index_survives_folding() {
        // enough names to fold the index's map into its sorted array
        let mut g = Graph::new();
        let ids: Vec<NodeId> = (0..70_000)
            .map(|i| named(&mut g, "P", &format!("Name {i}")))
            .collect();
        let k = g.intern("name");
        g.set_node_prop(ids[5], k, "Renamed".into()).unwrap();
        g.remove_node(ids[6]).unwrap();
        for i in [0usize, 4, 69_999] {
            assert_eq!(g.nodes_by_name(&format!("NAME {i}")), vec![ids[i]]);
        }
        assert!(g.nodes_by_name("name 5").is_empty());
        assert_eq!(g.nodes_by_name("renamed"), vec![ids[5]]);
        assert!(g.nodes_by_name("name 6").is_empty());
        let twin = named(&mut g, "P", "Name 4");
        assert_eq!(g.nodes_by_name("name 4"), vec![ids[4], twin]);
        let accented = named(&mut g, "P", "Ümit Özdağ");
        assert_eq!(g.nodes_by_name("ÜMIT ÖZDAĞ"), vec![accented]);
        assert!(g.nodes_by_name("umit ozdag").is_empty());
    }

    #[test]
    fn adjacency_by_blocks_equals_direct_placement() {
        // a skewed little graph with holes, self-loops and parallel edges
        let n = 300usize;
        let mut ends = Vec::new();
        let mut types = Vec::new();
        for i in 0..5000u32 {
            let a = (i * i) % 97;
            let b = (i * 7919) % n as u32;
            ends.push([a, b]);
            types.push(if i % 13 == 0 { HOLE } else { i % 3 });
        }
        for key in [0, 1] {
            let direct = Adjacency::build_side(&ends, &types, n, key, usize::MAX);
            for block in [1, 2, 5, 64, 300] {
                let blocked = Adjacency::build_side(&ends, &types, n, key, block);
                assert_eq!(blocked, direct, "key {key} block {block}");
            }
        }
    }

    #[test]
    fn empty_prop_map_does_not_allocate() {
        assert_eq!(
            std::mem::size_of::<PropMap>(),
            2 * std::mem::size_of::<usize>()
        );
        assert!(PropMap::new().0.is_none());
    }
}
