//! Diagnostics: what gen reports about a file, with where and why. Spec errors, parse errors
//! and lint findings all become `Diagnostic`s, so they render the same way.

pub mod fix;
pub mod render;

pub use fix::{Applicability, Edit, Fix};

use crate::parse::span::{LineCol, LineIndex, Span};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A place in a file: the byte span and its line:column range, with a message for that place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: String,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub message: String,
}

impl Label {
    /// A label over `span` of `text`, the contents of `file`.
    #[must_use]
    pub fn new(file: &str, text: &str, span: Span, message: impl Into<String>) -> Self {
        // One label needs two positions: scan the text up to them rather than index every
        // line, so that a rule labelling many places in a large file stays linear.
        Self {
            file: file.to_owned(),
            span,
            start: line_col(text, span.start),
            end: line_col(text, span.end),
            message: message.into(),
        }
    }

    #[must_use]
    pub fn with_index(
        file: &str,
        text: &str,
        index: &LineIndex,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            span,
            start: index.line_col(text, span.start),
            end: index.line_col(text, span.end),
            message: message.into(),
        }
    }

    /// A label for a whole file, when there is no better place (a missing file, say).
    #[must_use]
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        let at = LineCol { line: 1, column: 1 };
        Self {
            file: file.to_owned(),
            span: Span::default(),
            start: at,
            end: at,
            message: message.into(),
        }
    }
}

/// The 1-based line and column of byte `offset` of `text` (clamped to the text and to a
/// character boundary), as [`LineIndex::line_col`] gives it.
fn line_col(text: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line: before.bytes().filter(|&b| b == b'\n').count() + 1,
        column: before.get(line_start..).map_or(0, |l| l.chars().count()) + 1,
    }
}

/// One finding: a code and name, a severity, a message, the primary place, related places in
/// other files, and a hint on what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// Edits that resolve the finding, when gen knows them.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    #[must_use]
    pub fn new(
        code: &str,
        name: &str,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self {
            code: code.to_owned(),
            name: name.to_owned(),
            severity,
            message: message.into(),
            primary,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    #[must_use]
    pub fn with_related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The finding with `fix`; a fix without edits is none.
    #[must_use]
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.filter(|f| !f.edits.is_empty());
        self
    }
}

/// The texts of the files that diagnostics point into, so renderers can show the lines;
/// each with its line index, built once however many diagnostics point into it.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: BTreeMap<String, (String, LineIndex)>,
}

impl Sources {
    pub fn insert(&mut self, file: &str, text: &str) {
        self.files
            .insert(file.to_owned(), (text.to_owned(), LineIndex::new(text)));
    }

    #[must_use]
    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|(text, _)| text.as_str())
    }

    /// The text of 1-based line `line` of `file`, without its line ending.
    #[must_use]
    pub fn line(&self, file: &str, line: usize) -> Option<&str> {
        let (text, index) = self.files.get(file)?;
        Some(index.line_text(text, line))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label's positions are the line index's, wherever the span falls.
    #[test]
    fn label_positions_match_the_line_index() {
        let text = "ab\ncdé\r\nf\n\nxyz";
        let index = LineIndex::new(text);
        for start in 0..=text.len() + 2 {
            for end in start..=text.len() + 2 {
                let span = Span::new(start, end);
                let quick = Label::new("f", text, span, "");
                let indexed = Label::with_index("f", text, &index, span, "");
                assert_eq!(quick, indexed, "{start}..{end}");
            }
        }
    }
}
