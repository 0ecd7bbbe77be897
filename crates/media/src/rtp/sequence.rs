//! Sequence-number validation and loss accounting for one source: the
//! algorithm of RFC 3550 Appendix A.1 and the counts of A.3, with a window
//! of recently received sequence numbers to tell duplicates from reordered
//! packets.

/// Consecutive packets a new source must send before it counts as valid
/// (RFC 3550 A.1's `MIN_SEQUENTIAL`).
pub const MIN_SEQUENTIAL: u16 = 2;
/// The largest forward jump taken as loss rather than a restart
/// (`MAX_DROPOUT`).
pub const MAX_DROPOUT: u16 = 3000;
/// The largest backward step taken as a late packet rather than a restart
/// (`MAX_MISORDER`).
pub const MAX_MISORDER: u16 = 100;

const RTP_SEQ_MOD: u32 = 1 << 16;
/// Sequence numbers remembered behind the highest, to spot duplicates. At
/// least `MAX_MISORDER`.
const WINDOW: u64 = 128;

/// What the sequence check made of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeqOutcome {
    /// The source is still on probation: not valid yet.
    Probation,
    /// Accepted.
    Valid {
        /// The extended (cycle-counted) sequence number.
        extended: u64,
        /// Packets skipped just before this one (0 when it follows the
        /// highest so far, or when it is late).
        gap: u64,
        /// It arrived after a packet with a higher sequence number.
        late: bool,
        /// The source's sequence numbering restarted with this packet
        /// (the probation ended, or a jump was confirmed).
        restarted: bool,
    },
    /// A copy of a packet already received.
    Duplicate,
    /// A jump too large to be loss or reordering; thrown away, unless the
    /// next packet confirms it (then the numbering restarts there).
    Bad,
}

/// RFC 3550 A.1's `source` structure, for the sequence-number part.
#[derive(Debug, Clone)]
pub(crate) struct SequenceState {
    max_seq: u16,
    /// Shifted count of sequence number cycles (multiples of 2¹⁶).
    cycles: u64,
    base_seq: u64,
    /// Last "bad" sequence number plus one.
    bad_seq: u32,
    probation: u16,
    min_sequential: u16,
    /// Packets received and accepted since the numbering (re)started.
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Bit `i` is set when extended sequence `max - i` has been received.
    window: u128,
    /// Packets lost before the numbering last restarted.
    carried_loss: u64,
}

impl SequenceState {
    /// The state after a source's first packet `seq` (A.1's `init_seq` plus
    /// the probation set-up), needing `min_sequential` consecutive packets
    /// (at least 1) to become valid.
    pub(crate) fn new(seq: u16, min_sequential: u16) -> Self {
        let min_sequential = min_sequential.max(1);
        let mut s = Self {
            max_seq: seq,
            cycles: 0,
            base_seq: 0,
            bad_seq: RTP_SEQ_MOD + 1,
            probation: min_sequential,
            min_sequential,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            window: 0,
            carried_loss: 0,
        };
        s.init(seq);
        s.max_seq = seq.wrapping_sub(1);
        s
    }

    /// A.1's `init_seq`.
    fn init(&mut self, seq: u16) {
        self.base_seq = u64::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.window = 0;
    }

    /// Whether the source has passed probation.
    pub(crate) fn is_valid(&self) -> bool {
        self.probation == 0
    }

    /// A.1's `update_seq`, telling duplicates and late packets apart.
    pub(crate) fn update(&mut self, seq: u16) -> SeqOutcome {
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init(seq);
                    return self.accept_in_order(0, 0, true);
                }
            } else {
                self.probation = self.min_sequential - 1;
                self.max_seq = seq;
            }
            // A single-packet probation ends at once.
            if self.probation == 0 {
                self.init(seq);
                return self.accept_in_order(0, 0, true);
            }
            return SeqOutcome::Probation;
        }
        if udelta == 0 {
            return SeqOutcome::Duplicate;
        }
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += u64::from(RTP_SEQ_MOD);
            }
            self.max_seq = seq;
            return self.accept_in_order(u64::from(udelta), u64::from(udelta) - 1, false);
        }
        if u32::from(udelta) <= RTP_SEQ_MOD - u32::from(MAX_MISORDER) {
            if u32::from(seq) == self.bad_seq {
                // Two sequential packets: the other side restarted without
                // telling us, so re-sync as if this were its first packet.
                let lost = self.lost();
                self.init(seq);
                self.carried_loss = lost;
                return self.accept_in_order(0, 0, true);
            }
            self.bad_seq = (u32::from(seq) + 1) & (RTP_SEQ_MOD - 1);
            return SeqOutcome::Bad;
        }
        // Late, within MAX_MISORDER behind the highest.
        let behind = u64::from(RTP_SEQ_MOD) - u64::from(udelta);
        let highest = self.extended_max();
        if behind >= WINDOW || behind > highest.saturating_sub(self.base_seq) {
            // Older than the numbering's start: nothing to compare it with.
            return SeqOutcome::Bad;
        }
        let bit = 1u128 << behind;
        if self.window & bit != 0 {
            return SeqOutcome::Duplicate;
        }
        self.window |= bit;
        self.received += 1;
        SeqOutcome::Valid {
            extended: highest - behind,
            gap: 0,
            late: true,
            restarted: false,
        }
    }

    /// Counts a packet that moved the highest sequence number `advance` on.
    fn accept_in_order(&mut self, advance: u64, gap: u64, restarted: bool) -> SeqOutcome {
        self.window = if advance >= WINDOW {
            0
        } else {
            self.window << advance
        };
        self.window |= 1;
        self.received += 1;
        SeqOutcome::Valid {
            extended: self.extended_max(),
            gap,
            late: false,
            restarted,
        }
    }

    /// The extended highest sequence number received.
    pub(crate) fn extended_max(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    /// Packets expected since the numbering (re)started (A.3); 0 while on
    /// probation.
    pub(crate) fn expected(&self) -> u64 {
        if !self.is_valid() {
            return 0;
        }
        self.extended_max() + 1 - self.base_seq
    }

    /// Packets accepted since the numbering (re)started.
    #[cfg(test)]
    pub(crate) fn received(&self) -> u64 {
        self.received
    }

    /// Cumulative packets lost (A.3): expected minus received, which is
    /// never negative here because duplicates are not counted as received;
    /// losses before a restart of the numbering included.
    pub(crate) fn lost(&self) -> u64 {
        self.carried_loss + self.expected().saturating_sub(self.received)
    }

    /// The fraction lost since the last call, in 1/256 (A.3), moving the
    /// interval's start to now.
    pub(crate) fn take_fraction_lost(&mut self) -> u8 {
        let expected = self.expected();
        let expected_interval = expected.saturating_sub(self.expected_prior);
        let received_interval = self.received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        if expected_interval == 0 || lost_interval == 0 {
            0
        } else {
            u8::try_from((lost_interval << 8) / expected_interval).unwrap_or(u8::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(s: &mut SequenceState, seq: u16) -> (u64, u64, bool) {
        match s.update(seq) {
            SeqOutcome::Valid {
                extended,
                gap,
                late,
                ..
            } => (extended, gap, late),
            other => panic!("{seq}: {other:?}"),
        }
    }

    #[test]
    fn probation_then_in_order() {
        let mut s = SequenceState::new(1000, MIN_SEQUENTIAL);
        assert_eq!(s.update(1000), SeqOutcome::Probation);
        assert!(!s.is_valid());
        assert_eq!(
            s.update(1001),
            SeqOutcome::Valid {
                extended: 1001,
                gap: 0,
                late: false,
                restarted: true
            }
        );
        assert_eq!(valid(&mut s, 1002), (1002, 0, false));
        assert_eq!((s.expected(), s.received(), s.lost()), (2, 2, 0));
    }

    #[test]
    fn probation_restarts_on_a_gap() {
        let mut s = SequenceState::new(10, 3);
        assert_eq!(s.update(10), SeqOutcome::Probation);
        assert_eq!(s.update(12), SeqOutcome::Probation);
        assert_eq!(s.update(13), SeqOutcome::Probation);
        assert!(matches!(s.update(14), SeqOutcome::Valid { .. }));
    }

    #[test]
    fn wraps_and_counts_loss() {
        let mut s = SequenceState::new(65_533, MIN_SEQUENTIAL);
        s.update(65_533);
        valid(&mut s, 65_534);
        valid(&mut s, 65_535);
        assert_eq!(valid(&mut s, 1), (65_537, 1, false), "0 lost");
        assert_eq!((s.expected(), s.received(), s.lost()), (4, 3, 1));
        assert_eq!(s.take_fraction_lost(), 64);
        valid(&mut s, 2);
        assert_eq!(s.take_fraction_lost(), 0);
    }

    #[test]
    fn late_packets_fill_gaps_and_copies_are_duplicates() {
        let mut s = SequenceState::new(100, MIN_SEQUENTIAL);
        s.update(100);
        valid(&mut s, 101);
        assert_eq!(valid(&mut s, 104), (104, 2, false));
        assert_eq!(s.lost(), 2);
        assert_eq!(valid(&mut s, 102), (102, 0, true));
        assert_eq!(s.update(102), SeqOutcome::Duplicate);
        assert_eq!(s.update(104), SeqOutcome::Duplicate);
        assert_eq!(s.lost(), 1);
        // Older than where the numbering started: not counted.
        assert_eq!(s.update(99), SeqOutcome::Bad);
    }

    #[test]
    fn large_jump_is_bad_until_confirmed() {
        let mut s = SequenceState::new(10, MIN_SEQUENTIAL);
        s.update(10);
        valid(&mut s, 11);
        assert_eq!(s.update(20_000), SeqOutcome::Bad);
        assert_eq!(valid(&mut s, 12), (12, 0, false), "the old flow goes on");
        assert_eq!(s.update(30_000), SeqOutcome::Bad);
        assert_eq!(
            s.update(30_001),
            SeqOutcome::Valid {
                extended: 30_001,
                gap: 0,
                late: false,
                restarted: true
            }
        );
        assert_eq!((s.expected(), s.received()), (1, 1));
        assert_eq!(s.lost(), 0, "nothing lost before the jump");
    }

    #[test]
    fn restart_keeps_earlier_losses() {
        let mut s = SequenceState::new(10, MIN_SEQUENTIAL);
        s.update(10);
        valid(&mut s, 11);
        valid(&mut s, 14);
        assert_eq!(s.lost(), 2);
        assert_eq!(s.update(40_000), SeqOutcome::Bad);
        assert!(matches!(
            s.update(40_001),
            SeqOutcome::Valid {
                restarted: true,
                ..
            }
        ));
        valid(&mut s, 40_003);
        assert_eq!(s.lost(), 3);
    }

    #[test]
    fn far_behind_is_bad() {
        let mut s = SequenceState::new(5000, MIN_SEQUENTIAL);
        s.update(5000);
        for seq in (5001..5300).filter(|&seq| seq != 5200) {
            valid(&mut s, seq);
        }
        assert_eq!(s.update(5299 - 150), SeqOutcome::Bad);
        assert_eq!(valid(&mut s, 5299 - 99), (5200, 0, true));
        assert_eq!(s.update(5299 - 99), SeqOutcome::Duplicate);
    }
}
