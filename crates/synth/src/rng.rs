//! A small, fast, fully specified random number generator.
//!
//! The generator is written out here rather than taken from a crate so that a seed gives the same
//! country forever: a dependency update that changed an algorithm or a distribution would
//! silently change every file `kvarter synth` writes. SplitMix64 (Steele, Lea & Flood 2014) is
//! more than good enough for a simulation and costs a few nanoseconds per draw.

/// SplitMix64's finaliser: a bijective mix of 64 bits. Used to derive independent streams from
/// (seed, purpose, year, person) without any shared state, so that results do not depend on
/// the order in which persons are processed.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key for a stream: the seed, a purpose tag and up to two numbers.
pub fn key(seed: u64, purpose: u64, a: u64, b: u64) -> u64 {
    mix(mix(mix(seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ a) ^ b.wrapping_add(1))
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream from a key (see [`key`]).
    pub fn new(key: u64) -> Rng {
        Rng(key)
    }

    /// 64 random bits.
    #[inline]
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in [lo, hi).
    #[inline]
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform integer in [0, n). Lemire's multiply-shift; the tiny bias is irrelevant here.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        ((self.u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal (Box–Muller; one of the pair is discarded to keep the stream stateless).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]: ln is finite
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_pinned() {
        // If this changes, every synthetic country changes: bump it only on purpose.
        let mut r = Rng::new(key(1, 2, 3, 4));
        let v: Vec<u64> = (0..3).map(|_| r.u64() % 1000).collect();
        let again: Vec<u64> = {
            let mut r = Rng::new(key(1, 2, 3, 4));
            (0..3).map(|_| r.u64() % 1000).collect()
        };
        assert_eq!(v, again);
        assert_eq!(mix(0), 0);
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }
}
