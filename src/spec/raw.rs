//! The spec as TOML says it: every field optional where a default exists, every value that
//! validation may reject kept with its span. The doc comments and `schemars` attributes here
//! are the one description of the spec: `gen schema` derives the JSON Schema from them.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

/// A gen spec: every container gen generates, with nginx in front of an app under
/// supervisord.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gen spec")]
pub struct RawSpec {
    /// The containers, one `[[container]]` table each.
    #[serde(default)]
    #[schemars(with = "Vec<RawContainer>")]
    pub container: Vec<S<RawContainer>>,
    /// A load balancer: a third nginx container in front of the others, routing by path over
    /// a user-defined network. With it, only the load balancer publishes host ports.
    #[schemars(with = "Option<RawLb>")]
    pub lb: Option<S<RawLb>>,
    /// Settings for `gen check`.
    #[schemars(with = "Option<RawCheck>")]
    pub check: Option<S<RawCheck>>,
    /// Settings of the Kubernetes manifests under `k8s/`.
    #[schemars(with = "Option<RawKubernetes>")]
    pub kubernetes: Option<S<RawKubernetes>>,
}

/// `[kubernetes]`: settings of the Kubernetes manifests.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Kubernetes")]
pub struct RawKubernetes {
    /// The namespace every object goes into (`k8s/namespace.yaml` creates it): a DNS label,
    /// not `default` nor a `kube-` one. Default: `gen`.
    #[schemars(with = "Option<String>", regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"), extend("default" = "gen"))]
    pub namespace: Option<S<String>>,
}

/// `[check]`: settings for `gen check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Check")]
#[serde(rename_all = "kebab-case")]
pub struct RawCheck {
    /// Rules (by code or name) that `gen check` does not run.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<S<String>>,
    /// The only rules (by code or name) that `gen check` runs. Default: every rule.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub select: Vec<S<String>>,
    /// A rule's severity (by code or name): `"error"` or `"warning"`.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub severity: std::collections::BTreeMap<String, S<String>>,
    /// Globs relative to the spec's directory, each with the rules (by code or name) that
    /// `gen check` does not report in the files it matches.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, Vec<String>>")]
    pub per_file_ignores: std::collections::BTreeMap<String, Vec<S<String>>>,
}

/// The load balancer container.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Lb")]
pub struct RawLb {
    /// Its directory, image tag and service name (a DNS label). Default: `lb`.
    #[schemars(with = "Option<String>", regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"), extend("default" = "lb"))]
    pub name: Option<S<String>>,
    /// The host port published to the load balancer's HTTP port 80.
    #[schemars(with = "u16", range(min = 1, max = 65535))]
    pub host_port: S<i64>,
    /// The host interface the published port binds to (and its TLS port bind to): an IPv4
    /// or IPv6 address. Default: `127.0.0.1`, this machine only; `0.0.0.0` publishes on every
    /// interface (Docker's published ports bypass the host's firewall).
    #[schemars(with = "Option<String>", extend("default" = "127.0.0.1", "examples" = ["127.0.0.1", "0.0.0.0", "::1"]))]
    pub host_address: Option<S<String>>,
    /// The CPU limit, in cores (compose `deploy.resources.limits.cpus`, Kubernetes
    /// `limits.cpu`), from 0.1 to 64 in steps of 0.001.
    #[schemars(with = "Option<f64>", range(min = 0.1, max = 64), extend("default" = 1))]
    pub cpus: Option<S<f64>>,
    /// The memory limit: a whole number of mebibytes (`m`) or gibibytes (`g`), from 32m to
    /// 256g (compose `deploy.resources.limits.memory`, Kubernetes `limits.memory`).
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9]{1,6}[mg]$"), extend("default" = "256m"))]
    pub memory: Option<S<String>>,
    /// The base image, an `alpine` release. Default: `alpine:3.22`.
    #[schemars(with = "Option<String>")]
    pub base: Option<S<String>>,
    /// The IPv4 subnet of the network between the load balancer and the containers; the
    /// containers' nginx trusts X-Forwarded-For from it. Default: `10.89.0.0/24`.
    #[schemars(with = "Option<String>", extend("default" = "10.89.0.0/24"))]
    pub subnet: Option<S<String>>,
    /// Path prefixes and the container each goes to, the longest prefix first.
    #[schemars(with = "Vec<RawRoute>", length(min = 1))]
    pub route: Vec<S<RawRoute>>,
    /// HTTPS at the load balancer (Mozilla's intermediate profile, HTTP to HTTPS redirect,
    /// HSTS). The certificate is mounted at run time, never baked into the image.
    #[schemars(with = "Option<RawTls>")]
    pub tls: Option<S<RawTls>>,
}

/// One route of the load balancer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Route")]
pub struct RawRoute {
    /// The path prefix, starting and ending with `/`.
    #[schemars(with = "String", regex(pattern = r"^/([A-Za-z0-9._~-]+/)*$"))]
    pub path: S<String>,
    /// The `name` of the container that serves it.
    #[schemars(with = "String")]
    pub container: S<String>,
    /// Remove the prefix before proxying, so the app sees `/` for `path`. Default: true.
    #[schemars(with = "Option<bool>", extend("default" = true))]
    pub strip_prefix: Option<S<bool>>,
}

/// HTTPS at the load balancer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Tls")]
pub struct RawTls {
    /// The host port published to the load balancer's HTTPS port 443.
    #[schemars(with = "u16", range(min = 1, max = 65535))]
    pub host_port: S<i64>,
    /// The host name the certificate is for (and `gen cert` makes one for). Default:
    /// `localhost`.
    #[schemars(with = "Option<String>", extend("default" = "localhost"))]
    pub server_name: Option<S<String>>,
    /// Send Strict-Transport-Security (two years). Default: true.
    #[schemars(with = "Option<bool>", extend("default" = true))]
    pub hsts: Option<S<bool>>,
}

/// One container: nginx on `nginx.port` proxying to the app on 127.0.0.1:`app.port`, both
/// run by supervisord.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Container")]
pub struct RawContainer {
    /// The directory under generated/, the image tag and the compose/Kubernetes service name:
    /// 1 to 63 lower-case letters, digits and `-`, starting and ending with a letter or digit.
    #[schemars(
        with = "String",
        regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
    )]
    pub name: S<String>,
    /// The `docker run --name` of the container. Default: `name`.
    #[schemars(
        with = "Option<String>",
        regex(pattern = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
    )]
    pub container_name: Option<S<String>>,
    /// The base image, with a pinned release: an `ubuntu`, `debian` or `alpine` image.
    /// Default: `ubuntu:24.04` for fastapi, `alpine:3.22` for express.
    #[schemars(with = "Option<String>", extend("examples" = ["ubuntu:24.04", "alpine:3.22", "debian:12"]))]
    pub base: Option<S<String>>,
    /// The host port published to nginx's port (`docker run -p HOST_PORT:80`). Required
    /// without `[lb]`; not allowed with it (the load balancer publishes the only ports).
    #[schemars(with = "Option<u16>", range(min = 1, max = 65535))]
    pub host_port: Option<S<i64>>,
    /// The host interface the published port binds to (`-p ADDRESS:HOST_PORT:PORT`): an IPv4
    /// or IPv6 address. Default: `127.0.0.1`, this machine only; `0.0.0.0` publishes on every
    /// interface (Docker's published ports bypass the host's firewall).
    #[schemars(with = "Option<String>", extend("default" = "127.0.0.1", "examples" = ["127.0.0.1", "0.0.0.0", "::1"]))]
    pub host_address: Option<S<String>>,
    /// The CPU limit, in cores (compose `deploy.resources.limits.cpus`, Kubernetes
    /// `limits.cpu`), from 0.1 to 64 in steps of 0.001.
    #[schemars(with = "Option<f64>", range(min = 0.1, max = 64), extend("default" = 2))]
    pub cpus: Option<S<f64>>,
    /// The memory limit: a whole number of mebibytes (`m`) or gibibytes (`g`), from 32m to
    /// 256g (compose `deploy.resources.limits.memory`, Kubernetes `limits.memory`).
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9]{1,6}[mg]$"), extend("default" = "512m"))]
    pub memory: Option<S<String>>,
    /// How many copies of the container run behind the load balancer (needs `[lb]`).
    #[schemars(with = "Option<u16>", range(min = 1, max = 16), extend("default" = 1))]
    pub replicas: Option<S<i64>>,
    /// Docker's stop timeout in seconds; supervisord's `stopwaitsecs` and the app's graceful
    /// shutdown are derived to fit inside it.
    #[schemars(with = "Option<u32>", range(min = 5, max = 3600), extend("default" = 10))]
    pub stop_timeout: Option<S<i64>>,
    /// The app behind nginx.
    #[schemars(with = "RawApp")]
    pub app: S<RawApp>,
    /// nginx settings; every key has a default.
    #[schemars(with = "Option<RawNginx>")]
    pub nginx: Option<S<RawNginx>>,
}

/// The app server behind nginx, listening on 127.0.0.1 only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "App")]
// gen's starter app (`message`) or the user's own (`source` and `entry`), never both.
#[schemars(extend("oneOf" = [
    {
        "required": ["message"],
        "not": {"anyOf": [{"required": ["source"]}, {"required": ["entry"]}, {"required": ["health_path"]}]}
    },
    {"required": ["source", "entry"], "not": {"required": ["message"]}}
]))]
pub struct RawApp {
    /// The framework: `fastapi` (uvicorn, in a virtual environment) or `express` (Node).
    #[schemars(with = "String", extend("enum" = ["fastapi", "express"]))]
    pub kind: S<String>,
    /// The app's port on 127.0.0.1. Default: 8000 for fastapi, 3000 for express.
    #[schemars(with = "Option<u16>", range(min = 1, max = 65535))]
    pub port: Option<S<i64>>,
    /// The starter app's answer to `GET /`, as `{"message": ...}`: required without
    /// `source`, not allowed with it (your app answers for itself). Any text without control
    /// characters (it is also the default of the `APP_MESSAGE` environment variable); it is
    /// escaped for each file.
    #[schemars(with = "Option<String>", length(min = 1, max = 4096))]
    pub message: Option<S<String>>,
    /// Your app's directory, relative to the spec's directory (`.` for the spec's own):
    /// gen then writes no app files; the image installs the app's dependencies from its
    /// manifests (`requirements.txt` or `pyproject.toml`; `package.json` with
    /// `package-lock.json`) and copies the directory. Letters, digits and `._-/`, without
    /// `..`: the build context is the spec's directory.
    #[schemars(with = "Option<String>", regex(pattern = r"^(?!(.*/)?\.\.(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?$"), extend("examples" = [".", "app", "services/api"]))]
    pub source: Option<S<String>>,
    /// How the app server starts your app (required with `source`). fastapi: the ASGI app
    /// as `module:attribute` (`app.main:app`), or a factory as `module:function()` (run with
    /// uvicorn's `--factory`); express: the script, relative to `source` (`server.js`).
    #[schemars(with = "Option<String>", extend("examples" = ["app.main:app", "app.main:create_app()", "server.js"]))]
    pub entry: Option<S<String>>,
    /// The path your app answers health checks on (with `source`): the container's
    /// HEALTHCHECK, compose's health check, the Kubernetes probes and nginx's `/healthz`
    /// ask it. Without it, they check only that nginx reaches the app (any HTTP answer).
    #[schemars(with = "Option<String>", regex(pattern = r"^/[A-Za-z0-9._~/-]*$"), extend("examples" = ["/health"]))]
    pub health_path: Option<S<String>>,
    /// uvicorn worker processes (fastapi only; express runs one Node process).
    #[schemars(with = "Option<u16>", range(min = 1, max = 64), extend("default" = 1))]
    pub workers: Option<S<i64>>,
    /// How much the app logs: `critical`, `error`, `warning`, `info` (each request) or `debug`.
    #[schemars(with = "Option<String>", extend("enum" = ["critical", "error", "warning", "info", "debug"], "default" = "info"))]
    pub log_level: Option<S<String>>,
    /// The unprivileged user the app runs as (created in the image).
    #[schemars(with = "Option<String>", regex(pattern = r"^[a-z][a-z0-9_-]{0,31}$"), extend("default" = "app"))]
    pub user: Option<S<String>>,
}

/// nginx, the container's only published listener.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Nginx")]
pub struct RawNginx {
    /// The port nginx listens on inside the container (EXPOSE, `-p HOST:PORT`).
    #[schemars(with = "Option<u16>", range(min = 1, max = 65535), extend("default" = 80))]
    pub port: Option<S<i64>>,
    /// The largest request body nginx accepts, in nginx's size syntax.
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9]{1,12}[kKmMgG]?$"), extend("default" = "1m"))]
    pub client_max_body_size: Option<S<String>>,
    /// Seconds to wait for a connection to the app.
    #[schemars(with = "Option<u32>", range(min = 1, max = 75), extend("default" = 5))]
    pub proxy_connect_timeout: Option<S<i64>>,
    /// Seconds to wait between two reads of the app's response.
    #[schemars(with = "Option<u32>", range(min = 1, max = 86400), extend("default" = 60))]
    pub proxy_read_timeout: Option<S<i64>>,
    /// Seconds to wait between two writes of the request to the app.
    #[schemars(with = "Option<u32>", range(min = 1, max = 86400), extend("default" = 60))]
    pub proxy_send_timeout: Option<S<i64>>,
    /// Idle connections to the app each nginx worker keeps open (0 turns keep-alive off).
    #[schemars(with = "Option<u32>", range(min = 0, max = 1024), extend("default" = 16))]
    pub upstream_keepalive: Option<S<i64>>,
    /// Connections each nginx worker may hold.
    #[schemars(with = "Option<u32>", range(min = 16, max = 65535), extend("default" = 1024))]
    pub worker_connections: Option<S<i64>>,
}

/// The keys each table accepts, for "did you mean" hints.
pub const SPEC_KEYS: &[&str] = &["container", "lb", "check", "kubernetes"];
pub const KUBERNETES_KEYS: &[&str] = &["namespace"];
pub const LB_KEYS: &[&str] = &[
    "name",
    "host_port",
    "host_address",
    "cpus",
    "memory",
    "base",
    "subnet",
    "route",
    "tls",
];
pub const ROUTE_KEYS: &[&str] = &["path", "container", "strip_prefix"];
pub const TLS_KEYS: &[&str] = &["host_port", "server_name", "hsts"];
pub const CHECK_KEYS: &[&str] = &["ignore"];
pub const CONTAINER_KEYS: &[&str] = &[
    "name",
    "container_name",
    "base",
    "host_port",
    "host_address",
    "cpus",
    "memory",
    "replicas",
    "stop_timeout",
    "app",
    "nginx",
];
pub const APP_KEYS: &[&str] = &[
    "kind",
    "port",
    "message",
    "source",
    "entry",
    "health_path",
    "workers",
    "log_level",
    "user",
];
pub const NGINX_KEYS: &[&str] = &[
    "port",
    "client_max_body_size",
    "proxy_connect_timeout",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "upstream_keepalive",
    "worker_connections",
];

/// The JSON Schema of spec.toml, as pretty JSON with a final newline.
#[must_use]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(RawSpec);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint lists stay in step with the structs: every listed key appears in the schema.
    #[test]
    fn key_lists_match_the_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(&json_schema()).expect("schema is JSON");
        let props = |def: &str| -> Vec<String> {
            let node = if def.is_empty() {
                &schema
            } else {
                &schema["$defs"][def]
            };
            let mut keys: Vec<String> = node["properties"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            keys
        };
        let sorted = |keys: &[&str]| {
            let mut v: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
            v.sort();
            v
        };
        assert_eq!(props(""), sorted(SPEC_KEYS));
        assert_eq!(props("Container"), sorted(CONTAINER_KEYS));
        assert_eq!(props("App"), sorted(APP_KEYS));
        assert_eq!(props("Nginx"), sorted(NGINX_KEYS));
        assert_eq!(props("Lb"), sorted(LB_KEYS));
        assert_eq!(props("Route"), sorted(ROUTE_KEYS));
        assert_eq!(props("Tls"), sorted(TLS_KEYS));
        assert_eq!(props("Kubernetes"), sorted(KUBERNETES_KEYS));
    }
}
