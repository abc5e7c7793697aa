//! The `newsgraph` command line: argument parsing and dispatch only.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use newsgraph::extract::Extractor;
use newsgraph::query::{self, Params, QueryOptions};
use newsgraph::render::{self, Format};
use newsgraph::repl::{self, Session};
use newsgraph::store::Graph;
use newsgraph::{jsonl, nlp, snapshot, tables, workspace};

mod bench;

/// The version line: the program's version and that of the time-zone
/// database bundled at build time.
fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (time zones: IANA {})",
            env!("CARGO_PKG_VERSION"),
            newsgraph::store::Zone::database_version()
        )
    })
}

#[derive(Parser)]
#[command(
    name = "newsgraph",
    version = version_text(),
    about = "News articles → a graph of actors, places, events and claims, queried from a REPL."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the REPL on a snapshot (default: the bundled articles).
    Repl {
        /// A snapshot file written by `ingest` or `:save`.
        snapshot: Option<PathBuf>,
        /// The memory budget of each query (512M, 2G, off; default a
        /// quarter of RAM).
        #[arg(long, value_parser = memory_size)]
        max_memory: Option<MemoryLimit>,
    },
    /// Extract article files or folders into a snapshot.
    Ingest {
        /// Article files (.txt) or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The snapshot to write.
        #[arg(long, short)]
        out: PathBuf,
        /// Print a timing breakdown to stderr (`timing <stage> <seconds>`).
        #[arg(long)]
        timings: bool,
    },
    /// Run one query (from the argument or stdin) and print the result.
    Query {
        /// The snapshot to query (default: the bundled articles).
        #[arg(long, short)]
        snapshot: Option<PathBuf>,
        #[arg(long, short, value_enum, default_value = "table")]
        format: Format,
        /// A parameter NAME=VALUE (VALUE is a query expression); repeatable.
        #[arg(long = "param", short = 'p')]
        params: Vec<String>,
        /// Give up after this many seconds.
        #[arg(long)]
        timeout: Option<f64>,
        /// The bound for unbounded variable-length patterns (`*`, `*2..`).
        #[arg(long, default_value_t = 15)]
        max_hops: usize,
        /// The memory budget of the query (512M, 2G, off; default a quarter
        /// of RAM).
        #[arg(long, value_parser = memory_size)]
        max_memory: Option<MemoryLimit>,
        /// The query; read from stdin when absent.
        query: Option<String>,
    },
    /// Print what extraction finds in articles (`jsonl`: one line per
    /// article, streamed; `-` reads the paths from stdin, one per line).
    Extract {
        /// Article files, folders of them, or `-` (paths on stdin).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, short, default_value = "json")]
        format: ExtractFormat,
    },
    /// Score extraction against gold files (runs ../shared/tools/score.py).
    Eval {
        /// Folder of gold JSON files.
        #[arg(long)]
        gold: PathBuf,
        /// Folder holding the articles the gold files name.
        #[arg(long, default_value = "data/articles")]
        articles: PathBuf,
        /// The scorer (default: tools/score.py beside the gold folder's parent).
        #[arg(long)]
        scorer: Option<PathBuf>,
    },
    /// Print node, label and relationship counts of a snapshot.
    Stats {
        snapshot: Option<PathBuf>,
        /// Print load and answer times to stderr (`timing <stage> <seconds>`).
        #[arg(long)]
        timings: bool,
    },
    /// Bulk-import nodes and relationships from CSV files, or the Parquet
    /// tables of `export --format parquet` or of the Spark job in `scale/`,
    /// into a snapshot.
    Import {
        /// Nodes CSV: header with `id`, `label` (`;`-separated) and property columns.
        #[arg(long, required_unless_present = "parquet", requires = "edges")]
        nodes: Option<PathBuf>,
        /// Relationships CSV: header with `source`, `target`, `type` and property columns.
        #[arg(long, requires = "nodes")]
        edges: Option<PathBuf>,
        /// A folder of Parquet tables with their schema.json.
        #[arg(long, conflicts_with_all = ["nodes", "edges"])]
        parquet: Option<PathBuf>,
        /// The snapshot to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Write a snapshot's graph as tables (one per label and per
    /// relationship type) with a schema.json, for Spark, Kuzu or Neo4j.
    Export {
        /// The snapshot (default: the bundled articles).
        #[arg(long, short)]
        snapshot: Option<PathBuf>,
        #[arg(long, short, value_enum, default_value = "parquet")]
        format: TableFormat,
        /// The folder to write (replaced as a whole when it holds an export).
        dir: PathBuf,
    },
    /// Write a synthetic news-like graph as nodes.csv and edges.csv.
    Generate {
        #[arg(long)]
        nodes: u64,
        #[arg(long)]
        edges: u64,
        /// The folder to write into.
        #[arg(long, short)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Train a model of the syntax core from treebank files.
    Train {
        /// Which model: tagger, parser or entities.
        #[arg(value_enum)]
        what: TrainWhat,
        /// Training files or folders (CoNLL-U).
        #[arg(long, required = true, num_args = 1..)]
        data: Vec<PathBuf>,
        /// Dev files scored after each epoch.
        #[arg(long, num_args = 1..)]
        dev: Vec<PathBuf>,
        /// The model file to write, e.g. data/models/tagger.bin.
        #[arg(long, short)]
        out: PathBuf,
        #[arg(long)]
        epochs: Option<usize>,
        /// Shuffling seed: the same seed and data give byte-identical weights.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A tagger model whose predicted tags the trainer reads.
        #[arg(long)]
        tagger: Option<PathBuf>,
    },
    /// Score the tagger and parser on CoNLL-U files (gold tokenisation).
    EvalSyntax {
        #[arg(long, required = true, num_args = 1..)]
        conllu: Vec<PathBuf>,
        /// A folder with tagger.bin, parser.bin and entities.bin (default: the models built in).
        #[arg(long)]
        models: Option<PathBuf>,
    },
    /// Score the entity tagger on IOB2 files (exact typed spans, PER/ORG/LOC).
    EvalEntities {
        #[arg(long, required = true, num_args = 1..)]
        iob2: Vec<PathBuf>,
        /// A folder with tagger.bin, parser.bin and entities.bin (default: the models built in).
        #[arg(long)]
        models: Option<PathBuf>,
    },
    /// Print newsgraph's analysis of a text file (or - for stdin) as CoNLL-U.
    Parse {
        input: PathBuf,
        /// A folder with tagger.bin, parser.bin and entities.bin (default: the models built in).
        #[arg(long)]
        models: Option<PathBuf>,
    },
    /// Merge N perturbed copies of extracted articles and save the graph
    /// (used by bench/ingest_scale.sh: the merge at scale without
    /// extracting every copy again).
    #[command(hide = true)]
    BenchMerge {
        /// Folder of articles (default: the bundled ones).
        articles: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        copies: usize,
        /// The snapshot to write.
        #[arg(long, short)]
        out: PathBuf,
        /// Merge one article at a time (no parallel lookups).
        #[arg(long)]
        serial: bool,
    },
    /// Time queries in one process on a snapshot (used by bench/compare.py).
    #[command(hide = true)]
    BenchQueries {
        #[arg(long, short)]
        snapshot: PathBuf,
        /// JSON: [{"name": .., "queries": [text, ..]}, ..].
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TrainWhat {
    Tagger,
    Parser,
    Entities,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TableFormat {
    /// Parquet files (Snappy).
    Parquet,
    /// CSV files with the headers `neo4j-admin database import` reads.
    Neo4jCsv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExtractFormat {
    /// One pretty-printed FORMAT.md document per article.
    Json,
    /// One line per article: the document plus path, title and sentence
    /// spans; a bad article gives an `{"path", "error"}` line.
    Jsonl,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Some(Command::Query { .. })) {
        // A closed pipe (`newsgraph extract … | head`) ends the program
        // quietly, as it does `grep`, instead of panicking in `println!`.
        // `query` handles it itself: it may still have changes to save.
        // SAFETY: called once at start-up, before any thread is spawned.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match run(cli.command.unwrap_or(Command::Repl {
        snapshot: None,
        max_memory: None,
    })) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Gives the memory that malloc holds free back to the system: the free
/// space at the top of each arena, and the free pages inside them. After a
/// large query stopped by its budget, the REPL held 1 GiB this way and
/// `malloc_trim` brought it back to 17 MiB (docs/reliability.md). Only with
/// glibc, the allocator of this program there (it sets no global allocator);
/// elsewhere nothing.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointer and has no precondition; it
    // locks each arena while it trims, so other threads may allocate
    // meanwhile.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A `--max-memory` value: bytes, or `None` for no limit.
#[derive(Clone, Debug)]
struct MemoryLimit(Option<usize>);

fn memory_size(text: &str) -> Result<MemoryLimit, String> {
    query::parse_memory_size(text).map(MemoryLimit)
}

fn open(snapshot: Option<&Path>, quiet: bool) -> Result<(Graph, Option<PathBuf>), String> {
    match snapshot {
        Some(p) => {
            let (g, _) = snapshot::load(p).map_err(|e| e.to_string())?;
            Ok((g, Some(p.to_path_buf())))
        }
        None => {
            let (g, note) = workspace::open_default(!quiet && std::io::stderr().is_terminal());
            if !quiet {
                eprintln!("{note}");
            }
            Ok((g, None))
        }
    }
}

fn run(cmd: Command) -> Result<ExitCode, String> {
    match cmd {
        Command::Import {
            nodes,
            edges,
            parquet,
            out,
        } => {
            match (parquet, nodes, edges) {
                (Some(dir), _, _) => import_parquet(&dir, &out)?,
                (None, Some(nodes), Some(edges)) => bench::import(&nodes, &edges, &out)?,
                _ => return Err("give --parquet DIR, or --nodes and --edges".into()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            snapshot,
            format,
            dir,
        } => {
            let (g, _) = open(snapshot.as_deref(), true)?;
            let format = match format {
                TableFormat::Parquet => tables::Format::Parquet,
                TableFormat::Neo4jCsv => tables::Format::Neo4jCsv,
            };
            let written = tables::export(&g, format, &dir).map_err(|e| e.to_string())?;
            eprintln!(
                "wrote {} node tables and {} relationship tables ({} nodes, {} relationships) to {}",
                written
                    .iter()
                    .filter(|t| t.kind == tables::Kind::Nodes)
                    .count(),
                written
                    .iter()
                    .filter(|t| t.kind == tables::Kind::Relationships)
                    .count(),
                g.node_count(),
                g.edge_count(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            nodes,
            edges,
            out,
            seed,
        } => {
            let g = newsgraph::generate::generate(nodes, edges, seed, &out)
                .map_err(|e| format!("{}: {e}", out.display()))?;
            eprintln!(
                "wrote {} nodes and {} relationships to {}",
                g.nodes,
                g.edges,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchMerge {
            articles,
            copies,
            out,
            serial,
        } => {
            let dir = articles.unwrap_or_else(workspace::default_articles_dir);
            bench::merge(&dir, copies, &out, serial)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchQueries {
            snapshot,
            queries,
            repeat,
        } => {
            bench::queries(&snapshot, &queries, repeat)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Repl {
            snapshot,
            max_memory,
        } => {
            let quiet = !std::io::stdin().is_terminal();
            let (g, path) = open(snapshot.as_deref(), quiet)?;
            let mut session = Session::new(g, path);
            if let Some(MemoryLimit(m)) = max_memory {
                session.set_max_memory(m);
            }
            session.set_release_memory(release_freed_memory);
            let code = session.run();
            Ok(ExitCode::from(code as u8))
        }
        Command::Ingest {
            paths,
            out,
            timings,
        } => {
            let mut g = Graph::new();
            let report = workspace::ingest(&mut g, &paths, std::io::stderr().is_terminal());
            for (p, e) in &report.failed {
                eprintln!("skipped {}: {e}", p.display());
            }
            for (p, first) in &report.duplicates {
                eprintln!(
                    "skipped {}: the same article as {first}, already ingested",
                    p.display()
                );
            }
            if report.ingested == 0 {
                return Err(format!("nothing ingested ({} files given)", report.files));
            }
            let meta = vec![("ingested".to_string(), report.ingested.to_string())];
            let t = std::time::Instant::now();
            snapshot::save(&g, &meta, &out).map_err(|e| e.to_string())?;
            let saving = t.elapsed();
            eprintln!("{report}; wrote {}", out.display());
            if timings {
                for (stage, d) in [
                    ("extract", report.extract_time),
                    ("merge", report.merge_time),
                    ("ingest", report.elapsed),
                    ("save", saving),
                ] {
                    eprintln!("timing {stage} {:.3}", d.as_secs_f64());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Query {
            snapshot,
            format,
            params,
            timeout,
            max_hops,
            max_memory,
            query,
        } => {
            let timeout = match timeout {
                Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
                    Some(std::time::Duration::from_secs_f64(s))
                }
                Some(s) => return Err(format!("--timeout {s}: give a positive number of seconds")),
                None => None,
            };
            let mut limits = QueryOptions {
                timeout,
                max_var_length: max_hops,
                ..QueryOptions::default()
            };
            if let Some(MemoryLimit(m)) = max_memory {
                limits.max_memory = m;
            }
            let text = match query {
                Some(q) => q,
                None => {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| format!("reading the query from stdin: {e}"))?;
                    s
                }
            };
            let (mut g, path) = open(snapshot.as_deref(), true)?;
            let mut p = Params::new();
            for kv in &params {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--param {kv}: expected NAME=VALUE"))?;
                let out = query::run(
                    &mut Graph::new(),
                    &format!("RETURN {v} AS v"),
                    &Params::new(),
                    &QueryOptions::default(),
                )
                .map_err(|e| format!("--param {k}: {}", e.render(v)))?;
                let value = out
                    .rows
                    .into_iter()
                    .next()
                    .and_then(|r| r.into_iter().next())
                    .unwrap_or(query::Value::Null);
                p.insert(k.trim().trim_start_matches('$').to_string(), value);
            }
            let text = text.trim().trim_end_matches(';');
            let out = query::run(&mut g, text, &p, &limits).map_err(|e| e.render(text))?;
            // a closed pipe (`… | head`) is not an error: stop writing
            // quietly, but still save the changes below
            let text = render::render(&g, &out, format, None);
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(format!("writing the result: {e}"));
                }
                _ => {}
            }
            drop(stdout);
            if out.stats != query::WriteStats::default() {
                if let Some(path) = path {
                    snapshot::save(&g, &[], &path).map_err(|e| e.to_string())?;
                    eprintln!("saved changes to {}", path.display());
                } else {
                    eprintln!(
                        "note: changes to the default graph are not saved; use --snapshot FILE"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract {
            files,
            format: ExtractFormat::Jsonl,
        } => {
            let ex = Extractor::new();
            let stdin = std::io::stdin().lock();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let rep = jsonl::stream(
                &ex,
                jsonl::paths(&files, stdin),
                &mut out,
                &mut std::io::stderr(),
            )?;
            eprintln!("extracted {} articles; {} failed", rep.articles, rep.failed);
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract {
            files,
            format: ExtractFormat::Json,
        } => {
            let ex = Extractor::new();
            let mut failed = false;
            for f in &files {
                match workspace::extract_file(&ex, f) {
                    Ok((x, _)) => {
                        let json = serde_json::to_string_pretty(&x.to_json())
                            .map_err(|e| e.to_string())?;
                        println!("{json}");
                    }
                    Err(e) => {
                        eprintln!("{}: {e}", f.display());
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Eval {
            gold,
            articles,
            scorer,
        } => eval(&gold, &articles, scorer),
        Command::Train {
            what,
            data,
            dev,
            out,
            epochs,
            seed,
            tagger,
        } => {
            let args = nlp::TrainArgs {
                data,
                dev,
                out,
                epochs,
                seed,
                tagger,
            };
            let mut log = |line: &str| eprintln!("{line}");
            match what {
                TrainWhat::Tagger => nlp::tagger::train_cli(&args, &mut log),
                TrainWhat::Parser => nlp::parser::train_cli(&args, &mut log),
                TrainWhat::Entities => nlp::entities::train_cli(&args, &mut log),
            }?;
            Ok(ExitCode::SUCCESS)
        }
        Command::EvalSyntax { conllu, models } => {
            let sents = nlp::conllu::read_paths(&conllu).map_err(|e| e.to_string())?;
            let pipe = pipeline(models)?;
            println!(
                "{}",
                nlp::eval::syntax(&sents, Some(&pipe.tagger), Some(&pipe.parser))
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::EvalEntities { iob2, models } => {
            let mut sents = Vec::new();
            for f in nlp::conllu::expand(&iob2, "iob2").map_err(|e| e.to_string())? {
                sents.extend(nlp::conllu::read_iob2(&f).map_err(|e| e.to_string())?);
            }
            let pipe = pipeline(models)?;
            println!(
                "{}",
                nlp::eval::entities(&sents, &pipe.tagger, &pipe.entities)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse { input, models } => {
            let text = if input.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| format!("reading stdin: {e}"))?;
                s
            } else {
                std::fs::read_to_string(&input).map_err(|e| format!("{}: {e}", input.display()))?
            };
            let pipe = pipeline(models)?;
            let toks = newsgraph::extract::sentences::tokenize(&text);
            let mut out = String::new();
            for (i, s) in newsgraph::extract::sentences::split(&text, &toks)
                .iter()
                .enumerate()
            {
                let sent = &text[s.start..s.end];
                let a = pipe.analyse(sent);
                if !a.is_empty() {
                    out.push_str(&nlp::pipeline::to_conllu(&a, sent, &format!("s{}", i + 1)));
                }
            }
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(out.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { snapshot, timings } => {
            let t = std::time::Instant::now();
            let (g, _) = open(snapshot.as_deref(), true)?;
            let loading = t.elapsed();
            let t = std::time::Instant::now();
            let text = format!("{}\n{}", repl::stats_text(&g), repl::schema_text(&g));
            let answering = t.elapsed();
            print!("{text}");
            if timings {
                eprintln!("timing load {:.3}", loading.as_secs_f64());
                eprintln!("timing stats {:.3}", answering.as_secs_f64());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `import --parquet`: tables → snapshot, bad rows reported.
fn import_parquet(dir: &Path, out: &Path) -> Result<(), String> {
    let (g, rep) = tables::import_parquet(dir).map_err(|e| e.to_string())?;
    for e in &rep.errors {
        eprintln!("skipped {e}");
    }
    if rep.skipped > rep.errors.len() as u64 {
        eprintln!("… and {} more", rep.skipped - rep.errors.len() as u64);
    }
    let meta = vec![("imported".to_string(), dir.display().to_string())];
    snapshot::save(&g, &meta, out).map_err(|e| e.to_string())?;
    eprintln!("{rep}; wrote {}", out.display());
    Ok(())
}

/// The models in `dir`, or the ones built into the binary.
fn pipeline(dir: Option<PathBuf>) -> Result<&'static nlp::pipeline::Pipeline, String> {
    match dir {
        Some(d) => nlp::pipeline::Pipeline::load_dir(&d)
            .map(|p| &*Box::leak(Box::new(p)))
            .map_err(|e| e.to_string()),
        None => nlp::pipeline::Pipeline::embedded().map_err(str::to_string),
    }
}

/// Extracts every article a gold file names into a temporary folder and
/// scores it with the project's scorer.
fn eval(gold: &Path, articles: &Path, scorer: Option<PathBuf>) -> Result<ExitCode, String> {
    let scorer = scorer.unwrap_or_else(|| {
        gold.parent().and_then(Path::parent).map_or_else(
            || PathBuf::from("tools/score.py"),
            |p| p.join("tools/score.py"),
        )
    });
    if !scorer.exists() {
        return Err(format!(
            "scorer not found at {} (use --scorer)",
            scorer.display()
        ));
    }
    let pred = std::env::temp_dir().join(format!("newsgraph-eval-{}", std::process::id()));
    std::fs::create_dir_all(&pred).map_err(|e| format!("{}: {e}", pred.display()))?;
    let ex = Extractor::new();
    let mut entries: Vec<_> = std::fs::read_dir(gold)
        .map_err(|e| format!("{}: {e}", gold.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    for g in &entries {
        let text = std::fs::read_to_string(g).map_err(|e| format!("{}: {e}", g.display()))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", g.display()))?;
        let Some(name) = doc.get("article").and_then(|a| a.as_str()) else {
            eprintln!("{}: no \"article\" field; skipped", g.display());
            continue;
        };
        let article = articles.join(name);
        match workspace::extract_file(&ex, &article) {
            Ok((x, _)) => {
                let out = pred.join(g.file_name().unwrap_or_default());
                let json = serde_json::to_string_pretty(&x.to_json()).map_err(|e| e.to_string())?;
                std::fs::write(&out, json).map_err(|e| format!("{}: {e}", out.display()))?;
            }
            Err(e) => eprintln!("{}: {e}", article.display()),
        }
    }
    let status = std::process::Command::new("python3")
        .arg(&scorer)
        .arg("--gold")
        .arg(gold)
        .arg("--pred")
        .arg(&pred)
        .status()
        .map_err(|e| format!("running python3 {}: {e}", scorer.display()))?;
    let _ = std::fs::remove_dir_all(&pred);
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
