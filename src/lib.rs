//! newsgraph: news articles → a property graph of actors, places, events and
//! claims, queried with a Cypher-like language from a REPL.
#![deny(unsafe_code)]

pub mod store;
pub mod query;
pub mod snapshot;
