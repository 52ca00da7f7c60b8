//! nginx's config, directive by directive: the server in front of the app becomes
//! `nginx.port`; the directives gen has keys for become those keys; what gen's template
//! writes itself is replaced; the user's other lines of that server (locations, headers,
//! static files) are kept verbatim for the snippet `nginx.include` names, and what cannot go
//! into a server block (another server, a `map`, the main context) is not expressible.

use super::{Imported, Key, Note, Static, Table, key, place, spec_has, spec_has_static};
use crate::lint::ContainerDir;
use crate::model::{App, Nginx, NginxDirective, Source, Target};
use crate::parse::nginx::table::{ctx, table};

/// The server nginx serves the app from.
#[derive(Debug, Clone)]
pub(super) struct Front {
    /// The `server` directive.
    pub server: usize,
    /// Its port, and where it is written.
    pub port: Option<(u16, String)>,
    /// The locations that proxy to the app.
    pub locations: Vec<usize>,
    /// The upstreams whose servers are the app.
    pub upstreams: Vec<String>,
}

/// Directives of the main context that gen's template writes.
const GEN_MAIN: &[&str] = &[
    "user",
    "worker_processes",
    "pid",
    "daemon",
    "error_log",
    "worker_rlimit_nofile",
    "worker_shutdown_timeout",
];
/// Directives of `http` that gen's template writes.
const GEN_HTTP: &[&str] = &[
    "default_type",
    "server_tokens",
    "access_log",
    "error_log",
    "sendfile",
    "tcp_nopush",
    "keepalive_timeout",
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
];
/// The request headers gen's template sends to the app.
const GEN_HEADERS: &[&str] = &[
    "host",
    "x-real-ip",
    "x-forwarded-for",
    "x-forwarded-proto",
    "connection",
];

fn app_port(app: &App) -> Option<u16> {
    app.listens.iter().find_map(|l| l.port.as_ref()?.port())
}

fn to_app(t: &Target, port: Option<u16>) -> bool {
    match t {
        Target::Tcp { host, port: p, .. } => {
            let local = matches!(
                host.as_str(),
                "127.0.0.1" | "localhost" | "[::1]" | "0.0.0.0"
            );
            local && (port.is_none() || *p == port)
        }
        Target::Unix { .. } => port.is_none(),
        _ => false,
    }
}

pub(super) fn front(cd: &ContainerDir, app: &App) -> Option<Front> {
    let n = cd.model.nginx.as_ref()?;
    let port = app_port(app);
    let upstreams: Vec<String> = n
        .upstreams
        .iter()
        .filter(|u| {
            u.servers
                .iter()
                .any(|&s| n.proxies.get(s).is_some_and(|p| to_app(&p.target, port)))
        })
        .map(|u| u.name.clone())
        .collect();
    let proxies: Vec<_> = n
        .proxies
        .iter()
        .filter(|p| p.kind == "proxy_pass")
        .filter(|p| {
            to_app(&p.target, port)
                || matches!(&p.target, Target::Upstream { name } if upstreams.contains(name))
        })
        .collect();
    let server_of = |i: usize| {
        n.ancestors(i)
            .into_iter()
            .find(|&a| n.directives.get(a).is_some_and(|d| d.name == "server"))
    };
    let server = proxies
        .iter()
        .find_map(|p| server_of(p.directive))
        .or_else(|| n.listeners.first().map(|l| l.server))?;
    let locations = proxies
        .iter()
        .filter(|p| server_of(p.directive) == Some(server))
        .filter_map(|p| p.location)
        .collect();
    let port = n
        .listeners
        .iter()
        .find(|l| l.server == server)
        .and_then(|l| match &l.addr {
            crate::model::ListenAddr::Tcp { port, .. } => Some((*port, place(cd, &l.origin))),
            _ => None,
        });
    Some(Front {
        server,
        port,
        locations,
        upstreams,
    })
}

/// `name arg arg`, cut for the report.
fn shown(d: &NginxDirective) -> String {
    let mut s = d.name.clone();
    for a in &d.args {
        s.push(' ');
        s.push_str(&a.value);
    }
    if d.block {
        s.push_str(" { ... }");
    }
    crate::spec::shown(&s)
}

/// Seconds of an nginx time (`60`, `60s`, `1m`, `500ms` is not whole).
fn seconds(v: &str) -> Option<i64> {
    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().ok()?;
    let mul = match &v[digits.len()..] {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(mul)
}

fn is_size(v: &str) -> bool {
    let digits = v.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
    let unit = v.len() - digits.len();
    !digits.is_empty()
        && digits.len() <= 12
        && unit <= 1
        && digits.chars().all(|c| c.is_ascii_digit())
}

struct Walk<'a> {
    cd: &'a ContainerDir,
    n: &'a Nginx,
    front: Option<&'a Front>,
    c: &'a mut Imported,
    snippet: bool,
}

/// Where a directive stands, for what becomes of it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    Main,
    Events,
    Http,
    Server,
    AppLocation,
    AppUpstream,
    /// Inside a block of packaged (not the user's) config.
    Packaged,
}

pub(super) fn carry(cd: &ContainerDir, _app: &App, front: Option<&Front>, c: &mut Imported) {
    let Some(n) = &cd.model.nginx else {
        c.changed.push(Note {
            from: cd.dir.clone(),
            what: "no nginx config found: gen's nginx proxies to the app".into(),
        });
        return;
    };
    if let Some((port, from)) = front.and_then(|f| f.port.clone()) {
        c.keys
            .push(key(Table::Nginx, "port", i64::from(port), from));
    }
    let mut w = Walk {
        cd,
        n,
        front,
        c,
        snippet: spec_has(Table::Nginx, "include"),
    };
    w.walk(None, Where::Main);
}

impl Walk<'_> {
    fn from(&self, d: &NginxDirective) -> String {
        place(self.cd, &d.origin())
    }

    fn note(&self, d: &NginxDirective, what: &str) -> Note {
        Note {
            from: self.from(d),
            what: format!("`{}`: {what}", shown(d)),
        }
    }

    fn replaced(&mut self, d: &NginxDirective) {
        let note = self.note(d, "gen's template writes its own");
        self.c.replaced.push(note);
    }

    fn unexpressed(&mut self, d: &NginxDirective, why: &str) {
        if let Some(l) = self.cd.label(&d.origin(), "") {
            self.c.dropped.push((l.file, l.start.line, l.end.line));
        }
        let note = self.note(d, why);
        self.c.unexpressed.push(note);
    }

    fn set(&mut self, k: Key, d: &NginxDirective) {
        if let Some(old) = self
            .c
            .keys
            .iter()
            .position(|o| o.table == k.table && o.name == k.name)
        {
            let prev = self.c.keys.remove(old);
            let what = format!("`{}`: overridden by {}", prev.path(), self.from(d));
            self.c.replaced.push(Note {
                from: prev.from,
                what,
            });
        }
        self.c.keys.push(k);
    }

    /// A directive gen has a key for; `false` when it is not one.
    fn keyed(&mut self, d: &NginxDirective, at: Where) -> bool {
        let arg = d.arg(0).unwrap_or("");
        let (name, value): (&'static str, Option<toml::Value>) = match (d.name.as_str(), at) {
            ("client_max_body_size", Where::Http | Where::Server | Where::AppLocation) => (
                "client_max_body_size",
                is_size(arg).then(|| toml::Value::String(arg.to_owned())),
            ),
            ("proxy_connect_timeout", Where::Http | Where::Server | Where::AppLocation) => (
                "proxy_connect_timeout",
                seconds(arg)
                    .filter(|s| (1..=75).contains(s))
                    .map(toml::Value::Integer),
            ),
            ("proxy_read_timeout", Where::Http | Where::Server | Where::AppLocation) => (
                "proxy_read_timeout",
                seconds(arg)
                    .filter(|s| (1..=86_400).contains(s))
                    .map(toml::Value::Integer),
            ),
            ("proxy_send_timeout", Where::Http | Where::Server | Where::AppLocation) => (
                "proxy_send_timeout",
                seconds(arg)
                    .filter(|s| (1..=86_400).contains(s))
                    .map(toml::Value::Integer),
            ),
            ("keepalive", Where::AppUpstream) => (
                "upstream_keepalive",
                arg.parse::<i64>()
                    .ok()
                    .filter(|n| (0..=1024).contains(n))
                    .map(toml::Value::Integer),
            ),
            ("worker_connections", Where::Events) => (
                "worker_connections",
                arg.parse::<i64>()
                    .ok()
                    .filter(|n| (16..=65_535).contains(n))
                    .map(toml::Value::Integer),
            ),
            _ => return false,
        };
        match value {
            Some(v) => {
                let k = Key {
                    table: Table::Nginx,
                    name,
                    value: v,
                    from: place(self.cd, &d.arg_origin(0)),
                };
                self.set(k, d);
            }
            None => self.unexpressed(d, &format!("`nginx.{name}` cannot take this value")),
        }
        true
    }

    /// The directive's text as written, its block included, dedented to its first line.
    fn text(&self, d: &NginxDirective) -> Option<String> {
        let src = self.cd.model.text(&d.source)?;
        let body = src.get(d.span.start..d.span.end)?;
        let line_start = src[..d.span.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = d.span.start - line_start;
        let lines: Vec<String> = body
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    return l.to_owned();
                }
                let ws = l.len() - l.trim_start().len();
                l[ws.min(indent)..].to_owned()
            })
            .collect();
        Some(lines.join("\n"))
    }

    /// Keeps a directive for the snippet, or says it cannot be kept without one.
    fn keep(&mut self, d: &NginxDirective, moved: Option<&str>) {
        if !self.snippet {
            self.unexpressed(
                d,
                "this spec has no `nginx.include` for the user's own nginx lines",
            );
            return;
        }
        match self.text(d) {
            Some(text) => {
                let from = self.from(d);
                let what = match moved {
                    Some(m) => format!("`{}`, {m}", shown(d)),
                    None => format!("`{}`", shown(d)),
                };
                self.c.snippet.push((text, from.clone()));
                self.c.kept.push(Note { from, what });
            }
            None => self.unexpressed(d, "its text could not be read"),
        }
    }

    fn allowed_in_server(name: &str) -> bool {
        table()
            .rows(name)
            .iter()
            .any(|r| r.contexts & ctx::SRV != 0)
    }

    fn walk(&mut self, parent: Option<usize>, at: Where) {
        let children: Vec<usize> = self.n.children(parent).map(|(i, _)| i).collect();
        for i in children {
            let n = self.n;
            let Some(d) = n.directives.get(i) else {
                continue;
            };
            // `include` brings its files into this tree: their directives are walked.
            if d.name == "include" || d.cmdline {
                continue;
            }
            if at == Where::Packaged || matches!(d.source, Source::Packaged { .. }) {
                if d.block {
                    let inner = match d.name.as_str() {
                        "http" => Where::Http,
                        "events" => Where::Events,
                        _ => Where::Packaged,
                    };
                    self.walk(Some(i), inner);
                }
                continue;
            }
            if self.keyed(d, at) {
                continue;
            }
            let front = self.front;
            match at {
                Where::Packaged => {}
                Where::Main => match d.name.as_str() {
                    "events" => self.walk(Some(i), Where::Events),
                    "http" => self.walk(Some(i), Where::Http),
                    name if GEN_MAIN.contains(&name) => self.replaced(d),
                    _ => self.unexpressed(d, "the spec has no key for nginx's main context"),
                },
                Where::Events => self.unexpressed(d, "the spec has no key for it in `events`"),
                Where::Http => match d.name.as_str() {
                    "server" if front.is_some_and(|f| f.server == i) => {
                        self.walk(Some(i), Where::Server);
                    }
                    "server" => self.unexpressed(
                        d,
                        "another server block: gen's nginx has one server, in front of the app",
                    ),
                    "upstream"
                        if front.is_some_and(|f| {
                            d.arg(0).is_some_and(|a| f.upstreams.iter().any(|u| u == a))
                        }) =>
                    {
                        self.replaced(d);
                        self.walk(Some(i), Where::AppUpstream);
                    }
                    name if GEN_HTTP.contains(&name) => self.replaced(d),
                    name if !d.block && Self::allowed_in_server(name) => {
                        self.keep(d, Some("moved from `http` into the server block"));
                    }
                    _ => self.unexpressed(
                        d,
                        "it belongs in `http`, and the snippet goes into the server block",
                    ),
                },
                Where::Server => self.server(i, d),
                Where::AppLocation => match d.name.as_str() {
                    "proxy_pass" | "proxy_http_version" => self.replaced(d),
                    "proxy_set_header" if gen_header(d) => self.replaced(d),
                    "access_log" | "error_log" => self.replaced(d),
                    name if Self::allowed_in_server(name) && !d.block => {
                        self.keep(d, Some("moved from `location /` to the server block, so it applies to every location"));
                    }
                    _ => self.unexpressed(d, "gen writes `location /` itself"),
                },
                Where::AppUpstream => match d.name.as_str() {
                    "server" | "keepalive_timeout" => self.replaced(d),
                    _ => self.unexpressed(d, "gen writes the app's upstream itself"),
                },
            }
        }
    }

    fn server(&mut self, i: usize, d: &NginxDirective) {
        let front = self.front;
        match d.name.as_str() {
            "listen" => {
                let first = self
                    .n
                    .listeners
                    .iter()
                    .find(|l| Some(l.server) == front.map(|f| f.server));
                if first.and_then(|l| l.directive) == Some(i) {
                    return; // carried as `nginx.port`
                }
                self.unexpressed(d, "gen's nginx listens on one port, `nginx.port`");
            }
            "server_name"
                if d.args
                    .iter()
                    .all(|a| matches!(a.value.as_str(), "_" | "localhost" | "")) =>
            {
                self.replaced(d);
            }
            "proxy_http_version" | "access_log" | "error_log" => self.replaced(d),
            "proxy_set_header" if gen_header(d) => self.replaced(d),
            "location"
                if front.is_some_and(|f| f.locations.contains(&i)) && d.arg(0) == Some("/") =>
            {
                self.replaced(d);
                self.walk(Some(i), Where::AppLocation);
            }
            "location" if spec_has_static() => {
                if let Some(s) = self.static_location(i, d) {
                    self.c.statics.push(s);
                } else {
                    self.keep(d, None);
                }
            }
            _ => self.keep(d, None),
        }
    }

    /// A location that only serves files from a directory the Dockerfile copies from the
    /// container directory: `[[container.static]]`.
    fn static_location(&self, i: usize, d: &NginxDirective) -> Option<Static> {
        let prefix = d
            .arg(0)
            .filter(|p| p.starts_with('/') && d.args.len() == 1)?;
        let children: Vec<&NginxDirective> = self.n.children(Some(i)).map(|(_, c)| c).collect();
        let [only] = children.as_slice() else {
            return None;
        };
        let image_dir = match only.name.as_str() {
            "alias" => only.arg(0)?.trim_end_matches('/').to_owned(),
            "root" => format!(
                "{}{}",
                only.arg(0)?.trim_end_matches('/'),
                prefix.trim_end_matches('/')
            ),
            _ => return None,
        };
        // The local directory whose files the image has there.
        let m = &self.cd.model;
        let local = self.cd.files.iter().find_map(|f| {
            let (src, _) = m.read(&format!("{image_dir}/{}", f.rel.rsplit('/').next()?))?;
            match src {
                Source::Local(file) if file == f.rel => Some(
                    f.rel
                        .rsplit_once('/')
                        .map_or(String::new(), |(d, _)| d.to_owned()),
                ),
                _ => None,
            }
        })?;
        Some(Static {
            path: prefix.to_owned(),
            dir: local,
            from: self.from(d),
        })
    }
}

fn gen_header(d: &NginxDirective) -> bool {
    d.arg(0)
        .is_some_and(|h| GEN_HEADERS.contains(&h.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::{is_size, seconds};

    #[test]
    fn nginx_values() {
        assert_eq!(seconds("60"), Some(60));
        assert_eq!(seconds("120s"), Some(120));
        assert_eq!(seconds("2m"), Some(120));
        assert_eq!(seconds("500ms"), None);
        assert_eq!(seconds("$x"), None);
        assert!(is_size("20m") && is_size("1024") && is_size("1G"));
        assert!(!is_size("m") && !is_size("1mm") && !is_size("1.5m"));
    }
}
