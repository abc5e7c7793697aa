//! Plain questions ("who denied what", "what did Putin say about Kursk")
//! parsed with `grammar/question.pest` and expanded into Cypher-like query
//! text, which then goes through the ordinary query pipeline (so the same
//! parser, planner and AST answer both).
//!
//! Owns the question forms and their expansions; knows the schema's names
//! but not the store or the query engine's internals.

use pest::Parser;
use pest::iterators::Pair;
use pest_derive::Parser;

use crate::store::days_in_month;
use crate::store::schema::rel;

#[derive(Parser)]
#[grammar = "../grammar/question.pest"]
struct QuestionParser;

/// The forms a question can take, for help and error messages.
pub const FORMS: &str =
    "  who denied what                      (or said, confirmed, accused, praised, criticized,
                                        warned, promised, questioned)
  who criticized X                     claims of one stance about X
  who accused whom                     pairs: speaker, stance, the actor the claim is about
  what did X say                       (or deny, confirm, accuse, praise, …)
  whom did X accuse                    (or: X accused whom)
  what happened in PLACE
  who met X | who met whom
  which countries were mentioned with X   (or people, organisations, places)
  what do X and Y disagree about
  who spoke most about X
  contradictions [about X]
  timeline of X
  how is X connected to Y
 Most forms take filters, in any order: about|on X, in PLACE, in 2024,
 between DATE and DATE, since|after|before DATE (2024, 2024-08, 2024-08-15, August 2024).";

/// A question and the query it expands to.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub query: String,
    /// The names the question mentions (to explain an empty answer).
    pub names: Vec<String>,
}

/// A question that matches no form.
#[derive(Debug, thiserror::Error)]
#[error(
    "I don't know that question: \"{text}\"\n{}\nAll the forms: :help questions. Or write a query: MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name, c.text;",
    nearest_text(.suggestions)
)]
pub struct QuestionError {
    pub text: String,
    /// The nearest forms understood, filled with the question's own words.
    pub suggestions: Vec<String>,
}

fn nearest_text(s: &[String]) -> String {
    if s.is_empty() {
        return format!("Questions I understand:\n{FORMS}");
    }
    let mut t = String::from("The nearest questions I understand:");
    for q in s {
        t.push_str("\n  ");
        t.push_str(q);
    }
    t
}
const QUERY_KEYWORDS: &[&str] = &[
    "match", "optional", "return", "with", "unwind", "create", "merge", "set", "delete", "detach",
    "remove", "call", "explain", "profile", "union", "foreach", "use",
];

/// Whether a statement is written in the query language (starts with a
/// clause keyword) rather than as a plain question.
pub fn is_query(text: &str) -> bool {
    // comments before the query (`// …`, `/* … */`) are skipped
    let mut t = text.trim_start();
    loop {
        if let Some(rest) = t.strip_prefix("//") {
            t = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = t.strip_prefix("/*") {
            t = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let first: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    QUERY_KEYWORDS.contains(&first.as_str())
}

/// Events that happened, as the text tells it (snapshots written before
/// events had a status hold only those).
const REPORTED: &str = "coalesce(e.status, 'reported') = 'reported'";

/// A Cypher string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A name as written, without a leading article ("the government").
fn bare(name: &str) -> &str {
    let t = name.trim();
    for a in ["the ", "The ", "THE "] {
        if let Some(r) = t.strip_prefix(a)
            && !r.trim().is_empty()
        {
            return r.trim();
        }
    }
    t
}

/// A predicate: node `v` is named `name` (contained in its name, or equal to
/// an alias), ignoring case.
fn named(v: &str, name: &str) -> String {
    let l = lit(&bare(name).to_lowercase());
    format!(
        "(toLower({v}.name) CONTAINS {l} OR any(al IN coalesce({v}.aliases, []) WHERE toLower(al) = {l}))"
    )
}

/// A query that counts the nodes `name` could mean, to explain an empty
/// answer (`MATCH (x) WHERE … RETURN count(x)`).
pub fn name_probe(name: &str) -> String {
    format!("MATCH (x) WHERE {} RETURN count(x) AS n", named("x", name))
}

fn stance_type(word: &str) -> Option<&'static str> {
    let w = word.to_lowercase();
    let t = match w.as_str() {
        "said" | "say" | "claim" => return None,
        "denied" | "deny" => rel::DENIED,
        "confirmed" | "confirm" => rel::CONFIRMED,
        "accused" | "accuse" => rel::ACCUSED,
        "praised" | "praise" => rel::PRAISED,
        "criticized" | "criticised" | "criticize" | "criticise" => rel::CRITICIZED,
        "warned" | "warn" => rel::WARNED,
        "promised" | "promise" => rel::PROMISED,
        "questioned" | "question" => rel::QUESTIONED,
        _ => return None,
    };
    Some(t)
}

/// The relationship pattern for a stance word: one type, or all stances for "say".
fn stance_rel(word: &str) -> String {
    match stance_type(word) {
        Some(t) => format!("[r:{t}]"),
        None => format!("[r:{}]", rel::STANCES.join("|")),
    }
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    for (open, close) in [('\'', '\''), ('"', '"'), ('‘', '’'), ('“', '”')] {
        if t.chars().count() >= 2 && t.starts_with(open) && t.ends_with(close) {
            return t[open.len_utf8()..t.len() - close.len_utf8()].to_string();
        }
    }
    t.to_string()
}

/// A day as (year, month, day).
type Ymd = (i32, u32, u32);

/// The last year of the query's dates (`date('999999999-12-31')`); the
/// years of a question's dates are at most this.
const MAX_YEAR: i32 = 999_999_999;

fn iso(d: Ymd) -> String {
    format!("date('{:04}-{:02}-{:02}')", d.0, d.1, d.2)
}

fn next_day((y, m, d): Ymd) -> Ymd {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

/// A date as written (`2024`, `2024-08`, `2024-08-15`, `August 2024`,
/// `15 August 2024`, `August 15, 2024`) as the period it names: its first
/// day and the day after its last.
fn period(text: &str) -> Option<(Ymd, Ymd)> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let t = text.trim().to_lowercase();
    let (mut y, mut m, mut d) = (None, None, None);
    // bytes, not `&t[..4]`: the fifth byte may be inside a character
    if t.as_bytes()
        .get(..4)
        .is_some_and(|h| h.iter().all(u8::is_ascii_digit))
        && !t.contains(' ')
    {
        let mut parts = t.split('-');
        y = parts.next().and_then(|p| p.parse::<i32>().ok());
        m = parts.next().and_then(|p| p.parse::<u32>().ok());
        d = parts.next().and_then(|p| p.parse::<u32>().ok());
    } else {
        for w in t.split(|c: char| c.is_whitespace() || c == ',') {
            let w = w.trim_end_matches('.');
            if w.is_empty() {
                continue;
            }
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
                y = w.parse().ok();
            } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                d = digits.parse().ok();
            } else if let Some(i) = MONTHS.iter().position(|p| w.starts_with(p)) {
                m = Some(i as u32 + 1);
            }
        }
    }
    // a year the query's dates can hold (and `y + 1` cannot overflow)
    let y = y.filter(|y| (0..=MAX_YEAR).contains(y))?;
    match (m, d) {
        (None, _) => Some(((y, 1, 1), (y + 1, 1, 1))),
        (Some(m), None) if (1..=12).contains(&m) => {
            let end = if m == 12 {
                (y + 1, 1, 1)
            } else {
                (y, m + 1, 1)
            };
            Some(((y, m, 1), end))
        }
        (Some(m), Some(d)) if (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) => {
            Some(((y, m, d), next_day((y, m, d))))
        }
        _ => None,
    }
}

/// The filters a question ends with.
#[derive(Debug, Default)]
struct Filters {
    /// about/on a topic
    about: Option<String>,
    /// in a place
    place: Option<String>,
    /// on or after this day
    from: Option<Ymd>,
    /// before this day
    until: Option<Ymd>,
}

impl Filters {
    fn read(p: Pair<'_, Rule>) -> Result<Filters, ()> {
        let mut f = Filters::default();
        for x in p.into_inner() {
            let rule = x.as_rule();
            let args: Vec<Pair<'_, Rule>> = x.into_inner().collect();
            let name = || {
                args.iter()
                    .find(|a| a.as_rule() == Rule::name)
                    .map(|a| unquote(a.as_str()))
            };
            let dates: Vec<(Ymd, Ymd)> = args
                .iter()
                .filter(|a| a.as_rule() == Rule::date)
                .map(|a| period(a.as_str()).ok_or(()))
                .collect::<Result<_, _>>()?;
            match rule {
                Rule::about_f => f.about = name(),
                Rule::in_f => f.place = name(),
                Rule::in_date => {
                    let (s, e) = *dates.first().ok_or(())?;
                    f.from = Some(s);
                    f.until = Some(e);
                }
                Rule::between_f => {
                    let (a, b) = (dates.first().ok_or(())?, dates.get(1).ok_or(())?);
                    f.from = Some(a.0.min(b.0));
                    f.until = Some(a.1.max(b.1));
                }
                Rule::since_f => f.from = Some(dates.first().ok_or(())?.0),
                Rule::after_f => f.from = Some(dates.first().ok_or(())?.1),
                Rule::before_f => f.until = Some(dates.first().ok_or(())?.0),
                _ => {}
            }
        }
        Ok(f)
    }

    fn dated(&self) -> bool {
        self.from.is_some() || self.until.is_some()
    }

    /// Conditions on a date expression.
    fn date_conds(&self, expr: &str) -> Vec<String> {
        let mut c = Vec::new();
        if let Some(d) = self.from {
            c.push(format!("{expr} >= {}", iso(d)));
        }
        if let Some(d) = self.until {
            c.push(format!("{expr} < {}", iso(d)));
        }
        c
    }

    fn names(&self) -> Vec<String> {
        self.about.iter().chain(&self.place).cloned().collect()
    }
}

/// A query over claims, built up: a pattern with conditions, then the
/// topic and place filters (which collect what the claim is about).
struct ClaimQuery {
    text: String,
    /// The variables carried through `WITH`.
    carry: String,
}

impl ClaimQuery {
    fn new(pattern: &str, carry: &str, mut conds: Vec<String>, f: &Filters) -> ClaimQuery {
        conds.extend(f.date_conds("c.date"));
        let mut text = format!("MATCH {pattern} ");
        if !conds.is_empty() {
            text.push_str(&format!("WHERE {} ", conds.join(" AND ")));
        }
        let mut q = ClaimQuery {
            text,
            carry: carry.to_string(),
        };
        if let Some(x) = &f.about {
            q.about(x);
        }
        if let Some(p) = &f.place {
            q.place(p);
        }
        q
    }

    /// The claim mentions X (ABOUT) or its text contains X.
    fn about(&mut self, x: &str) {
        self.text.push_str(&format!(
            "OPTIONAL MATCH (c)-[:{}]->(x) WITH {}, collect(x) AS xs \
             WHERE toLower(c.text) CONTAINS {} OR any(x IN xs WHERE {}) ",
            rel::ABOUT,
            self.carry,
            lit(&x.to_lowercase()),
            named("x", x)
        ));
    }

    /// The claim is about a place in PLACE (or names it).
    fn place(&mut self, p: &str) {
        self.text.push_str(&format!(
            "OPTIONAL MATCH (c)-[:{}]->(:Place)-[:{}*0..4]->(pl:Place) WITH {}, collect(pl) AS pls \
             WHERE toLower(c.text) CONTAINS {} OR any(pl IN pls WHERE {}) ",
            rel::ABOUT,
            rel::PART_OF,
            self.carry,
            lit(&bare(p).to_lowercase()),
            named("pl", p)
        ));
    }

    fn finish(mut self, ret: &str) -> String {
        self.text.push_str(ret);
        self.text
    }
}

/// Events filtered by place, topic (who or what took part, or the
/// sentence) and time; `e` is bound, `carry` are the variables kept.
fn event_filters(f: &Filters, carry: &str) -> String {
    let mut q = String::new();
    if let Some(p) = &f.place {
        q.push_str(&format!(
            "MATCH (e)-[:{}]->(:Place)-[:{}*0..4]->(pl:Place) WHERE {} WITH DISTINCT {carry} ",
            rel::OCCURRED_IN,
            rel::PART_OF,
            named("pl", p)
        ));
    }
    if let Some(x) = &f.about {
        q.push_str(&format!(
            "OPTIONAL MATCH (e)-[:{}|{}]-(x) WITH {carry}, collect(x) AS xs \
             WHERE toLower(e.text) CONTAINS {} OR any(x IN xs WHERE {}) ",
            rel::PERFORMED,
            rel::AFFECTED,
            lit(&x.to_lowercase()),
            named("x", x)
        ));
    }
    q
}

/// The labels a co-mention question asks for ("which countries …").
fn kind_label(kind: Option<&str>) -> (&'static str, &'static str) {
    let k = kind.unwrap_or("people").to_lowercase();
    match k.as_str() {
        "countries" | "country" => ("y:Country", "country"),
        "people" | "persons" | "person" => ("y:Person", "person"),
        "organisations" | "organizations" | "organisation" | "organization" | "groups" => {
            ("y:Organization", "organisation")
        }
        "places" | "place" | "cities" => ("y:Place", "place"),
        "actors" => ("y:Actor", "actor"),
        _ => ("y:Person OR y:Organization OR y:Place", "name"),
    }
}

/// Parses a question and expands it into query text.
pub fn expand(text: &str) -> Result<Expansion, QuestionError> {
    let text = text.trim();
    let err = || QuestionError {
        text: text.to_string(),
        suggestions: nearest(text, 3),
    };
    expand_form(text).ok_or_else(err)
}

fn expand_form(text: &str) -> Option<Expansion> {
    let mut pairs = QuestionParser::parse(Rule::question, text).ok()?;
    let form = pairs.next().and_then(|q| q.into_inner().next())?;
    let rule = form.as_rule();
    let mut parts: Vec<(Rule, String)> = Vec::new();
    let mut f = Filters::default();
    for p in form.into_inner() {
        if p.as_rule() == Rule::filters {
            f = Filters::read(p).ok()?;
        } else {
            parts.push((p.as_rule(), unquote(p.as_str())));
        }
    }
    let get = |r: Rule| parts.iter().find(|(k, _)| *k == r).map(|(_, s)| s.clone());
    let stances = rel::STANCES.join("|");
    let mut names: Vec<String> = parts
        .iter()
        .filter(|(r, _)| {
            matches!(
                r,
                Rule::name
                    | Rule::subject
                    | Rule::subject_past
                    | Rule::target
                    | Rule::endpoint
                    | Rule::first
                    | Rule::second
            )
        })
        .map(|(_, s)| s.clone())
        .collect();
    names.extend(f.names());
    let date_col = if f.dated() { "c.date AS date, " } else { "" };
    let actor = "(b:Person OR b:Organization OR b:Country OR b:Actor)";
    let query = match rule {
        Rule::who_stance => {
            let verb = get(Rule::stance_past)?;
            let mut q = ClaimQuery::new(
                &format!("(a)-{}->(c:Claim)", stance_rel(&verb)),
                "a, r, c",
                vec![],
                &f,
            );
            if let Some(t) = get(Rule::target) {
                q.about(&t);
            }
            q.finish(&format!(
                "RETURN a.name AS who, type(r) AS stance, c.text AS what, {date_col}r AS _why ORDER BY who, what"
            ))
        }
        Rule::what_did => {
            let who = get(Rule::subject)?;
            let verb = get(Rule::stance_verb)?;
            ClaimQuery::new(
                &format!("(a)-{}->(c:Claim)", stance_rel(&verb)),
                "a, r, c",
                vec![named("a", &who)],
                &f,
            )
            .finish(&format!(
                "RETURN a.name AS who, type(r) AS stance, c.text AS what, {date_col}r AS _why ORDER BY what"
            ))
        }
        Rule::who_whom | Rule::subject_whom | Rule::whom_did => {
            let verb = get(Rule::stance_past).or_else(|| get(Rule::stance_verb))?;
            let mut conds = vec![format!("{actor} AND a <> b")];
            if let Some(who) = get(Rule::subject).or_else(|| get(Rule::subject_past)) {
                conds.push(named("a", &who));
            }
            ClaimQuery::new(
                &format!("(a)-{}->(c:Claim)-[:{}]->(b)", stance_rel(&verb), rel::ABOUT),
                "a, r, c, b",
                conds,
                &f,
            )
            .finish(&format!(
                "RETURN a.name AS who, type(r) AS stance, b.name AS whom, c.text AS what, {date_col}r AS _why \
                 ORDER BY who, whom, what"
            ))
        }
        Rule::happened => {
            if f.place.is_none() && f.about.is_none() && !f.dated() {
                return None;
            }
            let mut conds = vec![REPORTED.to_string()];
            // `2024-08` is its first day; an event known only to a
            // coarser period that overlaps it is left out (unknown)
            conds.extend(f.date_conds("e.time"));
            format!(
                "MATCH (e:Event) WHERE {} {}\
                 WITH DISTINCT e OPTIONAL MATCH (ag)-[:{}]->(e) \
                 RETURN e.time AS time, e.type AS event, collect(ag.name) AS actors, e.text AS sentence, e AS _why \
                 ORDER BY time, event, sentence",
                conds.join(" AND "),
                event_filters(&f, "e"),
                rel::PERFORMED
            )
        }
        Rule::who_met => {
            let x = get(Rule::name)?;
            let mut conds = vec![
                "e.type = 'meet'".to_string(),
                REPORTED.to_string(),
                named("x", &x),
                "y <> x".into(),
                format!("NOT {}", named("y", &x)),
                "(y:Person OR y:Organization OR y:Country)".into(),
            ];
            conds.extend(f.date_conds("e.time"));
            format!(
                "MATCH (x)-[:{p}|{a}]-(e:Event)-[:{p}|{a}]-(y) WHERE {} {}\
                 RETURN DISTINCT y.name AS who, e.time AS time, e.text AS sentence, e AS _why ORDER BY who",
                conds.join(" AND "),
                event_filters(&f, "x, e, y"),
                p = rel::PERFORMED,
                a = rel::AFFECTED
            )
        }
        Rule::who_met_whom => {
            let mut conds = vec![
                "e.type = 'meet'".to_string(),
                REPORTED.to_string(),
                "(a:Person OR a:Organization OR a:Country)".into(),
                "(b:Person OR b:Organization OR b:Country)".into(),
                "a <> b".into(),
            ];
            conds.extend(f.date_conds("e.time"));
            format!(
                "MATCH (a)-[:{}]->(e:Event)-[:{}]->(b) WHERE {} {}\
                 RETURN DISTINCT a.name AS who, b.name AS whom, e.time AS time, e.text AS sentence, e AS _why \
                 ORDER BY who, whom",
                rel::PERFORMED,
                rel::AFFECTED,
                conds.join(" AND "),
                event_filters(&f, "a, e, b")
            )
        }
        Rule::comention => {
            let x = get(Rule::name)?;
            let (label, col) = kind_label(get(Rule::kind).as_deref());
            let mut conds = vec![
                named("x", &x),
                format!("({label})"),
                "y <> x".into(),
                format!("NOT {}", named("y", &x)),
            ];
            conds.extend(f.date_conds("art.date"));
            format!(
                "MATCH (x)-[:{m}]->(art:Article)<-[:{m}]-(y) WHERE {} \
                 RETURN y.name AS {col}, count(DISTINCT art) AS articles, collect(DISTINCT art) AS _why \
                 ORDER BY articles DESC, {col}",
                conds.join(" AND "),
                m = rel::MENTIONED_IN
            )
        }
        Rule::disagree => {
            let x = get(Rule::first)?;
            let y = get(Rule::second)?;
            let opposed = [rel::DENIED, rel::ACCUSED, rel::CRITICIZED, rel::QUESTIONED].join("|");
            // claims of one that contradict claims of the other, then what
            // one denied, accused or criticised about the other
            format!(
                "MATCH (a)-[r1:{stances}]->(c1:Claim)-[:{ct}]-(c2:Claim)<-[r2:{stances}]-(b) \
                 WHERE {na} AND {nb} AND a <> b \
                 RETURN a.name AS who, type(r1) AS stance, c1.text AS claim, b.name AS versus, \
                 type(r2) AS their_stance, c2.text AS their_claim, [r1, r2] AS _why \
                 UNION MATCH (a)-[r1:{opposed}]->(c1:Claim)-[:{about}]->(b) \
                 WHERE (({na} AND {nb}) OR ({nax} AND {nbx})) AND a <> b \
                 RETURN a.name AS who, type(r1) AS stance, c1.text AS claim, b.name AS versus, \
                 null AS their_stance, null AS their_claim, [r1] AS _why",
                ct = rel::CONTRADICTS,
                about = rel::ABOUT,
                na = named("a", &x),
                nb = named("b", &y),
                nax = named("a", &y),
                nbx = named("b", &x),
            )
        }
        Rule::spoke_most => {
            f.about.as_ref()?;
            ClaimQuery::new(
                &format!("(a)-[r:{stances}]->(c:Claim)"),
                "a, r, c",
                vec![],
                &f,
            )
            .finish(
                "RETURN a.name AS who, count(DISTINCT c) AS claims, collect(r) AS _why \
                 ORDER BY claims DESC, who",
            )
        }
        Rule::contradictions => {
            let mut conds = f.date_conds("c1.date");
            if let Some(x) = f.about.as_ref().or(f.place.as_ref()) {
                conds.push(format!(
                    "(toLower(c1.text) CONTAINS {l} OR toLower(c2.text) CONTAINS {l} OR {} OR {})",
                    named("a", x),
                    named("b", x),
                    l = lit(&x.to_lowercase())
                ));
            }
            let mut q = format!(
                "MATCH (a)-[r1:{stances}]->(c1:Claim)-[:{}]->(c2:Claim)<-[r2:{stances}]-(b) ",
                rel::CONTRADICTS
            );
            if !conds.is_empty() {
                q.push_str(&format!("WHERE {} ", conds.join(" AND ")));
            }
            q.push_str(
                "RETURN a.name AS who, type(r1) AS stance, c1.text AS claim, \
                 b.name AS versus, type(r2) AS their_stance, c2.text AS their_claim, [r1, r2] AS _why",
            );
            q
        }
        Rule::timeline => {
            let x = get(Rule::name)?;
            let mut conds = vec![
                named("x", &x),
                format!(
                    "((n:Event AND {}) OR n:Claim)",
                    REPORTED.replace("e.", "n.")
                ),
            ];
            conds.extend(f.date_conds("coalesce(n.time, n.date)"));
            if let Some(t) = &f.about {
                conds.push(format!(
                    "toLower(n.text) CONTAINS {}",
                    lit(&t.to_lowercase())
                ));
            }
            format!(
                "MATCH (x)-[r]-(n) WHERE {} \
                 RETURN DISTINCT coalesce(n.time, n.date) AS time, x.name AS who, \
                 type(r) AS role, coalesce(n.type, n.stance) AS kind, n.text AS what, r AS _why ORDER BY time, what",
                conds.join(" AND ")
            )
        }
        Rule::connected => {
            let a = get(Rule::endpoint)?;
            let b = get(Rule::name)?;
            // each end: the node with the shortest name that holds the words
            // (`Trump` is Donald Trump before the Trump administration);
            // news.connections walks meaningful links only and gives each
            // hop with the sentence behind it, best-attested paths first;
            // one row a path: its route, the sentence of each hop by number,
            // and the support of its weakest hop
            format!(
                "MATCH (x) WHERE {} WITH x ORDER BY size(x.name), x.name LIMIT 1 \
                 MATCH (y) WHERE {} AND y <> x WITH x, y ORDER BY size(y.name), y.name LIMIT 1 \
                 CALL news.connections(x, y) YIELD path, hop, from, link, to, support, sentence \
                 WITH path, hop, from, link, to, support, sentence ORDER BY path, hop \
                 WITH path, collect(from + ' ' + link + ' ') AS steps, last(collect(to)) AS arrival, \
                 collect(toString(hop) + '. ' + coalesce(sentence, '(no sentence)')) AS sentences, \
                 min(support) AS support \
                 RETURN path, reduce(r = '', s IN steps | r + s) + arrival AS route, \
                 reduce(r = '', s IN sentences | r + CASE r WHEN '' THEN '' ELSE '\\n' END + s) AS evidence, \
                 support",
                named("x", &a),
                named("y", &b)
            )
        }
        _ => return None,
    };
    Some(Expansion { query, names })
}

/// Question templates for suggestions: `{X}`/`{Y}` take names, `{D}`/`{E}`
/// dates, `{S}` a stance in the past (`denied`), `{V}` one in the present
/// (`deny`), `{K}` a kind of entity (`countries`).
const TEMPLATES: &[&str] = &[
    "who {S} what",
    "who {S} what about {X}",
    "who {S} {X}",
    "who {S} whom",
    "whom did {X} {V}",
    "what did {X} {V}",
    "what did {X} {V} about {Y}",
    "who {S} what in {X}",
    "who {S} what since {D}",
    "who {S} what between {D} and {E}",
    "what happened in {X}",
    "what happened in {X} since {D}",
    "what happened in {X} between {D} and {E}",
    "who met {X}",
    "who met whom",
    "which {K} were mentioned with {X}",
    "what do {X} and {Y} disagree about",
    "who spoke most about {X}",
    "contradictions about {X}",
    "timeline of {X}",
    "timeline of {X} between {D} and {E}",
    "how is {X} connected to {Y}",
];

/// Words of a question that say which form it wants (not names).
const FORM_WORDS: &[&str] = &[
    "who",
    "whom",
    "what",
    "which",
    "did",
    "does",
    "do",
    "has",
    "have",
    "is",
    "are",
    "was",
    "were",
    "about",
    "on",
    "in",
    "at",
    "of",
    "for",
    "to",
    "with",
    "and",
    "since",
    "before",
    "after",
    "between",
    "from",
    "until",
    "happened",
    "happen",
    "met",
    "meet",
    "meets",
    "mentioned",
    "mention",
    "disagree",
    "disagreed",
    "spoke",
    "speak",
    "talked",
    "most",
    "contradictions",
    "contradiction",
    "contradict",
    "timeline",
    "how",
    "connected",
    "linked",
    "related",
    "the",
    "a",
    "an",
    "all",
    "any",
    "say",
    "said",
    "tell",
    "told",
    "show",
    "me",
    "list",
    "give",
    "where",
    "when",
    "why",
    "together",
    "alongside",
    "whose",
    "by",
    "against",
    "over",
];

/// The stance a word names, as (past, present), e.g. `accuses` → (accused, accuse).
fn stance_word(w: &str) -> Option<(&'static str, &'static str)> {
    const S: [(&str, &str, &str); 9] = [
        ("denied", "deny", "deni"),
        ("denied", "deny", "deny"),
        ("confirmed", "confirm", "confirm"),
        ("accused", "accuse", "accus"),
        ("praised", "praise", "prais"),
        ("criticized", "criticize", "critici"),
        ("warned", "warn", "warn"),
        ("promised", "promise", "promis"),
        ("questioned", "question", "question"),
    ];
    let w = w.to_lowercase();
    if matches!(w.as_str(), "say" | "said" | "says" | "saying") {
        return Some(("said", "say"));
    }
    // words of the same stance that the question forms do not take
    const LIKE: [(&str, &str, &str); 17] = [
        ("slam", "criticized", "criticize"),
        ("blast", "criticized", "criticize"),
        ("condemn", "criticized", "criticize"),
        ("attack", "criticized", "criticize"),
        ("reject", "denied", "deny"),
        ("refut", "denied", "deny"),
        ("dismiss", "denied", "deny"),
        ("hail", "praised", "praise"),
        ("laud", "praised", "praise"),
        ("commend", "praised", "praise"),
        ("vow", "promised", "promise"),
        ("pledg", "promised", "promise"),
        ("caution", "warned", "warn"),
        ("doubt", "questioned", "question"),
        ("acknowledg", "confirmed", "confirm"),
        ("blam", "accused", "accuse"),
        ("claim", "said", "say"),
    ];
    if let Some((_, p, v)) = LIKE.iter().find(|(stem, _, _)| w.starts_with(stem)) {
        return Some((p, v));
    }
    S.iter()
        .find(|(_, _, stem)| w.starts_with(stem))
        .map(|(p, v, _)| (*p, *v))
}

const KINDS: &[&str] = &[
    "countries",
    "country",
    "people",
    "persons",
    "organisations",
    "organizations",
    "groups",
    "places",
    "cities",
    "actors",
];

/// The user's own words, sorted into what the templates' slots take.
#[derive(Default)]
struct Words {
    names: Vec<String>,
    dates: Vec<String>,
    stance: Option<(&'static str, &'static str)>,
    kind: Option<String>,
    all: Vec<String>,
}

fn user_words(text: &str) -> Words {
    let mut w = Words::default();
    let mut current: Vec<String> = Vec::new();
    let flush = |current: &mut Vec<String>, names: &mut Vec<String>| {
        if !current.is_empty() {
            names.push(current.join(" "));
            current.clear();
        }
    };
    // quoted names first, kept whole
    let mut quoted: Vec<String> = Vec::new();
    let mut rest = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '\'' | '"' | '‘' | '“')
            && rest.chars().last().is_none_or(|p| !p.is_alphanumeric())
        {
            let close = match c {
                '‘' => '’',
                '“' => '”',
                x => x,
            };
            let inner: String = chars.by_ref().take_while(|x| *x != close).collect();
            if !inner.trim().is_empty() {
                w.names.push(inner.trim().to_string());
                quoted.push(inner.trim().to_string());
            }
            rest.push(' ');
        } else {
            rest.push(c);
        }
    }
    let tokens: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || matches!(c, '?' | ',' | '!' | ';'))
        .filter(|t| !t.is_empty())
        .collect();
    for t in tokens {
        let lower = t.to_lowercase();
        w.all.push(lower.clone());
        if t.starts_with(|c: char| c.is_ascii_digit()) && period(t).is_some() {
            flush(&mut current, &mut w.names);
            w.dates.push(t.to_string());
        } else if stance_word(t).is_some() && !t.starts_with(char::is_uppercase) {
            flush(&mut current, &mut w.names);
            w.stance = w.stance.or(stance_word(t));
        } else if KINDS.contains(&lower.as_str()) {
            flush(&mut current, &mut w.names);
            w.kind = Some(lower);
        } else if FORM_WORDS.contains(&lower.as_str()) {
            flush(&mut current, &mut w.names);
        } else {
            current.push(t.to_string());
        }
    }
    flush(&mut current, &mut w.names);
    // a name is its capitalised words: "slammed Trump" → "Trump"
    for n in w.names.iter_mut() {
        if quoted.contains(n) {
            continue;
        }
        let words: Vec<&str> = n.split(' ').collect();
        let caps = |x: &&str| x.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
        if let (Some(a), Some(b)) = (words.iter().position(caps), words.iter().rposition(caps)) {
            *n = words[a..=b].join(" ");
        }
    }
    // capitalised words are the names when there are any ("what countries
    // appear with Kursk": Kursk, not "appear")
    if w.names.iter().any(|n| n.starts_with(char::is_uppercase)) {
        w.names
            .retain(|n| n.starts_with(char::is_uppercase) || quoted.contains(n));
    }
    w
}

/// The `n` understood questions nearest to `text`, filled with its words.
pub fn nearest(text: &str, n: usize) -> Vec<String> {
    let w = user_words(text);
    let mut scored: Vec<(i64, usize, String)> = Vec::new();
    for (i, t) in TEMPLATES.iter().enumerate() {
        let fixed: Vec<&str> = t
            .split_whitespace()
            .filter(|x| !x.starts_with('{'))
            .collect();
        let shared = fixed
            .iter()
            .filter(|f| w.all.iter().any(|a| a == *f))
            .count() as i64;
        let mut score = shared * 3 - (fixed.len() as i64 - shared);
        let mut filled = t.to_string();
        let mut names = w.names.iter();
        let mut dates = w.dates.iter();
        for slot in ["{X}", "{Y}"] {
            if filled.contains(slot) {
                match names.next() {
                    Some(nm) => {
                        score += 2;
                        filled = filled.replace(slot, nm);
                    }
                    None => {
                        score -= 3;
                        filled = filled.replace(slot, if slot == "{X}" { "X" } else { "Y" });
                    }
                }
            }
        }
        // a name left over means the template drops what the user asked about
        score -= names.count() as i64 * 2;
        for slot in ["{D}", "{E}"] {
            if filled.contains(slot) {
                match dates.next() {
                    Some(d) => {
                        score += 2;
                        filled = filled.replace(slot, d);
                    }
                    None => {
                        score -= 3;
                        filled =
                            filled.replace(slot, if slot == "{D}" { "2024-01" } else { "2025-12" });
                    }
                }
            }
        }
        score -= dates.count() as i64 * 2;
        if filled.contains("{S}") || filled.contains("{V}") {
            let (p, v) = w.stance.unwrap_or(("said", "say"));
            if w.stance.is_some() {
                score += 3;
            }
            filled = filled.replace("{S}", p).replace("{V}", v);
        } else if w.stance.is_some() {
            score -= 2;
        }
        if filled.contains("{K}") {
            if w.kind.is_some() {
                score += 3;
            }
            filled = filled.replace("{K}", w.kind.as_deref().unwrap_or("countries"));
        }
        if expand_form(&filled).is_some() && !scored.iter().any(|s| s.2 == filled) {
            scored.push((score, i, filled));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(n).map(|s| s.2).collect()
}

/// What to tell the user when a question found nothing: `missing` are
/// the names that match no node in the graph.
pub fn empty_hint(text: &str, missing: &[String]) -> String {
    let mut s = String::from("No answer in the graph");
    if missing.is_empty() {
        s.push_str(" (every name in the question is there, but not in this relation).");
    } else {
        s.push_str(&format!(
            ": nothing is named {}.",
            missing
                .iter()
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    let near: Vec<String> = nearest(text, 4)
        .into_iter()
        .filter(|q| !q.eq_ignore_ascii_case(text.trim().trim_end_matches('?').trim()))
        .take(3)
        .collect();
    if !near.is_empty() {
        s.push_str("\nTry:");
        for q in near {
            s.push_str("\n  ");
            s.push_str(&q);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_expand() {
        let q = expand("who denied what").unwrap().query;
        assert!(q.starts_with("MATCH (a)-[r:DENIED]->(c:Claim)"), "{q}");
        let q = expand("What did Vladimir Putin say about Kursk?")
            .unwrap()
            .query;
        assert!(
            q.contains("'vladimir putin'") && q.contains("'kursk'"),
            "{q}"
        );
        assert!(q.contains("SAID|DENIED"), "{q}");
        let q = expand("what happened in Kursk since 2024-08")
            .unwrap()
            .query;
        assert!(
            q.contains("'kursk'") && q.contains("e.time >= date('2024-08-01')"),
            "{q}"
        );
        let q = expand("how is Gerasimov connected to Zelenskiy")
            .unwrap()
            .query;
        assert!(
            q.contains("'gerasimov'")
                && q.contains("'zelenskiy'")
                && q.contains("news.connections"),
            "{q}"
        );
        for ok in [
            "who met Zelenskiy",
            "who met whom",
            "who accused whom",
            "who accused whom about Biden since 2019",
            "Trump accused whom",
            "whom did Trump accuse",
            "who criticized the government",
            "who warned about climate change",
            "which countries were mentioned with Kursk",
            "who was mentioned with Putin",
            "what do Russia and Ukraine disagree about",
            "who spoke most about Trump",
            "contradictions",
            "contradictions about Kursk",
            "timeline of Putin",
            "timeline of Putin between 2025-01 and 2025-12",
            "who questioned what",
            "who said what between March 2019 and 15 June 2019",
            "who praised what in 2019",
            "what happened between 2019-01-01 and 2019-01-31",
        ] {
            assert!(expand(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn whom_is_not_a_name() {
        let q = expand("who accused whom").unwrap().query;
        assert!(!q.contains("'whom'"), "{q}");
        assert!(q.contains("b.name AS whom"), "{q}");
        let q = expand("who met whom").unwrap().query;
        assert!(!q.contains("'whom'") && q.contains("AS whom"), "{q}");
    }

    #[test]
    fn dates_are_periods() {
        assert_eq!(period("2024"), Some(((2024, 1, 1), (2025, 1, 1))));
        assert_eq!(period("2024-12"), Some(((2024, 12, 1), (2025, 1, 1))));
        assert_eq!(period("2024-02-29"), Some(((2024, 2, 29), (2024, 3, 1))));
        assert_eq!(period("August 2024"), Some(((2024, 8, 1), (2024, 9, 1))));
        assert_eq!(
            period("15 August 2024"),
            Some(((2024, 8, 15), (2024, 8, 16)))
        );
        assert_eq!(period("Dec 31, 2024"), Some(((2024, 12, 31), (2025, 1, 1))));
        assert_eq!(period("2024-13"), None);
        assert_eq!(period("2023-02-29"), None);
        // a year past the query's dates is no period (its end would overflow)
        assert_eq!(period("2147483647"), None);
        assert_eq!(period("2147483647-12-31"), None);
        assert_eq!(period("1000000000"), None);
        assert_eq!(
            period("999999999-12"),
            Some(((999_999_999, 12, 1), (1_000_000_000, 1, 1)))
        );
        // the fifth byte inside a character (the `question` fuzzer)
        assert_eq!(period("1234’"), None);
        assert_eq!(period("123’"), None);
        // between includes the whole last period; before excludes the first
        let q = expand("who said what between 2019-01 and 2019-03")
            .unwrap()
            .query;
        assert!(
            q.contains("c.date >= date('2019-01-01')") && q.contains("c.date < date('2019-04-01')"),
            "{q}"
        );
        let q = expand("who said what before 2019").unwrap().query;
        assert!(q.contains("c.date < date('2019-01-01')"), "{q}");
        let q = expand("who said what after 2019").unwrap().query;
        assert!(q.contains("c.date >= date('2020-01-01')"), "{q}");
        assert!(expand("who said what since 2019-13").is_err());
    }

    #[test]
    fn filters_combine_in_any_order() {
        let q = expand("who denied what in Kursk about Ukraine since 2025")
            .unwrap()
            .query;
        assert!(
            q.contains("'kursk'") && q.contains("'ukraine'") && q.contains("2025-01-01"),
            "{q}"
        );
        let e = expand("what did Putin say about Kursk in 2025").unwrap();
        assert_eq!(e.names, vec!["Putin".to_string(), "Kursk".to_string()]);
    }

    #[test]
    fn names_are_escaped() {
        let q = expand("what did O'Brien say").unwrap().query;
        assert!(q.contains("'o\\'brien'"), "{q}");
    }

    #[test]
    fn keywords_do_not_eat_names() {
        // "on" and "in" start names too
        let q = expand("who met Onishchenko").unwrap().query;
        assert!(q.contains("'onishchenko'"), "{q}");
        let q = expand("who criticized Inslee").unwrap().query;
        assert!(q.contains("'inslee'"), "{q}");
        let q = expand("who met Withers").unwrap().query;
        assert!(q.contains("'withers'"), "{q}");
    }

    #[test]
    fn unknown_questions_get_three_near_forms_in_their_own_words() {
        let e = expand("why is the sky blue").unwrap_err();
        assert_eq!(e.suggestions.len(), 3, "{:?}", e.suggestions);
        let e = expand("who slammed Trump").unwrap_err();
        assert_eq!(e.suggestions.len(), 3, "{:?}", e.suggestions);
        assert!(
            e.suggestions.iter().all(|s| s.contains("Trump")),
            "{:?}",
            e.suggestions
        );
        let e = expand("who accuses whom in Kursk").unwrap_err();
        assert!(
            e.suggestions
                .iter()
                .any(|s| s.contains("accused") && s.contains("Kursk")),
            "{:?}",
            e.suggestions
        );
        let e = expand("what countries appear with Kursk").unwrap_err();
        assert!(
            e.suggestions[0].starts_with("which countries were mentioned with Kursk"),
            "{:?}",
            e.suggestions
        );
        let e = expand("when did Putin and Zelenskiy disagree").unwrap_err();
        assert!(
            e.suggestions
                .iter()
                .any(|s| s == "what do Putin and Zelenskiy disagree about"),
            "{:?}",
            e.suggestions
        );
        let msg = e.to_string();
        assert!(msg.contains("nearest"), "{msg}");
    }

    #[test]
    fn empty_answers_get_a_hint() {
        let h = empty_hint("who met Nobody", &["Nobody".to_string()]);
        assert!(h.contains("'Nobody'") && h.contains("Try:"), "{h}");
    }

    #[test]
    fn queries_are_told_apart() {
        assert!(is_query("MATCH (n) RETURN n"));
        assert!(is_query("  optional match (n) return n"));
        assert!(!is_query("who denied what"));
        assert!(!is_query("what happened in Rome"));
        assert!(is_query("// who's there\n/* all */ MATCH (n) RETURN n"));
        assert!(!is_query("// MATCH (n)\nwho denied what"));
    }
}
