//! Checkpoints in the safetensors format, loadable by PyTorch.
//!
//! The tensors are the model's parameters under `torch.nn.Sequential`'s `state_dict` names
//! (`0.weight`, `0.bias`, `3.weight`, … — the index is the layer's position), float32, conv
//! weights OIHW and dense weights [out, in], so
//! `model.load_state_dict(safetensors.torch.load_file(path))` works on the network
//! [`Arch::pytorch`](super::Arch::pytorch) prints. Everything else lives in the header's
//! string metadata, which PyTorch ignores: the architecture and hyper-parameters, the epoch,
//! the per-epoch history, a fingerprint of the training digits, and, base64-encoded
//! little-endian float32 in parameter order, the optimiser's momentum buffers
//! (`optimizer.velocity`) and early stopping's best weights (`best.weights`). That is all a
//! resumed run needs to continue exactly. Files are written atomically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ndarray::{ArrayD, IxDyn};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use thiserror::Error;

use super::trainer::{Best, EpochRecord, TrainState, Trainer};
use super::{Arch, TrainConfig};
use crate::data::Digits;
use crate::nn::{ConvAlgorithm, NnError, Sequential, Sgd};

/// The value of the `format` metadata key.
pub const FORMAT: &str = "convkit-checkpoint/1";

/// A checkpoint that cannot be written, read or used.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not a valid safetensors file, or its convkit metadata is damaged.
    #[error("{path}: not a valid checkpoint: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A valid file that does not fit the model or the data at hand.
    #[error("{path}: {reason}")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
    /// A model that cannot be built.
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// The current value of every parameter, in `params` order.
pub fn param_values(model: &Sequential<f32>) -> Vec<ArrayD<f32>> {
    model.params().iter().map(|p| p.value.clone()).collect()
}

/// A short fingerprint of a digit set (count, size, FNV-1a of labels and pixels), stored in a
/// checkpoint so that resuming on different data is an error rather than a silent change.
pub fn fingerprint(digits: &Digits) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for i in 0..digits.len() {
        eat(digits.label(i) as u8);
        for v in digits.pixels(i) {
            v.to_bits().to_le_bytes().into_iter().for_each(&mut eat);
        }
    }
    let (r, c) = digits.shape();
    format!("{} digits {r}x{c} fnv1a {h:016x}", digits.len())
}

fn encode_f32(arrays: &[ArrayD<f32>]) -> String {
    let mut bytes = Vec::new();
    for a in arrays {
        for v in a.iter() {
            bytes.extend(v.to_le_bytes());
        }
    }
    B64.encode(bytes)
}

const HISTORY_HEADER: &str =
    "epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,seconds,images_per_second";

fn history_csv(h: &[EpochRecord]) -> String {
    let mut s = String::from(HISTORY_HEADER);
    for r in h {
        s += &format!(
            "\n{},{},{},{},{},{},{},{}",
            r.epoch,
            r.lr,
            r.train_loss,
            r.train_accuracy,
            r.val_loss,
            r.val_accuracy,
            r.seconds,
            r.images_per_second
        );
    }
    s
}

/// Writes `trainer`'s model and state to `path` (atomically); `data` is the fingerprint of
/// the training digits (before the validation split).
pub fn save(path: &Path, trainer: &Trainer, data: &str) -> Result<(), CheckpointError> {
    let c = &trainer.config;
    let s = &trainer.state;
    let mut meta: HashMap<String, String> = [
        ("format", FORMAT.to_string()),
        ("arch", c.arch.to_string()),
        ("pytorch", c.arch.pytorch(c.dropout)),
        ("algorithm", c.algorithm.to_string()),
        ("epochs", c.epochs.to_string()),
        ("batch", c.batch.to_string()),
        ("lr", c.lr.to_string()),
        ("momentum", c.momentum.to_string()),
        ("weight_decay", c.weight_decay.to_string()),
        ("schedule", c.schedule.to_string()),
        (
            "early_stop",
            c.early_stop.map_or("none".into(), |p| p.to_string()),
        ),
        ("augment", c.augment.to_string()),
        ("dropout", c.dropout.to_string()),
        ("seed", c.seed.to_string()),
        ("val_split", c.val_split.to_string()),
        ("shuffle", c.shuffle.to_string()),
        ("epoch", s.epoch.to_string()),
        ("bad_epochs", s.bad_epochs.to_string()),
        ("stopped_early", s.stopped_early.to_string()),
        ("history", history_csv(&s.history)),
        ("data", data.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if !trainer.sgd.velocity().is_empty() {
        meta.insert(
            "optimizer.velocity".into(),
            encode_f32(trainer.sgd.velocity()),
        );
    }
    if let Some(b) = &s.best {
        meta.insert("best.val_loss".into(), b.val_loss.to_string());
        meta.insert("best.epoch".into(), b.epoch.to_string());
        meta.insert("best.weights".into(), encode_f32(&b.weights));
    }
    let named = trainer.model.named_params();
    let bytes: Vec<(String, Vec<u8>, Vec<usize>)> = named
        .iter()
        .map(|(name, p)| {
            let data = p.value.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.clone(), data, p.value.shape().to_vec())
        })
        .collect();
    let corrupt = |reason: String| CheckpointError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let views = bytes
        .iter()
        .map(|(n, d, shape)| {
            TensorView::new(Dtype::F32, shape.clone(), d)
                .map(|v| (n.clone(), v))
                .map_err(|e| corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = safetensors::serialize(views, Some(meta)).map_err(|e| corrupt(e.to_string()))?;
    crate::atomic_file::write(path, &out).map_err(|source| CheckpointError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A checkpoint read from disk: its tensors and metadata.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    path: PathBuf,
    tensors: Vec<(String, ArrayD<f32>)>,
    metadata: HashMap<String, String>,
}

impl Checkpoint {
    /// Reads and validates a safetensors file (float32 or float64 tensors; a file written by
    /// PyTorch without convkit metadata can still give weights with [`apply_weights`](Self::apply_weights)).
    pub fn read(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let corrupt = |reason: String| CheckpointError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let st = SafeTensors::deserialize(&bytes).map_err(|e| corrupt(e.to_string()))?;
        let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| corrupt(e.to_string()))?;
        let mut tensors = Vec::new();
        for (name, view) in st.tensors() {
            let values: Vec<f32> = match view.dtype() {
                Dtype::F32 => view
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                Dtype::F64 => view
                    .data()
                    .chunks_exact(8)
                    .map(|b| {
                        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
                    })
                    .collect(),
                d => {
                    return Err(corrupt(format!(
                        "tensor '{name}' has dtype {d:?}; convkit reads F32 and F64"
                    )));
                }
            };
            let a = ArrayD::from_shape_vec(IxDyn(view.shape()), values)
                .map_err(|e| corrupt(format!("tensor '{name}': {e}")))?;
            tensors.push((name, a));
        }
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Checkpoint {
            path: path.to_path_buf(),
            tensors,
            metadata: header.metadata().clone().unwrap_or_default(),
        })
    }

    /// The string metadata.
    pub fn metadata(&self) -> &HashMap<String, String> {
        &self.metadata
    }

    fn corrupt(&self, reason: String) -> CheckpointError {
        CheckpointError::Corrupt {
            path: self.path.clone(),
            reason,
        }
    }

    fn mismatch(&self, reason: String) -> CheckpointError {
        CheckpointError::Mismatch {
            path: self.path.clone(),
            reason,
        }
    }

    fn get<V: FromStr>(&self, key: &str) -> Result<V, CheckpointError> {
        let raw = self.metadata.get(key).ok_or_else(|| {
            if self.metadata.get("format").map(String::as_str) == Some(FORMAT) {
                self.corrupt(format!("metadata '{key}' is missing"))
            } else {
                self.mismatch(
                    "no convkit training metadata (a bare weights file can only be used with --init)"
                        .into(),
                )
            }
        })?;
        raw.parse()
            .map_err(|_| self.corrupt(format!("metadata '{key}' = '{raw}' does not parse")))
    }

    /// The training configuration stored in the metadata.
    pub fn config(&self) -> Result<TrainConfig, CheckpointError> {
        let format: String = self.get("format")?;
        if format != FORMAT {
            return Err(self.mismatch(format!("format '{format}', expected '{FORMAT}'")));
        }
        let early: String = self.get("early_stop")?;
        Ok(TrainConfig {
            arch: self.get::<Arch>("arch")?,
            algorithm: self.get::<ConvAlgorithm>("algorithm")?,
            epochs: self.get("epochs")?,
            batch: self.get("batch")?,
            lr: self.get("lr")?,
            momentum: self.get("momentum")?,
            weight_decay: self.get("weight_decay")?,
            schedule: self.get("schedule")?,
            early_stop: if early == "none" {
                None
            } else {
                Some(
                    early
                        .parse()
                        .map_err(|_| self.corrupt(format!("early_stop '{early}'")))?,
                )
            },
            augment: self.get("augment")?,
            dropout: self.get("dropout")?,
            seed: self.get("seed")?,
            val_split: self.get("val_split")?,
            shuffle: self.get("shuffle")?,
        })
    }

    /// Copies the tensors into `model`'s parameters: every parameter needs a tensor of its
    /// name and shape, and every tensor a parameter (PyTorch's `strict=True`).
    pub fn apply_weights(&self, model: &mut Sequential<f32>) -> Result<(), CheckpointError> {
        let mut wanted: Vec<String> = Vec::new();
        for (name, p) in model.named_params_mut() {
            let t = self
                .tensors
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| self.mismatch(format!("no tensor '{name}' for the model")))?;
            if t.1.shape() != p.value.shape() {
                return Err(self.mismatch(format!(
                    "tensor '{name}' has shape {:?}, the model's parameter {:?}",
                    t.1.shape(),
                    p.value.shape()
                )));
            }
            p.value.assign(&t.1);
            wanted.push(name);
        }
        if let Some((extra, _)) = self.tensors.iter().find(|(n, _)| !wanted.contains(n)) {
            return Err(self.mismatch(format!(
                "tensor '{extra}' matches no parameter of the model"
            )));
        }
        Ok(())
    }

    /// The network the checkpoint describes, with its weights, computing convolutions with
    /// `algorithm`.
    pub fn model(&self, algorithm: ConvAlgorithm) -> Result<Sequential<f32>, CheckpointError> {
        let c = self.config()?;
        let mut m = c.arch.build(c.seed, algorithm, c.dropout)?;
        self.apply_weights(&mut m)?;
        m.eval();
        Ok(m)
    }

    fn decode_f32(
        &self,
        key: &str,
        like: &[ArrayD<f32>],
    ) -> Result<Option<Vec<ArrayD<f32>>>, CheckpointError> {
        let Some(text) = self.metadata.get(key) else {
            return Ok(None);
        };
        let bytes = B64
            .decode(text)
            .map_err(|e| self.corrupt(format!("metadata '{key}': {e}")))?;
        let total: usize = like.iter().map(|a| a.len()).sum();
        if bytes.len() != 4 * total {
            return Err(self.mismatch(format!(
                "metadata '{key}' holds {} values, the model has {total} parameters",
                bytes.len() / 4
            )));
        }
        let mut values = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        Ok(Some(
            like.iter()
                .map(|a| ArrayD::from_shape_simple_fn(a.raw_dim(), || values.next().unwrap_or(0.0)))
                .collect(),
        ))
    }

    /// The per-epoch history stored in the metadata.
    pub fn history(&self) -> Result<Vec<EpochRecord>, CheckpointError> {
        let text: String = self.get("history")?;
        let mut out = Vec::new();
        for line in text.lines().skip(1) {
            let v: Vec<f64> = line
                .split(',')
                .map(|x| x.parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| self.corrupt(format!("history line '{line}'")))?;
            if v.len() != 8 {
                return Err(self.corrupt(format!("history line '{line}'")));
            }
            out.push(EpochRecord {
                epoch: v[0] as usize,
                lr: v[1],
                train_loss: v[2],
                train_accuracy: v[3],
                val_loss: v[4],
                val_accuracy: v[5],
                seconds: v[6],
                images_per_second: v[7],
            });
        }
        Ok(out)
    }

    /// A trainer that continues this run exactly: same configuration (with `epochs` raised if
    /// given), weights, momentum, history and early-stopping state. `data` must be the
    /// fingerprint of the same training digits.
    pub fn resume(&self, data: &str, epochs: Option<usize>) -> Result<Trainer, CheckpointError> {
        let mut config = self.config()?;
        if let Some(e) = epochs {
            config.epochs = e;
        }
        let stored: String = self.get("data")?;
        if stored != data {
            return Err(self.mismatch(format!(
                "trained on other digits ({stored}); these are {data}"
            )));
        }
        let mut trainer = Trainer::new(config)?;
        self.apply_weights(&mut trainer.model)?;
        let like = param_values(&trainer.model);
        let mut sgd = Sgd::new(trainer.config.lr, trainer.config.momentum)
            .weight_decay(trainer.config.weight_decay.clone());
        if let Some(v) = self.decode_f32("optimizer.velocity", &like)? {
            sgd.set_velocity(v);
        }
        trainer.sgd = sgd;
        let best = match self.decode_f32("best.weights", &like)? {
            Some(weights) => Some(Best {
                val_loss: self.get("best.val_loss")?,
                epoch: self.get("best.epoch")?,
                weights,
            }),
            None => None,
        };
        trainer.state = TrainState {
            epoch: self.get("epoch")?,
            history: self.history()?,
            best,
            bad_epochs: self.get("bad_epochs")?,
            stopped_early: self.get("stopped_early")?,
        };
        Ok(trainer)
    }
}
