//! The syntax core through the real binary: `train` (deterministic, accuracy
//! per epoch), `eval-syntax` and `eval-entities` (one line each), `parse`
//! (CoNLL-U with entities), and clear errors for missing or corrupted
//! model files and bad treebank lines.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nlp")
        .join(name)
}

fn newsgraph() -> Command {
    let mut c = Command::cargo_bin("newsgraph").unwrap();
    c.env(
        "NEWSGRAPH_CACHE",
        std::env::temp_dir().join("newsgraph-test-cache"),
    );
    c
}

/// Trains all three models on the tiny treebank into `dir`.
fn train_tiny(dir: &Path, seed: u64) {
    for what in ["tagger", "parser", "entities"] {
        newsgraph()
            .args(["train", what, "--data"])
            .arg(fixture("tiny.conllu"))
            .arg("--out")
            .arg(dir.join(format!("{what}.bin")))
            .args(["--seed", &seed.to_string()])
            .assert()
            .success()
            .stderr(predicate::str::contains("epoch"));
    }
}

#[test]
fn training_is_deterministic_and_the_tiny_treebank_is_learned() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    train_tiny(a.path(), 7);
    train_tiny(b.path(), 7);
    for what in ["tagger", "parser", "entities"] {
        let x = std::fs::read(a.path().join(format!("{what}.bin"))).unwrap();
        let y = std::fs::read(b.path().join(format!("{what}.bin"))).unwrap();
        assert!(x == y, "{what}: the same seed gave different bytes");
    }
    // trained on itself, the tiny treebank is tagged and parsed perfectly
    newsgraph()
        .arg("eval-syntax")
        .arg("--conllu")
        .arg(fixture("tiny.conllu"))
        .arg("--models")
        .arg(a.path())
        .assert()
        .success()
        .stdout("UPOS 100.00 XPOS 100.00 UAS 100.00 LAS 100.00\n");
}

/// Runs `newsgraph ARGS FILE` and checks its output is one line of `shape`.
fn one_line(args: &[&str], file: &str, shape: &str) -> String {
    let out = newsgraph().args(args).arg(fixture(file)).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let re = regex::Regex::new(shape).unwrap();
    assert!(re.is_match(&line), "{line:?}");
    line
}

#[test]
fn eval_lines_have_the_documented_shape() {
    one_line(
        &["eval-syntax", "--conllu"],
        "tiny.conllu",
        r"^UPOS \d+\.\d\d XPOS \d+\.\d\d UAS \d+\.\d\d LAS \d+\.\d\d\n$",
    );
    let line = one_line(
        &["eval-entities", "--iob2"],
        "tiny.iob2",
        r"^ENTITIES P \d\.\d{3} R \d\.\d{3} F1 \d\.\d{3}\n$",
    );
    // "Maria Lopez visited Boston": the shipped models find both names
    assert_eq!(line, "ENTITIES P 1.000 R 1.000 F1 1.000\n");
}

#[test]
fn parse_prints_conllu_with_a_tree_and_entities() {
    let out = newsgraph()
        .args(["parse", "-"])
        .write_stdin(
            "The Russian Defence Ministry said on Saturday that its troops had left Kursk.\n",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(rows.iter().all(|r| r.len() == 10), "{text}");
    let n = rows.len() as u32;
    assert!(
        rows.iter()
            .all(|r| r[6].parse::<u32>().is_ok_and(|h| h <= n))
    );
    assert_eq!(
        rows.iter().filter(|r| r[6] == "0").count(),
        1,
        "one root:\n{text}"
    );
    let said = rows.iter().find(|r| r[1] == "said").unwrap();
    assert_eq!(said[7], "root", "{text}");
    let ministry = rows.iter().find(|r| r[1] == "Ministry").unwrap();
    assert_eq!((ministry[6], ministry[7]), (said[0], "nsubj"), "{text}");
    let left = rows.iter().find(|r| r[1] == "left").unwrap();
    assert_eq!((left[6], left[7]), (said[0], "ccomp"), "{text}");
    let kursk = rows.iter().find(|r| r[1] == "Kursk").unwrap();
    assert!(kursk[9].contains("Entity=B-LOC"), "{text}");
    assert_eq!(rows.last().unwrap()[1], ".");
}

#[test]
fn missing_and_corrupted_models_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path(), 1);
    let parser = dir.path().join("parser.bin");
    let mut bytes = std::fs::read(&parser).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&parser, &bytes).unwrap();
    newsgraph()
        .arg("eval-syntax")
        .arg("--conllu")
        .arg(fixture("tiny.conllu"))
        .arg("--models")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("checksum").and(predicate::str::contains("panicked").not()),
        );
    std::fs::write(&parser, &bytes[..bytes.len() / 3]).unwrap();
    newsgraph()
        .args(["parse", "-", "--models"])
        .arg(dir.path())
        .write_stdin("A sentence.")
        .assert()
        .failure()
        .stderr(predicate::str::contains("truncated"));
    std::fs::remove_file(&parser).unwrap();
    newsgraph()
        .args(["parse", "-", "--models"])
        .arg(dir.path())
        .write_stdin("A sentence.")
        .assert()
        .failure()
        .stderr(predicate::str::contains("parser.bin"));
}

#[test]
fn a_bad_treebank_line_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.conllu");
    std::fs::write(
        &bad,
        "# text = x\n1\tx\tx\tNOUN\tNN\t_\t0\troot\t_\t_\n2\ty\ty\tWHAT\tNN\t_\t1\tdep\t_\t_\n",
    )
    .unwrap();
    newsgraph()
        .args(["train", "tagger", "--data"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("t.bin"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.conllu:3").and(predicate::str::contains("UPOS")));
    assert!(!dir.path().join("t.bin").exists());
}
