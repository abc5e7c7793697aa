//! Extraction throughput over the bundled corpus (`data/articles`), in
//! bytes of article text per second: one thread, and rayon across articles.
//! `corpus_1_thread` is the per-core figure of issue 11 (target ≥ 1 MB/s;
//! models loaded before timing). It is wall time: on a shared machine it
//! swings with the load, so compare builds by CPU time as well
//! (docs/performance.md, "Extraction speed").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsgraph::extract::Extractor;
use rayon::prelude::*;
use std::hint::black_box;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/articles");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("data/articles")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let ex = Extractor::new();
    // build the tables outside the measurement
    let _ = ex.extract("warmup.txt", b"Warm up. Putin said so.");
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("corpus_1_thread", |b| {
        b.iter(|| {
            for (name, text) in &docs {
                let _ = black_box(ex.extract(name, text));
            }
        })
    });
    g.bench_function("corpus_rayon", |b| {
        b.iter(|| {
            docs.par_iter().for_each(|(name, text)| {
                let _ = black_box(ex.extract(name, text));
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
