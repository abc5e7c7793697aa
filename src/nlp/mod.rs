//! The syntax core: tokens, lemmas, part-of-speech tags, a labelled
//! dependency parse and typed entity mentions for English text, from models
//! trained here on open treebanks (`newsgraph train`) and shipped in
//! `data/models/`.
//!
//! Owns: tokenisation, lemmatisation, the averaged-perceptron models and
//! their file format, treebank readers, syntax and entity scoring. Knows
//! nothing of claims, events, the graph or queries; `extract` reads its
//! output.

pub mod conllu;
pub mod entities;
pub mod eval;
pub mod gazetteer;
pub mod lemma;
pub mod model;
pub mod parser;
pub mod perceptron;
pub mod pipeline;
pub mod tagger;
pub mod tags;
pub mod tokenize;

use std::path::PathBuf;

/// What `newsgraph train tagger|parser|entities` passes to a trainer.
#[derive(Clone, Debug)]
pub struct TrainArgs {
    /// Training treebank files or folders (CoNLL-U).
    pub data: Vec<PathBuf>,
    /// Dev files scored after each epoch (optional).
    pub dev: Vec<PathBuf>,
    /// Where the model file is written.
    pub out: PathBuf,
    /// Epochs (the trainer's default when absent).
    pub epochs: Option<usize>,
    /// Seed of the shuffling; the same seed gives the same bytes.
    pub seed: u64,
    /// A trained tagger model, for trainers that read predicted tags.
    pub tagger: Option<PathBuf>,
}
