//! Figures drawn with plotters: image comparison grids, stem plots of sequences, line charts.
//!
//! Conventions: every figure is rendered into an in-memory RGB [`Bitmap`] and saved as PNG
//! through [`crate::atomic_file`], so a failed run leaves no half-written figure. Inputs are
//! plain data (ndarray planes of `f32`, sequences of `f64`): this module knows nothing of
//! kernels or convolution, so any later chart (timings, training curves) can live beside these.
//! Text uses the system's sans-serif TrueType font through fontconfig (on Debian:
//! `fonts-dejavu-core`); without one, drawing fails with [`PlotError::Drawing`].

mod canvas;
mod colormap;
mod grid;
mod lines;
mod stem;
pub mod timing_chart;

pub use canvas::{Bitmap, PlotError};
pub use colormap::Scale;
pub use grid::{ColorBars, Grid, Panel, PanelPixels};
pub use lines::{LineChart, Series};
pub use stem::{StemFigure, StemSeries};
