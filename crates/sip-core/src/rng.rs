//! A small seeded pseudo-random generator for branch IDs, tags and Call-IDs.
//!
//! The core never asks the OS for randomness: the runtime seeds it (from the OS)
//! and tests seed it with a constant, so that a run is reproducible.

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Not for
/// cryptography: identifiers need to be unique and unguessable enough to avoid
/// collisions, which a 256-bit state seeded from the OS gives.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose whole state derives from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
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

    /// A number in `0..bound` (`bound` > 0), without modulo bias worth noting
    /// for the small bounds the core uses.
    pub fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound > 0);
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// `len` characters from `[0-9a-zA-Z]`: a token for tags, branches and
    /// Call-IDs.
    pub fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8; 62] =
            b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(62) as usize]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_runs_repeat() {
        let mut a = Rng::from_seed(7);
        let mut b = Rng::from_seed(7);
        assert_eq!(a.token(16), b.token(16));
        assert_ne!(Rng::from_seed(8).token(16), Rng::from_seed(7).token(16));
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::from_seed(1);
        assert!((0..10_000).all(|_| r.below(7) < 7));
    }
}
