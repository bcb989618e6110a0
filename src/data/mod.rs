//! Datasets for the network module: the IDX file format, MNIST's four files, and image
//! resampling to a network's input size.
//!
//! Pixels are `f32` in [0, 1] (byte / 255); labels are class indices. Nothing here knows about
//! layers or training: `train → data`, `train → nn`.

pub mod idx;
pub mod mnist;
pub mod resize;

pub use idx::{IdxArray, IdxError};
pub use mnist::{Digits, Mnist, MnistError};
pub use resize::resize_area;
