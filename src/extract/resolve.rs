//! Resolution of noun phrases to entities inside one article, for the
//! attribution and event stages.
//!
//! Owns: finding the subject noun phrase left of a verb (skipping adverbs,
//! auxiliaries and appositives, splitting `A and B`), the object right of a
//! verb, pronouns (`he`, `she`, `they`, `its`) to the last compatible mention,
//! title-only phrases (`the chief of the military General Staff`) to the last
//! person holding that title, capitals / seats to governments. May not touch:
//! recognition of new entities, claims, events or the graph.

use super::entities::{EType, Entity, Ner, is_func};
use super::lexicon::tables;
use super::sentences::{Kind, Sentence, Token};
use super::time::Ymd;

/// An argument: surface text and the entity it resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub text: String,
    pub ent: Option<usize>,
}

pub struct Ctx<'a> {
    pub text: &'a str,
    pub toks: &'a [Token],
    pub sents: &'a [Sentence],
    pub ner: &'a Ner,
    pub date: Option<Ymd>,
    /// Every token in lower case (see [`lower_tokens`]).
    pub lower: &'a [String],
    /// The parse of every sentence (empty without models).
    pub syn: &'a super::syntax::Syntax,
    /// Each entity's gender as the article tells it (see [`genders`]).
    pub gender: &'a [Option<Gender>],
}

/// A person's grammatical gender, for `he` and `she`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

const MALE_WORDS: &[&str] = &[
    "mr",
    "mr.",
    "sir",
    "king",
    "prince",
    "duke",
    "lord",
    "emperor",
    "sultan",
    "pope",
    "spokesman",
    "chairman",
    "congressman",
    "businessman",
    "councilman",
    "husband",
    "father",
    "son",
    "brother",
    "boyfriend",
    "widower",
    "grandfather",
    "uncle",
    "nephew",
    "actor",
    "sheikh",
    "baron",
    "count",
];
const FEMALE_WORDS: &[&str] = &[
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "miss",
    "dame",
    "lady",
    "queen",
    "princess",
    "duchess",
    "empress",
    "spokeswoman",
    "chairwoman",
    "congresswoman",
    "businesswoman",
    "councilwoman",
    "wife",
    "mother",
    "daughter",
    "sister",
    "girlfriend",
    "widow",
    "grandmother",
    "aunt",
    "niece",
    "actress",
    "baroness",
    "countess",
    "sheikha",
];

fn gender_word(w: &str) -> Option<Gender> {
    if MALE_WORDS.contains(&w) {
        Some(Gender::Male)
    } else if FEMALE_WORDS.contains(&w) {
        Some(Gender::Female)
    } else {
        None
    }
}

fn pronoun_gender(w: &str) -> Option<Gender> {
    match w {
        "he" | "him" | "his" | "himself" => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" => Some(Gender::Female),
        _ => None,
    }
}

/// What the article itself says of each person's gender: an honorific or a
/// gendered role noun just before a mention (`Mrs`, `spokeswoman`, `his wife`)
/// or among the titles; the pronouns of a sentence that names that person
/// alone; and the first pronoun of the next sentence when it names no one.
/// No list of first names: a person the article gives no sign for stays
/// unknown, and pronouns then go to the nearest person as before.
pub fn genders(ner: &Ner, sents: &[Sentence], lower: &[String]) -> Vec<Option<Gender>> {
    let mut votes = vec![(0u32, 0u32); ner.entities.len()];
    let mut vote = |e: usize, g: Gender, n: u32| match g {
        Gender::Male => votes[e].0 += n,
        Gender::Female => votes[e].1 += n,
    };
    for (e, ent) in ner.entities.iter().enumerate() {
        if ent.etype == EType::Person {
            for t in &ent.titles {
                if let Some(g) = t.split(' ').find_map(gender_word) {
                    vote(e, g, 2);
                }
            }
        }
    }
    let people = |m: &&super::entities::Mention| ner.entities[m.ent].etype == EType::Person;
    for m in ner.mentions.iter().filter(people) {
        if let Some(g) = (m.t0.saturating_sub(2)..m.t0).find_map(|k| gender_word(&lower[k])) {
            vote(m.ent, g, 2);
        }
    }
    // mentions are sorted by start: walk the sentences alongside
    let mut mi = 0;
    let mut prev_alone: Option<usize> = None;
    for s in sents {
        let first = mi;
        while mi < ner.mentions.len() && ner.mentions[mi].t0 < s.tok_end {
            mi += 1;
        }
        let here: Vec<&super::entities::Mention> = ner.mentions[first..mi]
            .iter()
            .filter(|m| m.t0 >= s.tok_start)
            .filter(people)
            .collect();
        let hi = s.tok_end.min(lower.len());
        match here.first() {
            None => {
                if let Some(e) = prev_alone
                    && let Some(g) = (s.tok_start..hi).find_map(|k| pronoun_gender(&lower[k]))
                {
                    vote(e, g, 1);
                }
                prev_alone = None;
            }
            Some(m0) => {
                let alone = here.iter().all(|m| m.ent == m0.ent);
                prev_alone = alone.then_some(m0.ent);
                if alone {
                    for w in &lower[m0.t1.min(hi)..hi] {
                        if let Some(g) = pronoun_gender(w) {
                            vote(m0.ent, g, 1);
                        }
                    }
                }
            }
        }
    }
    votes
        .into_iter()
        .map(|(m, f)| match m.cmp(&f) {
            std::cmp::Ordering::Greater => Some(Gender::Male),
            std::cmp::Ordering::Less => Some(Gender::Female),
            std::cmp::Ordering::Equal => None,
        })
        .collect()
}

/// The tokens of `text` in lower case with `’` as `'`, for [`Ctx::lw`].
pub fn lower_tokens(text: &str, toks: &[Token]) -> Vec<String> {
    toks.iter()
        .map(|t| {
            let w = &text[t.start..t.end];
            if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                w.to_string()
            } else {
                w.to_lowercase().replace('’', "'")
            }
        })
        .collect()
}

const SKIP_BACK: &[&str] = &[
    "also",
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "previously",
    "later",
    "again",
    "repeatedly",
    "publicly",
    "officially",
    "earlier",
    "now",
    "then",
    "already",
    "firmly",
    "strongly",
    "reportedly",
    "allegedly",
    "once",
    "since",
    "long",
    "recently",
    "today",
    "quickly",
    "immediately",
    "subsequently",
    "initially",
    "further",
    "too",
    "had",
    "been",
    "being",
    "be",
    "will",
    "would",
    "did",
    "does",
    "do",
    "flatly",
    "vehemently",
    "categorically",
];
/// How many tokens back a title or head noun is resolved (about 20 sentences).
const LOOK_BACK: usize = 600;

const DETS: &[&str] = &[
    "the", "a", "an", "its", "his", "her", "their", "some", "several", "two", "three", "many",
    "other",
];

impl<'a> Ctx<'a> {
    pub fn w(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.start..t.end]
    }
    /// Token `i` in lower case with `’` as `'` (precomputed once).
    pub fn lw(&self, i: usize) -> &'a String {
        &self.lower[i]
    }
    pub fn span(&self, a: usize, b: usize) -> &'a str {
        if a >= b {
            return "";
        }
        &self.text[self.toks[a].start..self.toks[b - 1].end]
    }
    pub fn mention_at(&self, i: usize) -> Option<&'a super::entities::Mention> {
        let m = *self.ner.tok_mention.get(i)?;
        (m != u32::MAX).then(|| &self.ner.mentions[m as usize])
    }
    pub fn is_word(&self, i: usize) -> bool {
        self.toks[i].kind != Kind::Punct
    }

    /// Argument for an entity mention (metonyms become the government).
    pub fn arg_of_mention(&self, m: &super::entities::Mention) -> Arg {
        Arg {
            text: self.span(m.t0, m.t1).to_string(),
            ent: Some(m.ent),
        }
    }

    /// The last mention before token `i` (within the previous two sentences)
    /// whose entity satisfies `ok`.
    pub fn last_mention(&self, i: usize, sent: usize, ok: impl Fn(usize) -> bool) -> Option<Arg> {
        let lo = self.sents[sent.saturating_sub(2)].tok_start;
        let mut k = i;
        while k > lo {
            k -= 1;
            if let Some(m) = self.mention_at(k) {
                let e = &self.ner.entities[m.ent];
                // a speaker ("Moscow said they …") is not what "they" refers to
                let speaker = m.sent == sent
                    && m.t1 < self.toks.len()
                    && tables().cues.contains_key(self.lw(m.t1).as_str());
                // nor is a possessive modifier ("Russia's Kursk region")
                let modifier = m.t1 + 1 < self.toks.len()
                    && matches!(self.w(m.t1), "'s" | "’s")
                    && self.mention_at(m.t1 + 1).is_some();
                if ok(m.ent) && !speaker && !modifier {
                    return Some(Arg {
                        text: e.name.clone(),
                        ent: Some(m.ent),
                    });
                }
                k = m.t0;
            }
        }
        None
    }

    /// Resolves a pronoun at token `i`.
    pub fn pronoun(&self, i: usize, sent: usize) -> Option<Arg> {
        match self.lw(i).as_str() {
            w @ ("he" | "she" | "him" | "his" | "her") => {
                // not a person the article shows to be of the other gender
                let g = pronoun_gender(w);
                self.last_mention(i, sent, |e| {
                    self.ner.entities[e].etype == EType::Person
                        && self
                            .gender
                            .get(e)
                            .copied()
                            .flatten()
                            .is_none_or(|h| Some(h) == g)
                })
            }
            "they" | "their" | "it" | "its" | "them" => self.last_mention(i, sent, |e| {
                let e = &self.ner.entities[e];
                e.etype == EType::Organization || e.country
            }),
            // (a possessive modifier, "Russia's Kursk region", is skipped in
            // last_mention)
            _ => None,
        }
    }

    /// The last entity mentioned before token `i` (within the bounded
    /// look-back that keeps long inputs linear) for which `wanted` holds.
    pub fn last_entity_before(&self, i: usize, wanted: impl Fn(&Entity) -> bool) -> Option<Arg> {
        let lo = i.saturating_sub(LOOK_BACK);
        let mut k = i;
        while k > lo {
            k -= 1;
            if let Some(m) = self.mention_at(k) {
                let e = &self.ner.entities[m.ent];
                if wanted(e) {
                    return Some(Arg {
                        text: e.name.clone(),
                        ent: Some(m.ent),
                    });
                }
                k = m.t0;
            }
        }
        None
    }

    /// The country mentioned most in the article (first on a tie): what
    /// "the government" means when no other country is named.
    pub fn main_country(&self) -> Option<Arg> {
        let mut count = vec![0u32; self.ner.entities.len()];
        for m in &self.ner.mentions {
            if self.ner.entities[m.ent].country {
                count[m.ent] += 1;
            }
        }
        let best = (0..count.len())
            .filter(|&e| count[e] > 0)
            .max_by_key(|&e| (count[e], std::cmp::Reverse(e)))?;
        Some(Arg {
            text: self.ner.entities[best].name.clone(),
            ent: Some(best),
        })
    }

    /// The last person whose title contains `title` (lower case).
    pub fn titled_person(&self, i: usize, title: &str) -> Option<Arg> {
        self.last_entity_before(i, |e| {
            e.etype == EType::Person && e.titles.iter().any(|t| t.split(' ').any(|w| w == title))
        })
    }

    /// The last organisation before token `i` whose name ends in `head`
    /// (`the embassy` → US Embassy in London, `the court` → Court of Session).
    pub fn named_head(&self, i: usize, head: &str) -> Option<Arg> {
        self.last_entity_before(i, |e| {
            e.etype == EType::Organization
                && e.name
                    .split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case(head))
                && e.name.split_whitespace().count() >= 2
        })
    }

    /// Subject(s) of a verb at token `c`: the noun phrase ending just left of
    /// it. Returns the args and the first token of the phrase.
    pub fn subject(&self, c: usize, sent: usize) -> Option<(Vec<Arg>, usize)> {
        let s0 = self.sents[sent].tok_start;
        let mut k = c;
        // skip adverbs / auxiliaries
        while k > s0
            && (SKIP_BACK.contains(&self.lw(k - 1).as_str())
                || self.lw(k - 1).ends_with("ly") && self.lw(k - 1).len() > 4)
        {
            k -= 1;
        }
        if k == s0 {
            return None;
        }
        // parenthetical acronym: "the European Court of Justice (ECJ) ruled"
        if self.w(k - 1) == ")" {
            let mut p = k - 1;
            while p > s0 && k - p < 8 && self.w(p) != "(" {
                p -= 1;
            }
            if self.w(p) == "(" && p > s0 {
                k = p;
            }
        }
        // appositive or parenthetical: ", a spokesperson for X," / ", speaking amid ...,"
        if self.w(k - 1) == "," {
            let mut p = k - 1;
            let mut found = None;
            while p > s0 && k - p < 25 {
                p -= 1;
                if self.w(p) == "," {
                    found = Some(p);
                    break;
                }
            }
            let p = found?;
            // ", Sadiq Khan," after a description: the named actor; the
            // phrase starts with the description
            let mut q = p + 1;
            while q < k - 1 && matches!(self.lw(q).as_str(), "the" | "a" | "an") {
                q += 1;
            }
            if let Some(m) = self.mention_at(q)
                && m.t1 == k - 1
                && self.ner.entities[m.ent].etype != EType::Place
            {
                let mut d = p;
                while d > s0 && !matches!(self.w(d - 1), "," | ";" | ":") {
                    d -= 1;
                }
                return Some((vec![self.arg_of_mention(m)], d));
            }
            let first = self.lw(p + 1);
            let lower = self
                .w(p + 1)
                .chars()
                .next()
                .is_some_and(|ch| ch.is_lowercase());
            if !(lower || DETS.contains(&first.as_str())) {
                return None;
            }
            k = p;
            if k == s0 {
                return None;
            }
        }
        let end = k;
        // coordinated mentions: "Russia and North Korea"
        if let Some(m) = self.mention_at(end - 1) {
            let mut args = vec![self.arg_of_mention(m)];
            let mut start = m.t0;
            // possessive head: "Russia's Defence Ministry" handled by the mention itself
            while start >= s0 + 2 && matches!(self.w(start - 1), "and" | ",") {
                if let Some(m2) = self.mention_at(start - 2) {
                    args.insert(0, self.arg_of_mention(m2));
                    start = m2.t0;
                } else {
                    break;
                }
            }
            // title phrase: "the chief of the military General Staff"
            if args.len() == 1 && self.ner.entities[m.ent].etype == EType::Organization {
                let mut q = start;
                while q > s0 && !matches!(self.lw(q - 1).as_str(), "of") && start - q < 4 {
                    q -= 1;
                }
                if q > s0 + 1 && self.lw(q - 1) == "of" {
                    let tw = self.lw(q - 2);
                    if tables().title_words.contains(tw.as_str())
                        && let Some(p) = self.titled_person(q, tw)
                    {
                        return Some((vec![p], q - 2));
                    }
                }
            }
            // "Steve Peers of the University of Essex said": the person
            if args.len() == 1 && self.ner.entities[m.ent].etype != EType::Person {
                let mut q = start;
                if q > s0 && self.lw(q - 1) == "the" {
                    q -= 1;
                }
                if q > s0 + 1
                    && matches!(self.lw(q - 1).as_str(), "of" | "from" | "at")
                    && let Some(pm) = self.mention_at(q - 2)
                    && self.ner.entities[pm.ent].etype == EType::Person
                {
                    return Some((vec![self.arg_of_mention(pm)], pm.t0));
                }
            }
            // a common noun after a demonym/country: "Ukrainian officials"
            return Some((args, start));
        }
        let last = self.lw(end - 1);
        // relative clause: "Wiranto, who was visiting …"
        if matches!(last.as_str(), "who" | "which")
            && end >= s0 + 3
            && self.w(end - 2) == ","
            && let Some(m) = self.mention_at(end - 3)
        {
            return Some((vec![self.arg_of_mention(m)], m.t0));
        }
        if let Some(p) = self.pronoun(end - 1, sent) {
            return Some((vec![p], end - 1));
        }
        if matches!(
            last.as_str(),
            "he" | "she" | "they" | "it" | "we" | "i" | "you" | "who" | "which" | "that"
        ) {
            return None;
        }
        // common-noun phrase: up to 5 words back to a determiner
        let mut a = end;
        while a > s0 && end - a < 5 {
            let w = self.w(a - 1);
            let lw = w.to_lowercase();
            if !self.is_word(a - 1) || (is_func(w) && !DETS.contains(&lw.as_str())) {
                break;
            }
            if tables().cues.contains_key(lw.as_str()) && a != end {
                break;
            }
            a -= 1;
            if DETS.contains(&lw.as_str()) {
                break;
            }
        }
        if a == end || !self.is_word(end - 1) || self.toks[end - 1].kind == Kind::Num {
            return None;
        }
        let mut text_start = a;
        while text_start < end && DETS.contains(&self.lw(text_start).as_str()) {
            text_start += 1;
        }
        if text_start == end {
            return None;
        }
        let head = self.lw(end - 1);
        // "the embassy said" → the article's organisation with that head noun
        if text_start > s0
            && self.lw(text_start - 1) == "the"
            && end - text_start == 1
            && let Some(o) = self.named_head(a, head)
        {
            return Some((vec![o], a));
        }
        // title only: "the president said" → last person with that title
        if tables().title_words.contains(head.as_str())
            && let Some(p) = self.titled_person(a, head)
        {
            return Some((vec![p], a));
        }
        // only nouns for people and groups can speak or act
        if !tables().agent_nouns.contains(head.as_str())
            && !tables().title_words.contains(head.as_str())
        {
            return None;
        }
        // demonym inside ("Ukrainian officials") → the country entity
        let ent = (text_start..end)
            .find_map(|x| self.mention_at(x))
            .map(|m| m.ent);
        Some((
            vec![Arg {
                text: self.span(text_start, end).to_string(),
                ent,
            }],
            a,
        ))
    }

    /// The mention at `k`, preferring a titled person over a leading
    /// affiliation (`U.S. President Donald Trump` → Donald Trump).
    pub fn mention_or_titled(&self, k: usize) -> Option<&'a super::entities::Mention> {
        let m = self.mention_at(k)?;
        if self.ner.entities[m.ent].etype == EType::Place {
            let mut q = m.t1;
            while q < self.toks.len()
                && q < m.t1 + 4
                && tables().title_words.contains(self.lw(q).as_str())
            {
                q += 1;
            }
            if q > m.t1
                && let Some(p) = self.mention_at(q)
                && self.ner.entities[p.ent].etype == EType::Person
            {
                return Some(p);
            }
        }
        Some(m)
    }

    /// Object of a verb at `c`: the mention or short noun phrase right after it.
    pub fn object(&self, c: usize, sent: usize) -> Option<Arg> {
        let s1 = self.sents[sent].tok_end;
        let mut k = c + 1;
        while k < s1
            && matches!(
                self.lw(k).as_str(),
                "the" | "a" | "an" | "by" | "off" | "out" | "down" | "up"
            )
        {
            k += 1;
        }
        if k >= s1 {
            return None;
        }
        if let Some(m) = self.mention_at(k) {
            return Some(self.arg_of_mention(m));
        }
        if let Some(p) = self.pronoun(k, sent) {
            return Some(p);
        }
        let mut e = k;
        while e < s1 && e - k < 5 && self.is_word(e) && !is_func(self.w(e)) {
            if let Some(m) = self.mention_at(e) {
                e = m.t1;
                continue;
            }
            e += 1;
        }
        if e == k {
            return None;
        }
        let ent = (k..e).find_map(|x| self.mention_at(x)).map(|m| m.ent);
        Some(Arg {
            text: self.span(k, e).to_string(),
            ent,
        })
    }
}
