//! How nginx and the programs of one container meet: the addresses nginx proxies to on this
//! container (`proxy_pass`, `uwsgi_pass`, `fastcgi_pass`..., and the `server`s of the
//! upstreams they use), the addresses each program listens on (the apps, and nginx itself),
//! and which target reaches which socket. The port, network and socket rules all read this
//! one analysis, so that one mistake is reported once, by the rule it belongs to.
//!
//! Unknown is not wrong: a target nothing reaches counts as a miss only when every process
//! of the container and every address it listens on is known ([`Wiring::complete`]).

use crate::diagnostic::Label;
use crate::lint::ContainerDir;
use crate::model::glob::Dots;
use crate::model::path;
use crate::model::path::basename;
use crate::model::runtime::{self, SeenBy};
pub use crate::model::runtime::{bind_hint, host_port, listen_hint};
use crate::model::{
    App, AppListen, ListenAddr, Listener, Model, Nginx, Origin, ProxyTarget, Resolved, Runtime,
    Supervisor, Target,
};
use std::net::Ipv4Addr;

/// What a listening socket is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    /// `0.0.0.0` (or no host, for nginx's `listen 80`): every IPv4 address.
    Any4,
    /// `::` accepting IPv4 too (Linux's default for apps): every address.
    AnyDual,
    /// `::` with IPv6 only (nginx's `listen [::]:80`): every IPv6 address.
    Any6,
    /// One IPv4 loopback address.
    Loop4(String),
    /// `::1`.
    Loop6,
    /// A name or address gen cannot place: `localhost` (which family a server binds for it
    /// depends on the resolver), an interface's address, an unexpanded variable.
    Other(String),
}

impl Bind {
    fn of(host: &str) -> Self {
        let h = host.trim_start_matches('[').trim_end_matches(']');
        match h {
            "" | "*" | "0.0.0.0" => Self::Any4,
            "::" => Self::AnyDual,
            "::1" => Self::Loop6,
            _ => match h.parse::<Ipv4Addr>() {
                Ok(ip) if ip.is_loopback() => Self::Loop4(ip.to_string()),
                _ => Self::Other(h.to_owned()),
            },
        }
    }

    /// Bound to every interface, so reachable from outside the container.
    #[must_use]
    pub const fn is_all_interfaces(&self) -> bool {
        matches!(self, Self::Any4 | Self::AnyDual | Self::Any6)
    }

    /// Bound to loopback only.
    #[must_use]
    pub const fn is_loopback(&self) -> bool {
        matches!(self, Self::Loop4(_) | Self::Loop6)
    }
}

/// Where nginx connects on this container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// An IPv4 loopback address (`0.0.0.0` connects to 127.0.0.1).
    V4(String),
    /// `::1` (`::` connects there).
    V6,
    /// `localhost`: nginx resolves it when it starts, to 127.0.0.1 and to ::1 (Docker's
    /// /etc/hosts lists both), and uses both addresses in turn.
    Localhost,
}

impl Dest {
    /// `None` for a host that is not this container (or may not be).
    fn of(host: &str) -> Option<Self> {
        let h = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        match h.as_str() {
            "localhost" | "localhost.localdomain" => Some(Self::Localhost),
            "::1" | "::" | "ip6-localhost" | "ip6-loopback" => Some(Self::V6),
            "0.0.0.0" => Some(Self::V4("127.0.0.1".to_owned())),
            _ => match h.parse::<Ipv4Addr>() {
                Ok(ip) if ip.is_loopback() => Some(Self::V4(ip.to_string())),
                _ => None,
            },
        }
    }
}

/// How a target reaches a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Yes,
    /// `localhost` reaches it through one of its two addresses only.
    Partial,
    /// Cannot tell (a bind to a name or an address gen cannot place).
    Maybe,
}

fn reach(bind: &Bind, dest: &Dest) -> Option<Reach> {
    use Reach::{Maybe, Partial, Yes};
    match (bind, dest) {
        (Bind::AnyDual, _) | (Bind::Loop6 | Bind::Any6, Dest::V6) | (Bind::Any4, Dest::V4(_)) => {
            Some(Yes)
        }
        (Bind::Loop4(a), Dest::V4(b)) => (a == b).then_some(Yes),
        (Bind::Any4 | Bind::Any6 | Bind::Loop6, Dest::Localhost) => Some(Partial),
        (Bind::Loop4(a), Dest::Localhost) => (a == "127.0.0.1").then_some(Partial),
        (Bind::Other(_), _) => Some(Maybe),
        (Bind::Any4 | Bind::Loop4(_), Dest::V6) | (Bind::Loop6 | Bind::Any6, Dest::V4(_)) => None,
    }
}

/// Where a socket listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    Tcp { bind: Bind, host: String, port: u16 },
    Unix(String),
}

impl Addr {
    /// `127.0.0.1:8000`, `[::1]:3000`, `*:80`, `unix:/run/app.sock`.
    #[must_use]
    pub fn shown(&self) -> String {
        match self {
            Self::Tcp { host, port, .. } => host_port(host, *port),
            Self::Unix(p) => format!("unix:{p}"),
        }
    }

    #[must_use]
    pub const fn port(&self) -> Option<u16> {
        match self {
            Self::Tcp { port, .. } => Some(*port),
            Self::Unix(_) => None,
        }
    }

    #[must_use]
    pub const fn is_unix(&self) -> bool {
        matches!(self, Self::Unix(_))
    }
}

/// Who listens on a socket.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    App { app: &'a App, listen: &'a AppListen },
    Nginx(&'a Listener),
}

#[derive(Debug, Clone)]
pub struct Socket<'a> {
    pub owner: Owner<'a>,
    pub addr: Addr,
}

impl Socket<'_> {
    #[must_use]
    pub const fn app(&self) -> Option<&App> {
        match self.owner {
            Owner::App { app, .. } => Some(app),
            Owner::Nginx(_) => None,
        }
    }
}

/// Where nginx sends requests, on this container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Tcp { dest: Dest, host: String, port: u16 },
    Unix(String),
}

impl Place {
    #[must_use]
    pub fn shown(&self) -> String {
        match self {
            Self::Tcp { host, port, .. } => host_port(host, *port),
            Self::Unix(p) => format!("unix:{p}"),
        }
    }

    #[must_use]
    pub const fn is_unix(&self) -> bool {
        matches!(self, Self::Unix(_))
    }
}

/// A proxy target on this container and the sockets it reaches.
#[derive(Debug, Clone)]
pub struct Dispatch<'a> {
    pub proxy: &'a ProxyTarget,
    pub place: Place,
    /// Indices into [`Wiring::sockets`].
    pub reaches: Vec<(usize, Reach)>,
}

impl Dispatch<'_> {
    /// Nothing accepts its connections.
    #[must_use]
    pub fn unreached(&self) -> bool {
        self.reaches.is_empty()
    }
}

/// Why a target reaches nothing, when everything that listens is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissKind {
    /// Nothing listens there: no socket of its kind is left over either, or the left-over
    /// ones are TCP ports (a port mismatch).
    NoListener,
    /// A Unix socket at another path is left over.
    OtherPath,
    /// Only sockets of the other kind (TCP for a Unix target, or the reverse) are left over.
    OtherKind,
}

/// A target nothing reaches, and the app sockets nothing reaches that it was likely meant
/// for.
#[derive(Debug, Clone)]
pub struct Miss {
    /// Index into [`Wiring::dispatches`].
    pub dispatch: usize,
    pub kind: MissKind,
    /// Indices into [`Wiring::sockets`].
    pub candidates: Vec<usize>,
}

/// The analysis of one container directory.
#[derive(Debug)]
pub struct Wiring<'a> {
    pub dir: &'a ContainerDir,
    pub nginx: &'a Nginx,
    /// The targets on this container, in the order of the config.
    pub dispatches: Vec<Dispatch<'a>>,
    /// Every socket gen knows of: the apps' first, then nginx's.
    pub sockets: Vec<Socket<'a>>,
    /// Every process of the container is known, and every address each listens on.
    pub complete: bool,
    /// Ports nginx proxies to on other hosts: a name may be this container's own.
    remote_ports: Vec<u16>,
    /// Some target's host is built from variables at request time.
    open: bool,
}

/// Programs that never listen ([`runtime::NEVER_LISTENS`]), which therefore do not make
/// the picture incomplete.
fn never_listens(app: &App) -> bool {
    let Runtime::Other(name) = &app.runtime else {
        return false;
    };
    runtime::NEVER_LISTENS
        .iter()
        .find(|(n, _)| n == name)
        .is_some_and(|(_, words)| {
            words.is_empty()
                || app
                    .command
                    .iter()
                    .any(|w| words.contains(&w.value.as_str()))
        })
}

/// Whether every address the app listens on is known.
fn listens_known(app: &App) -> bool {
    if app.partial {
        return false;
    }
    if app.listens.is_empty() {
        return never_listens(app);
    }
    // A config file the server reads by default (gunicorn's `gunicorn.conf.py`) may set
    // `bind` where the command line does not.
    let from_defaults = app.listens.iter().all(|l| {
        l.host
            .as_ref()
            .is_some_and(|h| matches!(h.origin, Origin::Default { .. }))
    });
    let reads_config = app.runtime.row().is_some_and(|r| r.config_file.is_some());
    if reads_config && app.config_file.is_some() && from_defaults {
        return false;
    }
    app.listens.iter().all(|l| match (&l.unix, &l.port) {
        (Some(u), _) => !u.value.is_empty() && !u.value.contains('$'),
        (None, Some(p)) => p.port().is_some(),
        (None, None) => false,
    })
}

/// Whether every file supervisord's `[include]` matches is one gen could read.
fn includes_readable(m: &Model, s: &Supervisor) -> bool {
    let Some(main) = s.files.first() else {
        return false;
    };
    let Some(include) = main.parsed.include(&s.expansions) else {
        return true;
    };
    include.files.iter().all(|pattern| {
        m.image
            .glob(&pattern.value, Dots::Literal)
            .iter()
            .all(|p| m.image.is_dir(p) || m.read(p).is_some())
    })
}

/// Whether gen knows every process of the container: supervisord's programs, or nginx
/// alone as PID 1.
fn processes_known(m: &Model) -> bool {
    if let Some(s) = &m.supervisor {
        if s.command.is_some() || m.dockerfile.is_none() {
            return !s.files.is_empty() && includes_readable(m, s);
        }
    }
    let commands = m.commands(&m.argv, &m.workdir.value);
    m.dockerfile.is_some()
        && matches!(commands.as_slice(), [only] if only.first().is_some_and(|w| basename(&w.value) == "nginx"))
}

/// Whether a RUN, or a script the container starts with, writes into nginx's config
/// directory (`cp app.conf /etc/nginx/conf.d`, `sed -i ... /etc/nginx/...`, `echo ... >
/// /etc/nginx/conf.d/app.conf`): nginx may then proxy to targets gen cannot see.
fn nginx_written_by_run(m: &Model) -> bool {
    let by_run = m.dockerfile.as_ref().is_some_and(|df| {
        df.parsed
            .instructions
            .iter()
            .any(|ins| ins.keyword == "RUN" && writes_nginx(&ins.args_text, true))
    });
    let mut argvs = vec![m.argv.clone()];
    if let Some(s) = &m.supervisor {
        argvs.extend(s.programs.iter().map(crate::model::ProgramFacts::argv));
    }
    // A start script's `sed -i` edits a config gen reads (as gen's own entrypoint does for
    // its settings); writing a file whole is what hides the config.
    let by_script = argvs.iter().flatten().any(|w| {
        let path = path::join(&m.workdir.value, &w.value);
        m.image
            .local_file(&path)
            .and_then(|f| m.files.text(f))
            .is_some_and(|t| writes_nginx(t, false))
    });
    by_run || by_script
}

/// Whether a shell script writes a file under `/etc/nginx`: a redirection, `tee`, `cp`,
/// `mv`, `ln` or `install` to there, a download into there, or (`sed_too`) a `sed` on a file
/// there. Reading a config there and writing elsewhere (gen's own entrypoint renders
/// `/etc/nginx/nginx.conf` into `/run/nginx/`) is not writing it.
fn writes_nginx(script: &str, sed_too: bool) -> bool {
    let into = |w: &str| {
        w.trim_matches(|c| c == '"' || c == '\'' || c == '(' || c == ')')
            .starts_with("/etc/nginx")
    };
    // Most texts (a RUN, an app's source, supervisord's config) never name the path: a
    // vectorized `contains` rules them out before any line is looked at. Joining
    // continued lines below neither makes nor breaks the path.
    if !script.contains("/etc/nginx") {
        return false;
    }
    // Continued lines are one command.
    let joined;
    let script = if script.contains("\\\n") {
        joined = script.replace("\\\n", " ");
        joined.as_str()
    } else {
        script
    };
    // Only the lines that name a path there can write one: most of a long script is
    // skipped without splitting it into commands. They are found from the text's `/`s
    // (a byte search), not with a substring searcher for each line.
    let mut after = 0;
    script
        .match_indices('/')
        .filter_map(|(i, _)| {
            if i < after || !script[i..].starts_with("/etc/nginx") {
                return None;
            }
            let start = script[..i].rfind('\n').map_or(0, |n| n + 1);
            let end = script[i..].find('\n').map_or(script.len(), |n| i + n);
            after = end;
            let line = &script[start..end];
            // As `str::lines` gives it: without the `\r` of a `\r\n`.
            Some(match line.strip_suffix('\r') {
                Some(l) if end < script.len() => l,
                _ => line,
            })
        })
        .flat_map(|l| l.split(';'))
        .flat_map(|l| l.split("&&"))
        .flat_map(|l| l.split('|'))
        .any(|cmd| {
            if let Some(i) = cmd.rfind('>') {
                if cmd[i + 1..].split_whitespace().next().is_some_and(into) {
                    return true;
                }
            }
            let words: Vec<&str> = cmd.split_whitespace().collect();
            let first = runtime::skip_wrappers(|k| words.get(k).copied(), 0, SeenBy::Model);
            if first >= words.len() {
                return false;
            }
            let prog = words[first].rsplit('/').next().unwrap_or(words[first]);
            let args = &words[first + 1..];
            match prog {
                "tee" => args.iter().any(|w| into(w)),
                "cp" | "mv" | "ln" | "install" | "envsubst" => args.last().is_some_and(|w| into(w)),
                "curl" | "wget" => args
                    .windows(2)
                    .any(|p| matches!(p[0], "-o" | "-O" | "--output") && into(p[1])),
                "sed" => sed_too && args.iter().any(|w| into(w)),
                _ => false,
            }
        })
}

/// A socket path as the kernel resolves it: `unix:///tmp/a.sock` is `/tmp/a.sock`.
fn socket_path(path: &str) -> String {
    let mut out = path::clean(path);
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    out
}

/// The host and port of a target built from variables, when the host part is literal:
/// `http://127.0.0.1:8000$request_uri`, or `http://backend$uri` (a variable that starts
/// the path). `None` when the scheme, host or port is a variable.
fn literal_host(raw: &str) -> Option<(String, Option<u16>)> {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("", raw));
    if scheme.contains('$') {
        return None;
    }
    let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
    let (hostport, variable_after) = match hostport.find('$') {
        Some(i) => (hostport.get(..i).unwrap_or(""), true),
        None => (hostport, false),
    };
    if hostport.is_empty() || (variable_after && hostport.ends_with(':')) {
        return None;
    }
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => default,
            None => return None,
        };
        return Some((host.to_owned(), port));
    }
    match hostport.rsplit_once(':') {
        Some((host, p)) => Some((host.to_owned(), Some(p.parse().ok()?))),
        None => Some((hostport.to_owned(), default)),
    }
}

/// What an app binds for the host it is given, and the address it listens on. A server
/// that opens an IPv4 socket for any host that is not an IPv6 literal
/// ([`runtime::Row::names_bind_ipv4`]: gunicorn, hypercorn) binds `localhost` as
/// `127.0.0.1` alone (gunicorn's log says `Listening at: http://127.0.0.1:5000`); other
/// servers may bind every address the name resolves to, which gen leaves unplaced.
fn app_bind(app: &App, host: &str) -> (Bind, String) {
    let ipv4 = app.runtime.row().is_some_and(|r| r.names_bind_ipv4);
    if ipv4 && host.eq_ignore_ascii_case("localhost") {
        return (Bind::Loop4("127.0.0.1".to_owned()), "127.0.0.1".to_owned());
    }
    (Bind::of(host), host.to_owned())
}

/// A [`Wiring`] as the directory's cache keeps it: the model's facts by index instead of
/// by reference (the cache lives in the directory, beside the model they point into).
#[derive(Debug, Clone)]
pub struct Stored {
    dispatches: Vec<StoredDispatch>,
    sockets: Vec<(StoredOwner, Addr)>,
    complete: bool,
    remote_ports: Vec<u16>,
    open: bool,
}

/// Index into nginx's proxies, the place, and the sockets reached.
type StoredDispatch = (usize, Place, Vec<(usize, Reach)>);

#[derive(Debug, Clone, Copy)]
enum StoredOwner {
    /// Indices of the app and of its listen.
    App(usize, usize),
    /// Index of the listener.
    Nginx(usize),
}

/// Where `one` is in `all`, by address.
fn index<T>(all: &[T], one: &T) -> Option<usize> {
    all.iter().position(|x| std::ptr::eq(x, one))
}

impl Stored {
    fn of(w: &Wiring<'_>) -> Self {
        let m = &w.dir.model;
        let sockets = w
            .sockets
            .iter()
            .filter_map(|s| {
                let owner = match s.owner {
                    Owner::App { app, listen } => {
                        let a = index(&m.apps, app)?;
                        StoredOwner::App(a, index(&app.listens, listen)?)
                    }
                    Owner::Nginx(l) => StoredOwner::Nginx(index(&w.nginx.listeners, l)?),
                };
                Some((owner, s.addr.clone()))
            })
            .collect();
        let dispatches = w
            .dispatches
            .iter()
            .filter_map(|d| {
                let p = index(&w.nginx.proxies, d.proxy)?;
                Some((p, d.place.clone(), d.reaches.clone()))
            })
            .collect();
        Self {
            dispatches,
            sockets,
            complete: w.complete,
            remote_ports: w.remote_ports.clone(),
            open: w.open,
        }
    }

    fn view<'a>(&self, dir: &'a ContainerDir) -> Option<Wiring<'a>> {
        let m = &dir.model;
        let nginx = m.nginx.as_ref()?;
        let sockets = self
            .sockets
            .iter()
            .filter_map(|(owner, addr)| {
                let owner = match *owner {
                    StoredOwner::App(a, l) => {
                        let app = m.apps.get(a)?;
                        Owner::App {
                            app,
                            listen: app.listens.get(l)?,
                        }
                    }
                    StoredOwner::Nginx(l) => Owner::Nginx(nginx.listeners.get(l)?),
                };
                Some(Socket {
                    owner,
                    addr: addr.clone(),
                })
            })
            .collect();
        let dispatches = self
            .dispatches
            .iter()
            .filter_map(|(p, place, reaches)| {
                Some(Dispatch {
                    proxy: nginx.proxies.get(*p)?,
                    place: place.clone(),
                    reaches: reaches.clone(),
                })
            })
            .collect();
        Some(Wiring {
            dir,
            nginx,
            dispatches,
            sockets,
            complete: self.complete,
            remote_ports: self.remote_ports.clone(),
            open: self.open,
        })
    }
}

impl<'a> Wiring<'a> {
    /// The analysis of a container directory; `None` without nginx. Worked out once per
    /// directory, on the first call.
    #[must_use]
    pub fn of(dir: &'a ContainerDir) -> Option<Self> {
        dir.analysis
            .wiring
            .get_or_init(|| Self::compute(dir).map(|w| Stored::of(&w)))
            .as_ref()?
            .view(dir)
    }

    fn compute(dir: &'a ContainerDir) -> Option<Self> {
        let m = &dir.model;
        let nginx = m.nginx.as_ref()?;
        let mut complete = processes_known(m) && m.apps.iter().all(listens_known);
        let mut sockets = Vec::new();
        for app in &m.apps {
            for listen in &app.listens {
                let addr = if let Some(u) = &listen.unix {
                    Addr::Unix(socket_path(&path::join(&app.cwd.value, &u.value)))
                } else {
                    let (Some(host), Some(port)) = (
                        listen.host.as_ref(),
                        listen.port.as_ref().and_then(Resolved::port),
                    ) else {
                        continue;
                    };
                    let (bind, host) = app_bind(app, &host.value);
                    Addr::Tcp { bind, host, port }
                };
                sockets.push(Socket {
                    owner: Owner::App { app, listen },
                    addr,
                });
            }
        }
        for l in &nginx.listeners {
            // QUIC listens on UDP, where no proxy target connects and EXPOSE needs `/udp`.
            let args = l.directive.and_then(|i| nginx.directives.get(i));
            if args.is_some_and(|d| d.args.iter().skip(1).any(|a| a.value == "quic")) {
                continue;
            }
            let addr = match &l.addr {
                ListenAddr::Tcp { host: None, port } => Addr::Tcp {
                    bind: Bind::Any4,
                    host: "*".to_owned(),
                    port: *port,
                },
                ListenAddr::Tcp {
                    host: Some(h),
                    port,
                } => {
                    let bind = match Bind::of(h) {
                        Bind::AnyDual if l.ipv6only != Some(false) => Bind::Any6,
                        b => b,
                    };
                    Addr::Tcp {
                        bind,
                        host: h.clone(),
                        port: *port,
                    }
                }
                ListenAddr::Unix(p) => Addr::Unix(socket_path(p)),
                ListenAddr::Invalid(_) => {
                    complete = false;
                    continue;
                }
            };
            sockets.push(Socket {
                owner: Owner::Nginx(l),
                addr,
            });
        }
        // nginx's config in files gen cannot read: it may listen where gen does not see.
        let written = nginx_written_by_run(m);
        // nginx's listeners are all known only when gen reads every file of its config.
        let complete = complete && nginx.unknown_files.is_empty() && !nginx.unseen && !written;
        let mut w = Self {
            dir,
            nginx,
            dispatches: Vec::new(),
            sockets,
            complete,
            remote_ports: Vec::new(),
            // A config gen cannot read, or one a RUN or start script writes, may proxy
            // anywhere.
            open: nginx.unseen || written,
        };
        w.dispatch();
        Some(w)
    }

    /// The targets nginx uses and what each reaches.
    fn dispatch(&mut self) {
        let nginx = self.nginx;
        let upstream_names: Vec<&str> = nginx.upstreams.iter().map(|u| u.name.as_str()).collect();
        let mut used: Vec<String> = Vec::new();
        for p in &nginx.proxies {
            if p.upstream.is_some() {
                continue;
            }
            match &p.target {
                Target::Upstream { name } => used.push(name.clone()),
                Target::Variable(raw) => {
                    if let Some((host, _)) = literal_host(raw) {
                        if upstream_names.contains(&host.as_str()) {
                            used.push(host);
                        }
                    }
                }
                _ => {}
            }
        }
        for p in &nginx.proxies {
            if p.upstream.as_ref().is_some_and(|u| !used.contains(u)) {
                continue;
            }
            // An upstream server marked `down` gets no connections.
            let directive = nginx.directives.get(p.directive);
            if p.upstream.is_some()
                && directive.is_some_and(|d| d.args.iter().skip(1).any(|a| a.value == "down"))
            {
                continue;
            }
            let place = match &p.target {
                Target::Tcp {
                    host,
                    port: Some(port),
                    ..
                } => Dest::of(host).map(|dest| Place::Tcp {
                    dest,
                    host: host.clone(),
                    port: *port,
                }),
                Target::Tcp { port: None, .. } | Target::Upstream { .. } => None,
                Target::Unix { path } => Some(Place::Unix(socket_path(path))),
                Target::Variable(raw) => match literal_host(raw) {
                    None => {
                        self.open = true;
                        None
                    }
                    Some((host, _)) if upstream_names.contains(&host.as_str()) => None,
                    Some((host, port)) => match (Dest::of(&host), port) {
                        (Some(dest), Some(port)) => Some(Place::Tcp { dest, host, port }),
                        (Some(_), None) => {
                            self.open = true;
                            None
                        }
                        (None, port) => {
                            self.remote_ports.extend(port);
                            None
                        }
                    },
                },
            };
            if let (Target::Tcp { host, port, .. }, None) = (&p.target, &place) {
                if Dest::of(host).is_none() {
                    self.remote_ports.extend(*port);
                }
            }
            let Some(place) = place else { continue };
            let reaches = self
                .sockets
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let r = match (&place, &s.addr) {
                        (Place::Tcp { dest, port, .. }, Addr::Tcp { bind, port: p, .. })
                            if port == p =>
                        {
                            reach(bind, dest)
                        }
                        (Place::Unix(a), Addr::Unix(b)) if a == b => Some(Reach::Yes),
                        _ => None,
                    };
                    r.map(|r| (i, r))
                })
                .collect();
            self.dispatches.push(Dispatch {
                proxy: p,
                place,
                reaches,
            });
        }
    }

    /// Whether some target of nginx reaches socket `i`, or may (through a name that may be
    /// this container's, or a host built from variables).
    #[must_use]
    pub fn maybe_reached(&self, i: usize) -> bool {
        if self.open
            || self
                .dispatches
                .iter()
                .any(|d| d.reaches.iter().any(|(s, _)| *s == i))
        {
            return true;
        }
        self.sockets.get(i).is_some_and(|s| match &s.addr {
            Addr::Tcp { bind, port, .. } => !bind.is_loopback() && self.remote_ports.contains(port),
            Addr::Unix(_) => false,
        })
    }

    /// The app sockets no target reaches.
    #[must_use]
    pub fn orphans(&self) -> Vec<usize> {
        (0..self.sockets.len())
            .filter(|&i| self.sockets[i].app().is_some() && !self.maybe_reached(i))
            .collect()
    }

    /// The targets nothing reaches, when everything that listens is known.
    #[must_use]
    pub fn misses(&self) -> Vec<Miss> {
        if !self.complete {
            return Vec::new();
        }
        let orphans = self.orphans();
        let (unix, tcp): (Vec<usize>, Vec<usize>) = orphans
            .into_iter()
            .partition(|&i| self.sockets[i].addr.is_unix());
        self.dispatches
            .iter()
            .enumerate()
            .filter(|(_, d)| d.unreached())
            .map(|(i, d)| {
                let (same, other) = if d.place.is_unix() {
                    (&unix, &tcp)
                } else {
                    (&tcp, &unix)
                };
                let (kind, candidates) = if !same.is_empty() {
                    let kind = if d.place.is_unix() {
                        MissKind::OtherPath
                    } else {
                        MissKind::NoListener
                    };
                    (kind, same.clone())
                } else if !other.is_empty() {
                    (MissKind::OtherKind, other.clone())
                } else {
                    (MissKind::NoListener, Vec::new())
                };
                Miss {
                    dispatch: i,
                    kind,
                    candidates,
                }
            })
            .collect()
    }

    /// The app sockets a miss names as the ones its target was meant for.
    #[must_use]
    pub fn explained(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .misses()
            .into_iter()
            .flat_map(|m| m.candidates)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A label at a target in nginx's config.
    #[must_use]
    pub fn target_label(&self, d: &Dispatch<'_>, message: impl Into<String>) -> Label {
        self.dir.label_or(&d.proxy.origin, "nginx.conf", message)
    }

    /// For a target that is an upstream's `server`, a label at the first directive that
    /// proxies to the upstream.
    #[must_use]
    pub fn upstream_use_label(&self, d: &Dispatch<'_>) -> Option<Label> {
        let name = d.proxy.upstream.as_ref()?;
        let user = self.nginx.proxies.iter().find(|p| {
            p.upstream.is_none()
                && match &p.target {
                    Target::Upstream { name: n } => n == name,
                    Target::Variable(raw) => literal_host(raw).is_some_and(|(h, _)| &h == name),
                    _ => false,
                }
        })?;
        self.dir
            .label(&user.origin, format!("upstream `{name}` is used here"))
    }

    /// Labels at where socket `i`'s address is set: the value (`--port 8000`, an
    /// `environment=` entry, an ENV), and the code that reads it when that is elsewhere; a
    /// built-in default is shown at the command or call that starts listening.
    #[must_use]
    pub fn socket_labels(&self, i: usize, message: &str) -> Vec<Label> {
        let Some(s) = self.sockets.get(i) else {
            return Vec::new();
        };
        match s.owner {
            Owner::Nginx(l) => vec![self.dir.label_or(&l.origin, "nginx.conf", message)],
            Owner::App { app, listen } => {
                let value = if s.addr.is_unix() {
                    listen.unix.as_ref()
                } else {
                    listen.port.as_ref()
                };
                self.value_labels(app, listen, value, message)
            }
        }
    }

    /// Labels at where the app's bind host is set (see [`Self::socket_labels`]).
    #[must_use]
    pub fn host_labels(&self, i: usize, message: &str) -> Vec<Label> {
        match self.sockets.get(i).map(|s| s.owner) {
            Some(Owner::App { app, listen }) => {
                self.value_labels(app, listen, listen.host.as_ref(), message)
            }
            _ => self.socket_labels(i, message),
        }
    }

    fn value_labels(
        &self,
        app: &App,
        listen: &AppListen,
        value: Option<&Resolved>,
        message: &str,
    ) -> Vec<Label> {
        let fallback = app
            .source
            .as_ref()
            .map_or("supervisord.conf", |s| s.file.as_str());
        let Some(v) = value else {
            return vec![self.dir.label_or(&listen.origin, fallback, message)];
        };
        if let Origin::Default { what } | Origin::Assumed { what } = &v.origin {
            let message = format!("{message} ({what})");
            return vec![self.dir.label_or(&listen.origin, fallback, message)];
        }
        let mut out = vec![self.dir.label_or(&v.origin, fallback, message)];
        let at = v.origin.file_span().map(|(f, _)| f.to_owned());
        if let Some(read) = v
            .via
            .iter()
            .find(|o| o.file_span().is_some_and(|(f, _)| Some(f) != at.as_deref()))
        {
            out.extend(self.dir.label(read, "read here"));
        }
        out
    }
}

/// How findings name an app: its supervisord program, or what PID 1 runs.
#[must_use]
pub fn who(app: &App) -> String {
    match &app.program {
        Some(p) => format!("`{p}`"),
        None => app.command.first().map_or_else(
            || "the app".to_owned(),
            |w| format!("`{}`", basename(&w.value)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::SourceFile;
    use std::path::Path;

    /// A container directory of the repository, read as `gen check` reads it.
    fn read(rel: &str) -> ContainerDir {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(&root)
                        .expect("under root")
                        .to_string_lossy()
                        .into_owned();
                    files.push(SourceFile {
                        path: rel.clone(),
                        rel,
                        text: std::fs::read_to_string(&path).ok().map(Into::into),
                    });
                }
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        ContainerDir::new("c".into(), rel.into(), None, files)
    }

    /// Each target and what it reaches, as `target -> owner@address`.
    fn shown(w: &Wiring<'_>) -> Vec<String> {
        w.dispatches
            .iter()
            .map(|d| {
                let reached: Vec<String> = d
                    .reaches
                    .iter()
                    .map(|(i, r)| {
                        let s = &w.sockets[*i];
                        let owner = s
                            .app()
                            .map_or_else(|| "nginx".to_owned(), |a| who(a).replace('`', ""));
                        format!("{owner}@{} {r:?}", s.addr.shown())
                    })
                    .collect();
                format!("{} -> {}", d.place.shown(), reached.join(", "))
            })
            .collect()
    }

    #[test]
    fn clean_containers_are_complete_and_every_target_reaches_its_app() {
        let cases: [(&str, &[&str]); 6] = [
            (
                "generated/fastapi-nginx",
                &["127.0.0.1:8000 -> app@127.0.0.1:8000 Yes"],
            ),
            (
                "generated/express-nginx",
                &["127.0.0.1:3000 -> app@127.0.0.1:3000 Yes"],
            ),
            (
                "tests/fixtures/projects/gunicorn-confd",
                &["127.0.0.1:8000 -> api@127.0.0.1:8000 Yes"],
            ),
            (
                "tests/fixtures/projects/reference-clean",
                &["127.0.0.1:8000 -> fastapi@127.0.0.1:8000 Yes"],
            ),
            (
                "tests/fixtures/projects/uds-gunicorn",
                &["unix:/run/gunicorn/app.sock -> app@unix:/run/gunicorn/app.sock Yes"],
            ),
            (
                "tests/fixtures/projects/multi-app-confd",
                &[
                    "127.0.0.1:8000 -> api@127.0.0.1:8000 Yes",
                    "127.0.0.1:3100 -> admin@127.0.0.1:3100 Yes",
                ],
            ),
        ];
        for (rel, want) in cases {
            let dir = read(rel);
            let w = Wiring::of(&dir).expect(rel);
            assert!(w.complete, "{rel}");
            assert_eq!(shown(&w), want, "{rel}");
            assert!(w.orphans().is_empty(), "{rel}");
        }
    }

    #[test]
    fn the_load_balancer_proxies_to_other_hosts_only() {
        let dir = read("examples/lb/generated/lb");
        let w = Wiring::of(&dir).expect("nginx");
        assert!(w.dispatches.is_empty());
        assert!(w.complete);
        assert!(w.misses().is_empty());
    }

    #[test]
    fn a_miss_names_the_app_left_over() {
        let dir = read("tests/fixtures/projects/reference-broken");
        let w = Wiring::of(&dir).expect("nginx");
        assert!(w.complete);
        assert_eq!(shown(&w), ["127.0.0.1:8080 -> "]);
        let misses = w.misses();
        assert_eq!(misses.len(), 1);
        assert_eq!(misses[0].kind, MissKind::NoListener);
        let named: Vec<String> = misses[0]
            .candidates
            .iter()
            .map(|&i| w.sockets[i].addr.shown())
            .collect();
        assert_eq!(named, ["0.0.0.0:8000"]);
        assert_eq!(w.explained(), misses[0].candidates);
    }

    #[test]
    fn scripts_that_write_nginx_config_are_told_from_scripts_that_read_it() {
        for (script, sed_too, writes) in [
            (
                "envsubst < /tpl/site.conf > /etc/nginx/conf.d/site.conf",
                false,
                true,
            ),
            (
                "cp /app/nginx.conf /etc/nginx/nginx.conf && exec supervisord",
                false,
                true,
            ),
            (
                "echo 'daemon off;' >> \"/etc/nginx/nginx.conf\"",
                false,
                true,
            ),
            (
                "curl -fsSL -o /etc/nginx/nginx.conf https://example.invalid/c",
                false,
                true,
            ),
            (
                "cat /app/site | tee /etc/nginx/conf.d/site.conf",
                false,
                true,
            ),
            ("sed -i s/80/8080/ /etc/nginx/nginx.conf", true, true),
            // A start script's `sed -i` edits what gen reads.
            ("sed -i s/80/8080/ /etc/nginx/nginx.conf", false, false),
            // gen's own entrypoint: reads /etc/nginx, writes /run/nginx.
            (
                "conf=/etc/nginx/nginx.conf\nsed -e s/x/y/ \"$conf\" > /run/nginx/nginx.conf",
                false,
                false,
            ),
            ("nginx -t -c /etc/nginx/nginx.conf >/dev/null", false, false),
            (
                "cp /app/site.conf \\\n    /etc/nginx/conf.d/site.conf",
                false,
                true,
            ),
            ("cp /etc/nginx/nginx.conf /tmp/backup", false, false),
            // Lines are found from the path's places: the second of two on one line, a
            // line of CRLF text, a path on the last line, one among other lines.
            (
                "echo start\ncp /etc/nginx/a /etc/nginx/b\necho done",
                false,
                true,
            ),
            ("cd /\r\ncp x /etc/nginx/b\r\nexit 0\r\n", false, true),
            ("echo /etc/nginx\n\ncp /app/x /tmp/y", false, false),
            (
                "# /etc/nginx/conf.d\ntee /etc/nginx/x < /dev/null",
                false,
                true,
            ),
        ] {
            assert_eq!(writes_nginx(script, sed_too), writes, "{script}");
        }
    }

    #[test]
    fn an_unknown_program_makes_the_picture_incomplete() {
        let dir = read("tests/fixtures/check/upstream-port-mismatch/pass/unknown-program");
        let w = Wiring::of(&dir).expect("nginx");
        assert!(!w.complete);
        assert!(w.misses().is_empty());
    }

    #[test]
    fn bind_table() {
        let cases = [
            ("0.0.0.0", Bind::Any4),
            ("", Bind::Any4),
            ("::", Bind::AnyDual),
            ("[::]", Bind::AnyDual),
            ("::1", Bind::Loop6),
            ("127.0.0.1", Bind::Loop4("127.0.0.1".to_owned())),
            ("127.0.1.1", Bind::Loop4("127.0.1.1".to_owned())),
            ("localhost", Bind::Other("localhost".to_owned())),
            ("10.0.0.5", Bind::Other("10.0.0.5".to_owned())),
            ("$HOST", Bind::Other("$HOST".to_owned())),
        ];
        for (host, want) in cases {
            assert_eq!(Bind::of(host), want, "{host}");
        }
    }

    #[test]
    fn dest_table() {
        let v4 = |s: &str| Some(Dest::V4(s.to_owned()));
        let cases = [
            ("127.0.0.1", v4("127.0.0.1")),
            ("0.0.0.0", v4("127.0.0.1")),
            ("localhost", Some(Dest::Localhost)),
            ("LOCALHOST", Some(Dest::Localhost)),
            ("::1", Some(Dest::V6)),
            ("[::1]", Some(Dest::V6)),
            ("app", None),
            ("10.0.0.5", None),
        ];
        for (host, want) in cases {
            assert_eq!(Dest::of(host), want, "{host}");
        }
    }

    #[test]
    fn reach_table() {
        use Reach::{Maybe, Partial, Yes};
        let lo = || Bind::Loop4("127.0.0.1".to_owned());
        let v4 = || Dest::V4("127.0.0.1".to_owned());
        let cases = [
            (lo(), v4(), Some(Yes)),
            (lo(), Dest::Localhost, Some(Partial)),
            (lo(), Dest::V6, None),
            (Bind::Loop4("127.0.0.2".to_owned()), v4(), None),
            (Bind::Loop6, v4(), None),
            (Bind::Loop6, Dest::Localhost, Some(Partial)),
            (Bind::Loop6, Dest::V6, Some(Yes)),
            (Bind::Any4, v4(), Some(Yes)),
            (Bind::Any4, Dest::Localhost, Some(Partial)),
            (Bind::Any4, Dest::V6, None),
            (Bind::AnyDual, Dest::Localhost, Some(Yes)),
            (Bind::AnyDual, Dest::V6, Some(Yes)),
            (Bind::Any6, v4(), None),
            (Bind::Other("localhost".to_owned()), v4(), Some(Maybe)),
        ];
        for (bind, dest, want) in cases {
            assert_eq!(reach(&bind, &dest), want, "{bind:?} {dest:?}");
        }
    }

    #[test]
    fn literal_host_table() {
        let cases = [
            (
                "http://127.0.0.1:8000$request_uri",
                Some(("127.0.0.1", Some(8000))),
            ),
            ("http://backend$uri", Some(("backend", Some(80)))),
            ("http://$host:8000", None),
            ("http://app:$port", None),
            ("$scheme://app", None),
            ("http://[::1]:3000/$x", Some(("::1", Some(3000)))),
            (
                "http://express-nginx$gen_route_0_uri",
                Some(("express-nginx", Some(80))),
            ),
        ];
        for (raw, want) in cases {
            let got = literal_host(raw);
            assert_eq!(got.as_ref().map(|(h, p)| (h.as_str(), *p)), want, "{raw}");
        }
    }

    mod never_panics {
        use crate::lint::date::Date;
        use crate::lint::{ContainerDir, Context, RULES, SourceFile, run};
        use proptest::prelude::*;

        const DOCKERFILE: &str = "(FROM (alpine:3.22|debian:12|python:3.12|nginx:1.27|ghcr.io/x/y)|RUN (apt-get install -y nginx supervisor|mkdir -p /run/a|rm -rf /run/a)|COPY (a|b|s.py) (/etc/nginx/nginx.conf|/etc/supervisord.conf|/app/)|CMD \\[\"(supervisord|nginx)\"(, \"-n\")?\\]|EXPOSE (80|8000|1-65535|x|80/udp|0)|ENV (PORT=(1|x|)|HOST=::1)|VOLUME /run/a|\n)*";
        const NGINX: &str = "(events \\{\\}|http \\{|server \\{|\\}|listen (80|\\[::\\]:80|127\\.0\\.0\\.1:1|unix:/run/a/s|\\$x|443 quic|0);|(proxy_pass|uwsgi_pass|fastcgi_pass) (http://(localhost|127\\.0\\.0\\.1|\\[::1\\]|0\\.0\\.0\\.0|u|\\$h)(:(1|8000|0|99999|\\$p))?(\\$uri)?|unix:/run/a/s|http://unix:/run/b:);|upstream u \\{|server (127\\.0\\.0\\.1:8000|localhost|unix:/run/a/s)( down)?;|location / \\{|[ \n])*";
        const SUPERVISOR: &str = "(\\[supervisord\\]|\\[program:(a|nginx|b)\\]|command=(nginx -g 'daemon off;'|uvicorn m:a( --host (0\\.0\\.0\\.0|::|::1|\\$H))?( --port (1|8000|\\$P|x))?|uvicorn m:a --uds (/run/a/s|rel)|gunicorn m:a( -b (:1|unix:/run/a/s|\\[::1\\]:8000|fd://3))*|node s\\.js|python s\\.py|crond -f|celery worker)|environment=(P|PORT|H)=\"(1|::1|)\"|directory=(/app|\\.\\.)|\n)*";

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn on_generated_directories(
                dockerfile in DOCKERFILE,
                nginx in NGINX,
                supervisor in SUPERVISOR,
                app in "(app\\.listen\\((3000|process\\.env\\.P|\"/run/a/s\")(, \"(127\\.0\\.0\\.1|::1|0\\.0\\.0\\.0)\")?\\);|uvicorn\\.run\\(a, host=\"::\", port=int\\(os\\.getenv\\('P', '1'\\)\\)\\)|[ \n])*",
            ) {
                let files = [
                    ("Dockerfile", dockerfile.as_str()),
                    ("a", nginx.as_str()),
                    ("b", supervisor.as_str()),
                    ("s.js", app.as_str()),
                    ("s.py", app.as_str()),
                ];
                let dir = |with_dockerfile: bool| {
                    let files = files
                        .iter()
                        .filter(|(rel, _)| with_dockerfile || *rel != "Dockerfile")
                        .map(|(rel, text)| SourceFile {
                            rel: (*rel).to_owned(),
                            path: format!("c/{rel}"),
                            text: Some((*text).into()),
                        })
                        .collect();
                    ContainerDir::new("c".into(), "c".into(), None, files)
                };
                let mut ctx = Context::new(Date::from_unix_days(0));
                ctx.containers.push(dir(true));
                ctx.containers.push(dir(false));
                let _ = run(&ctx, RULES);
            }
        }
    }
}
