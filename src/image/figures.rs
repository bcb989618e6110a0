//! Comparison figures of filter results, built on [`crate::plot`]'s grid.
//!
//! * [`comparison_grid`]: the original and each filtered result side by side. Intensity results
//!   share the `[0, 1]` scale (clamped, colour kept); signed results (edge detectors) are shown
//!   as luminance on a blue–white–red map, each with its own symmetric range ±L, where L is the
//!   99.5th percentile of |value| (a few extreme pixels do not wash out the rest); the gradient
//!   magnitude uses `[0, L]`. Every panel has its colour bar underneath.
//! * [`padding_grid`]: one filter under every padding mode, with a magnified crop of one
//!   corner (the one where the modes differ most) and the crop's difference from `reflect`
//!   (the default) on one shared scale, so the modes' different borders are visible.

use ndarray::{Array2, s};

use super::{Channels, Filter, Image, ImageFilter, ToneMap};
use crate::error::ConvError;
use crate::plot::{ColorBars, Grid, Panel, PanelPixels, Scale};
use crate::signal::{Op, Padding};

/// Percentile of |value| used as the display limit of signed and magnitude panels.
pub const DISPLAY_PERCENTILE: f64 = 99.5;

/// One result to show: the filter that made it and the image it made.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterResult {
    /// The filter (with its op and padding, used in the panel title).
    pub filter: ImageFilter,
    /// The filtered image.
    pub image: Image,
}

impl FilterResult {
    /// Runs `filter` on `image`.
    pub fn compute(filter: ImageFilter, image: &Image) -> Result<Self, ConvError> {
        let image = filter.apply(image)?;
        Ok(FilterResult { filter, image })
    }

    /// `sobel-x · reflect`, with `· correlate` appended for correlation.
    pub fn title(&self) -> String {
        let mut t = format!("{} · {}", self.filter.filter(), self.filter.padding_mode());
        if self.filter.conv().op() == Op::Correlate {
            t.push_str(" · correlate");
        }
        t
    }
}

/// The original and each result in a grid of `columns` panels per row (0 = automatic).
///
/// ```
/// use convkit::image::figures::{FilterResult, comparison_grid};
/// use convkit::image::{ImageFilter, Kernel, test_image};
///
/// let img = test_image::generate(64, 1);
/// let results = vec![
///     FilterResult::compute(ImageFilter::new(Kernel::Sharpen), &img)?,
///     FilterResult::compute(ImageFilter::new(Kernel::Laplacian), &img)?,
/// ];
/// let grid = comparison_grid(&img, &results, "test image", 0);
/// assert_eq!(grid.panels.len(), 3);
/// assert_eq!(grid.panels[2].title, "laplacian · reflect");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn comparison_grid(
    original: &Image,
    results: &[FilterResult],
    title: &str,
    columns: usize,
) -> Grid {
    let mut panels = vec![Panel {
        title: "original".to_string(),
        pixels: pixels_of(original),
        scale: Scale::UNIT,
    }];
    for r in results {
        panels.push(result_panel(r.title(), r.filter.filter(), &r.image));
    }
    let n = panels.len();
    let columns = if columns > 0 {
        columns
    } else if n <= 4 {
        n
    } else {
        n.div_ceil(2)
    };
    Grid {
        title: Some(title.to_string()),
        columns,
        cell: if columns > 3 { 256 } else { 300 },
        bars: ColorBars::BelowEachPanel,
        panels,
    }
}

/// `filter` on `image` under every padding mode: the results, a magnified crop of the corner
/// where the modes differ most, and that corner's difference from the `reflect` result.
pub fn padding_grid(image: &Image, filter: &ImageFilter, title: &str) -> Result<Grid, ConvError> {
    let results = Padding::ALL
        .iter()
        .map(|&p| filter.clone().padding(p).apply(image))
        .collect::<Result<Vec<_>, _>>()?;
    let reference = Padding::ALL
        .iter()
        .position(|&p| p == Padding::Reflect)
        .unwrap_or(0);
    let f = filter.filter();
    let radius = match f {
        Filter::Kernel(k) => {
            let (h, w) = k.matrix::<f32>().dim();
            h.max(w) / 2
        }
        Filter::GradientMagnitude => 1,
    };
    let crop = (4 * radius + 8)
        .max(16)
        .min(image.height())
        .min(image.width());
    // The corner where the modes differ most (summed |difference from reflect| in the crop).
    let lumas: Vec<Array2<f32>> = results.iter().map(Image::luma).collect();
    let (h, w) = (image.height(), image.width());
    let corners = [
        ("top-left", 0, 0),
        ("top-right", 0, w - crop),
        ("bottom-left", h - crop, 0),
        ("bottom-right", h - crop, w - crop),
    ];
    let cut =
        |a: &Array2<f32>, (r, c): (usize, usize)| a.slice(s![r..r + crop, c..c + crop]).to_owned();
    let spread = |at: (usize, usize)| -> f32 {
        let base = cut(&lumas[reference], at);
        lumas
            .iter()
            .map(|l| (cut(l, at) - &base).mapv(f32::abs).sum())
            .filter(|v| v.is_finite())
            .sum()
    };
    let (corner_name, r0, c0) = corners
        .iter()
        .copied()
        .max_by(|a, b| spread((a.1, a.2)).total_cmp(&spread((b.1, b.2))))
        .unwrap_or(corners[0]);
    let corner = |a: &Array2<f32>| cut(a, (r0, c0));
    // Rows 1-2 share the scale of the reflect result; row 3 one scale for all differences.
    let shown_scale = display_scale(f, &shown_plane(f, &results[reference]));
    let diffs: Vec<Array2<f32>> = lumas
        .iter()
        .map(|l| corner(l) - corner(&lumas[reference]))
        .collect();
    let dmax = diffs.iter().flat_map(|d| d.iter()).fold(0.0f32, |m, &v| {
        if v.is_finite() { m.max(v.abs()) } else { m }
    });
    let diff_scale = Scale::Diverging {
        limit: if dmax > 0.0 { dmax } else { 1.0 },
    };
    let mut row1 = Vec::new();
    let mut row2 = Vec::new();
    let mut row3 = Vec::new();
    for ((mode, r), d) in Padding::ALL.iter().zip(&results).zip(diffs) {
        let (pixels, crop_pixels) = if f.is_signed() || *f == Filter::GradientMagnitude {
            let y = r.luma();
            let c = corner(&y);
            (PanelPixels::Gray(y), PanelPixels::Gray(c))
        } else {
            let c = match pixels_of(r) {
                PanelPixels::Gray(p) => PanelPixels::Gray(corner(&p)),
                PanelPixels::Rgb([a, b, c]) => {
                    PanelPixels::Rgb([corner(&a), corner(&b), corner(&c)])
                }
            };
            (pixels_of(r), c)
        };
        row1.push(Panel {
            title: format!("{f} · {mode}"),
            pixels,
            scale: shown_scale,
        });
        row2.push(Panel {
            title: format!("{mode}: {corner_name} {crop}×{crop}"),
            pixels: crop_pixels,
            scale: shown_scale,
        });
        row3.push(Panel {
            title: if *mode == Padding::Reflect {
                "reflect (reference)".to_string()
            } else {
                format!("{mode} − reflect")
            },
            pixels: PanelPixels::Gray(d),
            scale: diff_scale,
        });
    }
    Ok(Grid {
        title: Some(title.to_string()),
        columns: Padding::ALL.len(),
        cell: 200,
        bars: ColorBars::Column,
        panels: row1.into_iter().chain(row2).chain(row3).collect(),
    })
}

/// An image as panel pixels (values as they are; the scale does the mapping).
fn pixels_of(img: &Image) -> PanelPixels {
    match (img.channels(), img.planes()) {
        (Channels::Rgb, [r, g, b]) => PanelPixels::Rgb([r.clone(), g.clone(), b.clone()]),
        _ => PanelPixels::Gray(img.planes()[0].clone()),
    }
}

/// The plane a signed or magnitude result is judged by (its luminance).
fn shown_plane(f: &Filter, img: &Image) -> Array2<f32> {
    match f.tone() {
        ToneMap::Clamp => img.planes()[0].clone(),
        _ => img.luma(),
    }
}

fn result_panel(title: String, f: &Filter, img: &Image) -> Panel {
    match f.tone() {
        ToneMap::Clamp => Panel {
            title,
            pixels: pixels_of(img),
            scale: Scale::UNIT,
        },
        _ => {
            let y = img.luma();
            let scale = display_scale(f, &y);
            Panel {
                title,
                pixels: PanelPixels::Gray(y),
                scale,
            }
        }
    }
}

/// The display scale of a result of `f` whose shown plane is `y`.
fn display_scale(f: &Filter, y: &Array2<f32>) -> Scale {
    let limit = percentile_abs(y, DISPLAY_PERCENTILE);
    let limit = if limit > 0.0 { limit } else { 1.0 };
    match f.tone() {
        ToneMap::Clamp => Scale::UNIT,
        ToneMap::Centered => Scale::Diverging { limit },
        ToneMap::MinMax => Scale::Gray { lo: 0.0, hi: limit },
    }
}

/// The `q`-th percentile (0–100) of |v| over the finite values of `a` (0 if none).
pub fn percentile_abs(a: &Array2<f32>, q: f64) -> f32 {
    let mut v: Vec<f32> = a
        .iter()
        .filter(|x| x.is_finite())
        .map(|x| x.abs())
        .collect();
    if v.is_empty() {
        return 0.0;
    }
    let k = (((q / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1);
    let (_, x, _) = v.select_nth_unstable_by(k, f32::total_cmp);
    *x
}
