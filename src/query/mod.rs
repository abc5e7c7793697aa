//! The query engine: Cypher-like text → pest parse (`grammar/cypher.pest`)
//! → typed AST → logical plan → execution on the store → rows.
//!
//! Owns the language. Knows the store's public API and nothing of article
//! text or extraction. The REPL and CLI call only [`run`] and the types
//! re-exported here.

pub mod ast;
mod connections;
mod count;
mod eval;
mod exec;
mod functions;
pub mod parser;
pub mod plan;
pub mod procedures;
mod temporal;
#[cfg(test)]
mod tests;
mod value;

pub use functions::function_names;
pub use value::{Path, Value};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::store::Graph;

/// Query parameters (`$name`).
pub type Params = BTreeMap<String, Value>;

/// Limits and controls for one query.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Upper bound for unbounded variable-length patterns (`*`, `*2..`).
    pub max_var_length: usize,
    /// Give up after this long.
    pub timeout: Option<Duration>,
    /// Set to true (e.g. from a Ctrl-C handler) to cancel the running query.
    pub cancel: Option<Arc<AtomicBool>>,
    /// The memory budget of the query in bytes (`None`: no limit): the
    /// rows it holds at once, estimated as their values' sizes, and the
    /// lists and strings its expressions build. Past it the query stops
    /// with `TransientError` (`MemoryLimitExceeded`).
    pub max_memory: Option<usize>,
    /// The procedures `CALL` may run (default: the built-ins).
    pub procedures: Arc<procedures::Registry>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            max_var_length: 15,
            timeout: None,
            cancel: None,
            max_memory: Some(default_max_memory()),
            procedures: Arc::new(procedures::Registry::builtin()),
        }
    }
}

/// The default memory budget of a query: a quarter of the memory this
/// process may use (the machine's RAM, or the cgroup's limit when lower),
/// at least 64 MiB; 1 GiB where neither can be read.
pub fn default_max_memory() -> usize {
    static DEFAULT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DEFAULT.get_or_init(|| {
        let ram = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb.saturating_mul(1024))
        });
        let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        let total = match (ram, cgroup) {
            (Some(r), Some(c)) => r.min(c),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => 4 << 30,
        };
        usize::try_from(total / 4)
            .unwrap_or(usize::MAX)
            .max(64 << 20)
    })
}

/// Reads a memory size as `--max-memory` and `:maxmemory` take it: a
/// number of bytes with an optional binary unit (`K`, `M`, `G`, `T`, also
/// written `KB`, `MiB`, …; `512M`, `1.5G`), or `off`/`none` for no limit.
pub fn parse_memory_size(text: &str) -> Result<Option<usize>, String> {
    let t = text.trim();
    if ["off", "none", "unlimited"].contains(&t.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    let usage = || {
        format!(
            "{text:?} is not a memory size: give bytes with an optional unit \
             (512M, 2G, 1.5GiB) or `off`"
        )
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let x: f64 = num.parse().map_err(|_| usage())?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(usage()),
    };
    let bytes = x * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= usize::MAX as f64 {
        return Err(usage());
    }
    Ok(Some(bytes as usize))
}

/// A memory size for people: `512 MiB`, `1.5 GiB`.
pub fn format_memory_size(bytes: usize) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} bytes")
    } else if x.fract() == 0.0 {
        format!("{x:.0} {}", units[u])
    } else {
        format!("{x:.1} {}", units[u])
    }
}

/// What a query changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub nodes_created: usize,
    pub nodes_deleted: usize,
    pub relationships_created: usize,
    pub relationships_deleted: usize,
    pub properties_set: usize,
    pub labels_added: usize,
    pub labels_removed: usize,
}

/// The result of a query: named columns and rows of values.
#[derive(Clone, Debug, Default)]
pub struct QueryOutput {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: WriteStats,
    /// For `EXPLAIN` / `PROFILE`: the plan as text (with row counts and
    /// times for `PROFILE`).
    pub plan: Option<String>,
}

/// When an error was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before execution (syntax and semantic checks).
    Compile,
    /// While executing.
    Runtime,
}

/// A query error, with the TCK's classification and a position.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct QueryError {
    pub phase: Phase,
    /// The TCK error type: `SyntaxError`, `SemanticError`, `TypeError`,
    /// `ArgumentError`, `EntityNotFound`, `ConstraintVerificationFailed`, …
    pub kind: String,
    /// The TCK detail code: `UndefinedVariable`, `InvalidArgumentType`, …
    pub detail: String,
    /// A sentence for people.
    pub message: String,
    /// Byte range in the query text that the error is about.
    pub span: Option<(usize, usize)>,
}

impl QueryError {
    /// The error for people: message, then line and column, the query line
    /// and a caret under the offending part.
    pub fn render(&self, query: &str) -> String {
        let mut out = format!("{}: {}", self.kind, self.message);
        if let Some((start, end)) = self.span {
            // spans are byte offsets; snap them to character boundaries so
            // a caret under a multi-byte character never splits it
            let start = floor_char(query, start.min(query.len()));
            let end = ceil_char(query, end.min(query.len()));
            let line_start = query[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = query[start..].find('\n').map_or(query.len(), |i| start + i);
            let line_no = query[..start].matches('\n').count() + 1;
            let col = query[line_start..start].chars().count() + 1;
            let width = query[start..end.clamp(start, line_end)]
                .chars()
                .count()
                .max(1);
            out.push_str(&format!(
                "\n  at line {line_no}, column {col}\n  {}\n  {}{}",
                &query[line_start..line_end],
                " ".repeat(col - 1),
                "^".repeat(width)
            ));
        }
        out
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Parses, plans and runs one query (or `EXPLAIN`/`PROFILE` of one) on the
/// graph. A query that fails leaves the graph as it was.
pub fn run(
    graph: &mut Graph,
    query: &str,
    params: &Params,
    options: &QueryOptions,
) -> Result<QueryOutput, QueryError> {
    if !needs_deep_stack(query) {
        return run_here(graph, query, params, options);
    }
    // Parsing, planning and evaluation recurse on the nesting of the query
    // (bounded by the parser's limits); a long or deeply bracketed query runs
    // on a thread whose stack holds the deepest query allowed, whatever
    // thread the caller is on.
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("newsgraph-query".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(s, || run_here(graph, query, params, options));
        match worker {
            Ok(h) => h.join().unwrap_or_else(|_| {
                Err(QueryError {
                    phase: Phase::Runtime,
                    kind: "InternalError".into(),
                    detail: "Panic".into(),
                    message: "the query failed inside newsgraph (a bug); the graph is unchanged"
                        .into(),
                    span: None,
                })
            }),
            Err(e) => Err(QueryError {
                phase: Phase::Runtime,
                kind: "TransientError".into(),
                detail: "OutOfResources".into(),
                message: format!("cannot start the query: {e}"),
                span: None,
            }),
        }
    })
}

/// The stack of the thread deep queries run on (reserved, not used, until
/// a query needs it).
const DEEP_STACK: usize = 256 << 20;

/// Whether a query is long or bracketed deeply enough that its recursion
/// might not fit the caller's stack (test threads have 2 MB).
fn needs_deep_stack(query: &str) -> bool {
    if query.len() > 1500 {
        return true;
    }
    let (mut depth, mut max) = (0i32, 0i32);
    for b in query.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    max > 12
}

fn run_here(
    graph: &mut Graph,
    query: &str,
    params: &Params,
    options: &QueryOptions,
) -> Result<QueryOutput, QueryError> {
    let ast = parser::parse_query(query)?;
    let writes = plan::has_writes(&ast.body);
    if writes && ast.explain != Some(ast::Explain::Explain) {
        // writes run on a copy that replaces the graph only on success
        let mut copy = graph.clone();
        let out = execute(&mut copy, &ast, query, params, options, true)?;
        *graph = copy;
        Ok(out)
    } else {
        execute(graph, &ast, query, params, options, false)
    }
}

fn execute(
    graph: &mut Graph,
    ast: &ast::Query,
    query: &str,
    params: &Params,
    options: &QueryOptions,
    writes: bool,
) -> Result<QueryOutput, QueryError> {
    let plan = plan::Planner::new(graph, params, query, writes)
        .with_procedures(&options.procedures)
        .plan(&ast.body)?;
    if ast.explain == Some(ast::Explain::Explain) {
        let lines = plan::describe(&plan, graph);
        return Ok(QueryOutput {
            columns: vec!["plan".into()],
            rows: lines
                .iter()
                .map(|l| vec![Value::Str(l.as_str().into())])
                .collect(),
            stats: WriteStats::default(),
            plan: Some(lines.join("\n")),
        });
    }
    let mut ex = exec::Exec::new(graph, options);
    if ast.explain == Some(ast::Explain::Profile) {
        ex.profile = Some(Vec::new());
    }
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let distinct = plan.union_all.first() == Some(&false);
    for b in &plan.branches {
        let out = ex.run_branch(b)?;
        if b.columns.is_empty() {
            // a query that ends with an updating clause returns no rows
            continue;
        }
        for r in out {
            let row: Vec<Value> = b.columns.iter().map(|(_, s)| r[*s].clone()).collect();
            if distinct && !seen.insert(row.iter().map(eval::group_key).collect::<Vec<_>>()) {
                continue;
            }
            rows.push(row);
        }
    }
    let columns = plan.branches[0]
        .columns
        .iter()
        .map(|c| c.0.clone())
        .collect();
    let stats = ex.stats.clone();
    let plan_text = ex.profile.take().map(|p| {
        p.iter()
            .map(|(op, n, ms)| format!("{op}  rows={n}  time={ms:.3}ms"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(QueryOutput {
        columns,
        rows,
        stats,
        plan: plan_text,
    })
}
