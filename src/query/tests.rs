//! Tests of the query engine: parse round-trips over the TCK, no panics on
//! odd input, and end-to-end queries.

use super::*;
use std::path::PathBuf;

fn tck_dir() -> PathBuf {
    std::env::var("NEWSGRAPH_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cypher-tck/tck/features")
        })
}

fn feature_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

/// Queries in `"""` blocks after `executing query:` / `having executed:`.
pub(crate) fn tck_queries() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    feature_files(&tck_dir(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let l = lines[i].trim();
            if (l.ends_with("executing query:") || l.ends_with("having executed:"))
                && lines.get(i + 1).is_some_and(|n| n.trim() == "\"\"\"")
            {
                let mut q = Vec::new();
                i += 2;
                while i < lines.len() && lines[i].trim() != "\"\"\"" {
                    q.push(lines[i].trim());
                    i += 1;
                }
                out.push((f.clone(), q.join("\n")));
            }
            i += 1;
        }
    }
    out
}

#[test]
fn tck_queries_round_trip() {
    let qs = tck_queries();
    if qs.is_empty() {
        println!("TCK folder {} absent: skipping", tck_dir().display());
        return;
    }
    let mut parsed = 0;
    let mut failed = Vec::new();
    for (f, q) in &qs {
        let Ok(ast) = parser::parse_query(q) else {
            continue;
        };
        parsed += 1;
        let printed = ast.to_string();
        match parser::parse_query(&printed) {
            Ok(again) if again == ast => {}
            Ok(_) => failed.push(format!(
                "{}: {q}\n  printed: {printed}\n  (different tree)",
                f.display()
            )),
            Err(e) => failed.push(format!(
                "{}: {q}\n  printed: {printed}\n  {}",
                f.display(),
                e.message
            )),
        }
    }
    println!("{parsed} of {} TCK queries parse", qs.len());
    for f in failed.iter().take(20) {
        println!("{f}");
    }
    assert!(
        failed.is_empty(),
        "{} queries do not round-trip",
        failed.len()
    );
}

#[test]
#[ignore]
fn print_unparsed_tck_queries() {
    for (f, q) in tck_queries() {
        if let Err(e) = parser::parse_query(&q) {
            println!("{}:\n{q}\n  {}\n", f.display(), e.render(&q));
        }
    }
}
