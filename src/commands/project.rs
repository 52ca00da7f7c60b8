//! Reads what `gen build` and `gen check` need to know of the project around a spec whose
//! apps have a `source` ([`crate::generate::project`]): where the output directory is in
//! the build context, and each app's manifests. A missing directory, manifest, lock file or
//! script is an error pointing at the spec's `source` or `entry`, before anything is
//! written. A spec without `source` reads nothing here.

use crate::diagnostic::{Diagnostic, Label, Severity, Sources};
use crate::error::{Error, Result};
use crate::generate::project::{AppFacts, Install, Project, uvicorn_pin};
use crate::parse::requirement::name as requirement_name;
use crate::parse::span::{LineIndex, Span};
use crate::spec::{AppKind, AppSource, Entry, Spec};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// How deep `-r other.txt` includes are followed to find what a requirements file installs.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Reads the facts of every app with a source in `spec`, read from `spec_path` (its text
/// `text`), whose output directory is `out`.
///
/// # Errors
/// The output directory outside the spec's directory, or an app's directory, manifest, lock
/// file or script missing: every problem, each pointing into the spec.
pub fn inspect(spec: &Spec, spec_path: &Path, text: &str, out: &Path) -> Result<Project> {
    if spec.containers.iter().all(|c| c.app.source().is_none()) {
        return Ok(Project::default());
    }
    let spec_dir = match spec_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out_from_context = out_in_context(&spec_dir, out)?;
    let depth = out_from_context.split('/').count();
    let mut project = Project {
        context_from_out: vec![".."; depth].join("/"),
        out_from_context,
        apps: std::collections::BTreeMap::new(),
    };
    let file = spec_path.display().to_string();
    let index = LineIndex::new(text);
    let mut diags = Vec::new();
    for c in &spec.containers {
        let Some(src) = c.app.source() else { continue };
        let mut problem = |span: Span, message: String, help: String| {
            let label = Label::with_index(&file, text, &index, span, "");
            diags.push(
                Diagnostic::new("SPEC005", "missing-file", Severity::Error, message, label)
                    .with_help(help),
            );
        };
        match facts(&spec_dir, c.app.kind, src, &project.out_from_context) {
            Ok(f) => {
                project.apps.insert(c.name.clone(), f);
            }
            Err((at_entry, message, help)) => {
                let span = if at_entry {
                    src.entry_span
                } else {
                    src.dir_span
                };
                problem(span, message, help);
            }
        }
    }
    if diags.is_empty() {
        Ok(project)
    } else {
        let mut sources = Sources::default();
        sources.insert(&file, text);
        Err(Error::Input {
            diagnostics: diags,
            sources,
        })
    }
}

/// The output directory relative to the spec's directory, which must hold it: the
/// Dockerfile copies gen's files (nginx.conf, ...) from there, inside the build context.
fn out_in_context(spec_dir: &Path, out: &Path) -> Result<String> {
    let outside = || {
        Error::Usage(format!(
            "the output directory `{}` is not inside `{}`, the spec's directory\n\
             help: with `app.source` the build context is the spec's directory, and the image copies gen's files from the output directory, so it must be inside it (the default `generated/` is)",
            out.display(),
            spec_dir.display()
        ))
    };
    let base = absolute(spec_dir)?;
    let out = absolute(out)?;
    let rel = out.strip_prefix(&base).map_err(|_| outside())?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_owned),
            _ => None,
        })
        .collect::<Option<_>>()
        .ok_or_else(outside)?;
    let safe = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            && !p.starts_with('-')
    };
    if parts.is_empty() {
        return Err(outside());
    }
    if !parts.iter().all(|p| safe(p)) {
        return Err(Error::Usage(format!(
            "the output directory `{}` has characters a Dockerfile `COPY` and a shell would need quoted\n\
             help: with `app.source`, name it with letters, digits and `._-` (the default is `generated`)",
            rel.display()
        )));
    }
    Ok(parts.join("/"))
}

/// `path` made absolute without following symlinks beyond what exists: the existing part is
/// canonicalized, the rest appended (the output directory may not exist yet).
fn absolute(path: &Path) -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let full = cwd.join(path);
    let mut existing = full.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            let mut p = canon;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        p.pop();
                    }
                    Component::Normal(s) => p.push(s),
                    _ => {}
                }
            }
            return Ok(p);
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return Ok(full),
        }
    }
}

type Problem = (bool, String, String);

/// One app's facts, or what is missing: (whether it is about `entry`, message, help).
fn facts(
    spec_dir: &Path,
    kind: AppKind,
    src: &AppSource,
    out: &str,
) -> std::result::Result<AppFacts, Problem> {
    let shown = &src.dir;
    if src.dir == out || src.dir.starts_with(&format!("{out}/")) {
        return Err((
            false,
            format!("`app.source` `{shown}` is inside the output directory `{out}`"),
            "gen replaces the output directory on every build: keep the app's code beside it"
                .into(),
        ));
    }
    let dir = spec_dir.join(&src.dir);
    if !dir.is_dir() {
        return Err((
            false,
            format!(
                "`app.source` `{shown}` is not a directory (`{}`)",
                dir.display()
            ),
            "write the app's directory relative to the spec's directory".into(),
        ));
    }
    let exists = |rel: &str| dir.join(rel).is_file();
    match kind {
        AppKind::Express => {
            for manifest in Install::NpmCi.manifests() {
                if !exists(manifest) {
                    return Err((
                        false,
                        format!("`app.source` `{shown}` has no `{manifest}`"),
                        format!(
                            "the image installs the app's dependencies with `npm ci`, which needs `package.json` and `package-lock.json`: run `npm install` in `{shown}` and keep both files"
                        ),
                    ));
                }
            }
            let Entry::Script(script) = &src.entry else {
                return Err((true, "`app.entry` is not a script".into(), String::new()));
            };
            if !exists(script) {
                return Err((
                    true,
                    format!("`app.entry` `{script}` is not a file in `{shown}`"),
                    "write the script Node runs, relative to `source`, e.g. `server.js`".into(),
                ));
            }
            Ok(AppFacts {
                install: Install::NpmCi,
                added: Vec::new(),
                python_path: None,
            })
        }
        AppKind::Fastapi => {
            let (install, names) = if exists("requirements.txt") {
                let mut names = BTreeSet::new();
                let mut alone = true;
                requirements(
                    &dir,
                    &dir.join("requirements.txt"),
                    0,
                    &mut names,
                    &mut alone,
                );
                (Install::Requirements { alone }, names)
            } else if exists("pyproject.toml") {
                (
                    Install::Pyproject,
                    pyproject_names(&dir.join("pyproject.toml")),
                )
            } else {
                return Err((
                    false,
                    format!("`app.source` `{shown}` has no `requirements.txt` or `pyproject.toml`"),
                    format!(
                        "the image installs the app's dependencies from its manifest: add `requirements.txt` to `{shown}` (`pip freeze > requirements.txt` in its virtual environment)"
                    ),
                ));
            };
            let added = if names.contains("uvicorn") {
                Vec::new()
            } else {
                vec![uvicorn_pin()]
            };
            let python_path = match (&src.entry, install) {
                (Entry::Asgi { module, .. }, Install::Requirements { .. }) => {
                    let m = module.replace('.', "/");
                    let found = |base: &Path| {
                        base.join(format!("{m}.py")).is_file() || base.join(&m).is_dir()
                    };
                    (!found(&dir) && found(&dir.join("src"))).then(|| "src".to_owned())
                }
                _ => None,
            };
            Ok(AppFacts {
                install,
                added,
                python_path,
            })
        }
    }
}

/// The package names a requirements file installs, following `-r` includes inside the
/// source; `alone` turns false when it names another local file.
fn requirements(
    root: &Path,
    file: &Path,
    depth: usize,
    names: &mut BTreeSet<String>,
    alone: &mut bool,
) {
    let Ok(text) = super::read(file) else {
        return;
    };
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if let Some(name) = requirement_name(line) {
            names.insert(name);
        }
        let local = line.starts_with('-') && !line.starts_with("--hash")
            || line.starts_with('.')
            || line.starts_with('/')
            || line.contains("file:");
        let option_only = [
            "--index-url",
            "-i ",
            "--extra-index-url",
            "--trusted-host",
            "--only-binary",
            "--no-binary",
            "--prefer-binary",
            "--pre",
        ]
        .iter()
        .any(|o| line.starts_with(o));
        if local && !option_only {
            *alone = false;
        }
        let include = ["-r ", "--requirement ", "-c ", "--constraint "]
            .iter()
            .find_map(|o| line.strip_prefix(o));
        if let (Some(rel), true) = (include, depth < MAX_INCLUDE_DEPTH) {
            let next = file.parent().unwrap_or(root).join(rel.trim());
            if next.starts_with(root) {
                requirements(root, &next, depth + 1, names, alone);
            }
        }
    }
}

/// The package names `pyproject.toml` lists: `[project].dependencies` and Poetry's
/// `[tool.poetry.dependencies]`. Unreadable or odd files list nothing.
fn pyproject_names(file: &Path) -> BTreeSet<String> {
    let Ok(text) = super::read(file) else {
        return BTreeSet::new();
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        return BTreeSet::new();
    };
    let mut names = BTreeSet::new();
    if let Some(deps) = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(toml::Value::as_array)
    {
        names.extend(
            deps.iter()
                .filter_map(|d| d.as_str())
                .filter_map(requirement_name),
        );
    }
    if let Some(deps) = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(toml::Value::as_table)
    {
        names.extend(deps.keys().filter_map(|k| requirement_name(k)));
    }
    names
}
