//! The dependency parser. (placeholder: being written)

use crate::nlp::TrainArgs;
use crate::nlp::model::ModelError;
use crate::nlp::tags::{Deprel, Upos, Xpos};

pub struct Parser {}

impl Parser {
    /// Heads (1-based, 0 = root) and relations for one sentence.
    pub fn parse(&self, forms: &[&str], _upos: &[Upos], _xpos: &[Xpos]) -> Vec<(u32, Deprel)> {
        forms.iter().map(|_| (0, 0)).collect()
    }
    /// Reads a model file (checked: magic, version, kind, checksum).
    pub fn load(path: &std::path::Path) -> Result<Parser, ModelError> {
        let bytes = std::fs::read(path).map_err(|err| ModelError::Io {
            path: path.display().to_string(),
            err,
        })?;
        Parser::from_bytes(&bytes)
    }
    /// Decodes a whole model file's bytes (envelope included).
    pub fn from_bytes(_bytes: &[u8]) -> Result<Parser, ModelError> {
        Err(ModelError::NotAModel)
    }
}

pub fn train_cli(_args: &TrainArgs, _log: &mut dyn FnMut(&str)) -> Result<(), String> {
    Err("the parser trainer is not written yet".into())
}
