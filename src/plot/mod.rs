//! Figures drawn with plotters. A figure type implements [`Figure`] once, generically over the
//! backend, and [`write_figure`] renders it to PNG or SVG (by the file's extension), atomically.

pub mod timing_chart;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

/// Why a figure could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The drawing backend failed.
    #[error("{path}: cannot draw the figure: {reason}")]
    Draw {
        /// The figure file.
        path: PathBuf,
        /// The backend's message.
        reason: String,
    },
    /// Writing or renaming the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Something that draws itself on any plotters backend.
pub trait Figure {
    /// Pixel size of the figure.
    fn size(&self) -> (u32, u32);
    /// Draws onto `root`; errors as text.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Renders `figure` into `path` (PNG, or SVG when the extension is `svg`), atomically.
pub fn write_figure(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let fail = |reason: String| PlotError::Draw {
        path: path.to_path_buf(),
        reason,
    };
    crate::atomic_file::write_with(path, |tmp| {
        if svg {
            let root = SVGBackend::new(tmp, figure.size()).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        } else {
            let root = BitMapBackend::new(tmp, figure.size()).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
    })
}
