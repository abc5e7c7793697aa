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

/// "how is X connected to Y" on the seed article: a row a path, its
/// route over meaningful links from X to Y, and each hop's sentence.
#[test]
fn connection_questions_explain_each_hop_with_its_sentence() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/2025-04-26-kursk.txt");
    let article = std::fs::read_to_string(&seed).unwrap();
    let mut g = Graph::new();
    workspace::ingest(&mut g, &[seed], false);
    let exp = question::expand("how is Gerasimov connected to Zelenskiy").unwrap();
    let out = query::run(&mut g, &exp.query, &Params::new(), &QueryOptions::default()).unwrap();
    assert_eq!(out.columns, ["path", "route", "evidence", "support"]);
    assert!(!out.rows.is_empty() && out.rows.len() <= 3);
    for (i, r) in out.rows.iter().enumerate() {
        let cell = |k: usize| human(&g, &r[k]);
        assert_eq!(cell(0), (i + 1).to_string(), "ranked");
        let route = cell(1);
        assert!(
            (route.starts_with("Valery Gerasimov -[") || route.starts_with("Valery Gerasimov <-["))
                && route.ends_with(" Volodymyr Zelenskiy"),
            "{route}"
        );
        // meaningful links only
        assert!(
            !route.contains("MENTIONED_IN") && !route.contains("REPORTED_IN"),
            "{route}"
        );
        // one numbered sentence of the article a hop
        let hops = route.matches("-[").count();
        let evidence = cell(2);
        let lines: Vec<&str> = evidence.lines().collect();
        assert_eq!(lines.len(), hops, "{evidence}");
        for (k, line) in lines.iter().enumerate() {
            let sentence = line
                .strip_prefix(&format!("{}. ", k + 1))
                .unwrap_or_else(|| panic!("{line}"));
            assert!(article.contains(sentence), "{sentence}");
        }
        assert!(cell(3).parse::<usize>().unwrap() >= 1);
    }
}
