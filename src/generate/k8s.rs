//! Kubernetes: a Deployment and a Service per container, with startup, readiness and
//! liveness probes on /healthz, a termination grace period that covers the preStop pause and
//! the stop chain, and a locked-down security context. What the spec says that Kubernetes
//! cannot express (the host port, the container name) is said in the file, not dropped.

use super::Layout;
use askama::Template;

#[derive(Template)]
#[template(path = "k8s.yaml", escape = "none")]
struct Manifest<'a> {
    header: &'a str,
    name: &'a str,
    container_name: &'a str,
    host_port: Option<u16>,
    replicas: u16,
    nginx_port: u16,
    stop_timeout: u32,
    prestop: u32,
    grace: u32,
    capabilities: Vec<&'static str>,
    writable: Vec<(&'static str, &'static str)>,
    env: Vec<(&'static str, String)>,
}

/// Seconds the pod keeps serving after it is marked for termination, so endpoints update
/// before nginx stops accepting.
const PRESTOP_SECONDS: u32 = 3;

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let writable = l
        .writable()
        .iter()
        .map(|p| (p.trim_start_matches('/'), *p))
        .collect();
    Manifest {
        header: &l.header,
        name: &l.c.name,
        container_name: &l.c.container_name,
        host_port: l.c.host_port,
        replicas: l.c.replicas,
        nginx_port: l.c.nginx.port,
        stop_timeout: l.c.stop_timeout,
        prestop: PRESTOP_SECONDS,
        grace: PRESTOP_SECONDS + l.c.stop_timeout,
        capabilities: l.capabilities(),
        env: super::compose::env_list(l),
        writable,
    }
    .render()
}
