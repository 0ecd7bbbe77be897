//! The stack's timer queue: a heap of deadlines with lazy cancellation.
//!
//! Entities (transactions, connections) own their deadlines; the queue only
//! remembers when to look at them. A popped entry whose entity is gone or no
//! longer due is skipped, so cancelling costs nothing and the heap never needs
//! a search.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// What a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TimerOwner {
    /// A client transaction.
    Client(u64),
    /// A server transaction.
    Server(u64),
    /// A stream connection (idle close, keep-alive).
    Connection(u64),
}

/// Deadlines by time.
#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<(Instant, TimerOwner)>>,
}

impl TimerQueue {
    /// Asks to look at `owner` at `at`.
    pub(crate) fn schedule(&mut self, at: Instant, owner: TimerOwner) {
        self.heap.push(Reverse((at, owner)));
    }

    /// The earliest deadline, possibly stale.
    pub(crate) fn peek(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// The next owner whose deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<TimerOwner> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse((_, o))| o),
            _ => None,
        }
    }

    /// Drops stale entries from the top: those `live` says no longer exist or
    /// are not due then.
    pub(crate) fn prune(&mut self, mut live: impl FnMut(Instant, TimerOwner) -> bool) {
        while let Some(Reverse((at, owner))) = self.heap.peek() {
            if live(*at, *owner) {
                return;
            }
            self.heap.pop();
        }
    }
}
