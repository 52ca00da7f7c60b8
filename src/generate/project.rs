//! What gen knows of the project around a spec whose apps have a `source`: the build
//! context (the spec's directory) relative to the output directory, and per app how its
//! dependencies are installed and what gen adds for the app server. The commands read these
//! facts from disk ([`crate::commands::project`]); the generators stay pure functions of the
//! spec and these facts.

use std::collections::BTreeMap;

/// The build context and the facts of each app with a source, by container name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// From the output directory to the build context (the spec's directory), `/`-separated:
    /// `..` for the default `generated/` beside the spec.
    pub context_from_out: String,
    /// From the build context to the output directory: `generated` by default.
    pub out_from_context: String,
    pub apps: BTreeMap<String, AppFacts>,
}

impl Default for Project {
    /// The default layout: `generated/` beside the spec, no app with a source.
    fn default() -> Self {
        Self {
            context_from_out: "..".to_owned(),
            out_from_context: "generated".to_owned(),
            apps: BTreeMap::new(),
        }
    }
}

/// How one app with a source is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFacts {
    pub install: Install,
    /// Pinned packages gen installs beside the app's own because its manifest lacks them
    /// (uvicorn, which runs a FastAPI app).
    pub added: Vec<String>,
    /// uvicorn's `--app-dir`, relative to the source: `src` when the entry's module is found
    /// only under `src/` and nothing installs the project.
    pub python_path: Option<String>,
}

/// The manifest the image installs the app's dependencies from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// `pip install -r requirements.txt`. `alone`: the file names no other local file (`-r`,
    /// `-c`, `-e .`, a path), so it is copied and installed before the sources, and a source
    /// change does not reinstall the dependencies.
    Requirements { alone: bool },
    /// `pip install` of the project itself, which needs its sources.
    Pyproject,
    /// `npm ci` from `package.json` and `package-lock.json`.
    NpmCi,
}

impl Install {
    /// The manifest files, relative to the source.
    #[must_use]
    pub const fn manifests(self) -> &'static [&'static str] {
        match self {
            Self::Requirements { .. } => &["requirements.txt"],
            Self::Pyproject => &["pyproject.toml"],
            Self::NpmCi => &["package.json", "package-lock.json"],
        }
    }
}

/// The uvicorn release gen pins for an app whose manifest lacks it: the starter app's, so
/// one version is tested.
#[must_use]
pub fn uvicorn_pin() -> String {
    include_str!("../../templates/requirements.txt")
        .lines()
        .find(|l| l.starts_with("uvicorn=="))
        .unwrap_or("uvicorn")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uvicorn_is_pinned() {
        assert!(uvicorn_pin().starts_with("uvicorn=="));
    }
}
