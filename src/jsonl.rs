//! Extraction as a stream: `newsgraph extract --format jsonl`, one JSON line
//! per article, for a map step on a cluster (see `scale/`).
//!
//! A line is the FORMAT.md document of one article (`article`, `date`,
//! `entities`, `claims`, `events`) plus `path` (as given), `title`, `text`
//! (the article's text as the graph keeps it), `bytes` (the file's size),
//! `sentences` (the byte span `[start, end]` of every body sentence in
//! `text`: a claim's or an event's `sentence` index names its provenance)
//! and `graph`, the article's share of the graph with its merge keys
//! ([`crate::ingest::fragment`]), from which `scale/` builds the graph.
//! A file that cannot be
//! read or extracted gives the line `{"path": .., "error": ..}` instead
//! and the stream goes on: a bad article never stops the stream.
//!
//! Files are read in small batches extracted in parallel and written in
//! the order given, so memory stays a few batches however many files the
//! list names (paths may come from stdin, one per line).
//! Owns: the line format. May not touch: the store or the merge.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::extract::{Extraction, Extractor};
use crate::workspace;

/// Articles extracted at a time (in parallel), then written in order.
const BATCH: usize = 32;

/// What a stream did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StreamReport {
    pub articles: usize,
    pub failed: usize,
}

/// The JSON line of one extracted article (without the trailing newline).
pub fn article_line(path: &Path, ex: &Extraction, bytes: u64) -> String {
    let mut doc = ex.to_json();
    if let Value::Object(m) = &mut doc {
        // `path` first, as a key to read the line by
        let mut out = serde_json::Map::new();
        out.insert("path".into(), json!(path.to_string_lossy()));
        out.append(m);
        out.insert("title".into(), json!(ex.title));
        out.insert("text".into(), json!(ex.text));
        out.insert("bytes".into(), json!(bytes));
        out.insert(
            "sentences".into(),
            Value::Array(
                ex.sentences
                    .iter()
                    .map(|s| json!([s.start, s.end]))
                    .collect(),
            ),
        );
        out.insert("graph".into(), crate::ingest::fragment::fragment(ex));
        doc = Value::Object(out);
    }
    doc.to_string()
}

/// The JSON line of a file that could not be read or extracted.
pub fn error_line(path: &Path, reason: &str) -> String {
    json!({"path": path.to_string_lossy(), "error": reason}).to_string()
}

/// The paths to extract: `args` as given, folders expanded to their
/// `*.txt` files (sorted); `-` reads further paths from `stdin`, one per
/// line (blank lines skipped), lazily, so a long list is never held.
pub fn paths<'a>(
    args: &'a [PathBuf],
    stdin: impl BufRead + 'a,
) -> impl Iterator<Item = Result<PathBuf, String>> + 'a {
    let mut stdin = Some(stdin);
    args.iter()
        .flat_map(move |a| -> Box<dyn Iterator<Item = _>> {
            if a.as_os_str() == "-" {
                match stdin.take() {
                    Some(r) => Box::new(r.lines().filter_map(|l| match l {
                        Ok(l) if l.trim().is_empty() => None,
                        Ok(l) => Some(Ok(PathBuf::from(l.trim_end_matches('\r')))),
                        Err(e) => Some(Err(format!("reading paths from stdin: {e}"))),
                    })),
                    None => Box::new(std::iter::empty()),
                }
            } else if a.is_dir() {
                let (files, _) = workspace::collect_files(std::slice::from_ref(a));
                Box::new(files.into_iter().map(Ok))
            } else {
                Box::new(std::iter::once(Ok(a.clone())))
            }
        })
}

/// Extracts every path and writes one line per article to `out`; each
/// failure is also told to `err` as `path: reason`. Stops only when `out`
/// cannot be written (or the path list cannot be read).
pub fn stream(
    ex: &Extractor,
    paths: impl Iterator<Item = Result<PathBuf, String>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<StreamReport, String> {
    let mut report = StreamReport::default();
    let mut batch: Vec<PathBuf> = Vec::with_capacity(BATCH);
    let mut flush = |batch: &mut Vec<PathBuf>, report: &mut StreamReport| -> Result<(), String> {
        let lines: Vec<(String, Option<String>)> = batch
            .par_iter()
            .map(|p| match workspace::extract_file(ex, p) {
                Ok((x, bytes)) => (article_line(p, &x, bytes), None),
                Err(e) => (error_line(p, &e), Some(format!("{}: {e}", p.display()))),
            })
            .collect();
        for (line, failure) in lines {
            match failure {
                Some(f) => {
                    report.failed += 1;
                    let _ = writeln!(err, "{f}");
                }
                None => report.articles += 1,
            }
            out.write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(|e| format!("writing the output: {e}"))?;
        }
        out.flush()
            .map_err(|e| format!("writing the output: {e}"))?;
        batch.clear();
        Ok(())
    };
    for p in paths {
        batch.push(p?);
        if batch.len() == BATCH {
            flush(&mut batch, &mut report)?;
        }
    }
    flush(&mut batch, &mut report)?;
    Ok(report)
}
