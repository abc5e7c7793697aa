//! Attribution: who said, denied, confirmed, accused, praised … what.
//!
//! Owns: finding reporting cues (`reporting-verbs.tsv`, grouped by stance) and
//! their speaker and content in the usual shapes: `X said Y`, `Y, X said`,
//! `"…," said X`, `"…," X said`, `X said: "…"`, `according to X`, `X told Y
//! that`, `X denied that`, `X's assertion that`, `could not independently
//! verify` (question), two claims in one sentence (`denied that A and said B`),
//! participle clauses (`praising …`, `saying …`), several speakers on one verb
//! (one claim each) and `neither confirmed nor denied` (no claim). May not
//! touch: entity recognition, events or the graph.

use super::entities::EType;
use super::lexicon::{Stance, tables};
use super::resolve::{Arg, Ctx};

#[derive(Debug, Clone)]
pub struct Claim {
    pub speaker: Arg,
    pub stance: Stance,
    /// The cue as written (`denied`, `according to`).
    pub verb: String,
    pub content: String,
    pub quote: bool,
    pub sentence: usize,
    /// Global token range of the content.
    pub c0: usize,
    pub c1: usize,
}

fn is_open_quote(s: &str) -> bool {
    matches!(s, "“" | "\"" | "‘")
}
fn is_close_quote(s: &str) -> bool {
    matches!(s, "”" | "\"" | "’")
}

/// For each sentence, where the quote still open at its start began
/// (sentence, first token inside), if any. Quotes do not cross paragraphs.
fn open_quotes(cx: &Ctx) -> Vec<Option<(usize, usize)>> {
    let mut out = Vec::with_capacity(cx.sents.len());
    let mut open: Option<(usize, usize)> = None;
    for (si, s) in cx.sents.iter().enumerate() {
        if si > 0 && cx.text[cx.sents[si - 1].end..s.start].contains('\n') {
            open = None;
        }
        out.push(open);
        for i in s.tok_start..s.tok_end.min(s.tok_start + 400) {
            let w = cx.w(i);
            match open {
                None if is_open_quote(w) && w != "’" => open = Some((si, i + 1)),
                Some(_)
                    if is_close_quote(w)
                        && w != "‘"
                        && (w != "’" || !cx.w(i.saturating_sub(1)).ends_with('s')) =>
                {
                    open = None
                }
                _ => {}
            }
        }
    }
    out
}

/// Quote spans (token ranges of the inside) in a sentence; `carry` when a
/// quote opened in an earlier sentence is still open.
fn quotes(cx: &Ctx, s0: usize, s1: usize, carry: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = carry.then_some(s0);
    for i in s0..s1 {
        let w = cx.w(i);
        match open {
            None if is_open_quote(w) && w != "’" => open = Some(i + 1),
            Some(o)
                if is_close_quote(w)
                    && w != "‘"
                    && (w != "’" || !cx.w(i.saturating_sub(1)).ends_with('s')) =>
            {
                out.push((o, i));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(o) = open {
        out.push((o, s1));
    }
    out
}

/// Irregular past tenses that start a second coordinated clause.
const PAST_VERBS: &[&str] = &[
    "spoke", "met", "went", "gave", "took", "made", "left", "came", "sent", "held", "began",
];

const SUBORD: &[&str] = &[
    "after", "before", "while", "as", "because", "when", "although", "since",
];

pub(crate) fn clean(s: &str) -> String {
    let s = s
        .trim()
        .trim_matches(|c: char| c == ',' || c == '.' || c == ':' || c == ';' || c.is_whitespace());
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"'))
        .collect();
    s.trim().to_string()
}

/// Skips introductory adjuncts after a cue: `on Saturday`, `for the first
/// time`, `in a statement`, `what he said was`.
fn skip_intro(cx: &Ctx, mut k: usize, s1: usize) -> usize {
    loop {
        let start = k;
        if k < s1 && matches!(cx.lw(k).as_str(), "on" | "last" | "late" | "early") && k + 1 < s1 {
            let nx = cx.w(k + 1);
            if nx.ends_with("day")
                || super::reader::month_of(nx).is_some()
                || matches!(nx, "week" | "month" | "year" | "Monday")
            {
                k += 2;
            }
        }
        if k + 3 < s1 && cx.lw(k) == "for" && cx.lw(k + 1) == "the" && cx.lw(k + 3) == "time" {
            k += 4;
        }
        if k + 2 < s1
            && cx.lw(k) == "in"
            && matches!(cx.lw(k + 1).as_str(), "a" | "an" | "the")
            && matches!(
                cx.lw(k + 2).as_str(),
                "statement" | "interview" | "speech" | "letter" | "post" | "tweet"
            )
        {
            k += 3;
        }
        if k < s1 && cx.lw(k) == "what" {
            // what he said was …
            let mut q = k + 1;
            while q < s1 && q - k < 5 && cx.lw(q) != "was" && cx.lw(q) != "is" {
                q += 1;
            }
            if q < s1 && q - k < 5 {
                k = q + 1;
            }
        }
        if k < s1 && matches!(cx.w(k), "," | ":" | "that") {
            k += 1;
        }
        if k == start {
            return k;
        }
    }
}

/// End of a forward content span starting at `k`.
fn content_end(cx: &Ctx, k: usize, s1: usize) -> usize {
    let t = tables();
    let mut in_q = false;
    let mut i = k;
    while i < s1 {
        let w = cx.w(i);
        if is_open_quote(w) && !in_q {
            in_q = true;
        } else if is_close_quote(w) && in_q {
            in_q = false;
        }
        if !in_q {
            let lw = cx.lw(i);
            if w == "," && i + 1 < s1 {
                let nx = cx.lw(i + 1);
                if matches!(
                    nx.as_str(),
                    "which" | "saying" | "adding" | "according" | "while"
                ) || (nx.ends_with("ing") && t.cues.contains_key(nx.as_str()))
                {
                    return i;
                }
            }
            if w == ";" {
                return i;
            }
            if lw == "and" && i + 1 < s1 {
                // "and said B" / "and also said B"
                let mut q = i + 1;
                while q < s1 && matches!(cx.lw(q).as_str(), "also" | "later" | "then") {
                    q += 1;
                }
                if q < s1 && t.cues.contains_key(cx.lw(q).as_str()) && !cx.lw(q).ends_with("ing") {
                    return i;
                }
                // "urged X to reconsider and spoke with Y": a second verb
                let nw = cx.lw(i + 1);
                if i > k + 2 && PAST_VERBS.contains(&nw.as_str()) {
                    return i;
                }
            }
            if SUBORD.contains(&lw.as_str()) && i > k {
                for q in i + 1..(i + 5).min(s1) {
                    if t.cues.contains_key(cx.lw(q).as_str()) && !cx.lw(q).ends_with("ing") {
                        return i;
                    }
                }
            }
        }
        i += 1;
    }
    s1
}

fn negated(cx: &Ctx, c: usize, s0: usize) -> bool {
    let lo = c.saturating_sub(3).max(s0);
    (lo..c).any(|k| {
        matches!(
            cx.lw(k).as_str(),
            "not" | "n't" | "never" | "neither" | "nor" | "no"
        )
    })
}

/// Extracts the claims of every sentence.
pub fn claims(cx: &Ctx) -> Vec<Claim> {
    let t = tables();
    let mut out: Vec<Claim> = Vec::new();
    let carried = open_quotes(cx);
    for (si, s) in cx.sents.iter().enumerate() {
        let (s0, s1) = (s.tok_start, s.tok_end);
        if s1 - s0 > 400 {
            // an endless "sentence": only its first part is analysed
        }
        let s1 = s1.min(s0 + 400);
        let qs = quotes(cx, s0, s1, carried[si].is_some());
        let in_quote = |i: usize| qs.iter().any(|&(a, b)| i >= a && i < b);
        let first_in_sentence = out.len();
        let mut i = s0;
        while i < s1 {
            let lw = cx.lw(i);
            // according to X
            if lw == "according" && i + 1 < s1 && cx.lw(i + 1) == "to" && !in_quote(i) {
                // the parse names the noun "according to" governs, so a
                // document noun leads to its issuer ("according to data
                // from the WHO")
                let parsed_sp = (cx.syn.parsed(i) && cx.syn.rel(i) == "case")
                    .then(|| cx.syn.head(i))
                    .flatten()
                    .filter(|&h| h > i + 1)
                    .and_then(|h| speaker_at(cx, h, si))
                    .filter(|a| a.ent.is_some());
                if let Some(sp) = parsed_sp.or_else(|| cx.object(i + 1, si)) {
                    let sp_end = cx.mention_at(i + 2).map(|m| m.t1).unwrap_or(i + 3).min(s1);
                    // a short adjunct before: "On Sunday, according to
                    // witnesses, a man …" → the content follows
                    let after_comma = (sp_end..(sp_end + 8).min(s1)).find(|&k| cx.w(k) == ",");
                    let (c0, c1) = if i > s0 && i - s0 <= 7 && after_comma.is_some() {
                        (after_comma.unwrap_or(sp_end) + 1, s1)
                    } else if i == s0 {
                        let mut c = sp_end;
                        while c < s1 && cx.w(c) != "," {
                            c += 1;
                        }
                        // "According to Rathbun the property was …": no
                        // comma, the content follows the speaker
                        if c >= s1 { (sp_end, s1) } else { (c + 1, s1) }
                    } else {
                        (
                            s0,
                            if i > s0 && cx.w(i - 1) == "," {
                                i - 1
                            } else {
                                i
                            },
                        )
                    };
                    if c1 > c0 {
                        out.push(Claim {
                            speaker: sp,
                            stance: Stance::Assert,
                            verb: "according to".into(),
                            content: clean(cx.span(c0, c1)),
                            quote: false,
                            sentence: si,
                            c0,
                            c1,
                        });
                    }
                }
                i += 2;
                continue;
            }
            // could not (independently) verify
            if lw == "could" && i + 2 < s1 && matches!(cx.lw(i + 1).as_str(), "not" | "n't") {
                let mut v = i + 2;
                while v < s1 && matches!(cx.lw(v).as_str(), "independently" | "immediately" | "yet")
                {
                    v += 1;
                }
                if v < s1 && matches!(cx.lw(v).as_str(), "verify" | "confirm") {
                    if let Some((sps, _)) = cx.subject(i, si) {
                        let c0 = v + 1;
                        let c1 = content_end(cx, c0, s1);
                        for sp in sps {
                            out.push(Claim {
                                speaker: sp,
                                stance: Stance::Question,
                                verb: format!("could not {}", cx.span(i + 2, v + 1)),
                                content: clean(cx.span(c0, c1)),
                                quote: false,
                                sentence: si,
                                c0,
                                c1,
                            });
                        }
                    }
                    i = v + 1;
                    continue;
                }
            }
            // nominal cue with a possessive: "Gerasimov's assertion that …"
            if let Some(&st) = t.noun_cues.get(lw.as_str())
                && i > s0 + 1
                && matches!(cx.w(i - 1), "'s" | "’s")
                && i + 1 < s1
                && cx.lw(i + 1) == "that"
                && let Some(m) = cx.mention_at(i - 2)
            {
                let c0 = i + 2;
                let c1 = content_end(cx, c0, s1);
                out.push(Claim {
                    speaker: cx.arg_of_mention(m),
                    stance: st,
                    verb: cx.w(i).to_string(),
                    content: clean(cx.span(c0, c1)),
                    quote: false,
                    sentence: si,
                    c0,
                    c1,
                });
            }
            if !in_quote(i) && cx.syn.parsed(i) {
                match parse_cue(cx, i, si, &qs, carried[si]) {
                    ParseCue::Claims(v) => {
                        // "praising X, saying Y": one claim, as the surface rule does
                        if lw == "saying"
                            && v.len() == 1
                            && let Some(prev) = out[first_in_sentence..].last_mut()
                            && !matches!(prev.stance, Stance::Assert)
                            && prev.speaker == v[0].speaker
                        {
                            prev.content = format!("{}; {}", prev.content, v[0].content);
                            prev.c1 = v[0].c1;
                        } else {
                            out.extend(v);
                        }
                        i += 1;
                        continue;
                    }
                    ParseCue::Reject => {
                        i += 1;
                        continue;
                    }
                    ParseCue::Unsure => {}
                }
                // a noun or adjective the surface list takes for a verb ("reports")
                if !matches!(cx.syn.upos(i), crate::nlp::tags::Upos::Verb) {
                    i += 1;
                    continue;
                }
            }
            let Some((_lemma, stance)) = t.cues.get(lw.as_str()).cloned() else {
                i += 1;
                continue;
            };
            let w = cx.w(i);
            if in_quote(i)
                || w.chars().next().is_some_and(|c| c.is_uppercase()) && i != s0
                || negated(cx, i, s0)
            {
                i += 1;
                continue;
            }
            // nouns that look like verbs: "a report", "the claims"
            if i > s0
                && matches!(
                    cx.lw(i - 1).as_str(),
                    "a" | "an"
                        | "the"
                        | "this"
                        | "that"
                        | "his"
                        | "her"
                        | "its"
                        | "their"
                        | "to"
                        | "of"
                )
            {
                i += 1;
                continue;
            }
            // "wrote to the embassy", "spoke to reporters": an addressee, no content
            if i + 1 < s1
                && cx.lw(i + 1) == "to"
                && matches!(lw.as_str(), "wrote" | "writes" | "write")
            {
                i += 1;
                continue;
            }
            // passive "Johnson was questioned about …": the subject did not speak
            if i > s0
                && lw.ends_with("ed")
                && matches!(
                    cx.lw(i - 1).as_str(),
                    "was" | "were" | "been" | "being" | "is" | "are" | "be"
                )
            {
                i += 1;
                continue;
            }
            // "what he said was …": not a claim of its own
            if i > s0 + 1 && cx.lw(i - 2) == "what" {
                i += 1;
                continue;
            }
            let participle = lw.ends_with("ing");
            // speaker
            let mut speakers: Vec<Arg> = Vec::new();
            let mut subj_start = i;
            let mut inverted = false;
            if participle {
                if i > s0 && cx.w(i - 1) == "," {
                    if let Some(prev) = out[first_in_sentence..].last() {
                        speakers.push(prev.speaker.clone());
                    } else if let Some((sp, st)) = first_subject(cx, si, i) {
                        speakers = sp;
                        subj_start = st;
                    }
                } else if let Some((sp, st)) = cx.subject(i, si) {
                    speakers = sp;
                    subj_start = st;
                }
            } else if i > s0
                && matches!(cx.lw(i - 1).as_str(), "and" | "also")
                && let Some(prev) = out[first_in_sentence..].last()
            {
                // "denied that A and said B": the same speaker
                speakers.push(prev.speaker.clone());
                subj_start = i;
            } else if i > s0 + 1
                && cx.lw(i - 1) == "and"
                && cx.w(i - 2) != ","
                && let Some((sp, _)) = first_subject(cx, si, i)
            {
                // "X gave its sympathies and said B": the clause's subject
                speakers = sp;
                subj_start = i;
            } else if i > s0
                && (cx.w(i - 1) == "," || is_close_quote(cx.w(i - 1)))
                && let Some(sp) = inverted_speaker(cx, i, si)
            {
                // inversion: "…," said X
                speakers.push(sp);
                inverted = true;
            } else if let Some((sp, st)) = cx.subject(i, si) {
                speakers = sp;
                subj_start = st;
            }
            if speakers.is_empty() {
                i += 1;
                continue;
            }
            // content
            let before_subj = subj_start.saturating_sub(1);
            let quote_before = qs
                .iter()
                .rev()
                .find(|&&(_, b)| b < subj_start.min(i) && b + 3 >= subj_start.min(i))
                .copied();
            let mut claim_sent = si;
            let (c0, c1, is_quote) = if inverted
                || (!participle && quote_before.is_some() && no_complement(cx, i, s1))
            {
                if let Some((a, b)) = qs.iter().rev().find(|&&(_, b)| b < i).copied() {
                    if a == s0
                        && let Some((os, ot)) = carried[si]
                    {
                        // a quote over several sentences: its first sentence
                        claim_sent = os;
                        let oe = cx.sents[os].tok_end;
                        let oe = if oe > ot && is_close_quote(cx.w(oe - 1)) {
                            oe - 1
                        } else {
                            oe
                        };
                        (ot, oe, true)
                    } else {
                        (a, b, true)
                    }
                } else {
                    (s0, before_subj.max(s0), false)
                }
            } else if !participle
                && subj_start > s0
                && cx.w(before_subj) == ","
                && content_after_is_empty(cx, i, s1)
            {
                // "Y, X said."
                (s0, before_subj, false)
            } else {
                let mut k = i + 1;
                // told X that / warned X that
                if matches!(
                    lw.as_str(),
                    "told"
                        | "tells"
                        | "telling"
                        | "tell"
                        | "warned"
                        | "assured"
                        | "informed"
                        | "reminded"
                ) {
                    let mut q = k;
                    while q < s1
                        && q - k < 10
                        && cx.lw(q) != "that"
                        && !matches!(cx.w(q), ":" | "“" | "\"")
                    {
                        q += 1;
                    }
                    if q < s1 && q - k < 10 && (cx.lw(q) == "that" || q - k <= 4) {
                        k = q;
                    }
                }
                k = skip_intro(cx, k, s1);
                if k < s1 && is_open_quote(cx.w(k)) {
                    if let Some(&(a, b)) = qs.iter().find(|&&(a, _)| a == k + 1) {
                        // a long quote: its first sentence is the content anyway
                        (a, b, true)
                    } else {
                        (k + 1, s1, true)
                    }
                } else {
                    (k, content_end(cx, k, s1), false)
                }
            };
            let content = clean(cx.span(c0, c1));
            if content.split_whitespace().count() == 0 {
                i += 1;
                continue;
            }
            // a participle "saying …" after a praise/criticism by the same speaker extends it
            if participle
                && lw == "saying"
                && let Some(prev) = out[first_in_sentence..].last_mut()
                && !matches!(prev.stance, Stance::Assert)
                && speakers.len() == 1
                && prev.speaker == speakers[0]
            {
                prev.content = format!("{}; {}", prev.content, content);
                prev.c1 = c1;
                i = c1.max(i + 1);
                continue;
            }
            for sp in speakers {
                out.push(Claim {
                    speaker: sp,
                    stance,
                    verb: w.to_string(),
                    content: content.clone(),
                    quote: is_quote,
                    sentence: claim_sent,
                    c0,
                    c1,
                });
            }
            i += 1;
        }
    }
    continued_quotes(cx, &carried, &mut out);
    out.retain(acceptable);
    out
}

/// A quote block with no reporting verb of its own, right after a sentence
/// that quoted someone, goes on in that speaker's voice: one more claim (a
/// separate act of saying, as FORMAT.md counts them), whose content is the
/// block's first sentence.
fn continued_quotes(cx: &Ctx, carried: &[Option<(usize, usize)>], out: &mut Vec<Claim>) {
    let n = cx.sents.len();
    let mut add = Vec::new();
    for si in 1..n {
        let s = &cx.sents[si];
        let (s0, s1) = (s.tok_start, s.tok_end.min(s.tok_start + 400));
        if s1 <= s0 + 2 || carried[si].is_some() || !is_open_quote(cx.w(s0)) {
            continue;
        }
        // the block: this sentence and those the quote stays open into
        let mut last = si;
        while last + 1 < n && carried[last + 1].is_some_and(|(o, _)| o == si) {
            last += 1;
        }
        // it must end at its closing mark, with nothing after but punctuation
        let l = &cx.sents[last];
        let (l0, l1) = (l.tok_start, l.tok_end.min(l.tok_start + 400));
        let Some(close) = (l0..l1).rev().find(|&k| is_close_quote(cx.w(k)) && k > s0) else {
            continue;
        };
        if (close + 1..l1).any(|k| cx.is_word(k)) {
            continue;
        }
        if out.iter().any(|c| c.sentence >= si && c.sentence <= last) {
            continue;
        }
        let Some(prev) = out.iter().rev().find(|c| c.sentence == si - 1 && c.quote) else {
            continue;
        };
        let c1 = if last == si { close } else { s1 };
        let content = clean(cx.span(s0 + 1, c1));
        if content.split_whitespace().count() < 3 {
            continue;
        }
        add.push(Claim {
            speaker: prev.speaker.clone(),
            stance: Stance::Assert,
            verb: prev.verb.clone(),
            content,
            quote: true,
            sentence: si,
            c0: s0 + 1,
            c1,
        });
    }
    for c in add {
        let at = out
            .iter()
            .position(|x| x.sentence > c.sentence)
            .unwrap_or(out.len());
        out.insert(at, c);
    }
}

/// Heads of noun phrases that name nobody in particular: `people`,
/// `others`, `the majority`, `my family`.
const GENERIC_SPEAKERS: &[&str] = &[
    "people",
    "others",
    "other",
    "majority",
    "many",
    "some",
    "everyone",
    "everybody",
    "someone",
    "somebody",
    "anyone",
    "nobody",
    "one",
    "body",
    "family",
    "team",
    "all",
    "most",
    "few",
];

/// Claims a reader would not accept: a speaker who names nobody, or a
/// content that is a dangling subordinate clause (`though Trump said …`).
fn acceptable(c: &Claim) -> bool {
    if c.speaker.ent.is_none() {
        let words: Vec<String> = c
            .speaker
            .text
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        let head = words.last().map(String::as_str).unwrap_or("");
        let first = words.first().map(String::as_str).unwrap_or("");
        if GENERIC_SPEAKERS.contains(&head)
            || matches!(first, "my" | "your" | "our")
            || c.speaker
                .text
                .chars()
                .next()
                .is_some_and(|ch| !ch.is_alphanumeric())
        {
            return false;
        }
    }
    let first = c
        .content
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    // a quote is what was said, however it starts
    if c.quote {
        return true;
    }
    match first.as_str() {
        "and" | "but" | "or" | "by" | "from" => false,
        // "said when asked": an adjunct, not what was said; "said that if X,
        // Y": the clause goes on past the comma to what was said
        "though" | "although" | "because" | "while" | "if" | "when" | "unless" | "whereas" => {
            c.content.contains(", ")
        }
        _ => true,
    }
}

/// True when nothing but adjuncts follows the cue (`…, Putin said in video footage`).
fn content_after_is_empty(cx: &Ctx, c: usize, s1: usize) -> bool {
    let k = c + 1;
    if k >= s1 {
        return true;
    }
    let w = cx.lw(k);
    if matches!(
        w.as_str(),
        "." | "in"
            | "on"
            | "at"
            | "during"
            | "after"
            | "late"
            | "earlier"
            | "last"
            | "told"
            | ","
            | "to"
            | "when"
            | "while"
            | "according"
    ) {
        return !matches!(w.as_str(), "that");
    }
    false
}

/// Subject of the sentence's main clause: the first mention before `limit`.
fn first_subject(cx: &Ctx, si: usize, limit: usize) -> Option<(Vec<Arg>, usize)> {
    let s0 = cx.sents[si].tok_start;
    (s0..limit)
        .find_map(|k| cx.mention_at(k))
        .map(|m| (vec![cx.arg_of_mention(m)], m.t0))
}

/// Speaker after the cue in an inversion (`…," said Putin.`): a mention or a
/// titled phrase, followed by the end of the sentence or a comma.
fn inverted_speaker(cx: &Ctx, c: usize, si: usize) -> Option<Arg> {
    let s1 = cx.sents[si].tok_end;
    let mut sp = cx.object(c, si)?;
    let mut k = c + 1;
    while k < s1 && matches!(cx.lw(k).as_str(), "the" | "a" | "an") {
        k += 1;
    }
    // a title phrase before the name: "…, stated Minister of Information
    // Moammar al-Eryani." → the person
    if cx.mention_at(k).is_none() {
        let mut q = k;
        while q < s1 && q < k + 10 && !matches!(cx.w(q), "," | "." | ";") {
            if let Some(m) = cx.mention_at(q) {
                if cx.ner.entities[m.ent].etype == EType::Person {
                    sp = cx.arg_of_mention(m);
                    k = q;
                }
                break;
            }
            q += 1;
        }
    }
    let end = match cx.mention_at(k) {
        Some(m) => m.t1,
        None => {
            let mut e = k;
            while e < s1 && cx.is_word(e) && e - k < 5 {
                e += 1;
            }
            e
        }
    };
    let ok_end = end >= s1 || matches!(cx.w(end), "." | "," | ";" | "in" | "on" | "at");
    let named = sp.ent.is_some()
        || sp
            .text
            .split_whitespace()
            .any(|w| tables().title_words.contains(w));
    (ok_end && named).then_some(sp)
}

/// No clausal complement after the cue (`…," Pompeo told the press on Tuesday.`).
fn no_complement(cx: &Ctx, c: usize, s1: usize) -> bool {
    if content_after_is_empty(cx, c, s1) {
        return true;
    }
    !(c + 1..s1.min(c + 8)).any(|k| cx.lw(k) == "that" || is_open_quote(cx.w(k)) || cx.w(k) == ":")
}

/// What the parse decided about a reporting verb.
enum ParseCue {
    /// Claims read from the tree.
    Claims(Vec<Claim>),
    /// Not a claim (negated, an adjective, `declined to comment`, a passive
    /// without an agent …): the surface rules must not make one either.
    Reject,
    /// The tree does not say (no subject or no content found): the surface
    /// rules decide.
    Unsure,
}

/// Relations whose subtrees are not part of a speaker's noun phrase core.
pub(crate) fn np_core_skip(cx: &Ctx, k: usize) -> bool {
    matches!(
        cx.syn.rel(k),
        "acl:relcl" | "acl" | "appos" | "conj" | "cc" | "punct" | "nmod" | "parataxis" | "advmod"
    )
}

/// Nouns for documents and messages: the speaker is their issuer.
const DOC_NOUNS: &[&str] = &[
    "statement",
    "tweet",
    "post",
    "release",
    "letter",
    "message",
    "report",
    "video",
    "communique",
    "filing",
    "memo",
    "ruling",
    "judgment",
    "verdict",
    "decision",
    "summary",
    "data",
    "figure",
    "estimate",
    "analysis",
    "survey",
    "poll",
    "study",
    "note",
    "website",
    "announcement",
    "bulletin",
    "account",
];

/// Head nouns that stand for an organisation named earlier (`the company
/// said` → the last organisation before it).
const ORG_HEADS: &[&str] = &[
    "company",
    "firm",
    "chain",
    "retailer",
    "utility",
    "carrier",
    "airline",
    "corporation",
    "business",
    "manufacturer",
    "operator",
    "bank",
    "newspaper",
    "broadcaster",
    "agency",
    "group",
    "organisation",
    "organization",
    "council",
    "commission",
    "court",
    "ministry",
    "department",
];

/// The speaker named by a subject (or agent) headed at `h`: the entity
/// mentioned in its noun-phrase core, a resolved pronoun, the issuer of a
/// document noun, a titled person, or the phrase itself.
pub(crate) fn speaker_at(cx: &Ctx, h: usize, si: usize) -> Option<Arg> {
    let syn = cx.syn;
    let lw = cx.lw(h).as_str();
    if matches!(lw, "who" | "which" | "that") {
        // "X, who said …": the noun the relative clause modifies
        let verb = syn.head(h)?;
        if syn.rel(verb) == "acl:relcl" {
            return speaker_at(cx, syn.head(verb)?, si);
        }
        return None;
    }
    if matches!(syn.upos(h), crate::nlp::tags::Upos::Pron) {
        return cx.pronoun(h, si);
    }
    if let Some(m) = cx.mention_or_titled(h) {
        return Some(cx.arg_of_mention(m));
    }
    let (lo, hi) = syn.subtree(h, &|k| np_core_skip(cx, k));
    // an appositive name: "the ministry's spokesman, Ivan Petrov, said"
    for k in syn.children(h) {
        if matches!(syn.rel(k), "appos" | "flat" | "compound" | "nmod:desc")
            && let Some(m) = cx.mention_or_titled(k)
            && (cx.ner.entities[m.ent].etype == EType::Person
                // "Denmark-based retailer Salling Group": a named body
                || (cx.ner.entities[m.ent].etype == EType::Organization
                    && k > h
                    && syn.upos(h) == crate::nlp::tags::Upos::Noun))
        {
            return Some(cx.arg_of_mention(m));
        }
    }
    if let Some(m) = (lo..hi).rev().find_map(|k| cx.mention_or_titled(k)) {
        // a person named in the phrase ("the envoy Karin Lund") is who it is
        if cx.ner.entities[m.ent].etype == EType::Person {
            return Some(cx.arg_of_mention(m));
        }
        // "Kremlin spokesman" → the person holding the title is better, but a
        // named organisation or country in the core is the speaker otherwise
        if DOC_NOUNS.contains(&syn.lemma(h)) || syn.upos(h) == crate::nlp::tags::Upos::Propn {
            return Some(cx.arg_of_mention(m));
        }
        if let Some((mut v, _)) = cx.subject(hi, si)
            && let Some(a) = v.pop()
        {
            return Some(a);
        }
        return Some(cx.arg_of_mention(m));
    }
    // "representatives from Iran", "officials of the ministry": the body
    // they speak for
    if tables().agent_nouns.contains(syn.lemma(h)) || tables().agent_nouns.contains(lw) {
        for k in syn.children(h) {
            if syn.rel(k) == "nmod"
                && syn.children(k).any(|c| {
                    syn.rel(c) == "case" && matches!(cx.lw(c).as_str(), "from" | "of" | "at")
                })
                && let Some(m) = cx.mention_at(k)
                && cx.ner.entities[m.ent].etype != EType::Person
            {
                return Some(cx.arg_of_mention(m));
            }
        }
    }
    // "one of the children", "some of the protesters": the phrase as written
    if matches!(
        lw,
        "one" | "some" | "several" | "many" | "most" | "two" | "three" | "few"
    ) && let Some(k) = syn.children(h).find(|&k| {
        syn.rel(k) == "nmod"
            && syn
                .children(k)
                .any(|c| syn.rel(c) == "case" && cx.lw(c) == "of")
    }) && cx.mention_at(k).is_none()
    {
        let (_, hi) = syn.subtree(k, &|x| np_core_skip(cx, x) && x != k);
        let text = clean(cx.span(h, hi.max(k + 1)));
        if !text.is_empty() {
            return Some(Arg { text, ent: None });
        }
    }
    if DOC_NOUNS.contains(&syn.lemma(h)) {
        // "a statement from the ministry", "the report by X"
        for k in syn.children(h) {
            if matches!(syn.rel(k), "nmod" | "nmod:poss")
                && !matches!(syn.upos(k), crate::nlp::tags::Upos::Pron)
                && let Some(a) = speaker_at(cx, k, si)
            {
                return Some(a);
            }
        }
    }
    // "the government", "the company": the entity the article means by it
    let bare = (lo..h).all(|k| matches!(cx.lw(k).as_str(), "the" | "its" | "their"));
    if bare && syn.lemma(h) == "government" && cx.lw(h) == "government" {
        return cx.main_country();
    }
    if bare && ORG_HEADS.contains(&syn.lemma(h)) && syn.upos(h) == crate::nlp::tags::Upos::Noun {
        let head = cx.lw(h).to_string();
        if let Some(a) = cx
            .named_head(h, &head)
            .or_else(|| cx.last_entity_before(h, |e| e.etype == EType::Organization))
        {
            return Some(a);
        }
    }
    if let Some((mut v, _)) = cx.subject(hi, si)
        && v.len() == 1
        && let Some(a) = v.pop()
    {
        return Some(a);
    }
    if matches!(
        syn.upos(h),
        crate::nlp::tags::Upos::Noun | crate::nlp::tags::Upos::Propn
    ) {
        let mut a = lo;
        // determiners, and the preposition of an issuer ("a poll by X")
        while a < h
            && (matches!(
                cx.lw(a).as_str(),
                "the" | "a" | "an" | "this" | "these" | "those"
            ) || syn.rel(a) == "case")
        {
            a += 1;
        }
        let text = clean(cx.span(a, hi));
        if !text.is_empty() {
            return Some(Arg { text, ent: None });
        }
    }
    None
}

/// The subjects of a verb: its `nsubj` and the nouns coordinated with it, or
/// the passive agent; a verb without one borrows its governor's (`… and
/// said`, `saying …`, `continued to deny`).
fn subjects_of(cx: &Ctx, v: usize, si: usize) -> Vec<Arg> {
    let syn = cx.syn;
    let mut k = v;
    for _ in 0..4 {
        let subj = syn
            .child(k, "nsubj")
            .or_else(|| syn.child(k, "obl:agent"))
            .or_else(|| (k != v).then(|| syn.child(k, "nsubj:pass")).flatten());
        if let Some(h) = subj {
            // "A member of parliament, Samir Dilou, said": a title noun as the
            // head, a named person right before the cue
            if k == v
                && syn.upos(h) == crate::nlp::tags::Upos::Noun
                && cx.mention_at(h).is_none()
                && h < v
                && let Some((sp, _)) = cx.subject(v, si)
                && sp.len() == 1
                && sp[0]
                    .ent
                    .is_some_and(|e| cx.ner.entities[e].etype == EType::Person)
            {
                return sp;
            }
            if let Some(people) = named_people_coordinated(cx, h, v) {
                return people;
            }
            let conjs: Vec<usize> = syn.children(h).filter(|&c| syn.rel(c) == "conj").collect();
            // "The suspect, Houston police said, fled …": no "and" anywhere,
            // and the last part runs up to the cue: that part speaks, in a
            // parenthetical the parse took for a list
            if let Some(&last) = conjs.last()
                && h < v
                && syn.subtree(last, &|_| false).1 == v
                && v + 1 < cx.sents[si].tok_end
                && cx.lw(v + 1) == ","
                && !(h..v).any(|k| syn.rel(k) == "cc")
            {
                return speaker_at(cx, last, si).into_iter().collect();
            }
            let mut out: Vec<Arg> = Vec::new();
            for n in std::iter::once(h).chain(conjs) {
                if let Some(a) = speaker_at(cx, n, si)
                    && !out.contains(&a)
                {
                    out.push(a);
                }
            }
            return out;
        }
        if !matches!(syn.rel(k), "conj" | "xcomp" | "advcl" | "acl") {
            return Vec::new();
        }
        if k == v && syn.rel(k) == "advcl" {
            // "said, "A", also observing, "B"": a participle the parse hangs
            // inside what a cue said belongs to that cue's speaker
            if let Some(x) = syn.head(k)
                && matches!(syn.rel(x), "ccomp" | "parataxis")
                && let Some(c) = syn.head(x)
                && verb_cue(cx, c).is_some()
            {
                return subjects_of(cx, c, si);
            }
        }
        if syn.rel(k) == "conj" {
            // "denied that A and said B": the parse may hang `said` on a verb
            // inside the first content; the speaker is the nearest cue's
            let mut a = syn.head(k);
            for _ in 0..6 {
                let Some(x) = a else { break };
                if x != k && verb_cue(cx, x).is_some() {
                    return subjects_of(cx, x, si);
                }
                a = syn.head(x);
            }
        }
        match syn.head(k) {
            Some(h) => k = h,
            None => return Vec::new(),
        }
    }
    Vec::new()
}

/// Named people joined by "and" in the subject phrase at `h`, however the
/// parse hung them ("Prime Minister Boris Johnson and President Emmanuel
/// Macron said"): one speaker each. Only titles, commas and "and" may stand
/// between the names.
fn named_people_coordinated(cx: &Ctx, h: usize, v: usize) -> Option<Vec<Arg>> {
    let syn = cx.syn;
    let (lo, hi) = syn.subtree(h, &|_| false);
    if hi > v || hi - lo > 40 {
        return None;
    }
    let mut people: Vec<(usize, usize, Arg)> = Vec::new();
    let mut k = lo;
    while k < hi {
        if let Some(m) = cx.mention_at(k) {
            if cx.ner.entities[m.ent].etype == EType::Person && m.t0 >= lo && m.t1 <= hi {
                people.push((m.t0, m.t1, cx.arg_of_mention(m)));
            }
            k = m.t1.max(k + 1);
        } else {
            k += 1;
        }
    }
    if people.len() < 2 {
        return None;
    }
    let mut and = false;
    for w in people.windows(2) {
        for q in w[0].1..w[1].0 {
            let lw = cx.lw(q);
            match lw.as_str() {
                "and" => and = true,
                "," => {}
                x if tables().title_words.contains(x)
                    || cx.w(q).starts_with(|c: char| c.is_uppercase()) => {}
                _ => return None,
            }
        }
    }
    and.then(|| {
        let mut out: Vec<Arg> = Vec::new();
        for (_, _, a) in people {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    })
}

/// The reporting verb at `v` (if the lexicon knows its lemma).
fn verb_cue(cx: &Ctx, v: usize) -> Option<&'static super::lexicon::VerbCue> {
    let syn = cx.syn;
    if syn.upos(v) != crate::nlp::tags::Upos::Verb {
        return None;
    }
    let t = tables();
    let lemma = syn.lemma(v);
    for k in syn.children(v) {
        let with = match syn.rel(k) {
            "compound:prt" => format!("{lemma} {}", cx.lw(k)),
            "obl" => match syn.children(k).find(|&c| syn.rel(c) == "case") {
                Some(c) => format!("{lemma} {}", cx.lw(c)),
                None => continue,
            },
            _ => continue,
        };
        if let Some(c) = t.verb_cues.get(&with) {
            return Some(c);
        }
    }
    t.verb_cues.get(lemma)
}

/// Reads a claim off the tree for the reporting verb at `v`.
fn parse_cue(
    cx: &Ctx,
    v: usize,
    si: usize,
    qs: &[(usize, usize)],
    carry: Option<(usize, usize)>,
) -> ParseCue {
    let syn = cx.syn;
    let Some(cue) = verb_cue(cx, v) else {
        return ParseCue::Unsure;
    };
    let s = &cx.sents[si];
    let rel = syn.rel(v);
    // an adjective or a noun modifier, "what he said was", a hypothesis
    if matches!(rel, "amod" | "csubj" | "csubj:pass" | "compound") {
        return ParseCue::Reject;
    }
    // "what he said was …", "the claims he denied": the content is elsewhere
    if rel == "acl:relcl" {
        if syn
            .head(v)
            .is_some_and(|h| matches!(cx.lw(h).as_str(), "what" | "whatever"))
        {
            // "what X described as …": the surface rules know these shapes
            return ParseCue::Unsure;
        }
        if !syn.has_child(v, "ccomp") {
            // "the claims he denied", or a mis-attached "…, officials said":
            // the surface rules tell them apart
            return ParseCue::Unsure;
        }
    }
    if syn.children(v).any(|k| {
        matches!(syn.rel(k), "mark") && matches!(cx.lw(k).as_str(), "if" | "whether" | "unless")
    }) {
        return ParseCue::Reject;
    }
    // negation: "did not deny", "neither confirmed nor denied"
    let negated = |k: usize| {
        syn.children(k).any(|c| {
            (matches!(syn.rel(c), "advmod" | "cc:preconj" | "cc" | "det")
                && matches!(
                    cx.lw(c).as_str(),
                    "not" | "n't" | "never" | "neither" | "nor"
                ))
        })
    };
    if negated(v) || (rel == "conj" && syn.head(v).is_some_and(negated)) {
        return ParseCue::Reject;
    }
    // "declined to comment", "refused to confirm", "wants to say"
    if rel == "xcomp"
        && let Some(h) = syn.head(v)
        && !matches!(syn.lemma(h), "continue" | "begin" | "start" | "keep" | "go")
        && !tables().verb_cues.contains_key(syn.lemma(h))
    {
        return ParseCue::Reject;
    }
    // "refused to comment", "declined to confirm": silence, not a claim
    if matches!(syn.lemma(v), "refuse" | "decline")
        && syn.children(v).any(|k| {
            syn.rel(k) == "xcomp"
                && (matches!(
                    syn.lemma(k),
                    "comment"
                        | "say"
                        | "speak"
                        | "answer"
                        | "discuss"
                        | "elaborate"
                        | "respond"
                        | "reply"
                        | "talk"
                ) || tables().verb_cues.contains_key(syn.lemma(k)))
        })
    {
        return ParseCue::Reject;
    }
    // passive: "was questioned about", unless an agent speaks ("was denied by X")
    let passive = syn
        .children(v)
        .any(|k| matches!(syn.rel(k), "aux:pass" | "nsubj:pass"));
    if passive && !syn.has_child(v, "obl:agent") {
        return ParseCue::Reject;
    }
    // "denied them entry", "denied me": to refuse someone something
    if syn.lemma(v) == "deny"
        && (syn.has_child(v, "iobj")
            || syn.child(v, "obj").is_some_and(|o| {
                matches!(
                    cx.lw(o).as_str(),
                    "me" | "him" | "her" | "them" | "us" | "you"
                ) || syn.children(v).filter(|&k| syn.rel(k) == "obj").count() > 1
            }))
    {
        return ParseCue::Reject;
    }
    let speakers = subjects_of(cx, v, si);
    if speakers.is_empty() {
        return ParseCue::Unsure;
    }
    // the content: clause, infinitive, object (+ its prepositional phrase)
    let addressee = !cue.np_content;
    let has_clause = syn
        .children(v)
        .any(|k| matches!(syn.rel(k), "ccomp" | "xcomp") || (syn.rel(k) == "parataxis" && k > v));
    let mut span: Option<(usize, usize)> = None;
    fn add(span: &mut Option<(usize, usize)>, lo: usize, hi: usize) {
        *span = Some(match *span {
            Some((a, b)) => (a.min(lo), b.max(hi)),
            None => (lo, hi),
        })
    }
    let mut is_clause = false;
    for k in syn.children(v) {
        let r = syn.rel(k);
        let take = match r {
            "ccomp" => true,
            "xcomp" => true,
            "parataxis" => k > v && cx.toks[k].start > cx.toks[v].start,
            "obj" | "iobj" => {
                !cue.clause_only
                    && if addressee {
                        // "urged the U.S. to waive …": the object is part of it
                        syn.children(v).any(|x| syn.rel(x) == "xcomp" && x > k)
                    } else {
                        !(has_clause
                            && cx
                                .mention_at(k)
                                .is_some_and(|m| cx.ner.entities[m.ent].etype == EType::Person))
                    }
            }
            "obl" if !cue.clause_only => syn
                .children(k)
                .find(|&c| syn.rel(c) == "case")
                .is_some_and(|c| cue.preps.iter().any(|p| p == cx.lw(c))),
            _ => false,
        };
        if take {
            if matches!(r, "ccomp" | "parataxis") {
                is_clause = true;
            }
            // "…, also observing, "B"": a second cue the parse hangs inside
            // the content says something of its own
            let (lo, hi) = syn.subtree(k, &|x| {
                x > k
                    && matches!(syn.rel(x), "advcl" | "conj")
                    && cx.lw(x).ends_with("ing")
                    && verb_cue(cx, x).is_some()
            });
            add(&mut span, lo, hi);
        }
    }
    if span.is_none() && cue.addressee {
        // "told supporters that the election was rigged": a "that" clause
        // the parse hung on the addressee is what was said
        for o in syn
            .children(v)
            .filter(|&o| o > v && matches!(syn.rel(o), "obj" | "iobj"))
        {
            if let Some(k) = syn.children(o).find(|&k| {
                k > o
                    && matches!(syn.rel(k), "acl" | "ccomp")
                    && syn
                        .children(k)
                        .any(|m| syn.rel(m) == "mark" && cx.lw(m) == "that" && m > o)
            }) {
                let (lo, hi) = syn.subtree(k, &|_| false);
                add(&mut span, lo, hi);
                is_clause = true;
            }
        }
    }
    if span.is_none()
        && passive
        && let Some(k) = syn.child(v, "nsubj:pass")
    {
        // "the figures were disputed by X": what X disputed
        let (lo, hi) = syn.subtree(k, &|_| false);
        add(&mut span, lo, hi);
    }
    if span.is_none() && rel == "parataxis" && !has_clause {
        // "… the war is over, he said": the clause the cue hangs from
        if let Some(h) = syn.head(v) {
            let (lo, hi) = syn.subtree(h, &|k| k == v || syn.rel(k) == "punct" && k > v);
            let hi = if hi > v { v } else { hi };
            if hi > lo {
                add(&mut span, lo, hi);
                is_clause = true;
            }
        }
    }
    let Some((mut c0, mut c1)) = span else {
        return ParseCue::Unsure;
    };
    if !is_clause && c0 > v {
        // "praised X's contribution in Kursk": a phrase right after the
        // object is read with it (the parse may hang it on the verb)
        while let Some(k) = syn.children(v).find(|&k| {
            syn.subtree(k, &|_| false).0 == c1
                && (syn.rel(k) == "obl"
                    // "announced their agreement over selling X": a gerund
                    // behind a preposition goes with the object
                    || (syn.rel(k) == "advcl"
                        && cx.lw(k).ends_with("ing")
                        && syn.children(k).any(|m| {
                            syn.rel(m) == "mark"
                                && matches!(cx.lw(m).as_str(), "over" | "about" | "on" | "of" | "for")
                        })))
        }) {
            c1 = syn.subtree(k, &|_| false).1;
        }
    }
    c0 = c0.max(s.tok_start);
    c1 = c1.min(s.tok_end);
    // a quote: its inside; otherwise the clause without its "that" and cut
    // at the clause boundaries the parse may have let through
    let mut quote = false;
    let mut claim_sent = si;
    if let Some(&(a, b)) = qs
        .iter()
        .find(|&&(a, b)| a <= c0 + 1 && b + 1 >= c1 && b > a)
    {
        c0 = a;
        c1 = b;
        quote = true;
        if a == s.tok_start
            && let Some((os, ot)) = carry
        {
            // a quote over several sentences: its first sentence
            claim_sent = os;
            let oe = cx.sents[os].tok_end;
            c0 = ot;
            c1 = if oe > ot && is_close_quote(cx.w(oe - 1)) {
                oe - 1
            } else {
                oe
            };
        }
    } else {
        while c0 < c1
            && (matches!(cx.lw(c0).as_str(), "that" | "," | ":") || is_open_quote(cx.w(c0)))
        {
            c0 += 1;
        }
        if c0 > v {
            // right of the cue: from just after it, past an addressee
            // ("told the press …") and introductory adjuncts, so that a
            // clause the parse split in two is read whole
            let mut k = v + 1;
            if let Some(o) = syn
                .children(v)
                .find(|&o| o > v && o < c0 && matches!(syn.rel(o), "obj" | "iobj") && cue.addressee)
            {
                k = syn.subtree(o, &|x| np_core_skip(cx, x)).1;
            }
            k = skip_intro(cx, k, c0);
            while k < c0
                && (matches!(cx.lw(k).as_str(), "that" | "," | ":") || is_open_quote(cx.w(k)))
            {
                k += 1;
            }
            if k < c0
                && !syn.children(v).any(|x| {
                    x >= k
                        && x < c0
                        && !matches!(
                            syn.rel(x),
                            "obj" | "iobj" | "ccomp" | "xcomp" | "parataxis" | "nsubj"
                        )
                })
            {
                c0 = k;
            }
        }
        if c0 > v {
            // "hailed what he said was …": the intro is not the content, and
            // the content runs on past the free relative the parse ends at
            let what = cx.lw(c0) == "what";
            let k = skip_intro(cx, c0, s.tok_end);
            if what && k > c0 {
                c1 = content_end(cx, k, s.tok_end);
            }
            c0 = k.min(c1);
        }
        // "called for an inquiry": the preposition is the verb's, not said
        if c0 == v + 1 && c0 + 1 < c1 && cue.preps.iter().any(|p| p.as_str() == cx.lw(c0).as_str())
        {
            c0 += 1;
        }
        if c0 >= v || c1 <= v {
            c1 = content_end(cx, c0, c1);
        }
    }
    let content = clean(cx.span(c0, c1));
    if content.is_empty() {
        return ParseCue::Unsure;
    }
    ParseCue::Claims(
        speakers
            .into_iter()
            .map(|sp| Claim {
                speaker: sp,
                stance: cue.stance,
                verb: cx.w(v).to_string(),
                content: content.clone(),
                quote,
                sentence: claim_sent,
                c0,
                c1,
            })
            .collect(),
    )
}
