//! GitHub Actions workflow commands: one `::error file=...,line=...::message` line per
//! diagnostic, which the runner turns into an annotation on the pull request's diff.

use crate::diagnostic::{Diagnostic, Severity};
use std::fmt::Write as _;

/// Escapes the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=...`), where `:` and `,` are separators too.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[must_use]
pub fn render(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let p = &d.primary;
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&p.file),
            p.start.line,
            p.start.column,
            p.end.line,
            p.end.column,
            escape_property(&d.code),
            escape_data(&d.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;
    use crate::parse::span::Span;

    #[test]
    fn escapes_separators_and_newlines() {
        let text = "ab\ncd\n";
        let d = Diagnostic::new(
            "GEN001",
            "generated-drift",
            Severity::Warning,
            "50% done\nnext",
            Label::new("dir,x/a:b", text, Span::new(3, 5), ""),
        );
        assert_eq!(
            render(&[d]),
            "::warning file=dir%2Cx/a%3Ab,line=2,col=1,endLine=2,endColumn=3,title=GEN001::50%25 done%0Anext\n"
        );
    }
}
