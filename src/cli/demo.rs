//! `convkit demo`: the README's main job. Prints the lecture's worked example as a flip-and-slide
//! table, the same smoothing under every padding mode, and a 2-D feature map; then writes the
//! figures (the lecture's filters on the built-in test image, a padding-mode comparison, stem
//! plots of the worked example, the test image itself) into an output directory.

use std::path::PathBuf;

use clap::Args;
use ndarray::{Array1, arr2};

use super::CliError;
use crate::image::figures::{FilterResult, comparison_grid, padding_grid};
use crate::image::{Filter, ImageFilter, Kernel, ToneMap, io, test_image};
use crate::plot::{StemFigure, StemSeries};
use crate::signal::flip_slide::{FlipSlideTable, format_number};
use crate::signal::lti::Signal;
use crate::signal::{Conv, Op, Output, Padding};

/// Arguments of `convkit demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory the figures are written to (created if missing).
    #[arg(long, value_name = "DIR", default_value = "convkit-demo")]
    out: PathBuf,
}

/// The lecture's filters, as the demo's comparison grid shows them.
pub fn lecture_filters() -> Vec<Filter> {
    vec![
        Filter::Kernel(Kernel::Sharpen),
        Filter::Kernel(Kernel::BoxBlur { size: 3 }),
        Filter::Kernel(Kernel::EdgeEnhance),
        Filter::Kernel(Kernel::Laplacian),
        Filter::Kernel(Kernel::SobelX),
        Filter::Kernel(Kernel::SobelY),
        Filter::GradientMagnitude,
    ]
}

pub(super) fn run(args: &DemoArgs) -> Result<(), CliError> {
    print_examples()?;
    write_figures(args)
}

fn print_examples() -> Result<(), CliError> {
    println!("== 1. The worked example: x = [3 1 2], h = [3 2 1], y = x * h ==\n");
    let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
    let h = Signal::from_values(vec![3.0, 2.0, 1.0]);
    print!("{}", FlipSlideTable::new(&x, &h, Op::Convolve)?);

    println!(
        "\n== 2. A 3-tap moving average of [1 2 3 4 5 6] ('same'), under each padding mode ==\n"
    );
    let signal = Array1::from(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let average = Array1::from_elem(3, 1.0 / 3.0);
    for mode in Padding::ALL {
        let y = Conv::convolve()
            .output(Output::Same)
            .padding(mode)
            .apply(&signal, &average)?;
        let cells: Vec<String> = y.iter().map(|&v| format!("{v:>8.3}")).collect();
        println!("{:<10} {}", mode.to_string(), cells.join(""));
    }

    println!(
        "\n== 3. A 2-D feature map: the 7×7 image correlated ('valid') with a 3×3 detector ==\n"
    );
    let image = arr2(&[
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]);
    let detector = arr2(&[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]);
    let map = Conv::correlate()
        .output(Output::Valid)
        .apply(&image, &detector)?;
    for row in map.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|&v| format!("{:>3}", format_number(v)))
            .collect();
        println!("  {}", cells.join(""));
    }
    println!("\nThe same with true convolution would flip the detector first (Op::Convolve).");
    Ok(())
}

fn write_figures(args: &DemoArgs) -> Result<(), CliError> {
    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
        path: dir.clone(),
        source,
    })?;
    println!(
        "\n== 4. Figures, written to {}/ ==\n",
        dir.display().to_string().trim_end_matches('/')
    );
    let written = |name: &str, what: &str| println!("  {:<28} {what}", name);

    let image = test_image::standard();
    io::write(dir.join("test_image.png"), &image, ToneMap::Clamp)?;
    written("test_image.png", "the built-in 256×256 test image");

    let results = lecture_filters()
        .into_iter()
        .map(|f| FilterResult::compute(ImageFilter::new(f), &image))
        .collect::<Result<Vec<_>, _>>()?;
    comparison_grid(
        &image,
        &results,
        "The lecture's filters on the test image (true convolution, reflect padding)",
        4,
    )
    .save_png(dir.join("filters.png"))?;
    written(
        "filters.png",
        "sharpen, 3×3 blur, edge enhance, Laplacian, Sobel x/y, gradient magnitude",
    );

    let blur = ImageFilter::new(Kernel::BoxBlur { size: 7 });
    padding_grid(
        &image,
        &blur,
        "7×7 box blur under every padding mode: results, a magnified corner, difference from reflect",
    )?
    .save_png(dir.join("padding.png"))?;
    written(
        "padding.png",
        "a 7×7 box blur under zero, replicate, reflect, symmetric, circular",
    );

    let y = crate::convolve(
        &Array1::from(vec![3.0, 1.0, 2.0]),
        &Array1::from(vec![3.0, 2.0, 1.0]),
    )?;
    let stems = StemFigure {
        title: "The worked example: y[n] = (x * h)[n]".to_string(),
        series: vec![
            StemSeries {
                label: "x[n]".into(),
                start: 0,
                values: vec![3.0, 1.0, 2.0],
            },
            StemSeries {
                label: "h[n]".into(),
                start: 0,
                values: vec![3.0, 2.0, 1.0],
            },
            StemSeries {
                label: "y[n] = x[n] * h[n]".into(),
                start: 0,
                values: y.to_vec(),
            },
        ],
        width: 640,
        panel_height: 200,
    };
    stems.save_png(dir.join("worked_example_stems.png"))?;
    written(
        "worked_example_stems.png",
        "stem plots of x[n], h[n] and y[n] = [9 9 11 5 2]",
    );
    println!(
        "\nFilter your own photographs: convkit filter PHOTO.png -k sharpen,box:5,sobel-x --compare grid.png"
    );
    Ok(())
}
