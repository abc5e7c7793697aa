//! newsgraph: news articles → a property graph of actors, places, events and
//! claims, queried with a Cypher-like language from a REPL.
#![deny(unsafe_code)]

pub mod extract;
pub mod fasthash;
pub mod generate;
pub mod import;
pub mod ingest;
pub mod jsonl;
pub mod nlp;
pub mod picture;
pub mod query;
pub mod question;
pub mod render;
pub mod repl;
pub mod snapshot;
pub mod store;
pub mod tables;
pub mod workspace;
