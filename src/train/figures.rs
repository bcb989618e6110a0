//! The figures of a training run: loss and accuracy curves per epoch, the first layer's
//! learned filters, the feature maps of one digit after each convolution layer, and accuracy
//! against added pixel noise.

use ndarray::{Array2, ArrayD, Axis, Ix4};

use super::EpochRecord;
use crate::nn::{NnError, Sequential};
use crate::plot::{
    Bitmap, ColorBars, Grid, LineChart, Panel, PanelPixels, PlotError, Scale, Series,
};

/// Most maps shown per convolution layer.
const MAX_MAPS: usize = 16;

/// Loss (left) and accuracy (right) per epoch, training and validation.
pub fn curves(history: &[EpochRecord]) -> Result<Bitmap, PlotError> {
    let series = |label: &str, f: &dyn Fn(&EpochRecord) -> f64| Series {
        label: label.into(),
        points: history
            .iter()
            .map(|r| (r.epoch as f64, f(r)))
            .filter(|p| p.1.is_finite())
            .collect(),
    };
    // The first series is drawn as a thin light backdrop: an empty one keeps both real curves bold.
    let backdrop = Series {
        label: String::new(),
        points: Vec::new(),
    };
    let loss = LineChart {
        title: "loss (softmax cross-entropy)".into(),
        x_label: "epoch".into(),
        y_label: "loss".into(),
        series: vec![
            backdrop.clone(),
            series("train", &|r| r.train_loss),
            series("validation", &|r| r.val_loss),
        ],
        size: (560, 400),
    };
    let acc = LineChart {
        title: "accuracy".into(),
        x_label: "epoch".into(),
        y_label: "accuracy".into(),
        series: vec![
            backdrop,
            series("train", &|r| r.train_accuracy),
            series("validation", &|r| r.val_accuracy),
        ],
        size: (560, 400),
    };
    Ok(Bitmap::beside(&[loss.render()?, acc.render()?]))
}

/// The first convolution layer's kernels, one panel per (output, input) channel pair, on one
/// diverging scale (red positive, blue negative).
pub fn filters(model: &Sequential<f32>) -> Option<Grid> {
    let w = model
        .layers()
        .iter()
        .find(|l| l.describe().starts_with("Conv2d"))?
        .params()
        .first()?
        .value
        .clone()
        .into_dimensionality::<Ix4>()
        .ok()?;
    let limit = w.iter().fold(0f32, |m, v| m.max(v.abs()));
    let (o, i, _, _) = w.dim();
    let panels = (0..o)
        .flat_map(|a| (0..i).map(move |b| (a, b)))
        .map(|(a, b)| Panel {
            title: if i == 1 {
                format!("filter {a}")
            } else {
                format!("{a}/{b}")
            },
            pixels: PanelPixels::Gray(w.index_axis(Axis(0), a).index_axis(Axis(0), b).to_owned()),
            scale: Scale::Diverging { limit },
        })
        .collect();
    Some(Grid {
        title: Some("learned first-layer filters (weights, OIHW)".into()),
        columns: o.min(5),
        cell: 72,
        bars: ColorBars::Column,
        panels,
    })
}

/// For one image (C×H×W → a batch of one), a grid per convolution layer: the input digit, then
/// up to 16 of the layer's output maps, each on its own diverging scale.
pub fn feature_maps(model: &mut Sequential<f32>, image: ArrayD<f32>) -> Result<Vec<Grid>, NnError> {
    if image.ndim() != 4 || image.shape()[0] == 0 || image.shape()[1] == 0 {
        return Err(crate::nn::error::shape_error(
            "feature_maps",
            "[1, C, H, W]",
            image.shape(),
        ));
    }
    let was_training = model.is_training();
    model.eval();
    let input = image
        .index_axis(Axis(0), 0)
        .index_axis(Axis(0), 0)
        .to_owned()
        .into_dimensionality::<ndarray::Ix2>()
        .ok();
    let trace = model.forward_trace(image);
    if was_training {
        model.train();
    }
    let mut grids = Vec::new();
    for (k, (_, out)) in trace?
        .into_iter()
        .filter(|(d, o)| d.starts_with("Conv2d") && o.ndim() == 4)
        .enumerate()
    {
        let mut panels: Vec<Panel> = input
            .iter()
            .map(|x: &Array2<f32>| Panel {
                title: "input".into(),
                pixels: PanelPixels::Gray(x.clone()),
                scale: Scale::UNIT,
            })
            .collect();
        let maps = out.index_axis(Axis(0), 0);
        for (c, m) in maps.axis_iter(Axis(0)).take(MAX_MAPS).enumerate() {
            let limit = m.iter().fold(0f32, |a, v| a.max(v.abs())).max(1e-6);
            let m2 = m.to_owned().into_dimensionality::<ndarray::Ix2>();
            if let Ok(m2) = m2 {
                panels.push(Panel {
                    title: format!("map {c}"),
                    pixels: PanelPixels::Gray(m2),
                    scale: Scale::Diverging { limit },
                });
            }
        }
        let (n_maps, h, w) = (
            maps.len_of(Axis(0)),
            maps.len_of(Axis(1)),
            maps.len_of(Axis(2)),
        );
        grids.push(Grid {
            title: Some(format!(
                "conv layer {}: {n_maps} maps of {h}×{w}{}",
                k + 1,
                if n_maps > MAX_MAPS {
                    format!(" (first {MAX_MAPS})")
                } else {
                    String::new()
                }
            )),
            columns: 6,
            cell: 96,
            bars: ColorBars::BelowEachPanel,
            panels,
        });
    }
    Ok(grids)
}

/// Accuracy against the standard deviation of added Gaussian pixel noise.
pub fn robustness_chart(points: &[(f64, f64)], label: &str) -> LineChart {
    LineChart {
        title: "accuracy under Gaussian pixel noise".into(),
        x_label: "noise standard deviation (pixels in [0, 1])".into(),
        y_label: "test accuracy".into(),
        series: vec![
            Series {
                label: String::new(),
                points: Vec::new(),
            },
            Series {
                label: label.into(),
                points: points.to_vec(),
            },
        ],
        size: (640, 420),
    }
}
