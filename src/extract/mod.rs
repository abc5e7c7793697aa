//! Extraction: article text → entities, claims and events, every fact tied to
//! its sentence. Rules, lexicons and gazetteers, over the syntax core's
//! analysis (`crate::nlp`: the entity tagger types names no list knows).
//!
//! Stages, one module each: [`reader`] (header, dateline, captions, headings,
//! glued words), [`sentences`] (tokens, sentence spans), [`entities`]
//! (recognition + in-article merging), [`resolve`] (noun phrases, pronouns,
//! metonyms), [`attribution`] (claims), [`events`], [`time`]; [`lexicon`]
//! holds the embedded data. This module owns the public API and the JSON
//! shape of FORMAT.md; it may not touch the graph (see `crate::ingest`).

pub mod attribution;
pub mod entities;
pub mod events;
pub mod lexicon;
pub mod reader;
pub mod resolve;
pub mod sentences;
pub mod syntax;
pub mod time;

use serde_json::{Value, json};

pub use attribution::Claim;
pub use entities::{EType, Entity, Mention};
pub use events::{Event, Status as EventStatus};
pub use lexicon::Stance;
pub use resolve::Arg;

/// Why an article could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("the file is empty")]
    Empty,
    #[error("the file looks binary (contains NUL bytes), not an article text")]
    Binary,
    #[error("the file is not valid UTF-8 (first bad byte at offset {0})")]
    NotUtf8(usize),
}

/// The extractor: lexicons and gazetteers, built once and shared.
#[derive(Clone, Copy)]
pub struct Extractor {
    tables: &'static lexicon::Tables,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

/// A sentence of the body: index and byte span in [`Extraction::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub index: usize,
    pub start: usize,
    pub end: usize,
}

/// Everything extracted from one article.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub article: String,
    /// ISO date (dateline over header), if known.
    pub date: Option<String>,
    pub title: Option<String>,
    /// The body text that sentence spans refer to.
    pub text: String,
    pub sentences: Vec<SentenceSpan>,
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    pub claims: Vec<Claim>,
    pub events: Vec<Event>,
}

impl Extractor {
    pub fn new() -> Extractor {
        Extractor {
            tables: lexicon::tables(),
        }
    }

    /// Extracts one article; `file_name` is its file name, `bytes` its content.
    pub fn extract(&self, file_name: &str, bytes: &[u8]) -> Result<Extraction, ExtractError> {
        let _ = self.tables;
        let doc = reader::read(bytes)?;
        let toks = sentences::tokenize(&doc.body);
        let sents = sentences::split(&doc.body, &toks);
        let pipe = crate::nlp::pipeline::Pipeline::embedded().ok();
        let (syn, model) = syntax::Syntax::build(pipe, &doc.body, &toks, &sents);
        let ner = entities::recognise(
            &doc.body,
            &toks,
            &sents,
            pipe.is_some().then_some(model.as_slice()),
            &syn,
        );
        let lower = resolve::lower_tokens(&doc.body, &toks);
        let gender = resolve::genders(&ner, &sents, &lower);
        let cx = resolve::Ctx {
            gender: &gender,
            lower: &lower,
            text: &doc.body,
            toks: &toks,
            sents: &sents,
            ner: &ner,
            date: doc.date,
            syn: &syn,
        };
        let mut claims = attribution::claims(&cx);
        let mut events = events::events(&cx);
        // an argument written as an entity's exact name is that entity, as
        // the JSON (which names arguments by text) says: every consumer then
        // reads the same node
        let by_name: crate::fasthash::HashMap<String, usize> = ner
            .entities
            .iter()
            .enumerate()
            .rev()
            .map(|(i, e)| (e.name.to_lowercase(), i))
            .collect();
        let name_ent = |a: &mut resolve::Arg| {
            if a.ent.is_none()
                && let Some(&e) = by_name.get(&a.text.to_lowercase())
            {
                a.ent = Some(e);
            }
        };
        for c in &mut claims {
            name_ent(&mut c.speaker);
        }
        for ev in &mut events {
            for a in [&mut ev.agent, &mut ev.patient, &mut ev.place]
                .into_iter()
                .flatten()
            {
                name_ent(a);
            }
        }
        let mut entities = ner.entities.clone();
        for c in &claims {
            if let Some(e) = c.speaker.ent {
                entities[e].actor = true;
            }
        }
        for ev in &events {
            if let Some(e) = ev.agent.as_ref().and_then(|a| a.ent) {
                entities[e].actor = true;
            }
        }
        let sentences = sents
            .iter()
            .enumerate()
            .map(|(index, s)| SentenceSpan {
                index,
                start: s.start,
                end: s.end,
            })
            .collect();
        let mentions = ner.mentions.clone();
        Ok(Extraction {
            article: file_name.to_string(),
            date: doc.date.map(|d| d.iso()),
            title: doc.title,
            text: doc.body,
            sentences,
            entities,
            mentions,
            claims,
            events,
        })
    }
}

impl Extraction {
    /// Names acceptable for an argument: entity name, surface form, and for a
    /// seat of government its country.
    pub fn arg_names(&self, a: &Arg) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(e) = a.ent {
            let ent = &self.entities[e];
            v.push(ent.name.clone());
            if let Some(ci) = ent.country_ix
                && !ent.country
            {
                v.push(lexicon::tables().countries[ci].name.clone());
            }
        }
        let t = a
            .text
            .trim_start_matches("the ")
            .trim_start_matches("The ")
            .to_string();
        if !v.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            v.push(t);
        }
        v
    }

    fn arg_json(&self, a: &Option<Arg>) -> Value {
        match a {
            None => Value::Null,
            Some(a) => match a.ent {
                Some(e) => json!(self.entities[e].name),
                None => json!(a.text),
            },
        }
    }

    /// The FORMAT.md JSON shape.
    pub fn to_json(&self) -> Value {
        // an entity is listed when the text names it: a country seen only
        // through a modifying demonym ("Spanish colonial rule") is not,
        // unless a claim or an event involves it
        let mut mentioned = vec![false; self.entities.len()];
        for m in self.mentions.iter().filter(|m| !m.adjectival) {
            mentioned[m.ent] = true;
        }
        let args = self.claims.iter().map(|c| &c.speaker).chain(
            self.events
                .iter()
                .filter(|e| e.status == events::Status::Reported)
                .flat_map(|e| [&e.agent, &e.patient, &e.place].into_iter().flatten()),
        );
        for a in args {
            if let Some(e) = a.ent {
                mentioned[e] = true;
            }
        }
        let entities: Vec<Value> = self
            .entities
            .iter()
            .zip(mentioned)
            .filter(|(_, m)| *m)
            .map(|(e, _)| e)
            .map(|e| json!({"name": e.name, "type": e.etype.as_str(), "aliases": e.aliases}))
            .collect();
        let claims: Vec<Value> = self
            .claims
            .iter()
            .map(|c| {
                let names = self.arg_names(&c.speaker);
                let sp = if names.len() == 1 { json!(names[0]) } else { json!(names) };
                json!({"speaker": sp, "stance": c.stance.as_str(), "content": c.content, "sentence": c.sentence})
            })
            .collect();
        let events: Vec<Value> = self
            .events
            .iter()
            .filter(|e| e.status == events::Status::Reported)
            .map(|e| {
                json!({
                    "type": e.etype, "trigger": e.trigger,
                    "agent": self.arg_json(&e.agent), "patient": self.arg_json(&e.patient),
                    "place": self.arg_json(&e.place), "time": e.time, "sentence": e.sentence,
                })
            })
            .collect();
        json!({
            "article": self.article,
            "date": self.date,
            "entities": entities,
            "claims": claims,
            "events": events,
        })
    }

    /// The text of sentence `i`.
    pub fn sentence_text(&self, i: usize) -> &str {
        self.sentences
            .get(i)
            .map_or("", |s| &self.text[s.start..s.end])
    }
}
