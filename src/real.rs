//! The sample type: convkit's numeric code is generic over `f32` and `f64`.
//!
//! [`Real`] gathers the arithmetic the algorithms need (ordinary float maths, conversion from
//! `f64`, thread safety for rayon, and the bound rustfft puts on its transforms). It is sealed:
//! `f32` and `f64` are the two sample types, as in numpy's `float32` / `float64`.

use std::fmt::{Debug, Display};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point sample type, implemented for `f32` and `f64`.
pub trait Real:
    num_traits::Float
    + num_traits::FromPrimitive
    + num_traits::NumAssign
    + rustfft::FftNum
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + sealed::Sealed
    + 'static
{
    /// The numpy name of the type (`float32` or `float64`).
    const NAME: &'static str;

    /// Converts an `f64` constant (a padding value, a test tolerance) to this type.
    fn from_f64_lossy(v: f64) -> Self;
}

impl Real for f32 {
    const NAME: &'static str = "float32";
    fn from_f64_lossy(v: f64) -> Self {
        v as f32
    }
}

impl Real for f64 {
    const NAME: &'static str = "float64";
    fn from_f64_lossy(v: f64) -> Self {
        v
    }
}
