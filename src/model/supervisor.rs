//! supervisord in the container: how PID 1 starts it (`-c`/`--configuration`,
//! `-n`/`--nodaemon`), which config it reads (the `-c` path, or the first of its search path
//! that exists), the files `[include]` adds (globbed over the image, sorted), and every
//! program and event listener with the file it is defined in.

use super::cmdline::{self, Words};
use super::glob::Dots;
use super::{Entry, EntryKind, Fact, Model, Origin, Presence, Problem, ProblemKind, Source};
use crate::model::path;
use crate::model::path::basename;
use crate::parse::supervisord::{self, Config, Expansions, Program, Supervisord};
use std::ops::ControlFlow;

/// A supervisord config file in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    /// Its path in the image.
    pub path: String,
    pub source: Source,
    pub parsed: Config,
    /// The `[include]` pattern that brought it in.
    pub included_by: Option<Origin>,
}

/// A program (or event listener) and the file that defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramFacts {
    /// Index into [`Supervisor::files`].
    pub file: usize,
    pub source: Source,
    pub program: Program,
}

impl ProgramFacts {
    /// The origin of a span of the program's file.
    #[must_use]
    pub fn origin(&self, span: crate::parse::span::Span) -> Origin {
        self.source.origin(span)
    }

    /// The command line, each word with its origin.
    #[must_use]
    pub fn argv(&self) -> Vec<Fact<String>> {
        self.program
            .command
            .as_ref()
            .map(|c| {
                c.argv
                    .iter()
                    .map(|a| Fact {
                        value: a.value.clone(),
                        origin: self.source.origin(a.span),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisor {
    /// The main config's path in the image, and what says so (`-c` in CMD, or supervisord's
    /// search path).
    pub config: Fact<String>,
    /// How `config` was found.
    pub found: ConfigFound,
    /// The command that starts supervisord, when PID 1 (or its entrypoint script) does.
    pub command: Option<Vec<Fact<String>>>,
    /// `-n`/`--nodaemon` on that command.
    pub nodaemon_flag: Option<Origin>,
    /// The main config first, then the included files.
    pub files: Vec<ConfFile>,
    /// The config supervisord is told to read is not in the image: the model read this one
    /// instead, the one supervisord config that a COPY puts elsewhere, as the config that
    /// was meant (so its programs are still known). Its image path, and the COPY.
    pub stand_in: Option<Fact<String>>,
    /// Files supervisord reads whose text gen does not know (made by a RUN, copied from
    /// another image, or edited in place): settings gen cannot see may be in them.
    pub unknown_files: Vec<Fact<String>>,
    /// The `[supervisord]` section and the index of its file.
    pub supervisord: Option<(usize, Supervisord)>,
    pub programs: Vec<ProgramFacts>,
    /// What `%(ENV_X)s` and `%(here)s` expanded with in the main config.
    pub expansions: Expansions,
    /// When the `-c` config cannot be read (supervisord would not start; `problems` says
    /// so), the config supervisord finds without `-c` that the files and programs were read
    /// from instead: most likely the one meant, and what the other rules should check.
    pub recovered: Option<String>,
    pub problems: Vec<Problem>,
}

/// How the model found supervisord's main config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFound {
    /// `-c FILE` or `--configuration FILE` on supervisord's command line.
    Flag,
    /// No `-c`: entry `index` of [`search_path`], the first one in the image.
    SearchPath { index: usize },
    /// No `-c`, and nothing on the search path is in the image (supervisord would not
    /// start): the config is taken to be `/etc/supervisord.conf`, where the command names
    /// none.
    NotFound,
}

impl Supervisor {
    /// Whether supervisord stays in the foreground: `-n`, or `nodaemon=true`, or the
    /// default (false).
    #[must_use]
    pub fn nodaemon(&self) -> Fact<bool> {
        if let Some(o) = &self.nodaemon_flag {
            return Fact {
                value: true,
                origin: o.clone(),
            };
        }
        if let Some((file, s)) = &self.supervisord {
            if let (Some(place), Some(f)) = (s.nodaemon.place, self.files.get(*file)) {
                return Fact {
                    value: s.nodaemon.value,
                    origin: f.source.origin(place.value_span),
                };
            }
        }
        Fact {
            value: false,
            origin: Origin::Default {
                what: "supervisord daemonizes unless `nodaemon=true` or `-n`".to_owned(),
            },
        }
    }

    /// The program (or event listener) called `name`.
    #[must_use]
    pub fn program(&self, name: &str) -> Option<&ProgramFacts> {
        self.programs.iter().find(|p| p.program.name == name)
    }
}

fn is_supervisord(cmd: &[Fact<String>]) -> bool {
    match cmd {
        [first, ..] if basename(&first.value) == "supervisord" => true,
        [py, m, module, ..] => {
            basename(&py.value).starts_with("python")
                && m.value == "-m"
                && module.value == "supervisor.supervisord"
        }
        _ => false,
    }
}

/// supervisord's options: the `-c` path and the `-n` flag.
fn options(cmd: &Words) -> (Option<Fact<String>>, Option<Origin>) {
    let mut config = None;
    let mut nodaemon = None;
    let mut i = 1;
    while let Some(w) = cmd.get(i) {
        i += 1;
        let v = w.value.as_str();
        match v {
            "-n" | "--nodaemon" => nodaemon = Some(w.origin.clone()),
            "-c" | "--configuration" => {
                config = cmd.get(i).cloned();
                i += 1;
            }
            _ if v.starts_with("--configuration=") => {
                let at = "--configuration=".len();
                config = Some(Fact {
                    value: v[at..].to_owned(),
                    origin: cmdline::sub_origin(w, at, v.len()),
                });
            }
            _ if v.starts_with("-c") && v.len() > 2 => {
                config = Some(Fact {
                    value: v[2..].to_owned(),
                    origin: cmdline::sub_origin(w, 2, v.len()),
                });
            }
            // Short flags bundled: `-nc file` is not supported by supervisord's getopt
            // use here; `-n` alone is the common form.
            _ => {}
        }
    }
    (config, nodaemon)
}

/// supervisord's search path when no `-c` is given (its `options.py`), for the binary at
/// `/usr/bin/supervisord` and the working directory `cwd`. The model and the rules read
/// this one list.
#[must_use]
pub fn search_path(cwd: &str) -> Vec<String> {
    vec![
        "/usr/etc/supervisord.conf".to_owned(),
        "/usr/supervisord.conf".to_owned(),
        path::join(cwd, "supervisord.conf"),
        path::join(cwd, "etc/supervisord.conf"),
        "/etc/supervisord.conf".to_owned(),
        "/etc/supervisor/supervisord.conf".to_owned(),
    ]
}

pub(super) fn build(m: &Model) -> Option<Supervisor> {
    let cwd = m.workdir.value.clone();
    let mut command = None;
    cmdline::each_command_through_scripts(m, &m.argv, &cwd, |cmd| {
        if is_supervisord(&cmd) {
            command = Some(cmd.into_owned());
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    let (config, nodaemon_flag) = command.as_ref().map(options).unwrap_or_default();
    let (config, found) = match config {
        Some(c) => (
            Fact {
                value: path::join(&cwd, &c.value),
                origin: c.origin,
            },
            ConfigFound::Flag,
        ),
        None => {
            let found = search_path(&cwd)
                .into_iter()
                .enumerate()
                .find(|(_, p)| m.read(p).is_some());
            match (found, &command) {
                (Some((index, p)), _) => (
                    Fact {
                        value: p,
                        origin: Origin::Default {
                            what: "supervisord's search path (no `-c`)".to_owned(),
                        },
                    },
                    ConfigFound::SearchPath { index },
                ),
                (None, Some(cmd)) => (
                    Fact {
                        value: "/etc/supervisord.conf".to_owned(),
                        origin: cmd
                            .first()
                            .map_or_else(|| m.workdir.origin.clone(), |w| w.origin.clone()),
                    },
                    ConfigFound::NotFound,
                ),
                (None, None) => return None,
            }
        }
    };
    let expansions = Expansions {
        env: m
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
        here: path::parent(&config.value).to_owned(),
    };
    let mut sup = Supervisor {
        config,
        found,
        command,
        nodaemon_flag,
        files: Vec::new(),
        stand_in: None,
        unknown_files: Vec::new(),
        supervisord: None,
        programs: Vec::new(),
        expansions: expansions.clone(),
        recovered: None,
        problems: Vec::new(),
    };
    let mut main_path = sup.config.value.clone();
    let read = match m.read(&main_path) {
        Some(r) => Some(r),
        None => {
            sup.problems.push(Problem {
                kind: ProblemKind::Unreadable,
                message: format!(
                    "supervisord's config `{}` is not a file gen can read in the image",
                    sup.config.value
                ),
                origin: sup.config.origin.clone(),
            });
            if let Some(e) = m.image.entry(&main_path) {
                note_unknown(&mut sup.unknown_files, &main_path, e);
            }
            // A `-c` that misses: first a config the project COPYd elsewhere stands in for
            // it; else read on from the config supervisord finds without `-c`, so that one
            // wrong path does not hide every other finding.
            let stand_in = m.image.presence(&main_path) == Presence::Unknown
                || matches!(m.image.presence(&main_path), Presence::Removed(_));
            let copied = stand_in
                .then(|| copied_config(m))
                .flatten()
                .and_then(|(path, origin)| {
                    let r = m.read(&path)?;
                    sup.stand_in = Some(Fact {
                        value: path.clone(),
                        origin,
                    });
                    main_path.clone_from(&path);
                    Some(r)
                });
            copied.or_else(|| {
                let (path, found) = search_path(&cwd)
                    .into_iter()
                    .filter(|p| *p != main_path)
                    .find_map(|p| m.read(&p).map(|f| (p, f)))?;
                main_path.clone_from(&path);
                sup.recovered = Some(path);
                Some(found)
            })
        }
    };
    let Some((source, text)) = read else {
        return Some(sup);
    };
    if let Some(e) = m.image.resolve(&main_path).map(|(_, e)| e) {
        note_unknown(&mut sup.unknown_files, &main_path, e);
    }
    let Some(main) = parse(&mut sup.problems, &source, text) else {
        return Some(sup);
    };
    let expansions = Expansions {
        here: path::parent(&main_path).to_owned(),
        ..expansions
    };
    sup.expansions = expansions.clone();
    let mut files = vec![ConfFile {
        path: main_path.clone(),
        source: source.clone(),
        parsed: main,
        included_by: None,
    }];
    if let Some(include) = files[0].parsed.include(&expansions) {
        for p in include.problems {
            sup.problems.push(Problem {
                kind: ProblemKind::SupervisordSyntax,
                message: p.message,
                origin: source.origin(p.span),
            });
        }
        for pattern in include.files {
            for path in m.image.glob(&pattern.value, Dots::Literal) {
                if let Some((_, e)) = m.image.resolve(&path) {
                    if e.kind != EntryKind::Dir {
                        note_unknown(&mut sup.unknown_files, &path, e);
                    }
                }
                let Some((src, text)) = m.read(&path) else {
                    continue;
                };
                if files.iter().any(|f| f.path == path) {
                    continue;
                }
                if let Some(parsed) = parse(&mut sup.problems, &src, text) {
                    files.push(ConfFile {
                        path,
                        source: src,
                        parsed,
                        included_by: Some(source.origin(pattern.span)),
                    });
                }
            }
        }
    }
    for (i, f) in files.iter().enumerate() {
        let x = Expansions {
            env: expansions.env.clone(),
            here: path::parent(&f.path).to_owned(),
        };
        if sup.supervisord.is_none() {
            if let Some(s) = f.parsed.supervisord(&x) {
                for p in &s.problems {
                    sup.problems.push(Problem {
                        kind: ProblemKind::SupervisordSyntax,
                        message: p.message.clone(),
                        origin: f.source.origin(p.span),
                    });
                }
                sup.supervisord = Some((i, s));
            }
        }
        for program in f.parsed.programs(&x) {
            for p in &program.problems {
                sup.problems.push(Problem {
                    kind: ProblemKind::SupervisordSyntax,
                    message: p.message.clone(),
                    origin: f.source.origin(p.span),
                });
            }
            sup.programs.push(ProgramFacts {
                file: i,
                source: f.source.clone(),
                program,
            });
        }
    }
    sup.files = files;
    Some(sup)
}

/// Records `path` when its text is not known: not a file gen has the text of, or edited
/// by a RUN after it was copied or installed.
fn note_unknown(out: &mut Vec<Fact<String>>, path: &str, e: &Entry) {
    let origin = match (&e.kind, &e.edited) {
        (_, Some(edit)) => edit.clone(),
        (EntryKind::Opaque, None) => e.origin.clone(),
        _ => return,
    };
    if !out.iter().any(|f| f.value == path) {
        out.push(Fact {
            value: path.to_owned(),
            origin,
        });
    }
}

/// The one local file a COPY puts in the image that reads as a supervisord main config (it
/// has a `[supervisord]` section), with its image path and the COPY; `None` when there is
/// no such file or more than one. A file copied twice (`COPY s.conf /etc/` and `COPY . /app`)
/// counts once, at its copy under `/etc` if it has one.
fn copied_config(m: &Model) -> Option<(String, Origin)> {
    let mut found: Vec<(String, Origin, String)> = Vec::new();
    for (path, e) in m.image.iter() {
        let EntryKind::Local { file } = &e.kind else {
            continue;
        };
        let Some(text) = m.files.text(file) else {
            continue;
        };
        if !text.lines().any(|l| l.trim() == "[supervisord]") {
            continue;
        }
        if supervisord::parse(text).is_ok_and(|c| c.section("supervisord").is_some()) {
            found.push((path.to_owned(), e.origin.clone(), file.clone()));
        }
    }
    let first = found.first()?;
    if found.iter().any(|(_, _, f)| *f != first.2) {
        return None;
    }
    let (path, origin, _) = found
        .iter()
        .find(|(p, _, _)| p.starts_with("/etc/"))
        .unwrap_or(first);
    Some((path.clone(), origin.clone()))
}

fn parse(problems: &mut Vec<Problem>, source: &Source, text: &str) -> Option<Config> {
    match supervisord::parse(text) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(Problem {
                kind: ProblemKind::SupervisordSyntax,
                message: format!("cannot read the supervisord config: {e}"),
                origin: source.origin(e.span),
            });
            None
        }
    }
}
