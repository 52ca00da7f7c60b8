//! The rustc look: `error[CODE]: message`, an arrow to file:line:column, the source line with
//! carets under the span, related places in other files, and the help line.
//!
//! Hand-written rather than `annotate-snippets` (rustc's renderer), measured with 0.12 in
//! December 2026: it counts columns in characters as gen does, but it groups the labels of
//! one file into one snippet and draws multi-line spans with connectors, which changes the
//! layout of 45 of the 77 human golden files; gen keeps one arrow per label.

use crate::diagnostic::{Diagnostic, Label, Severity, Sources};
use std::fmt::Write as _;

/// Colours for a terminal, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

pub(crate) const fn severity_color(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// Renders one diagnostic.
#[must_use]
pub fn render(diag: &Diagnostic, sources: &Sources, color: Color) -> String {
    let paint = Paint {
        on: color == Color::Always,
    };
    let mut out = String::new();
    let head = if diag.code.is_empty() {
        diag.severity.as_str().to_owned()
    } else {
        format!("{}[{}]", diag.severity.as_str(), diag.code)
    };
    let _ = writeln!(
        out,
        "{}{}",
        paint.wrap(severity_color(diag.severity), &head),
        paint.wrap("1", &format!(": {}", diag.message))
    );
    let labels: Vec<&Label> = std::iter::once(&diag.primary)
        .chain(diag.related.iter())
        .collect();
    let width = labels
        .iter()
        .map(|l| l.start.line.to_string().len())
        .max()
        .unwrap_or(1);
    for (i, label) in labels.iter().enumerate() {
        let caret = if i == 0 { '^' } else { '-' };
        let caret_color = if i == 0 {
            severity_color(diag.severity)
        } else {
            "1;34"
        };
        render_label(&mut out, label, sources, width, caret, caret_color, &paint);
    }
    if let Some(help) = &diag.help {
        // Later lines of a help line up under its first, after `= help: `.
        for (i, line) in help.lines().enumerate() {
            if i == 0 {
                let _ = writeln!(
                    out,
                    "{:width$} {} {}",
                    "",
                    paint.wrap("1;34", "="),
                    paint.wrap("1", &format!("help: {line}"))
                );
            } else {
                let _ = writeln!(
                    out,
                    "{:indent$}{}",
                    "",
                    paint.wrap("1", line),
                    indent = width + 9
                );
            }
        }
    }
    out
}

fn render_label(
    out: &mut String,
    label: &Label,
    sources: &Sources,
    width: usize,
    caret: char,
    caret_color: &str,
    paint: &Paint,
) {
    let gutter = paint.wrap("1;34", "|");
    let _ = writeln!(
        out,
        "{:width$}{} {}:{}:{}",
        "",
        paint.wrap("1;34", "-->"),
        label.file,
        label.start.line,
        label.start.column
    );
    let Some(full) = sources.line(&label.file, label.start.line) else {
        if !label.message.is_empty() {
            let _ = writeln!(out, "{:width$} {gutter} {}", "", label.message);
        }
        return;
    };
    let (line, shift) = window(full, label.start.column.saturating_sub(1));
    let _ = writeln!(out, "{:width$} {gutter}", "");
    let _ = writeln!(
        out,
        "{} {gutter} {}",
        paint.wrap("1;34", &format!("{:>width$}", label.start.line)),
        line.replace('\t', " ")
    );
    let line_chars = line.chars().count();
    let start_col = label
        .start
        .column
        .saturating_sub(1)
        .saturating_sub(shift)
        .min(line_chars);
    let end_col = if label.end.line == label.start.line {
        label.end.column.saturating_sub(1).saturating_sub(shift)
    } else {
        line_chars
    }
    .min(line_chars);
    let n = end_col.saturating_sub(start_col).max(1);
    let marks: String = std::iter::repeat_n(caret, n).collect();
    let tail = if label.message.is_empty() {
        String::new()
    } else {
        format!(" {}", label.message)
    };
    let _ = writeln!(
        out,
        "{:width$} {gutter} {:start_col$}{}",
        "",
        "",
        paint.wrap(caret_color, &format!("{marks}{tail}"))
    );
}

/// The widest source line shown; longer lines are cut to a window around the span.
const MAX_LINE_CHARS: usize = 160;

/// A window of at most `MAX_LINE_CHARS` characters of `line` around character `col`, and how
/// many characters were cut from its start (to shift the carets by).
fn window(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= MAX_LINE_CHARS {
        return (line.to_owned(), 0);
    }
    let start = col
        .saturating_sub(MAX_LINE_CHARS / 4)
        .min(n - MAX_LINE_CHARS);
    let shown: String = line.chars().skip(start).take(MAX_LINE_CHARS).collect();
    (shown, start)
}

/// Renders all diagnostics, each followed by a blank line.
#[must_use]
pub fn render_all(diags: &[Diagnostic], sources: &Sources, color: Color) -> String {
    diags
        .iter()
        .map(|d| render(d, sources, color) + "\n")
        .collect()
}

/// Renders the findings of `gen check`: errors first, since they are what fails the run, then
/// warnings and notes, each group in the order given (by file and place).
#[must_use]
pub fn render_findings(diags: &[Diagnostic], sources: &Sources, color: Color) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    sorted
        .into_iter()
        .map(|d| render(d, sources, color) + "\n")
        .collect()
}

/// How to allow a finding, said once after the findings rather than in every finding's
/// help (and kept out of the machine formats): a comment in the file, the command line, or the spec.
#[must_use]
pub fn allow_hint(spec: bool) -> String {
    let ways = if spec {
        "pass `--ignore CODE`, or list the code in the spec's `[check] ignore`"
    } else {
        "or pass `--ignore CODE`"
    };
    format!(
        "help: to allow a finding, write `gen: ignore[CODE]` in a comment on or above its line \
         (`gen: ignore-file[CODE]` for the whole file), {ways}; `gen explain CODE` tells why it \
         matters"
    )
}
