//! The app servers that read their own config files: uWSGI (its command line, `--ini` and
//! `--yaml` files, `UWSGI_*` variables) and PHP-FPM (its main config and the pool files its
//! `include` glob reaches, packaged or copied), and gunicorn's Python config file. Each
//! fills in the [`App`]: the addresses it listens on with the protocol each speaks, the
//! owner and mode of its Unix sockets, the user it runs as, the app module, whether it
//! daemonizes.
//!
//! Unknown stays unknown: a value with uWSGI's magic variables, a config file gen cannot
//! read, a pool file made by a RUN, a computed gunicorn setting: the app is marked
//! [`App::partial`] and no default is put in its place.

use super::app::{App, AppListen, Env, Resolved, Runtime, word_origin};
use super::cmdline::Words;
use super::runtime::{Flag, Server, Setting, UWSGI_APP_OPTIONS};
use super::{Model, Origin, Source};
use crate::model::path;
use crate::parse::app::{
    self, ConfValue, FpmListen, GunicornConfig, UwsgiAddr, UwsgiOptions, fpm_listen,
    gunicorn_config, php_fpm, uwsgi_addr, uwsgi_args, uwsgi_ini, uwsgi_yaml,
};
use crate::parse::span::Span;

/// The protocol a socket speaks, or an nginx directive sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http,
    /// uWSGI's binary protocol (`socket`, `uwsgi_pass`).
    Uwsgi,
    FastCgi,
    Scgi,
    /// gRPC, HTTP/2 without TLS (`grpc_pass`): an HTTP server may speak it (hypercorn
    /// does), so only a server of another protocol is known not to.
    Grpc,
}

impl Protocol {
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Uwsgi => "uwsgi",
            Self::FastCgi => "FastCGI",
            Self::Scgi => "SCGI",
            Self::Grpc => "gRPC",
        }
    }

    /// What an nginx directive speaks to its target; `None` for one gen does not judge
    /// (an upstream's `server`).
    #[must_use]
    pub fn of_directive(kind: &str) -> Option<Self> {
        match kind {
            "proxy_pass" => Some(Self::Http),
            "uwsgi_pass" => Some(Self::Uwsgi),
            "fastcgi_pass" => Some(Self::FastCgi),
            "scgi_pass" => Some(Self::Scgi),
            "grpc_pass" => Some(Self::Grpc),
            _ => None,
        }
    }

    /// The nginx directive that speaks it.
    #[must_use]
    pub const fn directive(self) -> &'static str {
        match self {
            Self::Http => "proxy_pass",
            Self::Uwsgi => "uwsgi_pass",
            Self::FastCgi => "fastcgi_pass",
            Self::Scgi => "scgi_pass",
            Self::Grpc => "grpc_pass",
        }
    }
}

/// Who owns a Unix socket the app creates, and its mode, as far as gen knows (`None`:
/// unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketPerm {
    pub owner: Option<Resolved>,
    pub group: Option<Resolved>,
    /// Octal, as written (`0660`, `666`).
    pub mode: Option<Resolved>,
}

fn at(value: &str, origin: Origin) -> Resolved {
    Resolved {
        value: value.to_owned(),
        origin,
        via: Vec::new(),
    }
}

fn default(value: &str, what: &str) -> Resolved {
    at(
        value,
        Origin::Default {
            what: what.to_owned(),
        },
    )
}

/// A TCP or Unix listen.
fn listen(
    host: Option<Resolved>,
    port: Option<Resolved>,
    unix: Option<Resolved>,
    protocol: Protocol,
    origin: Origin,
) -> AppListen {
    AppListen {
        host,
        port,
        unix,
        origin,
        protocol,
        perm: None,
    }
}

fn app_words(words: &Words) -> Vec<app::Word> {
    words
        .iter()
        .map(|w| app::Word {
            value: w.value.clone(),
            span: w.origin.file_span().map_or_else(Span::default, |(_, s)| s),
        })
        .collect()
}

// ---------------------------------------------------------------------------------- uWSGI

/// Deepest nesting of `ini =` / `yaml =` options followed.
const MAX_UWSGI_DEPTH: usize = 4;

/// An option and where it is written.
struct Opt {
    key: String,
    value: String,
    magic: bool,
    origin: Origin,
    key_origin: Origin,
}

/// Collects options in uWSGI's order, following config files; `false` when some option
/// may come from a place gen cannot read.
fn uwsgi_collect(
    m: &Model,
    cwd: &str,
    opts: &UwsgiOptions,
    source: &dyn Fn(Span) -> Origin,
    depth: usize,
    out: &mut Vec<Opt>,
) -> bool {
    let mut known = !opts.truncated;
    for o in &opts.options {
        match o.key.as_str() {
            "ini" | "yaml" | "yml" => {
                if o.magic || depth >= MAX_UWSGI_DEPTH {
                    known = false;
                    continue;
                }
                let (path, section) = match o.value.rsplit_once(':') {
                    Some((p, s)) if !s.contains('/') => (p, s),
                    _ => (o.value.as_str(), "uwsgi"),
                };
                let full = path::join(cwd, path);
                let Some((src, text)) = m.read(&full) else {
                    known = false;
                    continue;
                };
                if m.image.entry(&full).is_some_and(|e| e.edited.is_some()) {
                    known = false;
                }
                let parsed = if o.key == "ini" {
                    Some(uwsgi_ini(text, section))
                } else {
                    uwsgi_yaml(text, section)
                };
                let Some(parsed) = parsed else {
                    known = false;
                    continue;
                };
                let src2 = src.clone();
                known &= uwsgi_collect(m, cwd, &parsed, &move |s| src2.origin(s), depth + 1, out);
            }
            // Other config formats and includes gen does not read.
            "xml" | "xmlconfig" | "json" | "js" | "include" | "inherit" | "config" | "sqlite"
            | "ldap" => known = false,
            _ => out.push(Opt {
                key: o.key.clone(),
                value: o.value.clone(),
                magic: o.magic,
                origin: source(o.value_span),
                key_origin: source(o.key_span),
            }),
        }
    }
    known
}

/// Reads a uWSGI command; `false` when the command is not uWSGI.
pub(super) fn uwsgi(m: &Model, env: &Env<'_>, a: &mut App, words: &Words) -> bool {
    let ws = app_words(words);
    let Some(args) = uwsgi_args(&ws) else {
        return false;
    };
    a.runtime = Runtime::Server(Server::Uwsgi);
    let row = Server::Uwsgi.row();
    let mut opts = Vec::new();
    let mut known = true;
    for (var, name) in row.option_env {
        if let Some(v) = env.get(var) {
            if matches!(*name, "ini" | "yaml") {
                known = false;
            } else {
                opts.push(Opt {
                    key: (*name).to_owned(),
                    magic: v.value.contains('$'),
                    value: v.value,
                    key_origin: v.origin.clone(),
                    origin: v.origin,
                });
            }
        }
    }
    let cwd = a.cwd.value.clone();
    let from_words = |s: Span| {
        word_origin(
            words,
            &app::Word {
                value: String::new(),
                span: s,
            },
        )
    };
    known &= uwsgi_collect(m, &cwd, &args, &from_words, 0, &mut opts);
    let last = |key: &str| opts.iter().rev().find(|o| o.key == key);
    let resolved = |o: &Opt| at(&o.value, o.origin.clone());
    // `chdir` applies before the app is loaded: the app module is found there.
    if let Some(c) = last("chdir") {
        if c.magic {
            known = false;
        } else {
            a.cwd = super::Fact {
                value: path::join(&a.cwd.value, &c.value),
                origin: c.origin.clone(),
            };
        }
    }
    a.config_file = args
        .options
        .iter()
        .find(|o| matches!(o.key.as_str(), "ini" | "yaml"))
        .map(|o| from_words(o.value_span));
    for key in row.settings {
        if let Some(o) = last(key) {
            a.settings.push(((*key).to_owned(), resolved(o)));
        }
    }
    a.module = UWSGI_APP_OPTIONS.iter().find_map(|k| last(k)).map(resolved);
    a.daemon = last("daemonize").map(|o| o.key_origin.clone());
    a.user = last("uid").map(resolved);
    // The socket's owner: `chown-socket`, else who starts uWSGI (it binds before it drops
    // privileges).
    let chown = last("chown-socket");
    let (owner, group) = match chown {
        Some(o) if o.magic => (None, None),
        Some(o) => {
            let (u, g) = o
                .value
                .split_once(':')
                .map_or((o.value.as_str(), None), |(u, g)| (u, Some(g)));
            (
                Some(at(u, o.origin.clone())),
                g.map(|g| at(g, o.origin.clone())),
            )
        }
        None => (env.start_user(), None),
    };
    // Its mode: `chmod-socket` (666 without a value), else what `bind()` gives.
    let mode = match last("chmod-socket") {
        Some(o) => {
            if o.magic {
                None
            } else if o.value.is_empty() || o.value == "true" {
                Some(at("666", o.key_origin.clone()))
            } else if o.value.chars().all(|c| c.is_digit(8)) {
                Some(resolved(o))
            } else {
                None
            }
        }
        None => uwsgi_default_mode(m, last("umask")),
    };
    let protocol_override = last("protocol").map(|o| match o.value.as_str() {
        "http" => Some(Protocol::Http),
        "uwsgi" => Some(Protocol::Uwsgi),
        "fastcgi" => Some(Protocol::FastCgi),
        "scgi" => Some(Protocol::Scgi),
        _ => None,
    });
    for o in &opts {
        let protocol = match o.key.as_str() {
            "socket" | "uwsgi-socket" => match protocol_override {
                Some(p) => p,
                None => Some(Protocol::Uwsgi),
            },
            "http-socket" | "http" => Some(Protocol::Http),
            "fastcgi-socket" => Some(Protocol::FastCgi),
            "scgi-socket" => Some(Protocol::Scgi),
            "https" | "https-socket" | "shared-socket" | "http-socket-protocol" | "http2" => None,
            _ => continue,
        };
        let Some(protocol) = protocol.filter(|_| !o.magic) else {
            known = false;
            continue;
        };
        match uwsgi_addr(&o.value) {
            UwsgiAddr::Tcp {
                host,
                port: Some(port),
            } => {
                // `:8000` binds every address.
                let host = if host.is_empty() {
                    "0.0.0.0"
                } else {
                    host.as_str()
                };
                a.listens.push(listen(
                    Some(at(host, o.origin.clone())),
                    Some(at(&port.to_string(), o.origin.clone())),
                    None,
                    protocol,
                    o.origin.clone(),
                ));
            }
            UwsgiAddr::Unix(path) => {
                let mut l = listen(
                    None,
                    None,
                    Some(at(&path, o.origin.clone())),
                    protocol,
                    o.origin.clone(),
                );
                l.perm = Some(SocketPerm {
                    owner: owner.clone(),
                    group: group.clone(),
                    mode: mode.clone(),
                });
                a.listens.push(l);
            }
            UwsgiAddr::Tcp { port: None, .. } | UwsgiAddr::Other => known = false,
        }
    }
    a.partial |= !known;
    true
}

/// The mode of a Unix socket uWSGI creates without `chmod-socket`: `bind()` makes it 0777
/// less the umask (seen with uWSGI 2.0.30: 0755 under umask 022, 0700 under 077). The umask
/// is uWSGI's `umask` option, else the one it inherits: a container's processes start with
/// 022 (runc's default), and supervisord in the foreground passes its own on (it applies
/// `[supervisord] umask` only when it daemonizes). Unknown when anything may change it: a
/// base image gen does not know (its entrypoint), or a `umask` anywhere in the container's
/// files (a start script, `sh -c 'umask 0 && ...'`, a program's `umask=`).
fn uwsgi_default_mode(m: &Model, umask: Option<&Opt>) -> Option<Resolved> {
    if let Some(o) = umask {
        if o.magic {
            return None;
        }
        let bits = u32::from_str_radix(o.value.trim(), 8).ok()?;
        return Some(at(
            &format!("{:04o}", 0o777 & !bits),
            Origin::Default {
                what: format!(
                    "uWSGI creates it with mode 0777 less its `umask` ({})",
                    o.value.trim()
                ),
            },
        ));
    }
    if m.packaging.is_none()
        || m.files
            .paths()
            .any(|p| m.files.text(p).is_some_and(|t| t.contains("umask")))
    {
        return None;
    }
    Some(default(
        "0755",
        "uWSGI creates it with mode 0777 less the umask, 022 in a container: 0755 without `chmod-socket`",
    ))
}

// -------------------------------------------------------------------------------- PHP-FPM

/// Most files one PHP-FPM config reads.
const MAX_FPM_FILES: usize = 64;

/// The main config a PHP-FPM binary reads without `-y`.
fn fpm_default_config(m: &Model, program: &str) -> Option<String> {
    let b = program.rsplit('/').next().unwrap_or(program);
    let version = b.strip_prefix("php-fpm").unwrap_or("");
    if version.contains('.') {
        return Some(format!("/etc/php/{version}/fpm/php-fpm.conf"));
    }
    if !version.is_empty() {
        return Some(format!("/etc/php{version}/php-fpm.conf"));
    }
    // The official php image's build (prefix /usr/local).
    m.image
        .entry("/usr/local/etc/php-fpm.conf")
        .map(|_| "/usr/local/etc/php-fpm.conf".to_owned())
}

/// `/etc/phpNN/php-fpm.d` for Alpine's `/etc/phpNN/php-fpm.conf` (`/etc/php7`, `/etc/php83`).
fn alpine_pool_dir(main: &str) -> Option<String> {
    let version = main
        .strip_prefix("/etc/php")?
        .strip_suffix("/php-fpm.conf")?;
    (!version.is_empty() && version.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("/etc/php{version}/php-fpm.d"))
}

/// Whether a RUN may write the file in a way the image model does not follow: it names the
/// file (or a variable set to its path) in a command that writes (`sed -i "..." ${fpm_conf}`,
/// `echo ... >> www.conf`).
fn written_by_run(m: &Model, path: &str) -> bool {
    const WRITERS: [&str; 6] = ["sed ", ">", "tee ", "cp ", "mv ", "envsubst"];
    let name = path.rsplit('/').next().unwrap_or(path);
    let vars: Vec<&str> = m
        .env
        .iter()
        .filter(|(_, v)| v.value == path)
        .map(|(k, _)| k.as_str())
        .collect();
    m.dockerfile.as_ref().is_some_and(|df| {
        df.parsed.instructions.iter().any(|ins| {
            let t = &ins.args_text;
            ins.keyword == "RUN"
                && WRITERS.iter().any(|w| t.contains(w))
                && (t.contains(name)
                    || vars
                        .iter()
                        .any(|v| t.contains(&format!("${v}")) || t.contains(&format!("${{{v}}}"))))
        })
    })
}

/// A file of the config and its sections, in the order PHP-FPM reads them.
struct FpmFile {
    path: String,
    source: Source,
    parsed: crate::parse::app::FpmConfig,
    local: bool,
}

/// Reads a PHP-FPM command; `false` when the command is not PHP-FPM.
pub(super) fn php_fpm_app(m: &Model, env: &Env<'_>, a: &mut App, words: &Words) -> bool {
    let row = Server::PhpFpm.row();
    let Some(first) = words.first() else {
        return false;
    };
    if !row.runs(path::basename(&first.value)) {
        return false;
    }
    a.runtime = Runtime::Server(Server::PhpFpm);
    let mut known = true;
    let mut foreground = None;
    let mut config = None;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        i += 1;
        let text = w.value.as_str();
        if let Some(flag) = row.flag(text) {
            match flag {
                Flag::Foreground => foreground = Some(true),
                Flag::Daemon => foreground = Some(false),
                Flag::Unknowable => known = false,
                Flag::Inert | Flag::ProxyHeaders(_) | Flag::Factory => {}
            }
        } else if let Some(setting) = row.option(text) {
            if setting == Setting::Config {
                config = words.get(i).map(|v| (v.value.clone(), v.origin.clone()));
            }
            i += 1;
        } else if let Some(path) = text.strip_prefix("--fpm-config=") {
            config = Some((path.to_owned(), w.origin.clone()));
        }
    }
    let main = match config {
        Some((path, origin)) => Some((path::join(&a.cwd.value, &path), Some(origin))),
        None => fpm_default_config(m, &first.value).map(|p| (p, None)),
    };
    let Some((main, main_origin)) = main else {
        a.partial = true;
        return true;
    };
    a.config_file = main_origin.or_else(|| m.image.entry(&main).map(|e| e.origin.clone()));
    // The files: the main config, then each `include` glob's matches in order.
    let mut files: Vec<FpmFile> = Vec::new();
    let mut queue = vec![main.clone()];
    while let Some(path) = queue.pop() {
        if files.len() >= MAX_FPM_FILES {
            known = false;
            break;
        }
        let Some((source, text)) = m.read(&path) else {
            known = false;
            // Alpine's packaged php-fpm.conf (which gen does not hold) ends, as php-src's
            // does, with `include=/etc/phpNN/php-fpm.d/*.conf`: the pool files the project
            // copies there are read, as on Debian; the rest stays unknown.
            if let Some(dir) = alpine_pool_dir(&path).filter(|_| files.is_empty()) {
                let matched = m
                    .image
                    .glob(&format!("{dir}/*.conf"), super::glob::Dots::Literal);
                for p in matched.into_iter().rev() {
                    if !m.image.is_dir(&p) && !files.iter().any(|f| f.path == p) {
                        queue.push(p);
                    }
                }
            }
            continue;
        };
        let entry = m.image.entry(&path);
        if entry.is_some_and(|e| e.edited.is_some()) || written_by_run(m, &path) {
            known = false;
        }
        let parsed = php_fpm(text);
        known &= !parsed.truncated;
        let mut includes = Vec::new();
        for s in &parsed.sections {
            if !matches!(s.name.as_str(), "" | "global") {
                continue;
            }
            for e in s.entries.iter().filter(|e| e.key == "include") {
                if e.env {
                    known = false;
                    continue;
                }
                let pattern = if e.value.starts_with('/') {
                    e.value.clone()
                } else if main.starts_with("/usr/local/etc/") {
                    path::join("/usr/local", &e.value)
                } else {
                    known = false;
                    continue;
                };
                // Files a RUN makes under the glob's directory are unknown to gen.
                let matched = m.image.glob(&pattern, super::glob::Dots::Literal);
                includes.extend(matched.into_iter().filter(|p| !m.image.is_dir(p)));
            }
        }
        files.push(FpmFile {
            path,
            local: matches!(source, Source::Local(_)),
            source,
            parsed,
        });
        // Read in glob order: push reversed onto the stack.
        for p in includes.into_iter().rev() {
            if !files.iter().any(|f| f.path == p) {
                queue.push(p);
            }
        }
    }
    // Later files override earlier ones, key by key, per section.
    let php_image = main.starts_with("/usr/local/etc/");
    let mut daemonize: Option<(bool, Origin)> = None;
    let mut pools: Vec<(String, Vec<(&FpmFile, &crate::parse::app::FpmEntry)>)> = Vec::new();
    for f in &files {
        for s in &f.parsed.sections {
            if matches!(s.name.as_str(), "" | "global") {
                if let Some(d) = s.get("daemonize") {
                    let on = !matches!(
                        d.value.to_ascii_lowercase().as_str(),
                        "no" | "false" | "off" | "0" | ""
                    );
                    daemonize = Some((on, f.source.origin(d.value_span)));
                }
                continue;
            }
            let pool = match pools.iter_mut().position(|(n, _)| *n == s.name) {
                Some(i) => &mut pools[i].1,
                None => {
                    pools.push((s.name.clone(), Vec::new()));
                    let n = pools.len() - 1;
                    &mut pools[n].1
                }
            };
            pool.extend(s.entries.iter().map(|e| (f, e)));
        }
    }
    a.daemon = match (foreground, &daemonize) {
        (Some(true), _) | (None, Some((false, _))) => None,
        (Some(false), _) => Some(first.origin.clone()),
        (None, Some((true, o))) => Some(o.clone()),
        (None, None) if known => row.defaults.daemonizes.map(|d| Origin::Default {
            what: d.what.to_owned(),
        }),
        (None, None) => None,
    };
    let start_user = env.start_user();
    for (name, entries) in &pools {
        let get = |key: &str| entries.iter().rev().find(|(_, e)| e.key == key).copied();
        let value = |(f, e): (&FpmFile, &crate::parse::app::FpmEntry)| {
            (!e.env).then(|| {
                at(
                    &e.value.replace("$pool", name),
                    f.source.origin(e.value_span),
                )
            })
        };
        if let Some(u) = get("user").and_then(value) {
            a.user.get_or_insert(u);
        }
        for key in row.settings {
            if let Some(v) = get(key).and_then(value) {
                a.settings.push((format!("{name}.{key}"), v));
            }
        }
        let Some(l) = get("listen") else {
            known = false;
            continue;
        };
        // The php image's `[www]` listen moved from zz-docker.conf to docker.conf across
        // its versions: a project file read before zz-docker.conf wins in some, not others.
        if php_image && name == "www" && l.0.local {
            let after_zz = l.0.path.as_str() > "/usr/local/etc/php-fpm.d/zz-docker.conf";
            let zz_local = files
                .iter()
                .any(|f| f.path == "/usr/local/etc/php-fpm.d/zz-docker.conf" && f.local);
            if !after_zz && !zz_local {
                known = false;
                continue;
            }
        }
        let Some(addr) = value(l) else {
            known = false;
            continue;
        };
        let origin = addr.origin.clone();
        match fpm_listen(&addr.value) {
            FpmListen::Tcp { host, port } => a.listens.push(listen(
                Some(host.map_or_else(
                    // A bare port: every address, IPv6 and IPv4-mapped.
                    || at("::", origin.clone()),
                    |h| at(&h, origin.clone()),
                )),
                Some(at(&port.to_string(), origin.clone())),
                None,
                Protocol::FastCgi,
                origin,
            )),
            FpmListen::Unix(path) => {
                let mut lst = listen(
                    None,
                    None,
                    Some(at(&path, origin.clone())),
                    Protocol::FastCgi,
                    origin,
                );
                // FPM chowns the socket to listen.owner/group (default: the master's
                // user and its group), mode listen.mode (default 0660); ACLs replace both.
                let acl = get("listen.acl_users").is_some() || get("listen.acl_groups").is_some();
                lst.perm = (!acl).then(|| SocketPerm {
                    owner: match get("listen.owner") {
                        Some(o) => value(o),
                        None => start_user.clone(),
                    },
                    group: get("listen.group").and_then(value),
                    mode: match get("listen.mode") {
                        Some(o) => value(o).filter(|v| v.value.chars().all(|c| c.is_digit(8))),
                        None => Resolved::builtin(row.defaults.socket_mode),
                    },
                });
                a.listens.push(lst);
            }
            FpmListen::Invalid => known = false,
        }
    }
    a.partial |= !known;
    true
}

// ------------------------------------------------------------------------------- gunicorn

/// What gunicorn's config file says, for the settings the command line leaves open.
pub(super) struct GunicornFile {
    pub config: GunicornConfig,
    pub source: Source,
}

/// Reads gunicorn's config file: `-c PATH` (or `python:module`), else `gunicorn.conf.py`
/// in the working directory. `Err(())` when there is one gen cannot read: every setting
/// may be in it.
pub(super) fn gunicorn_file(
    m: &Model,
    cwd: &str,
    config: Option<&str>,
) -> Result<Option<GunicornFile>, ()> {
    let path = match config {
        Some(c) if c.starts_with("python:") || c.contains('$') => return Err(()),
        Some(c) => path::join(cwd, c),
        None => {
            let Some(name) = Server::Gunicorn.row().config_file else {
                return Ok(None);
            };
            let p = path::join(cwd, name);
            if m.image.entry(&p).is_none() {
                // A file a RUN makes there, or one the base has, would be read too; gen sees
                // every COPY, and a default config is rare enough to take as absent.
                return Ok(None);
            }
            p
        }
    };
    let Some((source, text)) = m.read(&path) else {
        return Err(());
    };
    if m.image.entry(&path).is_some_and(|e| e.edited.is_some()) {
        return Err(());
    }
    Ok(Some(GunicornFile {
        config: gunicorn_config(text),
        source,
    }))
}

/// Reads hypercorn's config file (`-c`): a TOML file, or `file:PATH` (a Python file of
/// module-level settings, read as gunicorn's). `Ok(None)` without `-c`; `Err(())` for one
/// gen cannot read (`python:module`, a file not in the image or edited by a RUN).
pub(super) fn hypercorn_file(
    m: &Model,
    cwd: &str,
    config: Option<&str>,
) -> Result<Option<GunicornFile>, ()> {
    let Some(c) = config else { return Ok(None) };
    if c.starts_with("python:") || c.contains('$') {
        return Err(());
    }
    let (path, python) = match c.strip_prefix("file:") {
        Some(p) => (path::join(cwd, p), true),
        None => (path::join(cwd, c), false),
    };
    let Some((source, text)) = m.read(&path) else {
        return Err(());
    };
    if m.image.entry(&path).is_some_and(|e| e.edited.is_some()) {
        return Err(());
    }
    Ok(Some(GunicornFile {
        config: if python {
            gunicorn_config(text)
        } else {
            app::hypercorn_toml(text)
        },
        source,
    }))
}

/// A literal setting's values with their origins; `Err(())` when the file sets it to
/// something gen cannot evaluate.
pub(super) fn gunicorn_setting(
    file: &GunicornFile,
    name: &str,
) -> Result<Option<Vec<Resolved>>, ()> {
    match file.config.get(name) {
        None => Ok(None),
        Some(ConfValue::Unknown(_)) => Err(()),
        Some(ConfValue::Literal(values)) => Ok(Some(
            values
                .into_iter()
                .map(|(v, span)| at(&v, file.source.origin(span)))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpine_pool_dirs() {
        assert_eq!(
            alpine_pool_dir("/etc/php83/php-fpm.conf").as_deref(),
            Some("/etc/php83/php-fpm.d")
        );
        assert_eq!(
            alpine_pool_dir("/etc/php7/php-fpm.conf").as_deref(),
            Some("/etc/php7/php-fpm.d")
        );
        assert_eq!(alpine_pool_dir("/etc/php/8.2/fpm/php-fpm.conf"), None);
        assert_eq!(alpine_pool_dir("/usr/local/etc/php-fpm.conf"), None);
        assert_eq!(alpine_pool_dir("/etc/php/php-fpm.conf"), None);
    }

    #[test]
    fn directive_protocols() {
        assert_eq!(Protocol::of_directive("uwsgi_pass"), Some(Protocol::Uwsgi));
        assert_eq!(
            Protocol::of_directive("fastcgi_pass"),
            Some(Protocol::FastCgi)
        );
        assert_eq!(Protocol::of_directive("grpc_pass"), Some(Protocol::Grpc));
        assert_eq!(Protocol::of_directive("server"), None);
    }
}
