//! `Algorithm::Auto`: picks the direct or the FFT algorithm per problem from a cost model.
//!
//! Cost of direct ≈ (output samples × kernel taps) / direct rate; cost of FFT ≈ the three
//! transforms of L0 × L1 samples, each ∝ L·log2(L), / FFT rate. The rates are measured
//! constants (see docs/benchmarks.md for the machine and command that produced them).

use super::Algorithm;
use super::fft::fast_len;
use super::geometry::AxisGeometry;
use crate::real::Real;

/// Multiply-adds per nanosecond of the direct path, per sample type (f32, f64).
const DIRECT_MACS_PER_NS: (f64, f64) = (4.0, 2.0);
/// L·log2(L) units per nanosecond of one real 2-D transform, per sample type (f32, f64).
const FFT_UNITS_PER_NS: (f64, f64) = (1.0, 0.7);

/// Estimated nanoseconds of each algorithm for the resolved geometry.
pub fn estimate<T: Real>(rows: &AxisGeometry, cols: &AxisGeometry) -> (f64, f64) {
    let single = std::mem::size_of::<T>() == 4;
    let pick = |(a, b): (f64, f64)| if single { a } else { b };
    let outputs = (rows.out_len * cols.out_len) as f64;
    let taps = (rows.kernel * cols.kernel) as f64;
    let direct = outputs * taps / pick(DIRECT_MACS_PER_NS);
    let l = (fast_len(rows.padded_len()) * fast_len(cols.padded_len())) as f64;
    let fft = 3.0 * l * l.max(2.0).log2() / pick(FFT_UNITS_PER_NS);
    (direct, fft)
}

/// The algorithm Auto runs for this geometry.
pub fn choose<T: Real>(rows: &AxisGeometry, cols: &AxisGeometry) -> Algorithm {
    let (direct, fft) = estimate::<T>(rows, cols);
    if fft < direct {
        Algorithm::Fft
    } else {
        Algorithm::Direct
    }
}
