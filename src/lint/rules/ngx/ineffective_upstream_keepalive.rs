//! `ineffective-upstream-keepalive`: an upstream keeps idle connections, but the locations
//! that use it close every connection after one request.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx::{effective, header, last_value, map_values, outer, upstream_of};
use crate::lint::{Context, declare_rule};
use crate::model::{Nginx, ProxyTarget};

declare_rule! {
    /// ## What it does
    /// Checks that the locations proxying to an `upstream` with `keepalive` reuse its
    /// connections.
    ///
    /// `proxy_pass` needs `proxy_http_version 1.1` and `proxy_set_header Connection ""` (or
    /// a `map` that gives an empty value to requests without `Upgrade`), and
    /// `fastcgi_pass` needs `fastcgi_keep_conn on`, all as nginx's inheritance gives them.
    ///
    /// ## Why is this bad?
    /// nginx proxies with HTTP/1.0 and `Connection: close` by default, so the app closes
    /// each connection after its response and `keepalive` silently does nothing: every
    /// request pays for a new connection (and a TIME_WAIT socket), which is what the
    /// directive was meant to avoid. The nginx documentation of `keepalive` says so.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app {
    ///     server 127.0.0.1:8000;
    ///     keepalive 16;
    /// }
    /// server {
    ///     location / {
    ///         proxy_pass http://app;
    ///     }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// server {
    ///     location / {
    ///         proxy_http_version 1.1;
    ///         proxy_set_header Connection "";
    ///         proxy_pass http://app;
    ///     }
    /// }
    /// ```
    pub static INEFFECTIVE_UPSTREAM_KEEPALIVE = {
        code: "NGX003",
        name: "ineffective-upstream-keepalive",
        severity: Warning,
        check: check,
    }
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

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let Some(n) = &c.model.nginx else { continue };
        for p in &n.proxies {
            if p.upstream.is_some() {
                continue;
            }
            let Some((name, ka)) = keepalive(n, p) else {
                continue;
            };
            let Some(Some(why)) = closes(n, p) else {
                continue;
            };
            let mut faults = Vec::new();
            let mut fixes = Vec::new();
            if why.http10.is_some() {
                faults.push("speaks HTTP/1.0".to_owned());
                fixes.push("`proxy_http_version 1.1;`");
            }
            // Where `Connection ""` must go: a block with its own `proxy_set_header` lines
            // inherits none, so it goes next to them.
            let own_headers = match &why.connection {
                Some(Connection::Unset { scope: Some(s), .. }) => n
                    .directives
                    .get(*s)
                    .filter(|d| !matches!(d.name.as_str(), "server" | "http"))
                    .map(|d| d.name.clone()),
                _ => None,
            };
            match &why.connection {
                Some(Connection::Unset { .. } | Connection::Close(_)) => {
                    faults.push("sends `Connection: close`".to_owned());
                    if own_headers.is_none() {
                        fixes.push("`proxy_set_header Connection \"\";`");
                    }
                }
                Some(Connection::Map { var, .. }) => faults.push(format!(
                    "sends `Connection: close` for requests without `Upgrade` (`${var}`)"
                )),
                None => {}
            }
            if why.fastcgi.is_some() {
                faults.push("does not set `fastcgi_keep_conn on`".to_owned());
                fixes.push("`fastcgi_keep_conn on;`");
            }
            let Some(primary) = c.label(&p.origin, "every request here opens a new connection")
            else {
                continue;
            };
            let mut d = INEFFECTIVE_UPSTREAM_KEEPALIVE.diagnostic(
                format!(
                    "upstream `{name}` keeps idle connections, but this `{}` {}",
                    p.kind,
                    faults.join(" and ")
                ),
                primary,
            );
            if let Some(l) = c.label(&n.directives[ka].origin(), "idle connections are kept here") {
                d = d.with_related(l);
            }
            let mut help = Vec::new();
            if !fixes.is_empty() {
                help.push(format!(
                    "add {} to the location or its `server` block",
                    fixes.join(" and ")
                ));
            }
            if let Some(block) = &own_headers {
                help.push(format!(
                    "add `proxy_set_header Connection \"\";` next to the `{block}` block's own `proxy_set_header` lines: a block that sets any inherits none"
                ));
            }
            match &why.connection {
                Some(Connection::Close(k)) => {
                    if let Some(l) = c.label(&n.directives[*k].origin(), "closes every connection")
                    {
                        d = d.with_related(l);
                    }
                }
                Some(Connection::Unset {
                    hidden: Some(k), ..
                }) => {
                    if let Some(l) = c.label(
                        &n.directives[*k].origin(),
                        "not inherited: the location sets its own `proxy_set_header`",
                    ) {
                        d = d.with_related(l);
                    }
                }
                Some(Connection::Map { directive, var }) => {
                    if let Some(l) = c.label(
                        &n.directives[*directive].origin(),
                        format!("`${var}` is `close` without `Upgrade`"),
                    ) {
                        d = d.with_related(l);
                    }
                    help.push(format!(
                        "in the `map` that sets `${var}`, map `''` to `''` instead of `close`: WebSocket upgrades still work, and other requests keep the connection"
                    ));
                }
                _ => {}
            }
            out.push(d.with_help(help.join("; ")));
        }
    }
}
