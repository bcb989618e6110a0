//! PyTorch as the oracle: forward outputs and every gradient of Conv2d (each padding_mode,
//! stride, dilation, groups), pooling (incl. ceil_mode), activations, Dense, softmax
//! cross-entropy and both presets, frozen by `scripts/make_nn_fixtures.py` (torch 2.15.0, f64)
//! into `tests/fixtures/nn_torch.txt`. No Python needed here.

use std::collections::BTreeMap;

use convkit::nn::{
    Activation, Conv2d, Conv2dConfig, ConvAlgorithm, Dense, Layer, PaddingMode, Pool2d, PoolKind,
    presets, softmax_cross_entropy,
};
use ndarray::{Array1, Array2, Array4, ArrayD, IxDyn};

const TOL: f64 = 1e-10;

#[derive(Default)]
struct Case {
    params: BTreeMap<String, String>,
    arrays: BTreeMap<String, ArrayD<f64>>,
}

impl Case {
    fn a(&self, name: &str) -> ArrayD<f64> {
        self.arrays
            .get(name)
            .unwrap_or_else(|| panic!("no array {name}"))
            .clone()
    }
    fn p(&self, key: &str) -> &str {
        self.params
            .get(key)
            .unwrap_or_else(|| panic!("no parameter {key}"))
    }
    fn pair(&self, key: &str) -> (usize, usize) {
        let v: Vec<usize> = self.p(key).split(',').map(|s| s.parse().unwrap()).collect();
        (v[0], v[1])
    }
    fn num(&self, key: &str) -> usize {
        self.p(key).parse().unwrap()
    }
}

fn load() -> BTreeMap<String, Case> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/nn_torch.txt"
    ))
    .expect("fixture file");
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut it = line.split_whitespace();
        let first = it.next().unwrap();
        if first == "@" {
            let name = it.next().unwrap().to_string();
            let case = cases.entry(name).or_default();
            for kv in it {
                let (k, v) = kv.split_once('=').unwrap();
                case.params.insert(k.into(), v.into());
            }
        } else {
            let name = it.next().unwrap().to_string();
            let shape: Vec<usize> = match it.next().unwrap() {
                "0" => vec![],
                s => s.split(',').map(|d| d.parse().unwrap()).collect(),
            };
            let vals: Vec<f64> = it.map(|v| v.parse().unwrap()).collect();
            let arr = ArrayD::from_shape_vec(IxDyn(&shape), vals).unwrap();
            cases
                .entry(first.to_string())
                .or_default()
                .arrays
                .insert(name, arr);
        }
    }
    cases
}

fn close(what: &str, got: &ArrayD<f64>, want: &ArrayD<f64>) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        assert!(
            (g - w).abs() <= TOL * scale,
            "{what}[{i}]: {g} vs torch {w}"
        );
    }
}

fn of_kind<'a>(cases: &'a BTreeMap<String, Case>, kinds: &[&str]) -> Vec<(&'a String, &'a Case)> {
    let v: Vec<_> = cases
        .iter()
        .filter(|(_, c)| kinds.contains(&c.p("kind")))
        .collect();
    assert!(!v.is_empty(), "no cases of kind {kinds:?}");
    v
}

#[test]
fn conv2d_matches_torch() {
    let cases = load();
    let conv_cases = of_kind(&cases, &["conv"]);
    assert_eq!(conv_cases.len(), 20);
    for (name, c) in conv_cases {
        let mode = match c.p("mode") {
            "zeros" => PaddingMode::Zeros,
            "reflect" => PaddingMode::Reflect,
            "replicate" => PaddingMode::Replicate,
            "circular" => PaddingMode::Circular,
            m => panic!("mode {m}"),
        };
        let (kh, kw) = c.pair("k");
        let (sh, sw) = c.pair("stride");
        let (ph, pw) = c.pair("pad");
        let (dh, dw) = c.pair("dil");
        let bias = c.num("bias") == 1;
        for algo in ConvAlgorithm::ALL {
            let cfg = Conv2dConfig::new(c.num("cin"), c.num("cout"), 1)
                .kernel_2d(kh, kw)
                .stride_2d(sh, sw)
                .padding_2d(ph, pw)
                .dilation_2d(dh, dw)
                .groups(c.num("groups"))
                .bias(bias)
                .padding_mode(mode)
                .algorithm(algo);
            let w: Array4<f64> = c.a("w").into_dimensionality().unwrap();
            let b: Option<Array1<f64>> = bias.then(|| c.a("b").into_dimensionality().unwrap());
            let mut layer = Conv2d::from_weights(cfg, w, b).unwrap();
            let what = format!("{name} {algo}");
            close(
                &format!("{what} y"),
                &layer.forward(c.a("x")).unwrap(),
                &c.a("y"),
            );
            close(
                &format!("{what} dx"),
                &layer.backward(c.a("delta")).unwrap(),
                &c.a("dx"),
            );
            close(&format!("{what} dw"), &layer.params()[0].grad, &c.a("dw"));
            if bias {
                close(&format!("{what} db"), &layer.params()[1].grad, &c.a("db"));
            }
        }
    }
}

#[test]
fn pooling_matches_torch() {
    let cases = load();
    for (name, c) in of_kind(&cases, &["max", "avg", "avg_nopad", "sum"]) {
        let kind = match c.p("kind") {
            "max" => PoolKind::Max,
            "avg" => PoolKind::Avg {
                count_include_pad: true,
            },
            "avg_nopad" => PoolKind::Avg {
                count_include_pad: false,
            },
            _ => PoolKind::Sum,
        };
        let mut pool = Pool2d::<f64>::new(kind, c.num("k"))
            .stride(c.num("stride"))
            .padding(c.num("pad"))
            .ceil_mode(c.num("ceil") == 1);
        close(
            &format!("{name} y"),
            &pool.forward(c.a("x")).unwrap(),
            &c.a("y"),
        );
        close(
            &format!("{name} dx"),
            &pool.backward(c.a("delta")).unwrap(),
            &c.a("dx"),
        );
    }
}

#[test]
fn activations_match_torch() {
    let cases = load();
    for (name, c) in of_kind(&cases, &["relu", "leaky_relu", "sigmoid", "tanh", "elu"]) {
        let mut act: Activation<f64> = match c.p("kind") {
            "relu" => Activation::relu(),
            "leaky_relu" => Activation::leaky_relu(0.1),
            "sigmoid" => Activation::sigmoid(),
            "tanh" => Activation::tanh(),
            _ => Activation::elu(1.3),
        };
        close(
            &format!("{name} y"),
            &act.forward(c.a("x")).unwrap(),
            &c.a("y"),
        );
        close(
            &format!("{name} dx"),
            &act.backward(c.a("delta")).unwrap(),
            &c.a("dx"),
        );
    }
}

#[test]
fn dense_and_cross_entropy_match_torch() {
    let cases = load();
    let c = &cases["dense"];
    let w: Array2<f64> = c.a("w").into_dimensionality().unwrap();
    let b: Array1<f64> = c.a("b").into_dimensionality().unwrap();
    let mut dense = Dense::from_weights(w, Some(b)).unwrap();
    close("dense y", &dense.forward(c.a("x")).unwrap(), &c.a("y"));
    close(
        "dense dx",
        &dense.backward(c.a("delta")).unwrap(),
        &c.a("dx"),
    );
    close("dense dw", &dense.params()[0].grad, &c.a("dw"));
    close("dense db", &dense.params()[1].grad, &c.a("db"));

    let c = &cases["ce"];
    let z: Array2<f64> = c.a("z").into_dimensionality().unwrap();
    let labels: Vec<usize> = c.a("labels").iter().map(|&v| v as usize).collect();
    let lg = softmax_cross_entropy(z.view(), &labels).unwrap();
    close("ce loss", &ndarray::arr0(lg.loss).into_dyn(), &c.a("loss"));
    close("ce dz", &lg.grad.into_dyn(), &c.a("dz"));
}

#[test]
fn presets_match_torch() {
    let cases = load();
    for net_name in ["shallow", "deep"] {
        let c = &cases[&format!("preset_{net_name}")];
        for algo in [
            ConvAlgorithm::Direct,
            ConvAlgorithm::Fft,
            ConvAlgorithm::Im2col,
        ] {
            let mut net = match net_name {
                "shallow" => presets::shallow::<f64>(0, algo),
                _ => presets::deep::<f64>(0, algo),
            }
            .unwrap();
            // The fixture's weights: bound·sin(0.7·k + t), bound = 1/√fan_in of the layer.
            let mut fan_in = 1;
            for (t, p) in net.params_mut().into_iter().enumerate() {
                if p.value.ndim() > 1 {
                    fan_in = p.value.shape()[1..].iter().product();
                }
                let bound = 1.0 / (fan_in as f64).sqrt();
                for (k, v) in p.value.iter_mut().enumerate() {
                    *v = bound * (0.7 * k as f64 + t as f64).sin();
                }
            }
            let labels = [3, 8];
            let lg = net.loss_backward(c.a("x"), &labels).unwrap();
            let what = format!("{net_name} {algo}");
            close(
                &format!("{what} loss"),
                &ndarray::arr0(lg.loss).into_dyn(),
                &c.a("loss"),
            );
            for (t, p) in net.params().into_iter().enumerate() {
                let stride = c.a(&format!("g{t}_stride"))[[0]] as usize;
                let g: Vec<f64> = p.grad.iter().copied().step_by(stride).collect();
                let g = ArrayD::from_shape_vec(IxDyn(&[g.len()]), g).unwrap();
                close(
                    &format!("{what} grad {t}"),
                    &g,
                    &c.a(&format!("g{t}_sample")),
                );
                let sum = ndarray::arr1(&[p.grad.sum()]).into_dyn();
                close(
                    &format!("{what} grad sum {t}"),
                    &sum,
                    &c.a(&format!("g{t}_sum")),
                );
            }
            net.eval();
            close(
                &format!("{what} logits"),
                &net.forward(c.a("x")).unwrap(),
                &c.a("logits"),
            );
        }
    }
}
