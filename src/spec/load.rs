//! Loading a spec: TOML to raw model (syntax, types, unknown keys), then validation of every
//! value with its span, collecting all errors rather than stopping at the first.
//!
//! "Did you mean" suggestions measure typos with `strsim`'s optimal string alignment
//! distance (clap's own suggestions use the crate), where swapping two neighbours is one
//! edit: `prot` is one typo away from `port`.

use super::raw::{
    self, RawApp, RawCheck, RawContainer, RawKubernetes, RawLb, RawNginx, RawSpec, S,
};
use super::{
    App, AppCode, AppKind, AppSource, Base, Check, Container, Entry, HostAddress, Kubernetes, Lb,
    Limits, LogLevel, Nginx, Route, Spec, Tls,
};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::lint::removed::Key;
use crate::parse::span::{LineIndex, Span};
use std::collections::HashMap;
use std::fmt;

/// A spec that cannot be used, with one diagnostic per problem, all pointing into the spec.
#[derive(Debug, Clone)]
pub struct SpecError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(
                f,
                "{}:{}:{}: {}",
                d.primary.file, d.primary.start.line, d.primary.start.column, d.message
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    index: LineIndex,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn label(&self, span: Span, msg: impl Into<String>) -> Label {
        Label::with_index(self.file, self.text, &self.index, span, msg)
    }

    fn error(&mut self, code: &str, name: &str, span: Span, message: String, help: String) {
        let d = Diagnostic::new(code, name, Severity::Error, message, self.label(span, ""))
            .with_help(help);
        self.diags.push(d);
    }

    fn invalid(&mut self, span: Span, message: String, help: String) {
        self.error("SPEC003", "invalid-value", span, message, help);
    }
}

fn span_of<T>(s: &S<T>) -> Span {
    s.span().into()
}

/// Parses and validates `text`, the contents of the spec file `file` (used in messages).
///
/// # Errors
/// Every problem found, each with the spec's file, line and column, the key, and a hint.
pub fn load(file: &str, text: &str) -> Result<Spec, SpecError> {
    let mut cx = Ctx {
        file,
        text,
        index: LineIndex::new(text),
        diags: Vec::new(),
    };
    if text.len() > super::MAX_SPEC_BYTES {
        cx.error(
            "SPEC001",
            "invalid-spec",
            Span::new(0, 0),
            format!(
                "the spec is {} bytes, more than gen reads ({} bytes)",
                text.len(),
                super::MAX_SPEC_BYTES
            ),
            "a spec is a few lines per container; check that this is the right file".into(),
        );
        return Err(SpecError {
            diagnostics: cx.diags,
        });
    }
    let raw: RawSpec = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            toml_error(&mut cx, &e);
            return Err(SpecError {
                diagnostics: cx.diags,
            });
        }
    };
    let containers: Vec<Container> = raw
        .container
        .iter()
        .enumerate()
        .filter_map(|(i, c)| container(&mut cx, i, c))
        .collect();
    if raw.container.is_empty() {
        cx.error(
            "SPEC003",
            "invalid-value",
            Span::new(0, 0),
            "the spec describes no container".into(),
            "add a `[[container]]` table with `name`, `host_port` and `[container.app]`".into(),
        );
    }
    let lb = raw.lb.as_ref().and_then(|l| lb(&mut cx, l, &raw));
    conflicts(&mut cx, &raw, &containers);
    let check = check(&mut cx, raw.check.as_ref().map(S::get_ref));
    let kubernetes = kubernetes(&mut cx, raw.kubernetes.as_ref().map(S::get_ref));
    if let (true, Some(kubernetes)) = (cx.diags.is_empty(), kubernetes) {
        Ok(Spec {
            containers,
            lb,
            check,
            kubernetes,
        })
    } else {
        Err(SpecError {
            diagnostics: cx.diags,
        })
    }
}

fn toml_error(cx: &mut Ctx<'_>, e: &toml::de::Error) {
    let span: Span = e.span().map_or(Span::new(0, 0), Into::into);
    let msg = e.message().trim().to_owned();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split("expected ")
            .nth(1)
            .map(|l| {
                l.split('`')
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 1)
                    .map(|(_, s)| s)
                    .collect()
            })
            .unwrap_or_default();
        let table = table_of(&expected);
        let help = match nearest(key, &expected) {
            Some(k) => format!("did you mean `{k}`? {table} takes {}", list(&expected)),
            None => format!("{table} takes {}", list(&expected)),
        };
        cx.error(
            "SPEC002",
            "unknown-key",
            span,
            format!("unknown key `{key}` in {table}"),
            help,
        );
    } else {
        let msg = readable(&msg, key_at(cx.text, span.start));
        let help = if msg.starts_with("missing key") {
            "add the key: it has no default".to_owned()
        } else if msg.contains("invalid type") {
            "check the value's type: ports and timeouts are integers, names and messages are quoted strings".to_owned()
        } else {
            "fix the TOML syntax at this place".to_owned()
        };
        cx.error("SPEC001", "invalid-spec", span, msg, help);
    }
}

/// The key assigned on the line of `offset`, if the line is `key = ...`.
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    plain.then_some(key)
}

/// Rewrites serde's wording ("field", "i64") in the spec's terms ("key", "an integer") and
/// names the key when the error points at a `key = value` line.
fn readable(msg: &str, key: Option<&str>) -> String {
    let msg = first_line(msg)
        .replace("missing field", "missing key")
        .replace("expected i64", "expected an integer")
        .replace("expected a string", "expected a quoted string");
    if let (Some(k), Some(rest)) = (key, msg.strip_prefix("invalid type: integer `")) {
        if let Some((number, _)) = rest.split_once("` as i128") {
            return format!("`{k}` is {number}, far outside any valid range");
        }
    }
    match key {
        Some(k) if msg.starts_with("invalid type") => format!("`{k}` has an {msg}"),
        _ => msg,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn table_of(expected: &[&str]) -> &'static str {
    let is =
        |keys: &[&str]| expected.len() == keys.len() && expected.iter().all(|k| keys.contains(k));
    if is(raw::CONTAINER_KEYS) {
        "`[[container]]`"
    } else if is(raw::APP_KEYS) {
        "`[container.app]`"
    } else if is(raw::NGINX_KEYS) {
        "`[container.nginx]`"
    } else if is(raw::CHECK_KEYS) {
        "`[check]`"
    } else if is(raw::KUBERNETES_KEYS) {
        "`[kubernetes]`"
    } else if is(raw::SPEC_KEYS) {
        "the top level"
    } else if is(raw::LB_KEYS) {
        "`[lb]`"
    } else if is(raw::ROUTE_KEYS) {
        "`[[lb.route]]`"
    } else if is(raw::TLS_KEYS) {
        "`[lb.tls]`"
    } else {
        "this table"
    }
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
#[must_use]
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn port(cx: &mut Ctx<'_>, key: &str, v: &S<i64>) -> Option<u16> {
    match u16::try_from(*v.get_ref()) {
        Ok(p) if p >= 1 => Some(p),
        _ => {
            cx.invalid(
                span_of(v),
                format!("`{key}` is {}, outside 1 to 65535", v.get_ref()),
                "choose a port between 1 and 65535".into(),
            );
            None
        }
    }
}

fn ranged(
    cx: &mut Ctx<'_>,
    key: &str,
    v: Option<&S<i64>>,
    default: u32,
    min: u32,
    max: u32,
    unit: &str,
) -> Option<u32> {
    let Some(v) = v else { return Some(default) };
    match u32::try_from(*v.get_ref()) {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            cx.invalid(
                span_of(v),
                format!("`{key}` is {}, outside {min} to {max}", v.get_ref()),
                format!("choose a value between {min} and {max}{unit}"),
            );
            None
        }
    }
}

/// A DNS label: the directory name, image tag and compose/Kubernetes service name.
fn is_dns_label(s: &str) -> bool {
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok_chars && !s.is_empty() && s.len() <= 63 && !s.starts_with('-') && !s.ends_with('-')
}

/// Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
fn is_container_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        && s.len() <= 128
}

fn name(cx: &mut Ctx<'_>, v: &S<String>) -> Option<String> {
    let s = v.get_ref();
    if is_dns_label(s) {
        return Some(s.clone());
    }
    cx.invalid(
        span_of(v),
        format!("`name` `{}` is not a safe directory name and image tag", crate::spec::shown(s)),
        "use 1 to 63 lower-case letters, digits and `-`, starting and ending with a letter or digit, e.g. `fastapi-nginx`".into(),
    );
    None
}

fn container(cx: &mut Ctx<'_>, _index: usize, c: &S<RawContainer>) -> Option<Container> {
    let raw = c.get_ref();
    let name = name(cx, &raw.name);
    let container_name = match &raw.container_name {
        None => name.clone(),
        Some(v) if is_container_name(v.get_ref()) => Some(v.get_ref().clone()),
        Some(v) => {
            cx.invalid(
                span_of(v),
                format!(
                    "`container_name` `{}` is not a valid Docker container name",
                    crate::spec::shown(v.get_ref())
                ),
                "use letters, digits and `_.-`, starting with a letter or digit".into(),
            );
            None
        }
    };
    let host_port = raw
        .host_port
        .as_ref()
        .map(|p| port(cx, "host_port", p).ok_or(()))
        .transpose();
    let host_address = host_address(cx, "host_address", raw.host_address.as_ref());
    let limits = limits(cx, "", raw.cpus.as_ref(), raw.memory.as_ref(), 2000, 512);
    let replicas = ranged(cx, "replicas", raw.replicas.as_ref(), 1, 1, 16, "")
        .and_then(|r| u16::try_from(r).ok());
    let stop_timeout = ranged(
        cx,
        "stop_timeout",
        raw.stop_timeout.as_ref(),
        10,
        5,
        3600,
        " seconds",
    );
    let app = app(cx, &raw.app);
    let base = match (&raw.base, &app) {
        (Some(v), _) => match Base::parse(v.get_ref()) {
            Ok(b) => Some(b),
            Err((message, help)) => {
                cx.invalid(span_of(v), message, help);
                None
            }
        },
        (None, Some(a)) => Base::parse(a.kind.default_base()).ok(),
        (None, None) => None,
    };
    let nginx = nginx(cx, raw.nginx.as_ref());
    Some(Container {
        name: name?,
        container_name: container_name?,
        base: base?,
        base_span: raw.base.as_ref().map(span_of),
        host_port: host_port.ok()?,
        host_address: host_address?,
        limits: limits?,
        replicas: replicas?,
        app: app?,
        nginx: nginx?,
        stop_timeout: stop_timeout?,
        span: span_of(c),
    })
}

fn app(cx: &mut Ctx<'_>, v: &S<RawApp>) -> Option<App> {
    let raw = v.get_ref();
    let kind_str = raw.kind.get_ref().as_str();
    let kind = AppKind::ALL
        .iter()
        .find(|(n, _)| *n == kind_str)
        .map(|(_, k)| *k);
    if kind.is_none() {
        let names: Vec<&str> = AppKind::ALL.iter().map(|(n, _)| *n).collect();
        let help = match nearest(kind_str, &names) {
            Some(n) => format!("did you mean `{n}`? gen knows {}", list(&names)),
            None => format!("gen knows {}", list(&names)),
        };
        cx.invalid(
            span_of(&raw.kind),
            format!("unknown app kind `{}`", crate::spec::shown(kind_str)),
            help,
        );
    }
    let port = match &raw.port {
        Some(p) => port(cx, "app.port", p),
        None => kind.map(AppKind::default_port),
    };
    let code = app_code(cx, v, kind);
    let health_path = raw
        .health_path
        .as_ref()
        .map(|h| health_path(cx, h, raw.source.is_some()).ok_or(()))
        .transpose();
    let workers = ranged(cx, "app.workers", raw.workers.as_ref(), 1, 1, 64, "")
        .and_then(|w| u16::try_from(w).ok());
    let user = match &raw.user {
        None => Some("app".to_owned()),
        Some(u) if is_user_name(u.get_ref()) => Some(u.get_ref().clone()),
        Some(u) => {
            cx.invalid(
                span_of(u),
                format!("`app.user` `{}` is not an unprivileged user name", crate::spec::shown(u.get_ref())),
                "use 1 to 32 lower-case letters, digits, `_` and `-`, starting with a letter, and not `root`".into(),
            );
            None
        }
    };
    let log_level = match &raw.log_level {
        None => Some(LogLevel::Info),
        Some(v) => {
            let found = LogLevel::ALL
                .iter()
                .find(|l| l.as_str() == v.get_ref())
                .copied();
            if found.is_none() {
                let names: Vec<&str> = LogLevel::ALL.iter().map(|l| l.as_str()).collect();
                // `warn` for `warning`: a prefix is as likely a slip as a typo.
                let near = nearest(v.get_ref(), &names).or_else(|| {
                    let v = v.get_ref();
                    names
                        .iter()
                        .copied()
                        .find(|n| v.len() >= 3 && n.starts_with(v.as_str()))
                });
                let help = match near {
                    Some(n) => format!("did you mean `{n}`? the levels are {}", list(&names)),
                    None => format!("the levels are {}", list(&names)),
                };
                cx.invalid(
                    span_of(v),
                    format!("unknown log level `{}`", crate::spec::shown(v.get_ref())),
                    help,
                );
            }
            found
        }
    };
    if let (Some(AppKind::Express), Some(w), Some(v)) = (kind, workers, &raw.workers) {
        if w > 1 {
            cx.invalid(
                span_of(v),
                format!("`app.workers` is {w}, but an express app runs as one Node process"),
                "remove `workers` or set it to 1; run more containers behind a load balancer to scale out".into(),
            );
            return None;
        }
    }
    Some(App {
        kind: kind?,
        host: "127.0.0.1".to_owned(),
        port: port?,
        code: code?,
        health_path: health_path.ok()?,
        workers: workers?,
        log_level: log_level?,
        user: user?,
    })
}

/// `message` for gen's starter app, or `source` and `entry` for the user's own: exactly one.
fn app_code(cx: &mut Ctx<'_>, v: &S<RawApp>, kind: Option<AppKind>) -> Option<AppCode> {
    let raw = v.get_ref();
    let Some(source) = &raw.source else {
        if let Some(e) = &raw.entry {
            cx.invalid(
                span_of(e),
                "`app.entry` without `app.source`".into(),
                "add `source`, your app's directory relative to the spec, or remove `entry` to use gen's starter app".into(),
            );
        }
        let Some(m) = &raw.message else {
            cx.error(
                "SPEC001",
                "invalid-spec",
                span_of(v),
                "`[container.app]` has neither `message` nor `source`".into(),
                "write `source` and `entry` (your app's directory and how to start it), or `message` (what gen's starter app answers on `GET /`)".into(),
            );
            return None;
        };
        return starter_message(cx, m).map(|message| AppCode::Starter { message });
    };
    if let Some(m) = &raw.message {
        cx.invalid(
            span_of(m),
            "`app.message` is for gen's starter app, not with `app.source`".into(),
            "remove `message`: your app answers `GET /` itself".into(),
        );
    }
    let dir = source_dir(cx, source);
    let Some(e) = &raw.entry else {
        let example = match kind {
            Some(AppKind::Express) => {
                "the script Node runs, relative to `source`, e.g. `entry = \"server.js\"`"
            }
            _ => {
                "how uvicorn finds the app, e.g. `entry = \"app.main:app\"` (a factory: `entry = \"app.main:create_app()\"`)"
            }
        };
        cx.error(
            "SPEC001",
            "invalid-spec",
            span_of(source),
            "`app.source` needs `app.entry`".into(),
            format!("add {example}"),
        );
        return None;
    };
    let entry = match kind? {
        AppKind::Fastapi => asgi_entry(e.get_ref()).ok_or_else(|| {
            (
                format!("`app.entry` `{}` is not `module:attribute`", crate::spec::shown(e.get_ref())),
                "name the ASGI app as uvicorn does, e.g. `app.main:app`, or a factory with parentheses, `app.main:create_app()` (module and attribute are Python names)".to_owned(),
            )
        }),
        AppKind::Express => relative_path(e.get_ref())
            .filter(|p| p != ".")
            .map(Entry::Script)
            .ok_or_else(|| {
                (
                    format!("`app.entry` `{}` is not a script path inside `source`", crate::spec::shown(e.get_ref())),
                    "write the script Node runs relative to `source`, e.g. `server.js` or `src/index.js` (letters, digits, `._-` and `/`, without `..`)".to_owned(),
                )
            }),
    };
    let entry = match entry {
        Ok(entry) => Some(entry),
        Err((message, help)) => {
            cx.invalid(span_of(e), message, help);
            None
        }
    };
    Some(AppCode::Source(AppSource {
        dir: dir?,
        entry: entry?,
        dir_span: span_of(source),
        entry_span: span_of(e),
    }))
}

/// The starter app's message, which is also the default of `APP_MESSAGE`.
fn starter_message(cx: &mut Ctx<'_>, m: &S<String>) -> Option<String> {
    let message = m.get_ref();
    if message.trim().is_empty() {
        cx.invalid(
            span_of(m),
            "`app.message` is empty".into(),
            "write the message `GET /` answers with, e.g. \"Hello from container 1\"".into(),
        );
        None
    } else if let Some((i, c)) = message.char_indices().find(|(_, c)| c.is_control()) {
        // The message is also the default of APP_MESSAGE in the Dockerfile's ENV, compose and
        // Kubernetes: ENV cannot hold a line break, and no environment variable holds NUL.
        let col = message[..i].chars().count() + 1;
        cx.invalid(
            span_of(m),
            format!(
                "`app.message` holds the control character U+{:04X} (character {col})",
                c as u32
            ),
            "write the message on one line without control characters: it is also the default of the `APP_MESSAGE` environment variable, which a Dockerfile `ENV` cannot hold".into(),
        );
        None
    } else if message.chars().count() > 4096 {
        cx.invalid(
            span_of(m),
            "`app.message` is longer than 4096 characters".into(),
            "keep the message short; serve large content from the app itself".into(),
        );
        None
    } else {
        Some(message.clone())
    }
}

/// `app.source`: a directory inside the spec's, normalized.
fn source_dir(cx: &mut Ctx<'_>, v: &S<String>) -> Option<String> {
    let dir = relative_path(v.get_ref());
    if dir.is_none() {
        cx.invalid(
            span_of(v),
            format!(
                "`app.source` `{}` is not a directory inside the spec's",
                crate::spec::shown(v.get_ref())
            ),
            "write the app's directory relative to the spec's directory, e.g. `app` or `.` (letters, digits, `._-` and `/`, without `..`): it is part of the build context, which is the spec's directory".into(),
        );
    }
    dir
}

/// A relative path that stays inside its base directory, in the characters every file that
/// names it (Dockerfile COPY, compose, shell in README) takes without quoting: `/`-separated,
/// without `.` components, empty components, `./` or a trailing `/`; `.` for the base itself.
fn relative_path(s: &str) -> Option<String> {
    if s.is_empty() || s.starts_with('/') || s.len() > 1024 {
        return None;
    }
    let mut parts = Vec::new();
    for part in s.trim_end_matches('/').split('/') {
        let ok = !part.is_empty()
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !ok {
            return None;
        }
        if part != "." {
            parts.push(part);
        }
    }
    // `-x` would read as an option where the path is an argument.
    if parts.first().is_some_and(|p| p.starts_with('-')) {
        return None;
    }
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// uvicorn's `module:attribute` (dotted Python names on both sides; ASCII, which is what
/// every real module path uses), with `()` after the attribute for a factory.
fn asgi_entry(s: &str) -> Option<Entry> {
    let (module, attribute) = s.split_once(':')?;
    let (attribute, factory) = match attribute.strip_suffix("()") {
        Some(a) => (a, true),
        None => (attribute, false),
    };
    let dotted = |t: &str| {
        t.len() <= 256
            && t.split('.').all(|n| {
                let mut b = n.bytes();
                b.next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                    && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
            })
    };
    (dotted(module) && dotted(attribute)).then(|| Entry::Asgi {
        module: module.to_owned(),
        attribute: attribute.to_owned(),
        factory,
    })
}

/// `app.health_path`: an absolute URL path nginx and the probes take as written.
fn health_path(cx: &mut Ctx<'_>, v: &S<String>, has_source: bool) -> Option<String> {
    let p = v.get_ref();
    if !has_source {
        cx.invalid(
            span_of(v),
            "`app.health_path` without `app.source`".into(),
            "remove `health_path`: gen's starter app answers `/healthz` itself".into(),
        );
        return None;
    }
    let ok = p.starts_with('/')
        && p.len() <= 1024
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._~/-".contains(&b))
        && !p.contains("//")
        && p.split('/').all(|seg| seg != "." && seg != "..");
    if ok {
        Some(p.clone())
    } else {
        cx.invalid(
            span_of(v),
            format!("`app.health_path` `{}` is not a plain URL path", crate::spec::shown(p)),
            "write the path your app answers health checks on, e.g. `/health` (starting with `/`; letters, digits and `._~-/`, no query)".into(),
        );
        None
    }
}

fn is_user_name(s: &str) -> bool {
    let mut b = s.bytes();
    s != "root"
        && s.len() <= 32
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// `client_max_body_size` in nginx's size syntax: digits with an optional k/m/g suffix.
fn is_nginx_size(s: &str) -> bool {
    let digits = s.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
    s.len() - digits.len() <= 1
        && !digits.is_empty()
        && digits.len() <= 12
        && digits.bytes().all(|b| b.is_ascii_digit())
}

fn nginx(cx: &mut Ctx<'_>, v: Option<&S<RawNginx>>) -> Option<Nginx> {
    let empty = RawNginx {
        port: None,
        client_max_body_size: None,
        proxy_connect_timeout: None,
        proxy_read_timeout: None,
        proxy_send_timeout: None,
        upstream_keepalive: None,
        worker_connections: None,
    };
    let raw = v.map_or(&empty, |v| v.get_ref());
    let port = match &raw.port {
        Some(p) => port(cx, "nginx.port", p),
        None => Some(80),
    };
    let body = match &raw.client_max_body_size {
        None => Some("1m".to_owned()),
        Some(s) if is_nginx_size(s.get_ref()) => Some(s.get_ref().clone()),
        Some(s) => {
            cx.invalid(
                span_of(s),
                format!(
                    "`nginx.client_max_body_size` `{}` is not an nginx size",
                    crate::spec::shown(s.get_ref())
                ),
                "write a number with an optional `k`, `m` or `g` suffix, e.g. \"10m\"".into(),
            );
            None
        }
    };
    let secs = " seconds";
    // Every value is checked before any is combined, so all problems are reported at once.
    let connect = ranged(
        cx,
        "nginx.proxy_connect_timeout",
        raw.proxy_connect_timeout.as_ref(),
        5,
        1,
        75,
        secs,
    );
    let read = ranged(
        cx,
        "nginx.proxy_read_timeout",
        raw.proxy_read_timeout.as_ref(),
        60,
        1,
        86400,
        secs,
    );
    let send = ranged(
        cx,
        "nginx.proxy_send_timeout",
        raw.proxy_send_timeout.as_ref(),
        60,
        1,
        86400,
        secs,
    );
    let keepalive = ranged(
        cx,
        "nginx.upstream_keepalive",
        raw.upstream_keepalive.as_ref(),
        16,
        0,
        1024,
        " connections",
    );
    let workers = ranged(
        cx,
        "nginx.worker_connections",
        raw.worker_connections.as_ref(),
        1024,
        16,
        65535,
        "",
    );
    Some(Nginx {
        port: port?,
        client_max_body_size: body?,
        proxy_connect_timeout: connect?,
        proxy_read_timeout: read?,
        proxy_send_timeout: send?,
        upstream_keepalive: keepalive?,
        worker_connections: workers?,
    })
}

fn lb(cx: &mut Ctx<'_>, v: &S<RawLb>, spec: &RawSpec) -> Option<Lb> {
    let raw = v.get_ref();
    let name = match &raw.name {
        Some(n) => name(cx, n),
        None => Some("lb".to_owned()),
    };
    if let Some(n) = &name {
        if let Some(c) = spec
            .container
            .iter()
            .find(|c| c.get_ref().name.get_ref() == n)
        {
            let at = raw.name.as_ref().map_or_else(|| span_of(v), span_of);
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("the load balancer and a container are both named `{n}`"),
                cx.label(at, "the load balancer"),
            )
            .with_related(cx.label(span_of(&c.get_ref().name), "the container"))
            .with_help("give the load balancer its own `name` under `[lb]`");
            cx.diags.push(d);
        }
    }
    let host_port = port(cx, "lb.host_port", &raw.host_port);
    let host_address = host_address(cx, "lb.host_address", raw.host_address.as_ref());
    let limits = limits(cx, "lb.", raw.cpus.as_ref(), raw.memory.as_ref(), 1000, 256);
    let base = match &raw.base {
        None => Base::parse("alpine:3.22").ok(),
        Some(b) => match Base::parse(b.get_ref()) {
            Ok(base) if base.distro == super::Distro::Alpine => Some(base),
            Ok(_) => {
                cx.invalid(
                    span_of(b),
                    format!(
                        "the load balancer's base `{}` is not an alpine image",
                        crate::spec::shown(b.get_ref())
                    ),
                    "use an `alpine` release, e.g. `alpine:3.22`".into(),
                );
                None
            }
            Err((message, help)) => {
                cx.invalid(span_of(b), message, help);
                None
            }
        },
    };
    let subnet = match &raw.subnet {
        None => Some("10.89.0.0/24".to_owned()),
        Some(s) if is_subnet(s.get_ref()) => Some(s.get_ref().clone()),
        Some(s) => {
            cx.invalid(
                span_of(s),
                format!(
                    "`lb.subnet` `{}` is not an IPv4 subnet",
                    crate::spec::shown(s.get_ref())
                ),
                "write it as `a.b.c.d/n` with n from 8 to 28, e.g. \"10.89.0.0/24\"".into(),
            );
            None
        }
    };
    let names: Vec<&str> = spec
        .container
        .iter()
        .map(|c| c.get_ref().name.get_ref().as_str())
        .collect();
    let mut paths: HashMap<&str, Span> = HashMap::new();
    let mut routes = Vec::new();
    let mut routes_ok = true;
    if raw.route.is_empty() {
        cx.invalid(
            span_of(v),
            "`[lb]` has no route".into(),
            "add `[[lb.route]]` tables with `path` and `container`".into(),
        );
        routes_ok = false;
    }
    for r in &raw.route {
        let r = r.get_ref();
        let path = r.path.get_ref();
        let valid = path.starts_with('/')
            && path.ends_with('/')
            && !path.contains("//")
            && path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._~-".contains(&b))
            && !path.split('/').any(|seg| seg == "." || seg == "..");
        if !valid {
            cx.invalid(
                span_of(&r.path),
                format!(
                    "route path `{}` is not a plain path prefix",
                    crate::spec::shown(path)
                ),
                "start and end it with `/` and use letters, digits and `._~-`, e.g. \"/api/\""
                    .into(),
            );
            routes_ok = false;
        } else if let Some(first) = paths.insert(path, span_of(&r.path)) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("two routes have the path `{path}`"),
                cx.label(span_of(&r.path), "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("give each route its own path");
            cx.diags.push(d);
            routes_ok = false;
        }
        let target = r.container.get_ref();
        if !names.contains(&target.as_str()) {
            let help = match nearest(target, &names) {
                Some(n) => format!("did you mean `{n}`? the containers are {}", list(&names)),
                None => format!("the containers are {}", list(&names)),
            };
            cx.invalid(
                span_of(&r.container),
                format!(
                    "route to `{}`, which is not a container of the spec",
                    crate::spec::shown(target)
                ),
                help,
            );
            routes_ok = false;
        }
        routes.push(Route {
            path: path.clone(),
            container: target.clone(),
            strip_prefix: r.strip_prefix.as_ref().is_none_or(|s| *s.get_ref()),
        });
    }
    routes.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.path.cmp(&b.path)));
    let tls = match &raw.tls {
        None => Some(None),
        Some(t) => {
            let t = t.get_ref();
            let hp = port(cx, "lb.tls.host_port", &t.host_port);
            let server_name = match &t.server_name {
                None => Some("localhost".to_owned()),
                Some(n) if is_host_name(n.get_ref()) => Some(n.get_ref().clone()),
                Some(n) => {
                    cx.invalid(
                        span_of(n),
                        format!(
                            "`lb.tls.server_name` `{}` is not a host name",
                            crate::spec::shown(n.get_ref())
                        ),
                        "use a DNS name like `example.com` or `localhost`".into(),
                    );
                    None
                }
            };
            match (hp, server_name) {
                (Some(host_port), Some(server_name)) => Some(Some(Tls {
                    host_port,
                    server_name,
                    hsts: t.hsts.as_ref().is_none_or(|h| *h.get_ref()),
                })),
                _ => None,
            }
        }
    };
    if !routes_ok {
        return None;
    }
    Some(Lb {
        name: name?,
        host_port: host_port?,
        host_address: host_address?,
        limits: limits?,
        base: base?,
        subnet: subnet?,
        routes,
        tls: tls?,
        stop_timeout: 10,
    })
}

/// `host_address`: an IP address, written as compose and `docker run -p` take it.
fn host_address(cx: &mut Ctx<'_>, key: &str, v: Option<&S<String>>) -> Option<HostAddress> {
    let Some(v) = v else {
        return Some(HostAddress::LOOPBACK);
    };
    let text = v.get_ref();
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Some(HostAddress(ip));
    }
    cx.invalid(
        span_of(v),
        format!("`{key}` `{}` is not an IP address", crate::spec::shown(text)),
        "write an IPv4 or IPv6 address without brackets or port, e.g. \"127.0.0.1\" (this machine only) or \"0.0.0.0\" (every interface)".into(),
    );
    None
}

/// `cpus` and `memory`: the resource limits, each with its default.
fn limits(
    cx: &mut Ctx<'_>,
    prefix: &str,
    cpus: Option<&S<f64>>,
    memory: Option<&S<String>>,
    default_millicpus: u32,
    default_mib: u32,
) -> Option<Limits> {
    let millicpus = match cpus {
        None => Some(default_millicpus),
        Some(v) => {
            let cores = *v.get_ref();
            let milli = (cores * 1000.0).round();
            // Checked as a float first, so the cast below is exact and in range.
            if cores.is_finite()
                && (100.0..=64_000.0).contains(&milli)
                && (cores * 1000.0 - milli).abs() < 1e-6
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(milli as u32)
            } else {
                cx.invalid(
                    span_of(v),
                    format!("`{prefix}cpus` is {cores}, not a CPU limit gen can write"),
                    "write the cores from 0.1 to 64, with at most three decimals, e.g. 2 or 0.5"
                        .into(),
                );
                None
            }
        }
    };
    let memory_mib = match memory {
        None => Some(default_mib),
        Some(v) => {
            let text = v.get_ref();
            let (digits, unit) = text.split_at(text.len().saturating_sub(1));
            let mib = match (digits.parse::<u32>(), unit) {
                (Ok(n), "m") if digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(n)
                }
                (Ok(n), "g") if digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    n.checked_mul(1024)
                }
                _ => None,
            };
            match mib {
                Some(m) if (32..=262_144).contains(&m) => Some(m),
                _ => {
                    cx.invalid(
                        span_of(v),
                        format!("`{prefix}memory` `{}` is not a memory limit gen can write", crate::spec::shown(text)),
                        "write whole mebibytes or gibibytes from 32m to 256g, e.g. \"512m\" or \"2g\"".into(),
                    );
                    None
                }
            }
        }
    };
    Some(Limits {
        millicpus: millicpus?,
        memory_mib: memory_mib?,
    })
}

/// `[kubernetes]`: the namespace must be a DNS label of the project's own.
fn kubernetes(cx: &mut Ctx<'_>, raw: Option<&RawKubernetes>) -> Option<Kubernetes> {
    let Some(v) = raw.and_then(|r| r.namespace.as_ref()) else {
        return Some(Kubernetes::default());
    };
    let ns = v.get_ref();
    if is_dns_label(ns) && ns != "default" && !ns.starts_with("kube-") {
        return Some(Kubernetes {
            namespace: ns.clone(),
        });
    }
    cx.invalid(
        span_of(v),
        format!("`kubernetes.namespace` `{}` is not a namespace of the project's own", crate::spec::shown(ns)),
        "use 1 to 63 lower-case letters, digits and `-` (not `default`, nor a `kube-` one), e.g. \"shop\"".into(),
    );
    None
}

/// `a.b.c.d/n`, n from 8 to 28, with no host bits set.
fn is_subnet(s: &str) -> bool {
    let Some((addr, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(ip) = addr.parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    let Ok(bits) = bits.parse::<u32>() else {
        return false;
    };
    (8..=28).contains(&bits) && u32::from(ip) & (u32::MAX >> bits) == 0
}

/// A DNS host name: labels of letters, digits and `-`, joined by dots.
fn is_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `[check]`: every rule it names must exist, so a typo does not silently allow nothing.
fn check(cx: &mut Ctx<'_>, raw: Option<&RawCheck>) -> Check {
    let Some(raw) = raw else {
        return Check::default();
    };
    let mut warnings = Vec::new();
    // `ignore` lists take an old code with a warning (a renamed one allows its new rule, a
    // removed one nothing); `select` refuses it, since it would select nothing.
    let mut rules = |cx: &mut Ctx<'_>, keys: &[S<String>], at: &str, ignore: bool| {
        let mut codes = Vec::new();
        for key in keys {
            let found = Key::lookup(key.get_ref());
            match found {
                Key::Rule(rule) => codes.push(rule.code),
                Key::Renamed(_, rule) => {
                    codes.push(rule.code);
                    warnings.extend(found.warning(key.get_ref(), at));
                }
                Key::Removed(_) if ignore => warnings.extend(found.warning(key.get_ref(), at)),
                Key::Removed(_) | Key::Unknown => cx.invalid(
                    span_of(key),
                    format!(
                        "unknown rule `{}` in `{at}`",
                        crate::spec::shown(key.get_ref())
                    ),
                    crate::lint::UnknownRule::new(key.get_ref(), "").help(),
                ),
            }
        }
        codes
    };
    let ignore = rules(cx, &raw.ignore, "check.ignore", true);
    let select = rules(cx, &raw.select, "check.select", false);
    let mut per_file_ignores = Vec::new();
    for (glob, keys) in &raw.per_file_ignores {
        let codes = rules(cx, keys, "check.per-file-ignores", true);
        per_file_ignores.push((glob.clone(), codes));
    }
    let mut severity = Vec::new();
    for (key, level) in &raw.severity {
        let Some(rule) = Key::lookup(key).rule() else {
            cx.invalid(
                span_of(level),
                format!(
                    "unknown rule `{}` in `check.severity`",
                    crate::spec::shown(key)
                ),
                crate::lint::UnknownRule::new(key, "").help(),
            );
            continue;
        };
        match level.get_ref().as_str() {
            "error" => severity.push((rule.code, crate::diagnostic::Severity::Error)),
            "warning" => severity.push((rule.code, crate::diagnostic::Severity::Warning)),
            other => cx.invalid(
                span_of(level),
                format!("`check.severity.{key}` is `{}`", crate::spec::shown(other)),
                "write \"error\" or \"warning\"".to_owned(),
            ),
        }
    }
    Check {
        ignore,
        select,
        severity,
        per_file_ignores,
        warnings,
    }
}

/// Checks across containers and between values of one container.
fn conflicts(cx: &mut Ctx<'_>, raw: &RawSpec, containers: &[Container]) {
    let mut names: HashMap<&str, Span> = HashMap::new();
    let mut host_ports: HashMap<i64, Span> = HashMap::new();
    let lb_ports = raw.lb.iter().flat_map(|l| {
        let l = l.get_ref();
        std::iter::once(&l.host_port).chain(l.tls.iter().map(|t| &t.get_ref().host_port))
    });
    let container_ports = raw
        .container
        .iter()
        .filter_map(|c| c.get_ref().host_port.as_ref());
    for p in container_ports.chain(lb_ports) {
        let hp = *p.get_ref();
        let span = span_of(p);
        if let Some(first) = host_ports.insert(hp, span) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("host port {hp} is published twice"),
                cx.label(span, "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("give each published port its own `host_port`: only one can bind it");
            cx.diags.push(d);
        }
    }
    for c in &raw.container {
        let c = c.get_ref();
        let span = span_of(&c.name);
        if let Some(first) = names.insert(c.name.get_ref(), span) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("two containers are named `{}`", c.name.get_ref()),
                cx.label(span, "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("give each container its own `name`: it is a directory and an image tag");
            cx.diags.push(d);
        }
        match (&c.host_port, &raw.lb) {
            (None, None) => cx.error(
                "SPEC003",
                "invalid-value",
                span,
                format!("container `{}` has no `host_port`", c.name.get_ref()),
                "add `host_port = PORT`: without `[lb]`, each container publishes its own port"
                    .into(),
            ),
            (Some(p), Some(_)) => cx.error(
                "SPEC004",
                "conflicting-values",
                span_of(p),
                "`host_port` is not used with `[lb]`".into(),
                "remove it: the load balancer publishes the only host ports".into(),
            ),
            _ => {}
        }
        if let (Some(a), Some(_)) = (&c.host_address, &raw.lb) {
            cx.error(
                "SPEC004",
                "conflicting-values",
                span_of(a),
                "`host_address` is not used with `[lb]`".into(),
                "remove it, or set `host_address` under `[lb]`: the load balancer publishes the only host ports".into(),
            );
        }
        if let (Some(r), None) = (&c.replicas, &raw.lb) {
            if *r.get_ref() > 1 {
                cx.error(
                    "SPEC004",
                    "conflicting-values",
                    span_of(r),
                    "`replicas` above 1 needs `[lb]`".into(),
                    "add a `[lb]` section: copies of a container cannot share one host port".into(),
                );
            }
        }
    }
    for (rc, c) in raw.container.iter().zip(containers) {
        if c.app.port == c.nginx.port {
            let rc = rc.get_ref();
            let at = rc
                .app
                .get_ref()
                .port
                .as_ref()
                .map_or_else(|| span_of(&rc.app), span_of);
            let mut d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("`app.port` {} is also nginx's port", c.app.port),
                cx.label(at, "the app's port"),
            )
            .with_help(
                "nginx and the app share the container's network: give them different ports",
            );
            if let Some(np) = rc.nginx.as_ref().and_then(|n| n.get_ref().port.as_ref()) {
                d = d.with_related(cx.label(span_of(np), "nginx's port"));
            }
            cx.diags.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos() {
        let keys = ["kind", "port", "message", "workers", "user"];
        let cases = [
            ("prot", Some("port")),
            ("mesage", Some("message")),
            ("worker", Some("workers")),
            ("kidn", Some("kind")),
            ("zzzzzz", None),
        ];
        for (word, want) in cases {
            assert_eq!(nearest(word, &keys), want, "{word}");
        }
    }

    #[test]
    fn source_paths_stay_inside_the_project_and_are_normalized() {
        let cases = [
            (".", Some(".")),
            ("./", Some(".")),
            ("app", Some("app")),
            ("./services/api/", Some("services/api")),
            ("a/./b", Some("a/b")),
            ("", None),
            ("/srv/app", None),
            ("..", None),
            ("app/../..", None),
            ("a//b", None),
            ("my app", None),
            ("-rf", None),
            ("app\nx", None),
            ("caf\u{e9}", None),
        ];
        for (path, want) in cases {
            assert_eq!(relative_path(path).as_deref(), want, "{path:?}");
        }
        assert!(relative_path(&"a/".repeat(600)).is_none());
    }

    #[test]
    fn asgi_entries_are_uvicorns_module_colon_attribute() {
        let entry = |module: &str, attribute: &str, factory| {
            Some(Entry::Asgi {
                module: module.to_owned(),
                attribute: attribute.to_owned(),
                factory,
            })
        };
        assert_eq!(asgi_entry("main:app"), entry("main", "app", false));
        assert_eq!(
            asgi_entry("app.main:create_app()"),
            entry("app.main", "create_app", true)
        );
        assert_eq!(
            asgi_entry("_x.y2:api.app"),
            entry("_x.y2", "api.app", false)
        );
        for bad in [
            "",
            "main",
            "main:",
            ":app",
            "app/main.py:app",
            "1app:app",
            "a..b:app",
            "main:app(x)",
            "main:app()()",
            "main:app:x",
            "main:app ",
        ] {
            assert_eq!(asgi_entry(bad), None, "{bad:?}");
        }
    }
}
