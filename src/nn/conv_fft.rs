//! `ConvAlgorithm::Fft`: the three passes through the toolkit's real 2-D FFT
//! ([`PlaneSpectrum`]), every plane and every kernel transformed once per batch and products
//! accumulated in the frequency domain, one inverse transform per result plane.
//!
//! All transforms have the size L0 × L1 = fast_len(P0) × fast_len(P1) of the padded input plane
//! P0 × P1 (padded in the layer's mode by the toolkit's `padding::pad`):
//!
//! * forward: Y[n,o] = Σ_j X[n,i] · F[o,j] with F the spectrum of the flipped, dilated kernel;
//!   y is the inverse sampled from (K'-1) every s (the overlap-save window: the circular
//!   wrap-around only reaches the first K'-1 samples);
//! * weight: ∂W[o,j] = IFFT(Σ_n X[n,i] · D̄[n,o]) sampled from (Δ'-1) every d, D̄ the spectrum of
//!   δ upsampled by s and flipped (Δ' its span);
//! * input: ∂pad(x)[n,i] = IFFT(Σ_o D[n,o] · G[o,j]), D of δ upsampled, G of W dilated
//!   (not flipped); this full convolution is at most P long, so no wrap-around at all.

use ndarray::{Array2, Array4, ArrayView2, ArrayView4, Axis, s};
use rayon::prelude::*;

use super::conv2d::{ConvGeom, fold_padded, upsample};
use super::error::Result;
use crate::real::Real;
use crate::signal::fft::{PlaneSpectrum, fast_len};
use crate::signal::padding::pad;

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

/// Spectra of the padded input planes of every sample: [n][i].
fn input_spectra<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
) -> Result<Vec<Vec<PlaneSpectrum<T>>>> {
    let (l0, l1) = sizes(g);
    let (ph, pw) = g.pad;
    (0..g.batch)
        .into_par_iter()
        .map(|n| {
            (0..g.in_channels)
                .map(|i| {
                    let xp = pad(x.slice(s![n, i, .., ..]), (ph, ph), (pw, pw), g.mode)?;
                    Ok(PlaneSpectrum::of_plane(xp.view(), l0, l1)?)
                })
                .collect()
        })
        .collect()
}

/// Spectra of every kernel slice, spread by the dilation: [o][j].
fn kernel_spectra<T: Real>(
    g: &ConvGeom,
    w: ArrayView4<'_, T>,
    flip: bool,
) -> Result<Vec<Vec<PlaneSpectrum<T>>>> {
    let (l0, l1) = sizes(g);
    (0..g.out_channels)
        .into_par_iter()
        .map(|o| {
            (0..g.cin_g())
                .map(|j| {
                    let f = spread(w.slice(s![o, j, .., ..]), g.dilation, flip);
                    Ok(PlaneSpectrum::of_plane(f.view(), l0, l1)?)
                })
                .collect()
        })
        .collect()
}

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let (n, o, ho, wo) = g.out_shape();
    let (l0, l1) = sizes(g);
    let (k0, k1) = g.span();
    let kernels = kernel_spectra(g, w, true)?;
    let inputs = input_spectra(g, x)?;
    let mut y = Array4::<T>::zeros((n, o, ho, wo));
    y.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(inputs.par_iter())
        .try_for_each(|(mut yn, xs)| -> Result<()> {
            for oc in 0..o {
                let mut acc = PlaneSpectrum::zeros(l0, l1)?;
                for (j, k) in kernels[oc].iter().enumerate() {
                    acc.add_product(&xs[g.input_channel(oc, j)], k);
                }
                let plane = acc.inverse_window(k0 - 1, g.stride.0, ho, k1 - 1, g.stride.1, wo)?;
                yn.index_axis_mut(Axis(0), oc).assign(&plane);
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
    need_input: bool,
) -> Result<(Option<Array4<T>>, Array4<T>)> {
    let (n, o, _, _) = g.out_shape();
    let (kh, kw) = g.kernel;
    let (l0, l1) = sizes(g);
    let (p0, p1) = g.padded();
    let inputs = input_spectra(g, x)?;
    let kernels = kernel_spectra(g, w, false)?;
    // Spectra of δ upsampled by the stride: plain (input gradient) and flipped (weight gradient).
    let deltas: Vec<Vec<(PlaneSpectrum<T>, PlaneSpectrum<T>)>> = (0..n)
        .into_par_iter()
        .map(|sn| {
            (0..o)
                .map(|oc| {
                    let du = upsample(delta.slice(s![sn, oc, .., ..]), g.stride);
                    let flipped = du.slice(s![..;-1, ..;-1]);
                    Ok((
                        PlaneSpectrum::of_plane(du.view(), l0, l1)?,
                        PlaneSpectrum::of_plane(flipped, l0, l1)?,
                    ))
                })
                .collect::<Result<_>>()
        })
        .collect::<Result<_>>()?;
    let (dspan0, dspan1) = (
        (g.out.0 - 1) * g.stride.0 + 1,
        (g.out.1 - 1) * g.stride.1 + 1,
    );

    // Weight gradient: one accumulator per (o, j), summed over the batch in sample order.
    let mut dw = Array4::<T>::zeros(w.raw_dim());
    let planes: Vec<Array2<T>> = (0..o * g.cin_g())
        .into_par_iter()
        .map(|idx| {
            let (oc, j) = (idx / g.cin_g(), idx % g.cin_g());
            let i = g.input_channel(oc, j);
            let mut acc = PlaneSpectrum::zeros(l0, l1)?;
            for sn in 0..n {
                acc.add_product(&inputs[sn][i], &deltas[sn][oc].1);
            }
            Ok(acc.inverse_window(dspan0 - 1, g.dilation.0, kh, dspan1 - 1, g.dilation.1, kw)?)
        })
        .collect::<Result<_>>()?;
    for (idx, plane) in planes.into_iter().enumerate() {
        dw.slice_mut(s![idx / g.cin_g(), idx % g.cin_g(), .., ..])
            .assign(&plane);
    }

    if !need_input {
        return Ok((None, dw));
    }
    // Input gradient: per sample, Σ over the output channels that read each input channel.
    let rows = g.row_sources();
    let cols = g.col_sources();
    let mut dx = Array4::<T>::zeros(x.raw_dim());
    dx.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(deltas.par_iter())
        .try_for_each(|(mut dxn, ds)| -> Result<()> {
            for i in 0..g.in_channels {
                let group = i / g.cin_g();
                let j = i % g.cin_g();
                let mut acc = PlaneSpectrum::zeros(l0, l1)?;
                for oc in group * g.cout_g()..(group + 1) * g.cout_g() {
                    acc.add_product(&ds[oc].0, &kernels[oc][j]);
                }
                let dxp = acc.inverse_window(0, 1, p0, 0, 1, p1)?;
                fold_padded(dxp.view(), &rows, &cols, dxn.index_axis_mut(Axis(0), i));
            }
            Ok(())
        })?;
    Ok((Some(dx), dw))
}
