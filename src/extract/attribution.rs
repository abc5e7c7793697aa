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

fn clean(s: &str) -> String {
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
                if let Some(sp) = cx.object(i + 1, si) {
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
                        (c + 1, s1)
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
    out
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
