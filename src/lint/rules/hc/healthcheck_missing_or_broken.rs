//! `healthcheck-missing-or-broken`: the image has no `HEALTHCHECK`, or one that cannot
//! pass: its probe tool is not in the image, or it probes a port nginx does not listen on.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::analysis::image::name_and_tag;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::{ListenAddr, Model, Origin, Presence, script_span};
use crate::parse::dockerfile::{Form, Healthcheck, Instruction, Kind};
use crate::parse::shell;
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks that the image has a `HEALTHCHECK` that can pass.
    ///
    /// An image opts out with `HEALTHCHECK NONE`. A `curl` or `wget` probe can pass when
    /// the tool is in the image (Debian and Ubuntu images have neither unless a RUN
    /// installs it; Alpine has busybox's `wget` but no `curl`) and the URL's port is one
    /// nginx listens on.
    ///
    /// A probe of a port where the app listens, not nginx, is reported too: it passes while
    /// nginx is down. Images whose base gen does not know are not checked for a missing
    /// `HEALTHCHECK` (theirs may have one), nor for missing tools. A compose service's own
    /// `healthcheck:` that runs `curl` or `wget` is checked against the image it builds the
    /// same way; an image every compose service that builds it gives a `healthcheck:` of
    /// its own (or turns it off) is not reported for lacking a `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Without a health check, Docker, compose (`depends_on: condition: service_healthy`)
    /// and orchestrators see a container whose app has crashed as running: supervisord
    /// keeps PID 1 alive while nginx answers 502. A check that cannot pass is worse: the
    /// container is `unhealthy` from the start, and whatever restarts unhealthy containers
    /// restarts it forever (`exec: "curl": executable file not found in $PATH`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y nginx supervisor
    /// HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
    /// ```
    /// with nginx listening on 80.
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y nginx supervisor curl
    /// HEALTHCHECK CMD curl -fsS -o /dev/null http://127.0.0.1:80/ || exit 1
    /// ```
    pub static HEALTHCHECK_MISSING_OR_BROKEN = {
        code: "HC001",
        name: "healthcheck-missing-or-broken",
        severity: Warning,
        check: check,
    }
}

/// What a base image is known to have of `curl` and `wget`: `None` when gen does not know
/// the image.
fn base_tools(image: &str) -> Option<&'static [&'static str]> {
    let (name, tag) = name_and_tag(image)?;
    let tag = tag.to_ascii_lowercase();
    match name {
        "ubuntu" | "debian" => Some(&[]),
        "alpine" => Some(&["wget"]),
        "python" | "node" if tag.contains("alpine") => Some(&["wget"]),
        "python" | "node" if tag.contains("slim") => Some(&[]),
        _ => None,
    }
}

/// One `curl`/`wget` invocation of the health check: the tool, its URL, and where each is.
struct Probe {
    tool: String,
    tool_span: Span,
    url: Option<(String, Span)>,
}

/// The probes of a health check command, each word placed in the Dockerfile.
fn probes(text: &str, ins: &Instruction, form: &Form) -> Vec<Probe> {
    // (command words with their spans in the file)
    let mut commands: Vec<Vec<(String, Span)>> = Vec::new();
    match form {
        Form::Exec(argv) => {
            let words: Vec<(String, Span)> = argv
                .iter()
                .zip(&ins.words)
                .map(|(a, w)| (a.clone(), w.span))
                .collect();
            match words.as_slice() {
                [(sh, _), (c, _), (script, span), ..]
                    if matches!(base(sh), "sh" | "bash" | "ash") && c == "-c" =>
                {
                    for cmd in shell::simple_commands(script) {
                        commands.push(cmd.into_iter().map(|w| (w.value, *span)).collect());
                    }
                }
                _ => commands.push(words),
            }
        }
        Form::Shell(script) => {
            let offset = ins.args_text.len().saturating_sub(script.len());
            for cmd in shell::simple_commands(script) {
                commands.push(
                    cmd.into_iter()
                        .map(|w| {
                            let range = w.range.start + offset..w.range.end + offset;
                            let span = script_span(text, ins.args_span, &ins.args_text, range);
                            (w.value, span)
                        })
                        .collect(),
                );
            }
        }
    }
    commands
        .into_iter()
        .filter_map(|cmd| {
            let (first, span) = cmd.first()?;
            let tool = base(first);
            if tool != "curl" && tool != "wget" {
                return None;
            }
            let url = cmd.iter().skip(1).find(|(w, _)| {
                !w.starts_with('-')
                    && (w.contains("://")
                        || ["localhost", "127.", "[::1]", "0.0.0.0"]
                            .iter()
                            .any(|p| w.starts_with(p)))
            });
            Some(Probe {
                tool: tool.to_owned(),
                tool_span: *span,
                url: url.cloned(),
            })
        })
        .collect()
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The port a probe URL of this container reaches; `None` when the host is not the
/// container itself or the port is not a number.
fn local_port(url: &str) -> Option<u16> {
    crate::lint::analysis::probe::url(url)
        .filter(|u| u.local)?
        .port
}

/// nginx's TCP ports with where each is set; `None` when one of them is not known.
fn nginx_ports(m: &Model) -> Option<Vec<(u16, Origin)>> {
    let n = m.nginx.as_ref()?;
    let mut out = Vec::new();
    for l in &n.listeners {
        match &l.addr {
            ListenAddr::Tcp { port, .. } => out.push((*port, l.origin.clone())),
            ListenAddr::Unix(_) => {}
            ListenAddr::Invalid(_) => return None,
        }
    }
    Some(out)
}

/// The apps' TCP ports with where each is set; `None` when one of them is not known.
fn app_ports(m: &Model) -> Option<Vec<(u16, Origin)>> {
    let mut out = Vec::new();
    for a in &m.apps {
        for l in &a.listens {
            if l.unix.is_some() {
                continue;
            }
            let port = l.port.as_ref()?;
            out.push((port.port()?, port.origin.clone()));
        }
    }
    Some(out)
}

fn present(m: &Model, tool: &str) -> bool {
    matches!(
        m.which(tool, &m.workdir.value),
        Some((_, Presence::Present(_)))
    )
}

/// Whether a RUN of the final stage's chain runs or installs `tool` in a way gen does not
/// model (a script, a package that depends on it): then it may well be there.
fn mentioned(m: &Model, tool: &str) -> bool {
    let Some(df) = &m.dockerfile else {
        return false;
    };
    df.parsed.instructions.iter().any(|i| {
        matches!(i.kind, Kind::Run(_))
            && shell::simple_commands(&i.args_text)
                .iter()
                .any(|c| c.iter().any(|w| base(&w.value) == tool))
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    super::compose_probe_tool::check(ctx, out);
    for (i, c) in ctx.containers.iter().enumerate() {
        let m = &c.model;
        let (Some(df), Some(base_image)) = (&m.dockerfile, &m.base_image) else {
            continue;
        };
        let Some(text) = m.files.text(&df.file) else {
            continue;
        };
        let Some(f) = c.file(&df.file) else { continue };
        let tools = base_tools(&base_image.value);
        match &m.healthcheck {
            None => {
                if crate::model::distro_of(&base_image.value).is_none() || compose_decides(ctx, i) {
                    continue;
                }
                let from = df
                    .parsed
                    .final_stage()
                    .and_then(|s| df.parsed.instructions.get(s.from));
                let span = match from.map(|i| &i.kind) {
                    Some(Kind::From(from)) => from.image.span,
                    _ => continue,
                };
                out.push(
                    HEALTHCHECK_MISSING_OR_BROKEN
                        .diagnostic(
                            "the image has no `HEALTHCHECK`",
                            Label::new(&f.path, text, span, "the final stage sets none"),
                        )
                        .with_help(suggestion(m, tools)),
                );
            }
            Some(hc) => {
                let Healthcheck::Cmd { form, .. } = &hc.value else {
                    continue;
                };
                let Some(ins) = df
                    .parsed
                    .instructions
                    .iter()
                    .find(|i| hc.origin.file_span().is_some_and(|(_, s)| s == i.span))
                else {
                    continue;
                };
                for probe in probes(text, ins, form) {
                    check_probe(
                        c,
                        m,
                        &f.path,
                        text,
                        &probe,
                        tools,
                        &base_image.origin,
                        &base_image.value,
                        out,
                    );
                }
            }
        }
    }
}

/// Whether the compose services that build container `index` all say themselves whether it
/// is checked: a `healthcheck:` with a `test:` of its own (which compose runs instead of
/// the image's), or one turned off on purpose. The image's missing `HEALTHCHECK` then
/// changes nothing where the container runs; built by `docker build` alone, it would.
fn compose_decides(ctx: &Context, index: usize) -> bool {
    let mut services = ctx
        .projects
        .iter()
        .filter_map(|p| p.compose.as_ref())
        .flat_map(|c| &c.services)
        .filter(|s| s.container == Some(index) && s.build_context.is_some())
        .peekable();
    services.peek().is_some()
        && services.all(|s| {
            s.healthcheck
                .as_ref()
                .is_some_and(|h| h.disabled || !h.words.is_empty())
        })
}

/// Whether `tool` is known not to be in the image: its base has none, and neither a
/// package gen models nor a RUN gen cannot follow puts it there.
fn missing(m: &Model, tools: Option<&[&str]>, tool: &str) -> bool {
    tools.is_some_and(|t| !t.contains(&tool)) && !present(m, tool) && !mentioned(m, tool)
}

fn install_help(m: &Model, tools: Option<&[&str]>, base_image: &str, tool: &str) -> String {
    let other = if tool == "curl" { "wget" } else { "curl" };
    let install = if base_image.contains("alpine") {
        format!("`apk add --no-cache {tool}`")
    } else {
        format!("`apt-get install -y --no-install-recommends {tool}`")
    };
    if present(m, other) || tools.is_some_and(|t| t.contains(&other)) {
        format!("install it ({install}), or probe with `{other}`, which the image has")
    } else {
        format!("install it in a RUN ({install})")
    }
}

/// When `tool` is known not to be in the image: where its base is named, the base, and
/// how to fix it.
pub(super) fn tool_missing(m: &Model, tool: &str) -> Option<(Origin, String, String)> {
    m.dockerfile.as_ref()?;
    let base = m.base_image.as_ref()?;
    let tools = base_tools(&base.value);
    missing(m, tools, tool).then(|| {
        (
            base.origin.clone(),
            base.value.clone(),
            install_help(m, tools, &base.value, tool),
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn check_probe(
    c: &ContainerDir,
    m: &Model,
    path: &str,
    text: &str,
    probe: &Probe,
    tools: Option<&[&str]>,
    base_origin: &Origin,
    base_image: &str,
    out: &mut Vec<Diagnostic>,
) {
    let tool = probe.tool.as_str();
    if missing(m, tools, tool) {
        let help = install_help(m, tools, base_image, tool);
        let mut d = HEALTHCHECK_MISSING_OR_BROKEN
            .diagnostic(
                format!("the health check runs `{tool}`, which is not in the image"),
                Label::new(
                    path,
                    text,
                    probe.tool_span,
                    "not installed: the check always fails",
                ),
            )
            .with_help(help);
        if let Some(l) = c.label(base_origin, format!("`{base_image}` has no `{tool}`")) {
            d = d.with_related(l);
        }
        out.push(d);
    }
    let Some((url, url_span)) = &probe.url else {
        return;
    };
    let Some(port) = local_port(url) else { return };
    let Some(nginx) = nginx_ports(m) else { return };
    if nginx.is_empty() || nginx.iter().any(|(p, _)| *p == port) {
        return;
    }
    let app = app_ports(m);
    let at_app = app
        .as_ref()
        .and_then(|a| a.iter().find(|(p, _)| *p == port));
    let listen = nginx.first().map_or(80, |(p, _)| *p);
    let (message, note, help) = match (at_app, &app) {
        (Some(_), _) => (
            format!("the health check probes the app on port {port}, not nginx"),
            "the app's port: the check passes while nginx is down",
            format!("probe a port nginx listens on, e.g. `http://127.0.0.1:{listen}/`"),
        ),
        (None, Some(_)) => (
            format!("the health check probes port {port}, where nothing listens"),
            "nothing listens here: the container is never healthy",
            format!("probe a port nginx listens on, e.g. `http://127.0.0.1:{listen}/`"),
        ),
        (None, None) => return,
    };
    let mut d = HEALTHCHECK_MISSING_OR_BROKEN
        .diagnostic(message, Label::new(path, text, *url_span, note))
        .with_help(help);
    if let Some((_, o)) = nginx.first() {
        if let Some(l) = c.label(o, format!("nginx listens on port {listen} here")) {
            d = d.with_related(l);
        }
    }
    if let Some((_, o)) = at_app {
        if let Some(l) = c.label(o, format!("the app listens on port {port} here")) {
            d = d.with_related(l);
        }
    }
    out.push(d);
}

/// A `HEALTHCHECK` line for this image: nginx's port (or the app's), with a tool it has.
fn suggestion(m: &Model, tools: Option<&[&str]>) -> String {
    let port = nginx_ports(m)
        .and_then(|p| p.first().map(|(p, _)| *p))
        .or_else(|| app_ports(m).and_then(|p| p.first().map(|(p, _)| *p)))
        .unwrap_or(80);
    let has = |t: &str| present(m, t) || tools.is_some_and(|ts| ts.contains(&t));
    let url = format!("http://127.0.0.1:{port}/");
    let line = if has("curl") || !has("wget") {
        format!("HEALTHCHECK CMD curl -fsS -o /dev/null {url} || exit 1")
    } else {
        format!("HEALTHCHECK CMD wget -q -O /dev/null {url} || exit 1")
    };
    let install = if has("curl") || has("wget") {
        ""
    } else {
        " (with `curl` installed)"
    };
    format!(
        "without one, a container whose app has died looks running (supervisord keeps PID 1 alive); add e.g. `{line}`{install}, or `HEALTHCHECK NONE` to say there is none on purpose"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_port_table() {
        let cases = [
            ("http://localhost/", Some(80)),
            ("http://127.0.0.1:8080/healthz", Some(8080)),
            ("https://localhost", Some(443)),
            ("localhost:3000", Some(3000)),
            ("http://[::1]:81/x", Some(81)),
            ("http://0.0.0.0:80", Some(80)),
            ("http://example.com/", None),
            ("http://localhost:$PORT/", None),
        ];
        for (url, want) in cases {
            assert_eq!(local_port(url), want, "{url}");
        }
    }

    #[test]
    fn base_tools_table() {
        assert_eq!(base_tools("ubuntu:24.04"), Some(&[][..]));
        assert_eq!(base_tools("alpine:3.22"), Some(&["wget"][..]));
        assert_eq!(base_tools("node:22-alpine"), Some(&["wget"][..]));
        assert_eq!(base_tools("python:3.12-slim"), Some(&[][..]));
        assert_eq!(base_tools("python:3.12"), None);
        assert_eq!(base_tools("nginx:1.27"), None);
    }
}
