//! `ConvAlgorithm::Direct`: every pass of the layer as the toolkit's own 2-D correlation or
//! convolution ([`Conv`]), one call per (input channel, output channel) pair — the formulas of
//! the lecture, literally:
//!
//! * forward:  y[n,o] = Σ_j correlate(x[n,i], W[o,j]; pads p in the padding mode, stride s, dilation d);
//! * weight:   ∂W[o,j] = Σ_n correlate(x[n,i], δ[n,o]; same pads and mode, δ dilated by s, stride d),
//!   the first kh × kw samples;
//! * input:    ∂pad(x)[n,i] = Σ_o convolve_full(δ̃[n,o], W[o,j]; dilation d), δ̃ = δ upsampled by s,
//!   folded back onto x through the padding.
//!
//! Samples run in parallel (rayon); per-sample weight gradients are summed in sample order, so
//! the result does not depend on the thread count.

use ndarray::{Array2, Array3, Array4, ArrayView4, ArrayViewMut3, Axis, s};
use rayon::prelude::*;

use super::conv2d::{Conv2dConfig, ConvGeom, fold_padded, upsample};
use super::error::Result;
use crate::real::Real;
use crate::signal::{Algorithm, Conv, Output};

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    cfg: &Conv2dConfig,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let (n, o, ho, wo) = g.out_shape();
    let conv = cfg.signal_conv().algorithm(Algorithm::Direct);
    let mut y = Array4::<T>::zeros((n, o, ho, wo));
    y.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(x.axis_iter(Axis(0)).into_par_iter())
        .try_for_each(|(mut yn, xn)| -> Result<()> {
            for oc in 0..o {
                let mut acc = yn.index_axis_mut(Axis(0), oc);
                for j in 0..g.cin_g() {
                    let i = g.input_channel(oc, j);
                    let part =
                        conv.apply(&xn.index_axis(Axis(0), i), &w.slice(s![oc, j, .., ..]))?;
                    acc += &part;
                }
            }
            Ok(())
        })?;
    Ok(y)
}

pub(super) fn backward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
) -> Result<(Array4<T>, Array4<T>)> {
    let (n, o, _, _) = g.out_shape();
    let (kh, kw) = g.kernel;
    let (ph, pw) = g.pad;
    let (p0, p1) = g.padded();
    // The weight gradient correlates the (padded) input with δ: δ's taps are s apart, and the
    // result is sampled every d (the kernel taps' spacing).
    let weight_conv = Conv::correlate()
        .pads_2d((ph, ph), (pw, pw))
        .padding(g.mode)
        .dilation_2d(g.stride.0, g.stride.1)
        .stride_2d(g.dilation.0, g.dilation.1)
        .algorithm(Algorithm::Direct);
    // The input gradient is the full convolution of the upsampled δ with the dilated kernel.
    let input_conv = Conv::convolve()
        .output(Output::Full)
        .dilation_2d(g.dilation.0, g.dilation.1)
        .algorithm(Algorithm::Direct);
    let rows = g.row_sources();
    let cols = g.col_sources();
    let mut dx = Array4::<T>::zeros(x.raw_dim());
    let per_sample: Vec<Array4<T>> = dx
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .map(
            |(sn, mut dxn): (usize, ArrayViewMut3<'_, T>)| -> Result<Array4<T>> {
                let xn = x.index_axis(Axis(0), sn);
                let mut dw = Array4::<T>::zeros(w.raw_dim());
                let mut dxp = Array3::<T>::zeros((g.in_channels, p0, p1));
                for oc in 0..o {
                    let d = delta.slice(s![sn, oc, .., ..]);
                    let du = upsample(d, g.stride);
                    for j in 0..g.cin_g() {
                        let i = g.input_channel(oc, j);
                        let gw = weight_conv.apply(&xn.index_axis(Axis(0), i), &d)?;
                        let mut dst = dw.slice_mut(s![oc, j, .., ..]);
                        dst += &gw.slice(s![..kh, ..kw]);
                        let gx: Array2<T> = input_conv.apply(&du, &w.slice(s![oc, j, .., ..]))?;
                        let (r, c) = gx.dim();
                        let mut dst = dxp.slice_mut(s![i, ..r, ..c]);
                        dst += &gx;
                    }
                }
                for i in 0..g.in_channels {
                    fold_padded(
                        dxp.index_axis(Axis(0), i),
                        &rows,
                        &cols,
                        dxn.index_axis_mut(Axis(0), i),
                    );
                }
                Ok(dw)
            },
        )
        .collect::<Result<_>>()?;
    let mut dw = Array4::<T>::zeros(w.raw_dim());
    for part in &per_sample {
        dw += part;
    }
    debug_assert_eq!(per_sample.len(), n);
    Ok((dx, dw))
}
