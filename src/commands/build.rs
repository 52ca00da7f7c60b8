//! `gen build`: load the spec, render every container, and either swap the new tree in as a
//! whole or, with `--check`, show how the output directory differs and write nothing.

use crate::cli::BuildArgs;
use crate::diagnostic::Sources;
use crate::error::{Error, Result};
use crate::generate::{self, GeneratedFile, MANIFEST};
use crate::spec::{self, Spec};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// Loads and validates the spec at `path`; a bad spec becomes an input error with the spec's
/// text attached, so it renders with the offending line.
///
/// # Errors
/// When the spec cannot be read or is invalid.
pub fn load_spec(path: &Path) -> Result<(Spec, String)> {
    if !path.exists() {
        return Err(Error::Usage(format!(
            "there is no `{}`: gen builds the containers a spec describes\n\
             help: run `gen init` to start a project here, or pass `--spec PATH`",
            path.display()
        )));
    }
    let text = super::read(path)?;
    let file = path.display().to_string();
    match spec::load(&file, &text) {
        Ok(spec) => Ok((spec, text)),
        Err(e) => {
            let mut sources = Sources::default();
            sources.insert(&file, &text);
            Err(Error::Input {
                diagnostics: e.diagnostics,
                sources,
            })
        }
    }
}

/// From how many containers `gen build` shows a progress line.
const PROGRESS_FROM: usize = 50;

/// How one file of the output directory compares with what the spec gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated {
        old: String,
    },
    Unchanged,
    /// On disk, but the spec no longer produces it.
    Removed {
        old: String,
    },
}

/// Compares the files on disk with the generated ones, by path relative to the output dir.
#[must_use]
pub fn compare(
    on_disk: &BTreeMap<PathBuf, Vec<u8>>,
    files: &[GeneratedFile],
) -> Vec<(PathBuf, Change)> {
    let mut out: Vec<(PathBuf, Change)> = files
        .iter()
        .map(|f| {
            let change = match on_disk.get(&f.path) {
                None => Change::Created,
                Some(old) if old.as_slice() == f.contents.as_bytes() => Change::Unchanged,
                Some(old) => Change::Updated {
                    old: String::from_utf8_lossy(old).into_owned(),
                },
            };
            (f.path.clone(), change)
        })
        .collect();
    // A set of the generated paths: scanning `files` for each file on disk made a build or
    // check of 1,000 containers (7,500 files) quadratic, seconds in path comparisons.
    let generated: HashSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    for (path, old) in on_disk {
        if !generated.contains(path.as_path()) {
            out.push((
                path.clone(),
                Change::Removed {
                    old: String::from_utf8_lossy(old).into_owned(),
                },
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Reads every regular file under `dir` (relative paths), not following symlinks. A missing
/// directory reads as empty.
///
/// # Errors
/// When a directory or file exists but cannot be read.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        let entries = fs::read_dir(&abs).map_err(|e| Error::io("read directory", &abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read directory", &abs, e))?;
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("inspect", entry.path(), e))?;
            let rel = rel.join(entry.file_name());
            if kind.is_dir() {
                stack.push(rel);
            } else if kind.is_file() {
                let len = entry.metadata().map_or(0, |m| m.len());
                if len > super::MAX_FILE_BYTES {
                    return Err(Error::Usage(format!(
                        "`{}` is larger than {} MiB, more than gen reads: gen never writes such a file; remove it from the output directory",
                        entry.path().display(),
                        super::MAX_FILE_BYTES >> 20
                    )));
                }
                let bytes =
                    fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

pub fn run(args: &BuildArgs) -> Result<u8> {
    let (spec, text) = load_spec(&args.spec)?;
    let project = super::project::inspect(&spec, &args.spec, &text, &args.out)?;
    // A progress line for large specs, on a terminal only (it is redrawn in place).
    let show = spec.containers.len() >= PROGRESS_FROM && std::io::stderr().is_terminal();
    let files = generate::generate_with_progress(&spec, &project, &mut |done, total| {
        if show && (done % 10 == 0 || done == total) {
            crate::err!("\r  rendering {done}/{total} containers");
            if done == total {
                crate::errln!();
            }
        }
    })?;
    let on_disk = read_tree(&args.out)?;
    let changes = compare(&on_disk, &files);
    let out = args.out.display();
    if args.check {
        let mut drift = 0;
        for (path, change) in &changes {
            let shown = args.out.join(path);
            let shown = shown.display();
            match change {
                Change::Unchanged => {}
                Change::Created => {
                    drift += 1;
                    crate::outln!("missing: {shown} (the spec gives it)");
                }
                Change::Removed { .. } => {
                    drift += 1;
                    crate::outln!("extra: {shown} (the spec does not give it)");
                }
                Change::Updated { old } => {
                    drift += 1;
                    let new = files
                        .iter()
                        .find(|f| &f.path == path)
                        .map_or("", |f| f.contents.as_str());
                    crate::out!("{}", unified_diff(old, new, &shown.to_string()));
                }
            }
        }
        if drift == 0 {
            crate::outln!("{out} is up to date with {}", args.spec.display());
            return Ok(0);
        }
        crate::outln!(
            "{out} differs from what {} gives in {drift} file{}; run `gen build` to update it",
            args.spec.display(),
            if drift == 1 { "" } else { "s" }
        );
        return Ok(1);
    }
    let edits = edited(&on_disk, &files);
    if !edits.is_empty() && !args.force {
        for path in &edits {
            let shown = args.out.join(path).display().to_string();
            let old = on_disk
                .get(path)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            match files.iter().find(|f| &f.path == path) {
                Some(new) => crate::err!("{}", unified_diff(&old, &new.contents, &shown)),
                None => crate::errln!("{shown} would be removed: the spec does not give it"),
            }
        }
        let n = edits.len();
        crate::errln!(
            "error: {n} file{} in {out} changed since gen wrote {}:",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        );
        for path in &edits {
            crate::errln!("  {}", args.out.join(path).display());
        }
        crate::errln!(
            "help: move your changes into the spec, or run `gen build --force` to overwrite them; nothing was written"
        );
        return Ok(2);
    }
    let count = |want: fn(&Change) -> bool| changes.iter().filter(|(_, c)| want(c)).count();
    let created = count(|c| matches!(c, Change::Created));
    let updated = count(|c| matches!(c, Change::Updated { .. }));
    let removed = count(|c| matches!(c, Change::Removed { .. }));
    let unchanged = count(|c| matches!(c, Change::Unchanged));
    if created + updated + removed > 0 {
        write_atomic(&args.out, &files)?;
    }
    for (path, change) in &changes {
        let what = match change {
            Change::Created => "created",
            Change::Updated { .. } => "updated",
            Change::Removed { .. } => "removed",
            Change::Unchanged if args.verbose => "unchanged",
            Change::Unchanged => continue,
        };
        crate::outln!("{what:>9} {}", args.out.join(path).display());
    }
    crate::outln!(
        "{out}: {} container{}, {created} created, {updated} updated, {removed} removed, {unchanged} unchanged",
        spec.containers.len(),
        if spec.containers.len() == 1 { "" } else { "s" },
    );
    // What the images install beyond the apps' own manifests, said once per build.
    for (name, facts) in &project.apps {
        if !facts.added.is_empty() {
            crate::outln!(
                "{name}: the image adds {} (the app server; {} does not list it)",
                facts.added.join(", "),
                facts.install.manifests().join(" and ")
            );
        }
    }
    Ok(0)
}

/// Files on disk that a build would overwrite or remove although gen did not write them as
/// they are now: their content matches neither what the spec gives now nor the hash the
/// manifest recorded when gen last wrote them. Those are a person's edits (or files a person
/// added), and a build must not lose them silently.
#[must_use]
pub fn edited(on_disk: &BTreeMap<PathBuf, Vec<u8>>, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let recorded = on_disk
        .get(Path::new(MANIFEST))
        .map(|m| generate::parse_manifest(&String::from_utf8_lossy(m)))
        .unwrap_or_default();
    let generated: HashMap<&Path, &[u8]> = files
        .iter()
        .map(|f| (f.path.as_path(), f.contents.as_bytes()))
        .collect();
    on_disk
        .iter()
        .filter(|(path, _)| path.as_path() != Path::new(MANIFEST))
        .filter(|(path, bytes)| {
            let same_as_new = generated.get(path.as_path()) == Some(&bytes.as_slice());
            let as_gen_wrote = recorded
                .get(*path)
                .is_some_and(|h| *h == generate::sha256_hex(bytes));
            !same_as_new && !as_gen_wrote
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// A unified diff of `old` (on disk) against `new` (what the spec gives).
#[must_use]
pub fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name} (on disk)"),
            &format!("{name} (from the spec)"),
        )
        .to_string()
}

/// Writes the whole tree beside `out`, then swaps it in with one atomic exchange of the two
/// directories (Linux `renameat2(RENAME_EXCHANGE)`), so a reader, or a build killed at any
/// moment, sees either the complete old tree or the complete new one. Where the exchange is
/// not supported, it falls back to two renames.
pub(super) fn write_atomic(out: &Path, files: &[GeneratedFile]) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = out
        .file_name()
        .map_or_else(|| "generated".into(), |n| n.to_string_lossy().into_owned());
    let pid = std::process::id();
    let staging = parent.join(format!(".{base}.new-{pid}"));
    remove_leftovers(&parent, &base);
    let write_all = || -> Result<()> {
        for f in files {
            let path = staging.join(&f.path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
            }
            fs::write(&path, &f.contents).map_err(|e| Error::io("write", &path, e))?;
        }
        Ok(())
    };
    if let Err(e) = write_all() {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if !out.exists() {
        return fs::rename(&staging, out).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            Error::io("move into place", out, e)
        });
    }
    let exchanged = rustix::fs::renameat_with(
        rustix::fs::CWD,
        &staging,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    );
    if exchanged.is_ok() {
        // `staging` now holds the old tree.
        return fs::remove_dir_all(&staging).map_err(|e| Error::io("remove", &staging, e));
    }
    let retired = parent.join(format!(".{base}.old-{pid}"));
    fs::rename(out, &retired).map_err(|e| Error::io("move aside", out, e))?;
    if let Err(e) = fs::rename(&staging, out) {
        let _ = fs::rename(&retired, out);
        let _ = fs::remove_dir_all(&staging);
        return Err(Error::io("move into place", out, e));
    }
    fs::remove_dir_all(&retired).map_err(|e| Error::io("remove", &retired, e))
}

/// Removes staging trees that a killed build left beside the output directory.
fn remove_leftovers(parent: &Path, base: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{base}.new-"), format!(".{base}.old-")];
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
