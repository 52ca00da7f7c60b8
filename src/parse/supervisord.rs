//! The supervisord config reader: sections, keys and values with spans, and typed views of
//! what supervisord will do with them (the `[supervisord]` section, programs and event
//! listeners, `[include]`), with `%(ENV_X)s`-style expansion, `command=` split like a shell,
//! and `environment=` pairs.
//!
//! The reader (`scan`) is hand-written: it walks the text as Python's `configparser`
//! (which supervisord uses) does and records where every section, key and value is.
//! rust-ini (a dev-dependency now: the tests read the generated file back with it, and gen
//! writes its own configs line by line, see `generate/supervisord.rs`) is not used for
//! reading: it gives no positions, knows no inline comments (` ; note`), and joins a value
//! line ending in `\` with the next line, where supervisord keeps the backslash and reads the
//! next line as its own key. Keys are compared case-insensitively, as `configparser`
//! lower-cases them; duplicate sections merge and the last duplicate key wins, as supervisord
//! runs `configparser` with `strict=False`. [`comments`] gives the comments of a file that does
//! not parse too (a line's comment depends on that line alone); suppression reads
//! every ini file of no other program gen knows with it, as configparser's dialect.

mod env;
pub mod format;
mod scan;
mod typed;

#[cfg(test)]
mod tests;

pub use typed::{
    Arg, AutoRestart, Command, EnvVar, Expansions, Group, Include, LogFile, Place, Problem,
    ProcessKind, Program, Setting, Supervisord, UnixHttpServer,
};

use crate::parse::span::Span;
use std::fmt;

/// A parsed supervisord config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub sections: Vec<Section>,
    pub comments: Vec<Comment>,
}

/// `[name]` and its entries. A name may appear twice: supervisord merges them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// `[name]`, brackets included.
    pub header_span: Span,
    pub name_span: Span,
    /// From the header to the end of the last value.
    pub span: Span,
    pub entries: Vec<Entry>,
}

/// `key = value`, the value possibly continued on deeper-indented lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Lower-cased.
    pub key: String,
    pub key_span: Span,
    /// As supervisord reads it: comments removed, lines stripped and joined with `\n`.
    pub value: String,
    pub value_span: Span,
    /// From the key to the end of the value.
    pub span: Span,
    /// `(offset in value, offset in file)` for the start of each value line.
    pieces: Vec<(usize, usize)>,
}

impl Entry {
    /// The file offset of a byte offset into `value`.
    #[must_use]
    pub fn source_offset(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|&(v, _)| v <= offset);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(v, s)) => s + (offset - v),
            None => self.value_span.start + offset,
        }
    }

    /// The file span of a byte range of `value`.
    #[must_use]
    pub fn source_span(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.source_offset(range.start);
        let end = if range.end > range.start {
            self.source_offset(range.end - 1) + 1
        } else {
            start
        };
        Span::new(start, end.min(self.value_span.end.max(start)))
    }
}

/// A `;` or `#` comment, full-line or inline; `text` is what follows the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A key before any `[section]`.
    MissingSectionHeader,
    /// A line that is no section, key, comment or continuation.
    NotKeyValue,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::MissingSectionHeader => {
                write!(f, "the file must start with a `[section]` header")
            }
            ParseErrorKind::NotKeyValue => {
                write!(f, "expected `key=value`, a `[section]` or a comment")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a supervisord config file.
///
/// # Errors
/// A line supervisord would reject (a key before any section, a line without `=` or `:`).
pub fn parse(text: &str) -> Result<Config, ParseError> {
    let scanned = scan::scan(text);
    if let Some(e) = scanned.error {
        return Err(e);
    }
    let sections = scanned
        .sections
        .into_iter()
        .map(|s| Section {
            name: s.name,
            header_span: s.header_span,
            name_span: s.name_span,
            span: s.span,
            entries: s
                .entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key,
                    key_span: e.key_span,
                    value: e.value,
                    value_span: e.value_span,
                    span: e.span,
                    pieces: e.pieces,
                })
                .collect(),
        })
        .collect();
    Ok(Config {
        sections,
        comments: scanned.comments,
    })
}

/// Every comment of a file, whether or not it parses, by the reader's own rule (a line's
/// comment depends on that line alone; see `scan`), so a suppression comment works the same
/// in both. When [`parse`] succeeds, these are its comments.
#[must_use]
pub fn comments(text: &str) -> Vec<Comment> {
    scan::comments(text)
}

impl Config {
    /// Every entry of every section named `name`, in file order.
    pub fn entries<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let name = name.to_owned();
        self.sections
            .iter()
            .filter(move |s| s.name == name)
            .flat_map(|s| s.entries.iter())
    }

    /// The entry supervisord uses for `key` in section `name`: the last one.
    #[must_use]
    pub fn get(&self, name: &str, key: &str) -> Option<&Entry> {
        let key = key.to_lowercase();
        self.entries(name).filter(|e| e.key == key).last()
    }

    /// The first section named `name`.
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Distinct section names, in order of first appearance.
    #[must_use]
    pub fn section_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for s in &self.sections {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
        names
    }
}
