//! gen's findings as the protocol's diagnostics: positions in UTF-16 code units (the
//! protocol's default encoding) from gen's byte spans, the severity mapped, the rule's code
//! with a link to its explanation, related places as `relatedInformation`.
//!
//! A finding is published on the file it points into, and once more on each other file it
//! names (as rust-analyzer does with rustc's secondary spans), at severity information and
//! pointing back: a port written in nginx.conf that no program listens on shows in
//! nginx.conf and where the app's port is written, so both ends of the mismatch light up.

use super::uri;
use crate::diagnostic::{Diagnostic, Label, Severity, Sources};
use crate::parse::span::Span;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The position of byte `offset` of `text` (clamped to the text and to a character
/// boundary).
#[must_use]
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count();
    let character: usize = before
        .get(line_start..)
        .unwrap_or_default()
        .chars()
        .map(char::len_utf16)
        .sum();
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

/// The byte offset of `pos` in `text`: past the line's end is its end, past the text's
/// end is the text's end.
#[must_use]
pub fn offset(text: &str, pos: Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text.get(start..).and_then(|t| t.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = text.get(start..).unwrap_or_default();
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line.len()
}

#[must_use]
pub fn range(text: &str, span: Span) -> Range {
    Range {
        start: position(text, span.start),
        end: position(text, span.end.max(span.start)),
    }
}

/// The range of a label in `text`, its file's contents.
fn label_range(label: &Label, text: Option<&str>) -> Range {
    text.map_or_else(Range::default, |t| range(t, label.span))
}

const fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Where a rule's explanation can be opened: the Markdown file `gen explain CODE` prints,
/// written under `dir` when the session starts.
fn explanation(dir: Option<&Path>, code: &str) -> Option<CodeDescription> {
    let path = dir?.join(format!("{code}.md"));
    Some(CodeDescription {
        href: uri::from_path(&path)?,
    })
}

/// A label as a related location, when it is in one of `files` (not a packaged default).
fn related(
    label: &Label,
    sources: &Sources,
    files: &BTreeSet<String>,
) -> Option<DiagnosticRelatedInformation> {
    if !files.contains(&label.file) {
        return None;
    }
    let path = Path::new(&label.file);
    Some(DiagnosticRelatedInformation {
        location: Location {
            uri: uri::from_path(path)?,
            range: label_range(label, sources.get(&label.file)),
        },
        message: label.message.clone(),
    })
}

/// One finding, on its own file; `files` are the files an editor can open.
#[must_use]
pub fn convert(
    d: &Diagnostic,
    sources: &Sources,
    files: &BTreeSet<String>,
    explain: Option<&Path>,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!("\n{}", d.primary.message));
    }
    // Places the editor cannot open (a distribution's packaged config) are named in the
    // message instead.
    for l in d
        .related
        .iter()
        .filter(|l| !Path::new(&l.file).is_absolute())
    {
        message.push_str(&format!("\n{}:{}: {}", l.file, l.start.line, l.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<_> = d
        .related
        .iter()
        .filter_map(|l| related(l, sources, files))
        .collect();
    lsp_types::Diagnostic {
        range: label_range(&d.primary, sources.get(&d.primary.file)),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: explanation(explain, &d.code),
        source: Some("gen".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The findings of one lint by the file they are published on: each on its own file, and
/// once more on each other file it names (see the module doc).
#[must_use]
pub fn by_file(
    diags: &[Diagnostic],
    sources: &Sources,
    files: &BTreeSet<String>,
    explain: Option<&Path>,
) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for d in diags {
        let main = convert(d, sources, files, explain);
        let back = uri::from_path(Path::new(&d.primary.file)).map(|uri| Location {
            uri,
            range: main.range,
        });
        let mut seen = vec![d.primary.file.as_str()];
        for l in &d.related {
            if seen.contains(&l.file.as_str()) || !files.contains(&l.file) {
                continue;
            }
            seen.push(&l.file);
            let Some(back) = back.clone() else { continue };
            out.entry(PathBuf::from(&l.file))
                .or_default()
                .push(lsp_types::Diagnostic {
                    range: label_range(l, sources.get(&l.file)),
                    severity: Some(DiagnosticSeverity::INFORMATION),
                    code: main.code.clone(),
                    code_description: main.code_description.clone(),
                    source: main.source.clone(),
                    message: format!("{} ({}: {})", l.message, d.code, d.message),
                    related_information: Some(vec![DiagnosticRelatedInformation {
                        location: back,
                        message: d.message.clone(),
                    }]),
                    tags: None,
                    data: None,
                });
        }
        out.entry(PathBuf::from(&d.primary.file))
            .or_default()
            .push(main);
    }
    out
}

/// The URI of a path, for publishing.
#[must_use]
pub fn uri_of(path: &Path) -> Option<Uri> {
    uri::from_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_and_round_trip() {
        let text = "ab\ncdé𝄞x\r\n\nz";
        let cases = [
            (0, (0, 0)),
            (2, (0, 2)),
            (3, (1, 0)),
            (5, (1, 2)),
            (7, (1, 3)),
            // After the astral 𝄞: two UTF-16 units.
            (11, (1, 5)),
            (12, (1, 6)),
            (14, (2, 0)),
            (15, (3, 0)),
            (16, (3, 1)),
            (99, (3, 1)),
        ];
        for (at, (line, character)) in cases {
            let pos = position(text, at);
            assert_eq!((pos.line, pos.character), (line, character), "offset {at}");
            if at <= text.len() && text.is_char_boundary(at) {
                assert_eq!(offset(text, pos), at, "offset {at}");
            }
        }
        // Past a line's end is the line's end; past the text's end is its end.
        assert_eq!(offset(text, Position::new(0, 40)), 2);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }
}
