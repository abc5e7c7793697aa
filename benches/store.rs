//! Store and snapshot hot paths on a generated graph: one-hop expansion,
//! the same over the flat adjacency arrays, label scans, name lookups,
//! snapshot save and load.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use newsgraph::snapshot;
use newsgraph::store::{Direction, Graph, NodeId, PropMap};
use std::hint::black_box;

/// A graph of `n` nodes and about `n * degree` edges with skewed degrees:
/// targets are drawn with a bias to low ids (a few hubs, many leaves).
fn generate(n: u32, degree: u32) -> (Graph, Vec<NodeId>) {
    let mut g = Graph::new();
    let labels = ["Person", "Organization", "Place", "Claim", "Event"].map(|l| g.intern(l));
    let types = ["SAID", "ABOUT", "PERFORMED", "OCCURRED_IN"].map(|t| g.intern(t));
    let name = g.intern("name");
    let mut ids = Vec::with_capacity(n as usize);
    for i in 0..n {
        let mut p = PropMap::new();
        p.set(name, format!("node {i}").into());
        ids.push(g.add_node(vec![labels[(i % 5) as usize]], p, None));
    }
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..n {
        for _ in 0..degree {
            let r = (next() % 1_000_000) as f64 / 1_000_000.0;
            let j = ((r * r * r) * n as f64) as usize;
            let t = types[(next() % 4) as usize];
            g.add_edge(
                ids[i as usize],
                ids[j.min(n as usize - 1)],
                t,
                PropMap::new(),
                None,
            )
            .expect("nodes exist");
        }
    }
    (g, ids)
}

fn benches(c: &mut Criterion) {
    let (g, ids) = generate(100_000, 10);
    let said = g.symbol("SAID").expect("type exists");
    let person = g.symbol("Person").expect("label exists");
    c.bench_function(
        "expand 1 hop from 1000 nodes (100k nodes / 1M edges)",
        |b| {
            b.iter(|| {
                let mut total = 0usize;
                for n in ids.iter().step_by(100) {
                    total += g.edges_at(*n, Direction::Both).count();
                }
                black_box(total)
            })
        },
    );
    let adj = g.adjacency();
    c.bench_function(
        "expand 1 hop from 1000 nodes via adjacency arrays (100k nodes / 1M edges)",
        |b| {
            b.iter(|| {
                let mut total = 0usize;
                for n in ids.iter().step_by(100) {
                    total += adj.at(*n, Direction::Both).count();
                }
                black_box(total)
            })
        },
    );
    c.bench_function(
        "count 2 hops by type from 100 nodes via adjacency arrays",
        |b| {
            b.iter(|| {
                let mut total = 0usize;
                for n in ids.iter().step_by(1000) {
                    for x in adj.outgoing(*n) {
                        if x.rel_type == said {
                            total += adj.outgoing(x.other).len();
                        }
                    }
                }
                black_box(total)
            })
        },
    );
    let mut group = c.benchmark_group("adjacency");
    group.sample_size(10);
    group.bench_function("build arrays (100k nodes / 1M edges)", |b| {
        b.iter_batched(
            || {
                // a change drops the arrays of the clone
                let mut h = g.clone();
                let e = h
                    .add_edge(ids[0], ids[1], said, PropMap::new(), None)
                    .expect("add");
                h.remove_edge(e).expect("remove");
                h
            },
            |h| black_box(h.adjacency().outgoing(ids[0]).len()),
            BatchSize::LargeInput,
        )
    });
    group.finish();
    c.bench_function("expand 2 hops by type from 100 nodes", |b| {
        b.iter(|| {
            let mut total = 0usize;
            for n in ids.iter().step_by(1000) {
                for (e, m) in g.edges_at(*n, Direction::Outgoing) {
                    if g.edge(e).is_some_and(|x| x.rel_type() == said) {
                        total += g.edges_at(m, Direction::Outgoing).count();
                    }
                }
            }
            black_box(total)
        })
    });
    c.bench_function("scan label Person (20k nodes)", |b| {
        b.iter(|| black_box(g.nodes_with_label(person).count()))
    });
    c.bench_function("lookup by name", |b| {
        b.iter(|| black_box(g.nodes_by_name("NODE 4242").len()))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.ngs");
    let mut group = c.benchmark_group("snapshot 100k nodes / 1M edges");
    group.sample_size(10);
    group.bench_function("save", |b| {
        b.iter(|| snapshot::save(&g, &[], &path).expect("save"))
    });
    group.bench_function("load", |b| {
        b.iter(|| black_box(snapshot::load(&path).expect("load")))
    });
    group.finish();
}

criterion_group!(store, benches);
criterion_main!(store);
