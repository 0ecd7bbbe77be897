//! Maps of transaction keys — strings from the network (branch, sent-by,
//! method, tags, Call-ID) — hashed once, with a per-stack random SipHash key
//! (so a peer cannot choose keys that collide), the hash kept beside each
//! entry. A std `HashMap` hashes every key again each time it grows: with
//! transactions lingering 32 s after their calls, at hundreds of calls per
//! second the maps hold tens of thousands of keys, and that rehash stalled
//! the SIP thread for tens of milliseconds at a time.

use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

/// A map from `K` to `V` whose keys are hashed once.
pub(crate) struct KeyedMap<K, V> {
    state: RandomState,
    table: HashTable<(u64, K, V)>,
}

impl<K: Hash + Eq, V> KeyedMap<K, V> {
    /// An empty map with its own random hash key.
    pub(crate) fn new() -> Self {
        Self {
            state: RandomState::new(),
            table: HashTable::new(),
        }
    }

    fn hash(&self, key: &K) -> u64 {
        self.state.hash_one(key)
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let hash = self.hash(key);
        self.table
            .find(hash, |(h, k, _)| *h == hash && k == key)
            .map(|(_, _, v)| v)
    }

    /// Sets `key` to `value`; the value it had.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hash(&key);
        match self
            .table
            .entry(hash, |(h, k, _)| *h == hash && *k == key, |(h, _, _)| *h)
        {
            Entry::Occupied(mut e) => Some(std::mem::replace(&mut e.get_mut().2, value)),
            Entry::Vacant(e) => {
                e.insert((hash, key, value));
                None
            }
        }
    }

    /// Takes `key` out; its value.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hash(key);
        self.table
            .find_entry(hash, |(h, k, _)| *h == hash && k == key)
            .ok()
            .map(|e| e.remove().0.2)
    }

    /// How many keys it holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

impl<K, V> fmt::Debug for KeyedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedMap")
            .field("len", &self.table.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::KeyedMap;

    #[test]
    fn insert_get_replace_remove_through_growth() {
        let mut m = KeyedMap::new();
        for i in 0..10_000 {
            assert_eq!(m.insert(format!("z9hG4bK{i}"), i), None);
        }
        assert_eq!(m.len(), 10_000);
        for i in (0..10_000).step_by(7) {
            assert_eq!(m.get(&format!("z9hG4bK{i}")), Some(&i));
        }
        assert_eq!(m.insert("z9hG4bK5".to_owned(), 50), Some(5));
        assert_eq!(m.get(&"z9hG4bK5".to_owned()), Some(&50));
        assert_eq!(m.remove(&"z9hG4bK5".to_owned()), Some(50));
        assert_eq!(m.remove(&"z9hG4bK5".to_owned()), None);
        assert_eq!(m.get(&"nope".to_owned()), None);
        assert_eq!(m.len(), 9_999);
    }
}
