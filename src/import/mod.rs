//! `gen import`'s translation: from hand-written container directories, as the container
//! model of `gen check` reads them (the same [`Context`], never a second reader), to the
//! spec that rebuilds them on gen's templates. Every fact that becomes a key keeps the
//! place it came from; every line of the originals that gen's templates already write is
//! listed as replaced, every line that goes into the nginx snippet as kept, and every one
//! the spec cannot hold as not expressible, with the reason. Nothing is dropped unsaid.
//!
//! Pure: the command (`commands/import.rs`) reads the directories, runs the check, writes
//! the files and prints the report.

mod nginx;
mod spec_text;

pub use spec_text::Paths;

pub use spec_text::render;

use crate::deploy::Project;
use crate::lint::{ContainerDir, Context};
use crate::model::runtime::Server;
use crate::model::{App, Origin, Runtime};
use crate::spec::raw;
use crate::spec::{AppKind, Base};

/// Keys the spec has today: import writes a key only when the spec loader accepts it, so
/// that what it writes always builds (keys that land later switch on by themselves).
#[must_use]
pub fn spec_has(table: Table, key: &str) -> bool {
    let keys: &[&str] = match table {
        Table::Container => raw::CONTAINER_KEYS,
        Table::App => raw::APP_KEYS,
        Table::Nginx => raw::NGINX_KEYS,
    };
    keys.contains(&key)
}

/// The table of the spec a key goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Container,
    App,
    Nginx,
}

impl Table {
    const fn prefix(self) -> &'static str {
        match self {
            Self::Container => "",
            Self::App => "app.",
            Self::Nginx => "nginx.",
        }
    }
}

/// One key of the spec and where its value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub table: Table,
    pub name: &'static str,
    pub value: toml::Value,
    /// `file:line:col` of the value in the originals, or what it comes from.
    pub from: String,
}

impl Key {
    /// `app.port`, as the report shows it.
    #[must_use]
    pub fn path(&self) -> String {
        format!("{}{}", self.table.prefix(), self.name)
    }
}

/// Something of the originals, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `file:line:col`, or the container directory.
    pub from: String,
    pub what: String,
}

/// A `[[container.program]]`: another program supervisord ran beside nginx and the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    pub command: String,
    pub user: Option<String>,
    pub directory: Option<String>,
    pub environment: Vec<(String, String)>,
    pub from: String,
}

/// A `[[container.static]]`: a URL prefix nginx serves from a directory of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Static {
    pub path: String,
    /// Relative to the container directory; made relative to the spec when written.
    pub dir: String,
    pub from: String,
}

/// One container of the originals, as the spec will say it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The container directory, as shown.
    pub dir: String,
    /// Its index in the check's context.
    pub index: usize,
    pub name: String,
    pub kind: AppKind,
    pub keys: Vec<Key>,
    /// The app's directory within the container directory (`""`: the directory itself),
    /// for `app.source`, which the command makes relative to the spec.
    pub source_dir: Option<(String, String)>,
    /// The app's source file in the container directory, when the model found it.
    pub source_file: Option<String>,
    pub programs: Vec<Program>,
    pub statics: Vec<Static>,
    /// The nginx lines kept as they are, for the snippet `nginx.include` names: text, and
    /// where each piece comes from.
    pub snippet: Vec<(String, String)>,
    /// The nginx lines kept in the snippet, as the report lists them.
    pub kept: Vec<Note>,
    /// Lines of the originals that gen's templates write themselves (or better).
    pub replaced: Vec<Note>,
    /// What the new build does differently, and why.
    pub changed: Vec<Note>,
    pub unexpressed: Vec<Note>,
    /// The lines of what is not expressible (file as shown, first and last line): a
    /// finding there is gone with them, not fixed.
    pub dropped: Vec<(String, usize, usize)>,
}

/// A container directory the spec cannot describe at all, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub dir: String,
    pub from: String,
    pub why: String,
}

/// What import makes of the originals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub containers: Vec<Imported>,
    pub refused: Vec<Refused>,
}

/// `file:line:col` of an origin in a container directory, or what the origin is.
#[must_use]
pub fn place(cd: &ContainerDir, origin: &Origin) -> String {
    match cd.label(origin, "") {
        Some(l) => format!("{}:{}:{}", l.file, l.start.line, l.start.column),
        None => origin.describe(),
    }
}

/// The plan for every container of `ctx`.
#[must_use]
pub fn plan(ctx: &Context) -> Plan {
    let mut plan = Plan::default();
    for (index, cd) in ctx.containers.iter().enumerate() {
        match container(ctx, index, cd) {
            Ok(mut c) => {
                // Names are unique in a spec: a second `web` becomes `web-2`.
                let taken = |n: &str, p: &Plan| p.containers.iter().any(|c| c.name == n);
                if taken(&c.name, &plan) {
                    let base = c.name.clone();
                    let mut i = 2;
                    while taken(&format!("{base}-{i}"), &plan) {
                        i += 1;
                    }
                    c.name = format!("{base}-{i}");
                    if let Some(k) = c.keys.iter_mut().find(|k| k.name == "name") {
                        k.value = toml::Value::String(c.name.clone());
                    }
                }
                plan.containers.push(c);
            }
            Err(r) => plan.refused.push(r),
        }
    }
    plan
}

/// The app nginx proxies to: the one listening on a port a proxy target names, else the
/// first one gen can run, else the first.
fn main_app(cd: &ContainerDir) -> Option<usize> {
    let m = &cd.model;
    let proxied: Vec<u16> = m
        .nginx
        .iter()
        .flat_map(|n| &n.proxies)
        .filter_map(|p| match &p.target {
            crate::model::Target::Tcp { port, .. } => *port,
            _ => None,
        })
        .collect();
    let port = |a: &App| a.listens.iter().find_map(|l| l.port.as_ref()?.port());
    m.apps
        .iter()
        .position(|a| port(a).is_some_and(|p| proxied.contains(&p)))
        .or_else(|| {
            m.apps
                .iter()
                .position(|a| matches!(a.runtime.server(), Some(Server::Uvicorn | Server::Node)))
        })
        .or(if m.apps.is_empty() { None } else { Some(0) })
}

/// How prose names it: its title in the runtime table, or the program in backticks.
fn runtime_name(r: &Runtime) -> String {
    match r.row() {
        Some(row) => row.title.to_owned(),
        None => format!("`{}`", r.name()),
    }
}

/// A DNS label from an image repository, service or directory name: lower case, `-` for
/// anything else, at most 63 characters.
fn dns_label(raw: &str) -> Option<String> {
    let last = raw.rsplit('/').next().unwrap_or(raw);
    let mut out: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// The compose service built from container `index`, in any project of the context.
fn service(ctx: &Context, index: usize) -> Option<(&Project, &crate::deploy::compose::Service)> {
    ctx.projects.iter().find_map(|p| {
        let s = p
            .compose
            .as_ref()?
            .services
            .iter()
            .find(|s| s.container == Some(index))?;
        Some((p, s))
    })
}

fn compose_place(p: &Project, loc: crate::deploy::Loc) -> String {
    let l = p.label(loc, "");
    format!("{}:{}:{}", l.file, l.start.line, l.start.column)
}

fn key(table: Table, name: &'static str, value: impl Into<toml::Value>, from: String) -> Key {
    Key {
        table,
        name,
        value: value.into(),
        from,
    }
}

#[allow(clippy::too_many_lines)] // one pass over the container, in the spec's order
fn container(ctx: &Context, index: usize, cd: &ContainerDir) -> Result<Imported, Refused> {
    let m = &cd.model;
    let Some(app_i) = main_app(cd) else {
        return Err(Refused {
            dir: cd.dir.clone(),
            from: cd.dir.clone(),
            why: "no app server found (no supervisord program or CMD other than nginx): gen's containers run nginx in front of an app".into(),
        });
    };
    let app = &m.apps[app_i];
    let app_from = app
        .command
        .first()
        .map_or_else(|| cd.dir.clone(), |w| place(cd, &w.origin));
    let kind = match app.runtime.server() {
        Some(Server::Uvicorn) => AppKind::Fastapi,
        Some(Server::Node) => AppKind::Express,
        _ => {
            return Err(Refused {
                dir: cd.dir.clone(),
                from: app_from,
                why: format!(
                    "the app runs under {}, which gen's templates cannot express yet: they run uvicorn (`kind = \"fastapi\"`) or node (`kind = \"express\"`)",
                    runtime_name(&app.runtime)
                ),
            });
        }
    };
    let mut c = Imported {
        dir: cd.dir.clone(),
        index,
        name: String::new(),
        kind,
        keys: Vec::new(),
        source_dir: None,
        source_file: None,
        programs: Vec::new(),
        statics: Vec::new(),
        snippet: Vec::new(),
        kept: Vec::new(),
        replaced: Vec::new(),
        changed: Vec::new(),
        unexpressed: Vec::new(),
        dropped: Vec::new(),
    };
    let svc = service(ctx, index);
    // The name: the image the compose file tags, else the service, else the directory.
    let named = svc.and_then(|(p, s)| {
        if let Some(image) = &s.image {
            let repo = crate::deploy::repository(&image.value);
            if let Some(n) = dns_label(&repo) {
                return Some((n, compose_place(p, image.loc)));
            }
        }
        dns_label(&s.name.value).map(|n| (n, compose_place(p, s.name.loc)))
    });
    let (name, name_from) = named.unwrap_or_else(|| {
        (
            dns_label(&cd.name).unwrap_or_else(|| format!("{}-nginx", kind.as_str())),
            format!("{} (the directory's name)", cd.dir),
        )
    });
    c.name.clone_from(&name);
    c.keys
        .push(key(Table::Container, "name", name.as_str(), name_from));
    if let Some((p, s)) = svc {
        if let Some(cn) = &s.container_name {
            c.keys.push(key(
                Table::Container,
                "container_name",
                cn.value.as_str(),
                compose_place(p, cn.loc),
            ));
        }
    }
    // The base image.
    match &m.base_image {
        Some(b) => match Base::parse(&b.value) {
            Ok(_) => c.keys.push(key(
                Table::Container,
                "base",
                b.value.as_str(),
                place(cd, &b.origin),
            )),
            Err((why, _)) => c.changed.push(Note {
                from: place(cd, &b.origin),
                what: format!(
                    "the base `{}` becomes gen's default for {}, `{}`: {why}",
                    b.value,
                    kind.as_str(),
                    kind.default_base()
                ),
            }),
        },
        None => c.changed.push(Note {
            from: cd.dir.clone(),
            what: format!(
                "no Dockerfile: the base is gen's default for {}, `{}`",
                kind.as_str(),
                kind.default_base()
            ),
        }),
    }
    // nginx's port, and the host port compose publishes it on.
    let front = nginx::front(cd, app);
    let nginx_port = front.as_ref().and_then(|f| f.port.clone());
    let published = svc.and_then(|(p, s)| {
        let target = nginx_port.as_ref().map_or(80, |(port, _)| *port);
        let mapping = s
            .ports
            .iter()
            .find(|pm| pm.target.0 <= target && target <= pm.target.1)?;
        Some((p, mapping))
    });
    match published {
        Some((p, pm)) => {
            if let (Some((host, _)), Some(loc)) = (pm.published, pm.published_loc) {
                c.keys.push(key(
                    Table::Container,
                    "host_port",
                    i64::from(host),
                    compose_place(p, loc),
                ));
            }
            match pm.host_ip.as_deref() {
                Some(ip) if !ip.is_empty() && ip != "0.0.0.0" && ip != "::" => {
                    c.keys.push(key(
                        Table::Container,
                        "host_address",
                        ip,
                        compose_place(p, pm.loc),
                    ));
                }
                _ => c.changed.push(Note {
                    from: compose_place(p, pm.loc),
                    what: "the port is published on 127.0.0.1 only, not on every interface (Docker's published ports bypass the host's firewall); set `host_address = \"0.0.0.0\"` to publish it everywhere".into(),
                }),
            }
        }
        None => c.changed.push(Note {
            from: cd.dir.clone(),
            what: "no compose file beside it publishes the container: `host_port` is 8080, change it in the spec".into(),
        }),
    }
    if !c.keys.iter().any(|k| k.name == "host_port") {
        c.keys.push(key(
            Table::Container,
            "host_port",
            8080,
            "gen import's default".into(),
        ));
    }
    // The app.
    c.keys.push(key(
        Table::App,
        "kind",
        kind.as_str(),
        format!("{app_from}, {}", runtime_name(&app.runtime)),
    ));
    let port = app
        .listens
        .iter()
        .find_map(|l| Some((l.port.as_ref()?.port()?, l)));
    match port {
        Some((port, l)) => {
            let origin = l.port.as_ref().map_or(&l.origin, |r| &r.origin);
            c.keys
                .push(key(Table::App, "port", i64::from(port), place(cd, origin)));
            if let Some(h) = &l.host {
                if !matches!(h.value.as_str(), "127.0.0.1" | "localhost" | "::1") {
                    c.changed.push(Note {
                        from: place(cd, &h.origin),
                        what: format!(
                            "the app listens on 127.0.0.1, not `{}`: only nginx is reachable from outside the container",
                            h.value
                        ),
                    });
                }
            }
        }
        None => c.changed.push(Note {
            from: app_from.clone(),
            what: format!(
                "where the app listens is not known: it gets gen's default port for {}, {}",
                kind.as_str(),
                kind.default_port()
            ),
        }),
    }
    if kind == AppKind::Fastapi {
        if let Some(w) = app
            .workers
            .as_ref()
            .filter(|w| matches!(w.origin, Origin::File { .. }))
        {
            if let Some(n) = w
                .value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=64).contains(n))
            {
                c.keys
                    .push(key(Table::App, "workers", n, place(cd, &w.origin)));
            } else {
                c.unexpressed.push(Note {
                    from: place(cd, &w.origin),
                    what: format!("workers `{}`: `app.workers` takes 1 to 64", w.value),
                });
            }
        }
    }
    app_code(cd, app, &mut c);
    // The app's user.
    let user = app
        .program
        .as_ref()
        .and_then(|p| m.supervisor.as_ref()?.program(p))
        .and_then(|p| Some((p, p.program.user.as_ref()?)));
    match user {
        Some((p, u)) if valid_user(&u.value) && !SYSTEM_USERS.contains(&u.value.as_str()) => {
            let origin = p.origin(u.place.map_or_else(Default::default, |pl| pl.value_span));
            c.keys.push(key(
                Table::App,
                "user",
                u.value.as_str(),
                place(cd, &origin),
            ));
        }
        Some((p, u)) if u.value != "root" => {
            let origin = p.origin(u.place.map_or_else(Default::default, |pl| pl.value_span));
            c.changed.push(Note {
                from: place(cd, &origin),
                what: format!(
                    "the app runs as gen's own unprivileged user `app`, not `{}`: gen creates the app's user, and `{}` belongs to the base image or a package (nginx's workers may run as it)",
                    u.value, u.value
                ),
            });
        }
        _ => c.changed.push(Note {
            from: app_from.clone(),
            what: "the app runs as the unprivileged user `app`, not as root".into(),
        }),
    }
    nginx::carry(cd, app, front.as_ref(), &mut c);
    programs(cd, app, &mut c);
    dockerfile_extras(cd, &mut c);
    Ok(c)
}

/// Users a base image or package of gen's already has: gen's `useradd` of one would fail,
/// and sharing nginx's user would undo the separation of the two.
const SYSTEM_USERS: &[&str] = &[
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "www-data",
    "backup",
    "list",
    "irc",
    "gnats",
    "nobody",
    "_apt",
    "ubuntu",
    "nginx",
    "node",
    "operator",
    "guest",
    "adm",
    "halt",
    "shutdown",
    "postmaster",
    "cron",
    "ftp",
    "sshd",
    "at",
    "squid",
    "xfs",
    "cyrus",
    "vpopmail",
    "ntp",
    "smmsp",
];

fn valid_user(u: &str) -> bool {
    let mut chars = u.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && u.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The app's own code: `app.source` and `app.entry` when the spec has them, else the
/// message the starter app answers.
fn app_code(cd: &ContainerDir, app: &App, c: &mut Imported) {
    let Some(src) = &app.source else {
        c.unexpressed.push(Note {
            from: cd.dir.clone(),
            what: "the app's source file was not found from its command line: gen's starter app stands in for it".into(),
        });
        message_only(cd, None, c);
        return;
    };
    let dir = src.file.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let file_from = format!("{}/{}", cd.dir.trim_end_matches('/'), src.file);
    let in_dir = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let shown_dir = if dir.is_empty() {
        cd.dir.clone()
    } else {
        format!("{}/{dir}", cd.dir.trim_end_matches('/'))
    };
    let entry = match c.kind {
        AppKind::Fastapi => app
            .module
            .as_ref()
            .map(|m| (m.value.clone(), place(cd, &m.origin))),
        AppKind::Express => {
            let script = src
                .file
                .strip_prefix(&format!("{dir}/"))
                .unwrap_or(&src.file)
                .to_owned();
            let origin = app
                .command
                .iter()
                .find(|w| w.value.ends_with(&script))
                .map_or_else(|| file_from.clone(), |w| place(cd, &w.origin));
            Some((script, origin))
        }
    };
    let has = |name: &str| cd.file(&in_dir(name)).is_some();
    let why_not = if !spec_has(Table::App, "source") {
        Some("this spec has no `app.source`".to_owned())
    } else if entry.is_none() {
        Some("uvicorn's command line names no `module:attribute` to put in `app.entry`".to_owned())
    } else if c.kind == AppKind::Express && !(has("package.json") && has("package-lock.json")) {
        Some(format!(
            "`app.source` needs `package.json` and `package-lock.json` in `{shown_dir}` (gen installs with `npm ci`); run `npm install` there and import again"
        ))
    } else if c.kind == AppKind::Fastapi && !(has("requirements.txt") || has("pyproject.toml")) {
        Some(format!(
            "`app.source` needs `requirements.txt` or `pyproject.toml` in `{shown_dir}`"
        ))
    } else {
        None
    };
    c.source_file = Some(src.file.clone());
    match (why_not, entry) {
        (None, Some((entry, from))) => {
            c.source_dir = Some((dir, file_from));
            c.keys.push(key(Table::App, "entry", entry.as_str(), from));
        }
        (why, _) => starter(cd, c, why.as_deref().unwrap_or("`app.entry` is not known")),
    }
}

/// gen's nginx keeps idle connections to the app open for 60 s (`keepalive_timeout` of its
/// upstream), which only an app that keeps them longer can take (rule APP003). An Express
/// app of the user's own that closes them sooner (Node's default is 5 s) gets no keep-alive
/// from nginx, as the originals had none: `nginx.upstream_keepalive = 0`.
pub fn fit_keepalive(cd: &ContainerDir, c: &mut Imported) {
    if c.kind != AppKind::Express
        || c.keys
            .iter()
            .any(|k| k.table == Table::Nginx && k.name == "upstream_keepalive")
    {
        return;
    }
    let Some(app) = main_app(cd).and_then(|i| cd.model.apps.get(i)) else {
        return;
    };
    let (ms, from) = match &app.keep_alive_timeout {
        Some(t) => match t.value.trim().parse::<u64>() {
            Ok(ms) => (ms, place(cd, &t.origin)),
            Err(_) => return,
        },
        None => (5000, "Node's default".to_owned()),
    };
    if ms > 60_000 {
        return;
    }
    c.keys.push(key(
        Table::Nginx,
        "upstream_keepalive",
        0,
        format!("the app's keep-alive timeout, {ms} ms ({from})"),
    ));
    c.changed.push(Note {
        from,
        what: format!(
            "nginx opens a new connection to the app for each request (`upstream_keepalive = 0`), as the originals did: the app closes idle connections after {ms} ms, before gen's nginx would stop reusing them (60 s); set `server.keepAliveTimeout = 65000` in the app, then remove the key"
        ),
    });
}

/// The app's own code cannot go into the spec (`why`): gen's starter app answers in its
/// place, with the original's message.
pub fn starter(cd: &ContainerDir, c: &mut Imported, why: &str) {
    c.keys
        .retain(|k| !(k.table == Table::App && k.name == "entry"));
    c.source_dir = None;
    let file = c.source_file.clone();
    let src = file.as_deref().and_then(|f| {
        cd.model
            .apps
            .iter()
            .find_map(|a| a.source.as_ref().filter(|s| s.file == f))
    });
    let from = file.as_deref().map_or_else(
        || cd.dir.clone(),
        |f| format!("{}/{f}", cd.dir.trim_end_matches('/')),
    );
    c.dropped.push((from.clone(), 1, usize::MAX));
    c.unexpressed.push(Note {
        from,
        what: format!(
            "the app's own code: {why}; until then gen's starter app answers in its place, with the same message"
        ),
    });
    message_only(cd, src, c);
}

/// `app.message`: the literal the original app answers `GET /` with.
fn message_only(cd: &ContainerDir, src: Option<&crate::model::AppSourceFile>, c: &mut Imported) {
    let found = src.and_then(|s| {
        let f = cd.file(&s.file)?;
        let text = f.text.as_deref()?;
        let js = c.kind == AppKind::Express;
        let (msg, span) = crate::parse::app::message_literal(text, js)?;
        let l = crate::diagnostic::Label::new(&f.path, text, span, "");
        Some((
            msg,
            format!("{}:{}:{}", l.file, l.start.line, l.start.column),
        ))
    });
    let valid = |m: &str| !m.is_empty() && m.len() <= 4096 && !m.chars().any(char::is_control);
    match found {
        Some((msg, from)) if valid(&msg) => c.keys.push(key(Table::App, "message", msg, from)),
        _ => {
            let msg = format!("Hello from {}", c.name);
            c.changed.push(Note {
                from: cd.dir.clone(),
                what: format!(
                    "no `message` literal found in the app: the starter app answers `{msg}`"
                ),
            });
            c.keys.push(key(
                Table::App,
                "message",
                msg,
                "gen import's default".into(),
            ));
        }
    }
}

/// supervisord's other programs: `[[container.program]]` when the spec has it.
fn programs(cd: &ContainerDir, app: &App, c: &mut Imported) {
    let Some(sup) = &cd.model.supervisor else {
        return;
    };
    let nginx_programs: Vec<&str> = cd
        .model
        .nginx
        .iter()
        .flat_map(|n| &n.commands)
        .filter_map(|cmd| cmd.program.as_deref())
        .collect();
    for p in &sup.programs {
        let name = p.program.name.as_str();
        if Some(name) == app.program.as_deref() || nginx_programs.contains(&name) {
            let from = place(cd, &p.origin(p.program.header_span));
            c.replaced.push(Note {
                from,
                what: format!(
                    "[{}]: gen's program for {}, with its foreground, logging and stop settings",
                    p.program.section,
                    if nginx_programs.contains(&name) {
                        "nginx"
                    } else {
                        "the app"
                    }
                ),
            });
            continue;
        }
        let from = place(cd, &p.origin(p.program.header_span));
        let Some(command) = &p.program.command else {
            c.unexpressed.push(Note {
                from,
                what: format!("[{}] has no `command`", p.program.section),
            });
            continue;
        };
        let kind_ok = p.program.kind == crate::parse::supervisord::ProcessKind::Program;
        if !kind_ok || !spec_has_program() {
            let why = if kind_ok {
                "this spec has no `[[container.program]]`"
            } else {
                "only programs, not event listeners or FastCGI programs, can be added"
            };
            let header = cd.label(&p.origin(p.program.header_span), "");
            let cmd = cd.label(&p.origin(command.place.value_span), "");
            if let (Some(h), Some(cmd)) = (header, cmd) {
                c.dropped.push((h.file, h.start.line, cmd.end.line));
            }
            c.unexpressed.push(Note {
                from,
                what: format!("[{}] `{}`: {why}", p.program.section, command.raw),
            });
            continue;
        }
        c.programs.push(Program {
            name: name.to_owned(),
            command: command.raw.clone(),
            user: p.program.user.as_ref().map(|u| u.value.clone()),
            directory: p.program.directory.as_ref().map(|d| d.value.clone()),
            environment: p
                .program
                .environment
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            from,
        });
    }
}

/// Whether the spec has `[[container.program]]` yet.
fn spec_has_program() -> bool {
    spec_has(Table::Container, "program")
}

/// Whether the spec has `[[container.static]]` yet.
fn spec_has_static() -> bool {
    spec_has(Table::Container, "static")
}

/// Packages gen's templates install themselves, by distribution naming.
const GEN_PACKAGES: &[&str] = &[
    "nginx",
    "supervisor",
    "python3",
    "python3-pip",
    "python3-venv",
    "py3-pip",
    "python3-dev",
    "nodejs",
    "npm",
    "curl",
    "ca-certificates",
];

/// What the Dockerfile adds that the spec has no key for: other packages, environment.
fn dockerfile_extras(cd: &ContainerDir, c: &mut Imported) {
    let m = &cd.model;
    for p in &m.packages {
        let name = p.value.split(['=', ' ']).next().unwrap_or(&p.value);
        if !GEN_PACKAGES.contains(&name) {
            c.unexpressed.push(Note {
                from: place(cd, &p.origin),
                what: format!(
                    "package `{}`: the spec cannot add packages to the image",
                    p.value
                ),
            });
        }
    }
    for (var, f) in &m.env {
        if matches!(
            var.as_str(),
            "PATH" | "PYTHONUNBUFFERED" | "PYTHONDONTWRITEBYTECODE" | "DEBIAN_FRONTEND"
        ) {
            continue;
        }
        if matches!(f.origin, Origin::File { .. }) {
            c.unexpressed.push(Note {
                from: place(cd, &f.origin),
                what: format!("ENV `{var}`: the spec cannot set the app's environment"),
            });
        }
    }
    if let Some(h) = &m.healthcheck {
        c.replaced.push(Note {
            from: place(cd, &h.origin),
            what: "HEALTHCHECK: gen's own, through nginx's `/healthz`".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(
            dns_label("ghcr.io/acme/Web_App").as_deref(),
            Some("web-app")
        );
        assert_eq!(dns_label("fastapi-nginx").as_deref(), Some("fastapi-nginx"));
        assert_eq!(dns_label("__").as_deref(), None);
        assert_eq!(dns_label(&"x".repeat(80)).map(|s| s.len()), Some(63));
    }

    #[test]
    fn the_front_app_is_the_one_nginx_proxies_to() {
        let cd = ContainerDir::from_texts(
            "c",
            &[
                (
                    "Dockerfile",
                    "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nginx supervisor python3\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCOPY app.py worker.py /app/\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                (
                    "nginx.conf",
                    "events {}\nhttp { server { listen 8080; location / { proxy_pass http://127.0.0.1:9000; } } }\n",
                ),
                (
                    "s.conf",
                    "[program:worker]\ncommand=python3 /app/worker.py\n[program:api]\ncommand=uvicorn app:app --port 9000\ndirectory=/app\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n",
                ),
                ("app.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
                ("worker.py", "print(1)\n"),
            ],
        );
        let mut ctx = Context::new(crate::lint::date::Date::from_unix_days(20_000));
        ctx.containers.push(cd);
        let plan = plan(&ctx);
        assert!(plan.refused.is_empty(), "{plan:#?}");
        let c = &plan.containers[0];
        assert_eq!(c.kind, AppKind::Fastapi);
        let get = |name: &str, table: Table| {
            c.keys
                .iter()
                .find(|k| k.name == name && k.table == table)
                .map(|k| k.value.to_string())
        };
        assert_eq!(get("port", Table::App).as_deref(), Some("9000"));
        assert_eq!(get("port", Table::Nginx).as_deref(), Some("8080"));
        assert_eq!(c.name, "c");
        // The worker is a program of its own (or, without the key, said to be lost).
        let worker_kept = c.programs.iter().any(|p| p.name == "worker")
            || c.unexpressed
                .iter()
                .any(|n| n.what.contains("[program:worker]"));
        assert!(worker_kept, "{c:#?}");
    }

    #[test]
    fn message_literals() {
        use crate::parse::app::message_literal;
        let py = "return {\"message\": \"hi there\"}\n";
        assert_eq!(
            message_literal(py, false).map(|m| m.0).as_deref(),
            Some("hi there")
        );
        let js = "res.json({ message: 'from node' });";
        assert_eq!(
            message_literal(js, true).map(|m| m.0).as_deref(),
            Some("from node")
        );
        assert_eq!(
            message_literal("return {\"message\": f\"{x}\"}", false),
            None
        );
        assert_eq!(message_literal("# message: 'no'\n", false), None);
    }
}
