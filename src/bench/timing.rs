//! The timing protocol of the shared reference benchmarks: one warm-up call, then timed calls
//! until at least 5 and about `budget` seconds of timed work (at most 51); 3 timed calls if the
//! warm-up alone took over 2 s. Reported: median and minimum seconds per call.

use std::time::Instant;

/// Seconds per call of one timed case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Median seconds per call.
    pub median_s: f64,
    /// Fastest call.
    pub min_s: f64,
    /// Timed calls.
    pub reps: usize,
}

/// Times `f` under the protocol above.
pub fn time<F: FnMut()>(budget_s: f64, mut f: F) -> Timing {
    let warm = Instant::now();
    f();
    let warm_s = warm.elapsed().as_secs_f64();
    let (min_reps, max_reps) = if warm_s > 2.0 { (3, 3) } else { (5, 51) };
    let mut samples = Vec::new();
    let mut total = 0.0;
    while samples.len() < min_reps || (total < budget_s && samples.len() < max_reps) {
        let t = Instant::now();
        f();
        let s = t.elapsed().as_secs_f64();
        samples.push(s);
        total += s;
    }
    summary(samples)
}

/// Times `f` in a loop for about `seconds` of wall time (one warm-up call, at least 5 timed),
/// however short each call: the steady state of a program that calls it again and again, in
/// which rayon's workers stay awake. For calls of microseconds, where the protocol's 51 calls
/// mostly measure threads waking up.
pub fn time_steady<F: FnMut()>(seconds: f64, mut f: F) -> Timing {
    f();
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < 5 || start.elapsed().as_secs_f64() < seconds {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64());
    }
    summary(samples)
}

fn summary(mut samples: Vec<f64>) -> Timing {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let median_s = if n % 2 == 1 {
        samples[n / 2]
    } else {
        0.5 * (samples[n / 2 - 1] + samples[n / 2])
    };
    Timing {
        median_s,
        min_s: samples[0],
        reps: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_counts() {
        let mut calls = 0;
        let t = time(0.0, || calls += 1);
        assert_eq!(t.reps, 5);
        assert_eq!(calls, 6, "one warm-up and five timed calls");
        assert!(t.min_s <= t.median_s);
        let mut calls = 0;
        let t = time_steady(0.0, || calls += 1);
        assert_eq!((t.reps, calls), (5, 6));
        let t = time_steady(0.01, || {
            std::thread::sleep(std::time::Duration::from_micros(100))
        });
        assert!(t.reps > 5 && t.median_s >= 1e-4, "{t:?}");
    }
}
