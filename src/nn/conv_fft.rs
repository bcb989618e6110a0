//! `ConvAlgorithm::Fft`: the three passes through the toolkit's real 2-D FFT, every plane and
//! every kernel transformed once per batch ([`SpectrumBatch`]), the sums over channels done in
//! the frequency domain as one complex matrix product per frequency bin, one inverse transform
//! per result plane.
//!
//! All transforms have the size L0 × L1 = fast_len(P0) × fast_len(P1) of the padded input plane
//! P0 × P1 (padded in the layer's mode by the toolkit's `padding::pad`). At bin b, with the
//! channels of each group as the columns of a matrix:
//!
//! * forward: Y_b\[n, o\] = Σ_j X_b\[n, i(o, j)\] · F_b\[o, j\], F the spectrum of the flipped,
//!   dilated kernel; y is the inverse sampled from (K'-1) every s (the overlap-save window: the
//!   circular wrap-around only reaches the first K'-1 samples);
//! * weight: ∂W_b\[o, j\] = Σ_n D̄_b\[n, o\] · X_b\[n, i(o, j)\], sampled from (Δ'-1) every d, D̄
//!   the spectrum of δ upsampled by s and flipped (Δ' its span);
//! * input: ∂pad(x)_b\[n, i\] = Σ_o D_b\[n, o\] · G_b\[o, j(i)\], D of δ upsampled, G of W dilated
//!   (not flipped); this full convolution is at most P long, so no wrap-around at all.
//!
//! Each of these is a GEMM per bin and group (ndarray's `general_mat_mul`, matrixmultiply's
//! complex kernel); its sums run in a fixed order, so results do not depend on the thread count.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array4, ArrayView2, ArrayView4, ArrayViewMut2, Axis, s};
use num_complex::Complex;
use rayon::prelude::*;

use super::conv2d::{ConvGeom, fold_padded, upsample};
use super::error::Result;
use crate::real::Real;
use crate::signal::fft::fast_len;
use crate::signal::padding::pad;
use crate::signal::spectrum_batch::SpectrumBatch;

/// The kernel spread d apart, optionally flipped on both axes.
fn spread<T: Real>(k: ArrayView2<'_, T>, d: (usize, usize), flip: bool) -> Array2<T> {
    let (kh, kw) = k.dim();
    let (s0, s1) = ((kh - 1) * d.0 + 1, (kw - 1) * d.1 + 1);
    let mut f = Array2::zeros((s0, s1));
    for ((a, b), &v) in k.indexed_iter() {
        let (r, c) = (a * d.0, b * d.1);
        if flip {
            f[[s0 - 1 - r, s1 - 1 - c]] = v;
        } else {
            f[[r, c]] = v;
        }
    }
    f
}

fn sizes(g: &ConvGeom) -> (usize, usize) {
    let (p0, p1) = g.padded();
    (fast_len(p0), fast_len(p1))
}

/// Spectra of the padded input planes of the samples of `x`, plane n·C + i.
fn input_spectra<T: Real>(g: &ConvGeom, x: ArrayView4<'_, T>) -> Result<SpectrumBatch<T>> {
    let (l0, l1) = sizes(g);
    let (ph, pw) = g.pad;
    let c = g.in_channels;
    Ok(SpectrumBatch::of_planes(
        x.len_of(Axis(0)) * c,
        l0,
        l1,
        |p| {
            pad(
                x.slice(s![p / c, p % c, .., ..]),
                (ph, ph),
                (pw, pw),
                g.mode,
            )
        },
    )?)
}

/// Spectra of every kernel slice spread by the dilation, plane o·C/g + j.
fn kernel_spectra<T: Real>(
    g: &ConvGeom,
    w: ArrayView4<'_, T>,
    flip: bool,
) -> Result<SpectrumBatch<T>> {
    let (l0, l1) = sizes(g);
    let cg = g.cin_g();
    Ok(SpectrumBatch::of_planes(
        g.out_channels * cg,
        l0,
        l1,
        |p| {
            Ok(spread(
                w.slice(s![p / cg, p % cg, .., ..]),
                g.dilation,
                flip,
            ))
        },
    )?)
}

/// Spectra of the samples of δ upsampled by the stride, plane n·O + o; flipped on both axes if
/// asked.
fn delta_spectra<T: Real>(
    g: &ConvGeom,
    delta: ArrayView4<'_, T>,
    flip: bool,
) -> Result<SpectrumBatch<T>> {
    let (l0, l1) = sizes(g);
    let o = g.out_channels;
    Ok(SpectrumBatch::of_planes(
        delta.len_of(Axis(0)) * o,
        l0,
        l1,
        |p| {
            let du = upsample(delta.slice(s![p / o, p % o, .., ..]), g.stride);
            Ok(if flip {
                du.slice(s![..;-1, ..;-1]).to_owned()
            } else {
                du
            })
        },
    )?)
}

/// A batch of `count.0 × count.1` spectra with, at every bin b, `product(b, out_b)` (out_b
/// the strided `count.0 × count.1` matrix of bin b, zero on entry).
fn per_bin<T: Real>(
    count: (usize, usize),
    size: (usize, usize),
    product: impl Fn(usize, ArrayViewMut2<'_, Complex<T>>) + Sync,
) -> SpectrumBatch<T> {
    let mut out = SpectrumBatch::zeros(count.0 * count.1, size.0, size.1);
    out.view_mut(count.0, count.1)
        .axis_iter_mut(Axis(2))
        .into_par_iter()
        .enumerate()
        .for_each(|(b, bin)| product(b, bin));
    out
}

fn one<T: Real>() -> Complex<T> {
    Complex::new(T::one(), T::zero())
}

fn zero<T: Real>() -> Complex<T> {
    Complex::new(T::zero(), T::zero())
}

/// Samples transformed and multiplied together: rows enough for the per-bin products, few
/// enough that a chunk's spectra stay in cache (a batch of 1000 never holds all of its spectra).
const CHUNK: usize = 16;

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let (n, o, ho, wo) = g.out_shape();
    let (c, cg, og) = (g.in_channels, g.cin_g(), g.cout_g());
    let (k0, k1) = g.span();
    let kernels = kernel_spectra(g, w, true)?;
    let fv = kernels.view(o, cg);
    let mut y = Array4::<T>::zeros((n, o, ho, wo));
    y.axis_chunks_iter_mut(Axis(0), CHUNK)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .try_for_each(|(mut yc, xc)| -> Result<()> {
            let m = xc.len_of(Axis(0));
            let inputs = input_spectra(g, xc)?;
            let xv = inputs.view(m, c);
            let ys = per_bin((m, o), sizes(g), |b, mut yb| {
                let (xb, fb) = (xv.index_axis(Axis(2), b), fv.index_axis(Axis(2), b));
                for gi in 0..g.groups {
                    general_mat_mul(
                        one(),
                        &xb.slice(s![.., gi * cg..(gi + 1) * cg]),
                        &fb.slice(s![gi * og..(gi + 1) * og, ..]).t(),
                        zero(),
                        &mut yb.slice_mut(s![.., gi * og..(gi + 1) * og]),
                    );
                }
            });
            let planes = yc
                .view_mut()
                .into_shape_with_order((m * o, ho, wo))
                .expect("a chunk of a fresh array is contiguous");
            let (rows, cols) = ((k0 - 1, g.stride.0, ho), (k1 - 1, g.stride.1, wo));
            Ok(ys.inverse_windows_into(rows, cols, planes)?)
        })?;
    Ok(y)
}

pub(super) fn backward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
    need_input: bool,
) -> Result<(Option<Array4<T>>, Array4<T>)> {
    let (n, o, _, _) = g.out_shape();
    let (c, cg, og) = (g.in_channels, g.cin_g(), g.cout_g());
    let (kh, kw) = g.kernel;
    let (p0, p1) = g.padded();
    let (dspan0, dspan1) = (
        (g.out.0 - 1) * g.stride.0 + 1,
        (g.out.1 - 1) * g.stride.1 + 1,
    );
    let kernels = if need_input {
        Some(kernel_spectra(g, w, false)?)
    } else {
        None
    };
    let (rows, cols) = (g.row_sources(), g.col_sources());
    // Written chunk by chunk in place; without an input gradient, an empty array of as many
    // samples keeps the chunks of the three batches in step.
    let mut dx = if need_input {
        Array4::<T>::zeros(x.raw_dim())
    } else {
        Array4::<T>::zeros((n, 0, 0, 0))
    };
    let partials: Vec<SpectrumBatch<T>> = x
        .axis_chunks_iter(Axis(0), CHUNK)
        .into_par_iter()
        .zip(delta.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .zip(dx.axis_chunks_iter_mut(Axis(0), CHUNK).into_par_iter())
        .map(|((xc, dc), mut dxc)| -> Result<SpectrumBatch<T>> {
            let m = xc.len_of(Axis(0));
            // This chunk's part of ∂W_b = D̄_bᵀ · X_b per group (the sum over its samples).
            let inputs = input_spectra(g, xc)?;
            let flipped = delta_spectra(g, dc, true)?;
            let (xv, dv) = (inputs.view(m, c), flipped.view(m, o));
            let dws = per_bin((o, cg), sizes(g), |b, mut dwb| {
                let (xb, db) = (xv.index_axis(Axis(2), b), dv.index_axis(Axis(2), b));
                for gi in 0..g.groups {
                    general_mat_mul(
                        one(),
                        &db.slice(s![.., gi * og..(gi + 1) * og]).t(),
                        &xb.slice(s![.., gi * cg..(gi + 1) * cg]),
                        zero(),
                        &mut dwb.slice_mut(s![gi * og..(gi + 1) * og, ..]),
                    );
                }
            });
            // ∂pad(x)_b = D_b · G_b per group, then folded through the padding.
            if let Some(kernels) = &kernels {
                let deltas = delta_spectra(g, dc, false)?;
                let (dv, gv) = (deltas.view(m, o), kernels.view(o, cg));
                let dxs = per_bin((m, c), sizes(g), |b, mut dxb| {
                    let (db, gb) = (dv.index_axis(Axis(2), b), gv.index_axis(Axis(2), b));
                    for gi in 0..g.groups {
                        general_mat_mul(
                            one(),
                            &db.slice(s![.., gi * og..(gi + 1) * og]),
                            &gb.slice(s![gi * og..(gi + 1) * og, ..]),
                            zero(),
                            &mut dxb.slice_mut(s![.., gi * cg..(gi + 1) * cg]),
                        );
                    }
                });
                let planes = dxs.inverse_windows((0, 1, p0), (0, 1, p1))?;
                for (p, plane) in planes.outer_iter().enumerate() {
                    let dst = dxc.slice_mut(s![p / c, p % c, .., ..]);
                    fold_padded(plane, &rows, &cols, dst);
                }
            }
            Ok(dws)
        })
        .collect::<Result<_>>()?;
    // The chunks' parts added in chunk order, so the sum does not depend on the thread count.
    let mut dws = SpectrumBatch::zeros(o * cg, sizes(g).0, sizes(g).1);
    for part in &partials {
        ndarray::Zip::from(dws.view_mut(o, cg))
            .and(part.view(o, cg))
            .for_each(|a, &b| *a += b);
    }
    let window = (
        (dspan0 - 1, g.dilation.0, kh),
        (dspan1 - 1, g.dilation.1, kw),
    );
    let dw = dws
        .inverse_windows(window.0, window.1)?
        .into_shape_with_order((o, cg, kh, kw))
        .expect("O·C/g planes of kh × kw");
    Ok((need_input.then_some(dx), dw))
}
