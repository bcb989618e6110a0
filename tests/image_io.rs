//! Reading and writing image files: round trips, and a typed error naming the file for every
//! kind of bad file.

use std::path::{Path, PathBuf};

use convkit::image::{Channels, Image, ImageError, ToneMap, io, test_image};
use ndarray::Array2;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-imgio-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn max_diff(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn png_round_trips_gray_rgb_and_rgba() {
    let dir = scratch("roundtrip");
    let g = test_image::generate(40, 1).planes()[0].clone();
    let a = Array2::from_shape_fn(g.dim(), |(r, _)| r as f32 / 39.0);
    let cases = [
        ("gray.png", Image::gray(g.clone())),
        (
            "rgb.png",
            Image::rgb(g.clone(), g.t().to_owned(), g.mapv(|v| 1.0 - v)).unwrap(),
        ),
        (
            "rgba.png",
            Image::from_planes(vec![g.clone(), g.clone(), g.t().to_owned()], Some(a)).unwrap(),
        ),
    ];
    for (name, img) in cases {
        let path = dir.join(name);
        io::write(&path, &img, ToneMap::Clamp).unwrap();
        let back = io::read(&path).unwrap();
        assert_eq!(back.channels(), img.channels(), "{name}");
        assert_eq!((back.height(), back.width()), (40, 40));
        for (p, q) in back.planes().iter().zip(img.planes()) {
            assert!(max_diff(p, q) <= 0.5 / 255.0 + 1e-6, "{name}");
        }
        assert_eq!(back.alpha().is_some(), img.alpha().is_some(), "{name}");
    }
}

#[test]
fn jpeg_and_16_bit_png_are_read() {
    let dir = scratch("formats");
    let g = test_image::generate(32, 2);
    let path = dir.join("t.jpg");
    io::write(&path, &g, ToneMap::Clamp).unwrap();
    let back = io::read(&path).unwrap();
    assert_eq!(back.channels(), Channels::Gray);
    let mean = |p: &Array2<f32>| p.mean().unwrap();
    assert!((mean(&back.planes()[0]) - mean(&g.planes()[0])).abs() < 0.02);

    // A 16-bit gray PNG keeps its precision: 1000/65535 is not a multiple of 1/255.
    let raw: Vec<u16> = (0..16).map(|i| i * 1000).collect();
    let img16 = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(4, 4, raw).unwrap();
    let path = dir.join("deep.png");
    img16.save(&path).unwrap();
    let back = io::read(&path).unwrap();
    assert!((back.planes()[0][[0, 1]] - 1000.0 / 65535.0).abs() < 1e-7);
}

#[test]
fn tone_maps_for_signed_results() {
    let dir = scratch("tone");
    let signed = Image::gray(ndarray::array![[-2.0f32, 0.0, 1.0, 2.0]]);
    let path = dir.join("s.png");
    io::write(&path, &signed, ToneMap::Centered).unwrap();
    let back = io::read(&path).unwrap().planes()[0].clone();
    assert_eq!(
        back.mapv(|v| (v * 255.0).round()),
        ndarray::array![[0.0, 128.0, 191.0, 255.0]]
    );
    io::write(&path, &signed, ToneMap::Clamp).unwrap();
    let back = io::read(&path).unwrap().planes()[0].clone();
    assert_eq!(
        back.mapv(|v| (v * 255.0).round()),
        ndarray::array![[0.0, 0.0, 255.0, 255.0]]
    );
    io::write(&path, &signed, ToneMap::MinMax).unwrap();
    let back = io::read(&path).unwrap().planes()[0].clone();
    assert_eq!(
        back.mapv(|v| (v * 255.0).round()),
        ndarray::array![[0.0, 128.0, 191.0, 255.0]]
    );
}

fn read_err(path: &Path) -> ImageError {
    let err = io::read(path).unwrap_err();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(err.to_string().contains(&name), "{err}");
    err
}

#[test]
fn bad_files_are_typed_errors_naming_the_file() {
    let dir = scratch("bad");
    let good = dir.join("good.png");
    io::write(&good, &test_image::generate(64, 3), ToneMap::Clamp).unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let empty = dir.join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(read_err(&empty), ImageError::EmptyFile { .. }));

    let text = dir.join("notes.png");
    std::fs::write(&text, b"this is not an image at all").unwrap();
    assert!(matches!(read_err(&text), ImageError::NotAnImage { .. }));

    let gif = dir.join("anim.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    assert!(matches!(read_err(&gif), ImageError::NotAnImage { .. }));

    let cut = dir.join("cut.png");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(
        matches!(read_err(&cut), ImageError::Truncated { .. }),
        "{}",
        read_err(&cut)
    );

    let header_only = dir.join("header.png");
    std::fs::write(&header_only, &bytes[..8]).unwrap();
    assert!(matches!(
        read_err(&header_only),
        ImageError::Truncated { .. } | ImageError::Corrupt { .. }
    ));

    let mut garbled = bytes.clone();
    for b in garbled.iter_mut().skip(60).take(200) {
        *b ^= 0x5A;
    }
    let garbled_path = dir.join("garbled.png");
    std::fs::write(&garbled_path, &garbled).unwrap();
    assert!(matches!(
        read_err(&garbled_path),
        ImageError::Corrupt { .. } | ImageError::Truncated { .. }
    ));

    // A PNG whose header claims 0×0 pixels.
    let mut zero = bytes.clone();
    zero[16..24].copy_from_slice(&[0; 8]);
    let zero_path = dir.join("zero.png");
    std::fs::write(&zero_path, &zero).unwrap();
    assert!(matches!(
        read_err(&zero_path),
        ImageError::ZeroSize { .. } | ImageError::Corrupt { .. }
    ));

    let missing = dir.join("missing.png");
    assert!(matches!(read_err(&missing), ImageError::Io { .. }));
}

#[test]
fn unsupported_output_extension() {
    let dir = scratch("ext");
    let path = dir.join("out.bmp");
    let err = io::write(&path, &test_image::generate(8, 1), ToneMap::Clamp).unwrap_err();
    assert!(matches!(err, ImageError::UnsupportedOutput { .. }));
    assert!(!path.exists());
}
