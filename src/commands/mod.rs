//! Commands: the only code that reads or writes files and prints. Each returns an exit code:
//! 0 clean, 1 findings or drift, 2 bad input or failure.

pub mod build;
pub mod parse;

use crate::cli::{Cli, Command};
use crate::diagnostic::render::human::{self, Color};
use crate::error::Error;
use std::io::IsTerminal as _;

/// Runs the parsed command line and returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Parse(args) => parse::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            2
        }
    }
}

/// Whether stderr gets colour: only on a terminal, and never with `NO_COLOR` set.
#[must_use]
pub fn stderr_color() -> Color {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    {
        Color::Always
    } else {
        Color::Never
    }
}

fn report(e: &Error) {
    match e {
        Error::Input {
            diagnostics,
            sources,
        } => {
            eprint!(
                "{}",
                human::render_all(diagnostics, sources, stderr_color())
            );
            let n = diagnostics.len();
            eprintln!(
                "error: {n} problem{} in the input; nothing was written",
                if n == 1 { "" } else { "s" }
            );
        }
        other => eprintln!("error: {other}"),
    }
}

/// Reads a file to a string, naming the file in the error.
///
/// # Errors
/// When the file cannot be read or is not UTF-8.
pub fn read(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}
