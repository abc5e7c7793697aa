//! Evidence and export for the REPL: the sentence behind a node or
//! relationship (`:why`), and the graph or a result's subgraph written as
//! JSON, GraphML or Graphviz dot (`:export`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::query::{QueryOutput, Value};
use crate::render::{node_caption, to_json};
use crate::store::{EdgeId, Graph, NodeId, Provenance};

/// The sentence a provenance points to, with `mark` (if found in it)
/// between » and «, headed by the article's file and date.
pub fn evidence(g: &Graph, p: &Provenance, mark: Option<&str>) -> Option<String> {
    let art = g.node(p.article)?;
    let prop = |k: &str| g.symbol(k).and_then(|k| art.prop(k));
    let text = prop("text")?.as_str()?;
    let sentence = text.get(p.start as usize..p.end as usize)?.trim();
    let file = prop("file").and_then(|v| v.as_str()).unwrap_or("?");
    let date = prop("date").map(|d| {
        d.to_string()
            .trim_start_matches("date(")
            .trim_matches(|c| c == '\'' || c == ')')
            .to_string()
    });
    let mut shown = sentence.to_string();
    if let Some((i, j)) = mark.and_then(|m| find_loose(sentence, m)) {
        shown = format!("{}»{}«{}", &sentence[..i], &sentence[i..j], &sentence[j..]);
    }
    Some(format!(
        "  {file}{}, sentence {}:\n    {shown}",
        date.map_or(String::new(), |d| format!(" ({d})")),
        p.sentence
    ))
}

/// The byte span of `needle` in `hay`, ignoring case and double quotation
/// marks (extracted claims drop the quotes the sentence has).
fn find_loose(hay: &str, needle: &str) -> Option<(usize, usize)> {
    let skip = |c: char| matches!(c, '"' | '“' | '”' | '«' | '»');
    let norm = |s: &str| -> Vec<(usize, char)> {
        s.char_indices()
            .filter(|(_, c)| !skip(*c))
            .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, l)))
            .collect()
    };
    let h = norm(hay);
    let n: Vec<char> = norm(needle).into_iter().map(|(_, c)| c).collect();
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    let at = (0..=h.len() - n.len())
        .find(|&s| h[s..s + n.len()].iter().map(|x| x.1).eq(n.iter().copied()))?;
    let (start, _) = h[at];
    let (last, _) = h[at + n.len() - 1];
    let end = last + hay[last..].chars().next().map_or(0, char::len_utf8);
    Some((start, end))
}

fn text_of(g: &Graph, n: NodeId) -> Option<String> {
    let k = g.symbol("text")?;
    g.node(n)?.prop(k)?.as_str().map(str::to_string)
}

/// Evidence for one value: a node's provenance (and the articles that
/// mention it), a relationship's provenance, each step of a path.
pub fn why_value(g: &Graph, v: &Value, out: &mut String) {
    match v {
        Value::Node(n) => {
            let Some(node) = g.node(*n) else { return };
            let _ = writeln!(out, "{}", node_caption(g, *n));
            let is_article = g.symbol("Article").is_some_and(|a| node.has_label(a));
            if let Some(p) = node.provenance().filter(|_| !is_article)
                && let Some(e) = evidence(g, p, text_of(g, *n).as_deref())
            {
                let _ = writeln!(out, "{e}");
            }
        }
        Value::Rel(e) => {
            let (Some(edge), Some((a, b))) = (g.edge(*e), g.endpoints(*e)) else {
                return;
            };
            let _ = writeln!(
                out,
                "{} -[{}]-> {}",
                node_caption(g, a),
                g.name_of(edge.rel_type()),
                node_caption(g, b)
            );
            if let Some(p) = edge.provenance()
                && let Some(ev) = evidence(g, p, text_of(g, b).or_else(|| text_of(g, a)).as_deref())
            {
                let _ = writeln!(out, "{ev}");
            }
        }
        Value::Path(p) => {
            for r in &p.rels {
                why_value(g, &Value::Rel(*r), out);
            }
        }
        Value::List(l) => l.iter().for_each(|x| why_value(g, x, out)),
        _ => {}
    }
}

/// `:why [N]`: the evidence for row N (1-based) or every row of a result.
pub fn why(g: &Graph, last: &QueryOutput, row: Option<usize>) -> Result<String, String> {
    let rows: Vec<(usize, &Vec<Value>)> = match row {
        Some(n) => vec![(
            n,
            last.rows.get(n.wrapping_sub(1)).ok_or(format!(
                "there is no row {n}; the last result has {}",
                last.rows.len()
            ))?,
        )],
        None => last
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r))
            .collect(),
    };
    let mut out = String::new();
    for (i, r) in rows {
        let mut part = String::new();
        for v in r {
            why_value(g, v, &mut part);
        }
        if part.is_empty() {
            part = "  (no node or relationship in this row to trace; return nodes or relationships to see evidence)\n".into();
        }
        let _ = write!(out, "row {i}: {part}");
    }
    Ok(out)
}

/// The nodes and relationships in a result (paths and lists included), with
/// the endpoints of every relationship.
pub fn subgraph(g: &Graph, out: &QueryOutput) -> (BTreeSet<NodeId>, BTreeSet<EdgeId>) {
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    fn walk(g: &Graph, v: &Value, nodes: &mut BTreeSet<NodeId>, edges: &mut BTreeSet<EdgeId>) {
        match v {
            Value::Node(n) => {
                nodes.insert(*n);
            }
            Value::Rel(e) => {
                edges.insert(*e);
                if let Some((a, b)) = g.endpoints(*e) {
                    nodes.insert(a);
                    nodes.insert(b);
                }
            }
            Value::Path(p) => {
                nodes.extend(p.nodes.iter().copied());
                edges.extend(p.rels.iter().copied());
            }
            Value::List(l) => l.iter().for_each(|x| walk(g, x, nodes, edges)),
            Value::Map(m) => m.values().for_each(|x| walk(g, x, nodes, edges)),
            _ => {}
        }
    }
    for r in &out.rows {
        for v in r {
            walk(g, v, &mut nodes, &mut edges);
        }
    }
    (nodes, edges)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes nodes and edges as `json`, `graphml` or `dot`.
pub fn export(
    g: &Graph,
    nodes: &BTreeSet<NodeId>,
    edges: &BTreeSet<EdgeId>,
    format: &str,
) -> Result<String, String> {
    let mut s = String::new();
    match format {
        "json" => {
            let doc = serde_json::json!({
                "nodes": nodes.iter().map(|n| to_json(g, &Value::Node(*n))).collect::<Vec<_>>(),
                "relationships": edges.iter().map(|e| to_json(g, &Value::Rel(*e))).collect::<Vec<_>>(),
            });
            s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        }
        "graphml" => {
            s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
            s.push_str(
                "  <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n",
            );
            s.push_str(
                "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n",
            );
            s.push_str(
                "  <key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n",
            );
            s.push_str("  <graph edgedefault=\"directed\">\n");
            for n in nodes {
                let Some(node) = g.node(*n) else { continue };
                let labels: Vec<&str> = node.labels().iter().map(|l| g.name_of(*l)).collect();
                let _ = writeln!(
                    s,
                    "    <node id=\"n{}\"><data key=\"labels\">{}</data><data key=\"name\">{}</data></node>",
                    n.0,
                    xml_escape(&labels.join(":")),
                    xml_escape(&node_caption(g, *n))
                );
            }
            for e in edges {
                let (Some(edge), Some((a, b))) = (g.edge(*e), g.endpoints(*e)) else {
                    continue;
                };
                let _ = writeln!(
                    s,
                    "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\"><data key=\"type\">{}</data></edge>",
                    e.0,
                    a.0,
                    b.0,
                    xml_escape(g.name_of(edge.rel_type()))
                );
            }
            s.push_str("  </graph>\n</graphml>\n");
        }
        "dot" => {
            s.push_str("digraph newsgraph {\n  node [shape=box];\n");
            let q = |t: &str| t.replace('\\', "\\\\").replace('"', "\\\"");
            for n in nodes {
                let _ = writeln!(s, "  n{} [label=\"{}\"];", n.0, q(&node_caption(g, *n)));
            }
            for e in edges {
                let (Some(edge), Some((a, b))) = (g.edge(*e), g.endpoints(*e)) else {
                    continue;
                };
                let _ = writeln!(
                    s,
                    "  n{} -> n{} [label=\"{}\"];",
                    a.0,
                    b.0,
                    q(g.name_of(edge.rel_type()))
                );
            }
            s.push_str("}\n");
        }
        other => {
            return Err(format!(
                "unknown export format '{other}': use json, graphml or dot"
            ));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::find_loose;

    #[test]
    fn spans_are_found_across_dropped_quotes_and_case() {
        let s = "Russia praised their “heroism” in Kursk.";
        let (i, j) = find_loose(s, "Their heroism in kursk").unwrap();
        assert_eq!(&s[i..j], "their “heroism” in Kursk");
        assert_eq!(find_loose(s, "absent words"), None);
        assert_eq!(find_loose(s, ""), None);
    }
}
