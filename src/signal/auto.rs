//! `Algorithm::Auto`: picks direct, FFT or overlap-add per problem from a cost model whose
//! constants are measured, not guessed.
//!
//! Estimated time of each algorithm, from the resolved geometry (N padded lengths P0 × P1,
//! output H × W, kernel K0 × K1, L a fast transform size):
//!
//! * direct: H·W·K0·K1 multiply-adds (N0·W·K1 + H·W·K0 for a rank-1 kernel) / `direct_rate`
//!   (measured apart for 1-D signals and 2-D planes, split over all of rayon's threads); a sum
//!   below the calibration's parallel threshold runs on one thread, at 1/threads of the rate;
//! * FFT: three transforms of L0·L1 points, 3·(L0·w(L1) + L1·w(L0)) / `fft_rate`, +
//!   `fft_overhead`, where w(L) counts radix passes (L·log2(L) for a power of two; more for
//!   factors 5 and 7, see [`fast_len`](super::fft::fast_len))
//!   (`fft_rate` measured apart for 1-D signals and 2-D planes);
//! * overlap-add: two transforms per block of Lb points (plus the kernel's once) /
//!   `overlap_add_rate`, + `fft_overhead` once + `fft_overhead`/6 per block. Its rate is
//!   measured apart from the whole transform's (1-D and 2-D, per type): blocks also pay for
//!   their spectrum products, their scattered writes into the output and their tasks, which ran
//!   1.2-2× the whole-transform rate's estimate (docs/benchmarks.md).
//!
//! When the direct estimate is below `fft_overhead` (the least any transform costs), Auto takes
//! the direct sum without estimating the transforms: that estimate (block lengths to try) would
//! itself cost microseconds, more than small problems take.
//!
//! The rates come from a [`Calibration`]: measured defaults for this project's reference machine
//! class (docs/benchmarks.md), or the file that `convkit calibrate` writes on the user's machine
//! (`CONVKIT_CALIBRATION`, else `$XDG_CONFIG_HOME/convkit/calibration.toml`, else
//! `~/.config/convkit/calibration.toml`), read once per process. A missing file means the
//! defaults; a corrupt one means the defaults and one warning on stderr, never an error. The
//! calibration holds the thread count it was measured with; rates are used as measured. It also
//! holds the problem sizes from which the direct sum is split over rayon's threads
//! ([`Calibration::parallel_work`], [`Calibration::parallel_work_2d`]) and a transform pass
//! ([`Calibration::parallel_fft`]), since where waking
//! them pays differs between machines.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::fft::{transform_size, transform_work};
use super::geometry::AxisGeometry;
use super::overlap_add::block_len;
use super::parallel::{self, Work};
use super::{Algorithm, Padding};
use crate::real::Real;

/// Measured speeds of the algorithms on one machine, per sample type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Direct multiply-adds per nanosecond on 1-D signals, f32.
    pub direct_f32: f64,
    /// Direct multiply-adds per nanosecond on 1-D signals, f64.
    pub direct_f64: f64,
    /// Direct multiply-adds per nanosecond on 2-D planes, f32.
    pub direct_2d_f32: f64,
    /// The same for f64.
    pub direct_2d_f64: f64,
    /// Transform work ([`transform_work`]) per nanosecond on 1-D
    /// signals, f32.
    pub fft_f32: f64,
    /// Transform work ([`transform_work`]) per nanosecond on 1-D
    /// signals, f64.
    pub fft_f64: f64,
    /// Transform work ([`transform_work`]) per nanosecond on 2-D
    /// planes (row and column passes, their transposes), f32.
    pub fft_2d_f32: f64,
    /// The same for f64.
    pub fft_2d_f64: f64,
    /// Transform work per nanosecond inside overlap-add blocks on 1-D signals, f32.
    pub overlap_add_f32: f64,
    /// The same for f64.
    pub overlap_add_f64: f64,
    /// Transform work per nanosecond inside overlap-add blocks on 2-D planes, f32.
    pub overlap_add_2d_f32: f64,
    /// The same for f64.
    pub overlap_add_2d_f64: f64,
    /// Fixed cost of one transformed block (planning lookup, allocation), nanoseconds.
    pub fft_overhead_ns: f64,
    /// Threads the measurement ran with.
    pub threads: usize,
    /// Multiply-adds from which the direct sum over a 1-D signal is split over rayon's threads:
    /// below it, waking them costs more than they save (`convkit calibrate` times both sides).
    pub parallel_work: f64,
    /// The same for 2-D planes.
    pub parallel_work_2d: f64,
    /// Spectrum values (rows × bins of a 2-D spectrum, bins of a 1-D one) from which a pass of
    /// row or column transforms, and the product of two spectra, is split over rayon's threads.
    pub parallel_fft: f64,
}

/// Real planes larger than this many bytes are transformed at memory speed.
const OUT_OF_CACHE_BYTES: f64 = 512.0 * 1024.0;
/// How much slower than the n log n model such a whole-plane transform runs (fitted to the
/// W1 N = 1e5 timings; overlap-add's blocks stay in cache and need no such term).
const OUT_OF_CACHE_FACTOR: f64 = 1.5;

impl Default for Calibration {
    /// Measured with `convkit calibrate` on this project's reference machine class (Intel Xeon
    /// VM, 2 cores, AVX-512, 2 threads; docs/benchmarks.md): medians of three runs (the direct
    /// sum's parallel thresholds from an earlier three, see their constants).
    fn default() -> Self {
        Calibration {
            direct_f32: 77.4,
            direct_f64: 37.8,
            direct_2d_f32: 90.9,
            direct_2d_f64: 15.0,
            fft_f32: 12.6,
            fft_f64: 6.3,
            fft_2d_f32: 13.5,
            fft_2d_f64: 11.6,
            overlap_add_f32: 9.0,
            overlap_add_f64: 5.6,
            overlap_add_2d_f32: 10.2,
            overlap_add_2d_f64: 7.0,
            fft_overhead_ns: 1_000.0,
            threads: 2,
            parallel_work: DEFAULT_PARALLEL_WORK,
            parallel_work_2d: DEFAULT_PARALLEL_WORK_2D,
            parallel_fft: DEFAULT_PARALLEL_FFT,
        }
    }
}

/// Where the direct sum over a 1-D signal goes parallel without a calibration file: the median
/// of three `convkit calibrate` runs on an Intel Xeon VM (2 cores; 2.6·10⁵, 7.4·10⁵, 1.0·10⁶
/// multiply-adds). Waking rayon's workers costs 10–40 µs on the machines measured, more on a
/// VM whose second core has been idle.
const DEFAULT_PARALLEL_WORK: f64 = 741_440.0;
/// The same for planes (five of six runs there: 2.4·10⁶, a 3×3 filter of a 512² image; a 362²
/// image ran 62 µs on one thread, 72 µs on two). Planes need more work than signals to pay:
/// their short rows cost more per output, on one thread as on two.
const DEFAULT_PARALLEL_WORK_2D: f64 = 2_359_296.0;
/// Where a transform pass goes parallel without a calibration file: the median of the three
/// calibrate runs that measured the defaults (7.4·10⁴, 1.7·10⁵, 7.4·10⁴ spectrum values; the
/// ladder's steps there are 7.4·10⁴ = 384 × 193 and 1.7·10⁵; eleven runs split 5 : 6 between
/// them). Steady loops, median ms, 2 threads against 1: a 256² image with a 31 × 31 kernel
/// (288 × 145 values) 0.39 against 0.33; 362² with 15 × 15 (7.4·10⁴) 0.63–0.67 against
/// 0.68–0.72; 512² with 15 × 15, 1.45–1.52 against 1.58–1.60.
const DEFAULT_PARALLEL_FFT: f64 = 74_112.0;

const KEYS: [&str; 17] = [
    "direct_f32",
    "direct_f64",
    "direct_2d_f32",
    "direct_2d_f64",
    "fft_f32",
    "fft_f64",
    "fft_2d_f32",
    "fft_2d_f64",
    "fft_overhead_ns",
    "threads",
    "overlap_add_f32",
    "overlap_add_f64",
    "overlap_add_2d_f32",
    "overlap_add_2d_f64",
    "parallel_work",
    "parallel_work_2d",
    "parallel_fft",
];

/// Keys that files written before they existed lack: (key, the key whose value stands in).
/// Such a file's overlap-add blocks are estimated at its whole-transform rates, as then.
const LATER_KEYS: [(usize, usize); 4] = [(10, 4), (11, 5), (12, 6), (13, 7)];
/// Keys that older files also lack and that have no stand-in: (key, its default).
const LATER_DEFAULTS: [(usize, f64); 3] = [
    (14, DEFAULT_PARALLEL_WORK),
    (15, DEFAULT_PARALLEL_WORK_2D),
    (16, DEFAULT_PARALLEL_FFT),
];

impl Calibration {
    /// The values in the order of `KEYS`.
    fn values(&self) -> [f64; KEYS.len()] {
        [
            self.direct_f32,
            self.direct_f64,
            self.direct_2d_f32,
            self.direct_2d_f64,
            self.fft_f32,
            self.fft_f64,
            self.fft_2d_f32,
            self.fft_2d_f64,
            self.fft_overhead_ns,
            self.threads as f64,
            self.overlap_add_f32,
            self.overlap_add_f64,
            self.overlap_add_2d_f32,
            self.overlap_add_2d_f64,
            self.parallel_work,
            self.parallel_work_2d,
            self.parallel_fft,
        ]
    }

    /// The file format: `key = value` lines (TOML), `#` comments.
    pub fn to_toml(&self) -> String {
        let mut text = String::from("# convkit calibration, written by `convkit calibrate`\n");
        for (key, value) in KEYS.iter().zip(self.values()) {
            text.push_str(&format!("{key} = {value}\n"));
        }
        text
    }

    /// Parses [`to_toml`](Self::to_toml)'s format; every key must be present, positive and
    /// finite, except the overlap-add rates and the parallel thresholds, which files from before
    /// they were measured lack.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let mut values = [f64::NAN; KEYS.len()];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or(format!("line {}: expected key = value", n + 1))?;
            let slot = KEYS.iter().position(|k| *k == key.trim()).ok_or(format!(
                "line {}: unknown key '{}'",
                n + 1,
                key.trim()
            ))?;
            values[slot] = value
                .trim()
                .parse()
                .map_err(|_| format!("line {}: '{}' is not a number", n + 1, value.trim()))?;
        }
        for (later, stand_in) in LATER_KEYS {
            if values[later].is_nan() {
                values[later] = values[stand_in];
            }
        }
        for (key, default) in LATER_DEFAULTS {
            if values[key].is_nan() {
                values[key] = default;
            }
        }
        if let Some(i) = values.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(format!("'{}' missing or not a positive number", KEYS[i]));
        }
        Ok(Calibration {
            direct_f32: values[0],
            direct_f64: values[1],
            direct_2d_f32: values[2],
            direct_2d_f64: values[3],
            fft_f32: values[4],
            fft_f64: values[5],
            fft_2d_f32: values[6],
            fft_2d_f64: values[7],
            fft_overhead_ns: values[8],
            threads: values[9] as usize,
            overlap_add_f32: values[10],
            overlap_add_f64: values[11],
            overlap_add_2d_f32: values[12],
            overlap_add_2d_f64: values[13],
            parallel_work: values[14],
            parallel_work_2d: values[15],
            parallel_fft: values[16],
        })
    }

    /// Where the calibration file is read from and written to.
    pub fn path() -> Option<PathBuf> {
        path_from(&|name| std::env::var_os(name))
    }

    /// The calibration Auto uses: the file if it is there and valid, else the defaults.
    pub fn current() -> &'static Calibration {
        static CURRENT: OnceLock<Calibration> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let Some(path) = Calibration::path() else {
                return Calibration::default();
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => Calibration::from_toml(&text).unwrap_or_else(|e| {
                    eprintln!(
                        "convkit: warning: ignoring calibration file {}: {e}; using defaults",
                        path.display()
                    );
                    Calibration::default()
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if non_empty_var("CONVKIT_CALIBRATION", &|name| std::env::var_os(name))
                        .is_some()
                    {
                        eprintln!(
                            "convkit: warning: calibration file {} not found; using defaults",
                            path.display()
                        );
                    }
                    Calibration::default()
                }
                Err(e) => {
                    eprintln!(
                        "convkit: warning: cannot read calibration file {}: {e}; using defaults",
                        path.display()
                    );
                    Calibration::default()
                }
            }
        })
    }

    /// Estimated nanoseconds of (direct, FFT, overlap-add) for this geometry; the transforms are
    /// `INFINITY` (not estimated) when the direct sum costs less than their fixed overhead.
    pub fn estimate<T: Real>(
        &self,
        rows: &AxisGeometry,
        cols: &AxisGeometry,
        separable: bool,
        padding: Padding,
    ) -> (f64, f64, f64) {
        let single = std::mem::size_of::<T>() == 4;
        // Planes and signals run different loops (a plane's rows are short and its transform
        // makes column passes over transposed data): their rates are measured apart.
        let plane = rows.padded_len() > 1 && cols.padded_len() > 1;
        let (direct_rate, fft_rate, overlap_add_rate) = match (single, plane) {
            (true, false) => (self.direct_f32, self.fft_f32, self.overlap_add_f32),
            (true, true) => (self.direct_2d_f32, self.fft_2d_f32, self.overlap_add_2d_f32),
            (false, false) => (self.direct_f64, self.fft_f64, self.overlap_add_f64),
            (false, true) => (self.direct_2d_f64, self.fft_2d_f64, self.overlap_add_2d_f64),
        };
        let outputs = (rows.out_len * cols.out_len) as f64;
        // The rate was measured on problems split over the whole pool; below the calibrated
        // threshold the direct sum runs on one thread (`parallel::threads_at`), at 1/pool of it.
        let pool = rayon::current_num_threads() as f64;
        let threshold = Work::direct(rows.out_len > 1).threshold(self);
        let direct_ns =
            |macs: f64| macs * pool / parallel::threads_at(macs, threshold) as f64 / direct_rate;
        let direct = if separable {
            direct_ns((rows.signal * cols.out_len * cols.kernel) as f64)
                + direct_ns(outputs * rows.kernel as f64)
        } else {
            direct_ns(outputs * (rows.kernel * cols.kernel) as f64)
        };
        // Every transform costs at least the overhead: a cheaper direct sum needs no further
        // estimate (which would cost microseconds itself, more than small problems take).
        if direct <= self.fft_overhead_ns {
            return (direct, f64::INFINITY, f64::INFINITY);
        }
        // Rows then columns: l0 transforms of l1 points and l1 of l0 (`transform_work`: radix
        // passes, L·log2(L) for powers of two).
        let work =
            |l0: usize, l1: usize| l0 as f64 * transform_work(l1) + l1 as f64 * transform_work(l0);
        let (l0, l1) = transform_size(rows, cols, padding);
        let whole = (l0 * l1) as f64;
        // A transform whose plane no longer fits the per-core L2 runs at memory speed: the
        // W1/W2 timings of docs/benchmarks.md put a 100k-point f64 transform at 1.4–1.8× its
        // n log n estimate, while planes up to a few hundred kB stay on the model.
        let bytes = whole * std::mem::size_of::<T>() as f64;
        let spill = if bytes > OUT_OF_CACHE_BYTES {
            OUT_OF_CACHE_FACTOR
        } else {
            1.0
        };
        let fft = 3.0 * work(l0, l1) * spill / fft_rate + self.fft_overhead_ns;
        let (b0, b1) = (
            block_len(rows.span(), rows.padded_len()),
            block_len(cols.span(), cols.padded_len()),
        );
        let blocks = ((rows.padded_len() + 1 - rows.span()).div_ceil(b0 + 1 - rows.span())
            * (cols.padded_len() + 1 - cols.span()).div_ceil(b1 + 1 - cols.span()))
            as f64;
        // The call's fixed overhead (plans, buffers, threads) is paid once; every block adds
        // only its own bookkeeping, a sixth of it (fitted to the W1/W2 timings of
        // docs/benchmarks.md: charging the full overhead per block made Auto pick a whole-signal
        // FFT where overlap-add was up to 4× faster).
        let overlap_add = (2.0 * blocks + 1.0) * work(b0, b1) / overlap_add_rate
            + self.fft_overhead_ns * (1.0 + blocks / 6.0);
        (direct, fft, overlap_add)
    }

    /// The fastest algorithm by the estimates.
    pub fn choose<T: Real>(
        &self,
        rows: &AxisGeometry,
        cols: &AxisGeometry,
        separable: bool,
        padding: Padding,
    ) -> Algorithm {
        let (direct, fft, overlap_add) = self.estimate::<T>(rows, cols, separable, padding);
        if direct <= fft && direct <= overlap_add {
            Algorithm::Direct
        } else if fft <= overlap_add {
            Algorithm::Fft
        } else {
            Algorithm::OverlapAdd
        }
    }
}

/// The environment variable `name` from `env`, `None` when unset or empty (an empty
/// `XDG_CONFIG_HOME` means unset, as the XDG base-directory rules say; used as a directory it
/// would put the file under the working directory).
fn non_empty_var(name: &str, env: &dyn Fn(&str) -> Option<OsString>) -> Option<OsString> {
    env(name).filter(|value| !value.is_empty())
}

/// [`Calibration::path`] for the environment `env`: `CONVKIT_CALIBRATION`, else
/// `$XDG_CONFIG_HOME/convkit/calibration.toml`, else `$HOME/.config/convkit/calibration.toml`.
fn path_from(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(p) = non_empty_var("CONVKIT_CALIBRATION", env) {
        return Some(PathBuf::from(p));
    }
    let config = non_empty_var("XDG_CONFIG_HOME", env)
        .map(PathBuf::from)
        .or_else(|| non_empty_var("HOME", env).map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("convkit").join("calibration.toml"))
}

/// The algorithm Auto runs for this geometry under the current calibration.
pub fn choose<T: Real>(
    rows: &AxisGeometry,
    cols: &AxisGeometry,
    separable: bool,
    padding: Padding,
) -> Algorithm {
    Calibration::current().choose::<T>(rows, cols, separable, padding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Output;
    use crate::signal::geometry::Extent;

    fn axis(n: usize, k: usize) -> AxisGeometry {
        AxisGeometry::new(0, n, k, Extent::Output(Output::Full), 1, 1).unwrap()
    }

    #[test]
    fn file_round_trip_and_corruption() {
        let c = Calibration {
            direct_f32: 3.5,
            threads: 1,
            parallel_work: 5e5,
            parallel_work_2d: 2e6,
            parallel_fft: 7e4,
            ..Calibration::default()
        };
        assert_eq!(Calibration::from_toml(&c.to_toml()), Ok(c));
        // A file from before the overlap-add rates and the parallel threshold: the rates take
        // its whole-transform rates, the threshold the default.
        let old: String = c
            .to_toml()
            .lines()
            .filter(|l| !l.starts_with("overlap_add") && !l.starts_with("parallel_"))
            .map(|l| format!("{l}\n"))
            .collect();
        let read = Calibration::from_toml(&old).unwrap();
        assert_eq!(
            (read.overlap_add_f64, read.overlap_add_2d_f32),
            (c.fft_f64, c.fft_2d_f32)
        );
        assert_eq!(
            (read.parallel_work, read.parallel_work_2d, read.parallel_fft),
            (
                DEFAULT_PARALLEL_WORK,
                DEFAULT_PARALLEL_WORK_2D,
                DEFAULT_PARALLEL_FFT
            )
        );
        assert_eq!(read.direct_f32, 3.5);
        assert!(Calibration::from_toml("direct_f32 = fast").is_err());
        assert!(Calibration::from_toml("garbage").is_err());
        assert!(
            Calibration::from_toml("direct_f32 = 1").is_err(),
            "missing keys"
        );
    }

    #[test]
    fn calibration_path_follows_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let file = |dir: &str| Some(PathBuf::from(dir).join("convkit").join("calibration.toml"));
        let all = env(&[
            ("CONVKIT_CALIBRATION", "/c.toml"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(path_from(&all), Some(PathBuf::from("/c.toml")));
        let xdg = env(&[
            ("CONVKIT_CALIBRATION", ""),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(path_from(&xdg), file("/x"));
        // Empty means unset: the file goes under $HOME, not under the working directory.
        let home = env(&[("XDG_CONFIG_HOME", ""), ("HOME", "/h")]);
        assert_eq!(path_from(&home), file("/h/.config"));
        assert_eq!(path_from(&env(&[("HOME", "")])), None);
    }

    /// The direct rate is measured split over the pool; a sum below the parallel threshold
    /// runs on one thread and is estimated at 1/threads of it.
    #[test]
    fn direct_estimate_follows_the_threads_it_gets() {
        let (rows, cols) = (AxisGeometry::unit(), axis(10_000, 64));
        let direct = |threads: usize, parallel_work: f64| {
            let c = Calibration {
                parallel_work,
                ..Calibration::default()
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| c.estimate::<f64>(&rows, &cols, false, Padding::Zero).0)
        };
        let split = direct(3, 0.0);
        assert_eq!(
            split,
            (10_000 + 63) as f64 * 64.0 / Calibration::default().direct_f64
        );
        assert_eq!(direct(3, f64::INFINITY), 3.0 * split);
        assert_eq!(direct(1, f64::INFINITY), direct(1, 0.0));
    }

    #[test]
    fn choices_follow_the_sizes() {
        let c = Calibration::default();
        // Short kernels: direct. Long kernel on a long signal: a transform.
        assert_eq!(
            c.choose::<f64>(
                &AxisGeometry::unit(),
                &axis(100_000, 3),
                false,
                Padding::Zero
            ),
            Algorithm::Direct
        );
        assert_ne!(
            c.choose::<f64>(
                &AxisGeometry::unit(),
                &axis(1_000_000, 4096),
                false,
                Padding::Zero
            ),
            Algorithm::Direct
        );
        assert_eq!(
            c.choose::<f32>(&axis(1024, 3), &axis(1024, 3), false, Padding::Zero),
            Algorithm::Direct
        );
        assert_ne!(
            c.choose::<f32>(&axis(1024, 63), &axis(1024, 63), false, Padding::Zero),
            Algorithm::Direct
        );
    }
}
