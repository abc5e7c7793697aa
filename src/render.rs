//! Turns query results into text for people and programs: aligned tables,
//! JSON (an array, or one object a line), CSV and plain tab-separated lines.
//!
//! For programs: JSON keeps the columns in the query's order and the
//! values' types (numbers, booleans, null; dates and times as ISO text;
//! nodes as `{id, labels, properties}`, relationships as `{id, type, start,
//! end, properties}`, paths as `{nodes, relationships}`). CSV follows RFC
//! 4180 (CRLF line ends; a field with a comma, quote or line break quoted,
//! quotes doubled); null is an empty field and the empty string is `""`.
//!
//! Owns presentation only: it reads the graph to show nodes by name and
//! label, and never changes it or runs queries.

use std::fmt::Write as _;

use comfy_table::{Attribute, Cell, ContentArrangement, Table, presets};
use serde_json::{Map, Value as Json, json};

use crate::query::{QueryOutput, Value};
use crate::store::{Graph, NodeId};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// One JSON object a line (JSON Lines).
    Jsonl,
    Csv,
    Plain,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "plain" => Ok(Format::Plain),
            other => Err(format!(
                "unknown format '{other}': use table, json, jsonl, csv or plain"
            )),
        }
    }
}

/// Renders a result. `width` bounds table width; without it a table fits
/// `$COLUMNS` or the terminal, when there is one.
/// Columns whose name starts with `_` are kept for `:why` but not shown.
pub fn render(g: &Graph, out: &QueryOutput, format: Format, width: Option<u16>) -> String {
    render_styled(g, out, format, width, color_enabled())
}

/// Whether tables may use colour: standard output is a terminal, `NO_COLOR`
/// is unset and `TERM` is not `dumb`.
pub fn color_enabled() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// `render`, with colour in tables on or off (null shows as a dim `null`
/// with colour, a plain `null` without).
pub fn render_styled(
    g: &Graph,
    out: &QueryOutput,
    format: Format,
    width: Option<u16>,
    color: bool,
) -> String {
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
        return render_styled(g, &visible, format, width, color);
    }
    // EXPLAIN: its rows are the plan's lines; show them as text.
    let explained = out.columns.len() == 1 && out.columns[0] == "plan";
    if let Some(plan) = &out.plan
        && (out.rows.is_empty() || explained)
    {
        return format!("{plan}\n");
    }
    let body = render_rows(g, out, format, width, color);
    // PROFILE: the rows, then the plan with row counts and times, for
    // people; the data formats stay clean data.
    match &out.plan {
        Some(plan) if matches!(format, Format::Table | Format::Plain) => {
            format!("{body}{plan}\n")
        }
        _ => body,
    }
}

fn row_json(g: &Graph, columns: &[String], row: &[Value]) -> Json {
    let mut m = Map::new();
    for (c, v) in columns.iter().zip(row) {
        m.insert(c.clone(), to_json(g, v));
    }
    Json::Object(m)
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a
/// line break, quotes doubled.
fn csv_field(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// A value as a CSV field: null is empty, the empty string `""`.
fn csv_value(g: &Graph, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Str(s) if s.is_empty() => "\"\"".to_string(),
        _ => csv_field(&human(g, v)),
    }
}

fn render_rows(
    g: &Graph,
    out: &QueryOutput,
    format: Format,
    width: Option<u16>,
    color: bool,
) -> String {
    match format {
        Format::Table => table(g, out, width, color),
        Format::Json => {
            let rows: Vec<Json> = out
                .rows
                .iter()
                .map(|r| row_json(g, &out.columns, r))
                .collect();
            let mut s = serde_json::to_string_pretty(&Json::Array(rows)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Jsonl => {
            let mut s = String::new();
            for r in &out.rows {
                let line = serde_json::to_string(&row_json(g, &out.columns, r)).unwrap_or_default();
                s.push_str(&line);
                s.push('\n');
            }
            s
        }
        Format::Csv => {
            let mut s = String::new();
            let header: Vec<String> = out.columns.iter().map(|c| csv_field(c)).collect();
            s.push_str(&header.join(","));
            s.push_str("\r\n");
            for r in &out.rows {
                let cells: Vec<String> = r.iter().map(|v| csv_value(g, v)).collect();
                s.push_str(&cells.join(","));
                s.push_str("\r\n");
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

fn table(g: &Graph, out: &QueryOutput, width: Option<u16>, color: bool) -> String {
    if out.columns.is_empty() {
        return String::new();
    }
    let mut t = Table::new();
    if color {
        t.enforce_styling();
    }
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
        t.add_row(r.iter().map(|v| match v {
            // null apart from the empty string: a dim `null`
            Value::Null if color => Cell::new("null").add_attribute(Attribute::Dim),
            Value::Null => Cell::new("null"),
            _ => Cell::new(human(g, v)),
        }));
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
            l.iter()
                .map(|x| match x {
                    Value::Null => "null".to_string(),
                    _ => human(g, x),
                })
                .collect::<Vec<_>>()
                .join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{self, Params, QueryOptions};

    fn out(g: &mut Graph, q: &str) -> QueryOutput {
        query::run(g, q, &Params::new(), &QueryOptions::default()).unwrap()
    }

    #[test]
    fn null_is_dim_with_colour_and_plain_without() {
        let mut g = Graph::new();
        let o = out(&mut g, "RETURN null AS nothing, '' AS empty");
        let with = render_styled(&g, &o, Format::Table, Some(40), true);
        assert!(with.contains("\x1b[2m null"), "{with:?}");
        let without = render_styled(&g, &o, Format::Table, Some(40), false);
        assert!(
            without.contains("null") && !without.contains('\x1b'),
            "{without}"
        );
    }

    #[test]
    fn jsonl_and_csv_formats_parse_by_name() {
        assert_eq!("jsonl".parse::<Format>(), Ok(Format::Jsonl));
        assert_eq!("CSV".parse::<Format>(), Ok(Format::Csv));
        assert!("xml".parse::<Format>().is_err());
    }
}
