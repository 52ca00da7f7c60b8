//! What rules see: the spec (when there is one), how `generated/` differs from it, and the
//! files of each container directory as text. The command fills it in; rules only read it.
//!
//! Each [`ContainerDir`] carries its container [`Model`], built once from its files, so
//! that every rule reads the same facts; [`ContainerDir::label`] turns a fact's origin into
//! a diagnostic label. The compose projects and manifests that run the containers are
//! [`Project`]s, their services and pods linked to the containers by index.

use super::date::Date;
use super::suppress::{self, Syntax};
use crate::deploy::Project;
use crate::diagnostic::{Diagnostic, Label, Sources};
use crate::model::runtime::Server;
use crate::model::{self, Model, Origin, Source};
use crate::parse::role::Role;
use crate::spec::{Container, Spec};
use std::collections::BTreeSet;

/// Everything the rules of one `gen check` run can look at.
#[derive(Debug, Clone)]
pub struct Context {
    /// The day end-of-life tables are judged against; passed in, never read from the clock.
    pub today: Date,
    /// The spec, when checking a spec and its output (`gen check` without paths).
    pub spec: Option<SpecFile>,
    /// Each file of the output directory that differs from what the spec gives; empty
    /// without a spec.
    pub drift: Vec<FileDrift>,
    /// The container directories to lint.
    pub containers: Vec<ContainerDir>,
    /// The compose projects and Kubernetes manifests that run them.
    pub projects: Vec<Project>,
}

/// A loaded, valid spec with its text, so rules can point into it.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// The spec's path as shown in diagnostics.
    pub path: String,
    pub text: String,
    pub spec: Spec,
    /// The output directory as shown in diagnostics (`generated`).
    pub out: String,
}

/// One file of the output directory that is not what the spec gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDrift {
    /// The file's path as shown in diagnostics (`generated/fastapi-nginx/nginx.conf`).
    pub path: String,
    /// The first component of the path under the output directory: the container's name.
    pub container: String,
    pub kind: DriftKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftKind {
    /// The spec gives the file; it is not on disk.
    Missing { expected: String },
    /// On disk, but the spec does not give it.
    Extra { on_disk: String },
    /// On disk with other contents than the spec gives.
    Differs { on_disk: String, expected: String },
}

/// A container directory: a Dockerfile and the config files beside it.
#[derive(Debug, Clone)]
pub struct ContainerDir {
    /// The directory's name (`fastapi-nginx`).
    pub name: String,
    /// The directory as shown in diagnostics (`generated/fastapi-nginx`).
    pub dir: String,
    /// The spec's entry for this container, when it was generated from the spec.
    pub spec_index: Option<usize>,
    /// Every file under the directory, sorted by relative path.
    pub files: Vec<SourceFile>,
    /// What the running container will be, from those files.
    pub model: Model,
    /// The Dockerfile the model was built from, as given to [`ContainerDir::with_dockerfile`]
    /// (`None`: picked by name), so [`ContainerDir::with_texts`] builds it alike.
    dockerfile: Option<String>,
    /// The shared analyses of the rules, each worked out on first use from `files` and
    /// `model`, and kept beside them: a value with other texts is a new `ContainerDir`
    /// ([`ContainerDir::with_texts`]), whose analyses start empty.
    pub(crate) analysis: crate::lint::analysis::Cache,
}

/// One file of a container directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the container directory, with `/` separators (`conf.d/app.conf`).
    pub rel: String,
    /// The path as shown in diagnostics (`generated/fastapi-nginx/conf.d/app.conf`).
    pub path: String,
    /// The contents; `None` for a file that is not UTF-8 text or is too large to lint. The
    /// file still counts as present (a Dockerfile may `COPY` it). The model's copy of the
    /// directory's files shares it.
    pub text: Option<model::Text>,
}

impl Context {
    /// A context with nothing to check yet.
    #[must_use]
    pub const fn new(today: Date) -> Self {
        Self {
            today,
            spec: None,
            drift: Vec::new(),
            containers: Vec::new(),
            projects: Vec::new(),
        }
    }

    /// The texts the findings `diags` point into, by the path diagnostics use.
    #[must_use]
    pub fn sources(&self, diags: &[Diagnostic]) -> Sources {
        // Only the files the findings point into: indexing every file of a thousand
        // containers for a clean run would cost more than linting them.
        let wanted: BTreeSet<&str> = diags
            .iter()
            .flat_map(|d| std::iter::once(&d.primary).chain(&d.related))
            .map(|l| l.file.as_str())
            .collect();
        let mut sources = Sources::default();
        // A file of a build context several Dockerfiles share is indexed once.
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut insert = |path: &str, text: &str| {
            if wanted.contains(path) && !done.contains(path) {
                done.insert(path.to_owned());
                sources.insert(path, text);
            }
        };
        if let Some(s) = &self.spec {
            insert(&s.path, &s.text);
        }
        for d in &self.drift {
            if let DriftKind::Extra { on_disk } | DriftKind::Differs { on_disk, .. } = &d.kind {
                insert(&d.path, on_disk);
            }
        }
        for c in &self.containers {
            for f in &c.files {
                if let Some(text) = &f.text {
                    insert(&f.path, text);
                }
            }
            for (path, text) in c.packaged_sources() {
                insert(&path, text);
            }
        }
        for p in &self.projects {
            for f in &p.files {
                insert(&f.path, &f.text);
            }
        }
        sources
    }

    /// The spec's entry for a container directory, if it was generated from the spec.
    #[must_use]
    pub fn spec_container(&self, dir: &ContainerDir) -> Option<&Container> {
        let spec = self.spec.as_ref()?;
        spec.spec.containers.get(dir.spec_index?)
    }

    /// The spec's entry named `name`.
    #[must_use]
    pub fn spec_container_named(&self, name: &str) -> Option<&Container> {
        let spec = self.spec.as_ref()?;
        spec.spec.containers.iter().find(|c| c.name == name)
    }

    /// Whether `path` is a file the spec writes, so a comment in it would not survive
    /// `gen build`.
    #[must_use]
    pub fn is_generated(&self, path: &str) -> bool {
        self.drift.iter().any(|d| d.path == path)
            || self
                .containers
                .iter()
                .any(|c| c.spec_index.is_some() && c.files.iter().any(|f| f.path == path))
            || self
                .projects
                .iter()
                .any(|p| p.generated && p.files.iter().any(|f| f.path == path))
    }

    /// How the file diagnostics show as `path` writes comments: from the role the model
    /// gave it (the Dockerfile, a config nginx or supervisord reads, the app's source), and
    /// only for a file no program reads, from its name. A supervisord program file named
    /// `app.conf` takes `;` comments, though its name looks like nginx's.
    #[must_use]
    pub fn comment_syntax(&self, path: &str) -> Option<Syntax> {
        let role = self.containers.iter().find_map(|c| {
            let f = c.files.iter().find(|f| f.path == path)?;
            c.role(&f.rel)
        });
        role.map(Role::comments)
            .or_else(|| suppress::syntax_for(path))
    }

    /// The number of files checked: the spec, every readable container file, and the
    /// compose files and manifests.
    #[must_use]
    pub fn file_count(&self) -> usize {
        let files: usize = self
            .containers
            .iter()
            .map(|c| c.files.iter().filter(|f| f.text.is_some()).count())
            .sum();
        let deploy: usize = self.projects.iter().map(|p| p.files.len()).sum();
        files + deploy + usize::from(self.spec.is_some())
    }
}

impl ContainerDir {
    /// A container directory with its files, and the model built from them.
    #[must_use]
    pub fn new(
        name: String,
        dir: String,
        spec_index: Option<usize>,
        files: Vec<SourceFile>,
    ) -> Self {
        Self::with_dockerfile(name, dir, spec_index, files, None)
    }

    /// A build context with its files, whose Dockerfile is `dockerfile` (relative to the
    /// context, as `docker build -f` or compose's `build.dockerfile` name it); `None`
    /// picks it by name.
    #[must_use]
    pub fn with_dockerfile(
        name: String,
        dir: String,
        spec_index: Option<usize>,
        files: Vec<SourceFile>,
        dockerfile: Option<&str>,
    ) -> Self {
        let mut input = model::Files::new();
        for f in &files {
            input.insert_text(&f.rel, f.text.clone());
        }
        let model = model::build_owned(input, dockerfile);
        Self {
            name,
            dir,
            spec_index,
            files,
            model,
            dockerfile: dockerfile.map(str::to_owned),
            analysis: crate::lint::analysis::Cache::default(),
        }
    }

    /// This directory with the files that `texts` names (by the path diagnostics show)
    /// holding those texts: a new value whose model and analyses are built from them, the
    /// Dockerfile picked as before. Nothing worked out from the old texts is kept; a
    /// directory whose files `texts` does not name is returned as it is, analyses and all.
    #[must_use]
    pub fn with_texts(self, texts: &std::collections::BTreeMap<String, String>) -> Self {
        if !self.files.iter().any(|f| texts.contains_key(&f.path)) {
            return self;
        }
        let files = self
            .files
            .into_iter()
            .map(|mut f| {
                if let Some(t) = texts.get(&f.path) {
                    f.text = Some(t.as_str().into());
                }
                f
            })
            .collect();
        Self::with_dockerfile(
            self.name,
            self.dir,
            self.spec_index,
            files,
            self.dockerfile.as_deref(),
        )
    }

    /// A container directory `name` from in-memory texts by relative path (tests, fuzzing,
    /// and tools that lint files they did not read from a directory).
    #[must_use]
    pub fn from_texts(name: &str, files: &[(&str, &str)]) -> Self {
        let files = files
            .iter()
            .map(|(rel, text)| SourceFile {
                rel: (*rel).to_owned(),
                path: format!("{name}/{rel}"),
                text: Some((*text).into()),
            })
            .collect();
        Self::new(name.to_owned(), name.to_owned(), None, files)
    }

    /// How a packaged file is shown in diagnostics: its image path, and whose default it is.
    #[must_use]
    pub fn packaged_path(distro: &str, path: &str) -> String {
        format!("{path} (packaged by {distro})")
    }

    /// The packaged files the model read, by the path diagnostics show for them.
    fn packaged_sources(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for (path, entry) in self.model.image.iter() {
            if let model::EntryKind::Packaged {
                text: Some(text),
                distro,
                ..
            } = &entry.kind
            {
                out.push((Self::packaged_path(distro, path), *text));
            }
        }
        out
    }

    /// A label at a fact's origin: a span of one of this directory's files, or of a packaged
    /// config. `None` for built-in defaults and assumptions, which have no place to show.
    #[must_use]
    pub fn label(&self, origin: &Origin, message: impl Into<String>) -> Option<Label> {
        match origin {
            Origin::File { file, span } => {
                let f = self.file(file)?;
                let text = f.text.as_deref()?;
                Some(Label::new(&f.path, text, *span, message))
            }
            Origin::Packaged { distro, path, span } => {
                let text = self.model.packaged_text(path)?;
                Some(Label::new(
                    &Self::packaged_path(distro, path),
                    text,
                    *span,
                    message,
                ))
            }
            Origin::Default { .. } | Origin::Assumed { .. } => None,
        }
    }

    /// A label at a fact's origin, or, when it has none, on the first line of the file that
    /// `fallback` names (relative path), or of the directory's Dockerfile.
    #[must_use]
    pub fn label_or(&self, origin: &Origin, fallback: &str, message: impl Into<String>) -> Label {
        let message = message.into();
        if let Some(l) = self.label(origin, message.clone()) {
            return l;
        }
        let path = self
            .file(fallback)
            .or_else(|| self.file("Dockerfile"))
            .map_or_else(|| self.dir.clone(), |f| f.path.clone());
        Label::file(&path, message)
    }

    /// The role of the file at `rel` from what the model read it as; `None` for a file it
    /// did not read (then its name is the only guess).
    #[must_use]
    pub fn role(&self, rel: &str) -> Option<Role> {
        let m = &self.model;
        let local = |s: &Source| matches!(s, Source::Local(f) if f == rel);
        if m.dockerfile.as_ref().is_some_and(|d| d.file == rel) {
            return Some(Role::Dockerfile);
        }
        if m.supervisor
            .iter()
            .flat_map(|s| &s.files)
            .any(|f| local(&f.source))
        {
            return Some(Role::Supervisord);
        }
        if m.nginx
            .iter()
            .flat_map(|n| &n.files)
            .any(|f| local(&f.source))
        {
            return Some(Role::Nginx);
        }
        let app = m
            .apps
            .iter()
            .find(|a| a.source.as_ref().is_some_and(|s| s.file == rel))?;
        match app.runtime.server()? {
            Server::Node => Some(Role::JavaScript),
            _ => Some(Role::Python),
        }
    }

    /// The file at `rel` (relative to the directory), if present.
    #[must_use]
    pub fn file(&self, rel: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.rel == rel)
    }
}
