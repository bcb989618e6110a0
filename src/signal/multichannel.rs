//! Multi-channel direct correlation: the sums of a filter bank over a stack of planes (a
//! multi-input, multi-output LTI system, y\[o\] = Σ_i x\[i\] ⋆ w\[o, i\]), computed many channels
//! at a time.
//!
//! Every such sum — and both gradients of a CNN layer — has one shape:
//!
//! ```text
//! out[m, j] = Σ_t a[t, m] · x[u_t + v_j]
//! ```
//!
//! For the forward correlation t runs over (input channel i, tap a, b) with
//! u_t = i·P0·P1 + a·d0·P1 + b·d1 (the tap's offset in the extended stack of P0 × P1 planes),
//! j runs over the output positions with v_j = r·s0·P1 + c·s1, m over the output channels and
//! a\[t, m\] = w\[m, i, a, b\]. Swapping the roles of t and j gives the correlation of a stack
//! with a stack of error planes (a CNN's weight gradient); flipping the taps gives the full
//! convolution (its input gradient).
//!
//! The channels m are the vector lanes: a tile keeps 2 vectors of channels × 12 positions (the
//! remaining channels 1 vector or half a vector × 12) in registers, each sample x\[u_t + v_j\]
//! is broadcast once and multiplied into a whole vector of channels. The tile loop is compiled
//! for each instruction set and the widest the CPU supports is chosen at run time (`isa`). Each
//! output sums its terms in the order of t, whatever tile or thread computes it; with FMA each
//! step rounds once.

use super::direct::madd;
use super::isa::{self, Vectorised};
use crate::real::Real;

/// The coefficients a\[t, m\] laid out for the kernel: one row per t, the m lanes padded with
/// zeros to a multiple of the widest tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Lanes<T> {
    data: Vec<T>,
    terms: usize,
    channels: usize,
    stride: usize,
}

impl<T: Real> Lanes<T> {
    /// a\[t, m\] = `f(t, m)` for t < `terms`, m < `channels`.
    pub fn from_fn(terms: usize, channels: usize, f: impl Fn(usize, usize) -> T) -> Self {
        Self::from_rows(terms, channels, |t, row| {
            for (m, v) in row.iter_mut().enumerate() {
                *v = f(t, m);
            }
        })
    }

    /// a\[t, ·\] written by `fill(t, row)`, row holding the `channels` values of term t.
    pub fn from_rows(terms: usize, channels: usize, mut fill: impl FnMut(usize, &mut [T])) -> Self {
        let stride = channels.div_ceil(lane_pad::<T>()) * lane_pad::<T>();
        let mut data = vec![T::zero(); terms * stride];
        for (t, row) in data.chunks_exact_mut(stride.max(1)).enumerate().take(terms) {
            fill(t, &mut row[..channels]);
        }
        Lanes {
            data,
            terms,
            channels,
            stride,
        }
    }

    /// The number of terms t.
    pub fn terms(&self) -> usize {
        self.terms
    }

    /// The number of channels m.
    pub fn channels(&self) -> usize {
        self.channels
    }
}

/// Lanes are padded to one AVX-512 vector: 16 f32 or 8 f64 (every tile width below is a
/// multiple or a divisor of it).
fn lane_pad<T>() -> usize {
    64 / std::mem::size_of::<T>()
}

/// out\[m·ld + j\] = Σ_t a\[t, m\] · x\[u\[t\] + v\[j\]\] for every channel m of `a` and every j of
/// `v` (added to what `out` holds when `accumulate`).
///
/// # Panics
/// If `u` does not have one offset per term of `a`, if an offset u_t + v_j falls outside `x`,
/// or if `out` is shorter than (channels − 1)·ld + v.len() or ld < v.len().
///
/// ```
/// use convkit::signal::multichannel::{Lanes, correlate_gather};
/// // Two channels of a 3-tap correlation of x = [1, 2, 3, 4]: taps [1, 0, -1] and [1, 1, 1].
/// let taps = [[1.0, 0.0, -1.0], [1.0, 1.0, 1.0]];
/// let a = Lanes::from_fn(3, 2, |t, m| taps[m][t]);
/// let mut out = [0.0; 4];
/// correlate_gather(&a, &[1.0, 2.0, 3.0, 4.0], &[0, 1, 2], &[0, 1], &mut out, 2, false);
/// assert_eq!(out, [-2.0, -2.0, 6.0, 9.0]);
/// ```
pub fn correlate_gather<T: Real>(
    a: &Lanes<T>,
    x: &[T],
    u: &[usize],
    v: &[usize],
    out: &mut [T],
    ld: usize,
    accumulate: bool,
) {
    gather(a, x, u, v, out, Layout::ChannelRows(ld), accumulate);
}

/// [`correlate_gather`] with the results of each position in a row: out\[j·ld + m\]. Each
/// tile's sums for a position are stored as whole vectors, which pays off when the sums are
/// short (few terms).
///
/// # Panics
/// As [`correlate_gather`], or if `out` is shorter than (v.len() − 1)·ld + channels or
/// ld < channels.
///
/// ```
/// use convkit::signal::multichannel::{Lanes, correlate_gather_by_position};
/// let taps = [[1.0, 0.0, -1.0], [1.0, 1.0, 1.0]];
/// let a = Lanes::from_fn(3, 2, |t, m| taps[m][t]);
/// let mut out = [0.0; 4];
/// correlate_gather_by_position(&a, &[1.0, 2.0, 3.0, 4.0], &[0, 1, 2], &[0, 1], &mut out, 2, false);
/// assert_eq!(out, [-2.0, 6.0, -2.0, 9.0]);
/// ```
pub fn correlate_gather_by_position<T: Real>(
    a: &Lanes<T>,
    x: &[T],
    u: &[usize],
    v: &[usize],
    out: &mut [T],
    ld: usize,
    accumulate: bool,
) {
    gather(a, x, u, v, out, Layout::PositionRows(ld), accumulate);
}

/// Where the sum of channel m at position j goes.
#[derive(Clone, Copy)]
enum Layout {
    /// out\[m·ld + j\].
    ChannelRows(usize),
    /// out\[j·ld + m\].
    PositionRows(usize),
}

fn gather<T: Real>(
    a: &Lanes<T>,
    x: &[T],
    u: &[usize],
    v: &[usize],
    out: &mut [T],
    layout: Layout,
    accumulate: bool,
) {
    assert_eq!(u.len(), a.terms, "one offset per term");
    if a.channels == 0 || v.is_empty() {
        return;
    }
    let (rows, row_len, ld) = match layout {
        Layout::ChannelRows(ld) => (a.channels, v.len(), ld),
        Layout::PositionRows(ld) => (v.len(), a.channels, ld),
    };
    assert!(ld >= row_len && out.len() >= (rows - 1) * ld + row_len);
    if a.terms > 0 {
        let (umax, vmax) = (u.iter().max(), v.iter().max());
        let last = umax.zip(vmax).map(|(p, q)| p.checked_add(*q));
        assert!(
            matches!(last, Some(Some(l)) if l < x.len()),
            "every offset inside x"
        );
    }
    // The last tile of a row repeats the last offset; those sums are computed and dropped.
    let mut padded = v.to_vec();
    padded.resize(
        v.len().div_ceil(PAD_POSITIONS) * PAD_POSITIONS,
        v[v.len() - 1],
    );
    let job = Job {
        a,
        x,
        u,
        v: &padded,
        positions: v.len(),
        layout,
        accumulate,
    };
    isa::dispatch(Tiled { job: &job, out });
}

/// Every tile's position count divides this.
const PAD_POSITIONS: usize = 24;

/// One call's operands (offsets already checked against `x`; `v` padded to whole tiles).
struct Job<'a, T> {
    a: &'a Lanes<T>,
    x: &'a [T],
    u: &'a [usize],
    v: &'a [usize],
    positions: usize,
    layout: Layout,
    accumulate: bool,
}

/// Tiles of MB channels × JB positions while more than HM channels remain, then one tile of
/// HM × HJ, or of QM × JB when at most QM channels remain (a quarter tile: 40 channels run as
/// 32 + 8 lanes, not 32 + 16). The last positions of a row of tiles run as one more tile whose
/// missing offsets repeat the last one; those sums are dropped, so every tile has enough
/// independent sums in flight to hide the multiply-add latency.
#[inline(always)]
fn run<
    T: Real,
    const MB: usize,
    const JB: usize,
    const HM: usize,
    const HJ: usize,
    const QM: usize,
    const FMA: bool,
>(
    job: &Job<'_, T>,
    out: &mut [T],
) {
    let mut m0 = 0;
    while m0 < job.a.channels {
        let left = job.a.channels - m0;
        if left > HM {
            row_of_tiles::<T, MB, JB, FMA>(job, out, m0, left.min(MB));
            m0 += MB;
        } else if QM < HM && left <= QM {
            row_of_tiles::<T, QM, JB, FMA>(job, out, m0, left);
            m0 += QM;
        } else {
            row_of_tiles::<T, HM, HJ, FMA>(job, out, m0, left);
            m0 += HM;
        }
    }
}

/// Channels m0 .. m0 + `lanes` at every position.
#[inline(always)]
fn row_of_tiles<T: Real, const MB: usize, const JB: usize, const FMA: bool>(
    job: &Job<'_, T>,
    out: &mut [T],
    m0: usize,
    lanes: usize,
) {
    let n = job.positions;
    let whole = n / JB * JB;
    for j0 in (0..whole).step_by(JB) {
        let acc = tile::<T, MB, JB, FMA>(job, m0, &job.v[j0..j0 + JB]);
        store(job, out, &acc, m0, lanes, j0, JB);
    }
    // The rest in a tile of 4 when it fits one (every JB is at least 4), else a whole tile.
    let rest = n - whole;
    if rest > 4 {
        let acc = tile::<T, MB, JB, FMA>(job, m0, &job.v[whole..whole + JB]);
        store(job, out, &acc, m0, lanes, whole, rest);
    } else if rest > 0 {
        let acc = tile::<T, MB, 4, FMA>(job, m0, &job.v[whole..whole + 4]);
        store(job, out, &acc, m0, lanes, whole, rest);
    }
}

/// The sums of channels m0 .. m0+MB at the JB positions `v`, in registers.
#[inline(always)]
fn tile<T: Real, const MB: usize, const JB: usize, const FMA: bool>(
    job: &Job<'_, T>,
    m0: usize,
    v: &[usize],
) -> [[T; MB]; JB] {
    let v: &[usize; JB] = v.try_into().expect("JB positions");
    let mut acc = [[T::zero(); MB]; JB];
    let stride = job.a.stride;
    for (t, &base) in job.u.iter().enumerate() {
        let at: &[T; MB] = job.a.data[t * stride + m0..t * stride + m0 + MB]
            .try_into()
            .expect("lanes padded to the tile");
        for (row, &off) in acc.iter_mut().zip(v) {
            // SAFETY: correlate_gather checked max(u) + max(v) < x.len().
            let s = unsafe { *job.x.get_unchecked(base + off) };
            for (r, &c) in row.iter_mut().zip(at) {
                *r = madd::<T, FMA>(c, s, *r);
            }
        }
    }
    acc
}

#[inline(always)]
fn store<T: Real, const MB: usize, const JB: usize>(
    job: &Job<'_, T>,
    out: &mut [T],
    acc: &[[T; MB]; JB],
    m0: usize,
    lanes: usize,
    j0: usize,
    positions: usize,
) {
    match job.layout {
        Layout::ChannelRows(ld) => {
            for (jj, row) in acc.iter().enumerate().take(positions) {
                for (l, &s) in row.iter().enumerate().take(lanes) {
                    let o = &mut out[(m0 + l) * ld + j0 + jj];
                    *o = if job.accumulate { *o + s } else { s };
                }
            }
        }
        Layout::PositionRows(ld) => {
            for (jj, row) in acc.iter().enumerate().take(positions) {
                let dst = &mut out[(j0 + jj) * ld + m0..][..lanes];
                if job.accumulate {
                    dst.iter_mut().zip(row).for_each(|(o, &s)| *o += s);
                } else if let Ok(whole) = <&mut [T; MB]>::try_from(&mut *dst) {
                    // A whole tile's row: one fixed-size move, not a call to memcpy.
                    *whole = *row;
                } else {
                    dst.copy_from_slice(&row[..lanes]);
                }
            }
        }
    }
}

/// One call's tiles, for [`isa::dispatch`].
struct Tiled<'a, T> {
    job: &'a Job<'a, T>,
    out: &'a mut [T],
}

impl<T: Real> Vectorised for Tiled<'_, T> {
    /// AVX-512: 2 zmm registers of channels × 12 positions (or 1 × 12, or one ymm × 12).
    /// AVX2: 2 ymm registers of channels × 6 positions (or 1 × 12): 12 accumulators of the 16.
    #[inline(always)]
    fn run<const SET: u8>(self) {
        let Tiled { job, out } = self;
        match (SET, std::mem::size_of::<T>() == 4) {
            (isa::AVX512, true) => run::<T, 32, 12, 16, 12, 8, true>(job, out),
            (isa::AVX512, false) => run::<T, 16, 12, 8, 12, 4, true>(job, out),
            (isa::AVX2_FMA, true) => run::<T, 16, 6, 8, 12, 8, true>(job, out),
            (isa::AVX2_FMA, false) => run::<T, 8, 6, 4, 12, 4, true>(job, out),
            _ => run::<T, 8, 4, 4, 8, 4, false>(job, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, term by term, against the tiled kernel for channel counts and position
    /// counts around every tile size, in both output layouts.
    fn check<T: Real>(tol: f64) {
        for channels in [1, 3, 8, 17, 33, 40] {
            for positions in [1, 5, 12, 13, 30] {
                for by_position in [false, true] {
                    let terms = 7;
                    let x: Vec<T> = (0..200)
                        .map(|i| T::from_f64_lossy(((i * 37) % 23) as f64 - 11.0))
                        .collect();
                    let u: Vec<usize> = (0..terms).map(|t| (t * 13) % 50).collect();
                    let v: Vec<usize> = (0..positions).map(|j| 3 * j + 1).collect();
                    let a = Lanes::from_fn(terms, channels, |t, m| {
                        T::from_f64_lossy((t as f64 - 3.0) * 0.5 + m as f64 * 0.25)
                    });
                    // Rows two longer than needed: the extra entries must stay untouched.
                    let (rows, ld) = if by_position {
                        (positions, channels + 2)
                    } else {
                        (channels, positions + 2)
                    };
                    let at = |m: usize, j: usize| if by_position { j * ld + m } else { m * ld + j };
                    let mut out = vec![T::one(); rows * ld];
                    if by_position {
                        correlate_gather_by_position(&a, &x, &u, &v, &mut out, ld, true);
                    } else {
                        correlate_gather(&a, &x, &u, &v, &mut out, ld, true);
                    }
                    for m in 0..channels {
                        for j in 0..positions {
                            let want: f64 = 1.0
                                + (0..terms)
                                    .map(|t| {
                                        ((t as f64 - 3.0) * 0.5 + m as f64 * 0.25)
                                            * x[u[t] + v[j]].to_f64().unwrap()
                                    })
                                    .sum::<f64>();
                            let got = out[at(m, j)].to_f64().unwrap();
                            assert!((got - want).abs() <= tol, "m={m} j={j}: {got} vs {want}");
                        }
                    }
                    for row in out.chunks_exact(ld) {
                        assert!(row[ld - 2..].iter().all(|&e| e == T::one()));
                    }
                }
            }
        }
    }

    #[test]
    fn matches_the_definition() {
        check::<f64>(1e-12);
        check::<f32>(1e-3);
    }

    #[test]
    #[should_panic(expected = "inside x")]
    fn offsets_past_the_input_panic() {
        let a = Lanes::from_fn(1, 1, |_, _| 1.0);
        let mut out = [0.0];
        correlate_gather(&a, &[1.0, 2.0], &[1], &[1], &mut out, 1, false);
    }
}
