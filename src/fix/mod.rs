//! Fixing: runs the rules, applies the fixes their findings carry, and runs them again on
//! the edited texts until no fix is left to apply (at most [`MAX_PASSES`] times, as ruff
//! does: a fix that overlaps another waits for the next pass). Pure: the texts live in the
//! [`Context`]; `gen check --fix` writes the result, `--diff` prints it.
//!
//! Only the files of container directories are edited, never a file the spec writes (a
//! fix there would be undone by the next `gen build`): a finding whose fix would touch one
//! is shown without it, and says why and what to do instead. No fix is moved to the spec:
//! the fixes edit lines (headers, flags, log settings) that no spec key sets, so a finding
//! on them in `generated/` comes from a hand edit, which `gen build` undoes. Compose files
//! and manifests are not edited by any fix yet.

pub mod apply;
pub mod text;

use crate::diagnostic::{Applicability, Diagnostic};
use crate::lint::{self, Context, Outcome, Rule};
use std::collections::BTreeMap;

/// Enough for fixes that wait on one another; a set of fixes that never settles stops here.
pub const MAX_PASSES: usize = 10;

/// What fixing did.
#[derive(Debug)]
pub struct Fixed {
    /// The context with the edited texts, and the findings that remain in it.
    pub ctx: Context,
    pub outcome: Outcome,
    /// Each edited file: its text before and after.
    pub changed: BTreeMap<String, (String, String)>,
    /// How many findings the fixes resolved.
    pub fixed: usize,
    /// False when fixes were still left after [`MAX_PASSES`] passes.
    pub settled: bool,
}

/// The texts fixes may edit: every readable file of a container directory the spec does
/// not write.
fn editable(ctx: &Context) -> BTreeMap<&str, &str> {
    ctx.containers
        .iter()
        .filter(|c| c.spec_index.is_none())
        .flat_map(|c| &c.files)
        .filter_map(|f| Some((f.path.as_str(), f.text.as_deref()?)))
        .filter(|(path, _)| !ctx.is_generated(path))
        .collect()
}

/// Drops the fixes that touch a file fixes may not edit. Where that file is one the spec
/// writes, the finding says so: no spec key expresses these edits (the spec gives none of
/// the lines they change), so the fix is not moved to the spec but withheld, with the way
/// out.
pub fn retain_offered(ctx: &Context, diags: &mut [Diagnostic]) {
    let files = editable(ctx);
    for d in diags {
        let Some(fix) = &d.fix else { continue };
        if fix
            .edits
            .iter()
            .all(|e| files.contains_key(e.file.as_str()))
        {
            continue;
        }
        let generated = fix
            .edits
            .iter()
            .find(|e| ctx.is_generated(&e.file))
            .map(|e| e.file.clone());
        d.fix = None;
        let Some(file) = generated else { continue };
        let spec = ctx.spec.as_ref().map_or("the spec", |s| s.path.as_str());
        let note = format!(
            "no fix is offered: `{file}` is written by `gen build` from `{spec}`, and an edit there is undone by the next build; run `gen build` if the file was edited by hand, else change the spec (or allow the finding in its `[check]`)"
        );
        d.help = Some(match d.help.take() {
            Some(h) => format!("{h}\n{note}"),
            None => note,
        });
    }
}

/// Lints `ctx` with `rules` and applies the fixes that apply at `level`, pass after pass.
#[must_use]
pub fn fix(
    mut ctx: Context,
    rules: &[&'static Rule],
    level: Applicability,
    settle: &dyn Fn(&mut Vec<Diagnostic>),
) -> Fixed {
    let mut changed: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut fixed = 0;
    let mut pass = 0;
    loop {
        let mut outcome = lint::run(&ctx, rules);
        retain_offered(&ctx, &mut outcome.diagnostics);
        // The settings in force: a finding they allow is neither fixed nor shown.
        settle(&mut outcome.diagnostics);
        let files = editable(&ctx);
        let plan = apply::plan(&outcome.diagnostics, level, |f| files.get(f).copied());
        if plan.fixed == 0 || pass == MAX_PASSES {
            return Fixed {
                ctx,
                outcome,
                changed,
                fixed,
                settled: plan.fixed == 0,
            };
        }
        let mut texts = BTreeMap::new();
        for (file, edits) in &plan.edits {
            let Some(old) = files.get(file.as_str()) else {
                continue;
            };
            let new = apply::apply(old, edits);
            changed
                .entry(file.clone())
                .or_insert_with(|| ((*old).to_owned(), String::new()))
                .1
                .clone_from(&new);
            texts.insert(file.clone(), new);
        }
        fixed += plan.fixed;
        pass += 1;
        ctx = with_texts(ctx, &texts);
    }
}

/// `ctx` with the files named in `texts` holding those texts, and the models built anew.
/// The directories are new values ([`crate::lint::ContainerDir::with_texts`]): the analyses cached in
/// the old ones, worked out from the old texts, go with them.
fn with_texts(mut ctx: Context, texts: &BTreeMap<String, String>) -> Context {
    let containers = std::mem::take(&mut ctx.containers);
    ctx.containers = containers
        .into_iter()
        .map(|c| c.with_texts(texts))
        .collect();
    ctx
}

/// How many findings are fixable and with which flags: `2 fixable with `--fix` (1 more
/// with `--fix --unsafe-fixes`)`; `None` when none is.
#[must_use]
pub fn fixable_hint(diags: &[Diagnostic], level: Applicability) -> Option<String> {
    let count = |a: Applicability| {
        diags
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (count(Applicability::Safe), count(Applicability::Unsafe));
    match (level, safe, unsafe_) {
        (_, 0, 0) => None,
        (Applicability::Unsafe, ..) => Some(format!(
            "{} fixable with `--fix --unsafe-fixes`",
            safe + unsafe_
        )),
        (Applicability::Safe, 0, n) => Some(format!("{n} fixable with `--fix --unsafe-fixes`")),
        (Applicability::Safe, n, 0) => Some(format!("{n} fixable with `--fix`")),
        (Applicability::Safe, n, m) => Some(format!(
            "{n} fixable with `--fix` ({m} more with `--fix --unsafe-fixes`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Label, Severity};
    use crate::lint::ContainerDir;

    #[test]
    fn fixable_hint_table() {
        let d = |fix: Option<Fix>| {
            Diagnostic::new("X001", "x", Severity::Error, "m", Label::file("f", "")).with_fix(fix)
        };
        let e = || vec![crate::diagnostic::Edit::insert("f", "", 0, "x")];
        let (s, u) = (
            || Some(Fix::safe("s", e())),
            || Some(Fix::unsafe_("u", e())),
        );
        let (safe, all) = (Applicability::Safe, Applicability::Unsafe);
        let cases = [
            (vec![d(None)], safe, None),
            (vec![d(s()), d(s())], safe, Some("2 fixable with `--fix`")),
            (
                vec![d(s()), d(u()), d(None)],
                safe,
                Some("1 fixable with `--fix` (1 more with `--fix --unsafe-fixes`)"),
            ),
            (
                vec![d(u())],
                safe,
                Some("1 fixable with `--fix --unsafe-fixes`"),
            ),
            (
                vec![d(s()), d(u())],
                all,
                Some("2 fixable with `--fix --unsafe-fixes`"),
            ),
        ];
        for (diags, level, want) in cases {
            assert_eq!(fixable_hint(&diags, level).as_deref(), want, "{diags:?}");
        }
    }

    /// A fix that changes a fact the directory's analyses hold (here the wiring: which
    /// socket nginx's upstream reaches) is seen by the next pass: the edited directory is a
    /// new value with its analyses worked out anew. Were the old wiring kept, the second
    /// pass would report the mismatch the fix removed, with a fix that no longer applies.
    #[test]
    fn a_fix_is_seen_by_the_analyses_of_the_next_pass() {
        use crate::lint::analysis::wiring::Wiring;
        use crate::lint::date::Date;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/fastapi-nginx");
        let mut files: Vec<(String, String)> = Vec::new();
        for entry in std::fs::read_dir(&root).expect("generated/fastapi-nginx") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("text");
            files.push((name, text));
        }
        files.sort();
        for (name, text) in &mut files {
            if name == "nginx.conf" {
                assert!(text.contains("server 127.0.0.1:8000;"), "{text}");
                *text = text.replace("server 127.0.0.1:8000;", "server 127.0.0.1:8001;");
            }
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let dir = ContainerDir::from_texts("c", &refs);
        let misses = |d: &ContainerDir| Wiring::of(d).expect("nginx").misses().len();
        assert_eq!(misses(&dir), 1, "the broken upstream reaches nothing");
        let mut ctx = Context::new(Date::new(2026, 11, 29).expect("a date"));
        ctx.containers.push(dir);
        let port001 = lint::find("PORT001").expect("PORT001");
        let fixed = fix(ctx, &[port001], Applicability::Unsafe, &|_| {});
        assert_eq!(fixed.fixed, 1);
        assert!(fixed.settled);
        assert!(
            fixed.outcome.diagnostics.is_empty(),
            "{:?}",
            fixed.outcome.diagnostics
        );
        let after = &fixed.ctx.containers[0];
        assert!(
            after
                .file("nginx.conf")
                .and_then(|f| f.text.as_deref())
                .is_some_and(|t| t.contains("server 127.0.0.1:8000;"))
        );
        assert_eq!(misses(after), 0, "the wiring of the fixed texts");
    }

    /// A directory built with a Dockerfile of another name keeps it when a fix rebuilds it.
    #[test]
    fn with_texts_keeps_the_dockerfile_the_directory_was_built_with() {
        let file = |rel: &str, text: &str| crate::lint::SourceFile {
            rel: rel.to_owned(),
            path: format!("c/{rel}"),
            text: Some(text.into()),
        };
        let files = vec![
            file("Dockerfile", "FROM alpine:3.22\n"),
            file("Dockerfile.prod", "FROM ubuntu:24.04\n"),
            file("app.py", "x = 1\n"),
        ];
        let dir = ContainerDir::with_dockerfile(
            "c".into(),
            "c".into(),
            None,
            files,
            Some("Dockerfile.prod"),
        );
        let texts = BTreeMap::from([("c/app.py".to_owned(), "x = 2\n".to_owned())]);
        let after = dir.with_texts(&texts);
        let df = after.model.dockerfile.as_ref().expect("a Dockerfile");
        assert_eq!(df.file, "Dockerfile.prod");
        assert_eq!(
            after.file("app.py").and_then(|f| f.text.as_deref()),
            Some("x = 2\n")
        );
    }
}

#[cfg(test)]
mod proptests;
