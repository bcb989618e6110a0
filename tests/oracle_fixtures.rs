//! convkit against frozen outputs of the shared oracle (numpy.pad + scipy.signal), every
//! op × output × padding, 1-D and 2-D, odd and even kernels, kernels longer than the signal,
//! length-1 signals, stride and dilation.
//!
//! Expected arrays: tests/fixtures/oracle_cases.txt, made by
//! `~/.cache/convkit-bench/venv/bin/python scripts/make_oracle_fixtures.py`.

use convkit::signal::{Algorithm, Conv, Op, Output, Padding};
use ndarray::{Array1, Array2, ArrayD, IxDyn};

struct Case {
    conv: Conv,
    x: ArrayD<f64>,
    h: ArrayD<f64>,
    y: ArrayD<f64>,
    text: String,
}

fn array(shape: &str, values: &str) -> ArrayD<f64> {
    let dims: Vec<usize> = shape.split('x').map(|d| d.parse().unwrap()).collect();
    let v: Vec<f64> = values
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    ArrayD::from_shape_vec(IxDyn(&dims), v).unwrap()
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/oracle_cases.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(" | ").collect();
            let opts: Vec<&str> = f[0].split_whitespace().collect();
            let conv = Conv::new(opts[0].parse::<Op>().unwrap())
                .output(opts[1].parse::<Output>().unwrap())
                .padding(opts[2].parse::<Padding>().unwrap())
                .stride(opts[3].parse().unwrap())
                .dilation(opts[4].parse().unwrap());
            Case {
                conv,
                x: array(f[1], f[2]),
                h: array(f[3], f[4]),
                y: array(f[5], f[6]),
                text: f[0].to_string(),
            }
        })
        .collect()
}

fn run(conv: &Conv, x: &ArrayD<f64>, h: &ArrayD<f64>) -> ArrayD<f64> {
    if x.ndim() == 1 {
        let x: Array1<f64> = x.clone().into_dimensionality().unwrap();
        let h: Array1<f64> = h.clone().into_dimensionality().unwrap();
        conv.apply(&x, &h).unwrap().into_dyn()
    } else {
        let x: Array2<f64> = x.clone().into_dimensionality().unwrap();
        let h: Array2<f64> = h.clone().into_dimensionality().unwrap();
        conv.apply(&x, &h).unwrap().into_dyn()
    }
}

fn check_all(algorithm: Algorithm) {
    let cases = cases();
    assert!(
        cases.len() > 500,
        "fixture file lost cases: {}",
        cases.len()
    );
    for c in &cases {
        let got = run(&c.conv.algorithm(algorithm), &c.x, &c.h);
        assert_eq!(
            got.shape(),
            c.y.shape(),
            "shape of {} x{:?} h{:?}",
            c.text,
            c.x.shape(),
            c.h.shape()
        );
        let scale = c.y.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (g, w) in got.iter().zip(c.y.iter()) {
            assert!(
                (g - w).abs() <= 1e-12 * scale,
                "{}: got {g}, want {w}",
                c.text
            );
        }
    }
}

#[test]
fn direct_matches_the_oracle() {
    check_all(Algorithm::Direct);
}

#[test]
fn auto_matches_the_oracle() {
    check_all(Algorithm::Auto);
}

#[test]
fn fft_matches_the_oracle() {
    check_all(Algorithm::Fft);
}

#[test]
fn overlap_add_matches_the_oracle() {
    check_all(Algorithm::OverlapAdd);
}
