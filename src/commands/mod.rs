//! Commands: the only code that reads or writes files and prints. Each returns an exit code:
//! 0 clean, 1 findings or drift, 2 bad input or failure.

pub mod build;
pub mod cert;
pub mod check;
pub mod config;
pub mod discover;
pub mod explain;
pub mod fix;
pub mod import;
pub mod init;
pub mod lsp;
pub mod meta;
pub mod model;
pub mod parse;
pub mod parse_configs;
pub mod parse_dockerfile;
pub mod project;
pub mod rules;
pub mod vfs;

use crate::cli::{Cli, Command};
use crate::diagnostic::render::human::{self, Color};
use crate::error::Error;
use std::io::IsTerminal as _;

/// Runs the parsed command line and returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Cert(args) => cert::run(&args),
        Command::Schema => Ok(meta::schema()),
        Command::Completions { shell } => Ok(meta::completions(shell)),
        Command::Man => Ok(meta::man()),
        Command::Check(args) => check::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Rules => rules::run(),
        Command::Parse(args) => parse::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Model(args) => model::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            2
        }
    }
}

/// Whether stderr gets colour when nothing asks either way: see [`auto_color`].
#[must_use]
pub fn stderr_color() -> Color {
    auto_color(std::io::stderr().is_terminal())
}

/// Whether stdout gets colour when nothing asks either way: see [`auto_color`].
#[must_use]
pub fn stdout_color() -> Color {
    auto_color(std::io::stdout().is_terminal())
}

/// Colour for an output that is a terminal or not, as the environment asks: `CLICOLOR_FORCE`
/// (set, not `0`) colours any output; else `NO_COLOR` (set, not empty) colours none; else
/// only a terminal gets colour (the conventions of bixense.com/clicolors and no-color.org).
#[must_use]
pub fn auto_color(terminal: bool) -> Color {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        Color::Always
    } else if set("NO_COLOR").is_some() || !terminal {
        Color::Never
    } else {
        Color::Always
    }
}

/// Writes to stdout; a closed pipe (`gen check | head`) is not an error worth a panic.
pub fn print_out(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn report(e: &Error) {
    match e {
        Error::Input {
            diagnostics,
            sources,
        } => {
            crate::err!(
                "{}",
                human::render_all(diagnostics, sources, stderr_color())
            );
            let n = diagnostics.len();
            crate::errln!(
                "error: {n} problem{} in the input; nothing was written",
                if n == 1 { "" } else { "s" }
            );
        }
        other => crate::errln!("error: {other}"),
    }
}

/// Reads a file to a string, naming the file in the error.
///
/// # Errors
/// When the file cannot be read or is not UTF-8.
pub fn read(path: &std::path::Path) -> Result<String, Error> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Usage(format!(
            "`{}` is larger than {} MiB, more than gen reads",
            path.display(),
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::io(
            "read",
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"),
        )
    })
}

/// The largest file gen reads, so a stray huge file cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 << 20;
