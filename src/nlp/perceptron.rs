//! The averaged perceptron shared by the tagger, the parser and the entity
//! tagger: sparse hashed features, a trainer with lazy averaging, and a
//! compact read-only model (pruned, 16-bit weights, open-addressed feature
//! table) that the pipeline scores with.
//!
//! A feature is a `u64` hash of a template id and its values ([`feat`]);
//! the hash is FNV-1a plus a final mix, fixed here, so a model file means
//! the same on every machine.

use crate::fasthash::HashMap;
use crate::nlp::model::{ModelError, Reader, Writer};
use smallvec::{SmallVec, smallvec};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Hashes bytes (FNV-1a, 64-bit).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
    }
    h
}

/// Hashes a string.
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: spreads the bits so open addressing probes well
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A feature: template id plus up to a few values (hashes or small ids).
/// Never 0 (0 marks an empty slot in the model's table).
#[inline]
pub fn feat(template: u32, values: &[u64]) -> u64 {
    let mut h = FNV_OFFSET ^ u64::from(template).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for v in values {
        h = (h ^ v).wrapping_mul(FNV_PRIME);
        h = h.rotate_left(29);
    }
    mix(h).max(1)
}

/// A small deterministic random number generator (xorshift64*), for
/// shuffling training data with a fixed seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ 0x2545_f491_4f6c_dd1d).max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Trains an averaged perceptron over `n_classes` classes. Weights live in
/// one dense row per feature; averaging is lazy (a time stamp per weight).
pub struct Trainer {
    n_classes: usize,
    index: HashMap<u64, u32>,
    weights: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u32>,
    counts: Vec<u32>,
    time: u32,
}

impl Trainer {
    pub fn new(n_classes: usize) -> Trainer {
        Trainer {
            n_classes,
            index: HashMap::default(),
            weights: Vec::new(),
            totals: Vec::new(),
            stamps: Vec::new(),
            counts: Vec::new(),
            time: 0,
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Features with a row so far.
    pub fn n_features(&self) -> usize {
        self.index.len()
    }

    /// Adds the current weights of `feats` to `scores` (length `n_classes`).
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        let n = self.n_classes;
        for f in feats {
            if let Some(&row) = self.index.get(f) {
                let row = &self.weights[row as usize * n..(row as usize + 1) * n];
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += w;
                }
            }
        }
    }

    /// Advances the clock by one training example (call once per example,
    /// whether it was updated or not: the average is over examples).
    pub fn tick(&mut self) {
        self.time += 1;
    }

    fn row(&mut self, f: u64) -> usize {
        let n = self.n_classes;
        let next = self.index.len() as u32;
        let row = *self.index.entry(f).or_insert(next);
        if row == next {
            self.weights.resize(self.weights.len() + n, 0.0);
            self.totals.resize(self.totals.len() + n, 0.0);
            self.stamps.resize(self.stamps.len() + n, 0);
            self.counts.push(0);
        }
        row as usize
    }

    /// Adds `delta` to the weight of `class` for each feature.
    pub fn add(&mut self, feats: &[u64], class: usize, delta: f32) {
        let n = self.n_classes;
        for &f in feats {
            let row = self.row(f);
            self.counts[row] += 1;
            let i = row * n + class;
            self.totals[i] += f64::from(self.time - self.stamps[i]) * f64::from(self.weights[i]);
            self.stamps[i] = self.time;
            self.weights[i] += delta;
        }
    }

    /// The perceptron update: towards `truth`, away from `guess`.
    pub fn update(&mut self, feats: &[u64], truth: usize, guess: usize) {
        if truth != guess {
            self.add(feats, truth, 1.0);
            self.add(feats, guess, -1.0);
        }
    }

    /// The smallest `min_count` for [`Trainer::finish`] that keeps at most
    /// `max_features` features (ranked by how often they were updated).
    pub fn min_count_for(&self, max_features: usize) -> u32 {
        if self.counts.len() <= max_features {
            return 1;
        }
        let mut c = self.counts.clone();
        c.sort_unstable_by(|a, b| b.cmp(a));
        c[max_features] + 1
    }

    /// The averaged model. Features updated fewer than `min_count` times and
    /// weights whose magnitude is below `min_weight` are dropped.
    pub fn finish(&self, min_count: u32, min_weight: f32) -> Model {
        let n = self.n_classes;
        let time = f64::from(self.time.max(1));
        let mut keys: Vec<(u64, u32)> = self.index.iter().map(|(k, v)| (*k, *v)).collect();
        keys.sort_unstable();
        let mut rows: Vec<(u64, Vec<(u16, f32)>)> = Vec::new();
        let mut max_abs = 0f32;
        for (key, row) in keys {
            let row = row as usize;
            if self.counts[row] < min_count {
                continue;
            }
            let mut entries = Vec::new();
            for c in 0..n {
                let i = row * n + c;
                let total = self.totals[i]
                    + f64::from(self.time - self.stamps[i]) * f64::from(self.weights[i]);
                let avg = (total / time) as f32;
                if avg.abs() >= min_weight && avg != 0.0 {
                    max_abs = max_abs.max(avg.abs());
                    entries.push((c as u16, avg));
                }
            }
            if !entries.is_empty() {
                rows.push((key, entries));
            }
        }
        Model::build(n, &rows, max_abs)
    }
}

/// Classes up to this many are stored densely: the weights of a feature are
/// four `i16` packed in one `u64` beside its key, so scoring a feature reads
/// one cache line.
const DENSE: usize = 4;
/// First `u32` of the compact encoding (an old table starts with its class
/// count, which is never this).
const COMPACT_MARKER: u32 = u32::MAX;
const COMPACT_FORMAT: u32 = 2;
/// Features looked up together before their weights are added, so the
/// independent table probes overlap in memory.
const BATCH: usize = 128;

/// A trained, read-only averaged perceptron.
///
/// In memory: an open-addressed table (linear probing, power-of-two size,
/// load at most 1/2) of `[key, data]` pairs, so a probe reads key and data
/// from one cache line. With at most [`DENSE`] classes `data` holds the
/// weights themselves (four `i16`). Otherwise an entry is `class << 16 |
/// weight` (the class and its `i16` weight in one `u32`); a row of one or
/// two entries sits in `data` itself (top bit set, the second entry of
/// class [`NO_CLASS`] when absent), a longer one is `offset << 16 | len`
/// into `entries`, and one that has a weight for at least a third of the
/// classes is [`DENSE_ROW`]` | offset` into `dense`, all `n_classes`
/// weights in a row (the same bytes or fewer than its entries, and added
/// without reading classes: the frequent features, whose rows are long, are
/// most of the additions). In a file: the rows in key order only (no empty
/// slots); the table is rebuilt on load.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    n_classes: usize,
    slots: Vec<[u64; 2]>,
    entries: Vec<u32>,
    dense: Vec<i16>,
    /// Real weight = stored weight × scale.
    scale: f32,
}

/// Rows in key order, flat: row `i` has key `keys[i]` and the (class,
/// weight) entries `ends[i-1]..ends[i]` (classes ascending).
#[derive(Default)]
struct Rows {
    keys: Vec<u64>,
    ends: Vec<usize>,
    classes: Vec<u16>,
    weights: Vec<i16>,
}

impl Rows {
    fn push(&mut self, key: u64, entries: impl Iterator<Item = (u16, i16)>) {
        for (c, w) in entries {
            self.classes.push(c);
            self.weights.push(w);
        }
        self.keys.push(key);
        self.ends.push(self.classes.len());
    }

    fn row(&self, i: usize) -> (&[u16], &[i16]) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        (&self.classes[start..end], &self.weights[start..end])
    }
}

/// Rows of up to two entries are kept in the slot (when classes fit in 15
/// bits); this class marks an absent second entry and is never scored.
const NO_CLASS: u16 = 0x7fff;
const INLINE: u64 = 1 << 63;
/// Marks a slot whose row is stored densely (see [`Model`]); never set in
/// an `offset << 16 | len` word (offsets are far below 2^46) and read only
/// when [`INLINE`] is clear.
const DENSE_ROW: u64 = 1 << 62;

/// Whether a sparse model stores a row of `len` entries, `zero_free` when
/// none of its weights is 0 (a dense row could not say that such an entry
/// exists), densely.
fn dense_ok(len: usize, n_classes: usize, zero_free: bool) -> bool {
    zero_free && len > 2 && 3 * len >= n_classes
}

fn inline_ok(n_classes: usize) -> bool {
    n_classes < usize::from(NO_CLASS)
}

/// The two entries of an inline row.
#[inline]
fn inline_entries(d: u64) -> [u32; 2] {
    [(d >> 32) as u32 & 0x7fff_ffff, d as u32]
}

/// A key's first slot in a table of `cap` (a power of two) slots: its top
/// bits, so rows in key order fill the table front to back when it is
/// built (a load writes memory in order instead of at random).
#[inline]
fn home(key: u64, cap: usize) -> usize {
    (key >> (64 - cap.trailing_zeros())) as usize
}

fn pack_entry(class: u16, w: i16) -> u32 {
    u32::from(class) << 16 | u32::from(w as u16)
}

fn dense_row(classes: &[u16], weights: &[i16]) -> u64 {
    let mut d = 0u64;
    for (c, w) in classes.iter().zip(weights) {
        d |= u64::from(*w as u16) << (16 * u32::from(*c));
    }
    d
}

impl Model {
    fn build(n_classes: usize, rows: &[(u64, Vec<(u16, f32)>)], max_abs: f32) -> Model {
        let scale = if max_abs > 0.0 {
            max_abs / 32767.0
        } else {
            1.0
        };
        let mut flat = Rows::default();
        for (k, es) in rows {
            let q = |w: f32| (w / scale).round().clamp(-32767.0, 32767.0) as i16;
            flat.push(*k, es.iter().map(|(c, w)| (*c, q(*w))));
        }
        Model::from_rows(n_classes, scale, &flat)
    }

    /// The table of `rows` (sorted by key, keys distinct and non-zero).
    /// Filled in key order, so that along any key's probe path the keys
    /// before it are smaller (lookups stop at a larger one).
    fn from_rows(n_classes: usize, scale: f32, rows: &Rows) -> Model {
        debug_assert!(rows.keys.windows(2).all(|k| k[0] < k[1]));
        let cap = (rows.keys.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![[0u64; 2]; cap];
        let mut entries = Vec::new();
        let mut dense = Vec::new();
        for (i, key) in rows.keys.iter().enumerate() {
            let (cs, ws) = rows.row(i);
            let data = if n_classes <= DENSE {
                dense_row(cs, ws)
            } else if dense_ok(cs.len(), n_classes, !ws.contains(&0)) {
                let offset = dense.len() as u64;
                dense.resize(dense.len() + n_classes, 0);
                for (c, w) in cs.iter().zip(ws) {
                    dense[offset as usize + usize::from(*c)] = *w;
                }
                DENSE_ROW | offset
            } else if cs.len() <= 2 && inline_ok(n_classes) {
                let mut e = [pack_entry(NO_CLASS, 0); 2];
                for (slot, (c, w)) in e.iter_mut().zip(cs.iter().zip(ws)) {
                    *slot = pack_entry(*c, *w);
                }
                INLINE | u64::from(e[0]) << 32 | u64::from(e[1])
            } else {
                let offset = entries.len() as u64;
                entries.extend(cs.iter().zip(ws).map(|(c, w)| pack_entry(*c, *w)));
                (offset << 16) | cs.len() as u64
            };
            let mut slot = home(*key, cap);
            while slots[slot][0] != 0 {
                slot = (slot + 1) & (cap - 1);
            }
            slots[slot] = [*key, data];
        }
        Model {
            n_classes,
            slots,
            entries,
            dense,
            scale,
        }
    }

    /// The rows in key order, as stored.
    fn rows(&self) -> Rows {
        let mut used: Vec<[u64; 2]> = self.slots.iter().copied().filter(|s| s[0] != 0).collect();
        used.sort_unstable_by_key(|s| s[0]);
        let mut rows = Rows::default();
        for [key, data] in used {
            if self.n_classes <= DENSE {
                let es = (0..self.n_classes)
                    .map(|c| (c as u16, (data >> (16 * c)) as u16 as i16))
                    .filter(|(_, w)| *w != 0);
                rows.push(key, es);
            } else if data & INLINE != 0 {
                let es = inline_entries(data)
                    .into_iter()
                    .map(|e| ((e >> 16) as u16, e as u16 as i16))
                    .filter(|(c, _)| *c != NO_CLASS);
                rows.push(key, es);
            } else if data & DENSE_ROW != 0 {
                let off = (data & !DENSE_ROW) as usize;
                let es = self.dense[off..off + self.n_classes]
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w != 0)
                    .map(|(c, w)| (c as u16, *w));
                rows.push(key, es);
            } else {
                let (off, len) = ((data >> 16) as usize, (data & 0xffff) as usize);
                let es = self.entries[off..off + len]
                    .iter()
                    .map(|e| ((e >> 16) as u16, *e as u16 as i16));
                rows.push(key, es);
            }
        }
        rows
    }

    /// The same model with at most `max_features` features: those whose
    /// weights are largest in sum of magnitudes (ties: lower key), each
    /// without weights smaller than `min_weight`. The scale is kept, so the
    /// weights that stay are the same numbers.
    pub fn prune(&self, max_features: usize, min_weight: f32) -> Model {
        let rows = self.rows();
        let min_q = (min_weight / self.scale).round().max(1.0) as i32;
        let strong = |ws: &[i16]| -> i64 {
            ws.iter()
                .map(|w| i64::from(*w).abs())
                .filter(|w| *w >= i64::from(min_q))
                .sum()
        };
        let mut ranked: Vec<(i64, u64, usize)> = (0..rows.keys.len())
            .map(|i| (strong(rows.row(i).1), rows.keys[i], i))
            .filter(|r| r.0 > 0)
            .collect();
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(max_features);
        ranked.sort_unstable_by_key(|r| r.1);
        let mut kept = Rows::default();
        for (_, key, i) in ranked {
            let (cs, ws) = rows.row(i);
            let es = cs
                .iter()
                .zip(ws)
                .filter(|(_, w)| i32::from(**w).abs() >= min_q)
                .map(|(c, w)| (*c, *w));
            kept.push(key, es);
        }
        Model::from_rows(self.n_classes, self.scale, &kept)
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features with weights.
    pub fn n_features(&self) -> usize {
        self.slots.iter().filter(|s| s[0] != 0).count()
    }

    /// Bytes this model takes in a file (the table in memory takes about
    /// twice as much: half its slots are empty).
    pub fn size_bytes(&self) -> usize {
        let n = self.n_features();
        if self.n_classes <= DENSE {
            return n * (8 + 2 * self.n_classes);
        }
        let inline: usize = self
            .slots
            .iter()
            .filter(|s| s[0] != 0 && s[1] & INLINE != 0)
            .flat_map(|s| inline_entries(s[1]))
            .filter(|e| (e >> 16) as u16 != NO_CLASS)
            .count();
        let dense = self.dense.iter().filter(|w| **w != 0).count();
        n * 10 + (self.entries.len() + inline + dense) * 4
    }

    /// The data of `key`'s slot, probing from `slot` on.
    #[inline]
    fn find_from(&self, key: u64, mut slot: usize) -> Option<u64> {
        let mask = self.slots.len() - 1;
        loop {
            let [k, data] = self.slots[slot & mask];
            if k == key {
                return Some(data);
            }
            // the table was filled in key order, so the keys on a key's
            // probe path before it are all smaller: a larger one (or an
            // empty slot) means it is absent
            if k == 0 || k > key {
                return None;
            }
            slot = (slot & mask) + 1;
        }
    }

    /// Adds the weights of `feats` to `scores` (length `n_classes`). The
    /// weights are summed as integers (exact, so the order of `feats` does
    /// not matter) and scaled once at the end.
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        let mut sums: SmallVec<[i32; 128]> = smallvec![0; self.n_classes];
        self.sum(feats, &mut sums);
        self.add_scaled(&sums, scores);
    }

    /// Adds the stored (integer) weights of `feats` to `sums` (length
    /// `n_classes`); [`Model::add_scaled`] turns the sums into scores.
    #[inline]
    pub fn sum(&self, feats: &[u64], sums: &mut [i32]) {
        let mut rows = [0u64; BATCH];
        for chunk in feats.chunks(BATCH) {
            let rows = &mut rows[..chunk.len()];
            self.lookup_batch(chunk, rows);
            self.add_rows(rows, sums);
        }
    }

    /// Adds `sums` (stored weights, from [`Model::sum`] and
    /// [`Model::add_rows`]) to `scores` as real weights.
    #[inline]
    pub fn add_scaled(&self, sums: &[i32], scores: &mut [f32]) {
        for (s, x) in scores.iter_mut().zip(sums) {
            *s += *x as f32 * self.scale;
        }
    }

    /// Appends to `rows` the row of each feature (its slot's data word, 0
    /// for a feature the model lacks, which adds nothing), for
    /// [`Model::add_rows`]. Looking up many features at once, ahead of
    /// scoring (all the label-independent features of a sentence, say),
    /// lets their memory misses overlap.
    pub fn lookup(&self, feats: &[u64], rows: &mut Vec<u64>) {
        for chunk in feats.chunks(BATCH) {
            let start = rows.len();
            rows.resize(start + chunk.len(), 0);
            self.lookup_batch(chunk, &mut rows[start..]);
        }
    }

    /// The rows of `feats` (at most [`BATCH`]) into `rows`.
    ///
    /// Memory latency is the cost of scoring: the tables are megabytes and
    /// a probe is a cache (and TLB) miss, and a sparse row of more than two
    /// entries is a second, dependent one. So every feature's home slot and
    /// the one after it are first read into buffers with no branch on what
    /// is read, so the misses overlap instead of waiting one after another
    /// behind mispredicted "found?" branches; then the keys are compared (a
    /// larger key or an empty slot ends the search, see
    /// [`Model::from_rows`]; rarely, a key probes on past the second slot);
    /// then one entry per cache line of every long row is read, again all
    /// at once, so the additions find them in cache.
    #[inline]
    fn lookup_batch(&self, feats: &[u64], rows: &mut [u64]) {
        let cap = self.slots.len();
        let mask = cap - 1;
        let shift = 64 - cap.trailing_zeros();
        let mut first = [[0u64; 2]; BATCH];
        let mut second = [[0u64; 2]; BATCH];
        for ((f, a), b) in feats.iter().zip(first.iter_mut()).zip(second.iter_mut()) {
            let h = (f >> shift) as usize & mask;
            *a = self.slots[h];
            *b = self.slots[(h + 1) & mask];
        }
        for (((&f, &[k0, d0]), &[k1, d1]), d) in
            feats.iter().zip(&first).zip(&second).zip(rows.iter_mut())
        {
            *d = if k0 == f {
                d0
            } else if k0 == 0 || k0 > f {
                0
            } else if k1 == f {
                d1
            } else if k1 == 0 || k1 > f {
                0
            } else {
                self.find_from(f, ((f >> shift) as usize & mask) + 2)
                    .unwrap_or(0)
            };
        }
        if self.n_classes > DENSE {
            let mut touch = 0u32;
            for d in rows.iter() {
                if d & INLINE != 0 || *d == 0 {
                    continue;
                }
                if d & DENSE_ROW != 0 {
                    let off = (d & !DENSE_ROW) as usize;
                    let row = self.dense.get(off..off + self.n_classes).unwrap_or(&[]);
                    // one weight per cache line (32 of them), and the last
                    for w in row.iter().step_by(32).chain(row.last()) {
                        touch ^= *w as u32;
                    }
                } else {
                    let (off, len) = ((d >> 16) as usize, (d & 0xffff) as usize);
                    let row = self.entries.get(off..off + len).unwrap_or(&[]);
                    // one entry per cache line (16 of them), and the last
                    for e in row.iter().step_by(16).chain(row.last()) {
                        touch ^= e;
                    }
                }
            }
            std::hint::black_box(touch);
        }
    }

    /// Adds the stored weights of `rows` (from [`Model::lookup`]) to `sums`.
    #[inline]
    pub fn add_rows(&self, rows: &[u64], sums: &mut [i32]) {
        if self.n_classes <= DENSE {
            let mut acc = [0i32; DENSE];
            for d in rows {
                for (c, a) in acc.iter_mut().enumerate() {
                    *a += i32::from((d >> (16 * c)) as u16 as i16);
                }
            }
            for (s, a) in sums.iter_mut().zip(acc) {
                *s += a;
            }
            return;
        }
        let n = self.n_classes;
        for d in rows {
            let (inline, long);
            let es: &[u32] = if d & INLINE != 0 {
                inline = inline_entries(*d);
                &inline
            } else if d & DENSE_ROW != 0 {
                let off = (d & !DENSE_ROW) as usize;
                let ws = self.dense.get(off..off + n).unwrap_or(&[]);
                for (s, w) in sums.iter_mut().zip(ws) {
                    *s += i32::from(*w);
                }
                continue;
            } else {
                let (off, len) = ((d >> 16) as usize, (d & 0xffff) as usize);
                long = self.entries.get(off..off + len).unwrap_or(&[]);
                long
            };
            for e in es {
                if let Some(s) = sums.get_mut((e >> 16) as usize) {
                    *s += i32::from(*e as u16 as i16);
                }
            }
        }
    }

    /// The best class for `feats` among those `allowed` says yes to.
    pub fn best(
        &self,
        feats: &[u64],
        scores: &mut [f32],
        allowed: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        scores.iter_mut().for_each(|s| *s = 0.0);
        self.score(feats, scores);
        argmax(scores, allowed)
    }

    /// The compact encoding: the rows in key order; dense rows as `n`
    /// weights each, sparse rows as a length plus (class, weight) pairs.
    pub fn encode(&self, w: &mut Writer) {
        let rows = self.rows();
        w.u32(COMPACT_MARKER);
        w.u32(COMPACT_FORMAT);
        w.u32(self.n_classes as u32);
        w.f32(self.scale);
        w.u64s(&rows.keys);
        if self.n_classes <= DENSE {
            let mut weights = Vec::with_capacity(rows.keys.len() * self.n_classes);
            for i in 0..rows.keys.len() {
                let (cs, ws) = rows.row(i);
                let mut dense = [0u16; DENSE];
                for (c, x) in cs.iter().zip(ws) {
                    dense[usize::from(*c)] = *x as u16;
                }
                weights.extend_from_slice(&dense[..self.n_classes]);
            }
            w.u16s(&weights);
        } else {
            let lens: Vec<u16> = (0..rows.keys.len())
                .map(|i| rows.row(i).0.len() as u16)
                .collect();
            w.u16s(&lens);
            w.u16s(&rows.classes);
            w.u16s(&rows.weights.iter().map(|x| *x as u16).collect::<Vec<_>>());
        }
    }

    /// Reads the compact encoding, or the older one (the whole probe table
    /// with its empty slots).
    pub fn decode(r: &mut Reader) -> Result<Model, ModelError> {
        let bad = |what: &str| Err(ModelError::Corrupt(format!("perceptron table: {what}")));
        let first = r.u32()?;
        if first != COMPACT_MARKER {
            return Model::decode_table(first as usize, r);
        }
        if r.u32()? != COMPACT_FORMAT {
            return bad("unknown format");
        }
        let n_classes = r.u32()? as usize;
        let scale = r.f32()?;
        let keys = r.u64s()?;
        if n_classes == 0 || n_classes > usize::from(u16::MAX) || !scale.is_finite() {
            return bad("bad class count or scale");
        }
        if keys.first() == Some(&0) || keys.windows(2).any(|k| k[0] >= k[1]) {
            return bad("keys are not sorted and non-zero");
        }
        let mut rows = Rows::default();
        if n_classes <= DENSE {
            let weights = r.u16s()?;
            if weights.len() != keys.len() * n_classes {
                return bad("dense rows have a bad size");
            }
            for (k, ws) in keys.iter().zip(weights.chunks(n_classes)) {
                let es = ws
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x != 0)
                    .map(|(c, x)| (c as u16, *x as i16));
                rows.push(*k, es);
            }
        } else {
            let lens = r.u16s()?;
            let classes = r.u16s()?;
            let weights = r.u16s()?;
            let total: usize = lens.iter().map(|l| usize::from(*l)).sum();
            if lens.len() != keys.len() || classes.len() != total || weights.len() != total {
                return bad("entry arrays disagree");
            }
            if classes.iter().any(|c| usize::from(*c) >= n_classes) {
                return bad("a class id is out of range");
            }
            let mut end = 0;
            rows.ends = lens
                .iter()
                .map(|l| {
                    end += usize::from(*l);
                    end
                })
                .collect();
            rows.keys = keys;
            rows.classes = classes;
            rows.weights = weights.into_iter().map(|x| x as i16).collect();
        }
        Ok(Model::from_rows(n_classes, scale, &rows))
    }

    /// The older encoding: slot arrays as probed, entries in key order.
    fn decode_table(n_classes: usize, r: &mut Reader) -> Result<Model, ModelError> {
        let scale = r.f32()?;
        let keys = r.u64s()?;
        let spans = r.u64s()?;
        let classes = r.u16s()?;
        let weights = r.u16s()?;
        let bad = |what: &str| Err(ModelError::Corrupt(format!("perceptron table: {what}")));
        if !keys.len().is_power_of_two() || keys.len() != spans.len() {
            return bad("slot arrays have bad sizes");
        }
        if classes.len() != weights.len() || !scale.is_finite() {
            return bad("entry arrays disagree");
        }
        if !keys.contains(&0) {
            return bad("table has no empty slot");
        }
        if n_classes == 0 || n_classes > usize::from(u16::MAX) {
            return bad("bad class count");
        }
        if classes.iter().any(|c| usize::from(*c) >= n_classes) {
            return bad("a class id is out of range");
        }
        let mut order: Vec<(u64, usize)> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != 0)
            .map(|(i, k)| (*k, i))
            .collect();
        order.sort_unstable();
        if order.windows(2).any(|w| w[0].0 == w[1].0) {
            return bad("a key appears twice");
        }
        let mut rows = Rows::default();
        for (k, i) in order {
            let s = spans[i];
            let (off, len) = ((s >> 16) as usize, (s & 0xffff) as usize);
            let Some(end) = off.checked_add(len).filter(|e| *e <= classes.len()) else {
                return bad("an entry range runs past the end");
            };
            let es = classes[off..end]
                .iter()
                .zip(&weights[off..end])
                .map(|(c, x)| (*c, *x as i16));
            rows.push(k, es);
        }
        Ok(Model::from_rows(n_classes, scale, &rows))
    }
}

/// The index of the highest score among allowed classes (ties: lowest index).
pub fn argmax(scores: &[f32], allowed: impl Fn(usize) -> bool) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, s) in scores.iter().enumerate() {
        if allowed(i) && best.is_none_or(|(_, b)| *s > b) {
            best = Some((i, *s));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trainer after `epochs` perceptron passes over `data`.
    fn trained(n: usize, data: &[(Vec<u64>, usize)], epochs: usize) -> Trainer {
        let mut t = Trainer::new(n);
        let mut scores = vec![0f32; n];
        for _ in 0..epochs {
            for (f, y) in data {
                scores.iter_mut().for_each(|s| *s = 0.0);
                t.score(f, &mut scores);
                let guess = argmax(&scores, |_| true).unwrap();
                t.update(f, *y, guess);
                t.tick();
            }
        }
        t
    }

    #[test]
    fn learns_a_separable_problem_and_survives_encoding() {
        // class = which of three marker features is present
        let data: Vec<(Vec<u64>, usize)> = (0..60)
            .map(|i| {
                (
                    vec![feat(1, &[i % 3]), feat(2, &[i % 7])],
                    (i % 3) as usize + 1,
                )
            })
            .collect();
        // class 0 is never right, so ties (which go to 0) are always updated
        let t = trained(4, &data, 30);
        let mut scores = [0f32; 4];
        for (f, y) in &data {
            scores.iter_mut().for_each(|s| *s = 0.0);
            t.score(f, &mut scores);
            assert_eq!(argmax(&scores, |_| true), Some(*y), "trainer {scores:?}");
        }
        let m = t.finish(1, 0.0);
        for (f, y) in &data {
            let b = m.best(f, &mut scores, |_| true);
            assert_eq!(b, Some(*y));
        }
        let mut w = Writer::default();
        m.encode(&mut w);
        let mut r = Reader::new(&w.bytes);
        let back = Model::decode(&mut r).unwrap();
        r.finish().unwrap();
        assert_eq!(back, m);
    }

    /// The older encoding of a model, as files written before the compact
    /// one hold it.
    fn encode_table(m: &Model, w: &mut Writer) {
        let rows = m.rows();
        let cap = m.slots.len();
        let mut keys = vec![0u64; cap];
        let mut spans = vec![0u64; cap];
        for (i, key) in rows.keys.iter().enumerate() {
            let start = if i == 0 { 0 } else { rows.ends[i - 1] };
            let len = rows.ends[i] - start;
            let mut slot = (*key as usize) & (cap - 1);
            while keys[slot] != 0 {
                slot = (slot + 1) & (cap - 1);
            }
            keys[slot] = *key;
            spans[slot] = (start as u64) << 16 | len as u64;
        }
        w.u32(m.n_classes as u32);
        w.f32(m.scale);
        w.u64s(&keys);
        w.u64s(&spans);
        w.u16s(&rows.classes);
        w.u16s(&rows.weights.iter().map(|x| *x as u16).collect::<Vec<_>>());
    }

    #[test]
    fn sparse_and_dense_tables_read_both_encodings() {
        for n in [2usize, 4, 5, 13, 40] {
            let data: Vec<(Vec<u64>, usize)> = (0..200u64)
                .map(|i| {
                    (
                        vec![feat(1, &[i % 17]), feat(2, &[i % 5, i % 3])],
                        (i as usize * 7) % n,
                    )
                })
                .collect();
            let t = trained(n, &data, 5);
            let m = t.finish(1, 0.0);
            assert!(m.n_features() > 0);
            let mut compact = Writer::default();
            m.encode(&mut compact);
            let mut old = Writer::default();
            encode_table(&m, &mut old);
            // the size is the encoding's, less its fixed header and lengths
            let header = if n <= DENSE {
                4 * 4 + 2 * 8
            } else {
                4 * 4 + 4 * 8
            };
            assert_eq!(m.size_bytes() + header, compact.bytes.len(), "{n} classes");
            for bytes in [&compact.bytes, &old.bytes] {
                let mut r = Reader::new(bytes);
                let back = Model::decode(&mut r).unwrap();
                r.finish().unwrap();
                assert_eq!(back, m, "{n} classes");
            }
            // cut or damaged compact bytes are errors, never panics
            for cut in 0..compact.bytes.len() {
                let mut r = Reader::new(&compact.bytes[..cut]);
                assert!(Model::decode(&mut r).and_then(|_| r.finish()).is_err());
            }
        }
    }

    #[test]
    fn every_row_layout_adds_its_stored_weights() {
        // many classes and a skewed feature space give inline, long and
        // dense rows side by side
        for n in [5usize, 13, 51, 108] {
            let data: Vec<(Vec<u64>, usize)> = (0..600u64)
                .map(|i| {
                    let feats = vec![
                        feat(1, &[]),
                        feat(2, &[i % 3]),
                        feat(3, &[i % 97]),
                        feat(4, &[i]),
                    ];
                    (feats, ((i * 31) % n as u64) as usize)
                })
                .collect();
            let m = trained(n, &data, 4).finish(1, 0.0);
            let rows = m.rows();
            let lens: Vec<usize> = (0..rows.keys.len()).map(|i| rows.row(i).0.len()).collect();
            assert!(
                lens.iter().any(|l| dense_ok(*l, n, true)),
                "{n}: no dense row"
            );
            // with few classes every row of three or more entries is dense
            let long_possible = (3..n).any(|l| !dense_ok(l, n, true));
            assert!(
                !long_possible || lens.iter().any(|l| *l > 2 && !dense_ok(*l, n, true)),
                "{n}: no long row"
            );
            assert!(lens.iter().any(|l| *l <= 2), "{n}: no inline row");
            let reference = |feats: &[u64]| -> Vec<i32> {
                let mut sums = vec![0i32; n];
                for f in feats {
                    if let Ok(i) = rows.keys.binary_search(f) {
                        let (cs, ws) = rows.row(i);
                        for (c, w) in cs.iter().zip(ws) {
                            sums[usize::from(*c)] += i32::from(*w);
                        }
                    }
                }
                sums
            };
            for (feats, _) in data.iter().step_by(7) {
                let mut sums = vec![0i32; n];
                m.sum(feats, &mut sums);
                assert_eq!(sums, reference(feats), "{n} classes");
                let mut rows_of = Vec::new();
                m.lookup(feats, &mut rows_of);
                let mut again = vec![0i32; n];
                m.add_rows(&rows_of, &mut again);
                assert_eq!(again, sums, "{n} classes");
            }
        }
    }

    #[test]
    fn features_and_shuffles_are_deterministic() {
        assert_eq!(feat(3, &[hash_str("said")]), feat(3, &[hash_str("said")]));
        assert_ne!(feat(3, &[1]), feat(4, &[1]));
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        Rng::new(7).shuffle(&mut a);
        Rng::new(7).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..50).collect::<Vec<_>>());
    }
}
