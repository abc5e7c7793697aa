fn main() {
    let p = std::env::args().nth(1).unwrap();
    let b = std::fs::read(&p).unwrap();
    let x = newsgraph::extract::Extractor::new()
        .extract("x", &b)
        .unwrap();
    for e in &x.entities {
        println!(
            "{:?} {:?} {:?} titles={:?} roles={:?} part_of={:?}",
            e.name, e.etype, e.aliases, e.titles, e.roles, e.part_of
        );
    }
    for (i, s) in x.sentences.iter().enumerate() {
        println!("S{i}: {}", &x.text[s.start..s.end]);
    }
}
