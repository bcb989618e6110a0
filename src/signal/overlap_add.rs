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

use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;

use super::buffer;
use super::fft::{PARALLEL_LEN, Spectrum, convolution_kernel, fast_len, fast_lens, transform_work};
use super::geometry::AxisGeometry;
use crate::error::Result;
use crate::real::Real;

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
    let blocks: Vec<(usize, usize)> = (0..(p0 + 1 - s0).div_ceil(b0))
        .flat_map(|i| (0..(p1 + 1 - s1).div_ceil(b1)).map(move |j| (i, j)))
        .collect();
    let block = |(i, j): (usize, usize)| -> Result<(usize, usize, Array2<T>)> {
        let (v0, v1) = (i * b0, j * b1);
        let (r_lo, r_hi) = outputs_in(v0, v0 + b0, rows.stride, rows.out_len);
        let (c_lo, c_hi) = outputs_in(v1, v1 + b1, cols.stride, cols.out_len);
        let region = xp.slice(s![v0..(v0 + l0).min(p0), v1..(v1 + l1).min(p1)]);
        let mut spectrum = Spectrum::forward(region, l0, l1)?;
        spectrum.multiply(&kernel);
        let first_row = s0 - 1 + r_lo * rows.stride - v0;
        let first_col = s1 - 1 + c_lo * cols.stride - v1;
        let block = spectrum.inverse_rows(
            |k| first_row + k * rows.stride,
            r_hi - r_lo,
            first_col,
            cols.stride,
            c_hi - c_lo,
        )?;
        Ok((r_lo, c_lo, block))
    };
    // A small problem stays on the calling thread: waking the pool would cost more.
    let pieces: Vec<Result<(usize, usize, Array2<T>)>> =
        if p0 * p1 < PARALLEL_LEN || blocks.len() == 1 {
            blocks.into_iter().map(block).collect()
        } else {
            blocks.into_par_iter().map(block).collect()
        };
    let mut out = buffer::filled((rows.out_len, cols.out_len), T::zero())?;
    for piece in pieces {
        let (r, c, block) = piece?;
        let (h, w) = block.dim();
        out.slice_mut(s![r..r + h, c..c + w]).assign(&block);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_a_few_kernel_spans() {
        let l = block_len(65, 1_000_000);
        assert!((130..=65 * 64).contains(&l), "{l}");
        // A signal not much longer than the kernel is one block: the plain FFT.
        assert_eq!(block_len(1000, 1500), fast_len(1500));
    }
}
