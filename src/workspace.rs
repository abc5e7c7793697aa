//! Graphs from article files: collects files, extracts them in parallel,
//! merges them into a store in a fixed order, and keeps the default graph
//! (the bundled `data/articles`) cached as a snapshot that is rebuilt when
//! the articles or the program change.
//!
//! This is the one place where extraction meets the store; it does no
//! querying and no terminal I/O beyond an optional progress bar.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::extract::{Extraction, Extractor};
use crate::ingest::Merger;
use crate::snapshot;
use crate::store::Graph;

/// What an ingest did.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub files: usize,
    pub ingested: usize,
    pub failed: Vec<(PathBuf, String)>,
    /// Files whose article was already in the graph under another file
    /// name, with that name: not ingested again.
    pub duplicates: Vec<(PathBuf, String)>,
    pub bytes: u64,
    pub entities: usize,
    pub claims: usize,
    pub events: usize,
    pub elapsed: Duration,
    /// Wall time spent extracting, batch by batch (overlaps the merge).
    pub extract_time: Duration,
    /// Wall time the merge took (the calling thread's share of `elapsed`).
    pub merge_time: Duration,
}

impl std::fmt::Display for IngestReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ingested {} of {} files ({:.1} MB) in {:.2}s: {} entities, {} claims, {} events",
            self.ingested,
            self.files,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64(),
            self.entities,
            self.claims,
            self.events
        )?;
        if !self.failed.is_empty() {
            write!(f, "; {} skipped", self.failed.len())?;
        }
        if !self.duplicates.is_empty() {
            write!(f, "; {} duplicates", self.duplicates.len())?;
        }
        Ok(())
    }
}

/// The article files under `paths`: files as given, folders searched
/// recursively for `*.txt`, sorted. Paths that do not exist are returned
/// separately with the reason.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            missing.push((p.clone(), "no such file or folder".to_string()));
        }
    }
    (files, missing)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    walk_once(dir, out, &mut std::collections::HashSet::new());
}

/// `walk`, entering each folder once (a symbolic link back to a parent
/// folder would otherwise recurse without end).
fn walk_once(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut std::collections::HashSet<PathBuf>) {
    if !seen.insert(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk_once(&p, out, seen);
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
}

/// Articles per batch: a batch is extracted in parallel while the one
/// before it is merged, so at most three batches of extractions are held.
const BATCH: usize = 128;

/// Extracts `paths` (files or folders) in parallel and merges them into
/// `graph` in file order. A file that cannot be read or extracted is
/// reported and skipped; the rest are ingested.
///
/// Extraction runs on rayon's threads batch by batch while the calling
/// thread merges the previous batch ([`Merger::merge_batch`]: lookups in
/// parallel, writes in order), so both stages keep the cores busy and the
/// extractions in memory stay a few batches whatever the corpus size.
pub fn ingest(graph: &mut Graph, paths: &[PathBuf], progress: bool) -> IngestReport {
    let start = Instant::now();
    let (files, missing) = collect_files(paths);
    let mut report = IngestReport {
        files: files.len() + missing.len(),
        failed: missing,
        ..Default::default()
    };
    let bar = if progress {
        let b = ProgressBar::new(files.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} ingesting [{bar:30}] {pos}/{len} articles, {per_sec}, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let extractor = Extractor::new();
    let mut merger = Merger::new(graph);
    // the merge's parallel lookups get threads of their own: on rayon's
    // global pool they would queue behind the extraction of the next batch
    let merge_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("merge-{i}"))
        .build()
        .ok();
    std::thread::scope(|s| {
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<(Vec<(PathBuf, ExtractResult)>, Duration)>(1);
        let files = &files;
        s.spawn(move || {
            for chunk in files.chunks(BATCH) {
                let t = Instant::now();
                let batch: Vec<(PathBuf, ExtractResult)> = chunk
                    .par_iter()
                    .map(|path| (path.clone(), extract_file(&extractor, path)))
                    .collect();
                if tx.send((batch, t.elapsed())).is_err() {
                    break;
                }
            }
        });
        for (batch, extracting) in rx {
            report.extract_time += extracting;
            let t = Instant::now();
            let exs: Vec<&Extraction> = batch
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok().map(|(ex, _)| ex))
                .collect();
            let sums = match &merge_pool {
                Some(pool) => pool.install(|| merger.merge_batch(graph, &exs)),
                None => merger.merge_batch(graph, &exs),
            };
            let mut sums = sums.into_iter();
            report.merge_time += t.elapsed();
            bar.inc(batch.len() as u64);
            for (path, r) in batch {
                match r {
                    Ok((_, bytes)) => {
                        let s = sums.next().unwrap_or_default();
                        if let Some(first) = s.duplicate_of {
                            report.duplicates.push((path, first));
                            continue;
                        }
                        report.ingested += 1;
                        report.bytes += bytes;
                        report.entities += s.entities;
                        report.claims += s.claims;
                        report.events += s.events;
                    }
                    Err(e) => report.failed.push((path, e)),
                }
            }
        }
    });
    bar.finish_and_clear();
    report.elapsed = start.elapsed();
    report
}

type ExtractResult = Result<(Extraction, u64), String>;

/// The largest article file read (bigger files are reported and skipped).
pub const MAX_ARTICLE_BYTES: u64 = 64 << 20;

/// Reads an article file: only regular files (a FIFO or a device such as
/// `/dev/zero` would block or never end), at most [`MAX_ARTICLE_BYTES`].
/// Old Mac line endings (a CR alone) become LF, so that every line-ending
/// style reads as lines; byte offsets do not change.
pub fn read_article(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(format!("{kind}; skipped"));
    }
    if meta.len() > MAX_ARTICLE_BYTES {
        return Err(format!(
            "{} bytes, more than the {} MB an article may have; skipped",
            meta.len(),
            MAX_ARTICLE_BYTES >> 20
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // the file may grow after the check: read one byte past the cap
    file.take(MAX_ARTICLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(format!(
            "more than the {} MB an article may have; skipped",
            MAX_ARTICLE_BYTES >> 20
        ));
    }
    normalize_line_endings(&mut bytes);
    Ok(bytes)
}

/// A CR not followed by LF (classic Mac line endings) becomes LF; CRLF and
/// LF stay as they are.
pub fn normalize_line_endings(bytes: &mut [u8]) {
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
}

/// Reads and extracts one article file.
pub fn extract_file(extractor: &Extractor, path: &Path) -> ExtractResult {
    let bytes = read_article(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ex = extractor
        .extract(&name, &bytes)
        .map_err(|e| e.to_string())?;
    Ok((ex, bytes.len() as u64))
}

/// Where the bundled articles are: `$NEWSGRAPH_ARTICLES`, else the
/// `data/articles` of the source tree this binary was built from, else
/// `./data/articles`.
pub fn default_articles_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("NEWSGRAPH_ARTICLES") {
        return PathBuf::from(p);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
    if built.is_dir() {
        built
    } else {
        PathBuf::from("data/articles")
    }
}

/// A fingerprint of the article files and of this program: any change to
/// either gives a new cache file.
fn fingerprint(files: &[PathBuf]) -> String {
    let mut h = crc32fast::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&snapshot::FORMAT_VERSION.to_le_bytes());
    let stamp = |p: &Path| -> Vec<u8> {
        std::fs::metadata(p)
            .map(|m| {
                let t = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}:{}", m.len(), t).into_bytes()
            })
            .unwrap_or_default()
    };
    if let Ok(exe) = std::env::current_exe() {
        h.update(&stamp(&exe));
    }
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(&stamp(f));
    }
    format!("{:08x}", h.finalize())
}

/// Where the default graph's cache lives: `$NEWSGRAPH_CACHE` or the user's
/// cache folder.
fn cache_dir() -> PathBuf {
    std::env::var_os("NEWSGRAPH_CACHE")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("newsgraph")))
        .unwrap_or_else(|| std::env::temp_dir().join("newsgraph"))
}

/// The default graph: the bundled articles, loaded from the cache when it
/// is current, else ingested and cached. Returns the graph and a note for
/// the user.
pub fn open_default(progress: bool) -> (Graph, String) {
    let dir = default_articles_dir();
    let (files, _) = collect_files(std::slice::from_ref(&dir));
    let cache = cache_dir().join(format!("default-{}.ngs", fingerprint(&files)));
    if let Ok((g, _)) = snapshot::load(&cache) {
        let note = format!(
            "loaded {} articles from cache {} ({} nodes, {} relationships)",
            files.len(),
            cache.display(),
            g.node_count(),
            g.edge_count()
        );
        return (g, note);
    }
    let mut g = Graph::new();
    let report = ingest(&mut g, std::slice::from_ref(&dir), progress);
    let mut note = format!("{} from {}", report, dir.display());
    for (p, e) in &report.failed {
        note.push_str(&format!("\n  skipped {}: {e}", p.display()));
    }
    if let Some(parent) = cache.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        // Old caches of other fingerprints are stale now.
        if let Ok(entries) = std::fs::read_dir(parent) {
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("default-") && n.ends_with(".ngs") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let meta = vec![("source".to_string(), dir.display().to_string())];
        if let Err(e) = snapshot::save(&g, &meta, &cache) {
            note.push_str(&format!("\n  (could not cache the graph: {e})"));
        }
    }
    (g, note)
}
