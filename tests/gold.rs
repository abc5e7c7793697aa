//! Extraction quality and the analyst's questions, measured with the shared
//! tools: the dev gold scored by `../shared/tools/score.py` must stay at or
//! above the floors, and every question of `../shared/qa/seed.json`
//! must be answered by the REPL. Both skip, saying so, where `../shared` is
//! absent (a user's clone); CI has it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSGRAPH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("gold/dev").is_dir() && dir.join("tools/score.py").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: no gold and tools at {} (set NEWSGRAPH_SHARED)",
            dir.display()
        );
        None
    }
}

fn newsgraph() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsgraph"));
    c.env(
        "NEWSGRAPH_HISTORY",
        std::env::temp_dir().join("newsgraph-test-history"),
    );
    c
}

/// The F1 (last column) of a score table row such as `claims strict 130 83 68 0.82 0.52 0.64`,
/// or the first number of `time accuracy 0.75 over 28 matched`.
fn figure(table: &str, row: &str, last: bool) -> f64 {
    let line = table
        .lines()
        .find(|l| l.starts_with(row))
        .unwrap_or_else(|| panic!("no '{row}' row in:\n{table}"));
    let nums: Vec<f64> = line[row.len()..]
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let v = if last { nums.last() } else { nums.first() };
    *v.unwrap_or_else(|| panic!("no figure in '{line}'"))
}

#[test]
fn dev_gold_scores_stay_above_the_floors() {
    let Some(shared) = shared() else { return };
    let out = newsgraph()
        .args(["eval", "--gold"])
        .arg(shared.join("gold/dev"))
        .arg("--articles")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles"))
        .arg("--scorer")
        .arg(shared.join("tools/score.py"))
        .output()
        .expect("run newsgraph eval");
    let table = String::from_utf8_lossy(&out.stdout);
    println!("{table}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entities = figure(&table, "entities typed", true);
    let claims = figure(&table, "claims strict", true);
    let events = figure(&table, "events", true);
    let time = figure(&table, "time accuracy", false);
    assert!(entities >= 0.76, "entities typed F1 {entities} < 0.76");
    assert!(claims >= 0.68, "claims strict F1 {claims} < 0.68");
    assert!(events >= 0.43, "events F1 {events} < 0.43");
    assert!(time >= 0.62, "time accuracy {time} < 0.62");
}

#[test]
fn the_analysts_questions_about_the_seed_are_answered() {
    let Some(shared) = shared() else { return };
    let qa = shared.join("qa/seed.json");
    let tool = shared.join("tools/qa.py");
    if !qa.is_file() || !tool.is_file() {
        eprintln!("skipped: no {} or {}", qa.display(), tool.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("all.ngs");
    let ok = newsgraph()
        .arg("ingest")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles"))
        .arg("--out")
        .arg(&snap)
        .status()
        .unwrap();
    assert!(ok.success());
    let cmd = format!(
        "{} repl {}",
        env!("CARGO_BIN_EXE_newsgraph"),
        snap.display()
    );
    let out = Command::new("python3")
        .arg(&tool)
        .arg(&qa)
        .arg("--cmd")
        .arg(cmd)
        .arg("--verbose")
        .output()
        .expect("run qa.py");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(out.status.success(), "not every question answered:\n{text}");
}
