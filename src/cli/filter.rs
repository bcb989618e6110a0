//! `convkit filter`: filter a photograph (or the built-in test image) with library kernels,
//! write the results, a comparison grid, and a padding-mode comparison.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use clap::Args;

use super::CliError;
use crate::image::figures::{FilterResult, comparison_grid, padding_grid};
use crate::image::{Filter, Image, ImageFilter, Kernel, KernelError, ToneMap, io, test_image};
use crate::signal::{Algorithm, Op, Padding};

/// Arguments of `convkit filter`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// PNG or JPEG to filter (gray or colour; colour is filtered per channel). Without it, the
    /// built-in 256×256 test image.
    image: Option<PathBuf>,
    /// Kernels, comma-separated: identity, sharpen, box[:N], edge-enhance, laplacian, sobel-x,
    /// sobel-y, prewitt-x, prewitt-y, gaussian[:N[:SIGMA]], log[:N[:SIGMA]], emboss,
    /// unsharp[:N[:SIGMA[:AMOUNT]]], gradient (Sobel magnitude), or a text file of numbers
    /// (one row per line; `file:PATH` to be explicit).
    #[arg(short, long, value_name = "KERNEL[,KERNEL...]", required = true)]
    kernel: String,
    /// Boundary extension: zero, replicate, reflect, symmetric or circular.
    #[arg(long, default_value = "reflect")]
    pad: Padding,
    /// convolve (flip the kernel; the default) or correlate (OpenCV filter2D's operation).
    #[arg(long, default_value = "convolve")]
    op: Op,
    /// auto, direct or fft.
    #[arg(long, default_value = "auto")]
    algo: Algorithm,
    /// How values become pixels in OUT: auto (clamp for blurs and sharpening, centered for
    /// signed edge responses, minmax for the gradient), clamp, minmax or centered.
    #[arg(long, default_value = "auto")]
    tone: ToneChoice,
    /// Output image (.png, .jpg). With several kernels, one file per kernel: OUT-KERNEL.png
    /// (':' in the kernel name becomes '_', e.g. out-gaussian_15_3.png).
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Write a comparison figure: the original and every result, titled with kernel and padding.
    #[arg(long, value_name = "GRID.png")]
    compare: Option<PathBuf>,
    /// Write a figure of each kernel under every padding mode, with a magnified corner crop
    /// and its difference from reflect (several kernels: PADS-KERNEL.png).
    #[arg(long, value_name = "PADS.png")]
    pad_compare: Option<PathBuf>,
}

/// `--tone`: the filter's natural tone map, or one forced for every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ToneChoice {
    Auto,
    Fixed(ToneMap),
}

impl FromStr for ToneChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(ToneChoice::Auto);
        }
        s.parse().map(ToneChoice::Fixed).map_err(|_| {
            format!("unknown tone '{s}' (expected one of: auto, clamp, minmax, centered)")
        })
    }
}

pub(super) fn run(args: &FilterArgs) -> Result<(), CliError> {
    let filters = parse_filters(&args.kernel)?;
    let (image, source) = match &args.image {
        Some(path) => (io::read(path)?, path.display().to_string()),
        None => {
            println!("no IMAGE given: using the built-in 256×256 test image");
            (test_image::standard(), "built-in test image".to_string())
        }
    };
    let kind = match image.channels() {
        crate::image::Channels::Gray => "gray",
        crate::image::Channels::Rgb => "RGB",
    };
    println!(
        "{source}: {}×{} {kind}{}",
        image.width(),
        image.height(),
        if image.alpha().is_some() {
            " + alpha (kept unfiltered)"
        } else {
            ""
        }
    );
    let mut results = Vec::new();
    for f in &filters {
        let filter = ImageFilter::new(f.clone())
            .op(args.op)
            .padding(args.pad)
            .algorithm(args.algo);
        let start = Instant::now();
        let r = FilterResult::compute(filter, &image)?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let (lo, hi) = range(&r.image);
        println!(
            "  {:<28} values {lo:>8.3} .. {hi:<8.3} {ms:>8.1} ms",
            r.title()
        );
        results.push(r);
    }
    let names = file_suffixes(&filters);
    if let Some(out) = &args.out {
        io::OutputFormat::from_path(out)?;
        for (r, name) in results.iter().zip(&names) {
            let path = per_kernel_path(out, name, results.len());
            let tone = match args.tone {
                ToneChoice::Auto => r.filter.filter().tone(),
                ToneChoice::Fixed(t) => t,
            };
            io::write(&path, &r.image, tone)?;
            println!("wrote {} ({}, tone {tone})", path.display(), r.title());
        }
    }
    // Figure titles name the file, not its directory.
    let label = args
        .image
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or(source.clone(), |n| n.to_string_lossy().into_owned());
    if let Some(grid_path) = &args.compare {
        let title = format!("{label}: {} with {} padding", args.op, args.pad);
        comparison_grid(&image, &results, &title, 0).save_png(grid_path)?;
        println!("wrote {} (comparison grid)", grid_path.display());
    }
    if let Some(pads) = &args.pad_compare {
        for (r, name) in results.iter().zip(&names) {
            let path = per_kernel_path(pads, name, results.len());
            let title = format!(
                "{label}: {} ({}) under every padding mode",
                r.filter.filter(),
                args.op
            );
            padding_grid(&image, &r.filter, &title)?.save_png(&path)?;
            println!("wrote {} (padding comparison)", path.display());
        }
    }
    if args.out.is_none() && args.compare.is_none() && args.pad_compare.is_none() {
        println!("nothing written: add -o OUT.png, --compare GRID.png or --pad-compare PADS.png");
    }
    Ok(())
}

/// Splits `-k` at commas; each part is a library name, `gradient`, or a kernel file.
fn parse_filters(list: &str) -> Result<Vec<Filter>, CliError> {
    let parts: Vec<&str> = list.split(',').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(CliError::Usage(format!(
            "-k '{list}': empty kernel name (separate kernels with single commas)"
        )));
    }
    parts
        .into_iter()
        .map(|p| {
            if let Some(file) = p.strip_prefix("file:") {
                return Ok(Filter::Kernel(Kernel::from_file(file)?));
            }
            match p.parse::<Filter>() {
                Err(KernelError::UnknownName(_)) if Path::new(p).is_file() => {
                    Ok(Filter::Kernel(Kernel::from_file(p)?))
                }
                other => Ok(other?),
            }
        })
        .collect()
}

/// File-name-safe names of the filters (`gaussian:15:3` → `gaussian_15_3`), made unique.
fn file_suffixes(filters: &[Filter]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in filters {
        let base: String = f
            .to_string()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = base.clone();
        let mut k = 2;
        while out.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// `out.png` itself for one kernel; `out-<name>.png` for several.
fn per_kernel_path(path: &Path, name: &str, count: usize) -> PathBuf {
    if count == 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = match path.extension() {
        Some(ext) => format!("{stem}-{name}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{name}"),
    };
    path.with_file_name(file)
}

fn range(img: &Image) -> (f32, f32) {
    img.planes()
        .iter()
        .flat_map(|p| p.iter())
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}
