//! `ineffective-upstream-keepalive`: an upstream keeps idle connections, but the locations
//! that use it close every connection after one request.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx::{Connection, closes, keepalive};
use crate::lint::{Context, declare_rule};

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
