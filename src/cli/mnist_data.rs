//! Where `train` and `eval` find their digits: `--data DIR`, or the sample the repository
//! carries, resized to the network's input.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::data::mnist::{Split, load_split};
use crate::data::{Digits, Mnist};
use crate::train::{Arch, fit_to};

/// `data/mnist` under the current directory if it is there, else the one beside the sources
/// this binary was built from.
pub fn default_data_dir() -> PathBuf {
    let local = PathBuf::from("data/mnist");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist")
}

/// Both halves of the MNIST files in `dir`, at `arch`'s input size.
pub fn load_for(dir: &Path, arch: Arch) -> Result<Mnist, CliError> {
    let m = Mnist::load(dir)?;
    Ok(Mnist {
        train: fit_to(&m.train, arch)?,
        test: fit_to(&m.test, arch)?,
    })
}

/// The test digits (`t10k-*`) of `dir` only, at `arch`'s input size.
pub fn load_test_for(dir: &Path, arch: Arch) -> Result<Digits, CliError> {
    Ok(fit_to(&load_split(dir, Split::Test)?, arch)?)
}
