//! Server command lines: uvicorn, gunicorn, hypercorn and daphne, run directly, through
//! `python -m`, or after `exec`, `env A=b`, `poetry run`, `uv run`, `pipenv run`. Reads the
//! app (`module:attr`), where it binds (`--host`/`--port`/`--uds`/`--fd`, `-b/--bind
//! host:port`, `unix:path`, `fd://n`; daphne's `-b HOST`/`-p PORT`/`-u PATH`/`-e ENDPOINT`),
//! workers, worker class, the directory it imports from (`--chdir`, `--app-dir`), and the
//! proxy settings. Which options and flags each server takes, and what each sets, is its
//! row of the runtime table ([`crate::model::runtime`]).

use crate::model::runtime::{Flag, Reader, SeenBy, Setting, is_python, skip_wrappers};
use crate::parse::span::Span;

pub use crate::model::runtime::Server;

/// One word of a command line, with its span in the file it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub span: Span,
}

/// Where a `-b/--bind` address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindTarget {
    /// `host:port`, `[v6]:port`, or a bare host (port 8000, gunicorn's default).
    Tcp {
        host: String,
        port: Option<u16>,
    },
    Unix(String),
    Fd(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub word: Word,
    pub target: BindTarget,
}

/// What a server command line says. `None` fields are not on the command line: the server's
/// defaults (or its environment, e.g. `UVICORN_PORT`, gunicorn's `PORT`) apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCommand {
    pub server: Server,
    /// The word that names the server (`uvicorn`, `/opt/venv/bin/gunicorn`, or the module
    /// after `-m`).
    pub program: Word,
    /// The application, `module:attr`.
    pub app: Option<Word>,
    /// uvicorn's `--host`.
    pub host: Option<Word>,
    /// uvicorn's `--port`.
    pub port: Option<Word>,
    /// uvicorn's `--uds`.
    pub uds: Option<Word>,
    /// gunicorn's and hypercorn's `-b/--bind`, in order.
    pub binds: Vec<Bind>,
    pub workers: Option<Word>,
    /// `-k/--worker-class`, e.g. `uvicorn.workers.UvicornWorker`.
    pub worker_class: Option<Word>,
    /// uvicorn's `--proxy-headers` (true) or `--no-proxy-headers` (false).
    pub proxy_headers: Option<(bool, Span)>,
    pub forwarded_allow_ips: Option<Word>,
    pub root_path: Option<Word>,
    /// uvicorn's `--timeout-keep-alive`, gunicorn's `--keep-alive` (seconds).
    pub keep_alive: Option<Word>,
    /// gunicorn's `-D/--daemon`: it forks away from supervisord.
    pub daemon: Option<Span>,
    /// gunicorn's and hypercorn's `-c/--config`: settings the command line does not show.
    pub config: Option<Word>,
    /// gunicorn's `--chdir`, uvicorn's `--app-dir`: the directory the app is imported from.
    pub chdir: Option<Word>,
    /// uvicorn's `--factory`: the app names a function that returns the app.
    pub factory: Option<Span>,
    /// gunicorn's `-m/--umask` (the mode of its Unix socket is 0777 without it).
    pub umask: Option<Word>,
    /// gunicorn's `-u/--user`: the socket's owner after it is created.
    pub user: Option<Word>,
    /// gunicorn's `--pythonpath`: more directories the app is imported from.
    pub pythonpath: Option<Word>,
    /// daphne's `-e/--endpoint` (a Twisted endpoint string gen does not read), or hypercorn's
    /// `--insecure-bind`/`--quic-bind`: it listens somewhere gen does not model.
    pub other_listen: Option<Word>,
}

/// Parses `host:port`, `[::1]:port`, `unix:path`, `fd://n`, or a bare host.
#[must_use]
pub fn bind_target(text: &str) -> BindTarget {
    if let Some(path) = text.strip_prefix("unix:") {
        return BindTarget::Unix(path.to_owned());
    }
    if let Some(fd) = text.strip_prefix("fd://") {
        return BindTarget::Fd(fd.to_owned());
    }
    if let Some(rest) = text.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once(']') {
            return BindTarget::Tcp {
                host: host.to_owned(),
                port: port.strip_prefix(':').and_then(|p| p.parse().ok()),
            };
        }
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => BindTarget::Tcp {
            host: host.to_owned(),
            port: port.parse().ok(),
        },
        _ => BindTarget::Tcp {
            host: text.to_owned(),
            port: None,
        },
    }
}

/// Reads a server command line; `None` when it does not run uvicorn, gunicorn or hypercorn.
#[must_use]
pub fn server_command(argv: &[Word]) -> Option<ServerCommand> {
    let i = skip_wrappers(
        |k| argv.get(k).map(|w| w.value.as_str()),
        0,
        SeenBy::Servers,
    );
    let first = argv.get(i)?;
    let (server, program, rest) = if let Some(s) =
        Server::of_program(&first.value).filter(|s| s.row().reader == Reader::CommandLine)
    {
        (s, first.clone(), i + 1)
    } else if is_python(&first.value) {
        let mut j = i + 1;
        while argv
            .get(j)
            .is_some_and(|a| a.value.starts_with('-') && a.value != "-m")
        {
            j += 1;
        }
        let module = argv
            .get(j + 1)
            .filter(|_| argv.get(j).is_some_and(|a| a.value == "-m"))?;
        (Server::of_module(&module.value)?, module.clone(), j + 2)
    } else {
        return None;
    };
    let mut cmd = ServerCommand {
        server,
        program,
        app: None,
        host: None,
        port: None,
        uds: None,
        binds: Vec::new(),
        workers: None,
        worker_class: None,
        proxy_headers: None,
        forwarded_allow_ips: None,
        root_path: None,
        keep_alive: None,
        daemon: None,
        config: None,
        chdir: None,
        factory: None,
        umask: None,
        user: None,
        pythonpath: None,
        other_listen: None,
    };
    let row = server.row();
    let mut j = rest;
    while let Some(w) = argv.get(j) {
        j += 1;
        let text = w.value.as_str();
        if !text.starts_with('-') || text == "-" {
            if cmd.app.is_none() {
                cmd.app = Some(w.clone());
            }
            continue;
        }
        if let Some(flag) = row.flag(text) {
            match flag {
                Flag::ProxyHeaders(on) => cmd.proxy_headers = Some((on, w.span)),
                Flag::Daemon => cmd.daemon = Some(w.span),
                Flag::Factory => cmd.factory = Some(w.span),
                Flag::Inert | Flag::Foreground | Flag::Unknowable => {}
            }
            continue;
        }
        // `--opt=value`, `-bVALUE`, or `--opt value`.
        let (name, value) =
            if let Some((n, v)) = text.split_once('=').filter(|_| text.starts_with("--")) {
                let offset = n.len() + 1;
                let span = Span::new((w.span.start + offset).min(w.span.end), w.span.end);
                let exact = w.span.len() == text.len();
                (
                    n,
                    Word {
                        value: v.to_owned(),
                        span: if exact { span } else { w.span },
                    },
                )
            } else if let Some(cut) = text
                .char_indices()
                .nth(2)
                .map(|(at, _)| at)
                .filter(|_| !text.starts_with("--"))
            {
                // `-b0.0.0.0`: the option is the first two characters (bytes, unless a
                // character is wider).
                let exact = w.span.len() == text.len();
                (
                    &text[..cut],
                    Word {
                        value: text[cut..].to_owned(),
                        span: if exact {
                            Span::new(w.span.start + cut, w.span.end)
                        } else {
                            w.span
                        },
                    },
                )
            } else {
                let Some(v) = argv.get(j) else { break };
                j += 1;
                (text, v.clone())
            };
        let Some(setting) = row.option(name) else {
            continue;
        };
        match setting {
            Setting::Host => cmd.host = Some(value),
            Setting::Port => cmd.port = Some(value),
            Setting::Uds => cmd.uds = Some(value),
            Setting::Fd => cmd.binds.push(Bind {
                target: BindTarget::Fd(value.value.clone()),
                word: value,
            }),
            Setting::Bind => cmd.binds.push(Bind {
                target: bind_target(&value.value),
                word: value,
            }),
            Setting::KeepAlive => cmd.keep_alive = Some(value),
            Setting::Workers => cmd.workers = Some(value),
            Setting::WorkerClass => cmd.worker_class = Some(value),
            Setting::ForwardedAllowIps => cmd.forwarded_allow_ips = Some(value),
            Setting::RootPath => cmd.root_path = Some(value),
            Setting::Config => cmd.config = Some(value),
            Setting::Chdir => cmd.chdir = Some(value),
            Setting::Umask => cmd.umask = Some(value),
            Setting::User => cmd.user = Some(value),
            Setting::PythonPath => cmd.pythonpath = Some(value),
            Setting::OtherListen => cmd.other_listen = Some(value),
            Setting::ProxyHeaders => {
                let on = !matches!(value.value.to_ascii_lowercase().as_str(), "false" | "0");
                cmd.proxy_headers = Some((on, value.span));
            }
            Setting::CommandLine | Setting::DefaultPort | Setting::Inert => {}
        }
    }
    Some(cmd)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Words with spans as offsets into the joined command line.
    pub(crate) fn words(line: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut at = 0;
        for part in line.split(' ') {
            if !part.is_empty() {
                out.push(Word {
                    value: part.to_owned(),
                    span: Span::new(at, at + part.len()),
                });
            }
            at += part.len() + 1;
        }
        out
    }

    fn opt(w: Option<&Word>) -> &str {
        w.map_or("-", |w| w.value.as_str())
    }

    #[test]
    fn command_table() {
        // (command, server, app, host, port, uds, binds)
        type Case<'a> = (
            &'a str,
            Server,
            &'a str,
            &'a str,
            &'a str,
            &'a str,
            &'a [&'a str],
        );
        let cases: [Case<'_>; 11] = [
            (
                "uvicorn main:app --host 0.0.0.0 --port 8000",
                Server::Uvicorn,
                "main:app",
                "0.0.0.0",
                "8000",
                "-",
                &[],
            ),
            (
                "/opt/venv/bin/uvicorn --port=8001 app:app",
                Server::Uvicorn,
                "app:app",
                "-",
                "8001",
                "-",
                &[],
            ),
            (
                "python -m uvicorn --reload main:app --uds /run/app.sock",
                Server::Uvicorn,
                "main:app",
                "-",
                "-",
                "/run/app.sock",
                &[],
            ),
            (
                "/usr/bin/python3.12 -u -m uvicorn main:app",
                Server::Uvicorn,
                "main:app",
                "-",
                "-",
                "-",
                &[],
            ),
            (
                "gunicorn main:app -k uvicorn.workers.UvicornWorker --workers 2 --bind 127.0.0.1:8000",
                Server::Gunicorn,
                "main:app",
                "-",
                "-",
                "-",
                &["127.0.0.1:8000"],
            ),
            (
                "gunicorn -b unix:/run/g.sock -b0.0.0.0:80 wsgi:app",
                Server::Gunicorn,
                "wsgi:app",
                "-",
                "-",
                "-",
                &["unix:/run/g.sock", "0.0.0.0:80"],
            ),
            (
                "gunicorn --bind=[::1]:9000 a:b",
                Server::Gunicorn,
                "a:b",
                "-",
                "-",
                "-",
                &["[::1]:9000"],
            ),
            (
                "hypercorn -b 0.0.0.0:8000 main:app",
                Server::Hypercorn,
                "main:app",
                "-",
                "-",
                "-",
                &["0.0.0.0:8000"],
            ),
            (
                "exec env PORT=1 poetry run uvicorn m:a",
                Server::Uvicorn,
                "m:a",
                "-",
                "-",
                "-",
                &[],
            ),
            (
                "uv run --frozen gunicorn m:a",
                Server::Gunicorn,
                "m:a",
                "-",
                "-",
                "-",
                &[],
            ),
            (
                "python3 -m gunicorn --preload m:a",
                Server::Gunicorn,
                "m:a",
                "-",
                "-",
                "-",
                &[],
            ),
        ];
        for (line, server, app, host, port, uds, binds) in cases {
            let c = server_command(&words(line)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(c.server, server, "{line}");
            assert_eq!(opt(c.app.as_ref()), app, "{line}");
            assert_eq!(opt(c.host.as_ref()), host, "{line}");
            assert_eq!(opt(c.port.as_ref()), port, "{line}");
            assert_eq!(opt(c.uds.as_ref()), uds, "{line}");
            let got: Vec<&str> = c.binds.iter().map(|b| b.word.value.as_str()).collect();
            assert_eq!(got, binds, "{line}");
        }
    }

    #[test]
    fn daphne_and_the_directory_options() {
        let c = server_command(&words("daphne -b 0.0.0.0 -p 8001 proj.asgi:application"))
            .expect("daphne");
        assert_eq!(c.server, Server::Daphne);
        assert_eq!(opt(c.host.as_ref()), "0.0.0.0");
        assert_eq!(opt(c.port.as_ref()), "8001");
        assert_eq!(opt(c.app.as_ref()), "proj.asgi:application");
        let c = server_command(&words("daphne -u /run/d.sock a:b")).expect("daphne");
        assert_eq!(opt(c.uds.as_ref()), "/run/d.sock");
        let c = server_command(&words("daphne -e ssl:443 a:b")).expect("daphne");
        assert_eq!(opt(c.other_listen.as_ref()), "ssl:443");
        let c = server_command(&words("gunicorn --chdir /srv/app -m 007 -u www a:b")).expect("g");
        assert_eq!(opt(c.chdir.as_ref()), "/srv/app");
        assert_eq!(opt(c.umask.as_ref()), "007");
        assert_eq!(opt(c.user.as_ref()), "www");
        let c = server_command(&words("uvicorn --app-dir src --factory m:make --fd 3")).expect("u");
        assert_eq!(opt(c.chdir.as_ref()), "src");
        assert!(c.factory.is_some());
        assert_eq!(c.binds.len(), 1);
    }

    #[test]
    fn not_servers() {
        for line in [
            "node /app/app.js",
            "/usr/sbin/nginx -g daemon",
            "python app.py",
            "python -c x",
            "",
        ] {
            assert!(server_command(&words(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn a_short_option_of_a_wide_character_does_not_panic() {
        let c = server_command(&words("gunicorn -\u{e9}x m:a")).expect("gunicorn");
        assert_eq!(opt(c.app.as_ref()), "m:a");
        let c = server_command(&words("gunicorn -\u{e9} 1 m:a")).expect("gunicorn");
        assert_eq!(opt(c.app.as_ref()), "m:a");
    }

    #[test]
    fn bind_target_table() {
        let tcp = |h: &str, p: Option<u16>| BindTarget::Tcp {
            host: h.to_owned(),
            port: p,
        };
        let cases = [
            ("127.0.0.1:8000", tcp("127.0.0.1", Some(8000))),
            ("0.0.0.0", tcp("0.0.0.0", None)),
            ("[::]:80", tcp("::", Some(80))),
            (
                "unix:/run/app.sock",
                BindTarget::Unix("/run/app.sock".to_owned()),
            ),
            ("fd://3", BindTarget::Fd("3".to_owned())),
            ("localhost:http", tcp("localhost", None)),
        ];
        for (text, want) in cases {
            assert_eq!(bind_target(text), want, "{text}");
        }
    }

    #[test]
    fn value_spans_inside_words() {
        let line = "uvicorn m:a --port=8001 --proxy-headers --forwarded-allow-ips *";
        let c = server_command(&words(line)).expect("uvicorn");
        let port = c.port.expect("port");
        assert_eq!(&line[port.span.start..port.span.end], "8001");
        assert_eq!(c.proxy_headers.map(|p| p.0), Some(true));
        assert_eq!(opt(c.forwarded_allow_ips.as_ref()), "*");
        let line = "gunicorn -b127.0.0.1:9 -D -w 4 m:a";
        let c = server_command(&words(line)).expect("gunicorn");
        let b = &c.binds[0].word;
        assert_eq!(&line[b.span.start..b.span.end], "127.0.0.1:9");
        assert!(c.daemon.is_some());
        assert_eq!(opt(c.workers.as_ref()), "4");
    }
}
