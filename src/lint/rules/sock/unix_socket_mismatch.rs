//! `unix-socket-mismatch`: nginx and an app disagree about a Unix socket (its path, or
//! whether there is one), or the socket's directory is not in the image.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::wiring::{
    Addr, MissKind, Owner, Place, Wiring, host_port, listen_hint, who,
};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::path::parent;
use crate::model::runtime::uds_hint;
use crate::model::{Origin, Presence};
use crate::parse::dockerfile::Kind;

declare_rule! {
    /// ## What it does
    /// Checks that nginx and the apps of its container agree on their Unix sockets, and
    /// that each socket's directory is in the image.
    ///
    /// In detail:
    ///
    /// - nginx proxies to `unix:PATH` while the app left over listens on another path
    ///   (`uvicorn --uds`, `gunicorn --bind unix:`, `listen(path)` in Node);
    /// - nginx proxies to a socket while the app listens on a TCP port, or the reverse;
    /// - the directory a socket is created in is not in the image (nothing in the
    ///   Dockerfile makes it, the base image does not have it, no command makes it before
    ///   the app starts).
    ///
    /// The first two are judged only when gen knows every program of the container and
    /// where each listens.
    ///
    /// ## Why is this bad?
    /// With the paths apart, nginx's `connect()` to the socket fails with "No such file or
    /// directory" and every request is a 502. Without the directory, the app cannot create
    /// its socket and exits at start (`[Errno 2] No such file or directory`), and
    /// supervisord gives up on it after a few retries.
    ///
    /// ## Example
    /// ```nginx
    /// proxy_pass http://unix:/run/app/app.sock:;
    /// ```
    /// ```ini
    /// [program:app]
    /// command=gunicorn main:app --bind unix:/run/gunicorn.sock
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// proxy_pass http://unix:/run/gunicorn.sock:;
    /// ```
    pub static UNIX_SOCKET_MISMATCH = {
        code: "SOCK001",
        name: "unix-socket-mismatch",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        mismatches(&w, out);
        directories(dir, &w, out);
    }
}

/// How nginx's directive would write a target of this socket.
fn target_text(kind: &str, path: &str) -> String {
    if kind == "proxy_pass" {
        format!("http://unix:{path}:")
    } else {
        format!("unix:{path}")
    }
}

fn mismatches(w: &Wiring<'_>, out: &mut Vec<Diagnostic>) {
    let misses: Vec<_> = w
        .misses()
        .into_iter()
        .filter(|m| m.kind != MissKind::NoListener)
        .collect();
    let mut done: Vec<&Place> = Vec::new();
    for (n, miss) in misses.iter().enumerate() {
        let d = &w.dispatches[miss.dispatch];
        if done.contains(&&d.place) {
            continue;
        }
        done.push(&d.place);
        let Some(&c) = miss.candidates.first() else {
            continue;
        };
        let s = &w.sockets[c];
        let Some(app) = s.app() else { continue };
        let name = who(app);
        let kind = d.proxy.kind.as_str();
        let (message, note, related, help) = match (&d.place, &s.addr) {
            (Place::Unix(want), Addr::Unix(have)) => (
                format!("nginx proxies to the socket `{want}`, but {name} listens on `{have}`"),
                "no socket here".to_owned(),
                format!("{name} creates its socket here"),
                format!(
                    "use one path in both: proxy to `{}`, or make {name} listen there with {}",
                    target_text(kind, have),
                    uds_hint(app, want)
                ),
            ),
            (Place::Unix(want), Addr::Tcp { host, port, .. }) => (
                format!(
                    "nginx proxies to the socket `{want}`, but {name} listens on TCP port {port}, not on a socket"
                ),
                "a Unix socket".to_owned(),
                format!("{name} listens on port {port}"),
                format!(
                    "proxy to `{}`, or make {name} listen on the socket with {}",
                    if kind == "proxy_pass" {
                        format!("http://{}", host_port(local(host), *port))
                    } else {
                        host_port(local(host), *port)
                    },
                    uds_hint(app, want)
                ),
            ),
            (Place::Tcp { host, port, .. }, Addr::Unix(have)) => (
                format!(
                    "nginx proxies to TCP port {port}, but {name} listens on the socket `{have}`"
                ),
                "a TCP address".to_owned(),
                format!("{name} creates its socket here"),
                format!(
                    "proxy to `{}`, or make {name} listen on port {port} with {}",
                    target_text(kind, have),
                    listen_hint(app, local(host), *port)
                ),
            ),
            (Place::Tcp { .. }, Addr::Tcp { .. }) => continue,
        };
        let mut diag = UNIX_SOCKET_MISMATCH
            .diagnostic(message, w.target_label(d, note))
            .with_help(help);
        if let Some(l) = w.upstream_use_label(d) {
            diag = diag.with_related(l);
        }
        for other in misses.iter().skip(n + 1) {
            let o = &w.dispatches[other.dispatch];
            if o.place == d.place {
                diag = diag.with_related(w.target_label(o, "also proxies here"));
            }
        }
        for l in w.socket_labels(c, &related) {
            diag = diag.with_related(l);
        }
        out.push(diag);
    }
}

/// The loopback host to proxy to for an app bound to `host`.
fn local(host: &str) -> &str {
    match host.trim_start_matches('[').trim_end_matches(']') {
        "::1" => "::1",
        h if h.starts_with("127.") => h,
        _ => "127.0.0.1",
    }
}

/// Directories every image has, or that the runtime makes.
const STANDARD_DIRS: [&str; 24] = [
    "/",
    "/tmp",
    "/var/tmp",
    "/run",
    "/var/run",
    "/run/lock",
    "/var/lock",
    "/dev",
    "/dev/shm",
    "/var",
    "/var/lib",
    "/var/log",
    "/var/cache",
    "/var/spool",
    "/srv",
    "/opt",
    "/home",
    "/root",
    "/etc",
    "/usr",
    "/usr/local",
    "/usr/src",
    "/mnt",
    "/media",
];

/// Whether gen can say the directory is not in the image, and the RUN that removes it if
/// one does. `None` when it is there or may be.
fn absent<'a>(dir: &'a ContainerDir, path: &str) -> Option<Option<&'a Origin>> {
    let m = &dir.model;
    let df = m.dockerfile.as_ref()?;
    m.packaging.as_ref()?;
    let d = parent(path);
    match m.image.presence(d) {
        Presence::Present(_) | Presence::Dir => return None,
        Presence::Removed(o) => return Some(Some(o)),
        Presence::Unknown => {}
    }
    if STANDARD_DIRS.contains(&d) {
        return None;
    }
    let named = |text: &str| text.contains(d);
    // A RUN the model could not follow, a VOLUME, or a WORKDIR may make it.
    let made_in_image = df.parsed.instructions.iter().any(|ins| match &ins.kind {
        Kind::Volume(words) => words
            .iter()
            .any(|w| named(&w.value) || d.starts_with(&w.value)),
        Kind::Workdir(wd) => wd.path.starts_with(d),
        _ => ins.keyword == "RUN" && named(&ins.args_text),
    });
    if made_in_image {
        return None;
    }
    // A package's runtime directory (`/run/php` of `php8.2-fpm`).
    let base = d.rsplit('/').next().unwrap_or(d);
    if m.packages.iter().any(|p| p.value.starts_with(base)) {
        return None;
    }
    // A command run before the app (an entrypoint script's `mkdir -p`, a program's `sh -c`).
    let mut argvs = vec![m.argv.clone()];
    if let Some(s) = &m.supervisor {
        argvs.extend(s.programs.iter().map(crate::model::ProgramFacts::argv));
    }
    let made_at_start = argvs.iter().any(|argv| {
        m.commands(argv, &m.workdir.value).iter().any(|cmd| {
            cmd.first()
                .is_some_and(|w| matches!(w.value.rsplit('/').next(), Some("mkdir" | "install")))
                && cmd.iter().any(|w| named(&w.value))
        })
    });
    (!made_at_start).then_some(None)
}

fn directories(dir: &ContainerDir, w: &Wiring<'_>, out: &mut Vec<Diagnostic>) {
    let mut done: Vec<&str> = Vec::new();
    for (i, s) in w.sockets.iter().enumerate() {
        let Addr::Unix(path) = &s.addr else { continue };
        let d = parent(path);
        if done.contains(&d) {
            continue;
        }
        let Some(removed) = absent(dir, path) else {
            continue;
        };
        done.push(d);
        let name = match s.owner {
            Owner::App { app, .. } => who(app),
            Owner::Nginx(_) => "nginx".to_owned(),
        };
        let mut labels = w.socket_labels(i, &format!("`{d}` does not exist"));
        if labels.is_empty() {
            continue;
        }
        let primary = labels.remove(0);
        let mut diag = UNIX_SOCKET_MISMATCH
            .diagnostic(
                format!(
                    "{name} listens on the socket `{path}`, but the image has no directory `{d}`"
                ),
                primary,
            )
            .with_help(format!(
                "make it in the Dockerfile (`RUN mkdir -p {d}`, owned by the user {name} runs as), or put the socket in a directory that exists, such as `/run` or `/tmp`"
            ));
        for l in labels {
            diag = diag.with_related(l);
        }
        if let Some(o) = removed {
            diag = diag.with_related(dir.label_or(o, "Dockerfile", "removed here"));
        }
        out.push(diag);
    }
}
