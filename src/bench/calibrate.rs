//! Measuring a [`Calibration`] on this machine (what `convkit calibrate` runs): a few seconds of
//! timings of each algorithm on mid-sized 1-D and 2-D problems, turned into rates by dividing the
//! cost model's work units by the measured time.

use ndarray::{Array1, Array2};

use super::timing::time;
use super::workloads::uniform;
use crate::real::Real;
use crate::signal::auto::Calibration;
use crate::signal::{Algorithm, Conv, Output, Padding};

/// Rates of 1 and no overhead: the cost model's estimates in its own work units.
const UNIT: Calibration = Calibration {
    direct_f32: 1.0,
    direct_f64: 1.0,
    fft_f32: 1.0,
    fft_f64: 1.0,
    fft_overhead_ns: 0.0,
    threads: 1,
};

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
    let (direct, fft, _) = UNIT.estimate::<T>(&rows, &cols, false, Padding::Zero);
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

type Shape = (usize, usize);

/// The rates of `algorithm` on a 1-D and a 2-D problem, combined by `combine`.
fn both<T: Real>(
    algorithm: Algorithm,
    problems: [(Shape, Shape); 2],
    budget: f64,
    combine: fn(f64, f64) -> f64,
) -> f64 {
    let [(x1, h1), (x2, h2)] = problems;
    combine(
        rate::<T>(algorithm, x1, h1, budget),
        rate::<T>(algorithm, x2, h2, budget),
    )
}

/// Measures every constant of the cost model; `progress` hears each step's name.
pub fn measure(mut progress: impl FnMut(&str)) -> Calibration {
    let budget = 0.25;
    let mean: fn(f64, f64) -> f64 = |a, b| 0.5 * (a + b);
    // The direct rate differs between long 1-D rows and short 2-D rows; the slower one keeps
    // Auto from trusting the direct sum where a transform is cheaper (measured W2 losses of 1.7×).
    let slower: fn(f64, f64) -> f64 = f64::min;
    // Kernels that are not rank 1 (uniform noise), so the direct rate is the plain 2-D sum.
    // (1-D, 2-D) problems per algorithm: (signal shape, kernel shape).
    let direct_problems = [((1, 1 << 18), (1, 64)), ((512, 512), (9, 9))];
    let fft_problems = [((1, 1 << 18), (1, 1024)), ((512, 512), (31, 31))];
    let mut step = |name: &str| progress(name);
    step("direct f32");
    let direct_f32 = both::<f32>(Algorithm::Direct, direct_problems, budget, slower);
    step("direct f64");
    let direct_f64 = both::<f64>(Algorithm::Direct, direct_problems, budget, slower);
    step("fft f32");
    let fft_f32 = both::<f32>(Algorithm::Fft, fft_problems, budget, mean);
    step("fft f64");
    let fft_f64 = both::<f64>(Algorithm::Fft, fft_problems, budget, mean);
    step("fft overhead");
    // A tiny transform is nearly all fixed cost: time minus its modelled work.
    let tiny = rate::<f64>(Algorithm::Fft, (1, 64), (1, 8), budget);
    let conv = Conv::convolve().output(Output::Same);
    let (rows, cols) = conv.geometry((1, 64), (1, 8), true).expect("valid shapes");
    let units = UNIT.estimate::<f64>(&rows, &cols, false, Padding::Zero).1;
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
