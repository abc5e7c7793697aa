//! TCK values: the notation of expected-result and parameter tables, and a
//! structural comparison with what the engine returned.
//!
//! Expected cells are parsed from text; actual engine values are converted
//! structurally from [`Value`] (looking nodes and relationships up in the
//! graph), so both sides meet as [`TVal`]. Graph elements compare by labels
//! (unordered) or type plus properties, never by identity; maps compare
//! unordered by key; floats with a small relative tolerance (printed
//! precision) but with their sign of zero; integers never equal floats.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use newsgraph::query::Value;
use newsgraph::store::Graph;

#[derive(Clone, Debug, PartialEq)]
pub struct TNode {
    pub labels: BTreeSet<String>,
    pub props: BTreeMap<String, TVal>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TRel {
    pub typ: String,
    pub props: BTreeMap<String, TVal>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<TVal>),
    Map(BTreeMap<String, TVal>),
    Node(Box<TNode>),
    Rel(Box<TRel>),
    /// Start node, then (relationship, forward?, next node) steps.
    Path(Box<TNode>, Vec<(TRel, bool, TNode)>),
}

// ---------------------------------------------------------------- parsing

struct P<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

/// Parses one value in TCK notation; the whole text must be consumed.
pub fn parse(text: &str) -> Result<TVal, String> {
    let mut p = P {
        s: text.as_bytes(),
        src: text,
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing text"));
    }
    Ok(v)
}

impl P<'_> {
    fn err(&self, what: &str) -> String {
        let rest: String = self.src[self.i.min(self.src.len())..]
            .chars()
            .take(30)
            .collect();
        format!(
            "{what} at byte {} (near `{rest}`) in `{}`",
            self.i,
            short(self.src, 120)
        )
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, lit: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, lit: &str) -> Result<(), String> {
        if self.eat(lit) {
            Ok(())
        } else {
            Err(self.err(&format!("expected `{lit}`")))
        }
    }
    fn word(&self, w: &str) -> bool {
        self.s[self.i..].starts_with(w.as_bytes())
            && !self
                .s
                .get(self.i + w.len())
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    }

    fn value(&mut self) -> Result<TVal, String> {
        self.ws();
        let Some(c) = self.peek() else {
            return Err(self.err("expected a value"));
        };
        for (w, v) in [
            ("null", TVal::Null),
            ("true", TVal::Bool(true)),
            ("false", TVal::Bool(false)),
            ("NaN", TVal::Float(f64::NAN)),
            ("Infinity", TVal::Float(f64::INFINITY)),
            ("Inf", TVal::Float(f64::INFINITY)),
            ("-Infinity", TVal::Float(f64::NEG_INFINITY)),
            ("-Inf", TVal::Float(f64::NEG_INFINITY)),
        ] {
            if self.word(w) {
                self.i += w.len();
                return Ok(v);
            }
        }
        match c {
            b'\'' | b'"' => Ok(TVal::Str(self.string()?)),
            b'-' | b'+' | b'.' | b'0'..=b'9' => self.number(),
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b':') {
                    let r = self.rel_body()?;
                    return Ok(TVal::Rel(Box::new(r)));
                }
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(TVal::List(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(",") {
                        continue;
                    }
                    self.expect("]")?;
                    return Ok(TVal::List(items));
                }
            }
            b'{' => Ok(TVal::Map(self.map()?)),
            b'(' => Ok(TVal::Node(Box::new(self.node()?))),
            b'<' => self.path(),
            _ => Err(self.err("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let q = self.s[self.i];
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        let rest = &self.src[self.i..];
        let mut it = rest.char_indices();
        while let Some((off, c)) = it.next() {
            if c as u32 == q as u32 {
                self.i += off + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = it.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                '0' => out.push('\0'),
                'u' | 'U' => {
                    let n = if e == 'u' { 4 } else { 8 };
                    let hex: String = it.by_ref().take(n).map(|(_, c)| c).collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("bad unicode escape \\{e}{hex}"))?;
                    out.push(ch);
                }
                o => out.push(o), // \' \" \\ \/ and anything else
            }
        }
        self.i = start;
        Err(self.err("unterminated string"))
    }

    fn number(&mut self) -> Result<TVal, String> {
        let start = self.i;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.i += 1;
        }
        for (w, x) in [
            ("Infinity", f64::INFINITY),
            ("Inf", f64::INFINITY),
            ("NaN", f64::NAN),
        ] {
            if self.word(w) {
                self.i += w.len();
                let neg = self.s[start] == b'-';
                return Ok(TVal::Float(if neg { -x } else { x }));
            }
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => {}
                b'.' => float = true,
                b'e' | b'E' => {
                    float = true;
                    if matches!(self.s.get(self.i + 1), Some(b'-' | b'+')) {
                        self.i += 1;
                    }
                }
                _ => break,
            }
            self.i += 1;
        }
        let text = &self.src[start..self.i];
        if float {
            text.parse::<f64>()
                .map(TVal::Float)
                .map_err(|_| self.err("bad float"))
        } else {
            text.parse::<i64>()
                .map(TVal::Int)
                .map_err(|_| self.err("bad integer"))
        }
    }

    fn name(&mut self) -> Result<String, String> {
        self.ws();
        if self.peek() == Some(b'`') {
            self.i += 1;
            let rest = &self.src[self.i..];
            let end = rest
                .find('`')
                .ok_or_else(|| self.err("unterminated `name`"))?;
            self.i += end + 1;
            return Ok(rest[..end].to_string());
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        if start == self.i {
            return Err(self.err("expected a name"));
        }
        Ok(self.src[start..self.i].to_string())
    }

    fn map(&mut self) -> Result<BTreeMap<String, TVal>, String> {
        self.expect("{")?;
        let mut m = BTreeMap::new();
        if self.eat("}") {
            return Ok(m);
        }
        loop {
            self.ws();
            let k = if self.peek() == Some(b'`') {
                self.name()?
            } else {
                // Keys may be any text up to the colon (the engine prints
                // keys bare).
                let rest = &self.src[self.i..];
                let end = rest
                    .find(':')
                    .ok_or_else(|| self.err("expected `:` in map"))?;
                self.i += end;
                rest[..end].trim().to_string()
            };
            self.expect(":")?;
            let v = self.value()?;
            m.insert(k, v);
            if self.eat(",") {
                continue;
            }
            self.expect("}")?;
            return Ok(m);
        }
    }

    fn props(&mut self) -> Result<BTreeMap<String, TVal>, String> {
        self.ws();
        if self.peek() == Some(b'{') {
            self.map()
        } else {
            Ok(BTreeMap::new())
        }
    }

    fn node(&mut self) -> Result<TNode, String> {
        self.expect("(")?;
        let mut labels = BTreeSet::new();
        while self.eat(":") {
            labels.insert(self.name()?);
        }
        let props = self.props()?;
        self.expect(")")?;
        Ok(TNode { labels, props })
    }

    /// After the `[`: `:TYPE {props}]`.
    fn rel_body(&mut self) -> Result<TRel, String> {
        self.expect(":")?;
        let typ = self.name()?;
        let props = self.props()?;
        self.expect("]")?;
        Ok(TRel { typ, props })
    }

    fn path(&mut self) -> Result<TVal, String> {
        self.expect("<")?;
        let start = self.node()?;
        let mut steps = Vec::new();
        loop {
            if self.eat(">") {
                return Ok(TVal::Path(Box::new(start), steps));
            }
            let back = self.eat("<-");
            if !back {
                self.expect("-")?;
            }
            self.expect("[")?;
            let r = self.rel_body()?;
            if back {
                self.expect("-")?;
            } else {
                self.expect("->")?;
            }
            let n = self.node()?;
            steps.push((r, !back, n));
        }
    }
}

/// The first `n` characters of `s`, with an ellipsis when cut.
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

// ------------------------------------------------------ engine conversion

fn node_of(g: &Graph, id: newsgraph::store::NodeId) -> TNode {
    let mut labels = BTreeSet::new();
    let mut props = BTreeMap::new();
    if let Some(n) = g.node(id) {
        for l in n.labels() {
            labels.insert(g.name_of(*l).to_string());
        }
        for (k, v) in n.props().iter() {
            props.insert(g.name_of(k).to_string(), from_value(&Value::from(v), g));
        }
    }
    TNode { labels, props }
}

fn rel_of(g: &Graph, id: newsgraph::store::EdgeId) -> TRel {
    let mut typ = String::new();
    let mut props = BTreeMap::new();
    if let Some(e) = g.edge(id) {
        typ = g.name_of(e.rel_type()).to_string();
        for (k, v) in e.props().iter() {
            props.insert(g.name_of(k).to_string(), from_value(&Value::from(v), g));
        }
    }
    TRel { typ, props }
}

/// Converts an engine value, looking graph elements up in `g`.
pub fn from_value(v: &Value, g: &Graph) -> TVal {
    #[allow(unreachable_patterns)]
    match v {
        Value::Null => TVal::Null,
        Value::Bool(b) => TVal::Bool(*b),
        Value::Int(i) => TVal::Int(*i),
        Value::Float(x) => TVal::Float(*x),
        Value::Str(s) => TVal::Str(s.to_string()),
        Value::List(l) => TVal::List(l.iter().map(|x| from_value(x, g)).collect()),
        Value::Map(m) => TVal::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), from_value(x, g)))
                .collect(),
        ),
        Value::Date(d) => TVal::Str(d.to_string()),
        Value::Node(n) => TVal::Node(Box::new(node_of(g, *n))),
        Value::Rel(e) => TVal::Rel(Box::new(rel_of(g, *e))),
        Value::Path(p) => {
            let start = p.nodes.first().map(|n| node_of(g, *n)).unwrap_or(TNode {
                labels: BTreeSet::new(),
                props: BTreeMap::new(),
            });
            let steps = p
                .rels
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let prev = p.nodes[i];
                    let fwd = g.endpoints(*r).is_none_or(|(a, _)| a == prev);
                    let next = p.nodes.get(i + 1).map(|n| node_of(g, *n)).unwrap_or(TNode {
                        labels: BTreeSet::new(),
                        props: BTreeMap::new(),
                    });
                    (rel_of(g, *r), fwd, next)
                })
                .collect();
            TVal::Path(Box::new(start), steps)
        }
        // Variants added to `Value` later (temporal types…): go through the
        // TCK rendering, which is their contract.
        other => {
            let text = other.render(g);
            parse(&text).unwrap_or(TVal::Str(text))
        }
    }
}

/// Converts a parameter value (no graph elements) to an engine value.
pub fn to_value(v: &TVal) -> Result<Value, String> {
    Ok(match v {
        TVal::Null => Value::Null,
        TVal::Bool(b) => Value::Bool(*b),
        TVal::Int(i) => Value::Int(*i),
        TVal::Float(x) => Value::Float(*x),
        TVal::Str(s) => Value::Str(s.as_str().into()),
        TVal::List(l) => Value::List(l.iter().map(to_value).collect::<Result<_, _>>()?),
        TVal::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), to_value(x)?)))
                .collect::<Result<_, String>>()?,
        ),
        TVal::Node(_) | TVal::Rel(_) | TVal::Path(..) => {
            return Err(format!("graph element `{v}` as a parameter"));
        }
    })
}

// -------------------------------------------------------------- comparing

fn float_eq(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        // The TCK prints `-0.0` and `0.0` apart, so they differ here.
        return a != 0.0 || a.is_sign_negative() == b.is_sign_negative();
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn map_eq(a: &BTreeMap<String, TVal>, b: &BTreeMap<String, TVal>, lists_unordered: bool) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && eq(va, vb, lists_unordered))
}

/// Bag equality of two slices by `eq` (greedy matching).
pub fn bag_eq(a: &[TVal], b: &[TVal], lists_unordered: bool) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(
        |x| match (0..b.len()).find(|&j| !used[j] && eq(x, &b[j], lists_unordered)) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        },
    )
}

/// Structural equality, as the TCK compares result values.
pub fn eq(a: &TVal, b: &TVal, lists_unordered: bool) -> bool {
    match (a, b) {
        (TVal::Null, TVal::Null) => true,
        (TVal::Bool(x), TVal::Bool(y)) => x == y,
        (TVal::Int(x), TVal::Int(y)) => x == y,
        (TVal::Float(x), TVal::Float(y)) => float_eq(*x, *y),
        (TVal::Str(x), TVal::Str(y)) => x == y,
        (TVal::List(x), TVal::List(y)) => {
            if lists_unordered {
                bag_eq(x, y, true)
            } else {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq(p, q, false))
            }
        }
        (TVal::Map(x), TVal::Map(y)) => map_eq(x, y, lists_unordered),
        (TVal::Node(x), TVal::Node(y)) => node_eq(x, y, lists_unordered),
        (TVal::Rel(x), TVal::Rel(y)) => rel_eq(x, y, lists_unordered),
        (TVal::Path(s1, st1), TVal::Path(s2, st2)) => {
            node_eq(s1, s2, lists_unordered)
                && st1.len() == st2.len()
                && st1.iter().zip(st2).all(|((r1, f1, n1), (r2, f2, n2))| {
                    f1 == f2 && rel_eq(r1, r2, lists_unordered) && node_eq(n1, n2, lists_unordered)
                })
        }
        _ => false,
    }
}

fn node_eq(a: &TNode, b: &TNode, lu: bool) -> bool {
    a.labels == b.labels && map_eq(&a.props, &b.props, lu)
}

fn rel_eq(a: &TRel, b: &TRel, lu: bool) -> bool {
    a.typ == b.typ && map_eq(&a.props, &b.props, lu)
}

// -------------------------------------------------------------- printing

fn fmt_str(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("'")?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

fn fmt_props(m: &BTreeMap<String, TVal>, f: &mut fmt::Formatter<'_>, lead: bool) -> fmt::Result {
    if m.is_empty() {
        return Ok(());
    }
    if lead {
        f.write_str(" ")?;
    }
    f.write_str("{")?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    f.write_str("}")
}

impl fmt::Display for TNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for l in &self.labels {
            write!(f, ":{l}")?;
        }
        fmt_props(&self.props, f, !self.labels.is_empty())?;
        f.write_str(")")
    }
}

impl fmt::Display for TRel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", self.typ)?;
        fmt_props(&self.props, f, true)?;
        f.write_str("]")
    }
}

impl fmt::Display for TVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TVal::Null => f.write_str("null"),
            TVal::Bool(b) => write!(f, "{b}"),
            TVal::Int(i) => write!(f, "{i}"),
            TVal::Float(x) => {
                if x.is_nan() {
                    f.write_str("NaN")
                } else if x.is_infinite() {
                    f.write_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
                } else if *x == x.trunc() && x.abs() < 1e16 {
                    write!(f, "{x:.1}")
                } else if (1e-4..1e16).contains(&x.abs()) {
                    write!(f, "{x}")
                } else {
                    write!(f, "{x:e}")
                }
            }
            TVal::Str(s) => fmt_str(s, f),
            TVal::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            TVal::Map(m) => {
                if m.is_empty() {
                    return f.write_str("{}");
                }
                fmt_props(m, f, false)
            }
            TVal::Node(n) => write!(f, "{n}"),
            TVal::Rel(r) => write!(f, "{r}"),
            TVal::Path(s, steps) => {
                write!(f, "<{s}")?;
                for (r, fwd, n) in steps {
                    if *fwd {
                        write!(f, "-{r}->{n}")?;
                    } else {
                        write!(f, "<-{r}-{n}")?;
                    }
                }
                f.write_str(">")
            }
        }
    }
}
