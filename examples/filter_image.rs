//! The library route to image filtering: load a photograph, filter it with two kernels, save
//! the results and a comparison grid.
//!
//! ```sh
//! cargo run --release --example filter_image                 # the built-in test image
//! cargo run --release --example filter_image -- photo.jpg    # your own PNG or JPEG
//! ```
//!
//! Writes `filter_image/` in the current directory: `sharpened.png`, `edges.png`, `grid.png`.

use convkit::image::figures::{FilterResult, comparison_grid};
use convkit::image::{ImageFilter, Kernel, ToneMap, io, test_image};
use convkit::signal::Padding;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Load: a PNG/JPEG from the command line (gray → 1 plane, colour → 3), or the test image.
    let image = match std::env::args_os().nth(1) {
        Some(path) => io::read(path)?,
        None => test_image::standard(),
    };

    // 2. Filter: a 5×5 Gaussian unsharp mask and the Sobel gradient magnitude. Defaults are
    //    true convolution with reflect padding; here the padding is spelled out.
    let sharpen = ImageFilter::new(Kernel::UnsharpMask {
        size: 5,
        sigma: 1.0,
        amount: 1.5,
    })
    .padding(Padding::Reflect);
    let edges = ImageFilter::new(Kernel::SobelX).padding(Padding::Replicate);
    let results = vec![
        FilterResult::compute(sharpen, &image)?,
        FilterResult::compute(edges, &image)?,
    ];

    // 3. Save: a sharpened image is clamped to [0, 1]; a signed edge map is centred on gray.
    let dir = std::path::Path::new("filter_image");
    std::fs::create_dir_all(dir)?;
    io::write(dir.join("sharpened.png"), &results[0].image, ToneMap::Clamp)?;
    io::write(dir.join("edges.png"), &results[1].image, ToneMap::Centered)?;
    comparison_grid(&image, &results, "unsharp mask and Sobel x", 0)
        .save_png(dir.join("grid.png"))?;
    println!("wrote {}/sharpened.png, edges.png, grid.png", dir.display());
    Ok(())
}
