//! The `convkit` command line: argument parsing only; the work is in `convkit::cli`.

use clap::Parser;

fn main() {
    let cli = convkit::cli::Cli::parse();
    if let Err(e) = convkit::cli::run(cli) {
        eprintln!("convkit: error: {e}");
        std::process::exit(2);
    }
}
