//! The FFT algorithm against the direct one: every option, random sizes, and the precision
//! bound on large inputs (1e-10·max|y| in f64, 1e-4·max|y| in f32).

use convkit::signal::{Algorithm, Conv, Op, Output, Padding};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn max_abs<'a>(a: impl Iterator<Item = &'a f64>) -> f64 {
    a.fold(0.0f64, |m, v| m.max(v.abs()))
}

/// A deterministic pseudo-random sequence in [-1, 1) (no RNG dependency needed).
fn noise(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// Both succeed with the same shape and values within 1e-12·max|y|, or both fail alike.
fn agree<D: ndarray::Dimension>(
    a: convkit::Result<ndarray::Array<f64, D>>,
    b: convkit::Result<ndarray::Array<f64, D>>,
) -> Result<(), TestCaseError> {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a.shape(), b.shape());
            let tol = 1e-12 * max_abs(a.iter()).max(1.0);
            for (p, q) in a.iter().zip(b.iter()) {
                prop_assert!((p - q).abs() <= tol, "{} vs {}", p, q);
            }
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
    }
    Ok(())
}

fn options() -> impl Strategy<Value = (Op, Output, Padding, usize, usize)> {
    (
        prop_oneof![Just(Op::Convolve), Just(Op::Correlate)],
        prop_oneof![Just(Output::Full), Just(Output::Same), Just(Output::Valid)],
        prop_oneof![
            Just(Padding::Zero),
            Just(Padding::Constant(0.5)),
            Just(Padding::Replicate),
            Just(Padding::Reflect),
            Just(Padding::Symmetric),
            Just(Padding::Circular)
        ],
        1usize..4,
        1usize..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fft_equals_direct_1d(n in 1usize..80, k in 1usize..20, seed in any::<u64>(), (op, output, pad, s, d) in options()) {
        let x = Array1::from(noise(n, seed));
        let h = Array1::from(noise(k, seed ^ 1));
        let base = Conv::new(op).output(output).padding(pad).stride(s).dilation(d);
        let a = base.algorithm(Algorithm::Direct).apply(&x, &h);
        let b = base.algorithm(Algorithm::Fft).apply(&x, &h);
        agree(a, b)?;
    }

    #[test]
    fn fft_equals_direct_2d(
        n0 in 1usize..20, n1 in 1usize..20, k0 in 1usize..7, k1 in 1usize..7, seed in any::<u64>(),
        (op, output, pad, s, d) in options(),
    ) {
        let x = Array2::from_shape_vec((n0, n1), noise(n0 * n1, seed)).unwrap();
        let h = Array2::from_shape_vec((k0, k1), noise(k0 * k1, seed ^ 7)).unwrap();
        let base = Conv::new(op).output(output).padding(pad).stride_2d(s, 1 + s % 2).dilation_2d(d, 1 + d % 3);
        let a = base.algorithm(Algorithm::Direct).apply(&x, &h);
        let b = base.algorithm(Algorithm::Fft).apply(&x, &h);
        agree(a, b)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Rank-1 kernels take the direct path's separable two-pass route; the FFT never does.
    #[test]
    fn separable_kernels_agree(
        n0 in 1usize..24, n1 in 1usize..24, k0 in 2usize..7, k1 in 2usize..7, seed in any::<u64>(),
        (op, output, pad, s, d) in options(),
    ) {
        let x = Array2::from_shape_vec((n0, n1), noise(n0 * n1, seed)).unwrap();
        let (u, v) = (noise(k0, seed ^ 3), noise(k1, seed ^ 5));
        let h = Array2::from_shape_fn((k0, k1), |(a, b)| u[a] * v[b]);
        let base = Conv::new(op).output(output).padding(pad).stride_2d(s, 1 + s % 2).dilation_2d(d, 1 + d % 3);
        let a = base.algorithm(Algorithm::Direct).apply(&x, &h);
        let b = base.algorithm(Algorithm::Fft).apply(&x, &h);
        agree(a, b)?;
    }
}

/// Long signals, so that overlap-add really cuts several blocks, every option.
#[test]
fn overlap_add_equals_direct_over_many_blocks() {
    let x1 = Array1::from(noise(5_003, 11));
    let x2 = Array2::from_shape_vec((157, 301), noise(157 * 301, 12)).unwrap();
    for k in [1usize, 4, 33] {
        let h1 = Array1::from(noise(k, 13));
        let h2 = Array2::from_shape_vec(
            (k.min(9), k.min(7) + 1),
            noise(k.min(9) * (k.min(7) + 1), 14),
        )
        .unwrap();
        for op in [Op::Convolve, Op::Correlate] {
            for output in [Output::Full, Output::Same, Output::Valid] {
                for pad in [Padding::Zero, Padding::Reflect, Padding::Circular] {
                    for (s, d) in [(1, 1), (3, 2)] {
                        let base = Conv::new(op)
                            .output(output)
                            .padding(pad)
                            .stride(s)
                            .dilation(d);
                        let a = base.algorithm(Algorithm::Direct).apply(&x1, &h1).unwrap();
                        let b = base
                            .algorithm(Algorithm::OverlapAdd)
                            .apply(&x1, &h1)
                            .unwrap();
                        let tol = 1e-12 * max_abs(a.iter()).max(1.0);
                        assert_eq!(a.dim(), b.dim());
                        assert!(
                            a.iter().zip(b.iter()).all(|(p, q)| (p - q).abs() <= tol),
                            "1-D K={k} {op} {output} {pad} s={s} d={d}"
                        );
                        let a = base.algorithm(Algorithm::Direct).apply(&x2, &h2).unwrap();
                        let b = base
                            .algorithm(Algorithm::OverlapAdd)
                            .apply(&x2, &h2)
                            .unwrap();
                        let tol = 1e-12 * max_abs(a.iter()).max(1.0);
                        assert_eq!(a.dim(), b.dim());
                        assert!(
                            a.iter().zip(b.iter()).all(|(p, q)| (p - q).abs() <= tol),
                            "2-D K={k} {op} {output} {pad} s={s} d={d}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn precision_on_large_inputs() {
    // Magnitude 1e6, N = 1e5, K = 4097: the bound for both precisions.
    let x: Vec<f64> = noise(100_000, 3).iter().map(|v| v * 1e6).collect();
    let h: Vec<f64> = noise(4097, 4).iter().map(|v| v * 1e6).collect();
    let (x64, h64) = (Array1::from(x.clone()), Array1::from(h.clone()));
    let direct = Conv::convolve()
        .algorithm(Algorithm::Direct)
        .apply(&x64, &h64)
        .unwrap();
    let fft = Conv::convolve()
        .algorithm(Algorithm::Fft)
        .apply(&x64, &h64)
        .unwrap();
    let scale = max_abs(direct.iter());
    let err64 = direct
        .iter()
        .zip(fft.iter())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        err64 <= 1e-10 * scale,
        "f64 error {err64:e} vs max|y| {scale:e}"
    );

    let x32: Array1<f32> = x.iter().map(|&v| v as f32).collect();
    let h32: Array1<f32> = h.iter().map(|&v| v as f32).collect();
    let fft32 = Conv::convolve()
        .algorithm(Algorithm::Fft)
        .apply(&x32, &h32)
        .unwrap();
    let oa32 = Conv::convolve()
        .algorithm(Algorithm::OverlapAdd)
        .apply(&x32, &h32)
        .unwrap();
    let direct32 = Conv::convolve()
        .algorithm(Algorithm::Direct)
        .apply(&x32, &h32)
        .unwrap();
    // Against the exact (f64) result of the f32-rounded inputs.
    let exact = Conv::convolve()
        .algorithm(Algorithm::Direct)
        .apply(&x32.mapv(f64::from), &h32.mapv(f64::from))
        .unwrap();
    let scale = max_abs(exact.iter());
    for (name, y) in [
        ("fft", &fft32),
        ("overlap-add", &oa32),
        ("direct", &direct32),
    ] {
        let err = exact
            .iter()
            .zip(y.iter())
            .fold(0.0f64, |m, (a, b)| m.max((a - f64::from(*b)).abs()));
        assert!(
            err <= 1e-4 * scale,
            "f32 {name} error {err:e} vs max|y| {scale:e}"
        );
    }
}
