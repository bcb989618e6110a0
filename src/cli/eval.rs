//! `convkit eval`: accuracy and confusion matrix of a checkpoint on the test digits, and with
//! `--noise` the accuracy under added Gaussian pixel noise, drawn as a robustness curve.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use super::mnist_data::{default_data_dir, load_test_for};
use crate::nn::ConvAlgorithm;
use crate::train::figures::robustness_chart;
use crate::train::{Checkpoint, evaluate, robustness};

/// Arguments of `convkit eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A checkpoint written by `convkit train`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Directory with the MNIST test files (t10k-images/labels; only they are read).
    /// Default: data/mnist.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Convolution algorithm for inference.
    #[arg(long, default_value = "auto")]
    algo: ConvAlgorithm,
    /// Noise standard deviations, comma-separated (e.g. 0,0.1,0.2,0.4,0.8): accuracy under
    /// each, and a plot of the curve.
    #[arg(long, value_name = "SIGMA[,SIGMA...]", value_delimiter = ',')]
    noise: Vec<f64>,
    /// Where the robustness plot goes (with --noise).
    #[arg(long, value_name = "PNG", default_value = "robustness.png")]
    plot: PathBuf,
    /// Also write the test digits' logits (N × 10, float32) as .npy, e.g. to compare with
    /// PyTorch (docs/pytorch_check.py).
    #[arg(long, value_name = "NPY")]
    logits: Option<PathBuf>,
}

/// Runs `convkit eval`.
pub fn run(args: &EvalArgs) -> Result<(), CliError> {
    let ck = Checkpoint::read(&args.model)?;
    let config = ck.config()?;
    let mut model = ck.model(args.algo)?;
    let dir = args.data.clone().unwrap_or_else(default_data_dir);
    let test = load_test_for(&dir, config.arch)?;
    let ev = evaluate(&mut model, &test)?;
    println!(
        "{} ({} epochs) on {} test digits from {}: accuracy {:.2}% ({} wrong), loss {:.4}",
        config.arch,
        ck.metadata().get("epoch").map_or("?", String::as_str),
        test.len(),
        dir.display(),
        100.0 * ev.accuracy,
        ev.predictions
            .iter()
            .zip(test.labels())
            .filter(|(p, t)| **p != **t as usize)
            .count(),
        ev.loss
    );
    print!("{}", ev.confusion_table());
    if let Some(path) = &args.logits {
        model.eval();
        let (x, _) = test.batch(&(0..test.len()).collect::<Vec<_>>());
        let logits = model.forward(x.into_dyn())?;
        crate::npy::write(path, &logits)?;
        println!("wrote {}", path.display());
    }
    if !args.noise.is_empty() {
        if let Some(bad) = args.noise.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
            return Err(CliError::Usage(format!(
                "--noise {bad}: standard deviations must be ≥ 0"
            )));
        }
        let points = robustness(&mut model, &test, &args.noise, config.seed)?;
        println!("noise σ  accuracy");
        for (s, a) in &points {
            println!("{s:>7}  {:>7.2}%", 100.0 * a);
        }
        robustness_chart(&points, &config.arch.to_string()).save_png(&args.plot)?;
        println!("wrote {}", args.plot.display());
    }
    Ok(())
}
