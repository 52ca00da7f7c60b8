//! Byte spans into a source text, and their conversion to 1-based line:column.

use serde::Serialize;

/// A half-open byte range `start..end` into one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Self::new(r.start, r.end)
    }
}

/// The comments of a line-based config (ini files): for each line, its line ending
/// excluded, `marker` gives where a comment starts, and the comment runs to the end of the
/// line. The readers that share this differ only in where a comment may start.
#[must_use]
pub fn line_comments(text: &str, marker: impl Fn(&str) -> Option<usize>) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(m) = marker(body) {
            out.push(Span::new(at + m, at + body.len()));
        }
    }
    out
}

/// A 1-based line and column; the column counts characters, as editors and rustc do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Start offsets of every line of a text, for O(log n) offset to line:column lookups.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { starts }
    }

    /// The line and column of a byte offset. Offsets past the end, or inside a multi-byte
    /// character, are clamped to a valid position.
    #[must_use]
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text.get(start..end).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line, column }
    }

    /// The text of 1-based line `line`, without its line ending.
    #[must_use]
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(text.len(), |&e| e);
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_table() {
        let text = "ab\ncdé\r\nf";
        let idx = LineIndex::new(text);
        let cases = [
            (0, 1, 1),
            (1, 1, 2),
            (3, 2, 1),
            (5, 2, 3),
            (7, 2, 4),
            (9, 3, 1),
            (99, 3, 2),
        ];
        for (off, line, column) in cases {
            assert_eq!(
                idx.line_col(text, off),
                LineCol { line, column },
                "offset {off}"
            );
        }
        assert_eq!(idx.line_text(text, 2), "cdé");
        assert_eq!(idx.line_text(text, 4), "");
    }

    #[test]
    fn offset_inside_multibyte_char_is_clamped() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
    }
}
