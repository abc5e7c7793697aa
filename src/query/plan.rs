//! The planner: AST → logical plan of operators over slot-indexed rows.
//! Owns scoping (variables → slots), the compile-time semantic checks the
//! TCK expects (undefined / rebound variables, aggregation rules, column
//! names, …), name → symbol resolution and the choice of where each pattern
//! starts (bound variable > name index > smallest label > full scan).
//! It reads the graph only for symbols and counts (and interns names for
//! queries that write); it never executes anything.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::ast::*;
use super::functions::{FUNCTIONS, is_aggregate};
use super::{Params, Phase, QueryError, Value};
use crate::store::{Graph, Symbol};

pub type Res<T> = Result<T, QueryError>;

/// A property key: its text and, if the graph knows it, its symbol.
#[derive(Clone, Debug)]
pub struct Key {
    pub name: String,
    pub sym: Option<Symbol>,
}

#[derive(Clone, Debug)]
pub enum MapProjC {
    All,
    Prop(Key),
    Entry(String, CExpr),
}

/// A compiled expression: variables are slots, names are symbols.
#[derive(Clone, Debug)]
pub enum CExpr {
    Const(Value),
    Slot(usize),
    List(Vec<CExpr>),
    Map(Vec<(String, CExpr)>),
    Prop(Box<CExpr>, Key),
    Index(Box<CExpr>, Box<CExpr>),
    Slice(Box<CExpr>, Option<Box<CExpr>>, Option<Box<CExpr>>),
    HasLabels(Box<CExpr>, Vec<Option<Symbol>>),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Pos(Box<CExpr>),
    Bin(BinOp, Box<CExpr>, Box<CExpr>),
    IsNull(Box<CExpr>, bool),
    Case {
        operand: Option<Box<CExpr>>,
        whens: Vec<(CExpr, CExpr)>,
        else_: Option<Box<CExpr>>,
    },
    Func(&'static str, Vec<CExpr>),
    ListComp {
        slot: usize,
        list: Box<CExpr>,
        pred: Option<Box<CExpr>>,
        proj: Option<Box<CExpr>>,
    },
    Quant {
        kind: Quant,
        slot: usize,
        list: Box<CExpr>,
        pred: Option<Box<CExpr>>,
    },
    Reduce {
        acc: usize,
        init: Box<CExpr>,
        slot: usize,
        list: Box<CExpr>,
        expr: Box<CExpr>,
    },
    PatternComp {
        m: Box<MatchPlan>,
        proj: Box<CExpr>,
    },
    Exists(Box<MatchPlan>),
    /// `EXISTS { query }` beyond a plain MATCH: true when the subquery
    /// gives a row.
    ExistsQuery(Box<SubPlan>),
    MapProj(Box<CExpr>, Vec<MapProjC>),
}

impl CExpr {
    /// The direct sub-expressions; `None` for pattern expressions, whose
    /// match plans read slots that are not sub-expressions.
    pub fn children(&self) -> Option<Vec<&CExpr>> {
        fn boxed(b: &Option<Box<CExpr>>) -> Option<&CExpr> {
            b.as_deref()
        }
        Some(match self {
            CExpr::Const(_) | CExpr::Slot(_) => Vec::new(),
            CExpr::List(l) | CExpr::Func(_, l) => l.iter().collect(),
            CExpr::Map(m) => m.iter().map(|(_, e)| e).collect(),
            CExpr::Prop(x, _)
            | CExpr::HasLabels(x, _)
            | CExpr::Not(x)
            | CExpr::Neg(x)
            | CExpr::Pos(x)
            | CExpr::IsNull(x, _) => vec![&**x],
            CExpr::Index(a, b) | CExpr::Bin(_, a, b) => vec![&**a, &**b],
            CExpr::Slice(x, a, b) => [Some(&**x), boxed(a), boxed(b)]
                .into_iter()
                .flatten()
                .collect(),
            CExpr::Case {
                operand,
                whens,
                else_,
            } => boxed(operand)
                .into_iter()
                .chain(whens.iter().flat_map(|(w, t)| [w, t]))
                .chain(boxed(else_))
                .collect(),
            CExpr::ListComp {
                list, pred, proj, ..
            } => [Some(&**list), boxed(pred), boxed(proj)]
                .into_iter()
                .flatten()
                .collect(),
            CExpr::Quant { list, pred, .. } => {
                [Some(&**list), boxed(pred)].into_iter().flatten().collect()
            }
            CExpr::Reduce {
                init, list, expr, ..
            } => vec![&**init, &**list, &**expr],
            CExpr::MapProj(x, items) => std::iter::once(&**x)
                .chain(items.iter().filter_map(|i| match i {
                    MapProjC::Entry(_, e) => Some(e),
                    _ => None,
                }))
                .collect(),
            CExpr::PatternComp { .. } | CExpr::Exists(_) | CExpr::ExistsQuery(_) => return None,
        })
    }
}

/// Label and property constraints on a node or relationship.
#[derive(Clone, Debug, Default)]
pub struct Check {
    pub labels: Vec<Option<Symbol>>,
    pub props: Vec<(Key, CExpr)>,
}

impl Check {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.props.is_empty()
    }
}

#[derive(Clone, Debug)]
pub enum Source {
    All,
    Label(Option<Symbol>),
    Name(String),
}

impl Source {
    /// Where to find the nodes that can pass `c`: the name index for a
    /// constant `name`, else the smallest of its labels, else every node.
    pub fn for_check(g: &Graph, c: &Check) -> Source {
        for (k, v) in &c.props {
            if k.name == "name"
                && let CExpr::Const(Value::Str(s)) = v
            {
                return Source::Name(s.to_string());
            }
        }
        match c
            .labels
            .iter()
            .min_by_key(|l| l.map_or(0, |l| g.label_count(l)))
        {
            Some(l) => Source::Label(*l),
            None => Source::All,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ExpandSpec {
    pub from: usize,
    pub rel: usize,
    pub to: usize,
    pub dir: Dir,
    /// Allowed types; `None` = any. Unknown names are dropped (no match).
    pub types: Option<Vec<Symbol>>,
    pub rel_props: Vec<(Key, CExpr)>,
    pub to_check: Check,
    pub to_bound: bool,
    pub rel_bound: bool,
    /// For variable length: (min, max), and whether to reverse the list.
    pub var: Option<(usize, usize, bool)>,
}

#[derive(Clone, Debug)]
pub enum Step {
    Scan {
        slot: usize,
        source: Source,
        check: Check,
    },
    Check {
        slot: usize,
        check: Check,
    },
    Expand(ExpandSpec),
    Shortest {
        spec: ExpandSpec,
        all: bool,
        path: usize,
    },
}

#[derive(Clone, Debug)]
pub struct PathBuild {
    pub slot: usize,
    pub start: usize,
    /// (relationship slot, is variable length)
    pub segs: Vec<(usize, bool)>,
}

#[derive(Clone, Debug, Default)]
pub struct MatchPlan {
    pub steps: Vec<Step>,
    /// Relationship slots of this pattern (uniqueness), with var-length flag.
    pub rels: Vec<(usize, bool)>,
    pub paths: Vec<PathBuild>,
    pub filter: Option<CExpr>,
    /// Slots this pattern binds (nulled by OPTIONAL MATCH without a match).
    pub binds: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct AggSpec {
    pub func: &'static str,
    pub distinct: bool,
    pub arg: Option<CExpr>,
    pub arg2: Option<CExpr>,
    pub slot: usize,
}

#[derive(Clone, Debug)]
pub struct CreateNode {
    pub slot: usize,
    pub bound: bool,
    pub labels: Vec<Symbol>,
    pub props: Vec<(Symbol, CExpr)>,
    pub props_expr: Option<CExpr>,
}

#[derive(Clone, Debug)]
pub struct CreateRel {
    pub slot: usize,
    pub from: usize,
    pub to: usize,
    pub typ: Symbol,
    pub props: Vec<(Symbol, CExpr)>,
    pub props_expr: Option<CExpr>,
}

#[derive(Clone, Debug, Default)]
pub struct CreatePlan {
    pub nodes: Vec<CreateNode>,
    pub rels: Vec<CreateRel>,
    pub paths: Vec<PathBuild>,
}

#[derive(Clone, Debug)]
pub enum SetC {
    Prop(CExpr, Key, CExpr),
    Replace(CExpr, CExpr),
    Merge(CExpr, CExpr),
    Labels(CExpr, Vec<Symbol>),
    RemoveProp(CExpr, Key),
    RemoveLabels(CExpr, Vec<Symbol>),
}

#[derive(Clone, Debug)]
pub enum Op {
    Match {
        m: MatchPlan,
        optional: bool,
    },
    Unwind {
        expr: CExpr,
        slot: usize,
    },
    Filter(CExpr),
    Project(Vec<(usize, CExpr)>),
    Aggregate {
        keys: Vec<(usize, CExpr)>,
        aggs: Vec<AggSpec>,
        post: Vec<(usize, CExpr)>,
    },
    Distinct(Vec<usize>),
    Sort(Vec<(CExpr, bool)>),
    Skip(CExpr),
    Limit(CExpr),
    Create(CreatePlan),
    Merge {
        m: MatchPlan,
        create: CreatePlan,
        on_match: Vec<SetC>,
        on_create: Vec<SetC>,
    },
    Set(Vec<SetC>),
    Delete {
        exprs: Vec<CExpr>,
        detach: bool,
    },
    /// `CALL { … }`: the subquery, run for each row.
    Subquery(Box<SubPlan>),
    /// `CALL`: the procedure, its argument expressions, and (output index,
    /// slot) for each yielded output.
    Call {
        proc: std::sync::Arc<dyn super::procedures::Procedure>,
        args: Vec<CExpr>,
        outs: Vec<(usize, usize)>,
    },
}

/// A subquery (`CALL { … }`, `EXISTS { … }`) on the slots of the query
/// around it: its UNION branches, each run from one incoming row.
#[derive(Clone, Debug)]
pub struct SubPlan {
    pub branches: Vec<SubBranch>,
    /// `UNION` (not `UNION ALL`) between the branches: results deduplicated.
    pub distinct: bool,
    /// The slots of the enclosing query that receive the returned columns
    /// (empty for a unit subquery, which passes its incoming rows on).
    pub outs: Vec<usize>,
    /// Whether the subquery updates the graph.
    pub writes: bool,
}

#[derive(Clone, Debug)]
pub struct SubBranch {
    pub ops: Vec<Op>,
    /// The slots of the returned columns, in order.
    pub columns: Vec<usize>,
}

/// One `UNION` branch, ready to run.
#[derive(Clone, Debug)]
pub struct Branch {
    pub ops: Vec<Op>,
    pub nslots: usize,
    pub columns: Vec<(String, usize)>,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub branches: Vec<Branch>,
    /// `UNION ALL` (true) or `UNION` (false) before each later branch.
    pub union_all: Vec<bool>,
    pub writes: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    RelList,
    Path,
    Any,
    // statically known value types (from literals and projections of them)
    Bool,
    Int,
    Float,
    Str,
    List,
    Map,
}

impl Kind {
    fn of_value(v: &Value) -> Kind {
        match v {
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::Str,
            Value::List(_) => Kind::List,
            Value::Map(_) => Kind::Map,
            Value::Node(_) => Kind::Node,
            Value::Rel(_) => Kind::Rel,
            Value::Path(_) => Kind::Path,
            _ => Kind::Any,
        }
    }
    /// Kind of the elements of a list expression, when all are the same.
    fn elem_of(c: &CExpr, scope: &Scope) -> Kind {
        let kinds: Vec<Kind> = match c {
            CExpr::Const(Value::List(l)) => l.iter().map(Kind::of_value).collect(),
            CExpr::List(l) => l.iter().map(|x| ckind(x, scope)).collect(),
            _ => return Kind::Any,
        };
        match kinds.first() {
            Some(&k) if kinds.iter().all(|&x| x == k) => k,
            _ => Kind::Any,
        }
    }
    fn is_graph(self) -> bool {
        matches!(self, Kind::Node | Kind::Rel | Kind::RelList | Kind::Path)
    }
}

/// The statically known kind of a compiled expression (`Any` if unknown).
fn ckind(c: &CExpr, scope: &Scope) -> Kind {
    match c {
        CExpr::Const(v) => Kind::of_value(v),
        CExpr::List(_) | CExpr::ListComp { .. } | CExpr::PatternComp { .. } => Kind::List,
        CExpr::Map(_) => Kind::Map,
        CExpr::Slot(s) => scope
            .vars
            .iter()
            .rev()
            .find(|v| v.1 == *s)
            .map_or(Kind::Any, |v| v.2),
        CExpr::Not(_)
        | CExpr::IsNull(..)
        | CExpr::HasLabels(..)
        | CExpr::Quant { .. }
        | CExpr::Exists(_)
        | CExpr::ExistsQuery(_) => Kind::Bool,
        CExpr::Bin(
            BinOp::Or
            | BinOp::Xor
            | BinOp::And
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Gt
            | BinOp::Le
            | BinOp::Ge
            | BinOp::StartsWith
            | BinOp::EndsWith
            | BinOp::Contains
            | BinOp::In
            | BinOp::Regex,
            ..,
        ) => Kind::Bool,
        _ => Kind::Any,
    }
}

#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, usize, Kind)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<(usize, Kind)> {
        self.vars
            .iter()
            .rev()
            .find(|v| v.0 == name)
            .map(|v| (v.1, v.2))
    }
    fn add(&mut self, name: &str, slot: usize, k: Kind) {
        self.vars.push((name.to_string(), slot, k));
    }
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .vars
            .iter()
            .filter(|v| !v.0.starts_with(' '))
            .map(|v| v.0.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[derive(PartialEq)]
enum AggMode {
    Forbidden,
    Allowed,
    Inside,
}

pub fn compile_err(kind: &str, detail: &str, msg: impl Into<String>, span: Span) -> QueryError {
    QueryError {
        phase: Phase::Compile,
        kind: kind.into(),
        detail: detail.into(),
        message: msg.into(),
        span: if span.1 > span.0 || span.0 > 0 {
            Some((span.0, span.1))
        } else {
            None
        },
    }
}

fn sem(detail: &str, msg: impl Into<String>, span: Span) -> QueryError {
    compile_err("SyntaxError", detail, msg, span)
}

pub struct Planner<'a> {
    g: &'a mut Graph,
    params: &'a Params,
    query: &'a str,
    write: bool,
    nslots: usize,
    agg_mode: AggMode,
    aggs: Vec<AggSpec>,
    procs: Option<&'a super::procedures::Registry>,
}

pub fn has_writes(q: &RegularQuery) -> bool {
    std::iter::once(&q.first)
        .chain(q.unions.iter().map(|u| &u.1))
        .flat_map(|s| s.clauses.iter())
        .any(clause_writes)
}

/// Whether a clause updates the graph (a subquery: whether its body does).
fn clause_writes(c: &Clause) -> bool {
    match c {
        Clause::Create { .. }
        | Clause::Merge { .. }
        | Clause::Set { .. }
        | Clause::Remove { .. }
        | Clause::Delete { .. } => true,
        Clause::Subquery { body, .. } => has_writes(body),
        _ => false,
    }
}

/// Where a run of clauses is planned: the query itself, a `CALL { … }`
/// subquery or an `EXISTS { … }` subquery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Within {
    Query,
    Call,
    Exists,
}

/// Whether `e` names a variable of `scope` (outside local scopes too:
/// a conservative answer is enough where this is used).
fn mentions_any(e: &Expr, scope: &Scope) -> bool {
    match e {
        Expr::Var(v) => scope.get(&v.name).is_some(),
        _ => e.children().into_iter().any(|c| mentions_any(c, scope)),
    }
}

/// The error for a name that a clause binds again.
fn already_bound(var: &Var) -> QueryError {
    sem(
        "VariableAlreadyBound",
        format!("variable `{}` already declared", var.name),
        var.span,
    )
}

impl<'a> Planner<'a> {
    pub fn new(g: &'a mut Graph, params: &'a Params, query: &'a str, write: bool) -> Self {
        Planner {
            g,
            params,
            query,
            write,
            nslots: 0,
            agg_mode: AggMode::Forbidden,
            aggs: Vec::new(),
            procs: None,
        }
    }

    /// The procedures `CALL` may name (none without this).
    pub fn with_procedures(mut self, r: &'a super::procedures::Registry) -> Self {
        self.procs = Some(r);
        self
    }

    fn sym(&mut self, name: &str) -> Option<Symbol> {
        if self.write {
            Some(self.g.intern(name))
        } else {
            self.g.symbol(name)
        }
    }

    fn key(&mut self, name: &str) -> Key {
        Key {
            name: name.to_string(),
            sym: self.sym(name),
        }
    }

    fn slot(&mut self) -> usize {
        self.nslots += 1;
        self.nslots - 1
    }

    pub fn plan(mut self, q: &RegularQuery) -> Res<Plan> {
        let mut branches = vec![self.plan_single(&q.first)?];
        let mut union_all = Vec::new();
        for (all, sq, sp) in &q.unions {
            self.nslots = 0;
            let b = self.plan_single(sq)?;
            let names = |b: &Branch| b.columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
            if names(&b) != names(&branches[0]) {
                return Err(sem(
                    "DifferentColumnsInUnion",
                    "all sub queries in a UNION must have the same column names",
                    *sp,
                ));
            }
            union_all.push(*all);
            branches.push(b);
        }
        if union_all.windows(2).any(|w| w[0] != w[1]) {
            return Err(sem(
                "InvalidClauseComposition",
                "cannot mix UNION and UNION ALL",
                Span::default(),
            ));
        }
        Ok(Plan {
            branches,
            union_all,
            writes: self.write,
        })
    }

    fn plan_single(&mut self, q: &SingleQuery) -> Res<Branch> {
        Ok(self
            .plan_clauses(&q.clauses, Scope::default(), Within::Query)?
            .0)
    }

    /// Plans a run of clauses starting from `scope`: the branch and the
    /// scope after its last clause (the returned names, after a RETURN).
    fn plan_clauses(
        &mut self,
        clauses: &[Clause],
        mut scope: Scope,
        within: Within,
    ) -> Res<(Branch, Scope)> {
        let mut ops = Vec::new();
        let mut columns = Vec::new();
        let n = clauses.len();
        for (i, c) in clauses.iter().enumerate() {
            let last = i + 1 == n;
            match c {
                Clause::Return { span, .. } if !last => {
                    return Err(sem(
                        "InvalidClauseComposition",
                        "RETURN must be the last clause",
                        *span,
                    ));
                }
                Clause::Return { body, .. } => {
                    if within == Within::Call
                        && let Some(it) = body
                            .items
                            .iter()
                            .find(|it| it.alias.is_none() && !matches!(it.expr, Expr::Var(_)))
                    {
                        return Err(sem(
                            "NoExpressionAlias",
                            "an expression returned by CALL { … } must be aliased (use AS)",
                            it.text,
                        ));
                    }
                    let (s, cols) = self.plan_projection(body, &scope, true, None, &mut ops)?;
                    scope = s;
                    columns = cols;
                }
                Clause::Subquery {
                    imports,
                    body,
                    span,
                } => {
                    let (mut sub, cols) =
                        self.plan_subquery(body, &scope, imports.as_ref(), Within::Call, *span)?;
                    for (name, kind) in cols {
                        if scope.get(&name).is_some() {
                            return Err(sem(
                                "VariableAlreadyBound",
                                format!(
                                    "variable `{name}` returned by CALL {{ … }} is already \
                                     declared outside it (rename it with AS)"
                                ),
                                *span,
                            ));
                        }
                        let s = self.slot();
                        scope.add(&name, s, kind);
                        sub.outs.push(s);
                    }
                    ops.push(Op::Subquery(Box::new(sub)));
                }
                Clause::With { body, where_, span } => {
                    if last {
                        return Err(compile_err(
                            "SyntaxError",
                            "InvalidClauseComposition",
                            "a query cannot end with WITH",
                            *span,
                        ));
                    }
                    let (s, _) =
                        self.plan_projection(body, &scope, false, where_.as_ref(), &mut ops)?;
                    scope = s;
                }
                Clause::Match {
                    optional,
                    pattern,
                    where_,
                    span,
                } => {
                    if let Some(Clause::Match {
                        optional: false, ..
                    }) = clauses.get(i + 1)
                        && *optional
                    {
                        // allowed
                    }
                    if !*optional
                        && clauses[..i]
                            .iter()
                            .rev()
                            .take_while(|c| !matches!(c, Clause::With { .. }))
                            .any(|c| matches!(c, Clause::Match { optional: true, .. }))
                    {
                        let _ = span;
                    }
                    let m = self.plan_match(pattern, &mut scope, where_.as_ref(), false)?;
                    ops.push(Op::Match {
                        m,
                        optional: *optional,
                    });
                }
                Clause::Call {
                    name,
                    args,
                    yields,
                    span,
                } => {
                    let standalone = n == 1 && within == Within::Query;
                    let (op, cols, filter) = self.plan_call(
                        name,
                        args.as_deref(),
                        yields.as_ref(),
                        *span,
                        standalone,
                        &mut scope,
                    )?;
                    ops.push(op);
                    if let Some(f) = filter {
                        ops.push(Op::Filter(f));
                    }
                    if standalone {
                        columns = cols;
                    }
                }
                Clause::Unwind { expr, var } => {
                    let e = self.expr(expr, &scope)?;
                    if scope.get(&var.name).is_some() {
                        return Err(already_bound(var));
                    }
                    let s = self.slot();
                    scope.add(&var.name, s, Kind::Any);
                    ops.push(Op::Unwind { expr: e, slot: s });
                }
                Clause::Create { pattern, .. } => {
                    let cp = self.plan_create(pattern, &mut scope, false)?;
                    ops.push(Op::Create(cp));
                }
                Clause::Merge {
                    part,
                    on_match,
                    on_create,
                    ..
                } => {
                    let mut s2 = scope.clone();
                    let m = self.plan_match(std::slice::from_ref(part), &mut s2, None, true)?;
                    let mut s3 = scope.clone();
                    let create = self.plan_create(std::slice::from_ref(part), &mut s3, true)?;
                    // make the create plan write to the same slots as the match
                    let create = remap_create(create, &s3, &s2);
                    scope = s2;
                    let on_match = self.plan_set(on_match, &scope)?;
                    let on_create = self.plan_set(on_create, &scope)?;
                    ops.push(Op::Merge {
                        m,
                        create,
                        on_match,
                        on_create,
                    });
                }
                Clause::Set { items } => {
                    let s = self.plan_set(items, &scope)?;
                    ops.push(Op::Set(s));
                }
                Clause::Remove { items } => {
                    let mut out = Vec::new();
                    for it in items {
                        out.push(match it {
                            RemoveItem::Prop(Expr::Prop(obj, k)) => {
                                SetC::RemoveProp(self.expr(obj, &scope)?, self.key(k))
                            }
                            RemoveItem::Prop(_) => {
                                return Err(compile_err(
                                    "SyntaxError",
                                    "InvalidSyntax",
                                    "REMOVE expects a property or labels",
                                    Span::default(),
                                ));
                            }
                            RemoveItem::Labels { var, labels } => {
                                let v = self.var(var, &scope)?;
                                let ls = labels.iter().filter_map(|l| self.sym(l)).collect();
                                SetC::RemoveLabels(v, ls)
                            }
                        });
                    }
                    ops.push(Op::Set(out));
                }
                Clause::Delete { detach, exprs } => {
                    let mut es = Vec::new();
                    for e in exprs {
                        if let Expr::HasLabels(..) = e {
                            return Err(sem(
                                "InvalidDelete",
                                "DELETE removes nodes, relationships or paths; to take a label \
                                 off a node use REMOVE n:Label",
                                span_of(e),
                            ));
                        }
                        if !matches!(
                            e,
                            Expr::Var(_)
                                | Expr::Index(..)
                                | Expr::Prop(..)
                                | Expr::Func { .. }
                                | Expr::Case { .. }
                                | Expr::Lit(Literal::Null)
                        ) {
                            return Err(sem(
                                "InvalidArgumentType",
                                "DELETE expects a node, relationship or path",
                                span_of(e),
                            ));
                        }
                        if let Expr::Var(v) = e
                            && let Some((_, k)) = scope.get(&v.name)
                            && !matches!(
                                k,
                                Kind::Node | Kind::Rel | Kind::Path | Kind::Any | Kind::RelList
                            )
                        {
                            return Err(sem("InvalidArgumentType", "cannot delete this", v.span));
                        }
                        es.push(self.expr(e, &scope)?);
                    }
                    ops.push(Op::Delete {
                        exprs: es,
                        detach: *detach,
                    });
                }
            }
        }
        // EXISTS { … } may end anywhere: only whether rows come out matters
        if within != Within::Exists
            && let Some(last) = clauses.last()
            && !matches!(last, Clause::Return { .. })
            && !(clauses.len() == 1 && matches!(last, Clause::Call { .. }))
            && !clauses.iter().any(clause_writes)
        {
            return Err(compile_err(
                "SyntaxError",
                "InvalidClauseComposition",
                if within == Within::Call {
                    "a subquery must end with RETURN, or update the graph (a unit subquery)"
                } else {
                    "query must end with RETURN or an updating clause"
                },
                Span::default(),
            ));
        }
        Ok((
            Branch {
                ops,
                nslots: self.nslots,
                columns,
            },
            scope,
        ))
    }

    /// Plans the body of `CALL { … }` or `EXISTS { … }` on the slots of the
    /// enclosing query: each UNION branch starts from the variables it
    /// imports (for EXISTS, every variable of `outer`). Returns the plan
    /// (its `outs` still empty) and the names and kinds it returns.
    fn plan_subquery(
        &mut self,
        q: &RegularQuery,
        outer: &Scope,
        imports: Option<&Imports>,
        within: Within,
        span: Span,
    ) -> Res<(SubPlan, Vec<(String, Kind)>)> {
        let writes = std::iter::once(&q.first)
            .chain(q.unions.iter().map(|u| &u.1))
            .any(|sq| sq.clauses.iter().any(clause_writes));
        if within == Within::Exists && writes {
            return Err(sem(
                "InvalidClauseComposition",
                "EXISTS { … } only reads: it cannot create, merge, set, remove or delete",
                span,
            ));
        }
        // the projection being planned around an EXISTS keeps its state
        let mode = std::mem::replace(&mut self.agg_mode, AggMode::Forbidden);
        let aggs = std::mem::take(&mut self.aggs);
        let r = self.plan_subquery_branches(q, outer, imports, within);
        self.agg_mode = mode;
        self.aggs = aggs;
        let (branches, returned) = r?;
        if q.unions.windows(2).any(|w| w[0].0 != w[1].0) {
            return Err(sem(
                "InvalidClauseComposition",
                "cannot mix UNION and UNION ALL",
                span,
            ));
        }
        let distinct = q.unions.first().is_some_and(|u| !u.0);
        Ok((
            SubPlan {
                branches,
                distinct,
                outs: Vec::new(),
                writes,
            },
            returned,
        ))
    }

    #[allow(clippy::type_complexity)]
    fn plan_subquery_branches(
        &mut self,
        q: &RegularQuery,
        outer: &Scope,
        imports: Option<&Imports>,
        within: Within,
    ) -> Res<(Vec<SubBranch>, Vec<(String, Kind)>)> {
        let mut branches = Vec::new();
        let mut returned: Option<Vec<(String, Kind)>> = None;
        let parts = std::iter::once((&q.first, Span::default()))
            .chain(q.unions.iter().map(|u| (&u.1, u.2)));
        for (sq, union_span) in parts {
            let (scope, skip) = self.subquery_scope(sq, outer, imports, within)?;
            let (b, after) = self.plan_clauses(&sq.clauses[skip..], scope, within)?;
            let cols: Vec<(String, Kind)> = b
                .columns
                .iter()
                .map(|(n, _)| (n.clone(), after.get(n).map_or(Kind::Any, |x| x.1)))
                .collect();
            match &returned {
                None => returned = Some(cols),
                Some(r) => {
                    let names =
                        |c: &[(String, Kind)]| c.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
                    if names(r) != names(&cols) {
                        return Err(sem(
                            "DifferentColumnsInUnion",
                            "all sub queries in a UNION must have the same column names",
                            union_span,
                        ));
                    }
                }
            }
            branches.push(SubBranch {
                ops: b.ops,
                columns: b.columns.iter().map(|c| c.1).collect(),
            });
        }
        let returned = if within == Within::Exists {
            Vec::new()
        } else {
            returned.unwrap_or_default()
        };
        Ok((branches, returned))
    }

    /// The scope a subquery branch starts with, and how many of its
    /// clauses that took (1 for an importing `WITH a, b`).
    fn subquery_scope(
        &self,
        sq: &SingleQuery,
        outer: &Scope,
        imports: Option<&Imports>,
        within: Within,
    ) -> Res<(Scope, usize)> {
        if within == Within::Exists {
            return Ok((outer.clone(), 0));
        }
        let pick = |vars: &mut dyn Iterator<Item = &Var>| -> Res<Scope> {
            let mut scope = Scope::default();
            for v in vars {
                match outer.get(&v.name) {
                    Some((slot, kind)) => scope.add(&v.name, slot, kind),
                    None => {
                        return Err(sem(
                            "UndefinedVariable",
                            format!("variable `{}` not defined", v.name),
                            v.span,
                        ));
                    }
                }
            }
            Ok(scope)
        };
        if let Some(im) = imports {
            if im.star {
                return Ok((outer.clone(), 0));
            }
            return Ok((pick(&mut im.vars.iter())?, 0));
        }
        let Some(Clause::With { body, where_, span }) = sq.clauses.first() else {
            return Ok((Scope::default(), 0));
        };
        let plain = body.items.iter().all(|it| match (&it.expr, &it.alias) {
            (Expr::Var(v), None) => outer.get(&v.name).is_some(),
            (Expr::Var(v), Some(a)) => a.name == v.name && outer.get(&v.name).is_some(),
            _ => false,
        });
        let modifiers = body.distinct
            || !body.order.is_empty()
            || body.skip.is_some()
            || body.limit.is_some()
            || where_.is_some();
        if plain && !modifiers {
            if body.star {
                let mut scope = outer.clone();
                let extra = pick(&mut body.items.iter().filter_map(|it| match &it.expr {
                    Expr::Var(v) => Some(v),
                    _ => None,
                }))?;
                scope.vars.extend(extra.vars);
                return Ok((scope, 1));
            }
            let vars: Vec<&Var> = body
                .items
                .iter()
                .filter_map(|it| match &it.expr {
                    Expr::Var(v) => Some(v),
                    _ => None,
                })
                .collect();
            return Ok((pick(&mut vars.into_iter())?, 1));
        }
        // a first WITH that reads outer variables in any other way
        let reads_outer = |e: &Expr| mentions_any(e, outer);
        if body.star
            || body.items.iter().any(|it| reads_outer(&it.expr))
            || where_.as_ref().is_some_and(reads_outer)
        {
            return Err(sem(
                "InvalidImportingWith",
                "a subquery imports outer variables with a first WITH that only names them \
                 (WITH a, b), or with CALL (a, b) { … }; filter, sort or compute in the \
                 clauses after it",
                *span,
            ));
        }
        Ok((Scope::default(), 0))
    }

    /// A `CALL`: the procedure from the registry, arguments checked against
    /// its signature (their number; the types of literals), the yielded
    /// outputs bound to new variables. A standalone call (the whole query)
    /// may omit the parentheses (arguments come from the parameters of the
    /// same names) and `YIELD` (every output is a column).
    #[allow(clippy::type_complexity)]
    fn plan_call(
        &mut self,
        name: &str,
        args: Option<&[Expr]>,
        yields: Option<&Yield>,
        span: Span,
        standalone: bool,
        scope: &mut Scope,
    ) -> Res<(Op, Vec<(String, usize)>, Option<CExpr>)> {
        let Some(proc) = self.procs.and_then(|r| r.get(name)).cloned() else {
            return Err(compile_err(
                "ProcedureError",
                "ProcedureNotFound",
                format!("there is no procedure {name}"),
                span,
            ));
        };
        let sig = proc.signature().clone();
        let mut cargs = Vec::new();
        match args {
            Some(a) => {
                if a.len() != sig.inputs.len() {
                    return Err(sem(
                        "InvalidNumberOfArguments",
                        format!(
                            "{name} takes {} argument(s), got {} ({sig})",
                            sig.inputs.len(),
                            a.len()
                        ),
                        span,
                    ));
                }
                for (e, (input, t)) in a.iter().zip(&sig.inputs) {
                    let c = self.expr(e, scope)?;
                    if let CExpr::Const(v) = &c
                        && matches!(e, Expr::Lit(_))
                        && !t.accepts(v)
                    {
                        return Err(sem(
                            "InvalidArgumentType",
                            format!("{name}: argument {input} must be {t:?}"),
                            span_of(e),
                        ));
                    }
                    cargs.push(c);
                }
            }
            None => {
                if !standalone && !sig.inputs.is_empty() {
                    return Err(sem(
                        "InvalidArgumentPassingMode",
                        format!("{name} takes arguments: pass them in parentheses ({sig})"),
                        span,
                    ));
                }
                for (input, _) in &sig.inputs {
                    match self.params.get(input) {
                        Some(v) => cargs.push(CExpr::Const(v.clone())),
                        None => {
                            return Err(compile_err(
                                "ParameterMissing",
                                "MissingParameter",
                                format!(
                                    "{name} takes its argument {input} from the parameter ${input}, which is not given"
                                ),
                                span,
                            ));
                        }
                    }
                }
            }
        }
        // outputs: (output index, variable)
        let chosen: Vec<(usize, Var)> = match yields {
            None if !standalone => Vec::new(),
            Some(y) if y.star && !standalone => {
                return Err(sem(
                    "UnexpectedSyntax",
                    "YIELD * is only allowed in a standalone CALL",
                    span,
                ));
            }
            None | Some(Yield { star: true, .. }) => sig
                .outputs
                .iter()
                .enumerate()
                .map(|(i, (o, _))| {
                    (
                        i,
                        Var {
                            name: o.clone(),
                            span,
                        },
                    )
                })
                .collect(),
            Some(y) => {
                let mut v = Vec::new();
                for (out, var) in &y.items {
                    let Some(i) = sig.outputs.iter().position(|(o, _)| o == out) else {
                        return Err(sem(
                            "UndefinedVariable",
                            format!("{name} has no output {out} ({sig})"),
                            var.span,
                        ));
                    };
                    v.push((i, var.clone()));
                }
                v
            }
        };
        let mut outs = Vec::new();
        let mut cols = Vec::new();
        let mut fresh = std::collections::HashSet::new();
        for (i, var) in chosen {
            if scope.get(&var.name).is_some() || !fresh.insert(var.name.clone()) {
                return Err(already_bound(&var));
            }
            let s = self.slot();
            scope.add(&var.name, s, Kind::Any);
            outs.push((i, s));
            cols.push((var.name.clone(), s));
        }
        let filter = match yields.and_then(|y| y.where_.as_ref()) {
            Some(w) => Some(self.expr(w, scope)?),
            None => None,
        };
        Ok((
            Op::Call {
                proc,
                args: cargs,
                outs,
            },
            cols,
            filter,
        ))
    }

    fn plan_set(&mut self, items: &[SetItem], scope: &Scope) -> Res<Vec<SetC>> {
        let mut out = Vec::new();
        for it in items {
            match it {
                SetItem::Prop { value, .. }
                | SetItem::Replace { value, .. }
                | SetItem::Merge { value, .. } => no_pattern_value(value, false)?,
                SetItem::Labels { .. } => {}
            }
            out.push(match it {
                SetItem::Prop { target, value } => match target {
                    Expr::Prop(obj, k) => {
                        let o = self.expr(obj, scope)?;
                        let key = self.key(k);
                        SetC::Prop(o, key, self.expr(value, scope)?)
                    }
                    _ => {
                        return Err(compile_err(
                            "SyntaxError",
                            "InvalidSyntax",
                            "SET expects a property",
                            span_of(target),
                        ));
                    }
                },
                SetItem::Replace { var, value } => {
                    SetC::Replace(self.var(var, scope)?, self.expr(value, scope)?)
                }
                SetItem::Merge { var, value } => {
                    SetC::Merge(self.var(var, scope)?, self.expr(value, scope)?)
                }
                SetItem::Labels { var, labels } => {
                    let v = self.var(var, scope)?;
                    let ls = labels.iter().filter_map(|l| self.sym(l)).collect();
                    SetC::Labels(v, ls)
                }
            });
        }
        Ok(out)
    }

    fn var(&mut self, v: &Var, scope: &Scope) -> Res<CExpr> {
        match scope.get(&v.name) {
            Some((s, _)) => Ok(CExpr::Slot(s)),
            None => Err(sem(
                "UndefinedVariable",
                format!("variable `{}` not defined", v.name),
                v.span,
            )),
        }
    }

    // ------------------------------------------------------ projection

    fn plan_projection(
        &mut self,
        p: &Projection,
        scope: &Scope,
        is_return: bool,
        where_: Option<&Expr>,
        ops: &mut Vec<Op>,
    ) -> Res<(Scope, Vec<(String, usize)>)> {
        if let Some(sp) = ambiguous_order(p, scope) {
            return Err(sem(
                "AmbiguousAggregationExpression",
                "an ORDER BY item with an aggregation may only use the projected names \
                 and grouping keys, not parts of a grouping-key expression",
                sp,
            ));
        }
        let mut items: Vec<(String, Expr, Span)> = Vec::new();
        if p.star {
            let names = scope.names();
            if names.is_empty() && p.items.is_empty() && is_return {
                return Err(sem(
                    "NoVariablesInScope",
                    "RETURN * is not allowed when there are no variables in scope",
                    Span::default(),
                ));
            }
            for n in names {
                items.push((
                    n.clone(),
                    Expr::Var(Var {
                        name: n,
                        span: Span::default(),
                    }),
                    Span::default(),
                ));
            }
        }
        for it in &p.items {
            no_pattern_value(&it.expr, false)?;
            let name = match (&it.alias, &it.expr) {
                (Some(a), _) => a.name.clone(),
                (None, Expr::Var(v)) => v.name.clone(),
                (None, e) => {
                    if !is_return {
                        return Err(sem(
                            "NoExpressionAlias",
                            "expression in WITH must be aliased (use AS)",
                            span_of(e),
                        ));
                    }
                    self.query
                        .get(it.text.0..it.text.1)
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                }
            };
            if items.iter().any(|x| x.0 == name) {
                return Err(sem(
                    "ColumnNameConflict",
                    format!("multiple result columns with the same name `{name}`"),
                    it.text,
                ));
            }
            items.push((name, it.expr.clone(), it.text));
        }
        // compile items, collecting aggregates
        self.agg_mode = AggMode::Allowed;
        self.aggs.clear();
        let mut compiled = Vec::new();
        let mut has_agg = Vec::new();
        for (_, e, _) in &items {
            let before = self.aggs.len();
            let c = self.expr(e, scope);
            let c = match c {
                Ok(c) => c,
                Err(e) => {
                    self.agg_mode = AggMode::Forbidden;
                    return Err(e);
                }
            };
            has_agg.push(self.aggs.len() > before);
            compiled.push(c);
        }
        self.agg_mode = AggMode::Forbidden;
        if has_agg.iter().any(|&a| a) {
            let keys: Vec<&Expr> = items
                .iter()
                .zip(&has_agg)
                .filter(|(_, a)| !**a)
                .map(|(it, _)| &it.1)
                .collect();
            for ((_, e, _), _) in items.iter().zip(&has_agg).filter(|(_, a)| **a) {
                if let Some(sp) = ambiguous_in_aggregation(e, &keys) {
                    return Err(sem(
                        "AmbiguousAggregationExpression",
                        "an expression next to an aggregation must be a grouping key",
                        sp,
                    ));
                }
            }
        }
        let aggs = std::mem::take(&mut self.aggs);
        let mut new_scope = Scope::default();
        let mut slots = Vec::new();
        let mut columns = Vec::new();
        for (i, (name, e, _)) in items.iter().enumerate() {
            let kind = match e {
                Expr::Var(v) => scope.get(&v.name).map_or(Kind::Any, |x| x.1),
                _ if has_agg[i] => Kind::Any,
                _ => ckind(&compiled[i], scope),
            };
            let s = self.slot();
            new_scope.add(name, s, kind);
            slots.push(s);
            columns.push((name.clone(), s));
        }
        let aggregating = !aggs.is_empty();
        if aggregating {
            let mut keys = Vec::new();
            let mut post = Vec::new();
            for ((c, s), a) in compiled.into_iter().zip(&slots).zip(&has_agg) {
                if *a {
                    post.push((*s, c));
                } else {
                    keys.push((*s, c));
                }
            }
            ops.push(Op::Aggregate { keys, aggs, post });
        } else {
            ops.push(Op::Project(slots.iter().copied().zip(compiled).collect()));
        }
        if p.distinct {
            ops.push(Op::Distinct(slots.clone()));
        }
        // ORDER BY and WITH … WHERE see the new names first, then (unless
        // aggregating or distinct) the old ones.
        let mut sort_scope = if aggregating || p.distinct {
            Scope::default()
        } else {
            scope.clone()
        };
        sort_scope.vars.extend(new_scope.vars.iter().cloned());
        if !p.order.is_empty() {
            let mut keys = Vec::new();
            for (e, asc) in &p.order {
                let substituted;
                let direct = items.iter().any(|it| &it.1 == e);
                // after grouping or DISTINCT only the projected values
                // exist: parts of the item that are projected read them
                let e = if !direct && (aggregating || p.distinct) {
                    substituted = subst_projected(e, &items);
                    &substituted
                } else {
                    e
                };
                let c = match items.iter().position(|it| &it.1 == e) {
                    Some(i) => CExpr::Slot(slots[i]),
                    None => {
                        if aggregating && contains_agg(e) {
                            if let Some(v) = first_undefined(e, &sort_scope) {
                                return Err(sem(
                                    "UndefinedVariable",
                                    format!(
                                        "variable `{}` not defined (after the aggregation only \
                                         the projected names are)",
                                        v.name
                                    ),
                                    v.span,
                                ));
                            }
                            return Err(sem(
                                "InvalidAggregation",
                                "aggregation in ORDER BY must also be projected",
                                span_of(e),
                            ));
                        }
                        self.expr(e, &sort_scope)?
                    }
                };
                keys.push((c, *asc));
            }
            ops.push(Op::Sort(keys));
        }
        if let Some(s) = &p.skip {
            let c = self.count_arg(s, "SKIP")?;
            ops.push(Op::Skip(c));
        }
        if let Some(l) = &p.limit {
            let c = self.count_arg(l, "LIMIT")?;
            ops.push(Op::Limit(c));
        }
        if let Some(w) = where_ {
            no_pattern_value(w, true)?;
            let mut where_scope = if aggregating {
                Scope::default()
            } else {
                scope.clone()
            };
            where_scope.vars.extend(new_scope.vars.iter().cloned());
            let f = self.predicate(w, &where_scope)?;
            ops.push(Op::Filter(f));
        }
        Ok((new_scope, columns))
    }

    fn count_arg(&mut self, e: &Expr, what: &str) -> Res<CExpr> {
        let c = self.expr(e, &Scope::default()).map_err(|err| {
            if err.detail == "UndefinedVariable" {
                sem(
                    "NonConstantExpression",
                    format!("{what} must be a constant expression"),
                    span_of(e),
                )
            } else {
                err
            }
        })?;
        if let CExpr::Const(v) = &c {
            check_count(v, what).map_err(|mut err| {
                // a bad literal is found at compile time, a bad parameter
                // value only when the query runs
                err.phase = if matches!(e, Expr::Param(..)) {
                    Phase::Runtime
                } else {
                    Phase::Compile
                };
                err.kind = "SyntaxError".into();
                err.span = Some((span_of(e).0, span_of(e).1));
                err
            })?;
        }
        Ok(c)
    }

    // ------------------------------------------------------ patterns

    fn node_check(&mut self, n: &NodePat, scope: &Scope) -> Res<Check> {
        let labels = n.labels.iter().map(|l| self.sym(l)).collect();
        let props = self.prop_entries(n.props.as_ref(), scope)?;
        Ok(Check { labels, props })
    }

    fn prop_entries(&mut self, e: Option<&Expr>, scope: &Scope) -> Res<Vec<(Key, CExpr)>> {
        let mut out = Vec::new();
        match e {
            None => {}
            Some(Expr::Map(m)) => {
                for (k, v) in m {
                    let key = self.key(k);
                    out.push((key, self.expr(v, scope)?));
                }
            }
            Some(Expr::Param(p, sp)) => {
                // only CREATE takes its properties as one parameter: a
                // pattern to match names the keys it compares
                return Err(sem(
                    "InvalidParameterUse",
                    format!(
                        "a parameter cannot give the properties of a pattern to match; \
                         write them as a map: {{key: ${p}.key}}"
                    ),
                    *sp,
                ));
            }
            Some(other) => {
                return Err(sem(
                    "InvalidParameterUse",
                    "properties must be a map",
                    span_of(other),
                ));
            }
        }
        Ok(out)
    }

    /// Binds a pattern variable: new slot, or the existing one (checking kinds).
    fn bind(
        &mut self,
        v: &Option<Var>,
        kind: Kind,
        scope: &mut Scope,
        binds: &mut Vec<usize>,
    ) -> Res<(usize, bool)> {
        match v {
            Some(var) => match scope.get(&var.name) {
                Some((s, k)) => {
                    if k != kind && k != Kind::Any && !(k == Kind::List && kind == Kind::RelList) {
                        return Err(sem(
                            "VariableTypeConflict",
                            format!("variable `{}` already declared with another type", var.name),
                            var.span,
                        ));
                    }
                    if matches!(kind, Kind::Rel | Kind::RelList) && binds.contains(&s) {
                        return Err(sem(
                            "RelationshipUniquenessViolation",
                            format!("relationship `{}` used twice in a pattern", var.name),
                            var.span,
                        ));
                    }
                    Ok((s, true))
                }
                None => {
                    let s = self.slot();
                    scope.add(&var.name, s, kind);
                    binds.push(s);
                    Ok((s, false))
                }
            },
            None => {
                let s = self.slot();
                binds.push(s);
                Ok((s, false))
            }
        }
    }

    fn plan_match(
        &mut self,
        parts: &[PatternPart],
        scope: &mut Scope,
        where_: Option<&Expr>,
        merge: bool,
    ) -> Res<MatchPlan> {
        let mut m = MatchPlan::default();
        let mut bound: HashSet<usize> = HashSet::new();
        for part in parts {
            if let Some(v) = &part.var
                && scope.get(&v.name).is_some()
            {
                return Err(sem(
                    "VariableAlreadyBound",
                    format!("variable `{}` already declared", v.name),
                    v.span,
                ));
            }
            // nodes and rels: (slot, was bound before this part)
            let mut nodes = Vec::new();
            let mut checks = Vec::new();
            // a variable first bound in this part is not bound before it when
            // it comes again (`(n)-->(n)`)
            let mut fresh: HashSet<usize> = HashSet::new();
            let (s, b) = self.bind(&part.start.var, Kind::Node, scope, &mut m.binds)?;
            if !b {
                fresh.insert(s);
            }
            nodes.push((s, b || bound.contains(&s)));
            checks.push(self.node_check(&part.start, scope)?);
            let mut rels = Vec::new();
            for (r, n) in &part.chain {
                let kind = if r.range.is_some() {
                    Kind::RelList
                } else {
                    Kind::Rel
                };
                if merge && r.range.is_some() {
                    return Err(sem(
                        "CreatingVarLength",
                        "MERGE cannot use variable length",
                        r.span,
                    ));
                }
                let (rs, rb) = self.bind(&r.var, kind, scope, &mut m.binds)?;
                let (ns, nb) = self.bind(&n.var, Kind::Node, scope, &mut m.binds)?;
                rels.push((rs, rb, r));
                // a relationship bound before still counts for uniqueness:
                // no other relationship of the pattern may be it
                m.rels.push((rs, r.range.is_some()));
                if !nb {
                    fresh.insert(ns);
                }
                nodes.push((ns, (nb && !fresh.contains(&ns)) || bound.contains(&ns)));
                checks.push(self.node_check(n, scope)?);
            }
            for (s, _) in &nodes {
                bound.insert(*s);
            }
            let path_slot = match &part.var {
                Some(v) => {
                    if scope.get(&v.name).is_some() {
                        return Err(sem(
                            "VariableAlreadyBound",
                            format!("variable `{}` already declared", v.name),
                            v.span,
                        ));
                    }
                    let s = self.slot();
                    scope.add(&v.name, s, Kind::Path);
                    m.binds.push(s);
                    Some(s)
                }
                None => None,
            };
            let mut specs = Vec::new();
            for (i, (rs, rb, r)) in rels.iter().enumerate() {
                let types = if r.types.is_empty() {
                    None
                } else {
                    Some(r.types.iter().filter_map(|t| self.sym(t)).collect())
                };
                let rel_props = self.prop_entries(r.props.as_ref(), scope)?;
                let var = r.range.map(|(lo, hi)| {
                    let lo = lo.unwrap_or(1) as usize;
                    let hi = hi.map_or(usize::MAX, |h| h as usize);
                    (lo, hi, false)
                });
                specs.push(ExpandSpec {
                    from: nodes[i].0,
                    rel: *rs,
                    to: nodes[i + 1].0,
                    dir: r.dir,
                    types,
                    rel_props,
                    to_check: Check::default(),
                    to_bound: false,
                    rel_bound: *rb,
                    var,
                });
            }
            if let Some(all) = part.shortest {
                if specs.len() != 1 {
                    return Err(sem(
                        "InvalidShortestPath",
                        "shortestPath needs exactly one relationship",
                        part.span,
                    ));
                }
                for i in 0..2 {
                    let (s, b) = nodes[i];
                    let check = std::mem::take(&mut checks[i]);
                    m.steps.push(if b {
                        Step::Check { slot: s, check }
                    } else {
                        Step::Scan {
                            slot: s,
                            source: self.source(&check),
                            check,
                        }
                    });
                }
                let mut spec = specs.remove(0);
                if spec.var.is_none() {
                    spec.var = Some((1, 1, false));
                }
                let ps = path_slot.unwrap_or_else(|| self.slot());
                m.steps.push(Step::Shortest {
                    spec,
                    all,
                    path: ps,
                });
                continue;
            }
            // choose the start node
            let start = (0..nodes.len())
                .min_by_key(|&i| {
                    if nodes[i].1 {
                        return 0;
                    }
                    let c = &checks[i];
                    if c.props
                        .iter()
                        .any(|(k, v)| k.name == "name" && matches!(v, CExpr::Const(Value::Str(_))))
                    {
                        return 1;
                    }
                    match c
                        .labels
                        .iter()
                        .map(|l| l.map_or(0, |l| self.g.label_count(l)))
                        .min()
                    {
                        Some(n) => 2 + n,
                        None => usize::MAX,
                    }
                })
                .unwrap_or(0);
            let (s0, b0) = nodes[start];
            let check = std::mem::take(&mut checks[start]);
            if b0 {
                if !check.is_empty() {
                    m.steps.push(Step::Check { slot: s0, check });
                }
            } else {
                m.steps.push(Step::Scan {
                    slot: s0,
                    source: self.source(&check),
                    check,
                });
            }
            // bound by slot: a variable repeated in the part (`(n)-->(n)`,
            // cycles) is bound once its first position is reached
            let mut bound_slots: HashSet<usize> =
                nodes.iter().filter(|n| n.1).map(|n| n.0).collect();
            bound_slots.insert(nodes[start].0);
            for (i, mut spec) in specs.clone().into_iter().enumerate().skip(start) {
                spec.to_bound = !bound_slots.insert(nodes[i + 1].0);
                spec.to_check = std::mem::take(&mut checks[i + 1]);
                m.steps.push(Step::Expand(spec));
            }
            for i in (0..start).rev() {
                let mut spec = specs[i].clone();
                std::mem::swap(&mut spec.from, &mut spec.to);
                spec.dir = match spec.dir {
                    Dir::Left => Dir::Right,
                    Dir::Right => Dir::Left,
                    Dir::Both => Dir::Both,
                };
                if let Some(v) = &mut spec.var {
                    v.2 = true;
                }
                spec.to_bound = !bound_slots.insert(nodes[i].0);
                spec.to_check = std::mem::take(&mut checks[i]);
                m.steps.push(Step::Expand(spec));
            }
            if let Some(ps) = path_slot {
                m.paths.push(PathBuild {
                    slot: ps,
                    start: nodes[0].0,
                    segs: rels
                        .iter()
                        .map(|(s, _, r)| (*s, r.range.is_some()))
                        .collect(),
                });
            }
        }
        if let Some(w) = where_ {
            no_pattern_value(w, true)?;
            m.filter = Some(self.predicate(w, scope)?);
        }
        Ok(m)
    }

    fn source(&mut self, c: &Check) -> Source {
        Source::for_check(self.g, c)
    }

    fn plan_create(
        &mut self,
        parts: &[PatternPart],
        scope: &mut Scope,
        merge: bool,
    ) -> Res<CreatePlan> {
        let mut cp = CreatePlan::default();
        let mut created: Vec<usize> = Vec::new();
        for part in parts {
            if let Some(v) = &part.var
                && scope.get(&v.name).is_some()
            {
                return Err(sem(
                    "VariableAlreadyBound",
                    format!("variable `{}` already declared", v.name),
                    v.span,
                ));
            }
            let mut node_slots = Vec::new();
            let mut all_nodes = vec![&part.start];
            all_nodes.extend(part.chain.iter().map(|(_, n)| n));
            for n in all_nodes {
                let existing = n.var.as_ref().and_then(|v| scope.get(&v.name));
                match existing {
                    Some((s, k)) => {
                        if k != Kind::Node && k != Kind::Any {
                            return Err(sem("VariableTypeConflict", "expected a node", n.span));
                        }
                        if (!n.labels.is_empty() || n.props.is_some()) && !created.contains(&s)
                            || (created.contains(&s) && (!n.labels.is_empty() || n.props.is_some()))
                        {
                            return Err(sem(
                                "VariableAlreadyBound",
                                format!(
                                    "variable `{}` already declared",
                                    n.var.as_ref().map_or("", |v| v.name.as_str())
                                ),
                                n.span,
                            ));
                        }
                        if !created.contains(&s) && part.chain.is_empty() {
                            return Err(sem(
                                "VariableAlreadyBound",
                                format!(
                                    "variable `{}` already declared",
                                    n.var.as_ref().map_or("", |v| v.name.as_str())
                                ),
                                n.span,
                            ));
                        }
                        node_slots.push(s);
                    }
                    None => {
                        let s = self.slot();
                        if let Some(v) = &n.var {
                            scope.add(&v.name, s, Kind::Node);
                        }
                        created.push(s);
                        let labels = n.labels.iter().filter_map(|l| self.sym(l)).collect();
                        let (props, props_expr) = self.create_props(n.props.as_ref(), scope)?;
                        cp.nodes.push(CreateNode {
                            slot: s,
                            bound: false,
                            labels,
                            props,
                            props_expr,
                        });
                        node_slots.push(s);
                    }
                }
            }
            let mut segs = Vec::new();
            for (i, (r, _)) in part.chain.iter().enumerate() {
                if let Some(v) = &r.var
                    && scope.get(&v.name).is_some()
                {
                    return Err(already_bound(v));
                }
                if r.types.len() != 1 {
                    return Err(sem(
                        "NoSingleRelationshipType",
                        "a relationship to create needs exactly one type",
                        r.span,
                    ));
                }
                if r.dir == Dir::Both && !merge {
                    return Err(sem(
                        "RequiresDirectedRelationship",
                        "only directed relationships can be created",
                        r.span,
                    ));
                }
                if r.range.is_some() {
                    return Err(sem(
                        "CreatingVarLength",
                        "cannot create variable length relationships",
                        r.span,
                    ));
                }
                let s = match &r.var {
                    Some(v) => {
                        let s = self.slot();
                        scope.add(&v.name, s, Kind::Rel);
                        s
                    }
                    None => self.slot(),
                };
                let typ = self.g.intern(&r.types[0]);
                let (props, props_expr) = self.create_props(r.props.as_ref(), scope)?;
                let (from, to) = if r.dir == Dir::Left {
                    (node_slots[i + 1], node_slots[i])
                } else {
                    (node_slots[i], node_slots[i + 1])
                };
                cp.rels.push(CreateRel {
                    slot: s,
                    from,
                    to,
                    typ,
                    props,
                    props_expr,
                });
                segs.push((s, false));
            }
            if let Some(v) = &part.var {
                if scope.get(&v.name).is_some() {
                    return Err(sem(
                        "VariableAlreadyBound",
                        format!("variable `{}` already declared", v.name),
                        v.span,
                    ));
                }
                let s = self.slot();
                scope.add(&v.name, s, Kind::Path);
                cp.paths.push(PathBuild {
                    slot: s,
                    start: node_slots[0],
                    segs,
                });
            }
        }
        Ok(cp)
    }

    #[allow(clippy::type_complexity)]
    fn create_props(
        &mut self,
        e: Option<&Expr>,
        scope: &Scope,
    ) -> Res<(Vec<(Symbol, CExpr)>, Option<CExpr>)> {
        match e {
            None => Ok((Vec::new(), None)),
            Some(Expr::Map(m)) => {
                let mut out = Vec::new();
                for (k, v) in m {
                    let s = self.g.intern(k);
                    out.push((s, self.expr(v, scope)?));
                }
                Ok((out, None))
            }
            Some(other) => Ok((Vec::new(), Some(self.expr(other, scope)?))),
        }
    }

    // ------------------------------------------------------ expressions

    fn expr(&mut self, e: &Expr, scope: &Scope) -> Res<CExpr> {
        let b = |x: CExpr| Box::new(x);
        Ok(match e {
            Expr::Lit(l) => CExpr::Const(match l {
                Literal::Null => Value::Null,
                Literal::Bool(x) => Value::Bool(*x),
                Literal::Int(i) => Value::Int(*i),
                Literal::Float(f) => Value::Float(*f),
                Literal::Str(s) => Value::Str(s.as_str().into()),
            }),
            Expr::Param(p, sp) => match self.params.get(p) {
                Some(v) => CExpr::Const(v.clone()),
                None => {
                    return Err(sem(
                        "ParameterMissing",
                        format!("expected parameter ${p}"),
                        *sp,
                    ));
                }
            },
            Expr::Var(v) => self.var(v, scope)?,
            Expr::List(l) => {
                let items = l
                    .iter()
                    .map(|x| self.expr(x, scope))
                    .collect::<Res<Vec<_>>>()?;
                fold_list(items)
            }
            Expr::Map(m) => {
                let mut out = Vec::new();
                for (k, v) in m {
                    out.push((k.clone(), self.expr(v, scope)?));
                }
                CExpr::Map(out)
            }
            Expr::Prop(x, k) => {
                let c = self.expr(x, scope)?;
                if matches!(ckind(&c, scope), Kind::Path | Kind::RelList) {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentType",
                        "a path or list of relationships has no properties",
                        span_of(x),
                    ));
                }
                if matches!(
                    ckind(&c, scope),
                    Kind::Bool | Kind::Int | Kind::Float | Kind::Str | Kind::List | Kind::RelList
                ) {
                    return Err(compile_err(
                        "TypeError",
                        "InvalidArgumentType",
                        "property access on a non-map value",
                        span_of(x),
                    ));
                }
                CExpr::Prop(b(c), self.key(k))
            }
            Expr::Index(x, i) => {
                let cx = self.expr(x, scope)?;
                let ci = self.expr(i, scope)?;
                if let (CExpr::Const(Value::List(_)), CExpr::Const(iv)) = (&cx, &ci)
                    && !matches!(iv, Value::Int(_) | Value::Null)
                {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentType",
                        "list index must be an integer",
                        span_of(i),
                    ));
                }
                if let (CExpr::Const(Value::Map(_)), CExpr::Const(iv)) = (&cx, &ci)
                    && !matches!(iv, Value::Str(_) | Value::Null)
                {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentType",
                        "map key must be a string",
                        span_of(i),
                    ));
                }
                CExpr::Index(b(cx), b(ci))
            }
            Expr::Slice(x, lo, hi) => {
                let cx = self.expr(x, scope)?;
                let lo = match lo {
                    Some(l) => Some(b(self.expr(l, scope)?)),
                    None => None,
                };
                let hi = match hi {
                    Some(h) => Some(b(self.expr(h, scope)?)),
                    None => None,
                };
                CExpr::Slice(b(cx), lo, hi)
            }
            Expr::HasLabels(x, ls) => {
                let cx = self.expr(x, scope)?;
                let syms = ls.iter().map(|l| self.sym(l)).collect();
                CExpr::HasLabels(b(cx), syms)
            }
            Expr::Unary(op, x) => {
                let cx = self.expr(x, scope)?;
                let k = ckind(&cx, scope);
                let bad = match op {
                    UnOp::Not => !matches!(k, Kind::Bool | Kind::Any),
                    UnOp::Neg | UnOp::Pos => !matches!(k, Kind::Int | Kind::Float | Kind::Any),
                };
                if bad {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentType",
                        format!(
                            "invalid operand type for {}",
                            match op {
                                UnOp::Not => "NOT",
                                UnOp::Neg => "unary -",
                                UnOp::Pos => "unary +",
                            }
                        ),
                        span_of(x),
                    ));
                }
                match op {
                    UnOp::Not => CExpr::Not(b(cx)),
                    UnOp::Neg => CExpr::Neg(b(cx)),
                    UnOp::Pos => CExpr::Pos(b(cx)),
                }
            }
            Expr::Binary(op, x, y, _) => {
                let cx = self.expr(x, scope)?;
                let cy = self.expr(y, scope)?;
                let (kx, ky) = (ckind(&cx, scope), ckind(&cy, scope));
                let non_num = |k: Kind| {
                    matches!(k, Kind::Bool | Kind::Str | Kind::List | Kind::Map) || k.is_graph()
                };
                let bad_arith = match op {
                    BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
                        non_num(kx) || non_num(ky)
                    }
                    BinOp::Add => {
                        let odd = |k: Kind| matches!(k, Kind::Bool | Kind::Map) || k.is_graph();
                        let list_or_any = |k: Kind| matches!(k, Kind::List | Kind::Any);
                        (odd(kx) && !list_or_any(ky)) || (odd(ky) && !list_or_any(kx))
                    }
                    BinOp::In => {
                        matches!(
                            ky,
                            Kind::Bool | Kind::Int | Kind::Float | Kind::Str | Kind::Map
                        ) || ky.is_graph()
                    }
                    _ => false,
                };
                if bad_arith {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentType",
                        format!("invalid operand types for {op}"),
                        span_of(e),
                    ));
                }
                if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor) {
                    for (c, e) in [(&kx, x), (&ky, y)] {
                        if !matches!(c, Kind::Bool | Kind::Any) {
                            return Err(compile_err(
                                "SyntaxError",
                                "InvalidArgumentType",
                                "boolean operator on a non-boolean",
                                span_of(e),
                            ));
                        }
                    }
                }
                CExpr::Bin(*op, b(cx), b(cy))
            }
            Expr::IsNull(x, neg) => CExpr::IsNull(b(self.expr(x, scope)?), *neg),
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                let operand = match operand {
                    Some(o) => Some(b(self.expr(o, scope)?)),
                    None => None,
                };
                let mut ws = Vec::new();
                for (w, t) in whens {
                    ws.push((self.expr(w, scope)?, self.expr(t, scope)?));
                }
                let else_ = match else_ {
                    Some(e) => Some(b(self.expr(e, scope)?)),
                    None => None,
                };
                CExpr::Case {
                    operand,
                    whens: ws,
                    else_,
                }
            }
            Expr::CountStar(sp) => self.aggregate("count", false, &[], *sp, scope)?,
            Expr::Func {
                name,
                distinct,
                args,
                span,
            } => {
                let lower = name.to_ascii_lowercase();
                let Some(&(fname, lo, hi)) = FUNCTIONS.iter().find(|f| f.0 == lower) else {
                    return Err(compile_err(
                        "SyntaxError",
                        "UnknownFunction",
                        format!("unknown function '{name}'"),
                        *span,
                    ));
                };
                if args.len() < lo || args.len() > hi {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidNumberOfArguments",
                        format!("wrong number of arguments for {name}()"),
                        *span,
                    ));
                }
                if is_aggregate(fname) {
                    return self.aggregate(fname, *distinct, args, *span, scope);
                }
                if fname == "exists"
                    && !matches!(args[0], Expr::Prop(..) | Expr::Pattern(_) | Expr::Index(..))
                {
                    return Err(compile_err(
                        "SyntaxError",
                        "InvalidArgumentExpression",
                        "exists() expects a property or pattern",
                        *span,
                    ));
                }
                let cargs = args
                    .iter()
                    .map(|a| self.expr(a, scope))
                    .collect::<Res<Vec<_>>>()?;
                self.static_arg_check(fname, &cargs, *span, scope)?;
                CExpr::Func(fname, cargs)
            }
            Expr::ListComp {
                var,
                list,
                pred,
                proj,
            } => {
                let l = self.expr(list, scope)?;
                let slot = self.slot();
                let mut s2 = scope.clone();
                s2.add(&var.name, slot, Kind::elem_of(&l, scope));
                let saved = std::mem::replace(&mut self.agg_mode, AggMode::Forbidden);
                let r = (|| {
                    let pred = match pred {
                        Some(p) => Some(b(self.expr(p, &s2)?)),
                        None => None,
                    };
                    let proj = match proj {
                        Some(p) => Some(b(self.expr(p, &s2)?)),
                        None => None,
                    };
                    Ok((pred, proj))
                })();
                self.agg_mode = saved;
                let (pred, proj) = r?;
                CExpr::ListComp {
                    slot,
                    list: b(l),
                    pred,
                    proj,
                }
            }
            Expr::Quantifier {
                kind,
                var,
                list,
                pred,
            } => {
                let l = self.expr(list, scope)?;
                let slot = self.slot();
                let mut s2 = scope.clone();
                s2.add(&var.name, slot, Kind::elem_of(&l, scope));
                let pred = match pred {
                    Some(p) => Some(b(self.expr(p, &s2)?)),
                    None => None,
                };
                CExpr::Quant {
                    kind: *kind,
                    slot,
                    list: b(l),
                    pred,
                }
            }
            Expr::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => {
                let i = self.expr(init, scope)?;
                let l = self.expr(list, scope)?;
                let a = self.slot();
                let s = self.slot();
                let mut s2 = scope.clone();
                s2.add(&acc.name, a, Kind::Any);
                s2.add(&var.name, s, Kind::Any);
                let e = self.expr(expr, &s2)?;
                CExpr::Reduce {
                    acc: a,
                    init: b(i),
                    slot: s,
                    list: b(l),
                    expr: b(e),
                }
            }
            Expr::PatternComp { part, pred, proj } => {
                let mut s2 = scope.clone();
                let m = self.sub_match(std::slice::from_ref(part), &mut s2, pred.as_deref())?;
                let p = self.expr(proj, &s2)?;
                CExpr::PatternComp {
                    m: b_match(m),
                    proj: b(p),
                }
            }
            Expr::Pattern(part) => {
                let mut s2 = scope.clone();
                if part.shortest.is_some() {
                    let mut p2 = (**part).clone();
                    p2.var = Some(Var {
                        name: " sp".into(),
                        span: Span::default(),
                    });
                    let m = self.sub_match(std::slice::from_ref(&p2), &mut s2, None)?;
                    let (ps, _) = s2.get(" sp").unwrap_or((0, Kind::Any));
                    let comp = CExpr::PatternComp {
                        m: b_match(m),
                        proj: b(CExpr::Slot(ps)),
                    };
                    return Ok(CExpr::Func("head", vec![comp]));
                }
                self.check_pattern_expr_vars(part, scope)?;
                let m = self.sub_match(std::slice::from_ref(part), &mut s2, None)?;
                CExpr::Exists(b_match(m))
            }
            Expr::Exists(body, sp) => match &**body {
                ExistsBody::Pattern(parts, w) => {
                    let mut s2 = scope.clone();
                    let m = self.sub_match(parts, &mut s2, w.as_ref())?;
                    CExpr::Exists(b_match(m))
                }
                ExistsBody::Query(q) if !simple_exists(q) => {
                    let (mut sub, _) = self.plan_subquery(q, scope, None, Within::Exists, *sp)?;
                    // one row answers the question
                    for b in &mut sub.branches {
                        b.ops.push(Op::Limit(CExpr::Const(Value::Int(1))));
                    }
                    CExpr::ExistsQuery(Box::new(sub))
                }
                ExistsBody::Query(q) => {
                    // the simple form MATCH … [WHERE …] [RETURN …]: one match plan
                    let mut s2 = scope.clone();
                    let mut parts = Vec::new();
                    let mut filters = Vec::new();
                    for c in &q.first.clauses {
                        match c {
                            Clause::Match {
                                optional: false,
                                pattern,
                                where_,
                                ..
                            } => {
                                parts.extend(pattern.iter().cloned());
                                if let Some(w) = where_ {
                                    filters.push(w.clone());
                                }
                            }
                            Clause::Return { .. } => {}
                            _ => return Err(bug_at("EXISTS { … } that is not simple", *sp)),
                        }
                    }
                    let filter = filters.into_iter().reduce(|a, b| {
                        Expr::Binary(BinOp::And, Box::new(a), Box::new(b), Span::default())
                    });
                    let m = self.sub_match(&parts, &mut s2, filter.as_ref())?;
                    CExpr::Exists(b_match(m))
                }
            },
            Expr::MapProj(v, items) => {
                let base = self.var(v, scope)?;
                let mut out = Vec::new();
                for it in items {
                    out.push(match it {
                        MapProjItem::All => MapProjC::All,
                        MapProjItem::Prop(p) => MapProjC::Prop(self.key(p)),
                        MapProjItem::Entry(k, e) => {
                            MapProjC::Entry(k.clone(), self.expr(e, scope)?)
                        }
                        MapProjItem::Var(x) => MapProjC::Entry(x.name.clone(), self.var(x, scope)?),
                    });
                }
                CExpr::MapProj(b(base), out)
            }
        })
    }

    /// A WHERE condition: an expression that is not statically a node,
    /// relationship or path (those are never true or false).
    fn predicate(&mut self, w: &Expr, scope: &Scope) -> Res<CExpr> {
        let c = self.expr(w, scope)?;
        if ckind(&c, scope).is_graph() {
            return Err(compile_err(
                "SyntaxError",
                "InvalidArgumentType",
                "WHERE needs a boolean condition, not a node, relationship or path",
                span_of(w),
            ));
        }
        Ok(c)
    }

    fn check_pattern_expr_vars(&self, part: &PatternPart, scope: &Scope) -> Res<()> {
        let nodes = std::iter::once(&part.start).chain(part.chain.iter().map(|c| &c.1));
        for n in nodes {
            if let Some(v) = &n.var
                && scope.get(&v.name).is_none()
            {
                return Err(sem(
                    "UndefinedVariable",
                    format!("variable `{}` not defined", v.name),
                    v.span,
                ));
            }
        }
        for (r, _) in &part.chain {
            if let Some(v) = &r.var
                && scope.get(&v.name).is_none()
            {
                return Err(sem(
                    "UndefinedVariable",
                    format!("variable `{}` not defined", v.name),
                    v.span,
                ));
            }
        }
        Ok(())
    }

    fn sub_match(
        &mut self,
        parts: &[PatternPart],
        scope: &mut Scope,
        w: Option<&Expr>,
    ) -> Res<MatchPlan> {
        let mode = std::mem::replace(&mut self.agg_mode, AggMode::Forbidden);
        let r = self.plan_match(parts, scope, w, false);
        self.agg_mode = mode;
        r
    }

    fn static_arg_check(&self, f: &str, args: &[CExpr], span: Span, scope: &Scope) -> Res<()> {
        let bad = |msg: &str| {
            Err(compile_err(
                "SyntaxError",
                "InvalidArgumentType",
                msg.to_string(),
                span,
            ))
        };
        if let Some(a) = args.first() {
            let k = ckind(a, scope);
            let wrong = match f {
                "labels" => k != Kind::Node,
                "type" | "startnode" | "endnode" => k != Kind::Rel,
                "length" | "nodes" | "relationships" => k != Kind::Path,
                "size" => k.is_graph(),
                "properties" => !matches!(k, Kind::Node | Kind::Rel | Kind::Map | Kind::Any),
                _ => false,
            };
            if wrong && k != Kind::Any {
                return bad("invalid argument type");
            }
        }
        let Some(CExpr::Const(v)) = args.first() else {
            return Ok(());
        };
        match f {
            "tointeger" | "tofloat" | "toboolean" | "tostring"
                if matches!(v, Value::List(_) | Value::Map(_)) =>
            {
                bad("invalid argument type for a conversion")
            }
            "toboolean" if matches!(v, Value::Float(_)) => bad("toBoolean() of a float"),
            "size"
                if matches!(
                    v,
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Map(_)
                ) =>
            {
                bad("size() of a non-list")
            }
            "labels" | "type" | "nodes" | "relationships" | "length" | "startnode" | "endnode"
                if !matches!(v, Value::Null) =>
            {
                bad("invalid argument type")
            }
            _ => Ok(()),
        }
    }

    fn aggregate(
        &mut self,
        func: &'static str,
        distinct: bool,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Res<CExpr> {
        match self.agg_mode {
            AggMode::Forbidden => {
                return Err(sem(
                    "InvalidAggregation",
                    "aggregation is not allowed here",
                    span,
                ));
            }
            AggMode::Inside => {
                return Err(sem(
                    "NestedAggregation",
                    "aggregations cannot be nested",
                    span,
                ));
            }
            AggMode::Allowed => {}
        }
        if let Some(sp) = args.iter().find_map(random_call) {
            return Err(sem(
                "NonConstantExpression",
                "an aggregation cannot take a random value (rand()): its result would change from run to run",
                sp,
            ));
        }
        self.agg_mode = AggMode::Inside;
        let r = (|| {
            let arg = match args.first() {
                Some(a) => Some(self.expr(a, scope)?),
                None => None,
            };
            let arg2 = match args.get(1) {
                Some(a) => Some(self.expr(a, scope)?),
                None => None,
            };
            Ok::<_, QueryError>((arg, arg2))
        })();
        self.agg_mode = AggMode::Allowed;
        let (arg, arg2) = r?;
        let slot = self.slot();
        self.aggs.push(AggSpec {
            func,
            distinct,
            arg,
            arg2,
            slot,
        });
        Ok(CExpr::Slot(slot))
    }
}

/// The span of the first `rand()` call in `e`.
fn random_call(e: &Expr) -> Option<Span> {
    match e {
        Expr::Func { name, span, .. } if name.eq_ignore_ascii_case("rand") => Some(*span),
        _ => e.children().into_iter().find_map(random_call),
    }
}

/// `EXISTS { MATCH … [WHERE …] … [RETURN …] }` with no other clauses (a
/// simple RETURN), no UNION and no writes: planned as one match.
fn simple_exists(q: &RegularQuery) -> bool {
    q.unions.is_empty()
        && q.first.clauses.iter().all(|c| match c {
            Clause::Match { optional, .. } => !optional,
            Clause::Return { body, .. } => {
                !body.distinct
                    && body.order.is_empty()
                    && body.skip.is_none()
                    && body.limit.is_none()
                    && !body.items.iter().any(|it| contains_agg(&it.expr))
            }
            _ => false,
        })
}

fn bug_at(what: &str, span: Span) -> QueryError {
    compile_err(
        "InternalError",
        "Planner",
        format!("the planner met {what} (a bug)"),
        span,
    )
}

fn b_match(m: MatchPlan) -> Box<MatchPlan> {
    Box::new(m)
}

/// Replaces the sub-expressions of `e` that are projected items by the
/// items' names (so that `ORDER BY n.x + count(*)` can use the projected
/// `count(*)`).
fn subst_projected(e: &Expr, items: &[(String, Expr, Span)]) -> Expr {
    let simple = match e {
        Expr::Var(_) | Expr::CountStar(_) => true,
        Expr::Prop(x, _) => matches!(**x, Expr::Var(_)),
        Expr::Func { name, .. } => is_aggregate(&name.to_ascii_lowercase()),
        _ => false,
    };
    if let Some(it) = items.iter().find(|it| simple && &it.1 == e) {
        return Expr::Var(Var {
            name: it.0.clone(),
            span: span_of(e),
        });
    }
    let s = |x: &Expr| Box::new(subst_projected(x, items));
    match e {
        Expr::Binary(op, x, y, sp) => Expr::Binary(*op, s(x), s(y), *sp),
        Expr::Unary(op, x) => Expr::Unary(*op, s(x)),
        Expr::Prop(x, k) => Expr::Prop(s(x), k.clone()),
        Expr::Index(x, i) => Expr::Index(s(x), s(i)),
        Expr::IsNull(x, n) => Expr::IsNull(s(x), *n),
        Expr::List(l) => Expr::List(l.iter().map(|x| subst_projected(x, items)).collect()),
        Expr::Func {
            name,
            distinct,
            args,
            span,
        } if !is_aggregate(&name.to_ascii_lowercase()) => Expr::Func {
            name: name.clone(),
            distinct: *distinct,
            args: args.iter().map(|x| subst_projected(x, items)).collect(),
            span: *span,
        },
        other => other.clone(),
    }
}

/// In a projection item that aggregates, the first variable outside the
/// aggregation that is not a grouping key (nor a property of one).
fn ambiguous_in_aggregation(e: &Expr, keys: &[&Expr]) -> Option<Span> {
    if matches!(e, Expr::Prop(x, _) if matches!(**x, Expr::Var(_))) && keys.contains(&e) {
        return None;
    }
    match e {
        Expr::Func { name, .. } if is_aggregate(&name.to_ascii_lowercase()) => None,
        Expr::CountStar(_) => None,
        Expr::Var(v) => {
            let ok = keys
                .iter()
                .any(|k| matches!(k, Expr::Var(kv) if kv.name == v.name));
            (!ok).then_some(v.span)
        }
        Expr::Prop(x, _) if matches!(**x, Expr::Var(_)) => ambiguous_in_aggregation(x, keys),
        // local variables: not checked
        Expr::ListComp { .. }
        | Expr::Quantifier { .. }
        | Expr::Reduce { .. }
        | Expr::PatternComp { .. }
        | Expr::Pattern(_)
        | Expr::Exists(..)
        | Expr::MapProj(..) => None,
        _ => e
            .children()
            .into_iter()
            .find_map(|c| ambiguous_in_aggregation(c, keys)),
    }
}

/// In a projection that aggregates, an ORDER BY item with an aggregation
/// that uses a variable which is neither projected nor a grouping key by
/// itself, but is part of a grouping-key expression (`RETURN a.x + b.y,
/// count(*) ORDER BY a.x + b.y + count(*)`): the variable's span.
fn ambiguous_order(p: &Projection, scope: &Scope) -> Option<Span> {
    if !p.items.iter().any(|it| contains_agg(&it.expr)) {
        return None;
    }
    let projected = |name: &str| {
        (p.star && scope.get(name).is_some())
            || p.items.iter().any(|it| match (&it.alias, &it.expr) {
                (Some(a), _) => a.name == name,
                (None, Expr::Var(v)) => v.name == name,
                _ => false,
            })
    };
    let keys: Vec<&Expr> = p
        .items
        .iter()
        .map(|it| &it.expr)
        .filter(|e| !contains_agg(e))
        .collect();
    fn walk(e: &Expr, keys: &[&Expr], projected: &dyn Fn(&str) -> bool) -> Option<Span> {
        if keys.iter().any(|k| {
            *k == e
                && (matches!(e, Expr::Var(_))
                    || matches!(e, Expr::Prop(x, _) if matches!(**x, Expr::Var(_))))
        }) {
            return None;
        }
        match e {
            Expr::Func { name, .. } if is_aggregate(&name.to_ascii_lowercase()) => None,
            Expr::CountStar(_) => None,
            Expr::Var(v) => {
                let in_key = keys.iter().any(|k| mentions(k, &v.name));
                (!projected(&v.name) && in_key).then_some(v.span)
            }
            Expr::ListComp { .. }
            | Expr::Quantifier { .. }
            | Expr::Reduce { .. }
            | Expr::PatternComp { .. }
            | Expr::Pattern(_)
            | Expr::Exists(..)
            | Expr::MapProj(..) => None,
            _ => e
                .children()
                .into_iter()
                .find_map(|c| walk(c, keys, projected)),
        }
    }
    fn mentions(e: &Expr, name: &str) -> bool {
        match e {
            Expr::Var(v) => v.name == name,
            _ => e.children().into_iter().any(|c| mentions(c, name)),
        }
    }
    p.order
        .iter()
        .filter(|(e, _)| contains_agg(e))
        .find_map(|(e, _)| walk(e, &keys, &projected))
}

/// The first variable of `e` (outside local scopes and aggregations'
/// insides are included) that `scope` does not define.
fn first_undefined<'e>(e: &'e Expr, scope: &Scope) -> Option<&'e Var> {
    match e {
        Expr::Var(v) => scope.get(&v.name).is_none().then_some(v),
        Expr::ListComp { .. }
        | Expr::Quantifier { .. }
        | Expr::Reduce { .. }
        | Expr::PatternComp { .. }
        | Expr::Pattern(_)
        | Expr::Exists(..) => None,
        _ => e
            .children()
            .into_iter()
            .find_map(|c| first_undefined(c, scope)),
    }
}

/// Rejects a pattern expression used as a value (see [`Expr::pattern_as_value`]).
fn no_pattern_value(e: &Expr, predicate: bool) -> Res<()> {
    match e.pattern_as_value(predicate) {
        Some(sp) => Err(compile_err(
            "SyntaxError",
            "UnexpectedSyntax",
            "a pattern expression can only be used as a predicate (in WHERE or exists())",
            sp,
        )),
        None => Ok(()),
    }
}

fn fold_list(items: Vec<CExpr>) -> CExpr {
    if items.iter().all(|i| matches!(i, CExpr::Const(_))) {
        CExpr::Const(Value::List(
            items
                .into_iter()
                .map(|i| match i {
                    CExpr::Const(v) => v,
                    _ => Value::Null,
                })
                .collect(),
        ))
    } else {
        CExpr::List(items)
    }
}

fn contains_agg(e: &Expr) -> bool {
    match e {
        Expr::CountStar(_) => true,
        Expr::Func { name, .. } if is_aggregate(&name.to_ascii_lowercase()) => true,
        _ => e.children().into_iter().any(contains_agg),
    }
}

/// The span of an expression when it has one.
pub fn span_of(e: &Expr) -> Span {
    match e {
        Expr::Var(v) => v.span,
        Expr::Param(_, s) | Expr::Binary(_, _, _, s) | Expr::CountStar(s) | Expr::Exists(_, s) => {
            *s
        }
        Expr::Func { span, .. } => *span,
        Expr::Prop(x, _) | Expr::Index(x, _) | Expr::HasLabels(x, _) | Expr::Unary(_, x) => {
            span_of(x)
        }
        _ => Span::default(),
    }
}

/// Checks a SKIP / LIMIT value.
pub fn check_count(v: &Value, what: &str) -> Result<i64, QueryError> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i),
        Value::Int(_) => Err(super::eval::rt(
            "ArgumentError",
            "NegativeIntegerArgument",
            format!("{what} must not be negative"),
        )),
        _ => Err(super::eval::rt(
            "ArgumentError",
            "InvalidArgumentType",
            format!("{what} must be an integer"),
        )),
    }
}

/// MERGE plans its match and its create separately; make the create write
/// the slots the match binds.
fn remap_create(mut cp: CreatePlan, from: &Scope, to: &Scope) -> CreatePlan {
    let map = |s: usize| -> usize {
        for (name, slot, _) in &from.vars {
            if *slot == s
                && let Some((t, _)) = to.get(name)
            {
                return t;
            }
        }
        s
    };
    for n in &mut cp.nodes {
        n.slot = map(n.slot);
    }
    for r in &mut cp.rels {
        r.slot = map(r.slot);
        r.from = map(r.from);
        r.to = map(r.to);
    }
    for p in &mut cp.paths {
        p.slot = map(p.slot);
        p.start = map(p.start);
        for s in &mut p.segs {
            s.0 = map(s.0);
        }
    }
    cp
}

// ------------------------------------------------------------ EXPLAIN

pub fn describe(plan: &Plan, g: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (i, b) in plan.branches.iter().enumerate() {
        if i > 0 {
            out.push(if plan.union_all[i - 1] {
                "UnionAll".into()
            } else {
                "Union".into()
            });
        }
        for op in &b.ops {
            out.push(describe_op(op, g));
        }
        let cols: Vec<_> = b.columns.iter().map(|c| c.0.as_str()).collect();
        if !cols.is_empty() {
            out.push(format!("ProduceResults [{}]", cols.join(", ")));
        }
    }
    out
}

pub fn describe_op(op: &Op, g: &Graph) -> String {
    let sym = |s: &Option<Symbol>| s.map_or("?".to_string(), |s| g.name_of(s).to_string());
    match op {
        Op::Match { m, optional } => {
            let mut s = String::from(if *optional { "OptionalMatch" } else { "Match" });
            for st in &m.steps {
                match st {
                    Step::Scan { slot, source, .. } => {
                        let _ = match source {
                            Source::All => write!(s, " -> AllNodesScan(#{slot})"),
                            Source::Label(l) => {
                                write!(s, " -> NodeByLabelScan(#{slot}:{})", sym(l))
                            }
                            Source::Name(n) => write!(s, " -> NodeByNameSeek(#{slot} '{n}')"),
                        };
                    }
                    Step::Check { slot, .. } => {
                        let _ = write!(s, " -> Filter(#{slot})");
                    }
                    Step::Expand(e) => {
                        let kind = if e.var.is_some() {
                            "VarLengthExpand"
                        } else {
                            "Expand"
                        };
                        let into = if e.to_bound { "Into" } else { "" };
                        let _ = write!(s, " -> {kind}{into}(#{} -[#{}]- #{})", e.from, e.rel, e.to);
                    }
                    Step::Shortest { spec, .. } => {
                        let _ = write!(s, " -> ShortestPath(#{} .. #{})", spec.from, spec.to);
                    }
                }
            }
            if m.filter.is_some() {
                s.push_str(" -> Filter");
            }
            s
        }
        Op::Unwind { slot, .. } => format!("Unwind(#{slot})"),
        Op::Call { proc, .. } => format!("Call({})", proc.signature().name),
        Op::Filter(_) => "Filter".into(),
        Op::Project(items) => format!("Project({} columns)", items.len()),
        Op::Aggregate { keys, aggs, .. } => {
            let fs: Vec<_> = aggs.iter().map(|a| a.func).collect();
            format!("Aggregate(keys: {}, {})", keys.len(), fs.join(", "))
        }
        Op::Distinct(_) => "Distinct".into(),
        Op::Sort(k) => format!("Sort({} keys)", k.len()),
        Op::Skip(_) => "Skip".into(),
        Op::Limit(_) => "Limit".into(),
        Op::Create(c) => format!(
            "Create({} nodes, {} relationships)",
            c.nodes.len(),
            c.rels.len()
        ),
        Op::Merge { .. } => "Merge".into(),
        Op::Set(s) => format!("SetOrRemove({} items)", s.len()),
        Op::Delete { detach, .. } => (if *detach { "DetachDelete" } else { "Delete" }).into(),
        Op::Subquery(sp) => {
            let branches: Vec<String> = sp
                .branches
                .iter()
                .map(|b| {
                    b.ops
                        .iter()
                        .map(|o| describe_op(o, g))
                        .collect::<Vec<_>>()
                        .join(" → ")
                })
                .collect();
            let kind = if sp.outs.is_empty() { "Unit" } else { "" };
            format!(
                "{kind}CallSubquery {{ {} }}",
                branches.join(if sp.distinct {
                    " | Union | "
                } else {
                    " | UnionAll | "
                })
            )
        }
    }
}
