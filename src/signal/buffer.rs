//! Allocation of sample planes that reports an impossible size as an error instead of aborting.
//!
//! A request such as `pads(1 << 40, 0)` is arithmetically valid but needs more memory than any
//! machine has; the plane is reserved with `try_reserve_exact` so the caller gets
//! [`ConvError::TooLarge`] rather than an allocation abort.

use std::mem::MaybeUninit;

use ndarray::Array2;

use crate::error::{ConvError, Result};

/// A `rows × cols` plane filled with `value`, or `TooLarge` if it cannot be allocated.
pub fn filled<T: Clone>(shape: (usize, usize), value: T) -> Result<Array2<T>> {
    let mut data = reserved_plane(shape)?;
    // The product cannot overflow: `reserved_plane` checked it.
    data.resize(shape.0 * shape.1, value);
    Array2::from_shape_vec(shape, data).map_err(|_| too_large(shape))
}

/// An empty vector with room for a `rows × cols` plane (for planes whose rows are written in
/// place, see [`initialise`]); `TooLarge` if it cannot be allocated.
pub fn reserved_plane<T>(shape: (usize, usize)) -> Result<Vec<T>> {
    let len = shape
        .0
        .checked_mul(shape.1)
        .ok_or_else(|| too_large(shape))?;
    reserved(len).map_err(|_| too_large(shape))
}

fn too_large(shape: (usize, usize)) -> ConvError {
    ConvError::TooLarge(format!("cannot allocate a {}×{} plane", shape.0, shape.1))
}

/// An empty vector with room for `len` values, for planes built by pushing rows;
/// `TooLarge` if it cannot be allocated.
pub fn reserved<T>(len: usize) -> Result<Vec<T>> {
    let mut data = Vec::new();
    data.try_reserve_exact(len)
        .map_err(|_| ConvError::TooLarge(format!("cannot allocate {len} samples")))?;
    Ok(data)
}

/// Writes `value` into every slot of `row` and returns it as initialised samples: for planes
/// whose rows are filled in parallel, each row set just before it is computed (while it is in
/// cache) instead of the whole plane in one serial pass first.
pub fn initialise<T: Copy>(row: &mut [MaybeUninit<T>], value: T) -> &mut [T] {
    for slot in row.iter_mut() {
        slot.write(value);
    }
    // SAFETY: every element was written just above, and MaybeUninit<T> has T's layout.
    unsafe { &mut *(row as *mut [MaybeUninit<T>] as *mut [T]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_sizes_are_errors() {
        assert!(matches!(
            filled((1 << 40, 1 << 10), 0.0f64),
            Err(ConvError::TooLarge(_))
        ));
        assert!(matches!(
            filled((usize::MAX, 2), 0.0f64),
            Err(ConvError::TooLarge(_))
        ));
        assert_eq!(filled((2, 3), 1.5f32).unwrap().sum(), 9.0);
    }

    #[test]
    fn initialise_writes_every_slot() {
        let mut data = reserved::<f32>(5).unwrap();
        let row = initialise(&mut data.spare_capacity_mut()[..5], 2.5);
        assert_eq!(row, &[2.5; 5]);
        row[4] = 1.0;
        // SAFETY: the five slots were written by `initialise`.
        unsafe { data.set_len(5) };
        assert_eq!(data, [2.5, 2.5, 2.5, 2.5, 1.0]);
    }
}
