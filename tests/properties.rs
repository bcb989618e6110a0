//! Property tests (proptest) of the convolution primitives against their definitions.
//!
//! The naive reference below is written straight from docs/semantics.md: extend the signal by
//! K'-1 samples (numpy.pad, built from one explicit period of the extension), take the valid
//! sum of products with the zero-stuffed (dilated) kernel, slice `same`/`valid`, keep every
//! s-th sample. It shares no code with the library.

use convkit::signal::lti::{Signal, System};
use convkit::signal::{Algorithm, Conv, Op, Output, Padding};
use convkit::{ConvError, convolve, correlate};
use ndarray::{Array1, Array2, s};
use proptest::prelude::*;

// ---------- the naive reference ----------

/// Position i (may be outside 0..n) of x extended by `mode`, from one written-out period.
fn extended(x: &[f64], i: isize, mode: Padding) -> f64 {
    let n = x.len() as isize;
    if (0..n).contains(&i) {
        return x[i as usize];
    }
    let period: Vec<f64> = match mode {
        Padding::Zero => return 0.0,
        Padding::Constant(v) => return v,
        Padding::Replicate => return if i < 0 { x[0] } else { x[x.len() - 1] },
        Padding::Circular => x.to_vec(),
        // a b c d → a b c d c b (then repeats)
        Padding::Reflect if x.len() == 1 => x.to_vec(),
        Padding::Reflect => x
            .iter()
            .chain(x[1..x.len() - 1].iter().rev())
            .copied()
            .collect(),
        // a b c d → a b c d d c b a
        Padding::Symmetric => x.iter().chain(x.iter().rev()).copied().collect(),
    };
    period[i.rem_euclid(period.len() as isize) as usize]
}

fn dilate(h: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * (h.len() - 1) + 1];
    for (j, &v) in h.iter().enumerate() {
        out[j * d] = v;
    }
    out
}

/// 1-D reference: op, output, padding, stride, dilation.
fn reference_1d(
    x: &[f64],
    h: &[f64],
    op: Op,
    output: Output,
    mode: Padding,
    s: usize,
    d: usize,
) -> Option<Vec<f64>> {
    let hd = dilate(h, d);
    let k = hd.len();
    let n = x.len();
    // full[m] = Σ_j hd[j] xp[m + K'-1 - j] (convolve) or Σ_j hd[j] xp[m + j] (correlate),
    // with xp[i] = extended(x, i - (K'-1)).
    let full: Vec<f64> = (0..n + k - 1)
        .map(|m| {
            (0..k)
                .map(|j| {
                    let p = match op {
                        Op::Convolve => m + k - 1 - j,
                        Op::Correlate => m + j,
                    };
                    hd[j] * extended(x, p as isize - (k as isize - 1), mode)
                })
                .sum()
        })
        .collect();
    let chosen: Vec<f64> = match output {
        Output::Full => full,
        Output::Same => full[(k - 1) / 2..(k - 1) / 2 + n].to_vec(),
        Output::Valid if k > n => return None,
        Output::Valid => full[k - 1..n].to_vec(),
    };
    Some(chosen.into_iter().step_by(s).collect())
}

/// 2-D reference from the definition, with per-axis geometry (zero-based full index m, l).
fn reference_2d(
    x: &Array2<f64>,
    h: &Array2<f64>,
    op: Op,
    output: Output,
    mode: Padding,
) -> Option<Array2<f64>> {
    let (n0, n1) = x.dim();
    let (k0, k1) = h.dim();
    // Each axis extends like a 1-D signal; the index sequence 0..n extended tells which row or
    // column a position copies (None: the constant of zero / constant padding).
    let fold = |i: isize, n: usize| -> Option<usize> {
        let constant = matches!(mode, Padding::Zero | Padding::Constant(_));
        if constant && !(0..n as isize).contains(&i) {
            return None;
        }
        let index: Vec<f64> = (0..n).map(|r| r as f64).collect();
        Some(extended(&index, i, mode) as usize)
    };
    let fill = if let Padding::Constant(v) = mode {
        v
    } else {
        0.0
    };
    let value = |i: isize, j: isize| match (fold(i, n0), fold(j, n1)) {
        (Some(r), Some(c)) => x[[r, c]],
        _ => fill,
    };
    let full = Array2::from_shape_fn((n0 + k0 - 1, n1 + k1 - 1), |(m, l)| {
        let mut acc = 0.0;
        for a in 0..k0 {
            for b in 0..k1 {
                let (p, q) = match op {
                    Op::Convolve => (m + k0 - 1 - a, l + k1 - 1 - b),
                    Op::Correlate => (m + a, l + b),
                };
                acc += h[[a, b]]
                    * value(
                        p as isize - (k0 as isize - 1),
                        q as isize - (k1 as isize - 1),
                    );
            }
        }
        acc
    });
    Some(match output {
        Output::Full => full,
        Output::Same => full
            .slice(s![
                (k0 - 1) / 2..(k0 - 1) / 2 + n0,
                (k1 - 1) / 2..(k1 - 1) / 2 + n1
            ])
            .to_owned(),
        Output::Valid if k0 > n0 || k1 > n1 => return None,
        Output::Valid => full.slice(s![k0 - 1..n0, k1 - 1..n1]).to_owned(),
    })
}

// ---------- strategies ----------

fn values(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-4.0f64..4.0, len)
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Convolve), Just(Op::Correlate)]
}

fn any_output() -> impl Strategy<Value = Output> {
    prop_oneof![Just(Output::Full), Just(Output::Same), Just(Output::Valid)]
}

fn any_padding() -> impl Strategy<Value = Padding> {
    prop_oneof![
        Just(Padding::Zero),
        (-2.0f64..2.0).prop_map(Padding::Constant),
        Just(Padding::Replicate),
        Just(Padding::Reflect),
        Just(Padding::Symmetric),
        Just(Padding::Circular),
    ]
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

fn conv1(x: &[f64], h: &[f64]) -> Vec<f64> {
    convolve(&Array1::from(x.to_vec()), &Array1::from(h.to_vec()))
        .unwrap()
        .to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_the_definition_1d(
        x in values(1..=12), h in values(1..=9), op in any_op(), output in any_output(),
        mode in any_padding(), stride in 1usize..4, dilation in 1usize..4,
    ) {
        let got = Conv::new(op).output(output).padding(mode).stride(stride).dilation(dilation)
            .apply(&Array1::from(x.clone()), &Array1::from(h.clone()));
        match reference_1d(&x, &h, op, output, mode, stride, dilation) {
            Some(want) => prop_assert!(close(&got.unwrap().to_vec(), &want, 1e-12)),
            None => {
                let rejected = matches!(got, Err(ConvError::KernelTooLarge { .. }));
                prop_assert!(rejected);
            }
        }
    }

    #[test]
    fn matches_the_definition_2d(
        n0 in 1usize..6, n1 in 1usize..6, k0 in 1usize..5, k1 in 1usize..5,
        seed in values(64..=64), op in any_op(), output in any_output(), mode in any_padding(),
    ) {
        let x = Array2::from_shape_fn((n0, n1), |(i, j)| seed[(i * 7 + j) % 64]);
        let h = Array2::from_shape_fn((k0, k1), |(i, j)| seed[(i * 5 + j * 3 + 11) % 64]);
        let got = Conv::new(op).output(output).padding(mode).apply(&x, &h);
        match reference_2d(&x, &h, op, output, mode) {
            Some(want) => {
                let got = got.unwrap();
                prop_assert_eq!(got.dim(), want.dim());
                prop_assert!(close(got.as_slice().unwrap(), want.as_slice().unwrap(), 1e-12));
            }
            None => {
                let rejected = matches!(got, Err(ConvError::KernelTooLarge { .. }));
                prop_assert!(rejected);
            }
        }
    }

    #[test]
    fn linearity(x1 in values(1..=10), h in values(1..=6), a in -3.0f64..3.0, b in -3.0f64..3.0) {
        let x2: Vec<f64> = x1.iter().map(|v| v.sin() * 2.0).collect();
        let mix: Vec<f64> = x1.iter().zip(&x2).map(|(p, q)| a * p + b * q).collect();
        let lhs = conv1(&mix, &h);
        let rhs: Vec<f64> = conv1(&x1, &h).iter().zip(conv1(&x2, &h)).map(|(p, q)| a * p + b * q).collect();
        prop_assert!(close(&lhs, &rhs, 1e-10));
    }

    #[test]
    fn shift_equivariance(x in values(1..=10), h in values(1..=6), k0 in -20isize..20, m0 in -5isize..5) {
        // Time invariance: delaying the input by k0 delays the output by k0.
        let system = System::new(Signal::new(h, m0));
        let x = Signal::new(x, 0);
        let delayed_then = system.respond(&x.shifted(k0)).unwrap();
        let then_delayed = system.respond(&x).unwrap().shifted(k0);
        prop_assert_eq!(delayed_then, then_delayed);
    }

    #[test]
    fn commutative_and_associative(x in values(1..=9), h in values(1..=7), g in values(1..=5)) {
        prop_assert!(close(&conv1(&x, &h), &conv1(&h, &x), 1e-12));
        let left = conv1(&conv1(&x, &h), &g);
        let right = conv1(&x, &conv1(&h, &g));
        prop_assert!(close(&left, &right, 1e-10));
    }

    #[test]
    fn delta_is_the_identity(x in values(1..=12), output in prop_oneof![Just(Output::Full), Just(Output::Same), Just(Output::Valid)], mode in any_padding()) {
        let delta = Array1::from(vec![1.0]);
        let y = Conv::convolve().output(output).padding(mode).apply(&Array1::from(x.clone()), &delta).unwrap();
        prop_assert_eq!(y.to_vec(), x.clone());
        // A delayed δ delays the signal.
        let y = conv1(&x, &[0.0, 0.0, 1.0]);
        prop_assert_eq!(&y[2..], &x[..]);
        prop_assert_eq!(&y[..2], &[0.0, 0.0]);
    }

    #[test]
    fn correlate_is_convolve_with_the_reversed_kernel(
        x in values(1..=12), h in values(1..=8), output in any_output(), mode in any_padding(),
        stride in 1usize..3, dilation in 1usize..3,
    ) {
        let reversed: Vec<f64> = h.iter().rev().copied().collect();
        let base = Conv::correlate().output(output).padding(mode).stride(stride).dilation(dilation);
        let a = base.apply(&Array1::from(x.clone()), &Array1::from(h.clone()));
        let b = Conv::convolve().output(output).padding(mode).stride(stride).dilation(dilation)
            .apply(&Array1::from(x.clone()), &Array1::from(reversed));
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
        }
        // And the free function is the full, zero-padded correlation.
        let free = correlate(&Array1::from(x.clone()), &Array1::from(h.clone())).unwrap();
        let built = Conv::correlate().apply(&Array1::from(x), &Array1::from(h)).unwrap();
        prop_assert_eq!(free, built);
    }

    #[test]
    fn same_and_valid_are_slices_of_full(x in values(1..=12), h in values(1..=8), op in any_op(), mode in any_padding()) {
        let (xa, ha) = (Array1::from(x.clone()), Array1::from(h.clone()));
        let base = Conv::new(op).padding(mode);
        let full = base.output(Output::Full).apply(&xa, &ha).unwrap();
        let same = base.output(Output::Same).apply(&xa, &ha).unwrap();
        let start = (h.len() - 1) / 2;
        prop_assert_eq!(same.view(), full.slice(s![start..start + x.len()]));
        match base.output(Output::Valid).apply(&xa, &ha) {
            Ok(valid) => prop_assert_eq!(valid.view(), full.slice(s![h.len() - 1..x.len()])),
            Err(e) => prop_assert!(h.len() > x.len(), "{e}"),
        }
    }

    #[test]
    fn f32_agrees_with_f64(x in values(1..=40), h in values(1..=12), op in any_op(), output in any_output(), mode in any_padding()) {
        let conv = Conv::new(op).output(output).padding(mode);
        let y64 = conv.apply(&Array1::from(x.clone()), &Array1::from(h.clone()));
        let x32: Array1<f32> = x.iter().map(|&v| v as f32).collect();
        let h32: Array1<f32> = h.iter().map(|&v| v as f32).collect();
        let y32 = conv.apply(&x32, &h32);
        match (y64, y32) {
            (Ok(a), Ok(b)) => {
                let scale = a.iter().fold(1.0f64, |m, v| m.max(v.abs())) * h.len() as f64;
                for (p, q) in a.iter().zip(b.iter()) {
                    prop_assert!((p - f64::from(*q)).abs() <= 1e-5 * scale);
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
        }
    }

    /// No combination of shapes (including empty), strides, dilations, pads and options panics;
    /// every success has the documented length.
    #[test]
    fn never_panics(
        n0 in 0usize..5, n1 in 0usize..7, k0 in 0usize..5, k1 in 0usize..7,
        stride in 0usize..4, dilation in 0usize..4, pads in prop::option::of((0usize..6, 0usize..6)),
        op in any_op(), output in any_output(), mode in any_padding(),
    ) {
        let mut conv = Conv::new(op).output(output).padding(mode).stride(stride).dilation(dilation);
        if let Some((b, a)) = pads {
            conv = conv.pads(b, a);
        }
        let x = Array2::from_elem((n0, n1), 1.0f64);
        let h = Array2::from_elem((k0, k1), 0.5f64);
        if let Ok(y) = conv.apply(&x, &h) {
            let (g0, g1) = conv.geometry((n0, n1), (k0, k1), false).unwrap();
            prop_assert_eq!(y.dim(), (g0.out_len, g1.out_len));
            if let Some((b, a)) = pads {
                let expect = |n: usize, k: usize| (n + b + a - dilation * (k - 1) - 1) / stride + 1;
                prop_assert_eq!(y.dim(), (expect(n0, k0), expect(n1, k1)));
            }
        }
        let x1 = Array1::from_elem(n1, 1.0f32);
        let h1 = Array1::from_elem(k1, 0.5f32);
        let _ = conv.apply(&x1, &h1);
    }
}

#[test]
fn explicit_pads_are_valid_over_the_padded_signal() {
    // PyTorch: conv1d(x, h, padding=2) with replicate padding = valid over numpy.pad(x, 2, 'edge').
    let x = Array1::from(vec![1.0, 2.0, 3.0, 4.0]);
    let h = Array1::from(vec![1.0, 0.0, -1.0]);
    let y = Conv::correlate()
        .padding(Padding::Replicate)
        .pads(2, 1)
        .apply(&x, &h)
        .unwrap();
    // padded: 1 1 | 1 2 3 4 | 4 → windows (1,1,1) (1,1,2) (1,2,3) (2,3,4) (3,4,4)
    assert_eq!(y.to_vec(), vec![0.0, -1.0, -2.0, -2.0, -1.0]);
}

#[test]
fn errors_are_values() {
    let empty = Array1::<f64>::zeros(0);
    let one = Array1::from(vec![1.0]);
    assert!(matches!(
        convolve(&empty, &one),
        Err(ConvError::Empty { what: "signal", .. })
    ));
    assert!(matches!(
        convolve(&one, &empty),
        Err(ConvError::Empty { what: "kernel", .. })
    ));
    let long = Array1::from(vec![1.0; 4]);
    let err = Conv::convolve()
        .output(Output::Valid)
        .apply(&one, &long)
        .unwrap_err();
    assert_eq!(
        err,
        ConvError::KernelTooLarge {
            axis: 0,
            kernel: 4,
            signal: 1
        }
    );
    assert!(err.to_string().contains("4 > padded signal length 1"));
    // Arithmetically fine but impossible to allocate: an error, not an abort.
    let huge = Conv::convolve().pads(1 << 40, 0).apply(&long, &one);
    assert!(matches!(huge, Err(ConvError::TooLarge(_))), "{huge:?}");
}

#[test]
fn nan_and_inf_propagate() {
    let x = Array1::from(vec![1.0, f64::NAN, 2.0]);
    let y = convolve(&x, &Array1::from(vec![1.0, 1.0])).unwrap();
    assert!(y[0] == 1.0 && y[1].is_nan() && y[2].is_nan() && y[3] == 2.0);
    let x = Array1::from(vec![f64::INFINITY, 1.0]);
    let y = convolve(&x, &Array1::from(vec![1.0])).unwrap();
    assert_eq!(y[0], f64::INFINITY);
    // Auto keeps a NaN local even for sizes where it would otherwise pick the FFT.
    let mut x = Array1::from_elem(50_000, 1.0);
    x[10] = f64::NAN;
    let h = Array1::from_elem(2_000, 1.0);
    let y = convolve(&x, &h).unwrap();
    assert!(y[5].is_finite() && y[10].is_nan() && y[40_000].is_finite());
    // The same for an infinity in an image where Auto transforms a finite one: the transform
    // hands it back to the direct sum, and `resolve` says so.
    let conv = Conv::convolve().output(Output::Same);
    let ones = Array2::from_elem((300, 300), 1.0f32);
    // Not of rank 1 (a separable kernel would take the two-pass direct sum).
    let k = Array2::from_shape_fn((31, 31), |(a, b)| ((a * 7 + b * 3) % 5) as f32);
    assert_ne!(conv.resolve(&ones, &k).unwrap(), Algorithm::Direct);
    let mut img = ones.clone();
    img[[7, 9]] = f32::INFINITY;
    assert_eq!(conv.resolve(&img, &k).unwrap(), Algorithm::Direct);
    let y = conv.apply(&img, &k).unwrap();
    // Near the infinity non-finite (∞, or NaN where a zero tap meets it); far from it the
    // exact sum of the taps (small integers, exact in f32).
    assert!(!y[[7, 9]].is_finite());
    assert_eq!(y[[200, 200]], k.sum());
}
