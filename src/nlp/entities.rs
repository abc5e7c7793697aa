//! The entity tagger. (placeholder: being written)

use crate::nlp::TrainArgs;
use crate::nlp::model::ModelError;
use crate::nlp::tags::{EntityType, Upos, Xpos};

/// A typed entity mention over tokens `start..end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub etype: EntityType,
    /// How sure the tagger is (margin of the best label over the next).
    pub confidence: f32,
}

pub struct EntityTagger {}

impl EntityTagger {
    pub fn tag(&self, _forms: &[&str], _upos: &[Upos], _xpos: &[Xpos]) -> Vec<EntitySpan> {
        Vec::new()
    }
    /// Reads a model file (checked: magic, version, kind, checksum).
    pub fn load(path: &std::path::Path) -> Result<EntityTagger, ModelError> {
        let bytes = std::fs::read(path).map_err(|err| ModelError::Io {
            path: path.display().to_string(),
            err,
        })?;
        EntityTagger::from_bytes(&bytes)
    }
    /// Decodes a whole model file's bytes (envelope included).
    pub fn from_bytes(_bytes: &[u8]) -> Result<EntityTagger, ModelError> {
        Err(ModelError::NotAModel)
    }
}

pub fn train_cli(_args: &TrainArgs, _log: &mut dyn FnMut(&str)) -> Result<(), String> {
    Err("the entity trainer is not written yet".into())
}
