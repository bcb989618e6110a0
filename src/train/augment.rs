//! Data augmentation for digit images: a random shift of up to ±`shift` pixels on each axis
//! and a random rotation of up to ±`rotate` degrees about the image centre, applied as one
//! affine warp with bilinear interpolation and zero outside the image, then optional Gaussian
//! pixel noise of standard deviation `noise` (clipped to [0, 1]). Every random number comes from
//! the [`Rng`] passed in, so a training run derives each sample's transform from its seed.

use std::fmt;
use std::str::FromStr;

use crate::nn::Rng;

/// The largest shift `--augment` accepts (far beyond any digit's size).
const MAX_SHIFT: usize = 1000;

/// Which random transforms to apply; all zero means none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Augment {
    /// Maximum shift in pixels on each axis (integer shifts, uniform in −shift..=shift).
    pub shift: usize,
    /// Maximum rotation in degrees (uniform in ±rotate).
    pub rotate: f64,
    /// Standard deviation of additive Gaussian pixel noise.
    pub noise: f64,
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        shift: 0,
        rotate: 0.0,
        noise: 0.0,
    };

    /// What `--augment` means without a value: shifts of ±2 pixels and rotations of ±10°.
    pub const DEFAULT: Augment = Augment {
        shift: 2,
        rotate: 10.0,
        noise: 0.0,
    };

    /// Whether any transform is on.
    pub fn is_active(&self) -> bool {
        self.shift > 0 || self.rotate > 0.0 || self.noise > 0.0
    }

    /// `pixels` (rows×cols, row-major) transformed by random draws from `rng`.
    ///
    /// ```
    /// use convkit::nn::Rng;
    /// use convkit::train::Augment;
    ///
    /// let mut img = vec![0f32; 25];
    /// img[12] = 1.0; // the centre pixel of a 5×5 image
    /// let a = Augment { shift: 1, rotate: 0.0, noise: 0.0 };
    /// let out = a.apply(&img, 5, 5, &mut Rng::new(3));
    /// // An integer shift moves the dot without blurring it.
    /// assert_eq!(out.iter().filter(|&&v| v == 1.0).count(), 1);
    /// ```
    pub fn apply(&self, pixels: &[f32], rows: usize, cols: usize, rng: &mut Rng) -> Vec<f32> {
        let dy = self.draw_shift(rng);
        let dx = self.draw_shift(rng);
        let angle = if self.rotate > 0.0 {
            rng.uniform(-self.rotate, self.rotate).to_radians()
        } else {
            0.0
        };
        let mut out = warp(pixels, rows, cols, angle, dy, dx);
        if self.noise > 0.0 {
            for v in &mut out {
                *v = (*v + (self.noise * rng.normal()) as f32).clamp(0.0, 1.0);
            }
        }
        out
    }

    fn draw_shift(&self, rng: &mut Rng) -> f64 {
        if self.shift == 0 {
            return 0.0;
        }
        let s = self.shift.min(MAX_SHIFT);
        rng.below(2 * s + 1) as f64 - s as f64
    }
}

/// Output pixel (r, c) samples the input at the inverse rotation of (r − dy, c − dx) about the
/// centre; bilinear between the four neighbours, zero outside.
fn warp(src: &[f32], rows: usize, cols: usize, angle: f64, dy: f64, dx: f64) -> Vec<f32> {
    let (cy, cx) = ((rows as f64 - 1.0) / 2.0, (cols as f64 - 1.0) / 2.0);
    let (sin, cos) = angle.sin_cos();
    let at = |r: isize, c: isize| -> f64 {
        if r < 0 || c < 0 || r >= rows as isize || c >= cols as isize {
            0.0
        } else {
            src[r as usize * cols + c as usize] as f64
        }
    };
    let mut out = vec![0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            let (y, x) = (r as f64 - dy - cy, c as f64 - dx - cx);
            let sy = cos * y + sin * x + cy;
            let sx = -sin * y + cos * x + cx;
            let (y0, x0) = (sy.floor(), sx.floor());
            let (fy, fx) = (sy - y0, sx - x0);
            let (y0, x0) = (y0 as isize, x0 as isize);
            let v = (1.0 - fy) * ((1.0 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
                + fy * ((1.0 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
            out[r * cols + c] = v as f32;
        }
    }
    out
}

impl FromStr for Augment {
    type Err = String;

    /// `default` (shift 2, rotate 10), `none`, or `shift=N,rotate=DEG,noise=SIGMA` (any subset).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "default" | "" => return Ok(Augment::DEFAULT),
            "none" => return Ok(Augment::NONE),
            _ => {}
        }
        let mut a = Augment::NONE;
        for part in s.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("augmentation '{part}': expected KEY=VALUE"))?;
            let bad = || format!("augmentation '{part}': bad value");
            match key.trim() {
                "shift" => a.shift = value.trim().parse().map_err(|_| bad())?,
                "rotate" => a.rotate = value.trim().parse().map_err(|_| bad())?,
                "noise" => a.noise = value.trim().parse().map_err(|_| bad())?,
                k => {
                    return Err(format!("unknown augmentation '{k}' (shift, rotate, noise)"));
                }
            }
        }
        if !(a.rotate.is_finite() && a.rotate >= 0.0 && a.noise.is_finite() && a.noise >= 0.0) {
            return Err(format!("augmentation '{s}': values must be ≥ 0"));
        }
        if a.shift > MAX_SHIFT {
            return Err(format!(
                "augmentation '{s}': shift {} is more than {MAX_SHIFT} pixels",
                a.shift
            ));
        }
        Ok(a)
    }
}

impl fmt::Display for Augment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_active() {
            return write!(f, "none");
        }
        write!(
            f,
            "shift={},rotate={},noise={}",
            self.shift, self.rotate, self.noise
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_shift_and_rotation() {
        let img: Vec<f32> = (0..49).map(|i| i as f32 / 48.0).collect();
        assert_eq!(warp(&img, 7, 7, 0.0, 0.0, 0.0), img);
        let shifted = warp(&img, 7, 7, 0.0, 1.0, 2.0);
        assert_eq!(shifted[7 + 2], img[0]);
        assert_eq!(shifted[0], 0.0);
        // A quarter turn about the centre maps the top-left corner to the top-right or
        // bottom-left, exactly (no interpolation at integer positions).
        let quarter = warp(&img, 7, 7, std::f64::consts::FRAC_PI_2, 0.0, 0.0);
        assert!((quarter[6] - img[0]).abs() < 1e-6 || (quarter[42] - img[0]).abs() < 1e-6);
        let mut sorted_a = quarter.clone();
        let mut sorted_b = img.clone();
        sorted_a.sort_by(f32::total_cmp);
        sorted_b.sort_by(f32::total_cmp);
        for (a, b) in sorted_a.iter().zip(&sorted_b) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn parses_and_is_seeded() {
        assert_eq!("default".parse::<Augment>().unwrap(), Augment::DEFAULT);
        let a: Augment = "shift=1,noise=0.1".parse().unwrap();
        assert_eq!(a.to_string().parse::<Augment>().unwrap(), a);
        assert!("zoom=2".parse::<Augment>().is_err());
        let img = vec![0.5f32; 28 * 28];
        let x = Augment::DEFAULT.apply(&img, 28, 28, &mut Rng::new(5));
        let y = Augment::DEFAULT.apply(&img, 28, 28, &mut Rng::new(5));
        assert_eq!(x, y);
        let noisy = a.apply(&img, 28, 28, &mut Rng::new(1));
        assert!(noisy.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(noisy.iter().any(|&v| v != 0.5));
    }
}
