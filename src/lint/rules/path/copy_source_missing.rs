//! `copy-source-missing`: a COPY or ADD whose source is not in the build context.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::EntryKind;

declare_rule! {
    /// ## What it does
    /// Checks that every local source of the final stage's COPY and ADD is a file or
    /// directory of the container directory, which is the build context (as compose's
    /// `build: context:` and `docker build DIR` make it), and never outside it (`../`).
    ///
    /// When no COPY source at all is found in the directory, the image is probably built
    /// from another context (`docker build -f sub/Dockerfile .`), and nothing is reported.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at that COPY ("failed to compute cache key: not found"), or
    /// refuses a path outside the context ("forbidden path outside the build context"):
    /// the image is never built. A `.dockerignore` that excludes the file has the same
    /// effect.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY supervisord.conf /etc/supervisor/conf.d/   # the file is supervisor.conf
    /// COPY ../shared/nginx.conf /etc/nginx/           # outside the context
    /// ```
    ///
    /// Use instead: copy files that are in the directory, under their real names.
    pub static COPY_SOURCE_MISSING = {
        code: "PATH002",
        name: "copy-source-missing",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        if m.missing_sources.is_empty() {
            continue;
        }
        let found_some = m
            .image
            .iter()
            .any(|(_, e)| matches!(e.kind, EntryKind::Local { .. }));
        for src in &m.missing_sources {
            let outside = src.value.split('/').any(|seg| seg == "..")
                && !src.value.trim_start_matches("./").is_empty();
            if !outside && !found_some {
                continue;
            }
            let (message, note, help) = if outside {
                (
                    format!("`COPY {}` reaches outside the build context", src.value),
                    "outside the context",
                    "Docker only sends the build context: move the file into the container's directory and copy it from there",
                )
            } else {
                (
                    format!("`COPY {}` names nothing in the build context", src.value),
                    "no such file here",
                    "copy a file that is in the container's directory (check its name, and that `.dockerignore` does not exclude it)",
                )
            };
            out.push(
                COPY_SOURCE_MISSING
                    .diagnostic(message, dir.label_or(&src.origin, "Dockerfile", note))
                    .with_help(help),
            );
        }
    }
}
