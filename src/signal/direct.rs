//! The direct algorithm: the sum of products of the definition, as a `valid` correlation over the
//! extended signal (flipping and output sizes were resolved by the caller; the extension is read
//! through `padding::source_index`, never materialised for the interior).
//!
//! out\[r, c\] = Σ_a Σ_b g\[a, b\] · xp\[r·s_r + a·d_r, c·s_c + b·d_c\]
//!
//! Stride-1 rows are computed in register tiles: a block of consecutive outputs stays in vector
//! registers while every tap of every kernel row is multiplied in, so each output is written
//! once and the input window is read from L1. With a row stride of 1, two consecutive output
//! rows are computed together: they share all but one input row, so each input load feeds both.
//! The tile loop is compiled once per instruction set (AVX-512, AVX2+FMA, the baseline) and
//! the widest the CPU supports is chosen at run time (`isa`); users need no `-C target-cpu`
//! flag. With FMA
//! each multiply-add is fused (one rounding), so results may differ in the last bit between
//! machines with and without FMA, never between runs or thread counts on one machine.
//!
//! A rank-1 kernel (box, Gaussian, Sobel, …) is applied as two 1-D passes when that is cheaper
//! ([`separable`]); large problems are split over rayon's pool by output rows, or by column
//! chunks for a single row. Each output is summed in the same order wherever it falls.

use std::mem::MaybeUninit;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::Padding;
use super::buffer;
use super::geometry::AxisGeometry;
use super::isa::{self, Vectorised};
use super::padding::{fill_value, source_index};
use super::parallel::{self, Work};
use crate::error::Result;
use crate::real::Real;

/// Kernel rows whose per-row lists are kept on the stack.
const STACK_ROWS: usize = 16;
/// Output samples per task when a single row is split across threads: about a quarter of a
/// thread's share, so that the tasks balance (a 10⁴-sample row in chunks of 8192 left one thread
/// with 80% of the work), between these bounds (multiples of every tile).
const COLUMN_CHUNK: std::ops::RangeInclusive<usize> = 1024..=8192;
/// The shortest border piece: 64 outputs, one tile of 8 ymm or 4 zmm registers in f32 (the
/// AVX-512 path's widest tile, 8 zmm, is kept for the interior).
const BORDER_TILE: usize = 64;

/// Correlation of `g` over `x` extended by `mode`, with the pads, strides and dilations of
/// `rows` / `cols` (a `valid` correlation over the extended plane, which is never built: rows
/// outside the signal are folded to their source rows, and only the outputs whose window
/// crosses the left or right border read from a small extended copy of that border).
pub fn correlate<T: Real>(
    x: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    mode: Padding,
) -> Result<Array2<T>> {
    // A constant border row filtered along rows is no longer the constant: only zero separates.
    let separates = !matches!(mode, Padding::Constant(c) if c != 0.0);
    if let Some((u, v)) = separable(g).filter(|_| separates) {
        let (k0, k1) = g.dim();
        // Two passes cost N0·W·K1 + H·W·K0 instead of H·W·K0·K1.
        let two_pass = rows.signal * cols.out_len * k1 + rows.out_len * cols.out_len * k0;
        if two_pass < rows.out_len * cols.out_len * k0 * k1 {
            let v = ArrayView2::from_shape((1, v.len()), &v).expect("length matches");
            let u = ArrayView2::from_shape((u.len(), 1), &u).expect("length matches");
            let tmp = correlate_plain(x, v, &AxisGeometry::identity(rows.signal), cols, mode)?;
            return correlate_plain(
                tmp.view(),
                u,
                rows,
                &AxisGeometry::identity(cols.out_len),
                mode,
            );
        }
    }
    correlate_plain(x, g, rows, cols, mode)
}

/// The whole 2-D sum, one output row segment at a time.
fn correlate_plain<T: Real>(
    x: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    mode: Padding,
) -> Result<Array2<T>> {
    let x = x.as_standard_layout();
    let g = g.as_standard_layout();
    let taps = row_slices(&g);
    // The rows as slices once, not once per output row and kernel row.
    let signal_rows = row_slices(&x);
    // The output is reserved first, so an impossible size fails before any border strip is
    // built; it is written row by row, each row set to zero just before it is summed (a
    // zeroed allocation was a serial pass over the whole output, 10% of a 3×3 filter).
    let (height, width) = (rows.out_len, cols.out_len);
    let len = height * width;
    let mut data = buffer::reserved_plane::<T>((height, width))?;
    let fill = fill_value::<T>(mode);
    // Only zero / constant padding has rows that are not signal rows.
    let constant_rows = matches!(mode, Padding::Zero | Padding::Constant(_))
        && rows.pad_before + rows.pad_after > 0;
    let fill_row = if constant_rows {
        buffer::filled((1, cols.padded_len()), fill)?
    } else {
        buffer::filled((1, 0), fill)?
    };
    let fill_row = fill_row.as_slice().expect("contiguous");
    let (left, w, span) = (cols.pad_before, cols.signal, cols.span());
    // Outputs whose whole window lies inside the signal: c·s ≥ left and c·s + span ≤ left + w.
    let inner_lo = left.div_ceil(cols.stride).min(cols.out_len);
    let inner_hi = if left + w >= span {
        ((left + w - span) / cols.stride + 1).min(cols.out_len)
    } else {
        0
    };
    let inner_hi = inner_hi.max(inner_lo);
    // The border pieces [0, left_end) and [right_start, out_len) read extended strips. Each
    // spans at least one widest tile (or the whole row): summed by tiles rather than one output
    // at a time, which for 2-3 border outputs a row cost as much as the rest.
    let out_len = cols.out_len;
    let left_end = if inner_lo > 0 {
        inner_lo.max(BORDER_TILE).min(out_len)
    } else {
        0
    };
    let right_start = if inner_hi < out_len {
        inner_hi.min(out_len.saturating_sub(BORDER_TILE))
    } else {
        out_len
    }
    .max(left_end);

    // Each signal row extended over the columns the border outputs read, once per signal row
    // (not once per output row and kernel row): left outputs [0, left_end) read padded columns
    // from 0, right outputs [right_start, out_len) from right_start·s.
    let strip = |first_out: usize, last_out: usize| -> Result<Array2<T>> {
        if first_out >= last_out {
            return buffer::filled((x.nrows(), 0), fill);
        }
        let first = first_out * cols.stride;
        let len = (last_out - first_out - 1) * cols.stride + span;
        // Strip column q reads padded column first + q: the columns inside the signal are one
        // contiguous copy per row; only the few beyond it go through the padding rule (a
        // per-column loop over the whole strip was half the time of a 3×3 filter on 256²).
        let column = |q: usize| (first + q) as isize - left as isize;
        let inside = |q: usize| (0..w as isize).contains(&column(q));
        let border: Vec<(usize, Option<usize>)> = (0..len)
            .filter(|&q| !inside(q))
            .map(|q| (q, source_index(column(q), w, mode)))
            .collect();
        let q0 = (0..len).find(|&q| inside(q)).unwrap_or(len);
        let run = (q0..len).take_while(|&q| inside(q)).count();
        let c0 = if run > 0 { column(q0) as usize } else { 0 };
        // Built row by row in one pass (no fill first, then copy over it).
        let (before, after) = border.split_at(border.partition_point(|&(q, _)| q < q0));
        let value = |row: &[T], c: Option<usize>| c.map_or(fill, |c| row[c]);
        let mut data = buffer::reserved(x.nrows() * len)?;
        for &row in &signal_rows {
            data.extend(before.iter().map(|&(_, c)| value(row, c)));
            data.extend_from_slice(&row[c0..c0 + run]);
            data.extend(after.iter().map(|&(_, c)| value(row, c)));
        }
        Ok(Array2::from_shape_vec((x.nrows(), len), data).expect("len values per row"))
    };
    let left_strips = strip(0, left_end)?;
    let right_strips = strip(right_start, cols.out_len)?;
    let (left_rows, right_rows) = (row_slices(&left_strips), row_slices(&right_strips));

    // Two output rows at once, when consecutive output rows read consecutive extended rows:
    // they share all but one input row, so every input load feeds both rows' sums.
    let pairs = rows.stride == 1 && rows.dilation == 1 && cols.stride == 1 && taps.len() > 1;
    // Output row r, columns c0 .. c0 + segment.len() (and row r + 1 in `next`, when paired).
    // Up to STACK_ROWS input rows, the lists of source rows and input slices live on the
    // stack: allocating them per row cost more than the sums of a short row.
    let compute = |r: usize, c0: usize, segment: &mut [T], mut next: Option<&mut [T]>| {
        let in_rows = taps.len() + usize::from(next.is_some());
        let mut source_stack = [None; STACK_ROWS];
        let mut source_heap = Vec::new();
        let sources: &mut [Option<usize>] = if in_rows <= STACK_ROWS {
            &mut source_stack[..in_rows]
        } else {
            source_heap.resize(in_rows, None);
            &mut source_heap
        };
        for (a, src) in sources.iter_mut().enumerate() {
            let p = (r * rows.stride + a * rows.dilation) as isize - rows.pad_before as isize;
            *src = source_index(p, rows.signal, mode);
        }
        let mut input_stack: [&[T]; STACK_ROWS] = [&[]; STACK_ROWS];
        let mut input_heap = Vec::new();
        let c1 = c0 + segment.len();
        let pieces = [
            (c0, left_end.clamp(c0, c1), Some((&left_rows, 0))),
            (left_end.clamp(c0, c1), right_start.clamp(c0, c1), None),
            (
                right_start.clamp(c0, c1),
                c1,
                Some((&right_rows, right_start)),
            ),
        ];
        for &(start, end, strips) in &pieces {
            if start >= end {
                continue;
            }
            let piece = &mut segment[start - c0..end - c0];
            let inputs: &mut [&[T]] = if in_rows <= STACK_ROWS {
                &mut input_stack[..in_rows]
            } else {
                input_heap.resize(in_rows, &[][..]);
                &mut input_heap
            };
            for (input, src) in inputs.iter_mut().zip(sources.iter()) {
                *input = match (src, strips) {
                    (None, _) => fill_row,
                    // Interior: the signal row itself, from the first window's column.
                    (Some(i), None) => &signal_rows[*i][start * cols.stride - left..],
                    (Some(i), Some((strip_rows, first_out))) => {
                        &strip_rows[*i][(start - first_out) * cols.stride..]
                    }
                };
            }
            match next.as_deref_mut() {
                Some(next) => {
                    let next_piece = &mut next[start - c0..end - c0];
                    correlate_pair(piece, next_piece, inputs, &taps, cols.dilation);
                }
                None => correlate_segment(piece, inputs, &taps, cols.stride, cols.dilation),
            }
        }
    };

    let flat = &mut data.spare_capacity_mut()[..len];
    let run = |r: usize, c0: usize, chunk: &mut [MaybeUninit<T>]| {
        compute(r, c0, buffer::initialise(chunk, T::zero()), None);
    };
    // Rows `rows_per_task · i ..` of the output: one row, or a pair computed together.
    let run_rows = |i: usize, chunk: &mut [MaybeUninit<T>]| {
        let chunk = buffer::initialise(chunk, T::zero());
        if chunk.len() == 2 * width {
            let (first, second) = chunk.split_at_mut(width);
            compute(2 * i, 0, first, Some(second));
        } else {
            compute(i * (1 + usize::from(pairs)), 0, chunk, None);
        }
    };
    let task_len = width * (1 + usize::from(pairs));
    if width == 0 {
        // Nothing to sum (and no chunks of width zero).
    } else if !parallel::splits(len.saturating_mul(g.len()), Work::direct(height > 1)) {
        for (i, chunk) in flat.chunks_mut(task_len).enumerate() {
            run_rows(i, chunk);
        }
    } else if height > 1 {
        flat.par_chunks_mut(task_len)
            .enumerate()
            .for_each(|(i, chunk)| run_rows(i, chunk));
    } else {
        let quarter = width.div_ceil(4 * rayon::current_num_threads());
        let chunk = quarter
            .next_multiple_of(BORDER_TILE)
            .clamp(*COLUMN_CHUNK.start(), *COLUMN_CHUNK.end());
        flat.par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(i, part)| run(0, i * chunk, part));
    }
    // SAFETY: the chunks above cover all `len` slots and `initialise` wrote every one of them.
    unsafe { data.set_len(len) };
    Ok(Array2::from_shape_vec((height, width), data).expect("height × width samples"))
}

/// The rows of a standard-layout plane as slices.
fn row_slices<T, S: ndarray::Data<Elem = T>>(a: &ndarray::ArrayBase<S, ndarray::Ix2>) -> Vec<&[T]> {
    a.rows()
        .into_iter()
        .map(|r| r.to_slice().expect("standard layout"))
        .collect()
}

/// Splits a kernel of rank 1 into a column u and a row v with g\[a, b\] = u\[a\]·v\[b\], when every
/// entry agrees with the product to within 8 units of rounding of the largest entry; `None` for
/// 1×K or K×1 kernels, which gain nothing.
pub fn separable<T: Real>(g: ArrayView2<'_, T>) -> Option<(Vec<T>, Vec<T>)> {
    let (k0, k1) = g.dim();
    if k0 < 2 || k1 < 2 {
        return None;
    }
    let ((pa, pb), &pivot) = g.indexed_iter().max_by(|a, b| {
        a.1.abs()
            .partial_cmp(&b.1.abs())
            .unwrap_or(std::cmp::Ordering::Equal)
    })?;
    if pivot == T::zero() || !pivot.is_finite() {
        return None;
    }
    let u: Vec<T> = g.column(pb).to_vec();
    let v: Vec<T> = g.row(pa).iter().map(|&x| x / pivot).collect();
    let tolerance = T::epsilon() * T::from_f64_lossy(8.0) * pivot.abs();
    let exact = g
        .indexed_iter()
        .all(|((a, b), &x)| (x - u[a] * v[b]).abs() <= tolerance);
    exact.then_some((u, v))
}

/// out\[c\] = Σ_i Σ_b taps\[i\]\[b\] · inputs\[i\]\[c·stride + b·dilation\] for every c of `out`.
///
/// Each `inputs[i]` must hold at least (out.len()-1)·stride + (taps\[i\].len()-1)·dilation + 1
/// samples.
pub fn correlate_segment<T: Real>(
    out: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    stride: usize,
    dilation: usize,
) {
    debug_assert_eq!(inputs.len(), taps.len());
    if out.is_empty() {
        return;
    }
    for (x, t) in inputs.iter().zip(taps) {
        assert!(t.is_empty() || x.len() > (out.len() - 1) * stride + (t.len() - 1) * dilation);
    }
    if stride != 1 {
        strided(out, inputs, taps, stride, dilation);
        return;
    }
    isa::dispatch(Segment {
        out,
        inputs,
        taps,
        dilation,
    });
}

/// Two output rows of one stride-1 correlation over consecutive input rows:
/// out0 = Σ_i taps\[i\] ⋆ inputs\[i\] and out1 = Σ_i taps\[i\] ⋆ inputs\[i + 1\] (⋆ as in
/// [`correlate_segment`], stride 1), so `inputs` holds one more row than `taps`. Each input load
/// serves both rows; every output is summed in the same order as `correlate_segment` sums it.
fn correlate_pair<T: Real>(
    out0: &mut [T],
    out1: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    dilation: usize,
) {
    debug_assert_eq!(inputs.len(), taps.len() + 1);
    debug_assert_eq!(out0.len(), out1.len());
    if out0.is_empty() {
        return;
    }
    for (i, x) in inputs.iter().enumerate() {
        let widest = [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|a| taps.get(a))
            .map(|t| t.len())
            .max()
            .unwrap_or(0);
        assert!(widest == 0 || x.len() > (out0.len() - 1) + (widest - 1) * dilation);
    }
    isa::dispatch(Pair {
        out0,
        out1,
        inputs,
        taps,
        dilation,
    });
}

/// [`correlate_pair`] by tiles of TILE outputs in each row, the last overlapping the one before;
/// rows shorter than TILE are summed one at a time by [`tiles`].
#[inline(always)]
fn pair_tiles<T: Real, const TILE: usize, const FMA: bool>(
    out0: &mut [T],
    out1: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    dilation: usize,
) {
    let len = out0.len();
    if len < TILE {
        let k = taps.len();
        tiles::<T, TILE, FMA>(out0, &inputs[..k], taps, dilation);
        tiles::<T, TILE, FMA>(out1, &inputs[1..], taps, dilation);
        return;
    }
    let mut c0 = 0;
    while c0 < len {
        // The last tile ends at the last output (its first outputs are summed again, in the
        // same order, to the same bits).
        let c = c0.min(len - TILE);
        let mut acc0 = [T::zero(); TILE];
        let mut acc1 = [T::zero(); TILE];
        for (i, x) in inputs.iter().enumerate() {
            // Input row i is kernel row i of the first output row and row i - 1 of the second.
            let first = taps.get(i).copied().unwrap_or(&[]);
            let second = i.checked_sub(1).map_or(&[][..], |a| taps[a]);
            let both = first.len().min(second.len());
            for b in 0..both {
                let from = c + b * dilation;
                let window: &[T; TILE] = x[from..from + TILE].try_into().expect("length TILE");
                let (t0, t1) = (first[b], second[b]);
                for j in 0..TILE {
                    acc0[j] = madd::<T, FMA>(t0, window[j], acc0[j]);
                    acc1[j] = madd::<T, FMA>(t1, window[j], acc1[j]);
                }
            }
            for (acc, t) in [(&mut acc0, first), (&mut acc1, second)] {
                for (b, &tap) in t.iter().enumerate().skip(both) {
                    let from = c + b * dilation;
                    let window: &[T; TILE] = x[from..from + TILE].try_into().expect("length TILE");
                    for j in 0..TILE {
                        acc[j] = madd::<T, FMA>(tap, window[j], acc[j]);
                    }
                }
            }
        }
        out0[c..c + TILE].copy_from_slice(&acc0);
        out1[c..c + TILE].copy_from_slice(&acc1);
        c0 += TILE;
    }
}

/// One multiply-add, fused when the caller is compiled with FMA.
#[inline(always)]
pub(super) fn madd<T: Real, const FMA: bool>(t: T, x: T, acc: T) -> T {
    if FMA { t.mul_add(x, acc) } else { acc + t * x }
}

/// Stride 1: TILE consecutive outputs accumulate in registers over every tap; the remainder
/// is one more tile overlapping the last (or tiles of 64, 32, then 8, then one at a time, in a
/// row shorter than TILE). Every output is summed in the same order (rows, then taps) whatever tile
/// computes it.
#[inline(always)]
fn tiles<T: Real, const TILE: usize, const FMA: bool>(
    out: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    dilation: usize,
) {
    if covering_tiles::<T, TILE, FMA>(out, inputs, taps, dilation)
        || covering_tiles::<T, 64, FMA>(out, inputs, taps, dilation)
        || covering_tiles::<T, 32, FMA>(out, inputs, taps, dilation)
        || covering_tiles::<T, 8, FMA>(out, inputs, taps, dilation)
    {
        return;
    }
    // Fewer than 8 outputs: one at a time.
    for c in 0..out.len() {
        let mut acc = T::zero();
        for (x, t) in inputs.iter().zip(taps) {
            for (b, &tap) in t.iter().enumerate() {
                acc = madd::<T, FMA>(tap, x[c + b * dilation], acc);
            }
        }
        out[c] = acc;
    }
}

/// Covers a row of at least TILE outputs with whole tiles, the rest as one more tile ending at
/// the last output (the outputs it shares with the last whole tile are summed again, in the
/// same order, to the same bits); false, computing nothing, for a shorter row.
#[inline(always)]
fn covering_tiles<T: Real, const TILE: usize, const FMA: bool>(
    out: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    dilation: usize,
) -> bool {
    let len = out.len();
    if len < TILE {
        return false;
    }
    if full_tiles::<T, TILE, FMA>(out, inputs, taps, dilation, 0) < len {
        full_tiles::<T, TILE, FMA>(out, inputs, taps, dilation, len - TILE);
    }
    true
}

/// Computes as many whole tiles as fit from output `start` on; returns where it stopped.
#[inline(always)]
fn full_tiles<T: Real, const TILE: usize, const FMA: bool>(
    out: &mut [T],
    inputs: &[&[T]],
    taps: &[&[T]],
    dilation: usize,
    start: usize,
) -> usize {
    let count = (out.len() - start) / TILE;
    for (tile, chunk) in out[start..start + count * TILE]
        .chunks_exact_mut(TILE)
        .enumerate()
    {
        let c0 = start + tile * TILE;
        let mut acc = [T::zero(); TILE];
        for (x, t) in inputs.iter().zip(taps) {
            for (b, &tap) in t.iter().enumerate() {
                let from = c0 + b * dilation;
                let window: &[T; TILE] = x[from..from + TILE].try_into().expect("length TILE");
                for j in 0..TILE {
                    acc[j] = madd::<T, FMA>(tap, window[j], acc[j]);
                }
            }
        }
        chunk.copy_from_slice(&acc);
    }
    start + count * TILE
}

/// Any stride: the plain sum (the CNN's stride-2 layers take this path).
fn strided<T: Real>(out: &mut [T], inputs: &[&[T]], taps: &[&[T]], stride: usize, dilation: usize) {
    for (c, o) in out.iter_mut().enumerate() {
        let mut acc = T::zero();
        for (x, t) in inputs.iter().zip(taps) {
            let window = &x[c * stride..];
            for (b, &tap) in t.iter().enumerate() {
                acc += tap * window[b * dilation];
            }
        }
        *o = acc;
    }
}

/// A stride-1 row segment, for [`isa::dispatch`].
struct Segment<'a, T> {
    out: &'a mut [T],
    inputs: &'a [&'a [T]],
    taps: &'a [&'a [T]],
    dilation: usize,
}

impl<T: Real> Vectorised for Segment<'_, T> {
    /// Tiles of 8 vector registers: with two FMA pipes of latency 4 (AMD Zen 3), 4 ymm
    /// accumulators kept half the pipes idle; 8 measured 8–17% faster on 3×3 to 21×21 filters
    /// of 1024² and 25–40% faster on 1-D f64 with K ≤ 64 (minimum of 4 A/B runs). On an Intel
    /// Xeon (AVX-512, 2 threads, S = 1024) 4 zmm registers were 0-7% slower than 8 at K = 3-5
    /// and 5-16% at K = 7-21 (medians of 6 interleaved A/B runs); 1-D f64 within noise.
    #[inline(always)]
    fn run<const SET: u8>(self) {
        let Segment {
            out,
            inputs,
            taps,
            dilation,
        } = self;
        match (SET, std::mem::size_of::<T>() == 4) {
            (isa::AVX512, true) => tiles::<T, 128, true>(out, inputs, taps, dilation),
            (isa::AVX512, false) => tiles::<T, 64, true>(out, inputs, taps, dilation),
            (isa::AVX2_FMA, true) => tiles::<T, 64, true>(out, inputs, taps, dilation),
            (isa::AVX2_FMA, false) => tiles::<T, 32, true>(out, inputs, taps, dilation),
            (_, true) => tiles::<T, 32, false>(out, inputs, taps, dilation),
            (_, false) => tiles::<T, 16, false>(out, inputs, taps, dilation),
        }
    }
}

/// Two stride-1 rows over shared input rows, for [`isa::dispatch`].
struct Pair<'a, T> {
    out0: &'a mut [T],
    out1: &'a mut [T],
    inputs: &'a [&'a [T]],
    taps: &'a [&'a [T]],
    dilation: usize,
}

impl<T: Real> Vectorised for Pair<'_, T> {
    /// Tiles of 4 vector registers per row: 8 accumulators in all, as a single row's tile.
    #[inline(always)]
    fn run<const SET: u8>(self) {
        let Pair {
            out0,
            out1,
            inputs,
            taps,
            dilation,
        } = self;
        match (SET, std::mem::size_of::<T>() == 4) {
            (isa::AVX512, true) => pair_tiles::<T, 64, true>(out0, out1, inputs, taps, dilation),
            (isa::AVX512, false) => pair_tiles::<T, 32, true>(out0, out1, inputs, taps, dilation),
            (isa::AVX2_FMA, true) => pair_tiles::<T, 32, true>(out0, out1, inputs, taps, dilation),
            (isa::AVX2_FMA, false) => pair_tiles::<T, 16, true>(out0, out1, inputs, taps, dilation),
            (_, true) => pair_tiles::<T, 16, false>(out0, out1, inputs, taps, dilation),
            (_, false) => pair_tiles::<T, 8, false>(out0, out1, inputs, taps, dilation),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Output;
    use crate::signal::geometry::Extent;

    /// Two rows summed together are, bit for bit, the two rows summed one at a time: for every
    /// row length around the tile widths, kernel shapes (rows of unequal length too) and
    /// dilations.
    #[test]
    fn pairs_equal_single_rows() {
        let rows: Vec<Vec<f32>> = (0..6)
            .map(|r| {
                (0..400)
                    .map(|i| ((i * 7 + r * 13) % 29) as f32 * 0.37 - 5.0)
                    .collect()
            })
            .collect();
        for k1 in [1usize, 2, 3, 5, 8] {
            for k0 in 2..5 {
                // The last kernel row shorter: both rows of a pair then run unequal tap counts.
                let taps: Vec<Vec<f32>> = (0..k0)
                    .map(|a| {
                        let len = if a == k0 - 1 { k1.div_ceil(2) } else { k1 };
                        (0..len).map(|b| (a * 5 + b) as f32 * 0.25 - 1.0).collect()
                    })
                    .collect();
                let taps: Vec<&[f32]> = taps.iter().map(|t| t.as_slice()).collect();
                let inputs: Vec<&[f32]> = rows[..k0 + 1].iter().map(|r| r.as_slice()).collect();
                for dilation in [1, 3] {
                    for len in [1, 7, 8, 15, 16, 31, 33, 63, 64, 65, 100, 129, 250] {
                        let (mut a0, mut a1) = (vec![0.0; len], vec![0.0; len]);
                        correlate_pair(&mut a0, &mut a1, &inputs, &taps, dilation);
                        let (mut b0, mut b1) = (vec![0.0; len], vec![0.0; len]);
                        correlate_segment(&mut b0, &inputs[..k0], &taps, 1, dilation);
                        correlate_segment(&mut b1, &inputs[1..], &taps, 1, dilation);
                        assert_eq!((&a0, &a1), (&b0, &b1), "k {k0}x{k1} d {dilation} len {len}");
                        assert!(b1.iter().any(|v| *v != 0.0));
                        // The tile widths of the other instruction sets (AVX2, portable), which
                        // this machine's dispatch may not take, against single rows of the same
                        // tile width and multiply-add kind.
                        let (mut c0, mut c1) = (vec![0.0; len], vec![0.0; len]);
                        pair_tiles::<f32, 16, false>(&mut c0, &mut c1, &inputs, &taps, dilation);
                        tiles::<f32, 16, false>(&mut b0, &inputs[..k0], &taps, dilation);
                        tiles::<f32, 16, false>(&mut b1, &inputs[1..], &taps, dilation);
                        assert_eq!((&c0, &c1), (&b0, &b1), "portable, len {len}");
                        pair_tiles::<f32, 32, true>(&mut c0, &mut c1, &inputs, &taps, dilation);
                        tiles::<f32, 32, true>(&mut b0, &inputs[..k0], &taps, dilation);
                        tiles::<f32, 32, true>(&mut b1, &inputs[1..], &taps, dilation);
                        assert_eq!((&c0, &c1), (&b0, &b1), "fused, len {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn segment_matches_the_definition() {
        let x: Vec<f64> = (0..300).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        let x2: Vec<f64> = x.iter().map(|v| v * 0.5 + 1.0).collect();
        for taps_len in 1..10 {
            let taps: Vec<f64> = (0..taps_len).map(|i| (i as f64) * 0.5 - 1.0).collect();
            let taps2: Vec<f64> = taps.iter().rev().copied().collect();
            for (stride, dilation) in [(1, 1), (1, 2), (2, 1), (3, 2)] {
                let span = (taps_len - 1) * dilation + 1;
                let n = (x.len() - span) / stride + 1;
                let mut out = vec![0.0; n];
                correlate_segment(&mut out, &[&x, &x2], &[&taps, &taps2], stride, dilation);
                for (c, &o) in out.iter().enumerate() {
                    let want: f64 = (0..taps_len)
                        .map(|b| {
                            taps[b] * x[c * stride + b * dilation]
                                + taps2[b] * x2[c * stride + b * dilation]
                        })
                        .sum();
                    assert!(
                        (o - want).abs() < 1e-12,
                        "K={taps_len} s={stride} d={dilation} c={c}"
                    );
                }
            }
        }
    }

    /// Rows long enough for interior and border pieces (and a row of column chunks), every
    /// padding, output size, stride and dilation, against the sum of the definition: f32 and
    /// f64, with the loops of every instruction set this CPU runs (AVX-512, AVX2+FMA and the
    /// portable one on an AVX-512 machine), on the calling thread.
    #[test]
    fn plane_matches_the_definition() {
        for set in isa::available() {
            parallel::with_threshold(f64::INFINITY, || {
                isa::with_widest(set, || {
                    plane_against_definition::<f64>(set);
                    plane_against_definition::<f32>(set);
                })
            });
        }
    }

    fn plane_against_definition<T: Real>(set: u8) {
        for (h, w) in [(9, 300), (1, 20_000), (5, 70)] {
            let x = Array2::from_shape_fn((h, w), |(i, j)| {
                T::from_f64_lossy(((i * 13 + j * 7) % 23) as f64 - 11.0)
            });
            let g = Array2::from_shape_fn((3, 5), |(a, b)| {
                T::from_f64_lossy((a * 5 + b * b) as f64 * 0.25 - 2.0)
            });
            for mode in [
                Padding::Zero,
                Padding::Reflect,
                Padding::Circular,
                Padding::Constant(1.5),
            ] {
                for output in [Output::Full, Output::Same, Output::Valid] {
                    for (stride, dilation) in [(1, 1), (1, 2), (2, 1)] {
                        let e = Extent::Output(output);
                        let rows = AxisGeometry::new(0, h, 3, e, stride, dilation);
                        let cols = AxisGeometry::new(1, w, 5, e, stride, dilation);
                        let (Ok(rows), Ok(cols)) = (rows, cols) else {
                            continue;
                        };
                        let y = correlate(x.view(), g.view(), &rows, &cols, mode).unwrap();
                        assert_eq!(y.dim(), (rows.out_len, cols.out_len));
                        let at = |p: usize, n: usize, pad: usize| {
                            source_index(p as isize - pad as isize, n, mode)
                        };
                        let f64_of = |v: T| v.to_f64().expect("a float");
                        for ((r, c), &got) in y.indexed_iter() {
                            let mut want = 0.0;
                            for ((a, b), &t) in g.indexed_iter() {
                                let pr = r * stride + a * dilation;
                                let pc = c * stride + b * dilation;
                                want += f64_of(t)
                                    * match (at(pr, h, rows.pad_before), at(pc, w, cols.pad_before))
                                    {
                                        (Some(i), Some(j)) => f64_of(x[[i, j]]),
                                        _ => fill_value::<f64>(mode),
                                    };
                            }
                            // Quarter steps of small integers: exact in f32 as in f64.
                            assert!(
                                (f64_of(got) - want).abs() < 1e-9,
                                "{} set {set} {h}x{w} {mode:?} {output:?} s={stride} \
                                 d={dilation} at ({r},{c})",
                                T::NAME
                            );
                        }
                    }
                }
            }
        }
    }

    /// Split over threads (by rows, or by column chunks of a single row) or not, every output
    /// is the same to the bit: the threshold only moves work between threads.
    #[test]
    fn splitting_over_threads_changes_no_bit() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for (h, w, k) in [(40, 300, (3, 5)), (1, 30_000, (1, 7)), (7, 90, (5, 3))] {
            let x = Array2::from_shape_fn((h, w), |(i, j)| ((i * 17 + j * 5) % 31) as f32 * 0.1);
            let g = Array2::from_shape_fn(k, |(a, b)| (a * 3 + b) as f32 * 0.3 - 1.1);
            let e = Extent::Output(Output::Same);
            let rows = AxisGeometry::new(0, h, k.0, e, 1, 1).unwrap();
            let cols = AxisGeometry::new(1, w, k.1, e, 1, 1).unwrap();
            let run = |threshold: f64| {
                pool.install(|| {
                    parallel::with_threshold(threshold, || {
                        assert_eq!(
                            parallel::threads_for(h * w, Work::direct(h > 1)),
                            if threshold == 0.0 { 3 } else { 1 }
                        );
                        correlate(x.view(), g.view(), &rows, &cols, Padding::Reflect).unwrap()
                    })
                })
            };
            let (alone, split) = (run(f64::INFINITY), run(0.0));
            assert!(
                alone
                    .iter()
                    .zip(&split)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }

    #[test]
    fn rank_one_detection() {
        let sobel = ndarray::arr2(&[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]);
        let (u, v) = separable(sobel.view()).unwrap();
        for a in 0..3 {
            for b in 0..3 {
                assert_eq!(u[a] * v[b], sobel[[a, b]]);
            }
        }
        let laplacian = ndarray::arr2(&[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]);
        assert!(separable(laplacian.view()).is_none());
        assert!(separable(ndarray::arr2(&[[1.0, 2.0, 3.0]]).view()).is_none());
    }
}
