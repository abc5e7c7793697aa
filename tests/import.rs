//! Bulk CSV import: a good file round-trips through a snapshot and answers
//! queries; bad rows are reported with file and line and skipped; the
//! generator's output imports cleanly.

use std::path::Path;

use assert_cmd::Command;
use newsgraph::import::import_csv;
use newsgraph::query::{self, Params, QueryOptions, Value};
use newsgraph::snapshot;
use newsgraph::store::Graph;

fn count(g: &mut Graph, q: &str) -> i64 {
    let out = query::run(g, q, &Params::new(), &QueryOptions::default()).unwrap();
    match out.rows[0][0] {
        Value::Int(i) => i,
        ref v => panic!("{q}: expected a count, got {v:?}"),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const NODES: &str = "id,label,name,year\n\
1,Person;Actor,Vladimir Putin,1952\n\
2,Country,Russia,\n\
3,Claim,\"Talks, \"\"soon\"\"\",2025\n\
4,Event,Kursk offensive,2024\n";

const EDGES: &str = "source,target,type,weight\n\
1,3,SAID,0.5\n\
3,4,ABOUT,\n\
1,2,HOLDS_ROLE,\n\
4,2,OCCURRED_IN,\n";

#[test]
fn good_files_round_trip_through_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let n = write(dir.path(), "nodes.csv", NODES);
    let e = write(dir.path(), "edges.csv", EDGES);
    let mut g = Graph::new();
    let rep = import_csv(&mut g, &n, &e).unwrap();
    assert_eq!((rep.nodes, rep.edges), (4, 4), "{:?}", rep.errors);
    assert!(rep.errors.is_empty());
    let snap = dir.path().join("g.ngs");
    snapshot::save(&g, &[], &snap).unwrap();
    let (mut h, _) = snapshot::load(&snap).unwrap();
    assert_eq!(count(&mut h, "MATCH (p:Person:Actor) RETURN count(*)"), 1);
    assert_eq!(
        count(
            &mut h,
            "MATCH (p:Person {name: 'Vladimir Putin'})-[:SAID]->(c:Claim)-[:ABOUT]->(e) \
             WHERE e.year = 2024 AND c.name = 'Talks, \"soon\"' RETURN count(*)"
        ),
        1
    );
    assert_eq!(
        count(
            &mut h,
            "MATCH ()-[r:SAID]->() WHERE r.weight = 0.5 RETURN count(*)"
        ),
        1
    );
    assert_eq!(
        count(
            &mut h,
            "MATCH (c:Country) WHERE c.year IS NULL RETURN count(*)"
        ),
        1
    );
    assert_eq!(
        count(&mut h, "MATCH (n {name: 'Russia'}) RETURN n.id AS id"),
        2
    );
}

#[test]
fn bad_rows_are_reported_with_lines_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let n = write(
        dir.path(),
        "nodes.csv",
        "id,label,name\n1,Person,A\n2,Person\n,Person,no id\n1,Person,dup\n4,Person,D\n3,Person,\"open\n\n",
    );
    let e = write(
        dir.path(),
        "edges.csv",
        "source,target,type\n1,4,KNOWS\n1,99,KNOWS\n1,4\n4,1,\n",
    );
    let mut g = Graph::new();
    let rep = import_csv(&mut g, &n, &e).unwrap();
    let lines: Vec<(String, u64)> = rep
        .errors
        .iter()
        .map(|e| (e.file.file_name().unwrap().to_string_lossy().into(), e.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("nodes.csv".into(), 3),
            ("nodes.csv".into(), 4),
            ("nodes.csv".into(), 5),
            ("nodes.csv".into(), 7),
            ("edges.csv".into(), 3),
            ("edges.csv".into(), 4),
            ("edges.csv".into(), 5),
        ],
        "{:#?}",
        rep.errors
    );
    assert!(rep.errors[0].message.contains("expected 3 fields"));
    assert!(rep.errors[3].message.contains("unterminated"));
    assert!(rep.errors[4].message.contains("unknown node id"));
    assert_eq!((rep.nodes, rep.edges), (2, 1));
    assert_eq!((rep.bad_node_rows, rep.bad_edge_rows), (4, 3));
}

#[test]
fn cli_generates_imports_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let bin = || Command::cargo_bin("newsgraph").unwrap();
    bin()
        .args(["generate", "--nodes", "2000", "--edges", "10000", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let snap = dir.path().join("g.ngs");
    let out = bin()
        .arg("import")
        .arg("--nodes")
        .arg(dir.path().join("nodes.csv"))
        .arg("--edges")
        .arg(dir.path().join("edges.csv"))
        .arg("--out")
        .arg(&snap)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("imported 2000 nodes and 10000 relationships"),
        "{stderr}"
    );
    let (mut g, _) = snapshot::load(&snap).unwrap();
    assert_eq!(count(&mut g, "MATCH ()-[r]->() RETURN count(*)"), 10000);
    assert!(count(&mut g, "MATCH (n:Person) RETURN count(*)") > 0);

    let bad = write(
        dir.path(),
        "bad.csv",
        "source,target,type\n1,2,X\n5,nope,X\n",
    );
    let out = bin()
        .arg("import")
        .arg("--nodes")
        .arg(dir.path().join("nodes.csv"))
        .arg("--edges")
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("h.ngs"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("bad.csv:3: unknown node id \"nope\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped 0 bad node rows and 1 bad relationship rows"),
        "{stderr}"
    );
}

#[test]
fn counting_matches_agrees_with_enumerating_them() {
    let dir = tempfile::tempdir().unwrap();
    let n = write(dir.path(), "nodes.csv", "id,label\n1,A\n2,B\n3,B\n4,C\n");
    // a self-loop and a 2-cycle exercise relationship uniqueness
    let e = write(
        dir.path(),
        "edges.csv",
        "source,target,type\n1,2,T\n1,3,T\n2,4,U\n3,4,U\n2,2,T\n2,1,T\n4,4,U\n",
    );
    let mut g = Graph::new();
    import_csv(&mut g, &n, &e).unwrap();
    for pat in [
        "(a)-->(b)-->(c)",
        "(a)--(b)--(c)",
        "(a)<--(b)-->(c)",
        "(a)-[:T]->(b)-[:U]->(c:C)",
        "(a)-->(b)-->(a)",
        "(a)-->(b)-->(c)-->(d)",
        "(a:A)-[*1..2]->(b)-->(c)",
        "(a)-->(b)-->(c) WHERE c.id = 4 AND a.id <> 2",
        "(a)--(b)-->(c) WHERE b.id > 1 AND c.id >= 2 AND a.id < 4",
        "(a)-[r]->(b)-->(c) WHERE r.missing IS NULL AND c.id = 4",
    ] {
        let counted = count(&mut g, &format!("MATCH {pat} RETURN count(*)"));
        let listed = query::run(
            &mut g,
            &format!("MATCH {pat} RETURN a"),
            &Params::new(),
            &QueryOptions::default(),
        )
        .unwrap()
        .rows
        .len() as i64;
        assert_eq!(counted, listed, "{pat}");
    }
}

#[test]
fn bad_rows_late_in_big_files_keep_their_line_numbers() {
    // Big enough for several read blocks and many parallel chunks; a quoted
    // field with a comma and a newline near the top shifts every later line.
    use std::fmt::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = String::from("id,label,name\n");
    for i in 0..1000 {
        match i {
            3 => nodes.push_str("3,Person,\"multi\nline, name\"\n"),
            _ => writeln!(nodes, "{i},Person,P{i}").unwrap(),
        }
    }
    nodes.push_str("7,Person,again\n");
    let dup_line = 1 + 1000 + 1 + 1;

    let mut edges = String::from("source,target,type,note\r\n0,1,KNOWS,\"a, b\r\nc\"\r\n");
    let mut line = 3;
    let rows = 700_000;
    let mut bad_line = 0;
    for i in 0..rows {
        write!(edges, "{},{},KNOWS,\r\n", i % 1000, (i * 7) % 1000).unwrap();
        line += 1;
        if i == rows - 10 {
            edges.push_str("5,nope,KNOWS,\r\n");
            line += 1;
            bad_line = line;
        }
    }
    edges.push_str("1,2,KNOWS"); // too few fields, and no final newline
    let last_line = line + 1;
    assert!(edges.len() > 8 << 20, "spans more than one read block");

    let n = write(dir.path(), "nodes.csv", &nodes);
    let e = write(dir.path(), "edges.csv", &edges);
    let mut g = Graph::new();
    let rep = import_csv(&mut g, &n, &e).unwrap();
    let lines: Vec<u64> = rep.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [dup_line, bad_line, last_line], "{:#?}", rep.errors);
    assert!(rep.errors[0].message.contains("duplicate node id \"7\""));
    assert!(rep.errors[1].message.contains("unknown node id \"nope\""));
    assert!(rep.errors[2].message.contains("expected 4 fields, found 3"));
    assert_eq!((rep.nodes, rep.edges), (1000, rows + 1));
    assert_eq!(
        count(
            &mut g,
            "MATCH (a {name: 'multi\nline, name'}) RETURN count(*)"
        ),
        1
    );
}

#[test]
fn crlf_files_without_a_final_newline_import_like_lf_files() {
    let dir = tempfile::tempdir().unwrap();
    let import = |nodes: &str, edges: &str| {
        let n = write(dir.path(), "nodes.csv", nodes);
        let e = write(dir.path(), "edges.csv", edges);
        let mut g = Graph::new();
        let rep = import_csv(&mut g, &n, &e).unwrap();
        (g.to_parts(), rep.nodes, rep.edges, rep.errors)
    };
    let crlf = |s: &str| s.trim_end().replace('\n', "\r\n");
    let lf = import(NODES, EDGES);
    assert_eq!(lf.1, 4);
    assert!(import(&crlf(NODES), &crlf(EDGES)) == lf);
}
