//! `convkit demo`: the README's main job. Prints the lecture's worked example as a flip-and-slide
//! table, the same smoothing under every padding mode, and a 2-D feature map.

use ndarray::{Array1, arr2};

use super::CliError;
use crate::signal::flip_slide::{FlipSlideTable, format_number};
use crate::signal::lti::Signal;
use crate::signal::{Conv, Op, Output, Padding};

pub(super) fn run() -> Result<(), CliError> {
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
