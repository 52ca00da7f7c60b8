//! Building edits that keep a file's look: a new line takes the indentation and the line
//! ending of the line it follows, and a replacement is made only where the text is what the
//! rule expects, so a span that drifted from the text never corrupts a file.

use crate::diagnostic::Edit;
use crate::lint::ContainerDir;
use crate::model::{Origin, Source};
use crate::parse::span::Span;

/// The file (its path as diagnostics show it), its text, and the span `origin` points at,
/// when it is a readable file of `dir`; `None` for packaged files and defaults, which no
/// fix can edit.
#[must_use]
pub fn local<'a>(dir: &'a ContainerDir, origin: &Origin) -> Option<(&'a str, &'a str, Span)> {
    let (rel, span) = origin.file_span()?;
    let f = dir.file(rel)?;
    let text = f.text.as_deref()?;
    text.get(span.start..span.end)?;
    Some((f.path.as_str(), text, span))
}

/// [`local`] for a span of the file `source`.
#[must_use]
pub fn local_span<'a>(
    dir: &'a ContainerDir,
    source: &Source,
    span: Span,
) -> Option<(&'a str, &'a str, Span)> {
    local(dir, &source.origin(span))
}

/// Inserts arguments just after the command word at `span`: `, "a", "b"` in an exec-form
/// (JSON) array, ` shell` in a command line where no quote is open before the word.
#[must_use]
pub fn after_word(file: &str, text: &str, span: Span, json: &[&str], shell: &str) -> Option<Edit> {
    let before = text.get(line_start(text, span.start)..span.start)?;
    let next = text.get(span.end..)?.chars().next();
    let word = text.get(span.start..span.end)?;
    let new: String = json.iter().map(|a| format!(", \"{a}\"")).collect();
    // The span of a JSON word holds its quotes; a label's may not.
    if word.len() >= 2 && word.starts_with('"') && word.ends_with('"') {
        return Some(Edit::insert(file, text, span.end, new));
    }
    if before.ends_with('"') && next == Some('"') {
        return Some(Edit::insert(file, text, span.end + 1, new));
    }
    let plain = !before.contains(['\'', '"', '[']) && next.is_none_or(char::is_whitespace);
    plain.then(|| Edit::insert(file, text, span.end, format!(" {shell}")))
}

/// Deletes the whole lines that `span` covers, when nothing but blanks shares them.
#[must_use]
pub fn delete_lines(file: &str, text: &str, span: Span) -> Option<Edit> {
    let start = line_start(text, span.start);
    let end = line_end(text, span.end.saturating_sub(1).max(span.start));
    let before = text.get(start..span.start)?;
    let after = text.get(span.end..end)?;
    (before.trim().is_empty() && after.trim().is_empty())
        .then(|| Edit::replace(file, text, Span::new(start, end), ""))
}

/// Sets `key` to `value` in an INI section: over the value at `existing` when the key is
/// there, else as a new line after the line holding byte `after`, written as `like` (the
/// key and value spans of a neighbouring entry) writes its `=`.
#[must_use]
pub fn set_ini(
    file: &str,
    text: &str,
    existing: Option<Span>,
    after: usize,
    like: Option<(Span, Span)>,
    key: &str,
    value: &str,
) -> Option<Edit> {
    if let Some(span) = existing {
        text.get(span.start..span.end)?;
        return Some(Edit::replace(file, text, span, value));
    }
    let sep = like
        .and_then(|(k, v)| text.get(k.end..v.start))
        .filter(|s| s.trim() == "=" || s.trim() == ":")
        .unwrap_or("=");
    Some(insert_line_after(
        file,
        text,
        after,
        &format!("{key}{sep}{value}"),
    ))
}

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
    fn after_word_table() {
        let cases = [
            (
                "CMD [\"nginx\"]\n",
                6,
                11,
                Some("CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"),
            ),
            ("CMD nginx\n", 4, 9, Some("CMD nginx -g 'daemon off;'\n")),
            ("CMD sh -c 'nginx'\n", 11, 16, None),
            (
                "CMD [\"nginx\"]\n",
                5,
                12,
                Some("CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"),
            ),
        ];
        for (text, start, end, want) in cases {
            let e = after_word(
                "f",
                text,
                Span::new(start, end),
                &["-g", "daemon off;"],
                "-g 'daemon off;'",
            );
            let got = e.map(|e| crate::fix::apply::apply(text, &[e]));
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn delete_lines_table() {
        let text = "a;\n  daemon off;\nb; daemon on;\n";
        let e = delete_lines("f", text, Span::new(5, 16)).expect("alone on its line");
        assert_eq!(crate::fix::apply::apply(text, &[e]), "a;\nb; daemon on;\n");
        assert_eq!(delete_lines("f", text, Span::new(20, 30)), None);
    }

    #[test]
    fn set_ini_table() {
        let text = "[program:a]\ncommand = a\n";
        let like = Some((Span::new(12, 19), Span::new(22, 23)));
        let e = set_ini("f", text, None, 12, like, "k", "0").expect("insert");
        assert_eq!(
            crate::fix::apply::apply(text, &[e]),
            "[program:a]\ncommand = a\nk = 0\n"
        );
        let e = set_ini("f", text, Some(Span::new(22, 23)), 0, None, "command", "b");
        assert_eq!(
            crate::fix::apply::apply(text, &[e.expect("replace")]),
            "[program:a]\ncommand = b\n"
        );
    }

    #[test]
    fn replace_checked_refuses_other_text() {
        let text = "nodaemon=false\n";
        assert!(replace_checked("f", text, Span::new(9, 14), "false", "true").is_some());
        assert!(replace_checked("f", text, Span::new(9, 14), "off", "true").is_none());
        assert!(replace_checked("f", text, Span::new(9, 99), "false", "true").is_none());
    }
}
