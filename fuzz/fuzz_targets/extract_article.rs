//! The article extractor on any bytes: an extraction or an error, never a
//! panic; what it extracts merges into a graph.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsgraph::extract::Extractor;
use newsgraph::ingest::merge_extraction;
use newsgraph::store::Graph;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(Extractor::new)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(x) = extractor().extract("fuzz.txt", data) {
        let mut g = Graph::new();
        merge_extraction(&mut g, &x);
    }
});
