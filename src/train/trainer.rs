//! The training loop: seeded split and shuffles, mini-batch SGD with momentum and weight decay,
//! a learning-rate schedule, dropout and augmentation, validation after every epoch, and early
//! stopping that restores the best weights.
//!
//! Every random choice derives from the run's seed and *where* it is made (epoch, batch,
//! sample position), never from the order threads happen to run in, so a run is reproducible
//! and can be resumed from a checkpoint at any epoch boundary with the same result.

use std::time::Instant;

use ndarray::{Array4, ArrayD, Axis};
use rayon::prelude::*;

use super::evaluate::{argmax, evaluate};
use super::{TrainConfig, checkpoint};
use crate::data::Digits;
use crate::nn::{NnError, Rng, Sequential, Sgd};

/// Stream tags for [`Rng::derive`], one per kind of random choice.
const SPLIT: u64 = 1;
const SHUFFLE: u64 = 2;
const AUGMENT: u64 = 3;
const DROPOUT: u64 = 4;

/// The result of one epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// The learning rate used.
    pub lr: f64,
    /// Mean training loss over the epoch's batches (weighted by batch size).
    pub train_loss: f64,
    /// Training accuracy over the epoch (as the batches were seen, in training mode).
    pub train_accuracy: f64,
    /// Validation loss (NaN without validation digits).
    pub val_loss: f64,
    /// Validation accuracy (NaN without validation digits).
    pub val_accuracy: f64,
    /// Seconds of training (validation excluded).
    pub seconds: f64,
    /// Training images per second.
    pub images_per_second: f64,
}

/// Early stopping's memory: the best validation loss and the weights that reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// The lowest validation loss so far.
    pub val_loss: f64,
    /// The epoch (1-based) that reached it.
    pub epoch: usize,
    /// The parameters at that epoch, in `params` order.
    pub weights: Vec<ArrayD<f32>>,
}

/// Where a run stands: what a checkpoint stores besides weights and momentum.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainState {
    /// Epochs completed.
    pub epoch: usize,
    /// One record per completed epoch.
    pub history: Vec<EpochRecord>,
    /// Early stopping's best so far.
    pub best: Option<Best>,
    /// Epochs since the best.
    pub bad_epochs: usize,
    /// Whether early stopping ended the run (the best weights were restored).
    pub stopped_early: bool,
}

/// Progress within an epoch, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchProgress {
    /// Training images done this epoch.
    pub done: usize,
    /// Training images in the epoch.
    pub total: usize,
    /// Mean loss so far this epoch.
    pub loss: f64,
    /// Accuracy so far this epoch.
    pub accuracy: f64,
    /// Images per second so far.
    pub images_per_second: f64,
}

/// The training digits split into the part trained on and the validation part.
///
/// The last ⌈f·n⌉ digits of a seeded permutation (of file order with `shuffle` off) are held
/// out.
pub fn split_validation(digits: &Digits, config: &TrainConfig) -> (Digits, Option<Digits>) {
    let n = digits.len();
    // ⌈f·n⌉, with a margin so that e.g. 0.7·10 = 7.000000000000001 holds out 7, not 8.
    let n_val = (config.val_split * n as f64 - 1e-9).ceil().max(0.0) as usize;
    if n_val == 0 || n_val >= n {
        return (digits.clone(), None);
    }
    let mut order: Vec<usize> = (0..n).collect();
    if config.shuffle {
        shuffle(&mut order, Rng::derive(config.seed, &[SPLIT]));
    }
    let (train, val) = order.split_at(n - n_val);
    (digits.subset(train), Some(digits.subset(val)))
}

/// Fisher–Yates with a generator seeded by `seed`.
fn shuffle(order: &mut [usize], seed: u64) {
    let mut rng = Rng::new(seed);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
}

/// A model, its optimiser and the state of its run.
pub struct Trainer {
    /// The hyper-parameters.
    pub config: TrainConfig,
    /// The network.
    pub model: Sequential<f32>,
    /// The optimiser (momentum buffers included).
    pub sgd: Sgd<f32>,
    /// Where the run stands.
    pub state: TrainState,
}

impl Trainer {
    /// A fresh run: the network initialised from the config's seed.
    pub fn new(config: TrainConfig) -> Result<Self, NnError> {
        config.validate().map_err(NnError::Config)?;
        let model = config
            .arch
            .build(config.seed, config.algorithm, config.dropout)?;
        let sgd = Sgd::new(config.lr, config.momentum).weight_decay(config.weight_decay.clone());
        Ok(Trainer {
            config,
            model,
            sgd,
            state: TrainState::default(),
        })
    }

    /// Whether the run has finished (all epochs, or stopped early).
    pub fn finished(&self) -> bool {
        self.state.stopped_early || self.state.epoch >= self.config.epochs
    }

    /// The order of the training digits in epoch `epoch` (0-based).
    fn epoch_order(&self, n: usize, epoch: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        if self.config.shuffle {
            shuffle(
                &mut order,
                Rng::derive(self.config.seed, &[SHUFFLE, epoch as u64]),
            );
        }
        order
    }

    /// The batch of `indices`, augmented if the config says so (sample k of batch b of epoch
    /// e draws from its own stream, so threads do not change the result).
    fn batch(
        &self,
        train: &Digits,
        indices: &[usize],
        epoch: usize,
        b: usize,
    ) -> (Array4<f32>, Vec<usize>) {
        let aug = self.config.augment;
        if !aug.is_active() {
            return train.batch(indices);
        }
        let (rows, cols) = train.shape();
        let seed = self.config.seed;
        let pixels: Vec<f32> = indices
            .par_iter()
            .enumerate()
            .flat_map_iter(|(k, &i)| {
                let mut rng = Rng::new(Rng::derive(
                    seed,
                    &[AUGMENT, epoch as u64, b as u64, k as u64],
                ));
                aug.apply(train.pixels(i), rows, cols, &mut rng)
            })
            .collect();
        let x = Array4::from_shape_vec((indices.len(), 1, rows, cols), pixels)
            .expect("augmented batch has indices × rows × cols pixels");
        (x, indices.iter().map(|&i| train.label(i)).collect())
    }

    /// Trains one epoch on `train`, validates on `val`, applies early stopping, and returns the
    /// epoch's record. `progress` is called after every batch.
    pub fn run_epoch(
        &mut self,
        train: &Digits,
        val: Option<&Digits>,
        mut progress: impl FnMut(BatchProgress),
    ) -> Result<EpochRecord, NnError> {
        if train.is_empty() {
            return Err(NnError::Config("no training digits".into()));
        }
        if self.config.early_stop.is_some() && val.is_none_or(|v| v.is_empty()) {
            return Err(NnError::Config(
                "early stopping needs validation digits (a larger validation split)".into(),
            ));
        }
        let e = self.state.epoch;
        let lr = self
            .config
            .schedule
            .rate(self.config.lr, e, self.config.epochs);
        self.sgd.set_lr(lr);
        self.model.train();
        self.model
            .reseed(Rng::derive(self.config.seed, &[DROPOUT, e as u64]));
        let order = self.epoch_order(train.len(), e);
        let start = Instant::now();
        let (mut loss_sum, mut correct, mut done) = (0.0, 0usize, 0usize);
        for (b, chunk) in order.chunks(self.config.batch).enumerate() {
            let (x, labels) = self.batch(train, chunk, e, b);
            self.model.zero_grad();
            let step = self.model.loss_backward(x.into_dyn(), &labels)?;
            self.sgd.step(&mut self.model)?;
            // softmax = N·grad + one-hot: the predictions without a second forward pass.
            let n = chunk.len() as f32;
            for (row, &t) in step.grad.axis_iter(Axis(0)).zip(&labels) {
                let p = argmax(
                    row.iter()
                        .enumerate()
                        .map(|(c, &g)| g * n + if c == t { 1.0 } else { 0.0 }),
                );
                correct += usize::from(p == t);
            }
            loss_sum += step.loss as f64 * chunk.len() as f64;
            done += chunk.len();
            let secs = start.elapsed().as_secs_f64();
            progress(BatchProgress {
                done,
                total: train.len(),
                loss: loss_sum / done as f64,
                accuracy: correct as f64 / done as f64,
                images_per_second: done as f64 / secs.max(1e-9),
            });
        }
        let seconds = start.elapsed().as_secs_f64();
        let (val_loss, val_accuracy) = match val {
            Some(v) => {
                let ev = evaluate(&mut self.model, v)?;
                (ev.loss, ev.accuracy)
            }
            None => (f64::NAN, f64::NAN),
        };
        self.state.epoch += 1;
        let record = EpochRecord {
            epoch: self.state.epoch,
            lr,
            train_loss: loss_sum / done as f64,
            train_accuracy: correct as f64 / done as f64,
            val_loss,
            val_accuracy,
            seconds,
            images_per_second: done as f64 / seconds.max(1e-9),
        };
        self.state.history.push(record.clone());
        if let (Some(patience), Some(_)) = (self.config.early_stop, val) {
            self.early_stopping(val_loss, patience);
        }
        Ok(record)
    }

    fn early_stopping(&mut self, val_loss: f64, patience: usize) {
        // A NaN or infinite loss never counts as the best (nothing compares below NaN).
        let improved = val_loss.is_finite()
            && self
                .state
                .best
                .as_ref()
                .is_none_or(|b| val_loss < b.val_loss);
        if improved {
            self.state.best = Some(Best {
                val_loss,
                epoch: self.state.epoch,
                weights: checkpoint::param_values(&self.model),
            });
            self.state.bad_epochs = 0;
        } else {
            self.state.bad_epochs += 1;
            if self.state.bad_epochs >= patience
                && let Some(best) = &self.state.best
            {
                for (p, w) in self.model.params_mut().into_iter().zip(&best.weights) {
                    p.value.assign(w);
                }
                self.state.stopped_early = true;
            }
        }
    }
}
