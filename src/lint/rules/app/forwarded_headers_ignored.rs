//! `forwarded-headers-ignored`: nginx sends `X-Forwarded-For`/`X-Forwarded-Proto`, but the
//! app does not believe them.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text;
use crate::lint::analysis::app::{Peer, Route, ips_trust, routes};
use crate::lint::analysis::nginx::{effective, header};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::runtime::Server;
use crate::model::{App, Nginx, Origin, Source};

declare_rule! {
    /// ## What it does
    /// Checks that an app behind nginx believes the `X-Forwarded-For` and
    /// `X-Forwarded-Proto` headers nginx sends it.
    ///
    /// What counts is how nginx connects to the app: Express needs
    /// `app.set('trust proxy', ...)` covering nginx (over a unix socket only `true` or a
    /// hop count do, since there is no address to match); uvicorn needs proxy headers on
    /// (its default) and `--forwarded-allow-ips` covering nginx's address, which its
    /// default `127.0.0.1,::1` (since uvicorn 0.53; `127.0.0.1` before) does not when
    /// nginx connects from the network or over a unix socket (then only `*` does);
    /// gunicorn likewise (same default; its sync workers trust a unix socket, its uvicorn
    /// workers do not).
    ///
    /// Only routes where nginx sets one of the headers are checked; a value gen cannot
    /// resolve is not reported.
    ///
    /// ## Why is this bad?
    /// The app takes nginx for the client: every request comes from 127.0.0.1 (logs, rate
    /// limits and allow-lists see one client) over plain `http`, so redirects and absolute
    /// URLs lose `https` (FastAPI's `url_for`, Express's `req.protocol`, secure cookies that
    /// are never set).
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --uds /run/app.sock
    /// ```
    /// with `proxy_pass http://unix:/run/app.sock;` and `X-Forwarded-Proto` set in nginx.
    ///
    /// Use instead:
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --uds /run/app.sock --forwarded-allow-ips='*'
    /// ```
    pub static FORWARDED_HEADERS_IGNORED = {
        code: "APP001",
        name: "forwarded-headers-ignored",
        severity: Warning,
        check: check,
    }
}

/// What the app gets wrong about nginx.
enum Fault {
    /// Express without `trust proxy`.
    ExpressUntrusted { express: Origin },
    /// Express's `trust proxy` does not cover nginx.
    ExpressNotCovering { value: String, origin: Origin },
    /// uvicorn with proxy headers off.
    NoProxyHeaders { origin: Origin },
    /// `--forwarded-allow-ips` does not cover nginx.
    NotAllowed { value: String, origin: Origin },
}

/// Whether Express's `trust proxy` value trusts `peer`: `None` when gen cannot tell.
fn express_trusts(value: &str, peer: Peer) -> Option<bool> {
    let v = value.trim().trim_matches(['\'', '"']).to_ascii_lowercase();
    match v.as_str() {
        "true" => return Some(true),
        "false" => return Some(false),
        _ => {}
    }
    if let Ok(hops) = v.parse::<u32>() {
        return Some(hops >= 1);
    }
    let items: Vec<&str> = v.split(',').map(str::trim).collect();
    let loopback = |i: &&str| {
        *i == "loopback"
            || i.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
            || matches!(*i, "127.0.0.1/8" | "127.0.0.0/8" | "::1/128")
    };
    match peer {
        // No remote address: proxy-addr trusts nothing by address.
        Peer::Unix => Some(false),
        Peer::Loopback4 | Peer::Loopback6 => {
            if items.iter().any(loopback) {
                return Some(true);
            }
            let list: Vec<&str> = items
                .iter()
                .copied()
                .filter(|i| !matches!(*i, "linklocal" | "uniquelocal"))
                .collect();
            ips_trust(&list.join(","), peer)
        }
        Peer::Network => items.iter().all(loopback).then_some(false),
    }
}

fn fault(app: &App, peer: Peer) -> Option<Fault> {
    match app.runtime.server() {
        Some(Server::Node) => {
            let src = app.source.as_ref()?;
            let express = src.source.express?;
            let file = Source::Local(src.file.clone());
            match (&src.source.trust_proxy, &app.trust_proxy) {
                (None, _) => Some(Fault::ExpressUntrusted {
                    express: file.origin(express),
                }),
                // Set to something gen cannot evaluate.
                (Some(_), None) => None,
                (Some(_), Some(v)) => (express_trusts(&v.value, peer) == Some(false)).then(|| {
                    Fault::ExpressNotCovering {
                        value: v.value.clone(),
                        origin: v.origin.clone(),
                    }
                }),
            }
        }
        Some(Server::Uvicorn | Server::Gunicorn) => {
            let uvicorn_worker = app
                .worker_class
                .as_ref()
                .is_some_and(|w| w.value.to_ascii_lowercase().contains("uvicorn"));
            let uvicorn = app.runtime == Server::Uvicorn || uvicorn_worker;
            if uvicorn {
                if let Some(ph) = &app.proxy_headers {
                    if ph.value.eq_ignore_ascii_case("false") {
                        return Some(Fault::NoProxyHeaders {
                            origin: ph.origin.clone(),
                        });
                    }
                }
            } else if peer == Peer::Unix {
                // gunicorn's own workers trust a unix socket's peer.
                return None;
            }
            let fai = app.forwarded_allow_ips.as_ref()?;
            if fai.value.contains('$') {
                return None;
            }
            (ips_trust(&fai.value, peer) == Some(false)).then(|| Fault::NotAllowed {
                value: fai.value.clone(),
                origin: fai.origin.clone(),
            })
        }
        _ => None,
    }
}

fn server_name(app: &App) -> &'static str {
    app.runtime
        .row()
        .and_then(|r| r.proxy_trust)
        .unwrap_or("uvicorn")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let Some(n) = &c.model.nginx else { continue };
        for app in &c.model.apps {
            for route in routes(n, app) {
                let Some(peer) = Peer::of(route.endpoint) else {
                    continue;
                };
                let Some(set) = forwarded(n, &route) else {
                    continue;
                };
                let Some(f) = fault(app, peer) else { continue };
                if let Some(d) = diagnostic(c, n, app, &route, peer, set, f) {
                    out.push(d);
                    // One finding per app: the fix is the same for every route.
                    break;
                }
            }
        }
    }
}

/// The `X-Forwarded-For` or `X-Forwarded-Proto` line in effect for a route's location.
fn forwarded(n: &Nginx, route: &Route<'_>) -> Option<usize> {
    let e = effective(n, route.proxy.directive, "proxy_set_header")?;
    ["X-Forwarded-For", "X-Forwarded-Proto"]
        .iter()
        .find_map(|h| {
            header(n, &e.set, h)
                .filter(|(_, d)| d.arg(1).is_some_and(|v| !v.is_empty()))
                .map(|(k, _)| k)
        })
}

fn diagnostic(
    c: &ContainerDir,
    n: &Nginx,
    app: &App,
    route: &Route<'_>,
    peer: Peer,
    set: usize,
    f: Fault,
) -> Option<Diagnostic> {
    let server = server_name(app);
    let fix = match &f {
        Fault::NotAllowed { value, origin } => allow_fix(c, app, route, peer, value, origin),
        _ => None,
    };
    let (message, primary, note, help) = match f {
        Fault::ExpressUntrusted { express } => (
            "the Express app ignores the `X-Forwarded-*` headers nginx sends: `trust proxy` is not set"
                .to_owned(),
            express,
            "an Express app without `trust proxy`".to_owned(),
            express_help(peer),
        ),
        Fault::ExpressNotCovering { value, origin } => (
            format!(
                "the Express app's `trust proxy` (`{value}`) does not trust nginx, which connects {}",
                peer.describe()
            ),
            origin,
            "does not cover nginx".to_owned(),
            express_help(peer),
        ),
        Fault::NoProxyHeaders { origin } => (
            "uvicorn ignores the `X-Forwarded-*` headers nginx sends: proxy headers are off"
                .to_owned(),
            origin,
            "proxy headers turned off here".to_owned(),
            "turn proxy headers back on (drop `--no-proxy-headers`, or pass `proxy_headers=True`)"
                .to_owned(),
        ),
        Fault::NotAllowed { value, origin } => (
            format!(
                "{server} ignores the `X-Forwarded-*` headers nginx sends {}: it trusts only `{value}`",
                peer.describe()
            ),
            origin,
            format!("`{value}` does not cover nginx"),
            match peer {
                Peer::Unix => "add `--forwarded-allow-ips='*'`: only processes in the container can reach the socket".to_owned(),
                Peer::Loopback6 => "add `::1`, e.g. `--forwarded-allow-ips=127.0.0.1,::1`, or proxy to `127.0.0.1`".to_owned(),
                _ => "add nginx's address to `--forwarded-allow-ips` (or `*` when only nginx can reach the app)".to_owned(),
            },
        ),
    };
    // A default has no place of its own: point at where the app listens.
    let label = c.label(&primary, note.clone()).or_else(|| {
        c.label(
            &route.listen.origin,
            format!("{server} listens here; {note}"),
        )
    })?;
    let mut d = FORWARDED_HEADERS_IGNORED
        .diagnostic(message, label)
        .with_help(help);
    if let Some(l) = c.label(
        &route.endpoint.origin,
        format!("nginx connects {}", peer.describe()),
    ) {
        d = d.with_related(l);
    }
    let h = &n.directives[set];
    if let Some(l) = c.label(
        &h.origin(),
        format!("nginx sets `{}` here", h.arg(0).unwrap_or("")),
    ) {
        d = d.with_related(l);
    }
    Some(d.with_fix(fix))
}

/// `--forwarded-allow-ips` that covers nginx, as the help gives it: over the value written
/// (it must read as gen read it), or after the listen option of a supervisord command where
/// no quote is open (`'*'` inside a quoted `sh -c` would need other quoting).
fn allow_fix(
    c: &ContainerDir,
    app: &App,
    route: &Route<'_>,
    peer: Peer,
    value: &str,
    origin: &Origin,
) -> Option<Fix> {
    if !matches!(
        app.runtime.server(),
        Some(Server::Gunicorn | Server::Uvicorn)
    ) {
        return None;
    }
    let new = match peer {
        Peer::Unix => "*".to_owned(),
        Peer::Loopback6 => format!("{value},::1"),
        Peer::Loopback4 | Peer::Network => return None,
    };
    let edit = match origin {
        Origin::File { .. } => {
            let (file, text, span) = text::local(c, origin)?;
            if text.get(span.start..span.end)? != value {
                return None;
            }
            Edit::replace(file, text, span, new.clone())
        }
        Origin::Default { .. } => {
            let (file, text, span) = text::local(c, &route.listen.origin)?;
            let before = text.get(text::line_start(text, span.start)..span.start)?;
            let after = text.get(span.end..)?.chars().next();
            let plain = before.trim_start().starts_with("command")
                && !before.contains(['\'', '"'])
                && after.is_none_or(char::is_whitespace);
            if !file.ends_with(".conf") || !plain {
                return None;
            }
            Edit::insert(
                file,
                text,
                span.end,
                format!(" --forwarded-allow-ips='{new}'"),
            )
        }
        Origin::Packaged { .. } | Origin::Assumed { .. } => return None,
    };
    Some(Fix::safe(
        format!("trust nginx with `--forwarded-allow-ips='{new}'`"),
        vec![edit],
    ))
}

fn express_help(peer: Peer) -> String {
    let value = if peer == Peer::Unix {
        "1"
    } else {
        "'loopback'"
    };
    format!(
        "add `app.set('trust proxy', {value});` so `req.ip`, `req.protocol` and `req.hostname` come from nginx's headers"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_trusts_table() {
        let cases = [
            ("true", Peer::Unix, Some(true)),
            ("1", Peer::Unix, Some(true)),
            ("0", Peer::Loopback4, Some(false)),
            ("loopback", Peer::Loopback4, Some(true)),
            ("loopback", Peer::Loopback6, Some(true)),
            ("loopback", Peer::Unix, Some(false)),
            ("'127.0.0.1'", Peer::Loopback4, Some(true)),
            ("10.0.0.0/8", Peer::Loopback4, Some(false)),
            ("uniquelocal", Peer::Network, None),
            ("loopback", Peer::Network, Some(false)),
            ("false", Peer::Loopback4, Some(false)),
        ];
        for (value, peer, want) in cases {
            assert_eq!(express_trusts(value, peer), want, "{value} {peer:?}");
        }
    }
}
