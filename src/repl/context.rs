//! Where the cursor is in a statement, for Tab completion: a pure function
//! of the statement's text (earlier lines, the current line and the cursor),
//! so it is tested without a terminal or a graph.
//!
//! The text is split into tokens (strings, comments and backquoted names
//! skipped) and walked once, keeping the open brackets (node, relationship,
//! map, parenthesis, list, subquery block), the current clause (pattern or
//! expression) and the variables the statement binds: `(v:Label)`,
//! `[v:TYPE]`, `AS v`, `p = (…)`, `x IN …`. The token before the word under
//! the cursor and the innermost bracket then say what may come there.

/// What may be typed at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub enum Want {
    /// Nothing to offer (a new variable's name, a number, a comment …).
    Nothing,
    /// A `:command` (the line starts with `:`).
    Command,
    /// An entity name inside an open string quote.
    Name,
    /// A procedure name after `CALL` (dots included).
    Procedure,
    /// A node label (after `:` in a node, or in `v:` on a node variable).
    Label,
    /// A relationship type (after `:` or `|` in a relationship).
    Type,
    /// A property key of `owner`.
    Key(Owner),
    /// A function under a namespace (`date.tr`, `duration.in`): the word
    /// starts at the namespace.
    DottedFunction,
    /// A variable of the statement (reusing one in a pattern).
    Variable,
    /// The start of an expression: variables, functions and expression
    /// keywords (`DISTINCT` too right after `RETURN`/`WITH`).
    Expression { distinct: bool },
    /// After a complete expression or pattern: clause keywords, and the
    /// infix keywords (`AND`, `AS`, `IS NULL` …) when in an expression.
    After { clause: bool, infix: bool },
    /// The start of a clause.
    Clause { first: bool },
    /// The words that may follow a keyword (`ORDER` → `BY`).
    Next(&'static [&'static str]),
    /// Unknown: any keyword, function, label, type or key.
    Anything,
}

/// Whose property keys: the labels (or types) of a variable, as far as the
/// statement says.
#[derive(Clone, Debug, PartialEq)]
pub enum Owner {
    /// Any node or relationship.
    Any,
    /// A node with these labels (none: any node).
    Node(Vec<String>),
    /// A relationship with one of these types (none: any relationship).
    Rel(Vec<String>),
}

/// The completion context at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// Where the replaced word starts in the current line (bytes).
    pub start: usize,
    /// The text from `start` to the cursor.
    pub word: String,
    pub want: Want,
    /// The statement's variables bound before the cursor, in order.
    pub vars: Vec<String>,
    /// Whether keywords are offered in lower case: the word is typed in
    /// lower case, or (empty word) the statement's last keyword was.
    pub lower: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    /// A `` `quoted` `` name: a name, never a keyword.
    Quoted(String),
    Num,
    Str,
    Param,
    Punct(&'static str),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
    end: usize,
}

/// How the lexer stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tail {
    Code,
    /// Inside a string whose content starts at this offset.
    InString(usize),
    /// Inside a comment or a backquoted name.
    Dead,
}

const PUNCT2: &[&str] = &["<>", "<=", ">=", "!=", "=~", "+=", ".."];
const PUNCT1: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "=", "<", ">", "+", "-", "*", "/", "%", "^",
    "|", "&", "!", "?",
];

fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn lex(s: &str) -> (Vec<Token>, Tail) {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        let rest = &s[i..];
        if rest.starts_with("//") {
            match rest.find('\n') {
                Some(n) => {
                    while it.peek().is_some_and(|(j, _)| *j < i + n) {
                        it.next();
                    }
                    continue;
                }
                None => return (out, Tail::Dead),
            }
        }
        if let Some(inner) = rest.strip_prefix("/*") {
            match inner.find("*/") {
                Some(n) => {
                    let stop = i + 2 + n + 2;
                    while it.peek().is_some_and(|(j, _)| *j < stop) {
                        it.next();
                    }
                    continue;
                }
                None => return (out, Tail::Dead),
            }
        }
        let close = match c {
            '\'' | '"' => Some(c),
            '\u{2018}' => Some('\u{2019}'),
            '\u{201C}' => Some('\u{201D}'),
            _ => None,
        };
        if let Some(q) = close {
            let content = i + c.len_utf8();
            let mut escaped = false;
            let mut end = None;
            for (j, d) in it.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == q {
                    end = Some(j + d.len_utf8());
                    break;
                }
            }
            match end {
                Some(end) => out.push(Token {
                    tok: Tok::Str,
                    at: i,
                    end,
                }),
                None => return (out, Tail::InString(content)),
            }
            continue;
        }
        if c == '`' {
            let mut name = String::new();
            let mut end = None;
            while let Some((j, d)) = it.next() {
                if d == '`' {
                    if it.peek().is_some_and(|(_, e)| *e == '`') {
                        it.next();
                        name.push('`');
                        continue;
                    }
                    end = Some(j + 1);
                    break;
                }
                name.push(d);
            }
            match end {
                Some(end) => out.push(Token {
                    tok: Tok::Quoted(name),
                    at: i,
                    end,
                }),
                None => return (out, Tail::Dead),
            }
            continue;
        }
        if ident_start(c) || c.is_ascii_digit() || c == '$' {
            let mut end = i + c.len_utf8();
            while let Some((j, d)) = it.peek().copied() {
                // `1.5` is one number; `n.x` and `1..3` are not
                let decimal = d == '.'
                    && c.is_ascii_digit()
                    && s[j + 1..].starts_with(|e: char| e.is_ascii_digit())
                    && !s[i..j].contains('.');
                if ident_char(d) || decimal {
                    end = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            let tok = if c == '$' {
                Tok::Param
            } else if c.is_ascii_digit() {
                Tok::Num
            } else {
                Tok::Word(s[i..end].to_string())
            };
            out.push(Token { tok, at: i, end });
            continue;
        }
        let p = PUNCT2
            .iter()
            .chain(PUNCT1)
            .find(|p| rest.starts_with(**p))
            .copied();
        if let Some(p) = p {
            if p.len() == 2 {
                it.next();
            }
            out.push(Token {
                tok: Tok::Punct(p),
                at: i,
                end: i + p.len(),
            });
        }
        // any other character is skipped
    }
    (out, Tail::Code)
}

/// Words the REPL never offers as a variable: the query language's reserved
/// words and a few more that start statements or expressions.
fn reserved(u: &str) -> bool {
    crate::query::ast::RESERVED_WORDS.contains(&u) || matches!(u, "EXPLAIN" | "PROFILE" | "EXISTS")
}

/// Keywords after which an expression starts.
const EXPR_START: &[&str] = &[
    "WHERE", "RETURN", "WITH", "UNWIND", "SET", "DELETE", "REMOVE", "SKIP", "LIMIT", "BY", "AND",
    "OR", "XOR", "NOT", "IN", "CONTAINS", "CASE", "WHEN", "THEN", "ELSE", "DISTINCT",
];

/// Operators after which an expression starts (`,` and brackets are
/// decided by where they are).
const OPERATORS: &[&str] = &[
    "=", "<>", "!=", "<", ">", "<=", ">=", "=~", "+", "-", "*", "/", "%", "^", "+=", "..",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Clause {
    /// Statement start, or after `UNION`, `EXPLAIN`, `PROFILE`.
    Start,
    /// `MATCH`, `CREATE`, `MERGE`: patterns.
    Pattern,
    /// `WHERE`, `RETURN`, `WITH`, `SET` …: expressions.
    Expr,
    /// `CALL` before its arguments.
    Call,
    /// `YIELD` items.
    Yield,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Node,
    Rel,
    /// A parenthesis in an expression (function arguments included);
    /// `pattern` when its content is a pattern (`shortestPath(…)`).
    Paren {
        pattern: bool,
    },
    List,
    /// A map; `owner` is the variable whose keys it may hold (a node's or
    /// relationship's properties, a map projection `v {.key}`).
    Map {
        owner: Option<usize>,
    },
    /// A subquery `{ … }` after `CALL` or `EXISTS`.
    Block,
}

#[derive(Clone, Debug)]
struct Frame {
    kind: Kind,
    /// The binding of a node's or relationship's variable.
    binding: Option<usize>,
    /// The node's or relationship's own labels or types.
    labels: Vec<String>,
    /// The clause outside the bracket, back when it closes.
    outer: Clause,
}

#[derive(Clone, Debug, PartialEq)]
struct Binding {
    name: String,
    at: usize,
    /// `Some(false)` for a node, `Some(true)` for a relationship, `None`
    /// for any other value.
    rel: Option<bool>,
    labels: Vec<String>,
}

/// The state after walking a token list.
#[derive(Debug)]
struct Walk {
    frames: Vec<Frame>,
    clause: Clause,
    bindings: Vec<Binding>,
    /// Whether the last keyword seen was written in lower case.
    lower: bool,
}

fn upper(t: &Tok) -> Option<String> {
    match t {
        Tok::Word(w) => Some(w.to_ascii_uppercase()),
        _ => None,
    }
}

fn is_punct(t: Option<&Token>, p: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Punct(q), .. }) if *q == p)
}

/// Whether token `i` is a keyword: a reserved word not used as a label,
/// type, key or parameter name.
fn keyword_at(toks: &[Token], i: usize) -> Option<String> {
    let u = upper(&toks[i].tok)?;
    if !reserved(u.as_str()) {
        return None;
    }
    if i > 0 && matches!(&toks[i - 1].tok, Tok::Punct(".") | Tok::Punct(":")) {
        return None;
    }
    Some(u)
}

fn name_of(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) | Tok::Quoted(w) => Some(w),
        _ => None,
    }
}

impl Walk {
    fn new() -> Walk {
        Walk {
            frames: Vec::new(),
            clause: Clause::Start,
            bindings: Vec::new(),
            lower: false,
        }
    }

    /// Whether the tokens here are a pattern (not an expression).
    fn pattern_level(&self) -> bool {
        match self.frames.last().map(|f| &f.kind) {
            None | Some(Kind::Block) => self.clause == Clause::Pattern,
            Some(Kind::Paren { pattern }) => *pattern,
            Some(_) => false,
        }
    }

    fn bind(&mut self, name: &str, at: usize, rel: Option<bool>) -> usize {
        self.bindings.push(Binding {
            name: name.to_string(),
            at,
            rel,
            labels: Vec::new(),
        });
        self.bindings.len() - 1
    }

    /// The latest binding of a name before `at`.
    fn lookup(&self, name: &str) -> Option<usize> {
        self.bindings.iter().rposition(|b| b.name == name)
    }

    fn over(toks: &[Token]) -> Walk {
        let mut w = Walk::new();
        for i in 0..toks.len() {
            w.step(toks, i);
        }
        w
    }

    fn step(&mut self, toks: &[Token], i: usize) {
        let t = &toks[i];
        let prev = i.checked_sub(1).map(|j| &toks[j]);
        let next = toks.get(i + 1);
        match &t.tok {
            Tok::Word(_) | Tok::Quoted(_) => {
                if let Some(k) = keyword_at(toks, i).filter(|_| matches!(t.tok, Tok::Word(_))) {
                    if let Tok::Word(w) = &t.tok {
                        self.lower = w.chars().all(|c| !c.is_uppercase());
                    }
                    self.keyword(&k, toks, i);
                    return;
                }
                let name = name_of(&t.tok).unwrap_or_default().to_string();
                let top = self.frames.last().map(|f| f.kind.clone());
                // `(v` / `[v`: a node or relationship variable
                if let (Some(Kind::Node | Kind::Rel), Some(p)) = (&top, prev)
                    && matches!(p.tok, Tok::Punct("(") | Tok::Punct("["))
                {
                    let rel = top == Some(Kind::Rel);
                    let existing = self
                        .lookup(&name)
                        .filter(|b| self.bindings[*b].rel == Some(rel));
                    let b = existing.unwrap_or_else(|| self.bind(&name, t.at, Some(rel)));
                    if let Some(f) = self.frames.last_mut() {
                        f.binding = Some(b);
                    }
                    return;
                }
                // `:Label`, `|TYPE`, `&Label` in a node or relationship
                if matches!(top, Some(Kind::Node | Kind::Rel))
                    && prev.is_some_and(|p| {
                        matches!(p.tok, Tok::Punct(":") | Tok::Punct("|") | Tok::Punct("&"))
                    })
                {
                    if let Some(f) = self.frames.last_mut() {
                        f.labels.push(name.clone());
                        if let Some(b) = f.binding {
                            self.bindings[b].labels.push(name);
                        }
                    }
                    return;
                }
                // `v:Label` in an expression
                if is_punct(prev, ":")
                    && i >= 2
                    && !matches!(top, Some(Kind::Map { .. }))
                    && let Some(v) = name_of(&toks[i - 2].tok)
                    && let Some(b) = self.lookup(v)
                {
                    self.bindings[b].labels.push(name);
                    return;
                }
                let after_as = prev.is_some_and(|p| upper(&p.tok).as_deref() == Some("AS"));
                let before_in = next.is_some_and(|n| upper(&n.tok).as_deref() == Some("IN"))
                    && !is_punct(prev, ".");
                let path_var =
                    self.frames.is_empty() && self.clause == Clause::Pattern && is_punct(next, "=");
                let yielded = self.clause == Clause::Yield && !is_punct(prev, ".");
                if after_as || before_in || path_var || yielded {
                    let b = self.bind(&name, t.at, None);
                    // `WITH c AS claim`: the new name is the same node
                    let alias_of = (after_as && i >= 3)
                        .then(|| &toks[i - 2])
                        .filter(|_| {
                            matches!(toks[i - 3].tok, Tok::Punct(","))
                                || matches!(
                                    keyword_at(toks, i - 3).as_deref(),
                                    Some("WITH" | "RETURN" | "DISTINCT")
                                )
                        })
                        .and_then(|v| name_of(&v.tok))
                        .and_then(|v| self.lookup(v))
                        .filter(|o| *o != b);
                    if let Some(o) = alias_of {
                        self.bindings[b].rel = self.bindings[o].rel;
                        self.bindings[b].labels = self.bindings[o].labels.clone();
                    }
                }
            }
            Tok::Punct("(") => {
                let fun = prev.is_some_and(|p| match &p.tok {
                    Tok::Word(_) | Tok::Quoted(_) => {
                        keyword_at(toks, i - 1).is_none_or(|k| k == "EXISTS" || k == "CALL")
                    }
                    _ => false,
                });
                let pattern_fun = prev
                    .and_then(|p| upper(&p.tok))
                    .is_some_and(|w| w == "SHORTESTPATH" || w == "ALLSHORTESTPATHS");
                let arrow = |j: usize| {
                    // `)-(`, `]-(`, `-->(`, `<--(`: a pattern in an expression
                    j >= 1
                        && matches!(toks[j].tok, Tok::Punct("-") | Tok::Punct(">"))
                        && matches!(
                            toks[j - 1].tok,
                            Tok::Punct("-") | Tok::Punct(")") | Tok::Punct("]")
                        )
                };
                let kind = if pattern_fun {
                    Kind::Paren { pattern: true }
                } else if fun {
                    Kind::Paren { pattern: false }
                } else if self.pattern_level() || (i >= 1 && arrow(i - 1)) {
                    Kind::Node
                } else {
                    Kind::Paren { pattern: false }
                };
                self.push(kind);
            }
            Tok::Punct("[") => {
                let dash_after_end = i >= 2
                    && is_punct(prev, "-")
                    && matches!(toks[i - 2].tok, Tok::Punct(")") | Tok::Punct("<"));
                let kind = if (self.pattern_level() && is_punct(prev, "-")) || dash_after_end {
                    Kind::Rel
                } else {
                    Kind::List
                };
                self.push(kind);
            }
            Tok::Punct("{") => {
                let block = prev.is_some_and(|p| {
                    matches!(p.tok, Tok::Punct(")"))
                        || matches!(keyword_at(toks, i - 1).as_deref(), Some("CALL" | "EXISTS"))
                });
                if block {
                    self.push(Kind::Block);
                    self.clause = Clause::Start;
                } else {
                    let owner = match self.frames.last() {
                        Some(f) if matches!(f.kind, Kind::Node | Kind::Rel) => f.binding,
                        _ => prev
                            .and_then(|p| name_of(&p.tok))
                            .and_then(|v| self.lookup(v)),
                    };
                    // an anonymous node's map: its keys are the frame's labels
                    let owner = owner.or_else(|| match self.frames.last() {
                        Some(f) if matches!(f.kind, Kind::Node | Kind::Rel) => {
                            let rel = f.kind == Kind::Rel;
                            let labels = f.labels.clone();
                            let b = self.bind("", t.at, Some(rel));
                            self.bindings[b].labels = labels;
                            if let Some(f) = self.frames.last_mut() {
                                f.binding = Some(b);
                            }
                            Some(b)
                        }
                        _ => None,
                    });
                    self.push(Kind::Map { owner });
                }
            }
            Tok::Punct(")") | Tok::Punct("]") | Tok::Punct("}") => {
                if let Some(f) = self.frames.pop() {
                    self.clause = f.outer;
                }
            }
            // a new statement: nothing of the last one is in scope
            Tok::Punct(";") => *self = Walk::new(),
            _ => {}
        }
    }

    fn push(&mut self, kind: Kind) {
        let outer = self.clause;
        if !matches!(kind, Kind::Block) && self.clause == Clause::Call {
            // `CALL proc(`: its arguments are expressions
            self.clause = Clause::Expr;
        }
        self.frames.push(Frame {
            kind,
            binding: None,
            labels: Vec::new(),
            outer,
        });
    }

    fn keyword(&mut self, k: &str, toks: &[Token], i: usize) {
        let prev = i
            .checked_sub(1)
            .and_then(|j| keyword_at(toks, j))
            .unwrap_or_default();
        self.clause = match k {
            "MATCH" | "CREATE" | "MERGE" if prev == "ON" => self.clause,
            "MATCH" | "CREATE" | "MERGE" => Clause::Pattern,
            "WITH" if prev == "STARTS" || prev == "ENDS" => self.clause,
            "WHERE" | "RETURN" | "WITH" | "UNWIND" | "SET" | "DELETE" | "REMOVE" | "SKIP"
            | "LIMIT" | "ORDER" | "BY" => Clause::Expr,
            "CALL" => Clause::Call,
            "YIELD" => Clause::Yield,
            "UNION" | "EXPLAIN" | "PROFILE" => Clause::Start,
            _ => self.clause,
        };
    }
}

/// The procedure or function name (`a.b.c`, no spaces) ending at the end
/// of `toks`, with the word under the cursor: its first token's index.
fn dotted_start(toks: &[Token], word_at: usize) -> Option<usize> {
    let mut at = word_at;
    let mut i = toks.len();
    let mut first = None;
    while i >= 2 && is_punct(toks.get(i - 1), ".") && toks[i - 1].end == at {
        let w = &toks[i - 2];
        if !matches!(w.tok, Tok::Word(_)) || w.end != toks[i - 1].at {
            break;
        }
        at = w.at;
        i -= 2;
        first = Some(i);
    }
    first
}

/// The completion context for the cursor at byte `pos` of `line`, the
/// statement's earlier lines being `earlier` (empty on its first line).
pub fn complete_at(earlier: &str, line: &str, pos: usize) -> Completion {
    let pos = pos.min(line.len());
    let pos = (0..=pos)
        .rev()
        .find(|p| line.is_char_boundary(*p))
        .unwrap_or(0);
    let before = &line[..pos];
    let nothing = |start: usize| Completion {
        start,
        word: before[start..].to_string(),
        want: Want::Nothing,
        vars: Vec::new(),
        lower: false,
    };
    if earlier.trim().is_empty() && before.trim_start().starts_with(':') {
        if before.trim_start().contains(char::is_whitespace) {
            return nothing(pos);
        }
        let start = before.len() - before.trim_start().len();
        return Completion {
            start,
            want: Want::Command,
            ..nothing(start)
        };
    }
    let offset = if earlier.is_empty() {
        0
    } else {
        earlier.len() + 1
    };
    let text = if earlier.is_empty() {
        before.to_string()
    } else {
        format!("{earlier}\n{before}")
    };
    let (mut toks, tail) = lex(&text);
    match tail {
        Tail::Dead => return nothing(pos),
        Tail::InString(content) => {
            let start = content.saturating_sub(offset);
            return Completion {
                start,
                want: Want::Name,
                ..nothing(start)
            };
        }
        Tail::Code => {}
    }
    // the word under the cursor (letters, digits, `_`), if any
    let word_at = match toks.last() {
        Some(t) if t.end == text.len() && t.at >= offset => match &t.tok {
            Tok::Word(_) => {
                let at = t.at;
                toks.pop();
                at
            }
            Tok::Num | Tok::Param | Tok::Quoted(_) => return nothing(pos),
            _ => text.len(),
        },
        _ => text.len(),
    };
    let start = word_at - offset;
    // bindings from the whole statement (a label given later on the line
    // counts), variables offered only from before the cursor
    let full = if earlier.is_empty() {
        line.to_string()
    } else {
        format!("{earlier}\n{line}")
    };
    let (all_toks, _) = lex(&full);
    let all = Walk::over(&all_toks);
    let w = Walk::over(&toks);
    let mut vars: Vec<String> = Vec::new();
    for b in &all.bindings {
        if b.at < word_at && !b.name.is_empty() && !vars.contains(&b.name) {
            vars.push(b.name.clone());
        }
    }
    let word = before[start..].to_string();
    let lower = if word.chars().any(char::is_alphabetic) {
        !word.chars().any(char::is_uppercase)
    } else {
        w.lower
    };
    let done = |want: Want| Completion {
        start,
        word: word.clone(),
        want,
        vars: vars.clone(),
        lower,
    };
    let owner_of = |name: &str| -> Owner {
        match all.bindings.iter().filter(|b| b.name == name).fold(
            None::<(Option<bool>, Vec<String>)>,
            |acc, b| {
                let (rel, mut labels) = acc.unwrap_or((b.rel, Vec::new()));
                for l in &b.labels {
                    if !labels.contains(l) {
                        labels.push(l.clone());
                    }
                }
                Some((rel.or(b.rel), labels))
            },
        ) {
            None | Some((None, _)) => Owner::Any,
            Some((Some(false), l)) => Owner::Node(l),
            Some((Some(true), l)) => Owner::Rel(l),
        }
    };

    // `CALL db.la`, `date.tr`, `n.na`
    if let Some(first) = dotted_start(&toks, word_at) {
        let after_call = first > 0 && keyword_at(&toks, first - 1).as_deref() == Some("CALL");
        let chain_start = toks[first].at;
        let head = name_of(&toks[first].tok).unwrap_or_default();
        let is_var = vars.iter().any(|v| v == head);
        if after_call {
            let s = chain_start.saturating_sub(offset);
            return Completion {
                start: s,
                word: before[s..].to_string(),
                ..done(Want::Procedure)
            };
        }
        if first + 2 == toks.len() && (is_var || !is_namespace(head)) {
            return done(Want::Key(owner_of(head)));
        }
        if !is_var && is_namespace(head) {
            let s = chain_start.saturating_sub(offset);
            return Completion {
                start: s,
                word: before[s..].to_string(),
                ..done(Want::DottedFunction)
            };
        }
        return done(Want::Key(Owner::Any));
    }
    let n = toks.len();
    let p = toks.last();
    let pp = n.checked_sub(2).map(|j| &toks[j]);
    let pkw = n.checked_sub(1).and_then(|j| keyword_at(&toks, j));
    if pkw.as_deref() == Some("CALL") {
        return done(Want::Procedure);
    }
    let top = w.frames.last().map(|f| f.kind.clone());
    let in_expr = !w.pattern_level() && !matches!(top, Some(Kind::Node | Kind::Rel));
    let Some(p) = p else {
        return done(Want::Clause { first: true });
    };
    // separated from the word by nothing: `n.`, `n:`, `{.`
    match &p.tok {
        Tok::Punct(".") => {
            return match pp.map(|t| &t.tok) {
                Some(Tok::Punct("{") | Tok::Punct(",")) => match top {
                    Some(Kind::Map { owner: Some(b) }) => {
                        done(Want::Key(owner_of(&w.bindings[b].name)))
                    }
                    _ => done(Want::Key(Owner::Any)),
                },
                Some(Tok::Num) => nothing(pos),
                _ => done(Want::Key(Owner::Any)),
            };
        }
        Tok::Punct(":") | Tok::Punct("|") | Tok::Punct("&") | Tok::Punct("!") => {
            match top {
                Some(Kind::Node) => return done(Want::Label),
                Some(Kind::Rel) => return done(Want::Type),
                _ => {}
            }
            if is_punct(Some(p), ":") {
                if let Some(Kind::Map { .. }) = &top {
                    // `{key: ` a value; `(n {key: ` too
                    return done(Want::Expression { distinct: false });
                }
                if let Some(v) = pp.and_then(|t| name_of(&t.tok)) {
                    return match owner_of(v) {
                        Owner::Rel(_) => done(Want::Type),
                        _ => done(Want::Label),
                    };
                }
                return done(Want::Label);
            }
            if is_punct(Some(p), "|") {
                return done(Want::Expression { distinct: false });
            }
            return nothing(pos);
        }
        _ => {}
    }
    // in a node or relationship: a variable right after the bracket
    if matches!(top, Some(Kind::Node | Kind::Rel)) {
        return match &p.tok {
            Tok::Punct("(") | Tok::Punct("[") => done(Want::Variable),
            _ => nothing(pos),
        };
    }
    // a map's keys
    if let Some(Kind::Map { owner }) = &top
        && matches!(p.tok, Tok::Punct("{") | Tok::Punct(","))
    {
        return match owner {
            Some(b) if w.bindings[*b].name.is_empty() => {
                let b = &w.bindings[*b];
                done(Want::Key(match b.rel {
                    Some(true) => Owner::Rel(b.labels.clone()),
                    Some(false) => Owner::Node(b.labels.clone()),
                    None => Owner::Any,
                }))
            }
            Some(b) => done(Want::Key(owner_of(&w.bindings[*b].name))),
            None => done(Want::Key(Owner::Any)),
        };
    }
    if let Some(k) = pkw.as_deref() {
        let pk = n.checked_sub(2).and_then(|j| keyword_at(&toks, j));
        let follow: Option<&'static [&'static str]> = match k {
            "OPTIONAL" => Some(&["MATCH", "CALL"]),
            "ORDER" => Some(&["BY"]),
            "DETACH" => Some(&["DELETE"]),
            "STARTS" | "ENDS" => Some(&["WITH"]),
            "IS" => Some(&["NULL", "NOT NULL"]),
            "NOT" if pk.as_deref() == Some("IS") => Some(&["NULL"]),
            "ON" => Some(&["CREATE SET", "MATCH SET"]),
            "UNION" => Some(&["ALL"]),
            _ => None,
        };
        if let Some(f) = follow {
            return done(Want::Next(f));
        }
        match k {
            "EXPLAIN" | "PROFILE" => return done(Want::Clause { first: false }),
            "AS" => return nothing(pos),
            "NULL" | "TRUE" | "FALSE" | "END" | "ASC" | "ASCENDING" | "DESC" | "DESCENDING" => {
                return done(Want::After {
                    clause: w.frames.is_empty() || top == Some(Kind::Block),
                    infix: true,
                });
            }
            "MATCH" | "CREATE" | "MERGE" | "YIELD" | "EXISTS" => return nothing(pos),
            _ => {}
        }
        if EXPR_START.contains(&k) {
            return done(Want::Expression {
                distinct: k == "RETURN" || k == "WITH",
            });
        }
        return done(Want::Anything);
    }
    let at_top = w.frames.is_empty() || top == Some(Kind::Block);
    match &p.tok {
        Tok::Punct(";") => done(Want::Clause { first: true }),
        Tok::Punct("{") if top == Some(Kind::Block) => done(Want::Clause { first: false }),
        Tok::Punct("*")
            if pp.is_some_and(|t| matches!(upper(&t.tok).as_deref(), Some("RETURN" | "WITH"))) =>
        {
            done(Want::After {
                clause: at_top,
                infix: false,
            })
        }
        Tok::Punct(op) if OPERATORS.contains(op) && !in_expr => nothing(pos),
        Tok::Punct(op) if OPERATORS.contains(op) => done(Want::Expression { distinct: false }),
        Tok::Punct(",") if in_expr => done(Want::Expression { distinct: false }),
        Tok::Punct("(") | Tok::Punct("[") if in_expr => {
            // `count(` may take DISTINCT
            done(Want::Expression {
                distinct: matches!(p.tok, Tok::Punct("("))
                    && pp.is_some_and(|t| name_of(&t.tok).is_some()),
            })
        }
        Tok::Punct(",") | Tok::Punct("(") | Tok::Punct("[") => nothing(pos),
        Tok::Word(_) | Tok::Quoted(_) | Tok::Num | Tok::Str | Tok::Param => {
            if w.clause == Clause::Call {
                // `CALL proc YIELD`
                return done(Want::After {
                    clause: true,
                    infix: false,
                });
            }
            if w.clause == Clause::Yield {
                return done(Want::After {
                    clause: at_top,
                    infix: false,
                });
            }
            if w.pattern_level() {
                return nothing(pos);
            }
            done(Want::After {
                clause: at_top,
                infix: true,
            })
        }
        Tok::Punct(")") | Tok::Punct("]") | Tok::Punct("}") => {
            if w.pattern_level() || w.clause == Clause::Call {
                return done(Want::After {
                    clause: at_top,
                    infix: false,
                });
            }
            done(Want::After {
                clause: at_top,
                infix: true,
            })
        }
        _ => done(Want::Anything),
    }
}

/// Whether `name` is a function namespace (`date` in `date.truncate`).
fn is_namespace(name: &str) -> bool {
    crate::query::function_names().any(|f| {
        f.split_once('.')
            .is_some_and(|(ns, _)| ns.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(line: &str) -> Completion {
        complete_at("", line, line.len())
    }

    fn want(line: &str) -> Want {
        at_end(line).want
    }

    #[test]
    fn labels_types_and_names() {
        assert_eq!(want("MATCH (n:Pe"), Want::Label);
        assert_eq!(want("MATCH (:"), Want::Label);
        assert_eq!(want("MATCH (n:Person:Ac"), Want::Label);
        assert_eq!(want("MATCH (n)-[r:PE"), Want::Type);
        assert_eq!(want("MATCH (n)-[:SAID|DEN"), Want::Type);
        assert_eq!(want("MATCH (n)<-[:SAID|:"), Want::Type);
        assert_eq!(want("MATCH (n {name: 'x'})-[:"), Want::Type);
        assert_eq!(want("MATCH (n) WHERE n:Pe"), Want::Label);
        assert_eq!(want("MATCH ()-[r]->() WHERE r:SA"), Want::Type);
        assert_eq!(want("MATCH (a)-->(b:"), Want::Label);
        // a pattern in an expression
        assert_eq!(want("MATCH (a) WHERE (a)-[:"), Want::Type);
        assert_eq!(want("MATCH (a) WHERE (a)-->(:"), Want::Label);
        let c = at_end("MATCH (n {name: 'Zelen");
        assert_eq!(
            (c.start, c.word.as_str(), c.want),
            (17, "Zelen", Want::Name)
        );
        assert_eq!(want("RETURN \u{2018}Kur"), Want::Name);
        assert_eq!(want("RETURN 'a', \"b"), Want::Name);
        // a closed string is not a place for names
        assert_ne!(want("RETURN 'a' "), Want::Name);
        assert_eq!(want("MATCH (n) // a comment"), Want::Nothing);
        assert_eq!(want("RETURN `odd na"), Want::Nothing);
    }

    #[test]
    fn keys_know_the_variable() {
        let k = |l: &str| want(l);
        assert_eq!(
            k("MATCH (c:Claim) RETURN c.st"),
            Want::Key(Owner::Node(vec!["Claim".into()]))
        );
        assert_eq!(
            k("MATCH (a:Person:Actor)-[r:SAID|DENIED]->(c) RETURN a."),
            Want::Key(Owner::Node(vec!["Person".into(), "Actor".into()]))
        );
        assert_eq!(
            k("MATCH (a)-[r:SAID|DENIED]->(c) WHERE r."),
            Want::Key(Owner::Rel(vec!["SAID".into(), "DENIED".into()]))
        );
        assert_eq!(k("MATCH (n) RETURN n.na"), Want::Key(Owner::Node(vec![])));
        assert_eq!(
            k("MATCH ()-[r]-() RETURN r."),
            Want::Key(Owner::Rel(vec![]))
        );
        assert_eq!(k("RETURN x.na"), Want::Key(Owner::Any));
        assert_eq!(k("UNWIND [1] AS x RETURN x."), Want::Key(Owner::Any));
        // the label of every mention, later ones on the line included
        assert_eq!(
            complete_at("", "MATCH (p) RETURN p. , (p:Place)", 19).want,
            Want::Key(Owner::Node(vec!["Place".into()]))
        );
        assert_eq!(
            k("MATCH (p:Person) MATCH (p:Actor) RETURN p.name, p."),
            Want::Key(Owner::Node(vec!["Person".into(), "Actor".into()]))
        );
        // a variable renamed by WITH keeps its labels
        assert_eq!(
            k("MATCH (c:Claim) WITH c AS claim, 1 AS one RETURN claim."),
            Want::Key(Owner::Node(vec!["Claim".into()]))
        );
        assert_eq!(
            k("MATCH (c:Claim) WITH c.text AS claim RETURN claim."),
            Want::Key(Owner::Any)
        );
        // a label check in WHERE counts too
        assert_eq!(
            k("MATCH (p) WHERE p:Person AND p."),
            Want::Key(Owner::Node(vec!["Person".into()]))
        );
        // earlier lines of the statement
        assert_eq!(
            complete_at("MATCH (c:Claim)\nWHERE c.stance = 'deny'", "RETURN c.", 9).want,
            Want::Key(Owner::Node(vec!["Claim".into()]))
        );
        // in a node's map, and in a map projection
        assert_eq!(
            k("MATCH (c:Claim {st"),
            Want::Key(Owner::Node(vec!["Claim".into()]))
        );
        assert_eq!(
            k("MATCH (c:Claim {stance: 'deny', "),
            Want::Key(Owner::Node(vec!["Claim".into()]))
        );
        assert_eq!(
            k("MATCH (e:Event) RETURN e {.ty"),
            Want::Key(Owner::Node(vec!["Event".into()]))
        );
        // the word starts after the dot
        let c = at_end("MATCH (c:Claim) RETURN c.st");
        assert_eq!((c.start, c.word.as_str()), (25, "st"));
    }

    #[test]
    fn expressions_and_clauses() {
        let e = Want::Expression { distinct: false };
        assert_eq!(want("RETURN toU"), Want::Expression { distinct: true });
        assert_eq!(want("MATCH (n) WHERE "), e);
        assert_eq!(want("MATCH (n) WHERE n.x > 1 AND "), e);
        assert_eq!(want("MATCH (n) WHERE NOT "), e);
        assert_eq!(want("RETURN 1 + "), e);
        assert_eq!(want("RETURN 1, "), e);
        assert_eq!(want("RETURN size("), Want::Expression { distinct: true });
        assert_eq!(want("RETURN (1 + "), e);
        assert_eq!(want("RETURN [1, "), e);
        assert_eq!(want("RETURN {a: "), e);
        assert_eq!(want("MATCH (n {name: "), e);
        assert_eq!(want("RETURN [x IN [1] | "), e);
        assert_eq!(want("RETURN CASE WHEN "), e);
        assert_eq!(want("MATCH (n) SET "), e);
        assert_eq!(want("MATCH (n) RETURN n ORDER BY "), e);
        let after = Want::After {
            clause: true,
            infix: true,
        };
        assert_eq!(want("MATCH (n) WHERE n.name STARTS WITH 'a' RET"), after);
        assert_eq!(want("MATCH (n) WHERE n.x IS NULL "), after);
        assert_eq!(want("MATCH (n) RETURN n "), after);
        assert_eq!(
            want("MATCH (n) RET"),
            Want::After {
                clause: true,
                infix: false
            }
        );
        assert_eq!(
            want("RETURN count(n "),
            Want::After {
                clause: false,
                infix: true
            }
        );
        assert_eq!(want(""), Want::Clause { first: true });
        assert_eq!(want("ma"), Want::Clause { first: true });
        assert_eq!(want("EXPLAIN "), Want::Clause { first: false });
        assert_eq!(want("MATCH (n) CALL { "), Want::Clause { first: false });
        assert_eq!(want("MATCH (n) RETURN n; MA"), Want::Clause { first: true });
        assert_eq!(want("OPTIONAL "), Want::Next(&["MATCH", "CALL"]));
        assert_eq!(want("MATCH (n) RETURN n ORDER "), Want::Next(&["BY"]));
        assert_eq!(want("MATCH (n) WHERE n.x IS NOT "), Want::Next(&["NULL"]));
        assert_eq!(want("MATCH (n) RETURN n AS "), Want::Nothing);
        assert_eq!(want("MATCH (n) RETURN n AS x"), Want::Nothing);
        assert_eq!(want("MATCH (n) RETURN n LIMIT 1"), Want::Nothing);
        assert_eq!(want("RETURN $par"), Want::Nothing);
        // a new variable in a pattern may reuse one
        assert_eq!(want("MATCH (a)-->(b), (a"), Want::Variable);
        assert_eq!(want("MATCH (a)-[r"), Want::Variable);
        assert_eq!(want("MATCH (a "), Want::Nothing);
        assert_eq!(want("MATCH (a), "), Want::Nothing);
        // procedures and function namespaces
        let c = at_end("CALL db.la");
        assert_eq!((c.start, c.want), (5, Want::Procedure));
        assert_eq!(want("MATCH (a) call algo."), Want::Procedure);
        assert_eq!(want("CALL "), Want::Procedure);
        let c = at_end("RETURN date.tr");
        assert_eq!((c.start, c.want), (7, Want::DottedFunction));
        // a variable named like a namespace is a variable
        assert_eq!(
            want("MATCH (date:Event) RETURN date."),
            Want::Key(Owner::Node(vec!["Event".into()]))
        );
        // commands
        assert_eq!(want(":sh"), Want::Command);
        assert_eq!(want(":load fi"), Want::Nothing);
        assert_eq!(complete_at("MATCH (n)", ":sh", 3).want, Want::Label);
    }

    #[test]
    fn variables_and_case() {
        let c = at_end("MATCH (person:Person)-[r]->(c) WITH person, count(r) AS n WHERE pe");
        assert_eq!(c.vars, ["person", "r", "c", "n"]);
        let c = at_end("MATCH p = (a)-->(b) UNWIND [1] AS x RETURN [y IN [1] | ");
        assert_eq!(c.vars, ["p", "a", "b", "x", "y"]);
        // a variable is not offered to complete itself
        let c = at_end("MATCH (pers");
        assert!(c.vars.is_empty(), "{:?}", c.vars);
        // the case of the word, or of the statement's last keyword
        assert!(at_end("match (n) ret").lower);
        assert!(!at_end("match (n) Ret").lower);
        assert!(!at_end("MATCH (n) RET").lower);
        assert!(at_end("match (n) where n.x = 1 ").lower);
        assert!(!at_end("MATCH (n) WHERE n.x = 1 ").lower);
        assert!(!at_end("").lower);
    }

    #[test]
    fn odd_input_never_panics() {
        for line in [
            "",
            "(",
            ")",
            "]]]",
            "}{",
            "'",
            "\"",
            "`",
            "/*",
            "//",
            ".",
            ":",
            "..",
            "$",
            "-[",
            "(:",
            "({",
            "[|",
            "é.",
            "MATCH (é:Ü",
            "RETURN 1.",
            "RETURN 1..",
            "CALL .",
            "a.b.c.",
            "RETURN ‘",
            "MATCH (n)\u{2019}",
        ] {
            for pos in 0..=line.len() + 2 {
                let _ = complete_at("", line, pos);
                let _ = complete_at("MATCH (n", line, pos);
            }
        }
    }
}
