//! Pictures of answers: the seed article's who-denied-what subgraph drawn
//! as SVG (structure checked: well-formed XML, one shape per node and per
//! relationship), and `:show` / `:show timeline` in the REPL.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;
use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::repl::evidence;
use newsgraph::store::Graph;
use newsgraph::{picture, question, workspace};

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/2025-04-26-kursk.txt")
}

/// Checks that `xml` is well-formed enough for any browser: one root,
/// every tag closed in order, attributes quoted, entities known. Returns
/// the element names in document order.
fn elements(xml: &str) -> Vec<String> {
    let body = xml
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|r| r.split_once("?>"))
        .map_or(xml, |(_, r)| r);
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        assert!(!text.contains('>'), "stray '>' in text: {text}");
        if tail.starts_with('&') {
            let end = tail.find(';').expect("unterminated entity");
            let ent = &tail[..=end];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&ent),
                "unknown entity {ent}"
            );
            rest = &tail[end + 1..];
            continue;
        }
        let end = tail.find('>').expect("unterminated tag");
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().expect("close without open");
            assert_eq!(open, name.trim(), "tags cross");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        assert!(
            attrs.matches('"').count() % 2 == 0,
            "unbalanced quotes in <{tag}>"
        );
        assert!(!attrs.contains('<'), "'<' in attributes of <{tag}>");
        if stack.is_empty() {
            roots += 1;
        }
        names.push(name.to_string());
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    names
}

#[test]
fn the_seed_articles_denials_draw_as_a_well_formed_svg() {
    let mut g = Graph::new();
    let report = workspace::ingest(&mut g, &[seed()], false);
    assert_eq!(report.ingested, 1);
    let q = question::expand("who denied what").unwrap();
    let out = query::run(&mut g, &q.query, &Params::new(), &QueryOptions::default()).unwrap();
    assert!(out.rows.len() >= 3, "{} rows", out.rows.len());
    let (nodes, edges) = evidence::subgraph(&g, &out);
    let svg = picture::subgraph_svg(&g, &nodes, &edges, "Who denied what").unwrap();
    let names = elements(&svg);
    assert_eq!(names[0], "svg");
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));

    // one node shape per node, one arrow per relationship, each typed DENIED
    let drawn_nodes = svg.matches("<g class=\"node\"").count();
    let drawn_edges = svg.matches("<g class=\"edge\"").count();
    assert_eq!(drawn_nodes, nodes.len());
    assert_eq!(drawn_edges, edges.len());
    assert_eq!(edges.len(), out.rows.len(), "one DENIED relationship a row");
    assert_eq!(svg.matches("data-type=\"DENIED\"").count(), edges.len());
    // the deniers are there by name, the claims with their stance, in colour by label
    for who in ["Ukraine", "Russia", "North Korea"] {
        assert!(svg.contains(&format!(">{who}</text>")), "{who} missing");
    }
    assert!(
        svg.contains("[deny] its forces had been expelled"),
        "a claim with its stance"
    );
    let labels: BTreeSet<&str> = svg
        .match_indices("data-label=\"")
        .map(|(i, m)| {
            let rest = &svg[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(labels.contains("Claim") && labels.len() >= 2, "{labels:?}");
    assert!(
        names.iter().filter(|n| *n == "circle").count() >= nodes.len(),
        "a circle a node"
    );
    // every node within the picture
    for cap in svg.split("<circle cx=\"").skip(1) {
        let x: f64 = cap[..cap.find('"').unwrap()].parse().unwrap();
        assert!((0.0..4000.0).contains(&x), "{x}");
    }
}

#[test]
fn show_in_the_repl_writes_the_picture_and_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let snap = common::seed_snapshot(dir.path());
    let result = dir.path().join("denied.svg");
    let timeline = dir.path().join("putin.svg");
    let script = format!(
        "who denied what\n:show {}\n:show timeline Putin {}\n",
        result.display(),
        timeline.display()
    );
    let out = Command::cargo_bin("newsgraph")
        .unwrap()
        .env("NEWSGRAPH_HISTORY", dir.path().join("history"))
        .arg("repl")
        .arg(&snap)
        .write_stdin(script)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("drew ") && text.contains("denied.svg"),
        "{text}"
    );
    let svg = std::fs::read_to_string(&result).unwrap();
    elements(&svg);
    assert!(svg.matches("<g class=\"edge\"").count() >= 3);
    let svg = std::fs::read_to_string(&timeline).unwrap();
    elements(&svg);
    assert!(svg.contains("Timeline of Putin"));
    // Putin's four claims in the seed article, on one day
    assert!(svg.matches("<g class=\"item\"").count() >= 4, "{svg}");
    assert!(svg.contains("2025-04-26"));

    // nothing to draw is an error, not an empty file
    Command::cargo_bin("newsgraph")
        .unwrap()
        .env("NEWSGRAPH_HISTORY", dir.path().join("history"))
        .arg("repl")
        .arg(&snap)
        .write_stdin(format!(":show {}\n", dir.path().join("none.svg").display()))
        .assert()
        .failure();
    assert!(!dir.path().join("none.svg").exists());
}
