//! The seed's networks: parameter counts, shapes, seeded initialisation, a training step.

use convkit::nn::{ConvAlgorithm, Sgd, presets};
use ndarray::{Array4, ArrayD};

#[test]
fn parameter_counts() {
    assert_eq!(
        presets::shallow::<f32>(0, ConvAlgorithm::Auto)
            .unwrap()
            .param_count(),
        98_820
    );
    assert_eq!(
        presets::deep::<f32>(0, ConvAlgorithm::Auto)
            .unwrap()
            .param_count(),
        229_340
    );
    assert_eq!(
        presets::lecun_zip::<f32>(0, ConvAlgorithm::Auto)
            .unwrap()
            .param_count(),
        10_024
    );
}

#[test]
fn shapes_names_and_summary() {
    let mut deep = presets::deep::<f32>(0, ConvAlgorithm::Im2col).unwrap();
    let names: Vec<String> = deep.named_params().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "7.weight", "7.bias",
            "9.weight", "9.bias"
        ]
    );
    let y = deep
        .forward(Array4::<f32>::zeros((3, 1, 28, 28)).into_dyn())
        .unwrap();
    assert_eq!(y.shape(), [3, 10]);
    let mut zip = presets::lecun_zip::<f32>(0, ConvAlgorithm::Im2col).unwrap();
    let h = zip.layers_mut()[0]
        .forward(Array4::<f32>::zeros((1, 1, 16, 16)).into_dyn())
        .unwrap();
    assert_eq!(h.shape(), [1, 12, 8, 8]);
    let s = deep.summary();
    assert!(
        s.contains("Conv2d(10, 40, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)"),
        "{s}"
    );
    assert!(s.contains("229340 parameters"), "{s}");
}

#[test]
fn seeded_pytorch_default_init() {
    let a = presets::shallow::<f64>(42, ConvAlgorithm::Im2col).unwrap();
    let b = presets::shallow::<f64>(42, ConvAlgorithm::Direct).unwrap();
    let c = presets::shallow::<f64>(43, ConvAlgorithm::Im2col).unwrap();
    for (p, q) in a.params().iter().zip(b.params()) {
        assert_eq!(p.value, q.value);
    }
    assert_ne!(a.params()[0].value, c.params()[0].value);
    // U(−1/√fan_in, 1/√fan_in): conv fan_in 25 → 0.2, dense fan_in 1960 → 0.0226.
    let bound = |i: usize| {
        a.params()[i]
            .value
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
    };
    assert!(bound(0) <= 0.2 && bound(0) > 0.18);
    assert!(bound(2) <= 1.0 / 1960f64.sqrt() && bound(2) > 0.02);
}

#[test]
fn training_reduces_the_loss_and_eval_mode_does_not_cache() {
    let mut net = presets::shallow::<f32>(0, ConvAlgorithm::Auto).unwrap();
    let mut rng = convkit::nn::Rng::new(5);
    let x: ArrayD<f32> = rng.uniform_array(&[16, 1, 28, 28], -1.0, 1.0);
    let labels: Vec<usize> = (0..16).map(|i| i % 10).collect();
    let mut opt = Sgd::new(0.05, 0.9);
    let first = net.loss_backward(x.clone(), &labels).unwrap().loss;
    opt.step(&mut net).unwrap();
    let mut last = first;
    for _ in 0..15 {
        net.zero_grad();
        last = net.loss_backward(x.clone(), &labels).unwrap().loss;
        opt.step(&mut net).unwrap();
    }
    assert!(last < first * 0.5, "{first} → {last}");
    let report = net.algorithm_report();
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].contains("input [16, 1, 28, 28]"), "{report:?}");
    net.eval();
    net.forward(x).unwrap();
    assert!(net.backward(ArrayD::zeros(vec![16, 10])).is_err());
}

/// `loss_backward` skips the images' gradient in the first layer; every parameter gradient is
/// the one the full backward pass gives, for every algorithm.
#[test]
fn loss_backward_skips_only_the_input_gradient() {
    let mut rng = convkit::nn::Rng::new(9);
    let x: ArrayD<f64> = rng.uniform_array(&[3, 1, 28, 28], -1.0, 1.0);
    let labels = [3, 1, 4];
    for algo in [
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Im2col,
    ] {
        let mut skip = presets::deep::<f64>(1, algo).unwrap();
        let mut full = presets::deep::<f64>(1, algo).unwrap();
        let loss = skip.loss_backward(x.clone(), &labels).unwrap();
        full.forward(x.clone()).unwrap();
        let dx = full.backward(loss.grad.clone().into_dyn()).unwrap();
        assert_eq!(dx.shape(), [3, 1, 28, 28]);
        assert!(
            dx.iter().any(|&v| v != 0.0),
            "{algo}: the full pass has an input gradient"
        );
        for (a, b) in skip.params().iter().zip(full.params()) {
            assert!(a.grad.iter().any(|&v| v != 0.0), "{algo}: {}", a.name);
            assert_eq!(a.grad, b.grad, "{algo}: {}", a.name);
        }
    }
}
