//! Element-wise activations: ReLU, leaky ReLU, sigmoid, tanh, ELU, each with its derivative
//! written as PyTorch's backward computes it.
//!
//! | activation | f(x) | f′ used in backward |
//! |---|---|---|
//! | ReLU | max(x, 0) | 1 if x > 0 else 0 |
//! | LeakyReLU(a) | x if x > 0 else a·x | 1 if x > 0 else a |
//! | Sigmoid | 1/(1+e^−x) | y(1−y) |
//! | Tanh | tanh x | 1−y² |
//! | ELU(α) | x if x > 0 else α(eˣ−1) | 1 if x > 0 else y+α |

use ndarray::ArrayD;

use super::error::{NnError, Result, shape_error};
use super::layer::Layer;
use crate::real::Real;

/// Which function an [`Activation`] layer applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActivationKind {
    /// max(x, 0).
    Relu,
    /// x for x > 0, slope·x otherwise (PyTorch's default slope is 0.01).
    LeakyRelu(f64),
    /// The logistic function.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// x for x > 0, α(eˣ − 1) otherwise (PyTorch's default α is 1).
    Elu(f64),
}

/// An element-wise activation layer.
#[derive(Debug, Clone)]
pub struct Activation<T> {
    kind: ActivationKind,
    training: bool,
    // Training cache: the input.
    cache: Option<ArrayD<T>>,
}

impl<T: Real> Activation<T> {
    /// A layer applying `kind`.
    pub fn new(kind: ActivationKind) -> Self {
        Activation {
            kind,
            training: true,
            cache: None,
        }
    }
    /// `nn.ReLU()`.
    pub fn relu() -> Self {
        Self::new(ActivationKind::Relu)
    }
    /// `nn.LeakyReLU(slope)`.
    pub fn leaky_relu(slope: f64) -> Self {
        Self::new(ActivationKind::LeakyRelu(slope))
    }
    /// `nn.Sigmoid()`.
    pub fn sigmoid() -> Self {
        Self::new(ActivationKind::Sigmoid)
    }
    /// `nn.Tanh()`.
    pub fn tanh() -> Self {
        Self::new(ActivationKind::Tanh)
    }
    /// `nn.ELU(alpha)`.
    pub fn elu(alpha: f64) -> Self {
        Self::new(ActivationKind::Elu(alpha))
    }

    /// f(x).
    pub fn apply(kind: ActivationKind, x: T) -> T {
        let zero = T::zero();
        match kind {
            ActivationKind::Relu => {
                // NaN propagates, as torch.relu.
                if x > zero || x.is_nan() { x } else { zero }
            }
            ActivationKind::LeakyRelu(a) => {
                if x > zero {
                    x
                } else {
                    x * T::from_f64_lossy(a)
                }
            }
            ActivationKind::Sigmoid => T::one() / (T::one() + (-x).exp()),
            ActivationKind::Tanh => x.tanh(),
            ActivationKind::Elu(a) => {
                if x > zero {
                    x
                } else {
                    T::from_f64_lossy(a) * x.exp_m1()
                }
            }
        }
    }

    /// f′ at input x with output y.
    pub fn derivative(kind: ActivationKind, x: T, y: T) -> T {
        let (zero, one) = (T::zero(), T::one());
        match kind {
            ActivationKind::Relu => {
                if x > zero {
                    one
                } else {
                    zero
                }
            }
            ActivationKind::LeakyRelu(a) => {
                if x > zero {
                    one
                } else {
                    T::from_f64_lossy(a)
                }
            }
            ActivationKind::Sigmoid => y * (one - y),
            ActivationKind::Tanh => one - y * y,
            ActivationKind::Elu(a) => {
                if x > zero {
                    one
                } else {
                    y + T::from_f64_lossy(a)
                }
            }
        }
    }
}

/// x ← f(x), element by element, in the input's own buffer.
fn apply_in_place<T: Real>(x: &mut ArrayD<T>, f: impl Fn(T) -> T) {
    match x.as_slice_mut() {
        Some(xs) => xs.iter_mut().for_each(|v| *v = f(*v)),
        None => x.mapv_inplace(f),
    }
}

/// g ← g · f′(x), element by element.
fn chain<T: Real>(g: &mut ArrayD<T>, x: &ArrayD<T>, derivative: impl Fn(T) -> T) {
    match (g.as_slice_mut(), x.as_slice()) {
        (Some(g), Some(xs)) => g.iter_mut().zip(xs).for_each(|(g, &v)| *g *= derivative(v)),
        _ => ndarray::Zip::from(g)
            .and(x)
            .for_each(|g, &v| *g *= derivative(v)),
    }
}

impl<T: Real> Layer<T> for Activation<T> {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        match self.kind {
            ActivationKind::Relu => "ReLU()".into(),
            ActivationKind::LeakyRelu(a) => format!("LeakyReLU(negative_slope={a})"),
            ActivationKind::Sigmoid => "Sigmoid()".into(),
            ActivationKind::Tanh => "Tanh()".into(),
            ActivationKind::Elu(a) => format!("ELU(alpha={a})"),
        }
    }

    fn forward(&mut self, mut x: ArrayD<T>) -> Result<ArrayD<T>> {
        if self.training {
            // Backward recomputes f(x) where the derivative needs it. The input is copied into
            // the previous step's cache: a buffer already in memory costs less than a fresh one.
            match &mut self.cache {
                Some(c) if c.shape() == x.shape() => c.assign(&x),
                c => *c = Some(x.clone()),
            }
        }
        match self.kind {
            // One monomorphic loop per kind, so the common ones vectorise.
            ActivationKind::Relu => {
                apply_in_place(&mut x, |v| Self::apply(ActivationKind::Relu, v))
            }
            kind => apply_in_place(&mut x, |v| Self::apply(kind, v)),
        }
        Ok(x)
    }

    fn backward(&mut self, mut grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let x = self
            .cache
            .as_ref()
            .ok_or_else(|| NnError::NoForward(self.describe()))?;
        if grad_output.shape() != x.shape() {
            return Err(shape_error(
                self.describe(),
                format!("{:?}", x.shape()),
                grad_output.shape(),
            ));
        }
        match self.kind {
            // One monomorphic loop per kind, so the common ones vectorise.
            ActivationKind::Relu => chain(&mut grad_output, x, |v| {
                Self::derivative(ActivationKind::Relu, v, T::zero())
            }),
            kind => chain(&mut grad_output, x, |v| {
                Self::derivative(kind, v, Self::apply(kind, v))
            }),
        }
        Ok(grad_output)
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        if !training {
            self.cache = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    /// The cache buffer is reused across steps: a later step of another shape must still
    /// differentiate at its own input, and eval mode keeps nothing.
    #[test]
    fn backward_uses_the_latest_input_whatever_its_shape() {
        let mut relu = Activation::<f64>::relu();
        let a = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, -1.0, 2.0, -2.0]).unwrap();
        let b = ArrayD::from_shape_vec(IxDyn(&[3]), vec![-3.0, 4.0, 0.5]).unwrap();
        for x in [a.clone(), b.clone(), a.clone()] {
            let y = relu.forward(x.clone()).unwrap();
            assert_eq!(y, x.mapv(|v| v.max(0.0)));
            let g = relu.backward(ArrayD::ones(x.raw_dim())).unwrap();
            assert_eq!(g, x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }));
        }
        relu.set_training(false);
        assert_eq!(relu.forward(b.clone()).unwrap(), b.mapv(|v| v.max(0.0)));
        assert!(relu.backward(ArrayD::ones(b.raw_dim())).is_err());
    }
}
