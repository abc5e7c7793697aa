//! The part-of-speech tagger: UPOS and XPOS together, as one class per
//! (UPOS, XPOS) pair seen in training, chosen greedily left to right by an
//! averaged perceptron over hashed word, affix, shape and context features.
//!
//! Owns the tagger's features, its training (including jackknifed tags for
//! the parser's trainer), and the tagger model file: the classes, a word
//! table (frequent unambiguous words take a fast path; every known word
//! gives the set of classes it takes as a feature), the perceptron weights
//! and the lemmatizer learned from the same treebank, which
//! [`Tagger::lemma`] delegates to.

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use crate::fasthash::HashMap;
use crate::nlp::TrainArgs;
use crate::nlp::conllu::{self, Sentence};
use crate::nlp::lemma::Lemmatizer;
use crate::nlp::model::{self, ModelError, ModelKind, Reader, Writer};
use crate::nlp::perceptron::{Model, Rng, Trainer, argmax, feat, hash_bytes, hash_str};
use crate::nlp::tags::{self, Upos, Xpos};

const PAYLOAD_VERSION: u32 = 1;
const DEFAULT_EPOCHS: usize = 10;
/// A word seen at least this often with one class in at least this share of
/// its occurrences is tagged from the word table without scoring.
const FAST_MIN_COUNT: u32 = 20;
const FAST_MIN_SHARE: f64 = 0.99;
/// Rarer words get no class-set feature: on training data it would give the
/// answer away, unlike on new text.
const AMBIGUITY_MIN_COUNT: u32 = 3;
/// A class belongs to a word's class set from this share of its occurrences.
const AMBIGUITY_MIN_SHARE: f64 = 0.01;
const NO_CLASS: u16 = u16::MAX;
/// Previous-class value before the sentence start.
const START: u64 = 0xffff_fff0;
/// The perceptron table may hold at most this many features: one more
/// doubles its slot array (load factor 1/2) past the size budget.
const MAX_FEATURES: usize = 1 << 17;
/// Bytes allowed for the perceptron table.
const MODEL_BUDGET: usize = 6_800_000;
/// Features with fewer updates are dropped from the model (each update
/// counts twice: towards the truth, away from the guess).
const MIN_COUNT: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
struct WordInfo {
    /// The class of the fast path, or `NO_CLASS`.
    fast: u16,
    /// Hash of the word's class set, or 0 for none.
    ambiguity: u64,
}

/// Classes, word table and weights: everything tagging needs.
#[derive(Clone, Debug, PartialEq)]
struct Core {
    classes: Vec<(Upos, Xpos)>,
    words: HashMap<u64, WordInfo>,
    model: Model,
}

/// A trained tagger.
pub struct Tagger {
    core: Core,
    lemmatizer: Lemmatizer,
}

/// The per-token values features are built from, hashed once per sentence.
#[derive(Clone, Copy, Debug, Default)]
struct Tok {
    norm: u64,
    suffix: [u64; 4],
    prefix: [u64; 3],
    shape: u64,
    flags: u64,
    ambiguity: u64,
    fast: u16,
}

impl Tok {
    fn padding(which: u64) -> Tok {
        let h = hash_str("<pad>") ^ which;
        Tok {
            norm: h,
            suffix: [h; 4],
            prefix: [h; 3],
            shape: h,
            flags: h,
            ambiguity: h,
            fast: NO_CLASS,
        }
    }
}

fn is_number(lower: &str) -> bool {
    lower.bytes().any(|b| b.is_ascii_digit())
        && lower
            .bytes()
            .all(|b| b.is_ascii_digit() || b",.-/:".contains(&b))
}

/// The word's key in features and in the word table: lowercased, with
/// numbers reduced to their count of digits.
fn norm_hash(lower: &str) -> u64 {
    if is_number(lower) {
        let digits = lower.bytes().filter(u8::is_ascii_digit).count();
        feat(90, &[digits.min(5) as u64])
    } else {
        hash_str(lower)
    }
}

/// Xx, dd, x-x...: character classes with repeats collapsed, at most 8.
fn shape_hash(form: &str) -> u64 {
    let mut buf = [0u8; 8];
    let mut n = 0;
    for c in form.chars() {
        let k = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_numeric() {
            b'd'
        } else if c.is_alphabetic() {
            b'a'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'o'
        };
        if n > 0 && buf.get(n - 1) == Some(&k) {
            continue;
        }
        if n == buf.len() {
            break;
        }
        buf[n] = k;
        n += 1;
    }
    hash_bytes(&buf[..n])
}

fn flags(form: &str, first: bool) -> u64 {
    let (mut digit, mut hyphen, mut upper, mut lower, mut letter) = (0, 0, 0, 0, 0);
    let mut init_upper = 0;
    for (i, c) in form.chars().enumerate() {
        digit |= u64::from(c.is_numeric());
        hyphen |= u64::from(c == '-');
        upper |= u64::from(c.is_uppercase());
        lower |= u64::from(c.is_lowercase());
        letter |= u64::from(c.is_alphabetic());
        if i == 0 {
            init_upper = u64::from(c.is_uppercase());
        }
    }
    let all_upper = upper & (1 - lower);
    let len = form.chars().count().min(6) as u64;
    digit
        | hyphen << 1
        | upper << 2
        | init_upper << 3
        | all_upper << 4
        | letter << 5
        | u64::from(first) << 6
        | len << 8
}

fn token(form: &str, first: bool, words: &HashMap<u64, WordInfo>, lower: &mut String) -> Tok {
    lower.clear();
    lower.extend(form.chars().flat_map(char::to_lowercase));
    let l = lower.as_str();
    let norm = norm_hash(l);
    let shape = shape_hash(form);
    let mut suffix = [0u64; 4];
    let mut starts = l.char_indices().rev().map(|(i, _)| i);
    let mut last = 0;
    for s in &mut suffix {
        if let Some(i) = starts.next() {
            last = i;
        }
        *s = hash_str(l.get(last..).unwrap_or(""));
    }
    let mut prefix = [0u64; 3];
    let mut ends = l.char_indices().map(|(i, c)| i + c.len_utf8());
    let mut end = 0;
    for p in &mut prefix {
        if let Some(e) = ends.next() {
            end = e;
        }
        *p = hash_str(l.get(..end).unwrap_or(""));
    }
    let info = words.get(&norm);
    Tok {
        norm,
        suffix,
        prefix,
        shape,
        flags: flags(form, first),
        ambiguity: match info {
            Some(w) if w.ambiguity != 0 => w.ambiguity,
            _ => feat(91, &[shape]),
        },
        fast: info.map_or(NO_CLASS, |w| w.fast),
    }
}

/// Fills `toks` with the sentence's tokens between two paddings on each side.
fn tokens<'a>(
    forms: impl Iterator<Item = &'a str>,
    words: &HashMap<u64, WordInfo>,
    toks: &mut Vec<Tok>,
    lower: &mut String,
) {
    toks.clear();
    toks.push(Tok::padding(1));
    toks.push(Tok::padding(2));
    for (i, f) in forms.enumerate() {
        toks.push(token(f, i == 0, words, lower));
    }
    toks.push(Tok::padding(3));
    toks.push(Tok::padding(4));
}

/// Templates whose values include the previous classes (template ids are
/// below 64: one bit each).
const HISTORY: u64 =
    1 << 19 | 1 << 20 | 1 << 21 | 1 << 29 | 1 << 30 | 1 << 32 | 1 << 33 | 1 << 38 | 1 << 43;

/// Which of a word's features to compute.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    All,
    /// Those that do not depend on the previous classes.
    Static,
    /// Those that do.
    History,
}

/// The features of word `i` (0-based) given the two previous classes.
fn features(toks: &[Tok], i: usize, p1: u64, p2: u64, out: &mut Vec<u64>) {
    out.clear();
    features_part(toks, i, p1, p2, Part::All, out);
}

/// Appends `part` of the features of word `i` to `out`, in template order
/// (`p1` and `p2` are not read for [`Part::Static`]).
fn features_part(toks: &[Tok], i: usize, p1: u64, p2: u64, part: Part, out: &mut Vec<u64>) {
    let Some([l2, l1, w, r1, r2]) = toks.get(i..i + 5) else {
        return;
    };
    let vals: [(u32, &[u64]); 40] = [
        (1, &[]),
        (2, &[w.norm]),
        (4, &[l1.norm]),
        (5, &[r1.norm]),
        (6, &[l2.norm]),
        (7, &[r2.norm]),
        (8, &[w.suffix[0]]),
        (9, &[w.suffix[1]]),
        (10, &[w.suffix[2]]),
        (11, &[w.suffix[3]]),
        (12, &[w.prefix[0]]),
        (13, &[w.prefix[1]]),
        (14, &[w.prefix[2]]),
        (15, &[w.shape]),
        (16, &[l1.shape, w.shape]),
        (17, &[w.shape, r1.shape]),
        (18, &[w.flags]),
        (19, &[p1]),
        (20, &[p2, p1]),
        (21, &[p1, w.norm]),
        (22, &[l1.norm, w.norm]),
        (23, &[w.norm, r1.norm]),
        (24, &[l1.suffix[2]]),
        (25, &[r1.suffix[2]]),
        (26, &[w.ambiguity]),
        (27, &[r1.ambiguity]),
        (28, &[r2.ambiguity]),
        (29, &[p1, w.ambiguity]),
        (30, &[p1, r1.ambiguity]),
        (31, &[w.ambiguity, r1.ambiguity]),
        (32, &[p1, w.suffix[2]]),
        (33, &[p1, w.shape]),
        (34, &[r1.suffix[1]]),
        (35, &[r1.shape]),
        (37, &[w.norm, r1.ambiguity]),
        (38, &[p1, r1.norm]),
        (40, &[w.suffix[2], r1.ambiguity]),
        (41, &[l1.flags, w.flags]),
        (42, &[w.flags, r1.flags]),
        (43, &[p2, p1, w.ambiguity]),
    ];
    let keep = |t: u32| match part {
        Part::All => true,
        Part::Static => HISTORY >> t & 1 == 0,
        Part::History => HISTORY >> t & 1 == 1,
    };
    out.extend(
        vals.iter()
            .filter(|(t, _)| keep(*t))
            .map(|(t, v)| feat(*t, v)),
    );
}

impl Core {
    fn tag_classes(&self, forms: &[&str]) -> Vec<u16> {
        let n = forms.len();
        let mut toks = Vec::with_capacity(n + 4);
        let mut lower = String::new();
        tokens(forms.iter().copied(), &self.words, &mut toks, &mut lower);
        let fast = |i: usize| toks.get(i + 2).map_or(NO_CLASS, |t| t.fast);
        // the features that do not depend on the previous classes, of every
        // word the fast path leaves, are looked up first, all together
        // (their memory misses overlap); the loop adds their rows
        let mut feats = Vec::with_capacity(32 * n);
        let mut ends = Vec::with_capacity(n);
        for i in 0..n {
            if fast(i) == NO_CLASS {
                features_part(&toks, i, 0, 0, Part::Static, &mut feats);
            }
            ends.push(feats.len());
        }
        let mut rows = Vec::with_capacity(feats.len());
        self.model.lookup(&feats, &mut rows);
        let mut history = Vec::with_capacity(16);
        let mut sums = vec![0i32; self.model.n_classes()];
        let mut scores = vec![0f32; self.model.n_classes()];
        let (mut p1, mut p2) = (START, START);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let c = if fast(i) != NO_CLASS {
                fast(i)
            } else {
                history.clear();
                features_part(&toks, i, p1, p2, Part::History, &mut history);
                sums.fill(0);
                let start = if i == 0 { 0 } else { ends[i - 1] };
                self.model.add_rows(&rows[start..ends[i]], &mut sums);
                self.model.sum(&history, &mut sums);
                scores.fill(0.0);
                self.model.add_scaled(&sums, &mut scores);
                argmax(&scores, |_| true).unwrap_or(0) as u16
            };
            out.push(c);
            p2 = p1;
            p1 = u64::from(c);
        }
        out
    }

    fn class(&self, c: u16) -> (Upos, Xpos) {
        self.classes
            .get(c as usize)
            .copied()
            .unwrap_or((Upos::X, XX))
    }

    /// UPOS and XPOS accuracy (percent) on gold sentences.
    fn accuracy(&self, sents: &[Sentence]) -> (f64, f64) {
        let (mut n, mut u, mut x) = (0usize, 0usize, 0usize);
        for s in sents {
            let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
            for (w, c) in s.words.iter().zip(self.tag_classes(&forms)) {
                let (up, xp) = self.class(c);
                n += 1;
                u += usize::from(up == w.upos);
                x += usize::from(xp == w.xpos);
            }
        }
        let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
        (pct(u), pct(x))
    }

    fn encode(&self, w: &mut Writer) {
        let classes: Vec<u16> = self
            .classes
            .iter()
            .map(|(u, x)| (*u as u16) << 8 | u16::from(*x))
            .collect();
        w.u16s(&classes);
        let mut words: Vec<(u64, WordInfo)> = self.words.iter().map(|(k, v)| (*k, *v)).collect();
        words.sort_unstable_by_key(|(k, _)| *k);
        w.u64s(&words.iter().map(|(k, _)| *k).collect::<Vec<_>>());
        w.u64s(&words.iter().map(|(_, v)| v.ambiguity).collect::<Vec<_>>());
        w.u16s(&words.iter().map(|(_, v)| v.fast).collect::<Vec<_>>());
        self.model.encode(w);
    }

    fn decode(r: &mut Reader) -> Result<Core, ModelError> {
        let bad = |what: &str| ModelError::Corrupt(format!("tagger: {what}"));
        let classes = r
            .u16s()?
            .into_iter()
            .map(|c| {
                let x = (c & 0xff) as u8;
                match Upos::from_index(usize::from(c >> 8)) {
                    Some(u) if usize::from(x) < tags::XPOS_NAMES.len() => Ok((u, x)),
                    _ => Err(bad("a class is not a known tag pair")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if classes.is_empty() {
            return Err(bad("no classes"));
        }
        let keys = r.u64s()?;
        let ambiguity = r.u64s()?;
        let fast = r.u16s()?;
        if keys.len() != ambiguity.len() || keys.len() != fast.len() {
            return Err(bad("word table arrays disagree"));
        }
        if fast
            .iter()
            .any(|f| *f != NO_CLASS && usize::from(*f) >= classes.len())
        {
            return Err(bad("a word's class is out of range"));
        }
        let words = keys
            .into_iter()
            .zip(ambiguity.into_iter().zip(fast))
            .map(|(k, (ambiguity, fast))| (k, WordInfo { fast, ambiguity }))
            .collect();
        let model = Model::decode(r)?;
        if model.n_classes() != classes.len() {
            return Err(bad("weights and classes disagree"));
        }
        Ok(Core {
            classes,
            words,
            model,
        })
    }
}

const XX: Xpos = (tags::XPOS_NAMES.len() - 1) as Xpos;

impl Tagger {
    /// UPOS and XPOS for each word of a sentence.
    pub fn tag(&self, forms: &[&str]) -> Vec<(Upos, Xpos)> {
        self.core
            .tag_classes(forms)
            .into_iter()
            .map(|c| self.core.class(c))
            .collect()
    }

    /// The lemma of a tagged word.
    pub fn lemma(&self, form: &str, upos: Upos, xpos: Xpos) -> String {
        self.lemmatizer.lemma(form, upos, xpos).into_owned()
    }

    /// Reads a model file (checked: magic, version, kind, checksum).
    pub fn load(path: &Path) -> Result<Tagger, ModelError> {
        Tagger::from_bytes(&model::read(path)?)
    }

    /// Decodes a whole model file's bytes (envelope included).
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, ModelError> {
        let payload = model::unwrap(ModelKind::Tagger, bytes)?;
        let mut r = Reader::new(payload);
        model::payload_version(&mut r, "tagger", PAYLOAD_VERSION)?;
        let core = Core::decode(&mut r)?;
        let lemmatizer = Lemmatizer::decode(&mut r)?;
        r.finish()?;
        Ok(Tagger { core, lemmatizer })
    }

    /// The whole model file (envelope included).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u32(PAYLOAD_VERSION);
        self.core.encode(&mut w);
        self.lemmatizer.encode(&mut w);
        model::wrap(ModelKind::Tagger, &w.bytes)
    }

    /// UPOS and XPOS accuracy (percent) on gold sentences.
    pub fn accuracy(&self, sents: &[Sentence]) -> (f64, f64) {
        self.core.accuracy(sents)
    }

    /// Features with weights, and bytes of the weight table.
    pub fn size(&self) -> (usize, usize) {
        (self.core.model.n_features(), self.core.model.size_bytes())
    }
}

/// The classes of a treebank (sorted), and each pair's class id.
type ClassIds = HashMap<(Upos, Xpos), u16>;

fn classes_of(sents: &[&Sentence]) -> (Vec<(Upos, Xpos)>, ClassIds) {
    let mut set: BTreeSet<(Upos, Xpos)> = sents
        .iter()
        .flat_map(|s| s.words.iter().map(|w| (w.upos, w.xpos)))
        .collect();
    if set.is_empty() {
        set.insert((Upos::X, XX));
    }
    let classes: Vec<_> = set.into_iter().collect();
    let ids = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u16))
        .collect();
    (classes, ids)
}

fn word_table(sents: &[&Sentence], ids: &ClassIds) -> HashMap<u64, WordInfo> {
    let mut counts: HashMap<u64, HashMap<u16, u32>> = HashMap::default();
    let mut lower = String::new();
    for s in sents {
        for w in &s.words {
            lower.clear();
            lower.extend(w.form.chars().flat_map(char::to_lowercase));
            let c = ids.get(&(w.upos, w.xpos)).copied().unwrap_or(0);
            *counts
                .entry(norm_hash(&lower))
                .or_default()
                .entry(c)
                .or_default() += 1;
        }
    }
    let mut words = HashMap::default();
    for (word, by_class) in counts {
        let total: u32 = by_class.values().sum();
        if total < AMBIGUITY_MIN_COUNT {
            continue;
        }
        let mut by_class: Vec<(u16, u32)> = by_class.into_iter().collect();
        by_class.sort_unstable_by_key(|(c, n)| (std::cmp::Reverse(*n), *c));
        let (top, top_n) = by_class.first().copied().unwrap_or((0, 0));
        let fast =
            if total >= FAST_MIN_COUNT && f64::from(top_n) >= FAST_MIN_SHARE * f64::from(total) {
                top
            } else {
                NO_CLASS
            };
        let mut set: Vec<u64> = by_class
            .iter()
            .filter(|(_, n)| f64::from(*n) >= AMBIGUITY_MIN_SHARE * f64::from(total))
            .map(|(c, _)| u64::from(*c))
            .collect();
        set.sort_unstable();
        words.insert(
            word,
            WordInfo {
                fast,
                ambiguity: feat(92, &set),
            },
        );
    }
    words
}

/// Prunes the weights only as far as the size budget needs: features
/// updated once go first, then the smallest weight cut-off (found by
/// bisection) that fits.
fn finish(trainer: &Trainer) -> Model {
    let fits = |m: &Model| m.n_features() <= MAX_FEATURES && m.size_bytes() <= MODEL_BUDGET;
    for min_count in [1, MIN_COUNT] {
        let m = trainer.finish(min_count, 0.0);
        if fits(&m) {
            return m;
        }
    }
    let (mut lo, mut hi) = (0.0f32, 1.0f32);
    let mut best = trainer.finish(MIN_COUNT, hi);
    while !fits(&best) && hi < 1e6 {
        lo = hi;
        hi *= 4.0;
        best = trainer.finish(MIN_COUNT, hi);
    }
    for _ in 0..14 {
        let mid = (lo + hi) / 2.0;
        let m = trainer.finish(MIN_COUNT, mid);
        if fits(&m) {
            hi = mid;
            best = m;
        } else {
            lo = mid;
        }
    }
    best
}

/// Trains on `sents`; without the lemmatizer (the jackknife needs none).
fn train_core(
    sents: &[&Sentence],
    epochs: usize,
    seed: u64,
    devs: &[(&str, &[Sentence])],
    log: &mut dyn FnMut(&str),
) -> Core {
    let (classes, ids) = classes_of(sents);
    let words = word_table(sents, &ids);
    let n = classes.len();
    let mut trainer = Trainer::new(n);
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut rng = Rng::new(seed);
    let mut toks = Vec::new();
    let mut lower = String::new();
    let mut feats = Vec::with_capacity(40);
    let mut scores = vec![0f32; n];
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        let (mut right, mut total) = (0usize, 0usize);
        for &si in &order {
            let Some(s) = sents.get(si) else { continue };
            tokens(
                s.words.iter().map(|w| w.form.as_str()),
                &words,
                &mut toks,
                &mut lower,
            );
            let (mut p1, mut p2) = (START, START);
            for (i, w) in s.words.iter().enumerate() {
                let gold = ids.get(&(w.upos, w.xpos)).copied().unwrap_or(0);
                let fast = toks.get(i + 2).map_or(NO_CLASS, |t| t.fast);
                let guess = if fast != NO_CLASS {
                    fast
                } else {
                    features(&toks, i, p1, p2, &mut feats);
                    scores.iter_mut().for_each(|s| *s = 0.0);
                    trainer.score(&feats, &mut scores);
                    let g = argmax(&scores, |_| true).unwrap_or(0) as u16;
                    trainer.update(&feats, usize::from(gold), usize::from(g));
                    trainer.tick();
                    g
                };
                right += usize::from(guess == gold);
                total += 1;
                p2 = p1;
                p1 = u64::from(guess);
            }
        }
        let mut line = format!(
            "epoch {epoch}: train {:.2} ({} features)",
            100.0 * right as f64 / total.max(1) as f64,
            trainer.n_features()
        );
        if devs.iter().any(|(_, d)| !d.is_empty()) {
            let core = Core {
                classes: classes.clone(),
                words: words.clone(),
                model: trainer.finish(1, 0.0),
            };
            for (name, dev) in devs.iter().filter(|(_, d)| !d.is_empty()) {
                let (u, x) = core.accuracy(dev);
                line.push_str(&format!(" | {name} UPOS {u:.2} XPOS {x:.2}"));
            }
        }
        log(&line);
    }
    Core {
        model: finish(&trainer),
        classes,
        words,
    }
}

/// Trains a tagger on `sents` for `epochs` passes in an order shuffled with
/// `seed`; logs accuracy after each epoch (on `dev` too when it has
/// sentences). The same data and seed give the same bytes.
pub fn train(
    sents: &[Sentence],
    epochs: usize,
    seed: u64,
    dev: &[Sentence],
    log: &mut dyn FnMut(&str),
) -> Tagger {
    let refs: Vec<&Sentence> = sents.iter().collect();
    let core = train_core(&refs, epochs, seed, &[("dev", dev)], log);
    Tagger {
        core,
        lemmatizer: Lemmatizer::learn(sents),
    }
}

/// Predicted tags for every sentence of `sents`, each from a tagger trained
/// on the other folds (sentence `i` is in fold `i % folds`), so a trainer
/// downstream sees tags as wrong as they will be on new text. With fewer
/// than two folds there is nothing to hold out: one tagger trained on all
/// sentences tags them.
pub fn jackknife(
    sents: &[Sentence],
    folds: usize,
    epochs: usize,
    seed: u64,
) -> Vec<Vec<(Upos, Xpos)>> {
    let folds = folds.max(1).min(sents.len().max(1));
    type Tagged = (usize, Vec<(Upos, Xpos)>);
    let per_fold: Vec<Vec<Tagged>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let train: Vec<&Sentence> = sents
                .iter()
                .enumerate()
                .filter(|(i, _)| folds < 2 || i % folds != f)
                .map(|(_, s)| s)
                .collect();
            let core = train_core(
                &train,
                epochs,
                seed.wrapping_add(f as u64),
                &[],
                &mut |_| {},
            );
            sents
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == f)
                .map(|(i, s)| {
                    let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
                    let tagged = core
                        .tag_classes(&forms)
                        .into_iter()
                        .map(|c| core.class(c))
                        .collect();
                    (i, tagged)
                })
                .collect()
        })
        .collect();
    let mut out = vec![Vec::new(); sents.len()];
    for (i, tagged) in per_fold.into_iter().flatten() {
        if let Some(slot) = out.get_mut(i) {
            *slot = tagged;
        }
    }
    out
}

/// `newsgraph train tagger`: reads the treebanks, trains, logs per-epoch
/// accuracy (on each dev path separately), writes the model.
pub fn train_cli(args: &TrainArgs, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let sents = conllu::read_paths(&args.data).map_err(|e| e.to_string())?;
    if sents.is_empty() {
        return Err("no training sentences in the --data files".into());
    }
    let mut devs: Vec<(String, Vec<Sentence>)> = Vec::new();
    for p in &args.dev {
        let d = conllu::read_paths(std::slice::from_ref(p)).map_err(|e| e.to_string())?;
        let name = p
            .file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into());
        devs.push((name, d));
    }
    let words: usize = sents.iter().map(|s| s.words.len()).sum();
    log(&format!("tagger: {} sentences, {words} words", sents.len()));
    let epochs = args.epochs.unwrap_or(DEFAULT_EPOCHS);
    let refs: Vec<&Sentence> = sents.iter().collect();
    let dev_refs: Vec<(&str, &[Sentence])> = devs
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let core = train_core(&refs, epochs, args.seed, &dev_refs, log);
    let tagger = Tagger {
        core,
        lemmatizer: Lemmatizer::learn(&sents),
    };
    let (features, table) = tagger.size();
    let mut line = format!(
        "final: {} classes, {features} features, table {table} bytes",
        tagger.core.classes.len()
    );
    for (name, dev) in &devs {
        let (u, x) = tagger.accuracy(dev);
        line.push_str(&format!(" | {name} UPOS {u:.2} XPOS {x:.2}"));
    }
    log(&line);
    let bytes = tagger.to_bytes();
    let payload = model::unwrap(ModelKind::Tagger, &bytes).map_err(|e| e.to_string())?;
    model::save(&args.out, ModelKind::Tagger, payload).map_err(|e| e.to_string())?;
    log(&format!(
        "wrote {} ({} bytes)",
        args.out.display(),
        bytes.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "\
# sent_id = 1
1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_
2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_
3\truns\trun\tVERB\tVBZ\t_\t0\troot\t_\t_
4\tfast\tfast\tADV\tRB\t_\t3\tadvmod\t_\t_
5\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# sent_id = 2
1\tShe\tshe\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tsaw\tsee\tVERB\tVBD\t_\t0\troot\t_\t_
3\tthe\tthe\tDET\tDT\t_\t5\tdet\t_\t_
4\tfast\tfast\tADJ\tJJ\t_\t5\tamod\t_\t_
5\truns\trun\tNOUN\tNNS\t_\t2\tobj\t_\t_
6\tin\tin\tADP\tIN\t_\t7\tcase\t_\t_
7\tParis\tParis\tPROPN\tNNP\t_\t2\tobl\t_\t_
8\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

# sent_id = 3
1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_
2\tcan\tcan\tAUX\tMD\t_\t3\taux\t_\t_
3\trun\trun\tVERB\tVB\t_\t0\troot\t_\t_
4\t12\t12\tNUM\tCD\t_\t5\tnummod\t_\t_
5\tmiles\tmile\tNOUN\tNNS\t_\t3\tobj\t_\t_
6\t,\t,\tPUNCT\t,\t_\t3\tpunct\t_\t_
7\tthey\tthey\tPRON\tPRP\t_\t8\tnsubj\t_\t_
8\tsay\tsay\tVERB\tVBP\t_\t3\tparataxis\t_\t_
9\t!\t!\tPUNCT\t.\t_\t3\tpunct\t_\t_

";

    fn tiny() -> Vec<Sentence> {
        conllu::parse(TINY, "tiny").expect("valid CoNLL-U")
    }

    fn tiny_tagger(seed: u64) -> Tagger {
        train(&tiny(), 12, seed, &[], &mut |_| {})
    }

    fn forms(s: &Sentence) -> Vec<&str> {
        s.words.iter().map(|w| w.form.as_str()).collect()
    }

    #[test]
    fn learns_a_tiny_treebank_perfectly() {
        let sents = tiny();
        let mut lines = Vec::new();
        let t = train(&sents, 12, 3, &sents, &mut |l| lines.push(l.to_string()));
        assert_eq!(lines.len(), 12);
        assert!(lines[0].contains("dev UPOS"), "{}", lines[0]);
        for s in &sents {
            let gold: Vec<_> = s.words.iter().map(|w| (w.upos, w.xpos)).collect();
            assert_eq!(t.tag(&forms(s)), gold);
        }
        assert_eq!(t.accuracy(&sents), (100.0, 100.0));
    }

    #[test]
    fn same_seed_same_bytes_and_round_trip() {
        let a = tiny_tagger(7).to_bytes();
        let b = tiny_tagger(7).to_bytes();
        assert_eq!(a, b);
        let back = Tagger::from_bytes(&a).expect("round trip");
        assert_eq!(back.to_bytes(), a);
        let t = tiny_tagger(7);
        for s in &tiny() {
            assert_eq!(back.tag(&forms(s)), t.tag(&forms(s)));
        }
        let odd = ["Unseen", "words", "like", "Zxq-7", "go", "here"];
        assert_eq!(back.tag(&odd), t.tag(&odd));
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = tiny_tagger(1).to_bytes();
        for i in (0..bytes.len()).step_by(7) {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert!(Tagger::from_bytes(&bad).is_err(), "flip at {i}");
        }
        for cut in (0..bytes.len()).step_by(11) {
            assert!(Tagger::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A valid envelope around a payload that is not a tagger's.
        let junk = model::wrap(ModelKind::Tagger, &[1, 0, 0, 0, 9, 9]);
        assert!(Tagger::from_bytes(&junk).is_err());
        let missing = Path::new("/nonexistent/dir/tagger-missing.bin");
        match Tagger::load(missing) {
            Err(e) => assert!(e.to_string().contains("tagger-missing.bin"), "{e}"),
            Ok(_) => panic!("loaded a missing file"),
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let t = tiny_tagger(2);
        assert!(t.tag(&[]).is_empty());
        let long: Vec<&str> = ["the", "dog", "runs", ",", "12", "Paris"]
            .iter()
            .cycle()
            .take(5000)
            .copied()
            .collect();
        assert_eq!(t.tag(&long).len(), 5000);
        let punct = ["...", "!", "?", "--", "(", ")", "\"", ";"];
        assert_eq!(t.tag(&punct).len(), punct.len());
        let scripts = ["Привет", "東京", "🙂", "👩‍👩‍👧", "مرحبا", "", " ", "\u{0}", "İ"];
        let tagged = t.tag(&scripts);
        assert_eq!(tagged.len(), scripts.len());
        for (f, (u, x)) in scripts.iter().zip(&tagged) {
            let _ = t.lemma(f, *u, *x);
        }
        // A tagger trained on nothing still tags.
        let empty = train(&[], 3, 1, &[], &mut |_| {});
        assert_eq!(empty.tag(&["a", "b"]).len(), 2);
        let back = Tagger::from_bytes(&empty.to_bytes()).expect("round trip");
        assert_eq!(back.tag(&["x"]), vec![(Upos::X, XX)]);
    }

    #[test]
    fn jackknife_tags_every_sentence() {
        let sents = tiny();
        for folds in [0, 1, 2, 3, 10] {
            let tagged = jackknife(&sents, folds, 5, 1);
            assert_eq!(tagged.len(), sents.len());
            for (s, t) in sents.iter().zip(&tagged) {
                assert_eq!(s.words.len(), t.len(), "folds {folds}");
            }
        }
        assert_eq!(jackknife(&sents, 3, 5, 1), jackknife(&sents, 3, 5, 1));
        assert!(jackknife(&[], 5, 2, 1).is_empty());
    }

    /// Speed and load time of the shipped model on EWT dev:
    /// `cargo test --release --lib nlp::tagger -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn shipped_model_speed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let start = std::time::Instant::now();
        let t = Tagger::load(&dir.join("data/models/tagger.bin")).expect("model");
        let load = start.elapsed();
        let dev = conllu::read_file(Path::new("/work/shared/treebank/ewt/en_ewt-ud-dev.conllu"))
            .expect("dev");
        let sents: Vec<Vec<&str>> = dev.iter().map(forms).collect();
        let words: usize = sents.iter().map(Vec::len).sum();
        let start = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..5 {
            for s in &sents {
                n += t.tag(s).len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let (u, x) = t.accuracy(&dev);
        println!(
            "load {:.1} ms; {words} words; {:.0} tokens/s; EWT dev UPOS {u:.2} XPOS {x:.2}",
            load.as_secs_f64() * 1000.0,
            n as f64 / secs
        );
    }
}
