//! Signal-processing primitives: 1-D and 2-D convolution and cross-correlation of LTI systems.
//!
//! This module tree knows nothing of images or networks; they build on it.
//!
//! Conventions (pinned to numpy / scipy.signal, see `docs/semantics.md`): with N the signal
//! length, K the kernel length and K' = d(K-1)+1 its dilated span, per axis,
//! * `full`  = `scipy.signal.convolve(numpy.pad(x, K'-1, mode), h, 'valid')`, length N+K'-1;
//! * `same`  = full\[(K'-1)/2 .. (K'-1)/2 + N\] (scipy's `'same'`);
//! * `valid` = length N-K'+1, an error if K' > N (never a swap);
//! * stride s keeps every s-th output from the first; explicit pads give `valid` over the
//!   padded signal (PyTorch's arithmetic).
//!
//! Padding modes follow `numpy.pad` for any width. Results keep the input's float type.
//! NaN and Inf propagate as arithmetic says (an Inf times a zero tap gives NaN, as in numpy).

pub mod auto;
mod buffer;
mod conv;
pub mod direct;
pub mod fft;
pub mod flip_slide;
pub mod geometry;
mod isa;
pub mod lti;
pub mod multichannel;
mod options;
pub mod overlap_add;
pub mod padding;
pub(crate) mod parallel;
mod scoped;
pub mod scratch;
pub mod spectrum_batch;

pub use conv::{Conv, PlaneDim, convolve, correlate};
pub use options::{Algorithm, Op, Output, Padding, ParseOptionError};
