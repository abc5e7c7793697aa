//! A synthetic news-like graph as CSV, for benchmarks and bulk-import tests.
//!
//! Writes `nodes.csv` (`id,label,name,year`) and `edges.csv`
//! (`source,target,type,weight`) into a folder. Actors (people,
//! organisations, countries), places, events, claims and articles are joined
//! by news relationship types; both ends of every relationship are drawn
//! with a power-law skew, so a few hubs collect many relationships while
//! most nodes have few. Names are unique (`Person 17`), so a start node can
//! be found by name. The same seed always writes the same files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Node labels with their share of the nodes (countries are capped).
const LABELS: [(&str, f64); 7] = [
    ("Person", 0.22),
    ("Organization", 0.08),
    ("Country", 0.0),
    ("Place", 0.07),
    ("Event", 0.15),
    ("Claim", 0.23),
    ("Article", 0.25),
];
const PERSON: usize = 0;
const ORG: usize = 1;
const COUNTRY: usize = 2;
const PLACE: usize = 3;
const EVENT: usize = 4;
const CLAIM: usize = 5;
const ARTICLE: usize = 6;

/// A relationship type: share of the edges, weighted source and target labels.
struct RelKind {
    name: &'static str,
    share: f64,
    from: &'static [(usize, f64)],
    to: &'static [(usize, f64)],
    weighted: bool,
}

const RELS: [RelKind; 8] = [
    RelKind {
        name: "MENTIONED_IN",
        share: 0.35,
        from: &[
            (PERSON, 0.3),
            (ORG, 0.15),
            (COUNTRY, 0.1),
            (PLACE, 0.1),
            (EVENT, 0.15),
            (CLAIM, 0.2),
        ],
        to: &[(ARTICLE, 1.0)],
        weighted: false,
    },
    RelKind {
        name: "SAID",
        share: 0.15,
        from: &[(PERSON, 0.7), (ORG, 0.3)],
        to: &[(CLAIM, 1.0)],
        weighted: false,
    },
    RelKind {
        name: "DENIED",
        share: 0.04,
        from: &[(PERSON, 0.7), (ORG, 0.3)],
        to: &[(CLAIM, 1.0)],
        weighted: false,
    },
    RelKind {
        name: "ABOUT",
        share: 0.16,
        from: &[(CLAIM, 1.0)],
        to: &[
            (EVENT, 0.4),
            (PERSON, 0.25),
            (ORG, 0.15),
            (COUNTRY, 0.1),
            (PLACE, 0.1),
        ],
        weighted: false,
    },
    RelKind {
        name: "PERFORMED",
        share: 0.12,
        from: &[(PERSON, 0.6), (ORG, 0.3), (COUNTRY, 0.1)],
        to: &[(EVENT, 1.0)],
        weighted: false,
    },
    RelKind {
        name: "OCCURRED_IN",
        share: 0.08,
        from: &[(EVENT, 1.0)],
        to: &[(PLACE, 0.7), (COUNTRY, 0.3)],
        weighted: false,
    },
    RelKind {
        name: "PART_OF",
        share: 0.05,
        from: &[(PLACE, 0.6), (ORG, 0.4)],
        to: &[(COUNTRY, 1.0)],
        weighted: false,
    },
    RelKind {
        name: "ACCUSED",
        share: 0.05,
        from: &[(PERSON, 0.6), (ORG, 0.3), (COUNTRY, 0.1)],
        to: &[(PERSON, 0.5), (ORG, 0.3), (COUNTRY, 0.2)],
        weighted: true,
    },
];

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub nodes: u64,
    pub edges: u64,
}

/// A small, fast, seedable generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Index into `0..n` with a power-law skew to low indexes.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = self.unit();
        ((u * u * n as f64) as u64).min(n.saturating_sub(1))
    }
    fn pick(&mut self, weights: &[(usize, f64)]) -> usize {
        let total: f64 = weights.iter().map(|w| w.1).sum();
        let mut x = self.unit() * total;
        for (l, w) in weights {
            if x < *w {
                return *l;
            }
            x -= w;
        }
        weights[weights.len() - 1].0
    }
}

/// Writes `nodes.csv` and `edges.csv` with `nodes` nodes and `edges`
/// relationships into `dir` (created if needed).
pub fn generate(nodes: u64, edges: u64, seed: u64, dir: &Path) -> std::io::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let nodes = nodes.max(LABELS.len() as u64);
    // how many nodes of each label, and the first id of each label
    let countries = (nodes / 5000).clamp(1, 195);
    let rest = (nodes - countries) as f64;
    let mut counts = [0u64; 7];
    for (i, (_, share)) in LABELS.iter().enumerate() {
        counts[i] = if i == COUNTRY {
            countries
        } else {
            ((rest * share) as u64).max(1)
        };
    }
    let assigned: u64 = counts.iter().sum();
    counts[ARTICLE] = (counts[ARTICLE] + nodes).saturating_sub(assigned).max(1);
    let mut first = [0u64; 7];
    let mut next_id = 0;
    for i in 0..7 {
        first[i] = next_id;
        next_id += counts[i];
    }
    let mut rng = Rng(seed ^ 0x005E_ED0F_BEEF);

    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("nodes.csv"))?);
    writeln!(w, "id,label,name,year")?;
    for (l, (label, _)) in LABELS.iter().enumerate() {
        for k in 0..counts[l] {
            let id = first[l] + k;
            match l {
                PERSON => {
                    let year = 1930 + (rng.unit() * 75.0) as u64;
                    writeln!(w, "{id},{label},{label} {k},{year}")?
                }
                COUNTRY | PLACE => writeln!(w, "{id},{label},{label} {k},")?,
                _ => {
                    let u = rng.unit();
                    let year = 2025 - (u * u * 36.0) as u64;
                    writeln!(w, "{id},{label},{label} {k},{year}")?
                }
            }
        }
    }
    w.flush()?;

    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("edges.csv"))?);
    writeln!(w, "source,target,type,weight")?;
    let total_share: f64 = RELS.iter().map(|r| r.share).sum();
    let mut written = 0u64;
    for (ri, rel) in RELS.iter().enumerate() {
        let n = if ri == RELS.len() - 1 {
            edges - written
        } else {
            (edges as f64 * rel.share / total_share) as u64
        };
        for _ in 0..n {
            let (a, b) = loop {
                let fl = rng.pick(rel.from);
                let tl = rng.pick(rel.to);
                let a = first[fl] + rng.skewed(counts[fl]);
                let b = first[tl] + rng.skewed(counts[tl]);
                if a != b {
                    break (a, b);
                }
            };
            if rel.weighted {
                let wt = (rng.unit() * 100.0).round() / 100.0;
                writeln!(w, "{a},{b},{},{wt}", rel.name)?;
            } else {
                writeln!(w, "{a},{b},{},", rel.name)?;
            }
        }
        written += n;
    }
    w.flush()?;
    Ok(Generated {
        nodes,
        edges: written,
    })
}
