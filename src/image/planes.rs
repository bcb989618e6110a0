//! [`Image`]: a picture as planes of `f32`, one per colour channel, plus an optional alpha plane.
//!
//! Conventions: planes are indexed `[row, column]` with row 0 at the top; values read from a
//! file lie in `[0, 1]` (0 = black). Filtered planes may leave that range (a sharpened edge
//! overshoots, an edge detector is signed); [`ToneMap`](super::ToneMap) decides how such values
//! become pixels. A gray image has one plane, a colour image three (R, G, B). Alpha is carried
//! along unfiltered: filters act on the colour planes only.

use ndarray::Array2;

use super::ImageError;

/// Gray (one plane) or RGB (three planes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channels {
    /// One luminance plane.
    Gray,
    /// Red, green and blue planes.
    Rgb,
}

/// A picture as `f32` planes of equal shape.
///
/// ```
/// use convkit::image::{Channels, Image};
/// use ndarray::Array2;
///
/// let img = Image::gray(Array2::from_elem((2, 3), 0.5));
/// assert_eq!((img.channels(), img.height(), img.width()), (Channels::Gray, 2, 3));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    planes: Vec<Array2<f32>>,
    alpha: Option<Array2<f32>>,
}

impl Image {
    /// A gray image of one plane.
    pub fn gray(plane: Array2<f32>) -> Self {
        Image {
            planes: vec![plane],
            alpha: None,
        }
    }

    /// An RGB image; the three planes must have one shape.
    pub fn rgb(r: Array2<f32>, g: Array2<f32>, b: Array2<f32>) -> Result<Self, ImageError> {
        Image::from_planes(vec![r, g, b], None)
    }

    /// An image of 1 (gray) or 3 (RGB) planes and an optional alpha plane, all of one shape.
    pub fn from_planes(
        planes: Vec<Array2<f32>>,
        alpha: Option<Array2<f32>>,
    ) -> Result<Self, ImageError> {
        if planes.len() != 1 && planes.len() != 3 {
            return Err(ImageError::Planes(format!(
                "{} colour planes (expected 1 or 3)",
                planes.len()
            )));
        }
        let dim = planes[0].dim();
        if planes.iter().chain(alpha.iter()).any(|p| p.dim() != dim) {
            return Err(ImageError::Planes("planes of different shapes".to_string()));
        }
        Ok(Image { planes, alpha })
    }

    /// Gray or RGB.
    pub fn channels(&self) -> Channels {
        if self.planes.len() == 1 {
            Channels::Gray
        } else {
            Channels::Rgb
        }
    }

    /// The colour planes (1 or 3).
    pub fn planes(&self) -> &[Array2<f32>] {
        &self.planes
    }

    /// The alpha plane, if the image has one.
    pub fn alpha(&self) -> Option<&Array2<f32>> {
        self.alpha.as_ref()
    }

    /// Height in pixels (rows).
    pub fn height(&self) -> usize {
        self.planes[0].nrows()
    }

    /// Width in pixels (columns).
    pub fn width(&self) -> usize {
        self.planes[0].ncols()
    }

    /// The luminance plane: the plane itself for gray images, else ITU-R BT.601
    /// `0.299 R + 0.587 G + 0.114 B`. Linear, so the luminance of a filtered image equals the
    /// filtered luminance.
    pub fn luma(&self) -> Array2<f32> {
        match self.planes.as_slice() {
            [r, g, b] => {
                let mut y = r * 0.299;
                y.scaled_add(0.587, g);
                y.scaled_add(0.114, b);
                y
            }
            _ => self.planes[0].clone(),
        }
    }

    /// Applies `f` to every colour plane, keeping the alpha plane. `f` must keep the shape.
    pub fn map_planes<E>(
        &self,
        mut f: impl FnMut(&Array2<f32>) -> Result<Array2<f32>, E>,
    ) -> Result<Image, E> {
        let planes = self.planes.iter().map(&mut f).collect::<Result<_, _>>()?;
        Ok(Image {
            planes,
            alpha: self.alpha.clone(),
        })
    }
}
