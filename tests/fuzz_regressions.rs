//! What the fuzzers of `fuzz/` found (issue 14), one test per finding, with
//! the fuzzer's input in `tests/fixtures/fuzz/` where it is not obvious.
//! The parser's exponential backtracking, found earlier, is in
//! `tests/hardening.rs` (`a_parse_that_backtracks_is_bounded_not_a_hang`).

use std::path::Path;

use newsgraph::query::parser::parse_query;
use newsgraph::question;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The question target's check: a question expands to a query that
/// parses, or is an error; never a panic.
fn expands_or_fails(text: &str) -> Result<String, String> {
    match question::expand(text) {
        Ok(x) => {
            parse_query(&x.query)
                .unwrap_or_else(|e| panic!("{text:?} expanded to {:?}: {e:?}", x.query));
            Ok(x.query)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// `question` (a panic): a word that starts with four bytes of which the
/// fourth is inside a typographic apostrophe (`wa19;01’d`) was cut at byte
/// 4 while looking for a date (`&t[..4]`), which is not a character
/// boundary. The fuzzer's input, and the same shape with other characters
/// of two, three and four bytes.
#[test]
fn a_question_word_with_a_multibyte_character_is_not_cut_inside_it() {
    let mut questions = vec![fixture("question-char-boundary.txt")];
    for c in ['é', '’', '€', '😀'] {
        for lead in ["1", "12", "123"] {
            questions.push(format!("who said what since {lead}{c}9"));
            questions.push(format!("who said what about {lead}{c}4 in 2019"));
            questions.push(format!("who sait wa{lead}{c}d 2019-03"));
        }
    }
    for q in questions {
        let _ = expands_or_fails(&q);
    }
    // dates are still read
    assert!(expands_or_fails("who said what since 2019-03").is_ok());
}
