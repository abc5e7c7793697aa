//! The whole analysis of one sentence: tokens → tags → lemmas → parse →
//! entities, with the three models loaded once. Also CoNLL-U output of an
//! analysis, for `newsgraph parse` and the REPL's `:parse`.

use std::fmt::Write as _;
use std::path::Path;

use crate::nlp::entities::{EntitySpan, EntityTagger};
use crate::nlp::model::ModelError;
use crate::nlp::parser::Parser;
use crate::nlp::tagger::Tagger;
use crate::nlp::tags::{self, Deprel, Upos, Xpos};
use crate::nlp::tokenize::{self, Span};

/// One analysed sentence. Offsets are bytes into the text given to
/// [`Pipeline::analyse`]; heads are 1-based (0 = root).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub tokens: Vec<Span>,
    pub lemmas: Vec<String>,
    pub upos: Vec<Upos>,
    pub xpos: Vec<Xpos>,
    pub heads: Vec<u32>,
    pub deprels: Vec<Deprel>,
    pub entities: Vec<EntitySpan>,
}

impl Analysis {
    pub fn len(&self) -> usize {
        self.tokens.len()
    }
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
    /// The text of token `i` (empty when `i` or its span is out of range).
    pub fn form<'a>(&self, text: &'a str, i: usize) -> &'a str {
        self.tokens
            .get(i)
            .and_then(|s| text.get(s.start..s.end))
            .unwrap_or("")
    }

    /// Token `i`'s place in an entity mention, BILOU (`B`egin, `I`nside,
    /// `L`ast, `U`nit), with the mention's type; `None` outside mentions.
    pub fn entity_tag(&self, i: usize) -> Option<(Bilou, tags::EntityType)> {
        let e = self.entities.iter().find(|e| e.start <= i && i < e.end)?;
        let b = if e.end - e.start == 1 {
            Bilou::Unit
        } else if i == e.start {
            Bilou::Begin
        } else if i + 1 == e.end {
            Bilou::Last
        } else {
            Bilou::Inside
        };
        Some((b, e.etype))
    }

    /// The entity mentions by byte offsets into the analysed text.
    pub fn mentions(&self) -> Vec<EntityMention> {
        self.entities
            .iter()
            .filter(|e| e.start < e.end && e.end <= self.tokens.len())
            .map(|e| EntityMention {
                start: self.tokens[e.start].start,
                end: self.tokens[e.end - 1].end,
                etype: e.etype,
                confidence: e.confidence,
            })
            .collect()
    }

    /// The 0-based index of token `i`'s head, `None` for the root.
    pub fn head_index(&self, i: usize) -> Option<usize> {
        match self.heads.get(i) {
            Some(&h) if h > 0 && (h as usize) <= self.len() => Some(h as usize - 1),
            _ => None,
        }
    }
}

/// A token's place in an entity mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bilou {
    Begin,
    Inside,
    Last,
    Unit,
}

/// The trained models of the syntax core.
pub struct Pipeline {
    pub tagger: Tagger,
    pub parser: Parser,
    pub entities: EntityTagger,
}

/// The models shipped in `data/models`, embedded in the binary at build
/// time so the program works from any folder.
const EMBEDDED_TAGGER: &[u8] = include_bytes!("../../data/models/tagger.bin");
const EMBEDDED_PARSER: &[u8] = include_bytes!("../../data/models/parser.bin");
const EMBEDDED_ENTITIES: &[u8] = include_bytes!("../../data/models/entities.bin");

impl Pipeline {
    /// The shipped models, decoded once on first use. An error here means
    /// the build embedded a broken model file (a test guards against it).
    pub fn embedded() -> Result<&'static Pipeline, &'static str> {
        static SHARED: std::sync::OnceLock<Result<Pipeline, String>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| {
                Pipeline::decode_embedded().map_err(|e| format!("the built-in models: {e}"))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Decodes the embedded models (checked like any model file).
    pub fn decode_embedded() -> Result<Pipeline, ModelError> {
        Ok(Pipeline {
            tagger: Tagger::from_bytes(EMBEDDED_TAGGER)?,
            parser: Parser::from_bytes(EMBEDDED_PARSER)?,
            entities: EntityTagger::from_bytes(EMBEDDED_ENTITIES)?,
        })
    }

    /// Loads `tagger.bin`, `parser.bin` and `entities.bin` from `dir`.
    pub fn load_dir(dir: &Path) -> Result<Pipeline, ModelError> {
        Ok(Pipeline {
            tagger: Tagger::load(&dir.join("tagger.bin"))?,
            parser: Parser::load(&dir.join("parser.bin"))?,
            entities: EntityTagger::load(&dir.join("entities.bin"))?,
        })
    }

    /// Analyses one sentence.
    pub fn analyse(&self, text: &str) -> Analysis {
        let tokens = tokenize::tokenize(text);
        let forms: Vec<&str> = tokens.iter().map(|s| &text[s.start..s.end]).collect();
        self.analyse_tokens(tokens, &forms)
    }

    /// Analyses a sentence whose tokens the caller already has, as byte
    /// spans into `text` (one token each, in order; the tokenizer is not
    /// run). The analysis has one entry per span, in the same order. A span
    /// out of range or off a character boundary reads as an empty word, so
    /// no input panics.
    pub fn analyse_spans(&self, text: &str, spans: &[Span]) -> Analysis {
        let forms: Vec<&str> = spans
            .iter()
            .map(|s| text.get(s.start..s.end).unwrap_or(""))
            .collect();
        self.analyse_tokens(spans.to_vec(), &forms)
    }

    /// Analyses a sentence already split into tokens (`forms[i]` is the
    /// text of `tokens[i]`).
    pub fn analyse_tokens(&self, tokens: Vec<Span>, forms: &[&str]) -> Analysis {
        let tagged = self.tagger.tag(forms);
        let upos: Vec<Upos> = tagged.iter().map(|t| t.0).collect();
        let xpos: Vec<Xpos> = tagged.iter().map(|t| t.1).collect();
        let lemmas = forms
            .iter()
            .zip(&tagged)
            .map(|(f, (u, x))| self.tagger.lemma(f, *u, *x))
            .collect();
        let parsed = self.parser.parse(forms, &upos, &xpos);
        let mut entities = self.entities.tag(forms, &upos, &xpos);
        entities.retain(|e| e.start < e.end && e.end <= forms.len());
        Analysis {
            tokens,
            lemmas,
            upos,
            xpos,
            heads: parsed.iter().map(|p| p.0).collect(),
            deprels: parsed.iter().map(|p| p.1).collect(),
            entities,
        }
    }
}

/// A typed entity mention by byte offsets into the analysed text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntityMention {
    pub start: usize,
    pub end: usize,
    pub etype: tags::EntityType,
    pub confidence: f32,
}

impl Pipeline {
    /// Entity mentions of one sentence by byte offsets, from the tagger and
    /// the entity tagger only (no parse: cheaper where only names matter).
    pub fn entity_mentions(&self, text: &str) -> Vec<EntityMention> {
        let tokens = tokenize::tokenize(text);
        let forms: Vec<&str> = tokens
            .iter()
            .map(|s| text.get(s.start..s.end).unwrap_or(""))
            .collect();
        let tagged = self.tagger.tag(&forms);
        let upos: Vec<Upos> = tagged.iter().map(|t| t.0).collect();
        let xpos: Vec<Xpos> = tagged.iter().map(|t| t.1).collect();
        self.entities
            .tag(&forms, &upos, &xpos)
            .into_iter()
            .filter(|e| e.start < e.end && e.end <= tokens.len())
            .map(|e| EntityMention {
                start: tokens[e.start].start,
                end: tokens[e.end - 1].end,
                etype: e.etype,
                confidence: e.confidence,
            })
            .collect()
    }
}

/// CoNLL-U of one analysed sentence; entities go in MISC as
/// `Entity=B-PER` / `I-PER` (IOB2), and `SpaceAfter=No` where the text has
/// no space after a token.
pub fn to_conllu(a: &Analysis, text: &str, sent_id: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# sent_id = {sent_id}");
    let _ = writeln!(
        out,
        "# text = {}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    for i in 0..a.len() {
        let mut misc: Vec<String> = Vec::new();
        if let Some(e) = a.entities.iter().find(|e| e.start <= i && i < e.end) {
            let bio = if e.start == i { "B" } else { "I" };
            misc.push(format!("Entity={bio}-{}", e.etype.short()));
        }
        let end = a.tokens[i].end;
        let next = a.tokens.get(i + 1).map_or(text.len(), |t| t.start);
        if end == next && i + 1 < a.len() {
            misc.push("SpaceAfter=No".into());
        }
        let misc = if misc.is_empty() {
            "_".to_string()
        } else {
            misc.join("|")
        };
        let form = a.form(text, i);
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t_\t{}\t{}\t_\t{}",
            i + 1,
            form,
            a.lemmas[i],
            a.upos[i].name(),
            tags::xpos_name(a.xpos[i]),
            a.heads[i],
            tags::deprel_name(a.deprels[i]),
            misc
        );
    }
    out.push('\n');
    out
}

/// The parse as an indented table for people: one row per token, the word
/// indented by its depth in the tree, then lemma, tags, relation, head word
/// and entity.
pub fn tree_text(a: &Analysis, text: &str) -> String {
    let n = a.len();
    let depth = |mut i: usize| {
        let mut d = 0;
        while d <= n {
            match a.heads.get(i).copied() {
                Some(h) if h > 0 => {
                    i = h as usize - 1;
                    d += 1;
                }
                _ => break,
            }
        }
        d
    };
    let rows: Vec<[String; 7]> = (0..n)
        .map(|i| {
            let head = match a.heads[i] {
                0 => "(root)".to_string(),
                h => format!("{} {}", h, a.form(text, h as usize - 1)),
            };
            let ent = a
                .entities
                .iter()
                .find(|e| e.start <= i && i < e.end)
                .map_or(String::new(), |e| {
                    format!(
                        "{}-{}",
                        if e.start == i { "B" } else { "I" },
                        e.etype.short()
                    )
                });
            [
                (i + 1).to_string(),
                format!("{}{}", "  ".repeat(depth(i)), a.form(text, i)),
                a.lemmas[i].clone(),
                format!("{} {}", a.upos[i].name(), tags::xpos_name(a.xpos[i])),
                tags::deprel_name(a.deprels[i]).to_string(),
                head,
                ent,
            ]
        })
        .collect();
    let header = ["#", "word", "lemma", "tags", "relation", "head", "entity"];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[&str], out: &mut String| {
        let mut l = String::new();
        for (c, w) in cells.iter().zip(widths) {
            l.push_str(c);
            l.push_str(&" ".repeat(w.saturating_sub(c.chars().count()) + 2));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header, &mut out);
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> &'static Pipeline {
        Pipeline::embedded().expect("built-in models")
    }

    #[test]
    fn spans_from_the_caller_give_the_same_analysis_as_the_tokenizer() {
        let text = "The minister said on Sunday that Ukraine's troops had left Kyiv.";
        let a = pipe().analyse(text);
        let b = pipe().analyse_spans(text, &a.tokens);
        assert_eq!(a, b);
        assert_eq!(a.len(), a.upos.len());
        assert_eq!(a.len(), a.lemmas.len());
        let said = (0..a.len()).find(|&i| a.form(text, i) == "said").unwrap();
        assert_eq!(a.lemmas[said], "say");
        assert_eq!(a.head_index(said), None, "{a:?}");
        let minister = (0..a.len())
            .find(|&i| a.form(text, i) == "minister")
            .unwrap();
        assert_eq!(a.head_index(minister), Some(said));
        for m in a.mentions() {
            assert!(m.start < m.end && m.end <= text.len());
        }
        let tagged: Vec<_> = (0..a.len()).filter_map(|i| a.entity_tag(i)).collect();
        let units_and_begins = tagged
            .iter()
            .filter(|(b, _)| matches!(b, Bilou::Begin | Bilou::Unit))
            .count();
        assert_eq!(units_and_begins, a.entities.len());
    }

    #[test]
    fn odd_input_and_bad_spans_never_panic() {
        let p = pipe();
        assert!(p.analyse("").is_empty());
        assert!(p.analyse_spans("", &[]).is_empty());
        let long = "the cat sat , and ".repeat(1000);
        let a = p.analyse(&long);
        assert_eq!(a.len(), 5000);
        assert_eq!(a.heads.iter().filter(|h| **h == 0).count(), 1);
        for text in ["!!! ... ??? --- ,,, ;;", "東京は晴れ。Киев заявил 🙂 مرحبا"]
        {
            let a = p.analyse(text);
            assert_eq!(a.len(), a.heads.len());
            let _ = to_conllu(&a, text, "x");
            let _ = tree_text(&a, text);
        }
        let text = "Kyiv 東京";
        let bad = [
            Span { start: 0, end: 4 },
            Span { start: 6, end: 7 },
            Span { start: 3, end: 99 },
            Span { start: 9, end: 2 },
        ];
        let a = p.analyse_spans(text, &bad);
        assert_eq!(a.len(), 4);
        assert_eq!(a.form(text, 1), "");
        assert_eq!(a.form(text, 9), "");
        let _ = a.mentions();
        let _ = to_conllu(&a, text, "x");
    }
}
