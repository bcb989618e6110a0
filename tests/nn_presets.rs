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

/// A batch of more than `SHARD_SAMPLES` runs as parallel shards: the loss, the logits' gradient
/// and every parameter gradient are the whole batch's (one forward and backward pass), up to
/// rounding; gradients already present are added to, as in one pass.
#[test]
fn a_sharded_step_is_the_whole_batch_step() {
    let n = 2 * convkit::nn::model::SHARD_SAMPLES + 6; // three shards of 23, 23, 24
    let mut rng = convkit::nn::Rng::new(4);
    let x: ArrayD<f64> = rng.uniform_array(&[n, 1, 28, 28], -1.0, 1.0);
    let labels: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
    for algo in [ConvAlgorithm::Direct, ConvAlgorithm::Winograd] {
        let mut sharded = presets::deep::<f64>(2, algo).unwrap();
        let mut whole = presets::deep::<f64>(2, algo).unwrap();
        // Two steps, so that the second runs on replicas made by the first.
        for _ in 0..2 {
            let got = sharded.loss_backward(x.clone(), &labels).unwrap();
            let logits = whole.forward(x.clone()).unwrap();
            let logits = logits.into_dimensionality::<ndarray::Ix2>().unwrap();
            let want = convkit::nn::softmax_cross_entropy(logits.view(), &labels).unwrap();
            whole.backward(want.grad.clone().into_dyn()).unwrap();
            assert!((got.loss - want.loss).abs() < 1e-12, "{algo}: loss");
            let scale = want.grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (g, w) in got.grad.iter().zip(&want.grad) {
                assert!((g - w).abs() <= 1e-12 * scale, "{algo}: logits' gradient");
            }
            for (a, b) in sharded.params().iter().zip(whole.params()) {
                let scale = b.grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(scale > 0.0, "{algo}: {} has a gradient", b.name);
                for (u, v) in a.grad.iter().zip(&b.grad) {
                    assert!((u - v).abs() <= 1e-10 * scale, "{algo}: {}", a.name);
                }
            }
        }
    }
}

/// Each shard draws its own dropout masks: a batch whose two halves are the same samples gets
/// different logits' gradients in the two halves, and the same ones without dropout.
#[test]
fn shards_draw_their_own_dropout_masks() {
    let half = convkit::nn::model::SHARD_SAMPLES;
    let mut rng = convkit::nn::Rng::new(6);
    let x: ArrayD<f64> = rng.uniform_array(&[half, 1, 28, 28], -1.0, 1.0);
    let x = ndarray::concatenate(ndarray::Axis(0), &[x.view(), x.view()]).unwrap();
    let labels: Vec<usize> = (0..2 * half).map(|i| (i % half) % 10).collect();
    for dropout in [true, false] {
        let mut net = presets::shallow::<f64>(3, ConvAlgorithm::Direct).unwrap();
        if dropout {
            net.insert(3, Box::new(convkit::nn::Dropout::new(0.5, 8).unwrap()));
            net.reseed(21);
        }
        let step = net.loss_backward(x.clone(), &labels).unwrap();
        let (a, b) = step.grad.view().split_at(ndarray::Axis(0), half);
        assert_eq!(a != b, dropout, "dropout {dropout}");
    }
}
