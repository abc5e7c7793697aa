//! The entity tagger: person, organisation and place names over tokens.
//!
//! A BILOU sequence tagger (averaged perceptron, greedy left to right, the
//! two previous labels as features, only legal transitions, so every span
//! is well formed). Features are the words and their shapes in a ±2 window,
//! affixes, the part-of-speech tags of the window and the gazetteer marks of
//! [`crate::nlp::gazetteer`]. Where the model leaves a capitalised run that
//! the gazetteer names as a whole and the model's lean towards "no entity"
//! there is at most the stored margin, the gazetteer's type is used.
//!
//! Training data are GUM's person/organization/place mentions cut down to
//! proper names ([`named_mentions`]), plus treebanks without entity
//! annotation (EWT) labelled silver: their proper-noun runs, typed by the
//! gazetteer or by the votes of a model trained on the gold mentions over
//! every occurrence of the name, for [`SILVER_ROUNDS`] rounds ([`silver_by`]).
//!
//! Owns: entity labels, features, training and the entities model file. May
//! not touch: claims, events or the graph (`extract` reads its spans).

use crate::nlp::TrainArgs;
use crate::nlp::conllu::{self, EntitySentence, Sentence};
use crate::nlp::eval::EntityScores;
use crate::nlp::gazetteer::{self, Marks, N_SOURCES, Source};
use crate::nlp::model::{self, ModelError, ModelKind, Reader, Writer};
use crate::nlp::perceptron::{Model, Rng, Trainer, feat, hash_str};
use crate::nlp::tags::{EntityType, Upos, Xpos};

/// A typed entity mention over tokens `start..end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub etype: EntityType,
    /// How sure the tagger is (margin of the best label over the next; the
    /// smallest over the span's tokens). 0 for a gazetteer fallback.
    pub confidence: f32,
}

/// Labels: 0 = O, then B, I, L, U for each type in [`EntityType::ALL`] order.
const N_LABELS: usize = 1 + 4 * 3;
const O: usize = 0;
const KB: usize = 0;
const KI: usize = 1;
const KL: usize = 2;
const KU: usize = 3;

fn label(t: EntityType, kind: usize) -> usize {
    1 + 4 * (t as usize) + kind
}

fn kind_of(l: usize) -> Option<(EntityType, usize)> {
    if l == O || l >= N_LABELS {
        return None;
    }
    Some((EntityType::ALL[(l - 1) / 4], (l - 1) % 4))
}

/// Whether `next` may follow `prev` (`None` = sentence start); `last` says
/// `next` is the final token.
fn legal(prev: Option<usize>, next: usize, last: bool) -> bool {
    let open = prev.and_then(kind_of).filter(|(_, k)| *k == KB || *k == KI);
    let ok = match (open, kind_of(next)) {
        (Some((t, _)), Some((u, k))) => t == u && (k == KI || k == KL),
        (Some(_), None) => false,
        (None, Some((_, k))) => k == KB || k == KU,
        (None, None) => true,
    };
    ok && !(last && matches!(kind_of(next), Some((_, KB | KI))))
}

fn to_labels(n: usize, spans: &[(usize, usize, EntityType)]) -> Vec<usize> {
    let mut y = vec![O; n];
    for &(s, e, t) in spans {
        if s >= e || e > n || y[s..e].iter().any(|l| *l != O) {
            continue;
        }
        if e - s == 1 {
            y[s] = label(t, KU);
        } else {
            y[s] = label(t, KB);
            y[s + 1..e - 1].fill(label(t, KI));
            y[e - 1] = label(t, KL);
        }
    }
    y
}

/// Capitalisation class of a token.
fn cap_class(form: &str) -> u64 {
    let mut chars = form.chars();
    let Some(first) = chars.next() else { return 0 };
    let (mut upper, mut lower) = (0, 0);
    for c in form.chars() {
        upper += usize::from(c.is_uppercase());
        lower += usize::from(c.is_lowercase());
    }
    match (first.is_uppercase(), upper, lower) {
        (_, 0, 0) => 1,                   // no cased letters
        (true, _, 0) if upper > 1 => 2,   // ALL CAPS
        (true, 1, _) | (true, _, 0) => 3, // Title
        (true, _, _) => 4,                // McDonald
        (false, 0, _) => 5,               // lower
        (false, _, _) => 6,               // iPhone
    }
}

fn is_capitalised(form: &str) -> bool {
    form.chars().next().is_some_and(char::is_uppercase)
}

/// The word's shape, long (Xxxxdd → "Xxdd" collapsed to runs) and short;
/// `long` and `short` are scratch space.
fn shape(form: &str, long: &mut String, short: &mut String) -> (u64, u64) {
    long.clear();
    short.clear();
    for (n, c) in form.chars().enumerate() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if n < 8 {
            long.push(s);
        }
        if !short.ends_with(s) {
            short.push(s);
        }
    }
    (hash_str(long), hash_str(short))
}

/// What the features need of one token, hashed once.
#[derive(Clone, Copy, Default)]
struct Tok {
    form: u64,
    lower: u64,
    shape: u64,
    short: u64,
    pre: [u64; 2],
    suf: [u64; 3],
    cap: u64,
    upos: u64,
    xpos: u64,
    gaz: Marks,
}

const PAD: u64 = 0x5eed;

fn prepare(forms: &[&str], upos: &[Upos], xpos: &[Xpos]) -> Vec<Tok> {
    let marks = gazetteer::mark(forms);
    // scratch space, reused for every token
    let (mut lower, mut long_buf, mut short_buf) = (String::new(), String::new(), String::new());
    let mut cs: Vec<(usize, char)> = Vec::new();
    forms
        .iter()
        .enumerate()
        .map(|(i, f)| {
            lower.clear();
            lower.extend(f.chars().flat_map(char::to_lowercase));
            cs.clear();
            cs.extend(lower.char_indices());
            let pre = |n: usize| cs.get(n).map_or(&lower[..], |(b, _)| &lower[..*b]);
            let suf = |n: usize| {
                cs.len()
                    .checked_sub(n)
                    .and_then(|k| cs.get(k))
                    .map_or(&lower[..], |(b, _)| &lower[*b..])
            };
            let (shape, short) = shape(f, &mut long_buf, &mut short_buf);
            Tok {
                form: hash_str(f),
                lower: hash_str(&lower),
                shape,
                short,
                pre: [hash_str(pre(2)), hash_str(pre(3))],
                suf: [hash_str(suf(2)), hash_str(suf(3)), hash_str(suf(4))],
                cap: cap_class(f),
                upos: upos.get(i).map_or(PAD, |u| *u as u64),
                xpos: xpos.get(i).map_or(PAD, |x| u64::from(*x)),
                gaz: marks.get(i).copied().unwrap_or_default(),
            }
        })
        .collect()
}

/// The label-independent features of token `i`.
fn static_features(toks: &[Tok], i: usize, out: &mut Vec<u64>) {
    out.clear();
    let pad = Tok {
        form: PAD,
        lower: PAD,
        shape: PAD,
        short: PAD,
        cap: 9,
        upos: PAD,
        xpos: PAD,
        ..Tok::default()
    };
    let at = |k: isize| -> &Tok {
        let j = i as isize + k;
        if j < 0 {
            &pad
        } else {
            toks.get(j as usize).unwrap_or(&pad)
        }
    };
    let (m2, m1, t, p1, p2) = (at(-2), at(-1), at(0), at(1), at(2));
    out.extend_from_slice(&[
        feat(1, &[]),
        feat(2, &[t.lower]),
        feat(3, &[m1.lower]),
        feat(4, &[p1.lower]),
        feat(5, &[m2.lower]),
        feat(6, &[p2.lower]),
        feat(7, &[m1.lower, t.lower]),
        feat(8, &[t.lower, p1.lower]),
        feat(9, &[t.shape]),
        feat(10, &[m1.short, t.short, p1.short]),
        feat(11, &[m1.short]),
        feat(12, &[p1.short]),
        feat(13, &[t.pre[0]]),
        feat(14, &[t.pre[1]]),
        feat(15, &[t.suf[0]]),
        feat(16, &[t.suf[1]]),
        feat(17, &[t.suf[2]]),
        feat(18, &[t.cap, u64::from(i == 0)]),
        feat(19, &[m1.cap, t.cap, p1.cap]),
        feat(20, &[t.upos]),
        feat(21, &[m1.upos]),
        feat(22, &[p1.upos]),
        feat(23, &[m2.upos]),
        feat(24, &[p2.upos]),
        feat(25, &[m1.upos, t.upos]),
        feat(26, &[t.upos, p1.upos]),
        feat(27, &[t.xpos]),
        feat(28, &[m1.xpos, t.xpos, p1.xpos]),
        feat(29, &[t.upos, t.cap]),
        feat(30, &[t.form]),
        feat(31, &[t.lower, t.cap]),
        feat(32, &[m1.lower, t.cap]),
        feat(33, &[p1.lower, t.cap]),
    ]);
    let mut any = 0u64;
    for s in 0..N_SOURCES {
        let m = u64::from(t.gaz[s]);
        any = any * 5 + m;
        if m != 0 {
            out.push(feat(40, &[s as u64, m]));
            out.push(feat(41, &[s as u64, m, t.cap]));
            out.push(feat(42, &[s as u64, m, m1.cap, t.cap, p1.cap]));
        }
        if m1.gaz[s] != 0 {
            out.push(feat(43, &[s as u64, u64::from(m1.gaz[s]), t.cap]));
        }
        if p1.gaz[s] != 0 {
            out.push(feat(44, &[s as u64, u64::from(p1.gaz[s]), t.cap]));
        }
    }
    out.push(feat(45, &[any]));
    if m2.gaz[Source::Title as usize] != 0 {
        out.push(feat(
            46,
            &[u64::from(m2.gaz[Source::Title as usize]), t.cap],
        ));
    }
}

/// Features of token `i` that depend on the labels before it.
fn label_features(toks: &[Tok], i: usize, p1: usize, p2: usize, out: &mut [u64; 5]) {
    let t = &toks[i];
    let (p1, p2) = (p1 as u64, p2 as u64);
    *out = [
        feat(60, &[p1]),
        feat(61, &[p1, p2]),
        feat(62, &[p1, t.lower]),
        feat(63, &[p1, t.short]),
        feat(64, &[p1, t.cap, t.upos]),
    ];
}

/// The sentence-start label stand-in for the history features.
const START: usize = N_LABELS;

/// The trained entity tagger.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityTagger {
    model: Model,
    /// Gazetteer fallback: the largest lean towards O (score of O minus the
    /// best entity label) at which a whole gazetteer name is still typed by
    /// the gazetteer. Negative disables the fallback.
    fallback_margin: f32,
}

const PAYLOAD_VERSION: u32 = 1;

/// A greedy decode: labels, the margin of each choice, and for each token
/// how far O led the best entity label (negative when an entity label won).
struct Decoded {
    labels: Vec<usize>,
    margins: Vec<f32>,
    o_lead: Vec<f32>,
    /// Per token, every label's score (kept for silver labelling only).
    scores: Vec<[f32; N_LABELS]>,
}

fn decode(model: &Model, toks: &[Tok], keep_scores: bool) -> Decoded {
    let n = toks.len();
    let mut d = Decoded {
        labels: Vec::with_capacity(n),
        margins: Vec::with_capacity(n),
        o_lead: Vec::with_capacity(n),
        scores: Vec::with_capacity(if keep_scores { n } else { 0 }),
    };
    // the label-independent features of every token are looked up first,
    // all together (their memory misses overlap); the loop adds their rows
    let mut feats = Vec::with_capacity(64);
    let mut rows = Vec::with_capacity(n * 40);
    let mut ends = Vec::with_capacity(n);
    for i in 0..n {
        static_features(toks, i, &mut feats);
        model.lookup(&feats, &mut rows);
        ends.push(rows.len());
    }
    let mut dynf = [0u64; 5];
    let mut sums = [0i32; N_LABELS];
    let mut scores = [0f32; N_LABELS];
    for i in 0..n {
        let p1 = if i > 0 { d.labels[i - 1] } else { START };
        let p2 = if i > 1 { d.labels[i - 2] } else { START };
        label_features(toks, i, p1, p2, &mut dynf);
        sums.fill(0);
        let start = if i == 0 { 0 } else { ends[i - 1] };
        model.add_rows(&rows[start..ends[i]], &mut sums);
        model.sum(&dynf, &mut sums);
        scores.fill(0.0);
        model.add_scaled(&sums, &mut scores);
        let prev = (i > 0).then(|| d.labels[i - 1]);
        let last = i + 1 == n;
        let (mut best, mut second) = (None::<(usize, f32)>, f32::NEG_INFINITY);
        let mut best_ent = f32::NEG_INFINITY;
        for (l, s) in scores.iter().enumerate() {
            if !legal(prev, l, last) {
                continue;
            }
            if l != O {
                best_ent = best_ent.max(*s);
            }
            match best {
                Some((_, b)) if *s <= b => second = second.max(*s),
                Some((_, b)) => {
                    second = b;
                    best = Some((l, *s));
                }
                None => best = Some((l, *s)),
            }
        }
        // O is legal wherever an entity cannot continue, and some label
        // always is, so `best` is set; O stands in should that ever change.
        let (l, b) = best.unwrap_or((O, 0.0));
        d.labels.push(l);
        d.margins
            .push(if second.is_finite() { b - second } else { b });
        if keep_scores {
            d.scores.push(scores);
        }
        d.o_lead.push(if legal(prev, O, last) {
            scores[O] - best_ent
        } else {
            f32::NEG_INFINITY
        });
    }
    d
}

fn spans_of(labels: &[usize], margins: &[f32]) -> Vec<EntitySpan> {
    let mut out = Vec::new();
    let mut open: Option<(usize, EntityType, f32)> = None;
    for (i, &l) in labels.iter().enumerate() {
        match kind_of(l) {
            Some((t, KU)) => out.push(EntitySpan {
                start: i,
                end: i + 1,
                etype: t,
                confidence: margins[i],
            }),
            Some((t, KB)) => open = Some((i, t, margins[i])),
            Some((t, KI)) => {
                if let Some(o) = open.as_mut().filter(|o| o.1 == t) {
                    o.2 = o.2.min(margins[i]);
                }
            }
            Some((t, _)) => {
                if let Some((s, ot, c)) = open.take().filter(|o| o.1 == t) {
                    out.push(EntitySpan {
                        start: s,
                        end: i + 1,
                        etype: ot,
                        confidence: c.min(margins[i]),
                    });
                }
            }
            None => open = None,
        }
    }
    out
}

impl EntityTagger {
    /// Typed name spans of one sentence, in order, never overlapping. Tags
    /// may be shorter than `forms` (missing ones count as unknown).
    pub fn tag(&self, forms: &[&str], upos: &[Upos], xpos: &[Xpos]) -> Vec<EntitySpan> {
        self.tag_with(forms, upos, xpos, self.fallback_margin)
    }

    fn tag_with(
        &self,
        forms: &[&str],
        upos: &[Upos],
        xpos: &[Xpos],
        fallback: f32,
    ) -> Vec<EntitySpan> {
        if forms.is_empty() {
            return Vec::new();
        }
        let toks = prepare(forms, upos, xpos);
        let d = decode(&self.model, &toks, false);
        let mut spans = spans_of(&d.labels, &d.margins);
        if fallback >= 0.0 {
            let marks: Vec<Marks> = toks.iter().map(|t| t.gaz).collect();
            let mut added = false;
            for (s, e, t) in gazetteer::typed_matches(&marks) {
                let whole_name = forms[s..e]
                    .iter()
                    .all(|f| is_capitalised(f) || !f.chars().any(char::is_alphabetic))
                    && is_capitalised(forms[s]);
                let unsure = (s..e).all(|k| d.labels[k] == O && d.o_lead[k] <= fallback);
                // a capitalised word on either side makes the match part of
                // a longer name the model did not see
                let bounded = (s == 0 || !is_capitalised(forms[s - 1]) || s == 1)
                    && forms.get(e).is_none_or(|f| !is_capitalised(f));
                if whole_name && unsure && bounded {
                    spans.push(EntitySpan {
                        start: s,
                        end: e,
                        etype: t,
                        confidence: 0.0,
                    });
                    added = true;
                }
            }
            if added {
                spans.sort_by_key(|sp| sp.start);
            }
        }
        spans
    }

    /// The model file's bytes (envelope included, kind entities).
    pub fn to_bytes(&self) -> Vec<u8> {
        model::wrap(ModelKind::Entities, &self.payload())
    }

    fn payload(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u32(PAYLOAD_VERSION);
        w.f32(self.fallback_margin);
        self.model.encode(&mut w);
        w.bytes
    }

    /// Reads a model file (checked: magic, version, kind, checksum).
    pub fn load(path: &std::path::Path) -> Result<EntityTagger, ModelError> {
        EntityTagger::from_bytes(&model::read(path)?)
    }

    /// Decodes a whole model file's bytes (envelope included).
    pub fn from_bytes(bytes: &[u8]) -> Result<EntityTagger, ModelError> {
        let payload = model::unwrap(ModelKind::Entities, bytes)?;
        let mut r = Reader::new(payload);
        model::payload_version(&mut r, "entities", PAYLOAD_VERSION)?;
        let fallback_margin = r.f32()?;
        let model = Model::decode(&mut r)?;
        r.finish()?;
        if model.n_classes() != N_LABELS || fallback_margin.is_nan() {
            return Err(ModelError::Corrupt(format!(
                "entities model has {} classes, expected {N_LABELS}",
                model.n_classes()
            )));
        }
        // gazetteer tables are built now rather than on the first sentence
        gazetteer::warm_up();
        Ok(EntityTagger {
            model,
            fallback_margin,
        })
    }

    /// The gazetteer fallback margin (negative = off).
    pub fn fallback_margin(&self) -> f32 {
        self.fallback_margin
    }

    pub fn set_fallback_margin(&mut self, m: f32) {
        self.fallback_margin = m;
    }

    /// Bytes of the weight tables.
    pub fn size_bytes(&self) -> usize {
        self.model.size_bytes()
    }
}

/// One training or scoring sentence: forms, tags and gold spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Example {
    pub forms: Vec<String>,
    pub upos: Vec<Upos>,
    pub xpos: Vec<Xpos>,
    pub spans: Vec<(usize, usize, EntityType)>,
}

impl Example {
    /// A treebank sentence with its named mentions as the gold spans.
    pub fn from_treebank(s: &Sentence) -> Example {
        Example {
            forms: s.words.iter().map(|w| w.form.clone()).collect(),
            upos: s.words.iter().map(|w| w.upos).collect(),
            xpos: s.words.iter().map(|w| w.xpos).collect(),
            spans: named_mentions(s),
        }
    }
}

/// Silver labelling rounds for treebanks without entity annotation: the
/// model trained on the gold mentions labels them, the model trained on
/// gold and silver labels them again, and so on (chosen on UNER EWT dev:
/// 2 beat 1, 3 and 4).
pub const SILVER_ROUNDS: usize = 2;

/// Proper nouns that are not names of persons, organisations or places.
fn never_a_name(lower: &str) -> bool {
    matches!(
        lower,
        "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "mon"
            | "tue"
            | "tues"
            | "wed"
            | "thu"
            | "thurs"
            | "fri"
            | "sat"
            | "sun"
            | "christmas"
            | "easter"
            | "thanksgiving"
            | "halloween"
            | "ramadan"
    )
}

/// A silver example from a treebank sentence without entity annotation:
/// each proper-noun run is a span, typed by the gazetteer where it names
/// the whole run, else by `teacher`'s votes over all the run's occurrences
/// in the corpus (`votes`, from [`silver_votes`]); a sentence with a run
/// that leans to "no name" is left out (a wrong O teaches more harm than a
/// missing sentence). Runs of month and day names and one-word plural or
/// demonym runs (Palestinians) are O.
pub fn silver_by(teacher: &EntityTagger, s: &Sentence, votes: &Votes) -> Option<Example> {
    let (mut ex, runs) = name_runs(teacher, s)?;
    let mut spans = Vec::new();
    for r in runs {
        if let Some(t) = r.gaz {
            spans.push((r.start, r.end, t));
            continue;
        }
        let lead = votes
            .get(&r.key)
            .map_or(r.lead, |(sum, n)| sum.map(|x| x / *n as f32));
        let (best, lead) = lead
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |acc, (k, v)| {
                if *v > acc.1 { (k, *v) } else { acc }
            });
        if lead < 0.0 {
            return None;
        }
        spans.push((r.start, r.end, EntityType::ALL[best]));
    }
    ex.spans = spans;
    Some(ex)
}

/// The teacher's summed leads of each type over O for every occurrence
/// of a name (lowercased), and the number of occurrences.
pub type Votes = crate::fasthash::HashMap<String, ([f32; 3], u32)>;

/// Corpus-wide votes: a name is typed the same wherever it occurs.
pub fn silver_votes(teacher: &EntityTagger, sents: &[Sentence]) -> Votes {
    let mut votes = Votes::default();
    for s in sents {
        for r in name_runs(teacher, s).map(|x| x.1).unwrap_or_default() {
            let e = votes.entry(r.key).or_insert(([0.0; 3], 0));
            for (a, b) in e.0.iter_mut().zip(r.lead) {
                *a += b;
            }
            e.1 += 1;
        }
    }
    votes
}

/// A proper-noun run that may be a name, with the teacher's view of it.
struct Run {
    start: usize,
    end: usize,
    key: String,
    /// The run labelled as one name of each type, against all O.
    lead: [f32; 3],
    gaz: Option<EntityType>,
}

fn name_runs(teacher: &EntityTagger, s: &Sentence) -> Option<(Example, Vec<Run>)> {
    let ex = Example::from_treebank(s);
    let forms: Vec<&str> = ex.forms.iter().map(String::as_str).collect();
    if forms.is_empty() {
        return None;
    }
    let toks = prepare(&forms, &ex.upos, &ex.xpos);
    let marks: Vec<Marks> = toks.iter().map(|t| t.gaz).collect();
    let typed = gazetteer::typed_matches(&marks);
    let d = decode(&teacher.model, &toks, true);
    let mut runs = Vec::new();
    let mut i = 0;
    while i < s.words.len() {
        if !is_name_word(&s.words[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < s.words.len() && is_name_word(&s.words[j]) {
            j += 1;
        }
        let (a, b) = (i, j);
        i = j;
        let lower: Vec<String> = forms[a..b].iter().map(|f| f.to_lowercase()).collect();
        if lower.iter().all(|w| never_a_name(w) || w == ".") {
            continue;
        }
        if b == a + 1
            && (crate::nlp::tags::xpos_name(s.words[a].xpos) == "NNPS"
                || marks[a][Source::Demonym as usize] == gazetteer::U)
        {
            continue;
        }
        let mut lead = [0f32; 3];
        for (k, sc) in d.scores[a..b].iter().enumerate() {
            let kind = match (k == 0, a + k + 1 == b) {
                (true, true) => KU,
                (true, false) => KB,
                (false, true) => KL,
                (false, false) => KI,
            };
            for (t, s) in lead.iter_mut().enumerate() {
                *s += sc[label(EntityType::ALL[t], kind)] - sc[O];
            }
        }
        runs.push(Run {
            start: a,
            end: b,
            key: lower.join(" "),
            lead,
            gaz: typed.iter().find(|m| m.0 == a && m.1 == b).map(|m| m.2),
        });
    }
    Some((ex, runs))
}

/// A proper-noun word: GUM tags "United" (States) VERB and "New" (York)
/// ADJ, but NNP all the same.
fn is_name_word(w: &conllu::Word) -> bool {
    w.upos == Upos::Propn || matches!(crate::nlp::tags::xpos_name(w.xpos), "NNP" | "NNPS")
}

fn gum_type(etype: &str) -> Option<EntityType> {
    match etype {
        "person" => Some(EntityType::Person),
        "organization" => Some(EntityType::Organization),
        "place" => Some(EntityType::Place),
        _ => None,
    }
}

/// GUM's person, organization and place mentions whose head word is a
/// proper noun, cut to the proper-name run around the head: proper nouns,
/// with `of`/`and`/`&`/`de`/`-` between them, minus leading titles (UNER
/// leaves "President", "Dr." out). Nested names give way to the outermost.
pub fn named_mentions(s: &Sentence) -> Vec<(usize, usize, EntityType)> {
    let words = &s.words;
    let forms: Vec<&str> = words.iter().map(|w| w.form.as_str()).collect();
    let marks = gazetteer::mark(&forms);
    let typed = gazetteer::typed_matches(&marks);
    let propn = |k: usize| is_name_word(&words[k]);
    let joiner = |k: usize| {
        matches!(
            words[k].form.as_str(),
            "of" | "and" | "&" | "de" | "-" | "for" | "the" | "on"
        )
    };
    let mut found: Vec<(usize, usize, EntityType)> = Vec::new();
    for m in &s.mentions {
        let Some(ty) = gum_type(&m.etype) else {
            continue;
        };
        if m.start >= m.end || m.end > words.len() {
            continue;
        }
        let inside = |h: u32| h as usize > m.start && h as usize <= m.end;
        let Some(head) = (m.start..m.end).find(|&k| !inside(words[k].head)) else {
            continue;
        };
        if !propn(head) {
            continue;
        }
        let (mut a, mut b) = (head, head + 1);
        loop {
            if a > m.start && propn(a - 1) {
                a -= 1;
            } else if a > m.start + 1 && joiner(a - 1) && propn(a - 2) {
                a -= 2;
            } else if a > m.start + 2 && joiner(a - 1) && joiner(a - 2) && propn(a - 3) {
                a -= 3;
            } else {
                break;
            }
        }
        loop {
            if b < m.end && propn(b) {
                b += 1;
            } else if b + 1 < m.end && joiner(b) && propn(b + 1) {
                b += 2;
            } else if b + 2 < m.end && joiner(b) && joiner(b + 1) && propn(b + 2) {
                b += 3;
            } else {
                break;
            }
        }
        while a + 1 < b && marks[a][Source::Title as usize] != 0 {
            a += 1;
        }
        // groups named for a people or faith (Palestinians, Muslims) are
        // not names of persons in UNER or CoNLL
        let group = ty == EntityType::Person
            && b == a + 1
            && (crate::nlp::tags::xpos_name(words[a].xpos) == "NNPS"
                || marks[a][Source::Demonym as usize] == gazetteer::U);
        // a bare title ("the Secretary", "the Emperor") is not a name
        let title = b == a + 1 && marks[a][Source::Title as usize] == gazetteer::U;
        // GUM types a country acting as an agent an organisation; UNER,
        // like CoNLL, keeps countries and regions places (cities stay: Toyota,
        // Harrow)
        let country = [Source::Country, Source::Region].iter().any(|&src| {
            let c = src as usize;
            if b == a + 1 {
                marks[a][c] == gazetteer::U
            } else {
                marks[a][c] == gazetteer::B && marks[b - 1][c] == gazetteer::L
            }
        });
        let ty = if ty == EntityType::Organization
            && country
            && typed.contains(&(a, b, EntityType::Place))
        {
            EntityType::Place
        } else {
            ty
        };
        if !group && !title {
            found.push((a, b, ty));
        }
    }
    found.sort_by_key(|&(s, e, _)| (std::cmp::Reverse(e - s), s));
    let mut out: Vec<(usize, usize, EntityType)> = Vec::new();
    for (s, e, t) in found {
        if out.iter().all(|&(a, b, _)| e <= a || b <= s) {
            out.push((s, e, t));
        }
    }
    out.sort_unstable_by_key(|x| x.0);
    out
}

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
    /// Features updated fewer times than this are dropped from the model.
    pub min_count: u32,
    pub fallback_margin: f32,
    /// Share of sentences with names added again in lower case (web text
    /// writes names so too).
    pub lowercase_share: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 6,
            seed: 1,
            min_count: 2,
            fallback_margin: DEFAULT_FALLBACK,
            lowercase_share: 0.15,
        }
    }
}

/// Chosen on GUM dev and UNER EWT dev (see `train_cli`'s log).
const DEFAULT_FALLBACK: f32 = 1.0;

struct Prepared {
    toks: Vec<Tok>,
    labels: Vec<usize>,
}

/// Trains the tagger on `examples`; `after_epoch` sees each epoch's number,
/// its label accuracy on the training data (%) and its model.
pub fn train(
    examples: &[Example],
    opts: &TrainOptions,
    after_epoch: &mut dyn FnMut(usize, f64, &EntityTagger),
) -> EntityTagger {
    let mut rng = Rng::new(opts.seed);
    let mut data: Vec<Prepared> = Vec::with_capacity(examples.len());
    for e in examples.iter().filter(|e| !e.forms.is_empty()) {
        let forms: Vec<&str> = e.forms.iter().map(String::as_str).collect();
        data.push(Prepared {
            toks: prepare(&forms, &e.upos, &e.xpos),
            labels: to_labels(forms.len(), &e.spans),
        });
        let share = (opts.lowercase_share * 1e6) as usize;
        if !e.spans.is_empty() && rng.below(1_000_000) < share {
            let lower: Vec<String> = e.forms.iter().map(|f| f.to_lowercase()).collect();
            let forms: Vec<&str> = lower.iter().map(String::as_str).collect();
            data.push(Prepared {
                toks: prepare(&forms, &e.upos, &e.xpos),
                labels: to_labels(forms.len(), &e.spans),
            });
        }
    }
    let mut trainer = Trainer::new(N_LABELS);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut feats = Vec::with_capacity(64);
    let mut dynf = [0u64; 5];
    let mut scores = [0f32; N_LABELS];
    let mut guesses = Vec::new();
    let finish = |t: &Trainer| EntityTagger {
        model: t.finish(opts.min_count, 0.0),
        fallback_margin: opts.fallback_margin,
    };
    let mut accuracy = 0.0;
    for epoch in 0..opts.epochs {
        rng.shuffle(&mut order);
        let (mut seen, mut right) = (0usize, 0usize);
        for &k in &order {
            let ex = &data[k];
            guesses.clear();
            let n = ex.toks.len();
            for i in 0..n {
                static_features(&ex.toks, i, &mut feats);
                let p1 = if i > 0 { guesses[i - 1] } else { START };
                let p2 = if i > 1 { guesses[i - 2] } else { START };
                label_features(&ex.toks, i, p1, p2, &mut dynf);
                scores.fill(0.0);
                trainer.score(&feats, &mut scores);
                trainer.score(&dynf, &mut scores);
                let prev = (i > 0).then(|| guesses[i - 1]);
                let guess = crate::nlp::perceptron::argmax(&scores, |l| legal(prev, l, i + 1 == n))
                    .unwrap_or(O);
                let truth = ex.labels[i];
                seen += 1;
                right += usize::from(guess == truth);
                if guess != truth {
                    trainer.update(&feats, truth, guess);
                    trainer.update(&dynf, truth, guess);
                }
                trainer.tick();
                guesses.push(guess);
            }
        }
        accuracy = 100.0 * right as f64 / seen.max(1) as f64;
        if epoch + 1 < opts.epochs {
            after_epoch(epoch + 1, accuracy, &finish(&trainer));
        }
    }
    let tagger = finish(&trainer);
    after_epoch(opts.epochs, accuracy, &tagger);
    tagger
}

/// Exact typed-span scores of `tagger` on examples (their own tags), per
/// type too (index = `EntityType as usize`).
pub fn score(
    tagger: &EntityTagger,
    examples: &[Example],
    fallback: f32,
) -> (EntityScores, [EntityScores; 3]) {
    let mut all = EntityScores::default();
    let mut per = [EntityScores::default(); 3];
    for ex in examples {
        let forms: Vec<&str> = ex.forms.iter().map(String::as_str).collect();
        let found = tagger.tag_with(&forms, &ex.upos, &ex.xpos, fallback);
        for &(_, _, t) in &ex.spans {
            all.gold += 1;
            per[t as usize].gold += 1;
        }
        for f in &found {
            all.predicted += 1;
            per[f.etype as usize].predicted += 1;
            if ex.spans.contains(&(f.start, f.end, f.etype)) {
                all.correct += 1;
                per[f.etype as usize].correct += 1;
            }
        }
    }
    (all, per)
}

fn describe(name: &str, (all, per): &(EntityScores, [EntityScores; 3])) -> String {
    let mut s = format!(
        "{name}: P {:.3} R {:.3} F1 {:.3} (gold {}, found {})",
        all.precision(),
        all.recall(),
        all.f1(),
        all.gold,
        all.predicted
    );
    for t in EntityType::ALL {
        let p = &per[t as usize];
        s.push_str(&format!(
            " | {} P {:.3} R {:.3} F1 {:.3}",
            t.short(),
            p.precision(),
            p.recall(),
            p.f1()
        ));
    }
    s
}

/// Dev sets for `train_cli`: CoNLL-U files with GUM mentions are scored on
/// their named mentions; IOB2 files take their tags from CoNLL-U files of
/// the dev list with the same sentence ids (EWT for UNER), else none.
fn read_dev(
    paths: &[std::path::PathBuf],
) -> Result<Vec<(String, Vec<Example>)>, conllu::ReadError> {
    let mut sets = Vec::new();
    let mut tags: crate::fasthash::HashMap<String, (Vec<Upos>, Vec<Xpos>)> = Default::default();
    let mut iob2 = Vec::new();
    let mut gum = Vec::new();
    for p in paths {
        if p.extension().is_some_and(|x| x == "iob2") {
            iob2.push(p.clone());
            continue;
        }
        for f in conllu::expand(std::slice::from_ref(p), "conllu")? {
            let sents = conllu::read_file(&f)?;
            if sents.iter().any(|s| !s.mentions.is_empty()) {
                gum.extend(sents.iter().map(Example::from_treebank));
            } else {
                for s in sents {
                    let u = s.words.iter().map(|w| w.upos).collect();
                    let x = s.words.iter().map(|w| w.xpos).collect();
                    tags.insert(s.id, (u, x));
                }
            }
        }
    }
    if !gum.is_empty() {
        sets.push(("GUM dev named mentions".to_string(), gum));
    }
    for p in iob2 {
        let sents: Vec<EntitySentence> = conllu::read_iob2(&p)?;
        let mut tagged = 0;
        let ex = sents
            .into_iter()
            .map(|s| {
                let (upos, xpos) = tags
                    .get(&s.id)
                    .filter(|(u, _)| u.len() == s.forms.len())
                    .cloned()
                    .unwrap_or_default();
                tagged += usize::from(!upos.is_empty());
                Example {
                    forms: s.forms,
                    upos,
                    xpos,
                    spans: s.spans,
                }
            })
            .collect::<Vec<_>>();
        let name = format!(
            "{} ({} of {} sentences with gold tags)",
            p.display(),
            tagged,
            ex.len()
        );
        sets.push((name, ex));
    }
    Ok(sets)
}

/// `newsgraph train entities`: GUM-style CoNLL-U in, model file out.
pub fn train_cli(args: &TrainArgs, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let files = conllu::expand(&args.data, "conllu").map_err(|e| e.to_string())?;
    let mut examples: Vec<Example> = Vec::new();
    // treebank sentences without entity annotation, labelled silver below
    let mut raw: Vec<Sentence> = Vec::new();
    for f in files {
        let sents = conllu::read_file(&f).map_err(|e| e.to_string())?;
        if sents.iter().any(|s| !s.mentions.is_empty()) {
            examples.extend(sents.iter().map(Example::from_treebank));
        } else {
            raw.extend(sents);
        }
    }
    let n_spans: usize = examples.iter().map(|e| e.spans.len()).sum();
    log(&format!(
        "entities: {} sentences, {} named mentions; {} sentences to label silver",
        examples.len(),
        n_spans,
        raw.len()
    ));
    let mut dev = read_dev(&args.dev).map_err(|e| e.to_string())?;
    if let Some(path) = &args.tagger {
        // predicted tags in training and on dev, as the pipeline will see
        let tagger = crate::nlp::tagger::Tagger::load(path).map_err(|e| e.to_string())?;
        let retag = |ex: &mut Example| {
            let forms: Vec<&str> = ex.forms.iter().map(String::as_str).collect();
            let tagged = tagger.tag(&forms);
            ex.upos = tagged.iter().map(|t| t.0).collect();
            ex.xpos = tagged.iter().map(|t| t.1).collect();
        };
        examples.iter_mut().for_each(retag);
        dev.iter_mut()
            .for_each(|(_, set)| set.iter_mut().for_each(retag));
        log(&format!("tags predicted by {}", path.display()));
    }
    let opts = TrainOptions {
        epochs: args.epochs.unwrap_or(TrainOptions::default().epochs),
        seed: args.seed,
        ..TrainOptions::default()
    };
    let mut all = examples.clone();
    if !raw.is_empty() {
        let mut teacher = train(&examples, &opts, &mut |_, _, _| {});
        for round in 0..SILVER_ROUNDS {
            let votes = silver_votes(&teacher, &raw);
            let silver: Vec<Example> = raw
                .iter()
                .filter_map(|s| silver_by(&teacher, s, &votes))
                .collect();
            log(&format!(
                "round {}: {} of {} sentences silver, {} spans",
                round + 1,
                silver.len(),
                raw.len(),
                silver.iter().map(|e| e.spans.len()).sum::<usize>()
            ));
            all = examples.iter().chain(&silver).cloned().collect();
            if round + 1 < SILVER_ROUNDS {
                teacher = train(&all, &opts, &mut |_, _, _| {});
            }
        }
    }
    let tagger = train(&all, &opts, &mut |epoch, accuracy, t| {
        log(&format!(
            "epoch {epoch}: train label accuracy {accuracy:.2}"
        ));
        for (name, ex) in &dev {
            log(&format!(
                "epoch {epoch} {}",
                describe(name, &score(t, ex, t.fallback_margin))
            ));
        }
    });
    for (name, ex) in &dev {
        for m in [-1.0f32, 0.0, 0.5, 1.0, 2.0, 4.0, 8.0, f32::INFINITY] {
            let sc = score(&tagger, ex, m);
            log(&format!("fallback {m}: {}", describe(name, &sc)));
        }
    }
    log(&format!(
        "model: {} features, {} bytes",
        tagger.model.n_features(),
        tagger.to_bytes().len()
    ));
    model::save(&args.out, ModelKind::Entities, &tagger.payload()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "\
1\tMaria\tMaria\tPROPN\tNNP\t_\t3\tnsubj\t_\tEntity=(1-person-new-nnnnn-cf1-1,2-sgl\n\
2\tLopez\tLopez\tPROPN\tNNP\t_\t1\tflat\t_\tEntity=1)\n\
3\tvisited\tvisit\tVERB\tVBD\t_\t0\troot\t_\t_\n\
4\tthe\tthe\tDET\tDT\t_\t5\tdet\t_\tEntity=(2-organization-new-nnnnn-cf2-1,3-sgl\n\
5\tRed\tRed\tPROPN\tNNP\t_\t3\tobj\t_\t_\n\
6\tCross\tCross\tPROPN\tNNP\t_\t5\tflat\t_\tEntity=2)\n\
7\tin\tin\tADP\tIN\t_\t8\tcase\t_\t_\n\
8\tGeneva\tGeneva\tPROPN\tNNP\t_\t3\tobl\t_\tEntity=(3-place-new-nnnnn-cf3-1-sgl)\n\
9\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\
\n\
1\tHer\ther\tPRON\tPRP$\t_\t2\tnmod:poss\t_\tEntity=(4-person-giv-nnnnn-cf1-1-sgl)\n\
2\tfriend\tfriend\tNOUN\tNN\t_\t3\tnsubj\t_\tEntity=(5-person-new-nnnnn-cf4-1,2-sgl\n\
3\tleft\tleave\tVERB\tVBD\t_\t0\troot\t_\tEntity=5)\n\
4\tOslo\tOslo\tPROPN\tNNP\t_\t3\tobj\t_\tEntity=(6-place-new-nnnnn-cf5-1-sgl)\n\
5\tfor\tfor\tADP\tIN\t_\t6\tcase\t_\t_\n\
6\tToyota\tToyota\tPROPN\tNNP\t_\t3\tobl\t_\tEntity=(7-organization-new-nnnnn-cf6-1-sgl)\n\
7\tand\tand\tCCONJ\tCC\t_\t9\tcc\t_\t_\n\
8\tJohn\tJohn\tPROPN\tNNP\t_\t9\tcompound\t_\tEntity=(8-person-new-nnnnn-cf7-1,2-sgl\n\
9\tSmith\tSmith\tPROPN\tNNP\t_\t6\tconj\t_\tEntity=8)\n\
10\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n";

    fn tiny() -> Vec<Example> {
        conllu::parse(TINY, "tiny")
            .unwrap()
            .iter()
            .map(Example::from_treebank)
            .collect()
    }

    fn opts() -> TrainOptions {
        TrainOptions {
            epochs: 20,
            seed: 3,
            min_count: 1,
            fallback_margin: -1.0,
            lowercase_share: 0.0,
        }
    }

    #[test]
    fn named_mentions_are_cut_to_the_name() {
        let ex = tiny();
        use EntityType::*;
        assert_eq!(
            ex[0].spans,
            vec![(0, 2, Person), (4, 6, Organization), (7, 8, Place)]
        );
        // the pronoun and the common noun are not names
        assert_eq!(
            ex[1].spans,
            vec![(3, 4, Place), (5, 6, Organization), (7, 9, Person)]
        );
    }

    #[test]
    fn learns_a_tiny_set_perfectly_and_deterministically() {
        let ex = tiny();
        let t = train(&ex, &opts(), &mut |_, _, _| {});
        let (all, _) = score(&t, &ex, -1.0);
        assert_eq!((all.correct, all.gold, all.predicted), (6, 6, 6));
        let again = train(&ex, &opts(), &mut |_, _, _| {});
        assert_eq!(t.to_bytes(), again.to_bytes());
        let other = train(
            &ex,
            &TrainOptions {
                seed: 4,
                epochs: 1,
                ..opts()
            },
            &mut |_, _, _| {},
        );
        assert_ne!(t.to_bytes(), other.to_bytes());
    }

    #[test]
    fn round_trip_and_bad_bytes_are_errors() {
        let t = train(&tiny(), &opts(), &mut |_, _, _| {});
        let bytes = t.to_bytes();
        assert_eq!(EntityTagger::from_bytes(&bytes).unwrap(), t);
        for cut in (0..bytes.len()).step_by(7) {
            assert!(
                EntityTagger::from_bytes(&bytes[..cut]).is_err(),
                "cut {cut}"
            );
        }
        for i in (0..bytes.len()).step_by(5) {
            let mut bad = bytes.clone();
            bad[i] ^= 0x21;
            assert!(EntityTagger::from_bytes(&bad).is_err(), "flip {i}");
        }
        assert!(EntityTagger::from_bytes(&model::wrap(ModelKind::Entities, b"junk")).is_err());
        assert!(EntityTagger::from_bytes(&model::wrap(ModelKind::Tagger, &t.payload())).is_err());
    }

    fn well_formed(spans: &[EntitySpan], n: usize) {
        let mut end = 0;
        for s in spans {
            assert!(s.start >= end && s.start < s.end && s.end <= n, "{spans:?}");
            end = s.end;
        }
    }

    #[test]
    fn odd_input_gives_well_formed_spans() {
        let mut t = train(&tiny(), &opts(), &mut |_, _, _| {});
        t.set_fallback_margin(f32::INFINITY);
        assert!(t.tag(&[], &[], &[]).is_empty());
        let words = [
            "Maria", "Lopez", "visited", "Geneva", ",", "and", "Red", "Cross",
        ];
        let long: Vec<&str> = (0..5000).map(|i| words[i % words.len()]).collect();
        let spans = t.tag(&long, &[], &[]);
        well_formed(&spans, long.len());
        assert!(!spans.is_empty());
        let punct = [".", ",", "!!", "(", ")", "\"", "--", "…"];
        well_formed(&t.tag(&punct, &[Upos::Punct; 3], &[]), punct.len());
        let foreign = [
            "Путин",
            "посетил",
            "Киев",
            "。",
            "北京",
            "في",
            "القاهرة",
            "",
        ];
        well_formed(&t.tag(&foreign, &[], &[]), foreign.len());
        for n in 1..12 {
            well_formed(&t.tag(&long[..n], &[Upos::Propn; 12], &[3; 12]), n);
        }
    }

    #[test]
    fn the_fallback_types_a_gazetteer_name_the_model_missed() {
        // an untrained model says O everywhere, with no lean either way
        let mut t = train(&[], &opts(), &mut |_, _, _| {});
        let forms = [
            "Troops", "left", "Kursk", "for", "the", "United", "Nations", ".",
        ];
        assert!(t.tag(&forms, &[], &[]).is_empty());
        t.set_fallback_margin(1.0);
        let found: Vec<_> = t
            .tag(&forms, &[], &[])
            .iter()
            .map(|s| (s.start, s.end, s.etype))
            .collect();
        assert_eq!(
            found,
            vec![(2, 3, EntityType::Place), (5, 7, EntityType::Organization)]
        );
        // lower case is not taken as a name on the gazetteer's word alone
        assert!(t.tag(&["troops", "left", "kursk"], &[], &[]).is_empty());
    }
}
