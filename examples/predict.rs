//! Runs the extractor on the articles named by a gold folder and writes one
//! prediction JSON per gold file: `cargo run --example predict -- GOLD_DIR OUT_DIR`.
use std::path::Path;

use newsgraph::extract::Extractor;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let gold = args.get(1).map_or("/work/shared/gold/dev", |s| s.as_str());
    let out = args.get(2).map_or("target/pred", |s| s.as_str());
    std::fs::create_dir_all(out).expect("out dir");
    let ex = Extractor::new();
    let articles = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
    let mut files: Vec<_> = std::fs::read_dir(gold)
        .expect("gold dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for gf in files {
        if gf.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let g: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&gf).expect("read gold"))
                .expect("gold json");
        let art = g["article"].as_str().unwrap_or("").to_string();
        let bytes = match std::fs::read(articles.join(&art)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{art}: {e}");
                continue;
            }
        };
        match ex.extract(&art, &bytes) {
            Ok(x) => {
                let s = serde_json::to_string_pretty(&x.to_json()).expect("json");
                std::fs::write(Path::new(out).join(gf.file_name().expect("name")), s)
                    .expect("write");
            }
            Err(e) => eprintln!("{art}: {e}"),
        }
    }
}
