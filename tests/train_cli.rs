//! `convkit train`, `eval` and `predict` as a user runs them, and their one-line errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use convkit::data::Mnist;
use convkit::image::{Image, ToneMap, io};
use ndarray::Array2;

fn convkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convkit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run convkit")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-tcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn one_line_error(o: &Output, needle: &str) {
    let (_, err) = text(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
}

#[test]
fn train_eval_predict_resume() {
    let dir = scratch("flow");
    let model = dir.join("m.safetensors");
    let plots = dir.join("plots");
    let o = convkit(&[
        "train",
        "--epochs",
        "1",
        "--algo",
        "im2col",
        "--quiet",
        "--save",
        p(&model),
        "--plots",
        p(&plots),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("epoch  1/1") && out.contains("test accuracy"),
        "{out}"
    );
    assert!(model.is_file());
    for f in ["curves.png", "filters.png", "feature-maps-1.png"] {
        assert!(plots.join(f).is_file(), "{f}");
    }

    let robust = dir.join("robust.png");
    let logits = dir.join("logits.npy");
    let o = convkit(&[
        "eval",
        "--model",
        p(&model),
        "--noise",
        "0,0.5",
        "--plot",
        p(&robust),
        "--logits",
        p(&logits),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("accuracy") && out.contains("true\\pred"),
        "{out}"
    );
    assert!(robust.is_file() && logits.is_file());
    assert_eq!(convkit::npy::read(&logits).unwrap().shape(), &[2000, 10]);

    // A test digit written as a PNG is classified as eval classified it.
    let m = Mnist::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist")).unwrap();
    let digit = Array2::from_shape_vec((28, 28), m.test.pixels(0).to_vec()).unwrap();
    let png = dir.join("digit.png");
    io::write(&png, &Image::gray(digit), ToneMap::Clamp).unwrap();
    let o = convkit(&["predict", "--model", p(&model), p(&png)]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("probability"), "{out}");

    // Resume to a second epoch; the history grows and the file is rewritten.
    let o = convkit(&["train", "--resume", p(&model), "--epochs", "2", "--quiet"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("resuming shallow at epoch 1/2") && out.contains("epoch  2/2"),
        "{out}"
    );
    // The checkpoint's algorithm, not the default auto.
    assert!(
        out.contains("algorithm=im2col") && !out.contains("algorithm=auto"),
        "{out}"
    );
    // Hyper-parameters come from the checkpoint.
    one_line_error(
        &convkit(&["train", "--resume", p(&model), "--lr", "0.1"]),
        "cannot be used with",
    );
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let dir = scratch("bad");
    let model = dir.join("m.safetensors");
    one_line_error(
        &convkit(&["train", "--data", p(&dir), "--save", p(&model)]),
        "no train images file",
    );
    assert!(!model.exists());
    one_line_error(
        &convkit(&["train", "--arch", "vgg"]),
        "unknown architecture",
    );
    one_line_error(
        &convkit(&["train", "--schedule", "linear"]),
        "unknown schedule",
    );
    one_line_error(
        &convkit(&["train", "--early-stop", "3", "--val-split", "0"]),
        "--early-stop",
    );
    one_line_error(
        &convkit(&["train", "--augment", "zoom=2"]),
        "unknown augmentation",
    );
    std::fs::write(&model, b"not a checkpoint").unwrap();
    one_line_error(
        &convkit(&["eval", "--model", p(&model)]),
        "not a valid checkpoint",
    );
    one_line_error(
        &convkit(&[
            "predict",
            "--model",
            p(&dir.join("none.safetensors")),
            "x.png",
        ]),
        "none.safetensors",
    );
}
