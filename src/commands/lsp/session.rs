//! The server's state: the open documents (overlaid on the disk), the containers to lint
//! again, and each container's latest findings and where they were published.
//!
//! A container (or compose project) is the unit of work: the directory
//! [`check::container_of`] gives for a file, as `gen check FILE` finds it. Each file is
//! published by the one unit that owns it, the nearest; a compose project owns its compose
//! file, its manifests and the files of no container of its own. A `spec.toml` is a unit of
//! its own, checked as `gen build` reads it.

use super::cache::Cache;
use super::{actions, check, diagnostics, hover, notification, unknown_method, uri};
use crate::commands::config::{self, Config};
use crate::commands::vfs::{self, Vfs};
use crate::diagnostic::{Diagnostic, Sources};
use crate::lint::{self, Context, date::Date, docs};
use lsp_server::{Notification, Request, Response};
use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, MessageType, PublishDiagnosticsParams, ShowMessageParams,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One lint of a unit, kept for hover and code actions until the next.
#[derive(Debug)]
pub struct Linted {
    pub ctx: Context,
    pub diags: Vec<Diagnostic>,
    pub sources: Sources,
    /// The paths of the files read, which an editor can open (a distribution's packaged
    /// config, shown by its image path, is not one).
    pub files: BTreeSet<String>,
}

impl Linted {
    /// The text gen linted for the file at `path`.
    #[must_use]
    pub fn text(&self, path: &str) -> Option<&str> {
        read(&self.ctx).find_map(|(p, text)| (p == path).then_some(text).flatten())
    }
}

/// Every file a lint of `ctx` read, the containers' then the projects' (compose files and
/// manifests), by its path as diagnostics show it, with its text when it is text.
fn read(ctx: &Context) -> impl Iterator<Item = (&str, Option<&str>)> {
    let containers = ctx
        .containers
        .iter()
        .flat_map(|c| c.files.iter().map(|f| (f.path.as_str(), f.text.as_deref())));
    let projects = ctx.projects.iter().flat_map(|p| {
        p.files
            .iter()
            .map(|f| (f.path.as_str(), Some(f.text.as_str())))
    });
    containers.chain(projects)
}

#[derive(Debug, Default)]
struct Unit {
    linted: Option<Linted>,
    /// The files last published with findings: each gets an empty list when its findings
    /// are gone.
    published: BTreeSet<PathBuf>,
    /// Bumped by every change to a file of the unit; a lint started at an older one is
    /// stale.
    generation: u64,
}

#[derive(Debug)]
pub struct Session {
    today: Date,
    /// The workspace folders (or root) the client opened, for the log: what is linted is
    /// found from each file, as `gen check FILE` finds it, so a file outside them works too.
    pub roots: Vec<PathBuf>,
    /// The open documents, by path (absolute, normalised), over the disk.
    vfs: Vfs,
    open: BTreeSet<PathBuf>,
    units: BTreeMap<PathBuf, Unit>,
    dirty: BTreeSet<PathBuf>,
    /// Where the rules' explanations are written, for the diagnostics' code links.
    explain_dir: Option<PathBuf>,
    /// Lint results dropped because the unit changed while they were made.
    pub stale_runs: u64,
    /// The last spec read for its `[check]`: its path and text, and what it gave.
    spec_cache: Option<(PathBuf, String, Option<Config>)>,
    /// The containers read at the last lints, with their models and findings.
    pub cache: Cache,
}

impl Session {
    #[must_use]
    pub fn new(params: &serde_json::Value, today: Date) -> Self {
        Self {
            today,
            roots: roots(params),
            vfs: Vfs::default(),
            open: BTreeSet::new(),
            units: BTreeMap::new(),
            dirty: BTreeSet::new(),
            explain_dir: write_explanations(),
            stale_runs: 0,
            spec_cache: None,
            cache: Cache::default(),
        }
    }

    /// Applies a notification: an opened, changed, saved or closed document marks its unit
    /// for linting.
    pub fn notify(&mut self, note: &Notification) {
        let path = match note.method.as_str() {
            "textDocument/didOpen" => parse::<DidOpenTextDocumentParams>(note).and_then(|p| {
                let path = uri::to_path(&p.text_document.uri)?;
                let text = within_limit(&path, p.text_document.text)?;
                self.vfs.insert(&path, text);
                self.open.insert(vfs::key(&path));
                Some(path)
            }),
            "textDocument/didChange" => {
                parse::<DidChangeTextDocumentParams>(note).and_then(|p| {
                    let path = uri::to_path(&p.text_document.uri)?;
                    // Full sync: the last change holds the whole text.
                    let text = p.content_changes.into_iter().last()?.text;
                    self.vfs.insert(&path, within_limit(&path, text)?);
                    Some(path)
                })
            }
            "textDocument/didSave" => parse::<DidSaveTextDocumentParams>(note)
                .and_then(|p| uri::to_path(&p.text_document.uri)),
            "textDocument/didClose" => parse::<DidCloseTextDocumentParams>(note).and_then(|p| {
                let path = uri::to_path(&p.text_document.uri)?;
                self.vfs.remove(&path);
                self.open.remove(&vfs::key(&path));
                Some(path)
            }),
            _ => None,
        };
        let Some(path) = path else { return };
        let Some(unit) = unit_of(&path) else {
            // A file in no container has nothing of gen's to show.
            return;
        };
        self.units.entry(unit.clone()).or_default().generation += 1;
        self.dirty.insert(unit);
    }

    /// The next unit to lint, and its generation now.
    pub fn next_dirty(&mut self) -> Option<(PathBuf, u64)> {
        let unit = self.dirty.pop_first()?;
        let generation = self.generation(&unit);
        Some((unit, generation))
    }

    #[must_use]
    pub fn generation(&self, unit: &Path) -> u64 {
        self.units.get(unit).map_or(0, |u| u.generation)
    }

    /// Lints the unit at `dir` with the open documents overlaid, under the settings in
    /// force for it; an error (a `gen.toml` that does not load) is the message to show.
    pub fn lint(&mut self, dir: &Path) -> Result<Linted, String> {
        if is_spec(dir) {
            return Ok(self.lint_spec(dir));
        }
        let mut configs: Vec<Config> = config::near(dir)
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        configs.extend(self.spec_check(dir));
        let configs: Vec<&Config> = configs.iter().collect();
        let mut rules = lint::RULES.to_vec();
        check::configured(&mut rules, &configs);
        let linted = self.cache.lint(dir, &self.vfs, self.today, &rules);
        // Only the containers of units with an open document are kept.
        let open: BTreeSet<PathBuf> = self.open.iter().filter_map(|f| unit_of(f)).collect();
        self.cache.retain(|unit| open.contains(unit));
        let (ctx, outcome) = linted.map_err(|e| e.to_string())?;
        let outcome = check::offered(&ctx, outcome, &configs);
        let sources = ctx.sources(&outcome.diagnostics);
        let files = read(&ctx).map(|(path, _)| path.to_owned()).collect();
        Ok(Linted {
            ctx,
            diags: outcome.diagnostics,
            sources,
            files,
        })
    }

    /// A spec alone: the problems `gen build` would refuse it for. (How `generated/`
    /// differs from it is `gen check`'s to say: rendering every container on each
    /// keystroke is more than an editor should wait for.)
    fn lint_spec(&self, path: &Path) -> Linted {
        let text = match self.vfs.get(path) {
            Some(t) => t.to_owned(),
            None => std::fs::read_to_string(path).unwrap_or_default(),
        };
        let file = path.display().to_string();
        let diags = crate::spec::load(&file, &text)
            .err()
            .map(|e| e.diagnostics)
            .unwrap_or_default();
        let mut sources = Sources::default();
        sources.insert(&file, &text);
        Linted {
            ctx: Context::new(self.today),
            diags,
            sources,
            files: BTreeSet::from([file]),
        }
    }

    /// The spec's `[check]`, for a unit under the output directory (`generated/`) of a
    /// `spec.toml`, as `gen check` applies it to the spec's containers. An invalid spec
    /// gives none: its problems are `gen build`'s to report.
    fn spec_check(&mut self, dir: &Path) -> Option<Config> {
        let root = dir
            .ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == "generated"))?
            .parent()?;

        let path = root.join("spec.toml");
        let text = match self.vfs.get(&path) {
            Some(t) => t.to_owned(),
            None => std::fs::read_to_string(&path).ok()?,
        };
        // Read anew only when its text changed: a spec of many containers takes a while to
        // validate, and an edit of a container leaves it alone.
        if let Some((_, _, config)) = self
            .spec_cache
            .as_ref()
            .filter(|(p, t, _)| *p == path && *t == text)
        {
            return config.clone();
        }
        let config = crate::spec::load(&path.display().to_string(), &text)
            .ok()
            .map(|spec| Config::from_check(&spec.check, &path));
        self.spec_cache = Some((path, text, config.clone()));
        config
    }

    /// The notifications that publish a lint of `unit`: the findings of each file it owns
    /// that has findings now, had some at the last publish, or is open.
    pub fn publish(&mut self, unit: &Path, linted: Result<Linted, String>) -> Vec<Notification> {
        let linted = match linted {
            Ok(l) => l,
            Err(message) => {
                return vec![notification(
                    "window/showMessage",
                    ShowMessageParams {
                        typ: MessageType::ERROR,
                        message: format!("gen: {message}"),
                    },
                )];
            }
        };
        let owned = if is_spec(unit) {
            BTreeSet::from([unit.to_path_buf()])
        } else {
            owned_files(unit, &linted.ctx)
        };
        let mut by_file = diagnostics::by_file(
            &linted.diags,
            &linted.sources,
            &linted.files,
            self.explain_dir.as_deref(),
        );
        by_file.retain(|f, _| owned.contains(f));
        let state = self.units.entry(unit.to_path_buf()).or_default();
        let mut files: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
        files.extend(state.published.iter().cloned());
        files.extend(self.open.iter().filter(|f| owned.contains(*f)).cloned());
        let mut out = Vec::new();
        for file in &files {
            let Some(uri) = diagnostics::uri_of(file) else {
                continue;
            };
            out.push(notification(
                "textDocument/publishDiagnostics",
                PublishDiagnosticsParams {
                    uri,
                    diagnostics: by_file.get(file).cloned().unwrap_or_default(),
                    version: None,
                },
            ));
        }
        state.published = by_file.into_keys().collect();
        state.linted = Some(linted);
        out
    }

    /// The answer to a request: hover and code actions from the latest lint of the
    /// document's unit.
    pub fn answer(&self, req: &Request) -> Response {
        let result = match req.method.as_str() {
            "textDocument/hover" => serde_json::from_value(req.params.clone())
                .ok()
                .map(|p| serde_json::to_value(hover::hover(self, &p))),
            "textDocument/codeAction" => serde_json::from_value(req.params.clone())
                .ok()
                .map(|p| serde_json::to_value(actions::actions(self, &p))),
            _ => return unknown_method(req),
        };
        match result {
            Some(Ok(value)) => Response::new_ok(req.id.clone(), value),
            _ => Response::new_err(
                req.id.clone(),
                lsp_server::ErrorCode::InvalidParams as i32,
                format!("gen could not read the parameters of `{}`", req.method),
            ),
        }
    }

    /// The latest lint of the unit that owns the document at `path`, with the path as
    /// diagnostics name it.
    #[must_use]
    pub fn linted_for(&self, path: &Path) -> Option<(&Linted, String)> {
        let key = vfs::key(path);
        let linted = self.units.get(&unit_of(&key)?)?.linted.as_ref()?;
        Some((linted, key.display().to_string()))
    }
}

/// The largest buffer linted: the most `gen check` reads of a file on disk.
const MAX_BUFFER: usize = 16 << 20;

/// `text`, when it is small enough to lint; else `None`, said on stderr (the client's log),
/// and the container keeps its last findings.
fn within_limit(path: &Path, text: String) -> Option<String> {
    if text.len() > MAX_BUFFER {
        crate::errln!(
            "gen lsp: `{}` is larger than {} MiB: not linted",
            path.display(),
            MAX_BUFFER >> 20
        );
        return None;
    }
    Some(text)
}

/// The unit that owns the file at `path`: a spec is its own; any other file belongs to
/// the container (or compose project) `gen check FILE` would check.
fn unit_of(path: &Path) -> Option<PathBuf> {
    let key = vfs::key(path);
    if is_spec(&key) {
        return Some(key);
    }
    check::container_of(&key).ok().map(|d| vfs::key(&d))
}

fn is_spec(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "spec.toml")
}

/// The workspace folders of `initialize`'s parameters, else its root URI.
fn roots(params: &serde_json::Value) -> Vec<PathBuf> {
    let Ok(params) = serde_json::from_value::<lsp_types::InitializeParams>(params.clone()) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = params
        .workspace_folders
        .unwrap_or_default()
        .iter()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    #[allow(deprecated)] // `root_uri` is what clients before workspace folders send.
    if out.is_empty() {
        out.extend(params.root_uri.as_ref().and_then(uri::to_path));
    }
    out.iter().map(|p| vfs::key(p)).collect()
}

fn parse<T: serde::de::DeserializeOwned>(note: &Notification) -> Option<T> {
    serde_json::from_value(note.params.clone()).ok()
}

/// The files `unit` publishes: every file it read, less those of a container directory
/// nested in it, which that container publishes.
fn owned_files(unit: &Path, ctx: &Context) -> BTreeSet<PathBuf> {
    let nested: Vec<PathBuf> = ctx
        .containers
        .iter()
        .map(|c| vfs::key(Path::new(&c.dir)))
        .filter(|d| d != unit)
        .collect();
    read(ctx)
        .map(|(p, _)| vfs::key(Path::new(p)))
        .filter(|p| !nested.iter().any(|d| p.starts_with(d)))
        .collect()
}

/// Writes `gen explain`'s text of every rule to `<cache>/gen/<version>/rules/CODE.md`
/// (`$XDG_CACHE_HOME`, else `~/.cache`), so a diagnostic's code can link to it in any
/// editor; `None` (no links) when there is no cache directory to write to.
fn write_explanations() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    let dir = cache
        .join("gen")
        .join(env!("CARGO_PKG_VERSION"))
        .join("rules");
    std::fs::create_dir_all(&dir).ok()?;
    for rule in lint::RULES {
        let path = dir.join(format!("{}.md", rule.code));
        let text = docs::explain(rule);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).ok()?;
        }
    }
    Some(vfs::key(&dir))
}
