//! Reusable scratch buffers of samples.
//!
//! A fresh buffer of a few hundred kilobytes or more comes from the OS as untouched pages:
//! faulting them in and zeroing them can cost more than the work done in them (measured: the
//! buffers of a Winograd chunk, 1.5 MB, took 0.65 ms to fault in against 0.4 ms of work; fresh
//! spectra of a 10⁵-point FFT convolution, 4.1 ms against 1.0 ms). Callers that need large
//! scratch space on every call take it from a `Pool` and give it back: [`take`] and
//! [`give_back`] use one process-wide pool per sample type; the FFT keeps pools of spectra.

use std::any::{Any, TypeId};
use std::sync::Mutex;

use crate::real::Real;

/// A few spare buffers of values `V`.
pub(crate) struct Pool<V> {
    spare: Mutex<Vec<Vec<V>>>,
    kept: usize,
}

impl<V: Copy> Pool<V> {
    /// An empty pool that keeps at most `kept` buffers (more given back are dropped).
    pub(crate) const fn new(kept: usize) -> Self {
        Pool {
            spare: Mutex::new(Vec::new()),
            kept,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<V>>> {
        // A panic while the pool was locked leaves it consistent: a list of buffers.
        self.spare
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The smallest spare buffer with room for `len` values, if the pool holds one (the
    /// smallest, so that a small request leaves the large buffers to the large requests).
    pub(crate) fn reuse(&self, len: usize) -> Option<Vec<V>> {
        let mut spare = self.lock();
        let (i, _) = spare
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= len)
            .min_by_key(|(_, b)| b.capacity())?;
        Some(spare.swap_remove(i))
    }

    /// A buffer of `len` values (fresh if no spare one is large enough). Its contents are
    /// whatever they were, `fill` where it grew: scratch the caller overwrites.
    pub(crate) fn take(&self, len: usize, fill: V) -> Vec<V> {
        let mut v = self.reuse(len).unwrap_or_default();
        v.truncate(len);
        v.resize(len, fill);
        v
    }

    /// Returns a buffer to the pool.
    pub(crate) fn put_back(&self, buffer: Vec<V>) {
        if buffer.capacity() == 0 {
            return;
        }
        let mut spare = self.lock();
        if spare.len() < self.kept {
            spare.push(buffer);
        }
    }
}

/// Buffers kept per sample type by [`give_back`]: enough for the Winograd chunks of two
/// training shards at once (five buffers each, two chunks per shard).
const KEPT: usize = 32;

static POOL_F32: Pool<f32> = Pool::new(KEPT);
static POOL_F64: Pool<f64> = Pool::new(KEPT);

fn pool<T: Real>() -> &'static Pool<T> {
    // Statics cannot be generic: pick the one of T's type.
    let any: &'static dyn Any = if TypeId::of::<T>() == TypeId::of::<f32>() {
        &POOL_F32
    } else {
        &POOL_F64
    };
    any.downcast_ref().expect("Real is sealed to f32 and f64")
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
    pool::<T>().take(len, T::zero())
}

/// Returns a buffer to the pool of its sample type (dropped if the pool is full).
pub fn give_back<T: Real>(buffer: Vec<T>) {
    pool::<T>().put_back(buffer);
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

    #[test]
    fn a_pool_keeps_at_most_its_count_and_grows_buffers_with_the_fill() {
        let pool = Pool::new(1);
        pool.put_back(vec![7u8; 4]);
        pool.put_back(vec![8u8; 4]);
        // One kept: the second is dropped, so once the first is taken the pool is empty.
        assert_eq!(pool.take(4, 0), vec![7, 7, 7, 7]);
        assert!(pool.reuse(1).is_none());
        // A spare buffer with room is reused: its old values stay, the growth gets the fill.
        let mut spare = Vec::with_capacity(8);
        spare.extend([9u8, 9]);
        pool.put_back(spare);
        assert_eq!(pool.take(3, 1), vec![9, 9, 1]);
    }

    #[test]
    fn a_request_gets_the_smallest_buffer_with_room() {
        let pool = Pool::new(4);
        for len in [100usize, 10, 50] {
            pool.put_back(vec![len as u32; len]);
        }
        assert_eq!(pool.take(20, 0)[0], 50);
        assert_eq!(pool.take(5, 0)[0], 10);
        assert_eq!(pool.take(60, 0)[0], 100);
        assert!(pool.reuse(1).is_none());
    }
}
