//! pest pairs → typed AST ([`super::ast`]). Owns the grammar binding and
//! syntax errors; knows nothing of the store or of execution.

use pest::Parser as _;
use pest::iterators::Pair;
use pest_derive::Parser;

use super::QueryError;
use super::ast::*;

#[derive(Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

type P<'a> = Pair<'a, Rule>;
type Res<T> = Result<T, QueryError>;

fn span(p: &P) -> Span {
    let s = p.as_span();
    Span(s.start(), s.end())
}

fn syntax(msg: impl Into<String>, detail: &str, sp: Span) -> QueryError {
    QueryError {
        phase: super::Phase::Compile,
        kind: "SyntaxError".into(),
        detail: detail.into(),
        message: msg.into(),
        span: Some((sp.0, sp.1)),
    }
}

fn rule_name(r: &Rule) -> String {
    if let Some(p) = plain_rule_name(*r) {
        return p.to_string();
    }
    // keywords are user words already: `BY`, `AND`, …
    let s = format!("{r:?}");
    match s.strip_prefix("kw_") {
        Some(k) => k.to_string(),
        None => "something else".to_string(),
    }
}

/// What people call what a grammar rule matches: error messages name
/// these, never the rule (`tests`: every rule but the keywords has one).
fn plain_rule_name(r: Rule) -> Option<&'static str> {
    if is_expression_rule(r) {
        return Some("an expression");
    }
    Some(match r {
        Rule::EOI => "the end of the query",
        Rule::WHITESPACE | Rule::COMMENT => "a space",
        Rule::query | Rule::regular_query | Rule::union_part | Rule::single_query => {
            "a clause like MATCH or RETURN"
        }
        Rule::clause => "a clause like MATCH or RETURN",
        Rule::atom | Rule::literal => "an expression",
        Rule::number | Rule::exponent => "a number",
        Rule::escape => "a string",
        Rule::dash => "a relationship like -[r]->",
        Rule::predicate_suffix => "an operator",
        Rule::postfix => "a property like .name",
        Rule::ident_char
        | Rule::reserved
        | Rule::variable
        | Rule::symbolic_name
        | Rule::plain_name
        | Rule::escaped_name
        | Rule::escaped_inner => "a name",
        Rule::match_clause => "MATCH",
        Rule::where_clause => "WHERE",
        Rule::unwind_clause => "UNWIND",
        Rule::call_clause => "CALL",
        Rule::call_subquery => "CALL { … }",
        Rule::import_scope => "the variables a subquery imports, like (a, b)",
        Rule::procedure_name => "a procedure name like db.labels",
        Rule::call_args => "procedure arguments like (a, b)",
        Rule::yield_clause => "YIELD",
        Rule::yield_item => "a procedure output like label or label AS l",
        Rule::with_clause => "WITH",
        Rule::return_clause => "RETURN",
        Rule::create_clause => "CREATE",
        Rule::merge_clause => "MERGE",
        Rule::set_clause => "SET",
        Rule::remove_clause => "REMOVE",
        Rule::delete_clause => "DELETE",
        Rule::detach => "DETACH",
        Rule::distinct => "DISTINCT",
        Rule::projection_body | Rule::projection_items | Rule::projection_item | Rule::star => {
            "what to return (expressions, or *)"
        }
        Rule::order_by => "ORDER BY",
        Rule::sort_item => "a sort key",
        Rule::skip => "SKIP",
        Rule::limit => "LIMIT",
        Rule::merge_action => "ON MATCH or ON CREATE",
        Rule::set_item | Rule::set_prop | Rule::set_add | Rule::set_all | Rule::set_labels => {
            "a property or label to set"
        }
        Rule::remove_item => "a property or label to remove",
        Rule::pattern
        | Rule::pattern_part
        | Rule::pattern_element
        | Rule::pattern_chain
        | Rule::pattern_expr => "a pattern like (a)-[r]->(b)",
        Rule::shortest_path => "shortestPath(…)",
        Rule::node_pattern => "a node pattern like (n)",
        Rule::node_labels | Rule::label_check => "a label like :Person",
        Rule::properties => "properties like {name: 'Kursk'}",
        Rule::rel_pattern | Rule::left_arrow | Rule::right_arrow => "a relationship like -[r]->",
        Rule::rel_detail => "relationship details like [r:SAID]",
        Rule::rel_types => "a relationship type like :SAID",
        Rule::range | Rule::range_lo | Rule::range_hi | Rule::range_dots => "a length like *1..3",
        Rule::comp_op
        | Rule::add_op
        | Rule::mul_op
        | Rule::not_op
        | Rule::unary_op
        | Rule::in_op
        | Rule::regex_op
        | Rule::starts_with
        | Rule::ends_with
        | Rule::contains
        | Rule::is_null
        | Rule::is_not_null => "an operator",
        Rule::prop_lookup => "a property like .name",
        Rule::index | Rule::slice | Rule::slice_lo | Rule::slice_hi => "an index like [0]",
        Rule::paren_expr => "an expression in brackets",
        Rule::float | Rule::hex_int | Rule::octal_int | Rule::dec_int => "a number",
        Rule::string | Rule::sq_inner | Rule::dq_inner | Rule::tsq_inner | Rule::tdq_inner => {
            "a string"
        }
        Rule::map_literal | Rule::map_entry => "a map like {key: value}",
        Rule::list_literal => "a list like [1, 2]",
        Rule::parameter | Rule::param_index => "a parameter like $name",
        Rule::case_expr | Rule::case_operand | Rule::case_when | Rule::case_else => {
            "CASE WHEN … THEN … END"
        }
        Rule::count_star => "count(*)",
        Rule::list_comprehension | Rule::comp_projection => {
            "a list comprehension like [x IN l | x]"
        }
        Rule::pattern_comprehension => "a pattern comprehension like [(a)-->(b) | b]",
        Rule::quantifier | Rule::quantifier_kind => "all(…), any(…), none(…) or single(…)",
        Rule::reduce => "reduce(…)",
        Rule::exists_subquery => "EXISTS { … }",
        Rule::function_call | Rule::function_name => "a function call like size(x)",
        Rule::map_projection
        | Rule::map_proj_item
        | Rule::map_proj_all
        | Rule::map_proj_prop
        | Rule::map_proj_var => "a map projection like n{.name}",
        _ => return None,
    })
}

/// The length of `text` without the spaces and comments (`// …`,
/// `/* … */`) at its end; quotes and escaped names are skipped whole, so
/// `//` inside a string is not a comment.
pub fn end_of_code(text: &str) -> usize {
    let b = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(b.len(), |k| i + k);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |k| i + 2 + k + 2);
            }
            q @ (b'\'' | b'"' | b'`') => {
                let mut k = i + 1;
                while k < b.len() && b[k] != q {
                    k += if b[k] == b'\\' && q != b'`' { 2 } else { 1 };
                }
                i = (k + 1).min(b.len());
                end = i;
            }
            _ if text[i..].starts_with(['\u{2018}', '\u{201C}']) => {
                let close = if text[i..].starts_with('\u{2018}') {
                    '\u{2019}'
                } else {
                    '\u{201D}'
                };
                i = text[i + 3..]
                    .find(close)
                    .map_or(b.len(), |k| i + 3 + k + close.len_utf8());
                end = i;
            }
            _ => {
                let w = text[i..].chars().next().map_or(1, char::len_utf8);
                if !text[i..].starts_with('\u{00A0}') {
                    end = i + w;
                }
                i += w;
            }
        }
    }
    end
}

/// How deeply brackets — `(`, `[`, `{` — may nest in a query. The parser,
/// the planner and the evaluator recurse on nesting, so this (with
/// [`MAX_EXPR_DEPTH`]) keeps every stage far from the end of its stack.
pub const MAX_BRACKET_DEPTH: usize = 100;

/// How deeply operators may nest in one expression: `NOT NOT … x`,
/// `a AND b AND …`, `1 + 1 + …` each add one level per operator.
pub const MAX_EXPR_DEPTH: usize = 500;

fn too_deep(what: String, sp: Span) -> QueryError {
    syntax(
        format!("query nested too deeply: {what}"),
        "NestingTooDeep",
        sp,
    )
}

/// Rejects bracket nesting past [`MAX_BRACKET_DEPTH`] before the (recursive)
/// grammar sees the text. Strings, escaped names and comments are skipped.
fn check_brackets(text: &str) -> Res<()> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let skip_to = |close: &str, from: usize| {
            rest[from..]
                .find(close)
                .map_or(text.len(), |k| i + from + k + close.len())
        };
        let c = b[i];
        i = match c {
            b'\'' | b'"' | b'`' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != c {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                j + 1
            }
            b'/' if rest.starts_with("//") => skip_to("\n", 2),
            b'/' if rest.starts_with("/*") => skip_to("*/", 2),
            _ if rest.starts_with('\u{2018}') => skip_to("\u{2019}", 3),
            _ if rest.starts_with('\u{201C}') => skip_to("\u{201D}", 3),
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(too_deep(
                        format!("more than {MAX_BRACKET_DEPTH} levels of brackets"),
                        Span(i, i + 1),
                    ));
                }
                i + 1
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            _ => i + rest.chars().next().map_or(1, char::len_utf8),
        };
    }
    Ok(())
}

/// Rejects expressions whose tree would nest past [`MAX_EXPR_DEPTH`]
/// operators, walking the parse tree without recursion (the AST built from
/// it, and everything that walks that AST, recurses).
fn check_nesting(root: P) -> Res<()> {
    let mut stack = vec![(root, 0usize)];
    while let Some((p, d)) = stack.pop() {
        let inner = p.clone().into_inner();
        let ops = match p.as_rule() {
            // operands with operator pairs between them
            Rule::or_expr | Rule::xor_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                inner.clone().count().saturating_sub(1) / 2
            }
            // a comparison chain `a < b < c` becomes `a < b AND b < c`
            Rule::comparison => inner.clone().count().saturating_sub(1),
            Rule::predicate_expr | Rule::pow_expr | Rule::postfix_expr => {
                inner.clone().count().saturating_sub(1)
            }
            Rule::not_expr | Rule::unary_expr => inner.clone().count().saturating_sub(1),
            Rule::expression => 1,
            _ => 0,
        };
        let d = d + ops;
        if d > MAX_EXPR_DEPTH {
            let at = p.as_span().start();
            let w = p.as_str().chars().next().map_or(1, char::len_utf8);
            return Err(too_deep(
                format!("expressions nest more than {MAX_EXPR_DEPTH} operators deep"),
                Span(at, at + w),
            ));
        }
        for c in inner {
            stack.push((c, d));
        }
    }
    Ok(())
}

/// The detail code of a query that does not parse, as the TCK names it:
/// a malformed number (`0x`, `12a3`), a Unicode look-alike of an operator,
/// a malformed relationship pattern (`-[:T..]->`, `-[*-2]->`), or else
/// `UnexpectedSyntax`.
fn parse_error_detail(text: &str, at: usize) -> &'static str {
    let c = text.get(at..).and_then(|t| t.chars().next());
    if matches!(
        c,
        Some('\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}')
    ) {
        return "InvalidUnicodeCharacter";
    }
    // a word that starts with a digit and is no number literal
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // strings and escaped names are skipped
        if let q @ (b'\'' | b'"' | b'`') = bytes[i] {
            i += 1;
            while i < bytes.len() && bytes[i] != q {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        let starts = bytes[i].is_ascii_digit()
            && (i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || matches!(bytes[i - 1], b'_' | b'$' | b'.')));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        let word = &text[i..j];
        // `1e-5`: the exponent's sign ends the word early
        let exp_sign = matches!(bytes.get(j), Some(b'-' | b'+')) && word.ends_with(['e', 'E']);
        let number = if let Some(h) = word.strip_prefix("0x") {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())
        } else if let Some(o) = word.strip_prefix("0o") {
            !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b))
        } else {
            let (m, e) = word.split_once(['e', 'E']).unwrap_or((word, "0"));
            m.bytes().all(|b| b.is_ascii_digit())
                && (e.bytes().all(|b| b.is_ascii_digit()) && (!e.is_empty() || exp_sign))
        };
        // `{1B2c: 1}` is a bad map key, not a bad number
        let key = text[j..].trim_start().starts_with(':');
        if !number && !key {
            return "InvalidNumberLiteral";
        }
        i = j;
    }
    // inside `-[ … ]` of a relationship pattern
    let before = &text[..at.min(text.len())];
    if let Some(open) = before.rfind('[')
        && !before[open..].contains(']')
        && before[..open].trim_end().ends_with('-')
    {
        return "InvalidRelationshipPattern";
    }
    "UnexpectedSyntax"
}

/// The grammar's work per byte of query the parser may spend (plus a
/// fixed allowance). Ordinary queries need well under a hundred steps per
/// byte; the grammar backtracks, though, so text such as `[a[b[c[…` with
/// nothing closed would take time exponential in its nesting.
const PARSE_STEPS_PER_BYTE: usize = 400;
const PARSE_STEPS_BASE: usize = 200_000;

/// Runs the grammar with a bound on its work that grows with the text.
/// pest's bound is one setting for the process, read when a parse starts,
/// so parses take turns setting it.
fn parse_bounded(text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let steps = PARSE_STEPS_BASE.saturating_add(text.len().saturating_mul(PARSE_STEPS_PER_BYTE));
    pest::set_call_limit(std::num::NonZeroUsize::new(steps));
    let r = CypherParser::parse(Rule::query, text);
    pest::set_call_limit(None);
    r
}

/// Parses a whole query (with optional `EXPLAIN` / `PROFILE`).
pub fn parse_query(text: &str) -> Res<Query> {
    check_brackets(text)?;
    let mut pairs = parse_bounded(text).map_err(|e| {
        let (start, end) = match e.location {
            pest::error::InputLocation::Pos(p) => {
                // the offending character, whatever its width in bytes
                let w = text
                    .get(p..)
                    .and_then(|t| t.chars().next())
                    .map_or(1, char::len_utf8);
                (p, p + w)
            }
            pest::error::InputLocation::Span((a, b)) => (a, b),
        };
        let msg = match &e.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => {
                let mut names: Vec<String> = positives.iter().map(rule_name).collect();
                names.sort();
                names.dedup();
                names.truncate(12);
                if names.is_empty() {
                    "invalid syntax".to_string()
                } else {
                    format!("invalid syntax, expected {}", names.join(", "))
                }
            }
            pest::error::ErrorVariant::CustomError { message }
                if message.contains("limit reached") =>
            {
                "the query is too complex to parse: brackets or comprehensions nest around \
                 something unfinished; check that every bracket is closed"
                    .to_string()
            }
            pest::error::ErrorVariant::CustomError { message } => message.clone(),
        };
        let at = text.get(start..).and_then(|t| t.chars().next());
        let msg = match at {
            Some(
                c @ ('\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{201C}' | '\u{201D}'
                | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' | '\u{2032}' | '\u{2033}'),
            ) => format!(
                "{msg}; found the typographic quote {c}: strings take straight quotes ' or \" \
                 (or ‘…’ and “…” as a matching pair)"
            ),
            _ => msg,
        };
        syntax(
            msg,
            parse_error_detail(text, start),
            Span(start.min(text.len()), end.min(text.len())),
        )
    })?;
    let q = pairs
        .next()
        .ok_or_else(|| syntax("empty query", "InvalidSyntax", Span(0, 0)))?;
    check_nesting(q.clone())?;
    let mut explain = None;
    let mut body = None;
    for p in q.into_inner() {
        match p.as_rule() {
            Rule::kw_EXPLAIN => explain = Some(Explain::Explain),
            Rule::kw_PROFILE => explain = Some(Explain::Profile),
            Rule::regular_query => body = Some(regular_query(p)?),
            _ => {}
        }
    }
    let body = body.ok_or_else(|| syntax("empty query", "InvalidSyntax", Span(0, 0)))?;
    Ok(Query { explain, body })
}

fn regular_query(p: P) -> Res<RegularQuery> {
    let mut it = p.into_inner();
    let first = single_query(it.next().ok_or_else(|| bug("query"))?)?;
    let mut unions = Vec::new();
    for u in it {
        let sp = span(&u);
        let mut all = false;
        let mut q = None;
        for x in u.into_inner() {
            match x.as_rule() {
                Rule::kw_ALL => all = true,
                Rule::single_query => q = Some(single_query(x)?),
                _ => {}
            }
        }
        unions.push((all, q.ok_or_else(|| bug("union"))?, sp));
    }
    Ok(RegularQuery { first, unions })
}

fn bug(what: &str) -> QueryError {
    syntax(
        format!("unexpected parse tree at {what}"),
        "InvalidSyntax",
        Span(0, 0),
    )
}

fn single_query(p: P) -> Res<SingleQuery> {
    let clauses = p.into_inner().map(clause).collect::<Res<_>>()?;
    Ok(SingleQuery { clauses })
}

fn clause(p: P) -> Res<Clause> {
    let sp = span(&p);
    let rule = p.as_rule();
    let inner: Vec<P> = p.into_inner().collect();
    Ok(match rule {
        Rule::match_clause => {
            let mut optional = false;
            let mut pat = Vec::new();
            let mut where_ = None;
            for x in inner {
                match x.as_rule() {
                    Rule::kw_OPTIONAL => optional = true,
                    Rule::pattern => pat = pattern(x)?,
                    Rule::where_clause => where_ = Some(where_clause(x)?),
                    _ => {}
                }
            }
            Clause::Match {
                optional,
                pattern: pat,
                where_,
                span: sp,
            }
        }
        Rule::call_subquery => {
            let mut imports = None;
            let mut body = None;
            for x in inner {
                match x.as_rule() {
                    Rule::import_scope => {
                        let mut im = Imports {
                            star: false,
                            vars: Vec::new(),
                        };
                        for v in x.into_inner() {
                            match v.as_rule() {
                                Rule::star => im.star = true,
                                Rule::variable => im.vars.push(variable(v)),
                                _ => {}
                            }
                        }
                        imports = Some(im);
                    }
                    Rule::regular_query => body = Some(regular_query(x)?),
                    _ => {}
                }
            }
            Clause::Subquery {
                imports,
                body: body.ok_or_else(|| bug("CALL subquery"))?,
                span: sp,
            }
        }
        Rule::call_clause => {
            let mut name = String::new();
            let mut args = None;
            let mut yields = None;
            for x in inner {
                match x.as_rule() {
                    Rule::procedure_name => {
                        name = x
                            .into_inner()
                            .map(symbolic_name)
                            .collect::<Vec<_>>()
                            .join(".");
                    }
                    Rule::call_args => {
                        args = Some(x.into_inner().map(expression).collect::<Res<Vec<_>>>()?);
                    }
                    Rule::yield_clause => {
                        let mut y = Yield {
                            star: false,
                            items: Vec::new(),
                            where_: None,
                        };
                        for it in x.into_inner() {
                            match it.as_rule() {
                                Rule::star => y.star = true,
                                Rule::where_clause => y.where_ = Some(where_clause(it)?),
                                Rule::yield_item => {
                                    let sp = span(&it);
                                    let mut parts = it.into_inner();
                                    let out = parts.next().map(symbolic_name).unwrap_or_default();
                                    let var = parts.find(|p| p.as_rule() == Rule::variable).map_or(
                                        Var {
                                            name: out.clone(),
                                            span: sp,
                                        },
                                        variable,
                                    );
                                    y.items.push((out, var));
                                }
                                _ => {}
                            }
                        }
                        yields = Some(y);
                    }
                    _ => {}
                }
            }
            Clause::Call {
                name,
                args,
                yields,
                span: sp,
            }
        }
        Rule::unwind_clause => {
            let mut e = None;
            let mut v = None;
            for x in inner {
                match x.as_rule() {
                    Rule::expression => e = Some(expression(x)?),
                    Rule::variable => v = Some(variable(x)),
                    _ => {}
                }
            }
            Clause::Unwind {
                expr: e.ok_or_else(|| bug("unwind"))?,
                var: v.ok_or_else(|| bug("unwind"))?,
            }
        }
        Rule::with_clause => {
            let mut body = None;
            let mut where_ = None;
            for x in inner {
                match x.as_rule() {
                    Rule::projection_body => body = Some(projection(x)?),
                    Rule::where_clause => where_ = Some(where_clause(x)?),
                    _ => {}
                }
            }
            Clause::With {
                body: body.ok_or_else(|| bug("with"))?,
                where_,
                span: sp,
            }
        }
        Rule::return_clause => {
            let body = inner
                .into_iter()
                .find(|x| x.as_rule() == Rule::projection_body)
                .ok_or_else(|| bug("return"))?;
            Clause::Return {
                body: projection(body)?,
                span: sp,
            }
        }
        Rule::create_clause => {
            let pat = inner
                .into_iter()
                .find(|x| x.as_rule() == Rule::pattern)
                .ok_or_else(|| bug("create"))?;
            Clause::Create {
                pattern: pattern(pat)?,
                span: sp,
            }
        }
        Rule::merge_clause => {
            let mut part = None;
            let mut on_match = Vec::new();
            let mut on_create = Vec::new();
            for x in inner {
                match x.as_rule() {
                    Rule::pattern_part => part = Some(pattern_part(x)?),
                    Rule::merge_action => {
                        let mut is_match = false;
                        for y in x.into_inner() {
                            match y.as_rule() {
                                Rule::kw_MATCH => is_match = true,
                                Rule::set_clause => {
                                    let items = set_items(y)?;
                                    if is_match {
                                        on_match.extend(items);
                                    } else {
                                        on_create.extend(items);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Clause::Merge {
                part: part.ok_or_else(|| bug("merge"))?,
                on_match,
                on_create,
                span: sp,
            }
        }
        Rule::set_clause => {
            let items = inner
                .into_iter()
                .filter(|x| x.as_rule() == Rule::set_item)
                .map(set_item)
                .collect::<Res<_>>()?;
            Clause::Set { items }
        }
        Rule::remove_clause => {
            let mut items = Vec::new();
            for x in inner {
                if x.as_rule() != Rule::remove_item {
                    continue;
                }
                let y = x.into_inner().next().ok_or_else(|| bug("remove"))?;
                if y.as_rule() == Rule::set_labels {
                    let (var, labels) = set_labels(y)?;
                    items.push(RemoveItem::Labels { var, labels });
                } else {
                    items.push(RemoveItem::Prop(postfix_expr(y)?));
                }
            }
            Clause::Remove { items }
        }
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for x in inner {
                match x.as_rule() {
                    Rule::detach => detach = true,
                    Rule::expression => exprs.push(expression(x)?),
                    _ => {}
                }
            }
            Clause::Delete { detach, exprs }
        }
        _ => return Err(bug("clause")),
    })
}

fn set_items(p: P) -> Res<Vec<SetItem>> {
    p.into_inner()
        .filter(|x| x.as_rule() == Rule::set_item)
        .map(set_item)
        .collect()
}

fn set_labels(p: P) -> Res<(Var, Vec<String>)> {
    let mut it = p.into_inner();
    let v = variable(it.next().ok_or_else(|| bug("labels"))?);
    let ls = node_labels(it.next().ok_or_else(|| bug("labels"))?);
    Ok((v, ls))
}

fn set_item(p: P) -> Res<SetItem> {
    let x = p.into_inner().next().ok_or_else(|| bug("set"))?;
    let rule = x.as_rule();
    if rule == Rule::set_labels {
        let (var, labels) = set_labels(x)?;
        return Ok(SetItem::Labels { var, labels });
    }
    let mut it = x.into_inner();
    let a = it.next().ok_or_else(|| bug("set"))?;
    let b = expression(it.next().ok_or_else(|| bug("set"))?)?;
    Ok(match rule {
        Rule::set_prop => SetItem::Prop {
            target: postfix_expr(a)?,
            value: b,
        },
        Rule::set_add => SetItem::Merge {
            var: variable(a),
            value: b,
        },
        _ => SetItem::Replace {
            var: variable(a),
            value: b,
        },
    })
}

fn where_clause(p: P) -> Res<Expr> {
    let e = p
        .into_inner()
        .find(|x| x.as_rule() == Rule::expression)
        .ok_or_else(|| bug("where"))?;
    expression(e)
}

fn projection(p: P) -> Res<Projection> {
    let mut pr = Projection {
        distinct: false,
        star: false,
        items: Vec::new(),
        order: Vec::new(),
        skip: None,
        limit: None,
    };
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::distinct => pr.distinct = true,
            Rule::projection_items => {
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::star => pr.star = true,
                        Rule::projection_item => {
                            let text = span(&y);
                            let mut it = y.into_inner();
                            let e = it.next().ok_or_else(|| bug("item"))?;
                            // the column name is the item's text: without the
                            // spaces and comments the grammar skipped after it
                            let text = Span(text.0, text.0 + end_of_code(e.as_str()));
                            let expr = expression(e)?;
                            let alias = it.find(|z| z.as_rule() == Rule::variable).map(variable);
                            pr.items.push(ProjItem { expr, alias, text });
                        }
                        _ => {}
                    }
                }
            }
            Rule::order_by => {
                for y in x.into_inner() {
                    if y.as_rule() != Rule::sort_item {
                        continue;
                    }
                    let mut e = None;
                    let mut asc = true;
                    for z in y.into_inner() {
                        match z.as_rule() {
                            Rule::expression => e = Some(expression(z)?),
                            Rule::kw_DESC => asc = false,
                            _ => {}
                        }
                    }
                    pr.order.push((e.ok_or_else(|| bug("sort"))?, asc));
                }
            }
            Rule::skip => pr.skip = Some(last_expr(x)?),
            Rule::limit => pr.limit = Some(last_expr(x)?),
            _ => {}
        }
    }
    Ok(pr)
}

fn last_expr(p: P) -> Res<Expr> {
    let e = p
        .into_inner()
        .find(|x| x.as_rule() == Rule::expression)
        .ok_or_else(|| bug("expr"))?;
    expression(e)
}

// ----- names -----

fn symbolic_name(p: P) -> String {
    let inner = p.into_inner().next();
    match inner {
        Some(x) if x.as_rule() == Rule::escaped_name => x
            .into_inner()
            .next()
            .map(|y| y.as_str().replace("``", "`"))
            .unwrap_or_default(),
        Some(x) => x.as_str().to_string(),
        None => String::new(),
    }
}

fn variable(p: P) -> Var {
    let sp = span(&p);
    let name = p.into_inner().next().map(symbolic_name).unwrap_or_default();
    Var { name, span: sp }
}

fn node_labels(p: P) -> Vec<String> {
    p.into_inner().map(symbolic_name).collect()
}

// ----- patterns -----

fn pattern(p: P) -> Res<Vec<PatternPart>> {
    p.into_inner().map(pattern_part).collect()
}

fn pattern_part(p: P) -> Res<PatternPart> {
    let sp = span(&p);
    let mut var = None;
    let mut part = None;
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::variable => var = Some(variable(x)),
            Rule::pattern_element => part = Some(pattern_element(x)?),
            _ => {}
        }
    }
    let mut part = part.ok_or_else(|| bug("pattern"))?;
    part.var = var;
    part.span = sp;
    Ok(part)
}

fn pattern_element(p: P) -> Res<PatternPart> {
    let sp = span(&p);
    let mut it = p.into_inner().peekable();
    let first = it.next().ok_or_else(|| bug("pattern element"))?;
    match first.as_rule() {
        Rule::pattern_element => pattern_element(first),
        Rule::shortest_path => shortest_path(first),
        _ => {
            let start = node_pattern(first)?;
            let chain = it.map(pattern_chain).collect::<Res<_>>()?;
            Ok(PatternPart {
                var: None,
                shortest: None,
                start,
                chain,
                span: sp,
            })
        }
    }
}

fn shortest_path(p: P) -> Res<PatternPart> {
    let sp = span(&p);
    let mut all = false;
    let mut start = None;
    let mut chain = Vec::new();
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::kw_ALLSHORTEST => all = true,
            Rule::node_pattern => start = Some(node_pattern(x)?),
            Rule::pattern_chain => chain.push(pattern_chain(x)?),
            _ => {}
        }
    }
    Ok(PatternPart {
        var: None,
        shortest: Some(all),
        start: start.ok_or_else(|| bug("shortest"))?,
        chain,
        span: sp,
    })
}

fn pattern_expr(p: P) -> Res<PatternPart> {
    let sp = span(&p);
    let mut it = p.into_inner();
    let start = node_pattern(it.next().ok_or_else(|| bug("pattern"))?)?;
    let chain = it.map(pattern_chain).collect::<Res<_>>()?;
    Ok(PatternPart {
        var: None,
        shortest: None,
        start,
        chain,
        span: sp,
    })
}

fn pattern_chain(p: P) -> Res<(RelPat, NodePat)> {
    let mut it = p.into_inner();
    let r = rel_pattern(it.next().ok_or_else(|| bug("chain"))?)?;
    let n = node_pattern(it.next().ok_or_else(|| bug("chain"))?)?;
    Ok((r, n))
}

fn properties(p: P) -> Res<Expr> {
    let x = p.into_inner().next().ok_or_else(|| bug("properties"))?;
    atom(x)
}

fn node_pattern(p: P) -> Res<NodePat> {
    let sp = span(&p);
    let mut n = NodePat {
        var: None,
        labels: Vec::new(),
        props: None,
        span: sp,
    };
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::variable => n.var = Some(variable(x)),
            Rule::node_labels => n.labels = node_labels(x),
            Rule::properties => n.props = Some(properties(x)?),
            _ => {}
        }
    }
    Ok(n)
}

fn rel_pattern(p: P) -> Res<RelPat> {
    let sp = span(&p);
    let mut left = false;
    let mut right = false;
    let mut r = RelPat {
        var: None,
        types: Vec::new(),
        range: None,
        props: None,
        dir: Dir::Both,
        span: sp,
    };
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::rel_detail => {
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::variable => r.var = Some(variable(y)),
                        Rule::rel_types => r.types = y.into_inner().map(symbolic_name).collect(),
                        Rule::properties => r.props = Some(properties(y)?),
                        Rule::range => {
                            let mut lo = None;
                            let mut hi = None;
                            let mut dots = false;
                            for z in y.into_inner() {
                                let num = || {
                                    z.as_str().parse::<u64>().map_err(|_| {
                                        syntax("range bound too large", "IntegerOverflow", span(&z))
                                    })
                                };
                                match z.as_rule() {
                                    Rule::range_lo => lo = Some(num()?),
                                    Rule::range_hi => hi = Some(num()?),
                                    Rule::range_dots => dots = true,
                                    _ => {}
                                }
                            }
                            if !dots && lo.is_some() {
                                hi = lo;
                            }
                            r.range = Some((lo, hi));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    r.dir = match (left, right) {
        (true, false) => Dir::Left,
        (false, true) => Dir::Right,
        _ => Dir::Both,
    };
    Ok(r)
}

// ----- expressions -----

fn bin(op: BinOp, a: Expr, b: Expr, sp: Span) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b), sp)
}

pub(crate) fn expression(p: P) -> Res<Expr> {
    match p.as_rule() {
        Rule::expression => expression(p.into_inner().next().ok_or_else(|| bug("expr"))?),
        Rule::or_expr | Rule::xor_expr | Rule::and_expr => {
            let op = match p.as_rule() {
                Rule::or_expr => BinOp::Or,
                Rule::xor_expr => BinOp::Xor,
                _ => BinOp::And,
            };
            let sp = span(&p);
            let mut it = p
                .into_inner()
                .filter(|x| !matches!(x.as_rule(), Rule::kw_OR | Rule::kw_XOR | Rule::kw_AND));
            let mut acc = expression(it.next().ok_or_else(|| bug("expr"))?)?;
            for x in it {
                acc = bin(op, acc, expression(x)?, sp);
            }
            Ok(acc)
        }
        Rule::not_expr => {
            let mut nots = 0;
            let mut e = None;
            for x in p.into_inner() {
                if x.as_rule() == Rule::not_op {
                    nots += 1;
                } else {
                    e = Some(expression(x)?);
                }
            }
            let mut e = e.ok_or_else(|| bug("not"))?;
            for _ in 0..nots {
                e = Expr::Unary(UnOp::Not, Box::new(e));
            }
            Ok(e)
        }
        Rule::comparison => {
            let sp = span(&p);
            let mut it = p.into_inner();
            let first = expression(it.next().ok_or_else(|| bug("cmp"))?)?;
            let mut rest = Vec::new();
            while let Some(op) = it.next() {
                let o = match op.as_str() {
                    "=" => BinOp::Eq,
                    "<>" | "!=" => BinOp::Ne,
                    "<" => BinOp::Lt,
                    ">" => BinOp::Gt,
                    "<=" => BinOp::Le,
                    ">=" => BinOp::Ge,
                    _ => BinOp::Regex,
                };
                let e = expression(it.next().ok_or_else(|| bug("cmp"))?)?;
                rest.push((o, e));
            }
            if rest.is_empty() {
                return Ok(first);
            }
            let mut prev = first;
            let mut acc: Option<Expr> = None;
            for (o, e) in rest {
                let c = bin(o, prev, e.clone(), sp);
                acc = Some(match acc {
                    None => c,
                    Some(a) => bin(BinOp::And, a, c, sp),
                });
                prev = e;
            }
            acc.ok_or_else(|| bug("cmp"))
        }
        Rule::predicate_expr => {
            let mut it = p.into_inner();
            let mut acc = expression(it.next().ok_or_else(|| bug("pred"))?)?;
            for x in it {
                let sp = span(&x);
                let rule = x.as_rule();
                let operand = x
                    .into_inner()
                    .filter(|y| y.as_rule() == Rule::add_expr)
                    .last();
                acc = match rule {
                    Rule::is_null => Expr::IsNull(Box::new(acc), false),
                    Rule::is_not_null => Expr::IsNull(Box::new(acc), true),
                    _ => {
                        let op = match rule {
                            Rule::starts_with => BinOp::StartsWith,
                            Rule::ends_with => BinOp::EndsWith,
                            Rule::contains => BinOp::Contains,
                            Rule::in_op => BinOp::In,
                            _ => BinOp::Regex,
                        };
                        let b = expression(operand.ok_or_else(|| bug("pred"))?)?;
                        bin(op, acc, b, sp)
                    }
                };
            }
            Ok(acc)
        }
        Rule::add_expr | Rule::mul_expr => {
            let sp = span(&p);
            let mut it = p.into_inner();
            let mut acc = expression(it.next().ok_or_else(|| bug("arith"))?)?;
            while let Some(op) = it.next() {
                let o = match op.as_str() {
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    _ => BinOp::Mod,
                };
                let b = expression(it.next().ok_or_else(|| bug("arith"))?)?;
                acc = bin(o, acc, b, sp);
            }
            Ok(acc)
        }
        Rule::pow_expr => {
            let sp = span(&p);
            let mut it = p.into_inner();
            let mut acc = expression(it.next().ok_or_else(|| bug("pow"))?)?;
            for x in it {
                acc = bin(BinOp::Pow, acc, expression(x)?, sp);
            }
            Ok(acc)
        }
        Rule::unary_expr => {
            let mut ops = Vec::new();
            let mut e = None;
            for x in p.into_inner() {
                if x.as_rule() == Rule::unary_op {
                    ops.push(x.as_str() == "-");
                } else {
                    e = Some(x);
                }
            }
            let e = e.ok_or_else(|| bug("unary"))?;
            // fold `-<integer literal>` so that the smallest integer parses
            let mut expr = if ops.last() == Some(&true) && is_plain_number(&e) {
                ops.pop();
                negative_number(e)?
            } else {
                postfix_expr(e)?
            };
            for neg in ops.into_iter().rev() {
                expr = Expr::Unary(if neg { UnOp::Neg } else { UnOp::Pos }, Box::new(expr));
            }
            Ok(expr)
        }
        Rule::postfix_expr => postfix_expr(p),
        _ => atom(p),
    }
}

fn is_plain_number(p: &P) -> bool {
    let mut it = p.clone().into_inner();
    match (it.next(), it.next()) {
        (Some(a), None) => matches!(
            a.as_rule(),
            Rule::dec_int | Rule::hex_int | Rule::octal_int | Rule::float
        ),
        _ => false,
    }
}

fn negative_number(p: P) -> Res<Expr> {
    let a = p.into_inner().next().ok_or_else(|| bug("number"))?;
    let sp = span(&a);
    let s = a.as_str();
    Ok(match a.as_rule() {
        // a signed zero literal is the zero float (the TCK prints `0.0`)
        Rule::float => Expr::Lit(Literal::Float(0.0 - parse_float(s, sp)?)),
        _ => {
            let (digits, radix) = int_parts(s);
            let v = i128::from_str_radix(digits, radix)
                .map_err(|_| syntax("integer too large", "IntegerOverflow", sp))?;
            let v = i64::try_from(-v)
                .map_err(|_| syntax("integer too large", "IntegerOverflow", sp))?;
            Expr::Lit(Literal::Int(v))
        }
    })
}

fn int_parts(s: &str) -> (&str, u32) {
    if let Some(h) = s.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = s.strip_prefix("0o") {
        (o, 8)
    } else {
        (s, 10)
    }
}

fn parse_float(s: &str, sp: Span) -> Res<f64> {
    let v: f64 = s
        .parse()
        .map_err(|_| syntax("invalid float", "InvalidNumberLiteral", sp))?;
    if v.is_infinite() {
        return Err(syntax(
            "float literal too large",
            "FloatingPointOverflow",
            sp,
        ));
    }
    Ok(v)
}

fn postfix_expr(p: P) -> Res<Expr> {
    if p.as_rule() != Rule::postfix_expr {
        return atom(p);
    }
    let mut it = p.into_inner();
    let mut acc = atom(it.next().ok_or_else(|| bug("postfix"))?)?;
    for x in it {
        acc = match x.as_rule() {
            Rule::prop_lookup => {
                let k = x.into_inner().next().map(symbolic_name).unwrap_or_default();
                Expr::Prop(Box::new(acc), k)
            }
            Rule::index => {
                let e = expression(x.into_inner().next().ok_or_else(|| bug("index"))?)?;
                Expr::Index(Box::new(acc), Box::new(e))
            }
            Rule::slice => {
                let mut lo = None;
                let mut hi = None;
                for y in x.into_inner() {
                    let r = y.as_rule();
                    let e = expression(y.into_inner().next().ok_or_else(|| bug("slice"))?)?;
                    if r == Rule::slice_lo {
                        lo = Some(Box::new(e));
                    } else {
                        hi = Some(Box::new(e));
                    }
                }
                Expr::Slice(Box::new(acc), lo, hi)
            }
            Rule::label_check => {
                let ls = node_labels(x.into_inner().next().ok_or_else(|| bug("labels"))?);
                Expr::HasLabels(Box::new(acc), ls)
            }
            _ => return Err(bug("postfix")),
        };
    }
    Ok(acc)
}

fn unescape(s: &str, sp: Span) -> Res<String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else { break };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let hex: String = it.by_ref().take(n).collect();
                let ch = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| syntax("invalid unicode escape", "InvalidUnicodeLiteral", sp))?;
                out.push(ch);
            }
            _ => {
                return Err(syntax(
                    format!("invalid escape sequence \\{e}"),
                    "InvalidUnicodeLiteral",
                    sp,
                ));
            }
        }
    }
    Ok(out)
}

fn atom(p: P) -> Res<Expr> {
    let sp = span(&p);
    Ok(match p.as_rule() {
        Rule::dec_int | Rule::hex_int | Rule::octal_int => {
            let (digits, radix) = int_parts(p.as_str());
            let v = i64::from_str_radix(digits, radix)
                .map_err(|_| syntax("integer too large", "IntegerOverflow", sp))?;
            Expr::Lit(Literal::Int(v))
        }
        Rule::float => Expr::Lit(Literal::Float(parse_float(p.as_str(), sp)?)),
        Rule::string => {
            let inner = p.into_inner().next().map(|x| x.as_str()).unwrap_or("");
            Expr::Lit(Literal::Str(unescape(inner, sp)?))
        }
        Rule::kw_TRUE => Expr::Lit(Literal::Bool(true)),
        Rule::kw_FALSE => Expr::Lit(Literal::Bool(false)),
        Rule::kw_NULL => Expr::Lit(Literal::Null),
        Rule::map_literal => {
            let mut m = Vec::new();
            for e in p.into_inner() {
                m.push(map_entry(e)?);
            }
            Expr::Map(m)
        }
        Rule::list_literal => Expr::List(p.into_inner().map(expression).collect::<Res<_>>()?),
        Rule::parameter => {
            let x = p.into_inner().next().ok_or_else(|| bug("param"))?;
            let name = if x.as_rule() == Rule::param_index {
                x.as_str().to_string()
            } else {
                symbolic_name(x)
            };
            Expr::Param(name, sp)
        }
        Rule::case_expr => {
            let mut operand = None;
            let mut whens = Vec::new();
            let mut else_ = None;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::case_operand => operand = Some(Box::new(last_expr(x)?)),
                    Rule::case_when => {
                        let mut it = x.into_inner().filter(|y| y.as_rule() == Rule::expression);
                        let w = expression(it.next().ok_or_else(|| bug("case"))?)?;
                        let t = expression(it.next().ok_or_else(|| bug("case"))?)?;
                        whens.push((w, t));
                    }
                    Rule::case_else => else_ = Some(Box::new(last_expr(x)?)),
                    _ => {}
                }
            }
            Expr::Case {
                operand,
                whens,
                else_,
            }
        }
        Rule::count_star => Expr::CountStar(sp),
        Rule::list_comprehension => {
            let mut var = None;
            let mut list = None;
            let mut pred = None;
            let mut proj = None;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::variable => var = Some(variable(x)),
                    Rule::expression => list = Some(Box::new(expression(x)?)),
                    Rule::where_clause => pred = Some(Box::new(where_clause(x)?)),
                    Rule::comp_projection => proj = Some(Box::new(last_expr(x)?)),
                    _ => {}
                }
            }
            Expr::ListComp {
                var: var.ok_or_else(|| bug("comprehension"))?,
                list: list.ok_or_else(|| bug("comprehension"))?,
                pred,
                proj,
            }
        }
        Rule::pattern_comprehension => {
            let mut var = None;
            let mut part = None;
            let mut pred = None;
            let mut proj = None;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::variable => var = Some(variable(x)),
                    Rule::pattern_expr => part = Some(pattern_expr(x)?),
                    Rule::where_clause => pred = Some(Box::new(where_clause(x)?)),
                    Rule::expression => proj = Some(Box::new(expression(x)?)),
                    _ => {}
                }
            }
            let mut part = part.ok_or_else(|| bug("pattern comprehension"))?;
            part.var = var;
            Expr::PatternComp {
                part: Box::new(part),
                pred,
                proj: proj.ok_or_else(|| bug("pattern comprehension"))?,
            }
        }
        Rule::quantifier => {
            let mut kind = Quant::All;
            let mut var = None;
            let mut list = None;
            let mut pred = None;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::quantifier_kind => {
                        kind = match x.as_str().to_ascii_lowercase().as_str() {
                            "all" => Quant::All,
                            "any" => Quant::Any,
                            "none" => Quant::None,
                            _ => Quant::Single,
                        }
                    }
                    Rule::variable => var = Some(variable(x)),
                    Rule::expression => list = Some(Box::new(expression(x)?)),
                    Rule::where_clause => pred = Some(Box::new(where_clause(x)?)),
                    _ => {}
                }
            }
            Expr::Quantifier {
                kind,
                var: var.ok_or_else(|| bug("quantifier"))?,
                list: list.ok_or_else(|| bug("quantifier"))?,
                pred,
            }
        }
        Rule::reduce => {
            let mut vars = Vec::new();
            let mut exprs = Vec::new();
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::variable => vars.push(variable(x)),
                    Rule::expression => exprs.push(expression(x)?),
                    _ => {}
                }
            }
            if vars.len() != 2 || exprs.len() != 3 {
                return Err(bug("reduce"));
            }
            let mut e = exprs.into_iter();
            let mut v = vars.into_iter();
            Expr::Reduce {
                acc: v.next().ok_or_else(|| bug("reduce"))?,
                init: Box::new(e.next().ok_or_else(|| bug("reduce"))?),
                var: v.next().ok_or_else(|| bug("reduce"))?,
                list: Box::new(e.next().ok_or_else(|| bug("reduce"))?),
                expr: Box::new(e.next().ok_or_else(|| bug("reduce"))?),
            }
        }
        Rule::exists_subquery => {
            let mut pat = None;
            let mut where_ = None;
            let mut q = None;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::pattern => pat = Some(pattern(x)?),
                    Rule::where_clause => where_ = Some(where_clause(x)?),
                    Rule::regular_query => q = Some(regular_query(x)?),
                    _ => {}
                }
            }
            let body = match (q, pat) {
                (Some(q), _) => ExistsBody::Query(q),
                (None, Some(p)) => ExistsBody::Pattern(p, where_),
                _ => return Err(bug("exists")),
            };
            Expr::Exists(Box::new(body), sp)
        }
        Rule::shortest_path => Expr::Pattern(Box::new(shortest_path(p)?)),
        Rule::pattern_expr => Expr::Pattern(Box::new(pattern_expr(p)?)),
        Rule::function_call => {
            let mut name = String::new();
            let mut distinct = false;
            let mut args = Vec::new();
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::function_name => {
                        name = x
                            .into_inner()
                            .map(symbolic_name)
                            .collect::<Vec<_>>()
                            .join(".")
                    }
                    Rule::distinct => distinct = true,
                    Rule::expression => args.push(expression(x)?),
                    _ => {}
                }
            }
            Expr::Func {
                name,
                distinct,
                args,
                span: sp,
            }
        }
        Rule::map_projection => {
            let mut it = p.into_inner();
            let v = variable(it.next().ok_or_else(|| bug("map projection"))?);
            let mut items = Vec::new();
            for x in it {
                let y = x.into_inner().next().ok_or_else(|| bug("map projection"))?;
                items.push(match y.as_rule() {
                    Rule::map_proj_all => MapProjItem::All,
                    Rule::map_proj_prop => MapProjItem::Prop(
                        y.into_inner().next().map(symbolic_name).unwrap_or_default(),
                    ),
                    Rule::map_entry => {
                        let (k, e) = map_entry(y)?;
                        MapProjItem::Entry(k, e)
                    }
                    _ => MapProjItem::Var(variable(
                        y.into_inner().next().ok_or_else(|| bug("map projection"))?,
                    )),
                });
            }
            Expr::MapProj(v, items)
        }
        Rule::paren_expr => expression(p.into_inner().next().ok_or_else(|| bug("paren"))?)?,
        Rule::variable => Expr::Var(variable(p)),
        _ => expression_fallback(p)?,
    })
}

fn expression_fallback(p: P) -> Res<Expr> {
    if is_expression_rule(p.as_rule()) {
        expression(p)
    } else {
        Err(bug("atom"))
    }
}

/// The grammar's rules for an expression at each precedence level.
fn is_expression_rule(r: Rule) -> bool {
    matches!(
        r,
        Rule::expression
            | Rule::or_expr
            | Rule::xor_expr
            | Rule::and_expr
            | Rule::not_expr
            | Rule::comparison
            | Rule::predicate_expr
            | Rule::add_expr
            | Rule::mul_expr
            | Rule::pow_expr
            | Rule::unary_expr
            | Rule::postfix_expr
    )
}

fn map_entry(p: P) -> Res<(String, Expr)> {
    let mut it = p.into_inner();
    let k = symbolic_name(it.next().ok_or_else(|| bug("map"))?);
    let v = expression(it.next().ok_or_else(|| bug("map"))?)?;
    Ok((k, v))
}

#[cfg(test)]
mod words {
    use super::*;

    #[test]
    fn every_rule_but_the_keywords_has_a_name_in_user_words() {
        let missing: Vec<String> = Rule::all_rules()
            .iter()
            .filter(|r| !format!("{r:?}").starts_with("kw_") && plain_rule_name(**r).is_none())
            .map(|r| format!("{r:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "rules without a plain name: {missing:?}"
        );
    }
}
