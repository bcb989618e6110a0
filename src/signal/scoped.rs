//! A thread-local setting replaced for the length of one call: calibration times the direct
//! sum and the transforms on both sides of a parallel threshold, and tests run every compiled
//! instruction set on one machine.

use std::cell::Cell;
use std::thread::LocalKey;

/// Runs `f` with `cell` (on this thread) set to `value`, then restores the old value, also
/// when `f` panics, so that no setting outlives its call.
pub(crate) fn with<T: Copy + 'static, R>(
    cell: &'static LocalKey<Cell<T>>,
    value: T,
    f: impl FnOnce() -> R,
) -> R {
    struct Restore<T: Copy + 'static>(&'static LocalKey<Cell<T>>, T);
    impl<T: Copy + 'static> Drop for Restore<T> {
        fn drop(&mut self) {
            self.0.set(self.1);
        }
    }
    let _restore = Restore(cell, cell.replace(value));
    f()
}
