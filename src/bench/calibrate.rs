//! Measuring a [`Calibration`] on this machine (what `convkit calibrate` runs): a few seconds of
//! timings of each algorithm on mid-sized 1-D and 2-D problems, turned into rates by dividing the
//! cost model's work units by the measured time.

use ndarray::{Array1, Array2};

use super::timing::time;
use super::workloads::uniform;
use crate::real::Real;
use crate::signal::auto::Calibration;
use crate::signal::{Algorithm, Conv, Output};

/// Model units per nanosecond of `algorithm` on one problem (rates 1 and no overhead).
fn rate<T: Real>(
    algorithm: Algorithm,
    signal: (usize, usize),
    kernel: (usize, usize),
    budget_s: f64,
) -> f64 {
    let one_d = signal.0 == 1 && kernel.0 == 1;
    let conv = Conv::convolve().output(Output::Same).algorithm(algorithm);
    let (rows, cols) = conv
        .geometry(signal, kernel, one_d)
        .expect("calibration shapes are valid");
    let unit = Calibration {
        direct_f32: 1.0,
        direct_f64: 1.0,
        fft_f32: 1.0,
        fft_f64: 1.0,
        fft_overhead_ns: 0.0,
        threads: 1,
    };
    let (direct, fft, _) = unit.estimate::<T>(&rows, &cols, false);
    let units = if algorithm == Algorithm::Direct {
        direct
    } else {
        fft
    };
    let cast = |v: Vec<f64>| v.into_iter().map(T::from_f64_lossy).collect::<Vec<T>>();
    let x =
        Array2::from_shape_vec(signal, cast(uniform(signal.0 * signal.1, 5))).expect("sizes match");
    let h =
        Array2::from_shape_vec(kernel, cast(uniform(kernel.0 * kernel.1, 6))).expect("sizes match");
    let seconds = if one_d {
        let (x, h) = (
            Array1::from(x.into_raw_vec_and_offset().0),
            Array1::from(h.into_raw_vec_and_offset().0),
        );
        time(budget_s, || drop(conv.apply(&x, &h))).median_s
    } else {
        time(budget_s, || drop(conv.apply(&x, &h))).median_s
    };
    units / (seconds * 1e9)
}

/// Measures every constant of the cost model; `progress` hears each step's name.
pub fn measure(mut progress: impl FnMut(&str)) -> Calibration {
    let budget = 0.25;
    let mean = |a: f64, b: f64| 0.5 * (a + b);
    // The direct rate differs between long 1-D rows and short 2-D rows; the slower one keeps
    // Auto from trusting the direct sum where a transform is cheaper (measured W2 losses of 1.7×).
    let slower = |a: f64, b: f64| a.min(b);
    // Kernels that are not rank 1 (uniform noise), so the direct rate is the plain 2-D sum.
    let mut step = |name: &str| progress(name);
    step("direct f32");
    let direct_f32 = slower(
        rate::<f32>(Algorithm::Direct, (1, 1 << 18), (1, 64), budget),
        rate::<f32>(Algorithm::Direct, (512, 512), (9, 9), budget),
    );
    step("direct f64");
    let direct_f64 = slower(
        rate::<f64>(Algorithm::Direct, (1, 1 << 18), (1, 64), budget),
        rate::<f64>(Algorithm::Direct, (512, 512), (9, 9), budget),
    );
    step("fft f32");
    let fft_f32 = mean(
        rate::<f32>(Algorithm::Fft, (1, 1 << 18), (1, 1024), budget),
        rate::<f32>(Algorithm::Fft, (512, 512), (31, 31), budget),
    );
    step("fft f64");
    let fft_f64 = mean(
        rate::<f64>(Algorithm::Fft, (1, 1 << 18), (1, 1024), budget),
        rate::<f64>(Algorithm::Fft, (512, 512), (31, 31), budget),
    );
    step("fft overhead");
    // A tiny transform is nearly all fixed cost: time minus its modelled work.
    let tiny = rate::<f64>(Algorithm::Fft, (1, 64), (1, 8), budget);
    let conv = Conv::convolve().output(Output::Same);
    let (rows, cols) = conv.geometry((1, 64), (1, 8), true).expect("valid shapes");
    let unit = Calibration {
        direct_f32: 1.0,
        direct_f64: 1.0,
        fft_f32: 1.0,
        fft_f64: 1.0,
        fft_overhead_ns: 0.0,
        threads: 1,
    };
    let units = unit.estimate::<f64>(&rows, &cols, false).1;
    let fft_overhead_ns = (units / tiny - units / fft_f64).max(1_000.0);
    Calibration {
        direct_f32,
        direct_f64,
        fft_f32,
        fft_f64,
        fft_overhead_ns,
        threads: rayon::current_num_threads(),
    }
}
