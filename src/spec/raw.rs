//! The spec as TOML says it: every field optional where a default exists, every value that
//! validation may reject kept with its span.

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    #[serde(default)]
    pub container: Vec<S<RawContainer>>,
    pub check: Option<S<RawCheck>>,
}

/// `[check]`: settings for `gen check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// Rules (by code or name) that `gen check` does not run.
    #[serde(default)]
    pub ignore: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainer {
    pub name: S<String>,
    pub container_name: Option<S<String>>,
    pub base: Option<S<String>>,
    pub host_port: S<i64>,
    pub stop_timeout: Option<S<i64>>,
    pub app: S<RawApp>,
    pub nginx: Option<S<RawNginx>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApp {
    pub kind: S<String>,
    pub port: Option<S<i64>>,
    pub message: S<String>,
    pub workers: Option<S<i64>>,
    pub user: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNginx {
    pub port: Option<S<i64>>,
    pub client_max_body_size: Option<S<String>>,
    pub proxy_connect_timeout: Option<S<i64>>,
    pub proxy_read_timeout: Option<S<i64>>,
    pub proxy_send_timeout: Option<S<i64>>,
    pub upstream_keepalive: Option<S<i64>>,
    pub worker_connections: Option<S<i64>>,
}

/// The keys each table accepts, for "did you mean" hints.
pub const SPEC_KEYS: &[&str] = &["container", "check"];
pub const CHECK_KEYS: &[&str] = &["ignore"];
pub const CONTAINER_KEYS: &[&str] = &[
    "name",
    "container_name",
    "base",
    "host_port",
    "stop_timeout",
    "app",
    "nginx",
];
pub const APP_KEYS: &[&str] = &["kind", "port", "message", "workers", "user"];
pub const NGINX_KEYS: &[&str] = &[
    "port",
    "client_max_body_size",
    "proxy_connect_timeout",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "upstream_keepalive",
    "worker_connections",
];
