//! Stochastic gradient descent with momentum and L2 weight decay, as
//! `torch.optim.SGD(params, lr, momentum, weight_decay)`:
//!
//! ```text
//! d = g + λ·p            (λ: the parameter's weight decay; L2 penalty λ/2·‖p‖²)
//! v ← μ·v + d            (on the first step v = d)
//! p ← p − lr·v
//! ```
//!
//! [`WeightDecay::PerLayer`] gives each layer with parameters its own λ (the lecture's λ₁, λ₂,
//! …; PyTorch's parameter groups).

use std::fmt;
use std::str::FromStr;

use ndarray::ArrayD;

use super::error::{NnError, Result};
use super::model::Sequential;
use crate::real::Real;

/// L2 weight decay: none, one λ for every parameter, or one per layer that has parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum WeightDecay {
    /// λ = 0.
    #[default]
    None,
    /// The same λ for every weight and bias (PyTorch's `weight_decay=λ`).
    All(f64),
    /// λ for the weights and bias of the k-th layer that has parameters, in order.
    PerLayer(Vec<f64>),
}

impl FromStr for WeightDecay {
    type Err = String;

    /// `0.0005` (all parameters) or `0.0001,0.0005,…` (one per layer with parameters).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let values: Vec<f64> = s
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| format!("weight decay '{v}' is not a number ≥ 0"))
            })
            .collect::<std::result::Result<_, _>>()?;
        Ok(match values.as_slice() {
            [v] if *v == 0.0 => WeightDecay::None,
            [v] => WeightDecay::All(*v),
            _ => WeightDecay::PerLayer(values),
        })
    }
}

impl fmt::Display for WeightDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightDecay::None => write!(f, "0"),
            WeightDecay::All(v) => write!(f, "{v}"),
            WeightDecay::PerLayer(v) => {
                let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                write!(f, "{}", parts.join(","))
            }
        }
    }
}

/// SGD with (PyTorch-style) momentum and weight decay.
///
/// ```
/// use convkit::nn::{Dense, Rng, Sequential, Sgd, WeightDecay};
/// use ndarray::Array2;
///
/// let mut net = Sequential::<f64>::new().with(Dense::new(3, 2, true, &mut Rng::new(0)));
/// let mut sgd = Sgd::new(0.1, 0.9).weight_decay(WeightDecay::All(1e-4));
/// let before = net.params()[0].value.clone();
/// net.loss_backward(Array2::ones((4, 3)).into_dyn(), &[0, 1, 0, 1])?;
/// sgd.step(&mut net)?;
/// assert_ne!(net.params()[0].value, before);
/// # Ok::<(), convkit::nn::NnError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sgd<T> {
    lr: f64,
    momentum: T,
    decay: WeightDecay,
    velocity: Vec<ArrayD<T>>,
}

impl<T: Real> Sgd<T> {
    /// `SGD(lr, momentum)`, no weight decay.
    pub fn new(lr: f64, momentum: f64) -> Self {
        Sgd {
            lr,
            momentum: T::from_f64_lossy(momentum),
            decay: WeightDecay::None,
            velocity: Vec::new(),
        }
    }

    /// Sets the weight decay (builder style).
    pub fn weight_decay(mut self, decay: WeightDecay) -> Self {
        self.decay = decay;
        self
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Sets the learning rate (what a schedule does between epochs).
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// The momentum buffers, one per parameter in `Sequential::params` order (empty before the
    /// first step).
    pub fn velocity(&self) -> &[ArrayD<T>] {
        &self.velocity
    }

    /// Restores momentum buffers saved from [`velocity`](Self::velocity) (e.g. from a
    /// checkpoint); their shapes are checked at the next step.
    pub fn set_velocity(&mut self, velocity: Vec<ArrayD<T>>) {
        self.velocity = velocity;
    }

    /// λ of every parameter of `model`, in `params` order.
    fn decays(&self, model: &Sequential<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut layer = 0;
        for l in model.layers() {
            let params = l.params();
            if params.is_empty() {
                continue;
            }
            let lambda = match &self.decay {
                WeightDecay::None => 0.0,
                WeightDecay::All(v) => *v,
                WeightDecay::PerLayer(v) => *v.get(layer).ok_or_else(|| {
                    NnError::Config(format!(
                        "{} weight-decay values for a model with more layers with parameters",
                        v.len()
                    ))
                })?,
            };
            out.extend(params.iter().map(|_| T::from_f64_lossy(lambda)));
            layer += 1;
        }
        if let WeightDecay::PerLayer(v) = &self.decay
            && v.len() != layer
        {
            return Err(NnError::Config(format!(
                "{} weight-decay values for {layer} layers with parameters",
                v.len()
            )));
        }
        Ok(out)
    }

    /// Updates every parameter of `model` from its accumulated gradient.
    pub fn step(&mut self, model: &mut Sequential<T>) -> Result<()> {
        let decays = self.decays(model)?;
        let first = self.velocity.is_empty();
        let (lr, m) = (T::from_f64_lossy(self.lr), self.momentum);
        let params = model.params_mut();
        if !first
            && (self.velocity.len() != params.len()
                || self
                    .velocity
                    .iter()
                    .zip(&params)
                    .any(|(v, p)| v.shape() != p.value.shape()))
        {
            return Err(NnError::Config(
                "optimiser state does not match the model's parameters".into(),
            ));
        }
        for (k, p) in params.into_iter().enumerate() {
            let lambda = decays[k];
            if first {
                let mut d = p.grad.clone();
                if lambda != T::zero() {
                    ndarray::Zip::from(&mut d)
                        .and(&p.value)
                        .for_each(|d, &w| *d += lambda * w);
                }
                self.velocity.push(d);
            } else {
                ndarray::Zip::from(&mut self.velocity[k])
                    .and(&p.grad)
                    .and(&p.value)
                    .for_each(|v, &g, &w| *v = *v * m + (g + lambda * w));
            }
            ndarray::Zip::from(&mut p.value)
                .and(&self.velocity[k])
                .for_each(|w, &v| *w -= lr * v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Dense, Rng};
    use ndarray::{Array1, Array2};

    /// Two steps by hand: d = g + λw, v = d then v = μv + d, w -= lr·v.
    #[test]
    fn matches_the_update_rule() {
        let w0 = Array2::from_shape_vec((1, 2), vec![1.0, -2.0]).unwrap();
        let mut net =
            Sequential::<f64>::new().with(Dense::from_weights(w0, Some(Array1::zeros(1))).unwrap());
        let (lr, mu, lambda) = (0.1, 0.9, 0.01);
        let mut sgd = Sgd::new(lr, mu).weight_decay(WeightDecay::All(lambda));
        let set_grad = |net: &mut Sequential<f64>, g: [f64; 2]| {
            let p = &mut net.params_mut()[0].grad;
            p[[0, 0]] = g[0];
            p[[0, 1]] = g[1];
        };
        set_grad(&mut net, [0.5, 0.25]);
        sgd.step(&mut net).unwrap();
        let v1 = [0.5 + lambda * 1.0, 0.25 + lambda * -2.0];
        let w1 = [1.0 - lr * v1[0], -2.0 - lr * v1[1]];
        let got = &net.params()[0].value;
        assert!((got[[0, 0]] - w1[0]).abs() < 1e-15 && (got[[0, 1]] - w1[1]).abs() < 1e-15);
        set_grad(&mut net, [-1.0, 2.0]);
        sgd.step(&mut net).unwrap();
        let v2 = [
            mu * v1[0] + (-1.0 + lambda * w1[0]),
            mu * v1[1] + (2.0 + lambda * w1[1]),
        ];
        let w2 = [w1[0] - lr * v2[0], w1[1] - lr * v2[1]];
        let got = &net.params()[0].value;
        assert!((got[[0, 0]] - w2[0]).abs() < 1e-15 && (got[[0, 1]] - w2[1]).abs() < 1e-15);
    }

    #[test]
    fn parses_and_checks_per_layer_decay() {
        assert_eq!("0".parse::<WeightDecay>().unwrap(), WeightDecay::None);
        assert_eq!(
            "5e-4".parse::<WeightDecay>().unwrap(),
            WeightDecay::All(5e-4)
        );
        let per: WeightDecay = "0.1,0.2".parse().unwrap();
        assert_eq!(per.to_string(), "0.1,0.2");
        assert!("-1".parse::<WeightDecay>().is_err());
        let mut net = Sequential::<f64>::new().with(Dense::new(3, 2, true, &mut Rng::new(0)));
        let mut sgd = Sgd::new(0.1, 0.0).weight_decay(per);
        assert!(matches!(sgd.step(&mut net), Err(NnError::Config(_))));
    }
}
