//! `generated-drift`: the output directory is not what the spec gives.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, DriftKind, FileDrift, declare_rule};
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks that every file under the output directory (`generated/`) is exactly what the
    /// spec gives: none missing, none extra, none edited by hand.
    ///
    /// ## Why is this bad?
    /// The spec states once each value that must agree across the Dockerfile, `nginx.conf`,
    /// `supervisord.conf` and the app. A hand edit changes one side of such a pair only
    /// (nginx proxies to port 8001 while the app still listens on 8000, and every request
    /// gets a 502), and the next `gen build` silently undoes it.
    ///
    /// ## Example
    /// `generated/fastapi-nginx/nginx.conf`, edited by hand:
    /// ```nginx
    /// upstream app {
    ///     server 127.0.0.1:8001;
    /// }
    /// ```
    ///
    /// Use instead: change the value in the spec and run `gen build`:
    /// ```toml
    /// [container.app]
    /// kind = "fastapi"
    /// port = 8001
    /// ```
    pub static GENERATED_DRIFT = {
        code: "GEN001",
        name: "generated-drift",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for drift in &ctx.drift {
        let mut d = match &drift.kind {
            DriftKind::Missing { .. } => GENERATED_DRIFT
                .diagnostic(
                    format!("`{}` is missing", drift.path),
                    Label::file(&drift.path, "the spec gives this file"),
                )
                .with_help("run `gen build` to write it"),
            DriftKind::Extra { on_disk } => GENERATED_DRIFT
                .diagnostic(
                    format!("`{}` is not a file the spec gives", drift.path),
                    Label::new(
                        &drift.path,
                        on_disk,
                        first_line(on_disk),
                        "not in the spec's output",
                    ),
                )
                .with_help(
                    "remove it, or run `gen build`, which removes what the spec does not give",
                ),
            DriftKind::Differs { on_disk, expected } => differs(drift, on_disk, expected),
        };
        if let (Some(spec), Some(c)) = (&ctx.spec, ctx.spec_container_named(&drift.container)) {
            d = d.with_related(Label::new(
                &spec.path,
                &spec.text,
                c.span,
                format!("`{}` is generated from this entry", c.name),
            ));
        }
        out.push(d);
    }
}

/// The span of a text's first line, without its line ending.
fn first_line(text: &str) -> Span {
    let end = text.find(['\r', '\n']).unwrap_or(text.len());
    Span::new(0, end)
}

fn differs(drift: &FileDrift, on_disk: &str, expected: &str) -> Diagnostic {
    let mut offset = 0;
    let mut disk_lines = on_disk.split_inclusive('\n');
    let mut want_lines = expected.split_inclusive('\n');
    let (span, note) = loop {
        match (disk_lines.next(), want_lines.next()) {
            (Some(a), Some(b)) if a == b => offset += a.len(),
            (Some(a), Some(b)) => {
                break (line_span(offset, a), compare_line(content(a), content(b)));
            }
            (Some(a), None) => {
                break (
                    line_span(offset, a),
                    "the spec's version ends before this line".to_owned(),
                );
            }
            (None, Some(b)) => {
                break (
                    Span::new(offset, offset),
                    format!("the spec's version goes on with {}", show(content(b))),
                );
            }
            // Equal line by line yet different as a whole cannot happen; point at the start.
            (None, None) => break (Span::new(0, 0), "differs here".to_owned()),
        }
    };
    GENERATED_DRIFT
        .diagnostic(
            format!("`{}` differs from what the spec gives", drift.path),
            Label::new(&drift.path, on_disk, span, note),
        )
        .with_help("run `gen build` to rewrite it, and make lasting changes in the spec")
}

/// The span of a line's text at `offset`, without its indentation and line ending; the
/// indentation when that is all there is.
fn line_span(offset: usize, line: &str) -> Span {
    let text = content(line);
    let indent = text.len() - text.trim_start().len();
    if indent == text.len() {
        Span::new(offset, offset + text.len())
    } else {
        Span::new(offset + indent, offset + text.len())
    }
}

fn content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

fn compare_line(on_disk: &str, expected: &str) -> String {
    if on_disk == expected {
        "the spec gives this line with another line ending".to_owned()
    } else if on_disk.trim() == expected.trim() {
        "the spec indents this line differently".to_owned()
    } else {
        format!("the spec gives {}", show(expected))
    }
}

/// A line for a label: trimmed, in backticks, cut short when long.
fn show(line: &str) -> String {
    let line = line.trim();
    if line.is_empty() {
        return "an empty line".to_owned();
    }
    let max = 60;
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("`{cut}…`")
    } else {
        format!("`{line}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::date::Date;

    fn ctx(kind: DriftKind) -> Context {
        let mut ctx = Context::new(Date::from_unix_days(0));
        ctx.drift.push(FileDrift {
            path: "generated/x/nginx.conf".into(),
            container: "x".into(),
            kind,
        });
        ctx
    }

    fn one(kind: DriftKind) -> Diagnostic {
        let mut out = Vec::new();
        check(&ctx(kind), &mut out);
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    #[test]
    fn no_drift_no_finding() {
        let mut out = Vec::new();
        check(&Context::new(Date::from_unix_days(0)), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn points_at_the_first_differing_line() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n", (2, 1, 2), "the spec gives `B`"),
            (
                "a\n  b\n",
                "a\nb\n",
                (2, 3, 4),
                "the spec indents this line differently",
            ),
            (
                "a\r\nb\n",
                "a\nb\n",
                (1, 1, 2),
                "the spec gives this line with another line ending",
            ),
            (
                "a\nb\nextra\n",
                "a\nb\n",
                (3, 1, 6),
                "the spec's version ends before this line",
            ),
            (
                "a\n",
                "a\nmore\n",
                (2, 1, 1),
                "the spec's version goes on with `more`",
            ),
            (
                "a",
                "a\n",
                (1, 1, 2),
                "the spec gives this line with another line ending",
            ),
            ("x\n", "\n", (1, 1, 2), "the spec gives an empty line"),
        ];
        for (disk, want, (line, col, end_col), note) in cases {
            let d = one(DriftKind::Differs {
                on_disk: disk.into(),
                expected: want.into(),
            });
            let p = &d.primary;
            assert_eq!(
                (
                    p.start.line,
                    p.start.column,
                    p.end.column,
                    p.message.as_str()
                ),
                (line, col, end_col, note),
                "{disk:?} vs {want:?}"
            );
            assert_eq!(
                d.message,
                "`generated/x/nginx.conf` differs from what the spec gives"
            );
        }
    }

    #[test]
    fn long_lines_are_cut() {
        let long = "x".repeat(100);
        let d = one(DriftKind::Differs {
            on_disk: "a\n".into(),
            expected: format!("{long}\n"),
        });
        assert_eq!(
            d.primary.message,
            format!("the spec gives `{}…`", "x".repeat(60))
        );
    }

    #[test]
    fn missing_and_extra_files() {
        let d = one(DriftKind::Missing {
            expected: "a\n".into(),
        });
        assert_eq!(d.message, "`generated/x/nginx.conf` is missing");
        let d = one(DriftKind::Extra {
            on_disk: "old\nstuff\n".into(),
        });
        assert_eq!(
            d.message,
            "`generated/x/nginx.conf` is not a file the spec gives"
        );
        assert_eq!((d.primary.start.line, d.primary.end.column), (1, 4));
    }
}
