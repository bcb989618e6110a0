//! Image filtering: photographs as planes of `f32`, a library of named kernels, filters applied
//! through [`crate::signal`]'s public API, a built-in test picture, and comparison figures.
//!
//! Conventions:
//! * An [`Image`] is 1 (gray) or 3 (RGB) planes of `f32`, indexed `[row, col]`, row 0 at the
//!   top, values in `[0, 1]` when read from a file; alpha is carried along unfiltered.
//! * Filters keep the image size (`Output::Same`) and default to **true convolution** with
//!   **reflect** padding (OpenCV's default border); see `docs/filtering.md` for the
//!   comparison with OpenCV's `filter2D`, which correlates.
//! * Colour images are filtered per channel. Signed results (edge detectors) are written with
//!   an explicit [`ToneMap`].
//! * Numeric code on planes is generic over `f32` / `f64` ([`crate::Real`]).
//!
//! ```
//! use convkit::image::{ImageFilter, Kernel, ToneMap, test_image};
//!
//! let img = test_image::standard();
//! let blurred = ImageFilter::new(Kernel::Gaussian { size: 5, sigma: 1.0 }).apply(&img)?;
//! assert_eq!((blurred.height(), blurred.width()), (256, 256));
//! # Ok::<(), convkit::ConvError>(())
//! ```
//!
//! This module tree uses `crate::signal` (the convolution) and `crate::plot` (the figures),
//! never the reverse.

mod error;
pub mod figures;
mod filter;
pub mod io;
pub mod kernels;
mod planes;
pub mod test_image;
mod tone;

pub use error::{ImageError, KernelError};
pub use filter::{Filter, ImageFilter, SEPARABLE_MIN_TAPS};
pub use kernels::{Kernel, Response};
pub use planes::{Channels, Image};
pub use tone::ToneMap;
