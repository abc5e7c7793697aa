//! Tests of the query engine: parse round-trips over the TCK, no panics on
//! odd input, and end-to-end queries.

use super::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn tck_dir() -> PathBuf {
    std::env::var("NEWSGRAPH_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cypher-tck/tck/features")
        })
}

fn feature_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

/// Queries in `"""` blocks after `executing query:` / `having executed:`.
pub(crate) fn tck_queries() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    feature_files(&tck_dir(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let l = lines[i].trim();
            if (l.ends_with("executing query:") || l.ends_with("having executed:"))
                && lines.get(i + 1).is_some_and(|n| n.trim() == "\"\"\"")
            {
                let mut q = Vec::new();
                i += 2;
                while i < lines.len() && lines[i].trim() != "\"\"\"" {
                    q.push(lines[i].trim());
                    i += 1;
                }
                out.push((f.clone(), q.join("\n")));
            }
            i += 1;
        }
    }
    out
}

#[test]
fn tck_queries_round_trip() {
    let qs = tck_queries();
    if qs.is_empty() {
        println!("TCK folder {} absent: skipping", tck_dir().display());
        return;
    }
    let mut parsed = 0;
    let mut failed = Vec::new();
    for (f, q) in &qs {
        let Ok(ast) = parser::parse_query(q) else {
            continue;
        };
        parsed += 1;
        let printed = ast.to_string();
        match parser::parse_query(&printed) {
            Ok(again) if again == ast => {}
            Ok(_) => failed.push(format!(
                "{}: {q}\n  printed: {printed}\n  (different tree)",
                f.display()
            )),
            Err(e) => failed.push(format!(
                "{}: {q}\n  printed: {printed}\n  {}",
                f.display(),
                e.message
            )),
        }
    }
    println!("{parsed} of {} TCK queries parse", qs.len());
    for f in failed.iter().take(20) {
        println!("{f}");
    }
    assert!(
        failed.is_empty(),
        "{} queries do not round-trip",
        failed.len()
    );
}

#[test]
#[ignore]
fn print_unparsed_tck_queries() {
    for (f, q) in tck_queries() {
        if let Err(e) = parser::parse_query(&q) {
            println!("{}:\n{q}\n  {}\n", f.display(), e.render(&q));
        }
    }
}

// ------------------------------------------------------------ engine features

fn q(g: &mut Graph, text: &str) -> Result<QueryOutput, QueryError> {
    run(g, text, &Params::new(), &QueryOptions::default())
}

/// A chain of `n` nodes linked by `:NEXT`.
fn chain(n: usize) -> Graph {
    let mut g = Graph::new();
    q(
        &mut g,
        &format!("UNWIND range(1, {n}) AS i CREATE (:N {{i: i}})"),
    )
    .unwrap();
    q(
        &mut g,
        "MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)",
    )
    .unwrap();
    g
}

#[test]
fn explain_prints_the_plan_without_running() {
    let mut g = chain(3);
    let out = q(&mut g, "EXPLAIN MATCH (a:N)-[:NEXT]->(b) RETURN b.i").unwrap();
    let plan = out.plan.expect("EXPLAIN gives a plan");
    assert!(!plan.is_empty());
    assert_eq!(out.columns, vec!["plan".to_string()]);
    // EXPLAIN of a write does not write
    q(&mut g, "EXPLAIN CREATE (:X)").unwrap();
    let n = q(&mut g, "MATCH (x:X) RETURN count(x)").unwrap();
    assert_eq!(n.rows[0][0], Value::Int(0));
}

#[test]
fn profile_reports_rows_and_time_per_operator() {
    let mut g = chain(4);
    let out = q(&mut g, "PROFILE MATCH (a:N)-[:NEXT]->(b) RETURN b.i").unwrap();
    assert_eq!(out.rows.len(), 3);
    let plan = out.plan.expect("PROFILE gives a plan");
    assert!(plan.contains("rows="), "{plan}");
    assert!(plan.contains("time="), "{plan}");
}

#[test]
fn variable_length_bound_is_configurable() {
    let mut g = chain(10);
    let text = "MATCH (a:N {i: 1})-[:NEXT*]->(b) RETURN count(b)";
    let opts = QueryOptions {
        max_var_length: 3,
        ..QueryOptions::default()
    };
    let out = run(&mut g, text, &Params::new(), &opts).unwrap();
    assert_eq!(out.rows[0][0], Value::Int(3));
    let out = q(&mut g, text).unwrap();
    assert_eq!(out.rows[0][0], Value::Int(9));
}

#[test]
fn queries_can_be_cancelled_and_timed_out() {
    use std::sync::atomic::AtomicBool;
    let mut g = Graph::new();
    let heavy = "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b RETURN count(*)";
    let cancel = Arc::new(AtomicBool::new(true));
    let opts = QueryOptions {
        cancel: Some(cancel),
        ..QueryOptions::default()
    };
    let err = run(&mut g, heavy, &Params::new(), &opts).unwrap_err();
    assert_eq!(err.detail, "Cancelled");
    let opts = QueryOptions {
        timeout: Some(Duration::from_millis(1)),
        ..QueryOptions::default()
    };
    let err = run(&mut g, heavy, &Params::new(), &opts).unwrap_err();
    assert_eq!(err.detail, "Timeout");
}

#[test]
fn syntax_errors_have_line_column_caret_and_expectation() {
    let mut g = Graph::new();
    let text = "MATCH (n)\nRETURN n ORDER n";
    let err = q(&mut g, text).unwrap_err();
    assert_eq!(err.kind, "SyntaxError");
    assert!(err.message.contains("expected"), "{}", err.message);
    let shown = err.render(text);
    assert!(shown.contains("line 2"), "{shown}");
    assert!(shown.contains("column"), "{shown}");
    assert!(shown.contains('^'), "{shown}");
}

#[test]
fn semantic_errors_are_compile_time_syntax_errors() {
    let mut g = Graph::new();
    for (text, detail) in [
        ("RETURN x", "UndefinedVariable"),
        ("WITH 1 AS n MATCH (n) RETURN n", "VariableTypeConflict"),
        ("RETURN NOT 1", "InvalidArgumentType"),
        ("MATCH (n) RETURN (n)-->()", "UnexpectedSyntax"),
        (
            "MATCH (a)--(b) RETURN a.x + count(b.x)",
            "AmbiguousAggregationExpression",
        ),
    ] {
        let err = q(&mut g, text).unwrap_err();
        assert_eq!(
            (err.phase, err.kind.as_str(), err.detail.as_str()),
            (Phase::Compile, "SyntaxError", detail),
            "{text}"
        );
    }
}

#[test]
fn updating_query_without_return_has_no_rows() {
    let mut g = Graph::new();
    let out = q(&mut g, "CREATE (:A {x: 1})").unwrap();
    assert!(out.rows.is_empty());
    assert_eq!(out.stats.nodes_created, 1);
}

#[test]
fn temporal_values_construct_render_and_compute() {
    let mut g = Graph::new();
    let out = q(
        &mut g,
        "RETURN date({year: 1817, week: 10}) AS a, \
         time({hour: 12, minute: 31, second: 14, millisecond: 645, timezone: '+01:00'}) AS b, \
         duration({months: 0.75}) AS c, \
         date('2025-01-31') + duration('P1M') AS d, \
         datetime.truncate('hour', datetime('2015-07-21T21:40:32.142+0100')) AS e, \
         duration.between(date('1984-10-11'), date('2015-06-24')) AS f, \
         date('2015-07-21').dayOfWeek AS g",
    )
    .unwrap();
    let shown: Vec<String> = out.rows[0]
        .iter()
        .map(|v| match v {
            Value::Date(t) => t.to_string(),
            Value::Int(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "1817-03-03",
            "12:31:14.645+01:00",
            "P22DT19H51M49.5S",
            "2025-02-28",
            "2015-07-21T21:00+01:00",
            "P30Y8M13D",
            "2",
        ]
    );
    // one clock per statement
    let out = q(&mut g, "RETURN localtime() = localtime() AS same").unwrap();
    assert_eq!(out.rows[0][0], Value::Bool(true));
    // a named zone unknown to the bundled database: an error, not a panic
    assert!(
        q(
            &mut g,
            "RETURN datetime('2015-07-21T21:40+02:00[Europe/Nowhere]')"
        )
        .is_err()
    );
}

// ------------------------------------------------------------ shortcuts

/// People saying claims about events, with unlabeled and multi-label nodes,
/// a parallel relationship and one ABOUT pointing the other way.
fn claims() -> Graph {
    let mut g = Graph::new();
    q(
        &mut g,
        "CREATE (p1:Person {year: 1985}), (p2:Person {year: 1995}),
                (p3:Person:Politician {year: 2000}), (p4:Person),
                (c1:Claim), (c2:Claim), (c3:Claim:Disputed), (x {year: 2024}),
                (e1:Event {year: 2024}), (e2:Event {year: 2023}),
                (e3:Event:Crisis {year: 2024}), ()
         CREATE (p1)-[:SAID]->(c1), (p2)-[:SAID]->(c1), (p3)-[:SAID]->(c2),
                (p3)-[:SAID]->(c2), (p2)-[:SAID]->(c3), (p4)-[:SAID]->(c3),
                (p3)-[:SAID]->(x),
                (c1)-[:ABOUT]->(e1), (c1)-[:ABOUT]->(e2), (c2)-[:ABOUT]->(e3),
                (c2)-[:ABOUT]->(e1), (c3)-[:ABOUT]->(e3), (x)-[:ABOUT]->(e1),
                (e1)-[:ABOUT]->(c3)",
    )
    .unwrap();
    g
}

/// The rows of a query and the plan `PROFILE` reports for it.
fn profiled(g: &mut Graph, text: &str) -> (Vec<Vec<Value>>, String) {
    let out = q(g, &format!("PROFILE {text}")).unwrap();
    (out.rows, out.plan.unwrap_or_default())
}

#[test]
fn grouping_by_labels_matches_the_general_aggregate() {
    let mut g = claims();
    let list = |ls: &[&str]| Value::List(ls.iter().map(|l| Value::Str((*l).into())).collect());
    let (rows, plan) = profiled(&mut g, "MATCH (n) RETURN labels(n) AS l, count(*) AS c");
    assert!(plan.contains("GroupByLabels"), "{plan}");
    // groups in the order of their first node, as the aggregate gives them
    let want = [
        (list(&["Person"]), 3),
        (list(&["Person", "Politician"]), 1),
        (list(&["Claim"]), 2),
        (list(&["Claim", "Disputed"]), 1),
        (list(&[]), 2),
        (list(&["Event"]), 2),
        (list(&["Event", "Crisis"]), 1),
    ];
    let want: Vec<Vec<Value>> = want
        .into_iter()
        .map(|(l, c)| vec![l, Value::Int(c)])
        .collect();
    assert_eq!(rows, want);
    // `WITH n` puts a projection between match and aggregate: the general path
    for (fast, general, expected) in [
        (
            "MATCH (n) RETURN labels(n) AS l, count(*) AS c",
            "MATCH (n) WITH n RETURN labels(n) AS l, count(*) AS c",
            None,
        ),
        (
            "MATCH (n) RETURN size(labels(n)) AS k, count(n) AS c ORDER BY k",
            "MATCH (n) WITH n RETURN size(labels(n)) AS k, count(n) AS c ORDER BY k",
            Some(vec![(0, 2), (1, 7), (2, 3)]),
        ),
        (
            "MATCH (n:Person) RETURN n:Politician AS pol, 10 * count(*) AS c ORDER BY c",
            "MATCH (n:Person) WITH n RETURN n:Politician AS pol, 10 * count(*) AS c ORDER BY c",
            None,
        ),
        (
            "MATCH (n) RETURN labels(n)[0] AS first, 'x' AS k, count(*) AS c ORDER BY c DESC, first",
            "MATCH (n) WITH n RETURN labels(n)[0] AS first, 'x' AS k, count(*) AS c ORDER BY c DESC, first",
            None,
        ),
    ] {
        let (rows, plan) = profiled(&mut g, fast);
        assert!(plan.contains("GroupByLabels"), "{fast}\n{plan}");
        let (general_rows, plan) = profiled(&mut g, general);
        assert!(!plan.contains("GroupByLabels"), "{general}\n{plan}");
        assert_eq!(rows, general_rows, "{fast}");
        if let Some(expected) = expected {
            let expected: Vec<Vec<Value>> = expected
                .into_iter()
                .map(|(k, c)| vec![Value::Int(k), Value::Int(c)])
                .collect();
            assert_eq!(rows, expected, "{fast}");
        }
    }
    // keys that read more than labels, and WHERE, take the general path
    for text in [
        "MATCH (n) RETURN labels(n) AS l, n.year AS y, count(*) AS c",
        "MATCH (n) WHERE n.year > 2000 RETURN labels(n) AS l, count(*) AS c",
        "MATCH (n) RETURN labels(n) AS l, count(DISTINCT n) AS c",
    ] {
        let (_, plan) = profiled(&mut g, text);
        assert!(!plan.contains("GroupByLabels"), "{text}\n{plan}");
    }
    // no nodes: no groups
    let mut empty = Graph::new();
    let out = q(&mut empty, "MATCH (n) RETURN labels(n) AS l, count(*) AS c").unwrap();
    assert!(out.rows.is_empty());
}

#[test]
fn counting_chains_matches_the_general_match() {
    let mut g = claims();
    let count = |rows: &[Vec<Value>]| match rows {
        [row] => row[0].clone(),
        _ => panic!("one row expected, got {rows:?}"),
    };
    // by hand: p2 -> c1 -> e1; p2 -> c3 -> e3; p3 =(2)=> c2 -> e3, e1
    let cases = [
        (
            "(p:Person)-[:SAID]->(c:Claim)-[:ABOUT]->(e:Event)",
            "p.year >= 1990 AND e.year = 2024",
            6,
        ),
        (
            "(e:Event)<-[:ABOUT]-(c:Claim)<-[:SAID]-(p:Person)",
            "p.year >= 1990 AND e.year = 2024",
            6,
        ),
        // both directions: e1 -> c3 also counts (p2 -> c3 - e1)
        (
            "(p:Person)-[:SAID]-(c:Claim)-[:ABOUT]-(e:Event)",
            "p.year >= 1990 AND e.year = 2024",
            7,
        ),
        // p4 has no year: p4 -> c3 -> e3
        (
            "(p:Person)-[:SAID]->(c:Claim)-[:ABOUT]->(e:Event)",
            "(p.year >= 1990 OR p.year IS NULL) AND e.year = 2024",
            7,
        ),
        // p2 -> c3 -> e3; p3 =(2)=> c2 -> e3
        (
            "(p:Person)-[:SAID]->(c)-[:ABOUT]->(e:Event:Crisis)",
            "NOT p.year < 1990",
            3,
        ),
        ("(p:Person)-[:SAID]->(c:Claim)", "p.year IN [1985, 2000]", 3),
        ("(e:Event)", "e.year = 2024", 2),
        // p2 -> c1 -> e1, e2; p2 -> c3 -> e3
        (
            "(p:Person {year: 1995})-[:SAID]->(c)-[:ABOUT]->(e)",
            "e.year IS NOT NULL",
            3,
        ),
    ];
    // with many other nodes, walks from few start nodes keep their
    // counters in a map instead of an array: same answers
    for padded in [false, true] {
        if padded {
            q(&mut g, "UNWIND range(1, 20000) AS i CREATE (:Filler)").unwrap();
        }
        for (pattern, filter, expected) in cases {
            let fast = format!("MATCH {pattern} WHERE {filter} RETURN count(*)");
            let (rows, plan) = profiled(&mut g, &fast);
            assert!(plan.contains("CountChain"), "{fast}\n{plan}");
            assert_eq!(count(&rows), Value::Int(expected), "{fast}");
            // listing the rows first takes the general path
            let general = format!("MATCH {pattern} WHERE {filter} WITH * RETURN count(*)");
            let (rows, plan) = profiled(&mut g, &general);
            assert!(!plan.contains("Count"), "{general}\n{plan}");
            assert_eq!(count(&rows), Value::Int(expected), "{general}");
        }
    }
    // a chain reads nothing of the incoming rows: counted once per row
    let text = "UNWIND [1, 2, 3] AS i MATCH (p:Person)-[:SAID]->(c:Claim) \
                WHERE p.year >= 1990 RETURN count(*)";
    let (rows, plan) = profiled(&mut g, text);
    assert!(plan.contains("CountChain"), "{plan}");
    assert_eq!(count(&rows), Value::Int(12));
    let general = text.replace(" RETURN", " WITH * RETURN");
    assert_eq!(rows, q(&mut g, &general).unwrap().rows);
    // types two hops share need relationship uniqueness: not a chain
    for text in [
        "MATCH (a)-[:SAID|ABOUT]->(b)-[:ABOUT]->(c) RETURN count(*)",
        "MATCH (p:Person)-[:SAID]->(c)-[:ABOUT]->(e) WHERE p.year > e.year RETURN count(*)",
    ] {
        let (rows, plan) = profiled(&mut g, text);
        assert!(!plan.contains("CountChain"), "{text}\n{plan}");
        let general = text.replace(" RETURN", " WITH * RETURN");
        assert_eq!(rows, q(&mut g, &general).unwrap().rows, "{text}");
    }
}

#[test]
fn a_node_variable_repeated_in_one_pattern_closes_a_cycle() {
    let mut g = Graph::new();
    q(
        &mut g,
        "CREATE (a:A {name: 'a'})-[:LOOP]->(a),
                (x {name: 'x'})-[:T]->(y {name: 'y'})-[:U]->(x), (y)-[:U]->(:Z)",
    )
    .unwrap();
    let count = |g: &mut Graph, text: &str| q(g, text).unwrap().rows[0][0].render(g);
    assert_eq!(count(&mut g, "MATCH (n)-->(n) RETURN count(*)"), "1");
    assert_eq!(count(&mut g, "MATCH (n)-[r]-(n) RETURN count(r)"), "1");
    assert_eq!(
        count(&mut g, "MATCH (a)-[:T]->()-[:U]->(a) RETURN a.name"),
        "'x'"
    );
    let plan = q(&mut g, "EXPLAIN MATCH (n)-->(n) RETURN n").unwrap();
    let text = plan.plan.map(|p| p.to_string()).unwrap_or_default();
    assert!(text.contains("AllNodesScan(#0) -> ExpandInto"), "{text}");
}

#[test]
fn nan_compares_false_with_numbers_and_null_with_other_types() {
    let mut g = Graph::new();
    let out = q(
        &mut g,
        "WITH 0.0 / 0.0 AS nan RETURN nan > 1, nan <= 1.0, nan >= nan, nan < 'a'",
    )
    .unwrap();
    let row: Vec<String> = out.rows[0].iter().map(|v| v.render(&g)).collect();
    assert_eq!(row, ["false", "false", "false", "null"]);
}

/// The rows of a query as rendered text.
fn texts(g: &mut Graph, text: &str) -> Vec<Vec<String>> {
    let out = q(g, text).unwrap_or_else(|e| panic!("{text}: {}", e.render(text)));
    out.rows
        .iter()
        .map(|r| r.iter().map(|v| v.render(g)).collect())
        .collect()
}

/// A small news graph: two actors, their claims and events, a place.
fn news() -> Graph {
    let mut g = Graph::new();
    q(
        &mut g,
        "CREATE (a:Person:Actor {name: 'Ann Lee', aliases: ['Lee']}),
                (b:Country:Place:Actor {name: 'Ruritania'}),
                (p:Place {name: 'Zenda'}),
                (lonely:Place {name: 'Nowhere'}),
                (c1:Claim {text: 'the bridge is open', date: date('2024-08-02')}),
                (c2:Claim {text: 'no talks were held', date: date('2024-07-30')}),
                (e1:Event {type: 'attack', text: 'shelled the bridge', time: date('2024-08-01')}),
                (e2:Event {type: 'meeting', text: 'met envoys'})
         CREATE (a)-[:SAID]->(c1), (a)-[:DENIED]->(c2), (b)-[:SAID]->(c1),
                (b)-[:PERFORMED]->(e1), (e1)-[:AFFECTED]->(a), (a)-[:PERFORMED]->(e2),
                (e1)-[:OCCURRED_IN]->(p), (c1)-[:ABOUT]->(p)",
    )
    .unwrap();
    g
}

#[test]
fn db_procedures_list_the_graph_vocabulary() {
    let mut g = news();
    assert_eq!(
        texts(&mut g, "CALL db.labels()"),
        [
            ["'Actor'"],
            ["'Claim'"],
            ["'Country'"],
            ["'Event'"],
            ["'Person'"],
            ["'Place'"]
        ]
    );
    assert_eq!(
        texts(
            &mut g,
            "CALL db.relationshipTypes() YIELD relationshipType AS t WHERE t <> 'SAID' RETURN t"
        ),
        [
            ["'ABOUT'"],
            ["'AFFECTED'"],
            ["'DENIED'"],
            ["'OCCURRED_IN'"],
            ["'PERFORMED'"]
        ]
    );
    assert_eq!(
        texts(
            &mut g,
            "CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS k"
        ),
        [["['aliases', 'date', 'name', 'text', 'time', 'type']"]]
    );
    assert_eq!(
        texts(
            &mut g,
            "CALL db.schema() YIELD from, relationshipType, to, count
             WHERE relationshipType = 'SAID' RETURN from, to, count"
        ),
        [
            ["'Actor:Country:Place'", "'Claim'", "1"],
            ["'Actor:Person'", "'Claim'", "1"]
        ]
    );
}

#[test]
fn graph_algorithm_procedures_run_on_the_store() {
    let mut g = news();
    // shortest path, relationships followed either way
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a {name: 'Ann Lee'}), (z {name: 'Zenda'})
             CALL algo.shortestPath(a, z) YIELD path, length
             RETURN length, [n IN nodes(path) | coalesce(n.name, n.text)] AS via"
        ),
        [["2", "['Ann Lee', 'the bridge is open', 'Zenda']"]]
    );
    // no path: no row
    assert!(
        texts(
            &mut g,
            "MATCH (a {name: 'Ann Lee'}), (z {name: 'Nowhere'})
             CALL algo.shortestPath(a, z) YIELD length RETURN length"
        )
        .is_empty()
    );
    // PageRank: scores sum to 1 over all nodes; the place relationships
    // point at ranks first, the others tie (by node id)
    let rows = texts(
        &mut g,
        "CALL algo.pageRank(null) YIELD node, score
         RETURN round(sum(score) * 1000) AS total",
    );
    assert_eq!(rows, [["1000.0"]]);
    let rows = texts(
        &mut g,
        "CALL algo.pageRank('Place') YIELD node, score RETURN node.name",
    );
    assert_eq!(rows, [["'Zenda'"], ["'Ruritania'"], ["'Nowhere'"]]);
    // connected parts, largest first
    assert_eq!(
        texts(
            &mut g,
            "CALL algo.components() YIELD component, size RETURN component, size"
        ),
        [["1", "7"], ["2", "1"]]
    );
}

#[test]
fn news_timeline_orders_an_actors_claims_and_events() {
    let mut g = news();
    assert_eq!(
        texts(
            &mut g,
            "CALL news.timeline('lee') YIELD time, kind, relationship, text
             RETURN time, kind, relationship, text"
        ),
        [
            [
                "'2024-07-30'",
                "'claim'",
                "'DENIED'",
                "'no talks were held'"
            ],
            [
                "'2024-08-01'",
                "'event'",
                "'AFFECTED'",
                "'shelled the bridge'"
            ],
            ["'2024-08-02'", "'claim'", "'SAID'", "'the bridge is open'"],
            ["null", "'event'", "'PERFORMED'", "'met envoys'"],
        ]
    );
    assert!(texts(&mut g, "CALL news.timeline('Nobody')").is_empty());
}

#[test]
fn call_errors_are_clear() {
    let mut g = news();
    let detail = |g: &mut Graph, text: &str| match q(g, text) {
        Ok(_) => panic!("{text} should fail"),
        Err(e) => (e.kind.clone(), e.detail.clone()),
    };
    assert_eq!(
        detail(&mut g, "CALL no.such()"),
        ("ProcedureError".into(), "ProcedureNotFound".into())
    );
    assert_eq!(
        detail(&mut g, "CALL db.labels(1)").1,
        "InvalidNumberOfArguments"
    );
    assert_eq!(
        detail(&mut g, "CALL news.timeline(1)").1,
        "InvalidArgumentType"
    );
    assert_eq!(
        detail(
            &mut g,
            "MATCH (n) CALL algo.shortestPath(n, 1) YIELD length RETURN length"
        )
        .1,
        "InvalidArgumentType"
    );
    assert_eq!(
        detail(&mut g, "CALL db.labels() YIELD nope RETURN nope").1,
        "UndefinedVariable"
    );
    assert_eq!(
        detail(
            &mut g,
            "WITH 1 AS label CALL db.labels() YIELD label RETURN label"
        )
        .1,
        "VariableAlreadyBound"
    );
    assert_eq!(detail(&mut g, "CALL news.timeline").1, "MissingParameter");
    // implicit arguments from parameters
    let mut params = Params::new();
    params.insert("actor".into(), Value::Str("Ruritania".into()));
    let out = run(
        &mut g,
        "CALL news.timeline",
        &params,
        &QueryOptions::default(),
    )
    .unwrap();
    assert_eq!(
        out.columns,
        ["time", "kind", "relationship", "text", "item"]
    );
    assert_eq!(out.rows.len(), 2);
}

/// A table-backed procedure registered beside the built-ins: the rows
/// whose inputs equal the arguments, in table order.
#[test]
fn registered_table_procedures_answer_from_their_rows() {
    use procedures::{Registry, Signature, TableProcedure};
    let sig = Signature::parse("test.city(name :: STRING?, id :: INTEGER?) :: (city :: STRING?)")
        .unwrap();
    let rows = vec![
        vec![
            Value::Str("Ann".into()),
            Value::Int(1),
            Value::Str("Oslo".into()),
        ],
        vec![
            Value::Str("Ann".into()),
            Value::Int(2),
            Value::Str("Rome".into()),
        ],
        vec![
            Value::Str("Bo".into()),
            Value::Int(1),
            Value::Str("Lima".into()),
        ],
    ];
    let header = ["name", "id", "city"].map(String::from);
    let mut reg = Registry::builtin();
    reg.register(Arc::new(TableProcedure::new(sig, &header, rows).unwrap()));
    let opts = QueryOptions {
        procedures: Arc::new(reg),
        ..QueryOptions::default()
    };
    let mut g = Graph::new();
    let out = run(
        &mut g,
        "UNWIND [1, 2] AS i CALL test.city('Ann', i) YIELD city RETURN i, city",
        &Params::new(),
        &opts,
    )
    .unwrap();
    assert_eq!(
        out.rows,
        [
            vec![Value::Int(1), Value::Str("Oslo".into())],
            vec![Value::Int(2), Value::Str("Rome".into())]
        ]
    );
    // not in the default registry
    assert!(q(&mut g, "CALL test.city('Ann', 1)").is_err());
}

// ------------------------------------------------------------ CALL { … } subqueries

#[test]
fn call_subquery_with_importing_with_runs_once_per_row() {
    let mut g = news();
    // correlated: the first WITH imports the outer variable
    let per_actor = texts(
        &mut g,
        "MATCH (a:Actor)
         CALL { WITH a MATCH (a)-[:SAID|DENIED]->(c:Claim) RETURN count(c) AS claims }
         RETURN a.name AS name, claims ORDER BY name",
    );
    assert_eq!(per_actor, [["'Ann Lee'", "2"], ["'Ruritania'", "1"]]);
    // the scope clause imports the same way
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Actor)
             CALL (a) { MATCH (a)-[:SAID|DENIED]->(c:Claim) RETURN count(c) AS claims }
             RETURN a.name AS name, claims ORDER BY name",
        ),
        per_actor
    );
    // an aggregate over no rows still answers for its row
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Person) CALL { WITH a MATCH (a)-[:NOPE]->(x) RETURN count(x) AS n } RETURN n",
        ),
        [["0"]]
    );
    // ORDER BY and LIMIT inside work per incoming row: each actor's latest claim
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Actor)
             CALL { WITH a MATCH (a)-->(c:Claim) RETURN c.text AS latest ORDER BY c.date DESC LIMIT 1 }
             RETURN a.name, latest ORDER BY a.name",
        ),
        [
            ["'Ann Lee'", "'the bridge is open'"],
            ["'Ruritania'", "'the bridge is open'"]
        ]
    );
    // a row whose subquery returns nothing is dropped, several rows multiply
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Actor)
             CALL (a) { MATCH (a)-[:DENIED]->(c:Claim) RETURN c.text AS denied }
             RETURN a.name, denied",
        ),
        [["'Ann Lee'", "'no talks were held'"]]
    );
    assert_eq!(
        texts(
            &mut g,
            "MATCH (p:Place)
             CALL (p) { MATCH (p)<-[r]-() RETURN type(r) AS t }
             RETURN p.name, t ORDER BY t",
        ),
        [["'Zenda'", "'ABOUT'"], ["'Zenda'", "'OCCURRED_IN'"]]
    );
}

#[test]
fn call_subquery_uncorrelated_and_with_union() {
    let mut g = news();
    // no import: runs once for each row, the same each time
    assert_eq!(
        texts(
            &mut g,
            "UNWIND [1, 2] AS i
             CALL { MATCH (c:Claim) RETURN c.text AS first ORDER BY first LIMIT 1 }
             RETURN i, first",
        ),
        [["1", "'no talks were held'"], ["2", "'no talks were held'"]]
    );
    // UNION inside: each branch imports for itself
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Person)
             CALL {
               WITH a MATCH (a)-[:SAID]->(c) RETURN c.text AS t
               UNION
               WITH a MATCH (a)-[:PERFORMED]->(e) RETURN e.text AS t
             }
             RETURN t ORDER BY t",
        ),
        [["'met envoys'"], ["'the bridge is open'"]]
    );
    // UNION removes duplicates across branches, UNION ALL keeps them
    assert_eq!(
        texts(
            &mut g,
            "CALL { RETURN 1 AS x UNION RETURN 1 AS x } RETURN count(*) AS n"
        ),
        [["1"]]
    );
    assert_eq!(
        texts(
            &mut g,
            "CALL { RETURN 1 AS x UNION ALL RETURN 1 AS x } RETURN count(*) AS n"
        ),
        [["2"]]
    );
    // (*) imports everything, () nothing
    assert_eq!(
        texts(
            &mut g,
            "WITH 2 AS k CALL (*) { RETURN k * 10 AS m } RETURN m"
        ),
        [["20"]]
    );
    assert!(q(&mut g, "WITH 2 AS k CALL () { RETURN k AS m } RETURN m").is_err());
}

#[test]
fn unit_subqueries_update_the_graph_row_by_row() {
    let mut g = news();
    // a unit subquery passes its rows on unchanged
    let out = q(
        &mut g,
        "MATCH (a:Actor) CALL { WITH a CREATE (:Note {about: a.name}) } RETURN count(*) AS n",
    )
    .unwrap();
    assert_eq!(out.rows[0][0].render(&g), "2");
    assert_eq!(out.stats.nodes_created, 2);
    assert_eq!(
        texts(&mut g, "MATCH (n:Note) RETURN n.about ORDER BY n.about"),
        [["'Ann Lee'"], ["'Ruritania'"]]
    );
    // a query may end with a unit subquery
    let out = q(
        &mut g,
        "UNWIND [1, 2, 3] AS i CALL { WITH i CREATE (:X {i: i}) }",
    )
    .unwrap();
    assert!(out.rows.is_empty());
    assert_eq!(out.stats.nodes_created, 3);
    // each row's run sees what the runs before it wrote
    assert_eq!(
        texts(
            &mut g,
            "UNWIND [1, 2, 3] AS i
             CALL { MATCH (c:Counter) WITH count(c) AS n CREATE (:Counter {n: n}) RETURN n }
             RETURN i, n",
        ),
        [["1", "0"], ["2", "1"], ["3", "2"]]
    );
    // a failing run leaves the graph as it was
    let before = texts(&mut g, "MATCH (n) RETURN count(n)");
    let err = q(
        &mut g,
        "UNWIND [1, 0] AS i CALL { WITH i CREATE (:Y {v: 1 / i}) }",
    )
    .unwrap_err();
    assert_eq!(err.detail, "DivisionByZero");
    assert_eq!(texts(&mut g, "MATCH (n) RETURN count(n)"), before);
}

#[test]
fn call_subquery_errors_are_clear() {
    let mut g = news();
    let detail = |g: &mut Graph, text: &str| match q(g, text) {
        Ok(_) => panic!("{text} should fail"),
        Err(e) => e.detail,
    };
    // a returned name may not hide an outer one
    assert_eq!(
        detail(&mut g, "MATCH (a:Actor) CALL { RETURN 1 AS a } RETURN a"),
        "VariableAlreadyBound"
    );
    // returned expressions need a name
    assert_eq!(
        detail(&mut g, "CALL { RETURN 1 + 1 } RETURN 1 AS x"),
        "NoExpressionAlias"
    );
    // outer variables are only seen when imported
    assert_eq!(
        detail(
            &mut g,
            "MATCH (a:Actor) CALL { MATCH (c:Claim) RETURN a.name AS n } RETURN n"
        ),
        "UndefinedVariable"
    );
    assert_eq!(
        detail(&mut g, "CALL (nope) { RETURN 1 AS x } RETURN x"),
        "UndefinedVariable"
    );
    // the importing WITH only names variables
    assert_eq!(
        detail(
            &mut g,
            "MATCH (a:Actor) CALL { WITH a WHERE a.name = 'x' RETURN 1 AS x } RETURN x"
        ),
        "InvalidImportingWith"
    );
    // a subquery that reads must return
    assert_eq!(
        detail(&mut g, "MATCH (a) CALL { WITH a MATCH (a)-->(b) } RETURN a"),
        "InvalidClauseComposition"
    );
    assert_eq!(
        detail(
            &mut g,
            "CALL { RETURN 1 AS x UNION RETURN 2 AS y } RETURN 1 AS z"
        ),
        "DifferentColumnsInUnion"
    );
    // positions point into the query
    let text = "MATCH (a:Actor) CALL { RETURN 1 AS a } RETURN a";
    let e = q(&mut g, text).unwrap_err();
    assert!(e.render(text).contains("column 17"), "{}", e.render(text));
}

#[test]
fn call_subqueries_print_parse_and_explain() {
    for text in [
        "MATCH (a) CALL { WITH a MATCH (a)-->(b) RETURN count(b) AS n } RETURN a, n",
        "MATCH (a) CALL (a) { MATCH (a)-->(b) RETURN b } RETURN b",
        "CALL (*) { RETURN 1 AS x UNION ALL RETURN 2 AS x } RETURN x",
        "UNWIND [1] AS i CALL () { CREATE (:X) }",
    ] {
        let ast = parser::parse_query(text).unwrap();
        let printed = ast.to_string();
        assert_eq!(parser::parse_query(&printed).unwrap(), ast, "{printed}");
    }
    let mut g = news();
    let plan = texts(
        &mut g,
        "EXPLAIN MATCH (a:Actor) CALL { WITH a MATCH (a)-->(c:Claim) RETURN count(c) AS n } RETURN n",
    );
    assert!(
        plan.iter().any(|r| r[0].contains("CallSubquery { Match")),
        "{plan:?}"
    );
}

#[test]
fn exists_takes_a_full_subquery() {
    let mut g = news();
    // aggregation inside: actors with at least two claims
    assert_eq!(
        texts(
            &mut g,
            "MATCH (a:Actor) WHERE EXISTS {
               MATCH (a)-->(c:Claim) WITH a, count(c) AS n WHERE n >= 2 RETURN n
             } RETURN a.name",
        ),
        [["'Ann Lee'"]]
    );
    // UNION inside
    assert_eq!(
        texts(
            &mut g,
            "MATCH (p:Place) WHERE EXISTS {
               MATCH (p)<-[:ABOUT]-() RETURN 1 AS x UNION MATCH (p)<-[:OCCURRED_IN]-() RETURN 1 AS x
             } RETURN p.name",
        ),
        [["'Zenda'"]]
    );
    // updates are refused before anything runs
    let e = q(
        &mut g,
        "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) SET m.x = 1 } RETURN n",
    )
    .unwrap_err();
    assert_eq!(e.detail, "InvalidClauseComposition");
}

// ------------------------------------------------------------ news.connections

/// Two ways from A to B: a short one through a role nobody's sentence
/// attests, and a longer one whose every hop has its sentence.
#[test]
fn connections_rank_paths_by_evidence_then_length() {
    use crate::store::{PropMap, PropValue, Provenance};
    let mut g = Graph::new();
    let text = "Ann Lee met Bo Chan. Ann Lee said the bridge is open. The bridge is in Zenda.";
    let l = |g: &mut Graph, s: &str| g.intern(s);
    let props = |g: &mut Graph, kv: &[(&str, &str)]| {
        let mut m = PropMap::new();
        for (k, v) in kv {
            let k = g.intern(k);
            m.set(k, PropValue::from(*v));
        }
        m
    };
    let art_l = l(&mut g, "Article");
    let art_p = props(&mut g, &[("text", text), ("file", "a.txt")]);
    let art = g.add_node(vec![art_l], art_p, None);
    let sent = |i: u32, start: usize, end: usize| Provenance {
        article: art,
        sentence: i,
        start: start as u32,
        end: end as u32,
    };
    let s1 = sent(1, 21, 53);
    let (person, org, claim, place) = (
        l(&mut g, "Person"),
        l(&mut g, "Organization"),
        l(&mut g, "Claim"),
        l(&mut g, "Place"),
    );
    let named = |g: &mut Graph, label, name: &str| {
        let p = props(g, &[("name", name)]);
        g.add_node(vec![label], p, None)
    };
    let a = named(&mut g, person, "Ann Lee");
    let b = named(&mut g, place, "Zenda");
    let board = named(&mut g, org, "Bridge Board");
    let c_props = props(&mut g, &[("text", "the bridge is open")]);
    let c = g.add_node(vec![claim], c_props, Some(s1));
    let (holds, said, about) = (
        l(&mut g, "HOLDS_ROLE"),
        l(&mut g, "SAID"),
        l(&mut g, "ABOUT"),
    );
    let part = l(&mut g, "PART_OF");
    let mentioned = l(&mut g, "MENTIONED_IN");
    // short and unattested: Ann Lee -[HOLDS_ROLE]-> Bridge Board <-[PART_OF]- Zenda
    g.add_edge(a, board, holds, PropMap::new(), None).unwrap();
    g.add_edge(b, board, part, PropMap::new(), None).unwrap();
    // longer and attested: Ann Lee -[SAID]-> claim -[ABOUT]-> bridge -[PART_OF]-> Zenda
    let bridge = named(&mut g, place, "the bridge");
    g.add_edge(a, c, said, PropMap::new(), Some(s1)).unwrap();
    g.add_edge(c, bridge, about, PropMap::new(), Some(s1))
        .unwrap();
    g.add_edge(bridge, b, part, PropMap::new(), Some(sent(2, 54, 77)))
        .unwrap();
    // not meaningful: both mentioned in the article (different sentences)
    g.add_edge(a, art, mentioned, PropMap::new(), Some(sent(0, 0, 20)))
        .unwrap();
    g.add_edge(b, art, mentioned, PropMap::new(), Some(sent(2, 54, 77)))
        .unwrap();
    let rows = texts(
        &mut g,
        "MATCH (x {name: 'Ann Lee'}), (y {name: 'Zenda'})
         CALL news.connections(x, y) YIELD path, hop, from, link, to, support, sentence
         RETURN path, hop, from, link, to, support, sentence",
    );
    let best: Vec<Vec<String>> = rows.iter().filter(|r| r[0] == "1").cloned().collect();
    assert_eq!(
        best,
        [
            [
                "1",
                "1",
                "'Ann Lee'",
                "'-[SAID]->'",
                "'Claim \\'the bridge is open\\''",
                "1",
                "'Ann Lee said the bridge is open.'"
            ],
            [
                "1",
                "2",
                "'Claim \\'the bridge is open\\''",
                "'-[ABOUT]->'",
                "'the bridge'",
                "1",
                "'Ann Lee said the bridge is open.'"
            ],
            [
                "1",
                "3",
                "'the bridge'",
                "'-[PART_OF]->'",
                "'Zenda'",
                "1",
                "'The bridge is in Zenda.'"
            ],
        ]
    );
    // the short path comes second, its hops without a sentence
    let second: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "2").collect();
    assert_eq!(second.len(), 2);
    assert_eq!(second[0][3], "'-[HOLDS_ROLE]->'");
    assert_eq!(second[1][3], "'<-[PART_OF]-'");
    assert_eq!(second[0][5], "0");
    assert_eq!(second[0][6], "null");
    // MENTIONED_IN is not a way through the article
    assert!(
        rows.iter()
            .all(|r| !r[2].contains("Article") && !r[4].contains("Article"))
    );
    // nothing connects a node to itself, and null ends give no rows
    assert!(
        texts(
            &mut g,
            "MATCH (x {name: 'Ann Lee'}) CALL news.connections(x, x) YIELD path RETURN path"
        )
        .is_empty()
    );
    assert!(
        texts(
            &mut g,
            "CALL news.connections(null, null) YIELD path RETURN path"
        )
        .is_empty()
    );
}
