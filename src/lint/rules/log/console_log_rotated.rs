//! `console-log-rotated`: supervisord logs to the container's stdout or stderr with
//! rotation on.

use super::is_console;
use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::text;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::Source;
use crate::parse::supervisord::{Expansions, LogFile, Place, Setting};

declare_rule! {
    /// ## What it does
    /// Checks that every supervisord log sent to the container's stdout or stderr has
    /// rotation off.
    ///
    /// Such a log is `/dev/stdout`, `/dev/stderr`, `/proc/self/fd/1`..., or a path the
    /// image links there; rotation off is `stdout_logfile_maxbytes=0` for `stdout_logfile`,
    /// `stderr_logfile_maxbytes=0` for `stderr_logfile`, and `logfile_maxbytes=0` for the
    /// `[supervisord]` section's own `logfile`.
    ///
    /// ## Why is this bad?
    /// The `*_maxbytes` settings default to 50MB, so supervisord treats the log as a file
    /// to rotate: it seeks in it, and a pipe cannot seek. supervisord fails with `OSError:
    /// [Errno 29] Illegal seek` when it opens the log or when it first rotates it, taking
    /// the program (or supervisord itself, and with it the container) down.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=node server.js
    /// stdout_logfile=/dev/stdout
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:app]
    /// command=node server.js
    /// stdout_logfile=/dev/stdout
    /// stdout_logfile_maxbytes=0
    /// ```
    pub static CONSOLE_LOG_ROTATED = {
        code: "LOG001",
        name: "console-log-rotated",
        severity: Error,
        check: check,
    }
}

/// One log and its rotation setting, in `source`.
struct Log<'a> {
    source: &'a Source,
    key: &'static str,
    file: &'a LogFile,
    file_place: Option<Place>,
    maxbytes: &'a Setting<u64>,
    /// The file the rotation setting is in (another file can set it in a merged section).
    max_source: &'a Source,
    section: &'a str,
}

fn report(dir: &ContainerDir, log: &Log<'_>, out: &mut Vec<Diagnostic>) {
    if log.maxbytes.value == 0 || !is_console(&dir.model, log.file) {
        return;
    }
    let Some(place) = log.file_place else { return };
    let path = log.file.path().unwrap_or_default();
    let key = log.key;
    let max_key = format!("{key}_maxbytes");
    let Some(primary) = dir.label(
        &log.source.origin(place.value_span),
        "a pipe: supervisord cannot seek in it to rotate",
    ) else {
        return;
    };
    let mut d = CONSOLE_LOG_ROTATED.diagnostic(
        format!(
            "`{key}={path}` without `{max_key}=0`: supervisord tries to rotate the container's output and fails with `Illegal seek`"
        ),
        primary,
    );
    if let Some(p) = log.maxbytes.place {
        if let Some(l) = dir.label(&log.max_source.origin(p.value_span), "rotation is on here") {
            d = d.with_related(l);
        }
    }
    // Over the rotation setting, or as a new line under the log's own.
    let edit = match log.maxbytes.place {
        Some(p) => text::local_span(dir, log.max_source, p.value_span)
            .and_then(|(file, text, span)| text::set_ini(file, text, Some(span), 0, None, "", "0")),
        None => text::local_span(dir, log.source, place.value_span).and_then(|(file, text, _)| {
            let like = Some((place.key_span, place.value_span));
            text::set_ini(file, text, None, place.value_span.end, like, &max_key, "0")
        }),
    };
    let fix = edit.map(|e| Fix::safe(format!("set `{max_key}=0`"), vec![e]));
    out.push(
        d.with_help(format!("set `{max_key}=0` under `[{}]`", log.section))
            .with_fix(fix),
    );
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(sup) = &dir.model.supervisor else {
            continue;
        };
        // supervisord merges the `[supervisord]` sections of its files, in the order it
        // reads them: the last `logfile` and the last `logfile_maxbytes` count.
        let mut logfile = None;
        let mut maxbytes = None;
        for f in &sup.files {
            let x = Expansions {
                env: sup.expansions.env.clone(),
                here: f.path.rsplit_once('/').map_or("/", |(d, _)| d).to_owned(),
            };
            let Some(s) = f.parsed.supervisord(&x) else {
                continue;
            };
            if let Some(l) = s.logfile.clone().filter(|l| l.place.is_some()) {
                logfile = Some((&f.source, l));
            }
            if s.logfile_maxbytes.place.is_some() {
                maxbytes = Some((&f.source, s.logfile_maxbytes.clone()));
            }
        }
        if let Some((source, l)) = logfile {
            let file = LogFile::Path(l.value.clone());
            let default = Setting {
                value: 50 << 20,
                place: None,
            };
            let (max_source, max) = maxbytes.unwrap_or((source, default));
            let log = Log {
                source,
                key: "logfile",
                file: &file,
                file_place: l.place,
                maxbytes: &max,
                max_source,
                section: "supervisord",
            };
            report(dir, &log, out);
        }
        for p in &sup.programs {
            let prog = &p.program;
            report(
                dir,
                &Log {
                    source: &p.source,
                    key: "stdout_logfile",
                    file: &prog.stdout_logfile.value,
                    file_place: prog.stdout_logfile.place,
                    maxbytes: &prog.stdout_logfile_maxbytes,
                    max_source: &p.source,
                    section: &prog.section,
                },
                out,
            );
            // With `redirect_stderr=true` stderr goes to the stdout log; its own is unused.
            if !prog.redirect_stderr.value {
                report(
                    dir,
                    &Log {
                        source: &p.source,
                        key: "stderr_logfile",
                        file: &prog.stderr_logfile.value,
                        file_place: prog.stderr_logfile.place,
                        maxbytes: &prog.stderr_logfile_maxbytes,
                        max_source: &p.source,
                        section: &prog.section,
                    },
                    out,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(conf: &str) -> Vec<Diagnostic> {
        findings(
            &CONSOLE_LOG_ROTATED,
            &[
                (
                    "Dockerfile",
                    "FROM nginx:1.27\nRUN apt-get install -y supervisor\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", conf),
            ],
        )
    }

    #[test]
    fn console_logs_with_rotation() {
        let found = container(
            "[supervisord]\nlogfile=/dev/stdout\n[program:a]\ncommand=a\nstdout_logfile=/proc/self/fd/1\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=1MB\n[program:b]\ncommand=b\nstdout_logfile=/var/log/nginx/access.log\n",
        );
        let lines: Vec<usize> = found.iter().map(|d| d.primary.start.line).collect();
        assert_eq!(lines, [2, 5, 6, 10], "{found:?}");
        assert_eq!(found[2].related[0].start.line, 7);
        assert_eq!(
            found[0].message,
            "`logfile=/dev/stdout` without `logfile_maxbytes=0`: supervisord tries to rotate the container's output and fails with `Illegal seek`"
        );
    }

    #[test]
    fn no_rotation_or_files_pass() {
        let conf = "[supervisord]\nlogfile=/dev/null\n[program:a]\ncommand=a\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\nstderr_logfile=/dev/stderr\n[program:b]\ncommand=b\nstdout_logfile=/var/log/b.log\n";
        assert_eq!(container(conf), []);
    }
}
