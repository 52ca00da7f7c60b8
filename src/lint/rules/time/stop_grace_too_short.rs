//! `stop-grace-too-short`: compose or Kubernetes kills the container before supervisord
//! has stopped its programs.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{ContainerDir, Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the time the deployment gives a container to stop is at least the time
    /// supervisord, its PID 1, gives its programs to stop: the longest `stopwaitsecs` (10 s
    /// by default, event listeners included).
    ///
    /// Both defaults together (10 s each) are not reported: a program that ignores SIGTERM
    /// is killed at 10 s either way, by supervisord or by Docker, so no shutdown work is
    /// cut short that supervisord would have allowed.
    ///
    /// The time is compose's `stop_grace_period` (10 s by default), or Kubernetes'
    /// `terminationGracePeriodSeconds` (30 s by default) less what a preStop hook sleeps
    /// first, since the grace period counts from the hook's start.
    ///
    /// ## Why is this bad?
    /// When the grace period ends, Docker or the kubelet sends SIGKILL: supervisord and every
    /// program still draining die at once, cutting the requests in flight and skipping
    /// whatever the programs do on the way out, which `stopwaitsecs` was set to allow.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// stopwaitsecs=30
    /// ```
    /// ```yaml
    /// services:
    ///   web:
    ///     stop_grace_period: 10s
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     stop_grace_period: 35s
    /// ```
    pub static STOP_GRACE_TOO_SHORT = {
        code: "TIME001",
        name: "stop-grace-too-short",
        severity: Warning,
        check: check,
    }
}

/// The longest `stopwaitsecs` of supervisord's programs, with the program's name and a
/// label where it is set (or at the program's header, for the default).
fn longest_stop(dir: &ContainerDir) -> Option<(i64, String, Option<Label>)> {
    let sup = dir.model.supervisor.as_ref()?;
    // Event listeners too: supervisord waits for them as for any program, and a listener
    // that ignores the stop signal holds the stop up for its whole `stopwaitsecs`.
    let p = sup
        .programs
        .iter()
        .max_by_key(|p| p.program.stopwaitsecs.value)?;
    let setting = &p.program.stopwaitsecs;
    let (span, note) = match &setting.place {
        Some(place) => (
            place.value_span,
            format!("`{}` may take {} s to stop", p.program.name, setting.value),
        ),
        None => (
            p.program.header_span,
            format!(
                "`{}` may take {} s to stop (supervisord's default `stopwaitsecs`)",
                p.program.name, setting.value
            ),
        ),
    };
    let label = dir.label(&p.origin(span), note);
    Some((setting.value, p.program.name.clone(), label))
}

fn secs(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let Some((stop, program, label)) = longest_stop(dir) else {
                continue;
            };
            let need = u64::try_from(stop).unwrap_or(0) * 1000;
            let (grace, at, note) = match &s.stop_grace_period {
                Some(g) => match g.value {
                    Some(ms) => (ms, g.loc, "too short"),
                    None => continue,
                },
                None => (
                    10_000,
                    s.name.loc,
                    "compose's default `stop_grace_period` is 10 s",
                ),
            };
            if grace >= need {
                continue;
            }
            // Made only for a finding: a label reads its file up to its place.
            let primary = project.label(at, note);
            let mut diag = STOP_GRACE_TOO_SHORT
                .diagnostic(
                    format!(
                        "compose kills `{}` {} after stopping it, before supervisord's {stop} s for `{program}` to stop are over",
                        s.name.value,
                        secs(grace)
                    ),
                    primary,
                )
                .with_help(format!(
                    "set `stop_grace_period: {}s` (a second more than `stopwaitsecs`, for supervisord to exit), or lower `stopwaitsecs`",
                    stop.saturating_add(1)
                ));
            if let Some(l) = label {
                diag = diag.with_related(l);
            }
            out.push(diag);
        }
        for w in &project.k8s.workloads {
            for c in &w.containers {
                let Some(dir) = c.container.and_then(|i| ctx.containers.get(i)) else {
                    continue;
                };
                let Some((stop, program, label)) = longest_stop(dir) else {
                    continue;
                };
                let grace = w.grace.as_ref().map_or(30, |g| g.value);
                let sleep = c.pre_stop_sleep.as_ref().map_or(0, |s| s.value);
                let left = grace.saturating_sub(sleep);
                let need = u64::try_from(stop).unwrap_or(0);
                if left >= need {
                    continue;
                }
                let primary = match &w.grace {
                    Some(g) => project.label(g.loc, "too short"),
                    None => project.label(
                        w.name.loc,
                        "Kubernetes' default `terminationGracePeriodSeconds` is 30",
                    ),
                };
                let after = if sleep > 0 {
                    format!(" ({left} s after the preStop sleep)")
                } else {
                    String::new()
                };
                let mut diag = STOP_GRACE_TOO_SHORT
                    .diagnostic(
                        format!(
                            "the {} `{}` kills its pods {grace} s after stopping them{after}, before supervisord's {stop} s for `{program}` to stop are over",
                            w.kind, w.name.value
                        ),
                        primary,
                    )
                    .with_help(format!(
                        "set `terminationGracePeriodSeconds: {}` (`stopwaitsecs`, the preStop sleep, and a second for supervisord to exit), or lower `stopwaitsecs`",
                        need + 1 + sleep
                    ));
                if let Some(s) = &c.pre_stop_sleep {
                    diag = diag.with_related(project.label(
                        s.loc,
                        format!("the preStop hook sleeps {} s first", s.value),
                    ));
                }
                if let Some(l) = label {
                    diag = diag.with_related(l);
                }
                out.push(diag);
            }
        }
    }
}
