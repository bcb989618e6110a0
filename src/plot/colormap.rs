//! [`Scale`]: how a panel's values become colours, shared by the panels that use it.

use plotters::style::RGBColor;

/// The mapping from values to colours, with its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Gray levels: `lo` is black, `hi` white, values outside clamp. Used for RGB panels too
    /// (per channel).
    Gray {
        /// The value shown black.
        lo: f32,
        /// The value shown white.
        hi: f32,
    },
    /// A diverging blue–white–red map for signed data: `-limit` blue, 0 white, `+limit` red.
    Diverging {
        /// The magnitude shown at full colour.
        limit: f32,
    },
}

impl Scale {
    /// The intensity scale `[0, 1]`.
    pub const UNIT: Scale = Scale::Gray { lo: 0.0, hi: 1.0 };

    /// `v` as a position in `[0, 1]` along the scale (non-finite values → 0.5 or 0).
    pub fn position(&self, v: f32) -> f32 {
        let t = match *self {
            Scale::Gray { lo, hi } if hi > lo => (v - lo) / (hi - lo),
            Scale::Gray { .. } => 0.5,
            Scale::Diverging { limit } if limit > 0.0 => 0.5 + 0.5 * v / limit,
            Scale::Diverging { .. } => 0.5,
        };
        if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    /// The colour of value `v`.
    pub fn color(&self, v: f32) -> RGBColor {
        self.color_at(self.position(v))
    }

    /// The colour at position `t ∈ [0, 1]` along the scale.
    pub fn color_at(&self, t: f32) -> RGBColor {
        match self {
            Scale::Gray { .. } => {
                let g = to_u8(t);
                RGBColor(g, g, g)
            }
            Scale::Diverging { .. } => {
                // Blue (59, 76, 192) → near-white (242, 242, 242) → red (180, 4, 38).
                let (a, b, s) = if t < 0.5 {
                    ([59.0, 76.0, 192.0], [242.0, 242.0, 242.0], t * 2.0)
                } else {
                    ([242.0, 242.0, 242.0], [180.0, 4.0, 38.0], t * 2.0 - 1.0)
                };
                let mix = |i: usize| (a[i] + (b[i] - a[i]) * s).round() as u8;
                RGBColor(mix(0), mix(1), mix(2))
            }
        }
    }

    /// The values at the bottom, middle and top of the scale.
    pub fn ticks(&self) -> [f32; 3] {
        match *self {
            Scale::Gray { lo, hi } => [lo, (lo + hi) / 2.0, hi],
            Scale::Diverging { limit } => [-limit, 0.0, limit],
        }
    }
}

fn to_u8(t: f32) -> u8 {
    (t.clamp(0.0, 1.0) * 255.0).round() as u8
}
