//! Plain questions on the bundled articles, with the first row each must
//! give (`tests/questions.tsv`). The expected rows were written from the
//! articles' text (`grep data/articles`): who said, denied, met … what,
//! as the article tells it. Questions whose true answer extraction misses
//! are left out rather than expected wrong.
//!
//! File format: `question<TAB>cell<TAB>cell…`, one question a line; `#`
//! starts a comment. A cell is compared with the first row's cell in the
//! same column (hidden `_` columns left out): equal, or, when it ends in
//! `…`, a prefix; `*` matches anything. Columns past the last expected cell
//! are not checked.

use std::path::Path;

use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::render::human;
use newsgraph::store::Graph;
use newsgraph::{question, workspace};

fn graph() -> Graph {
    let mut g = Graph::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
    let report = workspace::ingest(&mut g, &[dir], false);
    assert!(report.ingested > 200, "{report}");
    g
}

fn matches(expected: &str, got: &str) -> bool {
    expected == "*"
        || expected == got
        || expected
            .strip_suffix('…')
            .is_some_and(|p| got.starts_with(p))
}

#[test]
fn questions_give_the_rows_the_articles_tell() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/questions.tsv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut g = graph();
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        count += 1;
        let mut cells = line.split('\t');
        let q = cells.next().unwrap_or_default();
        let expected: Vec<&str> = cells.collect();
        let exp = match question::expand(q) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("line {}: {q}: not understood: {e}", n + 1));
                continue;
            }
        };
        let out = match query::run(&mut g, &exp.query, &Params::new(), &QueryOptions::default()) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!(
                    "line {}: {q}: query failed: {}\n  {}",
                    n + 1,
                    e.render(&exp.query),
                    exp.query
                ));
                continue;
            }
        };
        let visible: Vec<usize> = (0..out.columns.len())
            .filter(|i| !out.columns[*i].starts_with('_'))
            .collect();
        let Some(row) = out.rows.first() else {
            failures.push(format!("line {}: {q}: no rows\n  {}", n + 1, exp.query));
            continue;
        };
        let got: Vec<String> = visible.iter().map(|i| human(&g, &row[*i])).collect();
        let ok =
            expected.len() <= got.len() && expected.iter().zip(&got).all(|(e, g)| matches(e, g));
        if !ok {
            failures.push(format!(
                "line {}: {q}\n  expected: {}\n  got:      {}",
                n + 1,
                expected.join(" | "),
                got.join(" | ")
            ));
        }
    }
    assert!(count >= 60, "only {count} questions in {}", file.display());
    assert!(
        failures.is_empty(),
        "{} of {count} questions gave another first row:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn unknown_questions_suggest_forms_that_answer() {
    let mut g = graph();
    for q in [
        "who slammed Trump",
        "what countries appear with Brexit",
        "when did Putin and Ukraine disagree",
        "who talks about Kursk the most",
    ] {
        let e = question::expand(q).unwrap_err();
        assert_eq!(e.suggestions.len(), 3, "{q}: {:?}", e.suggestions);
        // every suggestion is understood, and at least one answers
        let mut answered = false;
        for s in &e.suggestions {
            let x = question::expand(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            let out = query::run(&mut g, &x.query, &Params::new(), &QueryOptions::default())
                .unwrap_or_else(|e| panic!("{s}: {}", e.render(&x.query)));
            answered |= !out.rows.is_empty();
        }
        assert!(answered, "{q}: no suggestion answers: {:?}", e.suggestions);
    }
}

/// "how is X connected to Y" on the seed article: each hop with its
/// relationship and the article sentence behind it, paths that chain from
/// X to Y over meaningful links only.
#[test]
fn connection_questions_explain_each_hop_with_its_sentence() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/2025-04-26-kursk.txt");
    let article = std::fs::read_to_string(&seed).unwrap();
    let mut g = Graph::new();
    workspace::ingest(&mut g, &[seed], false);
    let exp = question::expand("how is Gerasimov connected to Zelenskiy").unwrap();
    let out = query::run(&mut g, &exp.query, &Params::new(), &QueryOptions::default()).unwrap();
    assert_eq!(
        out.columns,
        [
            "path", "step", "evidence", "support", "_article", "_from", "_to"
        ]
    );
    assert!(!out.rows.is_empty());
    let cell = |r: &Vec<query::Value>, i: usize| human(&g, &r[i]);
    let mut by_path: std::collections::BTreeMap<String, Vec<&Vec<query::Value>>> =
        Default::default();
    for r in &out.rows {
        by_path.entry(cell(r, 0)).or_default().push(r);
        // each step: its ends and the relationship, meaningful links only
        let step = cell(r, 1);
        assert!(
            step.starts_with(&cell(r, 5)) && step.ends_with(&cell(r, 6)),
            "{step}"
        );
        assert!(
            step.contains("-[") && !step.contains("MENTIONED_IN") && !step.contains("REPORTED_IN"),
            "{step}"
        );
        // the evidence is a sentence of the article
        let sentence = cell(r, 2);
        assert!(article.contains(&sentence), "{sentence}");
        assert!(cell(r, 3).parse::<usize>().unwrap() >= 1);
        assert_eq!(cell(r, 4), "2025-04-26-kursk.txt");
    }
    assert!(by_path.len() <= 3);
    for (_, hops) in by_path {
        assert_eq!(cell(hops[0], 5), "Valery Gerasimov");
        assert_eq!(cell(hops[hops.len() - 1], 6), "Volodymyr Zelenskiy");
        for w in hops.windows(2) {
            assert_eq!(cell(w[0], 6), cell(w[1], 5), "steps chain");
        }
    }
}
