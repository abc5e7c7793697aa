//! The dependency parser: a greedy arc-eager transition parser whose
//! unlabelled actions (shift, reduce, left-arc, right-arc) come from one
//! averaged perceptron and whose relation labels come from a second one,
//! asked once per arc as it is made. Trained with a dynamic oracle (Goldberg
//! & Nivre 2012): after the first epoch the trainer follows its own
//! prediction most of the time and is updated towards the best zero-cost
//! action, so it learns to recover from its own mistakes. Features follow
//! Zhang & Nivre (2011).
//!
//! Owns: the transition system, its oracle, the feature templates, the
//! parser model file (`ModelKind::Parser`) and `newsgraph train parser`.

use crate::nlp::TrainArgs;
use crate::nlp::conllu::{self, Sentence};
use crate::nlp::eval;
use crate::nlp::model::{self, ModelError, ModelKind, Reader, Writer};
use crate::nlp::perceptron::{Model, Rng, Trainer, argmax, feat, hash_bytes, hash_str};
use crate::nlp::tagger;
use crate::nlp::tags::{self, DEPREL_NAMES, Deprel, ROOT, Upos, Xpos};

const SHIFT: usize = 0;
const REDUCE: usize = 1;
const LEFT: usize = 2;
const RIGHT: usize = 3;
const N_ACTIONS: usize = 4;
const N_LABELS: usize = DEPREL_NAMES.len();
const PAYLOAD_VERSION: u32 = 1;
const DEFAULT_EPOCHS: usize = 15;
/// Pruning of the shipped model, applied to the averaged weights of the
/// best dev epoch: the features with the largest weights, at most this many
/// per model (the tables in memory double past powers of two), each without
/// weights smaller than `MIN_WEIGHT`.
const ACTION_BUDGET: usize = 520_000;
const LABEL_BUDGET: usize = 260_000;
const MIN_WEIGHT: f32 = 0.05;
/// Probability (in tenths) of following the model's own prediction once
/// exploration starts.
const EXPLORE_TENTHS: usize = 9;
const EXPLORE_FROM_EPOCH: usize = 1;
const JACKKNIFE_FOLDS: usize = 4;
const TAGGER_EPOCHS: usize = 10;
/// Label value of "no token" and "no label yet" in features.
const NO_LABEL: u8 = 255;
const DEP: Deprel = 37;

/// A trained parser: the action model and the label model.
pub struct Parser {
    actions: Model,
    labels: Model,
}

/// Scoring shared by the trainer (live weights) and the shipped model.
trait Scorer {
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]);
}

impl Scorer for Model {
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]) {
        self.score(feats, scores);
    }
}

impl Scorer for Trainer {
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]) {
        self.score(feats, scores);
    }
}

fn best<S: Scorer>(
    m: &S,
    feats: &[u64],
    scores: &mut [f32],
    allowed: impl Fn(usize) -> bool,
) -> Option<usize> {
    scores.iter_mut().for_each(|s| *s = 0.0);
    m.add_scores(feats, scores);
    argmax(scores, allowed)
}

/// What the features see of one token.
#[derive(Clone, Copy, Default)]
struct Tok {
    word: u64,
    xpos: u64,
    upos: u64,
}

/// The hash of a form as the features see it: lower-cased, digits as 0.
fn word_hash(form: &str) -> u64 {
    let mut buf = [0u8; 48];
    if form.is_ascii() && form.len() <= buf.len() {
        for (o, b) in buf.iter_mut().zip(form.bytes()) {
            *o = if b.is_ascii_digit() {
                b'0'
            } else {
                b.to_ascii_lowercase()
            };
        }
        hash_bytes(&buf[..form.len()])
    } else {
        hash_str(&form.to_lowercase())
    }
}

/// A parser configuration plus the partial tree built so far. Position 0 is
/// the artificial root, 1..=n the words, n+1 (`nil`) stands for "no token",
/// so features index without branching.
#[derive(Default)]
struct State {
    n: usize,
    nil: usize,
    toks: Vec<Tok>,
    stack: Vec<usize>,
    on_stack: Vec<bool>,
    /// Front of the buffer; the buffer is `b..=n`.
    b: usize,
    head: Vec<usize>,
    label: Vec<u8>,
    lc1: Vec<usize>,
    lc2: Vec<usize>,
    rc1: Vec<usize>,
    rc2: Vec<usize>,
    nl: Vec<u8>,
    nr: Vec<u8>,
    lset: Vec<u64>,
    rset: Vec<u64>,
    root_used: bool,
}

impl State {
    fn load(&mut self, forms: &[&str], upos: &[Upos], xpos: &[Xpos]) {
        let n = forms.len();
        self.n = n;
        self.nil = n + 1;
        let nil = n + 1;
        self.toks.clear();
        self.toks.push(Tok {
            word: hash_str("<root>"),
            xpos: 200,
            upos: 200,
        });
        for (i, f) in forms.iter().enumerate() {
            self.toks.push(Tok {
                word: word_hash(f),
                xpos: u64::from(
                    xpos.get(i)
                        .copied()
                        .unwrap_or(tags::XPOS_NAMES.len() as u8 - 1),
                ),
                upos: upos.get(i).copied().unwrap_or_default() as u64,
            });
        }
        self.toks.push(Tok {
            word: hash_str("<none>"),
            xpos: 201,
            upos: 201,
        });
        let len = n + 2;
        self.stack.clear();
        self.stack.push(0);
        self.on_stack.clear();
        self.on_stack.resize(len, false);
        self.on_stack[0] = true;
        self.b = 1;
        for v in [
            &mut self.head,
            &mut self.lc1,
            &mut self.lc2,
            &mut self.rc1,
            &mut self.rc2,
        ] {
            v.clear();
            v.resize(len, nil);
        }
        self.label.clear();
        self.label.resize(len, NO_LABEL);
        for v in [&mut self.nl, &mut self.nr] {
            v.clear();
            v.resize(len, 0);
        }
        for v in [&mut self.lset, &mut self.rset] {
            v.clear();
            v.resize(len, 0);
        }
        self.root_used = false;
    }

    fn done(&self) -> bool {
        self.b > self.n
    }

    fn s0(&self) -> usize {
        self.stack.last().copied().unwrap_or(0)
    }

    fn s1(&self) -> usize {
        if self.stack.len() >= 2 {
            self.stack[self.stack.len() - 2]
        } else {
            self.nil
        }
    }

    fn buf(&self, k: usize) -> usize {
        if self.b + k <= self.n {
            self.b + k
        } else {
            self.nil
        }
    }

    fn valid(&self, a: usize) -> bool {
        let s0 = self.s0();
        let has_b = self.b <= self.n;
        match a {
            SHIFT => has_b,
            REDUCE => s0 != 0 && self.head[s0] != self.nil,
            LEFT => has_b && s0 != 0 && self.head[s0] == self.nil,
            RIGHT => has_b && (s0 != 0 || !self.root_used),
            _ => false,
        }
    }

    /// The (head, dependent) pair an arc action would add.
    fn arc(&self, a: usize) -> Option<(usize, usize)> {
        match a {
            LEFT => Some((self.b, self.s0())),
            RIGHT => Some((self.s0(), self.b)),
            _ => None,
        }
    }

    fn add_arc(&mut self, h: usize, d: usize, l: u8) {
        self.head[d] = h;
        self.label[d] = l;
        let bit = 1u64 << (l as u32 % 64);
        if d < h {
            self.nl[h] = self.nl[h].saturating_add(1);
            self.lset[h] |= bit;
            if self.lc1[h] == self.nil || d < self.lc1[h] {
                self.lc2[h] = self.lc1[h];
                self.lc1[h] = d;
            } else if self.lc2[h] == self.nil || d < self.lc2[h] {
                self.lc2[h] = d;
            }
        } else {
            self.nr[h] = self.nr[h].saturating_add(1);
            self.rset[h] |= bit;
            if self.rc1[h] == self.nil || d > self.rc1[h] {
                self.rc2[h] = self.rc1[h];
                self.rc1[h] = d;
            } else if self.rc2[h] == self.nil || d > self.rc2[h] {
                self.rc2[h] = d;
            }
        }
    }

    fn pop(&mut self) {
        if let Some(s) = self.stack.pop() {
            self.on_stack[s] = false;
        }
    }

    fn push_b(&mut self) {
        self.stack.push(self.b);
        self.on_stack[self.b] = true;
        self.b += 1;
    }

    fn apply(&mut self, a: usize, l: u8) {
        match a {
            SHIFT => self.push_b(),
            REDUCE => self.pop(),
            LEFT => {
                let (h, d) = (self.b, self.s0());
                self.add_arc(h, d, l);
                self.pop();
            }
            _ => {
                let (h, d) = (self.s0(), self.b);
                if h == 0 {
                    self.root_used = true;
                    self.add_arc(h, d, ROOT);
                } else {
                    self.add_arc(h, d, l);
                }
                self.push_b();
            }
        }
    }

    /// How many gold arcs each action makes unreachable (`u32::MAX` when
    /// the action is not allowed). `gold[i]` is the gold head of word i. A
    /// word left without a head at the end becomes the root, so leaving the
    /// gold root unattached costs nothing.
    fn costs(&self, gold: &[usize]) -> [u32; N_ACTIONS] {
        let mut c = [u32::MAX; N_ACTIONS];
        let s0 = self.s0();
        let b0 = self.b;
        let deps_in_buffer =
            |h: usize| -> u32 { (self.b..=self.n).filter(|&k| gold[k] == h).count() as u32 };
        let unheaded_deps_on_stack = |h: usize| -> u32 {
            self.stack
                .iter()
                .filter(|&&k| k != 0 && self.head[k] == self.nil && gold[k] == h)
                .count() as u32
        };
        if self.valid(SHIFT) {
            let g = gold[b0];
            let lost_head = u32::from(g != 0 && self.on_stack[g]);
            c[SHIFT] = lost_head + unheaded_deps_on_stack(b0);
        }
        if self.valid(REDUCE) {
            c[REDUCE] = deps_in_buffer(s0);
        }
        if self.valid(LEFT) {
            let g = gold[s0];
            let lost_head = u32::from(g == 0 || (g > b0 && g <= self.n));
            c[LEFT] = lost_head + deps_in_buffer(s0);
        }
        if self.valid(RIGHT) {
            let g = gold[b0];
            let lost_head =
                u32::from(g != s0 && (g == 0 || (g > b0 && g <= self.n) || self.on_stack[g]));
            c[RIGHT] = lost_head + unheaded_deps_on_stack(b0);
        }
        c
    }

    /// The action features (Zhang & Nivre 2011, plus a few).
    fn features(&self, out: &mut Vec<u64>) {
        let t = &self.toks;
        let s0 = self.s0();
        let s1 = self.s1();
        let n0 = self.buf(0);
        let n1 = self.buf(1);
        let n2 = self.buf(2);
        let s0h = self.head[s0];
        let s0h2 = self.head[s0h];
        let s0l = self.lc1[s0];
        let s0l2 = self.lc2[s0];
        let s0r = self.rc1[s0];
        let s0r2 = self.rc2[s0];
        let n0l = self.lc1[n0];
        let n0l2 = self.lc2[n0];
        let w = |i: usize| t[i].word;
        let p = |i: usize| t[i].xpos;
        let l = |i: usize| u64::from(self.label[i]);
        let d = if s0 == 0 || n0 == self.nil {
            0
        } else {
            (n0 - s0).min(10) as u64
        };
        let (s0w, s0p, n0w, n0p) = (w(s0), p(s0), w(n0), p(n0));
        let vals: [&[u64]; 84] = [
            &[],
            &[s0w, s0p],
            &[s0w],
            &[s0p],
            &[n0w, n0p],
            &[n0w],
            &[n0p],
            &[w(n1), p(n1)],
            &[w(n1)],
            &[p(n1)],
            &[w(n2), p(n2)],
            &[w(n2)],
            &[p(n2)],
            &[s0w, s0p, n0w, n0p],
            &[s0w, s0p, n0w],
            &[s0w, n0w, n0p],
            &[s0w, s0p, n0p],
            &[s0p, n0w, n0p],
            &[s0w, n0w],
            &[s0p, n0p],
            &[n0p, p(n1)],
            &[n0p, p(n1), p(n2)],
            &[s0p, n0p, p(n1)],
            &[p(s0h), s0p, n0p],
            &[s0p, p(s0l), n0p],
            &[s0p, p(s0r), n0p],
            &[s0p, n0p, p(n0l)],
            &[s0w, d],
            &[s0p, d],
            &[n0w, d],
            &[n0p, d],
            &[s0w, n0w, d],
            &[s0p, n0p, d],
            &[s0w, u64::from(self.nr[s0])],
            &[s0p, u64::from(self.nr[s0])],
            &[s0w, u64::from(self.nl[s0])],
            &[s0p, u64::from(self.nl[s0])],
            &[n0w, u64::from(self.nl[n0])],
            &[n0p, u64::from(self.nl[n0])],
            &[w(s0h)],
            &[p(s0h)],
            &[l(s0)],
            &[w(s0l)],
            &[p(s0l)],
            &[l(s0l)],
            &[w(s0r)],
            &[p(s0r)],
            &[l(s0r)],
            &[w(n0l)],
            &[p(n0l)],
            &[l(n0l)],
            &[w(s0h2)],
            &[p(s0h2)],
            &[l(s0h)],
            &[w(s0l2)],
            &[p(s0l2)],
            &[l(s0l2)],
            &[w(s0r2)],
            &[p(s0r2)],
            &[l(s0r2)],
            &[w(n0l2)],
            &[p(n0l2)],
            &[l(n0l2)],
            &[s0p, p(s0l), p(s0l2)],
            &[s0p, p(s0r), p(s0r2)],
            &[s0p, p(s0h), p(s0h2)],
            &[n0p, p(n0l), p(n0l2)],
            &[s0w, self.rset[s0]],
            &[s0p, self.rset[s0]],
            &[s0w, self.lset[s0]],
            &[s0p, self.lset[s0]],
            &[n0w, self.lset[n0]],
            &[n0p, self.lset[n0]],
            &[p(s1), s0p, n0p],
            &[w(s1), p(s1)],
            &[p(s1), s0p],
            &[u64::from(s0h != self.nil), s0p, n0p],
            &[p((s0 + 1).min(self.nil)), s0p, n0p],
            &[p(n0.saturating_sub(1)), s0p, n0p],
            &[s0p, l(s0), n0p],
            &[t[s0].upos, t[n0].upos, t[n1].upos],
            &[s0w, s0p, l(s0), n0p],
            &[p(s1), l(s1), s0p, l(s0)],
            &[s0p, n0p, u64::from(self.nl[n0]), d],
        ];
        out.extend(vals.iter().enumerate().map(|(i, v)| feat(i as u32, v)));
    }

    /// The label features for an arc `h` → `d` about to be added.
    fn label_features(&self, h: usize, d: usize, out: &mut Vec<u64>) {
        let t = &self.toks;
        let w = |i: usize| t[i].word;
        let p = |i: usize| t[i].xpos;
        let u = |i: usize| t[i].upos;
        let l = |i: usize| u64::from(self.label[i]);
        let dir = u64::from(d < h);
        let dist = d.abs_diff(h).min(10) as u64;
        let (dw, dp, hw, hp) = (w(d), p(d), w(h), p(h));
        // the sibling nearest to d on the same side, attached before it
        let sib = if d < h { self.lc1[h] } else { self.rc1[h] };
        let hh = self.head[h];
        let dprev = if d > 0 { d - 1 } else { self.nil };
        let dnext = (d + 1).min(self.nil);
        let vals: [&[u64]; 26] = [
            &[],
            &[dw],
            &[dp],
            &[hw],
            &[hp],
            &[dw, hp, dir],
            &[dp, hw, dir],
            &[dp, hp, dir],
            &[dp, hp, dir, dist],
            &[dw, hw],
            &[u(d), u(h), dir],
            &[dp, self.lset[d], self.rset[d]],
            &[dp, l(self.lc1[d])],
            &[dp, l(self.rc1[d])],
            &[hp, self.lset[h], self.rset[h], dir],
            &[hp, p(hh), dp, dir],
            &[dp, p(dnext), p(dprev)],
            &[dw, dp, p(dnext)],
            &[hp, l(sib), dp, dir],
            &[dp, p(self.lc1[d]), p(self.rc1[d])],
            &[hw, dp, dir],
            &[dp, u64::from(self.nl[d]), u64::from(self.nr[d])],
            &[l(h), hp, dp, dir],
            &[dw, dp, hp, dir],
            &[dp, hp, p(self.buf(1)), dir],
            &[dp, w(self.lc1[d]), hp],
        ];
        out.extend(
            vals.iter()
                .enumerate()
                .map(|(i, v)| feat(1000 + i as u32, v)),
        );
    }

    /// The finished tree: words left without a head attach to the first
    /// root (or become it), so there is exactly one.
    fn tree(&mut self, mut label_of: impl FnMut(&State, usize, usize) -> u8) -> Vec<(u32, Deprel)> {
        let nil = self.nil;
        let mut root = (1..=self.n).find(|&i| self.head[i] == 0);
        for i in 1..=self.n {
            if self.head[i] == nil || (self.head[i] == 0 && root != Some(i)) {
                match root {
                    None => {
                        self.head[i] = 0;
                        self.label[i] = ROOT;
                        root = Some(i);
                    }
                    Some(r) => {
                        let l = label_of(self, r, i);
                        self.head[i] = r;
                        self.label[i] = l;
                    }
                }
            }
        }
        (1..=self.n)
            .map(|i| (self.head[i] as u32, self.label[i]))
            .collect()
    }
}

fn predict_label<S: Scorer>(
    m: &S,
    st: &State,
    h: usize,
    d: usize,
    feats: &mut Vec<u64>,
    scores: &mut [f32; N_LABELS],
) -> u8 {
    feats.clear();
    st.label_features(h, d, feats);
    best(m, feats, scores, |c| c != ROOT as usize).map_or(DEP, |c| c as u8)
}

/// Parses with any scorer (the shipped models or the trainers' live ones).
fn parse_with<A: Scorer, L: Scorer>(
    actions: &A,
    labels: &L,
    st: &mut State,
    forms: &[&str],
    upos: &[Upos],
    xpos: &[Xpos],
) -> Vec<(u32, Deprel)> {
    st.load(forms, upos, xpos);
    let mut feats = Vec::with_capacity(128);
    let mut scores = [0f32; N_LABELS];
    while !st.done() {
        feats.clear();
        st.features(&mut feats);
        let a = best(actions, &feats, &mut scores[..N_ACTIONS], |a| st.valid(a)).unwrap_or(SHIFT);
        let l = match st.arc(a) {
            Some((h, d)) if h != 0 => predict_label(labels, st, h, d, &mut feats, &mut scores),
            _ => ROOT,
        };
        st.apply(a, l);
    }
    st.tree(|st, h, d| predict_label(labels, st, h, d, &mut feats, &mut scores))
}

impl Parser {
    /// Heads (1-based, 0 = root) and relations for one sentence.
    pub fn parse(&self, forms: &[&str], upos: &[Upos], xpos: &[Xpos]) -> Vec<(u32, Deprel)> {
        let mut st = State::default();
        parse_with(&self.actions, &self.labels, &mut st, forms, upos, xpos)
    }

    /// Reads a model file (checked: magic, version, kind, checksum).
    pub fn load(path: &std::path::Path) -> Result<Parser, ModelError> {
        Parser::from_bytes(&model::read(path)?)
    }

    /// Decodes a whole model file's bytes (envelope included).
    pub fn from_bytes(bytes: &[u8]) -> Result<Parser, ModelError> {
        let payload = model::unwrap(ModelKind::Parser, bytes)?;
        let mut r = Reader::new(payload);
        model::payload_version(&mut r, "parser", PAYLOAD_VERSION)?;
        let actions = Model::decode(&mut r)?;
        let labels = Model::decode(&mut r)?;
        r.finish()?;
        if actions.n_classes() != N_ACTIONS || labels.n_classes() != N_LABELS {
            return Err(ModelError::Corrupt("parser class counts".into()));
        }
        Ok(Parser { actions, labels })
    }

    fn payload(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u32(PAYLOAD_VERSION);
        self.actions.encode(&mut w);
        self.labels.encode(&mut w);
        w.bytes
    }

    /// The whole model file (envelope included).
    pub fn to_bytes(&self) -> Vec<u8> {
        model::wrap(ModelKind::Parser, &self.payload())
    }

    /// Bytes of the two weight tables.
    pub fn size_bytes(&self) -> usize {
        self.actions.size_bytes() + self.labels.size_bytes()
    }
}

struct Gold {
    heads: Vec<usize>,
    labels: Vec<u8>,
}

fn gold_of(s: &Sentence) -> Gold {
    let n = s.words.len();
    let mut heads = vec![0usize; n + 2];
    let mut labels = vec![ROOT; n + 2];
    for (i, w) in s.words.iter().enumerate() {
        let h = w.head as usize;
        heads[i + 1] = if h <= n && h != i + 1 { h } else { 0 };
        labels[i + 1] = w.deprel;
    }
    Gold { heads, labels }
}

/// Trains on `sents` (their words' tags are the input features: the caller
/// substitutes predicted tags) for `epochs` passes shuffled with `seed`;
/// logs UAS/LAS on `dev` after each epoch and returns the parser of the best
/// dev epoch (of the last when `dev` is empty).
pub fn train(
    sents: &[Sentence],
    dev: &[Sentence],
    epochs: usize,
    seed: u64,
    log: &mut dyn FnMut(&str),
) -> Parser {
    let devs: Vec<(String, &[Sentence])> = if dev.is_empty() {
        Vec::new()
    } else {
        vec![("dev".to_string(), dev)]
    };
    train_named(sents, &devs, epochs, seed, true, log)
}

fn train_named(
    sents: &[Sentence],
    devs: &[(String, &[Sentence])],
    epochs: usize,
    seed: u64,
    prune: bool,
    log: &mut dyn FnMut(&str),
) -> Parser {
    let mut act = Trainer::new(N_ACTIONS);
    let mut lab = Trainer::new(N_LABELS);
    let mut rng = Rng::new(seed);
    let golds: Vec<Gold> = sents.iter().map(gold_of).collect();
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut st = State::default();
    let mut feats = Vec::with_capacity(128);
    let mut lfeats = Vec::with_capacity(64);
    let mut scores = [0f32; N_LABELS];
    let mut best_parser: Option<(f64, Parser)> = None;
    for epoch in 0..epochs {
        let started = std::time::Instant::now();
        rng.shuffle(&mut order);
        let (mut steps, mut errors) = (0usize, 0usize);
        for &si in &order {
            let s = &sents[si];
            let g = &golds[si];
            let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
            let upos: Vec<Upos> = s.words.iter().map(|w| w.upos).collect();
            let xpos: Vec<Xpos> = s.words.iter().map(|w| w.xpos).collect();
            st.load(&forms, &upos, &xpos);
            while !st.done() {
                feats.clear();
                st.features(&mut feats);
                let costs = st.costs(&g.heads);
                let min = costs.iter().copied().min().unwrap_or(0);
                let pred =
                    best(&act, &feats, &mut scores[..N_ACTIONS], |a| st.valid(a)).unwrap_or(SHIFT);
                let right = argmax(&scores[..N_ACTIONS], |a| costs[a] == min).unwrap_or(pred);
                if costs[pred] > min {
                    act.update(&feats, right, pred);
                    errors += 1;
                }
                act.tick();
                steps += 1;
                let explore = epoch >= EXPLORE_FROM_EPOCH && rng.below(10) < EXPLORE_TENTHS;
                let a = if explore { pred } else { right };
                let l = match st.arc(a) {
                    Some((h, d)) if h != 0 => {
                        let guess = predict_label(&lab, &st, h, d, &mut lfeats, &mut scores);
                        if g.heads[d] == h {
                            let truth = usize::from(g.labels[d]);
                            lab.update(&lfeats, truth, usize::from(guess));
                            lab.tick();
                        }
                        guess
                    }
                    _ => ROOT,
                };
                st.apply(a, l);
            }
        }
        // the epoch is chosen on the unpruned weights, so the pruning
        // budget does not change which epoch is kept
        let parser = finish(&act, &lab);
        let mut line = format!(
            "epoch {}: {:.2}% action errors, {} action / {} label features, {:.1}s",
            epoch + 1,
            100.0 * errors as f64 / steps.max(1) as f64,
            act.n_features(),
            lab.n_features(),
            started.elapsed().as_secs_f64()
        );
        let mut las_sum = 0.0;
        for (name, d) in devs {
            let sc = eval::syntax(d, None, Some(&parser));
            las_sum += sc.las;
            line.push_str(&format!(" | {name} UAS {:.2} LAS {:.2}", sc.uas, sc.las));
        }
        log(&line);
        if best_parser.as_ref().is_none_or(|(b, _)| las_sum > *b) || devs.is_empty() {
            best_parser = Some((las_sum, parser));
        }
    }
    let full = match best_parser {
        Some((_, p)) => p,
        None => finish(&act, &lab),
    };
    if prune {
        prune_logged(&full, devs, log)
    } else {
        full
    }
}

/// The shipped size of `full`, with its dev scores logged.
fn prune_logged(
    full: &Parser,
    devs: &[(String, &[Sentence])],
    log: &mut dyn FnMut(&str),
) -> Parser {
    let parser = full.pruned();
    let mut line = format!("pruned: model {:.1} MB", parser.size_bytes() as f64 / 1e6);
    for (name, d) in devs {
        let sc = eval::syntax(d, None, Some(&parser));
        line.push_str(&format!(" | {name} UAS {:.2} LAS {:.2}", sc.uas, sc.las));
    }
    log(&line);
    parser
}

/// The averaged weights, unpruned.
fn finish(act: &Trainer, lab: &Trainer) -> Parser {
    Parser {
        actions: act.finish(1, 0.0),
        labels: lab.finish(1, 0.0),
    }
}

impl Parser {
    /// The shipped size: the strongest features within the budgets.
    fn pruned(&self) -> Parser {
        self.pruned_to(ACTION_BUDGET, LABEL_BUDGET)
    }

    fn pruned_to(&self, actions: usize, labels: usize) -> Parser {
        Parser {
            actions: self.actions.prune(actions, MIN_WEIGHT),
            labels: self.labels.prune(labels, MIN_WEIGHT),
        }
    }
}

fn with_tags(sents: &[Sentence], tags: &[Vec<(Upos, Xpos)>]) -> Vec<Sentence> {
    sents
        .iter()
        .zip(tags)
        .map(|(s, t)| {
            let mut s = s.clone();
            for (w, (u, x)) in s.words.iter_mut().zip(t) {
                w.upos = *u;
                w.xpos = *x;
            }
            s
        })
        .collect()
}

/// Training sets smaller than this are not jackknifed.
const MIN_JACKKNIFE_SENTENCES: usize = 200;

/// `newsgraph train parser`: trains on predicted tags (4-fold jackknifed,
/// since the parser will only ever see predicted tags), logs
/// per-epoch UAS/LAS on each dev path with gold tags and, given `--tagger`,
/// with that tagger's tags; writes the model of the best dev epoch.
pub fn train_cli(args: &TrainArgs, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let gold = conllu::read_paths(&args.data).map_err(|e| e.to_string())?;
    if gold.is_empty() {
        return Err("no training sentences in the --data files".into());
    }
    let tagger = match &args.tagger {
        Some(p) => Some(tagger::Tagger::load(p).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut devs: Vec<(String, Vec<Sentence>)> = Vec::new();
    for p in &args.dev {
        let d = conllu::read_paths(std::slice::from_ref(p)).map_err(|e| e.to_string())?;
        let name = p
            .file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into());
        if let Some(t) = &tagger {
            let tagged: Vec<Vec<(Upos, Xpos)>> = d
                .iter()
                .map(|s| {
                    let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
                    t.tag(&forms)
                })
                .collect();
            devs.push((format!("{name} pred"), with_tags(&d, &tagged)));
        }
        devs.push((format!("{name} gold"), d));
    }
    let words: usize = gold.iter().map(|s| s.words.len()).sum();
    log(&format!("parser: {} sentences, {words} words", gold.len()));
    // a fold of a tiny treebank teaches a tagger nothing: below this size
    // the parser learns from the gold tags instead
    let sents = if gold.len() >= MIN_JACKKNIFE_SENTENCES {
        log(&format!(
            "jackknifing tags: {JACKKNIFE_FOLDS} folds, {TAGGER_EPOCHS} tagger epochs"
        ));
        let tags = tagger::jackknife(&gold, JACKKNIFE_FOLDS, TAGGER_EPOCHS, args.seed);
        with_tags(&gold, &tags)
    } else {
        log(&format!(
            "gold tags: fewer than {MIN_JACKKNIFE_SENTENCES} sentences to jackknife"
        ));
        gold
    };
    let dev_refs: Vec<(String, &[Sentence])> = devs
        .iter()
        .map(|(n, d)| (n.clone(), d.as_slice()))
        .collect();
    let epochs = args.epochs.unwrap_or(DEFAULT_EPOCHS);
    let full = train_named(&sents, &dev_refs, epochs, args.seed, false, log);
    // for choosing the budgets: the unpruned weights of the chosen epoch
    if let Some(path) = std::env::var_os("NEWSGRAPH_PARSER_UNPRUNED") {
        model::save(
            std::path::Path::new(&path),
            ModelKind::Parser,
            &full.payload(),
        )
        .map_err(|e| e.to_string())?;
    }
    let parser = prune_logged(&full, &dev_refs, log);
    model::save(&args.out, ModelKind::Parser, &parser.payload()).map_err(|e| e.to_string())?;
    log(&format!(
        "wrote {} ({:.1} MB)",
        args.out.display(),
        parser.size_bytes() as f64 / 1e6
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "\
1	The	the	DET	DT	_	2	det	_	_
2	minister	minister	NOUN	NN	_	3	nsubj	_	_
3	said	say	VERB	VBD	_	0	root	_	_
4	that	that	SCONJ	IN	_	8	mark	_	_
5	the	the	DET	DT	_	6	det	_	_
6	troops	troop	NOUN	NNS	_	8	nsubj	_	_
7	had	have	AUX	VBD	_	8	aux	_	_
8	left	leave	VERB	VBN	_	3	ccomp	_	_
9	.	.	PUNCT	.	_	3	punct	_	_

1	Ukraine	Ukraine	PROPN	NNP	_	2	nsubj	_	_
2	denied	deny	VERB	VBD	_	0	root	_	_
3	the	the	DET	DT	_	4	det	_	_
4	report	report	NOUN	NN	_	2	obj	_	_
5	on	on	ADP	IN	_	6	case	_	_
6	Sunday	Sunday	PROPN	NNP	_	2	obl	_	_
7	.	.	PUNCT	.	_	2	punct	_	_

1	Officials	official	NOUN	NNS	_	11	nsubj	_	_
2	in	in	ADP	IN	_	3	case	_	_
3	Kyiv	Kyiv	PROPN	NNP	_	1	nmod	_	_
4	,	,	PUNCT	,	_	6	punct	_	_
5	who	who	PRON	WP	_	6	nsubj	_	_
6	declined	decline	VERB	VBD	_	1	acl:relcl	_	_
7	to	to	PART	TO	_	9	mark	_	_
8	be	be	AUX	VB	_	9	aux:pass	_	_
9	named	name	VERB	VBN	_	6	xcomp	_	_
10	,	,	PUNCT	,	_	6	punct	_	_
11	said	say	VERB	VBD	_	0	root	_	_
12	the	the	DET	DT	_	13	det	_	_
13	attack	attack	NOUN	NN	_	14	nsubj	_	_
14	failed	fail	VERB	VBD	_	11	ccomp	_	_
15	.	.	PUNCT	.	_	11	punct	_	_
";

    fn tiny() -> Vec<Sentence> {
        conllu::parse(TINY, "tiny").expect("valid CoNLL-U")
    }

    fn parse_sent(p: &Parser, s: &Sentence) -> Vec<(u32, Deprel)> {
        let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
        let u: Vec<Upos> = s.words.iter().map(|w| w.upos).collect();
        let x: Vec<Xpos> = s.words.iter().map(|w| w.xpos).collect();
        p.parse(&forms, &u, &x)
    }

    fn assert_tree(parsed: &[(u32, Deprel)]) {
        let n = parsed.len();
        let roots = parsed.iter().filter(|(h, _)| *h == 0).count();
        assert_eq!(roots, usize::from(n > 0), "one root");
        for (i, (h, l)) in parsed.iter().enumerate() {
            assert!(
                *h as usize <= n && *h as usize != i + 1,
                "head of {}",
                i + 1
            );
            assert_eq!(*h == 0, *l == ROOT, "root label of {}", i + 1);
            // following heads reaches the root within n steps: no cycle
            let mut cur = i + 1;
            let mut steps = 0;
            while cur != 0 {
                cur = parsed[cur - 1].0 as usize;
                steps += 1;
                assert!(steps <= n, "cycle through {}", i + 1);
            }
        }
    }

    #[test]
    fn learns_a_tiny_treebank_perfectly() {
        let sents = tiny();
        let p = train_named(&[], &[], 0, 1, false, &mut |_| {});
        assert_tree(&parse_sent(&p, &sents[0]));
        let p = train_named(&sents, &[], 30, 1, false, &mut |_| {});
        let sc = eval::syntax(&sents, None, Some(&p));
        assert_eq!((sc.uas, sc.las), (100.0, 100.0));
    }

    #[test]
    fn same_seed_same_bytes_and_bad_bytes_are_errors() {
        let sents = tiny();
        let a = train(&sents, &[], 3, 7, &mut |_| {}).to_bytes();
        let b = train(&sents, &[], 3, 7, &mut |_| {}).to_bytes();
        assert_eq!(a, b);
        let back = Parser::from_bytes(&a).expect("round trip");
        assert_eq!(back.to_bytes(), a);
        for cut in [0, 10, a.len() / 2, a.len() - 1] {
            assert!(Parser::from_bytes(&a[..cut]).is_err());
        }
        let mut bad = a.clone();
        let last = bad.len() - 3;
        bad[last] ^= 0x11;
        assert!(Parser::from_bytes(&bad).is_err());
        // a well-checksummed payload that is not a parser
        let fake = model::wrap(ModelKind::Parser, &[1, 0, 0, 0, 9, 9]);
        assert!(Parser::from_bytes(&fake).is_err());
    }

    #[test]
    fn odd_input_gives_well_formed_trees() {
        let p = train(&tiny(), &[], 2, 3, &mut |_| {});
        assert!(p.parse(&[], &[], &[]).is_empty());
        let long: Vec<&str> = (0..5000)
            .map(|i| ["the", "cat", "sat", ",", "and"][i % 5])
            .collect();
        let u: Vec<Upos> = (0..5000)
            .map(|i| [Upos::Det, Upos::Noun, Upos::Verb, Upos::Punct, Upos::Cconj][i % 5])
            .collect();
        let parsed = p.parse(&long, &u, &[]);
        assert_eq!(parsed.len(), 5000);
        assert_tree(&parsed);
        let punct = [".", ",", "!", "?", "...", "-"];
        let pu = [Upos::Punct; 6];
        let px = [6u8, 9, 6, 6, 38, 28];
        assert_tree(&p.parse(&punct, &pu, &px));
        let cjk = ["Киев", "заявил", "東京", "は", "🙂", "مرحبا"];
        assert_tree(&p.parse(&cjk, &[Upos::Propn; 6], &[3; 6]));
        assert_tree(&p.parse(&["one"], &[Upos::Noun], &[0]));
    }

    fn model_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/models/parser.bin")
    }

    #[test]
    fn the_shipped_model_finds_speakers_and_what_they_said() {
        let path = model_path();
        if !path.exists() {
            eprintln!("skipped: {} is absent", path.display());
            return;
        }
        let p = Parser::load(&path).expect("model loads");
        let ns = tags::deprel_parse("nsubj").unwrap();
        let cc = tags::deprel_parse("ccomp").unwrap();
        for (s, speaker, verb, content) in [(0, 2, 3, 8), (2, 1, 11, 14)] {
            let parsed = parse_sent(&p, &tiny()[s]);
            assert_tree(&parsed);
            assert_eq!(
                parsed[speaker - 1],
                (verb as u32, ns),
                "sentence {s}: {parsed:?}"
            );
            assert_eq!(
                parsed[content - 1],
                (verb as u32, cc),
                "sentence {s}: {parsed:?}"
            );
        }
        let parsed = parse_sent(&p, &tiny()[1]);
        assert_eq!(parsed[0], (2, ns), "{parsed:?}");
        assert_eq!(parsed[3].0, 2, "{parsed:?}");
    }

    fn treebank(path: &str) -> Vec<Sentence> {
        conllu::read_paths(&[std::path::PathBuf::from(path)]).unwrap_or_default()
    }

    /// Trains on gold tags and reports dev scores per epoch:
    /// `PARSER_EPOCHS=15 cargo test --release --lib nlp::parser::tests::experiment -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn experiment() {
        let mut train = treebank("/work/shared/treebank/ewt/en_ewt-ud-train.conllu");
        train.extend(treebank("/work/shared/treebank/gum/train"));
        let ewt = treebank("/work/shared/treebank/ewt/en_ewt-ud-dev.conllu");
        let gum = treebank("/work/shared/treebank/gum/dev");
        let epochs = std::env::var("PARSER_EPOCHS")
            .ok()
            .and_then(|e| e.parse().ok())
            .unwrap_or(8);
        let devs = vec![("ewt".to_string(), &ewt[..]), ("gum".to_string(), &gum[..])];
        let p = train_named(&train, &devs, epochs, 1, true, &mut |l| eprintln!("{l}"));
        eprintln!("size {:.1} MB", p.to_bytes().len() as f64 / 1e6);
    }

    /// Dev scores (predicted tags) of an unpruned parser (`train parser`
    /// with `NEWSGRAPH_PARSER_UNPRUNED=FILE`) pruned to several budgets:
    /// `PARSER_FULL=FILE BUDGETS=250000:120000,520000:260000 cargo test
    /// --release --lib nlp::parser::tests::budgets -- --ignored --nocapture`;
    /// with `BUDGET_OUT=PREFIX` each pruned parser is written to
    /// `PREFIX.ACTIONS-LABELS`.
    #[test]
    #[ignore]
    fn budgets() {
        let (Some(full), Some(budgets)) = (
            std::env::var_os("PARSER_FULL"),
            std::env::var("BUDGETS").ok(),
        ) else {
            eprintln!("skipped: PARSER_FULL and BUDGETS are not set");
            return;
        };
        let full = Parser::load(std::path::Path::new(&full)).expect("parser");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let tagger = tagger::Tagger::load(&dir.join("data/models/tagger.bin")).expect("tagger");
        let ewt = treebank("/work/shared/treebank/ewt/en_ewt-ud-dev.conllu");
        let gum = treebank("/work/shared/treebank/gum/dev");
        for b in budgets.split(',') {
            let mut it = b.split(':').filter_map(|x| x.parse::<usize>().ok());
            let (Some(a), Some(l)) = (it.next(), it.next()) else {
                continue;
            };
            let p = full.pruned_to(a, l);
            if let Some(out) = std::env::var_os("BUDGET_OUT") {
                let out = format!("{}.{a}-{l}", out.to_string_lossy());
                model::save(std::path::Path::new(&out), ModelKind::Parser, &p.payload())
                    .expect("write the pruned parser");
            }
            let e = eval::syntax(&ewt, Some(&tagger), Some(&p));
            let g = eval::syntax(&gum, Some(&tagger), Some(&p));
            eprintln!(
                "{a}:{l} {:.1} MB | EWT {e} | GUM {g}",
                p.size_bytes() as f64 / 1e6
            );
        }
    }

    /// Load time and parsing speed of the shipped model on EWT dev (gold tags).
    #[test]
    #[ignore]
    fn speed() {
        let started = std::time::Instant::now();
        let Ok(p) = Parser::load(&model_path()) else {
            eprintln!("skipped: no model");
            return;
        };
        eprintln!("load {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
        let dev = treebank("/work/shared/treebank/ewt/en_ewt-ud-dev.conllu");
        let input: Vec<(Vec<&str>, Vec<Upos>, Vec<Xpos>)> = dev
            .iter()
            .map(|s| {
                (
                    s.words.iter().map(|w| w.form.as_str()).collect(),
                    s.words.iter().map(|w| w.upos).collect(),
                    s.words.iter().map(|w| w.xpos).collect(),
                )
            })
            .collect();
        let started = std::time::Instant::now();
        let mut words = 0;
        for _ in 0..3 {
            for (f, u, x) in &input {
                words += p.parse(f, u, x).len();
            }
        }
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{words} words in {secs:.2}s: {:.0} words/s",
            words as f64 / secs
        );
    }
}
