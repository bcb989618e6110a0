//! Training the network presets on MNIST: the training loop ([`Trainer`]), its
//! hyper-parameters ([`TrainConfig`], [`Schedule`], [`Augment`]), evaluation (accuracy,
//! confusion matrix, noise robustness), safetensors checkpoints that PyTorch loads, and the
//! figures of a run (curves, learned filters, feature maps).
//!
//! Dependencies: `train → nn → signal`, `train → data`, `train → plot`.
//!
//! ```
//! use convkit::data::Digits;
//! use convkit::train::{Arch, TrainConfig, Trainer};
//!
//! // Eight blank "digits": one epoch runs and reports its loss.
//! let digits = Digits::new(vec![0; 8 * 28 * 28], vec![0, 1, 2, 3, 4, 5, 6, 7], 28, 28)?;
//! let mut t = Trainer::new(TrainConfig::new(Arch::Shallow).epochs(1).batch(4).val_split(0.0))?;
//! let record = t.run_epoch(&digits, None, |_| {})?;
//! assert!(record.train_loss > 0.0 && t.finished());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod arch;
pub mod augment;
pub mod checkpoint;
pub mod config;
pub mod evaluate;
pub mod figures;
pub mod schedule;
pub mod trainer;

pub use arch::Arch;
pub use augment::Augment;
pub use checkpoint::{Checkpoint, CheckpointError};
pub use config::TrainConfig;
pub use evaluate::{Evaluation, evaluate, robustness};
pub use schedule::Schedule;
pub use trainer::{BatchProgress, EpochRecord, TrainState, Trainer, split_validation};

use crate::data::{Digits, MnistError, resize_area};

/// `digits` at the input size of `arch` (resized by area averaging if they differ).
pub fn fit_to(digits: &Digits, arch: Arch) -> Result<Digits, MnistError> {
    let (r, c) = digits.shape();
    let (tr, tc) = arch.input_size();
    if (r, c) == (tr, tc) {
        return Ok(digits.clone());
    }
    let mut pixels = Vec::with_capacity(digits.len() * tr * tc);
    for i in 0..digits.len() {
        let img =
            resize_area(digits.pixels(i), r, c, tr, tc).map_err(|reason| MnistError::Invalid {
                path: "<digits>".into(),
                reason,
            })?;
        pixels.extend(img);
    }
    Ok(Digits::from_pixels(
        pixels,
        digits.labels().to_vec(),
        tr,
        tc,
    ))
}
