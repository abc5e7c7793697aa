//! The store seen as a petgraph graph: petgraph's traversals and
//! algorithms (`Bfs`, `Dfs`, `dijkstra`, `kosaraju_scc`,
//! `has_path_connecting`, `UndirectedAdaptor`, ...) run on a `&Graph`
//! directly, reading the same adjacency as queries do. Edge weights are
//! relationship types. Also [`Graph::components`], on petgraph's union-find.

use petgraph::unionfind::UnionFind;
use petgraph::visit::{
    Data, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges, IntoNeighbors,
    IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable, VisitMap, Visitable,
};

use super::graph::{Direction, EdgeId, Graph, Node, NodeId};
use super::intern::Symbol;

impl GraphBase for Graph {
    type NodeId = NodeId;
    type EdgeId = EdgeId;
}

impl Data for Graph {
    type NodeWeight = Node;
    type EdgeWeight = Symbol;
}

impl GraphProp for Graph {
    type EdgeType = petgraph::Directed;
}

impl NodeCount for &Graph {
    fn node_count(&self) -> usize {
        Graph::node_count(self)
    }
}

impl NodeIndexable for &Graph {
    fn node_bound(&self) -> usize {
        Graph::node_bound(self)
    }
    fn to_index(&self, a: NodeId) -> usize {
        a.0 as usize
    }
    fn from_index(&self, i: usize) -> NodeId {
        NodeId(i as u32)
    }
}

fn dir(d: petgraph::Direction) -> Direction {
    match d {
        petgraph::Direction::Outgoing => Direction::Outgoing,
        petgraph::Direction::Incoming => Direction::Incoming,
    }
}

/// A boxed iterator: the store's iterators have unnameable types.
pub type Iter<'a, T> = Box<dyn Iterator<Item = T> + 'a>;

impl<'a> IntoNeighbors for &'a Graph {
    type Neighbors = Iter<'a, NodeId>;
    /// Targets of outgoing relationships (a target once per relationship).
    fn neighbors(self, a: NodeId) -> Self::Neighbors {
        Box::new(self.edges_at(a, Direction::Outgoing).map(|(_, n)| n))
    }
}

impl<'a> IntoNeighborsDirected for &'a Graph {
    type NeighborsDirected = Iter<'a, NodeId>;
    fn neighbors_directed(self, a: NodeId, d: petgraph::Direction) -> Self::NeighborsDirected {
        Box::new(self.edges_at(a, dir(d)).map(|(_, n)| n))
    }
}

impl<'a> IntoNodeIdentifiers for &'a Graph {
    type NodeIdentifiers = Iter<'a, NodeId>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        Box::new(self.node_ids())
    }
}

/// A relationship for petgraph: ids, ends and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rel {
    pub id: EdgeId,
    pub source: NodeId,
    pub target: NodeId,
    pub rel_type: Symbol,
}

impl EdgeRef for Rel {
    type NodeId = NodeId;
    type EdgeId = EdgeId;
    type Weight = Symbol;
    fn source(&self) -> NodeId {
        self.source
    }
    fn target(&self) -> NodeId {
        self.target
    }
    fn weight(&self) -> &Symbol {
        &self.rel_type
    }
    fn id(&self) -> EdgeId {
        self.id
    }
}

impl Graph {
    fn rel(&self, id: EdgeId) -> Option<Rel> {
        let (source, target) = self.endpoints(id)?;
        let rel_type = self.edge(id)?.rel_type();
        Some(Rel {
            id,
            source,
            target,
            rel_type,
        })
    }
}

impl<'a> IntoEdgeReferences for &'a Graph {
    type EdgeRef = Rel;
    type EdgeReferences = Iter<'a, Rel>;
    fn edge_references(self) -> Self::EdgeReferences {
        Box::new(self.edge_ids().filter_map(|e| self.rel(e)))
    }
}

impl<'a> IntoEdges for &'a Graph {
    type Edges = Iter<'a, Rel>;
    /// Outgoing relationships.
    fn edges(self, a: NodeId) -> Self::Edges {
        Box::new(
            self.edges_at(a, Direction::Outgoing)
                .filter_map(|(e, _)| self.rel(e)),
        )
    }
}

/// Visited nodes as a bit set over node ids.
#[derive(Clone, Debug, Default)]
pub struct NodeSet(Vec<u64>);

impl NodeSet {
    fn with_bound(bound: usize) -> Self {
        NodeSet(vec![0; bound.div_ceil(64)])
    }
    fn word(&mut self, a: NodeId) -> (&mut u64, u64) {
        let i = a.0 as usize / 64;
        if i >= self.0.len() {
            self.0.resize(i + 1, 0);
        }
        (&mut self.0[i], 1 << (a.0 % 64))
    }
}

impl VisitMap<NodeId> for NodeSet {
    fn visit(&mut self, a: NodeId) -> bool {
        let (w, bit) = self.word(a);
        let first = *w & bit == 0;
        *w |= bit;
        first
    }
    fn is_visited(&self, a: &NodeId) -> bool {
        self.0
            .get(a.0 as usize / 64)
            .is_some_and(|w| w & (1 << (a.0 % 64)) != 0)
    }
    fn unvisit(&mut self, a: NodeId) -> bool {
        let (w, bit) = self.word(a);
        let was = *w & bit != 0;
        *w &= !bit;
        was
    }
}

impl Visitable for Graph {
    type Map = NodeSet;
    fn visit_map(&self) -> NodeSet {
        NodeSet::with_bound(self.node_bound())
    }
    fn reset_map(&self, map: &mut NodeSet) {
        map.0.clear();
        map.0.resize(self.node_bound().div_ceil(64), 0);
    }
}

/// The weakly connected components of a graph: how many, and their sizes,
/// largest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Components {
    pub sizes: Vec<usize>,
}

impl Graph {
    /// Weakly connected components (relationships joined regardless of
    /// direction), by union-find over the relationships.
    pub fn components(&self) -> Components {
        let mut uf = UnionFind::<u32>::new(self.node_bound());
        for e in self.edge_ids() {
            if let Some((a, b)) = self.endpoints(e) {
                uf.union(a.0, b.0);
            }
        }
        let mut size = vec![0usize; self.node_bound()];
        for n in self.node_ids() {
            size[uf.find_mut(n.0) as usize] += 1;
        }
        let mut sizes: Vec<usize> = size.into_iter().filter(|s| *s > 0).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        Components { sizes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PropMap;
    use petgraph::algo::{dijkstra, has_path_connecting, kosaraju_scc};
    use petgraph::visit::{Bfs, Dfs, UndirectedAdaptor};

    /// a→b→c→a (a cycle), c→d, e isolated, and a deleted node between.
    fn sample() -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new();
        let t = g.intern("T");
        let n: Vec<NodeId> = (0..6)
            .map(|_| g.add_node(vec![], PropMap::new(), None))
            .collect();
        g.remove_node(n[4]).unwrap();
        for (a, b) in [(0, 1), (1, 2), (2, 0), (2, 3)] {
            g.add_edge(n[a], n[b], t, PropMap::new(), None).unwrap();
        }
        (g, n)
    }

    #[test]
    fn petgraph_traversals_run_on_the_store() {
        let (g, n) = sample();
        let mut bfs = Bfs::new(&g, n[0]);
        let mut seen = Vec::new();
        while let Some(x) = bfs.next(&g) {
            seen.push(x);
        }
        assert_eq!(seen, vec![n[0], n[1], n[2], n[3]]);
        let mut dfs = Dfs::new(&g, n[3]);
        assert_eq!(dfs.next(&g), Some(n[3]));
        assert_eq!(dfs.next(&g), None, "d has no outgoing relationships");
        let mut undirected = Dfs::new(UndirectedAdaptor(&g), n[3]);
        let mut count = 0;
        while undirected.next(UndirectedAdaptor(&g)).is_some() {
            count += 1;
        }
        assert_eq!(count, 4);
    }

    #[test]
    fn petgraph_algorithms_run_on_the_store() {
        let (g, n) = sample();
        let dist = dijkstra(&g, n[1], None, |_| 1u32);
        assert_eq!(dist[&n[3]], 2);
        assert_eq!(dist[&n[0]], 2);
        assert!(!dist.contains_key(&n[5]));
        assert!(has_path_connecting(&g, n[0], n[3], None));
        assert!(!has_path_connecting(&g, n[3], n[0], None));
        let mut sccs: Vec<usize> = kosaraju_scc(&g).iter().map(Vec::len).collect();
        sccs.sort();
        assert_eq!(sccs, vec![1, 1, 3], "the cycle, d and the isolated node");
    }

    #[test]
    fn components_skip_deleted_nodes() {
        let (mut g, n) = sample();
        assert_eq!(g.components().sizes, vec![4, 1]);
        let t = g.intern("T");
        g.add_edge(n[5], n[3], t, PropMap::new(), None).unwrap();
        assert_eq!(g.components().sizes, vec![5]);
        assert_eq!(Graph::new().components().sizes, Vec::<usize>::new());
    }
}
