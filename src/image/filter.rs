//! Filtering image planes: a [`Filter`] (a library kernel, or the derived gradient magnitude)
//! applied with an [`Op`] and a [`Padding`] through `crate::signal`'s public [`Conv`] builder.
//!
//! Conventions: the output always has the input's size (`Output::Same`); the defaults are
//! **true convolution** and **`Padding::Reflect`** (numpy's `reflect` = OpenCV's default border
//! `BORDER_REFLECT_101`). OpenCV's `filter2D` correlates: pass `Op::Correlate` to match it.
//! Kernels that are separable by construction and have at least [`SEPARABLE_MIN_TAPS`] taps
//! (box and Gaussian blurs from 5×5) run as a column pass then a row pass, each with the same
//! padding; this equals the 2-D filter up to rounding because every padding mode extends the
//! two axes independently. RGB images are filtered plane by plane; alpha is kept.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, Axis};

use super::kernels::{Kernel, Response};
use super::{Image, KernelError, ToneMap};
use crate::Real;
use crate::error::ConvError;
use crate::signal::{Algorithm, Conv, Op, Output, Padding};

/// Kernels with fewer taps than this are applied as one 2-D kernel even when separable.
pub const SEPARABLE_MIN_TAPS: usize = 25;

/// What to compute on each plane.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// One kernel.
    Kernel(Kernel),
    /// `sqrt(Gx² + Gy²)` with Gx, Gy the Sobel x / y responses: edge strength, any direction.
    GradientMagnitude,
}

impl Filter {
    /// How results of this filter are best shown: clamped intensities for kernels whose taps
    /// sum to 1, centred for signed responses, stretched for the gradient magnitude (≥ 0).
    pub fn tone(&self) -> ToneMap {
        match self {
            Filter::Kernel(k) => match k.response() {
                Response::Intensity => ToneMap::Clamp,
                Response::Signed => ToneMap::Centered,
            },
            Filter::GradientMagnitude => ToneMap::MinMax,
        }
    }

    /// Whether results are signed (negative values are meaningful).
    pub fn is_signed(&self) -> bool {
        self.tone() == ToneMap::Centered
    }
}

impl FromStr for Filter {
    type Err = KernelError;
    /// A kernel name from [`kernels::NAMES`](super::kernels::NAMES), or `gradient`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gradient" | "gradient-magnitude" | "sobel" => Ok(Filter::GradientMagnitude),
            _ => Kernel::parse(s).map(Filter::Kernel),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Kernel(k) => k.fmt(f),
            Filter::GradientMagnitude => f.write_str("gradient"),
        }
    }
}

impl From<Kernel> for Filter {
    fn from(k: Kernel) -> Self {
        Filter::Kernel(k)
    }
}

/// A filter with its operation, padding and algorithm: the image analogue of [`Conv`].
///
/// ```
/// use convkit::image::{ImageFilter, Kernel};
/// use convkit::signal::Padding;
/// use ndarray::Array2;
///
/// let plane = Array2::<f32>::from_shape_fn((8, 8), |(_, c)| if c < 4 { 0.0 } else { 1.0 });
/// let gx = ImageFilter::new(Kernel::SobelX).padding(Padding::Replicate).apply_plane(&plane)?;
/// assert_eq!(gx[[4, 3]], 4.0); // dark → bright to the right: positive under convolution
/// assert_eq!(gx[[4, 0]], 0.0);
/// # Ok::<(), convkit::ConvError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImageFilter {
    filter: Filter,
    op: Op,
    padding: Padding,
    algorithm: Algorithm,
}

impl ImageFilter {
    /// `filter` with the defaults: convolve, reflect padding, automatic algorithm.
    pub fn new(filter: impl Into<Filter>) -> Self {
        ImageFilter {
            filter: filter.into(),
            op: Op::Convolve,
            padding: Padding::Reflect,
            algorithm: Algorithm::Auto,
        }
    }

    /// Convolve (default) or correlate.
    pub fn op(mut self, op: Op) -> Self {
        self.op = op;
        self
    }

    /// Boundary extension (default reflect).
    pub fn padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Algorithm (default auto).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The filter.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The padding mode.
    pub fn padding_mode(&self) -> Padding {
        self.padding
    }

    /// The [`Conv`] request every pass of this filter uses.
    pub fn conv(&self) -> Conv {
        Conv::new(self.op)
            .output(Output::Same)
            .padding(self.padding)
            .algorithm(self.algorithm)
    }

    /// Filters one plane; the result has the plane's shape.
    pub fn apply_plane<T: Real>(&self, plane: &Array2<T>) -> Result<Array2<T>, ConvError> {
        match &self.filter {
            Filter::Kernel(k) => self.apply_kernel(k, plane),
            Filter::GradientMagnitude => {
                let gx = self.apply_kernel(&Kernel::SobelX, plane)?;
                let gy = self.apply_kernel(&Kernel::SobelY, plane)?;
                Ok(ndarray::Zip::from(&gx)
                    .and(&gy)
                    .map_collect(|&a, &b| a.hypot(b)))
            }
        }
    }

    /// Filters every colour plane of `image` (alpha is kept as it is).
    pub fn apply(&self, image: &Image) -> Result<Image, ConvError> {
        image.map_planes(|p| self.apply_plane(p))
    }

    fn apply_kernel<T: Real>(&self, k: &Kernel, plane: &Array2<T>) -> Result<Array2<T>, ConvError> {
        let conv = self.conv();
        match k.separable::<T>() {
            Some((col, row)) if col.len() * row.len() >= SEPARABLE_MIN_TAPS => {
                let col = col.insert_axis(Axis(1));
                let row = row.insert_axis(Axis(0));
                conv.apply(&conv.apply(plane, &col)?, &row)
            }
            _ => conv.apply(plane, &k.matrix::<T>()),
        }
    }
}
