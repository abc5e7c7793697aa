//! The README tour never drifts: every `$ COMMAND` block between the tour
//! markers is run with the binary under test (first on PATH, `COLUMNS=100`,
//! from the repository root) and must print exactly what the README shows.
//! `scripts/tour.py` rewrites the README from the same commands.
//!
//! And the order users rely on: rows of a query without `ORDER BY` come in
//! store order, the same in every run and after a save and load.

use std::path::{Path, PathBuf};
use std::process::Command;

use newsgraph::query::{self, Params, QueryOptions, Value};
use newsgraph::snapshot;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_newsgraph"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn cache() -> PathBuf {
    std::env::temp_dir().join("newsgraph-test-cache")
}

/// The `$ COMMAND` blocks of the tour: command and the output shown.
fn tour_blocks(readme: &str) -> Vec<(String, String)> {
    let start = readme
        .find("<!-- tour:start -->")
        .expect("tour:start marker");
    let end = readme.find("<!-- tour:end -->").expect("tour:end marker");
    let mut blocks = Vec::new();
    let mut lines = readme[start..end].lines();
    while let Some(line) = lines.next() {
        if line != "```" {
            continue;
        }
        let Some(first) = lines.next() else { break };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if let Some(cmd) = first.strip_prefix("$ ") {
            let mut out = body.join("\n");
            if !body.is_empty() {
                out.push('\n');
            }
            blocks.push((cmd.to_string(), out));
        }
    }
    blocks
}

fn run_shell(cmd: &str) -> String {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .current_dir(root())
        .env("PATH", path)
        .env("COLUMNS", "100")
        .env("NEWSGRAPH_CACHE", cache())
        .env(
            "NEWSGRAPH_HISTORY",
            std::env::temp_dir().join("newsgraph-test-history"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_readme_tour_is_what_the_binary_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks = tour_blocks(&readme);
    assert!(
        blocks.len() >= 8,
        "only {} tour commands found",
        blocks.len()
    );
    let mut drifted = Vec::new();
    for (cmd, shown) in &blocks {
        let got = run_shell(cmd);
        if &got != shown {
            drifted.push(format!("$ {cmd}\n--- README\n{shown}--- binary\n{got}"));
        }
    }
    assert!(
        drifted.is_empty(),
        "the README tour drifted (regenerate it with scripts/tour.py):\n{}",
        drifted.join("\n")
    );
}

#[test]
fn tour_blocks_are_read_as_commands_and_outputs() {
    let text = "intro\n```\n$ not in the tour\nx\n```\n<!-- tour:start -->\n\
                ```\n$ echo hi\nhi\n```\ntext\n```\nno command\n```\n\
                ```\n$ true\n```\n<!-- tour:end -->\n";
    assert_eq!(
        tour_blocks(text),
        vec![
            ("echo hi".to_string(), "hi\n".to_string()),
            ("true".to_string(), String::new())
        ]
    );
}

/// The query's rows, as text, from a separate process.
fn rows_from_binary(snap: &Path, q: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_newsgraph"))
        .arg("query")
        .arg("--snapshot")
        .arg(snap)
        .args(["--format", "csv", q])
        .env("NEWSGRAPH_CACHE", cache())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{q}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn rows_without_order_by_come_in_store_order_in_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("three.ngs");
    let mut articles: Vec<PathBuf> = std::fs::read_dir(root().join("data/articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    articles.sort();
    let st = Command::new(env!("CARGO_BIN_EXE_newsgraph"))
        .arg("ingest")
        .args(&articles[..3])
        .arg("--out")
        .arg(&snap)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );

    let queries = [
        "MATCH (n) RETURN id(n) AS id, labels(n) AS l",
        "MATCH (a:Actor)-[r]->(c:Claim) RETURN a.name, type(r), c.text",
        "MATCH (p:Place) OPTIONAL MATCH (p)-[:PART_OF]->(q) RETURN p.name, q.name",
        "MATCH (a)-[*1..2]-(b:Place) RETURN DISTINCT a.name, b.name",
        "MATCH (c:Claim) RETURN c.text LIMIT 5",
        "MATCH (a:Actor) RETURN labels(a) AS l, count(*) AS n",
    ];
    for q in queries {
        let first = rows_from_binary(&snap, q);
        assert!(first.lines().count() > 2, "{q}: {first}");
        for _ in 0..2 {
            assert_eq!(rows_from_binary(&snap, q), first, "{q}");
        }
    }

    // store order: node ids ascending, and the same after a save and load
    let (mut g, meta) = snapshot::load(&snap).unwrap();
    let ids = |g: &mut newsgraph::store::Graph, q: &str| -> Vec<Value> {
        query::run(g, q, &Params::new(), &QueryOptions::default())
            .unwrap()
            .rows
            .into_iter()
            .flatten()
            .collect()
    };
    let q = "MATCH (n) RETURN id(n) AS id";
    let before = ids(&mut g, q);
    let as_ints: Vec<i64> = before
        .iter()
        .map(|v| match v {
            Value::Int(i) => *i,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(as_ints.windows(2).all(|w| w[0] < w[1]), "{as_ints:?}");
    let again = dir.path().join("again.ngs");
    snapshot::save(&g, &meta, &again).unwrap();
    let (mut g2, _) = snapshot::load(&again).unwrap();
    for q in queries {
        assert_eq!(ids(&mut g, q), ids(&mut g2, q), "{q}");
    }
}
