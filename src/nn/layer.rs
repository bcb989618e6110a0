//! The layer interface every building block of a [`Sequential`](super::Sequential) implements,
//! and [`Param`], a trainable array with its gradient.
//!
//! Tensors travel between layers as `ArrayD` in PyTorch's layouts (NCHW activations, `[N, F]`
//! features); each layer checks the rank it needs. A layer in training mode caches what its
//! backward pass needs during `forward`; `backward` takes ∂L/∂output, **accumulates**
//! ∂L/∂parameter into each [`Param::grad`] (as PyTorch does; see
//! [`Sequential::zero_grad`](super::Sequential::zero_grad)) and returns ∂L/∂input.

use ndarray::ArrayD;

use super::ConvAlgorithm;
use super::error::Result;
use crate::real::Real;

/// A trainable array and the gradient accumulated for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param<T> {
    /// PyTorch's name of the parameter within its layer (`weight`, `bias`).
    pub name: &'static str,
    /// The value.
    pub value: ArrayD<T>,
    /// ∂L/∂value, same shape, accumulated by backward passes.
    pub grad: ArrayD<T>,
}

impl<T: Real> Param<T> {
    /// A parameter with a zero gradient.
    pub fn new(name: &'static str, value: ArrayD<T>) -> Self {
        let grad = ArrayD::zeros(value.raw_dim());
        Param { name, value, grad }
    }

    /// Number of scalars.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether it holds no scalars.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Sets the gradient to zero.
    pub fn zero_grad(&mut self) {
        self.grad.fill(T::zero());
    }
}

/// One differentiable stage of a network.
pub trait Layer<T: Real>: Send {
    /// A one-line description in PyTorch's style, e.g. `Conv2d(1, 10, kernel_size=(5, 5), …)`.
    fn describe(&self) -> String;

    /// The output for `x`; in training mode it also caches what backward needs.
    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>>;

    /// Given ∂L/∂output of the last training-mode forward, accumulates the parameter gradients
    /// and returns ∂L/∂input.
    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>>;

    /// Backward when ∂L/∂input is not wanted (the first layer of a model): accumulates the
    /// parameter gradients only. Layers whose input gradient costs real work skip it.
    fn backward_params(&mut self, grad_output: ArrayD<T>) -> Result<()> {
        self.backward(grad_output).map(|_| ())
    }

    /// Whether backward passes will usually be asked for ∂L/∂input (false for a model's first
    /// layer, which `Sequential::loss_backward` runs with [`backward_params`](Self::backward_params)).
    /// A hint for `Auto`'s trial, which times the passes that will run; any layer still computes
    /// ∂L/∂input whenever `backward` is called.
    fn set_input_gradient(&mut self, _needed: bool) {}

    /// The trainable parameters (none by default).
    fn params(&self) -> Vec<&Param<T>> {
        Vec::new()
    }

    /// The trainable parameters, mutably.
    fn params_mut(&mut self) -> Vec<&mut Param<T>> {
        Vec::new()
    }

    /// Switches between training (caching, dropout active) and evaluation mode.
    fn set_training(&mut self, training: bool);

    /// Sets the convolution algorithm (only convolution layers care).
    fn set_algorithm(&mut self, _algorithm: ConvAlgorithm) {}

    /// What `Auto` chose for each input shape seen so far (only convolution layers report).
    fn algorithm_report(&self) -> Vec<String> {
        Vec::new()
    }

    /// Restarts the layer's random stream from `seed` (only dropout draws random numbers), so
    /// a training run can derive every epoch's masks from its seed and resume exactly.
    fn reseed(&mut self, _seed: u64) {}

    /// A copy of the layer (parameters, mode, algorithm choices) that can run another shard of
    /// a training batch on another thread; see [`Sequential::loss_backward`](super::Sequential::loss_backward).
    /// `None` (the default) keeps a model that holds this layer to one shard.
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        None
    }
}
