//! The typed syntax tree of a query. Knows nothing of pest, the store or
//! execution. Every node prints (`Display`) as query text that parses back
//! to an equal tree (spans are ignored by equality).

use std::fmt::{self, Display, Formatter};

/// A byte range in the query text. Always equal to any other span, so that
/// trees compare by structure only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span(pub usize, pub usize);

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub explain: Option<Explain>,
    pub body: RegularQuery,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Explain {
    Explain,
    Profile,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegularQuery {
    pub first: SingleQuery,
    /// `(all, query)` for each `UNION [ALL]`.
    pub unions: Vec<(bool, SingleQuery, Span)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match {
        optional: bool,
        pattern: Vec<PatternPart>,
        where_: Option<Expr>,
        span: Span,
    },
    Unwind {
        expr: Expr,
        var: Var,
    },
    With {
        body: Projection,
        where_: Option<Expr>,
        span: Span,
    },
    Return {
        body: Projection,
        span: Span,
    },
    Create {
        pattern: Vec<PatternPart>,
        span: Span,
    },
    Merge {
        part: PatternPart,
        on_match: Vec<SetItem>,
        on_create: Vec<SetItem>,
        span: Span,
    },
    Set {
        items: Vec<SetItem>,
    },
    Remove {
        items: Vec<RemoveItem>,
    },
    Delete {
        detach: bool,
        exprs: Vec<Expr>,
    },
    /// `CALL ns.name(args) [YIELD …]`; `args` is `None` without parentheses
    /// (arguments taken from the parameters of the same names).
    Call {
        name: String,
        args: Option<Vec<Expr>>,
        yields: Option<Yield>,
        span: Span,
    },
    /// `CALL [(vars)] { query }`: a subquery run once per incoming row.
    /// `imports` is the scope clause (`None`: the variables come in through
    /// the subquery's first `WITH`, if it only names outer variables).
    Subquery {
        imports: Option<Imports>,
        body: RegularQuery,
        span: Span,
    },
}

/// The variables `CALL (a, b) { … }` brings into its subquery; `(*)` all.
#[derive(Clone, Debug, PartialEq)]
pub struct Imports {
    pub star: bool,
    pub vars: Vec<Var>,
}

/// What a `CALL` yields: `*`, or outputs with optional new names, and a
/// filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Yield {
    pub star: bool,
    /// (output, variable)
    pub items: Vec<(String, Var)>,
    pub where_: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    pub star: bool,
    pub items: Vec<ProjItem>,
    pub order: Vec<(Expr, bool)>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjItem {
    pub expr: Expr,
    pub alias: Option<Var>,
    /// The item's text in the query (its column name when there is no alias).
    pub text: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    Prop { target: Expr, value: Expr },
    Replace { var: Var, value: Expr },
    Merge { var: Var, value: Expr },
    Labels { var: Var, labels: Vec<String> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    Prop(Expr),
    Labels { var: Var, labels: Vec<String> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    pub var: Option<Var>,
    pub shortest: Option<bool>, // Some(false) shortestPath, Some(true) allShortestPaths
    pub start: NodePat,
    pub chain: Vec<(RelPat, NodePat)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePat {
    pub var: Option<Var>,
    pub labels: Vec<String>,
    pub props: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Right,
    Left,
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPat {
    pub var: Option<Var>,
    pub types: Vec<String>,
    /// `*`: `Some((min, max))`.
    pub range: Option<(Option<u64>, Option<u64>)>,
    pub props: Option<Expr>,
    pub dir: Dir,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    StartsWith,
    EndsWith,
    Contains,
    In,
    Regex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
    Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjItem {
    All,
    Prop(String),
    Entry(String, Expr),
    Var(Var),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Lit(Literal),
    Param(String, Span),
    Var(Var),
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    HasLabels(Box<Expr>, Vec<String>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>, Span),
    IsNull(Box<Expr>, bool),
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    Func {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
        span: Span,
    },
    CountStar(Span),
    ListComp {
        var: Var,
        list: Box<Expr>,
        pred: Option<Box<Expr>>,
        proj: Option<Box<Expr>>,
    },
    Quantifier {
        kind: Quant,
        var: Var,
        list: Box<Expr>,
        pred: Option<Box<Expr>>,
    },
    Reduce {
        acc: Var,
        init: Box<Expr>,
        var: Var,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    PatternComp {
        part: Box<PatternPart>,
        pred: Option<Box<Expr>>,
        proj: Box<Expr>,
    },
    Pattern(Box<PatternPart>),
    Exists(Box<ExistsBody>, Span),
    MapProj(Var, Vec<MapProjItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExistsBody {
    Pattern(Vec<PatternPart>, Option<Expr>),
    Query(RegularQuery),
}

// ---------------------------------------------------------------- Display

fn name(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain && !is_reserved(s) {
        f.write_str(s)
    } else {
        write!(f, "`{}`", s.replace('`', "``"))
    }
}

/// The query language's reserved words (upper case): never a name.
pub const RESERVED_WORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "AS",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "ON",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "ASCENDING",
    "ASC",
    "DESCENDING",
    "DESC",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "UNION",
    "DISTINCT",
    "CALL",
    "YIELD",
];

fn is_reserved(s: &str) -> bool {
    RESERVED_WORDS.iter().any(|r| r.eq_ignore_ascii_case(s))
}

struct Name<'a>(&'a str);
impl Display for Name<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        name(f, self.0)
    }
}

fn comma<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.explain {
            Some(Explain::Explain) => f.write_str("EXPLAIN ")?,
            Some(Explain::Profile) => f.write_str("PROFILE ")?,
            None => {}
        }
        write!(f, "{}", self.body)
    }
}

impl Display for RegularQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (all, q, _) in &self.unions {
            write!(f, " UNION {}{q}", if *all { "ALL " } else { "" })?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, c) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl Display for Var {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        name(f, &self.name)
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match {
                optional,
                pattern,
                where_,
                ..
            } => {
                if *optional {
                    f.write_str("OPTIONAL ")?;
                }
                f.write_str("MATCH ")?;
                comma(f, pattern)?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Clause::Unwind { expr, var } => write!(f, "UNWIND {expr} AS {var}"),
            Clause::With { body, where_, .. } => {
                write!(f, "WITH {body}")?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Clause::Return { body, .. } => write!(f, "RETURN {body}"),
            Clause::Create { pattern, .. } => {
                f.write_str("CREATE ")?;
                comma(f, pattern)
            }
            Clause::Merge {
                part,
                on_match,
                on_create,
                ..
            } => {
                write!(f, "MERGE {part}")?;
                if !on_match.is_empty() {
                    f.write_str(" ON MATCH SET ")?;
                    comma(f, on_match)?;
                }
                if !on_create.is_empty() {
                    f.write_str(" ON CREATE SET ")?;
                    comma(f, on_create)?;
                }
                Ok(())
            }
            Clause::Set { items } => {
                f.write_str("SET ")?;
                comma(f, items)
            }
            Clause::Remove { items } => {
                f.write_str("REMOVE ")?;
                comma(f, items)
            }
            Clause::Delete { detach, exprs } => {
                if *detach {
                    f.write_str("DETACH ")?;
                }
                f.write_str("DELETE ")?;
                comma(f, exprs)
            }
            Clause::Call {
                name: n,
                args,
                yields,
                ..
            } => {
                f.write_str("CALL ")?;
                for (i, part) in n.split('.').enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    name(f, part)?;
                }
                if let Some(a) = args {
                    f.write_str("(")?;
                    comma(f, a)?;
                    f.write_str(")")?;
                }
                if let Some(y) = yields {
                    f.write_str(" YIELD ")?;
                    if y.star {
                        f.write_str("*")?;
                    }
                    for (i, (out, var)) in y.items.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        name(f, out)?;
                        if *out != var.name {
                            write!(f, " AS {var}")?;
                        }
                    }
                    if let Some(w) = &y.where_ {
                        write!(f, " WHERE {w}")?;
                    }
                }
                Ok(())
            }
            Clause::Subquery { imports, body, .. } => {
                f.write_str("CALL ")?;
                if let Some(im) = imports {
                    f.write_str("(")?;
                    if im.star {
                        f.write_str("*")?;
                    }
                    comma(f, &im.vars)?;
                    f.write_str(") ")?;
                }
                write!(f, "{{ {body} }}")
            }
        }
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_str("*")?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        comma(f, &self.items)?;
        if !self.order.is_empty() {
            f.write_str(" ORDER BY ")?;
            for (i, (e, asc)) in self.order.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{e}{}", if *asc { "" } else { " DESC" })?;
            }
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        Ok(())
    }
}

impl Display for ProjItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(a) = &self.alias {
            write!(f, " AS {a}")?;
        }
        Ok(())
    }
}

fn labels(f: &mut Formatter<'_>, ls: &[String]) -> fmt::Result {
    for l in ls {
        f.write_str(":")?;
        name(f, l)?;
    }
    Ok(())
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Prop { target, value } => write!(f, "{target} = {value}"),
            SetItem::Replace { var, value } => write!(f, "{var} = {value}"),
            SetItem::Merge { var, value } => write!(f, "{var} += {value}"),
            SetItem::Labels { var, labels: ls } => {
                write!(f, "{var}")?;
                labels(f, ls)
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Prop(e) => write!(f, "{e}"),
            RemoveItem::Labels { var, labels: ls } => {
                write!(f, "{var}")?;
                labels(f, ls)
            }
        }
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write!(f, "{v} = ")?;
        }
        match self.shortest {
            Some(false) => f.write_str("shortestPath(")?,
            Some(true) => f.write_str("allShortestPaths(")?,
            None => {}
        }
        write!(f, "{}", self.start)?;
        for (r, n) in &self.chain {
            write!(f, "{r}{n}")?;
        }
        if self.shortest.is_some() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl Display for NodePat {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.var {
            write!(f, "{v}")?;
        }
        labels(f, &self.labels)?;
        if let Some(p) = &self.props {
            write!(f, " {p}")?;
        }
        f.write_str(")")
    }
}

impl Display for RelPat {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.dir == Dir::Left { "<-[" } else { "-[" })?;
        if let Some(v) = &self.var {
            write!(f, "{v}")?;
        }
        for (i, t) in self.types.iter().enumerate() {
            f.write_str(if i == 0 { ":" } else { "|" })?;
            name(f, t)?;
        }
        if let Some((lo, hi)) = &self.range {
            f.write_str("*")?;
            match (lo, hi) {
                (Some(a), Some(b)) if a == b => write!(f, "{a}..{b}")?,
                (lo, hi) => {
                    if lo.is_none() && hi.is_none() {
                    } else {
                        if let Some(a) = lo {
                            write!(f, "{a}")?;
                        }
                        f.write_str("..")?;
                        if let Some(b) = hi {
                            write!(f, "{b}")?;
                        }
                    }
                }
            }
        }
        if let Some(p) = &self.props {
            write!(f, " {p}")?;
        }
        f.write_str(if self.dir == Dir::Right { "]->" } else { "]-" })
    }
}

impl Display for BinOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::StartsWith => "STARTS WITH",
            BinOp::EndsWith => "ENDS WITH",
            BinOp::Contains => "CONTAINS",
            BinOp::In => "IN",
            BinOp::Regex => "=~",
        })
    }
}

fn string_lit(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => {
                if *i < 0 {
                    // i64::MIN has no positive literal
                    write!(f, "-{}", i.unsigned_abs())
                } else {
                    write!(f, "{i}")
                }
            }
            Literal::Float(x) => {
                if x.is_finite() {
                    write!(f, "{x:?}")
                } else if x.is_nan() {
                    f.write_str("(0.0 / 0.0)")
                } else if *x > 0.0 {
                    f.write_str("(1.0 / 0.0)")
                } else {
                    f.write_str("(-1.0 / 0.0)")
                }
            }
            Literal::Str(s) => string_lit(f, s),
        }
    }
}

impl Display for MapProjItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MapProjItem::All => f.write_str(".*"),
            MapProjItem::Prop(p) => write!(f, ".{}", Name(p)),
            MapProjItem::Entry(k, e) => write!(f, "{}: {e}", Name(k)),
            MapProjItem::Var(v) => write!(f, "{v}"),
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Lit(l) => write!(f, "{l}"),
            Expr::Param(p, _) => {
                f.write_str("$")?;
                if p.chars().all(|c| c.is_ascii_digit()) {
                    f.write_str(p)
                } else {
                    name(f, p)
                }
            }
            Expr::Var(v) => write!(f, "{v}"),
            Expr::List(l) => {
                f.write_str("[")?;
                comma(f, l)?;
                f.write_str("]")
            }
            Expr::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {v}", Name(k))?;
                }
                f.write_str("}")
            }
            Expr::Prop(e, k) => write!(f, "{}.{}", Atom(e), Name(k)),
            Expr::Index(e, i) => write!(f, "{}[{i}]", Atom(e)),
            Expr::Slice(e, a, b) => {
                write!(f, "{}[", Atom(e))?;
                if let Some(a) = a {
                    write!(f, "{a}")?;
                }
                f.write_str("..")?;
                if let Some(b) = b {
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
            Expr::HasLabels(e, ls) => {
                write!(f, "{}", Atom(e))?;
                labels(f, ls)
            }
            Expr::Unary(op, e) => match op {
                UnOp::Not => write!(f, "(NOT {e})"),
                UnOp::Neg => write!(f, "(-{})", Atom(e)),
                UnOp::Pos => write!(f, "(+{})", Atom(e)),
            },
            Expr::Binary(op, a, b, _) => write!(f, "({a} {op} {b})"),
            Expr::IsNull(e, neg) => {
                write!(f, "({e} IS {}NULL)", if *neg { "NOT " } else { "" })
            }
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_ {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            Expr::Func {
                name: n,
                distinct,
                args,
                ..
            } => {
                for (i, part) in n.split('.').enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    name(f, part)?;
                }
                f.write_str("(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma(f, args)?;
                f.write_str(")")
            }
            Expr::CountStar(_) => f.write_str("count(*)"),
            Expr::ListComp {
                var,
                list,
                pred,
                proj,
            } => {
                write!(f, "[{var} IN {list}")?;
                if let Some(p) = pred {
                    write!(f, " WHERE {p}")?;
                }
                if let Some(p) = proj {
                    write!(f, " | {p}")?;
                }
                f.write_str("]")
            }
            Expr::Quantifier {
                kind,
                var,
                list,
                pred,
            } => {
                let k = match kind {
                    Quant::All => "all",
                    Quant::Any => "any",
                    Quant::None => "none",
                    Quant::Single => "single",
                };
                write!(f, "{k}({var} IN {list}")?;
                if let Some(p) = pred {
                    write!(f, " WHERE {p}")?;
                }
                f.write_str(")")
            }
            Expr::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => write!(f, "reduce({acc} = {init}, {var} IN {list} | {expr})"),
            Expr::PatternComp { part, pred, proj } => {
                write!(f, "[{part}")?;
                if let Some(p) = pred {
                    write!(f, " WHERE {p}")?;
                }
                write!(f, " | {proj}]")
            }
            Expr::Pattern(p) => write!(f, "{p}"),
            Expr::Exists(b, _) => match &**b {
                ExistsBody::Pattern(p, w) => {
                    f.write_str("EXISTS { ")?;
                    comma(f, p)?;
                    if let Some(w) = w {
                        write!(f, " WHERE {w}")?;
                    }
                    f.write_str(" }")
                }
                ExistsBody::Query(q) => write!(f, "EXISTS {{ {q} }}"),
            },
            Expr::MapProj(v, items) => {
                write!(f, "{v}{{")?;
                comma(f, items)?;
                f.write_str("}")
            }
        }
    }
}

/// An expression printed so that a postfix operator can follow it.
struct Atom<'a>(&'a Expr);
impl Display for Atom<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Var(_)
            | Expr::Param(..)
            | Expr::Prop(..)
            | Expr::Index(..)
            | Expr::Slice(..)
            | Expr::Func { .. }
            | Expr::List(_)
            | Expr::Map(_)
            | Expr::CountStar(_)
            | Expr::ListComp { .. }
            | Expr::Quantifier { .. }
            | Expr::Reduce { .. }
            | Expr::PatternComp { .. }
            | Expr::Binary(..)
            | Expr::Unary(..)
            | Expr::IsNull(..)
            | Expr::MapProj(..) => write!(f, "{}", self.0),
            Expr::Lit(Literal::Str(_) | Literal::Bool(_) | Literal::Null) => {
                write!(f, "{}", self.0)
            }
            e => write!(f, "({e})"),
        }
    }
}

impl Expr {
    /// The direct sub-expressions (not those inside patterns or subqueries).
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Lit(_)
            | Expr::Param(..)
            | Expr::Var(_)
            | Expr::CountStar(_)
            | Expr::Pattern(_)
            | Expr::Exists(..) => vec![],
            Expr::List(l) => l.iter().collect(),
            Expr::Map(m) => m.iter().map(|(_, e)| e).collect(),
            Expr::Prop(x, _) | Expr::HasLabels(x, _) | Expr::Unary(_, x) | Expr::IsNull(x, _) => {
                vec![x]
            }
            Expr::Index(x, i) => vec![x, i],
            Expr::Slice(x, lo, hi) => {
                let mut v = vec![&**x];
                v.extend(lo.as_deref());
                v.extend(hi.as_deref());
                v
            }
            Expr::Binary(_, x, y, _) => vec![x, y],
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                let mut v: Vec<&Expr> = operand.as_deref().into_iter().collect();
                for (w, t) in whens {
                    v.push(w);
                    v.push(t);
                }
                v.extend(else_.as_deref());
                v
            }
            Expr::Func { args, .. } => args.iter().collect(),
            Expr::ListComp {
                list, pred, proj, ..
            } => {
                let mut v = vec![&**list];
                v.extend(pred.as_deref());
                v.extend(proj.as_deref());
                v
            }
            Expr::Quantifier { list, pred, .. } => {
                let mut v = vec![&**list];
                v.extend(pred.as_deref());
                v
            }
            Expr::Reduce {
                init, list, expr, ..
            } => vec![init, list, expr],
            Expr::PatternComp { pred, proj, .. } => {
                let mut v: Vec<&Expr> = pred.as_deref().into_iter().collect();
                v.push(proj);
                v
            }
            Expr::MapProj(_, items) => items
                .iter()
                .filter_map(|i| match i {
                    MapProjItem::Entry(_, e) => Some(e),
                    _ => None,
                })
                .collect(),
        }
    }

    /// The first pattern expression used as a value rather than as a
    /// predicate (patterns are predicates: allowed in WHERE, under
    /// NOT/AND/OR/XOR and in `exists()`).
    pub fn pattern_as_value(&self, predicate: bool) -> Option<Span> {
        match self {
            Expr::Pattern(p) if !predicate && p.shortest.is_none() => Some(p.span),
            Expr::Unary(UnOp::Not, x) => x.pattern_as_value(predicate),
            Expr::Binary(BinOp::And | BinOp::Or | BinOp::Xor, x, y, _) => x
                .pattern_as_value(predicate)
                .or_else(|| y.pattern_as_value(predicate)),
            Expr::Func { name, args, .. } if name.eq_ignore_ascii_case("exists") => {
                args.iter().find_map(|a| a.pattern_as_value(true))
            }
            Expr::ListComp {
                list, pred, proj, ..
            } => list
                .pattern_as_value(false)
                .or_else(|| pred.as_ref().and_then(|p| p.pattern_as_value(true)))
                .or_else(|| proj.as_ref().and_then(|p| p.pattern_as_value(false))),
            Expr::Quantifier { list, pred, .. } => list
                .pattern_as_value(false)
                .or_else(|| pred.as_ref().and_then(|p| p.pattern_as_value(true))),
            Expr::PatternComp { pred, proj, .. } => pred
                .as_ref()
                .and_then(|p| p.pattern_as_value(true))
                .or_else(|| proj.pattern_as_value(false)),
            Expr::Case {
                operand,
                whens,
                else_,
            } => operand
                .as_ref()
                .and_then(|o| o.pattern_as_value(false))
                .or_else(|| {
                    whens.iter().find_map(|(w, t)| {
                        w.pattern_as_value(operand.is_none())
                            .or_else(|| t.pattern_as_value(false))
                    })
                })
                .or_else(|| else_.as_ref().and_then(|e| e.pattern_as_value(false))),
            _ => self
                .children()
                .into_iter()
                .find_map(|c| c.pattern_as_value(false)),
        }
    }
}
