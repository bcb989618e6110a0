//! The `convkit` command-line tool: one file per subcommand.
//!
//! Every failure becomes one [`CliError`] line on stderr and exit status 2; outputs are written
//! to a temporary file and renamed, so a failed run leaves no output file behind.

use clap::{Parser, Subcommand};
use thiserror::Error;

mod bench;
mod calibrate;
mod conv;
mod demo;
mod eval;
mod filter;
mod mnist_data;
mod predict;
mod train;

pub use bench::BenchArgs;
pub use calibrate::CalibrateArgs;
pub use conv::ConvArgs;
pub use demo::DemoArgs;
pub use eval::EvalArgs;
pub use filter::FilterArgs;
pub use predict::PredictArgs;
pub use train::TrainArgs;

/// convkit: convolution and cross-correlation of signals and images.
#[derive(Debug, Parser)]
#[command(name = "convkit", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convolve or correlate two .npy arrays, or numbers typed on the command line.
    Conv(ConvArgs),
    /// Filter a photograph (or the built-in test image) with named kernels; write the results
    /// and comparison figures.
    Filter(FilterArgs),
    /// Show what convkit does: the lecture's worked example and a few 1-D / 2-D results, then
    /// write figures (filter comparison, padding comparison, stem plots) into a directory.
    Demo(DemoArgs),
    /// Time direct, FFT, overlap-add and Auto on the W1/W2 workloads; print the table and draw
    /// the timing charts.
    Bench(BenchArgs),
    /// Measure the cost model of Algorithm::Auto on this machine and store it.
    Calibrate(CalibrateArgs),
    /// Train a CNN (shallow, deep or zipcode) on MNIST digits and save a safetensors
    /// checkpoint PyTorch can load.
    Train(TrainArgs),
    /// Accuracy, confusion matrix and noise robustness of a checkpoint on the test digits.
    Eval(EvalArgs),
    /// Classify one digit image with a checkpoint.
    Predict(PredictArgs),
}

/// Why a command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// A convolution request the library rejects.
    #[error(transparent)]
    Conv(#[from] crate::ConvError),
    /// A bad .npy file.
    #[error(transparent)]
    Npy(#[from] crate::npy::NpyError),
    /// A bad image file, or one that cannot be written.
    #[error(transparent)]
    Image(#[from] crate::image::ImageError),
    /// A kernel name or kernel file that does not parse.
    #[error(transparent)]
    Kernel(#[from] crate::image::KernelError),
    /// A figure that cannot be drawn or saved.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// A network that cannot be built or run.
    #[error(transparent)]
    Nn(#[from] crate::nn::NnError),
    /// Missing or damaged MNIST files.
    #[error(transparent)]
    Mnist(#[from] crate::data::MnistError),
    /// A checkpoint that cannot be read, written or used.
    #[error(transparent)]
    Checkpoint(#[from] crate::train::CheckpointError),
    /// A directory that cannot be created.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Conv(args) => conv::run(&args),
        Command::Filter(args) => filter::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Predict(args) => predict::run(&args),
    }
}
