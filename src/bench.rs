//! The `import`, `bench-merge` and `bench-queries` subcommands: bulk import
//! with timings, the merge at scale on copies of extracted articles, and
//! timed queries in one long-lived process for `bench/compare.py`.

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use newsgraph::extract::{Extraction, Extractor};
use newsgraph::ingest::Merger;
use newsgraph::query::{self, Params, QueryOptions, Value};
use newsgraph::store::Graph;
use newsgraph::{import, snapshot, workspace};

/// `VmRSS` and `VmHWM` (peak) of this process in KiB, from /proc (0 elsewhere).
pub fn rss_kib() -> (u64, u64) {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return (0, 0);
    };
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn import(nodes: &Path, edges: &Path, out: &Path) -> Result<(), String> {
    let t = Instant::now();
    let mut g = Graph::new();
    let rep = import::import_csv(&mut g, nodes, edges).map_err(|e| e.to_string())?;
    let load = t.elapsed().as_secs_f64();
    const SHOWN: usize = 50;
    for e in rep.errors.iter().take(SHOWN) {
        eprintln!("skipped {e}");
    }
    if rep.errors.len() > SHOWN {
        eprintln!("… and {} more bad rows", rep.errors.len() - SHOWN);
    }
    let t = Instant::now();
    let meta = vec![("imported".to_string(), format!("{}", rep.nodes))];
    snapshot::save(&g, &meta, out).map_err(|e| e.to_string())?;
    let save = t.elapsed().as_secs_f64();
    let (rss, peak) = rss_kib();
    eprintln!("{rep}");
    eprintln!(
        "read {:.1} MB of CSV in {load:.2} s ({:.1} MB/s); wrote {} in {save:.2} s; RSS {} MiB, peak {} MiB",
        rep.bytes as f64 / 1e6,
        rep.bytes as f64 / 1e6 / load.max(1e-9),
        out.display(),
        rss / 1024,
        peak / 1024
    );
    println!(
        "{}",
        serde_json::json!({
            "nodes": rep.nodes, "edges": rep.edges,
            "bad_node_rows": rep.bad_node_rows, "bad_edge_rows": rep.bad_edge_rows,
            "load_s": load, "save_s": save, "bytes": rep.bytes,
            "rss_kib": rss, "peak_rss_kib": peak,
        })
    );
    Ok(())
}

/// The first column of the first row as a number (for counts), else 0;
/// for several rows, the sum of the last column (grouped counts).
fn count_of(out: &query::QueryOutput) -> i64 {
    out.rows
        .iter()
        .map(|r| match r.last() {
            Some(Value::Int(i)) => *i,
            _ => 0,
        })
        .sum()
}

pub fn queries(snap: &Path, queries: &Path, repeat: usize) -> Result<(), String> {
    let (rss0, _) = rss_kib();
    let t = Instant::now();
    let (mut g, _) = snapshot::load(snap).map_err(|e| e.to_string())?;
    let load = t.elapsed().as_secs_f64();
    let (rss1, _) = rss_kib();
    let text =
        std::fs::read_to_string(queries).map_err(|e| format!("{}: {e}", queries.display()))?;
    let spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", queries.display()))?;
    let items = spec.as_array().ok_or("expected a JSON array")?;
    let opts = QueryOptions::default();
    let params = Params::new();
    let mut results = Vec::new();
    for item in items {
        let name = item["name"].as_str().unwrap_or("?").to_string();
        let texts: Vec<&str> = item["queries"]
            .as_array()
            .map(|a| a.iter().filter_map(|q| q.as_str()).collect())
            .unwrap_or_default();
        let mut times = Vec::new();
        let mut count = 0i64;
        let mut error = None;
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            let mut total = 0i64;
            for q in &texts {
                match query::run(&mut g, q, &params, &opts) {
                    Ok(out) => total += count_of(&out),
                    Err(e) => {
                        error = Some(e.render(q));
                        break;
                    }
                }
            }
            times.push(t.elapsed().as_secs_f64());
            count = total;
            if error.is_some() {
                break;
            }
        }
        eprintln!(
            "{name}: {:.4} s (count {count})",
            median(&mut times.clone())
        );
        results.push(serde_json::json!({
            "name": name, "times": times, "count": count, "error": error,
        }));
    }
    let (rss2, peak) = rss_kib();
    println!(
        "{}",
        serde_json::json!({
            "load_s": load,
            "nodes": g.node_count(), "edges": g.edge_count(),
            "rss_before_load_kib": rss0, "rss_after_load_kib": rss1,
            "rss_end_kib": rss2, "peak_rss_kib": peak,
            "results": results,
        })
    );
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// CPU time (user + system, all threads) this process has used, from
/// /proc (zero elsewhere); 10 ms resolution.
fn cpu_time() -> Duration {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // fields after the command name (which is in parentheses)
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

/// Copy `k` of an extracted article, as `bench/ingest_scale.sh` writes it:
/// `<name>-c<k>.txt`, with "Archive copy k of this report." appended to
/// the text (the extraction of the appended line is not added).
fn copy_of(x: &Extraction, k: usize) -> Extraction {
    let mut x = x.clone();
    x.article = format!("{}-c{k:04}.txt", x.article.trim_end_matches(".txt"));
    x.text = format!(
        "{}\n\nArchive copy {k} of this report.\n",
        x.text.trim_end()
    );
    x
}

/// Extracts the articles of `dir` once, merges `copies` copies of them in
/// batches as `ingest` does (or one by one with `serial`), saves the
/// graph, and prints `timing` lines: extraction, merge, the merge's time
/// per article in each tenth of the run, and the save.
pub fn merge(dir: &Path, copies: usize, out: &Path, serial: bool) -> Result<(), String> {
    let t = Instant::now();
    let (files, _) = workspace::collect_files(&[dir.to_path_buf()]);
    let ex = Extractor::new();
    let base: Vec<Extraction> = files
        .par_iter()
        .filter_map(|p| workspace::extract_file(&ex, p).ok().map(|(x, _)| x))
        .collect();
    if base.is_empty() {
        return Err(format!("no articles in {}", dir.display()));
    }
    eprintln!("timing extract {:.3}", t.elapsed().as_secs_f64());
    let mut g = Graph::new();
    let mut m = Merger::new(&g);
    let total = base.len() * copies;
    let mut tenths = [Duration::ZERO; 10];
    let mut tenths_cpu = [Duration::ZERO; 10];
    let mut merging_cpu = Duration::ZERO;
    let mut merged = 0usize;
    let mut merging = Duration::ZERO;
    for k in 0..copies {
        for chunk in base.chunks(128) {
            let batch: Vec<Extraction> = chunk.par_iter().map(|x| copy_of(x, k)).collect();
            let t = Instant::now();
            let c = cpu_time();
            if serial {
                for x in &batch {
                    m.merge(&mut g, x);
                }
            } else {
                m.merge_batch(&mut g, &batch.iter().collect::<Vec<_>>());
            }
            let took = t.elapsed();
            let took_cpu = cpu_time().saturating_sub(c);
            merging += took;
            merging_cpu += took_cpu;
            tenths[(merged * 10 / total).min(9)] += took;
            tenths_cpu[(merged * 10 / total).min(9)] += took_cpu;
            merged += batch.len();
        }
    }
    eprintln!("timing merge {:.3}", merging.as_secs_f64());
    eprintln!("timing merge-cpu {:.3}", merging_cpu.as_secs_f64());
    let per = (total as f64 / 10.0).max(1.0);
    for (i, (d, c)) in tenths.iter().zip(&tenths_cpu).enumerate() {
        eprintln!(
            "timing merge-tenth-{} {:.4} ms/article wall {:.4} ms/article cpu",
            i + 1,
            d.as_secs_f64() * 1e3 / per,
            c.as_secs_f64() * 1e3 / per
        );
    }
    let (rss, _) = rss_kib();
    let text: usize = g
        .symbol("text")
        .zip(g.symbol("Article"))
        .map_or(0, |(text_k, art_l)| {
            g.nodes_with_label(art_l)
                .filter_map(|n| g.node(n)?.prop(text_k)?.as_str().map(str::len))
                .sum()
        });
    eprintln!(
        "memory after merge: RSS {} MiB, {:.0} bytes per article, of which article text {:.0}",
        rss / 1024,
        rss as f64 * 1024.0 / merged.max(1) as f64,
        text as f64 / merged.max(1) as f64
    );
    let t = Instant::now();
    snapshot::save(&g, &[], out).map_err(|e| e.to_string())?;
    eprintln!("timing save {:.3}", t.elapsed().as_secs_f64());
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    eprintln!(
        "snapshot {} MB, {:.0} bytes per article",
        size / 1_000_000,
        size as f64 / merged.max(1) as f64
    );
    let (_, hwm) = rss_kib();
    eprintln!(
        "{} articles merged: {} nodes, {} relationships; peak RSS {} MiB",
        merged,
        g.node_count(),
        g.edge_count(),
        hwm / 1024
    );
    Ok(())
}
