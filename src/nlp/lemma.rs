//! Lemmas as UD English writes them (EWT, GUM): suffix rules keyed by the
//! Penn tag (plurals, verb -s/-ed/-ing with doubling and e-restoration,
//! comparatives, clitics) plus a compact table of exceptions learned from a
//! treebank, holding only the (form, XPOS) pairs where the treebank's
//! lemma beats the rules.
//!
//! Owns: the rules, learning the table and its bytes inside a model payload.
//! May not touch: tagging, tokenisation, the model envelope (`model`).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::nlp::conllu;
use crate::nlp::model::{ModelError, Reader, Writer};
use crate::nlp::tags::{self, Upos, Xpos};

/// Version of the lemmatizer's part of a payload.
const FORMAT: u32 = 1;

/// Rules plus learned exceptions, keyed by (lowercased form, XPOS).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lemmatizer {
    exceptions: HashMap<(String, Xpos), String>,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether a stem left by removing -ed/-ing/-er/-est lost a final `e`:
/// `us(ed)`, `mak(ing)`, `produc(ed)`, `settl(ed)`, `realiz(ed)`, `larg(er)`.
fn needs_e(stem: &str) -> bool {
    let b = stem.as_bytes();
    let n = b.len();
    if n < 2 || !stem.is_ascii() {
        return false;
    }
    let last = b[n - 1];
    let prev = b[n - 2];
    let ends = |s: &str| stem.ends_with(s);
    if matches!(last, b'v' | b'u') || (last == b'c' && prev != b'c') {
        return !ends("qu") || n > 3;
    }
    if ends("dg") || ends("rg") || ends("ang") || (ends("ag") && n > 3) {
        return true;
    }
    if last == b'l' && b"tbpdgkzcf".contains(&prev) {
        return true;
    }
    if last == b'z' && (is_vowel(prev) || prev == b'y') {
        return true;
    }
    if last == b's' && (is_vowel(prev) && !ends("us") || b"nrpl".contains(&prev) || ends("aus")) {
        return !ends("ous") && !ends("ss");
    }
    // negotiat(e), evacuat(e), mediat(e)
    if ends("creat") || ends("sum") || ((ends("iat") || ends("uat")) && n > 4) {
        return true;
    }
    if (ends("ir") || ends("ur")) && n > 2 && !is_vowel(b[n - 3]) {
        return true;
    }
    if (ends("at") || ends("ut") || ends("id") || ends("ud") || ends("ar") || ends("in"))
        && n > 3
        && !is_vowel(b[n - 3])
        && b[n - 3] != b'y'
    {
        return true;
    }
    // One short vowel between consonants and nothing else: mak(e), hop(e), us(e).
    let groups = b
        .windows(2)
        .filter(|w| !is_vowel(w[0]) && is_vowel(w[1]))
        .count()
        + usize::from(is_vowel(b[0]));
    groups == 1
        && is_vowel(prev)
        && !matches!(last, b'w' | b'x' | b'y')
        && !is_vowel(last)
        && (n == 2 || !is_vowel(b[n - 3]))
}

/// Undoes a doubled final consonant: `runn(ing)` → `run`, but `add(ed)` stays.
fn undouble(stem: &str) -> Option<&str> {
    let b = stem.as_bytes();
    let n = b.len();
    if n >= 4
        && b[n - 1] == b[n - 2]
        && b"bdgmnprtl".contains(&b[n - 1])
        && is_vowel(b[n - 3])
        && !is_vowel(b[n - 4])
        && !(b[n - 1] == b'l' && n > 4)
    {
        Some(&stem[..n - 1])
    } else {
        None
    }
}

/// The base of a stem left by removing a vowel-initial suffix.
fn restore(stem: &str) -> String {
    if let Some(s) = undouble(stem) {
        s.to_string()
    } else if needs_e(stem) {
        format!("{stem}e")
    } else {
        stem.to_string()
    }
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|c| is_vowel(c) || c == b'y')
}

/// Singular of a plural noun (case kept).
fn singular(f: &str) -> String {
    let l = f.to_ascii_lowercase();
    let n = f.len();
    if n > 4 && l.ends_with("ies") {
        return format!("{}{}", &f[..n - 3], if is_upper(f) { "Y" } else { "y" });
    }
    if n > 4
        && ["sses", "shes", "ches", "xes", "zzes"]
            .iter()
            .any(|e| l.ends_with(e))
    {
        return f[..n - 2].to_string();
    }
    if n > 3 && l.ends_with("men") {
        return format!("{}{}", &f[..n - 2], if is_upper(f) { "AN" } else { "an" });
    }
    if n > 2 && l.ends_with('s') && !l.ends_with("ss") && !l.ends_with("us") && !l.ends_with("is") {
        return f[..n - 1].to_string();
    }
    f.to_string()
}

fn is_upper(f: &str) -> bool {
    f.chars().all(|c| !c.is_lowercase())
}

/// Strips a suffix from `l` and restores the base, when a base remains.
fn strip(l: &str, suffix: &str) -> Option<String> {
    let stem = l.strip_suffix(suffix)?;
    if stem.len() < 2 || !has_vowel(stem) || !stem.is_ascii() {
        return None;
    }
    Some(restore(stem))
}

/// The rule lemma of a form; `None` means the form itself (lowercased unless
/// a proper noun).
fn rule(form: &str, xpos: &str) -> Option<String> {
    let l = form.to_lowercase().replace('’', "'");
    let clitic = match (l.as_str(), xpos) {
        ("n't" | "nt", "RB") => Some("not"),
        ("'s", "POS") => Some("'s"),
        ("'s" | "'re" | "'m" | "s" | "re" | "m", "VBZ" | "VBP") => Some("be"),
        ("'ve" | "ve", _) => Some("have"),
        ("'ll" | "ll", "MD") => Some("will"),
        ("'d" | "d", "MD") => Some("would"),
        ("'d" | "d", "VBD") => Some("have"),
        ("ca", "MD") => Some("can"),
        ("wo", "MD") => Some("will"),
        ("is" | "are" | "am" | "was" | "were" | "been" | "being", _) if xpos.starts_with("VB") => {
            Some("be")
        }
        ("has" | "had" | "having", _) if xpos.starts_with("VB") => Some("have"),
        ("does" | "did" | "doing" | "done", _) if xpos.starts_with("VB") => Some("do"),
        _ => None,
    };
    if let Some(c) = clitic {
        return Some(c.to_string());
    }
    match xpos {
        "NNP" => None,
        "NNPS" => Some(singular(form)),
        "NNS" => Some(singular(&l)),
        "VBZ" => {
            let n = l.len();
            if n > 4 && l.ends_with("ies") {
                Some(format!("{}y", &l[..n - 3]))
            } else if n > 3
                && ["sses", "shes", "ches", "xes", "oes", "zzes"]
                    .iter()
                    .any(|e| l.ends_with(e))
            {
                Some(l[..n - 2].to_string())
            } else if n > 2 && l.ends_with('s') && !l.ends_with("ss") {
                Some(l[..n - 1].to_string())
            } else {
                Some(l)
            }
        }
        "VBD" | "VBN" => {
            let n = l.len();
            if n > 4 && l.ends_with("ied") {
                Some(format!("{}y", &l[..n - 3]))
            } else if n > 3 && l.ends_with("eed") && !l.ends_with("ceed") {
                Some(l[..n - 1].to_string())
            } else {
                Some(strip(&l, "ed").unwrap_or(l))
            }
        }
        "VBG" => Some(strip(&l, "ing").unwrap_or(l)),
        "JJR" | "RBR" => Some(comparative(&l, "er")),
        "JJS" | "RBS" => Some(comparative(&l, "est")),
        _ => Some(l),
    }
}

fn comparative(l: &str, suffix: &str) -> String {
    let Some(stem) = l.strip_suffix(suffix) else {
        return l.to_string();
    };
    if stem.len() > 2 && stem.ends_with('i') {
        return format!("{}y", &stem[..stem.len() - 1]);
    }
    if stem.len() < 2 || !has_vowel(stem) {
        return l.to_string();
    }
    restore(stem)
}

impl Lemmatizer {
    /// Learns the exceptions: for each (lowercased form, XPOS) seen at least
    /// twice, the treebank's majority lemma, kept only where it is right more
    /// often than the rules.
    pub fn learn(sents: &[conllu::Sentence]) -> Lemmatizer {
        // (form, xpos) -> (lemma -> count, rule right count)
        let mut seen: HashMap<(String, Xpos), (HashMap<String, usize>, usize)> = HashMap::new();
        for w in sents.iter().flat_map(|s| &s.words) {
            if w.lemma == "_" {
                continue;
            }
            let ruled = rule_lemma(&w.form, w.xpos);
            let e = seen
                .entry((w.form.to_lowercase(), w.xpos))
                .or_insert_with(|| (HashMap::new(), 0));
            *e.0.entry(w.lemma.clone()).or_insert(0) += 1;
            e.1 += usize::from(ruled == w.lemma);
        }
        let mut exceptions = HashMap::new();
        for (key, (lemmas, rule_right)) in seen {
            let total: usize = lemmas.values().sum();
            let Some((best, n)) = lemmas
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            else {
                continue;
            };
            if total >= 2 && n > rule_right {
                exceptions.insert(key, best);
            }
        }
        Lemmatizer { exceptions }
    }

    /// Number of learned exceptions.
    pub fn len(&self) -> usize {
        self.exceptions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exceptions.is_empty()
    }

    pub fn lemma<'a>(&self, form: &'a str, _upos: Upos, xpos: Xpos) -> Cow<'a, str> {
        if !self.exceptions.is_empty() {
            let key = (form.to_lowercase(), xpos);
            if let Some(l) = self.exceptions.get(&key) {
                return if l == form {
                    Cow::Borrowed(form)
                } else {
                    Cow::Owned(l.clone())
                };
            }
        }
        let l = rule_lemma(form, xpos);
        if l == form {
            Cow::Borrowed(form)
        } else {
            Cow::Owned(l)
        }
    }

    /// Writes the table in a fixed order, so equal tables give equal bytes.
    pub fn encode(&self, w: &mut Writer) {
        let mut entries: Vec<(&(String, Xpos), &String)> = self.exceptions.iter().collect();
        entries.sort();
        w.u32(FORMAT);
        let forms: Vec<String> = entries.iter().map(|(k, _)| k.0.clone()).collect();
        let xpos: Vec<u16> = entries.iter().map(|(k, _)| u16::from(k.1)).collect();
        let lemmas: Vec<String> = entries.iter().map(|(_, l)| (*l).clone()).collect();
        w.strs(&forms);
        w.u16s(&xpos);
        w.strs(&lemmas);
    }

    pub fn decode(r: &mut Reader) -> Result<Lemmatizer, ModelError> {
        let format = r.u32()?;
        if format != FORMAT {
            return Err(ModelError::Corrupt(format!(
                "lemmatizer format {format}, expected {FORMAT}"
            )));
        }
        let forms = r.strs()?;
        let xpos = r.u16s()?;
        let lemmas = r.strs()?;
        if forms.len() != xpos.len() || forms.len() != lemmas.len() {
            return Err(ModelError::Corrupt(
                "lemmatizer table columns differ in length".into(),
            ));
        }
        let mut exceptions = HashMap::with_capacity(forms.len());
        for ((f, x), l) in forms.into_iter().zip(xpos).zip(lemmas) {
            let x = Xpos::try_from(x)
                .ok()
                .filter(|x| usize::from(*x) < tags::XPOS_NAMES.len())
                .ok_or_else(|| ModelError::Corrupt(format!("lemmatizer: bad XPOS id {x}")))?;
            exceptions.insert((f, x), l);
        }
        Ok(Lemmatizer { exceptions })
    }
}

/// The rules alone: the lemma of `form` under tag `xpos`.
fn rule_lemma(form: &str, xpos: Xpos) -> String {
    let x = tags::xpos_name(xpos);
    rule(form, x).unwrap_or_else(|| form.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::tags::xpos_parse;

    fn x(name: &str) -> Xpos {
        xpos_parse(name).expect("tag")
    }

    fn rules(form: &str, tag: &str) -> String {
        Lemmatizer::default()
            .lemma(form, Upos::X, x(tag))
            .into_owned()
    }

    #[test]
    fn noun_rules() {
        for (f, l) in [
            ("cats", "cat"),
            ("cities", "city"),
            ("boxes", "box"),
            ("churches", "church"),
            ("classes", "class"),
            ("cases", "case"),
            ("women", "woman"),
            ("glass", "glass"),
            ("Dogs", "dog"),
        ] {
            assert_eq!(rules(f, "NNS"), l, "{f}");
        }
        assert_eq!(rules("Americans", "NNPS"), "American");
        assert_eq!(rules("Paris", "NNP"), "Paris");
        assert_eq!(rules("Table", "NN"), "table");
    }

    #[test]
    fn verb_and_adjective_rules() {
        for (f, t, l) in [
            ("running", "VBG", "run"),
            ("making", "VBG", "make"),
            ("using", "VBG", "use"),
            ("working", "VBG", "work"),
            ("adding", "VBG", "add"),
            ("stopped", "VBD", "stop"),
            ("tried", "VBD", "try"),
            ("produced", "VBN", "produce"),
            ("settled", "VBN", "settle"),
            ("realized", "VBD", "realize"),
            ("wanted", "VBD", "want"),
            ("agreed", "VBD", "agree"),
            ("negotiated", "VBD", "negotiate"),
            ("evacuating", "VBG", "evacuate"),
            ("graduated", "VBN", "graduate"),
            ("goes", "VBZ", "go"),
            ("watches", "VBZ", "watch"),
            ("says", "VBZ", "say"),
            ("is", "VBZ", "be"),
            ("had", "VBD", "have"),
            ("bigger", "JJR", "big"),
            ("larger", "JJR", "large"),
            ("easiest", "JJS", "easy"),
            ("newest", "JJS", "new"),
        ] {
            assert_eq!(rules(f, t), l, "{f}/{t}");
        }
    }

    #[test]
    fn clitics_by_tag() {
        assert_eq!(rules("n't", "RB"), "not");
        assert_eq!(rules("n’t", "RB"), "not");
        assert_eq!(rules("'s", "POS"), "'s");
        assert_eq!(rules("’s", "VBZ"), "be");
        assert_eq!(rules("'m", "VBP"), "be");
        assert_eq!(rules("'re", "VBP"), "be");
        assert_eq!(rules("'ve", "VBP"), "have");
        assert_eq!(rules("'ll", "MD"), "will");
        assert_eq!(rules("'d", "MD"), "would");
        assert_eq!(rules("ca", "MD"), "can");
        assert_eq!(rules("wo", "MD"), "will");
    }

    fn sentence(words: &[(&str, &str, &str)]) -> conllu::Sentence {
        conllu::Sentence {
            words: words
                .iter()
                .map(|(f, l, t)| conllu::Word {
                    form: f.to_string(),
                    lemma: l.to_string(),
                    upos: Upos::X,
                    xpos: x(t),
                    head: 0,
                    deprel: 0,
                    misc: "_".into(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn learned() -> Lemmatizer {
        let s = sentence(&[
            ("went", "go", "VBD"),
            ("went", "go", "VBD"),
            ("children", "child", "NNS"),
            ("Children", "child", "NNS"),
            ("I", "I", "PRP"),
            ("me", "I", "PRP"),
            ("me", "I", "PRP"),
            ("cats", "cat", "NNS"),
            ("cats", "cat", "NNS"),
            ("geese", "goose", "NNS"),
        ]);
        Lemmatizer::learn(&[s])
    }

    #[test]
    fn learns_only_what_the_rules_miss() {
        let l = learned();
        assert_eq!(l.lemma("went", Upos::Verb, x("VBD")), "go");
        assert_eq!(l.lemma("Went", Upos::Verb, x("VBD")), "go");
        assert_eq!(l.lemma("children", Upos::Noun, x("NNS")), "child");
        assert_eq!(l.lemma("me", Upos::Pron, x("PRP")), "I");
        // Seen once: left to the rules.
        assert_eq!(l.lemma("geese", Upos::Noun, x("NNS")), "geese");
        // The rules already get these right: no entries.
        assert_eq!(l.len(), 3, "{:?}", l.exceptions);
        assert_eq!(l.lemma("cats", Upos::Noun, x("NNS")), "cat");
    }

    #[test]
    fn encode_decode_round_trip_and_truncation() {
        let l = learned();
        let mut w = Writer::default();
        l.encode(&mut w);
        let mut r = Reader::new(&w.bytes);
        let back = Lemmatizer::decode(&mut r).expect("decodes");
        r.finish().expect("all read");
        assert_eq!(back, l);
        let mut again = Writer::default();
        back.encode(&mut again);
        assert_eq!(again.bytes, w.bytes);
        for cut in 0..w.bytes.len() {
            let mut r = Reader::new(&w.bytes[..cut]);
            assert!(Lemmatizer::decode(&mut r).is_err(), "cut at {cut}");
        }
    }

    /// Scores lemmas with gold tags: `cargo test --release --lib
    /// nlp::lemma::tests::treebank_dev -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn treebank_dev() {
        let root = "/work/shared/treebank";
        let train = conllu::read_paths(&[
            format!("{root}/ewt/en_ewt-ud-train.conllu").into(),
            format!("{root}/gum/train").into(),
        ])
        .expect("train");
        let t = std::time::Instant::now();
        let lem = Lemmatizer::learn(&train);
        let mut w = Writer::default();
        lem.encode(&mut w);
        println!(
            "learned {} exceptions ({} bytes) in {:?}",
            lem.len(),
            w.bytes.len(),
            t.elapsed()
        );
        let show = std::env::var("LEM_SHOW").is_ok();
        for (name, path) in [
            ("EWT dev", format!("{root}/ewt/en_ewt-ud-dev.conllu")),
            ("GUM dev", format!("{root}/gum/dev")),
        ] {
            let dev = conllu::read_paths(&[path.into()]).expect("dev");
            let (mut right, mut all, mut rules_right) = (0usize, 0usize, 0usize);
            for wd in dev.iter().flat_map(|s| &s.words) {
                all += 1;
                let got = lem.lemma(&wd.form, wd.upos, wd.xpos);
                if got == wd.lemma {
                    right += 1;
                } else if show {
                    println!(
                        "{}\t{}\t{}\t{}",
                        wd.form,
                        tags::xpos_name(wd.xpos),
                        wd.lemma,
                        got
                    );
                }
                rules_right += usize::from(rule_lemma(&wd.form, wd.xpos) == wd.lemma);
            }
            println!(
                "{name}: {all} words, lemma accuracy {:.2}% (rules alone {:.2}%)",
                100.0 * right as f64 / all as f64,
                100.0 * rules_right as f64 / all as f64
            );
        }
    }
}
