//! Plain questions ("who denied what", "what did Putin say about Kursk")
//! parsed with `grammar/question.pest` and expanded into Cypher-like query
//! text, which then goes through the ordinary query pipeline (so the same
//! parser, planner and AST answer both).
//!
//! Owns the question forms and their expansions; knows the schema's names
//! but not the store or the query engine's internals.

use pest::Parser;
use pest_derive::Parser;

use crate::store::schema::rel;

#[derive(Parser)]
#[grammar = "../grammar/question.pest"]
struct QuestionParser;

/// The forms a question can take, for help and error messages.
pub const FORMS: &str =
    "  who denied what                      (or said, confirmed, accused, praised, criticized,
                                        warned, promised, questioned) [about X]
  what did X say                       (or deny, confirm, accuse, praise, …) [about Y]
  what happened in PLACE [since DATE]
  who met X
  contradictions [about X]
  timeline of X
  how is X connected to Y";

/// A question and the query it expands to.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub query: String,
}

/// A question that matches no form.
#[derive(Debug, thiserror::Error)]
#[error(
    "I don't know that question: \"{text}\"\nQuestions I understand:\n{FORMS}\nOr write a query: MATCH (a:Actor)-[:DENIED]->(c:Claim) RETURN a.name, c.text;"
)]
pub struct QuestionError {
    pub text: String,
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

/// A Cypher string literal.
/// Events that happened, as the text tells it (snapshots written before
/// events had a status hold only those).
const REPORTED: &str = "coalesce(e.status, 'reported') = 'reported'";

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A predicate: node `v` is named `name` (contained in its name, or equal to
/// an alias), ignoring case.
fn named(v: &str, name: &str) -> String {
    let l = lit(&name.to_lowercase());
    format!(
        "(toLower({v}.name) CONTAINS {l} OR any(al IN coalesce({v}.aliases, []) WHERE toLower(al) = {l}))"
    )
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
    if t.len() >= 2
        && (t.starts_with('\'') && t.ends_with('\'') || t.starts_with('"') && t.ends_with('"'))
    {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// The claim filter for "about X": the claim mentions X (ABOUT) or its text contains X.
fn about_filter(x: &str) -> String {
    format!(
        "OPTIONAL MATCH (c)-[:ABOUT]->(x) WITH a, r, c, collect(x) AS xs \
         WHERE toLower(c.text) CONTAINS {} OR any(x IN xs WHERE {}) ",
        lit(&x.to_lowercase()),
        named("x", x)
    )
}

/// Parses a question and expands it into query text.
pub fn expand(text: &str) -> Result<Expansion, QuestionError> {
    let err = || QuestionError {
        text: text.trim().to_string(),
    };
    let mut pairs = QuestionParser::parse(Rule::question, text.trim()).map_err(|_| err())?;
    let form = pairs
        .next()
        .and_then(|q| q.into_inner().next())
        .ok_or_else(err)?;
    let rule = form.as_rule();
    let parts: Vec<(Rule, String)> = form
        .into_inner()
        .map(|p| (p.as_rule(), unquote(p.as_str())))
        .collect();
    let get = |r: Rule| parts.iter().find(|(k, _)| *k == r).map(|(_, s)| s.as_str());
    let stances = rel::STANCES.join("|");
    let links = format!(
        "{stances}|{}|{}|{}|{}|{}|{}|{}",
        rel::ABOUT,
        rel::PERFORMED,
        rel::AFFECTED,
        rel::OCCURRED_IN,
        rel::PART_OF,
        rel::HOLDS_ROLE,
        rel::CONTRADICTS
    );
    let query = match rule {
        Rule::who_stance => {
            let verb = get(Rule::stance_past).ok_or_else(err)?;
            let mut q = format!("MATCH (a)-{}->(c:Claim) ", stance_rel(verb));
            if let Some(x) = get(Rule::name) {
                q.push_str(&about_filter(x));
            }
            q.push_str(
                "RETURN a.name AS who, type(r) AS stance, c.text AS what, r AS _why ORDER BY who, what",
            );
            q
        }
        Rule::what_did => {
            let who = get(Rule::subject).ok_or_else(err)?;
            let verb = get(Rule::stance_verb).ok_or_else(err)?;
            let mut q = format!(
                "MATCH (a)-{}->(c:Claim) WHERE {} ",
                stance_rel(verb),
                named("a", who)
            );
            if let Some(x) = get(Rule::name) {
                q.push_str(&about_filter(x));
            }
            q.push_str(
                "RETURN a.name AS who, type(r) AS stance, c.text AS what, r AS _why ORDER BY what",
            );
            q
        }
        Rule::happened => {
            let place = get(Rule::place).ok_or_else(err)?;
            let mut q = format!(
                "MATCH (e:Event)-[:{}]->(:Place)-[:{}*0..4]->(p:Place) WHERE {} AND {REPORTED} ",
                rel::OCCURRED_IN,
                rel::PART_OF,
                named("p", place)
            );
            if let Some(d) = get(Rule::date) {
                // `2024-08` is its first day; an event known only to a
                // coarser period that overlaps it is left out (unknown)
                q.push_str(&format!("AND e.time >= date({}) ", lit(d)));
            }
            q.push_str(&format!(
                "WITH DISTINCT e OPTIONAL MATCH (ag)-[:{}]->(e) \
                 RETURN e.time AS time, e.type AS event, collect(ag.name) AS actors, e.text AS sentence, e AS _why \
                 ORDER BY time, event",
                rel::PERFORMED
            ));
            q
        }
        Rule::who_met => {
            let x = get(Rule::name).ok_or_else(err)?;
            format!(
                "MATCH (x)-[:{p}|{a}]-(e:Event)-[:{p}|{a}]-(y) WHERE e.type = 'meet' AND {REPORTED} AND {} AND y <> x \
                 AND NOT {} RETURN DISTINCT y.name AS who, e.time AS time, e.text AS sentence, e AS _why ORDER BY who",
                named("x", x),
                named("y", x),
                p = rel::PERFORMED,
                a = rel::AFFECTED
            )
        }
        Rule::contradictions => {
            let mut q = format!(
                "MATCH (a)-[r1:{stances}]->(c1:Claim)-[:{}]->(c2:Claim)<-[r2:{stances}]-(b) ",
                rel::CONTRADICTS
            );
            if let Some(x) = get(Rule::name) {
                q.push_str(&format!(
                    "WHERE toLower(c1.text) CONTAINS {l} OR toLower(c2.text) CONTAINS {l} \
                     OR {} OR {} ",
                    named("a", x),
                    named("b", x),
                    l = lit(&x.to_lowercase())
                ));
            }
            q.push_str(
                "RETURN a.name AS who, type(r1) AS stance, c1.text AS claim, \
                 b.name AS versus, type(r2) AS their_stance, c2.text AS their_claim, [r1, r2] AS _why",
            );
            q
        }
        Rule::timeline => {
            let x = get(Rule::name).ok_or_else(err)?;
            format!(
                "MATCH (x)-[r]-(n) WHERE {} AND ((n:Event AND {}) OR n:Claim) \
                 RETURN DISTINCT coalesce(n.time, n.date) AS time, x.name AS who, \
                 type(r) AS role, coalesce(n.type, n.stance) AS kind, n.text AS what, r AS _why ORDER BY time",
                named("x", x),
                REPORTED.replace("e.", "n.")
            )
        }
        Rule::connected => {
            let a = get(Rule::endpoint).ok_or_else(err)?;
            let b = get(Rule::name).ok_or_else(err)?;
            format!(
                "MATCH (x) WHERE {} WITH x LIMIT 1 MATCH (y) WHERE {} WITH x, y LIMIT 1 \
                 MATCH p = shortestPath((x)-[:{links}*..8]-(y)) RETURN p AS path, length(p) AS hops",
                named("x", a),
                named("y", b)
            )
        }
        _ => return Err(err()),
    };
    Ok(Expansion { query })
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
            q.contains("'kursk'") && q.contains("e.time >= date('2024-08')"),
            "{q}"
        );
        let q = expand("how is Gerasimov connected to Zelenskiy")
            .unwrap()
            .query;
        assert!(
            q.contains("'gerasimov'") && q.contains("'zelenskiy'") && q.contains("shortestPath"),
            "{q}"
        );
        for ok in [
            "who met Zelenskiy",
            "contradictions",
            "contradictions about Kursk",
            "timeline of Putin",
            "who questioned what",
        ] {
            assert!(expand(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn names_are_escaped() {
        let q = expand("what did O'Brien say").unwrap().query;
        assert!(q.contains("'o\\'brien'"), "{q}");
    }

    #[test]
    fn unknown_questions_list_the_forms() {
        let e = expand("why is the sky blue").unwrap_err().to_string();
        assert!(e.contains("who met X"), "{e}");
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
