//! The RTP sending thread: the packets each media tick makes are sent here,
//! so the clock thread goes back to mixing while the kernel takes them (on
//! loopback a `sendto` also delivers to the receiving socket: a third of a
//! busy engine's CPU). With two cores, mixing and sending run side by side.
//!
//! The tick hands over one batch per frame through a bounded channel. When
//! the sender is behind by more than a few batches, the tick sends its
//! batch itself: packets are never dropped or reordered for lack of room,
//! and the clock thread never waits for the sender.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use super::rtp_io::Outgoing;

/// Batches the sender may be behind before the tick sends by itself.
const QUEUED_BATCHES: usize = 4;

/// The sending thread and its channels.
#[derive(Debug)]
pub(crate) struct PacketSender {
    batches: Option<SyncSender<Vec<Outgoing>>>,
    /// Emptied batches coming back, to reuse their capacity.
    returned: Receiver<Vec<Outgoing>>,
    failures: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl PacketSender {
    /// No thread: batches are sent by the tick itself (before the clock
    /// starts).
    pub(crate) fn inline() -> Self {
        let (_, returned) = mpsc::channel();
        Self {
            batches: None,
            returned,
            failures: Arc::new(AtomicU64::new(0)),
            thread: None,
        }
    }

    /// Starts the thread.
    pub(crate) fn start() -> std::io::Result<Self> {
        let (batches, incoming) = mpsc::sync_channel::<Vec<Outgoing>>(QUEUED_BATCHES);
        let (give_back, returned) = mpsc::channel();
        let failures = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&failures);
        let thread = std::thread::Builder::new()
            .name("ferrosip-rtp-tx".into())
            .spawn(move || {
                for mut batch in incoming {
                    send_all(&mut batch, &counted);
                    if give_back.send(batch).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Self {
            batches: Some(batches),
            returned,
            failures,
            thread: Some(thread),
        })
    }

    /// An empty batch to fill, with the capacity of an earlier one.
    pub(crate) fn empty_batch(&self) -> Vec<Outgoing> {
        self.returned.try_recv().unwrap_or_default()
    }

    /// Sends `batch` on the thread, or here when the thread is behind.
    pub(crate) fn send(&self, mut batch: Vec<Outgoing>) {
        if batch.is_empty() {
            return;
        }
        let Some(batches) = &self.batches else {
            send_all(&mut batch, &self.failures);
            return;
        };
        match batches.try_send(batch) {
            Ok(()) => {}
            Err(TrySendError::Full(mut batch) | TrySendError::Disconnected(mut batch)) => {
                send_all(&mut batch, &self.failures);
            }
        }
    }
}

impl Drop for PacketSender {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has sent what it has.
        self.batches.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sends and empties `batch`, counting the datagrams refused.
fn send_all(batch: &mut Vec<Outgoing>, failures: &AtomicU64) {
    let failed = batch.drain(..).filter(|o| !o.send()).count();
    if failed > 0 {
        let before = failures.fetch_add(failed as u64, Ordering::Relaxed);
        if before == 0 {
            tracing::debug!(target: "media", "RTP send failed ({failed} datagrams)");
        }
    }
}
