//! Values that queries compute and return.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::temporal::Temporal;
use crate::store::{EdgeId, Graph, NodeId, PropValue};

/// A path: alternating nodes and relationships, `nodes.len() == rels.len() + 1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<EdgeId>,
}

/// A value in a query: a property value, or a node, relationship or path.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// A temporal value: date, time, date-time or duration (the variant
    /// name is historical: it first held only dates).
    Date(Temporal),
    Node(NodeId),
    Rel(EdgeId),
    Path(Path),
}

impl From<&PropValue> for Value {
    fn from(p: &PropValue) -> Self {
        match p {
            PropValue::Null => Value::Null,
            PropValue::Bool(b) => Value::Bool(*b),
            PropValue::Int(i) => Value::Int(*i),
            PropValue::Float(x) => Value::Float(*x),
            PropValue::Str(s) => Value::Str(s.clone()),
            PropValue::List(l) => Value::List(l.iter().map(Value::from).collect()),
            PropValue::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), v.into())).collect()),
            PropValue::Date(d) => Value::Date(Temporal::Date(i64::from(d.0))),
            PropValue::Temporal(t) => Value::Date(*t),
        }
    }
}

impl Value {
    /// An estimate of the heap bytes this value holds beyond its own
    /// `size_of::<Value>()`, for the query's memory budget. A string shared
    /// with the store or another row (its `Arc` has other owners) counts
    /// as a pointer: it costs the query nothing new.
    pub fn heap_bytes(&self) -> usize {
        const V: usize = std::mem::size_of::<Value>();
        match self {
            Value::Str(s) if Arc::strong_count(s) == 1 => s.len() + 16,
            Value::List(l) => l.iter().map(|v| V + v.heap_bytes()).sum(),
            // a B-tree entry: the key's String and heap, the value, node share
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| 24 + k.len() + V + v.heap_bytes() + 16)
                .sum(),
            Value::Path(p) => (p.nodes.len() + p.rels.len()) * 8,
            _ => 0,
        }
    }

    /// The value as a storable property, if it is one (no nodes, paths…).
    pub fn to_prop(&self) -> Option<PropValue> {
        Some(match self {
            Value::Null => PropValue::Null,
            Value::Bool(b) => PropValue::Bool(*b),
            Value::Int(i) => PropValue::Int(*i),
            Value::Float(x) => PropValue::Float(*x),
            Value::Str(s) => PropValue::Str(s.clone()),
            Value::List(l) => PropValue::List(l.iter().map(Value::to_prop).collect::<Option<_>>()?),
            Value::Map(m) => PropValue::Map(
                m.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_prop()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Date(t) => PropValue::from(*t),
            Value::Node(_) | Value::Rel(_) | Value::Path(_) => return None,
        })
    }

    /// Cypher-literal text, with nodes as `(:Label {props})`, relationships
    /// as `[:TYPE {props}]` and paths as `<(a)-[r]->(b)>` (the TCK's notation).
    pub fn render(&self, g: &Graph) -> String {
        let mut s = String::new();
        self.render_into(g, &mut s);
        s
    }

    fn render_into(&self, g: &Graph, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(x) => out.push_str(&format_float(*x)),
            Value::Str(s) => {
                let _ = write!(out, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
            }
            Value::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.render_into(g, out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}: ");
                    v.render_into(g, out);
                }
                out.push('}');
            }
            Value::Date(d) => {
                let _ = write!(out, "'{d}'");
            }
            Value::Node(n) => render_node(g, *n, out),
            Value::Rel(e) => render_rel(g, *e, out),
            Value::Path(p) => {
                out.push('<');
                for (i, n) in p.nodes.iter().enumerate() {
                    if i > 0 {
                        let r = p.rels[i - 1];
                        let forward = g.endpoints(r).is_none_or(|(a, _)| a == p.nodes[i - 1]);
                        out.push_str(if forward { "-" } else { "<-" });
                        render_rel(g, r, out);
                        out.push_str(if forward { "->" } else { "-" });
                    }
                    render_node(g, *n, out);
                }
                out.push('>');
            }
        }
    }
}

/// Floats as Cypher prints them: always with a decimal point or exponent.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if x == x.trunc() && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

fn render_props(g: &Graph, props: &crate::store::PropMap, out: &mut String) {
    if props.is_empty() {
        return;
    }
    let mut sorted: Vec<_> = props.iter().map(|(k, v)| (g.name_of(k), v)).collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    out.push_str(" {");
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{k}: ");
        Value::from(v).render_into(g, out);
    }
    out.push('}');
}

fn render_node(g: &Graph, n: NodeId, out: &mut String) {
    out.push('(');
    if let Some(node) = g.node(n) {
        let mut labels: Vec<&str> = node.labels().iter().map(|l| g.name_of(*l)).collect();
        labels.sort();
        for l in labels {
            let _ = write!(out, ":{l}");
        }
        let mark = out.len();
        render_props(g, node.props(), out);
        if !node.labels().is_empty() || out.len() == mark {
            // nothing more to do: labels or an empty node
        } else {
            out.replace_range(mark..mark + 1, "");
        }
    }
    out.push(')');
}

fn render_rel(g: &Graph, e: EdgeId, out: &mut String) {
    out.push('[');
    if let Some(edge) = g.edge(e) {
        let _ = write!(out, ":{}", g.name_of(edge.rel_type()));
        render_props(g, edge.props(), out);
    }
    out.push(']');
}
