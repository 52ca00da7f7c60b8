//! The container model: from a container directory's files, what the running container
//! will be, as the linter sees it. The Dockerfile is the map: COPY says which local file
//! lands at which image path, RUN which packages (and so which packaged configs) exist and
//! which files are removed, CMD/ENTRYPOINT what PID 1 is and which supervisord config it
//! reads; supervisord's programs say how nginx and the app are started; nginx's config
//! (following `include`s into the image) says where it listens and what it proxies to; the
//! app's command line and source say where it listens, resolved through the environment
//! supervisord and the Dockerfile give it. Every fact carries its [`Origin`]: a file and
//! span, a packaged default of a distribution, or a program's built-in default.
//!
//! Without a Dockerfile the model falls back on file names (`nginx.conf`, `conf.d/*.conf`,
//! `supervisord.conf`, `app.py`...), and says so in each such fact's origin.
//!
//! What gen knows of each app server (its names, options, environment, defaults and hint
//! syntax) is one table, [`runtime`], which the parsers and the rules read too.
//!
//! The model never reads the disk: the commands pass the files in ([`Files`]).

mod app;
mod cmdline;
mod files;
pub mod glob;
mod image;
mod nginx;
mod packaged;
pub mod path;
pub mod runtime;
pub mod servers;
mod supervisor;

#[cfg(test)]
mod tests;

pub use app::{App, AppListen, AppSourceFile, Resolved, Runtime};
pub use files::{Files, Text};
pub use image::{Entry, EntryKind, ImageFs, PipInstall, Presence, script_span};
pub use nginx::{
    ListenAddr, Listener, Nginx, NginxArg, NginxCommand, NginxDirective, ProxyTarget, Target,
    UnparsedFile, Upstream,
};
pub use packaged::{Packaging, distro_of};
pub use servers::{Protocol, SocketPerm};
pub use supervisor::{ConfFile, ConfigFound, ProgramFacts, Supervisor, search_path};

use crate::parse::dockerfile::{self, Dockerfile, ExposedPort, Form, Healthcheck, Kind};
use crate::parse::span::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A span of a file of the container directory (relative path).
    File { file: String, span: Span },
    /// A span of a file a distribution's package (or the base image) installs; `path` is
    /// its path in the image and the text is [`Model::packaged_text`].
    Packaged {
        distro: String,
        path: String,
        span: Span,
    },
    /// A program's built-in default (`uvicorn listens on 127.0.0.1:8000 by default`).
    Default { what: String },
    /// Without a Dockerfile, a guess from file names.
    Assumed { what: String },
}

impl Origin {
    /// The container-directory file and span, for a diagnostic label.
    #[must_use]
    pub fn file_span(&self) -> Option<(&str, Span)> {
        match self {
            Self::File { file, span } => Some((file, *span)),
            _ => None,
        }
    }

    /// A short description for notes: `nginx.conf`, `packaged default of debian
    /// (/etc/nginx/nginx.conf)`, or the default's text.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::File { file, .. } => file.clone(),
            Self::Packaged { distro, path, .. } => {
                format!("packaged default of {distro} ({path})")
            }
            Self::Default { what } | Self::Assumed { what } => what.clone(),
        }
    }
}

/// A value and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub origin: Origin,
}

/// A file the model read: a local one, or a packaged one whose text gen ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Local(String),
    Packaged {
        distro: String,
        path: String,
        text: &'static str,
    },
}

impl Source {
    /// The origin of a span of this file.
    #[must_use]
    pub fn origin(&self, span: Span) -> Origin {
        match self {
            Self::Local(file) => Origin::File {
                file: file.clone(),
                span,
            },
            Self::Packaged { distro, path, .. } => Origin::Packaged {
                distro: distro.clone(),
                path: path.clone(),
                span,
            },
        }
    }
}

/// Something the model could not read or follow (a file that does not parse, an include
/// that points nowhere): the linter reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    pub origin: Origin,
}

/// What kind of thing went wrong, so each is reported by the rule for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The Dockerfile does not parse.
    DockerfileSyntax,
    /// An nginx config file (or `-g`'s directives) does not parse.
    NginxSyntax,
    /// A supervisord config does not parse, or has a value supervisord refuses.
    SupervisordSyntax,
    /// An `include` nginx cannot follow: one that loops back, or names a removed file.
    Unfollowable,
    /// gen's own limit on includes (depth or file count) was reached: what lies beyond is
    /// not modelled, though nginx may read it fine.
    Limit,
    /// A main config that is not a file gen can read in the image (it may be absent, or
    /// come from a base image gen does not know).
    Unreadable,
}

/// The Dockerfile, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerfileFacts {
    /// Its path in the container directory.
    pub file: String,
    pub parsed: Dockerfile,
}

/// What the running container will be.
#[derive(Debug, Clone)]
pub struct Model {
    pub files: Files,
    pub dockerfile: Option<DockerfileFacts>,
    /// The final stage's base: distribution and who laid out its packaged files.
    pub packaging: Option<Fact<Packaging>>,
    /// The final stage's image reference (after ARG substitution), through `FROM stage`.
    pub base_image: Option<Fact<String>>,
    pub image: ImageFs,
    /// Packages installed by RUN (`apt-get install`, `apk add`).
    pub packages: Vec<Fact<String>>,
    /// A RUN added a package source of its own (nginx.org's repository, a PPA): the
    /// packages may not be the distribution's builds.
    pub foreign_sources: bool,
    /// Users that exist: the base image's, the packages', and `useradd`/`adduser`'s.
    pub users: Vec<Fact<String>>,
    /// Virtual environments made by RUN.
    pub venvs: Vec<Fact<String>>,
    pub pip_installs: Vec<PipInstall>,
    /// COPY sources that match no file of the container directory.
    pub missing_sources: Vec<Fact<String>>,
    /// The final stage's environment, each variable with the ENV that sets it.
    pub env: BTreeMap<String, Fact<String>>,
    pub workdir: Fact<String>,
    /// The final stage's USER (none: root).
    pub user: Option<Fact<String>>,
    pub expose: Vec<Fact<ExposedPort>>,
    pub cmd: Option<Fact<Form>>,
    pub entrypoint: Option<Fact<Form>>,
    pub healthcheck: Option<Fact<Healthcheck>>,
    pub stopsignal: Option<Fact<String>>,
    /// PID 1's command line: ENTRYPOINT then CMD, a shell form run by the SHELL.
    pub argv: Vec<Fact<String>>,
    pub supervisor: Option<Supervisor>,
    pub nginx: Option<Nginx>,
    pub apps: Vec<App>,
    pub problems: Vec<Problem>,
    /// The container-directory files nginx or supervisord would read as configs, as the
    /// model followed them (main configs, includes, the files supervisord looks for):
    /// text or not. A binary file the image has elsewhere (a PNG under the document
    /// root) is none of gen's business.
    pub config_files: BTreeSet<String>,
    /// Filled by [`Model::read`] while the model is built, then moved to `config_files`.
    read_log: RefCell<BTreeSet<String>>,
    /// The simple commands of each script the model followed, by file: an entrypoint
    /// script is followed from PID 1's command line by supervisord's, nginx's and the
    /// apps' analyses and by rules, and is split once.
    /// Shared, so that a caller walks a script's commands without copying them or
    /// holding the cell borrowed.
    scripts: RefCell<BTreeMap<String, Rc<[cmdline::Words]>>>,
}

/// The standard PATH of the official images, which they all set.
const IMAGE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Model {
    /// The text of a file the model read.
    #[must_use]
    pub fn text<'a>(&'a self, source: &'a Source) -> Option<&'a str> {
        match source {
            Source::Local(f) => self.files.text(f),
            Source::Packaged { text, .. } => Some(text),
        }
    }

    /// The text behind an origin: a local file's or a packaged file's.
    #[must_use]
    pub fn origin_text(&self, origin: &Origin) -> Option<&str> {
        match origin {
            Origin::File { file, .. } => self.files.text(file),
            Origin::Packaged { path, .. } => self.packaged_text(path),
            _ => None,
        }
    }

    /// The text of a packaged file at `path` of the image, if gen ships it.
    #[must_use]
    pub fn packaged_text(&self, path: &str) -> Option<&'static str> {
        match self.image.entry(path)?.kind {
            EntryKind::Packaged { text, .. } => text,
            _ => None,
        }
    }

    /// The file at an image path, with its text: a copy of a local file or a packaged
    /// config (symlinks followed).
    #[must_use]
    pub fn read(&self, path: &str) -> Option<(Source, &str)> {
        let (resolved, entry) = self.image.resolve(path)?;
        match &entry.kind {
            EntryKind::Local { file } => {
                self.read_log.borrow_mut().insert(file.clone());
                let text = self.files.text(file)?;
                Some((Source::Local(file.clone()), text))
            }
            EntryKind::Packaged {
                distro,
                text: Some(text),
            } => Some((
                Source::Packaged {
                    distro: distro.clone(),
                    path: resolved,
                    text,
                },
                text,
            )),
            _ => None,
        }
    }

    /// The value of an environment variable of the final stage.
    #[must_use]
    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(|f| f.value.as_str())
    }

    /// The simple commands a command line runs, as the model follows it: wrappers (`exec`,
    /// `env`, `tini --`, `gosu user`...) dropped, a shell's `-c` script split into its
    /// commands, and a script copied into the image read for the commands it runs.
    #[must_use]
    pub fn commands(&self, argv: &[Fact<String>], cwd: &str) -> Vec<Vec<Fact<String>>> {
        cmdline::commands_through_scripts(self, argv, cwd)
    }

    /// The simple commands of the script `file` (whose text is `text`), split on first use.
    fn script_commands(&self, file: &str, text: &str) -> Rc<[cmdline::Words]> {
        if let Some(commands) = self.scripts.borrow().get(file) {
            return Rc::clone(commands);
        }
        let commands: Rc<[cmdline::Words]> = cmdline::script_commands(file, text).into();
        self.scripts
            .borrow_mut()
            .insert(file.to_owned(), Rc::clone(&commands));
        commands
    }

    /// Where a command name is found on the final stage's PATH, or the path itself when it
    /// has a `/`: the image path and what gen knows of it.
    #[must_use]
    pub fn which(&self, command: &str, cwd: &str) -> Option<(String, Presence<'_>)> {
        if command.contains('/') {
            let p = path::join(cwd, command);
            let presence = self.image.presence(&p);
            return Some((p, presence));
        }
        let path = self.env_value("PATH").unwrap_or(IMAGE_PATH);
        // Only a present entry answers the search: a directory or a removed file by that
        // name does not, so the search looks for nothing else.
        let mut p = String::new();
        path.split(':').filter(|d| !d.is_empty()).find_map(|dir| {
            p.clear();
            p.push_str(dir.trim_end_matches('/'));
            p.push('/');
            p.push_str(command);
            let e = self.image.present(&p)?;
            Some((p.clone(), Presence::Present(e)))
        })
    }
}

/// Builds the model of a container directory, from its `Dockerfile` (or the one
/// `Dockerfile.*` / `*.dockerfile` at its top).
#[must_use]
pub fn build(files: &Files) -> Model {
    build_with(files, None)
}

/// Builds the model of a build context whose Dockerfile is `dockerfile` (a relative path
/// among `files`, as `docker build -f` or compose's `build.dockerfile` name it); `None`
/// picks it by name as [`build`] does.
#[must_use]
pub fn build_with(files: &Files, dockerfile: Option<&str>) -> Model {
    build_owned(files.clone(), dockerfile)
}

/// [`build_with`], keeping `files` instead of a copy of them.
#[must_use]
pub fn build_owned(files: Files, dockerfile: Option<&str>) -> Model {
    let mut m = Model {
        files,
        dockerfile: None,
        packaging: None,
        base_image: None,
        image: ImageFs::default(),
        packages: Vec::new(),
        foreign_sources: false,
        users: Vec::new(),
        venvs: Vec::new(),
        pip_installs: Vec::new(),
        missing_sources: Vec::new(),
        env: BTreeMap::new(),
        workdir: Fact {
            value: "/".to_owned(),
            origin: Origin::Default {
                what: "the working directory of an image without WORKDIR".to_owned(),
            },
        },
        user: None,
        expose: Vec::new(),
        cmd: None,
        entrypoint: None,
        healthcheck: None,
        stopsignal: None,
        argv: Vec::new(),
        supervisor: None,
        nginx: None,
        apps: Vec::new(),
        problems: Vec::new(),
        config_files: BTreeSet::new(),
        read_log: RefCell::new(BTreeSet::new()),
        scripts: RefCell::new(BTreeMap::new()),
    };
    let named = dockerfile
        .filter(|d| m.files.contains(d))
        .map(str::to_owned)
        .or_else(|| dockerfile_name(&m.files));
    match named {
        Some(name) => from_dockerfile(&mut m, &name),
        None => fallback(&mut m),
    }
    m.supervisor = supervisor::build(&m);
    m.nginx = nginx::build(&m);
    m.apps = app::build(&m);
    if let Some(s) = &m.supervisor {
        m.problems.extend(s.problems.iter().cloned());
    }
    if let Some(n) = &m.nginx {
        m.problems.extend(n.problems.iter().cloned());
    }
    m.config_files = m.read_log.take();
    m
}

/// `Dockerfile`, or else one `Dockerfile.*` / `*.dockerfile` at the top of the directory.
fn dockerfile_name(files: &Files) -> Option<String> {
    if files.contains("Dockerfile") {
        return Some("Dockerfile".to_owned());
    }
    let mut candidates = files
        .paths()
        .filter(|p| !p.contains('/') && crate::parse::role::is_dockerfile_name(p));
    candidates.next().map(str::to_owned)
}

fn image_env(image: &str) -> BTreeMap<String, String> {
    if packaged::distro_of(image).is_some() {
        BTreeMap::from([("PATH".to_owned(), IMAGE_PATH.to_owned())])
    } else {
        BTreeMap::new()
    }
}

fn from_dockerfile(m: &mut Model, name: &str) {
    let text = m.files.text(name).unwrap_or("").to_owned();
    let df = match dockerfile::parse_with(&text, &image_env) {
        Ok(df) => df,
        Err(e) => {
            m.problems.push(Problem {
                kind: ProblemKind::DockerfileSyntax,
                message: format!("cannot read the Dockerfile: {e}"),
                origin: Origin::File {
                    file: name.to_owned(),
                    span: e.span,
                },
            });
            fallback(m);
            return;
        }
    };
    let at = |span: Span| Origin::File {
        file: name.to_owned(),
        span,
    };
    let Some(final_stage) = df.final_stage().cloned() else {
        m.dockerfile = Some(DockerfileFacts {
            file: name.to_owned(),
            parsed: df,
        });
        return;
    };
    // The stages the final one builds on, root first.
    let mut chain = vec![final_stage.index];
    while let Some(dockerfile::Base::Stage(i)) = chain
        .last()
        .and_then(|&s| df.stages.get(s))
        .map(|s| s.base.clone())
    {
        if chain.contains(&i) {
            break;
        }
        chain.push(i);
    }
    chain.reverse();
    if let Some(root) = chain.first().and_then(|&i| df.stages.get(i)) {
        if let Some(from) = df.instructions.get(root.from) {
            if let Kind::From(f) = &from.kind {
                m.base_image = Some(Fact {
                    value: f.image.value.clone(),
                    origin: at(f.image.span),
                });
                if let Some(p) = packaged::base_packaging(&f.image.value) {
                    m.packaging = Some(Fact {
                        value: p,
                        origin: at(f.image.span),
                    });
                }
            }
        }
    }
    if let Some(path) = final_stage.env.get("PATH") {
        m.env.insert(
            "PATH".to_owned(),
            Fact {
                value: path.clone(),
                origin: Origin::Default {
                    what: "the PATH of the base image".to_owned(),
                },
            },
        );
    }
    for ins in chain
        .iter()
        .filter_map(|&i| df.stages.get(i))
        .flat_map(|s| df.stage_instructions(s))
    {
        match &ins.kind {
            Kind::Env(pairs) => {
                for p in pairs {
                    m.env.insert(
                        p.key.clone(),
                        Fact {
                            value: p.value.value.clone(),
                            origin: at(Span::new(p.key_span.start, p.value.span.end)),
                        },
                    );
                }
            }
            Kind::Workdir(w) => {
                m.workdir = Fact {
                    value: w.path.clone(),
                    origin: at(ins.span),
                };
            }
            Kind::User(u) => {
                m.user = Some(Fact {
                    value: u.word.value.clone(),
                    origin: at(u.word.span),
                });
            }
            Kind::Expose(ports) => m.expose.extend(ports.iter().map(|p| Fact {
                value: p.clone(),
                origin: at(p.word.span),
            })),
            Kind::Cmd(f) => {
                m.cmd = Some(Fact {
                    value: f.clone(),
                    origin: at(ins.span),
                })
            }
            Kind::Entrypoint(f) => {
                m.entrypoint = Some(Fact {
                    value: f.clone(),
                    origin: at(ins.span),
                });
                // An ENTRYPOINT resets the CMD inherited from the base.
                m.cmd = None;
            }
            Kind::Healthcheck(h) => {
                m.healthcheck = Some(Fact {
                    value: h.clone(),
                    origin: at(ins.span),
                });
            }
            Kind::Stopsignal(w) => {
                m.stopsignal = Some(Fact {
                    value: w.value.clone(),
                    origin: at(w.span),
                });
            }
            _ => {}
        }
    }
    m.argv = argv(&df, &chain, name);
    let built = image::build(name, &df, &m.files);
    m.image = built.fs;
    m.packages = built.packages;
    m.foreign_sources = built.foreign_sources;
    m.users = built.users;
    m.venvs = built.venvs;
    m.pip_installs = built.pip_installs;
    m.missing_sources = built.missing_sources;
    m.dockerfile = Some(DockerfileFacts {
        file: name.to_owned(),
        parsed: df,
    });
}

/// PID 1's command line: ENTRYPOINT + CMD of the final stage's chain, the shell form
/// wrapped in the SHELL (`/bin/sh -c` by default).
fn argv(df: &Dockerfile, chain: &[usize], file: &str) -> Vec<Fact<String>> {
    let at = |span: Span| Origin::File {
        file: file.to_owned(),
        span,
    };
    let mut shell: Vec<Fact<String>> = ["/bin/sh", "-c"]
        .iter()
        .map(|w| Fact {
            value: (*w).to_owned(),
            origin: Origin::Default {
                what: "Docker runs the shell form with `/bin/sh -c`".to_owned(),
            },
        })
        .collect();
    let mut entrypoint: Option<&dockerfile::Instruction> = None;
    let mut cmd: Option<&dockerfile::Instruction> = None;
    for ins in chain
        .iter()
        .filter_map(|&i| df.stages.get(i))
        .flat_map(|s| df.stage_instructions(s))
    {
        match &ins.kind {
            Kind::Shell(Form::Exec(_)) => {
                shell = ins
                    .words
                    .iter()
                    .map(|w| Fact {
                        value: w.raw.clone(),
                        origin: at(w.span),
                    })
                    .collect();
            }
            Kind::Entrypoint(_) => {
                entrypoint = Some(ins);
                cmd = None;
            }
            Kind::Cmd(_) => cmd = Some(ins),
            _ => {}
        }
    }
    let words = |ins: &dockerfile::Instruction, form: &Form| -> Vec<Fact<String>> {
        match form {
            Form::Exec(_) => ins
                .words
                .iter()
                .map(|w| Fact {
                    value: w.raw.clone(),
                    origin: at(w.span),
                })
                .collect(),
            Form::Shell(text) => {
                let mut v = shell.clone();
                v.push(Fact {
                    value: text.clone(),
                    origin: at(ins.args_span),
                });
                v
            }
        }
    };
    let mut out = Vec::new();
    if let Some(e) = entrypoint {
        if let Kind::Entrypoint(f) = &e.kind {
            out.extend(words(e, f));
            // The shell form of ENTRYPOINT ignores CMD.
            if matches!(f, Form::Shell(_)) {
                return out;
            }
        }
    }
    if let Some(c) = cmd {
        if let Kind::Cmd(f) = &c.kind {
            out.extend(words(c, f));
        }
    }
    out
}

/// Without a Dockerfile: each file at the path its name suggests.
fn fallback(m: &mut Model) {
    let paths: Vec<String> = m.files.paths().map(str::to_owned).collect();
    for rel in paths {
        let lower = rel.to_ascii_lowercase();
        let target = if lower == "nginx.conf" || lower == "nginx/nginx.conf" {
            "/etc/nginx/nginx.conf".to_owned()
        } else if let Some(rest) = ["conf.d/", "nginx/conf.d/"]
            .iter()
            .find_map(|p| rel.strip_prefix(p))
        {
            format!("/etc/nginx/conf.d/{rest}")
        } else if let Some(rest) = rel.strip_prefix("sites-enabled/") {
            format!("/etc/nginx/sites-enabled/{rest}")
        } else if let Some(rest) = rel.strip_prefix("http.d/") {
            format!("/etc/nginx/http.d/{rest}")
        } else if matches!(
            lower.as_str(),
            "supervisord.conf" | "supervisor.conf" | "supervisord.ini"
        ) {
            "/etc/supervisord.conf".to_owned()
        } else if let Some(rest) = ["supervisor/", "supervisor/conf.d/"]
            .iter()
            .find_map(|p| rel.strip_prefix(p))
        {
            format!("/etc/supervisor/conf.d/{rest}")
        } else if let Some(rest) = rel.strip_prefix("supervisor.d/") {
            format!("/etc/supervisor.d/{rest}")
        } else {
            format!("/app/{rel}")
        };
        let what = format!("no Dockerfile: `{rel}` taken to be {target}");
        m.image.put_assumed(&target, &rel, &what);
    }
    m.workdir = Fact {
        value: "/app".to_owned(),
        origin: Origin::Assumed {
            what: "no Dockerfile: the app taken to be in /app".to_owned(),
        },
    };
}
