//! The scalar, list, string, math and conversion functions, and the list of
//! known function names (aggregates included) with their arities.

use super::QueryError;
use super::Value;
use super::eval::{Res, rt, type_err, type_name};

/// A value of a type the function cannot take, found at run time (the
/// TCK's `TypeError` with detail `InvalidArgumentValue`; a wrong type known
/// at compile time is `InvalidArgumentType`).
fn value_err(msg: String) -> QueryError {
    rt("TypeError", "InvalidArgumentValue", msg)
}
use super::exec::Exec;
use super::value::Path;

/// The most elements `range()` makes: four million values are about
/// 160 MB (the TCK sums a range of a million and one); ten
/// million, rows after `UNWIND` included, would be gigabytes.
pub const MAX_RANGE: usize = 4_000_000;

/// Known functions: lower-case name, min and max argument count.
pub const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("id", 1, 1),
    ("labels", 1, 1),
    ("type", 1, 1),
    ("keys", 1, 1),
    ("properties", 1, 1),
    ("startnode", 1, 1),
    ("endnode", 1, 1),
    ("nodes", 1, 1),
    ("relationships", 1, 1),
    ("rels", 1, 1),
    ("length", 1, 1),
    ("size", 1, 1),
    ("head", 1, 1),
    ("last", 1, 1),
    ("tail", 1, 1),
    ("range", 2, 3),
    ("reverse", 1, 1),
    ("coalesce", 1, usize::MAX),
    ("tointeger", 1, 1),
    ("tofloat", 1, 1),
    ("tostring", 1, 1),
    ("toboolean", 1, 1),
    ("tointegerornull", 1, 1),
    ("tofloatornull", 1, 1),
    ("tostringornull", 1, 1),
    ("tobooleanornull", 1, 1),
    ("toupper", 1, 1),
    ("tolower", 1, 1),
    ("trim", 1, 1),
    ("ltrim", 1, 1),
    ("rtrim", 1, 1),
    ("substring", 2, 3),
    ("left", 2, 2),
    ("right", 2, 2),
    ("replace", 3, 3),
    ("split", 2, 2),
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("floor", 1, 1),
    ("round", 1, 1),
    ("sign", 1, 1),
    ("sqrt", 1, 1),
    ("exp", 1, 1),
    ("log", 1, 1),
    ("log10", 1, 1),
    ("sin", 1, 1),
    ("cos", 1, 1),
    ("tan", 1, 1),
    ("cot", 1, 1),
    ("asin", 1, 1),
    ("acos", 1, 1),
    ("atan", 1, 1),
    ("atan2", 2, 2),
    ("degrees", 1, 1),
    ("radians", 1, 1),
    ("haversin", 1, 1),
    ("pi", 0, 0),
    ("e", 0, 0),
    ("rand", 0, 0),
    ("exists", 1, 1),
    ("timestamp", 0, 0),
    ("date", 0, 1),
    ("localtime", 0, 1),
    ("time", 0, 1),
    ("localdatetime", 0, 1),
    ("datetime", 0, 1),
    ("duration", 1, 1),
    ("date.transaction", 0, 1),
    ("date.statement", 0, 1),
    ("date.realtime", 0, 1),
    ("localtime.transaction", 0, 1),
    ("localtime.statement", 0, 1),
    ("localtime.realtime", 0, 1),
    ("time.transaction", 0, 1),
    ("time.statement", 0, 1),
    ("time.realtime", 0, 1),
    ("localdatetime.transaction", 0, 1),
    ("localdatetime.statement", 0, 1),
    ("localdatetime.realtime", 0, 1),
    ("datetime.transaction", 0, 1),
    ("datetime.statement", 0, 1),
    ("datetime.realtime", 0, 1),
    ("date.truncate", 2, 3),
    ("localtime.truncate", 2, 3),
    ("time.truncate", 2, 3),
    ("localdatetime.truncate", 2, 3),
    ("datetime.truncate", 2, 3),
    ("datetime.fromepoch", 2, 2),
    ("datetime.fromepochmillis", 1, 1),
    ("duration.between", 2, 2),
    ("duration.inmonths", 2, 2),
    ("duration.indays", 2, 2),
    ("duration.inseconds", 2, 2),
    ("count", 1, 1),
    ("collect", 1, 1),
    ("sum", 1, 1),
    ("avg", 1, 1),
    ("min", 1, 1),
    ("max", 1, 1),
    ("percentilecont", 2, 2),
    ("percentiledisc", 2, 2),
    ("stdev", 1, 1),
    ("stdevp", 1, 1),
];

/// How the functions with capitals in their usual spelling are written;
/// the rest are written as in [`FUNCTIONS`], in lower case. (Function
/// names are case-insensitive: this is only how they are shown.)
const SPELLINGS: &[&str] = &[
    "startNode",
    "endNode",
    "toInteger",
    "toFloat",
    "toString",
    "toBoolean",
    "toIntegerOrNull",
    "toFloatOrNull",
    "toStringOrNull",
    "toBooleanOrNull",
    "toUpper",
    "toLower",
    "lTrim",
    "rTrim",
    "datetime.fromEpoch",
    "datetime.fromEpochMillis",
    "duration.inMonths",
    "duration.inDays",
    "duration.inSeconds",
    "percentileCont",
    "percentileDisc",
    "stDev",
    "stDevP",
];

/// The names of the known functions (aggregates included) as usually
/// written: `toUpper`, `count`, `date.truncate`.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(lower, _, _)| {
        SPELLINGS
            .iter()
            .find(|s| s.eq_ignore_ascii_case(lower))
            .copied()
            .unwrap_or(lower)
    })
}

pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "collect"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "percentilecont"
            | "percentiledisc"
            | "stdev"
            | "stdevp"
    )
}

/// A float (or a number read from a string) as an integer, truncated: an
/// error for `toInteger` when it does not fit in 64 bits (rather than a
/// silently saturated value), null for `toIntegerOrNull`.
fn float_to_int(f: f64, text: &str, name: &str) -> Res<Value> {
    if f.is_nan() {
        return Ok(Value::Null);
    }
    let t = f.trunc();
    // 2^63 is exact as a float: every float in [-2^63, 2^63) fits
    let two63 = 2f64.powi(63);
    if (-two63..two63).contains(&t) {
        Ok(Value::Int(t as i64))
    } else if name == "tointeger" {
        Err(rt(
            "ArgumentError",
            "NumberOutOfRange",
            format!("toInteger({text}): the number does not fit in a 64-bit integer"),
        ))
    } else {
        Ok(Value::Null)
    }
}

fn arg_int(v: &Value, f: &str) -> Res<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        other => Err(type_err(format!(
            "{f}() expects an integer, got {}",
            type_name(other)
        ))),
    }
}

fn arg_num(v: &Value, f: &str) -> Res<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(x) => Ok(Some(*x)),
        other => Err(type_err(format!(
            "{f}() expects a number, got {}",
            type_name(other)
        ))),
    }
}

fn arg_str<'a>(v: &'a Value, f: &str) -> Res<Option<&'a str>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s)),
        other => Err(type_err(format!(
            "{f}() expects a string, got {}",
            type_name(other)
        ))),
    }
}

fn s(x: String) -> Value {
    Value::Str(x.into())
}

impl Exec<'_> {
    pub fn call(&self, name: &str, mut a: Vec<Value>) -> Res<Value> {
        let a0 = a.first().cloned().unwrap_or(Value::Null);
        let g = self.g();
        macro_rules! math {
            ($f:expr) => {
                match arg_num(&a0, name)? {
                    None => Value::Null,
                    Some(x) => Value::Float($f(x)),
                }
            };
        }
        Ok(match name {
            "date" | "localtime" | "time" | "localdatetime" | "datetime" => {
                super::temporal::construct(name, a.first(), self.now)?
            }
            "duration" => super::temporal::duration(&a0)?,
            n if n.ends_with(".transaction")
                || n.ends_with(".statement")
                || n.ends_with(".realtime") =>
            {
                let (kind, which) = n.split_once('.').unwrap_or((n, ""));
                // the transaction and statement clocks are the query's
                let now = if which == "realtime" {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(self.now, |d| d.as_nanos() as i64)
                } else {
                    self.now
                };
                super::temporal::clock(kind, a.first(), now)?
            }
            "date.truncate"
            | "localtime.truncate"
            | "time.truncate"
            | "localdatetime.truncate"
            | "datetime.truncate" => {
                super::temporal::truncate(name.trim_end_matches(".truncate"), &a0, &a[1], a.get(2))?
            }
            "datetime.fromepoch" => super::temporal::from_epoch(&a0, &a[1], 1_000_000_000)?,
            "datetime.fromepochmillis" => {
                super::temporal::from_epoch(&a0, &Value::Int(0), 1_000_000)?
            }
            "duration.between" | "duration.inmonths" | "duration.indays" | "duration.inseconds" => {
                super::temporal::between(&name[9..], &a0, &a[1])?
            }
            "id" => match a0 {
                Value::Node(n) => Value::Int(n.0 as i64),
                Value::Rel(r) => Value::Int(r.0 as i64),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("id() of {}", type_name(&o)))),
            },
            "labels" => match a0 {
                Value::Node(n) => match g.node(n) {
                    Some(nd) => Value::List(
                        nd.labels()
                            .iter()
                            .map(|l| Value::Str(g.name_of(*l).into()))
                            .collect(),
                    ),
                    None => {
                        return Err(rt(
                            "EntityNotFound",
                            "DeletedEntityAccess",
                            "labels() of a node this query deleted",
                        ));
                    }
                },
                Value::Null => Value::Null,
                o => return Err(value_err(format!("labels() of {}", type_name(&o)))),
            },
            "type" => match a0 {
                Value::Rel(r) => g
                    .edge(r)
                    .map(|e| e.rel_type())
                    .or_else(|| self.deleted_types.get(&r).copied())
                    .map_or(Value::Null, |t| Value::Str(g.name_of(t).into())),
                Value::Null => Value::Null,
                o => return Err(value_err(format!("type() of {}", type_name(&o)))),
            },
            "keys" => match self.properties(&a0)? {
                Value::Map(m) => {
                    Value::List(m.keys().map(|k| Value::Str(k.as_str().into())).collect())
                }
                v => v,
            },
            "properties" => self.properties(&a0)?,
            "startnode" | "endnode" => match a0 {
                Value::Rel(r) => match g.endpoints(r) {
                    Some((x, y)) => Value::Node(if name == "startnode" { x } else { y }),
                    None => Value::Null,
                },
                Value::Null => Value::Null,
                o => return Err(type_err(format!("{name}() of {}", type_name(&o)))),
            },
            "nodes" => match a0 {
                Value::Path(p) => Value::List(p.nodes.iter().map(|n| Value::Node(*n)).collect()),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("nodes() of {}", type_name(&o)))),
            },
            "relationships" | "rels" => match a0 {
                Value::Path(p) => Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect()),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("relationships() of {}", type_name(&o)))),
            },
            "length" => match a0 {
                Value::Path(p) => Value::Int(p.rels.len() as i64),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("length() of {}", type_name(&o)))),
            },
            "size" => match a0 {
                Value::List(l) => Value::Int(l.len() as i64),
                Value::Str(x) => Value::Int(x.chars().count() as i64),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("size() of {}", type_name(&o)))),
            },
            "head" | "last" => match a0 {
                Value::List(l) => {
                    let v = if name == "head" { l.first() } else { l.last() };
                    v.cloned().unwrap_or(Value::Null)
                }
                Value::Null => Value::Null,
                o => return Err(type_err(format!("{name}() of {}", type_name(&o)))),
            },
            "tail" => match a0 {
                Value::List(l) => Value::List(l.into_iter().skip(1).collect()),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("tail() of {}", type_name(&o)))),
            },
            "reverse" => match a0 {
                Value::List(mut l) => {
                    l.reverse();
                    Value::List(l)
                }
                Value::Str(x) => s(x.chars().rev().collect()),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("reverse() of {}", type_name(&o)))),
            },
            "range" => {
                let arg_err = |e: QueryError| QueryError {
                    kind: "ArgumentError".into(),
                    ..e
                };
                let lo = arg_int(&a[0], name).map_err(arg_err)?;
                let hi = arg_int(&a[1], name).map_err(arg_err)?;
                let (Some(lo), Some(hi)) = (lo, hi) else {
                    return Err(arg_err(type_err("range() bounds must be integers")));
                };
                let step = match a.get(2) {
                    Some(v) => arg_int(v, name)
                        .map_err(arg_err)?
                        .ok_or_else(|| arg_err(type_err("range() step is null")))?,
                    None => 1,
                };
                if step == 0 {
                    return Err(rt(
                        "ArgumentError",
                        "NumberOutOfRange",
                        "range() step must not be 0",
                    ));
                }
                let (lo, hi, step) = (lo as i128, hi as i128, step as i128);
                let len = if (step > 0 && lo <= hi) || (step < 0 && lo >= hi) {
                    (hi - lo) / step + 1
                } else {
                    0
                };
                if len > MAX_RANGE as i128 {
                    return Err(rt(
                        "ArgumentError",
                        "NumberOutOfRange",
                        format!(
                            "range({lo}, {hi}, {step}) would make {len} elements; \
                             at most {MAX_RANGE} are allowed"
                        ),
                    ));
                }
                self.check_fits(len as usize * std::mem::size_of::<Value>())?;
                let mut out = Vec::with_capacity(len as usize);
                for k in 0..len {
                    self.tick()?;
                    out.push(Value::Int((lo + k * step) as i64));
                }
                Value::List(out)
            }
            "coalesce" => a
                .into_iter()
                .find(|v| !matches!(v, Value::Null))
                .unwrap_or(Value::Null),
            "tointeger" | "tointegerornull" => match a0 {
                Value::Int(i) => Value::Int(i),
                Value::Float(f) => float_to_int(f, &f.to_string(), name)?,
                Value::Str(x) => {
                    let t = x.trim();
                    match t.parse::<i64>() {
                        Ok(i) => Value::Int(i),
                        Err(_) => match t.parse::<f64>() {
                            Ok(f) => float_to_int(f, t, name)?,
                            _ => Value::Null,
                        },
                    }
                }
                Value::Bool(b) if name == "tointeger" => Value::Int(b as i64),
                Value::Null => Value::Null,
                o if name == "tointeger" => {
                    return Err(value_err(format!("toInteger() of {}", type_name(&o))));
                }
                _ => Value::Null,
            },
            "tofloat" | "tofloatornull" => match a0 {
                Value::Int(i) => Value::Float(i as f64),
                Value::Float(f) => Value::Float(f),
                Value::Str(x) => x.trim().parse::<f64>().map_or(Value::Null, Value::Float),
                Value::Null => Value::Null,
                o if name == "tofloat" => {
                    return Err(value_err(format!("toFloat() of {}", type_name(&o))));
                }
                _ => Value::Null,
            },
            "tostring" | "tostringornull" => match a0 {
                Value::Null => Value::Null,
                v @ (Value::Int(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Bool(_)
                | Value::Date(_)) => s(super::eval::to_string_plain(&v)),
                o if name == "tostring" => {
                    return Err(value_err(format!("toString() of {}", type_name(&o))));
                }
                _ => Value::Null,
            },
            "toboolean" | "tobooleanornull" => match a0 {
                Value::Bool(b) => Value::Bool(b),
                Value::Str(x) => match x.trim().to_ascii_lowercase().as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Null,
                },
                Value::Int(i) if name == "toboolean" => Value::Bool(i != 0),
                Value::Null => Value::Null,
                o if name == "toboolean" => {
                    return Err(value_err(format!("toBoolean() of {}", type_name(&o))));
                }
                _ => Value::Null,
            },
            "toupper" | "tolower" | "trim" | "ltrim" | "rtrim" => match arg_str(&a0, name)? {
                None => Value::Null,
                Some(x) => s(match name {
                    "toupper" => x.to_uppercase(),
                    "tolower" => x.to_lowercase(),
                    "trim" => x.trim().to_string(),
                    "ltrim" => x.trim_start().to_string(),
                    _ => x.trim_end().to_string(),
                }),
            },
            "substring" => {
                let Some(x) = arg_str(&a0, name)? else {
                    return Ok(Value::Null);
                };
                let start =
                    arg_int(&a[1], name)?.ok_or_else(|| type_err("substring() start is null"))?;
                let len = match a.get(2) {
                    Some(v) => Some(
                        arg_int(v, name)?.ok_or_else(|| type_err("substring() length is null"))?,
                    ),
                    None => None,
                };
                if start < 0 || len.is_some_and(|l| l < 0) {
                    return Err(rt(
                        "ArgumentError",
                        "NumberOutOfRange",
                        "negative substring() argument",
                    ));
                }
                let it = x.chars().skip(start as usize);
                s(match len {
                    Some(l) => it.take(l as usize).collect(),
                    None => it.collect(),
                })
            }
            "left" | "right" => {
                let Some(x) = arg_str(&a0, name)? else {
                    return Ok(Value::Null);
                };
                let n = arg_int(&a[1], name)?
                    .ok_or_else(|| type_err(format!("{name}() length is null")))?;
                if n < 0 {
                    return Err(rt(
                        "ArgumentError",
                        "NumberOutOfRange",
                        format!("negative {name}() length"),
                    ));
                }
                let cnt = x.chars().count();
                let n = (n as usize).min(cnt);
                s(if name == "left" {
                    x.chars().take(n).collect()
                } else {
                    x.chars().skip(cnt - n).collect()
                })
            }
            "replace" => {
                let (Some(x), Some(f), Some(t)) = (
                    arg_str(&a[0], name)?,
                    arg_str(&a[1], name)?,
                    arg_str(&a[2], name)?,
                ) else {
                    return Ok(Value::Null);
                };
                s(x.replace(f, t))
            }
            "split" => {
                let (Some(x), Some(sep)) = (arg_str(&a[0], name)?, arg_str(&a[1], name)?) else {
                    return Ok(Value::Null);
                };
                if sep.is_empty() {
                    Value::List(x.chars().map(|c| s(c.to_string())).collect())
                } else {
                    Value::List(x.split(sep).map(|p| s(p.to_string())).collect())
                }
            }
            "abs" => match a0 {
                Value::Int(i) => Value::Int(
                    i.checked_abs()
                        .ok_or_else(|| rt("ArithmeticError", "IntegerOverflow", "abs overflow"))?,
                ),
                Value::Float(f) => Value::Float(f.abs()),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("abs() of {}", type_name(&o)))),
            },
            "sign" => match a0 {
                Value::Int(i) => Value::Int(i.signum()),
                Value::Float(f) => Value::Int(if f > 0.0 {
                    1
                } else if f < 0.0 {
                    -1
                } else {
                    0
                }),
                Value::Null => Value::Null,
                o => return Err(type_err(format!("sign() of {}", type_name(&o)))),
            },
            "ceil" => math!(f64::ceil),
            "floor" => math!(f64::floor),
            "round" => math!(|x: f64| {
                let r = x.round();
                // Cypher rounds half towards positive infinity
                if (x - x.trunc()).abs() == 0.5 && x < 0.0 {
                    r + 1.0
                } else {
                    r
                }
            }),
            "sqrt" => math!(f64::sqrt),
            "exp" => math!(f64::exp),
            "log" => math!(f64::ln),
            "log10" => math!(f64::log10),
            "sin" => math!(f64::sin),
            "cos" => math!(f64::cos),
            "tan" => math!(f64::tan),
            "cot" => math!(|x: f64| 1.0 / x.tan()),
            "asin" => math!(f64::asin),
            "acos" => math!(f64::acos),
            "atan" => math!(f64::atan),
            "degrees" => math!(f64::to_degrees),
            "radians" => math!(f64::to_radians),
            "haversin" => math!(|x: f64| (1.0 - x.cos()) / 2.0),
            "atan2" => match (arg_num(&a[0], name)?, arg_num(&a[1], name)?) {
                (Some(y), Some(x)) => Value::Float(y.atan2(x)),
                _ => Value::Null,
            },
            "pi" => Value::Float(std::f64::consts::PI),
            "e" => Value::Float(std::f64::consts::E),
            "rand" => Value::Float(self.rand()),
            "timestamp" => Value::Int(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64),
            ),
            "exists" => Value::Bool(!matches!(a0, Value::Null)),
            _ => {
                a.clear();
                return Err(rt(
                    "SyntaxError",
                    "UnknownFunction",
                    format!("unknown function {name}"),
                ));
            }
        })
    }

    /// The path through `rels` starting at `start` (for var-length binds).
    pub fn walk(&self, start: crate::store::NodeId, rels: &[Value]) -> Path {
        let mut nodes = vec![start];
        let mut rs = Vec::new();
        let mut cur = start;
        for r in rels {
            if let Value::Rel(e) = r {
                if let Some((a, b)) = self.g().endpoints(*e) {
                    cur = if a == cur { b } else { a };
                }
                rs.push(*e);
                nodes.push(cur);
            }
        }
        Path { nodes, rels: rs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_a_known_function() {
        for s in SPELLINGS {
            let lower = s.to_ascii_lowercase();
            assert!(FUNCTIONS.iter().any(|f| f.0 == lower), "{s}");
        }
        let names: Vec<&str> = function_names().collect();
        assert_eq!(names.len(), FUNCTIONS.len());
        assert!(names.contains(&"toUpper") && names.contains(&"count"));
        assert!(names.contains(&"date.truncate"));
    }
}
