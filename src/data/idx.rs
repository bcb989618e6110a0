//! The IDX file format of MNIST (LeCun, Cortes, Burges): a big-endian header, then the data.
//!
//! | bytes | meaning |
//! |---|---|
//! | 0–1 | zero |
//! | 2 | element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64 |
//! | 3 | number of dimensions d |
//! | 4 … 4+4d | each dimension, u32 big-endian |
//! | then | the elements, row-major |
//!
//! MNIST's image files are u8 with d = 3 (magic 2051 = 0x0803) and its label files u8 with
//! d = 1 (magic 2049 = 0x0801). Files compressed with gzip are recognised by their first two
//! bytes (1F 8B), whatever their name. Only u8 elements are read, which is all MNIST uses.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A bad IDX file.
#[derive(Debug, Error)]
pub enum IdxError {
    /// The file cannot be read (or its gzip stream is broken).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The header is not an IDX header, or not the one expected.
    #[error("{path}: {reason}")]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The data is shorter or longer than the header says.
    #[error(
        "{path}: the header promises {expected} bytes of data, the file has {got}{}",
        if got > expected { " or more" } else { "" }
    )]
    Length {
        /// The file.
        path: PathBuf,
        /// Bytes the dimensions call for.
        expected: usize,
        /// Bytes present.
        got: usize,
    },
}

/// The u8 contents of an IDX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The dimensions, outermost first.
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: Vec<u8>,
}

/// Reads an IDX file of u8 elements, gzip-compressed or not.
///
/// The header is read first and at most the bytes it promises (plus one, to notice trailing
/// data) are decompressed, so a small corrupt or malicious `.gz` cannot make it allocate
/// more than its header's dimensions.
pub fn read(path: &Path) -> Result<IdxArray, IdxError> {
    let io = |source| IdxError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let gzip = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    let mut src: Box<dyn Read> = if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut head = Vec::new();
    (&mut src).take(4).read_to_end(&mut head).map_err(io)?;
    if head.len() == 4 {
        let d = head[3] as u64;
        (&mut src).take(4 * d).read_to_end(&mut head).map_err(io)?;
    }
    let (dims, expected) = header(&head, path)?;
    let mut data = Vec::new();
    (&mut src)
        .take(expected as u64 + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() != expected {
        return Err(IdxError::Length {
            path: path.to_path_buf(),
            expected,
            got: data.len(),
        });
    }
    Ok(IdxArray { dims, data })
}

/// The dimensions and data length from a complete header (magic and dimensions), checked.
fn header(bytes: &[u8], path: &Path) -> Result<(Vec<usize>, usize), IdxError> {
    let fail = |reason: String| IdxError::Header {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < 4 {
        return Err(fail(format!(
            "{} bytes, too short for an IDX header",
            bytes.len()
        )));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(fail(format!(
            "not an IDX file (magic {:02x}{:02x}{:02x}{:02x})",
            bytes[0], bytes[1], bytes[2], bytes[3]
        )));
    }
    if bytes[2] != 0x08 {
        return Err(fail(format!(
            "element type 0x{:02x}; only unsigned bytes (0x08) are supported",
            bytes[2]
        )));
    }
    let d = bytes[3] as usize;
    let end = 4 + 4 * d;
    if d == 0 || bytes.len() < end {
        return Err(fail(format!("truncated header ({d} dimensions)")));
    }
    let dims: Vec<usize> = bytes[4..end]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |a, &n| a.checked_mul(n))
        .ok_or_else(|| fail(format!("dimensions {dims:?} overflow")))?;
    Ok((dims, expected))
}

/// Parses the bytes of an (uncompressed) IDX file; `path` only names it in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<IdxArray, IdxError> {
    let d = bytes.get(3).map_or(0, |&d| d as usize);
    let end = (4 + 4 * d).min(bytes.len());
    let (dims, expected) = header(&bytes[..end], path)?;
    let got = bytes.len() - end;
    if got != expected {
        return Err(IdxError::Length {
            path: path.to_path_buf(),
            expected,
            got,
        });
    }
    Ok(IdxArray {
        dims,
        data: bytes[end..].to_vec(),
    })
}

/// The bytes of an IDX file of u8 elements with dimensions `dims` (for tests and tools).
pub fn encode(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &n in dims {
        out.extend((n as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let p = Path::new("x.idx");
        let bytes = encode(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        assert_eq!(&bytes[..4], &[0, 0, 8, 2]);
        let a = parse(&bytes, p).unwrap();
        assert_eq!(a.dims, vec![2, 3]);
        assert_eq!(a.data, vec![1, 2, 3, 4, 5, 6]);
        let short = &bytes[..bytes.len() - 1];
        assert!(matches!(
            parse(short, p),
            Err(IdxError::Length {
                expected: 6,
                got: 5,
                ..
            })
        ));
        assert!(matches!(
            parse(&[1, 0, 8, 1], p),
            Err(IdxError::Header { .. })
        ));
        assert!(matches!(
            parse(&[0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], p),
            Err(IdxError::Header { .. })
        ));
        assert!(matches!(
            parse(&[0, 0, 8, 3, 0], p),
            Err(IdxError::Header { .. })
        ));
        let msg = parse(short, p).unwrap_err().to_string();
        assert!(msg.starts_with("x.idx:"), "{msg}");
    }
}
