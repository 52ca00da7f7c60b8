//! `unknown-upstream-host`: a load balancer sends requests to a name that is no service of
//! its project: an nginx proxy target in a compose project, or an Ingress backend in the
//! Kubernetes manifests.

use crate::deploy::{Project, k8s::PortRef};
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::compose::{Resolution, joined, names, not_a_service_name, resolve};
use crate::lint::analysis::exposure;
use crate::lint::{Context, declare_rule};
use crate::model::Target;

declare_rule! {
    /// ## What it does
    /// Checks that the hosts nginx proxies to in a compose project, and the Services an
    /// Ingress routes to, exist, on a port they serve.
    ///
    /// - A `proxy_pass` or upstream `server` of a container that a compose service builds
    ///   names a host by a bare name (no dots): it must be a service of the project, or a
    ///   `container_name`, `hostname` or network alias of one, on a network both services
    ///   join; and when gen knows every port that service's container listens on, the port
    ///   must be one of them. `links:` aliases count, `extra_hosts` and `external_links`
    ///   names are taken as they are, and services on an `external` network or with a
    ///   `network_mode` are not judged: their peers are not all in the file.
    /// - An Ingress backend names a Service of the manifests, and a port (by name or
    ///   number) that Service has.
    ///
    /// ## Why is this bad?
    /// nginx resolves upstream names when it starts: an unknown name stops it with "host
    /// not found in upstream", so the load balancer restarts in a loop; a name it can
    /// resolve on the wrong port answers every request with 502 Bad Gateway. An Ingress
    /// backend naming a missing Service or port gets 503 from the ingress controller.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app {
    ///     server fastapi:80;      # the service is `fastapi-nginx`
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// upstream app {
    ///     server fastapi-nginx:80;
    /// }
    /// ```
    pub static UNKNOWN_UPSTREAM_HOST = {
        code: "NGX006",
        name: "unknown-upstream-host",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        compose(ctx, project, out);
        ingress(project, out);
    }
}

fn compose(ctx: &Context, project: &Project, out: &mut Vec<Diagnostic>) {
    let Some(compose) = &project.compose else {
        return;
    };
    for s in &compose.services {
        let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
            continue;
        };
        let Some(nginx) = &dir.model.nginx else {
            continue;
        };
        let networks: Vec<&str> = s.networks.iter().map(|n| n.name.value.as_str()).collect();
        if s.network_mode.is_some() || networks.iter().any(|n| compose.external(n)) {
            continue;
        }
        for p in &nginx.proxies {
            let Target::Tcp { host, port, .. } = &p.target else {
                continue;
            };
            if not_a_service_name(host) || s.other_hosts.contains(host) {
                continue;
            }
            let t = match resolve(compose, s, host, &networks) {
                Resolution::Service(t) => t,
                unresolved => {
                    let diag = match unresolved {
                    Resolution::Service(t) | Resolution::OffNetwork(t) => UNKNOWN_UPSTREAM_HOST
                        .diagnostic(
                            format!(
                                "nginx of `{}` proxies to `{host}`, a service on no network `{}` joins",
                                s.name.value, s.name.value
                            ),
                            dir.label_or(&p.origin, "nginx.conf", "out of reach"),
                        )
                        .with_related(project.label(
                            t.name.loc,
                            format!("`{host}` joins {}", joined(t)),
                        ))
                        .with_related(project.label(
                            s.name.loc,
                            format!("`{}` joins {}", s.name.value, joined(s)),
                        ))
                        .with_help(format!(
                            "put `{host}` and `{}` on a common network",
                            s.name.value
                        )),
                    Resolution::Unknown => {
                        let names = names(compose);
                        let help = match crate::spec::nearest(host, &names) {
                            Some(n) => format!("did you mean `{n}`? nginx proxies to services by their compose names"),
                            None => "name a service of the compose file (its key under `services:`), or a network alias of one".to_owned(),
                        };
                        UNKNOWN_UPSTREAM_HOST
                            .diagnostic(
                                format!(
                                    "nginx of `{}` proxies to `{host}`, which is no service of the compose project",
                                    s.name.value
                                ),
                                dir.label_or(&p.origin, "nginx.conf", "no such service"),
                            )
                            .with_related(project.label(
                                s.name.loc,
                                format!("`{}` runs this nginx", s.name.value),
                            ))
                            .with_help(help)
                    }
                };
                    out.push(diag);
                    continue;
                }
            };
            let (Some(port), Some(ti)) = (port, t.container) else {
                continue;
            };
            let Some(tdir) = ctx.containers.get(ti) else {
                continue;
            };
            let Some(ports) = exposure::reachable(tdir) else {
                continue;
            };
            let Some(first) = ports.first() else { continue };
            if ports.iter().any(|l| l.port == *port) {
                continue;
            }
            out.push(UNKNOWN_UPSTREAM_HOST
                .diagnostic(
                    format!(
                        "nginx of `{}` proxies to `{host}` on port {port}, where `{}` does not listen",
                        s.name.value, t.name.value
                    ),
                    dir.label_or(&p.origin, "nginx.conf", format!("port {port}")),
                )
                .with_related(tdir.label_or(&first.origin, "nginx.conf", first.note()))
                .with_help(format!(
                    "proxy to `{host}:{}`, the port its container listens on",
                    first.port
                )));
        }
    }
}

fn ingress(project: &Project, out: &mut Vec<Diagnostic>) {
    let k8s = &project.k8s;
    for ing in &k8s.ingresses {
        for b in &ing.backends {
            let Some(svc) = k8s.service(&b.service.value) else {
                let names: Vec<&str> = k8s.services.iter().map(|s| s.name.value.as_str()).collect();
                let help = match crate::spec::nearest(&b.service.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "name a Service of the manifests, or add one for the pods".to_owned(),
                };
                out.push(
                    UNKNOWN_UPSTREAM_HOST
                        .diagnostic(
                            format!(
                                "the Ingress `{}` routes to Service `{}`, which the manifests do not define",
                                ing.name.value, b.service.value
                            ),
                            project.label(b.service.loc, "no such Service"),
                        )
                        .with_help(help),
                );
                continue;
            };
            let Some(port) = &b.port else { continue };
            let found = svc.ports.iter().any(|p| match &port.value {
                PortRef::Number(n) => p.port.value == *n,
                PortRef::Name(name) => p.name.as_ref().is_some_and(|x| x.value == *name),
            });
            if found {
                continue;
            }
            let mut has: Vec<String> = svc
                .ports
                .iter()
                .map(|p| match &p.name {
                    Some(n) => format!("`{}` ({})", n.value, p.port.value),
                    None => p.port.value.to_string(),
                })
                .collect();
            if has.is_empty() {
                has.push("none".to_owned());
            }
            out.push(
                UNKNOWN_UPSTREAM_HOST
                    .diagnostic(
                        format!(
                            "the Ingress `{}` routes to port {} of Service `{}`, which has no such port",
                            ing.name.value,
                            port.value.shown(),
                            svc.name.value
                        ),
                        project.label(port.loc, "no such port"),
                    )
                    .with_related(project.label(
                        svc.name.loc,
                        format!("`{}` has ports: {}", svc.name.value, has.join(", ")),
                    ))
                    .with_help("name a port the Service has, by its name or its `port` number"),
            );
        }
    }
}
