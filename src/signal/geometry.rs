//! Output sizes and pad widths: the only place where convolution arithmetic lives.
//!
//! Every request is reduced, per axis, to one shape: a *valid* correlation of the (flipped, for
//! convolution) kernel over the signal extended by `pad_before` / `pad_after` samples, keeping every
//! `stride`-th output from the first. With K' = d(K-1)+1 the effective (dilated) kernel length:
//!
//! | request            | pad_before            | pad_after        | length before stride |
//! |--------------------|-----------------------|------------------|----------------------|
//! | `Output::Full`     | K'-1                  | K'-1             | N + K' - 1           |
//! | `Output::Same`     | K'-1 - (K'-1)/2       | (K'-1)/2         | N                    |
//! | `Output::Valid`    | 0                     | 0                | N - K' + 1           |
//! | explicit (pb, pa)  | pb                    | pa               | N + pb + pa - K' + 1 |
//!
//! (`/` rounds down.) `Same` is the slice of `Full` that starts at index (K'-1)/2, as in
//! scipy.signal; for an even K' it puts one more padded sample before the signal than after.
//! The length after striding is floor((L - 1) / s) + 1, which for explicit pads is
//! exactly PyTorch's floor((N + pb + pa - d(K-1) - 1) / s) + 1.

use super::Output;
use crate::error::{ConvError, Result};

/// How the output length along one axis is chosen: one of the three sizes, or explicit pads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// `full`, `same` or `valid`.
    Output(Output),
    /// `valid` over the signal padded by (before, after) samples: the CNN's `padding=p`.
    Pads(usize, usize),
}

/// The resolved arithmetic of one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisGeometry {
    /// Signal length N.
    pub signal: usize,
    /// Kernel length K (number of taps).
    pub kernel: usize,
    /// Distance between taps d.
    pub dilation: usize,
    /// Keep every s-th output sample.
    pub stride: usize,
    /// Samples of extension before the signal.
    pub pad_before: usize,
    /// Samples of extension after the signal.
    pub pad_after: usize,
    /// Output length after striding.
    pub out_len: usize,
}

impl AxisGeometry {
    /// Resolves one axis; `axis` only labels errors.
    pub fn new(
        axis: usize,
        signal: usize,
        kernel: usize,
        extent: Extent,
        stride: usize,
        dilation: usize,
    ) -> Result<Self> {
        if stride == 0 {
            return Err(ConvError::InvalidParameter {
                name: "stride",
                value: stride,
            });
        }
        if dilation == 0 {
            return Err(ConvError::InvalidParameter {
                name: "dilation",
                value: dilation,
            });
        }
        let too_large =
            || ConvError::TooLarge(format!("dilation {dilation} × kernel length {kernel}"));
        let span = dilation
            .checked_mul(kernel.saturating_sub(1))
            .and_then(|v| v.checked_add(1))
            .ok_or_else(too_large)?;
        let (pad_before, pad_after) = match extent {
            Extent::Output(Output::Full) => (span - 1, span - 1),
            Extent::Output(Output::Same) => (span - 1 - (span - 1) / 2, (span - 1) / 2),
            Extent::Output(Output::Valid) => (0, 0),
            Extent::Pads(before, after) => (before, after),
        };
        let padded = signal
            .checked_add(pad_before)
            .and_then(|v| v.checked_add(pad_after))
            .ok_or_else(|| ConvError::TooLarge(format!("pads {pad_before} + {pad_after}")))?;
        if span > padded {
            return Err(ConvError::KernelTooLarge {
                axis,
                kernel: span,
                signal: padded,
            });
        }
        let out_len = (padded - span) / stride + 1;
        Ok(AxisGeometry {
            signal,
            kernel,
            dilation,
            stride,
            pad_before,
            pad_after,
            out_len,
        })
    }

    /// Effective kernel length K' = d(K-1)+1.
    pub fn span(&self) -> usize {
        self.dilation * (self.kernel - 1) + 1
    }

    /// Length of the extended signal N + pad_before + pad_after.
    pub fn padded_len(&self) -> usize {
        self.signal + self.pad_before + self.pad_after
    }

    /// The geometry of a trivial axis (length 1, kernel 1): how a 1-D request is run as 2-D.
    pub fn unit() -> Self {
        AxisGeometry::identity(1)
    }

    /// An axis of length `n` that a one-tap kernel leaves as it is (no pads, no stride).
    pub fn identity(n: usize) -> Self {
        AxisGeometry {
            signal: n,
            kernel: 1,
            dilation: 1,
            stride: 1,
            pad_before: 0,
            pad_after: 0,
            out_len: n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(n: usize, k: usize, e: Extent, s: usize, d: usize) -> usize {
        AxisGeometry::new(0, n, k, e, s, d).unwrap().out_len
    }

    #[test]
    fn the_three_sizes() {
        assert_eq!(len(5, 3, Extent::Output(Output::Full), 1, 1), 7);
        assert_eq!(len(5, 3, Extent::Output(Output::Same), 1, 1), 5);
        assert_eq!(len(5, 4, Extent::Output(Output::Same), 1, 1), 5);
        assert_eq!(len(5, 3, Extent::Output(Output::Valid), 1, 1), 3);
        // A kernel longer than the signal: fine in full and same.
        assert_eq!(len(2, 5, Extent::Output(Output::Full), 1, 1), 6);
        assert_eq!(len(2, 5, Extent::Output(Output::Same), 1, 1), 2);
    }

    #[test]
    fn even_kernel_same_puts_the_extra_pad_before() {
        let g = AxisGeometry::new(0, 5, 4, Extent::Output(Output::Same), 1, 1).unwrap();
        assert_eq!((g.pad_before, g.pad_after), (2, 1));
    }

    #[test]
    fn pytorch_arithmetic() {
        // floor((N + pb + pa - d(K-1) - 1)/s) + 1 for a few cases worked by hand.
        assert_eq!(len(28, 5, Extent::Pads(2, 2), 2, 1), 14); // (28+4-4-1)/2+1
        assert_eq!(len(14, 3, Extent::Pads(1, 1), 2, 1), 7); // (14+2-2-1)/2+1
        assert_eq!(len(10, 3, Extent::Pads(0, 0), 1, 2), 6); // 10-4-1+1
        assert_eq!(len(5, 3, Extent::Pads(1, 1), 2, 1), 3); // the lecture's 7×7 stride 2
    }

    #[test]
    fn errors() {
        assert_eq!(
            AxisGeometry::new(1, 3, 4, Extent::Output(Output::Valid), 1, 1),
            Err(ConvError::KernelTooLarge {
                axis: 1,
                kernel: 4,
                signal: 3
            })
        );
        assert!(matches!(
            AxisGeometry::new(0, 3, 2, Extent::Output(Output::Full), 0, 1),
            Err(ConvError::InvalidParameter { name: "stride", .. })
        ));
        assert!(matches!(
            AxisGeometry::new(0, 3, 2, Extent::Output(Output::Full), 1, usize::MAX),
            Err(ConvError::TooLarge(_))
        ));
    }
}
