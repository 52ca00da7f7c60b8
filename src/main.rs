//! The `gen` binary: parse the command line, run the command, map the result to an exit code.

use clap::Parser;
use gen_core::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(gen_core::commands::run(cli))
}
