//! The syntax core's model loader: the checked envelope on any bytes, and
//! the tagger, parser and entity-tagger decoders on any payload inside a
//! valid envelope (so the fuzzer gets past the checksum). The first byte
//! picks which; a model, or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::nlp::entities::EntityTagger;
use newsgraph::nlp::model::{self, ModelKind};
use newsgraph::nlp::parser::Parser;
use newsgraph::nlp::tagger::Tagger;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 4 {
        0 => {
            let _ = Tagger::from_bytes(&model::wrap(ModelKind::Tagger, rest));
        }
        1 => {
            let _ = Parser::from_bytes(&model::wrap(ModelKind::Parser, rest));
        }
        2 => {
            let _ = EntityTagger::from_bytes(&model::wrap(ModelKind::Entities, rest));
        }
        _ => {
            for kind in [ModelKind::Tagger, ModelKind::Parser, ModelKind::Entities] {
                let _ = model::unwrap(kind, rest);
            }
            let _ = Tagger::from_bytes(rest);
        }
    }
});
