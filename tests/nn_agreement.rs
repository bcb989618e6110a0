//! All convolution algorithms agree on forward and backward (1e-10 relative in f64, 1e-4 in
//! f32), and the forward equals a naive loop over the definition written here independently.

use convkit::Real;
use convkit::nn::{Conv2dConfig, ConvAlgorithm, PaddingMode, Rng, conv2d_backward, conv2d_forward};
use convkit::signal::padding::source_index;
use ndarray::{Array1, Array4, ArrayD, Ix1, Ix4};

fn rel<T: Real>(a: &Array4<T>, b: &Array4<T>) -> f64 {
    let f = |v: T| v.to_f64().unwrap();
    let scale = b.iter().fold(0.0f64, |m, &v| m.max(f(v).abs())).max(1e-300);
    a.iter()
        .zip(b.iter())
        .fold(0.0f64, |m, (&x, &y)| m.max((f(x) - f(y)).abs()))
        / scale
}

/// y[n,o,r,c] = b[o] + Σ_j Σ_a Σ_b W[o,j,a,b] · pad(x)[n, i, r·s0 + a·d0 − p0, c·s1 + b·d1 − p1].
fn naive(x: &Array4<f64>, w: &Array4<f64>, b: &Array1<f64>, cfg: &Conv2dConfig) -> Array4<f64> {
    let (n, _, h, wd) = x.dim();
    let (o, cg, kh, kw) = w.dim();
    let (s0, s1) = cfg.stride;
    let (d0, d1) = cfg.dilation;
    let (p0, p1) = cfg.padding;
    let ho = (h + 2 * p0 - d0 * (kh - 1) - 1) / s0 + 1;
    let wo = (wd + 2 * p1 - d1 * (kw - 1) - 1) / s1 + 1;
    let og = o / cfg.groups;
    let mode = cfg.padding_mode.to_padding();
    Array4::from_shape_fn((n, o, ho, wo), |(sn, oc, r, c)| {
        let mut acc = b[oc];
        for j in 0..cg {
            let i = (oc / og) * cg + j;
            for a in 0..kh {
                for bb in 0..kw {
                    let pr = (r * s0 + a * d0) as isize - p0 as isize;
                    let pc = (c * s1 + bb * d1) as isize - p1 as isize;
                    if let (Some(sr), Some(sc)) =
                        (source_index(pr, h, mode), source_index(pc, wd, mode))
                    {
                        acc += w[[oc, j, a, bb]] * x[[sn, i, sr, sc]];
                    }
                }
            }
        }
        acc
    })
}

fn configs() -> Vec<(Conv2dConfig, [usize; 4])> {
    let mut v = Vec::new();
    for mode in PaddingMode::ALL {
        for stride in [1, 2, 3] {
            for dilation in [1, 2] {
                for (kh, kw) in [(1, 1), (3, 3), (2, 4), (5, 5)] {
                    for groups in [1, 2] {
                        let cfg = Conv2dConfig::new(4, 6, 1)
                            .kernel_2d(kh, kw)
                            .stride(stride)
                            .dilation(dilation)
                            .padding_2d(kh / 2, 2)
                            .groups(groups)
                            .padding_mode(mode);
                        v.push((cfg, [3, 4, 11, 9]));
                    }
                }
            }
        }
    }
    v
}

fn params<T: Real>(
    cfg: &Conv2dConfig,
    shape: [usize; 4],
    seed: u64,
) -> (Array4<T>, Array4<T>, Array1<T>) {
    let mut rng = Rng::new(seed);
    let x: ArrayD<T> = rng.uniform_array(&shape, -1.0, 1.0);
    let w: ArrayD<T> = rng.uniform_array(&cfg.weight_shape(), -1.0, 1.0);
    let b: ArrayD<T> = rng.uniform_array(&[cfg.out_channels], -1.0, 1.0);
    (
        x.into_dimensionality::<Ix4>().unwrap(),
        w.into_dimensionality::<Ix4>().unwrap(),
        b.into_dimensionality::<Ix1>().unwrap(),
    )
}

fn agree<T: Real>(tol: f64) {
    for (k, (cfg, shape)) in configs().into_iter().enumerate() {
        let (x, w, b) = params::<T>(&cfg, shape, k as u64);
        let y0 = conv2d_forward(
            x.view(),
            w.view(),
            Some(b.view()),
            &cfg,
            ConvAlgorithm::Direct,
        )
        .unwrap();
        let delta = {
            let mut rng = Rng::new(1000 + k as u64);
            rng.uniform_array::<T>(y0.shape(), -1.0, 1.0)
                .into_dimensionality::<Ix4>()
                .unwrap()
        };
        let g0 = conv2d_backward(
            x.view(),
            w.view(),
            delta.view(),
            &cfg,
            ConvAlgorithm::Direct,
        )
        .unwrap();
        for algo in [
            ConvAlgorithm::Fft,
            ConvAlgorithm::Im2col,
            ConvAlgorithm::Winograd,
        ] {
            let y = conv2d_forward(x.view(), w.view(), Some(b.view()), &cfg, algo).unwrap();
            let g = conv2d_backward(x.view(), w.view(), delta.view(), &cfg, algo).unwrap();
            let errs = [
                rel(&y, &y0),
                rel(&g.input, &g0.input),
                rel(&g.weight, &g0.weight),
                rel(
                    &g.bias
                        .clone()
                        .into_shape_with_order((1, 1, 1, cfg.out_channels))
                        .unwrap(),
                    &g0.bias
                        .clone()
                        .into_shape_with_order((1, 1, 1, cfg.out_channels))
                        .unwrap(),
                ),
            ];
            assert!(
                errs.iter().all(|&e| e <= tol),
                "{} {algo} {:?}: {errs:?}",
                T::NAME,
                cfg
            );
        }
    }
}

#[test]
fn algorithms_agree_f64() {
    agree::<f64>(1e-10);
}

#[test]
fn algorithms_agree_f32() {
    agree::<f32>(1e-4);
}

#[test]
fn direct_equals_the_naive_definition() {
    for (k, (cfg, shape)) in configs().into_iter().enumerate() {
        let (x, w, b) = params::<f64>(&cfg, shape, k as u64);
        let expected = naive(&x, &w, &b, &cfg);
        for algo in [
            ConvAlgorithm::Direct,
            ConvAlgorithm::Fft,
            ConvAlgorithm::Im2col,
            ConvAlgorithm::Winograd,
        ] {
            let y = conv2d_forward(x.view(), w.view(), Some(b.view()), &cfg, algo).unwrap();
            assert!(rel(&y, &expected) < 1e-12, "{algo} {cfg:?}");
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // A strided 5×5 layer, and a 3×3 stride-1 layer (where Winograd runs its own passes).
    for index in [40, 2] {
        thread_count_independence(configs()[index].0);
    }
}

fn thread_count_independence(cfg: Conv2dConfig) {
    let (x, w, _) = params::<f32>(&cfg, [19, 4, 11, 9], 1);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            ConvAlgorithm::CONCRETE
                .iter()
                .map(|&a| {
                    let y = conv2d_forward(x.view(), w.view(), None, &cfg, a).unwrap();
                    let g = conv2d_backward(x.view(), w.view(), y.view(), &cfg, a).unwrap();
                    (y, g)
                })
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn bad_shapes_are_errors() {
    let cfg = Conv2dConfig::new(2, 3, 3);
    let x = Array4::<f64>::zeros((1, 3, 5, 5));
    let w = Array4::<f64>::zeros((3, 2, 3, 3));
    assert!(conv2d_forward(x.view(), w.view(), None, &cfg, ConvAlgorithm::Direct).is_err());
    let x = Array4::<f64>::zeros((1, 2, 2, 2));
    assert!(conv2d_forward(x.view(), w.view(), None, &cfg, ConvAlgorithm::Im2col).is_err());
    assert!(Conv2dConfig::new(3, 4, 3).groups(2).validate().is_err());
}

#[test]
fn chunked_algorithms_match_direct_across_chunks() {
    // Odd-sized outputs (Winograd's tiles reaching past the edge) and batches of several
    // chunks of samples (Winograd's and Fft's), the last one partial: each chunk must start
    // from clean buffers, and the weight gradient sums every chunk. Fft also with groups.
    for mode in PaddingMode::ALL {
        for (algo, groups, batch) in [
            (ConvAlgorithm::Winograd, 1, 23),
            (ConvAlgorithm::Fft, 1, 37),
            (ConvAlgorithm::Fft, 2, 37),
        ] {
            let cfg = Conv2dConfig::new(4, 6, 3)
                .padding_2d(1, 0)
                .padding_mode(mode)
                .groups(groups);
            let (x, w, b) = params::<f64>(&cfg, [batch, 4, 9, 11], 3);
            let run = |algo| {
                let y = conv2d_forward(x.view(), w.view(), Some(b.view()), &cfg, algo).unwrap();
                let g = conv2d_backward(x.view(), w.view(), y.view(), &cfg, algo).unwrap();
                (y, g)
            };
            let (y0, g0) = run(ConvAlgorithm::Direct);
            let (y1, g1) = run(algo);
            let errs = [
                rel(&y1, &y0),
                rel(&g1.input, &g0.input),
                rel(&g1.weight, &g0.weight),
            ];
            assert!(
                errs.iter().all(|&e| e < 1e-12),
                "{algo} groups {groups} {mode:?}: {errs:?}"
            );
        }
    }
}
