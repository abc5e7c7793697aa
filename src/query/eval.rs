//! Expression evaluation and Cypher's value semantics: equality with
//! three-valued logic, comparability, the global sort order, grouping keys
//! and arithmetic with overflow checks. Reads the graph, never writes it.

use std::cmp::Ordering;
use std::sync::Arc;

use super::ast::{BinOp, Quant};
use super::exec::{Exec, Row};
use super::plan::{CExpr, MapProjC};
use super::{Phase, QueryError, Value};
use crate::store::PropValue;

pub type Res<T> = Result<T, QueryError>;

pub fn rt(kind: &str, detail: &str, msg: impl Into<String>) -> QueryError {
    QueryError {
        phase: Phase::Runtime,
        kind: kind.into(),
        detail: detail.into(),
        message: msg.into(),
        span: None,
    }
}

pub fn type_err(msg: impl Into<String>) -> QueryError {
    rt("TypeError", "InvalidArgumentType", msg)
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Int(_) => "Integer",
        Value::Float(_) => "Float",
        Value::Str(_) => "String",
        Value::List(_) => "List",
        Value::Map(_) => "Map",
        Value::Date(t) => t.type_name(),
        Value::Node(_) => "Node",
        Value::Rel(_) => "Relationship",
        Value::Path(_) => "Path",
    }
}

// ------------------------------------------------------------ semantics

/// Cypher equality: `None` is null (unknown).
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x == y),
        (Int(x), Float(y)) | (Float(y), Int(x)) => Some((*x as f64) == *y && int_float_eq(*x, *y)),
        (Float(x), Float(y)) => Some(x == y),
        (Bool(x), Bool(y)) => Some(x == y),
        (Str(x), Str(y)) => Some(x == y),
        (Date(x), Date(y)) => Some(x.compare(y).map_or(x == y, |o| o.is_eq())),
        (Node(x), Node(y)) => Some(x == y),
        (Rel(x), Rel(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        _ => Some(false),
    }
}

fn int_float_eq(i: i64, f: f64) -> bool {
    f.fract() == 0.0 && (-9.223372036854776e18..9.223372036854776e18).contains(&f) && f as i64 == i
}

/// Comparison for `<`, `>`, …: `None` when not comparable (null result).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Int(x), Float(y)) => (*x as f64).partial_cmp(y),
        (Float(x), Int(y)) => x.partial_cmp(&(*y as f64)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => x.compare(y),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                if matches!(p, Null) || matches!(q, Null) {
                    return None;
                }
                match compare(p, q)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

fn order_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Rel(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::Date(_) => 5,
        Value::Str(_) => 6,
        Value::Bool(_) => 7,
        Value::Int(_) | Value::Float(_) => 8,
        Value::Null => 9,
    }
}

/// The global sort order (ORDER BY): maps < nodes < relationships < lists
/// < paths < dates < strings < booleans < numbers (NaN last) < null.
pub fn order(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    let (ra, rb) = (order_rank(a), order_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let fx = num(a);
            let fy = num(b);
            match (fx.is_nan(), fy.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => fx
                    .partial_cmp(&fy)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| match (a, b) {
                        (Int(x), Float(_)) if int_float_eq(*x, fy) => Ordering::Equal,
                        (Float(_), Int(y)) if int_float_eq(*y, fx) => Ordering::Equal,
                        (Int(x), Float(_)) => (*x as i128).cmp(&(fy as i128)),
                        (Float(_), Int(y)) => (fx as i128).cmp(&(*y as i128)),
                        _ => Ordering::Equal,
                    }),
            }
        }
        (Str(x), Str(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.sort_key().cmp(&y.sort_key()),
        (Node(x), Node(y)) => x.cmp(y),
        (Rel(x), Rel(y)) => x.cmp(y),
        (Path(x), Path(y)) => x.nodes.cmp(&y.nodes).then_with(|| x.rels.cmp(&y.rels)),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match order(p, q) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            x.len().cmp(&y.len())
        }
        (Map(x), Map(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            kx.cmp(&ky).then_with(|| {
                for (p, q) in x.values().zip(y.values()) {
                    match order(p, q) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                Ordering::Equal
            })
        }
        _ => Ordering::Equal,
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// A hashable stand-in for a value with Cypher's grouping equivalence
/// (null equals null, 1 equals 1.0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupKey {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Arc<str>),
    List(Vec<GroupKey>),
    Map(Vec<(String, GroupKey)>),
    Date(super::temporal::Temporal),
    Node(u32),
    Rel(u32),
    Path(Vec<u32>, Vec<u32>),
}

pub fn group_key(v: &Value) -> GroupKey {
    match v {
        Value::Null => GroupKey::Null,
        Value::Bool(b) => GroupKey::Bool(*b),
        Value::Int(i) => GroupKey::Int(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e18 {
                GroupKey::Int(*f as i64)
            } else if f.is_nan() {
                GroupKey::Float(u64::MAX)
            } else {
                GroupKey::Float(f.to_bits())
            }
        }
        Value::Str(s) => GroupKey::Str(s.clone()),
        Value::List(l) => GroupKey::List(l.iter().map(group_key).collect()),
        Value::Map(m) => GroupKey::Map(m.iter().map(|(k, v)| (k.clone(), group_key(v))).collect()),
        Value::Date(d) => GroupKey::Date(*d),
        Value::Node(n) => GroupKey::Node(n.0),
        Value::Rel(r) => GroupKey::Rel(r.0),
        Value::Path(p) => GroupKey::Path(
            p.nodes.iter().map(|n| n.0).collect(),
            p.rels.iter().map(|r| r.0).collect(),
        ),
    }
}

pub fn truthy(v: &Value) -> Res<Option<bool>> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(type_err(format!(
            "expected a boolean, got {}",
            type_name(other)
        ))),
    }
}

fn overflow() -> QueryError {
    rt("ArithmeticError", "IntegerOverflow", "integer overflow")
}

pub fn arith(op: BinOp, a: &Value, b: &Value) -> Res<Value> {
    use Value::*;
    if matches!(a, Null) || matches!(b, Null) {
        return Ok(Null);
    }
    if (matches!(a, Date(_)) || matches!(b, Date(_)))
        && let Some(r) = super::temporal::arith(op, a, b)
    {
        return r;
    }
    Ok(match (op, a, b) {
        (BinOp::Add, Int(x), Int(y)) => Int(x.checked_add(*y).ok_or_else(overflow)?),
        (BinOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(*y).ok_or_else(overflow)?),
        (BinOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(*y).ok_or_else(overflow)?),
        (BinOp::Div, Int(x), Int(y)) => {
            if *y == 0 {
                return Err(rt("ArithmeticError", "DivisionByZero", "/ by zero"));
            }
            Int(x.checked_div(*y).ok_or_else(overflow)?)
        }
        (BinOp::Mod, Int(x), Int(y)) => {
            if *y == 0 {
                return Err(rt("ArithmeticError", "DivisionByZero", "% by zero"));
            }
            Int(x.checked_rem(*y).unwrap_or(0))
        }
        (BinOp::Pow, Int(_) | Float(_), Int(_) | Float(_)) => Float(num(a).powf(num(b))),
        (_, Int(_) | Float(_), Int(_) | Float(_)) => {
            let (x, y) = (num(a), num(b));
            Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                BinOp::Mod => x % y,
                _ => return Err(type_err("bad arithmetic")),
            })
        }
        (BinOp::Add, Str(x), Str(y)) => Str(format!("{x}{y}").into()),
        (BinOp::Add, Str(x), Int(_) | Float(_)) => Str(format!("{x}{}", to_string_plain(b)).into()),
        (BinOp::Add, Int(_) | Float(_), Str(y)) => Str(format!("{}{y}", to_string_plain(a)).into()),
        (BinOp::Add, List(x), List(y)) => {
            let mut v = x.clone();
            v.extend(y.iter().cloned());
            List(v)
        }
        (BinOp::Add, List(x), y) => {
            let mut v = x.clone();
            v.push(y.clone());
            List(v)
        }
        (BinOp::Add, x, List(y)) => {
            let mut v = vec![x.clone()];
            v.extend(y.iter().cloned());
            List(v)
        }
        _ => {
            return Err(type_err(format!(
                "cannot apply {op} to {} and {}",
                type_name(a),
                type_name(b)
            )));
        }
    })
}

pub fn to_string_plain(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => super::value::format_float(*f),
        Value::Str(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        _ => String::new(),
    }
}

// ------------------------------------------------------------ evaluation

impl Exec<'_> {
    pub fn eval(&self, e: &CExpr, row: &Row) -> Res<Value> {
        Ok(match e {
            CExpr::Const(v) => v.clone(),
            CExpr::Slot(s) => row.get(*s).cloned().unwrap_or(Value::Null),
            CExpr::List(l) => Value::List(l.iter().map(|x| self.eval(x, row)).collect::<Res<_>>()?),
            CExpr::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), self.eval(x, row)?)))
                    .collect::<Res<_>>()?,
            ),
            CExpr::Prop(x, key) => {
                let v = self.eval(x, row)?;
                self.property(&v, key)?
            }
            CExpr::Index(x, i) => {
                let v = self.eval(x, row)?;
                let i = self.eval(i, row)?;
                match (&v, &i) {
                    (Value::Node(_) | Value::Rel(_) | Value::Date(_), Value::Str(k)) => {
                        let key = super::plan::Key {
                            name: k.to_string(),
                            sym: self.g().symbol(k),
                        };
                        self.property(&v, &key)?
                    }
                    _ => index(&v, &i)?,
                }
            }
            CExpr::Slice(x, a, b) => {
                let v = self.eval(x, row)?;
                let a = a.as_ref().map(|a| self.eval(a, row)).transpose()?;
                let b = b.as_ref().map(|b| self.eval(b, row)).transpose()?;
                slice(&v, a, b)?
            }
            CExpr::HasLabels(x, ls) => {
                match self.eval(x, row)? {
                    Value::Null => Value::Null,
                    Value::Node(n) => {
                        let node = self.g().node(n);
                        Value::Bool(node.is_some_and(|nd| {
                            ls.iter().all(|l| l.is_some_and(|l| nd.has_label(l)))
                        }))
                    }
                    // a relationship's one type is its only label
                    Value::Rel(r) => {
                        let t = self.g().edge(r).map(|e| e.rel_type());
                        Value::Bool(t.is_some() && ls.iter().all(|l| *l == t))
                    }
                    other => return Err(type_err(format!("label check on {}", type_name(&other)))),
                }
            }
            CExpr::Not(x) => match truthy(&self.eval(x, row)?)? {
                None => Value::Null,
                Some(b) => Value::Bool(!b),
            },
            CExpr::Neg(x) => match self.eval(x, row)? {
                Value::Null => Value::Null,
                Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(overflow)?),
                Value::Float(f) => Value::Float(-f),
                other => return Err(type_err(format!("cannot negate {}", type_name(&other)))),
            },
            CExpr::Pos(x) => match self.eval(x, row)? {
                v @ (Value::Null | Value::Int(_) | Value::Float(_)) => v,
                other => return Err(type_err(format!("unary + on {}", type_name(&other)))),
            },
            CExpr::Bin(op, a, b) => self.binary(*op, a, b, row)?,
            CExpr::IsNull(x, neg) => {
                let v = self.eval(x, row)?;
                Value::Bool(matches!(v, Value::Null) != *neg)
            }
            CExpr::Case {
                operand,
                whens,
                else_,
            } => {
                let op = operand.as_ref().map(|o| self.eval(o, row)).transpose()?;
                for (w, t) in whens {
                    let wv = self.eval(w, row)?;
                    let hit = match &op {
                        Some(o) => equals(o, &wv) == Some(true),
                        None => matches!(wv, Value::Bool(true)),
                    };
                    if hit {
                        return self.eval(t, row);
                    }
                }
                match else_ {
                    Some(e) => self.eval(e, row)?,
                    None => Value::Null,
                }
            }
            CExpr::Func(name, args) => {
                let vals = args
                    .iter()
                    .map(|a| self.eval(a, row))
                    .collect::<Res<Vec<_>>>()?;
                self.call(name, vals)?
            }
            CExpr::ListComp {
                slot,
                list,
                pred,
                proj,
            } => {
                let l = self.eval(list, row)?;
                let items = match l {
                    Value::Null => return Ok(Value::Null),
                    Value::List(l) => l,
                    other => {
                        return Err(type_err(format!(
                            "expected a list, got {}",
                            type_name(&other)
                        )));
                    }
                };
                let mut r = row.clone();
                let mut out = Vec::new();
                let mut bytes = 0usize;
                for it in items {
                    self.tick()?;
                    r[*slot] = it;
                    if let Some(p) = pred
                        && truthy(&self.eval(p, &r)?)? != Some(true)
                    {
                        continue;
                    }
                    let v = match proj {
                        Some(p) => self.eval(p, &r)?,
                        None => r[*slot].clone(),
                    };
                    bytes += std::mem::size_of::<Value>() + v.heap_bytes();
                    self.check_fits(bytes)?;
                    out.push(v);
                }
                Value::List(out)
            }
            CExpr::Quant {
                kind,
                slot,
                list,
                pred,
            } => {
                let l = self.eval(list, row)?;
                let items = match l {
                    Value::Null => return Ok(Value::Null),
                    Value::List(l) => l,
                    other => {
                        return Err(type_err(format!(
                            "expected a list, got {}",
                            type_name(&other)
                        )));
                    }
                };
                let mut r = row.clone();
                let (mut t, mut n) = (0usize, 0usize);
                for it in items.iter() {
                    self.tick()?;
                    r[*slot] = it.clone();
                    let v = match pred {
                        Some(p) => truthy(&self.eval(p, &r)?)?,
                        None => truthy(it)?,
                    };
                    match v {
                        Some(true) => t += 1,
                        None => n += 1,
                        Some(false) => {}
                    }
                }
                let f = items.len() - t - n;
                let res = match kind {
                    Quant::All => {
                        if f > 0 {
                            Some(false)
                        } else if n > 0 {
                            None
                        } else {
                            Some(true)
                        }
                    }
                    Quant::Any => {
                        if t > 0 {
                            Some(true)
                        } else if n > 0 {
                            None
                        } else {
                            Some(false)
                        }
                    }
                    Quant::None => {
                        if t > 0 {
                            Some(false)
                        } else if n > 0 {
                            None
                        } else {
                            Some(true)
                        }
                    }
                    Quant::Single => {
                        if t > 1 {
                            Some(false)
                        } else if n > 0 {
                            None
                        } else {
                            Some(t == 1)
                        }
                    }
                };
                res.map_or(Value::Null, Value::Bool)
            }
            CExpr::Reduce {
                acc,
                init,
                slot,
                list,
                expr,
            } => {
                let mut r = row.clone();
                r[*acc] = self.eval(init, row)?;
                match self.eval(list, row)? {
                    Value::Null => return Ok(Value::Null),
                    Value::List(l) => {
                        for it in l {
                            self.tick()?;
                            r[*slot] = it;
                            r[*acc] = self.eval(expr, &r)?;
                        }
                    }
                    other => {
                        return Err(type_err(format!(
                            "expected a list, got {}",
                            type_name(&other)
                        )));
                    }
                }
                std::mem::replace(&mut r[*acc], Value::Null)
            }
            CExpr::PatternComp { m, proj } => {
                let mut out = Vec::new();
                let mut err = None;
                let mut bytes = 0usize;
                self.match_rows(
                    m,
                    row.clone(),
                    &mut |r| match self.eval(proj, r).and_then(|v| {
                        bytes += std::mem::size_of::<Value>() + v.heap_bytes();
                        self.check_fits(bytes).map(|()| v)
                    }) {
                        Ok(v) => {
                            out.push(v);
                            true
                        }
                        Err(e) => {
                            err = Some(e);
                            false
                        }
                    },
                )?;
                if let Some(e) = err {
                    return Err(e);
                }
                Value::List(out)
            }
            CExpr::Exists(m) => {
                let mut found = false;
                self.match_rows(m, row.clone(), &mut |_| {
                    found = true;
                    false
                })?;
                Value::Bool(found)
            }
            CExpr::ExistsQuery(sp) => {
                let mut found = false;
                for b in &sp.branches {
                    if !self.subquery_rows(&b.ops, row)?.is_empty() {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found)
            }
            CExpr::MapProj(x, items) => {
                let base = self.eval(x, row)?;
                if matches!(base, Value::Null) {
                    return Ok(Value::Null);
                }
                let mut m = std::collections::BTreeMap::new();
                for it in items {
                    match it {
                        MapProjC::All => {
                            if let Value::Map(bm) = self.properties(&base)? {
                                m.extend(bm);
                            }
                        }
                        MapProjC::Prop(k) => {
                            m.insert(k.name.to_string(), self.property(&base, k)?);
                        }
                        MapProjC::Entry(k, e) => {
                            m.insert(k.clone(), self.eval(e, row)?);
                        }
                    }
                }
                Value::Map(m)
            }
        })
    }

    fn binary(&self, op: BinOp, a: &CExpr, b: &CExpr, row: &Row) -> Res<Value> {
        match op {
            BinOp::And | BinOp::Or | BinOp::Xor => {
                let x = truthy(&self.eval(a, row)?)?;
                if op == BinOp::And && x == Some(false) {
                    // still type-check the right side cheaply
                    let y = self.eval(b, row)?;
                    truthy(&y)?;
                    return Ok(Value::Bool(false));
                }
                if op == BinOp::Or && x == Some(true) {
                    let y = self.eval(b, row)?;
                    truthy(&y)?;
                    return Ok(Value::Bool(true));
                }
                let y = truthy(&self.eval(b, row)?)?;
                return Ok(logic(op, x, y).map_or(Value::Null, Value::Bool));
            }
            _ => {}
        }
        let x = self.eval(a, row)?;
        let y = self.eval(b, row)?;
        if op == BinOp::Add {
            // joined strings and lists are new values: they must fit the budget
            let size = |v: &Value| match v {
                Value::Str(s) => s.len(),
                Value::List(_) => v.heap_bytes(),
                _ => 0,
            };
            if matches!(x, Value::Str(_) | Value::List(_))
                || matches!(y, Value::Str(_) | Value::List(_))
            {
                self.check_fits(size(&x).saturating_add(size(&y)))?;
            }
        }
        binary_values(op, &x, &y)
    }
}

/// AND, OR and XOR in three-valued logic (`None` is null).
pub fn logic(op: BinOp, x: Option<bool>, y: Option<bool>) -> Option<bool> {
    match op {
        BinOp::And => match (x, y) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinOp::Or => match (x, y) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        _ => match (x, y) {
            (Some(p), Some(q)) => Some(p != q),
            _ => None,
        },
    }
}

pub fn binary_values(op: BinOp, x: &Value, y: &Value) -> Res<Value> {
    let b = |o: Option<bool>| o.map_or(Value::Null, Value::Bool);
    Ok(match op {
        BinOp::Eq => b(equals(x, y)),
        BinOp::Ne => b(equals(x, y).map(|v| !v)),
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            if matches!(x, Value::Null) || matches!(y, Value::Null) {
                return Ok(Value::Null);
            }
            // NaN is comparable to numbers, and every comparison is false
            let nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
            if matches!(x, Value::Int(_) | Value::Float(_))
                && matches!(y, Value::Int(_) | Value::Float(_))
                && (nan(x) || nan(y))
            {
                return Ok(Value::Bool(false));
            }
            if let (Value::Date(p), Value::Date(q)) = (x, y)
                && let Some(r) = super::temporal::partial_compare(op, p, q)
            {
                return Ok(b(r));
            }
            b(compare(x, y).map(|o| match op {
                BinOp::Lt => o == Ordering::Less,
                BinOp::Gt => o == Ordering::Greater,
                BinOp::Le => o != Ordering::Greater,
                _ => o != Ordering::Less,
            }))
        }
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => match (x, y) {
            (Value::Str(s), Value::Str(t)) => Value::Bool(match op {
                BinOp::StartsWith => s.starts_with(&**t),
                BinOp::EndsWith => s.ends_with(&**t),
                _ => s.contains(&**t),
            }),
            _ => Value::Null,
        },
        BinOp::Regex => match (x, y) {
            (Value::Str(s), Value::Str(p)) => {
                let re = regex::Regex::new(&format!("^(?:{p})$"))
                    .map_err(|e| rt("ArgumentError", "InvalidArgumentValue", e.to_string()))?;
                Value::Bool(re.is_match(s))
            }
            _ => Value::Null,
        },
        BinOp::In => match y {
            Value::Null => Value::Null,
            Value::List(l) => {
                let mut unknown = false;
                for it in l {
                    match equals(x, it) {
                        Some(true) => return Ok(Value::Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    Value::Null
                } else {
                    Value::Bool(false)
                }
            }
            other => {
                return Err(type_err(format!(
                    "IN expects a list, got {}",
                    type_name(other)
                )));
            }
        },
        _ => arith(op, x, y)?,
    })
}

fn as_index(i: &Value) -> Res<Option<i64>> {
    match i {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        other => Err(type_err(format!(
            "list index must be an integer, got {}",
            type_name(other)
        ))),
    }
}

pub fn index(v: &Value, i: &Value) -> Res<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::List(l) => {
            let Some(i) = as_index(i)? else {
                return Ok(Value::Null);
            };
            let len = l.len() as i64;
            let j = if i < 0 { len + i } else { i };
            Ok(if j < 0 || j >= len {
                Value::Null
            } else {
                l[j as usize].clone()
            })
        }
        Value::Map(m) => match i {
            Value::Null => Ok(Value::Null),
            Value::Str(k) => Ok(m.get(&**k).cloned().unwrap_or(Value::Null)),
            other => Err(rt(
                "TypeError",
                "MapElementAccessByNonString",
                format!("map key must be a string, got {}", type_name(other)),
            )),
        },
        Value::Node(_) | Value::Rel(_) => {
            Err(rt("TypeError", "NeedsDynamicProperty", "use exec index"))
        }
        other => Err(type_err(format!("cannot index {}", type_name(other)))),
    }
}

pub fn slice(v: &Value, a: Option<Value>, b: Option<Value>) -> Res<Value> {
    let l = match v {
        Value::Null => return Ok(Value::Null),
        Value::List(l) => l,
        other => return Err(type_err(format!("cannot slice {}", type_name(other)))),
    };
    let len = l.len() as i64;
    let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
    let lo = match a {
        None => 0,
        Some(x) => match as_index(&x)? {
            None => return Ok(Value::Null),
            Some(i) => norm(i),
        },
    };
    let hi = match b {
        None => len,
        Some(x) => match as_index(&x)? {
            None => return Ok(Value::Null),
            Some(i) => norm(i),
        },
    };
    Ok(Value::List(if lo >= hi {
        Vec::new()
    } else {
        l[lo as usize..hi as usize].to_vec()
    }))
}

pub fn prop_value(p: Option<&PropValue>) -> Value {
    p.map_or(Value::Null, Value::from)
}
