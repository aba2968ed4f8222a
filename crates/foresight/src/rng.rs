//! A small deterministic pseudo-random number generator (SplitMix64).
//!
//! SplitMix64 (Steele, Lea and Flood, 2014) passes BigCrush, needs eight bytes of state and no
//! dependency. Every draw of a forecast gets its own generator, seeded from the forecast's seed
//! and the draw's number, so that the result does not depend on how draws are shared among
//! threads.

/// SplitMix64: a 64-bit state advanced by a fixed odd constant and mixed on output.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The generator of draw `draw` of a run seeded with `seed`: independent streams for
    /// different draws, the same stream for the same `(seed, draw)`.
    pub fn for_draw(seed: u64, draw: u64) -> SplitMix64 {
        SplitMix64::new(mix(seed ^ mix(draw.wrapping_add(1).wrapping_mul(GAMMA))))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform index in `0..n` (`n > 0`), without modulo bias (Lemire's method with
    /// rejection).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // The first outputs of SplitMix64 seeded with 0 (reference implementation).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut r = SplitMix64::new(7);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            seen[r.below(5)] += 1;
        }
        for s in seen {
            assert!((1_800..2_200).contains(&s), "{seen:?}");
        }
        let u = r.unit();
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn draws_have_distinct_streams() {
        let a = SplitMix64::for_draw(1, 0).next_u64();
        let b = SplitMix64::for_draw(1, 1).next_u64();
        let c = SplitMix64::for_draw(2, 0).next_u64();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, SplitMix64::for_draw(1, 0).next_u64());
    }
}
