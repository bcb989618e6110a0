//! Reusable scratch buffers of samples, one process-wide pool per sample type.
//!
//! A fresh buffer of a few hundred kilobytes or more comes from the OS as untouched pages:
//! faulting them in and zeroing them can cost more than the work done in them (measured: the
//! buffers of a Winograd chunk, 1.5 MB, took 0.65 ms to fault in against 0.4 ms of work).
//! Callers that need large scratch space on every call take it from here and give it back.

use std::any::{Any, TypeId};
use std::sync::{Mutex, OnceLock};

use crate::real::Real;

/// Buffers kept per sample type; more are dropped when given back.
const KEPT: usize = 16;

static POOL_F32: OnceLock<Mutex<Vec<Vec<f32>>>> = OnceLock::new();
static POOL_F64: OnceLock<Mutex<Vec<Vec<f64>>>> = OnceLock::new();

fn pool<T: Real>() -> &'static Mutex<Vec<Vec<T>>> {
    // Statics cannot be generic: pick the one of T's type.
    let any: &'static dyn Any = if TypeId::of::<T>() == TypeId::of::<f32>() {
        POOL_F32.get_or_init(Default::default)
    } else {
        POOL_F64.get_or_init(Default::default)
    };
    any.downcast_ref().expect("Real is sealed to f32 and f64")
}

fn lock<P>(m: &Mutex<P>) -> std::sync::MutexGuard<'_, P> {
    // A panic while the pool was locked leaves it consistent: a list of buffers.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A buffer of `len` samples: a pooled one when one is large enough, else a fresh one. Its
/// contents are unspecified (zeros where it grew): scratch the caller overwrites.
///
/// ```
/// use convkit::signal::scratch;
/// let buf: Vec<f32> = scratch::take(1000);
/// assert_eq!(buf.len(), 1000);
/// scratch::give_back(buf);
/// ```
pub fn take<T: Real>(len: usize) -> Vec<T> {
    let mut v = {
        let mut spare = lock(pool::<T>());
        match spare.iter().position(|b| b.capacity() >= len) {
            Some(i) => spare.swap_remove(i),
            None => Vec::new(),
        }
    };
    v.truncate(len);
    v.resize(len, T::zero());
    v
}

/// Returns a buffer to the pool (dropped if the pool is full).
pub fn give_back<T: Real>(buffer: Vec<T>) {
    if buffer.capacity() == 0 {
        return;
    }
    let mut spare = lock(pool::<T>());
    if spare.len() < KEPT {
        spare.push(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_with_the_asked_length() {
        let mut a: Vec<f64> = take(10);
        a.iter_mut().for_each(|v| *v = 1.0);
        give_back(a);
        let b: Vec<f64> = take(20);
        assert_eq!(b.len(), 20);
        let c: Vec<f32> = take(5);
        assert_eq!(c.len(), 5);
        give_back(b);
        give_back(c);
    }
}
