//! The executor: runs a [`Plan`] over slot-indexed rows on the graph.
//! Owns pattern matching (with relationship uniqueness, bounded variable
//! length and shortest paths), aggregation, sorting and the write clauses
//! with their statistics. Checks the cancel flag and the timeout in loops.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::Instant;

use super::ast::Dir;
use super::eval::{
    GroupKey, Res, equals, group_key, order, prop_value, rt, truthy, type_err, type_name,
};
use super::plan::*;
use super::value::Path;
use super::{QueryOptions, Value, WriteStats};
use crate::store::{Direction, EdgeId, Graph, NodeId, PropMap, PropValue};

pub type Row = Vec<Value>;

pub struct Exec<'a> {
    g: &'a mut Graph,
    opts: &'a QueryOptions,
    start: Instant,
    /// The statement clock: nanoseconds since the epoch when the query started.
    pub now: i64,
    ticks: Cell<u32>,
    rng: Cell<u64>,
    pub stats: WriteStats,
    pub profile: Option<Vec<(String, usize, f64)>>,
    /// Row width of the branch being run.
    width: usize,
    /// Set while only the number of matches matters: expansion may then
    /// read the store's flat adjacency arrays, in their order.
    pub(super) unordered: Cell<bool>,
    /// While counting: WHERE conjuncts checked as soon as their variable is
    /// bound, per step of the match plan at this address.
    pub(super) early: std::cell::RefCell<Option<(usize, EarlyFilters)>>,
    /// Bytes the query holds now, as estimated by [`row_bytes`] and
    /// [`Value::heap_bytes`]: materialised rows, sort keys, groups,
    /// DISTINCT keys.
    mem: Cell<usize>,
    /// The budget for `mem` (`usize::MAX` without one).
    mem_limit: usize,
    /// The types of the relationships this query deleted: `type(r)` still
    /// answers for them, as Cypher says.
    pub(super) deleted_types: HashMap<EdgeId, crate::store::Symbol>,
}

/// What a subquery's branches returned for one incoming row: the
/// returned columns' values, deduplicated across branches for `UNION`.
#[derive(Default)]
struct SubResults {
    rows: Vec<Vec<Value>>,
    seen: HashSet<Vec<GroupKey>>,
}

impl SubResults {
    fn add(&mut self, sp: &SubPlan, b: &SubBranch, got: Vec<Row>) {
        for r in got {
            let vals: Vec<Value> = b.columns.iter().map(|c| r[*c].clone()).collect();
            if sp.distinct && !self.seen.insert(vals.iter().map(group_key).collect()) {
                continue;
            }
            self.rows.push(vals);
        }
    }
}

/// The estimated bytes a row holds: its slots and what their values hold.
pub(super) fn row_bytes(row: &Row) -> usize {
    std::mem::size_of::<Row>()
        + row
            .iter()
            .map(|v| std::mem::size_of::<Value>() + v.heap_bytes())
            .sum::<usize>()
}

/// WHERE conjuncts to check before each step of a match plan.
type EarlyFilters = std::rc::Rc<Vec<Vec<CExpr>>>;

pub(super) fn dir_of(d: Dir) -> Direction {
    match d {
        Dir::Right => Direction::Outgoing,
        Dir::Left => Direction::Incoming,
        Dir::Both => Direction::Both,
    }
}

impl<'a> Exec<'a> {
    pub fn new(g: &'a mut Graph, opts: &'a QueryOptions) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64)
            | 1;
        Exec {
            g,
            opts,
            start: Instant::now(),
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i64),
            ticks: Cell::new(0),
            rng: Cell::new(seed),
            stats: WriteStats::default(),
            profile: None,
            width: 0,
            unordered: Cell::new(false),
            early: std::cell::RefCell::new(None),
            mem: Cell::new(0),
            mem_limit: opts.max_memory.unwrap_or(usize::MAX),
            deleted_types: HashMap::new(),
        }
    }

    /// Counts `bytes` more against the memory budget; past the budget, the
    /// error that stops the query.
    pub(super) fn charge(&self, bytes: usize) -> Res<()> {
        let m = self.mem.get().saturating_add(bytes);
        self.mem.set(m);
        if m > self.mem_limit {
            return Err(self.out_of_memory());
        }
        Ok(())
    }

    /// Gives back bytes charged earlier.
    pub(super) fn release(&self, bytes: usize) {
        self.mem.set(self.mem.get().saturating_sub(bytes));
    }

    /// Whether a value of `bytes` being built would still fit the budget.
    pub(super) fn check_fits(&self, bytes: usize) -> Res<()> {
        if self.mem.get().saturating_add(bytes) > self.mem_limit {
            return Err(self.out_of_memory());
        }
        Ok(())
    }

    fn out_of_memory(&self) -> super::QueryError {
        rt(
            "TransientError",
            "MemoryLimitExceeded",
            format!(
                "the query needs more memory than its budget of {} and was stopped \
                 (raise it with --max-memory or :maxmemory, or add LIMIT)",
                super::format_memory_size(self.mem_limit)
            ),
        )
    }

    /// Charges `row` to the budget and adds it to `out`.
    fn keep(&self, out: &mut Vec<Row>, row: Row) -> Res<()> {
        self.charge(row_bytes(&row))?;
        out.push(row);
        Ok(())
    }

    pub fn g(&self) -> &Graph {
        self.g
    }

    pub fn rand(&self) -> f64 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Cancellation and timeout, checked every few thousand calls.
    pub fn tick(&self) -> Res<()> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if !t.is_multiple_of(4096) {
            return Ok(());
        }
        if let Some(c) = &self.opts.cancel
            && c.load(std::sync::atomic::Ordering::Relaxed)
        {
            return Err(rt("TransientError", "Cancelled", "query cancelled"));
        }
        if let Some(to) = self.opts.timeout
            && self.start.elapsed() > to
        {
            return Err(rt("TransientError", "Timeout", "query timed out"));
        }
        Ok(())
    }

    pub fn property(&self, v: &Value, key: &Key) -> Res<Value> {
        Ok(match v {
            Value::Null => Value::Null,
            Value::Node(n) => match (key.sym, self.g.node(*n)) {
                (Some(k), Some(node)) => prop_value(node.prop(k)),
                (_, None) => {
                    return Err(rt(
                        "EntityNotFound",
                        "DeletedEntityAccess",
                        "node was deleted",
                    ));
                }
                _ => Value::Null,
            },
            Value::Rel(e) => match (key.sym, self.g.edge(*e)) {
                (Some(k), Some(edge)) => prop_value(edge.prop(k)),
                (_, None) => {
                    return Err(rt(
                        "EntityNotFound",
                        "DeletedEntityAccess",
                        "relationship was deleted",
                    ));
                }
                _ => Value::Null,
            },
            Value::Map(m) => m.get(key.name.as_str()).cloned().unwrap_or(Value::Null),
            Value::Date(t) => match super::temporal::field(t, &key.name) {
                Some(x) => x,
                None => {
                    return Err(rt(
                        "SyntaxError",
                        "InvalidArgumentType",
                        format!("no field {} on {}", key.name, type_name(v)),
                    ));
                }
            },
            other => {
                return Err(type_err(format!(
                    "cannot read property of {}",
                    type_name(other)
                )));
            }
        })
    }

    pub fn properties(&self, v: &Value) -> Res<Value> {
        let to_map = |p: &PropMap| {
            Value::Map(
                p.iter()
                    .map(|(k, v)| (self.g.name_of(k).to_string(), Value::from(v)))
                    .collect(),
            )
        };
        Ok(match v {
            Value::Null => Value::Null,
            Value::Node(n) => self.g.node(*n).map_or(Value::Null, |x| to_map(x.props())),
            Value::Rel(e) => self.g.edge(*e).map_or(Value::Null, |x| to_map(x.props())),
            Value::Map(m) => Value::Map(m.clone()),
            other => return Err(type_err(format!("properties() of {}", type_name(other)))),
        })
    }

    // ------------------------------------------------------ matching

    /// The candidate nodes of a scan (they still have to pass its check).
    pub(super) fn scan(&self, source: &Source) -> Box<dyn Iterator<Item = NodeId> + '_> {
        match source {
            Source::All => Box::new(self.g.node_ids()),
            Source::Label(None) => Box::new(std::iter::empty()),
            Source::Label(Some(l)) => Box::new(self.g.nodes_with_label(*l)),
            Source::Name(n) => Box::new(self.g.nodes_by_name(n).into_iter()),
        }
    }

    /// Calls `f` with every extension of `row` that matches `m`; `f`
    /// returns false to stop early.
    /// Every match of `m` extending `row`, appended to `out` under the
    /// query's memory budget.
    fn match_into(&self, m: &MatchPlan, row: Row, out: &mut Vec<Row>) -> Res<()> {
        let mut err = None;
        self.match_rows(m, row, &mut |r| match self.keep(out, r.clone()) {
            Ok(()) => true,
            Err(e) => {
                err = Some(e);
                false
            }
        })?;
        err.map_or(Ok(()), Err)
    }

    pub fn match_rows(
        &self,
        m: &MatchPlan,
        mut row: Row,
        f: &mut dyn FnMut(&Row) -> bool,
    ) -> Res<()> {
        self.steps(m, 0, &mut row, f)?;
        Ok(())
    }

    fn steps(
        &self,
        m: &MatchPlan,
        i: usize,
        row: &mut Row,
        f: &mut dyn FnMut(&Row) -> bool,
    ) -> Res<bool> {
        self.tick()?;
        if self.unordered.get()
            && let Some((at, ef)) = &*self.early.borrow()
            && *at == m as *const MatchPlan as usize
        {
            for c in ef.get(i).into_iter().flatten() {
                if truthy(&self.eval(c, row)?)? != Some(true) {
                    return Ok(true);
                }
            }
        }
        let Some(step) = m.steps.get(i) else {
            for p in &m.paths {
                row[p.slot] = Value::Path(self.build_path(p, row));
            }
            if let Some(flt) = &m.filter
                && truthy(&self.eval(flt, row)?)? != Some(true)
            {
                return Ok(true);
            }
            return Ok(f(row));
        };
        match step {
            Step::Scan {
                slot,
                source,
                check,
            } => {
                let cands: Vec<NodeId> = self.scan(source).collect();
                for n in cands {
                    if !self.check_node(n, check, row)? {
                        continue;
                    }
                    row[*slot] = Value::Node(n);
                    if !self.steps(m, i + 1, row, f)? {
                        row[*slot] = Value::Null;
                        return Ok(false);
                    }
                }
                row[*slot] = Value::Null;
                Ok(true)
            }
            Step::Check { slot, check } => match &row[*slot] {
                Value::Node(n) => {
                    let n = *n;
                    if self.check_node(n, check, row)? {
                        self.steps(m, i + 1, row, f)
                    } else {
                        Ok(true)
                    }
                }
                _ => Ok(true),
            },
            Step::Expand(spec) => {
                let Value::Node(from) = row[spec.from] else {
                    return Ok(true);
                };
                if let Some((lo, hi, rev)) = spec.var {
                    if spec.rel_bound {
                        return self.bound_var_expand(m, i, spec, (lo, hi, rev), from, row, f);
                    }
                    let hi = if hi == usize::MAX {
                        self.opts.max_var_length.max(lo)
                    } else {
                        hi
                    };
                    let mut path = Vec::new();
                    return self.var_expand(m, i, spec, lo, hi, from, &mut path, row, f);
                }
                let prefiltered = !spec.rel_bound && self.unordered.get();
                let edges: Vec<(EdgeId, NodeId)> = if spec.rel_bound {
                    match &row[spec.rel] {
                        Value::Rel(e) => match self.g.endpoints(*e) {
                            Some((a, b)) => {
                                let mut v = Vec::new();
                                if a == from && spec.dir != Dir::Left {
                                    v.push((*e, b));
                                }
                                if b == from && spec.dir != Dir::Right && (a != b || v.is_empty()) {
                                    v.push((*e, a));
                                }
                                v
                            }
                            None => Vec::new(),
                        },
                        _ => Vec::new(),
                    }
                } else if prefiltered {
                    self.g
                        .adjacency()
                        .at(from, dir_of(spec.dir))
                        .filter(|x| spec.types.as_ref().is_none_or(|t| t.contains(&x.rel_type)))
                        .map(|x| (x.edge, x.other))
                        .collect()
                } else {
                    self.g.edges_at(from, dir_of(spec.dir)).collect()
                };
                for (e, other) in edges {
                    if spec.rel_bound && !self.rel_ok(e, spec, row)? {
                        continue;
                    }
                    if !spec.rel_bound
                        && (!((prefiltered && spec.rel_props.is_empty())
                            || self.rel_ok(e, spec, row)?)
                            || self.rel_used(m, row, e, spec.rel))
                    {
                        continue;
                    }
                    if !self.bind_target(spec, other, row)? {
                        continue;
                    }
                    let prev = std::mem::replace(&mut row[spec.rel], Value::Rel(e));
                    let cont = self.steps(m, i + 1, row, f)?;
                    row[spec.rel] = prev;
                    if !spec.to_bound {
                        row[spec.to] = Value::Null;
                    }
                    if !cont {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Step::Shortest { spec, all, path } => {
                let (Value::Node(a), Value::Node(b)) = (&row[spec.from], &row[spec.to]) else {
                    return Ok(true);
                };
                let (a, b) = (*a, *b);
                for p in self.shortest(spec, a, b, *all)? {
                    row[spec.rel] = Value::List(p.rels.iter().map(|e| Value::Rel(*e)).collect());
                    row[*path] = Value::Path(p);
                    if !self.steps(m, i + 1, row, f)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }

    /// A variable-length hop whose relationships are already bound (a
    /// list from an earlier clause): the list must walk from `from`, in
    /// the hop's direction, with a length in range and every relationship
    /// passing the hop's types and properties; its last node is the target.
    #[allow(clippy::too_many_arguments)]
    fn bound_var_expand(
        &self,
        m: &MatchPlan,
        i: usize,
        spec: &ExpandSpec,
        (lo, hi, rev): (usize, usize, bool),
        from: NodeId,
        row: &mut Row,
        f: &mut dyn FnMut(&Row) -> bool,
    ) -> Res<bool> {
        let Value::List(list) = &row[spec.rel] else {
            return Ok(true);
        };
        let mut rels = Vec::with_capacity(list.len());
        for v in list {
            match v {
                Value::Rel(e) => rels.push(*e),
                _ => return Ok(true),
            }
        }
        if rels.len() < lo || rels.len() > hi {
            return Ok(true);
        }
        // the list is written from the pattern's left end; walked from the
        // right end when the plan starts there
        if rev {
            rels.reverse();
        }
        let mut cur = from;
        for (k, e) in rels.iter().enumerate() {
            if !self.rel_ok(*e, spec, row)?
                || rels[..k].contains(e)
                || self.rel_used(m, row, *e, spec.rel)
            {
                return Ok(true);
            }
            let Some((a, b)) = self.g.endpoints(*e) else {
                return Ok(true);
            };
            cur = match spec.dir {
                Dir::Right if a == cur => b,
                Dir::Left if b == cur => a,
                Dir::Both if a == cur => b,
                Dir::Both if b == cur => a,
                _ => return Ok(true),
            };
        }
        if !self.bind_target(spec, cur, row)? {
            return Ok(true);
        }
        let cont = self.steps(m, i + 1, row, f)?;
        if !spec.to_bound {
            row[spec.to] = Value::Null;
        }
        Ok(cont)
    }

    #[allow(clippy::too_many_arguments)]
    fn var_expand(
        &self,
        m: &MatchPlan,
        i: usize,
        spec: &ExpandSpec,
        lo: usize,
        hi: usize,
        cur: NodeId,
        path: &mut Vec<EdgeId>,
        row: &mut Row,
        f: &mut dyn FnMut(&Row) -> bool,
    ) -> Res<bool> {
        self.tick()?;
        if path.len() >= lo && self.bind_target(spec, cur, row)? {
            let mut list: Vec<Value> = path.iter().map(|e| Value::Rel(*e)).collect();
            if spec.var.is_some_and(|v| v.2) {
                list.reverse();
            }
            let prev = std::mem::replace(&mut row[spec.rel], Value::List(list));
            let cont = self.steps(m, i + 1, row, f)?;
            row[spec.rel] = prev;
            if !spec.to_bound {
                row[spec.to] = Value::Null;
            }
            if !cont {
                return Ok(false);
            }
        }
        if path.len() >= hi {
            return Ok(true);
        }
        let edges: Vec<(EdgeId, NodeId)> = self.g.edges_at(cur, dir_of(spec.dir)).collect();
        for (e, other) in edges {
            if path.contains(&e)
                || !self.rel_ok(e, spec, row)?
                || self.rel_used(m, row, e, spec.rel)
            {
                continue;
            }
            path.push(e);
            let cont = self.var_expand(m, i, spec, lo, hi, other, path, row, f)?;
            path.pop();
            if !cont {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn shortest(&self, spec: &ExpandSpec, a: NodeId, b: NodeId, all: bool) -> Res<Vec<Path>> {
        let (lo, hi, _) = spec.var.unwrap_or((1, 1, false));
        let hi = if hi == usize::MAX {
            self.opts.max_var_length.max(lo)
        } else {
            hi
        };
        if a == b && lo == 0 {
            return Ok(vec![Path {
                nodes: vec![a],
                rels: vec![],
            }]);
        }
        let empty: Row = Vec::new();
        // BFS over the flat adjacency arrays keeping all parents at the
        // shortest depth (only the first one when one path is wanted)
        let adj = self.g.adjacency();
        let mut parents: HashMap<NodeId, Vec<(NodeId, EdgeId)>> = HashMap::new();
        let mut depth: Vec<u32> = vec![u32::MAX; self.g.node_bound().max(a.0 as usize + 1)];
        depth[a.0 as usize] = 0;
        let mut q = VecDeque::from([a]);
        let mut found: Option<usize> = None;
        'bfs: while let Some(n) = q.pop_front() {
            self.tick()?;
            let d = depth[n.0 as usize] as usize;
            if found.is_some_and(|f| d >= f) || d >= hi {
                continue;
            }
            for x in adj.at(n, dir_of(spec.dir)) {
                if spec
                    .types
                    .as_ref()
                    .is_some_and(|t| !t.contains(&x.rel_type))
                {
                    continue;
                }
                if !spec.rel_props.is_empty() && !self.rel_ok(x.edge, spec, &empty)? {
                    continue;
                }
                let (o, e) = (x.other, x.edge);
                match depth.get(o.0 as usize).copied() {
                    Some(u32::MAX) => {
                        depth[o.0 as usize] = (d + 1) as u32;
                        parents.entry(o).or_default().push((n, e));
                        if o == b {
                            found = Some(d + 1);
                            if !all {
                                break 'bfs;
                            }
                        } else {
                            q.push_back(o);
                        }
                    }
                    Some(od) if all && od as usize == d + 1 => {
                        parents.entry(o).or_default().push((n, e))
                    }
                    _ => {}
                }
            }
        }
        if found.is_none() || !self.check_node(b, &spec.to_check, &empty)? {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut stack = vec![(b, Vec::<EdgeId>::new(), vec![b])];
        while let Some((n, rels, nodes)) = stack.pop() {
            if n == a {
                let mut rels = rels;
                let mut nodes = nodes;
                rels.reverse();
                nodes.reverse();
                out.push(Path { nodes, rels });
                if !all {
                    break;
                }
                continue;
            }
            for (p, e) in parents.get(&n).into_iter().flatten() {
                let mut r2 = rels.clone();
                r2.push(*e);
                let mut n2 = nodes.clone();
                n2.push(*p);
                stack.push((*p, r2, n2));
            }
        }
        Ok(out)
    }

    pub(super) fn rel_ok(&self, e: EdgeId, spec: &ExpandSpec, row: &Row) -> Res<bool> {
        let Some(edge) = self.g.edge(e) else {
            return Ok(false);
        };
        if let Some(ts) = &spec.types
            && !ts.contains(&edge.rel_type())
        {
            return Ok(false);
        }
        for (k, v) in &spec.rel_props {
            let want = self.eval(v, row)?;
            let have = k
                .sym
                .and_then(|s| edge.prop(s))
                .map_or(Value::Null, Value::from);
            if equals(&have, &want) != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub(super) fn rel_used(&self, m: &MatchPlan, row: &Row, e: EdgeId, except: usize) -> bool {
        m.rels.iter().any(|(s, _)| {
            *s != except
                && match &row[*s] {
                    Value::Rel(x) => *x == e,
                    Value::List(l) => l.iter().any(|v| matches!(v, Value::Rel(x) if *x == e)),
                    _ => false,
                }
        })
    }

    fn bind_target(&self, spec: &ExpandSpec, n: NodeId, row: &mut Row) -> Res<bool> {
        if spec.to_bound {
            return Ok(matches!(&row[spec.to], Value::Node(x) if *x == n)
                && self.check_node(n, &spec.to_check, row)?);
        }
        if !self.check_node(n, &spec.to_check, row)? {
            return Ok(false);
        }
        row[spec.to] = Value::Node(n);
        Ok(true)
    }

    pub(super) fn check_node(&self, n: NodeId, c: &Check, row: &Row) -> Res<bool> {
        if c.is_empty() {
            return Ok(true);
        }
        let Some(node) = self.g.node(n) else {
            return Ok(false);
        };
        for l in &c.labels {
            match l {
                Some(l) if node.has_label(*l) => {}
                _ => return Ok(false),
            }
        }
        for (k, v) in &c.props {
            let want = self.eval(v, row)?;
            let have = k
                .sym
                .and_then(|s| node.prop(s))
                .map_or(Value::Null, Value::from);
            if equals(&have, &want) != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn build_path(&self, p: &PathBuild, row: &Row) -> Path {
        let Value::Node(start) = row[p.start] else {
            return Path {
                nodes: vec![],
                rels: vec![],
            };
        };
        let mut rels = Vec::new();
        for (s, var) in &p.segs {
            match &row[*s] {
                Value::Rel(_) if !var => rels.push(row[*s].clone()),
                Value::List(l) => rels.extend(l.iter().cloned()),
                _ => {}
            }
        }
        self.walk(start, &rels)
    }

    // ------------------------------------------------------ operators

    pub fn run_branch(&mut self, b: &Branch) -> Res<Vec<Row>> {
        let rows: Vec<Row> = vec![vec![Value::Null; b.nslots]];
        let outer_width = std::mem::replace(&mut self.width, b.nslots);
        let r = self.run_ops(&b.ops, rows);
        self.width = outer_width;
        r
    }

    fn run_ops(&mut self, ops: &[Op], mut rows: Vec<Row>) -> Res<Vec<Row>> {
        // bytes charged to the budget for `rows`; every operator that
        // builds rows charges them as it makes them, and the rows it read
        // are given back when it is done
        let mut held = 0usize;
        let mut i = 0;
        while i < ops.len() {
            let op = &ops[i];
            let t = Instant::now();
            let before = self.mem.get();
            let in_len = rows.len();
            let (n, name, builds) = if let Some(n) = streamable(&ops[i..]) {
                // a pipeline ending in LIMIT pulls rows one at a time and
                // stops at the limit: no product or expansion is built whole
                let ops = &ops[i..i + n];
                rows = self.stream(ops, rows, Sink::Rows(Vec::new()))?;
                (n, self.profile_name("Stream", ops), true)
            } else if let Some(n) = top_k(&ops[i..]) {
                // ORDER BY … LIMIT: rows stream into a heap of the first
                // SKIP + LIMIT; the rest are never kept
                let ops = &ops[i..i + n];
                rows = self.top_k(ops, rows)?;
                (n, self.profile_name("TopK", ops), true)
            } else if let Some((shortcut, out)) = self.try_shortcut(&ops[i..], &rows)? {
                let mut kept = Vec::with_capacity(out.len());
                for r in out {
                    self.keep(&mut kept, r)?;
                }
                rows = kept;
                // the shortcut answers the match and the aggregate after it
                (
                    2,
                    Some(format!("{shortcut}({})", describe_op(op, self.g))),
                    true,
                )
            } else {
                rows = self.op(op, rows)?;
                let builds = !matches!(
                    op,
                    Op::Filter(_)
                        | Op::Distinct(_)
                        | Op::Sort(_)
                        | Op::Skip(_)
                        | Op::Limit(_)
                        | Op::Set(_)
                        | Op::Delete { .. }
                );
                (1, None, builds)
            };
            let made = self.mem.get().saturating_sub(before);
            if builds {
                self.release(held);
                held = made;
            } else {
                // a subset of the rows read, in place: their share of the
                // charge stays (and anything left charged by the operator)
                let kept = if in_len == 0 {
                    0
                } else {
                    (held as u128 * rows.len() as u128 / in_len as u128) as usize
                };
                self.release(held - kept);
                held = kept + made;
            }
            if let Some(p) = &mut self.profile {
                p.push((
                    name.unwrap_or_else(|| describe_op(op, self.g)),
                    rows.len(),
                    t.elapsed().as_secs_f64() * 1000.0,
                ));
            }
            i += n;
        }
        Ok(rows)
    }

    /// Runs `ops` that only read the graph (a subquery's) over `rows`;
    /// what they held is given back to the budget when they are done, as
    /// the caller keeps only what it copies out.
    fn run_read(&self, ops: &[Op], rows: Vec<Row>) -> Res<Vec<Row>> {
        let before = self.mem.get();
        let mut rows = rows;
        let mut i = 0;
        let r = loop {
            if i >= ops.len() {
                break Ok(rows);
            }
            let step = if let Some(n) = streamable(&ops[i..]) {
                self.stream(&ops[i..i + n], rows, Sink::Rows(Vec::new()))
                    .map(|r| (r, n))
            } else if let Some(n) = top_k(&ops[i..]) {
                self.top_k(&ops[i..i + n], rows).map(|r| (r, n))
            } else {
                self.op_read(&ops[i], rows).map(|r| (r, 1))
            };
            match step {
                Ok((r, n)) => {
                    rows = r;
                    i += n;
                }
                Err(e) => break Err(e),
            }
        };
        self.release(self.mem.get().saturating_sub(before));
        r
    }

    /// The rows a read-only subquery branch gives for one row.
    pub(super) fn subquery_rows(&self, ops: &[Op], row: &Row) -> Res<Vec<Row>> {
        self.run_read(ops, vec![row.clone()])
    }

    /// `CALL { … }` that updates the graph: the subquery runs once for each
    /// row, in order (a row's run sees what the runs before it wrote).
    fn subquery(&mut self, sp: &SubPlan, rows: Vec<Row>) -> Res<Vec<Row>> {
        // the subquery's operators are not listed one by one in PROFILE
        let profile = self.profile.take();
        let mut out = Vec::new();
        let mut result = Ok(());
        'rows: for row in rows {
            let mut found = SubResults::default();
            for b in &sp.branches {
                let before = self.mem.get();
                let got = self.run_ops(&b.ops, vec![row.clone()]);
                self.release(self.mem.get().saturating_sub(before));
                match got {
                    Ok(got) => found.add(sp, b, got),
                    Err(e) => {
                        result = Err(e);
                        break 'rows;
                    }
                }
            }
            if let Err(e) = self.join_subquery(sp, row, found, &mut out) {
                result = Err(e);
                break;
            }
        }
        self.profile = profile;
        result.map(|()| out)
    }

    /// `CALL { … }` that only reads: the subquery runs once for each row.
    fn subquery_read(&self, sp: &SubPlan, rows: Vec<Row>) -> Res<Vec<Row>> {
        let mut out = Vec::new();
        for row in rows {
            self.tick()?;
            let mut found = SubResults::default();
            for b in &sp.branches {
                found.add(sp, b, self.run_read(&b.ops, vec![row.clone()])?);
            }
            self.join_subquery(sp, row, found, &mut out)?;
        }
        Ok(out)
    }

    /// The rows a subquery's results make of its incoming `row`: the row
    /// with each result's columns (a unit subquery: the row as it came).
    fn join_subquery(
        &self,
        sp: &SubPlan,
        row: Row,
        found: SubResults,
        out: &mut Vec<Row>,
    ) -> Res<()> {
        if sp.outs.is_empty() {
            return self.keep(out, row);
        }
        for vals in found.rows {
            let mut r = row.clone();
            for (s, v) in sp.outs.iter().zip(vals) {
                r[*s] = v;
            }
            self.keep(out, r)?;
        }
        Ok(())
    }

    fn profile_name(&self, what: &str, ops: &[Op]) -> Option<String> {
        self.profile.as_ref()?;
        let names: Vec<String> = ops.iter().map(|o| describe_op(o, self.g)).collect();
        Some(format!("{what}({})", names.join(" → ")))
    }

    /// Runs `ops` (see [`streamable`]) row by row over `input`, depth
    /// first, so that every `LIMIT` stops the work upstream once it has
    /// let its rows through. The rows that come out go to `sink`.
    fn stream(&self, ops: &[Op], input: Vec<Row>, mut sink: Sink) -> Res<Vec<Row>> {
        let mut st = StreamState {
            counts: vec![0; ops.len()],
            seen: vec![HashSet::new(); ops.len()],
            seen_bytes: 0,
        };
        for (k, op) in ops.iter().enumerate() {
            match op {
                Op::Skip(e) => st.counts[k] = check_count(&self.eval(e, &Vec::new())?, "SKIP")?,
                Op::Limit(e) => {
                    st.counts[k] = check_count(&self.eval(e, &Vec::new())?, "LIMIT")?;
                    if st.counts[k] == 0 {
                        return Ok(Vec::new());
                    }
                }
                _ => {}
            }
        }
        let mut result = Ok(());
        for row in input {
            match self.push(ops, 0, row, &mut st, &mut sink) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.release(st.seen_bytes);
        result?;
        self.finish(sink)
    }

    /// The rows a sink holds at the end of a stream, charged to the budget.
    fn finish(&self, sink: Sink) -> Res<Vec<Row>> {
        match sink {
            Sink::Rows(rows) => Ok(rows),
            Sink::Top(top) => {
                self.release(top.bytes);
                let skip = top.skip;
                let mut out = Vec::with_capacity(top.heap.len().saturating_sub(skip));
                for r in top.heap.into_sorted_vec().into_iter().skip(skip) {
                    self.keep(&mut out, r.row)?;
                }
                Ok(out)
            }
        }
    }

    /// `ops`: the streamable operators before an `ORDER BY`, the sort, an
    /// optional `SKIP` and the `LIMIT` (see [`top_k`]). Gives what sorting
    /// all rows, then skipping and limiting, would give: a stable sort, so
    /// ties keep the order the rows came in.
    fn top_k(&self, ops: &[Op], input: Vec<Row>) -> Res<Vec<Row>> {
        let sort_at = ops
            .iter()
            .position(|o| matches!(o, Op::Sort(_)))
            .ok_or_else(|| rt("InternalError", "TopK", "no sort in a top-k pipeline"))?;
        let Op::Sort(keys) = &ops[sort_at] else {
            unreachable!("position found a sort")
        };
        let mut skip = 0;
        let mut limit = 0;
        for op in &ops[sort_at + 1..] {
            match op {
                Op::Skip(e) => skip = check_count(&self.eval(e, &Vec::new())?, "SKIP")?,
                Op::Limit(e) => limit = check_count(&self.eval(e, &Vec::new())?, "LIMIT")?,
                _ => {}
            }
        }
        let (skip, limit) = (skip as usize, limit as usize);
        let sink = Sink::Top(TopK {
            keys,
            skip,
            // with LIMIT 0 nothing is kept, but every row's sort key is
            // still computed (and may fail) as a full sort would
            cap: if limit == 0 {
                0
            } else {
                skip.saturating_add(limit)
            },
            heap: std::collections::BinaryHeap::new(),
            seq: 0,
            bytes: 0,
        });
        let mut sink = sink;
        if sort_at == 0 {
            for row in input {
                self.tick()?;
                self.offer(&mut sink, row)?;
            }
            return self.finish(sink);
        }
        self.stream(&ops[..sort_at], input, sink)
    }

    /// Gives a row that came out of a stream to the sink; false once the
    /// sink wants no more rows.
    fn offer(&self, sink: &mut Sink, row: Row) -> Res<bool> {
        match sink {
            Sink::Rows(out) => self.keep(out, row)?,
            Sink::Top(top) => {
                let key = top
                    .keys
                    .iter()
                    .map(|(e, _)| self.eval(e, &row))
                    .collect::<Res<Vec<_>>>()?;
                top.seq += 1;
                if top.cap == 0 {
                    return Ok(true);
                }
                let bytes = row_bytes(&row) + row_bytes(&key);
                let r = Ranked {
                    key,
                    seq: top.seq,
                    row,
                    bytes,
                    dirs: top.keys,
                };
                if top.heap.len() < top.cap {
                    self.charge(bytes)?;
                    top.bytes += bytes;
                    top.heap.push(r);
                } else if top.heap.peek().is_some_and(|worst| r < *worst) {
                    self.charge(bytes)?;
                    top.bytes += bytes;
                    top.heap.push(r);
                    if let Some(out) = top.heap.pop() {
                        self.release(out.bytes);
                        top.bytes -= out.bytes;
                    }
                }
            }
        }
        Ok(true)
    }

    /// Sends one row through `ops[k..]`; false once no more rows are wanted.
    fn push(
        &self,
        ops: &[Op],
        k: usize,
        mut row: Row,
        st: &mut StreamState,
        out: &mut Sink,
    ) -> Res<bool> {
        let Some(op) = ops.get(k) else {
            return self.offer(out, row);
        };
        self.tick()?;
        match op {
            Op::Match { m, optional } => {
                let mut found = false;
                let mut cont = true;
                let mut err = None;
                self.match_rows(m, row.clone(), &mut |r| {
                    found = true;
                    match self.push(ops, k + 1, r.clone(), st, out) {
                        Ok(c) => {
                            cont = c;
                            c
                        }
                        Err(e) => {
                            err = Some(e);
                            false
                        }
                    }
                })?;
                if let Some(e) = err {
                    return Err(e);
                }
                if *optional && !found {
                    for s in &m.binds {
                        row[*s] = Value::Null;
                    }
                    return self.push(ops, k + 1, row, st, out);
                }
                Ok(cont)
            }
            Op::Unwind { expr, slot } => match self.eval(expr, &row)? {
                Value::Null => Ok(true),
                Value::List(l) => {
                    for v in l {
                        let mut r = row.clone();
                        r[*slot] = v;
                        if !self.push(ops, k + 1, r, st, out)? {
                            return Ok(false);
                        }
                    }
                    Ok(true)
                }
                v => {
                    row[*slot] = v;
                    self.push(ops, k + 1, row, st, out)
                }
            },
            Op::Filter(e) => {
                if truthy(&self.eval(e, &row)?)? == Some(true) {
                    self.push(ops, k + 1, row, st, out)
                } else {
                    Ok(true)
                }
            }
            Op::Project(items) => {
                self.project(items, &mut row)?;
                self.push(ops, k + 1, row, st, out)
            }
            Op::Distinct(slots) => {
                let key: Vec<GroupKey> = slots.iter().map(|s| group_key(&row[*s])).collect();
                if st.seen[k].insert(key) {
                    let bytes = distinct_key_bytes(slots, &row);
                    self.charge(bytes)?;
                    st.seen_bytes += bytes;
                    self.push(ops, k + 1, row, st, out)
                } else {
                    Ok(true)
                }
            }
            Op::Skip(_) => {
                if st.counts[k] > 0 {
                    st.counts[k] -= 1;
                    Ok(true)
                } else {
                    self.push(ops, k + 1, row, st, out)
                }
            }
            Op::Limit(_) => {
                if st.counts[k] == 0 {
                    return Ok(false);
                }
                st.counts[k] -= 1;
                let cont = self.push(ops, k + 1, row, st, out)?;
                Ok(cont && st.counts[k] > 0)
            }
            _ => Err(rt("InternalError", "Stream", "operator cannot be streamed")),
        }
    }

    /// Runs one operator over all rows.
    fn op(&mut self, op: &Op, rows: Vec<Row>) -> Res<Vec<Row>> {
        Ok(match op {
            Op::Create(cp) => {
                let mut out = Vec::with_capacity(rows.len());
                for mut row in rows {
                    self.create(cp, &mut row)?;
                    self.keep(&mut out, row)?;
                }
                out
            }
            Op::Merge {
                m,
                create,
                on_match,
                on_create,
            } => {
                let mut out = Vec::new();
                for row in rows {
                    self.merge_props_not_null(create, &row)?;
                    let mut found = Vec::new();
                    self.match_into(m, row.clone(), &mut found)?;
                    if found.is_empty() {
                        let mut r = row;
                        // the create plan builds the pattern's path
                        self.create(create, &mut r)?;
                        self.set_items(on_create, &r)?;
                        self.keep(&mut out, r)?;
                    } else {
                        // the found rows were charged as they were matched
                        for r in found {
                            self.set_items(on_match, &r)?;
                            out.push(r);
                        }
                    }
                }
                out
            }
            Op::Set(items) => {
                for row in &rows {
                    self.set_items(items, row)?;
                }
                rows
            }
            Op::Delete { exprs, detach } => {
                let mut nodes = Vec::new();
                let mut rels = Vec::new();
                for row in &rows {
                    for e in exprs {
                        match self.eval(e, row)? {
                            Value::Null => {}
                            Value::Node(n) => nodes.push(n),
                            Value::Rel(r) => rels.push(r),
                            Value::Path(p) => {
                                nodes.extend(p.nodes);
                                rels.extend(p.rels);
                            }
                            other => {
                                return Err(type_err(format!(
                                    "cannot delete {}",
                                    type_name(&other)
                                )));
                            }
                        }
                    }
                }
                rels.sort();
                rels.dedup();
                nodes.sort();
                nodes.dedup();
                for r in rels {
                    self.remember_type(r);
                    if self.g.remove_edge(r).is_ok() {
                        self.stats.relationships_deleted += 1;
                    }
                }
                for n in nodes {
                    if self.g.node(n).is_none() {
                        continue;
                    }
                    if *detach {
                        let at: Vec<EdgeId> = self
                            .g
                            .edges_at(n, Direction::Both)
                            .map(|(e, _)| e)
                            .collect();
                        for e in at {
                            self.remember_type(e);
                        }
                        let k = self.g.detach_remove_node(n).map_err(store_err)?;
                        self.stats.relationships_deleted += k;
                    } else {
                        if self.g.degree(n, Direction::Both) > 0 {
                            return Err(rt(
                                "ConstraintVerificationFailed",
                                "DeleteConnectedNode",
                                "cannot delete a node that still has relationships; use DETACH DELETE",
                            ));
                        }
                        self.g.remove_node(n).map_err(store_err)?;
                    }
                    self.stats.nodes_deleted += 1;
                }
                rows
            }
            Op::Subquery(sp) if sp.writes => self.subquery(sp, rows)?,
            _ => self.op_read(op, rows)?,
        })
    }

    /// Runs one operator that only reads the graph over all rows.
    fn op_read(&self, op: &Op, rows: Vec<Row>) -> Res<Vec<Row>> {
        Ok(match op {
            Op::Match { m, optional } => {
                let mut out = Vec::new();
                for row in rows {
                    let before = out.len();
                    self.match_into(m, row.clone(), &mut out)?;
                    if *optional && out.len() == before {
                        let mut r = row;
                        for s in &m.binds {
                            r[*s] = Value::Null;
                        }
                        self.keep(&mut out, r)?;
                    }
                }
                out
            }
            Op::Unwind { expr, slot } => {
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    match self.eval(expr, &row)? {
                        Value::Null => {}
                        Value::List(l) => {
                            for v in l {
                                let mut r = row.clone();
                                r[*slot] = v;
                                self.keep(&mut out, r)?;
                            }
                        }
                        v => {
                            let mut r = row;
                            r[*slot] = v;
                            self.keep(&mut out, r)?;
                        }
                    }
                }
                out
            }
            Op::Call { proc, args, outs } => {
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    let vals = args
                        .iter()
                        .map(|a| self.eval(a, &row))
                        .collect::<Res<Vec<_>>>()?;
                    let vals = super::procedures::check_args(proc.signature(), vals)?;
                    let results = proc.call(self.g, &vals)?;
                    if proc.signature().outputs.is_empty() {
                        // a procedure without outputs leaves the rows as they are
                        self.keep(&mut out, row)?;
                        continue;
                    }
                    for res in results {
                        let mut r = row.clone();
                        for (i, slot) in outs {
                            r[*slot] = res.get(*i).cloned().unwrap_or(Value::Null);
                        }
                        self.keep(&mut out, r)?;
                    }
                }
                out
            }
            Op::Filter(e) => {
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    if truthy(&self.eval(e, &row)?)? == Some(true) {
                        out.push(row);
                    }
                }
                out
            }
            Op::Project(items) => {
                let mut out = Vec::with_capacity(rows.len());
                for mut row in rows {
                    self.tick()?;
                    self.project(items, &mut row)?;
                    self.keep(&mut out, row)?;
                }
                out
            }
            Op::Aggregate { keys, aggs, post } => self.aggregate(keys, aggs, post, rows)?,
            Op::Distinct(slots) => {
                let mut seen = HashSet::new();
                rows.into_iter()
                    .filter(|r| {
                        seen.insert(slots.iter().map(|s| group_key(&r[*s])).collect::<Vec<_>>())
                    })
                    .collect()
            }
            Op::Sort(keys) => {
                let mut keyed = Vec::with_capacity(rows.len());
                let mut key_bytes = 0;
                let mut result = Ok(());
                for row in rows {
                    let k = self.tick().and_then(|()| {
                        keys.iter()
                            .map(|(e, _)| self.eval(e, &row))
                            .collect::<Res<Vec<_>>>()
                    });
                    let k = match k.and_then(|k| {
                        let b = row_bytes(&k);
                        self.charge(b).map(|()| (k, b))
                    }) {
                        Ok((k, b)) => {
                            key_bytes += b;
                            k
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    };
                    keyed.push((k, row));
                }
                if let Err(e) = result {
                    self.release(key_bytes);
                    return Err(e);
                }
                keyed.sort_by(|a, b| sort_order(keys, &a.0, &b.0));
                self.release(key_bytes);
                keyed.into_iter().map(|(_, r)| r).collect()
            }
            Op::Skip(e) => {
                let n = check_count(&self.eval(e, &Vec::new())?, "SKIP")?;
                rows.into_iter().skip(n as usize).collect()
            }
            Op::Limit(e) => {
                let n = check_count(&self.eval(e, &Vec::new())?, "LIMIT")?;
                rows.into_iter().take(n as usize).collect()
            }
            Op::Create(_) | Op::Merge { .. } | Op::Set(_) | Op::Delete { .. } => {
                return Err(rt(
                    "InternalError",
                    "ReadOnly",
                    "an update ran where only reads are planned (a bug)",
                ));
            }
            Op::Subquery(sp) => self.subquery_read(sp, rows)?,
        })
    }

    fn remember_type(&mut self, e: EdgeId) {
        if let Some(edge) = self.g.edge(e) {
            self.deleted_types.insert(e, edge.rel_type());
        }
    }

    /// MERGE cannot match or create a property that is null (it would
    /// create what it can never find): the error, before anything is done.
    fn merge_props_not_null(&self, cp: &CreatePlan, row: &Row) -> Res<()> {
        let fixed = cp
            .nodes
            .iter()
            .filter(|n| !n.bound)
            .flat_map(|n| &n.props)
            .chain(cp.rels.iter().flat_map(|r| &r.props));
        for (k, e) in fixed {
            if matches!(self.eval(e, row)?, Value::Null) {
                return Err(rt(
                    "SemanticError",
                    "MergeReadOwnWrites",
                    format!(
                        "cannot merge a pattern whose property `{}` is null",
                        self.g.name_of(*k)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Evaluates `items` on `row` (all before any is stored, so items
    /// read the row as it came) and stores each value in its slot.
    pub(super) fn project(&self, items: &[(usize, CExpr)], row: &mut Row) -> Res<()> {
        let vals = items
            .iter()
            .map(|(_, e)| self.eval(e, row))
            .collect::<Res<Vec<_>>>()?;
        for ((s, _), v) in items.iter().zip(vals) {
            row[*s] = v;
        }
        Ok(())
    }

    fn aggregate(
        &self,
        keys: &[(usize, CExpr)],
        aggs: &[AggSpec],
        post: &[(usize, CExpr)],
        rows: Vec<Row>,
    ) -> Res<Vec<Row>> {
        let nslots = rows.first().map_or(0, |r| r.len());
        // what the groups hold, charged to the budget while they are built
        let mut group_bytes = 0;
        let r = self.aggregate_rows(keys, aggs, post, rows, nslots, &mut group_bytes);
        self.release(group_bytes);
        r
    }

    fn aggregate_rows(
        &self,
        keys: &[(usize, CExpr)],
        aggs: &[AggSpec],
        post: &[(usize, CExpr)],
        rows: Vec<Row>,
        nslots: usize,
        group_bytes: &mut usize,
    ) -> Res<Vec<Row>> {
        let mut index: HashMap<Vec<GroupKey>, usize> = HashMap::new();
        // per group: its key row, each aggregate's inputs, each DISTINCT aggregate's seen keys
        #[allow(clippy::type_complexity)]
        let mut groups: Vec<(Row, Vec<Vec<Value>>, Vec<HashSet<GroupKey>>)> = Vec::new();
        for mut row in rows {
            self.tick()?;
            let kv = keys
                .iter()
                .map(|(_, e)| self.eval(e, &row))
                .collect::<Res<Vec<_>>>()?;
            let gk: Vec<GroupKey> = kv.iter().map(group_key).collect();
            let gi = match index.get(&gk) {
                Some(i) => *i,
                None => {
                    for ((s, _), v) in keys.iter().zip(kv) {
                        row[*s] = v;
                    }
                    // the group's row, and its key in the index
                    let b = 2 * row_bytes(&row);
                    self.charge(b)?;
                    *group_bytes += b;
                    groups.push((
                        row.clone(),
                        vec![Vec::new(); aggs.len()],
                        vec![HashSet::new(); aggs.len()],
                    ));
                    index.insert(gk, groups.len() - 1);
                    groups.len() - 1
                }
            };
            for (ai, a) in aggs.iter().enumerate() {
                let v = match &a.arg {
                    None => Value::Bool(true),
                    Some(e) => self.eval(e, &row)?,
                };
                if matches!(v, Value::Null) {
                    continue;
                }
                if a.distinct && !groups[gi].2[ai].insert(group_key(&v)) {
                    continue;
                }
                let b = std::mem::size_of::<Value>() + v.heap_bytes();
                self.charge(b)?;
                *group_bytes += b;
                groups[gi].1[ai].push(v);
            }
        }
        if groups.is_empty() && keys.is_empty() {
            groups.push((
                vec![Value::Null; nslots.max(self.width).max(max_slot(keys, aggs, post))],
                vec![Vec::new(); aggs.len()],
                Vec::new(),
            ));
        }
        let mut out = Vec::with_capacity(groups.len());
        for (mut row, vals, _) in groups {
            let w = max_slot(keys, aggs, post);
            if row.len() < w {
                row.resize(w, Value::Null);
            }
            for (a, vs) in aggs.iter().zip(vals) {
                let p = match &a.arg2 {
                    Some(e) => Some(self.eval(e, &row)?),
                    None => None,
                };
                row[a.slot] = finish_agg(a.func, vs, p)?;
            }
            self.project(post, &mut row)?;
            self.keep(&mut out, row)?;
        }
        Ok(out)
    }

    // ------------------------------------------------------ writes

    fn props_of(
        &self,
        fixed: &[(crate::store::Symbol, CExpr)],
        dynamic: &Option<CExpr>,
        row: &Row,
    ) -> Res<Vec<(crate::store::Symbol, PropValue)>> {
        let mut out = Vec::new();
        for (k, e) in fixed {
            let v = self.eval(e, row)?;
            out.push((*k, to_prop(&v)?));
        }
        if let Some(e) = dynamic {
            match self.eval(e, row)? {
                Value::Map(m) => {
                    for (k, v) in m {
                        let Some(s) = self.g.symbol(&k) else { continue };
                        out.push((s, to_prop(&v)?));
                    }
                }
                Value::Null => {}
                other => {
                    return Err(type_err(format!(
                        "properties must be a map, got {}",
                        type_name(&other)
                    )));
                }
            }
        }
        Ok(out)
    }

    fn create(&mut self, cp: &CreatePlan, row: &mut Row) -> Res<()> {
        for n in &cp.nodes {
            let props = self.props_of(&n.props, &n.props_expr, row)?;
            let id = self.g.add_node(n.labels.clone(), PropMap::new(), None);
            self.stats.nodes_created += 1;
            self.stats.labels_added += n.labels.len();
            for (k, v) in props {
                if v != PropValue::Null {
                    self.stats.properties_set += 1;
                    self.g.set_node_prop(id, k, v).map_err(store_err)?;
                }
            }
            row[n.slot] = Value::Node(id);
        }
        for r in &cp.rels {
            let (Value::Node(a), Value::Node(b)) = (&row[r.from], &row[r.to]) else {
                return Err(rt(
                    "SemanticError",
                    "CreateOnNull",
                    "cannot create a relationship with a null endpoint",
                ));
            };
            let (a, b) = (*a, *b);
            let props = self.props_of(&r.props, &r.props_expr, row)?;
            let id = self
                .g
                .add_edge(a, b, r.typ, PropMap::new(), None)
                .map_err(store_err)?;
            self.stats.relationships_created += 1;
            for (k, v) in props {
                if v != PropValue::Null {
                    self.stats.properties_set += 1;
                    self.g.set_edge_prop(id, k, v).map_err(store_err)?;
                }
            }
            row[r.slot] = Value::Rel(id);
        }
        for p in &cp.paths {
            row[p.slot] = Value::Path(self.build_path(p, row));
        }
        Ok(())
    }

    fn set_prop(&mut self, target: &Value, k: crate::store::Symbol, v: PropValue) -> Res<()> {
        let old = match target {
            Value::Node(n) => self.g.set_node_prop(*n, k, v.clone()).map_err(store_err)?,
            Value::Rel(e) => self.g.set_edge_prop(*e, k, v.clone()).map_err(store_err)?,
            Value::Null => return Ok(()),
            other => {
                return Err(type_err(format!(
                    "cannot set a property on {}",
                    type_name(other)
                )));
            }
        };
        if v != PropValue::Null || old.is_some() {
            self.stats.properties_set += 1;
        }
        Ok(())
    }

    fn set_items(&mut self, items: &[SetC], row: &Row) -> Res<()> {
        for it in items {
            match it {
                SetC::Prop(obj, key, val) => {
                    let o = self.eval(obj, row)?;
                    let v = to_prop(&self.eval(val, row)?)?;
                    let Some(k) = key.sym else { continue };
                    self.set_prop(&o, k, v)?;
                }
                SetC::Replace(obj, val) | SetC::Merge(obj, val) => {
                    let o = self.eval(obj, row)?;
                    if matches!(o, Value::Null) {
                        continue;
                    }
                    let v = self.eval(val, row)?;
                    let m: BTreeMap<String, Value> = match v {
                        Value::Map(m) => m,
                        Value::Null => BTreeMap::new(),
                        Value::Node(_) | Value::Rel(_) => match self.properties(&v)? {
                            Value::Map(m) => m,
                            _ => BTreeMap::new(),
                        },
                        other => {
                            return Err(type_err(format!(
                                "SET expects a map, got {}",
                                type_name(&other)
                            )));
                        }
                    };
                    if matches!(it, SetC::Replace(..)) {
                        let existing: Vec<crate::store::Symbol> = match &o {
                            Value::Node(n) => self
                                .g
                                .node(*n)
                                .map(|x| x.props().iter().map(|p| p.0).collect())
                                .unwrap_or_default(),
                            Value::Rel(e) => self
                                .g
                                .edge(*e)
                                .map(|x| x.props().iter().map(|p| p.0).collect())
                                .unwrap_or_default(),
                            _ => Vec::new(),
                        };
                        for k in existing {
                            let name = self.g.name_of(k).to_string();
                            if !m.contains_key(&name) {
                                self.set_prop(&o, k, PropValue::Null)?;
                            }
                        }
                    }
                    for (k, v) in m {
                        let s = self.g.intern(&k);
                        let pv = to_prop(&v)?;
                        self.set_prop(&o, s, pv)?;
                    }
                }
                SetC::Labels(obj, ls) => match self.eval(obj, row)? {
                    Value::Node(n) => {
                        for l in ls {
                            if self.g.add_label(n, *l).map_err(store_err)? {
                                self.stats.labels_added += 1;
                            }
                        }
                    }
                    Value::Null => {}
                    other => {
                        return Err(type_err(format!(
                            "cannot set labels on {}",
                            type_name(&other)
                        )));
                    }
                },
                SetC::RemoveLabels(obj, ls) => match self.eval(obj, row)? {
                    Value::Node(n) => {
                        for l in ls {
                            if self.g.remove_label(n, *l).map_err(store_err)? {
                                self.stats.labels_removed += 1;
                            }
                        }
                    }
                    Value::Null => {}
                    other => {
                        return Err(type_err(format!(
                            "cannot remove labels from {}",
                            type_name(&other)
                        )));
                    }
                },
                SetC::RemoveProp(obj, key) => {
                    let o = self.eval(obj, row)?;
                    let Some(k) = key.sym else { continue };
                    let old = match &o {
                        Value::Node(n) => self
                            .g
                            .set_node_prop(*n, k, PropValue::Null)
                            .map_err(store_err)?,
                        Value::Rel(e) => self
                            .g
                            .set_edge_prop(*e, k, PropValue::Null)
                            .map_err(store_err)?,
                        Value::Null => None,
                        other => {
                            return Err(type_err(format!(
                                "cannot remove a property from {}",
                                type_name(other)
                            )));
                        }
                    };
                    if old.is_some() {
                        self.stats.properties_set += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Per-operator state of a streamed pipeline: rows still to skip or to
/// let through (SKIP, LIMIT) and the rows seen (DISTINCT).
struct StreamState {
    counts: Vec<i64>,
    seen: Vec<HashSet<Vec<GroupKey>>>,
    /// What the DISTINCT keys in `seen` are charged to the budget.
    seen_bytes: usize,
}

/// The estimated bytes of a DISTINCT key of `row`'s `slots`.
fn distinct_key_bytes(slots: &[usize], row: &Row) -> usize {
    24 + slots
        .iter()
        .map(|s| std::mem::size_of::<GroupKey>() + row[*s].heap_bytes())
        .sum::<usize>()
}

/// Where a stream's rows go: all into a list, or into a top-k heap.
enum Sink<'k> {
    Rows(Vec<Row>),
    Top(TopK<'k>),
}

/// The first `cap` rows in sort order of those offered so far, worst on
/// top of the heap so that a better row replaces it.
struct TopK<'k> {
    keys: &'k [(CExpr, bool)],
    skip: usize,
    cap: usize,
    heap: std::collections::BinaryHeap<Ranked<'k>>,
    /// Rows offered so far: the tie-breaker that keeps the sort stable.
    seq: u64,
    /// What the heap's rows are charged to the budget.
    bytes: usize,
}

/// A row with its sort key, ordered as `ORDER BY` orders it, then by
/// arrival (so equal keys keep their order, as a stable sort keeps it).
struct Ranked<'k> {
    key: Vec<Value>,
    seq: u64,
    row: Row,
    bytes: usize,
    dirs: &'k [(CExpr, bool)],
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        sort_order(self.dirs, &self.key, &other.key).then(self.seq.cmp(&other.seq))
    }
}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked<'_> {}

/// How `ORDER BY` orders two rows' keys.
fn sort_order(keys: &[(CExpr, bool)], a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    for (i, (_, asc)) in keys.iter().enumerate() {
        let o = order(&a[i], &b[i]);
        let o = if *asc { o } else { o.reverse() };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// How many of `ops` (from the start) are streamable operators (see
/// [`streamable`]) followed by a sort, an optional `SKIP` and a `LIMIT`:
/// `ORDER BY … [SKIP …] LIMIT …`, answered with a top-k heap.
fn top_k(ops: &[Op]) -> Option<usize> {
    let sort_at = ops.iter().position(|op| {
        !matches!(
            op,
            Op::Match { .. }
                | Op::Unwind { .. }
                | Op::Filter(_)
                | Op::Project(_)
                | Op::Distinct(_)
                | Op::Skip(_)
                | Op::Limit(_)
        )
    })?;
    if !matches!(ops[sort_at], Op::Sort(_)) {
        return None;
    }
    match (ops.get(sort_at + 1), ops.get(sort_at + 2)) {
        (Some(Op::Limit(_)), _) => Some(sort_at + 2),
        (Some(Op::Skip(_)), Some(Op::Limit(_))) => Some(sort_at + 3),
        _ => None,
    }
}

/// How many of `ops` (from the start) form a pipeline that can run row by
/// row and ends in a `LIMIT`: reading operators only, up to the last
/// `LIMIT` before anything that needs all rows (sorting, aggregation,
/// writes). `None` when there is no such `LIMIT`.
fn streamable(ops: &[Op]) -> Option<usize> {
    let mut end = None;
    for (k, op) in ops.iter().enumerate() {
        match op {
            Op::Match { .. }
            | Op::Unwind { .. }
            | Op::Filter(_)
            | Op::Project(_)
            | Op::Distinct(_)
            | Op::Skip(_) => {}
            Op::Limit(_) => end = Some(k + 1),
            _ => break,
        }
    }
    // a LIMIT straight after materialised rows gains nothing from streaming
    end.filter(|n| *n > 1)
}

pub(super) fn max_slot(
    keys: &[(usize, CExpr)],
    aggs: &[AggSpec],
    post: &[(usize, CExpr)],
) -> usize {
    keys.iter()
        .map(|k| k.0)
        .chain(aggs.iter().map(|a| a.slot))
        .chain(post.iter().map(|p| p.0))
        .max()
        .map_or(0, |m| m + 1)
}

fn store_err(e: crate::store::StoreError) -> super::QueryError {
    rt("EntityNotFound", "StoreError", e.to_string())
}

fn to_prop(v: &Value) -> Res<PropValue> {
    match v {
        Value::List(l)
            if l.iter()
                .any(|x| matches!(x, Value::List(_) | Value::Map(_) | Value::Null)) =>
        {
            Err(rt(
                "TypeError",
                "InvalidPropertyType",
                "property lists must hold simple values",
            ))
        }
        Value::Map(_) => Err(type_err("a map cannot be stored as a property")),
        _ => v
            .to_prop()
            .ok_or_else(|| type_err(format!("{} cannot be stored as a property", type_name(v)))),
    }
}

fn nums(vs: &[Value], f: &str) -> Res<Vec<f64>> {
    vs.iter()
        .map(|v| match v {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(x) => Ok(*x),
            other => Err(type_err(format!(
                "{f}() expects numbers, got {}",
                type_name(other)
            ))),
        })
        .collect()
}

fn finish_agg(func: &str, vs: Vec<Value>, p: Option<Value>) -> Res<Value> {
    Ok(match func {
        "count" => Value::Int(vs.len() as i64),
        "collect" => Value::List(vs),
        "sum" => {
            let mut acc = Value::Int(0);
            for v in &vs {
                if !matches!(v, Value::Int(_) | Value::Float(_)) {
                    return Err(type_err(format!(
                        "sum() expects numbers, got {}",
                        type_name(v)
                    )));
                }
                acc = super::eval::arith(super::ast::BinOp::Add, &acc, v)?;
            }
            acc
        }
        "avg" => {
            if vs.is_empty() {
                return Ok(Value::Null);
            }
            let xs = nums(&vs, func)?;
            Value::Float(xs.iter().sum::<f64>() / xs.len() as f64)
        }
        "min" | "max" => {
            let mut best: Option<Value> = None;
            for v in vs {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let o = order(&v, &b);
                        let take = if func == "min" { o.is_lt() } else { o.is_gt() };
                        if take { v } else { b }
                    }
                });
            }
            best.unwrap_or(Value::Null)
        }
        "stdev" | "stdevp" => {
            let xs = nums(&vs, func)?;
            let n = xs.len();
            let d = if func == "stdev" {
                n.saturating_sub(1)
            } else {
                n
            };
            if n == 0 || d == 0 {
                return Ok(Value::Float(0.0));
            }
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / d as f64;
            Value::Float(var.sqrt())
        }
        "percentilecont" | "percentiledisc" => {
            let p = match p {
                Some(Value::Int(i)) => i as f64,
                Some(Value::Float(f)) => f,
                Some(Value::Null) | None => return Ok(Value::Null),
                Some(other) => {
                    return Err(type_err(format!(
                        "percentile must be a number, got {}",
                        type_name(&other)
                    )));
                }
            };
            if !(0.0..=1.0).contains(&p) {
                return Err(rt(
                    "ArgumentError",
                    "NumberOutOfRange",
                    "percentile must be between 0.0 and 1.0",
                ));
            }
            if vs.is_empty() {
                return Ok(Value::Null);
            }
            let mut xs = vs;
            xs.sort_by(order);
            let n = xs.len();
            if func == "percentiledisc" {
                let idx = if p == 0.0 {
                    0
                } else {
                    ((p * n as f64).ceil() as usize).saturating_sub(1)
                };
                xs[idx.min(n - 1)].clone()
            } else {
                let fl = nums(&xs, func)?;
                let pos = p * (n - 1) as f64;
                let lo = pos.floor() as usize;
                let hi = pos.ceil() as usize;
                Value::Float(fl[lo] + (fl[hi] - fl[lo]) * (pos - lo as f64))
            }
        }
        _ => {
            return Err(rt(
                "SyntaxError",
                "UnknownFunction",
                format!("unknown aggregate {func}"),
            ));
        }
    })
}
