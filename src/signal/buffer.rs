//! Allocation of sample planes that reports an impossible size as an error instead of aborting.
//!
//! A request such as `pads(1 << 40, 0)` is arithmetically valid but needs more memory than any
//! machine has; the plane is reserved with `try_reserve_exact` so the caller gets
//! [`ConvError::TooLarge`] rather than an allocation abort.

use ndarray::Array2;

use crate::error::{ConvError, Result};

/// A `rows × cols` plane filled with `value`, or `TooLarge` if it cannot be allocated.
pub fn filled<T: Clone>(shape: (usize, usize), value: T) -> Result<Array2<T>> {
    let too_large =
        || ConvError::TooLarge(format!("cannot allocate a {}×{} plane", shape.0, shape.1));
    let len = shape.0.checked_mul(shape.1).ok_or_else(too_large)?;
    let mut data = reserved(len).map_err(|_| too_large())?;
    data.resize(len, value);
    Array2::from_shape_vec(shape, data).map_err(|_| too_large())
}

/// An empty vector with room for `len` values, for planes built by pushing rows;
/// `TooLarge` if it cannot be allocated.
pub fn reserved<T>(len: usize) -> Result<Vec<T>> {
    let mut data = Vec::new();
    data.try_reserve_exact(len)
        .map_err(|_| ConvError::TooLarge(format!("cannot allocate {len} samples")))?;
    Ok(data)
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
}
