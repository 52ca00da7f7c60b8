//! The line layer of the Dockerfile reader, as BuildKit's `parser.Parse` does it: parser
//! directives at the top, comments, blank lines, escape-character line continuations (with
//! comment and blank lines inside a continuation skipped), and heredoc bodies after the
//! instruction line. Produces logical lines whose text maps back to source byte offsets.
//!
//! It reads the whole file even past an error BuildKit stops at, noting the first one, so
//! that it gives every comment of a file that does not parse (suppression comments work the
//! same in both): a bad or repeated parser directive is stepped over (the escape character
//! stays `\`, the first directive of a name stays), and an unterminated heredoc's body runs
//! to the end of the file, as BuildKit would read it had it not stopped.

use super::{Comment, Directive, ParseError, ParseErrorKind};
use crate::parse::span::Span;

/// One physical line: its text without the line ending, and where it starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    pub text: &'a str,
    pub start: usize,
}

impl Line<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// Splits `text` into lines, dropping `\n`/`\r\n` endings and a leading byte-order mark.
pub(super) fn physical_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while start < text.len() {
        let rest = &text[start..];
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, text.len()),
        };
        out.push(Line {
            text: line.strip_suffix('\r').unwrap_or(line),
            start,
        });
        start = next;
    }
    out
}

/// The text of one instruction with continuations joined, and how each of its pieces maps
/// back into the source, so spans of words inside it can be reported in the file.
#[derive(Debug, Clone, Default)]
pub(super) struct Logical {
    pub text: String,
    /// `(offset in text, offset in source)` for the start of each piece, ascending.
    pieces: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, piece: &str, source_start: usize) {
        self.pieces.push((self.text.len(), source_start));
        self.text.push_str(piece);
    }

    /// The source offset of text offset `off`; an offset at a piece boundary maps to the
    /// start of the later piece.
    pub fn source(&self, off: usize) -> usize {
        let i = self.pieces.partition_point(|&(t, _)| t <= off);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(t, s)) => s + (off - t),
            None => off,
        }
    }

    /// The source offset of an exclusive end offset: at a piece boundary it stays at the
    /// end of the earlier piece, so a span never swallows the skipped line break.
    pub fn source_end(&self, off: usize) -> usize {
        if off == 0 {
            return self.source(0);
        }
        self.source(off - 1) + 1
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.source(start);
            return Span::new(at, at);
        }
        Span::new(self.source(start), self.source_end(end))
    }
}

/// A heredoc body after an instruction line.
#[derive(Debug, Clone)]
pub(super) struct RawHeredoc {
    pub content: String,
    /// From the first body line to the end of the terminator line.
    pub span: Span,
}

/// An instruction's lines: the joined text, its span, and the heredoc bodies that follow.
#[derive(Debug, Clone)]
pub(super) struct RawInstruction {
    pub logical: Logical,
    /// From the first non-blank character to the end of the last line's text.
    pub span: Span,
    pub heredocs: Vec<RawHeredoc>,
}

/// What the line layer produces for the whole file.
#[derive(Debug, Default)]
pub(super) struct Layout {
    pub instructions: Vec<RawInstruction>,
    pub comments: Vec<Comment>,
    pub directives: Vec<Directive>,
    pub escape: char,
    pub warnings: Vec<ParseError>,
    /// The lines of heredoc bodies whose first non-blank character is `#`: not the
    /// Dockerfile's comments but the script's (a `RUN` heredoc is a shell script) or the
    /// written file's, in every syntax gen reads there but JavaScript.
    pub body_comments: Vec<Comment>,
    /// The first error BuildKit's parser stops at.
    pub error: Option<ParseError>,
}

const DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// Matches BuildKit's `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on a left-trimmed line.
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start_matches(is_go_space);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let (name, rest) = rest.split_at(name_len);
    let value = rest
        .trim_start_matches(is_go_space)
        .strip_prefix('=')?
        .trim_matches(is_go_space);
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

/// Go regexp's `\s`: ASCII space, tab, newline, form feed, carriage return.
fn is_go_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

fn left_trimmed<'a>(line: &Line<'a>) -> (usize, &'a str) {
    let t = line.text.trim_start();
    (line.start + (line.text.len() - t.len()), t)
}

/// Strips a trailing escape character (and blanks after it): `Some(rest)` when the line
/// continues, as BuildKit's `([^\\])?\\[ \t]*$` does.
fn continuation(text: &str, escape: char) -> Option<&str> {
    text.trim_end_matches([' ', '\t']).strip_suffix(escape)
}

fn comment_of(line: &Line<'_>) -> Option<Comment> {
    let (at, t) = left_trimmed(line);
    let text = t.strip_prefix('#')?;
    Some(Comment {
        text: text.to_owned(),
        span: Span::new(at, line.end()),
    })
}

/// For a joined instruction line and the escape character, the heredocs it opens, as
/// `(name, chomp)`.
pub(super) type HeredocNames<'f> = &'f dyn Fn(&str, char) -> Vec<(String, bool)>;

/// Runs the line layer. `heredoc_names` gives, for a joined instruction line, the heredocs
/// it opens (`(name, chomp)`); it is called only when the line contains `<<`.
pub(super) fn layout(text: &str, heredoc_names: HeredocNames<'_>) -> Layout {
    let lines = physical_lines(text);
    let mut out = Layout {
        escape: '\\',
        ..Layout::default()
    };
    let mut in_directives = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let (at, trimmed) = left_trimmed(&line);
        if in_directives {
            match directive(trimmed)
                .filter(|(name, _)| DIRECTIVES.contains(&name.to_ascii_lowercase().as_str()))
            {
                Some((name, value)) => {
                    let span = Span::new(at, line.end());
                    if let Err(e) = add_directive(&mut out, name, value, span) {
                        out.error = out.error.or(Some(e));
                    }
                    continue;
                }
                None => in_directives = false,
            }
        }
        if let Some(c) = comment_of(&line) {
            out.comments.push(c);
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        let mut logical = Logical::default();
        let mut end = line.end();
        let mut piece = trimmed;
        let mut continues = false;
        if let Some(rest) = continuation(piece, out.escape) {
            piece = rest;
            continues = true;
        }
        logical.push(piece, at);
        while continues && i < lines.len() {
            let next = lines[i];
            i += 1;
            if let Some(c) = comment_of(&next) {
                out.comments.push(c);
                continue;
            }
            if next.text.trim().is_empty() {
                out.warnings.push(ParseError {
                    kind: ParseErrorKind::EmptyContinuationLine,
                    span: Span::new(next.start, next.end()),
                });
                continue;
            }
            end = next.end();
            piece = next.text;
            continues = false;
            if let Some(rest) = continuation(piece, out.escape) {
                piece = rest;
                continues = true;
            }
            logical.push(piece, next.start);
        }
        let end = text[..end].trim_end().len().max(at);
        let mut raw = RawInstruction {
            span: Span::new(at, end.max(at)),
            logical,
            heredocs: Vec::new(),
        };
        if raw.logical.text.contains("<<") {
            for (name, chomp) in heredoc_names(&raw.logical.text, out.escape) {
                let body_start = lines.get(i).map_or(text.len(), |l| l.start);
                let mut content = String::new();
                let mut terminated = false;
                while i < lines.len() {
                    let body = lines[i];
                    i += 1;
                    // `<<-` strips leading tabs from the body and the terminator alike.
                    let line_text = if chomp {
                        body.text.trim_start_matches('\t')
                    } else {
                        body.text
                    };
                    if line_text == name {
                        terminated = true;
                        raw.span.end = body.end();
                        raw.heredocs.push(RawHeredoc {
                            content,
                            span: Span::new(body_start, body.end()),
                        });
                        break;
                    }
                    if let Some(c) = comment_of(&body) {
                        out.body_comments.push(c);
                    }
                    content.push_str(line_text);
                    content.push('\n');
                }
                if !terminated {
                    let e = ParseError {
                        kind: ParseErrorKind::UnterminatedHeredoc(name),
                        span: raw.span,
                    };
                    out.error = out.error.or(Some(e));
                }
            }
        }
        out.instructions.push(raw);
    }
    out
}

fn add_directive(out: &mut Layout, name: &str, value: &str, span: Span) -> Result<(), ParseError> {
    let name = name.to_ascii_lowercase();
    if out.directives.iter().any(|d| d.name == name) {
        return Err(ParseError {
            kind: ParseErrorKind::DuplicateDirective(name),
            span,
        });
    }
    if name == "escape" {
        out.escape = match value {
            "\\" => '\\',
            "`" => '`',
            other => {
                return Err(ParseError {
                    kind: ParseErrorKind::InvalidEscape(other.to_owned()),
                    span,
                });
            }
        };
    }
    out.directives.push(Directive {
        name,
        value: value.to_owned(),
        span,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_table() {
        let cases = [
            (
                "# syntax=docker/dockerfile:1",
                Some(("syntax", "docker/dockerfile:1")),
            ),
            ("#escape = `", Some(("escape", "`"))),
            ("# escape=", None),
            ("# hadolint ignore=DL3008", None),
            ("# gen: ignore[PORT003]", None),
            ("#1a=b", None),
            ("# check=skip=all ", Some(("check", "skip=all"))),
        ];
        for (line, want) in cases {
            assert_eq!(directive(line), want, "{line:?}");
        }
    }

    #[test]
    fn logical_maps_offsets_across_pieces() {
        let mut l = Logical::default();
        l.push("RUN a ", 0);
        l.push("  && b", 10);
        assert_eq!(l.text, "RUN a   && b");
        assert_eq!(l.source(4), 4);
        assert_eq!(l.source(6), 10);
        assert_eq!(l.source_end(6), 6);
        assert_eq!(l.span(4, 12), Span::new(4, 16));
    }
}
