//! Diagnostics: what gen reports about a file, with where and why. Spec errors, parse errors
//! and lint findings all become `Diagnostic`s, so they render the same way.

pub mod render;

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
        let index = LineIndex::new(text);
        Self::with_index(file, text, &index, span, message)
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
}

/// The texts of the files that diagnostics point into, so renderers can show the lines.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: BTreeMap<String, String>,
}

impl Sources {
    pub fn insert(&mut self, file: &str, text: &str) {
        self.files.insert(file.to_owned(), text.to_owned());
    }

    #[must_use]
    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(String::as_str)
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
