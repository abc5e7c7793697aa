//! The real binary, end to end: extraction of the seed article, ingest and
//! query through a snapshot file, bad input, the REPL reading from a pipe.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::seed_snapshot;

fn articles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles")
}

fn seed() -> PathBuf {
    articles().join("2025-04-26-kursk.txt")
}

fn newsgraph() -> Command {
    let mut c = Command::cargo_bin("newsgraph").unwrap();
    // Keep tests away from the user's cache and history.
    c.env(
        "NEWSGRAPH_CACHE",
        std::env::temp_dir().join("newsgraph-test-cache"),
    );
    c.env(
        "NEWSGRAPH_HISTORY",
        std::env::temp_dir().join("newsgraph-test-history"),
    );
    c
}

fn norm(s: &str) -> String {
    s.to_lowercase()
}

fn entity<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    let name = norm(name);
    doc["entities"].as_array()?.iter().find(|e| {
        norm(e["name"].as_str().unwrap_or("")) == name
            || e["aliases"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| norm(x.as_str().unwrap_or("")) == name))
    })
}

fn speakers(claim: &Value) -> Vec<String> {
    match &claim["speaker"] {
        Value::String(s) => vec![norm(s)],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str()).map(norm).collect(),
        _ => vec![],
    }
}

fn has_claim(doc: &Value, speaker: &[&str], stance: &str, words: &[&str]) -> bool {
    doc["claims"].as_array().is_some_and(|cs| {
        cs.iter().any(|c| {
            let who = speakers(c);
            let content = norm(c["content"].as_str().unwrap_or(""));
            speaker
                .iter()
                .any(|s| who.iter().any(|w| w.contains(&norm(s))))
                && c["stance"] == stance
                && words.iter().all(|w| content.contains(w))
        })
    })
}

#[test]
fn extract_finds_the_seed_articles_people_places_and_claims() {
    let out = newsgraph()
        .args(["extract", "--format", "json"])
        .arg(seed())
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).expect("one JSON document");
    assert_eq!(doc["article"], "2025-04-26-kursk.txt");
    assert_eq!(doc["date"], "2025-04-26");
    for p in [
        "Vladimir Putin",
        "Valery Gerasimov",
        "Volodymyr Zelenskiy",
        "Donald Trump",
    ] {
        let e = entity(&doc, p).unwrap_or_else(|| panic!("person {p} missing"));
        assert_eq!(e["type"], "person", "{p}");
    }
    for p in [
        "Russia",
        "Ukraine",
        "North Korea",
        "Kursk",
        "Belgorod",
        "Gornal",
    ] {
        let e = entity(&doc, p).unwrap_or_else(|| panic!("place {p} missing"));
        assert_eq!(e["type"], "place", "{p}");
    }
    assert!(
        has_claim(&doc, &["ukraine", "kyiv"], "deny", &["expelled", "kursk"]),
        "Kyiv's denial"
    );
    assert!(
        has_claim(&doc, &["russia"], "deny", &["weapons"]),
        "Russia's denial of weapons transfers"
    );
    assert!(
        has_claim(&doc, &["north korea"], "deny", &["weapons"]),
        "North Korea's denial of weapons transfers"
    );
    assert!(
        has_claim(&doc, &["russia"], "confirm", &["north korean", "kursk"]),
        "Russia's confirmation"
    );
}

#[test]
fn ingest_then_query_through_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("seed.ngs");
    newsgraph()
        .args(["ingest"])
        .arg(seed())
        .arg("--out")
        .arg(&snap)
        .assert()
        .success()
        .stderr(predicate::str::contains("ingested 1 of 1 files"));
    let out = newsgraph()
        .args(["query", "--format", "csv", "--snapshot"])
        .arg(&snap)
        .arg("MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name AS who, c.text AS what ORDER BY who")
        .assert()
        .success();
    let text = norm(&String::from_utf8_lossy(&out.get_output().stdout));
    assert!(text.starts_with("who,what\r\n"), "{text}");
    assert!(
        text.lines()
            .any(|l| (l.contains("ukrain") || l.contains("kyiv")) && l.contains("expel")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("russia") && l.contains("weapon")),
        "{text}"
    );

    // The query can also come from stdin, and JSON is valid JSON.
    let out = newsgraph()
        .args(["query", "--format", "json", "--snapshot"])
        .arg(&snap)
        .write_stdin("MATCH (p:Person) RETURN count(*) AS people")
        .assert()
        .success();
    let rows: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(rows[0]["people"].as_i64().unwrap() >= 4, "{rows}");

    // Stats read the same file.
    newsgraph()
        .arg("stats")
        .arg(&snap)
        .assert()
        .success()
        .stdout(predicate::str::contains(":Claim"))
        .stdout(predicate::str::is_match(r"\d+ connected parts \(largest \d+ nodes").unwrap());
}

#[test]
fn a_bad_query_fails_with_position_and_caret() {
    let dir = tempfile::tempdir().unwrap();
    let snap = seed_snapshot(dir.path());
    newsgraph()
        .args(["query", "--snapshot"])
        .arg(&snap)
        .arg("MATCH (n:Person RETURN n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 1, column").and(predicate::str::contains("^")));
}

#[test]
fn a_bad_article_among_good_ones_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.txt");
    std::fs::write(&bad, [0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96, 0x00, 0x00]).unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let good =
        articles().join("wikinews_2015-08-21_north-korea-puts-military-in-quasi-state-of-war.txt");
    let snap = dir.path().join("mixed.ngs");
    newsgraph()
        .arg("ingest")
        .arg(seed())
        .arg(&bad)
        .arg(&good)
        .arg(&empty)
        .arg(dir.path().join("missing.txt"))
        .arg("--out")
        .arg(&snap)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("broken.txt")
                .and(predicate::str::contains("missing.txt"))
                .and(predicate::str::contains("ingested 2 of 5 files")),
        );
    let out = newsgraph()
        .args(["query", "--format", "plain", "--snapshot"])
        .arg(&snap)
        .arg("MATCH (a:Article) RETURN a.file ORDER BY a.file")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn a_corrupt_snapshot_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("junk.ngs");
    std::fs::write(&snap, b"NGRAPH\r\n\x01\x00").unwrap();
    newsgraph()
        .args(["query", "--snapshot"])
        .arg(&snap)
        .arg("MATCH (n) RETURN n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("junk.ngs").and(predicate::str::contains("truncated")));
}

#[test]
fn the_repl_reads_statements_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("seed.ngs");
    newsgraph()
        .arg("ingest")
        .arg(seed())
        .arg("--out")
        .arg(&snap)
        .assert()
        .success();
    let out = newsgraph()
        .arg("repl")
        .arg(&snap)
        .write_stdin(":stats\nMATCH (p:Person)\nWHERE p.name CONTAINS 'Putin'\nRETURN p.name;\nwho denied what\n")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("nodes"), "{text}");
    assert!(text.lines().any(|l| l == "Vladimir Putin"), "{text}");
    assert!(
        text.lines().any(|l| {
            let l = norm(l);
            (l.contains("ukrain") || l.contains("kyiv")) && l.contains("expel")
        }),
        "{text}"
    );
    // The first error ends a piped session with a non-zero status; what
    // came before it was still run.
    newsgraph()
        .arg("repl")
        .arg(&snap)
        .write_stdin("MATCH (n) RETURN count(*);\nRETURN 1 +;\nRETURN 2;\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("^"));
    // A failing :load keeps the graph.
    newsgraph()
        .arg("repl")
        .arg(&snap)
        .write_stdin(":load /nonexistent.ngs\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("graph unchanged"));
}

#[test]
fn profile_prints_rows_then_the_plan_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("seed.ngs");
    newsgraph()
        .args(["ingest", seed().to_str().unwrap(), "--out"])
        .arg(&snap)
        .assert()
        .success();
    newsgraph()
        .args(["query", "--format", "plain", "--snapshot"])
        .arg(&snap)
        .arg("PROFILE MATCH (p:Person {name: 'Vladimir Putin'})-[:SAID]->(c:Claim) RETURN count(c) AS n")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^[1-9]\d*$").unwrap())
        .stdout(predicate::str::contains("NodeByNameSeek"))
        .stdout(predicate::str::contains("rows="));
}

#[test]
fn explain_prints_the_plan_once() {
    let out = newsgraph()
        .args(["query", "--snapshot"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-v1.ngs"))
        .arg("EXPLAIN MATCH (p:Person {name: 'Vladimir Putin'})-[:SAID]->(c:Claim) RETURN c.text")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("NodeByNameSeek").count(), 1, "{text}");
}

#[test]
fn queries_obey_a_time_limit_and_a_hop_bound() {
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-v1.ngs");
    let long = "UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b \
                UNWIND range(1, 1000) AS c RETURN count(*)";
    newsgraph()
        .args(["query", "--timeout", "0.2", "--snapshot"])
        .arg(&snap)
        .arg(long)
        .assert()
        .failure()
        .stderr(predicate::str::contains("timed out"));
    // The same limit set in the REPL; the session reports it and goes on.
    newsgraph()
        .arg("repl")
        .arg(&snap)
        .write_stdin(format!(":timeout 0.2\n{long};\n"))
        .assert()
        .failure()
        .stdout(predicate::str::contains("time limit: 0.2 s"))
        .stderr(predicate::str::contains("timed out"));
    // A bound of 1 hop makes `*` patterns stop after one relationship.
    let hops = |bound: &str| {
        let out = newsgraph()
            .args([
                "query",
                "--format",
                "plain",
                "--max-hops",
                bound,
                "--snapshot",
            ])
            .arg(&snap)
            .arg("MATCH (a)-[*]->(b) RETURN count(*)")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    assert!(hops("1") <= hops("15"));
    assert_eq!(hops("1"), {
        let out = newsgraph()
            .args(["query", "--format", "plain", "--snapshot"])
            .arg(&snap)
            .arg("MATCH (a)-->(b) RETURN count(*)")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u64>()
            .unwrap()
    });
}

/// `--version` names the bundled time-zone database's release.
#[test]
fn version_names_the_time_zone_data() {
    newsgraph().arg("--version").assert().success().stdout(
        predicate::str::is_match(r"^newsgraph \S+ \(time zones: IANA \d{4}[a-z]\)\n$").unwrap(),
    );
}

/// A date-time in a named zone, from the command line: the zone's rules
/// (summer time in July), and a daylight-saving gap moved forward.
#[test]
fn named_time_zones_from_the_command_line() {
    newsgraph()
        .args([
            "query",
            "--format",
            "csv",
            "RETURN datetime('2015-07-21T21:40:32.142[Europe/London]') AS a, \
             datetime({year: 2017, month: 3, day: 26, hour: 2, minute: 30, timezone: 'Europe/Stockholm'}) AS b",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2015-07-21T21:40:32.142+01:00[Europe/London]",
        ))
        .stdout(predicate::str::contains("2017-03-26T03:30+02:00[Europe/Stockholm]"));
}

fn query_out(snap: &Path, format: &str, q: &str) -> String {
    let out = newsgraph()
        .args(["query", "--format", format, "--snapshot"])
        .arg(snap)
        .arg(q)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn json_keeps_column_order_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let snap = seed_snapshot(dir.path());
    let q = "MATCH (p:Person {name: 'Vladimir Putin'})-[r:HOLDS_ROLE]->(c:Country) \
             RETURN p.name AS zeta, 2 AS beta, 1.5 AS alpha, true AS yes, null AS nothing, \
             date('2025-04-26') AS day, c AS country, r AS role, [1, 'x'] AS list";
    let text = query_out(&snap, "json", q);
    let rows: Value = serde_json::from_str(&text).unwrap();
    let row = rows[0].as_object().unwrap();
    let keys: Vec<&str> = row.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "zeta", "beta", "alpha", "yes", "nothing", "day", "country", "role", "list"
        ],
        "{text}"
    );
    // the text itself keeps the order too (not only this parser)
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(
        at("zeta") < at("beta") && at("beta") < at("alpha"),
        "{text}"
    );
    assert_eq!(row["zeta"], "Vladimir Putin");
    assert_eq!(row["beta"], 2);
    assert_eq!(row["alpha"], 1.5);
    assert_eq!(row["yes"], true);
    assert!(row["nothing"].is_null());
    assert_eq!(row["day"], "2025-04-26");
    let country = row["country"].as_object().unwrap();
    assert!(country["id"].is_u64(), "{text}");
    assert!(
        country["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "Country")
    );
    assert_eq!(country["properties"]["name"], "Russia");
    let role = row["role"].as_object().unwrap();
    assert_eq!(role["type"], "HOLDS_ROLE");
    assert!(role["id"].is_u64() && role["start"].is_u64() && role["end"].is_u64());
    assert_eq!(role["properties"]["title"], "President");
    assert_eq!(row["list"], serde_json::json!([1, "x"]));
}

#[test]
fn jsonl_gives_one_row_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let snap = seed_snapshot(dir.path());
    let text = query_out(
        &snap,
        "jsonl",
        "MATCH (a:Actor)-[r:DENIED]->(c:Claim) RETURN a.name AS who, c.text AS what, c.date AS day ORDER BY who, what",
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["who", "what", "day"], "{l}");
        assert_eq!(v["day"], "2025-04-26", "{l}");
    }
    assert!(text.ends_with('\n') && !text.contains("\n\n"), "{text}");
    // no rows: no lines
    assert_eq!(query_out(&snap, "jsonl", "MATCH (n:Nothing) RETURN n"), "");
}

#[test]
fn csv_follows_rfc_4180_with_null_apart_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let snap = seed_snapshot(dir.path());
    let text = query_out(
        &snap,
        "csv",
        "RETURN date('2025-01-02') AS day, null AS nothing, '' AS empty, 'a,b' AS comma, \
         'say \"hi\"' AS quote, 'two\nlines' AS lines, 7 AS n, [1, null] AS list",
    );
    assert_eq!(
        text,
        "day,nothing,empty,comma,quote,lines,n,list\r\n\
         2025-01-02,,\"\",\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",7,\"[1, null]\"\r\n"
    );
    // a claim's date is unquoted ISO
    let text = query_out(
        &snap,
        "csv",
        "MATCH (:Actor)-[:DENIED]->(c:Claim) RETURN c.date AS day LIMIT 1",
    );
    assert_eq!(text, "day\r\n2025-04-26\r\n");
}

#[test]
fn tables_show_null_apart_from_the_empty_string() {
    let dir = tempfile::tempdir().unwrap();
    let snap = seed_snapshot(dir.path());
    // not a terminal: a plain `null`, no escape codes
    let text = query_out(&snap, "table", "RETURN null AS nothing, '' AS empty");
    assert!(text.contains("│ null    ┆       │"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
}
