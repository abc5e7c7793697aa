//! Entity-tagger error listing on an IOB2 file: one line per gold or
//! predicted span, `sent_id kind start end type text` with kind `ok`,
//! `miss` (gold only) or `spur` (predicted only):
//! `cargo run --release --example ner_diff -- FILE.iob2 [MODEL_DIR]`.
use newsgraph::nlp::{conllu, entities::EntityTagger, pipeline::Pipeline};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let sents = if args[1].ends_with(".iob2") {
        conllu::read_iob2(path).expect("iob2")
    } else {
        conllu::read_paths(&[path.to_path_buf()])
            .expect("conllu")
            .iter()
            .map(|s| conllu::EntitySentence {
                id: s.id.clone(),
                forms: s.words.iter().map(|w| w.form.clone()).collect(),
                spans: newsgraph::nlp::entities::named_mentions(s),
            })
            .collect()
    };
    let dir = args.get(2).map_or("data/models", String::as_str);
    let pipe = Pipeline::load_dir(std::path::Path::new(dir)).expect("models");
    let ner: &EntityTagger = &pipe.entities;
    for s in &sents {
        let forms: Vec<&str> = s.forms.iter().map(String::as_str).collect();
        let tagged = pipe.tagger.tag(&forms);
        let u: Vec<_> = tagged.iter().map(|t| t.0).collect();
        let x: Vec<_> = tagged.iter().map(|t| t.1).collect();
        let found: Vec<_> = ner
            .tag(&forms, &u, &x)
            .iter()
            .map(|e| (e.start, e.end, e.etype))
            .collect();
        let text = |a: usize, b: usize| {
            (a..b)
                .map(|k| format!("{}/{}", forms[k], u[k].name()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        for g in &s.spans {
            let kind = if found.contains(g) { "ok" } else { "miss" };
            println!(
                "{}\t{kind}\t{}\t{}\t{}\t{}",
                s.id,
                g.0,
                g.1,
                g.2.short(),
                text(g.0, g.1)
            );
        }
        for f in &found {
            if !s.spans.contains(f) {
                println!(
                    "{}\tspur\t{}\t{}\t{}\t{}",
                    s.id,
                    f.0,
                    f.1,
                    f.2.short(),
                    text(f.0, f.1)
                );
            }
        }
        println!("{}\tsent\t0\t{}\t-\t{}", s.id, forms.len(), forms.join(" "));
    }
}
