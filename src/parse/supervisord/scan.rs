//! The locator: walks the text line by line as Python's `configparser` does for supervisord
//! (`;`/`#` comment lines, inline comments after whitespace, `key=value`/`key: value`,
//! continuation lines indented deeper than their key), recording the span of every section,
//! key and value.
//!
//! It reads the whole file even past a line supervisord rejects, noting the first such
//! line: configparser itself reads on past a line that is not `key=value` (it raises all
//! such errors at the end), and stops at a key before any section; here that line is
//! stepped over too. Whether a line has a comment, and where, depends on that line alone
//! ([`comment_at`]), so [`comments`] finds every comment of a file, parsed or not, without
//! building its sections.

use super::{Comment, ParseError, ParseErrorKind};
use crate::parse::span::Span;

#[derive(Debug, Clone)]
pub(super) struct ScannedSection {
    pub name: String,
    pub header_span: Span,
    pub name_span: Span,
    pub span: Span,
    pub entries: Vec<ScannedEntry>,
}

#[derive(Debug, Clone)]
pub(super) struct ScannedEntry {
    /// Lower-cased, as configparser's `optionxform` does.
    pub key: String,
    pub key_span: Span,
    /// The value lines, stripped, joined with `\n`, trailing blank lines dropped.
    pub value: String,
    pub value_span: Span,
    /// `(offset in value, offset in source)` for the start of each value line.
    pub pieces: Vec<(usize, usize)>,
    pub span: Span,
}

#[derive(Debug, Default)]
pub(super) struct Scanned {
    pub sections: Vec<ScannedSection>,
    pub comments: Vec<Comment>,
    /// The first line supervisord would reject.
    pub error: Option<ParseError>,
}

/// Where an inline comment starts: a `;` or `#` at the start or after whitespace.
fn inline_comment(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| {
        matches!(bytes[i], b';' | b'#') && (i == 0 || bytes[i - 1].is_ascii_whitespace())
    })
}

/// Every line of `text` with its offset, without its line ending.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let rest = &text[start..];
        let (raw, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, text.len()),
        };
        let at = start;
        start = next;
        Some((at, raw.strip_suffix('\r').unwrap_or(raw)))
    })
}

/// Where a line's comment starts, if it has one: a line whose first non-blank character is
/// `;` or `#`, or an inline comment.
fn comment_at(line: &str) -> Option<usize> {
    let lead = line.len() - line.trim_start().len();
    if line[lead..].starts_with([';', '#']) {
        Some(lead)
    } else {
        inline_comment(line)
    }
}

fn comment(line_start: usize, line: &str, at: usize) -> Comment {
    Comment {
        text: line.get(at + 1..).unwrap_or_default().to_owned(),
        span: Span::new(line_start + at, line_start + line.len()),
    }
}

/// Every comment of `text`, as [`scan`] finds them, without reading the sections.
pub(super) fn comments(text: &str) -> Vec<Comment> {
    lines(text)
        .filter_map(|(start, line)| Some(comment(start, line, comment_at(line)?)))
        .collect()
}

pub(super) fn scan(text: &str) -> Scanned {
    let mut out = Scanned::default();
    let mut indent_level = usize::MAX;
    let mut in_entry = false;
    for (line_start, line) in lines(text) {
        let comment_at = comment_at(line);
        if let Some(at) = comment_at {
            out.comments.push(comment(line_start, line, at));
        }
        let content = &line[..comment_at.unwrap_or(line.len())];
        let value = content.trim();
        if value.is_empty() {
            // A blank line inside a value is kept (configparser's empty_lines_in_values);
            // a comment line is not.
            if comment_at.is_none() && in_entry {
                if let Some(e) = out.sections.last_mut().and_then(|s| s.entries.last_mut()) {
                    e.value.push('\n');
                }
            }
            continue;
        }
        let indent = content.len() - content.trim_start().len();
        let value_start = line_start + indent;
        let value_end = value_start + value.len();
        if in_entry && indent > indent_level {
            if let Some(section) = out.sections.last_mut() {
                if let Some(e) = section.entries.last_mut() {
                    e.pieces.push((e.value.len() + 1, value_start));
                    e.value.push('\n');
                    e.value.push_str(value);
                    e.value_span.end = value_end;
                    e.span.end = value_end;
                }
                section.span.end = value_end;
            }
            continue;
        }
        indent_level = indent;
        // configparser's `\[(?P<header>.+)\]`, matched at the start only: the name runs
        // to the last `]`, and text after it is ignored.
        if let Some(close) = value
            .rfind(']')
            .filter(|&c| value.starts_with('[') && c > 1)
        {
            in_entry = false;
            let header_end = value_start + close + 1;
            out.sections.push(ScannedSection {
                name: value[1..close].to_owned(),
                header_span: Span::new(value_start, header_end),
                name_span: Span::new(value_start + 1, header_end - 1),
                span: Span::new(value_start, header_end),
                entries: Vec::new(),
            });
            continue;
        }
        let error = |kind| {
            Some(ParseError {
                kind,
                span: Span::new(value_start, value_end),
            })
        };
        let Some(section) = out.sections.last_mut() else {
            out.error = out
                .error
                .or_else(|| error(ParseErrorKind::MissingSectionHeader));
            continue;
        };
        let key = value
            .find(['=', ':'])
            .map(|sep| (sep, value[..sep].trim_end()));
        let Some((sep, key)) = key.filter(|(_, key)| !key.is_empty()) else {
            out.error = out.error.or_else(|| error(ParseErrorKind::NotKeyValue));
            continue;
        };
        let after = &value[sep + 1..];
        let val = after.trim_start();
        let val_start = value_start + sep + 1 + (after.len() - val.len());
        section.entries.push(ScannedEntry {
            key: key.to_lowercase(),
            key_span: Span::new(value_start, value_start + key.len()),
            value: val.to_owned(),
            value_span: Span::new(val_start, value_end),
            pieces: vec![(0, val_start)],
            span: Span::new(value_start, value_end),
        });
        section.span.end = value_end;
        in_entry = true;
    }
    for e in out.sections.iter_mut().flat_map(|s| s.entries.iter_mut()) {
        let trimmed = e.value.trim_end().len();
        e.value.truncate(trimmed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_comment_table() {
        let cases = [
            ("a=b ; c", Some(4)),
            ("a=b;c", None),
            ("a=b\t# c", Some(4)),
            ("; whole", Some(0)),
            ("url=http://x/#frag", None),
        ];
        for (line, want) in cases {
            assert_eq!(inline_comment(line), want, "{line}");
        }
    }
}
