//! Reading PNG / JPEG files into [`Image`] planes and writing planes back as PNG or JPEG.
//!
//! Reading: 8- and 16-bit gray, gray+alpha, RGB and RGBA are accepted and scaled to `f32` in
//! `[0, 1]` (a 16-bit PNG keeps its precision). Gray files give one plane, colour files three;
//! alpha becomes the image's alpha plane. Empty files, files of another format, truncated and
//! corrupt files, and images of zero pixels are typed [`ImageError`]s naming the file.
//!
//! Writing: 8 bits per channel, the values first mapped into `[0, 1]` by an explicit
//! [`ToneMap`]; the format follows the file extension (`.png`, `.jpg`, `.jpeg`; JPEG drops
//! alpha). Files are written atomically (see [`crate::atomic_file`]).

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader};
use ndarray::Array2;

use super::{Image, ImageError, ToneMap};

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Lossless PNG, 8 bits per channel.
    Png,
    /// JPEG at quality 92 (no alpha).
    Jpeg,
}

impl OutputFormat {
    /// The format a file name asks for, by extension (case-insensitive).
    pub fn from_path(path: &Path) -> Result<Self, ImageError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("png") => Ok(OutputFormat::Png),
            Some("jpg" | "jpeg") => Ok(OutputFormat::Jpeg),
            _ => Err(ImageError::UnsupportedOutput {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Reads a PNG or JPEG file.
pub fn read(path: impl AsRef<Path>) -> Result<Image, ImageError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(&bytes, path)
}

/// Decodes the bytes of a PNG or JPEG file; `path` only names the source in errors.
///
/// ```
/// use convkit::image::{ImageError, io};
/// use std::path::Path;
///
/// let err = io::decode(b"plain text", Path::new("notes.txt")).unwrap_err();
/// assert!(matches!(err, ImageError::NotAnImage { .. }));
/// assert_eq!(err.to_string(), "notes.txt: not a PNG or JPEG image");
/// ```
pub fn decode(bytes: &[u8], path: &Path) -> Result<Image, ImageError> {
    let p = || path.to_path_buf();
    if bytes.is_empty() {
        return Err(ImageError::EmptyFile { path: p() });
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|source| ImageError::Io { path: p(), source })?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        _ => return Err(ImageError::NotAnImage { path: p() }),
    }
    let decoded = reader.decode().map_err(|e| decode_error(e, path))?;
    let (width, height) = (decoded.width(), decoded.height());
    if width == 0 || height == 0 {
        return Err(ImageError::ZeroSize {
            path: p(),
            width,
            height,
        });
    }
    Ok(to_planes(&decoded))
}

fn decode_error(e: image::ImageError, path: &Path) -> ImageError {
    let reason = e.to_string();
    let lower = reason.to_ascii_lowercase();
    let truncated = matches!(&e, image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
        || ["eof", "end of", "truncat", "not enough", "no more data"]
            .iter()
            .any(|w| lower.contains(w));
    let path = path.to_path_buf();
    match e {
        image::ImageError::Unsupported(_) => ImageError::NotAnImage { path },
        _ if truncated => ImageError::Truncated { path, reason },
        _ => ImageError::Corrupt { path, reason },
    }
}

fn to_planes(img: &DynamicImage) -> Image {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let color = img.color();
    let plane = |values: Vec<f32>| {
        Array2::from_shape_vec((h, w), values).expect("the decoder gives width × height samples")
    };
    // De-interleaves `n` channels of the f32 buffer.
    let split = |buf: &[f32], n: usize| -> Vec<Array2<f32>> {
        (0..n)
            .map(|c| plane(buf.iter().skip(c).step_by(n).copied().collect()))
            .collect()
    };
    let mut planes = match (color.has_color(), color.has_alpha()) {
        (false, false) => split(img.to_luma32f().as_raw(), 1),
        (false, true) => split(img.to_luma_alpha32f().as_raw(), 2),
        (true, false) => split(img.to_rgb32f().as_raw(), 3),
        (true, true) => split(img.to_rgba32f().as_raw(), 4),
    };
    let alpha = color.has_alpha().then(|| planes.pop()).flatten();
    Image::from_planes(planes, alpha).expect("decoded planes share one shape")
}

/// Writes `image` to `path` (PNG or JPEG by extension), values mapped by `tone`.
pub fn write(path: impl AsRef<Path>, image: &Image, tone: ToneMap) -> Result<(), ImageError> {
    let path = path.as_ref();
    let bytes = encode(image, tone, OutputFormat::from_path(path)?).map_err(|reason| {
        ImageError::Encode {
            path: path.to_path_buf(),
            reason,
        }
    })?;
    crate::atomic_file::write(path, &bytes).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The bytes of `image` encoded as `format`, values mapped by `tone`.
///
/// ```
/// use convkit::image::{Image, ToneMap, io};
/// use std::path::Path;
///
/// let img = Image::gray(ndarray::Array2::from_elem((4, 4), 0.5));
/// let png = io::encode(&img, ToneMap::Clamp, io::OutputFormat::Png)?;
/// let back = io::decode(&png, Path::new("in-memory.png"))?;
/// assert!((back.planes()[0][[0, 0]] - 128.0 / 255.0).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode(image: &Image, tone: ToneMap, format: OutputFormat) -> Result<Vec<u8>, String> {
    let (w, h) = (image.width() as u32, image.height() as u32);
    let mut channels = tone.apply(image.planes());
    let alpha = match format {
        OutputFormat::Png => image.alpha(),
        OutputFormat::Jpeg => None,
    };
    if let Some(a) = alpha {
        channels.push(a.mapv(|v| v.clamp(0.0, 1.0)));
    }
    let n = channels.len();
    let mut raw = vec![0u8; image.width() * image.height() * n];
    for (c, plane) in channels.iter().enumerate() {
        for (i, &v) in plane.iter().enumerate() {
            raw[i * n + c] = to_u8(v);
        }
    }
    let dynamic = match n {
        1 => image::GrayImage::from_raw(w, h, raw).map(DynamicImage::ImageLuma8),
        2 => image::GrayAlphaImage::from_raw(w, h, raw).map(DynamicImage::ImageLumaA8),
        3 => image::RgbImage::from_raw(w, h, raw).map(DynamicImage::ImageRgb8),
        _ => image::RgbaImage::from_raw(w, h, raw).map(DynamicImage::ImageRgba8),
    }
    .ok_or("pixel buffer of the wrong size")?;
    let mut out = Cursor::new(Vec::new());
    match format {
        OutputFormat::Png => dynamic.write_to(&mut out, ImageFormat::Png),
        OutputFormat::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
            dynamic.write_with_encoder(enc)
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// `[0, 1]` → `0..=255`, rounding to nearest.
fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}
