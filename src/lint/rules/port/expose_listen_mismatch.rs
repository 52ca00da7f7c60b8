//! `expose-listen-mismatch`: the ports the image EXPOSEs, the spec gives and compose maps
//! against the ports nginx listens on.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::analysis::exposure::{self, Exposed};
use crate::lint::analysis::wiring::{Addr, Owner, Wiring};
use crate::lint::{Context, SpecFile, declare_rule};
use crate::model::Origin;
use crate::parse::span::Span;
use crate::spec::Container;

declare_rule! {
    /// ## What it does
    /// Checks that the ports nginx listens on are the ports the container publishes: its
    /// EXPOSE, the compose file's mappings, and with a spec, the spec's `nginx.port`.
    ///
    /// nginx's listeners on loopback do not count. In detail:
    ///
    /// - each port nginx listens on is EXPOSEd by the Dockerfile (or its base image), when
    ///   the image EXPOSEs any port at all;
    /// - each port the Dockerfile EXPOSEs has something listening on it (an EXPOSEd port of
    ///   an app is `app-port-exposed`'s business);
    /// - with a spec (`gen check` without paths), nginx listens on the spec's `nginx.port`;
    /// - the container ports that the compose file of the project maps for the container
    ///   (the service that builds it) are ports nginx listens on.
    ///
    /// Listeners of packaged default sites are left to the rules about leftover defaults;
    /// an EXPOSEd port is judged only when gen knows every program of the container.
    ///
    /// ## Why is this bad?
    /// EXPOSE is what `docker run -P`, compose readers and people go by to reach the
    /// container: a port nginx does not listen on gets "connection reset" or "empty reply
    /// from server" from Docker's proxy, and the port nginx does listen on is not
    /// published. A compose mapping to the wrong container port fails the same way.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    /// ```nginx
    /// server {
    ///     listen 80;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    pub static EXPOSE_LISTEN_MISMATCH = {
        code: "PORT003",
        name: "expose-listen-mismatch",
        severity: Error,
        check: check,
    }
}

/// nginx's listeners reachable from outside the container: port, origin, whether a
/// packaged default config sets it.
fn public_listens<'a>(w: &'a Wiring<'_>) -> Vec<(u16, &'a Origin, bool)> {
    let mut out: Vec<(u16, &Origin, bool)> = Vec::new();
    for s in &w.sockets {
        let (Owner::Nginx(l), Addr::Tcp { bind, port, .. }) = (&s.owner, &s.addr) else {
            continue;
        };
        if bind.is_loopback() || out.iter().any(|(p, _, _)| p == port) {
            continue;
        }
        out.push((
            *port,
            &l.origin,
            matches!(l.origin, Origin::Packaged { .. }),
        ));
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let listens = public_listens(&w);
        if dir.model.dockerfile.is_some() {
            if let Some(exposed) = exposure::exposed(&dir.model) {
                expose(&w, &listens, &exposed, out);
            }
        }
        if let (Some(spec), Some(c)) = (&ctx.spec, ctx.spec_container(dir)) {
            spec_side(spec, c, &w, &listens, out);
        }
    }
    compose_side(ctx, out);
}

/// An EXPOSEd port with no listener, and nginx's listener on it on loopback, if any.
struct Dead<'a> {
    exposed: &'a Exposed,
    origin: &'a Origin,
    loopback: Option<&'a Origin>,
}

/// The Dockerfile's EXPOSEd ports that nothing listens on (from outside the container),
/// when every program is known. An app's port is `app-port-exposed`'s.
fn dead<'a>(w: &'a Wiring<'_>, exposed: &'a [Exposed]) -> Vec<Dead<'a>> {
    if !w.complete {
        return Vec::new();
    }
    exposed
        .iter()
        .filter_map(|e| {
            let origin = e.origin.as_ref()?;
            let mut loopback = None;
            for s in &w.sockets {
                let Addr::Tcp { port, bind, .. } = &s.addr else {
                    continue;
                };
                if !e.contains(*port) {
                    continue;
                }
                match s.owner {
                    Owner::Nginx(l) if bind.is_loopback() => loopback = Some(&l.origin),
                    _ => return None,
                }
            }
            Some(Dead {
                exposed: e,
                origin,
                loopback,
            })
        })
        .collect()
}

/// nginx's listeners against EXPOSE: a listen port not EXPOSEd and an EXPOSEd port nothing
/// listens on are reported together when there is one of each, since the fix is one edit.
fn expose(
    w: &Wiring<'_>,
    listens: &[(u16, &Origin, bool)],
    exposed: &[Exposed],
    out: &mut Vec<Diagnostic>,
) {
    // An image that EXPOSEs nothing makes no claim to contradict.
    let missing: Vec<(u16, &Origin)> = if exposed.is_empty() {
        Vec::new()
    } else {
        listens
            .iter()
            .filter(|(port, _, packaged)| !packaged && !exposed.iter().any(|e| e.contains(*port)))
            .map(|(port, origin, _)| (*port, *origin))
            .collect()
    };
    let mut dead = dead(w, exposed);
    for (port, origin) in &missing {
        let pair = dead
            .iter()
            .position(|d| d.loopback.is_none())
            .map(|i| dead.remove(i));
        let diag = match pair {
            Some(d) => {
                let other = d.exposed.shown();
                EXPOSE_LISTEN_MISMATCH
                    .diagnostic(
                        format!(
                            "nginx listens on port {port}, but the image EXPOSEs {other} instead"
                        ),
                        w.dir.label_or(origin, "nginx.conf", "not EXPOSEd"),
                    )
                    .with_related(w.dir.label_or(
                        d.origin,
                        "Dockerfile",
                        format!("nothing listens on {other}"),
                    ))
                    .with_help(format!(
                        "EXPOSE {port} instead of {other}, or make nginx listen on {other}"
                    ))
            }
            None => {
                let mut diag = EXPOSE_LISTEN_MISMATCH
                    .diagnostic(
                        format!("nginx listens on port {port}, which the image does not EXPOSE"),
                        w.dir.label_or(origin, "nginx.conf", "not EXPOSEd"),
                    )
                    .with_help(format!(
                        "add `EXPOSE {port}` to the Dockerfile, so that `docker run -P` and the image's readers find nginx"
                    ));
                for e in exposed {
                    if let Some(o) = &e.origin {
                        diag = diag.with_related(w.dir.label_or(
                            o,
                            "Dockerfile",
                            format!("the Dockerfile EXPOSEs {}", e.shown()),
                        ));
                    }
                }
                diag
            }
        };
        out.push(diag);
    }
    for d in dead {
        let shown = d.exposed.shown();
        let diag = match d.loopback {
            Some(l) => EXPOSE_LISTEN_MISMATCH
                .diagnostic(
                    format!(
                        "the image EXPOSEs port {shown}, where nginx listens on loopback only, out of reach from outside the container"
                    ),
                    w.dir.label_or(d.origin, "Dockerfile", "reaches nothing"),
                )
                .with_related(w.dir.label_or(l, "nginx.conf", "loopback only"))
                .with_help(format!(
                    "remove {shown} from EXPOSE if the port is for the container itself, or make nginx listen on it on every interface"
                )),
            None => {
                let mut diag = EXPOSE_LISTEN_MISMATCH
                    .diagnostic(
                        format!("the image EXPOSEs port {shown}, where nothing in the container listens"),
                        w.dir.label_or(d.origin, "Dockerfile", "nothing listens here"),
                    )
                    .with_help(format!(
                        "remove {shown} from EXPOSE, or make nginx listen on it"
                    ));
                for (port, origin, _) in listens {
                    diag = diag.with_related(w.dir.label_or(
                        origin,
                        "nginx.conf",
                        format!("nginx listens on port {port}"),
                    ));
                }
                diag
            }
        };
        out.push(diag);
    }
}

/// The span of the value of a `key = value` line that starts at `at`.
fn value_span(line: &str, at: usize) -> Option<(String, Span)> {
    let (key, value) = line.split_once('=')?;
    let value = value.split('#').next().unwrap_or(value);
    let begin = at + key.len() + 1 + (value.len() - value.trim_start().len());
    Some((
        key.trim().to_owned(),
        Span::new(begin, begin + value.trim().len()),
    ))
}

/// Where the spec sets container `c`'s nginx port (`port` under `[container.nginx]`, or
/// `nginx.port`), and `true`; else its `name` (or its header) and `false`.
fn spec_port_span(spec: &SpecFile, c: &Container) -> (Span, bool) {
    let text = &spec.text;
    let start = c.span.start.min(text.len());
    let mut fallback = Span::new(start, c.span.end.clamp(start, text.len()));
    let mut table = "";
    let mut offset = start;
    for (n, line) in text[start..].split_inclusive('\n').enumerate() {
        let at = offset;
        offset += line.len();
        let t = line.trim();
        if n == 0 {
            continue;
        }
        if t.starts_with('[') {
            match t {
                "[container.nginx]" => table = "nginx",
                _ if t.starts_with("[container.") => table = "other",
                _ => break,
            }
            continue;
        }
        let Some((key, span)) = value_span(line, at) else {
            continue;
        };
        match (table, key.as_str()) {
            ("nginx", "port") | ("", "nginx.port") => return (span, true),
            ("", "name") => fallback = span,
            _ => {}
        }
    }
    (fallback, false)
}

/// nginx against the spec's port.
fn spec_side(
    spec: &SpecFile,
    c: &Container,
    w: &Wiring<'_>,
    listens: &[(u16, &Origin, bool)],
    out: &mut Vec<Diagnostic>,
) {
    let Some((_, first, _)) = listens.first() else {
        return;
    };
    let want = c.nginx.port;
    let ports: Vec<u16> = listens.iter().map(|(p, ..)| *p).collect();
    if !ports.contains(&want) {
        let (span, written) = spec_port_span(spec, c);
        let note = if written {
            format!("the spec gives nginx port {want}")
        } else {
            format!("`{}` has nginx's default port {want}", c.name)
        };
        out.push(
            EXPOSE_LISTEN_MISMATCH
                .diagnostic(
                    format!(
                        "nginx listens on port {}, but the spec gives `{}` nginx port {want}",
                        ports[0], c.name
                    ),
                    w.dir.label_or(first, "nginx.conf", format!("not {want}")),
                )
                .with_related(Label::new(&spec.path, &spec.text, span, note))
                .with_help(format!(
                    "run `gen build` to write nginx's config from the spec again, or set `port = {}` under `[container.nginx]`",
                    ports[0]
                )),
        );
    }
}

/// nginx against the container ports the compose files map for it.
fn compose_side(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            let Some(w) = Wiring::of(dir) else { continue };
            let listens = public_listens(&w);
            let Some((_, first, _)) = listens.first() else {
                continue;
            };
            let ports: Vec<u16> = listens.iter().map(|(p, ..)| *p).collect();
            let app_ports: Vec<u16> = w
                .sockets
                .iter()
                .filter(|s| s.app().is_some())
                .filter_map(|s| s.addr.port())
                .collect();
            for m in exposure::mapped(s) {
                // A mapping to the app's own port is `app-port-exposed`'s.
                if ports.contains(&m.port) || app_ports.contains(&m.port) {
                    continue;
                }
                let help = if project.generated {
                    format!(
                        "map nginx's port {}, or run `gen build` to write the compose file from the spec again",
                        ports[0]
                    )
                } else {
                    format!("map nginx's port {}", ports[0])
                };
                out.push(
                    EXPOSE_LISTEN_MISMATCH
                        .diagnostic(
                            format!(
                                "the compose file maps container port {} of `{}`, where nginx does not listen",
                                m.port, s.name.value
                            ),
                            project.label(m.loc, "nothing listens here"),
                        )
                        .with_related(w.dir.label_or(
                            first,
                            "nginx.conf",
                            format!("nginx listens on port {}", ports[0]),
                        ))
                        .with_help(help),
                );
            }
        }
    }
}
