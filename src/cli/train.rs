//! `convkit train`: train a network preset on MNIST digits, with a progress bar per epoch,
//! a summary line per epoch, a checkpoint after every epoch, and optional figures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use super::mnist_data::{default_data_dir, load_for};
use crate::data::Digits;
use crate::nn::{ConvAlgorithm, WeightDecay};
use crate::train::checkpoint::{self, Checkpoint};
use crate::train::{
    Arch, Augment, EpochRecord, Schedule, TrainConfig, Trainer, evaluate, figures, split_validation,
};

/// Arguments of `convkit train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Directory with the four MNIST IDX files (.gz or not). Default: the sample the
    /// repository carries (data/mnist: 6,000 training and 2,000 test digits).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Network: shallow, deep or zipcode (16×16 input; digits are resized).
    #[arg(long, default_value = "shallow", conflicts_with = "resume")]
    arch: Arch,
    /// Convolution algorithm: direct, fft, im2col, winograd (3×3 stride-1 layers; others run
    /// direct) or auto (times them on the first batch).
    /// Default: auto, or with --resume the checkpoint's.
    #[arg(long)]
    algo: Option<ConvAlgorithm>,
    /// Epochs in all (with --resume: the new total).
    #[arg(long)]
    epochs: Option<usize>,
    /// Mini-batch size.
    #[arg(long, default_value_t = 64, conflicts_with = "resume")]
    batch: usize,
    /// Base learning rate.
    #[arg(long, default_value_t = 0.05, conflicts_with = "resume")]
    lr: f64,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.9, conflicts_with = "resume")]
    momentum: f64,
    /// L2 weight decay: one λ for all parameters, or λ1,λ2,… one per layer with parameters.
    #[arg(
        long,
        default_value = "0",
        value_name = "λ[,λ...]",
        conflicts_with = "resume"
    )]
    weight_decay: WeightDecay,
    /// Learning-rate schedule: constant, step:EVERY:GAMMA, exp:GAMMA, cosine[:MIN].
    #[arg(long, default_value = "constant", conflicts_with = "resume")]
    schedule: Schedule,
    /// Stop after P epochs without a lower validation loss and restore the best weights.
    #[arg(long, value_name = "P", conflicts_with = "resume")]
    early_stop: Option<usize>,
    /// Augment the training digits: without a value shifts of ±2 px and rotations of ±10°;
    /// or shift=N,rotate=DEG,noise=SIGMA.
    #[arg(long, num_args = 0..=1, default_missing_value = "default", value_name = "SPEC", conflicts_with = "resume")]
    augment: Option<Augment>,
    /// Dropout probability before the last dense layer (adds an nn.Dropout module).
    #[arg(long, default_value_t = 0.0, conflicts_with = "resume")]
    dropout: f64,
    /// Seed of every random choice (initialisation, split, shuffles, dropout, augmentation).
    #[arg(long, default_value_t = 0, conflicts_with = "resume")]
    seed: u64,
    /// Fraction of the training digits held out for validation.
    #[arg(long, default_value_t = 0.1, conflicts_with = "resume")]
    val_split: f64,
    /// Take the training digits in file order every epoch.
    #[arg(long, conflicts_with = "resume")]
    no_shuffle: bool,
    /// Start from these weights (safetensors, e.g. saved by PyTorch) with a fresh optimiser.
    #[arg(long, value_name = "WEIGHTS.safetensors", conflicts_with = "resume")]
    init: Option<PathBuf>,
    /// Where the checkpoint goes (rewritten after every epoch). Default: model.safetensors,
    /// or the --resume file.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Continue the run stored in this checkpoint exactly where it stopped.
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// Write training curves, learned filters and feature maps into this directory.
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// No progress bar (summary lines only).
    #[arg(long)]
    quiet: bool,
}

fn summary_line(r: &EpochRecord, epochs: usize) -> String {
    let val = if r.val_loss.is_finite() {
        format!(
            "val loss {:.4} acc {:.2}%",
            r.val_loss,
            100.0 * r.val_accuracy
        )
    } else {
        "no validation".into()
    };
    format!(
        "epoch {:>2}/{epochs}  lr {:.4}  train loss {:.4} acc {:.2}%  {val}  {:.1} s ({:.0} img/s)",
        r.epoch,
        r.lr,
        r.train_loss,
        100.0 * r.train_accuracy,
        r.seconds,
        r.images_per_second
    )
}

fn new_trainer(args: &TrainArgs, data: &str) -> Result<Trainer, CliError> {
    if let Some(path) = &args.resume {
        let ck = Checkpoint::read(path)?;
        let mut t = ck.resume(data, args.epochs)?;
        if let Some(algo) = args.algo {
            t.config.algorithm = algo;
            t.model.set_algorithm(algo);
        }
        println!(
            "resuming {} at epoch {}/{} from {}",
            t.config.arch,
            t.state.epoch,
            t.config.epochs,
            path.display()
        );
        return Ok(t);
    }
    let config = TrainConfig {
        arch: args.arch,
        algorithm: args.algo.unwrap_or(ConvAlgorithm::Auto),
        epochs: args.epochs.unwrap_or(10),
        batch: args.batch,
        lr: args.lr,
        momentum: args.momentum,
        weight_decay: args.weight_decay.clone(),
        schedule: args.schedule,
        early_stop: args.early_stop,
        augment: args.augment.unwrap_or(Augment::NONE),
        dropout: args.dropout,
        seed: args.seed,
        val_split: args.val_split,
        shuffle: !args.no_shuffle,
    };
    config.validate().map_err(CliError::Usage)?;
    let mut t = Trainer::new(config)?;
    if let Some(init) = &args.init {
        Checkpoint::read(init)?.apply_weights(&mut t.model)?;
        println!("initial weights from {}", init.display());
    }
    Ok(t)
}

/// Runs `convkit train`.
pub fn run(args: &TrainArgs) -> Result<(), CliError> {
    let dir = args.data.clone().unwrap_or_else(default_data_dir);
    let arch = match &args.resume {
        Some(p) => Checkpoint::read(p)?.config()?.arch,
        None => args.arch,
    };
    let mnist = load_for(&dir, arch)?;
    let data_id = checkpoint::fingerprint(&mnist.train);
    let mut trainer = new_trainer(args, &data_id)?;
    let save = args
        .save
        .clone()
        .or_else(|| args.resume.clone())
        .unwrap_or_else(|| PathBuf::from("model.safetensors"));
    let (train, val) = split_validation(&mnist.train, &trainer.config);
    println!(
        "{}: {} training, {} validation, {} test digits from {}",
        trainer.config.arch,
        train.len(),
        val.as_ref().map_or(0, Digits::len),
        mnist.test.len(),
        dir.display()
    );
    println!("{}", trainer.model.summary());
    if trainer.state.stopped_early {
        println!(
            "the checkpoint's run stopped early at epoch {}; it cannot continue",
            trainer.state.epoch
        );
    } else if trainer.finished() {
        println!(
            "the checkpoint's run is complete ({} epochs); give a larger --epochs to go on",
            trainer.state.epoch
        );
    }
    let first_epoch = trainer.state.epoch + 1;
    let started = Instant::now();
    while !trainer.finished() {
        let e = trainer.state.epoch + 1;
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(train.len() as u64)
        };
        bar.set_style(
            ProgressStyle::with_template("epoch {prefix} {bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(format!("{e}/{}", trainer.config.epochs));
        let record = trainer.run_epoch(&train, val.as_ref(), |p| {
            bar.set_position(p.done as u64);
            bar.set_message(format!(
                "loss {:.4} acc {:.2}% {:.0} img/s",
                p.loss,
                100.0 * p.accuracy,
                p.images_per_second
            ));
        })?;
        bar.finish_and_clear();
        println!("{}", summary_line(&record, trainer.config.epochs));
        if e == first_epoch {
            for line in trainer.model.algorithm_report() {
                println!("  auto: {line}");
            }
        }
        if trainer.state.stopped_early
            && let Some(b) = &trainer.state.best
        {
            println!(
                "early stopping: no lower validation loss for {} epochs; restored the weights of epoch {} (val loss {:.4})",
                trainer.state.bad_epochs, b.epoch, b.val_loss
            );
        }
        checkpoint::save(&save, &trainer, &data_id)?;
    }
    if let (false, Some(b)) = (trainer.state.stopped_early, &trainer.state.best) {
        println!(
            "lowest validation loss {:.4} at epoch {} (the saved weights are the last epoch's)",
            b.val_loss, b.epoch
        );
    }
    // Also when no epoch ran (a finished run resumed): --save then still gets the checkpoint.
    checkpoint::save(&save, &trainer, &data_id)?;
    let test = evaluate(&mut trainer.model, &mnist.test)?;
    let secs: Vec<f64> = trainer.state.history.iter().map(|r| r.seconds).collect();
    println!(
        "test accuracy {:.2}% ({} digits), test loss {:.4}; {:.2} s per epoch (median), {:.1} s in all; saved {}",
        100.0 * test.accuracy,
        mnist.test.len(),
        test.loss,
        median(&secs),
        started.elapsed().as_secs_f64(),
        save.display()
    );
    if let Some(dir) = &args.plots {
        write_plots(dir, &mut trainer, &mnist.test)?;
    }
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn write_plots(dir: &Path, trainer: &mut Trainer, test: &Digits) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    if !trainer.state.history.is_empty() {
        let p = dir.join("curves.png");
        figures::curves(&trainer.state.history)?.save_png(&p)?;
        written.push(p);
    }
    if let Some(g) = figures::filters(&trainer.model) {
        let p = dir.join("filters.png");
        g.save_png(&p)?;
        written.push(p);
    }
    if !test.is_empty() {
        let (x, _) = test.batch(&[0]);
        for (k, g) in figures::feature_maps(&mut trainer.model, x.into_dyn())?
            .iter()
            .enumerate()
        {
            let p = dir.join(format!("feature-maps-{}.png", k + 1));
            g.save_png(&p)?;
            written.push(p);
        }
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}
