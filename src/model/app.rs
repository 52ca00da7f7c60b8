//! The apps in the container and where they listen. For each supervisord program (or PID 1,
//! without supervisord) that is not nginx: its runtime (uvicorn, gunicorn, hypercorn, a
//! Python script, Node; `npm start` through `package.json`), its working directory, its
//! source file when the model can find it, and each address it listens on, resolved as the
//! process will see it: from its command line, from the environment (the program's
//! `environment=`, then `[supervisord]`'s, then the image's ENV), from the defaults the
//! source falls back to, or from the server's built-in defaults. Each resolved value keeps
//! the chain of places it went through. Which variables and defaults each server has is
//! its row of the runtime table ([`super::runtime`]); this module is the hook that applies
//! them, and picks the hook for each command (`app_of`).

use super::cmdline::{self, Words};
use super::runtime::{self, Call, Reader, Row, SERVERS, Server, Setting};
use super::servers::{self, Protocol, SocketPerm};
use super::supervisor::ProgramFacts;
use super::{Fact, Model, Origin, Source};
use crate::model::path;
use crate::model::path::basename;
use crate::parse::app::{self, BindTarget, ServerCommand, ValueKind};
use crate::parse::shell;
use crate::parse::span::Span;
use crate::parse::supervisord::{ProcessKind, Supervisord};

/// A value as the process sees it, where it is set, and the places it went through (the
/// code that reads a variable, the name that carries it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub value: String,
    pub origin: Origin,
    pub via: Vec<Origin>,
}

impl Resolved {
    /// The value as a port number.
    #[must_use]
    pub fn port(&self) -> Option<u16> {
        self.value.trim().parse().ok()
    }

    fn default(value: &str, what: &str) -> Self {
        Self {
            value: value.to_owned(),
            origin: Origin::Default {
                what: what.to_owned(),
            },
            via: Vec::new(),
        }
    }

    /// A built-in default of the runtime table; `None` where the server has none.
    pub(super) fn builtin(d: Option<runtime::Default>) -> Option<Self> {
        d.map(|d| Self::default(d.value, d.what))
    }
}

/// The program that serves the app: a server of the runtime table, or another program.
/// A wrapper around [`Server`] rather than a list of its own, so a new row needs no
/// variant here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// A server of the runtime table.
    Server(Server),
    /// Something else, by program name.
    Other(String),
}

impl From<Server> for Runtime {
    fn from(s: Server) -> Self {
        Self::Server(s)
    }
}

impl PartialEq<Server> for Runtime {
    fn eq(&self, s: &Server) -> bool {
        *self == Self::Server(*s)
    }
}

impl Runtime {
    /// Its server in the runtime table; `None` for another program.
    #[must_use]
    pub const fn server(&self) -> Option<Server> {
        match self {
            Self::Server(s) => Some(*s),
            Self::Other(_) => None,
        }
    }

    /// Its row of the runtime table; `None` for another program.
    #[must_use]
    pub fn row(&self) -> Option<&'static Row> {
        self.server().map(Server::row)
    }

    /// Its name in the runtime table, or the program's.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Server(s) => s.name(),
            Self::Other(name) => name,
        }
    }
}

/// One address the app listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppListen {
    pub host: Option<Resolved>,
    pub port: Option<Resolved>,
    /// A Unix socket path.
    pub unix: Option<Resolved>,
    /// The command-line option or source call that makes it listen.
    pub origin: Origin,
    /// What it speaks: HTTP for every server but uWSGI's `socket` (uwsgi) and PHP-FPM
    /// (FastCGI).
    pub protocol: Protocol,
    /// For a Unix socket, its owner and mode as the server creates it; `None` when gen
    /// does not model them.
    pub perm: Option<SocketPerm>,
}

/// The app's source file that the model read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSourceFile {
    /// Its path in the image.
    pub path: String,
    /// Its path in the container directory.
    pub file: String,
    pub source: app::Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// The supervisord program; `None` when PID 1 runs the app.
    pub program: Option<String>,
    pub runtime: Runtime,
    /// The command that starts it (inside a `sh -c` or `npm start`, the inner command).
    pub command: Vec<Fact<String>>,
    pub cwd: Fact<String>,
    pub source: Option<AppSourceFile>,
    pub listens: Vec<AppListen>,
    pub workers: Option<Resolved>,
    /// gunicorn's `-k`/`--worker-class` (`uvicorn.workers.UvicornWorker`); `None` is its
    /// default, the sync worker.
    pub worker_class: Option<Resolved>,
    pub proxy_headers: Option<Resolved>,
    pub forwarded_allow_ips: Option<Resolved>,
    /// Express's `trust proxy`.
    pub trust_proxy: Option<Resolved>,
    pub root_path: Option<Resolved>,
    /// Seconds for uvicorn and gunicorn, milliseconds for Node.
    pub keep_alive_timeout: Option<Resolved>,
    pub websockets: Option<Origin>,
    /// A server config file that may override the command line (gunicorn's `-c`, or a
    /// `gunicorn.conf.py` in the working directory).
    pub config_file: Option<Origin>,
    /// Where it is told to daemonize (gunicorn's `--daemon` or `daemon = True`, uWSGI's
    /// `daemonize`, PHP-FPM's `daemonize = yes` without `-F`, or PHP-FPM's default).
    pub daemon: Option<Origin>,
    /// Some address it listens on may be missing from `listens`: a config file or value gen
    /// cannot read decides it.
    pub partial: bool,
    /// The user its workers run as (uWSGI's `uid`, PHP-FPM's pool `user`, gunicorn's `-u`).
    pub user: Option<Resolved>,
    /// The app it loads: `module:attr` (gunicorn, uvicorn...), uWSGI's `module` or
    /// `wsgi-file`.
    pub module: Option<Resolved>,
    /// Other settings of its server, by name (uWSGI's `master`, `die-on-term`, `need-app`,
    /// `daemonize`, `callable`; PHP-FPM's `POOL.clear_env`, `POOL.catch_workers_output`,
    /// `POOL.access.log`), each where it is set.
    pub settings: Vec<(String, Resolved)>,
}

/// Where a process's environment comes from, most specific first.
pub(super) struct Env<'a> {
    m: &'a Model,
    program: Option<&'a ProgramFacts>,
    supervisord: Option<(Source, &'a Supervisord)>,
}

impl Env<'_> {
    /// The user the process starts as: its program's `user=`, else `[supervisord]`'s
    /// `user=`, else the image's USER, else root. `None` for a value with a variable.
    pub(super) fn start_user(&self) -> Option<Resolved> {
        let r = if let Some(u) = self.program.and_then(|p| p.program.user.as_ref()) {
            let p = self.program?;
            Resolved {
                value: u.value.clone(),
                origin: p.origin(u.place.map_or(Span::default(), |pl| pl.value_span)),
                via: Vec::new(),
            }
        } else if let Some((src, u)) = self
            .supervisord
            .as_ref()
            .and_then(|(src, s)| Some((src, s.user.as_ref()?)))
        {
            Resolved {
                value: u.value.clone(),
                origin: src.origin(u.place.map_or(Span::default(), |pl| pl.value_span)),
                via: Vec::new(),
            }
        } else if let Some(u) = &self.m.user {
            Resolved {
                value: u.value.clone(),
                origin: u.origin.clone(),
                via: Vec::new(),
            }
        } else {
            Resolved::default("root", "a container runs as root without USER")
        };
        (!r.value.contains('$')).then_some(r)
    }

    pub(super) fn get(&self, var: &str) -> Option<Resolved> {
        if let Some(p) = self.program {
            if let Some(v) = p.program.env(var) {
                return Some(Resolved {
                    value: v.value.clone(),
                    origin: p.source.origin(v.value_span),
                    via: Vec::new(),
                });
            }
        }
        if let Some((source, s)) = &self.supervisord {
            if let Some(v) = s.environment.iter().rev().find(|v| v.key == var) {
                return Some(Resolved {
                    value: v.value.clone(),
                    origin: source.origin(v.value_span),
                    via: Vec::new(),
                });
            }
        }
        self.m.env.get(var).map(|f| Resolved {
            value: f.value.clone(),
            origin: f.origin.clone(),
            via: Vec::new(),
        })
    }

    /// The first of `vars` that is set.
    pub(super) fn first<'v>(&self, mut vars: impl Iterator<Item = &'v str>) -> Option<Resolved> {
        vars.find_map(|v| self.get(v))
    }
}

fn origin_span(o: &Origin) -> Option<Span> {
    match o {
        Origin::File { span, .. } | Origin::Packaged { span, .. } => Some(*span),
        _ => None,
    }
}

fn with_span(o: &Origin, span: Span) -> Origin {
    match o {
        Origin::File { file, .. } => Origin::File {
            file: file.clone(),
            span,
        },
        Origin::Packaged { distro, path, .. } => Origin::Packaged {
            distro: distro.clone(),
            path: path.clone(),
            span,
        },
        other => other.clone(),
    }
}

/// The origin of a word `server_command` returns (possibly part of a command word).
pub(super) fn word_origin(words: &Words, w: &app::Word) -> Origin {
    words
        .iter()
        .find(|f| {
            origin_span(&f.origin)
                .is_some_and(|s| !s.is_empty() && s.start <= w.span.start && w.span.end <= s.end)
        })
        .map(|f| with_span(&f.origin, w.span))
        .or_else(|| {
            words
                .iter()
                .find(|f| f.value == w.value)
                .map(|f| f.origin.clone())
        })
        .unwrap_or(Origin::Default {
            what: "the command line".to_owned(),
        })
}

/// A command-line value: a literal, or `$VAR` / `${VAR:-default}` as a shell expands it.
fn word_value(env: &Env<'_>, value: &str, origin: Origin) -> Resolved {
    let inner = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| value.strip_prefix('$'));
    if let Some(inner) = inner.filter(|i| !i.is_empty()) {
        let (var, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
            Some((v, d)) => (v, Some(d)),
            None => (inner, None),
        };
        if var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            if let Some(mut r) = env.get(var) {
                r.via.push(origin);
                return r;
            }
            if let Some(d) = default {
                return Resolved {
                    value: d.to_owned(),
                    origin: origin.clone(),
                    via: vec![origin],
                };
            }
        }
    }
    Resolved {
        value: value.to_owned(),
        origin,
        via: Vec::new(),
    }
}

/// A setting the source may give: its value; the default when the source does not set it;
/// `None` when the source sets it to something gen cannot evaluate (the default would be a
/// wrong fact then).
fn setting(
    env: &Env<'_>,
    src: &Source,
    v: Option<&app::Value>,
    default: impl FnOnce() -> Option<Resolved>,
) -> Option<Resolved> {
    match v {
        None => default(),
        Some(v) => source_value(env, src, v),
    }
}

/// A value read from a source file.
fn source_value(env: &Env<'_>, src: &Source, v: &app::Value) -> Option<Resolved> {
    let mut via = Vec::new();
    if v.used_at != v.span {
        via.push(src.origin(v.used_at));
    }
    match &v.kind {
        ValueKind::Literal(s) => Some(Resolved {
            value: s.clone(),
            origin: src.origin(v.span),
            via,
        }),
        ValueKind::Env {
            var,
            default,
            default_span,
        } => {
            via.insert(0, src.origin(v.span));
            match env.get(var) {
                Some(mut r) => {
                    r.via.extend(via);
                    Some(r)
                }
                None => default.as_ref().map(|d| Resolved {
                    value: d.clone(),
                    origin: src.origin(default_span.unwrap_or(v.span)),
                    via,
                }),
            }
        }
        ValueKind::Unknown(_) => None,
    }
}

pub(super) fn build(m: &Model) -> Vec<App> {
    let sup = m.supervisor.as_ref();
    let section = sup.and_then(|s| {
        let (i, sec) = s.supervisord.as_ref()?;
        Some((s.files.get(*i)?.source.clone(), sec))
    });
    let mut out = Vec::new();
    if let Some(s) = sup.filter(|s| !s.programs.is_empty()) {
        for p in &s.programs {
            if p.program.kind == ProcessKind::EventListener {
                continue;
            }
            let env = Env {
                m,
                program: Some(p),
                supervisord: section.clone(),
            };
            let cwd = p.program.directory.as_ref().map_or_else(
                || {
                    section
                        .as_ref()
                        .and_then(|(src, sec)| {
                            sec.directory.as_ref().map(|d| Fact {
                                value: d.value.clone(),
                                origin: src
                                    .origin(d.place.map_or(Span::default(), |pl| pl.value_span)),
                            })
                        })
                        .unwrap_or_else(|| m.workdir.clone())
                },
                |d| Fact {
                    value: path::join(&m.workdir.value, &d.value),
                    origin: p.origin(d.place.map_or(Span::default(), |pl| pl.value_span)),
                },
            );
            if let Some(a) = app_of(m, &env, Some(p.program.name.clone()), &p.argv(), cwd) {
                out.push(a);
            }
        }
    } else if sup.is_none() || sup.is_some_and(|s| s.command.is_none()) {
        let env = Env {
            m,
            program: None,
            supervisord: None,
        };
        if let Some(a) = app_of(m, &env, None, &m.argv, m.workdir.clone()) {
            out.push(a);
        }
    }
    if out.is_empty() && m.dockerfile.is_none() {
        out.extend(conventional(m));
    }
    out
}

/// Without a Dockerfile or a program that runs it, the app files the usual names suggest.
fn conventional(m: &Model) -> Vec<App> {
    const NAMES: [(&str, &str); 9] = [
        ("app.py", "python"),
        ("main.py", "python"),
        ("server.py", "python"),
        ("asgi.py", "python"),
        ("wsgi.py", "python"),
        ("app.js", "node"),
        ("server.js", "node"),
        ("index.js", "node"),
        ("main.js", "node"),
    ];
    let env = Env {
        m,
        program: None,
        supervisord: None,
    };
    let mut out = Vec::new();
    for (name, runner) in NAMES {
        if !m.files.contains(name) {
            continue;
        }
        let assumed = |v: &str| Fact {
            value: v.to_owned(),
            origin: Origin::Assumed {
                what: format!(
                    "no Dockerfile or program runs `{name}`: taken to be run by `{runner}`"
                ),
            },
        };
        let path = path::join(&m.workdir.value, name);
        let words = vec![assumed(runner), assumed(&path)];
        if let Some(a) = app_of(m, &env, None, &words, m.workdir.clone()) {
            if !a.listens.is_empty() {
                out.push(a);
            }
        }
    }
    out
}

fn app_of(
    m: &Model,
    env: &Env<'_>,
    program: Option<String>,
    argv: &[Fact<String>],
    cwd: Fact<String>,
) -> Option<App> {
    let commands = cmdline::commands_through_scripts(m, argv, &cwd.value);
    if commands.iter().any(|c| {
        c.first()
            .is_some_and(|w| matches!(basename(&w.value), "nginx" | "supervisord"))
    }) {
        return None;
    }
    // The command that serves: a server, a script, or else the last one.
    let reader = |c: &Words| {
        let name = basename(&c.first()?.value);
        SERVERS
            .iter()
            .find(|r| r.runs_or_launches(name))
            .map(|r| r.reader)
    };
    let chosen = commands
        .iter()
        .find(|c| server_command(c).is_some() || reader(c) == Some(Reader::ConfigFiles))
        .or_else(|| commands.iter().find(|c| reader(c) == Some(Reader::Script)))
        .or_else(|| commands.last())?
        .clone();
    let mut a = App {
        program,
        runtime: Runtime::Other(
            chosen
                .first()
                .map(|w| basename(&w.value).to_owned())
                .unwrap_or_default(),
        ),
        command: chosen.clone(),
        cwd,
        source: None,
        listens: Vec::new(),
        workers: None,
        worker_class: None,
        proxy_headers: None,
        forwarded_allow_ips: None,
        trust_proxy: None,
        root_path: None,
        keep_alive_timeout: None,
        websockets: None,
        config_file: None,
        daemon: None,
        partial: false,
        user: None,
        module: None,
        settings: Vec::new(),
    };
    // The model's hook for each server: what reads where it listens.
    if let Some(cmd) = server_command(&chosen) {
        server(m, env, &mut a, &chosen, &cmd);
    } else {
        let name = chosen.first().map_or("", |w| basename(&w.value));
        if let Some(r) = SERVERS.iter().find(|r| r.runs_or_launches(name)) {
            match r.server {
                Server::Uwsgi => {
                    servers::uwsgi(m, env, &mut a, &chosen);
                }
                Server::PhpFpm => {
                    servers::php_fpm_app(m, env, &mut a, &chosen);
                }
                Server::Python => python_script(m, env, &mut a, &chosen),
                Server::Node => node(m, env, &mut a, &chosen, 0),
                // `server_command` reads every command that runs one of these.
                Server::Uvicorn | Server::Gunicorn | Server::Hypercorn | Server::Daphne => {}
            }
        }
    }
    Some(a)
}

fn server_command(words: &Words) -> Option<ServerCommand> {
    let ws: Vec<app::Word> = words
        .iter()
        .map(|w| app::Word {
            value: w.value.clone(),
            span: origin_span(&w.origin).unwrap_or_default(),
        })
        .collect();
    app::server_command(&ws)
}

/// Reads a source file of the image: its local file, text and image path.
fn read_source<'m>(m: &'m Model, path: &str) -> Option<(String, String, &'m str)> {
    let file = m.image.local_file(path)?;
    let text = m.files.text(file)?;
    Some((path.to_owned(), file.to_owned(), text))
}

fn server(m: &Model, env: &Env<'_>, a: &mut App, words: &Words, cmd: &ServerCommand) {
    let word = |w: &app::Word| word_value(env, &w.value, word_origin(words, w));
    let cmd_origin = word_origin(words, &cmd.program);
    a.runtime = cmd.server.into();
    let row = cmd.server.row();
    let defaults = &row.defaults;
    // `cwd` stays the directory the process starts in: the entry-point lookup applies
    // `--chdir` / `--app-dir` itself.
    if let Some(dir) = cmd.chdir.as_ref().map(word) {
        a.settings.push(("chdir".to_owned(), dir));
    }
    a.module = cmd.app.as_ref().map(word);
    let mut gunicorn_perm: Option<SocketPerm> = None;
    let mut workers_unknown = false;
    let mut file_workers: Option<Resolved> = None;
    let mut file_forwarded: Option<Resolved> = None;
    let mut forwarded_unknown = false;
    let mut binds: Vec<(BindTarget, Origin)> = cmd
        .binds
        .iter()
        .map(|b| (b.target.clone(), word_origin(words, &b.word)))
        .collect();
    match cmd.server {
        Server::Uvicorn => {
            if let Some(uds) = cmd
                .uds
                .as_ref()
                .map(word)
                .or_else(|| env.first(row.vars(Setting::Uds)))
            {
                a.listens.push(AppListen {
                    protocol: Protocol::Http,
                    perm: None,
                    host: None,
                    port: None,
                    origin: uds.origin.clone(),
                    unix: Some(uds),
                });
            } else if binds.is_empty() {
                let host = cmd
                    .host
                    .as_ref()
                    .map(word)
                    .or_else(|| env.first(row.vars(Setting::Host)))
                    .or_else(|| Resolved::builtin(defaults.host));
                let port = cmd
                    .port
                    .as_ref()
                    .map(word)
                    .or_else(|| env.first(row.vars(Setting::Port)))
                    .or_else(|| Resolved::builtin(defaults.port));
                a.listens.push(AppListen {
                    protocol: Protocol::Http,
                    perm: None,
                    host,
                    port,
                    unix: None,
                    origin: cmd_origin.clone(),
                });
            }
            a.proxy_headers = match cmd.proxy_headers {
                Some((on, span)) => Some(Resolved {
                    value: on.to_string(),
                    origin: word_origin(
                        words,
                        &app::Word {
                            value: String::new(),
                            span,
                        },
                    ),
                    via: Vec::new(),
                }),
                None => Resolved::builtin(defaults.proxy_headers),
            };
            a.keep_alive_timeout = cmd
                .keep_alive
                .as_ref()
                .map(word)
                .or_else(|| Resolved::builtin(defaults.keep_alive));
            a.root_path = cmd
                .root_path
                .as_ref()
                .map(word)
                .or_else(|| env.first(row.vars(Setting::RootPath)));
        }
        Server::Daphne => {
            if let Some(uds) = cmd.uds.as_ref().map(word) {
                a.listens.push(AppListen {
                    protocol: Protocol::Http,
                    perm: None,
                    host: None,
                    port: None,
                    origin: uds.origin.clone(),
                    unix: Some(uds),
                });
            } else if cmd.host.is_some() || cmd.port.is_some() || binds.is_empty() {
                let host = cmd
                    .host
                    .as_ref()
                    .map(word)
                    .or_else(|| Resolved::builtin(defaults.host));
                let port = cmd
                    .port
                    .as_ref()
                    .map(word)
                    .or_else(|| Resolved::builtin(defaults.port));
                a.listens.push(AppListen {
                    protocol: Protocol::Http,
                    perm: None,
                    host,
                    port,
                    unix: None,
                    origin: cmd_origin.clone(),
                });
            }
        }
        Server::Gunicorn | Server::Hypercorn => {
            // gunicorn reads its config file, then GUNICORN_CMD_ARGS, then the command
            // line, each overriding the one before; PORT only changes the default bind.
            let file = if cmd.server == Server::Gunicorn {
                servers::gunicorn_file(
                    m,
                    &a.cwd.value,
                    cmd.config.as_ref().map(|c| c.value.as_str()),
                )
            } else {
                servers::hypercorn_file(
                    m,
                    &a.cwd.value,
                    cmd.config.as_ref().map(|c| c.value.as_str()),
                )
            };
            let file_setting = |name: &str| match &file {
                Err(()) => Err(()),
                Ok(None) => Ok(None),
                Ok(Some(f)) => servers::gunicorn_setting(f, name),
            };
            if binds.is_empty() && cmd.server == Server::Gunicorn {
                if let Some(args) = env.first(row.vars(Setting::CommandLine)) {
                    let mut ws = vec![app::Word {
                        value: row.name.to_owned(),
                        span: Span::default(),
                    }];
                    ws.extend(
                        shell::split(&args.value)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|w| app::Word {
                                value: w.value,
                                span: Span::default(),
                            }),
                    );
                    if let Some(c) = app::server_command(&ws) {
                        binds.extend(c.binds.into_iter().map(|b| (b.target, args.origin.clone())));
                    }
                }
                if binds.is_empty() {
                    match file_setting("bind") {
                        Err(()) => a.partial = true,
                        Ok(Some(values)) => binds.extend(
                            values
                                .into_iter()
                                .map(|v| (app::bind_target(&v.value), v.origin)),
                        ),
                        Ok(None) => {}
                    }
                }
                if binds.is_empty() && !a.partial {
                    if let Some(port) = env.first(row.vars(Setting::DefaultPort)) {
                        a.listens.push(AppListen {
                            protocol: Protocol::Http,
                            perm: None,
                            host: Resolved::builtin(defaults.default_port_host),
                            origin: port.origin.clone(),
                            port: Some(port),
                            unix: None,
                        });
                    }
                }
            }
            // hypercorn: the command line's binds replace the file's.
            if binds.is_empty() && cmd.server == Server::Hypercorn {
                match file_setting("bind") {
                    Err(()) => a.partial = true,
                    Ok(Some(values)) => binds.extend(
                        values
                            .into_iter()
                            .map(|v| (app::bind_target(&v.value), v.origin)),
                    ),
                    Ok(None) => {}
                }
            }
            if cmd.other_listen.is_some() || (cmd.server == Server::Hypercorn && file.is_err()) {
                a.partial = true;
            }
            if binds.is_empty() && a.listens.is_empty() && !a.partial {
                a.listens.push(AppListen {
                    protocol: Protocol::Http,
                    perm: None,
                    host: Resolved::builtin(defaults.host),
                    port: Resolved::builtin(defaults.port),
                    unix: None,
                    origin: cmd_origin.clone(),
                });
            }
            if cmd.server == Server::Gunicorn {
                let from_file = |name: &str| {
                    file_setting(name)
                        .ok()
                        .flatten()
                        .and_then(|v| v.into_iter().next())
                };
                let known = |name: &str| file_setting(name).is_ok();
                a.keep_alive_timeout = match cmd.keep_alive.as_ref().map(word) {
                    Some(k) => Some(k),
                    None if known("keepalive") => {
                        from_file("keepalive").or_else(|| Resolved::builtin(defaults.keep_alive))
                    }
                    None => None,
                };
                a.config_file = cmd
                    .config
                    .as_ref()
                    .map(|c| word_origin(words, c))
                    .or_else(|| {
                        let conf = path::join(&a.cwd.value, row.config_file?);
                        m.image.entry(&conf).map(|e| e.origin.clone())
                    });
                a.daemon = cmd
                    .daemon
                    .map(|span| {
                        word_origin(
                            words,
                            &app::Word {
                                value: String::new(),
                                span,
                            },
                        )
                    })
                    .or_else(|| {
                        from_file("daemon")
                            .filter(|d| d.value == "True")
                            .map(|d| d.origin)
                    });
                if cmd.chdir.is_none() {
                    if let Some(dir) = from_file("chdir") {
                        a.cwd = Fact {
                            value: path::join(&a.cwd.value, &dir.value),
                            origin: dir.origin,
                        };
                    }
                }
                a.user = cmd.user.as_ref().map(word).or_else(|| from_file("user"));
                // gunicorn creates its socket under `umask` (0 by default) and chowns it
                // to its `user`.
                let umask = match cmd.umask.as_ref().map(word) {
                    Some(u) => Some(u),
                    None if known("umask") => {
                        from_file("umask").or_else(|| Resolved::builtin(defaults.umask))
                    }
                    None => None,
                };
                let mode = umask.and_then(|u| {
                    let text = u.value.trim_start_matches("0o");
                    let bits = if text.len() > 1 && text.starts_with('0') {
                        u32::from_str_radix(text, 8).ok()
                    } else {
                        text.parse::<u32>().ok()
                    }?;
                    Some(Resolved {
                        value: format!("{:o}", 0o777 & !bits),
                        ..u
                    })
                });
                let owner = a.user.clone().or_else(|| env.start_user());
                gunicorn_perm = Some(SocketPerm {
                    owner,
                    group: None,
                    mode,
                });
                if a.worker_class.is_none() {
                    a.worker_class = from_file("worker_class");
                }
                if cmd.workers.is_none() && !known("workers") {
                    workers_unknown = true;
                }
                file_workers = from_file("workers");
                file_forwarded = from_file("forwarded_allow_ips");
                forwarded_unknown =
                    cmd.forwarded_allow_ips.is_none() && !known("forwarded_allow_ips");
            }
        }
        // `server_command` reads the command-line servers only.
        Server::Uwsgi | Server::PhpFpm | Server::Python | Server::Node => {}
    }
    for (target, origin) in binds {
        let at = |v: String| Resolved {
            value: v,
            origin: origin.clone(),
            via: Vec::new(),
        };
        a.listens.push(match target {
            BindTarget::Tcp { host, port } => AppListen {
                protocol: Protocol::Http,
                perm: None,
                host: Some(at(host)),
                port: port
                    .map(|p| at(p.to_string()))
                    .or_else(|| Resolved::builtin(defaults.bind_port)),
                unix: None,
                origin: origin.clone(),
            },
            BindTarget::Unix(path) => AppListen {
                protocol: Protocol::Http,
                perm: gunicorn_perm.clone(),
                host: None,
                port: None,
                unix: Some(at(path)),
                origin: origin.clone(),
            },
            // A socket its parent passes in: gen does not know where it listens.
            BindTarget::Fd(_) => {
                a.partial = true;
                continue;
            }
        });
    }
    a.worker_class = cmd
        .worker_class
        .as_ref()
        .map(word)
        .or(a.worker_class.take());
    a.workers = if workers_unknown {
        None
    } else {
        cmd.workers
            .as_ref()
            .map(word)
            .or(file_workers)
            .or_else(|| env.first(row.vars(Setting::Workers)))
            .or_else(|| Resolved::builtin(defaults.workers))
    };
    a.forwarded_allow_ips = if forwarded_unknown {
        None
    } else {
        cmd.forwarded_allow_ips
            .as_ref()
            .map(word)
            .or(file_forwarded)
            .or_else(|| env.first(row.vars(Setting::ForwardedAllowIps)))
            .or_else(|| Resolved::builtin(defaults.forwarded_allow_ips))
    };
    // The app module, for what its source says (WebSocket routes, root_path).
    if let Some(module) = cmd
        .app
        .as_ref()
        .and_then(|w| w.value.split(':').next().map(str::to_owned))
    {
        let rel = module.replace('.', "/");
        let candidates = [format!("{rel}.py"), format!("{rel}/__init__.py")];
        // Imported from `--chdir` / `--app-dir` when given, else the working directory.
        let dir = cmd.chdir.as_ref().map_or_else(
            || a.cwd.value.clone(),
            |d| path::join(&a.cwd.value, &d.value),
        );
        if let Some((path, file, text)) = candidates
            .iter()
            .find_map(|c| read_source(m, &path::join(&dir, c)))
        {
            let source = app::python(text);
            let src = Source::Local(file.clone());
            a.websockets = source.websockets.map(|s| src.origin(s));
            if a.root_path.is_none() {
                a.root_path = source
                    .root_path
                    .as_ref()
                    .and_then(|v| source_value(env, &src, v));
            }
            a.source = Some(AppSourceFile { path, file, source });
        }
    }
}

fn python_script(m: &Model, env: &Env<'_>, a: &mut App, words: &Words) {
    a.runtime = Runtime::Server(Server::Python);
    let mut i = 1;
    while words
        .get(i)
        .is_some_and(|w| w.value.starts_with('-') && w.value != "-m" && w.value != "-c")
    {
        i += 1;
    }
    let rel = match (words.get(i), words.get(i + 1)) {
        (Some(m_flag), Some(module)) if m_flag.value == "-m" => {
            format!("{}.py", module.value.replace('.', "/"))
        }
        (Some(script), _) if script.value != "-c" => script.value.clone(),
        _ => return,
    };
    let path = path::join(&a.cwd.value, &rel);
    let Some((path, file, text)) = read_source(m, &path) else {
        return;
    };
    let source = app::python(text);
    let src = Source::Local(file.clone());
    for l in &source.listens {
        let Some(call) = Call::of(l.kind) else {
            continue;
        };
        if call.server != Server::Python {
            a.runtime = call.server.into();
        }
        let resolve = |v: &Option<app::Value>| v.as_ref().and_then(|v| source_value(env, &src, v));
        if let Some(unix) = resolve(&l.path) {
            a.listens.push(AppListen {
                protocol: Protocol::Http,
                perm: None,
                host: None,
                port: None,
                unix: Some(unix),
                origin: src.origin(l.call_span),
            });
            continue;
        }
        a.listens.push(AppListen {
            protocol: Protocol::Http,
            perm: None,
            host: resolve(&l.host).or_else(|| Resolved::builtin(call.defaults.host)),
            port: resolve(&l.port).or_else(|| Resolved::builtin(call.defaults.port)),
            unix: None,
            origin: src.origin(l.call_span),
        });
    }
    // A call that starts a server of its own (`uvicorn.run`): its settings.
    if let Some(call) = source
        .listens
        .iter()
        .find_map(|l| Call::of(l.kind).filter(|c| c.server != Server::Python))
    {
        let d = &call.defaults;
        a.proxy_headers = setting(env, &src, source.proxy_headers.as_ref(), || {
            Resolved::builtin(d.proxy_headers)
        });
        a.forwarded_allow_ips = setting(env, &src, source.forwarded_allow_ips.as_ref(), || {
            env.first(call.vars(Setting::ForwardedAllowIps))
                .or_else(|| Resolved::builtin(d.forwarded_allow_ips))
        });
        a.keep_alive_timeout = setting(env, &src, source.keep_alive_timeout.as_ref(), || {
            Resolved::builtin(d.keep_alive)
        });
    }
    a.root_path = source
        .root_path
        .as_ref()
        .and_then(|v| source_value(env, &src, v));
    a.websockets = source.websockets.map(|s| src.origin(s));
    a.source = Some(AppSourceFile { path, file, source });
}

fn node(m: &Model, env: &Env<'_>, a: &mut App, words: &Words, depth: usize) {
    a.runtime = Runtime::Server(Server::Node);
    let row = Server::Node.row();
    let Some(first) = words.first() else { return };
    if row.launchers.contains(&basename(&first.value)) {
        if depth > 0 {
            return;
        }
        let script = match words.get(1).map(|w| w.value.as_str()) {
            Some("start") => "start",
            Some("run" | "run-script") => words.get(2).map_or("start", |w| w.value.as_str()),
            _ => return,
        };
        let pkg_path = path::join(&a.cwd.value, "package.json");
        let Some((_, file, text)) = read_source(m, &pkg_path) else {
            return;
        };
        let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let line = json["scripts"][script]
            .as_str()
            .map(str::to_owned)
            .or_else(|| {
                // npm's default start script.
                (script == "start"
                    && m.image
                        .entry(&path::join(&a.cwd.value, "server.js"))
                        .is_some())
                .then(|| "node server.js".to_owned())
            });
        let Some(line) = line else { return };
        let quoted = serde_json::to_string(&line).unwrap_or_default();
        let origin = text.find(&quoted).map_or_else(
            || Origin::Default {
                what: format!("npm's default `{script}` script"),
            },
            |at| Origin::File {
                file: file.clone(),
                span: Span::new(at, at + quoted.len()),
            },
        );
        let script_word = Fact {
            value: line,
            origin,
        };
        let sh = |v: &str| Fact {
            value: v.to_owned(),
            origin: script_word.origin.clone(),
        };
        for cmd in cmdline::commands(&[sh("sh"), sh("-c"), script_word.clone()]) {
            if cmd.first().is_some_and(|w| row.runs(basename(&w.value))) {
                a.command.clone_from(&cmd);
                node(m, env, a, &cmd, depth + 1);
                return;
            }
        }
        return;
    }
    let Some(script) = words.iter().skip(1).find(|w| !w.value.starts_with('-')) else {
        return;
    };
    let base = path::join(&a.cwd.value, &script.value);
    let found = [
        base.clone(),
        format!("{base}.js"),
        path::join(&base, "index.js"),
    ]
    .into_iter()
    .find_map(|p| read_source(m, &p));
    let Some((path, file, text)) = found else {
        return;
    };
    let source = app::javascript(text);
    let src = Source::Local(file.clone());
    for l in &source.listens {
        let resolve = |v: &Option<app::Value>| v.as_ref().and_then(|v| source_value(env, &src, v));
        if let Some(unix) = resolve(&l.path) {
            a.listens.push(AppListen {
                protocol: Protocol::Http,
                perm: None,
                host: None,
                port: None,
                unix: Some(unix),
                origin: src.origin(l.call_span),
            });
            continue;
        }
        a.listens.push(AppListen {
            protocol: Protocol::Http,
            perm: None,
            host: resolve(&l.host).or_else(|| Resolved::builtin(row.defaults.host)),
            port: resolve(&l.port),
            unix: None,
            origin: src.origin(l.call_span),
        });
    }
    a.trust_proxy = source
        .trust_proxy
        .as_ref()
        .and_then(|v| source_value(env, &src, v));
    a.keep_alive_timeout = setting(env, &src, source.keep_alive_timeout.as_ref(), || {
        Resolved::builtin(row.defaults.keep_alive)
    });
    a.websockets = source.websockets.map(|s| src.origin(s));
    a.source = Some(AppSourceFile { path, file, source });
}
