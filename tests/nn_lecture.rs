//! The lecture's worked examples, computed with the library's layers.

use convkit::nn::{
    Activation, Conv2d, Conv2dConfig, ConvAlgorithm, Dense, Layer, Pool2d, softmax_cross_entropy,
};
use ndarray::{Array1, Array2, Array4, ArrayD, arr2, array};

fn stack(planes: &[[[f64; 5]; 5]]) -> Array4<f64> {
    Array4::from_shape_fn((1, planes.len(), 5, 5), |(_, c, r, q)| planes[c][r][q])
}

#[test]
fn multi_channel_convolution_5x5x3_to_3x3x2() {
    let x = stack(&[
        [
            [0., 0., 1., 0., 2.],
            [1., 0., 2., 0., 1.],
            [1., 0., 2., 2., 0.],
            [2., 0., 0., 2., 0.],
            [2., 1., 2., 2., 0.],
        ],
        [
            [2., 1., 2., 1., 1.],
            [2., 1., 2., 0., 1.],
            [0., 2., 1., 0., 1.],
            [1., 2., 2., 2., 2.],
            [0., 1., 2., 0., 1.],
        ],
        [
            [2., 1., 1., 2., 0.],
            [1., 0., 0., 1., 0.],
            [0., 1., 0., 0., 0.],
            [1., 0., 2., 1., 0.],
            [2., 2., 1., 1., 1.],
        ],
    ]);
    let w: [[[[f64; 3]; 3]; 3]; 2] = [
        [
            [[-1., 0., 1.], [0., 0., 1.], [1., -1., 1.]],
            [[-1., 0., 1.], [1., -1., 1.], [0., 1., 0.]],
            [[-1., 1., 1.], [1., 1., 0.], [0., -1., 0.]],
        ],
        [
            [[0., 1., -1.], [0., -1., 0.], [0., -1., 1.]],
            [[-1., 0., 0.], [1., -1., 0.], [1., -1., 0.]],
            [[-1., 1., -1.], [0., -1., -1.], [1., 0., 0.]],
        ],
    ];
    let w = Array4::from_shape_fn((2, 3, 3, 3), |(o, i, a, b)| w[o][i][a][b]);
    let expected = [
        arr2(&[[2., 3., 3.], [3., 7., 3.], [8., 10., -3.]]),
        arr2(&[[-8., -8., -3.], [-3., 1., 0.], [-3., -8., -5.]]),
    ];
    for algo in ConvAlgorithm::ALL {
        let cfg = Conv2dConfig::new(3, 2, 3)
            .stride(2)
            .padding(1)
            .algorithm(algo);
        let mut conv = Conv2d::from_weights(cfg, w.clone(), Some(array![1.0, 0.0])).unwrap();
        let y = conv.forward4(x.clone()).unwrap();
        assert_eq!(y.dim(), (1, 2, 3, 3));
        for (o, want) in expected.iter().enumerate() {
            let got = y.slice(ndarray::s![0, o, .., ..]);
            for (g, e) in got.iter().zip(want.iter()) {
                assert!((g - e).abs() < 1e-9, "{algo} map {o}: {got} vs {want}");
            }
        }
    }
}

#[test]
fn max_pooling_with_partial_windows() {
    let x = arr2(&[
        [0., 1., 0., 0., 0.],
        [0., 1., 1., 1., 0.],
        [1., 0., 1., 2., 1.],
        [1., 4., 2., 1., 0.],
        [0., 0., 1., 2., 1.],
    ]);
    let x = x.into_shape_with_order((1, 1, 5, 5)).unwrap();
    let mut pool = Pool2d::<f64>::max(2).ceil_mode(true);
    let y = pool.forward4(x.view()).unwrap();
    let expected = arr2(&[[1., 1., 0.], [4., 2., 1.], [0., 2., 1.]]);
    assert_eq!(y.into_shape_with_order((3, 3)).unwrap(), expected);
    // Without ceil_mode the partial windows are dropped.
    let mut floor = Pool2d::<f64>::max(2);
    assert_eq!(floor.forward4(x.view()).unwrap().dim(), (1, 1, 2, 2));
    // Backward routes each gradient to its window's (first) arg-max.
    let dx = pool.backward4(Array4::ones((1, 1, 3, 3)).view()).unwrap();
    assert_eq!(dx[[0, 0, 3, 1]], 1.0); // the 4
    assert_eq!(dx[[0, 0, 0, 1]], 1.0); // first 1 of the top-left window
    assert_eq!(dx.sum(), 9.0);
}

#[test]
fn softmax_cross_entropy_dog_cat() {
    // Classes (dog, cat); labels dog, cat, dog. Predictions are probabilities: logits ln p.
    let labels = [0, 1, 0];
    let ce = |p: Array2<f64>| {
        let wrong = p
            .rows()
            .into_iter()
            .zip(labels)
            .filter(|(r, l)| (if r[0] > r[1] { 0 } else { 1 }) != *l)
            .count();
        (
            softmax_cross_entropy(p.mapv(f64::ln).view(), &labels)
                .unwrap()
                .loss,
            wrong,
        )
    };
    let (a, wrong_a) = ce(arr2(&[[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]]));
    let (b, wrong_b) = ce(arr2(&[[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]]));
    assert_eq!(format!("{a:.2}"), "0.38");
    assert_eq!(format!("{b:.2}"), "1.06");
    assert_eq!((wrong_a, wrong_b), (1, 1)); // both classify 1/3 wrong
    // The gradient is softmax − one-hot, over the batch.
    let lg = softmax_cross_entropy(arr2(&[[0.9f64, 0.1]]).mapv(f64::ln).view(), &[0]).unwrap();
    assert!((lg.grad[[0, 0]] + 0.1).abs() < 1e-12 && (lg.grad[[0, 1]] - 0.1).abs() < 1e-12);
}

#[test]
fn backprop_through_sum_times_product() {
    // f = (x + y)·z at x = −2, y = 5, z = −4: q = x + y is a dense layer with weights [1, 1],
    // f = z·q a dense layer with weight z.
    let (x, y, z) = (-2.0, 5.0, -4.0);
    let mut add = Dense::from_weights(arr2(&[[1.0, 1.0]]), None).unwrap();
    let mut mul = Dense::from_weights(arr2(&[[z]]), None).unwrap();
    let q = add.forward(array![[x, y]].into_dyn()).unwrap();
    let f = mul.forward(q).unwrap();
    assert_eq!(f[[0, 0]], -12.0);
    let dq = mul.backward(ArrayD::ones(f.raw_dim())).unwrap();
    let dxy = add.backward(dq).unwrap();
    assert_eq!(dxy.as_slice().unwrap(), &[-4.0, -4.0]); // ∂f/∂x = ∂f/∂y = z
    assert_eq!(mul.params()[0].grad[[0, 0]], 3.0); // ∂f/∂z = x + y
}

#[test]
fn backprop_through_a_sigmoid_neuron() {
    // σ(w0·x0 + w1·x1 + w2) at w = (2, −3, −3), x = (−1, −2).
    let mut neuron =
        Dense::from_weights(arr2(&[[2.0, -3.0]]), Some(Array1::from(vec![-3.0]))).unwrap();
    let mut sigma = Activation::<f64>::sigmoid();
    let out = sigma
        .forward(neuron.forward(array![[-1.0, -2.0]].into_dyn()).unwrap())
        .unwrap();
    assert!((out[[0, 0]] - 0.731).abs() < 1e-3);
    let local = sigma.backward(ArrayD::ones(out.raw_dim())).unwrap();
    assert!((local[[0, 0]] - 0.20).abs() < 5e-3); // σ(1)(1 − σ(1)) ≈ 0.197
    let dx = neuron.backward(local).unwrap();
    let dw = &neuron.params()[0].grad;
    let db = &neuron.params()[1].grad;
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    assert_eq!((r2(dx[[0, 0]]), r2(dx[[0, 1]])), (0.39, -0.59));
    assert_eq!((r2(dw[[0, 0]]), r2(dw[[0, 1]])), (-0.20, -0.39));
    assert_eq!(r2(db[[0]]), 0.20);
}
