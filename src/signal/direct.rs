//! The direct algorithm: the sum of products of the definition, as a `valid` correlation over an
//! already extended plane (padding, flipping and output sizes were resolved by the caller).
//!
//! out[r, c] = Σ_a Σ_b g[a, b] · xp[r·s_r + a·d_r, c·s_c + b·d_c]
//!
//! Each output row is a sum over kernel rows of 1-D row correlations; the row kernel walks
//! contiguous slices four taps at a time so the compiler vectorises it without bounds checks.
//! Large problems are split over rayon's pool by output rows (or by column chunks for a single
//! row); every output sample is summed in the same order whatever the thread count, so results
//! do not depend on it.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::buffer;
use super::geometry::AxisGeometry;
use crate::error::Result;
use crate::real::Real;

/// Below this many multiply-adds a problem runs on the calling thread.
const PARALLEL_WORK: usize = 1 << 16;
/// Output samples per task when a single row is split across threads.
const COLUMN_CHUNK: usize = 8192;

/// Valid correlation of `g` over the extended plane `xp`, with the strides and dilations of
/// `rows` / `cols`. `xp` must be `rows.padded_len() × cols.padded_len()`.
pub fn correlate_valid<T: Real>(
    xp: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
) -> Result<Array2<T>> {
    debug_assert_eq!(xp.dim(), (rows.padded_len(), cols.padded_len()));
    let xp = xp.as_standard_layout();
    let g = g.as_standard_layout();
    let mut out = buffer::filled((rows.out_len, cols.out_len), T::zero())?;

    // One output row segment starting at column c0: the loop every path below shares.
    let compute = |r: usize, c0: usize, out_row: &mut [T]| {
        for (a, taps) in g.outer_iter().enumerate() {
            let in_row = xp.row(r * rows.stride + a * rows.dilation);
            let in_row = in_row
                .as_slice()
                .expect("standard layout rows are contiguous");
            let taps = taps
                .as_slice()
                .expect("standard layout rows are contiguous");
            correlate_row_acc(
                out_row,
                &in_row[c0 * cols.stride..],
                taps,
                cols.stride,
                cols.dilation,
            );
        }
    };

    let work = out.len().saturating_mul(g.len());
    let width = cols.out_len;
    let flat = out.as_slice_mut().expect("a fresh array is contiguous");
    if work < PARALLEL_WORK || rayon::current_num_threads() == 1 {
        for (r, row) in flat.chunks_mut(width).enumerate() {
            compute(r, 0, row);
        }
    } else if rows.out_len > 1 {
        flat.par_chunks_mut(width)
            .enumerate()
            .for_each(|(r, row)| compute(r, 0, row));
    } else {
        flat.par_chunks_mut(COLUMN_CHUNK)
            .enumerate()
            .for_each(|(i, chunk)| compute(0, i * COLUMN_CHUNK, chunk));
    }
    Ok(out)
}

/// out[c] += Σ_b taps[b] · x[c·stride + b·dilation] for every c of `out`.
///
/// `x` must hold at least (out.len()-1)·stride + (taps.len()-1)·dilation + 1 samples.
pub fn correlate_row_acc<T: Real>(
    out: &mut [T],
    x: &[T],
    taps: &[T],
    stride: usize,
    dilation: usize,
) {
    let n = out.len();
    if n == 0 || taps.is_empty() {
        return;
    }
    assert!(x.len() > (n - 1) * stride + (taps.len() - 1) * dilation);
    if stride != 1 {
        for (c, o) in out.iter_mut().enumerate() {
            let window = &x[c * stride..];
            let mut acc = *o;
            for (b, &t) in taps.iter().enumerate() {
                acc += t * window[b * dilation];
            }
            *o = acc;
        }
        return;
    }
    // Stride 1: one pass over `out` per group of four taps keeps four input streams in flight
    // and touches each output sample a quarter as often as a tap-by-tap loop.
    let lane = |b: usize| &x[b * dilation..b * dilation + n];
    let groups = taps.len() / 4;
    for q in 0..groups {
        let b = 4 * q;
        let (t0, t1, t2, t3) = (taps[b], taps[b + 1], taps[b + 2], taps[b + 3]);
        let (x0, x1, x2, x3) = (lane(b), lane(b + 1), lane(b + 2), lane(b + 3));
        for ((((o, &a0), &a1), &a2), &a3) in out.iter_mut().zip(x0).zip(x1).zip(x2).zip(x3) {
            *o += t0 * a0 + t1 * a1 + t2 * a2 + t3 * a3;
        }
    }
    for (b, &t) in taps.iter().enumerate().skip(4 * groups) {
        for (o, &a) in out.iter_mut().zip(lane(b)) {
            *o += t * a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_kernel_matches_the_definition() {
        let x: Vec<f64> = (0..40).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        for taps_len in 1..10 {
            let taps: Vec<f64> = (0..taps_len).map(|i| (i as f64) * 0.5 - 1.0).collect();
            for (stride, dilation) in [(1, 1), (1, 2), (2, 1), (3, 2)] {
                let span = (taps_len - 1) * dilation + 1;
                let n = (x.len() - span) / stride + 1;
                let mut out = vec![0.0; n];
                correlate_row_acc(&mut out, &x, &taps, stride, dilation);
                for (c, &o) in out.iter().enumerate() {
                    let want: f64 = (0..taps_len)
                        .map(|b| taps[b] * x[c * stride + b * dilation])
                        .sum();
                    assert!(
                        (o - want).abs() < 1e-12,
                        "K={taps_len} s={stride} d={dilation}"
                    );
                }
            }
        }
    }
}
