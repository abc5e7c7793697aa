//! Scoring the syntax core the way the field does: UPOS, XPOS, UAS and LAS
//! over syntactic words with gold tokenisation, punctuation included, and
//! the universal part of relations only for LAS (as the CoNLL 2018 shared
//! task scorer); entities as exact typed spans (precision, recall, F1).

use crate::nlp::conllu::{EntitySentence, Sentence};
use crate::nlp::entities::EntityTagger;
use crate::nlp::parser::Parser;
use crate::nlp::tagger::Tagger;
use crate::nlp::tags;

/// Percentages over all words.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SyntaxScores {
    pub words: usize,
    pub upos: f64,
    pub xpos: f64,
    pub uas: f64,
    pub las: f64,
}

impl std::fmt::Display for SyntaxScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "UPOS {:.2} XPOS {:.2} UAS {:.2} LAS {:.2}",
            self.upos, self.xpos, self.uas, self.las
        )
    }
}

fn universal(d: tags::Deprel) -> &'static str {
    let n = tags::deprel_name(d);
    n.split(':').next().unwrap_or(n)
}

/// Tags with `tagger` (or keeps gold tags when it is `None`), parses with
/// `parser` (or scores only tags when it is `None`), and compares.
pub fn syntax(
    sents: &[Sentence],
    tagger: Option<&Tagger>,
    parser: Option<&Parser>,
) -> SyntaxScores {
    let (mut n, mut upos, mut xpos, mut uas, mut las) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for s in sents {
        let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
        let tagged: Vec<(tags::Upos, tags::Xpos)> = match tagger {
            Some(t) => t.tag(&forms),
            None => s.words.iter().map(|w| (w.upos, w.xpos)).collect(),
        };
        let u: Vec<_> = tagged.iter().map(|t| t.0).collect();
        let x: Vec<_> = tagged.iter().map(|t| t.1).collect();
        let parsed = parser.map(|p| p.parse(&forms, &u, &x));
        for (i, w) in s.words.iter().enumerate() {
            n += 1;
            upos += usize::from(tagged[i].0 == w.upos);
            xpos += usize::from(tagged[i].1 == w.xpos);
            if let Some(p) = parsed.as_ref().filter(|p| p[i].0 == w.head) {
                uas += 1;
                las += usize::from(universal(p[i].1) == universal(w.deprel));
            }
        }
    }
    let pct = |k: usize| {
        if n == 0 {
            0.0
        } else {
            100.0 * k as f64 / n as f64
        }
    };
    SyntaxScores {
        words: n,
        upos: pct(upos),
        xpos: pct(xpos),
        uas: pct(uas),
        las: pct(las),
    }
}

/// Exact typed-span scores.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EntityScores {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl EntityScores {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            0.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            0.0
        } else {
            self.correct as f64 / self.gold as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl std::fmt::Display for EntityScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ENTITIES P {:.3} R {:.3} F1 {:.3}",
            self.precision(),
            self.recall(),
            self.f1()
        )
    }
}

/// Tags each sentence's words and compares the typed spans.
pub fn entities(sents: &[EntitySentence], tagger: &Tagger, ner: &EntityTagger) -> EntityScores {
    let mut sc = EntityScores::default();
    for s in sents {
        let forms: Vec<&str> = s.forms.iter().map(String::as_str).collect();
        let tagged = tagger.tag(&forms);
        let u: Vec<_> = tagged.iter().map(|t| t.0).collect();
        let x: Vec<_> = tagged.iter().map(|t| t.1).collect();
        let found = ner.tag(&forms, &u, &x);
        sc.gold += s.spans.len();
        sc.predicted += found.len();
        sc.correct += found
            .iter()
            .filter(|e| s.spans.contains(&(e.start, e.end, e.etype)))
            .count();
    }
    sc
}
