//! `k8s-port-mismatch`: the ports of the Kubernetes manifests against each other and
//! against what the image's nginx listens on.

use crate::deploy::k8s::{PortRef, Workload};
use crate::deploy::{Project, Val};
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::exposure::{self, Listening};
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the ports of the Kubernetes manifests lead somewhere: container ports,
    /// Service selectors and target ports.
    ///
    /// - each `containerPort` of a Deployment (StatefulSet, DaemonSet) is a port the
    ///   image's nginx (or an app bound to every interface) listens on, when gen knows the
    ///   image (built from a container directory of the project) and every port it
    ///   listens on;
    /// - each Service's `selector` matches the pod labels of a workload of the manifests;
    /// - each Service `targetPort` (its `port` when not written) is, by name, a named
    ///   `containerPort` of a selected pod, or by number, a port the selected pods' image
    ///   listens on.
    ///
    /// ## Why is this bad?
    /// A Service whose selector matches no pod has no endpoints, and one whose target port
    /// nothing listens on has endpoints that refuse connections: either way every request
    /// through it fails (503 from an Ingress, "connection refused" inside the cluster),
    /// while the pods look healthy. A declared `containerPort` nothing listens on
    /// misleads every probe and Service that names it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080   # nginx listens on 80
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 80
    /// ```
    pub static K8S_PORT_MISMATCH = {
        code: "K8S001",
        name: "k8s-port-mismatch",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        container_ports(ctx, project, out);
        services(ctx, project, out);
    }
}

/// The linked container and the ports its image listens on, when known and not none.
fn listening(ctx: &Context, container: Option<usize>) -> Option<(usize, &[Listening])> {
    let i = container?;
    let ports = exposure::reachable(ctx.containers.get(i)?)?;
    (!ports.is_empty()).then_some((i, ports))
}

fn container_ports(ctx: &Context, project: &Project, out: &mut Vec<Diagnostic>) {
    for w in &project.k8s.workloads {
        for c in &w.containers {
            let Some((i, ports)) = listening(ctx, c.container) else {
                continue;
            };
            let dir = &ctx.containers[i];
            for p in &c.ports {
                if ports.iter().any(|l| l.port == p.port.value) {
                    continue;
                }
                let first = &ports[0];
                out.push(
                    K8S_PORT_MISMATCH
                        .diagnostic(
                            format!(
                                "the {} `{}` declares container port {}, where its image does not listen",
                                w.kind, w.name.value, p.port.value
                            ),
                            project.label(p.port.loc, "nothing listens here"),
                        )
                        .with_related(dir.label_or(&first.origin, "nginx.conf", first.note()))
                        .with_help(format!("declare `containerPort: {}`", first.port)),
                );
            }
        }
    }
}

fn labels(selector: &[(String, String)]) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("`{k}: {v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn services(ctx: &Context, project: &Project, out: &mut Vec<Diagnostic>) {
    let k8s = &project.k8s;
    if k8s.workloads.is_empty() {
        return;
    }
    for svc in &k8s.services {
        if svc.selector.is_empty() {
            continue;
        }
        let selected: Vec<&Workload> = k8s.selected(&svc.selector).collect();
        if selected.is_empty() {
            let loc = svc.selector_loc.unwrap_or(svc.name.loc);
            let mut diag = K8S_PORT_MISMATCH
                .diagnostic(
                    format!(
                        "the Service `{}` selects pods labelled {}, and no workload's pods have those labels",
                        svc.name.value,
                        labels(&svc.selector)
                    ),
                    project.label(loc, "selects nothing"),
                )
                .with_help("make the selector a subset of the pod template's labels");
            if let Some(w) = k8s.workloads.first() {
                diag = diag.with_related(project.label(
                    w.name.loc,
                    format!(
                        "the pods of {} `{}` are labelled {}",
                        w.kind,
                        w.name.value,
                        labels(&w.labels)
                    ),
                ));
            }
            out.push(diag);
            continue;
        }
        for sp in &svc.ports {
            let target = sp
                .target
                .clone()
                .unwrap_or_else(|| Val::new(PortRef::Number(sp.port.value), sp.port.loc));
            match &target.value {
                PortRef::Name(name) => {
                    let declared = selected.iter().flat_map(|w| &w.containers).any(|c| {
                        c.ports
                            .iter()
                            .any(|p| p.name.as_ref().is_some_and(|n| n.value == *name))
                    });
                    if declared {
                        continue;
                    }
                    let w = selected[0];
                    out.push(
                        K8S_PORT_MISMATCH
                            .diagnostic(
                                format!(
                                    "the Service `{}` targets port `{name}`, which no container of {} `{}` names",
                                    svc.name.value, w.kind, w.name.value
                                ),
                                project.label(target.loc, "no such container port"),
                            )
                            .with_related(project.label(w.name.loc, "the selected pods"))
                            .with_help(format!(
                                "name the container port `{name}` (`- name: {name}` under `ports:`), or target it by number"
                            )),
                    );
                }
                PortRef::Number(n) => {
                    let mut known = Vec::new();
                    for c in selected.iter().flat_map(|w| &w.containers) {
                        match listening(ctx, c.container) {
                            Some(k) => known.push(k),
                            // One container gen cannot judge may be the one listening.
                            None => {
                                known.clear();
                                break;
                            }
                        }
                    }
                    if known.is_empty()
                        || known
                            .iter()
                            .any(|(_, ports)| ports.iter().any(|l| l.port == *n))
                    {
                        continue;
                    }
                    let (i, ports) = &known[0];
                    let first = &ports[0];
                    out.push(
                        K8S_PORT_MISMATCH
                            .diagnostic(
                                format!(
                                    "the Service `{}` targets port {n}, where the selected pods do not listen",
                                    svc.name.value
                                ),
                                project.label(target.loc, "nothing listens here"),
                            )
                            .with_related(ctx.containers[*i].label_or(
                                &first.origin,
                                "nginx.conf",
                                first.note(),
                            ))
                            .with_help(format!("target port {}", first.port)),
                    );
                }
            }
        }
    }
}
