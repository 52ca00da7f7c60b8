//! `upstream-protocol-mismatch`: nginx speaks one protocol to a socket and the app server
//! listening there speaks another (`uwsgi_pass` to uWSGI's `http-socket`, `proxy_pass` to
//! its `socket` or to PHP-FPM, `fastcgi_pass` to an HTTP server).

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::wiring::{Dispatch, Owner, Reach, Wiring, who};
use crate::lint::{Context, declare_rule};
use crate::model::{Protocol, Runtime, Target};

declare_rule! {
    /// ## What it does
    /// Checks that each nginx directive that sends requests to an app server of the
    /// container speaks the protocol the server listens with there: `proxy_pass` HTTP,
    /// `uwsgi_pass` uWSGI's binary protocol, `fastcgi_pass` FastCGI, `scgi_pass` SCGI,
    /// `grpc_pass` gRPC (HTTP/2). An upstream's servers speak what the directives that use
    /// the upstream speak.
    ///
    /// The servers' protocols: uWSGI's `socket`/`uwsgi-socket` speak uwsgi (or what its
    /// `protocol` option says), its `http-socket` and `http` router HTTP; PHP-FPM's pools
    /// FastCGI; gunicorn, uvicorn, hypercorn, daphne, Node and Python servers HTTP. Silent
    /// where gen does not know which socket a directive reaches, and for `grpc_pass` to an
    /// HTTP server (it may speak HTTP/2 without TLS: hypercorn does).
    ///
    /// ## Why is this bad?
    /// The server cannot read what nginx sends, and no request gets through. uWSGI's HTTP
    /// socket takes a uwsgi packet for the start of an HTTP request and waits for the rest:
    /// each request hangs until nginx's `uwsgi_read_timeout` (60 s) and then gets a 504.
    /// PHP-FPM closes a connection that does not start with a FastCGI record, uWSGI's uwsgi
    /// `socket` closes one that starts with an HTTP request line, and an HTTP server answers
    /// a FastCGI record with 400 or closes it: nginx logs "upstream prematurely closed
    /// connection" or "upstream sent invalid header" and answers 502 (`proxy_pass` to
    /// PHP-FPM and to uWSGI's `socket` are run for real in tests/integration).
    ///
    /// ## Example
    /// ```nginx
    /// location / { include uwsgi_params; uwsgi_pass 127.0.0.1:8000; }
    /// ```
    /// ```ini
    /// [uwsgi]
    /// http-socket = 127.0.0.1:8000
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [uwsgi]
    /// socket = 127.0.0.1:8000
    /// ```
    pub static UPSTREAM_PROTOCOL_MISMATCH = {
        code: "SOCK002",
        name: "upstream-protocol-mismatch",
        severity: Error,
        check: check,
    }
}

/// The protocol a target speaks: its directive's, or for an upstream's `server` the one
/// every directive using the upstream agrees on.
fn spoken(w: &Wiring<'_>, d: &Dispatch<'_>) -> Option<Protocol> {
    let Some(name) = &d.proxy.upstream else {
        return Protocol::of_directive(&d.proxy.kind);
    };
    let mut users = w.nginx.proxies.iter().filter(|p| {
        p.upstream.is_none() && matches!(&p.target, Target::Upstream { name: n } if n == name)
    });
    let first = Protocol::of_directive(&users.next()?.kind)?;
    users
        .all(|p| Protocol::of_directive(&p.kind) == Some(first))
        .then_some(first)
}

/// How the server is told to speak `protocol` at its address, for the help text.
fn server_hint(runtime: &Runtime, protocol: Protocol) -> Option<&'static str> {
    runtime.row()?.protocol_hint(protocol)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        for d in &w.dispatches {
            let Some(sent) = spoken(&w, d) else { continue };
            for &(i, reach) in &d.reaches {
                if reach == Reach::Maybe {
                    continue;
                }
                let s = &w.sockets[i];
                let Owner::App { app, listen } = s.owner else {
                    continue;
                };
                let heard = listen.protocol;
                // gRPC is HTTP/2: whether an HTTP server speaks it without TLS is not known.
                if heard == sent || (sent == Protocol::Grpc && heard == Protocol::Http) {
                    continue;
                }
                let name = who(app);
                let place = d.place.shown();
                let directive = d.proxy.upstream.as_ref().map_or_else(
                    || format!("`{}`", d.proxy.kind),
                    |u| format!("upstream `{u}`"),
                );
                let mut help = format!(
                    "send {} with `{}` to this address",
                    heard.name(),
                    heard.directive()
                );
                if let Some(h) = server_hint(&app.runtime, sent) {
                    help.push_str(&format!(
                        ", or make {name} speak {} here with {h}",
                        sent.name()
                    ));
                }
                let mut diag = UPSTREAM_PROTOCOL_MISMATCH
                    .diagnostic(
                        format!(
                            "nginx speaks {} to `{place}` with {directive}, but {name} speaks {} there",
                            sent.name(),
                            heard.name()
                        ),
                        w.target_label(d, format!("{} sent here", sent.name())),
                    )
                    .with_help(help);
                if let Some(l) = w.upstream_use_label(d) {
                    diag = diag.with_related(l);
                }
                for l in w.socket_labels(i, &format!("{name} speaks {} here", heard.name())) {
                    diag = diag.with_related(l);
                }
                out.push(diag);
            }
        }
    }
}
