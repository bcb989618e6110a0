//! Inverted dropout: in training mode each activation is kept with probability 1−p and scaled
//! by 1/(1−p) (so evaluation mode is the identity), with masks drawn from a seeded [`Rng`].

use ndarray::ArrayD;

use super::error::{NnError, Result, shape_error};
use super::init::Rng;
use super::layer::Layer;
use crate::real::Real;

/// `nn.Dropout(p)` with its own seeded generator.
#[derive(Debug, Clone)]
pub struct Dropout<T> {
    p: f64,
    rng: Rng,
    training: bool,
    mask: Option<ArrayD<T>>,
}

impl<T: Real> Dropout<T> {
    /// Drops each activation with probability `p` in [0, 1]; masks come from `Rng::new(seed)`.
    pub fn new(p: f64, seed: u64) -> Result<Self> {
        if !(0.0..=1.0).contains(&p) {
            return Err(NnError::Config(format!(
                "dropout probability {p} not in [0, 1]"
            )));
        }
        Ok(Dropout {
            p,
            rng: Rng::new(seed),
            training: true,
            mask: None,
        })
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl<T: Real> Layer<T> for Dropout<T> {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        format!("Dropout(p={})", self.p)
    }

    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        if !self.training {
            return Ok(x);
        }
        let scale = if self.p < 1.0 {
            T::from_f64_lossy(1.0 / (1.0 - self.p))
        } else {
            T::zero()
        };
        let p = self.p;
        let rng = &mut self.rng;
        let mask = x.mapv(|_| {
            if rng.next_f64() >= p {
                scale
            } else {
                T::zero()
            }
        });
        let y = &x * &mask;
        self.mask = Some(mask);
        Ok(y)
    }

    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let mask = self
            .mask
            .as_ref()
            .ok_or_else(|| NnError::NoForward(self.describe()))?;
        if mask.shape() != grad_output.shape() {
            return Err(shape_error(
                self.describe(),
                format!("{:?}", mask.shape()),
                grad_output.shape(),
            ));
        }
        Ok(grad_output * mask)
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        self.mask = None;
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }
}
