//! `convkit conv`: files in, file out; or numbers typed at the terminal, result printed.

use std::path::PathBuf;

use clap::Args;
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};

use super::CliError;
use crate::npy::{self, NpyArray, NpyElement};
use crate::signal::flip_slide::{FlipSlideTable, format_number};
use crate::signal::lti::Signal;
use crate::signal::{Algorithm, Conv, Op, Output, Padding};

/// Arguments of `convkit conv`.
#[derive(Debug, Args)]
pub struct ConvArgs {
    /// Signal .npy file (1-D or 2-D, float32 or float64).
    signal_file: Option<PathBuf>,
    /// Kernel .npy file (same number of axes as the signal).
    kernel_file: Option<PathBuf>,
    /// Output .npy file (written atomically); without it the result is printed.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Signal typed inline: numbers separated by spaces or commas, rows by ';' ("1 2; 3 4").
    #[arg(long, value_name = "NUMBERS", allow_hyphen_values = true)]
    signal: Option<String>,
    /// Kernel typed inline, as --signal.
    #[arg(long, value_name = "NUMBERS", allow_hyphen_values = true)]
    kernel: Option<String>,
    /// convolve (flip the kernel) or correlate.
    #[arg(long, default_value = "convolve")]
    op: Op,
    /// full, same or valid.
    #[arg(long, default_value = "full")]
    output: Output,
    /// zero, constant:V, replicate, reflect, symmetric or circular.
    #[arg(long, default_value = "zero")]
    pad: Padding,
    /// auto, direct, fft or overlap-add.
    #[arg(long, default_value = "auto")]
    algo: Algorithm,
    /// Keep every S-th output sample on each axis.
    #[arg(long, default_value_t = 1)]
    stride: usize,
    /// Spread the kernel taps D apart on each axis.
    #[arg(long, default_value_t = 1)]
    dilation: usize,
    /// Print the lecture's flip-and-slide table and each output as a sum of products (1-D).
    #[arg(long)]
    explain: bool,
}

/// A 1-D or 2-D float array of either precision.
enum Operand {
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

pub(super) fn run(args: &ConvArgs) -> Result<(), CliError> {
    let (x, h) = operands(args)?;
    let conv = Conv::new(args.op)
        .output(args.output)
        .padding(args.pad)
        .algorithm(args.algo)
        .stride(args.stride)
        .dilation(args.dilation);
    if args.explain {
        return explain(args, &x, &h);
    }
    // Mixed precisions compute in float64, as numpy.result_type does.
    match (x, h) {
        (Operand::F32(x), Operand::F32(h)) => finish(args, apply(&conv, &x, &h)?),
        (x, h) => finish(args, apply(&conv, &x.into_f64(), &h.into_f64())?),
    }
}

fn operands(args: &ConvArgs) -> Result<(Operand, Operand), CliError> {
    let usage = |m: &str| Err(CliError::Usage(m.to_string()));
    let (x, h) = match (
        &args.signal_file,
        &args.kernel_file,
        &args.signal,
        &args.kernel,
    ) {
        (Some(xf), Some(hf), None, None) => (
            Operand::from_npy(npy::read(xf)?, xf)?,
            Operand::from_npy(npy::read(hf)?, hf)?,
        ),
        (None, None, Some(xs), Some(hs)) => (
            Operand::F64(parse_numbers(xs, "--signal")?),
            Operand::F64(parse_numbers(hs, "--kernel")?),
        ),
        (Some(_), None, None, None) => {
            return usage("missing the kernel file: convkit conv SIGNAL.npy KERNEL.npy");
        }
        (None, None, Some(_), None) | (None, None, None, Some(_)) => {
            return usage("give both --signal and --kernel");
        }
        (None, None, None, None) => {
            return usage("give SIGNAL.npy KERNEL.npy, or --signal \"3 1 2\" --kernel \"3 2 1\"");
        }
        _ => return usage("give either two .npy files or --signal/--kernel, not both"),
    };
    if x.ndim() != h.ndim() {
        return Err(CliError::Usage(format!(
            "the signal is {}-D but the kernel is {}-D: both must be 1-D or both 2-D",
            x.ndim(),
            h.ndim()
        )));
    }
    Ok((x, h))
}

impl Operand {
    fn from_npy(a: NpyArray, path: &std::path::Path) -> Result<Self, CliError> {
        let ndim = a.shape().len();
        if !(1..=2).contains(&ndim) {
            return Err(CliError::Usage(format!(
                "{}: a {ndim}-D array of shape {:?}; convkit conv takes 1-D or 2-D arrays",
                path.display(),
                a.shape()
            )));
        }
        Ok(match a {
            NpyArray::F32(a) => Operand::F32(a),
            NpyArray::F64(a) => Operand::F64(a),
        })
    }

    fn ndim(&self) -> usize {
        match self {
            Operand::F32(a) => a.ndim(),
            Operand::F64(a) => a.ndim(),
        }
    }

    fn into_f64(self) -> ArrayD<f64> {
        match self {
            Operand::F32(a) => a.mapv(f64::from),
            Operand::F64(a) => a,
        }
    }
}

fn apply<T: NpyElement>(conv: &Conv, x: &ArrayD<T>, h: &ArrayD<T>) -> Result<ArrayD<T>, CliError> {
    // `operands` checked that both are 1-D or both 2-D.
    let y = if x.ndim() == 1 {
        let (x, h) = (view::<T, Ix1>(x)?, view::<T, Ix1>(h)?);
        conv.apply(&x, &h)?.into_dyn()
    } else {
        let (x, h) = (view::<T, Ix2>(x)?, view::<T, Ix2>(h)?);
        conv.apply(&x, &h)?.into_dyn()
    };
    Ok(y)
}

fn view<T, D: ndarray::Dimension>(a: &ArrayD<T>) -> Result<ndarray::ArrayView<'_, T, D>, CliError> {
    a.view()
        .into_dimensionality::<D>()
        .map_err(|e| CliError::Usage(format!("unexpected array shape: {e}")))
}

fn finish<T: NpyElement>(args: &ConvArgs, y: ArrayD<T>) -> Result<(), CliError> {
    match &args.out {
        Some(path) => Ok(npy::write(path, &y)?),
        None => {
            println!("{}", render(&y));
            Ok(())
        }
    }
}

/// `[9, 9, 11, 5, 2]`, or one such line per row for 2-D results.
fn render<T: NpyElement>(y: &ArrayD<T>) -> String {
    let row = |r: ndarray::ArrayView1<'_, T>| {
        format!(
            "[{}]",
            r.iter()
                .map(|&v| format_number(v))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    match y.ndim() {
        1 => row(y.view().into_dimensionality::<Ix1>().expect("checked 1-D")),
        _ => y
            .outer_iter()
            .map(|r| row(r.into_dimensionality::<Ix1>().expect("rows of 2-D")))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn explain(args: &ConvArgs, x: &Operand, h: &Operand) -> Result<(), CliError> {
    if x.ndim() != 1 {
        return Err(CliError::Usage(
            "--explain draws the table for 1-D signals only".into(),
        ));
    }
    if args.output != Output::Full
        || args.pad != Padding::Zero
        || args.stride != 1
        || args.dilation != 1
    {
        return Err(CliError::Usage(
            "--explain shows the full zero-padded sum; drop --output, --pad, --stride and --dilation".into(),
        ));
    }
    let signal = |o: &Operand| match o {
        Operand::F32(a) => a.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
        Operand::F64(a) => a.iter().copied().collect(),
    };
    let (xs, hs) = (signal(x), signal(h));
    if xs.is_empty() || hs.is_empty() {
        let what = if xs.is_empty() { "signal" } else { "kernel" };
        return Err(crate::ConvError::Empty {
            what,
            shape: vec![0],
        }
        .into());
    }
    let table = FlipSlideTable::new(&Signal::from_values(xs), &Signal::from_values(hs), args.op)?;
    print!("{table}");
    Ok(())
}

/// "3 1 2" → 1-D; "1 2; 3 4" → 2-D. Commas count as spaces.
fn parse_numbers(text: &str, flag: &str) -> Result<ArrayD<f64>, CliError> {
    let rows: Vec<Vec<f64>> = text
        .split(';')
        .map(|row| {
            row.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    t.parse::<f64>()
                        .map_err(|_| CliError::Usage(format!("{flag}: '{t}' is not a number")))
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    if rows.len() == 1 {
        return Ok(Array1::from(rows.into_iter().next().unwrap_or_default()).into_dyn());
    }
    let width = rows[0].len();
    if rows.iter().any(|r| r.len() != width) {
        return Err(CliError::Usage(format!(
            "{flag}: rows of different lengths"
        )));
    }
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    Array2::from_shape_vec((rows.len(), width), flat)
        .map(|a| a.into_dyn())
        .map_err(|e| CliError::Usage(format!("{flag}: {e}")))
}
