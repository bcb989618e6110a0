//! Shared helpers of the nn tests: finite-difference gradient checks on any layer.
#![allow(dead_code)]

use convkit::nn::{Layer, Rng};
use ndarray::ArrayD;

/// Σ y ⊙ r: a scalar loss whose gradient with respect to y is r.
pub fn dot(y: &ArrayD<f64>, r: &ArrayD<f64>) -> f64 {
    assert_eq!(y.shape(), r.shape());
    y.iter().zip(r.iter()).map(|(a, b)| a * b).sum()
}

/// Checks a layer's input and parameter gradients against central differences of
/// L = Σ layer(x) ⊙ r, r random. Returns the largest error seen (relative to 1 + |analytic|).
pub fn gradcheck(layer: &mut dyn Layer<f64>, x: ArrayD<f64>, seed: u64, tol: f64) -> f64 {
    let mut rng = Rng::new(seed);
    layer.set_training(true);
    for p in layer.params_mut() {
        p.zero_grad();
    }
    let y = layer.forward(x.clone()).expect("forward");
    let r: ArrayD<f64> = rng.uniform_array(y.shape(), -1.0, 1.0);
    let dx = layer.backward(r.clone()).expect("backward");
    assert_eq!(
        dx.shape(),
        x.shape(),
        "{}: input gradient shape",
        layer.describe()
    );
    let grads: Vec<ArrayD<f64>> = layer.params().iter().map(|p| p.grad.clone()).collect();
    let eps = 1e-6;
    let name = layer.describe();
    let mut worst: f64 = 0.0;
    let mut check = |what: &str, idx: usize, fd: f64, an: f64| {
        let err = (fd - an).abs() / (1.0 + an.abs());
        worst = worst.max(err);
        assert!(
            err <= tol,
            "{name}: d/d{what}[{idx}] finite difference {fd} vs analytic {an}"
        );
    };
    // Input gradient.
    let mut xp = x.clone();
    for k in 0..x.len() {
        let orig = xp.as_slice_mut().unwrap()[k];
        xp.as_slice_mut().unwrap()[k] = orig + eps;
        let lp = dot(&layer.forward(xp.clone()).unwrap(), &r);
        xp.as_slice_mut().unwrap()[k] = orig - eps;
        let lm = dot(&layer.forward(xp.clone()).unwrap(), &r);
        xp.as_slice_mut().unwrap()[k] = orig;
        check("x", k, (lp - lm) / (2.0 * eps), dx.as_slice().unwrap()[k]);
    }
    // Parameter gradients.
    for (pi, g) in grads.iter().enumerate() {
        for k in 0..g.len() {
            let orig = layer.params()[pi].value.as_slice().unwrap()[k];
            layer.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig + eps;
            let lp = dot(&layer.forward(x.clone()).unwrap(), &r);
            layer.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig - eps;
            let lm = dot(&layer.forward(x.clone()).unwrap(), &r);
            layer.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig;
            check(
                "param",
                pi * 1_000_000 + k,
                (lp - lm) / (2.0 * eps),
                g.as_slice().unwrap()[k],
            );
        }
    }
    worst
}

/// Largest |a - b| / max(1e-300, max |b|).
pub fn rel_err(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    a.iter()
        .zip(b.iter())
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}
