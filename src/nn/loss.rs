//! Softmax cross-entropy, fused: the loss of logits z (N × K) against class labels,
//!
//! ```text
//! L = (1/N) Σ_n [ logsumexp(z[n]) − z[n, label_n] ]        (PyTorch's F.cross_entropy, mean)
//! ∂L/∂z[n] = (softmax(z[n]) − onehot(label_n)) / N
//! ```
//!
//! logsumexp is computed as m + ln Σ exp(z − m) with m the row maximum, so large logits do not
//! overflow.

use ndarray::{Array2, ArrayView2, Axis};

use super::error::{NnError, Result, shape_error};
use crate::real::Real;

/// The mean loss and its gradient with respect to the logits.
#[derive(Debug, Clone, PartialEq)]
pub struct LossAndGrad<T> {
    /// Mean cross-entropy over the batch.
    pub loss: T,
    /// ∂loss/∂logits, N × K.
    pub grad: Array2<T>,
}

/// Mean softmax cross-entropy of `logits` (N × K) against `labels` (N classes in 0..K), with
/// its gradient softmax − one-hot (divided by N).
pub fn softmax_cross_entropy<T: Real>(
    logits: ArrayView2<'_, T>,
    labels: &[usize],
) -> Result<LossAndGrad<T>> {
    let (n, k) = logits.dim();
    if n == 0 || k == 0 || labels.len() != n {
        return Err(shape_error(
            "softmax_cross_entropy",
            format!("[{} labels, K ≥ 1]", labels.len()),
            logits.shape(),
        ));
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= k) {
        return Err(NnError::Config(format!(
            "label {bad} out of range for {k} classes"
        )));
    }
    let inv_n = T::one() / T::from_usize(n).expect("batch size fits");
    let mut grad = Array2::<T>::zeros((n, k));
    let mut total = T::zero();
    for ((row, mut g), &label) in logits
        .axis_iter(Axis(0))
        .zip(grad.axis_iter_mut(Axis(0)))
        .zip(labels)
    {
        let m = row.fold(T::neg_infinity(), |a, &b| a.max(b));
        let mut sum = T::zero();
        for (gv, &z) in g.iter_mut().zip(row.iter()) {
            let e = (z - m).exp();
            *gv = e;
            sum += e;
        }
        total += m + sum.ln() - row[label];
        g.mapv_inplace(|e| e / sum * inv_n);
        g[label] -= inv_n;
    }
    Ok(LossAndGrad {
        loss: total * inv_n,
        grad,
    })
}

/// The softmax of each row.
pub fn softmax<T: Real>(logits: ArrayView2<'_, T>) -> Array2<T> {
    let mut out = logits.to_owned();
    for mut row in out.axis_iter_mut(Axis(0)) {
        let m = row.fold(T::neg_infinity(), |a, &b| a.max(b));
        row.mapv_inplace(|z| (z - m).exp());
        let s = row.sum();
        row.mapv_inplace(|e| e / s);
    }
    out
}
