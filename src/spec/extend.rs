//! The spec's extension points, so that a project adds what real containers need without
//! forking a template: nginx snippets of the project included in the server block
//! (`[container.nginx] include`), directories nginx serves (`[[container.static]]`), and
//! more programs under supervisord (`[[container.program]]`).
//!
//! Validation of the keys happens here, with the spec's spans, like the rest of [`super::load`].
//! The files the keys name are read by the command that loads the spec (this module never
//! touches the disk); [`check_snippet`] then judges a snippet's text as nginx would judge it
//! in a server block, with gen's nginx parser and nginx's directive table (the one
//! `NGX010`-`NGX012` use), so that `gen build` refuses a snippet nginx would refuse.

use super::load::{Ctx, is_user_name, list, span_of};
use super::raw::{RawProgram, RawStatic, S};
use super::{Program, Snippet, Static};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::nginx::table::{Args, ctx, table};
use crate::parse::span::{LineIndex, Span};
use std::collections::HashMap;

/// The names of the programs gen writes itself.
pub const OWN_PROGRAMS: &[&str] = &["app", "nginx", "exit-on-fatal"];

/// A path of the project as the spec may write it: relative, on one line, printable.
fn project_path_problem(path: &str) -> Option<&'static str> {
    if path.trim().is_empty() {
        Some("is empty")
    } else if path.starts_with('/') || path.starts_with('\\') {
        Some("is absolute; write it relative to the spec's directory")
    } else if path.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    }
}

/// "`PATH` PROBLEM", or only the problem for an empty path.
fn shown_path(path: &str, problem: &str) -> String {
    if path.trim().is_empty() {
        problem.to_owned()
    } else {
        format!("`{}` {problem}", crate::spec::shown(path))
    }
}

/// `[container.nginx] include`: each a relative path, each once.
pub(super) fn includes(cx: &mut Ctx<'_>, raw: &[S<String>]) -> Option<Vec<Snippet>> {
    let mut out = Vec::new();
    let mut ok = true;
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for v in raw {
        let path = v.get_ref();
        if let Some(problem) = project_path_problem(path) {
            cx.invalid(
                span_of(v),
                format!("`nginx.include` path {}", shown_path(path, problem)),
                "name an nginx snippet of the project relative to the spec, e.g. \"deploy/extra.conf\"".into(),
            );
            ok = false;
            continue;
        }
        if let Some(first) = seen.insert(path.as_str(), span_of(v)) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("`nginx.include` names `{}` twice", crate::spec::shown(path)),
                cx.label(span_of(v), "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("include each snippet once: nginx refuses a location defined twice");
            cx.diags.push(d);
            ok = false;
            continue;
        }
        out.push(Snippet {
            path: path.clone(),
            span: span_of(v),
            text: None,
        });
    }
    ok.then_some(out)
}

/// A URL prefix nginx can match as written: `/`, then segments of unreserved characters,
/// each ending in `/`.
fn is_url_prefix(path: &str) -> bool {
    path.len() > 1
        && path.starts_with('/')
        && path.ends_with('/')
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._~-".contains(&b))
        && !path.split('/').any(|seg| seg == "." || seg == "..")
}

/// `[[container.static]]`: a URL prefix of its own (not `/`, the app's) and a directory.
pub(super) fn statics(cx: &mut Ctx<'_>, raw: &[S<RawStatic>]) -> Option<Vec<Static>> {
    let mut out = Vec::new();
    let mut ok = true;
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for s in raw {
        let s = s.get_ref();
        let path = s.path.get_ref();
        if path == "/" {
            cx.invalid(
                span_of(&s.path),
                "`static.path` is `/`, where nginx proxies to the app".into(),
                "serve the directory under a prefix of its own, e.g. \"/static/\"".into(),
            );
            ok = false;
        } else if !is_url_prefix(path) {
            cx.invalid(
                span_of(&s.path),
                format!(
                    "`static.path` `{}` is not a plain URL prefix",
                    crate::spec::shown(path)
                ),
                "start and end it with `/` and use letters, digits and `._~-`, e.g. \"/static/\""
                    .into(),
            );
            ok = false;
        } else if let Some(first) = seen.insert(path.as_str(), span_of(&s.path)) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("two `[[container.static]]` tables serve `{path}`"),
                cx.label(span_of(&s.path), "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("give each directory its own URL prefix");
            cx.diags.push(d);
            ok = false;
        }
        let dir = s.dir.get_ref();
        if let Some(problem) = project_path_problem(dir) {
            cx.invalid(
                span_of(&s.dir),
                format!("`static.dir` {}", shown_path(dir, problem)),
                "name a directory of the project relative to the spec, e.g. \"public\"".into(),
            );
            ok = false;
        }
        out.push(Static {
            path: path.clone(),
            dir: dir.clone(),
            dir_span: span_of(&s.dir),
            files: Vec::new(),
        });
    }
    ok.then_some(out)
}

/// A supervisord program name: no `:` (supervisord's group separator), no spaces.
fn is_program_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// An environment variable name as every shell and supervisord take it.
fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && s.len() <= 128
}

/// `[[container.program]]`: a name of its own, a foreground command line, a user, a
/// directory and an environment supervisord's config can hold.
pub(super) fn programs(
    cx: &mut Ctx<'_>,
    raw: &[S<RawProgram>],
    app_user: Option<&str>,
) -> Option<Vec<Program>> {
    let mut out = Vec::new();
    let mut ok = true;
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for p in raw {
        let p = p.get_ref();
        let name = p.name.get_ref();
        if !is_program_name(name) {
            cx.invalid(
                span_of(&p.name),
                format!(
                    "`program.name` `{}` is not a supervisord program name",
                    crate::spec::shown(name)
                ),
                "use 1 to 64 letters, digits, `_` and `-`, e.g. \"worker\"".into(),
            );
            ok = false;
        } else if OWN_PROGRAMS.contains(&name.as_str()) {
            cx.invalid(
                span_of(&p.name),
                format!("`program.name` `{name}` is the name of a program gen writes"),
                format!(
                    "give the program another name: gen's own are {}",
                    list(OWN_PROGRAMS)
                ),
            );
            ok = false;
        } else if let Some(first) = seen.insert(name.as_str(), span_of(&p.name)) {
            let d = Diagnostic::new(
                "SPEC004",
                "conflicting-values",
                Severity::Error,
                format!("two programs are named `{name}`"),
                cx.label(span_of(&p.name), "second use"),
            )
            .with_related(cx.label(first, "first used here"))
            .with_help("give each program its own `name`: supervisord knows it by that");
            cx.diags.push(d);
            ok = false;
        }
        ok &= command(cx, &p.command);
        let user = match &p.user {
            None => app_user.map(str::to_owned),
            Some(u) if is_user_name(u.get_ref()) => Some(u.get_ref().clone()),
            Some(u) => {
                cx.invalid(
                    span_of(u),
                    format!("`program.user` `{}` is not an unprivileged user name", crate::spec::shown(u.get_ref())),
                    "use 1 to 32 lower-case letters, digits, `_` and `-`, starting with a letter, and not `root`".into(),
                );
                None
            }
        };
        let directory = match &p.directory {
            None => Some(None),
            Some(d) => {
                let dir = d.get_ref();
                let plain = dir.starts_with('/')
                    && dir.len() <= 255
                    && dir
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
                    && !dir.split('/').any(|seg| seg == "..");
                if plain {
                    Some(Some(dir.clone()))
                } else {
                    cx.invalid(
                        span_of(d),
                        format!(
                            "`program.directory` `{}` is not a plain absolute path",
                            crate::spec::shown(dir)
                        ),
                        "write an absolute path of letters, digits and `/._-`, e.g. \"/app\""
                            .into(),
                    );
                    None
                }
            }
        };
        let mut environment = Vec::new();
        for (k, v) in &p.environment {
            if !is_env_name(k.get_ref()) {
                cx.invalid(
                    span_of(k),
                    format!(
                        "`program.environment` name `{}` is not a variable name",
                        crate::spec::shown(k.get_ref())
                    ),
                    "use letters, digits and `_`, not starting with a digit, e.g. `QUEUE`".into(),
                );
                ok = false;
            } else if v.get_ref().chars().any(|c| c.is_control() || c == '"') {
                cx.invalid(
                    span_of(v),
                    format!(
                        "`program.environment.{}` holds a control character or `\"`",
                        k.get_ref()
                    ),
                    "supervisord's `environment=` quotes each value in `\"` on one line: write the value without either".into(),
                );
                ok = false;
            } else {
                environment.push((k.get_ref().clone(), v.get_ref().clone()));
            }
        }
        environment.sort();
        if let (Some(user), Some(directory)) = (user, directory) {
            out.push(Program {
                name: name.clone(),
                command: p.command.get_ref().clone(),
                user,
                directory,
                environment,
            });
        } else {
            ok = false;
        }
    }
    ok.then_some(out)
}

/// A program's command line: one line supervisord can split, staying in the foreground.
fn command(cx: &mut Ctx<'_>, v: &S<String>) -> bool {
    let text = v.get_ref();
    let span = span_of(v);
    if text.trim().is_empty() {
        cx.invalid(
            span,
            "`program.command` is empty".into(),
            "write the command line the program runs, e.g. \"/opt/venv/bin/python worker.py\""
                .into(),
        );
        return false;
    }
    if text.chars().any(char::is_control) || text.len() > 4096 {
        cx.invalid(
            span,
            "`program.command` holds a control character or is longer than 4096 bytes".into(),
            "write the command on one line; run a script of the project for anything longer".into(),
        );
        return false;
    }
    if let Err(e) = crate::parse::shell::split(text) {
        cx.invalid(
            span,
            format!("`program.command` cannot be split into words: {e}"),
            "close the quote, as supervisord splits the command like a shell".into(),
        );
        return false;
    }
    if let Some((range, note, help)) = crate::lint::rules::proc::program_daemonizes::forks(text) {
        // The word that says so, when the string is written without escapes.
        let written = cx.text.get(span.start..span.end).unwrap_or_default();
        let plain = written.len() == text.len() + 2
            && written.get(1..written.len() - 1) == Some(text.as_str());
        let at = if plain {
            Span::new(span.start + 1 + range.start, span.start + 1 + range.end)
        } else {
            span
        };
        cx.invalid(
            at,
            format!("`program.command` does not stay in the foreground: {note}"),
            format!("{help}; supervisord would see the program exit and restart it until `FATAL` (`gen explain PROC009`)"),
        );
        return false;
    }
    true
}

/// Judges the text of a snippet included in a server block as nginx would when it loads
/// it: the parse (unbalanced braces, a missing `;`), then each directive against nginx's
/// table: known, allowed where it stands (the snippet's top level is a `server` block), a
/// block or not, and its number of arguments. `file` names the snippet in the diagnostics.
#[must_use]
pub fn check_snippet(file: &str, text: &str) -> Vec<Diagnostic> {
    let index = LineIndex::new(text);
    let label = |span: Span, msg: &str| Label::with_index(file, text, &index, span, msg);
    let error = |span: Span, message: String, help: String| {
        Diagnostic::new(
            "SPEC005",
            "invalid-snippet",
            Severity::Error,
            message,
            label(span, ""),
        )
        .with_help(help)
    };
    let config = match crate::parse::nginx::parse(text) {
        Ok(c) => c,
        Err(e) => {
            let mut d = error(
                e.span,
                format!("nginx cannot read this snippet: {}", e.kind.crossplane_message()),
                "fix the snippet: it is included in the server block as it is, so its braces must balance and each directive end with `;`".into(),
            );
            if let crate::parse::nginx::ParseErrorKind::UnexpectedEof { open } = e.kind {
                d = d.with_related(label(open, "this block is never closed"));
            }
            return vec![d];
        }
    };
    let t = table();
    let mut out = Vec::new();
    // Blocks already reported, or that gen does not judge inside: their contents are left.
    let mut left: Vec<Span> = Vec::new();
    for visit in config.walk() {
        let d = visit.directive;
        if visit.parents.iter().any(|p| left.contains(&p.span())) {
            continue;
        }
        // The context from the chain of blocks, the snippet's top level being `server`.
        let (mut here, mut where_) = (ctx::SRV, "server");
        for p in &visit.parents {
            (here, where_) = match p.name() {
                "location" => (ctx::LOC, "location"),
                "if" if here == ctx::SRV => (ctx::SIF, "if"),
                "if" => (ctx::LIF, "if"),
                _ => (ctx::LMT, "limit_except"),
            };
        }
        let name = d.name();
        let rows = t.rows(name);
        let problem = if rows.is_empty() {
            let help = match super::nearest(name, &t.names().collect::<Vec<_>>()) {
                Some(n) => format!("did you mean `{n}`? nginx declares no `{name}`"),
                None => format!(
                    "nginx declares no `{name}`; a third-party module's directive needs that module in the image"
                ),
            };
            Some((
                format!("unknown nginx directive `{name}` in the snippet"),
                help,
            ))
        } else if !rows.iter().any(|r| r.contexts & (here | ctx::ANY) != 0) {
            Some((
                format!("`{name}` is not allowed in a `{where_}` block, where the snippet puts it"),
                "a snippet is included in the container's `server` block: write what nginx takes there (`location`s, headers, `return`...)".into(),
            ))
        } else {
            let n = d.values().len();
            let fits = |r: &&crate::parse::nginx::table::Row| {
                r.contexts & (here | ctx::ANY) != 0
                    && r.block == d.has_block()
                    && match r.args {
                        Args::Flag => n == 1,
                        other => other.accepts(n),
                    }
            };
            if rows.iter().any(|r| fits(&r)) {
                None
            } else {
                let shape = rows
                    .iter()
                    .find(|r| r.contexts & (here | ctx::ANY) != 0)
                    .map_or_else(String::new, |r| {
                        format!(
                            "{}{}",
                            r.args.describe(),
                            if r.block {
                                " and a `{ ... }` block"
                            } else {
                                ""
                            }
                        )
                    });
                Some((
                    format!("`{name}` in the snippet does not have the shape nginx declares"),
                    format!("`{name}` takes {shape}"),
                ))
            }
        };
        if let Some((message, help)) = problem {
            out.push(error(d.name_span(), message, help));
            left.push(d.span());
        } else if d.has_block() && !matches!(name, "location" | "if" | "limit_except") {
            // A block whose inside is not nginx directives gen judges here (`types`...).
            left.push(d.span());
        }
    }
    out
}

/// The top-level `location`s of a snippet that gen's own server block already has (`/`,
/// `= /healthz`) or that a `[[container.static]]` serves: nginx refuses a location defined
/// twice. (span of the location's name, the location as written)
#[must_use]
pub fn duplicate_locations(text: &str, statics: &[Static]) -> Vec<(Span, String)> {
    let Ok(config) = crate::parse::nginx::parse(text) else {
        return Vec::new();
    };
    let taken = |args: &[String]| match args {
        [p] => p == "/" || statics.iter().any(|s| &s.path == p),
        [m, p] => m == "=" && p == "/healthz",
        _ => false,
    };
    config
        .directives()
        .filter(|d| d.name() == "location")
        .filter_map(|d| {
            let args: Vec<String> = d.values().map(|v| v.into_owned()).collect();
            taken(&args).then(|| (d.name_span(), args.join(" ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (snippet, the messages of its diagnostics)
    fn messages(text: &str) -> Vec<String> {
        check_snippet("extra.conf", text)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn what_nginx_takes_in_a_server_block_passes() {
        let ok = [
            "",
            "# only a comment\n",
            "add_header X-A b always;\n",
            "location /a/ { limit_except GET { deny all; } }\n",
            "if ($request_method = POST) { return 405; }\n",
            "location /b/ { if ($arg_x) { return 404; } location /b/c/ { return 200; } }\n",
            "location ~ \\.php$ { return 403; }\n",
            "location /c/ { types { text/plain txt; } }\n",
            "rewrite ^/old$ /new permanent;\nclient_max_body_size 10m;\n",
        ];
        for text in ok {
            assert_eq!(messages(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn what_nginx_refuses_there_is_reported_once_per_root_cause() {
        let cases: [(&str, &[&str]); 6] = [
            (
                "http { server { } }\n",
                &["`http` is not allowed in a `server` block, where the snippet puts it"],
            ),
            (
                "location /a/ { worker_connections 10; listen 80; }\n",
                &[
                    "`worker_connections` is not allowed in a `location` block, where the snippet puts it",
                    "`listen` is not allowed in a `location` block, where the snippet puts it",
                ],
            ),
            // Inside a refused block, nothing more is said.
            (
                "upstream u { bogus; }\n",
                &["`upstream` is not allowed in a `server` block, where the snippet puts it"],
            ),
            (
                "gzip maybe maybe;\n",
                &["`gzip` in the snippet does not have the shape nginx declares"],
            ),
            (
                "location /a/;\n",
                &["`location` in the snippet does not have the shape nginx declares"],
            ),
            (
                "return 200 \"x\"\n",
                &[
                    "nginx cannot read this snippet: directive \"return\" is not terminated by \";\"",
                ],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(messages(text), want, "{text:?}");
        }
    }

    #[test]
    fn hostile_snippets_end_in_an_error_not_a_panic() {
        let deep = "location /a/ {".repeat(300) + &"}".repeat(300);
        assert_eq!(messages(&deep).len(), 1);
        for text in [
            "\0",
            "}}}}",
            "{",
            "\"",
            "location \u{202e} {}",
            "if (",
            "'unterminated",
        ] {
            let _ = messages(text);
            let _ = duplicate_locations(text, &[]);
        }
    }

    #[test]
    fn locations_gens_server_block_has_are_found() {
        let statics = [Static {
            path: "/static/".into(),
            dir: "public".into(),
            dir_span: Span::new(0, 0),
            files: Vec::new(),
        }];
        let text = "location / {}\nlocation = /healthz {}\nlocation /static/ {}\nlocation /api/ { location / {} }\nlocation = / {}\n";
        let found: Vec<String> = duplicate_locations(text, &statics)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(found, ["/", "= /healthz", "/static/"]);
    }
}
