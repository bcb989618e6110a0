//! The FFT algorithm: a `valid` correlation computed through real-input discrete Fourier
//! transforms (realfft on rustfft), for planes of any size.
//!
//! The extended plane (P0 × P1) and the flipped, dilated kernel are zero-extended to a fast
//! transform size L0 × L1 (products of 2, 3, 5, 7, at least P0 × P1: [`fast_len`] takes the
//! cheapest such length within 1.25× of the shortest), multiplied in the frequency
//! domain and transformed back. This is a circular convolution, but with L ≥ P the wrap-around
//! only touches the first K'-1 samples of each axis, which the valid output never reads (the
//! overlap-save argument), so transforms need not reach P + K' - 1.
//!
//! 2-D transforms: a real FFT along each row, then complex FFTs along the columns (the spectrum
//! is stored transposed so each column is contiguous). Plans are cached per length in a
//! process-wide, thread-safe planner. Rows and columns are transformed in parallel on rayon's
//! pool. The result is scaled by 1/(L0·L1) (rustfft's transforms are unnormalised).
//!
//! Accuracy: the rounding error is about ε·log2(L0·L1) times Σ|x|·Σ|h| over a window, far below
//! 1e-10·max|y| in f64 and 1e-4·max|y| in f32 for ordinary data (tests check both).

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, OnceLock};

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2};
use num_complex::Complex;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};

use super::Padding;
use super::buffer;
use super::geometry::AxisGeometry;
use super::parallel::{self, Work};
use super::scratch::{self, Pool};
use crate::error::{ConvError, Result};
use crate::real::Real;

/// Process-wide planners of one sample type; each caches the plans it has made. Also a few
/// spare spectrum buffers: fresh multi-megabyte allocations come from the OS as untouched
/// pages, and faulting them in cost more than the transform itself (measured: 4.1 ms against
/// 1.0 ms for N = 1e5).
struct PlanCache<T: Real> {
    real: Mutex<RealFftPlanner<T>>,
    complex: Mutex<FftPlanner<T>>,
    spare: Pool<Complex<T>>,
    spare_rows: Pool<Complex<T>>,
}

impl<T: Real> PlanCache<T> {
    fn new() -> Self {
        PlanCache {
            real: Mutex::new(RealFftPlanner::new()),
            complex: Mutex::new(FftPlanner::new()),
            spare: Pool::new(SPARE_BUFFERS),
            spare_rows: Pool::new(SPARE_BUFFERS),
        }
    }
}

/// Spare buffers kept per sample type and pool.
const SPARE_BUFFERS: usize = 6;

/// Returns a spectrum buffer to the pool (dropped if the pool is full).
fn recycle<T: Real>(buffer: Vec<Complex<T>>) {
    cache::<T>().spare.put_back(buffer);
}

/// The scratch rows of one transform task — a real row, a spectrum row and the planner's
/// scratch — taken from the pools and returned on drop: fresh rows of a 10⁴-point transform
/// came from the OS as untouched pages on every call (page faults and zeroing were ~15 % of a
/// 1-D FFT convolution).
struct RowScratch<T: Real> {
    real: Vec<T>,
    spectrum: Vec<Complex<T>>,
    fft: Vec<Complex<T>>,
}

impl<T: Real> RowScratch<T> {
    fn new(real: usize, spectrum: usize, fft: usize) -> Self {
        let pools = cache::<T>();
        let zero = Complex::new(T::zero(), T::zero());
        RowScratch {
            real: scratch::take(real),
            spectrum: pools.spare_rows.take(spectrum, zero),
            fft: pools.spare_rows.take(fft, zero),
        }
    }
}

impl<T: Real> Drop for RowScratch<T> {
    fn drop(&mut self) {
        let pools = cache::<T>();
        scratch::give_back(std::mem::take(&mut self.real));
        pools
            .spare_rows
            .put_back(std::mem::take(&mut self.spectrum));
        pools.spare_rows.put_back(std::mem::take(&mut self.fft));
    }
}

static CACHE_F32: OnceLock<PlanCache<f32>> = OnceLock::new();
static CACHE_F64: OnceLock<PlanCache<f64>> = OnceLock::new();

fn cache<T: Real>() -> &'static PlanCache<T> {
    // Statics cannot be generic: pick the one of T's type.
    let any: &'static dyn Any = if TypeId::of::<T>() == TypeId::of::<f32>() {
        CACHE_F32.get_or_init(PlanCache::new)
    } else {
        CACHE_F64.get_or_init(PlanCache::new)
    };
    any.downcast_ref().expect("Real is sealed to f32 and f64")
}

fn lock<P>(m: &Mutex<P>) -> std::sync::MutexGuard<'_, P> {
    // A panic elsewhere while planning leaves the planner usable: its caches stay consistent.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn real_forward<T: Real>(len: usize) -> Arc<dyn RealToComplex<T>> {
    lock(&cache::<T>().real).plan_fft_forward(len)
}

pub(super) fn real_inverse<T: Real>(len: usize) -> Arc<dyn ComplexToReal<T>> {
    lock(&cache::<T>().real).plan_fft_inverse(len)
}

pub(super) fn complex_plan<T: Real>(len: usize, inverse: bool) -> Arc<dyn Fft<T>> {
    let mut planner = lock(&cache::<T>().complex);
    if inverse {
        planner.plan_fft_inverse(len)
    } else {
        planner.plan_fft_forward(len)
    }
}

/// Lengths up to this come from a table (binary search); beyond it, from [`fast_len_search`].
const TABLE_LIMIT: usize = 1 << 26;

/// Relative cost of one radix-2, 3, 5 and 7 pass per sample in rustfft (fitted to timings of
/// real transforms of 87 lengths between 200 and 120,000 on the reference machine, f64 and
/// f32; docs/benchmarks.md). A length's work is L·Σ weight·exponent: L·log2(L) for a power of
/// two, more for lengths rich in 5s and 7s (1,260 = 2²·3²·5·7 took 1.34 µs against 1.16 µs for
/// the longer 1,280 = 2⁸·5).
const RADIX_WORK: [(usize, f64); 4] = [(2, 1.0), (3, 2.0), (5, 3.9), (7, 4.2)];

/// How far above the shortest usable length [`fast_len`] looks for a cheaper one.
const LOOK_AHEAD: f64 = 1.25;

/// The transform work of a 7-smooth length L, in radix-2 passes over L samples; `None` for a
/// length with another prime factor.
fn radix_work(len: usize) -> Option<f64> {
    let mut rest = len;
    let mut passes = 0.0;
    for (p, weight) in RADIX_WORK {
        while rest > 1 && rest.is_multiple_of(p) {
            rest /= p;
            passes += weight;
        }
    }
    (rest == 1).then_some(len as f64 * passes)
}

/// The even 7-smooth numbers up to past 2·[`TABLE_LIMIT`] (about 5,000), in order, each with its
/// transform work ([`radix_work`]): `Auto` scans runs of them for block lengths, and a logarithm
/// per candidate had been a sixth of a 1,000-point convolution.
fn table() -> &'static [(usize, f64)] {
    static TABLE: OnceLock<Vec<(usize, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v = Vec::new();
        let mut p7 = 2usize;
        while p7 <= 2 * TABLE_LIMIT {
            let mut p5 = p7;
            while p5 <= 2 * TABLE_LIMIT {
                let mut p3 = p5;
                while p3 <= 2 * TABLE_LIMIT {
                    let mut p2 = p3;
                    while p2 <= 2 * TABLE_LIMIT {
                        v.push(p2);
                        p2 *= 2;
                    }
                    p3 *= 3;
                }
                p5 *= 5;
            }
            p7 *= 7;
        }
        v.sort_unstable();
        v.into_iter()
            .map(|l| (l, radix_work(l).expect("built from 2, 3, 5 and 7")))
            .collect()
    })
}

/// The transform length to use for `n` samples: of the even lengths with prime factors 2, 3, 5
/// and 7 between `n` and 1.25·`n`, the one with the least transform work (`radix_work`: powers
/// of two and three are cheaper per sample than fives and sevens), the shortest on a tie.
/// Beyond 2²⁶, simply the shortest such length. 1 stays 1 (a length-1 axis needs no transform).
///
/// `Auto` asks for many of these per decision, so lengths up to 2²⁶ are looked up in a table
/// built once.
///
/// ```
/// use convkit::signal::fft::fast_len;
/// assert_eq!(fast_len(1024), 1024);
/// // 1,260 = 2²·3²·5·7 is the shortest, but the power-of-two-rich 1,280 = 2⁸·5 is faster.
/// assert_eq!(fast_len(1255), 1280);
/// ```
pub fn fast_len(n: usize) -> usize {
    if n <= 1 {
        return 1;
    }
    if n > TABLE_LIMIT {
        return fast_len_search(n);
    }
    let table = table();
    // The table reaches past 2·TABLE_LIMIT, so some entry is ≥ n.
    let first = table.partition_point(|&(m, _)| m < n);
    let reach = (n as f64 * LOOK_AHEAD) as usize;
    let mut best = table[first];
    for &(m, work) in table[first + 1..].iter().take_while(|&&(m, _)| m <= reach) {
        if work < best.1 {
            best = (m, work);
        }
    }
    best.0
}

/// The transform work of a length [`fast_len`] returned, in the units of the cost model
/// (radix-2 passes over the samples: L·log2(L) for a power of two; L·log2(L) too for a length
/// with other prime factors). 0 for a length of 1 (an axis that is not transformed).
pub fn transform_work(len: usize) -> f64 {
    if len <= 1 {
        return 0.0;
    }
    radix_work(len).unwrap_or_else(|| len as f64 * (len as f64).log2())
}

/// The fast lengths L with `from` ≤ L < `below` (`below` ≤ 2²⁶), in order, each with its
/// transform work ([`transform_work`]).
pub(super) fn fast_lens(from: usize, below: usize) -> &'static [(usize, f64)] {
    debug_assert!(below <= TABLE_LIMIT);
    let table = table();
    let lo = table.partition_point(|&(m, _)| m < from);
    let hi = table.partition_point(|&(m, _)| m < below).max(lo);
    &table[lo..hi]
}

/// The shortest even 7-smooth length ≥ `n` (≥ 2), by search: [`fast_len`] beyond its table.
fn fast_len_search(n: usize) -> usize {
    // The smallest even 2^a·3^b·5^c·7^d ≥ n, by walking the powers of 7, 5 and 3 (a few hundred
    // candidates even near usize::MAX) and rounding each up with a power of two.
    let mut best = usize::MAX;
    let mut p7: usize = 1;
    loop {
        let mut p5 = p7;
        loop {
            let mut p3 = p5;
            loop {
                // The least 2^a ≥ 2 with p3·2^a ≥ n.
                let mut m = p3.saturating_mul(2);
                while m < n && m < best {
                    m = m.saturating_mul(2);
                }
                best = best.min(m);
                if p3 >= n || p3 > usize::MAX / 3 {
                    break;
                }
                p3 *= 3;
            }
            if p5 >= n || p5 > usize::MAX / 5 {
                break;
            }
            p5 *= 5;
        }
        if p7 >= n || p7 > usize::MAX / 7 {
            break;
        }
        p7 *= 7;
    }
    best
}

/// Below this many values an overlap-add call runs its blocks on the calling thread: handing
/// a small job to rayon's pool (waking a worker, waiting for it) costs more than it. Its tasks
/// are whole blocks, coarser than a transform pass's rows (which split from
/// [`Calibration::parallel_fft`](super::auto::Calibration::parallel_fft) values): 4 blocks of a
/// 256² plane ran 0.44 ms on two threads against 0.63 on one.
pub(super) const PARALLEL_LEN: usize = 1 << 15;

/// Whether the passes of a transform with `values` spectrum values (l0 × (l1/2 + 1)) are split
/// over rayon's pool: decided once per transform, for all its passes, by the calibration's
/// [`parallel_fft`](super::auto::Calibration::parallel_fft).
fn split(values: usize) -> bool {
    parallel::splits(values, Work::Transform)
}

/// `op(state, i, chunk)` for every `chunk`-long piece i of `data`, with per-task state from
/// `init`; on rayon's pool when `split` and there is more than one piece (a single piece, such
/// as a 1-D signal's only row, would be handed to a worker while the caller waits).
fn for_chunks<V: Send, S>(
    data: &mut [V],
    chunk: usize,
    split: bool,
    init: impl Fn() -> S + Sync + Send,
    op: impl Fn(&mut S, usize, &mut [V]) + Sync + Send,
) {
    let chunk = chunk.max(1);
    if !split || data.len() <= chunk {
        let mut state = init();
        for (i, piece) in data.chunks_mut(chunk).enumerate() {
            op(&mut state, i, piece);
        }
    } else {
        data.par_chunks_mut(chunk)
            .enumerate()
            .for_each_init(init, |state, (i, piece)| op(state, i, piece));
    }
}

/// Columns gathered and transformed together by [`Spectrum::forward`] (8 complex f64 columns of
/// a few hundred values stay in L1).
const COLUMN_BLOCK: usize = 8;

/// The 2-D spectrum of a real plane zero-extended to l0 × l1: h = l1/2+1 frequency columns,
/// each stored as a contiguous run of l0 values (transposed), unless l0 = 1.
pub(super) struct Spectrum<T: Real> {
    l0: usize,
    l1: usize,
    data: Vec<Complex<T>>,
}

fn too_large(what: &str) -> ConvError {
    ConvError::TooLarge(format!("cannot allocate the {what}"))
}

/// A buffer of `len` complex samples, reusing a spare one when it is large enough; a reused
/// buffer keeps its old contents (zero only where it grew), for callers that overwrite it all.
fn scratch_spectrum<T: Real>(len: usize, what: &str) -> Result<Vec<Complex<T>>> {
    let mut v = match cache::<T>().spare.reuse(len) {
        Some(v) => v,
        None => buffer::reserved(len).map_err(|_| too_large(what))?,
    };
    v.truncate(len);
    v.resize(len, Complex::new(T::zero(), T::zero()));
    Ok(v)
}

/// A zeroed buffer of `len` complex samples, reusing a spare one when it is large enough.
fn zeros<T: Real>(len: usize, what: &str) -> Result<Vec<Complex<T>>> {
    let mut v = scratch_spectrum(len, what)?;
    v.fill(Complex::new(T::zero(), T::zero()));
    Ok(v)
}

/// Transposes a row-major `rows × cols` block into `cols × rows`.
pub(super) fn transpose<T: Copy>(src: &[T], dst: &mut [T], rows: usize, cols: usize) {
    // A band of BAND source rows at a time: each output row gets BAND contiguous values, read
    // from the band's rows, which stay in L1 (1.6× faster than 32 × 32 tiles written with a
    // stride of `rows`, measured on 288 × 145 and 1152 × 577 complex planes).
    const BAND: usize = 16;
    if rows == 0 || cols == 0 {
        return;
    }
    for r0 in (0..rows).step_by(BAND) {
        let r1 = (r0 + BAND).min(rows);
        let band = &src[r0 * cols..r1 * cols];
        for (c, out) in dst[..rows * cols].chunks_exact_mut(rows).enumerate() {
            for (k, o) in out[r0..r1].iter_mut().enumerate() {
                *o = band[k * cols + c];
            }
        }
    }
}

impl<T: Real> Drop for Spectrum<T> {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.data));
    }
}

impl<T: Real> Spectrum<T> {
    pub(super) fn forward(plane: ArrayView2<'_, T>, l0: usize, l1: usize) -> Result<Self> {
        let (p0, p1) = plane.dim();
        debug_assert!(p0 <= l0 && p1 <= l1);
        let h = l1 / 2 + 1;
        let r2c = real_forward::<T>(l1);
        // Only the p0 signal rows: the zero rows beyond them transform to zeros.
        let mut rows = scratch_spectrum::<T>(p0 * h, "FFT spectrum")?;
        let split = split(l0 * h);
        for_chunks(
            &mut rows,
            h,
            split,
            || RowScratch::<T>::new(l1, 0, r2c.get_scratch_len()),
            |scratch, r, out| {
                let input = &mut scratch.real;
                let row = plane.row(r);
                match row.as_slice() {
                    Some(src) => input[..p1].copy_from_slice(src),
                    None => input.iter_mut().zip(row.iter()).for_each(|(d, &s)| *d = s),
                }
                input[p1..].fill(T::zero());
                r2c.process_with_scratch(input, out, &mut scratch.fft)
                    .expect("buffer sizes come from the plan");
            },
        );
        if l0 == 1 {
            return Ok(Spectrum { l0, l1, data: rows });
        }
        // Columns are gathered a block at a time and transformed while the block is still in
        // L1, instead of transposing the whole plane and then making a second pass over it.
        let mut data = scratch_spectrum::<T>(l0 * h, "FFT spectrum")?;
        let fft = complex_plan::<T>(l0, false);
        for_chunks(
            &mut data,
            COLUMN_BLOCK * l0,
            split,
            || vec![Complex::new(T::zero(), T::zero()); fft.get_inplace_scratch_len()],
            |scratch, i, block| {
                let first = i * COLUMN_BLOCK;
                let width = block.len() / l0;
                for (r, row) in rows.chunks_exact(h).enumerate() {
                    for (k, &v) in row[first..first + width].iter().enumerate() {
                        block[k * l0 + r] = v;
                    }
                }
                for column in block.chunks_exact_mut(l0) {
                    column[p0..].fill(Complex::new(T::zero(), T::zero()));
                    fft.process_with_scratch(column, scratch);
                }
            },
        );
        recycle(rows);
        Ok(Spectrum { l0, l1, data })
    }

    /// Whether the plane's sum, the spectrum's first bin, is finite: whether all its samples
    /// are (a NaN or an infinity in a row reaches every bin of that row, then every bin of
    /// every column; the sum of finite samples overflows only near the largest float).
    fn sum_is_finite(&self) -> bool {
        self.data
            .first()
            .is_none_or(|dc| dc.re.is_finite() && dc.im.is_finite())
    }

    pub(super) fn multiply(&mut self, other: &Spectrum<T>) {
        let product = |(a, b): (&mut Complex<T>, &Complex<T>)| *a *= *b;
        if !split(self.data.len()) {
            self.data.iter_mut().zip(&other.data).for_each(product);
        } else {
            self.data
                .par_iter_mut()
                .zip(other.data.par_iter())
                .for_each(product);
        }
    }

    /// The real plane back, scaled by 1/(l0·l1), computing only the requested rows:
    /// `out[i, c] = y[rows[i], first_col + c·col_step]`.
    pub(super) fn inverse_rows(
        self,
        rows: impl Fn(usize) -> usize + Sync,
        n_rows: usize,
        first_col: usize,
        col_step: usize,
        n_cols: usize,
    ) -> Result<Array2<T>> {
        let mut out = buffer::filled((n_rows, n_cols), T::zero())?;
        self.inverse_rows_into(rows, first_col, col_step, out.view_mut())?;
        Ok(out)
    }

    /// [`inverse_rows`](Self::inverse_rows) written into `out` (its shape gives the number of
    /// rows and columns): an overlap-add block fills its tile of the output in place, without a
    /// block of its own to allocate, zero and copy (those were 15 % of a 256² image's blocks).
    pub(super) fn inverse_rows_into(
        mut self,
        rows: impl Fn(usize) -> usize + Sync,
        first_col: usize,
        col_step: usize,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<()> {
        let (l0, l1) = (self.l0, self.l1);
        let h = l1 / 2 + 1;
        let split = split(l0 * h);
        if l0 > 1 {
            let fft = complex_plan::<T>(l0, true);
            for_chunks(
                &mut self.data,
                l0,
                split,
                || vec![Complex::new(T::zero(), T::zero()); fft.get_inplace_scratch_len()],
                |scratch, _, column| fft.process_with_scratch(column, scratch),
            );
        }
        // Column-major (a single row when l0 = 1): each needed row is gathered straight from
        // the columns, with no transposed copy of the whole plane (a row's h values read h
        // cache lines that the next rows read too).
        let columns = &self.data;
        let c2r = real_inverse::<T>(l1);
        let scale = T::one() / T::from_usize(l0 * l1).ok_or_else(|| too_large("FFT scale"))?;
        let scratch = || RowScratch::<T>::new(l1, h, c2r.get_scratch_len());
        let row = |scratch: &mut RowScratch<T>, i: usize, out_row: &mut [T]| {
            let RowScratch {
                real,
                spectrum: spec,
                fft: scratch,
            } = scratch;
            let r = rows(i);
            if l0 == 1 {
                spec.copy_from_slice(&columns[..h]);
            } else {
                for (c, s) in spec.iter_mut().enumerate() {
                    *s = columns[c * l0 + r];
                }
            }
            let samples = (first_col, col_step, scale);
            inverse_row(c2r.as_ref(), spec, real, scratch, samples, out_row);
        };
        let width = out.ncols().max(1);
        if let Some(flat) = out.as_slice_mut() {
            for_chunks(flat, width, split, scratch, row);
        } else {
            // A tile of a larger plane: its rows are apart (and small enough for one thread).
            let mut state = scratch();
            let mut spare = Vec::new();
            for (i, mut out_row) in out.rows_mut().into_iter().enumerate() {
                match out_row.as_slice_mut() {
                    Some(out_row) => row(&mut state, i, out_row),
                    None => {
                        spare.resize(out_row.len(), T::zero());
                        row(&mut state, i, &mut spare);
                        out_row.assign(&ArrayView1::from(&spare[..]));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The real row of the spectrum `spec` (its h = l1/2 + 1 bins; used as scratch), sampled:
/// `out[c] = y[first + c·step] · scale` for `(first, step, scale) = samples`.
pub(super) fn inverse_row<T: Real>(
    c2r: &dyn ComplexToReal<T>,
    spec: &mut [Complex<T>],
    real: &mut [T],
    scratch: &mut [Complex<T>],
    samples: (usize, usize, T),
    out: &mut [T],
) {
    let h = spec.len();
    // The spectrum of a real row has real end bins; rounding may leave a trace.
    spec[0].im = T::zero();
    if real.len().is_multiple_of(2) {
        spec[h - 1].im = T::zero();
    }
    c2r.process_with_scratch(spec, real, scratch)
        .expect("buffer sizes come from the plan");
    let (first, step, scale) = samples;
    for (c, o) in out.iter_mut().enumerate() {
        *o = real[first + c * step] * scale;
    }
}

/// Checks that a window of samples `start + i·step` (i < n) on each axis, given as
/// `(start, step, n)`, lies inside an `l0 × l1` transform.
pub(super) fn check_window(
    (l0, l1): (usize, usize),
    rows: (usize, usize, usize),
    cols: (usize, usize, usize),
) -> Result<()> {
    let outside = |(start, step, n): (usize, usize, usize), len: usize| {
        n > 0 && start + step * (n - 1) >= len
    };
    if outside(rows, l0) || outside(cols, l1) {
        return Err(ConvError::TooLarge(format!(
            "window outside the {l0}×{l1} transform"
        )));
    }
    Ok(())
}

/// The plane that *convolving* with equals correlating with `g`: `g` flipped on both axes, its
/// taps spread `dilation` apart (K'0 × K'1).
pub(super) fn convolution_kernel<T: Real>(
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
) -> Result<Array2<T>> {
    let (s0, s1) = (rows.span(), cols.span());
    let mut f = buffer::filled((s0, s1), T::zero())?;
    for ((a, b), &v) in g.indexed_iter() {
        f[[s0 - 1 - a * rows.dilation, s1 - 1 - b * cols.dilation]] = v;
    }
    Ok(f)
}

/// What a transform does with a signal that holds a NaN or an infinity. Through a transform,
/// one such sample reaches every output (the direct sum keeps it to the windows that read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NonFinite {
    /// Transform anyway, as asked for (`Algorithm::Fft`, `Algorithm::OverlapAdd`).
    Spread,
    /// Return `None` instead, for the caller to take the direct sum (`Algorithm::Auto`). The
    /// test is free: the first bin of a signal's spectrum is the sum of its samples, which is
    /// finite exactly when they all are (or, for finite samples near the largest float, when
    /// the sum overflows, where declining is the better answer too). Scanning the signal
    /// before transforming it had cost up to 15 % of an overlap-add of 10⁶ samples.
    Decline,
}

/// Whether a transform that was asked to decline (`on`) gives up: `spectrum` is of a signal
/// with a non-finite sample.
pub(super) fn declines<T: Real>(spectrum: &Spectrum<T>, on: NonFinite) -> bool {
    on == NonFinite::Decline && !spectrum.sum_is_finite()
}

/// Valid correlation of `g` over the extended plane `xp` through FFTs; same contract as
/// the direct algorithm (which reads the extension in place instead).
pub fn correlate_valid<T: Real>(
    xp: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
) -> Result<Array2<T>> {
    let on = NonFinite::Spread;
    spread(correlate_valid_or_decline(xp, g, rows, cols, on))
}

/// The result of a transform run with [`NonFinite::Spread`], which never declines.
pub(super) fn spread<T>(result: Result<Option<Array2<T>>>) -> Result<Array2<T>> {
    result.map(|y| y.expect("a spreading transform never declines"))
}

/// [`correlate_valid`], or `None` for a non-finite `xp` if `on` is [`NonFinite::Decline`].
pub(super) fn correlate_valid_or_decline<T: Real>(
    xp: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    on: NonFinite,
) -> Result<Option<Array2<T>>> {
    let (p0, p1) = xp.dim();
    // Valid output r of the correlation is sample r + K'-1 of the convolution.
    let first = (rows.span() - 1, cols.span() - 1);
    correlate_whole(xp, g, rows, cols, (fast_len(p0), fast_len(p1)), first, on)
}

/// The correlation of `g` over `x` through one `l0 × l1` transform of each: output (i, c) is
/// sample (first.0 + i·stride, first.1 + c·stride) of the convolution of `x` with the flipped,
/// dilated kernel; `None` for a non-finite `x` if `on` is [`NonFinite::Decline`].
fn correlate_whole<T: Real>(
    x: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    (l0, l1): (usize, usize),
    first: (usize, usize),
    on: NonFinite,
) -> Result<Option<Array2<T>>> {
    let f = convolution_kernel(g, rows, cols)?;
    let mut spectrum = Spectrum::forward(x, l0, l1)?;
    if declines(&spectrum, on) {
        return Ok(None);
    }
    spectrum.multiply(&Spectrum::forward(f.view(), l0, l1)?);
    spectrum
        .inverse_rows(
            |i| first.0 + i * rows.stride,
            rows.out_len,
            first.1,
            cols.stride,
            cols.out_len,
        )
        .map(Some)
}

/// The transform size (l0, l1) a whole-plane FFT uses for this geometry: the extended plane,
/// or with zero padding of at most K' − 1 per side and a `full` output on some axis (where the
/// zeros add nothing) the linear convolution's N + K' − 1 per axis.
pub fn transform_size(
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    padding: Padding,
) -> (usize, usize) {
    if zero_extension_pays(rows, cols, padding) {
        (fast_len(linear_len(rows)), fast_len(linear_len(cols)))
    } else {
        (fast_len(rows.padded_len()), fast_len(cols.padded_len()))
    }
}

/// N + K' − 1: the length of the linear convolution along an axis.
fn linear_len(axis: &AxisGeometry) -> usize {
    axis.signal + axis.span() - 1
}

/// Whether [`correlate_zero_extended`] applies and transforms less than [`correlate_valid`].
pub(super) fn zero_extension_pays(
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    padding: Padding,
) -> bool {
    let zero = matches!(padding, Padding::Zero) || padding == Padding::Constant(0.0);
    let fits = |a: &AxisGeometry| a.pad_before < a.span() && a.pad_after < a.span();
    let shorter = |a: &AxisGeometry| linear_len(a) < a.padded_len();
    zero && fits(rows) && fits(cols) && (shorter(rows) || shorter(cols))
}

/// [`correlate_valid`] over `x` extended by zeros, without building the extension: the linear
/// convolution of x with the flipped kernel, x·f, through transforms of N + K' − 1 per axis;
/// output r is (x·f)\[r·s + K' − 1 − pad_before\]. Needs pads of at most K' − 1 on each side
/// ([`zero_extension_pays`]), so every output falls inside the linear convolution. `None` for
/// a non-finite `x` if `on` is [`NonFinite::Decline`].
pub(super) fn correlate_zero_extended<T: Real>(
    x: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    on: NonFinite,
) -> Result<Option<Array2<T>>> {
    let size = (fast_len(linear_len(rows)), fast_len(linear_len(cols)));
    let first = (
        rows.span() - 1 - rows.pad_before,
        cols.span() - 1 - cols.pad_before,
    );
    correlate_whole(x, g, rows, cols, size, first, on)
}

/// A reusable 2-D spectrum of a real plane zero-extended to a fixed transform size `l0 × l1`,
/// for callers that combine many products before one inverse transform (a CNN layer transforms
/// each input plane and each kernel once and accumulates Σ X·W per output plane).
///
/// Products of two spectra of the same size are circular convolutions of the planes; they equal
/// the linear convolution wherever no wrap-around reaches (e.g. when the sum of the two supports
/// fits in `l0 × l1`).
pub struct PlaneSpectrum<T: Real> {
    inner: Spectrum<T>,
}

impl<T: Real> PlaneSpectrum<T> {
    /// The spectrum of `plane` (at most `l0 × l1`) zero-extended to `l0 × l1`.
    pub fn of_plane(plane: ArrayView2<'_, T>, l0: usize, l1: usize) -> Result<Self> {
        let (p0, p1) = plane.dim();
        if p0 > l0 || p1 > l1 {
            return Err(ConvError::TooLarge(format!(
                "a {p0}×{p1} plane does not fit a {l0}×{l1} transform"
            )));
        }
        Ok(PlaneSpectrum {
            inner: Spectrum::forward(plane, l0, l1)?,
        })
    }

    /// The spectrum of the zero plane (an accumulator).
    pub fn zeros(l0: usize, l1: usize) -> Result<Self> {
        let h = l1 / 2 + 1;
        Ok(PlaneSpectrum {
            inner: Spectrum {
                l0,
                l1,
                data: zeros::<T>(l0 * h, "FFT spectrum")?,
            },
        })
    }

    /// The transform size `(l0, l1)`.
    pub fn size(&self) -> (usize, usize) {
        (self.inner.l0, self.inner.l1)
    }

    /// `self += a · b` (pointwise), on the calling thread. All three must have the same size.
    pub fn add_product(&mut self, a: &PlaneSpectrum<T>, b: &PlaneSpectrum<T>) {
        assert_eq!(self.size(), a.size(), "spectra of different sizes");
        assert_eq!(self.size(), b.size(), "spectra of different sizes");
        for ((acc, x), y) in self
            .inner
            .data
            .iter_mut()
            .zip(&a.inner.data)
            .zip(&b.inner.data)
        {
            *acc += *x * *y;
        }
    }

    /// The real plane back (scaled by 1/(l0·l1)), only the window of `n_rows × n_cols` samples
    /// `out[i, j] = y[row0 + i·row_step, col0 + j·col_step]`, which must lie inside `l0 × l1`.
    #[allow(clippy::too_many_arguments)]
    pub fn inverse_window(
        self,
        row0: usize,
        row_step: usize,
        n_rows: usize,
        col0: usize,
        col_step: usize,
        n_cols: usize,
    ) -> Result<Array2<T>> {
        check_window(
            self.size(),
            (row0, row_step, n_rows),
            (col0, col_step, n_cols),
        )?;
        self.inner
            .inverse_rows(|i| row0 + i * row_step, n_rows, col0, col_step, n_cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_matches_the_definition() {
        for (rows, cols) in [(1, 1), (1, 7), (7, 1), (16, 16), (17, 33), (40, 5)] {
            let src: Vec<usize> = (0..rows * cols).collect();
            let mut dst = vec![usize::MAX; rows * cols];
            transpose(&src, &mut dst, rows, cols);
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(
                        dst[c * rows + r],
                        src[r * cols + c],
                        "{rows}x{cols} ({r},{c})"
                    );
                }
            }
        }
    }

    /// The spectrum of a plane comes back as the plane (x·1 = x), written into a fresh array,
    /// a tile of a larger one (rows apart) and a transposed view (columns apart).
    #[test]
    fn inverse_rows_into_fills_any_view() {
        let x = Array2::from_shape_fn((9, 13), |(r, c)| (r * 13 + c) as f64 - 50.0);
        let back = |spectrum: Spectrum<f64>, out: ArrayViewMut2<'_, f64>| {
            spectrum.inverse_rows_into(|i| i + 1, 2, 1, out).unwrap()
        };
        let spectrum = || Spectrum::forward(x.view(), 12, 16).unwrap();
        // Rows 1.. and columns 2.. of x.
        let expected = x.slice(ndarray::s![1..8, 2..13]).to_owned();
        let fresh = spectrum().inverse_rows(|i| i + 1, 7, 2, 1, 11).unwrap();
        let mut wide = Array2::from_elem((10, 20), f64::NAN);
        back(spectrum(), wide.slice_mut(ndarray::s![2..9, 5..16]));
        let mut transposed = Array2::from_elem((11, 7), f64::NAN);
        back(spectrum(), transposed.view_mut().reversed_axes());
        for got in [
            fresh.view(),
            wide.slice(ndarray::s![2..9, 5..16]),
            transposed.t(),
        ] {
            let err = (&got - &expected).fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(err < 1e-12, "{err}");
        }
        // Nothing outside the tile was written.
        assert_eq!(wide.iter().filter(|v| !v.is_nan()).count(), 7 * 11);
    }

    /// Split over threads or not, a transform gives the same bits: each row and column is
    /// transformed alone, whichever thread runs it.
    #[test]
    fn splitting_transforms_changes_no_bit() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let x = Array2::from_shape_fn((150, 230), |(r, c)| ((r * 13 + c * 7) % 29) as f32 - 14.0);
        let g = Array2::from_shape_fn((9, 7), |(a, b)| (a * 7 + b) as f32 * 0.1 - 3.0);
        let e = crate::signal::geometry::Extent::Output(crate::signal::Output::Same);
        let rows = AxisGeometry::new(0, 150, 9, e, 1, 1).unwrap();
        let cols = AxisGeometry::new(1, 230, 7, e, 1, 1).unwrap();
        let run = |threshold: f64| {
            pool.install(|| {
                parallel::with_threshold(threshold, || {
                    assert_eq!(split(1), threshold == 0.0);
                    correlate_zero_extended(x.view(), g.view(), &rows, &cols, NonFinite::Spread)
                        .unwrap()
                        .unwrap()
                })
            })
        };
        let (alone, split) = (run(f64::INFINITY), run(0.0));
        assert_eq!(alone.dim(), (150, 230));
        assert!(
            alone
                .iter()
                .zip(&split)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    #[test]
    fn fast_lengths() {
        assert_eq!(fast_len(1), 1);
        assert_eq!(fast_len(2), 2);
        assert_eq!(fast_len(11), 12);
        assert_eq!(fast_len(13), 16, "2⁴ is cheaper than 2·7");
        assert_eq!(fast_len(1000), 1024, "2¹⁰ is cheaper than 2³·5³");
        assert_eq!(fast_len(1001), 1024);
        // Against a plain search for the smallest even 7-smooth number.
        let smooth = |mut m: usize| {
            for p in [2, 3, 5, 7] {
                while m.is_multiple_of(p) {
                    m /= p;
                }
            }
            m == 1
        };
        // Within 1.25·n of the shortest even 7-smooth length, and no costlier than it.
        for n in 2..5000 {
            let shortest = (n..)
                .find(|&m: &usize| m.is_multiple_of(2) && smooth(m))
                .unwrap();
            assert_eq!(fast_len_search(n), shortest, "n = {n}");
            let m = fast_len(n);
            assert!(m >= n && m.is_multiple_of(2) && smooth(m), "n = {n}");
            assert!(m as f64 <= 1.25 * n as f64 || m == shortest, "n = {n}");
            assert!(transform_work(m) <= transform_work(shortest), "n = {n}");
        }
        // Powers of two are their own fast length, with work L·log2(L).
        for p in 1..20 {
            assert_eq!(fast_len(1 << p), 1 << p);
            assert_eq!(transform_work(1 << p), ((1usize << p) * p) as f64);
        }
        assert!(fast_len(1 << 40) >= 1 << 40);
        assert_eq!(fast_len(TABLE_LIMIT), TABLE_LIMIT);
        assert_eq!(fast_len(TABLE_LIMIT + 1), fast_len_search(TABLE_LIMIT + 1));
        assert_eq!(
            fast_len(usize::MAX),
            usize::MAX,
            "saturates instead of overflowing"
        );
        for n in 2..2000 {
            let m = fast_len(n);
            assert!(m >= n && m.is_multiple_of(2));
        }
    }
}
