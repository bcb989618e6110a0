//! The `convkit` binary as a user runs it: results, and one clear line for every bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use convkit::npy::{self, NpyArray};
use ndarray::{ArrayD, IxDyn};

fn convkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convkit"))
        .args(args)
        .output()
        .expect("run convkit")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convkit-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save(path: &Path, shape: &[usize], values: Vec<f64>) {
    npy::write(path, &ArrayD::from_shape_vec(IxDyn(shape), values).unwrap()).unwrap();
}

/// A valid f64 .npy file whose header descriptor is replaced (same length): an int/complex file.
fn save_with_descr(path: &Path, descr: &str) {
    let a = ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0f64, 2.0]).unwrap();
    let mut bytes = npy::to_bytes(&a);
    let at = bytes.windows(3).position(|w| w == b"<f8").unwrap();
    bytes[at..at + 3].copy_from_slice(descr.as_bytes());
    std::fs::write(path, bytes).unwrap();
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn quick_form_prints_the_worked_example() {
    let out = convkit(&["conv", "--signal", "3 1 2", "--kernel", "3 2 1"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "[9, 9, 11, 5, 2]"
    );
    let out = convkit(&[
        "conv",
        "--signal",
        "3,1,2",
        "--kernel",
        "3,2,1",
        "--op",
        "correlate",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "[3, 7, 13, 7, 6]"
    );
}

#[test]
fn explain_prints_the_table() {
    let out = convkit(&[
        "conv",
        "--signal",
        "3 1 2",
        "--kernel",
        "3 2 1",
        "--explain",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("k      | -2 -1  0  1  2  3  4  5"), "{text}");
    assert!(text.contains("y[2] = 3×1 + 1×2 + 2×3 = 11"), "{text}");
    assert!(text.contains("y[5] = 0 (no overlap)"), "{text}");
    let out = convkit(&[
        "conv",
        "--signal",
        "3 1 2",
        "--kernel",
        "3 2 1",
        "--explain",
        "--op",
        "correlate",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("h[k+2]") && text.contains("r = [3, 7, 13, 7, 6] (from n = -2)"),
        "{text}"
    );
}

#[test]
fn files_in_file_out_keeps_the_dtype() {
    let dir = scratch("files");
    let (x, h, y) = (dir.join("x.npy"), dir.join("h.npy"), dir.join("y.npy"));
    // float32 in → float32 out.
    npy::write(
        &x,
        &ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
    )
    .unwrap();
    npy::write(
        &h,
        &ArrayD::from_shape_vec(IxDyn(&[1, 2]), vec![1.0f32, -1.0]).unwrap(),
    )
    .unwrap();
    let out = convkit(&[
        "conv",
        p(&x),
        p(&h),
        "-o",
        p(&y),
        "--output",
        "valid",
        "--op",
        "correlate",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![-1.0f32, -1.0, -1.0, -1.0]).unwrap();
    assert_eq!(npy::read(&y).unwrap(), NpyArray::F32(want));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Runs a failing command: exit status 2, one line on stderr naming `needle`, no panic, no output.
fn assert_clean_failure(args: &[&str], out_file: &Path, needle: &str) {
    let out = convkit(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    assert!(err.starts_with("convkit: error: "), "{err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected '{needle}' in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out_file.exists(), "{args:?} left an output file");
}

#[test]
fn bad_inputs_fail_cleanly() {
    let dir = scratch("bad");
    let y = dir.join("y.npy");
    let good = dir.join("good.npy");
    save(&good, &[3], vec![1.0, 2.0, 3.0]);
    let good2d = dir.join("good2d.npy");
    save(&good2d, &[2, 2], vec![1.0; 4]);
    let empty = dir.join("empty.npy");
    save(&empty, &[0], vec![]);
    let three_d = dir.join("cube.npy");
    save(&three_d, &[2, 2, 2], vec![1.0; 8]);
    let ints = dir.join("ints.npy");
    save_with_descr(&ints, "<i8");
    let complex = dir.join("complex.npy");
    save_with_descr(&complex, "<c8");
    let text = dir.join("text.npy");
    std::fs::write(&text, "not an array\n").unwrap();
    let truncated = dir.join("truncated.npy");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() - 5]).unwrap();
    let long = dir.join("long.npy");
    save(&long, &[5], vec![1.0; 5]);
    let missing = dir.join("missing.npy");

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![p(&missing), p(&good)], "missing.npy"),
        (vec![p(&text), p(&good)], "not a valid .npy file"),
        (vec![p(&truncated), p(&good)], "truncated"),
        (vec![p(&ints), p(&good)], "unsupported dtype '<i8'"),
        (vec![p(&good), p(&complex)], "unsupported dtype '<c8'"),
        (vec![p(&three_d), p(&good)], "3-D"),
        (vec![p(&good), p(&good2d)], "1-D but the kernel is 2-D"),
        (vec![p(&empty), p(&good)], "signal is empty"),
        (vec![p(&good), p(&empty)], "kernel is empty"),
        (
            vec![p(&good), p(&long), "--output", "valid"],
            "kernel does not fit",
        ),
        (
            vec![p(&good), p(&good), "--stride", "0"],
            "stride must be at least 1",
        ),
    ];
    for (files, needle) in cases {
        let mut args = vec!["conv"];
        args.extend(files);
        args.extend(["-o", p(&y)]);
        assert_clean_failure(&args, &y, needle);
    }
    assert_clean_failure(
        &["conv", "--signal", "", "--kernel", "1 2"],
        &y,
        "signal is empty",
    );
    assert_clean_failure(
        &["conv", "--signal", "1 x", "--kernel", "1 2"],
        &y,
        "'x' is not a number",
    );
    assert_clean_failure(&["conv", p(&good)], &y, "missing the kernel file");
}

#[test]
fn unwritable_output_is_an_error_not_a_panic() {
    let dir = scratch("unwritable");
    let x = dir.join("x.npy");
    save(&x, &[3], vec![1.0, 2.0, 3.0]);
    let target = dir.join("no-such-dir").join("y.npy");
    assert_clean_failure(&["conv", p(&x), p(&x), "-o", p(&target)], &target, "y.npy");
}

#[test]
fn demo_runs() {
    let dir = scratch("demo");
    let out = convkit(&["demo", "--out", p(&dir)]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("y = [9, 9, 11, 5, 2]"));
    assert!(text.contains("reflect"));
}
