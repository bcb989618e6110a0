//! Stochastic gradient descent with momentum, as `torch.optim.SGD(lr, momentum)`:
//! v ← μ·v + g, p ← p − lr·v (on the first step v = g).

use ndarray::ArrayD;

use super::model::Sequential;
use crate::real::Real;

/// SGD with (PyTorch-style) momentum.
#[derive(Debug, Clone)]
pub struct Sgd<T> {
    lr: T,
    momentum: T,
    velocity: Vec<ArrayD<T>>,
}

impl<T: Real> Sgd<T> {
    /// `SGD(lr, momentum)`.
    pub fn new(lr: f64, momentum: f64) -> Self {
        Sgd {
            lr: T::from_f64_lossy(lr),
            momentum: T::from_f64_lossy(momentum),
            velocity: Vec::new(),
        }
    }

    /// Updates every parameter of `model` from its accumulated gradient.
    pub fn step(&mut self, model: &mut Sequential<T>) {
        let first = self.velocity.is_empty();
        for (k, p) in model.params_mut().into_iter().enumerate() {
            if first {
                self.velocity.push(p.grad.clone());
            } else {
                let (m, g) = (self.momentum, &p.grad);
                ndarray::Zip::from(&mut self.velocity[k])
                    .and(g)
                    .for_each(|v, &gv| *v = *v * m + gv);
            }
            let lr = self.lr;
            ndarray::Zip::from(&mut p.value)
                .and(&self.velocity[k])
                .for_each(|w, &v| *w -= lr * v);
        }
    }
}
