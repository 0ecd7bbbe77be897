//! NTP timestamps (RFC 3550 §4) on the session's clock, and the 1/65536 s
//! units of the LSR and DLSR fields (§6.4.1).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01).
const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// Maps the session's monotonic `Instant`s to 64-bit NTP timestamps
/// (32.32 fixed-point seconds since 1900).
///
/// The runtime gives the wall-clock time at the session's start, so that the
/// NTP timestamps in sender reports are true wall time (a peer may use them
/// for lip sync); without it the timestamps are on an arbitrary origin, which
/// is all round-trip-time measurement needs, since a peer only echoes them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NtpClock {
    origin: Instant,
    ntp_at_origin: u64,
}

impl NtpClock {
    /// A clock on which `origin` is `wall` (or an arbitrary fixed time).
    pub(crate) fn new(origin: Instant, wall: Option<SystemTime>) -> Self {
        let ntp_at_origin = match wall {
            Some(wall) => {
                let since_unix = wall.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
                to_fixed(since_unix + Duration::from_secs(NTP_UNIX_OFFSET_SECS))
            }
            // 2036-02-07 minus a year or so: any fixed value works.
            None => 0xE000_0000_0000_0000,
        };
        Self {
            origin,
            ntp_at_origin,
        }
    }

    /// The NTP timestamp of `now` (instants before the origin count as the
    /// origin).
    pub(crate) fn ntp(&self, now: Instant) -> u64 {
        self.ntp_at_origin
            .wrapping_add(to_fixed(now.saturating_duration_since(self.origin)))
    }
}

/// A duration as 32.32 fixed-point seconds (wrapping past 2³² s).
fn to_fixed(d: Duration) -> u64 {
    let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    (d.as_secs() << 32).wrapping_add(frac)
}

/// The middle 32 bits of an NTP timestamp: the "compact" 16.16 form of the
/// LSR field.
pub(crate) fn compact(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// A duration in the 1/65536 s units of DLSR, rounded down, saturating.
pub(crate) fn to_compact(d: Duration) -> u32 {
    let units = d.as_nanos() * 65_536 / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Compact (1/65536 s) units as microseconds.
pub(crate) fn compact_to_usec(units: u32) -> u64 {
    u64::from(units) * 1_000_000 / 65_536
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)] // a base instant for a unit test
    fn wall_time_becomes_ntp() {
        let origin = Instant::now();
        // 2000-01-01T00:00:00Z is NTP 3155673600.
        let wall = UNIX_EPOCH + Duration::from_secs(946_684_800);
        let clock = NtpClock::new(origin, Some(wall));
        assert_eq!(clock.ntp(origin) >> 32, 3_155_673_600);
        let later = clock.ntp(origin + Duration::from_millis(1500));
        assert_eq!(later >> 32, 3_155_673_601);
        assert_eq!(later & 0xFFFF_FFFF, 1 << 31, "half a second");
    }

    #[test]
    fn compact_units() {
        assert_eq!(to_compact(Duration::from_secs(1)), 65_536);
        assert_eq!(to_compact(Duration::from_millis(500)), 32_768);
        assert_eq!(compact_to_usec(65_536), 1_000_000);
        assert_eq!(compact(0x0001_0002_0003_0004), 0x0002_0003);
        assert_eq!(to_compact(Duration::from_secs(1 << 20)), u32::MAX);
    }
}
