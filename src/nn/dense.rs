//! `Dense`: the fully connected layer y = x·Wᵀ + b (PyTorch's `nn.Linear`), W of shape
//! [out, in], x of shape [N, in].
//!
//! Backward with δ = ∂L/∂y of shape [N, out]: ∂L/∂W = δᵀ·x, ∂L/∂b = Σ_n δ\[n\], ∂L/∂x = δ·W.
//! The forward product is the toolkit's multi-channel kernel ([`correlate_gather`]) with
//! one-tap filters, y\[n, o\] = Σ_k x\[n, k\] · W\[o, k\], samples in the vector lanes and W read
//! in place. The backward products are matrixmultiply's GEMM (ndarray's `general_mat_mul`): their
//! sums are short (N or out terms), where the kernel's scattered stores would cost more than
//! GEMM's packing. Fixed blocks of rows run on rayon's pool; every output element is one sum in
//! a fixed order, so results do not depend on the thread count.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayD, Axis, Ix1, Ix2};
use rayon::prelude::*;

use super::error::{NnError, Result, shape_error};
use super::init::{Rng, default_bound, kaiming_uniform};
use super::layer::{Layer, Param};
use crate::real::Real;
use crate::signal::multichannel::{Lanes, correlate_gather};

/// Rows (samples or output features) per parallel block: two AVX-512 vectors of f32 lanes in
/// the forward kernel; in the backward GEMMs, few blocks, so each operand is packed few times.
const LANES: usize = 32;

/// A fully connected layer.
#[derive(Debug, Clone)]
pub struct Dense<T: Real> {
    in_features: usize,
    out_features: usize,
    weight: Param<T>,
    bias: Option<Param<T>>,
    training: bool,
    cache: Option<Array2<T>>,
}

impl<T: Real> Dense<T> {
    /// `nn.Linear(in_features, out_features, bias)` with PyTorch's default initialisation.
    pub fn new(in_features: usize, out_features: usize, bias: bool, rng: &mut Rng) -> Self {
        let w = kaiming_uniform::<T>(rng, &[out_features, in_features], in_features);
        let b = bias.then(|| {
            let bound = default_bound(in_features);
            rng.uniform_array::<T>(&[out_features], -bound, bound)
        });
        Self::build(in_features, out_features, w, b)
    }

    /// A layer with given weights \[out, in\] and optional bias \[out\].
    pub fn from_weights(weight: Array2<T>, bias: Option<Array1<T>>) -> Result<Self> {
        let (out_features, in_features) = weight.dim();
        if let Some(b) = &bias
            && b.len() != out_features
        {
            return Err(NnError::Config(format!(
                "dense bias has {} values for {out_features} outputs",
                b.len()
            )));
        }
        Ok(Self::build(
            in_features,
            out_features,
            weight.into_dyn(),
            bias.map(|b| b.into_dyn()),
        ))
    }

    fn build(inf: usize, outf: usize, w: ArrayD<T>, b: Option<ArrayD<T>>) -> Self {
        Dense {
            in_features: inf,
            out_features: outf,
            weight: Param::new("weight", w),
            bias: b.map(|b| Param::new("bias", b)),
            training: true,
            cache: None,
        }
    }

    /// The weight parameter [out, in].
    pub fn weight(&self) -> &Param<T> {
        &self.weight
    }

    /// The bias parameter, if any.
    pub fn bias(&self) -> Option<&Param<T>> {
        self.bias.as_ref()
    }

    fn w2(&self) -> ndarray::ArrayView2<'_, T> {
        self.weight
            .value
            .view()
            .into_dimensionality::<Ix2>()
            .expect("2-D by construction")
    }

    /// Forward on [N, in].
    pub fn forward2(&mut self, x: Array2<T>) -> Result<Array2<T>> {
        if x.ncols() != self.in_features {
            return Err(shape_error(
                self.describe(),
                format!("[N, {}]", self.in_features),
                x.shape(),
            ));
        }
        let (inf, outf) = (self.in_features, self.out_features);
        let x = if x.is_standard_layout() {
            x
        } else {
            x.as_standard_layout().into_owned()
        };
        let w = self
            .weight
            .value
            .as_slice()
            .expect("weights are contiguous");
        let mut y = Array2::<T>::zeros((x.nrows(), outf));
        let terms: Vec<usize> = (0..inf).collect();
        let features: Vec<usize> = (0..outf).map(|o| o * inf).collect();
        y.axis_chunks_iter_mut(Axis(0), LANES)
            .into_par_iter()
            .zip(x.axis_chunks_iter(Axis(0), LANES).into_par_iter())
            .for_each(|(mut yc, xc)| {
                // a[k, n] = x[n, k]: the block's samples as lanes.
                let xs = xc.as_slice().expect("standard layout");
                let lanes = Lanes::from_rows(inf, xc.nrows(), |k, row| {
                    for (n, v) in row.iter_mut().enumerate() {
                        *v = xs[n * inf + k];
                    }
                });
                let out = yc.as_slice_mut().expect("rows of a fresh array");
                correlate_gather(&lanes, w, &terms, &features, out, outf, false);
            });
        if let Some(b) = &self.bias {
            let b = b.value.view().into_dimensionality::<Ix1>().expect("1-D");
            y += &b;
        }
        self.cache = self.training.then_some(x);
        Ok(y)
    }

    /// Backward on [N, out].
    pub fn backward2(&mut self, grad_output: Array2<T>) -> Result<Array2<T>> {
        let x = self
            .cache
            .as_ref()
            .ok_or_else(|| NnError::NoForward(self.describe()))?;
        if grad_output.dim() != (x.nrows(), self.out_features) {
            return Err(shape_error(
                self.describe(),
                format!("[{}, {}]", x.nrows(), self.out_features),
                grad_output.shape(),
            ));
        }
        // ∂W += δᵀ·x, by blocks of output features.
        let mut wg = self
            .weight
            .grad
            .view_mut()
            .into_dimensionality::<Ix2>()
            .expect("2-D");
        wg.axis_chunks_iter_mut(Axis(0), LANES)
            .into_par_iter()
            .zip(grad_output.axis_chunks_iter(Axis(1), LANES).into_par_iter())
            .for_each(|(mut wc, dc)| general_mat_mul(T::one(), &dc.t(), x, T::one(), &mut wc));
        if let Some(b) = &mut self.bias {
            b.grad += &grad_output.sum_axis(Axis(0)).into_dyn();
        }
        // ∂x = δ·W, by blocks of samples.
        let w = self.w2();
        let mut dx = Array2::<T>::zeros((grad_output.nrows(), self.in_features));
        dx.axis_chunks_iter_mut(Axis(0), LANES)
            .into_par_iter()
            .zip(grad_output.axis_chunks_iter(Axis(0), LANES).into_par_iter())
            .for_each(|(mut xc, dc)| general_mat_mul(T::one(), &dc, &w, T::zero(), &mut xc));
        Ok(dx)
    }
}

impl<T: Real> Layer<T> for Dense<T> {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        format!(
            "Linear(in_features={}, out_features={}, bias={})",
            self.in_features,
            self.out_features,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }

    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = x.shape().to_vec();
        let x = x.into_dimensionality::<Ix2>().map_err(|_| {
            shape_error(
                self.describe(),
                format!("[N, {}]", self.in_features),
                &shape,
            )
        })?;
        Ok(self.forward2(x)?.into_dyn())
    }

    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = grad_output.shape().to_vec();
        let g = grad_output.into_dimensionality::<Ix2>().map_err(|_| {
            shape_error(
                self.describe(),
                format!("[N, {}]", self.out_features),
                &shape,
            )
        })?;
        Ok(self.backward2(g)?.into_dyn())
    }

    fn params(&self) -> Vec<&Param<T>> {
        std::iter::once(&self.weight)
            .chain(self.bias.as_ref())
            .collect()
    }

    fn params_mut(&mut self) -> Vec<&mut Param<T>> {
        std::iter::once(&mut self.weight)
            .chain(self.bias.as_mut())
            .collect()
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        if !training {
            self.cache = None;
        }
    }
}
