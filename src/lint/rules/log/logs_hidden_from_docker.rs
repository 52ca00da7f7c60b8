//! `logs-hidden-from-docker`: a program's output goes to files inside the container, not to
//! `docker logs`.

use super::is_console;
use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::text;
use crate::lint::{Context, declare_rule};
use crate::model::Model;
use crate::parse::supervisord::{LogFile, ProcessKind, Setting};

declare_rule! {
    /// ## What it does
    /// Checks that what each supervisord program writes, on stdout and on stderr, reaches
    /// `docker logs`.
    ///
    /// That is `stdout_logfile=/dev/stdout`, and `stderr_logfile=/dev/stderr` or
    /// `redirect_stderr=true`. Event listeners, whose stdout is supervisord's protocol, and
    /// streams set to `NONE` on purpose are left alone.
    ///
    /// ## Why is this bad?
    /// supervisord captures its programs' output. Unless told otherwise it writes it to
    /// `AUTO` log files in its child log directory (or to the files named), so `docker
    /// logs` shows nothing of nginx's errors or the app's tracebacks, and the files grow
    /// inside the container. uvicorn, gunicorn and nginx write their logs to stderr, so a
    /// program whose stdout alone is sent out still hides them.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app
    /// stdout_logfile=/dev/stdout
    /// stdout_logfile_maxbytes=0
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app
    /// stdout_logfile=/dev/stdout
    /// stdout_logfile_maxbytes=0
    /// redirect_stderr=true
    /// ```
    pub static LOGS_HIDDEN_FROM_DOCKER = {
        code: "LOG002",
        name: "logs-hidden-from-docker",
        severity: Warning,
        check: check,
    }
}

/// Whether a stream reaches `docker logs`, or is discarded on purpose.
fn fine(m: &Model, log: &Setting<LogFile>) -> bool {
    is_console(m, &log.value) || (log.value == LogFile::None && log.place.is_some())
}

/// Where a stream goes instead, for the label.
fn describe(log: &Setting<LogFile>) -> String {
    match &log.value {
        LogFile::Auto => "supervisord's `AUTO` log file in its child log directory".to_owned(),
        LogFile::None => "nowhere (`NONE`)".to_owned(),
        LogFile::Syslog => "syslog".to_owned(),
        LogFile::Path(p) => format!("`{p}`"),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        // A listener for `PROCESS_LOG` events (supervisor-stdout and the like) forwards
        // the programs' output itself.
        let forwarded = sup.programs.iter().any(|p| {
            p.program
                .events
                .as_ref()
                .is_some_and(|e| e.value.iter().any(|ev| ev.starts_with("PROCESS_LOG")))
        });
        if forwarded {
            continue;
        }
        for p in &sup.programs {
            let prog = &p.program;
            if prog.kind == ProcessKind::EventListener {
                continue;
            }
            let out_ok = fine(m, &prog.stdout_logfile);
            let err_ok = if prog.redirect_stderr.value {
                out_ok
            } else {
                fine(m, &prog.stderr_logfile)
            };
            let (what, setting) = match (out_ok, err_ok) {
                (true, true) => continue,
                (false, false) => ("the output", &prog.stdout_logfile),
                (true, false) => ("the stderr", &prog.stderr_logfile),
                (false, true) => ("the stdout", &prog.stdout_logfile),
            };
            let span = setting.place.map_or(prog.header_span, |pl| pl.value_span);
            let note = format!("goes to {}", describe(setting));
            let Some(primary) = dir.label(&p.origin(span), note) else {
                continue;
            };
            let help = match (out_ok, err_ok) {
                (true, false) => {
                    "add `redirect_stderr=true`, or `stderr_logfile=/dev/stderr` with `stderr_logfile_maxbytes=0`".to_owned()
                }
                _ => format!(
                    "set `stdout_logfile=/dev/stdout` and `stdout_logfile_maxbytes=0` under `[{}]`, and `redirect_stderr=true` (or `stderr_logfile=/dev/stderr` with `stderr_logfile_maxbytes=0`)",
                    prog.section
                ),
            };
            out.push(
                LOGS_HIDDEN_FROM_DOCKER
                    .diagnostic(
                        format!(
                            "{what} of program `{}` never reaches `docker logs`",
                            prog.name
                        ),
                        primary,
                    )
                    .with_help(help)
                    .with_fix(fix(dir, p, !out_ok)),
            );
        }
    }
}

/// The settings the help names, each over its value or as a new line under `command=`
/// (under the header without one): with `stdout` the stdout log to `/dev/stdout` without
/// rotation, and stderr into it. Unsafe when it replaces a log file the config names,
/// which then stops being written.
fn fix(
    dir: &crate::lint::ContainerDir,
    p: &crate::model::ProgramFacts,
    stdout: bool,
) -> Option<Fix> {
    let prog = &p.program;
    let (anchor, like) = match &prog.command {
        Some(c) => (
            c.place.value_span.end,
            Some((c.place.key_span, c.place.value_span)),
        ),
        None => (prog.header_span.start, None),
    };
    let (file, text, _) = text::local(
        dir,
        &p.origin(crate::parse::span::Span::new(anchor, anchor)),
    )?;
    let mut edits = Vec::new();
    let mut safe = true;
    let mut set = |key: &str, place: Option<crate::parse::supervisord::Place>, value: &str| {
        let existing = match place {
            Some(pl) => Some(text::local(dir, &p.origin(pl.value_span))?),
            None => None,
        };
        let edit = match existing {
            Some((f, t, span)) => text::set_ini(f, t, Some(span), 0, None, key, value)?,
            None => text::set_ini(file, text, None, anchor, like, key, value)?,
        };
        edits.push(edit);
        Some(())
    };
    if stdout {
        safe &= prog.stdout_logfile.place.is_none();
        set("stdout_logfile", prog.stdout_logfile.place, "/dev/stdout")?;
        if prog.stdout_logfile_maxbytes.value != 0 {
            let place = prog.stdout_logfile_maxbytes.place;
            set("stdout_logfile_maxbytes", place, "0")?;
        }
    }
    if !prog.redirect_stderr.value {
        safe &= prog.stderr_logfile.place.is_none();
        set("redirect_stderr", prog.redirect_stderr.place, "true")?;
    }
    let title = if stdout {
        "send the program's output to `/dev/stdout`"
    } else {
        "set `redirect_stderr=true`"
    };
    Some(if safe {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(conf: &str) -> Vec<Diagnostic> {
        findings(
            &LOGS_HIDDEN_FROM_DOCKER,
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add supervisor\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", conf),
            ],
        )
    }

    #[test]
    fn hidden_streams() {
        let found = container(
            "[program:a]\ncommand=a\n[program:b]\ncommand=b\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\n[program:c]\ncommand=c\nstdout_logfile=/var/log/c.log\nredirect_stderr=true\n",
        );
        let got: Vec<(usize, &str)> = found
            .iter()
            .map(|d| (d.primary.start.line, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, "the output of program `a` never reaches `docker logs`"),
                (3, "the stderr of program `b` never reaches `docker logs`"),
                (9, "the output of program `c` never reaches `docker logs`"),
            ]
        );
    }

    #[test]
    fn console_none_and_listeners_pass() {
        let conf = "[program:a]\ncommand=a\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/fd/2\nstderr_logfile_maxbytes=0\n[program:b]\ncommand=b\nstdout_logfile=NONE\nstderr_logfile=NONE\n[eventlistener:x]\ncommand=x\nevents=PROCESS_STATE_FATAL\n";
        assert_eq!(container(conf), []);
        let forwarded = "[program:a]\ncommand=a\nstdout_events_enabled=true\n[eventlistener:stdout]\ncommand=supervisor_stdout\nevents=PROCESS_LOG\n";
        assert_eq!(container(forwarded), []);
    }
}
