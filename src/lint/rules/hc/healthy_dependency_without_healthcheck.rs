//! `healthy-dependency-without-healthcheck`: a compose service waits for another to be
//! healthy (`depends_on: condition: service_healthy`), and that one has no health check.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::image::name_and_tag;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::parse::dockerfile::Healthcheck;

declare_rule! {
    /// ## What it does
    /// Checks that every service a compose service waits on with `condition:
    /// service_healthy` has a health check: its own `healthcheck:` in the compose file, or
    /// the `HEALTHCHECK` of its image (its build context's Dockerfile). An image whose
    /// base gen does not know may inherit one, and is not reported.
    ///
    /// ## Why is this bad?
    /// Compose starts the waiting service only once the other reports `healthy`, which a
    /// container without a health check never does: `docker compose up` fails with
    /// `dependency failed to start: container ... has no healthcheck configured`, and the
    /// load balancer in front of the apps never starts.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   lb:
    ///     depends_on:
    ///       app:
    ///         condition: service_healthy
    ///   app:
    ///     build: ./app            # its Dockerfile has no HEALTHCHECK
    /// ```
    ///
    /// Use instead: a `HEALTHCHECK` in the app's Dockerfile (`gen build` writes one), or a
    /// `healthcheck:` for `app` in the compose file.
    pub static HEALTHY_DEPENDENCY_WITHOUT_HEALTHCHECK = {
        code: "HC004",
        name: "healthy-dependency-without-healthcheck",
        severity: Error,
        check: check,
    }
}

/// Base images known to define no `HEALTHCHECK` of their own.
const BASES_WITHOUT_HEALTHCHECK: &[&str] = &[
    "alpine", "ubuntu", "debian", "busybox", "node", "python", "nginx", "httpd", "golang", "rust",
    "scratch",
];

/// Whether the image of `dir` has a health check: `Some(false)` only when gen knows it
/// has none (no `HEALTHCHECK`, or `HEALTHCHECK NONE`, over a base gen knows).
fn image_has_healthcheck(dir: &ContainerDir) -> Option<bool> {
    let m = &dir.model;
    match m.healthcheck.as_ref().map(|h| &h.value) {
        Some(Healthcheck::Cmd { .. }) => Some(true),
        Some(Healthcheck::None) => Some(false),
        None => {
            let base = m.base_image.as_ref()?;
            let (name, _) = name_and_tag(&base.value)?;
            BASES_WITHOUT_HEALTHCHECK.contains(&name).then_some(false)
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        let Some(compose) = &project.compose else {
            continue;
        };
        for s in &compose.services {
            for dep in &s.depends_on {
                let healthy = dep
                    .condition
                    .as_ref()
                    .is_some_and(|c| c.value == "service_healthy");
                let Some(target) = compose.service(&dep.service.value).filter(|_| healthy) else {
                    continue;
                };
                let own = target.healthcheck.as_ref();
                let has = match own {
                    Some(h) if h.disabled => Some(false),
                    Some(h) if !h.words.is_empty() => Some(true),
                    // No `test:` of its own: the image's check, with compose's timings.
                    _ => target
                        .container
                        .and_then(|i| ctx.containers.get(i))
                        .and_then(image_has_healthcheck),
                };
                if has != Some(false) {
                    continue;
                }
                let mut d = HEALTHY_DEPENDENCY_WITHOUT_HEALTHCHECK
                    .diagnostic(
                        format!(
                            "`{}` waits for `{}` to be healthy, but `{}` has no health check",
                            s.name.value, target.name.value, target.name.value
                        ),
                        project.label(dep.service.loc, "never becomes healthy"),
                    )
                    .with_related(project.label(
                        target.name.loc,
                        if own.is_some_and(|h| h.disabled) {
                            "its health check is disabled"
                        } else {
                            "no `healthcheck:` here"
                        },
                    ));
                let dir = target.container.and_then(|i| ctx.containers.get(i));
                if let (Some(dir), false) = (dir, own.is_some_and(|h| h.disabled)) {
                    let m = &dir.model;
                    let label = match &m.healthcheck {
                        Some(h) => dir.label(&h.origin, "turns the base image's check off"),
                        None => m.base_image.as_ref().and_then(|b| {
                            dir.label(&b.origin, "no `HEALTHCHECK` in this image, nor in its base")
                        }),
                    };
                    if let Some(l) = label {
                        d = d.with_related(l);
                    }
                }
                let help = if own.is_some_and(|h| h.disabled) {
                    format!(
                        "turn `{}`'s health check back on (remove `disable: true` or `test: [\"NONE\"]`), or wait with `condition: service_started`",
                        target.name.value
                    )
                } else {
                    format!(
                        "give `{}` a `HEALTHCHECK` in its Dockerfile or a `healthcheck:` in the compose file, or wait with `condition: service_started`",
                        target.name.value
                    )
                };
                out.push(d.with_help(help));
            }
        }
    }
}
