//! Seeded random numbers and PyTorch's default initialisation.
//!
//! [`Rng`] is SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, one multiply-xorshift
//! chain per draw, passes BigCrush; plenty for weight initialisation and dropout masks, and the
//! same sequence on every platform for a given seed.
//!
//! PyTorch initialises `Conv2d` and `Linear` weights with `kaiming_uniform_(w, a=√5)`, i.e.
//! U(−b, b) with b = gain·√(3/fan_in) and gain = √(2/(1+a²)) = √(1/3), so b = 1/√fan_in; the
//! bias is U(−1/√fan_in, 1/√fan_in). fan_in = (in_channels/groups)·kh·kw for a convolution and
//! `in_features` for a dense layer. [`kaiming_uniform`] draws the same distribution (not the
//! same numbers as torch's generator).

use ndarray::{ArrayD, IxDyn};

use crate::real::Real;

/// A small seeded pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// A seed for an independent stream derived from `seed` and `parts` (e.g. the epoch and a
    /// sample's position), so every random choice of a run follows from one number whatever
    /// order the work is done in.
    ///
    /// ```
    /// use convkit::nn::Rng;
    /// assert_eq!(Rng::derive(7, &[1, 2]), Rng::derive(7, &[1, 2]));
    /// assert_ne!(Rng::derive(7, &[1, 2]), Rng::derive(7, &[2, 1]));
    /// ```
    pub fn derive(seed: u64, parts: &[u64]) -> u64 {
        parts.iter().fold(Rng::new(seed).next_u64(), |h, &p| {
            Rng::new(h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93)).next_u64()
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Uniform integer in [0, n) (n ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: bias below 2^-64·n, irrelevant here.
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An array of `shape` with entries uniform in [lo, hi).
    pub fn uniform_array<T: Real>(&mut self, shape: &[usize], lo: f64, hi: f64) -> ArrayD<T> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || T::from_f64_lossy(self.uniform(lo, hi)))
    }
}

/// The bound b of PyTorch's default U(−b, b) for weights and biases: 1/√fan_in.
pub fn default_bound(fan_in: usize) -> f64 {
    1.0 / (fan_in.max(1) as f64).sqrt()
}

/// PyTorch's default weight initialisation: `kaiming_uniform_(w, a=√5)` = U(−1/√fan_in, 1/√fan_in).
pub fn kaiming_uniform<T: Real>(rng: &mut Rng, shape: &[usize], fan_in: usize) -> ArrayD<T> {
    let b = default_bound(fan_in);
    rng.uniform_array(shape, -b, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_uniform() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..10 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::new(1);
        let n = 100_000;
        let mean = (0..n).map(|_| r.next_f64()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let w: ArrayD<f64> = kaiming_uniform(&mut r, &[10, 1, 5, 5], 25);
        assert!(w.iter().all(|&v| v.abs() <= 0.2));
        assert!(w.iter().any(|&v| v.abs() > 0.15));
    }
}
