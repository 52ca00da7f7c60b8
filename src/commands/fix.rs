//! `gen check --fix` and `--diff`: apply the fixes (see [`crate::fix`]), then write each
//! edited file, or print the edits as a unified diff.
//!
//! A file is written whole or not at all: the new text goes to a temporary file in the
//! same directory, with the old file's permissions, which is then renamed over it. A file
//! whose bytes on disk are not the text gen linted (not UTF-8, or changed meanwhile) is
//! left alone, with a warning.

use super::check::{plural, render, summary};
use crate::cli::{CheckArgs, Deny};
use crate::diagnostic::{Applicability, Severity};
use crate::error::{Error, Result};
use crate::fix::{self, Fixed, apply};
use crate::lint::{Context, Rule};
use std::fs;
use std::io::Write as _;
use std::path::Path;

/// Fixes `ctx` as `args` ask (`--fix`, `--unsafe-fixes`, `--diff`) and reports; the exit
/// code comes from the findings that remain (with `--diff`: 1 when there is something to
/// fix).
pub fn run(
    args: &CheckArgs,
    ctx: Context,
    rules: &[&'static Rule],
    settle: &dyn Fn(&mut Vec<crate::diagnostic::Diagnostic>),
) -> Result<u8> {
    let level = level(args);
    let Fixed {
        ctx,
        outcome,
        changed,
        fixed,
        settled,
    } = fix::fix(ctx, rules, level, settle);
    if !settled {
        crate::errln!(
            "warning: fixes were still left after {} passes; the files may need a look",
            fix::MAX_PASSES
        );
    }
    if args.diff {
        let diff: String = changed
            .iter()
            .map(|(path, (old, new))| apply::unified_diff(path, old, new))
            .collect();
        super::print_out(&diff);
        if !args.quiet {
            crate::errln!(
                "would fix {fixed} finding{} in {} file{}",
                plural(fixed),
                changed.len(),
                plural(changed.len())
            );
        }
        return Ok(u8::from(!changed.is_empty()));
    }
    let mut written = 0;
    for (path, (old, new)) in &changed {
        if write(Path::new(path), old, new)? {
            written += 1;
        }
    }
    let diags = &outcome.diagnostics;
    super::print_out(&render(args, diags, &ctx.sources(diags), ctx.file_count()));
    if !args.quiet {
        crate::errln!(
            "fixed {fixed} finding{} in {written} file{}",
            plural(fixed),
            plural(written)
        );
        crate::errln!(
            "{}",
            summary(diags, ctx.containers.len(), outcome.suppressed)
        );
        if let Some(hint) = fix::fixable_hint(diags, level) {
            crate::errln!("{hint}");
        }
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let fails = count(Severity::Error) > 0
        || (args.deny == Some(Deny::Warnings) && count(Severity::Warning) > 0);
    Ok(u8::from(fails))
}

/// The fixes `args` ask for: the safe ones, or with `--unsafe-fixes` all.
#[must_use]
pub const fn level(args: &CheckArgs) -> Applicability {
    if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// Replaces `path`, which held `old` when it was linted, with `new`; false (with a
/// warning) when it holds something else now.
fn write(path: &Path, old: &str, new: &str) -> Result<bool> {
    let on_disk = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    if on_disk != old.as_bytes() {
        crate::errln!(
            "warning: `{}` is not the UTF-8 text gen read (changed meanwhile?): not fixed",
            path.display()
        );
        return Ok(false);
    }
    let meta = fs::metadata(path).map_err(|e| Error::io("inspect", path, e))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.gen-fix-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(new.as_bytes())?;
        file.set_permissions(meta.permissions())?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(Error::io("write", path, e));
    }
    Ok(true)
}
