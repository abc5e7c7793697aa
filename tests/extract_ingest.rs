//! Graph building (`ingest::merge_extraction`): entities merge across
//! articles, a repeated claim is one Claim with several sources, HOLDS_ROLE,
//! PART_OF containment, ABOUT and CONTRADICTS, checked through queries.

use newsgraph::extract::Extractor;
use newsgraph::ingest::merge_extraction;
use newsgraph::query::{Params, QueryOptions, Value, run};
use newsgraph::store::Graph;

fn merge(g: &mut Graph, name: &str, text: &str) {
    let x = Extractor::new().extract(name, text.as_bytes()).unwrap();
    merge_extraction(g, &x);
}

fn rows(g: &mut Graph, q: &str) -> Vec<Vec<String>> {
    let out = run(g, q, &Params::new(), &QueryOptions::default()).expect(q);
    out.rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| match v {
                    Value::Str(s) => s.to_string(),
                    Value::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn seed_graph() -> Graph {
    let mut g = Graph::new();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/articles/2025-04-26-kursk.txt"
    );
    merge(
        &mut g,
        "2025-04-26-kursk.txt",
        &std::fs::read_to_string(path).unwrap(),
    );
    g
}

#[test]
fn part_of_gornal_kursk_russia() {
    let mut g = seed_graph();
    let r = rows(
        &mut g,
        "MATCH (a:Place)-[:PART_OF*1..3]->(b:Place) WHERE a.name CONTAINS 'Gornal' RETURN b.name",
    );
    let names: Vec<&str> = r.iter().map(|x| x[0].as_str()).collect();
    assert!(names.contains(&"Kursk region"), "{names:?}");
    assert!(names.contains(&"Russia"), "{names:?}");
}

#[test]
fn holds_role_about_and_contradicts() {
    let mut g = seed_graph();
    let r = rows(
        &mut g,
        "MATCH (p:Person)-[r:HOLDS_ROLE]->(x) WHERE p.name CONTAINS 'Putin' RETURN r.title, x.name",
    );
    assert!(
        r.iter().any(|x| x[0] == "President" && x[1] == "Russia"),
        "{r:?}"
    );
    let r = rows(
        &mut g,
        "MATCH (c:Claim)-[:ABOUT]->(e) WHERE c.text CONTAINS 'Gornal' RETURN e.name",
    );
    assert!(r.iter().any(|x| x[0] == "Gornal"), "{r:?}");
    let r = rows(
        &mut g,
        "MATCH (d:Actor)-[:DENIED]->(c1:Claim)-[:CONTRADICTS]->(c2:Claim)<-[:SAID]-(a:Actor) \
         RETURN d.name, c1.text, a.name, c2.text",
    );
    assert!(
        r.iter()
            .any(|x| x[0] == "Ukraine" && x[1].contains("expelled") && x[2] == "Russia"),
        "Kyiv denies what Moscow said: {r:?}"
    );
}

#[test]
fn entities_merge_and_repeated_claim_has_several_sources() {
    let mut g = Graph::new();
    merge(
        &mut g,
        "a.txt",
        "date 2025-05-01\n\nFirst\n\nRussian President Vladimir Putin said the offensive had failed completely. Kyiv denied it.\n",
    );
    merge(
        &mut g,
        "b.txt",
        "date 2025-05-02\n\nSecond\n\nPutin met officials in Moscow. Vladimir Putin said the offensive had failed completely.\n",
    );
    let r = rows(
        &mut g,
        "MATCH (p:Person) WHERE p.name = 'Vladimir Putin' RETURN count(p)",
    );
    assert_eq!(r[0][0], "1", "one Putin across articles");
    let r = rows(
        &mut g,
        "MATCH (p:Person)-[:MENTIONED_IN]->(a:Article) WHERE p.name = 'Vladimir Putin' RETURN count(a)",
    );
    assert_eq!(r[0][0], "2");
    let r = rows(
        &mut g,
        "MATCH (c:Claim) WHERE c.text CONTAINS 'offensive had failed' RETURN count(c)",
    );
    assert_eq!(r[0][0], "1", "one Claim node");
    let r = rows(
        &mut g,
        "MATCH (p)-[s:SAID]->(c:Claim) WHERE c.text CONTAINS 'offensive had failed' RETURN count(s)",
    );
    assert_eq!(r[0][0], "2", "two sources for the claim");
    // idempotent per article
    merge(
        &mut g,
        "b.txt",
        "date 2025-05-02\n\nSecond\n\nVladimir Putin said the offensive had failed completely.\n",
    );
    let r = rows(&mut g, "MATCH (a:Article) RETURN count(a)");
    assert_eq!(r[0][0], "2");
}

#[test]
fn transliterated_names_are_one_person() {
    let mut g = Graph::new();
    merge(
        &mut g,
        "a.txt",
        "date 2025-04-01\n\nTalks in Kyiv\n\nUkrainian President Volodymyr Zelenskiy met envoys in Kyiv on Monday.\n",
    );
    merge(
        &mut g,
        "b.txt",
        "date 2025-04-02\n\nTalks go on\n\nUkrainian President Volodymyr Zelensky said the talks would go on.\n",
    );
    merge(
        &mut g,
        "c.txt",
        "date 2025-04-03\n\nMore talks\n\nUkrainian President Volodymyr Zelenskyy said more talks were planned.\n",
    );
    let people = rows(
        &mut g,
        "MATCH (p:Person) WHERE p.name STARTS WITH 'Volodymyr' \
         RETURN p.name, size([(p)-[:MENTIONED_IN]->(a) | a])",
    );
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0][1], "3", "{people:?}");
}

#[test]
fn the_same_happening_from_several_articles_is_one_event() {
    let mut g = Graph::new();
    merge(
        &mut g,
        "a.txt",
        "date 2025-05-01\n\nStrikes on Kharkiv\n\nKHARKIV, May 1 (Reuters) - Russian forces attacked Kharkiv on Thursday, officials said.\n",
    );
    merge(
        &mut g,
        "b.txt",
        "date 2025-05-02\n\nKharkiv attacked\n\nRussian forces attacked Kharkiv on Thursday, the regional governor said on Friday.\n",
    );
    // the same kind of attack three weeks later is another happening
    merge(
        &mut g,
        "c.txt",
        "date 2025-05-22\n\nKharkiv again\n\nRussian forces attacked Kharkiv on Thursday, officials said.\n",
    );
    let r = rows(
        &mut g,
        "MATCH (e:Event {type: 'attack'})-[:AFFECTED]->(x {name: 'Kharkiv'}) \
         MATCH (e)-[:REPORTED_IN]->(a:Article) \
         RETURN e.date, count(a) AS sources ORDER BY e.date",
    );
    let dates: Vec<(String, String)> = r.iter().map(|x| (x[0].clone(), x[1].clone())).collect();
    assert_eq!(dates.len(), 2, "{r:?}");
    assert_eq!(dates[0].1, "2", "one event, two sources: {r:?}");
    assert_eq!(dates[1].1, "1", "{r:?}");
    let r = rows(
        &mut g,
        "MATCH (e:Event)-[:REPORTED_IN]->(a:Article {file: 'b.txt'}) RETURN e.text",
    );
    assert!(r.iter().all(|x| x[0].contains("Kharkiv")), "{r:?}");
}

#[test]
fn planned_and_negated_events_are_in_the_graph_with_their_status() {
    let mut g = Graph::new();
    merge(
        &mut g,
        "plans.txt",
        "date 2024-03-05\n\nA title line\n\nRebels attacked the town of Velmar in Norland on Monday. \
         The army plans to invade Velmar. The militia did not attack the Velmar depot.\n",
    );
    let got = rows(
        &mut g,
        "MATCH (e:Event) RETURN e.type, e.status ORDER BY e.status, e.type",
    );
    let want = |t: &str, s: &str| vec![t.to_string(), s.to_string()];
    assert!(got.contains(&want("attack", "reported")), "{got:?}");
    assert!(got.contains(&want("invade", "planned")), "{got:?}");
    assert!(got.contains(&want("attack", "negated")), "{got:?}");
    // "what happened in X" lists only what happened
    let q = newsgraph::question::expand("what happened in Velmar")
        .expect("understood")
        .query;
    let events: Vec<String> = rows(&mut g, &q).into_iter().map(|r| r[1].clone()).collect();
    assert_eq!(events, vec!["attack".to_string()], "{q}");
}
