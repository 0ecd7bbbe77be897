//! Delivering events to the application's handlers: in order, one at a
//! time, never under an engine lock.
//!
//! Whichever thread polled the network (a worker, or the application inside
//! `lib_handle_events`) appends what it got to one queue, then tries to
//! become the deliverer. Only one thread delivers at a time, in queue order,
//! so the events of an account (or a call) never overtake each other and a
//! handler is never entered twice at once. A thread that finds another
//! delivering goes back to polling; the deliverer drains what it added.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, TryLockError};

use super::lock;

/// The queue of undelivered events and the deliverer's token.
#[derive(Debug)]
pub(crate) struct Dispatcher<T> {
    queue: Mutex<VecDeque<T>>,
    delivering: Mutex<()>,
}

impl<T> Dispatcher<T> {
    pub(crate) fn new() -> Self {
        Self {
            queue: Mutex::new(VecDeque::new()),
            delivering: Mutex::new(()),
        }
    }

    /// Queues events for delivery.
    pub(crate) fn push(&self, events: impl IntoIterator<Item = T>) {
        lock(&self.queue).extend(events);
    }

    /// Delivers queued events with `deliver` until the queue is empty,
    /// unless another thread is delivering (then returns 0 at once).
    /// Returns how many this call delivered.
    pub(crate) fn deliver(&self, mut deliver: impl FnMut(T)) -> usize {
        let mut count = 0;
        loop {
            let token: MutexGuard<'_, ()> = match self.delivering.try_lock() {
                Ok(t) => t,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return count,
            };
            loop {
                let next = lock(&self.queue).pop_front();
                match next {
                    Some(event) => {
                        deliver(event);
                        count += 1;
                    }
                    None => break,
                }
            }
            drop(token);
            // An event queued between the last pop and the release would
            // otherwise wait for the next poll.
            if lock(&self.queue).is_empty() {
                return count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn delivers_in_order_and_never_concurrently() {
        let d = Arc::new(Dispatcher::new());
        let inside = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (d, inside, seen) = (d.clone(), inside.clone(), seen.clone());
                std::thread::spawn(move || {
                    for i in 0..500 {
                        d.push([(t, i)]);
                        d.deliver(|e| {
                            assert!(!inside.swap(true, Ordering::SeqCst), "two deliverers");
                            seen.lock().unwrap().push(e);
                            inside.store(false, Ordering::SeqCst);
                        });
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        d.deliver(|e| seen.lock().unwrap().push(e));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2000);
        for t in 0..4 {
            let mine: Vec<_> = seen.iter().filter(|e| e.0 == t).map(|e| e.1).collect();
            assert_eq!(
                mine,
                (0..500).collect::<Vec<_>>(),
                "thread {t} out of order"
            );
        }
    }
}
