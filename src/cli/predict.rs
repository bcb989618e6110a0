//! `convkit predict`: classify one digit image with a checkpoint.
//!
//! The image is made gray (channel mean), resized to the network's input by area averaging,
//! and inverted if its background is light (MNIST digits are white on black), then the class
//! probabilities are printed.

use std::path::PathBuf;

use clap::Args;
use ndarray::Array4;

use super::CliError;
use crate::data::resize_area;
use crate::image::io;
use crate::nn::{ConvAlgorithm, softmax};
use crate::train::Checkpoint;

/// Arguments of `convkit predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A checkpoint written by `convkit train`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// The digit image (PNG or JPEG, any size; 28×28 is used as is).
    image: PathBuf,
    /// Convolution algorithm.
    #[arg(long, default_value = "auto")]
    algo: ConvAlgorithm,
}

/// Runs `convkit predict`.
pub fn run(args: &PredictArgs) -> Result<(), CliError> {
    let ck = Checkpoint::read(&args.model)?;
    let arch = ck.config()?.arch;
    let mut model = ck.model(args.algo)?;
    let img = io::read(&args.image)?;
    let (h, w) = (img.height(), img.width());
    let planes = img.planes();
    // Transparent pixels are composited over white: a digit drawn on a transparent canvas
    // then reads as dark on light and is inverted below like any other.
    let gray: Vec<f32> = (0..h * w)
        .map(|i| {
            let (r, c) = (i / w, i % w);
            let v = planes.iter().map(|p| p[[r, c]]).sum::<f32>() / planes.len() as f32;
            match img.alpha() {
                Some(a) => v * a[[r, c]] + (1.0 - a[[r, c]]),
                None => v,
            }
        })
        .collect();
    let (rows, cols) = arch.input_size();
    let mut px = resize_area(&gray, h, w, rows, cols).map_err(CliError::Usage)?;
    let mean = px.iter().sum::<f32>() / px.len() as f32;
    let inverted = mean > 0.5;
    if inverted {
        px.iter_mut().for_each(|v| *v = 1.0 - *v);
    }
    let x = Array4::from_shape_vec((1, 1, rows, cols), px)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let logits = model.forward(x.into_dyn())?;
    let logits = logits
        .into_dimensionality::<ndarray::Ix2>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let p = softmax(logits.view());
    let row: Vec<f32> = p.row(0).to_vec();
    let best = crate::train::evaluate::argmax(row.iter().copied());
    println!(
        "{}: {best} (probability {:.3}){}",
        args.image.display(),
        row[best],
        if inverted {
            "; light background, inverted to white-on-black"
        } else {
            ""
        }
    );
    let probs: Vec<String> = row
        .iter()
        .enumerate()
        .map(|(c, v)| format!("{c}:{v:.3}"))
        .collect();
    println!("  {}", probs.join(" "));
    Ok(())
}
