//! The supervisord config reader: sections, keys and values with spans, and typed views of
//! what supervisord will do with them (the `[supervisord]` section, programs and event
//! listeners, `[include]`), with `%(ENV_X)s`-style expansion, `command=` split like a shell,
//! and `environment=` pairs.
//!
//! rust-ini reads the values; it gives no positions, so a locator (`scan`) walks the text as
//! Python's `configparser` (which supervisord uses) does and records where every section,
//! key and value is. The locator also removes comments before rust-ini sees the text:
//! rust-ini knows no inline comments (` ; note`) and would fold a comment line inside an
//! indented continuation into the value. Keys are compared case-insensitively, as
//! `configparser` lower-cases them; duplicate sections merge and the last duplicate key
//! wins, as supervisord runs `configparser` with `strict=False`. Known difference kept from
//! rust-ini: a value line ending in `\` is joined with the next line, where supervisord
//! keeps the backslash.

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
    /// rust-ini rejected the text.
    Ini(String),
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
            ParseErrorKind::Ini(m) => write!(f, "cannot read the ini file: {}", m.to_lowercase()),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a supervisord config file.
///
/// # Errors
/// A line supervisord would reject (a key before any section, a line without `=` or `:`),
/// or text rust-ini cannot read.
pub fn parse(text: &str) -> Result<Config, ParseError> {
    let scanned = scan::scan(text)?;
    let opt = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    };
    let ini = ini::Ini::load_from_str_opt(&scanned.clean, opt).map_err(|e| ParseError {
        span: scanned
            .clean_lines
            .get(e.line.saturating_sub(1))
            .copied()
            .unwrap_or_default(),
        kind: ParseErrorKind::Ini(e.msg.into_owned()),
    })?;
    // rust-ini lists sections in file order, each occurrence separately, after its general
    // section (always present, empty here since a key before a section is an error above).
    let ini_sections: Vec<&ini::Properties> = ini
        .iter()
        .filter(|(name, _)| name.is_some())
        .map(|(_, props)| props)
        .collect();
    let sections = scanned
        .sections
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let props = ini_sections.get(i).copied();
            let mut seen: Vec<&str> = Vec::new();
            let entries = s
                .entries
                .iter()
                .map(|e| {
                    let nth = seen.iter().filter(|k| **k == e.key).count();
                    seen.push(&e.key);
                    let value = props
                        .and_then(|p| {
                            p.iter()
                                .filter(|(k, _)| k.to_lowercase() == e.key)
                                .nth(nth)
                                .map(|(_, v)| v.to_owned())
                        })
                        .unwrap_or_else(|| e.value.clone());
                    Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value,
                        value_span: e.value_span,
                        span: e.span,
                        pieces: e.pieces.clone(),
                    }
                })
                .collect();
            Section {
                name: s.name,
                header_span: s.header_span,
                name_span: s.name_span,
                span: s.span,
                entries,
            }
        })
        .collect();
    Ok(Config {
        sections,
        comments: scanned.comments,
    })
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
