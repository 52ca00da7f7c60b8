//! `dockerfile-parse-error`: a Dockerfile that `docker build` rejects before running it.

use super::{FileType, problems, unread};
use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::model::ProblemKind;
use crate::parse::dockerfile::{self, ParseErrorKind};
use crate::parse::span::LineIndex;

declare_rule! {
    /// ## What it does
    /// Checks that the Dockerfile is one BuildKit accepts.
    ///
    /// Reported is what its parser rejects (a bad parser directive, an unterminated
    /// heredoc, a JSON array of non-strings, `ENV` without a value) and what it rejects
    /// before running any step (an unknown instruction, `FROM` with the wrong number of
    /// words, an invalid `EXPOSE` port, a `HEALTHCHECK` type other than `CMD` or `NONE`, a
    /// variable substitution it cannot do).
    ///
    /// ## Why is this bad?
    /// `docker build` fails at once (`dockerfile parse error on line 3: unknown instruction:
    /// COPPY`), and gen reads nothing of an image it cannot build: the other rules see only
    /// what the file names suggest.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// COPPY nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// COPY nginx.conf /etc/nginx/nginx.conf
    /// ```
    pub static DOCKERFILE_PARSE_ERROR = {
        code: "PRS002",
        name: "dockerfile-parse-error",
        severity: Error,
        check: check,
    }
}

const HELP: &str =
    "BuildKit rejects the whole Dockerfile before running any step: fix the instruction";

/// What BuildKit rejects once parsed, before the build: all the parser's warnings but the
/// empty continuation line, which it only warns about.
fn fatal(kind: &ParseErrorKind) -> bool {
    !matches!(kind, ParseErrorKind::EmptyContinuationLine)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    problems(
        ctx,
        ProblemKind::DockerfileSyntax,
        &DOCKERFILE_PARSE_ERROR,
        "Dockerfile",
        "`docker build` stops here",
        HELP,
        out,
    );
    for c in &ctx.containers {
        let Some(df) = &c.model.dockerfile else {
            continue;
        };
        let (Some(f), Some(text)) = (c.file(&df.file), c.model.files.text(&df.file)) else {
            continue;
        };
        // One index for the file: a Dockerfile of junk has a warning on every line.
        let index = LineIndex::new(text);
        for w in df.parsed.warnings.iter().filter(|w| fatal(&w.kind)) {
            out.push(
                DOCKERFILE_PARSE_ERROR
                    .diagnostic(
                        format!("the Dockerfile does not build: {w}"),
                        Label::with_index(
                            &f.path,
                            text,
                            &index,
                            w.span,
                            "`docker build` stops here",
                        ),
                    )
                    .with_help(HELP),
            );
        }
    }
    for (f, text) in unread(ctx, FileType::Dockerfile) {
        let (message, span) = match dockerfile::parse(text) {
            Err(e) => (format!("cannot read the Dockerfile: {e}"), e.span),
            Ok(df) => match df.warnings.iter().find(|w| fatal(&w.kind)) {
                Some(w) => (format!("the Dockerfile does not build: {w}"), w.span),
                None => continue,
            },
        };
        out.push(
            DOCKERFILE_PARSE_ERROR
                .diagnostic(
                    message,
                    Label::new(&f.path, text, span, "`docker build` stops here"),
                )
                .with_help(HELP),
        );
    }
}
