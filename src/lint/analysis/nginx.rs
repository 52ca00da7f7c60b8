//! nginx's config as the rules read it beyond the model's facts: inheritance (array
//! directives such as `proxy_set_header` are inherited only into blocks that set none of
//! their own), `map`s, which upstream a `proxy_pass` names, whether a location reuses its
//! upstream's keep-alive connections ([`closes`], [`keepalive`]), and where a packaged
//! file's directive shows. The nginx and app rules share them.

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

/// Why a location closes its upstream connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Closes {
    /// `proxy_http_version` is 1.0 (the default when `None`): the directive in effect.
    pub http10: Option<Option<usize>>,
    pub connection: Option<Connection>,
    /// `fastcgi_keep_conn` is off: the directive in effect, if any.
    pub fastcgi: Option<Option<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Connection {
    /// Not set: nginx sends `Connection: close`. With the block whose `proxy_set_header`
    /// lines are in effect (if any), and an outer `Connection` header they hide.
    Unset {
        scope: Option<usize>,
        hidden: Option<usize>,
    },
    /// Set to `close` by this directive.
    Close(usize),
    /// Set from `$var`, which a `map` makes `close` for requests without `Upgrade`.
    Map { directive: usize, var: String },
}

/// Whether the location of proxy `p` (to an upstream with `keepalive`) reuses connections:
/// `Some(None)` yes, `Some(Some(why))` no, `None` when gen cannot tell.
pub(crate) fn closes(n: &Nginx, p: &ProxyTarget) -> Option<Option<Closes>> {
    let mut why = Closes {
        http10: None,
        connection: None,
        fastcgi: None,
    };
    match p.kind.as_str() {
        "proxy_pass" => {
            let version = effective(n, p.directive, "proxy_http_version")?;
            if last_value(n, &version.set).as_deref() != Some("1.1") {
                why.http10 = Some(version.set.last().copied());
            }
            let headers = effective(n, p.directive, "proxy_set_header")?;
            why.connection = match header(n, &headers.set, "Connection") {
                None => Some(Connection::Unset {
                    scope: headers.scope,
                    hidden: outer(n, headers.scope, "proxy_set_header")
                        .and_then(|o| header(n, &o.set, "Connection").map(|(k, _)| k)),
                }),
                Some((k, d)) => {
                    let value = d.arg(1).unwrap_or("");
                    if value.eq_ignore_ascii_case("close") {
                        Some(Connection::Close(k))
                    } else if let Some(var) = value.strip_prefix('$') {
                        // A request without `Upgrade` has `$http_upgrade` empty: the map's
                        // `""` entry, or its default.
                        let values = map_values(n, var);
                        let plain = values.as_ref().and_then(|vals| {
                            vals.iter()
                                .find(|(k, _)| k.is_empty())
                                .or_else(|| vals.iter().find(|(k, _)| *k == "default"))
                                .map(|(_, v)| *v)
                        });
                        plain
                            .filter(|v| v.eq_ignore_ascii_case("close"))
                            .map(|_| Connection::Map {
                                directive: k,
                                var: var.to_owned(),
                            })
                    } else {
                        None
                    }
                }
            };
        }
        "fastcgi_pass" => {
            let keep = effective(n, p.directive, "fastcgi_keep_conn")?;
            if last_value(n, &keep.set).as_deref() != Some("on") {
                why.fastcgi = Some(keep.set.last().copied());
            }
        }
        // uwsgi, scgi and grpc: gen does not judge their keep-alive.
        _ => return None,
    }
    let broken = why.http10.is_some() || why.connection.is_some() || why.fastcgi.is_some();
    Some(broken.then_some(why))
}

/// The `keepalive` directive of the upstream a proxy sends to.
pub(crate) fn keepalive(n: &Nginx, p: &ProxyTarget) -> Option<(String, usize)> {
    let name = upstream_of(n, p)?;
    let u = n.upstreams.iter().find(|u| u.name == name)?;
    n.children(Some(u.directive))
        .find(|(_, d)| d.name == "keepalive")
        .map(|(k, _)| (name.to_owned(), k))
}
