//! The line editor: rustyline with history, multi-line validation,
//! highlighting of keywords, strings and numbers, history hints and Tab
//! completion by context (bash-like: Tab completes what the candidates
//! share, a second Tab lists them).
//!
//! [`super::context`] finds what the cursor is in from the statement's
//! text (earlier lines of a multi-line entry included); [`ReplHelper`]
//! gives each place its words: labels after `:` in a node, types in a
//! relationship; after `v.` the property keys that nodes with `v`'s labels
//! (relationships of its types) have in the graph, any node's or
//! relationship's with no label, any key for an unknown variable; where an
//! expression may start, the statement's variables, the functions of the
//! query engine's registry and expression keywords; at a clause start or
//! after an expression, clause (and infix) keywords; procedure names after
//! `CALL`; `:commands`; entity names inside quotes, matched anywhere in a
//! name or alias; file paths after `:load` and the other file commands.
//! Keywords come in the case of the typed word (`ret` → `return`, `Ret` →
//! `RETURN`; with no letter typed yet, the case of the statement's last
//! keyword); functions, labels, types and keys keep their own spelling.
//! Labels, types, keys per label and names are read from the graph in one
//! pass when the editor starts and again only after a statement changed or
//! replaced the graph ([`ReplHelper::refresh`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, EditMode, Helper};

use super::context::{self, Owner, Want};
use crate::store::{Graph, Symbol};

pub type Editor = rustyline::Editor<ReplHelper, rustyline::history::DefaultHistory>;

const KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "AS", "ORDER", "BY", "ASC", "DESC",
    "SKIP", "LIMIT", "DISTINCT", "UNION", "ALL", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL",
    "TRUE", "FALSE", "CONTAINS", "STARTS", "ENDS", "CASE", "WHEN", "THEN", "ELSE", "END", "CREATE",
    "MERGE", "ON", "SET", "REMOVE", "DELETE", "DETACH", "EXISTS", "EXPLAIN", "PROFILE", "CALL",
    "YIELD",
];

/// The names of the procedures `CALL` can run (the built-ins), each with
/// its opening parenthesis.
fn procedure_words() -> Vec<String> {
    crate::query::procedures::Registry::builtin()
        .iter()
        .map(|p| format!("{}(", p.signature().name))
        .collect()
}

/// Clause keywords, the most used first (`R` → `RETURN` before `REMOVE`).
const CLAUSES: &[&str] = &[
    "MATCH",
    "OPTIONAL MATCH",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "ORDER BY",
    "LIMIT",
    "SKIP",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH DELETE",
    "REMOVE",
    "CALL",
    "UNION",
    "UNION ALL",
    "YIELD",
];

/// Keywords that go between or after expressions.
const INFIX: &[&str] = &[
    "AND",
    "OR",
    "XOR",
    "AS",
    "IN",
    "IS NULL",
    "IS NOT NULL",
    "CONTAINS",
    "STARTS WITH",
    "ENDS WITH",
    "ASC",
    "DESC",
];

/// Keywords that start an expression.
const EXPRESSION_KEYWORDS: &[&str] = &["CASE", "NOT", "EXISTS", "TRUE", "FALSE", "NULL"];

/// Expression forms written like functions that are not in the function
/// registry (the grammar has them).
const FORMS: &[&str] = &[
    "all(",
    "any(",
    "none(",
    "single(",
    "reduce(",
    "shortestPath(",
    "allShortestPaths(",
];

const COMMANDS: &[&str] = &[
    ":help",
    ":show",
    ":stats",
    ":schema",
    ":save",
    ":load",
    ":ingest",
    ":format",
    ":timing",
    ":timeout",
    ":maxhops",
    ":maxmemory",
    ":param",
    ":params",
    ":explain",
    ":expand",
    ":parse",
    ":why",
    ":export",
    ":source",
    ":clear",
    ":quit",
];

/// Whether `text` is an unfinished statement: a query that does not end
/// with `;` yet, or any statement with open brackets or quotes. A `;` at
/// the end (outside quotes) always finishes it, so a syntax error such as
/// an unclosed bracket is shown rather than hidden behind the
/// continuation prompt.
pub fn needs_more(text: &str) -> bool {
    // comments (`// …`, `/* … */`) after the statement do not count
    let t = strip_comments(text).trim();
    if t.is_empty() {
        return false;
    }
    let (quote_open, depth) = scan(t);
    if !quote_open && t.ends_with(';') {
        return false;
    }
    if quote_open || depth > 0 {
        return true;
    }
    if t.starts_with(':') || !crate::question::is_query(t) {
        return false;
    }
    !t.ends_with(';')
}

/// `text` up to the end of its last code: without the spaces and `//` or
/// `/* */` comments after it (a comment inside is kept, and the query
/// parser skips it).
pub fn strip_comments(text: &str) -> &str {
    &text[..crate::query::parser::end_of_code(text)]
}

/// Whether a quote is left open at the end of `t`, and the bracket depth.
/// Comments are skipped: an apostrophe or bracket in one counts for nothing.
fn scan(t: &str) -> (bool, i32) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if quote.is_none() && c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            continue;
        }
        if quote.is_none() && c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut star = false;
            for c in chars.by_ref() {
                if star && c == '/' {
                    break;
                }
                star = c == '*';
            }
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '\u{2018}' => quote = Some('\u{2019}'),
            '\u{201C}' => quote = Some('\u{201D}'),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    (quote.is_some(), depth)
}

/// A label, type or key as written in a query: backquoted unless it is a
/// plain identifier.
fn name(n: &str) -> String {
    let plain = n.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        n.to_string()
    } else {
        format!("`{}`", n.replace('`', "``"))
    }
}

/// The property keys in use, by label and by relationship type.
#[derive(Debug, Default)]
struct Keys {
    by_label: HashMap<String, BTreeSet<String>>,
    by_type: HashMap<String, BTreeSet<String>>,
    node: BTreeSet<String>,
    rel: BTreeSet<String>,
    all: BTreeSet<String>,
}

impl Keys {
    /// One pass over the nodes and one over the relationships, in symbols;
    /// a node with the labels and keys of the one before is skipped (most
    /// are, as extraction writes the same keys for a label).
    fn of(g: &Graph) -> Keys {
        let mut by_label: HashMap<Symbol, HashSet<Symbol>> = HashMap::new();
        let mut last: (Vec<Symbol>, Vec<Symbol>) = Default::default();
        let mut node_keys: HashSet<Symbol> = HashSet::new();
        for n in g.node_ids() {
            let Some(node) = g.node(n) else { continue };
            let labels = node.labels();
            let props = node.props();
            if labels == last.0.as_slice()
                && props.len() == last.1.len()
                && props.iter().map(|(k, _)| k).eq(last.1.iter().copied())
            {
                continue;
            }
            last = (labels.to_vec(), props.iter().map(|(k, _)| k).collect());
            node_keys.extend(last.1.iter().copied());
            for l in labels {
                by_label
                    .entry(*l)
                    .or_default()
                    .extend(last.1.iter().copied());
            }
        }
        let mut by_type: HashMap<Symbol, HashSet<Symbol>> = HashMap::new();
        for e in g.edge_ids() {
            let Some(edge) = g.edge(e) else { continue };
            let set = by_type.entry(edge.rel_type()).or_default();
            set.extend(edge.props().iter().map(|(k, _)| k));
        }
        let names = |set: &HashSet<Symbol>| -> BTreeSet<String> {
            set.iter().map(|k| g.name_of(*k).to_string()).collect()
        };
        let rel: HashSet<Symbol> = by_type.values().flatten().copied().collect();
        let (node, rel) = (names(&node_keys), names(&rel));
        Keys {
            by_label: by_label
                .iter()
                .map(|(l, k)| (g.name_of(*l).to_string(), names(k)))
                .collect(),
            by_type: by_type
                .iter()
                .map(|(t, k)| (g.name_of(*t).to_string(), names(k)))
                .collect(),
            all: node.union(&rel).cloned().collect(),
            node,
            rel,
        }
    }

    /// The keys `owner` may have.
    fn of_owner(&self, owner: &Owner) -> Vec<&str> {
        fn union<'a>(map: &'a HashMap<String, BTreeSet<String>>, names: &[String]) -> Vec<&'a str> {
            let mut set: BTreeSet<&str> = BTreeSet::new();
            for n in names {
                set.extend(map.get(n).into_iter().flatten().map(String::as_str));
            }
            set.into_iter().collect()
        }
        match owner {
            Owner::Any => self.all.iter().map(String::as_str).collect(),
            Owner::Node(l) if l.is_empty() => self.node.iter().map(String::as_str).collect(),
            Owner::Rel(t) if t.is_empty() => self.rel.iter().map(String::as_str).collect(),
            Owner::Node(l) => union(&self.by_label, l),
            Owner::Rel(t) => union(&self.by_type, t),
        }
    }
}

/// Editor helper holding the completion vocabulary of the current graph.
pub struct ReplHelper {
    /// Everything, for a place the context does not settle.
    words: Vec<String>,
    labels: Vec<String>,
    types: Vec<String>,
    keys: Keys,
    /// Entity names, each with the lower-cased name and aliases it is
    /// found by.
    names: Vec<(String, Vec<String>)>,
    procs: Vec<String>,
    /// Function names with their `(`, from the query engine's registry.
    functions: Vec<String>,
    /// The statement's earlier lines while it continues (`...>`).
    earlier: String,
    files: FilenameCompleter,
    hinter: HistoryHinter,
}

impl ReplHelper {
    fn new(g: &Graph) -> ReplHelper {
        let mut h = ReplHelper {
            words: Vec::new(),
            labels: Vec::new(),
            types: Vec::new(),
            keys: Keys::default(),
            names: Vec::new(),
            procs: procedure_words(),
            functions: {
                let mut f: Vec<String> = crate::query::function_names()
                    .map(|f| format!("{f}("))
                    .collect();
                f.sort_by_key(|f| f.to_lowercase());
                f
            },
            earlier: String::new(),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
        };
        h.refresh(g);
        h
    }

    /// The statement's lines before the one being edited (empty on its
    /// first line): completion reads variables and labels from them too.
    pub fn set_earlier(&mut self, text: &str) {
        text.clone_into(&mut self.earlier);
    }

    /// Re-reads labels, types, keys and names: after the graph changed.
    /// One pass over the nodes and relationships; the REPL calls it only
    /// when a statement changed or replaced the graph.
    pub fn refresh(&mut self, g: &Graph) {
        self.labels = g
            .label_counts()
            .into_iter()
            .map(|(l, _)| l.to_string())
            .collect();
        self.types = g
            .type_counts()
            .into_iter()
            .map(|(t, _)| t.to_string())
            .collect();
        self.keys = Keys::of(g);
        let mut words: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
        words.extend(self.functions.iter().cloned());
        words.extend(self.labels.iter().cloned());
        words.extend(self.types.iter().cloned());
        words.extend(self.keys.all.iter().cloned());
        words.sort();
        words.dedup();
        self.words = words;
        let mut names: BTreeMap<String, Vec<String>> = Default::default();
        let (name_key, alias_key) = (g.symbol("name"), g.symbol("aliases"));
        if let Some(name_key) = name_key {
            for n in g.node_ids() {
                let Some(node) = g.node(n) else { continue };
                let Some(name) = node.prop(name_key).and_then(|v| v.as_str()) else {
                    continue;
                };
                let found = names.entry(name.to_string()).or_default();
                found.push(name.to_lowercase());
                if let Some(crate::store::PropValue::List(l)) = alias_key.and_then(|k| node.prop(k))
                {
                    found.extend(l.iter().filter_map(|a| a.as_str()).map(str::to_lowercase));
                }
            }
        }
        self.names = names.into_iter().collect();
    }

    /// Completions for the cursor at `pos` of `line`, the statement's
    /// earlier lines being `earlier`: where the replaced word starts and
    /// the candidates, in the order offered. See [`context::complete_at`]
    /// for how the place is found; here each place gets its words.
    pub fn candidates_at(&self, earlier: &str, line: &str, pos: usize) -> (usize, Vec<String>) {
        let c = context::complete_at(earlier, line, pos);
        let lw = c.word.to_lowercase();
        // a name that is not a plain identifier goes in backquotes (and
        // is matched without them)
        let fits = |w: &str| {
            w.strip_prefix('`')
                .unwrap_or(w)
                .to_lowercase()
                .starts_with(&lw)
        };
        let keyword = |k: &str| {
            if c.lower {
                k.to_lowercase()
            } else {
                k.to_string()
            }
        };
        let mut out: Vec<String> = Vec::new();
        let mut add = |w: String| {
            if fits(&w) && !out.contains(&w) {
                out.push(w);
            }
        };
        match &c.want {
            Want::Nothing => {}
            Want::Command => {
                for cmd in COMMANDS {
                    add(cmd.to_string());
                }
            }
            Want::Name => return (c.start, self.names_matching(&c.word)),
            Want::Procedure => self.procs.iter().cloned().for_each(add),
            Want::Label => self.labels.iter().map(|l| name(l)).for_each(add),
            Want::Type => self.types.iter().map(|t| name(t)).for_each(add),
            Want::Key(owner) => {
                for k in self.keys.of_owner(owner) {
                    add(name(k));
                }
            }
            Want::DottedFunction => self
                .functions
                .iter()
                .filter(|f| f.contains('.'))
                .cloned()
                .for_each(add),
            Want::Variable => c.vars.iter().cloned().for_each(add),
            Want::Expression { distinct } => {
                c.vars.iter().cloned().for_each(&mut add);
                if *distinct {
                    add(keyword("DISTINCT"));
                }
                self.functions
                    .iter()
                    .filter(|f| !f.contains('.'))
                    .cloned()
                    .for_each(&mut add);
                FORMS.iter().map(|f| f.to_string()).for_each(&mut add);
                EXPRESSION_KEYWORDS
                    .iter()
                    .map(|k| keyword(k))
                    .for_each(&mut add);
            }
            Want::After { clause, infix } => {
                if *clause {
                    CLAUSES.iter().map(|k| keyword(k)).for_each(&mut add);
                }
                if *infix {
                    INFIX.iter().map(|k| keyword(k)).for_each(&mut add);
                }
            }
            Want::Clause { first } => {
                CLAUSES.iter().map(|k| keyword(k)).for_each(&mut add);
                if *first {
                    ["EXPLAIN", "PROFILE"]
                        .iter()
                        .map(|k| keyword(k))
                        .for_each(&mut add);
                }
            }
            Want::Next(words) => words.iter().map(|k| keyword(k)).for_each(add),
            Want::Anything => {
                if !c.word.is_empty() {
                    self.words.iter().cloned().for_each(add);
                }
            }
        }
        (c.start, out)
    }

    /// Entity names with `text` (any case) in the name or an alias: those
    /// where it starts one first; at most 50.
    fn names_matching(&self, text: &str) -> Vec<String> {
        let text = text.to_lowercase();
        let mut first = Vec::new();
        let mut then = Vec::new();
        for (name, found) in &self.names {
            if found.iter().any(|f| f.starts_with(&text)) {
                first.push(name.clone());
            } else if found.iter().any(|f| f.contains(&text)) {
                then.push(name.clone());
            }
        }
        first.extend(then);
        first.truncate(50);
        first
    }

    /// Completions for a statement's first line up to the cursor.
    #[cfg(test)]
    fn candidates(&self, before: &str) -> (usize, Vec<String>) {
        self.candidates_at("", before, before.len())
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        if self.earlier.trim().is_empty() {
            for cmd in [
                ":load ", ":save ", ":ingest ", ":source ", ":export ", ":show ",
            ] {
                if before.trim_start().starts_with(cmd) {
                    return self.files.complete(line, pos, ctx);
                }
            }
        }
        let (start, c) = self.candidates_at(&self.earlier, line, pos);
        Ok((
            start,
            c.into_iter()
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if line.starts_with(':') {
            return Cow::Owned(format!("\x1b[36m{line}\x1b[0m"));
        }
        Cow::Owned(highlight(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

/// Colours keywords (bold blue), strings (green) and numbers (yellow).
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '\'' || c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1 != c {
                if chars[j].1 == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = chars.get(j + 1).map_or(line.len(), |x| x.0);
            out.push_str(&format!("\x1b[32m{}\x1b[0m", &line[at..end]));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '.') {
                j += 1;
            }
            let end = chars.get(j).map_or(line.len(), |x| x.0);
            out.push_str(&format!("\x1b[33m{}\x1b[0m", &line[at..end]));
            i = j;
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                j += 1;
            }
            let end = chars.get(j).map_or(line.len(), |x| x.0);
            let word = &line[at..end];
            if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                out.push_str(&format!("\x1b[1;34m{word}\x1b[0m"));
            } else {
                out.push_str(word);
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

/// A line editor set up for the REPL.
pub fn new_editor(g: &Graph) -> rustyline::Result<Editor> {
    let config = Config::builder()
        .history_ignore_space(true)
        .max_history_size(10_000)?
        .auto_add_history(false)
        .edit_mode(EditMode::Emacs)
        // bash-like: Tab completes what all candidates share, a second Tab
        // lists them
        .completion_type(CompletionType::List)
        .build();
    let mut ed = Editor::with_config(config)?;
    ed.set_helper(Some(ReplHelper::new(g)));
    Ok(ed)
}

/// Where history is kept: the user's data folder.
pub fn history_path() -> Option<PathBuf> {
    std::env::var_os("NEWSGRAPH_HISTORY")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("newsgraph").join("history.txt")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_completes_procedure_names() {
        let h = ReplHelper::new(&Graph::new());
        let hist = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&hist);
        let (start, c) = h.complete("CALL db.la", 10, &ctx).unwrap();
        assert_eq!(start, 5);
        let names: Vec<&str> = c.iter().map(|p| p.replacement.as_str()).collect();
        assert_eq!(names, ["db.labels("]);
        let (_, c) = h.complete("MATCH (a) call algo.", 20, &ctx).unwrap();
        let names: Vec<&str> = c.iter().map(|p| p.replacement.as_str()).collect();
        assert_eq!(
            names,
            ["algo.components(", "algo.pageRank(", "algo.shortestPath("]
        );
        let (_, c) = h.complete("CALL news.", 10, &ctx).unwrap();
        let names: Vec<&str> = c.iter().map(|p| p.replacement.as_str()).collect();
        assert_eq!(names, ["news.connections(", "news.timeline("]);
        // and the keywords themselves
        let (_, c) = h.complete("MATCH (n) CAL", 13, &ctx).unwrap();
        assert!(c.iter().any(|p| p.replacement == "CALL"));
    }

    #[test]
    fn statements_continue_until_semicolon_or_balanced() {
        assert!(needs_more("MATCH (n)"));
        assert!(!needs_more("MATCH (n) RETURN n;"));
        assert!(needs_more("who said what about 'Kur"));
        assert!(!needs_more("who denied what"));
        assert!(!needs_more(":stats"));
        assert!(needs_more("RETURN [1,"));
        // a `;` ends the statement even with a bracket left open
        assert!(!needs_more("MATCH (n RETURN n;"));
        assert!(needs_more("RETURN 'a;"));
        assert!(needs_more("RETURN \u{2018}Kursk"));
        // comments: an apostrophe or bracket in one is nothing, and a
        // comment after the `;` does not hide it
        assert!(needs_more("// it's a comment\nMATCH (n) // don't stop"));
        assert!(!needs_more("MATCH (n) RETURN n; // done"));
        assert!(!needs_more("RETURN 1; /* (it's [done */"));
        assert!(needs_more("MATCH (n /* ) */"));
        assert!(!needs_more("// only a comment"));
        assert_eq!(
            strip_comments("RETURN '//' AS x; // c"),
            "RETURN '//' AS x;"
        );
    }
    #[test]
    fn completion_knows_where_it_is() {
        let mut g = Graph::new();
        crate::query::run(
            &mut g,
            "CREATE (:Person:Actor {name: 'Volodymyr Zelenskiy', aliases: ['Zelensky']})-[:PERFORMED]->(:Event {type: 'meet'}), \
             (:Place:Country {name: 'Russia', aliases: ['Kremlin', 'Moscow']}), (:Person {name: 'Peter Pan', title: 'x'})",
            &crate::query::Params::new(),
            &crate::query::QueryOptions::default(),
        )
        .unwrap();
        let h = ReplHelper::new(&g);
        // a label where a label belongs, a type in a relationship
        let (_, c) = h.candidates("MATCH (n:Pe");
        assert_eq!(c, ["Person"]);
        let (_, c) = h.candidates("MATCH (n)-[r:PE");
        assert_eq!(c, ["PERFORMED"]);
        let (_, c) = h.candidates("MATCH (n {name: 'x'})-[:");
        assert_eq!(c, ["PERFORMED"]);
        // property keys after a dot
        let (start, c) = h.candidates("MATCH (n) RETURN n.ti");
        assert_eq!((start, c), (19, vec!["title".to_string()]));
        // names anywhere in the name or an alias
        let (start, c) = h.candidates("MATCH (n {name: 'Zelen");
        assert_eq!(start, 17);
        assert_eq!(c, ["Volodymyr Zelenskiy"]);
        let (_, c) = h.candidates("MATCH (n) WHERE n.name = 'Kremlin");
        assert_eq!(c, ["Russia"]);
        let (_, c) = h.candidates("MATCH (n) WHERE n.name = 'pan");
        assert_eq!(c, ["Peter Pan"]);
        // commands
        let (_, c) = h.candidates(":sh");
        assert_eq!(c, [":show"]);
    }

    fn news_graph() -> Graph {
        let mut g = Graph::new();
        crate::query::run(
            &mut g,
            "CREATE (p:Person:Actor {name: 'Vladimir Putin', aliases: ['Putin'], type: 'person'})\
             -[:SAID {weight: 1}]->(c:Claim {text: 'x', stance: 'assert', quote: 'y'}), \
             (p)-[:HOLDS_ROLE {title: 'President'}]->(:Organization {name: 'Kremlin', type: 'org'}), \
             (:Event {type: 'attack', status: 'reported', trigger: 'attacked'})",
            &crate::query::Params::new(),
            &crate::query::QueryOptions::default(),
        )
        .unwrap();
        g
    }

    #[test]
    fn keys_are_those_of_the_variables_labels() {
        let h = ReplHelper::new(&news_graph());
        let (start, c) = h.candidates("MATCH (c:Claim) RETURN c.");
        assert_eq!(start, 25);
        assert_eq!(c, ["quote", "stance", "text"]);
        let (_, c) = h.candidates("MATCH (p:Person) RETURN p.");
        assert_eq!(c, ["aliases", "name", "type"]);
        let (_, c) = h.candidates("MATCH (p:Person) WHERE p.st");
        assert!(c.is_empty(), "{c:?}");
        // several labels: the union; a relationship: its type's keys
        let (_, c) = h.candidates("MATCH (x:Claim:Event) RETURN x.t");
        assert_eq!(c, ["text", "trigger", "type"]);
        let (_, c) = h.candidates("MATCH (a)-[r:HOLDS_ROLE]->(o) RETURN r.");
        assert_eq!(c, ["title"]);
        let (_, c) = h.candidates("MATCH (a)-[r:SAID|HOLDS_ROLE]->(o) RETURN r.");
        assert_eq!(c, ["title", "weight"]);
        // no label: any node's keys; unknown: any key
        let (_, c) = h.candidates("MATCH (n) RETURN n.t");
        assert_eq!(c, ["text", "trigger", "type"]);
        let (_, c) = h.candidates("MATCH ()-[r]->() RETURN r.");
        assert_eq!(c, ["title", "weight"]);
        let (_, c) = h.candidates("RETURN x.t");
        assert_eq!(c, ["text", "title", "trigger", "type"]);
        // the statement's earlier lines
        let (_, c) = h.candidates_at("MATCH (c:Claim)\nWHERE c.text <> ''", "RETURN c.s", 10);
        assert_eq!(c, ["stance"]);
        // a node's map and a map projection
        let (_, c) = h.candidates("MATCH (c:Claim {s");
        assert_eq!(c, ["stance"]);
        let (_, c) = h.candidates("MATCH (e:Event) RETURN e {.s");
        assert_eq!(c, ["status"]);
    }

    #[test]
    fn expressions_offer_variables_functions_and_keywords() {
        let h = ReplHelper::new(&news_graph());
        let (start, c) = h.candidates("RETURN toU");
        assert_eq!((start, c), (7, vec!["toUpper(".to_string()]));
        let (_, c) = h.candidates("return tou");
        assert_eq!(c, ["toUpper("]);
        let (start, c) = h.candidates("RETURN date.tru");
        assert_eq!((start, c), (7, vec!["date.truncate(".to_string()]));
        let (_, c) = h.candidates("MATCH (person:Person) WHERE pe");
        assert_eq!(c, ["person", "percentileCont(", "percentileDisc("]);
        // variables first, then functions, forms and keywords
        let (_, c) = h.candidates("MATCH (c:Claim) WITH c, count(*) AS n WHERE c");
        assert_eq!(
            &c[..5],
            ["c", "ceil(", "coalesce(", "collect(", "cos("].map(String::from)
        );
        // (a word in lower case gets keywords in lower case)
        assert!(c.contains(&"case".to_string()) && !c.contains(&"create".to_string()));
        let (_, c) = h.candidates("MATCH (n) WHERE n.x > 1 AND N");
        assert_eq!(c, ["n", "nodes(", "none(", "NOT", "NULL"]);
        let (_, c) = h.candidates("MATCH (n) RETURN DIS");
        assert_eq!(c, ["DISTINCT"]);
        // a label is not offered as an expression
        let (_, c) = h.candidates("MATCH (n) WHERE Pers");
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn clause_keywords_follow_the_users_case() {
        let h = ReplHelper::new(&news_graph());
        let (_, c) = h.candidates("MATCH (n) WHERE n.name STARTS WITH 'a' RET");
        assert_eq!(c, ["RETURN"]);
        let (_, c) = h.candidates("match (n) where n.name starts with 'a' ret");
        assert_eq!(c, ["return"]);
        let (_, c) = h.candidates("match (n) Ret");
        assert_eq!(c, ["RETURN"]);
        let (_, c) = h.candidates("MATCH (n) R");
        assert_eq!(c, ["RETURN", "REMOVE"]);
        let (_, c) = h.candidates("MATCH (n) WHERE n.x = 1 A");
        assert_eq!(c, ["AND", "AS", "ASC"]);
        let (_, c) = h.candidates("op");
        assert_eq!(c, ["optional match"]);
        let (_, c) = h.candidates("Op");
        assert_eq!(c, ["OPTIONAL MATCH"]);
        let (_, c) = h.candidates("MATCH (n) RETURN n ORDER ");
        assert_eq!(c, ["BY"]);
        let (_, c) = h.candidates("match (n) return n order ");
        assert_eq!(c, ["by"]);
        let (_, c) = h.candidates("MATCH (n) WHERE n.x IS N");
        assert_eq!(c, ["NULL", "NOT NULL"]);
        // labels and types keep their spelling
        let (_, c) = h.candidates("match (n:per");
        assert_eq!(c, ["Person"]);
        let (_, c) = h.candidates("match ()-[:hol");
        assert_eq!(c, ["HOLDS_ROLE"]);
    }

    #[test]
    fn odd_names_are_backquoted() {
        let mut g = Graph::new();
        crate::query::run(
            &mut g,
            "CREATE (:`News Outlet` {`first seen`: 1, plain: 2})-[:`WORKS FOR`]->()",
            &crate::query::Params::new(),
            &crate::query::QueryOptions::default(),
        )
        .unwrap();
        let h = ReplHelper::new(&g);
        let (_, c) = h.candidates("MATCH (n:Ne");
        assert_eq!(c, ["`News Outlet`"]);
        let (_, c) = h.candidates("MATCH (n:`News Outlet`) RETURN n.");
        assert_eq!(c, ["`first seen`", "plain"]);
        let (_, c) = h.candidates("MATCH ()-[r:wor");
        assert_eq!(c, ["`WORKS FOR`"]);
    }

    #[test]
    fn keys_follow_writes_after_refresh() {
        let mut g = news_graph();
        let mut h = ReplHelper::new(&g);
        let (_, c) = h.candidates("MATCH (c:Claim) RETURN c.v");
        assert!(c.is_empty());
        crate::query::run(
            &mut g,
            "MATCH (c:Claim) SET c.verb = 'said'",
            &crate::query::Params::new(),
            &crate::query::QueryOptions::default(),
        )
        .unwrap();
        h.refresh(&g);
        let (_, c) = h.candidates("MATCH (c:Claim) RETURN c.v");
        assert_eq!(c, ["verb"]);
        let (_, c) = h.candidates("MATCH (p:Person) RETURN p.v");
        assert!(c.is_empty());
    }
}
