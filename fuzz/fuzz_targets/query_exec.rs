//! Planner and executor on a small fixed graph: any query text runs to
//! rows or an error within a time limit (200 ms), a memory budget (64 MiB)
//! and a bound on unbounded `*` patterns, never panics. Writes run too,
//! on the graph of this one run (a fresh copy of the fixed graph each run).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use newsgraph::query::{self, Params, QueryOptions, Value};
use newsgraph::store::Graph;

const SETUP: &str = "
CREATE (putin:Person:Actor {name: 'Vladimir Putin', aliases: ['Putin'], born: 1952}),
       (zel:Person:Actor {name: 'Volodymyr Zelenskiy', born: 1978}),
       (kursk:Place {name: 'Kursk region', lat: 51.7, lon: 36.2}),
       (kyiv:Place {name: 'Kyiv'}),
       (a1:Article {title: 'Kursk', date: date('2025-04-26'), file: 'a.txt'}),
       (c1:Claim {text: 'Ukraine was expelled from Kursk', negated: false}),
       (c2:Claim:Disputed {text: 'No troops were lost', negated: true}),
       (e1:Event {kind: 'attack', when: date('2025-04-20')}),
       (putin)-[:SAID {sentence: 3}]->(c1),
       (zel)-[:DENIED {sentence: 5}]->(c1),
       (zel)-[:SAID]->(c2),
       (c1)-[:ABOUT]->(kursk),
       (c2)-[:ABOUT]->(e1),
       (e1)-[:IN]->(kursk),
       (kursk)-[:NEAR {km: 900}]->(kyiv),
       (c1)-[:FROM]->(a1),
       (c2)-[:FROM]->(a1),
       (c1)-[:CONTRADICTS]->(c2)
";

/// The fixed graph, its parameters and the limits, made once: each run
/// clones only the graph (its adjacency arrays are built here, so the
/// clones share them).
struct Fixture {
    graph: Graph,
    params: Params,
    opts: QueryOptions,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut graph = Graph::new();
        query::run(&mut graph, SETUP, &Params::new(), &QueryOptions::default())
            .expect("the fixed graph");
        let _ = graph.adjacency();
        let mut params = Params::new();
        params.insert("name".into(), Value::Str("Kursk region".into()));
        params.insert("n".into(), Value::Int(2));
        let opts = QueryOptions {
            max_var_length: 6,
            timeout: Some(Duration::from_millis(200)),
            cancel: None,
            max_memory: Some(64 << 20),
            ..QueryOptions::default()
        };
        Fixture {
            graph,
            params,
            opts,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    let mut g = f.graph.clone();
    if let Err(e) = query::run(&mut g, text, &f.params, &f.opts) {
        let _ = e.render(text);
    }
});
