//! `convkit bench`: times direct, FFT, overlap-add and Auto on the W1 / W2 workloads, prints the
//! table with the winner and Auto's choice, and draws the timing charts (PNG and SVG).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::bench::timing::{Timing, time};
use crate::bench::workloads::{self, Case, Workload};
use crate::plot::timing_chart::{Panel, Point, TimingChart};
use crate::signal::Algorithm;
use crate::signal::parallel::{self, Work};

/// Which workloads to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadChoice {
    /// 1-D full convolution, f64.
    W1,
    /// 2-D 'same' convolution, f32.
    W2,
    /// Both.
    All,
}

/// Arguments of `convkit bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A reduced grid that runs in under a minute.
    #[arg(long)]
    quick: bool,
    /// Which workloads.
    #[arg(long, value_enum, default_value = "all")]
    workload: WorkloadChoice,
    /// Also write every case as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Directory for the charts timing-w1.{png,svg} and timing-w2.{png,svg}.
    #[arg(long, default_value = "convkit-bench")]
    out: PathBuf,
}

const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::Direct,
    Algorithm::Fft,
    Algorithm::OverlapAdd,
    Algorithm::Auto,
];

/// One case's results.
struct Row {
    case: Case,
    timings: Vec<(Algorithm, Timing)>,
    auto_choice: Algorithm,
}

impl Row {
    fn best(&self) -> (Algorithm, f64) {
        self.timings
            .iter()
            .filter(|(a, _)| *a != Algorithm::Auto)
            .map(|(a, t)| (*a, t.median_s))
            .fold((Algorithm::Direct, f64::INFINITY), |b, x| {
                if x.1 < b.1 { x } else { b }
            })
    }

    fn median(&self, algorithm: Algorithm) -> f64 {
        self.timings
            .iter()
            .find(|(a, _)| *a == algorithm)
            .map_or(f64::NAN, |(_, t)| t.median_s)
    }
}

pub(super) fn run(args: &BenchArgs) -> Result<(), CliError> {
    let mut cases = Vec::new();
    if args.workload != WorkloadChoice::W2 {
        cases.extend(workloads::w1(args.quick));
    }
    if args.workload != WorkloadChoice::W1 {
        cases.extend(workloads::w2(args.quick));
    }
    std::fs::create_dir_all(&args.out).map_err(|source| CliError::Io {
        path: args.out.clone(),
        source,
    })?;
    let threads = rayon::current_num_threads();
    let budget = if args.quick { 0.05 } else { 0.5 };
    let bar = ProgressBar::new((cases.len() * ALGORITHMS.len()) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut rows = Vec::new();
    for case in cases {
        let inputs = case.inputs();
        let mut timings = Vec::new();
        for algorithm in ALGORITHMS {
            bar.set_message(format!(
                "{} {} K={} {}",
                case.workload, case.size, case.kernel, algorithm
            ));
            let mut failure = None;
            let t = time(budget, || {
                if let Err(e) = case.run(&inputs, algorithm) {
                    failure = Some(e);
                }
            });
            if let Some(e) = failure {
                bar.abandon();
                return Err(e.into());
            }
            timings.push((algorithm, t));
            bar.inc(1);
        }
        let auto_choice = case.auto_choice(&inputs)?;
        rows.push(Row {
            case,
            timings,
            auto_choice,
        });
    }
    bar.finish_and_clear();
    println!("{}", table(&rows, threads));
    for workload in [Workload::W1, Workload::W2] {
        let chart = chart(&rows, workload);
        if chart.panels.is_empty() {
            continue;
        }
        let stem = args
            .out
            .join(format!("timing-{}", workload.to_string().to_lowercase()));
        chart.save_png(stem.with_extension("png"))?;
        chart.save_svg(stem.with_extension("svg"))?;
        println!("wrote {}.png and .svg", stem.display());
    }
    if let Some(path) = &args.json {
        crate::atomic_file::write(path, json(&rows, threads).as_bytes()).map_err(|source| {
            CliError::Io {
                path: path.clone(),
                source,
            }
        })?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn ms(s: f64) -> String {
    format!("{:.3}", s * 1e3)
}

/// The markdown table: one row per case, medians in milliseconds.
fn table(rows: &[Row], threads: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "median ms per call, {threads} thread(s); direct rate in G multiply-adds/s per core"
    );
    let _ = writeln!(
        out,
        "| case | K | direct | fft | overlap-add | auto (choice) | best | auto/best | direct GMAC/s/core |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---|---:|---:|");
    for r in rows {
        let c = &r.case;
        let name = match c.workload {
            Workload::W1 => format!("W1 N={} f64", c.size),
            Workload::W2 => format!("W2 S={} {} f32", c.size, c.padding),
        };
        let (best, best_s) = r.best();
        let auto = r.median(Algorithm::Auto);
        // Per core of the threads the direct path used: small problems run on one.
        let plane = c.workload == Workload::W2;
        let used = parallel::threads_for(c.macs() as usize, Work::direct(plane)).min(threads);
        let rate = c.macs() / r.median(Algorithm::Direct) / 1e9 / used as f64;
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} ({}) | {best} | {:.2} | {rate:.1} |",
            c.kernel,
            ms(r.median(Algorithm::Direct)),
            ms(r.median(Algorithm::Fft)),
            ms(r.median(Algorithm::OverlapAdd)),
            ms(auto),
            r.auto_choice,
            auto / best_s,
        );
    }
    out
}

/// Panels per (size, padding) of one workload.
fn chart(rows: &[Row], workload: Workload) -> TimingChart {
    let mut panels: Vec<Panel> = Vec::new();
    for r in rows.iter().filter(|r| r.case.workload == workload) {
        let c = &r.case;
        let title = match workload {
            Workload::W1 => format!("W1 1-D full f64, N = {}", c.size),
            Workload::W2 => format!("W2 2-D same f32, S = {}, {}", c.size, c.padding),
        };
        if panels.last().is_none_or(|p| p.title != title) {
            panels.push(Panel {
                title,
                lines: ALGORITHMS.iter().map(|&a| (a, Vec::new())).collect(),
            });
        }
        let panel = panels.last_mut().expect("pushed above");
        for (algorithm, t) in &r.timings {
            if let Some((_, points)) = panel.lines.iter_mut().find(|(a, _)| a == algorithm) {
                points.push(Point {
                    kernel: c.kernel,
                    seconds: t.median_s,
                });
            }
        }
    }
    TimingChart { panels, columns: 2 }
}

/// Every case as a JSON array of records.
fn json(rows: &[Row], threads: usize) -> String {
    let mut records = Vec::new();
    for r in rows {
        let c = &r.case;
        for (algorithm, t) in &r.timings {
            records.push(format!(
                "  {{\"workload\": \"{}\", \"size\": {}, \"kernel\": {}, \"padding\": \"{}\", \"dtype\": \"{}\", \"algorithm\": \"{}\", \"auto_choice\": \"{}\", \"threads\": {threads}, \"median_s\": {:e}, \"min_s\": {:e}, \"reps\": {}}}",
                c.workload, c.size, c.kernel, c.padding, c.dtype(), algorithm, r.auto_choice, t.median_s, t.min_s, t.reps
            ));
        }
    }
    format!("[\n{}\n]\n", records.join(",\n"))
}
