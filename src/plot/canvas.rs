//! The drawing surface: plotters' bitmap backend over an RGB buffer, saved as PNG atomically.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thiserror::Error;

/// What can go wrong drawing or saving a figure.
#[derive(Debug, Error)]
pub enum PlotError {
    /// plotters failed (most often: no usable font for the text).
    #[error(
        "drawing the figure failed: {0} (text needs a sans-serif TrueType font found through fontconfig, e.g. Debian's fonts-dejavu-core)"
    )]
    Drawing(String),
    /// The figure has nothing to draw or an impossible size.
    #[error("cannot draw the figure: {0}")]
    Empty(String),
    /// Encoding the PNG failed.
    #[error("{path}: cannot encode PNG: {reason}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// The encoder's words.
        reason: String,
    },
    /// The file cannot be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Drawing(e.to_string())
    }
}

/// The drawing area every figure draws on.
pub(super) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// An RGB image in memory (8 bits per channel, rows top to bottom).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 3` bytes, R G B per pixel.
    pub rgb: Vec<u8>,
}

impl Bitmap {
    /// Renders a `width × height` figure on a white background with `draw`.
    pub(super) fn render(
        width: u32,
        height: u32,
        draw: impl FnOnce(&Area<'_>) -> Result<(), PlotError>,
    ) -> Result<Bitmap, PlotError> {
        if width == 0 || height == 0 || width > 16384 || height > 16384 {
            return Err(PlotError::Empty(format!("size {width}×{height}")));
        }
        let mut rgb = vec![255u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
            root.fill(&WHITE)?;
            draw(&root)?;
            root.present()?;
        }
        Ok(Bitmap { width, height, rgb })
    }

    /// Figures placed left to right on a white background, top-aligned (e.g. a loss chart
    /// beside an accuracy chart).
    pub fn beside(parts: &[Bitmap]) -> Bitmap {
        let width: u32 = parts.iter().map(|b| b.width).sum();
        let height = parts.iter().map(|b| b.height).max().unwrap_or(0);
        let mut rgb = vec![255u8; width as usize * height as usize * 3];
        let mut x0 = 0usize;
        for b in parts {
            let w = b.width as usize;
            for r in 0..b.height as usize {
                let src = &b.rgb[r * w * 3..(r + 1) * w * 3];
                let at = (r * width as usize + x0) * 3;
                rgb[at..at + w * 3].copy_from_slice(src);
            }
            x0 += w;
        }
        Bitmap { width, height, rgb }
    }

    /// The PNG encoding of the bitmap (best compression: figures are small and go in docs).
    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        use image::ImageEncoder;
        use image::codecs::png::{CompressionType, FilterType, PngEncoder};
        let mut out = Vec::new();
        PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
            .write_image(
                &self.rgb,
                self.width,
                self.height,
                image::ExtendedColorType::Rgb8,
            )
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// Saves the bitmap as a PNG file, atomically.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        let bytes = self.to_png().map_err(|reason| PlotError::Encode {
            path: path.to_path_buf(),
            reason,
        })?;
        crate::atomic_file::write(path, &bytes).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// A text style of `size` pixels anchored at `(h, v)`.
pub(super) fn text_style(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size).into_font())
        .color(&BLACK)
        .pos(Pos::new(h, v))
}
