//! [`StemFigure`]: discrete-time sequences as stem plots, one panel per sequence, on a shared
//! n axis (the textbook picture of x\[n\], h\[n\] and y\[n\]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Bitmap, PlotError, text_style};

/// One sequence: samples `values[i]` at n = `start + i`.
#[derive(Debug, Clone, PartialEq)]
pub struct StemSeries {
    /// The panel caption, e.g. `x[n]`.
    pub label: String,
    /// The index n of the first sample.
    pub start: i64,
    /// The samples.
    pub values: Vec<f64>,
}

/// Sequences stacked vertically on one n axis, each sample's value printed above its stem.
///
/// ```
/// use convkit::plot::{StemFigure, StemSeries};
///
/// let fig = StemFigure {
///     title: "x[n]".into(),
///     series: vec![StemSeries { label: "x[n]".into(), start: 0, values: vec![3.0, 1.0, 2.0] }],
///     width: 400,
///     panel_height: 160,
/// };
/// let bitmap = fig.render()?;
/// assert_eq!((bitmap.width, bitmap.height), (400, 40 + 160));
/// # Ok::<(), convkit::plot::PlotError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StemFigure {
    /// The figure title.
    pub title: String,
    /// The sequences, top to bottom.
    pub series: Vec<StemSeries>,
    /// Figure width in pixels.
    pub width: u32,
    /// Height of each panel in pixels.
    pub panel_height: u32,
}

const TITLE: u32 = 40;

impl StemFigure {
    /// Draws the figure.
    pub fn render(&self) -> Result<Bitmap, PlotError> {
        if self.series.is_empty() || self.series.iter().any(|s| s.values.is_empty()) {
            return Err(PlotError::Empty(
                "a stem plot needs non-empty sequences".into(),
            ));
        }
        let n_lo = self.series.iter().map(|s| s.start).min().unwrap_or(0) - 1;
        let n_hi = self
            .series
            .iter()
            .map(|s| s.start + s.values.len() as i64)
            .max()
            .unwrap_or(1);
        let height = TITLE + self.panel_height * self.series.len() as u32;
        Bitmap::render(self.width, height, |root| {
            root.draw_text(
                &self.title,
                &text_style(18, HPos::Center, VPos::Top),
                (self.width as i32 / 2, 10),
            )?;
            let body = root.margin(TITLE, 0, 0, 0);
            let panels = body.split_evenly((self.series.len(), 1));
            for (area, s) in panels.iter().zip(&self.series) {
                let lo = s.values.iter().copied().fold(0.0f64, f64::min);
                let hi = s.values.iter().copied().fold(0.0f64, f64::max);
                let pad = ((hi - lo) * 0.2).max(0.5);
                let mut chart = ChartBuilder::on(area)
                    .caption(&s.label, ("sans-serif", 16))
                    .margin_left(10)
                    .margin_right(20)
                    .margin_bottom(4)
                    .x_label_area_size(28)
                    .y_label_area_size(44)
                    .build_cartesian_2d(n_lo..n_hi + 1, (lo - pad)..(hi + 1.5 * pad))?;
                chart
                    .configure_mesh()
                    .x_labels((n_hi - n_lo + 2) as usize)
                    .y_labels(5)
                    .y_label_formatter(&|v| value_label(*v))
                    .x_desc("n")
                    .light_line_style(WHITE)
                    .label_style(("sans-serif", 13))
                    .draw()?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(n_lo, 0.0), (n_hi + 1, 0.0)],
                    BLACK.stroke_width(1),
                )))?;
                let color = RGBColor(31, 90, 180);
                for (i, &v) in s.values.iter().enumerate() {
                    let n = s.start + i as i64;
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(n, 0.0), (n, v)],
                        color.stroke_width(2),
                    )))?;
                    chart.draw_series(std::iter::once(Circle::new((n, v), 5, color.filled())))?;
                    let (vpos, y) = if v >= 0.0 {
                        (VPos::Bottom, v + pad * 0.45)
                    } else {
                        (VPos::Top, v - pad * 0.45)
                    };
                    chart.draw_series(std::iter::once(Text::new(
                        value_label(v),
                        (n, y),
                        text_style(14, HPos::Center, vpos),
                    )))?;
                }
            }
            Ok(())
        })
    }

    /// Renders and saves the figure as PNG (atomically).
    pub fn save_png(&self, path: impl AsRef<std::path::Path>) -> Result<(), PlotError> {
        self.render()?.save_png(path)
    }
}

/// `9`, `-2`, `0.333`: integers without decimals, others with up to three.
fn value_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
