//! Spectra of many planes of one transform size, for one matrix product per frequency bin.
//!
//! A multi-channel convolution in the frequency domain sums products over channels at every
//! frequency bin: Y\[n, o\] = Σ_c X\[n, c\] · W\[o, c\], pointwise. Stored plane by plane
//! ([`PlaneSpectrum`](super::fft::PlaneSpectrum)), that is N·C·O short loops of complex
//! products; stored bin by bin, it is one complex matrix product per bin (N × C times C × O),
//! which a GEMM runs at full speed. [`SpectrumBatch`] transforms a batch of small planes with
//! one set of plans and scratch buffers, keeps each plane's bins together (bin b of plane p at
//! `p · bins + b`) and shows them as a rows × cols × bins array, so that bin b is a strided
//! rows × cols matrix (a GEMM reads and writes any strides: no transposition of the batch), and
//! transforms any window of every plane back.
//!
//! Transforms are those of [`fft`](super::fft): a real FFT along each row of the plane
//! zero-extended to L0 × L1, complex FFTs along the columns, bins ordered column by column
//! (b = k1 · L0 + k0 for k1 < L1/2 + 1, k0 < L0); the inverse scales by 1/(L0·L1).

use ndarray::{Array2, Array3, ArrayView3, ArrayViewMut3, Axis};
use num_complex::Complex;
use rayon::prelude::*;

use super::fft::{check_window, complex_plan, inverse_row, real_forward, real_inverse, transpose};
use crate::error::{ConvError, Result};
use crate::real::Real;

/// The spectra of `count` real planes, each zero-extended to `l0 × l1`.
#[derive(Debug, Clone)]
pub struct SpectrumBatch<T: Real> {
    l0: usize,
    l1: usize,
    count: usize,
    data: Vec<Complex<T>>,
}

fn zero<T: Real>() -> Complex<T> {
    Complex::new(T::zero(), T::zero())
}

impl<T: Real> SpectrumBatch<T> {
    /// The spectra of `plane(0)`, …, `plane(count - 1)`, each at most `l0 × l1`.
    ///
    /// ```
    /// use convkit::signal::spectrum_batch::SpectrumBatch;
    /// use ndarray::Array2;
    /// // Two 1×1 planes, 3 and 5: their spectra are constant.
    /// let b = SpectrumBatch::of_planes(2, 2, 4, |p| Ok(Array2::from_elem((1, 1), [3.0f64, 5.0][p])))?;
    /// assert_eq!(b.bins(), 2 * 3);
    /// assert!((b.view(1, 2)[[0, 1, 4]].re - 5.0).abs() < 1e-12);
    /// # Ok::<(), convkit::ConvError>(())
    /// ```
    pub fn of_planes<F>(count: usize, l0: usize, l1: usize, plane: F) -> Result<Self>
    where
        F: Fn(usize) -> Result<Array2<T>> + Sync,
    {
        let h = l1 / 2 + 1;
        let bins = l0 * h;
        let r2c = real_forward::<T>(l1);
        let columns = complex_plan::<T>(l0, false);
        let mut data = vec![zero::<T>(); count * bins];
        data.par_chunks_mut(bins.max(1))
            .enumerate()
            .try_for_each_init(
                || {
                    (
                        vec![T::zero(); l1],
                        vec![zero::<T>(); bins],
                        vec![zero::<T>(); r2c.get_scratch_len()],
                        vec![zero::<T>(); columns.get_inplace_scratch_len()],
                    )
                },
                |(real, rows, s_rows, s_cols), (p, out)| -> Result<()> {
                    let x = plane(p)?;
                    let (p0, p1) = x.dim();
                    if p0 > l0 || p1 > l1 {
                        return Err(ConvError::TooLarge(format!(
                            "a {p0}×{p1} plane does not fit a {l0}×{l1} transform"
                        )));
                    }
                    for (r, row) in rows.chunks_exact_mut(h).enumerate() {
                        if r >= p0 {
                            row.fill(zero());
                            continue;
                        }
                        real.iter_mut().zip(x.row(r)).for_each(|(d, &s)| *d = s);
                        real[p1..].fill(T::zero());
                        r2c.process_with_scratch(real, row, s_rows)
                            .expect("buffer sizes come from the plan");
                    }
                    transpose(rows, out, l0, h);
                    columns.process_with_scratch(out, s_cols);
                    Ok(())
                },
            )?;
        Ok(SpectrumBatch {
            l0,
            l1,
            count,
            data,
        })
    }

    /// `count` spectra of zero planes (accumulators).
    pub fn zeros(count: usize, l0: usize, l1: usize) -> Self {
        SpectrumBatch {
            l0,
            l1,
            count,
            data: vec![zero::<T>(); count * l0 * (l1 / 2 + 1)],
        }
    }

    /// The transform size `(l0, l1)`.
    pub fn size(&self) -> (usize, usize) {
        (self.l0, self.l1)
    }

    /// How many planes.
    pub fn count(&self) -> usize {
        self.count
    }

    /// How many bins each spectrum has: l0 · (l1/2 + 1).
    pub fn bins(&self) -> usize {
        self.l0 * (self.l1 / 2 + 1)
    }

    /// The spectra as a `rows × cols × bins` array (plane p = r · cols + c); bin b is
    /// `.index_axis(Axis(2), b)`. Panics unless rows · cols = count.
    pub fn view(&self, rows: usize, cols: usize) -> ArrayView3<'_, Complex<T>> {
        ArrayView3::from_shape((rows, cols, self.bins()), &self.data)
            .expect("rows · cols is the number of planes")
    }

    /// The spectra as a `rows × cols × bins` array, mutably.
    pub fn view_mut(&mut self, rows: usize, cols: usize) -> ArrayViewMut3<'_, Complex<T>> {
        let bins = self.bins();
        ArrayViewMut3::from_shape((rows, cols, bins), &mut self.data)
            .expect("rows · cols is the number of planes")
    }

    /// Every plane back (scaled by 1/(l0·l1)), only a window of it: with `rows` and `cols`
    /// given as `(start, step, n)`, `out[p, i, j] = y_p[start_r + i·step_r, start_c + j·step_c]`,
    /// a `count × n_r × n_c` array. The window must lie inside `l0 × l1`.
    pub fn inverse_windows(
        &self,
        rows: (usize, usize, usize),
        cols: (usize, usize, usize),
    ) -> Result<Array3<T>> {
        let mut out = Array3::zeros((self.count, rows.2, cols.2));
        self.inverse_windows_into(rows, cols, out.view_mut())?;
        Ok(out)
    }

    /// [`inverse_windows`](Self::inverse_windows) into `out`, which must be
    /// `count × n_r × n_c` (an error otherwise).
    pub fn inverse_windows_into(
        &self,
        rows: (usize, usize, usize),
        cols: (usize, usize, usize),
        mut out: ArrayViewMut3<'_, T>,
    ) -> Result<()> {
        let (l0, l1) = (self.l0, self.l1);
        check_window((l0, l1), rows, cols)?;
        if out.dim() != (self.count, rows.2, cols.2) {
            return Err(ConvError::TooLarge(format!(
                "{:?} windows do not fill a {:?} array",
                (self.count, rows.2, cols.2),
                out.dim()
            )));
        }
        let h = l1 / 2 + 1;
        let bins = l0 * h;
        let columns = complex_plan::<T>(l0, true);
        let c2r = real_inverse::<T>(l1);
        let scale = T::one() / T::from_usize(l0 * l1).expect("a transform size is a float");
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(self.data.par_chunks(bins.max(1)))
            .for_each_init(
                || {
                    (
                        vec![zero::<T>(); bins],
                        vec![zero::<T>(); bins],
                        vec![zero::<T>(); h],
                        vec![T::zero(); l1],
                        vec![zero::<T>(); c2r.get_scratch_len()],
                        vec![zero::<T>(); columns.get_inplace_scratch_len()],
                    )
                },
                |(spectrum, by_rows, row, real, s_rows, s_cols), (mut plane, bins)| {
                    spectrum.copy_from_slice(bins);
                    columns.process_with_scratch(spectrum, s_cols);
                    transpose(spectrum, by_rows, h, l0);
                    for (i, mut out_row) in plane.rows_mut().into_iter().enumerate() {
                        let r = rows.0 + i * rows.1;
                        row.copy_from_slice(&by_rows[r * h..(r + 1) * h]);
                        let samples = (cols.0, cols.1, scale);
                        match out_row.as_slice_mut() {
                            Some(dst) => inverse_row(c2r.as_ref(), row, real, s_rows, samples, dst),
                            None => {
                                let mut dst = vec![T::zero(); cols.2];
                                inverse_row(c2r.as_ref(), row, real, s_rows, samples, &mut dst);
                                out_row.assign(&ndarray::ArrayView1::from(&dst));
                            }
                        }
                    }
                },
            );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::fft::PlaneSpectrum;
    use ndarray::Array2;

    fn plane(p: usize, r: usize, c: usize) -> Array2<f64> {
        Array2::from_shape_fn((r, c), |(i, j)| {
            ((p * 31 + i * 7 + j * 3) % 11) as f64 - 5.0
        })
    }

    #[test]
    fn bins_are_the_plane_spectra_and_come_back() {
        for (l0, l1, r, c) in [(6, 8, 5, 7), (1, 6, 1, 5), (5, 9, 4, 9), (10, 10, 9, 9)] {
            let count = 5;
            let batch = SpectrumBatch::of_planes(count, l0, l1, |p| Ok(plane(p, r, c))).unwrap();
            assert_eq!(batch.bins(), l0 * (l1 / 2 + 1));
            // Each plane's bins equal its own spectrum: the product with a unit impulse's
            // spectrum (all ones) accumulated into zeros, transformed back, is the plane.
            let backs = batch.inverse_windows((0, 1, r), (0, 1, c)).unwrap();
            for (p, back) in backs.outer_iter().enumerate() {
                let want = plane(p, r, c);
                let err = (&back - &want).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(err < 1e-12, "{l0}×{l1} plane {p}: {err}");
            }
            // Against PlaneSpectrum: the product of two planes' spectra, one window back.
            let one = PlaneSpectrum::of_plane(plane(0, r, c).view(), l0, l1).unwrap();
            let two = PlaneSpectrum::of_plane(plane(1, r, c).view(), l0, l1).unwrap();
            let mut acc = PlaneSpectrum::zeros(l0, l1).unwrap();
            acc.add_product(&one, &two);
            let want = acc.inverse_window(0, 1, l0, 0, 1, l1).unwrap();
            let mut prod = SpectrumBatch::<f64>::zeros(1, l0, l1);
            let planes = batch.view(1, count);
            let mut out = prod.view_mut(1, 1);
            for b in 0..batch.bins() {
                out[[0, 0, b]] = planes[[0, 0, b]] * planes[[0, 1, b]];
            }
            let got = prod.inverse_windows((0, 1, l0), (0, 1, l1)).unwrap();
            let err = (&got.index_axis(Axis(0), 0) - &want)
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(err < 1e-10, "{l0}×{l1}: product {err}");
        }
    }

    #[test]
    fn a_plane_larger_than_the_transform_or_a_window_outside_it_is_an_error() {
        let too_big = SpectrumBatch::<f64>::of_planes(1, 4, 4, |_| Ok(plane(0, 5, 2)));
        assert!(matches!(too_big, Err(ConvError::TooLarge(_))));
        let b = SpectrumBatch::<f64>::zeros(2, 4, 4);
        assert!(b.inverse_windows((1, 2, 2), (0, 1, 4)).is_ok());
        assert!(b.inverse_windows((1, 2, 3), (0, 1, 4)).is_err());
        assert!(b.inverse_windows((0, 1, 4), (2, 1, 3)).is_err());
        let mut wrong = Array3::zeros((2, 2, 3));
        assert!(
            b.inverse_windows_into((1, 2, 2), (0, 1, 4), wrong.view_mut())
                .is_err()
        );
    }
}
