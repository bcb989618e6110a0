//! Typed errors of the network layers: a wrong input shape, a backward pass without its forward,
//! or an error of the convolution primitives underneath.

use thiserror::Error;

use crate::error::ConvError;

/// What went wrong in a layer or a model.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NnError {
    /// The input does not have the shape the layer expects.
    #[error("{layer}: expected an input of shape {expected}, got {got:?}")]
    Shape {
        /// The layer's description.
        layer: String,
        /// What it expects, in words (e.g. `[N, 3, H, W]`).
        expected: String,
        /// The shape it got.
        got: Vec<usize>,
    },
    /// `backward` was called without a forward pass in training mode before it.
    #[error("{0}: backward without a cached training-mode forward")]
    NoForward(String),
    /// A configuration that cannot work (zero channels, groups not dividing the channels, …).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// An error of the convolution primitives.
    #[error(transparent)]
    Conv(#[from] ConvError),
}

/// Result type of the network layers.
pub type Result<T, E = NnError> = std::result::Result<T, E>;

pub(crate) fn shape_error(
    layer: impl Into<String>,
    expected: impl Into<String>,
    got: &[usize],
) -> NnError {
    NnError::Shape {
        layer: layer.into(),
        expected: expected.into(),
        got: got.to_vec(),
    }
}
