//! A timer queue keyed by what the timer is for.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::time::Instant;

/// Deadlines, each owned by one key; arming a key again replaces its
/// deadline.
#[derive(Debug)]
pub(crate) struct Timers<K> {
    by_deadline: BTreeMap<(Instant, u64), K>,
    by_key: HashMap<K, (Instant, u64)>,
    next_seq: u64,
}

impl<K: Copy + Eq + Hash> Timers<K> {
    pub(crate) fn new() -> Self {
        Self {
            by_deadline: BTreeMap::new(),
            by_key: HashMap::new(),
            next_seq: 0,
        }
    }

    /// Arms (or re-arms) `key` for `at`.
    pub(crate) fn set(&mut self, key: K, at: Instant) {
        self.cancel(key);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_deadline.insert((at, seq), key);
        self.by_key.insert(key, (at, seq));
    }

    /// Disarms `key`; true if it was armed.
    pub(crate) fn cancel(&mut self, key: K) -> bool {
        match self.by_key.remove(&key) {
            Some(slot) => {
                self.by_deadline.remove(&slot);
                true
            }
            None => false,
        }
    }

    /// When `key` fires, if armed.
    #[cfg(test)]
    pub(crate) fn deadline(&self, key: K) -> Option<Instant> {
        self.by_key.get(&key).map(|(at, _)| *at)
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.by_deadline.keys().next().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest key due at `now`, if any.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<K> {
        let (&(at, seq), &key) = self.by_deadline.iter().next()?;
        if at > now {
            return None;
        }
        self.by_deadline.remove(&(at, seq));
        self.by_key.remove(&key);
        Some(key)
    }

    /// Number of armed timers.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[allow(clippy::disallowed_methods)]
    fn epoch() -> Instant {
        Instant::now()
    }

    #[test]
    fn fires_in_order_and_rearming_replaces() {
        let t0 = epoch();
        let mut t = Timers::new();
        t.set(1, t0 + Duration::from_secs(5));
        t.set(2, t0 + Duration::from_secs(1));
        t.set(1, t0 + Duration::from_secs(3));
        assert_eq!(t.len(), 2);
        assert_eq!(t.next(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(t.pop_due(t0), None);
        assert_eq!(t.pop_due(t0 + Duration::from_secs(10)), Some(2));
        assert_eq!(t.deadline(1), Some(t0 + Duration::from_secs(3)));
        assert!(t.cancel(1));
        assert!(!t.cancel(1));
        assert_eq!(t.pop_due(t0 + Duration::from_secs(10)), None);
    }
}
