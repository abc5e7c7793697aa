//! Turns query results into text for people and programs: aligned tables,
//! JSON, CSV and plain tab-separated lines.
//!
//! Owns presentation only: it reads the graph to show nodes by name and
//! label, and never changes it or runs queries.

use std::fmt::Write as _;

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value as Json, json};

use crate::query::{QueryOutput, Value};
use crate::store::{Graph, NodeId};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Plain,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "plain" => Ok(Format::Plain),
            other => Err(format!(
                "unknown format '{other}': use table, json, csv or plain"
            )),
        }
    }
}

/// Renders a result. `width` bounds table width; without it a table fits
/// `$COLUMNS` or the terminal, when there is one.
/// Columns whose name starts with `_` are kept for `:why` but not shown.
pub fn render(g: &Graph, out: &QueryOutput, format: Format, width: Option<u16>) -> String {
    if out.columns.iter().any(|c| c.starts_with('_')) {
        let keep: Vec<usize> = (0..out.columns.len())
            .filter(|i| !out.columns[*i].starts_with('_'))
            .collect();
        let visible = QueryOutput {
            columns: keep.iter().map(|i| out.columns[*i].clone()).collect(),
            rows: out
                .rows
                .iter()
                .map(|r| keep.iter().filter_map(|i| r.get(*i).cloned()).collect())
                .collect(),
            stats: out.stats.clone(),
            plan: out.plan.clone(),
        };
        return render(g, &visible, format, width);
    }
    // EXPLAIN: its rows are the plan's lines; show them as text.
    let explained = out.columns.len() == 1 && out.columns[0] == "plan";
    if let Some(plan) = &out.plan
        && (out.rows.is_empty() || explained)
    {
        return format!("{plan}\n");
    }
    let body = render_rows(g, out, format, width);
    // PROFILE: the rows, then the plan with row counts and times, for
    // people; the data formats stay clean data.
    match &out.plan {
        Some(plan) if matches!(format, Format::Table | Format::Plain) => {
            format!("{body}{plan}\n")
        }
        _ => body,
    }
}

fn render_rows(g: &Graph, out: &QueryOutput, format: Format, width: Option<u16>) -> String {
    match format {
        Format::Table => table(g, out, width),
        Format::Json => {
            let rows: Vec<Json> = out
                .rows
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    for (c, v) in out.columns.iter().zip(r) {
                        m.insert(c.clone(), to_json(g, v));
                    }
                    Json::Object(m)
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&Json::Array(rows)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Csv => {
            let mut s = String::new();
            let line = |cells: Vec<String>| {
                cells
                    .into_iter()
                    .map(|c| {
                        if c.contains([',', '"', '\n', '\r']) {
                            format!("\"{}\"", c.replace('"', "\"\""))
                        } else {
                            c
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let _ = writeln!(s, "{}", line(out.columns.clone()));
            for r in &out.rows {
                let _ = writeln!(s, "{}", line(r.iter().map(|v| human(g, v)).collect()));
            }
            s
        }
        Format::Plain => {
            let mut s = String::new();
            for r in &out.rows {
                let cells: Vec<String> = r
                    .iter()
                    .map(|v| human(g, v).replace(['\t', '\n'], " "))
                    .collect();
                let _ = writeln!(s, "{}", cells.join("\t"));
            }
            s
        }
    }
}

fn table(g: &Graph, out: &QueryOutput, width: Option<u16>) -> String {
    if out.columns.is_empty() {
        return String::new();
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    // A terminal that reports no usable width (a bare pseudo-terminal says 0)
    // gets a conventional one rather than a table one character wide.
    let columns = || std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    match width.or_else(columns).or_else(|| t.width()) {
        Some(w) if w >= 20 => {
            t.set_width(w);
        }
        Some(_) => {
            t.set_width(120);
        }
        None => {}
    }
    t.set_header(out.columns.clone());
    for r in &out.rows {
        t.add_row(r.iter().map(|v| human(g, v)).collect::<Vec<_>>());
    }
    format!("{t}\n")
}

/// A node as people name it: its name (or text or title) and labels.
pub fn node_caption(g: &Graph, n: NodeId) -> String {
    let Some(node) = g.node(n) else {
        return format!("(deleted node {})", n.0);
    };
    let labels: Vec<&str> = node.labels().iter().map(|l| g.name_of(*l)).collect();
    let main = ["name", "text", "title", "file"].iter().find_map(|k| {
        let k = g.symbol(k)?;
        node.prop(k).map(|v| match v.as_str() {
            Some(s) => s.to_string(),
            None => v.to_string(),
        })
    });
    match main {
        Some(m) if labels.is_empty() => m,
        Some(m) => format!("{m} ({})", labels.join(":")),
        None => Value::Node(n).render(g),
    }
}

/// A value for reading: strings unquoted, nodes by caption.
pub fn human(g: &Graph, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Str(s) => s.to_string(),
        // temporal values as ISO text, as in JSON and CSV
        Value::Date(t) => t.to_string(),
        Value::Float(_) => v.render(g),
        Value::Node(n) => node_caption(g, *n),
        Value::Rel(e) => match (g.edge(*e), g.endpoints(*e)) {
            (Some(edge), Some((a, b))) => format!(
                "{} -[{}]-> {}",
                node_caption(g, a),
                g.name_of(edge.rel_type()),
                node_caption(g, b)
            ),
            _ => format!("(deleted relationship {})", e.0),
        },
        Value::Path(p) => {
            let mut s = String::new();
            for (i, n) in p.nodes.iter().enumerate() {
                if i > 0 {
                    let r = p.rels[i - 1];
                    let ty = g.edge(r).map_or("?", |e| g.name_of(e.rel_type()));
                    let forward = g.endpoints(r).is_none_or(|(a, _)| a == p.nodes[i - 1]);
                    let _ = if forward {
                        write!(s, " -[{ty}]-> ")
                    } else {
                        write!(s, " <-[{ty}]- ")
                    };
                }
                s.push_str(&node_caption(g, *n));
            }
            s
        }
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(|x| human(g, x)).collect::<Vec<_>>().join(", ")
        ),
        other => other.render(g),
    }
}

/// A value as JSON: nodes and relationships as objects with their id,
/// labels or type, and properties.
pub fn to_json(g: &Graph, v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(x) => {
            serde_json::Number::from_f64(*x).map_or_else(|| json!(v.render(g)), Json::Number)
        }
        Value::Str(s) => json!(&**s),
        Value::Date(d) => json!(d.to_string()),
        Value::List(l) => Json::Array(l.iter().map(|x| to_json(g, x)).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, x)| (k.clone(), to_json(g, x))).collect()),
        Value::Node(n) => match g.node(*n) {
            Some(node) => json!({
                "id": n.0,
                "labels": node.labels().iter().map(|l| g.name_of(*l)).collect::<Vec<_>>(),
                "properties": props_json(g, node.props()),
            }),
            None => json!({"id": n.0, "deleted": true}),
        },
        Value::Rel(e) => match (g.edge(*e), g.endpoints(*e)) {
            (Some(edge), Some((a, b))) => json!({
                "id": e.0,
                "type": g.name_of(edge.rel_type()),
                "start": a.0,
                "end": b.0,
                "properties": props_json(g, edge.props()),
            }),
            _ => json!({"id": e.0, "deleted": true}),
        },
        Value::Path(p) => json!({
            "nodes": p.nodes.iter().map(|n| to_json(g, &Value::Node(*n))).collect::<Vec<_>>(),
            "relationships": p.rels.iter().map(|r| to_json(g, &Value::Rel(*r))).collect::<Vec<_>>(),
        }),
    }
}

fn props_json(g: &Graph, props: &crate::store::PropMap) -> Json {
    Json::Object(
        props
            .iter()
            .map(|(k, v)| (g.name_of(k).to_string(), to_json(g, &Value::from(v))))
            .collect(),
    )
}
