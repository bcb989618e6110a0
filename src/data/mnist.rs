//! MNIST: the four standard IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
//! `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), gzip-compressed (`.gz`) or not, from
//! any directory. The full 60,000 / 10,000 set and any subset in the same format read alike.
//!
//! ```
//! use convkit::data::mnist::Digits;
//!
//! // Two 2×2 "digits" with labels 3 and 7.
//! let d = Digits::new(vec![0, 255, 51, 0, 255, 255, 0, 0], vec![3, 7], 2, 2)?;
//! assert_eq!(d.len(), 2);
//! assert_eq!(d.pixels(0), &[0.0, 1.0, 0.2, 0.0]);
//! # Ok::<(), convkit::data::MnistError>(())
//! ```

use std::path::{Path, PathBuf};

use ndarray::Array4;
use thiserror::Error;

use super::idx::{self, IdxError};

/// Number of classes.
pub const CLASSES: usize = 10;

/// A bad or missing MNIST file set.
#[derive(Debug, Error)]
pub enum MnistError {
    /// An IDX file that cannot be read or parsed.
    #[error(transparent)]
    Idx(#[from] IdxError),
    /// None of the accepted names of a file exists.
    #[error("{dir}: no {what} file (looked for {tried})")]
    Missing {
        /// The directory searched.
        dir: PathBuf,
        /// Which of the four files.
        what: String,
        /// The names tried.
        tried: String,
    },
    /// Files that parse but do not fit together (wrong rank, counts, label values).
    #[error("{path}: {reason}")]
    Invalid {
        /// The offending file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Labelled gray images of one size, pixels as `f32` in [0, 1] (byte / 255).
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    pixels: Vec<f32>,
    labels: Vec<u8>,
    rows: usize,
    cols: usize,
}

impl Digits {
    /// Images (row-major bytes, `labels.len()` images of rows×cols) with their labels (0–9).
    pub fn new(
        bytes: Vec<u8>,
        labels: Vec<u8>,
        rows: usize,
        cols: usize,
    ) -> Result<Self, MnistError> {
        let invalid = |reason: String| MnistError::Invalid {
            path: PathBuf::from("<digits>"),
            reason,
        };
        if labels
            .len()
            .checked_mul(rows)
            .and_then(|v| v.checked_mul(cols))
            != Some(bytes.len())
        {
            return Err(invalid(format!(
                "{} pixel bytes for {} labels of {rows}×{cols}",
                bytes.len(),
                labels.len()
            )));
        }
        if let Some(l) = labels.iter().find(|&&l| l as usize >= CLASSES) {
            return Err(invalid(format!("label {l} is not a digit 0–9")));
        }
        let pixels = bytes.iter().map(|&b| b as f32 / 255.0).collect();
        Ok(Digits {
            pixels,
            labels,
            rows,
            cols,
        })
    }

    /// Images already as `f32` pixels (e.g. resized), row-major, with their labels.
    pub(crate) fn from_pixels(pixels: Vec<f32>, labels: Vec<u8>, rows: usize, cols: usize) -> Self {
        assert_eq!(pixels.len(), labels.len() * rows * cols);
        Digits {
            pixels,
            labels,
            rows,
            cols,
        }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// (rows, cols) of every image.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// The pixels of image `i`, row-major, in [0, 1].
    pub fn pixels(&self, i: usize) -> &[f32] {
        let n = self.rows * self.cols;
        &self.pixels[i * n..(i + 1) * n]
    }

    /// The label of image `i`.
    pub fn label(&self, i: usize) -> usize {
        self.labels[i] as usize
    }

    /// All labels.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The images at `indices` in that order, as an NCHW batch (C = 1), and their labels.
    pub fn batch(&self, indices: &[usize]) -> (Array4<f32>, Vec<usize>) {
        let n = self.rows * self.cols;
        let mut data = Vec::with_capacity(indices.len() * n);
        for &i in indices {
            data.extend_from_slice(self.pixels(i));
        }
        let x = Array4::from_shape_vec((indices.len(), 1, self.rows, self.cols), data)
            .expect("batch length is indices × rows × cols");
        (x, indices.iter().map(|&i| self.label(i)).collect())
    }

    /// The images at `indices`, as a new set.
    pub fn subset(&self, indices: &[usize]) -> Digits {
        let mut pixels = Vec::with_capacity(indices.len() * self.rows * self.cols);
        for &i in indices {
            pixels.extend_from_slice(self.pixels(i));
        }
        Digits {
            pixels,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// The training and test digits of an MNIST directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    /// `train-*` files.
    pub train: Digits,
    /// `t10k-*` files.
    pub test: Digits,
}

/// Which half of MNIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`.
    Train,
    /// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`.
    Test,
}

impl Split {
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

impl Mnist {
    /// Reads both halves from `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, MnistError> {
        let dir = dir.as_ref();
        Ok(Mnist {
            train: load_split(dir, Split::Train)?,
            test: load_split(dir, Split::Test)?,
        })
    }
}

/// The file of `stem` (e.g. `train-images-idx3-ubyte`) in `dir`, compressed or not; also the
/// dotted spelling (`train-images.idx3-ubyte`) some mirrors use.
fn find(dir: &Path, stem: &str, what: &str) -> Result<PathBuf, MnistError> {
    let dotted = stem.replacen("-idx", ".idx", 1);
    let names = [
        format!("{stem}.gz"),
        stem.to_string(),
        format!("{dotted}.gz"),
        dotted,
    ];
    names
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .ok_or_else(|| MnistError::Missing {
            dir: dir.to_path_buf(),
            what: what.to_string(),
            tried: names.join(", "),
        })
}

/// Reads one half (images and labels) from `dir`, checking that the two files fit together.
pub fn load_split(dir: &Path, split: Split) -> Result<Digits, MnistError> {
    let p = split.prefix();
    let images_path = find(
        dir,
        &format!("{p}-images-idx3-ubyte"),
        &format!("{p} images"),
    )?;
    let labels_path = find(
        dir,
        &format!("{p}-labels-idx1-ubyte"),
        &format!("{p} labels"),
    )?;
    let images = idx::read(&images_path)?;
    let labels = idx::read(&labels_path)?;
    let invalid = |path: &Path, reason: String| MnistError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    if images.dims.len() != 3 {
        return Err(invalid(
            &images_path,
            format!(
                "an image file has 3 dimensions (count, rows, cols), this one {:?}",
                images.dims
            ),
        ));
    }
    if labels.dims.len() != 1 {
        return Err(invalid(
            &labels_path,
            format!(
                "a label file has 1 dimension (count), this one {:?}",
                labels.dims
            ),
        ));
    }
    let (n, rows, cols) = (images.dims[0], images.dims[1], images.dims[2]);
    if labels.dims[0] != n {
        return Err(invalid(
            &labels_path,
            format!("{} labels for {n} images", labels.dims[0]),
        ));
    }
    if n == 0 || rows == 0 || cols == 0 {
        return Err(invalid(
            &images_path,
            format!("no images (dimensions {:?})", images.dims),
        ));
    }
    if let Some(i) = labels.data.iter().position(|&l| l as usize >= CLASSES) {
        return Err(invalid(
            &labels_path,
            format!("label #{i} is {}, not a digit 0–9", labels.data[i]),
        ));
    }
    Digits::new(images.data, labels.data, rows, cols)
}
