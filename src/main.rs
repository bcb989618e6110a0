//! The `convkit` command line: argument parsing and process setup; the work is in `convkit::cli`.

use clap::Parser;
use clap::error::ErrorKind;

#[cfg(unix)]
unsafe extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
}

/// Rust ignores SIGPIPE, so `convkit … | head` would panic on the closed pipe; a command-line
/// tool should just stop, as `cat` does.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: SIGPIPE (13) back to SIG_DFL (0) before any thread starts; no other state involved.
    unsafe {
        signal(13, 0);
    }
}

fn main() {
    restore_default_sigpipe();
    // Training reuses the same megabytes every step: keep them instead of re-faulting them.
    convkit::malloc::keep_freed_memory();
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
