//! [`TrainConfig`]: every choice a training run makes, with the defaults of the PyTorch recipe
//! the project compares against (SGD lr 0.05, momentum 0.9, batch 64, 10 epochs).

use crate::nn::{ConvAlgorithm, WeightDecay};

use super::{Arch, Augment, Schedule};

/// The hyper-parameters of a training run (builder style).
///
/// ```
/// use convkit::train::{Arch, Schedule, TrainConfig};
/// let c = TrainConfig::new(Arch::Deep).epochs(20).schedule(Schedule::Cosine { min: 0.0 });
/// assert_eq!((c.batch, c.lr, c.momentum), (64, 0.05, 0.9));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// The network.
    pub arch: Arch,
    /// How its convolutions are computed.
    pub algorithm: ConvAlgorithm,
    /// Epochs in all.
    pub epochs: usize,
    /// Mini-batch size (the last batch of an epoch may be smaller).
    pub batch: usize,
    /// Base learning rate.
    pub lr: f64,
    /// SGD momentum μ.
    pub momentum: f64,
    /// L2 weight decay.
    pub weight_decay: WeightDecay,
    /// Learning-rate schedule.
    pub schedule: Schedule,
    /// Stop after this many epochs without a lower validation loss, restoring the best weights.
    pub early_stop: Option<usize>,
    /// Random transforms of the training images.
    pub augment: Augment,
    /// Dropout probability before the last dense layer (0: no dropout layer).
    pub dropout: f64,
    /// The seed every random choice derives from (initialisation, split, shuffles, masks,
    /// augmentation).
    pub seed: u64,
    /// Fraction of the training digits held out for validation.
    pub val_split: f64,
    /// Shuffle the training digits every epoch (off: file order).
    pub shuffle: bool,
}

impl TrainConfig {
    /// The defaults for `arch`.
    pub fn new(arch: Arch) -> Self {
        TrainConfig {
            arch,
            algorithm: ConvAlgorithm::Auto,
            epochs: 10,
            batch: 64,
            lr: 0.05,
            momentum: 0.9,
            weight_decay: WeightDecay::None,
            schedule: Schedule::Constant,
            early_stop: None,
            augment: Augment::NONE,
            dropout: 0.0,
            seed: 0,
            val_split: 0.1,
            shuffle: true,
        }
    }

    /// Sets the convolution algorithm.
    pub fn algorithm(mut self, a: ConvAlgorithm) -> Self {
        self.algorithm = a;
        self
    }

    /// Sets the number of epochs.
    pub fn epochs(mut self, n: usize) -> Self {
        self.epochs = n;
        self
    }

    /// Sets the batch size.
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n;
        self
    }

    /// Sets the learning rate.
    pub fn lr(mut self, lr: f64) -> Self {
        self.lr = lr;
        self
    }

    /// Sets the momentum.
    pub fn momentum(mut self, m: f64) -> Self {
        self.momentum = m;
        self
    }

    /// Sets the weight decay.
    pub fn weight_decay(mut self, w: WeightDecay) -> Self {
        self.weight_decay = w;
        self
    }

    /// Sets the schedule.
    pub fn schedule(mut self, s: Schedule) -> Self {
        self.schedule = s;
        self
    }

    /// Sets early stopping's patience.
    pub fn early_stop(mut self, patience: Option<usize>) -> Self {
        self.early_stop = patience;
        self
    }

    /// Sets the augmentation.
    pub fn augment(mut self, a: Augment) -> Self {
        self.augment = a;
        self
    }

    /// Sets the dropout probability.
    pub fn dropout(mut self, p: f64) -> Self {
        self.dropout = p;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// Sets the validation fraction.
    pub fn val_split(mut self, f: f64) -> Self {
        self.val_split = f;
        self
    }

    /// Turns shuffling on or off.
    pub fn shuffle(mut self, on: bool) -> Self {
        self.shuffle = on;
        self
    }

    /// Checks the values fit together; the error says which does not.
    pub fn validate(&self) -> Result<(), String> {
        if self.epochs == 0 {
            return Err("--epochs must be at least 1".into());
        }
        if self.batch == 0 {
            return Err("--batch must be at least 1".into());
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(format!("--lr {} must be a positive number", self.lr));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(format!("--momentum {} must be in [0, 1)", self.momentum));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(format!("--dropout {} must be in [0, 1)", self.dropout));
        }
        if !(0.0..1.0).contains(&self.val_split) {
            return Err(format!("--val-split {} must be in [0, 1)", self.val_split));
        }
        if self.early_stop.is_some() && self.val_split == 0.0 {
            return Err("--early-stop needs validation digits (--val-split > 0)".into());
        }
        Ok(())
    }
}
