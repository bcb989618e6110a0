//! Where work is split over rayon's pool: the direct sum by output rows (or column chunks of a
//! single row), a transform pass by rows or columns. Waking the pool's workers costs from a few
//! to tens of microseconds, more on a VM whose second core has been idle, so each kind of work
//! is split only from a size that [`Calibration`] holds (`convkit calibrate` measures it on the
//! machine: a 3×3 filter of a 256² image ran faster split on one 2-core VM and slower on two
//! others) and only when the pool has a second thread.

use std::cell::Cell;

use super::auto::Calibration;
use super::scoped;

/// The kinds of work with a threshold of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Work {
    /// The direct sum over a single row, in multiply-adds
    /// ([`parallel_work`](Calibration::parallel_work)).
    Signal,
    /// The direct sum over a plane, in multiply-adds
    /// ([`parallel_work_2d`](Calibration::parallel_work_2d)).
    Plane,
    /// A pass of row or column transforms, in spectrum values
    /// ([`parallel_fft`](Calibration::parallel_fft)).
    Transform,
}

impl Work {
    /// The direct sum's work: over a plane (`plane`: more than one output row, split by rows)
    /// or a single row (split by column chunks).
    pub(crate) fn direct(plane: bool) -> Work {
        if plane { Work::Plane } else { Work::Signal }
    }

    /// This work's threshold in `calibration`.
    pub(crate) fn threshold(self, calibration: &Calibration) -> f64 {
        match self {
            Work::Signal => calibration.parallel_work,
            Work::Plane => calibration.parallel_work_2d,
            Work::Transform => calibration.parallel_fft,
        }
    }
}

thread_local! {
    /// A threshold that replaces the calibration's on this thread while calibration times both
    /// sides of it ([`with_threshold`]).
    static OVERRIDE: Cell<Option<f64>> = const { Cell::new(None) };
}

/// The threads for `amount` of work with split threshold `threshold`: one below it, else all
/// of rayon's pool (what Auto's cost model assumes too).
pub(crate) fn threads_at(amount: f64, threshold: f64) -> usize {
    if amount < threshold {
        1
    } else {
        rayon::current_num_threads()
    }
}

/// The threads for `amount` of `work`, at the current calibration's threshold.
pub(crate) fn threads_for(amount: usize, work: Work) -> usize {
    let threshold = OVERRIDE
        .get()
        .unwrap_or_else(|| work.threshold(Calibration::current()));
    threads_at(amount as f64, threshold)
}

/// Whether `amount` of `work` is split: more than one thread for it. With a single thread in
/// the pool, handing work to it would put the caller to sleep until its only worker is done.
pub(crate) fn splits(amount: usize, work: Work) -> bool {
    threads_for(amount, work) > 1
}

/// Runs `f` with every split decision on this thread taken at `threshold`, whatever the
/// calibration says (0: always split, infinity: never); for calibration, which times both.
/// Restored afterwards, also when `f` panics.
pub(crate) fn with_threshold<R>(threshold: f64, f: impl FnOnce() -> R) -> R {
    scoped::with(&OVERRIDE, Some(threshold), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_decides_and_is_restored() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        pool.install(|| {
            let before = threads_for(1000, Work::Transform);
            with_threshold(0.0, || {
                assert_eq!(threads_for(0, Work::Signal), 3);
                assert!(splits(1, Work::Transform));
            });
            with_threshold(f64::INFINITY, || {
                assert_eq!(threads_for(usize::MAX, Work::Plane), 1);
            });
            // A panic inside leaves no override behind.
            let caught = std::panic::catch_unwind(|| with_threshold(0.0, || panic!("inside")));
            assert!(caught.is_err());
            assert_eq!(threads_for(1000, Work::Transform), before);
        });
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        one.install(|| with_threshold(0.0, || assert!(!splits(usize::MAX, Work::Transform))));
    }
}
