//! `Sequential`: layers applied in order, with parameter iteration and counting, train/eval
//! mode, a forward pass that caches what backward needs, and the backward pass in reverse order.
//!
//! A training step ([`Sequential::loss_backward`]) on more than [`SHARD_SAMPLES`] samples is
//! data-parallel: the batch is cut into equal shards, each runs forward and backward through its
//! own copy of the layers on one of rayon's threads, and the shards' parameter gradients are
//! added in shard order. One parallel region per step instead of one per layer keeps both cores
//! busy and each shard's activations in its core's cache; the shards depend on the batch size
//! only, so the numbers do not depend on the thread count.

use std::ops::Range;

use ndarray::{Array2, ArrayD, Axis, Ix2};
use rayon::prelude::*;

use super::ConvAlgorithm;
use super::error::{Result, shape_error};
use super::init::Rng;
use super::layer::{Layer, Param};
use super::loss::{LossAndGrad, softmax_cross_entropy};
use crate::real::Real;

/// Most samples one shard of a training batch holds (see the module docs): a batch of 64 runs
/// as two shards of 32.
pub const SHARD_SAMPLES: usize = 32;

type Layers<T> = Vec<Box<dyn Layer<T>>>;

/// A chain of layers (PyTorch's `nn.Sequential`).
pub struct Sequential<T: Real> {
    layers: Vec<Box<dyn Layer<T>>>,
    training: bool,
    // Copies of `layers` for the second, third, … shard of a training batch; made on first use,
    // their parameter values are refreshed from `layers` at every step.
    replicas: Vec<Layers<T>>,
    // The last `reseed` seed, from which the replicas' random streams are derived.
    seed: u64,
    // Set when a layer declined to replicate, so that later steps do not copy the others
    // again only to find out; cleared whenever the layers change.
    unreplicable: bool,
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
            replicas: Vec::new(),
            seed: 0,
            unreplicable: false,
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
        self.forget_replicas();
    }

    /// Inserts a layer before position `index` (at the end if `index` ≥ the layer count).
    pub fn insert(&mut self, index: usize, mut layer: Box<dyn Layer<T>>) {
        layer.set_training(self.training);
        self.layers.insert(index.min(self.layers.len()), layer);
        self.hint_input_gradients();
        self.forget_replicas();
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

    /// The layers, mutably. (A change to a layer other than its parameter values reaches the
    /// shards of the next training step, which are copied afresh.)
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer<T>>] {
        self.forget_replicas();
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
    /// The other shards of a training batch draw from streams derived from `seed` and the
    /// shard's index.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        reseed_layers(&mut self.layers, seed);
        for (r, layers) in self.replicas.iter_mut().enumerate() {
            reseed_layers(layers, replica_seed(seed, r));
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
        for l in self
            .layers
            .iter_mut()
            .chain(self.replicas.iter_mut().flatten())
        {
            l.set_training(training);
        }
    }

    /// Sets the convolution algorithm of every convolution layer.
    pub fn set_algorithm(&mut self, algorithm: ConvAlgorithm) {
        for l in self
            .layers
            .iter_mut()
            .chain(self.replicas.iter_mut().flatten())
        {
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
    ///
    /// A batch of more than [`SHARD_SAMPLES`] samples runs as equal shards in parallel (see the
    /// module docs) when every layer can [`replicate`](Layer::replicate); the result is the
    /// whole batch's, up to rounding. Dropout draws each shard's masks from its own stream.
    pub fn loss_backward(&mut self, x: ArrayD<T>, labels: &[usize]) -> Result<LossAndGrad<T>> {
        let n = x.shape().first().copied().unwrap_or(0);
        let shards = n.div_ceil(SHARD_SAMPLES);
        if shards < 2 || labels.len() != n || !self.ensure_replicas(shards - 1) {
            return layers_loss_backward(&mut self.layers, x, labels, T::one());
        }
        for replica in &mut self.replicas[..shards - 1] {
            for (to, from) in replica
                .iter_mut()
                .flat_map(|l| l.params_mut())
                .zip(self.layers.iter().flat_map(|l| l.params()))
            {
                to.value.assign(&from.value);
                to.zero_grad();
            }
        }
        let ranges: Vec<Range<usize>> = (0..shards)
            .map(|s| s * n / shards..(s + 1) * n / shards)
            .collect();
        let jobs: Vec<(&mut Layers<T>, Range<usize>)> = std::iter::once(&mut self.layers)
            .chain(self.replicas.iter_mut())
            .zip(ranges)
            .collect();
        let steps: Vec<Result<LossAndGrad<T>>> = jobs
            .into_par_iter()
            .map(|(layers, r)| {
                let xs = x.slice_axis(Axis(0), r.clone().into()).to_owned();
                let share = T::from_f64_lossy(r.len() as f64 / n as f64);
                layers_loss_backward(layers, xs, &labels[r], share)
            })
            .collect();
        let steps = steps.into_iter().collect::<Result<Vec<_>>>()?;
        for replica in &self.replicas[..shards - 1] {
            for (to, from) in self
                .layers
                .iter_mut()
                .flat_map(|l| l.params_mut())
                .zip(replica.iter().flat_map(|l| l.params()))
            {
                to.grad += &from.grad;
            }
        }
        let grads: Vec<_> = steps.iter().map(|s| s.grad.view()).collect();
        let grad = ndarray::concatenate(Axis(0), &grads)
            .map_err(|_| shape_error("loss", "equal shard logits", &[n]))?;
        let loss = steps.iter().fold(T::zero(), |acc, s| acc + s.loss);
        Ok(LossAndGrad { loss, grad })
    }

    /// Drops the replicas after a change to the layers (the next sharded step copies them anew).
    fn forget_replicas(&mut self) {
        self.replicas.clear();
        self.unreplicable = false;
    }

    /// Makes sure `count` replicas exist; false if some layer cannot be replicated.
    fn ensure_replicas(&mut self, count: usize) -> bool {
        while self.replicas.len() < count {
            if self.unreplicable {
                return false;
            }
            let copy: Option<Vec<_>> = self.layers.iter().map(|l| l.replicate()).collect();
            let Some(mut copy) = copy else {
                self.unreplicable = true;
                return false;
            };
            reseed_layers(&mut copy, replica_seed(self.seed, self.replicas.len()));
            self.replicas.push(copy);
        }
        true
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

/// Forward, loss and backward of one shard through `layers`; `share` (the shard's fraction of
/// the batch) scales the loss and its gradient so that the shards add up to the batch mean.
fn layers_loss_backward<T: Real>(
    layers: &mut [Box<dyn Layer<T>>],
    x: ArrayD<T>,
    labels: &[usize],
    share: T,
) -> Result<LossAndGrad<T>> {
    let logits = layers.iter_mut().try_fold(x, |x, l| l.forward(x))?;
    let shape = logits.shape().to_vec();
    let logits: Array2<T> = logits
        .into_dimensionality::<Ix2>()
        .map_err(|_| shape_error("loss", "[N, classes]", &shape))?;
    let mut lg = softmax_cross_entropy(logits.view(), labels)?;
    if share != T::one() {
        lg.loss *= share;
        lg.grad.mapv_inplace(|g| g * share);
    }
    // Nobody asks for the gradient of the images: the first layer skips it.
    let mut grad = lg.grad.clone().into_dyn();
    for (i, l) in layers.iter_mut().enumerate().rev() {
        if i == 0 {
            l.backward_params(grad)?;
            break;
        }
        grad = l.backward(grad)?;
    }
    Ok(lg)
}

fn reseed_layers<T: Real>(layers: &mut [Box<dyn Layer<T>>], seed: u64) {
    for (i, l) in layers.iter_mut().enumerate() {
        l.reseed(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }
}

/// The seed of replica `r` (the shard `r + 1`) of a model reseeded with `seed`.
fn replica_seed(seed: u64, r: usize) -> u64 {
    Rng::derive(seed, &[r as u64 + 1])
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

    /// An identity layer that counts how often it was replicated.
    struct Counted(Arc<Mutex<usize>>);

    impl Layer<f64> for Counted {
        fn describe(&self) -> String {
            "Counted()".into()
        }
        fn forward(&mut self, x: ArrayD<f64>) -> Result<ArrayD<f64>> {
            Ok(x)
        }
        fn backward(&mut self, g: ArrayD<f64>) -> Result<ArrayD<f64>> {
            Ok(g)
        }
        fn set_training(&mut self, _training: bool) {}
        fn replicate(&self) -> Option<Box<dyn Layer<f64>>> {
            *self.0.lock().unwrap() += 1;
            Some(Box::new(Counted(self.0.clone())))
        }
    }

    #[test]
    fn a_layer_that_cannot_replicate_keeps_the_model_whole_without_copying_every_step() {
        let copies = Arc::new(Mutex::new(0));
        let mut rng = crate::nn::Rng::new(1);
        let mut net = Sequential::<f64>::new()
            .with(Counted(copies.clone()))
            .with(Probe(Arc::default()))
            .with(crate::nn::Dense::new(3, 4, true, &mut rng));
        let n = 2 * SHARD_SAMPLES;
        let x: ArrayD<f64> = rng.uniform_array(&[n, 3], -1.0, 1.0);
        let labels: Vec<usize> = (0..n).map(|i| i % 4).collect();
        let first = net.loss_backward(x.clone(), &labels).unwrap();
        let second = net.loss_backward(x.clone(), &labels).unwrap();
        assert_eq!(first, second);
        assert_eq!(*copies.lock().unwrap(), 1, "tried once, not at every step");
        net.layers_mut();
        net.loss_backward(x, &labels).unwrap();
        assert_eq!(
            *copies.lock().unwrap(),
            2,
            "a change to the layers tries again"
        );
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
