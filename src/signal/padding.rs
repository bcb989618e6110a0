//! Boundary extension: which signal sample stands at a position outside the signal.
//!
//! [`source_index`] folds any position, however far outside, back onto the signal exactly as
//! `numpy.pad` does for pad widths of any size (its repeated extension): reflect is periodic with
//! period 2(N-1), symmetric with 2N, circular with N, replicate clamps. A length-1 signal extends
//! by its single value in every mode but zero / constant. [`pad`] materialises an extended 2-D
//! plane (1-D signals are planes of one row); the algorithms then only see `valid` problems.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2};

use super::{Padding, buffer};
use crate::error::Result;
use crate::real::Real;

/// The index of the signal sample that position `i` (0 = first sample) takes under `mode`, or
/// `None` when the position takes the constant (zero) value. `n` must be at least 1.
///
/// ```
/// use convkit::signal::{padding::source_index, Padding};
/// // a b c d extended by reflect: d c b | a b c d | c b a
/// let left: Vec<_> = (-3..0).map(|i| source_index(i, 4, Padding::Reflect).unwrap()).collect();
/// assert_eq!(left, [3, 2, 1]);
/// ```
pub fn source_index(i: isize, n: usize, mode: Padding) -> Option<usize> {
    debug_assert!(n >= 1);
    let n_i = n as isize;
    if (0..n_i).contains(&i) {
        return Some(i as usize);
    }
    let folded = match mode {
        Padding::Zero | Padding::Constant(_) => return None,
        Padding::Replicate => i.clamp(0, n_i - 1),
        Padding::Circular => i.rem_euclid(n_i),
        Padding::Reflect if n == 1 => 0,
        Padding::Reflect => {
            let period = 2 * (n_i - 1);
            let m = i.rem_euclid(period);
            if m < n_i { m } else { period - m }
        }
        Padding::Symmetric => {
            let period = 2 * n_i;
            let m = i.rem_euclid(period);
            if m < n_i { m } else { period - 1 - m }
        }
    };
    Some(folded as usize)
}

/// The value that constant-like modes put outside the signal.
pub fn fill_value<T: Real>(mode: Padding) -> T {
    match mode {
        Padding::Constant(v) => T::from_f64_lossy(v),
        _ => T::zero(),
    }
}

/// Extends a plane by `rows = (top, bottom)` and `cols = (left, right)` samples under `mode`:
/// `numpy.pad(x, (rows, cols), mode)`. Fails only when the extended plane cannot be allocated.
///
/// Interior rows are copied as slices; only the border positions go through [`source_index`].
pub fn pad<T: Real>(
    x: ArrayView2<'_, T>,
    rows: (usize, usize),
    cols: (usize, usize),
    mode: Padding,
) -> Result<Array2<T>> {
    let (h, w) = x.dim();
    let mut out = buffer::filled((h + rows.0 + rows.1, w + cols.0 + cols.1), T::zero())?;
    pad_into(x, rows, cols, mode, out.view_mut());
    Ok(out)
}

/// [`pad`] into `out`, which must have the extended shape (every element is written).
///
/// # Panics
/// If `out` is not (H + top + bottom) × (W + left + right) with contiguous rows.
pub fn pad_into<T: Real>(
    x: ArrayView2<'_, T>,
    rows: (usize, usize),
    cols: (usize, usize),
    mode: Padding,
    mut out: ArrayViewMut2<'_, T>,
) {
    let (h, w) = x.dim();
    let (left, right) = cols;
    assert_eq!(out.dim(), (h + rows.0 + rows.1, w + left + right));
    let fill = fill_value::<T>(mode);
    // A border column's source, folded per row: widths are small, and a list would be one
    // allocation per plane (the CNN layers extend thousands of small planes per step).
    let border =
        |j: isize, src: &ArrayView1<'_, T>| source_index(j, w, mode).map_or(fill, |c| src[c]);
    for (p, mut out_row) in out.rows_mut().into_iter().enumerate() {
        let Some(r) = source_index(p as isize - rows.0 as isize, h, mode) else {
            out_row.fill(fill);
            continue;
        };
        let src = x.row(r);
        let out_row = out_row
            .into_slice()
            .expect("rows of the extended plane are contiguous");
        let (head, rest) = out_row.split_at_mut(left);
        let (middle, tail) = rest.split_at_mut(w);
        match src.as_slice() {
            Some(s) => middle.copy_from_slice(s),
            None => middle.iter_mut().zip(src.iter()).for_each(|(o, &v)| *o = v),
        }
        for (j, o) in head.iter_mut().enumerate() {
            *o = border(j as isize - left as isize, &src);
        }
        for (j, o) in tail.iter_mut().enumerate() {
            *o = border((w + j) as isize, &src);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::arr2;

    fn extend(n: usize, before: usize, after: usize, mode: Padding) -> Vec<f64> {
        let x = ndarray::Array2::from_shape_fn((1, n), |(_, j)| (j + 1) as f64);
        pad(x.view(), (0, 0), (before, after), mode)
            .unwrap()
            .row(0)
            .to_vec()
    }

    #[test]
    fn numpy_pad_pictures() {
        // The pictures of the docs, abcd = 1 2 3 4.
        assert_eq!(
            extend(4, 3, 3, Padding::Reflect),
            [4., 3., 2., 1., 2., 3., 4., 3., 2., 1.]
        );
        assert_eq!(
            extend(4, 3, 3, Padding::Symmetric),
            [3., 2., 1., 1., 2., 3., 4., 4., 3., 2.]
        );
        assert_eq!(
            extend(4, 2, 2, Padding::Replicate),
            [1., 1., 1., 2., 3., 4., 4., 4.]
        );
        assert_eq!(
            extend(4, 2, 2, Padding::Circular),
            [3., 4., 1., 2., 3., 4., 1., 2.]
        );
        assert_eq!(extend(4, 1, 1, Padding::Zero), [0., 1., 2., 3., 4., 0.]);
        assert_eq!(extend(2, 1, 1, Padding::Constant(7.5)), [7.5, 1., 2., 7.5]);
    }

    #[test]
    fn wider_than_the_signal() {
        // python -c "import numpy as np; print(np.pad([1., 2, 3], 7, mode='reflect'))" (and 'symmetric', 'wrap')
        assert_eq!(
            extend(3, 7, 7, Padding::Reflect),
            [
                2., 3., 2., 1., 2., 3., 2., 1., 2., 3., 2., 1., 2., 3., 2., 1., 2.
            ]
        );
        assert_eq!(
            extend(3, 7, 7, Padding::Symmetric),
            [
                1., 1., 2., 3., 3., 2., 1., 1., 2., 3., 3., 2., 1., 1., 2., 3., 3.
            ]
        );
        assert_eq!(
            extend(3, 7, 7, Padding::Circular),
            [
                3., 1., 2., 3., 1., 2., 3., 1., 2., 3., 1., 2., 3., 1., 2., 3., 1.
            ]
        );
        // np.pad([1., 2, 3, 4], (9, 2), mode='reflect')
        assert_eq!(
            extend(4, 9, 2, Padding::Reflect),
            [4., 3., 2., 1., 2., 3., 4., 3., 2., 1., 2., 3., 4., 3., 2.]
        );
        assert_eq!(extend(1, 2, 3, Padding::Reflect), [1.; 6]);
        assert_eq!(extend(1, 2, 3, Padding::Symmetric), [1.; 6]);
        assert_eq!(extend(1, 2, 3, Padding::Circular), [1.; 6]);
        assert_eq!(extend(1, 2, 3, Padding::Zero), [0., 0., 1., 0., 0., 0.]);
    }

    #[test]
    fn two_d_pads_each_axis() {
        let x = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
        let p = pad(x.view(), (1, 0), (0, 1), Padding::Replicate).unwrap();
        assert_eq!(
            p,
            arr2(&[[1.0, 2.0, 2.0], [1.0, 2.0, 2.0], [3.0, 4.0, 4.0]])
        );
    }
}
