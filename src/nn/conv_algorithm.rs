//! Which algorithm a convolution layer computes its forward and backward passes with.
//!
//! All of them give the same numbers up to rounding (tests: 1e-4 relative in f32, 1e-10 in f64).
//! See `docs/cnn.md` for how each computes the three passes.

use std::fmt;
use std::str::FromStr;

/// The algorithm of a [`Conv2d`](super::Conv2d) layer, set per layer or per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConvAlgorithm {
    /// The definition, summed directly: the toolkit's multi-channel direct correlation
    /// ([`crate::signal::multichannel`]) over all channel pairs at once, channels in vector
    /// lanes, no unfolded matrix.
    Direct,
    /// Through the toolkit's real 2-D FFT: each input plane and each kernel transformed once per
    /// batch, products accumulated in the frequency domain, one inverse per output plane.
    Fft,
    /// Unfold the receptive fields into a matrix and do one matrix product per sample
    /// (ndarray's `dot`, i.e. matrixmultiply's GEMM).
    Im2col,
    /// Winograd's minimal filtering F(2×2, 3×3): 16 multiplications per 2×2 outputs and
    /// channel pair instead of 36, for 3×3 kernels with stride 1 and dilation 1; other layers
    /// run `Direct`.
    Winograd,
    /// Time the others on the first batch of each input shape and keep the fastest.
    #[default]
    Auto,
}

impl ConvAlgorithm {
    /// The concrete algorithms, in the order Auto tries them.
    pub const CONCRETE: [ConvAlgorithm; 4] = [
        ConvAlgorithm::Im2col,
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Winograd,
    ];
    /// All five.
    pub const ALL: [ConvAlgorithm; 5] = [
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Im2col,
        ConvAlgorithm::Winograd,
        ConvAlgorithm::Auto,
    ];
}

impl fmt::Display for ConvAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConvAlgorithm::Direct => "direct",
            ConvAlgorithm::Fft => "fft",
            ConvAlgorithm::Im2col => "im2col",
            ConvAlgorithm::Winograd => "winograd",
            ConvAlgorithm::Auto => "auto",
        })
    }
}

impl FromStr for ConvAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "direct" => Ok(ConvAlgorithm::Direct),
            "fft" => Ok(ConvAlgorithm::Fft),
            "im2col" => Ok(ConvAlgorithm::Im2col),
            "winograd" => Ok(ConvAlgorithm::Winograd),
            "auto" => Ok(ConvAlgorithm::Auto),
            _ => Err(format!(
                "unknown conv algorithm '{s}' (expected one of: direct, fft, im2col, winograd, auto)"
            )),
        }
    }
}
