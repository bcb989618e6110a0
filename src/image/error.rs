//! Typed errors of the image layer: unreadable or malformed files, bad kernel specifications.
//!
//! Every error that concerns a file names it, so the CLI can print one self-contained line.

use std::path::PathBuf;

use thiserror::Error;

/// What went wrong reading or writing an image file.
#[derive(Debug, Error)]
pub enum ImageError {
    /// The file cannot be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file has no bytes at all.
    #[error("{path}: the file is empty (0 bytes), not an image")]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not an image format convkit recognises (PNG or JPEG).
    #[error("{path}: not a PNG or JPEG image")]
    NotAnImage {
        /// The file.
        path: PathBuf,
    },
    /// The file ends before the image data does.
    #[error("{path}: truncated image file ({reason})")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The decoder's words.
        reason: String,
    },
    /// A PNG or JPEG header or data stream that does not decode.
    #[error("{path}: corrupt image: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The decoder's words.
        reason: String,
    },
    /// An image with no pixels (width or height 0).
    #[error("{path}: the image has no pixels ({width}×{height})")]
    ZeroSize {
        /// The file.
        path: PathBuf,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An output file name whose extension is neither .png nor .jpg/.jpeg.
    #[error("{path}: unsupported output format (write .png, .jpg or .jpeg)")]
    UnsupportedOutput {
        /// The file.
        path: PathBuf,
    },
    /// Planes of different shapes, or a plane count other than 1 (gray) or 3 (RGB).
    #[error("invalid image planes: {0}")]
    Planes(String),
    /// Encoding failed (should not happen for valid planes).
    #[error("{path}: cannot encode image: {reason}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// The encoder's words.
        reason: String,
    },
}

/// A kernel specification that does not parse or describes an impossible kernel.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum KernelError {
    /// A name that is not in the kernel library.
    #[error("unknown kernel '{0}' (expected one of: {names}, or a file of numbers)", names = crate::image::kernels::NAMES)]
    UnknownName(String),
    /// A parameter that is missing, not a number, or out of range.
    #[error("kernel '{spec}': {reason}")]
    BadParameter {
        /// The specification as given.
        spec: String,
        /// What is wrong.
        reason: String,
    },
    /// A kernel file that cannot be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
