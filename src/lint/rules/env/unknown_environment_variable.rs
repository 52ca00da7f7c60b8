//! `unknown-environment-variable`: compose or Kubernetes sets a variable whose name is a
//! typo of one the image declares.

use crate::deploy::{Project, Val};
use crate::diagnostic::Diagnostic;
use crate::lint::{ContainerDir, Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the names of the variables a compose service's `environment:` or a
    /// Kubernetes container's `env:` sets: a name the image does not declare (with `ENV`
    /// in the Dockerfile's final stage) but within two edits of one it does is reported,
    /// as a typo of that one.
    ///
    /// Names far from every declared one are not reported: images read variables they do
    /// not declare.
    ///
    /// ## Why is this bad?
    /// The typo goes unnoticed: the container starts, the image keeps its default for the
    /// variable meant, and the setting silently does not apply (the app listens on its
    /// default port, the log level stays `info`).
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_PORT=8000
    /// ```
    /// ```yaml
    /// environment:
    ///   APP_POTR: "9000"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment:
    ///   APP_PORT: "9000"
    /// ```
    pub static UNKNOWN_ENVIRONMENT_VARIABLE = {
        code: "ENV001",
        name: "unknown-environment-variable",
        severity: Warning,
        check: check,
    }
}

/// Most edits between a typo and the name meant.
const MAX_EDITS: usize = 2;

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let names: Vec<&Val<String>> = s.environment.iter().map(|e| &e.name).collect();
            judge(
                project,
                dir,
                &format!("service `{}`", s.name.value),
                &names,
                out,
            );
        }
        for w in &project.k8s.workloads {
            for c in &w.containers {
                let Some(dir) = c.container.and_then(|i| ctx.containers.get(i)) else {
                    continue;
                };
                let names: Vec<&Val<String>> = c.env.iter().collect();
                let who = format!("the {} `{}`", w.kind, w.name.value);
                judge(project, dir, &who, &names, out);
            }
        }
    }
}

fn judge(
    project: &Project,
    dir: &ContainerDir,
    who: &str,
    names: &[&Val<String>],
    out: &mut Vec<Diagnostic>,
) {
    let declared: Vec<&str> = dir.model.env.keys().map(String::as_str).collect();
    for name in names {
        if declared.contains(&name.value.as_str()) {
            continue;
        }
        let Some(meant) = crate::spec::nearest(&name.value, &declared)
            .filter(|m| strsim::osa_distance(&name.value, m) <= MAX_EDITS)
        else {
            continue;
        };
        let mut diag = UNKNOWN_ENVIRONMENT_VARIABLE
            .diagnostic(
                format!(
                    "{who} sets `{}`, a variable its image does not declare (it declares `{meant}`)",
                    name.value
                ),
                project.label(name.loc, "not declared by the image"),
            )
            .with_help(format!("did you mean `{meant}`?"));
        if let Some(fact) = dir.model.env.get(meant) {
            diag = diag.with_related(dir.label_or(
                &fact.origin,
                "Dockerfile",
                format!("the image declares `{meant}`"),
            ));
        }
        out.push(diag);
    }
}
