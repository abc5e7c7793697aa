//! Helpers shared by the extraction tests: an article around a body, and
//! its claims as (speaker names, stance, content).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use newsgraph::extract::{Extraction, Extractor, Stance};

/// Extracts `body` as the body of an article dated `date`.
pub fn article(date: &str, body: &str) -> Extraction {
    let text = format!("date {date}\n\nA title line\n\n{body}\n");
    Extractor::new()
        .extract("t.txt", text.as_bytes())
        .expect("extracts")
}

/// (speaker names, stance, content) of every claim.
pub fn claims(x: &Extraction) -> Vec<(Vec<String>, Stance, String)> {
    x.claims
        .iter()
        .map(|c| (x.arg_names(&c.speaker), c.stance, c.content.clone()))
        .collect()
}

pub fn has_claim(x: &Extraction, speaker: &str, stance: Stance, content_has: &str) -> bool {
    claims(x).iter().any(|(sp, st, c)| {
        sp.iter().any(|s| s == speaker) && *st == stance && c.contains(content_has)
    })
}

#[track_caller]
pub fn assert_claim(x: &Extraction, speaker: &str, stance: Stance, content_has: &str) {
    assert!(
        has_claim(x, speaker, stance, content_has),
        "no claim ({speaker}, {stance:?}, …{content_has}…) in {:#?}",
        claims(x)
    );
}

/// A snapshot of the seed article, ingested by the real binary into `dir`.
pub fn seed_snapshot(dir: &Path) -> PathBuf {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/2025-04-26-kursk.txt");
    let snap = dir.join("seed.ngs");
    assert_cmd::Command::cargo_bin("newsgraph")
        .unwrap()
        .args(["ingest"])
        .arg(seed)
        .arg("--out")
        .arg(&snap)
        .assert()
        .success();
    snap
}

/// The lines of the README tour (between its markers).
fn tour_lines() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("<!-- tour:start -->").unwrap();
    let end = readme.find("<!-- tour:end -->").unwrap();
    readme[start..end].lines().map(String::from).collect()
}

/// The README tour's queries (the `newsgraph query "…"` blocks, EXPLAIN
/// left out: a plan names no data).
pub fn tour_queries() -> Vec<String> {
    tour_lines()
        .iter()
        .filter_map(|l| l.strip_prefix("$ newsgraph query "))
        .map(|l| l.trim_start_matches("--format jsonl "))
        .filter_map(|l| l.strip_prefix('"')?.strip_suffix('"'))
        .filter(|q| !q.starts_with("EXPLAIN"))
        .map(String::from)
        .collect()
}

/// The README tour's plain questions (the `echo "…" | newsgraph repl` blocks).
pub fn tour_questions() -> Vec<String> {
    tour_lines()
        .iter()
        .filter_map(|l| l.strip_prefix("$ echo \""))
        .filter_map(|l| l.strip_suffix("\" | newsgraph repl"))
        .map(String::from)
        .collect()
}
