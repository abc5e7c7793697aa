//! A fast hasher for the program's own in-memory maps (FNV-1a): words,
//! names and ids, never keys an attacker chooses, so SipHash's protection
//! is not needed and its cost is. `HashMap`/`HashSet` here are the std
//! types with this hasher (make them with `default()`, not `new()`).

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64-bit.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        // keys that are hashes already need only mixing into the state
        self.0 = (self.0 ^ x).wrapping_mul(0x0100_0000_01b3);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`Fnv`] hashers.
pub type FnvBuild = BuildHasherDefault<Fnv>;
/// `std::collections::HashMap` with [`Fnv`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, FnvBuild>;
/// `std::collections::HashSet` with [`Fnv`].
pub type HashSet<T> = std::collections::HashSet<T, FnvBuild>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_equal_and_maps_work() {
        let b = FnvBuild::default();
        assert_eq!(b.hash_one("Kursk"), b.hash_one(String::from("Kursk")));
        assert_ne!(b.hash_one("Kursk"), b.hash_one("kursk"));
        let mut m: HashMap<&str, u32> = HashMap::default();
        m.insert("a", 1);
        *m.entry("a").or_default() += 1;
        assert_eq!(m["a"], 2);
    }
}
