//! `program-daemonizes`: a supervisord program other than nginx (which `nginx-daemonizes`
//! covers) is started in a way that forks into the background, as its command line alone
//! says: `php-fpm -D`, `pg_ctl start`, `service x start`, `gunicorn --daemon`...
//!
//! Judged from the command line, and from the server's own config as the model read it
//! ([`crate::model::App::daemon`]): uWSGI's `daemonize`, `daemon = True` in a gunicorn
//! config, PHP-FPM's `daemonize = yes`, and PHP-FPM's default (yes) only when gen read every
//! file of its config and none says otherwise.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::path;
use crate::model::path::basename;
use crate::model::runtime::{self, Flag, SeenBy, Server};
use crate::model::{Fact, Origin};
use crate::parse::shell;
use crate::parse::supervisord::{AutoRestart, ProcessKind};

declare_rule! {
    /// ## What it does
    /// Checks that each program supervisord runs stays in the foreground, as far as its
    /// command line says.
    ///
    /// Reported: `php-fpm -D` (`--daemonize`), `pg_ctl ... start` and `pg_ctlcluster ...
    /// start`, `service NAME start` and `/etc/init.d/NAME start`, `apachectl start`,
    /// `uwsgi --daemonize`, `gunicorn --daemon` (`-D`), `redis-server --daemonize yes`,
    /// `mongod --fork`, `memcached -d`, `sshd` without `-D`, `cron` and `crond` without `-f`
    /// (cronie's `-n`), `httpd` without `-DFOREGROUND`; as the program's command, or the last
    /// command of its `sh -c` or script. nginx is `nginx-daemonizes`' (PROC001). A program
    /// declared a one-shot (`startsecs=0` without `autorestart=true`) is not reported.
    ///
    /// A server's own config is read too: `daemonize` in uWSGI's ini or YAML file,
    /// `daemon = True` in gunicorn's `-c` file, and PHP-FPM's `daemonize`, which defaults to
    /// yes: php-fpm without `-F` is reported when gen read its whole config (Debian's
    /// packaged one, the official `php` images', or the project's) and nothing there says
    /// `daemonize = no`; where a config file is unknown (an Alpine package's, one a RUN
    /// writes), it is not.
    ///
    /// ## Why is this bad?
    /// The process supervisord started forks the server into the background and exits with
    /// status 0. supervisord then either takes the exit for a failed start (`exited:
    /// php-fpm (exit status 0; not expected)`), starts it again, sees each new one fail
    /// because the first still holds the socket or pid file, and gives up (`gave up:
    /// php-fpm entered FATAL state, too many start retries too quickly`); or, when the fork
    /// took longer than `startsecs`, records an expected exit and stops watching. Either way
    /// the server that runs is nobody's child: its output is lost, a crash is never
    /// restarted, and `docker stop` kills it without a graceful stop. (Both outcomes are
    /// seen with Debian's php-fpm; which one depends on how fast it starts.)
    ///
    /// ## Example
    /// ```ini
    /// [program:php-fpm]
    /// command=php-fpm -D
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:php-fpm]
    /// command=php-fpm -F
    /// ```
    pub static PROGRAM_DAEMONIZES = {
        code: "PROC009",
        name: "program-daemonizes",
        severity: Error,
        check: check,
    }
}

/// Why a command forks into the background: the index of the word that says so, what it
/// does, and how to keep it in the foreground.
struct Fork {
    at: usize,
    note: String,
    help: String,
}

fn fork(at: usize, note: &str, help: &str) -> Option<Fork> {
    Some(Fork {
        at,
        note: note.to_owned(),
        help: help.to_owned(),
    })
}

/// Whether `words` (one simple command, wrappers dropped) daemonizes.
fn daemonizes(words: &[&str]) -> Option<Fork> {
    let (&first, args) = words.split_first()?;
    let prog = basename(first);
    let has = |flags: &[&str]| args.iter().any(|a| flags.contains(a));
    let position = |flags: &[&str]| args.iter().position(|a| flags.contains(a)).map(|i| i + 1);
    // The server's own flags, from its row of the runtime table.
    let flagged = |server: Server, flag: Flag| {
        args.iter()
            .position(|a| server.row().flag(a) == Some(flag))
            .map(|i| i + 1)
    };
    let verb = |verbs: &[&str]| args.iter().position(|a| verbs.contains(a)).map(|i| i + 1);
    match prog {
        p if p.starts_with("php-fpm") || p.starts_with("php5-fpm") => {
            if flagged(Server::PhpFpm, Flag::Foreground).is_some() {
                return None;
            }
            fork(
                flagged(Server::PhpFpm, Flag::Daemon)?,
                "forks php-fpm into the background",
                "run it in the foreground: `-F` (`--nodaemonize`) instead of `-D`",
            )
        }
        "pg_ctl" | "pg_ctlcluster" => fork(
            verb(&["start", "restart"])?,
            "starts PostgreSQL in the background and exits",
            "run the server itself in the foreground, e.g. `postgres -D /var/lib/postgresql/data`",
        ),
        "service" => fork(
            verb(&["start", "restart"]).filter(|&i| i == 2)?,
            "the init script starts the daemon in the background and exits",
            "run the daemon itself, in the foreground, as the program's command",
        ),
        _ if first.starts_with("/etc/init.d/") => fork(
            verb(&["start", "restart"]).filter(|&i| i == 1)?,
            "the init script starts the daemon in the background and exits",
            "run the daemon itself, in the foreground, as the program's command",
        ),
        "apachectl" | "apache2ctl" => fork(
            verb(&["start", "restart", "graceful"])?,
            "starts Apache in the background and exits",
            "run `apachectl -D FOREGROUND` (or `httpd -DFOREGROUND`)",
        ),
        "httpd" => {
            let foreground = args
                .iter()
                .zip(args.iter().skip(1).chain(std::iter::once(&"")))
                .any(|(a, b)| {
                    *a == "-DFOREGROUND" || *a == "-X" || (*a == "-D" && *b == "FOREGROUND")
                });
            if foreground || has(&["-t", "-v", "-V", "-S", "-M", "-l", "-L", "-h", "-k"]) {
                return None;
            }
            fork(
                0,
                "httpd forks into the background unless given `-DFOREGROUND`",
                "add `-DFOREGROUND`",
            )
        }
        p if p.starts_with("uwsgi") => {
            let at = args
                .iter()
                .position(|a| {
                    matches!(*a, "-d" | "--daemonize" | "--daemonize2")
                        || a.starts_with("--daemonize=")
                        || a.starts_with("--daemonize2=")
                })
                .map(|i| i + 1)?;
            fork(
                at,
                "forks uWSGI into the background",
                "drop it, and log with `--logto` if the log file is wanted",
            )
        }
        "gunicorn" => fork(
            flagged(Server::Gunicorn, Flag::Daemon)?,
            "forks gunicorn into the background",
            "drop `--daemon`: gunicorn stays in the foreground by default",
        ),
        "redis-server" => {
            let i = args.iter().position(|a| *a == "--daemonize")?;
            let yes = args
                .get(i + 1)
                .is_some_and(|v| v.eq_ignore_ascii_case("yes"));
            if !yes {
                return None;
            }
            fork(
                i + 1,
                "forks Redis into the background",
                "use `--daemonize no` (Redis's default)",
            )
        }
        "mongod" => fork(
            position(&["--fork"])?,
            "forks mongod into the background",
            "drop `--fork`",
        ),
        "memcached" => fork(
            position(&["-d", "--daemon"])?,
            "forks memcached into the background",
            "drop `-d`",
        ),
        "sshd" => {
            if has(&["-D", "-d", "-i", "-t", "-T"]) {
                return None;
            }
            fork(
                0,
                "sshd forks into the background unless given `-D`",
                "add `-D`",
            )
        }
        "cron" | "crond" => {
            // Debian's cron and BusyBox's crond take `-f`; cronie's crond takes `-n`.
            if args.iter().any(|a| {
                a.starts_with('-') && !a.starts_with("--") && (a.contains('f') || a.contains('n'))
            }) {
                return None;
            }
            fork(
                0,
                "cron forks into the background unless given `-f`",
                if prog == "crond" {
                    "add `-f` (cronie's crond: `-n`)"
                } else {
                    "add `-f`"
                },
            )
        }
        _ => None,
    }
}

/// How many words in front of a command are wrappers (`exec`, `env A=b`, `gosu user`:
/// [`runtime::WRAPPERS`]).
fn wrappers(values: &[&str]) -> usize {
    runtime::skip_wrappers(|i| values.get(i).copied(), 0, SeenBy::Model)
}

/// Drops the wrappers in front of a command (`exec`, `env A=b`, `gosu user`).
fn unwrapped(words: &[Fact<String>]) -> &[Fact<String>] {
    let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    words.get(wrappers(&values)..).unwrap_or_default()
}

/// Whether a command line, as supervisord's `command=` holds it, forks into the background,
/// judged from the line alone as this rule judges a program (`gen build` refuses such a
/// `[[container.program]]`): the byte range of the word that says so, what it does, and how
/// to keep it in the foreground. An `sh -c` script is judged by its last command.
#[must_use]
pub fn forks(command: &str) -> Option<(std::ops::Range<usize>, String, String)> {
    let words = shell::split(command).ok()?;
    let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    let mut words: Vec<shell::ShellWord> = words.get(wrappers(&values)..)?.to_vec();
    let is_shell = words
        .first()
        .is_some_and(|w| matches!(basename(&w.value), "sh" | "bash" | "dash" | "ash"));
    if is_shell && words.get(1).is_some_and(|w| w.value == "-c") {
        let script = words.get(2)?.clone();
        let last = shell::simple_commands(&script.value).pop()?;
        let values: Vec<&str> = last.iter().map(|w| w.value.as_str()).collect();
        // The script's words are placed at the script: their ranges are in its value.
        words = last
            .get(wrappers(&values)..)?
            .iter()
            .map(|w| shell::ShellWord {
                value: w.value.clone(),
                range: script.range.clone(),
            })
            .collect();
    }
    let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    if values.first().is_some_and(|f| basename(f) == "nginx") {
        return None;
    }
    let f = daemonizes(&values)?;
    let word = words.get(f.at).or_else(|| words.first())?;
    Some((word.range.clone(), f.note, f.help))
}

/// `su USER -c 'script'`: the script's last command, each word placed at the script.
fn su_script(words: &[Fact<String>]) -> Vec<Fact<String>> {
    let is_su = words.first().is_some_and(|w| basename(&w.value) == "su");
    let script = words
        .iter()
        .position(|w| w.value == "-c" || w.value == "--command")
        .and_then(|i| words.get(i + 1));
    match script {
        Some(script) if is_su => shell::simple_commands(&script.value)
            .pop()
            .map(|cmd| {
                let cmd: Vec<Fact<String>> = cmd
                    .into_iter()
                    .map(|w| Fact {
                        value: w.value,
                        origin: script.origin.clone(),
                    })
                    .collect();
                unwrapped(&cmd).to_vec()
            })
            .unwrap_or_default(),
        _ => words.to_vec(),
    }
}

fn file_of(o: &Origin) -> Option<&str> {
    o.file_span().map(|(f, _)| f)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        for p in &sup.programs {
            let prog = &p.program;
            if prog.kind == ProcessKind::EventListener {
                continue;
            }
            // A one-shot: an exit after starting is a success, and it is not restarted.
            if prog.startsecs.value == 0 && prog.autorestart.value != AutoRestart::Always {
                continue;
            }
            let argv = p.argv();
            let cwd = prog.directory.as_ref().map_or_else(
                || m.workdir.value.clone(),
                |d| path::join(&m.workdir.value, &d.value),
            );
            let cmds = m.commands(&argv, &cwd);
            // The command the program ends with: a script's last one when the model read
            // the script (its commands come before the script's own invocation).
            let conf = argv.first().and_then(|w| file_of(&w.origin));
            let last = cmds
                .iter()
                .rev()
                .find(|c| c.first().and_then(|w| file_of(&w.origin)) != conf)
                .or_else(|| cmds.last());
            let Some(last) = last else { continue };
            let words = su_script(unwrapped(last));
            let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
            if values.first().is_some_and(|f| basename(f) == "nginx") {
                continue;
            }
            let Some(f) = daemonizes(&values) else {
                from_config(dir, prog, &argv, out);
                continue;
            };
            let Some(word) = words.get(f.at).or_else(|| words.first()) else {
                continue;
            };
            let what = values.first().map_or("", |v| basename(v));
            let primary = dir.label_or(&word.origin, "Dockerfile", f.note);
            let mut d = PROGRAM_DAEMONIZES.diagnostic(
                format!(
                    "program `{}` runs `{what}` in the background: supervisord sees it exit, and restarts it until `FATAL` or leaves it unsupervised",
                    prog.name
                ),
                primary,
            );
            if file_of(&word.origin) != conf {
                if let Some(first) = argv.first() {
                    if let Some(l) = dir.label(&first.origin, "the program runs this") {
                        d = d.with_related(l);
                    }
                }
            }
            out.push(d.with_help(f.help));
        }
    }
}

/// A server told to daemonize by its own config, as the model read it: uWSGI's
/// `daemonize`, gunicorn's `daemon = True` in its `-c` file, PHP-FPM's `daemonize = yes`, or
/// PHP-FPM's default (yes) when gen read every file of its config and none says no.
fn from_config(
    dir: &crate::lint::ContainerDir,
    prog: &crate::parse::supervisord::Program,
    argv: &[Fact<String>],
    out: &mut Vec<Diagnostic>,
) {
    let m = &dir.model;
    let Some(app) = m
        .apps
        .iter()
        .find(|a| a.program.as_deref() == Some(prog.name.as_str()))
    else {
        return;
    };
    let Some(origin) = &app.daemon else { return };
    let Some((what, help)) = app.runtime.row().and_then(|r| r.daemon_help) else {
        return;
    };
    let first = argv.first();
    let what = first.map_or(what, |w| basename(&w.value));
    let (primary, related) = match (dir.label(origin, "tells it to daemonize"), first) {
        (Some(l), Some(w)) => (l, dir.label(&w.origin, "the program runs this")),
        (Some(l), None) => (l, None),
        (None, Some(w)) => {
            let note = match origin {
                Origin::Default { what } => what.clone(),
                _ => "its config tells it to daemonize".to_owned(),
            };
            (dir.label_or(&w.origin, "Dockerfile", note), None)
        }
        (None, None) => return,
    };
    let mut d = PROGRAM_DAEMONIZES.diagnostic(
        format!(
            "program `{}` runs `{what}` in the background: supervisord sees it exit, and restarts it until `FATAL` or leaves it unsupervised",
            prog.name
        ),
        primary,
    );
    if let Some(l) = related {
        d = d.with_related(l);
    }
    out.push(d.with_help(help));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(program: &str) -> Vec<Diagnostic> {
        let conf = format!("[supervisord]\nnodaemon=true\n[program:x]\n{program}\n");
        findings(
            &PROGRAM_DAEMONIZES,
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y supervisor php-fpm\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCOPY start.sh /start.sh\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", &conf),
                (
                    "start.sh",
                    "#!/bin/sh\nmkdir -p /run/php\nservice php8.2-fpm start\n",
                ),
            ],
        )
    }

    #[test]
    fn daemonizing_commands_are_reported() {
        let cases = [
            ("command=php-fpm8.2 -D", "`php-fpm8.2`", 4),
            (
                "command=/usr/sbin/php-fpm8.2 --daemonize -R",
                "`php-fpm8.2`",
                4,
            ),
            (
                "command=su postgres -c '/usr/lib/postgresql/15/bin/pg_ctl -D /data start'",
                "`pg_ctl`",
                4,
            ),
            ("command=pg_ctlcluster 15 main start", "`pg_ctlcluster`", 4),
            ("command=service redis-server start", "`service`", 4),
            ("command=/etc/init.d/php8.2-fpm start", "`php8.2-fpm`", 4),
            (
                "command=uwsgi --ini app.ini --daemonize /var/log/uwsgi.log",
                "`uwsgi`",
                4,
            ),
            (
                "command=gunicorn -D -b 127.0.0.1:8000 main:app",
                "`gunicorn`",
                4,
            ),
            ("command=redis-server --daemonize yes", "`redis-server`", 4),
            ("command=/usr/sbin/sshd", "`sshd`", 4),
            ("command=cron", "`cron`", 4),
            (
                "command=bash -c 'mkdir -p /run/php && php-fpm8.2 -D'",
                "`php-fpm8.2`",
                4,
            ),
            ("command=/start.sh", "`service`", 3),
            (
                "command=mongod --fork --logpath /var/log/m.log",
                "`mongod`",
                4,
            ),
            ("command=apachectl start", "`apachectl`", 4),
            (
                "command=service php8.2-fpm start\nstartsecs=0\nautorestart=true",
                "`service`",
                4,
            ),
        ];
        for (program, what, line) in cases {
            let found = container(program);
            assert_eq!(found.len(), 1, "{program}: {found:?}");
            assert!(
                found[0].message.contains(what),
                "{program}: {}",
                found[0].message
            );
            assert_eq!(found[0].primary.start.line, line, "{program}");
        }
        let found = container("command=/start.sh");
        assert_eq!(found[0].primary.file, "c/start.sh");
        assert_eq!(found[0].related[0].file, "c/s.conf");
    }

    #[test]
    fn forks_judges_a_command_line_alone() {
        let (range, note, _) = forks("/opt/venv/bin/gunicorn -D app:app").expect("forks");
        assert_eq!(
            (range, note.as_str()),
            (23..25, "forks gunicorn into the background")
        );
        assert!(forks("env A=1 php-fpm8.2 --daemonize").is_some());
        assert!(forks("sh -c 'cd /app && exec memcached -d'").is_some());
        assert!(forks("/usr/bin/python3 worker.py").is_none());
        assert!(forks("php-fpm -F").is_none());
        // Its config file decides: not reported.
        assert!(forks("php-fpm").is_none());
        assert!(forks("nginx").is_none());
        assert!(forks("'unclosed").is_none());
    }

    #[test]
    fn foreground_and_unknown_pass() {
        let cases = [
            "command=php-fpm8.2 -F",
            "command=php-fpm8.2 --nodaemonize",
            // Its config decides: not read here.
            "command=php-fpm8.2",
            "command=php-fpm8.2 -D -F",
            "command=postgres -D /data",
            "command=service php8.2-fpm status",
            "command=uwsgi --ini app.ini",
            "command=gunicorn -b 127.0.0.1:8000 main:app",
            "command=redis-server --daemonize no",
            "command=redis-server /etc/redis.conf",
            "command=/usr/sbin/sshd -D",
            "command=cron -f",
            "command=crond -f -l 2",
            "command=crond -n",
            "command=httpd -DFOREGROUND",
            "command=httpd -D FOREGROUND",
            "command=memcached -u memcache",
            "command=nginx",
            "command=sh -c 'service cron start && tail -f /var/log/cron.log'",
            // A one-shot.
            "command=service php8.2-fpm start\nstartsecs=0\nautorestart=false",
        ];
        for program in cases {
            assert_eq!(container(program), [], "{program}");
        }
    }
}
