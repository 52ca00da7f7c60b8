//! `missing-forwarded-headers`: nginx proxies to the app without telling it the client's
//! host, address and scheme, or passes the client's `Host` header unchecked.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text;
use crate::lint::ContainerDir;
use crate::lint::analysis::nginx::{
    Effective, effective, header, local_label, outer, proxies_to_an_app,
};
use crate::lint::{Context, declare_rule};
use crate::model::Nginx;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Checks that nginx tells the app the client's host, address and scheme, and does not
    /// pass the client's `Host` header unchecked.
    ///
    /// Every `proxy_pass` to an app must send `Host`, `X-Forwarded-For` and
    /// `X-Forwarded-Proto` (`X-Real-IP` is optional) as nginx's inheritance gives them: a
    /// `proxy_set_header` in a block replaces every one the block would inherit from
    /// `server` or `http`. And `Host` must not be `$http_host`, the client's header taken
    /// unchecked.
    ///
    /// A `proxy_pass` to a public site (a dotted host name) is not checked: nginx's own
    /// `Host` is the right one there.
    ///
    /// ## Why is this bad?
    /// Without them the app sees nginx, not the client: `Host` is the upstream's name, so
    /// the URLs and redirects it builds point at `http://127.0.0.1:8000`; every client has
    /// the address 127.0.0.1, so logs and rate limits see one client; and every request
    /// looks like plain HTTP, so an app behind TLS redirects to `https` forever.
    ///
    /// `$http_host` is the `Host` header as the client sent it, which may differ from the
    /// host nginx matched `server_name` against (an absolute URL in the request line wins
    /// there): the app may build links to a host the client chose (gixy's
    /// `host_spoofing`). `$host` is the name nginx routed the request by.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    ///     proxy_set_header X-Forwarded-Proto $scheme;
    ///
    ///     location /api/ {
    ///         proxy_set_header X-Request-Id $request_id;   # the three above are gone here
    ///         proxy_pass http://127.0.0.1:8000;
    ///     }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    ///     proxy_set_header X-Forwarded-Proto $scheme;
    ///     proxy_set_header X-Request-Id $request_id;
    ///
    ///     location /api/ {
    ///         proxy_pass http://127.0.0.1:8000;
    ///     }
    /// }
    /// ```
    pub static MISSING_FORWARDED_HEADERS = {
        code: "NGX001",
        name: "missing-forwarded-headers",
        severity: Warning,
        check: check,
    }
}

/// The headers an app needs, with the line that sets each.
const REQUIRED: [(&str, &str); 3] = [
    ("Host", "proxy_set_header Host $host;"),
    (
        "X-Forwarded-For",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ),
    (
        "X-Forwarded-Proto",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ),
];

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn block_name(n: &crate::model::Nginx, scope: Option<usize>) -> String {
    scope
        .and_then(|s| n.directives.get(s))
        .map_or_else(|| "main".to_owned(), |d| format!("`{}`", d.name))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let Some(n) = &c.model.nginx else { continue };
        let mut http_host_seen = HashSet::new();
        for p in &n.proxies {
            if p.kind != "proxy_pass" || !proxies_to_an_app(n, p) {
                continue;
            }
            let Some(Effective { scope, set }) = effective(n, p.directive, "proxy_set_header")
            else {
                continue;
            };
            let missing: Vec<(&str, &str)> = REQUIRED
                .iter()
                .copied()
                .filter(|(h, _)| {
                    header(n, &set, h).is_none_or(|(_, d)| d.arg(1).is_none_or(str::is_empty))
                })
                .collect();
            if !missing.is_empty() {
                let Some(primary) = c.label(&p.origin, "proxied here") else {
                    continue;
                };
                let names: Vec<&str> = missing.iter().map(|(h, _)| *h).collect();
                let mut d = MISSING_FORWARDED_HEADERS.diagnostic(
                    format!(
                        "requests proxied here lack the {} header{}",
                        list(&names),
                        if names.len() == 1 { "" } else { "s" }
                    ),
                    primary,
                );
                let lines: Vec<&str> = missing.iter().map(|(_, l)| *l).collect();
                let dropped = outer(n, scope, "proxy_set_header").and_then(|o| {
                    let inherited: Vec<(usize, &str)> = names
                        .iter()
                        .filter_map(|h| Some((header(n, &o.set, h)?.0, *h)))
                        .collect();
                    (!inherited.is_empty()).then_some((o, inherited))
                });
                match (dropped, set.first()) {
                    (Some((o, inherited)), Some(&own)) => {
                        let own_d = &n.directives[own];
                        if let Some(l) = c.label(
                            &own_d.origin(),
                            format!(
                                "this `proxy_set_header` stops the {} inheriting those of the {} block",
                                block_name(n, scope),
                                block_name(n, o.scope)
                            ),
                        ) {
                            d = d.with_related(l);
                        }
                        let inherited_names: Vec<&str> =
                            inherited.iter().map(|(_, h)| *h).collect();
                        if let Some(l) = inherited.first().and_then(|(k, _)| {
                            c.label(
                                &n.directives[*k].origin(),
                                format!("{} set here, but not inherited", list(&inherited_names)),
                            )
                        }) {
                            d = d.with_related(l);
                        }
                        d = d.with_help(format!(
                            "nginx inherits `proxy_set_header` only into blocks that set none: repeat the missing ones next to this block's own:\n    {}",
                            lines.join("\n    ")
                        ));
                    }
                    _ => {
                        d = d.with_help(format!(
                            "without them the app sees nginx instead of the client (its host name, address and scheme); add to the location or its `server` block:\n    {}",
                            lines.join("\n    ")
                        ));
                    }
                }
                out.push(d.with_fix(add_headers(c, n, p.directive, &set, &names, &lines)));
            }
            if let Some((k, host)) = header(n, &set, "Host") {
                if host.arg(1) == Some("$http_host") && http_host_seen.insert(k) {
                    let origin = host.arg_origin(1);
                    let Some((primary, related)) = local_label(
                        c,
                        n,
                        host,
                        &origin,
                        "the client's `Host` header, unchecked",
                        "this `include` sets `Host $http_host`",
                    ) else {
                        continue;
                    };
                    let mut d = MISSING_FORWARDED_HEADERS
                        .diagnostic("`Host $http_host` passes the client's `Host` header unchecked", primary)
                        .with_help("set `proxy_set_header Host $host;`: `$host` is the name nginx routed the request by");
                    if let Some(r) = related {
                        d = d.with_related(r);
                    }
                    // `$host` drops the port the client asked for: an app that builds
                    // absolute URLs from it may need `$host:$server_port` instead.
                    let edit = text::local(c, &origin).and_then(|(file, text, span)| {
                        text::replace_checked(file, text, span, "$http_host", "$host")
                    });
                    let fix = edit.map(|e| Fix::unsafe_("set `Host $host`", vec![e]));
                    out.push(d.with_fix(fix));
                }
            }
        }
    }
}
/// The missing `proxy_set_header` lines, each on a line of its own, indented as its
/// neighbour: after the last `proxy_set_header` in effect, in its block (a line added
/// anywhere else would stop that block's lines being inherited, `Connection ""` for an
/// upstream's keepalive among them); where none is, just above the `proxy_pass` at `k`,
/// in its `location` (not in an `if`, where nginx refuses them) when it starts its line.
/// Setting `Host` is unsafe: an app that checks its host name (Django's `ALLOWED_HOSTS`)
/// sees another one.
fn add_headers(
    c: &ContainerDir,
    n: &Nginx,
    k: usize,
    set: &[usize],
    names: &[&str],
    lines: &[&str],
) -> Option<Fix> {
    let edit = if let Some(&last) = set
        .iter()
        .max_by_key(|&&i| n.directives.get(i).map(|d| d.span.start))
    {
        let d = n.directives.get(last)?;
        let (file, text, span) = text::local_span(c, &d.source, d.span)?;
        // The last line of the set, alone on its line, ends where the new ones begin.
        let end = text::line_end(text, span.end);
        if !text
            .get(text::line_start(text, span.start)..span.start)?
            .trim()
            .is_empty()
            || !text.get(span.end..end)?.trim().is_empty()
            || set
                .iter()
                .any(|&i| n.directives.get(i).is_none_or(|o| o.source != d.source))
        {
            return None;
        }
        let (indent, eol) = (text::indent(text, span.start), text::eol(text));
        let mut new: String = lines.iter().map(|l| format!("{indent}{l}{eol}")).collect();
        if !text.get(..end)?.ends_with('\n') {
            new = format!("{eol}{}", new.trim_end_matches(eol));
        }
        Edit::insert(file, text, end, new)
    } else {
        let pass = n.directives.get(k)?;
        let parent = n.directives.get(pass.parent?)?;
        if parent.name != "location" {
            return None;
        }
        let (file, text, span) = text::local_span(c, &pass.source, pass.span)?;
        let start = text::line_start(text, span.start);
        if !text.get(start..span.start)?.trim().is_empty() {
            return None;
        }
        let (indent, eol) = (text::indent(text, span.start), text::eol(text));
        let new: String = lines.iter().map(|l| format!("{indent}{l}{eol}")).collect();
        Edit::insert(file, text, start, new)
    };
    let title = "add the missing `proxy_set_header` lines";
    Some(if names.contains(&"Host") {
        Fix::unsafe_(title, vec![edit])
    } else {
        Fix::safe(title, vec![edit])
    })
}
