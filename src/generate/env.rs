//! Configuration by environment variables: the one list of the runtime settings a user of a
//! container changes without rebuilding it, with the spec's values as defaults. The
//! Dockerfile's `ENV`, the entrypoint's checks, nginx.conf's `# env NAME` markers, the
//! compose `environment:`, the Kubernetes `env:` and the README's table are all written
//! from [`vars`], so their names and defaults agree by construction.
//!
//! The app reads its variables itself. nginx cannot read the environment, so the lines of
//! nginx.conf that a variable sets end in `# env NAME`, and the entrypoint rewrites the
//! value before such a marker when the variable differs from the image's default. With the
//! defaults nginx runs the very file that `gen check` lints.

use crate::spec::{AppKind, Container, LogLevel};

/// What values a variable takes; the entrypoint refuses any other before anything starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// A TCP port, 1 to 65535, and not nginx's own port.
    Port { nginx_port: u16 },
    /// A whole number in a range, written without leading zeros.
    Number { min: u32, max: u32 },
    /// nginx's size syntax: digits with an optional `k`, `m` or `g`.
    Size,
    /// One of a few words.
    OneOf(Vec<&'static str>),
    /// Any text but the empty one.
    Text,
}

/// One configuration variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: &'static str,
    /// The spec's value, as the variable holds it.
    pub default: String,
    /// What it sets, for the README (Markdown).
    pub what: String,
    pub check: Check,
    /// Whether nginx.conf uses it. There the value is the last word before the `;` (after a
    /// `host:`), exactly as the variable holds it: nginx reads a time without a unit as
    /// seconds, so timeouts need none.
    pub in_nginx: bool,
}

impl Var {
    /// The value as nginx.conf writes it, with the marker the entrypoint rewrites it by:
    /// `60; # env NGINX_PROXY_READ_TIMEOUT` (the `;` ends the directive).
    #[must_use]
    pub fn nginx_value(&self) -> String {
        format!("{}; # env {}", self.default, self.name)
    }

    /// The allowed values, for the README.
    #[must_use]
    pub fn allowed(&self) -> String {
        match &self.check {
            Check::Port { nginx_port } => format!("1 to 65535, not {nginx_port}"),
            Check::Number { min, max } => format!("{min} to {max}"),
            Check::Size => "a number with an optional `k`, `m` or `g`".to_owned(),
            Check::OneOf(words) => words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Check::Text => "any text".to_owned(),
        }
    }
}

/// The variable nginx.conf's app port comes from.
pub const APP_PORT: &str = "APP_PORT";

/// The variable supervisord's nginx program reads its config path from: the entrypoint
/// points it at the rewritten copy when a variable changed nginx's settings.
pub const NGINX_CONF: &str = "NGINX_CONF";

/// Where the entrypoint writes nginx's config when a variable changes it: `/run` is a tmpfs
/// under a read-only root filesystem.
pub const RENDERED_NGINX_CONF: &str = "/run/nginx/nginx.conf";

/// The configuration variables of a container, in the order the files list them.
#[must_use]
pub fn vars(c: &Container) -> Vec<Var> {
    let nginx = &c.nginx;
    let seconds = |name, value: u32, max, what: &str| Var {
        name,
        default: value.to_string(),
        what: format!("{what}, in seconds"),
        check: Check::Number { min: 1, max },
        in_nginx: true,
    };
    let mut out = vec![Var {
        name: APP_PORT,
        default: c.app.port.to_string(),
        what: format!(
            "the port the app listens on at {} and nginx proxies to",
            c.app.host
        ),
        check: Check::Port {
            nginx_port: nginx.port,
        },
        in_nginx: true,
    }];
    if c.app.kind == AppKind::Fastapi {
        out.push(Var {
            name: "APP_WORKERS",
            default: c.app.workers.to_string(),
            what: "uvicorn worker processes".to_owned(),
            check: Check::Number { min: 1, max: 64 },
            in_nginx: false,
        });
    }
    out.push(Var {
        name: "APP_LOG_LEVEL",
        default: c.app.log_level.as_str().to_owned(),
        what: "how much the app logs (`info` logs each request)".to_owned(),
        check: Check::OneOf(LogLevel::ALL.iter().map(|l| l.as_str()).collect()),
        in_nginx: false,
    });
    // Only gen's starter app reads a message; the user's own app answers for itself.
    if let Some(message) = c.app.message() {
        out.push(Var {
            name: "APP_MESSAGE",
            default: message.to_owned(),
            what: "what `GET /` answers as `{\"message\": ...}`".to_owned(),
            check: Check::Text,
            in_nginx: false,
        });
    }
    out.extend([
        Var {
            name: "NGINX_CLIENT_MAX_BODY_SIZE",
            default: nginx.client_max_body_size.clone(),
            what: "the largest request body nginx accepts (413 above it)".to_owned(),
            check: Check::Size,
            in_nginx: true,
        },
        seconds(
            "NGINX_PROXY_CONNECT_TIMEOUT",
            nginx.proxy_connect_timeout,
            75,
            "how long nginx waits to connect to the app",
        ),
        seconds(
            "NGINX_PROXY_READ_TIMEOUT",
            nginx.proxy_read_timeout,
            86400,
            "how long nginx waits between two reads of the app's response",
        ),
        seconds(
            "NGINX_PROXY_SEND_TIMEOUT",
            nginx.proxy_send_timeout,
            86400,
            "how long nginx waits between two writes of the request to the app",
        ),
    ]);
    out
}

/// The variable named `name`, for templates.
#[must_use]
pub fn find<'a>(vars: &'a [Var], name: &str) -> Option<&'a Var> {
    vars.iter().find(|v| v.name == name)
}

/// A Dockerfile `ENV` value: double-quoted, with the characters BuildKit's word parser
/// treats specially inside double quotes (`\`, `"`, `$`) escaped. The spec refuses control
/// characters in every value that becomes a variable, so the value is one line.
#[must_use]
pub fn dockerfile_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A YAML double-quoted scalar of `s` (JSON's escaping is valid YAML) for an environment
/// value in compose or Kubernetes, where `$` is special: compose interpolates `$VAR` and
/// `${VAR}`, the kubelet expands `$(VAR)`, and both read `$$` as one `$`. Every `$` is
/// doubled, so nothing is expanded.
#[must_use]
pub fn yaml_value(s: &str) -> String {
    super::escape::js_str(&s.replace('$', "$$"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load;

    fn container(extra: &str) -> Container {
        let text = format!(
            "[[container]]\nname = \"a\"\nhost_port = 8001\n[container.app]\nkind = \"fastapi\"\nmessage = \"hi\"\n{extra}"
        );
        load("spec.toml", &text)
            .expect("valid spec")
            .containers
            .remove(0)
    }

    #[test]
    fn defaults_come_from_the_spec() {
        let c = container(
            "workers = 3\nlog_level = \"debug\"\n[container.nginx]\nclient_max_body_size = \"10m\"\nproxy_read_timeout = 300\n",
        );
        let vars = vars(&c);
        let get = |n| find(&vars, n).map(|v| v.default.as_str());
        assert_eq!(get("APP_PORT"), Some("8000"));
        assert_eq!(get("APP_WORKERS"), Some("3"));
        assert_eq!(get("APP_LOG_LEVEL"), Some("debug"));
        assert_eq!(get("APP_MESSAGE"), Some("hi"));
        assert_eq!(get("NGINX_CLIENT_MAX_BODY_SIZE"), Some("10m"));
        assert_eq!(get("NGINX_PROXY_READ_TIMEOUT"), Some("300"));
        assert_eq!(
            find(&vars, "NGINX_PROXY_READ_TIMEOUT").map(Var::nginx_value),
            Some("300; # env NGINX_PROXY_READ_TIMEOUT".to_owned())
        );
    }

    #[test]
    fn names_are_unique_and_shell_safe() {
        let vars = vars(&container(""));
        let mut names: Vec<&str> = vars.iter().map(|v| v.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), vars.len());
    }

    #[test]
    fn value_escapers() {
        let cases = [
            ("plain", r#""plain""#, r#""plain""#),
            (r#"a "q" \ b"#, r#""a \"q\" \\ b""#, r#""a \"q\" \\ b""#),
            (
                "$HOME ${x} $(id)",
                r#""\$HOME \${x} \$(id)""#,
                r#""$$HOME $${x} $$(id)""#,
            ),
            ("é 😀 \u{2028}", "\"é 😀 \u{2028}\"", r#""é 😀 \u2028""#),
        ];
        for (value, dockerfile, yaml) in cases {
            assert_eq!(dockerfile_value(value), dockerfile, "{value:?}");
            assert_eq!(yaml_value(value), yaml, "{value:?}");
        }
    }
}
