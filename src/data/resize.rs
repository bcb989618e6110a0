//! Resampling a gray image to another size by area averaging: each output pixel is the mean of
//! the input over the output pixel's footprint (partial input pixels weighted by overlap).
//! Shrinking this way does not alias (MNIST's 28×28 → the zip-code net's 16×16); enlarging
//! repeats pixels.

/// The 1-D weights: for each output index, (input index, weight) pairs summing to 1.
fn footprints(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = from as f64 / to as f64;
    (0..to)
        .map(|o| {
            let (lo, hi) = (o as f64 * scale, (o + 1) as f64 * scale);
            let mut w = Vec::new();
            let mut i = lo.floor() as usize;
            while (i as f64) < hi && i < from {
                let overlap = hi.min(i as f64 + 1.0) - lo.max(i as f64);
                if overlap > 1e-12 {
                    w.push((i, (overlap / scale) as f32));
                }
                i += 1;
            }
            w
        })
        .collect()
}

/// `src` (rows×cols, row-major) resampled to `out_rows`×`out_cols` by area averaging; an
/// error if `src` does not hold rows×cols pixels or a size is zero.
///
/// ```
/// // A 4×4 checkerboard of 2×2 blocks shrinks to its block means.
/// let src: Vec<f32> = (0..16).map(|i| ((i / 2 + i / 8) % 2) as f32).collect();
/// let out = convkit::data::resize_area(&src, 4, 4, 2, 2)?;
/// assert_eq!(out, vec![0.0, 1.0, 1.0, 0.0]);
/// # Ok::<(), String>(())
/// ```
pub fn resize_area(
    src: &[f32],
    rows: usize,
    cols: usize,
    out_rows: usize,
    out_cols: usize,
) -> Result<Vec<f32>, String> {
    if rows == 0 || cols == 0 || out_rows == 0 || out_cols == 0 {
        return Err(format!(
            "cannot resize {rows}×{cols} to {out_rows}×{out_cols}"
        ));
    }
    if rows.checked_mul(cols) != Some(src.len()) {
        return Err(format!("{} pixels for a {rows}×{cols} image", src.len()));
    }
    let (fr, fc) = (footprints(rows, out_rows), footprints(cols, out_cols));
    // Columns first into a rows × out_cols buffer, then rows: separable, as a box filter is.
    let mut tmp = vec![0f32; rows * out_cols];
    for r in 0..rows {
        let line = &src[r * cols..(r + 1) * cols];
        for (c, w) in fc.iter().enumerate() {
            tmp[r * out_cols + c] = w.iter().map(|&(i, wt)| line[i] * wt).sum();
        }
    }
    let mut out = vec![0f32; out_rows * out_cols];
    for (r, w) in fr.iter().enumerate() {
        for c in 0..out_cols {
            out[r * out_cols + c] = w.iter().map(|&(i, wt)| tmp[i * out_cols + c] * wt).sum();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preserves_mean_and_constants() {
        let src: Vec<f32> = (0..28 * 28).map(|i| (i % 17) as f32 / 16.0).collect();
        let out = resize_area(&src, 28, 28, 16, 16).unwrap();
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean(&src) - mean(&out)).abs() < 1e-4);
        let ones = resize_area(&[1.0; 28 * 28], 28, 28, 16, 16).unwrap();
        assert!(ones.iter().all(|&v| (v - 1.0).abs() < 1e-5));
        let up = resize_area(&[1.0, 2.0, 3.0, 4.0], 2, 2, 4, 4).unwrap();
        assert!(resize_area(&[1.0; 3], 2, 2, 4, 4).is_err());
        assert!(resize_area(&[], 0, 2, 4, 4).is_err());
        assert_eq!(&up[..4], &[1.0, 1.0, 2.0, 2.0]);
    }
}
