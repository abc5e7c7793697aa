//! The `import` and `bench-queries` subcommands: bulk import with timings,
//! and timed queries in one long-lived process for `bench/compare.py`.

use std::path::Path;
use std::time::Instant;

use newsgraph::query::{self, Params, QueryOptions, Value};
use newsgraph::store::Graph;
use newsgraph::{import, snapshot};

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
