//! `app-bound-to-all-interfaces`: an app behind nginx binds every interface of the
//! container instead of the loopback address nginx connects to.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text;
use crate::lint::ContainerDir;
use crate::lint::analysis::wiring::{Addr, Bind, Dest, Owner, Place, Wiring, bind_hint, who};
use crate::lint::{Context, declare_rule};
use crate::model::Resolved;
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks that an app nginx proxies to in its own container binds a loopback address
    /// (`127.0.0.1` or `::1`), not every interface.
    ///
    /// Every interface is `0.0.0.0` or `::`, as in uvicorn's `--host 0.0.0.0` or gunicorn's
    /// `--bind 0.0.0.0:8000`, and also gunicorn started with `PORT` set, aiohttp's
    /// `run_app` without a host, and Node's `app.listen(port)` without a host (which binds
    /// `::`, and IPv4 with it).
    ///
    /// An app counts as behind nginx when a proxy target of nginx reaches it, or when nginx
    /// proxies to a loopback port where nothing listens and this app is the one left over.
    ///
    /// ## Why is this bad?
    /// Bound to every interface, the app answers anyone who can reach the container's
    /// address (other containers on its network, the host, and the world when the port is
    /// published), around nginx: past its limits on body size and time, its access log, its
    /// TLS, and with forwarded headers (`X-Forwarded-For`) that the app trusts but anyone
    /// can now forge.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --host 0.0.0.0 --port 8000
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --host 127.0.0.1 --port 8000
    /// ```
    pub static APP_BOUND_TO_ALL_INTERFACES = {
        code: "NET001",
        name: "app-bound-to-all-interfaces",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let orphans = w.orphans();
        let missed = w
            .dispatches
            .iter()
            .find(|d| d.unreached() && !d.place.is_unix());
        for (i, s) in w.sockets.iter().enumerate() {
            let (Some(app), Addr::Tcp { bind, port, .. }) = (s.app(), &s.addr) else {
                continue;
            };
            if !bind.is_all_interfaces() {
                continue;
            }
            let by = w
                .dispatches
                .iter()
                .find(|d| d.reaches.iter().any(|(j, _)| *j == i));
            let (related, message) = match (by, missed) {
                (Some(d), _) => (d, "nginx proxies to it here"),
                (None, Some(d)) if orphans.contains(&i) => (d, "nginx connects over loopback"),
                _ => continue,
            };
            let name = who(app);
            let shown = s.addr.shown();
            let mut labels = w.host_labels(i, "binds every interface");
            if labels.is_empty() {
                continue;
            }
            let primary = labels.remove(0);
            let to = match &related.place {
                Place::Tcp { dest: Dest::V6, .. } => "::1",
                _ => "127.0.0.1",
            };
            let via_localhost = matches!(
                &related.place,
                Place::Tcp {
                    dest: Dest::Localhost,
                    ..
                }
            );
            let mut help = format!(
                "bind the loopback address nginx connects to: {}",
                bind_hint(app, to, *port)
            );
            if via_localhost {
                help.push_str(&format!(
                    ", and proxy to `{to}:{port}` instead of `localhost`"
                ));
            }
            let what = if *bind == Bind::Any4 {
                "every IPv4 interface"
            } else {
                "every interface"
            };
            let mut diag = APP_BOUND_TO_ALL_INTERFACES
                .diagnostic(
                    format!(
                        "{name} listens on {what} (`{shown}`), so clients can reach it around nginx"
                    ),
                    primary,
                )
                .with_help(help);
            for l in labels {
                diag = diag.with_related(l);
            }
            diag = diag.with_related(w.target_label(related, message));
            // Through `localhost` the bind alone would leave nginx's other address unserved.
            if !via_localhost {
                if let Owner::App { listen, .. } = &s.owner {
                    diag = diag.with_fix(listen.host.as_ref().and_then(|h| fix(dir, h, to)));
                }
            }
            out.push(diag);
        }
    }
}

/// The host written as the literal `host`, `host:port` or `[host]:port` (not through a
/// variable), replaced with `to`. Unsafe: a client other than nginx that reaches the app
/// directly (a probe, another container) stops reaching it.
fn fix(dir: &ContainerDir, host: &Resolved, to: &str) -> Option<Fix> {
    if !host.via.is_empty() {
        return None;
    }
    let (file, text, span) = text::local(dir, &host.origin)?;
    let written = text.get(span.start..span.end)?;
    let h = host.value.as_str();
    let bracketed = if to.contains(':') {
        format!("[{to}]")
    } else {
        to.to_owned()
    };
    let (len, new) = if written == h {
        (h.len(), to.to_owned())
    } else if written.starts_with(&format!("{h}:")) && !h.contains(':') {
        (h.len(), bracketed)
    } else if written.starts_with(&format!("[{h}]:")) {
        (h.len() + 2, bracketed)
    } else {
        return None;
    };
    let edit = Edit::replace(file, text, Span::new(span.start, span.start + len), new);
    Some(Fix::unsafe_(format!("bind `{to}`"), vec![edit]))
}
