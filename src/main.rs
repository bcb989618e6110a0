//! The `convkit` command line: argument parsing only; the work is in `convkit::cli`.

use clap::Parser;
use clap::error::ErrorKind;

fn main() {
    let cli = match convkit::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            // clap's message, kept to its first line (the usage hint follows on later lines).
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!(
                "convkit: error: {} (see convkit --help)",
                first.trim_start_matches("error: ").trim()
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = convkit::cli::run(cli) {
        eprintln!("convkit: error: {e}");
        std::process::exit(2);
    }
}
