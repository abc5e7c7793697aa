//! Interned strings: labels, relationship types and property keys become
//! small integer [`Symbol`]s; string property values share one allocation.

use std::collections::{HashMap, HashSet};

pub use crate::fasthash::FnvBuild;
use std::sync::Arc;

use bytemuck::Zeroable;
use serde::{Deserialize, Serialize};

/// An interned name (label, relationship type or property key).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Zeroable,
)]
pub struct Symbol(pub u32);

/// Two-way map between names and [`Symbol`]s, plus a pool for string values.
#[derive(Default, Clone, Debug)]
pub struct Interner {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, Symbol, FnvBuild>,
    values: HashSet<Arc<str>, FnvBuild>,
}

impl Interner {
    /// The symbol for `name`, creating it when new.
    pub fn intern(&mut self, name: &str) -> Symbol {
        if let Some(&s) = self.ids.get(name) {
            return s;
        }
        let s = Symbol(self.names.len() as u32);
        let shared: Arc<str> = Arc::from(name);
        self.names.push(shared.clone());
        self.ids.insert(shared, s);
        s
    }

    /// The symbol for `name` if it was ever interned.
    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.ids.get(name).copied()
    }

    /// The name behind a symbol ("" for a symbol of another interner).
    pub fn resolve(&self, s: Symbol) -> &str {
        self.names.get(s.0 as usize).map(|a| &**a).unwrap_or("")
    }

    /// All names in symbol order (for snapshots).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|a| &**a)
    }

    /// A shared copy of a string value: equal strings share one allocation.
    pub fn shared_value(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.values.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.values.insert(a.clone());
        a
    }

    /// Replaces `a` by the pooled copy of an equal string.
    pub fn share(&mut self, a: &Arc<str>) -> Arc<str> {
        if let Some(p) = self.values.get(&**a) {
            return p.clone();
        }
        self.values.insert(a.clone());
        a.clone()
    }
}
