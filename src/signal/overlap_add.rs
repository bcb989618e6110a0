//! Block convolution for signals much longer than the kernel (scipy.signal.oaconvolve's use
//! case), as `Algorithm::OverlapAdd`.
//!
//! The output is cut into blocks of B samples per axis; each block needs B + K' - 1 input
//! samples, transformed at a fast length L ≥ B + K' - 1 and multiplied by the kernel's spectrum,
//! which is computed once for all blocks. Each block keeps only the samples that the circular
//! wrap-around does not touch, so blocks never overlap in the output (the overlap-save form of
//! block convolution: the same result as overlap-add without the additions). L is chosen per
//! axis to minimise the transform work of all the blocks, ⌈(P - K' + 1) / (L - K' + 1)⌉ · w(L)
//! (w from [`transform_work`]; the last block may be mostly empty but costs a whole transform).
//! Blocks run in parallel on rayon's pool.

use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, s};
use rayon::prelude::*;

use super::buffer;
use super::fft::{
    NonFinite, PARALLEL_LEN, Spectrum, convolution_kernel, declines, fast_len, fast_lens, spread,
    transform_work,
};
use super::geometry::AxisGeometry;
use crate::error::Result;
use crate::real::Real;

/// One block's task: its (row, column) block index, its first output (row, column), and the
/// part of the output it fills.
type Tile<'a, T> = ((usize, usize), (usize, usize), ArrayViewMut2<'a, T>);

/// The transform length per block for a kernel span, given the whole padded length.
pub fn block_len(span: usize, padded: usize) -> usize {
    let whole = fast_len(padded);
    // The transform work of all the blocks that cover the valid samples (the last one ragged).
    let valid = (padded + 1).saturating_sub(span).max(1);
    let total =
        |l: usize, work: f64| valid.div_ceil((l + 1).saturating_sub(span).max(1)) as f64 * work;
    // Candidates: every tabled length from 2·K' (at least 64) up to 64·K' (longer blocks gain
    // nothing), or the whole. Not from fast_len(2·K'): that may skip lengths just above 2·K'.
    let first = span.saturating_mul(2).max(64);
    let limit = whole.min(span.saturating_mul(64)).min(1 << 24);
    let mut best = (whole, total(whole, transform_work(whole)));
    for &(l, work) in fast_lens(first, limit) {
        let cost = total(l, work);
        if cost < best.1 {
            best = (l, cost);
        }
    }
    best.0
}

/// Valid correlation of `g` over the extended plane `xp`, block by block; same contract as
/// [`fft::correlate_valid`](super::fft::correlate_valid).
pub fn correlate_valid<T: Real>(
    xp: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
) -> Result<Array2<T>> {
    let on = NonFinite::Spread;
    spread(correlate_valid_or_decline(xp, g, rows, cols, on))
}

/// [`correlate_valid`], or `None` if `on` is [`NonFinite::Decline`] and a block that some
/// output reads holds a non-finite sample (found from each block's sum, its first bin).
pub(super) fn correlate_valid_or_decline<T: Real>(
    xp: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    on: NonFinite,
) -> Result<Option<Array2<T>>> {
    let (p0, p1) = xp.dim();
    let (s0, s1) = (rows.span(), cols.span());
    let (l0, l1) = (block_len(s0, p0), block_len(s1, p1));
    // Stride-1 valid samples per block on each axis.
    let (b0, b1) = (l0 + 1 - s0, l1 + 1 - s1);
    let f = convolution_kernel(g, rows, cols)?;
    let kernel = Spectrum::forward(f.view(), l0, l1)?;

    // Output sample r reads stride-1 valid sample r·stride; block i covers valid [i·b, (i+1)·b).
    let outputs_in = |start: usize, end: usize, stride: usize, n_out: usize| {
        (
            start.div_ceil(stride).min(n_out),
            end.div_ceil(stride).min(n_out),
        )
    };
    // Block i covers output rows `outputs_in(i·b0, (i+1)·b0)`: consecutive bands from row 0
    // (empty past the last output), and the same for columns, so the output splits into one
    // disjoint view per block that its task fills in place. Assembling returned blocks
    // afterwards was a serial pass over the whole output on the calling thread.
    let (n0, n1) = ((p0 + 1 - s0).div_ceil(b0), (p1 + 1 - s1).div_ceil(b1));
    let col_bands: Vec<(usize, usize)> = (0..n1)
        .map(|j| outputs_in(j * b1, (j + 1) * b1, cols.stride, cols.out_len))
        .collect();
    let mut out = buffer::filled((rows.out_len, cols.out_len), T::zero())?;
    let mut tiles = Vec::with_capacity(n0 * n1);
    let mut below = out.view_mut();
    for i in 0..n0 {
        let (r_lo, r_hi) = outputs_in(i * b0, (i + 1) * b0, rows.stride, rows.out_len);
        let (band, rest) = below.split_at(Axis(0), r_hi - r_lo);
        below = rest;
        let mut right = band;
        for (j, &(c_lo, c_hi)) in col_bands.iter().enumerate() {
            let (tile, rest) = right.split_at(Axis(1), c_hi - c_lo);
            right = rest;
            tiles.push(((i, j), (r_lo, c_lo), tile));
        }
    }
    let declined = AtomicBool::new(false);
    let fill = |((i, j), (r_lo, c_lo), tile): Tile<'_, T>| -> Result<()> {
        let (h, w) = tile.dim();
        if h == 0 || w == 0 || declined.load(Ordering::Relaxed) {
            return Ok(());
        }
        let (v0, v1) = (i * b0, j * b1);
        let region = xp.slice(s![v0..(v0 + l0).min(p0), v1..(v1 + l1).min(p1)]);
        let mut spectrum = Spectrum::forward(region, l0, l1)?;
        if declines(&spectrum, on) {
            declined.store(true, Ordering::Relaxed);
            return Ok(());
        }
        spectrum.multiply(&kernel);
        let first_row = s0 - 1 + r_lo * rows.stride - v0;
        let first_col = s1 - 1 + c_lo * cols.stride - v1;
        spectrum.inverse_rows_into(
            |k| first_row + k * rows.stride,
            first_col,
            cols.stride,
            tile,
        )
    };
    // A small problem stays on the calling thread: waking the pool would cost more.
    if p0 * p1 < PARALLEL_LEN || tiles.len() == 1 || rayon::current_num_threads() == 1 {
        tiles.into_iter().try_for_each(fill)?;
    } else {
        tiles.into_par_iter().try_for_each(fill)?;
    }
    Ok((!declined.into_inner()).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several blocks per axis, with strides and dilations that do not divide the block
    /// length: every output is filled by exactly one block, as the direct sum computes it.
    #[test]
    fn blocks_tile_the_output_with_strides() {
        use crate::signal::{Algorithm, Conv, Output, Padding};
        let x = Array2::from_shape_fn((150, 170), |(r, c)| ((r * 31 + c * 17) % 23) as f64 - 11.0);
        let h = Array2::from_shape_fn((5, 7), |(r, c)| ((r * 7 + c * 3) % 5) as f64 - 2.0);
        // More than one block on each axis (reflect 'same' pads by K - 1 in all).
        assert!(block_len(5, 154) < 150 && block_len(7, 176) < 170);
        for (stride, dilation) in [((1, 1), (1, 1)), ((2, 3), (1, 1)), ((3, 2), (2, 1))] {
            let conv = |algorithm| {
                Conv::correlate()
                    .output(Output::Same)
                    .padding(Padding::Reflect)
                    .stride_2d(stride.0, stride.1)
                    .dilation_2d(dilation.0, dilation.1)
                    .algorithm(algorithm)
                    .apply(&x, &h)
                    .unwrap()
            };
            let (blocks, direct) = (conv(Algorithm::OverlapAdd), conv(Algorithm::Direct));
            assert_eq!(blocks.dim(), direct.dim());
            let err = (&blocks - &direct).fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(err < 1e-9, "stride {stride:?} dilation {dilation:?}: {err}");
        }
    }

    /// Asked to decline, overlap-add and the whole FFT return `None` for a signal with a NaN or
    /// infinities anywhere, and the transform otherwise.
    #[test]
    fn declines_a_non_finite_signal_when_asked() {
        use crate::signal::Output;
        use crate::signal::fft::correlate_valid_or_decline as whole;
        use crate::signal::geometry::Extent;
        let valid = Extent::Output(Output::Valid);
        let rows = AxisGeometry::new(0, 150, 5, valid, 1, 1).unwrap();
        let cols = AxisGeometry::new(1, 170, 7, valid, 1, 1).unwrap();
        let g = Array2::from_elem((5, 7), 1.0);
        let finite = Array2::from_shape_fn((150, 170), |(r, c)| ((r * 7 + c) % 11) as f64);
        let run = |x: &Array2<f64>, on| {
            let blocks = correlate_valid_or_decline(x.view(), g.view(), &rows, &cols, on);
            let whole = whole(x.view(), g.view(), &rows, &cols, on);
            (blocks.unwrap(), whole.unwrap())
        };
        let (blocks, whole) = run(&finite, NonFinite::Decline);
        assert_eq!(blocks.unwrap().dim(), (146, 164));
        assert_eq!(whole.unwrap().dim(), (146, 164));
        for (r, c, v) in [
            (0, 0, f64::NAN),
            (149, 169, f64::INFINITY),
            (70, 3, f64::NAN),
        ] {
            let mut x = finite.clone();
            x[[r, c]] = v;
            assert_eq!(run(&x, NonFinite::Decline), (None, None), "({r}, {c})");
            let (blocks, whole) = run(&x, NonFinite::Spread);
            assert!(blocks.unwrap().iter().any(|y| !y.is_finite()));
            assert!(whole.unwrap().iter().all(|y| !y.is_finite()));
        }
        // +∞ and −∞ in one block sum to NaN: still declined.
        let mut x = finite.clone();
        x[[20, 20]] = f64::INFINITY;
        x[[20, 21]] = f64::NEG_INFINITY;
        assert_eq!(run(&x, NonFinite::Decline), (None, None));
    }

    #[test]
    fn blocks_are_a_few_kernel_spans() {
        let l = block_len(65, 1_000_000);
        assert!((130..=65 * 64).contains(&l), "{l}");
        // A signal not much longer than the kernel is one block: the plain FFT.
        assert_eq!(block_len(1000, 1500), fast_len(1500));
    }
}
