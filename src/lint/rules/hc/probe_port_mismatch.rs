//! `probe-port-mismatch`: a compose health check or a Kubernetes HTTP probe asks a port the
//! container does not serve.

use crate::deploy::k8s::PortRef;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::exposure;
use crate::lint::analysis::probe;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the health probes of the deployment (compose `healthcheck`, Kubernetes
    /// `httpGet`) ask a port the container serves.
    ///
    /// - a compose service's `healthcheck` that runs `curl` or `wget` against the container
    ///   itself (`127.0.0.1`, `localhost`) asks a port nginx or an app of the image listens
    ///   on (loopback included, since the check runs inside the container);
    /// - a Kubernetes `httpGet` probe (startup, readiness, liveness) names a port the
    ///   container declares (by name), or one its image listens on (by number: the kubelet
    ///   connects to the pod's address, so loopback does not count).
    ///
    /// Ports are judged only when gen knows every port the image listens on.
    ///
    /// ## Why is this bad?
    /// A probe of a port nothing listens on always fails: compose marks the service
    /// unhealthy (and never starts what `depends_on` it with `service_healthy`), and
    /// Kubernetes never routes to the pod, or restarts it forever. A probe port name the
    /// container does not declare is refused by the API server, or never resolves.
    ///
    /// ## Example
    /// ```yaml
    /// readinessProbe:
    ///   httpGet:
    ///     path: /healthz
    ///     port: web        # the container port is named `http`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// readinessProbe:
    ///   httpGet:
    ///     path: /healthz
    ///     port: http
    /// ```
    pub static PROBE_PORT_MISMATCH = {
        code: "HC002",
        name: "probe-port-mismatch",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let Some((word, url)) = s.healthcheck.as_ref().and_then(probe::compose_url) else {
                continue;
            };
            let (true, Some(port)) = (url.local, url.port) else {
                continue;
            };
            let Some(ports) = exposure::inside(dir) else {
                continue;
            };
            let Some(first) = ports.first() else {
                continue;
            };
            if ports.iter().any(|l| l.port == port) {
                continue;
            }
            out.push(
                PROBE_PORT_MISMATCH
                    .diagnostic(
                        format!(
                            "the health check of `{}` asks port {port}, where nothing in the container listens",
                            s.name.value
                        ),
                        project.label(word.loc, "nothing listens here"),
                    )
                    .with_related(dir.label_or(&first.origin, "nginx.conf", first.note()))
                    .with_help(format!("probe port {}", first.port)),
            );
        }
        for w in &project.k8s.workloads {
            for c in &w.containers {
                for p in &c.probes {
                    match &p.port.value {
                        PortRef::Name(name) => {
                            if c.ports
                                .iter()
                                .any(|cp| cp.name.as_ref().is_some_and(|n| n.value == *name))
                            {
                                continue;
                            }
                            let names: Vec<&str> = c
                                .ports
                                .iter()
                                .filter_map(|cp| cp.name.as_ref().map(|n| n.value.as_str()))
                                .collect();
                            let help = match crate::spec::nearest(name, &names) {
                                Some(n) => format!("did you mean `{n}`?"),
                                None => format!(
                                    "name a port of the container (`- name: {name}` under `ports:`), or probe it by number"
                                ),
                            };
                            out.push(
                                PROBE_PORT_MISMATCH
                                    .diagnostic(
                                        format!(
                                            "the {} of {} `{}` asks port `{name}`, which the container does not declare",
                                            p.kind, w.kind, w.name.value
                                        ),
                                        project.label(p.port.loc, "no such container port"),
                                    )
                                    .with_help(help),
                            );
                        }
                        PortRef::Number(n) => {
                            let Some(i) = c.container else { continue };
                            let Some(dir) = ctx.containers.get(i) else {
                                continue;
                            };
                            let Some(ports) = exposure::reachable(dir) else {
                                continue;
                            };
                            let Some(first) = ports.first() else {
                                continue;
                            };
                            if ports.iter().any(|l| l.port == *n) {
                                continue;
                            }
                            out.push(
                                PROBE_PORT_MISMATCH
                                    .diagnostic(
                                        format!(
                                            "the {} of {} `{}` asks port {n}, where its image does not listen",
                                            p.kind, w.kind, w.name.value
                                        ),
                                        project.label(p.port.loc, "nothing listens here"),
                                    )
                                    .with_related(dir.label_or(
                                        &first.origin,
                                        "nginx.conf",
                                        first.note(),
                                    ))
                                    .with_help(format!("probe port {}", first.port)),
                            );
                        }
                    }
                }
            }
        }
    }
}
