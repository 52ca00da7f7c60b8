//! `build-file-missing`: a compose service builds from a context or Dockerfile that is not
//! on disk.

use crate::deploy::compose::BuildMissing;
use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the build context of each compose service (`build:` or
    /// `build.context:`) is a directory, and that its Dockerfile (`build.dockerfile:`,
    /// `Dockerfile` by default) is a file in it. A remote context (a Git URL) is not
    /// looked at.
    ///
    /// ## Why is this bad?
    /// `docker compose build` (and `up`, which builds first) stops with "unable to prepare
    /// context" or "failed to read dockerfile": the service never starts. A renamed
    /// Dockerfile (`Dockerfile.backend` became `backend.Dockerfile`) is the usual cause.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     build:
    ///       context: .
    ///       dockerfile: Dockerfile.backend   # the file is backend.Dockerfile
    /// ```
    ///
    /// Use instead: name the Dockerfile the context has.
    pub static BUILD_FILE_MISSING = {
        code: "PATH003",
        name: "build-file-missing",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        let Some(compose) = &project.compose else {
            continue;
        };
        for s in &compose.services {
            let (Some(missing), Some(context)) = (s.build_missing, &s.build_context) else {
                continue;
            };
            let name = &s.name.value;
            let (message, at, note, help) = match missing {
                BuildMissing::Context => (
                    format!(
                        "the build context `{}` of `{name}` is not a directory",
                        context.value
                    ),
                    context.loc,
                    "no such directory",
                    "`docker compose build` cannot send a context that is not there: point `context:` at the directory with the Dockerfile (it is relative to the compose file)".to_owned(),
                ),
                BuildMissing::Dockerfile => {
                    let (file, at) = s
                        .build_dockerfile
                        .as_ref()
                        .map_or(("Dockerfile", context.loc), |d| (d.value.as_str(), d.loc));
                    (
                        format!(
                            "the Dockerfile `{file}` of `{name}` is not in its build context `{}`",
                            context.value
                        ),
                        at,
                        "no such file",
                        format!(
                            "`docker compose build` stops with \"failed to read dockerfile\": name the file the context has in `dockerfile:` (it is relative to `{}`)",
                            context.value
                        ),
                    )
                }
            };
            out.push(
                BUILD_FILE_MISSING
                    .diagnostic(message, project.label(at, note))
                    .with_help(help),
            );
        }
    }
}
