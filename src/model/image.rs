//! The image's filesystem as the Dockerfile builds it: what the base image and the packages
//! installed by RUN lay down, which local file each COPY puts where (through `--from`
//! stages too, and `.dockerignore`), and what RUN commands visibly do to paths (`rm`,
//! `mkdir`, `ln -s`, `touch`, `mv`, `cp`, `sed -i`, `python3 -m venv`, `pip install` (into a
//! venv, `--prefix`, `--target`, `--root` or `--user`, followed through a `COPY --from` of
//! that directory),
//! `npm ci`, `useradd`). RUN scripts are read as simple commands (`a && b; c | d`), not run:
//! loops, functions, variables and redirections are beyond it; what it cannot see it does
//! not claim, which is why a path gen knows nothing about is `Presence::Unknown`, not absent.

use super::glob::{self, Dots};
use super::packaged::{self, PackagedFile, Packaging};
use super::runtime;
use super::{Fact, Files, Origin};
use crate::model::path;
use crate::model::path::parent;
use crate::parse::dockerfile::{Base, Copy, Dockerfile, Form, Instruction, Kind};
use crate::parse::requirement;
use crate::parse::shell;
use crate::parse::span::Span;
use crate::spec::Distro;
use std::collections::BTreeMap;

/// What is at a path of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A copy of a file of the container directory.
    Local {
        file: String,
    },
    /// Installed by the base image or a package; `text` when gen knows it.
    Packaged {
        distro: String,
        text: Option<&'static str>,
    },
    /// Written from a heredoc of the Dockerfile.
    Heredoc {
        content: String,
    },
    /// Made by a RUN command or copied from another image: exists, contents unknown.
    Opaque,
    Dir,
    Symlink {
        target: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// Where it comes from: the COPY or RUN instruction, or the packaged file.
    pub origin: Origin,
    /// The RUN that installed the package it belongs to.
    pub installed_by: Option<Origin>,
    /// A later RUN that edits it in place (`sed -i`): its text is no longer known.
    pub edited: Option<Origin>,
    /// `--chown` of the COPY that put it there.
    pub owner: Option<String>,
}

/// What gen knows about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence<'a> {
    /// There is an entry (symlinks followed to their target).
    Present(&'a Entry),
    /// A directory: some entry lies under it.
    Dir,
    /// Removed by a RUN (`rm`).
    Removed(&'a Origin),
    /// Nothing gen models says either way (the base image may have it).
    Unknown,
}

/// The image filesystem of one stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFs {
    entries: BTreeMap<String, Entry>,
    removed: BTreeMap<String, Origin>,
}

fn basename(p: &str) -> &str {
    path::basename(p.trim_end_matches('/'))
}

/// `base/name`, without doubling the `/` at the root.
fn child(base: &str, name: &str) -> String {
    if base == "/" {
        format!("/{name}")
    } else {
        format!("{}/{name}", base.trim_end_matches('/'))
    }
}

impl ImageFs {
    fn put(&mut self, path: &str, entry: Entry) {
        let path = path::clean(path);
        self.removed.remove(&path);
        self.entries.insert(path, entry);
    }

    fn put_if_absent(&mut self, path: &str, entry: Entry) {
        if self.entry(path).is_none() {
            self.put(path, entry);
        }
    }

    /// A local file placed by a guess (no Dockerfile).
    pub(super) fn put_assumed(&mut self, path: &str, file: &str, what: &str) {
        self.put(
            path,
            Entry {
                kind: EntryKind::Local {
                    file: file.to_owned(),
                },
                origin: Origin::Assumed {
                    what: what.to_owned(),
                },
                installed_by: None,
                edited: None,
                owner: None,
            },
        );
    }

    /// `rm -rf path`: the path and everything under it.
    fn remove(&mut self, path: &str, origin: &Origin) {
        let path = path::clean(path);
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let gone: Vec<String> = self
            .entries
            .keys()
            .filter(|k| **k == path || k.starts_with(&prefix))
            .cloned()
            .collect();
        for k in gone {
            self.entries.remove(&k);
            self.removed.insert(k, origin.clone());
        }
        self.removed.insert(path, origin.clone());
    }

    /// The entry at exactly `path`.
    #[must_use]
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path::cleaned(path).as_ref())
    }

    /// The entry at `path` with symlinks followed (the final path and the entry).
    #[must_use]
    pub fn resolve(&self, path: &str) -> Option<(String, &Entry)> {
        let path = path::cleaned(path);
        let (path, entry) = self.resolved(&path)?;
        Some((path.into_owned(), entry))
    }

    /// [`ImageFs::resolve`] of a clean path, without a string of its own when no symlink
    /// is followed.
    fn resolved<'p>(&self, path: &'p str) -> Option<(std::borrow::Cow<'p, str>, &Entry)> {
        let entry = self.entries.get(path)?;
        self.followed(std::borrow::Cow::Borrowed(path), entry)
    }

    /// [`ImageFs::resolved`] from the entry at `path`, already looked up.
    fn followed<'s, 'p>(
        &'s self,
        mut path: std::borrow::Cow<'p, str>,
        mut entry: &'s Entry,
    ) -> Option<(std::borrow::Cow<'p, str>, &'s Entry)> {
        for _ in 0..16 {
            match &entry.kind {
                EntryKind::Symlink { target } => {
                    path = std::borrow::Cow::Owned(path::join(parent(&path), target));
                    entry = self.entries.get(path.as_ref())?;
                }
                _ => return Some((path, entry)),
            }
        }
        None
    }

    /// The entry at `path` when there is one: followed through symlinks, or the symlink
    /// itself when they loop. What [`ImageFs::presence`] calls present.
    #[must_use]
    pub fn present(&self, path: &str) -> Option<&Entry> {
        let path = path::cleaned(path);
        // A miss is the usual answer (a PATH search): one lookup gives it.
        let entry = self.entries.get(path.as_ref())?;
        Some(
            self.followed(std::borrow::Cow::Borrowed(&path), entry)
                .map_or(entry, |(_, e)| e),
        )
    }

    /// What gen knows about `path`.
    #[must_use]
    pub fn presence(&self, path: &str) -> Presence<'_> {
        let path = path::cleaned(path);
        if let Some(e) = self.present(&path) {
            return Presence::Present(e);
        }
        // Not an entry: a directory only by the entries under it.
        if path == "/" || self.holds(&path) {
            return Presence::Dir;
        }
        if let Some(o) = self.removed.get(path.as_ref()) {
            return Presence::Removed(o);
        }
        Presence::Unknown
    }

    /// Whether `path` is a directory gen knows of (made, packaged, or holding entries).
    #[must_use]
    pub fn is_dir(&self, path: &str) -> bool {
        let path = path::cleaned(path);
        if path == "/" {
            return true;
        }
        if matches!(self.resolved(&path), Some((_, e)) if e.kind == EntryKind::Dir) {
            return true;
        }
        self.holds(&path)
    }

    /// Whether some entry lies under the clean path `dir`.
    fn holds(&self, dir: &str) -> bool {
        let mut prefix = String::with_capacity(dir.len() + 1);
        prefix.push_str(dir);
        prefix.push('/');
        self.entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// The paths matching a glob (files, symlinks and directories that have an entry),
    /// sorted, as glob(3) and Python's `glob` list them.
    #[must_use]
    pub fn glob(&self, pattern: &str, dots: Dots) -> Vec<String> {
        let pattern = path::clean(pattern);
        if !glob::is_pattern(&pattern) {
            return if self.entry(&pattern).is_some() || self.is_dir(&pattern) {
                vec![pattern]
            } else {
                Vec::new()
            };
        }
        // Only paths that start with the pattern's literal head (up to its first
        // metacharacter or escape) can match: the rest of the image is not tried.
        let head = pattern
            .find(['*', '?', '[', '\\'])
            .map_or(pattern.as_str(), |i| pattern.get(..i).unwrap_or_default());
        let mut out: Vec<String> = self
            .entries
            .range::<str, _>((std::ops::Bound::Included(head), std::ops::Bound::Unbounded))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(head))
            .filter(|k| glob::matches(&pattern, k, dots))
            .cloned()
            .collect();
        out.sort();
        out
    }

    /// Every entry, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every path a RUN removed.
    pub fn removed(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.removed.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The container-directory file whose copy is at `path` (symlinks followed).
    #[must_use]
    pub fn local_file(&self, path: &str) -> Option<&str> {
        match &self.resolve(path)?.1.kind {
            EntryKind::Local { file } => Some(file),
            _ => None,
        }
    }
}

/// A `pip install` seen in a RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipInstall {
    /// The pip run (`pip3`, `/opt/venv/bin/pip`, `python3 -m pip`).
    pub pip: String,
    /// The prefix it installs into when that is not the system's: the virtual environment
    /// whose pip (or python) runs, named by its path or found first on the PATH in effect
    /// (`ENV PATH=/opt/venv/bin:$PATH`, `. /opt/venv/bin/activate`). Also set when a PATH
    /// directory gen knows nothing of comes first, since that pip may be anyone's.
    pub venv: Option<String>,
    /// Package names (lower-case, without versions or extras), from the command line and
    /// the `-r` files gen could read.
    pub packages: Vec<String>,
    /// `--break-system-packages`, or `PIP_BREAK_SYSTEM_PACKAGES` set by an earlier ENV.
    pub break_system_packages: bool,
    /// Whether `packages` is everything it installs: false when a `-r` file could not be
    /// read, or it installs a local project, an editable or a URL (whose dependencies gen
    /// does not see).
    pub complete: bool,
    /// `--target`, `--prefix` or `--root`: pip installs into a directory and does not check
    /// whether the environment is externally managed (PEP 668).
    pub into_directory: bool,
    /// `python3 -m ensurepip`: Python installs pip itself (with pip's own install command).
    pub ensurepip: bool,
    /// The directory it installs under, when gen knows it: `--prefix`, `--target` or
    /// `--root` (with the system prefix under it), `--user` run as root (`/root/.local`),
    /// or the virtual environment; `None` for the system's own prefix.
    pub into: Option<String>,
    /// Made in another stage, whose install directory a `COPY --from` brought into this
    /// one: it tells what the image has, not how this stage ran pip.
    pub copied: bool,
    /// The RUN instruction.
    pub origin: Origin,
    /// The pip command's words within the RUN (the RUN when they cannot be placed).
    pub command: Origin,
}

/// Everything the Dockerfile walk finds, for the final stage.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub fs: ImageFs,
    pub packaging: Option<Packaging>,
    pub packages: Vec<Fact<String>>,
    pub users: Vec<Fact<String>>,
    pub venvs: Vec<Fact<String>>,
    pub pip_installs: Vec<PipInstall>,
    /// COPY sources that match no file of the container directory.
    pub missing_sources: Vec<Fact<String>>,
    /// The environment ENV has set so far (the base image's PATH included when known).
    pub env: BTreeMap<String, String>,
    /// A RUN added a package source of its own (nginx.org's repository, a PPA, an apk
    /// `--repository`): the packages installed after it may not be the distribution's, so
    /// their files are known to exist but not what they hold.
    pub foreign_sources: bool,
    /// The stage runs as root: a base gen knows (they all do) and no `USER` to another.
    pub user_is_root: bool,
}

/// What in a RUN adds a package source other than the distribution's.
const FOREIGN_SOURCES: [&str; 5] = [
    "sources.list",
    "add-apt-repository",
    "/etc/apk/repositories",
    "--repository",
    "apt-add-repository",
];

/// Directories where the system's own executables live: a pip there is the system
/// Python's.
const SYSTEM_BIN: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// What a RUN's shell tracks from one command to the next, besides the directory.
struct ShellState {
    /// The PATH, as `ENV` left it and `. venv/bin/activate` changes it.
    path: String,
    /// The script and where its text lies in the Dockerfile, to place commands.
    script: String,
    region: Option<Span>,
}

struct Walk<'a> {
    file: &'a str,
    files: &'a Files,
    df: &'a Dockerfile,
    ignore: Vec<(bool, String)>,
}

/// Builds the image of the Dockerfile's final stage.
pub(super) fn build(file: &str, df: &Dockerfile, files: &Files) -> Built {
    let walk = Walk {
        file,
        files,
        df,
        ignore: dockerignore(files.text(".dockerignore").unwrap_or("")),
    };
    let mut stages: Vec<Built> = Vec::new();
    for stage in &df.stages {
        let mut st = match &stage.base {
            Base::Stage(i) => stages.get(*i).cloned().unwrap_or_default(),
            Base::Image(image) => walk.base(image, stage.from),
        };
        st.missing_sources.clear();
        for ins in df.stage_instructions(stage).skip(1) {
            match &ins.kind {
                Kind::Copy(c) | Kind::Add(c) => walk.copy(&mut st, ins, c, &stages),
                Kind::Run(form) => walk.run(&mut st, ins, form),
                Kind::Env(pairs) => {
                    for p in pairs {
                        st.env.insert(p.key.clone(), p.value.value.clone());
                    }
                }
                Kind::User(u) => st.user_is_root = matches!(u.user.as_str(), "root" | "0"),
                _ => {}
            }
        }
        stages.push(st);
    }
    stages.pop().unwrap_or_default()
}

fn dockerignore(text: &str) -> Vec<(bool, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (keep, p) = l.strip_prefix('!').map_or((false, l), |p| (true, p));
            let p = p.trim().trim_start_matches('/').trim_end_matches('/');
            (keep, path::clean(p).trim_start_matches('/').to_owned())
        })
        .collect()
}

impl Walk<'_> {
    fn at(&self, ins: &Instruction) -> Origin {
        Origin::File {
            file: self.file.to_owned(),
            span: ins.span,
        }
    }

    fn base(&self, image: &str, from: usize) -> Built {
        let mut st = Built::default();
        let Some(packaging) = packaged::base_packaging(image) else {
            return st;
        };
        st.packaging = Some(packaging);
        st.user_is_root = true;
        st.env
            .insert("PATH".to_owned(), super::IMAGE_PATH.to_owned());
        let from_origin = self.df.instructions.get(from).map(|ins| self.at(ins));
        for (path, f) in packaged::base_files(image, packaging) {
            st.fs.put(path, packaged_entry(packaging, path, f, None));
        }
        for user in packaged::base_users(image, packaging) {
            st.users.push(Fact {
                value: user.to_owned(),
                origin: from_origin.clone().unwrap_or_else(|| Origin::Default {
                    what: format!("a user of {}", packaging.name()),
                }),
            });
        }
        st
    }

    /// Whether `.dockerignore` keeps a context file out of the build.
    fn ignored(&self, path: &str) -> bool {
        let mut out = false;
        for (keep, p) in &self.ignore {
            let hit = glob::matches(p, path, Dots::Match)
                || path
                    .match_indices('/')
                    .any(|(i, _)| glob::matches(p, &path[..i], Dots::Match));
            if hit {
                out = !keep;
            }
        }
        out
    }

    /// Context files a COPY source names: `(context path, path relative to the source)`.
    fn local_sources(&self, src: &str) -> Vec<(String, String)> {
        let src = path::clean(src).trim_start_matches('/').to_owned();
        let keep = |p: &&str| !self.ignored(p);
        if src.is_empty() {
            return self
                .files
                .under("")
                .filter(keep)
                .map(|p| (p.to_owned(), p.to_owned()))
                .collect();
        }
        if glob::is_pattern(&src) {
            let mut out = Vec::new();
            let mut dirs: Vec<String> = Vec::new();
            for p in self.files.paths().filter(keep) {
                if glob::matches(&src, p, Dots::Match) {
                    out.push((p.to_owned(), basename(p).to_owned()));
                    continue;
                }
                // A matching directory copies its contents.
                for (i, _) in p.match_indices('/') {
                    let dir = &p[..i];
                    if glob::matches(&src, dir, Dots::Match) {
                        out.push((p.to_owned(), p[i + 1..].to_owned()));
                        if !dirs.iter().any(|d| d == dir) {
                            dirs.push(dir.to_owned());
                        }
                        break;
                    }
                }
            }
            return out;
        }
        if self.files.contains(&src) {
            return if self.ignored(&src) {
                Vec::new()
            } else {
                vec![(src.clone(), basename(&src).to_owned())]
            };
        }
        let prefix = format!("{src}/");
        self.files
            .under(&src)
            .filter(keep)
            .map(|p| (p.to_owned(), p[prefix.len()..].to_owned()))
            .collect()
    }

    fn copy(&self, st: &mut Built, ins: &Instruction, c: &Copy, stages: &[Built]) {
        let origin = self.at(ins);
        let wildcard = c.sources.iter().any(|s| glob::is_pattern(&s.value));
        let dir_dest = c.dest_path.ends_with('/') || c.sources.len() > 1 || wildcard;
        let dest = path::clean(&c.dest_path);
        let entry = |kind: EntryKind| Entry {
            kind,
            origin: origin.clone(),
            installed_by: None,
            edited: None,
            owner: c.chown.clone(),
        };
        for src in &c.sources {
            if let Some(name) = src.raw.strip_prefix("<<") {
                let name = name.trim_start_matches('-').trim_matches(['\'', '"']);
                let content = ins
                    .heredocs
                    .iter()
                    .find(|h| h.name == name)
                    .map(|h| h.content.clone())
                    .unwrap_or_default();
                let to = if dir_dest {
                    child(&dest, name)
                } else {
                    dest.clone()
                };
                st.fs.put(&to, entry(EntryKind::Heredoc { content }));
                continue;
            }
            let is_url = src.value.contains("://");
            if let Some(i) = c.from_stage {
                let Some(from) = stages.get(i) else { continue };
                let path = path::clean(&src.value);
                let single = from.fs.entry(&path).filter(|e| e.kind != EntryKind::Dir);
                let mut copied = Vec::new();
                if let Some(e) = single {
                    let to = if dir_dest || st.fs.is_dir(&dest) {
                        child(&dest, basename(&path))
                    } else {
                        dest.clone()
                    };
                    copied.push((to, e.clone()));
                } else {
                    let prefix = format!("{}/", path.trim_end_matches('/'));
                    for (p, e) in from.fs.iter().filter(|(p, _)| p.starts_with(&prefix)) {
                        copied.push((child(&dest, &p[prefix.len()..]), e.clone()));
                    }
                    // A directory the other stage made (`npm ci` makes node_modules) has no
                    // entries under it: the copy makes the destination a directory.
                    if copied.is_empty() && from.fs.is_dir(&path) {
                        copied.push((dest.clone(), entry(EntryKind::Dir)));
                    }
                }
                for (to, mut e) in copied {
                    e.origin = origin.clone();
                    e.owner.clone_from(&c.chown);
                    st.fs.put(&to, e);
                }
                carry_installs(st, from, &path, &dest, &origin);
                continue;
            }
            if c.from.is_some() || is_url {
                let to = if dir_dest {
                    child(&dest, basename(&src.value))
                } else {
                    dest.clone()
                };
                st.fs.put(&to, entry(EntryKind::Opaque));
                continue;
            }
            let found = self.local_sources(&src.value);
            if found.is_empty() {
                st.missing_sources.push(Fact {
                    value: src.value.clone(),
                    origin: Origin::File {
                        file: self.file.to_owned(),
                        span: src.span,
                    },
                });
                continue;
            }
            let single_file = found.len() == 1
                && !glob::is_pattern(&src.value)
                && self.files.contains(&found[0].0);
            for (local, rel) in found {
                let to = if single_file && !dir_dest && !st.fs.is_dir(&dest) {
                    dest.clone()
                } else {
                    child(&dest, &rel)
                };
                st.fs.put(&to, entry(EntryKind::Local { file: local }));
            }
        }
    }

    fn run(&self, st: &mut Built, ins: &Instruction, form: &Form) {
        let origin = self.at(ins);
        if FOREIGN_SOURCES.iter().any(|m| ins.args_text.contains(m))
            || ins
                .heredocs
                .iter()
                .any(|h| FOREIGN_SOURCES.iter().any(|m| h.content.contains(m)))
        {
            st.foreign_sources = true;
        }
        let mut scripts: Vec<String> = match form {
            Form::Shell(s) => vec![s.clone()],
            Form::Exec(argv) => match argv.as_slice() {
                [sh, c, script, ..] if basename(sh).ends_with("sh") && c == "-c" => {
                    vec![script.clone()]
                }
                _ => vec![argv.join(" ")],
            },
        };
        // Where each script's text lies in the Dockerfile, to place the commands in it.
        let mut regions: Vec<Option<Span>> = vec![match form {
            Form::Shell(s) if *s == ins.args_text => Some(ins.args_span),
            _ => None,
        }];
        scripts.extend(ins.heredocs.iter().map(|h| h.content.clone()));
        regions.extend(ins.heredocs.iter().map(|h| Some(h.span)));
        let mut cwd = ins.workdir.clone();
        let mut sh = ShellState {
            path: st.env.get("PATH").cloned().unwrap_or_default(),
            script: String::new(),
            region: None,
        };
        for (script, region) in scripts.iter().zip(regions) {
            sh.script.clone_from(script);
            sh.region = region;
            for cmd in shell::simple_commands(script) {
                let words: Vec<&str> = cmd.iter().map(|w| w.value.as_str()).collect();
                let at = match (cmd.first(), cmd.last()) {
                    (Some(a), Some(b)) => self.place(&sh, a.range.start..b.range.end, &origin),
                    _ => origin.clone(),
                };
                self.command(st, &words, &mut cwd, &mut sh, &origin, &at);
            }
        }
    }

    /// The origin of a byte range of the script being run: its place in the Dockerfile,
    /// or the whole instruction when the script's text is not the file's.
    fn place(&self, sh: &ShellState, range: std::ops::Range<usize>, origin: &Origin) -> Origin {
        match (sh.region, self.files.text(self.file)) {
            (Some(region), Some(text)) => Origin::File {
                file: self.file.to_owned(),
                span: script_span(text, region, &sh.script, range),
            },
            _ => origin.clone(),
        }
    }

    fn command(
        &self,
        st: &mut Built,
        words: &[&str],
        cwd: &mut String,
        sh: &mut ShellState,
        origin: &Origin,
        at: &Origin,
    ) {
        let (words, written) = redirections(words);
        for target in written {
            write(st, &path::join(cwd, target), origin);
        }
        let words = words.as_slice();
        let Some(&first) = words.first() else { return };
        let prog = basename(first);
        let args = &words[1..];
        let abs = |p: &str| path::join(cwd, p);
        let operands = || args.iter().copied().filter(|a| !a.starts_with('-'));
        let made = |kind: EntryKind| Entry {
            kind,
            origin: origin.clone(),
            installed_by: None,
            edited: None,
            owner: None,
        };
        match prog {
            "cd" => {
                if let Some(d) = args.first() {
                    *cwd = abs(d);
                }
            }
            "rm" => {
                for a in operands() {
                    let p = abs(a);
                    if glob::is_pattern(&p) {
                        for m in st.fs.glob(&p, Dots::Literal) {
                            st.fs.remove(&m, origin);
                        }
                    } else {
                        st.fs.remove(&p, origin);
                    }
                }
            }
            "mkdir" => {
                let mut skip = false;
                for a in args {
                    if std::mem::take(&mut skip) {
                        continue;
                    }
                    if *a == "-m" || *a == "--mode" {
                        skip = true;
                    } else if !a.starts_with('-') {
                        st.fs.put(&abs(a), made(EntryKind::Dir));
                    }
                }
            }
            "touch" => {
                for a in operands() {
                    st.fs.put(&abs(a), made(EntryKind::Opaque));
                }
            }
            "ln" if args.iter().any(|a| a.starts_with('-') && a.contains('s')) => {
                let ops: Vec<&str> = operands().collect();
                if let [target, link] = ops.as_slice() {
                    let mut link = abs(link);
                    if st.fs.is_dir(&link)
                        && !matches!(st.fs.entry(&link), Some(e) if matches!(e.kind, EntryKind::Symlink { .. }))
                    {
                        link = child(&link, basename(target));
                    }
                    st.fs.put(
                        &link,
                        made(EntryKind::Symlink {
                            target: (*target).to_owned(),
                        }),
                    );
                }
            }
            "mv" | "cp" => {
                let ops: Vec<&str> = operands().collect();
                if let [from, to] = ops.as_slice() {
                    let (from, to) = (abs(from), abs(to));
                    let to = if st.fs.is_dir(&to) {
                        child(&to, basename(&from))
                    } else {
                        to
                    };
                    let prefix = format!("{from}/");
                    let moved: Vec<(String, Entry)> = st
                        .fs
                        .iter()
                        .filter(|(p, _)| *p == from || p.starts_with(&prefix))
                        .map(|(p, e)| (format!("{to}{}", &p[from.len()..]), e.clone()))
                        .collect();
                    if prog == "mv" {
                        st.fs.remove(&from, origin);
                    }
                    for (p, e) in moved {
                        st.fs.put(&p, e);
                    }
                }
            }
            "sed"
                if args
                    .iter()
                    .any(|a| a.starts_with("-i") || *a == "--in-place") =>
            {
                for a in operands().skip(1) {
                    let p = abs(a);
                    if let Some(e) = st.fs.entries.get_mut(&p) {
                        e.edited = Some(origin.clone());
                    }
                }
            }
            "tee" => {
                for a in operands() {
                    write(st, &abs(a), origin);
                }
            }
            "apt-get" | "apt" | "apk" | "aptitude" => self.install(st, prog, args, origin),
            "useradd" | "adduser" => {
                if let Some(name) = args.last().filter(|a| !a.starts_with('-')) {
                    st.users.push(Fact {
                        value: (*name).to_owned(),
                        origin: origin.clone(),
                    });
                }
            }
            "npm" | "yarn" | "pnpm"
                if args
                    .first()
                    .is_some_and(|a| matches!(*a, "ci" | "install" | "i")) =>
            {
                st.fs.put(&child(cwd, "node_modules"), made(EntryKind::Dir));
            }
            "virtualenv" => {
                if let Some(dir) = operands().next() {
                    venv(st, &abs(dir), origin);
                }
            }
            "." | "source" => {
                // `. /opt/venv/bin/activate` puts the venv first on the PATH for the rest
                // of the RUN.
                if let Some(script) = args.first().map(|a| abs(a)) {
                    if basename(&script) == "activate" {
                        sh.path = format!("{}:{}", parent(&script), sh.path);
                    }
                }
            }
            _ if prog.starts_with("python") || prog.starts_with("pip") => {
                self.python(st, first, args, cwd, sh, origin, at);
            }
            _ => {}
        }
    }

    fn install(&self, st: &mut Built, prog: &str, args: &[&str], origin: &Origin) {
        let verb = if prog == "apk" { "add" } else { "install" };
        let Some(at) = args.iter().position(|a| *a == verb) else {
            return;
        };
        let distro = st.packaging.map_or(
            if prog == "apk" {
                Distro::Alpine
            } else {
                Distro::Debian
            },
            Packaging::distro,
        );
        let packaging = st.packaging.unwrap_or(Packaging::Distro(distro));
        let takes_value = [
            "-t",
            "--target-release",
            "-o",
            "--option",
            "--virtual",
            "-X",
            "--repository",
            "--root",
            "-p",
        ];
        let mut skip = false;
        for a in &args[at + 1..] {
            if std::mem::take(&mut skip) {
                continue;
            }
            if a.starts_with('-') {
                skip = takes_value.contains(a);
                continue;
            }
            let name = a
                .split(['=', '>', '<', '~'])
                .next()
                .unwrap_or(a)
                .split(':')
                .next()
                .unwrap_or(a)
                .to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            for (path, mut f) in packaged::package_files(distro, &name) {
                if st.foreign_sources && matches!(f, packaged::PackagedFile::Text(_)) {
                    // Another repository's package of that name: its configs are not the
                    // distribution's (nginx.org's nginx has no `sites-enabled/`).
                    f = packaged::PackagedFile::Opaque;
                }
                st.fs
                    .put_if_absent(path, packaged_entry(packaging, path, f, Some(origin)));
            }
            for user in packaged::package_users(distro, &name) {
                st.users.push(Fact {
                    value: user.to_owned(),
                    origin: origin.clone(),
                });
            }
            st.packages.push(Fact {
                value: name,
                origin: origin.clone(),
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn python(
        &self,
        st: &mut Built,
        first: &str,
        args: &[&str],
        cwd: &str,
        sh: &ShellState,
        origin: &Origin,
        at: &Origin,
    ) {
        let prog = basename(first);
        let (pip, rest): (String, &[&str]) = if prog.starts_with("pip") {
            (first.to_owned(), args)
        } else {
            match args {
                ["-m", "venv", rest @ ..] => {
                    if let Some(dir) = rest.iter().find(|a| !a.starts_with('-')) {
                        venv(st, &path::join(cwd, dir), origin);
                    }
                    return;
                }
                ["-m", "pip", rest @ ..] => (format!("{first} -m pip"), rest),
                ["-m", "ensurepip", rest @ ..] => {
                    let into_directory = rest
                        .iter()
                        .any(|a| *a == "--root" || a.starts_with("--root="));
                    st.pip_installs.push(PipInstall {
                        pip: format!("{first} -m ensurepip"),
                        venv: prefix_of(&st.fs, &sh.path, first, cwd),
                        packages: vec!["pip".to_owned()],
                        break_system_packages: env_breaks(st),
                        complete: true,
                        into_directory,
                        ensurepip: true,
                        into: None,
                        copied: false,
                        origin: origin.clone(),
                        command: at.clone(),
                    });
                    return;
                }
                _ => return,
            }
        };
        if rest.first() != Some(&"install") {
            return;
        }
        let venv_dir = prefix_of(&st.fs, &sh.path, first, cwd);
        let mut packages = Vec::new();
        let mut complete = true;
        let mut skip_next = false;
        let mut requirement_next = false;
        // `--prefix`, `--target`, `--root` or `--user`, with its directory.
        let mut install_dir: Option<(&str, String)> = None;
        let mut dir_next: Option<&str> = None;
        for a in &rest[1..] {
            if let Some(flag) = dir_next.take() {
                install_dir = Some((flag, path::join(cwd, a)));
                skip_next = false;
                continue;
            }
            if std::mem::take(&mut skip_next) {
                continue;
            }
            for flag in ["--prefix", "--target", "-t", "--root"] {
                if *a == flag {
                    dir_next = Some(flag);
                } else if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                    install_dir = Some((flag, path::join(cwd, v)));
                }
            }
            if *a == "--user" {
                install_dir = Some(("--user", String::new()));
            }
            if dir_next.is_some() {
                continue;
            }
            if std::mem::take(&mut requirement_next) {
                let path = path::join(cwd, a);
                match st.fs.local_file(&path).and_then(|f| self.files.text(f)) {
                    Some(text) => {
                        complete &= text.lines().all(|l| {
                            requirement::blank(l)
                                || requirement::name(l).is_some_and(|_| !is_local(l.trim()))
                        });
                        packages.extend(text.lines().filter_map(requirement::name));
                    }
                    None => complete = false,
                }
                continue;
            }
            match *a {
                "-r" | "--requirement" => requirement_next = true,
                "-e" | "--editable" => complete = false,
                "-c" | "--constraint" | "-t" | "--target" | "--prefix" | "-i" | "--index-url"
                | "--extra-index-url" | "-f" | "--find-links" => skip_next = true,
                _ if a.starts_with('-') => {}
                _ if is_local(a) || a.contains("://") => complete = false,
                _ => packages.extend(requirement::name(a)),
            }
        }
        // Where the console scripts go: `<prefix>/bin`, `<target>/bin`, `<root>` + the
        // system prefix; `--user` as root: `/root/.local/bin` (as another user, unknown).
        let system = venv_dir.clone().unwrap_or_else(|| "/usr/local".to_owned());
        let into = match &install_dir {
            Some(("--root", root)) => Some(format!("{}{system}", root.trim_end_matches('/'))),
            Some(("--user", _)) => st.user_is_root.then(|| "/root/.local".to_owned()),
            Some((_, dir)) => Some(dir.clone()),
            None => venv_dir.clone(),
        };
        let unknown_user = matches!(install_dir, Some(("--user", _))) && into.is_none();
        let bin = into
            .as_deref()
            .map_or_else(|| "/usr/local/bin".to_owned(), |v| child(v, "bin"));
        for p in packages.iter().filter(|_| !unknown_user) {
            for s in runtime::pip_scripts(p).unwrap_or_default() {
                st.fs.put(
                    &child(&bin, s),
                    Entry {
                        kind: EntryKind::Opaque,
                        origin: origin.clone(),
                        installed_by: Some(origin.clone()),
                        edited: None,
                        owner: None,
                    },
                );
            }
        }
        let env_breaks = env_breaks(st);
        let into_directory = rest.iter().any(|a| {
            ["--target", "-t", "--prefix", "--root"]
                .iter()
                .any(|f| a == f || a.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
        });
        st.pip_installs.push(PipInstall {
            pip,
            venv: venv_dir,
            packages,
            break_system_packages: env_breaks || rest.contains(&"--break-system-packages"),
            complete,
            into_directory,
            ensurepip: false,
            into,
            copied: false,
            origin: origin.clone(),
            command: at.clone(),
        });
    }
}

/// What a `COPY --from` of `path` (to `dest`) brings of the other stage's Python installs:
/// the virtual environments it copies whole, and the pip installs whose directory it copies
/// (whole or in part: `/install`, `/usr/local`, `/opt/venv/lib/...`), so that what they put
/// there counts as the image's, and what gen could not list stays unknown.
fn carry_installs(st: &mut Built, from: &Built, path: &str, dest: &str, origin: &Origin) {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    let within = |dir: &str, top: &str| {
        top == "/" || dir == top || dir.strip_prefix(top).is_some_and(|r| r.starts_with('/'))
    };
    let moved = |dir: &str| -> String {
        let rest = if path == "/" { dir } else { &dir[path.len()..] };
        path::clean(&format!("{}/{rest}", dest.trim_end_matches('/')))
    };
    for v in &from.venvs {
        if within(&v.value, path) {
            st.venvs.push(Fact {
                value: moved(&v.value),
                origin: origin.clone(),
            });
        }
    }
    for p in &from.pip_installs {
        let dir = p.into.as_deref().unwrap_or("/usr/local");
        if within(dir, path) || within(path, dir) {
            let mut p = p.clone();
            p.copied = true;
            if within(dir, path) {
                p.into = Some(moved(dir));
            }
            st.pip_installs.push(p);
        }
    }
}

/// `PIP_BREAK_SYSTEM_PACKAGES` set by an earlier ENV.
fn env_breaks(st: &Built) -> bool {
    st.env
        .get("PIP_BREAK_SYSTEM_PACKAGES")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// The non-system prefix a Python program (`pip3`, `/opt/venv/bin/python`) belongs to:
/// named by its path, or the first PATH directory that has it. A PATH directory that is
/// not a system one and of which gen knows nothing counts too: what runs from there is not
/// known to be the system's.
fn prefix_of(fs: &ImageFs, path: &str, program: &str, cwd: &str) -> Option<String> {
    let prefix = |exe: &str| -> Option<String> {
        let bin = parent(exe);
        (!SYSTEM_BIN.contains(&bin) && basename(bin) == "bin").then(|| parent(bin).to_owned())
    };
    if program.contains('/') {
        return prefix(&path::join(cwd, program));
    }
    for dir in path.split(':').filter(|d| d.starts_with('/')) {
        let dir = path::clean(dir);
        let exe = child(&dir, program);
        if fs.entry(&exe).is_some() {
            return prefix(&exe);
        }
        if !SYSTEM_BIN.contains(&dir.as_str()) && fs.presence(&dir) == Presence::Unknown {
            return Some(parent(&dir).to_owned());
        }
    }
    None
}

/// The span in the file `text` of bytes `range` of `logical`, a text that is the file's
/// `region` with line continuations (and comment lines inside them) taken out, as Docker
/// joins a RUN's lines. Found by walking both texts together; clamped to the region.
#[must_use]
pub fn script_span(text: &str, region: Span, logical: &str, range: std::ops::Range<usize>) -> Span {
    let source = text.get(region.start..region.end).unwrap_or("").as_bytes();
    let logical = logical.as_bytes();
    let map = |target: usize| -> usize {
        let (mut i, mut j) = (0, 0);
        while i < target.min(logical.len()) && j < source.len() {
            if source[j] == logical[i] {
                i += 1;
            }
            j += 1;
        }
        // Skip what the logical text left out before this character.
        while i < logical.len() && j < source.len() && source[j] != logical[i] {
            j += 1;
        }
        region.start + j
    };
    let start = map(range.start);
    let end = if range.end > range.start {
        map(range.end - 1) + 1
    } else {
        start
    };
    Span::new(start, end.max(start).min(region.end.max(start)))
}

/// A virtual environment's executables.
fn venv(st: &mut Built, dir: &str, origin: &Origin) {
    for exe in ["python", "python3", "pip", "pip3", "activate"] {
        st.fs.put(
            &child(&child(dir, "bin"), exe),
            Entry {
                kind: EntryKind::Opaque,
                origin: origin.clone(),
                installed_by: None,
                edited: None,
                owner: None,
            },
        );
    }
    st.venvs.push(Fact {
        value: dir.to_owned(),
        origin: origin.clone(),
    });
}

/// A requirement that is a local path (`.`, `./pkg`, `/src/app`, `dist/x.whl`): a project
/// whose dependencies gen does not read.
fn is_local(req: &str) -> bool {
    req.starts_with('.') || req.contains('/')
}

/// The redirections of a simple command (`> file`, `>>file`, `2> file`; not `>&2`): the words
/// without them, and the files written.
fn redirections<'a>(words: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut kept = Vec::new();
    let mut written = Vec::new();
    let mut i = 0;
    while let Some(&w) = words.get(i) {
        i += 1;
        let op = w.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(rest) = op
            .strip_prefix(">>")
            .or_else(|| op.strip_prefix(">|"))
            .or_else(|| op.strip_prefix('>'))
        else {
            kept.push(w);
            continue;
        };
        let target = if rest.is_empty() {
            let t = words.get(i).copied();
            i += 1;
            t
        } else {
            Some(rest)
        };
        if let Some(t) = target.filter(|t| !t.starts_with('&') && !t.starts_with("/dev/")) {
            written.push(t);
        }
    }
    (kept, written)
}

/// A RUN writes `path` (a redirection, `tee`): a file it makes, or one whose text is no
/// longer what was copied or packaged.
fn write(st: &mut Built, path: &str, origin: &Origin) {
    match st.fs.entries.get_mut(&path::clean(path)) {
        Some(e) => e.edited = Some(origin.clone()),
        None => st.fs.put(
            path,
            Entry {
                kind: EntryKind::Opaque,
                origin: origin.clone(),
                installed_by: None,
                edited: None,
                owner: None,
            },
        ),
    }
}

fn packaged_entry(
    packaging: Packaging,
    path: &str,
    f: PackagedFile,
    installed_by: Option<&Origin>,
) -> Entry {
    let distro = packaging.name().to_owned();
    let kind = match f {
        PackagedFile::Text(text) => EntryKind::Packaged {
            distro: distro.clone(),
            text: Some(text),
        },
        PackagedFile::Opaque => EntryKind::Packaged {
            distro: distro.clone(),
            text: None,
        },
        PackagedFile::Dir => EntryKind::Dir,
        PackagedFile::Symlink(t) => EntryKind::Symlink {
            target: t.to_owned(),
        },
    };
    let len = match f {
        PackagedFile::Text(t) => t.len(),
        _ => 0,
    };
    Entry {
        kind,
        origin: Origin::Packaged {
            distro,
            path: path.to_owned(),
            span: crate::parse::span::Span::new(0, len),
        },
        installed_by: installed_by.cloned(),
        edited: None,
        owner: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(dockerfile: &str, files: &[(&str, &str)]) -> Built {
        let mut f: Files = files.iter().copied().collect();
        f.insert("Dockerfile", Some(dockerfile.to_owned()));
        let df = crate::parse::dockerfile::parse(dockerfile).expect("parses");
        build("Dockerfile", &df, &f)
    }

    fn local(b: &Built, path: &str) -> Option<String> {
        b.fs.local_file(path).map(str::to_owned)
    }

    /// Where pip puts console scripts, and what a `COPY --from` of the install directory
    /// brings: (build stage's install, final stage's copy, the script's path, if any).
    #[test]
    fn installs_followed_through_copy_from() {
        let cases = [
            (
                "pip install --prefix=/install uvicorn",
                "COPY --from=b /install /usr/local",
                Some("/usr/local/bin/uvicorn"),
            ),
            (
                "pip install --prefix /install uvicorn",
                "COPY --from=b /install/ /usr/local/",
                Some("/usr/local/bin/uvicorn"),
            ),
            (
                "pip install --root /r gunicorn",
                "COPY --from=b /r/ /",
                Some("/usr/local/bin/gunicorn"),
            ),
            (
                "pip install --user uvicorn",
                "COPY --from=b /root/.local /root/.local",
                Some("/root/.local/bin/uvicorn"),
            ),
            (
                "python3 -m venv /opt/venv && /opt/venv/bin/pip install uvicorn",
                "COPY --from=b /opt/venv /opt/venv",
                Some("/opt/venv/bin/uvicorn"),
            ),
            (
                "pip install --prefix=/install uvicorn",
                "COPY --from=b /install/lib /usr/local/lib",
                None,
            ),
        ];
        for (install, copy, script) in cases {
            let b = built(
                &format!(
                    "FROM python:3.12-slim AS b\nRUN {install}\nFROM python:3.12-slim\n{copy}\n"
                ),
                &[],
            );
            let found =
                b.fs.iter()
                    .find(|(p, _)| p.ends_with("/bin/uvicorn") || p.ends_with("/bin/gunicorn"))
                    .map(|(p, _)| p.to_owned());
            assert_eq!(found.as_deref(), script, "{install} / {copy}");
            // The install is known to the final stage, as another stage's.
            assert!(
                b.pip_installs.iter().all(|p| p.copied) && !b.pip_installs.is_empty(),
                "{install} / {copy}: {:?}",
                b.pip_installs
            );
        }
        // As another user, `--user` installs under a home gen does not know.
        let b = built(
            "FROM python:3.12-slim AS b\nUSER app\nRUN pip install --user uvicorn\nFROM python:3.12-slim\nCOPY --from=b /home/app/.local /home/app/.local\n",
            &[],
        );
        assert!(b.fs.iter().all(|(p, _)| !p.ends_with("/bin/uvicorn")));
    }

    #[test]
    fn copy_table() {
        // (COPY line after `FROM alpine:3.22` + `WORKDIR /app`, image path, local file)
        let files = [
            ("app.py", ""),
            ("conf/a.conf", ""),
            ("conf/sub/b.conf", ""),
            ("x.ini", ""),
            ("y.ini", ""),
        ];
        let cases: [(&str, &str, Option<&str>); 10] = [
            ("COPY app.py .", "/app/app.py", Some("app.py")),
            ("COPY app.py /srv/main.py", "/srv/main.py", Some("app.py")),
            ("COPY app.py /srv/", "/srv/app.py", Some("app.py")),
            ("COPY conf /etc/x", "/etc/x/a.conf", Some("conf/a.conf")),
            (
                "COPY conf/ /etc/x/",
                "/etc/x/sub/b.conf",
                Some("conf/sub/b.conf"),
            ),
            (
                "COPY *.ini /etc/supervisor.d/",
                "/etc/supervisor.d/y.ini",
                Some("y.ini"),
            ),
            ("COPY . .", "/app/conf/sub/b.conf", Some("conf/sub/b.conf")),
            ("COPY ./app.py ./src/", "/app/src/app.py", Some("app.py")),
            ("COPY x.ini y.ini /d/", "/d/x.ini", Some("x.ini")),
            ("COPY app.py /tmp", "/tmp/app.py", Some("app.py")),
        ];
        for (line, path, want) in cases {
            let b = built(&format!("FROM alpine:3.22\nWORKDIR /app\n{line}\n"), &files);
            assert_eq!(local(&b, path).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn missing_sources_and_dockerignore() {
        let b = built(
            "FROM alpine:3.22\nCOPY nope.conf /etc/\nCOPY . /app/\n",
            &[
                (".dockerignore", "*.md\nsecret/\n!keep.md\n"),
                ("a.md", ""),
                ("keep.md", ""),
                ("secret/k", ""),
                ("ok.txt", ""),
            ],
        );
        assert_eq!(b.missing_sources.len(), 1);
        assert_eq!(b.missing_sources[0].value, "nope.conf");
        assert!(b.fs.local_file("/app/ok.txt").is_some());
        assert!(b.fs.local_file("/app/keep.md").is_some());
        assert!(b.fs.local_file("/app/a.md").is_none());
        assert!(b.fs.local_file("/app/secret/k").is_none());
    }

    #[test]
    fn copy_from_stage_keeps_the_local_file() {
        let b = built(
            "FROM node:22-alpine AS deps\nWORKDIR /src\nCOPY server.js .\nRUN npm ci\nFROM alpine:3.22\nCOPY --from=deps /src /app\nCOPY --from=deps /src/node_modules /app/node_modules\n",
            &[("server.js", "")],
        );
        assert_eq!(local(&b, "/app/server.js").as_deref(), Some("server.js"));
        assert!(b.fs.is_dir("/app/node_modules"));
    }

    #[test]
    fn packages_and_removals() {
        let b = built(
            "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends nginx=1.24.* supervisor curl \\\n && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
            &[("nginx.conf", "events {}")],
        );
        let pkgs: Vec<&str> = b.packages.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(pkgs, ["nginx", "supervisor", "curl"]);
        assert!(matches!(
            b.fs.presence("/etc/nginx/sites-enabled/default"),
            Presence::Removed(_)
        ));
        assert!(matches!(
            b.fs.presence("/etc/nginx/sites-available/default"),
            Presence::Present(_)
        ));
        assert_eq!(
            local(&b, "/etc/nginx/nginx.conf").as_deref(),
            Some("nginx.conf")
        );
        assert!(matches!(
            b.fs.presence("/etc/supervisor/supervisord.conf"),
            Presence::Present(Entry {
                kind: EntryKind::Packaged { text: Some(_), .. },
                ..
            })
        ));
        assert!(matches!(
            b.fs.presence("/usr/bin/curl"),
            Presence::Present(_)
        ));
        assert_eq!(b.fs.presence("/usr/bin/gcc"), Presence::Unknown);
        assert_eq!(b.packaging, Some(Packaging::Distro(Distro::Ubuntu)));
        let users: Vec<&str> = b.users.iter().map(|u| u.value.as_str()).collect();
        assert!(users.contains(&"www-data"));
    }

    #[test]
    fn alpine_packages_and_users() {
        let b = built(
            "FROM alpine:3.22\nRUN apk add --no-cache --virtual .build gcc && apk add --no-cache nginx=~1.28 supervisor \\\n && rm -f /etc/nginx/http.d/default.conf \\\n && adduser -S -D -H -G app -s /sbin/nologin app\n",
            &[],
        );
        let pkgs: Vec<&str> = b.packages.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(pkgs, ["gcc", "nginx", "supervisor"]);
        assert!(matches!(
            b.fs.presence("/etc/nginx/http.d/default.conf"),
            Presence::Removed(_)
        ));
        assert!(matches!(
            b.fs.presence("/etc/supervisord.conf"),
            Presence::Present(_)
        ));
        let users: Vec<&str> = b.users.iter().map(|u| u.value.as_str()).collect();
        assert!(users.contains(&"nginx") && users.contains(&"app"));
    }

    #[test]
    fn pip_is_resolved_through_the_path_and_activate() {
        let text = "FROM ubuntu:24.04\nRUN apt-get install -y python3-pip python3-venv\nRUN pip3 install flask\nRUN python3 -m venv /opt/venv\nRUN . /opt/venv/bin/activate && pip install gunicorn\nRUN pip install --target /deps x \\\n && python3 -m pip install y\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install uvicorn && python3 -m pip install z\nRUN /usr/bin/pip3 install w\nENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN /usr/bin/pip3 install v\nENV PATH=/mystery/bin:/usr/bin\nRUN pip install u\n";
        let b = built(text, &[]);
        let got: Vec<(&str, Option<&str>, bool, bool)> = b
            .pip_installs
            .iter()
            .map(|p| {
                (
                    p.pip.as_str(),
                    p.venv.as_deref(),
                    p.into_directory,
                    p.break_system_packages,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pip3", None, false, false),
                ("pip", Some("/opt/venv"), false, false),
                ("pip", None, true, false),
                ("python3 -m pip", None, false, false),
                ("pip", Some("/opt/venv"), false, false),
                ("python3 -m pip", Some("/opt/venv"), false, false),
                ("/usr/bin/pip3", None, false, false),
                ("/usr/bin/pip3", None, false, true),
                ("pip", Some("/mystery"), false, true),
            ]
        );
        // Each command is placed in its RUN, across the line continuation too.
        let placed: Vec<&str> = b
            .pip_installs
            .iter()
            .map(|p| match &p.command {
                Origin::File { span, .. } => &text[span.start..span.end],
                _ => "?",
            })
            .collect();
        assert_eq!(
            placed,
            [
                "pip3 install flask",
                "pip install gunicorn",
                "pip install --target /deps x",
                "python3 -m pip install y",
                "pip install uvicorn",
                "python3 -m pip install z",
                "/usr/bin/pip3 install w",
                "/usr/bin/pip3 install v",
                "pip install u",
            ]
        );
    }

    #[test]
    fn script_span_skips_continuations_and_comments() {
        let text = "RUN a \\\n    # note\n    && bb c\n";
        let logical = "a     && bb c";
        let region = Span::new(4, text.len() - 1);
        let at = logical.find("bb").expect("bb");
        let span = script_span(text, region, logical, at..at + 4);
        assert_eq!(&text[span.start..span.end], "bb c");
        // Out of range: clamped to the region.
        let span = script_span(text, region, logical, 0..999);
        assert!(span.end <= region.end);
    }

    #[test]
    fn venvs_pip_and_links() {
        let b = built(
            "FROM ubuntu:24.04\nWORKDIR /app\nCOPY requirements.txt .\nRUN python3 -m venv /opt/venv \\\n && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt \\\n && ln -sf /dev/stdout /var/log/app.log \\\n && mkdir -p /run/app && cd /run/app && touch ready\nRUN pip3 install --break-system-packages gunicorn supervisor\n",
            &[(
                "requirements.txt",
                "fastapi==0.115\nuvicorn[standard]>=0.30  # server\n-e .\n",
            )],
        );
        assert_eq!(b.venvs[0].value, "/opt/venv");
        assert_eq!(b.pip_installs[0].venv.as_deref(), Some("/opt/venv"));
        assert_eq!(b.pip_installs[0].packages, ["fastapi", "uvicorn"]);
        assert!(b.fs.entry("/opt/venv/bin/uvicorn").is_some());
        assert!(b.fs.entry("/opt/venv/bin/python").is_some());
        assert!(b.pip_installs[1].break_system_packages);
        assert!(b.fs.entry("/usr/local/bin/gunicorn").is_some());
        assert!(b.fs.entry("/usr/local/bin/supervisord").is_some());
        assert_eq!(
            b.fs.entry("/var/log/app.log").map(|e| e.kind.clone()),
            Some(EntryKind::Symlink {
                target: "/dev/stdout".into()
            })
        );
        assert!(b.fs.is_dir("/run/app"));
        assert!(b.fs.entry("/run/app/ready").is_some());
    }

    #[test]
    fn sed_marks_edits_and_heredoc_copies() {
        let b = built(
            "FROM debian:12\nRUN apt-get install -y nginx && sed -i 's/80/8080/' /etc/nginx/sites-available/default\nCOPY <<EOF /etc/motd\nhello\nEOF\n",
            &[],
        );
        assert!(
            b.fs.entry("/etc/nginx/sites-available/default")
                .and_then(|e| e.edited.clone())
                .is_some()
        );
        assert_eq!(
            b.fs.entry("/etc/motd").map(|e| e.kind.clone()),
            Some(EntryKind::Heredoc {
                content: "hello\n".into()
            })
        );
    }

    #[test]
    fn redirections_and_tee_write_files() {
        let b = built(
            "FROM debian:12\nRUN apt-get install -y nginx && echo 'daemon off;' >> /etc/nginx/nginx.conf\nRUN printf 'x' > /etc/motd 2>/dev/null && echo y | tee -a /etc/issue\nRUN cat >/srv/a.conf <<EOF\nk=v\nEOF\nRUN echo hi >&2\n",
            &[],
        );
        assert!(
            b.fs.entry("/etc/nginx/nginx.conf")
                .and_then(|e| e.edited.clone())
                .is_some()
        );
        for made in ["/etc/motd", "/etc/issue", "/srv/a.conf"] {
            assert_eq!(
                b.fs.entry(made).map(|e| e.kind.clone()),
                Some(EntryKind::Opaque),
                "{made}"
            );
        }
        // Devices and descriptors are not files a RUN writes.
        assert!(b.fs.entry("/dev/null").is_some_and(|e| e.edited.is_none()));
        assert!(b.fs.iter().all(|(p, _)| !p.contains('&')));
    }

    #[test]
    fn pip_by_name_is_the_venv_pip_on_the_path() {
        let b = built(
            "FROM ubuntu:24.04\nRUN python3 -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN pip install -e . && pip install -r missing.txt\n",
            &[("requirements.txt", "uvicorn\n")],
        );
        assert!(b.fs.entry("/opt/venv/bin/uvicorn").is_some());
        assert!(b.fs.entry("/usr/local/bin/uvicorn").is_none());
        let complete: Vec<bool> = b.pip_installs.iter().map(|p| p.complete).collect();
        assert_eq!(complete, [true, false, false]);
    }

    #[test]
    fn requirements_files_list_their_packages() {
        let b = built(
            "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            &[(
                "requirements.txt",
                "# the app\nUvicorn[standard]==0.30 ; python_version > '3' # pinned\nzope.interface\n",
            )],
        );
        let p = &b.pip_installs[0];
        assert_eq!(p.packages, ["uvicorn", "zope-interface"]);
        assert!(p.complete);
        assert!(b.fs.entry("/usr/local/bin/uvicorn").is_some());
        let b = built(
            "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            &[("requirements.txt", "dist/app-1.0-py3-none-any.whl\n")],
        );
        assert_eq!(b.pip_installs[0].packages, ["app"]);
        assert!(!b.pip_installs[0].complete);
    }
}
