//! The W1 / W2 case grids and their inputs.

use ndarray::{Array1, Array2};

use crate::error::Result;
use crate::signal::{Algorithm, Conv, Output, Padding};

/// Which workload a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// 1-D full true convolution, f64.
    W1,
    /// 2-D 'same' true convolution, f32.
    W2,
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Workload::W1 => "W1",
            Workload::W2 => "W2",
        })
    }
}

/// One benchmark case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    /// W1 or W2.
    pub workload: Workload,
    /// N (W1) or S (W2).
    pub size: usize,
    /// Kernel length K (K×K in W2).
    pub kernel: usize,
    /// Padding (W1 is always zero).
    pub padding: Padding,
}

impl Case {
    /// numpy's dtype name of the case.
    pub fn dtype(&self) -> &'static str {
        match self.workload {
            Workload::W1 => "float64",
            Workload::W2 => "float32",
        }
    }

    /// Multiply-adds of the direct definition.
    pub fn macs(&self) -> f64 {
        match self.workload {
            Workload::W1 => (self.size * self.kernel) as f64,
            Workload::W2 => (self.size * self.size * self.kernel * self.kernel) as f64,
        }
    }
}

/// W1: N ∈ {1e3, 1e4, 1e5, 1e6} × K ∈ {3, 16, 64, 256, 1024, 4096}, K ≤ N
/// (quick: N ∈ {1e4, 1e5} × K ∈ {3, 64, 1024}).
pub fn w1(quick: bool) -> Vec<Case> {
    let (ns, ks): (&[usize], &[usize]) = if quick {
        (&[10_000, 100_000], &[3, 64, 1024])
    } else {
        (
            &[1_000, 10_000, 100_000, 1_000_000],
            &[3, 16, 64, 256, 1024, 4096],
        )
    };
    ns.iter()
        .flat_map(|&n| {
            ks.iter().filter(move |&&k| k <= n).map(move |&k| Case {
                workload: Workload::W1,
                size: n,
                kernel: k,
                padding: Padding::Zero,
            })
        })
        .collect()
}

/// W2: S ∈ {256, 1024} × K ∈ {3, 5, 7, 11, 15, 21, 31, 63} × {zero, reflect}
/// (quick: S = 256, K ∈ {3, 7, 15, 31, 63}, zero).
pub fn w2(quick: bool) -> Vec<Case> {
    let (ss, ks, pads): (&[usize], &[usize], &[Padding]) = if quick {
        (&[256], &[3, 7, 15, 31, 63], &[Padding::Zero])
    } else {
        (
            &[256, 1024],
            &[3, 5, 7, 11, 15, 21, 31, 63],
            &[Padding::Zero, Padding::Reflect],
        )
    };
    let mut cases = Vec::new();
    for &s in ss {
        for &padding in pads {
            for &k in ks {
                cases.push(Case {
                    workload: Workload::W2,
                    size: s,
                    kernel: k,
                    padding,
                });
            }
        }
    }
    cases
}

/// Seeded uniform samples in [-1, 1) (SplitMix64), the same on every machine.
pub fn uniform(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

/// A case's inputs, ready to run repeatedly.
pub enum Inputs {
    /// W1 signal and kernel.
    W1(Array1<f64>, Array1<f64>),
    /// W2 image and kernel.
    W2(Array2<f32>, Array2<f32>),
}

impl Case {
    /// The seeded inputs of this case.
    pub fn inputs(&self) -> Inputs {
        match self.workload {
            Workload::W1 => Inputs::W1(
                Array1::from(uniform(self.size, 1)),
                Array1::from(uniform(self.kernel, 2)),
            ),
            Workload::W2 => {
                let img = uniform(self.size * self.size, 3)
                    .into_iter()
                    .map(|v| v as f32)
                    .collect();
                let ker = uniform(self.kernel * self.kernel, 4)
                    .into_iter()
                    .map(|v| v as f32)
                    .collect();
                Inputs::W2(
                    Array2::from_shape_vec((self.size, self.size), img).expect("S×S samples"),
                    Array2::from_shape_vec((self.kernel, self.kernel), ker).expect("K×K samples"),
                )
            }
        }
    }

    /// The request of this case with `algorithm`.
    pub fn conv(&self, algorithm: Algorithm) -> Conv {
        let output = match self.workload {
            Workload::W1 => Output::Full,
            Workload::W2 => Output::Same,
        };
        Conv::convolve()
            .output(output)
            .padding(self.padding)
            .algorithm(algorithm)
    }

    /// Runs the case once.
    pub fn run(&self, inputs: &Inputs, algorithm: Algorithm) -> Result<()> {
        let conv = self.conv(algorithm);
        match inputs {
            Inputs::W1(x, h) => conv.apply(x, h).map(drop),
            Inputs::W2(x, h) => conv.apply(x, h).map(drop),
        }
    }

    /// The algorithm Auto picks for this case.
    pub fn auto_choice(&self, inputs: &Inputs) -> Result<Algorithm> {
        let conv = self.conv(Algorithm::Auto);
        match inputs {
            Inputs::W1(x, h) => conv.resolve(x, h),
            Inputs::W2(x, h) => conv.resolve(x, h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_have_the_documented_sizes() {
        assert_eq!(w1(false).len(), 4 + 6 + 6 + 6);
        assert_eq!(w2(false).len(), 2 * 8 * 2);
        let u = uniform(1000, 7);
        assert!(u.iter().all(|v| (-1.0..1.0).contains(v)));
        assert_eq!(u, uniform(1000, 7));
    }
}
