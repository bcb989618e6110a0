//! `Sequential`: layers applied in order, with parameter iteration and counting, train/eval
//! mode, a forward pass that caches what backward needs, and the backward pass in reverse order.

use ndarray::{Array2, ArrayD, Ix2};

use super::ConvAlgorithm;
use super::error::{Result, shape_error};
use super::layer::{Layer, Param};
use super::loss::{LossAndGrad, softmax_cross_entropy};
use crate::real::Real;

/// A chain of layers (PyTorch's `nn.Sequential`).
pub struct Sequential<T: Real> {
    layers: Vec<Box<dyn Layer<T>>>,
    training: bool,
}

impl<T: Real> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real> Sequential<T> {
    /// An empty model in training mode.
    pub fn new() -> Self {
        Sequential {
            layers: Vec::new(),
            training: true,
        }
    }

    /// Appends a layer (builder style).
    pub fn with(mut self, layer: impl Layer<T> + 'static) -> Self {
        self.push(Box::new(layer));
        self
    }

    /// Appends a boxed layer.
    pub fn push(&mut self, mut layer: Box<dyn Layer<T>>) {
        layer.set_training(self.training);
        self.layers.push(layer);
        self.hint_input_gradients();
    }

    /// Inserts a layer before position `index` (at the end if `index` ≥ the layer count).
    pub fn insert(&mut self, index: usize, mut layer: Box<dyn Layer<T>>) {
        layer.set_training(self.training);
        self.layers.insert(index.min(self.layers.len()), layer);
        self.hint_input_gradients();
    }

    /// Tells every layer whether `loss_backward` will ask it for ∂L/∂input (all but the first).
    fn hint_input_gradients(&mut self) {
        for (i, l) in self.layers.iter_mut().enumerate() {
            l.set_input_gradient(i > 0);
        }
    }

    /// The layers.
    pub fn layers(&self) -> &[Box<dyn Layer<T>>] {
        &self.layers
    }

    /// The layers, mutably.
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer<T>>] {
        &mut self.layers
    }

    /// Every parameter, in layer order (PyTorch's `parameters()` order).
    pub fn params(&self) -> Vec<&Param<T>> {
        self.layers.iter().flat_map(|l| l.params()).collect()
    }

    /// Every parameter, mutably.
    pub fn params_mut(&mut self) -> Vec<&mut Param<T>> {
        self.layers
            .iter_mut()
            .flat_map(|l| l.params_mut())
            .collect()
    }

    /// `(name, parameter)` pairs with PyTorch's `state_dict` names (`0.weight`, `0.bias`, …).
    pub fn named_params(&self) -> Vec<(String, &Param<T>)> {
        self.layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                l.params()
                    .into_iter()
                    .map(move |p| (format!("{i}.{}", p.name), p))
            })
            .collect()
    }

    /// `(name, parameter)` pairs as [`named_params`](Self::named_params), mutably.
    pub fn named_params_mut(&mut self) -> Vec<(String, &mut Param<T>)> {
        self.layers
            .iter_mut()
            .enumerate()
            .flat_map(|(i, l)| {
                l.params_mut()
                    .into_iter()
                    .map(move |p| (format!("{i}.{}", p.name), p))
            })
            .collect()
    }

    /// Restarts every layer's random stream (dropout masks) from `seed` and the layer's index.
    pub fn reseed(&mut self, seed: u64) {
        for (i, l) in self.layers.iter_mut().enumerate() {
            l.reseed(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
    }

    /// Number of trainable scalars.
    pub fn param_count(&self) -> usize {
        self.params().iter().map(|p| p.len()).sum()
    }

    /// Training mode: layers cache for backward, dropout is active.
    pub fn train(&mut self) {
        self.set_training(true);
    }

    /// Evaluation mode: no caching, dropout is the identity.
    pub fn eval(&mut self) {
        self.set_training(false);
    }

    /// Whether the model is in training mode.
    pub fn is_training(&self) -> bool {
        self.training
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        for l in &mut self.layers {
            l.set_training(training);
        }
    }

    /// Sets the convolution algorithm of every convolution layer.
    pub fn set_algorithm(&mut self, algorithm: ConvAlgorithm) {
        for l in &mut self.layers {
            l.set_algorithm(algorithm);
        }
    }

    /// What `Auto` chose in each convolution layer, one line per layer and input shape.
    pub fn algorithm_report(&self) -> Vec<String> {
        self.layers
            .iter()
            .flat_map(|l| l.algorithm_report())
            .collect()
    }

    /// Sets every parameter gradient to zero.
    pub fn zero_grad(&mut self) {
        for p in self.params_mut() {
            p.zero_grad();
        }
    }

    /// The output for `x` (in training mode every layer caches for backward).
    pub fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        self.layers.iter_mut().try_fold(x, |x, l| l.forward(x))
    }

    /// The output of every layer for `x`, in order, each with the layer's description (for
    /// looking at feature maps; run it in evaluation mode).
    pub fn forward_trace(&mut self, x: ArrayD<T>) -> Result<Vec<(String, ArrayD<T>)>> {
        let mut out: Vec<(String, ArrayD<T>)> = Vec::with_capacity(self.layers.len());
        let mut cur = x;
        for l in &mut self.layers {
            cur = l.forward(cur)?;
            out.push((l.describe(), cur.clone()));
        }
        Ok(out)
    }

    /// Backward from ∂L/∂output: accumulates every parameter gradient, returns ∂L/∂input.
    pub fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        self.layers
            .iter_mut()
            .rev()
            .try_fold(grad_output, |g, l| l.backward(g))
    }

    /// Forward, mean softmax cross-entropy against `labels`, backward: the gradients of one
    /// training step are accumulated and the loss and the logits' gradient returned.
    pub fn loss_backward(&mut self, x: ArrayD<T>, labels: &[usize]) -> Result<LossAndGrad<T>> {
        let logits = self.forward(x)?;
        let shape = logits.shape().to_vec();
        let logits: Array2<T> = logits
            .into_dimensionality::<Ix2>()
            .map_err(|_| shape_error("loss", "[N, classes]", &shape))?;
        let lg = softmax_cross_entropy(logits.view(), labels)?;
        // Nobody asks for the gradient of the images: the first layer skips it.
        let mut grad = lg.grad.clone().into_dyn();
        for (i, l) in self.layers.iter_mut().enumerate().rev() {
            if i == 0 {
                l.backward_params(grad)?;
                break;
            }
            grad = l.backward(grad)?;
        }
        Ok(lg)
    }

    /// The model in PyTorch's repr style, with the parameter count.
    pub fn summary(&self) -> String {
        let mut s = String::from("Sequential(\n");
        for (i, l) in self.layers.iter().enumerate() {
            s += &format!("  ({i}): {}\n", l.describe());
        }
        s += &format!(")  # {} parameters", self.param_count());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Records the input-gradient hint it was given last.
    struct Probe(Arc<Mutex<Option<bool>>>);

    impl Layer<f64> for Probe {
        fn describe(&self) -> String {
            "Probe()".into()
        }
        fn forward(&mut self, x: ArrayD<f64>) -> Result<ArrayD<f64>> {
            Ok(x)
        }
        fn backward(&mut self, g: ArrayD<f64>) -> Result<ArrayD<f64>> {
            Ok(g)
        }
        fn set_training(&mut self, _training: bool) {}
        fn set_input_gradient(&mut self, needed: bool) {
            *self.0.lock().unwrap() = Some(needed);
        }
    }

    #[test]
    fn only_the_first_layer_is_told_it_skips_the_input_gradient() {
        let hints: Vec<Arc<Mutex<Option<bool>>>> = (0..3).map(|_| Arc::default()).collect();
        let mut net = Sequential::<f64>::new()
            .with(Probe(hints[0].clone()))
            .with(Probe(hints[1].clone()));
        assert_eq!(
            [*hints[0].lock().unwrap(), *hints[1].lock().unwrap()],
            [Some(false), Some(true)]
        );
        net.insert(0, Box::new(Probe(hints[2].clone())));
        let got: Vec<_> = hints.iter().map(|h| *h.lock().unwrap()).collect();
        assert_eq!(got, [Some(true), Some(true), Some(false)]);
    }
}
