//! The calls of the user agent and how to find them from what the stack
//! reports: transactions, dialogs, dialog sets.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use sip_core::dialog::{DialogId, DialogSetId};
use sip_core::stack::{ClientTxId, ServerTxId};

use super::session::{Call, CallId};
use super::tsx::{CallTsx, TsxTrack};

#[derive(Debug)]
struct Slot {
    generation: u32,
    call: Option<Call>,
}

/// The calls and how to find them from what the stack reports.
#[derive(Debug, Default)]
pub(crate) struct CallTable {
    slots: Vec<Slot>,
    /// Where the search for the next call's id starts.
    next: usize,
    pub(crate) by_client: HashMap<ClientTxId, CallId>,
    pub(crate) by_server: HashMap<ServerTxId, CallId>,
    pub(crate) by_dialog: HashMap<DialogId, CallId>,
    pub(crate) by_set: HashMap<DialogSetId, CallId>,
    /// Requests sent with `send_in_call`, until their final answer.
    pub(crate) requests: HashMap<ClientTxId, CallId>,
    /// Our REFERs, until their final answer.
    pub(crate) refers: HashMap<ClientTxId, CallId>,
    /// REFERs from peers waiting for `answer_transfer`.
    pub(crate) incoming_refers: HashMap<CallId, ServerTxId>,
    /// The most calls held at once (`set_max_calls`).
    pub(crate) max_calls: Option<usize>,
    /// The client transactions of calls being reported (`tsx.rs`).
    pub(crate) uac: HashMap<ClientTxId, TsxTrack>,
    /// The server transactions of calls being reported.
    pub(crate) uas: HashMap<ServerTxId, TsxTrack>,
    /// Reports of responses sent, pushed after what they caused.
    pub(crate) deferred: Vec<(CallId, CallTsx)>,
    /// Where the message being handled came from.
    pub(crate) rx_from: Option<SocketAddr>,
    /// BYEs still in flight of calls released since (`challenge.rs`:
    /// answered with credentials once if challenged).
    pub(crate) orphans: HashMap<ClientTxId, OrphanBye>,
}

/// A BYE of a released call, until its final answer.
#[derive(Debug)]
pub(crate) struct OrphanBye {
    pub(crate) request: sip::Message,
    pub(crate) auth: sip_core::auth::ClientAuth,
    pub(crate) rng: sip_core::rng::Rng,
    pub(crate) retried: bool,
}

impl CallTable {
    /// Files a call under the next free id, round the wheel as PJSUA
    /// numbers its calls: from the one after the last given, up to
    /// `max_calls` (PJSUA's default 4 when unset; at most `MAX_WHEEL`, so
    /// that ids cycling do not grow the table beyond what calls need),
    /// then again from 0 — a new call does not take the id of the one just
    /// ended. With every id of the wheel busy the table grows: the wheel
    /// orders ids, it does not limit calls.
    pub(crate) fn insert(&mut self, call: Call) -> CallId {
        const MAX_WHEEL: usize = 1024;
        let wheel = self.max_calls.unwrap_or(4).clamp(1, MAX_WHEEL);
        let free = |slots: &[Slot], i: usize| slots.get(i).is_none_or(|s| s.call.is_none());
        let len = self.slots.len();
        let ahead = (self.next..=len).find(|&i| free(&self.slots, i));
        let index = match ahead.filter(|&i| i < wheel) {
            Some(i) => i,
            None => (0..self.next.min(len))
                .find(|&i| free(&self.slots, i))
                .unwrap_or(len),
        };
        if index == self.slots.len() {
            self.slots.push(Slot {
                generation: 0,
                call: None,
            });
        }
        self.next = index + 1;
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.call = Some(call);
        CallId {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            generation: slot.generation,
        }
    }

    pub(crate) fn get(&self, id: CallId) -> Option<&Call> {
        let slot = self.slots.get(id.index as usize)?;
        (slot.generation == id.generation).then_some(slot.call.as_ref()?)
    }

    pub(crate) fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.call.as_mut()
    }

    /// The ids of the calls held.
    pub(crate) fn ids(&self) -> impl Iterator<Item = CallId> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.call.as_ref().map(|_| CallId {
                index: i as u32,
                generation: s.generation,
            })
        })
    }

    /// The earliest deadline of any call.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| s.call.as_ref()?.deadline())
            .min()
    }

    /// Forgets a call: its slot is free for the next. A BYE of it still in
    /// flight lives on as an orphan.
    pub(crate) fn remove(&mut self, id: CallId) {
        let pending = self.pending_byes_of(id);
        let orphans: Vec<(ClientTxId, OrphanBye)> = self
            .get(id)
            .map(|c| {
                pending
                    .iter()
                    .filter_map(|tx| {
                        c.sent.get(tx).map(|sent| {
                            (
                                *tx,
                                OrphanBye {
                                    request: sent.request.clone(),
                                    auth: c.auth.clone(),
                                    rng: c.rng.clone(),
                                    retried: sent.retried,
                                },
                            )
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.orphans.extend(orphans);
        self.by_client.retain(|_, c| *c != id);
        self.unlink(id);
        if let Some(slot) = self.slots.get_mut(id.index as usize) {
            if slot.generation == id.generation {
                slot.call = None;
            }
        }
    }

    /// The BYEs of a call still waiting for their final answer.
    pub(crate) fn pending_byes_of(&self, id: CallId) -> Vec<ClientTxId> {
        let Some(c) = self.get(id) else {
            return Vec::new();
        };
        c.sent
            .iter()
            .filter(|(tx, s)| {
                self.by_client.get(tx) == Some(&id) && s.request.method() == Some(sip::Method::Bye)
            })
            .map(|(tx, _)| *tx)
            .collect()
    }

    /// Forgets every way to reach a call (it ended), but its BYE in
    /// flight: its answer may be a challenge to answer.
    pub(crate) fn unlink(&mut self, id: CallId) {
        let keep = self.pending_byes_of(id);
        self.by_client.retain(|tx, c| *c != id || keep.contains(tx));
        self.by_server.retain(|_, c| *c != id);
        self.by_dialog.retain(|_, c| *c != id);
        self.by_set.retain(|_, c| *c != id);
        self.requests.retain(|_, c| *c != id);
        self.refers.retain(|_, c| *c != id);
        self.incoming_refers.remove(&id);
        self.uac.retain(|_, t| t.call != id);
        self.uas.retain(|_, t| t.call != id);
    }
}
