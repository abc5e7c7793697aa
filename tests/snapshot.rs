//! Snapshot files: round trips over random graphs, the committed fixture,
//! and every kind of bad file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use newsgraph::snapshot::{self, FORMAT_VERSION, SnapshotError};
use newsgraph::store::{
    Date, Direction, Duration, Graph, NodeId, PropMap, PropValue, Provenance, Temporal, Zone,
};
use proptest::prelude::*;

/// The temporal values of format 3, one of each kind, and a list of them.
fn temporal_props() -> Vec<(&'static str, PropValue)> {
    let dur = Duration {
        months: 14,
        days: 3,
        secs: 4 * 3600 + 5 * 60 + 6,
        nanos: 700_000_000,
    };
    vec![
        (
            "lt",
            PropValue::Temporal(Temporal::LocalTime(45_296_000_000_000)),
        ),
        (
            "t",
            PropValue::Temporal(Temporal::Time(45_296_000_000_000, 3600)),
        ),
        (
            "ldt",
            PropValue::Temporal(Temporal::LocalDateTime(20_000, 1)),
        ),
        (
            "dt",
            PropValue::Temporal(Temporal::DateTime(20_000, 999_999_999, -5 * 3600)),
        ),
        ("dur", PropValue::Temporal(Temporal::Duration(dur))),
        ("far", PropValue::Temporal(Temporal::Date(-365_243_219_162))),
        ("year", PropValue::Temporal(Temporal::Year(2024))),
        ("month", PropValue::Temporal(Temporal::YearMonth(2024, 8))),
        (
            "dates",
            PropValue::List(vec![
                PropValue::Date(Date::from_ymd(2024, 8, 1).unwrap()),
                PropValue::Temporal(Temporal::Duration(dur)),
            ]),
        ),
    ]
}

/// The graph stored in `tests/fixtures/small-vN.ngs`: every value type of
/// format `version`, provenance, a deleted node and a deleted relationship
/// (holes in the ids).
fn fixture_graph(version: u32) -> Graph {
    let mut g = Graph::new();
    let name = g.intern("name");
    let (person, actor, place, claim, article) = (
        g.intern("Person"),
        g.intern("Actor"),
        g.intern("Place"),
        g.intern("Claim"),
        g.intern("Article"),
    );
    let mut p = PropMap::new();
    p.set(name, "2025-04-26-kursk.txt".into());
    let date = g.intern("date");
    p.set(date, PropValue::Date(Date::from_ymd(2025, 4, 26).unwrap()));
    let art = g.add_node(vec![article], p, None);
    let prov = Provenance {
        article: art,
        sentence: 3,
        start: 10,
        end: 42,
    };
    let mut p = PropMap::new();
    p.set(name, "Vladimir Putin".into());
    let aliases = g.intern("aliases");
    p.set(aliases, PropValue::List(vec!["Putin".into()]));
    let putin = g.add_node(vec![person, actor], p, Some(prov));
    let gone = g.add_node(vec![place], PropMap::new(), None);
    let mut p = PropMap::new();
    let (k_int, k_float, k_bool, k_map) = (
        g.intern("count"),
        g.intern("score"),
        g.intern("quote"),
        g.intern("extra"),
    );
    p.set(k_int, PropValue::Int(-7));
    p.set(k_float, PropValue::Float(0.25));
    p.set(k_bool, PropValue::Bool(true));
    let mut m = BTreeMap::new();
    m.insert(
        "k".to_string(),
        PropValue::List(vec![PropValue::Int(1), "x".into()]),
    );
    p.set(k_map, PropValue::Map(m));
    if version >= 3 {
        for (k, v) in temporal_props() {
            let k = g.intern(k);
            p.set(k, v);
        }
    }
    if version >= 4 {
        let k = g.intern("zoned");
        let kyiv = Zone::from_name("Europe/Kyiv").unwrap();
        // 2024-08-01T12:30+03:00[Europe/Kyiv]
        p.set(
            k,
            PropValue::Temporal(Temporal::ZonedDateTime(
                19936,
                45_000_000_000_000,
                10_800,
                kyiv,
            )),
        );
    }
    let c = g.add_node(vec![claim], p, Some(prov));
    let said = g.intern("SAID");
    let tmp = g.add_edge(putin, gone, said, PropMap::new(), None).unwrap();
    let mut p = PropMap::new();
    let title = g.intern("title");
    p.set(title, "President".into());
    g.add_edge(putin, c, said, p, Some(prov)).unwrap();
    g.remove_edge(tmp).unwrap();
    g.remove_node(gone).unwrap();
    g
}

/// The committed fixture of a format version.
fn fixture_path(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/small-v{version}.ngs"))
}

/// Every committed fixture, old formats included, loads into the same graph.
#[test]
fn committed_fixtures_still_load() {
    let meta = vec![("purpose".to_string(), "test fixture".to_string())];
    if std::env::var_os("NEWSGRAPH_WRITE_FIXTURE").is_some() {
        snapshot::save(
            &fixture_graph(FORMAT_VERSION),
            &meta,
            &fixture_path(FORMAT_VERSION),
        )
        .unwrap();
    }
    for version in 1..=FORMAT_VERSION {
        let path = fixture_path(version);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes[8..12], version.to_le_bytes(), "{}", path.display());
        let (g, m) = snapshot::load(&path)
            .unwrap_or_else(|e| panic!("{e}: a format change needs a new version and a migration"));
        assert_eq!(m, meta);
        assert_eq!(
            g.to_parts(),
            fixture_graph(version).to_parts(),
            "version {version}"
        );
        assert_eq!(g.nodes_by_name("putin").len(), 1);
        // the in-memory decoder agrees with the file loader
        let (h, _) = snapshot::from_bytes(&bytes, &path).unwrap();
        assert_eq!(h.to_parts(), g.to_parts());
    }
}

/// A graph loaded from a snapshot keeps working as a graph: reads see the
/// rebuilt indexes, and writes after the load are seen by reads.
#[test]
fn loaded_graph_reads_and_writes() {
    let (mut g, _) = snapshot::load(&fixture_path(FORMAT_VERSION)).unwrap();
    let putin = g.nodes_by_name("Vladimir Putin")[0];
    let out_before = g.degree(putin, Direction::Outgoing);
    assert!(out_before > 0);
    let t = g.intern("VISITED");
    let target = g.node_ids().find(|n| *n != putin).unwrap();
    let e = g.add_edge(putin, target, t, PropMap::new(), None).unwrap();
    assert_eq!(g.degree(putin, Direction::Outgoing), out_before + 1);
    assert!(g.adjacency().outgoing(putin).iter().any(|x| x.edge == e));
    g.remove_edge(e).unwrap();
    assert_eq!(g.degree(putin, Direction::Outgoing), out_before);
    assert!(!g.adjacency().outgoing(putin).iter().any(|x| x.edge == e));
}

/// A graph of several node chunks (each encoded twice by the writer: once
/// for its length and checksum, once into the file) saves to the bytes
/// `to_bytes` gives, and loads back equal, with a deleted node in a middle
/// chunk.
#[test]
fn several_node_chunks_save_and_load() {
    let mut g = Graph::new();
    let l = g.intern("Article");
    let k = g.intern("text");
    let n = snapshot::NODE_CHUNK * 2 + 123;
    for i in 0..n {
        let mut p = PropMap::new();
        p.set(
            k,
            PropValue::from(format!("article {i} {}", "x".repeat(i % 97)).as_str()),
        );
        g.add_node(vec![l], p, None);
    }
    g.remove_node(NodeId(snapshot::NODE_CHUNK as u32 + 7))
        .unwrap();
    let t = g.intern("NEXT");
    for i in 1..n as u32 {
        let _ = g.add_edge(NodeId(i - 1), NodeId(i), t, PropMap::new(), None);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ngs");
    snapshot::save(&g, &[], &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), snapshot::to_bytes(&g, &[]));
    let (h, _) = snapshot::load(&path).unwrap();
    assert_eq!(h.to_parts(), g.to_parts());
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn good_bytes() -> Vec<u8> {
    std::fs::read(fixture_path(FORMAT_VERSION)).unwrap()
}

#[test]
fn truncated_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = good_bytes();
    for cut in [0usize, 5, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        let p = write(dir.path(), "cut.ngs", &bytes[..cut]);
        let err = snapshot::load(&p).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("cut.ngs"), "{msg}");
        if cut > 0 {
            assert!(
                matches!(err, SnapshotError::Truncated { .. }),
                "cut at {cut}: {msg}"
            );
        }
    }
}

#[test]
fn corrupted_payload_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = good_bytes();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x5a;
    let p = write(dir.path(), "flip.ngs", &bytes);
    let err = snapshot::load(&p).unwrap_err();
    assert!(matches!(err, SnapshotError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn corrupt_payload_with_valid_checksum_is_reported_not_panicking() {
    // A payload that claims a huge vector: must be an error, not an allocation.
    let dir = tempfile::tempdir().unwrap();
    let payload = [0u8, 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    let mut bytes = Vec::new();
    bytes.extend_from_slice(snapshot::MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let p = write(dir.path(), "huge.ngs", &bytes);
    let err = snapshot::load(&p).unwrap_err();
    assert!(matches!(err, SnapshotError::Corrupt { .. }), "{err}");
}

#[test]
fn foreign_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "notes.txt",
        b"date 2025-04-26\n\nJust an article\n",
    );
    let err = snapshot::load(&p).unwrap_err();
    assert!(matches!(err, SnapshotError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("notes.txt"));
}

#[test]
fn newer_version_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = good_bytes();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let p = write(dir.path(), "future.ngs", &bytes);
    let err = snapshot::load(&p).unwrap_err();
    assert!(matches!(err, SnapshotError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn missing_file_is_reported() {
    let err = snapshot::load(Path::new("/nonexistent/dir/graph.ngs")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/dir/graph.ngs"),
        "{err}"
    );
}

#[test]
fn save_replaces_atomically_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.ngs");
    snapshot::save(&fixture_graph(FORMAT_VERSION), &[], &path).unwrap();
    snapshot::save(&Graph::new(), &[], &path).unwrap();
    let (g, _) = snapshot::load(&path).unwrap();
    assert_eq!(g.node_count(), 0);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A save into a folder that does not exist fails and names the file.
    let bad = dir.path().join("missing/g.ngs");
    let err = snapshot::save(&Graph::new(), &[], &bad).unwrap_err();
    assert!(err.to_string().contains("missing/g.ngs"), "{err}");
}

// ----- random graphs -----

fn prop_value() -> impl Strategy<Value = PropValue> {
    let leaf = prop_oneof![
        Just(PropValue::Null),
        any::<bool>().prop_map(PropValue::Bool),
        any::<i64>().prop_map(PropValue::Int),
        (-1e12f64..1e12).prop_map(PropValue::Float),
        "[a-zA-Z0-9 '\\\\é]{0,12}".prop_map(PropValue::from),
        (-100_000i32..100_000).prop_map(|d| PropValue::Date(Date(d))),
        (any::<i64>(), any::<i64>(), any::<i32>()).prop_map(|(d, t, o)| {
            PropValue::Temporal(match d.rem_euclid(5) {
                0 => Temporal::LocalTime(t),
                1 => Temporal::Time(t, o),
                2 => Temporal::DateTime(d, t, o),
                3 => Temporal::YearMonth(d, o as u32),
                _ => Temporal::Duration(Duration {
                    months: d,
                    days: t,
                    secs: i64::from(o),
                    nanos: 5,
                }),
            })
        }),
    ];
    leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(PropValue::List),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..3).prop_map(PropValue::Map),
        ]
    })
}

type Props = Vec<(u8, PropValue)>;

#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<(Vec<u8>, Props)>,
    edges: Vec<(usize, usize, u8, Props)>,
    delete_nodes: Vec<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let props = || prop::collection::vec((0u8..6, prop_value()), 0..4);
    (
        prop::collection::vec((prop::collection::vec(0u8..5, 0..3), props()), 1..20),
        prop::collection::vec((0usize..100, 0usize..100, 0u8..4, props()), 0..40),
        prop::collection::vec(0usize..100, 0..5),
    )
        .prop_map(|(nodes, edges, delete_nodes)| Spec {
            nodes,
            edges,
            delete_nodes,
        })
}

fn build(s: &Spec) -> Graph {
    let mut g = Graph::new();
    let mut ids: Vec<NodeId> = Vec::new();
    for (labels, props) in &s.nodes {
        let labels = labels.iter().map(|l| g.intern(&format!("L{l}"))).collect();
        let mut p = PropMap::new();
        for (k, v) in props {
            let k = if *k == 0 {
                g.intern("name")
            } else {
                g.intern(&format!("k{k}"))
            };
            p.set(k, v.clone());
        }
        ids.push(g.add_node(labels, p, None));
    }
    for (i, (a, b, t, props)) in s.edges.iter().enumerate() {
        let t = g.intern(&format!("T{t}"));
        let mut p = PropMap::new();
        for (k, v) in props {
            let k = g.intern(&format!("r{k}"));
            p.set(k, v.clone());
        }
        let (a, b) = (ids[a % ids.len()], ids[b % ids.len()]);
        let prov = (i % 2 == 0).then_some(Provenance {
            article: a,
            sentence: i as u32,
            start: 0,
            end: i as u32,
        });
        g.add_edge(a, b, t, p, prov).unwrap();
    }
    for d in &s.delete_nodes {
        let n = ids[d % ids.len()];
        let _ = g.detach_remove_node(n);
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_graphs_round_trip(s in spec()) {
        let g = build(&s);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ngs");
        snapshot::save(&g, &[("k".into(), "v".into())], &path).unwrap();
        let (h, meta) = snapshot::load(&path).unwrap();
        prop_assert_eq!(meta, vec![("k".to_string(), "v".to_string())]);
        prop_assert_eq!(h.to_parts(), g.to_parts());
        prop_assert_eq!(h.label_counts(), g.label_counts());
        prop_assert_eq!(h.type_counts(), g.type_counts());
        for n in g.node_ids() {
            prop_assert_eq!(h.node(n), g.node(n));
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut with_magic = snapshot::MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        for b in [&bytes, &with_magic] {
            let _ = snapshot::from_bytes(b, Path::new("x.ngs"));
        }
    }
}
