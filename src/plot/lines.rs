//! [`LineChart`]: one or more (x, y) series on shared axes with a legend, e.g. a signal and its
//! filtered versions, or timings against problem size.

use plotters::prelude::*;

use super::canvas::{Bitmap, PlotError};

/// Distinguishable colours for successive series.
const PALETTE: [RGBColor; 6] = [
    RGBColor(170, 170, 170),
    RGBColor(40, 40, 40),
    RGBColor(214, 96, 24),
    RGBColor(31, 90, 180),
    RGBColor(40, 150, 60),
    RGBColor(170, 40, 140),
];

/// One named series of points, drawn as a polyline.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend entry.
    pub label: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

/// A line chart.
///
/// ```
/// use convkit::plot::{LineChart, Series};
///
/// let chart = LineChart {
///     title: "a line".into(),
///     x_label: "x".into(),
///     y_label: "y".into(),
///     series: vec![Series { label: "y = 2x".into(), points: vec![(0.0, 0.0), (1.0, 2.0)] }],
///     size: (400, 300),
/// };
/// assert_eq!(chart.render()?.width, 400);
/// # Ok::<(), convkit::plot::PlotError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// The caption.
    pub title: String,
    /// The x axis description.
    pub x_label: String,
    /// The y axis description.
    pub y_label: String,
    /// The series; colours are taken in order from a fixed palette (light gray, near-black,
    /// orange, blue, green, purple); the first is drawn thin, as a backdrop.
    pub series: Vec<Series>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl LineChart {
    /// Draws the chart.
    pub fn render(&self) -> Result<Bitmap, PlotError> {
        let finite = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        if finite().next().is_none() {
            return Err(PlotError::Empty(
                "a line chart with no finite points".into(),
            ));
        }
        let (mut x0, mut x1, mut y0, mut y1) = finite().fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        );
        if x1 <= x0 {
            (x0, x1) = (x0 - 1.0, x1 + 1.0);
        }
        let pad = ((y1 - y0) * 0.08).max(1e-9);
        (y0, y1) = (y0 - pad, y1 + pad);
        Bitmap::render(self.size.0, self.size.1, |root| {
            let mut chart = ChartBuilder::on(root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(56)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .x_label_formatter(&|v| tick(*v))
                .y_label_formatter(&|v| tick(*v))
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .label_style(("sans-serif", 13))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()?;
            for (i, s) in self.series.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let width = if i == 0 { 1 } else { 2 };
                let drawn = chart.draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(width),
                ))?;
                // An unlabelled series (e.g. an empty backdrop) stays out of the legend.
                if !s.label.is_empty() {
                    drawn.label(s.label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                }
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font(("sans-serif", 13))
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
            Ok(())
        })
    }

    /// Renders and saves the chart as PNG (atomically).
    pub fn save_png(&self, path: impl AsRef<std::path::Path>) -> Result<(), PlotError> {
        self.render()?.save_png(path)
    }
}

/// Axis labels without needless decimals: 100, 0.5, -1.25.
fn tick(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}
