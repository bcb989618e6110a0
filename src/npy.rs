//! numpy's `.npy` file format (versions 1.0, 2.0, 3.0) for float32 / float64 arrays.
//!
//! Reading accepts either byte order and C or Fortran order; every other dtype (integers,
//! complex, objects, ...) is a typed error naming it, as are bad magic strings, malformed headers
//! and truncated data. Writing produces version 1.0, little-endian, C order: what `numpy.load`
//! reads everywhere. Writing goes through a temporary file in the target directory that is
//! renamed into place, so a failed write never leaves a half-written file.

use std::fs;
use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use thiserror::Error;

use crate::real::Real;

const MAGIC: &[u8] = b"\x93NUMPY";

/// What can go wrong reading or writing a `.npy` file.
#[derive(Debug, Error)]
pub enum NpyError {
    /// The file cannot be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not an .npy file, or its header does not parse.
    #[error("{path}: not a valid .npy file: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A dtype other than float32 / float64.
    #[error("{path}: unsupported dtype '{dtype}' (convkit reads float32 and float64 arrays)")]
    Dtype {
        /// The file.
        path: PathBuf,
        /// numpy's dtype descriptor, e.g. `<i8`.
        dtype: String,
    },
    /// Fewer data bytes than the header's shape needs.
    #[error("{path}: truncated: the header promises {expected} data bytes, the file has {found}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the shape needs.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
}

/// An array read from an .npy file, in its stored float type.
#[derive(Debug, Clone, PartialEq)]
pub enum NpyArray {
    /// `float32` data.
    F32(ArrayD<f32>),
    /// `float64` data.
    F64(ArrayD<f64>),
}

impl NpyArray {
    /// The array's shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            NpyArray::F32(a) => a.shape(),
            NpyArray::F64(a) => a.shape(),
        }
    }

    /// The numpy dtype name.
    pub fn dtype(&self) -> &'static str {
        match self {
            NpyArray::F32(_) => f32::NAME,
            NpyArray::F64(_) => f64::NAME,
        }
    }

    /// The data converted to f64 (exact for both types).
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            NpyArray::F32(a) => a.mapv(f64::from),
            NpyArray::F64(a) => a.clone(),
        }
    }
}

/// A float type that .npy files store, with its little-endian encoding.
pub trait NpyElement: Real {
    /// numpy's little-endian descriptor (`<f4`, `<f8`).
    const DESCR: &'static str;
    /// Appends the little-endian bytes of `self`.
    fn put_le(self, out: &mut Vec<u8>);
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// Reads an .npy file holding float32 or float64 data.
pub fn read(path: impl AsRef<Path>) -> Result<NpyArray, NpyError> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|source| NpyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&bytes).map_err(|e| e.at(path))
}

/// Parses the bytes of an .npy file.
pub fn parse(bytes: &[u8]) -> Result<NpyArray, NpyError> {
    let format = |reason: &str| NpyError::Format {
        path: PathBuf::new(),
        reason: reason.to_string(),
    };
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(format("missing the \\x93NUMPY magic string"));
    }
    let (header_len, header_start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format(&format!("unsupported format version {v}"))),
    };
    let header_end = header_start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| format("header longer than the file"))?;
    let header = std::str::from_utf8(&bytes[header_start..header_end])
        .map_err(|_| format("header is not text"))?;
    let descr = dict_value(header, "descr").ok_or_else(|| format("no 'descr' in header"))?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let fortran = match dict_value(header, "fortran_order") {
        Some("True") => true,
        Some("False") => false,
        _ => return Err(format("no valid 'fortran_order' in header")),
    };
    let shape_text = dict_value(header, "shape").ok_or_else(|| format("no 'shape' in header"))?;
    let shape = parse_shape(shape_text).ok_or_else(|| format("malformed 'shape' in header"))?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format("shape too large"))?;
    let data = &bytes[header_end..];
    let (little, width) = match descr {
        "<f4" | "=f4" => (true, 4),
        ">f4" => (false, 4),
        "<f8" | "=f8" => (true, 8),
        ">f8" => (false, 8),
        other => {
            return Err(NpyError::Dtype {
                path: PathBuf::new(),
                dtype: other.to_string(),
            });
        }
    };
    let expected = count
        .checked_mul(width)
        .ok_or_else(|| format("shape too large"))?;
    if data.len() < expected {
        return Err(NpyError::Truncated {
            path: PathBuf::new(),
            expected,
            found: data.len(),
        });
    }
    let shape_of = |s: &[usize]| {
        if fortran {
            IxDyn(s).f()
        } else {
            IxDyn(s).into_shape_with_order()
        }
    };
    let chunks = data[..expected].chunks_exact(width);
    let built = if width == 4 {
        let v = chunks
            .map(|c| {
                let b = [c[0], c[1], c[2], c[3]];
                if little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                }
            })
            .collect();
        ArrayD::from_shape_vec(shape_of(&shape), v).map(NpyArray::F32)
    } else {
        let v = chunks
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                if little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                }
            })
            .collect();
        ArrayD::from_shape_vec(shape_of(&shape), v).map(NpyArray::F64)
    };
    built.map_err(|e| format(&e.to_string()))
}

/// The text of `key`'s value in the header's Python dict literal.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = header[at + key.len() + 2..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim())
}

/// `(3,)`, `(2, 3)`, `()` → dimensions.
fn parse_shape(text: &str) -> Option<Vec<usize>> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect()
}

/// The bytes of an .npy file (version 1.0, little-endian, C order) holding `a`.
pub fn to_bytes<T: NpyElement>(a: &ArrayD<T>) -> Vec<u8> {
    let dims: Vec<String> = a.shape().iter().map(|d| d.to_string()).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        T::DESCR
    );
    // The header (with magic, version, length and final newline) is padded to 64 bytes.
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + a.len() * std::mem::size_of::<T>());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for &v in a.iter() {
        v.put_le(&mut out);
    }
    out
}

/// Writes `a` to `path` atomically (temporary file in the same directory, then rename).
pub fn write<T: NpyElement>(path: impl AsRef<Path>, a: &ArrayD<T>) -> Result<(), NpyError> {
    let path = path.as_ref();
    crate::atomic_file::write(path, &to_bytes(a)).map_err(|source| NpyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl NpyError {
    /// Puts the file name into an error made while parsing bytes.
    fn at(self, path: &Path) -> Self {
        let p = path.to_path_buf();
        match self {
            NpyError::Format { reason, .. } => NpyError::Format { path: p, reason },
            NpyError::Dtype { dtype, .. } => NpyError::Dtype { path: p, dtype },
            NpyError::Truncated {
                expected, found, ..
            } => NpyError::Truncated {
                path: p,
                expected,
                found,
            },
            io @ NpyError::Io { .. } => io,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn round_trip_both_types() {
        let a = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0f64, -2.5, 3.0, 4.0, 5.0, 6.25])
            .unwrap();
        assert_eq!(parse(&to_bytes(&a)).unwrap(), NpyArray::F64(a.clone()));
        let b = a.mapv(|v| v as f32);
        assert_eq!(parse(&to_bytes(&b)).unwrap(), NpyArray::F32(b));
        assert_eq!(
            to_bytes(&a).len() % 16,
            (6 * 8) % 16,
            "header is 64-byte aligned"
        );
    }

    #[test]
    fn fortran_order_and_big_endian() {
        // numpy.save of np.asfortranarray([[1., 2.], [3., 4.]]).astype('>f8')
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let header = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 2), }\n";
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        for v in [1.0f64, 3.0, 2.0, 4.0] {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        let NpyArray::F64(a) = parse(&bytes).unwrap() else {
            panic!("expected f64")
        };
        assert_eq!(a, ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]).into_dyn());
    }

    #[test]
    fn bad_files_are_typed_errors() {
        assert!(matches!(
            parse(b"hello world"),
            Err(NpyError::Format { .. })
        ));
        let a = ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0f64; 4]).unwrap();
        let bytes = to_bytes(&a);
        assert!(matches!(
            parse(&bytes[..bytes.len() - 3]),
            Err(NpyError::Truncated { .. })
        ));
        assert!(matches!(parse(&bytes[..20]), Err(NpyError::Format { .. })));
        let mut ints = bytes.clone();
        let at = ints.windows(3).position(|w| w == b"<f8").unwrap();
        ints[at..at + 3].copy_from_slice(b"<i8");
        assert!(matches!(parse(&ints), Err(NpyError::Dtype { dtype, .. }) if dtype == "<i8"));
    }
}
