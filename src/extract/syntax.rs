//! The syntax core's analysis of every sentence, laid over the extractor's
//! own tokens so that claims and events can ask grammatical questions (the
//! subject of `denied`, its clausal complement) by token index.
//!
//! Owns: running `crate::nlp` (tags, lemmas, parse, entity spans) on each
//! sentence's tokens and the tree queries (children, relations, subtree
//! spans). May not touch: recognition of entities, claims, events or the
//! graph. Without models (a broken build) the view is empty and every query
//! answers "no parse", so the surface rules still run.

use crate::nlp::pipeline::Pipeline;
use crate::nlp::tags::{DEPREL_NAMES, Deprel, EntityType, Upos};

use super::entities::{EType, ModelSpan};
use super::sentences::{Sentence, Token};

/// Longer "sentences" are not parsed (their cost and their parse are both
/// poor); the surface rules still read them.
pub const MAX_PARSED_TOKENS: usize = 300;

fn push_spans(
    spans: &mut Vec<ModelSpan>,
    ents: &[crate::nlp::entities::EntitySpan],
    toks: &[Token],
    t0: usize,
    n: usize,
) {
    for e in ents {
        if e.start < e.end && e.end <= n {
            spans.push(ModelSpan {
                start: toks[t0 + e.start].start,
                end: toks[t0 + e.end - 1].end,
                etype: match e.etype {
                    EntityType::Person => EType::Person,
                    EntityType::Organization => EType::Organization,
                    EntityType::Place => EType::Place,
                },
                confidence: e.confidence,
            });
        }
    }
}

/// A capitalised word inside a name is a proper noun, whatever the tagger
/// read it as ("Qaboos bin Said" is not the verb "said"), so the parser
/// sees the name whole: a capitalised "verb" right after a proper noun in
/// mid-sentence, and a capitalised word inside a multi-word name the entity
/// tagger found.
fn name_tags(
    tagged: &mut [(Upos, crate::nlp::tags::Xpos)],
    forms: &[&str],
    ents: &[crate::nlp::entities::EntitySpan],
) {
    let nnp = crate::nlp::tags::xpos_parse("NNP").unwrap_or(3);
    let capital = |k: usize| forms[k].chars().next().is_some_and(char::is_uppercase);
    for k in 1..forms.len() {
        if tagged[k].0 == Upos::Verb
            && tagged[k - 1].0 == Upos::Propn
            && capital(k)
            && forms[k - 1].chars().next().is_some_and(char::is_alphabetic)
        {
            tagged[k] = (Upos::Propn, nnp);
        }
    }
    for e in ents {
        if e.end <= e.start + 1 || e.end > forms.len() {
            continue;
        }
        for (k, t) in tagged.iter_mut().enumerate().take(e.end).skip(e.start) {
            if capital(k) && matches!(t.0, Upos::Verb | Upos::Noun | Upos::Adj | Upos::Adv) {
                *t = (Upos::Propn, nnp);
            }
        }
    }
}

/// True when a token may be a reporting verb or an event word, by its
/// form or its lemma: the sentences where extraction reads the parse.
fn wanted(form: &str, lemma: &str, upos: Upos) -> bool {
    let t = super::lexicon::tables();
    let lower = form.to_lowercase();
    t.cues.contains_key(&lower)
        || t.triggers.contains_key(&lower)
        || lower == "according"
        || match upos {
            Upos::Verb => {
                t.verb_cues.contains_key(lemma)
                    || t.event_lemmas.contains_key(&format!("{lemma}/v"))
            }
            Upos::Noun => t.event_lemmas.contains_key(&format!("{lemma}/n")),
            _ => false,
        }
}

/// No head (the root, or a token outside any parsed sentence).
pub const NONE: u32 = u32::MAX;

/// The parse of a whole article by global token index.
#[derive(Debug, Default)]
pub struct Syntax {
    head: Vec<u32>,
    rel: Vec<Deprel>,
    upos: Vec<Upos>,
    lemma: Vec<String>,
    /// Children of token `i`: `kids[kid_start[i]..kid_start[i + 1]]`, in order.
    kid_start: Vec<u32>,
    kids: Vec<u32>,
}

impl Syntax {
    /// Parses every sentence with the shipped models (none: an empty view)
    /// and returns the entity tagger's spans by byte offset too.
    pub fn build(
        pipe: Option<&Pipeline>,
        text: &str,
        toks: &[Token],
        sents: &[Sentence],
    ) -> (Syntax, Vec<ModelSpan>) {
        let n = toks.len();
        let mut syn = Syntax {
            head: vec![NONE; n],
            rel: vec![0; n],
            upos: vec![Upos::X; n],
            lemma: vec![String::new(); n],
            kid_start: Vec::new(),
            kids: Vec::new(),
        };
        let mut spans = Vec::new();
        if let Some(pipe) = pipe {
            for s in sents {
                let (t0, t1) = (s.tok_start, s.tok_end);
                if t1 <= t0 {
                    continue;
                }
                let forms: Vec<&str> = toks[t0..t1].iter().map(|t| &text[t.start..t.end]).collect();
                let mut tagged = pipe.tagger.tag(&forms);
                let upos: Vec<Upos> = tagged.iter().map(|t| t.0).collect();
                let xpos: Vec<_> = tagged.iter().map(|t| t.1).collect();
                let ents = pipe.entities.tag(&forms, &upos, &xpos);
                name_tags(&mut tagged, &forms, &ents);
                let upos: Vec<Upos> = tagged.iter().map(|t| t.0).collect();
                let xpos: Vec<_> = tagged.iter().map(|t| t.1).collect();
                push_spans(&mut spans, &ents, toks, t0, forms.len());
                syn.upos[t0..t1].copy_from_slice(&upos);
                // not a sentence a person wrote (a table, a run-on list), or
                // one without a reporting verb or event word: names only,
                // and no rule asks for its parse
                if t1 - t0 > MAX_PARSED_TOKENS {
                    continue;
                }
                let lemmas: Vec<String> = forms
                    .iter()
                    .zip(&tagged)
                    .map(|(f, (u, x))| pipe.tagger.lemma(f, *u, *x))
                    .collect();
                if !(0..forms.len()).any(|k| wanted(forms[k], &lemmas[k], upos[k])) {
                    continue;
                }
                let parsed = pipe.parser.parse(&forms, &upos, &xpos);
                for (k, lemma) in lemmas.into_iter().enumerate() {
                    let g = t0 + k;
                    syn.head[g] = match parsed[k].0 {
                        0 => NONE,
                        h => (t0 + h as usize - 1) as u32,
                    };
                    syn.rel[g] = parsed[k].1;
                    syn.upos[g] = upos[k];
                    syn.lemma[g] = lemma;
                }
            }
        }
        // children, in token order (counting sort by head)
        let mut count = vec![0u32; n + 1];
        for &h in &syn.head {
            if h != NONE {
                count[h as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut kids = vec![0u32; count[n] as usize];
        for (i, &h) in syn.head.iter().enumerate() {
            if h != NONE {
                kids[fill[h as usize] as usize] = i as u32;
                fill[h as usize] += 1;
            }
        }
        syn.kid_start = count;
        syn.kids = kids;
        (syn, spans)
    }

    /// True when token `i` was parsed.
    pub fn parsed(&self, i: usize) -> bool {
        i < self.head.len() && (self.head[i] != NONE || !self.lemma[i].is_empty())
    }
    pub fn head(&self, i: usize) -> Option<usize> {
        let h = *self.head.get(i)?;
        (h != NONE).then_some(h as usize)
    }
    /// The relation of `i` to its head (`nsubj`, `ccomp`, `root` …).
    pub fn rel(&self, i: usize) -> &'static str {
        if !self.parsed(i) {
            return "";
        }
        DEPREL_NAMES[self.rel[i] as usize]
    }
    pub fn upos(&self, i: usize) -> Upos {
        self.upos.get(i).copied().unwrap_or(Upos::X)
    }
    pub fn lemma(&self, i: usize) -> &str {
        self.lemma.get(i).map(String::as_str).unwrap_or("")
    }
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let (a, b) = match (self.kid_start.get(i), self.kid_start.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.kids[a..b].iter().map(|&k| k as usize)
    }
    /// The first child of `i` whose relation is `rel` or a subtype of it
    /// (`nsubj` finds `nsubj:pass` only when asked for exactly that).
    pub fn child(&self, i: usize, rel: &str) -> Option<usize> {
        self.children(i).find(|&k| self.rel(k) == rel)
    }
    pub fn has_child(&self, i: usize, rel: &str) -> bool {
        self.child(i, rel).is_some()
    }
    /// Token span `[lo, hi)` of the subtree of `i`, skipping the subtrees of
    /// children `skip` rejects.
    pub fn subtree(&self, i: usize, skip: &dyn Fn(usize) -> bool) -> (usize, usize) {
        let (mut lo, mut hi) = (i, i + 1);
        let mut stack = vec![i];
        let mut seen = 0usize;
        while let Some(k) = stack.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            lo = lo.min(k);
            hi = hi.max(k + 1);
            for c in self.children(k) {
                if !skip(c) {
                    stack.push(c);
                }
            }
        }
        (lo, hi)
    }
}
