//! The graph as tables, end to end with the real binary: `extract --format
//! jsonl` streams, `export --format parquet|neo4j-csv` writes one table per
//! label and type, and `import --parquet` gives back the same graph (counts
//! per label and type, the same answers to the README tour's queries).

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::snapshot;
use newsgraph::store::Graph;
use serde_json::Value;

mod common;

use common::tour_queries;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn articles() -> PathBuf {
    root().join("data/articles")
}

fn newsgraph() -> Command {
    let mut c = Command::cargo_bin("newsgraph").unwrap();
    c.env(
        "NEWSGRAPH_CACHE",
        std::env::temp_dir().join("newsgraph-test-cache"),
    );
    c
}

fn answers(g: &mut Graph, q: &str) -> Vec<String> {
    let out = query::run(g, q, &Params::new(), &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {}", e.render(q)));
    out.rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

#[test]
fn jsonl_streams_one_line_per_article_and_reports_bad_ones_without_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"\x00\x01binary").unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let a = articles().join("2025-04-26-kursk.txt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(articles())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files.truncate(40);
    // paths on stdin, a bad one and a missing one among them
    let mut stdin = String::new();
    for p in files.iter().take(20) {
        stdin.push_str(&format!("{}\n", p.display()));
    }
    stdin.push_str(&format!("{}\n\n/no/such/article.txt\n", bad.display()));
    for p in files.iter().skip(20) {
        stdin.push_str(&format!("{}\n", p.display()));
    }
    let out = newsgraph()
        .args(["extract", "--format", "jsonl"])
        .arg(&a)
        .arg("-")
        .arg(&empty)
        .write_stdin(stdin)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON document"))
        .collect();
    // every path once, in the order given
    assert_eq!(lines.len(), 1 + 40 + 2 + 1);
    let paths: Vec<&str> = lines.iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(paths[0], a.to_str().unwrap());
    assert_eq!(paths[1], files[0].to_str().unwrap());
    assert_eq!(paths[21], bad.to_str().unwrap());
    assert_eq!(paths[22], "/no/such/article.txt");
    assert_eq!(paths[43], empty.to_str().unwrap());
    let errors: Vec<&Value> = lines.iter().filter(|l| l.get("error").is_some()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0]["error"].as_str().unwrap().contains("binary"));
    assert!(errors[2]["error"].as_str().unwrap().contains("empty"));
    for e in &errors {
        assert!(
            stderr.contains(e["path"].as_str().unwrap()),
            "stderr names {}: {stderr}",
            e["path"]
        );
    }
    // an article line: the FORMAT.md document plus provenance spans
    let first = &lines[0];
    assert_eq!(first["article"], "2025-04-26-kursk.txt");
    assert_eq!(first["date"], "2025-04-26");
    let text = first["text"].as_str().unwrap();
    assert!(std::fs::read_to_string(&a).unwrap().contains(&text[..200]));
    let spans = first["sentences"].as_array().unwrap();
    assert!(spans.len() > 5);
    let claims = first["claims"].as_array().unwrap();
    assert!(!claims.is_empty());
    for c in claims {
        let s = c["sentence"].as_u64().unwrap() as usize;
        let span = spans[s].as_array().unwrap();
        let (b, e) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        let sentence = &text[b..e];
        // the content's first word is in the sentence it came from
        let word = c["content"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        assert!(
            sentence.contains(word),
            "{word:?} not in sentence {s}: {sentence:?}"
        );
    }
    // the same document as `--format json`
    let json = newsgraph()
        .args(["extract", "--format", "json"])
        .arg(&a)
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    for k in ["article", "date", "entities", "claims", "events"] {
        assert_eq!(first[k], doc[k], "{k}");
    }
}

#[test]
fn parquet_round_trip_keeps_counts_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ngs");
    newsgraph()
        .arg("ingest")
        .arg(articles())
        .arg("--out")
        .arg(&a)
        .assert()
        .success();
    let tables = dir.path().join("tables");
    newsgraph()
        .args(["export", "--format", "parquet", "--snapshot"])
        .arg(&a)
        .arg(&tables)
        .assert()
        .success();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(tables.join("schema.json")).unwrap())
            .unwrap();
    assert_eq!(schema["format"], "newsgraph-tables");
    for t in schema["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(schema["relationships"].as_array().unwrap())
    {
        assert!(tables.join(t["file"].as_str().unwrap()).is_file(), "{t}");
    }
    let b = dir.path().join("b.ngs");
    newsgraph()
        .args(["import", "--parquet"])
        .arg(&tables)
        .arg("--out")
        .arg(&b)
        .assert()
        .success();
    let (mut ga, _) = snapshot::load(&a).unwrap();
    let (mut gb, _) = snapshot::load(&b).unwrap();
    assert!(ga.label_count(ga.symbol("Claim").unwrap()) > 100);
    assert_eq!(ga.node_count(), gb.node_count());
    assert_eq!(ga.edge_count(), gb.edge_count());
    let mut la = ga.label_counts();
    let mut lb = gb.label_counts();
    la.sort();
    lb.sort();
    assert_eq!(la, lb);
    let mut ta = ga.type_counts();
    let mut tb = gb.type_counts();
    ta.sort();
    tb.sort();
    assert_eq!(ta, tb);
    let queries = tour_queries();
    assert!(queries.len() >= 6, "{queries:?}");
    let mut who_denied = 0;
    for q in &queries {
        let x = answers(&mut ga, q);
        if q.contains("DENIED") {
            who_denied += x.len();
        }
        assert_eq!(x, answers(&mut gb, q), "{q}");
    }
    assert!(who_denied > 0, "the tour's denial queries find rows");
    // provenance survives: a claim's sentence is in its article's text
    let q = "MATCH (c:Claim) RETURN count(*) AS n";
    assert_eq!(answers(&mut ga, q), answers(&mut gb, q));
    let claim = gb.symbol("Claim").unwrap();
    let text_k = gb.symbol("text").unwrap();
    let mut checked = 0;
    for n in gb.nodes_with_label(claim).take(50) {
        let p = *gb.node(n).unwrap().provenance().expect("provenance");
        let art = gb.node(p.article).unwrap();
        let text = art.prop(text_k).unwrap().as_str().unwrap();
        assert!(text.get(p.start as usize..p.end as usize).is_some());
        checked += 1;
    }
    assert_eq!(checked, 50);

    // the same export again is the same bytes (and replaces the folder)
    let before = std::fs::read(tables.join("nodes/Claim.parquet")).unwrap();
    newsgraph()
        .args(["export", "--snapshot"])
        .arg(&a)
        .arg(&tables)
        .assert()
        .success();
    assert_eq!(
        before,
        std::fs::read(tables.join("nodes/Claim.parquet")).unwrap()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Neo4j's CSV: typed headers, one file per label and type, the command
    let csv = dir.path().join("neo4j");
    newsgraph()
        .args(["export", "--format", "neo4j-csv", "--snapshot"])
        .arg(&a)
        .arg(&csv)
        .assert()
        .success();
    let person = std::fs::read_to_string(csv.join("nodes/Person.csv")).unwrap();
    let header = person.lines().next().unwrap();
    assert!(
        header.starts_with("node_id:ID,:LABEL,name:string,"),
        "{header}"
    );
    assert!(header.contains("aliases:string[]"), "{header}");
    assert!(header.ends_with("prov_end:long"), "{header}");
    let denied = std::fs::read_to_string(csv.join("relationships/DENIED.csv")).unwrap();
    assert!(denied.starts_with(":START_ID,:END_ID,:TYPE,prov_article:long"));
    assert_eq!(
        denied.lines().count() - 1,
        ga.type_count(ga.symbol("DENIED").unwrap())
    );
    assert!(denied.lines().nth(1).unwrap().contains(",\"DENIED\","));
    let script = std::fs::read_to_string(csv.join("import.sh")).unwrap();
    assert!(script.contains("neo4j-admin database import full"));
    assert!(script.contains("--relationships='relationships/DENIED.csv'"));
}

#[test]
fn bad_tables_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.ngs");
    // no schema
    newsgraph()
        .args(["import", "--parquet"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("schema.json"));
    // a schema naming a file that is not Parquet
    std::fs::create_dir_all(dir.path().join("nodes")).unwrap();
    std::fs::write(dir.path().join("nodes/P.parquet"), b"not parquet").unwrap();
    let mut f = std::fs::File::create(dir.path().join("schema.json")).unwrap();
    write!(
        f,
        r#"{{"format": "newsgraph-tables", "version": 1, "files": "parquet",
            "nodes": [{{"label": "P", "file": "nodes/P.parquet",
                        "columns": [{{"name": "node_id", "type": "int64"}}]}}],
            "relationships": []}}"#
    )
    .unwrap();
    newsgraph()
        .args(["import", "--parquet"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("nodes/P.parquet"));
    assert!(!out.exists());
    // a file outside the folder is refused
    std::fs::write(
        dir.path().join("schema.json"),
        r#"{"format": "newsgraph-tables", "version": 1, "files": "parquet",
            "nodes": [{"label": "P", "file": "../P.parquet",
                       "columns": [{"name": "node_id", "type": "int64"}]}],
            "relationships": []}"#,
    )
    .unwrap();
    newsgraph()
        .args(["import", "--parquet"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("relative path inside"));
    // export refuses to replace a folder that is not an export
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let snap = dir.path().join("s.ngs");
    newsgraph()
        .arg("ingest")
        .arg(articles().join("2025-04-26-kursk.txt"))
        .arg("--out")
        .arg(&snap)
        .assert()
        .success();
    newsgraph()
        .args(["export", "--snapshot"])
        .arg(&snap)
        .arg(&other)
        .assert()
        .failure()
        .stderr(predicates::str::contains("no schema.json"));
    assert_eq!(
        std::fs::read_to_string(other.join("keep.txt")).unwrap(),
        "mine"
    );
}
