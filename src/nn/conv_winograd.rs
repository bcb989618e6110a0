//! `ConvAlgorithm::Winograd`: Lavin and Gray's minimal filtering F(2×2, 3×3) for 3×3 kernels
//! with stride 1 and dilation 1. Each 2×2 block of outputs comes from a 4×4 tile d of the
//! extended input (tiles overlap by 2) with 16 multiplications per channel pair instead of 36:
//!
//! ```text
//! Y = Aᵀ [ (G W Gᵀ) ⊙ (Bᵀ d B) ] A
//!
//!      ⎡1  0 −1  0⎤        ⎡ 1    0    0 ⎤
//! Bᵀ = ⎢0  1  1  0⎥    G = ⎢1/2  1/2  1/2⎥    Aᵀ = ⎡1  1  1  0⎤
//!      ⎢0 −1  1  0⎥        ⎢1/2 −1/2  1/2⎥         ⎣0  1 −1 −1⎦
//!      ⎣0  1  0 −1⎦        ⎣ 0    0    1 ⎦
//! ```
//!
//! Summed over the input channels, the elementwise product is, at each of the 16 positions ξ of
//! a transformed tile, a matrix product M_ξ = U_ξ · V_ξ (U_ξ: output × input channels, from the
//! kernels; V_ξ: input channels × tiles, from the input), which runs on the toolkit's
//! multi-channel kernel ([`correlate_gather`]) with one-tap terms.
//!
//! The backward passes are the exact gradients of the same computation, so they reuse the
//! transforms transposed: ∂M = A ∂Y Aᵀ per tile; the weight gradient ∂U_ξ = ∂M_ξ · V_ξᵀ, then
//! ∂W = Gᵀ ∂U G; the input gradient ∂V_ξ = U_ξᵀ · ∂M_ξ, then B ∂V Bᵀ per tile, the
//! overlapping tiles added and folded back through the padding onto the source pixels.
//!
//! The transforms run on packs of 16 channels (or kernels) at once, in loops over the pack that
//! vectorise. They only add, subtract and halve, so results agree with `Direct` to rounding.
//! Other kernels, strides and dilations run `Direct` ([`applies`]). Samples run in parallel in
//! fixed chunks; weight gradients are summed chunk by chunk in order, so results do not depend
//! on the thread count.

use std::array::from_fn;

use ndarray::{Array4, ArrayView2, ArrayView4, Axis, ShapeBuilder};
use rayon::prelude::*;

use super::conv2d::{ConvGeom, fold_padded};
use super::error::Result;
use crate::real::Real;
use crate::signal::multichannel::{Lanes, correlate_gather, correlate_gather_by_position};
use crate::signal::scratch;

/// Positions ξ of a transformed 4 × 4 tile.
const XI: usize = 16;

/// Tiles per chunk of samples, about: enough for the kernel's tiles of positions, few enough
/// that a chunk's transformed tiles stay in the core's cache.
const TILES_PER_CHUNK: usize = 128;

/// Channels (or kernels) transformed together: 64 bytes of f32, a cache line.
const PACK: usize = 16;

/// Whether the layer's geometry is one Winograd's F(2×2, 3×3) computes.
pub(super) fn applies(g: &ConvGeom) -> bool {
    g.kernel == (3, 3) && g.stride == (1, 1) && g.dilation == (1, 1)
}

/// Bᵀ d: the input transform.
fn bt<T: Real>(d: [T; 4]) -> [T; 4] {
    [d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]]
}

/// B v: the input transform transposed, for the input gradient.
fn b<T: Real>(v: [T; 4]) -> [T; 4] {
    [v[0], v[1] - v[2] + v[3], v[1] + v[2] - v[0], -v[3]]
}

/// G k: the kernel transform.
fn gk<T: Real>(k: [T; 3]) -> [T; 4] {
    let h = T::from_f64_lossy(0.5);
    [
        k[0],
        (k[0] + k[1] + k[2]) * h,
        (k[0] - k[1] + k[2]) * h,
        k[2],
    ]
}

/// Gᵀ u: the kernel transform transposed, for the weight gradient.
fn gt<T: Real>(u: [T; 4]) -> [T; 3] {
    let mid = (u[1] + u[2]) * T::from_f64_lossy(0.5);
    [
        u[0] + mid,
        (u[1] - u[2]) * T::from_f64_lossy(0.5),
        mid + u[3],
    ]
}

/// Aᵀ m: the output transform.
fn at<T: Real>(m: [T; 4]) -> [T; 2] {
    [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]
}

/// A y: the output transform transposed, for the output gradient.
fn a<T: Real>(y: [T; 2]) -> [T; 4] {
    [y[0], y[0] + y[1], y[0] - y[1], -y[1]]
}

/// A block of up to PACK tiles (or kernels): entry e of item l at \[e\]\[l\].
type Block<T, const E: usize> = [[T; PACK]; E];

/// `dst` = F X Fᵀ item by item, X the I × I entries of `src` (row-major), for the 1-D
/// transform x ↦ F x = `f(x)`. The loop runs over the items, so it vectorises across them.
/// (A copy compiled for AVX-512 measured no faster: the transforms are a small part of the
/// work next to the products and the data movement.)
fn transform<T, F, const I: usize, const O: usize, const II: usize, const OO: usize>(
    src: &Block<T, II>,
    dst: &mut Block<T, OO>,
    f: F,
) where
    T: Real,
    F: Fn([T; I]) -> [T; O],
{
    for l in 0..PACK {
        let x = from_fn(|r| from_fn(|c| src[r * I + c][l]));
        for (e, &v) in both(x, &f).iter().flatten().enumerate() {
            dst[e][l] = v;
        }
    }
}

/// F X Fᵀ for the 1-D transform x ↦ F x: `f` on every row of X, then on every column.
fn both<V: Copy, const I: usize, const O: usize>(
    x: [[V; I]; I],
    f: impl Fn([V; I]) -> [V; O],
) -> [[V; O]; O] {
    let rows = x.map(&f);
    let cols: [[V; O]; O] = from_fn(|c| f(from_fn(|r| rows[r][c])));
    from_fn(|r| from_fn(|c| cols[c][r]))
}

/// The blocks of at most PACK of `n` items: (first, length).
fn blocks(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).step_by(PACK).map(move |k0| (k0, PACK.min(n - k0)))
}

/// Lanes of `dst` from `src` (at most PACK values); whole packs copy as one fixed-size move.
fn load<T: Real>(dst: &mut [T; PACK], src: &[T]) {
    match <&[T; PACK]>::try_from(src) {
        Ok(whole) => *dst = *whole,
        Err(_) => dst[..src.len()].copy_from_slice(src),
    }
}

/// The first `dst.len()` lanes of `src` into `dst`.
fn store<T: Real>(dst: &mut [T], src: &[T; PACK]) {
    match <&mut [T; PACK]>::try_from(&mut *dst) {
        Ok(whole) => *whole = *src,
        Err(_) => {
            let n = dst.len();
            dst.copy_from_slice(&src[..n]);
        }
    }
}

/// The 16 transformed entries F X Fᵀ of every tile, pack of channels by pack: X the N × N
/// pixels from the tile's top-left `corners` in `src` (channels-last: rows of `row` pixels,
/// `stride` channels a pixel), written to `dst` at (ξ·count + tile)·stride. The input transform
/// (N = 4, Bᵀ) and the output gradient's (N = 2, A).
fn into_domain<T, F, const N: usize, const NN: usize>(
    corners: impl Iterator<Item = usize>,
    (src, row, stride): (&[T], usize, usize),
    dst: &mut [T],
    count: usize,
    f: F,
) where
    T: Real,
    F: Fn([T; N]) -> [T; 4] + Copy,
{
    let (mut x, mut y) = ([[T::zero(); PACK]; NN], [[T::zero(); PACK]; XI]);
    for (tile, corner) in corners.enumerate() {
        for c0 in (0..stride).step_by(PACK) {
            for (e, lanes) in x.iter_mut().enumerate() {
                let pixel = corner + e / N * row + e % N;
                load(lanes, &src[pixel * stride + c0..][..PACK]);
            }
            transform(&x, &mut y, f);
            for (xi, lanes) in y.iter().enumerate() {
                store(&mut dst[(xi * count + tile) * stride + c0..][..PACK], lanes);
            }
        }
    }
}

/// The N × N pixels F M Fᵀ of every tile, pack of channels by pack, from its 16 entries in
/// `src` at (ξ·count + tile)·stride, written (added when `accumulate`) into `dst` from the
/// tile's top-left `corners` (channels-last: rows of `row` pixels, `stride` channels a pixel).
/// The output transform (N = 2, Aᵀ) and the input gradient's (N = 4, B; overlapping tiles add).
fn out_of_domain<T, F, const N: usize, const NN: usize>(
    corners: impl Iterator<Item = usize>,
    src: &[T],
    count: usize,
    (dst, row, stride): (&mut [T], usize, usize),
    accumulate: bool,
    f: F,
) where
    T: Real,
    F: Fn([T; 4]) -> [T; N] + Copy,
{
    let (mut m, mut y) = ([[T::zero(); PACK]; XI], [[T::zero(); PACK]; NN]);
    for (tile, corner) in corners.enumerate() {
        for c0 in (0..stride).step_by(PACK) {
            for (xi, lanes) in m.iter_mut().enumerate() {
                load(lanes, &src[(xi * count + tile) * stride + c0..][..PACK]);
            }
            transform(&m, &mut y, f);
            for (e, lanes) in y.iter().enumerate() {
                let pixel = corner + e / N * row + e % N;
                let out = &mut dst[pixel * stride + c0..][..PACK];
                if accumulate {
                    out.iter_mut().zip(lanes).for_each(|(d, &v)| *d += v);
                } else {
                    store(out, lanes);
                }
            }
        }
    }
}

/// How a call's outputs split into 2 × 2 tiles and its samples into chunks.
struct Tiling {
    rows: usize,
    cols: usize,
    /// The extended planes: P0 × P1 and a zero margin, so that every tile is whole.
    plane: (usize, usize),
    /// Samples per chunk.
    samples: usize,
    /// The source row (column) of every row (column) of the extended planes: the padding.
    row_sources: Vec<Option<usize>>,
    col_sources: Vec<Option<usize>>,
}

/// Where one tile sits: its top-left input pixel in a chunk's extended planes and its
/// top-left output pixel in the chunk's output grid.
#[derive(Clone, Copy)]
struct Place {
    input: usize,
    output: usize,
}

impl Tiling {
    fn new(g: &ConvGeom) -> Self {
        let (rows, cols) = (g.out.0.div_ceil(2), g.out.1.div_ceil(2));
        Tiling {
            rows,
            cols,
            plane: (2 * rows + 2, 2 * cols + 2),
            samples: (TILES_PER_CHUNK / (rows * cols)).max(1),
            row_sources: g.row_sources(),
            col_sources: g.col_sources(),
        }
    }

    /// Samples per parallel job: whole chunks, one run of them per thread. Each job allocates
    /// its buffers once; per chunk, zeroing them would cost more than the chunk's transforms.
    fn samples_per_job(&self, batch: usize) -> usize {
        let chunks = batch.div_ceil(self.samples);
        chunks.div_ceil(rayon::current_num_threads()).max(1) * self.samples
    }

    /// The tiles of `samples` samples, in order.
    fn places(&self, samples: usize) -> Vec<Place> {
        let (e0, e1) = self.plane;
        let (g0, g1) = (2 * self.rows, 2 * self.cols);
        let mut v = Vec::with_capacity(samples * self.rows * self.cols);
        for s in 0..samples {
            for ty in 0..self.rows {
                for tx in 0..self.cols {
                    let (r, c) = (2 * ty, 2 * tx);
                    v.push(Place {
                        input: (s * e0 + r) * e1 + c,
                        output: (s * g0 + r) * g1 + c,
                    });
                }
            }
        }
        v
    }
}

/// U\[ξ\]\[o\]\[i\] = (G W\[o, i\] Gᵀ)\[ξ\], laid out at ξ·O·C/g + o·C/g + i.
fn kernel_transform<T: Real>(g: &ConvGeom, w: ArrayView4<'_, T>) -> Vec<T> {
    let pairs = g.out_channels * g.cin_g();
    let w = w.as_standard_layout();
    let ws = w.as_slice().expect("standard layout");
    let mut u = vec![T::zero(); XI * pairs];
    let (mut k, mut t) = ([[T::zero(); PACK]; 9], [[T::zero(); PACK]; XI]);
    for (p0, len) in blocks(pairs) {
        for (l, kernel) in ws[p0 * 9..(p0 + len) * 9].chunks_exact(9).enumerate() {
            kernel.iter().zip(&mut k).for_each(|(&w, e)| e[l] = w);
        }
        transform(&k, &mut t, gk);
        for (xi, e) in t.iter().enumerate() {
            store(&mut u[xi * pairs + p0..][..len], e);
        }
    }
    u
}

/// The operands of one chunk of samples, `count` tiles, all with the channels contiguous so
/// that the transforms run over whole packs of channels (rows of C' = C rounded up to a pack,
/// O' likewise; the extra lanes are never read as data): the extended input planes at
/// pixel·C' + c; V\[ξ\]\[tile\]\[c\] at (ξ·count + tile)·C' + c, in the backward pass then ∂V;
/// M\[ξ\]\[tile\]\[o\] at (ξ·count + tile)·O' + o, in the backward pass ∂M.
struct Chunk<T: Real> {
    count: usize,
    /// C' and O'.
    cs: usize,
    os: usize,
    places: Vec<Place>,
    v: Vec<T>,
    m: Vec<T>,
    /// The samples' extended planes; positions that copy no pixel are never written.
    planes: Vec<T>,
    /// The samples' outputs (or output gradients) on the grid of whole tiles, 2·rows × 2·cols
    /// pixels of O' channels: the tiles' loads and stores are whole packs.
    grid: Vec<T>,
    /// The gradient of `planes`.
    grad: Vec<T>,
}

impl<T: Real> Chunk<T> {
    /// Buffers for chunks of up to `t.samples` samples, from the scratch pool.
    fn new(g: &ConvGeom, t: &Tiling) -> Self {
        let cs = g.in_channels.div_ceil(PACK) * PACK;
        let os = g.out_channels.div_ceil(PACK) * PACK;
        let tiles = t.samples * t.rows * t.cols;
        let mut planes = scratch::take(t.samples * t.plane.0 * t.plane.1 * cs);
        planes.iter_mut().for_each(|v| *v = T::zero());
        let mut grid = scratch::take(tiles * 4 * os);
        grid.iter_mut().for_each(|v| *v = T::zero());
        Chunk {
            count: 0,
            cs,
            os,
            places: Vec::new(),
            v: scratch::take(XI * cs * tiles),
            m: scratch::take(XI * os * tiles),
            planes,
            grid,
            grad: Vec::new(),
        }
    }

    /// Lays the buffers out for `samples` samples.
    fn resize(&mut self, t: &Tiling, samples: usize) {
        self.places = t.places(samples);
        self.count = self.places.len();
    }

    /// V = Bᵀ d B for every tile and channel of the chunk's samples `xs` (C × H × W each).
    fn transform_input(&mut self, g: &ConvGeom, t: &Tiling, xs: &[T]) {
        let (e0, e1) = t.plane;
        let (count, cs) = (self.count, self.cs);
        let (plane, stack) = (g.height * g.width, g.in_channels * g.height * g.width);
        // The extended planes, read through the padding's source tables (a position that
        // copies no pixel stays zero): every pixel's channels in a row.
        for (s, xn) in xs.chunks_exact(stack).enumerate() {
            for (r, sr) in t.row_sources.iter().enumerate() {
                let Some(sr) = *sr else { continue };
                for (c, sc) in t.col_sources.iter().enumerate() {
                    let Some(sc) = *sc else { continue };
                    let dst = &mut self.planes[((s * e0 + r) * e1 + c) * cs..][..g.in_channels];
                    let src = &xn[sr * g.width + sc..];
                    for (d, v) in dst.iter_mut().zip(src.iter().step_by(plane)) {
                        *d = *v;
                    }
                }
            }
        }
        let corners = self.places.iter().map(|p| p.input);
        into_domain::<T, _, 4, 16>(corners, (&self.planes, e1, cs), &mut self.v, count, bt);
    }

    /// y = Aᵀ M A for every tile and output channel, into the chunk's output `ys` through
    /// the output grid.
    fn transform_output(&mut self, g: &ConvGeom, t: &Tiling, ys: &mut [T]) {
        let (count, os, gc) = (self.count, self.os, 2 * t.cols);
        let corners = self.places.iter().map(|p| p.output);
        let grid = (&mut self.grid[..], gc, os);
        out_of_domain::<T, _, 2, 4>(corners, &self.m, count, grid, false, at);
        // NCHW from the grid; the grid's margin (outputs past the edge) is dropped. (The
        // mirror of the copy in `transform_output_gradient`; an iterator of index pairs shared
        // by both measured 15 % slower.)
        let (ho, wo) = g.out;
        let per_sample = 4 * t.rows * t.cols * os;
        let grids = self.grid.chunks_exact(per_sample);
        for (yn, grid) in ys.chunks_exact_mut(g.out_channels * ho * wo).zip(grids) {
            for (o, plane) in yn.chunks_exact_mut(ho * wo).enumerate() {
                for (r, row) in plane.chunks_exact_mut(wo).enumerate() {
                    let src = grid[r * gc * os + o..].iter().step_by(os);
                    row.iter_mut().zip(src).for_each(|(y, v)| *y = *v);
                }
            }
        }
    }

    /// ∂M = A ∂Y Aᵀ for every tile and output channel of the chunk's output gradient `ds`,
    /// through the output grid (whose margin, past the edge, stays zero).
    fn transform_output_gradient(&mut self, g: &ConvGeom, t: &Tiling, ds: &[T]) {
        let (count, os, gc) = (self.count, self.os, 2 * t.cols);
        let (ho, wo) = g.out;
        let per_sample = 4 * t.rows * t.cols * os;
        let grids = self.grid.chunks_exact_mut(per_sample);
        for (dn, grid) in ds.chunks_exact(g.out_channels * ho * wo).zip(grids) {
            for (o, plane) in dn.chunks_exact(ho * wo).enumerate() {
                for (r, row) in plane.chunks_exact(wo).enumerate() {
                    let dst = grid[r * gc * os + o..].iter_mut().step_by(os);
                    dst.zip(row).for_each(|(d, v)| *d = *v);
                }
            }
        }
        let corners = self.places.iter().map(|p| p.output);
        into_domain::<T, _, 2, 4>(corners, (&self.grid, gc, os), &mut self.m, count, a);
    }

    /// The gradient of the extended planes from ∂V (in V's buffer): B ∂V Bᵀ per tile, the
    /// overlapping tiles added.
    fn transform_input_gradient(&mut self, t: &Tiling) {
        let (count, cs) = (self.count, self.cs);
        let e1 = t.plane.1;
        if self.grad.is_empty() {
            self.grad = scratch::take(self.planes.len());
        }
        self.grad.iter_mut().for_each(|v| *v = T::zero());
        let corners = self.places.iter().map(|p| p.input);
        let grad = (&mut self.grad[..], e1, cs);
        out_of_domain::<T, _, 4, 16>(corners, &self.v, count, grad, true, b);
    }
}

impl<T: Real> Drop for Chunk<T> {
    fn drop(&mut self) {
        for buffer in [
            &mut self.v,
            &mut self.m,
            &mut self.planes,
            &mut self.grid,
            &mut self.grad,
        ] {
            scratch::give_back(std::mem::take(buffer));
        }
    }
}

/// The per-ξ, per-group coefficient lanes of U for the forward product (terms: input channels
/// of the group, lanes: its output channels) or, `transposed`, for the input gradient.
fn kernel_lanes<T: Real>(g: &ConvGeom, u: &[T], transposed: bool) -> Vec<Lanes<T>> {
    let (cg, og) = (g.cin_g(), g.cout_g());
    let pairs = g.out_channels * cg;
    (0..XI * g.groups)
        .map(|k| {
            let (xi, gi) = (k / g.groups, k % g.groups);
            let coef = |o: usize, i: usize| u[xi * pairs + (gi * og + o) * cg + i];
            if transposed {
                Lanes::from_fn(og, cg, coef)
            } else {
                Lanes::from_fn(cg, og, |i, o| coef(o, i))
            }
        })
        .collect()
}

/// `dst`_ξ = `lanes`_ξ · `src`_ξ for every ξ and group, each tile's channels written as a
/// row: the forward product (V to M) and the input gradient's (∂M to ∂V). Operands are
/// (buffer, channel stride C' or O', channels per group) in the chunk's layout.
fn products<T: Real>(
    groups: usize,
    lanes: &[Lanes<T>],
    count: usize,
    (src, ss, sg): (&[T], usize, usize),
    (dst, ds, dg): (&mut [T], usize, usize),
) {
    let channels: Vec<usize> = (0..sg).collect();
    let tiles: Vec<usize> = (0..count).map(|k| k * ss).collect();
    for (k, lanes) in lanes.iter().enumerate() {
        let (xi, gi) = (k / groups, k % groups);
        correlate_gather_by_position(
            lanes,
            &src[xi * count * ss + gi * sg..],
            &channels,
            &tiles,
            &mut dst[xi * count * ds + gi * dg..],
            ds,
            false,
        );
    }
}

pub(super) fn forward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
) -> Result<Array4<T>> {
    let t = Tiling::new(g);
    let x = x.as_standard_layout();
    let (n, o_all, ho, wo) = g.out_shape();
    let (cg, og) = (g.cin_g(), g.cout_g());
    let lanes = kernel_lanes(g, &kernel_transform(g, w), false);
    let mut y = Array4::<T>::zeros((n, o_all, ho, wo));
    let per_job = t.samples_per_job(n);
    y.axis_chunks_iter_mut(Axis(0), per_job)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), per_job).into_par_iter())
        .for_each(|(mut yj, xj)| {
            let ch = &mut Chunk::new(g, &t);
            let chunks = yj
                .axis_chunks_iter_mut(Axis(0), t.samples)
                .zip(xj.axis_chunks_iter(Axis(0), t.samples));
            for (mut yc, xc) in chunks {
                ch.resize(&t, xc.len_of(Axis(0)));
                ch.transform_input(g, &t, xc.as_slice().expect("standard layout"));
                // M_ξ = U_ξ · V_ξ.
                let (v, m) = ((&ch.v[..], ch.cs, cg), (&mut ch.m[..], ch.os, og));
                products(g.groups, &lanes, ch.count, v, m);
                ch.transform_output(g, &t, yc.as_slice_mut().expect("a fresh array's samples"));
            }
        });
    Ok(y)
}

pub(super) fn backward<T: Real>(
    g: &ConvGeom,
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    delta: ArrayView4<'_, T>,
    need_input: bool,
) -> Result<(Option<Array4<T>>, Array4<T>)> {
    let t = Tiling::new(g);
    let x = x.as_standard_layout();
    let (cg, og, c_all, o_all) = (g.cin_g(), g.cout_g(), g.in_channels, g.out_channels);
    let lanes_t = kernel_lanes(g, &kernel_transform(g, w), true);
    let (e0, e1) = t.plane;
    let pairs = o_all * cg;
    let delta = delta.as_standard_layout();
    let per_job = t.samples_per_job(g.batch);
    // Written chunk by chunk in place; without an input gradient, an empty array of as many
    // samples keeps the chunks of the three batches in step.
    let mut dx = if need_input {
        Array4::<T>::zeros((g.batch, c_all, g.height, g.width))
    } else {
        Array4::<T>::zeros((g.batch, 0, 0, 0))
    };
    let jobs: Vec<Vec<Vec<T>>> = x
        .axis_chunks_iter(Axis(0), per_job)
        .into_par_iter()
        .zip(delta.axis_chunks_iter(Axis(0), per_job).into_par_iter())
        .zip(dx.axis_chunks_iter_mut(Axis(0), per_job).into_par_iter())
        .map(|((xj, dj), mut dxj)| {
            let ch = &mut Chunk::new(g, &t);
            let chunks = xj
                .axis_chunks_iter(Axis(0), t.samples)
                .zip(dj.axis_chunks_iter(Axis(0), t.samples))
                .zip(dxj.axis_chunks_iter_mut(Axis(0), t.samples));
            let mut parts = Vec::new();
            for ((xc, dc), mut dxc) in chunks {
                let samples = xc.len_of(Axis(0));
                ch.resize(&t, samples);
                ch.transform_input(g, &t, xc.as_slice().expect("standard layout"));
                ch.transform_output_gradient(g, &t, dc.as_slice().expect("standard layout"));
                let count = ch.count;
                let channels: Vec<usize> = (0..cg).collect();
                let tiles: Vec<usize> = (0..count).map(|k| k * ch.cs).collect();
                // ∂U_ξ = ∂M_ξ · V_ξᵀ: terms over tiles, lanes over output channels.
                let mut du = vec![T::zero(); XI * pairs];
                for xi in 0..XI {
                    for gi in 0..g.groups {
                        let (first, os) = (xi * count * ch.os + gi * og, ch.os);
                        let dm = &ch.m;
                        let lanes = Lanes::from_rows(count, og, |tile, row| {
                            row.copy_from_slice(&dm[first + tile * os..][..og]);
                        });
                        correlate_gather(
                            &lanes,
                            &ch.v[xi * count * ch.cs + gi * cg..],
                            &tiles,
                            &channels,
                            &mut du[xi * pairs + gi * og * cg..],
                            cg,
                            false,
                        );
                    }
                }
                if need_input {
                    // ∂V_ξ = U_ξᵀ · ∂M_ξ, into V's buffer (V is no longer needed).
                    let (dm, dv) = ((&ch.m[..], ch.os, og), (&mut ch.v[..], ch.cs, cg));
                    products(g.groups, &lanes_t, count, dm, dv);
                    ch.transform_input_gradient(&t);
                    for (s, mut dxn) in dxc.axis_iter_mut(Axis(0)).enumerate() {
                        for (c, dst) in dxn.axis_iter_mut(Axis(0)).enumerate() {
                            let start = s * e0 * e1 * ch.cs + c;
                            let shape = (e0, e1).strides((e1 * ch.cs, ch.cs));
                            let plane = ArrayView2::from_shape(shape, &ch.grad[start..])
                                .expect("E0 × E1 pixels of C channels");
                            fold_padded(plane, &t.row_sources, &t.col_sources, dst);
                        }
                    }
                }
                parts.push(du);
            }
            parts
        })
        .collect();
    let parts: Vec<_> = jobs.into_iter().flatten().collect();
    // ∂W = Gᵀ ∂U G, ∂U summed over the chunks in order.
    let mut du = vec![T::zero(); XI * pairs];
    for part in &parts {
        du.iter_mut().zip(part).for_each(|(s, &p)| *s += p);
    }
    let mut dw = vec![T::zero(); pairs * 9];
    let (mut u, mut k) = ([[T::zero(); PACK]; XI], [[T::zero(); PACK]; 9]);
    for (p0, len) in blocks(pairs) {
        for (xi, e) in u.iter_mut().enumerate() {
            load(e, &du[xi * pairs + p0..][..len]);
        }
        transform(&u, &mut k, gt);
        for (l, kernel) in dw[p0 * 9..(p0 + len) * 9].chunks_exact_mut(9).enumerate() {
            kernel.iter_mut().zip(&k).for_each(|(w, e)| *w = e[l]);
        }
    }
    let dw = Array4::from_shape_vec((o_all, cg, 3, 3), dw).expect("O·C/g·9 weights");
    Ok((need_input.then_some(dx), dw))
}
