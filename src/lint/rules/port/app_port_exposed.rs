//! `app-port-exposed`: the image EXPOSEs (or compose maps) the port of an app that sits
//! behind nginx.

use super::exposure;
use super::wiring::{Addr, Owner, Wiring, who};
use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, DriftKind, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a container with nginx in front of its apps does not EXPOSE an app's own
    /// port (one nginx does not listen on too), and, with a spec, that the compose file
    /// does not map it.
    ///
    /// ## Why is this bad?
    /// Published, the app's port lets clients around nginx: past its limits on body size
    /// and time, its headers (`X-Forwarded-For`, `X-Forwarded-Proto`), its TLS and its
    /// access log. If the app binds loopback only, the published port is dead instead, and
    /// whoever follows the EXPOSE gets "connection reset". Either way the port to publish
    /// is nginx's.
    ///
    /// ## Example
    /// ```dockerfile
    /// # nginx listens on 80 and proxies to uvicorn on 8000
    /// EXPOSE 8000
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    pub static APP_PORT_EXPOSED = {
        code: "PORT004",
        name: "app-port-exposed",
        severity: Warning,
        check: check,
    }
}

/// The first app socket on one of `ports` (first..=last), unless nginx listens there too.
fn app_socket(w: &Wiring<'_>, nginx_ports: &[u16], first: u16, last: u16) -> Option<usize> {
    w.sockets.iter().position(|s| match (&s.owner, &s.addr) {
        (Owner::App { .. }, Addr::Tcp { port, .. }) => {
            (first..=last).contains(port) && !nginx_ports.contains(port)
        }
        _ => false,
    })
}

fn help(nginx_ports: &[u16], what: &str) -> String {
    match nginx_ports.first() {
        Some(p) => format!("{what} nginx's port {p} instead, so that requests go through nginx"),
        None => "publish only nginx's port, so that requests go through nginx".to_owned(),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let mut nginx_ports: Vec<u16> = Vec::new();
        for s in &w.sockets {
            if let (Owner::Nginx(_), Addr::Tcp { bind, port, .. }) = (&s.owner, &s.addr) {
                if !bind.is_loopback() && !nginx_ports.contains(port) {
                    nginx_ports.push(*port);
                }
            }
        }
        for e in &dir.model.expose {
            let (Some((first, last)), crate::parse::dockerfile::Protocol::Tcp) =
                (e.value.ports, e.value.protocol)
            else {
                continue;
            };
            let Some(i) = app_socket(&w, &nginx_ports, first, last) else {
                continue;
            };
            let s = &w.sockets[i];
            let (Some(app), Some(port)) = (s.app(), s.addr.port()) else {
                continue;
            };
            let name = who(app);
            let mut diag = APP_PORT_EXPOSED
                .diagnostic(
                    format!("the image EXPOSEs port {port}, where {name} listens behind nginx"),
                    w.dir.label_or(&e.origin, "Dockerfile", "the app's port"),
                )
                .with_help(help(&nginx_ports, "EXPOSE"));
            for l in w.socket_labels(i, &format!("{name} listens on port {port}")) {
                diag = diag.with_related(l);
            }
            out.push(diag);
        }
        let (Some(spec), Some(c)) = (&ctx.spec, ctx.spec_container(dir)) else {
            continue;
        };
        let compose = format!("{}/compose.yaml", spec.out.trim_end_matches('/'));
        for d in &ctx.drift {
            let text = match &d.kind {
                DriftKind::Extra { on_disk } | DriftKind::Differs { on_disk, .. }
                    if d.path == compose =>
                {
                    on_disk
                }
                _ => continue,
            };
            for m in exposure::compose_ports(text, &c.name) {
                let Some(i) = app_socket(&w, &nginx_ports, m.container, m.container) else {
                    continue;
                };
                let Some(app) = w.sockets[i].app() else {
                    continue;
                };
                let name = who(app);
                let mut diag = APP_PORT_EXPOSED
                    .diagnostic(
                        format!(
                            "the compose file maps port {} of `{}`, where {name} listens behind nginx",
                            m.container, c.name
                        ),
                        Label::new(&d.path, text, m.span, "the app's port"),
                    )
                    .with_help(help(&nginx_ports, "map"));
                for l in w.socket_labels(i, &format!("{name} listens on port {}", m.container)) {
                    diag = diag.with_related(l);
                }
                out.push(diag);
            }
        }
    }
}
