//! `unproxied-app-port`: an app of the container listens where nginx never proxies to.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::wiring::{Addr, Bind, Owner, Wiring, host_port, who};
use crate::lint::{Context, declare_rule};
use crate::model::Protocol;

declare_rule! {
    /// ## What it does
    /// Checks that every app of the container that listens (on a TCP port or a Unix
    /// socket) is one nginx proxies to, in a container that has nginx.
    ///
    /// Programs that do not listen (nginx itself, cron, queue workers) are left alone, and
    /// so is an app nginx proxies to on one of its addresses. When nginx's target is built
    /// from variables, or names a host that may be this container, the app may be the one
    /// it means, and nothing is reported. When nginx proxies to a wrong port and this app is
    /// the one it was meant for, `upstream-port-mismatch` reports the pair instead.
    ///
    /// ## Why is this bad?
    /// An app behind nginx that nginx does not route to serves nobody: either nginx's config
    /// lost a `location` (requests meant for the app get nginx's 404 or the wrong app), or
    /// the app listens on another address than intended, or it is left over and only costs
    /// memory and start-up time.
    ///
    /// ## Example
    /// ```ini
    /// [program:api]
    /// command=uvicorn api:app --port 8000
    ///
    /// [program:admin]
    /// command=uvicorn admin:app --port 8001
    /// ```
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000;
    /// }
    /// location /admin/ {
    ///     proxy_pass http://127.0.0.1:8001/;
    /// }
    /// ```
    pub static UNPROXIED_APP_PORT = {
        code: "PORT002",
        name: "unproxied-app-port",
        severity: Error,
        check: check,
    }
}

/// What a `proxy_pass` to this address would say.
/// The directive that would send requests to the socket, in the protocol it speaks.
fn pass_line(addr: &Addr, owner: Owner<'_>) -> String {
    let protocol = match owner {
        Owner::App { listen, .. } => listen.protocol,
        Owner::Nginx(_) => Protocol::Http,
    };
    if protocol == Protocol::Http {
        return format!("proxy_pass {};", proxy_url(addr));
    }
    let to = match addr {
        Addr::Unix(p) => format!("unix:{p}"),
        Addr::Tcp { .. } => proxy_url(addr).trim_start_matches("http://").to_owned(),
    };
    format!("{} {to};", protocol.directive())
}

fn proxy_url(addr: &Addr) -> String {
    match addr {
        Addr::Tcp { bind, port, .. } => {
            let host = match bind {
                Bind::Loop6 | Bind::Any6 => "::1",
                Bind::Loop4(a) => a.as_str(),
                Bind::Other(h) => h.as_str(),
                Bind::Any4 | Bind::AnyDual => "127.0.0.1",
            };
            format!("http://{}", host_port(host, *port))
        }
        Addr::Unix(p) => format!("http://unix:{p}:"),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let explained = w.explained();
        for app in &dir.model.apps {
            let mine: Vec<usize> = (0..w.sockets.len())
                .filter(|&j| w.sockets[j].app().is_some_and(|a| std::ptr::eq(a, app)))
                .collect();
            // An app nginx reaches on one of its addresses is behind nginx.
            let Some(&i) = mine.first() else { continue };
            if mine
                .iter()
                .any(|&j| w.maybe_reached(j) || explained.contains(&j))
            {
                continue;
            }
            let s = &w.sockets[i];
            let name = who(app);
            let shown = s.addr.shown();
            let mut labels = w.socket_labels(i, &format!("{name} listens on `{shown}`"));
            if labels.is_empty() {
                continue;
            }
            let primary = labels.remove(0);
            let mut diag = UNPROXIED_APP_PORT
                .diagnostic(
                    format!("{name} listens on `{shown}`, but nginx never proxies to it"),
                    primary,
                )
                .with_help(format!(
                    "proxy a `location` to it (`{}`), or stop running {name} in this container if it serves nothing",
                    pass_line(&s.addr, w.sockets[i].owner)
                ));
            for l in labels {
                diag = diag.with_related(l);
            }
            for d in w.dispatches.iter().take(3) {
                let to = d.place.shown();
                diag = diag.with_related(w.target_label(d, format!("nginx proxies to `{to}`")));
            }
            out.push(diag);
        }
    }
}
