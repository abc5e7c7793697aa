//! The plain-question parser on any text: a query text or an error, never
//! a panic; the query a question expands to must parse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::query::parser::parse_query;
use newsgraph::question;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = question::is_query(text);
    if let Ok(x) = question::expand(text)
        && let Err(e) = parse_query(&x.query)
    {
        panic!(
            "the question {text:?} expanded to a query that does not parse: {}\n{}",
            x.query,
            e.render(&x.query)
        );
    }
});
