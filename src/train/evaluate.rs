//! Evaluating a classifier on labelled digits: mean cross-entropy, accuracy, the confusion
//! matrix, and accuracy under added Gaussian pixel noise (how brittle a CNN is to a
//! perturbation a person hardly notices).

use ndarray::{Axis, Ix2};

use crate::data::Digits;
use crate::data::mnist::CLASSES;
use crate::nn::{NnError, Rng, Sequential, softmax_cross_entropy};

/// Batch size for evaluation (no gradients, so larger than training's).
const EVAL_BATCH: usize = 500;

/// What a model scores on a set of digits.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Mean softmax cross-entropy.
    pub loss: f64,
    /// Fraction classified correctly.
    pub accuracy: f64,
    /// `confusion[true][predicted]` counts.
    pub confusion: [[usize; CLASSES]; CLASSES],
    /// The predicted class of every digit.
    pub predictions: Vec<usize>,
}

impl Evaluation {
    /// The confusion matrix as text: one row per true class, one column per prediction.
    pub fn confusion_table(&self) -> String {
        let mut s = String::from("true\\pred");
        for c in 0..CLASSES {
            s += &format!("{c:>6}");
        }
        s += "\n";
        for (t, row) in self.confusion.iter().enumerate() {
            s += &format!("{t:>9}");
            for v in row {
                s += &format!("{v:>6}");
            }
            s += "\n";
        }
        s
    }
}

/// The index of the largest value (the first of equals).
pub fn argmax(row: impl IntoIterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, v) in row.into_iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Scores `model` on `digits` in evaluation mode (the model's mode is restored afterwards).
pub fn evaluate(model: &mut Sequential<f32>, digits: &Digits) -> Result<Evaluation, NnError> {
    let was_training = model.is_training();
    model.eval();
    let result = (|| {
        let mut loss = 0.0;
        let mut confusion = [[0usize; CLASSES]; CLASSES];
        let mut predictions = Vec::with_capacity(digits.len());
        let all: Vec<usize> = (0..digits.len()).collect();
        for chunk in all.chunks(EVAL_BATCH) {
            let (x, labels) = digits.batch(chunk);
            let logits = model.forward(x.into_dyn())?;
            let shape = logits.shape().to_vec();
            let logits = logits
                .into_dimensionality::<Ix2>()
                .map_err(|_| crate::nn::error::shape_error("evaluate", "[N, 10]", &shape))?;
            loss += softmax_cross_entropy(logits.view(), &labels)?.loss as f64 * chunk.len() as f64;
            for (row, &t) in logits.axis_iter(Axis(0)).zip(&labels) {
                let p = argmax(row.iter().copied());
                confusion[t][p.min(CLASSES - 1)] += 1;
                predictions.push(p);
            }
        }
        let correct: usize = (0..CLASSES).map(|c| confusion[c][c]).sum();
        Ok(Evaluation {
            loss: loss / digits.len().max(1) as f64,
            accuracy: correct as f64 / digits.len().max(1) as f64,
            confusion,
            predictions,
        })
    })();
    if was_training {
        model.train();
    }
    result
}

/// `digits` with Gaussian noise of standard deviation `sigma` added to every pixel, clipped to
/// [0, 1]; the noise of image i follows from (`seed`, i).
pub fn with_noise(digits: &Digits, sigma: f64, seed: u64) -> Digits {
    let (rows, cols) = digits.shape();
    let mut pixels = Vec::with_capacity(digits.len() * rows * cols);
    for k in 0..digits.len() {
        let mut rng = Rng::new(Rng::derive(seed, &[k as u64]));
        pixels.extend(
            digits
                .pixels(k)
                .iter()
                .map(|&v| (v + (sigma * rng.normal()) as f32).clamp(0.0, 1.0)),
        );
    }
    Digits::from_pixels(pixels, digits.labels().to_vec(), rows, cols)
}

/// Accuracy of `model` on `digits` under each noise level in `sigmas`.
pub fn robustness(
    model: &mut Sequential<f32>,
    digits: &Digits,
    sigmas: &[f64],
    seed: u64,
) -> Result<Vec<(f64, f64)>, NnError> {
    sigmas
        .iter()
        .map(|&s| {
            let noisy = if s > 0.0 {
                with_noise(digits, s, seed)
            } else {
                digits.clone()
            };
            Ok((s, evaluate(model, &noisy)?.accuracy))
        })
        .collect()
}
