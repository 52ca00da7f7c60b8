//! `app-port-exposed`: the image EXPOSEs (or compose maps) the port of an app that sits
//! behind nginx.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::exposure;
use crate::lint::analysis::wiring::{Addr, Owner, Wiring, who};
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a container with nginx in front of its apps does not EXPOSE an app's own
    /// port (one nginx does not listen on too), and that the compose file of its project
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

/// The ports nginx listens on, off loopback.
fn nginx_ports(w: &Wiring<'_>) -> Vec<u16> {
    let mut ports: Vec<u16> = Vec::new();
    for s in &w.sockets {
        if let (Owner::Nginx(_), Addr::Tcp { bind, port, .. }) = (&s.owner, &s.addr) {
            if !bind.is_loopback() && !ports.contains(port) {
                ports.push(*port);
            }
        }
    }
    ports
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let nginx_ports = nginx_ports(&w);
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
    }
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let Some(w) = Wiring::of(dir) else { continue };
            let nginx_ports = nginx_ports(&w);
            for m in exposure::mapped(s) {
                let Some(i) = app_socket(&w, &nginx_ports, m.port, m.port) else {
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
                            m.port, s.name.value
                        ),
                        project.label(m.loc, "the app's port"),
                    )
                    .with_help(help(&nginx_ports, "map"));
                for l in w.socket_labels(i, &format!("{name} listens on port {}", m.port)) {
                    diag = diag.with_related(l);
                }
                out.push(diag);
            }
        }
    }
}
