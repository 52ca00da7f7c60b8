//! `yaml-parse-error`: a compose file or Kubernetes manifest that is not YAML gen can read.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the compose file and the Kubernetes manifests (`k8s/*.yaml`) of a
    /// project parse as YAML, within gen's limits (4 MiB, 64 levels of nesting, 200,000
    /// nodes with aliases expanded).
    ///
    /// A manifest with `{{` in it is a template (Helm's, or another Go template): YAML only
    /// once rendered, so it is neither judged nor read.
    ///
    /// ## Why is this bad?
    /// `docker compose` and `kubectl apply` refuse the whole file, so nothing in it is
    /// deployed; and gen cannot check what the file says against the containers.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]
    /// ```
    pub static YAML_PARSE_ERROR = {
        code: "PRS008",
        name: "yaml-parse-error",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for p in &project.problems {
            out.push(
                YAML_PARSE_ERROR
                    .diagnostic(
                        format!(
                            "`{}` is not YAML gen can read: {}",
                            project.path(p.loc),
                            p.message
                        ),
                        project.label(p.loc, "here"),
                    )
                    .with_help("fix the syntax; nothing in the file is deployed until it parses"),
            );
        }
    }
}
