//! `probe-path-mismatch`: a compose health check or a Kubernetes HTTP probe asks another
//! path than the image's own HEALTHCHECK.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::probe;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the health probes of the deployment (a compose service's `healthcheck`
    /// running `curl` or `wget`, a Kubernetes `httpGet` probe) ask the path that the
    /// image's own `HEALTHCHECK` asks, when both are known.
    ///
    /// ## Why is this bad?
    /// The image's HEALTHCHECK names the path its authors made cheap and reliable to
    /// answer: another path may need the app's database, redirect (which `curl -f` and
    /// the kubelet count differently), or not exist, so the container is judged
    /// unhealthy, or healthy, for the wrong reason.
    ///
    /// ## Example
    /// ```dockerfile
    /// HEALTHCHECK CMD curl -fsS http://127.0.0.1/healthz || exit 1
    /// ```
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /health, port: http}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /healthz, port: http}
    /// ```
    pub static PROBE_PATH_MISMATCH = {
        code: "HC003",
        name: "probe-path-mismatch",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let Some((want, origin)) = probe::image_path(&dir.model) else {
                continue;
            };
            let Some((word, url)) = s.healthcheck.as_ref().and_then(probe::compose_url) else {
                continue;
            };
            if !url.local || url.path == want {
                continue;
            }
            out.push(
                PROBE_PATH_MISMATCH
                    .diagnostic(
                        format!(
                            "the health check of `{}` asks `{}`, but the image's HEALTHCHECK asks `{want}`",
                            s.name.value, url.path
                        ),
                        project.label(word.loc, format!("not `{want}`")),
                    )
                    .with_related(dir.label_or(origin, "Dockerfile", format!("asks `{want}`")))
                    .with_help(format!("probe `{want}`, as the image does")),
            );
        }
        for w in &project.k8s.workloads {
            for c in &w.containers {
                let Some(dir) = c.container.and_then(|i| ctx.containers.get(i)) else {
                    continue;
                };
                let Some((want, origin)) = probe::image_path(&dir.model) else {
                    continue;
                };
                for p in &c.probes {
                    let Some(path) = &p.path else { continue };
                    let got = path.value.split(['?', '#']).next().unwrap_or("");
                    if got == want {
                        continue;
                    }
                    out.push(
                        PROBE_PATH_MISMATCH
                            .diagnostic(
                                format!(
                                    "the {} of {} `{}` asks `{got}`, but the image's HEALTHCHECK asks `{want}`",
                                    p.kind, w.kind, w.name.value
                                ),
                                project.label(path.loc, format!("not `{want}`")),
                            )
                            .with_related(dir.label_or(
                                origin,
                                "Dockerfile",
                                format!("asks `{want}`"),
                            ))
                            .with_help(format!("probe `{want}`, as the image does")),
                    );
                }
            }
        }
    }
}
