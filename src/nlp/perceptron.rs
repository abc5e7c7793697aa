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

/// A trained, read-only averaged perceptron.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    n_classes: usize,
    /// Open-addressed table (linear probing) of feature keys; 0 = empty.
    keys: Vec<u64>,
    /// For each slot: offset into the entry arrays (high 48 bits) and count.
    spans: Vec<u64>,
    classes: Vec<u16>,
    weights: Vec<i16>,
    /// Real weight = stored weight × scale.
    scale: f32,
}

impl Model {
    fn build(n_classes: usize, rows: &[(u64, Vec<(u16, f32)>)], max_abs: f32) -> Model {
        let scale = if max_abs > 0.0 {
            max_abs / 32767.0
        } else {
            1.0
        };
        let cap = (rows.len() * 2).next_power_of_two().max(16);
        let mut keys = vec![0u64; cap];
        let mut spans = vec![0u64; cap];
        let mut classes = Vec::new();
        let mut weights = Vec::new();
        for (key, entries) in rows {
            let offset = classes.len() as u64;
            for (c, w) in entries {
                classes.push(*c);
                weights.push((w / scale).round().clamp(-32767.0, 32767.0) as i16);
            }
            let mut slot = (*key as usize) & (cap - 1);
            while keys[slot] != 0 {
                slot = (slot + 1) & (cap - 1);
            }
            keys[slot] = *key;
            spans[slot] = (offset << 16) | entries.len() as u64;
        }
        Model {
            n_classes,
            keys,
            spans,
            classes,
            weights,
            scale,
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features with weights.
    pub fn n_features(&self) -> usize {
        self.keys.iter().filter(|k| **k != 0).count()
    }

    /// Bytes this model takes in a file (about the same in memory).
    pub fn size_bytes(&self) -> usize {
        self.keys.len() * 16 + self.classes.len() * 4
    }

    #[inline]
    fn find(&self, key: u64) -> Option<(usize, usize)> {
        let mask = self.keys.len() - 1;
        let mut slot = (key as usize) & mask;
        loop {
            let k = self.keys[slot];
            if k == key {
                let s = self.spans[slot];
                return Some(((s >> 16) as usize, (s & 0xffff) as usize));
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds the weights of `feats` to `scores` (length `n_classes`).
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        for &f in feats {
            if let Some((off, len)) = self.find(f) {
                for i in off..off + len {
                    if let Some(s) = scores.get_mut(self.classes[i] as usize) {
                        *s += f32::from(self.weights[i]) * self.scale;
                    }
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

    pub fn encode(&self, w: &mut Writer) {
        w.u32(self.n_classes as u32);
        w.f32(self.scale);
        w.u64s(&self.keys);
        w.u64s(&self.spans);
        w.u16s(&self.classes);
        let weights: Vec<u16> = self.weights.iter().map(|x| *x as u16).collect();
        w.u16s(&weights);
    }

    pub fn decode(r: &mut Reader) -> Result<Model, ModelError> {
        let n_classes = r.u32()? as usize;
        let scale = r.f32()?;
        let keys = r.u64s()?;
        let spans = r.u64s()?;
        let classes = r.u16s()?;
        let weights: Vec<i16> = r.u16s()?.into_iter().map(|x| x as i16).collect();
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
        for (k, s) in keys.iter().zip(&spans) {
            let (off, len) = ((s >> 16) as usize, (s & 0xffff) as usize);
            if *k != 0 && off.checked_add(len).is_none_or(|end| end > classes.len()) {
                return bad("an entry range runs past the end");
            }
        }
        if classes.iter().any(|c| *c as usize >= n_classes) {
            return bad("a class id is out of range");
        }
        Ok(Model {
            n_classes,
            keys,
            spans,
            classes,
            weights,
            scale,
        })
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
        let mut t = Trainer::new(4);
        let mut scores = [0f32; 4];
        for _ in 0..30 {
            for (f, y) in &data {
                scores.iter_mut().for_each(|s| *s = 0.0);
                t.score(f, &mut scores);
                let guess = argmax(&scores, |_| true).unwrap();
                t.update(f, *y, guess);
                t.tick();
            }
        }
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
