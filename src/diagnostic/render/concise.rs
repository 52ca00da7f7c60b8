//! One finding a line, `path:line:col: severity[CODE] message`: the format of gcc and of
//! ruff's `--output-format concise`, which editors' problem matchers read.

use super::human::{Color, severity_color};
use crate::diagnostic::Diagnostic;
use std::fmt::Write as _;

#[must_use]
pub fn render(diags: &[Diagnostic], color: Color) -> String {
    let mut out = String::new();
    for d in diags {
        let p = &d.primary;
        let severity = format!("{}[{}]", d.severity.as_str(), d.code);
        let severity = if color == Color::Always {
            format!("\x1b[{}m{severity}\x1b[0m", severity_color(d.severity))
        } else {
            severity
        };
        // A message is one line by convention; a stray newline would split the record.
        let message = d.message.replace(['\r', '\n'], " ");
        let _ = writeln!(
            out,
            "{}:{}:{}: {severity} {message}",
            p.file, p.start.line, p.start.column
        );
    }
    out
}

/// One line per rule that fired: how many findings, the severity, the code and the name,
/// the most frequent first (ruff's `--statistics`).
#[must_use]
pub fn statistics(diags: &[Diagnostic]) -> String {
    let mut counts: Vec<(usize, &Diagnostic)> = Vec::new();
    for d in diags {
        match counts
            .iter_mut()
            .find(|(_, c)| c.code == d.code && c.severity == d.severity)
        {
            Some((n, _)) => *n += 1,
            None => counts.push((1, d)),
        }
    }
    counts.sort_by(|(n, a), (m, b)| m.cmp(n).then_with(|| a.code.cmp(&b.code)));
    let width = counts.first().map_or(1, |(n, _)| n.to_string().len());
    let mut out = String::new();
    for (n, d) in counts {
        let _ = writeln!(
            out,
            "{n:>width$}  {:<7}  {:<7}  {}",
            d.severity.as_str(),
            d.code,
            d.name
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Label, Severity};
    use crate::parse::span::Span;

    #[test]
    fn one_line_per_finding_and_per_rule() {
        let text = "a\nlisten 80;\n";
        let d = |code, sev, msg| {
            Diagnostic::new(
                code,
                "some-rule",
                sev,
                msg,
                Label::new("web/nginx.conf", text, Span::new(9, 11), ""),
            )
        };
        let diags = [
            d("NET001", Severity::Warning, "two\nlines"),
            d("PORT001", Severity::Error, "`x` is wrong"),
            d("PORT001", Severity::Error, "`y` is wrong"),
        ];
        assert_eq!(
            render(&diags, Color::Never),
            "web/nginx.conf:2:8: warning[NET001] two lines\n\
             web/nginx.conf:2:8: error[PORT001] `x` is wrong\n\
             web/nginx.conf:2:8: error[PORT001] `y` is wrong\n"
        );
        assert_eq!(
            statistics(&diags),
            "2  error    PORT001  some-rule\n1  warning  NET001   some-rule\n"
        );
    }
}
