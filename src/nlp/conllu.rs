//! Reading treebanks (CoNLL-U, with GUM's `Entity=` mentions) and entity
//! files (IOB2, as UNER ships them). Only syntactic words are kept: the
//! lines whose ID is an integer. Errors name the file and line.

use std::fmt;
use std::path::Path;

use crate::nlp::tags::{self, Deprel, EntityType, Upos, Xpos};

/// One syntactic word of a treebank sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub form: String,
    pub lemma: String,
    pub upos: Upos,
    pub xpos: Xpos,
    /// 1-based head position; 0 = root.
    pub head: u32,
    pub deprel: Deprel,
    /// The MISC column as written.
    pub misc: String,
}

/// An entity mention over words `start..end` (0-based, end exclusive).
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    /// GUM's entity type (person, organization, place, ...), or PER/ORG/LOC
    /// for IOB2 files.
    pub etype: String,
    /// The Wikipedia identity, where GUM links the mention.
    pub identity: Option<String>,
}

/// A sentence of a treebank.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sentence {
    pub id: String,
    pub text: String,
    pub words: Vec<Word>,
    /// GUM `Entity=` mentions (all types, nested), in order of opening.
    pub mentions: Vec<Mention>,
}

/// A reading error: where and what.
#[derive(Debug)]
pub struct ReadError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads every file of `paths`; folders contribute their `*.conllu` files in
/// name order.
pub fn read_paths(paths: &[std::path::PathBuf]) -> Result<Vec<Sentence>, ReadError> {
    let mut out = Vec::new();
    for p in expand(paths, "conllu")? {
        out.extend(read_file(&p)?);
    }
    Ok(out)
}

/// Files named by `paths`, with folders replaced by their files ending in `.ext`.
pub fn expand(
    paths: &[std::path::PathBuf],
    ext: &str,
) -> Result<Vec<std::path::PathBuf>, ReadError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| ReadError {
                file: p.display().to_string(),
                line: 0,
                message: e.to_string(),
            })?;
            let mut here: Vec<_> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == ext))
                .collect();
            here.sort();
            files.extend(here);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

pub fn read_file(path: &Path) -> Result<Vec<Sentence>, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReadError {
        file: path.display().to_string(),
        line: 0,
        message: e.to_string(),
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses CoNLL-U text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Sentence>, ReadError> {
    let err = |line: usize, message: String| ReadError {
        file: file.to_string(),
        line,
        message,
    };
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    let mut open: Vec<(String, usize, String, Option<String>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            if !cur.words.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            open.clear();
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            let c = c.trim_start();
            if let Some(v) = c.strip_prefix("sent_id =") {
                cur.id = v.trim().to_string();
            } else if let Some(v) = c.strip_prefix("text =") {
                cur.text = v.trim().to_string();
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(err(
                line_no,
                format!("expected 10 tab-separated columns, found {}", cols.len()),
            ));
        }
        if cols[0].contains('-') || cols[0].contains('.') {
            continue;
        }
        let id: usize = cols[0]
            .parse()
            .map_err(|_| err(line_no, format!("bad word id {:?}", cols[0])))?;
        if id != cur.words.len() + 1 {
            return Err(err(line_no, format!("word id {id} out of sequence")));
        }
        let upos = Upos::parse(cols[3])
            .ok_or_else(|| err(line_no, format!("unknown UPOS {:?}", cols[3])))?;
        let xpos = tags::xpos_parse(cols[4]).unwrap_or(tags::XPOS_NAMES.len() as u8 - 1);
        let head: u32 = if cols[6] == "_" {
            0
        } else {
            cols[6]
                .parse()
                .map_err(|_| err(line_no, format!("bad head {:?}", cols[6])))?
        };
        let deprel = if cols[7] == "_" {
            tags::deprel_parse("dep").unwrap_or(0)
        } else {
            tags::deprel_parse(cols[7])
                .or_else(|| cols[7].split(':').next().and_then(tags::deprel_parse))
                .ok_or_else(|| err(line_no, format!("unknown relation {:?}", cols[7])))?
        };
        let misc = cols[9].to_string();
        let w = id - 1;
        if let Some(ent) = misc.split('|').find_map(|kv| kv.strip_prefix("Entity=")) {
            read_entity(ent, w, &mut open, &mut cur.mentions);
        }
        cur.words.push(Word {
            form: cols[1].to_string(),
            lemma: cols[2].to_string(),
            upos,
            xpos,
            head,
            deprel,
            misc,
        });
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    for s in &out {
        let n = s.words.len() as u32;
        if let Some(bad) = s.words.iter().find(|w| w.head > n) {
            return Err(err(
                0,
                format!("sentence {}: head {} past the sentence end", s.id, bad.head),
            ));
        }
    }
    Ok(out)
}

/// Reads one word's `Entity=` value: `(` opens a mention with
/// hyphen-separated fields, `N)` closes the innermost open mention of entity N.
fn read_entity(
    v: &str,
    word: usize,
    open: &mut Vec<(String, usize, String, Option<String>)>,
    mentions: &mut Vec<Mention>,
) {
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'(' && b[j] != b')' {
                j += 1;
            }
            let fields: Vec<&str> = v[start..j].split('-').collect();
            let gid = fields.first().copied().unwrap_or("").to_string();
            let etype = fields.get(1).copied().unwrap_or("").to_string();
            let identity = fields.get(7).filter(|s| !s.is_empty()).map(|s| {
                s.replace("%2D", "-")
                    .replace("%28", "(")
                    .replace("%29", ")")
                    .replace("%2C", ",")
            });
            if j < b.len() && b[j] == b')' {
                mentions.push(Mention {
                    start: word,
                    end: word + 1,
                    etype,
                    identity,
                });
                i = j + 1;
            } else {
                open.push((gid, word, etype, identity));
                i = j;
            }
        } else {
            let start = i;
            while i < b.len() && b[i] != b')' && b[i] != b'(' {
                i += 1;
            }
            let gid = &v[start..i];
            if i < b.len() && b[i] == b')' {
                if let Some(pos) = open.iter().rposition(|(g, ..)| g == gid) {
                    let (_, s, etype, identity) = open.remove(pos);
                    mentions.push(Mention {
                        start: s,
                        end: word + 1,
                        etype,
                        identity,
                    });
                }
                i += 1;
            }
        }
    }
}

/// A sentence of an IOB2 entity file: word forms and typed spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntitySentence {
    pub id: String,
    pub forms: Vec<String>,
    /// Spans as (start, end exclusive, type).
    pub spans: Vec<(usize, usize, EntityType)>,
}

/// Reads IOB2 files (UNER: `id form tag ...`, tab-separated, `#` comments).
pub fn read_iob2(path: &Path) -> Result<Vec<EntitySentence>, ReadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ReadError {
        file: file.clone(),
        line: 0,
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    let mut cur = EntitySentence::default();
    let mut open: Option<(usize, EntityType)> = None;
    let close = |cur: &mut EntitySentence, open: &mut Option<(usize, EntityType)>| {
        if let Some((s, t)) = open.take() {
            cur.spans.push((s, cur.forms.len(), t));
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            close(&mut cur, &mut open);
            if !cur.forms.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if let Some(v) = c.trim_start().strip_prefix("sent_id =") {
                cur.id = v.trim().to_string();
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(ReadError {
                file: file.clone(),
                line: i + 1,
                message: format!(
                    "expected at least 3 tab-separated columns, found {}",
                    cols.len()
                ),
            });
        }
        let tag = cols[2];
        let (prefix, ty) = tag.split_once('-').unwrap_or((tag, ""));
        let ty = EntityType::parse_short(ty);
        match (prefix, ty) {
            ("B", Some(t)) => {
                close(&mut cur, &mut open);
                open = Some((cur.forms.len(), t));
            }
            ("I", Some(t)) if open.is_some_and(|(_, o)| o == t) => {}
            ("I", Some(t)) => {
                close(&mut cur, &mut open);
                open = Some((cur.forms.len(), t));
            }
            _ => close(&mut cur, &mut open),
        }
        cur.forms.push(cols[1].to_string());
    }
    close(&mut cur, &mut open);
    if !cur.forms.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUM: &str = "# sent_id = s1\n# text = Portrait of Dennis Hopper\n\
1\tPortrait\tportrait\tNOUN\tNN\t_\t0\troot\t_\tEntity=(6-object-new-nnnnn-cf2-1-sgl\n\
2\tof\tof\tADP\tIN\t_\t3\tcase\t_\t_\n\
3\tDennis\tDennis\tPROPN\tNNP\t_\t1\tnmod\t_\tEntity=(7-person-new-nnnnn-cf1-1,2-coref-Dennis_Hopper\n\
4\tHopper\tHopper\tPROPN\tNNP\t_\t3\tflat\t_\tEntity=7)6)|SpaceAfter=No\n\n";

    #[test]
    fn reads_words_heads_and_nested_mentions() {
        let s = parse(GUM, "t").unwrap();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!(s.words.len(), 4);
        assert_eq!(s.words[2].head, 1);
        assert_eq!(tags::deprel_name(s.words[3].deprel), "flat");
        assert_eq!(s.mentions.len(), 2);
        assert_eq!((s.mentions[0].start, s.mentions[0].end), (2, 4));
        assert_eq!(s.mentions[0].etype, "person");
        assert_eq!(s.mentions[0].identity.as_deref(), Some("Dennis_Hopper"));
        assert_eq!((s.mentions[1].start, s.mentions[1].end), (0, 4));
    }

    #[test]
    fn bad_lines_name_the_line() {
        let e = parse("1\tx\n", "f.conllu").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("f.conllu", 1));
        let e = parse("1\ta\ta\tNOPE\tNN\t_\t0\troot\t_\t_\n", "f").unwrap_err();
        assert!(e.message.contains("UPOS"), "{e}");
    }
}
