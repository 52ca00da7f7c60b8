//! compose.yaml: one service per container, built from its directory, with the spec's host
//! ports, a health check on /healthz, the stop chain's grace period, hardening, user-defined
//! networks and capped logs; with a load balancer, it is the only service that publishes
//! ports and it starts once the containers it routes to are healthy. `docker compose up
//! --build` replaces the per-container commands. Ports bind to the spec's `host_address`
//! (loopback by default), limits come from `cpus` and `memory`, and each image is tagged with
//! a digest of its directory and built, never pulled (`pull_policy: build`), so dclint,
//! compose-lint and checkov find nothing to report (README, "Security notes").

use super::Layout;
use super::env;
use crate::spec::Lb;
use askama::Template;

struct Service<'a> {
    /// The build context (relative to compose.yaml) and, when it is not the image's own
    /// directory, the Dockerfile's path in it.
    context: String,
    dockerfile: Option<String>,
    name: &'a str,
    /// The image tag: a digest of the files its image is built from.
    tag: &'a str,
    container_name: &'a str,
    replicas: u16,
    host_address: String,
    ports: Vec<String>,
    cpus: String,
    memory: String,
    depends_on: Vec<&'a str>,
    certs: Option<&'a str>,
    init: bool,
    stop_signal: &'a str,
    stop_comment: String,
    stop_timeout: u32,
    health_test: String,
    writable: [&'static str; 2],
    capabilities: Vec<&'static str>,
    networks: Vec<&'a str>,
    /// Configuration variables and their YAML values.
    environment: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "compose.yaml", escape = "none")]
struct Compose<'a> {
    header: &'a str,
    services: Vec<Service<'a>>,
    backend_subnet: Option<&'a str>,
}

fn exec_form(argv: &[String]) -> String {
    std::iter::once("\"CMD\"".to_owned())
        .chain(argv.iter().map(|a| format!("\"{a}\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A container's configuration variables with their defaults as YAML scalars, for compose
/// and Kubernetes.
pub(super) fn env_list(l: &Layout<'_>) -> Vec<(&'static str, String)> {
    env::vars(l.c)
        .into_iter()
        .map(|v| (v.name, env::yaml_value(&v.default)))
        .collect()
}

/// `tags` holds the image tag of each container and of the load balancer, by name.
pub fn render(
    layouts: &[Layout<'_>],
    lb: Option<&Lb>,
    tags: &super::Tags,
) -> Result<String, askama::Error> {
    let mut services: Vec<Service<'_>> = layouts
        .iter()
        .map(|l| Service {
            name: &l.c.name,
            context: match l.c.app.source() {
                Some(_) => l.project.context_from_out.clone(),
                None => format!("./{}", l.c.name),
            },
            dockerfile: l
                .c
                .app
                .source()
                .map(|_| format!("{}Dockerfile", l.gen_files())),
            tag: tags.of(&l.c.name),
            container_name: &l.c.container_name,
            replicas: l.c.replicas,
            host_address: l.c.host_address.0.to_string(),
            ports: l
                .c
                .host_port
                .iter()
                .map(|hp| format!("{}:{hp}:{}", l.c.host_address.in_mapping(), l.c.nginx.port))
                .collect(),
            cpus: l.c.limits.compose_cpus(),
            memory: l.c.limits.compose_memory(),
            depends_on: Vec::new(),
            certs: None,
            init: true,
            stop_signal: "SIGTERM",
            stop_comment: format!(
                "supervisord waits {} s for each program, which drain in {} s.",
                l.c.stopwaitsecs(),
                l.c.graceful_timeout()
            ),
            stop_timeout: l.c.stop_timeout,
            health_test: exec_form(&l.health_argv()),
            writable: l.writable(),
            capabilities: l.capabilities(),
            networks: vec!["backend"],
            environment: env_list(l),
        })
        .collect();
    if let Some(lb) = lb {
        let address = lb.host_address.in_mapping();
        let mut ports = vec![format!("{address}:{}:80", lb.host_port)];
        ports.extend(
            lb.tls
                .iter()
                .map(|t| format!("{address}:{}:443", t.host_port)),
        );
        let mut depends_on: Vec<&str> = lb.routes.iter().map(|r| r.container.as_str()).collect();
        depends_on.sort_unstable();
        depends_on.dedup();
        services.push(Service {
            name: &lb.name,
            context: format!("./{}", lb.name),
            dockerfile: None,
            tag: tags.of(&lb.name),
            container_name: &lb.name,
            replicas: 1,
            host_address: lb.host_address.0.to_string(),
            ports,
            cpus: lb.limits.compose_cpus(),
            memory: lb.limits.compose_memory(),
            depends_on,
            certs: lb.tls.as_ref().map(|_| "${GEN_CERT_DIR:-../certs}"),
            // nginx is PID 1 and reaps its own workers.
            init: false,
            stop_signal: "SIGQUIT",
            stop_comment: format!(
                "nginx drains in-flight requests within {} s of QUIT.",
                lb.graceful_timeout()
            ),
            stop_timeout: lb.stop_timeout,
            health_test: exec_form(
                &[
                    "wget",
                    "-q",
                    "-O",
                    "/dev/null",
                    "http://127.0.0.1:80/healthz",
                ]
                .map(String::from),
            ),
            writable: ["/run", "/tmp"],
            capabilities: vec![
                "CHOWN",
                "DAC_OVERRIDE",
                "FOWNER",
                "KILL",
                "NET_BIND_SERVICE",
                "SETGID",
                "SETUID",
            ],
            networks: vec!["frontend", "backend"],
            environment: Vec::new(),
        });
    }
    Compose {
        header: "Generated by gen from the spec; edit the spec, not this file.",
        services,
        backend_subnet: lb.map(|l| l.subnet.as_str()),
    }
    .render()
}
