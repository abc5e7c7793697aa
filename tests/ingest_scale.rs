//! Merging at scale: the batch merge (lookups in parallel, writes in order)
//! gives the graph a one-by-one merge gives, on the bundled articles copied
//! ten times with perturbed names; a merger built from an existing graph
//! continues it as if it had merged it; copies of an article add sources,
//! not claims or events; and the same happening reported by several
//! articles is one Event.

use newsgraph::extract::{Extraction, Extractor};
use newsgraph::ingest::{Merger, merge_extraction};
use newsgraph::query::{Params, QueryOptions, Value, run};
use newsgraph::store::Graph;
use rayon::prelude::*;

/// The bundled articles, extracted once per test binary.
fn bundled() -> &'static [Extraction] {
    static ALL: std::sync::OnceLock<Vec<Extraction>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        let ex = Extractor::new();
        files
            .par_iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                ex.extract(&name, &std::fs::read(p).unwrap()).unwrap()
            })
            .collect()
    })
}

/// Copy `k` of article `i`: its own file name and text, and (when
/// `perturb`) some entities renamed or given aliases that other copies and
/// articles share, so that names appear, and are looked up, across and
/// within batches.
fn copy(x: &Extraction, i: usize, k: usize, perturb: bool) -> Extraction {
    let mut x = x.clone();
    x.article = format!("{}-c{k:02}.txt", x.article.trim_end_matches(".txt"));
    x.text
        .push_str(&format!("\n\nArchive copy {k} of this report.\n"));
    if perturb {
        for (j, e) in x.entities.iter_mut().enumerate() {
            match (i + j + k) % 7 {
                0 => e.aliases.push(format!("Nickname {}", (i + j) % 11)),
                1 => e.name = format!("Nickname {}", (j + k) % 11),
                2 => e.name = format!("{} {}", e.name, k % 3),
                _ => {}
            }
        }
    }
    x
}

fn copies(n: usize, perturb: bool) -> Vec<Extraction> {
    (0..n)
        .flat_map(|k| {
            bundled()
                .iter()
                .enumerate()
                .map(move |(i, x)| copy(x, i, k, perturb))
        })
        .collect()
}

fn count(g: &mut Graph, q: &str) -> i64 {
    match &run(g, q, &Params::new(), &QueryOptions::default())
        .expect(q)
        .rows[0][0]
    {
        Value::Int(n) => *n,
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn batch_merge_gives_the_graph_of_a_serial_merge_on_ten_copies() {
    let all = copies(10, true);
    let mut serial = Graph::new();
    let mut m = Merger::new(&serial);
    for x in &all {
        m.merge(&mut serial, x);
    }
    let mut batched = Graph::new();
    let mut m = Merger::new(&batched);
    for chunk in all.chunks(97) {
        let refs: Vec<&Extraction> = chunk.iter().collect();
        m.merge_batch(&mut batched, &refs);
    }
    assert_eq!(batched.node_count(), serial.node_count());
    assert_eq!(batched.edge_count(), serial.edge_count());
    assert!(batched.to_parts() == serial.to_parts(), "graphs differ");
    // the perturbation did reach the graph: renamed entities were merged
    // across copies through names and aliases
    let nick = count(
        &mut batched,
        "MATCH (n)-[:MENTIONED_IN]->(a:Article) WHERE n.name STARTS WITH 'Nickname' RETURN count(DISTINCT n)",
    );
    let mentions = count(
        &mut batched,
        "MATCH (n)-[:MENTIONED_IN]->(a:Article) WHERE n.name STARTS WITH 'Nickname' RETURN count(*)",
    );
    assert!(
        nick > 0 && mentions > 2 * nick,
        "{nick} nodes, {mentions} mentions"
    );
}

#[test]
fn a_merger_over_an_existing_graph_continues_it() {
    // one merger for all, against a fresh merger (indexing the graph) per article
    let all = copies(2, false);
    let mut one = Graph::new();
    let mut m = Merger::new(&one);
    for x in &all {
        m.merge(&mut one, x);
    }
    let mut each = Graph::new();
    for x in &all {
        merge_extraction(&mut each, x);
    }
    assert!(each.to_parts() == one.to_parts(), "graphs differ");
}

#[test]
fn copies_add_sources_not_claims_or_events() {
    // counts after each of three copies; the first copy can still resolve
    // a few speakers differently (a node found later by its name gains the
    // Actor label), from the second on the graph only gains sources
    let mut g = Graph::new();
    let mut m = Merger::new(&g);
    let queries = [
        "MATCH (c:Claim) RETURN count(c)",
        "MATCH (e:Event) RETURN count(e)",
        "MATCH (p:Person) RETURN count(p)",
        "MATCH (a:Article) RETURN count(a)",
        "MATCH (:Event)-[r:REPORTED_IN]->(:Article) RETURN count(r)",
        "MATCH (:Actor)-[r:SAID]->(:Claim) RETURN count(r)",
    ];
    let mut after: Vec<Vec<i64>> = Vec::new();
    for k in 0..3 {
        let batch: Vec<Extraction> = bundled()
            .iter()
            .enumerate()
            .map(|(i, x)| copy(x, i, k, false))
            .collect();
        for chunk in batch.chunks(128) {
            m.merge_batch(&mut g, &chunk.iter().collect::<Vec<_>>());
        }
        after.push(queries.iter().map(|q| count(&mut g, q)).collect());
    }
    let (c1, c2, c3) = (&after[0], &after[1], &after[2]);
    assert!(c1[1] > 500, "{c1:?}");
    for i in 0..3 {
        // nodes: none from the third copy, next to none from the second
        assert_eq!(c3[i], c2[i], "{}", queries[i]);
        assert!(
            c2[i] - c1[i] <= c1[i] / 100,
            "{}: {c1:?} {c2:?}",
            queries[i]
        );
    }
    for i in 3..6 {
        // sources: as many per copy as the first copy had
        assert_eq!(c3[i] - c2[i], c2[i] - c1[i], "{}", queries[i]);
        assert!(
            (c2[i] - c1[i] - c1[i]).abs() <= c1[i] / 100,
            "{}: {c1:?} {c2:?}",
            queries[i]
        );
    }
}
