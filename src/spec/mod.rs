//! The spec: one `spec.toml` describing every container. `load` parses and validates it with
//! exact spans; the rest of gen works on the validated [`Spec`], where every value that must
//! agree across files is stated once.

mod base;
mod load;
pub mod raw;

pub use base::{Base, Distro};
pub use load::{SpecError, load, nearest};

use crate::parse::span::Span;

/// A user's value as shown in a message: escaped, and cut to 60 characters so that a huge
/// value cannot flood the terminal.
#[must_use]
pub fn shown(value: &str) -> String {
    let escaped: String = value.escape_debug().collect();
    if escaped.chars().count() <= 60 {
        escaped
    } else {
        let head: String = escaped.chars().take(57).collect();
        format!("{head}...")
    }
}

/// The largest spec gen reads: far beyond any real one, small enough to bound memory and time.
pub const MAX_SPEC_BYTES: usize = 1 << 20;

/// The application framework a container runs behind nginx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKind {
    Fastapi,
    Express,
}

impl AppKind {
    pub const ALL: [(&'static str, Self); 2] =
        [("fastapi", Self::Fastapi), ("express", Self::Express)];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Fastapi => "fastapi",
            Self::Express => "express",
        }
    }

    #[must_use]
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Fastapi => 8000,
            Self::Express => 3000,
        }
    }

    #[must_use]
    pub const fn default_base(self) -> &'static str {
        match self {
            Self::Fastapi => "ubuntu:24.04",
            Self::Express => "alpine:3.22",
        }
    }
}

/// A validated container entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// Directory under `generated/`, image tag, compose service name: a DNS label.
    pub name: String,
    /// The `docker run --name` of the container.
    pub container_name: String,
    pub base: Base,
    /// The host port published to nginx's port (`-p HOST:NGINX`); `None` behind a load
    /// balancer, which publishes the only ports.
    pub host_port: Option<u16>,
    /// The host interface `host_port` binds to.
    pub host_address: HostAddress,
    pub limits: Limits,
    /// Copies running behind the load balancer (1 without one).
    pub replicas: u16,
    /// Where `base` is written in spec.toml; `None` when the default applies.
    pub base_span: Option<Span>,
    pub app: App,
    pub nginx: Nginx,
    /// Docker's stop timeout that the stop chain is built to fit in (seconds).
    pub stop_timeout: u32,
    /// Where in spec.toml this entry starts, for diagnostics that point at the spec.
    pub span: Span,
}

impl Container {
    /// How long supervisord waits for a program after its stop signal (`stopwaitsecs`): two
    /// seconds inside Docker's stop timeout, so supervisord can still exit cleanly.
    #[must_use]
    pub const fn stopwaitsecs(&self) -> u32 {
        self.stop_timeout.saturating_sub(2)
    }

    /// How long nginx and the app each drain in-flight requests after their stop signal:
    /// half the stop timeout. supervisord stops nginx first and the app after it, so the two
    /// drains run one after the other; by the time nginx has finished, the app has no
    /// request left and exits at once. Measured with a slow upload in flight: about
    /// graceful + 1.5 s in all, well inside the stop timeout.
    #[must_use]
    pub const fn graceful_timeout(&self) -> u32 {
        self.stop_timeout / 2
    }
}

/// The host interface a published port binds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostAddress(pub std::net::IpAddr);

impl HostAddress {
    pub const LOOPBACK: Self = Self(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    /// The address as a compose port mapping writes it before `:HOST_PORT`: IPv6 in brackets.
    #[must_use]
    pub fn in_mapping(self) -> String {
        match self.0 {
            std::net::IpAddr::V4(a) => a.to_string(),
            std::net::IpAddr::V6(a) => format!("[{a}]"),
        }
    }
}

/// The resource limits of a container (compose `deploy.resources.limits`, Kubernetes
/// `resources.limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Thousandths of a core.
    pub millicpus: u32,
    pub memory_mib: u32,
}

impl Limits {
    /// compose's `cpus`: cores as a decimal string (`"2"`, `"0.5"`).
    #[must_use]
    pub fn compose_cpus(self) -> String {
        let whole = self.millicpus / 1000;
        let frac = self.millicpus % 1000;
        if frac == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{frac:03}")
                .trim_end_matches('0')
                .to_owned()
        }
    }

    /// Kubernetes' `cpu` quantity: whole cores, or millicores.
    #[must_use]
    pub fn k8s_cpu(self) -> String {
        if self.millicpus % 1000 == 0 {
            (self.millicpus / 1000).to_string()
        } else {
            format!("{}m", self.millicpus)
        }
    }

    /// compose's `memory` (`512M`) and Kubernetes' (`512Mi`): both whole mebibytes.
    #[must_use]
    pub fn compose_memory(self) -> String {
        format!("{}M", self.memory_mib)
    }

    #[must_use]
    pub fn k8s_memory(self) -> String {
        format!("{}Mi", self.memory_mib)
    }
}

/// `[kubernetes]`: settings of the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kubernetes {
    pub namespace: String,
}

impl Default for Kubernetes {
    fn default() -> Self {
        Self {
            namespace: "gen".to_owned(),
        }
    }
}

/// How much the app logs; the names are uvicorn's `--log-level` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Critical,
    Error,
    Warning,
    Info,
    Debug,
}

impl LogLevel {
    pub const ALL: [Self; 5] = [
        Self::Critical,
        Self::Error,
        Self::Warning,
        Self::Info,
        Self::Debug,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Debug => "debug",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub kind: AppKind,
    /// Always a loopback address: only nginx may reach the app.
    pub host: String,
    pub port: u16,
    /// gen's starter app, or the user's own.
    pub code: AppCode,
    /// The path the app answers health checks on (`app.health_path`); `None`: the probes
    /// check only that nginx reaches the app.
    pub health_path: Option<String>,
    pub workers: u16,
    pub log_level: LogLevel,
    /// The unprivileged user the app runs as.
    pub user: String,
}

impl App {
    /// The starter app's message; `None` for the user's own app.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match &self.code {
            AppCode::Starter { message } => Some(message),
            AppCode::Source(_) => None,
        }
    }

    /// The user's app, if the spec names one.
    #[must_use]
    pub const fn source(&self) -> Option<&AppSource> {
        match &self.code {
            AppCode::Starter { .. } => None,
            AppCode::Source(s) => Some(s),
        }
    }
}

/// What runs behind nginx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCode {
    /// gen writes the app: `GET /` answers `{"message": message}`, `/healthz` answers.
    Starter { message: String },
    /// The user's app, from a directory of the project (`app.source`).
    Source(AppSource),
}

/// `app.source` and `app.entry`: the user's app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSource {
    /// The app's directory relative to the spec's directory, `/`-separated, without `./`
    /// or a trailing `/`; `.` for the spec's directory itself. Never climbs out of it.
    pub dir: String,
    pub entry: Entry,
    /// Where `source` and `entry` are written in the spec, for errors found at build time.
    pub dir_span: Span,
    pub entry_span: Span,
}

/// How the app server starts the user's app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// fastapi: uvicorn's `module:attribute`; `factory` when written `module:function()`.
    Asgi {
        module: String,
        attribute: String,
        factory: bool,
    },
    /// express: the script Node runs, relative to the source directory.
    Script(String),
}

impl Entry {
    /// The entry as uvicorn or Node take it: `module:attribute` or the script's path.
    #[must_use]
    pub fn target(&self) -> String {
        match self {
            Self::Asgi {
                module, attribute, ..
            } => format!("{module}:{attribute}"),
            Self::Script(path) => path.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nginx {
    pub port: u16,
    pub client_max_body_size: String,
    pub proxy_connect_timeout: u32,
    pub proxy_read_timeout: u32,
    pub proxy_send_timeout: u32,
    /// Idle upstream connections each worker keeps open to the app.
    pub upstream_keepalive: u32,
    pub worker_connections: u32,
}

/// The load balancer: a third nginx container routing path prefixes to the containers over
/// a user-defined network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lb {
    pub name: String,
    pub host_port: u16,
    /// The host interface the load balancer's ports bind to.
    pub host_address: HostAddress,
    pub limits: Limits,
    pub base: Base,
    /// The IPv4 subnet of the network behind the load balancer, as `a.b.c.d/n`.
    pub subnet: String,
    /// Longest path first, so nginx's prefix matching and the Ingress agree.
    pub routes: Vec<Route>,
    pub tls: Option<Tls>,
    pub stop_timeout: u32,
}

impl Lb {
    /// nginx drains in-flight requests within this many seconds of QUIT: half the stop
    /// timeout, as in the containers.
    #[must_use]
    pub const fn graceful_timeout(&self) -> u32 {
        self.stop_timeout / 2
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub path: String,
    /// The `name` of the container it goes to.
    pub container: String,
    pub strip_prefix: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub host_port: u16,
    pub server_name: String,
    pub hsts: bool,
}

/// `[check]`: settings for `gen check`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Check {
    /// Codes of the rules `gen check` does not run.
    pub ignore: Vec<&'static str>,
    /// Codes of the only rules `gen check` runs; empty: every rule.
    pub select: Vec<&'static str>,
    /// Severities given to rules, by code.
    pub severity: Vec<(&'static str, crate::diagnostic::Severity)>,
    /// Globs relative to the spec's directory, each with the codes it allows.
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
    /// Renamed or removed rules in its ignore lists, one line each (`gen check` prints them).
    pub warnings: Vec<String>,
}

/// The validated spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    pub containers: Vec<Container>,
    pub lb: Option<Lb>,
    pub check: Check,
    pub kubernetes: Kubernetes,
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn limits_and_addresses_as_compose_and_kubernetes_write_them() {
        let cases = [
            (2000, "2", "2"),
            (500, "0.5", "500m"),
            (1250, "1.25", "1250m"),
            (100, "0.1", "100m"),
        ];
        for (millicpus, compose, k8s) in cases {
            let l = Limits {
                millicpus,
                memory_mib: 512,
            };
            assert_eq!(
                (l.compose_cpus().as_str(), l.k8s_cpu().as_str()),
                (compose, k8s)
            );
        }
        let l = Limits {
            millicpus: 1000,
            memory_mib: 2048,
        };
        assert_eq!(
            (l.compose_memory(), l.k8s_memory()),
            ("2048M".to_owned(), "2048Mi".to_owned())
        );
        assert_eq!(HostAddress::LOOPBACK.in_mapping(), "127.0.0.1");
        let v6 = HostAddress("::1".parse().expect("an address"));
        assert_eq!(v6.in_mapping(), "[::1]");
    }
}
