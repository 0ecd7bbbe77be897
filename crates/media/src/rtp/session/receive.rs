//! Receiving RTP: demultiplexing, source selection and validation,
//! statistics, latching.

use std::net::SocketAddr;
use std::time::Instant;

use super::RtpSession;
use crate::rtp::error::RtpError;
use crate::rtp::event::{PacketKind, Received, RtpEvent};
use crate::rtp::sequence::SeqOutcome;
use crate::rtp::source::RemoteSource;
use crate::rtp::wire::{RtpPacketView, is_rtcp};

impl RtpSession {
    /// Takes a datagram from a port that may carry both RTP and RTCP
    /// (rtcp-mux, RFC 5761 §4), telling them apart by their second octet.
    pub fn handle_datagram<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Result<Received<'a>, RtpError> {
        if is_rtcp(datagram) {
            self.handle_rtcp(now, from, datagram)?;
            Ok(Received::Rtcp)
        } else {
            self.handle_rtp(now, from, datagram).map(Received::Rtp)
        }
    }

    /// Takes an RTP packet from `from`. An accepted packet comes back as a
    /// view of `datagram` with its extended sequence number; anything else
    /// is an error saying why it was not taken (and is counted).
    pub fn handle_rtp<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Result<RtpPacketView<'a>, RtpError> {
        if self.closed {
            return Err(RtpError::Closed);
        }
        if is_rtcp(datagram) {
            return Err(RtpError::NotRtp);
        }
        let view = match RtpPacketView::parse(datagram) {
            Ok(view) => view,
            Err(e) => {
                self.rx_stat.discard += 1;
                return Err(e);
            }
        };
        let (ssrc, sequence) = (view.ssrc(), view.sequence_number());
        if ssrc == self.sender.ssrc {
            self.collide(now);
        }
        if self
            .config
            .remote_ssrc
            .is_some_and(|expected| expected != ssrc)
        {
            self.rx_stat.discard += 1;
            return Err(RtpError::UnknownSource { ssrc });
        }
        self.last_rtp_received = Some(now);
        self.timeout_reported = false;

        let outcome = self.route(ssrc, sequence);
        let from_peer = self.remote.as_ref().is_some_and(|r| r.ssrc == ssrc);
        if from_peer && matches!(outcome, SeqOutcome::Valid { .. } | SeqOutcome::Probation) {
            self.observe_rtp_source(from);
        }
        match outcome {
            SeqOutcome::Probation => {
                self.rx_stat.discard += 1;
                Err(RtpError::Probation { ssrc })
            }
            SeqOutcome::Duplicate => {
                self.rx_stat.dup += 1;
                Err(RtpError::Duplicate { ssrc, sequence })
            }
            SeqOutcome::Bad => {
                self.rx_stat.discard += 1;
                Err(RtpError::BadSequence { ssrc, sequence })
            }
            SeqOutcome::Valid {
                extended,
                gap,
                late,
                ..
            } => {
                self.accepted(now, &view, outcome);
                Ok(view.with_sequence(extended, gap, late))
            }
        }
    }

    /// Finds (or starts) the source a packet belongs to and runs its
    /// sequence check. A valid packet's source is `self.remote` afterwards.
    fn route(&mut self, ssrc: u32, sequence: u16) -> SeqOutcome {
        let min_sequential = self.config.min_sequential;
        let replace = match &self.remote {
            None => true,
            // A source that never became valid, or that left, gives way
            // to the next one at once.
            Some(r) => r.ssrc != ssrc && (!r.is_valid() || r.left),
        };
        if replace {
            if let Some(old) = self.remote.take() {
                if old.is_valid() {
                    self.carried_loss += old.sequence.lost();
                    self.previous_remote = Some(old.ssrc);
                }
            }
            self.remote = Some(RemoteSource::new(ssrc, sequence, min_sequential));
            self.candidate = None;
        }
        if let Some(remote) = self.remote.as_mut().filter(|r| r.ssrc == ssrc) {
            let was_valid = remote.is_valid();
            let outcome = remote.sequence.update(sequence);
            if !was_valid && remote.is_valid() {
                self.events.push_back(RtpEvent::RemoteSource {
                    ssrc,
                    previous: self.previous_remote.take(),
                });
            }
            return outcome;
        }
        // Another SSRC while the peer's is valid: the peer may have
        // restarted. It takes over once it passes probation on its own.
        let candidate = match &mut self.candidate {
            Some(c) if c.ssrc == ssrc => c,
            slot => slot.insert(RemoteSource::new(ssrc, sequence, min_sequential)),
        };
        let outcome = candidate.sequence.update(sequence);
        if candidate.is_valid() {
            let new = self.candidate.take();
            if let Some(old) = std::mem::replace(&mut self.remote, new) {
                self.carried_loss += old.sequence.lost();
                self.events.push_back(RtpEvent::RemoteSource {
                    ssrc,
                    previous: Some(old.ssrc),
                });
            }
        }
        outcome
    }

    /// Statistics for an accepted packet of `self.remote`.
    fn accepted(&mut self, now: Instant, view: &RtpPacketView<'_>, outcome: SeqOutcome) {
        let arrival = self.arrival_units(now);
        let clock_rate = self.config.clock_rate;
        let Some(remote) = self.remote.as_mut() else {
            return;
        };
        let m = remote.on_accepted(now, arrival, view.timestamp(), outcome, clock_rate);
        let stat = &mut self.rx_stat;
        stat.pkt += 1;
        stat.bytes += view.payload().len() as u64;
        if let SeqOutcome::Valid { gap, late, .. } = outcome {
            if late {
                stat.reorder += 1;
            }
            match gap {
                0 => {}
                1 => stat.loss_type.random = true,
                _ => stat.loss_type.burst = true,
            }
        }
        if let Some(period) = m.loss_period_usec {
            stat.loss_period_usec.update(period);
        }
        if let Some(d) = m.raw_jitter_usec {
            self.rx_raw_jitter_usec.update(d);
        }
        if let Some(ipdv) = m.ipdv_usec {
            self.rx_ipdv_usec.update(ipdv);
        }
    }

    /// One of the peer's RTP packets came from `from`: latch if it is time.
    fn observe_rtp_source(&mut self, from: SocketAddr) {
        if let Some(previous) = self.rtp_latch.observe(from) {
            self.events.push_back(RtpEvent::Latched {
                kind: PacketKind::Rtp,
                previous,
                address: from,
            });
            self.follow_rtp_latch(from);
        }
    }
}
