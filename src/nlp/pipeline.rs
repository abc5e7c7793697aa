//! The whole analysis of one sentence: tokens → tags → lemmas → parse →
//! entities, with the three models loaded once. Also CoNLL-U output of an
//! analysis, for `newsgraph parse` and the REPL's `:parse`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    /// The text of token `i`.
    pub fn form<'a>(&self, text: &'a str, i: usize) -> &'a str {
        let s = self.tokens[i];
        &text[s.start..s.end]
    }
}

/// The trained models of the syntax core.
pub struct Pipeline {
    pub tagger: Tagger,
    pub parser: Parser,
    pub entities: EntityTagger,
}

/// Where the models live in a checkout.
pub fn default_model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/models")
}

impl Pipeline {
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

    /// Analyses a sentence already split into tokens.
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
        let entities = self.entities.tag(forms, &upos, &xpos);
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
