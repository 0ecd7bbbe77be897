//! A small seeded pseudo-random generator, so that every random choice of the
//! simulated network is a function of the test's seed.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
///
/// Not for cryptography; for reproducible simulations. The same seed gives the
/// same sequence on every platform and every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRng {
    s: [u64; 4],
}

impl SimRng {
    /// A generator whose whole state derives from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            splitmix(x)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform number in `[0, 1)`, with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p` (0 never, 1 always). Draws one number
    /// whatever `p` is, so that changing a probability does not shift the rest
    /// of the sequence.
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// A uniform number in `[0, n)`; `n` must not be zero.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "SimRng::below(0)");
        // Lemire's multiply-shift; the bias is below 2^-64 * n, irrelevant here.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform duration in `[0, max]`, at nanosecond resolution.
    pub fn duration_up_to(&mut self, max: Duration) -> Duration {
        let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.below(nanos.saturating_add(1).max(1)))
    }

    /// A new generator seeded from this one: an independent stream.
    pub fn fork(&mut self) -> Self {
        Self::from_seed(self.next_u64())
    }
}

/// The SplitMix64 output function: a good 64-bit mixer.
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mixes `value` into `seed`: how the kit derives one independent seed per
/// link, per connection and per random decision from the test's one seed.
pub(crate) fn mix(seed: u64, value: u64) -> u64 {
    splitmix(seed ^ splitmix(value.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// Mixes an address into `seed`, independently of any hasher's keys or version.
pub(crate) fn mix_addr(seed: u64, addr: SocketAddr) -> u64 {
    let seed = match addr.ip() {
        IpAddr::V4(ip) => mix(seed, u64::from(u32::from(ip))),
        IpAddr::V6(ip) => {
            let bits = u128::from(ip);
            mix(mix(seed ^ 6, (bits >> 64) as u64), bits as u64)
        }
    };
    mix(seed, u64::from(addr.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SimRng::from_seed(7);
        let mut b = SimRng::from_seed(7);
        let mut c = SimRng::from_seed(8);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn ranges_hold() {
        let mut rng = SimRng::from_seed(1);
        for _ in 0..10_000 {
            let f = rng.next_f64();
            assert!((0.0..1.0).contains(&f));
            assert!(rng.below(7) < 7);
            assert!(rng.duration_up_to(Duration::from_millis(3)) <= Duration::from_millis(3));
        }
        assert_eq!(rng.duration_up_to(Duration::ZERO), Duration::ZERO);
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
    }

    #[test]
    fn chance_is_calibrated() {
        let mut rng = SimRng::from_seed(99);
        let hits = (0..100_000).filter(|_| rng.chance(0.25)).count();
        assert!((24_000..26_000).contains(&hits), "{hits}");
    }

    #[test]
    fn addresses_mix_apart() {
        let a: SocketAddr = "10.0.0.1:5060".parse().unwrap();
        let b: SocketAddr = "10.0.0.1:5061".parse().unwrap();
        let c: SocketAddr = "[::1]:5060".parse().unwrap();
        assert_ne!(mix_addr(1, a), mix_addr(1, b));
        assert_ne!(mix_addr(1, a), mix_addr(1, c));
        assert_eq!(mix_addr(1, a), mix_addr(1, a));
    }
}
