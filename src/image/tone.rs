//! [`ToneMap`]: how filtered values, which may leave `[0, 1]`, become displayable intensities.
//!
//! A blur or a sharpen keeps the brightness scale, so values outside `[0, 1]` are overshoot and
//! clamping is right. An edge detector's output is signed (its taps sum to 0): clamping would
//! throw away every negative response, so it is shown centred, 0 as mid-gray, or stretched.

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;

/// The mapping from filtered values to `[0, 1]`, chosen explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ToneMap {
    /// Values below 0 become 0, above 1 become 1 (for intensity-preserving kernels).
    #[default]
    Clamp,
    /// The smallest value over all planes becomes 0, the largest 1 (a contrast stretch).
    MinMax,
    /// Signed results: 0 becomes 0.5, ±max|v| over all planes become 0 and 1.
    Centered,
}

impl ToneMap {
    /// Every tone map, in the order of the docs.
    pub const ALL: [ToneMap; 3] = [ToneMap::Clamp, ToneMap::MinMax, ToneMap::Centered];

    /// Maps `planes` (sharing one scale) into `[0, 1]`. Non-finite values become 0.
    ///
    /// ```
    /// use convkit::image::ToneMap;
    /// use ndarray::array;
    ///
    /// let p = vec![array![[-0.5f32, 0.0, 0.25]]];
    /// assert_eq!(ToneMap::Clamp.apply(&p)[0], array![[0.0, 0.0, 0.25]]);
    /// assert_eq!(ToneMap::Centered.apply(&p)[0], array![[0.0, 0.5, 0.75]]);
    /// assert_eq!(ToneMap::MinMax.apply(&p)[0], array![[0.0, 2.0 / 3.0, 1.0]]);
    /// ```
    pub fn apply(&self, planes: &[Array2<f32>]) -> Vec<Array2<f32>> {
        let finite = || {
            planes
                .iter()
                .flat_map(|p| p.iter())
                .filter(|v| v.is_finite())
        };
        let (offset, scale) = match self {
            ToneMap::Clamp => (0.0, 1.0),
            ToneMap::MinMax => {
                let lo = finite().fold(f32::INFINITY, |a, &v| a.min(v));
                let hi = finite().fold(f32::NEG_INFINITY, |a, &v| a.max(v));
                if hi > lo {
                    (-lo, 1.0 / (hi - lo))
                } else {
                    (0.0, 1.0)
                }
            }
            ToneMap::Centered => {
                let m = finite().fold(0.0f32, |a, &v| a.max(v.abs()));
                let m = if m > 0.0 { m } else { 1.0 };
                (m, 0.5 / m)
            }
        };
        planes
            .iter()
            .map(|p| {
                p.mapv(|v| {
                    if v.is_finite() {
                        ((v + offset) * scale).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                })
            })
            .collect()
    }
}

impl fmt::Display for ToneMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ToneMap::Clamp => "clamp",
            ToneMap::MinMax => "minmax",
            ToneMap::Centered => "centered",
        })
    }
}

impl FromStr for ToneMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "clamp" => Ok(ToneMap::Clamp),
            "minmax" => Ok(ToneMap::MinMax),
            "centered" | "centred" => Ok(ToneMap::Centered),
            _ => Err(format!(
                "unknown tone map '{s}' (expected one of: clamp, minmax, centered)"
            )),
        }
    }
}
