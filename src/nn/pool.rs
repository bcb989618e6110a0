//! 2-D pooling: max, average and sum over kh × kw windows, with stride, padding and `ceil_mode`,
//! with PyTorch's output sizes and window rules.
//!
//! Output length per axis (PyTorch): L = ⌊(N + 2p − k)/s⌋ + 1, or with `ceil_mode`
//! ⌈(N + 2p − k)/s⌉ + 1, minus one if the last window would start in the right padding
//! ((L−1)·s ≥ N + p). With `ceil_mode` the last window may hang over the border: it is partial and
//! sees only what lies inside. Window r covers [r·s − p, r·s − p + k) ∩ [0, N). Padding needs
//! p ≤ k/2 (as in PyTorch), so every window holds at least one pixel.
//!
//! * max: the largest value in the window (padding never wins); backward routes the gradient to
//!   the first arg-max (row-major), as PyTorch's CPU kernel;
//! * average: the window sum divided by its size: with `count_include_pad` (PyTorch's default)
//!   the size counts padding but not the overhang of a `ceil_mode` window past N + p; without,
//!   only the pixels inside;
//! * sum: the window sum (average times the in-image count; PyTorch's `LPPool2d` with p = 1 on
//!   non-negative data, or `avg_pool2d(divisor_override=1)`).

use ndarray::{Array4, ArrayD, Axis, Ix4};
use rayon::prelude::*;

use super::error::{NnError, Result, shape_error};
use super::layer::Layer;
use crate::real::Real;

/// What a pooling window computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolKind {
    /// Maximum.
    Max,
    /// Mean; `count_include_pad` as PyTorch's `AvgPool2d` (default true).
    Avg {
        /// Whether padding counts in the divisor.
        count_include_pad: bool,
    },
    /// Sum.
    Sum,
}

/// One axis of a pooling window: where window r starts and ends, and its divisor size.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: usize,
    end: usize,
    padded_size: usize,
}

fn out_len(n: usize, k: usize, s: usize, p: usize, ceil: bool) -> Option<usize> {
    let span = (n + 2 * p).checked_sub(k)?;
    let mut len = if ceil { span.div_ceil(s) } else { span / s } + 1;
    if ceil && (len - 1) * s >= n + p {
        len -= 1;
    }
    Some(len)
}

fn windows(n: usize, k: usize, s: usize, p: usize, len: usize) -> Vec<Window> {
    (0..len)
        .map(|r| {
            let start = (r * s) as isize - p as isize;
            let end = (start + k as isize).min((n + p) as isize);
            let padded_size = (end - start) as usize;
            Window {
                start: start.max(0) as usize,
                end: end.min(n as isize) as usize,
                padded_size,
            }
        })
        .collect()
}

/// A 2-D pooling layer (PyTorch's `MaxPool2d` / `AvgPool2d`, and sum pooling).
#[derive(Debug, Clone)]
pub struct Pool2d<T> {
    kind: PoolKind,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
    ceil_mode: bool,
    training: bool,
    // Training cache: the input shape and, for max, the flat arg-max of each output.
    cache: Option<(Vec<usize>, Vec<usize>)>,
    _marker: std::marker::PhantomData<T>,
}

impl<T: Real> Pool2d<T> {
    /// Pooling of `kind` over k × k windows, stride k (PyTorch's default), no padding.
    pub fn new(kind: PoolKind, kernel: usize) -> Self {
        Pool2d {
            kind,
            kernel: (kernel, kernel),
            stride: (kernel, kernel),
            padding: (0, 0),
            ceil_mode: false,
            training: true,
            cache: None,
            _marker: std::marker::PhantomData,
        }
    }
    /// `nn.MaxPool2d(k)`.
    pub fn max(kernel: usize) -> Self {
        Self::new(PoolKind::Max, kernel)
    }
    /// `nn.AvgPool2d(k)`.
    pub fn avg(kernel: usize) -> Self {
        Self::new(
            PoolKind::Avg {
                count_include_pad: true,
            },
            kernel,
        )
    }
    /// Sum pooling over k × k windows.
    pub fn sum(kernel: usize) -> Self {
        Self::new(PoolKind::Sum, kernel)
    }
    /// Kernel (kh, kw).
    pub fn kernel_2d(mut self, kh: usize, kw: usize) -> Self {
        self.kernel = (kh, kw);
        self
    }
    /// Stride on both axes.
    pub fn stride(mut self, s: usize) -> Self {
        self.stride = (s, s);
        self
    }
    /// Stride (rows, cols).
    pub fn stride_2d(mut self, rows: usize, cols: usize) -> Self {
        self.stride = (rows, cols);
        self
    }
    /// Padding on every side.
    pub fn padding(mut self, p: usize) -> Self {
        self.padding = (p, p);
        self
    }
    /// Padding (rows, cols).
    pub fn padding_2d(mut self, rows: usize, cols: usize) -> Self {
        self.padding = (rows, cols);
        self
    }
    /// Keep partial windows at the bottom/right border.
    pub fn ceil_mode(mut self, on: bool) -> Self {
        self.ceil_mode = on;
        self
    }

    fn check(&self, shape: &[usize]) -> Result<(usize, usize)> {
        let (kh, kw) = self.kernel;
        let (sh, sw) = self.stride;
        let (ph, pw) = self.padding;
        if kh == 0 || kw == 0 || sh == 0 || sw == 0 {
            return Err(NnError::Config(format!(
                "{}: kernel and stride must be positive",
                self.describe()
            )));
        }
        if 2 * ph > kh || 2 * pw > kw {
            return Err(NnError::Config(format!(
                "{}: padding must be at most half the kernel",
                self.describe()
            )));
        }
        if shape.len() != 4 {
            return Err(shape_error(self.describe(), "[N, C, H, W]", shape));
        }
        match (
            out_len(shape[2], kh, sh, ph, self.ceil_mode),
            out_len(shape[3], kw, sw, pw, self.ceil_mode),
        ) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(shape_error(
                self.describe(),
                format!("[N, C, H ≥ {}, W ≥ {}]", kh - 2 * ph, kw - 2 * pw),
                shape,
            )),
        }
    }

    /// Forward on a 4-D batch.
    pub fn forward4(&mut self, x: ndarray::ArrayView4<'_, T>) -> Result<Array4<T>> {
        let (ho, wo) = self.check(x.shape())?;
        let (n, c, h, w) = x.dim();
        let rows = windows(h, self.kernel.0, self.stride.0, self.padding.0, ho);
        let cols = windows(w, self.kernel.1, self.stride.1, self.padding.1, wo);
        let mut y = Array4::<T>::zeros((n, c, ho, wo));
        let mut arg = vec![0usize; n * c * ho * wo];
        let kind = self.kind;
        y.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(arg.par_chunks_mut(c * ho * wo))
            .enumerate()
            .for_each(|(sn, (mut yn, argn))| {
                for ch in 0..c {
                    let plane = x.index_axis(Axis(0), sn);
                    let plane = plane.index_axis(Axis(0), ch);
                    let base = (sn * c + ch) * h * w;
                    for (r, wr) in rows.iter().enumerate() {
                        for (q, wc) in cols.iter().enumerate() {
                            let (v, a) = match kind {
                                PoolKind::Max => {
                                    let mut best = T::neg_infinity();
                                    let mut at = base + wr.start * w + wc.start;
                                    for i in wr.start..wr.end {
                                        for j in wc.start..wc.end {
                                            let v = plane[[i, j]];
                                            if v > best || v.is_nan() {
                                                best = v;
                                                at = base + i * w + j;
                                            }
                                        }
                                    }
                                    (best, at)
                                }
                                PoolKind::Avg { .. } | PoolKind::Sum => {
                                    let mut acc = T::zero();
                                    for i in wr.start..wr.end {
                                        for j in wc.start..wc.end {
                                            acc += plane[[i, j]];
                                        }
                                    }
                                    (acc / divisor::<T>(kind, wr, wc), 0)
                                }
                            };
                            yn[[ch, r, q]] = v;
                            argn[(ch * ho + r) * wo + q] = a;
                        }
                    }
                }
            });
        self.cache = self.training.then(|| (x.shape().to_vec(), arg));
        Ok(y)
    }

    /// Backward on a 4-D output gradient.
    pub fn backward4(&mut self, grad_output: ndarray::ArrayView4<'_, T>) -> Result<Array4<T>> {
        let (shape, arg) = self
            .cache
            .as_ref()
            .ok_or_else(|| NnError::NoForward(self.describe()))?;
        let (ho, wo) = self.check(shape)?;
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]);
        if grad_output.shape() != [n, c, ho, wo] {
            return Err(shape_error(
                self.describe(),
                format!("[{n}, {c}, {ho}, {wo}]"),
                grad_output.shape(),
            ));
        }
        let mut dx = Array4::<T>::zeros((n, c, h, w));
        match self.kind {
            PoolKind::Max => {
                let flat = dx.as_slice_mut().expect("fresh array is contiguous");
                for (&a, &g) in arg.iter().zip(grad_output.iter()) {
                    flat[a] += g;
                }
            }
            kind => {
                let rows = windows(h, self.kernel.0, self.stride.0, self.padding.0, ho);
                let cols = windows(w, self.kernel.1, self.stride.1, self.padding.1, wo);
                for sn in 0..n {
                    for ch in 0..c {
                        for (r, wr) in rows.iter().enumerate() {
                            for (q, wc) in cols.iter().enumerate() {
                                let g = grad_output[[sn, ch, r, q]] / divisor::<T>(kind, wr, wc);
                                for i in wr.start..wr.end {
                                    for j in wc.start..wc.end {
                                        dx[[sn, ch, i, j]] += g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(dx)
    }
}

fn divisor<T: Real>(kind: PoolKind, wr: &Window, wc: &Window) -> T {
    let count = match kind {
        PoolKind::Avg {
            count_include_pad: true,
        } => wr.padded_size * wc.padded_size,
        PoolKind::Avg {
            count_include_pad: false,
        } => (wr.end - wr.start) * (wc.end - wc.start),
        PoolKind::Sum | PoolKind::Max => 1,
    };
    T::from_usize(count).expect("window sizes are small")
}

impl<T: Real> Layer<T> for Pool2d<T> {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        let name = match self.kind {
            PoolKind::Max => "MaxPool2d".to_string(),
            PoolKind::Avg { count_include_pad } => {
                if count_include_pad {
                    "AvgPool2d".to_string()
                } else {
                    "AvgPool2d[count_include_pad=False]".to_string()
                }
            }
            PoolKind::Sum => "SumPool2d".to_string(),
        };
        format!(
            "{name}(kernel_size={:?}, stride={:?}, padding={:?}, ceil_mode={})",
            self.kernel, self.stride, self.padding, self.ceil_mode
        )
    }

    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = x.shape().to_vec();
        let x = x
            .into_dimensionality::<Ix4>()
            .map_err(|_| shape_error(self.describe(), "[N, C, H, W]", &shape))?;
        Ok(self.forward4(x.view())?.into_dyn())
    }

    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let shape = grad_output.shape().to_vec();
        let g = grad_output
            .into_dimensionality::<Ix4>()
            .map_err(|_| shape_error(self.describe(), "[N, C, Ho, Wo]", &shape))?;
        Ok(self.backward4(g.view())?.into_dyn())
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        if !training {
            self.cache = None;
        }
    }
}
