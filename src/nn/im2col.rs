//! `ConvAlgorithm::Im2col`: unfold every receptive field of a sample into a column of a matrix
//! and turn the convolution into matrix products (ndarray's `general_mat_mul`, matrixmultiply's
//! GEMM).
//!
//! For one sample and one group, with `cols` the (C/g·kh·kw) × (Ho·Wo) unfolded input (the
//! padding is read through [`source_index`](crate::signal::padding::source_index), so every
//! padding mode is the same code) and W_g the weights as an (O/g) × (C/g·kh·kw) matrix:
//!
//! * forward: y_g = W_g · cols
//! * weight:  ∂W_g += δ_g · colsᵀ (the correlation of the input with δ, as a GEMM)
//! * input:   dcols = W_gᵀ · δ_g, scattered back by `col2im` (the adjoint of the unfold; the
//!   scatter through the source-index tables *is* the folding of the padding's gradient).
//!
//! Samples run in parallel. The weight gradient is accumulated per fixed chunk of samples and
//! the chunks are summed in order, so results do not depend on the thread count.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array4, ArrayView2, ArrayView3, ArrayView4, ArrayViewMut3, Axis, s};
use rayon::prelude::*;

use super::conv2d::ConvGeom;
use super::error::Result;
use crate::real::Real;

/// Samples whose weight gradients are accumulated together before the ordered sum.
const CHUNK: usize = 8;
const NONE: usize = usize::MAX;

/// Source tables: for kernel tap a (rows) / b (cols) and output position r / c, the source
/// row / column of the unpadded input, or NONE for a padding zero.
struct Tables {
    rows: Vec<usize>, // [a * ho + r]
    cols: Vec<usize>, // [b * wo + c]
}

impl Tables {
    fn new(g: &ConvGeom) -> Self {
        let (ho, wo) = g.out;
        let rsrc = g.row_sources();
        let csrc = g.col_sources();
        let mut rows = Vec::with_capacity(g.kernel.0 * ho);
        for a in 0..g.kernel.0 {
            for r in 0..ho {
                rows.push(rsrc[r * g.stride.0 + a * g.dilation.0].unwrap_or(NONE));
            }
        }
        let mut cols = Vec::with_capacity(g.kernel.1 * wo);
        for b in 0..g.kernel.1 {
            for c in 0..wo {
                cols.push(csrc[c * g.stride.1 + b * g.dilation.1].unwrap_or(NONE));
            }
        }
        Tables { rows, cols }
    }
}

/// cols\[(i·kh + a)·kw + b, off + r·wo + c\] = pad(x)\[i, r·s0 + a·d0, c·s1 + b·d1\], rows `ld`
/// apart.
fn unfold<T: Real>(
    g: &ConvGeom,
    t: &Tables,
    xn: ArrayView3<'_, T>,
    out: &mut [T],
    ld: usize,
    off: usize,
) {
    let (ho, wo) = g.out;
    let (kh, kw) = g.kernel;
    let width = g.width;
    let hw = ho * wo;
    let xs = xn.as_slice().expect("standard layout");
    let plane_len = g.height * width;
    for i in 0..g.in_channels {
        let plane = &xs[i * plane_len..(i + 1) * plane_len];
        for a in 0..kh {
            for b in 0..kw {
                let row = (i * kh + a) * kw + b;
                let dst = &mut out[row * ld + off..row * ld + off + hw];
                let ctab = &t.cols[b * wo..(b + 1) * wo];
                for r in 0..ho {
                    let d = &mut dst[r * wo..(r + 1) * wo];
                    let sr = t.rows[a * ho + r];
                    if sr == NONE {
                        d.fill(T::zero());
                        continue;
                    }
                    let src = &plane[sr * width..(sr + 1) * width];
                    for (v, &sc) in d.iter_mut().zip(ctab) {
                        *v = if sc == NONE { T::zero() } else { src[sc] };
                    }
                }
            }
        }
    }
}

/// The adjoint of [`unfold`]:
/// dx\[i, src(r,a), src(c,b)\] += dcols\[(i·kh + a)·kw + b, off + r·wo + c\].
fn col2im<T: Real>(
    g: &ConvGeom,
    t: &Tables,
    dcols: &[T],
    ld: usize,
    off: usize,
    mut dxn: ArrayViewMut3<'_, T>,
) {
    let (ho, wo) = g.out;
    let (kh, kw) = g.kernel;
    let width = g.width;
    let hw = ho * wo;
    let plane_len = g.height * width;
    let dxs = dxn.as_slice_mut().expect("standard layout");
    for i in 0..g.in_channels {
        let plane = &mut dxs[i * plane_len..(i + 1) * plane_len];
        for a in 0..kh {
            for b in 0..kw {
                let row = (i * kh + a) * kw + b;
                let src = &dcols[row * ld + off..row * ld + off + hw];
                let ctab = &t.cols[b * wo..(b + 1) * wo];
                for r in 0..ho {
                    let sr = t.rows[a * ho + r];
                    if sr == NONE {
                        continue;
                    }
                    let dst = &mut plane[sr * width..(sr + 1) * width];
                    for (&v, &sc) in src[r * wo..(r + 1) * wo].iter().zip(ctab) {
                        if sc != NONE {
                            dst[sc] += v;
                        }
                    }
                }
            }
        }
    }
}

fn weight_matrix<'a, T: Real>(g: &ConvGeom, w: &'a ArrayView4<'_, T>) -> ArrayView2<'a, T> {
    let k = g.cin_g() * g.kernel.0 * g.kernel.1;
    w.view()
        .into_shape_with_order((g.out_channels, k))
        .expect("weights are in standard layout")
}

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let (n, o, ho, wo) = g.out_shape();
    let x = x.as_standard_layout();
    let w = w.as_standard_layout();
    let w = w.view();
    let wm = weight_matrix(g, &w);
    let t = Tables::new(g);
    let hw = ho * wo;
    let kg = g.cin_g() * g.kernel.0 * g.kernel.1;
    let mut y = Array4::<T>::zeros((n, o, ho, wo));
    y.axis_chunks_iter_mut(Axis(0), CHUNK)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .for_each(|(mut yc, xc)| {
            // One GEMM per group for the whole chunk: columns are (sample, output pixel).
            let ld = xc.len_of(Axis(0)) * hw;
            let buf = unfold_chunk(g, &t, &xc, hw, kg);
            let cols = ArrayView2::from_shape((g.groups * kg, ld), &buf[..])
                .expect("buffer sized for the unfold");
            let mut out = Array2::<T>::zeros((o, ld));
            for gi in 0..g.groups {
                let (o0, o1) = (gi * g.cout_g(), (gi + 1) * g.cout_g());
                general_mat_mul(
                    T::one(),
                    &wm.slice(s![o0..o1, ..]),
                    &cols.slice(s![gi * kg..(gi + 1) * kg, ..]),
                    T::zero(),
                    &mut out.slice_mut(s![o0..o1, ..]),
                );
            }
            for (k, mut yn) in yc.axis_iter_mut(Axis(0)).enumerate() {
                let src = out.slice(s![.., k * hw..(k + 1) * hw]);
                yn.view_mut()
                    .into_shape_with_order((o, hw))
                    .expect("fresh output is contiguous")
                    .assign(&src);
            }
        });
    Ok(y)
}

/// The unfolded patches of a chunk of samples: (groups·K) rows, one column per (sample, output
/// pixel), row-major with leading dimension samples·`hw`.
fn unfold_chunk<T: Real>(
    g: &ConvGeom,
    t: &Tables,
    xc: &ArrayView4<'_, T>,
    hw: usize,
    kg: usize,
) -> Vec<T> {
    let ld = xc.len_of(Axis(0)) * hw;
    let mut buf = vec![T::zero(); g.groups * kg * ld];
    for (k, xn) in xc.axis_iter(Axis(0)).enumerate() {
        unfold(g, t, xn, &mut buf, ld, k * hw);
    }
    buf
}

pub(super) fn backward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
    need_input: bool,
) -> Result<(Option<Array4<T>>, Array4<T>)> {
    let (_, o, ho, wo) = g.out_shape();
    let x = x.as_standard_layout();
    let delta = delta.as_standard_layout();
    let w = w.as_standard_layout();
    let w = w.view();
    let wm = weight_matrix(g, &w);
    let t = Tables::new(g);
    let hw = ho * wo;
    let kg = g.cin_g() * g.kernel.0 * g.kernel.1;
    let mut dx = Array4::<T>::zeros(x.raw_dim());
    let partials: Vec<Array2<T>> = dx
        .axis_chunks_iter_mut(Axis(0), CHUNK)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .zip(delta.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .map(|((mut dxc, xc), dc)| {
            let ld = xc.len_of(Axis(0)) * hw;
            let buf = unfold_chunk(g, &t, &xc, hw, kg);
            let cols = ArrayView2::from_shape((g.groups * kg, ld), &buf[..])
                .expect("buffer sized for the unfold");
            // δ of the chunk as an O × (sample, output pixel) matrix.
            let mut dm = Array2::<T>::zeros((o, ld));
            for (k, dn) in dc.axis_iter(Axis(0)).enumerate() {
                dm.slice_mut(s![.., k * hw..(k + 1) * hw])
                    .assign(&dn.into_shape_with_order((o, hw)).expect("standard layout"));
            }
            let mut dw = Array2::<T>::zeros((o, kg));
            let mut dcols = Array2::<T>::zeros((if need_input { g.groups * kg } else { 0 }, ld));
            for gi in 0..g.groups {
                let (o0, o1) = (gi * g.cout_g(), (gi + 1) * g.cout_g());
                let (k0, k1) = (gi * kg, (gi + 1) * kg);
                let dg = dm.slice(s![o0..o1, ..]);
                general_mat_mul(
                    T::one(),
                    &dg,
                    &cols.slice(s![k0..k1, ..]).t(),
                    T::zero(),
                    &mut dw.slice_mut(s![o0..o1, ..]),
                );
                if need_input {
                    general_mat_mul(
                        T::one(),
                        &wm.slice(s![o0..o1, ..]).t(),
                        &dg,
                        T::zero(),
                        &mut dcols.slice_mut(s![k0..k1, ..]),
                    );
                }
            }
            if need_input {
                let dflat = dcols.as_slice().expect("fresh array is contiguous");
                for (k, dxn) in dxc.axis_iter_mut(Axis(0)).enumerate() {
                    col2im(g, &t, dflat, ld, k * hw, dxn);
                }
            }
            dw
        })
        .collect();
    let mut dw = Array2::<T>::zeros((o, kg));
    for p in &partials {
        dw += p;
    }
    let dw = dw
        .into_shape_with_order(w.raw_dim())
        .expect("same number of weights");
    Ok((need_input.then_some(dx), dw))
}
