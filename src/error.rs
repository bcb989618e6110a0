//! Typed errors of the convolution primitives.
//!
//! Every bad input is reported as a [`ConvError`] value: the library does not panic on user
//! input. NaN and Inf in the data are *not* errors: they propagate as IEEE arithmetic says.

use thiserror::Error;

/// What went wrong with a convolution request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvError {
    /// The signal or the kernel has no samples on some axis.
    #[error("the {what} is empty (shape {shape:?})")]
    Empty {
        /// `"signal"` or `"kernel"`.
        what: &'static str,
        /// Its shape.
        shape: Vec<usize>,
    },
    /// In `valid` output (or with explicit pads too small), the (dilated) kernel does not fit.
    #[error(
        "the kernel does not fit: effective kernel length {kernel} > padded signal length {signal} on axis {axis} (valid output never swaps signal and kernel)"
    )]
    KernelTooLarge {
        /// Axis (0 for 1-D signals; 0 = rows, 1 = columns in 2-D).
        axis: usize,
        /// Effective kernel length d(K-1)+1.
        kernel: usize,
        /// Signal length plus any explicit padding.
        signal: usize,
    },
    /// A stride or dilation of zero.
    #[error("{name} must be at least 1 on every axis, got {value}")]
    InvalidParameter {
        /// `"stride"` or `"dilation"`.
        name: &'static str,
        /// The rejected value.
        value: usize,
    },
    /// Sizes whose arithmetic overflows (e.g. a huge dilation).
    #[error("sizes too large: {0}")]
    TooLarge(String),
    /// The requested algorithm is not available for this request.
    #[error("algorithm '{0}' is not supported for this request")]
    UnsupportedAlgorithm(crate::signal::Algorithm),
}

/// Result type of the convolution primitives.
pub type Result<T, E = ConvError> = std::result::Result<T, E>;
