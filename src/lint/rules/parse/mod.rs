//! Rules about files that cannot be read: each file type's parse errors (nginx, Dockerfile,
//! supervisord, app sources, the deployment's YAML), an include nginx cannot follow, and gen's own limits on
//! following includes. The model reports what it could not read as problems of a kind; these
//! rules show them, and parse the files of the directory the model did not read (a config
//! left out of the image still has to parse when someone copies it in).

pub mod app_source_parse_error;
pub mod dockerfile_parse_error;
pub mod include_limit_reached;
pub mod nginx_parse_error;
pub mod supervisord_parse_error;
pub mod unfollowable_include;
pub mod unreadable_file;
pub mod yaml_parse_error;

use crate::diagnostic::Diagnostic;
use crate::lint::{ContainerDir, Context, Rule};
use crate::model::{Origin, ProblemKind, Source};

/// One diagnostic per model problem of `kind`, at its origin (or on the first line of
/// `fallback`, a file of the directory, when it has none).
fn problems(
    ctx: &Context,
    kind: ProblemKind,
    rule: &Rule,
    fallback: &str,
    note: &str,
    help: &str,
    out: &mut Vec<Diagnostic>,
) {
    for c in &ctx.containers {
        for p in c.model.problems.iter().filter(|p| p.kind == kind) {
            let label = c.label_or(&p.origin, fallback, note);
            out.push(rule.diagnostic(p.message.clone(), label).with_help(help));
        }
    }
}

/// The local files the model read (or tried to) as nginx or supervisord configs, and the
/// Dockerfile: a parse error in those is a model problem already.
fn read_by_model(c: &ContainerDir) -> Vec<String> {
    let m = &c.model;
    let mut out: Vec<String> = Vec::new();
    let local = |s: &Source| match s {
        Source::Local(f) => Some(f.clone()),
        Source::Packaged { .. } => None,
    };
    if let Some(n) = &m.nginx {
        out.extend(n.files.iter().filter_map(|f| local(&f.source)));
    }
    if let Some(s) = &m.supervisor {
        out.extend(s.files.iter().filter_map(|f| local(&f.source)));
    }
    if let Some(d) = &m.dockerfile {
        out.push(d.file.clone());
    }
    for p in &m.problems {
        if let Origin::File { file, .. } = &p.origin {
            out.push(file.clone());
        }
    }
    out
}

/// What a file of the directory is, by its name (and, for `.conf` files in a directory
/// both nginx and supervisor use, by whether it has ini sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileType {
    Nginx,
    Supervisord,
    Dockerfile,
}

fn file_type(rel: &str, text: &str) -> Option<FileType> {
    let lower = rel.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let name = parts.last().copied().unwrap_or("");
    let dirs = &parts[..parts.len().saturating_sub(1)];
    // `Dockerfile.dockerignore` is the ignore file BuildKit reads beside its Dockerfile.
    if name.ends_with(".dockerignore") {
        return None;
    }
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
    {
        return Some(FileType::Dockerfile);
    }
    // The texts are read only where the name leaves the type open: a lock file or a
    // source of thousands of lines is none of these by its name alone.
    let lines = || {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
    };
    let ini = || lines().next().is_some_and(|l| l.starts_with('['));
    // Sections only supervisord has: another daemon's ini file is none of gen's business.
    let supervisord_sections = || {
        lines().any(|l| {
            l.starts_with("[program:")
                || l.starts_with("[eventlistener:")
                || matches!(l, "[supervisord]" | "[include]" | "[supervisorctl]")
        })
    };
    let supervisor_dir = dirs
        .iter()
        .any(|d| matches!(*d, "supervisor" | "supervisor.d" | "supervisord"));
    // By name only a config file: `supervisord.log` and `supervisor.pid` are not one.
    let config_ext = [(".conf", ".conf."), (".ini", ".ini.")]
        .iter()
        .any(|(e, inside)| name.ends_with(e) || name.contains(inside));
    if (name.starts_with("supervisor") && config_ext)
        || (supervisor_dir && (name.ends_with(".conf") || name.ends_with(".ini")))
        || ((name.ends_with(".ini") || name.ends_with(".conf")) && supervisord_sections())
    {
        return Some(FileType::Supervisord);
    }
    let nginx_dir = dirs
        .iter()
        .any(|d| matches!(*d, "nginx" | "http.d" | "sites-available" | "sites-enabled"));
    // `conf.d` and `snippets` hold other daemons' files too: only nginx-looking ones count.
    let shared_dir = dirs.iter().any(|d| matches!(*d, "conf.d" | "snippets"));
    if ini() {
        return None;
    }
    let nginx_like = || lines().any(|l| l.ends_with(';') || l.ends_with('{'));
    if name == "nginx.conf"
        || name.ends_with(".nginx")
        || name.ends_with(".nginx.conf")
        || (nginx_dir && name.ends_with(".conf"))
        || (shared_dir && name.ends_with(".conf") && nginx_like())
    {
        return Some(FileType::Nginx);
    }
    None
}

/// The readable files of the directory of type `t` that the model did not read.
/// The files of type `t` no container's model read, each once: a file of a context that
/// several Dockerfiles build from, or of a directory inside another's context, is the
/// same file for all of them.
fn unread(ctx: &Context, t: FileType) -> Vec<(&crate::lint::SourceFile, &str)> {
    let mut read: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for c in &ctx.containers {
        for rel in read_by_model(c) {
            if let Some(f) = c.file(&rel) {
                read.insert(f.path.as_str());
            }
        }
    }
    let mut out = Vec::new();
    for c in &ctx.containers {
        for f in &c.files {
            let Some(text) = f.text.as_deref() else {
                continue;
            };
            if read.contains(f.path.as_str()) || file_type(&f.rel, text) != Some(t) {
                continue;
            }
            read.insert(f.path.as_str());
            out.push((f, text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_type_table() {
        let cases = [
            ("Dockerfile", "", Some(FileType::Dockerfile)),
            ("Dockerfile.dev", "", Some(FileType::Dockerfile)),
            ("app.dockerfile", "", Some(FileType::Dockerfile)),
            ("nginx.conf", "events {}", Some(FileType::Nginx)),
            (
                "conf.d/site.conf",
                "server {\n    listen 80;\n}\n",
                Some(FileType::Nginx),
            ),
            (
                "conf.d/app.conf",
                "[program:app]",
                Some(FileType::Supervisord),
            ),
            ("nginx/default.conf", "server {}", Some(FileType::Nginx)),
            (
                "supervisord.conf",
                "[supervisord]",
                Some(FileType::Supervisord),
            ),
            (
                "supervisor/app.conf",
                "[program:x]",
                Some(FileType::Supervisord),
            ),
            ("app.ini", "; c\n[program:x]", Some(FileType::Supervisord)),
            (
                "supervisord.conf.tpl",
                "[supervisord]",
                Some(FileType::Supervisord),
            ),
            (
                "app/supervisord.log",
                "2019-01-01 CRIT Supervisor is running as root",
                None,
            ),
            ("supervisord.pid", "7", None),
            ("uwsgi.ini", "uwsgi = 1", None),
            ("uwsgi.ini", "[uwsgi]\nmodule = app", None),
            ("conf.d/redis.conf", "port 6379\n", None),
            ("conf.d/mysql.conf", "[mysqld]\nport=3306\n", None),
            (
                "snippets/headers.conf",
                "add_header X-A b;\n",
                Some(FileType::Nginx),
            ),
            ("app.py", "", None),
            ("other.conf", "server {}", None),
        ];
        for (rel, text, want) in cases {
            assert_eq!(file_type(rel, text), want, "{rel}");
        }
    }
}
