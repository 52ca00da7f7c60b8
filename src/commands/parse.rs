//! `gen parse FILE`: parse one config file and print its tree as JSON on stdout.
//!
//! For nginx (`--as nginx`, the default) the output is crossplane's payload, as
//! `crossplane parse --single-file FILE` prints it, with a `column` beside each `line`; with
//! `--include-comments`, comments are `"#"` entries as with crossplane's flag. crossplane's
//! analyzer runs as its CLI runs it (`parser/analyzer.rs`: context and arguments, each
//! refused directive left out and its error listed), with its switches `--no-catch`,
//! `--ignore`, `--strict`, and `--no-check-ctx`/`--no-check-args` for the library's
//! `check_ctx`/`check_args`. Exit codes: 0 when the file parses and the analyzer finds
//! nothing; 1 otherwise (the payload, with `"status": "failed"` and the errors, is still
//! printed); 2 when the file cannot be read (nothing on stdout, the error on
//! stderr). A file that is not UTF-8 is read with each bad byte replaced by U+FFFD, as
//! crossplane reads it.
//!
//! For Dockerfiles (`--as dockerfile`, the default for files named `Dockerfile*`) the output
//! is the instruction list described in `parse_dockerfile`; the other kinds (supervisord,
//! compose, kubernetes, gunicorn, uwsgi, php-fpm, spec) are described in `parse_configs`.
//! Without `--as`, the kind comes from the file's name by gen's one role table
//! ([`crate::parse::role`]), nginx when the name says nothing.

use crate::cli::{ParseArgs, ParseAs};
use crate::diagnostic::render::human;
use crate::diagnostic::{Diagnostic, Sources};
use crate::error::{Error, Result};
use crate::parse::nginx::{self, ParseError, ParseErrorKind, Span, analyzer, payload};
use std::io::Write as _;
use std::path::Path;

pub fn run(args: &ParseArgs) -> Result<u8> {
    match kind(args) {
        ParseAs::Nginx => nginx(args),
        ParseAs::Dockerfile => super::parse_dockerfile::run(&args.file),
        other => super::parse_configs::run(other, &args.file),
    }
}

/// Largest file read as a Dockerfile or one of `parse_configs`' kinds: the parsers' own
/// limits are smaller or equal, and real files are a few kilobytes.
pub const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// The path diagnostics show for `path`, and its text, a bad UTF-8 byte replaced by U+FFFD;
/// a file larger than [`MAX_INPUT`] is refused before it is read, as too large for `what`.
///
/// # Errors
/// When the file cannot be read or is too large.
pub(super) fn read_text(path: &Path, what: &str) -> Result<(String, String)> {
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if size > MAX_INPUT {
        return Err(Error::Usage(format!(
            "`{file}` is {size} bytes, more than the {MAX_INPUT} gen reads as {what}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((file, text))
}

/// Prints why `file` (whose text is `text`) does not parse on stderr, rustc-style, and
/// returns the exit code for it.
pub(super) fn refused(file: &str, text: &str, diags: &[Diagnostic]) -> u8 {
    let mut sources = Sources::default();
    sources.insert(file, text);
    crate::err!(
        "{}",
        human::render_all(diags, &sources, super::stderr_color())
    );
    2
}

/// The kind of file: `--as`, or else the role its name suggests, nginx when the name says
/// nothing `gen parse` prints.
fn kind(args: &ParseArgs) -> ParseAs {
    use clap::ValueEnum as _;
    args.kind.unwrap_or_else(|| {
        let path = args.file.to_string_lossy();
        crate::parse::role::Role::of_name(&path)
            .and_then(crate::parse::role::Role::parse_as)
            .and_then(|name| ParseAs::from_str(name, false).ok())
            .unwrap_or(ParseAs::Nginx)
    })
}

fn nginx(args: &ParseArgs) -> Result<u8> {
    let path: &Path = &args.file;
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len();
    // Refuse before reading: a huge file is a parse failure, not a reason to fill memory.
    let too_large = usize::try_from(size).map_or(true, |s| s > nginx::MAX_INPUT);
    let text = if too_large {
        String::new()
    } else {
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    };
    let result = if too_large {
        Err(ParseError {
            kind: ParseErrorKind::TooLarge {
                size: usize::try_from(size).unwrap_or(usize::MAX),
                limit: nginx::MAX_INPUT,
            },
            span: Span::default(),
        })
    } else {
        nginx::parse(&text)
    };
    // Streamed (the writer hands stdout 64 KiB at a time): the payload of a large file is
    // several times its size. A write error (a closed pipe) ends the output, as with every
    // other command's printing.
    let stdout = std::io::stdout().lock();
    let mut out = Unbuffered(&stdout);
    let options = analyzer::Options {
        no_catch: args.no_catch,
        strict: args.strict,
        no_check_ctx: args.no_check_ctx,
        no_check_args: args.no_check_args,
        ignore: args.ignore.clone(),
    };
    let analysis = result
        .as_ref()
        .map(|config| analyzer::analyze(config, &options))
        .unwrap_or_default();
    let _ = payload::write_analyzed(
        &mut out,
        &file,
        &text,
        &result,
        args.include_comments,
        &analysis,
    )
    .and_then(|()| out.write_all(b"\n"))
    .and_then(|()| out.flush());
    Ok(u8::from(result.is_err() || !analysis.errors.is_empty()))
}

/// Stdout written with plain `write` calls: the payload writer buffers already, and std's
/// line buffering would search every chunk for a line break (a tenth of the run time on a
/// large file). Writes go through the lock, so nothing else interleaves.
struct Unbuffered<'s, 'l>(&'s std::io::StdoutLock<'l>);

impl std::io::Write for Unbuffered<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        rustix::io::write(self.0, buf).map_err(std::io::Error::from)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
