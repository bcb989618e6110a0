//! # convkit
//!
//! A convolution toolkit: 1-D and 2-D convolution and cross-correlation with explicit output
//! sizes (full / same / valid), boundary extension (zero, replicate, reflect, symmetric,
//! circular), stride and dilation, on ndarray arrays of `f32` or `f64`.
//!
//! ```
//! use convkit::signal::{Conv, Output, Padding};
//! use ndarray::array;
//!
//! // The lecture's worked example: [3 1 2] * [3 2 1].
//! let y = convkit::convolve(&array![3.0, 1.0, 2.0], &array![3.0, 2.0, 1.0])?;
//! assert_eq!(y, array![9.0, 9.0, 11.0, 5.0, 2.0]);
//!
//! // A 3×3 box blur of an image, same size, mirrored borders.
//! let image = ndarray::Array2::<f32>::ones((4, 5));
//! let blur = ndarray::Array2::<f32>::from_elem((3, 3), 1.0 / 9.0);
//! let out = Conv::convolve().output(Output::Same).padding(Padding::Reflect).apply(&image, &blur)?;
//! assert_eq!(out.dim(), (4, 5));
//! # Ok::<(), convkit::ConvError>(())
//! ```
//!
//! Modules: [`signal`] (the primitives and the LTI view of them), [`image`] (photographs as
//! planes, a kernel library, filtering, a built-in test image), [`nn`] (CNN layers built on the
//! same primitives, `docs/cnn.md`), [`plot`] (figures drawn with plotters), [`bench`](mod@bench)
//! (the benchmark workloads and timing protocol), [`npy`] (numpy's file format), [`atomic_file`]
//! (how every output is written). Dependencies point one way: `image → signal`,
//! `nn → signal`, `image → plot`, `train → nn, data, plot`, `cli → everything`. [`data`]
//! reads MNIST's IDX files; [`train`] trains the network presets on them and writes
//! PyTorch-loadable safetensors checkpoints. The exact semantics are in
//! `docs/semantics.md`; filtering conventions in `docs/filtering.md`.

pub mod atomic_file;
pub mod bench;
pub mod cli;
pub mod data;
pub mod error;
pub mod image;
pub mod malloc;
pub mod nn;
pub mod npy;
pub mod plot;
mod real;
pub mod signal;
pub mod train;

pub use error::{ConvError, Result};
pub use real::Real;
pub use signal::{convolve, correlate};
