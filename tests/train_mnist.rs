//! Training on the repository's real MNIST sample: accuracy after a short run, agreement of the
//! conv algorithms, determinism (also across thread counts), checkpoint round trip and exact
//! resume.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use convkit::data::{Digits, Mnist};
use convkit::nn::{ConvAlgorithm, WeightDecay};
use convkit::train::checkpoint::{self, Checkpoint, param_values};
use convkit::train::{
    Arch, Augment, Schedule, TrainConfig, Trainer, evaluate, fit_to, split_validation,
};

fn mnist() -> &'static Mnist {
    static DATA: OnceLock<Mnist> = OnceLock::new();
    DATA.get_or_init(|| {
        Mnist::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist")).expect("data/mnist")
    })
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-train-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn train(trainer: &mut Trainer, digits: &Digits) {
    let (train, val) = split_validation(digits, &trainer.config);
    while !trainer.finished() {
        trainer.run_epoch(&train, val.as_ref(), |_| {}).unwrap();
    }
}

#[test]
fn sample_has_the_documented_sizes() {
    let m = mnist();
    assert_eq!((m.train.len(), m.test.len()), (6000, 2000));
    assert_eq!(m.train.shape(), (28, 28));
    // Every class is present in both halves.
    for c in 0..10u8 {
        assert!(m.train.labels().iter().filter(|&&l| l == c).count() > 400);
        assert!(m.test.labels().iter().filter(|&&l| l == c).count() > 120);
    }
}

/// The shallow net, PyTorch's recipe, three epochs on all 6,000 digits: > 90 % on the 2,000
/// test digits.
#[test]
fn short_run_exceeds_90_percent() {
    let m = mnist();
    let config = TrainConfig::new(Arch::Shallow)
        .epochs(3)
        .val_split(0.0)
        .algorithm(ConvAlgorithm::Im2col);
    let mut t = Trainer::new(config).unwrap();
    train(&mut t, &m.train);
    let ev = evaluate(&mut t.model, &m.test).unwrap();
    assert!(ev.accuracy > 0.90, "test accuracy {}", ev.accuracy);
    assert_eq!(ev.confusion.iter().flatten().sum::<usize>(), 2000);
    let losses: Vec<f64> = t.state.history.iter().map(|r| r.train_loss).collect();
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
}

/// Every algorithm trains ten steps of the deep net from one seed to the same loss.
#[test]
fn every_conv_algorithm_trains_to_the_same_loss() {
    let digits = mnist().train.subset(&(0..640).collect::<Vec<_>>());
    let mut losses = Vec::new();
    for algo in [
        ConvAlgorithm::Direct,
        ConvAlgorithm::Fft,
        ConvAlgorithm::Im2col,
        ConvAlgorithm::Auto,
    ] {
        let config = TrainConfig::new(Arch::Deep)
            .epochs(1)
            .val_split(0.0)
            .algorithm(algo);
        let mut t = Trainer::new(config).unwrap();
        let r = t.run_epoch(&digits, None, |_| {}).unwrap();
        let w = param_values(&t.model);
        losses.push((algo, r.train_loss, w));
    }
    let (_, ref_loss, ref_w) = &losses[2];
    let init = param_values(&Arch::Deep.build(0, ConvAlgorithm::Im2col, 0.0).unwrap());
    assert_ne!(&init, ref_w, "ten steps moved the weights");
    for (algo, loss, w) in &losses {
        assert!(
            (loss - ref_loss).abs() < 1e-4 * ref_loss.abs(),
            "{algo}: {loss} vs {ref_loss}"
        );
        let max_diff = w
            .iter()
            .zip(ref_w)
            .map(|(a, b)| (a - b).iter().fold(0f32, |m, v| m.max(v.abs())))
            .fold(0f32, f32::max);
        assert!(max_diff < 1e-3, "{algo}: weights differ by {max_diff}");
    }
}

fn regularised(epochs: usize) -> TrainConfig {
    TrainConfig::new(Arch::Shallow)
        .epochs(epochs)
        .algorithm(ConvAlgorithm::Im2col)
        .augment(Augment::DEFAULT)
        .dropout(0.3)
        .weight_decay(WeightDecay::PerLayer(vec![1e-4, 5e-4, 5e-4]))
        .schedule(Schedule::Cosine { min: 0.001 })
        .early_stop(Some(5))
        .seed(11)
}

/// Same seed, same data: bitwise the same weights, with one thread or two.
#[test]
fn runs_are_deterministic_across_thread_counts() {
    let digits = mnist().train.subset(&(0..1000).collect::<Vec<_>>());
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut t = Trainer::new(regularised(2)).unwrap();
            train(&mut t, &digits);
            (param_values(&t.model), t.state.history.clone())
        })
    };
    let (a, ha) = run(2);
    let (b, hb) = run(2);
    let (c, _) = run(1);
    assert_eq!(a, b);
    assert_eq!(
        ha.iter().map(|r| r.train_loss).collect::<Vec<_>>(),
        hb.iter().map(|r| r.train_loss).collect::<Vec<_>>()
    );
    assert_eq!(a, c, "one thread gives other weights than two");
}

/// Two epochs straight equal one epoch, a checkpoint, and a resumed second epoch.
#[test]
fn resume_continues_exactly() {
    let digits = mnist().train.subset(&(0..1200).collect::<Vec<_>>());
    let data = checkpoint::fingerprint(&digits);
    let dir = scratch("resume");
    let path = dir.join("m.safetensors");

    let mut straight = Trainer::new(regularised(2)).unwrap();
    train(&mut straight, &digits);

    let mut first = Trainer::new(regularised(1)).unwrap();
    train(&mut first, &digits);
    checkpoint::save(&path, &first, &data).unwrap();
    let ck = Checkpoint::read(&path).unwrap();
    let mut resumed = ck.resume(&data, Some(2)).unwrap();
    assert_eq!(resumed.state.epoch, 1);
    assert_eq!(resumed.config, regularised(2));
    assert_eq!(resumed.sgd.velocity(), first.sgd.velocity());
    train(&mut resumed, &digits);

    assert_eq!(param_values(&resumed.model), param_values(&straight.model));
    assert_eq!(resumed.state.history.len(), 2);
    assert_eq!(
        resumed.state.history[1].train_loss,
        straight.state.history[1].train_loss
    );
    assert_eq!(resumed.state.best, straight.state.best);

    // Other digits are refused.
    let other = mnist().train.subset(&(1..1201).collect::<Vec<_>>());
    let err = ck
        .resume(&checkpoint::fingerprint(&other), None)
        .err()
        .expect("resume on other data must fail")
        .to_string();
    assert!(err.contains("other digits"), "{err}");
}

#[test]
fn checkpoint_round_trip_and_bad_files() {
    let m = mnist();
    let dir = scratch("roundtrip");
    let path = dir.join("deep.safetensors");
    let mut t = Trainer::new(
        TrainConfig::new(Arch::Deep)
            .epochs(1)
            .algorithm(ConvAlgorithm::Im2col),
    )
    .unwrap();
    let few = m.train.subset(&(0..256).collect::<Vec<_>>());
    train(&mut t, &few);
    checkpoint::save(&path, &t, &checkpoint::fingerprint(&few)).unwrap();

    let ck = Checkpoint::read(&path).unwrap();
    assert_eq!(ck.config().unwrap(), t.config);
    let mut loaded = ck.model(ConvAlgorithm::Im2col).unwrap();
    assert_eq!(param_values(&loaded), param_values(&t.model));
    let test = m.test.subset(&(0..300).collect::<Vec<_>>());
    let a = evaluate(&mut t.model, &test).unwrap();
    let b = evaluate(&mut loaded, &test).unwrap();
    assert_eq!(a.predictions, b.predictions);
    // PyTorch's state_dict names.
    let mut names: Vec<&str> = ck.metadata().keys().map(String::as_str).collect();
    names.sort();
    assert!(names.contains(&"optimizer.velocity") && names.contains(&"pytorch"));

    // Weights into the wrong architecture: a clear mismatch.
    let mut shallow = Arch::Shallow.build(0, ConvAlgorithm::Im2col, 0.0).unwrap();
    let err = ck.apply_weights(&mut shallow).unwrap_err().to_string();
    assert!(err.contains("no tensor '3.weight'"), "{err}");

    // Truncated and garbage files name the file.
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.join("cut.safetensors");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = Checkpoint::read(&cut).unwrap_err().to_string();
    assert!(
        err.contains("cut.safetensors") && err.contains("not a valid checkpoint"),
        "{err}"
    );
    let junk = dir.join("junk.safetensors");
    std::fs::write(&junk, b"hello, world").unwrap();
    assert!(Checkpoint::read(&junk).is_err());
    assert!(Checkpoint::read(dir.join("missing.safetensors")).is_err());
}

#[test]
fn zipcode_reads_resized_digits() {
    let d = fit_to(&mnist().test.subset(&[0, 1, 2]), Arch::Zipcode).unwrap();
    assert_eq!(d.shape(), (16, 16));
    let mut t = Trainer::new(
        TrainConfig::new(Arch::Zipcode)
            .epochs(1)
            .batch(2)
            .val_split(0.0),
    )
    .unwrap();
    let r = t.run_epoch(&d, None, |_| {}).unwrap();
    assert!(r.train_loss.is_finite());
}
