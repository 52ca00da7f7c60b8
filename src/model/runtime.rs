//! The app servers gen knows, as one table ([`SERVERS`], a row a server): the names its
//! program goes by, the command-line options and flags it reads and what each sets, the
//! environment variables it reads, its built-in defaults (each with the words a finding
//! shows for it), and how a help text tells it to listen, bind, keep connections alive or
//! stay in the foreground, and the packages that install its programs. Beside it, the
//! packages of the programs that are no app server ([`OTHER_PACKAGES`]), the wrappers a
//! command line is read through ([`WRAPPERS`], for the model and the rules alike) and the
//! calls in an app's source that listen ([`CALLS`]).
//!
//! It is a table because that knowledge was spread over the command-line reader
//! (`parse::app::command`), the model (`model::app`, `model::servers`, `model::cmdline`), the
//! wiring analysis and half a dozen rules, each with its own `match` on the server, and
//! adding a server meant finding them all. Now the command-line reader takes its flags and
//! options from the row, the model its environment variables and defaults, the rules their
//! hint syntax; what stays code is what cannot be data: a parser for the server's own
//! config files and the model's hook that reads them (`model::app::app_of` dispatches on
//! [`Row::reader`]). CONTRIBUTING.md, "Adding an app server", walks through a new row.
//!
//! Everything is `static` data read through small accessors: nothing is parsed or built at
//! start, and a lookup is a scan of a handful of entries.

use super::App;
use super::path::basename;
use super::servers::Protocol;
use crate::parse::app::ListenKind;

/// An app server (or interpreter) gen models: one row of [`SERVERS`] each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Uvicorn,
    Gunicorn,
    Hypercorn,
    Daphne,
    Uwsgi,
    PhpFpm,
    /// A Python script (Flask's, aiohttp's or another dev server).
    Python,
    Node,
}

/// How the model reads where a server listens: which hook of `model::app` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Its command line (`parse::app::server_command`, from [`Row::flags`] and
    /// [`Row::options`]), its environment ([`Row::env`]) and its config file.
    CommandLine,
    /// Its own config files, which its command line may name (uWSGI, PHP-FPM).
    ConfigFiles,
    /// A script an interpreter runs, read for the calls that listen ([`CALLS`]).
    Script,
}

/// What a command-line option or an environment variable sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The host it listens on (uvicorn's `--host`, daphne's `-b`).
    Host,
    Port,
    /// A Unix socket path.
    Uds,
    /// An address: `host:port`, `unix:path`, `fd://n` (gunicorn's `-b`).
    Bind,
    /// A file descriptor its parent passes in.
    Fd,
    Workers,
    WorkerClass,
    /// Whether it trusts `X-Forwarded-*` (a value: `true`, `false`, `0`).
    ProxyHeaders,
    ForwardedAllowIps,
    RootPath,
    /// The seconds it keeps an idle connection open.
    KeepAlive,
    /// A config file that may set anything else.
    Config,
    /// The directory the app is imported from.
    Chdir,
    /// More directories the app is imported from.
    PythonPath,
    Umask,
    /// The user its workers (and its Unix socket) belong to.
    User,
    /// An address in a form gen does not read (daphne's endpoints, hypercorn's QUIC).
    OtherListen,
    /// A command line of its own (`GUNICORN_CMD_ARGS`), read before the real one.
    CommandLine,
    /// The port of its default bind, on every address (gunicorn's `PORT`).
    DefaultPort,
    /// An option that takes a value gen has no use for.
    Inert,
}

/// What a flag (an option without a value) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Nothing gen reads, but it takes no value.
    Inert,
    /// Trust proxy headers (`true`) or not.
    ProxyHeaders(bool),
    /// Fork into the background.
    Daemon,
    /// Stay in the foreground (PHP-FPM's `-F`).
    Foreground,
    /// The app names a function that returns the app (uvicorn's `--factory`).
    Factory,
    /// Moves every path gen would read (PHP-FPM's `--prefix`).
    Unknowable,
}

/// A built-in default: its value, and what a finding says about where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Default {
    pub value: &'static str,
    pub what: &'static str,
}

const fn d(value: &'static str, what: &'static str) -> Default {
    Default { value, what }
}

/// A server's built-in defaults; `None` where it has none gen models.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    /// The host it listens on when nothing says.
    pub host: Option<Default>,
    /// The port it listens on when nothing says.
    pub port: Option<Default>,
    /// The port of a bind address that names none (`-b 0.0.0.0`).
    pub bind_port: Option<Default>,
    /// The host of the default bind when [`Setting::DefaultPort`] is set.
    pub default_port_host: Option<Default>,
    pub workers: Option<Default>,
    pub keep_alive: Option<Default>,
    pub proxy_headers: Option<Default>,
    pub forwarded_allow_ips: Option<Default>,
    pub umask: Option<Default>,
    /// The mode of a Unix socket it creates.
    pub socket_mode: Option<Default>,
    /// It daemonizes unless told not to.
    pub daemonizes: Option<Default>,
}

const NONE: Defaults = Defaults {
    host: None,
    port: None,
    bind_port: None,
    default_port_host: None,
    workers: None,
    keep_alive: None,
    proxy_headers: None,
    forwarded_allow_ips: None,
    umask: None,
    socket_mode: None,
    daemonizes: None,
};

/// How a help text tells the server to listen, in its own syntax. `{host}`, `{port}`,
/// `{hostport}` (`host:port`, an IPv6 host in brackets) and `{path}` are filled in.
#[derive(Debug, Clone, Copy)]
pub struct Hints {
    /// To bind a host (and port): `--host {host}`.
    pub bind: &'static str,
    /// To listen on a host and a port; `None`: as [`Hints::bind`].
    pub listen: Option<&'static str>,
    /// To listen on a Unix socket.
    pub uds: &'static str,
}

/// How long the server keeps an idle connection open, as a help text names it.
#[derive(Debug, Clone, Copy)]
pub struct KeepAlive {
    /// The setting, as a finding names it (`uvicorn's \`timeout_keep_alive\``).
    pub setting: &'static str,
    /// Milliseconds in one unit of the setting.
    pub unit_ms: f64,
    /// A value of 0 turns it off (it never closes an idle connection first).
    pub zero_is_off: bool,
    /// Only workers of these classes keep connections alive (gunicorn's sync worker
    /// closes each); empty: every worker.
    pub worker_classes: &'static [&'static str],
    /// How to raise it: `{s}` is seconds, `{ms}` milliseconds, `{ms_headers}` a second more.
    pub raise: &'static str,
}

/// Whether a server runs its workers as child processes (which supervisord must stop
/// with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Children {
    /// Always (gunicorn's arbiter).
    Always,
    /// With more than one worker.
    Workers,
    /// Not that gen models.
    Never,
}

/// One app server.
#[derive(Debug)]
pub struct Row {
    pub server: Server,
    /// How a finding names it: the name of its program.
    pub name: &'static str,
    /// How prose names it (`uWSGI`, `a Python script`).
    pub title: &'static str,
    /// The names its program is run by (the last part of the path).
    pub programs: &'static [&'static str],
    /// Versioned names: a prefix, a version of digits and dots (possibly empty), a suffix
    /// (`python3.12`, Debian's `php-fpm8.2`, Alpine's `php-fpm82`, `php8.2-fpm`).
    pub versioned: &'static [(&'static str, &'static str)],
    /// Programs that start it from a project file (`npm start` through `package.json`).
    pub launchers: &'static [&'static str],
    /// The packages that install its programs, where gen can see the install (none for
    /// PHP-FPM, whose programs and packages carry the PHP version in their names).
    pub packages: &'static [Package],
    /// `python -m NAME` runs it.
    pub python_module: bool,
    pub reader: Reader,
    /// Options without a value, and what each says.
    pub flags: &'static [(&'static str, Flag)],
    /// Options with a value (`--port 8000`, `--port=8000`, `-b0.0.0.0`), and what each sets.
    pub options: &'static [(&'static str, Setting)],
    /// Environment variables it reads, in the order it prefers them, and what each sets.
    pub env: &'static [(&'static str, Setting)],
    /// Environment variables that set an option of its own config, by the option's name
    /// (uWSGI's `UWSGI_SOCKET`).
    pub option_env: &'static [(&'static str, &'static str)],
    /// Settings of its own config the model keeps by name ([`crate::model::App::settings`]).
    pub settings: &'static [&'static str],
    /// The config file it reads from its working directory when no option names one.
    pub config_file: Option<&'static str>,
    /// It opens an IPv4 socket for any host that is not an IPv6 literal, so `localhost`
    /// is `127.0.0.1` alone (gunicorn 23's and hypercorn 0.17's `socket.AF_INET6 if ":"
    /// in host else socket.AF_INET`); otherwise it may bind every address a name
    /// resolves to (uvicorn's `loop.create_server`).
    pub names_bind_ipv4: bool,
    pub defaults: Defaults,
    pub hints: Hints,
    /// How to tell it to speak a protocol at its address.
    pub protocol_hints: &'static [(Protocol, &'static str)],
    pub keep_alive: Option<KeepAlive>,
    /// Whether its workers are child processes.
    pub children: Children,
    /// What decides whether it trusts a proxy's `X-Forwarded-*`, as a finding names it.
    pub proxy_trust: Option<&'static str>,
    /// How to keep it in the foreground when its config daemonizes it: (what it is called,
    /// the help).
    pub daemon_help: Option<(&'static str, &'static str)>,
}

/// Python's, a help text's syntax for `uvicorn.run(...)` and the scripts.
const PYTHON_HINTS: Hints = Hints {
    bind: "`host=\"{host}\"`",
    listen: Some("`host=\"{host}\", port={port}`"),
    uds: "`{path}`",
};

/// A package that puts programs gen knows in a `bin` directory: a pip package and its
/// console scripts, or a program of the base image or the distribution's packages.
#[derive(Debug)]
pub struct Package {
    /// Its name on PyPI, normalized; `None` where gen knows no pip package for it.
    pub pip: Option<&'static str>,
    /// The programs it installs (a pip package's console scripts, from its
    /// `entry_points.txt`).
    pub programs: &'static [&'static str],
    /// A word that a RUN installing it some other way names: the distributions' packages
    /// of the programs contain it (Debian's `gunicorn`, `uwsgi-core`, `python3-hypercorn`,
    /// `daphne`; Alpine's `py3-gunicorn`), and so does any installer gen does not follow.
    pub family: &'static str,
    /// The app lists it in its requirements (a server, a framework), rather than the
    /// image installing it as a tool of its own (supervisord, from a distribution or pip).
    pub app_dependency: bool,
}

const fn pip(
    name: &'static str,
    programs: &'static [&'static str],
    family: &'static str,
) -> Package {
    Package {
        pip: Some(name),
        programs,
        family,
        app_dependency: true,
    }
}

const fn other(programs: &'static [&'static str], family: &'static str) -> Package {
    Package {
        pip: None,
        programs,
        family,
        app_dependency: false,
    }
}

/// The packages of programs gen knows that are no app server: supervisord, nginx, the
/// frameworks' command-line tools, the shell.
pub static OTHER_PACKAGES: [Package; 7] = [
    Package {
        app_dependency: false,
        ..pip(
            "supervisor",
            &[
                "supervisord",
                "supervisorctl",
                "pidproxy",
                "echo_supervisord_conf",
            ],
            "supervisor",
        )
    },
    // fastapi 0.112 and later install `fastapi` themselves; fastapi-cli's first releases
    // (0.0.4) did, which fastapi 0.111 depended on.
    pip("fastapi", &["fastapi"], "fastapi"),
    pip("fastapi-cli", &["fastapi"], "fastapi"),
    pip("flask", &["flask"], "flask"),
    pip("django", &["django-admin"], "django"),
    other(&["nginx"], "nginx"),
    other(&["bash"], "bash"),
];

/// Every package gen knows the programs of: the servers' and the others.
pub fn packages() -> impl Iterator<Item = &'static Package> {
    SERVERS
        .iter()
        .flat_map(|r| r.packages)
        .chain(&OTHER_PACKAGES)
}

/// The console scripts `pip install NAME` puts in a `bin` directory (NAME normalized);
/// `None` for a package gen does not know.
#[must_use]
pub fn pip_scripts(name: &str) -> Option<&'static [&'static str]> {
    packages().find(|p| p.pip == Some(name)).map(|p| p.programs)
}

/// The packages that install a program, by the name it is run by.
pub fn installing(program: &str) -> impl Iterator<Item = &'static Package> + '_ {
    packages().filter(move |p| p.programs.contains(&program))
}

/// Every server gen models, in [`Server`]'s order.
pub static SERVERS: [Row; 8] = [
    Row {
        server: Server::Uvicorn,
        name: "uvicorn",
        title: "uvicorn",
        programs: &["uvicorn"],
        versioned: &[],
        launchers: &[],
        packages: &[pip("uvicorn", &["uvicorn"], "uvicorn")],
        python_module: true,
        reader: Reader::CommandLine,
        flags: &[
            ("--reload", Flag::Inert),
            ("--factory", Flag::Factory),
            ("--proxy-headers", Flag::ProxyHeaders(true)),
            ("--no-proxy-headers", Flag::ProxyHeaders(false)),
            ("--server-header", Flag::Inert),
            ("--no-server-header", Flag::Inert),
            ("--date-header", Flag::Inert),
            ("--no-date-header", Flag::Inert),
            ("--use-colors", Flag::Inert),
            ("--no-use-colors", Flag::Inert),
            ("--access-log", Flag::Inert),
            ("--no-access-log", Flag::Inert),
            ("--version", Flag::Inert),
            ("--help", Flag::Inert),
            ("--reset-contextvars", Flag::Inert),
            ("--no-reset-contextvars", Flag::Inert),
            ("--lifespan-off", Flag::Inert),
        ],
        options: &[
            ("--host", Setting::Host),
            ("--port", Setting::Port),
            ("--uds", Setting::Uds),
            ("--fd", Setting::Fd),
            ("--timeout-keep-alive", Setting::KeepAlive),
            ("--app-dir", Setting::Chdir),
            // `--proxy-headers=false`.
            ("--proxy-headers", Setting::ProxyHeaders),
            ("--workers", Setting::Workers),
            ("--forwarded-allow-ips", Setting::ForwardedAllowIps),
            ("--root-path", Setting::RootPath),
        ],
        env: &[
            ("UVICORN_UDS", Setting::Uds),
            ("UVICORN_HOST", Setting::Host),
            ("UVICORN_PORT", Setting::Port),
            ("UVICORN_ROOT_PATH", Setting::RootPath),
            // Its command line reads `UVICORN_<OPTION>` (click's `auto_envvar_prefix`) as
            // the option, ahead of the variables its `Config` falls back on when the
            // option is unset (uvicorn 0.54's `config.py`).
            ("UVICORN_WORKERS", Setting::Workers),
            ("WEB_CONCURRENCY", Setting::Workers),
            ("UVICORN_FORWARDED_ALLOW_IPS", Setting::ForwardedAllowIps),
            ("FORWARDED_ALLOW_IPS", Setting::ForwardedAllowIps),
        ],
        option_env: &[],
        settings: &[],
        config_file: None,
        names_bind_ipv4: false,
        defaults: Defaults {
            host: Some(d("127.0.0.1", "uvicorn's default host")),
            port: Some(d("8000", "uvicorn's default port")),
            workers: Some(d("1", "uvicorn runs one worker by default")),
            keep_alive: Some(d("5", "uvicorn's default keep-alive timeout (s)")),
            proxy_headers: Some(d("true", "uvicorn trusts proxy headers by default")),
            // 0.53 added `::1` (uvicorn's `config.py`); before it, `127.0.0.1` alone. An
            // install gen sees rarely names its version, so the later default is taken: it
            // covers more, and an older uvicorn behind nginx on `::1` is a miss, never a
            // false finding.
            forwarded_allow_ips: Some(d(
                "127.0.0.1,::1",
                "uvicorn (0.53 and later) trusts forwarded headers from 127.0.0.1 and ::1 by default",
            )),
            ..NONE
        },
        hints: Hints {
            bind: "`--host {host}`",
            listen: Some("`--host {host} --port {port}`"),
            uds: "`--uds {path}`",
        },
        protocol_hints: &[],
        keep_alive: Some(KeepAlive {
            setting: "uvicorn's `timeout_keep_alive`",
            unit_ms: 1000.0,
            zero_is_off: false,
            worker_classes: &[],
            raise: "pass `--timeout-keep-alive {s}`",
        }),
        children: Children::Workers,
        proxy_trust: Some("uvicorn"),
        daemon_help: None,
    },
    Row {
        server: Server::Gunicorn,
        name: "gunicorn",
        title: "gunicorn",
        programs: &["gunicorn"],
        versioned: &[],
        launchers: &[],
        packages: &[pip("gunicorn", &["gunicorn"], "gunicorn")],
        python_module: true,
        reader: Reader::CommandLine,
        flags: &[
            ("--reload", Flag::Inert),
            ("--preload", Flag::Inert),
            ("-D", Flag::Daemon),
            ("--daemon", Flag::Daemon),
            ("--check-config", Flag::Inert),
            ("--print-config", Flag::Inert),
            ("--spew", Flag::Inert),
            ("--capture-output", Flag::Inert),
            ("--enable-stdio-inheritance", Flag::Inert),
            ("--no-sendfile", Flag::Inert),
            ("--reuse-port", Flag::Inert),
            ("--strip-header-spaces", Flag::Inert),
            ("--do-handshake-on-connect", Flag::Inert),
            ("-R", Flag::Inert),
            ("--help", Flag::Inert),
            ("-v", Flag::Inert),
            ("--version", Flag::Inert),
        ],
        options: &[
            ("--keep-alive", Setting::KeepAlive),
            ("-b", Setting::Bind),
            ("--bind", Setting::Bind),
            ("-c", Setting::Config),
            ("--config", Setting::Config),
            ("--chdir", Setting::Chdir),
            ("-m", Setting::Umask),
            ("--umask", Setting::Umask),
            ("-u", Setting::User),
            ("--user", Setting::User),
            ("--pythonpath", Setting::PythonPath),
            ("-w", Setting::Workers),
            ("--workers", Setting::Workers),
            ("-k", Setting::WorkerClass),
            ("--worker-class", Setting::WorkerClass),
            ("--forwarded-allow-ips", Setting::ForwardedAllowIps),
        ],
        // It reads its config file, then GUNICORN_CMD_ARGS, then the command line, each
        // overriding the one before; PORT, WEB_CONCURRENCY and FORWARDED_ALLOW_IPS only
        // change the defaults (gunicorn 23's `config.py`). Not `UVICORN_*`: its uvicorn
        // worker takes gunicorn's own `forwarded_allow_ips`.
        env: &[
            ("GUNICORN_CMD_ARGS", Setting::CommandLine),
            ("PORT", Setting::DefaultPort),
            ("WEB_CONCURRENCY", Setting::Workers),
            ("FORWARDED_ALLOW_IPS", Setting::ForwardedAllowIps),
        ],
        option_env: &[],
        settings: &[],
        config_file: Some("gunicorn.conf.py"),
        names_bind_ipv4: true,
        defaults: Defaults {
            host: Some(d("127.0.0.1", "gunicorn's default bind")),
            port: Some(d("8000", "gunicorn's default bind")),
            bind_port: Some(d("8000", "gunicorn's default port")),
            default_port_host: Some(d(
                "0.0.0.0",
                "gunicorn binds 0.0.0.0:$PORT when PORT is set",
            )),
            workers: Some(d("1", "gunicorn runs one worker by default")),
            keep_alive: Some(d("2", "gunicorn's default keep-alive (s)")),
            // gunicorn 22 added ::1 to its default.
            forwarded_allow_ips: Some(d(
                "127.0.0.1,::1",
                "gunicorn trusts forwarded headers from 127.0.0.1,::1 by default",
            )),
            umask: Some(d("0", "gunicorn's default umask")),
            ..NONE
        },
        hints: Hints {
            bind: "`--bind {hostport}`",
            listen: None,
            uds: "`--bind unix:{path}`",
        },
        protocol_hints: &[],
        keep_alive: Some(KeepAlive {
            setting: "gunicorn's `--keep-alive`",
            unit_ms: 1000.0,
            zero_is_off: false,
            worker_classes: &["uvicorn", "gthread", "gevent", "eventlet", "tornado"],
            raise: "pass `--keep-alive {s}`",
        }),
        children: Children::Always,
        proxy_trust: Some("gunicorn"),
        daemon_help: Some((
            "gunicorn",
            "remove `daemon = True` from gunicorn's config: it stays in the foreground by default",
        )),
    },
    Row {
        server: Server::Hypercorn,
        name: "hypercorn",
        title: "hypercorn",
        programs: &["hypercorn"],
        versioned: &[],
        launchers: &[],
        packages: &[pip("hypercorn", &["hypercorn"], "hypercorn")],
        python_module: true,
        reader: Reader::CommandLine,
        flags: &[
            ("--reload", Flag::Inert),
            ("--debug", Flag::Inert),
            ("--help", Flag::Inert),
            ("-h", Flag::Inert),
            ("--version", Flag::Inert),
            ("--verbose", Flag::Inert),
        ],
        options: &[
            ("-b", Setting::Bind),
            ("--bind", Setting::Bind),
            ("-c", Setting::Config),
            ("--config", Setting::Config),
            ("--insecure-bind", Setting::OtherListen),
            ("--quic-bind", Setting::OtherListen),
            ("-w", Setting::Workers),
            ("--workers", Setting::Workers),
            ("-k", Setting::WorkerClass),
            ("--worker-class", Setting::WorkerClass),
            ("--root-path", Setting::RootPath),
        ],
        // It reads no environment variable for where or how it serves (hypercorn 0.17,
        // daphne 4: `WEB_CONCURRENCY` and `FORWARDED_ALLOW_IPS` are gunicorn's and
        // uvicorn's).
        env: &[],
        option_env: &[],
        settings: &[],
        config_file: None,
        names_bind_ipv4: true,
        defaults: Defaults {
            host: Some(d("127.0.0.1", "hypercorn's default bind")),
            port: Some(d("8000", "hypercorn's default bind")),
            bind_port: Some(d("8000", "hypercorn's default port")),
            workers: Some(d("1", "hypercorn runs one worker by default")),
            ..NONE
        },
        hints: Hints {
            bind: "`--bind {hostport}`",
            listen: None,
            uds: "`--bind unix:{path}`",
        },
        protocol_hints: &[],
        keep_alive: None,
        children: Children::Workers,
        proxy_trust: None,
        daemon_help: None,
    },
    Row {
        server: Server::Daphne,
        name: "daphne",
        title: "daphne",
        programs: &["daphne"],
        versioned: &[],
        launchers: &[],
        packages: &[pip("daphne", &["daphne"], "daphne")],
        python_module: true,
        reader: Reader::CommandLine,
        flags: &[
            ("--proxy-headers", Flag::ProxyHeaders(true)),
            ("--help", Flag::Inert),
            ("-h", Flag::Inert),
            ("--no-server-name", Flag::Inert),
            ("-s", Flag::Inert),
        ],
        options: &[
            ("-b", Setting::Host),
            ("--bind", Setting::Host),
            ("-p", Setting::Port),
            ("--port", Setting::Port),
            ("-u", Setting::Uds),
            ("--unix-socket", Setting::Uds),
            ("--fd", Setting::Fd),
            ("-e", Setting::OtherListen),
            ("--endpoint", Setting::OtherListen),
            ("--root-path", Setting::RootPath),
        ],
        // It reads no environment variable for where or how it serves (hypercorn 0.17,
        // daphne 4: `WEB_CONCURRENCY` and `FORWARDED_ALLOW_IPS` are gunicorn's and
        // uvicorn's).
        env: &[],
        option_env: &[],
        settings: &[],
        config_file: None,
        names_bind_ipv4: false,
        defaults: Defaults {
            host: Some(d("127.0.0.1", "daphne's default bind")),
            port: Some(d("8000", "daphne's default port")),
            workers: Some(d("1", "daphne runs one worker by default")),
            ..NONE
        },
        hints: Hints {
            bind: "`-b {host} -p {port}`",
            listen: None,
            uds: "`-u {path}`",
        },
        protocol_hints: &[],
        keep_alive: None,
        children: Children::Never,
        proxy_trust: None,
        daemon_help: None,
    },
    Row {
        server: Server::Uwsgi,
        name: "uwsgi",
        title: "uWSGI",
        programs: &["uwsgi", "uwsgi-core", "pyuwsgi"],
        versioned: &[],
        launchers: &[],
        packages: &[
            pip("uwsgi", &["uwsgi"], "uwsgi"),
            // uWSGI as a binary wheel: the same `uwsgi` command, and its own name.
            pip("pyuwsgi", &["uwsgi", "pyuwsgi"], "uwsgi"),
        ],
        python_module: false,
        reader: Reader::ConfigFiles,
        // Its command line is read as options of its config (`parse::app::uwsgi_args`).
        flags: &[],
        options: &[],
        env: &[],
        // Read before its command line.
        option_env: &[
            ("UWSGI_SOCKET", "socket"),
            ("UWSGI_UWSGI_SOCKET", "uwsgi-socket"),
            ("UWSGI_HTTP_SOCKET", "http-socket"),
            ("UWSGI_HTTP", "http"),
            ("UWSGI_INI", "ini"),
            ("UWSGI_YAML", "yaml"),
            ("UWSGI_MODULE", "module"),
            ("UWSGI_CHMOD_SOCKET", "chmod-socket"),
            ("UWSGI_CHOWN_SOCKET", "chown-socket"),
            ("UWSGI_PROTOCOL", "protocol"),
        ],
        settings: &[
            "master",
            "die-on-term",
            "need-app",
            "daemonize",
            "uid",
            "gid",
            "callable",
            "wsgi-file",
            "module",
            "lazy-apps",
            // What else decides which app is loaded, and from where (for the entry-point
            // check): [`UWSGI_OTHER_APP_OPTIONS`].
            "wsgi",
            "file",
            "mount",
            "paste",
            "eval",
            "pythonpath",
            "pp",
            "python-path",
        ],
        config_file: None,
        names_bind_ipv4: false,
        defaults: NONE,
        hints: Hints {
            bind: "`socket = {hostport}`",
            listen: None,
            uds: "`socket = {path}`",
        },
        protocol_hints: &[
            (Protocol::Http, "`http-socket` instead of `socket`"),
            (Protocol::Uwsgi, "`socket` instead of `http-socket`"),
            (Protocol::FastCgi, "`fastcgi-socket`"),
        ],
        keep_alive: None,
        children: Children::Never,
        proxy_trust: None,
        daemon_help: Some((
            "uwsgi",
            "remove `daemonize` from uWSGI's config: supervisord must stay its parent (log to stdout instead)",
        )),
    },
    Row {
        server: Server::PhpFpm,
        name: "php-fpm",
        title: "PHP-FPM",
        programs: &[],
        versioned: &[("php-fpm", ""), ("php", "-fpm")],
        launchers: &[],
        packages: &[],
        python_module: false,
        reader: Reader::ConfigFiles,
        flags: &[
            ("-F", Flag::Foreground),
            ("--nodaemonize", Flag::Foreground),
            ("-D", Flag::Daemon),
            ("--daemonize", Flag::Daemon),
            ("-p", Flag::Unknowable),
            ("--prefix", Flag::Unknowable),
        ],
        options: &[
            ("-y", Setting::Config),
            ("--fpm-config", Setting::Config),
            ("-c", Setting::Inert),
            ("-d", Setting::Inert),
            ("-g", Setting::Inert),
            ("--php-ini", Setting::Inert),
            ("--define", Setting::Inert),
            ("--pid", Setting::Inert),
        ],
        env: &[],
        option_env: &[],
        // Per pool: `www.clear_env`.
        settings: &[
            "clear_env",
            "catch_workers_output",
            "access.log",
            "slowlog",
            "php_admin_value[error_log]",
        ],
        config_file: None,
        names_bind_ipv4: false,
        defaults: Defaults {
            socket_mode: Some(d("0660", "PHP-FPM's default `listen.mode`")),
            daemonizes: Some(d(
                "yes",
                "PHP-FPM daemonizes unless `daemonize = no` or `-F`",
            )),
            ..NONE
        },
        hints: Hints {
            bind: "`listen = {hostport}`",
            listen: None,
            uds: "`listen = {path}`",
        },
        protocol_hints: &[],
        keep_alive: None,
        children: Children::Never,
        proxy_trust: None,
        daemon_help: Some((
            "php-fpm",
            "add `-F` (`--nodaemonize`) to the command, or set `daemonize = no` in the `[global]` section",
        )),
    },
    Row {
        server: Server::Python,
        name: "python",
        title: "a Python script",
        programs: &[],
        versioned: &[("python", "")],
        launchers: &[],
        // `python3-pip` brings `python3`: any RUN that names `python` may install it.
        packages: &[other(&["python3", "python"], "python")],
        python_module: false,
        reader: Reader::Script,
        flags: &[],
        options: &[],
        env: &[],
        option_env: &[],
        settings: &[],
        config_file: None,
        names_bind_ipv4: false,
        defaults: NONE,
        hints: PYTHON_HINTS,
        protocol_hints: &[],
        keep_alive: None,
        children: Children::Never,
        proxy_trust: None,
        daemon_help: None,
    },
    Row {
        server: Server::Node,
        name: "node",
        title: "node",
        programs: &["node", "nodejs"],
        versioned: &[],
        launchers: &["npm", "yarn"],
        packages: &[other(&["node"], "node"), other(&["npm"], "npm")],
        python_module: false,
        reader: Reader::Script,
        flags: &[],
        options: &[],
        env: &[],
        option_env: &[],
        settings: &[],
        config_file: None,
        names_bind_ipv4: false,
        defaults: Defaults {
            // `listen()` without a port takes a random one: no default.
            host: Some(d(
                "::",
                "Node listens on every address when `listen` has no host",
            )),
            keep_alive: Some(d("5000", "Node's default keepAliveTimeout (ms)")),
            ..NONE
        },
        hints: Hints {
            bind: "`listen({port}, \"{host}\")`",
            listen: None,
            uds: "`listen(\"{path}\")`",
        },
        protocol_hints: &[],
        keep_alive: Some(KeepAlive {
            setting: "Node's `server.keepAliveTimeout`",
            unit_ms: 1.0,
            zero_is_off: true,
            worker_classes: &[],
            raise: "set `server.keepAliveTimeout = {ms}; server.headersTimeout = {ms_headers};`",
        }),
        children: Children::Never,
        proxy_trust: Some("Express"),
        daemon_help: None,
    },
];

/// uWSGI's options that load the app some other way than `module` or `wsgi-file`, or
/// from somewhere else than its working directory.
pub const UWSGI_OTHER_APP_OPTIONS: [&str; 8] = [
    "wsgi",
    "file",
    "mount",
    "paste",
    "eval",
    "pythonpath",
    "pp",
    "python-path",
];

/// uWSGI's options that name the app, in the order the model takes them.
pub const UWSGI_APP_OPTIONS: [&str; 5] = ["module", "wsgi", "wsgi-file", "file", "mount"];

/// A program with no row that never listens (a worker, a scheduler): its app being
/// without a listen does not make the picture incomplete. With words: only when one of
/// them is on its command line (`celery worker`).
pub const NEVER_LISTENS: [(&str, &[&str]); 9] = [
    ("cron", &[]),
    ("crond", &[]),
    ("sleep", &[]),
    ("tail", &[]),
    ("logrotate", &[]),
    ("rq", &[]),
    ("dramatiq", &[]),
    ("huey_consumer", &[]),
    ("celery", &["worker", "beat"]),
];

/// A call in an app's source that starts a server in-process: the server it makes the
/// app, the environment variables that server reads, and its defaults (where it listens
/// when the call does not say, and the settings a call may leave out).
#[derive(Debug)]
pub struct Call {
    pub kind: ListenKind,
    pub server: Server,
    pub env: &'static [(&'static str, Setting)],
    pub defaults: Defaults,
}

/// The listening calls of Python sources (Node's `listen` takes Node's row).
pub static CALLS: [Call; 3] = [
    Call {
        kind: ListenKind::UvicornRun,
        server: Server::Uvicorn,
        // Not the `UVICORN_*` variables: the command line reads those.
        env: &[("FORWARDED_ALLOW_IPS", Setting::ForwardedAllowIps)],
        defaults: Defaults {
            host: Some(d("127.0.0.1", "uvicorn.run's default")),
            port: Some(d("8000", "uvicorn.run's default")),
            // As Python writes it.
            proxy_headers: Some(d("True", "uvicorn trusts proxy headers by default")),
            keep_alive: Some(d("5", "uvicorn's default keep-alive timeout (s)")),
            // 0.53 added `::1` (uvicorn's `config.py`); before it, `127.0.0.1` alone. An
            // install gen sees rarely names its version, so the later default is taken: it
            // covers more, and an older uvicorn behind nginx on `::1` is a miss, never a
            // false finding.
            forwarded_allow_ips: Some(d(
                "127.0.0.1,::1",
                "uvicorn (0.53 and later) trusts forwarded headers from 127.0.0.1 and ::1 by default",
            )),
            ..NONE
        },
    },
    Call {
        kind: ListenKind::AppRun,
        server: Server::Python,
        env: &[],
        defaults: Defaults {
            host: Some(d("127.0.0.1", "Flask's development server default")),
            port: Some(d("5000", "Flask's development server default")),
            ..NONE
        },
    },
    Call {
        kind: ListenKind::RunApp,
        server: Server::Python,
        env: &[],
        defaults: Defaults {
            host: Some(d("0.0.0.0", "aiohttp's run_app default")),
            port: Some(d("8080", "aiohttp's run_app default")),
            ..NONE
        },
    },
];

impl Call {
    /// The call of this kind.
    #[must_use]
    pub fn of(kind: ListenKind) -> Option<&'static Self> {
        CALLS.iter().find(|c| c.kind == kind)
    }

    /// The environment variables that set `setting`.
    pub fn vars(&self, setting: Setting) -> impl Iterator<Item = &'static str> {
        self.env
            .iter()
            .filter(move |(_, s)| *s == setting)
            .map(|(v, _)| *v)
    }
}

/// How a wrapper in front of a command is seen through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// `exec CMD`.
    Exec,
    /// `env [-i] [A=b]... CMD`.
    Env,
    /// `tini [-s] -- CMD`: options, up to `--`.
    Init,
    /// `gosu USER CMD`.
    User,
    /// `chpst [-u user] [-v] CMD`, `sudo [-u user] [-E] CMD`: options, of which those
    /// named take a value (`-u app`, `-uapp`), up to `--` or the command.
    Options(&'static str),
    /// `poetry run [--opt] CMD`: a project tool that runs the command in its environment.
    Run,
}

/// Who sees through a wrapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenBy {
    /// The model's command lines and the server reader.
    All,
    /// The model's command lines: the program is the command after it.
    Model,
    /// The server reader only: `poetry run` stays the program's command (its first word),
    /// but the server it runs is read.
    Servers,
}

/// The wrappers that run the rest of a command line as the command.
pub static WRAPPERS: [(&str, Wrap, SeenBy); 15] = [
    ("exec", Wrap::Exec, SeenBy::All),
    ("env", Wrap::Env, SeenBy::All),
    ("nohup", Wrap::Exec, SeenBy::Model),
    // runit's: `-u`, `-U`, `-b`, `-e`, `-/`, `-n`, `-l`, `-L`, `-m`, `-d`, `-o`, `-p`,
    // `-f`, `-c` take a value.
    ("chpst", Wrap::Options("uUbe/nlLmdopfc"), SeenBy::Model),
    // `-u`, `-g`, `-C`, `-D`, `-h`, `-p`, `-r`, `-t`, `-T`, `-U` take a value.
    ("sudo", Wrap::Options("ugCDhprtTU"), SeenBy::Model),
    ("tini", Wrap::Init, SeenBy::Model),
    ("dumb-init", Wrap::Init, SeenBy::Model),
    ("catatonit", Wrap::Init, SeenBy::Model),
    ("gosu", Wrap::User, SeenBy::Model),
    ("su-exec", Wrap::User, SeenBy::Model),
    ("poetry", Wrap::Run, SeenBy::Servers),
    ("uv", Wrap::Run, SeenBy::Servers),
    ("pipenv", Wrap::Run, SeenBy::Servers),
    ("pdm", Wrap::Run, SeenBy::Servers),
    ("hatch", Wrap::Run, SeenBy::Servers),
];

/// Where the command starts after the wrappers from `word(i)` on (`i` when there are
/// none), for the model's command lines ([`SeenBy::Model`]) or the server reader
/// ([`SeenBy::Servers`]).
pub fn skip_wrappers<'a>(
    word: impl Fn(usize) -> Option<&'a str>,
    mut i: usize,
    by: SeenBy,
) -> usize {
    while let Some(w) = word(i) {
        let name = basename(w);
        let wrap = WRAPPERS
            .iter()
            .find(|(n, _, seen)| *n == name && (*seen == SeenBy::All || *seen == by));
        match wrap.map(|(_, wrap, _)| *wrap) {
            Some(Wrap::Exec) => i += 1,
            Some(Wrap::Env) => {
                i += 1;
                while let Some(a) = word(i).filter(|a| a.starts_with('-') || a.contains('=')) {
                    i += 1;
                    // `env -u NAME`, `env -C DIR`: the next word is the option's value.
                    if matches!(a, "-u" | "--unset" | "-C" | "--chdir") {
                        i += 1;
                    }
                }
            }
            Some(Wrap::Init) => {
                i += 1;
                while let Some(a) = word(i) {
                    if a == "--" {
                        i += 1;
                        break;
                    }
                    if !a.starts_with('-') {
                        break;
                    }
                    i += 1;
                }
            }
            Some(Wrap::User) => i += 2,
            Some(Wrap::Options(valued)) => {
                i += 1;
                while let Some(a) = word(i) {
                    if a == "--" {
                        i += 1;
                        break;
                    }
                    let Some(opts) = a.strip_prefix('-').filter(|o| !o.is_empty()) else {
                        break;
                    };
                    i += 1;
                    // `-u app`: the value is the next word; `-uapp`, `--user=app`: this one.
                    let first = opts.chars().next().unwrap_or('-');
                    if !opts.starts_with('-') && valued.contains(first) && opts.len() == 1 {
                        i += 1;
                    }
                }
            }
            Some(Wrap::Run) if word(i + 1) == Some("run") => {
                i += 2;
                while word(i).is_some_and(|a| a.starts_with('-')) {
                    i += 1;
                }
            }
            Some(Wrap::Run) | None => break,
        }
    }
    i
}

/// How a wrapper is seen through, by its program name (or path); `None` for a command
/// that is no wrapper.
#[must_use]
pub fn wrapper(word: &str) -> Option<Wrap> {
    let name = basename(word);
    WRAPPERS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, w, _)| *w)
}

impl Server {
    /// Its row of [`SERVERS`].
    #[must_use]
    pub fn row(self) -> &'static Row {
        &SERVERS[self as usize]
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The server a program name (or path) runs, by [`Row::programs`] and
    /// [`Row::versioned`]; launchers (`npm`) not included.
    #[must_use]
    pub fn of_program(word: &str) -> Option<Self> {
        let b = basename(word);
        SERVERS.iter().find(|r| r.runs(b)).map(|r| r.server)
    }

    /// The command-line server `python -m NAME` runs.
    #[must_use]
    pub fn of_module(name: &str) -> Option<Self> {
        SERVERS
            .iter()
            .find(|r| r.python_module && r.programs.contains(&name))
            .map(|r| r.server)
    }
}

impl Row {
    /// Whether a program's name (the last part of its path) runs this server.
    #[must_use]
    pub fn runs(&self, name: &str) -> bool {
        self.programs.contains(&name)
            || self.versioned.iter().any(|(pre, suf)| {
                name.strip_prefix(pre)
                    .and_then(|v| v.strip_suffix(suf))
                    .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
            })
    }

    /// Whether a program's name runs it, or launches it (`npm`).
    #[must_use]
    pub fn runs_or_launches(&self, name: &str) -> bool {
        self.runs(name) || self.launchers.contains(&name)
    }

    /// What flag `word` is, written whole.
    #[must_use]
    pub fn flag(&self, word: &str) -> Option<Flag> {
        self.flags.iter().find(|(n, _)| *n == word).map(|(_, f)| *f)
    }

    /// What option `name` sets (`--port`, `-b`).
    #[must_use]
    pub fn option(&self, name: &str) -> Option<Setting> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }

    /// The environment variables that set `setting`, in the order it prefers them.
    pub fn vars(&self, setting: Setting) -> impl Iterator<Item = &'static str> {
        self.env
            .iter()
            .filter(move |(_, s)| *s == setting)
            .map(|(v, _)| *v)
    }

    /// How to tell it to speak `protocol`.
    #[must_use]
    pub fn protocol_hint(&self, protocol: Protocol) -> Option<&'static str> {
        self.protocol_hints
            .iter()
            .find(|(p, _)| *p == protocol)
            .map(|(_, h)| *h)
    }
}

/// Whether a program name is Python's interpreter (`python`, `/usr/bin/python3.12`).
#[must_use]
pub fn is_python(word: &str) -> bool {
    Server::Python.row().runs(basename(word))
}

/// The hint syntax of the app's server. uvicorn started by a script (`uvicorn.run`, or
/// `python -m uvicorn`) is told in Python's; a program with no row: `None`.
fn hints(app: &App) -> Option<&'static Hints> {
    let row = app.runtime.row()?;
    let by_name = app
        .command
        .first()
        .is_some_and(|w| basename(&w.value) == row.name);
    if row.server == Server::Uvicorn && !by_name {
        return Some(&Server::Python.row().hints);
    }
    Some(&row.hints)
}

/// What the app's server takes to listen on `host` and `port`, for help texts.
#[must_use]
pub fn listen_hint(app: &App, host: &str, port: u16) -> String {
    match hints(app) {
        Some(h) => fill(h.listen.unwrap_or(h.bind), host, port, ""),
        None => format!("`{}`", host_port(host, port)),
    }
}

/// What the app's server takes to bind `host` (and `port`), for help texts.
#[must_use]
pub fn bind_hint(app: &App, host: &str, port: u16) -> String {
    match hints(app) {
        Some(h) => fill(h.bind, host, port, ""),
        None => format!("`{}`", host_port(host, port)),
    }
}

/// How the app's server is told to listen on the Unix socket `path`, for help texts.
#[must_use]
pub fn uds_hint(app: &App, path: &str) -> String {
    match app.runtime.row() {
        Some(row) => fill(row.hints.uds, "", 0, path),
        None => format!("`{path}`"),
    }
}

/// `host:port`, with an IPv6 host in brackets.
#[must_use]
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A hint's template with `{host}`, `{port}`, `{hostport}` and `{path}` filled in.
#[must_use]
pub fn fill(template: &str, host: &str, port: u16, path: &str) -> String {
    let mut out = String::with_capacity(template.len() + host.len() + path.len() + 8);
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (value, len) = if after.starts_with("{hostport}") {
            (host_port(host, port), "{hostport}".len())
        } else if after.starts_with("{host}") {
            (host.to_owned(), "{host}".len())
        } else if after.starts_with("{port}") {
            (port.to_string(), "{port}".len())
        } else if after.starts_with("{path}") {
            (path.to_owned(), "{path}".len())
        } else {
            ("{".to_owned(), 1)
        };
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_the_order_of_the_enum() {
        for (i, row) in SERVERS.iter().enumerate() {
            assert_eq!(row.server as usize, i, "{}", row.name);
        }
    }

    #[test]
    fn program_names() {
        let cases = [
            ("uvicorn", Some(Server::Uvicorn)),
            ("/opt/venv/bin/gunicorn", Some(Server::Gunicorn)),
            ("pyuwsgi", Some(Server::Uwsgi)),
            ("php-fpm", Some(Server::PhpFpm)),
            ("/usr/sbin/php-fpm8.2", Some(Server::PhpFpm)),
            ("php-fpm82", Some(Server::PhpFpm)),
            ("php8.2-fpm", Some(Server::PhpFpm)),
            ("php", None),
            ("php-fpm-exporter", None),
            ("php-fpmx", None),
            ("python", Some(Server::Python)),
            ("/usr/bin/python3.12", Some(Server::Python)),
            ("python3-config", None),
            ("nodejs", Some(Server::Node)),
            ("npm", None),
            ("nginx", None),
        ];
        for (name, want) in cases {
            assert_eq!(Server::of_program(name), want, "{name}");
        }
        assert!(Server::Node.row().runs_or_launches("npm"));
        assert_eq!(Server::of_module("hypercorn"), Some(Server::Hypercorn));
        assert_eq!(Server::of_module("uwsgi"), None);
    }

    #[test]
    fn the_model_keeps_what_the_entry_point_check_reads() {
        let settings = Server::Uwsgi.row().settings;
        for o in UWSGI_OTHER_APP_OPTIONS.iter().chain(&UWSGI_APP_OPTIONS) {
            assert!(settings.contains(o), "{o}");
        }
    }

    #[test]
    fn no_option_is_also_a_flag_but_uvicorns_proxy_headers() {
        for row in &SERVERS {
            for (name, _) in row.flags {
                let both = row.option(name).is_some();
                assert_eq!(
                    both,
                    *name == "--proxy-headers" && row.server == Server::Uvicorn
                );
            }
        }
    }

    #[test]
    fn hints_fill_in() {
        assert_eq!(
            fill(Server::Gunicorn.row().hints.bind, "::1", 8000, ""),
            "`--bind [::1]:8000`"
        );
        assert_eq!(
            fill(Server::Node.row().hints.bind, "0.0.0.0", 3000, ""),
            "`listen(3000, \"0.0.0.0\")`"
        );
        assert_eq!(
            fill(Server::Uvicorn.row().hints.uds, "", 0, "/run/a.sock"),
            "`--uds /run/a.sock`"
        );
        assert_eq!(fill("{x} {host}", "h", 1, ""), "{x} h");
    }

    #[test]
    fn packages_name_their_console_scripts() {
        for p in packages() {
            if let Some(name) = p.pip {
                // As the image model reads requirements: normalized.
                assert_eq!(crate::parse::requirement::normalize(name), name);
                assert_eq!(packages().filter(|q| q.pip == Some(name)).count(), 1);
            }
            assert!(!p.programs.is_empty() && !p.family.is_empty());
        }
        assert_eq!(pip_scripts("pyuwsgi"), Some(&["uwsgi", "pyuwsgi"][..]));
        assert_eq!(pip_scripts("django"), Some(&["django-admin"][..]));
        assert_eq!(pip_scripts("requests"), None);
        let pip_of = |program| {
            installing(program)
                .filter_map(|p| p.pip)
                .collect::<Vec<_>>()
        };
        assert_eq!(pip_of("uwsgi"), ["uwsgi", "pyuwsgi"]);
        assert_eq!(pip_of("daphne"), ["daphne"]);
        assert_eq!(pip_of("fastapi"), ["fastapi", "fastapi-cli"]);
        assert_eq!(pip_of("node"), Vec::<&str>::new());
        assert_eq!(installing("node").count(), 1);
        // PHP-FPM's names carry its version: gen knows no package of it.
        assert_eq!(installing("php-fpm").count(), 0);
    }

    #[test]
    fn wrappers() {
        let at = |line: &str, by: SeenBy| {
            let words: Vec<&str> = line.split(' ').collect();
            skip_wrappers(|i| words.get(i).copied(), 0, by)
        };
        assert_eq!(at("exec env A=1 -i uvicorn", SeenBy::Servers), 4);
        assert_eq!(at("uv run --frozen gunicorn", SeenBy::Servers), 3);
        assert_eq!(at("hatch run x", SeenBy::Servers), 2);
        assert_eq!(at("uv run --frozen gunicorn", SeenBy::Model), 0);
        assert_eq!(at("tini -s -- gosu app uvicorn", SeenBy::Model), 5);
        assert_eq!(at("tini -- uvicorn", SeenBy::Servers), 0);
        assert_eq!(at("poetry install", SeenBy::Servers), 0);
        assert_eq!(at("env -u HOME -C /app A=1 uvicorn", SeenBy::Servers), 6);
        assert_eq!(at("env --unset=HOME uvicorn", SeenBy::Servers), 2);
        assert_eq!(at("nohup gunicorn", SeenBy::Model), 1);
        assert_eq!(at("chpst -u app -v gunicorn", SeenBy::Model), 4);
        assert_eq!(at("chpst -uapp gunicorn", SeenBy::Model), 2);
        assert_eq!(at("sudo -E -u app -- gunicorn", SeenBy::Model), 5);
        assert_eq!(at("sudo --user=app gunicorn", SeenBy::Model), 2);
        assert_eq!(at("sudo gunicorn", SeenBy::Servers), 0);
        assert_eq!(wrapper("/sbin/tini"), Some(Wrap::Init));
        assert_eq!(wrapper("gunicorn"), None);
    }
}
