//! When two reports are the same thing: the one rule by which claims and
//! events from different articles (or twice in one) become one node with
//! several sources.
//!
//! A report is a claim or an event reduced to what identifies it: its kind
//! (the stance of a claim, the type and status of an event), its arguments as graph
//! nodes after entity merging (a claim's speaker; an event's agent, patient
//! and place), the day it is dated to, and the content words of its text.
//! Two reports are the same when kind and arguments are equal, their days
//! lie within [`WINDOW_DAYS`] of each other (or both are undated), and
//! their content words overlap by at least 80 % (Jaccard); a report that
//! carries no words (an event with arguments is identified by them) matches
//! on kind, arguments and day alone.
//!
//! [`Reports`] indexes the reports already in the graph by kind, arguments
//! and day, so finding the same one looks at a few buckets, never at every
//! claim of a speaker: the cost per report does not grow with the graph.
//! May not touch: the graph (callers pass node ids and read nothing back).

use std::hash::BuildHasher;

use crate::fasthash::{FnvBuild, HashMap};
use crate::store::NodeId;

/// How many days apart two reports of the same thing may be dated.
pub const WINDOW_DAYS: i32 = 3;
/// At most this many indexed reports are compared per bucket (a speaker
/// with thousands of distinct claims of one stance on one day is compared
/// with the first ones only: keeps adversarial input linear).
pub const SCAN: usize = 200;

/// Claim or event: reports of one never match reports of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum What {
    Claim,
    Event,
}

/// What must be equal for two reports to be the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub what: What,
    /// A hash of the stance's relationship type or of the event type.
    pub kind: u64,
    /// Argument nodes in a fixed order; `None` where there is none.
    pub args: [Option<NodeId>; 3],
}

/// A report as compared: key, day and content words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub key: Key,
    /// Days since 1970-01-01, if dated.
    pub day: Option<i32>,
    /// Hashes of the content words, sorted, without repeats.
    pub words: Box<[u64]>,
}

/// The hash of a kind's name, for [`Key::kind`].
pub fn kind(name: &str) -> u64 {
    FnvBuild::default().hash_one(name)
}

/// The hashes of content words, sorted and without repeats.
pub fn word_hashes<'a>(words: impl IntoIterator<Item = &'a String>) -> Box<[u64]> {
    let b = FnvBuild::default();
    let mut v: Vec<u64> = words.into_iter().map(|w| b.hash_one(w)).collect();
    v.sort_unstable();
    v.dedup();
    v.into_boxed_slice()
}

/// Whether two sorted word-hash sets overlap by at least 80 % (Jaccard);
/// two empty sets are alike.
pub fn similar_words(a: &[u64], b: &[u64]) -> bool {
    if a.is_empty() && b.is_empty() {
        return true;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = (a.len() + b.len() - inter).max(1);
    inter * 10 >= union * 8
}

/// Whether two days are within the window (two undated reports are; a dated
/// and an undated one are not).
pub fn within_window(a: Option<i32>, b: Option<i32>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= WINDOW_DAYS,
        (None, None) => true,
        _ => false,
    }
}

/// The rule: same key, days within the window, similar words.
pub fn same(a: &Report, b: &Report) -> bool {
    a.key == b.key && within_window(a.day, b.day) && similar_words(&a.words, &b.words)
}

/// The reports of one key and day: node and content words.
type Bucket = Vec<(NodeId, Box<[u64]>)>;

/// Reports already in the graph, by key and day.
#[derive(Clone, Debug, Default)]
pub struct Reports {
    buckets: HashMap<(Key, Option<i32>), Bucket>,
    len: usize,
}

impl Reports {
    /// The earliest indexed node that is the same as `r` (lowest id), among
    /// the first [`SCAN`] of each bucket within the window.
    pub fn find(&self, r: &Report) -> Option<NodeId> {
        let days: Vec<Option<i32>> = match r.day {
            Some(d) => (d - WINDOW_DAYS..=d + WINDOW_DAYS).map(Some).collect(),
            None => vec![None],
        };
        days.into_iter()
            .filter_map(|d| self.buckets.get(&(r.key, d)))
            .flat_map(|v| v.iter().take(SCAN))
            .filter(|(_, w)| similar_words(&r.words, w))
            .map(|(n, _)| *n)
            .min()
    }

    /// Indexes `node` as the report `r`.
    pub fn insert(&mut self, node: NodeId, r: Report) {
        self.buckets
            .entry((r.key, r.day))
            .or_default()
            .push((node, r.words));
        self.len += 1;
    }

    /// How many reports are indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: u64, speaker: u32, day: Option<i32>, words: &[&str]) -> Report {
        let w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        Report {
            key: Key {
                what: What::Claim,
                kind,
                args: [Some(NodeId(speaker)), None, None],
            },
            day,
            words: word_hashes(&w),
        }
    }

    #[test]
    fn the_rule_needs_key_window_and_words() {
        let a = report(1, 7, Some(100), &["offensive", "fail", "complete"]);
        assert!(same(
            &a,
            &report(1, 7, Some(103), &["complete", "fail", "offensive"])
        ));
        assert!(!same(
            &a,
            &report(1, 7, Some(104), &["offensive", "fail", "complete"])
        ));
        assert!(!same(
            &a,
            &report(2, 7, Some(100), &["offensive", "fail", "complete"])
        ));
        assert!(!same(
            &a,
            &report(1, 8, Some(100), &["offensive", "fail", "complete"])
        ));
        assert!(!same(
            &a,
            &report(1, 7, None, &["offensive", "fail", "complete"])
        ));
        // 3 of 4 words shared: 75 % < 80 %
        assert!(!same(
            &a,
            &report(1, 7, Some(100), &["offensive", "fail", "complete", "kursk"])
        ));
        assert!(same(&report(1, 7, None, &[]), &report(1, 7, None, &[])));
        let mut b = report(1, 7, Some(100), &[]);
        b.key.what = What::Event;
        assert!(!same(&report(1, 7, Some(100), &[]), &b));
    }

    #[test]
    fn the_index_finds_the_earliest_same_report_within_the_window() {
        let mut idx = Reports::default();
        idx.insert(NodeId(5), report(1, 7, Some(100), &["a", "b"]));
        idx.insert(NodeId(3), report(1, 7, Some(98), &["a", "b"]));
        idx.insert(NodeId(2), report(1, 7, Some(90), &["a", "b"]));
        assert_eq!(
            idx.find(&report(1, 7, Some(101), &["b", "a"])),
            Some(NodeId(3))
        );
        // 98 is five days away, 100 three
        assert_eq!(
            idx.find(&report(1, 7, Some(103), &["a", "b"])),
            Some(NodeId(5))
        );
        assert_eq!(idx.find(&report(1, 7, Some(104), &["a", "b"])), None);
        assert_eq!(idx.find(&report(1, 7, Some(95), &["a", "c"])), None);
        assert_eq!(idx.find(&report(1, 7, None, &["a", "b"])), None);
        assert_eq!(idx.len(), 3);
    }
}
