//! Finding the images under a path `gen check` is given: every Dockerfile by any name a
//! build can use (`Dockerfile`, `Containerfile`, `Dockerfile.prod`, `Dockerfile-8.2`,
//! `python3.12.dockerfile`), at any depth, each with the build context it is built from.
//!
//! A Dockerfile does not say its context: `docker build -f ops/Dockerfile .` and `cd ops &&
//! docker build .` both work. The context taken is the nearest directory, from the
//! Dockerfile's own up to the path given, that holds every local source its COPY and ADD
//! name; when none holds them all, the one that holds the most (nearest first), so that a
//! source missing everywhere is still reported against the likeliest context.
//!
//! The walk has limits (depth, entries, Dockerfiles) and skips what is never a build's own
//! source: version control, dependencies and virtual environments. Hand-written, as a
//! directory walk with these skips and limits is a few lines over `std::fs`.

use crate::error::{Error, Result};
use crate::parse::dockerfile::{self, Kind};
use std::fs;
use std::path::{Path, PathBuf};

/// How deep under the given path Dockerfiles are looked for.
pub const MAX_DEPTH: usize = 8;
/// Directory entries looked at, at most, under one path.
const MAX_ENTRIES: usize = 50_000;
/// Dockerfiles taken, at most, under one path: a repository of a thousand image variants
/// built from one context would take minutes, each variant reading every file of it.
pub const MAX_DOCKERFILES: usize = 32;
/// Bytes of a candidate read to see whether it is a Dockerfile.
const SNIFF: u64 = 64 << 10;

/// Directories never searched: version control, dependencies, virtual environments,
/// caches. None holds a Dockerfile of the project's own.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "vendor",
    "venv",
    ".venv",
    "virtualenv",
    ".tox",
    "__pycache__",
    "site-packages",
    ".mypy_cache",
    ".pytest_cache",
    ".cache",
];

/// A Dockerfile and the build context it is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub context: PathBuf,
    /// The Dockerfile relative to the context, `/`-separated.
    pub dockerfile: String,
}

pub use crate::parse::role::is_dockerfile_name;

/// Whether `text` reads as a Dockerfile: its first instruction is `FROM` or `ARG`.
#[must_use]
pub fn looks_like_dockerfile(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|w| w.eq_ignore_ascii_case("from") || w.eq_ignore_ascii_case("arg"))
}

/// A directory of a project template (cookiecutter's `{{ cookiecutter.name }}`, copier's
/// `{% if %}`): its files hold placeholders, not a project's values.
#[must_use]
pub fn is_template(name: &str) -> bool {
    name.contains("{{") || name.contains("{%")
}

fn sniff(path: &Path) -> bool {
    use std::io::Read as _;
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut bytes = Vec::new();
    if file.take(SNIFF).read_to_end(&mut bytes).is_err() || bytes.contains(&0) {
        return false;
    }
    looks_like_dockerfile(&String::from_utf8_lossy(&bytes))
}

/// Every Dockerfile under `root` (within the limits), sorted, and whether a limit cut
/// the search short.
///
/// # Errors
/// A directory that cannot be read.
pub fn dockerfiles(root: &Path) -> Result<(Vec<PathBuf>, bool)> {
    let mut found = Vec::new();
    let mut seen = 0usize;
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| Error::io("read directory", &dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read directory", &dir, e))?;
            seen += 1;
            if seen > MAX_ENTRIES || found.len() >= MAX_DOCKERFILES {
                found.sort();
                return Ok((found, true));
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = dir.join(name);
            // Symlinks are not followed: a link may loop or leave the project.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < MAX_DEPTH && !SKIP_DIRS.contains(&name) && !is_template(name) {
                    stack.push((path, depth + 1));
                }
            } else if kind.is_file() && is_dockerfile_name(name) && sniff(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok((found, false))
}

/// The local sources the COPY and ADD of a Dockerfile name (not those of `--from`, URLs,
/// heredocs, or sources built from variables), without `./`.
fn local_sources(text: &str) -> Vec<String> {
    let Ok(df) = dockerfile::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in &df.instructions {
        let (Kind::Copy(c) | Kind::Add(c)) = &i.kind else {
            continue;
        };
        if c.from.is_some() {
            continue;
        }
        for s in &c.sources {
            let v = s.value.trim_start_matches("./").trim_start_matches('/');
            if v.is_empty()
                || v == "."
                || v.starts_with("<<")
                || v.contains("://")
                || v.starts_with("git@")
                || v.contains('$')
            {
                continue;
            }
            out.push(v.trim_end_matches('/').to_owned());
        }
    }
    out
}

/// Whether `source` (a COPY source, maybe a glob) names something under `context`.
fn exists(context: &Path, source: &str) -> bool {
    let first_glob = source.find(['*', '?', '[']);
    match first_glob {
        None => fs::symlink_metadata(context.join(source)).is_ok(),
        Some(at) => {
            // The part before the glob's segment must exist; what the glob matches is
            // the model's business.
            let dir = source[..at].rsplit_once('/').map_or("", |(d, _)| d);
            context.join(dir).is_dir()
        }
    }
}

/// The build context of the Dockerfile at `path`, found under `root` (see the module
/// documentation).
#[must_use]
pub fn context_of(root: &Path, path: &Path) -> Build {
    let own = path.parent().unwrap_or(root).to_path_buf();
    let text = fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let sources = local_sources(&text);
    let mut best = (own.clone(), 0usize);
    if !sources.is_empty() {
        let mut dir = Some(own.as_path());
        while let Some(d) = dir {
            let score = sources.iter().filter(|s| exists(d, s)).count();
            if score == sources.len() {
                best = (d.to_path_buf(), score);
                break;
            }
            if score > best.1 {
                best = (d.to_path_buf(), score);
            }
            if d == root || !d.starts_with(root) {
                break;
            }
            dir = d.parent();
        }
    }
    let context = best.0;
    let dockerfile = relative(&context, path);
    Build {
        context,
        dockerfile,
    }
}

/// `path` relative to `base` (which it is under), `/`-separated.
#[must_use]
pub fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dockerfile_starts_with_from_or_arg() {
        assert!(looks_like_dockerfile(
            "# syntax=docker/dockerfile:1\n\nFROM alpine\n"
        ));
        assert!(looks_like_dockerfile("ARG V=1\nFROM python:$V\n"));
        assert!(looks_like_dockerfile("from alpine"));
        assert!(!looks_like_dockerfile("package main\n"));
        assert!(!looks_like_dockerfile(
            "# How to write a Dockerfile\n\nUse FROM.\n"
        ));
        assert!(!looks_like_dockerfile(""));
    }

    #[test]
    fn sources_skip_stages_urls_heredocs_and_variables() {
        let df = "FROM alpine AS b\nFROM alpine\nCOPY --from=b /x /y\nCOPY ./a b/ /d/\nADD https://e.org/f /f\nCOPY $X /x\nCOPY <<EOF /g\nhi\nEOF\nCOPY . /app\n";
        assert_eq!(local_sources(df), ["a", "b"]);
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().expect("tempdir");
        for (rel, text) in files {
            let p = t.path().join(rel);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, text).expect("write");
        }
        t
    }

    #[test]
    fn the_context_is_the_nearest_directory_with_every_source() {
        let t = tree(&[
            // Built with `cd ops/deploy && docker build .`
            (
                "ops/deploy/Dockerfile",
                "FROM alpine\nCOPY nginx.conf /etc/nginx/\n",
            ),
            ("ops/deploy/nginx.conf", "events {}\n"),
            // Built with `docker build -f bullseye/Dockerfile-8 .` from Dockerfiles/.
            (
                "Dockerfiles/bullseye/Dockerfile-8",
                "FROM alpine\nCOPY bullseye/conf/nginx.conf /etc/nginx/\n",
            ),
            ("Dockerfiles/bullseye/conf/nginx.conf", "events {}\n"),
            // A source that is nowhere: the directory holding the most.
            (
                "x/y/Dockerfile",
                "FROM alpine\nCOPY gone.conf /etc/\nCOPY y/here.conf /etc/\n",
            ),
            ("x/y/here.conf", ""),
            ("notes/Dockerfile.md", "FROM is the first instruction\n"),
            ("node_modules/pkg/Dockerfile", "FROM alpine\n"),
            ("docs/Dockerfile", "This is not one.\n"),
            (
                "{{ cookiecutter.project }}/Dockerfile",
                "FROM alpine\nCOPY {{ cookiecutter.project }} /app\n",
            ),
        ]);
        let root = t.path();
        let (found, cut) = dockerfiles(root).expect("walk");
        assert!(!cut);
        let rel: Vec<String> = found.iter().map(|p| relative(root, p)).collect();
        assert_eq!(
            rel,
            [
                "Dockerfiles/bullseye/Dockerfile-8",
                "ops/deploy/Dockerfile",
                "x/y/Dockerfile"
            ]
        );
        let ctx: Vec<(String, String)> = found
            .iter()
            .map(|p| {
                let b = context_of(root, p);
                (relative(root, &b.context), b.dockerfile)
            })
            .collect();
        assert_eq!(
            ctx,
            [
                ("Dockerfiles".to_owned(), "bullseye/Dockerfile-8".to_owned()),
                ("ops/deploy".to_owned(), "Dockerfile".to_owned()),
                ("x".to_owned(), "y/Dockerfile".to_owned()),
            ]
        );
    }

    #[test]
    fn the_walk_stops_at_its_depth() {
        let deep = format!("{}Dockerfile", "d/".repeat(MAX_DEPTH + 1));
        let ok = format!("{}Dockerfile", "d/".repeat(MAX_DEPTH));
        let t = tree(&[
            (deep.as_str(), "FROM alpine\n"),
            (ok.as_str(), "FROM alpine\n"),
        ]);
        let (found, _) = dockerfiles(t.path()).expect("walk");
        assert_eq!(found.len(), 1);
        assert!(found[0].ends_with(&ok));
    }
}
