//! The snapshot loader on any bytes: a graph or an error, never a panic.
//! A graph that loads is saved again and must load again.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use newsgraph::snapshot;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.ngs");
    match snapshot::from_bytes(data, path) {
        Ok((g, meta)) => {
            let again = snapshot::to_bytes(&g, &meta);
            let (g2, _) = snapshot::from_bytes(&again, path).expect("a saved graph loads");
            assert_eq!(g.node_count(), g2.node_count());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
