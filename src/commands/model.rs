//! `gen model PATH...`: the container model as `gen check` sees it, each fact with its
//! origin, for people who debug a finding and for policy tools (conftest, OPA) that want
//! gen's facts rather than its verdicts. `--format json` prints the stable shape described
//! in `docs/model.md`; the default prints the same facts as text.
//!
//! The model is read through its public API only ([`crate::model::Model`] and the lint
//! context's container directories); this module owns the output shape, nothing else.

use super::check;
use crate::cli::{ModelArgs, ModelFormat};
use crate::error::Result;
use crate::lint::ContainerDir;
use crate::lint::date::Date;
use crate::model::{self, EntryKind, Fact, ListenAddr, Origin, Target};
use crate::parse::span::LineIndex;
use serde::Serialize;
use std::fmt::Write as _;

/// The version of the JSON shape; bumped when a field changes meaning or goes away (new
/// fields may be added without a bump).
pub const VERSION: u32 = 1;

pub fn run(args: &ModelArgs) -> Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // The date plays no part in the model; the context wants one.
    let ctx = check::paths_context(&paths, &super::vfs::Vfs::default(), Date::ymd(1970, 1, 1))?;
    let containers: Vec<Container> = ctx.containers.iter().map(container).collect();
    let out = Output {
        version: VERSION,
        containers,
    };
    let text = match args.format {
        ModelFormat::Json => {
            let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
            s.push('\n');
            s
        }
        ModelFormat::Human => human(&out),
    };
    super::print_out(&text);
    Ok(0)
}

#[derive(Debug, Serialize)]
pub struct Output {
    pub version: u32,
    pub containers: Vec<Container>,
}

/// Where a fact comes from. `file` is shown as `gen check` shows it; `line` and `column`
/// are 1-based, columns counted in characters; `end_line`/`end_column` point just past
/// the fact.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Where {
    File {
        file: String,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
    },
    Packaged {
        distro: String,
        file: String,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
    },
    /// A program's built-in default.
    Default { what: String },
    /// Without a Dockerfile, a guess from file names.
    Assumed { what: String },
}

#[derive(Debug, Serialize)]
pub struct Value<T> {
    pub value: T,
    pub origin: Where,
}

#[derive(Debug, Serialize)]
pub struct Container {
    pub name: String,
    pub dir: String,
    pub dockerfile: Option<String>,
    pub base_image: Option<Value<String>>,
    pub user: Option<Value<String>>,
    pub workdir: Value<String>,
    pub env: Vec<Named>,
    pub expose: Vec<Expose>,
    /// PID 1's command line: ENTRYPOINT then CMD.
    pub pid1: Vec<Value<String>>,
    pub listeners: Vec<Listener>,
    pub proxy_targets: Vec<ProxyTarget>,
    pub programs: Vec<Program>,
    pub app_servers: Vec<AppServer>,
    pub sockets: Vec<Socket>,
    pub files: Vec<ImageFile>,
    pub problems: Vec<Problem>,
}

/// A variable and its value.
#[derive(Debug, Serialize)]
pub struct Named {
    pub name: String,
    pub value: String,
    pub origin: Where,
}

#[derive(Debug, Serialize)]
pub struct Expose {
    /// As written (`8000-8010/tcp`).
    pub raw: String,
    pub first: Option<u16>,
    pub last: Option<u16>,
    pub protocol: &'static str,
    pub origin: Where,
}

/// An nginx `listen` (or the implied `*:80` of a server without one).
#[derive(Debug, Serialize)]
pub struct Listener {
    /// `tcp`, `unix`, or `invalid` (an address gen cannot read, as written).
    pub kind: &'static str,
    /// `None` for every address.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    pub raw: Option<String>,
    pub default_server: bool,
    pub ssl: bool,
    pub origin: Where,
}

/// Where nginx sends requests: a `*_pass` or an upstream's `server`.
#[derive(Debug, Serialize)]
pub struct ProxyTarget {
    /// `proxy_pass`, `uwsgi_pass`, `fastcgi_pass`, `scgi_pass`, `grpc_pass`, or `server`.
    pub directive: String,
    pub raw: String,
    /// `tcp`, `unix`, `upstream` or `variable`.
    pub kind: &'static str,
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    /// The upstream block it names (`kind: upstream`), or the one it belongs to (`server`).
    pub upstream: Option<String>,
    pub origin: Where,
}

/// A supervisord program (or event listener).
#[derive(Debug, Serialize)]
pub struct Program {
    pub name: String,
    pub command: Option<Value<String>>,
    pub argv: Vec<Value<String>>,
    pub user: Option<Value<String>>,
    pub directory: Option<Value<String>>,
    pub environment: Vec<Named>,
    pub origin: Where,
}

/// An app server and where it listens.
#[derive(Debug, Serialize)]
pub struct AppServer {
    /// The supervisord program; `None` when PID 1 runs it.
    pub program: Option<String>,
    pub runtime: String,
    pub command: Vec<Value<String>>,
    pub cwd: Value<String>,
    pub user: Option<Value<String>>,
    pub binds: Vec<Bind>,
}

#[derive(Debug, Serialize)]
pub struct Bind {
    pub host: Option<Value<String>>,
    pub port: Option<Value<String>>,
    pub unix: Option<Value<String>>,
    pub protocol: &'static str,
    pub origin: Where,
}

/// A Unix socket an app server makes, with its permissions where known.
#[derive(Debug, Serialize)]
pub struct Socket {
    pub path: Value<String>,
    pub program: Option<String>,
    pub owner: Option<Value<String>>,
    pub group: Option<Value<String>>,
    pub mode: Option<Value<String>>,
}

/// A path of the image gen models (directories left out).
#[derive(Debug, Serialize)]
pub struct ImageFile {
    pub path: String,
    /// `copied` (from `from`), `packaged`, `heredoc`, `opaque` (made by RUN, contents
    /// unknown) or `symlink` (to `target`).
    pub kind: &'static str,
    pub from: Option<String>,
    pub target: Option<String>,
    pub owner: Option<String>,
    pub origin: Where,
}

/// Something the model could not read or follow.
#[derive(Debug, Serialize)]
pub struct Problem {
    pub kind: String,
    pub message: String,
    pub origin: Where,
}

/// Reads one container directory's model into the output shape.
struct Reader<'c> {
    dir: &'c ContainerDir,
}

impl Reader<'_> {
    fn origin(&self, origin: &Origin) -> Where {
        let span_at = |text: &str, span: crate::parse::span::Span| {
            let index = LineIndex::new(text);
            let start = index.line_col(text, span.start);
            let end = index.line_col(text, span.end);
            (start.line, start.column, end.line, end.column)
        };
        match origin {
            Origin::File { file, span } => {
                let f = self.dir.file(file);
                let shown =
                    f.map_or_else(|| format!("{}/{file}", self.dir.dir), |f| f.path.clone());
                let (line, column, end_line, end_column) = f
                    .and_then(|f| f.text.as_deref())
                    .map_or((1, 1, 1, 1), |t| span_at(t, *span));
                Where::File {
                    file: shown,
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }
            Origin::Packaged { distro, path, span } => {
                let (line, column, end_line, end_column) = self
                    .dir
                    .model
                    .packaged_text(path)
                    .map_or((1, 1, 1, 1), |t| span_at(t, *span));
                Where::Packaged {
                    distro: distro.clone(),
                    file: path.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }
            Origin::Default { what } => Where::Default { what: what.clone() },
            Origin::Assumed { what } => Where::Assumed { what: what.clone() },
        }
    }

    fn fact<T: Clone>(&self, f: &Fact<T>) -> Value<T> {
        Value {
            value: f.value.clone(),
            origin: self.origin(&f.origin),
        }
    }

    fn resolved(&self, r: &model::Resolved) -> Value<String> {
        Value {
            value: r.value.clone(),
            origin: self.origin(&r.origin),
        }
    }
}

fn container(dir: &ContainerDir) -> Container {
    let r = Reader { dir };
    let m = &dir.model;
    let env = m
        .env
        .iter()
        .map(|(name, f)| Named {
            name: name.clone(),
            value: f.value.clone(),
            origin: r.origin(&f.origin),
        })
        .collect();
    let expose = m
        .expose
        .iter()
        .map(|f| Expose {
            raw: f.value.word.raw.clone(),
            first: f.value.ports.map(|p| p.0),
            last: f.value.ports.map(|p| p.1),
            protocol: f.value.protocol.as_str(),
            origin: r.origin(&f.origin),
        })
        .collect();
    Container {
        name: dir.name.clone(),
        dir: dir.dir.clone(),
        dockerfile: m.dockerfile.as_ref().map(|d| {
            dir.file(&d.file)
                .map_or_else(|| d.file.clone(), |f| f.path.clone())
        }),
        base_image: m.base_image.as_ref().map(|f| r.fact(f)),
        user: m.user.as_ref().map(|f| r.fact(f)),
        workdir: r.fact(&m.workdir),
        env,
        expose,
        pid1: m.argv.iter().map(|f| r.fact(f)).collect(),
        listeners: listeners(&r),
        proxy_targets: proxy_targets(&r),
        programs: programs(&r),
        app_servers: app_servers(&r),
        sockets: sockets(&r),
        files: files(&r),
        problems: m
            .problems
            .iter()
            .map(|p| Problem {
                kind: format!("{:?}", p.kind),
                message: p.message.clone(),
                origin: r.origin(&p.origin),
            })
            .collect(),
    }
}

fn listeners(r: &Reader<'_>) -> Vec<Listener> {
    let Some(n) = &r.dir.model.nginx else {
        return Vec::new();
    };
    n.listeners
        .iter()
        .map(|l| {
            let (kind, host, port, path, raw) = match &l.addr {
                ListenAddr::Tcp { host, port } => ("tcp", host.clone(), Some(*port), None, None),
                ListenAddr::Unix(p) => ("unix", None, None, Some(p.clone()), None),
                ListenAddr::Invalid(s) => ("invalid", None, None, None, Some(s.clone())),
            };
            Listener {
                kind,
                host,
                port,
                path,
                raw,
                default_server: l.default_server,
                ssl: l.ssl,
                origin: r.origin(&l.origin),
            }
        })
        .collect()
}

fn proxy_targets(r: &Reader<'_>) -> Vec<ProxyTarget> {
    let Some(n) = &r.dir.model.nginx else {
        return Vec::new();
    };
    n.proxies
        .iter()
        .map(|p| {
            let mut t = ProxyTarget {
                directive: p.kind.clone(),
                raw: p.raw.clone(),
                kind: "",
                scheme: None,
                host: None,
                port: None,
                path: None,
                upstream: p.upstream.clone(),
                origin: r.origin(&p.origin),
            };
            match &p.target {
                Target::Tcp {
                    scheme, host, port, ..
                } => {
                    t.kind = "tcp";
                    t.scheme.clone_from(scheme);
                    t.host = Some(host.clone());
                    t.port = *port;
                }
                Target::Unix { path } => {
                    t.kind = "unix";
                    t.path = Some(path.clone());
                }
                Target::Upstream { name } => {
                    t.kind = "upstream";
                    t.upstream = Some(name.clone());
                }
                Target::Variable(_) => t.kind = "variable",
            }
            t
        })
        .collect()
}

fn programs(r: &Reader<'_>) -> Vec<Program> {
    let Some(s) = &r.dir.model.supervisor else {
        return Vec::new();
    };
    s.programs
        .iter()
        .map(|p| {
            let prog = &p.program;
            let setting = |v: &Option<crate::parse::supervisord::Setting<String>>| {
                v.as_ref().and_then(|s| {
                    let place = s.place.as_ref()?;
                    Some(Value {
                        value: s.value.clone(),
                        origin: r.origin(&p.origin(place.value_span)),
                    })
                })
            };
            Program {
                name: prog.name.clone(),
                command: prog.command.as_ref().map(|c| Value {
                    value: c.raw.clone(),
                    origin: r.origin(&p.origin(c.place.value_span)),
                }),
                argv: p.argv().iter().map(|f| r.fact(f)).collect(),
                user: setting(&prog.user),
                directory: setting(&prog.directory),
                environment: prog
                    .environment
                    .iter()
                    .map(|v| Named {
                        name: v.key.clone(),
                        value: v.value.clone(),
                        origin: r.origin(&p.origin(v.key_span)),
                    })
                    .collect(),
                origin: r.origin(&p.origin(prog.header_span)),
            }
        })
        .collect()
}

/// Its name in the runtime table, or the program's.
fn runtime_name(rt: &model::Runtime) -> String {
    rt.name().to_owned()
}

fn app_servers(r: &Reader<'_>) -> Vec<AppServer> {
    r.dir
        .model
        .apps
        .iter()
        .map(|a| AppServer {
            program: a.program.clone(),
            runtime: runtime_name(&a.runtime),
            command: a.command.iter().map(|f| r.fact(f)).collect(),
            cwd: r.fact(&a.cwd),
            user: a.user.as_ref().map(|u| r.resolved(u)),
            binds: a
                .listens
                .iter()
                .map(|l| Bind {
                    host: l.host.as_ref().map(|v| r.resolved(v)),
                    port: l.port.as_ref().map(|v| r.resolved(v)),
                    unix: l.unix.as_ref().map(|v| r.resolved(v)),
                    protocol: l.protocol.name(),
                    origin: r.origin(&l.origin),
                })
                .collect(),
        })
        .collect()
}

fn sockets(r: &Reader<'_>) -> Vec<Socket> {
    let mut out = Vec::new();
    for a in &r.dir.model.apps {
        for l in &a.listens {
            let Some(unix) = &l.unix else { continue };
            let perm = l.perm.as_ref();
            out.push(Socket {
                path: r.resolved(unix),
                program: a.program.clone(),
                owner: perm.and_then(|p| p.owner.as_ref()).map(|v| r.resolved(v)),
                group: perm.and_then(|p| p.group.as_ref()).map(|v| r.resolved(v)),
                mode: perm.and_then(|p| p.mode.as_ref()).map(|v| r.resolved(v)),
            });
        }
    }
    out
}

fn files(r: &Reader<'_>) -> Vec<ImageFile> {
    let mut out = Vec::new();
    for (path, e) in r.dir.model.image.iter() {
        let (kind, from, target) = match &e.kind {
            EntryKind::Local { file } => (
                "copied",
                Some(
                    r.dir
                        .file(file)
                        .map_or_else(|| file.clone(), |f| f.path.clone()),
                ),
                None,
            ),
            // The distribution's files are many; those gen knows the text of are the
            // configs its rules read.
            EntryKind::Packaged { text: Some(_), .. } => ("packaged", None, None),
            EntryKind::Packaged { text: None, .. } | EntryKind::Dir => continue,
            EntryKind::Heredoc { .. } => ("heredoc", None, None),
            EntryKind::Opaque => ("opaque", None, None),
            EntryKind::Symlink { target } => ("symlink", None, Some(target.clone())),
        };
        out.push(ImageFile {
            path: path.to_owned(),
            kind,
            from,
            target,
            owner: e.owner.clone(),
            origin: r.origin(&e.origin),
        });
    }
    out
}

/// `file:line:column`, or the default's or guess's words.
fn shown(w: &Where) -> String {
    match w {
        Where::File {
            file, line, column, ..
        } => format!("{file}:{line}:{column}"),
        Where::Packaged {
            distro,
            file,
            line,
            column,
            ..
        } => format!("{file}:{line}:{column} (packaged by {distro})"),
        Where::Default { what } => format!("default: {what}"),
        Where::Assumed { what } => format!("assumed: {what}"),
    }
}

/// The text format: one line per fact, its origin after `@`.
fn human(out: &Output) -> String {
    let mut s = String::new();
    let opt = |v: &Option<Value<String>>| {
        v.as_ref().map_or_else(
            || "-".to_owned(),
            |v| format!("{} @ {}", v.value, shown(&v.origin)),
        )
    };
    for (i, c) in out.containers.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "container {} ({})", c.name, c.dir);
        let _ = writeln!(
            s,
            "  dockerfile: {}",
            c.dockerfile.as_deref().unwrap_or("-")
        );
        let _ = writeln!(s, "  base image: {}", opt(&c.base_image));
        let _ = writeln!(s, "  user: {}", opt(&c.user));
        let _ = writeln!(
            s,
            "  workdir: {} @ {}",
            c.workdir.value,
            shown(&c.workdir.origin)
        );
        let words = |v: &[Value<String>]| {
            v.iter()
                .map(|w| w.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        if let Some(first) = c.pid1.first() {
            let _ = writeln!(s, "  pid 1: {} @ {}", words(&c.pid1), shown(&first.origin));
        }
        for e in &c.env {
            let _ = writeln!(s, "  env {}={} @ {}", e.name, e.value, shown(&e.origin));
        }
        for e in &c.expose {
            let _ = writeln!(s, "  expose {} @ {}", e.raw, shown(&e.origin));
        }
        for l in &c.listeners {
            let addr = match l.kind {
                "tcp" => format!(
                    "{}:{}",
                    l.host.as_deref().unwrap_or("*"),
                    l.port.unwrap_or(0)
                ),
                "unix" => format!("unix:{}", l.path.as_deref().unwrap_or("")),
                _ => l.raw.clone().unwrap_or_default(),
            };
            let _ = writeln!(s, "  nginx listens on {addr} @ {}", shown(&l.origin));
        }
        for p in &c.proxy_targets {
            let _ = writeln!(
                s,
                "  nginx {} {} @ {}",
                p.directive,
                p.raw,
                shown(&p.origin)
            );
        }
        for p in &c.programs {
            let _ = writeln!(s, "  program {} @ {}", p.name, shown(&p.origin));
            let _ = writeln!(s, "    command: {}", opt(&p.command));
            let _ = writeln!(s, "    user: {}", opt(&p.user));
            let _ = writeln!(s, "    directory: {}", opt(&p.directory));
            for e in &p.environment {
                let _ = writeln!(s, "    env {}={} @ {}", e.name, e.value, shown(&e.origin));
            }
        }
        for a in &c.app_servers {
            let _ = writeln!(
                s,
                "  app server {} ({}): {}",
                a.program.as_deref().unwrap_or("pid 1"),
                a.runtime,
                words(&a.command)
            );
            let _ = writeln!(s, "    cwd: {} @ {}", a.cwd.value, shown(&a.cwd.origin));
            let _ = writeln!(s, "    user: {}", opt(&a.user));
            for b in &a.binds {
                let _ = writeln!(
                    s,
                    "    binds ({}): host {}, port {}, unix {}",
                    b.protocol,
                    opt(&b.host),
                    opt(&b.port),
                    opt(&b.unix)
                );
            }
        }
        for k in &c.sockets {
            let _ = writeln!(
                s,
                "  socket {} @ {}: owner {}, group {}, mode {}",
                k.path.value,
                shown(&k.path.origin),
                opt(&k.owner),
                opt(&k.group),
                opt(&k.mode)
            );
        }
        for f in &c.files {
            let what = match (&f.from, &f.target) {
                (Some(from), _) => format!("{} from {from}", f.kind),
                (_, Some(target)) => format!("{} to {target}", f.kind),
                _ => f.kind.to_owned(),
            };
            let _ = writeln!(s, "  file {} ({what}) @ {}", f.path, shown(&f.origin));
        }
        for p in &c.problems {
            let _ = writeln!(
                s,
                "  problem ({}): {} @ {}",
                p.kind,
                p.message,
                shown(&p.origin)
            );
        }
    }
    s
}
