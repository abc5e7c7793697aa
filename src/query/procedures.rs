//! Procedures: what `CALL name(args) [YIELD …]` runs. A [`Registry`] maps
//! dotted names to [`Procedure`]s, each with a [`Signature`] (typed inputs
//! and outputs) that the planner checks at compile time. The built-ins read
//! the graph through the store's API only: `db.labels()`,
//! `db.relationshipTypes()`, `db.propertyKeys()`, `db.schema()`, graph
//! algorithms on the store through petgraph's traversal traits
//! (`algo.shortestPath`, `algo.pageRank`, `algo.components`) and
//! `news.timeline`, the dated claims and events of an actor (by the labels
//! and properties of the news schema, nothing of extraction). A
//! [`TableProcedure`] answers from a table of rows, as the TCK's test
//! procedures do.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use super::Value;
use super::eval::{Res, rt};
use super::value::Path;
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// The type of a procedure's input or output (`INTEGER?` and the like; the
/// `?` of nullable types is accepted and ignored: every type takes null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcType {
    Any,
    Integer,
    Float,
    Number,
    String,
    Boolean,
    Node,
    Relationship,
    Path,
    List,
    Map,
}

impl ProcType {
    fn parse(s: &str) -> Option<ProcType> {
        let s = s.trim().trim_end_matches('?').to_ascii_uppercase();
        Some(match s.as_str() {
            "ANY" => ProcType::Any,
            "INTEGER" | "INT" => ProcType::Integer,
            "FLOAT" => ProcType::Float,
            "NUMBER" => ProcType::Number,
            "STRING" => ProcType::String,
            "BOOLEAN" => ProcType::Boolean,
            "NODE" => ProcType::Node,
            "RELATIONSHIP" => ProcType::Relationship,
            "PATH" => ProcType::Path,
            "MAP" => ProcType::Map,
            x if x.starts_with("LIST") => ProcType::List,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            ProcType::Any => "ANY",
            ProcType::Integer => "INTEGER",
            ProcType::Float => "FLOAT",
            ProcType::Number => "NUMBER",
            ProcType::String => "STRING",
            ProcType::Boolean => "BOOLEAN",
            ProcType::Node => "NODE",
            ProcType::Relationship => "RELATIONSHIP",
            ProcType::Path => "PATH",
            ProcType::List => "LIST",
            ProcType::Map => "MAP",
        }
    }

    /// Whether a value may be passed for this type (null always may).
    pub fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (ProcType::Any, _)
                | (ProcType::Integer, Value::Int(_))
                | (
                    ProcType::Float | ProcType::Number,
                    Value::Int(_) | Value::Float(_)
                )
                | (ProcType::String, Value::Str(_))
                | (ProcType::Boolean, Value::Bool(_))
                | (ProcType::Node, Value::Node(_))
                | (ProcType::Relationship, Value::Rel(_))
                | (ProcType::Path, Value::Path(_))
                | (ProcType::List, Value::List(_))
                | (ProcType::Map, Value::Map(_))
        )
    }

    /// The value as this type takes it: an integer passed as a float
    /// becomes a float.
    fn coerce(self, v: Value) -> Value {
        match (self, v) {
            (ProcType::Float, Value::Int(i)) => Value::Float(i as f64),
            (_, v) => v,
        }
    }
}

/// A procedure's name, inputs and outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub name: String,
    pub inputs: Vec<(String, ProcType)>,
    pub outputs: Vec<(String, ProcType)>,
    /// One line for `:help` and the docs.
    pub description: String,
}

impl Signature {
    /// Parses `ns.name(in :: INTEGER?, …) :: (out :: STRING?, …)`.
    pub fn parse(text: &str) -> Result<Signature, String> {
        let bad = |why: &str| format!("bad procedure signature '{text}': {why}");
        let text = text.trim();
        let open = text.find('(').ok_or_else(|| bad("no '('"))?;
        let name = text[..open].trim().to_string();
        if name.is_empty()
            || !name
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            return Err(bad("the name must be dotted identifiers"));
        }
        let close = text[open..].find(')').ok_or_else(|| bad("no ')'"))? + open;
        let inputs = Self::fields(&text[open + 1..close]).ok_or_else(|| bad("inputs"))?;
        let rest = text[close + 1..].trim();
        let rest = rest
            .strip_prefix("::")
            .ok_or_else(|| bad("no '::'"))?
            .trim();
        let rest = rest
            .strip_prefix('(')
            .and_then(|r| r.trim_end().strip_suffix(')'))
            .ok_or_else(|| bad("outputs must be in parentheses"))?;
        let outputs = Self::fields(rest).ok_or_else(|| bad("outputs"))?;
        Ok(Signature {
            name,
            inputs,
            outputs,
            description: String::new(),
        })
    }

    fn fields(s: &str) -> Option<Vec<(String, ProcType)>> {
        if s.trim().is_empty() {
            return Some(Vec::new());
        }
        s.split(',')
            .map(|f| {
                let (n, t) = f.split_once("::")?;
                let n = n.trim();
                (!n.is_empty()).then(|| Some((n.to_string(), ProcType::parse(t)?)))?
            })
            .collect()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[(String, ProcType)]| {
            v.iter()
                .map(|(n, t)| format!("{n} :: {}", t.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "{}({}) :: ({})",
            self.name,
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// Something `CALL` can run: rows of output values (in the order of the
/// signature's outputs) for input values (already checked against the
/// signature's types).
pub trait Procedure: Send + Sync + fmt::Debug {
    fn signature(&self) -> &Signature;
    fn call(&self, g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>>;
}

/// The procedures a query may call, by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    procs: BTreeMap<String, Arc<dyn Procedure>>,
}

impl Registry {
    /// No procedures at all.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// The built-in procedures.
    pub fn builtin() -> Registry {
        let mut r = Registry::empty();
        for b in BUILTINS {
            r.register(Arc::new(Builtin::new(b)));
        }
        r
    }

    /// Adds a procedure (replacing one of the same name).
    pub fn register(&mut self, p: Arc<dyn Procedure>) {
        self.procs.insert(p.signature().name.clone(), p);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Procedure>> {
        self.procs.get(name)
    }

    /// Every procedure, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Procedure>> {
        self.procs.values()
    }
}

/// Loose equality for matching arguments against a table: null matches
/// null, numbers match by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// A procedure that answers from a table: each row holds input values then
/// output values; a call yields the outputs of the rows whose inputs equal
/// the arguments, in table order.
#[derive(Debug)]
pub struct TableProcedure {
    sig: Signature,
    rows: Vec<Vec<Value>>,
}

impl TableProcedure {
    /// `header` names the table's columns (each an input or output of the
    /// signature, in any order); `rows` are in the header's order.
    pub fn new(
        sig: Signature,
        header: &[String],
        rows: Vec<Vec<Value>>,
    ) -> Result<TableProcedure, String> {
        let order: Vec<&str> = sig
            .inputs
            .iter()
            .chain(&sig.outputs)
            .map(|(n, _)| n.as_str())
            .collect();
        let mut at = Vec::new();
        for name in &order {
            at.push(
                header
                    .iter()
                    .position(|h| h == name)
                    .ok_or_else(|| format!("the table has no column '{name}'"))?,
            );
        }
        let rows = rows
            .into_iter()
            .map(|r| {
                at.iter()
                    .map(|i| r.get(*i).cloned().ok_or("a row is too short".to_string()))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TableProcedure { sig, rows })
    }
}

impl Procedure for TableProcedure {
    fn signature(&self) -> &Signature {
        &self.sig
    }

    fn call(&self, _g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
        let n = self.sig.inputs.len();
        let args: Vec<Value> = args
            .iter()
            .zip(&self.sig.inputs)
            .map(|(a, (_, t))| t.coerce(a.clone()))
            .collect();
        Ok(self
            .rows
            .iter()
            .filter(|r| r[..n].iter().zip(&args).all(|(x, a)| same(x, a)))
            .map(|r| r[n..].to_vec())
            .collect())
    }
}

/// Checks and converts arguments for a call: their number and types.
pub fn check_args(sig: &Signature, args: Vec<Value>) -> Res<Vec<Value>> {
    if args.len() != sig.inputs.len() {
        return Err(rt(
            "SyntaxError",
            "InvalidNumberOfArguments",
            format!(
                "{} takes {} argument(s), got {}",
                sig.name,
                sig.inputs.len(),
                args.len()
            ),
        ));
    }
    args.into_iter()
        .zip(&sig.inputs)
        .map(|(a, (n, t))| {
            if t.accepts(&a) {
                Ok(t.coerce(a))
            } else {
                Err(rt(
                    "TypeError",
                    "InvalidArgumentType",
                    format!("{}: argument {n} must be {}", sig.name, t.name()),
                ))
            }
        })
        .collect()
}

// ------------------------------------------------------------ built-ins

type BuiltinFn = fn(&Graph, &[Value]) -> Res<Vec<Vec<Value>>>;

struct BuiltinDef {
    sig: &'static str,
    description: &'static str,
    run: BuiltinFn,
}

const BUILTINS: &[BuiltinDef] = &[
    BuiltinDef {
        sig: "db.labels() :: (label :: STRING)",
        description: "the node labels in use, sorted",
        run: db_labels,
    },
    BuiltinDef {
        sig: "db.relationshipTypes() :: (relationshipType :: STRING)",
        description: "the relationship types in use, sorted",
        run: db_relationship_types,
    },
    BuiltinDef {
        sig: "db.propertyKeys() :: (propertyKey :: STRING)",
        description: "the property keys of nodes and relationships, sorted",
        run: db_property_keys,
    },
    BuiltinDef {
        sig: "db.schema() :: (from :: STRING, relationshipType :: STRING, to :: STRING, count :: INTEGER)",
        description: "which labels each relationship type joins, with counts (a node's labels joined by ':')",
        run: db_schema,
    },
    BuiltinDef {
        sig: "algo.shortestPath(from :: NODE, to :: NODE) :: (path :: PATH, length :: INTEGER)",
        description: "a shortest path between two nodes, relationships followed either way (no row when none)",
        run: algo_shortest_path,
    },
    BuiltinDef {
        sig: "algo.pageRank(label :: STRING) :: (node :: NODE, score :: FLOAT)",
        description: "PageRank of the nodes (damping 0.85, 20 rounds), best first; only nodes with the label when one is given (null: all)",
        run: algo_page_rank,
    },
    BuiltinDef {
        sig: "algo.components() :: (component :: INTEGER, size :: INTEGER, nodes :: LIST OF NODE)",
        description: "the weakly connected parts of the graph, largest first",
        run: algo_components,
    },
    BuiltinDef {
        sig: "news.connections(from :: NODE, to :: NODE) :: (path :: INTEGER, hop :: INTEGER, from :: STRING, link :: STRING, to :: STRING, support :: INTEGER, sentence :: STRING, article :: STRING)",
        description: "how two nodes are connected over claims, events, roles, containment, contradictions and shared sentences: the best 3 paths, hop by hop with the sentence behind each hop and how many sentences support it, ranked by the weakest hop's support, then length",
        run: super::connections::news_connections,
    },
    BuiltinDef {
        sig: "news.timeline(actor :: STRING) :: (time :: ANY, kind :: STRING, relationship :: STRING, text :: STRING, item :: NODE)",
        description: "the claims and events of the actors with a name or alias, in time order (undated last)",
        run: news_timeline,
    },
];

struct Builtin {
    sig: Signature,
    run: BuiltinFn,
}

impl fmt::Debug for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Builtin({})", self.sig)
    }
}

impl Builtin {
    fn new(def: &BuiltinDef) -> Builtin {
        let mut sig = Signature::parse(def.sig).expect("built-in signatures parse");
        sig.description = def.description.to_string();
        Builtin { sig, run: def.run }
    }
}

impl Procedure for Builtin {
    fn signature(&self) -> &Signature {
        &self.sig
    }
    fn call(&self, g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
        (self.run)(g, args)
    }
}

fn s(x: &str) -> Value {
    Value::Str(x.into())
}

fn db_labels(g: &Graph, _: &[Value]) -> Res<Vec<Vec<Value>>> {
    Ok(g.label_counts()
        .into_iter()
        .map(|(l, _)| vec![s(l)])
        .collect())
}

fn db_relationship_types(g: &Graph, _: &[Value]) -> Res<Vec<Vec<Value>>> {
    Ok(g.type_counts()
        .into_iter()
        .map(|(t, _)| vec![s(t)])
        .collect())
}

fn db_property_keys(g: &Graph, _: &[Value]) -> Res<Vec<Vec<Value>>> {
    let mut keys = BTreeSet::new();
    for n in g.node_ids() {
        if let Some(node) = g.node(n) {
            keys.extend(node.props().iter().map(|(k, _)| k));
        }
    }
    for e in g.edge_ids() {
        if let Some(r) = g.edge(e) {
            keys.extend(r.props().iter().map(|(k, _)| k));
        }
    }
    let mut names: Vec<&str> = keys.into_iter().map(|k| g.name_of(k)).collect();
    names.sort_unstable();
    Ok(names.into_iter().map(|k| vec![s(k)]).collect())
}

fn labels_text(g: &Graph, n: NodeId) -> String {
    g.node(n).map_or(String::new(), |node| {
        let mut ls: Vec<&str> = node.labels().iter().map(|l| g.name_of(*l)).collect();
        ls.sort_unstable();
        ls.join(":")
    })
}

fn db_schema(g: &Graph, _: &[Value]) -> Res<Vec<Vec<Value>>> {
    let mut counts: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for e in g.edge_ids() {
        let (Some((a, b)), Some(r)) = (g.endpoints(e), g.edge(e)) else {
            continue;
        };
        let key = (
            labels_text(g, a),
            g.name_of(r.rel_type()).to_string(),
            labels_text(g, b),
        );
        *counts.entry(key).or_default() += 1;
    }
    Ok(counts
        .into_iter()
        .map(|((a, t, b), n)| vec![s(&a), s(&t), s(&b), Value::Int(n)])
        .collect())
}

fn node_arg(v: &Value, what: &str) -> Res<Option<NodeId>> {
    match v {
        Value::Null => Ok(None),
        Value::Node(n) => Ok(Some(*n)),
        _ => Err(rt(
            "TypeError",
            "InvalidArgumentType",
            format!("{what} must be a node"),
        )),
    }
}

/// Breadth-first search over the relationships in both directions (petgraph's
/// `Bfs` gives the order; the parent relationships give the path).
fn algo_shortest_path(g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
    let (Some(from), Some(to)) = (node_arg(&args[0], "from")?, node_arg(&args[1], "to")?) else {
        return Ok(Vec::new());
    };
    if g.node(from).is_none() || g.node(to).is_none() {
        return Ok(Vec::new());
    }
    let mut parent: BTreeMap<NodeId, (NodeId, EdgeId)> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            break;
        }
        for (e, m) in g.edges_at(n, Direction::Both) {
            if seen.insert(m) {
                parent.insert(m, (n, e));
                queue.push_back(m);
            }
        }
    }
    if !seen.contains(&to) {
        return Ok(Vec::new());
    }
    let (mut nodes, mut rels) = (vec![to], Vec::new());
    let mut at = to;
    while at != from {
        let (p, e) = parent[&at];
        nodes.push(p);
        rels.push(e);
        at = p;
    }
    nodes.reverse();
    rels.reverse();
    let len = rels.len() as i64;
    Ok(vec![vec![
        Value::Path(Path { nodes, rels }),
        Value::Int(len),
    ]])
}

/// PageRank by power iteration over petgraph's view of the store
/// (`IntoEdges`, `NodeIndexable`): rank flows along relationships in their
/// direction; a node without outgoing relationships spreads its rank evenly.
fn algo_page_rank(g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
    use petgraph::visit::{EdgeRef as _, IntoEdges, NodeIndexable};
    let label = match &args[0] {
        Value::Null => None,
        Value::Str(l) => match g.symbol(l) {
            Some(sym) => Some(sym),
            None => return Ok(Vec::new()),
        },
        _ => {
            return Err(rt(
                "TypeError",
                "InvalidArgumentType",
                "label must be a string",
            ));
        }
    };
    let ids: Vec<NodeId> = g.node_ids().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let bound = g.node_bound();
    let n = ids.len() as f64;
    let d = 0.85;
    let mut rank = vec![0.0f64; bound];
    for id in &ids {
        rank[id.0 as usize] = 1.0 / n;
    }
    let out_deg: Vec<usize> = (0..bound)
        .map(|i| {
            let id = g.from_index(i);
            if g.node(id).is_some() {
                g.edges(id).count()
            } else {
                0
            }
        })
        .collect();
    for _ in 0..20 {
        let mut next = vec![0.0f64; bound];
        let mut dangling = 0.0;
        for id in &ids {
            let i = g.to_index(*id);
            if out_deg[i] == 0 {
                dangling += rank[i];
                continue;
            }
            let share = rank[i] / out_deg[i] as f64;
            for e in g.edges(*id) {
                next[g.to_index(e.target())] += share;
            }
        }
        for id in &ids {
            let i = g.to_index(*id);
            next[i] = (1.0 - d) / n + d * (next[i] + dangling / n);
        }
        rank = next;
    }
    let mut out: Vec<(NodeId, f64)> = ids
        .into_iter()
        .filter(|id| label.is_none_or(|l| g.node(*id).is_some_and(|x| x.has_label(l))))
        .map(|id| (id, rank[id.0 as usize]))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out
        .into_iter()
        .map(|(id, r)| vec![Value::Node(id), Value::Float(r)])
        .collect())
}

/// Weakly connected parts, by petgraph's union-find over the relationships.
fn algo_components(g: &Graph, _: &[Value]) -> Res<Vec<Vec<Value>>> {
    let mut uf = petgraph::unionfind::UnionFind::<u32>::new(g.node_bound());
    for e in g.edge_ids() {
        if let Some((a, b)) = g.endpoints(e) {
            uf.union(a.0, b.0);
        }
    }
    let mut parts: BTreeMap<u32, Vec<NodeId>> = BTreeMap::new();
    for n in g.node_ids() {
        parts.entry(uf.find_mut(n.0)).or_default().push(n);
    }
    let mut parts: Vec<Vec<NodeId>> = parts.into_values().collect();
    parts.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                Value::Int(i as i64 + 1),
                Value::Int(p.len() as i64),
                Value::List(p.into_iter().map(Value::Node).collect()),
            ]
        })
        .collect())
}

/// The claims an actor took a stance on (actor → `Claim`) and the events
/// it performed (actor → `Event`) or was affected by (`Event` → actor):
/// an event's `time`, else its `date`; a claim's `date`.
fn news_timeline(g: &Graph, args: &[Value]) -> Res<Vec<Vec<Value>>> {
    let name = match &args[0] {
        Value::Null => return Ok(Vec::new()),
        Value::Str(x) => x.clone(),
        _ => {
            return Err(rt(
                "TypeError",
                "InvalidArgumentType",
                "actor must be a string (a name or alias)",
            ));
        }
    };
    let (claim, event) = (g.symbol("Claim"), g.symbol("Event"));
    let key = |k: &str| g.symbol(k);
    let prop = |n: NodeId, k: &str| -> Value {
        match (g.node(n), key(k)) {
            (Some(node), Some(k)) => node.prop(k).map_or(Value::Null, Value::from),
            _ => Value::Null,
        }
    };
    let has = |n: NodeId, l: Option<crate::store::Symbol>| {
        l.is_some_and(|l| g.node(n).is_some_and(|x| x.has_label(l)))
    };
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for actor in g.nodes_by_name(&name) {
        for (e, other) in g.edges_at(actor, Direction::Both) {
            let Some(r) = g.edge(e) else { continue };
            let Some((a, _)) = g.endpoints(e) else {
                continue;
            };
            let outgoing = a == actor;
            let rel = g.name_of(r.rel_type()).to_string();
            let (kind, time, text) = if has(other, claim) && outgoing {
                ("claim", prop(other, "date"), prop(other, "text"))
            } else if has(other, event) {
                let t = match prop(other, "time") {
                    Value::Null => prop(other, "date"),
                    t => t,
                };
                let text = match prop(other, "text") {
                    Value::Null => prop(other, "type"),
                    t => t,
                };
                ("event", t, text)
            } else {
                continue;
            };
            if !seen.insert((other, rel.clone())) {
                continue;
            }
            rows.push(vec![time, s(kind), s(&rel), text, Value::Node(other)]);
        }
    }
    // dated first, by time (partial dates among dates), then undated
    rows.sort_by(|a, b| {
        let key = |v: &Value| matches!(v, Value::Null);
        key(&a[0])
            .cmp(&key(&b[0]))
            .then_with(|| super::eval::order(&a[0], &b[0]))
            .then_with(|| super::eval::order(&a[3], &b[3]))
    });
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse_and_print() {
        let s = Signature::parse(
            "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: INTEGER?)",
        )
        .unwrap();
        assert_eq!(s.name, "test.my.proc");
        assert_eq!(s.inputs[1], ("id".to_string(), ProcType::Integer));
        assert_eq!(s.outputs.len(), 2);
        assert_eq!(
            s.to_string(),
            "test.my.proc(name :: STRING, id :: INTEGER) :: (city :: STRING, country_code :: INTEGER)"
        );
        assert!(
            Signature::parse("test.doNothing() :: ()")
                .unwrap()
                .outputs
                .is_empty()
        );
        for bad in [
            "",
            "x",
            "a.b(",
            "a.b() :: x",
            "a.b(x :: WHAT) :: ()",
            "a..b() :: ()",
        ] {
            assert!(Signature::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_builtin_has_a_valid_signature() {
        let r = Registry::builtin();
        assert_eq!(r.iter().count(), BUILTINS.len());
        assert!(r.get("db.labels").is_some());
    }
}
