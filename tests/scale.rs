//! One graph, two paths: the Spark job of `scale/` in local mode over the
//! bundled articles (plus one bad file), its Parquet tables imported with
//! `newsgraph import --parquet`, against `newsgraph ingest` of the same
//! folder: the same node count per label, relationship count per type, and
//! answers to the README tour's queries and questions; the bad file in the
//! job's error table. Then the graph's tables loaded into Kuzu with `COPY
//! FROM` give the same counts and who-denied-what rows.
//!
//! Needs `java` and `python3`; creates its own virtual environment under
//! `target/scale-venv` (kept between runs) with scale/requirements.txt.
//! Without them it says so on stderr and passes as skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::snapshot;
use newsgraph::store::Graph;
use newsgraph::tables::{Cell, ColType, Column, Kind, Table};
use serde_json::Value;

mod common;

use common::{tour_queries, tour_questions};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsgraph")
}

fn works(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// The venv's python with pyspark and kuzu, or why there is none.
fn venv() -> Result<PathBuf, String> {
    if !works(Command::new("java").arg("-version")) {
        return Err("no java on PATH".into());
    }
    if !works(Command::new("python3").arg("--version")) {
        return Err("no python3 on PATH".into());
    }
    let dir = root().join("target/scale-venv");
    let py = dir.join("bin/python");
    let ready = |py: &Path| works(Command::new(py).args(["-c", "import pyspark, kuzu"]));
    if ready(&py) {
        return Ok(py);
    }
    if !works(Command::new("python3").arg("-m").arg("venv").arg(&dir)) {
        return Err(format!("python3 -m venv {} failed", dir.display()));
    }
    let pip = Command::new(&py)
        .args(["-m", "pip", "install", "-q", "-r"])
        .arg(root().join("scale/requirements.txt"))
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.status.success() || !ready(&py) {
        return Err(format!(
            "pip install -r scale/requirements.txt failed: {}",
            String::from_utf8_lossy(&pip.stderr)
        ));
    }
    Ok(py)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn sorted_answers(g: &mut Graph, q: &str) -> Vec<String> {
    let out = query::run(g, q, &Params::new(), &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {}", e.render(q)));
    let mut rows: Vec<String> = out
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    rows.sort();
    rows
}

fn sorted_counts(v: Vec<(&str, usize)>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = v.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    v.sort();
    v
}

fn question(snap: &Path, q: &str) -> Vec<String> {
    let out = Command::new(bin())
        .arg("repl")
        .arg(snap)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(q.as_bytes())?;
            c.wait_with_output()
        })
        .expect("repl runs");
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

#[test]
fn spark_job_and_ingest_build_the_same_graph() {
    let py = match venv() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("SKIPPED spark_job_and_ingest_build_the_same_graph: {why}");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let articles = tmp.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    for e in std::fs::read_dir(root().join("data/articles")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, articles.join(p.file_name().unwrap())).unwrap();
        }
    }
    let bad = articles.join("zz-bad.txt");
    std::fs::write(&bad, b"\x00\x00 not an article").unwrap();

    let tables = tmp.path().join("tables");
    run(Command::new(&py)
        .arg(root().join("scale/job.py"))
        .args(["--master", "local[2]", "--articles"])
        .arg(&articles)
        .arg("--out")
        .arg(&tables)
        .arg("--binary")
        .arg(bin())
        .current_dir(tmp.path()));
    let spark = tmp.path().join("spark.ngs");
    run(Command::new(bin())
        .args(["import", "--parquet"])
        .arg(&tables)
        .arg("--out")
        .arg(&spark));
    let ingest = tmp.path().join("ingest.ngs");
    run(Command::new(bin())
        .arg("ingest")
        .arg(&articles)
        .arg("--out")
        .arg(&ingest));

    // partitioned by article date, bad article in the error table
    assert!(
        std::fs::read_dir(tables.join("nodes/Article.parquet"))
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("date=")),
        "Article table partitioned by date"
    );
    let errors = Table {
        kind: Kind::Nodes,
        name: "errors".into(),
        file: "errors".into(),
        rows: None,
        columns: ["path", "error"]
            .iter()
            .map(|n| Column {
                name: n.to_string(),
                property: Some(n.to_string()),
                ctype: ColType::String,
            })
            .collect(),
    };
    let mut errs = Vec::new();
    newsgraph::tables::parquet::read_table(&tables.join("errors"), &errors, &mut |_, _, r| {
        errs.push(r)
    })
    .unwrap();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0][0], Cell::Str(bad.to_string_lossy().into_owned()));
    assert!(matches!(&errs[0][1], Cell::Str(s) if s.contains("binary")));

    let (mut a, _) = snapshot::load(&ingest).unwrap();
    let (mut b, _) = snapshot::load(&spark).unwrap();
    assert!(a.node_count() > 5000);
    assert_eq!(
        sorted_counts(a.label_counts()),
        sorted_counts(b.label_counts())
    );
    assert_eq!(
        sorted_counts(a.type_counts()),
        sorted_counts(b.type_counts())
    );
    let queries = tour_queries();
    assert!(queries.len() >= 6);
    for q in &queries {
        assert_eq!(sorted_answers(&mut a, q), sorted_answers(&mut b, q), "{q}");
    }
    let questions = tour_questions();
    assert!(questions.len() >= 4, "{questions:?}");
    for q in &questions {
        let x = question(&ingest, q);
        assert!(!x.is_empty(), "{q}: no answer");
        assert_eq!(x, question(&spark, q), "{q}");
    }

    // Kuzu: COPY FROM the tables of the graph Spark built
    let export = tmp.path().join("export");
    run(Command::new(bin())
        .args(["export", "--format", "parquet", "--snapshot"])
        .arg(&spark)
        .arg(&export));
    let kuzu: Value = serde_json::from_str(&run(Command::new(&py)
        .arg(root().join("scale/kuzu_check.py"))
        .arg(&export)))
    .unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("schema.json")).unwrap())
            .unwrap();
    let mut nodes = 0;
    for t in schema["nodes"].as_array().unwrap() {
        let l = t["label"].as_str().unwrap();
        assert_eq!(kuzu["nodes"][l], t["rows"], "Kuzu nodes of {l}");
        nodes += t["rows"].as_u64().unwrap();
    }
    assert_eq!(nodes as usize, a.node_count());
    for (t, n) in a.type_counts() {
        assert_eq!(kuzu["relationships"][t], n, "Kuzu relationships of {t}");
    }
    let mut denied: Vec<Value> = query::run(
        &mut a,
        "MATCH (x)-[:DENIED]->(c:Claim) RETURN x.name, c.text",
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap()
    .rows
    .iter()
    .map(|r| {
        Value::Array(
            r.iter()
                .map(|v| match v {
                    query::Value::Str(s) => Value::from(s.to_string()),
                    query::Value::Null => Value::Null,
                    other => Value::from(format!("{other:?}")),
                })
                .collect(),
        )
    })
    .collect();
    denied.sort_by_key(|v| v.to_string());
    let mut kd = kuzu["denied"].as_array().unwrap().clone();
    kd.sort_by_key(|v| v.to_string());
    assert!(denied.len() >= 10);
    assert_eq!(kd, denied, "who denied what, Kuzu against newsgraph");
}
