//! The line editor: rustyline with history, multi-line validation,
//! highlighting of keywords, strings and numbers, history hints and tab
//! completion of keywords, labels, types, property keys, functions,
//! meta-commands, entity names (inside quotes) and file paths.

use std::borrow::Cow;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::Validator;
use rustyline::{Config, Context, EditMode, Helper};

use crate::store::Graph;

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

const FUNCTIONS: &[&str] = &[
    "count",
    "collect",
    "sum",
    "avg",
    "min",
    "max",
    "percentileCont",
    "percentileDisc",
    "stDev",
    "stDevP",
    "id",
    "labels",
    "type",
    "keys",
    "properties",
    "startNode",
    "endNode",
    "nodes",
    "relationships",
    "length",
    "size",
    "head",
    "last",
    "tail",
    "range",
    "reverse",
    "coalesce",
    "toInteger",
    "toFloat",
    "toString",
    "toBoolean",
    "toUpper",
    "toLower",
    "trim",
    "ltrim",
    "rtrim",
    "substring",
    "left",
    "right",
    "replace",
    "split",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "sqrt",
    "exp",
    "log",
    "log10",
    "rand",
    "exists",
    "shortestPath",
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

/// Editor helper holding the completion vocabulary of the current graph.
pub struct ReplHelper {
    words: Vec<String>,
    labels: Vec<String>,
    types: Vec<String>,
    keys: Vec<String>,
    /// Entity names, each with the lower-cased name and aliases it is
    /// found by.
    names: Vec<(String, Vec<String>)>,
    procs: Vec<String>,
    files: FilenameCompleter,
    hinter: HistoryHinter,
}

impl ReplHelper {
    fn new(g: &Graph) -> ReplHelper {
        let mut h = ReplHelper {
            words: Vec::new(),
            labels: Vec::new(),
            types: Vec::new(),
            keys: Vec::new(),
            names: Vec::new(),
            procs: procedure_words(),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
        };
        h.refresh(g);
        h
    }

    /// Re-reads labels, types, keys and names after the graph changed.
    pub fn refresh(&mut self, g: &Graph) {
        let mut words: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
        words.extend(FUNCTIONS.iter().map(|f| format!("{f}(")));
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
        words.extend(self.labels.iter().cloned());
        words.extend(self.types.iter().cloned());
        let mut keys = std::collections::BTreeSet::new();
        for n in g.node_ids().take(100_000) {
            if let Some(node) = g.node(n) {
                keys.extend(node.props().iter().map(|(k, _)| g.name_of(k).to_string()));
            }
        }
        for e in g.edge_ids().take(100_000) {
            if let Some(edge) = g.edge(e) {
                keys.extend(edge.props().iter().map(|(k, _)| g.name_of(k).to_string()));
            }
        }
        self.keys = keys.iter().cloned().collect();
        words.extend(keys);
        words.sort();
        words.dedup();
        self.words = words;
        let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let (name_key, alias_key) = (g.symbol("name"), g.symbol("aliases"));
        for n in g.node_ids().take(200_000) {
            let Some(node) = g.node(n) else { continue };
            let Some(name) = name_key.and_then(|k| node.prop(k)?.as_str().map(str::to_string))
            else {
                continue;
            };
            let found = names.entry(name.clone()).or_default();
            found.push(name.to_lowercase());
            if let Some(crate::store::PropValue::List(l)) = alias_key.and_then(|k| node.prop(k)) {
                found.extend(l.iter().filter_map(|a| a.as_str()).map(str::to_lowercase));
            }
        }
        self.names = names.into_iter().collect();
    }

    /// Completions for the text before the cursor: where they start and
    /// the candidates. Names inside quotes match anywhere in the name or an
    /// alias (those starting with the text first); after `:` a node takes
    /// labels and a relationship types; after `.` property keys.
    pub fn candidates(&self, before: &str) -> (usize, Vec<String>) {
        // Inside an open quote: entity names.
        let quotes = before.matches('\'').count();
        if quotes % 2 == 1 {
            let start = before.rfind('\'').map_or(0, |i| i + 1);
            let text = before[start..].to_lowercase();
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
            return (start, first);
        }
        // `CALL db.la`: procedure names, dots included
        let pstart = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        if before[..pstart]
            .trim_end()
            .to_ascii_uppercase()
            .ends_with("CALL")
            && before[..pstart].ends_with(char::is_whitespace)
        {
            let word = before[pstart..].to_lowercase();
            let c = self
                .procs
                .iter()
                .filter(|p| p.to_lowercase().starts_with(&word))
                .cloned()
                .collect();
            return (pstart, c);
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.starts_with(':') && start == 0 {
            let c = COMMANDS
                .iter()
                .filter(|c| c.starts_with(word))
                .map(|c| c.to_string())
                .collect();
            return (0, c);
        }
        let after_dot = before[..start].ends_with('.');
        // `n:Pers`, `[r:DEN`, `:Pla`: complete the part after the colon.
        let (start, word, colon) = match word.rfind(':') {
            Some(i) => (start + i + 1, &word[i + 1..], true),
            None => (start, word, false),
        };
        let pool: &[String] = if after_dot {
            &self.keys
        } else if colon {
            // the innermost bracket still open says node or relationship
            let mut depth: Vec<char> = Vec::new();
            for c in before[..start].chars() {
                match c {
                    '(' | '[' | '{' => depth.push(c),
                    ')' | ']' | '}' => {
                        depth.pop();
                    }
                    _ => {}
                }
            }
            match depth.iter().rev().find(|c| **c != '{') {
                Some('[') => &self.types,
                Some('(') => &self.labels,
                _ => &self.words,
            }
        } else {
            &self.words
        };
        if word.is_empty() && !(colon || after_dot) {
            return (start, Vec::new());
        }
        let lw = word.to_lowercase();
        let c = pool
            .iter()
            .filter(|w| w.to_lowercase().starts_with(&lw))
            .cloned()
            .collect();
        (start, c)
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
        let before = &line[..pos];
        for cmd in [
            ":load ", ":save ", ":ingest ", ":source ", ":export ", ":show ",
        ] {
            if before.starts_with(cmd) {
                return self.files.complete(line, pos, ctx);
            }
        }
        let (start, c) = self.candidates(before);
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
}
