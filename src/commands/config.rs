//! `gen.toml` (or `.gen.toml`): the settings of `gen check` for a project without a spec,
//! found as ruff finds `ruff.toml`: in the checked directory or the nearest one above it. It
//! holds a `[check]` table: `ignore` and `select` (codes or names), `severity` (a rule's
//! severity, `"error"` or `"warning"`) and `per-file-ignores` (globs relative to the config
//! file's directory, each with the rules it allows there). The spec's `[check]` takes the
//! same keys and is applied the same way ([`Config::from_check`]).
//!
//! Globs are matched with the project's own `model::glob` (`*` and `?` stay within a path
//! component, `**` crosses them, as in .dockerignore): it is the matcher gen already tests
//! against the programs it models, and a new crate would add nothing these patterns need.

use crate::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::lint;
use crate::lint::removed::Key;
use crate::model::glob::{self, Dots};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The names looked for in each directory, in order.
pub const NAMES: &[&str] = &["gen.toml", ".gen.toml"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    check: Option<RawCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// A loaded config file, every rule resolved to its code.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub ignore: Vec<&'static str>,
    pub select: Vec<&'static str>,
    pub severity: Vec<(&'static str, Severity)>,
    /// Each glob with the codes it allows.
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
    /// Renamed or removed rules in its ignore lists, one line each.
    pub warnings: Vec<String>,
}

/// The config file for `start` (a directory or a file): in its directory or the nearest
/// one above.
#[must_use]
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = super::vfs::key(start);
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        for name in NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                // Shown relative to the current directory when it is under it.
                let cwd = std::env::current_dir().ok().map(|c| super::vfs::key(&c));
                return Some(
                    cwd.and_then(|c| candidate.strip_prefix(c).ok().map(Path::to_path_buf))
                        .unwrap_or(candidate),
                );
            }
        }
        dir = d.parent();
    }
    None
}

/// The config file in force for `start` (see [`find`]), loaded; `None` when there is none.
///
/// # Errors
/// As [`load`].
pub fn near(start: &Path) -> Result<Option<Config>> {
    find(start).map(|p| load(&p)).transpose()
}

/// Reads and checks the config file at `path`.
///
/// # Errors
/// When it cannot be read, is not valid TOML of this shape, or names an unknown rule or
/// severity: the message names the file and, for TOML errors, the line and column.
pub fn load(path: &Path) -> Result<Config> {
    let text = super::read(path)?;
    let shown = path.display();
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "`{shown}` is not a valid gen config: {}",
            e.to_string().trim_end()
        ))
    })?;
    let Some(check) = raw.check else {
        return Ok(Config {
            path: path.to_path_buf(),
            ..Config::default()
        });
    };
    let mut warnings = Vec::new();
    // An ignore list takes an old code with a warning (a renamed one allows its new rule, a
    // removed one nothing); elsewhere a removed code is an error, since it would select
    // nothing.
    let mut rules = |keys: &[String], at: &str, ignore: bool| -> Result<Vec<&'static str>> {
        let mut codes = Vec::new();
        for k in keys {
            let found = Key::lookup(k);
            match found {
                Key::Rule(rule) => codes.push(rule.code),
                Key::Renamed(_, rule) => codes.push(rule.code),
                Key::Removed(_) if ignore => {}
                Key::Removed(_) | Key::Unknown => {
                    return Err(Error::Usage(format!(
                        "unknown rule `{k}` in `{at}` of `{shown}`\nhelp: {}",
                        lint::UnknownRule::new(k, "").help()
                    )));
                }
            }
            warnings.extend(found.warning(k, at).map(|w| format!("{w} (in `{shown}`)")));
        }
        Ok(codes)
    };
    let ignore = rules(&check.ignore, "check.ignore", true)?;
    let select = rules(&check.select, "check.select", false)?;
    let mut per_file_ignores = Vec::new();
    for (pattern, keys) in &check.per_file_ignores {
        per_file_ignores.push((
            pattern.clone(),
            rules(keys, "check.per-file-ignores", true)?,
        ));
    }
    let mut severity = Vec::new();
    for (key, level) in &check.severity {
        let [code] = rules(std::slice::from_ref(key), "check.severity", false)?[..] else {
            continue;
        };
        let sev = match level.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            other => {
                return Err(Error::Usage(format!(
                    "`check.severity.{key}` in `{shown}` is `{other}`: write \"error\" or \"warning\""
                )));
            }
        };
        severity.push((code, sev));
    }
    Ok(Config {
        path: path.to_path_buf(),
        ignore,
        select,
        severity,
        per_file_ignores,
        warnings,
    })
}

impl Config {
    /// The `[check]` table of the spec at `spec`, as a config.
    #[must_use]
    pub fn from_check(check: &crate::spec::Check, spec: &Path) -> Self {
        Self {
            path: spec.to_path_buf(),
            ignore: check.ignore.clone(),
            select: check.select.clone(),
            severity: check.severity.clone(),
            per_file_ignores: check.per_file_ignores.clone(),
            warnings: check.warnings.clone(),
        }
    }

    /// Whether a `per-file-ignores` entry allows `code` in the file at `file` (as shown in
    /// diagnostics, relative to the current directory).
    #[must_use]
    pub fn allows(&self, code: &str, file: &str) -> bool {
        let Some(parent) = self.path.parent() else {
            return false;
        };
        let base = super::vfs::key(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        });
        let abs = super::vfs::key(Path::new(file));
        let Ok(rel) = abs.strip_prefix(&base) else {
            return false;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        self.per_file_ignores.iter().any(|(pattern, codes)| {
            codes.contains(&code) && glob::matches(pattern, &rel, Dots::Match)
        })
    }

    /// The severity the config gives `code`, if it gives one.
    #[must_use]
    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, s)| *s)
    }
}
