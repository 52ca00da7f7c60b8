//! `env-marker-mismatch`: an nginx line that the entrypoint rewrites from an environment
//! variable (`# env NAME`) holds another value than the image's default of that variable,
//! or the image has no such variable.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::{Origin, Source};
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks the nginx lines that end in `# env NAME` when the image's entrypoint rewrites
    /// such lines (the entrypoint `gen build` writes does): the last word before the `;`
    /// (after a `host:`) must be the image's `ENV` default of `NAME`, and the image must set
    /// `NAME` at all.
    ///
    /// nginx cannot read the environment, so the entrypoint writes a copy of the config with
    /// each variable's value at its marker, and runs nginx with the copy when a value
    /// differs from the file's. With the image's defaults the copy is the file itself: that
    /// is what makes the config `gen check` reads the one that runs.
    ///
    /// ## Why is this bad?
    /// When the file and the `ENV` default disagree, every start rewrites the line: nginx
    /// runs with a value no file shows, and every check of the file (the proxy target's
    /// port, the body size) is about a config that never runs. A marker naming a variable
    /// the image does not set leaves the entrypoint nothing to write: unless the variable is
    /// set at run time, the container does not start.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_PORT=9000
    /// ```
    /// with nginx.conf:
    /// ```nginx
    /// server 127.0.0.1:8000; # env APP_PORT
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// server 127.0.0.1:9000; # env APP_PORT
    /// ```
    /// (`gen build` writes both from the spec.)
    pub static ENV_MARKER_MISMATCH = {
        code: "ENV002",
        name: "env-marker-mismatch",
        severity: Error,
        check: check,
    }
}

/// The marker after a directive's `;`, on its line: exactly ` # env NAME` and the end of the
/// line, as the entrypoint's `sed` matches it (a line it does not match, it leaves alone).
fn marker(rest_of_line: &str) -> Option<&str> {
    let rest = rest_of_line.strip_prefix(';').unwrap_or(rest_of_line);
    let name = rest.strip_prefix(" # env ")?;
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(name)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let (Some(nginx), Some((_, script))) = (&m.nginx, super::entrypoint_script(dir)) else {
            continue;
        };
        for d in &nginx.directives {
            let (Source::Local(file), Some(last)) = (&d.source, d.args.last()) else {
                continue;
            };
            let Some(text) = dir.file(file).and_then(|f| f.text.as_deref()) else {
                continue;
            };
            let end = d.span.end;
            let rest = text.get(end..).unwrap_or_default();
            let Some(name) = marker(rest.split('\n').next().unwrap_or_default()) else {
                continue;
            };
            // Only a marker the entrypoint rewrites counts; any other is a plain comment.
            if !script.contains(&format!("# env {name}")) {
                continue;
            }
            // The word the entrypoint replaces: after the last `:` of the last argument.
            let word_start = last.value.rfind(':').map_or(0, |i| i + 1);
            let word = &last.value[word_start..];
            // Point at the word itself when the argument is written bare (not quoted).
            let span = if last.span.end - last.span.start == last.value.len() {
                Span {
                    start: last.span.end - word.len(),
                    end: last.span.end,
                }
            } else {
                last.span
            };
            let at = Origin::File {
                file: file.clone(),
                span,
            };
            let diagnostic = match m.env.get(name) {
                Some(default) if default.value == word => continue,
                Some(default) => {
                    let Some(primary) = dir.label(&at, format!("the file says `{word}`")) else {
                        continue;
                    };
                    let mut diag = ENV_MARKER_MISMATCH.diagnostic(
                        format!(
                            "the entrypoint rewrites this from `{name}`, whose default is `{}`: nginx runs with `{}` here, not the `{word}` checked",
                            default.value, default.value
                        ),
                        primary,
                    );
                    if let Some(l) = dir.label(
                        &default.origin,
                        format!("`{name}` defaults to `{}`", default.value),
                    ) {
                        diag = diag.with_related(l);
                    }
                    diag.with_help(format!(
                        "write `{}` here, or change the default of `{name}`; `gen build` writes both from the spec",
                        default.value
                    ))
                }
                None => {
                    let Some(primary) = dir.label(&at, format!("rewritten from `{name}`")) else {
                        continue;
                    };
                    ENV_MARKER_MISMATCH
                        .diagnostic(
                            format!("the image sets no `{name}`, which the entrypoint writes here: unless it is set at run time, the container does not start"),
                            primary,
                        )
                        .with_help(format!("add `ENV {name}={word}` to the Dockerfile, or remove the `# env {name}` marker"))
                }
            };
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::marker;

    #[test]
    fn markers() {
        let cases = [
            (" # env APP_PORT", Some("APP_PORT")),
            ("; # env X_1", Some("X_1")),
            ("  #env  X_1 ", None),
            (" # env X_1 ", None),
            ("# env X", None),
            (" # environment", None),
            (" # env ", None),
            (" # env A-B", None),
            ("", None),
            (" x # env A", None),
        ];
        for (text, want) in cases {
            assert_eq!(marker(text), want, "{text:?}");
        }
    }
}
