//! The `convkit` command-line tool: one file per subcommand.
//!
//! Every failure becomes one [`CliError`] line on stderr and exit status 2; outputs are written
//! to a temporary file and renamed, so a failed run leaves no output file behind.

use clap::{Parser, Subcommand};
use thiserror::Error;

mod conv;
mod demo;

pub use conv::ConvArgs;

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
    /// Show what convkit does: the lecture's worked example and a few 1-D / 2-D results.
    Demo,
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
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Conv(args) => conv::run(&args),
        Command::Demo => demo::run(),
    }
}
