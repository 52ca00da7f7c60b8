//! Fixes, as ruff has them: a finding may carry a [`Fix`], text edits that resolve it, with
//! an [`Applicability`] saying whether `--fix` may apply it unasked. A fix is data only; the
//! fix module ([`crate::fix`]) applies it, and `gen check` writes the result.

use crate::parse::span::{LineCol, Span};

/// Whether a fix can be applied without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Needs review: it picks one side of a disagreement, or changes what the container
    /// runs beyond the finding. Applied with `--unsafe-fixes`.
    Unsafe,
    /// Resolves the finding and changes nothing else. Applied with `--fix`.
    Safe,
}

impl Applicability {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes `span` of `file` (the path diagnostics use) with `replacement`; an
/// empty span inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: String,
    pub span: Span,
    /// Where the span starts and ends, as the labels count them (for JSON and SARIF).
    pub start: LineCol,
    pub end: LineCol,
    pub replacement: String,
}

impl Edit {
    /// Replace `span` of `text`, the contents of `file`.
    #[must_use]
    pub fn replace(file: &str, text: &str, span: Span, replacement: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            span,
            start: super::line_col(text, span.start),
            end: super::line_col(text, span.end),
            replacement: replacement.into(),
        }
    }

    /// Insert `new` at byte `at` of `text`, the contents of `file`.
    #[must_use]
    pub fn insert(file: &str, text: &str, at: usize, new: impl Into<String>) -> Self {
        Self::replace(file, text, Span::new(at, at), new)
    }
}

/// The edits that resolve one finding, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, short, names in backticks: "set `nodaemon=true`".
    pub title: String,
    pub applicability: Applicability,
    /// Never empty, never overlapping one another.
    pub edits: Vec<Edit>,
}

impl Fix {
    #[must_use]
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    #[must_use]
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }

    /// Whether it may be applied when fixes of `level` and safer are asked for.
    #[must_use]
    pub fn applies_at(&self, level: Applicability) -> bool {
        self.applicability >= level
    }
}
