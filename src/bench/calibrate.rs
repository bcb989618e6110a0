//! Measuring a [`Calibration`] on this machine (what `convkit calibrate` runs): a few seconds of
//! timings of each algorithm on mid-sized 1-D and 2-D problems, turned into rates by dividing the
//! cost model's work units by the measured time.

use ndarray::{Array1, Array2};

use super::timing::{time, time_steady};
use super::workloads::uniform;
use crate::real::Real;
use crate::signal::auto::Calibration;
use crate::signal::fft::transform_size;
use crate::signal::geometry::AxisGeometry;
use crate::signal::parallel::with_threshold;
use crate::signal::{Algorithm, Conv, Output, Padding};

/// Rates of 1 and no overhead: the cost model's estimates in its own work units.
const UNIT: Calibration = Calibration {
    direct_f32: 1.0,
    direct_f64: 1.0,
    direct_2d_f32: 1.0,
    direct_2d_f64: 1.0,
    fft_f32: 1.0,
    fft_f64: 1.0,
    fft_2d_f32: 1.0,
    fft_2d_f64: 1.0,
    overlap_add_f32: 1.0,
    overlap_add_f64: 1.0,
    overlap_add_2d_f32: 1.0,
    overlap_add_2d_f64: 1.0,
    fft_overhead_ns: 0.0,
    threads: 1,
    parallel_work: 0.0,
    parallel_work_2d: 0.0,
    parallel_fft: 0.0,
};

/// Steps that [`measure`] reports to its `progress` callback.
pub const STEPS: u64 = 8;

/// Model units per nanosecond of `algorithm` on one problem (rates 1), after the modelled
/// fixed cost for `overhead_ns` is taken off the measured time.
fn rate<T: Real>(
    algorithm: Algorithm,
    signal: (usize, usize),
    kernel: (usize, usize),
    overhead_ns: f64,
    budget_s: f64,
) -> f64 {
    let one_d = signal.0 == 1 && kernel.0 == 1;
    let conv = Conv::convolve().output(Output::Same).algorithm(algorithm);
    let (rows, cols) = conv
        .geometry(signal, kernel, one_d)
        .expect("calibration shapes are valid");
    let pick = |(direct, fft, overlap_add): (f64, f64, f64)| match algorithm {
        Algorithm::Fft => fft,
        Algorithm::OverlapAdd => overlap_add,
        _ => direct,
    };
    let units = pick(UNIT.estimate::<T>(&rows, &cols, false, Padding::Zero));
    let with_overhead = Calibration {
        fft_overhead_ns: overhead_ns,
        ..UNIT
    };
    let fixed_ns = pick(with_overhead.estimate::<T>(&rows, &cols, false, Padding::Zero)) - units;
    let (x, h) = (noise::<T>(signal, 5), noise::<T>(kernel, 6));
    // The best of three medians, as a machine's speed drifts: on a VM a whole 256² transform
    // ran at half speed for a while after the second core had been idle (0.8 against 0.4 ms).
    // Spells longer than the three medians still move the rate (docs/benchmarks.md).
    let best_of_three = |mut run: Box<dyn FnMut() + '_>| {
        (0..3)
            .map(|_| time(budget_s, &mut run).median_s)
            .fold(f64::INFINITY, f64::min)
    };
    let seconds = if one_d {
        let (x, h) = (
            Array1::from(x.into_raw_vec_and_offset().0),
            Array1::from(h.into_raw_vec_and_offset().0),
        );
        best_of_three(Box::new(move || drop(conv.apply(&x, &h))))
    } else {
        best_of_three(Box::new(|| drop(conv.apply(&x, &h))))
    };
    // A fixed cost larger than the time measured would make the rate negative: at least 10% of
    // the time is taken as the work's.
    units / (seconds * 1e9 - fixed_ns).max(seconds * 1e8)
}

/// A plane of uniform noise (not of rank 1), the same for the same seed.
fn noise<T: Real>(shape: (usize, usize), seed: u64) -> Array2<T> {
    let samples = uniform(shape.0 * shape.1, seed);
    Array2::from_shape_vec(shape, samples.into_iter().map(T::from_f64_lossy).collect())
        .expect("one sample per element")
}

/// `count` sizes from `from` up by factors of √2.
fn ladder(from: f64, count: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |i| (from * 2f64.powf(i as f64 / 2.0)) as usize)
}

/// Timed problems with their sizes, for [`crossover`].
type Ladder<'a> = Vec<(f64, Box<dyn FnMut() + 'a>)>;

/// f32 'same' convolutions by `conv` of `side`² planes with a `k × k` kernel, for `side` in
/// `sides`, each with its size in the units `size` gives for its geometry.
fn plane_ladder(
    conv: Conv,
    sides: impl Iterator<Item = usize>,
    k: usize,
    size: impl Fn(&AxisGeometry, &AxisGeometry) -> f64,
) -> Ladder<'static> {
    sides
        .map(|side| {
            let (x, h) = (noise::<f32>((side, side), 5), noise::<f32>((k, k), 6));
            let (rows, cols) = conv
                .geometry((side, side), (k, k), false)
                .expect("calibration shapes are valid");
            let run = move || drop(conv.apply(&x, &h));
            (size(&rows, &cols), Box::new(run) as Box<dyn FnMut()>)
        })
        .collect()
}

/// Measures every constant of the cost model; `progress` hears each step's name.
pub fn measure(mut progress: impl FnMut(&str)) -> Calibration {
    let budget = 0.1;
    // 1-D and 2-D problems are measured apart: a plane's short rows and column passes run at
    // other rates than a long signal. Kernels are not rank 1 (uniform noise), so the 2-D direct
    // rate is the plain sum; its 15 × 15 kernel and the 256² transform sit where W2's choices
    // are close (a 512² plane with a 9 × 9 kernel made Auto miss the direct sum at K = 11-15).
    let ((x1, h1), (x2, h2)) = (((1, 1 << 18), (1, 64)), ((512, 512), (15, 15)));
    let ((y1, g1), (y2, g2)) = (((1, 1 << 18), (1, 1024)), ((256, 256), (31, 31)));
    let mut step = |name: &str| progress(name);
    step("direct f32");
    let direct_f32 = rate::<f32>(Algorithm::Direct, x1, h1, 0.0, budget);
    let direct_2d_f32 = rate::<f32>(Algorithm::Direct, x2, h2, 0.0, budget);
    step("direct f64");
    let direct_f64 = rate::<f64>(Algorithm::Direct, x1, h1, 0.0, budget);
    let direct_2d_f64 = rate::<f64>(Algorithm::Direct, x2, h2, 0.0, budget);
    step("fft f32");
    let fft_f32 = rate::<f32>(Algorithm::Fft, y1, g1, 0.0, budget);
    let fft_2d_f32 = rate::<f32>(Algorithm::Fft, y2, g2, 0.0, budget);
    step("fft f64");
    let fft_f64 = rate::<f64>(Algorithm::Fft, y1, g1, 0.0, budget);
    let fft_2d_f64 = rate::<f64>(Algorithm::Fft, y2, g2, 0.0, budget);
    step("fft overhead");
    // A tiny transform is nearly all fixed cost: time minus its modelled work.
    let tiny = rate::<f64>(Algorithm::Fft, (1, 64), (1, 8), 0.0, budget);
    let conv = Conv::convolve().output(Output::Same);
    let (rows, cols) = conv.geometry((1, 64), (1, 8), true).expect("valid shapes");
    let units = UNIT.estimate::<f64>(&rows, &cols, false, Padding::Zero).1;
    let fft_overhead_ns = (units / tiny - units / fft_f64).max(1_000.0);
    // Overlap-add where Auto weighs it against the alternatives: a long signal with a kernel
    // of a few hundred taps (out of cache, where its blocks fell furthest behind the model),
    // and a 256² plane with a 21 × 21 kernel, where direct, FFT and overlap-add lie within
    // 20 % of each other. Its 36 small blocks gain less from a second thread than the 100 of
    // a 1024² plane (0.43 → 0.39 ms against 5.7 → 4.0 ms), so a rate measured there put
    // overlap-add ahead at 256² where it was 15–20 % behind; at 1024² the rate is now
    // conservative, where overlap-add leads by more.
    let ((z1, k1), (z2, k2)) = (((1, 1 << 20), (1, 256)), ((256, 256), (21, 21)));
    let overhead = fft_overhead_ns;
    step("overlap-add f32");
    let overlap_add_f32 = rate::<f32>(Algorithm::OverlapAdd, z1, k1, overhead, budget);
    let overlap_add_2d_f32 = rate::<f32>(Algorithm::OverlapAdd, z2, k2, overhead, budget);
    step("overlap-add f64");
    let overlap_add_f64 = rate::<f64>(Algorithm::OverlapAdd, z1, k1, overhead, budget);
    let overlap_add_2d_f64 = rate::<f64>(Algorithm::OverlapAdd, z2, k2, overhead, budget);
    step("parallel thresholds");
    let (parallel_work, parallel_work_2d, parallel_fft) = parallel_thresholds();
    Calibration {
        direct_f32,
        direct_f64,
        direct_2d_f32,
        direct_2d_f64,
        fft_f32,
        fft_f64,
        fft_2d_f32,
        fft_2d_f64,
        overlap_add_f32,
        overlap_add_f64,
        overlap_add_2d_f32,
        overlap_add_2d_f64,
        fft_overhead_ns,
        threads: rayon::current_num_threads(),
        parallel_work,
        parallel_work_2d,
        parallel_fft,
    }
}

/// The multiply-adds from which splitting the direct sum over rayon's pool pays, on 1-D
/// signals (f64, 16 taps, 4096 samples up by factors of √2) and on planes (f32, 3 × 3, 64² up):
/// rows and column chunks split differently, and a plane's short rows cost more per output.
/// Then the spectrum values from which splitting a transform pass pays (whole-plane FFTs of f32
/// planes, 15 × 15 kernel, 128² up by √2 to 1024²).
fn parallel_thresholds() -> (f64, f64, f64) {
    if rayon::current_num_threads() == 1 {
        let defaults = Calibration::default();
        return (
            defaults.parallel_work,
            defaults.parallel_work_2d,
            defaults.parallel_fft,
        );
    }
    let conv = Conv::convolve().algorithm(Algorithm::Direct);
    let signals = ladder(4096.0, 15).map(|len| {
        let (x, h) = (Array1::from(uniform(len, 5)), Array1::from(uniform(16, 6)));
        let run = move || drop(conv.apply(&x, &h));
        (16.0 * len as f64, Box::new(run) as Box<dyn FnMut()>)
    });
    let one_d = crossover(signals.collect());
    let conv = conv.output(Output::Same);
    // Multiply-adds of the 3 × 3 direct sum; spectrum values of the transform.
    let macs = |rows: &AxisGeometry, cols: &AxisGeometry| (rows.out_len * cols.out_len * 9) as f64;
    let plane_direct = crossover(plane_ladder(conv, ladder(64.0, 9), 3, macs));
    let values = |rows: &AxisGeometry, cols: &AxisGeometry| {
        let (l0, l1) = transform_size(rows, cols, Padding::Zero);
        (l0 * (l1 / 2 + 1)) as f64
    };
    let fft = conv.algorithm(Algorithm::Fft);
    let transforms = crossover(plane_ladder(fft, ladder(128.0, 7), 15, values));
    (one_d, plane_direct, transforms)
}

/// The threshold for one ladder of (multiply-adds, problem) in increasing size: each problem
/// is timed on the calling thread and split (interleaved, best of three medians of a steady
/// loop, as a machine's speed drifts), and the threshold is the size from which splitting
/// gives the least total time over the ladder (one noisy size does not move it far). Twice the
/// largest size if the ladder was fastest on one thread throughout.
fn crossover(mut ladder: Ladder<'_>) -> f64 {
    let mut best = vec![[f64::INFINITY; 2]; ladder.len()];
    for _ in 0..3 {
        for ((_, run), best) in ladder.iter_mut().zip(&mut best) {
            for (slot, threshold) in [f64::INFINITY, 0.0].into_iter().enumerate() {
                let median = with_threshold(threshold, || time_steady(0.03, &mut *run).median_s);
                best[slot] = best[slot].min(median);
            }
        }
    }
    let total = |from: usize| -> f64 {
        let serial: f64 = best[..from].iter().map(|b| b[0]).sum();
        serial + best[from..].iter().map(|b| b[1]).sum::<f64>()
    };
    let from = (0..=ladder.len())
        .min_by(|&a, &b| total(a).total_cmp(&total(b)))
        .unwrap_or(ladder.len());
    ladder
        .get(from)
        .map_or(2.0 * ladder[ladder.len() - 1].0, |(work, _)| *work)
}
