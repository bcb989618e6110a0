//! `convkit filter` and `convkit demo` end to end, as a user runs them: on the built-in test
//! image, on a kernel file, on bad input, and on the project's sample photographs when a
//! `shared/data/images` directory is present (skipped otherwise).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use convkit::image::{Channels, io};

fn convkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convkit"))
        .args(args)
        .output()
        .expect("run convkit")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-imgcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One line on stderr, exit status 2, containing `needle`.
fn fails_with(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn filter_without_an_image_uses_the_test_image() {
    let dir = scratch("builtin");
    let out_png = dir.join("edges.png");
    let text = ok(&convkit(&["filter", "-k", "sobel-x", "-o", p(&out_png)]));
    assert!(text.contains("built-in"), "{text}");
    let img = io::read(&out_png).unwrap();
    assert_eq!(
        (img.channels(), img.height(), img.width()),
        (Channels::Gray, 256, 256)
    );
    // Written centred: flat regions are mid-gray.
    let mid = img.planes()[0][[200, 200]];
    assert!((mid - 0.5).abs() < 0.1, "{mid}");
}

#[test]
fn several_kernels_give_one_file_each_and_figures() {
    let dir = scratch("several");
    let out = dir.join("out.png");
    let grid = dir.join("grid.png");
    let pads = dir.join("pads.png");
    ok(&convkit(&[
        "filter",
        "-k",
        "sharpen,gaussian:9:2,gradient",
        "--pad",
        "replicate",
        "--op",
        "correlate",
        "-o",
        p(&out),
        "--compare",
        p(&grid),
        "--pad-compare",
        p(&pads),
    ]));
    for name in [
        "out-sharpen.png",
        "out-gaussian_9_2.png",
        "out-gradient.png",
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    assert!(!out.exists());
    let g = io::read(&grid).unwrap();
    assert!(g.width() > 3 * 256 && g.channels() == Channels::Rgb);
    for name in [
        "pads-sharpen.png",
        "pads-gaussian_9_2.png",
        "pads-gradient.png",
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    // No temporary files are left behind.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}

#[test]
fn kernel_from_a_file() {
    let dir = scratch("kfile");
    let k = dir.join("diff.txt");
    std::fs::write(&k, "# horizontal difference\n0 0 0\n-1 1 0\n0 0 0\n").unwrap();
    let a = dir.join("a.png");
    let b = dir.join("b.png");
    ok(&convkit(&["filter", "-k", p(&k), "-o", p(&a)]));
    ok(&convkit(&["filter", "-k", "edge-enhance", "-o", p(&b)]));
    assert_eq!(io::read(&a).unwrap(), io::read(&b).unwrap());
    ok(&convkit(&[
        "filter",
        "-k",
        &format!("file:{}", p(&k)),
        "-o",
        p(&a),
    ]));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = scratch("bad");
    fails_with(
        &convkit(&["filter", "-k", "blurry"]),
        "unknown kernel 'blurry'",
    );
    fails_with(&convkit(&["filter", "-k", "box:0"]), "box:0");
    fails_with(&convkit(&["filter", "-k", "sharpen,,box"]), "empty kernel");
    fails_with(
        &convkit(&["filter", "-k", "sharpen", "--pad", "mirror"]),
        "mirror",
    );
    let junk = dir.join("junk.png");
    std::fs::write(&junk, b"hello").unwrap();
    fails_with(&convkit(&["filter", p(&junk), "-k", "sharpen"]), "junk.png");
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    fails_with(
        &convkit(&["filter", p(&empty), "-k", "sharpen"]),
        "empty.jpg",
    );
    let bad_kernel = dir.join("k.txt");
    std::fs::write(&bad_kernel, "1 2\n3\n").unwrap();
    fails_with(&convkit(&["filter", "-k", p(&bad_kernel)]), "k.txt");
    let out = dir.join("out.bmp");
    fails_with(
        &convkit(&["filter", "-k", "sharpen", "-o", p(&out)]),
        "out.bmp",
    );
    assert!(!out.exists());
}

#[test]
fn demo_writes_its_figures() {
    let dir = scratch("demo");
    let figures = dir.join("figs");
    let text = ok(&convkit(&["demo", "--out", p(&figures)]));
    assert!(text.contains("y = [9, 9, 11, 5, 2]"));
    for name in [
        "filters.png",
        "padding.png",
        "worked_example_stems.png",
        "test_image.png",
    ] {
        let img = io::read(figures.join(name)).unwrap();
        assert!(img.width() >= 256, "{name}");
    }
}

/// The project's sample photographs, if a `shared/` directory sits beside the checkout.
fn sample(name: &str) -> Option<PathBuf> {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/images");
    [beside, PathBuf::from("/work/shared/data/images")]
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[test]
fn sample_photographs_when_present() {
    let dir = scratch("photos");
    for (name, channels) in [
        ("camera.png", Channels::Gray),
        ("coffee.png", Channels::Rgb),
    ] {
        let Some(photo) = sample(name) else {
            eprintln!("skipping {name}: no shared/data/images beside the checkout");
            continue;
        };
        let original = io::read(&photo).unwrap();
        assert_eq!(original.channels(), channels);
        let out = dir.join(format!("{name}-sharp.png"));
        let grid = dir.join(format!("{name}-grid.png"));
        let pads = dir.join(format!("{name}-pads.png"));
        ok(&convkit(&[
            "filter",
            p(&photo),
            "-k",
            "sharpen,box:3,edge-enhance,laplacian,sobel-x",
            "-o",
            p(&out),
            "--compare",
            p(&grid),
        ]));
        ok(&convkit(&[
            "filter",
            p(&photo),
            "-k",
            "box:9",
            "--pad-compare",
            p(&pads),
        ]));
        let sharp = io::read(dir.join(format!("{name}-sharp-sharpen.png"))).unwrap();
        assert_eq!(sharp.channels(), channels);
        assert_eq!(
            (sharp.height(), sharp.width()),
            (original.height(), original.width())
        );
        assert!(grid.is_file() && pads.is_file());
    }
}
