//! A built-in test picture generated in code, so every command and example runs with no files.
//!
//! [`standard`] is 256×256 gray, in four quadrants, each showing what some kernel reacts to:
//!
//! ```text
//! +----------------------+----------------------+
//! | thin lines (1-2 px): | sharp-edged shapes:  |
//! | horizontal, vertical,| bright square, dark  |
//! | diagonal, reaching   | disk, a triangle     |
//! | the image border     |                      |
//! +----------------------+----------------------+
//! | fine texture: 2-px   | smooth gradient with |
//! | checkerboard and a   | a soft ring (no      |
//! | grating whose period | edges: a Laplacian   |
//! | shrinks to 2 px      | should stay ~0 here) |
//! +----------------------+----------------------+
//! ```
//!
//! over a background ramp (so every border differs from the opposite one, which is what
//! makes `circular` padding visible). The smooth quadrant carries seeded Gaussian noise
//! (σ = 0.02: blurs remove it, Laplacians amplify it), the same on every machine and run; the
//! other quadrants are noise-free so their edges stay crisp (and the figures small).

use ndarray::Array2;

use super::Image;

/// The standard test image: 256×256, seed 5.
///
/// ```
/// let img = convkit::image::test_image::standard();
/// assert_eq!((img.height(), img.width()), (256, 256));
/// assert!(img.planes()[0].iter().all(|&v| (0.0..=1.0).contains(&v)));
/// ```
pub fn standard() -> Image {
    generate(256, 5)
}

/// The test image at `size`×`size` pixels (features scale with the size), noise from `seed`.
pub fn generate(size: usize, seed: u64) -> Image {
    let n = size.max(1) as f64;
    let half = n / 2.0;
    let mut noise = Noise::new(seed);
    let plane = Array2::from_shape_fn((size, size), |(r, c)| {
        let (y, x) = (r as f64 + 0.5, c as f64 + 0.5);
        // Background ramp: darker at the top-left, lighter at the bottom-right.
        let v = 0.3 + 0.25 * (x / n) + 0.15 * (y / n);
        let (u, w) = ((x % half) / half, (y % half) / half); // position inside the quadrant
        let v = match (y < half, x < half) {
            (true, true) => lines(r, c, size, v),
            (true, false) => shapes(u, w, v),
            (false, true) => texture(r, c, u, w, v),
            (false, false) => smooth(u, w) + 0.02 * noise.gaussian(),
        };
        v.clamp(0.0, 1.0) as f32
    });
    Image::gray(plane)
}

/// Thin lines in the top-left quadrant, reaching the top and left borders.
fn lines(r: usize, c: usize, size: usize, v: f64) -> f64 {
    let s = |k: usize| k * size / 256;
    let on_row = |row: usize, width: usize| r >= s(row) && r < s(row) + width.max(1);
    let on_col = |col: usize, width: usize| c >= s(col) && c < s(col) + width.max(1);
    if on_row(12, 1) || on_row(40, 2) || on_col(8, 1) || on_col(36, 2) {
        0.95
    } else if on_row(70, 1) || on_col(70, 1) || r.abs_diff(c) == 0 && r > s(80) {
        0.05
    } else if c + r == s(100) || c + r == s(101) {
        0.9
    } else {
        v
    }
}

/// A bright square, a dark disk and a mid-gray triangle (u, w in [0, 1) inside the quadrant).
fn shapes(u: f64, w: f64, v: f64) -> f64 {
    if (0.12..0.48).contains(&u) && (0.12..0.48).contains(&w) {
        0.95
    } else if (u - 0.7).hypot(w - 0.68) < 0.2 {
        0.05
    } else if w > 0.6 && w < 0.92 && (u - 0.28).abs() < (w - 0.6) * 0.7 {
        0.6
    } else {
        v
    }
}

/// A 2-px checkerboard (top half of the quadrant) and a grating whose period shrinks to 2 px.
fn texture(r: usize, c: usize, u: f64, w: f64, v: f64) -> f64 {
    if (0.08..0.42).contains(&w) && (0.08..0.92).contains(&u) {
        if (r / 2 + c / 2).is_multiple_of(2) {
            0.85
        } else {
            0.15
        }
    } else if (0.55..0.92).contains(&w) && (0.04..0.96).contains(&u) {
        // Frequency rising linearly from 1/16 to 1/2 cycles per pixel across the quadrant.
        let phase =
            std::f64::consts::TAU * (c as f64) * (1.0 / 16.0 + u * (0.5 - 1.0 / 16.0)) / 2.0;
        0.5 + 0.4 * phase.cos()
    } else {
        v
    }
}

/// A smooth diagonal gradient with a soft bright ring.
fn smooth(u: f64, w: f64) -> f64 {
    let ring = (-(((u - 0.5).hypot(w - 0.5) - 0.28) / 0.08).powi(2)).exp();
    0.2 + 0.5 * (u + w) / 2.0 + 0.25 * ring
}

/// splitmix64 with Box–Muller: a tiny seeded generator, identical on every platform.
struct Noise {
    state: u64,
}

impl Noise {
    fn new(seed: u64) -> Self {
        Noise { state: seed }
    }

    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64 // in (0, 1)
    }

    fn gaussian(&mut self) -> f64 {
        let (a, b) = (self.next_unit(), self.next_unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
}
