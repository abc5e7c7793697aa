//! Query-engine hot paths on the generated news graph (100k nodes / 1M
//! relationships, `newsgraph generate` seed 42, imported from CSV):
//! expansion (1 and 2 hops, counted and listed), property filters,
//! aggregation by label, variable length and shortest path; and parse +
//! plan + execute of typical analyst queries on the bundled news graph
//! (`data/articles`, ingested once).

use criterion::{Criterion, criterion_group, criterion_main};
use newsgraph::generate::generate;
use newsgraph::import::import_csv;
use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::store::Graph;
use std::hint::black_box;

fn graph() -> Graph {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(100_000, 1_000_000, 42, dir.path()).expect("generate");
    let mut g = Graph::new();
    import_csv(
        &mut g,
        &dir.path().join("nodes.csv"),
        &dir.path().join("edges.csv"),
    )
    .expect("import");
    g
}

fn benches(c: &mut Criterion) {
    let mut g = graph();
    let opts = QueryOptions::default();
    let params = Params::new();
    let mut group = c.benchmark_group("query 100k nodes / 1M rels");
    group.sample_size(10);
    let cases = [
        (
            "expand 1 hop count from 100 nodes",
            (0..100)
                .map(|i| format!("MATCH (a:Person {{name: 'Person {}'}})-->(b) RETURN count(*)", i * 37))
                .collect::<Vec<_>>(),
        ),
        (
            "expand 2 hops count from 100 nodes",
            (0..100)
                .map(|i| {
                    format!(
                        "MATCH (a:Person {{name: 'Person {}'}})-->(b)-->(c) RETURN count(*)",
                        i * 37
                    )
                })
                .collect(),
        ),
        (
            "expand 2 hops listing rows from 100 nodes",
            (0..100)
                .map(|i| {
                    format!(
                        "MATCH (a:Person {{name: 'Person {}'}})-->(b)-->(c) RETURN c",
                        i * 37
                    )
                })
                .collect(),
        ),
        (
            "global 2-hop count",
            vec!["MATCH (a)-->(b)-->(c) RETURN count(*)".to_string()],
        ),
        (
            "2-hop with property filters",
            vec![
                "MATCH (p:Person)-[:SAID]->(c:Claim)-[:ABOUT]->(e:Event) \
                 WHERE p.year >= 1990 AND e.year = 2024 RETURN count(*)"
                    .to_string(),
            ],
        ),
        (
            "filter scan by property",
            vec!["MATCH (e:Event) WHERE e.year = 2024 RETURN count(*)".to_string()],
        ),
        (
            "aggregate count by label",
            vec!["MATCH (n) RETURN labels(n) AS l, count(*) AS c".to_string()],
        ),
        (
            "aggregate avg year by label",
            vec!["MATCH (n) WHERE n.year IS NOT NULL RETURN labels(n), avg(n.year)".to_string()],
        ),
        (
            "variable length *1..3 count",
            vec!["MATCH (a:Person {name: 'Person 11'})-[*1..3]->(b) RETURN count(*)".to_string()],
        ),
        (
            "shortest path",
            vec![
                "MATCH p = shortestPath((a:Person {name: 'Person 5'})-[*..8]-(b:Article {name: 'Article 77'})) \
                 RETURN length(p)"
                    .to_string(),
            ],
        ),
    ];
    for (name, qs) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                for q in qs {
                    black_box(query::run(&mut g, q, &params, &opts).expect("query runs"));
                }
            })
        });
    }
    group.finish();
}

fn news(c: &mut Criterion) {
    let articles = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
    let mut g = Graph::new();
    newsgraph::workspace::ingest(&mut g, &[articles], false);
    let opts = QueryOptions::default();
    let params = Params::new();
    let mut group = c.benchmark_group("news graph (bundled articles)");
    let cases = [
        (
            "who denied what",
            "MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name, c.text",
        ),
        (
            "what did Putin say",
            "MATCH (p:Person {name: 'Vladimir Putin'})-[r]->(c:Claim) RETURN type(r), c.text",
        ),
        (
            "events in a place",
            "MATCH (e:Event)-[:OCCURRED_IN]->(p:Place {name: 'Kursk region'}) RETURN e.type, e.time",
        ),
        (
            "claims about an entity",
            "MATCH (a)-[r]->(c:Claim)-[:ABOUT]->(x {name: 'Russia'}) RETURN a.name, type(r), c.text",
        ),
        (
            "roles in countries that denied",
            "MATCH (p:Person)-[r:HOLDS_ROLE]->(c:Country)-[:DENIED]->(:Claim) \
             RETURN DISTINCT p.name, r.title, c.name",
        ),
        (
            "claims by stance",
            "MATCH (:Actor)-[r]->(:Claim) RETURN type(r) AS stance, count(*) ORDER BY stance",
        ),
    ];
    for (name, q) in cases {
        group.bench_function(name, |b| {
            b.iter(|| black_box(query::run(&mut g, q, &params, &opts).expect("query runs")))
        });
    }
    group.finish();
}

criterion_group!(query_benches, benches, news);
criterion_main!(query_benches);
