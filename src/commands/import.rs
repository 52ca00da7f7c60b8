//! `gen import DIR...`: read hand-written container directories as `gen check` reads them,
//! write the spec that rebuilds them on gen's templates (and the snippet of the nginx lines
//! gen does not write), and say what became of everything: each key with the place it
//! comes from, what the new build changes and why, which of the check's findings on the
//! originals the new build fixes (found by building the spec into a scratch directory and
//! checking it, as `gen build` and `gen check` would), and what the spec cannot express.
//!
//! It writes nothing over an existing spec or snippet without `--force`, and writes each
//! file whole (a temporary file renamed into place), the spec last.
//!
//! Exit codes: 0 when every container was imported, 1 when one could not be (the others
//! are written) or the new build has an error, 2 on bad input (nothing written).

use super::check;
use crate::cli::ImportArgs;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::import::{self, Note, Paths, Plan};
use crate::lint::{self, Context, date::Date};
use crate::model::ProblemKind;
use std::fmt::Write as _;
use std::fs;
use std::path::{Component, Path, PathBuf};

pub fn run(args: &ImportArgs) -> Result<u8> {
    let today = check::today(args.today.as_deref())?;
    if args.out.exists() && !args.force {
        crate::errln!(
            "error: `{}` exists; gen import does not overwrite a spec\nhelp: pass `--out` to write another file, or `--force` to replace it; nothing was written",
            args.out.display()
        );
        return Ok(2);
    }
    let ctx = check::import_context(&args.dirs, today)?;
    if let Some(code) = unreadable(&ctx) {
        return Ok(code);
    }
    let rules =
        lint::resolve(&[], &[], &mut Vec::new()).map_err(|e| Error::Usage(e.to_string()))?;
    let before = lint::run(&ctx, &rules).diagnostics;
    let mut plan = import::plan(&ctx);
    let spec_dir = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !spec_dir.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a directory to write the spec into",
            spec_dir.display()
        )));
    }
    let spec_abs = fs::canonicalize(&spec_dir).map_err(|e| Error::io("read", &spec_dir, e))?;
    let mut paths = Vec::new();
    let mut snippets: Vec<(PathBuf, String)> = Vec::new();
    for c in &mut plan.containers {
        let cd = &ctx.containers[c.index];
        let dir_abs = fs::canonicalize(&cd.dir).map_err(|e| Error::io("read", &cd.dir, e))?;
        let mut p = Paths::default();
        if let Some((sub, _)) = &c.source_dir {
            let rel = relative(&spec_abs, &dir_abs.join(sub));
            if rel.starts_with("..") {
                let why = format!(
                    "`app.source` must be inside the spec's directory (the build context), and `{}` is not: write the spec in a directory above it (`--out`)",
                    rel
                );
                import::starter(cd, c, &why);
            } else {
                p.source = Some(rel);
                import::fit_keepalive(cd, c);
            }
        }
        for s in &mut c.statics {
            s.dir = relative(&spec_abs, &dir_abs.join(&s.dir));
        }
        if !c.snippet.is_empty() {
            let name = format!("{}.nginx.conf", c.name);
            let path = spec_dir.join(&name);
            if path.exists() && !args.force {
                crate::errln!(
                    "error: `{}` exists; gen import does not overwrite a snippet\nhelp: move it away, or pass `--force` to replace it; nothing was written",
                    path.display()
                );
                return Ok(2);
            }
            snippets.push((path, snippet_text(c)));
            p.include = Some(name);
        }
        p.base_comment = before
            .iter()
            .find(|d| d.code == "DKR003" && in_dir(d, &cd.dir))
            .map(|d| {
                format!(
                    "{} (gen check: DKR003); kept as the originals have it",
                    d.message
                )
            });
        paths.push(p);
    }
    let command = format!(
        "gen import {}",
        args.dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut report = String::new();
    for r in &plan.refused {
        let _ = writeln!(report, "{}: not imported\n  {}: {}\n", r.dir, r.from, r.why);
    }
    if plan.containers.is_empty() {
        report.push_str("nothing to write: no container could be imported\n");
        super::print_out(&report);
        return Ok(1);
    }
    let final_name = args.out.file_name().map_or_else(
        || "spec.toml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let after = trial(
        &plan,
        &paths,
        &snippets,
        &spec_dir,
        &command,
        &final_name,
        today,
    )?;
    for c in &plan.containers {
        container_report(
            &mut report,
            c,
            snippets
                .iter()
                .find(|(p, _)| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy() == format!("{}.nginx.conf", c.name))
                })
                .map(|(p, _)| p.as_path()),
        );
    }
    findings_report(&mut report, &plan, &before, &after);
    let errors = after
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count();
    // Written: the snippets, then the spec, each whole.
    let text = import::render(&plan, &paths, &command);
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, body) in &snippets {
        if let Err(e) = write_whole(path, body) {
            for w in &written {
                let _ = fs::remove_file(w);
            }
            return Err(e);
        }
        written.push(path.clone());
    }
    if let Err(e) = write_whole(&args.out, &text) {
        for w in &written {
            let _ = fs::remove_file(w);
        }
        return Err(e);
    }
    written.push(args.out.clone());
    for w in &written {
        let _ = writeln!(report, "  created {}", w.display());
    }
    let _ = writeln!(
        report,
        "\nNext:\n  gen build{}      # write the containers under generated/\n  gen check{}      # lint the spec and what it gives",
        spec_flag(&args.out),
        spec_flag(&args.out)
    );
    super::print_out(&report);
    Ok(u8::from(!plan.refused.is_empty() || errors > 0))
}

fn spec_flag(out: &Path) -> String {
    if out == Path::new("spec.toml") {
        String::new()
    } else {
        format!(" --spec {}", out.display())
    }
}

/// A container directory whose files gen cannot read (a Dockerfile, nginx or supervisord
/// config that does not parse): an error at its place, exit 2, nothing written.
fn unreadable(ctx: &Context) -> Option<u8> {
    let mut bad = false;
    for cd in &ctx.containers {
        for p in &cd.model.problems {
            if !matches!(
                p.kind,
                ProblemKind::DockerfileSyntax
                    | ProblemKind::NginxSyntax
                    | ProblemKind::SupervisordSyntax
            ) {
                continue;
            }
            bad = true;
            crate::errln!("error: {}: {}", import::place(cd, &p.origin), p.message);
        }
    }
    bad.then(|| {
        crate::errln!("help: fix the file so it reads as its program reads it, then import again; nothing was written");
        2
    })
}

fn in_dir(d: &Diagnostic, dir: &str) -> bool {
    Path::new(&d.primary.file).starts_with(dir)
}

/// The snippet file: each piece with the place it comes from.
fn snippet_text(c: &import::Imported) -> String {
    let mut out = format!(
        "# nginx lines of {} that gen does not write, kept by `gen import`; nginx includes\n\
         # this file in the server block (`nginx.include` in the spec).\n",
        c.dir
    );
    for (text, from) in &c.snippet {
        let _ = write!(out, "\n# {from}\n{text}\n");
    }
    out
}

/// `target` relative to `base` (both absolute and canonical), `/`-separated; `.` for the
/// same directory.
fn relative(base: &Path, target: &Path) -> String {
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), b.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".gen-import-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("write", path, e)
    })?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("write", path, e)
    })
}

/// The spec built into a scratch directory beside it and checked there, as `gen build` and
/// `gen check` would: the findings of the new build. The scratch files are removed
/// whatever happens.
fn trial(
    plan: &Plan,
    paths: &[Paths],
    snippets: &[(PathBuf, String)],
    spec_dir: &Path,
    command: &str,
    final_name: &str,
    today: Date,
) -> Result<Vec<Diagnostic>> {
    let pid = std::process::id();
    let scratch = spec_dir.join(format!(".gen-import-{pid}"));
    let result = (|| {
        fs::create_dir_all(&scratch).map_err(|e| Error::io("create directory", &scratch, e))?;
        // The snippets under scratch names, so that nothing of the user's is touched.
        let mut trial_paths = paths.to_vec();
        for (p, (path, body)) in trial_paths
            .iter_mut()
            .filter(|p| p.include.is_some())
            .zip(snippets)
        {
            let name = format!(
                ".gen-import-{pid}/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            let at = spec_dir.join(&name);
            fs::write(&at, body).map_err(|e| Error::io("write", &at, e))?;
            p.include = Some(name);
        }
        let spec_path = spec_dir.join(format!(".gen-import-{pid}.toml"));
        let text = import::render(plan, &trial_paths, command);
        fs::write(&spec_path, &text).map_err(|e| Error::io("write", &spec_path, e))?;
        let run = || -> Result<Vec<Diagnostic>> {
            let (spec, spec_text) = super::build::load_spec(&spec_path)?;
            let out = scratch.join("generated");
            let project = super::project::inspect(&spec, &spec_path, &spec_text, &out)?;
            let files = crate::generate::generate(&spec, &project)?;
            super::build::write_atomic(&out, &files)?;
            let ctx = check::spec_context(&spec_path, &out, today)?;
            let rules = lint::resolve(&[], &[], &mut Vec::new())
                .map_err(|e| Error::Usage(e.to_string()))?;
            let mut diags = lint::run(&ctx, &rules).diagnostics;
            // Shown where `gen build` and `gen check` would show them.
            // As `gen check` shows paths: without a leading `./`.
            let bare = |p: &Path| {
                let s = p.display().to_string();
                s.strip_prefix("./")
                    .map_or_else(|| s.clone(), str::to_owned)
            };
            let spec_shown = bare(&spec_path);
            let out_shown = bare(&out);
            let shown = |name: &str| {
                if spec_dir == Path::new(".") {
                    name.to_owned()
                } else {
                    spec_dir.join(name).display().to_string()
                }
            };
            let final_spec = shown(final_name);
            let final_out = shown("generated");
            for d in &mut diags {
                for l in std::iter::once(&mut d.primary).chain(&mut d.related) {
                    if l.file == spec_shown || l.file == spec_path.display().to_string() {
                        l.file.clone_from(&final_spec);
                    } else if let Some(rest) = l.file.strip_prefix(&out_shown) {
                        l.file = format!("{final_out}{rest}");
                    }
                }
            }
            Ok(diags)
        };
        let r = run();
        let _ = fs::remove_file(&spec_path);
        r
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn notes(out: &mut String, title: &str, notes: &[Note]) {
    if notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for n in notes {
        let _ = writeln!(out, "    {}: {}", n.from, n.what);
    }
}

fn container_report(out: &mut String, c: &import::Imported, snippet: Option<&Path>) {
    let _ = writeln!(out, "{} -> container `{}`", c.dir, c.name);
    let _ = writeln!(out, "  carried over:");
    for k in &c.keys {
        let _ = writeln!(out, "    {} = {}  ({})", k.path(), k.value, k.from);
    }
    if let Some((_, from)) = &c.source_dir {
        let _ = writeln!(out, "    app.source: the directory of {from}");
    }
    for p in &c.programs {
        let _ = writeln!(out, "    program `{}`  ({})", p.name, p.from);
    }
    for s in &c.statics {
        let _ = writeln!(
            out,
            "    static `{}` from `{}`  ({})",
            s.path, s.dir, s.from
        );
    }
    if let Some(path) = snippet {
        notes(out, &format!("kept in {}", path.display()), &c.kept);
    }
    notes(out, "replaced by gen's template", &c.replaced);
    notes(out, "changed", &c.changed);
    notes(out, "not expressible", &c.unexpressed);
    out.push('\n');
}

fn finding(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}",
        d.primary.file,
        d.primary.start.line,
        d.primary.start.column,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

fn findings_report(out: &mut String, plan: &Plan, before: &[Diagnostic], after: &[Diagnostic]) {
    let stays = |d: &Diagnostic| after.iter().any(|a| a.code == d.code);
    let dropped = |d: &Diagnostic| {
        plan.containers
            .iter()
            .flat_map(|c| &c.dropped)
            .any(|(file, a, b)| {
                *file == d.primary.file && (*a..=*b).contains(&d.primary.start.line)
            })
    };
    let gone: Vec<&Diagnostic> = before.iter().filter(|d| !stays(d)).collect();
    let fixed = gone.iter().filter(|d| !dropped(d)).count();
    let _ = writeln!(
        out,
        "gen check on the originals: {} finding{}; the new build fixes {fixed}",
        before.len(),
        if before.len() == 1 { "" } else { "s" },
    );
    for d in &gone {
        if dropped(d) {
            let _ = writeln!(
                out,
                "  gone with a line the spec cannot express: {}",
                finding(d)
            );
        } else {
            let _ = writeln!(out, "  fixed: {}", finding(d));
        }
    }
    for d in after {
        let was = before.iter().any(|b| b.code == d.code);
        let why = if was {
            "as in the originals"
        } else {
            "new in the build"
        };
        let _ = writeln!(out, "  still there ({why}): {}", finding(d));
    }
    let errors = after
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "the new build has {errors} error{}: the spec is written so you can see them with `gen build` and `gen check`",
            if errors == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/c/d")), "c/d");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/x")), "../x");
        assert_eq!(relative(Path::new("/"), Path::new("/x")), "x");
    }

    #[test]
    fn tables_exist() {
        // The keys import relies on today.
        for k in ["name", "container_name", "base", "host_port"] {
            assert!(crate::import::spec_has(Table::Container, k), "{k}");
        }
    }

    use crate::import::Table;
}
