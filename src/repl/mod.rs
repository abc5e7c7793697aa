//! The interactive workbench: reads statements (queries, plain questions,
//! `:commands`), runs them on the session's graph and prints results.
//!
//! Owns the session state (graph, its file, unsaved changes, output format,
//! parameters) and the line editor. It calls only the public API that the
//! CLI uses too (query, render, snapshot, workspace, question); it never
//! touches the store's internals or the extractor.

mod context;
mod editor;
pub mod evidence;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rustyline::error::ReadlineError;

use crate::query::{self, Params, QueryOptions, QueryOutput};
use crate::render::{self, Format};
use crate::store::Graph;
use crate::{question, snapshot, workspace};

/// One REPL session.
pub struct Session {
    pub graph: Graph,
    /// The snapshot the graph was loaded from or last saved to.
    pub path: Option<PathBuf>,
    pub dirty: bool,
    pub format: Format,
    pub timing: bool,
    pub params: Params,
    /// The last query result, for `:why` and `:export`.
    last: Option<QueryOutput>,
    cancel: Arc<AtomicBool>,
    /// The time limit and variable-length bound every query runs with.
    limits: QueryOptions,
    interactive: bool,
    /// The files `:source` is reading, outermost first (cycle detection).
    sourcing: Vec<PathBuf>,
    /// Counts the statements that changed or replaced the graph, so the
    /// line editor re-reads its completion words only then.
    changes: u64,
    /// Called after every statement, to give the memory a statement freed
    /// back to the system (see [`Session::set_release_memory`]).
    release_memory: Option<fn()>,
}

/// How deep `:source` files may include each other.
const MAX_SOURCE_DEPTH: usize = 16;

/// What a statement asks the loop to do next.
enum Flow {
    Continue,
    Quit,
}

const HELP: &str = "\
Statements end with ';' (or a blank line). Plain questions and :commands run on Enter.

Queries (Cypher-like):   MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name, c.text;
Plain questions:         who denied what | what did Putin say | what happened in Kursk
                         who said what about Kursk since 2025 | who accused whom
                         who met whom | which countries were mentioned with Kursk
                         what do Putin and Ukraine disagree about | who spoke most about Kursk
                         timeline of Putin | how is Gerasimov connected to Zelenskiy
                         (:help questions lists every form and filter)
                         (:expand QUESTION shows the query a question becomes)
Commands:
  :help                 this text
  :stats                node and relationship counts, connected parts
  :schema               labels and relationship types with counts
  :save [FILE]          save the graph (to the loaded file by default)
  :load FILE            load a snapshot (the current graph stays if it fails)
  :ingest PATH...       extract article files or folders into the graph
  :format table|json|jsonl|csv|plain
  :timing on|off
  :timeout SECONDS|off  a time limit for each query (off by default)
  :maxhops N            the bound for unbounded `*` patterns (default 15)
  :maxmemory SIZE|off   the memory budget of each query (512M, 2G; default a quarter of RAM)
  :param NAME = VALUE   set a query parameter ($NAME); :params lists them
  :why [ROW]            the sentences behind the last result (or one row of it)
  :export json|graphml|dot PATH [all]   the last result's subgraph (or the whole graph)
  :show [FILE.svg]      draw the last result's subgraph (default result.svg)
  :show timeline ACTOR [FILE.svg]   an actor's claims and events on a time axis
  :source FILE          run the statements in a file
  :explain QUERY        show the plan of a query
  :expand QUESTION      show the query a plain question expands to
  :parse SENTENCE       how newsgraph reads a sentence: tags, tree, entities
  :quit                 leave (Ctrl-D works too; Ctrl-C clears the line)";

impl Session {
    pub fn new(graph: Graph, path: Option<PathBuf>) -> Session {
        let interactive = std::io::stdin().is_terminal();
        Session {
            graph,
            path,
            dirty: false,
            format: if interactive {
                Format::Table
            } else {
                Format::Plain
            },
            timing: interactive,
            params: Params::new(),
            last: None,
            cancel: Arc::new(AtomicBool::new(false)),
            limits: QueryOptions::default(),
            interactive,
            sourcing: Vec::new(),
            changes: 0,
            release_memory: None,
        }
    }

    /// Sets what is called after every statement (query, question or
    /// command, finished, failed or cancelled) to return freed memory to the
    /// system. A query can hold gigabytes for a moment; the allocator keeps
    /// what it frees for reuse, and the REPL would go on holding it while it
    /// waits for the next line. What to call depends on the process's
    /// allocator, so the program sets it (glibc's `malloc_trim` in
    /// `main.rs`), not the library.
    pub fn set_release_memory(&mut self, f: fn()) {
        self.release_memory = Some(f);
    }

    /// Sets the memory budget of each query (`None`: no limit).
    pub fn set_max_memory(&mut self, bytes: Option<usize>) {
        self.limits.max_memory = bytes;
    }

    /// Runs the REPL: the line editor on a terminal, otherwise statements
    /// from stdin (exit code non-zero on the first error).
    pub fn run(mut self) -> i32 {
        let flag = self.cancel.clone();
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
        if self.interactive {
            self.run_interactive();
            0
        } else {
            self.run_batch(std::io::stdin().lock())
        }
    }

    fn run_interactive(&mut self) {
        let mut ed = match editor::new_editor(&self.graph) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("cannot start the line editor: {e}");
                return;
            }
        };
        let history = editor::history_path();
        if let Some(h) = &history {
            let _ = ed.load_history(h);
        }
        println!(
            "newsgraph {} — {} nodes, {} relationships. Type :help for help.",
            env!("CARGO_PKG_VERSION"),
            self.graph.node_count(),
            self.graph.edge_count()
        );
        let mut buf = String::new();
        let mut seen = self.changes;
        loop {
            let prompt = if buf.is_empty() {
                "newsgraph> "
            } else {
                "      ...> "
            };
            // completion reads the statement's earlier lines too
            if let Some(h) = ed.helper_mut() {
                h.set_earlier(&buf);
            }
            match ed.readline(prompt) {
                Ok(line) => {
                    if !buf.is_empty() {
                        buf.push('\n');
                    }
                    buf.push_str(&line);
                    // Continue until ';' (queries) or balanced brackets; a
                    // blank line submits what is there.
                    if editor::needs_more(&buf) && !line.trim().is_empty() {
                        continue;
                    }
                    let stmt = std::mem::take(&mut buf);
                    let stmt = stmt.trim();
                    if stmt.is_empty() {
                        continue;
                    }
                    let _ = ed.add_history_entry(stmt);
                    // appended now, so a crash or kill keeps what was typed
                    if let Some(h) = &history {
                        if let Some(dir) = h.parent() {
                            let _ = std::fs::create_dir_all(dir);
                        }
                        let _ = ed.append_history(h);
                    }
                    let flow = self.execute(stmt);
                    if self.changes != seen
                        && let Some(h) = ed.helper_mut()
                    {
                        h.refresh(&self.graph);
                        seen = self.changes;
                    }
                    if let Ok(Flow::Quit) = flow
                        && self.confirm_quit(&mut ed)
                    {
                        break;
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    // Ctrl-C clears the line (and any unfinished statement).
                    buf.clear();
                    continue;
                }
                Err(ReadlineError::Eof) => {
                    if self.confirm_quit(&mut ed) {
                        break;
                    }
                }
                Err(e) => {
                    eprintln!("input error: {e}");
                    break;
                }
            }
        }
    }

    fn confirm_quit(&mut self, ed: &mut editor::Editor) -> bool {
        if !self.dirty {
            return true;
        }
        let target = self
            .path
            .as_ref()
            .map_or("a file".to_string(), |p| p.display().to_string());
        match ed.readline(&format!(
            "Unsaved changes. Save to {target} first? [y/n/cancel] "
        )) {
            Ok(a) if a.trim().eq_ignore_ascii_case("y") => {
                if self.path.is_none() {
                    println!("no file to save to: use :save FILE, then :quit");
                    return false;
                }
                self.execute(":save").is_ok() && !self.dirty
            }
            Ok(a) if a.trim().eq_ignore_ascii_case("n") => true,
            _ => false,
        }
    }

    /// Reads statements from `input` until EOF, `:quit` or the first error.
    pub fn run_batch(&mut self, input: impl BufRead) -> i32 {
        let mut buf = String::new();
        for line in input.lines() {
            let Ok(line) = line else {
                eprintln!("error: standard input is not UTF-8 text");
                return 1;
            };
            if !buf.is_empty() {
                buf.push('\n');
            }
            buf.push_str(&line);
            if editor::needs_more(&buf) && !line.trim().is_empty() {
                continue;
            }
            let stmt = std::mem::take(&mut buf);
            match self.execute(stmt.trim()) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Quit) => return 0,
                Err(()) => return 1,
            }
        }
        match self.execute(buf.trim()) {
            Err(()) => 1,
            Ok(_) => 0,
        }
    }

    /// Runs one statement and prints its result or error, then gives the
    /// memory it freed back to the system.
    fn execute(&mut self, stmt: &str) -> Result<Flow, ()> {
        let r = self.execute_statement(stmt);
        if let Some(release) = self.release_memory {
            release();
        }
        r
    }

    fn execute_statement(&mut self, stmt: &str) -> Result<Flow, ()> {
        // comments after the statement go, so does the `;` before them
        let stmt = editor::strip_comments(stmt.trim())
            .trim_end_matches(';')
            .trim();
        if stmt.is_empty() {
            return Ok(Flow::Continue);
        }
        let result = if let Some(cmd) = stmt.strip_prefix(':') {
            self.command(cmd)
        } else if question::is_query(stmt) {
            self.query(stmt, stmt)
        } else {
            match question::expand(stmt) {
                Ok(q) => {
                    let flow = self.query(&q.query, stmt);
                    if flow.is_ok() && self.last.as_ref().is_some_and(|o| o.rows.is_empty()) {
                        eprintln!("{}", self.empty_hint(stmt, &q.names));
                    }
                    flow
                }
                Err(e) => Err(e.to_string()),
            }
        };
        match result {
            Ok(flow) => Ok(flow),
            Err(msg) => {
                eprintln!("{msg}");
                Err(())
            }
        }
    }

    fn query(&mut self, text: &str, shown: &str) -> Result<Flow, String> {
        self.cancel.store(false, Ordering::SeqCst);
        let options = QueryOptions {
            cancel: Some(self.cancel.clone()),
            ..self.limits.clone()
        };
        let start = Instant::now();
        let out = query::run(&mut self.graph, text, &self.params, &options).map_err(|e| {
            if text == shown {
                e.render(text)
            } else {
                format!(
                    "{}
  (the question expanded to: {text})",
                    e.render(text)
                )
            }
        })?;
        let elapsed = start.elapsed();
        if out.stats != query::WriteStats::default() {
            self.dirty = true;
            self.changes += 1;
        }
        self.print_output(&out, elapsed);
        self.last = Some(out);
        Ok(Flow::Continue)
    }

    /// `:show [FILE.svg]`: the last result's subgraph as a picture;
    /// `:show timeline ACTOR [FILE.svg]`: the actor's claims and events on
    /// a time axis.
    fn show(&mut self, arg: &str) -> Result<(), String> {
        let mut words: Vec<&str> = arg.split_whitespace().collect();
        let file = match words.last() {
            Some(f) if f.to_ascii_lowercase().ends_with(".svg") => {
                let f = f.to_string();
                words.pop();
                Some(f)
            }
            _ => None,
        };
        let (svg, what, file) = if words.first() == Some(&"timeline") {
            let actor = words[1..].join(" ");
            let actor = actor.trim_matches(|c| c == '\'' || c == '"');
            if actor.is_empty() {
                return Err("usage: :show timeline ACTOR [FILE.svg]".into());
            }
            let q = question::expand(&format!("timeline of '{}'", actor.replace('\'', "’")))
                .map_err(|e| e.to_string())?;
            let out = query::run(&mut self.graph, &q.query, &self.params, &self.limits)
                .map_err(|e| e.render(&q.query))?;
            let col = |name: &str| out.columns.iter().position(|c| c == name);
            let (Some(t), Some(r), Some(k), Some(w)) =
                (col("time"), col("role"), col("kind"), col("what"))
            else {
                return Err("the timeline query gave unexpected columns".into());
            };
            let items: Vec<crate::picture::TimelineItem> = out
                .rows
                .iter()
                .map(|row| crate::picture::TimelineItem {
                    time: render::human(&self.graph, &row[t]),
                    role: render::human(&self.graph, &row[r]),
                    kind: render::human(&self.graph, &row[k]),
                    what: render::human(&self.graph, &row[w]),
                    is_event: is_event_row(&self.graph, row),
                })
                .collect();
            let svg = crate::picture::timeline_svg(actor, &items)?;
            (
                svg,
                format!("{} claims and events", items.len()),
                file.unwrap_or_else(|| "timeline.svg".into()),
            )
        } else if words.is_empty() {
            let last = self
                .last
                .as_ref()
                .ok_or("no result yet: run a query or question first, then :show")?;
            let (nodes, edges) = evidence::subgraph(&self.graph, last);
            let svg =
                crate::picture::subgraph_svg(&self.graph, &nodes, &edges, "newsgraph result")?;
            (
                svg,
                format!("{} nodes and {} relationships", nodes.len(), edges.len()),
                file.unwrap_or_else(|| "result.svg".into()),
            )
        } else {
            return Err("usage: :show [FILE.svg] | :show timeline ACTOR [FILE.svg]".into());
        };
        std::fs::write(&file, svg).map_err(|e| format!("{file}: {e}"))?;
        println!("drew {what} in {file} (open it in a browser)");
        Ok(())
    }

    /// Why a question found nothing: the names that match no node, and
    /// the nearest other questions.
    fn empty_hint(&mut self, text: &str, names: &[String]) -> String {
        let missing: Vec<String> = names
            .iter()
            .filter(|n| {
                query::run(
                    &mut self.graph,
                    &question::name_probe(n),
                    &Params::new(),
                    &self.limits,
                )
                .ok()
                .and_then(|o| o.rows.into_iter().next())
                .and_then(|r| r.into_iter().next())
                .is_some_and(|v| matches!(v, query::Value::Int(0)))
            })
            .cloned()
            .collect();
        question::empty_hint(text, &missing)
    }

    fn print_output(&self, out: &QueryOutput, elapsed: std::time::Duration) {
        let text = render::render(&self.graph, out, self.format, None);
        if !(self.interactive && page(&text)) {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
        // The summary goes under a table; with the piping formats it goes to
        // stderr, and only when something changed, so stdout stays clean data.
        {
            let s = &out.stats;
            let mut changes = Vec::new();
            for (n, what) in [
                (s.nodes_created, "nodes created"),
                (s.nodes_deleted, "nodes deleted"),
                (s.relationships_created, "relationships created"),
                (s.relationships_deleted, "relationships deleted"),
                (s.properties_set, "properties set"),
                (s.labels_added, "labels added"),
                (s.labels_removed, "labels removed"),
            ] {
                if n > 0 {
                    changes.push(format!("{n} {what}"));
                }
            }
            if self.format != Format::Table {
                if !changes.is_empty() {
                    eprintln!("{}", changes.join(", "));
                }
                return;
            }
            let rows = out.rows.len();
            let mut line = format!("{rows} row{}", if rows == 1 { "" } else { "s" });
            if !changes.is_empty() {
                line.push_str(&format!(", {}", changes.join(", ")));
            }
            if self.timing {
                line.push_str(&format!(" ({:.1} ms)", elapsed.as_secs_f64() * 1e3));
            }
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
    }

    fn command(&mut self, cmd: &str) -> Result<Flow, String> {
        let (name, arg) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
        let arg = arg.trim();
        match name {
            "help" | "h" | "?" => println!("{}", help(arg, &self.limits.procedures)),
            "quit" | "q" | "exit" => return Ok(Flow::Quit),
            "stats" => println!("{}", stats_text(&self.graph)),
            "schema" => println!("{}", schema_text(&self.graph)),
            "save" => {
                let path = if arg.is_empty() {
                    self.path
                        .clone()
                        .ok_or("no file to save to: use :save FILE")?
                } else {
                    PathBuf::from(arg)
                };
                snapshot::save(&self.graph, &[], &path).map_err(|e| format!("save failed: {e}"))?;
                println!(
                    "saved {} nodes and {} relationships to {}",
                    self.graph.node_count(),
                    self.graph.edge_count(),
                    path.display()
                );
                self.path = Some(path);
                self.dirty = false;
            }
            "load" => {
                if arg.is_empty() {
                    return Err("usage: :load FILE".into());
                }
                let path = PathBuf::from(arg);
                let (g, _) = snapshot::load(&path)
                    .map_err(|e| format!("load failed, graph unchanged: {e}"))?;
                println!(
                    "loaded {} nodes and {} relationships from {}",
                    g.node_count(),
                    g.edge_count(),
                    path.display()
                );
                self.graph = g;
                self.changes += 1;
                self.path = Some(path);
                self.dirty = false;
            }
            "ingest" => {
                if arg.is_empty() {
                    return Err("usage: :ingest PATH...".into());
                }
                let paths: Vec<PathBuf> = arg.split_whitespace().map(PathBuf::from).collect();
                let report = workspace::ingest(&mut self.graph, &paths, self.interactive);
                for (p, e) in &report.failed {
                    eprintln!("skipped {}: {e}", p.display());
                }
                for (p, first) in &report.duplicates {
                    eprintln!(
                        "skipped {}: the same article as {first}, already ingested",
                        p.display()
                    );
                }
                println!("{report}");
                if report.ingested > 0 {
                    self.dirty = true;
                    self.changes += 1;
                }
            }
            "format" => {
                self.format = arg.parse()?;
                println!("format: {arg}");
            }
            "timeout" => {
                self.limits.timeout = match arg {
                    "off" | "0" => None,
                    s => Some(std::time::Duration::from_secs_f64(
                        s.trim_end_matches('s')
                            .parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite() && *x > 0.0 && *x < 1e9)
                            .ok_or("usage: :timeout SECONDS|off")?,
                    )),
                };
                println!(
                    "time limit: {}",
                    self.limits
                        .timeout
                        .map_or("off".into(), |d| format!("{:.1} s", d.as_secs_f64()))
                );
            }
            "maxhops" => {
                self.limits.max_var_length = arg
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("usage: :maxhops N (the bound for `*` and `*2..` patterns)")?;
                println!(
                    "unbounded variable-length patterns stop at {} hops",
                    self.limits.max_var_length
                );
            }
            "maxmemory" => {
                if !arg.is_empty() {
                    self.limits.max_memory = query::parse_memory_size(arg)
                        .map_err(|e| format!("{e}\nusage: :maxmemory SIZE|off"))?;
                }
                println!(
                    "memory budget per query: {}",
                    self.limits
                        .max_memory
                        .map_or("off".into(), query::format_memory_size)
                );
            }
            "timing" => match arg {
                "on" => self.timing = true,
                "off" => self.timing = false,
                _ => return Err("usage: :timing on|off".into()),
            },
            "param" => {
                let (k, v) = arg.split_once('=').ok_or(
                    "usage: :param NAME = VALUE (VALUE is any expression, e.g. 'Kursk' or [1, 2])",
                )?;
                let k = k.trim().trim_start_matches('$').to_string();
                let mut scratch = Graph::new();
                let out = query::run(
                    &mut scratch,
                    &format!("RETURN {} AS v", v.trim()),
                    &self.params,
                    &QueryOptions::default(),
                )
                .map_err(|e| e.render(v.trim()))?;
                let value = out
                    .rows
                    .into_iter()
                    .next()
                    .and_then(|r| r.into_iter().next())
                    .ok_or("the value gave no result")?;
                self.params.insert(k, value);
            }
            "params" => {
                for (k, v) in &self.params {
                    println!("${k} = {}", v.render(&self.graph));
                }
            }
            "explain" => {
                if arg.is_empty() {
                    return Err("usage: :explain QUERY".into());
                }
                return self.query(&format!("EXPLAIN {arg}"), arg);
            }
            "parse" => {
                if arg.is_empty() {
                    return Err("usage: :parse SENTENCE".into());
                }
                let pipe = crate::nlp::pipeline::Pipeline::embedded()?;
                let a = pipe.analyse(arg);
                print!("{}", crate::nlp::pipeline::tree_text(&a, arg));
            }
            "expand" => println!(
                "{}",
                question::expand(arg).map_err(|e| e.to_string())?.query
            ),
            "why" => {
                let last = self
                    .last
                    .as_ref()
                    .ok_or("no result yet: run a query or question first")?;
                let row = if arg.is_empty() {
                    None
                } else {
                    Some(arg.parse::<usize>().map_err(|_| "usage: :why [ROW]")?)
                };
                print!("{}", evidence::why(&self.graph, last, row)?);
            }
            "export" => {
                let mut it = arg.split_whitespace();
                let (Some(format), Some(path)) = (it.next(), it.next()) else {
                    return Err("usage: :export json|graphml|dot PATH [all]".into());
                };
                let whole = it.next() == Some("all") || self.last.is_none();
                let (nodes, edges) = match (&self.last, whole) {
                    (Some(last), false) => evidence::subgraph(&self.graph, last),
                    _ => (
                        self.graph.node_ids().collect(),
                        self.graph.edge_ids().collect(),
                    ),
                };
                let text = evidence::export(&self.graph, &nodes, &edges, format)?;
                std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))?;
                println!(
                    "wrote {} nodes and {} relationships{} to {path}",
                    nodes.len(),
                    edges.len(),
                    if whole {
                        " (whole graph)"
                    } else {
                        " (last result)"
                    }
                );
            }
            "show" => self.show(arg)?,
            "source" => {
                if arg.is_empty() {
                    return Err("usage: :source FILE".into());
                }
                let file = std::fs::File::open(arg).map_err(|e| format!("{arg}: {e}"))?;
                let key = std::fs::canonicalize(arg).unwrap_or_else(|_| PathBuf::from(arg));
                if self.sourcing.contains(&key) {
                    return Err(format!(
                        "{arg}: :source cycle, the file is already being read ({})",
                        self.sourcing
                            .iter()
                            .chain(std::iter::once(&key))
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(" → ")
                    ));
                }
                if self.sourcing.len() >= MAX_SOURCE_DEPTH {
                    return Err(format!(
                        "{arg}: :source nested more than {MAX_SOURCE_DEPTH} files deep"
                    ));
                }
                self.sourcing.push(key);
                let code = self.run_batch(std::io::BufReader::new(file));
                self.sourcing.pop();
                if code != 0 {
                    return Err(format!("{arg}: stopped at the first error"));
                }
            }
            "clear" => print!("\x1b[2J\x1b[H"),
            other => {
                return Err(format!(
                    "unknown command ':{other}'; type :help for the list"
                ));
            }
        }
        Ok(Flow::Continue)
    }
}

/// Whether a timeline row is an event (its relationship ends at an Event).
fn is_event_row(g: &Graph, row: &[query::Value]) -> bool {
    let Some(event) = g.symbol(crate::store::schema::label::EVENT) else {
        return false;
    };
    row.iter().any(|v| match v {
        query::Value::Rel(e) => g.endpoints(*e).is_some_and(|(a, b)| {
            [a, b]
                .iter()
                .any(|n| g.node(*n).is_some_and(|x| x.has_label(event)))
        }),
        _ => false,
    })
}

/// Node and relationship counts and how the graph falls apart into
/// separate stories, for `:stats` and `newsgraph stats`.
pub fn stats_text(g: &Graph) -> String {
    let parts = g.components();
    let alone = parts.sizes.iter().filter(|s| **s == 1).count();
    format!(
        "{} nodes, {} relationships, {} labels, {} relationship types\n\
         {} connected parts (largest {} nodes, {} nodes on their own)",
        g.node_count(),
        g.edge_count(),
        g.label_counts().len(),
        g.type_counts().len(),
        parts.sizes.len(),
        parts.sizes.first().copied().unwrap_or(0),
        alone
    )
}

/// Help on one topic, or the overview (which lists the procedures `CALL`
/// runs, with their signatures).
fn help(topic: &str, procs: &query::procedures::Registry) -> String {
    match topic.trim().trim_start_matches(':').to_lowercase().as_str() {
        "" => format!(
            "{HELP}\nProcedures (CALL name(args) [YIELD …]; :help procedures says what each does):\n{}\n\n\
             More: :help queries | questions | procedures | schema | keys | formats",
            procs
                .iter()
                .map(|p| format!("  {}", p.signature()))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        "procedures" | "procedure" | "call" => procedure_help(procs),
        "queries" | "query" | "cypher" => QUERY_HELP.to_string(),
        "questions" | "question" => format!("Plain questions (run on Enter):\n{}", question::FORMS),
        "schema" => SCHEMA_HELP.to_string(),
        "keys" | "editing" => KEYS_HELP.to_string(),
        "formats" | "format" => FORMAT_HELP.to_string(),
        other => {
            let line = HELP
                .lines()
                .find(|l| l.trim_start().starts_with(&format!(":{other}")));
            match line {
                Some(l) => l.trim().to_string(),
                None => format!(
                    "no help on '{other}'; topics: queries, questions, procedures, schema, keys, formats"
                ),
            }
        }
    }
}

/// Every procedure with its signature and what it does.
fn procedure_help(procs: &query::procedures::Registry) -> String {
    let mut out = String::from(
        "Procedures run with CALL: standalone (CALL db.labels()) or in a query\n\
         (MATCH (a:Person {name: 'Donald Trump'}) CALL news.timeline(a.name) YIELD time, text RETURN time, text).\n",
    );
    for p in procs.iter() {
        let sig = p.signature();
        out.push_str(&format!("  {sig}\n"));
        if !sig.description.is_empty() {
            out.push_str(&format!("      {}\n", sig.description));
        }
    }
    out.push_str(
        "Subqueries: CALL (a) { MATCH (a)-[:SAID]->(c) RETURN count(c) AS n } (see :help queries).",
    );
    out
}

const QUERY_HELP: &str = "\
A Cypher-like language (see docs/query-language.md). End a query with ';'.
  MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name, c.text;
  MATCH (e:Event)-[:OCCURRED_IN]->(p:Place {name: 'Kursk region'}) RETURN e.type, e.time;
  MATCH (p:Person)-[r:HOLDS_ROLE]->(c:Country) RETURN p.name, r.title, c.name;
  MATCH (c:Claim)-[:ABOUT]->(x) WHERE x.name = 'Ukraine' RETURN c.text LIMIT 5;
  MATCH p = shortestPath((a {name: 'Valery Gerasimov'})-[*..6]-(b {name: 'Donald Trump'})) RETURN p;
  MATCH (a:Actor) CALL (a) { MATCH (a)-[:SAID]->(c:Claim) RETURN count(c) AS claims } RETURN a.name, claims ORDER BY claims DESC LIMIT 5;
EXPLAIN QUERY shows the plan; PROFILE QUERY adds rows and time per step.
Parameters: :param who = 'Putin' then MATCH (n) WHERE n.name CONTAINS $who RETURN n;";

const SCHEMA_HELP: &str = "\
Nodes: Person, Organization, Place (+Country), Actor (extra label on those who act),
       Event {type, trigger, status, time, text}, Claim {text, stance, verb}, Article {file, title, date, text}.
Relationships: actor -[SAID|DENIED|CONFIRMED|ACCUSED|PRAISED|CRITICIZED|WARNED|PROMISED|QUESTIONED]-> Claim,
       Claim -[ABOUT]-> entity, actor -[PERFORMED]-> Event, Event -[AFFECTED]-> entity,
       Event -[OCCURRED_IN]-> Place, Place -[PART_OF]-> Place, Person -[HOLDS_ROLE {title}]-> Organization|Country,
       entity -[MENTIONED_IN]-> Article, Event -[REPORTED_IN]-> Article, Claim -[CONTRADICTS]-> Claim.
:schema shows what the loaded graph holds, with counts.";

const KEYS_HELP: &str = "\
Enter runs a question or :command, and a query once it ends with ';' (a blank line also runs it).
Tab completes keywords, labels, types, property keys, functions, :commands, names inside quotes
and file paths after :load, :save, :ingest, :source. Ctrl-R searches history; Ctrl-C clears the
line or cancels a running query; Ctrl-D leaves.";

const FORMAT_HELP: &str = "\
:format table   aligned table fitted to the terminal (default on a terminal)
:format plain   tab-separated lines (default when input is piped)
:format csv     RFC 4180 with a header; null is an empty field, the empty string \"\"
:format json    an array of objects, columns in order; nodes with id, labels and properties
:format jsonl   one JSON object a line";

/// Labels (with the property keys their nodes use) and relationship types, with counts.
pub fn schema_text(g: &Graph) -> String {
    let mut keys: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for n in g.node_ids() {
        if let Some(node) = g.node(n) {
            for l in node.labels() {
                let set = keys.entry(g.name_of(*l)).or_default();
                set.extend(node.props().iter().map(|(k, _)| g.name_of(k)));
            }
        }
    }
    let mut s = String::from("Labels:\n");
    for (l, n) in g.label_counts() {
        let k: Vec<&str> = keys
            .get(l)
            .map(|k| k.iter().copied().collect())
            .unwrap_or_default();
        s.push_str(&format!("  :{l:<16} {n:>7}   {{{}}}\n", k.join(", ")));
    }
    s.push_str("Relationship types:\n");
    for (t, n) in g.type_counts() {
        s.push_str(&format!("  :{t:<16} {n:>7}\n"));
    }
    s
}

/// Shows long output through `$PAGER` (default `less -FRX`); returns
/// false when it was not paged.
fn page(text: &str) -> bool {
    let height = std::env::var("LINES")
        .ok()
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(40);
    if text.lines().count() + 2 < height {
        return false;
    }
    let pager = std::env::var("PAGER").unwrap_or_else(|_| "less -FRX".into());
    let mut parts = pager.split_whitespace();
    let Some(cmd) = parts.next() else {
        return false;
    };
    let child = std::process::Command::new(cmd)
        .args(parts)
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return false };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    child.wait().is_ok()
}
