//! `ConvAlgorithm::Direct`: every pass of the layer as the toolkit's direct correlation, summed
//! over channel pairs — the formulas of the lecture, term by term, with no unfolded matrix:
//!
//! * forward:  y\[n,o\] = Σ_j pad(x\[n,i\]) ⋆ W\[o,j\]  (stride s, dilation d);
//! * weight:   ∂W\[o,j\] = Σ_n pad(x\[n,i\]) ⋆ δ\[n,o\]  (δ's taps s apart, the result sampled
//!   every d);
//! * input:    ∂pad(x)\[n,i\] = Σ_o δ̃\[n,o\] ∗ W\[o,j\]  (full convolution, δ̃ = δ upsampled by s,
//!   W dilated by d), folded back onto x through the padding.
//!
//! Each pass is one multi-channel correlation ([`correlate_gather`]) per sample (or chunk of
//! samples) and group, with the channels of the result in vector lanes. When a forward pass has
//! too few output channels to fill the lanes (a one-filter layer on a large image) and its rows
//! are long, it runs instead as row segments of the 2-D direct path ([`correlate_segment`]),
//! vectorised along the row.
//!
//! Samples run in parallel (rayon); weight gradients are accumulated per fixed chunk of
//! samples and the chunks summed in order, so the result does not depend on the thread count.

use ndarray::{Array2, Array4, ArrayView3, ArrayView4, ArrayViewMut2, Axis};
use rayon::prelude::*;

use super::conv2d::ConvGeom;
use super::error::Result;
use crate::real::Real;
use crate::signal::direct::correlate_segment;
use crate::signal::multichannel::{Lanes, correlate_gather};
use crate::signal::padding::pad_into;

/// Samples whose weight gradients are summed in one call before the ordered sum of chunks.
const CHUNK: usize = 8;

/// One pass as out\[m, R, C\] = Σ_t a\[t, m\] · x\[u_t + R·row_step + C·col_step\] over an
/// `rows` × `cols` grid of outputs, with a\[t, m\] = `coef(t, m)`.
struct Pass<'a, T> {
    x: &'a [T],
    u: &'a [usize],
    channels: usize,
    rows: usize,
    cols: usize,
    row_step: usize,
    col_step: usize,
}

impl<T: Real> Pass<'_, T> {
    /// Runs the pass into `out` (channel m's grid at m·ld), choosing lanes over channels or
    /// over the columns of a row, whichever wastes fewer multiply-adds.
    fn run(&self, lanes: &Lanes<T>, coef: impl Fn(usize, usize) -> T, out: &mut [T], ld: usize) {
        let per_vector = 64 / std::mem::size_of::<T>();
        let channel_lanes = self.channels.div_ceil(2 * per_vector) * 2 * per_vector;
        // Multiply-adds per term: whole lane tiles of channels, or row segments (tiles of 8
        // then single outputs; a strided row is summed one output at a time).
        let gather = channel_lanes * self.rows * self.cols / per_vector;
        let segment = if self.col_step == 1 {
            self.channels * self.rows * (self.cols / 8 * 8 / per_vector + self.cols % 8)
        } else {
            self.channels * self.rows * self.cols
        };
        if gather <= segment {
            let v: Vec<usize> = (0..self.rows)
                .flat_map(|r| (0..self.cols).map(move |c| r * self.row_step + c * self.col_step))
                .collect();
            correlate_gather(lanes, self.x, self.u, &v, out, ld, false);
            return;
        }
        // One segment call per output row of a channel: every term is an input row and a tap.
        for m in 0..self.channels {
            let coefs: Vec<[T; 1]> = (0..self.u.len()).map(|t| [coef(t, m)]).collect();
            let taps: Vec<&[T]> = coefs.iter().map(|c| &c[..]).collect();
            for r in 0..self.rows {
                let inputs: Vec<&[T]> = self
                    .u
                    .iter()
                    .map(|&u| &self.x[u + r * self.row_step..])
                    .collect();
                let dst = &mut out[m * ld + r * self.cols..m * ld + (r + 1) * self.cols];
                correlate_segment(dst, &inputs, &taps, self.col_step, 1);
            }
        }
    }
}

/// The input stack of one sample extended by the layer's padding: C planes of P0 × P1.
fn extend<T: Real>(g: &ConvGeom, xn: ArrayView3<'_, T>, out: &mut [T]) {
    let (p0, p1) = g.padded();
    for (i, plane) in out.chunks_exact_mut(p0 * p1).enumerate() {
        let view = ArrayViewMut2::from_shape((p0, p1), plane).expect("plane sized P0 × P1");
        pad_into(
            xn.index_axis(Axis(0), i),
            (g.pad.0, g.pad.0),
            (g.pad.1, g.pad.1),
            g.mode,
            view,
        );
    }
}

/// Offsets of the kernel taps (channel j of a group, row a, column b) in an extended stack of
/// `rows` × `cols` planes.
fn tap_offsets(g: &ConvGeom, channels: usize, rows: usize, cols: usize) -> Vec<usize> {
    let (kh, kw) = g.kernel;
    let mut u = Vec::with_capacity(channels * kh * kw);
    for j in 0..channels {
        for a in 0..kh {
            for b in 0..kw {
                u.push(j * rows * cols + a * g.dilation.0 * cols + b * g.dilation.1);
            }
        }
    }
    u
}

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let (n, o, ho, wo) = g.out_shape();
    let (p0, p1) = g.padded();
    let (kh, kw) = g.kernel;
    let (cg, og) = (g.cin_g(), g.cout_g());
    let w = w.as_standard_layout();
    let ws = w.as_slice().expect("standard layout");
    let k = cg * kh * kw;
    // a[(j,a,b), o] = W[o, j, a, b]: the weights of a group as (tap, output channel).
    let coef = move |gi: usize| move |t: usize, m: usize| ws[(gi * og + m) * k + t];
    let lanes: Vec<Lanes<T>> = (0..g.groups)
        .map(|gi| Lanes::from_fn(k, og, coef(gi)))
        .collect();
    let u = tap_offsets(g, cg, p0, p1);
    let mut y = Array4::<T>::zeros((n, o, ho, wo));
    y.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(x.axis_iter(Axis(0)).into_par_iter())
        .for_each_init(
            // One extended stack per worker's run of samples; `extend` rewrites all of it.
            || vec![T::zero(); g.in_channels * p0 * p1],
            |xp, (mut yn, xn)| {
                extend(g, xn, xp);
                let ys = yn.as_slice_mut().expect("a fresh array is contiguous");
                for (gi, lanes) in lanes.iter().enumerate() {
                    let pass = Pass {
                        x: &xp[gi * cg * p0 * p1..],
                        u: &u,
                        channels: og,
                        rows: ho,
                        cols: wo,
                        row_step: g.stride.0 * p1,
                        col_step: g.stride.1,
                    };
                    pass.run(lanes, coef(gi), &mut ys[gi * og * ho * wo..], ho * wo);
                }
            },
        );
    Ok(y)
}

pub(super) fn backward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
    need_input: bool,
) -> Result<(Option<Array4<T>>, Array4<T>)> {
    let x = x.as_standard_layout();
    let w = w.as_standard_layout();
    let delta = delta.as_standard_layout();
    let dw = weight_gradient(g, x.view(), delta.view());
    let dx = need_input.then(|| input_gradient(g, w.view(), delta.view()));
    let dw = dw
        .into_shape_with_order(w.raw_dim())
        .expect("same number of weights");
    Ok((dx, dw))
}

/// ∂W\[o, (j,a,b)\] = Σ_n Σ_(r,c) δ\[n,o,r,c\] · pad(x)\[n, i, r·s0 + a·d0, c·s1 + b·d1\]: terms
/// over (sample, output position), results over the taps, channels over o.
fn weight_gradient<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
) -> Array2<T> {
    let (_, o, ho, wo) = g.out_shape();
    let (p0, p1) = g.padded();
    let (kh, kw) = g.kernel;
    let (cg, og) = (g.cin_g(), g.cout_g());
    let k = cg * kh * kw;
    let stack = g.in_channels * p0 * p1;
    let taps = tap_offsets(g, cg, p0, p1);
    let partials: Vec<Array2<T>> = x
        .axis_chunks_iter(Axis(0), CHUNK)
        .into_par_iter()
        .zip(delta.axis_chunks_iter(Axis(0), CHUNK).into_par_iter())
        .map(|(xc, dc)| {
            let samples = xc.len_of(Axis(0));
            let mut xp = vec![T::zero(); samples * stack];
            for (xn, dst) in xc.axis_iter(Axis(0)).zip(xp.chunks_exact_mut(stack)) {
                extend(g, xn, dst);
            }
            let positions: Vec<usize> = (0..samples)
                .flat_map(|sn| {
                    (0..ho).flat_map(move |r| {
                        (0..wo).map(move |c| sn * stack + r * g.stride.0 * p1 + c * g.stride.1)
                    })
                })
                .collect();
            let ds = dc.as_slice().expect("standard layout");
            let mut dw = Array2::<T>::zeros((o, k));
            let dws = dw.as_slice_mut().expect("a fresh array is contiguous");
            for gi in 0..g.groups {
                let hw = ho * wo;
                let lanes = Lanes::from_rows(samples * hw, og, |t, row| {
                    let first = (t / hw * o + gi * og) * hw + t % hw;
                    for (m, v) in row.iter_mut().enumerate() {
                        *v = ds[first + m * hw];
                    }
                });
                correlate_gather(
                    &lanes,
                    &xp[gi * cg * p0 * p1..],
                    &positions,
                    &taps,
                    &mut dws[gi * og * k..],
                    k,
                    false,
                );
            }
            dw
        })
        .collect();
    let mut dw = Array2::<T>::zeros((o, k));
    for p in &partials {
        dw += p;
    }
    dw
}

/// ∂pad(x)\[n, i, R, C\] = Σ_(o,a,b) W\[o,i,a,b\] · δ̃\[n, o, R + (kh−1−a)·d0, C + (kw−1−b)·d1\],
/// with δ̃ the upsampled δ framed by (k−1)·d zeros, at the positions of pad(x) that copy a
/// pixel of x (zero padding's border gets no gradient), added onto that pixel.
///
/// With stride s only taps with a·d0 ≡ R (mod s0) (and likewise for columns) meet a sample of
/// δ̃ rather than an inserted zero, so the positions are split by their phase (R mod s0,
/// C mod s1) and each phase sums only its own taps.
fn input_gradient<T: Real>(
    g: &ConvGeom,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
) -> Array4<T> {
    let (_, o, ho, wo) = g.out_shape();
    let (kh, kw) = g.kernel;
    let (s0, s1) = g.stride;
    let (d0, d1) = g.dilation;
    let (cg, og) = (g.cin_g(), g.cout_g());
    let (span0, span1) = g.span();
    // The reached region of pad(x), and the framed upsampled δ.
    let (e0, e1) = ((ho - 1) * s0 + span0, (wo - 1) * s1 + span1);
    let (q0, q1) = (e0 + span0 - 1, e1 + span1 - 1);
    let rows = g.row_sources();
    let cols = g.col_sources();
    let ws = w.as_slice().expect("standard layout");
    let k = cg * kh * kw;
    let phases: Vec<Phase<T>> = (0..s0 * s1)
        .map(|phase| {
            let (pr, pc) = (phase / s1, phase % s1);
            let taps: Vec<(usize, usize)> = (0..kh)
                .filter(|a| a * d0 % s0 == pr)
                .flat_map(|a| (0..kw).filter(|b| b * d1 % s1 == pc).map(move |b| (a, b)))
                .collect();
            let terms: Vec<(usize, usize, usize)> = (0..og)
                .flat_map(|oo| taps.iter().map(move |&(a, b)| (oo, a, b)))
                .collect();
            let u = terms
                .iter()
                .map(|&(oo, a, b)| oo * q0 * q1 + (kh - 1 - a) * d0 * q1 + (kw - 1 - b) * d1)
                .collect();
            let lanes = (0..g.groups)
                .map(|gi| {
                    Lanes::from_rows(terms.len(), cg, |t, row| {
                        let (oo, a, b) = terms[t];
                        let first = (gi * og + oo) * k + a * kw + b;
                        for (m, v) in row.iter_mut().enumerate() {
                            *v = ws[first + m * kh * kw];
                        }
                    })
                })
                .collect();
            let mut v = Vec::new();
            let mut sources = Vec::new();
            for r in (pr..e0).step_by(s0) {
                for c in (pc..e1).step_by(s1) {
                    if let (Some(sr), Some(sc)) = (rows[r], cols[c]) {
                        v.push(r * q1 + c);
                        sources.push(sr * g.width + sc);
                    }
                }
            }
            Phase {
                u,
                lanes,
                v,
                sources,
            }
        })
        .collect();
    let mut dx = Array4::<T>::zeros((g.batch, g.in_channels, g.height, g.width));
    dx.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(delta.axis_iter(Axis(0)).into_par_iter())
        .for_each_init(
            // Per worker: the framed δ (its frame and inserted zeros stay zero from sample to
            // sample, every sample writes the same positions) and the phase sums.
            || (vec![T::zero(); o * q0 * q1], Vec::new()),
            |(framed, out), (mut dxn, dn)| {
                let ds = dn.as_slice().expect("standard layout");
                for (row, src) in ds.chunks_exact(wo).enumerate() {
                    let (oc, r) = (row / ho, row % ho);
                    let start = oc * q0 * q1 + (span0 - 1 + r * s0) * q1 + span1 - 1;
                    let dst = framed[start..].iter_mut().step_by(s1);
                    dst.zip(src).for_each(|(d, &v)| *d = v);
                }
                let dxs = dxn.as_slice_mut().expect("a fresh array is contiguous");
                let plane = g.height * g.width;
                for phase in phases.iter().filter(|p| !p.v.is_empty() && !p.u.is_empty()) {
                    let n = phase.v.len();
                    out.resize(cg * n, T::zero());
                    for (gi, lanes) in phase.lanes.iter().enumerate() {
                        correlate_gather(
                            lanes,
                            &framed[gi * og * q0 * q1..],
                            &phase.u,
                            &phase.v,
                            out,
                            n,
                            false,
                        );
                        for (m, sums) in out.chunks_exact(n).enumerate() {
                            let dst = &mut dxs[(gi * cg + m) * plane..(gi * cg + m + 1) * plane];
                            for (&src, &s) in phase.sources.iter().zip(sums) {
                                dst[src] += s;
                            }
                        }
                    }
                }
            },
        );
    dx
}

/// The terms and positions of one stride phase of the input gradient.
struct Phase<T> {
    u: Vec<usize>,
    lanes: Vec<Lanes<T>>,
    v: Vec<usize>,
    sources: Vec<usize>,
}
