//! Events: things that happened or were done, other than speaking.
//!
//! Owns: trigger words (`event-triggers.tsv`, FORMAT.md types) and their
//! agent (subject, or `by X` in the passive), patient (object, or the subject
//! in the passive), place (`in/at/near X` or a place mention in the sentence)
//! and time (normalised against the article date). Planned or negated
//! happenings (`will attack`, `did not attack`) are kept with their
//! [`Status`]; the JSON lists only reported ones. May not touch:
//! entity recognition, claims or the graph.

use super::entities::EType;
use super::lexicon::tables;
use super::resolve::{Arg, Ctx};
use super::time;
use crate::nlp::tags::Upos;

#[derive(Debug, Clone)]
pub struct Event {
    pub etype: String,
    pub trigger: String,
    pub agent: Option<Arg>,
    pub patient: Option<Arg>,
    pub place: Option<Arg>,
    pub time: Option<String>,
    pub sentence: usize,
    pub status: Status,
}

/// Whether the text reports a happening as real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It happened (or is happening), as the text tells it.
    Reported,
    /// Future, planned, proposed, threatened or hypothetical.
    Planned,
    /// Said not to have happened.
    Negated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Planned => "planned",
            Status::Negated => "negated",
        }
    }
}

const PASSIVE_AUX: &[&str] = &["was", "were", "been", "being", "be", "is", "are", "got"];
const FUTURE: &[&str] = &[
    "will",
    "would",
    "to",
    "could",
    "might",
    "may",
    "should",
    "shall",
    "plans",
    "planned",
    "threatened",
    "not",
    "n't",
    "never",
];

pub fn events(cx: &Ctx) -> Vec<Event> {
    let t = tables();
    let mut out: Vec<Event> = Vec::new();
    let mut article_types: Vec<String> = Vec::new();
    let main_place = main_place(cx);
    for (si, s) in cx.sents.iter().enumerate() {
        let (s0, s1) = (s.tok_start, s.tok_end.min(s.tok_start + 400));
        let words: Vec<&str> = (s0..s1).map(|k| cx.w(k)).collect();
        let exprs = time::expressions(&words, cx.date);
        let own = exprs.first().map(|e| e.value.clone());
        let mut seen_types: Vec<String> = Vec::new();
        let mut i = s0;
        while i < s1 {
            let lw = cx.lw(i);
            let mut hit: Option<(String, usize)> = None;
            for (ws, ty) in &t.multi_triggers {
                if i + ws.len() <= s1 && ws.iter().enumerate().all(|(o, w)| *cx.lw(i + o) == *w) {
                    hit = Some((ty.clone(), ws.len()));
                    break;
                }
            }
            let syn = cx.syn;
            let parsed = syn.parsed(i);
            if hit.is_none()
                && let Some(ty) = t.triggers.get(lw.as_str())
            {
                hit = Some((ty.clone(), 1));
            }
            if parsed && hit.as_ref().is_some_and(|h| h.1 == 1) {
                // the parse's sense guards: a month ("March"), an adjective
                // ("the captured town"), a speech act ("declared that …")
                if matches!(syn.upos(i), Upos::Propn | Upos::Adj | Upos::Adp)
                    || syn.rel(i) == "amod"
                    || syn.has_child(i, "ccomp")
                {
                    i += 1;
                    continue;
                }
            }
            if hit.is_none() && parsed {
                let pos = match syn.upos(i) {
                    Upos::Verb => Some("v"),
                    Upos::Noun => Some("n"),
                    _ => None,
                };
                if let Some(pos) = pos
                    && syn.rel(i) != "amod"
                    && !syn.has_child(i, "ccomp")
                    && let Some(ty) = t.event_lemmas.get(&format!("{}/{pos}", syn.lemma(i)))
                {
                    let mut ty = ty.clone();
                    // "fired the minister" is a dismissal, "fired rockets" an attack
                    if pos == "v"
                        && matches!(ty.as_str(), "resign")
                        && matches!(syn.lemma(i), "fire" | "dismiss")
                    {
                        let person = syn.child(i, "obj").is_some_and(|o| {
                            tables().agent_nouns.contains(cx.lw(o).as_str())
                                || super::attribution::speaker_at(cx, o, si)
                                    .and_then(|a| a.ent)
                                    .is_some_and(|e| cx.ner.entities[e].etype == EType::Person)
                        });
                        if !person {
                            ty = if syn.lemma(i) == "fire" {
                                "attack".into()
                            } else {
                                String::new()
                            };
                        }
                    }
                    if !ty.is_empty() {
                        hit = Some((ty, 1));
                    }
                }
            }
            if hit.is_none() && parsed && other_event(cx, i) {
                hit = Some(("other".to_string(), 1));
            }
            // planned, hypothetical or negated: "will attack", "did not
            // attack", "plans to visit", "if they invade"
            let mut status = Status::Reported;
            if parsed
                && hit.is_some()
                && let Some(st) = unreal(cx, i)
            {
                status = st;
            }
            let Some((ty, len)) = hit else {
                i += 1;
                continue;
            };
            let mut ty = ty;
            if parsed && idiom(cx, i) {
                i += len;
                continue;
            }
            // "signed a decree / law": a ruling, not an agreement
            if ty == "agree"
                && lw == "signed"
                && (i + 1..(i + 5).min(s1)).any(|k| {
                    matches!(
                        cx.lw(k).as_str(),
                        "decree" | "law" | "bill" | "order" | "ordinance" | "legislation"
                    )
                })
            {
                ty = "rule".to_string();
            }
            // "shot him dead": a killing
            if ty == "attack"
                && matches!(lw.as_str(), "shot" | "shooting")
                && (i + 1..(i + 4).min(s1)).any(|k| cx.lw(k) == "dead")
            {
                ty = "kill".to_string();
            }
            // "survived the attack": a later definite mention of an event
            // type already seen in the article
            let definite = i > s0 && matches!(prev_word(cx, i, s0).as_str(), "the" | "this");
            if definite && !lw.ends_with("ed") && article_types.contains(&ty) {
                i += len;
                continue;
            }
            if cx.mention_at(i).is_some() || seen_types.contains(&ty) {
                i += len;
                continue;
            }
            let prev = if i > s0 {
                cx.lw(i - 1).clone()
            } else {
                String::new()
            };
            let marker = if FUTURE.contains(&prev.as_str()) {
                Some(prev.as_str())
            } else if i > s0 + 1
                && FUTURE.contains(&cx.lw(i - 2).as_str())
                && PASSIVE_AUX.contains(&prev.as_str())
            {
                Some(cx.lw(i - 2).as_str())
            } else {
                None
            };
            if status == Status::Reported
                && let Some(w) = marker
            {
                status = if matches!(w, "not" | "n't" | "never") {
                    Status::Negated
                } else {
                    Status::Planned
                };
            }
            let passive = PASSIVE_AUX.contains(&prev.as_str()) && lw.ends_with("ed")
                || matches!(lw.as_str(), "shot" | "struck" | "sent");
            let passive = passive && PASSIVE_AUX.contains(&prev.as_str());
            let (mut agent, mut patient);
            if passive {
                patient = cx.subject(i, si).and_then(|(v, _)| v.into_iter().next());
                agent = None;
                // by X
                let mut k = i + len;
                while k < s1 && k < i + len + 6 {
                    if cx.lw(k) == "by" {
                        agent = cx.object(k, si);
                        break;
                    }
                    k += 1;
                }
            } else {
                agent = cx.subject(i, si).and_then(|(v, _)| v.into_iter().next());
                let gerund = lw.ends_with("ing")
                    && i + len < s1
                    && (cx.mention_at(i + len).is_some()
                        || matches!(
                            cx.lw(i + len).as_str(),
                            "the" | "a" | "an" | "his" | "her" | "its" | "their"
                        ));
                patient = if gerund
                    || lw.ends_with("ed")
                    || len > 1
                    || matches!(
                        lw.as_str(),
                        "shot" | "struck" | "sent" | "met" | "fought" | "sold" | "won" | "fell"
                    ) {
                    event_object(cx, i + len - 1, si)
                } else {
                    None
                };
                if agent.is_none() {
                    let mut k = i + len;
                    while k < s1 && k < i + len + 8 {
                        if cx.lw(k) == "by" {
                            agent = cx.object(k, si).filter(|a| a.ent.is_some());
                            break;
                        }
                        k += 1;
                    }
                }
            }
            if parsed && syn.upos(i) == Upos::Verb {
                let (pa, pp) = parse_args(cx, i, si);
                if pa.is_some() {
                    agent = pa;
                }
                if pp.is_some() {
                    patient = pp;
                }
            }
            // a noun trigger: "X's invasion of Y" / "the attack on Y"
            if !lw.ends_with("ed")
                && agent.is_none()
                && i > s0 + 1
                && matches!(cx.w(i - 1), "'s" | "’s")
                && let Some(m) = cx.mention_at(i - 2)
            {
                agent = Some(cx.arg_of_mention(m));
            }
            if patient.is_none()
                && i + len + 1 < s1
                && matches!(cx.lw(i + len).as_str(), "of" | "on" | "against" | "with")
            {
                patient = event_object(cx, i + len, si);
            }
            // place: a place in the trigger's clause, else "in/at X" in the
            // sentence, else any place in the sentence, else the article's
            // main place
            let mut place = if parsed {
                clause_place(cx, i)
                    .filter(|a| Some(a) != patient.as_ref() && Some(a) != agent.as_ref())
            } else {
                None
            };
            if place.is_none() {
                for k in s0..s1 {
                    if let Some(m) = cx.mention_at(k)
                        && m.t0 == k
                        && cx.ner.entities[m.ent].etype == EType::Place
                        && !m.metonym
                        && k > s0
                        && matches!(
                            cx.lw(k - 1).as_str(),
                            "in" | "at" | "near" | "outside" | "from"
                        )
                    {
                        let a = cx.arg_of_mention(m);
                        if Some(&a) == patient.as_ref() || Some(&a) == agent.as_ref() {
                            continue;
                        }
                        place = Some(a);
                        if k > i {
                            break;
                        }
                    }
                }
            }
            if place.is_none() {
                place = (s0..s1).find_map(|k| {
                    let m = cx.mention_at(k)?;
                    let a = cx.arg_of_mention(m);
                    (cx.ner.entities[m.ent].etype == EType::Place
                        && !m.metonym
                        && Some(&a) != patient.as_ref()
                        && Some(&a) != agent.as_ref())
                    .then_some(a)
                });
            }
            if place.is_none() {
                place = main_place.clone();
            }
            // time: the expression in the trigger's clause, else the
            // sentence's first, else the time of the story's last reported
            // event (the narrative goes on); a date mentioned in passing in
            // a sentence without an event is never carried
            let tm = if parsed {
                clause_time(cx, i, s0, &exprs)
            } else {
                None
            }
            .or_else(|| own.clone())
            .or_else(|| {
                out.iter()
                    .rev()
                    .find(|e| e.status == Status::Reported)
                    .and_then(|e| e.time.clone())
            });
            if agent
                .as_ref()
                .is_some_and(|a| a.ent.is_none() && a.text.split_whitespace().count() > 4)
            {
                agent = None;
            }
            if patient
                .as_ref()
                .is_some_and(|a| a.ent.is_none() && a.text.split_whitespace().count() > 5)
            {
                patient = None;
            }
            // a noun trigger without an agent: the sentence's subject (not for
            // deaths and disasters, which rarely have one)
            if agent.is_none()
                && !lw.ends_with("ed")
                && !passive
                && !matches!(ty.as_str(), "kill" | "die" | "disaster")
            {
                agent = (s0..i)
                    .find_map(|k| {
                        let m = cx.mention_at(k)?;
                        let e = &cx.ner.entities[m.ent];
                        (e.etype != EType::Place || e.country || m.metonym)
                            .then(|| cx.arg_of_mention(m))
                    })
                    .filter(|a| Some(a) != patient.as_ref());
            }
            if agent.is_some() && agent == patient {
                agent = None;
            }
            // "died from his injuries": a violent death
            if ty == "die"
                && (i + 1..(i + 6).min(s1)).any(|k| {
                    matches!(
                        cx.lw(k).as_str(),
                        "injuries" | "wounds" | "injury" | "wound" | "gunshot" | "stab"
                    )
                })
            {
                ty = "kill".to_string();
            }
            // who died is what happened to them: "Harry Dunn died" → patient
            // (a natural death has no agent at all; a violent one told
            // intransitively, "died of wounds", "lost their lives", neither)
            let intransitive = lw.starts_with("die")
                || lw == "dying"
                || lw.contains("lives")
                || lw.contains("life");
            if (ty == "die" || ty == "kill" && intransitive) && patient.is_none() {
                patient = agent.take();
            }
            // a later noun mention of an event type already seen ("the attack") adds nothing
            let verbal = lw.ends_with("ed")
                || len > 1
                || matches!(
                    lw.as_str(),
                    "shot" | "struck" | "sent" | "met" | "fought" | "sold" | "won"
                );
            if !verbal && agent.is_none() && patient.is_none() && article_types.contains(&ty) {
                i += len;
                continue;
            }
            if status == Status::Reported {
                article_types.push(ty.clone());
                seen_types.push(ty.clone());
            }
            out.push(Event {
                etype: ty,
                trigger: cx.span(i, i + len).to_string(),
                agent,
                patient,
                place,
                time: tm.clone(),
                sentence: si,
                status,
            });
            i += len;
        }
    }
    merge_rementions(out)
}

/// One event per happening: a later reported event of the same type whose
/// arguments agree with an earlier one (no role filled differently, at
/// least one role the same, and no date that rules out the same day) is a
/// re-mention; it fills the first one's empty roles and is dropped.
fn merge_rementions(events: Vec<Event>) -> Vec<Event> {
    fn same(a: &Arg, b: &Arg) -> bool {
        match (a.ent, b.ent) {
            (Some(x), Some(y)) => x == y,
            _ => a.text.eq_ignore_ascii_case(&b.text),
        }
    }
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for e in events {
        let first = out.iter_mut().find(|f| {
            if f.status != Status::Reported || e.status != Status::Reported || f.etype != e.etype {
                return false;
            }
            let roles = [
                (&f.agent, &e.agent),
                (&f.patient, &e.patient),
                (&f.place, &e.place),
            ];
            let clash = roles
                .iter()
                .any(|(x, y)| matches!((x, y), (Some(a), Some(b)) if !same(a, b)));
            let shared = roles[..2]
                .iter()
                .any(|(x, y)| matches!((x, y), (Some(a), Some(b)) if same(a, b)));
            // two dates that cannot be the same day are two happenings
            let when = match (&f.time, &e.time) {
                (Some(a), Some(b)) => a.starts_with(b.as_str()) || b.starts_with(a.as_str()),
                _ => true,
            };
            // a person dies once: two deaths of the same one are one
            // a person dies once, and leaves an office once
            let once = match f.etype.as_str() {
                "die" | "kill" => (&f.patient, &e.patient),
                "resign" => (&f.agent, &e.agent),
                _ => (&None, &None),
            };
            let once = matches!(once, (Some(a), Some(b)) if a.ent.is_some() && same(a, b));
            once || !clash && shared && when
        });
        match first {
            Some(f) => {
                for (to, from) in [
                    (&mut f.agent, e.agent),
                    (&mut f.patient, e.patient),
                    (&mut f.place, e.place),
                ] {
                    if to.is_none() {
                        *to = from;
                    }
                }
                if f.time.is_none() {
                    f.time = e.time;
                }
            }
            None => out.push(e),
        }
    }
    out
}

fn prev_word(cx: &Ctx, i: usize, s0: usize) -> String {
    if i > s0 {
        cx.lw(i - 1).clone()
    } else {
        String::new()
    }
}

/// Patient after a verb: a mention, or a short phrase headed by a person /
/// group noun or a number (`two suspects`, `14,000 troops`).
fn event_object(cx: &Ctx, c: usize, sent: usize) -> Option<Arg> {
    let s1 = cx.sents[sent].tok_end;
    let mut k = c + 1;
    while k < s1
        && matches!(
            cx.lw(k).as_str(),
            "the" | "a" | "an" | "down" | "out" | "off" | "up"
        )
    {
        k += 1;
    }
    if k >= s1 {
        return None;
    }
    if let Some(m) = cx.mention_or_titled(k) {
        return Some(cx.arg_of_mention(m));
    }
    if let Some(p) = cx.pronoun(k, sent) {
        return Some(p);
    }
    let mut e = k;
    while e < s1 && e - k < 5 && cx.is_word(e) && !super::entities::is_func(cx.w(e)) {
        if tables().agent_nouns.contains(cx.lw(e).as_str()) {
            // a role noun before a name: "motorcyclist Harry Dunn"
            if e + 1 < s1
                && let Some(m) = cx.mention_at(e + 1)
                && cx.ner.entities[m.ent].etype == EType::Person
            {
                return Some(cx.arg_of_mention(m));
            }
            let ent = (k..=e).find_map(|x| cx.mention_at(x)).map(|m| m.ent);
            return Some(Arg {
                text: cx.span(k, e + 1).to_string(),
                ent,
            });
        }
        if let Some(m) = cx.mention_at(e) {
            // lower-case role words before a name: "motorcyclist Harry Dunn"
            if cx.ner.entities[m.ent].etype == EType::Person
                && e > k
                && e - k <= 2
                && (k..e).all(|x| cx.w(x).chars().all(|c| c.is_lowercase() || c == '-'))
            {
                return Some(cx.arg_of_mention(m));
            }
            e = m.t1;
            continue;
        }
        e += 1;
    }
    None
}

/// The article's main place: the most mentioned city or region (first
/// mentioned on ties), else the most mentioned country.
fn main_place(cx: &Ctx) -> Option<Arg> {
    let mut counts: Vec<(usize, usize, usize)> = Vec::new(); // (ent, count, first)
    for (mi, m) in cx.ner.mentions.iter().enumerate() {
        let e = &cx.ner.entities[m.ent];
        if e.etype != EType::Place || m.metonym {
            continue;
        }
        match counts.iter_mut().find(|c| c.0 == m.ent) {
            Some(c) => c.1 += 1,
            None => counts.push((m.ent, 1, mi)),
        }
    }
    let best = |country: bool| {
        counts
            .iter()
            .filter(|c| cx.ner.entities[c.0].country == country)
            .max_by_key(|c| (c.1, std::cmp::Reverse(c.2)))
            .map(|c| c.0)
    };
    let e = best(false)
        .filter(|&e| counts.iter().any(|c| c.0 == e && c.1 >= 2))
        .or_else(|| best(true))?;
    Some(Arg {
        text: cx.ner.entities[e].name.clone(),
        ent: Some(e),
    })
}

/// What the parse says of the happening at `v` when it is not (yet) real:
/// negated ("did not attack") or planned (a modal or future auxiliary, a
/// condition, or the complement of a verb of planning: `plans to visit`,
/// `threatened to attack`). `None` when it is reported.
fn unreal(cx: &Ctx, v: usize) -> Option<Status> {
    let syn = cx.syn;
    let marked = |k: usize| {
        let mut st = None;
        for c in syn.children(k) {
            let w = cx.lw(c).as_str();
            if syn.rel(c) == "advmod" && matches!(w, "not" | "n't" | "never") {
                return Some(Status::Negated);
            }
            if (syn.rel(c) == "aux"
                && matches!(
                    w,
                    "will" | "would" | "could" | "might" | "may" | "should" | "shall" | "'ll"
                ))
                || (syn.rel(c) == "mark" && matches!(w, "if" | "unless" | "whether"))
            {
                st = Some(Status::Planned);
            }
        }
        st
    };
    if let Some(st) = marked(v) {
        return Some(st);
    }
    if syn.rel(v) == "xcomp"
        && let Some(h) = syn.head(v)
    {
        if let Some(st) = marked(h) {
            return Some(st);
        }
        if matches!(syn.lemma(h), "refuse" | "decline" | "fail") {
            return Some(Status::Negated);
        }
        return matches!(
            syn.lemma(h),
            "plan"
                | "want"
                | "threaten"
                | "propose"
                | "intend"
                | "seek"
                | "hope"
                | "vow"
                | "promise"
                | "aim"
                | "expect"
                | "try"
        )
        .then_some(Status::Planned);
    }
    None
}

/// Agent and patient of a verb trigger from the parse: the subject (or the
/// passive agent) and the object (or the passive subject).
fn parse_args(cx: &Ctx, v: usize, si: usize) -> (Option<Arg>, Option<Arg>) {
    let syn = cx.syn;
    let arg = |k: usize| super::attribution::speaker_at(cx, k, si);
    let agent = syn
        .child(v, "nsubj")
        .or_else(|| syn.child(v, "obl:agent"))
        .and_then(arg);
    let patient = syn
        .child(v, "obj")
        .or_else(|| syn.child(v, "nsubj:pass"))
        .and_then(|k| patient_at(cx, k, si));
    (agent, patient)
}

/// What the object phrase at `k` names: a pronoun's antecedent, a named
/// entity (a person named in the phrase first: "the envoy Karin Lund"), or
/// else the phrase's core as written ("300 residents").
fn patient_at(cx: &Ctx, k: usize, si: usize) -> Option<Arg> {
    let syn = cx.syn;
    if syn.upos(k) == Upos::Pron {
        return cx.pronoun(k, si);
    }
    if let Some(m) = cx.mention_or_titled(k) {
        return Some(cx.arg_of_mention(m));
    }
    // an appositive name: "photojournalist Ziad al-Sharabi"
    for c in syn.children(k) {
        if matches!(syn.rel(c), "appos" | "flat" | "compound" | "nmod:desc")
            && let Some(m) = cx.mention_or_titled(c)
            && cx.ner.entities[m.ent].etype == EType::Person
        {
            return Some(cx.arg_of_mention(m));
        }
    }
    let core = |x: usize| super::attribution::np_core_skip(cx, x);
    let (lo, hi) = syn.subtree(k, &core);
    // a common noun is what it says, even with a name as its modifier
    // ("Ukrainian sabotage groups" are not Ukraine); a proper-noun phrase
    // is the entity it names
    if syn.upos(k) != Upos::Noun
        && let Some(m) = (lo..hi)
            .filter_map(|x| cx.mention_or_titled(x))
            .find(|m| !m.adjectival)
    {
        return Some(cx.arg_of_mention(m));
    }
    let lo = (lo..hi)
        .find(|&x| !matches!(cx.lw(x).as_str(), "the" | "a" | "an"))
        .unwrap_or(lo);
    let text = super::attribution::clean(cx.span(lo, hi));
    (!text.is_empty()).then_some(Arg { text, ent: None })
}

/// The place of the happening at `v` from the parse: a place entity in an
/// `obl` or `nmod` of the trigger (or, for a noun trigger, of the verb it
/// belongs to), before any place further away in the sentence.
fn clause_place(cx: &Ctx, v: usize) -> Option<Arg> {
    let syn = cx.syn;
    let place_in = |k: usize| -> Option<Arg> {
        let rel = syn.rel(k);
        if !(rel.starts_with("obl") || rel.starts_with("nmod") || rel == "advmod") {
            return None;
        }
        // the place is the phrase's own head, or what it names ("the town of X")
        let mut named = std::iter::once(k).chain(
            syn.children(k)
                .filter(|&c| matches!(syn.rel(c), "nmod" | "appos" | "flat" | "compound")),
        );
        named.find_map(|t| {
            let m = cx.mention_at(t)?;
            (cx.ner.entities[m.ent].etype == EType::Place && !m.metonym)
                .then(|| cx.arg_of_mention(m))
        })
    };
    if let Some(a) = syn.children(v).find_map(place_in) {
        return Some(a);
    }
    // "attacked a depot in X": the place of the object
    if let Some(o) = syn.child(v, "obj").or_else(|| syn.child(v, "nsubj:pass"))
        && let Some(a) = syn.children(o).find_map(place_in)
    {
        return Some(a);
    }
    // a noun trigger: the clause it sits in ("protests broke out in X")
    if syn.upos(v) == Upos::Noun
        && matches!(syn.rel(v), "nsubj" | "obj" | "nsubj:pass")
        && let Some(h) = syn.head(v)
    {
        return syn.children(h).filter(|&c| c != v).find_map(place_in);
    }
    None
}

/// The time expression of the trigger's own clause: one whose words hang
/// (through non-clausal links) from the trigger, or from the verb a noun
/// trigger belongs to.
fn clause_time(cx: &Ctx, v: usize, s0: usize, exprs: &[time::TimeExpr]) -> Option<String> {
    let syn = cx.syn;
    let clause_head = |mut k: usize| -> Option<usize> {
        // the first predicate above the expression's words
        for _ in 0..64 {
            let h = syn.head(k)?;
            if h == v {
                return Some(v);
            }
            if matches!(syn.upos(h), Upos::Verb) || syn.rel(k) == "root" {
                return Some(h);
            }
            k = h;
        }
        None
    };
    let owner = if syn.upos(v) == Upos::Verb {
        v
    } else {
        match syn.rel(v) {
            "nsubj" | "obj" | "nsubj:pass" | "obl" => syn.head(v).unwrap_or(v),
            _ => v,
        }
    };
    exprs.iter().find_map(|e| {
        // the expression's own head: the word whose head lies outside it
        let head = (e.start..e.end).map(|w| s0 + w).find(|&t| {
            syn.head(t)
                .is_none_or(|h| h < s0 + e.start || h >= s0 + e.end)
        })?;
        let c = clause_head(head)?;
        (c == v || c == owner).then(|| e.value.clone())
    })
}

/// A trigger word in a set phrase that names no such happening: "paid
/// tribute" is no payment, "cardiac arrest" no detention.
fn idiom(cx: &Ctx, v: usize) -> bool {
    let syn = cx.syn;
    match syn.lemma(v) {
        "pay" => syn
            .child(v, "obj")
            .or_else(|| syn.child(v, "nsubj:pass"))
            .is_some_and(|o| {
                matches!(
                    syn.lemma(o),
                    "tribute" | "attention" | "respect" | "homage" | "visit" | "price" | "heed"
                )
            }),
        "arrest" => syn.children(v).any(|c| {
            matches!(
                cx.lw(c).as_str(),
                "cardiac" | "respiratory" | "heart" | "cardiopulmonary"
            )
        }),
        _ => false,
    }
}

/// Light and mental verbs that name no happening of their own.
const NOT_HAPPENINGS: &[&str] = &[
    "be",
    "have",
    "do",
    "get",
    "go",
    "become",
    "seem",
    "appear",
    "make",
    "take",
    "give",
    "include",
    "use",
    "need",
    "want",
    "try",
    "begin",
    "start",
    "continue",
    "remain",
    "know",
    "think",
    "believe",
    "see",
    "find",
    "show",
    "come",
    "let",
    "help",
    "put",
    "set",
    "allow",
    "require",
    "expect",
    "plan",
    "hope",
    "feel",
    "look",
    "mean",
    "like",
    "seek",
    "tend",
    "fail",
    "manage",
    "happen",
    "involve",
    "consider",
    "decide",
    "lead",
    "face",
    "cause",
    "result",
    "follow",
    "base",
    "list",
    "describe",
    "call",
    "name",
    "note",
    "add",
    "reach",
    "report",
    "live",
    "work",
    "own",
    "hold",
    "keep",
    "bring",
    "leave",
    "turn",
    "pay",
    // states of mind
    "embarrass",
    "motivate",
    "surprise",
    "worry",
    "concern",
    "anger",
    "shock",
    "please",
    "interest",
    "upset",
    "frustrate",
    "disappoint",
    "impress",
    "inspire",
    "encourage",
];

/// A past, real happening told by a verb with a named actor as its subject or
/// object, that no typed trigger names: an `other` event.
fn other_event(cx: &Ctx, v: usize) -> bool {
    let syn = cx.syn;
    if syn.upos(v) != Upos::Verb {
        return false;
    }
    let lemma = syn.lemma(v);
    let form = cx.lw(v);
    if NOT_HAPPENINGS.contains(&lemma)
        || tables().verb_cues.contains_key(lemma)
        || form.as_str() == lemma
        || form.ends_with("ing")
        || form.contains('-')
        || *form == format!("{lemma}s")
        || *form == format!("{lemma}es")
    {
        return false;
    }
    if !matches!(
        syn.rel(v),
        "root" | "conj" | "ccomp" | "parataxis" | "advcl" | "acl:relcl"
    ) || syn
        .children(v)
        .any(|c| syn.rel(c) == "mark" && cx.lw(c) == "to")
    {
        return false;
    }
    let named = |k: Option<usize>| {
        k.and_then(|k| cx.mention_at(k)).is_some_and(|m| {
            let e = &cx.ner.entities[m.ent];
            e.etype != EType::Place || e.country || m.metonym
        })
    };
    named(syn.child(v, "nsubj"))
        || named(syn.child(v, "obj"))
        || named(syn.child(v, "nsubj:pass"))
        || named(syn.child(v, "obl:agent"))
}
