//! Counting without rows: a match whose rows only feed `count(*)`, or
//! are only grouped by their nodes' labels, is answered from the adjacency
//! arrays and the nodes' label sets instead of materialised rows. Owns the
//! rules for when such a shortcut gives exactly what the general operators
//! give (same rows in the same order, same errors); anything else falls
//! back to them.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use super::Value;
use super::ast::{BinOp, Dir};
use super::eval::{GroupKey, Res, binary_values, group_key, logic, prop_value, truthy};
use super::exec::{Exec, Row, dir_of, max_slot};
use super::plan::*;
use crate::store::{AdjEntry, EdgeId, Graph, Node, NodeId, Symbol};

impl Exec<'_> {
    /// Runs the match and aggregate at the head of `ops` through a
    /// shortcut when one applies: the shortcut's name (for `PROFILE`) and
    /// the rows the aggregate would give.
    pub(super) fn try_shortcut(
        &mut self,
        ops: &[Op],
        rows: &[Row],
    ) -> Res<Option<(&'static str, Vec<Row>)>> {
        if let Some(out) = self.try_group_by_labels(ops, rows)? {
            return Ok(Some(("GroupByLabels", out)));
        }
        self.try_count(ops, rows)
    }

    /// A group's row as the aggregate operator leaves it: `row` widened to
    /// every slot, each (counting) aggregate set to `n`, then the
    /// expressions over the aggregates.
    fn counted_row(
        &self,
        mut row: Row,
        keys: &[(usize, CExpr)],
        aggs: &[AggSpec],
        post: &[(usize, CExpr)],
        n: u64,
    ) -> Res<Row> {
        let w = max_slot(keys, aggs, post);
        if row.len() < w {
            row.resize(w, Value::Null);
        }
        for a in aggs {
            row[a.slot] = Value::Int(n as i64);
        }
        self.project(post, &mut row)?;
        Ok(row)
    }

    // ------------------------------------------------------ grouping by labels

    /// `MATCH (n) RETURN labels(n) AS l, count(*) AS c` and the like: a lone
    /// node pattern without WHERE whose aggregate keys read the node only
    /// through its labels, and whose aggregates all count the node, is
    /// answered by counting the nodes of each label set and working out
    /// each set's keys once, on its first node. Groups come out in the
    /// order of their first node, as the aggregate operator gives them.
    fn try_group_by_labels(&self, ops: &[Op], rows: &[Row]) -> Res<Option<Vec<Row>>> {
        let (Some(Op::Match { m, optional: false }), Some(Op::Aggregate { keys, aggs, post })) =
            (ops.first(), ops.get(1))
        else {
            return Ok(None);
        };
        let (
            [
                Step::Scan {
                    slot,
                    source,
                    check,
                },
            ],
            [row],
        ) = (m.steps.as_slice(), rows)
        else {
            return Ok(None);
        };
        let counts_node = |a: &AggSpec| {
            a.func == "count"
                && !a.distinct
                && a.arg2.is_none()
                && a.arg
                    .as_ref()
                    .is_none_or(|e| matches!(e, CExpr::Slot(s) if s == slot))
        };
        if keys.is_empty()
            || m.filter.is_some()
            || !m.paths.is_empty()
            || !check.props.is_empty()
            || !aggs.iter().all(counts_node)
            || !keys.iter().all(|(_, k)| reads_only_labels(k, *slot))
        {
            return Ok(None);
        }
        // label sets in order of first appearance: (labels, first node, nodes)
        let mut sets: Vec<(&[Symbol], NodeId, u64)> = Vec::new();
        let mut index: HashMap<&[Symbol], usize> = HashMap::new();
        let mut cur = 0;
        for v in self.scan(source) {
            self.tick()?;
            let Some(node) = self.g().node(v) else {
                continue;
            };
            if !self.check_node(v, check, row)? {
                continue;
            }
            let labels = node.labels();
            // nodes with the same labels tend to come in runs
            if sets.get(cur).is_none_or(|s| s.0 != labels) {
                cur = *index.entry(labels).or_insert_with(|| {
                    sets.push((labels, v, 0));
                    sets.len() - 1
                });
            }
            sets[cur].2 += 1;
        }
        // label sets with equal keys (say `size(labels(n))`) share a group
        let mut groups: Vec<(Row, u64)> = Vec::new();
        let mut by_key: HashMap<Vec<GroupKey>, usize> = HashMap::new();
        for (_, first, n) in sets {
            let mut r = row.clone();
            r[*slot] = Value::Node(first);
            let kv = keys
                .iter()
                .map(|(_, e)| self.eval(e, &r))
                .collect::<Res<Vec<_>>>()?;
            let gk: Vec<GroupKey> = kv.iter().map(group_key).collect();
            match by_key.get(&gk) {
                Some(&i) => groups[i].1 += n,
                None => {
                    for ((s, _), v) in keys.iter().zip(kv) {
                        r[*s] = v;
                    }
                    by_key.insert(gk, groups.len());
                    groups.push((r, n));
                }
            }
        }
        groups
            .into_iter()
            .map(|(r, n)| self.counted_row(r, keys, aggs, post, n))
            .collect::<Res<Vec<_>>>()
            .map(Some)
    }

    // ------------------------------------------------------ counting matches

    /// `MATCH … RETURN count(*)` without materialising the matched rows:
    /// when `ops` starts with a match whose rows only feed `count(*)`
    /// aggregates, counts the matches and returns what the aggregate
    /// would. A [`Chain`] is counted level by level; any other pattern is
    /// enumerated but for its last hop, which is counted by degree
    /// (memoised per node).
    fn try_count(&mut self, ops: &[Op], rows: &[Row]) -> Res<Option<(&'static str, Vec<Row>)>> {
        let (Some(Op::Match { m, optional: false }), Some(Op::Aggregate { keys, aggs, post })) =
            (ops.first(), ops.get(1))
        else {
            return Ok(None);
        };
        let count_star =
            |a: &AggSpec| a.func == "count" && a.arg.is_none() && a.arg2.is_none() && !a.distinct;
        if !keys.is_empty()
            || aggs.is_empty()
            || !aggs.iter().all(count_star)
            || !m.paths.is_empty()
        {
            return Ok(None);
        }
        let (name, total) = match (Chain::of(m), rows.first()) {
            // the chain reads nothing of the incoming rows: count it once
            (Some(chain), Some(row)) => (
                "CountChain",
                self.count_chain(&chain, row)? * rows.len() as u64,
            ),
            _ => ("CountMatches", self.count_by_last_hop(m, rows)?),
        };
        let w = max_slot(keys, aggs, post);
        let row = rows
            .first()
            .cloned()
            .unwrap_or_else(|| vec![Value::Null; w]);
        Ok(Some((
            name,
            vec![self.counted_row(row, keys, aggs, post, total)?],
        )))
    }

    /// The matches of `m` for all `rows`, enumerated up to the last hop,
    /// which is counted; WHERE tests run as soon as their variable is bound.
    fn count_by_last_hop(&self, m: &MatchPlan, rows: &[Row]) -> Res<u64> {
        let split = m.filter.as_ref().and_then(|f| split_filter(m, f));
        let last = match m.steps.last() {
            Some(Step::Expand(spec))
                if (m.filter.is_none() || split.is_some())
                    && spec.var.is_none()
                    && !spec.rel_bound =>
            {
                Some(spec)
            }
            _ => None,
        };
        let (early, on_last) = split.unwrap_or_default();
        let memo = RefCell::new(Vec::<u32>::new());
        self.unordered.set(true);
        let counted = self.count_rows(m, last, early, &on_last, rows, &memo);
        self.unordered.set(false);
        *self.early.borrow_mut() = None;
        counted
    }

    fn count_rows(
        &self,
        m: &MatchPlan,
        last: Option<&ExpandSpec>,
        early: Vec<Vec<CExpr>>,
        on_last: &[CExpr],
        rows: &[Row],
        memo: &RefCell<Vec<u32>>,
    ) -> Res<u64> {
        let mut total: u64 = 0;
        let mut head = m.clone();
        if last.is_some() {
            head.steps.pop();
            head.filter = None;
            *self.early.borrow_mut() =
                Some((&head as *const MatchPlan as usize, std::rc::Rc::new(early)));
        }
        for row in rows {
            let mut err = None;
            match last {
                Some(spec) => {
                    self.match_rows(&head, row.clone(), &mut |r| match self
                        .count_last(m, spec, on_last, r, memo)
                    {
                        Ok(n) => {
                            total += n;
                            true
                        }
                        Err(e) => {
                            err = Some(e);
                            false
                        }
                    })?;
                }
                None => self.match_rows(m, row.clone(), &mut |_| {
                    total += 1;
                    true
                })?,
            }
            if let Some(e) = err {
                return Err(e);
            }
        }
        Ok(total)
    }

    /// How many ways the last hop `spec` extends `row` (relationship
    /// uniqueness included).
    fn count_last(
        &self,
        m: &MatchPlan,
        spec: &ExpandSpec,
        on_last: &[CExpr],
        row: &Row,
        memo: &RefCell<Vec<u32>>,
    ) -> Res<u64> {
        self.tick()?;
        let Value::Node(from) = row[spec.from] else {
            return Ok(0);
        };
        let dir = dir_of(spec.dir);
        let simple = !spec.to_bound && spec.rel_props.is_empty() && spec.to_check.props.is_empty();
        if !simple {
            let mut n = 0;
            for (e, other) in self.g().edges_at(from, dir) {
                if !self.rel_ok(e, spec, row)? || self.rel_used(m, row, e, spec.rel) {
                    continue;
                }
                let ok = if spec.to_bound {
                    matches!(&row[spec.to], Value::Node(x) if *x == other)
                        && self.check_node(other, &spec.to_check, row)?
                } else {
                    self.check_node(other, &spec.to_check, row)?
                } && self.last_ok(on_last, spec, other, row)?;
                n += u64::from(ok);
            }
            return Ok(n);
        }
        // labels and types only: the count depends on `from` alone
        let adj = self.g().adjacency();
        let cached = memo.borrow().get(from.0 as usize).copied().unwrap_or(0);
        let base = if spec.types.is_none()
            && spec.to_check.is_empty()
            && on_last.is_empty()
            && spec.dir != Dir::Both
        {
            match spec.dir {
                Dir::Right => adj.outgoing(from).len() as u64,
                _ => adj.incoming(from).len() as u64,
            }
        } else if cached > 0 {
            u64::from(cached - 1)
        } else {
            let mut n = 0u64;
            for x in adj.at(from, dir) {
                if spec.types.as_ref().is_none_or(|t| t.contains(&x.rel_type))
                    && self.check_node(x.other, &spec.to_check, row)?
                    && self.last_ok(on_last, spec, x.other, row)?
                {
                    n += 1;
                }
            }
            if n < u64::from(u32::MAX) {
                let mut v = memo.borrow_mut();
                if v.is_empty() {
                    v.resize(self.g().node_bound(), 0);
                }
                if let Some(slot) = v.get_mut(from.0 as usize) {
                    *slot = n as u32 + 1;
                }
            }
            n
        };
        // relationships this pattern already bound cannot be used again
        let mut used = 0u64;
        for (s, _) in &m.rels {
            if *s == spec.rel {
                continue;
            }
            // a single relationship bound by a fixed-length hop of this
            // pattern: its ends are the hop's nodes, so most relationships
            // are ruled out without reading the store
            if let Value::Rel(x) = &row[*s] {
                let hop = m.steps.iter().find_map(|st| match st {
                    Step::Expand(h) if h.rel == *s && h.var.is_none() => Some(h),
                    _ => None,
                });
                if let Some(h) = hop
                    && let (Value::Node(u), Value::Node(v)) = (&row[h.from], &row[h.to])
                    && *u != from
                    && *v != from
                {
                    continue;
                }
                used += u64::from(self.bound_rel_matches(*x, from, spec, on_last, row)?);
                continue;
            }
            if let Value::List(l) = &row[*s] {
                for v in l {
                    if let Value::Rel(x) = v {
                        used += u64::from(self.bound_rel_matches(*x, from, spec, on_last, row)?);
                    }
                }
            }
        }
        Ok(base.saturating_sub(used))
    }

    /// Whether an already bound relationship `x` would be one of the last
    /// hop's matches from `from`.
    fn bound_rel_matches(
        &self,
        x: EdgeId,
        from: NodeId,
        spec: &ExpandSpec,
        on_last: &[CExpr],
        row: &Row,
    ) -> Res<bool> {
        let Some((a, b)) = self.g().endpoints(x) else {
            return Ok(false);
        };
        let other = match spec.dir {
            Dir::Right if a == from => b,
            Dir::Left if b == from => a,
            Dir::Both if a == from => b,
            Dir::Both if b == from => a,
            _ => return Ok(false),
        };
        Ok(self.rel_ok(x, spec, row)?
            && self.check_node(other, &spec.to_check, row)?
            && self.last_ok(on_last, spec, other, row)?)
    }

    /// The WHERE conjuncts on the last hop's target, with `n` as the target.
    fn last_ok(&self, on_last: &[CExpr], spec: &ExpandSpec, n: NodeId, row: &Row) -> Res<bool> {
        if on_last.is_empty() {
            return Ok(true);
        }
        let mut r = row.clone();
        r[spec.to] = Value::Node(n);
        for c in on_last {
            if truthy(&self.eval(c, &r)?)? != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    // ------------------------------------------------------ counting chains

    /// The number of matches of `chain`, level by level from its cheaper
    /// end: each level keeps, per node reached, how many partial matches
    /// end there, so a node is tested once however many paths reach it.
    /// Nodes are tested in id order, which is close to memory order.
    fn count_chain(&self, chain: &Chain, row: &Row) -> Res<u64> {
        let g = self.g();
        let n = chain.nodes.len();
        let from_right = chain.cost(g, true) < chain.cost(g, false);
        let order: Vec<usize> = if from_right {
            (0..n).rev().collect()
        } else {
            (0..n).collect()
        };
        let first = &chain.nodes[order[0]];
        // (node, partial matches ending there), in id order
        let mut frontier: Vec<(NodeId, u64)> = Vec::new();
        for v in self.scan(&Source::for_check(g, first.check)) {
            self.tick()?;
            if self.chain_node_ok(first, v, row)? {
                frontier.push((v, 1));
            }
        }
        frontier.sort_unstable_by_key(|x| x.0);
        let adj = g.adjacency();
        // per node of the level being reached: UNSEEN, or reached and
        // then PASSES or FAILS; reset between levels
        const UNSEEN: u64 = 0;
        const REACHED: u64 = 1;
        const FAILS: u64 = 2;
        // PASSES + partial matches ending at the node
        const PASSES: u64 = 3;
        // start nodes with few relationships touch few nodes: a map then,
        // rather than filling an array as large as the graph
        let degrees: usize = frontier
            .iter()
            .map(|(u, _)| adj.outgoing(*u).len() + adj.incoming(*u).len())
            .sum();
        let mut state = Counters::new(g.node_bound(), degrees < g.node_bound() / 256);
        for w in order.windows(2) {
            let (spec, dir) = if from_right {
                let (spec, dir) = chain.hops[w[1]];
                (spec, reverse(dir))
            } else {
                chain.hops[w[0]]
            };
            let to = &chain.nodes[w[1]];
            let rel_ok = |x: &AdjEntry, row: &Row| -> Res<bool> {
                Ok(spec.types.as_ref().is_none_or(|t| t.contains(&x.rel_type))
                    && (spec.rel_props.is_empty() || self.rel_ok(x.edge, spec, row)?))
            };
            let mut reached = Vec::new();
            for &(u, _) in &frontier {
                self.tick()?;
                for x in adj.at(u, dir_of(dir)) {
                    let o = x.other.0 as usize;
                    if state.get(o) == UNSEEN && rel_ok(x, row)? {
                        state.set(o, REACHED);
                        reached.push(x.other);
                    }
                }
            }
            reached.sort_unstable();
            for &v in &reached {
                self.tick()?;
                let pass = self.chain_node_ok(to, v, row)?;
                state.set(v.0 as usize, if pass { PASSES } else { FAILS });
            }
            for &(u, k) in &frontier {
                for x in adj.at(u, dir_of(dir)) {
                    let o = x.other.0 as usize;
                    let s = state.get(o);
                    if s >= PASSES && rel_ok(x, row)? {
                        state.set(o, s.saturating_add(k));
                    }
                }
            }
            frontier.clear();
            for v in reached {
                let s = state.get(v.0 as usize);
                state.set(v.0 as usize, UNSEEN);
                if s > PASSES {
                    frontier.push((v, s - PASSES));
                }
            }
        }
        Ok(frontier.iter().fold(0, |t, x| t.saturating_add(x.1)))
    }

    /// Whether `v` passes a chain node's pattern check and WHERE tests.
    fn chain_node_ok(&self, node: &ChainNode, v: NodeId, row: &Row) -> Res<bool> {
        if !self.check_node(v, node.check, row)? {
            return Ok(false);
        }
        let Some(n) = self.g().node(v) else {
            return Ok(false);
        };
        Ok(node.tests.iter().all(|t| node_test(t, n) == Some(true)))
    }
}

/// Per-node counters of one count, zero when unset: an array when the walk
/// may reach much of the graph, a hash map when it starts from a few nodes.
enum Counters {
    Dense(Vec<u64>),
    Sparse(HashMap<usize, u64>),
}

impl Counters {
    fn new(bound: usize, sparse: bool) -> Self {
        if sparse {
            Counters::Sparse(HashMap::new())
        } else {
            Counters::Dense(vec![0; bound])
        }
    }

    fn get(&self, i: usize) -> u64 {
        match self {
            Counters::Dense(v) => v[i],
            Counters::Sparse(m) => m.get(&i).copied().unwrap_or(0),
        }
    }

    fn set(&mut self, i: usize, x: u64) {
        match self {
            Counters::Dense(v) => v[i] = x,
            Counters::Sparse(m) if x == 0 => {
                m.remove(&i);
            }
            Counters::Sparse(m) => {
                m.insert(i, x);
            }
        }
    }
}

/// A match pattern that is one chain of fixed-length hops over variables
/// it binds itself, no two hops able to match the same relationship, and a
/// WHERE (if any) made of tests that each read one of its nodes. Its
/// matches can be counted level by level: relationship uniqueness holds
/// by itself, and what a node may be depends on that node alone.
struct Chain<'p> {
    /// Left to right.
    nodes: Vec<ChainNode<'p>>,
    /// `hops[i]` joins `nodes[i]` and `nodes[i + 1]`, with its direction
    /// as seen from `nodes[i]`.
    hops: Vec<(&'p ExpandSpec, Dir)>,
}

struct ChainNode<'p> {
    slot: usize,
    check: &'p Check,
    /// WHERE conjuncts that read only this node.
    tests: Vec<&'p CExpr>,
}

impl<'p> Chain<'p> {
    fn of(m: &'p MatchPlan) -> Option<Chain<'p>> {
        let (Step::Scan { slot, check, .. }, rest) = m.steps.split_first()? else {
            return None;
        };
        if !m.paths.is_empty() {
            return None;
        }
        let node = |slot: usize, check: &'p Check| ChainNode {
            slot,
            check,
            tests: Vec::new(),
        };
        // the planner walks from its start node to one end, then from the
        // start node to the other end
        let mut nodes = VecDeque::from([node(*slot, check)]);
        let mut hops = VecDeque::new();
        for st in rest {
            let Step::Expand(spec) = st else {
                return None;
            };
            if spec.var.is_some() || spec.rel_bound || spec.to_bound {
                return None;
            }
            if spec.from == nodes.back()?.slot {
                nodes.push_back(node(spec.to, &spec.to_check));
                hops.push_back((spec, spec.dir));
            } else if spec.from == nodes.front()?.slot {
                nodes.push_front(node(spec.to, &spec.to_check));
                hops.push_front((spec, reverse(spec.dir)));
            } else {
                return None;
            }
        }
        // constant property maps: a check's outcome depends on the node only
        let constant =
            |props: &[(Key, CExpr)]| props.iter().all(|(_, e)| matches!(e, CExpr::Const(_)));
        if !nodes.iter().all(|n| constant(&n.check.props))
            || !hops.iter().all(|(s, _)| constant(&s.rel_props))
        {
            return None;
        }
        if hops.len() > 1 {
            let mut seen: Vec<Symbol> = Vec::new();
            for (spec, _) in &hops {
                let types = spec.types.as_ref()?;
                if types.iter().any(|t| seen.contains(t)) {
                    return None;
                }
                seen.extend(types);
            }
        }
        if let Some(f) = &m.filter {
            let mut cs = Vec::new();
            conjuncts(f, &mut cs);
            for c in cs {
                let s = single_var_test(c)?;
                nodes.iter_mut().find(|n| n.slot == s)?.tests.push(c);
            }
        }
        Some(Chain {
            nodes: nodes.into(),
            hops: hops.into(),
        })
    }

    /// Estimated work of counting from the right end (else the left):
    /// nodes scanned plus relationships followed, with the textbook
    /// selectivities (a tenth for an equality, a third for other tests)
    /// and each hop's fan-out taken as its types' relationships per node
    /// of the side it leaves.
    fn cost(&self, g: &Graph, from_right: bool) -> f64 {
        let size = |n: &ChainNode| match Source::for_check(g, n.check) {
            Source::All => g.node_count(),
            Source::Label(None) => 0,
            Source::Label(Some(l)) => g.label_count(l),
            Source::Name(name) => g.nodes_by_name(&name).len(),
        } as f64;
        let selectivity = |n: &ChainNode| {
            let eqs = n.check.props.len()
                + n.tests
                    .iter()
                    .filter(|t| matches!(t, CExpr::Bin(BinOp::Eq, ..)))
                    .count();
            0.1f64.powi(eqs as i32)
                * (1.0 / 3.0f64).powi((n.tests.len() + n.check.props.len() - eqs) as i32)
        };
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        if from_right {
            order.reverse();
        }
        let first = &self.nodes[order[0]];
        let mut cost = size(first);
        let mut frontier = size(first) * selectivity(first);
        for w in order.windows(2) {
            let (from, to) = (&self.nodes[w[0]], &self.nodes[w[1]]);
            let (spec, dir) = self.hops[w[0].min(w[1])];
            let rels = match &spec.types {
                None => g.edge_count(),
                Some(ts) => ts.iter().map(|t| g.type_count(*t)).sum(),
            } as f64;
            let sides = if dir == Dir::Both { 2.0 } else { 1.0 };
            let reached = frontier * sides * rels / size(from).max(1.0);
            cost += reached;
            frontier = reached.min(size(to)) * selectivity(to);
        }
        cost
    }
}

fn reverse(d: Dir) -> Dir {
    match d {
        Dir::Left => Dir::Right,
        Dir::Right => Dir::Left,
        Dir::Both => Dir::Both,
    }
}

/// Whether `e` reads the node in `slot` only through `labels(…)` or label
/// tests, reads no other slot and is deterministic: then it has one value
/// for all nodes with the same labels.
fn reads_only_labels(e: &CExpr, slot: usize) -> bool {
    let is_node = |x: &CExpr| matches!(x, CExpr::Slot(s) if *s == slot);
    match e {
        CExpr::Func("labels", args) if args.len() == 1 && is_node(&args[0]) => true,
        CExpr::HasLabels(x, _) if is_node(x) => true,
        CExpr::Slot(_) | CExpr::Func("rand", _) => false,
        _ => e
            .children()
            .is_some_and(|cs| cs.into_iter().all(|c| reads_only_labels(c, slot))),
    }
}

/// The one slot a WHERE conjunct reads, when it compares that variable's
/// properties with constants (or combines such comparisons with AND, OR,
/// XOR, NOT): a test that cannot fail, so it may run as soon as its
/// variable is bound, and once per node, without changing results or
/// errors.
fn single_var_test(e: &CExpr) -> Option<usize> {
    let mut slot = None;
    if infallible_test(e, &mut slot) {
        slot
    } else {
        None
    }
}

fn infallible_test(e: &CExpr, slot: &mut Option<usize>) -> bool {
    use BinOp::*;
    match e {
        CExpr::Bin(And | Or | Xor, a, b) => infallible_test(a, slot) && infallible_test(b, slot),
        CExpr::Not(x) => infallible_test(x, slot),
        CExpr::Bin(Eq | Ne | Lt | Gt | Le | Ge | StartsWith | EndsWith | Contains, a, b) => {
            operand(a, slot) && operand(b, slot)
        }
        CExpr::Bin(In, a, b) => operand(a, slot) && matches!(**b, CExpr::Const(Value::List(_))),
        CExpr::IsNull(x, _) => operand(x, slot),
        _ => false,
    }
}

/// A test that [`single_var_test`] accepts, on the node its variable is
/// bound to: what `eval` gives (`None` for null), without a row.
fn node_test(t: &CExpr, node: &Node) -> Option<bool> {
    use BinOp::*;
    fn operand_value<'e>(e: &'e CExpr, node: &Node) -> Cow<'e, Value> {
        match e {
            CExpr::Const(v) => Cow::Borrowed(v),
            CExpr::Prop(_, key) => Cow::Owned(prop_value(key.sym.and_then(|k| node.prop(k)))),
            _ => Cow::Owned(Value::Null),
        }
    }
    let value = |e| operand_value(e, node);
    match t {
        CExpr::Bin(op @ (And | Or | Xor), a, b) => {
            logic(*op, node_test(a, node), node_test(b, node))
        }
        CExpr::Not(x) => node_test(x, node).map(|b| !b),
        CExpr::IsNull(x, negated) => Some(matches!(*value(x), Value::Null) != *negated),
        CExpr::Bin(op, a, b) => match binary_values(*op, &value(a), &value(b)) {
            Ok(Value::Bool(b)) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

/// A constant, or a property of the variable in `slot` (the first one seen).
fn operand(e: &CExpr, slot: &mut Option<usize>) -> bool {
    match e {
        CExpr::Const(_) => true,
        CExpr::Prop(x, _) => match **x {
            CExpr::Slot(s) => *slot.get_or_insert(s) == s,
            _ => false,
        },
        _ => false,
    }
}

fn conjuncts<'c>(e: &'c CExpr, out: &mut Vec<&'c CExpr>) {
    match e {
        CExpr::Bin(super::ast::BinOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        e => out.push(e),
    }
}

/// Splits a WHERE of single-variable property comparisons into the ones
/// that can run after each step of `m` but the last, and the ones on the
/// last step's target node. `None` when some conjunct is anything else.
fn split_filter(m: &MatchPlan, f: &CExpr) -> Option<(Vec<Vec<CExpr>>, Vec<CExpr>)> {
    let Some(Step::Expand(last)) = m.steps.last() else {
        return None;
    };
    let n = m.steps.len();
    let mut early = vec![Vec::new(); n];
    let mut on_last = Vec::new();
    let mut cs = Vec::new();
    conjuncts(f, &mut cs);
    for c in cs {
        let s = single_var_test(c)?;
        let bound_at = m.steps.iter().position(|st| match st {
            Step::Scan { slot, .. } => *slot == s,
            Step::Expand(x) => (x.to == s && !x.to_bound) || x.rel == s,
            _ => false,
        });
        match bound_at {
            Some(j) if j + 1 == n => {
                if s != last.to || last.to_bound {
                    return None;
                }
                on_last.push(c.clone());
            }
            Some(j) => early[j + 1].push(c.clone()),
            None => early[0].push(c.clone()),
        }
    }
    Some((early, on_last))
}
