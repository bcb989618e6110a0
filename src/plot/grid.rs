//! [`Grid`]: image panels side by side, each titled, on shared colour scales drawn as colour
//! bars at the right.
//!
//! Each panel is fitted into a common square cell: shrunk by area averaging (so fine texture
//! turns gray instead of aliasing), or enlarged by an integer factor with nearest-neighbour
//! pixels (so a magnified crop shows crisp pixels). Panels are laid out row by row.

use ndarray::Array2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Area, Bitmap, PlotError, text_style};
use super::colormap::Scale;

const MARGIN: i32 = 12;
const GAP: i32 = 12;
const FIGURE_TITLE: i32 = 32;
const PANEL_TITLE: i32 = 22;
const BAR_COLUMN: i32 = 110;
/// Height of a bar under a panel, with its tick labels.
const BELOW_BAR: i32 = 34;

/// The pixels of one panel.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelPixels {
    /// One plane, coloured through the panel's [`Scale`].
    Gray(Array2<f32>),
    /// Red, green and blue planes of one shape, each mapped through the panel's `Scale::Gray`.
    Rgb([Array2<f32>; 3]),
}

impl PanelPixels {
    fn dim(&self) -> (usize, usize) {
        match self {
            PanelPixels::Gray(p) => p.dim(),
            PanelPixels::Rgb(p) => p[0].dim(),
        }
    }
}

/// One titled panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The title above the panel.
    pub title: String,
    /// What to show.
    pub pixels: PanelPixels,
    /// How values become colours; panels with equal scales share one colour bar.
    pub scale: Scale,
}

/// Where a grid draws its colour bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColorBars {
    /// One bar per distinct scale, in a column at the right: for panels meant to share a scale.
    #[default]
    Column,
    /// A thin horizontal bar under every panel: for panels each on its own scale.
    BelowEachPanel,
}

/// A grid of panels with an optional figure title.
///
/// ```
/// use convkit::plot::{ColorBars, Grid, Panel, PanelPixels, Scale};
/// use ndarray::Array2;
///
/// let ramp = Array2::from_shape_fn((32, 32), |(_, c)| c as f32 / 31.0);
/// let grid = Grid {
///     title: Some("a ramp".into()),
///     columns: 2,
///     cell: 64,
///     bars: ColorBars::Column,
///     panels: vec![
///         Panel { title: "gray".into(), pixels: PanelPixels::Gray(ramp.clone()), scale: Scale::UNIT },
///         Panel { title: "signed".into(), pixels: PanelPixels::Gray(ramp - 0.5), scale: Scale::Diverging { limit: 0.5 } },
///     ],
/// };
/// let bitmap = grid.render()?;
/// assert!(bitmap.width > 128 && bitmap.height > 64);
/// # Ok::<(), convkit::plot::PlotError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The title over the whole figure.
    pub title: Option<String>,
    /// Panels per row (at least 1).
    pub columns: usize,
    /// The side of the square each panel is fitted into, in pixels.
    pub cell: u32,
    /// Where the colour bars go.
    pub bars: ColorBars,
    /// The panels, row by row.
    pub panels: Vec<Panel>,
}

/// A panel resampled to its display size, as colours.
struct Shown {
    width: i32,
    height: i32,
    colors: Vec<RGBColor>,
}

impl Grid {
    /// Draws the figure.
    pub fn render(&self) -> Result<Bitmap, PlotError> {
        if self.panels.is_empty() {
            return Err(PlotError::Empty("a grid with no panels".into()));
        }
        if self
            .panels
            .iter()
            .any(|p| p.pixels.dim().0 == 0 || p.pixels.dim().1 == 0)
        {
            return Err(PlotError::Empty("a panel with no pixels".into()));
        }
        let shown: Vec<Shown> = self
            .panels
            .iter()
            .map(|p| show(p, self.cell.max(8) as usize))
            .collect();
        let box_w = shown.iter().map(|s| s.width).max().unwrap_or(1);
        let box_h = shown.iter().map(|s| s.height).max().unwrap_or(1);
        let columns = self.columns.clamp(1, self.panels.len()) as i32;
        let rows = (self.panels.len() as i32 + columns - 1) / columns;
        let bars = match self.bars {
            ColorBars::Column => self.distinct_scales(),
            ColorBars::BelowEachPanel => Vec::new(),
        };
        let below = match self.bars {
            ColorBars::Column => 0,
            ColorBars::BelowEachPanel => BELOW_BAR,
        };
        let title_h = if self.title.is_some() {
            FIGURE_TITLE
        } else {
            0
        };
        let grid_w = columns * box_w + (columns - 1) * GAP;
        let grid_h = rows * (PANEL_TITLE + box_h + below) + (rows - 1) * GAP;
        let bar_w = if bars.is_empty() { 0 } else { GAP + BAR_COLUMN };
        let width = (2 * MARGIN + grid_w + bar_w) as u32;
        let height = (2 * MARGIN + title_h + grid_h) as u32;
        Bitmap::render(width, height, |root| {
            if let Some(t) = &self.title {
                root.draw_text(
                    t,
                    &text_style(18, HPos::Center, VPos::Top),
                    (width as i32 / 2, MARGIN),
                )?;
            }
            let top = MARGIN + title_h;
            for (i, (panel, s)) in self.panels.iter().zip(&shown).enumerate() {
                let (r, c) = (i as i32 / columns, i as i32 % columns);
                let x0 = MARGIN + c * (box_w + GAP);
                let y0 = top + r * (PANEL_TITLE + box_h + below + GAP);
                root.draw_text(
                    &panel.title,
                    &text_style(14, HPos::Center, VPos::Top),
                    (x0 + box_w / 2, y0 + 3),
                )?;
                let px = x0 + (box_w - s.width) / 2;
                let py = y0 + PANEL_TITLE + (box_h - s.height) / 2;
                draw_pixels(root, s, px, py)?;
                root.draw(&Rectangle::new(
                    [(px - 1, py - 1), (px + s.width, py + s.height)],
                    BLACK.mix(0.6).stroke_width(1),
                ))?;
                if below > 0 {
                    let y = y0 + PANEL_TITLE + box_h + 6;
                    draw_bar_below(root, panel.scale, x0 + box_w / 8, y, box_w * 3 / 4)?;
                }
            }
            if !bars.is_empty() {
                let x0 = MARGIN + grid_w + GAP;
                let each = grid_h / bars.len() as i32;
                for (i, (scale, label)) in bars.iter().enumerate() {
                    draw_bar(root, *scale, label, x0, top + i as i32 * each, each)?;
                }
            }
            Ok(())
        })
    }

    /// Renders and saves the figure as PNG (atomically).
    pub fn save_png(&self, path: impl AsRef<std::path::Path>) -> Result<(), PlotError> {
        self.render()?.save_png(path)
    }

    /// The distinct scales of the panels, first seen first, with their bar labels.
    fn distinct_scales(&self) -> Vec<(Scale, &'static str)> {
        let mut out: Vec<(Scale, &'static str)> = Vec::new();
        for p in &self.panels {
            if !out.iter().any(|(s, _)| *s == p.scale) {
                let label = match p.scale {
                    Scale::Gray { lo, hi } if lo == 0.0 && hi == 1.0 => "intensity",
                    Scale::Gray { .. } => "value",
                    Scale::Diverging { .. } => "signed",
                };
                out.push((p.scale, label));
            }
        }
        out
    }
}

fn draw_pixels(root: &Area<'_>, s: &Shown, x0: i32, y0: i32) -> Result<(), PlotError> {
    for y in 0..s.height {
        for x in 0..s.width {
            root.draw_pixel((x0 + x, y0 + y), &s.colors[(y * s.width + x) as usize])?;
        }
    }
    Ok(())
}

fn draw_bar(
    root: &Area<'_>,
    scale: Scale,
    label: &str,
    x0: i32,
    y0: i32,
    height: i32,
) -> Result<(), PlotError> {
    let label_h = 24;
    let bar_h = (height - label_h - 16).max(20);
    let (bx, by, bw) = (x0 + 4, y0 + label_h, 18);
    root.draw_text(label, &text_style(14, HPos::Left, VPos::Top), (x0, y0 + 3))?;
    for y in 0..bar_h {
        let t = 1.0 - y as f32 / (bar_h - 1).max(1) as f32;
        let color = scale.color_at(t);
        root.draw(&Rectangle::new(
            [(bx, by + y), (bx + bw, by + y + 1)],
            color.filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(bx, by), (bx + bw, by + bar_h)],
        BLACK.stroke_width(1),
    ))?;
    let [lo, mid, hi] = scale.ticks();
    for (v, y) in [(hi, by), (mid, by + bar_h / 2), (lo, by + bar_h)] {
        root.draw(&PathElement::new(
            vec![(bx + bw, y), (bx + bw + 4, y)],
            BLACK.stroke_width(1),
        ))?;
        root.draw_text(
            &tick_label(v),
            &text_style(13, HPos::Left, VPos::Center),
            (bx + bw + 7, y),
        )?;
    }
    Ok(())
}

/// A horizontal colour bar `width` wide at (x0, y0), ticks at both ends and the middle.
fn draw_bar_below(
    root: &Area<'_>,
    scale: Scale,
    x0: i32,
    y0: i32,
    width: i32,
) -> Result<(), PlotError> {
    let h = 9;
    for x in 0..width {
        let t = x as f32 / (width - 1).max(1) as f32;
        root.draw(&Rectangle::new(
            [(x0 + x, y0), (x0 + x + 1, y0 + h)],
            scale.color_at(t).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + width, y0 + h)],
        BLACK.stroke_width(1),
    ))?;
    let [lo, mid, hi] = scale.ticks();
    for (v, x) in [(lo, x0), (mid, x0 + width / 2), (hi, x0 + width)] {
        root.draw_text(
            &tick_label(v),
            &text_style(12, HPos::Center, VPos::Top),
            (x, y0 + h + 3),
        )?;
    }
    Ok(())
}

/// 0, 0.5, -1.25, 12.3: at most three significant decimals, no trailing zeros.
fn tick_label(v: f32) -> String {
    let s = if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Resamples a panel to fit a `cell`×`cell` square and colours it.
fn show(panel: &Panel, cell: usize) -> Shown {
    let (h, w) = panel.pixels.dim();
    let (dh, dw) = display_size(h, w, cell);
    let planes: Vec<Array2<f32>> = match &panel.pixels {
        PanelPixels::Gray(p) => vec![resample(p, dh, dw)],
        PanelPixels::Rgb(ps) => ps.iter().map(|p| resample(p, dh, dw)).collect(),
    };
    let colors = (0..dh * dw)
        .map(|i| {
            let (r, c) = (i / dw, i % dw);
            match planes.as_slice() {
                [g] => panel.scale.color(g[[r, c]]),
                [red, green, blue] => {
                    let ch =
                        |p: &Array2<f32>| (panel.scale.position(p[[r, c]]) * 255.0).round() as u8;
                    RGBColor(ch(red), ch(green), ch(blue))
                }
                _ => WHITE,
            }
        })
        .collect();
    Shown {
        width: dw as i32,
        height: dh as i32,
        colors,
    }
}

/// The display size: shrunk to fit, or enlarged by the largest whole factor that fits.
fn display_size(h: usize, w: usize, cell: usize) -> (usize, usize) {
    let longest = h.max(w);
    if longest <= cell {
        let m = cell / longest;
        (h * m, w * m)
    } else {
        let f = cell as f64 / longest as f64;
        (
            ((h as f64 * f).round() as usize).max(1),
            ((w as f64 * f).round() as usize).max(1),
        )
    }
}

/// Nearest-neighbour enlargement or area-average reduction of `p` to `dh`×`dw`.
fn resample(p: &Array2<f32>, dh: usize, dw: usize) -> Array2<f32> {
    let (h, w) = p.dim();
    if dh >= h && dw >= w {
        return Array2::from_shape_fn((dh, dw), |(r, c)| p[[r * h / dh, c * w / dw]]);
    }
    Array2::from_shape_fn((dh, dw), |(r, c)| {
        let (r0, r1) = (r * h / dh, ((r + 1) * h / dh).max(r * h / dh + 1));
        let (c0, c1) = (c * w / dw, ((c + 1) * w / dw).max(c * w / dw + 1));
        let block = p.slice(ndarray::s![r0..r1.min(h), c0..c1.min(w)]);
        block.iter().sum::<f32>() / block.len() as f32
    })
}
