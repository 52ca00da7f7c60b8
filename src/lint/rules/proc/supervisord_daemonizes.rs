//! `supervisord-daemonizes`: PID 1 starts supervisord, and neither its config nor its
//! command line keeps it in the foreground.

use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::text;
use crate::lint::analysis::launch::launch;
use crate::lint::{Context, declare_rule};
use crate::model::Source;

declare_rule! {
    /// ## What it does
    /// Checks that supervisord started by the container's command stays in the
    /// foreground.
    ///
    /// That is `nodaemon=true` under `[supervisord]` in the config it reads (its includes
    /// followed), or `-n`/`--nodaemon` on its command line.
    ///
    /// ## Why is this bad?
    /// supervisord daemonizes by default: it forks, and the process Docker started exits
    /// at once. When that process is PID 1 (or the shell that runs it), the container
    /// stops as soon as it starts, with exit code 0 and nothing in its logs, and a
    /// restart policy starts it over and over.
    ///
    /// ## Example
    /// ```ini
    /// [supervisord]
    /// logfile=/dev/null
    /// ```
    /// with `CMD ["supervisord", "-c", "/etc/supervisord.conf"]`.
    ///
    /// Use instead:
    /// ```ini
    /// [supervisord]
    /// nodaemon=true
    /// logfile=/dev/null
    /// logfile_maxbytes=0
    /// ```
    pub static SUPERVISORD_DAEMONIZES = {
        code: "PROC003",
        name: "supervisord-daemonizes",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        let Some(command) = &sup.command else {
            continue;
        };
        let Some(first) = command.first() else {
            continue;
        };
        // Without the config, or with a part of it gen cannot read, `nodaemon` is unknown.
        if sup.files.is_empty() || !sup.unknown_files.is_empty() {
            continue;
        }
        if sup.nodaemon().value {
            continue;
        }
        // supervisord merges the sections of included files: `nodaemon=true` in any wins.
        let set_elsewhere = sup.files.iter().any(|f| {
            f.parsed
                .supervisord(&sup.expansions)
                .is_some_and(|s| s.nodaemon.value)
        });
        if set_elsewhere {
            continue;
        }
        // A shell that starts supervisord and then runs something else may mean it to
        // daemonize.
        let Some(l) = launch(m, first) else { continue };
        if !l.execd && !l.last {
            continue;
        }
        let start_note = "supervisord is started here without `-n`";
        let section = sup.supervisord.as_ref().and_then(|(i, s)| {
            let f = sup.files.get(*i)?;
            let span = s.nodaemon.place.map_or(s.header_span, |p| p.value_span);
            Some((f, f.source.origin(span), s.nodaemon.place.is_some()))
        });
        let config = sup.files.first().map_or(&sup.config.value, |f| &f.path);
        let message = "supervisord daemonizes: no `nodaemon=true` and no `-n`, so the container exits at once";
        let d = match section {
            // In a file of the project, the fix goes in the config.
            Some((f, origin, explicit)) if matches!(f.source, Source::Local(_)) => {
                let note = if explicit {
                    "`nodaemon` is false here"
                } else {
                    "no `nodaemon=true` in this section"
                };
                let Some(primary) = dir.label(&origin, note) else {
                    continue;
                };
                let mut d = SUPERVISORD_DAEMONIZES.diagnostic(message, primary);
                if let Some(l) = dir.label(&first.origin, start_note) {
                    d = d.with_related(l);
                }
                // Over the `false`, or as the section's first line.
                let edit = text::local(dir, &origin).and_then(|(file, text, span)| {
                    let existing = explicit.then_some(span);
                    text::set_ini(file, text, existing, span.start, None, "nodaemon", "true")
                });
                d.with_fix(edit.map(|e| Fix::safe("set `nodaemon=true`", vec![e])))
            }
            other => {
                let primary = dir.label_or(&first.origin, "Dockerfile", start_note);
                let mut d = SUPERVISORD_DAEMONIZES.diagnostic(message, primary);
                if let Some((_, origin, _)) = other {
                    if let Some(l) = dir.label(&origin, "no `nodaemon=true` here") {
                        d = d.with_related(l);
                    }
                }
                // The config is not the project's: `-n` after `supervisord` instead.
                let edit = text::local(dir, &first.origin).and_then(|(file, text, span)| {
                    text::after_word(file, text, span, &["-n"], "-n")
                });
                d.with_fix(edit.map(|e| Fix::safe("add `-n` to the command", vec![e])))
            }
        };
        out.push(d.with_help(format!(
            "add `nodaemon=true` under `[supervisord]` in `{config}`, or `-n` to the command that starts supervisord"
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(cmd: &str, conf: &str) -> Vec<Diagnostic> {
        findings(
            &SUPERVISORD_DAEMONIZES,
            &[
                (
                    "Dockerfile",
                    &format!(
                        "FROM alpine:3.22\nRUN apk add supervisor\nCOPY s.conf /etc/supervisord.conf\n{cmd}\n"
                    ),
                ),
                ("s.conf", conf),
            ],
        )
    }

    #[test]
    fn no_nodaemon_anywhere() {
        let found = container(
            "CMD [\"supervisord\"]",
            "[supervisord]\nlogfile=/dev/null\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].primary.file.as_str(), found[0].primary.start.line),
            ("c/s.conf", 1)
        );
        assert_eq!(found[0].related[0].file, "c/Dockerfile");
        let found = container("CMD [\"supervisord\"]", "[supervisord]\nnodaemon=false\n");
        assert_eq!(found[0].primary.message, "`nodaemon` is false here");
    }

    #[test]
    fn packaged_config_points_at_the_command() {
        let found = findings(
            &SUPERVISORD_DAEMONIZES,
            &[(
                "Dockerfile",
                "FROM debian:12\nRUN apt-get install -y supervisor\nCMD [\"/usr/bin/supervisord\"]\n",
            )],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].primary.file, "c/Dockerfile");
        assert_eq!(
            found[0].related[0].file,
            "/etc/supervisor/supervisord.conf (packaged by debian)"
        );
    }

    #[test]
    fn foreground_or_unknown_passes() {
        let cases = [
            ("CMD [\"supervisord\", \"-n\"]", "[supervisord]\n"),
            ("CMD [\"supervisord\"]", "[supervisord]\nnodaemon=true\n"),
            ("CMD supervisord --nodaemon", "[supervisord]\n"),
            // Started as a daemon on purpose, with something else in the foreground.
            ("CMD supervisord && tail -f /dev/null", "[supervisord]\n"),
            // Edited by a RUN: gen cannot know.
            (
                "RUN echo nodaemon=true >> /etc/supervisord.conf\nCMD [\"supervisord\"]",
                "[supervisord]\n",
            ),
        ];
        for (cmd, conf) in cases {
            assert_eq!(container(cmd, conf), [], "{cmd}");
        }
    }
}
