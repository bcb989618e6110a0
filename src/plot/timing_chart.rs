//! The direct-vs-FFT timing chart: one panel per (workload, size, padding), time against kernel
//! size on log-log axes, one line per algorithm, the crossover marked where a transform first
//! beats the direct sum.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Bitmap, PlotError};
use crate::signal::Algorithm;

/// One measured point: kernel size K and median seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Kernel size K.
    pub kernel: usize,
    /// Median seconds per call.
    pub seconds: f64,
}

/// One panel: a title and a line per algorithm.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// e.g. "W2 S=1024 zero f32".
    pub title: String,
    /// (algorithm, points in increasing K).
    pub lines: Vec<(Algorithm, Vec<Point>)>,
}

impl Panel {
    /// The smallest K at which FFT or overlap-add is faster than direct, if any.
    pub fn crossover(&self) -> Option<usize> {
        let direct = &self.lines.iter().find(|(a, _)| *a == Algorithm::Direct)?.1;
        let transforms: Vec<&Vec<Point>> = self
            .lines
            .iter()
            .filter(|(a, _)| matches!(a, Algorithm::Fft | Algorithm::OverlapAdd))
            .map(|(_, p)| p)
            .collect();
        direct.iter().map(|d| d.kernel).find(|&k| {
            let at = |pts: &Vec<Point>| pts.iter().find(|p| p.kernel == k).map(|p| p.seconds);
            let d = at(direct).unwrap_or(f64::INFINITY);
            transforms.iter().filter_map(|t| at(t)).any(|t| t < d)
        })
    }
}

/// The chart: panels laid out in a grid of `columns`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimingChart {
    /// The panels.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
}

fn color(a: Algorithm) -> RGBColor {
    match a {
        Algorithm::Direct => RGBColor(31, 119, 180),
        Algorithm::Fft => RGBColor(214, 39, 40),
        Algorithm::OverlapAdd => RGBColor(44, 160, 44),
        Algorithm::Auto => RGBColor(40, 40, 40),
    }
}

impl TimingChart {
    /// Pixel size: 520 × 380 per cell of the grid.
    pub fn size(&self) -> (u32, u32) {
        let (rows, columns) = self.grid();
        (520 * columns as u32, 380 * rows as u32)
    }

    /// (rows, columns) of the grid: no wider than the panels it holds, so a single panel (the
    /// quick bench's W2) is not drawn beside empty cells.
    fn grid(&self) -> (usize, usize) {
        let columns = self.columns.min(self.panels.len()).max(1);
        (self.panels.len().div_ceil(columns).max(1), columns)
    }

    /// Writes the chart as PNG, atomically.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let (w, h) = self.size();
        Bitmap::render(w, h, |root| self.draw(root))?.save_png(path)
    }

    /// Writes the chart as SVG, atomically.
    pub fn save_svg(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            self.draw(&root)?;
            root.present()?;
        }
        crate::atomic_file::write(path, svg.as_bytes()).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let err = |e: &dyn std::fmt::Display| PlotError::Drawing(e.to_string());
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let areas = root.split_evenly(self.grid());
        for (area, panel) in areas.iter().zip(&self.panels) {
            let all: Vec<&Point> = panel.lines.iter().flat_map(|(_, p)| p.iter()).collect();
            if all.is_empty() {
                continue;
            }
            let kmin = all.iter().map(|p| p.kernel).min().unwrap_or(1) as f64;
            let kmax = all.iter().map(|p| p.kernel).max().unwrap_or(2) as f64;
            let tmin = all.iter().map(|p| p.seconds).fold(f64::INFINITY, f64::min);
            let tmax = all.iter().map(|p| p.seconds).fold(0.0, f64::max);
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(
                    (kmin * 0.8..kmax * 1.25).log_scale(),
                    (tmin * 0.7..tmax * 1.5).log_scale(),
                )
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc("kernel size K")
                .y_desc("seconds per call (median)")
                .x_label_formatter(&|k| format!("{k:.0}"))
                .y_label_formatter(&|t| format!("{t:.0e}"))
                .draw()
                .map_err(|e| err(&e))?;
            if let Some(k) = panel.crossover() {
                let k = k as f64;
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(k, tmin * 0.7), (k, tmax * 1.5)],
                        6,
                        4,
                        BLACK.mix(0.6).stroke_width(2),
                    ))
                    .map_err(|e| err(&e))?
                    .label(format!("crossover K = {k:.0}"))
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.6)));
            }
            for (algorithm, points) in &panel.lines {
                let c = color(*algorithm);
                let style = if *algorithm == Algorithm::Auto {
                    c.stroke_width(1)
                } else {
                    c.stroke_width(2)
                };
                let xy: Vec<(f64, f64)> = points
                    .iter()
                    .map(|p| (p.kernel as f64, p.seconds))
                    .collect();
                chart
                    .draw_series(LineSeries::new(xy.clone(), style))
                    .map_err(|e| err(&e))?
                    .label(algorithm.to_string())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                    });
                chart
                    .draw_series(xy.iter().map(|&p| Circle::new(p, 3, c.filled())))
                    .map_err(|e| err(&e))?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .draw()
                .map_err(|e| err(&e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_no_wider_than_its_panels() {
        let panel = Panel {
            title: "t".into(),
            lines: Vec::new(),
        };
        let chart = |n: usize| TimingChart {
            panels: vec![panel.clone(); n],
            columns: 2,
        };
        assert_eq!(chart(1).size(), (520, 380));
        assert_eq!(chart(3).size(), (1040, 760));
        assert_eq!(chart(4).size(), (1040, 760));
        assert_eq!(chart(0).size(), (520, 380));
    }

    #[test]
    fn crossover_is_the_first_k_where_a_transform_wins() {
        let pts = |v: &[(usize, f64)]| {
            v.iter()
                .map(|&(kernel, seconds)| Point { kernel, seconds })
                .collect()
        };
        let panel = Panel {
            title: "t".into(),
            lines: vec![
                (Algorithm::Direct, pts(&[(3, 1.0), (16, 4.0), (64, 16.0)])),
                (Algorithm::Fft, pts(&[(3, 5.0), (16, 5.0), (64, 5.0)])),
                (
                    Algorithm::OverlapAdd,
                    pts(&[(3, 3.0), (16, 3.5), (64, 6.0)]),
                ),
            ],
        };
        assert_eq!(panel.crossover(), Some(16));
    }
}
