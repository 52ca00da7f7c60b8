//! `packaged-default-site-answers`: a default site the nginx package installed is still
//! enabled and takes the requests meant for the user's server.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::{ListenAddr, Listener, Nginx, Source};

declare_rule! {
    /// ## What it does
    /// Checks that no default site of the nginx package (Debian's and Ubuntu's
    /// `sites-enabled/default`, Alpine's `http.d/default.conf`, the nginx image's
    /// `conf.d/default.conf`) is the default server of a port on which a server of yours
    /// listens without a `server_name` that clients use.
    ///
    /// nginx sends a request whose `Host` matches no `server_name` to the port's default
    /// server: the one with `default_server`, else the first one read. Yours is judged only
    /// when it names no host (no `server_name`, or `_`, or `""`), so that no request can
    /// reach it by name.
    ///
    /// ## Why is this bad?
    /// The app is never reached: every request gets the package's welcome page (Debian,
    /// nginx.org) or a 404 (Alpine), and nginx starts without a word.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y nginx
    /// COPY app.conf /etc/nginx/conf.d/app.conf    # server { listen 80; ... }
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y nginx \
    ///     && rm /etc/nginx/sites-enabled/default
    /// ```
    pub static PACKAGED_DEFAULT_SITE_ANSWERS = {
        code: "NGX015",
        name: "packaged-default-site-answers",
        severity: Error,
        check: check,
    }
}

/// A listener's address as nginx groups them: `None` for all addresses.
fn key(l: &Listener) -> Option<(Option<String>, u16)> {
    match &l.addr {
        ListenAddr::Tcp { host, port } => {
            let host = host
                .as_deref()
                .filter(|h| *h != "0.0.0.0")
                .map(str::to_owned);
            Some((host, *port))
        }
        _ => None,
    }
}

/// Whether the server of `l` names no host a client can send.
fn nameless(n: &Nginx, server: usize) -> bool {
    n.children(Some(server))
        .filter(|(_, d)| d.name == "server_name")
        .flat_map(|(_, d)| d.args.iter())
        .all(|a| a.value.is_empty() || a.value == "_")
}

/// The path of the packaged file a server is written in, as the `include` read it (the
/// symlink `sites-enabled/default`, not its target): the file to remove.
fn packaged(n: &Nginx, server: usize) -> Option<String> {
    let source = &n.directives.get(server)?.source;
    match source {
        Source::Packaged { path, .. } => Some(
            n.files
                .iter()
                .find(|f| &f.source == source)
                .map_or_else(|| path.clone(), |f| f.path.clone()),
        ),
        Source::Local(_) => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let Some(n) = &c.model.nginx else { continue };
        // A listener in a file gen could not read may be the default: not judged.
        if !n.unknown_files.is_empty() || n.loose {
            continue;
        }
        let mut said = Vec::new();
        for l in &n.listeners {
            let Some(k) = key(l) else { continue };
            if l.default_server || packaged(n, l.server).is_some() || !nameless(n, l.server) {
                continue;
            }
            let same: Vec<&Listener> = n
                .listeners
                .iter()
                .filter(|o| key(o) == Some(k.clone()))
                .collect();
            let default = same
                .iter()
                .find(|o| o.default_server)
                .or_else(|| same.first())
                .copied();
            let Some(d) = default else { continue };
            let Some(path) = packaged(n, d.server) else {
                continue;
            };
            if said.contains(&(l.server, k.1)) {
                continue;
            }
            said.push((l.server, k.1));
            let Some(primary) = c.label(
                &l.origin,
                format!(
                    "this server listens on port {} without a name clients use",
                    k.1
                ),
            ) else {
                continue;
            };
            let mut diag = PACKAGED_DEFAULT_SITE_ANSWERS
                .diagnostic(
                    format!("the packaged default site `{path}` answers on port {}, not this server", k.1),
                    primary,
                )
                .with_help(format!(
                    "remove the packaged site in the Dockerfile (`rm {path}` in the RUN that installs nginx), or give this server the `server_name` clients send"
                ));
            if let Some(r) = c.label(&d.origin, "the default server of the port") {
                diag.related.push(r);
            }
            out.push(diag);
        }
    }
}
