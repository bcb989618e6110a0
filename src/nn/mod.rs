//! Convolutional networks on the toolkit's primitives: a convolution layer *is*
//! [`signal::Conv`](crate::signal::Conv)'s cross-correlation, and its gradients are again
//! correlations and convolutions (see [`conv2d`] and `docs/cnn.md`).
//!
//! Tensors follow PyTorch: activations NCHW (`Array4`, passed between layers as `ArrayD`), conv
//! weights OIHW, biases O, dense weights [out, in]. Everything is generic over `f32` (training)
//! and `f64` (gradient checks).
//!
//! ```
//! use convkit::nn::{presets, ConvAlgorithm, softmax_cross_entropy};
//! use ndarray::{Array4, Ix2};
//!
//! let mut net = presets::shallow::<f32>(0, ConvAlgorithm::Im2col)?;
//! assert_eq!(net.param_count(), 98_820);
//! let x = Array4::<f32>::zeros((2, 1, 28, 28)).into_dyn();
//! let step = net.loss_backward(x, &[3, 7])?;
//! assert!((step.loss - 10f32.ln()).abs() < 0.5);
//! # Ok::<(), convkit::nn::NnError>(())
//! ```
//!
//! This module uses `crate::signal` only through its public API.

pub mod activation;
pub mod conv2d;
mod conv_algorithm;
mod conv_direct;
mod conv_fft;
mod conv_winograd;
pub mod dense;
pub mod dropout;
pub mod error;
pub mod flatten;
mod im2col;
pub mod init;
pub mod layer;
pub mod loss;
pub mod model;
pub mod optim;
pub mod pool;
pub mod presets;

pub use activation::{Activation, ActivationKind};
pub use conv_algorithm::ConvAlgorithm;
pub use conv2d::{
    AutoChoice, Conv2d, Conv2dConfig, Conv2dGrads, ConvGeom, PaddingMode, conv2d_backward,
    conv2d_forward,
};
pub use dense::Dense;
pub use dropout::Dropout;
pub use error::NnError;
pub use flatten::Flatten;
pub use init::Rng;
pub use layer::{Layer, Param};
pub use loss::{LossAndGrad, softmax, softmax_cross_entropy};
pub use model::Sequential;
pub use optim::{Sgd, WeightDecay};
pub use pool::{Pool2d, PoolKind};
