//! 1-D filtering: a noisy chirp smoothed by a moving average and by a Gaussian of similar width.
//!
//! ```sh
//! cargo run --release --example chirp_smoothing   # writes chirp_smoothing.png
//! ```
//!
//! The chirp's frequency rises from 0.002 to 0.1 cycles per sample over 600 samples; seeded
//! noise (σ = 0.3) is added. A 15-tap moving average and a Gaussian (σ = 3, 19 taps) both
//! remove the noise. Their frequency responses differ: the moving average's falls to zero at
//! 1/15 cycles per sample (n ≈ 395) and then lets the chirp back through a sidelobe *with its
//! sign flipped*; the Gaussian's, exp(-2π²σ²f²), has no zeros and fades the chirp smoothly.

use convkit::plot::{LineChart, Series};
use convkit::signal::{Conv, Output, Padding};
use ndarray::Array1;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = 600;
    let (f0, f1) = (0.002, 0.1);
    let clean = Array1::from_shape_fn(n, |i| {
        let t = i as f64;
        // Phase of a linear chirp: 2π (f0 t + (f1 - f0) t² / 2n).
        (std::f64::consts::TAU * (f0 * t + (f1 - f0) * t * t / (2.0 * n as f64))).sin()
    });
    let mut rng = SplitMix(7);
    let noisy = clean.mapv(|v| v + 0.3 * rng.gaussian());

    let moving_average = Array1::from_elem(15, 1.0 / 15.0);
    let sigma = 3.0f64;
    let gauss = Array1::from_shape_fn(19, |i| {
        (-((i as f64 - 9.0).powi(2)) / (2.0 * sigma * sigma)).exp()
    });
    let gauss = &gauss / gauss.sum();

    // Same-size output with mirrored ends, so the smoothed signals line up with the input.
    let smooth = Conv::convolve()
        .output(Output::Same)
        .padding(Padding::Reflect);
    let averaged = smooth.apply(&noisy, &moving_average)?;
    let gaussian = smooth.apply(&noisy, &gauss)?;

    let points = |y: &Array1<f64>| y.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect();
    let chart = LineChart {
        title: "A noisy chirp, smoothed (true convolution, reflect padding)".into(),
        x_label: "n (samples)".into(),
        y_label: "amplitude".into(),
        series: vec![
            Series {
                label: "noisy chirp".into(),
                points: points(&noisy),
            },
            Series {
                label: "clean chirp".into(),
                points: points(&clean),
            },
            Series {
                label: "moving average, 15 taps".into(),
                points: points(&averaged),
            },
            Series {
                label: "Gaussian, σ = 3 (19 taps)".into(),
                points: points(&gaussian),
            },
        ],
        size: (1000, 420),
    };
    chart.save_png("chirp_smoothing.png")?;
    let rms = |y: &Array1<f64>| ((y - &clean).mapv(|v| v * v).mean().unwrap_or(0.0)).sqrt();
    println!(
        "rms error vs the clean chirp: noisy {:.3}, moving average {:.3}, Gaussian {:.3}",
        rms(&noisy),
        rms(&averaged),
        rms(&gaussian)
    );
    println!("wrote chirp_smoothing.png");
    Ok(())
}

/// A tiny seeded generator (splitmix64 + Box–Muller), so the figure is the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 + 1e-12
    }

    fn gaussian(&mut self) -> f64 {
        let (a, b) = (self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
}
