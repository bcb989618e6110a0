//! The kernel library: the lecture's filters and the usual image-processing kernels, each with
//! its matrix, parsed from names such as `gaussian:15:3.0`, `box:5`, `sobel-x`, or read from a
//! file of numbers.
//!
//! Matrices are written as they are stored, row 0 at the top, and are applied by *true
//! convolution* unless the caller asks for correlation (the kernel is then not flipped). For
//! the symmetric kernels (sharpen, box, Laplacian, Gaussian, LoG, unsharp, identity) the two
//! operations agree; Sobel, Prewitt, edge enhance and emboss change sign or direction.
//!
//! | name | matrix | sum |
//! |---|---|---|
//! | `identity` | `[[0,0,0],[0,1,0],[0,0,0]]` | 1 |
//! | `sharpen` | `[[0,-1,0],[-1,5,-1],[0,-1,0]]` | 1 |
//! | `box:N` | N×N of 1/N² (default N = 3) | 1 |
//! | `edge-enhance` | `[[0,0,0],[-1,1,0],[0,0,0]]` | 0 |
//! | `laplacian` (edge detect) | `[[0,1,0],[1,-4,1],[0,1,0]]` | 0 |
//! | `sobel-x` | `[[1,0,-1],[2,0,-2],[1,0,-1]]` | 0 |
//! | `sobel-y` | `[[1,2,1],[0,0,0],[-1,-2,-1]]` (the transpose) | 0 |
//! | `prewitt-x` | `[[1,0,-1],[1,0,-1],[1,0,-1]]` | 0 |
//! | `prewitt-y` | `[[1,1,1],[0,0,0],[-1,-1,-1]]` | 0 |
//! | `gaussian:N:σ` | g gᵀ, g\[i\] ∝ exp(-(i-c)²/2σ²), c = (N-1)/2, normalised | 1 |
//! | `log:N:σ` | Laplacian of Gaussian ∝ -(1 - r²/2σ²) exp(-r²/2σ²), mean removed | 0 |
//! | `emboss` | `[[-2,-1,0],[-1,1,1],[0,1,2]]` | 1 |
//! | `unsharp:N:σ:a` | (1+a) δ - a · gaussian:N:σ (default 5, σ as below, a = 1) | 1 |
//!
//! With true convolution `sobel-x` responds **positively where intensity increases to the
//! right** (the flip turns `[1 0 -1]` into a right-minus-left difference) and `sobel-y` where it
//! increases downwards. An omitted σ is OpenCV's `getGaussianKernel` default
//! `0.3·((N-1)/2 - 1) + 0.8`. Sizes run from 1 to [`MAX_SIZE`]; an even N puts the centre
//! half a sample before the middle, as `Output::Same` does.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ndarray::{Array1, Array2, arr2};

use super::KernelError;
use crate::Real;

/// Largest kernel side accepted from a name (`box:N`, `gaussian:N`, …).
pub const MAX_SIZE: usize = 1025;

/// The names the parser accepts, with their optional parameters (for messages and `--help`).
pub const NAMES: &str = "identity, sharpen, box[:N], edge-enhance, laplacian, sobel-x, sobel-y, \
prewitt-x, prewitt-y, gaussian[:N[:SIGMA]], log[:N[:SIGMA]], emboss, unsharp[:N[:SIGMA[:AMOUNT]]], gradient";

/// A convolution kernel of the library, or one read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Kernel {
    /// The unit impulse δ: leaves the image unchanged.
    Identity,
    /// The lecture's sharpen `[[0,-1,0],[-1,5,-1],[0,-1,0]]` = δ - Laplacian.
    Sharpen,
    /// The N×N moving average, taps 1/N².
    BoxBlur {
        /// Side length N.
        size: usize,
    },
    /// The lecture's edge enhance `[[0,0,0],[-1,1,0],[0,0,0]]`: a horizontal difference.
    EdgeEnhance,
    /// The lecture's edge detect, the 4-neighbour Laplacian `[[0,1,0],[1,-4,1],[0,1,0]]`.
    Laplacian,
    /// Sobel `[[1,0,-1],[2,0,-2],[1,0,-1]]`: horizontal derivative, smoothed vertically.
    SobelX,
    /// Sobel `[[1,2,1],[0,0,0],[-1,-2,-1]]`: vertical derivative, smoothed horizontally.
    SobelY,
    /// Prewitt `[[1,0,-1],[1,0,-1],[1,0,-1]]`.
    PrewittX,
    /// Prewitt `[[1,1,1],[0,0,0],[-1,-1,-1]]`.
    PrewittY,
    /// The normalised N×N Gaussian of standard deviation σ (separable).
    Gaussian {
        /// Side length N.
        size: usize,
        /// Standard deviation in pixels.
        sigma: f64,
    },
    /// The Laplacian of Gaussian (Marr–Hildreth), zero-sum, negative centre like `Laplacian`.
    LaplacianOfGaussian {
        /// Side length N.
        size: usize,
        /// Standard deviation in pixels.
        sigma: f64,
    },
    /// Emboss `[[-2,-1,0],[-1,1,1],[0,1,2]]`.
    Emboss,
    /// Unsharp masking `(1+a) δ - a G`: adds `a` times the detail the Gaussian removes.
    UnsharpMask {
        /// Side length N of the Gaussian.
        size: usize,
        /// Its standard deviation.
        sigma: f64,
        /// The amount a of detail added.
        amount: f64,
    },
    /// A matrix given by the user (e.g. read from a file).
    Custom {
        /// A short name for titles and file names.
        name: String,
        /// The taps, row 0 at the top.
        taps: Array2<f64>,
    },
}

/// Whether a kernel's output is an intensity (taps sum to 1) or a signed response (sum 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Response {
    /// The result is an image on the input's brightness scale.
    Intensity,
    /// The result is a signed detail / derivative map, zero on flat regions.
    Signed,
}

/// OpenCV's default σ for a Gaussian of side `size` (`getGaussianKernel` with sigma ≤ 0).
pub fn default_sigma(size: usize) -> f64 {
    0.3 * ((size as f64 - 1.0) * 0.5 - 1.0) + 0.8
}

impl Kernel {
    /// The kernel's matrix in the sample type `T`.
    ///
    /// ```
    /// use convkit::image::Kernel;
    /// use ndarray::array;
    ///
    /// assert_eq!(Kernel::Laplacian.matrix::<f64>(), array![[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]);
    /// let g = Kernel::Gaussian { size: 5, sigma: 1.0 }.matrix::<f64>();
    /// assert!((g.sum() - 1.0).abs() < 1e-12);
    /// ```
    pub fn matrix<T: Real>(&self) -> Array2<T> {
        self.matrix_f64().mapv(T::from_f64_lossy)
    }

    fn matrix_f64(&self) -> Array2<f64> {
        match self {
            Kernel::Identity => arr2(&[[0., 0., 0.], [0., 1., 0.], [0., 0., 0.]]),
            Kernel::Sharpen => arr2(&[[0., -1., 0.], [-1., 5., -1.], [0., -1., 0.]]),
            Kernel::BoxBlur { size } => {
                Array2::from_elem((*size, *size), 1.0 / (size * size) as f64)
            }
            Kernel::EdgeEnhance => arr2(&[[0., 0., 0.], [-1., 1., 0.], [0., 0., 0.]]),
            Kernel::Laplacian => arr2(&[[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]),
            Kernel::SobelX => arr2(&[[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]]),
            Kernel::SobelY => arr2(&[[1., 2., 1.], [0., 0., 0.], [-1., -2., -1.]]),
            Kernel::PrewittX => arr2(&[[1., 0., -1.], [1., 0., -1.], [1., 0., -1.]]),
            Kernel::PrewittY => arr2(&[[1., 1., 1.], [0., 0., 0.], [-1., -1., -1.]]),
            Kernel::Gaussian { size, sigma } => {
                let g = gaussian_1d(*size, *sigma);
                outer(&g, &g)
            }
            Kernel::LaplacianOfGaussian { size, sigma } => log_matrix(*size, *sigma),
            Kernel::Emboss => arr2(&[[-2., -1., 0.], [-1., 1., 1.], [0., 1., 2.]]),
            Kernel::UnsharpMask {
                size,
                sigma,
                amount,
            } => {
                let g = gaussian_1d(*size, *sigma);
                let mut k = outer(&g, &g) * -amount;
                let c = (size - 1) / 2;
                k[[c, c]] += 1.0 + amount;
                k
            }
            Kernel::Custom { taps, .. } => taps.clone(),
        }
    }

    /// The kernel as a (column, row) pair of 1-D factors, `matrix = column ⊗ row`, for the
    /// kernels that are separable by construction (box, Gaussian, Sobel, Prewitt, identity).
    ///
    /// ```
    /// use convkit::image::Kernel;
    ///
    /// let (col, row) = Kernel::SobelX.separable::<f64>().unwrap();
    /// assert_eq!(col.to_vec(), [1.0, 2.0, 1.0]);
    /// assert_eq!(row.to_vec(), [1.0, 0.0, -1.0]);
    /// ```
    pub fn separable<T: Real>(&self) -> Option<(Array1<T>, Array1<T>)> {
        let v = |a: &[f64]| Array1::from(a.to_vec());
        let (col, row) = match self {
            Kernel::Identity => (v(&[0., 1., 0.]), v(&[0., 1., 0.])),
            Kernel::BoxBlur { size } => {
                let a = Array1::from_elem(*size, 1.0 / *size as f64);
                (a.clone(), a)
            }
            Kernel::SobelX => (v(&[1., 2., 1.]), v(&[1., 0., -1.])),
            Kernel::SobelY => (v(&[1., 0., -1.]), v(&[1., 2., 1.])),
            Kernel::PrewittX => (v(&[1., 1., 1.]), v(&[1., 0., -1.])),
            Kernel::PrewittY => (v(&[1., 0., -1.]), v(&[1., 1., 1.])),
            Kernel::Gaussian { size, sigma } => {
                let g = gaussian_1d(*size, *sigma);
                (g.clone(), g)
            }
            _ => return None,
        };
        Some((col.mapv(T::from_f64_lossy), row.mapv(T::from_f64_lossy)))
    }

    /// Intensity (taps sum to 1) or signed (taps sum to 0); a custom kernel whose taps sum to
    /// less than 1e-9 in magnitude counts as signed.
    pub fn response(&self) -> Response {
        match self {
            Kernel::EdgeEnhance
            | Kernel::Laplacian
            | Kernel::SobelX
            | Kernel::SobelY
            | Kernel::PrewittX
            | Kernel::PrewittY
            | Kernel::LaplacianOfGaussian { .. } => Response::Signed,
            Kernel::Custom { taps, .. } if taps.sum().abs() < 1e-9 => Response::Signed,
            _ => Response::Intensity,
        }
    }

    /// Reads a kernel from a text file: numbers separated by spaces or commas, one matrix row
    /// per line; blank lines and text after `#` are ignored. The name is the file's stem.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Kernel, KernelError> {
        let path = path.as_ref();
        let err = |reason: String| KernelError::File {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "kernel".to_string());
        Kernel::from_text(&text, &name).map_err(err)
    }

    /// Parses a kernel matrix from text (the file format of [`from_file`](Self::from_file)).
    ///
    /// ```
    /// use convkit::image::Kernel;
    ///
    /// let k = Kernel::from_text("# a 2×3 kernel\n1 2 3\n4, 5, 6\n", "mine").unwrap();
    /// assert_eq!(k.matrix::<f32>().dim(), (2, 3));
    /// assert_eq!(k.to_string(), "mine");
    /// ```
    pub fn from_text(text: &str, name: &str) -> Result<Kernel, String> {
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            let row = line
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .map(|t| match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(format!("line {}: '{t}' is not a finite number", i + 1)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if !row.is_empty() {
                rows.push(row);
            }
        }
        let width = rows.first().map_or(0, Vec::len);
        if width == 0 {
            return Err("no numbers found".to_string());
        }
        if rows.iter().any(|r| r.len() != width) {
            return Err("rows of different lengths".to_string());
        }
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let taps = Array2::from_shape_vec((rows.len(), width), flat).map_err(|e| e.to_string())?;
        Ok(Kernel::Custom {
            name: name.to_string(),
            taps,
        })
    }

    /// Parses a library name with its parameters (see the module table); `gradient` is not a
    /// kernel but a derived filter, see [`Filter`](super::Filter).
    pub fn parse(spec: &str) -> Result<Kernel, KernelError> {
        let lower = spec.trim().to_ascii_lowercase();
        let mut parts = lower.split(':');
        let name = parts.next().unwrap_or("");
        let params: Vec<&str> = parts.collect();
        let bad = |reason: &str| KernelError::BadParameter {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let max_params = match name {
            "box" => 1,
            "gaussian" | "log" => 2,
            "unsharp" => 3,
            _ => 0,
        };
        if params.len() > max_params {
            return Err(bad(&format!(
                "takes at most {max_params} parameter(s) (kernel names: {NAMES})"
            )));
        }
        let size = |default: usize| -> Result<usize, KernelError> {
            match params.first() {
                None => Ok(default),
                Some(t) => match t.parse::<usize>() {
                    Ok(n) if (1..=MAX_SIZE).contains(&n) => Ok(n),
                    _ => Err(bad(&format!(
                        "size '{t}' must be a whole number from 1 to {MAX_SIZE}"
                    ))),
                },
            }
        };
        let real = |i: usize, what: &str, default: f64| -> Result<f64, KernelError> {
            match params.get(i) {
                None => Ok(default),
                Some(t) => match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
                    _ => Err(bad(&format!("{what} '{t}' must be a positive number"))),
                },
            }
        };
        Ok(match name {
            "identity" => Kernel::Identity,
            "sharpen" => Kernel::Sharpen,
            "box" | "blur" => Kernel::BoxBlur { size: size(3)? },
            "edge-enhance" => Kernel::EdgeEnhance,
            "laplacian" | "edge-detect" => Kernel::Laplacian,
            "sobel-x" => Kernel::SobelX,
            "sobel-y" => Kernel::SobelY,
            "prewitt-x" => Kernel::PrewittX,
            "prewitt-y" => Kernel::PrewittY,
            "gaussian" => {
                let size = size(5)?;
                Kernel::Gaussian {
                    size,
                    sigma: real(1, "sigma", default_sigma(size))?,
                }
            }
            "log" => {
                let size = size(9)?;
                Kernel::LaplacianOfGaussian {
                    size,
                    sigma: real(1, "sigma", default_sigma(size))?,
                }
            }
            "emboss" => Kernel::Emboss,
            "unsharp" => {
                let size = size(5)?;
                Kernel::UnsharpMask {
                    size,
                    sigma: real(1, "sigma", default_sigma(size))?,
                    amount: real(2, "amount", 1.0)?,
                }
            }
            _ => return Err(KernelError::UnknownName(spec.to_string())),
        })
    }
}

impl FromStr for Kernel {
    type Err = KernelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kernel::parse(s)
    }
}

/// The specification form: `sharpen`, `box:5`, `gaussian:15:3`, or a custom kernel's name.
impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kernel::Identity => f.write_str("identity"),
            Kernel::Sharpen => f.write_str("sharpen"),
            Kernel::BoxBlur { size } => write!(f, "box:{size}"),
            Kernel::EdgeEnhance => f.write_str("edge-enhance"),
            Kernel::Laplacian => f.write_str("laplacian"),
            Kernel::SobelX => f.write_str("sobel-x"),
            Kernel::SobelY => f.write_str("sobel-y"),
            Kernel::PrewittX => f.write_str("prewitt-x"),
            Kernel::PrewittY => f.write_str("prewitt-y"),
            Kernel::Gaussian { size, sigma } => write!(f, "gaussian:{size}:{}", short(*sigma)),
            Kernel::LaplacianOfGaussian { size, sigma } => {
                write!(f, "log:{size}:{}", short(*sigma))
            }
            Kernel::Emboss => f.write_str("emboss"),
            Kernel::UnsharpMask {
                size,
                sigma,
                amount,
            } => write!(f, "unsharp:{size}:{}:{}", short(*sigma), short(*amount)),
            Kernel::Custom { name, .. } => f.write_str(name),
        }
    }
}

/// A parameter printed with at most 3 decimals and no trailing zeros (1.1, 3, 0.25).
fn short(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The normalised sampled Gaussian of `size` taps centred at (size-1)/2.
fn gaussian_1d(size: usize, sigma: f64) -> Array1<f64> {
    let c = (size - 1) as f64 / 2.0;
    let g = Array1::from_shape_fn(size, |i| {
        let d = i as f64 - c;
        (-d * d / (2.0 * sigma * sigma)).exp()
    });
    let total = g.sum();
    g / total
}

fn outer(col: &Array1<f64>, row: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((col.len(), row.len()), |(i, j)| col[i] * row[j])
}

/// The sampled Laplacian of Gaussian with its mean removed, so it sums to exactly 0.
fn log_matrix(size: usize, sigma: f64) -> Array2<f64> {
    let c = (size - 1) as f64 / 2.0;
    let s2 = sigma * sigma;
    let k = Array2::from_shape_fn((size, size), |(i, j)| {
        let r2 = (i as f64 - c).powi(2) + (j as f64 - c).powi(2);
        -(1.0 - r2 / (2.0 * s2)) * (-r2 / (2.0 * s2)).exp() / (std::f64::consts::PI * s2 * s2)
    });
    let mean = k.mean().unwrap_or(0.0);
    k - mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for spec in [
            "identity",
            "sharpen",
            "box:5",
            "edge-enhance",
            "laplacian",
            "sobel-x",
            "sobel-y",
            "prewitt-x",
            "prewitt-y",
            "gaussian:15:3",
            "log:9:1.4",
            "emboss",
            "unsharp:5:1.1:1.5",
        ] {
            assert_eq!(Kernel::parse(spec).unwrap().to_string(), spec);
        }
        assert_eq!(Kernel::parse("box").unwrap(), Kernel::BoxBlur { size: 3 });
        assert_eq!(
            Kernel::parse("gaussian:5").unwrap().to_string(),
            "gaussian:5:1.1"
        );
        assert!(matches!(
            Kernel::parse("box:0"),
            Err(KernelError::BadParameter { .. })
        ));
        assert!(matches!(
            Kernel::parse("gaussian:5:-1"),
            Err(KernelError::BadParameter { .. })
        ));
        assert!(matches!(
            Kernel::parse("sharpen:3"),
            Err(KernelError::BadParameter { .. })
        ));
        assert!(matches!(
            Kernel::parse("blurry"),
            Err(KernelError::UnknownName(_))
        ));
    }

    #[test]
    fn separable_factors_rebuild_the_matrix() {
        for k in [
            Kernel::Identity,
            Kernel::BoxBlur { size: 4 },
            Kernel::SobelX,
            Kernel::SobelY,
            Kernel::PrewittX,
            Kernel::PrewittY,
            Kernel::Gaussian {
                size: 7,
                sigma: 1.5,
            },
        ] {
            let (c, r) = k.separable::<f64>().unwrap();
            let diff = (outer(&c, &r) - k.matrix::<f64>()).mapv(f64::abs);
            assert!(diff.iter().all(|&d| d < 1e-15), "{k}");
        }
    }

    #[test]
    fn sums() {
        for k in [
            "sharpen",
            "box:4",
            "gaussian:9:2",
            "emboss",
            "unsharp",
            "identity",
        ] {
            let s = Kernel::parse(k).unwrap().matrix::<f64>().sum();
            assert!((s - 1.0).abs() < 1e-12, "{k}: {s}");
        }
        for k in ["edge-enhance", "laplacian", "sobel-x", "prewitt-y", "log"] {
            let k = Kernel::parse(k).unwrap();
            assert!(k.matrix::<f64>().sum().abs() < 1e-12, "{k}");
            assert_eq!(k.response(), Response::Signed);
        }
    }
}
