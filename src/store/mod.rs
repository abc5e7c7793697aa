//! The graph store: an in-memory property graph in flat columns.
//!
//! Owns nodes (labels + properties + provenance), relationships (type +
//! properties + provenance) in columns, interned names, the indexes by
//! label and by name/alias (case-insensitive), counts by relationship type
//! and the adjacency arrays; `visit` lets petgraph's algorithms run on it.
//! It knows nothing of article text, extraction, files or the query
//! language: callers hand it symbols and values and ask it for ids.

mod graph;
mod intern;
pub mod schema;
mod value;
mod visit;

pub use graph::{
    AdjEntry, Adjacency, DELETED, Direction, EdgeData, EdgeId, EdgeRef, Graph, GraphParts, Node,
    NodeId, PartsRef, PropMap, Provenance, StoreError,
};
pub use intern::{Interner, Symbol};
pub use value::{Date, Duration, PropValue, Temporal, Zone, days_in_month};
pub use visit::{Components, NodeSet, Rel};
