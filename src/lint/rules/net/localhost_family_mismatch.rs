//! `localhost-family-mismatch`: nginx proxies to `localhost`, and the app listens on only
//! one of the two addresses `localhost` stands for.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::wiring::{
    Addr, Bind, Dest, Owner, Place, Reach, Wiring, host_port, who,
};
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, for each proxy target of nginx written as `localhost`, that what listens
    /// there accepts both addresses `localhost` stands for: `127.0.0.1` and `::1`.
    ///
    /// nginx resolves `localhost` once, when it starts, through /etc/hosts, where Docker
    /// writes both `127.0.0.1 localhost` and `::1 localhost`, and spreads connections over
    /// both addresses. An app bound to `127.0.0.1` (or `0.0.0.0`) alone refuses the ones to
    /// `[::1]`; one bound to `::1` alone refuses those to `127.0.0.1`. gunicorn given
    /// `-b localhost:5000` binds `127.0.0.1` alone: it opens an IPv4 socket for any host
    /// that is not an IPv6 literal.
    ///
    /// A target that reaches nothing at all, for instance `127.0.0.1` when the app binds
    /// `::1` only, fails every request; `upstream-port-mismatch` reports that as an error.
    ///
    /// ## Why is this bad?
    /// Requests still get through, because nginx retries a refused connection on the next
    /// address, but every refused connection is logged as an error (`connect() failed (111:
    /// Connection refused) while connecting to upstream, upstream: "http://[::1]:3000/"`),
    /// costs a round trip, and marks that address as failed for `fail_timeout`. With
    /// `proxy_next_upstream off`, or for a request that cannot be retried, the client gets a
    /// 502.
    ///
    /// ## Example
    /// ```nginx
    /// proxy_pass http://localhost:3000;
    /// ```
    /// ```js
    /// app.listen(3000, "127.0.0.1");
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// proxy_pass http://127.0.0.1:3000;
    /// ```
    pub static LOCALHOST_FAMILY_MISMATCH = {
        code: "NET002",
        name: "localhost-family-mismatch",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        for d in &w.dispatches {
            let Place::Tcp {
                dest: Dest::Localhost,
                port,
                ..
            } = &d.place
            else {
                continue;
            };
            if d.reaches.is_empty() || d.reaches.iter().any(|(_, r)| *r != Reach::Partial) {
                continue;
            }
            // An app's socket before nginx's own.
            let Some(&(i, _)) = d
                .reaches
                .iter()
                .find(|(i, _)| w.sockets[*i].app().is_some())
                .or_else(|| d.reaches.first())
            else {
                continue;
            };
            let s = &w.sockets[i];
            let Addr::Tcp { bind, .. } = &s.addr else {
                continue;
            };
            let (family, missing, to) = match bind {
                Bind::Loop6 | Bind::Any6 => ("IPv6", "127.0.0.1", "::1"),
                _ => ("IPv4", "::1", "127.0.0.1"),
            };
            let name = s.app().map_or_else(|| "nginx".to_owned(), who);
            let mut diag = LOCALHOST_FAMILY_MISMATCH
                .diagnostic(
                    format!(
                        "nginx proxies to `localhost:{port}`, but {name} listens on `{}` only",
                        s.addr.shown()
                    ),
                    w.target_label(d, format!("`localhost` is also `{missing}`")),
                )
                .with_help(format!(
                    "proxy to `{}`: nginx uses every address `localhost` resolves to, and each connection to `{missing}` is refused and logged as an error",
                    host_port(to, *port)
                ));
            // gunicorn's `localhost` is `127.0.0.1`: say why a name binds one family.
            let written = match &s.owner {
                Owner::App { listen, .. } => listen.host.as_ref().map(|h| h.value.as_str()),
                Owner::Nginx(_) => None,
            };
            let note = match written {
                Some(h) if h.eq_ignore_ascii_case("localhost") => format!(
                    "{family} only: gunicorn opens an IPv4 socket for `{h}`, so binds `{to}` alone"
                ),
                _ => format!("{family} only"),
            };
            for l in w.host_labels(i, &note) {
                diag = diag.with_related(l);
            }
            out.push(diag);
        }
    }
}
