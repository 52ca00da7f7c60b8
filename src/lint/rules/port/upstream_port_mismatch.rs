//! `upstream-port-mismatch`: nginx proxies to an address of its own container where no
//! program listens.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::lint::ContainerDir;
use crate::lint::analysis::wiring::{
    Addr, Bind, Dest, MissKind, Place, Wiring, bind_hint, host_port, who,
};
use crate::lint::{Context, declare_rule};
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks that every address nginx proxies to on its own container is one where some
    /// program of the container listens.
    ///
    /// The addresses are the targets of `proxy_pass`, `uwsgi_pass`, `fastcgi_pass`,
    /// `scgi_pass` and `grpc_pass`, and the `server`s of the upstreams they use, on
    /// loopback or `localhost`: TCP ports, or `unix:` sockets that no program creates at
    /// all (a socket at another path is `unix-socket-mismatch`'s).
    ///
    /// Where each app listens is read from its command line (`uvicorn --port`, `gunicorn
    /// --bind`), from the environment supervisord and the Dockerfile give it, from its
    /// source (`uvicorn.run(port=...)`, `app.listen(port)`), or from the server's default.
    /// An address counts only if nginx can connect to it: an app bound to `::1` alone does
    /// not listen on `127.0.0.1`. When gen cannot tell where some program listens (a server
    /// it does not know, a port from a variable nothing sets, a gunicorn config file),
    /// nothing is reported, since that program may be the one.
    ///
    /// ## Why is this bad?
    /// Every request through that proxy fails with 502 Bad Gateway, and nginx logs
    /// `connect() failed (111: Connection refused) while connecting to upstream`. The
    /// container starts and looks healthy, so the mistake shows only when a request comes.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app {
    ///     server 127.0.0.1:8080;
    /// }
    /// ```
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --port 8000
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// upstream app {
    ///     server 127.0.0.1:8000;
    /// }
    /// ```
    pub static UPSTREAM_PORT_MISMATCH = {
        code: "PORT001",
        name: "upstream-port-mismatch",
        severity: Error,
        check: check,
    }
}

/// Whether a socket's port matches but its family does not (`::1` for `127.0.0.1`).
fn family_only(place: &Place, addr: &Addr) -> bool {
    match (place, addr) {
        (Place::Tcp { port, .. }, Addr::Tcp { port: p, .. }) => port == p,
        _ => false,
    }
}

/// The host to bind so that nginx's connections to `dest` arrive.
fn host_for(dest: &Dest) -> &str {
    match dest {
        Dest::V4(a) => a,
        Dest::V6 => "::1",
        Dest::Localhost => "127.0.0.1",
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let misses: Vec<_> = w
            .misses()
            .into_iter()
            .filter(|m| m.kind == MissKind::NoListener)
            .collect();
        let mut done: Vec<&Place> = Vec::new();
        for miss in &misses {
            let d = &w.dispatches[miss.dispatch];
            if done.contains(&&d.place) {
                continue;
            }
            done.push(&d.place);
            let shown = d.place.shown();
            let family = miss
                .candidates
                .iter()
                .any(|&c| family_only(&d.place, &w.sockets[c].addr));
            let (what, message) = match &d.place {
                Place::Tcp { host, .. } if family => (
                    format!("nothing listens on `{host}`"),
                    format!(
                        "nginx proxies to `{shown}`, where no program of the container listens"
                    ),
                ),
                Place::Tcp { port, .. } => (
                    format!("nothing listens on port {port} here"),
                    format!(
                        "nginx proxies to `{shown}`, where no program of the container listens"
                    ),
                ),
                Place::Unix(path) => (
                    "nothing listens on this socket".to_owned(),
                    format!(
                        "nginx proxies to the socket `{path}`, which no program of the container creates"
                    ),
                ),
            };
            let mut diag = UPSTREAM_PORT_MISMATCH.diagnostic(message, w.target_label(d, what));
            if let Some(l) = w.upstream_use_label(d) {
                diag = diag.with_related(l);
            }
            for other in misses
                .iter()
                .skip_while(|m| m.dispatch != miss.dispatch)
                .skip(1)
            {
                let o = &w.dispatches[other.dispatch];
                if o.place == d.place {
                    diag = diag.with_related(w.target_label(o, "also proxies here"));
                }
            }
            for &c in &miss.candidates {
                let s = &w.sockets[c];
                let name = s.app().map_or_else(|| "nginx".to_owned(), who);
                let labels = match &s.addr {
                    Addr::Tcp { host, port, .. } if family_only(&d.place, &s.addr) => w
                        .host_labels(
                            c,
                            &format!("{name} listens on `{}` only", host_port(host, *port)),
                        ),
                    Addr::Tcp { port, .. } => {
                        w.socket_labels(c, &format!("{name} listens on port {port}"))
                    }
                    Addr::Unix(p) => w.socket_labels(c, &format!("{name} listens on `unix:{p}`")),
                };
                for l in labels {
                    diag = diag.with_related(l);
                }
            }
            diag = diag.with_help(help(&w, &d.place, &miss.candidates));
            // Every line that proxies to the address at once: the program is then taken,
            // and a later pass would have no candidate for the others.
            let fix = target(&w, &d.place, &miss.candidates).and_then(|to| {
                let places = std::iter::once(&diag.primary).chain(
                    diag.related
                        .iter()
                        .filter(|l| l.message == "also proxies here"),
                );
                let edits = places
                    .map(|l| retarget(dir, &l.file, l.span, &d.place.shown(), &to))
                    .collect::<Option<Vec<Edit>>>()?;
                Some(Fix::unsafe_(format!("proxy to `{to}`"), edits))
            });
            out.push(diag.with_fix(fix));
        }
    }
}

/// The address the help proposes to proxy to, when there is one program to proxy to.
fn target(w: &Wiring<'_>, place: &Place, candidates: &[usize]) -> Option<String> {
    let (Place::Tcp { host, .. }, [c]) = (place, candidates) else {
        return None;
    };
    let s = &w.sockets[*c];
    s.app()?;
    let Addr::Tcp { port: p, bind, .. } = &s.addr else {
        return None;
    };
    let to = if family_only(place, &s.addr) {
        match bind {
            Bind::Loop6 | Bind::Any6 => "::1",
            _ => "127.0.0.1",
        }
    } else {
        match bind {
            Bind::Loop4(a) => a.as_str(),
            Bind::Loop6 | Bind::Any6 => "::1",
            Bind::Any4 => "127.0.0.1",
            Bind::AnyDual | Bind::Other(_) => host.as_str(),
        }
    };
    Some(host_port(to, *p))
}

/// `shown` (the address as nginx's line writes it) replaced with `to` at `span`, when it is
/// written there once. The fix is unsafe: gen cannot know which side is right, the proxy
/// or the program.
fn retarget(dir: &ContainerDir, file: &str, span: Span, shown: &str, to: &str) -> Option<Edit> {
    let f = dir.files.iter().find(|f| f.path == file)?;
    let text = f.text.as_deref()?;
    let written = text.get(span.start..span.end)?;
    let [(at, _)] = written.match_indices(shown).collect::<Vec<_>>()[..] else {
        return None;
    };
    let start = span.start + at;
    Some(Edit::replace(
        file,
        text,
        Span::new(start, start + shown.len()),
        to,
    ))
}

fn help(w: &Wiring<'_>, place: &Place, candidates: &[usize]) -> String {
    let Place::Tcp { dest, host, port } = place else {
        return "start the program that should create this socket, or proxy to a socket a program of the container listens on".to_owned();
    };
    match candidates {
        [c] => {
            let s = &w.sockets[*c];
            let Some(app) = s.app() else {
                return String::new();
            };
            let name = who(app);
            match &s.addr {
                Addr::Tcp { port: p, bind, .. } if family_only(place, &s.addr) => {
                    let to = match bind {
                        Bind::Loop6 | Bind::Any6 => host_port("::1", *p),
                        _ => host_port("127.0.0.1", *p),
                    };
                    format!(
                        "proxy to `{to}`, where {name} listens, or make {name} bind `{}` ({})",
                        host_for(dest),
                        bind_hint(app, host_for(dest), *port)
                    )
                }
                Addr::Tcp { port: p, bind, .. } => {
                    // The host that reaches the app on every address nginx tries.
                    let to = match bind {
                        Bind::Loop4(a) => a.as_str(),
                        Bind::Loop6 | Bind::Any6 => "::1",
                        Bind::Any4 => "127.0.0.1",
                        Bind::AnyDual | Bind::Other(_) => host.as_str(),
                    };
                    format!(
                        "proxy to `{}`, where {name} listens, or make {name} listen on port {port}",
                        host_port(to, *p)
                    )
                }
                Addr::Unix(_) => String::new(),
            }
        }
        [] => format!(
            "start the program that should serve `{}`, or proxy to an address a program of the container listens on",
            place.shown()
        ),
        several => {
            let ports: Vec<String> = several
                .iter()
                .filter_map(|&c| {
                    let s = &w.sockets[c];
                    Some(format!("{} ({})", s.addr.port()?, who(s.app()?)))
                })
                .collect();
            format!(
                "proxy to the port of the app meant to serve it ({}), or make that app listen on port {port}",
                ports.join(", ")
            )
        }
    }
}
