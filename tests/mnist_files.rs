//! The MNIST reader on good, compressed, uncompressed and damaged files: every bad file is an
//! error that names it.

use std::io::Write;
use std::path::{Path, PathBuf};

use convkit::data::idx;
use convkit::data::{Mnist, MnistError};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-mnist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Four files of `n` 3×2 images; `compress` picks .gz or plain for each.
fn write_set(dir: &Path, n: usize, compress: bool) {
    let images: Vec<u8> = (0..n * 6).map(|i| (i * 37 % 256) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    for prefix in ["train", "t10k"] {
        let files = [
            (
                format!("{prefix}-images-idx3-ubyte"),
                idx::encode(&[n, 3, 2], &images),
            ),
            (
                format!("{prefix}-labels-idx1-ubyte"),
                idx::encode(&[n], &labels),
            ),
        ];
        for (name, bytes) in files {
            if compress {
                std::fs::write(dir.join(format!("{name}.gz")), gzip(&bytes)).unwrap();
            } else {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    }
}

#[test]
fn reads_plain_and_gzip_alike() {
    let (a, b) = (scratch("gz"), scratch("plain"));
    write_set(&a, 5, true);
    write_set(&b, 5, false);
    let (ma, mb) = (Mnist::load(&a).unwrap(), Mnist::load(&b).unwrap());
    assert_eq!(ma, mb);
    assert_eq!(ma.train.len(), 5);
    assert_eq!(ma.train.shape(), (3, 2));
    assert_eq!(ma.train.pixels(0)[1], 37.0 / 255.0);
    assert_eq!(ma.train.label(3), 3);
}

#[test]
fn bad_files_are_named() {
    let dir = scratch("bad");
    write_set(&dir, 4, false);
    // Truncated image file.
    let img = dir.join("train-images-idx3-ubyte");
    let bytes = std::fs::read(&img).unwrap();
    std::fs::write(&img, &bytes[..bytes.len() - 3]).unwrap();
    let err = Mnist::load(&dir).unwrap_err();
    assert!(matches!(err, MnistError::Idx(_)));
    assert!(err.to_string().contains("train-images-idx3-ubyte"), "{err}");
    std::fs::write(&img, &bytes).unwrap();

    // Label count differs from image count.
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        idx::encode(&[3], &[1, 2, 3]),
    )
    .unwrap();
    let err = Mnist::load(&dir).unwrap_err().to_string();
    assert!(
        err.contains("t10k-labels") && err.contains("3 labels for 4 images"),
        "{err}"
    );

    // A label that is not a digit.
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        idx::encode(&[4], &[1, 2, 3, 12]),
    )
    .unwrap();
    let err = Mnist::load(&dir).unwrap_err().to_string();
    assert!(err.contains("not a digit"), "{err}");

    // Images and labels swapped: wrong rank.
    std::fs::write(dir.join("t10k-labels-idx1-ubyte"), &bytes).unwrap();
    let err = Mnist::load(&dir).unwrap_err().to_string();
    assert!(err.contains("1 dimension"), "{err}");

    // A corrupt gzip stream.
    let gz = scratch("badgz");
    write_set(&gz, 2, true);
    let f = gz.join("train-labels-idx1-ubyte.gz");
    let mut b = std::fs::read(&f).unwrap();
    let mid = b.len() / 2;
    b.truncate(mid);
    std::fs::write(&f, b).unwrap();
    let err = Mnist::load(&gz).unwrap_err().to_string();
    assert!(err.contains("train-labels-idx1-ubyte.gz"), "{err}");

    // A gzip file whose header promises 2³² bytes but holds ten: a length error, found without
    // allocating what the header promises.
    let huge = scratch("huge");
    write_set(&huge, 2, true);
    let mut lie = vec![0u8, 0, 8, 1, 0xff, 0xff, 0xff, 0xff];
    lie.extend([1u8; 10]);
    std::fs::write(huge.join("train-labels-idx1-ubyte.gz"), gzip(&lie)).unwrap();
    let err = Mnist::load(&huge).unwrap_err().to_string();
    assert!(
        err.contains("promises 4294967295 bytes") && err.contains("has 10"),
        "{err}"
    );
    // Trailing bytes after the promised data.
    let mut long = idx::encode(&[2], &[1, 2]);
    long.push(0);
    std::fs::write(huge.join("train-labels-idx1-ubyte.gz"), gzip(&long)).unwrap();
    let err = Mnist::load(&huge).unwrap_err().to_string();
    assert!(err.contains("has 3 or more"), "{err}");

    // A directory without the files.
    let err = Mnist::load(scratch("empty")).unwrap_err().to_string();
    assert!(err.contains("no train images file"), "{err}");
}
