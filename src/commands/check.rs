//! `gen check`: read what there is to lint (the spec, `generated/` and how it differs from
//! the spec; or the container directories given), run the selected rules, print the findings
//! in the chosen format on stdout (or into `--output-file`) and a one-line summary on stderr.
//!
//! Exit codes: 0 when nothing fails (warnings pass unless `--deny warnings`), 1 when a
//! finding fails, 2 on bad usage or input that cannot be read (an invalid spec included).

use super::build;
use super::config;
use super::discover;
use super::vfs::{self, Vfs};
use crate::cli::{CheckArgs, ColorChoice, Deny, Format};
use crate::deploy::compose::BuildMissing;
use crate::deploy::{self, DeployFile, Project};
use crate::diagnostic::render::human::{self, Color};
use crate::diagnostic::render::{concise, github, json, sarif};
use crate::diagnostic::{Diagnostic, Severity, Sources};
use crate::error::{Error, Result};
use crate::generate;
use crate::lint::date::Date;
use crate::lint::{self, ContainerDir, Context, DriftKind, FileDrift, SourceFile, SpecFile, docs};
use std::fs;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// Files whose presence makes a directory a container directory.
const MARKERS: &[&str] = &[
    "Dockerfile",
    "Containerfile",
    "nginx.conf",
    "supervisord.conf",
];

/// Directories never read: version control, dependencies, virtual environments and caches,
/// not the container's sources. Other hidden directories are read: `COPY .docker/nginx.conf`
/// is common.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    "venv",
    ".venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".cache",
    ".idea",
];

/// Files larger than this are listed as present but not read (rule `unreadable-file` says
/// so when the image uses one): real configs reach a few MB, and gen's parsers read tens
/// of MB a second.
const MAX_TEXT: u64 = 16 << 20;

pub fn run(args: &CheckArgs) -> Result<u8> {
    let today = today(args.today.as_deref())?;
    let mut warnings = Vec::new();
    let mut rules = match lint::resolve(&args.select, &args.ignore, &mut warnings) {
        Ok(rules) => rules,
        Err(e) => {
            crate::errln!("error: {e}");
            crate::errln!("help: {}", e.help());
            return Ok(2);
        }
    };
    let mut vfs = Vfs::default();
    // The files named on the command line: only findings that involve them are reported.
    let mut focus: Vec<PathBuf> = Vec::new();
    let targets = targets(args, &mut vfs)?;
    let start = targets
        .as_ref()
        .and_then(|t| t.dirs.first().cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let config = config::near(&start)?;
    if args.show_settings {
        // With a spec (no paths), its `[check]` is in force too: read it as `check` would.
        let spec = if targets.is_none() {
            let path = args.spec.clone().unwrap_or_else(|| "spec.toml".into());
            let (spec, _) = build::load_spec(&path)?;
            Some(config::Config::from_check(&spec.check, &path))
        } else {
            None
        };
        super::print_out(&settings(args, config.as_ref(), spec.as_ref(), &start));
        return Ok(0);
    }
    let ctx = if targets.is_none() {
        let spec = args.spec.clone().unwrap_or_else(|| "spec.toml".into());
        let out = args.out.clone().unwrap_or_else(|| "generated".into());
        match spec_context(&spec, &out, today) {
            Ok(ctx) => ctx,
            Err(Error::Input {
                diagnostics,
                sources,
            }) => {
                emit(args, &render(args, &diagnostics, &sources, 1))?;
                let n = diagnostics.len();
                crate::errln!(
                    "error: `{}` is not a valid spec ({n} problem{}); nothing was checked",
                    spec.display(),
                    plural(n)
                );
                return Ok(2);
            }
            Err(e) => return Err(e),
        }
    } else {
        let Targets { dirs, files } = targets.unwrap_or_default();
        let ctx = paths_context(&dirs, &vfs, today)?;
        focus = files;
        ctx
    };
    // Rules named with --select run even when the spec's `[check] ignore` lists them: the
    // command line is the more specific request.
    // The spec's `[check]` is a config too, with its globs relative to the spec.
    let spec_config = ctx
        .spec
        .as_ref()
        .map(|s| config::Config::from_check(&s.spec.check, Path::new(&s.path)));
    let configs: Vec<&config::Config> = config.iter().chain(&spec_config).collect();
    // Renamed or removed rules named on the command line or in a config: said once, on
    // stderr, before the findings.
    let config_warnings = configs.iter().flat_map(|c| &c.warnings);
    for w in warnings.iter().chain(config_warnings) {
        crate::errln!("warning: {w}");
    }
    if args.select.is_empty() {
        configured(&mut rules, &configs);
    }
    // `per-file-ignores` and `severity` of every config, applied alike with and without
    // `--fix`.
    let settle = |diags: &mut Vec<Diagnostic>| settle(&configs, diags);
    if args.fix || args.diff {
        return super::fix::run(args, ctx, &rules, &settle);
    }
    let mut outcome = findings(&ctx, &rules, &configs);
    if !focus.is_empty() {
        outcome.diagnostics.retain(|d| {
            std::iter::once(&d.primary)
                .chain(&d.related)
                .any(|l| focus.contains(&vfs::key(Path::new(&l.file))))
        });
    }
    let diags = &outcome.diagnostics;
    let mut text = if args.statistics {
        concise::statistics(diags)
    } else {
        render(args, diags, &ctx.sources(diags), ctx.file_count())
    };
    if args.format == Format::Human && !args.statistics && !args.quiet && !diags.is_empty() {
        text.push_str(&human::allow_hint(ctx.spec.is_some()));
        text.push('\n');
    }
    emit(args, &text)?;
    if !args.quiet {
        crate::errln!(
            "{}",
            summary(diags, ctx.containers.len(), outcome.suppressed)
        );
        if let Some(hint) = crate::fix::fixable_hint(diags, super::fix::level(args)) {
            crate::errln!("{hint}");
        }
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let fails = count(Severity::Error) > 0
        || (args.deny == Some(Deny::Warnings) && count(Severity::Warning) > 0);
    Ok(u8::from(fails))
}

/// Keeps the rules `configs` leave on: each config's `select` (all when empty) less its
/// `ignore`.
pub(super) fn configured(rules: &mut Vec<&'static lint::Rule>, configs: &[&config::Config]) {
    for c in configs {
        rules.retain(|r| {
            (c.select.is_empty() || c.select.contains(&r.code)) && !c.ignore.contains(&r.code)
        });
    }
}

/// Applies the `per-file-ignores` and `severity` of every config to `diags`.
pub(super) fn settle(configs: &[&config::Config], diags: &mut Vec<Diagnostic>) {
    for c in configs {
        diags.retain(|d| !c.allows(&d.code, &d.primary.file));
        for d in diags.iter_mut() {
            if let Some(sev) = c.severity_of(&d.code) {
                d.severity = sev;
            }
        }
    }
}

/// The findings of `rules` in `ctx` under the settings `configs`, each with the fix it
/// may offer: what `gen check` reports, and what `gen lsp` publishes.
pub(super) fn findings(
    ctx: &Context,
    rules: &[&'static lint::Rule],
    configs: &[&config::Config],
) -> lint::Outcome {
    offered(ctx, lint::run(ctx, rules), configs)
}

/// The findings of a run under the settings `configs`, each with the fix it may offer.
pub(super) fn offered(
    ctx: &Context,
    mut outcome: lint::Outcome,
    configs: &[&config::Config],
) -> lint::Outcome {
    crate::fix::retain_offered(ctx, &mut outcome.diagnostics);
    settle(configs, &mut outcome.diagnostics);
    outcome
}

pub(super) fn render(
    args: &CheckArgs,
    diags: &[Diagnostic],
    sources: &Sources,
    files: usize,
) -> String {
    let color = match args.color {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto => {
            super::auto_color(args.output_file.is_none() && std::io::stdout().is_terminal())
        }
    };
    match args.format {
        Format::Human => human::render_findings(diags, sources, color),
        Format::Concise => concise::render(diags, color),
        Format::Json => json::render(diags, files),
        Format::Sarif => sarif::render(diags, &docs::sarif_rules()),
        Format::Github => github::render(diags),
    }
}

/// `--show-settings`: the settings in force for a check from `start`, and where each comes
/// from (the command line, the config file, or gen's default).
fn settings(
    args: &CheckArgs,
    config: Option<&config::Config>,
    spec: Option<&config::Config>,
    start: &Path,
) -> String {
    let mut out = String::new();
    match config {
        Some(c) => out.push_str(&format!("config file: {}\n", c.path.display())),
        None => out.push_str(&format!(
            "config file: none (no {} in `{}` or above)\n",
            config::NAMES.join(" or "),
            start.display()
        )),
    }
    if let Some(s) = spec {
        out.push_str(&format!(
            "spec: {} (its `[check]` table)\n",
            s.path.display()
        ));
    }
    // Each setting with the file it comes from: the config file's, then the spec's.
    let configs: Vec<(&config::Config, String)> = config
        .map(|c| (c, c.path.display().to_string()))
        .into_iter()
        .chain(spec.map(|s| (s, format!("{} [check]", s.path.display()))))
        .collect();
    let list = |v: &[&str]| v.join(", ");
    let mut select: Vec<String> = Vec::new();
    if !args.select.is_empty() {
        select.push(format!("{} (--select)", args.select.join(", ")));
    } else {
        for (c, from) in configs.iter().filter(|(c, _)| !c.select.is_empty()) {
            select.push(format!("{} ({from})", list(&c.select)));
        }
    }
    if select.is_empty() {
        select.push("every rule (default)".to_owned());
    }
    out.push_str(&format!("select: {}\n", select.join("; ")));
    let mut ignore = Vec::new();
    if !args.ignore.is_empty() {
        ignore.push(format!("{} (--ignore)", args.ignore.join(", ")));
    }
    for (c, from) in configs.iter().filter(|(c, _)| !c.ignore.is_empty()) {
        let overridden = if args.select.is_empty() {
            ""
        } else {
            ", except what --select names"
        };
        ignore.push(format!("{} ({from}{overridden})", list(&c.ignore)));
    }
    if ignore.is_empty() {
        ignore.push("none (default)".to_owned());
    }
    out.push_str(&format!("ignore: {}\n", ignore.join("; ")));
    for (c, from) in &configs {
        for (code, sev) in &c.severity {
            out.push_str(&format!("severity: {code} = {} ({from})\n", sev.as_str()));
        }
    }
    for (c, from) in &configs {
        for (glob, codes) in &c.per_file_ignores {
            out.push_str(&format!(
                "per-file-ignores: {glob:?} = [{}] ({from})\n",
                list(codes)
            ));
        }
    }
    let format = format!("{:?}", args.format).to_ascii_lowercase();
    let how = if args.format == Format::Human {
        "default"
    } else {
        "--format"
    };
    out.push_str(&format!("format: {format} ({how})\n"));
    out
}

/// Prints the rendered findings, or writes them to `--output-file` whole: to a temporary
/// file beside it, then renamed over it, so a reader never sees half a report.
fn emit(args: &CheckArgs, text: &str) -> Result<()> {
    let Some(path) = &args.output_file else {
        super::print_out(text);
        return Ok(());
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".gen-tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).map_err(|e| Error::io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("write", path, e)
    })
}

pub(super) const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `2 errors, 1 warning in 2 containers`, or `no problems in 2 containers`.
#[must_use]
pub fn summary(diags: &[Diagnostic], containers: usize, suppressed: usize) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let parts: Vec<String> = [
        (count(Severity::Error), "error"),
        (count(Severity::Warning), "warning"),
        (count(Severity::Info), "info"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}{}", plural(*n)))
    .collect();
    let found = if parts.is_empty() {
        "no problems".to_owned()
    } else {
        parts.join(", ")
    };
    let mut line = format!("{found} in {containers} container{}", plural(containers));
    if suppressed > 0 {
        line.push_str(&format!(
            " ({suppressed} allowed by suppression comment{})",
            plural(suppressed)
        ));
    }
    line
}

/// The day end-of-life tables are judged against: `--today`'s, else today in UTC.
///
/// # Errors
/// A `--today` that is not a date.
pub(super) fn today(given: Option<&str>) -> Result<Date> {
    match given {
        Some(s) => Date::parse(s).ok_or_else(|| {
            Error::Usage(format!(
                "`--today {}` is not a date: write it as YYYY-MM-DD",
                s.escape_debug()
            ))
        }),
        None => Ok(system_today()),
    }
}

/// Today in UTC, from the system clock.
fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(i64::MAX))
}

/// The spec, how `out` differs from what it gives, and the containers under `out` it names.
pub(super) fn spec_context(spec_path: &Path, out: &Path, today: Date) -> Result<Context> {
    let (spec, text) = build::load_spec(spec_path)?;
    let project = super::project::inspect(&spec, spec_path, &text, out)?;
    let files = generate::generate(&spec, &project)?;
    let mut on_disk = build::read_tree(out)?;
    let mut ctx = Context::new(today);
    for (rel, change) in build::compare(&on_disk, &files) {
        let expected = || {
            files
                .iter()
                .find(|f| f.path == rel)
                .map(|f| f.as_text().into_owned())
                .unwrap_or_default()
        };
        let kind = match change {
            build::Change::Unchanged => continue,
            build::Change::Created => DriftKind::Missing {
                expected: expected(),
            },
            build::Change::Removed { old } => DriftKind::Extra { on_disk: old },
            build::Change::Updated { old } => DriftKind::Differs {
                on_disk: old,
                expected: expected(),
            },
        };
        let container = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        ctx.drift.push(FileDrift {
            path: out.join(&rel).display().to_string(),
            container,
            kind,
        });
    }
    // An app with a source is built from the project (the spec's directory) with its
    // Dockerfile under `out`, as compose.yaml says: read that context once.
    let spec_dir = match spec_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut project_files: Option<Vec<SourceFile>> = None;
    let mut keys: Vec<(PathBuf, Option<String>)> = Vec::new();
    for (i, c) in spec.containers.iter().enumerate() {
        let mut dir = if c.app.source().is_some() {
            let files = match &project_files {
                Some(f) => f.clone(),
                None => {
                    let f = read_files(&spec_dir, &Vfs::default())?;
                    project_files = Some(f.clone());
                    f
                }
            };
            let dockerfile = format!("{}/{}/Dockerfile", project.out_from_context, c.name);
            keys.push((canonical(&spec_dir), Some(dockerfile.clone())));
            ContainerDir::with_dockerfile(
                c.name.clone(),
                shown(&spec_dir).display().to_string(),
                None,
                files,
                Some(&dockerfile),
            )
        } else {
            let dir = out.join(&c.name);
            keys.push((canonical(&dir), None));
            // The drift comparison read these files already: their bytes are taken
            // from it, not read again.
            read_container(&dir, (out, &mut on_disk))?
        };
        dir.spec_index = Some(i);
        ctx.containers.push(dir);
    }
    if let Some(mut project) = read_project(out, &Vfs::default())? {
        project.generated = true;
        link(&mut project, out, &keys);
        ctx.projects.push(project);
    }
    ctx.spec = Some(SpecFile {
        path: spec_path.display().to_string(),
        text,
        spec,
        out: out.display().to_string(),
    });
    Ok(ctx)
}

/// The containers under the directories `gen import` is given, read as `gen check` reads
/// them, with the compose file of a directory's parent when the directory has none (a
/// project whose compose file sits beside its container directories).
pub(super) fn import_context(paths: &[PathBuf], today: Date) -> Result<Context> {
    let vfs = Vfs::default();
    let mut ctx = paths_context(paths, &vfs, today)?;
    let keys: Vec<(PathBuf, Option<String>)> = ctx
        .containers
        .iter()
        .map(|c| {
            let dockerfile = c
                .model
                .dockerfile
                .as_ref()
                .map(|d| d.file.clone())
                .filter(|d| d != "Dockerfile");
            (canonical(Path::new(&c.dir)), dockerfile)
        })
        .collect();
    let mut roots: Vec<PathBuf> = ctx
        .projects
        .iter()
        .map(|p| canonical(Path::new(&p.root)))
        .collect();
    for path in paths {
        if has_compose(path) {
            continue;
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let parent = if canonical(&parent) == canonical(path) {
            continue;
        } else {
            parent
        };
        if !has_compose(&parent) || roots.contains(&canonical(&parent)) {
            continue;
        }
        roots.push(canonical(&parent));
        if let Some(mut project) = read_project(&shown(&parent), &vfs)? {
            link(&mut project, &parent, &keys);
            ctx.projects.push(project);
        }
    }
    Ok(ctx)
}

/// The containers under the paths named on the command line. Each path is searched for
/// Dockerfiles by any name at any depth, each built from the context [`discover`] finds
/// for it; a compose project's services name their own context and Dockerfile. A
/// directory with an `nginx.conf` or `supervisord.conf` but no Dockerfile (the path, or
/// one directly under it) is a container too, unless it lies in an image's build context,
/// where it is one of that image's files. Kubernetes manifests under `k8s/` join the
/// project.
pub(super) fn paths_context(paths: &[PathBuf], vfs: &Vfs, today: Date) -> Result<Context> {
    paths_context_with(paths, vfs, today, &mut |build| {
        ContainerDir::with_dockerfile(
            build.name,
            build.dir,
            None,
            build.files,
            build.dockerfile.as_deref(),
        )
    })
}

/// A container directory of [`paths_context`] as read, before its model is built.
pub(super) struct Build {
    pub name: String,
    /// As shown in diagnostics.
    pub dir: String,
    pub files: Vec<SourceFile>,
    /// Relative to the directory; `None` for the one the model picks by name.
    pub dockerfile: Option<String>,
}

/// [`paths_context`], with each container directory made by `container` from what was read
/// of it (`gen lsp` reuses the one it made at the last lint when the files are the same).
pub(super) fn paths_context_with(
    paths: &[PathBuf],
    vfs: &Vfs,
    today: Date,
    container: &mut dyn FnMut(Build) -> ContainerDir,
) -> Result<Context> {
    let mut builds: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut projects: Vec<(PathBuf, Project)> = Vec::new();
    let add = |builds: &mut Vec<(PathBuf, Option<String>)>, b: (PathBuf, Option<String>)| {
        // Shown as `web/x` under the current directory, not `./web/x`.
        let b = (shown(&b.0), b.1);
        let key = (canonical(&b.0), b.1.clone());
        if !builds.iter().any(|(c, d)| (canonical(c), d.clone()) == key) {
            builds.push(b);
        }
    };
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        if !meta.is_dir() {
            return Err(Error::Usage(format!(
                "`{}` is not a directory: pass a container directory, or a directory of them",
                path.display()
            )));
        }
        let mut project = read_project(path, vfs)?;
        // Containers found under this path, also those an earlier path found already.
        let mut found_here = 0usize;
        // The builds the compose file names come first: their context and Dockerfile are
        // written down, not guessed.
        let mut named: Vec<PathBuf> = Vec::new();
        if let Some(p) = project.as_mut() {
            for s in p.compose.iter_mut().flat_map(|c| c.services.iter_mut()) {
                let Some(context) = &s.build_context else {
                    continue;
                };
                // A remote context (a Git URL) is not on disk to check.
                if context.value.contains("://") || context.value.starts_with("git@") {
                    continue;
                }
                // Shown as the path given joined with the context (`./web`), or cleaned
                // when it leaves the path (`../app`).
                let rel = clean(Path::new(&context.value));
                let dir = if rel == Path::new(".") {
                    path.clone()
                } else if rel.starts_with("..") || rel.is_absolute() {
                    clean(&path.join(&rel))
                } else {
                    path.join(&rel)
                };
                let file = s
                    .build_dockerfile
                    .as_ref()
                    .map_or("Dockerfile", |d| d.value.as_str());
                if !dir.is_dir() {
                    s.build_missing = Some(BuildMissing::Context);
                    continue;
                }
                let df = clean(&dir.join(file));
                if !df.is_file() {
                    s.build_missing = Some(BuildMissing::Dockerfile);
                    // Without the Dockerfile it names, the context is still a directory
                    // of files: read it as before, by the names in it.
                    if s.build_dockerfile.is_none() && is_container(&dir)? {
                        found_here += 1;
                        add(&mut builds, (dir, None));
                    }
                    continue;
                }
                named.push(canonical(&df));
                if df.starts_with(&dir) {
                    let rel = discover::relative(&dir, &df);
                    found_here += 1;
                    add(&mut builds, (dir, Some(rel)));
                } else {
                    // A Dockerfile outside its context: the model reads Dockerfiles from
                    // the context only, so the context stands by its own name.
                    found_here += 1;
                    add(&mut builds, (dir, None));
                }
            }
        }
        let (found, cut) = discover::dockerfiles(path)?;
        if cut {
            crate::errln!(
                "note: `{}` holds more than gen searches ({} Dockerfiles, {} levels deep): only those found first are checked; name their directories to check others",
                path.display(),
                discover::MAX_DOCKERFILES,
                discover::MAX_DEPTH
            );
        }
        for df in found {
            if named.contains(&canonical(&df)) {
                continue;
            }
            let b = discover::context_of(path, &df);
            found_here += 1;
            add(&mut builds, (b.context, Some(b.dockerfile)));
        }
        // Directories with configs but no Dockerfile, outside every build context.
        let contexts: Vec<PathBuf> = builds.iter().map(|(c, _)| canonical(c)).collect();
        let mut loose = vec![path.clone()];
        if !is_container(path)? {
            let mut subdirs = Vec::new();
            for entry in fs::read_dir(path).map_err(|e| Error::io("read directory", path, e))? {
                let entry = entry.map_err(|e| Error::io("read directory", path, e))?;
                let sub = path.join(entry.file_name());
                let kind = entry
                    .file_type()
                    .map_err(|e| Error::io("inspect", &sub, e))?;
                if kind.is_dir() && !discover::is_template(&entry.file_name().to_string_lossy()) {
                    subdirs.push(sub);
                }
            }
            subdirs.sort();
            loose.extend(subdirs);
        }
        for dir in loose {
            let key = canonical(&dir);
            if contexts.iter().any(|c| key.starts_with(c)) || !is_container(&dir)? {
                continue;
            }
            found_here += 1;
            add(&mut builds, (dir, None));
        }
        if found_here == 0 && project.is_none() {
            return Err(Error::Usage(format!(
                "`{}` holds no container: no Dockerfile (`Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.dockerfile`) in it or up to {} levels under it, and no `nginx.conf` or `supervisord.conf` in it or in a directory directly under it",
                path.display(),
                discover::MAX_DEPTH
            )));
        }
        if let Some(p) = project {
            projects.push((path.clone(), p));
        }
    }
    let mut keys: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut ctx = Context::new(today);
    // Files of one context are read once, however many Dockerfiles build from it.
    let mut read: Vec<(PathBuf, Vec<SourceFile>)> = Vec::new();
    for (dir, dockerfile) in builds {
        let key = canonical(&dir);
        let files = match read.iter().find(|(k, _)| *k == key) {
            Some((_, files)) => files.clone(),
            None => {
                let files = read_files(&dir, vfs)?;
                read.push((key.clone(), files.clone()));
                files
            }
        };
        // `Dockerfile` at the top is what the model picks by itself.
        let dockerfile = dockerfile.filter(|d| d != "Dockerfile");
        let mut name = container_name(&dir);
        if let Some(d) = &dockerfile {
            name = format!("{name} ({d})");
        }
        ctx.containers.push(container(Build {
            name,
            dir: dir.display().to_string(),
            files,
            dockerfile: dockerfile.clone(),
        }));
        keys.push((key, dockerfile));
    }
    for (root, mut project) in projects {
        link(&mut project, &root, &keys);
        ctx.projects.push(project);
    }
    Ok(ctx)
}

/// What the command line names: the directories to check, and the files whose findings to
/// report (each checked with the container that holds it).
#[derive(Debug, Default)]
struct Targets {
    dirs: Vec<PathBuf>,
    /// Absolute and normalised, as [`vfs::key`] gives them.
    files: Vec<PathBuf>,
}

/// The paths to check, or `None` for the spec and its output directory: without paths, a
/// spec is checked when there is one (or `--spec`/`--out` asks for it), else the current
/// directory. `-` is the content of `--stdin-filename`'s file, read from stdin into `vfs`.
fn targets(args: &CheckArgs, vfs: &mut Vfs) -> Result<Option<Targets>> {
    if args.paths.is_empty() {
        if args.spec.is_some() || args.out.is_some() || Path::new("spec.toml").exists() {
            return Ok(None);
        }
        let here = Path::new(".");
        let mut found = is_container(here)? || has_compose(here);
        for entry in fs::read_dir(here).map_err(|e| Error::io("read directory", here, e))? {
            let entry = entry.map_err(|e| Error::io("read directory", here, e))?;
            found = found || (entry.path().is_dir() && is_container(&entry.path())?);
        }
        if !found {
            return Err(Error::Usage(format!(
                "there is no spec.toml here, and no container: no {} or compose file in this \
                 directory or its subdirectories\n\
                 help: pass the container directories to check, or run `gen init` to start a project",
                markers()
            )));
        }
        return Ok(Some(Targets {
            dirs: vec![here.to_path_buf()],
            files: Vec::new(),
        }));
    }
    let mut t = Targets::default();
    for path in &args.paths {
        let file = if path.as_os_str() == "-" {
            let Some(name) = &args.stdin_filename else {
                return Err(Error::Usage(
                    "`-` reads a file from stdin: name it with `--stdin-filename PATH`, so gen \
                     knows which container it belongs to"
                        .into(),
                ));
            };
            // At most what gen reads of a file on disk: a larger buffer is refused, not
            // read whole into memory.
            let mut text = String::new();
            let mut input = std::io::Read::take(std::io::stdin().lock(), MAX_TEXT + 1);
            std::io::Read::read_to_string(&mut input, &mut text)
                .map_err(|e| Error::io("read", "standard input", e))?;
            if text.len() as u64 > MAX_TEXT {
                return Err(Error::Usage(format!(
                    "standard input for `{}` is larger than 16 MiB, more than gen reads of a \
                     file: check a smaller file",
                    name.display()
                )));
            }
            vfs.insert(name, text);
            name.clone()
        } else if fs::metadata(path).is_ok_and(|m| m.is_file()) {
            path.clone()
        } else {
            t.dirs.push(path.clone());
            continue;
        };
        t.dirs.push(container_of(&file)?);
        t.files.push(vfs::key(&file));
    }
    Ok(Some(t))
}

/// The container directory (or compose project) that holds `file`: its directory or the
/// nearest one above it with a Dockerfile, nginx.conf, supervisord.conf or compose file.
pub(super) fn container_of(file: &Path) -> Result<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        let shown = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if has_compose(shown) || is_container(shown)? {
            return Ok(shown.to_path_buf());
        }
        if d.as_os_str().is_empty() {
            break;
        }
        dir = d.parent();
    }
    Err(Error::Usage(format!(
        "`{}` is in no container: no {} or compose file in its directory or above",
        file.display(),
        markers()
    )))
}

fn has_compose(dir: &Path) -> bool {
    deploy::COMPOSE_FILES.iter().any(|n| dir.join(n).is_file())
}

/// `dir/rel` as diagnostics show it: `rel` alone in the current directory.
/// `dir` as shown: without a leading `./` when there is more to it.
fn shown(dir: &Path) -> PathBuf {
    match dir.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

fn shown_join(dir: &Path, rel: impl AsRef<Path>) -> PathBuf {
    if dir == Path::new(".") {
        rel.as_ref().to_path_buf()
    } else {
        dir.join(rel)
    }
}

fn markers() -> String {
    MARKERS
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `dir` without `.` components (`generated/./web` is `generated/web`).
fn clean(dir: &Path) -> PathBuf {
    let cleaned: PathBuf = dir
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

fn canonical(dir: &Path) -> PathBuf {
    fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// The compose project of `root`: its compose file (the first of the names compose looks
/// for) and the manifests under `k8s/`; `None` when it has neither.
fn read_project(root: &Path, vfs: &Vfs) -> Result<Option<Project>> {
    let mut compose = None;
    for name in deploy::COMPOSE_FILES {
        let path = shown_join(root, name);
        if path.is_file() {
            compose = Some(read_deploy_file(&path, vfs)?);
            break;
        }
    }
    let mut manifests = Vec::new();
    let k8s = shown_join(root, "k8s");
    if k8s.is_dir() {
        let mut paths = Vec::new();
        for entry in fs::read_dir(&k8s).map_err(|e| Error::io("read directory", &k8s, e))? {
            let entry = entry.map_err(|e| Error::io("read directory", &k8s, e))?;
            let path = k8s.join(entry.file_name());
            let yaml = matches!(
                crate::parse::role::Role::of_name(&path.to_string_lossy()),
                Some(
                    crate::parse::role::Role::Kubernetes
                        | crate::parse::role::Role::Yaml
                        | crate::parse::role::Role::Compose
                )
            );
            if yaml && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            manifests.push(read_deploy_file(&path, vfs)?);
        }
    }
    if compose.is_none() && manifests.is_empty() {
        return Ok(None);
    }
    Ok(Some(Project::new(
        root.display().to_string(),
        compose,
        manifests,
    )))
}

fn read_deploy_file(path: &Path, vfs: &Vfs) -> Result<DeployFile> {
    use std::io::Read as _;
    if let Some(text) = vfs.get(path) {
        return Ok(DeployFile {
            path: path.display().to_string(),
            text: text.to_owned(),
        });
    }
    // One byte past the YAML reader's limit is enough for it to refuse the file, with a
    // finding that says so.
    let limit = u64::try_from(crate::parse::yaml::MAX_LEN).unwrap_or(u64::MAX) + 1;
    let file = fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut bytes = Vec::new();
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    // Checked as UTF-8 first, taken without a copy: `from_utf8_lossy` goes byte by byte.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(DeployFile {
        path: path.display().to_string(),
        text,
    })
}

/// Links each compose service to the container its build context and Dockerfile are (by
/// the canonical context and Dockerfile `keys`, one per container), then each Kubernetes
/// container by image.
fn link(project: &mut Project, root: &Path, keys: &[(PathBuf, Option<String>)]) {
    if let Some(compose) = project.compose.as_mut() {
        for s in &mut compose.services {
            let Some(context) = &s.build_context else {
                continue;
            };
            let dir = root.join(&context.value);
            let key = canonical(&dir);
            let dockerfile = s
                .build_dockerfile
                .as_ref()
                .map(|d| discover::relative(&dir, &clean(&dir.join(&d.value))))
                .filter(|d| d != "Dockerfile");
            s.container = keys
                .iter()
                .position(|(k, d)| *k == key && *d == dockerfile)
                .or_else(|| keys.iter().position(|(k, d)| *k == key && d.is_none()));
        }
    }
    let names: Vec<String> = keys.iter().map(|(k, _)| container_name(k)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    project.link_k8s(&names);
}

fn is_container(dir: &Path) -> Result<bool> {
    for m in MARKERS {
        let path = dir.join(m);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => return Ok(true),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("inspect", path, e)),
        }
    }
    Ok(false)
}

/// A container directory of the output directory: its files, with the bytes already read
/// into `read` taken from it, and the model built from them.
fn read_container(
    dir: &Path,
    read: (&Path, &mut std::collections::BTreeMap<PathBuf, Vec<u8>>),
) -> Result<ContainerDir> {
    Ok(ContainerDir::new(
        container_name(dir),
        dir.display().to_string(),
        None,
        read_files_from(dir, &Vfs::default(), Some(read))?,
    ))
}

/// A directory's name as containers are named (`.` is named after what it is).
fn container_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            fs::canonicalize(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| dir.display().to_string())
}

/// Every file under `dir` (a missing directory has none), without following symlinks and
/// without version-control, dependency and cache directories.
fn read_files(dir: &Path, vfs: &Vfs) -> Result<Vec<SourceFile>> {
    read_files_from(dir, vfs, None)
}

/// [`read_files`], taking the bytes of the files already read into `read` (by their path
/// relative to its root) from it instead of the disk.
fn read_files_from(
    dir: &Path,
    vfs: &Vfs,
    mut read: Option<(&Path, &mut std::collections::BTreeMap<PathBuf, Vec<u8>>)>,
) -> Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            let abs = dir.join(&rel);
            let entries = fs::read_dir(&abs).map_err(|e| Error::io("read directory", &abs, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read directory", &abs, e))?;
                let file_name = entry.file_name();
                let rel = rel.join(&file_name);
                // `gen check` in a container directory shows `app.js`, not `./app.js`.
                let path = shown_join(dir, &rel);
                let kind = entry
                    .file_type()
                    .map_err(|e| Error::io("inspect", &path, e))?;
                let skipped = file_name.to_str().is_none_or(|n| SKIP_DIRS.contains(&n));
                if kind.is_dir() && !skipped {
                    stack.push(rel);
                } else if kind.is_file() {
                    let len = entry.metadata().map_or(u64::MAX, |m| m.len());
                    let text = if let Some(text) = vfs.get(&path) {
                        Some(text.into())
                    } else if len <= MAX_TEXT {
                        let taken = read
                            .as_mut()
                            .and_then(|(root, tree)| tree.remove(path.strip_prefix(root).ok()?));
                        let bytes = match taken {
                            Some(bytes) => bytes,
                            None => read_len(&path, len)?,
                        };
                        // nginx and supervisord read bytes, not UTF-8: a Latin-1 comment is
                        // fine. Only a NUL byte makes a file binary.
                        (!bytes.contains(&0)).then(|| {
                            String::from_utf8(bytes)
                                .unwrap_or_else(|e| {
                                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                                })
                                .into()
                        })
                    } else {
                        None
                    };
                    files.push(SourceFile {
                        rel: rel
                            .components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/"),
                        path: path.display().to_string(),
                        text,
                    });
                }
            }
        }
    }
    // A buffer not yet saved is a file of the container all the same.
    for (rel, text) in vfs.under(dir) {
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !files.iter().any(|f| f.rel == rel) {
            let path = shown_join(dir, &rel);
            files.push(SourceFile {
                path: path.display().to_string(),
                rel,
                text: Some(text.into()),
            });
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

/// The bytes of the file at `path`, whose size the directory listing said is `len`: read
/// into a buffer of that size (`fs::read` would ask the file system for the size again).
fn read_len(path: &Path, len: u64) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, e))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;

    #[test]
    fn summary_table() {
        let d = |s| Diagnostic::new("X001", "x", s, "m", Label::file("f", ""));
        let (e, w, i) = (Severity::Error, Severity::Warning, Severity::Info);
        let cases = [
            (vec![], 2, 0, "no problems in 2 containers"),
            (
                vec![],
                1,
                3,
                "no problems in 1 container (3 allowed by suppression comments)",
            ),
            (
                vec![d(e), d(e), d(w)],
                2,
                0,
                "2 errors, 1 warning in 2 containers",
            ),
            (
                vec![d(i), d(w), d(w)],
                1,
                1,
                "2 warnings, 1 info in 1 container (1 allowed by suppression comment)",
            ),
            (vec![d(e)], 0, 0, "1 error in 0 containers"),
        ];
        for (diags, containers, suppressed, want) in cases {
            assert_eq!(summary(&diags, containers, suppressed), want);
        }
    }
}
