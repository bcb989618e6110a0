//! The vocabulary of a convolution request: which operation, which output size, how the signal
//! is extended beyond its ends, and which algorithm computes it.
//!
//! Each choice is an enum with a default, a lower-case name (`Display` / `FromStr`, the names the
//! CLI accepts) and a documented mapping to numpy / scipy names (see `docs/semantics.md`).

use std::fmt;
use std::str::FromStr;

/// True convolution or cross-correlation: never silently one for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Op {
    /// y\[n\] = Σ_k x\[k\] h\[n-k\] (the kernel is flipped): `scipy.signal.convolve`.
    #[default]
    Convolve,
    /// y\[n\] = Σ_k x\[n+k\] h\[k\] (no flip): `scipy.signal.correlate`; what CNN layers compute.
    Correlate,
}

/// Which part of the full result to return (scipy.signal's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Output {
    /// Every sample with any overlap: length N + K' - 1 per axis.
    #[default]
    Full,
    /// Length N, the slice of full starting at (K'-1)/2 (rounded down), as scipy.signal's `'same'`.
    Same,
    /// Only samples where the kernel lies inside the signal: length N - K' + 1 per axis.
    Valid,
}

/// How the signal is extended beyond its ends (numpy.pad's modes, for any pad width).
///
/// With `abcd` the signal:
///
/// ```text
/// Zero        0 0 0 | a b c d | 0 0 0     numpy.pad mode='constant'
/// Constant(v) v v v | a b c d | v v v     mode='constant', constant_values=v
/// Replicate   a a a | a b c d | d d d     mode='edge'
/// Reflect     d c b | a b c d | c b a     mode='reflect'
/// Symmetric   c b a | a b c d | d c b     mode='symmetric'
/// Circular    b c d | a b c d | a b c     mode='wrap'
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Padding {
    /// Zeros (`numpy.pad(mode='constant')`).
    #[default]
    Zero,
    /// A constant value (`mode='constant', constant_values=v`).
    Constant(f64),
    /// Repeat the edge sample (`mode='edge'`).
    Replicate,
    /// Mirror without repeating the edge sample (`mode='reflect'`).
    Reflect,
    /// Mirror repeating the edge sample (`mode='symmetric'`).
    Symmetric,
    /// Wrap around, periodic extension (`mode='wrap'`).
    Circular,
}

/// Which algorithm computes the result. All give the same numbers up to rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// Choose per problem size.
    #[default]
    Auto,
    /// Sum of products, as in the definition.
    Direct,
    /// Through zero-padded discrete Fourier transforms.
    Fft,
    /// Block-by-block FFT for signals much longer than the kernel (scipy.signal.oaconvolve).
    OverlapAdd,
}

/// Error of parsing one of the option names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{given}' (expected one of: {expected})")]
pub struct ParseOptionError {
    kind: &'static str,
    given: String,
    expected: &'static str,
}

macro_rules! named_enum {
    ($ty:ty, $kind:literal, $expected:literal, { $($name:literal => $value:expr),+ $(,)? }) => {
        impl FromStr for $ty {
            type Err = ParseOptionError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.to_ascii_lowercase().as_str() {
                    $($name => Ok($value),)+
                    _ => Err(ParseOptionError { kind: $kind, given: s.to_string(), expected: $expected }),
                }
            }
        }
    };
}

named_enum!(Op, "op", "convolve, correlate", {
    "convolve" => Op::Convolve, "correlate" => Op::Correlate,
});
named_enum!(Output, "output", "full, same, valid", {
    "full" => Output::Full, "same" => Output::Same, "valid" => Output::Valid,
});
impl FromStr for Padding {
    type Err = ParseOptionError;
    /// `zero`, `replicate`, `reflect`, `symmetric`, `circular`, or `constant:V` (V a number).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("constant:") {
            return value
                .trim()
                .parse()
                .map(Padding::Constant)
                .map_err(|_| ParseOptionError {
                    kind: "padding",
                    given: s.to_string(),
                    expected: "constant:V with V a number",
                });
        }
        Ok(match lower.as_str() {
            "zero" => Padding::Zero,
            "replicate" => Padding::Replicate,
            "reflect" => Padding::Reflect,
            "symmetric" => Padding::Symmetric,
            "circular" => Padding::Circular,
            _ => {
                return Err(ParseOptionError {
                    kind: "padding",
                    given: s.to_string(),
                    expected: "zero, constant:V, replicate, reflect, symmetric, circular",
                });
            }
        })
    }
}
named_enum!(Algorithm, "algorithm", "auto, direct, fft, overlap-add", {
    "auto" => Algorithm::Auto, "direct" => Algorithm::Direct, "fft" => Algorithm::Fft,
    "overlap-add" => Algorithm::OverlapAdd, "oa" => Algorithm::OverlapAdd,
});

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Convolve => "convolve",
            Op::Correlate => "correlate",
        })
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Output::Full => "full",
            Output::Same => "same",
            Output::Valid => "valid",
        })
    }
}

impl fmt::Display for Padding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Padding::Zero => f.write_str("zero"),
            Padding::Constant(v) => write!(f, "constant:{v}"),
            Padding::Replicate => f.write_str("replicate"),
            Padding::Reflect => f.write_str("reflect"),
            Padding::Symmetric => f.write_str("symmetric"),
            Padding::Circular => f.write_str("circular"),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Auto => "auto",
            Algorithm::Direct => "direct",
            Algorithm::Fft => "fft",
            Algorithm::OverlapAdd => "overlap-add",
        })
    }
}

impl Padding {
    /// Every mode with its default parameters, in the order of the docs' table.
    pub const ALL: [Padding; 5] = [
        Padding::Zero,
        Padding::Replicate,
        Padding::Reflect,
        Padding::Symmetric,
        Padding::Circular,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Padding::ALL {
            assert_eq!(p.to_string().parse::<Padding>(), Ok(p));
        }
        for o in [Output::Full, Output::Same, Output::Valid] {
            assert_eq!(o.to_string().parse::<Output>(), Ok(o));
        }
        for op in [Op::Convolve, Op::Correlate] {
            assert_eq!(op.to_string().parse::<Op>(), Ok(op));
        }
        for a in [
            Algorithm::Auto,
            Algorithm::Direct,
            Algorithm::Fft,
            Algorithm::OverlapAdd,
        ] {
            assert_eq!(a.to_string().parse::<Algorithm>(), Ok(a));
        }
        assert_eq!(
            "constant:2.5".parse::<Padding>(),
            Ok(Padding::Constant(2.5))
        );
        assert_eq!(
            Padding::Constant(-1.0).to_string().parse::<Padding>(),
            Ok(Padding::Constant(-1.0))
        );
        assert!("constant:x".parse::<Padding>().is_err());
        let err = "mirror".parse::<Padding>().unwrap_err().to_string();
        assert!(err.contains("mirror") && err.contains("reflect"), "{err}");
    }
}
