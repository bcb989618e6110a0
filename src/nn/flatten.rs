//! `Flatten`: (N, C, H, W) → (N, C·H·W) in row-major (NCHW) order, as `nn.Flatten()`.

use ndarray::{ArrayD, IxDyn};

use super::error::{NnError, Result, shape_error};
use super::layer::Layer;
use crate::real::Real;

/// Flattens every axis but the first.
#[derive(Debug, Clone, Default)]
pub struct Flatten {
    shape: Option<Vec<usize>>,
}

impl Flatten {
    /// `nn.Flatten()`.
    pub fn new() -> Self {
        Flatten::default()
    }
}

/// `x` in row-major order, copied only when it is not already.
fn standard<T: Real>(x: ArrayD<T>) -> ArrayD<T> {
    if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    }
}

impl<T: Real> Layer<T> for Flatten {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        "Flatten()".into()
    }

    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = x.shape().to_vec();
        if shape.is_empty() {
            return Err(shape_error("Flatten()", "[N, …]", &shape));
        }
        let rest: usize = shape[1..].iter().product();
        let x = standard(x);
        let y = x
            .into_shape_with_order(IxDyn(&[shape[0], rest]))
            .expect("standard layout reshapes");
        self.shape = Some(shape);
        Ok(y)
    }

    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = self
            .shape
            .clone()
            .ok_or_else(|| NnError::NoForward("Flatten()".into()))?;
        let got = grad_output.shape().to_vec();
        let g = standard(grad_output);
        g.into_shape_with_order(IxDyn(&shape)).map_err(|_| {
            shape_error(
                "Flatten()",
                format!("{} values", shape.iter().product::<usize>()),
                &got,
            )
        })
    }

    fn set_training(&mut self, _training: bool) {}
}
