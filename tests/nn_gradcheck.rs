//! Finite-difference gradient checks (f64) for every layer type, and for Conv2d across
//! algorithm × padding mode × stride {1,2} × dilation {1,2} × odd/even kernels (and groups).

mod common;

use common::gradcheck;
use convkit::nn::{
    Activation, Conv2d, Conv2dConfig, ConvAlgorithm, Dense, Flatten, Layer, PaddingMode, Pool2d,
    PoolKind, Rng, presets, softmax_cross_entropy,
};
use ndarray::{ArrayD, Ix2};

const TOL: f64 = 1e-6;

#[test]
fn conv2d_every_algorithm_mode_stride_dilation_kernel() {
    let mut cases = 0;
    for algo in ConvAlgorithm::ALL {
        for mode in PaddingMode::ALL {
            for stride in [1, 2] {
                for dilation in [1, 2] {
                    for (kh, kw) in [(3, 3), (4, 2)] {
                        let cfg = Conv2dConfig::new(2, 3, 3)
                            .kernel_2d(kh, kw)
                            .stride(stride)
                            .dilation(dilation)
                            .padding_2d(1, 2)
                            .padding_mode(mode)
                            .algorithm(algo);
                        let mut rng = Rng::new(cases);
                        let mut layer = Conv2d::<f64>::new(cfg, &mut rng).unwrap();
                        let x = rng.uniform_array(&[2, 2, 6, 7], -1.0, 1.0);
                        gradcheck(&mut layer, x, 100 + cases, TOL);
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 160);
}

#[test]
fn conv2d_groups_no_bias_asymmetric_stride() {
    for algo in ConvAlgorithm::ALL {
        for mode in PaddingMode::ALL {
            let cfg = Conv2dConfig::new(4, 6, 3)
                .groups(2)
                .bias(false)
                .stride_2d(2, 1)
                .dilation_2d(1, 2)
                .padding(2)
                .padding_mode(mode)
                .algorithm(algo);
            let mut rng = Rng::new(7);
            let mut layer = Conv2d::<f64>::new(cfg, &mut rng).unwrap();
            let x = rng.uniform_array(&[2, 4, 5, 6], -1.0, 1.0);
            gradcheck(&mut layer, x, 8, TOL);
        }
    }
}

#[test]
fn conv2d_padding_wider_than_the_image_folds_repeatedly() {
    // numpy.pad semantics for any width: reflect/circular fold many times onto the source.
    for algo in [
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Im2col,
        ConvAlgorithm::Winograd,
    ] {
        for mode in PaddingMode::ALL {
            let cfg = Conv2dConfig::new(1, 2, 3)
                .padding(4)
                .padding_mode(mode)
                .algorithm(algo);
            let mut rng = Rng::new(3);
            let mut layer = Conv2d::<f64>::new(cfg, &mut rng).unwrap();
            let x = rng.uniform_array(&[1, 1, 3, 2], -1.0, 1.0);
            gradcheck(&mut layer, x, 4, TOL);
        }
    }
}

#[test]
fn activations() {
    let kinds: Vec<Activation<f64>> = vec![
        Activation::relu(),
        Activation::leaky_relu(0.1),
        Activation::sigmoid(),
        Activation::tanh(),
        Activation::elu(1.3),
    ];
    for mut act in kinds {
        let mut rng = Rng::new(5);
        let x = rng.uniform_array(&[3, 2, 4, 5], -2.0, 2.0);
        gradcheck(&mut act, x, 6, TOL);
    }
}

#[test]
fn pooling_kinds_with_padding_and_ceil_mode() {
    for kind in [
        PoolKind::Max,
        PoolKind::Avg {
            count_include_pad: true,
        },
        PoolKind::Avg {
            count_include_pad: false,
        },
        PoolKind::Sum,
    ] {
        for (k, s, p, ceil) in [
            (2, 2, 0, false),
            (2, 2, 0, true),
            (3, 2, 1, true),
            (3, 1, 1, false),
        ] {
            let mut pool = Pool2d::<f64>::new(kind, k)
                .stride(s)
                .padding(p)
                .ceil_mode(ceil);
            let mut rng = Rng::new(9);
            let x = rng.uniform_array(&[2, 2, 5, 7], -1.0, 1.0);
            gradcheck(&mut pool, x, 10, TOL);
        }
    }
}

#[test]
fn dense_and_flatten() {
    let mut rng = Rng::new(11);
    let mut dense = Dense::<f64>::new(7, 4, true, &mut rng);
    gradcheck(&mut dense, rng.uniform_array(&[3, 7], -1.0, 1.0), 12, TOL);
    let mut nobias = Dense::<f64>::new(5, 2, false, &mut rng);
    gradcheck(&mut nobias, rng.uniform_array(&[2, 5], -1.0, 1.0), 13, TOL);
    let mut flat = Flatten::new();
    gradcheck(
        &mut flat,
        rng.uniform_array(&[2, 3, 2, 2], -1.0, 1.0),
        14,
        TOL,
    );
}

#[test]
fn softmax_cross_entropy_gradient() {
    let mut rng = Rng::new(15);
    let z: ArrayD<f64> = rng.uniform_array(&[4, 5], -3.0, 3.0);
    let z = z.into_dimensionality::<Ix2>().unwrap();
    let labels = [0, 4, 2, 2];
    let lg = softmax_cross_entropy(z.view(), &labels).unwrap();
    let eps = 1e-6;
    for i in 0..4 {
        for j in 0..5 {
            let mut zp = z.clone();
            zp[[i, j]] += eps;
            let lp = softmax_cross_entropy(zp.view(), &labels).unwrap().loss;
            zp[[i, j]] -= 2.0 * eps;
            let lm = softmax_cross_entropy(zp.view(), &labels).unwrap().loss;
            let fd = (lp - lm) / (2.0 * eps);
            assert!(
                (fd - lg.grad[[i, j]]).abs() < 1e-8,
                "{fd} vs {}",
                lg.grad[[i, j]]
            );
        }
    }
    // Huge logits: log-sum-exp keeps it finite.
    let big = ndarray::arr2(&[[1000.0f64, 0.0], [-1000.0, 1000.0]]);
    let lg = softmax_cross_entropy(big.view(), &[1, 1]).unwrap();
    assert!((lg.loss - 500.0).abs() < 1e-9, "{}", lg.loss);
    assert!(lg.grad.iter().all(|v| v.is_finite()));
}

#[test]
fn whole_network_loss_gradient() {
    // The zip-code preset end to end (conv, tanh, flatten, dense, loss) on two images:
    // analytic parameter gradients against finite differences on a sample of parameters.
    for algo in [
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Im2col,
    ] {
        let mut net = presets::lecun_zip::<f64>(1, algo).unwrap();
        let mut rng = Rng::new(2);
        let x: ArrayD<f64> = rng.uniform_array(&[2, 1, 16, 16], -1.0, 1.0);
        let labels = [3, 8];
        net.zero_grad();
        net.loss_backward(x.clone(), &labels).unwrap();
        let grads: Vec<ArrayD<f64>> = net.params().iter().map(|p| p.grad.clone()).collect();
        let loss = |net: &mut convkit::nn::Sequential<f64>| {
            let y = net
                .forward(x.clone())
                .unwrap()
                .into_dimensionality::<Ix2>()
                .unwrap();
            softmax_cross_entropy(y.view(), &labels).unwrap().loss
        };
        let eps = 1e-6;
        for (pi, g) in grads.iter().enumerate() {
            for k in (0..g.len()).step_by(g.len() / 7 + 1) {
                let orig = net.params()[pi].value.as_slice().unwrap()[k];
                net.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig + eps;
                let lp = loss(&mut net);
                net.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig - eps;
                let lm = loss(&mut net);
                net.params_mut()[pi].value.as_slice_mut().unwrap()[k] = orig;
                let fd = (lp - lm) / (2.0 * eps);
                let an = g.as_slice().unwrap()[k];
                assert!(
                    (fd - an).abs() <= 1e-7 * (1.0 + an.abs()),
                    "{algo} param {pi}[{k}]: {fd} vs {an}"
                );
            }
        }
    }
}

#[test]
fn gradients_accumulate_until_zeroed() {
    let mut rng = Rng::new(1);
    let mut layer = Conv2d::<f64>::new(Conv2dConfig::new(1, 1, 2), &mut rng).unwrap();
    let x: ArrayD<f64> = rng.uniform_array(&[1, 1, 3, 3], -1.0, 1.0);
    let y = layer.forward(x.clone()).unwrap();
    layer.backward(ArrayD::ones(y.raw_dim())).unwrap();
    let once = layer.params()[0].grad.clone();
    layer.forward(x).unwrap();
    layer.backward(ArrayD::ones(y.raw_dim())).unwrap();
    assert_eq!(layer.params()[0].grad, &once * 2.0);
    layer.params_mut()[0].zero_grad();
    assert!(layer.params()[0].grad.iter().all(|&v| v == 0.0));
}

#[test]
fn dropout_inverted_seeded_train_eval() {
    use convkit::nn::Dropout;
    let x = ArrayD::<f64>::from_elem(vec![4, 1000], 2.0);
    let mut a = Dropout::<f64>::new(0.25, 7).unwrap();
    let mut b = Dropout::<f64>::new(0.25, 7).unwrap();
    let ya = a.forward(x.clone()).unwrap();
    assert_eq!(ya, b.forward(x.clone()).unwrap(), "same seed, same mask");
    // Kept values are scaled by 1/(1-p); about p of them are dropped.
    assert!(
        ya.iter()
            .all(|&v| v == 0.0 || (v - 2.0 / 0.75).abs() < 1e-12)
    );
    let dropped = ya.iter().filter(|&&v| v == 0.0).count() as f64 / ya.len() as f64;
    assert!((dropped - 0.25).abs() < 0.03, "{dropped}");
    // Backward multiplies by the same mask: the exact gradient of x ↦ x·m/(1−p).
    let g = a.backward(ArrayD::ones(x.raw_dim())).unwrap();
    assert_eq!(g, &ya / 2.0);
    // A new forward draws a new mask; evaluation mode is the identity.
    assert_ne!(a.forward(x.clone()).unwrap(), ya);
    a.set_training(false);
    assert_eq!(a.forward(x.clone()).unwrap(), x);
    assert!(Dropout::<f64>::new(1.5, 0).is_err());
}
