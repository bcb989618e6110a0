//! `convkit calibrate`: measures the cost model's constants on this machine (a few seconds) and
//! stores them where `Algorithm::Auto` reads them (like FFTW's wisdom).

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::signal::auto::Calibration;

/// Arguments of `convkit calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Where to write (default: $CONVKIT_CALIBRATION, else ~/.config/convkit/calibration.toml).
    #[arg(short, long)]
    out: Option<PathBuf>,
}

pub(super) fn run(args: &CalibrateArgs) -> Result<(), CliError> {
    let path =
        args.out.clone().or_else(Calibration::path).ok_or_else(|| {
            CliError::Usage("no HOME or CONVKIT_CALIBRATION: give --out FILE".into())
        })?;
    let bar = ProgressBar::new(crate::bench::calibrate::STEPS);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let calibration = crate::bench::calibrate::measure(|step| {
        bar.set_message(step.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    crate::atomic_file::write(&path, calibration.to_toml().as_bytes()).map_err(|source| {
        CliError::Io {
            path: path.clone(),
            source,
        }
    })?;
    print!("{}", calibration.to_toml());
    println!("wrote {}", path.display());
    Ok(())
}
