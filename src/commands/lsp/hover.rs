//! Hover: on a rule's code or name in a `gen: ignore[...]` comment, the rule's explanation
//! (what `gen explain` prints); on a port or a Unix socket, every place of the container
//! that uses it, from the model's facts and their origins (nginx's `listen`s and proxy
//! targets, the apps' listening addresses and the places their values pass through,
//! `EXPOSE`); on another absolute path, what the image has there (the `COPY` or package
//! that puts it there, the local file it is a copy of, the `include` that makes nginx or
//! supervisord read it) and where else the container's files write it.

use super::diagnostics::offset;
use super::session::Session;
use super::uri;
use crate::diagnostic::Label;
use crate::lint::{self, ContainerDir, docs, suppress};
use crate::model::{EntryKind, ListenAddr, Origin, Target};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use std::fmt::Write as _;
use std::path::Path;

/// What a fact is about: a TCP port, a Unix socket by path, or another path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Port(u16),
    Socket(String),
    Path(String),
}

impl Key {
    fn describe(&self) -> String {
        match self {
            Self::Port(p) => format!("port {p}"),
            Self::Socket(s) => format!("socket `{s}`"),
            Self::Path(p) => format!("`{p}`"),
        }
    }
}

/// Most places listed for a path written in the container's files.
const MAX_PATH_USES: usize = 20;

/// One use of a port or socket, with the place that says so.
struct Use {
    key: Key,
    what: String,
    label: Label,
}

#[must_use]
pub fn hover(session: &Session, params: &HoverParams) -> Option<Hover> {
    let doc = &params.text_document_position_params;
    let path = uri::to_path(&doc.text_document.uri)?;
    let (linted, file) = session.linted_for(&path)?;
    let text = linted.text(&file)?;
    let at = offset(text, doc.position);
    if let Some(markdown) = rule_at(linted.ctx.comment_syntax(&file), text, at) {
        return Some(markdown_hover(markdown));
    }
    let containers: Vec<&ContainerDir> = linted
        .ctx
        .containers
        .iter()
        .filter(|c| c.files.iter().any(|f| f.path == file))
        .collect();
    let mut uses: Vec<Use> = containers.iter().flat_map(|c| uses(c)).collect();
    if let Some(Key::Path(p)) = token_key(text, at) {
        for c in &containers {
            uses.extend(path_uses(c, &p));
        }
    }
    let mut keys: Vec<&Key> = uses
        .iter()
        .filter(|u| u.label.file == file && u.label.span.start <= at && at <= u.label.span.end)
        .map(|u| &u.key)
        .collect();
    let token = token_key(text, at);
    if keys.is_empty() {
        keys.extend(token.iter());
    }
    let mut unique: Vec<&Key> = Vec::new();
    for k in keys {
        if !unique.contains(&k) {
            unique.push(k);
        }
    }
    let mut out = String::new();
    for key in unique {
        let here: Vec<&Use> = uses.iter().filter(|u| u.key == *key).collect();
        if here.is_empty() {
            continue;
        }
        let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
        let _ = writeln!(out, "**{}** in `{}`:\n", key.describe(), names.join("`, `"));
        for u in here {
            let shown = Path::new(&u.label.file)
                .strip_prefix(containers.first().map_or("", |c| c.dir.as_str()))
                .map_or_else(|_| u.label.file.clone(), |p| p.display().to_string());
            let line = u.label.start.line;
            let openable = linted.files.contains(&u.label.file);
            let _ = match uri::from_path(Path::new(&u.label.file)).filter(|_| openable) {
                Some(l) => writeln!(
                    out,
                    "- [{shown}:{line}]({}#L{line}): {}",
                    l.as_str(),
                    u.what
                ),
                None => writeln!(out, "- {shown}:{line}: {}", u.what),
            };
        }
        out.push('\n');
    }
    (!out.is_empty()).then(|| {
        let mut h = markdown_hover(out.trim_end().to_owned());
        h.range = None;
        h
    })
}

fn markdown_hover(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

/// The explanation of the rule named at byte `at` of a suppression comment.
fn rule_at(syntax: Option<suppress::Syntax>, text: &str, at: usize) -> Option<String> {
    let syntax = syntax?;
    suppress::directives(syntax, text)
        .into_iter()
        .filter_map(|d| d.rules.ok())
        .flatten()
        .find(|(_, span)| span.start <= at && at <= span.end)
        .and_then(|(key, _)| lint::find(key))
        .map(docs::explain)
}

/// The port or socket written at byte `at` when no fact is there: an address
/// (`127.0.0.1:8000`, `localhost:3000`) or a socket path (`unix:/run/app.sock`,
/// `/run/app.sock`). A bare number is not taken for a port: too many numbers are not.
fn token_key(text: &str, at: usize) -> Option<Key> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || "._:/-[]".contains(c);
    let at = at.min(text.len());
    let start = text
        .get(..at)?
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_word(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text
        .get(at..)?
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| at + i);
    let word = text.get(start..end)?.trim_end_matches([';', ',']);
    let word = word
        .strip_prefix("http://")
        .or_else(|| word.strip_prefix("https://"))
        .unwrap_or(word);
    if let Some(path) = word.strip_prefix("unix:") {
        return Some(Key::Socket(path.trim_end_matches(':').to_owned()));
    }
    if word.starts_with('/') && word.ends_with(".sock") {
        return Some(Key::Socket(word.to_owned()));
    }
    if word.starts_with('/') && word.len() > 1 && !word.contains(':') {
        return Some(Key::Path(word.trim_end_matches('/').to_owned()));
    }
    let (host, port) = word.split('/').next()?.rsplit_once(':')?;
    if host.is_empty() {
        return None;
    }
    port.parse().ok().map(Key::Port)
}

/// What the container's model says of the image path `path`, and where its files write
/// it (at most [`MAX_PATH_USES`] places).
fn path_uses(c: &ContainerDir, path: &str) -> Vec<Use> {
    let key = || Key::Path(path.to_owned());
    let mut out = Vec::new();
    let mut push = |origin: &Origin, what: String| {
        if let Some(label) = c.label(origin, "") {
            out.push(Use {
                key: key(),
                what,
                label,
            });
        }
    };
    if let Some(entry) = c.model.image.entry(path) {
        let what = match &entry.kind {
            EntryKind::Local { file } => format!("the image gets it from `{file}`"),
            EntryKind::Packaged { distro, .. } => format!("installed by {distro}'s package"),
            _ => "the image gets it here".to_owned(),
        };
        push(&entry.origin, what);
    }
    for f in c.model.nginx.iter().flat_map(|n| &n.files) {
        if let (true, Some(by)) = (f.path == path, &f.included_by) {
            push(by, "nginx reads it through this `include`".to_owned());
        }
    }
    for f in c.model.supervisor.iter().flat_map(|s| &s.files) {
        if let (true, Some(by)) = (f.path == path, &f.included_by) {
            push(
                by,
                "supervisord reads it through this `[include]`".to_owned(),
            );
        }
    }
    let mut written = Vec::new();
    for f in &c.files {
        let Some(text) = f.text.as_deref() else {
            continue;
        };
        for (at, _) in text.match_indices(path) {
            let end = at + path.len();
            // The whole path, not a prefix of a longer one.
            let next = text.get(end..).and_then(|t| t.chars().next());
            if next.is_some_and(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)) {
                continue;
            }
            if written.len() == MAX_PATH_USES {
                break;
            }
            // Said already: the `COPY` that puts it in the image, say.
            let listed = out.iter().any(|u: &Use| {
                u.label.file == f.path && u.label.span.start <= at && end <= u.label.span.end
            });
            if listed {
                continue;
            }
            written.push(Use {
                key: key(),
                what: "written here".to_owned(),
                label: Label::new(&f.path, text, crate::parse::span::Span::new(at, end), ""),
            });
        }
    }
    out.extend(written);
    out
}

/// Every use of a port or socket in the container's model that has a place in a file.
fn uses(c: &ContainerDir) -> Vec<Use> {
    let mut out = Vec::new();
    let mut push = |key: Key, origin: &Origin, what: String| {
        if let Some(label) = c.label(origin, "") {
            out.push(Use { key, what, label });
        }
    };
    if let Some(nginx) = &c.model.nginx {
        for l in &nginx.listeners {
            match &l.addr {
                ListenAddr::Tcp { port, .. } => {
                    push(Key::Port(*port), &l.origin, "nginx listens".to_owned());
                }
                ListenAddr::Unix(path) => {
                    push(
                        Key::Socket(path.clone()),
                        &l.origin,
                        "nginx listens".to_owned(),
                    );
                }
                ListenAddr::Invalid(_) => {}
            }
        }
        for p in &nginx.proxies {
            let what = format!("nginx `{}` sends requests to `{}`", p.kind, p.raw);
            match &p.target {
                Target::Tcp {
                    port: Some(port), ..
                } => push(Key::Port(*port), &p.origin, what),
                Target::Unix { path } => push(Key::Socket(path.clone()), &p.origin, what),
                _ => {}
            }
        }
    }
    for app in &c.model.apps {
        let name = app
            .program
            .as_deref()
            .map_or_else(|| "the app".to_owned(), |p| format!("`{p}`"));
        for l in &app.listens {
            let resolved = [
                l.port
                    .as_ref()
                    .and_then(|r| Some((Key::Port(r.port()?), r))),
                l.unix.as_ref().map(|r| (Key::Socket(r.value.clone()), r)),
            ];
            for (key, r) in resolved.into_iter().flatten() {
                push(key.clone(), &l.origin, format!("{name} listens"));
                if r.origin != l.origin {
                    push(
                        key.clone(),
                        &r.origin,
                        format!("{name}'s value is set here"),
                    );
                }
                for via in &r.via {
                    push(
                        key.clone(),
                        via,
                        format!("{name}'s value passes through here"),
                    );
                }
            }
        }
    }
    for e in &c.model.expose {
        if let Some((a, _)) = e.value.ports.filter(|(a, b)| a == b) {
            push(Key::Port(a), &e.origin, "the image's `EXPOSE`".to_owned());
        }
    }
    // One place said once, with the first thing said of it.
    let mut seen: Vec<(Key, String, usize, usize)> = Vec::new();
    out.retain(|u| {
        let id = (
            u.key.clone(),
            u.label.file.clone(),
            u.label.span.start,
            u.label.span.end,
        );
        if seen.contains(&id) {
            false
        } else {
            seen.push(id);
            true
        }
    });
    out.sort_by(|a, b| {
        (&a.label.file, a.label.span.start).cmp(&(&b.label.file, b.label.span.start))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_key_table() {
        let cases = [
            ("server 127.0.0.1:8000;", 12, Some(Key::Port(8000))),
            (
                "proxy_pass http://localhost:3000/api;",
                20,
                Some(Key::Port(3000)),
            ),
            (
                "proxy_pass http://unix:/run/app.sock:;",
                25,
                Some(Key::Socket("/run/app.sock".into())),
            ),
            (
                "--bind /run/gunicorn.sock",
                12,
                Some(Key::Socket("/run/gunicorn.sock".into())),
            ),
            ("worker_connections 8000;", 20, None),
            (
                "COPY app.py /app/app.py",
                16,
                Some(Key::Path("/app/app.py".into())),
            ),
            (
                "include /etc/nginx/conf.d/;",
                12,
                Some(Key::Path("/etc/nginx/conf.d".into())),
            ),
            ("listen 80;", 2, None),
        ];
        for (text, at, want) in cases {
            assert_eq!(token_key(text, at), want, "{text} at {at}");
        }
    }
}
