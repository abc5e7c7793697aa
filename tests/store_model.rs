//! The store against a naive model: after any sequence of writes and reads,
//! neighbours (through the overlay and through fresh adjacency arrays),
//! degrees, counts and endpoints agree with a plain list of relationships.

use std::collections::BTreeMap;

use newsgraph::store::{Direction, EdgeId, Graph, NodeId, PropMap};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddNode,
    AddEdge(usize, usize, u8),
    RemoveEdge(usize),
    DetachNode(usize),
    /// Reads the adjacency arrays, which builds or adopts them.
    Read,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::AddNode),
        5 => (0usize..64, 0usize..64, 0u8..3).prop_map(|(a, b, t)| Op::AddEdge(a, b, t)),
        2 => (0usize..64).prop_map(Op::RemoveEdge),
        1 => (0usize..64).prop_map(Op::DetachNode),
        2 => Just(Op::Read),
    ]
}

/// The model: live nodes and live relationships with their ends and type.
#[derive(Default)]
struct Model {
    nodes: Vec<NodeId>,
    edges: BTreeMap<EdgeId, (NodeId, NodeId, String)>,
}

impl Model {
    fn at(&self, n: NodeId, dir: Direction) -> Vec<(EdgeId, NodeId)> {
        let mut v = Vec::new();
        for (e, (a, b, _)) in &self.edges {
            let out = *a == n && dir != Direction::Incoming;
            let inc = *b == n && dir != Direction::Outgoing;
            if out {
                v.push((*e, *b));
            }
            if inc && !(out && a == b) {
                v.push((*e, *a));
            }
        }
        v.sort();
        v
    }
}

fn check(g: &Graph, m: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(g.node_count(), m.nodes.len());
    prop_assert_eq!(g.edge_count(), m.edges.len());
    prop_assert_eq!(
        g.edge_ids().collect::<Vec<_>>(),
        m.edges.keys().copied().collect::<Vec<_>>()
    );
    for (e, (a, b, t)) in &m.edges {
        prop_assert_eq!(g.endpoints(*e), Some((*a, *b)));
        prop_assert_eq!(g.name_of(g.edge(*e).unwrap().rel_type()), t.as_str());
    }
    for n in &m.nodes {
        for dir in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            let want = m.at(*n, dir);
            let mut got: Vec<_> = g.edges_at(*n, dir).collect();
            got.sort();
            prop_assert_eq!(&got, &want, "edges_at {:?} {:?}", n, dir);
            prop_assert_eq!(g.degree(*n, dir), want.len());
        }
    }
    Ok(())
}

fn check_arrays(g: &Graph, m: &Model) -> Result<(), TestCaseError> {
    let adj = g.adjacency();
    for n in &m.nodes {
        for dir in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            let mut got: Vec<_> = adj.at(*n, dir).map(|x| (x.edge, x.other)).collect();
            got.sort();
            prop_assert_eq!(got, m.at(*n, dir), "adjacency {:?} {:?}", n, dir);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn store_agrees_with_model(ops in prop::collection::vec(op(), 1..120)) {
        let mut g = Graph::new();
        let mut m = Model::default();
        for op in ops {
            match op {
                Op::AddNode => m.nodes.push(g.add_node(vec![], PropMap::new(), None)),
                Op::AddEdge(a, b, t) if !m.nodes.is_empty() => {
                    let (a, b) = (m.nodes[a % m.nodes.len()], m.nodes[b % m.nodes.len()]);
                    let name = format!("T{t}");
                    let sym = g.intern(&name);
                    let e = g.add_edge(a, b, sym, PropMap::new(), None).unwrap();
                    prop_assert!(!m.edges.contains_key(&e), "id {:?} reused", e);
                    m.edges.insert(e, (a, b, name));
                }
                Op::RemoveEdge(k) if !m.edges.is_empty() => {
                    let e = *m.edges.keys().nth(k % m.edges.len()).unwrap();
                    g.remove_edge(e).unwrap();
                    m.edges.remove(&e);
                    prop_assert!(g.remove_edge(e).is_err());
                    prop_assert!(g.edge(e).is_none());
                }
                Op::DetachNode(k) if !m.nodes.is_empty() => {
                    let n = m.nodes.remove(k % m.nodes.len());
                    let before = m.edges.len();
                    m.edges.retain(|_, (a, b, _)| *a != n && *b != n);
                    prop_assert_eq!(g.detach_remove_node(n), Ok(before - m.edges.len()));
                    prop_assert!(g.node(n).is_none());
                }
                Op::Read => check_arrays(&g, &m)?,
                _ => {}
            }
            check(&g, &m)?;
        }
        check_arrays(&g, &m)?;
        let h = Graph::from_parts(g.to_parts()).unwrap();
        check(&h, &m)?;
        check_arrays(&h, &m)?;
    }
}

/// Past a size the overlay is dropped and the arrays are rebuilt: the answers
/// stay right on both sides of that switch.
#[test]
fn many_writes_after_a_read() {
    let mut g = Graph::new();
    let t = g.intern("T");
    let hub = g.add_node(vec![], PropMap::new(), None);
    let leaves: Vec<NodeId> = (0..100)
        .map(|_| g.add_node(vec![], PropMap::new(), None))
        .collect();
    g.add_edge(hub, leaves[0], t, PropMap::new(), None).unwrap();
    assert_eq!(g.adjacency().outgoing(hub).len(), 1);
    for i in 1..20_000 {
        g.add_edge(hub, leaves[i % 100], t, PropMap::new(), None)
            .unwrap();
        if i % 997 == 0 {
            assert_eq!(g.degree(hub, Direction::Outgoing), i + 1);
            assert_eq!(g.degree(leaves[7], Direction::Incoming), (i + 93) / 100);
        }
    }
    assert_eq!(g.adjacency().outgoing(hub).len(), 20_000);
    assert_eq!(g.degree(hub, Direction::Both), 20_000);
}
