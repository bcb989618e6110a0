//! Image filters against the convolution primitives, and the lecture kernels' responses on
//! small hand-made images.

use convkit::image::{Filter, Image, ImageFilter, Kernel, test_image};
use convkit::signal::{Conv, Op, Output, Padding};
use ndarray::{Array2, array};

fn step(rows: usize, cols: usize, at: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(_, c)| if c < at { 0.0 } else { 1.0 })
}

fn max_abs_diff<T: Into<f64> + Copy>(a: &Array2<T>, b: &Array2<T>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x.into() - y.into()).abs())
        .fold(0.0, f64::max)
}

fn library() -> Vec<Kernel> {
    [
        "identity",
        "sharpen",
        "box:3",
        "box:5",
        "box:4",
        "edge-enhance",
        "laplacian",
        "sobel-x",
        "sobel-y",
        "prewitt-x",
        "prewitt-y",
        "gaussian:7:1.5",
        "log:9:1.4",
        "emboss",
        "unsharp:5:1:1.5",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect()
}

#[test]
fn filtered_values_equal_the_primitives_on_every_plane() {
    let img = test_image::generate(48, 3);
    let plane = img.planes()[0].clone();
    let rgb = Image::rgb(plane.clone(), plane.t().to_owned(), plane.mapv(|v| 1.0 - v)).unwrap();
    for k in library() {
        for op in [Op::Convolve, Op::Correlate] {
            for pad in Padding::ALL {
                let f = ImageFilter::new(k.clone()).op(op).padding(pad);
                let got = f.apply(&rgb).unwrap();
                for (p_in, p_out) in rgb.planes().iter().zip(got.planes()) {
                    let want = Conv::new(op)
                        .output(Output::Same)
                        .padding(pad)
                        .apply(p_in, &k.matrix::<f32>())
                        .unwrap();
                    let d = max_abs_diff(p_out, &want);
                    // Separable kernels of ≥ 25 taps run as two 1-D passes: equal up to rounding.
                    let tol = if k.separable::<f32>().is_some() {
                        1e-5
                    } else {
                        0.0
                    };
                    assert!(d <= tol, "{k} {op} {pad}: {d}");
                }
            }
        }
    }
}

#[test]
fn f64_planes_work_the_same() {
    let plane = test_image::generate(32, 1).planes()[0].mapv(f64::from);
    for k in library() {
        let got = ImageFilter::new(k.clone()).apply_plane(&plane).unwrap();
        let want = Conv::convolve()
            .output(Output::Same)
            .padding(Padding::Reflect)
            .apply(&plane, &k.matrix::<f64>())
            .unwrap();
        assert!(max_abs_diff(&got, &want) < 1e-12, "{k}");
    }
}

#[test]
fn defaults_are_convolve_and_reflect() {
    let plane = test_image::generate(20, 2).planes()[0].clone();
    let got = ImageFilter::new(Kernel::EdgeEnhance)
        .apply_plane(&plane)
        .unwrap();
    let want = Conv::convolve()
        .output(Output::Same)
        .padding(Padding::Reflect)
        .apply(&plane, &Kernel::EdgeEnhance.matrix::<f32>())
        .unwrap();
    assert_eq!(got, want);
}

#[test]
fn sobel_on_a_step_edge() {
    // Dark on the left (columns 0-3), bright on the right (4-7).
    let x = step(6, 8, 4);
    let gx = ImageFilter::new(Kernel::SobelX).apply_plane(&x).unwrap();
    for row in gx.rows() {
        assert_eq!(row.to_vec(), [0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 0.0]);
    }
    // Correlation (OpenCV filter2D with this matrix) gives the opposite sign.
    let gx = ImageFilter::new(Kernel::SobelX)
        .op(Op::Correlate)
        .apply_plane(&x)
        .unwrap();
    assert_eq!(gx[[2, 3]], -4.0);
    // No vertical change: Sobel y is zero everywhere; the magnitude is |Gx|.
    let gy = ImageFilter::new(Kernel::SobelY).apply_plane(&x).unwrap();
    assert!(gy.iter().all(|&v| v == 0.0));
    let mag = ImageFilter::new(Filter::GradientMagnitude)
        .apply_plane(&x)
        .unwrap();
    assert_eq!(
        mag.row(1).to_vec(),
        [0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 0.0]
    );
    // The transposed edge excites Sobel y (bright below: positive).
    let y = step(6, 8, 4).t().to_owned();
    let gy = ImageFilter::new(Kernel::SobelY).apply_plane(&y).unwrap();
    assert_eq!(
        gy.column(2).to_vec(),
        [0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 0.0]
    );
}

#[test]
fn gradient_magnitude_is_the_hypotenuse() {
    let plane = test_image::generate(40, 9).planes()[0].mapv(f64::from);
    let gx = ImageFilter::new(Kernel::SobelX)
        .apply_plane(&plane)
        .unwrap();
    let gy = ImageFilter::new(Kernel::SobelY)
        .apply_plane(&plane)
        .unwrap();
    let mag = ImageFilter::new(Filter::GradientMagnitude)
        .apply_plane(&plane)
        .unwrap();
    let want = ndarray::Zip::from(&gx)
        .and(&gy)
        .map_collect(|a, b| a.hypot(*b));
    assert_eq!(mag, want);
}

#[test]
fn laplacian_on_constant_and_ramp() {
    let c = Array2::from_elem((5, 6), 0.7f64);
    for pad in [
        Padding::Replicate,
        Padding::Reflect,
        Padding::Symmetric,
        Padding::Circular,
    ] {
        let y = ImageFilter::new(Kernel::Laplacian)
            .padding(pad)
            .apply_plane(&c)
            .unwrap();
        assert!(y.iter().all(|v| v.abs() < 1e-12), "{pad}");
    }
    // Zero padding sees a drop at the border: -0.7 on edges, -1.4 at corners.
    let y = ImageFilter::new(Kernel::Laplacian)
        .padding(Padding::Zero)
        .apply_plane(&c)
        .unwrap();
    assert!((y[[0, 0]] + 1.4).abs() < 1e-12 && (y[[0, 2]] + 0.7).abs() < 1e-12);
    assert!(y[[2, 2]].abs() < 1e-12);

    // A ramp x[r, c] = c has no curvature: zero inside; reflect folds the slope at the border.
    let ramp = Array2::from_shape_fn((5, 6), |(_, c)| c as f64);
    let y = ImageFilter::new(Kernel::Laplacian)
        .apply_plane(&ramp)
        .unwrap();
    for r in 0..5 {
        assert_eq!(y.row(r).to_vec(), [2.0, 0.0, 0.0, 0.0, 0.0, -2.0]);
    }
    let y = ImageFilter::new(Kernel::Laplacian)
        .padding(Padding::Replicate)
        .apply_plane(&ramp)
        .unwrap();
    assert_eq!(y.row(2).to_vec(), [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]);
}

#[test]
fn box_blur_preserves_the_mean() {
    let plane = test_image::generate(64, 4).planes()[0].mapv(f64::from);
    let mean = plane.mean().unwrap();
    for n in [3, 4, 5, 9] {
        let y = ImageFilter::new(Kernel::BoxBlur { size: n })
            .padding(Padding::Circular)
            .apply_plane(&plane)
            .unwrap();
        assert!((y.mean().unwrap() - mean).abs() < 1e-12, "box:{n}");
    }
    // Any extension of a constant image gives back the constant.
    let c = Array2::from_elem((7, 7), 0.25f64);
    let y = ImageFilter::new(Kernel::BoxBlur { size: 5 })
        .apply_plane(&c)
        .unwrap();
    assert!(y.iter().all(|v| (v - 0.25).abs() < 1e-15));
}

#[test]
fn gaussian_sums_to_one_and_is_separable() {
    for (size, sigma) in [(3, 0.8), (7, 1.5), (15, 3.0), (8, 2.0)] {
        let k = Kernel::Gaussian { size, sigma };
        let m = k.matrix::<f64>();
        assert!((m.sum() - 1.0).abs() < 1e-12);
        let (col, row) = k.separable::<f64>().unwrap();
        assert_eq!(col, row);
        let outer = Array2::from_shape_fn(m.dim(), |(i, j)| col[i] * row[j]);
        assert!(max_abs_diff(&m, &outer) < 1e-16);
        // Symmetric, peak in the centre (for odd sizes).
        assert!(max_abs_diff(&m, &m.t().to_owned()) == 0.0);
        // The two-pass filter equals the 2-D one under every padding mode.
        let plane = test_image::generate(40, 6).planes()[0].mapv(f64::from);
        for pad in Padding::ALL {
            let two_pass = ImageFilter::new(k.clone())
                .padding(pad)
                .apply_plane(&plane)
                .unwrap();
            let direct = Conv::convolve()
                .output(Output::Same)
                .padding(pad)
                .apply(&plane, &m)
                .unwrap();
            assert!(max_abs_diff(&two_pass, &direct) < 1e-12, "{size} {pad}");
        }
    }
}

#[test]
fn identity_and_unsharp() {
    let img = test_image::generate(24, 8);
    assert_eq!(ImageFilter::new(Kernel::Identity).apply(&img).unwrap(), img);
    let c = Array2::from_elem((9, 9), 0.5f64);
    let y = ImageFilter::new("unsharp:5:1:2".parse::<Kernel>().unwrap())
        .apply_plane(&c)
        .unwrap();
    assert!(y.iter().all(|v| (v - 0.5).abs() < 1e-12));
}

#[test]
fn lecture_kernels_have_the_lecture_matrices() {
    assert_eq!(
        Kernel::Sharpen.matrix::<f64>(),
        array![[0., -1., 0.], [-1., 5., -1.], [0., -1., 0.]]
    );
    assert_eq!(
        Kernel::EdgeEnhance.matrix::<f64>(),
        array![[0., 0., 0.], [-1., 1., 0.], [0., 0., 0.]]
    );
    assert_eq!(
        Kernel::SobelY.matrix::<f64>(),
        Kernel::SobelX.matrix::<f64>().t()
    );
    assert_eq!(
        Kernel::BoxBlur { size: 2 }.matrix::<f64>(),
        Array2::from_elem((2, 2), 0.25)
    );
    // Sharpen = identity - Laplacian.
    assert_eq!(
        Kernel::Sharpen.matrix::<f64>(),
        Kernel::Identity.matrix::<f64>() - Kernel::Laplacian.matrix::<f64>()
    );
}

#[test]
fn alpha_is_kept_and_rgb_is_per_channel() {
    let g = test_image::generate(16, 2).planes()[0].clone();
    let alpha = Array2::from_elem(g.dim(), 0.5f32);
    let img = Image::from_planes(
        vec![g.clone(), g.clone() * 0.5, g.clone()],
        Some(alpha.clone()),
    )
    .unwrap();
    let out = ImageFilter::new(Kernel::Laplacian).apply(&img).unwrap();
    assert_eq!(out.alpha(), Some(&alpha));
    let single = ImageFilter::new(Kernel::Laplacian).apply_plane(&g).unwrap();
    assert_eq!(out.planes()[0], single);
    assert_eq!(out.planes()[2], single);
}
