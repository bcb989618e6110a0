//! Linear time-invariant systems in the lecture's terms: a discrete signal x\[k\] that starts at an
//! origin index k0, the unit sample δ\[n\], and a system given by its impulse response h\[n\] whose
//! output is y = x * h.
//!
//! Origins add under convolution: if x starts at k0 and h at m0, y starts at k0 + m0.
//! Samples outside a signal's support are zero.

use ndarray::Array1;

use super::{Conv, Op};
use crate::error::{ConvError, Result};
use crate::real::Real;

/// A finite discrete signal: `values[i]` is x\[origin + i\]; x is zero elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal<T> {
    origin: isize,
    values: Vec<T>,
}

impl<T: Real> Signal<T> {
    /// x\[origin + i\] = values\[i\].
    pub fn new(values: Vec<T>, origin: isize) -> Self {
        Signal { origin, values }
    }

    /// A signal starting at index 0.
    pub fn from_values(values: Vec<T>) -> Self {
        Signal::new(values, 0)
    }

    /// The unit sample δ\[n\]: 1 at n = 0, 0 elsewhere.
    pub fn delta() -> Self {
        Signal::new(vec![T::one()], 0)
    }

    /// x\[k\], zero outside the support.
    pub fn at(&self, k: isize) -> T {
        let i = k - self.origin;
        if i < 0 {
            return T::zero();
        }
        self.values.get(i as usize).copied().unwrap_or_else(T::zero)
    }

    /// The first index with a stored sample.
    pub fn origin(&self) -> isize {
        self.origin
    }

    /// One past the last stored index.
    pub fn end(&self) -> isize {
        self.origin + self.values.len() as isize
    }

    /// The stored samples, from the origin on.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// x\[n - k0\]: the same samples, `k0` later.
    pub fn shifted(&self, k0: isize) -> Self {
        Signal::new(self.values.clone(), self.origin + k0)
    }

    /// Full convolution (origins add) or cross-correlation r\[n\] = Σ_k x\[k\] h\[k - n\].
    pub fn combine(&self, h: &Signal<T>, op: Op) -> Result<Signal<T>> {
        let y = Conv::new(op).apply(
            &Array1::from(self.values.clone()),
            &Array1::from(h.values.clone()),
        )?;
        let origin = match op {
            Op::Convolve => self.origin + h.origin,
            // The first lag with overlap puts h's last sample on x's first.
            Op::Correlate => self.origin - (h.end() - 1),
        };
        Ok(Signal::new(y.to_vec(), origin))
    }
}

/// An LTI system, known by its impulse response h\[n\] (its output when the input is δ\[n\]).
///
/// ```
/// use convkit::signal::lti::{Signal, System};
/// let system = System::new(Signal::new(vec![3.0, 2.0, 1.0], 0));
/// let y = system.respond(&Signal::new(vec![3.0, 1.0, 2.0], 0))?;
/// assert_eq!(y.values(), [9.0, 9.0, 11.0, 5.0, 2.0]);
/// assert_eq!(system.respond(&Signal::delta())?, *system.impulse_response());
/// # Ok::<(), convkit::ConvError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct System<T> {
    h: Signal<T>,
}

impl<T: Real> System<T> {
    /// The system with impulse response `h`.
    pub fn new(h: Signal<T>) -> Self {
        System { h }
    }

    /// h\[n\].
    pub fn impulse_response(&self) -> &Signal<T> {
        &self.h
    }

    /// y = x * h, starting at x's origin plus h's origin.
    pub fn respond(&self, x: &Signal<T>) -> Result<Signal<T>> {
        if x.values.is_empty() {
            return Err(ConvError::Empty {
                what: "signal",
                shape: vec![0],
            });
        }
        x.combine(&self.h, Op::Convolve)
    }
}
