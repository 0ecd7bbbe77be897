//! A queue of items due at instants, popped in time order and, at equal
//! times, in the order they were pushed: the one tie-break rule that keeps a
//! run deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Items keyed by due time, first-in first-out among equal times.
#[derive(Debug)]
pub(crate) struct Schedule<T> {
    heap: BinaryHeap<Entry<T>>,
    pushed: u64,
}

#[derive(Debug)]
struct Entry<T> {
    at: Instant,
    seq: u64,
    item: T,
}

impl<T> Schedule<T> {
    pub(crate) fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            pushed: 0,
        }
    }

    pub(crate) fn push(&mut self, at: Instant, item: T) {
        self.heap.push(Entry {
            at,
            seq: self.pushed,
            item,
        });
        self.pushed += 1;
    }

    /// When the earliest item is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|e| e.at)
    }

    /// The earliest item, if it is due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, T)> {
        if self.next_due()? > now {
            return None;
        }
        self.heap.pop().map(|e| (e.at, e.item))
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that the max-heap pops the earliest (then first pushed).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pops_by_time_then_push_order() {
        let t = Instant::now();
        let mut s = Schedule::new();
        s.push(t + Duration::from_millis(2), "c");
        s.push(t + Duration::from_millis(1), "a");
        s.push(t + Duration::from_millis(1), "b");
        assert_eq!(s.next_due(), Some(t + Duration::from_millis(1)));
        assert_eq!(s.pop_due(t), None);
        let order: Vec<_> = std::iter::from_fn(|| s.pop_due(t + Duration::from_secs(1)))
            .map(|(_, x)| x)
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!(s.len(), 0);
    }
}
