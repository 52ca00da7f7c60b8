//! Building edits that keep a file's look: a new line takes the indentation and the line
//! ending of the line it follows, and a replacement is made only where the text is what the
//! rule expects, so a span that drifted from the text never corrupts a file.

use crate::diagnostic::Edit;
use crate::parse::span::Span;

/// The offset of the start of the line holding byte `at`.
#[must_use]
pub fn line_start(text: &str, at: usize) -> usize {
    text.get(..at.min(text.len()))
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The offset just past the line ending of the line holding byte `at` (the text's end
/// when it is the last line and has none).
#[must_use]
pub fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.get(at..)
        .and_then(|after| after.find('\n'))
        .map_or(text.len(), |i| at + i + 1)
}

/// The spaces and tabs that start the line holding byte `at`.
#[must_use]
pub fn indent(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    let line = text.get(start..).unwrap_or_default();
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..n).unwrap_or_default()
}

/// `\r\n` when the file writes its lines so, else `\n`.
#[must_use]
pub fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Inserts `line` as a new line after the line holding byte `at`, indented as that line.
#[must_use]
pub fn insert_line_after(file: &str, text: &str, at: usize, line: &str) -> Edit {
    let end = line_end(text, at);
    let (eol, indent) = (eol(text), indent(text, at));
    if text.get(..end).is_some_and(|t| t.ends_with('\n')) {
        Edit::insert(file, text, end, format!("{indent}{line}{eol}"))
    } else {
        Edit::insert(file, text, end, format!("{eol}{indent}{line}"))
    }
}

/// Replaces `span` of `text` with `new`, only when the span holds `expected` (compared
/// ignoring ASCII case).
#[must_use]
pub fn replace_checked(
    file: &str,
    text: &str,
    span: Span,
    expected: &str,
    new: &str,
) -> Option<Edit> {
    let old = text.get(span.start..span.end)?;
    old.eq_ignore_ascii_case(expected)
        .then(|| Edit::replace(file, text, span, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_line_after_table() {
        let cases = [
            ("a=1\nb=2\n", 0, "a=1\nx=y\nb=2\n"),
            ("a=1\nb=2", 5, "a=1\nb=2\nx=y"),
            ("  a=1\r\nb=2\r\n", 3, "  a=1\r\n  x=y\r\nb=2\r\n"),
            ("\tk v;\n", 2, "\tk v;\n\tx=y\n"),
        ];
        for (text, at, want) in cases {
            let e = insert_line_after("f", text, at, "x=y");
            assert_eq!(crate::fix::apply::apply(text, &[e]), want, "{text:?}");
        }
    }

    #[test]
    fn replace_checked_refuses_other_text() {
        let text = "nodaemon=false\n";
        assert!(replace_checked("f", text, Span::new(9, 14), "false", "true").is_some());
        assert!(replace_checked("f", text, Span::new(9, 14), "off", "true").is_none());
        assert!(replace_checked("f", text, Span::new(9, 99), "false", "true").is_none());
    }
}
