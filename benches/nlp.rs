//! Syntax-core throughput over the bundled corpus (`data/articles`), in
//! bytes of article text per second on one thread: tokenising, tagging,
//! parsing and entity tagging every sentence, the whole pipeline, and each
//! model load.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsgraph::extract::sentences;
use newsgraph::nlp::pipeline::Pipeline;
use newsgraph::nlp::tokenize;
use std::hint::black_box;

/// The sentences of every bundled article.
fn sentences_of_corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("data/articles")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("article");
        let toks = sentences::tokenize(&text);
        for s in sentences::split(&text, &toks) {
            out.push(text[s.start..s.end].to_string());
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let sents = sentences_of_corpus();
    let bytes: u64 = sents.iter().map(|s| s.len() as u64).sum();
    let pipe = Pipeline::embedded().expect("built-in models");
    let mut g = c.benchmark_group("nlp");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            for s in &sents {
                black_box(tokenize::tokenize(s));
            }
        })
    });
    let tokenized: Vec<Vec<&str>> = sents
        .iter()
        .map(|s| {
            tokenize::tokenize(s)
                .iter()
                .map(|t| &s[t.start..t.end])
                .collect()
        })
        .collect();
    g.bench_function("tag", |b| {
        b.iter(|| {
            for forms in &tokenized {
                black_box(pipe.tagger.tag(forms));
            }
        })
    });
    let tagged: Vec<_> = tokenized.iter().map(|f| pipe.tagger.tag(f)).collect();
    let split = |t: &Vec<(_, _)>| -> (Vec<_>, Vec<_>) { t.iter().copied().unzip() };
    let tags: Vec<(Vec<_>, Vec<_>)> = tagged.iter().map(split).collect();
    g.bench_function("parse", |b| {
        b.iter(|| {
            for (forms, (u, x)) in tokenized.iter().zip(&tags) {
                black_box(pipe.parser.parse(forms, u, x));
            }
        })
    });
    g.bench_function("entities", |b| {
        b.iter(|| {
            for (forms, (u, x)) in tokenized.iter().zip(&tags) {
                black_box(pipe.entities.tag(forms, u, x));
            }
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            for s in &sents {
                black_box(pipe.analyse(s));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("nlp_load");
    g.sample_size(10);
    g.bench_function("load_all_models", |b| {
        b.iter(|| black_box(Pipeline::decode_embedded()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
