//! Rules about nginx: whether it loads the config at all (`load`: directives, contexts,
//! arguments, values and variables as `nginx -t` judges them), and as a reverse proxy: the
//! headers it passes to the app and whether its upstream keep-alive works. The helpers here read nginx's inheritance (array directives
//! such as `proxy_set_header` are inherited only into blocks that set none of their own),
//! `map`s, and which upstream a `proxy_pass` names; the app rules use them too.

pub mod ineffective_upstream_keepalive;
pub mod invalid_nginx_arguments;
pub mod invalid_nginx_value;
pub mod load;
pub mod missing_forwarded_headers;
pub mod nginx_directive_not_allowed_here;
pub mod packaged_default_site_answers;
pub mod unknown_nginx_directive;
pub mod unknown_nginx_variable;
pub mod unknown_upstream_host;

use crate::lint::ContainerDir;
use crate::model::{Nginx, NginxDirective, Origin, ProxyTarget, Source, Target};

/// Included files that set no proxy directives, so an `include` of one gen cannot read
/// hides nothing the rules look for.
const HARMLESS_INCLUDES: [&str; 7] = [
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "uwsgi_params",
    "scgi_params",
    "fastcgi-php.conf",
    "koi-utf",
];

/// The `name` directives in effect in the block of directive `i`: those of the nearest
/// enclosing block (the block itself first) that has any, as nginx inherits array
/// directives (`proxy_set_header`) and simple ones alike (for these, the last one counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effective {
    /// The block they are written in; `None` for the main context, or when no block has
    /// any (then `set` is empty and nginx's defaults apply).
    pub scope: Option<usize>,
    pub set: Vec<usize>,
}

/// What is in effect at directive `i`; `None` when an `include` gen could not read sits in
/// one of the blocks on the way, so the answer is unknown.
pub(crate) fn effective(n: &Nginx, i: usize, name: &str) -> Option<Effective> {
    let d = n.directives.get(i)?;
    let mut scope = if d.block { Some(i) } else { d.parent };
    loop {
        let mut set = Vec::new();
        for (k, c) in n.children(scope) {
            if c.name == name {
                set.push(k);
            } else if c.name == "include" && !followed(n, c) {
                return None;
            }
        }
        if !set.is_empty() {
            return Some(Effective { scope, set });
        }
        match scope {
            Some(s) => scope = n.directives.get(s).and_then(|d| d.parent),
            None => return Some(Effective { scope: None, set }),
        }
    }
}

/// The scope after `scope` with `name` directives, for notes on what was not inherited.
pub(crate) fn outer(n: &Nginx, scope: Option<usize>, name: &str) -> Option<Effective> {
    let s = scope?;
    let parent = n.directives.get(s)?.parent;
    let first = match parent {
        Some(p) => p,
        None => {
            let set: Vec<usize> = n
                .children(None)
                .filter(|(_, c)| c.name == name)
                .map(|(k, _)| k)
                .collect();
            return (!set.is_empty()).then_some(Effective { scope: None, set });
        }
    };
    effective(n, first, name).filter(|e| !e.set.is_empty())
}

/// Whether the model read what an `include` names (a glob counts: nginx accepts one that
/// matches nothing), or it names a file without proxy directives.
fn followed(n: &Nginx, include: &NginxDirective) -> bool {
    let Some(pattern) = include.arg(0) else {
        return true;
    };
    if pattern.contains(['*', '?', '[']) {
        return true;
    }
    let base = pattern.rsplit('/').next().unwrap_or(pattern);
    if HARMLESS_INCLUDES.contains(&base) {
        return true;
    }
    let origin = include.arg_origin(0);
    n.files
        .iter()
        .any(|f| f.included_by.as_ref() == Some(&origin))
}

/// The `proxy_set_header` for `header` (case-insensitive) among `set`; the last wins.
pub(crate) fn header<'n>(
    n: &'n Nginx,
    set: &[usize],
    header: &str,
) -> Option<(usize, &'n NginxDirective)> {
    set.iter()
        .rev()
        .filter_map(|&k| Some((k, n.directives.get(k)?)))
        .find(|(_, d)| d.arg(0).is_some_and(|h| h.eq_ignore_ascii_case(header)))
}

/// The value of the last directive of `set`, lower-cased.
pub(crate) fn last_value(n: &Nginx, set: &[usize]) -> Option<String> {
    set.last()
        .and_then(|&k| n.directives.get(k))
        .and_then(|d| d.arg(0))
        .map(str::to_ascii_lowercase)
}

/// The values a `map` gives `$var`: `(key, value)` pairs, `default` included; `None` when
/// no `map` defines it.
pub(crate) fn map_values<'n>(n: &'n Nginx, var: &str) -> Option<Vec<(&'n str, &'n str)>> {
    let (m, _) = n
        .find("map")
        .find(|(_, d)| d.block && d.arg(1).is_some_and(|v| v.strip_prefix('$') == Some(var)))?;
    Some(
        n.children(Some(m))
            .filter(|(_, d)| !matches!(d.name.as_str(), "hostnames" | "volatile" | "include"))
            .map(|(_, d)| (d.name.as_str(), d.arg(0).unwrap_or("")))
            .collect(),
    )
}

/// The upstream a proxy directive sends to: named directly, or as the host of a URL whose
/// variables only give the path (`http://app$request_uri`, or a `map` whose values all
/// start with `/`), which nginx resolves to the upstream group too.
pub(crate) fn upstream_of<'p>(n: &Nginx, p: &'p ProxyTarget) -> Option<&'p str> {
    match &p.target {
        Target::Upstream { name } => Some(name),
        Target::Variable(raw) => {
            let rest = raw.split_once("://").map_or(raw.as_str(), |(_, r)| r);
            let end = rest.find(['/', '$']).unwrap_or(rest.len());
            let host = &rest[..end];
            if host.is_empty() || !n.upstreams.iter().any(|u| u.name == host) {
                return None;
            }
            let after = &rest[end..];
            let path_only = after.starts_with('/')
                || after.strip_prefix('$').is_some_and(|v| {
                    let var: String = v
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    matches!(var.as_str(), "request_uri" | "uri" | "document_uri")
                        || map_values(n, &var).is_some_and(|vals| {
                            vals.iter().all(|(_, v)| {
                                v.starts_with('/') || *v == "$request_uri" || *v == "$uri"
                            })
                        })
                });
            path_only.then_some(rest.get(..end).unwrap_or(""))
        }
        _ => None,
    }
}

/// Whether a proxy sends to an app of this container or its network rather than to a
/// public site: a loopback or bare host name, an IP address, a unix socket, an upstream.
/// nginx's default `Host` (the target's own name) is right for a public site.
pub(crate) fn proxies_to_an_app(n: &Nginx, p: &ProxyTarget) -> bool {
    match &p.target {
        Target::Unix { .. } | Target::Upstream { .. } => true,
        Target::Tcp { host, .. } => host.parse::<std::net::IpAddr>().is_ok() || !host.contains('.'),
        Target::Variable(_) => upstream_of(n, p).is_some(),
    }
}

/// A label for a directive written in the container directory; for one of a packaged file
/// (Debian's `proxy_params`), the local `include` that brings it in, with `note_packaged`
/// and a related label at the directive itself.
pub(crate) fn local_label(
    c: &ContainerDir,
    n: &Nginx,
    d: &NginxDirective,
    origin: &Origin,
    message: &str,
    note_packaged: &str,
) -> Option<(crate::diagnostic::Label, Option<crate::diagnostic::Label>)> {
    if let Source::Local(_) = d.source {
        return Some((c.label(origin, message)?, None));
    }
    let mut source = d.source.clone();
    for _ in 0..16 {
        let file = n.files.iter().find(|f| f.source == source)?;
        let by = file.included_by.as_ref()?;
        if let Origin::File { .. } = by {
            return Some((c.label(by, note_packaged)?, c.label(origin, message)));
        }
        let Origin::Packaged { path, .. } = by else {
            return None;
        };
        source = n.files.iter().find(|f| &f.path == path)?.source.clone();
    }
    None
}

#[cfg(test)]
mod never_panics {
    use crate::lint::date::Date;
    use crate::lint::{ContainerDir, Context, RULES, run};
    use proptest::prelude::*;

    const DOCKERFILE: &str = "(FROM (alpine:3\\.1[89]|ubuntu:2[24]\\.04|debian:12|node:18-alpine3\\.17|python:3\\.12-slim|b)( AS b)?|RUN (apk add nginx curl|apt-get install -y nginx python3-pip curl|pip3 install x|python3 -m venv /v|\\. /v/bin/activate && pip install y|rm /etc/nginx/mime\\.types)|ENV (PATH=/v/bin:\\$PATH|PIP_BREAK_SYSTEM_PACKAGES=1)|COPY (n\\.conf|s\\.conf|a\\.js|m\\.py) (/etc/nginx/nginx\\.conf|/etc/supervisord\\.conf|/app/)|HEALTHCHECK (NONE|CMD (curl|wget) -f http://(localhost|127\\.0\\.0\\.1:(80|3000|x)|\\[::1\\])/|CMD \\[\"curl\", \"http://localhost:8\"\\])|CMD \\[\"supervisord\"\\]|COPPY x|\n)*";
    const NGINX: &str = "(events \\{\\}|http \\{|server \\{|location / \\{|\\}|listen (80|\\$p|unix:/s);|proxy_pass (http://a|http://a\\$request_uri|http://127\\.0\\.0\\.1:3000|http://\\[::1\\]:8000|http://unix:/s:|https://x\\.com|\\$v);|fastcgi_pass a;|upstream a \\{|server (127\\.0\\.0\\.1:3000|unix:/s|\\[::1\\]:8000);|keepalive 4;|keepalive_timeout (1s|x|60);|proxy_http_version 1\\.(0|1);|proxy_set_header (Host \\$(host|http_host)|X-Forwarded-For x|Connection (\"\"|close|\\$c));|map \\$h \\$c \\{|'' (close|'');|include (proxy_params|/x/y|n\\.conf|mime\\.types);|[ \n])*";
    const SUPERVISOR: &str = "(\\[supervisord\\]|\\[program:(a|n)\\]|command=(nginx|node /app/a\\.js|uvicorn m:app --uds /s|gunicorn m:app -k uvicorn\\.workers\\.UvicornWorker -b unix:/s|uvicorn m:app --host ::1 --port 8000 --timeout-keep-alive 3)|autostart=maybe|x|\n)*";
    const APP: &str = "(const express = require\\('express'\\);|app\\.set\\('trust proxy', (1|'loopback'|x)\\);|const s = app\\.listen\\((3000|p)\\);|s\\.keepAliveTimeout = (0|65 \\* 1000|t);|\\(|\\)|'|`|[ \n])*";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn on_generated_directories(
            dockerfile in DOCKERFILE,
            nginx in NGINX,
            supervisor in SUPERVISOR,
            app in APP,
        ) {
            let files = [
                ("Dockerfile", dockerfile.as_str()),
                ("n.conf", nginx.as_str()),
                ("nginx.conf", nginx.as_str()),
                ("s.conf", supervisor.as_str()),
                ("a.js", app.as_str()),
                ("m.py", app.as_str()),
                ("package.json", app.as_str()),
            ];
            let mut ctx = Context::new(Date::from_unix_days(20_000));
            ctx.containers.push(ContainerDir::from_texts("c", &files));
            let _ = run(&ctx, RULES);
        }
    }
}
